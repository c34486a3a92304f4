"""Value-added formulas (hand-computed cases) and the backtest against the published announcements."""

import math

import pandas as pd
import pytest

from ipstats.pii.announcement import announcement, chinese_number, format_level
from ipstats.indicators.formulas import cagr_pct, change_pp
from ipstats.pii.value_added import (
    cagr_table,
    compile_year,
    composition_pct,
    contribution_pp,
    contribution_share_pct,
    printed_change_pp,
    read_gdp,
    read_value_added,
    release,
    series,
    share_of_gdp_pct,
    to_categories,
    two_year_average_growth_pct,
)


# --- formulas, by hand ------------------------------------------------------------------------------


def test_formulas_hand_computed():
    assert composition_pct(25.0, 200.0) == 12.5
    assert share_of_gdp_pct(12.0, 96.0) == 12.5
    assert math.isnan(composition_pct(1.0, 0.0))
    assert printed_change_pp(12.714, 12.441, 2) == 0.27  # printed 12.71 − 12.44
    assert printed_change_pp(12.714, 12.446, 2) == 0.26  # printed 12.71 − 12.45
    assert printed_change_pp(12.71, 12.6, 2, 1) == 0.11  # this year at 2 decimals, last year at 1
    assert change_pp(12.714, 12.446) == pytest.approx(0.268)  # unrounded
    assert printed_change_pp(7.13, 4.83, 1) == 2.3  # gap to GDP growth, on printed growths
    assert printed_change_pp(3.0, 4.04, 1) == -1.0
    assert math.isnan(printed_change_pp(3.0, math.nan, 1))
    assert contribution_pp(5.0, 200.0) == 2.5  # Δcategory 5 on a total of 200: 2.5 pp
    assert contribution_share_pct(5.0, 20.0) == 25.0  # a quarter of the total's increase
    assert math.isnan(contribution_share_pct(5.0, 0.0))
    assert cagr_pct(100.0, 121.0, 2) == pytest.approx(10.0)
    assert cagr_pct(100.0, 100.0 * 1.05**4, 4) == pytest.approx(5.0)
    assert two_year_average_growth_pct(144.0, 100.0) == pytest.approx(20.0)
    assert math.isnan(cagr_pct(0.0, 121.0, 2))  # was ZeroDivisionError
    with pytest.raises(ValueError, match="at least one period"):
        cagr_pct(1.0, 2.0, 0)


def _toy() -> pd.DataFrame:
    rows = [
        (2020, "00", "合计", 100.0),
        (2020, "01", "甲", 60.0),
        (2020, "02", "乙", 40.0),
        (2021, "00", "合计", 120.0),
        (2021, "01", "甲", 80.0),
        (2021, "02", "乙", 40.0),
        (2022, "00", "合计", 110.0),
        (2022, "01", "甲", 90.0),
        (2022, "02", "乙", 20.0),
    ]
    return series(pd.DataFrame(rows, columns=["year", "category_code", "category_name_zh", "value_added_100m_yuan"]))


def test_compile_year_on_a_toy_series():
    gdp = pd.DataFrame({"year": [2021, 2022], "gdp_100m_yuan": [1000.0, 1100.0], "status": ["official"] * 2})
    view = compile_year(_toy(), gdp, 2022)
    t = view.table.set_index("category_code")
    assert t.at["00", "growth_pct"] == pytest.approx(-100 / 12)  # 110 / 120 − 1
    assert t.at["01", "growth_pct"] == pytest.approx(12.5)  # 90 / 80 − 1
    assert t.at["02", "growth_pct"] == pytest.approx(-50.0)
    assert t.at["01", "share_pct"] == pytest.approx(900 / 11)
    assert t.at["01", "contribution_pp"] == pytest.approx(10 / 1.2)  # +10 on a total of 120
    assert t.at["02", "contribution_share_pct"] == pytest.approx(200.0)  # −20 of a −10 change
    assert t.at["02", "previous_growth_pct"] == pytest.approx(0.0)
    assert t.at["02", "two_year_growth_pct"] == pytest.approx((math.sqrt(0.5) - 1) * 100)
    h = view.headline
    assert h["share_of_gdp_pct"] == pytest.approx(10.0) and h["share_of_gdp_previous_pct"] == pytest.approx(12.0)
    assert h["change_pp"] == -2.0 and h["gdp_growth_pct"] == pytest.approx(10.0)
    assert h["gap_pp"] == pytest.approx(-18.3)  # printed −8.3 − 10.0
    assert cagr_table(_toy(), 2020, 2022).set_index("category_code").at["01", "cagr_pct"] == pytest.approx(
        (1.5**0.5 - 1) * 100
    )


def test_vintage_revision_is_the_comparison_base():
    toy = _toy()
    revised = pd.DataFrame(
        [(2021, "00", "合计", math.nan, 2022, "", 11.0)],
        columns=[
            "year",
            "category_code",
            "category_name_zh",
            "value_added_100m_yuan",
            "vintage",
            "basis",
            "share_of_gdp_pct",
        ],
    )
    new_basis = series(
        pd.concat([toy.assign(basis="A"), revised.assign(basis="B")]).assign(
            basis=lambda d: d["basis"].where((d["year"] < 2022) | (d["basis"] == "B"), "B")
        )
    )
    gdp = pd.DataFrame({"year": [2021, 2022], "gdp_100m_yuan": [1000.0, 1100.0], "status": [""] * 2})
    view = compile_year(new_basis, gdp, 2022)
    assert math.isnan(view.headline["growth_pct"])  # 2021 levels are on the old basis
    assert view.headline["share_of_gdp_previous_pct"] == 11.0  # the revised share
    assert view.headline["change_pp"] == -1.0 and view.headline["basis_changed"]
    current, previous = release(new_basis, 2021)
    assert current["vintage"].iloc[0] == 2021  # levels come from the release that has them


def test_to_categories_with_partial_industries():
    by_industry = pd.DataFrame(
        {"year": [2022] * 3, "industry_code": ["3911", "3912", "2710"], "value_added_100m_yuan": [10.0, 20.0, 8.0]}
    )
    mapping = pd.DataFrame(
        {
            "industry_code": ["3911", "3912", "2710", "2710"],
            "category_code": ["01", "01", "05", "04"],
            "category_name_zh": ["甲", "甲", "乙", "丙"],
            "weight": [1, 1, 0.75, 0.25],
        }
    )
    out = to_categories(by_industry, mapping).set_index("category_code")["value_added_100m_yuan"]
    assert out.to_dict() == {"00": 38.0, "01": 30.0, "04": 2.0, "05": 6.0}
    with pytest.raises(ValueError, match="not in the mapping"):
        to_categories(by_industry.assign(industry_code=["9999", "3912", "2710"]), mapping)
    with pytest.raises(ValueError, match="more than 1"):
        to_categories(by_industry, mapping.assign(weight=1))


def test_read_errors_name_file_row_and_field(tmp_path):
    bad = tmp_path / "va.csv"
    bad.write_text("year,category_code,value_added_100m_yuan\n2022,00,12x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"va.csv: row 2, field value_added_100m_yuan: '12x' is not a number"):
        read_value_added(bad)
    with pytest.raises(FileNotFoundError, match="value-added file not found"):
        read_value_added(tmp_path / "none.csv")
    bad.write_text("year,code\n2022,00\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        read_value_added(bad)


# --- backtest against the published announcements -------------------------------------------------


@pytest.fixture(scope="module")
def published():
    return read_value_added(), read_gdp()


@pytest.mark.parametrize("year", [2020, 2021, 2022])
def test_backtest_growth_equals_published_rounding(published, year):
    """Growth from the two published levels equals every published growth (status published) to 0.1."""
    values, gdp = published
    view = compile_year(values, gdp, year).printed().set_index("category_code")
    pub = values[(values["year"] == year) & (values["vintage"] == year)].set_index("category_code")
    checked = pub[(pub["growth_status"] == "published") & (pub["value_status"] == "published")]
    assert len(checked) >= 2
    for code, row in checked.iterrows():
        assert view.at[code, "growth_pct"] == row["growth_pct"], (year, code)


def test_backtest_2022_announcement(published):
    """2022 from the 2021 and 2022 levels: growth, composition and share of GDP as printed; the text's ranks."""
    values, gdp = published
    view = compile_year(values, gdp, 2022)
    printed = view.printed().set_index("category_code")
    pub = values[(values["year"] == 2022) & (values["vintage"] == 2022)].set_index("category_code")
    assert (pub["growth_status"] == "published").all() and (pub["value_status"] == "published").all()
    pd.testing.assert_series_equal(printed["growth_pct"], pub["growth_pct"].reindex(printed.index), check_names=False)
    pd.testing.assert_series_equal(printed["share_pct"], pub["share_pct"].reindex(printed.index), check_names=False)
    assert round(view.headline["share_of_gdp_pct"], 2) == pub.at["00", "share_of_gdp_pct"]
    assert view.headline["change_pp"] == round(pub.at["00", "share_of_gdp_pct"] - 12.44, 2)  # 2021 published 12.44

    # the announcement's text: tests/pii/test_announcement.py


def test_2023_against_the_revised_2022_share(published):
    values, gdp = published
    view = compile_year(values, gdp, 2023)
    pub = values[(values["year"] == 2023) & (values["category_code"] == "00")].iloc[0]
    assert round(view.headline["share_of_gdp_pct"], 2) == pub["share_of_gdp_pct"]
    assert view.headline["change_pp"] == 0.44  # 13.04 − 12.60 (revised), not − 12.71
    assert math.isnan(view.headline["growth_pct"]) and view.headline["basis_changed"]
    text = announcement(view)
    assert "比上年提高0.44个百分点[1]" in text and "不计算增长速度" in text
    printed = view.printed().set_index("category_code")
    pub_all = values[(values["year"] == 2023)].set_index("category_code")
    assert (printed["share_pct"] == pub_all["share_pct"].reindex(printed.index)).all()


def test_number_helpers():
    assert chinese_number(7) == "七" and chinese_number(10) == "十" and chinese_number(31) == "三十一"
    assert format_level(153176.0) == "153176" and format_level(114630.7) == "114630.7"


def test_value_added_by_industry_files(tmp_path):
    by_industry = tmp_path / "va_by_industry.csv"
    by_industry.write_text(
        "year,industry_code,value_added_100m_yuan\n2021,3911,10\n2021,2710,8\n2022,3911,12\n2022,2710,10\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "mapping.csv"
    mapping.write_text(
        "industry_code,category_code,category_name_zh,weight\n3911,01,甲,\n2710,05,乙,0.5\n", encoding="utf-8"
    )
    values = read_value_added(by_industry=by_industry, mapping=mapping)
    got = values.set_index(["year", "category_code"])["value_added_100m_yuan"].to_dict()
    assert got == {
        (2021, "00"): 14.0,
        (2021, "01"): 10.0,
        (2021, "05"): 4.0,
        (2022, "00"): 17.0,
        (2022, "01"): 12.0,
        (2022, "05"): 5.0,
    }
    with pytest.raises(ValueError, match="needs the 小类→大类 mapping"):
        read_value_added(by_industry=by_industry)


def test_charts_mark_the_basis_break(published):
    from ipstats.pii.charts import composition_chart, growth_chart, level_and_share_chart
    from ipstats.pii.value_added import history

    values, gdp = published
    hist = history(values, gdp)
    assert hist["year"].tolist() == list(range(2018, 2024))
    fig = level_and_share_chart(hist)
    assert len(fig.data) == 2 and len(fig.layout.shapes) == 1 and fig.layout.shapes[0].x0 == 2022.5
    view = compile_year(values, gdp, 2023)
    assert "不可比" in growth_chart(view).layout.title.text and len(composition_chart(view).data[0].x) == 7


def test_blank_vintages_and_an_all_declining_year():
    toy = _toy().assign(vintage=["2020", "", "2020", "", "", "", "", "", ""])
    assert series(toy)["vintage"].tolist() == [2020] * 3 + [2021] * 3 + [2022] * 3
    falling = series(
        pd.DataFrame(
            {
                "year": [2021] * 3 + [2022] * 3,
                "category_code": ["00", "01", "02"] * 2,
                "category_name_zh": ["合计", "甲", "乙"] * 2,
                "value_added_100m_yuan": [100.0, 60.0, 40.0, 90.0, 54.0, 36.0],
            }
        )
    )
    gdp = pd.DataFrame({"year": [2021, 2022], "gdp_100m_yuan": [1000.0, 1000.0], "status": ["official"] * 2})
    text = announcement(compile_year(falling, gdp, 2022), classification="《测试分类》")
    assert "从增长速度看，甲下降10.0%；乙下降10.0%。" in text
    assert "从内部结构看" not in text  # fewer than 4 categories: no ranking
    assert "比上年下降10.0%（未扣除价格因素，下同）" in text and "比上年降低1.00个百分点" in text
    assert "GDP数据状态" not in text  # official GDP needs no flag
