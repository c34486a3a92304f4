"""Spring Festival and working-day adjustment before STL, diagnostics and refusals, and 1—2月累计."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.seasonal import STL

from ipstats.indicators import calendar as cal


# --- shipped calendar data ---------------------------------------------------------------------------------
def test_known_spring_festival_dates():
    festivals = cal.spring_festivals()
    assert festivals[2024] == pd.Timestamp("2024-02-10")
    assert festivals[2025] == pd.Timestamp("2025-01-29")
    assert festivals[2023] == pd.Timestamp("2023-01-22")
    assert festivals.index.min() == 1900 and festivals.index.max() == 2099 and len(festivals) == 200
    # 正月初一 always falls between 21 January and 20 February
    day_of_year = festivals.dt.day_of_year
    assert day_of_year.between(21, 51).all()


def test_working_days_follow_the_state_council_arrangements():
    months = pd.DatetimeIndex(["2024-02-01", "2023-01-01", "2023-10-01", "2019-07-01"])
    days = cal.working_days(months)
    # 2024-02: 21 weekdays, 12–16 off (春节), Sunday 4 and Sunday 18 worked (调休上班) -> 18
    # 2023-01: 22 weekdays, 2 (元旦) and 23–27 off, Saturday 28 and Sunday 29 worked -> 18
    # 2023-10: 22 weekdays, 2–6 off (国庆), Saturday 7 and Sunday 8 worked -> 19
    # 2019-07: no holiday, 23 weekdays
    assert days.tolist() == [18, 18, 19, 23]
    with pytest.raises(ValueError, match="covers 2004–2026"):
        cal.working_days(pd.DatetimeIndex(["2003-12-01"]))


def test_holiday_regressors_are_shares_of_the_interval_centred_by_calendar_month():
    months = pd.date_range("2023-01-01", "2024-12-01", freq="MS")
    reg = cal.holiday_regressors(months, {"during": (-1, 6)})["during"]
    # 2023: 21–28 January, all in January; 2024: 9–16 February, all in February
    assert reg["2023-01-01"] - reg["2024-01-01"] == pytest.approx(1.0)
    assert reg["2024-02-01"] - reg["2023-02-01"] == pytest.approx(1.0)
    # within a year the centred shares add up to zero, and months far from the festival carry nothing
    assert reg["2023"].sum() == pytest.approx(0.0, abs=1e-12)
    assert (reg[reg.index.month.isin(range(4, 12))] == 0).all()
    with pytest.raises(ValueError, match="end on or after"):
        cal.holiday_regressors(months, {"bad": (3, 1)})


# --- the simulation --------------------------------------------------------------------------------
def _festival_simulation(start=2018, end=2023, growth=0.06, drop=0.8, week=(0, 6), noise=0.01, seed=3):
    """Daily filings growing *growth* a year, *drop* lower in the festival week; monthly sums and the truth.

    The truth is what a perfect adjustment gives: the growing daily rate times the average month's days net of
    the average festival loss, times the same irregular noise as the observed series.
    """
    days = pd.date_range(f"{start}-01-01", f"{end}-12-31", freq="D")
    rate = 1000.0 * (1 + growth) ** ((days - days[0]).days / 365.25)
    festivals = cal.spring_festivals()
    factor = np.ones(len(days))
    for year in range(start, end + 1):
        first, last = festivals[year] + pd.Timedelta(days=week[0]), festivals[year] + pd.Timedelta(days=week[1])
        factor[(days >= first) & (days <= last)] = 1 - drop
    irregular = np.exp(np.random.default_rng(seed).normal(0.0, noise, (end - start + 1) * 12))
    observed = pd.Series(rate * factor, index=days).resample("MS").sum() * irregular
    lost = drop * (week[1] - week[0] + 1)
    truth = pd.Series(rate, index=days).resample("MS").mean() * (365.25 - lost) / 12 * irregular
    return observed, truth


def test_spring_festival_adjustment_fixes_february_where_raw_stl_is_a_fifth_off():
    observed, truth = _festival_simulation()
    raw = STL(observed.to_numpy(), period=12, robust=True).fit()  # what ipstats did before: STL of raw months
    raw_error = pd.Series(100 * ((observed.to_numpy() - raw.seasonal) / truth.to_numpy() - 1), index=observed.index)
    result = cal.seasonal_adjust(observed)
    assert result.ok, result.refused
    error = 100 * (result.table.set_index("month")["adjusted"] / truth - 1)
    january_festival = [2020, 2023]  # 25 and 22 January
    february = [pd.Timestamp(f"{y}-02-01") for y in january_festival]
    print(
        "February, % off the truth: raw STL",
        raw_error[february].round(1).tolist(),
        "with the calendar adjustment",
        error[february].round(1).tolist(),
    )
    assert raw_error[pd.Timestamp("2020-02-01")] > 15  # the 19–22 %
    assert (error[february].abs() < 3).all()
    assert error.abs().max() < 5 < 15 < raw_error.abs().max()  # every month, not only February
    # the festival is found where it is (the week off is in 'during'); filings have no working-day effect here
    coef = result.coefficients.set_index("regressor")
    assert coef.loc["during", "used"] and coef.loc["during", "t_stat"] < -10
    assert not coef.loc["working_days", "used"]
    diagnostics = result.diagnostics.set_index("test")
    assert diagnostics["passed"].dropna().all()
    assert diagnostics.loc["春节和工作日效应占同比变化方差的比重（%）", "statistic"] > 80
    # raw year-on-year changes swing in opposite directions in January and February; 1—2月 together do not
    yoy = 100 * (observed / observed.shift(12) - 1)
    assert yoy["2020-01-01"] < -10 and yoy["2020-02-01"] > 20  # festival in January 2020, February 2019
    table = cal.published_monthly(observed)
    jan_feb = table[(table["period"] == "1—2月") & (table["year"] > 2018)]
    assert (jan_feb["yoy_pct"] - 6).abs().max() < 4  # 6 %/yr, ±1.7 % leap day, ±1 % noise
    assert "本期不发布" not in result.method_note() and "正月初一" in result.method_note()


def test_working_day_effect_is_recovered():
    months = pd.date_range("2010-01-01", "2023-12-01", freq="MS")
    effect = 0.04  # +4.1 % per extra working day
    seasonal = np.tile(np.log([0.9, 0.8, 1.1, 1.0, 1.0, 1.05, 1.0, 0.95, 1.0, 1.0, 1.05, 1.2]), len(months) // 12)
    noise = np.random.default_rng(7).normal(0, 0.01, len(months))
    log_level = np.log(500) + 0.005 * np.arange(len(months)) + seasonal + noise
    series = pd.Series(np.exp(log_level + effect * cal.working_day_regressor(months).to_numpy()), index=months)
    result = cal.seasonal_adjust(series)
    assert result.ok, result.refused
    wd = result.coefficients.set_index("regressor").loc["working_days"]
    assert wd["used"] and wd["coefficient"] == pytest.approx(effect, abs=0.005)
    # the adjusted series is the level without the working days and the seasonal pattern
    level = pd.Series(np.exp(np.log(500) + 0.005 * np.arange(len(months)) + noise), index=months)
    ratio = result.table.set_index("month")["adjusted"] / level
    assert (ratio.iloc[24:-24] / ratio.iloc[24:-24].mean() - 1).abs().max() < 0.02


def test_a_known_seasonal_pattern_is_recovered_and_insignificant_effects_are_left_out():
    months = pd.date_range("2015-01-01", periods=96, freq="MS")
    pattern = np.array([0.7, 0.8, 1.1, 1.15, 1.05, 1.0, 0.95, 0.9, 1.05, 1.1, 1.2, 1.0])
    trend = np.linspace(100, 200, 96)
    noise = np.exp(np.random.default_rng(1).normal(0, 0.01, 96))
    result = cal.seasonal_adjust(pd.Series(trend * np.tile(pattern, 8) * noise, index=months))
    assert result.ok, result.refused
    table = result.table.iloc[24:72]  # away from the ends
    seasonal = np.tile(pattern / np.exp(np.log(pattern).mean()), 4)
    assert np.allclose(table["seasonal_factor"] * table["calendar_factor"], seasonal, rtol=0.03)
    assert np.allclose(table["adjusted"], trend[24:72] * noise[24:72] * np.exp(np.log(pattern).mean()), rtol=0.03)
    assert np.allclose(table["observed"], table["adjusted"] * table["calendar_factor"] * table["seasonal_factor"])
    assert not result.coefficients["used"].any()  # no Spring Festival, no working days here
    assert "不显著" in result.method_note()


# --- refusals ----------------------------------------------------------------------------------------------
def test_a_short_series_gets_no_adjusted_figure():
    series = pd.Series(np.linspace(100, 130, 35), index=pd.date_range("2020-01-01", periods=35, freq="MS"))
    result = cal.seasonal_adjust(series)
    assert not result.ok and "35个月" in result.refused and "3年" in result.refused
    assert result.table["adjusted"].isna().all() and result.table["observed"].notna().all()
    assert result.diagnostics["passed"].tolist() == [False]
    assert "本期不发布季节调整结果" in result.method_note()


def test_zero_months_and_months_outside_the_calendar_are_refused():
    months = pd.date_range("2018-01-01", periods=48, freq="MS")
    zero = pd.Series(100.0, index=months)
    zero.iloc[5] = 0
    assert "为0" in cal.seasonal_adjust(zero).refused
    old = pd.Series(np.linspace(100, 150, 48), index=pd.date_range("2001-01-01", periods=48, freq="MS"))
    result = cal.seasonal_adjust(old)
    assert "日历数据不覆盖" in result.refused and "2004–2026" in result.refused
    # without the working-day regressor the Spring Festival table (1900–2099) covers those years
    coverage = cal.seasonal_adjust(old, workdays=False).diagnostics.set_index("test").loc["日历数据覆盖", "passed"]
    assert coverage


def test_a_failing_diagnostic_withholds_the_adjusted_series():
    months = pd.date_range("2012-01-01", "2023-12-01", freq="MS")
    t = np.arange(len(months))
    cycle = 0.4 * np.sin(2 * np.pi * t / 5)  # a 5-month cycle no airline model describes
    noise = np.random.default_rng(5).normal(0, 0.01, len(months))
    result = cal.seasonal_adjust(pd.Series(np.exp(6 + 0.004 * t + cycle + noise), index=months))
    assert not result.ok and "诊断检验未通过" in result.refused and "Ljung–Box" in result.refused
    assert result.table["adjusted"].isna().all()
    failed = result.diagnostics[result.diagnostics["passed"] == False]  # noqa: E712
    assert len(failed) >= 1 and (failed["p_value"] < cal.ALPHA).all()


def test_a_bad_index_is_an_error():
    with pytest.raises(ValueError, match="DatetimeIndex"):
        cal.seasonal_adjust(pd.Series([1.0, 2.0]))
    gap = pd.Series(1.0, index=pd.DatetimeIndex(["2020-01-01", "2020-03-01"]))
    with pytest.raises(ValueError, match="without gaps"):
        cal.published_monthly(gap)


# --- 1—2月累计 ----------------------------------------------------------------------------------------------
def test_january_and_february_are_published_together():
    months = pd.date_range("2022-01-01", "2024-02-01", freq="MS")
    values = pd.Series(np.arange(1, len(months) + 1, dtype=float) * 10, index=months)
    table = cal.published_monthly(values)
    year = ["1—2月"] + [f"{m}月" for m in range(3, 13)]
    assert table["period"].tolist() == year + year + ["1—2月"]
    assert not table["period"].isin(["1月", "2月"]).any()
    row = table.iloc[11]  # 2023年1—2月: 130 + 140 against 10 + 20
    assert (row["year"], row["value"]) == (2023, 270.0)
    assert row["yoy_pct"] == pytest.approx(100 * (270 / 30 - 1))
    march = table.iloc[12]  # 2023年3月: 150 against 30
    assert march["cumulative"] == 420.0 and march["cumulative_yoy_pct"] == pytest.approx(100 * (420 / 60 - 1))
    assert table.loc[table["year"] == 2022, "yoy_pct"].isna().all()  # no previous year
    # growth is not quoted off a base below MIN_BASE (20): 2022年3月 (30) is a base, 1—2月 (30) too
    small = cal.published_monthly(values / 10)
    assert small.loc[(small["year"] == 2023) & (small["period"] == "1—2月"), "yoy_pct"].isna().all()
    assert str(cal.published_monthly(values.astype("int64"))["cumulative"].dtype) == "Int64"  # counts stay whole
    # a year whose February is missing has no 1—2月 row and no cumulative totals
    cut = cal.published_monthly(values.loc["2022-02-01":])
    assert cut.iloc[0]["period"] == "3月" and cut.loc[cut["year"] == 2022, "cumulative"].isna().all()


# --- in the monitoring ---------------------------------------------------------------------------------------
def test_monitoring_publishes_january_and_february_together(small_demo):
    from ipstats.indicators import monitoring as mon

    result = mon.compute_monitoring(str(small_demo["register"]), 2023, system="wipo_fields_2019", span=3)
    months = result.monthly.set_index("month")["observed"]
    table = result.monthly_published
    row = table[(table["year"] == 2023) & (table["period"] == "1—2月")].iloc[0]
    assert row["value"] == months["2023-01-01"] + months["2023-02-01"]
    assert len(table) == 4 * 11 and not table["period"].isin(["1月", "2月"]).any()
    assert table.loc[table["year"] == 2023, "value"].sum() == months["2023"].sum()
    sa = result.seasonal
    assert set(sa.diagnostics_table()["passed"]) <= {"通过", "未通过", ""}
    # an adjusted figure only with every diagnostic passed
    assert sa.ok == bool(sa.table["adjusted"].notna().all()) == (sa.refused is None)
    assert sa.ok == (sa.diagnostics["passed"] != False).all()  # noqa: E712
