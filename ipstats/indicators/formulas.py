"""The formulas of every published rate (计算公式): growth, CAGR, shares, points, RTA, HHI and CR-n.

Every module of ipstats computes its rates with these functions, so one figure is computed one way
wherever it appears. Each takes scalars, arrays or pandas Series (Series are aligned on their index, as
pandas arithmetic does; arrays are taken in order; a scalar is broadcast) and returns a float, or a float64
Series where an argument is a Series (an array where one is an array).

The rule for bases
------------------
A rate whose **base** (denominator) is **missing or zero** is undefined: the result is NaN, never
``inf`` and never an exception. Where a negative base makes the formula meaningless it is undefined too:
growth and CAGR compare two levels of the same quantity, so they need a positive base (and CAGR a
non-negative last value, whose root is otherwise not a number); a share or RTA accepts a negative whole
(the contribution of a category to a fall of the total, 贡献率, is a share of a negative change). HHI and
CR-n are NaN when the total of the contributions is missing or not positive, or any contribution is
missing. A missing numerator gives NaN as well. An argument that is not a rate's base but a parameter
(the number of periods of a CAGR, the *n* of CR-n) raises ``ValueError`` when it is out of range: that
is a mistake of the caller, not a fact of the data.

No formula rounds. A publication rounds (half away from zero, at :mod:`ipstats.bulletin.precision`), and a
figure defined on *printed* numbers, such as a change in points between two printed shares, rounds its
inputs at the call site.

Examples
--------
>>> growth_pct(150, 100)
50.0
>>> growth_pct(5, 0)
nan
>>> growth_pct(pd.Series([150, 5, 7]), pd.Series([100, 0, None])).tolist()
[50.0, nan, nan]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["cagr_pct", "change_pp", "growth_pct", "hhi", "rta", "share_pct", "top_share_pct", "yoy_pct"]


def _values(value):
    """A Series as a float64 Series, an array or list as a float64 array (``None``, ``pd.NA``: NaN), else a float."""
    if isinstance(value, pd.Series):
        return pd.to_numeric(value).astype("float64")
    if isinstance(value, (np.ndarray, list, tuple, pd.Index)):
        if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            return value.astype("float64")
        return pd.to_numeric(pd.Series(list(value), dtype=object)).to_numpy(dtype="float64", na_value=np.nan)
    if value is None or value is pd.NA or value is pd.NaT:
        return float("nan")
    return float(value)


def _keep(values, condition):
    """*values* where *condition* holds, NaN elsewhere (scalar, array or Series)."""
    if isinstance(values, pd.Series):
        return values.where(condition)
    if isinstance(values, np.ndarray):
        return np.where(condition, values, np.nan)
    return values if condition else float("nan")


def _base(values, positive: bool = False):
    """*values* as a base: NaN where missing or zero, and with *positive* also where negative."""
    return _keep(values, values > 0 if positive else values != 0)


def _divide(numerator, denominator, positive: bool = False):
    """*numerator* / *denominator*, NaN where the denominator is not a base (:func:`_base`)."""
    numerator, denominator = _values(numerator), _base(_values(denominator), positive)
    with np.errstate(divide="ignore", invalid="ignore"):
        return numerator / denominator


def growth_pct(current, previous):
    """Growth on the previous period in percent (增长率, 同比增长 %): ``(current / previous - 1) * 100``.

    Parameters
    ----------
    current, previous : float or pandas.Series
        The level now and the level of the base period.

    Returns
    -------
    float or pandas.Series
        NaN where *previous* is missing, zero or negative, or *current* is missing.

    Examples
    --------
    >>> growth_pct(75, 100)
    -25.0
    >>> growth_pct(3, None)
    nan
    """
    ratio = _divide(current, previous, positive=True)
    return (ratio - 1.0) * 100.0


def cagr_pct(first, last, periods: float):
    """Compound annual growth rate in percent (年均增长率): ``((last / first) ** (1 / periods) - 1) * 100``.

    Parameters
    ----------
    first, last : float or pandas.Series
        The level at the start and at the end of the span.
    periods : float
        Length of the span in periods (years): the end year minus the start year.

    Returns
    -------
    float or pandas.Series
        NaN where *first* is missing, zero or negative, or *last* is missing or negative.

    Raises
    ------
    ValueError
        When *periods* is not positive.

    Examples
    --------
    >>> round(cagr_pct(100.0, 121.0, 2), 6)
    10.0
    >>> cagr_pct(0.0, 10.0, 3)
    nan
    """
    if not periods > 0:
        raise ValueError(f"a CAGR needs a span of at least one period, got {periods!r}")
    ratio = _divide(last, first, positive=True)
    ratio = _keep(ratio, ratio >= 0)
    return (ratio ** (1.0 / periods) - 1.0) * 100.0


def share_pct(part, whole):
    """Share of *part* in *whole* in percent (占比, 比重, 构成 %): ``100 * part / whole``.

    Also structure (构成), share of GDP (占GDP比重), contribution to growth (拉动, Δpart over the previous
    total, in points) and contribution share (贡献率, Δpart over Δtotal): the same ratio of other quantities.

    Parameters
    ----------
    part, whole : float or pandas.Series

    Returns
    -------
    float or pandas.Series
        NaN where *whole* is missing or zero (a negative whole is kept), or *part* is missing.

    Examples
    --------
    >>> share_pct(25, 200)
    12.5
    >>> share_pct(1, 0)
    nan
    """
    return _divide(100.0 * _values(part), whole)


def change_pp(share, share_previous):
    """Change of a share or rate in percentage points (百分点): ``share - share_previous``.

    Also the gap between two growth rates (高于GDP现价增速 … 个百分点). A change between two *printed*
    figures is the change of the rounded figures: round them at the call site.

    Returns
    -------
    float or pandas.Series
        NaN where either is missing.

    Examples
    --------
    >>> change_pp(12.75, 12.5)
    0.25
    >>> change_pp(12.7, None)
    nan
    """
    return _values(share) - _values(share_previous)


def rta(cell, region_total, category_total, grand_total):
    """Relative technological advantage (显示性技术优势指数, Balassa index).

    ``cell / (region_total / grand_total * category_total)``, that is the region's share of the category
    over its share of all patents. 1 is the national average; above 1 a specialisation. Unstable for small
    counts (one patent more or less changes it a lot).

    Returns
    -------
    float or pandas.Series
        NaN where *region_total*, *category_total* or *grand_total* is missing or zero.

    Examples
    --------
    >>> rta(30, 100, 60, 1000)   # 50 % of the category against 10 % of all patents
    5.0
    >>> rta(3, 0, 60, 1000)
    nan
    """
    return _divide(cell, _divide(region_total, grand_total) * _values(category_total))


def _contributions(counts) -> np.ndarray | None:
    """The contributions as floats, or None when one is missing or their total is not positive."""
    values = _values(counts)
    values = values.to_numpy() if isinstance(values, pd.Series) else np.atleast_1d(values)
    if np.isnan(values).any() or not values.sum() > 0:
        return None
    return values


def hhi(counts) -> float:
    """Herfindahl–Hirschman index (赫芬达尔—赫希曼指数) on the 0–10,000 scale: shares in %, squared and summed.

    10,000 is a single contributor, 10,000 / *k* for *k* equal contributors; below 1,500 is usually read as
    unconcentrated.

    Parameters
    ----------
    counts : array-like
        One value per contributor (applicant, enterprise …).

    Returns
    -------
    float
        NaN when *counts* is empty, holds a missing value or its total is not positive.

    Examples
    --------
    >>> hhi(pd.Series([50, 30, 20]))
    3800.0
    >>> hhi([1, 1, 1, 1])
    2500.0
    """
    values = _contributions(counts)
    if values is None:
        return float("nan")
    return float(((100.0 * values / values.sum()) ** 2).sum())


def top_share_pct(counts, n: int) -> float:
    """Share (%) of the *n* largest contributors in the total (CR-n concentration ratio, 前n位集中度).

    Ties at the *n*-th place do not matter (the tied values are equal); with fewer than *n* contributors
    the share is 100.

    Raises
    ------
    ValueError
        When *n* is not a positive integer.

    Examples
    --------
    >>> top_share_pct([40, 30, 20, 10], 2)
    70.0
    >>> top_share_pct([5, 5], 4)
    100.0
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"CR-n needs a positive whole number n, got {n!r}")
    values = _contributions(counts)
    if values is None:
        return float("nan")
    return float(100.0 * np.sort(values)[::-1][:n].sum() / values.sum())


def yoy_pct(series: pd.Series, lag: int = 12) -> float:
    """Year-on-year change (同比, %) of the last value of *series* on the value *lag* periods earlier.

    NaN when *series* has no value *lag* periods before its last one, or that value is zero, negative or
    missing (:func:`growth_pct`).

    Examples
    --------
    >>> round(yoy_pct(pd.Series(range(1, 14))), 6)
    1200.0
    """
    if len(series) <= lag:
        return float("nan")
    return growth_pct(series.iloc[-1], series.iloc[-1 - lag])
