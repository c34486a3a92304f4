"""Everything the patent-survey notebook shows: weighted design, published tables, summary, charts, truth check.

The summary and the notes with numbers are written in Chinese, or in English for the English edition
(``lang="en"``: the same numbers, the same omissions and caveats).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ipstats.labels import SYMBOLS, labels
from ipstats.language import check_lang
from ipstats.language import value as _english
from ipstats.sdc import key_text
from ipstats.survey.design import Design
from ipstats.survey.indicators import (
    CAUTION,
    EXACT_REVENUE,
    INDICATORS,
    REPORT_TABLES,
    SUPPRESS,
    QualityRules,
    TopBand,
    design_top_band,
    report_tables,
    revenue_bands,
    revenue_sensitivity,
    survey_summary,
)
from ipstats.survey.quality import rules_note
from ipstats.survey.weighting import SurveyDesign, frame_note, read_sample, register_totals, weight_survey

__all__ = [
    "INDICATOR_NAMES_EN",
    "PublishedTable",
    "SurveyReport",
    "compute_survey",
    "frame_text",
    "published_rates",
    "rate_chart",
    "reason_en",
    "sensitivity_record",
    "sensitivity_table",
    "summary_text",
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
_COLUMNS_EN = labels("en", keys=tuple(_COLUMNS), context="survey")

#: English names of the survey indicators (CNIPA's English survey report wording); the Chinese are
#: ``INDICATORS[key][2]``.
INDICATOR_NAMES_EN = {
    "implementation_rate": "Implementation rate",
    "industrialization_rate": "Industrialisation rate",
    "licensing_rate": "Licensing rate",
    "transfer_rate": "Transfer rate",
    "average_revenue": "Average industrialisation revenue",
}
#: Patentee types named in the summary, in English prose.
_PATENTEES_EN = {"企业": "enterprises", "高校": "universities", "科研单位": "research institutes"}
#: Quality flags in English prose.
_FLAGS_EN = {CAUTION: "use with caution", SUPPRESS: "not published", "保密": "confidential"}
_DEMO_EN = " (demo data: synthetic, not real statistics)"


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
    #: language of :attr:`summary` and of the tables' notes ("zh" or "en"); the default of
    #: :func:`sensitivity_record` and :func:`truth_table`
    lang: str = "zh"

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


def _notes(
    table_name: str, rules: QualityRules, top: TopBand | None = None, exact_n: int = 0, lang: str = "zh"
) -> list[str]:
    if lang == "en":
        return _notes_en(table_name, rules, top, exact_n)
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


# ---------------------------------------------------------------------------------------------------------
# English edition: the summary and the notes with numbers, from the same figures as the Chinese.


def _wan_en(wan_yuan: float, decimals: int = 1) -> str:
    """A 万元 figure printed with *decimals* decimals in Chinese, in million yuan at the same precision
    (``248.1万元`` → ``2.481``)."""
    return f"{wan_yuan / 100:,.{decimals + 2}f}"


def _yuan_en(wan_yuan: float) -> str:
    """A whole 万元 amount (``1500万元``) in English: ``15 million yuan``, ``1.25 million yuan``."""
    return f"{wan_yuan / 100:,.10g} million yuan" if abs(wan_yuan) >= 100 else f"{wan_yuan * 10_000:,.0f} yuan"


_NUM = r"(?P<a>[^<>≥%（）]+?)"
_NUM_B = r"(?P<b>[^<>≥%（）]+?)"
#: The reasons of :func:`ipstats.survey.quality.assess` and :func:`ipstats.survey.indicators.publish`.
_REASONS_EN = [
    (re.compile(rf"有效样本量{_NUM}<{_NUM_B}"), "effective sample size {a} < {b}"),
    (re.compile(rf"样本量{_NUM}<{_NUM_B}"), "sample size {a} < {b}"),
    (
        re.compile(rf"置信区间宽度{_NUM}个百分点≥{_NUM_B}个百分点"),
        "confidence interval width {a} percentage points >= {b} percentage points",
    ),
    (
        re.compile(rf"置信区间宽度为估计值与其补数中较小者的{_NUM}%（>{_NUM_B}%）"),
        "confidence interval width {a}% of the smaller of the estimate and its complement (> {b}%)",
    ),
    (
        re.compile(rf"置信区间宽度为估计值的{_NUM}%（>{_NUM_B}%）"),
        "confidence interval width {a}% of the estimate (> {b}%)",
    ),
    (re.compile(rf"设计自由度{_NUM}<{_NUM_B}"), "design degrees of freedom {a} < {b}"),
    (re.compile("估计值为0或100%"), "estimate of 0 or 100%"),
    (
        re.compile(rf"其补数的置信区间相对宽度{_NUM}%>{_NUM_B}%"),
        "relative confidence interval width of its complement {a}% > {b}%",
    ),
    (re.compile(rf"变异系数{_NUM}%>{_NUM_B}%"), "coefficient of variation {a}% > {b}%"),
    (re.compile("无法估计标准误"), "standard error cannot be estimated"),
    (
        re.compile("置信区间无法计算（logit区间在0或100%处、或自由度为0）"),
        "confidence interval cannot be computed (logit interval at 0 or 100%, or zero degrees of freedom)",
    ),
    (re.compile("统计数据保密处理"), "statistical disclosure control"),
]


def reason_en(reason: str) -> str:
    """A quality reason (``标识原因``, e.g. ``样本量14<30；设计自由度5<8``) in English, its numbers unchanged:
    ``sample size 14 < 30; design degrees of freedom 5 < 8``. A part without an English wording is kept."""
    out = []
    for part in str(reason).split("；"):
        for pattern, english in _REASONS_EN:
            match = pattern.fullmatch(part)
            if match:
                out.append(english.format(**match.groupdict()))
                break
        else:
            out.append(part)
    return "; ".join(out)


def _quote_en(table: pd.DataFrame, indicator: str, level: str, digits: int = 1) -> tuple[str, str]:
    """The English of :func:`ipstats.survey.indicators._quote`: (estimate with its interval, or ``not
    published (reason)``; the caveat of a flagged estimate, or ``""``)."""
    row = table.set_index(["indicator", "level"]).loc[(indicator, level)]
    reason = row.get("quality_reason")
    if row["flag"] in (SUPPRESS, "保密") or pd.isna(row["estimate"]):
        return (f"not published ({reason_en(reason)})" if reason else "not published"), ""
    if INDICATORS[indicator][3] == "%":
        lo, hi = f"{row['ci_low']:.{digits}f}", f"{row['ci_high']:.{digits}f}"
        text = f"{row['estimate']:.{digits}f}% (95% confidence interval {lo}-{hi}%)"
    else:  # 万元/件, in million yuan at the Chinese precision
        lo, hi = _wan_en(row["ci_low"], digits), _wan_en(row["ci_high"], digits)
        text = f"{_wan_en(row['estimate'], digits)} million yuan per patent (95% confidence interval {lo}-{hi} million yuan)"
    caveat = f", for reference only ({reason_en(reason)})" if row["flag"] == CAUTION else ""
    return text, caveat


def _summary_en(tables: dict[str, tuple[pd.DataFrame, dict]], year: int, demo: bool) -> str:
    """:func:`ipstats.survey.indicators.survey_summary` in English: the same estimates, caveats and omissions."""

    def quoted(table: pd.DataFrame, indicator: str, level: str) -> str:
        return "".join(_quote_en(table, indicator, level))

    by_type = tables["survey_by_patent_type"][0]
    by_patentee = tables["survey_invention_by_patentee_type"][0]
    revenue = tables["survey_revenue_by_patent_type"][0]
    parts = [
        f"The {year} National Patent Survey{_DEMO_EN if demo else ''} shows that the industrialisation rate of "
        f"valid invention patents was {quoted(by_type, 'industrialization_rate', '发明')}, and the implementation "
        f"rate was {quoted(by_type, 'implementation_rate', '发明')}."
    ]
    levels = set(by_patentee["level"])
    named = [(lv, name) for lv, name in _PATENTEES_EN.items() if lv in levels]
    if named:
        parts.append(
            " By type of patentee, the industrialisation rate of valid invention patents was "
            + "; ".join(f"{quoted(by_patentee, 'industrialization_rate', lv)} for {name}" for lv, name in named)
            + "."
        )
    parts.append(
        f" For all valid patents, the licensing rate was {quoted(by_type, 'licensing_rate', '合计')}, and the "
        f"transfer rate was {quoted(by_type, 'transfer_rate', '合计')}."
    )
    estimate, caveat = _quote_en(revenue, "average_revenue", "合计")
    basis = (
        ""
        if estimate.startswith("not published")
        else ", estimated from revenue bands (the value of the top band is given in the table notes)"
    )
    parts.append(
        f" The average industrialisation revenue of industrialised valid patents was {estimate}{basis}{caveat}."
    )
    flags = pd.concat([t[0]["flag"] for t in tables.values()])
    flagged, quality, secret = (
        int((flags == CAUTION).sum()),
        int((flags == SUPPRESS).sum()),
        int((flags == "保密").sum()),
    )
    verb = lambda n: "is" if n == 1 else "are"  # noqa: E731
    parts.append(
        f" Of the {len(flags)} estimates in the tables, {flagged} {verb(flagged)} flagged \"{_FLAGS_EN[CAUTION]}\" "
        f"(the reasons are given in the \"{_COLUMNS_EN['quality_reason']}\" column of each table); {quality} "
        f"{verb(quality)} not published because the effective sample size is too small or the confidence interval "
        f"too wide, and {secret} {verb(secret)} withheld under statistical disclosure control."
    )
    return "".join(parts)


def summary_text(tables: dict[str, tuple[pd.DataFrame, dict]], year: int, demo: bool, lang: str = "zh") -> str:
    """The survey summary in *lang*: :func:`ipstats.survey.indicators.survey_summary` (Chinese), or its English.

    *tables* is the output of :func:`ipstats.survey.indicators.report_tables` (name → (published frame,
    record)); every number comes from it.
    """
    if check_lang(lang) == "en":
        return _summary_en(tables, year, demo)
    return survey_summary(tables, year, demo)


def _rules_note_en(rules: QualityRules) -> str:
    """:func:`ipstats.survey.quality.rules_note` in English (every threshold from *rules*)."""
    interval = (
        "the Korn-Graubard interval (the Clopper-Pearson interval with the effective sample size adjusted for the "
        "design degrees of freedom)"
        if rules.interval == "beta"
        else "the logit-transformed interval (t quantiles on the design degrees of freedom)"
    )
    relative = (
        "the relative width is taken on the smaller of the estimate and its complement (1 - estimate), so a rate "
        "and its complement get the same decision"
        if rules.relative_to == "smaller"
        else "the relative width is taken on the estimate; where that of its complement exceeds the standard, the "
        f'estimate is flagged "{_FLAGS_EN[CAUTION]}"'
    )
    caution = _FLAGS_EN[CAUTION]
    return (
        "Quality flags (US National Center for Health Statistics 2017 data presentation standards for "
        f"proportions): the {100 * rules.level:g}% confidence interval of a rate is {interval}; an estimate with an "
        f"effective sample size (p(1-p) over the squared standard error, at most the sample size) below {rules.min_n_eff:g} or a sample size "
        f"below {rules.min_n} is not published; one whose confidence interval is at most "
        f"{100 * rules.present_width:g} percentage points wide is published; one {100 * rules.max_width:g} "
        "percentage points wide or more is not published; one in between with a relative width above "
        f"{100 * rules.max_relative_width:g}% is not published ({relative}); a publishable estimate with fewer "
        f"than {rules.min_df} design degrees of freedom (primary sampling units minus strata) or an estimate of 0 "
        f'or 100% is flagged "{caution}". The average industrialisation revenue is not a proportion and is judged '
        f'by its coefficient of variation: above {rules.caution_cv:g}% it is flagged "{caution}", above '
        f"{rules.suppress_cv:g}% or with an effective sample size (sample size/design effect) below "
        f'{rules.min_n_eff:g} it is not published. The "{_COLUMNS_EN["quality_reason"]}" column gives the figures '
        "behind each decision."
    )


def _fallback_en(top: TopBand) -> str:
    """Why the open top band has a conventional value (the Chinese is the start of :attr:`TopBand.note`)."""
    if not top.note:
        return ""
    if np.isfinite(top.alpha):
        return f"Pareto index α={top.alpha:.2f}<=1, infinite mean"
    return "no Pareto distribution can be fitted, one of the two highest bands having no sample patents"


def _top_band_en(top: TopBand) -> str:
    """How the open top band was valued, in English (the Chinese is :attr:`TopBand.note` or the Pareto
    label of :func:`ipstats.survey.indicators.revenue_sensitivity`), from the band's own figures."""
    if top.method == "pareto":
        return f"Pareto interpolation (α={top.alpha:.2f})"
    if top.method == "exact":
        return "all exact amounts"
    times = f"{top.value / top.lower:g} times the lower bound"
    why = _fallback_en(top)
    return f"{why}; conventional value of {_yuan_en(top.value)} ({times})" if why else times


def _band_en(band: pd.Series) -> str:
    """A revenue band's label in English from its bounds (万元): ``10 million yuan or more``."""
    if pd.isna(band["upper_10k_yuan"]):
        return f"{_yuan_en(band['lower_10k_yuan'])} or more"
    return f"{_yuan_en(band['lower_10k_yuan'])} to {_yuan_en(band['upper_10k_yuan'])}"


def _notes_en(table_name: str, rules: QualityRules, top: TopBand | None = None, exact_n: int = 0) -> list[str]:
    """:func:`_notes` of the English edition: the notes with numbers in English, the fixed ones (no numbers
    that vary) left in Chinese for the catalogue (``ipstats/reference/data/english.yaml``)."""
    chinese = _notes(table_name, rules, top, exact_n)
    notes = [_rules_note_en(rules), chinese[1], chinese[2]]
    if table_name == "survey_revenue_by_patent_type" and top is not None:
        band = revenue_bands().iloc[-1]
        if top.method == "pareto":
            how = (
                "is valued by Pareto interpolation on the weighted patent counts of the two highest bands (Pareto "
                f"index α={top.alpha:.2f}), at {_wan_en(top.value, 0)} million yuan per patent (α·lower bound/(α-1))"
            )
        elif top.method == "exact":
            how = "consists entirely of reported exact amounts"
        else:
            why = _fallback_en(top)
            how = (
                f"is valued at {_wan_en(top.value, 0)} million yuan per patent, {top.value / top.lower:g} times its "
                "lower bound" + (f" (the conventional value: {why})" if why else "")
            )
        exact = (
            f"the {exact_n} patents reporting an exact amount are taken at that amount, the others are "
            if exact_n
            else ""
        )
        error = (
            "The sampling error of α is included in the standard errors and confidence intervals by linearisation; "
            "the effect of the Pareto assumption itself is shown in the sensitivity table"
            if top.method == "pareto"
            else "This value is an assumption: its uncertainty is not included in the standard errors and confidence "
            "intervals, and the results under other values are shown in the sensitivity table"
        )
        notes.append(
            f"Average industrialisation revenue: {exact}estimated from revenue bands, closed bands at their "
            f'midpoints; the open top band "{_band_en(band)}" {how}. {error}; the revenue bands are the ipstats '
            "defaults and should be replaced by those of the survey questionnaire."
        )
    return notes


def frame_text(year: int, changes: dict[str, int] | None, lang: str = "zh") -> str:
    """The notebook's note on the frame basis in *lang*: :func:`ipstats.survey.weighting.frame_note` (Chinese)
    or its English, with the same counts."""
    if check_lang(lang) == "zh":
        return frame_note(year, changes)
    if changes is None:
        return (
            "The frame and the calibration totals classify patentees by type and region by the first applicant "
            f"(at filing), without the patent assignment records; a patent assigned before the end of {int(year)} "
            "still counts for its first applicant."
        )
    return (
        "The frame and the calibration totals classify patentees by type and region by the patentee at 31 "
        f"December {int(year)}: the assignee of the last assignment recorded before that day, otherwise the first "
        f"applicant. Of the {changes['frame_patents']:,} valid patents in the frame, {changes['transferred']:,} "
        "have a patentee from an assignment; compared with the first applicant, "
        f"{changes['moved']:,} changed stratum through an assignment, {changes['entered']:,} entered the frame "
        "through an assignment from Hong Kong, Macao, Taiwan or abroad to a domestic patentee, and "
        f"{changes['left']:,} left it through an assignment to a patentee in Hong Kong, Macao, Taiwan or abroad."
    )


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
    lang: str = "zh",
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
    lang : {"zh", "en"}
        Language of :attr:`SurveyReport.summary` (:func:`summary_text`) and of the tables' notes with
        numbers; the estimates are the same.
    """
    check_lang(lang)
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
        tables.append(PublishedTable(spec.name, frame, record, _notes(spec.name, rules, top, exact_n, lang)))
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
        summary_text(published, year, demo, lang),
        demo,
        truth,
        weighting,
        detail,
        top,
        sensitivity,
        lang=lang,
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


def sensitivity_table(report: SurveyReport, lang: str | None = None) -> pd.DataFrame:
    """The average revenue under other values of the open top band (万元/件, one decimal), with Chinese columns
    and assumptions, or in English (*lang* ``"en"``; default: the report's language) English ones."""
    lang = check_lang(report.lang if lang is None else lang)
    data = report.revenue_sensitivity
    levels = [c for c in data.columns if c not in ("assumption", "top_value")]
    out = data.round({"top_value": 0, **{level: 1 for level in levels}})
    if lang == "en":
        out["assumption"] = _assumptions_en(report)
        out = out.rename(columns={level: _english(level) for level in levels})
    return out.rename(columns=labels(lang, keys=("assumption", "top_value")))


def _assumptions_en(report: SurveyReport) -> list[str]:
    """The ``assumption`` column of the sensitivity table in English: the published estimate's top band, then
    the multiples of the lower bound (:func:`ipstats.survey.indicators.revenue_sensitivity`)."""
    data, top = report.revenue_sensitivity, report.top_band
    first = _top_band_en(top) if top is not None else str(data["assumption"].iloc[0])
    lower = top.lower if top is not None else float("nan")
    return [first] + [f"{v / lower:g} times the lower bound" for v in data["top_value"].iloc[1:]]


def sensitivity_record(report: SurveyReport, lang: str | None = None) -> tuple[pd.DataFrame, list[str], dict]:
    """The sensitivity table for the bulletin: (frame, notes, disclosure record), in *lang* (default: the
    report's language; Chinese columns and notes, or English).

    The record lists the withheld cells (保密 in every row, 不发布 in the Pareto row, as the revenue table) and
    claims no audit of its own: the cells are the revenue table's, re-estimated with fixed top-band values.
    In English its rows are named by the English assumptions, as the table shown.
    """
    lang = check_lang(report.lang if lang is None else lang)
    if lang == "en":
        return _sensitivity_record_en(report)
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
    return sensitivity_table(report, "zh"), notes, record


def _sensitivity_record_en(report: SurveyReport) -> tuple[pd.DataFrame, list[str], dict]:
    """:func:`sensitivity_record` in English: the same cells, the notes' numbers unchanged."""
    table, _, record = sensitivity_record(report, "zh")
    data, top = report.revenue_sensitivity, report.top_band
    rows = dict(zip(data["assumption"], _assumptions_en(report)))
    record = {
        **record,
        "suppressed": [
            {**cell, "row": rows.get(cell["row"], cell["row"]), "col": _english(cell["col"])}
            for cell in record["suppressed"]
        ],
    }
    first = (
        f"The first row is the estimate of the published table ({_top_band_en(top)}, "
        f"{_wan_en(data['top_value'].iloc[0], 0)} million yuan per patent in the top band)"
        if top is not None
        else "The first row is the estimate of the published table"
    )
    factors = [f"{v / top.lower:g}" for v in data["top_value"].iloc[1:]] if top else []
    listed = ", ".join(factors[:-1]) + " and " + factors[-1] if len(factors) > 1 else "".join(factors)
    notes = [
        f"{first}; the other rows fix the value per patent of the top band at {listed} times its lower bound, "
        "the other bands unchanged, and carry no sampling error of the Pareto index. Groups the published table "
        "does not publish are not shown in the first row, and groups withheld under statistical disclosure "
        f'control are not shown in any row ("{SYMBOLS["suppressed"]["mark"]}").'
    ]
    total = data["合计"].dropna() if "合计" in data else pd.Series(dtype=float)
    if len(total) > 1:
        notes.append(
            f"The average industrialisation revenue of the total lies between {_wan_en(total.min())} and "
            f"{_wan_en(total.max())} million yuan per patent across the rows: the difference is the effect of the "
            "value assumed for the top revenue band."
        )
    return sensitivity_table(report, "en"), notes, record


def truth_table(report: SurveyReport, lang: str | None = None) -> pd.DataFrame:
    """Demo: estimate vs truth with Chinese columns (indicator names, 是/否 for coverage), or in English
    (*lang* ``"en"``; default: the report's language) English ones (Yes/No)."""
    english = check_lang(report.lang if lang is None else lang) == "en"
    out = report.truth.assign(
        indicator=report.truth["indicator"].map(lambda k: INDICATOR_NAMES_EN[k] if english else INDICATORS[k][2]),
        covered=np.where(report.truth["covered"], "Yes" if english else "是", "No" if english else "否"),
    )
    if english:
        out = out.assign(level=out["level"].map(_english))
        return out.drop(columns="table").rename(columns={**_COLUMNS_EN, **labels("en", keys=("truth", "covered"))})
    return out.drop(columns="table").rename(columns={**_COLUMNS, **labels("zh", keys=("truth", "covered"))})


def published_rates() -> pd.DataFrame:
    """CNIPA's published invention-patent industrialization rates (context; ``data/published_rates.csv``)."""
    rates = pd.read_csv(Path(__file__).parent / "data" / "published_rates.csv")
    table = rates.pivot_table(index="year", columns="population", values="value_pct").reset_index()
    table.columns.name = None
    return table  # "year" keeps its name: show_table labels it 年份 ungrouped
