"""Indicators of patent-intensive products (专利密集型产品统计指标).

Small functions over the typed product table (:func:`ipstats.products.io.read_products`), the links
(:func:`ipstats.products.io.read_links`) and the linked patents' register rows. A *round* (批次) is the
filing year; a product counts in a round when it was recognised (认定) in it. Money is in 万元.

* :func:`rounds_summary` — filed, recognised, not passed, enterprises, output, sales, exports and export
  intensity by round, with growth on the previous round;
* :func:`panel_growth` — growth of all recognised products and of the same-product panel (products
  recognised in both rounds), so growth is not driven by new entrants;
* :func:`breakdown` — by GB/T 4754 section/division or province; product and enterprise counts are public
  (the recognised products are published), the money is enterprise-reported and confidential:
  :func:`protect_money` protects every money figure of every table of every run as one linked set
  (:func:`linked_money`; contributors are enterprises, identified by their credit code), and
  :func:`publish_breakdown`, :func:`publish_rounds`, :func:`publish_panel` publish a table by that pattern
  (:func:`protect_breakdown` protects one table on its own);
* :func:`patent_indicators` — patents per product, core patents per product, invention share, share
  of linked patents valid at year end;
* :func:`technology_categories` — SEI / digital / green categories of the linked patents;
* :func:`enterprise_concentration` — top-n shares and the Herfindahl–Hirschman index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ipstats import reference
from ipstats.indicators.formulas import growth_pct, hhi, share_pct, top_share_pct

if TYPE_CHECKING:
    from ipstats.sdc import Linked, Protection

__all__ = [
    "BREAKDOWNS",
    "MEASURES",
    "breakdown",
    "breakdown_contributions",
    "enterprise_concentration",
    "export_intensity",
    "linked_money",
    "money_key",
    "panel_growth",
    "patent_indicators",
    "protect_breakdown",
    "protect_money",
    "publish_breakdown",
    "publish_panel",
    "publish_rounds",
    "recognised",
    "rounds_summary",
    "sensitive_totals",
    "technology_categories",
    "total_row",
    "valid_at_year_end",
    "withhold_money",
]

#: Money measures of a product (万元).
MEASURES = ("output_value", "sales_revenue", "export_value")
#: Breakdown keys and the column holding their Chinese name.
BREAKDOWNS = {"section": "section_name", "division": "division_name", "province_code": "province"}
_GROWTH_NAMES = {
    "output_value": "output_growth_pct",
    "sales_revenue": "sales_growth_pct",
    "export_value": "export_growth_pct",
}


def recognised(products: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """Products recognised (认定) in round *year* (all rounds when None)."""
    sel = products["status"] == "认定"
    if year is not None:
        sel &= products["filing_year"] == year
    return products[sel]


def export_intensity(exports: pd.Series | float, sales: pd.Series | float) -> pd.Series | float:
    """Export intensity (出口交货值占销售收入比重, %): exports ÷ sales × 100; NaN where sales are 0 or missing."""
    return share_pct(exports, sales)


def rounds_summary(products: pd.DataFrame) -> pd.DataFrame:
    """Filings and recognised products by round with output, sales, exports and growth.

    Returns
    -------
    pandas.DataFrame
        One row per round (``filing_year`` ascending): ``filing_year``, ``filed``, ``recognised``,
        ``not_passed``, ``pending``, ``pass_rate_pct`` (recognised ÷ decided filings), ``enterprises``
        (distinct credit codes of recognised products), ``output_value``, ``sales_revenue``,
        ``export_value``, ``export_intensity_pct``, ``recognised_growth_pct``, ``output_growth_pct``,
        ``sales_growth_pct``, ``export_growth_pct`` (on the previous round year; NaN when absent).
    """
    years = sorted(products["filing_year"].dropna().unique())
    status = products.pivot_table(index="filing_year", columns="status", values="product_id", aggfunc="count")
    status = status.reindex(index=years, columns=["认定", "未通过", "备案"]).fillna(0).astype("int64")
    rec = recognised(products)
    sums = rec.groupby("filing_year")[list(MEASURES)].sum().reindex(years).fillna(0.0)
    table = pd.DataFrame(
        {
            "filing_year": years,
            "filed": products.groupby("filing_year").size().reindex(years).to_numpy(),
            "recognised": status["认定"].to_numpy(),
            "not_passed": status["未通过"].to_numpy(),
            "pending": status["备案"].to_numpy(),
            "enterprises": rec.groupby("filing_year")["credit_code"]
            .nunique()
            .reindex(years)
            .fillna(0)
            .astype("int64")
            .to_numpy(),
        }
    )
    decided = table["recognised"] + table["not_passed"]
    table["pass_rate_pct"] = share_pct(table["recognised"], decided)
    for measure in MEASURES:
        table[measure] = sums[measure].to_numpy()
    table["export_intensity_pct"] = export_intensity(table["export_value"], table["sales_revenue"])
    previous = table.set_index("filing_year").reindex([y - 1 for y in years])
    table["recognised_growth_pct"] = growth_pct(table["recognised"], previous["recognised"].reset_index(drop=True))
    for measure, name in _GROWTH_NAMES.items():
        table[name] = growth_pct(table[measure], previous[measure].reset_index(drop=True))
    return table


def panel_growth(products: pd.DataFrame, year: int, previous: int | None = None) -> pd.DataFrame:
    """Growth of all recognised products and of the same-product panel between two rounds.

    The panel (同一产品口径) holds the products recognised in both rounds; its growth shows how the
    products themselves grew, while growth over all products also reflects new entrants and exits.

    Parameters
    ----------
    products : pandas.DataFrame
        Typed product table.
    year : int
        Round compared.
    previous : int, optional
        Base round; ``year - 1`` by default.

    Returns
    -------
    pandas.DataFrame
        Rows ``scope`` = ``all`` (全部认定产品) and ``panel`` (两批均获认定的同一产品), and ``entrants``
        (this round only) and ``exits`` (base round only); columns ``products_previous``, ``products``,
        and for each measure its base value (``…_previous``), current value and growth (``…_growth_pct``).
    """
    previous = year - 1 if previous is None else previous
    now = recognised(products, year).set_index("product_id")
    before = recognised(products, previous).set_index("product_id")
    both = now.index.intersection(before.index)
    scopes = {
        "all": (before, now),
        "panel": (before.loc[both], now.loc[both]),
        "entrants": (before.iloc[0:0], now.drop(both)),
        "exits": (before.drop(both), now.iloc[0:0]),
    }
    rows = []
    for scope, (b, n) in scopes.items():
        row = {"scope": scope, "products_previous": len(b), "products": len(n)}
        for measure, name in _GROWTH_NAMES.items():
            row[f"{measure}_previous"] = float(b[measure].sum())
            row[measure] = float(n[measure].sum())
            row[name] = growth_pct(row[measure], row[f"{measure}_previous"]) if scope in ("all", "panel") else np.nan
        rows.append(row)
    table = pd.DataFrame(rows)
    table.insert(1, "previous_round", previous)
    table.insert(2, "round", year)
    return table


def _names(by: str) -> pd.Series:
    if by == "province_code":
        return reference.provinces().set_index("province_code")["name_zh"]
    divisions = reference.industry_divisions()
    if by == "section":
        return divisions.drop_duplicates("section").set_index("section")["section_name_zh"]
    if by == "division":
        return divisions.set_index("division")["division_name_zh"]
    raise ValueError(f"breakdown must be one of {', '.join(BREAKDOWNS)}, got {by!r}")


def breakdown(products: pd.DataFrame, year: int, by: str) -> pd.DataFrame:
    """Recognised products of round *year* by GB/T 4754 section (门类), division (大类) or province.

    Returns
    -------
    pandas.DataFrame
        One row per key with at least one product, most products first: the key (``section``,
        ``division`` or ``province_code``), its Chinese name, ``products``, ``enterprises``,
        ``output_value``, ``sales_revenue``, ``export_value``, ``products_share_pct``,
        ``output_share_pct`` and ``export_intensity_pct``.
    """
    names = _names(by)
    rec = recognised(products, year)
    grouped = rec.groupby(by)
    table = pd.DataFrame({"products": grouped.size(), "enterprises": grouped["credit_code"].nunique()})
    for measure in MEASURES:
        table[measure] = grouped[measure].sum()
    table = table.rename_axis(by).reset_index()
    table.insert(1, BREAKDOWNS[by], table[by].map(names))
    table["products_share_pct"] = share_pct(table["products"], table["products"].sum())
    table["output_share_pct"] = share_pct(table["output_value"], table["output_value"].sum())
    table["export_intensity_pct"] = export_intensity(table["export_value"], table["sales_revenue"])
    return table.sort_values(["products", by], ascending=[False, True], ignore_index=True)


def breakdown_contributions(products: pd.DataFrame, year: int, by: str, measure: str) -> pd.DataFrame:
    """Cells of one measure by *by* with their enterprise contributions (for disclosure control).

    ``measure`` is ``products`` (number of products per enterprise) or a money measure. Only enterprises
    with a positive amount count as contributors; a key without any is absent (an empty cell, published as 0).

    Returns
    -------
    pandas.DataFrame
        ``by``, ``value``, ``contributors`` (enterprises), ``largest``, ``second`` (the two largest
        enterprise contributions; 0 when there is no second).
    """
    rec = recognised(products, year)
    if measure == "products":
        per = rec.groupby([by, "credit_code"]).size().rename("v")
    else:
        per = rec.groupby([by, "credit_code"])[measure].sum().rename("v")
    # an enterprise with nothing in the cell (no exports, say) does not contribute to it
    per = per[per > 0].reset_index().sort_values([by, "v"], ascending=[True, False])
    rank = per.groupby(by).cumcount()
    cells = per.groupby(by).agg(value=("v", "sum"), contributors=("v", "size")).reset_index()
    largest = per[rank == 0].set_index(by)["v"]
    second = per[rank == 1].set_index(by)["v"]
    cells["largest"] = cells[by].map(largest).astype(float)
    cells["second"] = cells[by].map(second).fillna(0).astype(float)
    return cells


#: Breakdown columns suppressed together with a protected money measure (shares need the total, export
#: intensity both sales and exports).
_DERIVED = {
    "output_value": ["output_share_pct"],
    "sales_revenue": ["export_intensity_pct"],
    "export_value": ["export_intensity_pct"],
}
#: Growth columns of a money measure (hidden when the current or the base figure is).
_GROWTH = {
    "output_value": "output_growth_pct",
    "sales_revenue": "sales_growth_pct",
    "export_value": "export_growth_pct",
}
#: Source input of the money figures (its confidentiality decides whether they are protected).
SOURCE = "products"


def _industry(frame: pd.DataFrame, level: str) -> pd.Series:
    """Industry key of each product at *level* (``S:C``, ``D:39``; ``S:``/``D:`` when unclassified)."""
    column = "section" if level == "S" else "division"
    return level + ":" + frame[column].fillna("").astype(str)


def _cells_of(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of *keys* (all rows when empty): products, and per money measure the enterprise contributions
    (``{m}``, ``{m}_n`` contributors, ``{m}_x1`` and ``{m}_x2`` the two largest); an enterprise with nothing in
    a measure does not contribute to it. Indexed by *keys* (by ``_all`` when *keys* is empty)."""
    keys = list(keys) or ["_all"]
    frame = frame.assign(_all="")
    out = pd.DataFrame({"products": frame.groupby(keys).size()})
    for measure in MEASURES:
        per = frame.groupby([*keys, "credit_code"])[measure].sum()
        per = per[per > 0].rename("v").reset_index()
        per = per.sort_values([*keys, "v"], ascending=[True] * len(keys) + [False], kind="stable")
        rank = per.groupby(keys).cumcount().to_numpy()
        g = per.groupby(keys)["v"]
        out[measure] = g.sum()
        out[f"{measure}_n"] = g.size()
        out[f"{measure}_x1"] = per[rank == 0].set_index(keys)["v"]
        out[f"{measure}_x2"] = per[rank == 1].set_index(keys)["v"]
        out[f"{measure}_id"] = per[rank == 0].set_index(keys)["credit_code"]
    ids = [c for c in out.columns if c.endswith("_id")]
    return out.fillna({c: 0.0 for c in out.columns if c not in ids})


def money_key(measure: str, round_: int, scope: str = "all", province: str = "", industry: str = "") -> tuple:
    """Key of a money cell in :func:`linked_money`: national when *province* is ``""``, all industries when
    *industry* is ``""`` (``S:C`` a section, ``D:39`` a division); *scope* ``all``, ``panel`` (products
    recognised in both rounds), ``entrants`` (this round only) or ``exits`` (the previous round only)."""
    return ("money", measure, int(round_), scope, str(province), industry)


def linked_money(products: pd.DataFrame, year: int) -> Linked:
    """Every money figure the product tables of any run (national and provincial) publish, and their relations.

    The cells are output, sales and exports of recognised products: of every round nationally and by province
    (the rounds tables), of round *year* also by section and division, nationally and within each province
    (the breakdown tables of the national and the provincial runs), and of the panel, entrants and exits
    (the growth tables). Relations: divisions add up to their section, sections to the total, provinces to
    the nation (in every industry), panel + entrants = all (round *year*), panel + exits = all (the previous
    round), exports ≤ sales in every cell. A cell without any product is a structural zero (everyone knows
    it from the published product list) and is left out; products without an industry sit in a withheld
    "unclassified" cell so that the sums hold.

    Parameters
    ----------
    products : pandas.DataFrame
        The whole typed product table (all provinces: the pattern is the same in every run).
    year : int
        The round the breakdowns are of.
    """
    from ipstats.sdc import Linked

    rec = recognised(products).assign(
        S=lambda d: _industry(d, "S"),
        D=lambda d: _industry(d, "D"),
        province_code=lambda d: d["province_code"].astype(str),
    )
    link = Linked(f"products_{year}")
    sections_of = {}

    def add(frame: pd.DataFrame, round_: int, scope: str, industries: bool) -> None:
        levels = [(), ("S",), ("D",)] if industries else [()]
        for prov in ((), ("province_code",)):
            for level in levels:
                keys = [*prov, *level]
                cells = _cells_of(frame, keys)
                for idx, row in cells.iterrows():
                    idx = idx if isinstance(idx, tuple) else (idx,)
                    values = dict(zip(keys, idx))
                    province = values.get("province_code", "")
                    industry = values.get("S", values.get("D", ""))
                    unclassified = industry in ("S:", "D:")
                    for measure in MEASURES:
                        link.cell(
                            money_key(measure, round_, scope, province, industry),
                            row[measure],
                            row[f"{measure}_n"],
                            row[f"{measure}_x1"],
                            row[f"{measure}_x2"],
                            withheld=unclassified,
                            largest_id=row[f"{measure}_id"] if isinstance(row[f"{measure}_id"], str) else None,
                        )

    rounds = sorted(int(r) for r in rec["filing_year"].dropna().unique())
    for round_ in rounds:
        add(rec[rec["filing_year"] == round_], round_, "all", round_ == year)
    now, before = rec[rec["filing_year"] == year], rec[rec["filing_year"] == year - 1]
    both = set(now["product_id"]) & set(before["product_id"])
    if len(before):
        add(now[now["product_id"].isin(both)], year, "panel", False)
        add(now[~now["product_id"].isin(both)], year, "entrants", False)
        add(before[before["product_id"].isin(both)], year - 1, "panel", False)
        add(before[~before["product_id"].isin(both)], year - 1, "exits", False)
    sections_of = dict(zip(now["D"], now["S"]))
    provinces = sorted(set(rec["province_code"]))
    industries = [""] + sorted(set(now["S"])) + sorted(set(now["D"]))
    for measure in MEASURES:
        for round_ in rounds:
            scopes = (
                ["all"]
                + (["panel", "entrants"] if round_ == year and len(before) else [])
                + (["panel", "exits"] if round_ == year - 1 and len(before) else [])
            )
            for scope in scopes:
                inds = industries if (round_ == year and scope == "all") else [""]
                for industry in inds:  # provinces add up to the nation
                    total = money_key(measure, round_, scope, "", industry)
                    if total in link:
                        link.add_sum(total, [money_key(measure, round_, scope, p, industry) for p in provinces])
                if round_ == year and scope == "all":  # the industry hierarchy, nationally and per province
                    for province in ["", *provinces]:
                        total = money_key(measure, round_, scope, province, "")
                        if total not in link:
                            continue
                        secs = sorted(set(sections_of.values()))
                        link.add_sum(total, [money_key(measure, round_, scope, province, s) for s in secs])
                        for sec in secs:
                            head = money_key(measure, round_, scope, province, sec)
                            if head in link:
                                link.add_sum(
                                    head,
                                    [
                                        money_key(measure, round_, scope, province, d)
                                        for d, s in sections_of.items()
                                        if s == sec
                                    ],
                                )
            if len(before) and round_ in (year, year - 1):  # panel + entrants (exits) = all
                other = "entrants" if round_ == year else "exits"
                for province in ["", *provinces]:
                    total = money_key(measure, round_, "all", province, "")
                    if total in link:
                        link.add_sum(
                            total,
                            [
                                money_key(measure, round_, "panel", province, ""),
                                money_key(measure, round_, other, province, ""),
                            ],
                        )
    for key in list(link._index):  # exports never exceed sales
        if key[1] == "export_value":
            link.add_le(key, ("money", "sales_revenue", *key[2:]))
    return link


def protect_money(products: pd.DataFrame, year: int, rules: dict | None = None) -> Protection:
    """The one suppression pattern of a round's money figures, for every run of the bulletin.

    :func:`linked_money` over the whole (national) product table, protected by :func:`ipstats.sdc.protect_linked`
    (contributors are enterprises, identified by their credit code): a national and a provincial run compute
    the same pattern from the same data and publish their part of it.
    """
    from ipstats.sdc import Rules, protect_linked

    return protect_linked(linked_money(products, year), Rules.of(rules))


def _hidden(protection, key) -> bool:
    return protection is not None and protection.hidden(key)


def _record(protection, keys: dict, table: str) -> dict:
    record = protection.table_record(keys, table, SOURCE)
    record["contributors"] = "enterprises (统一社会信用代码)"
    return record


def publish_breakdown(
    table: pd.DataFrame, products: pd.DataFrame, year: int, by: str, protection, region: str = ""
) -> tuple[pd.DataFrame, dict | None]:
    """A :func:`breakdown` table as published: money cells of the pattern suppressed, sorted by code, 合计 last.

    Product and enterprise counts are public (the product list is published); output, sales and exports
    follow *protection* (:func:`protect_money`; None publishes everything, for a public product table).
    Shares are suppressed with their measure, and all of them when the table's total is; export intensity
    with sales or exports.

    Parameters
    ----------
    region : str
        ``""`` for the national tables, else the province whose tables these are.
    """
    total = total_row(table, by, recognised(products, year)["credit_code"].nunique())
    published = table.sort_values(by, kind="stable", ignore_index=True)
    published = pd.concat([published, total], ignore_index=True).set_index(by)
    published = published.astype({"products": "Int64", "enterprises": "Int64"})
    keys = {}
    if protection is not None:
        for code in published.index:
            for measure in MEASURES:
                if code == "":
                    cell = money_key(measure, year, "all", region, "")
                elif by == "province_code":
                    cell = money_key(measure, year, "all", code, "")
                else:
                    cell = money_key(measure, year, "all", region, f"{'S' if by == 'section' else 'D'}:{code}")
                keys[cell] = (code, measure)
                if _hidden(protection, cell):
                    published.loc[code, [measure, *_DERIVED[measure]]] = np.nan
                    if code == "":  # without the total no share can be published
                        published.loc[:, _DERIVED[measure]] = np.nan
    out = published.reset_index()
    return out, (None if protection is None else _record(protection, keys, by))


def publish_rounds(table: pd.DataFrame, protection, region: str = "") -> tuple[pd.DataFrame, dict | None]:
    """:func:`rounds_summary` as published (money of each round by the pattern; growth needs both rounds)."""
    out = table.copy()
    keys = {}
    if protection is None:
        return out, None
    years = list(out["filing_year"])
    for i, round_ in enumerate(years):
        for measure in MEASURES:
            cell = money_key(measure, round_, "all", region, "")
            keys[cell] = (int(round_), measure)
            if _hidden(protection, cell):
                out.loc[i, [measure, *([] if measure == "output_value" else ["export_intensity_pct"])]] = np.nan
                out.loc[i, _GROWTH[measure]] = np.nan
                later = [j for j, r in enumerate(years) if r == round_ + 1]
                out.loc[later, _GROWTH[measure]] = np.nan
    return out, _record(protection, keys, "rounds")


def publish_panel(table: pd.DataFrame, protection, year: int, region: str = "") -> tuple[pd.DataFrame, dict | None]:
    """:func:`panel_growth` as published: each scope's base and current money by the pattern."""
    out = table.copy()
    if protection is None:
        return out, None
    keys = {}
    for i, scope in enumerate(out["scope"]):
        for measure in MEASURES:
            cells = {
                "previous": money_key(measure, year - 1, "all" if scope == "all" else scope, region, ""),
                "current": money_key(measure, year, "all" if scope == "all" else scope, region, ""),
            }
            if scope == "entrants":
                cells.pop("previous")
            if scope == "exits":
                cells.pop("current")
            for side, cell in cells.items():
                keys[cell] = (scope, measure if side == "current" else f"{measure}_previous")
                if _hidden(protection, cell):
                    out.loc[i, measure if side == "current" else f"{measure}_previous"] = np.nan
                    out.loc[i, _GROWTH[measure]] = np.nan
    return out, _record(protection, keys, "panel")


def protect_breakdown(
    table: pd.DataFrame, products: pd.DataFrame, year: int, by: str, rules: dict | None = None
) -> tuple[pd.DataFrame, dict]:
    """Disclosure control of one :func:`breakdown` table on its own (contributors are enterprises).

    Product and enterprise counts are public (the product list is published); the money measures are
    protected together with their published total (:func:`ipstats.sdc.protect_linked`: frequency, (n,k) and
    p % rules, τ-ARGUS protection levels, exports ≤ sales, secondary suppression and the MILP audit). A
    bulletin protects all its product tables jointly instead (:func:`protect_money`).

    Returns
    -------
    published : pandas.DataFrame
        *table* sorted by code with suppressed cells missing (shown as ``—``), and a last row 合计 with the
        true totals (key ``""``; see :func:`total_row`).
    record : dict
        Rules, suppressed cells, audit result (for the bulletin manifest).
    """
    from ipstats.sdc import Linked, Rules, protect_linked

    rules_ = Rules.of(rules)
    link = Linked(f"products_{by}_{year}")
    keys = list(table[by])
    for measure in MEASURES:
        cells = breakdown_contributions(products, year, by, measure).set_index(by)
        total = link.cell(money_key(measure, year), float(table[measure].sum()), public=True)
        for code in keys:
            if code in cells.index:
                r = cells.loc[code]
                key = (
                    money_key(measure, year, "all", code, "")
                    if by == "province_code"
                    else money_key(measure, year, "all", "", f"{'S' if by == 'section' else 'D'}:{code}")
                )
                link.cell(key, r["value"], r["contributors"], r["largest"], r["second"])
        parts = [
            money_key(measure, year, "all", c, "")
            if by == "province_code"
            else money_key(measure, year, "all", "", f"{'S' if by == 'section' else 'D'}:{c}")
            for c in keys
        ]
        link.add_sum(total, parts)
    for key in list(link._index):
        if key[1] == "export_value":
            link.add_le(key, ("money", "sales_revenue", *key[2:]))
    protection = protect_linked(link, rules_)
    return publish_breakdown(table, products, year, by, protection)


#: Name of the total row of a breakdown table.
TOTAL = "合计"


def total_row(table: pd.DataFrame, by: str, enterprises: int | None = None) -> pd.DataFrame:
    """The 合计 row of a :func:`breakdown` table (key ``""``): true totals, shares 100 %, overall export intensity.

    *enterprises* is the number of distinct enterprises (an enterprise may appear in several rows, so the
    column is not summed); missing when not given.
    """
    row = {
        by: "",
        BREAKDOWNS[by]: TOTAL,
        "products": int(table["products"].sum()),
        "enterprises": np.nan if enterprises is None else enterprises,
    }
    row.update({m: float(table[m].sum()) for m in MEASURES})
    row.update(
        {
            "products_share_pct": 100.0,
            "output_share_pct": 100.0,
            "export_intensity_pct": export_intensity(row["export_value"], row["sales_revenue"]),
        }
    )
    return pd.DataFrame([row])[list(table.columns)]


#: Columns that carry enterprise money figures (withheld together in a sensitive region run).
MONEY_COLUMNS = (
    "output_value",
    "sales_revenue",
    "export_value",
    "export_intensity_pct",
    "output_growth_pct",
    "sales_growth_pct",
    "export_growth_pct",
    "output_value_previous",
    "sales_revenue_previous",
    "export_value_previous",
    "output_share_pct",
)


def sensitive_totals(products: pd.DataFrame, years: tuple[int, ...], rules: dict | None = None) -> list[str]:
    """Which money totals of *products* (one region) fail the primary rules in any of *years*.

    Used for a provincial run: the province's own totals are a single cell each, sensitive when fewer than
    ``min_contributors`` enterprises contribute or one dominates ((n,k) and p % rules of :mod:`ipstats.sdc`).

    Returns
    -------
    list of str
        ``"{measure} {year}"`` for each sensitive total (empty: all may be published).
    """
    from ipstats.sdc import Rules, primary

    rules_ = Rules(**(rules or {}))
    frames = []
    for year in years:
        marked = products.assign(_all="all")
        for measure in MEASURES:
            cells = breakdown_contributions(marked, year, "_all", measure)
            frames.append(cells.assign(row=f"{measure} {year}", col="total"))
    cells = pd.concat(frames, ignore_index=True)
    if cells.empty:
        return []
    flags = primary(cells[["row", "col", "value", "contributors", "largest", "second"]], rules_)
    return cells.loc[flags.to_numpy(), "row"].tolist()


def withhold_money(table: pd.DataFrame) -> pd.DataFrame:
    """*table* with every money column (:data:`MONEY_COLUMNS`) missing, shown as ``—``."""
    out = table.copy()
    for column in MONEY_COLUMNS:
        if column in out.columns:
            out[column] = np.nan
    return out


def valid_at_year_end(patents: pd.DataFrame, year: int) -> pd.Series:
    """Whether each patent was valid (有效) on 31 December of *year*: ``grant_date <= 31 Dec < lapse_date``.

    A patent without a lapse date that is granted by then is valid until the end of its statutory term
    (:func:`ipstats.register.term.term_end`, from ``patent_type`` and ``filing_date`` where the table has
    them); the current legal status is not used for past year-ends.
    """
    from ipstats.register.term import term_end

    end = pd.Timestamp(year=year, month=12, day=31)
    grant = pd.to_datetime(patents["grant_date"])
    lapse = pd.to_datetime(patents["lapse_date"])
    if {"patent_type", "filing_date"} <= set(patents.columns):
        lapse = lapse.fillna(term_end(patents["patent_type"], patents["filing_date"]))
    return (grant.notna() & (grant <= end) & (lapse.isna() | (lapse > end))).astype(bool)


def patent_indicators(products: pd.DataFrame, links: pd.DataFrame, patents: pd.DataFrame) -> pd.DataFrame:
    """Patents behind the recognised products of each round.

    Parameters
    ----------
    products : pandas.DataFrame
        Typed product table.
    links : pandas.DataFrame
        ``product_id``, ``application_number``, ``role``.
    patents : pandas.DataFrame
        Register rows of the linked patents: ``application_number``, ``patent_type``, ``grant_date``,
        ``lapse_date``.

    Returns
    -------
    pandas.DataFrame
        One row per round: ``filing_year``, ``products`` (recognised), ``products_with_patents``,
        ``links``, ``patents`` (distinct linked patents), ``patents_per_product`` (links ÷ products,
        平均每件产品关联专利数), ``core_per_product`` (core links ÷ products), ``invention_share_pct``
        (inventions among the distinct linked patents), ``valid_year_end`` and ``valid_share_pct``
        (distinct linked patents valid on 31 December of the round year).
    """
    info = patents.drop_duplicates("application_number").set_index("application_number")
    rows = []
    for year in sorted(recognised(products)["filing_year"].unique()):
        ids = set(recognised(products, year)["product_id"])
        sel = links[links["product_id"].isin(ids)]
        numbers = pd.Index(sel["application_number"].unique())
        linked = info.reindex(numbers)
        valid = valid_at_year_end(linked, int(year)) if len(linked) else pd.Series(dtype=bool)
        n, d = len(ids), len(numbers)
        rows.append(
            {
                "filing_year": int(year),
                "products": n,
                "products_with_patents": int(sel["product_id"].nunique()),
                "links": int(len(sel)),
                "patents": d,
                "patents_per_product": len(sel) / n if n else np.nan,
                "core_per_product": int((sel["role"] == "core").sum()) / n if n else np.nan,
                "invention_share_pct": share_pct((linked["patent_type"] == "发明").sum(), d),
                "valid_year_end": int(valid.sum()),
                "valid_share_pct": share_pct(valid.sum(), d),
            }
        )
    # a region with no recognised product still gets the table, with its header
    return pd.DataFrame(
        rows,
        columns=[
            "filing_year",
            "products",
            "products_with_patents",
            "links",
            "patents",
            "patents_per_product",
            "core_per_product",
            "invention_share_pct",
            "valid_year_end",
            "valid_share_pct",
        ],
    )


def technology_categories(
    products: pd.DataFrame,
    links: pd.DataFrame,
    classified: pd.DataFrame,
    year: int,
    top_level: pd.Series | None = None,
    names: pd.Series | None = None,
) -> pd.DataFrame:
    """Which categories of a classification system the linked patents of round *year* fall into.

    Parameters
    ----------
    classified : pandas.DataFrame
        ``patent_id`` (application number), ``category`` and ``match``
        (:func:`ipstats.concordance.classify_frame`).
    top_level : pandas.Series, optional
        Category → top-level category (``System.ancestors(1)``); categories are used as given when None.
    names : pandas.Series, optional
        Top-level category → Chinese name (:meth:`ipstats.concordance.System.display_names`: a group the
        table leaves unnamed is ``下设“…”等N个分支`` and is shown as ``第5类（下设…）``).

    Returns
    -------
    pandas.DataFrame
        One row per top-level category with a linked patent, then ``category`` = ``*`` (any category):
        ``category``, ``category_name``, ``patents`` (distinct linked patents in it, every match),
        ``patents_share_pct`` (of all distinct linked patents), ``products`` (recognised products with at
        least one such patent), ``products_share_pct`` (of recognised products), and
        ``products_confirmed`` / ``products_confirmed_share_pct`` counting only ``confirmed`` and
        ``keyword-confirmed`` matches (IPC-only and candidate matches are upper bounds).
    """
    ids = set(recognised(products, year)["product_id"])
    sel = links[links["product_id"].isin(ids)]
    cats = classified[["patent_id", "category", "match"]].copy()
    if top_level is not None:
        cats["category"] = cats["category"].map(top_level)
    cats["confirmed"] = cats["match"].isin(["confirmed", "keyword-confirmed"])
    cats = cats.dropna(subset=["category"]).groupby(["patent_id", "category"], as_index=False)["confirmed"].max()
    joined = sel.merge(cats, left_on="application_number", right_on="patent_id")
    frame = pd.concat([joined, joined.assign(category="*")], ignore_index=True)
    frame["confirmed_product"] = frame["product_id"].where(frame["confirmed"])
    table = (
        frame.groupby("category")
        .agg(
            patents=("application_number", "nunique"),
            products=("product_id", "nunique"),
            products_confirmed=("confirmed_product", "nunique"),
        )
        .reset_index()
    )
    total_patents, total_products = sel["application_number"].nunique(), len(ids)
    table["patents_share_pct"] = share_pct(table["patents"], total_patents)
    for col in ("products", "products_confirmed"):
        table[f"{col}_share_pct"] = share_pct(table[col], total_products)

    def label(code: str) -> str:
        if code == "*":
            return "合计（任一类别）"
        name = names.get(code) if names is not None else None
        if not isinstance(name, str) or not name:
            return f"类别{code}（分类表未给出名称）"
        # a group the table leaves unnamed is shown by its named branches, as in the monitoring tables
        return f"第{code}类（{name}）" if name.startswith("下设") else name

    table.insert(1, "category_name", table["category"].map(label))
    last = table["category"].eq("*")
    table = pd.concat([table[~last].sort_values(["products", "category"], ascending=[False, True]), table[last]])
    return table[
        [
            "category",
            "category_name",
            "patents",
            "patents_share_pct",
            "products",
            "products_share_pct",
            "products_confirmed",
            "products_confirmed_share_pct",
        ]
    ].reset_index(drop=True)


def enterprise_concentration(
    products: pd.DataFrame,
    year: int,
    top: tuple[int, ...] = (5, 10),
    min_contributors: int = 3,
    rules=None,
    withheld: tuple[str, ...] | list[str] = (),
) -> pd.DataFrame:
    """Concentration of round *year*'s recognised products among enterprises (企业集中度).

    A top-*n* share is published only when both the *n* leaders and the other enterprises number at least
    *min_contributors* (the frequency rule of :class:`ipstats.sdc.Rules`): a top-1 share, or a top-*n* share
    with fewer than that many others, would give away single enterprises' figures together with the total.
    With *rules* (money is confidential), a money measure's top-*n* share (its leaders' sum, with the total)
    is also withheld when that sum or the rest fails the dominance or p % rule, and every money figure of
    the measure when its total is suppressed (*withheld*); its HHI needs at least twice *min_contributors*
    enterprises. Product counts are public (the product list).

    Returns
    -------
    pandas.DataFrame
        One row per measure (``products``, ``output_value``, ``export_value``): ``measure``,
        ``enterprises`` (with a positive amount), ``top{n}_share_pct`` for each *n* (NaN where withheld), ``hhi``.
    """
    from ipstats.sdc import primary

    rec = recognised(products, year)
    per = {
        "products": rec.groupby("credit_code").size(),
        "output_value": rec.groupby("credit_code")["output_value"].sum(),
        "export_value": rec.groupby("credit_code")["export_value"].sum(),
    }

    def sensitive(group: np.ndarray) -> bool:
        if rules is None or not len(group):
            return False
        cell = pd.DataFrame(
            {
                "row": [0],
                "col": [0],
                "value": [group.sum()],
                "contributors": [len(group)],
                "largest": [group[0]],
                "second": [group[1] if len(group) > 1 else 0.0],
            }
        )
        return bool(primary(cell, rules).iloc[0])

    rows = []
    for measure, values in per.items():
        values = values[values > 0].sort_values(ascending=False)
        money = measure != "products" and rules is not None
        row = {"measure": measure, "enterprises": int(len(values))}
        for n in top:
            shown = n >= min_contributors and len(values) - n >= min_contributors
            if money and shown:
                shown = (
                    measure not in withheld
                    and not sensitive(values.to_numpy()[:n])
                    and not sensitive(values.to_numpy()[n:])
                )
            row[f"top{n}_share_pct"] = top_share_pct(values, n) if shown else np.nan
        hhi_shown = not money or (measure not in withheld and len(values) >= 2 * min_contributors)
        row["hhi"] = hhi(values) if hhi_shown else np.nan
        rows.append(row)
    return pd.DataFrame(rows)
