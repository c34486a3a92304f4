"""Counting rules on a hand-made register whose answers are known."""

import pandas as pd
import pytest

from ipstats.counting import count_flows, count_valid_stock
from ipstats.register.io import open_register

ROWS = [
    # number, type, filing, grant, lapse, province
    ("A", "发明", "2022-03-01", "2023-12-31", None, "11"),  # granted on the last day of 2023
    ("B", "发明", "2021-05-05", "2022-06-01", "2023-12-31", "11"),  # lapsed on 31 Dec 2023: not valid at end-2023
    ("C", "发明", "2021-05-05", "2022-06-01", "2024-01-01", "44"),  # lapsed the day after: valid at end-2023
    ("D", "实用新型", "2023-01-01", "2023-08-01", None, "44"),
    ("E", "实用新型", "2023-12-31", None, None, "44"),  # pending
    ("F", "外观设计", "2022-12-31", None, "2023-05-01", "32"),  # refused: never valid
    ("G", "发明", "2010-01-01", "2012-01-01", "2030-01-01", "32"),  # valid through 2029
]


@pytest.fixture()
def con(tmp_path):
    reg = pd.DataFrame(
        ROWS, columns=["application_number", "patent_type", "filing_date", "grant_date", "lapse_date", "province_code"]
    )
    for col in ("filing_date", "grant_date", "lapse_date"):
        reg[col] = pd.to_datetime(reg[col]).dt.date
    reg["legal_status"] = "有效"
    reg["applicant_type"] = "企业"
    path = tmp_path / "reg.parquet"
    reg.to_parquet(path)
    return open_register(path)


def as_dict(frame, *keys):
    return {tuple(r[k] for k in keys): r["count"] for _, r in frame.iterrows()}


def test_applications_by_filing_year(con):
    out = count_flows(con, "applications", [2022, 2023])
    assert as_dict(out, "year", "patent_type") == {(2022, "发明"): 1, (2022, "外观设计"): 1, (2023, "实用新型"): 2}


def test_grants_by_grant_year(con):
    out = count_flows(con, "grants", [2022, 2023])
    assert as_dict(out, "year", "patent_type") == {(2022, "发明"): 2, (2023, "发明"): 1, (2023, "实用新型"): 1}


def test_valid_stock_year_end_boundaries(con):
    out = count_valid_stock(con, [2022, 2023, 2030])
    assert as_dict(out, "year", "patent_type") == {
        (2022, "发明"): 3,
        (2023, "发明"): 3,
        (2023, "实用新型"): 1,
        (2030, "发明"): 1,
        (2030, "实用新型"): 1,
    }


def test_region_and_breakdown(con):
    out = count_valid_stock(con, [2023], by=["province_code"], region="44")
    assert as_dict(out, "year", "province_code") == {(2023, "44"): 2}
    out = count_flows(con, "applications", [2023], by=[], region="national")
    assert out["count"].tolist() == [2]


def test_bad_arguments(con):
    with pytest.raises(ValueError, match="measure must be one of"):
        count_flows(con, "valid", [2023])
    with pytest.raises(ValueError, match="plain register column names"):
        count_flows(con, "grants", [2023], by=["province_code; DROP TABLE x"])
