"""Everything the patent-survey notebook shows: weighted design, published tables, summary, charts, truth check."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ipstats.labels import SYMBOLS, labels
from ipstats.sdc import key_text
from ipstats.survey.design import Design
from ipstats.survey.indicators import (
    CAUTION,
    EXACT_REVENUE,
    INDICATORS,
    REPORT_TABLES,
    QualityRules,
    TopBand,
    design_top_band,
    report_tables,
    revenue_bands,
    revenue_sensitivity,
    survey_summary,
)
from ipstats.survey.quality import rules_note
from ipstats.survey.weighting import SurveyDesign, read_sample, register_totals, weight_survey

__all__ = [
    "PublishedTable",
    "SurveyReport",
    "compute_survey",
    "published_rates",
    "rate_chart",
    "sensitivity_record",
    "sensitivity_table",
    "truth_chart",
    "truth_table",
]

_COLUMNS = labels(
    "zh",
    keys=(
        "level",
        "indicator",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "n_eff",
        "deff",
        "df",
        "n",
        "patentees",
        "flag",
        "quality_reason",
    ),
    context="survey",
)


@dataclass
class PublishedTable:
    """One bulletin table: long published frame (suppressed values missing) and its display form.

    Its title and unit are the notebook's (notebooks/40_patent_survey.ipynb), as for every other table.
    """

    name: str
    published: pd.DataFrame
    disclosure: dict
    notes: list[str]

    @property
    def frame(self) -> pd.DataFrame:
        """Chinese columns, one row per domain level and indicator."""
        out = self.published.assign(indicator=self.published["indicator"].map(lambda k: INDICATORS[k][2]))
        out = out.round({"estimate": 1, "se": 2, "ci_low": 1, "ci_high": 1, "n_eff": 0, "deff": 2})
        return out[list(_COLUMNS)].rename(columns=_COLUMNS)


@dataclass
class SurveyReport:
    """The weighted survey and its published tables for one survey year."""

    year: int
    design: Design
    sample_size: int
    respondents: int
    tables: list[PublishedTable]
    summary: str
    demo: bool
    truth: pd.DataFrame | None = None
    weighting: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the disclosure audit (required and achieved protection per suppressed cell): internal output only
    detail: dict = field(default_factory=dict)
    #: the value given to the open top revenue band, and the average revenue under other values
    top_band: TopBand | None = None
    revenue_sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)

    def table(self, name: str) -> PublishedTable:
        return next(t for t in self.tables if t.name == name)

    def key_numbers(self) -> str:
        """Headline numbers as stable text (checked by nbval)."""
        by_type = self.table("survey_by_patent_type").published.set_index(["indicator", "level"])
        lines = [
            f"{self.year}年专利调查: 样本 {self.sample_size} 件, 回答 {self.respondents} 件 "
            f"(回答率 {100 * self.respondents / self.sample_size:.1f}%), 加权有效专利 {self.design.weights.sum():.0f} 件"
        ]
        for indicator in ("industrialization_rate", "implementation_rate"):
            row = by_type.loc[(indicator, "发明")]
            lines.append(
                f"发明 {INDICATORS[indicator][2]}: {row['estimate']:.1f}% [{row['ci_low']:.1f}, "
                f"{row['ci_high']:.1f}] 有效样本量 {row['n_eff']:.0f} {row['flag'] or '可发布'}"
            )
        flags = pd.concat([t.published["flag"] for t in self.tables])
        lines.append(
            f"估计 {len(flags)} 项: 慎用 {int((flags == CAUTION).sum())}, 不发布 "
            f"{int(flags.isin(['不发布', '保密']).sum())}"
        )
        if self.truth is not None:
            lines.append(f"演示真值落在95%置信区间内: {int(self.truth['covered'].sum())}/{len(self.truth)}")
        return "\n".join(lines)


def _notes(table_name: str, rules: QualityRules, top: TopBand | None = None, exact_n: int = 0) -> list[str]:
    notes = [
        rules_note(rules),
        "回答专利权人过少或由个别专利权人主导的分组，以及为防止由合计推算而一并隐藏的分组，经统计数据保密处理不发布"
        "（质量标识“保密”，数值以“×”表示）。",
        "估计值为设计加权估计，标准误按泰勒线性化（分层两阶段抽样、有限总体校正、校准）计算；有效样本量为p(1−p)/标准误²"
        "（平均产业化收益为样本量/设计效应），自由度为初级抽样单元（专利权人）数减层数。",
    ]
    if table_name == "survey_revenue_by_patent_type" and top is not None:
        band = revenue_bands().iloc[-1]
        if top.method == "pareto":
            how = (
                f"按最高两个区间的加权专利数作帕累托插值（帕累托指数α={top.alpha:.2f}），每件取"
                f"{top.value:.0f}万元（α·下限/(α−1)）"
            )
        elif top.method == "exact":
            how = "全部为填报的实际金额"
        else:
            how = f"{top.note}，每件取{top.value:.0f}万元"
        exact = f"填报实际金额的{exact_n}件按实际金额，其余" if exact_n else ""
        error = (
            "α的抽样误差已按线性化计入标准误和置信区间，帕累托分布这一假设本身的影响见敏感性分析表"
            if top.method == "pareto"
            else "该取值是假设，其不确定性未计入标准误和置信区间，不同取值下的结果见敏感性分析表"
        )
        notes.append(
            f"平均产业化收益：{exact}按收益区间估算，封闭区间取组中值；最高区间“{band['label_zh']}”{how}。"
            f"{error}；收益区间为ipstats默认设置，应换为调查问卷的区间。"
        )
    return notes


def _truth_check(tables: list[PublishedTable], truth: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for t in tables:
        est = t.published.merge(truth[truth["table"] == t.name], on=["level", "indicator"], how="inner")
        rows.append(est.assign(table=t.name))
    out = pd.concat(rows, ignore_index=True).dropna(subset=["estimate"])
    out["covered"] = (out["ci_low"] <= out["truth"]) & (out["truth"] <= out["ci_high"])
    return out[["table", "level", "indicator", "truth", "estimate", "ci_low", "ci_high", "flag", "covered"]]


def compute_survey(
    register: str | Path,
    survey_sample: str | Path,
    year: int,
    survey_truth: str | Path | None = None,
    disclosure: dict | None = None,
    quality: dict | None = None,
    method: str = "raking",
    design: SurveyDesign = SurveyDesign(),
) -> SurveyReport:
    """Weight the survey sample, estimate and publish the bulletin tables.

    Parameters
    ----------
    register : path
        The register (frame and calibration totals: valid patents at 31 December *year*).
    survey_sample : path
        The sample (data_schemas/survey_sample.schema.yaml).
    year : int
        Survey year.
    survey_truth : path, optional
        Demo only: true population values written by :func:`ipstats.survey.demo.write_demo`.
    disclosure : dict, optional
        :class:`ipstats.sdc.Rules` fields and the confidentiality policy (the survey is confidential by
        default): every table is protected jointly (:func:`ipstats.survey.indicators.protect_survey`).
    quality : dict, optional
        :class:`ipstats.survey.quality.QualityRules` fields (thresholds of the NCHS 2017 standards by default).
    method : {"raking", "linear"}
        Calibration to the register totals.
    design : SurveyDesign
        Response cells and calibration cell sizes.
    """
    try:
        rules = QualityRules(**(quality or {}))
    except TypeError as error:  # an unknown field: one line naming the accepted ones
        raise ValueError(f"quality: {error}; accepted fields are {list(QualityRules.__dataclass_fields__)}") from None
    sample = read_sample(survey_sample)
    totals = register_totals(register, year)
    survey = weight_survey(sample, totals, design, method=method)
    holder: dict = {}
    published = report_tables(survey, rules, disclosure, holder)
    top = design_top_band(survey)
    exact_n = (
        int(
            pd.to_numeric(survey.data[EXACT_REVENUE], errors="coerce")
            .notna()[survey.data["industrialized"].astype(float) == 1]
            .sum()
        )
        if EXACT_REVENUE in survey.data
        else 0
    )
    tables = []
    for spec in REPORT_TABLES:
        frame, record = published[spec.name]
        tables.append(PublishedTable(spec.name, frame, record, _notes(spec.name, rules, top, exact_n)))
    sensitivity = revenue_sensitivity(survey, published["survey_revenue_by_patent_type"][0])
    truth = None
    demo = survey_truth not in (None, "")
    if demo:
        from ipstats.validate import read_input

        truth = _truth_check(tables, read_input(survey_truth, "survey_truth", nullable=False))
    weighting = (
        pd.DataFrame(
            {"patent_type": survey.data["patent_type"], "weight": survey.weights, "base": survey.data["base_weight"]}
        )
        .groupby("patent_type")
        .agg(respondents=("weight", "size"), base_weights=("base", "sum"), calibrated_weights=("weight", "sum"))
        .reset_index()
    )
    register_by_type = totals.groupby("patent_type")["valid_patents"].sum()
    weighting["register_valid_patents"] = weighting["patent_type"].map(register_by_type).astype(int)
    detail = {}
    if "protection" in holder:
        protection = holder["protection"]
        audit = protection.audit.drop(columns="key")
        detail["disclosure_audit"] = audit.assign(key_text=audit["key_text"].astype(str))
        cells = protection.linked.frame()
        # every linked cell (weighted total T = Σ w·y of a domain, its bound: the domain's weighted patents) and
        # its status: what an attacker who knows the domain sizes works with (tests/sdc/test_attacker.py)
        detail["linked_cells"] = pd.DataFrame(
            {
                "key_text": cells["key"].map(key_text),
                "value": cells["value"],
                "upper": cells["upper"],
                "contributors": cells["contributors"],
                "status": protection.cells["status"].to_numpy(),
            }
        )
    return SurveyReport(
        year,
        survey,
        len(sample),
        int(sample["responded"].sum()),
        tables,
        survey_summary(published, year, demo),
        demo,
        truth,
        weighting,
        detail,
        top,
        sensitivity,
    )


def rate_chart(table: PublishedTable, title: str, indicator: str = "industrialization_rate") -> go.Figure:
    """Bars with 95 % CI error bars for one indicator of *table*; 慎用 bars lighter, unpublished omitted.

    The chart is titled ``{title}：{indicator name}（误差线为95%置信区间）``; *title* is the table's title.
    """
    from ipstats.figures import TEMPLATE

    data = table.published[(table.published["indicator"] == indicator)].dropna(subset=["estimate"])
    caution = data["flag"] == CAUTION
    fig = go.Figure()
    for mask, name, opacity in ((~caution, "可发布", 1.0), (caution, "慎用（见表注）", 0.45)):
        part = data[mask]
        fig.add_bar(
            x=part["level"],
            y=part["estimate"],
            name=name,
            opacity=opacity,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": part["ci_high"] - part["estimate"],
                "arrayminus": part["estimate"] - part["ci_low"],
            },
        )
    name, unit = INDICATORS[indicator][2], INDICATORS[indicator][3]
    fig.update_layout(
        template=TEMPLATE, title=f"{title}：{name}（误差线为95%置信区间）", yaxis_title=unit, barmode="overlay"
    )
    return fig


def truth_chart(
    report: SurveyReport, table: str = "survey_invention_by_patentee_type", indicator: str = "industrialization_rate"
) -> go.Figure:
    """Demo: estimates with 95 % CIs against the true population values."""
    from ipstats.figures import TEMPLATE

    data = report.truth[(report.truth["table"] == table) & (report.truth["indicator"] == indicator)]
    fig = go.Figure()
    fig.add_scatter(
        x=data["level"],
        y=data["estimate"],
        mode="markers",
        name="估计值",
        error_y={
            "type": "data",
            "symmetric": False,
            "array": data["ci_high"] - data["estimate"],
            "arrayminus": data["estimate"] - data["ci_low"],
        },
    )
    fig.add_scatter(
        x=data["level"], y=data["truth"], mode="markers", name="真值（演示总体）", marker={"symbol": "x", "size": 11}
    )
    fig.update_layout(template=TEMPLATE, title=f"演示数据：{INDICATORS[indicator][2]}估计值与真值", yaxis_title="%")
    return fig


def sensitivity_table(report: SurveyReport) -> pd.DataFrame:
    """The average revenue under other values of the open top band (Chinese columns, 万元/件, one decimal)."""
    data = report.revenue_sensitivity
    levels = [c for c in data.columns if c not in ("assumption", "top_value")]
    out = data.round({"top_value": 0, **{level: 1 for level in levels}})
    return out.rename(columns=labels("zh", keys=("assumption", "top_value")))


def sensitivity_record(report: SurveyReport) -> tuple[pd.DataFrame, list[str], dict]:
    """The sensitivity table for the bulletin: (Chinese-column frame, notes, disclosure record).

    The record lists the withheld cells (保密 in every row, 不发布 in the Pareto row, as the revenue table) and
    claims no audit of its own: the cells are the revenue table's, re-estimated with fixed top-band values.
    """
    data = report.revenue_sensitivity
    revenue = report.table("survey_revenue_by_patent_type")
    levels = [c for c in data.columns if c not in ("assumption", "top_value")]
    flags = revenue.published.set_index("level")["flag"]
    top = report.top_band
    first = (
        f"第一行为公布表所用的估计（{data['assumption'].iloc[0]}，最高区间每件{data['top_value'].iloc[0]:.0f}万元）"
        if top is not None
        else "第一行为公布表所用的估计"
    )
    notes = [
        f"{first}；其余各行把最高区间每件固定为其下限的"
        f"{'、'.join(f'{v / top.lower:g}' for v in data['top_value'].iloc[1:]) if top else ''}倍，其他区间不变，"
        "固定取值的各行不含帕累托指数的抽样误差。公布表不发布的分组在第一行不列示，经统计数据保密处理的分组在各行均不列示"
        f"（“{SYMBOLS['suppressed']['mark']}”）。"
    ]
    total = data["合计"].dropna() if "合计" in data else pd.Series(dtype=float)
    if len(total) > 1:
        notes.append(
            f"各行合计的平均产业化收益在{total.min():.1f}～{total.max():.1f}万元/件之间，"
            "差别即最高收益区间取值这一假设的影响。"
        )
    suppressed = [
        {"row": row["assumption"], "col": level, "status": str(flags.get(level, "保密"))}
        for _, row in data.iterrows()
        for level in levels
        if pd.isna(row[level])
    ]
    record = {
        "rules": revenue.disclosure.get("rules", {}),
        "source": "survey_sample",
        "confidentiality": "confidential",
        "derived_from": revenue.name,
        "cells": int(len(data) * len(levels)),
        "suppressed": suppressed,
    }
    return sensitivity_table(report), notes, record


def truth_table(report: SurveyReport) -> pd.DataFrame:
    """Demo: estimate vs truth with Chinese columns (indicator names, 是/否 for coverage)."""
    out = report.truth.assign(
        indicator=report.truth["indicator"].map(lambda k: INDICATORS[k][2]),
        covered=np.where(report.truth["covered"], "是", "否"),
    )
    return out.drop(columns="table").rename(columns={**_COLUMNS, **labels("zh", keys=("truth", "covered"))})


def published_rates() -> pd.DataFrame:
    """CNIPA's published invention-patent industrialization rates (context; ``data/published_rates.csv``)."""
    rates = pd.read_csv(Path(__file__).parent / "data" / "published_rates.csv")
    table = rates.pivot_table(index="year", columns="population", values="value_pct").reset_index()
    table.columns.name = None
    return table  # "year" keeps its name: show_table labels it 年份 ungrouped
