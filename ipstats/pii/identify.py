"""Identify patent-intensive industries (专利密集型产业识别) from invention patents and employment by industry.

Method (the idea of 《知识产权（专利）密集型产业统计分类（2019）》, 国家统计局令第25号, and of the EPO–EUIPO and
USPTO studies): an industry is patent-intensive when both its invention-patent **intensity** and its **scale**
reach set standards. NBS's own thresholds are not public; here they are parameters with documented defaults.

1. **Patents by industry** over a reference window (e.g. five years of invention grants, 发明专利授权), at the
   level of GB/T 4754-2017 the input gives (门类, 大类, 中类 or 小类), or rolled up (``level``):

   * **owner-based attribution** (EPO–EUIPO, USPTO): an applicant → industry table
     (:func:`read_applicant_industry`, ``data_schemas/applicant_industry.schema.yaml``); a patent is split
     equally among its co-applicants and each applicant's share over its industries by weight; or a register
     column with the owner's industry code(s) (``industry_column``);
   * an **IPC → industry concordance** (:func:`read_ipc_industry_concordance`,
     ``data_schemas/ipc_industry_concordance.schema.yaml``), e.g. CNIPA's 2018 《国际专利分类与国民经济行业分类
     参照关系表》 held by the statistician: a patent's unit weight is spread over the industries its IPC codes
     map to (by the table's weights, else equally);
   * **fallback, an approximation**: the Fraunhofer ISI IPC class → NACE Rev.2 division probabilities
     (``system="isi_nace2"``), which give every NACE division a fraction of nearly every patent; NACE
     divisions are not GB/T 4754 industries, so no comparison with the official list is made on them.

2. **Employment by industry** (从业人员): the mean over the window's years present in the table.
3. **Intensity** (发明专利密集度) = window patents per 10,000 employees.
4. **Criteria**, all applied by default (:data:`DEFAULTS` gives the values and reasons):

   * intensity ≥ ``multiplier`` × the average intensity of the **patent-using industries** (``threshold=
     "users"``: industries with at least ``user_min_patents`` window patents, the EPO–EUIPO choice), or of all
     industries (``"all"``);
   * scale: window patents ≥ ``min_patents`` and employment ≥ ``min_employment`` persons and ≥
     ``min_employment_share_pct`` % of the employment of all industries.

   The table says for every industry which criterion it meets or misses.
5. **Sensitivity**: :func:`sensitivity` recomputes the list for other windows and thresholds and counts
   the industries that enter or leave.
6. **Comparison with the official list** (:func:`compare_official`): the 小类 of 令第25号 with their 7 大类
   (``data_schemas/pii_industry_mapping.schema.yaml``, a table the user supplies: the list is not shipped),
   rolled up to the identification's level; agreements and differences listed.

Disclosure control (:func:`protect_identification`): patent counts come from the register, public by law,
and are published; census employment below the published categories is confidential, so employment and
the intensity (which would give it back) are withheld and the table is sorted by industry code; the
decision stays published (it only says on which side of the threshold the intensity lies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ipstats.concordance import classify_table, load_system
from ipstats.concordance.api import open_inputs, register_key
from ipstats.counting import CountSpec, count_classified
from ipstats.engines import as_runner, columns_of, open_runner

__all__ = [
    "DEFAULTS",
    "LEVELS",
    "THRESHOLDS",
    "Comparison",
    "Identification",
    "compare_official",
    "employment_in_window",
    "identify",
    "industry_level",
    "industry_names",
    "patent_using",
    "patents_by_industry",
    "protect_identification",
    "read_applicant_industry",
    "read_employment",
    "read_ipc_industry_concordance",
    "read_official_list",
    "roll_up",
    "sensitivity",
    "window_patents",
]

#: Threshold rules: all-industry average, or average over patent-using industries.
THRESHOLDS = {"all": "全部行业平均密集度", "users": "使用专利行业平均密集度"}
#: GB/T 4754-2017 levels by the length of their codes (门类 a letter).
LEVELS = {"门类": 1, "大类": 2, "中类": 3, "小类": 4}
#: Default criteria of :func:`identify`, with the reason for each value (NBS's thresholds are not public).
DEFAULTS = {
    "threshold": (
        "users",
        "EPO–EUIPO: IPR ownership per employee above the average of the IPR-using industries; "
        "the all-industry average counts industries that hold no patent and lowers the bar",
    ),
    "multiplier": (1.0, "above the average (1×); the sensitivity table shows 2×"),
    "user_min_patents": (
        1.0,
        "EPO–EUIPO compare with the IPR-using industries; here an industry uses patents when "
        "it holds at least one whole invention patent over the window (our reading): slivers "
        "such as 0.3 of a patent spread by a probabilistic concordance are not use",
    ),
    "min_patents": (
        10.0,
        "scale: below 10 patents the count's Poisson relative standard error exceeds 1/√10 ≈ 32 %, "
        "too unstable for its intensity to be compared with a threshold",
    ),
    "min_employment": (
        0.0,
        "scale in persons: no absolute floor by default (the share below applies); set it for "
        "a national run, e.g. the smallest 小类 NBS publishes",
    ),
    "min_employment_share_pct": (
        0.001,
        "scale: at least 1 in 100,000 of the employed in all industries (≈ 3,800 "
        "persons on the 2018 census's 383 million): below it an intensity rests on "
        "a handful of enterprises; a share keeps the rule the same on a demo register",
    ),
}
DATA_DIR = Path(__file__).with_name("data")
#: How each attribution is named in tables (``by_year.attrs["attribution"]``).
ATTRIBUTIONS = {
    "applicants": "申请人所属行业（共同申请人平分，分数计数）",
    "industry_column": "专利权人所属行业（登记簿列{column}）",
    "concordance": "IPC与国民经济行业参照关系表（{source}）",
    "system": "近似：{source}（IPC大类→NACE Rev.2概率对照，非国民经济行业分类，仅作近似）",
}


@lru_cache(maxsize=None)
def _divisions() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "nace2_divisions.csv", dtype=str, keep_default_na=False)


def industry_names(classification: str = "NACE Rev.2") -> pd.Series:
    """Short Chinese names by code: the NACE Rev.2 divisions (the ``isi_nace2`` categories), or with
    ``classification="GB/T 4754-2017"`` its sections (门类) and divisions (大类)
    (:func:`ipstats.reference.industry_divisions`)."""
    if classification == "NACE Rev.2":
        table = _divisions()
        return pd.Series(table["name_zh"].to_numpy(), index=table["division"], name="industry_name")
    from ipstats.reference import industry_divisions

    table = industry_divisions()
    sections = table.drop_duplicates("section")
    return pd.concat(
        [
            pd.Series(sections["section_name_zh"].to_numpy(), index=sections["section"]),
            pd.Series(table["division_name_zh"].to_numpy(), index=table["division"]),
        ]
    ).rename("industry_name")


def _code(value) -> str:
    """A GB/T 4754 code as text: stripped, the section letter before digits dropped (``C3911`` → ``3911``)."""
    text = str(value).strip().upper()
    return text[1:] if len(text) > 2 and text[0].isalpha() and text[1:].isdigit() else text


def industry_level(code: str) -> str:
    """The GB/T 4754-2017 level of *code*: 门类 (a letter), 大类 (2 digits), 中类 (3) or 小类 (4).

    Raises
    ------
    ValueError
        A code that is none of them.
    """
    code = _code(code)
    if len(code) == 1 and "A" <= code <= "T":
        return "门类"
    if code.isdigit() and 2 <= len(code) <= 4:
        return {2: "大类", 3: "中类", 4: "小类"}[len(code)]
    raise ValueError(f"{code!r} is not a GB/T 4754-2017 code (a section letter A–T or 2–4 digits)")


def roll_up(codes: pd.Series, level: str) -> pd.Series:
    """GB/T 4754-2017 codes at a coarser *level* (``3911`` → ``39`` at 大类, → ``C`` at 门类).

    Raises
    ------
    ValueError
        Unknown level, or a code coarser than *level* (a 大类 cannot be split into 小类).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    codes = codes.map(_code)
    width = LEVELS[level]
    levels = codes.map(industry_level)
    coarse = codes[levels.map(LEVELS) < width]
    if len(coarse):
        raise ValueError(
            f"industry code {coarse.iloc[0]!r} is a {industry_level(coarse.iloc[0])}: it cannot be "
            f"given at the finer level {level}"
        )
    if width > 1:
        return codes.str[:width]
    from ipstats.reference import industry_divisions

    section = industry_divisions().set_index("division")["section"]
    out = codes.where(levels == "门类", codes.str[:2].map(section))
    if out.isna().any():
        raise ValueError(f"industry code {codes[out.isna()].iloc[0]!r}: its division is not in GB/T 4754-2017")
    return out


def _read_input(path: str | Path, schema: str, what: str) -> pd.DataFrame:
    """*path* read as it validates (:func:`ipstats.validate.read_input`; a bad cell is one line naming the file,
    row, field, value and expectation)."""
    from ipstats.validate import read_input

    if not Path(path).exists():
        raise FileNotFoundError(f"{path}: {what} file not found (data_schemas/{schema}.schema.yaml)")
    return read_input(path, schema, nullable=False)


def _weights(table: pd.DataFrame, key: str, path, what: str) -> pd.Series:
    """The weight column, every row filled or none (then equal shares per *key*)."""
    if "weight" not in table.columns or table["weight"].isna().all():
        return 1.0 / table.groupby(key)[key].transform("size")
    empty = table["weight"].isna()
    if empty.any():
        i = int(empty.to_numpy().nonzero()[0][0])
        raise ValueError(
            f"{path}: row {i + 2}, field weight: empty while other rows give a weight; fill every "
            f"row (the {what}) or none (equal shares)"
        )
    return table["weight"].astype(float)


def read_ipc_industry_concordance(path: str | Path):
    """An IPC → industry concordance (``data_schemas/ipc_industry_concordance.schema.yaml``) as a classification
    system for :func:`patents_by_industry`.

    With weights the table is probabilistic (``weight`` = P(industry | IPC range), as Fraunhofer ISI's); without,
    a patent is split equally over the distinct industries its IPC codes map to (as CNIPA's tables are read).

    Returns
    -------
    ipstats.concordance.System
        Categories = the industry codes (section letter dropped), named by ``industry_name``.

    Raises
    ------
    FileNotFoundError, ValueError
        Missing file, or a row that does not validate (file, row, field, value, expectation).
    """
    from ipstats.concordance.patterns import Conventions
    from ipstats.concordance.system import System, _check_rules

    table = _read_input(path, "ipc_industry_concordance", "IPC→industry concordance")
    if table.empty:
        raise ValueError(f"{path}: the IPC→industry concordance has no rows")
    codes = table["industry_code"].map(_code)
    weighted = "weight" in table.columns and table["weight"].notna().any()
    weights = (
        _weights(table, "industry_code", path, "P(industry | IPC range)") if weighted else pd.Series(1.0, table.index)
    )
    rules = pd.DataFrame(
        {
            "rule_id": [f"row{i + 2}" for i in range(len(table))],
            "category": codes.to_numpy(),
            "ipc_patterns": table["ipc"].astype(str).to_numpy(),
            "weight": weights.map(repr).to_numpy(),
            "source_ref": table.get("source_ref", pd.Series("", table.index)).fillna("").to_numpy(),
        }
    )
    conventions = Conventions()
    rules = _check_rules(rules, Path(path), conventions)
    names = table.get("industry_name", pd.Series(None, table.index)).replace("", None)
    cats = pd.DataFrame({"category": codes, "name_zh": names}).sort_values("name_zh").drop_duplicates("category")
    cats = cats.assign(name_en=None, parent=None, level=1).sort_values("category", ignore_index=True)
    meta = {
        "id": Path(path).stem,
        "name_zh": f"IPC与国民经济行业参照关系表（{Path(path).name}）",
        "edition": "user table",
        "issuer": "user",
        "source": str(path),
        "keyword_role": "none",
        "weighting": "probabilistic" if weighted else "split_over_categories",
    }
    return System(id=meta["id"], meta=meta, categories=cats, rules=rules, conventions=conventions)


def read_applicant_industry(path: str | Path | pd.DataFrame) -> pd.DataFrame:
    """The industry of each applicant (``data_schemas/applicant_industry.schema.yaml``) for owner-based attribution.

    Returns
    -------
    pandas.DataFrame
        ``applicant``, ``industry`` (code, section letter dropped), ``industry_name``, ``weight`` (the part of the
        applicant's patents going to the industry; equal shares when the file gives no weight).

    Raises
    ------
    FileNotFoundError, ValueError
        Missing file, a row that does not validate, or an applicant whose weights do not add up to 1.
    """
    table = (
        path.copy() if isinstance(path, pd.DataFrame) else _read_input(path, "applicant_industry", "applicant→industry")
    )
    table["applicant"] = table["applicant"].astype(str).str.strip()
    table["weight"] = _weights(table, "applicant", path, "part of the applicant's patents").to_numpy()
    sums = table.groupby("applicant", sort=False)["weight"].sum()
    bad = sums[(sums - 1).abs() > 1e-6]
    if len(bad):
        row = int((table["applicant"] == bad.index[0]).to_numpy().nonzero()[0][0])
        raise ValueError(
            f"{path}: row {row + 2}, field weight: the weights of applicant {bad.index[0]!r} add up to "
            f"{bad.iloc[0]:g}; expected 1 (the parts of its patents over its industries)"
        )
    names = table["industry_name"] if "industry_name" in table.columns else pd.Series("", table.index)
    return pd.DataFrame(
        {
            "applicant": table["applicant"],
            "industry": table["industry_code"].map(_code),
            "industry_name": names.fillna("").astype(str),
            "weight": table["weight"].astype(float),
        }
    )


def _split_sql(run, column: str) -> str:
    """SQL: one row per ``;``-separated part of *column* (DuckDB ``unnest(string_split)``, Spark ``explode(split)``)."""
    text = f"replace(CAST({column} AS STRING), '；', ';')"
    if run.dialect == "spark":
        return f"explode(split({text}, ';'))"
    return f"unnest(string_split({text}, ';'))"


def _owner_industry(con, register: str, column: str) -> str:
    """Table ``owner_industry`` (patent_id, category, weight, match) from a register column of industry codes."""
    run = as_runner(con)
    cols = columns_of(run, "register")
    if column not in cols:
        raise ValueError(
            f"{register}: no column {column!r} with the owner's industry code (columns: {', '.join(cols)})"
        )
    return run.table(
        "owner_industry",
        f"""WITH split_parts AS (SELECT application_number AS patent_id, {_split_sql(run, column)} AS part
                           FROM register WHERE {column} IS NOT NULL AND trim(CAST({column} AS STRING)) <> ''),
             d AS (SELECT DISTINCT patent_id, trim(part) AS category FROM split_parts WHERE trim(part) <> '')
        SELECT patent_id, category, CAST(1 AS DOUBLE) / COUNT(*) OVER (PARTITION BY patent_id) AS weight, 'confirmed' AS match
        FROM d""",
    )


def _applicant_attribution(con, register: str, applicants: pd.DataFrame, column: str) -> str:
    """Table ``applicant_industry_w`` (patent_id, category, weight, match): 1/n of a patent to each of its n distinct
    applicants (``;``-separated in *column*), times the applicant's industry weights; unmatched applicants' parts
    go to no industry."""
    run = as_runner(con)
    cols = columns_of(run, "register")
    if column not in cols:
        raise ValueError(f"{register}: no column {column!r} with the applicants (columns: {', '.join(cols)})")
    run.put("_pii_applicant_table", applicants[["applicant", "industry", "weight"]])
    run.table(
        "applicant_industry_w",
        f"""WITH split_parts AS (SELECT application_number AS patent_id, {_split_sql(run, column)} AS part
                           FROM register WHERE {column} IS NOT NULL),
             d AS (SELECT DISTINCT patent_id, trim(part) AS applicant FROM split_parts WHERE trim(part) <> ''),
             n AS (SELECT patent_id, applicant, COUNT(*) OVER (PARTITION BY patent_id) AS k FROM d)
        SELECT n.patent_id, t.industry AS category, SUM(t.weight / n.k) AS weight, 'confirmed' AS match
        FROM n JOIN _pii_applicant_table t ON t.applicant = n.applicant GROUP BY n.patent_id, t.industry""",
    )
    run.drop("_pii_applicant_table")
    return "applicant_industry_w"


def patents_by_industry(
    register: str | Path,
    years,
    *,
    system: str = "isi_nace2",
    industry_column: str | None = None,
    concordance: str | Path | None = None,
    applicants: str | Path | pd.DataFrame | None = None,
    applicant_column: str = "applicant_name",
    level: str | None = None,
    patent_types: tuple[str, ...] = ("发明",),
    measure: str = "grants",
    by: tuple[str, ...] = (),
    engine: str | dict | None = None,
) -> pd.DataFrame:
    """Fractional patents by industry and year (分行业发明专利，分数计数).

    One attribution is used, the first given of: *applicants* (owner-based), *industry_column*, *concordance*,
    else the concordance *system* (the ``isi_nace2`` fallback, an approximation in NACE Rev.2).

    Parameters
    ----------
    register : path
        Register (Parquet/CSV).
    years : iterable of int
        Years of the flow (by grant date for grants).
    system : str
        Classification system id or rules CSV (``data_schemas/concordance_rules.schema.yaml``) mapping IPC to
        industries; ``isi_nace2`` is Fraunhofer ISI's IPC class → NACE Rev.2 probabilities (an approximation).
    industry_column : str, optional
        Register column holding the owner's industry code(s), ``;``-separated (split equally).
    concordance : path, optional
        IPC → GB/T 4754 industry table (:func:`read_ipc_industry_concordance`).
    applicants : path or DataFrame, optional
        Applicant → industry table (:func:`read_applicant_industry`): owner-based attribution, a patent split
        equally among the applicants in *applicant_column*.
    applicant_column : str
        Register column with the applicants, ``;``-separated (the demo register has the first applicant only).
    level : {"门类", "大类", "中类", "小类"}, optional
        Roll GB/T 4754 codes up to this level; default the level(s) the input gives.
    patent_types, measure :
        What is counted (invention grants by default).
    by : tuple of str
        Extra register columns to break down by (e.g. ``applicant_name`` for disclosure control).
    engine : str or dict, optional
        Where the register is classified and counted: ``"duckdb"`` (default) or Spark settings
        (:func:`ipstats.engines.engine_settings`); the cube is the same.

    Returns
    -------
    pandas.DataFrame
        ``year``, *by*, ``industry``, ``patents`` (fractional). ``attrs``: ``attribution`` (how, in words),
        ``classification`` (``GB/T 4754-2017`` or ``NACE Rev.2``/the system's name), ``counted`` (patents
        counted by year) and ``attributed_pct`` (share of them attributed to an industry, by year).
    """
    spec = CountSpec(
        measure=measure, years=tuple(sorted(set(int(y) for y in years))), patent_types=patent_types, by=tuple(by)
    )
    given = [
        k
        for k, v in (("applicants", applicants), ("industry_column", industry_column), ("concordance", concordance))
        if v is not None and not (isinstance(v, str) and v == "")
    ]
    if len(given) > 1:
        raise ValueError(f"give one attribution of patents to industries, not {' and '.join(given)}")
    how = given[0] if given else "system"
    table = read_applicant_industry(applicants) if how == "applicants" else None
    source = (
        load_system(system)
        if how == "system"
        else (read_ipc_industry_concordance(concordance) if how == "concordance" else None)
    )
    with open_runner(engine or "duckdb") as con:  # DuckDB or Spark: the same SQL
        texts, _ = open_inputs(con, register, register=True, classify=how == "system" or how == "concordance")
        if how == "applicants":
            classified = _applicant_attribution(con, str(register), table, applicant_column)
        elif how == "industry_column":
            classified = _owner_industry(con, str(register), industry_column)
        else:
            classified = classify_table(con, source, "links", texts, keywords="ignore", cache=register_key(register))
        cube = count_classified(con, spec, "register", classified)
        counted = count_classified(
            con, CountSpec(measure=measure, years=spec.years, patent_types=patent_types), "register"
        )
    cube = cube.rename(columns={"category": "industry", "fractional": "patents"})
    out = cube[["year", *by, "industry", "patents"]].astype({"patents": float}).reset_index(drop=True)
    if how == "industry_column":  # C3911 in an owner column is 3911, as in the other inputs
        out = (
            out.assign(industry=out["industry"].map(_code))
            .groupby(["year", *by, "industry"], as_index=False, sort=False)["patents"]
            .sum()
        )
    if level is not None:
        if how == "system":
            raise ValueError(
                f"level {level!r}: only GB/T 4754 codes (an applicant table, an owner column or an "
                "IPC→industry concordance) can be rolled up"
            )
        out = (
            out.assign(industry=roll_up(out["industry"], level))
            .groupby(["year", *by, "industry"], as_index=False)["patents"]
            .sum()
        )
    counted = counted.set_index("year")["count"].astype(float)
    got = out.groupby("year")["patents"].sum().reindex(counted.index, fill_value=0.0)
    out.attrs = {
        "attribution": ATTRIBUTIONS[how].format(
            column=industry_column,
            source=(source.id if how == "system" else Path(str(concordance)).name if how == "concordance" else ""),
        ),
        "method": how,
        "classification": "GB/T 4754-2017"
        if how != "system"
        else ("NACE Rev.2" if source.id == "isi_nace2" else source.name),
        "counted": counted.to_dict(),
        "attributed_pct": (100 * got / counted.where(counted > 0)).to_dict(),
    }
    return out


def window_patents(by_year: pd.DataFrame, end_year: int, window: int) -> pd.DataFrame:
    """Patents of each industry summed over the *window* years ending with *end_year*."""
    if window < 1:
        raise ValueError(f"the reference window must be at least one year, got {window}")
    years = range(end_year - window + 1, end_year + 1)
    missing = sorted(set(years) - set(by_year["year"]))
    if missing:
        raise ValueError(f"patents by industry lack the window year(s) {', '.join(map(str, missing))}")
    sel = by_year[by_year["year"].isin(years)]
    return sel.groupby("industry", as_index=False)["patents"].sum()


def read_employment(path: str | Path) -> pd.DataFrame:
    """Employment by industry and year (分行业从业人员): ``industry_code``, ``year``, ``employment``, ``status``.

    Read as ``ipstats validate`` reads it (any encoding, Excel, Parquet, Chinese headers) and checked against
    ``data_schemas/employment_by_industry.schema.yaml`` as well.

    Raises
    ------
    FileNotFoundError, ValueError
        Missing file, missing column, a non-numeric or negative employment (file, row and field named), or
        anything else the schema refuses (:class:`ipstats.validate.InputError`, the validator's line).
    """
    from ipstats.pii.value_added import _checked, _read_table

    table = _read_table(path, "employment", "employment_by_industry")
    missing = [c for c in ("industry_code", "year", "employment") if c not in table.columns]
    if missing:
        raise ValueError(
            f"{path}: missing column(s) {', '.join(missing)} (data_schemas/employment_by_industry.schema.yaml)"
        )
    values = pd.to_numeric(table["employment"], errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise ValueError(f"{path}: row {i + 2}, field employment: {table['employment'].iloc[i]!r} is not a number ≥ 0")
    table["employment"] = values.astype(float)
    table["industry_code"] = table["industry_code"].map(_code)
    table["year"] = pd.to_numeric(table["year"]).astype(int)
    if "status" not in table.columns:
        table["status"] = ""
    return _checked(table, path, "employment_by_industry")


def employment_in_window(employment: pd.DataFrame, end_year: int, window: int) -> pd.DataFrame:
    """Mean employment of each industry over the window's years present in the table (``industry``, ``employment``)."""
    years = range(end_year - window + 1, end_year + 1)
    sel = employment[employment["year"].isin(years)]
    if sel.empty:
        raise ValueError(f"employment by industry has no figure for {years.start}–{years.stop - 1}")
    out = sel.groupby("industry_code", as_index=False)["employment"].mean()
    return out.rename(columns={"industry_code": "industry"})


@dataclass
class Identification:
    """The identified list with every industry's numbers, the thresholds and the reasons.

    ``table`` columns: ``industry``, ``industry_name``, ``patents``, ``employment``, ``intensity_per_10k``,
    ``patent_using``, ``meets_intensity``, ``meets_scale``, ``intensive``, ``decision``, ``reason``.
    """

    table: pd.DataFrame
    threshold: str
    threshold_per_10k: float
    average_all_per_10k: float
    average_users_per_10k: float
    parameters: dict = field(default_factory=dict)

    @property
    def intensive(self) -> list[str]:
        """Codes of the industries identified as patent-intensive."""
        return sorted(self.table.loc[self.table["intensive"], "industry"])

    def key_numbers(self, intensities: bool = True, threshold: bool = True) -> str:
        """Headline numbers as stable plain text (checked by nbval).

        ``intensities=False`` (confidential employment) lists the identified industries by code, without
        their intensities; ``threshold=False`` withholds the threshold too (保密).
        """
        if not intensities:
            level = f"{self.threshold_per_10k:.2f} 件/万人" if threshold else "保密"
            lines = [
                f"门槛（{THRESHOLDS[self.threshold]}×{self.parameters.get('multiplier', 1):g}）: "
                f"{level}; 全部行业平均 {self.average_all_per_10k:.2f}",
                f"专利密集型行业 {int(self.table['intensive'].sum())} 个 / {len(self.table)} 个行业",
            ]
            chosen = self.table[self.table["intensive"]].sort_values("industry")
            return "\n".join(lines + [f"{r.industry} {r.industry_name}" for r in chosen.itertuples()])
        top = self.table[self.table["intensive"]].nlargest(3, "intensity_per_10k")
        lines = [
            f"门槛（{THRESHOLDS[self.threshold]}×{self.parameters.get('multiplier', 1):g}）: "
            f"{self.threshold_per_10k:.2f} 件/万人; 全部行业平均 {self.average_all_per_10k:.2f}, "
            f"使用专利行业平均 {self.average_users_per_10k:.2f}",
            f"专利密集型行业 {int(self.table['intensive'].sum())} 个 / {len(self.table)} 个行业",
        ]
        lines += [f"{r.industry} {r.industry_name}: {r.intensity_per_10k:.2f} 件/万人" for r in top.itertuples()]
        return "\n".join(lines)


def _persons(value: float) -> str:
    """A head count threshold as printed: whole persons, one decimal below 10 (a demo register's scaled floor)."""
    return f"{value:,.0f}" if value >= 10 else f"{round(value, 1):g}"


def _reason(row, threshold: float, min_patents: float, min_employment: float) -> str:
    if pd.isna(row.employment) or row.employment <= 0:
        return "无就业人员数据，不能计算密集度"
    parts = [f"密集度{row.intensity_per_10k:.2f}{'≥' if row.meets_intensity else '<'}门槛{threshold:.2f}"]
    if min_patents > 0:
        parts.append(
            f"发明专利{row.patents:.1f}件{'≥' if row.patents >= min_patents else '<'}规模门槛{min_patents:g}件"
        )
    if min_employment > 0:
        parts.append(
            f"从业人员{row.employment:.0f}人{'≥' if row.employment >= min_employment else '<'}"
            f"规模门槛{_persons(min_employment)}人"
        )
    return "；".join(parts)


def patent_using(patents: pd.Series, user_min_patents: float) -> pd.Series:
    """Whether each industry uses patents: at least *user_min_patents* window patents (and more than none)."""
    return (patents >= user_min_patents) & (patents > 0)


def identify(
    patents: pd.DataFrame,
    employment: pd.DataFrame,
    *,
    threshold: str = DEFAULTS["threshold"][0],
    multiplier: float = DEFAULTS["multiplier"][0],
    min_patents: float = DEFAULTS["min_patents"][0],
    min_employment: float = DEFAULTS["min_employment"][0],
    min_employment_share_pct: float = DEFAULTS["min_employment_share_pct"][0],
    user_min_patents: float = DEFAULTS["user_min_patents"][0],
    names: pd.Series | None = None,
) -> Identification:
    """Flag the industries whose invention-patent intensity and scale both reach the thresholds.

    Defaults are :data:`DEFAULTS` (each with its reason); pass 0 to drop a scale condition.

    Parameters
    ----------
    patents : pandas.DataFrame
        ``industry``, ``patents`` over the window (:func:`window_patents`).
    employment : pandas.DataFrame
        ``industry``, ``employment`` (persons) over the window (:func:`employment_in_window`).
    threshold : {"users", "all"}
        Average intensity over the patent-using industries (default), or over all industries with employment.
    multiplier : float
        The intensity threshold is this multiple of the average (1 = above average).
    min_patents : float
        Scale: window patents an industry needs (default 10).
    min_employment : float
        Scale: persons employed an industry needs (default 0, no absolute floor).
    min_employment_share_pct : float
        Scale: per cent of the employment of all industries an industry needs (default 0.001 %); with
        *min_employment* the larger of the two applies.
    user_min_patents : float
        An industry uses patents when it has at least this many window patents (default 1, and always more than 0).
    names : pandas.Series, optional
        Industry names by code (default: :func:`industry_names`, the NACE divisions).

    Returns
    -------
    Identification
    """
    if threshold not in THRESHOLDS:
        raise ValueError(f"threshold must be one of {', '.join(THRESHOLDS)}, got {threshold!r}")
    if multiplier <= 0:
        raise ValueError(f"multiplier must be > 0, got {multiplier}")
    for key, value in (
        ("min_patents", min_patents),
        ("min_employment", min_employment),
        ("min_employment_share_pct", min_employment_share_pct),
        ("user_min_patents", user_min_patents),
    ):
        if not value >= 0:
            raise ValueError(f"{key} must be a number ≥ 0, got {value!r}")
    table = employment[["industry", "employment"]].merge(patents[["industry", "patents"]], on="industry", how="outer")
    table["patents"] = table["patents"].fillna(0.0)
    with_emp = table[table["employment"].fillna(0) > 0]
    table["intensity_per_10k"] = (table["patents"] / table["employment"].where(table["employment"] > 0)) * 10_000
    table["patent_using"] = patent_using(table["patents"], user_min_patents)
    users = with_emp[patent_using(with_emp["patents"], user_min_patents)]
    avg_all = 10_000 * with_emp["patents"].sum() / with_emp["employment"].sum()
    avg_users = 10_000 * users["patents"].sum() / users["employment"].sum() if len(users) else float("nan")
    level = multiplier * (avg_all if threshold == "all" else avg_users)
    employment_floor = max(min_employment, min_employment_share_pct / 100 * with_emp["employment"].sum())
    table["meets_intensity"] = table["intensity_per_10k"] >= level
    table["meets_scale"] = (
        (table["patents"] >= min_patents)
        & (table["employment"].fillna(0) >= employment_floor)
        & (table["employment"].fillna(0) > 0)
    )
    table["intensive"] = table["meets_intensity"] & table["meets_scale"]
    table["decision"] = table["intensive"].map({True: "专利密集型", False: "非专利密集型"})
    table["reason"] = [_reason(r, level, min_patents, employment_floor) for r in table.itertuples()]
    names = industry_names() if names is None else names
    table.insert(1, "industry_name", table["industry"].map(names).astype(object).fillna(""))
    table = table.sort_values(["intensive", "intensity_per_10k"], ascending=False, ignore_index=True)
    params = dict(
        threshold=threshold,
        multiplier=multiplier,
        min_patents=min_patents,
        min_employment=min_employment,
        min_employment_share_pct=min_employment_share_pct,
        employment_floor=employment_floor,
        user_min_patents=user_min_patents,
        n_patent_using=int(len(users)),
    )
    return Identification(table, threshold, level, avg_all, avg_users, params)


def sensitivity(
    by_year: pd.DataFrame,
    employment: pd.DataFrame,
    end_year: int,
    windows=(3, 5, 7),
    thresholds=("all", "users"),
    multipliers=(1.0,),
    baseline: tuple | None = None,
    **options,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How the list changes with the reference window and the threshold rule.

    Parameters
    ----------
    by_year : pandas.DataFrame
        ``year``, ``industry``, ``patents`` (:func:`patents_by_industry`) covering the widest window.
    employment : pandas.DataFrame
        ``industry_code``, ``year``, ``employment`` (:func:`read_employment`).
    end_year : int
        Last year of every window.
    windows, thresholds, multipliers : iterables
        Scenarios (their product).
    baseline : tuple, optional
        ``(window, threshold, multiplier)`` the others are compared with; default the first scenario.
    **options
        Passed to :func:`identify` (``min_patents``, ``min_employment``, ``user_min_patents``, ``names``).

    Returns
    -------
    summary : pandas.DataFrame
        One row per scenario: ``window``, ``threshold``, ``multiplier``, ``threshold_per_10k``,
        ``n_intensive``, ``entered`` and ``left`` (against the baseline), ``overlap_pct`` (Jaccard index).
    membership : pandas.DataFrame
        Industries × scenarios, True where the industry is patent-intensive.
    """
    results = {}
    for w in windows:
        pats, emp = window_patents(by_year, end_year, w), employment_in_window(employment, end_year, w)
        for t in thresholds:
            for m in multipliers:
                results[(w, t, m)] = identify(pats, emp, threshold=t, multiplier=m, **options)
    base_key = baseline or next(iter(results))
    if base_key not in results:
        raise ValueError(f"baseline {base_key} is not one of the scenarios")
    base = set(results[base_key].intensive)
    rows, columns = [], {}
    for (w, t, m), res in results.items():
        now = set(res.intensive)
        union = base | now
        rows.append(
            {
                "window": w,
                "threshold": t,
                "multiplier": m,
                "threshold_per_10k": res.threshold_per_10k,
                "n_patent_using": res.parameters["n_patent_using"],
                "n_intensive": len(now),
                "entered": len(now - base),
                "left": len(base - now),
                "overlap_pct": 100.0 * len(base & now) / len(union) if union else 100.0,
                "baseline": (w, t, m) == base_key,
            }
        )
        columns[f"{w}年/{t}/×{m:g}"] = res.table.set_index("industry")["intensive"]
    membership = pd.DataFrame(columns).fillna(False)
    membership = membership[membership.any(axis=1)].sort_index()
    names = options.get("names")
    membership.insert(0, "industry_name", membership.index.map(industry_names() if names is None else names))
    return pd.DataFrame(rows), membership.reset_index(names="industry")


def _public_reason(row, min_patents: float, min_employment: float) -> str:
    """The reason without the employment figure or the intensity (census employment is confidential)."""
    if pd.isna(row.employment) or row.employment <= 0:
        return "无就业人员数据，不能计算密集度"
    parts = [f"密集度{'达到' if row.meets_intensity else '未达到'}门槛"]
    if min_patents > 0:
        parts.append(
            f"发明专利{row.patents:.1f}件{'≥' if row.patents >= min_patents else '<'}规模门槛{min_patents:g}件"
        )
    if min_employment > 0:
        parts.append(
            f"从业人员{'达到' if row.employment >= min_employment else '未达到'}规模门槛{_persons(min_employment)}人"
        )
    return "；".join(parts)


def protect_identification(
    table: pd.DataFrame, contributors: pd.DataFrame, rules: dict | None = None, parameters: dict | None = None
) -> tuple[pd.DataFrame, dict]:
    """Disclosure control of the identification table, by the confidentiality of its two inputs.

    * Patents come from the register, public by law: published as they are — unless the policy declares
      the register confidential; then :mod:`ipstats.sdc` protects the patent column (contributors = distinct
      applicants with a positive weight in the industry; largest and second-largest applicant's fractional
      patents), with the intensity suppressed beside a suppressed count.
    * Employment by industry below the published categories (census detail) is confidential
      (``confidentiality: {employment_by_industry: confidential}``, the default): the employment column and
      the intensity (which gives employment back from the public patent count) are withheld, the reasons
      say on which side of each threshold an industry lies without figures, and the table is sorted by
      industry code (an order by intensity would rank the withheld values). The decision stays published
      (the identified list is the statistic). Declare employment ``public`` when it is published data (a
      census yearbook's categories).

    Parameters
    ----------
    table : pandas.DataFrame
        ``Identification.table``.
    contributors : pandas.DataFrame
        ``industry``, ``applicant``, ``patents``: fractional window patents of each applicant in each industry
        (:func:`patents_by_industry` with ``by=("applicant_name",)``, summed over the window); used only for
        a confidential register.
    rules : dict, optional
        :class:`ipstats.sdc.Rules` fields and the policy.
    parameters : dict, optional
        ``Identification.parameters`` (the scale thresholds, for the reasons).

    Returns
    -------
    published : pandas.DataFrame
        *table* with the withheld and suppressed cells missing (shown as ``—``).
    record : dict
        Policy, withheld columns, suppressed cells and the audit result (for the bulletin manifest).
    """
    from ipstats.sdc import CONFIDENTIAL, Rules, protect, record as sdc_record

    rules_ = Rules.of(rules)
    parameters = parameters or {}
    published = table.copy()
    result = {
        "rules": rules_.rule_dict(),
        "source": "register, employment_by_industry",
        "suppressed": [],
        "cells": int(len(table)),
        "primary": 0,
        "secondary": 0,
        "audit_pass": True,
    }
    if rules_.is_confidential("register"):
        per = contributors[contributors["patents"] > 0].sort_values(["industry", "patents"], ascending=[True, False])
        per = per.assign(rank=per.groupby("industry").cumcount())
        grouped = per.groupby("industry")["patents"]
        cells = pd.DataFrame(
            {
                "value": grouped.sum(),
                "contributors": grouped.size(),
                "largest": per[per["rank"] == 0].set_index("industry")["patents"],
                "second": per[per["rank"] == 1].set_index("industry")["patents"],
            }
        )
        cells = cells.reindex(table["industry"]).fillna(0.0).rename_axis("row").reset_index().assign(col="patents")
        protected, audit = protect(cells, rules_, row_totals=False, col_totals=True)
        hidden = protected[protected["status"] != "published"]
        mask = published["industry"].isin(hidden["row"])
        published.loc[mask, ["patents", "intensity_per_10k"]] = float("nan")
        result.update(
            {
                k: v
                for k, v in sdc_record(protected, audit, rules_, "register").items()
                if k in ("primary", "secondary", "suppressed", "audit_pass")
            }
        )
    if rules_.is_confidential("employment_by_industry"):
        floor = parameters.get("employment_floor", parameters.get("min_employment", 0.0))
        published["reason"] = [_public_reason(r, parameters.get("min_patents", 0.0), floor) for r in table.itertuples()]
        withheld = table["employment"].notna()
        result["suppressed"] += [
            {"row": code, "col": col, "status": "withheld"}
            for code in table.loc[withheld, "industry"]
            for col in ("employment", "intensity_per_10k")
        ]
        result["withheld_columns"] = ["employment", "intensity_per_10k"]
        result["confidentiality"] = CONFIDENTIAL
        result["note"] = (
            "census employment below the published categories is confidential: employment and intensity "
            "withheld; the decision (which side of the threshold) stays published"
        )
        published[["employment", "intensity_per_10k"]] = float("nan")
        published = published.sort_values("industry", kind="stable", ignore_index=True)
    elif not rules_.is_confidential("register"):
        return published, None
    return published, result


# --- comparison with the official list (国家统计局令第25号) ----------------------------------------------------

#: How an industry compares with the official list.
AGREEMENT = {
    (True, True): "一致：均为专利密集型",
    (True, False): "差异：仅本次识别为专利密集型",
    (False, True): "差异：仅在官方分类中",
}


def read_official_list(path: str | Path) -> pd.DataFrame:
    """The official patent-intensive industries: GB/T 4754-2017 小类 with their 大类 (令第25号), as in
    ``data_schemas/pii_industry_mapping.schema.yaml`` (``industry_code``, ``industry_name``, ``category_code``,
    ``category_name_zh``, ``weight``: the part of a class marked * that belongs, 1 by default).

    The list is not shipped with ipstats (no machine-readable copy was available); the user supplies it.

    Raises
    ------
    FileNotFoundError, ValueError
        Missing file or a row that does not validate (file, row, field, value, expectation).
    """
    table = _read_input(path, "pii_industry_mapping", "official PII list")
    if table.empty:
        raise ValueError(f"{path}: the official list has no rows")
    out = pd.DataFrame(
        {
            "industry_code": table["industry_code"].astype(str),
            "industry_name": table.get("industry_name", pd.Series("", table.index)).fillna(""),
            "category_code": table["category_code"].astype(str),
            "category_name_zh": table["category_name_zh"].astype(str),
            "weight": table.get("weight", pd.Series(1.0, table.index)).fillna(1.0).astype(float),
        }
    )
    return out


@dataclass
class Comparison:
    """The identified list against the official one, at the identification's level.

    ``table``: one row per industry identified or official — ``industry``, ``industry_name``, ``identified``,
    ``official``, ``official_classes`` (official 小类 within the industry), ``partial`` (some of them only partly in
    the classification, marked *), ``categories`` (their 大类), ``agreement``. ``by_category``: per official 大类 the
    industries it covers at this level and how many were identified.
    """

    level: str
    table: pd.DataFrame
    by_category: pd.DataFrame

    @property
    def agreed(self) -> list[str]:
        return sorted(self.table.loc[self.table["identified"] & self.table["official"], "industry"])

    @property
    def only_identified(self) -> list[str]:
        return sorted(self.table.loc[self.table["identified"] & ~self.table["official"], "industry"])

    @property
    def only_official(self) -> list[str]:
        return sorted(self.table.loc[~self.table["identified"] & self.table["official"], "industry"])

    def key_numbers(self) -> str:
        """The agreement in plain text (stable, for nbval)."""
        both, ours, theirs = len(self.agreed), len(self.only_identified), len(self.only_official)
        union = both + ours + theirs
        return "\n".join(
            [
                f"与官方分类比较（{self.level}）：一致 {both} 个，仅本次识别 {ours} 个，仅官方分类 {theirs} 个；"
                f"重合度 {100 * both / union if union else 100:.1f} %",
                *[
                    f"{r.category_code} {r.category_name_zh}: 官方 {r.official} 个，识别 {r.identified} 个"
                    for r in self.by_category.itertuples()
                ],
            ]
        )


def compare_official(
    result: Identification, official: pd.DataFrame, classification: str = "GB/T 4754-2017"
) -> Comparison:
    """Compare the identified industries with the official 小类 list rolled up to the identification's level.

    An industry above 小类 (a 大类, say) counts as official when at least one of its 小类 is in the list; the table
    says how many. The identification must be in GB/T 4754-2017 (not the NACE approximation) and at one level.

    Parameters
    ----------
    result : Identification
    official : pandas.DataFrame
        :func:`read_official_list`.
    classification : str
        The identification's classification (``patents_by_industry(...).attrs["classification"]``).

    Raises
    ------
    ValueError
        Another classification, or industries at several levels.
    """
    if classification != "GB/T 4754-2017":
        raise ValueError(
            f"the official list is in GB/T 4754-2017; the identification is in {classification}: "
            "no comparison (use an applicant→industry table or an IPC→industry concordance)"
        )
    ours = result.table[["industry", "industry_name", "intensive"]].copy()
    levels = set(ours["industry"].map(industry_level))
    if len(levels) != 1:
        raise ValueError(
            f"the identification mixes industry levels ({', '.join(sorted(levels))}): roll it up to "
            "one level (patents_by_industry(level=...)) before the comparison"
        )
    level = levels.pop()
    off = official.assign(industry=roll_up(official["industry_code"], level))
    per = off.groupby("industry").agg(
        official_classes=("industry_code", "nunique"),
        partial=("weight", lambda w: bool((w < 1).any())),
        categories=("category_name_zh", lambda c: "、".join(sorted(set(c)))),
    )
    table = ours.merge(per.reset_index(), on="industry", how="outer")
    table["identified"] = table["intensive"].fillna(False).astype(bool)
    table["official"] = table["official_classes"].notna()
    table = table[table["identified"] | table["official"]].copy()
    named = official.drop_duplicates("industry_code").set_index("industry_code")["industry_name"]
    own = table["industry_name"].replace("", None)
    table["industry_name"] = own.fillna(table["industry"].map(named)).astype(object).fillna("")
    table["official_classes"] = table["official_classes"].fillna(0).astype(int)
    table["partial"] = table["partial"].fillna(False).astype(bool)
    table["categories"] = table["categories"].fillna("")
    table["agreement"] = [AGREEMENT[(i, o)] for i, o in zip(table["identified"], table["official"])]
    table = table[
        [
            "industry",
            "industry_name",
            "identified",
            "official",
            "official_classes",
            "partial",
            "categories",
            "agreement",
        ]
    ].sort_values(["agreement", "industry"], ignore_index=True)
    identified = set(table.loc[table["identified"], "industry"])
    cats = off.groupby(["category_code", "category_name_zh"])["industry"].agg(lambda x: sorted(set(x)))
    by_category = pd.DataFrame({"official": cats.map(len), "identified": cats.map(lambda x: len(identified & set(x)))})
    by_category = by_category.reset_index().sort_values("category_code", ignore_index=True)
    by_category["identified_pct"] = 100.0 * by_category["identified"] / by_category["official"]
    return Comparison(level, table, by_category)
