"""Value added of patent-intensive industries (专利密集型产业增加值): totals, growth, structure, share of GDP.

Conventions of the joint NBS–CNIPA announcement
----------------------------------------------
* value added is compiled by the income approach, in current prices (现价), 亿元; growth is nominal
  (未扣除价格因素);
* structure (构成) is each category's share of the total; share of GDP (占GDP比重) is the total over
  nominal GDP; its change on the previous year is in percentage points (百分点) and is the difference of
  the two *printed* shares (what a reader subtracts), compared with the previous year **on the same
  basis** (口径);
* printed rounding: levels as given, growth and structure 1 decimal, share of GDP and its change 2 decimals
  (the 2018 and 2019 announcements printed the share of GDP with one decimal: ``share_of_gdp_decimals``).

Published figures first
-----------------------
A year's view reproduces the announcement: where the series holds a published figure (growth, structure,
share of GDP, its change in points or the notice's words for it, the gap to GDP growth, a two-year average),
that figure is used as printed; only a figure the announcement did not publish is computed from the levels
(and GDP), and in a series that records statuses it is then flagged ``derived`` (推算). The 2020 levels of
three categories were back-calculated from an image (``derived``): their published growth (10.1 %, 5.9 %) is
used, not the 10.2 % and 5.8 % those levels give. The order of the categories is the announcement's
(``category_order``), not the codes'.

Series layout (``data_schemas/pii_value_added.schema.yaml``): one row per year, category and vintage —
``year``, ``category_code`` (``"00"`` = total), ``category_name_zh``, ``value_added_100m_yuan``, optional
``vintage`` (data year of the announcement that published the row; a later announcement may revise an
earlier year) and ``basis`` (e.g. 第五次全国经济普查), and the optional printed figures and wording facts
listed in :data:`PRINTED_COLUMNS`. A year is compared with the previous year of the
same basis, taken from the announcement of the year itself when it revised it (the 2023 release revised
2022 to the 5th census basis: the share change is against the revised 12.60 %, and growth is not
computed because no revised levels were published).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ipstats import reference
from ipstats.indicators.formulas import cagr_pct, change_pp, growth_pct, share_pct

__all__ = [
    "PRINTED_COLUMNS",
    "PRINTED_DIGITS",
    "TOTAL_CODE",
    "UNCHANGED",
    "YearView",
    "cagr_table",
    "compile_year",
    "composition_pct",
    "contribution_pp",
    "contribution_share_pct",
    "gdp_series",
    "history",
    "latest_year",
    "printed_change_pp",
    "read_gdp",
    "read_value_added",
    "release",
    "series",
    "share_of_gdp_pct",
    "to_categories",
    "two_year_average_growth_pct",
]

#: Code of the total row (专利密集型产业合计).
TOTAL_CODE = "00"
#: Decimals printed in the announcement, by quantity.
PRINTED_DIGITS = {"growth_pct": 1, "share_pct": 1, "share_of_gdp_pct": 2, "change_pp": 2, "gap_pp": 1}
VALUE = "value_added_100m_yuan"
_REQUIRED = ("year", "category_code", VALUE)
#: Optional numeric columns with what the announcement printed besides the level (schema pii_value_added).
PRINTED_COLUMNS = (
    "category_order",
    "value_decimals_text",
    "value_decimals_table",
    "share_of_gdp_decimals",
    "share_of_gdp_change_pp",
    "gdp_growth_gap_pp",
    "two_year_growth_pct",
)
#: Words the announcement uses for an unchanged share (the printed shares are equal).
UNCHANGED = "与上年持平"


# --- formulas (scalars or Series; the rates are :mod:`ipstats.indicators.formulas`) ----------------------


def composition_pct(value, total):
    """Structure (构成, %): a category's value added over the total."""
    return share_pct(value, total)


def share_of_gdp_pct(value, gdp):
    """Share of GDP (占国内生产总值比重, %)."""
    return share_pct(value, gdp)


def printed_change_pp(share, share_previous, digits: int, previous_digits: int | None = None) -> float:
    """Change between two *printed* figures in percentage points (比上年提高/降低 … 个百分点, 高于 … 个百分点).

    Each figure is rounded to the decimals it is printed with (*share_previous* to *previous_digits*, by default
    *digits*) and the change of the rounded figures is rounded to the larger of the two: it equals what a reader
    subtracts. NaN when either is missing.

    Examples
    --------
    >>> printed_change_pp(12.714, 12.441, 2)    # printed 12.71 − 12.44
    0.27
    """
    previous_digits = digits if previous_digits is None else previous_digits
    if pd.isna(share) or pd.isna(share_previous):
        return math.nan
    return round(change_pp(round(share, digits), round(share_previous, previous_digits)), max(digits, previous_digits))


def contribution_pp(change, total_previous):
    """Contribution to the growth of the total (拉动, percentage points): Δcategory over last year's total."""
    return share_pct(change, total_previous)


def contribution_share_pct(change, total_change):
    """Contribution share (贡献率, %): Δcategory over Δtotal."""
    return share_pct(change, total_change)


def two_year_average_growth_pct(current, two_years_before):
    """Two-year average growth (两年平均增长, %), quoted when the previous year's base was unusual."""
    return cagr_pct(two_years_before, current, 2)


# --- inputs ---------------------------------------------------------------------------------------


def _read_table(path: str | Path, what: str, schema: str) -> pd.DataFrame:
    """An input table as the validator reads it (:func:`ipstats.validate.read_cells`: CSV in any of its encodings,
    Excel, Parquet, Chinese headers), cells as text, for this module's checks; :func:`_checked` then applies
    the whole schema."""
    from ipstats.validate import ReadError, read_cells

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: {what} file not found")
    try:
        return read_cells(path, schema)[0]
    except ReadError as exc:
        raise ValueError(f"{path}: {exc}") from None


def _checked(table: pd.DataFrame, path: str | Path, schema: str) -> pd.DataFrame:
    """*table* once *path* passes everything ``ipstats validate --schema`` checks (else
    :class:`ipstats.validate.InputError`, a ValueError, with the validator's line): what is read is what validates."""
    from ipstats.validate import read_input

    read_input(path, schema)
    return table


def _numbers(table: pd.DataFrame, columns, path: str) -> pd.DataFrame:
    for col in columns:
        if col not in table.columns:
            continue
        raw = table[col].astype(str).str.replace(",", "").str.strip().replace("", None)
        numbers = pd.to_numeric(raw, errors="coerce")
        bad = numbers.isna() & raw.notna()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{path}: row {row + 2}, field {col}: {table[col].iloc[row]!r} is not a number")
        table[col] = numbers.astype(float)
    return table


def series(table: pd.DataFrame, source: str = "value-added table") -> pd.DataFrame:
    """Check and normalise a value-added series (types, codes as 2-character text, vintage and basis filled).

    Raises
    ------
    ValueError
        A required column is missing, a number does not parse, or a (year, category, vintage) repeats.
    """
    missing = [c for c in _REQUIRED if c not in table.columns]
    if missing:
        raise ValueError(
            f"{source}: missing column(s) {', '.join(missing)}; expected {', '.join(_REQUIRED)} "
            f"(data_schemas/pii_value_added.schema.yaml)"
        )
    out = table.copy()
    out["year"] = pd.to_numeric(out["year"], errors="raise").astype(int)
    out["category_code"] = out["category_code"].astype(str).str.strip().str.zfill(2)
    if "vintage" not in out.columns:
        out["vintage"] = out["year"]
    blank = out["vintage"].isna() | out["vintage"].astype(str).str.strip().eq("")
    out["vintage"] = pd.to_numeric(out["vintage"].where(~blank, out["year"])).astype(int)  # blank: own year
    if "basis" not in out.columns:
        out["basis"] = ""
    if "category_name_zh" not in out.columns:
        out["category_name_zh"] = out["category_code"]
    out = _numbers(out, (VALUE, "growth_pct", "share_pct", "share_of_gdp_pct", *PRINTED_COLUMNS), source)
    for col in ("value_status", "growth_status", "share_of_gdp_change_wording"):
        out[col] = out[col].fillna("").astype(str).str.strip() if col in out.columns else ""
    dup = out.duplicated(["year", "category_code", "vintage"])
    if dup.any():
        r = out[dup].iloc[0]
        raise ValueError(
            f"{source}: year {r['year']}, category {r['category_code']}, vintage {r['vintage']} appears twice"
        )
    return out


def read_value_added(path: str | Path = "", by_industry: str | Path = "", mapping: str | Path = "") -> pd.DataFrame:
    """Value added by PII category.

    Parameters
    ----------
    path : path or ""
        A CSV by category (``data_schemas/pii_value_added.schema.yaml``); ``""`` = the shipped published series.
    by_industry, mapping : path or ""
        Instead: value added by GB/T 4754 小类 (``pii_value_added_by_industry.schema.yaml``) and the 小类→大类
        table (``pii_industry_mapping.schema.yaml``), summed with :func:`to_categories`.
    """
    if str(by_industry) != "":
        if str(mapping) == "":
            raise ValueError(
                f"{by_industry}: value added by industry needs the 小类→大类 mapping table "
                "(parameter pii_industry_mapping, data_schemas/pii_industry_mapping.schema.yaml)"
            )
        data = _numbers(
            _read_table(by_industry, "value-added by industry", "pii_value_added_by_industry"),
            (VALUE,),
            str(by_industry),
        )
        missing = [c for c in ("year", "industry_code", VALUE) if c not in data.columns]
        if missing:
            raise ValueError(
                f"{by_industry}: missing column(s) {', '.join(missing)} "
                "(data_schemas/pii_value_added_by_industry.schema.yaml)"
            )
        data["year"] = pd.to_numeric(data["year"]).astype(int)
        table = _read_table(mapping, "industry mapping", "pii_industry_mapping")
        missing = [c for c in ("industry_code", "category_code", "category_name_zh") if c not in table.columns]
        if missing:
            raise ValueError(
                f"{mapping}: missing column(s) {', '.join(missing)} (data_schemas/pii_industry_mapping.schema.yaml)"
            )
        if "weight" in table.columns:
            table["weight"] = table["weight"].replace("", "1")
        values = series(to_categories(data, _numbers(table, ("weight",), str(mapping))), str(by_industry))
        return _checked(_checked(values, by_industry, "pii_value_added_by_industry"), mapping, "pii_industry_mapping")
    if str(path) == "":
        return series(reference.pii_value_added(), "ipstats reference pii_value_added")
    return _checked(series(_read_table(path, "value-added", "pii_value_added"), str(path)), path, "pii_value_added")


def gdp_series(table: pd.DataFrame, source: str = "GDP table") -> pd.DataFrame:
    """Check and normalise a GDP table: ``year``, ``gdp_100m_yuan`` and ``status`` (kept for the outputs)."""
    missing = [c for c in ("year", "gdp_100m_yuan") if c not in table.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {', '.join(missing)} (data_schemas/gdp.schema.yaml)")
    out = _numbers(table.copy(), ("gdp_100m_yuan",), source)
    out["year"] = pd.to_numeric(out["year"]).astype(int)
    if "status" not in out.columns:
        out["status"] = ""
    return out


def read_gdp(path: str | Path = "") -> pd.DataFrame:
    """Nominal GDP: the shipped table (``path=""``, flagged ``unverified``) or a user CSV."""
    if str(path) == "":
        return gdp_series(reference.gdp_nominal(), "ipstats reference gdp_nominal")
    return _checked(gdp_series(_read_table(path, "GDP", "gdp"), str(path)), path, "gdp")


def to_categories(by_industry: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """Sum value added by industry (GB/T 4754 小类) into PII categories (大类) through a mapping table.

    Parameters
    ----------
    by_industry : pandas.DataFrame
        ``year``, ``industry_code``, ``value_added_100m_yuan`` (optionally ``vintage``, ``basis``).
    mapping : pandas.DataFrame
        ``industry_code``, ``category_code``, ``category_name_zh``, optional ``weight`` (the part of the
        industry that belongs to the category, 1 by default; data_schemas/pii_industry_mapping.schema.yaml).

    Returns
    -------
    pandas.DataFrame
        A category series (with the total row ``"00"``) ready for :func:`series`.

    Raises
    ------
    ValueError
        Industries with value added that the mapping does not list, or weights of one industry above 1.
    """
    mapping = mapping.copy()
    mapping["industry_code"] = mapping["industry_code"].astype(str).str.strip()
    mapping["weight"] = pd.to_numeric(mapping["weight"]) if "weight" in mapping.columns else 1.0
    over = mapping.groupby("industry_code")["weight"].sum()
    if (over > 1 + 1e-9).any():
        raise ValueError(f"mapping: weights of industry {over[over > 1 + 1e-9].index[0]} add up to more than 1")
    data = by_industry.copy()
    data["industry_code"] = data["industry_code"].astype(str).str.strip()
    for col, default in (("vintage", data["year"]), ("basis", "")):
        if col not in data.columns:
            data[col] = default
    unknown = sorted(set(data["industry_code"]) - set(mapping["industry_code"]))
    if unknown:
        raise ValueError(
            f"value added by industry: industry code(s) {', '.join(unknown[:5])} not in the mapping "
            "(list every industry; industries outside the PII classification are not summed)"
        )
    merged = data.merge(mapping, on="industry_code")
    merged["part"] = merged[VALUE].astype(float) * merged["weight"]
    keys = ["year", "vintage", "basis"]
    cats = merged.groupby([*keys, "category_code", "category_name_zh"], as_index=False)["part"].sum()
    total = (
        cats.groupby(keys, as_index=False)["part"]
        .sum()
        .assign(category_code=TOTAL_CODE, category_name_zh="专利密集型产业(合计)")
    )
    out = pd.concat([total, cats], ignore_index=True).rename(columns={"part": VALUE})
    return out.sort_values(["year", "vintage", "category_code"], ignore_index=True)


# --- one year's release ---------------------------------------------------------------------------


def release(values: pd.DataFrame, year: int, vintage: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of *year* as published and the previous year's rows comparable with them.

    The release is *vintage*, by default the latest vintage holding levels of *year* (a later revision
    that published only a share of GDP does not replace the levels). The previous year is taken from that same vintage
    when it revised it, else from the latest earlier vintage **of the same basis**; rows of another
    basis are not comparable and are left out (growth is then not computed).

    Returns
    -------
    current, previous : pandas.DataFrame
        Indexed by ``category_code``; *previous* may be empty or lack levels.
    """
    rows = values[values["year"] == year]
    if rows.empty:
        raise ValueError(
            f"value-added series has no figures for {year} (years: "
            f"{', '.join(map(str, sorted(values['year'].unique())))})"
        )
    if vintage is None:
        with_level = rows[rows[VALUE].notna()]
        vintage = (with_level if not with_level.empty else rows)["vintage"].max()
    elif not (rows["vintage"] == vintage).any():
        raise ValueError(f"value-added series has no {year} figures of vintage {vintage}")
    current = rows[rows["vintage"] == vintage]
    basis = current["basis"].iloc[0]
    before = values[(values["year"] == year - 1) & (values["vintage"] <= vintage) & (values["basis"] == basis)]
    if not before.empty:
        before = before[before["vintage"] == before["vintage"].max()]
    return current.set_index("category_code"), before.set_index("category_code")


def _gdp(gdp: pd.DataFrame, year: int) -> tuple[float, str]:
    row = gdp[gdp["year"] == year]
    if row.empty:
        return math.nan, ""
    return float(row["gdp_100m_yuan"].iloc[0]), str(row["status"].iloc[0])


def _value(frame: pd.DataFrame, code: str, column: str = VALUE) -> float:
    if code not in frame.index or column not in frame.columns:
        return math.nan
    value = frame.at[code, column]
    return math.nan if pd.isna(value) or str(value).strip() == "" else float(value)


def _text(frame: pd.DataFrame, code: str, column: str) -> str:
    if code not in frame.index or column not in frame.columns or pd.isna(frame.at[code, column]):
        return ""
    return str(frame.at[code, column]).strip()


def _pick(stored: float, status: str, computed: float, flagged: bool) -> tuple[float, str]:
    """The series' own figure where it holds one not flagged ``derived``, else the computed one.

    Returns the figure and its status: ``published`` (the series' figure, in a series that records statuses),
    ``derived`` (computed there: 推算) or ``""`` (a series without statuses: nothing to mark).
    """
    if not math.isnan(stored) and status != "derived":
        return stored, "published" if flagged else ""
    return computed, "derived" if flagged and not math.isnan(computed) else ""


def _decimals(frame: pd.DataFrame, code: str, column: str, default: int) -> int:
    value = _value(frame, code, column)
    return default if math.isnan(value) else int(value)


@dataclass
class YearView:
    """Everything the announcement states for one year.

    Attributes
    ----------
    year : int
    table : pandas.DataFrame
        One row per category, total first, then in the announcement's order (``category_order``, else by
        code): ``category_code``, ``category_name``, ``value_added_100m_yuan``, ``value_status``,
        ``value_decimals_text``, ``value_decimals_table``, ``previous`` (comparable previous-year level),
        ``growth_pct`` and ``growth_status``, ``share_pct`` and ``share_status``, ``change``,
        ``contribution_pp``, ``contribution_share_pct``, ``previous_growth_pct``, ``two_year_growth_pct`` (two-year
        average) and ``two_year_status``. A status is ``published`` (the series' figure), ``derived``
        (computed because none was published: 推算) or ``""`` (a series that records no statuses).
    headline : dict
        ``total``, ``growth_pct``, ``growth_status``, ``gdp``, ``gdp_status``, ``gdp_growth_pct``, ``gap_pp``,
        ``gap_status``, ``gap_published``, ``share_of_gdp_pct``, ``share_of_gdp_status``, ``share_from_gdp``
        (the share or the previous one was computed from GDP), ``share_decimals``,
        ``share_of_gdp_previous_pct``, ``previous_share_decimals``, ``change_pp``, ``change_status``,
        ``change_decimals``, ``change_wording`` (the announcement's words, or 与上年持平 when the printed shares
        are equal), ``basis``, ``vintage``, ``basis_changed`` (the previous year is on another basis and no
        comparable level was published).
    sources : list of str
        Announcements (``source`` column) the year's rows come from.
    """

    year: int
    table: pd.DataFrame
    headline: dict
    sources: list[str] = field(default_factory=list)

    def printed(self) -> pd.DataFrame:
        """The table rounded as printed (growth and structure 1 decimal)."""
        out = self.table.copy()
        for col in ("growth_pct", "share_pct", "previous_growth_pct", "two_year_growth_pct", "contribution_share_pct"):
            out[col] = out[col].round(1)
        out["contribution_pp"] = out["contribution_pp"].round(2)
        return out

    def key_numbers(self) -> str:
        """Headline numbers as stable plain text (checked by nbval)."""
        h = self.headline
        status = {"unverified": "未核实", "official": "正式公布", "": "未注明"}.get(h["gdp_status"], h["gdp_status"])
        parts = [
            f"{self.year}年：增加值 {h['total']:.{_decimals_of(h)}f} 亿元",
            f"增长 {h['growth_pct']:.1f}%" if not math.isnan(h["growth_pct"]) else "增长 不可比",
            f"占GDP {h['share_of_gdp_pct']:.{h['share_decimals']}f}%"
            if not math.isnan(h["share_of_gdp_pct"])
            else "占GDP —",
            (
                h["change_wording"]
                if h["change_wording"]
                else f"变化 {h['change_pp']:+.{h['change_decimals']}f} 个百分点"
            )
            if not math.isnan(h["change_pp"])
            else "变化 —",
            f"GDP数据{status}",
        ]
        return "，".join(parts)


def _decimals_of(headline: dict) -> int:
    return int(headline.get("value_decimals_text", 0))


def compile_year(values: pd.DataFrame, gdp: pd.DataFrame, year: int, vintage: int | None = None) -> YearView:
    """The announcement's numbers for *year*: the published ones where the series holds them, else computed.

    Parameters
    ----------
    values : pandas.DataFrame
        A series from :func:`series` / :func:`read_value_added` (with a ``"00"`` total row per year).
    gdp : pandas.DataFrame
        From :func:`read_gdp`.
    year : int
    vintage : int, optional
        Announcement whose figures of *year* are used (default: the latest with levels).

    Returns
    -------
    YearView
        Each figure with its status (published / derived); see :class:`YearView`.
    """
    current, previous = release(values, year, vintage)
    if TOTAL_CODE not in current.index:
        raise ValueError(f"value-added series: {year} has no total row (category_code {TOTAL_CODE})")
    last_year, older = release(values, year - 1) if (values["year"] == year - 1).any() else (pd.DataFrame(),) * 2
    flagged = "value_status" in current.columns and current["value_status"].astype(str).str.strip().ne("").any()
    total = _value(current, TOTAL_CODE)
    total_prev = _value(previous, TOTAL_CODE)
    order = (
        pd.to_numeric(current["category_order"], errors="coerce")
        if "category_order" in current.columns
        else pd.Series(math.nan, index=current.index)
    )
    codes = [TOTAL_CODE] + sorted(
        (c for c in current.index if c != TOTAL_CODE),
        key=lambda c: (math.isnan(order.get(c, math.nan)), order.get(c, 0.0), c),
    )
    rows = []
    for code in codes:
        value, prev = _value(current, code), _value(previous, code)
        prev_growth = _value(last_year, code, "growth_pct")
        if math.isnan(prev_growth):
            prev_growth = growth_pct(_value(last_year, code), _value(older, code))
        two_before = _value(older, code) if not math.isnan(prev) else math.nan
        growth, growth_status = _pick(
            _value(current, code, "growth_pct"), _text(current, code, "growth_status"), growth_pct(value, prev), flagged
        )
        share, share_status = _pick(_value(current, code, "share_pct"), "", composition_pct(value, total), flagged)
        if code == TOTAL_CODE:
            share_status = ""  # 100.0 by definition: never a figure to mark
        two_year, two_year_status = _pick(
            _value(current, code, "two_year_growth_pct"), "", two_year_average_growth_pct(value, two_before), flagged
        )
        table_decimals = (
            _decimals(current, code, "value_decimals_table", 1 if round(value, 1) % 1 else 0)
            if not math.isnan(value)
            else 0
        )
        rows.append(
            {
                "category_code": code,
                "category_name": str(current.at[code, "category_name_zh"]),
                VALUE: value,
                "value_status": _text(current, code, "value_status"),
                "value_decimals_text": _decimals(current, code, "value_decimals_text", table_decimals),
                "value_decimals_table": table_decimals,
                "previous": prev,
                "growth_pct": growth,
                "growth_status": growth_status,
                "share_pct": share,
                "share_status": share_status,
                "change": value - prev,
                "contribution_pp": contribution_pp(value - prev, total_prev),
                "contribution_share_pct": contribution_share_pct(value - prev, total - total_prev),
                "previous_growth_pct": prev_growth,
                "two_year_growth_pct": two_year,
                "two_year_status": two_year_status,
            }
        )
    table = pd.DataFrame(rows)
    head = table.iloc[0]
    gdp_now, status = _gdp(gdp, year)
    gdp_prev, _ = _gdp(gdp, year - 1)
    digits = _decimals(current, TOTAL_CODE, "share_of_gdp_decimals", PRINTED_DIGITS["share_of_gdp_pct"])
    stored_share = _value(current, TOTAL_CODE, "share_of_gdp_pct")
    share, share_status = _pick(stored_share, "", share_of_gdp_pct(total, gdp_now), flagged)
    share_prev = _value(previous, TOTAL_CODE, "share_of_gdp_pct")
    prev_digits = _decimals(previous, TOTAL_CODE, "share_of_gdp_decimals", PRINTED_DIGITS["share_of_gdp_pct"])
    prev_from_gdp = math.isnan(share_prev)
    if prev_from_gdp:
        share_prev, prev_digits = share_of_gdp_pct(total_prev, gdp_prev), PRINTED_DIGITS["share_of_gdp_pct"]
    change_digits = max(digits, prev_digits)
    computed_change = printed_change_pp(share, share_prev, digits, prev_digits)
    wording = _text(current, TOTAL_CODE, "share_of_gdp_change_wording")
    stored_change = _value(current, TOTAL_CODE, "share_of_gdp_change_pp")
    if wording and math.isnan(stored_change):
        stored_change = 0.0 if wording == UNCHANGED else math.nan
    change, change_status = _pick(stored_change, "", computed_change, flagged)
    if not wording and not math.isnan(change) and round(change, change_digits) == 0:
        wording = UNCHANGED
    gdp_growth = growth_pct(gdp_now, gdp_prev) if not math.isnan(gdp_prev) else math.nan
    stored_gap = _value(current, TOTAL_CODE, "gdp_growth_gap_pp")
    gap, gap_status = _pick(
        stored_gap, "", printed_change_pp(head["growth_pct"], gdp_growth, PRINTED_DIGITS["gap_pp"]), flagged
    )
    headline = {
        "total": total,
        "growth_pct": head["growth_pct"],
        "growth_status": head["growth_status"],
        "value_decimals_text": int(head["value_decimals_text"]),
        "gdp": gdp_now,
        "gdp_status": status,
        "gdp_growth_pct": gdp_growth,
        "gap_pp": gap,
        "gap_status": gap_status,
        "gap_published": not math.isnan(stored_gap),
        "share_of_gdp_pct": share,
        "share_of_gdp_status": share_status,
        "share_from_gdp": math.isnan(stored_share) or (prev_from_gdp and math.isnan(stored_change)),
        "share_decimals": digits,
        "share_of_gdp_previous_pct": share_prev,
        "previous_share_decimals": prev_digits,
        "change_pp": change,
        "change_status": change_status,
        "change_decimals": change_digits,
        "change_wording": wording,
        "basis": str(current.at[TOTAL_CODE, "basis"]),
        "vintage": int(current.at[TOTAL_CODE, "vintage"]),
        "basis_changed": math.isnan(total_prev)
        and bool(((values["year"] == year - 1) & (values["basis"] != current.at[TOTAL_CODE, "basis"])).any()),
    }
    sources = sorted(set(current["source"])) if "source" in current.columns else []
    return YearView(year, table, headline, sources)


def cagr_table(values: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Average annual growth of every category from *first* to *last* (年均增长, %), same basis only.

    Returns
    -------
    pandas.DataFrame
        ``category_code``, ``category_name``, ``first``, ``last`` (levels), ``cagr_pct`` (NaN where the two
        years are on different bases).
    """
    start, _ = release(values, first)
    end, _ = release(values, last)
    same = set(start["basis"]) == set(end["basis"])
    rows = []
    for code in end.index:
        a, b = _value(start, code), _value(end, code)
        rows.append(
            {
                "category_code": code,
                "category_name": str(end.at[code, "category_name_zh"]),
                "first": a,
                "last": b,
                "cagr_pct": cagr_pct(a, b, last - first) if same else math.nan,
            }
        )
    return pd.DataFrame(rows).sort_values("category_code", ignore_index=True)


def history(values: pd.DataFrame, gdp: pd.DataFrame) -> pd.DataFrame:
    """The headline of every year in the series: ``year``, ``value_added_100m_yuan``, ``growth_pct``,
    ``share_of_gdp_pct``, ``change_pp``, ``basis``, ``gdp_status`` (levels from each year's latest release)."""
    rows = []
    for y in sorted(values.loc[values[VALUE].notna(), "year"].unique()):
        h = compile_year(values, gdp, int(y)).headline
        rows.append(
            {
                "year": int(y),
                VALUE: h["total"],
                "growth_pct": h["growth_pct"],
                "share_of_gdp_pct": h["share_of_gdp_pct"],
                "change_pp": h["change_pp"],
                "basis": h["basis"],
                "gdp_status": h["gdp_status"],
            }
        )
    return pd.DataFrame(rows)


def latest_year(values: pd.DataFrame, year: int) -> int:
    """*year* when the series has levels for it, else the latest earlier year that has them."""
    years = values.loc[values[VALUE].notna() & (values["year"] <= year), "year"]
    if years.empty:
        raise ValueError(f"value-added series has no levels for {year} or earlier")
    return int(years.max())
