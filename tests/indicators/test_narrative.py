import math

import pandas as pd

from ipstats.indicators.narrative import format_change, format_count, overview_paragraph


def test_format_count():
    assert format_count(987) == "987件"
    assert format_count(12_345) == "1.23万件"
    assert format_count(349_000_000) == "3.49亿件"


def test_format_change():
    assert format_change(5.24) == "增长5.2%"
    assert format_change(-3.06) == "下降3.1%"
    assert format_change(0.01) == "与上年持平"
    assert format_change(99.94) == "增长99.9%"
    assert format_change(125.0) == "增长1.3倍"  # official style from 100 % up
    assert format_change(300.0, versus="上年") == "比上年增长3.0倍"
    assert format_change(-0.04, versus="2023年批次") == "与2023年批次持平"
    assert format_change(float("nan")) == "" and format_change(float("inf")) == ""
    assert format_change(2.25) == "增长2.3%"  # 四舍五入, not Python's round-half-even
    import numpy as np

    from ipstats.indicators.narrative import half_up

    assert half_up(np.float64(2.25), 1) == 2.3 and math.isnan(half_up(float("nan"), 1)) and half_up(-2.25, 1) == -2.3


def test_half_up_is_the_same_for_both_float_neighbours_of_a_tie():
    """A fractional count of exactly 13.175 summed in another order (Spark, or DuckDB's threads) lands on either
    float neighbour; both publish 13.18. Values clear of a tie keep their own rounding."""
    from ipstats.indicators.narrative import half_up

    tie = 13.175
    below, above = math.nextafter(tie, 0) - 4e-15, math.nextafter(tie, 99) + 4e-15
    assert [half_up(v, 2) for v in (below, tie, above)] == [13.18, 13.18, 13.18]
    assert half_up(-below, 2) == -13.18
    assert half_up(13.1749999, 2) == 13.17 and half_up(13.17500001, 2) == 13.18
    assert half_up(0.004999999, 2) == 0.0 and half_up(123456789.125, 2) == 123456789.13
    assert half_up(0.0, 2) == 0.0 and half_up(1e-300, 2) == 0.0


def test_change_clause_needs_a_base():
    from ipstats.indicators.narrative import MIN_BASE, change_clause

    assert change_clause(9, 125.0) == ""  # 4 → 9: no growth quoted off a handful
    assert change_clause(45, 125.0) == "，增长1.3倍"  # 20 → 45
    assert change_clause(2 * MIN_BASE, 100.0) == "，增长1.0倍"
    assert change_clause(2 * MIN_BASE - 1, 100.0) == ""
    assert change_clause(0, -100.0) == "" and change_clause(10, float("nan")) == ""
    assert change_clause(1000, 1.0, versus="上年") == "，比上年增长1.0%"


def test_paragraph_states_only_given_numbers():
    summary = pd.DataFrame(
        {
            "patent_type": ["发明", "实用新型", "外观设计", "合计"],
            "applications": [300, 500, 200, 1000],
            "applications_growth_pct": [10.0, -5.0, 0.0, 1.0],
            "grants": [100, 400, 150, 650],
            "grants_growth_pct": [2.0, 3.0, 4.0, 3.2],
            "valid_stock": [1000, 2000, 500, 3500],
            "valid_stock_growth_pct": [8.0, 6.0, 1.0, 5.5],
        }
    )
    provinces = pd.DataFrame(
        {
            "province_code": ["11", "31", "32", "44"],
            "province": ["北京市", "上海市", "江苏省", "广东省"],
            "per_10k": [250.0, 140.0, 90.0, 80.0],
            "rank": [1, 2, 3, 4],
        }
    )
    text = overview_paragraph(
        summary, provinces, 2023, "national", {"region_name": "全国", "per_10k": 30.456, "per_10k_previous": 28.0}
    )
    for fragment in (
        "2023年，全国共受理专利申请1,000件，比上年增长1.0%",
        "发明专利申请300件，增长10.0%",
        "实用新型专利申请500件，下降5.0%",
        "外观设计专利申请200件，与上年持平",
        "全年授权专利650件",
        "有效发明专利1,000件，增长8.0%",
        "每万人口发明专利拥有量30.5件，比上年增加2.5件",
        "北京市（250.0件）、上海市（140.0件）和江苏省（90.0件）",
    ):
        assert fragment in text, fragment
    text = overview_paragraph(
        summary, provinces, 2023, "44", {"region_name": "广东省", "per_10k": 80.0, "per_10k_previous": math.nan}
    )
    assert "广东省每万人口发明专利拥有量居全国第4位" in text and "比上年" in text
