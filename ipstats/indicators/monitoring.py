"""Monitoring of the patents of one classification system (专利统计监测).

CNIPA monitors strategic emerging industries (战略性新兴产业), the digital economy (数字经济核心产业 and key
digital technologies), green technologies (绿色技术; 绿色低碳技术 is a narrower table, run from a user rules CSV)
and WIPO's technology fields through concordance tables. For one system and a span of years this module gives:

* applications (申请量), grants (授权量) and year-end valid stock (年末有效量) per category at each level of
  the system's hierarchy, whole and fractional, each with its own growth on the previous year and CAGR,
  the share of the national (or provincial) total of the same patent types and measure, and the upper
  bound of every IPC match beside the published count;
* provinces: patents of the system, share, rank and change in rank, relative technological advantage;
* applicant types (企业/高校/科研单位/机关团体/个人): structure and growth, the enterprise share;
* top applicants (natural persons are never named; only published applications are counted, as an
  application is confidential until it is published) and concentration (top-4/top-10 shares, HHI);
* the monthly filing series: the published table with 1—2月累计 as one row, a Spring Festival and working-day
  adjustment before STL with its diagnostics (:mod:`ipstats.indicators.calendar`), and the latest month's
  year-on-year change.

Counting conventions
--------------------
A patent in several categories counts once in each (whole counting) or is split equally between them
(fractional counting), so category whole counts add up to more than the system's patents while
fractional counts add up to exactly the system's patents. System totals (``patents`` columns) count each
patent once. Shares of the national total compare whole counts with all patents of the same types and
measure; across categories they overlap and are never summed.

Published counts follow the table's own rules (``keywords="table"``): a rule with a keyword condition counts
a patent only when a term occurs in its title or abstract, and 部分涉及 candidates (green table) are left
out. Every IPC match is counted beside them as the upper bound (上限): ``{m}_upper`` with its parts
``{m}_ipc_only`` (keyword condition not met) and ``{m}_candidate`` (部分涉及); ``patents_upper`` in the
totals. A growth rate always belongs to the count beside it: ``{m}_growth_pct`` to the whole count,
``{m}_fractional_growth_pct`` to the fractional count.

Codes created after the IPC edition a table was written for (``ipc_edition`` in ``system.yaml``) are mapped back
to the symbols of the table's edition before matching (``reclassify``, default the shipped reclassification
table, :mod:`ipstats.concordance.reclassify`) and counted in the coverage table (``newer_*``, ``mapped_*``,
``newer_unmatched_*``). A category of which :data:`DRIFT_FLAG_PCT` % or more of the reference year's applications
are counted only through mapped-back codes, or carry a newer code that stays unmatched, has its growth flagged in
the table notes with both shares (:func:`category_notes`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ipstats.labels import labels
from ipstats.concordance import coverage, load_system
from ipstats.concordance.api import open_inputs, register_key
from ipstats.concordance.engine import classify_table, patents_sql
from ipstats.concordance.resolve import resolve_codes
from ipstats.concordance.system import System
from ipstats.counting import CountSpec
from ipstats.counting.cube import count_classified, count_contributors, rollup
from ipstats.indicators.calendar import SeasonalAdjustment, published_monthly, seasonal_adjust
from ipstats.indicators.formulas import cagr_pct, growth_pct, hhi, rta, share_pct, top_share_pct, yoy_pct
from ipstats.indicators.narrative import change_clause, format_count, join_en, plural
from ipstats.indicators.overview import protect_provinces
from ipstats.reference import provinces
from ipstats.sdc import Rules
from ipstats.engines import columns_of, open_runner, sql_list, sql_text
from ipstats.language import check_lang, has_cjk, value
from ipstats.register.regions import region_name

__all__ = [
    "MEASURES",
    "Monitoring",
    "rank_desc",
    "rank_change",
    "category_table",
    "province_table",
    "applicant_type_table",
    "concentration_table",
    "top_applicants",
    "compute_monitoring",
    "monitoring_paragraph",
    "section_label",
    "keyword_note",
    "category_notes",
    "totals_notes",
    "coverage_notes",
    "drift_note",
    "DOMAIN_LABELS_EN",
    "KEYWORDS",
    "KEYWORD_NOTES",
    "LABELS",
]

MEASURES = ("applications", "grants", "valid_stock")
#: Applicant type that is a natural person: never named in a published ranking (personal information).
PERSON = "个人"
ENTERPRISE = "企业"
#: Below this many patents a province's RTA is marked unstable.
RTA_MIN_PATENTS = 20
#: Keyword strategies of the published counts (``table``: the table's own semantics, the default).
KEYWORDS = ("table", "require", "confirm", "ignore")
#: A category of which this share (%) or more of the reference year's applications is counted only through codes
#: mapped back to the table's IPC edition, or carries a newer code left unmatched, has its growth flagged.
DRIFT_FLAG_PCT = 1.0


# ---------------------------------------------------------------------------------------------------------
# Ranks (the rates are in :mod:`ipstats.indicators.formulas`)
# ---------------------------------------------------------------------------------------------------------
def rank_desc(values: pd.Series) -> pd.Series:
    """Rank 1 for the largest value; ties share the better rank (1, 2, 2, 4); missing values stay missing."""
    return values.rank(ascending=False, method="min").astype("Int64")


def rank_change(rank_now: pd.Series, rank_before: pd.Series) -> pd.Series:
    """Places gained since the previous period (位次变化): positive = moved up, negative = moved down."""
    return (rank_before.astype("Int64") - rank_now.astype("Int64")).astype("Int64")


# ---------------------------------------------------------------------------------------------------------
# Tables from cubes (pure)
# ---------------------------------------------------------------------------------------------------------
def _at(cube: pd.DataFrame, year: int, keys: list[str], column: str) -> pd.Series:
    return cube[cube["year"] == year].set_index(keys)[column]


def category_table(
    cubes: dict[str, pd.DataFrame],
    totals: dict[str, pd.DataFrame],
    year: int,
    span: int,
    names: pd.Series,
    upper: dict[str, pd.DataFrame] | None = None,
    bounds: bool = False,
) -> pd.DataFrame:
    """One row per category: each measure whole and fractional, each with its own growth, CAGR and shares.

    Every growth rate is computed on the figure it stands beside: ``{m}_growth_pct`` on the whole count
    ``{m}``, ``{m}_fractional_growth_pct`` on the fractional count ``{m}_fractional``; the CAGR likewise.
    Whole counts overlap across categories (a patent counts in each of its categories), so their shares of
    all patents (``{m}_share_pct``) overlap and do not add up.

    Parameters
    ----------
    cubes : dict of str to DataFrame
        Per measure, the category cube of the published counts (``year``, ``category``, ``count``,
        ``fractional``, optionally ``count_ipc_only``/``count_candidate``) covering *year* - *span* … *year*.
    totals : dict of str to DataFrame
        Per measure, all patents of the same types (``year``, ``count``).
    year, span : int
        Reference year and the CAGR span in years (CAGR from *year* - *span* to *year*).
    names : pandas.Series
        Category names by code (:meth:`ipstats.concordance.System.display_names`).
    upper : dict of str to DataFrame, optional
        Per measure, the cube of every IPC match (keyword strategy ``confirm``): its whole count is the
        upper bound and its ``count_ipc_only`` / ``count_candidate`` the matches the published counts leave
        out. Without it the bounds come from *cubes* themselves (when they are the upper bound).
    bounds : bool
        Add the upper-bound columns (the system has keyword conditions or 部分涉及 codes).

    Returns
    -------
    pandas.DataFrame
        ``category``, ``category_name``, then for each measure ``{m}``, ``{m}_growth_pct``,
        ``{m}_fractional``, ``{m}_fractional_growth_pct``, ``{m}_share_pct``; ``applications_cagr_pct``
        (whole) and ``applications_fractional_cagr_pct``; with *bounds* ``{m}_upper`` (上限: every IPC match),
        ``{m}_ipc_only`` (keyword condition not met) and ``{m}_candidate`` (部分涉及), never part of ``{m}``.
        Sorted by fractional applications, largest first.
    """
    keys = ["category"]
    sources = [*cubes.values(), *((upper or {}).values())]
    index = sorted(set().union(*[set(c["category"]) for c in sources]))
    table = pd.DataFrame(index=pd.Index(index, name="category"))

    def at(cube, y, column, dtype="float64"):
        return _at(cube, y, keys, column).reindex(table.index).fillna(0).astype(dtype)

    for measure, cube in cubes.items():
        total_now = _at(totals[measure], year, ["year"], "count").sum()
        whole, frac = at(cube, year, "count", "int64"), at(cube, year, "fractional")
        before_whole = _at(cube, year - 1, keys, "count").reindex(table.index).astype("float64")
        before_frac = _at(cube, year - 1, keys, "fractional").reindex(table.index)
        table[measure] = whole
        table[f"{measure}_growth_pct"] = growth_pct(whole.astype("float64"), before_whole)
        table[f"{measure}_fractional"] = frac
        table[f"{measure}_fractional_growth_pct"] = growth_pct(frac, before_frac)
        table[f"{measure}_share_pct"] = share_pct(whole, float(total_now))
        if measure == "applications":
            first_whole = _at(cube, year - span, keys, "count").reindex(table.index).astype("float64")
            first_frac = _at(cube, year - span, keys, "fractional").reindex(table.index)
            table["applications_cagr_pct"] = cagr_pct(first_whole, whole.astype("float64"), span)
            table["applications_fractional_cagr_pct"] = cagr_pct(first_frac, frac, span)
        if bounds:
            source = (upper or cubes)[measure]
            table[f"{measure}_upper"] = at(source, year, "count", "int64")
            for part in ("ipc_only", "candidate"):
                column = f"count_{part}"
                table[f"{measure}_{part}"] = (
                    at(source, year, column, "int64")
                    if column in source
                    else pd.Series(0, index=table.index, dtype="int64")
                )
    table.insert(0, "category_name", names.reindex(table.index).to_numpy())
    # order by fractional applications rounded to 1e-9, so that engines summing in another order agree
    order = table.assign(_key=table["applications_fractional"].round(9)).reset_index()
    order = order.sort_values(["_key", "category"], ascending=[False, True], ignore_index=True)
    return order.drop(columns="_key")


def totals_table(
    system_patents: dict[str, pd.DataFrame],
    totals: dict[str, pd.DataFrame],
    years: list[int],
    upper: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Patents of the system (each once) and all patents per measure and year, with share and growth.

    Parameters
    ----------
    system_patents, totals : dict of str to DataFrame
        Per measure, ``year`` and ``count``: the system's patents as published, and all patents.
    upper : dict of str to DataFrame, optional
        Per measure, the system's patents counting every IPC match (the upper bound).

    Returns
    -------
    pandas.DataFrame
        ``measure``, ``year``, ``patents`` (the system's), ``all_patents``, ``share_of_all_pct``, ``growth_pct``
        (of ``patents``), and with *upper* ``patents_upper`` and ``upper_share_of_all_pct`` (上限).
    """
    rows = []
    for measure in system_patents:
        mine = system_patents[measure].set_index("year")["count"].reindex(years).fillna(0).astype("int64")
        every = totals[measure].set_index("year")["count"].reindex(years).fillna(0).astype("int64")
        part = pd.DataFrame(
            {"measure": measure, "year": years, "patents": mine.to_numpy(), "all_patents": every.to_numpy()}
        )
        part["share_of_all_pct"] = share_pct(part["patents"], part["all_patents"])
        part["growth_pct"] = growth_pct(part["patents"].astype("float64"), part["patents"].shift(1).astype("float64"))
        if upper is not None:
            bound = upper[measure].set_index("year")["count"].reindex(years).fillna(0).astype("int64")
            part["patents_upper"] = bound.to_numpy()
            part["upper_share_of_all_pct"] = share_pct(part["patents_upper"], part["all_patents"])
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
    table = pd.DataFrame(
        {"province": names["name_zh"].reindex(codes).to_numpy(), "patents": now.astype("int64").to_numpy()}, index=codes
    )
    table["share_pct"] = share_pct(table["patents"], float(table["patents"].sum()))
    table["growth_pct"] = growth_pct(now.astype("float64"), before.astype("float64").where(before > 0))
    table["rank"] = rank_desc(now)
    table["rank_change"] = rank_change(table["rank"], rank_desc(before))
    table["rta"] = rta(now, every, float(now.sum()), float(every.sum()))
    table["rta_note"] = np.where(now < RTA_MIN_PATENTS, "小样本", "")
    return table.reset_index().sort_values(["rank", "province_code"], ignore_index=True)


def province_category_rta(
    cube: pd.DataFrame, all_by_province: pd.DataFrame, year: int, names: pd.Series
) -> pd.DataFrame:
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
    out["rta"] = rta(
        out["fractional"].reset_index(drop=True),
        every.reindex(out["province_code"]).fillna(0).to_numpy(),
        by_cat.reindex(out["category"]).to_numpy(),
        float(every.sum()),
    ).to_numpy()
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
        rows.append(
            {
                "category": category,
                "applicants": int((values > 0).sum()),
                "top4_share_pct": top_share_pct(values, 4),
                "top10_share_pct": top_share_pct(values, 10),
                "hhi": hhi(values),
            }
        )
    table = pd.DataFrame(rows, columns=["category", "applicants", "top4_share_pct", "top10_share_pct", "hhi"])
    table.insert(1, "category_name", table["category"].map(names).where(table["category"] != "*", total_label))
    return table


def top_applicants(by_applicant: pd.DataFrame, n: int, min_patents: int, total: float | None = None) -> pd.DataFrame:
    """The *n* applicants with most patents of the system, natural persons excluded.

    Parameters
    ----------
    by_applicant : pandas.DataFrame
        ``applicant_name``, ``applicant_type``, ``count`` for one year: published applications only (an
        application is confidential until it is published; :func:`compute_monitoring` counts those with a
        publication date, or grants).
    n : int
        Length of the ranking.
    min_patents : int
        Applicants with fewer patents are not named.
    total : float, optional
        The share's denominator (the system's applications of the year, published or not); default the
        sum of *by_applicant*.

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``applicant_name``, ``applicant_type``, ``patents``, ``share_pct`` (of the system's
        patents, all applicants).
    """
    total = float(by_applicant["count"].sum()) if total is None else float(total)
    named = by_applicant[(by_applicant["applicant_type"] != PERSON) & (by_applicant["count"] >= min_patents)]
    named = named.sort_values(["count", "applicant_name"], ascending=[False, True]).head(n)
    table = pd.DataFrame(
        {
            "applicant_name": named["applicant_name"].to_numpy(),
            "applicant_type": named["applicant_type"].to_numpy(),
            "patents": named["count"].astype("int64").to_numpy(),
        }
    )
    table.insert(0, "rank", rank_desc(table["patents"]).to_numpy())
    table["share_pct"] = share_pct(table["patents"], total)
    return table


def protect_province_categories(
    rta_table: pd.DataFrame, per_applicant: pd.DataFrame, rules: dict | None
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
    grid = pd.MultiIndex.from_product(
        [provinces()["province_code"].astype(str), sorted(rta_table["category"].unique())],
        names=["province_code", "category"],
    )
    cells = cells.set_index(["province_code", "category"]).reindex(grid).fillna(0).reset_index()
    cells = cells.rename(columns={"province_code": "row", "category": "col", "count": "value"})
    protected, audit = protect(
        cells[["row", "col", "value", "contributors", "largest", "second"]], rules_, row_totals=False, col_totals=True
    )
    hidden = protected[protected["status"] != "published"]
    published = rta_table.set_index(["province_code", "category"]).copy()
    index = pd.MultiIndex.from_arrays([hidden["row"], hidden["col"]])
    published.loc[published.index.intersection(index), ["fractional", "rta", "rta_note"]] = pd.NA
    published = published.reset_index().sort_values(["category", "province_code"], ignore_index=True)
    return published, record(protected, audit, rules_, source="register")


def _protect_region(
    levels: dict[int, pd.DataFrame],
    per_level: dict[int, dict[str, pd.DataFrame]],
    applicant_types: pd.DataFrame,
    per_type: pd.DataFrame,
    rules: dict | None,
    records: dict,
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
        protected[level], records[f"level{level}"] = protect_columns(
            table, "category", contributions, rules, derived, source="register", sort=True
        )
    contributions = {"patents": cell_contributions(per_type, ["applicant_type"], "count")}
    applicant_types, records["applicant_types"] = protect_columns(
        applicant_types,
        "applicant_type",
        contributions,
        rules,
        {"patents": ["share_pct", "growth_pct"]},
        source="register",
        sort=True,
    )
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
    #: Published monthly table: 1—2月累计 as one row, then 3—12月, with growth (:func:`published_monthly`).
    monthly_published: pd.DataFrame
    #: Spring Festival, working-day and seasonal adjustment of the monthly series, with its diagnostics.
    seasonal: SeasonalAdjustment
    coverage: pd.DataFrame
    unmatched: pd.DataFrame
    predated: pd.DataFrame
    disclosure: dict = field(default_factory=dict)
    detail: dict = field(default_factory=dict)
    has_candidates: bool = False
    notes: list[str] = field(default_factory=list)
    #: Keyword strategy of the published counts (:data:`KEYWORDS`).
    keywords: str = "table"
    #: Whether the system has keyword conditions.
    has_keywords: bool = False
    #: IPC version the table was written for (None when the metadata do not say).
    ipc_edition: str | None = None
    #: Per level, the edition drift of each category's reference-year applications (:func:`_drift`: ``mapped_pct``,
    #: ``newer_unmatched_pct``, ``drift_pct``).
    drift: dict = field(default_factory=dict)
    #: English name of the system, where its metadata give one (``name_en``).
    system_name_en: str | None = None
    #: Chinese category name → the English name the table gives (only categories that have one), for English text.
    category_names_en: dict = field(default_factory=dict)

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
        lines = [f"{self.year} {self.region_name} {self.system_label} keywords={self.keywords}"]
        for measure in MEASURES:
            row = self.total(measure)
            upper = f"（上限 {int(row['patents_upper'])} 件）" if "patents_upper" in row.index else ""
            lines.append(
                f"{measure}: {int(row['patents'])} 件 / {int(row['all_patents'])} 件 = "
                f"{row['share_of_all_pct']:.2f}%{upper}"
            )
        if self.top.empty:  # a small province may have no patent the table counts
            lines.append("最大类别: 无")
        else:
            top = self.top.iloc[0]
            lines.append(
                f"最大类别 {top['category']} {top['category_name']}: 分数计数 {top['applications_fractional']:.2f}"
            )
        lines.append(
            f"分数计数合计 {self.leaf['applications_fractional'].sum():.2f} = 专利件数 "
            f"{int(self.total('applications')['patents'])}"
        )
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


def _system_views(
    run,
    system: System,
    texts: str | None,
    codes: pd.Series,
    keywords: str,
    upper: bool,
    reclassify=None,
    cache: str | None = None,
) -> tuple[str, str, str | None, str | None]:
    """Classify the register's links as published (*keywords*) and, with *upper*, with every IPC match.

    *run* is a runner with the views ``register``, ``links`` and *texts* (:func:`ipstats.concordance.api.open_inputs`);
    *codes* are the distinct IPC codes of ``links`` (:func:`_link_codes`). Codes newer than the table's edition are mapped back with *reclassify* (a loaded table or None); when that
    gives candidates, the upper bound is computed even if the table itself has none. *cache* is the identity of
    the register's links (:func:`ipstats.concordance.api.register_key`; DuckDB only): each classification is made
    once.

    Returns the two classifications and views of the patents of the system (each once, with filing month)
    under each: ``register_system`` (published) and ``register_system_upper`` (None without an upper bound).
    """
    upper = upper or (keywords in ("table", "require") and _mapped_candidates(codes, system, reclassify))
    classified = classify_table(run, system, "links", texts, keywords=keywords, reclassify=reclassify, cache=cache)
    bound = (
        classify_table(
            run, system, "links", texts, keywords="confirm", name="classified_upper", reclassify=reclassify, cache=cache
        )
        if upper
        else None
    )
    views = []
    for name, source in (("register_system", classified), ("register_system_upper", bound)):
        if source is None:
            views.append(None)
            continue
        run.table(f"_mon_{name}", patents_sql(source))
        run.view(
            name,
            f"""SELECT r.*, CAST(date_trunc('month', r.filing_date) AS DATE) AS filing_month
            FROM register r SEMI JOIN _mon_{name} p ON p.patent_id = r.application_number""",
        )
        views.append(name)
    return classified, views[0], bound, views[1]


def _spec(measure: str, years, types, region, by=()) -> CountSpec:
    return CountSpec(measure=measure, years=tuple(years), patent_types=tuple(types), region=region, by=tuple(by))


def _level_views(run, system: System, classified: str, prefix: str = "_mon_level") -> dict[int, str]:
    """The classification rolled up to every complete level (:func:`_complete_levels`), by level."""
    return {
        lv: classified if lv == RULE_LEVEL else rollup(run, system, classified, lv, name=f"{prefix}{lv}")
        for lv in _complete_levels(system)
    }


def _category_cubes(
    run, views: dict[int, str], years: list[int], types, region, upper_views: dict[int, str] | None = None
) -> tuple[dict, dict, dict | None]:
    """The category cubes of every level in *views* (and *upper_views*) and the all-patent totals, per measure.

    *run* is a DuckDB connection or a runner: the same SQL on every engine (:mod:`ipstats.engines`).
    """

    def cubes_of(level_views):
        return {
            lv: {m: count_classified(run, _spec(m, years, types, region), "register", view) for m in MEASURES}
            for lv, view in level_views.items()
        }

    totals = {m: count_classified(run, _spec(m, years, types, region), "register") for m in MEASURES}
    return cubes_of(views), totals, cubes_of(upper_views) if upper_views else None


def _link_codes(run) -> pd.Series:
    """The distinct IPC codes of the view ``links`` (read once per run: the candidates check and the drift use them)."""
    return run.df("SELECT DISTINCT ipc FROM links WHERE ipc IS NOT NULL")["ipc"]


def _mapped_candidates(codes: pd.Series, system: System, reclassify) -> bool:
    """Whether mapping the IPC *codes* of ``links`` back (*reclassify*) reaches some category from only part of a
    code's origins (a candidate match, shown with the upper bound)."""
    from ipstats.concordance.reclassify import map_back, mapped_rules

    if reclassify is None or not system.ipc_edition:
        return False
    back = map_back(reclassify, codes, system.ipc_edition)
    return bool(not back.empty and (mapped_rules(system, back)["coverage"] == "部分涉及").any())


def _drift(
    run,
    system: System,
    codes: pd.Series,
    views: dict[int, str],
    levels: dict[int, pd.DataFrame],
    year: int,
    types,
    region,
    keywords: str = "table",
    reclassify=None,
    cache: str | None = None,
    texts: str | None = None,
) -> dict[int, pd.DataFrame]:
    """Per level, how much of each category's applications in *year* the IPC edition drift touches.

    ``mapped_pct``: % of the category's count (as published) counted in it only through codes mapped back to the
    table's edition (the same patents classified without mapping back are not in the category);
    ``newer_unmatched_pct``: % of the count carrying a code newer than the table that no rule meets and that
    cannot be mapped back (:func:`ipstats.concordance.coverage.newer_codes`); ``drift_pct``: % counted only through
    mapped-back codes or carrying such an unmatched code (each patent once). Where it is not small the category's
    growth depends on the mapping, or is understated by what it misses.
    *run* is a runner with the views ``register``, ``links`` and *texts* (the same SQL on DuckDB and Spark), *codes*
    the distinct IPC codes of ``links`` (:func:`_link_codes`);
    *cache* is the identity of the register's links (:func:`ipstats.concordance.api.register_key`; DuckDB only).

    Returns
    -------
    dict of int to pandas.DataFrame
        Indexed by category, for the levels of *views* that are not None.
    """
    from ipstats.concordance.coverage import newer_codes
    from ipstats.concordance.reclassify import map_back, mapped_rules

    back = map_back(reclassify, codes, system.ipc_edition)
    newer = newer_codes(system, codes)
    newer = set(newer.index[newer.to_numpy()]) | set(back["ipc"])
    direct = set(resolve_codes(system, sorted(newer))["ipc"])  # only the newer codes need resolving here
    mapped = set(mapped_rules(system, back)["ipc"]) - direct if not back.empty else set()
    unmatched = newer - direct - mapped - set(back["ipc"])  # mapped back outside the table: no drift loss
    for name, found in (("_mon_mapped", mapped), ("_mon_newer", unmatched)):
        run.put("_mon_codes", pd.DataFrame({"ipc": pd.Series(sorted(found), dtype=object)}))
        run.table(name, "SELECT DISTINCT l.patent_id FROM links l JOIN _mon_codes c ON c.ipc = l.ipc")
        run.drop("_mon_codes")
    plain = {}
    if mapped:  # the patents with mapped-back codes, classified without mapping back
        run.view(
            "_mon_mapped_links",
            "SELECT l.* FROM links l SEMI JOIN _mon_mapped m ON m.patent_id = l.patent_id",
        )
        subset = None if cache is None else f"{cache}: patents with mapped-back codes, not mapped back"
        unmapped = classify_table(
            run, system, "_mon_mapped_links", texts, keywords=keywords, name="_mon_unmapped", cache=subset
        )
        plain = {
            lv: unmapped if lv == RULE_LEVEL else rollup(run, system, unmapped, lv, name=f"_mon_unmapped{lv}")
            for lv, view in views.items()
            if view is not None
        }
    out = {}
    for level, table in levels.items():
        view = views.get(level)
        if view is None:
            continue
        # gained: counted only through a mapped-back code (not in the category when classified without mapping
        # back); left joins with each patent (and category) once, not subqueries in the select list (Spark)
        gained, unmapped_join = "FALSE", ""
        if level in plain:
            gained = "(m.patent_id IS NOT NULL AND u.patent_id IS NULL)"
            unmapped_join = (
                f"LEFT JOIN (SELECT DISTINCT patent_id, category FROM {plain[level]}) u "
                "ON u.patent_id = c.patent_id AND u.category = c.category"
            )
        run.view(
            "_mon_drift",
            f"""SELECT c.patent_id, c.category, 1.0 AS weight, 'confirmed' AS match,
                   {gained} AS gained, n.patent_id IS NOT NULL AS unmatched
            FROM {view} c LEFT JOIN _mon_mapped m ON m.patent_id = c.patent_id
            LEFT JOIN _mon_newer n ON n.patent_id = c.patent_id {unmapped_join}""",
        )
        counts = {}
        for column, condition in (
            ("mapped", "gained"),
            ("newer_unmatched", "unmatched"),
            ("drift", "gained OR unmatched"),
        ):
            run.view("_mon_drift_part", f"SELECT * FROM _mon_drift WHERE {condition}")
            cube = count_classified(run, _spec("applications", (year,), types, region), "register", "_mon_drift_part")
            counts[column] = cube.set_index("category")["count"].reindex(table["category"]).fillna(0)
        base = table.set_index("category")["applications"].astype("float64")
        base = base.where(base > 0)
        out[level] = pd.DataFrame(
            {f"{c}_pct": share_pct(n.astype("float64"), base) for c, n in counts.items()},
            index=table["category"].to_numpy(),
        )
    return out


def _published_view(run, view: str, name: str = "_mon_published") -> str:
    """*view* restricted to published applications (a publication date), or to grants without that column."""
    columns = set(columns_of(run, view))
    condition = "publication_date IS NOT NULL" if "publication_date" in columns else "grant_date IS NOT NULL"
    return run.view(name, f"SELECT * FROM {view} WHERE {condition}")


def _monthly(run, types, region, year: int, span: int) -> pd.Series:
    """Applications of the system by filing month, *year* - *span* … *year* (months without filings are 0)."""
    years = range(year - span, year + 1)
    cube = count_classified(run, _spec("applications", years, types, region, ("filing_month",)), "register_system")
    months = pd.date_range(f"{year - span}-01-01", f"{year}-12-01", freq="MS")
    series = cube.assign(filing_month=pd.to_datetime(cube["filing_month"])).groupby("filing_month")["count"].sum()
    return series.reindex(months, fill_value=0).rename_axis("month")


def compute_monitoring(
    register: str,
    year: int,
    system: str = "cnipa_sei_2021",
    region: str = "national",
    span: int = 5,
    patent_types: tuple[str, ...] = ("发明",),
    top_n: int = 10,
    disclosure: dict | None = None,
    engine: str | dict | None = None,
    keywords: str = "table",
    reclassify: str | None = "shipped",
) -> Monitoring:
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
        :class:`ipstats.sdc.Rules` fields and the confidentiality policy. The register is public by law
        (``confidentiality: {register: public}``, the default): no table is suppressed. Only when the policy
        declares the register confidential are the province tables (national run) and the category and
        applicant-type tables (province run) protected. ``min_contributors`` is also the fewest patents an
        applicant needs to be named in the ranking, which counts published applications only.
    engine : str or dict, optional
        Where the register is read, classified and counted: ``"duckdb"`` (default) or Spark settings
        (:func:`ipstats.engines.engine_settings`). Every register-scale step — the classifications, the category
        cubes, the breakdowns by province, applicant type, applicant and month, the contributor statistics of
        disclosure control, the drift and coverage diagnostics — is the same SQL on one runner; only the small
        tables it returns are finished in pandas, so both engines give the same tables.
    keywords : {"table", "require", "confirm", "ignore"}
        What the published counts follow (:mod:`ipstats.concordance.engine`). ``"table"`` (default) is the
        table's own semantics: a rule with a keyword condition counts a patent only when a term occurs in
        its title, abstract (or claims), and 部分涉及 candidates are left out. Every IPC match
        (``confirm``) is counted beside it as the upper bound (上限, ``*_upper``, ``*_ipc_only``,
        ``*_candidate`` columns), never in the published columns. ``"confirm"``/``"ignore"`` publish the
        upper bound itself (the notes say so).
    reclassify : str or None
        Codes created after the table's IPC edition: ``"shipped"`` (default) maps them back to their old symbols
        with the shipped reclassification table (``ipstats/reference/data/ipc_reclassification.csv``), a path
        uses a table in ``data_schemas/ipc_reclassification.schema.yaml``, ``"none"`` (or None) matches them as
        they are (:mod:`ipstats.concordance.reclassify`). A mapping that reaches a category from only some of a
        code's origins is a candidate, shown with the upper bound. The coverage table counts the newer codes,
        those mapped back and those left unmatched; the notes flag the growth the drift affects.

    Returns
    -------
    Monitoring
    """
    if span < 2:
        raise ValueError(f"span must be at least 2 years (CAGR and a seasonal pattern), got {span}")
    if keywords not in KEYWORDS:
        raise ValueError(f"keywords must be one of {', '.join(KEYWORDS)}, got {keywords!r}")
    from ipstats.concordance.reclassify import load_reclassification
    from ipstats.engines import engine_settings

    reclass = load_reclassification(reclassify)

    settings = engine_settings(engine or "duckdb")
    duck = settings.name != "spark"
    rules = Rules.of(disclosure)
    confidential = rules.is_confidential("register")  # public by law unless the policy says otherwise
    sys_ = load_system(system)
    if sys_.probabilistic:
        raise ValueError(
            f"system {sys_.id} attributes patents with weights (an industry concordance); "
            "monitoring needs a membership system such as cnipa_sei_2021"
        )
    has_keywords = bool(sys_.rules["terms"].map(bool).any())
    has_candidates = bool((sys_.rules["coverage"] == "部分涉及").any())
    bounds = has_keywords or has_candidates
    upper = bounds and keywords in ("table", "require")  # confirm / ignore publish the upper bound itself
    years = list(range(year - span, year + 1))
    names = sys_.display_names()
    with open_runner(settings) as run:  # a DuckDB or Spark runner: one plan, every step below on it
        texts, _ = open_inputs(run, register, register=True)
        # classified once per register, system and rules (ipstats.concordance.cache; DuckDB only)
        key = register_key(register) if duck else None
        codes = _link_codes(run)
        classified, reg_sys, bound, reg_upper = _system_views(run, sys_, texts, codes, keywords, upper, reclass, key)
        upper = bound is not None  # mapped-back candidates give an upper bound too
        bounds = bounds or upper
        national = region in (None, "", "national")
        views = _level_views(run, sys_, classified)
        upper_views = _level_views(run, sys_, bound, prefix="_mon_upper") if upper else None
        cubes_by_level, totals, upper_by_level = _category_cubes(run, views, years, patent_types, region, upper_views)
        top_view = views[1] if 1 in views else rollup(run, sys_, classified, 1, name="_mon_top")
        per_level, per_type = {}, None
        if confidential and not national:  # contributors of the region's cells
            per_level = {
                lv: {
                    m: count_classified(
                        run, _spec(m, (year,), patent_types, region, ("applicant_name",)), "register", view
                    )
                    for m in MEASURES
                }
                for lv, view in views.items()
            }
            per_type = count_classified(
                run, _spec("applications", (year,), patent_types, region, ("applicant_type", "applicant_name")), reg_sys
            )
        mine = {m: count_classified(run, _spec(m, years, patent_types, region), reg_sys) for m in MEASURES}
        mine_upper = (
            {m: count_classified(run, _spec(m, years, patent_types, region), reg_upper) for m in MEASURES}
            if upper
            else None
        )
        levels = {
            lv: category_table(c, totals, year, span, names, (upper_by_level or {}).get(lv), bounds)
            for lv, c in cubes_by_level.items()
        }
        drift_views = {
            lv: views.get(lv) or (classified if lv == RULE_LEVEL else top_view if lv == 1 else None) for lv in levels
        }
        drift = _drift(run, sys_, codes, drift_views, levels, year, patent_types, region, keywords, reclass, key, texts)
        pair = (year - 1, year)
        provinces_, rta_table, contributors = None, None, None
        if national:
            by_prov = count_classified(
                run, _spec("applications", pair, patent_types, None, ("province_code",)), reg_sys
            )
            all_prov = count_classified(
                run, _spec("applications", pair, patent_types, None, ("province_code",)), "register"
            )
            provinces_ = province_table(by_prov, all_prov, year)
            prov_cat = count_classified(
                run, _spec("applications", (year,), patent_types, None, ("province_code",)), "register", top_view
            )
            rta_table = province_category_rta(prov_cat, all_prov, year, names)
            if confidential:
                contributors = count_contributors(
                    run, _spec("applications", (year,), patent_types, None, ("province_code",)), register=reg_sys
                )
                per_applicant = count_classified(
                    run,
                    _spec("applications", (year,), patent_types, None, ("province_code", "applicant_name")),
                    "register",
                    top_view,
                )
        by_type = count_classified(run, _spec("applications", pair, patent_types, region, ("applicant_type",)), reg_sys)
        by_app = count_classified(
            run, _spec("applications", (year,), patent_types, region, ("applicant_name", "applicant_type")), reg_sys
        )
        # a ranking names applicants: only applications already published (公开/公告) — an application is kept
        # secret until then (专利法第三十四条、第四十条) — counted by filing year; without publication dates, grants
        ranked_view = _published_view(run, reg_sys)
        ranked = count_classified(
            run, _spec("applications", (year,), patent_types, region, ("applicant_name", "applicant_type")), ranked_view
        )
        app_cat = count_classified(
            run, _spec("applications", (year,), patent_types, region, ("applicant_name",)), "register", top_view
        )
        month_series = _monthly(run, patent_types, region, year, span)
        run.view(
            "_mon_links",
            f"""SELECT l.* FROM links l JOIN register r ON r.application_number = l.patent_id
            WHERE r.patent_type IN {sql_list(patent_types)}
            {"" if national else f"AND r.province_code = {sql_text(region)}"}""",
        )
        diag = coverage(run, sys_, "_mon_links", reclassify=reclass)
    records = {}
    applicant_types = applicant_type_table(by_type, year)
    detail = {"applicant_types": applicant_types, **{f"level{lv}": t for lv, t in levels.items()}}
    if provinces_ is not None:
        detail.update(provinces=provinces_, province_rta=rta_table)
    if confidential and provinces_ is not None:  # only a register the policy declares confidential
        provinces_, records["provinces"] = protect_provinces(
            provinces_, {"patents": contributors[contributors["year"] == year]}, disclosure, PROVINCE_DERIVED
        )
        rta_table, records["province_rta"] = protect_province_categories(rta_table, per_applicant, disclosure)
    if confidential and per_type is not None:
        levels, applicant_types = _protect_region(levels, per_level, applicant_types, per_type, disclosure, records)
    min_named = rules.min_contributors
    whole = by_app.assign(category="*", fractional=by_app["count"].astype("float64"))
    conc = concentration_table(
        pd.concat(
            [app_cat[["category", "applicant_name", "fractional"]], whole[["category", "applicant_name", "fractional"]]]
        ),
        names,
    )
    seasonal = seasonal_adjust(month_series)
    return Monitoring(
        system_id=sys_.id,
        system_name=sys_.name,
        system_label=sys_.label(),
        year=year,
        region=region or "national",
        region_name=region_name(region),
        patent_types=tuple(patent_types),
        levels=levels,
        totals=totals_table(mine, totals, years, mine_upper),
        provinces=provinces_,
        province_rta=rta_table,
        applicant_types=applicant_types,
        top_applicants=top_applicants(ranked, top_n, min_named, total=float(by_app["count"].sum())),
        concentration=conc,
        monthly=seasonal.table,
        latest_yoy_pct=yoy_pct(month_series, 12),
        monthly_published=published_monthly(month_series),
        seasonal=seasonal,
        coverage=diag["summary"],
        unmatched=diag["unmatched"],
        predated=diag["predated"],
        disclosure=records,
        detail=detail,
        has_candidates=has_candidates,
        keywords=keywords,
        has_keywords=has_keywords,
        ipc_edition=sys_.ipc_edition,
        drift=drift,
        system_name_en=sys_.meta.get("name_en") or None,
        category_names_en=_english_names(sys_),
    )


def _english_names(system: System) -> dict[str, str]:
    """Chinese category name → English name, for the categories of *system* that have both."""
    cats = system.categories
    both = cats[cats["name_zh"].notna() & cats["name_en"].notna()] if "name_en" in cats.columns else cats.iloc[:0]
    return {str(zh): str(en) for zh, en in zip(both["name_zh"], both["name_en"]) if str(zh) and str(en)}


# ---------------------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------------------
def _category_text(code: str, name) -> str:
    """A category in running text: its name; an unnamed one by its code and named sub-branches."""
    if not isinstance(name, str) or not name:
        return f"类别{code}（分类表未给出名称）"
    return f"第{code}类（{name}）" if name.startswith("下设") else name


def _pct(value: float, digits: int = 1) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}%"


def _share_text(value: float, lang: str = "zh") -> str:
    """A share in running text, never a whole or nothing it is not: ``12.3%``; ``99.9%以上`` (``over 99.9%``)
    for a share that would print as 100.0% but leaves some out (an exhaustive system such as the WIPO fields,
    where a few patents have no code it knows); ``不足0.1%`` (``less than 0.1%``) for one that would print as
    0.0% but is not none. The table keeps the share itself."""
    if 99.95 <= value < 100:
        return "99.9%以上" if lang == "zh" else "over 99.9%"
    if 0 < value < 0.05:
        return "不足0.1%" if lang == "zh" else "less than 0.1%"
    return _pct(value)


#: What the published counts follow, by keyword strategy (stated in every category table's notes).
KEYWORD_NOTES = {
    "table": "计数口径：按分类表本身的规则——带关键词条件的分类号，须专利名称、摘要（登记数据有权利要求时含权利要求）"
    "含有关键词才计入；“部分涉及”的分类号仅为候选，不计入（参数 keywords = table）。",
    "require": "计数口径：带关键词条件的分类号须名称、摘要含有关键词才计入；“部分涉及”的候选分类号计入"
    "（参数 keywords = require），故含候选部分，高于分类表口径。",
    "confirm": "计数口径：凡分类号与分类表对应即计入，关键词条件未满足（仅分类号匹配）和“部分涉及”候选也计入"
    "（参数 keywords = confirm），为上限，不是分类表口径的统计数。",
    "ignore": "计数口径：仅按分类号计数，不读关键词条件和关键词排除（参数 keywords = ignore），为上限，不是分类表口径的统计数。",
}

#: Chinese labels of the monitoring columns not in :data:`ipstats.display.LABELS` (and those whose meaning
#: changed): for ``record_table(labels=...)`` and for showing a table (``table.rename(columns=LABELS)``).
LABELS = labels(
    "zh",
    keys=(
        "applications_growth_pct",
        "grants_growth_pct",
        "valid_stock_growth_pct",
        "applications_fractional_growth_pct",
        "grants_fractional_growth_pct",
        "valid_stock_fractional_growth_pct",
        "applications_share_pct",
        "grants_share_pct",
        "valid_stock_share_pct",
        "applications_upper",
        "grants_upper",
        "valid_stock_upper",
        "applications_ipc_only",
        "grants_ipc_only",
        "valid_stock_ipc_only",
        "applications_candidate",
        "grants_candidate",
        "valid_stock_candidate",
        "applications_cagr_pct",
        "applications_fractional_cagr_pct",
        "patents_upper",
        "upper_share_of_all_pct",
        "ipc_edition",
        "newer_codes",
        "newer_occurrences",
        "newer_patents",
        "newer_patents_pct",
        "newer_only_patents",
        "reclassification",
        "mapped_codes",
        "mapped_occurrences",
        "mapped_patents",
        "mapped_candidate_codes",
        "newer_unmatched_codes",
        "newer_unmatched_occurrences",
        "newer_unmatched_patents",
    ),
    context="monitoring",
)

#: Label words that name a classification the shipped tables are not: a section may carry them only when its
#: system is that classification (a user rules CSV of it, named so in its metadata).
_RESERVED_LABELS = {
    "绿色低碳": "绿色低碳技术专利分类体系",
    "数字经济核心产业": "数字经济核心产业分类与国际专利分类参照关系",
}


def section_label(mon: Monitoring, label: str | None = None) -> str:
    """The section's name: *label*, or the system's name; refuses a label that names another classification.

    The green technology table (绿色技术专利分类体系) is broader than the 绿色低碳技术专利分类体系 (it has
    recycling and pollution control); key digital technologies are not the digital-economy core industries.
    A label saying 绿色低碳 or 数字经济核心产业 is accepted only for a system whose name says so (a user
    rules CSV of that table with its metadata).

    Raises
    ------
    ValueError
        For such a label on another system.
    """
    label = label or mon.system_name
    for word, table in _RESERVED_LABELS.items():
        if word in label and word not in mon.system_name:
            raise ValueError(
                f"label {label!r} names the {table}, but the system is {mon.system_name} "
                f"({mon.system_id}); label it after its own table (e.g. 绿色技术 for cnipa_green_tech) "
                f"or run the section on a rules CSV of the {table}"
            )
    return label


def keyword_note(mon: Monitoring, lang: str = "zh") -> str:
    """The counting rule of the published counts, for the table notes (what the system's rules have); in English
    with ``lang="en"``."""
    if check_lang(lang) == "en":
        return _keyword_note_en(mon)
    if not (mon.has_keywords or mon.has_candidates):
        return "计数口径：分类表只有分类号规则（无关键词条件、无“部分涉及”标注），按分类号计数。"
    if mon.keywords != "table":
        return KEYWORD_NOTES[mon.keywords]
    parts = (
        ["带关键词条件的分类号，须专利名称、摘要（登记数据有权利要求时含权利要求）含有关键词才计入"]
        if mon.has_keywords
        else []
    ) + (["“部分涉及”的分类号仅为候选，不计入"] if mon.has_candidates else [])
    return f"计数口径：按分类表本身的规则——{'；'.join(parts)}（参数 keywords = table）。"


def _newer_examples(mon: Monitoring, n: int = 3, lang: str = "zh") -> str:
    """The most frequent subclasses among the unmatched codes newer than the table (``（如H10F、G06V）``; in
    English `` (e.g. H10F, G06V)``)."""
    if mon.predated is None or mon.predated.empty:
        return ""
    top = mon.predated.assign(sub=mon.predated["ipc"].str[:4]).groupby("sub")["n"].sum()
    top = top.sort_values(ascending=False, kind="stable").head(n)
    if lang == "en":
        return f" (e.g. {', '.join(top.index)})"
    return f"（如{'、'.join(top.index)}）"


def _flagged(mon: Monitoring, level: int) -> list[str]:
    """Categories of *level* whose growth the edition drift affects (``drift_pct`` ≥ :data:`DRIFT_FLAG_PCT`),
    largest share first."""
    drift = mon.drift.get(level)
    if drift is None or drift.empty:
        return []
    share = drift["drift_pct"]
    return list(share[share >= DRIFT_FLAG_PCT].sort_values(ascending=False, kind="stable").index)


def _reclassification(mon: Monitoring, lang: str = "zh") -> str:
    """The reclassification table of the run as the notes name it (in English with ``lang="en"``), or "" when
    newer codes were not mapped back."""
    source = str(mon.coverage.iloc[0].get("reclassification", "none")) if len(mon.coverage) else "none"
    if source == "none":
        return ""
    if source == "shipped":
        if lang == "en":
            return (
                "the IPC reclassification table shipped with ipstats "
                "(ipc_reclassification.csv, parameter reclassify = shipped)"
            )
        return "ipstats随附的IPC改版对照表（ipc_reclassification.csv，参数 reclassify = shipped）"
    file = source.replace(chr(92), "/").rsplit("/", 1)[-1]
    if lang == "en":
        return f"the IPC reclassification table {file} (parameter reclassify)"
    return f"IPC改版对照表 {file}（参数 reclassify）"


def drift_note(mon: Monitoring, lang: str = "zh") -> str:
    """How codes newer than the table were treated (one sentence for the notes), "" when the edition is unknown;
    in English with ``lang="en"``."""
    english = check_lang(lang) == "en"
    if not mon.ipc_edition:
        return ""
    if english:
        return _drift_note_en(mon)
    table = _reclassification(mon)
    if not table:
        return (
            f"IPC版本差异：分类表按IPC {mon.ipc_edition}版编制；此后新设的分类号未改回旧版分类号"
            "（参数 reclassify = none），表中无法匹配。"
        )
    return (
        f"IPC版本差异：分类表按IPC {mon.ipc_edition}版编制；此后新设的分类号按{table}改回该版本的来源分类号后"
        "再与分类表匹配；改回后只被部分来源分类号对应的类别作为候选，只计入上限。"
    )


def category_notes(mon: Monitoring, level: int | None = None, lang: str = "zh") -> list[str]:
    """Notes of a category table: counting rule, upper bounds, growth basis, overlaps, edition drift.

    The edition-drift note names the categories flagged by :func:`_flagged` with the two computed shares of their
    reference-year applications: counted only through mapped-back codes, and carrying a newer code left unmatched.
    With ``lang="en"`` the same notes in English from the same numbers (categories by the table's English names
    where it gives them, else by their official Chinese names).
    """
    level = min(mon.levels) if level is None else level
    if check_lang(lang) == "en":
        return _category_notes_en(mon, level)
    notes = [
        f"分类体系：{mon.system_label}。",
        keyword_note(mon),
        "整数计数：一件专利计入其所属的每个类别，各类别相加大于专利件数，所占比重相互重叠、不可相加；"
        "分数计数：一件专利在所属类别间平均分配，合计等于专利件数。",
        "增长率均按其旁边的数字计算：整数计数的增长率按整数计数，分数计数的增长率单列并按分数计数。",
    ]
    if "applications_upper" in mon.levels[level].columns:
        notes.append(
            "上限（含仅分类号匹配和候选）：凡分类号与分类表对应的专利都计入，包括未满足关键词条件的"
            "（仅分类号匹配）、“部分涉及”的候选和新设分类号改回后只被部分来源对应的候选；只作为估计区间的上端"
            "单列，不计入统计数。"
        )
    if mon.ipc_edition:
        notes.append(drift_note(mon))
    flagged = _flagged(mon, level)
    if flagged and mon.ipc_edition:
        names = mon.levels[level].set_index("category")["category_name"]
        drift = mon.drift[level]
        mapped = bool(_reclassification(mon))

        def shares(c: str) -> str:
            row = drift.loc[c]
            parts = [
                f"{what}{row[column]:.1f}%"
                for what, column in (("经改回计入", "mapped_pct"), ("带无法匹配的新设分类号", "newer_unmatched_pct"))
                if row[column] > 0 and (mapped or column != "mapped_pct")
            ]
            return "，".join(parts)

        listed = "、".join(f"{c}（{_category_text(c, names.get(c))}：{shares(c)}）" for c in flagged[:5])
        more = f"等{len(flagged)}个类别" if len(flagged) > 5 else ""
        notes.append(
            f"受IPC版本差异影响的增长率：{listed}{more}，其{mon.year}年申请中"
            f"{'仅经改回的分类号计入或' if mapped else ''}带有表中无法匹配的新设分类号{_newer_examples(mon)}"
            f"的合计不小于{DRIFT_FLAG_PCT:g}%；"
            f"{'改回为近似对照，' if mapped else ''}同一技术中只带无法匹配的新设分类号的专利未能计入，"
            "这些类别的增长率应谨慎解读。"
        )
    return notes


def totals_notes(mon: Monitoring, lang: str = "zh") -> list[str]:
    """Notes of the totals table: the system, its counting rule, the upper bound and the edition drift; in English
    with ``lang="en"`` (the same counts)."""
    if check_lang(lang) == "en":
        return _totals_notes_en(mon)
    notes = [f"分类体系：{mon.system_label}。", keyword_note(mon), "增长率按专利件数（每件专利计一次）计算。"]
    if "patents_upper" in mon.totals.columns:
        notes.append(
            "专利件数上限：含仅分类号匹配（未满足关键词条件）、“部分涉及”候选和新设分类号改回后的候选的专利，"
            "单列，不计入统计数。"
        )
    cov = mon.coverage.iloc[0]
    if mon.ipc_edition and cov.get("newer_patents", 0):
        mapped = (
            f"{int(cov['mapped_patents']):,}件的新设分类号改回旧版分类号后与分类表对应，"
            if _reclassification(mon) and "mapped_patents" in cov.index
            else ""
        )
        notes.append(
            f"{drift_note(mon)}{int(cov['newer_patents']):,}件专利带有此后新设的分类号"
            f"（占{cov['newer_patents_pct']:.1f}%），其中{mapped}"
            f"{int(cov['newer_only_patents']):,}件只带无法匹配的分类号{_newer_examples(mon)}而未能计入，"
            "专利件数及其增长率可能偏低。"
        )
    return notes


def coverage_notes(mon: Monitoring, lang: str = "zh") -> list[str]:
    """Notes of the coverage table (in English with ``lang="en"``)."""
    if check_lang(lang) == "en":
        return _coverage_notes_en(mon)
    edition = f"（IPC {mon.ipc_edition}版）" if mon.ipc_edition else ""
    table = _reclassification(mon)
    mapping = (
        f"按{table}改回旧版分类号后匹配的计为“改回旧版后匹配”，改回后仍无法匹配的计为“改回后仍无法匹配”；"
        if table
        else "新设分类号未改回（参数 reclassify = none）；"
    )
    return [
        "按全部年份的同类型专利及其分类号计算。",
        f"新设分类号：分类表编制所依据的IPC版本{edition}之后新设的分类号，不在表中；{mapping}"
        "“因新设分类号而无法匹配的专利”带有新设分类号且没有任何分类号被表匹配。",
    ]


def monitoring_paragraph(mon: Monitoring, label: str | None = None, lang: str = "zh") -> str:
    """A summary paragraph, Chinese or English (``lang="en"``); every number comes from *mon*'s tables.

    Counts follow the table's rules (:attr:`Monitoring.keywords`); the upper bound is mentioned after them,
    never as the lead of a sentence. Growth is that of the count it follows; category shares are fractional
    (they add up); categories are named by :meth:`ipstats.concordance.System.display_names`.

    Parameters
    ----------
    mon : Monitoring
    label : str, optional
        Short Chinese name of the domain (e.g. ``战略性新兴产业``); default the system's name
        (:func:`section_label` refuses a label naming another classification). In English the label is
        :data:`DOMAIN_LABELS_EN`'s (or the catalogue's) English, an English *label* is used as it is, and the
        system's own name gives way to its ``name_en``; a Chinese label without English stays Chinese.
    lang : {"zh", "en"}
        The language: the English states the numbers of the Chinese, rounded alike. Categories are named in
        English where the table gives an English name, else by their official Chinese name.
    """
    label = section_label(mon, label)
    if check_lang(lang) == "en":
        return _paragraph_en(mon, label)
    kind = "、".join(mon.patent_types)
    kind = "发明专利" if kind == "发明" else f"{kind}专利"
    app, grant, stock = (mon.total(m) for m in MEASURES)

    def counted(row: pd.Series) -> str:
        return format_count(row["patents"]) + change_clause(row["patents"], row["growth_pct"])

    def share(row: pd.Series, of: str) -> str:
        """``，占发明专利申请总量的12.3%``, or nothing where there is no total to take a share of."""
        value = row["share_of_all_pct"]
        return "" if pd.isna(value) else f"，占{kind}{of}的{_share_text(value)}"

    parts = [
        f"{mon.year}年，{mon.region_name}{label}{kind}申请{counted(app)}{share(app, '申请总量')}；"
        f"授权{counted(grant)}；年末有效{counted(stock)}{share(stock, '有效量')}。"
    ]
    if mon.keywords in ("confirm", "ignore") and (mon.has_keywords or mon.has_candidates):
        parts.append("以上按分类号计数，含未满足关键词条件和“部分涉及”的专利，为上限。")
    elif "patents_upper" in mon.totals.columns:
        extra = int(stock["patents_upper"]) - int(stock["patents"])
        if extra > 0:
            mapped = bool(_reclassification(mon)) and int(mon.coverage.iloc[0].get("mapped_candidate_codes", 0)) > 0
            what = "、".join(
                w
                for w, on in (
                    ("未满足关键词条件", mon.has_keywords),
                    ("属“部分涉及”分类号", mon.has_candidates),
                    ("新设分类号改回后只被部分来源对应", mapped),
                )
                if on
            )
            parts.append(
                f"以上按分类表口径计数；另有{format_count(extra)}年末有效专利仅分类号与分类表对应（{what}），"
                f"未计入，含这部分的上限为{format_count(stock['patents_upper'])}。"
            )
    top = mon.top[mon.top["applications_fractional"].fillna(0) > 0].head(3)
    if not top.empty:
        listed = "、".join(
            f"{_category_text(r.category, r.category_name)}"
            f"（{r.applications_fractional:,.0f}件，占{_pct(share_pct(r.applications_fractional, app['patents']))}）"
            for r in top.itertuples()
        )
        parts.append(f"按分数计数，申请量居前的类别为{listed}。")
    if mon.provinces is not None and mon.provinces["patents"].sum() > 0:
        lead = mon.provinces.head(3)
        listed = "、".join(f"{r.province}（{r.patents:,}件）" for r in lead.itertuples())
        parts.append(f"分地区看，申请量居前三位的是{listed}。")
    ent = mon.applicant_types[mon.applicant_types["applicant_type"] == ENTERPRISE].dropna(subset=["patents"])
    if not ent.empty:
        parts.append(f"企业申请{format_count(ent['patents'].iloc[0])}，占{_pct(ent['share_pct'].iloc[0])}。")
    if not math.isnan(mon.latest_yoy_pct):
        last = mon.monthly.iloc[-1]
        when = pd.Timestamp(last["month"])
        clause = change_clause(last["observed"], mon.latest_yoy_pct)
        if clause:
            parts.append(
                f"{when.year}年{when.month}月申请{format_count(last['observed'])}{clause.replace('，', '，同比', 1)}。"
            )
    return "".join(parts)


#: English of the domain labels of the shipped bulletins (the ``label`` notebook parameter), as used in running
#: text: ``invention patent applications in strategic emerging industries``.
DOMAIN_LABELS_EN = {
    "战略性新兴产业": "strategic emerging industries",
    "关键数字技术": "key digital technologies",
    "数字经济核心产业": "the core industries of the digital economy",
    "绿色技术": "green technologies",
    "绿色低碳技术": "green and low-carbon technologies",
    "WIPO技术领域": "WIPO technology fields",
    "WIPO技术领域（35个领域）": "WIPO technology fields (35 fields)",  # the system's name, the default label
}
#: Patent types in English: (singular, plural).
_TYPES_EN = {
    "发明": ("invention patent", "invention patents"),
    "实用新型": ("utility model", "utility models"),
    "外观设计": ("design", "designs"),
}
_UNNAMED = "（分类表未给出名称）"
#: Month names (not the locale's).
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _domain_en(mon: Monitoring, label: str) -> str:
    """``in strategic emerging industries`` (or ``under the <system's English name>``) after a count's noun."""
    if not has_cjk(label):
        return f"in {label}"
    if label in DOMAIN_LABELS_EN:
        return f"in {DOMAIN_LABELS_EN[label]}"
    if label == mon.system_name and mon.system_name_en:
        return f"under the {mon.system_name_en}"
    known = value(label)
    return f"in {known}"  # the catalogue's English, or a user's label without English: its own (Chinese) name


def _category_text_en(mon: Monitoring, code: str, name) -> str:
    """:func:`_category_text` in English: the table's English name, else its Chinese one; an unnamed group by
    its code and named branches (``category 7 (branches "…", "…" and others, 9 in all)``)."""
    names = mon.category_names_en
    if not isinstance(name, str) or not name or name.endswith(_UNNAMED):
        return f"category {code} (not named in the table)"
    if not name.startswith("下设"):
        return names.get(name, name)
    branches = [b.lstrip("“") for b in name[2:].split("”")[:-1]]  # 下设“a”“b”等N个分支 → a, b
    branches = [names.get(b, b) for b in branches]
    count = name.rsplit("”", 1)[-1]  # 等32个分支, or ""
    quoted = [f'"{b}"' for b in branches]
    if count:
        total = "".join(ch for ch in count if ch.isdigit())
        return f"category {code} (branches {', '.join(quoted)} and others, {total} in all)"
    return f"category {code} ({plural(len(quoted), 'branch', 'branches')} {join_en(quoted)})"


def _paragraph_en(mon: Monitoring, label: str) -> str:
    """The English of :func:`monitoring_paragraph`, sentence by sentence, with the same numbers."""
    types = [_TYPES_EN.get(t, (str(value(t)).lower(),) * 2) for t in mon.patent_types]
    kind = join_en([t[0] for t in types])
    kinds = join_en([t[1] for t in types])
    region = value(mon.region_name)
    app, grant, stock = (mon.total(m) for m in MEASURES)

    def counted(row: pd.Series, noun: tuple[str, str], where: str = "") -> str:
        """``147 invention patent applications in … in China, down 9.8%``: the growth after the whole noun."""
        n = row["patents"]
        return f"{format_count(n, lang='en')} {plural(n, *noun)}{where}" + change_clause(
            n, row["growth_pct"], lang="en"
        )

    def share(row: pd.Series, of: str) -> str:
        """``, accounting for 12.3% of all invention patent applications``, or nothing without a total."""
        pct = row["share_of_all_pct"]
        return "" if pd.isna(pct) else f", accounting for {_share_text(pct, 'en')} of all {of}"

    applications = (f"{kind} application", f"{kind} applications")
    parts = [
        f"In {mon.year}, there {plural(app['patents'], 'was', 'were')} "
        f"{counted(app, applications, f' {_domain_en(mon, label)} in {region}')}{share(app, applications[1])}; "
        f"{counted(grant, ('grant', 'grants'))}; "
        f"and {counted(stock, ('valid patent', 'valid patents'), ' at the year end')}{share(stock, f'valid {kinds}')}. "
    ]
    if mon.keywords in ("confirm", "ignore") and (mon.has_keywords or mon.has_candidates):
        parts.append(
            "These counts are by IPC code only and include patents that do not meet the keyword conditions and "
            'those under codes marked "partly related": they are upper bounds. '
        )
    elif "patents_upper" in mon.totals.columns:
        extra = int(stock["patents_upper"]) - int(stock["patents"])
        if extra > 0:
            mapped = bool(_reclassification(mon)) and int(mon.coverage.iloc[0].get("mapped_candidate_codes", 0)) > 0
            reasons = [
                w
                for w, on in (
                    ("keyword conditions not met", mon.has_keywords),
                    ('codes marked "partly related"', mon.has_candidates),
                    ("newer codes that map back to only some of their source codes", mapped),
                )
                if on
            ]
            what = reasons[-1] if len(reasons) == 1 else ", ".join(reasons[:-1]) + " or " + reasons[-1]
            parts.append(
                "These counts follow the table's own rules; a further "
                f"{format_count(extra, lang='en')} valid {plural(extra, 'patent')} at the year end "
                f"{plural(extra, 'matches', 'match')} the table by IPC code only ({what}) and "
                f"{plural(extra, 'is', 'are')} not counted; including them, the upper bound is "
                f"{format_count(stock['patents_upper'], lang='en')}. "
            )
    top = mon.top[mon.top["applications_fractional"].fillna(0) > 0].head(3)
    if not top.empty:
        listed = []
        for r in top.itertuples():
            name = _category_text_en(mon, r.category, r.category_name)
            n = r.applications_fractional
            stats = f"{n:,.0f} {plural(round(n), 'application')}, {_pct(share_pct(n, app['patents']))}"
            listed.append(f"{name[:-1]}; {stats})" if name.endswith(")") else f"{name} ({stats})")
        parts.append(f"By fractional counting, the categories with the most applications were {join_en(listed)}. ")
    if mon.provinces is not None and mon.provinces["patents"].sum() > 0:
        lead = mon.provinces.head(3)
        listed = [f"{value(r.province)} ({r.patents:,})" for r in lead.itertuples()]
        parts.append(f"By region, the top three in applications were {join_en(listed)}. ")
    ent = mon.applicant_types[mon.applicant_types["applicant_type"] == ENTERPRISE].dropna(subset=["patents"])
    if not ent.empty:
        n = ent["patents"].iloc[0]
        parts.append(
            f"Enterprises filed {format_count(n, lang='en')} {plural(n, 'application')}, "
            f"{_pct(ent['share_pct'].iloc[0])} of the total. "
        )
    if not math.isnan(mon.latest_yoy_pct):
        last = mon.monthly.iloc[-1]
        when = pd.Timestamp(last["month"])
        clause = change_clause(last["observed"], mon.latest_yoy_pct, lang="en")
        if clause:
            clause = clause.replace(" from the previous year", "") + " year on year"
            n = last["observed"]
            parts.append(
                f"In {_MONTHS[when.month - 1]} {when.year}, {format_count(n, lang='en')} {plural(n, 'application')} "
                f"{plural(n, 'was', 'were')} filed{clause}. "
            )
    return "".join(parts).rstrip()


# ---------------------------------------------------------------------------------------------------------
# Table notes in English: the notes of category_notes, totals_notes and coverage_notes from the same numbers
# ---------------------------------------------------------------------------------------------------------
#: :data:`KEYWORD_NOTES` in English.
KEYWORD_NOTES_EN = {
    "table": "Counting rule: by the classification table's own rules, an IPC symbol with a keyword condition counts "
    "a patent only when a keyword occurs in its title or abstract, or in its claims where the register has them; "
    'IPC symbols marked "partly covered" are candidates only and are not counted (parameter keywords = table).',
    "require": "Counting rule: an IPC symbol with a keyword condition counts a patent only when a keyword occurs in "
    'its title or abstract; the candidate IPC symbols marked "partly covered" are counted (parameter keywords = '
    "require), so the counts include the candidates and are higher than on the classification table's own rules.",
    "confirm": "Counting rule: every patent whose IPC symbols correspond to the classification table is counted, "
    'including those not meeting the keyword condition (IPC-only matches) and the "partly covered" candidates '
    "(parameter keywords = confirm): the counts are upper bounds, not statistics on the table's own rules.",
    "ignore": "Counting rule: patents are counted by IPC symbol only, without reading the keyword conditions or "
    "keyword exclusions (parameter keywords = ignore): the counts are upper bounds, not statistics on the table's "
    "own rules.",
}


def _issuer_en(issuer: str) -> str:
    """An issuer in English: ``国家知识产权局 (CNIPA)`` → ``CNIPA`` (its acronym), else its known English name,
    else as it is (its official name)."""
    acronym = re.fullmatch(r"[^()]*\(([A-Za-z][A-Za-z0-9 .&-]*)\)\s*", issuer)
    if has_cjk(issuer) and acronym:
        return acronym.group(1)
    return value(issuer)


def _system_label_en(mon: Monitoring) -> str:
    """:attr:`Monitoring.system_label` in English: the system's English name (else its official Chinese name),
    its edition, issuer and IPC edition (``… (2021, CNIPA, compiled on IPC 2021.01)``)."""
    name = mon.system_name_en or value(mon.system_name)
    label, head = mon.system_label, f"{mon.system_name}（"
    if not (label.startswith(head) and label.endswith("）")):  # not System.label()'s form
        return name if label == mon.system_name else value(label)
    inner = label[len(head) : -1]
    ipc = re.search(r"，按IPC (.+?)版编制\Z", inner)
    if ipc:
        inner = inner[: ipc.start()]
    edition, _, issuer = inner.partition("，")
    parts = [value(edition) if edition else "", _issuer_en(issuer) if issuer else ""]
    parts += [f"compiled on IPC {ipc.group(1)}"] if ipc else []
    parts = [p for p in parts if p]
    return f"{name} ({', '.join(parts)})" if parts else name


def _keyword_note_en(mon: Monitoring) -> str:
    """:func:`keyword_note` in English."""
    if not (mon.has_keywords or mon.has_candidates):
        return (
            "Counting rule: the classification table has IPC symbol rules only (no keyword conditions, no "
            '"partly covered" marks); patents are counted by IPC symbol.'
        )
    if mon.keywords != "table":
        return KEYWORD_NOTES_EN[mon.keywords]
    parts = (
        [
            "an IPC symbol with a keyword condition counts a patent only when a keyword occurs in its title or "
            "abstract, or in its claims where the register has them"
        ]
        if mon.has_keywords
        else []
    ) + (['IPC symbols marked "partly covered" are candidates only and are not counted'] if mon.has_candidates else [])
    return f"Counting rule: by the classification table's own rules, {'; '.join(parts)} (parameter keywords = table)."


def _drift_note_en(mon: Monitoring) -> str:
    """:func:`drift_note` in English (the edition is known)."""
    table = _reclassification(mon, lang="en")
    if not table:
        return (
            f"IPC edition difference: the classification table is based on IPC {mon.ipc_edition}; newer IPC "
            "symbols (created after that edition) were not mapped back to the symbols of that edition (parameter "
            "reclassify = none) and cannot be matched to the table."
        )
    return (
        f"IPC edition difference: the classification table is based on IPC {mon.ipc_edition}; newer IPC symbols "
        f"(created after that edition) are mapped back by {table} to their source symbols in that edition before "
        "being matched to the table; a category that corresponds to only some of the source symbols after mapping "
        "back is a candidate and is counted only in the upper bound."
    )


def _drift_listed_en(mon: Monitoring, level: int, flagged: list[str], mapped: bool) -> str:
    """The flagged categories with their shares: ``S1 (Electrical engineering: 7.4% counted through mapped-back
    IPC symbols, 1.6% carrying newer IPC symbols that cannot be matched)``, the first five, and how many."""
    names = mon.levels[level].set_index("category")["category_name"]
    drift = mon.drift[level]

    def shares(c: str) -> str:
        row = drift.loc[c]
        parts = [
            f"{row[column]:.1f}% {what}"
            for what, column in (
                ("counted through mapped-back IPC symbols", "mapped_pct"),
                ("carrying newer IPC symbols that cannot be matched", "newer_unmatched_pct"),
            )
            if row[column] > 0 and (mapped or column != "mapped_pct")
        ]
        return ", ".join(parts)

    items = []
    for c in flagged[:5]:
        name = _category_text_en(mon, c, names.get(c))
        if name.startswith(f"category {c} (") and name.endswith(")"):  # unnamed: by its code and branches
            items.append(f"{name[:-1]}; {shares(c)})")
        else:
            items.append(f"{c} ({name}: {shares(c)})")
    if len(flagged) > 5:
        return f"{'; '.join(items)}; and others, {len(flagged)} categories in all"
    return join_en(items, "; ")


def _category_notes_en(mon: Monitoring, level: int) -> list[str]:
    """:func:`category_notes` in English."""
    notes = [
        f"Classification: {_system_label_en(mon)}.",
        _keyword_note_en(mon),
        "Whole count: a patent counts once in each category it belongs to, so the categories add up to more than "
        "the number of patents and their shares overlap and cannot be added up; fractional count: a patent is "
        "split equally among its categories, which add up to the number of patents.",
        "Each growth rate is that of the number beside it: the growth rate of the whole count is computed on the "
        "whole count; that of the fractional count is shown separately and computed on the fractional count.",
    ]
    if "applications_upper" in mon.levels[level].columns:
        notes.append(
            "Upper bound (including IPC-only matches and candidates): every patent whose IPC symbols correspond to "
            "the classification table is counted, including those not meeting the keyword condition (IPC-only "
            'matches), the "partly covered" candidates and the candidates to which newer IPC symbols correspond '
            "through only some of their source symbols after mapping back; shown separately only as the upper end "
            "of the estimate range, not counted in the statistics."
        )
    if mon.ipc_edition:
        notes.append(_drift_note_en(mon))
    flagged = _flagged(mon, level)
    if flagged and mon.ipc_edition:
        mapped = bool(_reclassification(mon))
        counted = "counted only through mapped-back IPC symbols or " if mapped else ""
        approximate = "mapping back is an approximate concordance, and " if mapped else ""
        notes.append(
            f"Growth rates affected by the IPC edition: {_drift_listed_en(mon, level, flagged, mapped)}. Of the "
            f"{mon.year} applications of each, those {counted}carrying newer IPC symbols the table cannot match"
            f"{_newer_examples(mon, lang='en')} together make up {DRIFT_FLAG_PCT:g}% or more; {approximate}patents "
            "of the same technologies that carry only newer IPC symbols that cannot be matched are not counted, so the "
            "growth rates of these categories should be read with caution."
        )
    return notes


def _totals_notes_en(mon: Monitoring) -> list[str]:
    """:func:`totals_notes` in English."""
    notes = [
        f"Classification: {_system_label_en(mon)}.",
        _keyword_note_en(mon),
        "Growth rates are computed on the number of patents (each patent counted once).",
    ]
    if "patents_upper" in mon.totals.columns:
        notes.append(
            "Upper bound of the number of patents: includes the patents that are IPC-only matches (keyword "
            'condition not met), "partly covered" candidates and candidates after mapping back newer IPC symbols; '
            "shown separately, not counted in the statistics."
        )
    cov = mon.coverage.iloc[0]
    if mon.ipc_edition and cov.get("newer_patents", 0):
        newer, only = int(cov["newer_patents"]), int(cov["newer_only_patents"])
        mapped = ""
        if _reclassification(mon) and "mapped_patents" in cov.index:
            n = int(cov["mapped_patents"])
            mapped = (
                f"{n:,} {plural(n, 'has', 'have')} newer IPC symbols that correspond to the classification table "
                "once mapped back to the symbols of its edition, and "
            )
        notes.append(
            f"{_drift_note_en(mon)} {newer:,} {plural(newer, 'patent carries', 'patents carry')} newer IPC symbols "
            f"({cov['newer_patents_pct']:.1f}%); of these, {mapped}{only:,} {plural(only, 'carries', 'carry')} "
            f"only IPC symbols that cannot be matched{_newer_examples(mon, lang='en')} and "
            f"{plural(only, 'is', 'are')} not counted, so the number of patents and its growth rate may be "
            "understated."
        )
    return notes


def _coverage_notes_en(mon: Monitoring) -> list[str]:
    """:func:`coverage_notes` in English (the column names quoted as the English labels of :data:`LABELS` say)."""
    edition = f" (IPC {mon.ipc_edition})" if mon.ipc_edition else ""
    table = _reclassification(mon, lang="en")
    mapping = (
        f"newer IPC symbols matched after being mapped back to the older symbols by {table} are counted as "
        '"matched after mapping back", and those still unmatched after mapping back as "still unmatched"; '
        if table
        else "newer IPC symbols were not mapped back (parameter reclassify = none); "
    )
    return [
        "Computed on the patents of the same types in all years and their IPC symbols.",
        f"Newer IPC symbols: IPC symbols created after the IPC edition on which the classification table is based"
        f"{edition}, and so not in the table; {mapping}"
        '"Patents unmatched because of newer codes" are the patents that carry newer IPC symbols and have no IPC '
        "symbol matched by the table.",
    ]
