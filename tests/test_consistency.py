"""Consistency audit: hand-made tables with known slips, and the shipped PII series (and a corrupted copy)."""

import pandas as pd
import pytest

from ipstats.consistency import audit_report, audit_summary, audit_table, half_unit, printed_decimals
from ipstats.pii.value_added import read_gdp, read_value_added


def test_printed_precision():
    assert printed_decimals(153176.0) == 0 and printed_decimals(114630.7) == 1 and printed_decimals(12.71) == 2
    assert half_unit(153176.0) == 0.5 and half_unit(12.71) == pytest.approx(0.005)


def _table(changes: dict | None = None) -> pd.DataFrame:
    rows = {
        "year": [2021, 2021, 2021, 2022, 2022, 2022],
        "category_code": ["00", "01", "02"] * 2,
        "value_added_100m_yuan": [10000.0, 6000.0, 4000.0, 11000.0, 6600.0, 4400.0],
        "growth_pct": [None, None, None, 10.0, 10.0, 10.0],
        "share_pct": [100.0, 60.0, 40.0, 100.0, 60.0, 40.0],
        "share_of_gdp_pct": [10.0, None, None, 10.0, None, None],
    }
    table = pd.DataFrame(rows)
    for (row, col), value in (changes or {}).items():
        table.loc[row, col] = value
    return table


GDP = pd.DataFrame({"year": [2021, 2022], "gdp_100m_yuan": [100000.0, 110000.0]})


def test_a_consistent_table_passes_every_check():
    result = audit_table(_table(), gdp=GDP)
    assert result["ok"].all()
    assert audit_summary(result).set_index("check")["checks"].to_dict() == {
        "sum": 2,
        "growth": 3,
        "share": 4,
        "share_of_gdp": 2,
    }


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
    long = pd.DataFrame(
        {
            "year": [2019, 2020, 2021, 2022] * 2,
            "category_code": ["00"] * 4 + ["01"] * 4,
            "value_added_100m_yuan": [100.0, 110.0, 120.0, 130.0, 50.0, 55.0, 0.006, 65.0],
        }
    )
    result = audit_table(long, growth=None, share=None, share_of_gdp=None)
    slips = result[(result["check"] == "unit") & ~result["ok"]]
    assert slips[["year", "item"]].values.tolist() == [[2021, "01"]]  # 60 亿元 entered as 0.006 万亿元
    assert "万亿" in slips["note"].iloc[0]
    share = audit_table(_table({(3, "share_of_gdp_pct"): 0.001}), gdp=GDP)
    assert "10⁴" in share.loc[(share["check"] == "unit") & ~share["ok"], "note"].iloc[0]


def test_shipped_series_audit():
    """Passes on the shipped series; the one published figure that its levels do not give is explained."""
    values, gdp = read_value_added(), read_gdp()
    result = audit_table(values, gdp=gdp)
    assert result["ok"].all()
    summary = audit_summary(result).set_index("check")
    assert summary.at["unit", "checks"] == 8  # total and 7 categories
    assert summary.at["change", "checks"] == 5 and summary.at["gap", "checks"] == 2  # 2019–2023; 2020, 2021
    assert summary.at["two_year", "checks"] == 1 and summary["noted"].sum() == 1
    noted = result[result["note"].str.contains("以公布", regex=False)]
    # the derived 2020 level of 研发、设计和技术服务业 (8705) gives 5.82 % against the published 5.9 %
    assert noted[["check", "year", "item"]].values.tolist() == [["growth", 2020, "07"]]
    assert (
        noted["note"]
        .iloc[0]
        .startswith(
            "2020年研发、设计和技术服务业增速：公布值5.9%，按上年增加值8225.9亿元和本年增加值8705亿元计算为5.82%"
        )
    )
    assert "本年增加值为推算值，以公布的增速为准" in noted["note"].iloc[0]
    assert "“与上年持平”：本年与上年公布比重均为11.6%" in result.loc[result["check"] == "change", "note"].tolist()
    report = audit_report(result)
    assert report.startswith("发布数据一致性核查：分项合计6项，增速32项，") and "全部通过" in report
    assert "公布值5.9%" in report and not any(word in report for word in ("failed", "components", "level"))


def _corrupt(values: pd.DataFrame, year: int, code: str, column: str, value) -> pd.DataFrame:
    out = values.copy()
    row = (out["year"] == year) & (out["vintage"] == year) & (out["category_code"] == code)
    assert row.sum() == 1
    out.loc[row, column] = value
    return out


def test_a_corrupted_copy_fails():
    values, gdp = read_value_added(), read_gdp()
    # a transposed level: 2022 新材料制造业 18575 entered as 18757
    result = audit_table(_corrupt(values, 2022, "04", "value_added_100m_yuan", 18757.0), gdp=gdp)
    failed = result[~result["ok"]]
    assert ("sum", 2022, "00") in set(zip(failed["check"], failed["year"], failed["item"]))
    assert "2022年分项之和153358.0与合计153176相差+182.0" in failed.loc[failed["check"] == "sum", "note"].iloc[0]
    report = audit_report(result)
    assert "2项未通过" in report and "未通过：2022年分项之和153358.0" in report
    assert ["growth", 2022, "04"] in failed[["check", "year", "item"]].values.tolist()  # 18757 / 16467: 13.9, not 12.8
    # a published growth far from what its levels give: 2021 total 17.9 entered as 19.7
    result = audit_table(_corrupt(values, 2021, "00", "growth_pct", 19.7), gdp=gdp)
    failed = result[~result["ok"]]
    assert failed[["check", "year", "item"]].values.tolist() == [["growth", 2021, "00"], ["gap", 2021, "00"]]
    assert "公布值19.7%" in failed["note"].iloc[0] and "可能为录入错误" in failed["note"].iloc[0]
    # a change in points that the two shares do not allow, and 与上年持平 with different shares
    result = audit_table(_corrupt(values, 2022, "00", "share_of_gdp_change_pp", 0.72), gdp=gdp)
    assert result.loc[~result["ok"], ["check", "year"]].values.tolist() == [["change", 2022]]
    result = audit_table(_corrupt(values, 2019, "00", "share_of_gdp_pct", 11.7), gdp=gdp)
    assert ["change", 2019] in result.loc[~result["ok"], ["check", "year"]].values.tolist()
    # a unit slip: 2021 环保产业 in 万亿元
    result = audit_table(_corrupt(values, 2021, "06", "value_added_100m_yuan", 0.3228), gdp=gdp)
    assert ("unit", 2021, "06") in set(zip(*(result.loc[~result["ok"], c] for c in ("check", "year", "item"))))


def test_a_small_difference_is_noted_for_a_published_figure_only():
    table = _table({(4, "growth_pct"): 10.2})  # 6600 / 6000 gives 10.0; 10.2 is 0.14 off its interval
    computed = audit_table(table, gdp=GDP)  # no statuses: the table's author computed it, a slip
    assert computed.loc[~computed["ok"], ["check", "item"]].values.tolist() == [["growth", "01"]]
    published = audit_table(table.assign(value_status="published"), gdp=GDP)
    row = published[(published["check"] == "growth") & (published["item"] == "01")].iloc[0]
    assert row["ok"] and "公布值10.2%" in row["note"] and "差异不超过0.2个百分点" in row["note"]
    far = audit_table(_table({(4, "growth_pct"): 12.0}).assign(value_status="published"), gdp=GDP)
    assert far.loc[~far["ok"], "check"].tolist() == ["growth"]
