"""The survey frame by current owner (专利权人 at 31 December) from the legal events: a hand-made register and events,
and the demo survey drawn, weighted and calibrated on that basis."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from ipstats.register.appno import format_application_number
from ipstats.survey.demo import write_demo
from ipstats.survey.weighting import (
    SurveyDesign,
    frame_changes,
    frame_counts,
    frame_note,
    owner_register,
    read_sample,
    register_totals,
    survey_frame,
    weight_survey,
)
from ipstats.transfer import current_owners, read_legal_events
from ipstats.transfer.events import register_rows

YEAR = 2023
P1 = format_application_number(2019, 1, 1)  # transferred twice in the year
P2 = format_application_number(2020, 2, 2)  # transferred after the reference date
P3 = format_application_number(2021, 1, 3)  # enterprise in 11 → university in 44
P4 = format_application_number(2021, 1, 4)  # transferred to a foreign owner
P5 = format_application_number(2018, 1, 5)  # foreign first applicant, transferred to a domestic owner
P6 = format_application_number(2020, 1, 6)  # never transferred
P7 = format_application_number(2019, 1, 7)  # foreign first applicant, never transferred

REGISTER = [
    # number, type, filed, granted, applicant, type, province, origin
    (P1, "发明", "2019-01-02", "2021-03-05", "某某大学", "高校", "44", "44"),
    (P2, "实用新型", "2020-02-03", "2020-09-08", "乙公司", "企业", "32", "32"),
    (P3, "发明", "2021-01-05", "2022-06-10", "丙公司", "企业", "11", "11"),
    (P4, "发明", "2021-02-06", "2022-07-11", "丁公司", "企业", "33", "33"),
    (P5, "发明", "2018-03-07", "2020-08-12", "美国某某公司", "企业", "", "US"),
    (P6, "发明", "2020-04-08", "2022-09-13", "张某某", "个人", "35", "35"),
    (P7, "发明", "2019-05-09", "2021-10-14", "日本某某株式会社", "企业", "", "JP"),
]

UNI = ("某某大学", "高校", "44")
FIRM_GD = ("广东某某科技有限公司", "企业", "44")
FIRM_A = ("甲公司;甲公司上海分公司", "企业", "32")
FIRM_B = ("乙公司", "企业", "32")
INSTITUTE = ("某某研究所", "科研单位", "11")
FIRM_C = ("丙公司", "企业", "11")
UNI_GD = ("某某理工大学", "高校", "44")
FIRM_D = ("丁公司", "企业", "33")
FOREIGN = ("日本某某株式会社", "企业", "JP")
US_FIRM = ("美国某某公司", "企业", "US")
FIRM_SH = ("戊公司", "企业", "31")

EVENTS = [
    ("T1", P1, "2022-04-01", UNI, FIRM_GD),
    ("T2", P1, "2023-05-02", FIRM_GD, FIRM_A),
    ("T3", P2, "2024-03-01", FIRM_B, INSTITUTE),
    ("T4", P3, "2023-08-01", FIRM_C, UNI_GD),
    ("T5", P4, "2023-02-01", FIRM_D, FOREIGN),
    ("T6", P5, "2022-10-10", US_FIRM, FIRM_SH),
]


@pytest.fixture()
def register(tmp_path: Path) -> Path:
    rows = [
        {
            "application_number": number,
            "patent_type": kind,
            "filing_date": filed,
            "priority_date": filed,
            "publication_date": granted,
            "grant_date": granted,
            "legal_status": "有效",
            "lapse_date": "",
            "ipc_main": "H04L29/06",
            "ipc": "H04L29/06",
            "locarno_class": "",
            "applicant_name": name,
            "applicant_type": atype,
            "province_code": province,
            "origin_code": origin,
            "title": "一种装置",
        }
        for number, kind, filed, granted, name, atype, province, origin in REGISTER
    ]
    path = tmp_path / "register.csv"
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8")
    return path


@pytest.fixture()
def events(tmp_path: Path) -> Path:
    filed = {r[0]: r[2] for r in REGISTER}
    rows = [
        {
            "event_id": event_id,
            "application_number": number,
            "filing_date": filed[number],
            "event_type": "转让",
            "licence_type": "",
            "event_date": day,
            "from_name": frm[0],
            "from_type": frm[1],
            "from_origin": frm[2],
            "to_name": to[0],
            "to_type": to[1],
            "to_origin": to[2],
            "pledgee_type": "",
            "amount_10k_yuan": "",
            "related_event_id": "",
        }
        for event_id, number, day, frm, to in EVENTS
    ]
    path = tmp_path / "events.csv"
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8")
    return path


def by_number(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("application_number")[["patentee", "applicant_type", "province_code", "region"]]


def test_without_events_the_frame_is_by_first_applicant(register):
    frame = survey_frame(register, YEAR)
    for no_events in (None, ""):
        pd.testing.assert_frame_equal(survey_frame(register, YEAR, no_events), frame)
        pd.testing.assert_frame_equal(
            register_totals(register, YEAR, legal_events=no_events), register_totals(register, YEAR)
        )
    assert list(frame["application_number"]) == sorted([P1, P2, P3, P4, P6])  # foreign first applicants out
    rows = by_number(frame)
    assert rows.loc[P1].tolist() == ["某某大学", "高校", "44", "东部"]
    assert rows.loc[P3].tolist() == ["丙公司", "企业", "11", "东部"]
    assert rows.loc[P4].tolist() == ["丁公司", "企业", "33", "东部"]
    assert frame_note(YEAR, None).startswith("抽样框与校准总量按第一申请人")


def test_the_last_of_two_transfers_gives_the_patentee(register, events):
    rows = by_number(survey_frame(register, YEAR, events))
    assert rows.loc[P1].tolist() == ["甲公司", "企业", "32", "东部"]  # 2023 assignee, first of two names
    at_2022 = by_number(survey_frame(register, 2022, events))
    assert at_2022.loc[P1].tolist() == ["广东某某科技有限公司", "企业", "44", "东部"]


def test_a_transfer_after_the_reference_date_is_ignored(register, events):
    assert by_number(survey_frame(register, YEAR, events)).loc[P2].tolist() == ["乙公司", "企业", "32", "东部"]
    assert by_number(survey_frame(register, 2024, events)).loc[P2].tolist() == ["某某研究所", "科研单位", "11", "东部"]


def test_a_transfer_from_an_enterprise_in_11_to_a_university_in_44_moves_the_patent(register, events):
    design = SurveyDesign()
    before = frame_counts(survey_frame(register, YEAR), design).set_index("application_number")
    after = frame_counts(survey_frame(register, YEAR, events), design).set_index("application_number")
    assert before.loc[P3, "stratum"] == "企业|东部|发明"
    assert after.loc[P3, "stratum"] == "高校|东部|发明"
    assert by_number(after.reset_index()).loc[P3].tolist() == ["某某理工大学", "高校", "44", "东部"]
    key = ["patent_type", "province_code", "applicant_type"]
    first = register_totals(register, YEAR).set_index(key)["valid_patents"]
    owner = register_totals(register, YEAR, legal_events=events).set_index(key)["valid_patents"]
    assert first.get(("发明", "11", "企业"), 0) == 1 and owner.get(("发明", "11", "企业"), 0) == 0
    assert first.get(("发明", "44", "高校"), 0) == 1 and owner.get(("发明", "44", "高校"), 0) == 1  # P1 left it
    assert owner.get(("发明", "32", "企业"), 0) == 1  # P1 went there


def test_transfers_abroad_leave_the_frame_and_transfers_from_abroad_enter_it(register, events):
    frame = survey_frame(register, YEAR, events)
    assert list(frame["application_number"]) == sorted([P1, P2, P3, P5, P6])
    assert by_number(frame).loc[P5].tolist() == ["戊公司", "企业", "31", "东部"]
    totals = register_totals(register, YEAR, legal_events=events)
    assert totals["valid_patents"].sum() == len(frame)
    assert "33" not in set(totals.loc[totals["valid_patents"] > 0, "province_code"])
    assert frame_changes(register, YEAR, events) == {
        "frame_patents": 5,
        "transferred": 3,
        "moved": 2,
        "entered": 1,
        "left": 1,
        "changed": 4,
    }
    note = frame_note(YEAR, frame_changes(register, YEAR, events))
    assert "2023年12月31日的专利权人" in note and "因转让改变层的2件" in note and "进入抽样框的1件" in note
    assert "移出抽样框的1件" in note


def test_the_rule_is_that_of_current_owners(register, events):
    table = read_legal_events(events, register)
    rows = register_rows(register, [r[0] for r in REGISTER])
    owners = current_owners(table, rows, f"{YEAR}-12-31").set_index("application_number")
    frame = by_number(survey_frame(register, YEAR, table))
    inside = owners[owners["owner_province"].notna()]
    assert sorted(inside.index) == sorted(frame.index)
    assert inside["owner_name"].to_dict() == frame["patentee"].to_dict()
    assert inside["owner_type"].to_dict() == frame["applicant_type"].to_dict()
    assert inside["owner_province"].to_dict() == frame["province_code"].to_dict()


def test_owner_register_is_the_frame_basis_as_a_file(register, events, tmp_path):
    path = owner_register(register, events, YEAR, cache_dir=tmp_path / "cache")
    pd.testing.assert_frame_equal(survey_frame(path, YEAR), survey_frame(register, YEAR, events))
    pd.testing.assert_frame_equal(register_totals(path, YEAR), register_totals(register, YEAR, legal_events=events))
    inode = path.stat().st_ino
    os.utime(path, (1_600_000_000, 1_600_000_000))  # last used in 2020
    assert owner_register(register, events, YEAR, cache_dir=tmp_path / "cache") == path
    assert path.stat().st_ino == inode  # cached, not written again
    assert path.stat().st_mtime > 1_700_000_000  # the hit renewed its last use (ipstats cache --prune)
    assert owner_register(register, events, 2024, cache_dir=tmp_path / "cache") != path


def test_demo_survey_is_drawn_and_calibrated_on_the_owner_basis(small_demo, tmp_path):
    register = small_demo["register"]
    events = small_demo["patent_legal_events"]
    changes = frame_changes(register, YEAR, events)
    assert changes["changed"] > 0  # the demo's transfers do change the frame
    sample = read_sample(write_demo(register, tmp_path / "owner", seed=5, year=YEAR)["survey_sample"])
    owner_frame = survey_frame(register, YEAR, events)
    assert set(sample["application_number"]) <= set(owner_frame["application_number"])
    merged = sample.merge(owner_frame, on="application_number", suffixes=("", "_frame"))
    assert (merged["applicant_type"] == merged["applicant_type_frame"]).all()
    assert (merged["province_code"] == merged["province_code_frame"]).all()
    totals = register_totals(register, YEAR, legal_events=events)
    survey = weight_survey(sample, totals, SurveyDesign(min_respondents=10))  # raking raises unless converged
    assert survey.weights.sum() == pytest.approx(len(owner_frame), rel=1e-6)
    by_type = survey.weights.groupby(survey.data["patent_type"]).sum()
    assert by_type.to_dict() == pytest.approx(totals.groupby("patent_type")["valid_patents"].sum().to_dict(), rel=1e-6)
    first = read_sample(write_demo(register, tmp_path / "first", seed=5, year=YEAR, legal_events="")["survey_sample"])
    assert set(first["application_number"]) <= set(survey_frame(register, YEAR)["application_number"])
    assert not first.equals(sample)
