"""Consistency audit: hand-made tables with known slips, and the shipped PII series."""
import pandas as pd
import pytest

from ipstats.consistency import audit_summary, audit_table, half_unit, printed_decimals
from ipstats.pii.value_added import read_gdp, read_value_added


def test_printed_precision():
    assert printed_decimals(153176.0) == 0 and printed_decimals(114630.7) == 1 and printed_decimals(12.71) == 2
    assert half_unit(153176.0) == 0.5 and half_unit(12.71) == pytest.approx(0.005)


def _table(changes: dict | None = None) -> pd.DataFrame:
    rows = {"year": [2021, 2021, 2021, 2022, 2022, 2022],
            "category_code": ["00", "01", "02"] * 2,
            "value_added_100m_yuan": [10000.0, 6000.0, 4000.0, 11000.0, 6600.0, 4400.0],
            "growth_pct": [None, None, None, 10.0, 10.0, 10.0],
            "share_pct": [100.0, 60.0, 40.0, 100.0, 60.0, 40.0],
            "share_of_gdp_pct": [10.0, None, None, 10.0, None, None]}
    table = pd.DataFrame(rows)
    for (row, col), value in (changes or {}).items():
        table.loc[row, col] = value
    return table


GDP = pd.DataFrame({"year": [2021, 2022], "gdp_100m_yuan": [100000.0, 110000.0]})


def test_a_consistent_table_passes_every_check():
    result = audit_table(_table(), gdp=GDP)
    assert result["ok"].all()
    assert audit_summary(result).set_index("check")["checks"].to_dict() == {"sum": 2, "growth": 3, "share": 4,
                                                                            "share_of_gdp": 2}


def test_each_kind_of_slip_is_found():
    # 2022 component 02 printed 4500: sum 11100 ≠ 11000, growth 12.5 ≠ 10.0 printed, share 40.9 ≠ 40.0 printed
    result = audit_table(_table({(5, "value_added_100m_yuan"): 4500.0}), gdp=GDP)
    failed = set(zip(result.loc[~result["ok"], "check"], result.loc[~result["ok"], "item"]))
    assert failed == {("sum", "00"), ("growth", "02"), ("share", "02")}
    # a share of GDP that does not match GDP
    result = audit_table(_table({(3, "share_of_gdp_pct"): 10.2}), gdp=GDP)
    assert result.loc[~result["ok"], "check"].tolist() == ["share_of_gdp"]


def test_rounding_is_not_a_failure():
    # 2022 components printed 6600 and 4400 with a total of 11001: within the three half-units
    table = _table({(3, "value_added_100m_yuan"): 11001.0})
    result = audit_table(table.drop(columns=["growth_pct", "share_pct"]), gdp=None)
    assert result.set_index(["check", "year"]).loc[("sum", 2022), "ok"]
    assert result.set_index(["check", "year"]).loc[("sum", 2022), "upper"] == pytest.approx(11001.5)


def test_unit_slip_yi_vs_wanyi():
    long = pd.DataFrame({"year": [2019, 2020, 2021, 2022] * 2, "category_code": ["00"] * 4 + ["01"] * 4,
                         "value_added_100m_yuan": [100.0, 110.0, 120.0, 130.0, 50.0, 55.0, 0.006, 65.0]})
    result = audit_table(long, growth=None, share=None, share_of_gdp=None)
    slips = result[(result["check"] == "unit") & ~result["ok"]]
    assert slips[["year", "item"]].values.tolist() == [[2021, "01"]]        # 60 亿元 entered as 0.006 万亿元
    assert "万亿" in slips["note"].iloc[0]
    share = audit_table(_table({(3, "share_of_gdp_pct"): 0.001}), gdp=GDP)
    assert "10^4" in share.loc[(share["check"] == "unit") & ~share["ok"], "note"].iloc[0]


def test_shipped_series_audit():
    values, gdp = read_value_added(), read_gdp()
    result = audit_table(values, gdp=gdp)
    summary = audit_summary(result).set_index("check")
    assert summary.at["sum", "failed"] == 0 and summary.at["share", "failed"] == 0
    assert summary.at["share_of_gdp", "failed"] == 0
    assert summary.at["unit", "checks"] == 8 and summary.at["unit", "failed"] == 0     # total and 7 categories
    failed = result[~result["ok"]]
    # the only inconsistency: the derived 2020 level of 研发、设计和技术服务业 against its published growth 5.9 %
    assert failed[["check", "year", "item"]].values.tolist() == [["growth", 2020, "07"]]
    assert "derived" in failed["note"].iloc[0]
