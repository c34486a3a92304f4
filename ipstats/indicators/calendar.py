"""Monthly series in the NBS way: the Spring Festival, working days, seasonal adjustment and 1—2月累计.

The Spring Festival (春节) moves between 21 January and 20 February, so January and February filings swing
by tens of per cent year on year, and an STL of the raw months smears the festival into both months'
seasonal factors and leaves it in the adjusted values. This module does what X-13ARIMA-SEATS/JDemetra+
practice (and the ESS Guidelines on Seasonal Adjustment, 2015) asks for: estimate the calendar effects first,
remove them, then decompose.

1. **Calendar regressors** from shipped data (``ipstats/reference/data/``, see ``catalogue.yaml``):

   * the Spring Festival: for each interval of days around 正月初一 (:data:`SPRING_FESTIVAL_WINDOWS`: before,
     during and after the holiday, as in the three-interval design of Lin and Liu (2003) that X-13's genhol
     program implements), the share of the interval's days falling in each month, centred by the mean share
     of that calendar month over all years of the festival table (genhol ``center=calendar``), so that the
     regressor holds only the movement between years and the stable part stays in the seasonal factor;
   * working days: the working days of each month in the State Council's holiday arrangements (rest days and
     make-up working days, 调休上班) minus the mean of that calendar month over the years the calendar covers.

2. **regARIMA**: the log of the series is regressed on these with airline-model errors,
   ARIMA(0,1,1)(0,1,1)\\ :sub:`12` (the default model of X-13 and TRAMO), by maximum likelihood (statsmodels
   ``SARIMAX``); the calendar factor is ``exp(X·β)``.

3. **STL** (statsmodels, robust, period 12) of the log calendar-adjusted series gives the seasonal factor and
   the trend; the seasonally adjusted series is the observed value divided by the calendar and seasonal
   factors (季节调整后，已剔除春节和工作日影响).

4. **Diagnostics** (:func:`seasonal_adjust` refuses to give an adjusted figure when one fails, and says
   why): length (at least :data:`MIN_YEARS` years), positive values, calendar coverage, convergence,
   Ljung–Box on the regARIMA residuals, residual seasonality of the adjusted series (QS and a stable-
   seasonality F test) and residual calendar effects in the STL remainder; the shares of variance removed
   are reported beside them.

The published monthly table (:func:`published_monthly`) follows NBS: January and February together
(1—2月累计) as one row, with no growth for January or February alone, then March to December, each with its
year-on-year growth, and the cumulative total (1—n月累计) with its growth.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from ipstats.labels import labels
from ipstats.indicators.formulas import growth_pct
from ipstats.indicators.narrative import MIN_BASE
from ipstats.reference import DATA_DIR, catalogue_entry

__all__ = [
    "SPRING_FESTIVAL_WINDOWS",
    "MIN_YEARS",
    "ALPHA",
    "KEEP_ALPHA",
    "SeasonalAdjustment",
    "spring_festivals",
    "working_days",
    "holiday_regressors",
    "working_day_regressor",
    "calendar_regressors",
    "seasonal_adjust",
    "published_monthly",
    "monthly_notes",
    "MONTHLY_LABELS",
    "DIAGNOSTIC_LABELS",
    "ADJUSTMENT_LABELS",
    "COEFFICIENT_LABELS",
]

#: Intervals of days around 正月初一 (day 0), first and last day inclusive: ``before`` the holiday (节前, the
#: last working days before the break, day −10 to −2), ``during`` (除夕 to 初七, day −1 to 6, the statutory
#: break of every year since 2008 falls inside it) and ``after`` (初八 to 十五/元宵节, day 7 to 15, the slow
#: restart). These lengths are ipstats' defaults for patent filings, not an official choice: a parameter.
SPRING_FESTIVAL_WINDOWS: dict[str, tuple[int, int]] = {"before": (-10, -2), "during": (-1, 6), "after": (7, 15)}
#: Fewest years of monthly data an adjustment is given for.
MIN_YEARS = 3
#: Significance level of the diagnostics: a test rejecting at this level fails.
ALPHA = 0.01
#: A calendar effect (group of regressors) is kept when significant at this level.
KEEP_ALPHA = 0.05
#: Chinese names of the regressors (coefficient table).
REGRESSOR_LABELS = labels("zh", keys=("before", "during", "after", "working_days"), context="regressor")
#: Column labels of :func:`published_monthly`.
#: (``year`` is labelled 年份, and printed without a thousands separator, by :mod:`ipstats.display`.)
MONTHLY_LABELS = labels(
    "zh", keys=("period", "value", "yoy_pct", "cumulative", "cumulative_yoy_pct"), context="calendar"
)
#: Column labels of :attr:`SeasonalAdjustment.diagnostics`.
DIAGNOSTIC_LABELS = labels("zh", keys=("test", "statistic", "p_value", "criterion", "passed"), context="calendar")
#: Column labels of :attr:`SeasonalAdjustment.table`.
ADJUSTMENT_LABELS = labels(
    "zh",
    keys=(
        "month",
        "observed",
        "working_days",
        "calendar_factor",
        "calendar_adjusted",
        "seasonal_factor",
        "adjusted",
        "trend",
        "irregular",
    ),
    context="calendar",
)
#: Column labels of :attr:`SeasonalAdjustment.coefficients`.
COEFFICIENT_LABELS = labels(
    "zh",
    keys=("regressor", "label", "coefficient", "std_error", "t_stat", "p_value", "effect_pct", "used"),
    context="calendar",
)


# ---------------------------------------------------------------------------------------------------------
# Calendar data (shipped CSVs)
# ---------------------------------------------------------------------------------------------------------
def _years(name: str) -> tuple[int, int]:
    first, last = catalogue_entry(name)["years"]
    return int(first), int(last)


@lru_cache(maxsize=None)
def _festivals() -> pd.Series:
    table = pd.read_csv(
        DATA_DIR / catalogue_entry("spring_festival")["file"], dtype={"year": int}, parse_dates=["spring_festival"]
    )
    return table.set_index("year")["spring_festival"]


def spring_festivals() -> pd.Series:
    """Date of 正月初一 (Chinese New Year) by year, 1900–2099, from the shipped table."""
    return _festivals().copy()


@lru_cache(maxsize=None)
def _workday_counts() -> pd.Series:
    first, last = _years("cn_workdays")
    days = pd.date_range(f"{first}-01-01", f"{last}-12-31", freq="D")
    working = pd.Series(days.day_of_week < 5, index=days)
    exceptions = pd.read_csv(DATA_DIR / catalogue_entry("cn_workdays")["file"], dtype=str)
    exceptions["date"] = pd.to_datetime(exceptions["date"])
    working[exceptions["date"].to_numpy()] = (exceptions["day_type"] == "班").to_numpy()
    return working.groupby(days.to_period("M")).sum().astype("int64")


def working_days(months: pd.DatetimeIndex) -> pd.Series:
    """Working days of each month (工作日数) in the State Council's holiday arrangements, 调休 included.

    Raises
    ------
    ValueError
        If a month lies outside the years the shipped calendar covers.
    """
    counts = _workday_counts()
    periods = pd.DatetimeIndex(months).to_period("M")
    missing = periods.difference(counts.index)
    if len(missing):
        first, last = _years("cn_workdays")
        raise ValueError(
            f"the working-day calendar covers {first}–{last}; no holiday arrangement for "
            f"{', '.join(str(p) for p in missing[:3])}{' …' if len(missing) > 3 else ''}"
        )
    return pd.Series(counts.reindex(periods).to_numpy(), index=pd.DatetimeIndex(months), name="working_days")


def working_day_regressor(months: pd.DatetimeIndex) -> pd.Series:
    """Working days of each month minus the mean of its calendar month over the calendar's years."""
    counts = _workday_counts()
    mean = counts.groupby(counts.index.month).mean()
    days = working_days(months)
    return (days - mean.reindex(days.index.month).to_numpy()).astype("float64")


@lru_cache(maxsize=None)
def _window_shares(start: int, end: int) -> pd.Series:
    """Share of the days start…end around each year's 正月初一 falling in each month (index: month period)."""
    if end < start:
        raise ValueError(f"a Spring Festival interval must end on or after its first day, got ({start}, {end})")
    festivals = _festivals()
    offsets = pd.to_timedelta(np.arange(start, end + 1), unit="D")
    days = pd.DatetimeIndex((festivals.to_numpy()[:, None] + offsets.to_numpy()[None, :]).ravel())
    return pd.Series(1.0 / len(offsets), index=days).groupby(days.to_period("M")).sum()


def holiday_regressors(months: pd.DatetimeIndex, windows: dict[str, tuple[int, int]] | None = None) -> pd.DataFrame:
    """Spring Festival regressors: per interval, the centred share of its days falling in each month.

    Parameters
    ----------
    months : pandas.DatetimeIndex
        Month starts.
    windows : dict, optional
        Interval name → (first day, last day) relative to 正月初一 (day 0); default
        :data:`SPRING_FESTIVAL_WINDOWS`.

    Returns
    -------
    pandas.DataFrame
        One column per interval: the share of the interval in the month minus the mean share of that calendar
        month over the festival table's years (1900–2099), so the stable part stays in the seasonal factor.
    """
    windows = SPRING_FESTIVAL_WINDOWS if windows is None else windows
    months = pd.DatetimeIndex(months)
    first, last = _years("spring_festival")
    if len(months) and (months.min().year <= first or months.max().year >= last):
        raise ValueError(
            f"the Spring Festival table covers {first}–{last}; months {months.min():%Y-%m} to "
            f"{months.max():%Y-%m} need the years around them"
        )
    periods = months.to_period("M")
    out = {}
    for name, (start, end) in windows.items():
        shares = _window_shares(int(start), int(end))
        inside = shares[(shares.index.year > first) & (shares.index.year < last)]  # complete years only
        years = last - first - 1
        mean = inside.groupby(inside.index.month).sum() / years
        raw = shares.reindex(periods, fill_value=0.0).to_numpy()
        out[name] = raw - mean.reindex(periods.month, fill_value=0.0).to_numpy()
    return pd.DataFrame(out, index=months)


def calendar_regressors(
    months: pd.DatetimeIndex, windows: dict[str, tuple[int, int]] | None = None, workdays: bool = True
) -> pd.DataFrame:
    """Spring Festival regressors and (if *workdays*) the working-day regressor ``working_days``."""
    out = holiday_regressors(months, windows)
    if workdays:
        out["working_days"] = working_day_regressor(months).to_numpy()
    return out


# ---------------------------------------------------------------------------------------------------------
# Adjustment
# ---------------------------------------------------------------------------------------------------------
@dataclass
class SeasonalAdjustment:
    """Result of :func:`seasonal_adjust`.

    Attributes
    ----------
    table : pandas.DataFrame
        ``month``, ``observed``, ``working_days``, ``calendar_factor`` (exp of the estimated calendar effect),
        ``calendar_adjusted`` (observed ÷ calendar factor), ``seasonal_factor``, ``adjusted`` (季节调整后:
        observed ÷ calendar factor ÷ seasonal factor), ``trend`` and ``irregular`` (factor). The derived
        columns are missing (NaN) when the adjustment is refused.
    coefficients : pandas.DataFrame
        ``regressor``, ``label``, ``coefficient`` (on the log scale), ``std_error``, ``t_stat``, ``p_value``,
        ``effect_pct`` (100·(exp(β)−1): the change in the month of a whole unit of the regressor, a whole
        interval or one more working day) and ``used`` (False: not significant, left out of the final model;
        its row then holds the estimate of the full model).
    diagnostics : pandas.DataFrame
        ``test``, ``statistic``, ``p_value``, ``criterion`` and ``passed`` (None for the information rows,
        the shares of variance removed).
    refused : str or None
        Why no adjusted figure is given (None when all diagnostics pass).
    windows : dict
        The Spring Festival intervals used.
    """

    table: pd.DataFrame
    coefficients: pd.DataFrame
    diagnostics: pd.DataFrame
    refused: str | None
    windows: dict = field(default_factory=dict)
    alpha: float = ALPHA

    @property
    def ok(self) -> bool:
        """Whether an adjusted series is given."""
        return self.refused is None

    def diagnostics_table(self) -> pd.DataFrame:
        """:attr:`diagnostics` for publication: ``passed`` as 通过/未通过, empty for the information rows (a "—"
        would read as a suppressed cell in a table computed from the public register)."""
        words = {True: "通过", False: "未通过"}
        return self.diagnostics.assign(passed=[words.get(v, "") for v in self.diagnostics["passed"]])

    def coefficients_table(self) -> pd.DataFrame:
        """:attr:`coefficients` for publication: ``used`` as 是/否 (否: not significant, not removed)."""
        return self.coefficients.assign(used=np.where(self.coefficients["used"].astype(bool), "是", "否"))

    def method_note(self) -> str:
        """The method (and, when refused, why no adjusted figure is given), in Chinese, for a table note."""
        spans = "、".join(f"{_day(a)}至{_day(b)}" for a, b in self.windows.values())
        text = (
            f"季节调整：对月度原始值取对数，以春节效应（正月初一{spans}{len(self.windows)}个区间分别落在当月的"
            f"天数比例，减去该月份多年平均）"
            f"和工作日效应（国务院节假日安排的当月工作日数，含调休上班日，减去该月份多年平均）为回归变量，"
            f"按误差服从ARIMA(0,1,1)(0,1,1)12的回归模型估计并剔除，再用STL（稳健估计，周期12个月）分解；"
            f"季节调整后 = 原始值 ÷ 春节和工作日因子 ÷ 季节因子。各项诊断检验的显著性水平为{self.alpha:g}。"
        )
        dropped = self.coefficients.loc[self.coefficients["used"] == False, "label"].tolist()  # noqa: E712
        groups = sorted({"工作日效应" if d == "工作日" else "春节效应" for d in dropped})
        if groups:
            text += f"本序列{'、'.join(groups)}不显著（显著性水平{KEEP_ALPHA:g}），未予剔除。"
        if self.refused:
            text += f"本期不发布季节调整结果：{self.refused}"
        return text


def _day(offset: int) -> str:
    if offset == 0:
        return "当日"
    return f"前{-offset}天" if offset < 0 else f"后{offset}天"


def _check_months(series: pd.Series) -> pd.DatetimeIndex:
    index = series.index
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(f"a monthly series needs a DatetimeIndex of month starts, got {type(index).__name__}")
    if len(index) and not (index == pd.date_range(index[0], periods=len(index), freq="MS")).all():
        raise ValueError(f"a monthly series needs consecutive month starts without gaps, from {index[0]:%Y-%m-%d}")
    return index


def _qs(values: np.ndarray) -> tuple[float, float]:
    """QS test for seasonality (Maravall 2011): positive autocorrelations at lags 12 and 24, χ²(2)."""
    from scipy.stats import chi2
    from statsmodels.tsa.stattools import acf

    n = len(values)
    nlags = 24 if n > 36 else 12
    rho = acf(values, nlags=nlags, fft=False)
    stat = 0.0
    if rho[12] > 0:
        stat = n * (n + 2) * (rho[12] ** 2 / (n - 12) + (max(rho[24], 0.0) ** 2 / (n - 24) if nlags == 24 else 0.0))
    return float(stat), float(chi2.sf(stat, 2))


def _stable_seasonality(values: np.ndarray, months: np.ndarray) -> tuple[float, float]:
    """One-way ANOVA F test of differences between calendar months (stable seasonality)."""
    from scipy.stats import f_oneway

    groups = [values[months == m] for m in range(1, 13) if (months == m).sum() > 1]
    result = f_oneway(*groups)
    return float(result.statistic), float(result.pvalue)


def _residual_calendar(values: np.ndarray, regressors: pd.DataFrame) -> tuple[float, float]:
    """F test that the calendar regressors explain none of *values* (OLS with a constant)."""
    import statsmodels.api as sm

    fit = sm.OLS(values, sm.add_constant(regressors.to_numpy(), has_constant="add")).fit()
    return float(fit.fvalue), float(fit.f_pvalue)


def _row(test: str, statistic: float, p_value: float | None, criterion: str, passed: bool | None) -> dict:
    return {"test": test, "statistic": statistic, "p_value": p_value, "criterion": criterion, "passed": passed}


def _variance_share(before: np.ndarray, after: np.ndarray) -> float:
    before, after = before[~np.isnan(before)], after[~np.isnan(after)]
    total = float(np.var(before))
    return float("nan") if total == 0 else 100.0 * (1.0 - float(np.var(after)) / total)


def _fit_regarima(log_values: np.ndarray, exog: np.ndarray | None):
    """Regression with airline-model errors by maximum likelihood; (fit, converged).

    The likelihood is that of the differenced series (as in X-13's regARIMA). L-BFGS first; when it stops
    without declaring convergence (typically an MA parameter at the invertibility boundary, where its gradient
    test is too strict) Powell's derivative-free method restarts from there.
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    model = SARIMAX(log_values, exog=exog, order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), simple_differencing=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(disp=False, maxiter=200)
        if not fit.mle_retvals.get("converged", False):
            fit = model.fit(start_params=fit.params, method="powell", disp=False, maxiter=2000)
    return fit, bool(fit.mle_retvals.get("converged", False))


def _wald(fit, columns: list[int]) -> tuple[float, float]:
    """Wald χ² test that the coefficients at *columns* are all zero."""
    from scipy.stats import chi2

    beta = np.asarray(fit.params)[columns]
    cov = np.asarray(fit.cov_params())[np.ix_(columns, columns)]
    stat = float(beta @ np.linalg.solve(cov, beta))
    return stat, float(chi2.sf(stat, len(columns)))


def _coefficients(fit, regressors: pd.DataFrame, used: list[str]) -> pd.DataFrame:
    k = len(used)
    params, bse = np.asarray(fit.params)[:k], np.asarray(fit.bse)[:k]
    return pd.DataFrame(
        {
            "regressor": used,
            "label": [REGRESSOR_LABELS.get(c, c) for c in used],
            "coefficient": params,
            "std_error": bse,
            "t_stat": params / bse,
            "p_value": np.asarray(fit.pvalues)[:k],
            "effect_pct": 100.0 * np.expm1(params),
        }
    )


def seasonal_adjust(
    series: pd.Series,
    windows: dict[str, tuple[int, int]] | None = None,
    workdays: bool = True,
    alpha: float = ALPHA,
    min_years: int = MIN_YEARS,
    keep_alpha: float = KEEP_ALPHA,
) -> SeasonalAdjustment:
    """Calendar and seasonal adjustment of a monthly series (春节、工作日调整后的季节调整).

    Parameters
    ----------
    series : pandas.Series
        Monthly values (e.g. filings, 件) indexed by consecutive month starts.
    windows : dict, optional
        Spring Festival intervals, name → (first, last day relative to 正月初一); default
        :data:`SPRING_FESTIVAL_WINDOWS`.
    workdays : bool
        Whether the working-day regressor is used (True: filings are made on working days).
    alpha : float
        Significance level of the diagnostics (default :data:`ALPHA`).
    min_years : int
        Fewest years of data (default :data:`MIN_YEARS`).
    keep_alpha : float
        A group of regressors (the Spring Festival intervals together; working days) is kept when its Wald test
        rejects "no effect" at this level (default :data:`KEEP_ALPHA`); otherwise the model is refitted without
        it and the coefficient table marks it ``used`` False.

    Returns
    -------
    SeasonalAdjustment
        The adjusted table, the calendar coefficients and the diagnostics; ``refused`` says why no adjusted
        figure is given when the series is too short, not positive, outside the calendar's years, or when a
        diagnostic fails.

    Raises
    ------
    ValueError
        If the index is not consecutive month starts.
    """
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.tsa.seasonal import STL

    windows = dict(SPRING_FESTIVAL_WINDOWS if windows is None else windows)
    months = _check_months(series)
    values = series.astype("float64").to_numpy()
    table = pd.DataFrame({"month": months, "observed": values})
    for column in (
        "working_days",
        "calendar_factor",
        "calendar_adjusted",
        "seasonal_factor",
        "adjusted",
        "trend",
        "irregular",
    ):
        table[column] = np.nan
    empty_coef = pd.DataFrame(
        columns=["regressor", "label", "coefficient", "std_error", "t_stat", "p_value", "effect_pct", "used"]
    )
    rows: list[dict] = [
        _row("序列长度（月）", float(len(values)), None, f"≥ {12 * min_years}", len(values) >= 12 * min_years)
    ]

    def refuse(reason: str, coefficients: pd.DataFrame = empty_coef) -> SeasonalAdjustment:
        return SeasonalAdjustment(table, coefficients, pd.DataFrame(rows), reason, windows, alpha)

    if len(values) < 12 * min_years:
        return refuse(
            f"序列只有{len(values)}个月，少于{min_years}年（{12 * min_years}个月），无法可靠估计季节和春节效应。"
        )
    positive = bool(np.all(values > 0)) and bool(np.all(np.isfinite(values)))
    rows.append(_row("各月数值为正", float(np.nanmin(values)), None, "最小值 > 0", positive))
    if not positive:
        return refuse("有月份数值为0或缺失，乘法模型（取对数）无法估计。")
    try:
        regressors = calendar_regressors(months, windows, workdays)
        if workdays:
            table["working_days"] = working_days(months).to_numpy().astype("float64")
    except ValueError as exc:
        rows.append(_row("日历数据覆盖", float("nan"), None, "全部月份", False))
        return refuse(f"日历数据不覆盖全部月份（{exc}）。")
    rows.append(_row("日历数据覆盖", float(len(values)), None, "全部月份", True))
    log_values = np.log(values)
    fit, converged = _fit_regarima(log_values, regressors.to_numpy())
    rows.append(_row("回归模型估计收敛", float("nan"), None, "收敛", converged))
    coefficients = _coefficients(fit, regressors, list(regressors.columns)).assign(used=True)
    if not converged:
        return refuse("春节和工作日效应的回归模型（ARIMA误差）估计未收敛。", coefficients)
    # a group of regressors is kept when it is significant at keep_alpha (Wald test), as X-13 tests its regressors
    groups = {"春节效应": list(windows)} | ({"工作日效应": ["working_days"]} if workdays else {})
    used = []
    for name, columns in groups.items():
        stat, p = _wald(fit, [regressors.columns.get_loc(c) for c in columns])
        rows.append(
            _row(
                f"{name}显著性检验（Wald χ²，{len(columns)}个自由度）",
                stat,
                p,
                f"p < {keep_alpha:g} 时保留该效应",
                None,
            )
        )
        used += columns if p < keep_alpha else []
    if len(used) < regressors.shape[1]:
        fit, converged = _fit_regarima(log_values, regressors[used].to_numpy() if used else None)
        if not converged:
            rows.append(_row("回归模型估计收敛（保留显著效应后）", float("nan"), None, "收敛", False))
            return refuse("春节和工作日效应的回归模型（ARIMA误差）估计未收敛。", coefficients)
        final = _coefficients(fit, regressors, used)
        coefficients = pd.concat(
            [final.assign(used=True), coefficients[~coefficients["regressor"].isin(used)].assign(used=False)],
            ignore_index=True,
        )
    params = coefficients.set_index("regressor")["coefficient"].where(coefficients.set_index("regressor")["used"], 0.0)
    effect = regressors.to_numpy() @ params.reindex(regressors.columns).to_numpy()
    calendar_adjusted = log_values - effect
    stl = STL(calendar_adjusted, period=12, robust=True).fit()
    adjusted = calendar_adjusted - stl.seasonal
    # diagnostics
    resid = np.asarray(fit.resid)  # of the differenced series (13 months shorter)
    lags = 24 if len(resid) >= 48 else 12
    lb = acorr_ljungbox(resid, lags=[lags], model_df=2)
    lb_p = float(lb["lb_pvalue"].iloc[0])
    rows.append(
        _row(
            f"回归模型残差Ljung–Box检验（{lags}阶）",
            float(lb["lb_stat"].iloc[0]),
            lb_p,
            f"p ≥ {alpha:g}（残差无自相关）",
            lb_p >= alpha,
        )
    )
    change = np.diff(adjusted)
    qs, qs_p = _qs(change)
    rows.append(_row("季节调整后序列残余季节性QS检验", qs, qs_p, f"p ≥ {alpha:g}（无残余季节性）", qs_p >= alpha))
    f_stat, f_p = _stable_seasonality(change, months.month.to_numpy()[1:])
    rows.append(_row("季节调整后序列残余季节性F检验", f_stat, f_p, f"p ≥ {alpha:g}（无残余季节性）", f_p >= alpha))
    rc, rc_p = _residual_calendar(stl.resid, regressors)
    rows.append(
        _row("不规则因素中残余春节和工作日效应F检验", rc, rc_p, f"p ≥ {alpha:g}（无残余日历效应）", rc_p >= alpha)
    )
    yoy_before = log_values[12:] - log_values[:-12]
    yoy_after = calendar_adjusted[12:] - calendar_adjusted[:-12]
    rows.append(
        _row(
            "春节和工作日效应占同比变化方差的比重（%）", _variance_share(yoy_before, yoy_after), None, "（说明）", None
        )
    )
    rows.append(
        _row(
            "季节和日历效应占环比变化方差的比重（%）",
            _variance_share(np.diff(log_values), change),
            None,
            "（说明）",
            None,
        )
    )
    failed = [r["test"] for r in rows if r["passed"] is False]
    if failed:
        return refuse(f"诊断检验未通过：{'、'.join(failed)}。", coefficients)
    table["calendar_factor"] = np.exp(effect)
    table["calendar_adjusted"] = np.exp(calendar_adjusted)
    table["seasonal_factor"] = np.exp(stl.seasonal)
    table["adjusted"] = np.exp(adjusted)
    table["trend"] = np.exp(stl.trend)
    table["irregular"] = np.exp(stl.resid)
    return SeasonalAdjustment(table, coefficients, pd.DataFrame(rows), None, windows, alpha)


# ---------------------------------------------------------------------------------------------------------
# Published monthly table (1—2月累计)
# ---------------------------------------------------------------------------------------------------------
def monthly_notes(min_base: float = MIN_BASE) -> list[str]:
    """Notes of the table of :func:`published_monthly` (in Chinese)."""
    days = _festivals()
    first, last = days.iloc[days.dt.day_of_year.argmin()], days.iloc[days.dt.day_of_year.argmax()]
    return [
        f"1—2月合并发布：春节（正月初一）在{first.month}月{first.day}日至{last.month}月{last.day}日之间移动，"
        "单独的1月、2月数据及其同比不可比。",
        f"同比增长：比上年同期增长（%）；累计：当年1月至当期末合计。上年同期少于{min_base:g}件的不计算增长率。",
    ]


def published_monthly(series: pd.Series, min_base: float = MIN_BASE) -> pd.DataFrame:
    """Monthly table as NBS publishes it: 1—2月 together, then 3月 … 12月, with year-on-year growth.

    Parameters
    ----------
    series : pandas.Series
        Monthly values indexed by consecutive month starts.
    min_base : float
        Growth is not given off a previous-year value below this (default
        :data:`ipstats.indicators.narrative.MIN_BASE`).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``period`` (``1—2月``, ``3月`` …), ``value`` (the period's total), ``yoy_pct`` (同比, on the
        same period of the previous year), ``cumulative`` (1—n月累计) and ``cumulative_yoy_pct``. A year whose
        January or February is missing has no 1—2月 row; growth is missing for the first year, where the
        previous year's period is absent or its value below *min_base*.
    """
    months = _check_months(series)
    data = pd.DataFrame({"year": months.year, "month": months.month, "value": series.astype("float64").to_numpy()})
    data["last"] = data["month"].where(data["month"] > 2, 2)
    counted = data.groupby(["year", "last"]).agg(value=("value", "sum"), n=("month", "size")).reset_index()
    counted = counted[(counted["last"] > 2) | (counted["n"] == 2)].drop(columns="n")
    counted["period"] = np.where(counted["last"] == 2, "1—2月", counted["last"].astype(str) + "月")
    counted["cumulative"] = counted.groupby("year")["value"].cumsum()
    # a year whose 1—2月 is missing has no cumulative total
    complete = counted.groupby("year")["last"].transform("min") == 2
    counted["cumulative"] = counted["cumulative"].where(complete)
    previous = counted.assign(year=counted["year"] + 1).set_index(["year", "last"])
    keys = pd.MultiIndex.from_frame(counted[["year", "last"]])
    for column, out in (("value", "yoy_pct"), ("cumulative", "cumulative_yoy_pct")):
        base = previous[column].reindex(keys).to_numpy()
        counted[out] = growth_pct(
            counted[column].reset_index(drop=True), pd.Series(np.where(base >= min_base, base, np.nan))
        ).to_numpy()
    if pd.api.types.is_integer_dtype(series.dtype):  # counts stay whole numbers
        counted = counted.astype({"value": "Int64", "cumulative": "Int64"})
    return counted[["year", "period", "value", "yoy_pct", "cumulative", "cumulative_yoy_pct"]].reset_index(drop=True)
