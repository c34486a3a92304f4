"""每万人口高价值发明专利拥有量 — the 14th Five-Year Plan indicator, nationally and by province.

CNIPA's definition: a high-value invention patent (高价值发明专利) is a valid invention patent of a
国内（不含港澳台） first applicant that meets any of five criteria —

1. ``sei`` — a strategic-emerging-industry invention patent (战略性新兴产业的发明专利), by the rules of
   《战略性新兴产业分类与国际专利分类参照关系表（2021）（试行）》 as the table states them (keyword conditions
   required, ``keywords="table"``, :mod:`ipstats.concordance`);
2. ``family`` — it has a patent right in an overseas family member (在海外有同族专利权): at the year end a
   member at an office other than CN (and other than WO, which grants nothing) is granted and not lapsed;
3. ``maintained`` — it has been maintained for more than 10 years (维持年限超过10年) at the year end, counted
   from the filing date (default) or the grant date: CNIPA does not say which, so it is a parameter;
4. ``pledge`` — it obtained a high pledge-financing amount (较高质押融资金额): a registration on or before the
   year end of at least ``pledge_threshold_10k_yuan`` 万元 (largest registration by default, or the sum of
   them); CNIPA publishes no threshold, so the default (1,000万元) is ipstats' assumption, stated in the notes;
5. ``award`` — it won a National Science and Technology Award or a China Patent Award (获得国家科学技术奖或
   中国专利奖) in or before the reference year.

A patent meeting several criteria counts once. The scope is the year-end valid stock (statutory term applied,
:func:`ipstats.counting.count_valid_stock`) of invention patents whose first applicant is 国内（不含港澳台）
(:func:`ipstats.register.origin.domestic_view`); per capita over the year-end resident population (万人).
Criteria whose input is not given are not evaluated, and every table says which were.

The register is counted once per year into a small cube (province × applicant type × the five criterion
flags); every publication table is a pure function of that cube.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ipstats.labels import labels
from ipstats import reference
from ipstats.counting import count_valid_stock
from ipstats.engines import as_runner, columns_of
from ipstats.engines.sql import sql_name
from ipstats.indicators.formulas import growth_pct, share_pct
from ipstats.indicators.narrative import SCOPES_EN, change_clause, format_count, half_up, join_en, ordinal, plural
from ipstats.language import check_lang, value

__all__ = [
    "APPLICANT_TYPE_ORDER",
    "CRITERIA",
    "HV_HEADLINE_LABELS",
    "HV_LABELS",
    "HighValue",
    "HighValueRules",
    "applicant_type_table",
    "award_patents",
    "compute_high_value",
    "criteria_columns",
    "criteria_cube",
    "criteria_table",
    "criteria_view",
    "family_patents",
    "high_value_paragraph",
    "maintained_sql",
    "national_table",
    "overlap_table",
    "pledge_patents",
    "province_table",
    "sei_patents",
]

#: The five criteria in CNIPA's order, with the labels tables and text use.
CRITERIA = {
    "sei": "战略性新兴产业发明专利",
    "family": "在海外有同族专利权",
    "maintained": "维持年限超过10年",
    "pledge": "实现较高质押融资金额",
    "award": "获得国家科学技术奖或中国专利奖",
}
#: Display order of applicant types.
APPLICANT_TYPE_ORDER = ["企业", "高校", "科研单位", "机关团体", "个人"]
TOTAL = "合计"
HV = "高价值发明专利"
_INPUT_OF = {"family": "patent_families", "pledge": "patent_pledges", "award": "patent_awards"}

#: Chinese column labels of the high-value tables (their ``per_10k`` is not the older indicator's): pass to
#: ``record_table(labels=…)`` and rename with them before ``show_table``.
HV_LABELS = labels(
    "zh",
    keys=(
        "indicator",
        "count",
        "count_previous",
        "growth_pct",
        "per_10k",
        "per_10k_previous",
        "per_10k_change",
        "share_of_valid_pct",
        "criterion",
        "label",
        "evaluated",
        "only_this",
        "share_of_high_value_pct",
        "combination",
        "criteria_met",
        "province_code",
        "province",
        "region_zh",
        "valid_invention_patents",
        "invention_per_10k",
        "high_value",
        "high_value_share_pct",
        "high_value_growth_pct",
        "population_10k",
        "rank",
        "rank_previous",
        "rank_change",
        "applicant_type",
        "share_pct",
        "high_value_share_of_valid_pct",
        "high_value_previous",
        "hv_sei",
        "hv_family",
        "hv_maintained",
        "hv_pledge",
        "hv_award",
        "sei",
        "family",
        "maintained",
        "pledge",
        "award",
    ),
    context="high_value",
)
#: Labels of the headline table (:func:`national_table`): its rows are two indicators (high-value and all valid
#: inventions), so its columns carry the indicator-neutral wording (拥有量, 每万人口拥有量), never one row's name.
HV_HEADLINE_LABELS = {
    **HV_LABELS,
    **labels("zh", keys=("count", "count_previous", "per_10k", "per_10k_previous"), context="hv_headline"),
}


def criteria_columns() -> list[str]:
    """The flag columns of the criteria view and cube: ``hv_sei``, ``hv_family``, …"""
    return [f"hv_{key}" for key in CRITERIA]


@dataclass(frozen=True)
class HighValueRules:
    """The parameters of the criteria that CNIPA has not published, with ipstats' defaults.

    Attributes
    ----------
    pledge_threshold_10k_yuan : float
        A pledge counts as 较高质押融资金额 from this amount (万元, inclusive). Default 1,000万元: an ipstats
        assumption, stated in the notes.
    pledge_aggregate : {"max", "sum"}
        Compare the largest registration (default) or the sum of the patent's registrations up to the year end.
    pledgee_types : tuple of str, optional
        Only registrations with these pledgee types count (default: all).
    maintained_years : int
        维持年限 must exceed this many years (10).
    maintained_from : {"filing", "grant"}
        Where 维持年限 starts: the filing date (申请日, default; CNIPA's 维持年限 statistics count from it) or the
        grant date (授权公告日).
    excluded_offices : tuple of str
        Offices whose members are not overseas patent rights (CN itself, WO international applications).
    sei_system : str
        Classification system of the SEI criterion.
    keywords : str
        Keyword strategy of the SEI criterion (``table``: the table's own rules).
    """

    pledge_threshold_10k_yuan: float = 1000.0
    pledge_aggregate: str = "max"
    pledgee_types: tuple[str, ...] | None = None
    maintained_years: int = 10
    maintained_from: str = "filing"
    excluded_offices: tuple[str, ...] = ("CN", "WO")
    sei_system: str = "cnipa_sei_2021"
    keywords: str = "table"

    def validate(self) -> "HighValueRules":
        """Raise ValueError with a plain message for a parameter outside its allowed values."""
        if not (isinstance(self.pledge_threshold_10k_yuan, (int, float)) and self.pledge_threshold_10k_yuan >= 0):
            raise ValueError(
                f"pledge_threshold_10k_yuan must be a number ≥ 0 (万元), got {self.pledge_threshold_10k_yuan!r}"
            )
        if self.pledge_aggregate not in ("max", "sum"):
            raise ValueError(f"pledge_aggregate must be 'max' or 'sum', got {self.pledge_aggregate!r}")
        if (
            not isinstance(self.maintained_years, int)
            or isinstance(self.maintained_years, bool)
            or not 1 <= self.maintained_years <= 19
        ):
            raise ValueError(f"maintained_years must be an integer from 1 to 19, got {self.maintained_years!r}")
        if self.maintained_from not in ("filing", "grant"):
            raise ValueError(f"maintained_from must be 'filing' or 'grant', got {self.maintained_from!r}")
        if self.keywords != "table":
            raise ValueError(
                f"the SEI criterion uses the table's own rules: keywords must be 'table', got {self.keywords!r}"
            )
        return self

    def notes(self, evaluated: dict[str, bool]) -> list[str]:
        """The table notes stating the scope, each criterion's rule and every parameter CNIPA has not published."""
        start = "申请日" if self.maintained_from == "filing" else "授权公告日"
        aggregate = "单次质押登记融资金额" if self.pledge_aggregate == "max" else "历次质押登记融资金额之和"
        pledgees = "、".join(self.pledgee_types) if self.pledgee_types else "全部质权人类型"
        offices = "、".join(self.excluded_offices)
        notes = [
            "高价值发明专利：国内（不含港澳台）第一申请人年末有效发明专利中符合以下任一标准者，同时符合多项标准的只计一次；"
            "每万人口高价值发明专利拥有量 = 高价值发明专利 ÷ 年末常住人口（万人）。",
            "战略性新兴产业发明专利：按《战略性新兴产业分类与国际专利分类参照关系表（2021）（试行）》本表规则认定"
            "（有关键词条件的分类号须名称或摘要含关键词）。",
            f"在海外有同族专利权：年末在中国以外的专利局（不含{offices}）已授权且未失效的同族成员。",
            f"维持年限超过{self.maintained_years}年：自{start}起至年末超过{self.maintained_years}年"
            f"（国家知识产权局未公布起算日，本表取{start}，参数 maintained_from）。",
            f"实现较高质押融资金额：截至年末{aggregate}不低于{self.pledge_threshold_10k_yuan:,.0f}万元（{pledgees}）；"
            "国家知识产权局未公布金额标准，该门槛为本表参数（pledge_threshold_10k_yuan）。",
            "获得国家科学技术奖或中国专利奖：截至当年已获奖。",
        ]
        missing = [CRITERIA[k] for k, ok in evaluated.items() if not ok]
        if missing:
            notes.append(f"未提供数据、未评估的标准：{'、'.join(missing)}；高价值发明专利拥有量为下限。")
        return notes


# --------------------------------------------------------------------------------------------- criteria


def _year_end(year: int) -> pd.Timestamp:
    return pd.Timestamp(year=int(year), month=12, day=31)


def family_patents(families: pd.DataFrame, year: int, excluded_offices: tuple[str, ...] = ("CN", "WO")) -> pd.Series:
    """Applications with an overseas family member granted and in force at the end of *year*.

    Parameters
    ----------
    families : pandas.DataFrame
        :func:`ipstats.indicators.high_value_inputs.families_from_frame` output.
    year : int
        Year end.
    excluded_offices : tuple of str
        Offices that are not overseas patent rights.

    Returns
    -------
    pandas.Series
        Distinct application numbers, sorted.
    """
    end = _year_end(year)
    lapse = pd.to_datetime(families["lapse_date"])
    keep = (
        ~families["office"].isin(excluded_offices)
        & (pd.to_datetime(families["grant_date"]) <= end)
        & (lapse.isna() | (lapse > end))
    )
    return pd.Series(sorted(set(families.loc[keep, "application_number"])), dtype=object, name="application_number")


def pledge_patents(
    pledges: pd.DataFrame,
    year: int,
    threshold_10k_yuan: float = 1000.0,
    aggregate: str = "max",
    pledgee_types: tuple[str, ...] | None = None,
) -> pd.Series:
    """Applications whose pledge financing up to the end of *year* reaches the threshold.

    Parameters
    ----------
    pledges : pandas.DataFrame
        :func:`ipstats.indicators.high_value_inputs.pledges_from_frame` output.
    year : int
        Year end: registrations dated on or before 31 December count.
    threshold_10k_yuan : float
        Amount (万元) from which a pledge is 较高 (inclusive).
    aggregate : {"max", "sum"}
        Largest registration, or the sum of the registrations.
    pledgee_types : tuple of str, optional
        Only these pledgee types count (default all).

    Returns
    -------
    pandas.Series
        Distinct application numbers, sorted.
    """
    rows = pledges[pd.to_datetime(pledges["date"]) <= _year_end(year)]
    if pledgee_types:
        rows = rows[rows["pledgee_type"].isin(pledgee_types)]
    amounts = rows.groupby("application_number")["amount_10k_yuan"].agg(aggregate)
    return pd.Series(sorted(amounts.index[amounts >= threshold_10k_yuan]), dtype=object, name="application_number")


def award_patents(awards: pd.DataFrame, year: int) -> pd.Series:
    """Applications that won a National S&T Award or a China Patent Award in or before *year*."""
    won = awards.loc[awards["year"].astype("int64") <= int(year), "application_number"]
    return pd.Series(sorted(set(won)), dtype=object, name="application_number")


def maintained_sql(year: int, years: int = 10, start: str = "filing", alias: str = "r") -> str:
    """SQL condition: the patent's 维持年限 at 31 December *year* exceeds *years* (from filing or grant).

    A patent filed on 2013-12-31 has been maintained exactly 10 years at 2023-12-31 (not more); one filed a
    day earlier, more than 10 years.
    """
    column = {"filing": "filing_date", "grant": "grant_date"}[start]
    return f"(CAST({alias}.{column} AS DATE) + INTERVAL {int(years)} YEAR < DATE '{int(year):04d}-12-31')"


def sei_patents(
    con: duckdb.DuckDBPyConnection,
    links: str,
    texts: str | None,
    system: str = "cnipa_sei_2021",
    keywords: str = "table",
    name: str = "hv_sei",
    cache: str | None = None,
) -> str:
    """Create table *name* (``patent_id``): the patents of *links* in any category of the SEI table.

    *con* is a DuckDB connection or a runner (:func:`ipstats.engines.open_runner`).

    Classification by :func:`ipstats.concordance.classify_table` with the table's own rules
    (``keywords="table"``: a keyword condition must be met in the title or abstract of *texts*). *cache* is the
    identity of *links* and *texts* (:func:`ipstats.concordance.api.register_key`): the classification is then
    made once and shared (:mod:`ipstats.concordance.cache`).
    """
    from ipstats.concordance import classify_table, load_system
    from ipstats.concordance.engine import patents_sql

    classified = classify_table(
        con, load_system(system), links, texts, keywords=keywords, name=f"{name}_classified", cache=cache
    )
    as_runner(con).table(name, patents_sql(classified))
    return name


def criteria_view(
    con: duckdb.DuckDBPyConnection,
    year: int,
    source: str,
    sei: str | None,
    flags: dict[str, pd.Series | None],
    rules: HighValueRules = HighValueRules(),
    view: str | None = None,
) -> str:
    """Create a view of *source* with one boolean column per criterion (:func:`criteria_columns`) for *year*.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection or runner
        Where *source* is (DuckDB or Spark: the same SQL).
    year : int
        Year end the criteria are judged at (维持年限, family members in force, pledges and awards so far).
    source : str
        View of the patents in scope (domestic invention patents).
    sei : str or None
        Table of SEI patents (:func:`sei_patents`); None: criterion not evaluated (FALSE).
    flags : dict
        ``family``, ``pledge``, ``award`` → application numbers meeting them at *year* (from
        :func:`family_patents`, :func:`pledge_patents`, :func:`award_patents`), or None when not evaluated.
    rules : HighValueRules
    view : str, optional
        Name of the view (default ``hv_criteria_<year>``).

    Returns
    -------
    str
        The view's name.
    """
    view = view or f"hv_criteria_{int(year)}"
    run = as_runner(con)
    columns = columns_of(run, source)
    kept = [c for c in columns if c not in criteria_columns()]  # an extract's own columns of those names: ours win
    rest = ", ".join(f"r.{sql_name(c, run.dialect)}" for c in kept)
    joins, exprs = [], {}
    exprs["hv_sei"] = "(s.patent_id IS NOT NULL)" if sei else "FALSE"
    if sei:
        joins.append(f"LEFT JOIN {sei} s ON s.patent_id = r.application_number")
    for key in ("family", "pledge", "award"):
        numbers = flags.get(key)
        if numbers is None:
            exprs[f"hv_{key}"] = "FALSE"
            continue
        table = f"_hv_{key}_{int(year)}"
        distinct = pd.Series(pd.unique(pd.Series(numbers, dtype=object).dropna()), dtype=object)
        run.put(table, pd.DataFrame({"application_number": distinct}, dtype=object))
        joins.append(f"LEFT JOIN {table} {key[0]}x ON {key[0]}x.application_number = r.application_number")
        exprs[f"hv_{key}"] = f"({key[0]}x.application_number IS NOT NULL)"
    exprs["hv_maintained"] = maintained_sql(year, rules.maintained_years, rules.maintained_from)
    select = ", ".join(f"{exprs[c]} AS {c}" for c in criteria_columns())
    run.view(view, f"SELECT {rest}, {select} FROM {source} r {' '.join(joins)}")
    return view


def criteria_cube(con: duckdb.DuckDBPyConnection, year: int, view: str) -> pd.DataFrame:
    """Year-end valid stock of *view* by province, applicant type and the five criterion flags.

    Counted by :func:`ipstats.counting.count_valid_stock` (granted by 31 December, not lapsed, within the
    statutory term). Returns ``year``, ``province_code``, ``applicant_type``, the flag columns and ``count``.
    """
    cube = count_valid_stock(con, [year], by=("province_code", "applicant_type", *criteria_columns()), view=view)
    for column in criteria_columns():
        cube[column] = cube[column].astype(bool)
    return cube


# --------------------------------------------------------------------------------------------- tables


def _any(cube: pd.DataFrame) -> pd.Series:
    return cube[criteria_columns()].any(axis=1)


def _per_10k(count: float, population_10k: float) -> float:
    return float(count) / float(population_10k) if population_10k else float("nan")


def _population(population: pd.DataFrame, year: int, provinces: list[str] | None = None) -> float:
    pop = population[population["year"] == year]
    if provinces is not None:
        pop = pop[pop["province_code"].astype(str).isin(provinces)]
    return float(pop["population_10k"].sum())


def national_table(
    now: pd.DataFrame, previous: pd.DataFrame, population: pd.DataFrame, year: int, region: str | None = None
) -> pd.DataFrame:
    """The headline: 每万人口高价值发明专利拥有量 beside 每万人口发明专利拥有量, with the previous year.

    Parameters
    ----------
    now, previous : pandas.DataFrame
        :func:`criteria_cube` of *year* and *year* − 1.
    population : pandas.DataFrame
        ``province_code``, ``year``, ``population_10k`` (万人).
    year : int
    region : str, optional
        ``"national"``/None for the 31 provinces, or a province code.

    Returns
    -------
    pandas.DataFrame
        Two rows (高价值发明专利, 有效发明专利): ``indicator``, ``count``, ``count_previous``, ``growth_pct``,
        ``per_10k``, ``per_10k_previous``, ``per_10k_change``, ``share_of_valid_pct``.
    """
    provinces = None if region in (None, "", "national") else [str(region)]
    if provinces:
        now = now[now["province_code"] == provinces[0]]
        previous = previous[previous["province_code"] == provinces[0]]
    pop_now, pop_prev = _population(population, year, provinces), _population(population, year - 1, provinces)
    valid_now, valid_prev = now["count"].sum(), previous["count"].sum()
    hv_now, hv_prev = now.loc[_any(now), "count"].sum(), previous.loc[_any(previous), "count"].sum()
    rows = []
    for name, n, p, share in (
        (f"每万人口{HV}拥有量", hv_now, hv_prev, share_pct(hv_now, valid_now)),
        ("每万人口发明专利拥有量", valid_now, valid_prev, 100.0 if valid_now else np.nan),
    ):
        per, per_prev = _per_10k(n, pop_now), _per_10k(p, pop_prev)
        rows.append(
            {
                "indicator": name,
                "count": int(n),
                "count_previous": int(p),
                "growth_pct": growth_pct(n, p),
                "per_10k": per,
                "per_10k_previous": per_prev,
                "per_10k_change": per - per_prev,
                "share_of_valid_pct": share,
            }
        )
    return pd.DataFrame(rows)


def criteria_table(now: pd.DataFrame, previous: pd.DataFrame, evaluated: dict[str, bool]) -> pd.DataFrame:
    """Each criterion's contribution: patents meeting it, meeting it alone, shares, growth.

    Parameters
    ----------
    now, previous : pandas.DataFrame
        :func:`criteria_cube` of the year and the year before (already restricted to a region if wanted).
    evaluated : dict
        Criterion key → whether its input was given; counts of criteria not evaluated are missing.

    Returns
    -------
    pandas.DataFrame
        One row per criterion and a last row for 高价值发明专利 (any criterion, counted once): ``criterion``,
        ``label``, ``evaluated`` (是/否), ``count``, ``only_this``, ``share_of_high_value_pct`` (shares overlap:
        they add up to more than 100), ``share_of_valid_pct``, ``count_previous``, ``growth_pct``.
    """
    cols = criteria_columns()
    hv_now = now.loc[_any(now), "count"].sum()
    valid_now = now["count"].sum()
    n_met = now[cols].sum(axis=1)
    rows = []
    for key, column in zip(CRITERIA, cols):
        ok = bool(evaluated.get(key, False))
        n = now.loc[now[column], "count"].sum()
        p = previous.loc[previous[column], "count"].sum()
        only = now.loc[now[column] & (n_met == 1), "count"].sum()
        rows.append(
            {
                "criterion": key,
                "label": CRITERIA[key],
                "evaluated": "是" if ok else "否",
                "count": n if ok else np.nan,
                "only_this": only if ok else np.nan,
                "share_of_high_value_pct": share_pct(n, hv_now) if ok else np.nan,
                "share_of_valid_pct": share_pct(n, valid_now) if ok else np.nan,
                "count_previous": p if ok else np.nan,
                "growth_pct": growth_pct(n, p) if ok else np.nan,
            }
        )
    hv_prev = previous.loc[_any(previous), "count"].sum()
    rows.append(
        {
            "criterion": "any",
            "label": f"{HV}（符合任一标准）",
            "evaluated": "是" if all(evaluated.values()) else "部分",
            "count": hv_now,
            "only_this": np.nan,
            "share_of_high_value_pct": 100.0 if hv_now else np.nan,
            "share_of_valid_pct": share_pct(hv_now, valid_now),
            "count_previous": hv_prev,
            "growth_pct": growth_pct(hv_now, hv_prev),
        }
    )
    table = pd.DataFrame(rows)
    for column in ("count", "only_this", "count_previous"):
        table[column] = table[column].astype("Int64")
    return table


def overlap_table(now: pd.DataFrame) -> pd.DataFrame:
    """High-value patents by the exact combination of criteria they meet (the bars of an UpSet chart).

    Returns
    -------
    pandas.DataFrame
        One row per combination met by at least one patent, largest first: ``combination`` (labels joined by
        ＋), the flag columns, ``criteria_met``, ``count``, ``share_of_high_value_pct``; the counts add up to the
        high-value total.
    """
    cols = criteria_columns()
    hv = now[_any(now)]
    if hv.empty:
        return pd.DataFrame(columns=["combination", *cols, "criteria_met", "count", "share_of_high_value_pct"])
    combos = hv.groupby(cols, as_index=False)["count"].sum()
    combos["criteria_met"] = combos[cols].sum(axis=1).astype("int64")
    labels = list(CRITERIA.values())
    combos.insert(
        0, "combination", combos[cols].apply(lambda r: "＋".join(name for name, f in zip(labels, r) if f), axis=1)
    )
    combos["share_of_high_value_pct"] = share_pct(combos["count"], combos["count"].sum())
    return combos.sort_values(["count", "combination"], ascending=[False, True], ignore_index=True)


def province_table(now: pd.DataFrame, previous: pd.DataFrame, population: pd.DataFrame, year: int) -> pd.DataFrame:
    """每万人口高价值发明专利拥有量 by province, beside 每万人口发明专利拥有量, with rank, change and criteria.

    Parameters
    ----------
    now, previous : pandas.DataFrame
        National :func:`criteria_cube` of *year* and *year* − 1.
    population : pandas.DataFrame
        ``province_code``, ``year``, ``population_10k`` (万人) for both years and all 31 provinces.
    year : int

    Returns
    -------
    pandas.DataFrame
        One row per province (all 31), by rank: ``province_code``, ``province``, ``region_zh``,
        ``valid_invention_patents``, ``invention_per_10k`` (the older indicator), ``high_value``,
        ``high_value_share_pct``, ``high_value_growth_pct``, ``population_10k``, ``per_10k``, ``per_10k_previous``,
        ``per_10k_change``, ``rank``, ``rank_previous``, ``rank_change`` (places gained: previous − current), and
        one count per criterion (``sei`` … ``award``; a patent may count in several).

    Raises
    ------
    ValueError
        When the population table lacks a province for *year* or *year* − 1.
    """
    prov = reference.provinces()[["province_code", "name_zh", "region_zh"]].rename(columns={"name_zh": "province"})
    codes = prov["province_code"].tolist()
    pop = population.assign(province_code=population["province_code"].astype(str))
    pop = pop.pivot_table(index="province_code", columns="year", values="population_10k", aggfunc="sum")
    for y in (year, year - 1):
        have = set(pop.index[pop[y].notna()]) if y in pop.columns else set()
        missing = sorted(set(codes) - have)
        if missing:
            raise ValueError(f"population table has no {y} figure for province(s) {', '.join(missing)}")

    def by_prov(cube: pd.DataFrame, mask: pd.Series | None = None) -> pd.Series:
        sel = cube if mask is None else cube[mask]
        return sel.groupby("province_code")["count"].sum().reindex(codes, fill_value=0).astype("int64")

    table = prov.set_index("province_code")
    table["valid_invention_patents"] = by_prov(now)
    table["population_10k"] = pop[year].reindex(codes)
    table["invention_per_10k"] = table["valid_invention_patents"] / table["population_10k"]
    table["high_value"] = by_prov(now, _any(now))
    table["high_value_share_pct"] = share_pct(table["high_value"], table["valid_invention_patents"])
    hv_prev = by_prov(previous, _any(previous))
    table["high_value_growth_pct"] = growth_pct(table["high_value"], hv_prev)
    table["per_10k"] = table["high_value"] / table["population_10k"]
    table["per_10k_previous"] = hv_prev / pop[year - 1].reindex(codes)
    table["per_10k_change"] = table["per_10k"] - table["per_10k_previous"]
    table["rank"] = table["per_10k"].rank(ascending=False, method="min").astype("int64")
    table["rank_previous"] = table["per_10k_previous"].rank(ascending=False, method="min").astype("int64")
    table["rank_change"] = table["rank_previous"] - table["rank"]
    for key, column in zip(CRITERIA, criteria_columns()):
        table[key] = by_prov(now, now[column])
    return table.reset_index().sort_values(["rank", "province_code"], ignore_index=True)


def applicant_type_table(now: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """High-value invention patents by applicant type (企业, 高校, 科研单位, 机关团体, 个人) and 合计.

    Returns
    -------
    pandas.DataFrame
        ``applicant_type``, ``high_value``, ``share_pct`` (of all high-value patents), ``valid_invention_patents``,
        ``high_value_share_of_valid_pct``, ``high_value_previous``, ``growth_pct``.
    """

    def by_type(cube: pd.DataFrame, hv_only: bool) -> pd.Series:
        sel = cube[_any(cube)] if hv_only else cube
        return sel.groupby("applicant_type")["count"].sum()

    types = [t for t in APPLICANT_TYPE_ORDER if t in set(now["applicant_type"]) | set(previous["applicant_type"])]
    types += sorted((set(now["applicant_type"]) | set(previous["applicant_type"])) - set(types) - {None})
    hv, valid, prev = (
        by_type(now, True).reindex(types, fill_value=0),
        by_type(now, False).reindex(types, fill_value=0),
        by_type(previous, True).reindex(types, fill_value=0),
    )
    table = pd.DataFrame(
        {
            "applicant_type": types,
            "high_value": hv.to_numpy(),
            "valid_invention_patents": valid.to_numpy(),
            "high_value_previous": prev.to_numpy(),
        }
    )
    table.loc[len(table)] = [TOTAL, int(hv.sum()), int(valid.sum()), int(prev.sum())]
    total = hv.sum()
    table["share_pct"] = share_pct(table["high_value"], total)
    table["high_value_share_of_valid_pct"] = share_pct(table["high_value"], table["valid_invention_patents"])
    table["growth_pct"] = growth_pct(table["high_value"], table["high_value_previous"])
    table = table.astype({"high_value": "int64", "valid_invention_patents": "int64", "high_value_previous": "int64"})
    return table[
        [
            "applicant_type",
            "high_value",
            "share_pct",
            "valid_invention_patents",
            "high_value_share_of_valid_pct",
            "high_value_previous",
            "growth_pct",
        ]
    ]


# --------------------------------------------------------------------------------------------- text


def _change_words(now: float, previous: float, digits: int = 1) -> str:
    """``较上年提高2.4件`` / ``较上年减少0.3件`` / ``与上年持平`` from the rounded values ('' when undefined)."""
    if previous is None or math.isnan(previous):
        return ""
    diff = round(half_up(now, digits) - half_up(previous, digits), digits)  # 四舍五入, as printed
    if diff > 0:
        return f"，较上年提高{diff:.{digits}f}件"
    if diff < 0:
        return f"，较上年减少{-diff:.{digits}f}件"
    return "，与上年持平"


def high_value_paragraph(
    national: pd.DataFrame,
    criteria: pd.DataFrame,
    provinces: pd.DataFrame,
    applicants: pd.DataFrame,
    year: int,
    region: str | None = None,
    region_name: str = "全国",
    lang: str = "zh",
) -> str:
    """The paragraph in CNIPA's wording, Chinese or English (``lang="en"``); every number comes from the tables.

    Parameters
    ----------
    national : pandas.DataFrame
        :func:`national_table` of the region.
    criteria : pandas.DataFrame
        :func:`criteria_table` of the region.
    provinces : pandas.DataFrame
        :func:`province_table` (national).
    applicants : pandas.DataFrame
        :func:`applicant_type_table` of the region.
    year : int
    region : str, optional
        ``"national"``/None or a province code.
    region_name : str
        Name of the region.
    lang : {"zh", "en"}
        The language: the English states the numbers of the Chinese, rounded alike.
    """
    if check_lang(lang) == "en":
        return _paragraph_en(national, criteria, provinces, applicants, year, region, region_name)
    hv = national.iloc[0]
    old = national.iloc[1]
    national_run = region in (None, "", "national")
    who = "我国国内（不含港澳台）" if national_run else region_name
    share = "" if pd.isna(hv["share_of_valid_pct"]) else f"，占有效发明专利的{hv['share_of_valid_pct']:.1f}%"
    parts = [
        f"截至{year}年底，{who}高价值发明专利拥有量{format_count(hv['count'])}"
        f"{change_clause(hv['count'], hv['growth_pct'], versus='上年')}{share}；"
        f"每万人口高价值发明专利拥有量{'达到' if hv['per_10k'] > 0 else '为'}{hv['per_10k']:.1f}件"
        f"{_change_words(hv['per_10k'], hv['per_10k_previous'])}"
        f"（每万人口发明专利拥有量{old['per_10k']:.1f}件）。"
    ]
    if not national_run:
        row = provinces.set_index("province_code").loc[str(region)]
        move = int(row["rank_change"])
        moved = f"，比上年上升{move}位" if move > 0 else f"，比上年下降{-move}位" if move < 0 else "，位次与上年相同"
        parts.append(f"{region_name}每万人口高价值发明专利拥有量居全国第{int(row['rank'])}位{moved}。")
    shown = criteria[(criteria["criterion"] != "any") & (criteria["evaluated"] == "是")]
    if len(shown):
        clauses = [
            f"{r.label}{format_count(r.count)}"
            + ("" if pd.isna(r.share_of_high_value_pct) else f"，占高价值发明专利的{r.share_of_high_value_pct:.1f}%")
            for r in shown.itertuples()
        ]
        overlap = "（一件专利可同时符合多项标准，比重之和超过100%）" if _overlap(shown, criteria) else ""
        parts.append("按标准看，" + "；".join(clauses) + overlap + "。")
    missing = criteria[(criteria["criterion"] != "any") & (criteria["evaluated"] == "否")]
    if len(missing):
        parts.append(f"{'、'.join(missing['label'])}未提供数据，未计入。")
    firms = applicants[applicants["applicant_type"] == "企业"]
    if len(firms) and firms["high_value"].iloc[0] > 0:
        parts.append(
            f"企业拥有高价值发明专利{format_count(firms['high_value'].iloc[0])}，占{firms['share_pct'].iloc[0]:.1f}%。"
        )
    if national_run:
        top = provinces.nsmallest(3, "rank")
        listed = [f"{r.province}（{r.per_10k:.1f}件）" for r in top.itertuples()]
        if len(listed) == 3:
            parts.append(f"每万人口高价值发明专利拥有量居前三位的是{'、'.join(listed[:-1])}和{listed[-1]}。")
    return "".join(parts)


#: The criteria in English running text: what a patent meeting it did (``{were}``: the count's verb), and the
#: criterion's name in a list of criteria without data (wording of CNIPA's definition).
CRITERIA_EN = {
    "sei": ("{were} strategic emerging industry invention patents", "strategic emerging industries"),
    "family": ("had a patent right in an overseas family member", "overseas family patent rights"),
    "maintained": ("had been maintained for more than 10 years", "maintenance for more than 10 years"),
    "pledge": ("had obtained a high pledge-financing amount", "high pledge financing"),
    "award": (
        "had won a National Science and Technology Award or a China Patent Award",
        "National Science and Technology Awards or China Patent Awards",
    ),
}


def _change_words_en(now: float, previous: float, digits: int = 1) -> str:
    """``, up 2.4 from the previous year`` / ``, down 0.3 …`` / ``, unchanged …``: :func:`_change_words` in English."""
    if previous is None or math.isnan(previous):
        return ""
    diff = round(half_up(now, digits) - half_up(previous, digits), digits)
    if diff > 0:
        return f", up {diff:.{digits}f} from the previous year"
    if diff < 0:
        return f", down {-diff:.{digits}f} from the previous year"
    return ", unchanged from the previous year"


def _overlap(shown: pd.DataFrame, criteria: pd.DataFrame) -> bool:
    """Whether some high-value patent meets several of the evaluated criteria *shown* (their counts add up to more
    than the patents meeting any, the ``any`` row of *criteria*): only then do their shares add up to more than
    100%."""
    whole = criteria.loc[criteria["criterion"] == "any", "count"]
    return bool(len(whole)) and float(shown["count"].fillna(0).sum()) > float(whole.fillna(0).iloc[0])


def _paragraph_en(
    national: pd.DataFrame,
    criteria: pd.DataFrame,
    provinces: pd.DataFrame,
    applicants: pd.DataFrame,
    year: int,
    region: str | None,
    region_name: str,
) -> str:
    """The English of :func:`high_value_paragraph`, sentence by sentence, with the same numbers."""
    hv = national.iloc[0]
    old = national.iloc[1]
    national_run = region in (None, "", "national")
    name = value(region_name)
    # 我国国内（不含港澳台）: the national figure counts domestic first applicants only
    who, domestic = ("China", f"{SCOPES_EN['国内（不含港澳台）']} ") if national_run else (name, "")
    count = hv["count"]
    share = "" if pd.isna(hv["share_of_valid_pct"]) else f", {hv['share_of_valid_pct']:.1f}% of valid invention patents"
    parts = [
        f"At the end of {year}, {who} had {format_count(count, lang='en')} {domestic}high-value invention "
        f"{plural(count, 'patent')}"
        f"{change_clause(count, hv['growth_pct'], versus='the previous year', lang='en')}{share}; "
        f"high-value invention patents per 10,000 people {'reached' if hv['per_10k'] > 0 else 'were'} "
        f"{hv['per_10k']:.1f}"
        f"{_change_words_en(hv['per_10k'], hv['per_10k_previous'])} "
        f"(valid invention patents per 10,000 people: {old['per_10k']:.1f}). "
    ]
    if not national_run:
        row = provinces.set_index("province_code").loc[str(region)]
        move = int(row["rank_change"])
        moved = (
            f", up {move} {plural(move, 'place')} from the previous year"
            if move > 0
            else f", down {-move} {plural(-move, 'place')} from the previous year"
            if move < 0
            else ", unchanged from the previous year"
        )
        parts.append(
            f"{name} ranked {ordinal(row['rank'])} in China in high-value invention patents per 10,000 people{moved}. "
        )
    shown = criteria[(criteria["criterion"] != "any") & (criteria["evaluated"] == "是")]
    if len(shown):
        clauses, of = [], " of high-value invention patents"  # said with the first share, understood after it
        for r in shown.itertuples():
            what = CRITERIA_EN[r.criterion][0].format(were=plural(r.count, "was", "were"))
            share = ""
            if not pd.isna(r.share_of_high_value_pct):
                share, of = f" ({r.share_of_high_value_pct:.1f}%{of})", ""
            clauses.append(f"{format_count(r.count, lang='en')} {what}{share}")
        overlap = (
            "; a patent may meet several criteria, so the shares add up to more than 100%"
            if _overlap(shown, criteria)
            else ""
        )
        parts.append(f"By criterion, {join_en(clauses, '; ')}{overlap}. ")
    missing = criteria[(criteria["criterion"] != "any") & (criteria["evaluated"] == "否")]
    if len(missing):
        names = [CRITERIA_EN[k][1] for k in missing["criterion"]]
        these = "this criterion is" if len(names) == 1 else "these criteria are"
        parts.append(f"No data were provided for {join_en(names)}: {these} not counted. ")
    firms = applicants[applicants["applicant_type"] == "企业"]
    if len(firms) and firms["high_value"].iloc[0] > 0:
        n = firms["high_value"].iloc[0]
        parts.append(
            f"Enterprises held {format_count(n, lang='en')} high-value invention {plural(n, 'patent')}, "
            f"{firms['share_pct'].iloc[0]:.1f}% of the total. "
        )
    if national_run:
        top = provinces.nsmallest(3, "rank")
        listed = [f"{value(r.province)} ({r.per_10k:.1f})" for r in top.itertuples()]
        if len(listed) == 3:
            parts.append(
                "The top three provincial-level regions in high-value invention patents per 10,000 people were "
                f"{join_en(listed)}. "
            )
    return "".join(parts).rstrip()


# --------------------------------------------------------------------------------------------- orchestration


@dataclass
class HighValue:
    """Everything the overview shows of 每万人口高价值发明专利拥有量 for one year and region."""

    year: int
    region: str
    region_name: str
    rules: HighValueRules
    evaluated: dict[str, bool]
    national: pd.DataFrame
    criteria: pd.DataFrame
    overlaps: pd.DataFrame
    provinces: pd.DataFrame
    applicants: pd.DataFrame
    paragraph: str
    input_notes: list[str] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        """Table notes: scope, every criterion's rule, the unpublished thresholds, inputs not evaluated."""
        return self.rules.notes(self.evaluated) + self.input_notes

    def key_numbers(self) -> str:
        """The headline numbers as stable text (checked by nbval)."""
        hv, old = self.national.iloc[0], self.national.iloc[1]
        lines = [
            f"{self.year} {self.region_name} 国内（不含港澳台）",
            f"高价值发明专利: {int(hv['count'])} / 有效发明专利 {int(old['count'])} ({hv['share_of_valid_pct']:.2f}%)",
            f"每万人口高价值发明专利拥有量: {hv['per_10k']:.2f} (上年 {hv['per_10k_previous']:.2f})",
            f"每万人口发明专利拥有量: {old['per_10k']:.2f}",
        ]
        for r in self.criteria[self.criteria["criterion"] != "any"].itertuples():
            lines.append(f"{r.label}: {'未评估' if r.evaluated == '否' else int(r.count)}")
        return "\n".join(lines)


def _foreign_demo(register: str | Path, path: str | Path) -> bool:
    """Whether *path* is demo data (a demo folder's file) that does not belong to *register* (another folder).

    Synthetic families, pledges or awards must never be counted with another register: a notebook's default
    demo paths are then left out (the criterion is not evaluated and the notes say why).
    """
    from ipstats.register.demo import is_demo_file, is_demo_folder

    path = Path(path)
    folder = path.resolve().parent
    demo = is_demo_folder(folder) or is_demo_file(path, path.name)
    return demo and folder != Path(register).resolve().parent


def _unmatched_note(con, key: str, numbers: pd.Series) -> str | None:
    run = as_runner(con)
    distinct = pd.DataFrame({"application_number": pd.Series(sorted(set(numbers)), dtype=object)}, dtype=object)
    run.put("_hv_numbers", distinct)
    n = int(
        run.df(
            "SELECT COUNT(*) AS n FROM _hv_numbers d LEFT JOIN (SELECT DISTINCT application_number FROM register) r "
            "ON r.application_number = d.application_number WHERE r.application_number IS NULL"
        )["n"].iloc[0]
    )
    run.drop("_hv_numbers")
    if n:
        return f"{key}：{n:,}个申请号不在专利登记数据中，未计入。"
    return None


def compute_high_value(
    register: str | Path,
    population: str | Path,
    year: int,
    region: str = "national",
    patent_families: str | Path | None = None,
    patent_pledges: str | Path | pd.DataFrame | None = None,
    patent_awards: str | Path | None = None,
    rules: HighValueRules | dict | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    lang: str = "zh",
    engine: str | dict | None = None,
) -> HighValue:
    """Compute 每万人口高价值发明专利拥有量 of *year*, nationally and by province, from the register and the inputs.

    Parameters
    ----------
    register : path
        The patent register (its IPC links and texts drive the SEI criterion).
    population : path
        Year-end resident population by province (schema ``population``).
    year : int
        Reference year (change on *year* − 1).
    region : str
        ``"national"`` or a GB/T 2260 province code (the headline, criteria and applicant tables are the
        province's; the province table is always the 31 provinces).
    patent_families, patent_awards : path, optional
        Inputs of the family and award criteria (schemas ``patent_families``, ``patent_awards``); empty or None:
        criterion not evaluated.
    patent_pledges : path or DataFrame, optional
        Pledge registrations: a file (schema ``patent_pledges``) or a DataFrame with the columns of
        :func:`ipstats.indicators.high_value_inputs.pledges_from_frame` (e.g. from legal events).
    rules : HighValueRules or dict, optional
        Parameters of the criteria (defaults otherwise).
    con : duckdb.DuckDBPyConnection, optional
        Connection to open the register in (a new one by default); DuckDB only.
    lang : {"zh", "en"}
        Language of :attr:`HighValue.paragraph` (:func:`high_value_paragraph`); tables, notes and
        :meth:`HighValue.key_numbers` stay Chinese.
    engine : str or dict, optional
        Where the register is classified (the SEI criterion) and counted: ``"duckdb"`` (default) or Spark
        settings (:func:`ipstats.engines.engine_settings`); the tables are the same. The family, pledge and award
        inputs are read on the driver and only their application numbers sent to the engine.

    Returns
    -------
    HighValue
    """
    from ipstats.concordance.api import open_inputs, register_key
    from ipstats.engines import open_runner
    from ipstats.indicators import high_value_inputs as inputs
    from ipstats.register.regions import region_name as name_of
    from ipstats.register.io import read_population
    from ipstats.register.origin import domestic_view

    rules = HighValueRules(**rules) if isinstance(rules, dict) else (rules or HighValueRules())
    rules.validate()
    name = name_of(region)
    frames: dict[str, pd.DataFrame | None] = {}
    skipped: list[str] = []
    readers = {
        "family": (patent_families, inputs.read_families),
        "pledge": (patent_pledges, inputs.read_pledges),
        "award": (patent_awards, inputs.read_awards),
    }
    for key, (given, reader) in readers.items():
        if isinstance(given, pd.DataFrame):
            if key != "pledge":
                raise TypeError(f"{_INPUT_OF[key]} must be a file path")
            frames[key] = inputs.pledges_from_frame(given)
        elif given is None or str(given) == "":
            frames[key] = None
        elif _foreign_demo(register, given):
            frames[key] = None
            skipped.append(f"{_INPUT_OF[key]}：{given}为演示数据，不属于本专利登记数据，未使用。")
        else:
            frames[key] = reader(given)
    given = {k: v is not None for k, v in frames.items()}
    evaluated = {k: given.get(k, True) for k in CRITERIA}  # SEI and 维持年限 come from the register itself
    pop = read_population(population)

    with open_runner(engine or "duckdb", con) as run:
        texts, _ = open_inputs(run, register, register=True)
        notes = skipped + [
            n
            for key, frame in frames.items()
            if frame is not None
            for n in [_unmatched_note(run, _INPUT_OF[key], frame["application_number"])]
            if n
        ]
        source = domestic_view(run, "register", "hv_domestic")
        run.view("hv_inventions", f"SELECT * FROM {source} WHERE patent_type = '发明' AND grant_date IS NOT NULL")
        run.view(
            "hv_links",
            "SELECT l.patent_id, l.ipc FROM links l WHERE l.patent_id IN (SELECT application_number FROM hv_inventions)",
        )
        key = register_key(register, subset="hv_links: granted domestic inventions (hv_inventions)")
        sei = sei_patents(run, "hv_links", texts, rules.sei_system, rules.keywords, cache=key)
        cubes = {}
        for y in (year - 1, year):
            flags = {
                "family": None
                if frames["family"] is None
                else family_patents(frames["family"], y, rules.excluded_offices),
                "pledge": None
                if frames["pledge"] is None
                else pledge_patents(
                    frames["pledge"], y, rules.pledge_threshold_10k_yuan, rules.pledge_aggregate, rules.pledgee_types
                ),
                "award": None if frames["award"] is None else award_patents(frames["award"], y),
            }
            cubes[y] = criteria_cube(run, y, criteria_view(run, y, "hv_inventions", sei, flags, rules))

    now, prev = cubes[year], cubes[year - 1]
    provinces = province_table(now, prev, pop, year)
    if region not in (None, "", "national"):
        now, prev = now[now["province_code"] == str(region)], prev[prev["province_code"] == str(region)]
    national = national_table(now, prev, pop, year, None if region in (None, "", "national") else str(region))
    criteria = criteria_table(now, prev, evaluated)
    applicants = applicant_type_table(now, prev)
    paragraph = high_value_paragraph(national, criteria, provinces, applicants, year, region, name, lang=lang)
    return HighValue(
        year,
        str(region),
        name,
        rules,
        evaluated,
        national,
        criteria,
        overlap_table(now),
        provinces,
        applicants,
        paragraph,
        notes,
    )
