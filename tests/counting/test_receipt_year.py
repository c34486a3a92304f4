"""Applications by 受理年度 (the application number's year digits) beside 申请日 (#16 item 4)."""

from __future__ import annotations

import pandas as pd
import pytest

from ipstats.counting import count_flows
from ipstats.register.appno import receipt_year_sql
from ipstats.engines import connect


def _register() -> pd.DataFrame:
    return pd.DataFrame(
        {
            # a divisional application received in 2023 keeps its parent's 申请日 of 2021
            "application_number": [
                "CN202310123456.6",
                "CN202310654321.X",
                "95115608.X",
                "ZL03123456.7",
                "202110000001.1",
            ],
            "patent_type": ["发明", "发明", "发明", "实用新型", "发明"],
            "filing_date": pd.to_datetime(["2023-03-01", "2021-07-15", "1995-06-01", "2003-02-03", "2021-01-04"]),
            "province_code": ["44", "44", "11", "32", "44"],
        }
    )


def test_receipt_year_from_the_number():
    con = connect()
    con.register("r", _register())
    years = [row[0] for row in con.execute(f"SELECT {receipt_year_sql()} FROM r").fetchall()]
    assert years == [2023, 2023, 1995, 2003, 2021]
    assert con.execute(f"SELECT {receipt_year_sql(chr(39) + 'not a number' + chr(39))}").fetchone()[0] is None


@pytest.mark.parametrize("basis, expected", [("filing", {2021: 2, 2023: 1}), ("receipt", {2021: 1, 2023: 2})])
def test_applications_counted_by_either_basis(basis, expected):
    con = connect()
    con.register("register", _register())
    cube = count_flows(con, "applications", [2021, 2023], by=(), reference_date=basis)
    assert cube.set_index("year")["count"].to_dict() == expected


def test_overview_states_its_basis(small_demo):
    from ipstats.indicators.overview import compute_overview

    register, population = small_demo["register"], small_demo["population"]
    filing = compute_overview(str(register), str(population), 2023)
    receipt = compute_overview(str(register), str(population), 2023, application_basis="receipt")
    assert filing.counting_note.startswith("申请量按申请日统计")
    assert receipt.counting_note.startswith("申请量按受理年度（申请号中的年份）统计")
    # the demo numbers its applications in the year of their 申请日: both bases give the same counts
    pd.testing.assert_frame_equal(filing.summary, receipt.summary)
    with pytest.raises(ValueError, match="application_basis must be one of filing, receipt"):
        compute_overview(str(register), str(population), 2023, application_basis="priority")
