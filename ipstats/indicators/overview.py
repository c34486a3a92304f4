"""The national (or provincial) overview of a year: flows, stock, growth, per-capita ownership.

Functions take the small cubes returned by :mod:`ipstats.counting` and return publication tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ipstats import reference
from ipstats.counting import CountSpec, count_contributors, count_flows, count_valid_stock
from ipstats.indicators.formulas import growth_pct, share_pct
from ipstats.indicators.narrative import overview_paragraph
from ipstats.concordance.api import open_inputs
from ipstats.engines import as_runner, open_runner
from ipstats.register.io import read_population
from ipstats.register.origin import SCOPE_LABELS, scoped_view
from ipstats.register.regions import region_name
from ipstats.sdc import Rules

__all__ = [
    "PATENT_TYPE_ORDER",
    "Overview",
    "compute_overview",
    "origin_table",
    "per_10k_people",
    "province_table",
    "protect_provinces",
    "scope_table",
    "type_summary",
]

#: How applications are placed in a year (the notebook's ``application_basis``), and how the notes say it.
APPLICATION_BASES = {"filing": "按申请日统计", "receipt": "按受理年度（申请号中的年份）统计"}

#: Display order of patent types (专利类型); 合计 = all types.
TOTAL = "合计"
PATENT_TYPE_ORDER = ["发明", "实用新型", "外观设计", TOTAL]


def _pivot(cube: pd.DataFrame, year: int, name: str) -> pd.DataFrame:
    wide = cube.pivot_table(index="patent_type", columns="year", values="count", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=[year - 1, year], fill_value=0)
    wide.loc["合计"] = wide.sum()
    return pd.DataFrame(
        {name: wide[year].astype("int64"), f"{name}_growth_pct": growth_pct(wide[year], wide[year - 1])}
    )


def type_summary(applications: pd.DataFrame, grants: pd.DataFrame, stock: pd.DataFrame, year: int) -> pd.DataFrame:
    """Applications, grants and year-end valid stock by patent type, with growth on the previous year.

    Parameters
    ----------
    applications, grants, stock : pandas.DataFrame
        Cubes with columns ``year``, ``patent_type``, ``count`` covering *year* and *year - 1*
        (from :func:`ipstats.counting.count_flows` and :func:`ipstats.counting.count_valid_stock`).
    year : int
        Reference year.

    Returns
    -------
    pandas.DataFrame
        One row per patent type plus 合计: ``patent_type``, ``applications``, ``applications_growth_pct``,
        ``grants``, ``grants_growth_pct``, ``valid_stock``, ``valid_stock_growth_pct``.
    """
    table = pd.concat(
        [
            _pivot(applications, year, "applications"),
            _pivot(grants, year, "grants"),
            _pivot(stock, year, "valid_stock"),
        ],
        axis=1,
    )
    table = table.reindex([t for t in PATENT_TYPE_ORDER if t in table.index])
    for col in ("applications", "grants", "valid_stock"):
        table[col] = table[col].fillna(0).astype("int64")
    return table.rename_axis("patent_type").reset_index()


#: Label of everything the office received, granted or holds (all origins).
NATIONWIDE = "全国"


def scope_table(con, year: int, application_basis: str = "filing", view: str = "register_scoped") -> pd.DataFrame:
    """全国 and its three parts — 国内（不含港澳台）, 港澳台, 国外 — by patent type, with growth.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Holding *view*, the register with its ``scope`` column (:func:`ipstats.register.origin.scoped_view`).
    year : int
        Reference year (growth on *year* − 1).
    application_basis : {"filing", "receipt"}
        What places an application in a year (:data:`APPLICATION_BASES`).
    view : str
        The scoped register view.

    Returns
    -------
    pandas.DataFrame
        ``scope`` (全国 first, then the parts in CNIPA's order) and the columns of :func:`type_summary`; for
        every patent type and measure the three parts add up to 全国.
    """
    years = [year - 1, year]
    by = ("scope", "patent_type")
    cubes = {
        "applications": count_flows(con, "applications", years, by=by, view=view, reference_date=application_basis),
        "grants": count_flows(con, "grants", years, by=by, view=view),
        "valid_stock": count_valid_stock(con, years, by=by, view=view),
    }
    parts = [type_summary(*(c.drop(columns="scope") for c in cubes.values()), year).assign(scope=NATIONWIDE)]
    for key, label in SCOPE_LABELS.items():
        subset = [c[c["scope"] == key].drop(columns="scope") for c in cubes.values()]
        parts.append(type_summary(*subset, year).assign(scope=label))
    table = pd.concat(parts, ignore_index=True)
    return table[["scope", *[c for c in table.columns if c != "scope"]]]


def origin_table(con, year: int, top: int = 10, view: str = "register_scoped") -> pd.DataFrame:
    """Invention patents of first applicants from 港澳台 and abroad, by origin: the 国外 table's top countries.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Holding *view* (with ``origin`` and ``scope``).
    year : int
        Reference year.
    top : int
        Countries listed by name (by year-end valid inventions); the others are summed into 其他国家.

    Returns
    -------
    pandas.DataFrame
        ``scope`` (港澳台 / 国外), ``origin_code``, ``origin`` (Chinese name), ``invention_applications``,
        ``invention_grants``, ``valid_invention_patents`` and ``share_pct`` (of the scope's valid inventions).
    """
    names = reference.origins().query("alias_of == ''").set_index("origin_code")["name_zh"]
    inv = f"(SELECT * FROM {view} WHERE patent_type = '发明' AND scope IN ('hk_mo_tw', 'foreign'))"
    as_runner(con).view("abroad_inventions", f"SELECT * FROM {inv}")
    by = ("scope", "origin")
    measures = {
        "invention_applications": count_flows(con, "applications", [year], by=by, view="abroad_inventions"),
        "invention_grants": count_flows(con, "grants", [year], by=by, view="abroad_inventions"),
        "valid_invention_patents": count_valid_stock(con, [year], by=by, view="abroad_inventions"),
    }
    table = None
    for name, cube in measures.items():
        column = cube.groupby(["scope", "origin"])["count"].sum().rename(name)
        table = column.to_frame() if table is None else table.join(column, how="outer")
    columns = list(measures)
    if table is None or table.empty:
        return pd.DataFrame(columns=["scope", "origin_code", "origin", *columns, "share_pct"])
    table = table.fillna(0).astype("int64").reset_index()
    rows = []
    for key in ("hk_mo_tw", "foreign"):
        part = table[table["scope"] == key].sort_values(["valid_invention_patents", "origin"], ascending=[False, True])
        if key == "foreign" and len(part) > top:
            rest = part.iloc[top:][columns].sum()
            part = pd.concat(
                [part.iloc[:top], pd.DataFrame([{"scope": key, "origin": "", **rest.to_dict()}])], ignore_index=True
            )
        total = part["valid_invention_patents"].sum()
        part = part.assign(share_pct=share_pct(part["valid_invention_patents"], total))
        rows.append(part)
    out = pd.concat(rows, ignore_index=True).rename(columns={"origin": "origin_code"})
    out.insert(2, "origin", out["origin_code"].map(names).fillna("其他国家"))
    out["scope"] = out["scope"].map(SCOPE_LABELS)
    return out[["scope", "origin_code", "origin", *columns, "share_pct"]]


def per_10k_people(count: pd.Series | float, population_10k: pd.Series | float) -> pd.Series | float:
    """Patents per 10,000 people (每万人口拥有量): *count* divided by population in 万人."""
    return count / population_10k


def province_table(
    stock: pd.DataFrame, applications: pd.DataFrame, grants: pd.DataFrame, population: pd.DataFrame, year: int
) -> pd.DataFrame:
    """Valid invention patents per 10,000 people by province (每万人口发明专利拥有量), with flows and ranks.

    Parameters
    ----------
    stock : pandas.DataFrame
        Year-end valid invention patents: ``year``, ``province_code``, ``count`` for *year* and *year - 1*.
    applications, grants : pandas.DataFrame
        Invention applications and grants by ``year`` and ``province_code`` (``count``).
    population : pandas.DataFrame
        ``province_code``, ``year``, ``population_10k`` (万人).
    year : int
        Reference year.

    Returns
    -------
    pandas.DataFrame
        One row per province (all 31, zeros where nothing was counted), sorted by ``per_10k`` descending:
        ``province_code``, ``province``, ``region_zh``, ``invention_applications``, ``invention_grants``,
        ``valid_invention_patents``, ``valid_invention_growth_pct``, ``population_10k``, ``per_10k``,
        ``per_10k_previous``, ``rank``.

    Raises
    ------
    ValueError
        When the population table lacks a province for *year* or *year - 1*.
    """
    prov = reference.provinces()[["province_code", "name_zh", "region_zh"]].rename(columns={"name_zh": "province"})
    pop = population.assign(province_code=population["province_code"].astype(str).str.zfill(2))
    pop = pop.pivot_table(index="province_code", columns="year", values="population_10k", aggfunc="sum")
    for y in (year, year - 1):
        missing = (
            sorted(set(prov["province_code"]) - set(pop.index[pop.get(y, pd.Series(dtype=float)).notna()]))
            if y in pop.columns
            else list(prov["province_code"])
        )
        if missing:
            raise ValueError(f"population table has no {y} figure for province(s) {', '.join(missing)}")

    def by_prov(cube: pd.DataFrame, y: int) -> pd.Series:
        sel = cube[cube["year"] == y]
        return sel.groupby("province_code")["count"].sum().reindex(prov["province_code"], fill_value=0)

    table = prov.set_index("province_code")
    table["invention_applications"] = by_prov(applications, year)
    table["invention_grants"] = by_prov(grants, year)
    table["valid_invention_patents"] = by_prov(stock, year)
    previous = by_prov(stock, year - 1)
    table["valid_invention_growth_pct"] = growth_pct(table["valid_invention_patents"], previous)
    table["population_10k"] = pop[year].reindex(table.index)
    table["per_10k"] = per_10k_people(table["valid_invention_patents"], table["population_10k"])
    table["per_10k_previous"] = per_10k_people(previous, pop[year - 1].reindex(table.index))
    table["rank"] = table["per_10k"].rank(ascending=False, method="min").astype("int64")
    return table.reset_index().sort_values(["rank", "province_code"], ignore_index=True)


#: Province-table columns derived from each protected count: suppressed with it.
_DERIVED = {
    "valid_invention_patents": ["per_10k", "rank", "valid_invention_growth_pct"],
    "valid_invention_patents_previous": ["per_10k_previous", "valid_invention_growth_pct"],
}


def protect_provinces(
    provinces: pd.DataFrame,
    contributions: dict[str, pd.DataFrame],
    rules: dict | None = None,
    derived: dict[str, list[str]] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Disclosure control of the province table, for a register the policy declares confidential.

    The patent register is public by law (applications are published, grants announced, the 专利登记簿
    open to inspection), so :func:`compute_overview` calls this only when the parameter file says
    ``confidentiality: {register: confidential}`` (an internal extract holding unpublished data). The count
    columns are protected together, each with its national total published (:func:`ipstats.sdc.protect_columns`);
    columns derived from a suppressed count (per-10,000 figures, growth) are suppressed with it, and the
    published table is sorted by province code without ranks (ranks beside a suppressed cell would tell it).

    Parameters
    ----------
    provinces : pandas.DataFrame
        Output of :func:`province_table`.
    contributions : dict
        Measure name → ``province_code``, ``count``, ``contributors``, ``largest``, ``second``
        (:func:`ipstats.counting.count_contributors`); names are columns of *provinces* or keys of ``_DERIVED``.
    rules : dict, optional
        :class:`ipstats.sdc.Rules` fields; defaults otherwise.
    derived : dict, optional
        Count name → columns computed from it, suppressed with it (default: the overview's columns).

    Returns
    -------
    published : pandas.DataFrame
        *provinces* with suppressed cells missing (shown as ``—``).
    record : dict
        Rules, suppressed cells by status, and whether the interval audit passed.
    """
    from ipstats.sdc import protect_columns

    return protect_columns(
        provinces,
        "province_code",
        contributions,
        rules,
        _DERIVED if derived is None else derived,
        source="register",
        sort=True,
    )


def protect_type_summary(
    con, summary: pd.DataFrame, year: int, region: str, rules: dict | None = None, application_basis: str = "filing"
) -> tuple[pd.DataFrame, dict]:
    """Disclosure control of a province's by-type table, for a register the policy declares confidential.

    Each measure is protected over the patent types with the province's total (合计) published;
    growth rates are suppressed with their count. Applications are counted on *application_basis*, as in
    the table (:data:`APPLICATION_BASES`).
    """
    from ipstats.sdc import protect_columns

    contributions = {}
    for measure in ("applications", "grants", "valid_stock"):
        basis = application_basis if measure == "applications" else None
        spec = CountSpec(measure=measure, years=(year,), by=("patent_type",), region=region, reference_date=basis)
        contributions[measure] = count_contributors(con, spec)
    types = summary[summary["patent_type"] != TOTAL]
    published, record = protect_columns(
        types, "patent_type", contributions, rules, {m: [f"{m}_growth_pct"] for m in contributions}, source="register"
    )
    total = summary[summary["patent_type"] == TOTAL].astype({m: "Int64" for m in contributions})
    return pd.concat([published, total], ignore_index=True), record


@dataclass
class Overview:
    """Everything the overview notebook shows for one year and region."""

    year: int
    region: str
    region_name: str
    summary: pd.DataFrame
    provinces: pd.DataFrame
    trend: pd.DataFrame
    headline: dict
    paragraph: str
    provinces_published: pd.DataFrame | None = None
    disclosure: dict | None = None
    summary_published: pd.DataFrame | None = None
    summary_disclosure: dict | None = None
    application_basis: str = "filing"
    scopes: pd.DataFrame | None = None
    origins: pd.DataFrame | None = None

    @property
    def counting_note(self) -> str:
        """The note under the tables saying how each measure is counted (统计口径)."""
        return f"申请量{APPLICATION_BASES[self.application_basis]}，授权量按授权公告日统计，有效量为年末有效专利。"

    def key_numbers(self) -> str:
        """The headline numbers as stable text (checked by nbval: a change here is a change in the bulletin)."""
        lines = [f"{self.year} {self.region_name}"]
        for row in self.summary.itertuples():
            lines.append(f"{row.patent_type}: 申请 {row.applications}, 授权 {row.grants}, 年末有效 {row.valid_stock}")
        lines.append(f"每万人口发明专利拥有量: {self.headline['per_10k']:.2f}")
        return "\n".join(lines)


def compute_overview(
    register: str,
    population: str,
    year: int,
    region: str = "national",
    trend_years: int = 10,
    disclosure: dict | None = None,
    application_basis: str = "filing",
    lang: str = "zh",
    engine: str | dict | None = None,
) -> Overview:
    """Compute the overview of *year* for *region* from a register file and a population file.

    Parameters
    ----------
    register : str
        Path of the register (Parquet or CSV).
    population : str
        Path of the population table (CSV: ``province_code``, ``year``, ``population_10k``).
    year : int
        Reference year.
    region : str
        ``"national"`` or a GB/T 2260 province code.
    trend_years : int
        Number of years shown in the trend table (ending with *year*).
    disclosure : dict, optional
        Disclosure-control rules and the confidentiality policy (:class:`ipstats.sdc.Rules` fields). The
        register is public by law (the default policy): every table is published whole, 西藏 and 青海
        included. Only a register the policy declares confidential has its province table (and, in a
        province run, its by-type table) protected; the paragraph then uses only published cells.
    application_basis : {"filing", "receipt"}
        What places an application in a year: 申请日 (default) or 受理年度, the year digits of the
        application number (:data:`APPLICATION_BASES`; the notes say which).
    lang : {"zh", "en"}
        Language of :attr:`Overview.paragraph` (:func:`ipstats.indicators.narrative.overview_paragraph`); the
        tables, notes and :meth:`Overview.key_numbers` stay Chinese.
    engine : str or dict, optional
        Where the register is counted: ``"duckdb"`` (default) or Spark settings
        (:func:`ipstats.engines.engine_settings`); both run the same SQL and give identical tables.

    Returns
    -------
    Overview
    """
    if application_basis not in APPLICATION_BASES:
        raise ValueError(f"application_basis must be one of {', '.join(APPLICATION_BASES)}, got {application_basis!r}")
    basis = application_basis
    name = region_name(region)
    pop = read_population(population)
    with open_runner(engine or "duckdb") as con:  # a DuckDB or Spark runner: the counting SQL is the same
        open_inputs(con, register, register=True, classify=False)
        return _overview(con, pop, year, region, name, trend_years, disclosure, basis, lang)


def _overview(
    con, pop: pd.DataFrame, year: int, region, name: str, trend_years: int, disclosure, basis: str, lang: str
) -> Overview:
    """:func:`compute_overview` on a runner holding the ``register`` view."""
    years = [year - 1, year]
    apps = count_flows(con, "applications", years, region=region, reference_date=basis)
    grants = count_flows(con, "grants", years, region=region)
    stock = count_valid_stock(con, years, region=region)
    summary = type_summary(apps, grants, stock, year)

    inv = "patent_type = '发明'"
    con.view("inventions", f"SELECT * FROM register WHERE {inv}")
    by = ("province_code",)
    provinces = province_table(
        count_valid_stock(con, years, by=by, view="inventions"),
        count_flows(con, "applications", years, by=by, view="inventions", reference_date=basis),
        count_flows(con, "grants", years, by=by, view="inventions"),
        pop,
        year,
    )

    confidential = Rules.of(disclosure).is_confidential("register")
    contributions = (
        {}
        if not confidential
        else {
            "invention_applications": count_contributors(
                con, CountSpec(years=(year,), by=by, reference_date=basis), register="inventions"
            ),
            "invention_grants": count_contributors(
                con, CountSpec(measure="grants", years=(year,), by=by), register="inventions"
            ),
            "valid_invention_patents": count_contributors(
                con, CountSpec(measure="valid_stock", years=(year,), by=by), register="inventions"
            ),
            "valid_invention_patents_previous": count_contributors(
                con, CountSpec(measure="valid_stock", years=(year - 1,), by=by), register="inventions"
            ),
        }
    )
    if confidential:
        published, record = protect_provinces(provinces, contributions, disclosure)
    else:  # the register is public by law: every province is published
        published, record = provinces, None
    summary_published, summary_record = summary, None
    if confidential and region not in (None, "", "national"):
        summary_published, summary_record = protect_type_summary(con, summary, year, str(region), disclosure, basis)

    span = range(year - trend_years + 1, year + 1)
    trend = count_flows(con, "applications", span, region=region, reference_date=basis).assign(measure="applications")
    trend = pd.concat([trend, count_flows(con, "grants", span, region=region).assign(measure="grants")])
    trend = trend.pivot_table(
        index=["measure", "year"], columns="patent_type", values="count", fill_value=0, aggfunc="sum"
    )
    trend = trend.reindex(columns=[t for t in PATENT_TYPE_ORDER if t in trend.columns]).reset_index()
    trend = trend.rename_axis(columns=None)
    scopes = origins = None
    if region in (None, "", "national"):
        scoped_view(con)
        scopes = scope_table(con, year, basis)
        origins = origin_table(con, year)

    if region in (None, "", "national"):
        inv_now = provinces["valid_invention_patents"].sum()
        per = inv_now / provinces["population_10k"].sum()
        pop_prev = pop.loc[pop["year"] == year - 1].set_index("province_code")["population_10k"]
        stock_prev = provinces["per_10k_previous"] * pop_prev.reindex(provinces["province_code"]).to_numpy()
        per_prev = stock_prev.sum() / pop_prev.reindex(provinces["province_code"]).sum()
    else:
        row = provinces.set_index("province_code").loc[str(region)]
        per, per_prev = float(row["per_10k"]), float(row["per_10k_previous"])
    headline = {"region_name": name, "per_10k": float(per), "per_10k_previous": float(per_prev)}
    # a protected table publishes no ranks: the text quotes none either
    text_table = (
        published
        if "rank" in published.columns
        else published.assign(rank=pd.array([pd.NA] * len(published), dtype="Int64"))
    )
    paragraph = overview_paragraph(summary_published, text_table, year, region, headline, scopes, lang=lang)
    return Overview(
        year,
        str(region),
        name,
        summary,
        provinces,
        trend,
        headline,
        paragraph,
        published,
        record,
        summary_published,
        summary_record,
        basis,
        scopes,
        origins,
    )
