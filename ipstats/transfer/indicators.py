"""Publication tables of patent transfer and use (专利转化运用) for a reference year.

Counting rules
--------------
* An **event** (次) is one patent in one transfer registration, licence recordal, pledge registration or
  release: a contract over three patents is three events and one contract (份). 转让许可 = transfers and licences
  (CNIPA's 专利转让许可备案次数); a year's events are those whose ``event_date`` falls in it.
* Parties are counted by the **first party** on each side, as applicants are (its type and origin).
* **Inter-provincial** flows compare the origin of the first assignor and the first assignee: a province, 港澳台
  or 国外 (CNIPA's scope words, :mod:`ipstats.register.origin`).
* **Share of valid patents**: distinct patents transferred (licensed) in the year and valid at its end ÷ the
  year-end valid stock (有效专利, :func:`ipstats.counting.count_valid_stock`), by patent type.
* **Pledge amounts** are counted once per contract (the amount is the contract's, written on each of its
  patents' rows). They are enterprise money: every amount cell below the total is protected by
  :func:`ipstats.sdc.protect_columns` with the pledge contracts as contributors (fewer than ``min_contributors``
  contracts, or one contract dominating, is sensitive; the total over the rows stays published) — the
  policy assumed until the disclosure rules of ``ipstats.sdc`` change. Counts of registrations and patents
  come from the public register (专利登记簿) and are published in full.
* **Time from grant to first transfer**: for patents whose first transfer on or after grant falls in the
  year, the years from 授权公告日 to that transfer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ipstats import reference
from ipstats.indicators.formulas import growth_pct, share_pct

__all__ = [
    "EVENT_ROWS",
    "ORIGIN_GROUPS",
    "TOTAL",
    "category_transactions",
    "grant_to_first_transfer",
    "in_region",
    "origin_group",
    "party_flows",
    "party_matrix",
    "pledge_breakdown",
    "pledge_summary",
    "province_flows",
    "province_matrix",
    "share_of_valid",
    "transactions_by_type",
    "university_headline",
]

#: Label of total rows.
TOTAL = "合计"
#: Rows of the by-type table: (label, event type, licence type or None).
EVENT_ROWS = (
    ("转让许可合计", ("转让", "许可"), None),
    ("转让", ("转让",), None),
    ("许可", ("许可",), None),
    ("  独占许可", ("许可",), "独占"),
    ("  排他许可", ("许可",), "排他"),
    ("  普通许可", ("许可",), "普通"),
    ("  开放许可", ("许可",), "开放许可"),
    ("质押", ("质押",), None),
    ("质押解除", ("质押解除",), None),
)
#: Origin groups beyond the 31 provinces.
ORIGIN_GROUPS = {"71": "港澳台", "81": "港澳台", "82": "港澳台"}
PARTY_TYPES = ("企业", "高校", "科研单位", "机关团体", "个人")
TRANSFER_LICENCE = ("转让", "许可")


def _year(events: pd.DataFrame, year: int) -> pd.DataFrame:
    return events[events["event_date"].dt.year == year]


def in_region(events: pd.DataFrame, region: str | None) -> pd.DataFrame:
    """Events with a party of *region* on either side (all events for ``"national"``/None)."""
    if region in (None, "", "national"):
        return events
    return events[(events["from_origin"] == str(region)) | (events["to_origin"] == str(region))]


def transactions_by_type(events: pd.DataFrame, year: int) -> pd.DataFrame:
    """Events (次), contracts (份) and distinct patents (件) by type in *year*, with growth on the year before.

    Returns
    -------
    pandas.DataFrame
        ``event_type`` (the labels of :data:`EVENT_ROWS`), ``events``, ``contracts``, ``patents``,
        ``events_previous``, ``events_growth_pct``, ``share_pct`` (of 转让许可合计 for transfers and licences, of
        licences for the licence types).
    """
    rows = []
    for label, kinds, licence in EVENT_ROWS:

        def pick(frame: pd.DataFrame) -> pd.DataFrame:
            sel = frame["event_type"].isin(kinds)
            if licence is not None:
                sel &= frame["licence_type"] == licence
            return frame[sel]

        now, before = pick(_year(events, year)), pick(_year(events, year - 1))
        rows.append(
            {
                "event_type": label,
                "events": len(now),
                "contracts": now["event_id"].nunique(),
                "patents": now["application_number"].nunique(),
                "events_previous": len(before),
                "events_growth_pct": growth_pct(len(now), len(before)),
            }
        )
    table = pd.DataFrame(rows)
    base = table.set_index("event_type")["events"]
    share = []
    for label, kinds, licence in EVENT_ROWS:
        denominator = base["许可"] if licence else base["转让许可合计"] if label in ("转让", "许可") else 0
        share.append(share_pct(base[label], denominator))
    table["share_pct"] = share
    return table


def _valid_at(patents: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """Whether each register row is in force on *day* (granted, not lapsed, within its statutory term)."""
    from ipstats.register.term import term_end

    end = patents["lapse_date"].where(
        patents["lapse_date"].notna(), term_end(patents["patent_type"], patents["filing_date"])
    )
    return (patents["grant_date"] <= day) & (end > day)


def share_of_valid(events: pd.DataFrame, patents: pd.DataFrame, stock: pd.DataFrame, year: int) -> pd.DataFrame:
    """Patents transferred, licensed, either, as a share of the year-end valid stock, by patent type.

    Parameters
    ----------
    events : pandas.DataFrame
        Legal events (of the region's patents).
    patents : pandas.DataFrame
        Register rows of the events' patents (:func:`ipstats.transfer.events.register_rows`).
    stock : pandas.DataFrame
        ``patent_type``, ``count``: the year-end valid stock (:func:`ipstats.counting.count_valid_stock`).
    year : int

    Returns
    -------
    pandas.DataFrame
        ``patent_type`` (then 合计), ``valid_stock``, ``transferred``, ``licensed``, ``transferred_or_licensed``
        (distinct patents valid at year end), and ``*_share_pct`` of the stock.
    """
    day = pd.Timestamp(year, 12, 31)
    valid = patents[_valid_at(patents, day)].set_index("application_number")["patent_type"]
    now = _year(events, year)
    out = stock.groupby("patent_type")["count"].sum().rename("valid_stock").to_frame()
    for name, kinds in (
        ("transferred", ("转让",)),
        ("licensed", ("许可",)),
        ("transferred_or_licensed", TRANSFER_LICENCE),
    ):
        numbers = now.loc[now["event_type"].isin(kinds), "application_number"].unique()
        kinds_of = valid.reindex(numbers).dropna()
        out[name] = kinds_of.value_counts().reindex(out.index).fillna(0).astype(int)
    out = out.reindex([t for t in ("发明", "实用新型", "外观设计") if t in out.index]).fillna(0)
    out.loc[TOTAL] = out.sum()
    out = out.astype(int)
    for name in ("transferred", "licensed", "transferred_or_licensed"):
        out[f"{name}_share_pct"] = share_pct(out[name], out["valid_stock"])
    return out.reset_index().rename(columns={"index": "patent_type"})


def party_flows(events: pd.DataFrame, year: int) -> pd.DataFrame:
    """Transfers and licences of *year* by type of the first assignor and the first assignee.

    Returns
    -------
    pandas.DataFrame
        ``event_type`` (转让, 许可, 转让许可合计), ``from_type``, ``to_type``, ``events``, ``share_pct`` (of the
        assignor type's events of that event type); only pairs with events.
    """
    now = _year(events, year)
    now = now[now["event_type"].isin(TRANSFER_LICENCE)]
    frames = [now.assign(event_type="转让许可合计"), now]
    table = pd.concat(frames).groupby(["event_type", "from_type", "to_type"]).size().rename("events").reset_index()
    order = {"转让许可合计": 0, "转让": 1, "许可": 2}
    rank = {t: i for i, t in enumerate(PARTY_TYPES)}
    table = table.sort_values(
        ["event_type", "from_type", "to_type"],
        key=lambda s: s.map(order) if s.name == "event_type" else s.map(rank),
        kind="stable",
    ).reset_index(drop=True)
    table["share_pct"] = share_pct(
        table["events"], table.groupby(["event_type", "from_type"])["events"].transform("sum")
    )
    return table


def party_matrix(flows: pd.DataFrame, event_type: str = "转让许可合计") -> pd.DataFrame:
    """The assignor type × assignee type matrix of :func:`party_flows` (events), with totals."""
    sel = flows[flows["event_type"] == event_type]
    matrix = sel.pivot_table(index="from_type", columns="to_type", values="events", aggfunc="sum", fill_value=0)
    matrix = matrix.reindex(
        index=[t for t in PARTY_TYPES if t in matrix.index],
        columns=[t for t in PARTY_TYPES if t in matrix.columns],
        fill_value=0,
    )
    matrix[TOTAL] = matrix.sum(axis=1)
    matrix.loc[TOTAL] = matrix.sum()
    matrix.index.name, matrix.columns.name = "from_type", None
    return matrix.astype(int).reset_index()


def university_headline(events: pd.DataFrame, year: int) -> dict:
    """存量专利盘活: transfers and licences from 高校 and 科研单位 in *year* and the part going to enterprises.

    Returns
    -------
    dict
        ``events`` (from universities and research institutes), ``share_pct`` of all transfers and licences,
        ``to_enterprise``, ``to_enterprise_pct``, ``patents`` (distinct), ``growth_pct`` (events on the year before),
        ``universities`` / ``institutes`` (events of each).
    """

    def pick(y: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        frame = _year(events, y)
        frame = frame[frame["event_type"].isin(TRANSFER_LICENCE)]
        return frame, frame[frame["from_type"].isin(["高校", "科研单位"])]

    everything, now = pick(year)
    before = pick(year - 1)[1]
    to_firm = int((now["to_type"] == "企业").sum())
    return {
        "events": len(now),
        "share_pct": share_pct(len(now), len(everything)),
        "to_enterprise": to_firm,
        "to_enterprise_pct": share_pct(to_firm, len(now)),
        "patents": int(now["application_number"].nunique()),
        "growth_pct": growth_pct(len(now), len(before)),
        "universities": int((now["from_type"] == "高校").sum()),
        "institutes": int((now["from_type"] == "科研单位").sum()),
    }


def origin_group(codes: pd.Series) -> pd.Series:
    """A province's short name (北京, 广东 …), 港澳台 or 国外 for each origin code."""
    provinces = reference.provinces()
    names = dict(zip(provinces["province_code"], provinces["short_zh"]))
    # dictionary look-ups over the whole column, not a Python call per event (millions at national scale)
    return codes.map(names).fillna(codes.map(ORIGIN_GROUPS)).fillna("国外").astype(object)


def _group_order() -> list[str]:
    return [*reference.provinces()["short_zh"], "港澳台", "国外"]


def province_matrix(events: pd.DataFrame, year: int) -> pd.DataFrame:
    """Transfers and licences of *year*: origin (first assignor) × destination (first assignee), events.

    Rows and columns are provinces (short names, GB/T 2260 order), then 港澳台 and 国外; only those with an
    event; ``合计`` row and column.
    """
    now = _year(events, year)
    now = now[now["event_type"].isin(TRANSFER_LICENCE)]
    frame = pd.DataFrame({"origin": origin_group(now["from_origin"]), "destination": origin_group(now["to_origin"])})
    matrix = pd.crosstab(frame["origin"], frame["destination"])
    order = _group_order()
    present = set(matrix.index) | set(matrix.columns)
    used = [g for g in order if g in present]
    matrix = matrix.reindex(index=used, columns=used, fill_value=0)
    matrix[TOTAL] = matrix.sum(axis=1)
    matrix.loc[TOTAL] = matrix.sum()
    matrix.index.name, matrix.columns.name = "origin", None
    return matrix.astype(int).reset_index()


def province_flows(events: pd.DataFrame, year: int) -> pd.DataFrame:
    """In-flows, out-flows and net position of each province (and 港澳台, 国外) in *year*'s transfers and licences.

    Returns
    -------
    pandas.DataFrame
        ``origin_group``, ``within`` (both parties of the group), ``outflow`` (assignor there, assignee elsewhere),
        ``inflow`` (the reverse), ``net`` (inflow − outflow), ``outflow_transfers`` and ``inflow_transfers``
        (transfers only: the patents that changed owner between regions), ``rank_net``; provinces first.
    """
    now = _year(events, year)
    now = now[now["event_type"].isin(TRANSFER_LICENCE)]
    frame = pd.DataFrame(
        {
            "origin": origin_group(now["from_origin"]).to_numpy(),
            "destination": origin_group(now["to_origin"]).to_numpy(),
            "transfer": (now["event_type"] == "转让").to_numpy(),
        }
    )
    present = set(frame["origin"]) | set(frame["destination"])  # once: not per group (2.4 s at 5 M applications)
    order = [g for g in _group_order() if g in present]
    cross = frame[frame["origin"] != frame["destination"]]
    out = pd.DataFrame(index=pd.Index(order, name="origin_group"))
    out["within"] = frame[frame["origin"] == frame["destination"]].groupby("origin").size()
    out["outflow"] = cross.groupby("origin").size()
    out["inflow"] = cross.groupby("destination").size()
    out["outflow_transfers"] = cross[cross["transfer"]].groupby("origin").size()
    out["inflow_transfers"] = cross[cross["transfer"]].groupby("destination").size()
    out = out.fillna(0).astype(int)
    out["net"] = out["inflow"] - out["outflow"]
    out["rank_net"] = out["net"].rank(ascending=False, method="min").astype(int)
    return out.reset_index()[
        ["origin_group", "within", "outflow", "inflow", "net", "outflow_transfers", "inflow_transfers", "rank_net"]
    ]


def category_transactions(
    events: pd.DataFrame, classified: pd.DataFrame, year: int, top_level: dict[str, str] | None, names: dict[str, str]
) -> pd.DataFrame:
    """Transfers and licences of *year* by the top-level category of a classification system.

    Parameters
    ----------
    events : pandas.DataFrame
    classified : pandas.DataFrame
        ``patent_id`` (application number), ``category`` of the events' patents, classified with the table's
        own rules (``keywords="table"``: keyword conditions required, 部分涉及 left out).
    top_level : dict, optional
        Category → top-level category (``System.ancestors(1)``).
    names : dict
        Category → Chinese name.

    Returns
    -------
    pandas.DataFrame
        ``category``, ``category_name``, ``events`` (transfers and licences), ``transfers``, ``licences``,
        ``patents`` (distinct), ``events_previous``, ``events_growth_pct``, ``share_pct`` (of all transfers and
        licences of the year; a patent in several categories counts in each, so shares overlap); the last row
        ``*`` = in any category.
    """
    cats = classified[["patent_id", "category"]].copy()
    if top_level is not None:
        cats["category"] = cats["category"].map(top_level)
    cats = cats.dropna().drop_duplicates()
    any_cat = cats.assign(category="*").drop_duplicates()
    cats = pd.concat([cats, any_cat], ignore_index=True)
    tl = events[events["event_type"].isin(TRANSFER_LICENCE)]
    now, before = _year(tl, year), _year(tl, year - 1)
    joined = now.merge(cats, left_on="application_number", right_on="patent_id")
    joined_before = before.merge(cats, left_on="application_number", right_on="patent_id")
    table = joined.groupby("category").agg(
        events=("event_id", "size"),
        transfers=("event_type", lambda s: int((s == "转让").sum())),
        licences=("event_type", lambda s: int((s == "许可").sum())),
        patents=("application_number", "nunique"),
    )
    if table.empty:
        table = pd.DataFrame(
            columns=["events", "transfers", "licences", "patents"], index=pd.Index([], name="category")
        )
    table["events_previous"] = joined_before.groupby("category").size().reindex(table.index).fillna(0).astype(int)
    table = table.reset_index()
    table["events_growth_pct"] = growth_pct(table["events"], table["events_previous"])
    table["share_pct"] = share_pct(table["events"], len(now))
    table.insert(1, "category_name", table["category"].map(lambda c: "属于任一类别" if c == "*" else names.get(c, c)))
    last = table["category"].eq("*")
    table = pd.concat([table[~last].sort_values(["events", "category"], ascending=[False, True]), table[last]])
    return table.reset_index(drop=True)


def _contracts(events: pd.DataFrame) -> pd.DataFrame:
    """One row per pledge contract: date, pledgor type and origin, patents, amount (the contract's, once)."""
    pledges = events[events["event_type"] == "质押"]
    return (
        pledges.groupby("event_id")
        .agg(
            event_date=("event_date", "first"),
            from_type=("from_type", "first"),
            from_origin=("from_origin", "first"),
            pledgee_type=("pledgee_type", "first"),
            patents=("application_number", "nunique"),
            amount_10k_yuan=("amount_10k_yuan", "first"),
        )
        .reset_index()
    )


def pledge_summary(events: pd.DataFrame, years: range | list[int]) -> pd.DataFrame:
    """Pledge registrations by year: contracts, patents pledged, amount, releases, growth.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``contracts`` (质押登记, 份), ``patents`` (distinct patents pledged), ``amount_10k_yuan`` (sum
        over contracts with a recorded amount), ``contracts_with_amount``, ``mean_amount_10k_yuan``
        (per contract with an amount; no median or maximum: either is one contract's amount), ``releases`` (contracts released in the
        year), ``contracts_growth_pct``, ``amount_growth_pct``.
    """
    contracts = _contracts(events)
    releases = events[events["event_type"] == "质押解除"]
    rows = []
    for y in years:
        now = contracts[contracts["event_date"].dt.year == y]
        pledged = events[(events["event_type"] == "质押") & (events["event_date"].dt.year == y)]
        amounts = now["amount_10k_yuan"].dropna()
        rows.append(
            {
                "year": int(y),
                "contracts": len(now),
                "patents": int(pledged["application_number"].nunique()),
                "amount_10k_yuan": float(amounts.sum()),
                "contracts_with_amount": len(amounts),
                "mean_amount_10k_yuan": float(amounts.mean()) if len(amounts) else np.nan,
                "releases": int(releases.loc[releases["event_date"].dt.year == y, "event_id"].nunique()),
            }
        )
    table = pd.DataFrame(rows)
    table["contracts_growth_pct"] = growth_pct(table["contracts"], table["contracts"].shift())
    table["amount_growth_pct"] = growth_pct(table["amount_10k_yuan"], table["amount_10k_yuan"].shift())
    return table


def pledge_breakdown(
    events: pd.DataFrame, year: int, by: str, rules: dict | None = None
) -> tuple[pd.DataFrame, dict, bool]:
    """Pledges of *year* by pledgor province (``by="from_origin"``) or type (``"from_type"``), amounts protected.

    Counts of contracts and patents are published in full (public register). The amount and the mean amount
    are protected (:func:`ipstats.sdc.protect_columns`, contributors = pledge contracts): a cell with fewer than
    ``min_contributors`` contracts with an amount, or dominated by one, is suppressed, and further cells so that
    it cannot be recovered from the published total. When the total itself is sensitive (few or one dominant
    contract in the whole table) every amount is withheld.

    Returns
    -------
    published : pandas.DataFrame
        ``group`` (province short name, 港澳台, 国外, or party type), ``contracts``, ``patents``,
        ``amount_10k_yuan``, ``mean_amount_10k_yuan``, ``amount_share_pct``; the last row 合计.
    record : dict
        The disclosure-control record (rules, suppressed cells, audit), with ``total_withheld``.
    withheld : bool
        Whether the total amount is withheld too.
    """
    from ipstats.sdc import Rules, cell_contributions, primary, protect_columns

    contracts = _contracts(events)
    contracts = contracts[contracts["event_date"].dt.year == year].copy()
    contracts["group"] = origin_group(contracts["from_origin"]) if by == "from_origin" else contracts[by]
    order = _group_order() if by == "from_origin" else list(PARTY_TYPES)
    grouped = contracts.groupby("group")
    table = pd.DataFrame(
        {
            "contracts": grouped.size(),
            "patents": grouped["patents"].sum(),
            "amount_10k_yuan": grouped["amount_10k_yuan"].sum(min_count=1),
        }
    )
    table = table.reindex([g for g in order if g in table.index]).rename_axis("group").reset_index()
    table["mean_amount_10k_yuan"] = (
        table["amount_10k_yuan"] / grouped["amount_10k_yuan"].count().reindex(table["group"]).to_numpy()
    )
    total_amount = float(contracts["amount_10k_yuan"].sum())
    table["amount_share_pct"] = share_pct(table["amount_10k_yuan"], total_amount)
    rules_ = Rules(**(rules or {}))
    recorded = contracts.dropna(subset=["amount_10k_yuan"])
    cells = cell_contributions(recorded, ["group"], "amount_10k_yuan")
    published, record = protect_columns(
        table,
        "group",
        {"amount_10k_yuan": cells},
        rules=rules_.as_dict(),
        derived={"amount_10k_yuan": ["mean_amount_10k_yuan", "amount_share_pct"]},
    )
    total = cell_contributions(recorded.assign(all="*"), ["all"], "amount_10k_yuan")
    withheld = bool(len(total)) and bool(
        primary(
            total.rename(columns={"all": "row", "count": "value"}).assign(col="amount")[
                ["row", "col", "value", "contributors", "largest", "second"]
            ],
            rules_,
        ).iloc[0]
    )
    amounts = recorded["amount_10k_yuan"]
    total_row = {
        "group": TOTAL,
        "contracts": int(table["contracts"].sum()),
        "patents": int(table["patents"].sum()),
        "amount_10k_yuan": np.nan if withheld else total_amount,
        "mean_amount_10k_yuan": np.nan if withheld or amounts.empty else float(amounts.mean()),
        "amount_share_pct": np.nan if withheld else 100.0,
    }
    if withheld:
        for col in ("amount_10k_yuan", "mean_amount_10k_yuan", "amount_share_pct"):
            published[col] = np.nan
    published = pd.concat([published, pd.DataFrame([total_row])], ignore_index=True)
    record = {**record, "contributors": "pledge contracts (质押登记)", "total_withheld": withheld}
    return published, record, withheld


def grant_to_first_transfer(events: pd.DataFrame, patents: pd.DataFrame, year: int) -> pd.DataFrame:
    """Years from grant to the first transfer on or after grant, for first transfers in *year*, by patent type.

    Returns
    -------
    pandas.DataFrame
        ``patent_type`` (then 合计), ``patents``, ``mean_years``, ``p25_years``, ``median_years``, ``p75_years``,
        and the shares of ``under_1``, ``1_to_3``, ``3_to_5``, ``5_to_10``, ``10_plus`` years (%).
    """
    transfers = events[events["event_type"] == "转让"].merge(
        patents[["application_number", "patent_type", "grant_date"]], on="application_number"
    )
    after = transfers[transfers["grant_date"].notna() & (transfers["event_date"] >= transfers["grant_date"])]
    first = after.sort_values("event_date", kind="stable").groupby("application_number").head(1)
    first = first[first["event_date"].dt.year == year].copy()
    first["years"] = (first["event_date"] - first["grant_date"]).dt.days / 365.25
    bins = [0, 1, 3, 5, 10, np.inf]
    labels = ["under_1", "1_to_3", "3_to_5", "5_to_10", "10_plus"]
    rows = []
    for kind, group in [*first.groupby("patent_type"), (TOTAL, first)]:
        years = group["years"]
        row = {
            "patent_type": kind,
            "patents": len(group),
            "mean_years": years.mean(),
            "p25_years": years.quantile(0.25),
            "median_years": years.median(),
            "p75_years": years.quantile(0.75),
        }
        counts = pd.cut(years, bins, right=False, labels=labels).value_counts()
        shares = share_pct(counts, counts.sum())
        row.update({f"{k}_pct": float(shares.get(k, 0.0)) if len(group) else np.nan for k in labels})
        rows.append(row)
    table = pd.DataFrame(rows)
    order = {"发明": 0, "实用新型": 1, "外观设计": 2, TOTAL: 3}
    return table.sort_values("patent_type", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
