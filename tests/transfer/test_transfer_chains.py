"""Hand-made event chains through the reader and every transfer table: a patent transferred twice, a licence to two
licensees, a pledge and its release, a transfer between two provinces; and events the reader must refuse."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ipstats.transfer import LegalEventsError, current_owners, pledge_registrations, read_legal_events
from ipstats.transfer import indicators as ind
from ipstats.transfer.events import EVENT_FIELDS, register_rows
from ipstats.transfer.report import compute_transfer

REGISTER = [
    # application_number, type, filing, grant, applicant, type, province
    ("CN201910000001.9", "发明", "2019-01-02", "2021-03-05", "某某大学", "高校", "44"),
    ("CN202020000002.1", "实用新型", "2020-02-03", "2020-09-08", "甲公司", "企业", "32"),
    ("CN202020000003.6", "实用新型", "2020-02-04", "2020-09-09", "乙公司", "企业", "32"),
    ("CN202110000004.X", "发明", "2021-01-05", "2022-06-10", "丙公司", "企业", "11"),
]


@pytest.fixture()
def register(tmp_path: Path) -> Path:
    from ipstats.register.appno import is_valid_application_number

    rows = []
    for number, kind, filed, granted, name, atype, prov in REGISTER:
        assert is_valid_application_number(number), number
        rows.append(
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
                "province_code": prov,
                "title": "一种装置",
            }
        )
    path = tmp_path / "register.csv"
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8")
    return path


def event(event_id, number, kind, day, frm, to, licence="", pledgee="", amount="", related="") -> dict:
    filed = {r[0]: r[2] for r in REGISTER}[number]
    return {
        "event_id": event_id,
        "application_number": number,
        "filing_date": filed,
        "event_type": kind,
        "licence_type": licence,
        "event_date": day,
        "from_name": frm[0],
        "from_type": frm[1],
        "from_origin": frm[2],
        "to_name": to[0],
        "to_type": to[1],
        "to_origin": to[2],
        "pledgee_type": pledgee,
        "amount_10k_yuan": amount,
        "related_event_id": related,
    }


UNI = ("某某大学", "高校", "44")
FIRM_A = ("甲公司", "企业", "32")
FIRM_B = ("乙公司", "企业", "32")
FIRM_C = ("丙公司", "企业", "11")
FIRM_GD = ("广东某某科技有限公司", "企业", "44")
LICENSEE_1 = ("丁公司", "企业", "32")
LICENSEE_2 = ("戊公司", "企业", "33")
BANK = ("某某银行江苏分行", "企业", "32")

CHAINS = [
    # a patent transferred twice: university (44) → 广东 firm (44) in 2022, then → 甲公司 (32) in 2023
    event("T1", "CN201910000001.9", "转让", "2022-04-01", UNI, FIRM_GD),
    event("T2", "CN201910000001.9", "转让", "2023-05-02", FIRM_GD, FIRM_A),
    # a licence to two licensees (two 普通 contracts on one patent)
    event("X1", "CN202110000004.X", "许可", "2023-03-01", FIRM_C, LICENSEE_1, licence="普通", amount="10"),
    event("X2", "CN202110000004.X", "许可", "2023-08-01", FIRM_C, LICENSEE_2, licence="普通", amount="30"),
    # a pledge of two patents in one contract, released the next year
    event("Y1", "CN202020000002.1", "质押", "2023-06-01", FIRM_A, BANK, pledgee="银行", amount="500"),
    event("Y1", "CN202020000003.6", "质押", "2023-06-01", FIRM_A, BANK, pledgee="银行", amount="500"),
    event("YZ1", "CN202020000002.1", "质押解除", "2024-02-01", FIRM_A, BANK, related="Y1"),
    event("YZ1", "CN202020000003.6", "质押解除", "2024-02-01", FIRM_A, BANK, related="Y1"),
]


def write(tmp_path: Path, rows: list[dict], name: str = "events.csv") -> Path:
    path = tmp_path / name
    pd.DataFrame(rows, columns=list(EVENT_FIELDS)).to_csv(path, index=False, encoding="utf-8-sig")
    return path


@pytest.fixture()
def events(tmp_path, register) -> pd.DataFrame:
    return read_legal_events(write(tmp_path, CHAINS), register)


def test_transferred_twice_owner_follows_the_chain(events, register):
    reg = register_rows(register, [r[0] for r in REGISTER])
    at_2022 = current_owners(events, reg, "2022-12-31").set_index("application_number")
    at_2023 = current_owners(events, reg, "2023-12-31").set_index("application_number")
    number = "CN201910000001.9"
    assert at_2022.loc[number, ["owner_name", "owner_type", "owner_province"]].tolist() == [
        "广东某某科技有限公司",
        "企业",
        "44",
    ]
    assert at_2023.loc[number, ["owner_name", "owner_type", "owner_province"]].tolist() == ["甲公司", "企业", "32"]
    assert at_2023.loc["CN202110000004.X", "owner_name"] == "丙公司"  # licences and pledges do not move ownership
    assert not at_2023.loc["CN202020000002.1", "transferred"]
    # first transfer after grant: counted in 2022 (1.07 years after the 2021-03-05 grant), never again in 2023
    first_2022 = ind.grant_to_first_transfer(events, reg, 2022).set_index("patent_type")
    assert first_2022.at["合计", "patents"] == 1
    assert first_2022.at["合计", "median_years"] == pytest.approx(
        (pd.Timestamp("2022-04-01") - pd.Timestamp("2021-03-05")).days / 365.25
    )
    assert ind.grant_to_first_transfer(events, reg, 2023).set_index("patent_type").at["合计", "patents"] == 0


def test_by_type_counts_events_contracts_and_patents(events):
    table = ind.transactions_by_type(events, 2023).set_index("event_type")
    assert table.loc["转让", ["events", "contracts", "patents", "events_previous"]].tolist() == [1, 1, 1, 1]
    assert table.loc["许可", ["events", "contracts", "patents"]].tolist() == [2, 2, 1]  # two licensees, one patent
    assert table.loc["  普通许可", "share_pct"] == 100
    assert table.loc["转让许可合计", "events"] == 3
    assert table.loc["转让", "events_growth_pct"] == 0
    assert table.loc["质押", ["events", "contracts", "patents"]].tolist() == [2, 1, 2]
    assert table.loc["质押解除", "events"] == 0
    assert ind.transactions_by_type(events, 2024).set_index("event_type").loc["质押解除", "contracts"] == 1


def test_pledge_and_release(events):
    pledges = pledge_registrations(events)
    assert list(pledges.columns) == ["application_number", "date", "amount_10k_yuan", "pledgee_type"]
    assert pledges["application_number"].tolist() == ["CN202020000002.1", "CN202020000003.6"]
    assert pledges["amount_10k_yuan"].tolist() == [500, 500] and set(pledges["pledgee_type"]) == {"银行"}
    full = pledge_registrations(events, with_release=True)
    assert full["release_date"].tolist() == [pd.Timestamp("2024-02-01")] * 2
    assert full["patents_in_contract"].tolist() == [2, 2]
    summary = ind.pledge_summary(events, [2022, 2023, 2024]).set_index("year")
    assert summary.loc[2023, ["contracts", "patents", "amount_10k_yuan"]].tolist() == [
        1,
        2,
        500,
    ]  # amount once per contract
    assert summary.loc[2024, ["contracts", "releases"]].tolist() == [0, 1]


def test_pledge_amount_of_one_contract_is_suppressed(events):
    """One contract in the year: its amount would single it out, in the province cell and in the total."""
    table, record, withheld = ind.pledge_breakdown(events, 2023, "from_origin")
    assert withheld and record["total_withheld"]
    rows = table.set_index("group")
    assert rows.loc["江苏", "contracts"] == 1 and rows.loc["江苏", "patents"] == 2  # counts are published
    assert rows["amount_10k_yuan"].isna().all()


def test_pledge_amounts_published_when_contracts_are_many(tmp_path, register):
    rows = [
        event(
            f"Y{i}",
            number,
            "质押",
            f"2023-0{i}-01",
            FIRM_A if i % 2 else FIRM_B,
            BANK,
            pledgee="银行",
            amount=str(100 + i),
        )
        for i, number in enumerate(
            ["CN202020000002.1", "CN202020000003.6", "CN202020000002.1", "CN202020000003.6"], start=1
        )
    ]
    events = read_legal_events(write(tmp_path, rows), register)
    table, record, withheld = ind.pledge_breakdown(events, 2023, "from_origin")
    assert not withheld and record["audit_pass"]
    assert table.set_index("group").loc["合计", "amount_10k_yuan"] == 101 + 102 + 103 + 104


def test_transfer_between_two_provinces(events):
    flows = ind.province_flows(events, 2023).set_index("origin_group")
    # 2023: 广东 → 江苏 transfer; licences 北京 → 江苏 and 北京 → 浙江
    assert flows.loc["广东", ["outflow", "inflow", "net", "outflow_transfers"]].tolist() == [1, 0, -1, 1]
    assert flows.loc["江苏", ["inflow", "inflow_transfers", "net"]].tolist() == [2, 1, 2]
    assert flows.loc["北京", "outflow"] == 2 and flows.loc["浙江", "inflow"] == 1
    matrix = ind.province_matrix(events, 2023).set_index("origin")
    assert matrix.loc["广东", "江苏"] == 1 and matrix.loc["合计", "合计"] == 3
    assert ind.province_flows(events, 2022).set_index("origin_group").loc["广东", "within"] == 1


def test_university_headline(events):
    u2022 = ind.university_headline(events, 2022)
    assert (u2022["events"], u2022["to_enterprise"], u2022["share_pct"]) == (1, 1, 100)
    assert ind.university_headline(events, 2023)["events"] == 0


def test_report_and_summary_use_the_tables(events, tmp_path, register):
    path = write(tmp_path, CHAINS, "chain.csv")
    report = compute_transfer(path, register, 2023, systems=())
    assert "专利转让许可3次" in report.paragraph
    assert "转让1次，许可2次" in report.paragraph
    assert "经统计数据保密处理不予公布" in report.paragraph and "500" not in report.paragraph
    share = report.share_of_valid.set_index("patent_type")
    assert share.loc["合计", ["valid_stock", "transferred", "licensed", "transferred_or_licensed"]].tolist() == [
        4,
        1,
        1,
        2,
    ]
    province = compute_transfer(path, register, 2023, region="44", systems=())
    assert province.by_type.set_index("event_type").at["转让许可合计", "events"] == 1  # only the 广东 → 江苏 transfer


def test_event_before_filing_is_refused(tmp_path, register):
    rows = [event("T1", "CN201910000001.9", "转让", "2018-12-30", UNI, FIRM_GD)]
    with pytest.raises(LegalEventsError) as err:
        read_legal_events(write(tmp_path, rows), register)
    assert err.value.problems == [
        f"{tmp_path / 'events.csv'}:2: event_date: '2018-12-30' — expected not before filing_date (2019-01-02)"
    ]


def test_filing_date_must_match_the_register(tmp_path, register):
    row = event("T1", "CN201910000001.9", "转让", "2019-01-01", UNI, FIRM_GD)
    row["filing_date"] = "2018-12-01"  # the row's own dates agree; the register's filing is later
    with pytest.raises(LegalEventsError) as err:
        read_legal_events(write(tmp_path, [row]), register)
    assert err.value.problems == [
        f"{tmp_path / 'events.csv'}:2: filing_date: '2018-12-01' — expected equal to the "
        f"register's filing_date (2019-01-02; no event may precede the filing)"
    ]


def test_unknown_application_number_is_refused(tmp_path, register):
    row = event("T1", "CN201910000001.9", "转让", "2022-04-01", UNI, FIRM_GD)
    row["application_number"] = "CN202010000099.0"
    with pytest.raises(LegalEventsError) as err:
        read_legal_events(write(tmp_path, [row]), register)
    assert len(err.value.problems) == 1
    assert (
        "application_number: 'CN202010000099.0' — expected a value found in column application_number of "
        "patent_register" in err.value.problems[0]
    )


def test_release_before_its_pledge_and_inconsistent_event_rows(tmp_path, register):
    rows = [
        event("Y1", "CN202020000002.1", "质押", "2023-06-01", FIRM_A, BANK, pledgee="银行", amount="500"),
        event("Y1", "CN202020000003.6", "质押", "2023-06-01", FIRM_A, BANK, pledgee="银行", amount="800"),
        event("YZ1", "CN202020000002.1", "质押解除", "2023-05-01", FIRM_A, BANK, related="Y1"),
    ]
    with pytest.raises(LegalEventsError) as err:
        read_legal_events(write(tmp_path, rows), register)
    file = tmp_path / "events.csv"
    assert err.value.problems == [
        f"{file}:3: amount_10k_yuan: '800' — expected the same amount_10k_yuan on every row of one event "
        f"(event Y1 has 500 in row 2)",
        f"{file}:4: event_date: '2023-05-01' — expected not before the pledge it releases (Y1 registered 2023-06-01)",
    ]
