"""The English announcement (``lang="en"``) and the English consistency audit against the Chinese ones.

The English text is the Chinese one part by part, from the same numbers: a level in the text moves from 亿元 to
billion yuan by moving the decimal point one place (114631 亿元 → 11,463.1 billion yuan: the same digits), the
table keeps 100 million yuan and the printed figures, every percentage and point is printed alike, and a
computed figure is marked in both (（推算） / (computed), ``*`` in both tables).
"""

import re
from collections import Counter
from decimal import Decimal

import pandas as pd
import pytest

from ipstats.consistency import audit_report, audit_summary, audit_table, noted
from ipstats.language import has_cjk
from ipstats.pii.announcement import CATEGORY_NAMES_EN, announcement, billion_yuan, source_en
from ipstats.pii.report import compute_value_added, for_display
from ipstats.pii.value_added import compile_year, read_gdp, read_value_added, series

YEARS = range(2019, 2024)
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


@pytest.fixture(scope="module")
def shipped():
    values, gdp = read_value_added(), read_gdp()
    return {year: compile_year(values, gdp, year) for year in range(2018, 2024)}


def _numbers(text: str, yuan: str) -> Counter:
    """The numbers of *text*, a level before *yuan* (亿元 in Chinese) in billion yuan as a plain decimal string."""
    found = Counter()
    text = text.replace("100 million yuan", "")  # the English unit of the table
    for match in _NUMBER.finditer(text):
        digits = match.group().replace(",", "")
        if yuan and text.startswith(yuan, match.end()):
            digits = str(Decimal(digits).scaleb(-1))
        found[digits] += 1
    return found


def _parts(text: str, source: str) -> list[str]:
    """The announcement's parts (paragraphs, table, notes, annex) without the source note (whose notice numbers
    are Chinese numerals in Chinese, 第三九六号, and digits in English, No. 396)."""
    return [p.split(source)[0] for p in text.split("\n\n")]


@pytest.mark.parametrize("year", YEARS)
def test_english_announcement_has_no_chinese(shipped, year):
    text = announcement(shipped[year], lang="en")
    assert not has_cjk(text), [line for line in text.splitlines() if has_cjk(line)]


@pytest.mark.parametrize("year", [2018, *YEARS])
def test_english_states_the_numbers_of_the_chinese(shipped, year):
    zh, en = announcement(shipped[year]), announcement(shipped[year], lang="en")
    zh_parts, en_parts = _parts(zh, "资料来源："), _parts(en, "Source: ")
    assert len(zh_parts) == len(en_parts)
    for chinese, english in zip(zh_parts, en_parts):
        assert _numbers(chinese, "亿元") == _numbers(english, ""), (chinese, english)
    assert zh.count("（推算）") == en.count("(computed)") - en.count('"(computed)"')
    assert zh.count("*") == en.count("*")


@pytest.mark.parametrize(
    ("year", "sentences"),
    [
        (
            2019,
            [
                "the value added of patent-intensive industries in China in 2019 was 11,463.1 billion yuan, up 7.0% "
                "from the previous year (at current prices, not adjusted for price changes; the same below); its "
                "share of GDP was 11.6%, unchanged from the previous year.",
                "it was followed by the information and communication technology manufacturing industry, with value "
                "added of 2,302.1 billion yuan, accounting for 20.1%",  # 23020.5 亿元 → 23021 → 2,302.1
                "The new materials manufacturing industry declined by 1.0%.",
                "| Patent-intensive industries | 114630.7 | 7.0 | 100.0 |",
                "(CNIPA Announcement No. 396, 2020-12-31)",
            ],
        ),
        (
            2020,
            [
                "3.1 percentage points higher than the growth of gross domestic product (GDP) at current prices",
                "the R&D, design and technical service industry and the environmental protection industry grew by "
                "5.9% and 5.7% (computed) respectively.",
                "| R&D, design and technical service industry | 8705* | 5.9 | 7.2 |",
                'Figures marked "(computed)" in the text are computed likewise.',
            ],
        ),
        (
            2022,
            [
                "The pharmaceutical and medical industry declined by 16.8%, and its two-year average growth compared "
                "with 2020 was 8.3%."
            ],
        ),
        (
            2023,
            [
                "According to the accounting based on the results of the Fifth National Economic Census, the value "
                "added of patent-intensive industries in China in 2023 was 16,871.3 billion yuan, accounting for "
                "13.04% of gross domestic product (GDP), up 0.44 percentage points from the previous year[1].",
                "growth rates are not calculated",
                "Note: [1] The figure for the previous year has been revised on the basis of the results of the Fifth "
                "National Economic Census.",
            ],
        ),
    ],
)
def test_english_sentences(shipped, year, sentences):
    text = announcement(shipped[year], lang="en")
    for sentence in sentences:
        assert sentence in text


@pytest.mark.parametrize("year", YEARS)
def test_english_keeps_the_order_and_the_options(shipped, year):
    view = shipped[year]
    for options in ({"title": False}, {"smallest": False}, {"growth_ranks": 2}, {"gap": "always"}):
        zh, en = announcement(view, **options), announcement(view, lang="en", **options)
        assert zh.count("\n\n") == en.count("\n\n") and not has_cjk(en)
    names = [CATEGORY_NAMES_EN[n] for n in view.table["category_name"].iloc[1:]]
    table = announcement(view, lang="en").split("**Value added of patent-intensive industries in China")[1]
    positions = [table.index(f"| {name} |") for name in names]
    assert positions == sorted(positions)


def test_a_level_keeps_its_printed_digits():
    assert billion_yuan(114630.7, 0) == "11,463.1" and billion_yuan(114630.7, 1) == "11,463.07"
    assert billion_yuan(2600.0, 0) == "260.0" and billion_yuan(23020.5, 0) == "2,302.1"


def test_sources_in_english(shipped):
    for year in YEARS:
        for source in shipped[year].sources:
            assert not has_cjk(source_en(source))
    assert source_en("用户提供的数据") == "用户提供的数据"  # an unknown source stays as given


def test_an_unknown_category_keeps_its_name():
    table = pd.DataFrame(
        {
            "year": [2022] * 5 + [2023] * 5,
            "category_code": ["00", "01", "02", "03", "04"] * 2,
            "category_name_zh": ["合计", "甲类", "乙类", "丙类", "丁类"] * 2,
            "value_added_100m_yuan": [100.0, 40, 30, 20, 10, 110.0, 44, 30, 26, 10],
        }
    )
    view = compile_year(
        series(table),
        pd.DataFrame({"year": [2022, 2023], "gdp_100m_yuan": [1000.0, 1100.0], "status": "official"}),
        2023,
    )
    text = announcement(view, lang="en")
    assert "丙类 grew the fastest, at 30.0%; it was followed by 甲类, at 10.0%." in text
    assert "The value added of 乙类 was unchanged from the previous year" in text and "| 丁类 | 10 |" in text


@pytest.mark.parametrize("year", [2023, 2030])
def test_value_added_view_in_english(year):
    zh, en = compute_value_added(year), compute_value_added(year, lang="en")
    assert not has_cjk(en.text) and not has_cjk(en.audit_text) and not has_cjk(en.note)
    assert en.year == zh.year and en.decimals == zh.decimals
    for name in ("table", "history", "cagr", "audit", "audit_summary"):
        shown = for_display(getattr(en, name), "en")
        cells = [*shown.columns, *(v for c in shown.columns for v in shown[c].tolist())]
        assert not any(has_cjk(v) for v in cells), name
        numbers = getattr(zh, name).select_dtypes("number")
        pd.testing.assert_frame_equal(numbers, getattr(en, name).select_dtypes("number"))
    assert zh.audit["ok"].tolist() == en.audit["ok"].tolist()
    assert noted(zh.audit).tolist() == noted(en.audit).tolist()


def test_audit_summary_in_english_passes_on_the_shipped_data():
    values, gdp = read_value_added(), read_gdp()
    zh, en = audit_table(values, gdp=gdp), audit_table(values, gdp=gdp, lang="en")
    summary = audit_summary(en, "en")
    assert summary["failed"].sum() == 0 and summary["noted"].sum() == 1
    assert summary.drop(columns="check_name").equals(audit_summary(zh).drop(columns="check_name"))
    assert summary["check_name"].tolist()[:3] == ["Sum of components", "Growth", "Composition"]
    report = audit_report(en, "en")
    assert report.startswith("Consistency audit of the published data: sum of components (6 checks), growth")
    assert "all passed." in report and "the published figure stands." in report
    assert _numbers(report, "") == _numbers(audit_report(zh), "")


def test_english_audit_failures_state_the_chinese_numbers():
    values, gdp = read_value_added(), read_gdp()
    wrong = values.copy()
    at = (wrong["year"] == 2022) & (wrong["category_code"] == "04")
    wrong.loc[at, "value_added_100m_yuan"] += 50  # sum and growth no longer agree (the share passes with a note)
    zh, en = audit_table(wrong, gdp=gdp), audit_table(wrong, gdp=gdp, lang="en")
    assert zh["ok"].tolist() == en["ok"].tolist() and (~en["ok"]).sum() == 2
    for chinese, english in zip(zh.loc[~zh["ok"], "note"], en.loc[~en["ok"], "note"]):
        assert not has_cjk(english.replace("新材料制造业", ""))
        assert _numbers(chinese, "") == _numbers(english, "")
    assert "In 2022 the sum of the components, 153226.0, differs from the total, 153176, by +50.0" in audit_report(
        en, "en"
    )


def test_for_display_follows_the_language(shipped):
    from ipstats.language import using

    va = compute_value_added(2023)
    assert list(for_display(va.audit_summary).columns)[0] == "核查项目"
    with using("en"):
        assert list(for_display(va.audit_summary).columns)[0] == "Check"
        assert for_display(va.audit)["Passed"].iloc[0] == "Yes"
