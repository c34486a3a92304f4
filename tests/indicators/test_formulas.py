"""The one module of formulas: known values, the rule for zero, negative and missing bases, scalars and Series."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from ipstats.indicators import formulas as f


def _nan(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


@pytest.fixture(autouse=True)
def _no_runtime_warnings():
    """A zero base is a fact of the data, not a numerical accident: no division warnings either."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


def test_growth_known_values_and_bases():
    assert f.growth_pct(150, 100) == 50.0
    assert f.growth_pct(0, 100) == -100.0
    for base in (0, 0.0, None, np.nan, pd.NA, -5):
        assert _nan(f.growth_pct(10, base)), base
    assert _nan(f.growth_pct(None, 10)) and _nan(f.growth_pct(np.nan, 10))
    assert isinstance(f.growth_pct(np.int64(3), np.int64(2)), float)


def test_growth_series_matches_scalars():
    now = pd.Series([150, 5, 7, 12, 3], index=list("abcde"))
    before = pd.Series([100, 0, None, -4, 2], index=list("abcde"))
    out = f.growth_pct(now, before)
    assert list(out.index) == list("abcde") and out.dtype == "float64"
    for key in out.index:
        scalar = f.growth_pct(now[key], before[key])
        assert (math.isnan(out[key]) and math.isnan(scalar)) or out[key] == scalar
    assert not np.isinf(out).any()
    nullable = f.growth_pct(pd.Series([4, 6], dtype="Int64"), pd.Series([2, pd.NA], dtype="Int64"))
    assert nullable.iloc[0] == 100.0 and math.isnan(nullable.iloc[1])
    assert f.growth_pct(pd.Series([30.0]), 20).tolist() == [50.0]  # a scalar base is broadcast


def test_cagr_known_values_and_bases():
    assert f.cagr_pct(100.0, 121.0, 2) == pytest.approx(10.0)
    assert f.cagr_pct(200.0, 100.0, 1) == pytest.approx(-50.0)
    assert f.cagr_pct(100.0, 100.0 * 1.05**4, 4) == pytest.approx(5.0)
    assert f.cagr_pct(10.0, 0.0, 3) == pytest.approx(-100.0)
    for first in (0, 0.0, None, np.nan, -100.0):
        assert _nan(f.cagr_pct(first, 121.0, 2)), first  # no ZeroDivisionError, no inf, no complex number
    assert _nan(f.cagr_pct(100.0, -121.0, 2)) and _nan(f.cagr_pct(100.0, None, 2))
    series = f.cagr_pct(pd.Series([100.0, 0.0, 50.0, -1.0, 100.0]), pd.Series([133.1, 5.0, 50.0, 2.0, np.nan]), 3)
    assert series.iloc[0] == pytest.approx(10.0) and series.iloc[2] == pytest.approx(0.0)
    assert series.iloc[[1, 3, 4]].isna().all()
    for periods in (0, -1):
        with pytest.raises(ValueError, match="at least one period"):
            f.cagr_pct(1.0, 2.0, periods)


def test_share_known_values_and_bases():
    assert f.share_pct(25, 200) == 12.5
    assert f.share_pct(0, 200) == 0.0
    assert f.share_pct(5.0, -20.0) == -25.0  # a share of a fall of the total (贡献率) is kept
    for whole in (0, None, np.nan, pd.NA):
        assert _nan(f.share_pct(1, whole)), whole
    out = f.share_pct(pd.Series([1.0, 2.0, 3.0]), pd.Series([4.0, 0.0, None]))
    assert out.iloc[0] == 25.0 and out.iloc[1:].isna().all()
    assert f.share_pct(pd.Series([1, 3]), 4).tolist() == [25.0, 75.0]
    assert f.share_pct(2, pd.Series([8.0, 0.0])).iloc[0] == 25.0
    assert f.share_pct(pd.Series([1, 3]), 0).isna().all()


def test_change_pp_is_unrounded_and_missing_aware():
    assert f.change_pp(12.75, 12.5) == 0.25
    assert f.change_pp(12.714, 12.446) == pytest.approx(0.268)  # no rounding in the formula
    assert _nan(f.change_pp(None, 1.0)) and _nan(f.change_pp(1.0, np.nan))
    out = f.change_pp(pd.Series([3.5, None]), pd.Series([1.0, 1.0]))
    assert out.iloc[0] == 2.5 and math.isnan(out.iloc[1])


def test_rta_known_values_and_bases():
    assert f.rta(30, 100, 60, 1000) == pytest.approx(5.0)  # 50 % of the category against 10 % of all
    assert f.rta(60, 1000, 60, 1000) == pytest.approx(1.0)
    for args in ((3, 0, 60, 1000), (3, 100, 0, 1000), (3, 100, 60, 0), (3, None, 60, 1000)):
        assert _nan(f.rta(*args)), args
    cells = pd.Series([10.0, 5.0, 2.0])
    out = f.rta(cells, pd.Series([100.0, 0.0, 50.0]), 20.0, 400.0)
    assert out.iloc[0] == pytest.approx(2.0) and math.isnan(out.iloc[1]) and out.iloc[2] == pytest.approx(0.8)
    assert f.rta(cells, 100.0, 20.0, 0.0).isna().all()
    # arrays are taken in order, as the province × category table passes them
    arrays = f.rta(cells, np.array([100.0, 0.0, 50.0]), np.array([20.0, 20.0, 0.0]), 400.0)
    assert isinstance(arrays, pd.Series) and arrays.iloc[0] == pytest.approx(2.0) and arrays.iloc[1:].isna().all()
    plain = f.rta(np.array([10.0, 1.0]), np.array([100.0, 50.0]), np.array([20.0, 10.0]), 400.0)
    assert isinstance(plain, np.ndarray) and plain == pytest.approx([2.0, 0.8])


def test_hhi_known_values_and_bases():
    assert f.hhi(pd.Series([50, 30, 20])) == pytest.approx(2500 + 900 + 400)
    assert f.hhi([7]) == pytest.approx(10_000)  # a single contributor
    for k in (2, 4, 100):
        assert f.hhi(np.full(k, 3.0)) == pytest.approx(10_000 / k)  # k equal shares
    for counts in ([], [0, 0], [3, None], pd.Series([1, pd.NA], dtype="Int64"), pd.Series(dtype=float)):
        assert _nan(f.hhi(counts)), counts


def test_top_share_ties_and_short_lists():
    values = pd.Series([40, 30, 10, 10, 5, 5])
    assert f.top_share_pct(values, 1) == pytest.approx(40.0)
    assert f.top_share_pct(values, 3) == pytest.approx(80.0)  # a tie at the 3rd place: either 10 gives 80
    assert f.top_share_pct(values, 4) == pytest.approx(90.0)
    assert f.top_share_pct(values, 10) == pytest.approx(100.0)  # n > number of contributors
    assert f.top_share_pct(np.array([1.0, 3.0]), 1) == pytest.approx(75.0)
    for counts in ([], [0.0], [2, np.nan]):
        assert _nan(f.top_share_pct(counts, 4)), counts
    for n in (0, -1, 2.5):
        with pytest.raises(ValueError, match="positive whole number"):
            f.top_share_pct(values, n)


def test_yoy():
    series = pd.Series(np.arange(1.0, 26.0))  # 25 months
    assert f.yoy_pct(series) == pytest.approx(100 * (25 / 13 - 1))
    assert _nan(f.yoy_pct(series.iloc[:12]))
    assert _nan(f.yoy_pct(pd.Series([0.0] + [1.0] * 12)))
    assert f.yoy_pct(pd.Series([2.0, 3.0]), lag=1) == pytest.approx(50.0)
