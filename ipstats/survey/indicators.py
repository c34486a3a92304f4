"""Published indicators of the patent survey with CI, CV, quality flags and disclosure control.

Indicators (patent level, shares of valid patents, %):

* ``implementation_rate`` 专利实施率 — valid patents implemented (by the patentee, by licence or transfer);
* ``industrialization_rate`` 专利产业化率 — valid patents used to make products put on the market;
* ``licensing_rate`` 专利许可率 and ``transfer_rate`` 专利转让率;
* ``average_revenue`` 平均产业化收益 (万元/件) — revenue per industrialized patent, a ratio of the
  estimated revenue total to the estimated number of industrialized patents. A patent's revenue is the exact
  amount where the sample carries one (optional column ``revenue_amount_10k_yuan``), else its band's value
  (``data/revenue_bands.csv``): the midpoint of a closed band, and for the open top band (1000万元及以上) the
  mean of a Pareto tail fitted to the two highest bands (:func:`pareto_top_mean`); the sensitivity of the
  average to that assumption is :func:`revenue_sensitivity`.

Each is estimated by design (:class:`ipstats.survey.Design`) in domains — patent type, patentee type,
enterprise size, high-tech status, region — as subpopulations. Rates carry Korn–Graubard (or logit)
intervals with the design degrees of freedom and their effective sample size; quality flags (质量标识:
presented, 慎用 flagged for review, 不发布 suppressed, with the reason) follow the NCHS 2017 standards for
proportions (:mod:`ipstats.survey.quality`), CV rules for the average revenue.

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
from scipy.stats import norm, t as t_dist

from ipstats.labels import labels
from ipstats.survey.design import Design
from ipstats.survey.quality import CAUTION, SUPPRESS, QualityRules, assess

__all__ = [
    "CAUTION",
    "EXACT_REVENUE",
    "INDICATORS",
    "QualityRules",
    "REPORT_TABLES",
    "SUPPRESS",
    "TopBand",
    "add_revenue",
    "estimate_table",
    "pareto_top_mean",
    "population_table",
    "publish",
    "quality_flag",
    "report_tables",
    "revenue_bands",
    "revenue_sensitivity",
    "survey_summary",
    "top_band",
]

DATA = Path(__file__).parent / "data"
#: Optional sample column: the exact industrialization revenue (万元) where the questionnaire carries it.
EXACT_REVENUE = "revenue_amount_10k_yuan"

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
    by: str
    where: tuple[tuple[str, str], ...]
    indicators: tuple[str, ...]


#: The bulletin's tables, in the order of CNIPA's survey report (patent type; patentee type; enterprise
#: size; high-tech enterprises; region; revenue); their titles and units are the notebook's.
REPORT_TABLES = (
    ReportTable("survey_by_patent_type", "patent_type", (), tuple(RATES)),
    ReportTable("survey_invention_by_patentee_type", "applicant_type", (("patent_type", "发明"),), tuple(RATES)),
    ReportTable(
        "survey_enterprise_invention_by_size",
        "enterprise_size",
        (("patent_type", "发明"), ("applicant_type", "企业")),
        tuple(RATES),
    ),
    ReportTable(
        "survey_enterprise_invention_by_high_tech",
        "high_tech",
        (("patent_type", "发明"), ("applicant_type", "企业")),
        tuple(RATES),
    ),
    ReportTable("survey_invention_by_region", "region", (("patent_type", "发明"),), tuple(RATES)),
    ReportTable("survey_revenue_by_patent_type", "patent_type", (), ("average_revenue",)),
)
DOMAIN_LABELS = labels(
    "zh", keys=("patent_type", "applicant_type", "enterprise_size", "high_tech", "region"), context="domain"
)


@lru_cache(maxsize=1)
def revenue_bands() -> pd.DataFrame:
    """Revenue bands (产业化收益区间): bounds and closed-band midpoints, 万元 (see ``data/README.md``)."""
    return pd.read_csv(DATA / "revenue_bands.csv")


@dataclass(frozen=True)
class TopBand:
    """The value given to each patent of the open top revenue band (万元) and how it was obtained."""

    value: float
    method: str  # "pareto", "factor" (a multiple of the lower bound) or "exact" (all amounts known)
    lower: float  # the band's lower bound
    alpha: float = float("nan")  # Pareto index (method "pareto")
    note: str = ""  # why the fallback was used, in Chinese ("" for Pareto)


def pareto_top_mean(lower_prev: float, lower_top: float, count_prev: float, count_top: float) -> tuple[float, float]:
    """Pareto interpolation of an open top band: ``(alpha, mean)``.

    A Pareto tail ``P(X > x) ∝ x^-α`` through the shares above the lower bounds of the two highest bands,
    ``count_prev + count_top`` above ``lower_prev`` and ``count_top`` above ``lower_top``, has
    ``α = ln((count_prev + count_top)/count_top) / ln(lower_top/lower_prev)``, and the mean above
    ``lower_top`` is ``α·lower_top/(α - 1)`` (finite only for α > 1; NaN otherwise). This is the classical
    Pareto interpolation of binned incomes (e.g. von Hippel, Scarpino & Holas 2016, "Robust estimation of
    inequality from binned incomes", *Sociological Methodology* 46: 212–251; the US Census Bureau's Pareto
    interpolation of open-ended income brackets). Counts may be weighted.
    """
    if not (count_top > 0 and count_prev > 0 and lower_top > lower_prev > 0):
        return float("nan"), float("nan")
    alpha = float(np.log((count_prev + count_top) / count_top) / np.log(lower_top / lower_prev))
    return alpha, (alpha * lower_top / (alpha - 1) if alpha > 1 else float("nan"))


def top_band(frame: pd.DataFrame, weights: np.ndarray | pd.Series | None = None) -> TopBand:
    """The open top band's value from the weighted band counts of *frame*'s industrialized patents.

    Pareto interpolation (:func:`pareto_top_mean`) when both highest bands hold patents and α > 1; otherwise
    the band's conventional ``midpoint_10k_yuan`` of ``data/revenue_bands.csv``, with the reason in ``note``.
    When every top-band patent carries an exact amount the value is not used (``method="exact"``).
    """
    bands = revenue_bands()
    top, prev = bands.iloc[-1], bands.iloc[-2]
    w = np.ones(len(frame)) if weights is None else np.asarray(weights, dtype=float)
    industrialized = frame["industrialized"].astype(float).to_numpy() == 1
    band = pd.to_numeric(frame["revenue_band"], errors="coerce").to_numpy()
    count_top = float(w[industrialized & (band == top["band"])].sum())
    count_prev = float(w[industrialized & (band == prev["band"])].sum())
    fallback = float(top["midpoint_10k_yuan"])
    if EXACT_REVENUE in frame.columns:
        exact = pd.to_numeric(frame[EXACT_REVENUE], errors="coerce").notna().to_numpy()
        if not (industrialized & (band == top["band"]) & ~exact).any():
            return TopBand(fallback, "exact", float(top["lower_10k_yuan"]))
    alpha, mean = pareto_top_mean(float(prev["lower_10k_yuan"]), float(top["lower_10k_yuan"]), count_prev, count_top)
    if np.isfinite(mean):
        return TopBand(float(mean), "pareto", float(top["lower_10k_yuan"]), alpha)
    why = (
        f"帕累托指数α={alpha:.2f}≤1，均值无穷"
        if np.isfinite(alpha)
        else "最高两个区间中有区间无样本，无法拟合帕累托分布"
    )
    return TopBand(
        fallback,
        "factor",
        float(top["lower_10k_yuan"]),
        alpha,
        f"{why}，取约定值{fallback:g}万元（下限的{fallback / float(top['lower_10k_yuan']):g}倍）",
    )


def _frame_weights(frame: pd.DataFrame) -> np.ndarray | None:
    """Weights of a sample frame before calibration: nonresponse-adjusted, else base weights; None for a population."""
    for column in ("nr_weight", "base_weight"):
        if column in frame.columns:
            return frame[column].astype(float).to_numpy()
    return None


def revenue_values(frame: pd.DataFrame, top_value: float) -> np.ndarray:
    """Each patent's industrialization revenue (万元): the exact amount where given, else its band's value
    (closed band: midpoint; open top band: *top_value*); 0 for patents not industrialized.

    Raises ValueError (row, value, expectation) for an industrialized patent without an amount or known band.
    """
    bands = revenue_bands()
    values = bands.set_index("band")["midpoint_10k_yuan"].astype(float).copy()
    values.iloc[-1] = top_value
    industrialized = frame["industrialized"].astype(float).to_numpy() == 1
    band = pd.to_numeric(frame["revenue_band"], errors="coerce")
    exact = (
        pd.to_numeric(frame[EXACT_REVENUE], errors="coerce")
        if EXACT_REVENUE in frame.columns
        else pd.Series(np.nan, index=frame.index)
    )
    bad = industrialized & ~band.isin(values.index).to_numpy() & exact.isna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        given = str(frame["revenue_band"].iloc[row])
        raise ValueError(
            f"row {row}: industrialized patent with revenue_band {given!r}; "
            f"expected one of {values.index.tolist()} or an amount in {EXACT_REVENUE}"
        )
    negative = exact.to_numpy() < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise ValueError(f"row {row}: {EXACT_REVENUE} is {float(exact.iloc[row]):g}; expected an amount ≥ 0 (万元)")
    by_band = band.map(values).to_numpy(dtype=float)
    return np.where(industrialized, np.where(exact.notna().to_numpy(), exact.to_numpy(dtype=float), by_band), 0.0)


def add_revenue(frame: pd.DataFrame, top_value: float | None = None) -> pd.DataFrame:
    """Add ``revenue_10k_yuan`` (:func:`revenue_values`) to a copy of *frame*.

    *top_value* None: the open top band by :func:`top_band` on *frame* itself, weighted by its
    nonresponse-adjusted (else base) weights, unweighted for a population. :func:`estimate_table` recomputes
    the column with the calibrated weights, so the published estimates use the calibrated band counts.
    """
    if top_value is None:
        top_value = top_band(frame, _frame_weights(frame)).value
    return frame.assign(revenue_10k_yuan=revenue_values(frame, top_value))


def design_top_band(design: Design) -> TopBand:
    """:func:`top_band` with the design's (calibrated) weights."""
    return top_band(design.data, design.weights.to_numpy())


def quality_flag(estimates: pd.DataFrame, rules: QualityRules = QualityRules()) -> pd.Series:
    """质量标识 of each row of an :func:`estimate_table` frame: ``""``, 慎用 or 不发布 (:func:`~ipstats.survey.quality.assess`)."""
    return _assess(estimates, rules)["flag"]


def _assess(estimates: pd.DataFrame, rules: QualityRules) -> pd.DataFrame:
    proportion = estimates["indicator"].isin(RATES)
    scale = np.where(proportion, 100.0, 1.0)
    frame = pd.DataFrame(
        {
            "proportion": proportion,
            "p": estimates["estimate"] / scale,
            "se": estimates["se"],
            "ci_low_p": estimates["ci_low"] / scale,
            "ci_high_p": estimates["ci_high"] / scale,
            "cv_pct": estimates["cv_pct"],
            "n": estimates["n"],
            "n_eff": estimates["n_eff"],
            "df": estimates["df"],
        },
        index=estimates.index,
    )
    return assess(frame, rules)


def _domain_filter(table: ReportTable) -> tuple[list[str], dict]:
    return [*(c for c, _ in table.where), table.by], dict(table.where)


def _ratio_with_df(
    design: Design, numerator: str, denominator: str, by: list[str] | None, level: float
) -> pd.DataFrame:
    """A ratio mean with a t interval on the design degrees of freedom and its effective sample size n/deff."""
    est = design.ratio(numerator, denominator, by=by)
    df = design.degf(by)["df"].to_numpy(dtype=float)
    q = _t_quantiles(df, level)
    return est.assign(ci_low=est["estimate"] - q * est["se"], ci_high=est["estimate"] + q * est["se"], df=df)


def _t_quantiles(df: np.ndarray, level: float) -> np.ndarray:
    """The two-sided *level* quantile of t on each df (normal for an infinite df, NaN for df ≤ 0)."""
    q = np.array([float(t_dist.ppf(1 - (1 - level) / 2, d)) if d > 0 else float("nan") for d in df])
    return np.where(np.isinf(df), float(norm.ppf(1 - (1 - level) / 2)), q)


def tail_gradient(design: Design, top: TopBand) -> np.ndarray:
    """Per row, ``w_i·∂v/∂w_i`` of the Pareto top-band value ``v = α·L/(α-1)`` (zero unless ``top`` is Pareto).

    ``α = ln((T₅+T₆)/T₆)/c`` with ``T₅, T₆`` the weighted industrialized patents of the two highest bands and
    ``c = ln(L/L₅)``: ``∂v/∂T₅ = -L/((α-1)²·c·(T₅+T₆))``, ``∂v/∂T₆ = L·T₅/((α-1)²·c·T₆·(T₅+T₆))``.
    """
    if top.method != "pareto":
        return np.zeros(len(design.data))
    bands = revenue_bands()
    top_code, prev_code = bands["band"].iloc[-1], bands["band"].iloc[-2]
    lower_prev = float(bands["lower_10k_yuan"].iloc[-2])
    w = design.weights.to_numpy()
    industrialized = design.data["industrialized"].astype(float).to_numpy() == 1
    band = pd.to_numeric(design.data["revenue_band"], errors="coerce").to_numpy()
    in_prev, in_top = industrialized & (band == prev_code), industrialized & (band == top_code)
    t5, t6 = w[in_prev].sum(), w[in_top].sum()
    c = np.log(top.lower / lower_prev)
    dv_dalpha = -top.lower / (top.alpha - 1) ** 2
    d5 = dv_dalpha / (c * (t5 + t6))
    d6 = dv_dalpha * -t5 / (c * t6 * (t5 + t6))
    return w * (d5 * in_prev + d6 * in_top)


def _revenue_table(design: Design, by: list[str] | None, top: TopBand, level: float) -> pd.DataFrame:
    """Average revenue per domain; with a Pareto top band the SE includes the sampling error of α.

    The domain ratio ``R_d = (Σ_d w·y + v·T₆,d)/X_d`` depends on the national ``v(T₅, T₆)``: its influence is
    ``1_d·w·(y - R_d·x)/X_d + (T₆,d/X_d)·w·∂v/∂w`` (:func:`tail_gradient`), over the whole sample.
    """
    est = _ratio_with_df(design, "revenue_10k_yuan", "industrialized", by, level)
    if top.method != "pareto":
        return est
    gradient = tail_gradient(design, top)
    w = design.weights.to_numpy()
    y = design.data["revenue_10k_yuan"].astype(float).to_numpy()
    x = design.data["industrialized"].astype(float).to_numpy()
    top_code = revenue_bands()["band"].iloc[-1]
    at_v = (x == 1) & (pd.to_numeric(design.data["revenue_band"], errors="coerce").to_numpy() == top_code)
    if EXACT_REVENUE in design.data.columns:
        at_v &= pd.to_numeric(design.data[EXACT_REVENUE], errors="coerce").isna().to_numpy()
    se = []
    for (_, mask), ratio in zip(design.domain_masks(by), est["estimate"]):
        x_d = (w * x)[mask].sum()
        z = np.where(mask, w * (y - ratio * x), 0.0) / x_d + (w * at_v)[mask].sum() / x_d * gradient
        se.append(float(np.sqrt(design.variance(z))))
    scale = _t_quantiles(est["df"].to_numpy(dtype=float), level)
    se = np.array(se)
    return est.assign(
        se=se, ci_low=est["estimate"] - scale * se, ci_high=est["estimate"] + scale * se, cv=se / est["estimate"]
    )


def estimate_table(
    design: Design, table: ReportTable, rules: QualityRules = QualityRules(), top: TopBand | None = None
) -> pd.DataFrame:
    """Design-based estimates of *table*'s indicators in its domains, plus a 合计 row for the population.

    Rates: Korn–Graubard or logit intervals (``rules.interval``, :meth:`Design.proportion_ci`); the average
    revenue: a t interval on the design df, the open top band valued by *top* (default
    :func:`design_top_band`).

    Returns a long frame: ``level``, ``indicator``, ``estimate``, ``se``, ``ci_low``, ``ci_high``,
    ``cv_pct``, ``deff``, ``n`` (sample patents in the estimation base: all respondent patents of the
    domain, industrialized ones for the average revenue), ``n_eff`` (effective sample size: ``p(1-p)/se²``
    capped at ``n`` for a rate, ``n/deff`` for the average revenue), ``df`` (design degrees of freedom),
    ``patentees`` (their patentees), ``flag`` and ``quality_reason`` (:mod:`ipstats.survey.quality`).
    """
    by, where = _domain_filter(table)
    if "average_revenue" in table.indicators:
        top = design_top_band(design) if top is None else top
        design = design.assign(revenue_10k_yuan=revenue_values(design.data, top.value))
    data = design.data
    frames = []
    for indicator in table.indicators:
        numerator, denominator, _, _, scale = INDICATORS[indicator]
        for columns, level in ((by, None), (by[:-1], "合计")):
            if denominator is None:
                est = design.proportion_ci(
                    numerator, by=columns or None, method=rules.interval, level=rules.level, cap_n_eff=rules.cap_n_eff
                )
            else:
                est = _revenue_table(design, columns or None, top, rules.level)
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
        c = grouped.agg(
            patentees=("patentee", "nunique"),
            industrialized_n=("_base", "sum"),
            industrialized_patentees=("_ind_patentee", "nunique"),
        ).reset_index()
        if total:
            c[table.by] = "合计"
        counts.append(c.drop(columns="index", errors="ignore"))
    counts = pd.concat(counts, ignore_index=True).rename(columns={table.by: "level"})
    out = out.merge(counts, on=[*where, "level"], how="left")
    revenue = out["indicator"] == "average_revenue"
    out.loc[revenue, "n"] = out.loc[revenue, "industrialized_n"]  # the ratio's base: industrialized patents
    out.loc[revenue, "patentees"] = out.loc[revenue, "industrialized_patentees"]
    deff = out["deff"].where(out["deff"] > 0)
    out.loc[revenue, "n_eff"] = (out["n"] / deff).where(deff.notna(), out["n"])[revenue]
    for column in ("estimate", "se", "ci_low", "ci_high"):
        out[column] = out[column] * out["scale"]
    out["cv_pct"] = out["cv"] * 100
    order = {lv: i for i, lv in enumerate(sorted(set(out["level"]) - {"合计"}))}
    out["_order"] = out["level"].map(order).fillna(-1)
    out = out.sort_values(
        ["indicator", "_order"],
        key=lambda s: s.map({k: i for i, k in enumerate(INDICATORS)}) if s.name == "indicator" else s,
        kind="stable",
    )
    out = out[
        ["level", "indicator", "estimate", "se", "ci_low", "ci_high", "cv_pct", "deff", "n", "n_eff", "df", "patentees"]
    ].reset_index(drop=True)
    return pd.concat([out, _assess(out, rules)], axis=1)


def revenue_sensitivity(
    design: Design,
    published: pd.DataFrame | None = None,
    factors: tuple[float, ...] = (1.25, 1.5, 2.0, 3.0),
    table: ReportTable | None = None,
) -> pd.DataFrame:
    """Average revenue under other values of the open top band: the Pareto estimate and multiples of its lower bound.

    Parameters
    ----------
    design : Design
        The weighted survey.
    published : pandas.DataFrame, optional
        The published revenue table (:func:`publish`): domains under disclosure control (保密) are withheld in
        every row, and the Pareto row withholds what the table withholds. The other rows are the same
        estimator with a fixed top-band value (no sampling error of α), shown to measure the assumption.
    factors : tuple of float
        Multiples of the band's lower bound to compare (1.5 was ipstats's former midpoint convention).
    table : ReportTable, optional
        The revenue table (default: ``survey_revenue_by_patent_type``).

    Returns
    -------
    pandas.DataFrame
        One row per assumption: ``assumption`` (Chinese), ``top_value`` (万元 per top-band patent), then the
        average revenue of each level of the table (合计 first), missing where withheld.
    """
    table = table or next(t for t in REPORT_TABLES if t.indicators == ("average_revenue",))
    pareto = design_top_band(design)
    lower = pareto.lower
    options = [
        (
            f"帕累托插值（α={pareto.alpha:.2f}）"
            if pareto.method == "pareto"
            else f"{pareto.note or '全部为实际金额'}",
            pareto,
        )
    ]
    options += [(f"下限的{f:g}倍", TopBand(f * lower, "factor", lower)) for f in factors]
    rows = []
    for label, top in options:
        est = estimate_table(design, table, top=top).set_index("level")["estimate"]
        rows.append({"assumption": label, "top_value": top.value, **est.to_dict()})
    out = pd.DataFrame(rows)
    levels = ["合计", *[c for c in out.columns if c not in ("assumption", "top_value", "合计")]]
    out = out[["assumption", "top_value", *levels]]
    if published is not None:
        secret = set(published.loc[published["flag"] == "保密", "level"])
        out[[lv for lv in levels if lv in secret]] = np.nan
        withheld = set(published.loc[published["flag"] == SUPPRESS, "level"])
        out.loc[0, [lv for lv in levels if lv in withheld]] = np.nan
    return out


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
    band's value for revenue), and one additive relation per table and indicator. A domain estimate shown
    in two tables (发明 in the by-type table is the 合计 of the patentee-type table) is one cell. Estimates the
    quality rules withhold are hidden cells without a protection requirement.

    Returns
    -------
    (Linked, dict)
        The set and, per table name, ``(level, indicator) → key``.
    """
    from ipstats.sdc import Linked

    data = design.data.assign(_w=design.weights.to_numpy())
    data["revenue_10k_yuan"] = revenue_values(data, design_top_band(design).value)
    revenue_cap = float(data["revenue_10k_yuan"].max())
    link = Linked("survey")
    keys: dict[str, dict] = {}
    for table in REPORT_TABLES:
        est = estimates[table.name].set_index(["level", "indicator"])
        flags = est["flag"]
        where = dict(table.where)
        base = data
        for column, value in where.items():
            base = base[base[column].astype(str) == value]
        keys[table.name] = {}
        for indicator in table.indicators:
            numerator, denominator, *_ = INDICATORS[indicator]
            y = base[numerator].astype(float) * base["_w"]
            size = base["_w"] * (base[denominator].astype(float) * revenue_cap if denominator else 1.0)

            def add(mask: pd.Series, conditions: dict, level: str | None) -> tuple:
                per = y[mask].groupby(base.loc[mask, "patentee"]).sum()
                per = per[per > 0].sort_values(ascending=False)
                withheld = level is None or flags.get((level, indicator), SUPPRESS) == SUPPRESS
                return link.cell(
                    survey_key(indicator, conditions),
                    float(per.sum()),
                    len(per),
                    per.iloc[0] if len(per) else 0.0,
                    per.iloc[1] if len(per) > 1 else 0.0,
                    upper=float(size[mask].sum()) + 1e-9,
                    withheld=withheld,
                    largest_id=str(per.index[0]) if len(per) else None,
                )

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
            if (~covered).any():  # respondents outside the published levels: unknown to a reader
                parts.append(add(~covered, {**where, table.by: "(其他)"}, None))
            link.add_sum(total, parts)
    return link, keys


def protect_survey(
    design: Design,
    estimates: dict[str, pd.DataFrame],
    disclosure: dict | None = None,
    rules: QualityRules = QualityRules(),
):
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


def publish(
    estimates: pd.DataFrame,
    rules: QualityRules = QualityRules(),
    disclosure: dict | None = None,
    protection=None,
    keys: dict | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Quality flags and disclosure control: what is published of *estimates*.

    With *protection* (:func:`protect_survey`, all tables jointly) a cell is suppressed (保密) when the
    pattern hides it; without, each domain with fewer respondent patentees than ``min_contributors`` is.

    Returns
    -------
    published : pandas.DataFrame
        *estimates* with ``flag`` (慎用/不发布/保密; the quality flags of :func:`estimate_table`) and
        ``quality_reason``, and the estimate, SE and CI missing where not published (shown as ``—``).
    record : dict
        Disclosure record for :func:`ipstats.bulletin.record_table` (rules, suppressed cells).
    """
    from ipstats.sdc import Rules, primary

    sdc_rules = Rules.of(disclosure)
    out = estimates.copy()
    if protection is not None:
        sensitive = np.array(
            [protection.status_of(keys[(r.level, r.indicator)]) in ("primary", "secondary") for r in out.itertuples()],
            dtype=bool,
        )
    else:
        cells = pd.DataFrame(
            {
                "row": estimates["level"],
                "col": estimates["indicator"],
                "value": estimates["n"],
                "contributors": estimates["patentees"],
                "largest": np.nan,
                "second": np.nan,
            }
        )
        sensitive = primary(
            cells.reset_index(drop=True),
            Rules(min_contributors=sdc_rules.min_contributors, dominance_k=100, p_percent=0),
        ).to_numpy()
    if "flag" not in out.columns:
        out = pd.concat([out, _assess(out, rules)], axis=1)
    quality_hidden = out["flag"] == SUPPRESS
    out.loc[sensitive, "flag"] = "保密"
    out.loc[sensitive, "quality_reason"] = "统计数据保密处理"
    hidden = out["flag"].isin([SUPPRESS, "保密"])
    out.loc[hidden, ["estimate", "se", "ci_low", "ci_high", "cv_pct", "deff", "n_eff"]] = np.nan
    if protection is not None:
        record = protection.table_record(
            {keys[(r.level, r.indicator)]: (r.level, r.indicator) for r in estimates.itertuples()},
            source="survey_sample",
        )
        record["rules"] = {**record["rules"], "quality": rules.as_dict()}
        record["quality_suppressed"] = int(quality_hidden.sum())
        record["contributors"] = "respondent patentees (weighted contributions)"
        return out, record
    record = {
        "rules": {**sdc_rules.rule_dict(), "quality": rules.as_dict()},
        "cells": int(len(out)),
        "source": "survey_sample",
        "confidentiality": "confidential",
        "primary": int(sensitive.sum()),
        "secondary": 0,
        "quality_suppressed": int((out["flag"] == SUPPRESS).sum()),
        "suppressed": [{"row": r.level, "col": r.indicator, "status": r.flag} for r in out[hidden].itertuples()],
        "audit_pass": True,
    }
    return out, record


def population_table(population: pd.DataFrame, table: ReportTable) -> pd.DataFrame:
    """True finite-population values of *table*'s indicators (demo: every frame patent has its answers).

    The demo population has revenue bands only: its open top band is valued by the same Pareto interpolation
    on the population's own band counts (:func:`add_revenue`), so the truth and the estimate share the assumption.
    """
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
            rows.append(
                {
                    "level": level,
                    "indicator": indicator,
                    "truth": scale * part[numerator].astype(float).sum() / den if den else np.nan,
                }
            )
    return pd.DataFrame(rows)


def report_tables(
    design: Design,
    rules: QualityRules = QualityRules(),
    disclosure: dict | None = None,
    protection_out: dict | None = None,
) -> dict[str, tuple[pd.DataFrame, dict]]:
    """Every bulletin table: name → (published long table, disclosure record).

    The survey is confidential (``confidentiality: {survey_sample: confidential}``, the default): all tables
    are protected together (:func:`protect_survey`). *protection_out*, when given, receives the pattern
    (``"protection"``) for the internal audit.
    """
    from ipstats.sdc import Rules

    top = design_top_band(design)
    estimates = {t.name: estimate_table(design, t, rules, top) for t in REPORT_TABLES}
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
        return f"不予发布（{row['quality_reason']}）" if row.get("quality_reason") else "不予发布"
    unit = INDICATORS[indicator][3]
    text = (
        f"为{row['estimate']:.{digits}f}{unit}（95%置信区间{row['ci_low']:.{digits}f}～"
        f"{row['ci_high']:.{digits}f}{unit}）"
    )
    if row["flag"] == CAUTION:
        text += f"，{row['quality_reason']}，仅供参考"
    return text


def survey_summary(tables: dict[str, tuple[pd.DataFrame, dict]], year: int, demo: bool) -> str:
    """The Chinese summary: every number from the tables, every flagged estimate with its caveat."""
    by_type = tables["survey_by_patent_type"][0]
    by_patentee = tables["survey_invention_by_patentee_type"][0]
    revenue = tables["survey_revenue_by_patent_type"][0]
    parts = [
        f"{year}年全国专利调查{'（演示数据，合成，非真实统计）' if demo else ''}显示："
    ]  # a national sample, also in a provincial bulletin
    parts.append(
        f"有效发明专利产业化率{_quote(by_type, 'industrialization_rate', '发明')}，"
        f"实施率{_quote(by_type, 'implementation_rate', '发明')}。"
    )
    levels = set(by_patentee["level"])
    named = [(lv, name) for lv, name in (("企业", "企业"), ("高校", "高校"), ("科研单位", "科研单位")) if lv in levels]
    if named:
        parts.append(
            "分专利权人类型看，有效发明专利产业化率"
            + "；".join(f"{name}{_quote(by_patentee, 'industrialization_rate', lv)}" for lv, name in named)
            + "。"
        )
    parts.append(
        f"全部有效专利的许可率{_quote(by_type, 'licensing_rate', '合计')}，"
        f"转让率{_quote(by_type, 'transfer_rate', '合计')}。"
    )
    quoted = _quote(revenue, "average_revenue", "合计")
    basis = "" if quoted.startswith("不予发布") else "（按收益区间估算，最高区间的取值见表注）"
    parts.append(f"平均每件产业化有效专利的产业化收益{quoted}{basis}。")
    flags = pd.concat([t[0]["flag"] for t in tables.values()])
    flagged, quality, secret = (
        int((flags == CAUTION).sum()),
        int((flags == SUPPRESS).sum()),
        int((flags == "保密").sum()),
    )
    parts.append(
        f"各表{len(flags)}项估计中，{flagged}项标注“慎用”（原因见各表“标识原因”列）；"
        f"{quality}项因有效样本量不足或置信区间过宽不予发布，{secret}项经统计数据保密处理不予发布。"
    )
    return "".join(parts)
