"""Published indicators of the patent survey with CI, CV, quality flags and disclosure control.

Indicators (patent level, shares of valid patents, %):

* ``implementation_rate`` 专利实施率 — valid patents implemented (by the patentee, by licence or transfer);
* ``industrialization_rate`` 专利产业化率 — valid patents used to make products put on the market;
* ``licensing_rate`` 专利许可率 and ``transfer_rate`` 专利转让率;
* ``average_revenue`` 平均产业化收益 (万元/件) — revenue per industrialized patent, a ratio of the
  estimated revenue total (band midpoints, ``data/revenue_bands.csv``) to the estimated number of
  industrialized patents.

Each is estimated by design (:class:`ipstats.survey.Design`) in domains — patent type, patentee type,
enterprise size, high-tech status, region — as subpopulations. Quality flags (质量标识): CV above
``caution_cv`` % is 慎用 (use with caution); CV above ``suppress_cv`` % or fewer than ``min_n`` sample
patents is 不发布 (not published).

Disclosure control (the survey's answers are confidential, 统计法): every published estimate is a ratio of
weighted totals whose numerators add up over a table's domains, so all tables are protected together
(:func:`protect_survey`): a domain with fewer respondent patentees than ``min_contributors``, or whose
numerator one patentee dominates ((n,k) and p % rules over the patentees' weighted contributions, revenue
included), is suppressed (保密), and further domains so that none can be worked back from the 合计.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ipstats.survey.design import Design

__all__ = ["CAUTION", "INDICATORS", "QualityRules", "REPORT_TABLES", "SUPPRESS", "add_revenue", "estimate_table",
           "population_table", "publish", "quality_flag", "report_tables", "revenue_bands", "survey_summary"]

DATA = Path(__file__).parent / "data"
CAUTION, SUPPRESS = "慎用", "不发布"

#: indicator → (numerator column, denominator column or None for a share, Chinese name, unit, scale)
INDICATORS = {
    "implementation_rate": ("implemented", None, "专利实施率", "%", 100.0),
    "industrialization_rate": ("industrialized", None, "专利产业化率", "%", 100.0),
    "licensing_rate": ("licensed", None, "专利许可率", "%", 100.0),
    "transfer_rate": ("transferred", None, "专利转让率", "%", 100.0),
    "average_revenue": ("revenue_10k_yuan", "industrialized", "平均产业化收益", "万元/件", 1.0),
}
RATES = ["implementation_rate", "industrialization_rate", "licensing_rate", "transfer_rate"]


@dataclass(frozen=True)
class ReportTable:
    """One table of the survey bulletin: a domain breakdown within a population (where)."""

    name: str
    title: str
    by: str
    where: tuple[tuple[str, str], ...]
    indicators: tuple[str, ...]


#: The bulletin's tables, in the order of CNIPA's survey report (patent type; patentee type; enterprise
#: size; high-tech enterprises; region; revenue).
REPORT_TABLES = (
    ReportTable("survey_by_patent_type", "分专利类型的有效专利实施、产业化、许可和转让情况", "patent_type", (),
                tuple(RATES)),
    ReportTable("survey_invention_by_patentee_type", "有效发明专利实施、产业化、许可和转让情况（按专利权人类型）",
                "applicant_type", (("patent_type", "发明"),), tuple(RATES)),
    ReportTable("survey_enterprise_invention_by_size", "企业有效发明专利实施和产业化情况（按企业规模）",
                "enterprise_size", (("patent_type", "发明"), ("applicant_type", "企业")), tuple(RATES)),
    ReportTable("survey_enterprise_invention_by_high_tech", "企业有效发明专利实施和产业化情况（按是否高新技术企业）",
                "high_tech", (("patent_type", "发明"), ("applicant_type", "企业")), tuple(RATES)),
    ReportTable("survey_invention_by_region", "有效发明专利实施和产业化情况（按地区）", "region",
                (("patent_type", "发明"),), tuple(RATES)),
    ReportTable("survey_revenue_by_patent_type", "平均每件产业化专利的产业化收益（按专利类型）", "patent_type", (),
                ("average_revenue",)),
)
DOMAIN_LABELS = {"patent_type": "专利类型", "applicant_type": "专利权人类型", "enterprise_size": "企业规模",
                 "high_tech": "高新技术企业", "region": "地区"}


@dataclass(frozen=True)
class QualityRules:
    """Publication rules for survey estimates (CV in %)."""

    caution_cv: float = 15.0
    suppress_cv: float = 30.0
    min_n: int = 30


@lru_cache(maxsize=1)
def revenue_bands() -> pd.DataFrame:
    """Revenue bands (产业化收益区间) with documented midpoints, 万元 (see ``data/README.md``)."""
    return pd.read_csv(DATA / "revenue_bands.csv")


def add_revenue(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``revenue_10k_yuan``: the band midpoint for industrialized patents, 0 otherwise.

    Raises ValueError for an industrialized patent without a known band.
    """
    midpoints = revenue_bands().set_index("band")["midpoint_10k_yuan"]
    out = frame.copy()
    industrialized = out["industrialized"].astype(float) == 1
    band = pd.to_numeric(out["revenue_band"], errors="coerce")
    bad = industrialized & ~band.isin(midpoints.index)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"row {row}: industrialized patent with revenue_band {out['revenue_band'].iloc[row]!r}; "
                         f"expected one of {list(midpoints.index)}")
    out["revenue_10k_yuan"] = np.where(industrialized, band.map(midpoints), 0.0)
    return out


def quality_flag(cv_pct: pd.Series, n: pd.Series, rules: QualityRules = QualityRules()) -> pd.Series:
    """质量标识: ``不发布`` (CV > suppress_cv or n < min_n), ``慎用`` (CV > caution_cv), else ``""``."""
    cv_pct, n = pd.Series(cv_pct, dtype=float), pd.Series(n)
    flag = pd.Series("", index=cv_pct.index, dtype=object)
    flag[cv_pct > rules.caution_cv] = CAUTION
    flag[(cv_pct > rules.suppress_cv) | cv_pct.isna() | (n < rules.min_n)] = SUPPRESS
    return flag


def _domain_filter(table: ReportTable) -> tuple[list[str], dict]:
    return [*(c for c, _ in table.where), table.by], dict(table.where)


def estimate_table(design: Design, table: ReportTable) -> pd.DataFrame:
    """Design-based estimates of *table*'s indicators in its domains, plus a 合计 row for the population.

    Returns a long frame: ``level``, ``indicator``, ``estimate``, ``se``, ``ci_low``, ``ci_high``,
    ``cv_pct``, ``deff``, ``n`` (sample patents in the estimation base: all respondent patents of the
    domain, industrialized ones for the average revenue) and ``patentees`` (their patentees).
    """
    by, where = _domain_filter(table)
    data = design.data
    frames = []
    for indicator in table.indicators:
        numerator, denominator, _, _, scale = INDICATORS[indicator]
        for columns, level in ((by, None), (by[:-1], "合计")):
            if denominator is None:
                est = design.mean(numerator, by=columns or None)
            else:
                est = design.ratio(numerator, denominator, by=columns or None)
            if level is not None:
                est[table.by] = level
            frames.append(est.assign(indicator=indicator, scale=scale))
    out = pd.concat(frames, ignore_index=True)
    for column, value in where.items():
        out = out[out[column] == value]
    out = out.rename(columns={table.by: "level"})
    industrialized = data["industrialized"].astype(float) == 1
    base = data.assign(_base=industrialized.astype(int), _ind_patentee=data["patentee"].where(industrialized))
    counts = []
    for columns, total in ((by, False), (by[:-1], True)):
        grouped = base.groupby(columns) if columns else base.groupby(lambda _: 0)
        c = grouped.agg(patentees=("patentee", "nunique"), industrialized_n=("_base", "sum"),
                        industrialized_patentees=("_ind_patentee", "nunique")).reset_index()
        if total:
            c[table.by] = "合计"
        counts.append(c.drop(columns="index", errors="ignore"))
    counts = pd.concat(counts, ignore_index=True).rename(columns={table.by: "level"})
    out = out.merge(counts, on=[*where, "level"], how="left")
    revenue = out["indicator"] == "average_revenue"
    out.loc[revenue, "n"] = out.loc[revenue, "industrialized_n"]           # the ratio's base: industrialized patents
    out.loc[revenue, "patentees"] = out.loc[revenue, "industrialized_patentees"]
    for column in ("estimate", "se", "ci_low", "ci_high"):
        out[column] = out[column] * out["scale"]
    out["cv_pct"] = out["cv"] * 100
    order = {lv: i for i, lv in enumerate(sorted(set(out["level"]) - {"合计"}))}
    out["_order"] = out["level"].map(order).fillna(-1)
    out = out.sort_values(["indicator", "_order"], key=lambda s: s.map(
        {k: i for i, k in enumerate(INDICATORS)}) if s.name == "indicator" else s, kind="stable")
    return out[["level", "indicator", "estimate", "se", "ci_low", "ci_high", "cv_pct", "deff", "n",
                "patentees"]].reset_index(drop=True)


def survey_key(indicator: str, conditions: dict) -> tuple:
    """Key of a survey cell in :func:`linked_survey`: the indicator's weighted numerator total in a domain."""
    return ("survey", indicator, frozenset((str(k), str(v)) for k, v in conditions.items()))


def linked_survey(design: Design, estimates: dict[str, pd.DataFrame], rules: QualityRules = QualityRules()):
    """The survey's published estimates as linked cells (:class:`ipstats.sdc.Linked`).

    Each estimate is a ratio of weighted totals; a reader who knows the domain sizes (the register gives
    the calibration margins) turns a published rate back into its numerator ``T = Σ w·y`` (weighted patents
    implemented, industrialized …; weighted revenue for the average revenue), and the numerators of a
    table's domains add up to its 合计. So the cells are these totals, with the patentees as contributors
    (their weighted contributions), bounds ``0 ≤ T ≤`` the domain's weighted patents (× the top revenue
    band's midpoint for revenue), and one additive relation per table and indicator. A domain estimate shown
    in two tables (发明 in the by-type table is the 合计 of the patentee-type table) is one cell. Estimates the
    quality rules withhold are hidden cells without a protection requirement.

    Returns
    -------
    (Linked, dict)
        The set and, per table name, ``(level, indicator) → key``.
    """
    from ipstats.sdc import Linked

    data = design.data.assign(_w=design.weights.to_numpy())
    top_mid = float(revenue_bands()["midpoint_10k_yuan"].max())
    link = Linked("survey")
    keys: dict[str, dict] = {}
    for table in REPORT_TABLES:
        est = estimates[table.name].set_index(["level", "indicator"])
        flags = quality_flag(est["cv_pct"], est["n"], rules)
        where = dict(table.where)
        base = data
        for column, value in where.items():
            base = base[base[column].astype(str) == value]
        keys[table.name] = {}
        for indicator in table.indicators:
            numerator, denominator, *_ = INDICATORS[indicator]
            y = base[numerator].astype(float) * base["_w"]
            size = base["_w"] * (base[denominator].astype(float) * top_mid if denominator else 1.0)

            def add(mask: pd.Series, conditions: dict, level: str | None) -> tuple:
                per = y[mask].groupby(base.loc[mask, "patentee"]).sum()
                per = per[per > 0].sort_values(ascending=False)
                withheld = level is None or flags.get((level, indicator), SUPPRESS) == SUPPRESS
                return link.cell(survey_key(indicator, conditions), float(per.sum()), len(per),
                                 per.iloc[0] if len(per) else 0.0, per.iloc[1] if len(per) > 1 else 0.0,
                                 upper=float(size[mask].sum()) + 1e-9, withheld=withheld,
                                 largest_id=str(per.index[0]) if len(per) else None)

            everything = pd.Series(True, index=base.index)
            total = add(everything, where, "合计")
            keys[table.name][("合计", indicator)] = total
            parts, covered = [], pd.Series(False, index=base.index)
            for level in [lv for lv, ind in est.index if ind == indicator and lv != "合计"]:
                mask = base[table.by].astype(str) == str(level)
                covered |= mask
                key = add(mask, {**where, table.by: level}, level)
                keys[table.name][(level, indicator)] = key
                parts.append(key)
            if (~covered).any():                       # respondents outside the published levels: unknown to a reader
                parts.append(add(~covered, {**where, table.by: "(其他)"}, None))
            link.add_sum(total, parts)
    return link, keys


def protect_survey(design: Design, estimates: dict[str, pd.DataFrame], disclosure: dict | None = None,
                   rules: QualityRules = QualityRules()):
    """Joint disclosure control of every survey table (:func:`linked_survey`, :func:`ipstats.sdc.protect_linked`).

    A domain is sensitive when fewer than ``min_contributors`` patentees responded in it, or when its
    numerator fails the frequency, dominance or p % rule over the patentees' weighted contributions (the
    revenue of one patentee dominating a domain's revenue, say); secondary suppression makes sure no
    sensitive domain can be worked back from the 合计 and the other domains.

    Returns
    -------
    (Protection, dict)
        The pattern and the keys of :func:`linked_survey`.
    """
    from ipstats.sdc import Rules, protect_linked

    sdc_rules = Rules.of(disclosure)
    link, keys = linked_survey(design, estimates, rules)
    few = []
    for table in REPORT_TABLES:
        est = estimates[table.name]
        for row in est.itertuples():
            if row.patentees < sdc_rules.min_contributors:
                few.append(keys[table.name][(row.level, row.indicator)])
    return protect_linked(link, sdc_rules, extra_primary=few), keys


def publish(estimates: pd.DataFrame, rules: QualityRules = QualityRules(),
            disclosure: dict | None = None, protection=None, keys: dict | None = None) -> tuple[pd.DataFrame, dict]:
    """Quality flags and disclosure control: what is published of *estimates*.

    With *protection* (:func:`protect_survey`, all tables jointly) a cell is suppressed (保密) when the
    pattern hides it; without, each domain with fewer respondent patentees than ``min_contributors`` is.

    Returns
    -------
    published : pandas.DataFrame
        *estimates* with ``flag`` (慎用/不发布/保密) and the estimate, SE and CI missing where not
        published (shown as ``—``); rate intervals are cut at 0 and 100 %.
    record : dict
        Disclosure record for :func:`ipstats.bulletin.record_table` (rules, suppressed cells).
    """
    from ipstats.sdc import Rules, primary

    sdc_rules = Rules.of(disclosure)
    out = estimates.copy()
    if protection is not None:
        sensitive = np.array([protection.status_of(keys[(r.level, r.indicator)]) in ("primary", "secondary")
                              for r in out.itertuples()], dtype=bool)
    else:
        cells = pd.DataFrame({"row": estimates["level"], "col": estimates["indicator"], "value": estimates["n"],
                              "contributors": estimates["patentees"], "largest": np.nan, "second": np.nan})
        sensitive = primary(cells.reset_index(drop=True), Rules(min_contributors=sdc_rules.min_contributors,
                                                                dominance_k=100, p_percent=0)).to_numpy()
    rate = out["indicator"].isin(RATES)                        # a rate's interval stays within 0–100 %
    out.loc[rate, "ci_low"] = out.loc[rate, "ci_low"].clip(lower=0.0)
    out.loc[rate, "ci_high"] = out.loc[rate, "ci_high"].clip(upper=100.0)
    out["flag"] = quality_flag(out["cv_pct"], out["n"], rules).to_numpy()
    quality_hidden = out["flag"] == SUPPRESS
    out.loc[sensitive, "flag"] = "保密"
    hidden = out["flag"].isin([SUPPRESS, "保密"])
    out.loc[hidden, ["estimate", "se", "ci_low", "ci_high", "cv_pct", "deff"]] = np.nan
    if protection is not None:
        record = protection.table_record({keys[(r.level, r.indicator)]: (r.level, r.indicator)
                                          for r in estimates.itertuples()}, source="survey_sample")
        record["rules"] = {**record["rules"], "quality": rules.__dict__}
        record["quality_suppressed"] = int(quality_hidden.sum())
        record["contributors"] = "respondent patentees (weighted contributions)"
        return out, record
    record = {"rules": {**sdc_rules.rule_dict(), "quality": rules.__dict__}, "cells": int(len(out)),
              "source": "survey_sample", "confidentiality": "confidential",
              "primary": int(sensitive.sum()), "secondary": 0,
              "quality_suppressed": int((out["flag"] == SUPPRESS).sum()),
              "suppressed": [{"row": r.level, "col": r.indicator, "status": r.flag} for r in out[hidden].itertuples()],
              "audit_pass": True}
    return out, record


def population_table(population: pd.DataFrame, table: ReportTable) -> pd.DataFrame:
    """True finite-population values of *table*'s indicators (demo: every frame patent has its answers)."""
    by, where = _domain_filter(table)
    data = add_revenue(population)
    for column, value in where.items():
        data = data[data[column] == value]
    rows = []
    for indicator in table.indicators:
        numerator, denominator, _, _, scale = INDICATORS[indicator]
        groups = list(data.groupby(table.by)) + [("合计", data)]
        for level, part in groups:
            den = part[denominator].astype(float).sum() if denominator else len(part)
            rows.append({"level": level, "indicator": indicator,
                         "truth": scale * part[numerator].astype(float).sum() / den if den else np.nan})
    return pd.DataFrame(rows)


def report_tables(design: Design, rules: QualityRules = QualityRules(),
                  disclosure: dict | None = None, protection_out: dict | None = None
                  ) -> dict[str, tuple[pd.DataFrame, dict]]:
    """Every bulletin table: name → (published long table, disclosure record).

    The survey is confidential (``confidentiality: {survey_sample: confidential}``, the default): all tables
    are protected together (:func:`protect_survey`). *protection_out*, when given, receives the pattern
    (``"protection"``) for the internal audit.
    """
    from ipstats.sdc import Rules

    estimates = {t.name: estimate_table(design, t) for t in REPORT_TABLES}
    if not Rules.of(disclosure).is_confidential("survey_sample"):
        out = {}
        for t in REPORT_TABLES:
            frame, _ = publish(estimates[t.name], rules, {**(disclosure or {}), "min_contributors": 1})
            out[t.name] = (frame, {})
        return out
    protection, keys = protect_survey(design, estimates, disclosure, rules)
    if protection_out is not None:
        protection_out["protection"] = protection
    return {t.name: publish(estimates[t.name], rules, disclosure, protection, keys[t.name]) for t in REPORT_TABLES}


def _quote(table: pd.DataFrame, indicator: str, level: str, digits: int = 1) -> str:
    """``为 estimate（CI）`` with the caveat when flagged, or ``不予发布（…）``: never a suppressed value."""
    row = table.set_index(["indicator", "level"]).loc[(indicator, level)]
    if row["flag"] in (SUPPRESS, "保密") or pd.isna(row["estimate"]):
        return "不予发布（样本量不足、变异系数过大或经保密处理）"
    unit = INDICATORS[indicator][3]
    text = (f"为{row['estimate']:.{digits}f}{unit}（95%置信区间{row['ci_low']:.{digits}f}～"
            f"{row['ci_high']:.{digits}f}{unit}）")
    if row["flag"] == CAUTION:
        text += f"，变异系数{row['cv_pct']:.1f}%，估计精度较低，仅供参考"
    return text


def survey_summary(tables: dict[str, tuple[pd.DataFrame, dict]], year: int, demo: bool) -> str:
    """The Chinese summary: every number from the tables, every flagged estimate with its caveat."""
    by_type = tables["survey_by_patent_type"][0]
    by_patentee = tables["survey_invention_by_patentee_type"][0]
    revenue = tables["survey_revenue_by_patent_type"][0]
    parts = [f"{year}年专利调查{'（演示数据，合成，非真实统计）' if demo else ''}显示："]
    parts.append(f"有效发明专利产业化率{_quote(by_type, 'industrialization_rate', '发明')}，"
                 f"实施率{_quote(by_type, 'implementation_rate', '发明')}。")
    levels = set(by_patentee["level"])
    named = [(lv, name) for lv, name in (("企业", "企业"), ("高校", "高校"), ("科研单位", "科研单位")) if lv in levels]
    if named:
        parts.append("分专利权人类型看，有效发明专利产业化率" + "；".join(
            f"{name}{_quote(by_patentee, 'industrialization_rate', lv)}" for lv, name in named) + "。")
    parts.append(f"全部有效专利的许可率{_quote(by_type, 'licensing_rate', '合计')}，"
                 f"转让率{_quote(by_type, 'transfer_rate', '合计')}。")
    parts.append(f"平均每件产业化有效专利的产业化收益{_quote(revenue, 'average_revenue', '合计')}"
                 "（按收益区间组中值估算）。")
    flagged = sum(int((t[0]["flag"] == CAUTION).sum()) for t in tables.values())
    hidden = sum(int(t[0]["flag"].isin([SUPPRESS, "保密"]).sum()) for t in tables.values())
    parts.append(f"各表中{flagged}项估计变异系数超过15%，标注“慎用”；{hidden}项因样本量不足、变异系数超过30%"
                 "或统计数据保密处理不予发布。")
    return "".join(parts)
