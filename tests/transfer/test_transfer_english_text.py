"""The English edition's transfer summary (``lang="en"``): plain English, no number the Chinese summary of the same
report does not state, the same omissions (growth off a small base, withheld pledge amounts)."""

from __future__ import annotations

import re

import pytest

from ipstats.language import has_cjk
from ipstats.transfer.demo import write_demo
from ipstats.transfer.report import TRANSFER_LABELS, TRANSFER_LABELS_EN, compute_transfer, labelled, transfer_paragraph

from english_numbers import unstated_numbers  # noqa: E402 - tests/ is on the path (rootdir conftest)


def assert_english(report) -> None:
    english, chinese = report.paragraph, transfer_paragraph(report)
    assert english == transfer_paragraph(report, lang="en") != chinese
    assert not has_cjk(english) and english.isascii(), english
    assert not unstated_numbers(english, chinese), (unstated_numbers(english, chinese), english, chinese)
    assert not re.search(r"nan|None|n/a", english)
    assert english.count(". ") + 1 == chinese.count("。"), (english, chinese)  # sentence for sentence


@pytest.fixture(scope="module")
def files(small_demo, tmp_path_factory) -> dict:
    events = write_demo(small_demo["register"], tmp_path_factory.mktemp("transfer_english"), seed=7)
    return {"events": events["patent_legal_events"], "register": small_demo["register"]}


@pytest.fixture(scope="module")
def national(files):
    return compute_transfer(files["events"], files["register"], 2023, lang="en")


def test_national_summary_in_english(national):
    assert_english(national)
    text = national.paragraph
    t = national.by_type.set_index("event_type")
    assert text.startswith(
        f"In 2023, patent assignments and licences nationwide totalled {int(t.at['转让许可合计', 'events']):,}"
    )
    assert f"{int(t.at['转让', 'events']):,} assignments and {int(t.at['许可', 'events']):,} licences" in text
    assert "involved patents of the CNIPA concordance of strategic emerging industries and the IPC" in text
    if not national.pledge_amounts_withheld:
        assert "with a pledged amount of " in text and " yuan" in text


def test_growth_of_one_hundred_percent_and_more(files):
    """The Chinese says 增长1.7倍 from 100 % up, the English up 165.6% (the same number, as English releases print it)."""
    for year in (2020, 2021, 2022, 2024):
        report = compute_transfer(files["events"], files["register"], year, systems=(), lang="en")
        assert_english(report)
        if "倍" in transfer_paragraph(report):
            assert re.search(r"up \d{3,}\.\d%", report.paragraph)
            break
    else:
        pytest.skip("no growth of 100 % or more in this demo")


@pytest.mark.parametrize("region", ["44", "11", "31", "33"])
def test_provincial_runs(files, region):
    report = compute_transfer(files["events"], files["register"], 2023, region=region, systems=(), lang="en")
    assert_english(report)
    assert "nationwide" not in report.paragraph
    if report.pledge_amounts_withheld:  # the amount and its growth are left out, as in the Chinese
        assert "withheld under statistical disclosure control" in report.paragraph
        assert "pledged amount of" not in report.paragraph and "yuan" not in report.paragraph


def test_a_year_without_events(files):
    report = compute_transfer(files["events"], files["register"], 2010, systems=(), lang="en")
    assert report.paragraph == "In 2010, there were no patent assignments, licences or pledge registrations nationwide."
    assert not unstated_numbers(report.paragraph, transfer_paragraph(report))


def test_growth_off_a_small_base_is_left_out(national):
    """No growth of the universities' events off fewer than MIN_BASE, in either language."""
    from dataclasses import replace

    def sentences(report) -> tuple[str, str]:
        zh = next(x for x in transfer_paragraph(report).split("。") if x.startswith("高校和科研单位"))
        en = next(x for x in transfer_paragraph(report, "en").split(". ") if x.startswith("Universities"))
        return zh, en

    few = replace(national, universities={**national.universities, "events": 6, "growth_pct": 50.0})  # base 4
    zh, en = sentences(few)
    assert "上年" not in zh and "previous year" not in en
    many = replace(national, universities={**national.universities, "events": 60, "growth_pct": 50.0})  # base 40
    zh, en = sentences(many)
    assert zh.endswith("高校和科研单位转让许可次数比上年增长50.0%")
    assert en.endswith("their assignments and licences were up 50.0% from the previous year")
    assert not unstated_numbers(transfer_paragraph(many, "en"), transfer_paragraph(many))


def test_the_number_check_can_fail(national):
    chinese = transfer_paragraph(national)
    assert unstated_numbers(national.paragraph + " Licences rose 77.7%.", chinese) == ["77.7"]
    assert unstated_numbers("937 million yuan", "质押金额9.37亿元") == []
    assert unstated_numbers("93.7 million yuan", "质押金额9.37亿元") == ["93.7 million"]
    assert unstated_numbers("up 165.6%", "比上年增长1.7倍") == [] and unstated_numbers("up 1.7%", "增长1.7倍") == [
        "1.7"
    ]


def test_labelled_in_english(national):
    shown = labelled(national.pledges, lang="en")
    assert list(shown.columns) == [TRANSFER_LABELS_EN.get(c, c) for c in national.pledges.columns]
    assert not any(has_cjk(c) for c in shown.columns) and shown[TRANSFER_LABELS_EN["year"]].map(type).eq(str).all()
    assert list(labelled(national.pledges).columns) == [TRANSFER_LABELS.get(c, c) for c in national.pledges.columns]
    with pytest.raises(ValueError, match="lang"):
        labelled(national.pledges, lang="fr")
