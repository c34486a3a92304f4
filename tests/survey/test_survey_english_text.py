"""The English edition's survey summary and notes with numbers (``lang="en"``): plain English, every estimate with
its interval and caveat as the Chinese states it, no number the Chinese of the same survey does not state."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from ipstats.language import has_cjk
from ipstats.survey.demo import write_demo
from ipstats.survey.indicators import TopBand, survey_summary
from ipstats.survey.quality import QualityRules, assess, rules_note
from ipstats.survey.report import (
    _notes,
    compute_survey,
    frame_text,
    reason_en,
    sensitivity_record,
    summary_text,
    truth_table,
)
from ipstats.survey.weighting import frame_note

from english_numbers import unstated_numbers  # noqa: E402 - tests/ is on the path (rootdir conftest)


def assert_english(english: str, chinese: str, ascii_only: bool = True) -> None:
    assert not has_cjk(english), english
    assert english.isascii() or not ascii_only, english
    assert not unstated_numbers(english, chinese), (unstated_numbers(english, chinese), english, chinese)
    assert not re.search(r"\bnan\b|None", english)


@pytest.fixture(scope="module")
def reports(small_demo, tmp_path_factory):
    paths = write_demo(small_demo["register"], tmp_path_factory.mktemp("survey_english"), seed=3, year=2023)
    args = (small_demo["register"], paths["survey_sample"], 2023, paths["survey_truth"])
    zh = compute_survey(*args, disclosure={"min_contributors": 3})
    en = compute_survey(*args, disclosure={"min_contributors": 3}, lang="en")
    return zh, en


def tables_of(report) -> dict:
    return {t.name: (t.published, t.disclosure) for t in report.tables}


def test_summary_in_english(reports):
    zh, en = reports
    assert en.lang == "en" and zh.lang == "zh"
    assert en.summary.startswith("The 2023 National Patent Survey (demo data: synthetic, not real statistics) shows ")
    assert_english(en.summary, zh.summary)
    assert en.summary.count(". ") + 1 == zh.summary.count("。")  # sentence for sentence
    # the same estimates: both from the same tables
    assert summary_text(tables_of(en), 2023, True) == zh.summary == survey_summary(tables_of(zh), 2023, True)
    assert summary_text(tables_of(zh), 2023, True, lang="en") == en.summary
    by_type = en.table("survey_by_patent_type").published.set_index(["indicator", "level"])
    row = by_type.loc[("industrialization_rate", "发明")]
    if pd.notna(row["estimate"]):
        assert (
            f"was {row['estimate']:.1f}% (95% confidence interval {row['ci_low']:.1f}-{row['ci_high']:.1f}%)"
            in en.summary
        )
    # as many "not published" and caveats as the Chinese 不予发布 and 仅供参考
    assert en.summary.count("not published (") + en.summary.count("not published;") >= zh.summary.count("不予发布（")
    assert en.summary.count("for reference only") == zh.summary.count("仅供参考")


def test_summary_of_hidden_estimates(reports):
    _, en = reports
    tables = tables_of(en)
    hidden = tables["survey_by_patent_type"][0].copy()
    hidden[["estimate", "ci_low", "ci_high"]] = np.nan
    hidden["flag"], hidden["quality_reason"] = "保密", "统计数据保密处理"
    tables = {**tables, "survey_by_patent_type": (hidden, {})}
    english, chinese = summary_text(tables, 2023, False, "en"), summary_text(tables, 2023, False)
    assert english.startswith("The 2023 National Patent Survey shows that the industrialisation rate of valid")
    assert (
        "was not published (statistical disclosure control), and the implementation rate was not published" in english
    )
    assert_english(english, chinese)


def test_notes_with_numbers_in_english(reports):
    zh, en = reports
    for z, e in zip(zh.tables, en.tables):
        assert len(z.notes) == len(e.notes)
        assert_english(e.notes[0], z.notes[0])  # the quality rules
        assert e.notes[1:3] == z.notes[1:3]  # fixed notes without varying numbers: the catalogue translates them
        for english, chinese in zip(e.notes[3:], z.notes[3:]):  # the revenue table's top band
            assert_english(english, chinese, ascii_only=False)  # α


@pytest.mark.parametrize(
    "rules",
    [
        QualityRules(),
        QualityRules(interval="logit", relative_to="estimate", level=0.9, min_n=50, min_n_eff=40.0, min_df=12),
        QualityRules(present_width=0.04, max_width=0.25, max_relative_width=1.2, caution_cv=12.5, suppress_cv=25.0),
    ],
)
def test_rules_note_in_english(rules):
    from ipstats.survey.report import _rules_note_en

    english = _rules_note_en(rules)
    assert_english(english, rules_note(rules))
    assert f"{100 * rules.level:g}% confidence interval" in english and f"below {rules.min_n}" in english


@pytest.mark.parametrize(
    "top, exact_n",
    [
        (TopBand(2345.6, "pareto", 1000.0, 1.7466), 0),
        (TopBand(2345.6, "pareto", 1000.0, 1.7466), 12),
        (TopBand(1500.0, "exact", 1000.0), 40),
        (TopBand(1500.0, "factor", 1000.0, 0.72, "帕累托指数α=0.72≤1，均值无穷，取约定值1500万元（下限的1.5倍）"), 0),
        (
            TopBand(
                1500.0,
                "factor",
                1000.0,
                float("nan"),
                "最高两个区间中有区间无样本，无法拟合帕累托分布，取约定值1500万元（下限的1.5倍）",
            ),
            0,
        ),
    ],
)
def test_revenue_note_in_english(top, exact_n):
    chinese = _notes("survey_revenue_by_patent_type", QualityRules(), top, exact_n)[-1]
    english = _notes("survey_revenue_by_patent_type", QualityRules(), top, exact_n, lang="en")[-1]
    assert_english(english, chinese, ascii_only=False)
    assert english.startswith("Average industrialisation revenue: ") and '"10 million yuan or more"' in english
    assert (f"the {exact_n} patents reporting an exact amount" in english) == bool(exact_n)


def test_quality_reasons_in_english():
    """Every reason :func:`ipstats.survey.quality.assess` gives, in English with its numbers."""
    rows = [  # proportion, p, se, ci_low_p, ci_high_p, cv_pct, n, n_eff, df
        (True, 0.5, 0.1, 0.3, 0.7, np.nan, 10, 10, 20),  # sample size
        (True, 0.5, 0.1, 0.3, 0.7, np.nan, 100, 12.4, 20),  # effective sample size
        (True, 0.5, 0.08, 0.32, 0.68, np.nan, 100, 40, 20),  # width >= 30 points
        (True, 0.05, 0.03, 0.01, 0.15, np.nan, 100, 60, 20),  # relative width
        (True, 0.5, 0.01, 0.49, 0.52, np.nan, 100, 90, 3),  # degrees of freedom
        (True, 0.0, 0.01, 0.0, 0.02, np.nan, 100, 100, 3),  # 0 %, and df
        (False, 250.0, 40.0, np.nan, np.nan, 40.0, 100, 60, 20),  # CV suppressed
        (False, 250.0, 40.0, np.nan, np.nan, 20.0, 100, 60, 3),  # CV caution and df
        (True, 0.5, np.nan, np.nan, np.nan, np.nan, 100, 60, 20),  # no standard error
        (True, 0.5, 0.1, np.nan, np.nan, np.nan, 100, 60, 20),  # no interval
    ]
    columns = ["proportion", "p", "se", "ci_low_p", "ci_high_p", "cv_pct", "n", "n_eff", "df"]
    estimates = pd.DataFrame(rows, columns=columns)
    reasons = list(assess(estimates)["quality_reason"])
    reasons += list(
        assess(estimates.iloc[[3]].assign(p=0.97, ci_low_p=0.90, ci_high_p=0.99), QualityRules(relative_to="estimate"))[
            "quality_reason"
        ]
    )
    reasons += list(assess(estimates.iloc[[3]], QualityRules(relative_to="estimate"))["quality_reason"])
    reasons.append("统计数据保密处理")
    assert all(reasons) and len(set(reasons)) == len(reasons)
    for reason in reasons:
        assert_english(reason_en(reason), reason)
    assert (
        reason_en("设计自由度5<8；变异系数20.0%>15%")
        == "design degrees of freedom 5 < 8; coefficient of variation 20.0% > 15%"
    )


def test_sensitivity_table_and_notes_in_english(reports):
    zh, en = reports
    table, notes, record = sensitivity_record(en)
    table_zh, notes_zh, record_zh = sensitivity_record(zh)
    assert sensitivity_record(en, lang="zh")[1] == notes_zh  # the report's language is only the default
    assert not any(has_cjk(c) for c in table.columns) and not table["Value assumed for the top band"].map(has_cjk).any()
    assert table.shape == table_zh.shape and np.allclose(table.iloc[:, 1:].fillna(-1), table_zh.iloc[:, 1:].fillna(-1))
    chinese = "；".join(notes_zh) + "；".join(table_zh.iloc[:, 0])
    for note in notes:
        assert_english(note, chinese, ascii_only=False)  # ×, α
    english_rows = set(table.iloc[:, 0])
    assert len(record["suppressed"]) == len(record_zh["suppressed"])
    assert all(cell["row"] in english_rows and cell["col"] in table.columns for cell in record["suppressed"])


def test_truth_table_in_english(reports):
    zh, en = reports
    english, chinese = truth_table(en), truth_table(zh)
    assert english.shape == chinese.shape and not any(has_cjk(c) for c in english.columns)
    covered = english["Interval covers the true value"]
    assert set(covered) <= {"Yes", "No"} and (covered == "Yes").sum() == (chinese["区间覆盖真值"] == "是").sum()
    assert "Total" in set(english["Group"]) and not english["Indicator"].map(has_cjk).any()
    assert truth_table(en, lang="zh").equals(chinese)


def test_frame_note_in_english():
    changes = {"frame_patents": 12345, "transferred": 678, "moved": 90, "entered": 12, "left": 3}
    for given in (None, changes):
        english, chinese = frame_text(2023, given, "en"), frame_note(2023, given)
        assert frame_text(2023, given) == chinese
        assert_english(english, chinese)
    assert "Of the 12,345 valid patents in the frame, 678 " in frame_text(2023, changes, "en")


def test_the_number_check_can_fail(reports):
    zh, en = reports
    assert unstated_numbers(en.summary + " The licensing rate was 99.9%.", zh.summary) == ["99.9"]
    assert unstated_numbers("2.481 million yuan", "248.1万元/件") == []
    assert unstated_numbers("24.81 million yuan", "248.1万元/件") == ["24.81 million"]
