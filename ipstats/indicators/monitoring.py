"""Monitoring of the patents of one classification system (专利统计监测).

CNIPA monitors strategic emerging industries (战略性新兴产业), the digital economy (数字经济核心产业 and key
digital technologies), green low-carbon technologies (绿色低碳技术) and WIPO's technology fields through
concordance tables. For one system and a span of years this module gives:

* applications (申请量), grants (授权量) and year-end valid stock (年末有效量) per category at each level of
  the system's hierarchy, whole and fractional, with growth on the previous year, CAGR and the share of
  the national (or provincial) total of the same patent types and measure;
* provinces: patents of the system, share, rank and change in rank, relative technological advantage;
* applicant types (企业/高校/科研单位/机关团体/个人): structure and growth, the enterprise share;
* top applicants (natural persons are never named) and concentration (top-4/top-10 shares, HHI);
* the monthly filing series with an STL seasonal adjustment and the latest month's year-on-year change.

Counting conventions
--------------------
A patent in several categories counts once in each (whole counting) or is split equally between them
(fractional counting), so category whole counts add up to more than the system's patents while
fractional counts add up to exactly the system's patents. System totals (``patents`` columns) count each
patent once. Shares of the national total compare whole counts with all patents of the same types and
measure. Candidate matches (部分涉及, green table) are included in the counts and shown apart.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ipstats.concordance import coverage, load_system
from ipstats.concordance.api import links_from_register
from ipstats.concordance.engine import classify_table
from ipstats.concordance.system import System
from ipstats.counting import CountSpec
from ipstats.counting.cube import count_classified, count_contributors, rollup
from ipstats.indicators.narrative import format_change, format_count
from ipstats.indicators.overview import growth_pct, protect_provinces, region_name
from ipstats.reference import provinces
from ipstats.sdc import Rules
from ipstats.register.io import connect, open_register

__all__ = ["MEASURES", "Monitoring", "cagr_pct", "share_pct", "rank_desc", "rank_change", "rta", "hhi",
           "top_share_pct", "seasonal_adjust", "yoy_pct", "category_table", "province_table",
           "applicant_type_table", "concentration_table", "top_applicants", "compute_monitoring",
           "monitoring_paragraph"]

MEASURES = ("applications", "grants", "valid_stock")
#: Applicant type that is a natural person: never named in a published ranking (personal information).
PERSON = "个人"
ENTERPRISE = "企业"
#: Below this many patents a province's RTA is marked unstable.
RTA_MIN_PATENTS = 20


# ---------------------------------------------------------------------------------------------------------
# Formulas
# ---------------------------------------------------------------------------------------------------------
def cagr_pct(first: pd.Series | float, last: pd.Series | float, periods: int) -> pd.Series | float:
    """Compound annual growth rate in % (年均增长率): ``((last / first) ** (1 / periods) - 1) * 100``.

    Undefined (NaN) when *first* is zero or missing, or *periods* < 1.

    Examples
    --------
    >>> round(cagr_pct(100.0, 121.0, 2), 6)
    10.0
    """
    if periods < 1:
        raise ValueError(f"CAGR needs at least one period, got {periods}")
    if isinstance(first, pd.Series) or isinstance(last, pd.Series):
        ratio = pd.Series(last, dtype="float64") / pd.Series(first, dtype="float64").where(lambda s: s > 0)
        return 100.0 * (ratio ** (1.0 / periods) - 1.0)
    if first is None or last is None or not first or first <= 0 or pd.isna(first) or pd.isna(last):
        return float("nan")
    return 100.0 * ((float(last) / float(first)) ** (1.0 / periods) - 1.0)


def share_pct(part: pd.Series | float, whole: pd.Series | float) -> pd.Series | float:
    """``100 * part / whole``; NaN where *whole* is zero or missing."""
    if isinstance(part, pd.Series) or isinstance(whole, pd.Series):
        whole_s = whole.where(whole != 0) if isinstance(whole, pd.Series) else (whole if whole else float("nan"))
        return 100.0 * part.astype("float64") / whole_s if isinstance(part, pd.Series) else 100.0 * part / whole_s
    return 100.0 * part / whole if whole else float("nan")


def rank_desc(values: pd.Series) -> pd.Series:
    """Rank 1 for the largest value; ties share the better rank (1, 2, 2, 4); missing values stay missing."""
    return values.rank(ascending=False, method="min").astype("Int64")


def rank_change(rank_now: pd.Series, rank_before: pd.Series) -> pd.Series:
    """Places gained since the previous period (位次变化): positive = moved up, negative = moved down."""
    return (rank_before.astype("Int64") - rank_now.astype("Int64")).astype("Int64")


def rta(cell: pd.Series | float, region_total: pd.Series | float, category_total: pd.Series | float,
        grand_total: float) -> pd.Series | float:
    """Relative technological advantage (显示性技术优势指数, Balassa index).

    ``(cell / category_total) / (region_total / grand_total)``: the region's share of the category over
    its share of all patents. 1 is the national average; above 1 a specialisation. Unstable for small
    counts (one patent more or less changes it a lot).

    Examples
    --------
    >>> rta(30, 100, 60, 1000)   # 50 % of the category against 10 % of all patents
    5.0
    """
    if isinstance(cell, pd.Series):
        denominator = (pd.Series(region_total, index=cell.index, dtype="float64") / grand_total) * category_total
        return cell.astype("float64") / denominator.where(denominator != 0)
    if not category_total or not region_total or not grand_total:
        return float("nan")
    return (cell / category_total) / (region_total / grand_total)


def hhi(counts: pd.Series | np.ndarray) -> float:
    """Herfindahl–Hirschman index on the 0–10,000 scale (shares in %, squared and summed).

    10,000 is a single applicant; below 1,500 is usually read as unconcentrated. NaN for an empty or
    all-zero series.

    Examples
    --------
    >>> hhi(pd.Series([50, 30, 20]))
    3800.0
    """
    values = np.asarray(counts, dtype="float64")
    total = values.sum()
    if values.size == 0 or total <= 0:
        return float("nan")
    return float(((100.0 * values / total) ** 2).sum())


def top_share_pct(counts: pd.Series | np.ndarray, n: int) -> float:
    """Share (%) of the *n* largest contributors in the total (CR-n concentration ratio)."""
    values = np.sort(np.asarray(counts, dtype="float64"))[::-1]
    total = values.sum()
    if total <= 0:
        return float("nan")
    return float(100.0 * values[:n].sum() / total)


def seasonal_adjust(series: pd.Series, period: int = 12) -> pd.DataFrame:
    """STL decomposition (statsmodels, robust) of a monthly or quarterly series.

    Parameters
    ----------
    series : pandas.Series
        Values indexed by period start dates, without gaps; at least two full seasonal cycles.
    period : int
        12 for monthly, 4 for quarterly data.

    Returns
    -------
    pandas.DataFrame
        ``period`` (the index as a column), ``observed``, ``trend``, ``seasonal``, ``remainder`` and
        ``adjusted`` (observed minus seasonal, 季节调整后).

    Raises
    ------
    ValueError
        If the series is shorter than two cycles.
    """
    from statsmodels.tsa.seasonal import STL

    if len(series) < 2 * period:
        raise ValueError(f"seasonal adjustment needs at least {2 * period} periods (two cycles), got {len(series)}")
    values = series.astype("float64")
    result = STL(values.to_numpy(), period=period, robust=True).fit()
    return pd.DataFrame({"period": series.index, "observed": values.to_numpy(), "trend": result.trend,
                         "seasonal": result.seasonal, "remainder": result.resid,
                         "adjusted": values.to_numpy() - result.seasonal})


def yoy_pct(series: pd.Series, lag: int = 12) -> float:
    """Year-on-year change (%) of the last value against the value *lag* periods earlier (同比)."""
    if len(series) <= lag:
        return float("nan")
    return growth_pct(float(series.iloc[-1]), float(series.iloc[-1 - lag]))


# ---------------------------------------------------------------------------------------------------------
# Tables from cubes (pure)
# ---------------------------------------------------------------------------------------------------------
def _at(cube: pd.DataFrame, year: int, keys: list[str], column: str) -> pd.Series:
    return cube[cube["year"] == year].set_index(keys)[column]


def category_table(cubes: dict[str, pd.DataFrame], totals: dict[str, pd.DataFrame], year: int, span: int,
                   names: pd.Series) -> pd.DataFrame:
    """One row per category: each measure whole and fractional, growth, CAGR and share of the total.

    Parameters
    ----------
    cubes : dict of str to DataFrame
        Per measure, the category cube (``year``, ``category``, ``count``, ``fractional``,
        ``count_candidate``) covering *year* - *span* … *year*.
    totals : dict of str to DataFrame
        Per measure, all patents of the same types (``year``, ``count``).
    year, span : int
        Reference year and the CAGR span in years (CAGR from *year* - *span* to *year*).
    names : pandas.Series
        Category names by code.

    Returns
    -------
    pandas.DataFrame
        ``category``, ``category_name``, then for each measure ``{m}``, ``{m}_fractional``,
        ``{m}_growth_pct`` (fractional, on the previous year), ``{m}_share_pct`` (whole count in % of all
        patents of the measure); ``applications_cagr_pct``; ``{m}_candidate`` where candidates exist.
        Sorted by fractional applications, largest first.
    """
    keys = ["category"]
    index = sorted(set().union(*[set(c["category"]) for c in cubes.values()]))
    table = pd.DataFrame(index=pd.Index(index, name="category"))
    for measure, cube in cubes.items():
        total_now = _at(totals[measure], year, ["year"], "count").sum()
        whole = _at(cube, year, keys, "count").reindex(table.index).fillna(0).astype("int64")
        frac = _at(cube, year, keys, "fractional").reindex(table.index).fillna(0.0)
        before = _at(cube, year - 1, keys, "fractional").reindex(table.index)
        table[measure] = whole
        table[f"{measure}_fractional"] = frac
        table[f"{measure}_growth_pct"] = growth_pct(frac, before)
        table[f"{measure}_share_pct"] = share_pct(whole, float(total_now))
        if measure == "applications":
            first = _at(cube, year - span, keys, "fractional").reindex(table.index)
            table["applications_cagr_pct"] = cagr_pct(first, frac, span)
        if "count_candidate" in cube and cube["count_candidate"].fillna(0).sum() > 0:
            table[f"{measure}_candidate"] = (_at(cube, year, keys, "count_candidate").reindex(table.index)
                                             .fillna(0).astype("int64"))
    table.insert(0, "category_name", names.reindex(table.index).to_numpy())
    # order by fractional applications rounded to 1e-9, so that engines summing in another order agree
    order = table.assign(_key=table["applications_fractional"].round(9)).reset_index()
    order = order.sort_values(["_key", "category"], ascending=[False, True], ignore_index=True)
    return order.drop(columns="_key")


def totals_table(system_patents: dict[str, pd.DataFrame], totals: dict[str, pd.DataFrame], years: list[int]
                 ) -> pd.DataFrame:
    """Patents of the system (each once) and all patents per measure and year, with share and growth.

    Returns
    -------
    pandas.DataFrame
        ``measure``, ``year``, ``patents`` (the system's), ``all_patents``, ``share_of_all_pct``, ``growth_pct``.
    """
    rows = []
    for measure in system_patents:
        mine = system_patents[measure].set_index("year")["count"].reindex(years).fillna(0).astype("int64")
        every = totals[measure].set_index("year")["count"].reindex(years).fillna(0).astype("int64")
        part = pd.DataFrame({"measure": measure, "year": years, "patents": mine.to_numpy(),
                             "all_patents": every.to_numpy()})
        part["share_of_all_pct"] = share_pct(part["patents"], part["all_patents"])
        part["growth_pct"] = growth_pct(part["patents"].astype("float64"),
                                        part["patents"].shift(1).astype("float64"))
        rows.append(part)
    return pd.concat(rows, ignore_index=True)


def province_table(system_by_province: pd.DataFrame, all_by_province: pd.DataFrame, year: int) -> pd.DataFrame:
    """Provinces: the system's patents, share, rank and change in rank, RTA of the system as a whole.

    Parameters
    ----------
    system_by_province, all_by_province : pandas.DataFrame
        ``year``, ``province_code``, ``count`` for *year* - 1 and *year*: the system's patents and all
        patents of the same types and measure.
    year : int

    Returns
    -------
    pandas.DataFrame
        ``province_code``, ``province``, ``patents``, ``share_pct``, ``growth_pct``, ``rank``,
        ``rank_change``, ``rta``, ``rta_note`` (``"小样本"`` below :data:`RTA_MIN_PATENTS`).
    """
    names = provinces().assign(province_code=lambda d: d["province_code"].astype(str)).set_index("province_code")
    codes = pd.Index(names.index, name="province_code")
    now = _at(system_by_province, year, ["province_code"], "count").reindex(codes).fillna(0)
    before = _at(system_by_province, year - 1, ["province_code"], "count").reindex(codes).fillna(0)
    every = _at(all_by_province, year, ["province_code"], "count").reindex(codes).fillna(0)
    table = pd.DataFrame({"province": names["name_zh"].reindex(codes).to_numpy(),
                          "patents": now.astype("int64").to_numpy()}, index=codes)
    table["share_pct"] = share_pct(table["patents"], float(table["patents"].sum()))
    table["growth_pct"] = growth_pct(now.astype("float64"), before.astype("float64").where(before > 0))
    table["rank"] = rank_desc(now)
    table["rank_change"] = rank_change(table["rank"], rank_desc(before))
    table["rta"] = rta(now, every, float(now.sum()), float(every.sum()))
    table["rta_note"] = np.where(now < RTA_MIN_PATENTS, "小样本", "")
    return table.reset_index().sort_values(["rank", "province_code"], ignore_index=True)


def province_category_rta(cube: pd.DataFrame, all_by_province: pd.DataFrame, year: int,
                          names: pd.Series) -> pd.DataFrame:
    """RTA of each province in each top-level category (fractional counts), long format.

    Returns
    -------
    pandas.DataFrame
        ``province_code``, ``category``, ``category_name``, ``fractional``, ``rta``, ``rta_note``.
    """
    now = cube[cube["year"] == year]
    every = _at(all_by_province, year, ["province_code"], "count")
    by_cat = now.groupby("category")["fractional"].sum()
    out = now[["province_code", "category", "fractional"]].copy()
    out["rta"] = rta(out["fractional"].reset_index(drop=True),
                     every.reindex(out["province_code"]).fillna(0).to_numpy(),
                     by_cat.reindex(out["category"]).to_numpy(), float(every.sum())).to_numpy()
    out["rta_note"] = np.where(out["fractional"] < RTA_MIN_PATENTS, "小样本", "")
    out.insert(2, "category_name", names.reindex(out["category"]).to_numpy())
    return out.sort_values(["category", "province_code"], ignore_index=True)


def applicant_type_table(by_type: pd.DataFrame, year: int) -> pd.DataFrame:
    """Patents of the system by applicant type: count, structure (%) and growth.

    Parameters
    ----------
    by_type : pandas.DataFrame
        ``year``, ``applicant_type``, ``count`` for *year* - 1 and *year*.
    """
    now = _at(by_type, year, ["applicant_type"], "count")
    before = _at(by_type, year - 1, ["applicant_type"], "count").reindex(now.index)
    table = pd.DataFrame({"patents": now.astype("int64")})
    table["share_pct"] = share_pct(table["patents"], float(table["patents"].sum()))
    table["growth_pct"] = growth_pct(now.astype("float64"), before.astype("float64"))
    return table.reset_index().sort_values(["patents", "applicant_type"], ascending=[False, True], ignore_index=True)


def concentration_table(by_applicant: pd.DataFrame, names: pd.Series, total_label: str = "合计") -> pd.DataFrame:
    """Applicant concentration per category: number of applicants, CR4, CR10 and HHI (fractional counts).

    Parameters
    ----------
    by_applicant : pandas.DataFrame
        ``category``, ``applicant_name``, ``fractional`` for one year; a category ``"*"`` holds the
        system as a whole (labelled *total_label*).
    names : pandas.Series
        Category names by code.
    """
    rows = []
    for category, part in by_applicant.groupby("category", sort=True):
        values = part["fractional"].to_numpy()
        rows.append({"category": category, "applicants": int((values > 0).sum()),
                     "top4_share_pct": top_share_pct(values, 4), "top10_share_pct": top_share_pct(values, 10),
                     "hhi": hhi(values)})
    table = pd.DataFrame(rows, columns=["category", "applicants", "top4_share_pct", "top10_share_pct", "hhi"])
    table.insert(1, "category_name", table["category"].map(names).where(table["category"] != "*", total_label))
    return table


def top_applicants(by_applicant: pd.DataFrame, n: int, min_patents: int) -> pd.DataFrame:
    """The *n* applicants with most patents of the system, natural persons excluded.

    Parameters
    ----------
    by_applicant : pandas.DataFrame
        ``applicant_name``, ``applicant_type``, ``count`` for one year.
    n : int
        Length of the ranking.
    min_patents : int
        Applicants with fewer patents are not named (the frequency threshold of disclosure control).

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``applicant_name``, ``applicant_type``, ``patents``, ``share_pct`` (of the system's
        patents, all applicants).
    """
    total = float(by_applicant["count"].sum())
    named = by_applicant[(by_applicant["applicant_type"] != PERSON) & (by_applicant["count"] >= min_patents)]
    named = named.sort_values(["count", "applicant_name"], ascending=[False, True]).head(n)
    table = pd.DataFrame({"applicant_name": named["applicant_name"].to_numpy(),
                          "applicant_type": named["applicant_type"].to_numpy(),
                          "patents": named["count"].astype("int64").to_numpy()})
    table.insert(0, "rank", rank_desc(table["patents"]).to_numpy())
    table["share_pct"] = share_pct(table["patents"], total)
    return table


def protect_province_categories(rta_table: pd.DataFrame, per_applicant: pd.DataFrame, rules: dict | None
                                ) -> tuple[pd.DataFrame, dict]:
    """Disclosure control of the province × category table (fractional counts and RTA).

    Each category column is protected with its national total published (the province × category
    table publishes no province totals); empty cells take part as zeros. Suppressed cells lose their
    count and their RTA. The values are fractional counts, so the audit's width requirement is the
    relative one (``protection_pct``) only. Known limit:
    the province table publishes each province's patents of the system, which equal the province's
    fractional counts summed over categories; the audit does not link the two tables.
    """
    from ipstats.sdc import Rules, cell_contributions, protect, record

    # fractional counts: a category's national total can be below one patent, so only the relative
    # protection level (protection_pct) applies here, not the absolute min_width
    rules_ = Rules(**{**(rules or {}), "min_width": 0.0})
    cells = cell_contributions(per_applicant, ["province_code", "category"], "fractional")
    # every province × category cell, empty ones as zeros: an empty cell may partner a sensitive one
    grid = pd.MultiIndex.from_product([provinces()["province_code"].astype(str), sorted(rta_table["category"].unique())],
                                      names=["province_code", "category"])
    cells = cells.set_index(["province_code", "category"]).reindex(grid).fillna(0).reset_index()
    cells = cells.rename(columns={"province_code": "row", "category": "col", "count": "value"})
    protected, audit = protect(cells[["row", "col", "value", "contributors", "largest", "second"]], rules_,
                               row_totals=False, col_totals=True)
    hidden = protected[protected["status"] != "published"]
    published = rta_table.set_index(["province_code", "category"]).copy()
    index = pd.MultiIndex.from_arrays([hidden["row"], hidden["col"]])
    published.loc[published.index.intersection(index), ["fractional", "rta", "rta_note"]] = pd.NA
    return published.reset_index(), record(protected, audit, rules_)


def _protect_region(levels: dict[int, pd.DataFrame], per_level: dict[int, dict[str, pd.DataFrame]],
                    applicant_types: pd.DataFrame, per_type: pd.DataFrame, rules: dict | None, records: dict
                    ) -> tuple[dict[int, pd.DataFrame], pd.DataFrame]:
    """Disclosure control of a province's category and applicant-type tables (below the national level).

    Each measure of a category table is protected over the categories (applicants are the
    contributors; the column total is taken as published), its fractional count, growth, share and
    CAGR are suppressed with it. Records go into *records* (``level<n>``, ``applicant_types``).
    """
    from ipstats.sdc import cell_contributions, protect_columns

    protected = {}
    for level, table in levels.items():
        contributions = {m: cell_contributions(per_level[level][m], ["category"], "count") for m in MEASURES}
        derived = {m: [c for c in table.columns if c.startswith(f"{m}_")] for m in MEASURES}
        protected[level], records[f"level{level}"] = protect_columns(table, "category", contributions, rules, derived)
    contributions = {"patents": cell_contributions(per_type, ["applicant_type"], "count")}
    applicant_types, records["applicant_types"] = protect_columns(
        applicant_types, "applicant_type", contributions, rules, {"patents": ["share_pct", "growth_pct"]})
    return protected, applicant_types


#: Province-table columns derived from the system's patent count: suppressed with it.
PROVINCE_DERIVED = {"patents": ["share_pct", "growth_pct", "rank", "rank_change", "rta", "rta_note"]}


# ---------------------------------------------------------------------------------------------------------
# From the register
# ---------------------------------------------------------------------------------------------------------
@dataclass
class Monitoring:
    """Monitoring tables of one classification system (see the module docstring for the conventions).

    The table attributes are ready to publish (disclosure control applied where a table is below the
    national level; the records are in ``disclosure``). ``detail`` holds the same tables before
    protection, for the internal output folder only.
    """

    system_id: str
    system_name: str
    system_label: str
    year: int
    region: str
    region_name: str
    patent_types: tuple[str, ...]
    levels: dict[int, pd.DataFrame]
    totals: pd.DataFrame
    provinces: pd.DataFrame | None
    province_rta: pd.DataFrame | None
    applicant_types: pd.DataFrame
    top_applicants: pd.DataFrame
    concentration: pd.DataFrame
    monthly: pd.DataFrame
    latest_yoy_pct: float
    coverage: pd.DataFrame
    unmatched: pd.DataFrame
    predated: pd.DataFrame
    disclosure: dict = field(default_factory=dict)
    detail: dict = field(default_factory=dict)
    has_candidates: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def leaf(self) -> pd.DataFrame:
        """The most detailed category table."""
        return self.levels[max(self.levels)]

    @property
    def top(self) -> pd.DataFrame:
        """The top-level category table."""
        return self.levels[min(self.levels)]

    def level_disclosure(self, level: int | None = None) -> dict | None:
        """Disclosure-control record of a category table (None in a national run: no protection needed).

        *level* defaults to the top level; :data:`RULE_LEVEL` is the most detailed table.
        """
        return self.disclosure.get(f"level{min(self.levels) if level is None else level}")

    def total(self, measure: str, year: int | None = None) -> pd.Series:
        """The row of :attr:`totals` for *measure* and *year* (default the reference year)."""
        year = self.year if year is None else year
        return self.totals[(self.totals["measure"] == measure) & (self.totals["year"] == year)].iloc[0]

    def key_numbers(self) -> str:
        """Headline numbers as stable text (checked by nbval)."""
        lines = [f"{self.year} {self.region_name} {self.system_label}"]
        for measure in MEASURES:
            row = self.total(measure)
            lines.append(f"{measure}: {int(row['patents'])} 件 / {int(row['all_patents'])} 件 = {row['share_of_all_pct']:.2f}%")
        top = self.top.iloc[0]
        lines.append(f"最大类别 {top['category']} {top['category_name']}: 分数计数 {top['applications_fractional']:.2f}")
        lines.append(f"分数计数合计 {self.leaf['applications_fractional'].sum():.2f} = 专利件数 "
                     f"{int(self.total('applications')['patents'])}")
        return "\n".join(lines)


#: Key of the category table at the categories the rules name (the most detailed table).
RULE_LEVEL = 99


def _complete_levels(system: System) -> list[int]:
    """Hierarchy levels every classified patent can be rolled up to, plus :data:`RULE_LEVEL`.

    A level at which some rule's category has no ancestor (the rule names a shallower category, or the
    hierarchy skips that level) would drop patents, so such levels are left out; the rules' own
    categories are always shown (key :data:`RULE_LEVEL`).
    """
    named = pd.Index(system.rules["category"].unique())
    levels = sorted(int(v) for v in system.categories["level"].dropna().unique())
    complete = [lv for lv in levels[:-1] if system.ancestors(lv).reindex(named).notna().all()]
    return complete + [RULE_LEVEL]


def _system_views(con, system: System, register: str) -> tuple[str, str]:
    """Classify the register's links; views of the patents of the system (each once), with filing month."""
    texts, _ = links_from_register(con, register)
    classified = classify_table(con, system, "links", texts)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _mon_patents AS SELECT DISTINCT patent_id FROM {classified}")
    con.execute("""CREATE OR REPLACE TEMP VIEW register_system AS
        SELECT r.*, CAST(date_trunc('month', r.filing_date) AS DATE) AS filing_month
        FROM register r SEMI JOIN _mon_patents p ON p.patent_id = r.application_number""")
    return classified, "register_system"


def _spec(measure: str, years, types, region, by=()) -> CountSpec:
    return CountSpec(measure=measure, years=tuple(years), patent_types=tuple(types), region=region, by=tuple(by))


def _level_views(run, system: System, classified: str) -> dict[int, str]:
    """The classification rolled up to every complete level (:func:`_complete_levels`), by level."""
    return {lv: classified if lv == RULE_LEVEL else rollup(run, system, classified, lv, name=f"_mon_level{lv}")
            for lv in _complete_levels(system)}


def _category_cubes(run, views: dict[int, str], years: list[int], types, region
                    ) -> tuple[dict[int, dict[str, pd.DataFrame]], dict[str, pd.DataFrame]]:
    """The category cubes of every level in *views* and the all-patent totals, per measure.

    *run* is a DuckDB connection or a runner: the same SQL on every engine (:mod:`ipstats.concordance.runner`).
    """
    cubes = {lv: {m: count_classified(run, _spec(m, years, types, region), "register", view) for m in MEASURES}
             for lv, view in views.items()}
    totals = {m: count_classified(run, _spec(m, years, types, region), "register") for m in MEASURES}
    return cubes, totals


def _category_cubes_on_spark(settings, register: str, system: System, years: list[int], types, region
                             ) -> tuple[dict[int, dict[str, pd.DataFrame]], dict[str, pd.DataFrame]]:
    """:func:`_category_cubes`, classified and counted on Spark."""
    from ipstats.counting.spark import open_spark_register, spark_runner

    with spark_runner(settings) as run:
        texts = open_spark_register(run, register)
        classified = classify_table(run, system, "links", texts)
        return _category_cubes(run, _level_views(run, system, classified), years, types, region)


def _monthly(con, types, region, year: int, span: int) -> pd.DataFrame:
    years = range(year - span, year + 1)
    cube = count_classified(con, _spec("applications", years, types, region, ("filing_month",)), "register_system")
    months = pd.date_range(f"{year - span}-01-01", f"{year}-12-01", freq="MS")
    series = cube.assign(filing_month=pd.to_datetime(cube["filing_month"])).groupby("filing_month")["count"].sum()
    series = series.reindex(months, fill_value=0)
    return seasonal_adjust(series, 12).rename(columns={"period": "month"})


def compute_monitoring(register: str, year: int, system: str = "cnipa_sei_2021", region: str = "national",
                       span: int = 5, patent_types: tuple[str, ...] = ("发明",), top_n: int = 10,
                       disclosure: dict | None = None, engine: str | dict | None = None) -> Monitoring:
    """All monitoring tables of *system* for *year* from a register file.

    Parameters
    ----------
    register : str
        Register file (Parquet/CSV; ``data_schemas/patent_register.schema.yaml``).
    year : int
        Reference year; growth is on *year* - 1, CAGR and the monthly series cover *year* - *span* … *year*.
    system : str
        Classification system id (``ipstats systems``) or the path of a user rules CSV. Probabilistic
        systems (industry weights, ``isi_nace2``) are not monitoring systems and are refused.
    region : str
        ``"national"`` or a GB/T 2260 province code (then there is no province table).
    span : int
        Years of the CAGR and of the monthly series (at least 2).
    patent_types : tuple of str
        Patent types counted (inventions by default, as CNIPA's monitoring).
    top_n : int
        Length of the applicant ranking.
    disclosure : dict, optional
        :class:`ipstats.sdc.Rules` fields for the province tables; its ``min_contributors`` is also the
        fewest patents an applicant needs to be named in the ranking.
    engine : str or dict, optional
        Where the category cubes (classify and count, the heavy part) run: ``"duckdb"`` (default) or
        Spark settings (:func:`ipstats.concordance.runner.engine_settings`). Breakdowns by province and
        applicant, contributor statistics for disclosure control and the diagnostics run on DuckDB.

    Returns
    -------
    Monitoring
    """
    if span < 2:
        raise ValueError(f"span must be at least 2 years (CAGR and a seasonal pattern), got {span}")
    from ipstats.concordance.runner import engine_settings

    settings = engine_settings(engine or "duckdb")
    sys_ = load_system(system)
    if sys_.probabilistic:
        raise ValueError(f"system {sys_.id} attributes patents with weights (an industry concordance); "
                         "monitoring needs a membership system such as cnipa_sei_2021")
    years = list(range(year - span, year + 1))
    names = sys_.category_names()
    con = connect()
    try:
        open_register(register, con)
        classified, reg_sys = _system_views(con, sys_, register)
        national = region in (None, "", "national")
        # level views on DuckDB: for the cubes, or for the contributors of a province's cells
        views = _level_views(con, sys_, classified) if settings.name != "spark" or not national else {}
        if settings.name == "spark":
            cubes_by_level, totals = _category_cubes_on_spark(settings, register, sys_, years, patent_types, region)
        else:
            cubes_by_level, totals = _category_cubes(con, views, years, patent_types, region)
        top_view = views[1] if 1 in views else rollup(con, sys_, classified, 1, name="_mon_top")
        per_level, per_type = {}, None
        if not national:                                   # contributors of the region's cells
            per_level = {lv: {m: count_classified(con, _spec(m, (year,), patent_types, region, ("applicant_name",)),
                                                  "register", view) for m in MEASURES} for lv, view in views.items()}
            per_type = count_classified(con, _spec("applications", (year,), patent_types, region,
                                                   ("applicant_type", "applicant_name")), reg_sys)
        mine = {m: count_classified(con, _spec(m, years, patent_types, region), reg_sys) for m in MEASURES}
        levels = {lv: category_table(c, totals, year, span, names) for lv, c in cubes_by_level.items()}
        pair = (year - 1, year)
        provinces_, rta_table, contributors = None, None, None
        if national:
            by_prov = count_classified(con, _spec("applications", pair, patent_types, None, ("province_code",)), reg_sys)
            all_prov = count_classified(con, _spec("applications", pair, patent_types, None, ("province_code",)), "register")
            provinces_ = province_table(by_prov, all_prov, year)
            prov_cat = count_classified(con, _spec("applications", (year,), patent_types, None, ("province_code",)),
                                        "register", top_view)
            rta_table = province_category_rta(prov_cat, all_prov, year, names)
            contributors = count_contributors(con, _spec("applications", (year,), patent_types, None,
                                                         ("province_code",)), register=reg_sys)
            per_applicant = count_classified(con, _spec("applications", (year,), patent_types, None,
                                                        ("province_code", "applicant_name")), "register", top_view)
        by_type = count_classified(con, _spec("applications", pair, patent_types, region, ("applicant_type",)), reg_sys)
        by_app = count_classified(con, _spec("applications", (year,), patent_types, region,
                                             ("applicant_name", "applicant_type")), reg_sys)
        app_cat = count_classified(con, _spec("applications", (year,), patent_types, region, ("applicant_name",)),
                                   "register", top_view)
        monthly = _monthly(con, patent_types, region, year, span)
        con.execute(f"""CREATE OR REPLACE TEMP VIEW _mon_links AS SELECT l.* FROM links l
            JOIN register r ON r.application_number = l.patent_id
            WHERE r.patent_type IN ({', '.join("'" + t + "'" for t in patent_types)})
            {"" if national else f"AND r.province_code = '{region}'"}""")
        diag = coverage(con, sys_, "_mon_links")
    finally:
        con.close()
    records = {}
    applicant_types = applicant_type_table(by_type, year)
    detail = {"applicant_types": applicant_types, **{f"level{lv}": t for lv, t in levels.items()}}
    if provinces_ is not None:
        detail.update(provinces=provinces_, province_rta=rta_table)
        provinces_, records["provinces"] = protect_provinces(
            provinces_, {"patents": contributors[contributors["year"] == year]}, disclosure, PROVINCE_DERIVED)
        rta_table, records["province_rta"] = protect_province_categories(rta_table, per_applicant, disclosure)
    if per_type is not None:
        levels, applicant_types = _protect_region(levels, per_level, applicant_types, per_type, disclosure, records)
    min_named = (disclosure or {}).get("min_contributors", Rules().min_contributors)
    whole = by_app.assign(category="*", fractional=by_app["count"].astype("float64"))
    conc = concentration_table(pd.concat([app_cat[["category", "applicant_name", "fractional"]],
                                          whole[["category", "applicant_name", "fractional"]]]), names)
    month_series = monthly.set_index("month")["observed"]
    return Monitoring(
        system_id=sys_.id, system_name=sys_.name, system_label=sys_.label(), year=year, region=region or "national",
        region_name=region_name(region), patent_types=tuple(patent_types), levels=levels,
        totals=totals_table(mine, totals, years), provinces=provinces_, province_rta=rta_table,
        applicant_types=applicant_types, top_applicants=top_applicants(by_app, top_n, min_named), concentration=conc, monthly=monthly,
        latest_yoy_pct=yoy_pct(month_series, 12), coverage=diag["summary"], unmatched=diag["unmatched"],
        predated=diag["predated"], disclosure=records, detail=detail,
        has_candidates=any(c.endswith("_candidate") for c in levels[RULE_LEVEL].columns))


# ---------------------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------------------
def _pct(value: float, digits: int = 1) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}%"


def monitoring_paragraph(mon: Monitoring, label: str | None = None) -> str:
    """A Chinese summary paragraph; every number comes from *mon*'s tables.

    Parameters
    ----------
    mon : Monitoring
    label : str, optional
        Short Chinese name of the domain (e.g. ``战略性新兴产业``); default the system's name.
    """
    label = label or mon.system_name
    kind = "、".join(mon.patent_types)
    kind = "发明专利" if kind == "发明" else f"{kind}专利"
    app, grant, stock = (mon.total(m) for m in MEASURES)
    parts = [f"{mon.year}年，{mon.region_name}{label}{kind}申请{format_count(app['patents'])}，"
             f"{format_change(app['growth_pct'])}，占{kind}申请总量的{_pct(app['share_of_all_pct'])}；"
             f"授权{format_count(grant['patents'])}，{format_change(grant['growth_pct'])}；"
             f"年末有效{format_count(stock['patents'])}，{format_change(stock['growth_pct'])}，"
             f"占{kind}有效量的{_pct(stock['share_of_all_pct'])}。"]
    top = mon.top[mon.top["applications_fractional"].fillna(0) > 0].head(3)
    if not top.empty:
        listed = "、".join(f"{r.category_name if isinstance(r.category_name, str) else r.category}"
                           f"（{r.applications_fractional:,.0f}件，占{_pct(share_pct(r.applications_fractional, app['patents']))}）"
                           for r in top.itertuples())
        parts.append(f"按分数计数，申请量居前的类别为{listed}。")
    if mon.provinces is not None and mon.provinces["patents"].sum() > 0:
        lead = mon.provinces.head(3)
        listed = "、".join(f"{r.province}（{r.patents:,}件）" for r in lead.itertuples())
        parts.append(f"分地区看，申请量居前三位的是{listed}。")
    ent = mon.applicant_types[mon.applicant_types["applicant_type"] == ENTERPRISE].dropna(subset=["patents"])
    if not ent.empty:
        parts.append(f"企业申请{format_count(ent['patents'].iloc[0])}，占{_pct(ent['share_pct'].iloc[0])}。")
    if not math.isnan(mon.latest_yoy_pct):
        last = pd.Timestamp(mon.monthly["month"].iloc[-1])
        parts.append(f"{last.year}年{last.month}月申请量同比{format_change(mon.latest_yoy_pct)}。")
    return "".join(parts)
