"""Read and validate the patent-intensive product tables (专利密集型产品备案认定数据).

Two inputs, each described by a Table Schema in ``data_schemas/``:

* the product table (``products.schema.yaml``): one row per product and filing round (年度批次,
  ``filing_year``), with the enterprise, its unified social credit code, province, GB/T 4754-2017
  industry, status (备案 filed, 认定 recognised, 未通过 not passed) and output value, sales revenue and
  export value in 万元;
* the product–patent links (``product_patent_links.schema.yaml``): one row per product and patent
  application number with the patent's role (``core`` 核心专利 or ``other``).

Every bad record gives one line naming the file, the row (as in the file: the header is row 1 of a CSV),
the field, the value found and what was expected. All problems are collected before raising.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ipstats import reference
from ipstats.register.appno import is_valid_application_number
from ipstats.register.uscc import credit_code_problem
from ipstats.errors import InputError

__all__ = [
    "LINK_FIELDS",
    "PATENT_COLUMNS",
    "PRODUCT_FIELDS",
    "ProductDataError",
    "ROLES",
    "STATUSES",
    "VALUE_FIELDS",
    "industry_division",
    "normalize_application_number",
    "read_links",
    "read_products",
    "register_patents",
    "typed_products",
    "validate_links",
    "validate_products",
]

#: Columns of the product table, in schema order.
PRODUCT_FIELDS = (
    "product_id",
    "product_name",
    "enterprise_name",
    "credit_code",
    "province_code",
    "industry_code",
    "filing_year",
    "recognition_year",
    "status",
    "output_value",
    "sales_revenue",
    "export_value",
)
#: Columns of the product–patent link table.
LINK_FIELDS = ("product_id", "application_number", "role")
#: Product status in a round: filed (under review), recognised, not passed.
STATUSES = ("备案", "认定", "未通过")
#: Role of a linked patent.
ROLES = ("core", "other")
#: Money columns, 万元, ≥ 0.
VALUE_FIELDS = ("output_value", "sales_revenue", "export_value")
#: How many problem lines an error message shows before "… and N more".
MAX_SHOWN = 20

_INDUSTRY = re.compile(r"^([A-T])?(\d{2})(\d{1,2})?$")
_REQUIRED = (
    "product_id",
    "product_name",
    "enterprise_name",
    "credit_code",
    "province_code",
    "industry_code",
    "filing_year",
    "status",
)


class ProductDataError(InputError):
    """Product or link records that cannot be used; ``problems`` holds one line per bad field."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        shown = self.problems[:MAX_SHOWN]
        more = len(self.problems) - len(shown)
        super().__init__("\n".join(shown + ([f"… and {more} more problem(s)"] if more else [])))


def _read_table(path: str | Path, what: str, schema: str) -> tuple[pd.DataFrame, int]:
    """Read CSV (UTF-8, BOM, GBK, GB18030), Excel or Parquet as the validator reads it (:func:`read_cells`: same
    encodings, sheets, title rows, Chinese headers, codes NFKC-normalised), cells as text.

    Returns the table and the file row number of its first record (2 below a header line, 1 in Parquet).
    """
    from ipstats.validate import ReadError, read_cells

    path = Path(path)
    if not path.exists():
        raise ProductDataError([f"{path}: {what} file not found"])
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm", ".xls", ".parquet", ".pq"):
        raise ProductDataError(
            [f"{path}: expected a .csv, .xlsx or .parquet {what} file, got '{suffix or 'no extension'}'"]
        )
    try:
        table, lines = read_cells(path, schema)
    except ReadError as exc:
        raise ProductDataError([f"{path}: {exc}"]) from None
    if suffix in (".parquet", ".pq"):
        return table, 1
    return table, int(lines[0]) if len(lines) else 2


def _schema_check(path: str | Path, schema: str) -> None:
    """Everything ``ipstats validate --schema`` checks (after this module's record checks passed): what is read
    is what validates."""
    from ipstats.validate import InputError, read_input

    try:
        read_input(path, schema)
    except InputError as exc:
        raise ProductDataError(exc.report.lines() or [str(exc)]) from None


def _amount(text: str) -> float:
    """A money amount written with or without thousands separators (``1,200.5``); NaN when not a number."""
    return pd.to_numeric(text.replace(",", "").replace("，", ""), errors="coerce")


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _missing(table: pd.DataFrame, fields: tuple[str, ...], source: str, schema: str) -> list[str]:
    missing = [c for c in fields if c not in table.columns]
    return (
        [f"{source}: missing column(s) {', '.join(missing)}; see data_schemas/{schema}.schema.yaml"] if missing else []
    )


def _records(table: pd.DataFrame, fields: tuple[str, ...], first_row: int):
    """(file row number, {field: text}) for every record."""
    for i, rec in enumerate(table[list(fields)].itertuples(index=False)):
        yield first_row + i, {f: _text(v) for f, v in zip(fields, rec)}


def _line(source: str, row: int, field: str, value: object, expected: str) -> str:
    return f"{source}: row {row}, field {field}: {value!r} — {expected}"


@lru_cache(maxsize=1)
def _division_sections() -> dict[str, str]:
    table = reference.industry_divisions()
    return dict(zip(table["division"], table["section"]))


def industry_division(code: str) -> str | None:
    """The GB/T 4754-2017 division (大类) of an industry code, or None when the code is malformed or unknown.

    Accepted forms: a division ``39``, a group ``391`` or class ``3911`` (中类/小类), each optionally
    preceded by its section letter (``C3911``); the letter must be the division's section.
    """
    match = _INDUSTRY.match(code or "")
    if not match:
        return None
    divisions = _division_sections()
    letter, division = match.group(1), match.group(2)
    if division not in divisions or (letter and divisions[division] != letter):
        return None
    return division


def validate_products(table: pd.DataFrame, source: str = "products", first_row: int = 2) -> list[str]:
    """Problems of a product table, one line per bad field (empty list: the table is valid).

    Parameters
    ----------
    table : pandas.DataFrame
        Columns :data:`PRODUCT_FIELDS` (values as text or numbers).
    source : str
        File name used in the messages.
    first_row : int
        Row number of the first record in the file (2 for a CSV with a header line).

    Returns
    -------
    list of str
        ``{source}: row R, field F: 'value' — expected …``.
    """
    problems = _missing(table, PRODUCT_FIELDS, source, "products")
    if problems:
        return problems
    provinces = set(reference.provinces()["province_code"])
    seen: dict[tuple[str, str], int] = {}
    owners: dict[str, tuple[str, int]] = {}
    for row, values in _records(table, PRODUCT_FIELDS, first_row):
        bad = lambda field, expected: problems.append(_line(source, row, field, values[field], expected))  # noqa: E731
        for field in _REQUIRED:
            if values[field] == "":
                bad(field, "a value is required")
        if values["product_id"] and values["filing_year"]:
            key = (values["product_id"], values["filing_year"])
            if key in seen:
                bad(
                    "product_id",
                    f"duplicate product id in round {values['filing_year']} (first at row {seen[key]}); "
                    f"expected one row per product and round",
                )
            else:
                seen[key] = row
        owner = owners.setdefault(values["product_id"], (values["credit_code"], row))
        if values["product_id"] and values["credit_code"] and owner[0] and owner[0] != values["credit_code"]:
            bad(
                "credit_code",
                f"product {values['product_id']} belongs to enterprise {owner[0]} at row {owner[1]}; "
                f"expected the same enterprise in every round (or a new product id)",
            )
        if values["credit_code"]:
            reason = credit_code_problem(values["credit_code"])
            if reason:
                bad("credit_code", f"{reason}; expected a valid 统一社会信用代码")
        if values["province_code"] and values["province_code"] not in provinces:
            bad(
                "province_code",
                "expected a 2-digit GB/T 2260 province code such as '44' (see ipstats.reference.provinces())",
            )
        if values["industry_code"] and industry_division(values["industry_code"]) is None:
            bad(
                "industry_code",
                "expected a GB/T 4754-2017 code of 2–4 digits whose first two digits are a division "
                "(大类 01–97), optionally preceded by its section letter, e.g. '3911' or 'C39'",
            )
        years = {}
        for field in ("filing_year", "recognition_year"):
            if values[field]:
                if re.fullmatch(r"\d{4}", values[field]) and 2000 <= int(values[field]) <= 2100:
                    years[field] = int(values[field])
                else:
                    bad(field, "expected a 4-digit year between 2000 and 2100")
        if values["status"] and values["status"] not in STATUSES:
            bad("status", f"expected one of {', '.join(STATUSES)}")
        if values["status"] == "认定" and not values["recognition_year"]:
            bad("recognition_year", "a recognised (认定) product needs its recognition year")
        elif values["status"] in ("备案", "未通过") and values["recognition_year"]:
            bad("recognition_year", f"expected empty: the status is {values['status']}, not 认定")
        elif (
            "recognition_year" in years and "filing_year" in years and years["recognition_year"] < years["filing_year"]
        ):
            bad("recognition_year", f"expected a year not before the filing year {years['filing_year']}")
        for field in VALUE_FIELDS:
            if values[field] == "":
                if values["status"] == "认定":
                    bad(field, "a recognised (认定) product needs this figure (write 0 for none)")
                continue
            number = _amount(values[field])
            if pd.isna(number):
                bad(field, "expected a number of 万元")
            elif number < 0:
                bad(field, "expected a value ≥ 0 (万元)")
    return problems


def validate_links(
    links: pd.DataFrame,
    product_ids: set[str] | None = None,
    register_numbers: set[str] | None = None,
    source: str = "product_patent_links",
    first_row: int = 2,
    register_name: str = "the register",
) -> list[str]:
    """Problems of a product–patent link table, one line per bad field.

    Parameters
    ----------
    links : pandas.DataFrame
        Columns :data:`LINK_FIELDS`.
    product_ids : set of str, optional
        Known product ids; a link to another product is a problem.
    register_numbers : set of str, optional
        Application numbers of the register (``CN…`` form); a link to another patent is a problem.
    source, first_row : see :func:`validate_products`.
    register_name : str
        How the register is named in messages (its path).
    """
    problems = _missing(links, LINK_FIELDS, source, "product_patent_links")
    if problems:
        return problems
    seen: dict[tuple[str, str], int] = {}
    for row, values in _records(links, LINK_FIELDS, first_row):
        bad = lambda field, expected: problems.append(_line(source, row, field, values[field], expected))  # noqa: E731
        if not values["product_id"]:
            bad("product_id", "a value is required")
        elif product_ids is not None and values["product_id"] not in product_ids:
            bad("product_id", "expected the id of a product in the product table")
        number = normalize_application_number(values["application_number"])
        if not values["application_number"]:
            bad("application_number", "a value is required")
        elif number is None:
            bad(
                "application_number",
                "expected a CN application number with a valid check character, e.g. CN202310123456.7",
            )
        elif register_numbers is not None and number not in register_numbers:
            bad("application_number", f"expected a patent of {register_name}; this application is not in it")
        if values["role"] not in ROLES:
            bad("role", f"expected one of {', '.join(ROLES)}")
        if values["product_id"] and number:
            key = (values["product_id"], number)
            if key in seen:
                bad("application_number", f"duplicate link of this product and patent (first at row {seen[key]})")
            else:
                seen[key] = row
    return problems


def normalize_application_number(text: str) -> str | None:
    """``CN202310123456.7`` for any accepted spelling (``202310123456.7``, ``ZL…``, lower case); None if invalid."""
    text = (text or "").strip().upper()
    if not is_valid_application_number(text):
        return None
    digits = re.sub(r"^(CN|ZL)\s*", "", text).replace(".", "")
    return f"CN{digits[:-1]}.{digits[-1]}"


def read_products(path: str | Path) -> pd.DataFrame:
    """Read and validate a product table; return it typed, with ``division`` and ``section`` added.

    Returns
    -------
    pandas.DataFrame
        :data:`PRODUCT_FIELDS` with ``filing_year``/``recognition_year`` as ``Int64``, the value fields as
        float (万元), ``industry_code`` without its section letter, plus ``division`` (大类) and
        ``section`` (门类) of GB/T 4754-2017.

    Raises
    ------
    ProductDataError
        Missing file or columns, or bad records (one line each); then anything else the schema
        (``data_schemas/products.schema.yaml``) refuses, with the validator's lines.
    """
    table, first_row = _read_table(path, "product", "products")
    problems = validate_products(table, source=str(path), first_row=first_row)
    if problems:
        raise ProductDataError(problems)
    _schema_check(path, "products")
    return typed_products(table)


def typed_products(table: pd.DataFrame) -> pd.DataFrame:
    """Give a valid product table its types and add ``division`` and ``section`` (see :func:`read_products`)."""
    out = table[list(PRODUCT_FIELDS)].copy()
    for field in (
        "product_id",
        "product_name",
        "enterprise_name",
        "credit_code",
        "province_code",
        "industry_code",
        "status",
    ):
        out[field] = out[field].map(_text)
    for field in ("filing_year", "recognition_year"):
        out[field] = pd.to_numeric(out[field].map(_text).replace("", None), errors="raise").astype("Int64")
    for field in VALUE_FIELDS:
        out[field] = out[field].map(lambda v: _amount(_text(v)) if _text(v) else float("nan")).astype(float)
    out["industry_code"] = out["industry_code"].str.lstrip("ABCDEFGHIJKLMNOPQRST")
    out["division"] = out["industry_code"].str[:2]
    out["section"] = out["division"].map(_division_sections())
    return out


#: Register columns the product indicators use for linked patents.
PATENT_COLUMNS = (
    "application_number",
    "patent_type",
    "filing_date",
    "grant_date",
    "legal_status",
    "lapse_date",
    "ipc",
    "title",
    "applicant_name",
    "province_code",
)


def register_patents(register: str | Path, numbers: list[str] | set[str] | pd.Series) -> pd.DataFrame:
    """Register rows of the given application numbers (those found; the register is not loaded whole).

    Returns
    -------
    pandas.DataFrame
        :data:`PATENT_COLUMNS` that the register has, one row per number found.
    """
    from ipstats.register.io import open_register

    con = open_register(register)
    try:
        columns = [r[0] for r in con.execute("DESCRIBE register").fetchall()]
        wanted = ", ".join(f"r.{c}" for c in PATENT_COLUMNS if c in columns)
        con.register("_wanted", pd.DataFrame({"n": sorted(set(numbers))}, dtype=object))
        return con.execute(
            f"SELECT {wanted} FROM register r JOIN _wanted w ON r.application_number = w.n "
            f"ORDER BY r.application_number"
        ).df()
    finally:
        con.close()


def read_links(
    path: str | Path,
    products: pd.DataFrame | None = None,
    register: str | Path | None = None,
    register_numbers: set[str] | None = None,
) -> pd.DataFrame:
    """Read and validate the product–patent links; application numbers come back as ``CN…``.

    Parameters
    ----------
    path : path
        CSV or Parquet with :data:`LINK_FIELDS`.
    products : pandas.DataFrame, optional
        The product table: links must name its products.
    register : path, optional
        The patent register: links must name its patents (looked up with DuckDB, number by number).
    register_numbers : set of str, optional
        Instead of *register*, the set of known application numbers.

    Raises
    ------
    ProductDataError
    """
    table, first_row = _read_table(path, "product–patent link", "product_patent_links")
    ids = set(products["product_id"].map(_text)) if products is not None else None
    register_name = "the register"
    if register is not None:
        numbers = {normalize_application_number(_text(t)) for t in table.get("application_number", [])} - {None}
        register_numbers = set(register_patents(register, numbers)["application_number"])
        register_name = f"the register {register}"
    problems = validate_links(
        table, ids, register_numbers, source=str(path), first_row=first_row, register_name=register_name
    )
    if problems:
        raise ProductDataError(problems)
    _schema_check(path, "product_patent_links")
    out = table[list(LINK_FIELDS)].copy()
    out["product_id"] = out["product_id"].map(_text)
    out["application_number"] = out["application_number"].map(lambda t: normalize_application_number(_text(t)))
    out["role"] = out["role"].map(_text)
    return out
