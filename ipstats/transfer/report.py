"""Everything the patent transfer and use notebook shows for a reference year, and its summary (Chinese, or
English for the English edition: ``lang="en"``, the same numbers)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ipstats.labels import labels
from ipstats.indicators.formulas import share_pct
from ipstats.indicators.narrative import change_clause, format_change
from ipstats.language import check_lang
from ipstats.language import value as _english
from ipstats.register.regions import region_name as _region_name
from ipstats.transfer import indicators as ind
from ipstats.transfer.events import REGISTER_COLUMNS, read_legal_events, register_rows

__all__ = [
    "DEFAULT_SYSTEMS",
    "TRANSFER_LABELS",
    "TRANSFER_LABELS_EN",
    "TransferReport",
    "compute_transfer",
    "labelled",
    "transfer_paragraph",
]

#: Classification systems of the category table (SEI, key digital technologies, green).
DEFAULT_SYSTEMS = ("cnipa_sei_2021", "cnipa_digital_tech_2023", "cnipa_green_tech")

#: Column keys of the transfer tables (the CSV files keep the machine names).
_TRANSFER_KEYS = (
    "event_type",
    "events",
    "contracts",
    "patents",
    "events_previous",
    "events_growth_pct",
    "share_pct",
    "patent_type",
    "valid_stock",
    "transferred",
    "licensed",
    "transferred_or_licensed",
    "transferred_share_pct",
    "licensed_share_pct",
    "transferred_or_licensed_share_pct",
    "from_type",
    "to_type",
    "origin",
    "origin_group",
    "within",
    "outflow",
    "inflow",
    "net",
    "outflow_transfers",
    "inflow_transfers",
    "rank_net",
    "category",
    "category_name",
    "transfers",
    "licences",
    "year",
    "amount_10k_yuan",
    "contracts_with_amount",
    "mean_amount_10k_yuan",
    "releases",
    "contracts_growth_pct",
    "amount_growth_pct",
    "group",
    "amount_share_pct",
    "mean_years",
    "p25_years",
    "median_years",
    "p75_years",
    "under_1_pct",
    "1_to_3_pct",
    "3_to_5_pct",
    "5_to_10_pct",
    "10_plus_pct",
)
#: Chinese column labels; :data:`TRANSFER_LABELS_EN` the English edition's.
TRANSFER_LABELS = labels("zh", keys=_TRANSFER_KEYS, context="transfer")
TRANSFER_LABELS_EN = labels("en", keys=_TRANSFER_KEYS, context="transfer")


def labelled(table: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A transfer table for display: column labels in *lang* (Chinese by default; ``"en"``: the English labels
    of ``labels.csv``), years as text."""
    names = TRANSFER_LABELS_EN if check_lang(lang) == "en" else TRANSFER_LABELS
    out = table.copy()
    if "year" in out.columns:
        out["year"] = out["year"].astype(str)
    return out.rename(columns=names)


def _pct(value: float, digits: int = 1) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.{digits}f}%"


def _wan_yuan(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value / 10_000:,.2f}亿元" if abs(value) >= 10_000 else f"{value:,.0f}万元"


def _yuan_en(wan_yuan: float) -> str:
    """A 万元 amount in English at the precision :func:`_wan_yuan` prints it: ``937 million yuan`` (9.37亿元),
    ``17.250 billion yuan`` (172.50亿元), ``87.65 million yuan`` (8,765万元), ``500,000 yuan`` (50万元)."""
    if wan_yuan is None or pd.isna(wan_yuan):
        return "n/a"
    if abs(wan_yuan) >= 100_000:
        return f"{wan_yuan / 100_000:,.3f} billion yuan"
    if abs(wan_yuan) >= 10_000:
        return f"{wan_yuan / 100:,.0f} million yuan"
    if abs(wan_yuan) >= 100:
        return f"{wan_yuan / 100:,.2f} million yuan"
    return f"{wan_yuan * 10_000:,.0f} yuan"


def _pct_en(value: float, digits: int = 1) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.{digits}f}%"


def _count_en(n: int, noun: str, nouns: str | None = None) -> str:
    """``1 patent``, ``75 patents`` (*nouns*: an irregular plural)."""
    return f"{n:,} {noun if n == 1 else (nouns or noun + 's')}"


def _system_en(system: str, name_zh: str) -> str:
    """English name of a classification system (``name_en`` of its ``system.yaml``), else *name_zh*."""
    from ipstats.concordance.system import load_system

    return str(load_system(system).meta.get("name_en") or name_zh)


@dataclass
class TransferReport:
    """Tables, records and text of one reference year for one region."""

    year: int
    region: str
    region_name: str
    by_type: pd.DataFrame
    share_of_valid: pd.DataFrame
    party_flows: pd.DataFrame
    party_matrix: pd.DataFrame
    universities: dict
    province_matrix: pd.DataFrame
    province_flows: pd.DataFrame
    categories: dict[str, pd.DataFrame]
    system_labels: dict[str, str]
    pledges: pd.DataFrame
    pledges_by_province: pd.DataFrame | None
    pledges_by_type: pd.DataFrame
    grant_to_transfer: pd.DataFrame
    disclosure: dict[str, dict] = field(default_factory=dict)
    pledge_amounts_withheld: bool = False
    paragraph: str = ""

    def key_numbers(self) -> str:
        """The headline numbers as stable text (checked by nbval)."""
        t = self.by_type.set_index("event_type")
        pl = self.pledges.set_index("year").loc[self.year]
        amount = "经保密处理不予公布" if self.pledge_amounts_withheld else f"{pl['amount_10k_yuan']:.1f} 万元"
        return "\n".join(
            [
                f"{self.year}年 {self.region_name}",
                f"转让许可 {int(t.at['转让许可合计', 'events'])} 次 (转让 {int(t.at['转让', 'events'])}, "
                f"许可 {int(t.at['许可', 'events'])}, 开放许可 {int(t.at['  开放许可', 'events'])})",
                f"高校和科研单位 {self.universities['events']} 次, 其中向企业 {self.universities['to_enterprise']} 次",
                f"质押登记 {int(pl['contracts'])} 份, 专利 {int(pl['patents'])} 件, 金额 {amount}",
            ]
        )


def _cross_region(flows: pd.DataFrame) -> int:
    return int(flows["outflow"].sum())


def transfer_paragraph(r: TransferReport, lang: str = "zh") -> str:
    """The summary in *lang* (Chinese, or ``"en"``: the same content and numbers in English); every number
    comes from the report's published tables."""
    if check_lang(lang) == "en":
        return _transfer_paragraph_en(r)
    t = r.by_type.set_index("event_type")
    y, name = r.year, r.region_name
    total = int(t.at["转让许可合计", "events"])
    if total == 0 and int(t.at["质押", "events"]) == 0:
        return f"{y}年，{name}没有专利转让、许可或质押登记。"
    parts = []
    growth = t.at["转让许可合计", "events_growth_pct"]
    text = (
        f"{y}年，{name}专利转让许可{total:,}次"
        + change_clause(total, growth, versus="上年")
        + f"；其中转让{int(t.at['转让', 'events']):,}次，许可{int(t.at['许可', 'events']):,}次"
    )
    if int(t.at["许可", "events"]):
        text += (
            f"（普通许可占{_pct(t.at['  普通许可', 'share_pct'])}，独占许可占{_pct(t.at['  独占许可', 'share_pct'])}，"
            f"开放许可{int(t.at['  开放许可', 'events']):,}次）"
        )
    parts.append(text + "。")
    u = r.universities
    if u["events"]:
        text = (
            f"高校和科研单位转让许可专利{u['events']:,}次，占{_pct(u['share_pct'])}，其中转让许可给企业的"
            f"{u['to_enterprise']:,}次，占{_pct(u['to_enterprise_pct'])}"
        )
        clause = change_clause(u["events"], u["growth_pct"], versus="上年")  # none off a handful of events
        if clause:
            text += "；高校和科研单位转让许可次数" + clause[1:]
        parts.append(text + "。")
    s = r.share_of_valid.set_index("patent_type")
    if "合计" in s.index and s.at["合计", "valid_stock"] > 0:
        text = (
            f"{y}年底{s.at['合计', 'valid_stock']:,}件有效专利中，当年发生转让或许可的"
            f"{int(s.at['合计', 'transferred_or_licensed']):,}件，占{_pct(s.at['合计', 'transferred_or_licensed_share_pct'])}"
        )
        if "发明" in s.index and s.at["发明", "valid_stock"] > 0:
            text += f"；有效发明专利中这一比例为{_pct(s.at['发明', 'transferred_or_licensed_share_pct'])}"
        parts.append(text + "。")
    flows = r.province_flows
    if total:
        cross = _cross_region(flows)
        text = f"跨地区转让许可{cross:,}次，占{_pct(share_pct(cross, total))}"
        provinces = flows[~flows["origin_group"].isin(["港澳台", "国外"])]
        if r.region in ("national", "", None) and len(provinces) and provinces["net"].max() > 0:
            top = provinces.sort_values(["net", "origin_group"], ascending=[False, True]).iloc[0]
            low = provinces.sort_values(["net", "origin_group"], ascending=[True, True]).iloc[0]
            text += f"；净流入最多的是{top['origin_group']}（{int(top['net']):+,}次）"
            if low["net"] < 0:
                text += f"，净流出最多的是{low['origin_group']}（{int(low['net']):+,}次）"
        elif r.region not in ("national", "", None):
            own = flows.set_index("origin_group")
            short = ind.origin_group(pd.Series([r.region])).iloc[0]
            if short in own.index:
                text += (
                    f"；{name}转入{int(own.at[short, 'inflow']):,}次、转出{int(own.at[short, 'outflow']):,}次，"
                    f"净{'流入' if own.at[short, 'net'] >= 0 else '流出'}{abs(int(own.at[short, 'net'])):,}次"
                )
        parts.append(text + "。")
    clauses = []
    for system, table in r.categories.items():
        anyrow = table[table["category"] == "*"]
        if anyrow.empty or not total:
            continue
        clauses.append(
            f"涉及{r.system_labels[system]}专利的{int(anyrow['events'].iloc[0]):,}次"
            f"（{_pct(anyrow['share_pct'].iloc[0])}）"
        )
    if clauses:
        parts.append(
            "按各分类表自身的计数规则（关键词条件须满足，部分涉及不计），转让许可中"
            + "，".join(clauses)
            + "；一件专利可属于多个分类体系，占比相互重叠。"
        )
    pl = r.pledges.set_index("year").loc[y]
    if int(pl["contracts"]):
        text = f"专利权质押登记{int(pl['contracts']):,}份，涉及专利{int(pl['patents']):,}件"
        if r.pledge_amounts_withheld:
            text += "；质押金额涉及合同过少或由个别合同主导，经统计数据保密处理不予公布"
        else:
            text += f"，质押金额{_wan_yuan(pl['amount_10k_yuan'])}"
            change = format_change(pl["amount_growth_pct"], versus="上年")
            if change:
                text += f"，{change}"
        parts.append(text + "。")
    g = r.grant_to_transfer.set_index("patent_type")
    if "合计" in g.index and g.at["合计", "patents"] > 0:
        parts.append(
            f"当年首次转让的{int(g.at['合计', 'patents']):,}件专利，从授权到首次转让的时间中位数为"
            f"{g.at['合计', 'median_years']:.1f}年，不足1年的占{_pct(g.at['合计', 'under_1_pct'])}。"
        )
    return "".join(parts)


def _transfer_paragraph_en(r: TransferReport) -> str:
    """:func:`transfer_paragraph` in English: the same sentences, numbers and omissions as the Chinese."""
    t = r.by_type.set_index("event_type")
    y = r.year
    national = r.region in ("national", "", "None")
    where = "nationwide" if national else f"in {_english(r.region_name)}"
    total = int(t.at["转让许可合计", "events"])
    if total == 0 and int(t.at["质押", "events"]) == 0:
        return f"In {y}, there were no patent assignments, licences or pledge registrations {where}."
    parts = []
    growth = t.at["转让许可合计", "events_growth_pct"]
    transfers, licences = int(t.at["转让", "events"]), int(t.at["许可", "events"])
    text = (
        f"In {y}, patent assignments and licences {where} totalled {total:,}"
        + change_clause(total, growth, versus="the previous year", lang="en")
        + f": {_count_en(transfers, 'assignment')} and {_count_en(licences, 'licence')}"
    )
    if licences:
        text += (
            f" (non-exclusive licences {_pct_en(t.at['  普通许可', 'share_pct'])}, exclusive licences "
            f"{_pct_en(t.at['  独占许可', 'share_pct'])}, open licences {int(t.at['  开放许可', 'events']):,})"
        )
    parts.append(text + ".")
    u = r.universities
    if u["events"]:
        text = (
            f" Universities and research institutes accounted for {u['events']:,} of the assignments and licences "
            f"({_pct_en(u['share_pct'])}), {u['to_enterprise']:,} of them ({_pct_en(u['to_enterprise_pct'])}) to "
            "enterprises"
        )
        clause = change_clause(u["events"], u["growth_pct"], versus="the previous year", lang="en")
        if clause:
            text += "; their assignments and licences were" + clause[1:]
        parts.append(text + ".")
    s = r.share_of_valid.set_index("patent_type")
    if "合计" in s.index and s.at["合计", "valid_stock"] > 0:
        moved = int(s.at["合计", "transferred_or_licensed"])
        text = (
            f" Of the {_count_en(int(s.at['合计', 'valid_stock']), 'valid patent')} at the end of {y}, {moved:,} "
            f"({_pct_en(s.at['合计', 'transferred_or_licensed_share_pct'])}) {'was' if moved == 1 else 'were'} "
            "assigned or licensed during the year"
        )
        if "发明" in s.index and s.at["发明", "valid_stock"] > 0:
            text += f"; for valid invention patents the share was {_pct_en(s.at['发明', 'transferred_or_licensed_share_pct'])}"
        parts.append(text + ".")
    flows = r.province_flows
    if total:
        cross = _cross_region(flows)
        text = (
            f" Assignments and licences between regions numbered {cross:,}, or {_pct_en(share_pct(cross, total))} "
            "of the total"
        )
        provinces = flows[~flows["origin_group"].isin(["港澳台", "国外"])]
        if national and len(provinces) and provinces["net"].max() > 0:
            top = provinces.sort_values(["net", "origin_group"], ascending=[False, True]).iloc[0]
            low = provinces.sort_values(["net", "origin_group"], ascending=[True, True]).iloc[0]
            text += f"; {_english(top['origin_group'])} had the largest net inflow ({int(top['net']):+,})"
            if low["net"] < 0:
                text += f" and {_english(low['origin_group'])} the largest net outflow ({int(low['net']):+,})"
        elif not national:
            own = flows.set_index("origin_group")
            short = ind.origin_group(pd.Series([r.region])).iloc[0]
            if short in own.index:
                net = int(own.at[short, "net"])
                text += (
                    f"; {_english(r.region_name)} had {_count_en(int(own.at[short, 'inflow']), 'inflow')} and "
                    f"{_count_en(int(own.at[short, 'outflow']), 'outflow')}, a net "
                    f"{'inflow' if net >= 0 else 'outflow'} of {abs(net):,}"
                )
        parts.append(text + ".")
    clauses = []
    for system, table in r.categories.items():
        anyrow = table[table["category"] == "*"]
        if anyrow.empty or not total:
            continue
        events = int(anyrow["events"].iloc[0])
        what = "" if clauses else (" assignment or licence" if events == 1 else " assignments and licences")
        involved = "" if clauses else " involved"
        clauses.append(
            f"{events:,}{what} ({_pct_en(anyrow['share_pct'].iloc[0])}){involved} patents of the "
            f"{_system_en(system, r.system_labels[system])}"
        )
    if clauses:
        listed = clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + " and " + clauses[-1]
        parts.append(
            " Under each classification table's own counting rules (keyword conditions must be met; partial "
            f"matches are not counted), {listed}; a patent may fall in several classifications, so the shares "
            "overlap."
        )
    pl = r.pledges.set_index("year").loc[y]
    if int(pl["contracts"]):
        contracts = int(pl["contracts"])
        text = (
            f" There {'was' if contracts == 1 else 'were'} {_count_en(contracts, 'patent pledge registration')}, "
            f"covering {_count_en(int(pl['patents']), 'patent')}"
        )
        if r.pledge_amounts_withheld:
            text += (
                "; the pledged amounts involve too few contracts or are dominated by individual contracts, and are "
                "withheld under statistical disclosure control"
            )
        else:
            text += f", with a pledged amount of {_yuan_en(pl['amount_10k_yuan'])}"
            change = format_change(pl["amount_growth_pct"], versus="the previous year", lang="en")
            if change:
                text += f", {change}"
        parts.append(text + ".")
    g = r.grant_to_transfer.set_index("patent_type")
    if "合计" in g.index and g.at["合计", "patents"] > 0:
        parts.append(
            f" For the {_count_en(int(g.at['合计', 'patents']), 'patent')} assigned for the first time in the year, "
            f"the median time from grant to first assignment was {g.at['合计', 'median_years']:.1f} years; "
            f"{_pct_en(g.at['合计', 'under_1_pct'])} took less than 1 year."
        )
    return "".join(parts).lstrip()


def _protect_years(summary: pd.DataFrame, events: pd.DataFrame, rules: dict | None) -> tuple[pd.DataFrame, list[int]]:
    """Withhold the amounts of years whose total is sensitive (few contracts, or one dominating)."""
    from ipstats.sdc import Rules, cell_contributions, primary

    contracts = ind._contracts(events).dropna(subset=["amount_10k_yuan"])
    contracts = contracts.assign(year=contracts["event_date"].dt.year)
    cells = cell_contributions(contracts, ["year"], "amount_10k_yuan")
    if cells.empty:
        return summary, []
    flagged = primary(
        cells.rename(columns={"year": "row", "count": "value"}).assign(col="amount")[
            ["row", "col", "value", "contributors", "largest", "second"]
        ],
        Rules(**(rules or {})),
    )
    sensitive = [int(y) for y in cells.loc[flagged.to_numpy(), "year"]]
    out = summary.copy()
    hide = out["year"].isin(sensitive) | out["year"].isin([y + 1 for y in sensitive])
    out.loc[out["year"].isin(sensitive), ["amount_10k_yuan", "mean_amount_10k_yuan"]] = float("nan")
    out.loc[hide, "amount_growth_pct"] = float("nan")
    return out, sensitive


def _classify_events_patents(run, texts: str | None, numbers, systems, keywords: str) -> list[pd.DataFrame]:
    """The events' patents classified in the engine (*run*, with the register's ``links`` and *texts* views),
    by system id: only their links and texts are classified and only their categories come back, so the
    register's titles and abstracts never reach pandas. One table per system of *systems*
    (:func:`ipstats.concordance.engine.classify_links`)."""
    from ipstats.concordance.engine import classify_links

    run.put("_transfer_patents", pd.DataFrame({"n": pd.unique(pd.Series(numbers, dtype=object))}, dtype=object))
    run.view("_transfer_links", "SELECT * FROM links WHERE patent_id IN (SELECT n FROM _transfer_patents)")
    if texts:
        run.view("_transfer_texts", f"SELECT * FROM {texts} WHERE patent_id IN (SELECT n FROM _transfer_patents)")
    try:
        return [
            classify_links(run, system, "_transfer_links", "_transfer_texts" if texts else None, keywords=keywords)
            for system in systems
        ]
    finally:
        run.drop("_transfer_links", "_transfer_texts", "_transfer_patents")


def compute_transfer(
    events: str | Path,
    register: str | Path,
    year: int,
    region: str = "national",
    disclosure: dict | None = None,
    systems: tuple[str, ...] = DEFAULT_SYSTEMS,
    keywords: str = "table",
    span: int = 5,
    lang: str = "zh",
    engine: str | dict | None = None,
) -> TransferReport:
    """Read, check and compute every table of reference year *year* for *region*.

    Parameters
    ----------
    events : path
        The legal events (``data_schemas/patent_legal_events.schema.yaml``).
    register : path
        The patent register the events point into.
    year : int
        Reference year; growth is on ``year - 1``.
    region : str
        ``"national"`` or a GB/T 2260 province code: events with a party of the province on either side;
        the share of valid patents for the province's patents (first applicant), pledges of its pledgors.
    disclosure : dict, optional
        :class:`ipstats.sdc.Rules` fields for the pledge amounts.
    systems : tuple of str
        Classification systems of the category tables.
    keywords : str
        Keyword strategy (default ``table``: the tables' own counting rules, as :mod:`ipstats.counting`).
    span : int
        Years of the pledge series, ending with *year*.
    lang : {"zh", "en"}
        Language of :attr:`TransferReport.paragraph` (:func:`transfer_paragraph`); the tables are the same.
    engine : str or dict, optional
        Where the register is read: ``"duckdb"`` (default) or Spark settings (:func:`ipstats.engines.engine_settings`)
        — the year-end valid stock is counted and the rows of the events' patents looked up there. The events
        themselves (checked against the register by the validator) and their classification stay on the driver:
        they are a few rows per patent transferred, not the register.

    Raises
    ------
    ipstats.transfer.events.LegalEventsError
        Events that do not validate or disagree with the register (one line each).
    """
    from ipstats.concordance.system import load_system
    from ipstats.counting import count_valid_stock
    from ipstats.concordance.api import open_inputs
    from ipstats.engines import open_runner

    check_lang(lang)
    name = _region_name(region)
    national = region in (None, "", "national")
    table = read_legal_events(events, register)
    with open_runner(engine or "duckdb") as run:  # the register-scale part: DuckDB or Spark, the same SQL
        texts, _ = open_inputs(run, register, register=True)
        columns = [c for c in REGISTER_COLUMNS if c not in ("ipc", "title", "abstract")]
        patents = register_rows(register, table["application_number"], run, columns)
        stock = count_valid_stock(run, [year], by=("patent_type",), region=None if national else str(region))
        systems_ = [load_system(system) for system in systems]
        classified = _classify_events_patents(run, texts, table["application_number"], systems_, keywords)
    scoped = ind.in_region(table, None if national else region)
    own = (
        table
        if national
        else table[
            table["application_number"].isin(patents.loc[patents["province_code"] == str(region), "application_number"])
        ]
    )
    pledgor = table if national else table[table["from_origin"] == str(region)]
    flows = ind.party_flows(scoped, year)
    report = TransferReport(
        year=year,
        region=str(region),
        region_name=name,
        by_type=ind.transactions_by_type(scoped, year),
        share_of_valid=ind.share_of_valid(own, patents, stock, year),
        party_flows=flows,
        party_matrix=ind.party_matrix(flows),
        universities=ind.university_headline(scoped, year),
        province_matrix=ind.province_matrix(scoped, year),
        province_flows=ind.province_flows(scoped, year),
        categories={},
        system_labels={},
        pledges=pd.DataFrame(),
        pledges_by_province=None,
        pledges_by_type=pd.DataFrame(),
        grant_to_transfer=ind.grant_to_first_transfer(scoped, patents, year),
    )
    for system, sysm, patents_classified in zip(systems, systems_, classified):
        report.categories[system] = ind.category_transactions(
            scoped, patents_classified, year, sysm.ancestors(1), sysm.display_names().to_dict()
        )
        report.system_labels[system] = sysm.meta.get("name_zh", system)
    summary = ind.pledge_summary(pledgor, range(year - span + 1, year + 1))
    report.pledges, sensitive = _protect_years(summary, pledgor, disclosure)
    report.pledge_amounts_withheld = year in sensitive
    report.disclosure["pledges"] = {
        "contributors": "pledge contracts (质押登记)",
        "sensitive_years": sensitive,
        "policy": "amounts of a year withheld when its total is sensitive",
    }
    by_type, record, withheld = ind.pledge_breakdown(pledgor, year, "from_type", disclosure)
    report.pledges_by_type, report.disclosure["pledges_by_type"] = by_type, record
    if national:
        by_province, record, _ = ind.pledge_breakdown(pledgor, year, "from_origin", disclosure)
        report.pledges_by_province, report.disclosure["pledges_by_province"] = by_province, record
    report.pledge_amounts_withheld = report.pledge_amounts_withheld or withheld
    report.paragraph = transfer_paragraph(report, lang)
    return report
