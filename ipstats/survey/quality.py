"""Quality rules for survey estimates (估计质量规则): NCHS Data Presentation Standards for Proportions (2017).

A proportion's reliability is judged from its confidence interval, not its coefficient of variation: the
CV of ``p`` is ``se/p`` and that of its complement ``se/(1-p)``, so one number (a 3.9 % rate with
SE 0.92 pp) looks unreliable while its complement (96.1 %, CV 1 %) looks precise. NCHS replaced CV rules
by rules on the Korn–Graubard interval, the effective sample size and the degrees of freedom (Parker JD,
Talih M, Malec DJ et al. *National Center for Health Statistics Data Presentation Standards for
Proportions*. Vital Health Stat 2(175), 2017; the rule order follows NCHS's SAS macro ``Presentation_Code``):

* **Effective sample size** ``n_eff = p(1-p)/se²``, at most the sample size ``n`` (``n`` when ``p`` is 0 or 1).
  Suppressed when ``n_eff < 30`` (or ``n < 30``).
* **Korn–Graubard interval** — the Clopper–Pearson interval with ``n`` replaced by the df-adjusted effective
  sample size ``n* = min(n, n_eff·(t(n-1)/t(df))²)`` and ``x = n*·p`` events:
  ``[B⁻¹(α/2; x, n*-x+1), B⁻¹(1-α/2; x+1, n*-x)]`` (0 when ``x = 0``, 1 when ``x = n*``). R's
  ``svyciprop(method="beta")`` is the same without the two caps at ``n``.
* **Absolute width** ``w = upper - lower``: presented when ``w ≤ 0.05``; suppressed when ``w ≥ 0.30``.
* **Relative width** ``w/p`` between the two: suppressed when above 130 %. NCHS applies it to ``p`` and,
  for a presented ``p``, flags it when the complement's ``w/(1-p)`` exceeds 130 % — so ``p`` and ``1-p``,
  the same information, may be treated differently. ipstats's default (``relative_to="smaller"``) applies
  the rule to the smaller of ``p`` and ``1-p``: identical to NCHS for ``p ≤ 0.5``, and for ``p > 0.5`` the
  estimate is suppressed exactly when its complement would be, so a rate and its complement always get the
  same decision. ``relative_to="estimate"`` is NCHS as printed.
* **Degrees of freedom** ``df`` = PSUs − strata of the domain (R ``degf``): a presented estimate with
  ``df < 8`` is flagged for review, as is an estimate of 0 or 100 %.

Estimates that are not proportions (the average revenue per industrialized patent, a ratio mean) are
outside the NCHS proportions standard and have no complement: they keep CV rules (``caution_cv``,
``suppress_cv``), with the effective sample size ``n/deff`` in place of the raw count and the same df rule.

Logit intervals (R ``svyciprop(method="logit")``): ``expit(logit(p) ± t(df)·se/(p(1-p)))``.

Every threshold is a field of :class:`QualityRules` (defaults: NCHS 2017), a parameter of the survey
notebook (``quality``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.stats import beta as beta_dist
from scipy.stats import norm, t as t_dist

__all__ = [
    "CAUTION",
    "INTERVALS",
    "PRESENT",
    "QualityRules",
    "SUPPRESS",
    "assess",
    "korn_graubard",
    "logit_interval",
    "proportion_interval",
]

PRESENT, CAUTION, SUPPRESS = "", "慎用", "不发布"
INTERVALS = ("beta", "logit")


@dataclass(frozen=True)
class QualityRules:
    """Publication rules of survey estimates; the defaults are NCHS 2017 (proportions) and CV rules (means).

    Parameters
    ----------
    interval : {"beta", "logit"}
        Confidence interval of a proportion: Korn–Graubard (``"beta"``, NCHS) or logit (R ``"logit"``).
    level : float
        Confidence level of every published interval.
    min_n : int
        Fewest sample units (patents in the estimate's base) for any estimate to be published.
    min_n_eff : float
        Fewest effective sample units (NCHS: 30).
    present_width : float
        Absolute CI width (as a proportion) at or below which a proportion is presented (NCHS: 0.05).
    max_width : float
        Absolute CI width at or above which a proportion is suppressed (NCHS: 0.30).
    max_relative_width : float
        Relative CI width above which a proportion whose width lies between the two is suppressed (NCHS: 1.30).
    relative_to : {"smaller", "estimate"}
        Base of the relative width: the smaller of ``p`` and ``1-p`` (symmetric; default), or ``p`` with the
        complement's relative width only flagging (NCHS as printed).
    min_df : int
        A presented estimate with fewer design degrees of freedom is flagged (NCHS: 8).
    caution_cv, suppress_cv : float
        Means and ratios only: CV (%) above which an estimate is flagged / suppressed.
    cap_n_eff : bool
        Cap the effective sample size at the sample size (NCHS); False reproduces R ``svyciprop``.
    """

    interval: str = "beta"
    level: float = 0.95
    min_n: int = 30
    min_n_eff: float = 30.0
    present_width: float = 0.05
    max_width: float = 0.30
    max_relative_width: float = 1.30
    relative_to: str = "smaller"
    min_df: int = 8
    caution_cv: float = 15.0
    suppress_cv: float = 30.0
    cap_n_eff: bool = True

    def __post_init__(self) -> None:
        if self.interval not in INTERVALS:
            raise ValueError(f"quality: interval must be one of {INTERVALS}, got {self.interval!r}")
        if self.relative_to not in ("smaller", "estimate"):
            raise ValueError(f"quality: relative_to must be 'smaller' or 'estimate', got {self.relative_to!r}")
        if not 0 < self.level < 1:
            raise ValueError(f"quality: level must be between 0 and 1, got {self.level}")
        if not 0 <= self.present_width <= self.max_width <= 1:
            raise ValueError(
                f"quality: need 0 ≤ present_width ≤ max_width ≤ 1, got {self.present_width}, {self.max_width}"
            )

    def as_dict(self) -> dict:
        """The rules as recorded in a table's metadata."""
        return asdict(self)


def _t(q: float, df: float) -> float:
    return float(norm.ppf(q)) if not np.isfinite(df) else float(t_dist.ppf(q, df))


def effective_n(p: float, se: float, n: float, cap: bool = True) -> float:
    """NCHS effective sample size ``p(1-p)/se²`` (``n`` when p is 0 or 1 or se is 0), capped at *n* when *cap*."""
    if p <= 0 or p >= 1 or se <= 0 or not np.isfinite(se):
        return float(n)
    value = p * (1 - p) / se**2
    return float(min(value, n)) if cap else float(value)


def korn_graubard(
    p: float, se: float, n: float, df: float, level: float = 0.95, cap: bool = True
) -> tuple[float, float, float]:
    """Korn–Graubard interval of a proportion: ``(lower, upper, n*)`` with ``n*`` the df-adjusted n_eff.

    Parameters
    ----------
    p, se : float
        Estimated proportion (0–1) and its design standard error.
    n : float
        Sample size of the estimate's domain (the ``t(n-1)`` of the df adjustment, and the cap).
    df : float
        Design degrees of freedom (PSUs − strata); ≤ 0 gives the limit ``n* = 0`` (NCHS), i.e. ``[0, 1]``.
    level : float
        Confidence level.
    cap : bool
        NCHS caps n_eff and n* at *n*; ``False`` is R ``svyciprop(method="beta")`` (which gives NaN at p = 0 or 1,
        where this function uses NCHS's limit: n_eff = n).
    """
    alpha = 1 - level
    n_eff = effective_n(p, se, n, cap)
    ratio = (_t(alpha / 2, n - 1) / _t(alpha / 2, df)) ** 2 if df > 0 and n > 1 else 0.0
    n_star = n_eff * ratio
    if cap:
        n_star = min(n, n_star)
    x = n_star * p
    lower = 0.0 if x <= 0 else float(beta_dist.ppf(alpha / 2, x, n_star - x + 1))
    upper = 1.0 if n_star - x <= 0 else float(beta_dist.ppf(1 - alpha / 2, x + 1, n_star - x))
    return lower, upper, n_star


def logit_interval(p: float, se: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """Logit interval ``expit(logit(p) ± t(df)·se/(p(1-p)))`` (R ``svyciprop(method="logit")``).

    NaN when p is 0 or 1 (the logit is infinite) or df ≤ 0 (as R).
    """
    if p <= 0 or p >= 1 or df <= 0:
        return float("nan"), float("nan")
    half = _t(1 - (1 - level) / 2, df) * se / (p * (1 - p))
    centre = np.log(p / (1 - p))
    return float(1 / (1 + np.exp(-(centre - half)))), float(1 / (1 + np.exp(-(centre + half))))


def proportion_interval(
    p: float, se: float, n: float, df: float, rules: QualityRules = QualityRules()
) -> tuple[float, float]:
    """The interval *rules* ask for (Korn–Graubard or logit) of one proportion."""
    if rules.interval == "logit":
        return logit_interval(p, se, df, rules.level)
    return korn_graubard(p, se, n, df, rules.level, rules.cap_n_eff)[:2]


def _proportion_decision(
    p: float, low: float, high: float, n: float, n_eff: float, df: float, rules: QualityRules
) -> tuple[str, str]:
    width = high - low
    smaller = min(p, 1 - p)
    base = smaller if rules.relative_to == "smaller" else p
    relative = width / base if base > 0 else float("nan")
    if n < rules.min_n:
        return SUPPRESS, f"样本量{n:.0f}<{rules.min_n}"
    if not n_eff >= rules.min_n_eff:
        return SUPPRESS, f"有效样本量{n_eff:.0f}<{rules.min_n_eff:g}"
    if not width < rules.max_width:
        return SUPPRESS, f"置信区间宽度{100 * width:.1f}个百分点≥{100 * rules.max_width:g}个百分点"
    if width > rules.present_width and relative > rules.max_relative_width:
        of = "估计值与其补数中较小者" if rules.relative_to == "smaller" else "估计值"
        return SUPPRESS, f"置信区间宽度为{of}的{100 * relative:.1f}%（>{100 * rules.max_relative_width:g}%）"
    reasons = []
    if df < rules.min_df:
        reasons.append(f"设计自由度{df:.0f}<{rules.min_df}")
    if p <= 0 or p >= 1:
        reasons.append("估计值为0或100%")
    if (
        rules.relative_to == "estimate"
        and width > rules.present_width
        and 1 - p > 0
        and width / (1 - p) > rules.max_relative_width
    ):
        reasons.append(f"其补数的置信区间相对宽度{100 * width / (1 - p):.1f}%>{100 * rules.max_relative_width:g}%")
    return (CAUTION, "；".join(reasons)) if reasons else (PRESENT, "")


def _mean_decision(cv_pct: float, n: float, n_eff: float, df: float, rules: QualityRules) -> tuple[str, str]:
    if n < rules.min_n:
        return SUPPRESS, f"样本量{n:.0f}<{rules.min_n}"
    if not n_eff >= rules.min_n_eff:
        return SUPPRESS, f"有效样本量{n_eff:.0f}<{rules.min_n_eff:g}"
    if not cv_pct <= rules.suppress_cv:
        return SUPPRESS, f"变异系数{cv_pct:.1f}%>{rules.suppress_cv:g}%"
    reasons = []
    if df < rules.min_df:
        reasons.append(f"设计自由度{df:.0f}<{rules.min_df}")
    if cv_pct > rules.caution_cv:
        reasons.append(f"变异系数{cv_pct:.1f}%>{rules.caution_cv:g}%")
    return (CAUTION, "；".join(reasons)) if reasons else (PRESENT, "")


def assess(estimates: pd.DataFrame, rules: QualityRules = QualityRules()) -> pd.DataFrame:
    """Per estimate: ``flag`` (``""`` presented, 慎用 flagged, 不发布 suppressed) and ``quality_reason``.

    Parameters
    ----------
    estimates : pandas.DataFrame
        Columns ``proportion`` (bool: NCHS proportion rules, else mean rules), ``p`` (proportion, 0–1), ``se``,
        ``ci_low_p``/``ci_high_p`` (its interval, 0–1), ``cv_pct`` (means), ``n``, ``n_eff``, ``df``.
    rules : QualityRules

    Returns
    -------
    pandas.DataFrame
        ``flag`` and ``quality_reason`` (Chinese, the numbers that decided), indexed like *estimates*.
    """
    rows = []
    for r in estimates.itertuples():
        if pd.isna(r.se) or pd.isna(r.p if r.proportion else r.cv_pct):
            rows.append((SUPPRESS, "无法估计标准误"))
        elif r.proportion and (pd.isna(r.ci_low_p) or pd.isna(r.ci_high_p)):
            rows.append((SUPPRESS, "置信区间无法计算（logit区间在0或100%处、或自由度为0）"))
        elif r.proportion:
            rows.append(_proportion_decision(r.p, r.ci_low_p, r.ci_high_p, r.n, r.n_eff, r.df, rules))
        else:
            rows.append(_mean_decision(r.cv_pct, r.n, r.n_eff, r.df, rules))
    return pd.DataFrame(rows, columns=["flag", "quality_reason"], index=estimates.index)


def rules_note(rules: QualityRules) -> str:
    """The table note that explains the quality flags (every threshold from *rules*)."""
    interval = (
        "Korn–Graubard区间（按设计自由度调整有效样本量的Clopper–Pearson区间）"
        if rules.interval == "beta"
        else "logit变换区间（按设计自由度取t分位数）"
    )
    relative = (
        "相对宽度以估计值与其补数（1−估计值）中较小者为基数，比率与其补数的判定相同"
        if rules.relative_to == "smaller"
        else "相对宽度以估计值为基数；补数的相对宽度超过该标准时标注“慎用”"
    )
    return (
        f"质量标识（按美国国家卫生统计中心2017年比例估计发布标准）：比率的{100 * rules.level:g}%置信区间为{interval}；"
        f"有效样本量（p(1−p)/标准误²，不超过样本量）不足{rules.min_n_eff:g}或样本量不足{rules.min_n}的估计不发布；"
        f"置信区间宽度不超过{100 * rules.present_width:g}个百分点的发布；宽度达到{100 * rules.max_width:g}个百分点的不发布；"
        f"介于其间且相对宽度超过{100 * rules.max_relative_width:g}%的不发布（{relative}）；"
        f"可发布但设计自由度（初级抽样单元数减层数）少于{rules.min_df}或估计值为0或100%的标注“慎用”。"
        f"平均产业化收益不是比例，按变异系数判定：超过{rules.caution_cv:g}%标注“慎用”，超过{rules.suppress_cv:g}%"
        f"或有效样本量（样本量/设计效应）不足{rules.min_n_eff:g}的不发布。“标识原因”列给出每项判定所依据的数值。"
    )
