"""Everything the patent-intensive products notebook shows for one round, and its summary (Chinese, or English
for the English edition: ``lang="en"``, the same numbers)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ipstats.labels import labels
from ipstats.indicators.formulas import share_pct
from ipstats.indicators.narrative import format_change
from ipstats.language import check_lang
from ipstats.language import value as _english
from ipstats.products import indicators as ind
from ipstats.products.indicators import _GROWTH
from ipstats.products.io import read_links, read_products, register_patents
from ipstats.register.regions import region_name as _region_name

__all__ = [
    "DEFAULT_SYSTEMS",
    "PRODUCT_LABELS",
    "PRODUCT_LABELS_EN",
    "ProductsReport",
    "compute_products",
    "format_wan_yuan",
    "format_yuan_en",
    "labelled",
    "products_paragraph",
]

#: Classification systems the linked patents are classified by (SEI, key digital technologies, green).
DEFAULT_SYSTEMS = ("cnipa_sei_2021", "cnipa_digital_tech_2023", "cnipa_green_tech")


#: Column keys of the product tables (the CSV files keep the machine names).
_PRODUCT_KEYS = (
    "filing_year",
    "filed",
    "recognised",
    "not_passed",
    "pending",
    "pass_rate_pct",
    "enterprises",
    "output_value",
    "sales_revenue",
    "export_value",
    "export_intensity_pct",
    "recognised_growth_pct",
    "output_growth_pct",
    "sales_growth_pct",
    "export_growth_pct",
    "scope",
    "previous_round",
    "round",
    "products_previous",
    "products",
    "output_value_previous",
    "sales_revenue_previous",
    "export_value_previous",
    "section",
    "section_name",
    "division",
    "division_name",
    "province_code",
    "province",
    "products_share_pct",
    "output_share_pct",
    "products_with_patents",
    "links",
    "patents",
    "patents_per_product",
    "core_per_product",
    "invention_share_pct",
    "valid_year_end",
    "valid_share_pct",
    "category",
    "category_name",
    "patents_share_pct",
    "products_confirmed",
    "products_confirmed_share_pct",
    "measure",
    "top5_share_pct",
    "top10_share_pct",
    "hhi",
)
#: Chinese column labels of the product tables; :data:`PRODUCT_LABELS_EN` the English edition's.
PRODUCT_LABELS = labels("zh", keys=_PRODUCT_KEYS, context="products")
PRODUCT_LABELS_EN = labels("en", keys=_PRODUCT_KEYS, context="products")


def _value_names(lang: str) -> dict[str, str]:
    return {
        **labels(lang, keys=("all", "panel", "entrants", "exits"), context="scope"),
        **labels(lang, keys=("products", "output_value", "export_value"), context="measure"),
    }


_VALUE_NAMES = _value_names("zh")
_VALUE_NAMES_EN = _value_names("en")


def labelled(table: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A product table for display: column labels and scope/measure names in *lang* (Chinese by default;
    ``"en"``: the English labels of ``labels.csv``), years as text."""
    english = check_lang(lang) == "en"
    out = table.copy()
    for col in ("filing_year", "round", "previous_round"):
        if col in out.columns:
            out[col] = out[col].astype(str)
    for col in ("scope", "measure"):
        if col in out.columns:
            out[col] = out[col].map(_VALUE_NAMES_EN if english else _VALUE_NAMES).fillna(out[col])
    return out.rename(columns=PRODUCT_LABELS_EN if english else PRODUCT_LABELS)


def format_wan_yuan(value: float) -> str:
    """A 万元 amount as bulletins write it: ``12.35亿元`` from 1亿元 up, ``8,765万元`` below.

    Examples
    --------
    >>> format_wan_yuan(123456.0)
    '12.35亿元'
    >>> format_wan_yuan(8765.4)
    '8,765万元'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if abs(value) >= 10_000:
        return f"{value / 10_000:,.2f}亿元"
    return f"{value:,.0f}万元"


def _pct(value: float, digits: int = 1) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.{digits}f}%"


def _changes(values: list[float]) -> str:
    """``增长1.0%、2.0%和3.0%`` when all rose, else each change spelled out: ``增长1.0%、下降2.0%和增长3.0%``;
    ``""`` when any is undefined (the caller leaves the clause out)."""
    words = [format_change(v) for v in values]
    if not all(words):
        return ""
    if all(w.startswith("增长") and w.endswith("%") for w in words):
        words = [words[0]] + [w[2:] for w in words[1:]]
    return "、".join(words[:-1]) + "和" + words[-1]


def format_yuan_en(wan_yuan: float) -> str:
    """A 万元 amount in English at the precision :func:`format_wan_yuan` prints it: ``69.304 billion yuan``
    (693.04亿元), ``190 million yuan`` (1.90亿元), ``87.65 million yuan`` (8,765万元), ``500,000 yuan`` (50万元).

    Examples
    --------
    >>> format_yuan_en(6930400.0), format_yuan_en(19000.0), format_yuan_en(8765.4), format_yuan_en(50.0)
    ('69.304 billion yuan', '190 million yuan', '87.65 million yuan', '500,000 yuan')
    """
    if wan_yuan is None or pd.isna(wan_yuan):
        return "n/a"
    if abs(wan_yuan) >= 100_000:  # 10亿元: billions, to the 0.01亿 (one million yuan) the Chinese prints
        return f"{wan_yuan / 100_000:,.3f} billion yuan"
    if abs(wan_yuan) >= 10_000:  # 1亿元
        return f"{wan_yuan / 100:,.0f} million yuan"
    if abs(wan_yuan) >= 100:  # one million yuan: to the 万元
        return f"{wan_yuan / 100:,.2f} million yuan"
    return f"{wan_yuan * 10_000:,.0f} yuan"


def _count_en(n: int, noun: str, nouns: str | None = None) -> str:
    """``1 product``, ``306 products`` (*nouns*: an irregular plural)."""
    return f"{n:,} {noun if n == 1 else (nouns or noun + 's')}"


def _pct_en(value: float, digits: int = 1) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.{digits}f}%"


def _change_en(pct: float, versus: str | None = None) -> str:
    """:func:`format_change` in English; ``unchanged`` (not "from the previous year") without *versus*."""
    word = format_change(pct, versus=versus, lang="en")
    return "unchanged" if versus is None and word.startswith("unchanged") else word


def _changes_en(values: list[float]) -> str:
    """``up 1.0%, 2.0% and 3.0%`` when all rose, else each spelled out (``up 1.0%, down 2.0% and up 3.0%``);
    ``""`` when any is undefined, as :func:`_changes`."""
    words = [_change_en(v) for v in values]
    if not all(words):
        return ""
    if all(w.startswith("up ") and w.endswith("%") for w in words):
        words = [words[0]] + [w[3:] for w in words[1:]]
    return ", ".join(words[:-1]) + " and " + words[-1]


_UNNAMED_GROUP = re.compile(r"第(?P<code>.+?)类（下设(?P<names>(?:“[^”]*”)+)(?:等(?P<n>\d+)个分支)?）")
_UNNAMED = re.compile(r"类别(?P<code>.+?)（分类表未给出名称）")


def _category_en(code: str, name: str, names_en: dict[str, str]) -> str:
    """A category's English name: the table's own (``name_en``), a group the table leaves unnamed by its
    (official, Chinese) branch names, else the official Chinese name unchanged."""
    if isinstance(names_en.get(code), str) and names_en[code]:
        return names_en[code]
    group = _UNNAMED_GROUP.fullmatch(str(name))
    if group:
        listed = ", ".join(f'"{b}"' for b in re.findall(r"“([^”]*)”", group["names"]))
        if group["n"]:
            return f"group {group['code']} ({group['n']} branches, among them {listed})"
        return f"group {group['code']} (branches {listed})"
    unnamed = _UNNAMED.fullmatch(str(name))
    if unnamed:
        return f"category {unnamed['code']} (not named in the classification table)"
    return _english(name)


def _system_en(system: str, name_zh: str) -> tuple[str, dict[str, str]]:
    """English name of a classification system (``name_en`` of its ``system.yaml``, else *name_zh*) and the
    English names its categories table gives."""
    from ipstats.concordance.system import load_system

    sysm = load_system(system)
    cats = sysm.categories
    names = cats.set_index("category")["name_en"].dropna().astype(str).to_dict() if "name_en" in cats.columns else {}
    return str(sysm.meta.get("name_en") or name_zh), names


@dataclass
class ProductsReport:
    """Tables, records and text of one round (批次) for one region."""

    year: int
    previous: int
    region: str
    region_name: str
    rounds: pd.DataFrame
    panel: pd.DataFrame
    sections: pd.DataFrame
    divisions: pd.DataFrame
    provinces: pd.DataFrame | None
    patents: pd.DataFrame
    categories: dict[str, pd.DataFrame]
    system_labels: dict[str, str]
    concentration: pd.DataFrame
    disclosure: dict[str, dict] = field(default_factory=dict)
    paragraph: str = ""
    money_withheld: bool = False
    empty: bool = False
    #: the tables before disclosure control and the audit of the pattern (required and achieved protection
    #: per suppressed cell): for the internal output only
    detail: dict[str, pd.DataFrame] = field(default_factory=dict)

    def key_numbers(self) -> str:
        """The headline numbers as stable text (checked by nbval)."""
        if self.empty:
            return f"{self.year}年批次 {self.region_name}\n无认定产品"
        row = self.rounds.set_index("filing_year").loc[self.year]
        panel = self.panel.set_index("scope")
        pat = self.patents.set_index("filing_year").loc[self.year]
        if self.money_withheld:
            return "\n".join(
                [
                    f"{self.year}年批次 {self.region_name}",
                    f"备案 {int(row['filed'])}, 认定 {int(row['recognised'])}, 企业 {int(row['enterprises'])}",
                    "产值、销售收入、出口交货值经保密处理不予公布",
                ]
            )
        f1 = lambda v: "—" if pd.isna(v) else f"{v:.1f}"  # noqa: E731  (a suppressed or undefined figure)
        return "\n".join(
            [
                f"{self.year}年批次 {self.region_name}",
                f"备案 {int(row['filed'])}, 认定 {int(row['recognised'])}, 未通过 {int(row['not_passed'])}, "
                f"企业 {int(row['enterprises'])}",
                f"总产值 {f1(row['output_value'])} 万元, 增长 {f1(panel.at['all', 'output_growth_pct'])}%",
                f"出口交货值 {f1(row['export_value'])} 万元, 增长 {f1(panel.at['all', 'export_growth_pct'])}%",
                f"同一产品 {int(panel.at['panel', 'products'])}, 总产值增长 {f1(panel.at['panel', 'output_growth_pct'])}%",
                f"每件产品关联专利 {pat['patents_per_product']:.2f}, 发明占比 {pat['invention_share_pct']:.1f}%, "
                f"年末有效占比 {pat['valid_share_pct']:.1f}%",
            ]
        )


def _top_published(table: pd.DataFrame | None, name_col: str, n: int) -> list[tuple[str, int]]:
    if table is None:
        return []
    shown = (
        table[table[name_col] != ind.TOTAL]
        .dropna(subset=["products"])
        .sort_values("products", ascending=False, kind="stable")
        .head(n)
    )
    return [(r[name_col], int(r["products"])) for _, r in shown.iterrows()]


def _empty_paragraph(year: int, name: str, lang: str = "zh") -> str:
    """The text of a region without recognised products in round *year*."""
    if lang == "en":
        return f"In the {year} round, no patent-intensive product was recognised in {_english(name)}."
    return f"{year}年批次，{name}没有认定的专利密集型产品。"


def products_paragraph(report: ProductsReport, lang: str = "zh") -> str:
    """The summary of a round in *lang* (Chinese, or ``"en"``: the same content and numbers in English);
    every number comes from the report's (published) tables."""
    if report.empty:
        return _empty_paragraph(report.year, report.region_name, check_lang(lang))
    if check_lang(lang) == "en":
        return _products_paragraph_en(report)
    y, p, name = report.year, report.previous, report.region_name
    row = report.rounds.set_index("filing_year").loc[y]
    panel = report.panel.set_index("scope")
    recognised_before = report.rounds.set_index("filing_year")["recognised"].get(p, 0)
    comparable = recognised_before > 0
    parts = [
        f"{y}年批次，{name}共有{int(row['filed']):,}件产品备案，认定专利密集型产品{int(row['recognised']):,}件，"
        f"涉及企业{int(row['enterprises']):,}家"
        + (
            f"，认定数量{format_change(row['recognised_growth_pct'], versus=f'{p}年批次')}。"
            if comparable
            else f"；{p}年批次没有认定产品，不计算增长。"
        )
    ]
    if report.money_withheld:
        parts.append(
            f"{name}认定产品的产值、销售收入和出口交货值涉及企业过少或由个别企业主导，经统计数据保密处理不予公布。"
        )
    money = (
        f"认定产品总产值{format_wan_yuan(row['output_value'])}，销售收入{format_wan_yuan(row['sales_revenue'])}，"
        f"出口交货值{format_wan_yuan(row['export_value'])}"
    )
    changes = _changes([row['output_growth_pct'], row['sales_growth_pct'], row['export_growth_pct']])
    if comparable and changes:
        money += f"，分别{changes}"
    if not report.money_withheld:
        parts.append(f"{money}；出口交货值占销售收入的{_pct(row['export_intensity_pct'])}。")
    if panel.at["panel", "products"] > 0 and not report.money_withheld:
        growth = panel.at["all", "output_value"] - panel.at["all", "output_value_previous"]
        own = panel.at["panel", "output_value"] - panel.at["panel", "output_value_previous"]

        def said(measure: str) -> str:
            if pd.isna(panel.at["panel", measure]) or pd.isna(panel.at["panel", f"{measure}_previous"]):
                return "经统计数据保密处理不予公布"
            return format_change(panel.at["panel", _GROWTH[measure]]) or "无可比数据"

        output, export = said("output_value"), said("export_value")
        text = (
            f"按同一产品口径，{p}年和{y}年两批均获认定的{int(panel.at['panel', 'products']):,}件产品总产值"
            f"{output}，出口交货值{export}"
        )
        if growth > 0 and 0 <= own <= growth:
            text += f"；同一产品的增长占全部认定产品总产值增量的{share_pct(own, growth):.1f}%，其余来自新认定产品"
        parts.append(text + "。")
    pat = report.patents.set_index("filing_year").loc[y]
    parts.append(
        f"认定产品平均每件关联专利{pat['patents_per_product']:.1f}件，其中核心专利{pat['core_per_product']:.1f}件；"
        f"关联的{int(pat['patents']):,}件专利中发明专利占{_pct(pat['invention_share_pct'])}，"
        f"{y}年底仍有效的占{_pct(pat['valid_share_pct'])}。"
    )
    clauses = []
    for system, table in report.categories.items():
        total = table[table["category"] == "*"]
        if total.empty:
            continue
        top = table[table["category"] != "*"].head(1)
        clause = (
            f"按{report.system_labels[system]}，{int(total['products'].iloc[0]):,}件产品"
            f"（{_pct(total['products_share_pct'].iloc[0])}）的关联专利落入其类别（按分类号匹配的上限；"
            f"经确认的为{int(total['products_confirmed'].iloc[0]):,}件）"
        )
        if len(top):
            clause += f"，以{top['category_name'].iloc[0]}最多（{int(top['products'].iloc[0]):,}件）"
        clauses.append(clause)
    if clauses:
        parts.append("；".join(clauses) + "。")
    top_div = _top_published(report.divisions, "division_name", 1)
    if top_div:
        share = report.divisions.set_index("division_name").at[top_div[0][0], "products_share_pct"]
        parts.append(f"从行业看，{top_div[0][0]}认定产品最多，{top_div[0][1]:,}件，占{_pct(share)}。")
    top_prov = _top_published(report.provinces, "province", 3)
    if len(top_prov) == 3:
        listed = [f"{n}（{k:,}件）" for n, k in top_prov]
        parts.append(f"从地区看，认定产品最多的是{listed[0]}、{listed[1]}和{listed[2]}。")
    conc = report.concentration.set_index("measure")
    if "output_value" in conc.index and pd.notna(
        conc.get("top5_share_pct", pd.Series(dtype=float)).get("output_value")
    ):
        parts.append(
            f"按总产值计，居前5位的企业占{_pct(conc.at['output_value', 'top5_share_pct'])}，"
            f"赫芬达尔—赫希曼指数为{conc.at['output_value', 'hhi']:.0f}。"
        )
    return "".join(parts)


def _products_paragraph_en(report: ProductsReport) -> str:
    """:func:`products_paragraph` in English: the same sentences, numbers and omissions as the Chinese."""
    y, p = report.year, report.previous
    national = report.region in ("", "national", "None")
    where = "nationwide" if national else f"in {_english(report.region_name)}"
    row = report.rounds.set_index("filing_year").loc[y]
    panel = report.panel.set_index("scope")
    recognised_before = report.rounds.set_index("filing_year")["recognised"].get(p, 0)
    comparable = recognised_before > 0
    filed, recognised = int(row["filed"]), int(row["recognised"])
    parts = [
        f"In the {y} round, {_count_en(filed, 'product')} {'was' if filed == 1 else 'were'} filed {where} and "
        f"{recognised:,} {'was' if recognised == 1 else 'were'} recognised as "
        f"{'a patent-intensive product' if recognised == 1 else 'patent-intensive products'}, made by "
        f"{_count_en(int(row['enterprises']), 'enterprise')}"
        + (
            f"; the number recognised was {_change_en(row['recognised_growth_pct'], versus=f'the {p} round')}."
            if comparable
            else f"; no product was recognised in the {p} round, so no growth is calculated."
        )
    ]
    if report.money_withheld:
        of = "" if national else f" in {_english(report.region_name)}"
        parts.append(
            f" The output value, sales revenue and export delivery value of the recognised products{of} involve "
            "too few enterprises or are dominated by individual enterprises, and are withheld under statistical "
            "disclosure control."
        )
    else:
        money = (
            f" The recognised products had a gross output value of {format_yuan_en(row['output_value'])}, "
            f"sales revenue of {format_yuan_en(row['sales_revenue'])} and an export delivery value of "
            f"{format_yuan_en(row['export_value'])}"
        )
        changes = _changes_en([row["output_growth_pct"], row["sales_growth_pct"], row["export_growth_pct"]])
        if comparable and changes:
            money += f", {changes} respectively"
        parts.append(f"{money}; export delivery value was {_pct_en(row['export_intensity_pct'])} of sales revenue.")
    if panel.at["panel", "products"] > 0 and not report.money_withheld:
        growth = panel.at["all", "output_value"] - panel.at["all", "output_value_previous"]
        own = panel.at["panel", "output_value"] - panel.at["panel", "output_value_previous"]

        def said(measure: str) -> str:
            if pd.isna(panel.at["panel", measure]) or pd.isna(panel.at["panel", f"{measure}_previous"]):
                return "withheld under statistical disclosure control"
            return _change_en(panel.at["panel", _GROWTH[measure]]) or "not comparable"

        text = (
            f" On a same-product basis, for the {int(panel.at['panel', 'products']):,} products recognised in both "
            f"the {p} and {y} rounds, gross output value was {said('output_value')} and export delivery value was "
            f"{said('export_value')}"
        )
        if growth > 0 and 0 <= own <= growth:
            text += (
                f"; these products accounted for {share_pct(own, growth):.1f}% of the increase in the gross output "
                "value of all recognised products, the rest coming from newly recognised products"
            )
        parts.append(text + ".")
    pat = report.patents.set_index("filing_year").loc[y]
    parts.append(
        f" Each recognised product was linked to {pat['patents_per_product']:.1f} patents on average, "
        f"{pat['core_per_product']:.1f} of them core patents; of the {_count_en(int(pat['patents']), 'linked patent')}, "
        f"{_pct_en(pat['invention_share_pct'])} were invention patents and {_pct_en(pat['valid_share_pct'])} were "
        f"still valid at the end of {y}."
    )
    clauses = []
    for system, table in report.categories.items():
        total = table[table["category"] == "*"]
        if total.empty:
            continue
        system_name, names_en = _system_en(system, report.system_labels[system])
        top = table[table["category"] != "*"].head(1)
        clause = (
            f"by the {system_name}, {_count_en(int(total['products'].iloc[0]), 'product')} "
            f"({_pct_en(total['products_share_pct'].iloc[0])}) had linked patents in its categories (an upper "
            f"bound, matching by classification symbol; {int(total['products_confirmed'].iloc[0]):,} confirmed)"
        )
        if len(top):
            name = _category_en(str(top["category"].iloc[0]), top["category_name"].iloc[0], names_en)
            clause += f", the most ({int(top['products'].iloc[0]):,}) in {name}"
        clauses.append(clause)
    if clauses:
        text = "; ".join(clauses)
        parts.append(f" {text[0].upper()}{text[1:]}.")
    top_div = _top_published(report.divisions, "division_name", 1)
    if top_div:
        share = report.divisions.set_index("division_name").at[top_div[0][0], "products_share_pct"]
        parts.append(
            f" By industry, {_english(top_div[0][0])} had the most recognised products, {top_div[0][1]:,} "
            f"or {_pct_en(share)}."
        )
    top_prov = _top_published(report.provinces, "province", 3)
    if len(top_prov) == 3:
        listed = [f"{_english(n)} ({k:,})" for n, k in top_prov]
        parts.append(f" By region, {listed[0]}, {listed[1]} and {listed[2]} had the most recognised products.")
    conc = report.concentration.set_index("measure")
    if "output_value" in conc.index and pd.notna(
        conc.get("top5_share_pct", pd.Series(dtype=float)).get("output_value")
    ):
        parts.append(
            f" By gross output value, the top 5 enterprises accounted for "
            f"{_pct_en(conc.at['output_value', 'top5_share_pct'])} and the Herfindahl-Hirschman index was "
            f"{conc.at['output_value', 'hhi']:,.0f}."
        )
    return "".join(parts)


def compute_products(
    products: str | Path,
    links: str | Path,
    register: str | Path,
    year: int,
    region: str = "national",
    disclosure: dict | None = None,
    systems: tuple[str, ...] = DEFAULT_SYSTEMS,
    keywords: str = "confirm",
    lang: str = "zh",
) -> ProductsReport:
    """Read, validate and compute every table of round *year* for *region*.

    Parameters
    ----------
    products, links : path
        The product table and the product–patent links (``data_schemas/products.schema.yaml``,
        ``data_schemas/product_patent_links.schema.yaml``).
    register : path
        The patent register the links point into.
    year : int
        Round (批次, filing year); compared with ``year - 1``.
    region : str
        ``"national"`` or a GB/T 2260 province code: products of enterprises in that province.
    disclosure : dict, optional
        :class:`ipstats.sdc.Rules` fields and the confidentiality policy. Product and enterprise counts are
        public (the recognised products are published); output, sales and exports are enterprise-reported and
        confidential (``confidentiality: {products: confidential}``, the default): every money figure of
        every table is protected jointly (:func:`ipstats.products.indicators.protect_money`) with one pattern
        computed from the national table, so a provincial run publishes the national run's pattern.
    systems : tuple of str
        Classification systems for the linked patents.
    keywords : str
        Keyword strategy of the classification (see :func:`ipstats.concordance.classify_frame`).
    lang : {"zh", "en"}
        Language of :attr:`ProductsReport.paragraph` (:func:`products_paragraph`); the tables are the same.

    Raises
    ------
    ipstats.products.io.ProductDataError
        Bad records in either table (one line each).
    ValueError
        No recognised product in round *year*, or an unknown region.
    """
    from ipstats.concordance import classify_frame
    from ipstats.concordance.system import load_system
    from ipstats.sdc import Rules

    check_lang(lang)
    rules = Rules.of(disclosure)
    name = _region_name(region)
    table = read_products(products)
    link_table = read_links(links, table, register=register)
    national = region in (None, "", "national")
    code = "" if national else str(region)
    # one pattern for every run: the money figures are protected over the whole (national) product table
    nation_rounds = sorted(ind.recognised(table)["filing_year"].unique())
    protection = (
        ind.protect_money(table, year, rules) if rules.is_confidential(ind.SOURCE) and year in nation_rounds else None
    )
    if not national:
        table = table[table["province_code"] == code]
    rounds_present = sorted(ind.recognised(table)["filing_year"].unique())
    if year not in rounds_present and national:
        raise ValueError(
            f"{products}: no product recognised (认定) in round {year} for {name}; rounds with "
            f"recognised products: {', '.join(map(str, rounds_present)) or 'none'}"
        )
    if year not in rounds_present:  # a province without recognised products: say so, show empty tables
        empty = ind.breakdown(table, year, "division")
        rounds_table, _ = ind.publish_rounds(ind.rounds_summary(table), protection, code)
        panel_table, _ = ind.publish_panel(ind.panel_growth(table, year), protection, year, code)
        return ProductsReport(
            year=year,
            previous=year - 1,
            region=str(region),
            region_name=name,
            rounds=rounds_table,
            panel=panel_table,
            sections=ind.breakdown(table, year, "section"),
            divisions=empty,
            provinces=None,
            patents=ind.patent_indicators(
                table,
                link_table.iloc[0:0],
                pd.DataFrame(columns=["application_number", "patent_type", "grant_date", "lapse_date"]),
            ),
            categories={},
            system_labels={},
            concentration=ind.enterprise_concentration(table, year),
            paragraph=_empty_paragraph(year, name, lang),
            empty=True,
        )
    link_table = link_table[link_table["product_id"].isin(set(table["product_id"]))]
    patents = register_patents(register, link_table["application_number"])

    report = ProductsReport(
        year=year,
        previous=year - 1,
        region=str(region),
        region_name=name,
        rounds=pd.DataFrame(),
        panel=pd.DataFrame(),
        sections=pd.DataFrame(),
        divisions=pd.DataFrame(),
        provinces=None,
        patents=ind.patent_indicators(table, link_table, patents),
        categories={},
        system_labels={},
        concentration=pd.DataFrame(),
    )
    report.detail = {"rounds": ind.rounds_summary(table), "panel": ind.panel_growth(table, year)}
    if protection is not None:
        report.detail["disclosure_audit"] = protection.audit.drop(columns="key")
    report.rounds, record = ind.publish_rounds(ind.rounds_summary(table), protection, code)
    if record:
        report.disclosure["rounds"] = record
    report.panel, record = ind.publish_panel(ind.panel_growth(table, year), protection, year, code)
    if record:
        report.disclosure["panel"] = record
    for by, attr in (("section", "sections"), ("division", "divisions")) + (
        (("province_code", "provinces"),) if national else ()
    ):
        report.detail[attr] = ind.breakdown(table, year, by)
        published, record = ind.publish_breakdown(ind.breakdown(table, year, by), table, year, by, protection, code)
        setattr(report, attr, published)
        if record:
            report.disclosure[attr] = record
    hidden_totals = [
        m for m in ind.MEASURES if protection is not None and protection.hidden(ind.money_key(m, year, "all", code, ""))
    ]
    report.money_withheld = bool(hidden_totals)
    report.concentration = ind.enterprise_concentration(
        table,
        year,
        min_contributors=rules.min_contributors,
        rules=rules if protection is not None else None,
        withheld=hidden_totals,
    )
    frame = patents.rename(columns={"application_number": "patent_id"})
    frame = frame[[c for c in ("patent_id", "ipc", "title") if c in frame.columns]]
    for system in systems:
        sysm = load_system(system)
        classified, _ = classify_frame(frame, sysm, keywords=keywords)
        report.categories[system] = ind.technology_categories(
            table, link_table, classified, year, sysm.ancestors(1), sysm.display_names()
        )
        report.system_labels[system] = sysm.meta.get("name_zh", system)
    report.paragraph = products_paragraph(report, lang)
    return report
