"""The generated PII announcement against the official texts of 2019–2023.

Each expected string below was checked by hand against the published announcement it cites (the joint
NBS–CNIPA 全国专利密集型产业增加值数据公告, text and table as reposted in full; see the catalogue entry
``pii_value_added``). Where the generated sentence is worded as the official one, the official words are
expected verbatim; the official texts' causal explanations (防疫产品需求旺盛, 基数过高) are not generated.
"""

import pandas as pd
import pytest

from ipstats.pii.announcement import announcement, announcement_table, format_level
from ipstats.pii.value_added import compile_year, read_gdp, read_value_added, series

#: The order of every official table (2019, 2022 and 2023 tables read; 2020–2021 were images).
OFFICIAL_ORDER = [
    "专利密集型产业(合计)",
    "信息通信技术制造业",
    "新装备制造业",
    "新材料制造业",
    "医药医疗产业",
    "环保产业",
    "信息通信技术服务业",
    "研发、设计和技术服务业",
]


@pytest.fixture(scope="module")
def shipped():
    values, gdp = read_value_added(), read_gdp()
    return {year: compile_year(values, gdp, year) for year in range(2019, 2024)}


def _text(shipped, year):
    return announcement(shipped[year])


#: Sentences and table rows of each year's generated announcement, as the official one prints them.
EXPECTED = {
    # 国家知识产权局公告第三九六号 (2020-12-31): 114631 亿元 in the text, 114630.7 in the table; 与上年持平
    2019: [
        "经核算，2019年全国专利密集型产业增加值为114631亿元，比上年增长7.0%（未扣除价格因素，下同）",
        "的比重为11.6%，与上年持平。",
        "新装备制造业规模最大，增加值为34004亿元，占专利密集型产业增加值的比重为29.7%",
        "其次是信息通信技术制造业，增加值为23021亿元，所占比重为20.1%",  # 23020.5 rounded half up
        "信息通信技术服务业增长最快，增速为17.2%；其次是研发、设计和技术服务业，增速为14.0%",
        "| 专利密集型产业 | 114630.7 | 7.0 | 100.0 |",
        "| 研发、设计和技术服务业 | 8225.9 | 14.0 | 7.2 |",
    ],
    # 国家统计局、国家知识产权局 2020年全国专利密集型产业增加值数据公告 (2021-12-30): 10.1 % and 5.9 % published
    2020: [
        "2020年全国专利密集型产业增加值为121289亿元，比上年增长5.8%（未扣除价格因素，下同），比同期国内生产总值"
        "（GDP）现价增速高3.1个百分点；占GDP的比重为11.97%，比上年提高0.35个百分点。",
        "新装备制造业规模最大，增加值为34194亿元，占专利密集型产业增加值的比重为28.2%；其次是信息通信技术服务业，"
        "增加值为26415亿元，所占比重为21.8%",
        "再次是信息通信技术制造业，增加值为24177亿元，所占比重为19.9%；规模最小的是环保产业，增加值为2748亿元，"
        "所占比重为2.3%。",
        "信息通信技术服务业增长最快，增速为15.7%；其次是医药医疗产业，增速为10.1%",
        "研发、设计和技术服务业，环保产业增速分别为5.9%和5.7%（推算）",  # 5.7: not published
        "| 医药医疗产业 | 10987* | 10.1 | 9.1 |",
        "| 研发、设计和技术服务业 | 8705* | 5.9 | 7.2 |",
        "| 环保产业 | 2748 | 5.7* | 2.3 |",
        "带“*”的数值为根据公布数推算的数值，非直接公布值。正文中注“推算”的数值同此。",
    ],
    # 国家知识产权局公告第五〇九号 (2022-12-30)
    2021: [
        "2021年全国专利密集型产业增加值为142983亿元，比上年增长17.9%（未扣除价格因素，下同），比同期国内生产总值"
        "（GDP）现价增速高4.5个百分点；占GDP的比重为12.44%，比上年提高0.47个百分点。",
        "新装备制造业规模最大，增加值为38452亿元，占专利密集型产业增加值的比重为26.9%；其次是信息通信技术服务业，"
        "增加值为30636亿元，所占比重为21.4%；再次是信息通信技术制造业，增加值为28546亿元，所占比重为20.0%；"
        "规模最小的是环保产业，增加值为3228亿元，所占比重为2.3%。",
        "医药医疗产业增长最快，增速为40.9%；其次是信息通信技术制造业，增速为18.1%；另外，环保产业和新材料制造业"
        "增速分别为17.5%和17.1%。",
    ],
    # 国家知识产权局公告第五六二号 (2023-12-29): the whole table as printed
    2022: [
        "经核算，2022年全国专利密集型产业增加值为153176亿元，比上年增长7.1%（未扣除价格因素，下同）；占GDP的比重为"
        "12.71%，比上年提高0.27个百分点。",
        "新装备制造业规模最大，增加值为41643亿元，占专利密集型产业增加值的比重为27.2%；其次是信息通信技术服务业，"
        "增加值为33888亿元，所占比重为22.1%；再次是信息通信技术制造业，增加值为31818亿元，所占比重为20.8%",
        "从增长速度看，新材料制造业增长最快，增速为12.8%；其次是信息通信技术制造业，增速为11.5%；另外，"
        "信息通信技术服务业和新装备制造业增速分别为10.6%和8.3%。",
        "医药医疗产业下降16.8%，与2020年相比两年平均增速为8.3%。",
        "\n".join(
            [
                "| 专利密集型产业 | 153176 | 7.1 | 100.0 |",
                "| 信息通信技术制造业 | 31818 | 11.5 | 20.8 |",
                "| 新装备制造业 | 41643 | 8.3 | 27.2 |",
                "| 新材料制造业 | 18575 | 12.8 | 12.1 |",
                "| 医药医疗产业 | 12880 | -16.8 | 8.4 |",
                "| 环保产业 | 3419 | 5.9 | 2.2 |",
                "| 信息通信技术服务业 | 33888 | 10.6 | 22.1 |",
                "| 研发、设计和技术服务业 | 10953 | 7.7 | 7.2 |",
            ]
        ),
    ],
    # 国家统计局、国家知识产权局 2023年数据公告 (2024-12-31, 第五次全国经济普查): no growth, note [1]
    2023: [
        "根据第五次全国经济普查结果，经核算，2023年全国专利密集型产业增加值为168713亿元，占国内生产总值（GDP）的"
        "比重为13.04%，比上年提高0.44个百分点[1]。",
        "新装备制造业规模最大，增加值为48808亿元，占专利密集型产业增加值的比重为28.9%；其次是信息通信技术服务业，"
        "增加值为39322亿元，所占比重为23.3%；再次是信息通信技术制造业，增加值为32101亿元，所占比重为19.0%",
        "注：[1]上年同期数根据第五次全国经济普查结果进行了历史数据修订。",
        "| 分类名称 | 增加值（亿元） | 构成（%） |",
        "| 信息通信技术制造业 | 32101 | 19.0 |",
    ],
}
#: What the issue found in the old text and the official one does not say.
ABSENT = {
    2019: ["114630.7亿元", "降低0.03", "推算"],
    2020: ["10.2%", "防疫"],
    2021: ["防疫"],
    2022: ["现价增速高", "基数", "GDP数据状态"],
    2023: ["从增长速度看"],
}


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_the_official_sentences(shipped, year):
    text = _text(shipped, year)
    missing = [s for s in EXPECTED[year] if s not in text]
    assert not missing, f"{year}: not in the generated announcement: {missing}"
    assert not [s for s in ABSENT[year] if s in text]


@pytest.mark.parametrize("year", range(2019, 2024))
def test_official_order_and_no_causal_clause(shipped, year):
    table = announcement_table(shipped[year])
    assert table["category_name"].tolist() == OFFICIAL_ORDER
    text = _text(shipped, year)
    assert "主要是" not in text and "基数较高" not in text and "因素影响" not in text


def test_computed_figures_are_marked_only_in_a_series_with_statuses():
    rows = {
        "year": [2021] * 3 + [2022] * 3,
        "category_code": ["00", "01", "02"] * 2,
        "category_name_zh": ["合计", "甲", "乙"] * 2,
        "value_added_100m_yuan": [100.0, 60.0, 40.0, 110.0, 70.0, 40.0],
    }
    gdp = pd.DataFrame({"year": [2021, 2022], "gdp_100m_yuan": [1000.0, 1100.0], "status": ["official"] * 2})
    plain = announcement(compile_year(series(pd.DataFrame(rows)), gdp, 2022), classification="《测试分类》")
    assert "比上年增长10.0%（未扣除价格因素，下同）；占GDP的比重为10.00%，与上年持平。" in plain  # same printed share
    assert "推算" not in plain and "* |" not in plain and "乙增加值与上年持平。" in plain
    flagged = series(pd.DataFrame(rows | {"value_status": ["published"] * 6}))
    text = announcement(compile_year(flagged, gdp, 2022), classification="《测试分类》")
    assert "比上年增长10.0%（推算）" in text and "10.00%（推算），与上年持平（推算）" in text
    assert "| 甲 | 70 | 16.7* | 63.6* |" in text and "正文中注“推算”的数值同此" in text
    assert "| 专利密集型产业 | 110 | 10.0* | 100.0 |" in text and "乙增加值与上年持平（推算）。" in text


def test_gap_to_gdp_growth_on_request(shipped):
    text = announcement(shipped[2022], gap="always")
    assert "比同期国内生产总值（GDP）现价增速高2.3个百分点（推算）" in text and "GDP数据状态：unverified" in text
    with pytest.raises(ValueError, match="gap must be"):
        announcement(shipped[2022], gap="sometimes")


def test_level_precision():
    assert format_level(23020.5, 0) == "23021" and format_level(114630.7, 0) == "114631"
    assert format_level(114630.7) == "114630.7" and format_level(153176.0) == "153176"
    assert format_level(2599.6, 0) == "2600"
