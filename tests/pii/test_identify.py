"""Identification of patent-intensive industries on tiny constructed data whose answer is known by hand."""

import pandas as pd
import pytest

from ipstats.pii.demo import DEMO_FILES, demo_employment, demo_if_missing, write_demo
from ipstats.pii.identify import (
    employment_in_window,
    identify,
    industry_names,
    patents_by_industry,
    protect_identification,
    read_employment,
    sensitivity,
    window_patents,
)

NAMES = pd.Series({"A": "甲", "B": "乙", "C": "丙", "D": "丁", "E": "戊"})
#: The rule without scale conditions (the defaults add them: tests/pii/test_identify_official.py).
NO_SCALE = dict(min_patents=0.0, min_employment_share_pct=0.0, user_min_patents=0.0, names=NAMES)


def _toy():
    patents = pd.DataFrame({"industry": ["A", "B", "C", "D"], "patents": [100.0, 10.0, 0.0, 30.0]})
    employment = pd.DataFrame({"industry": ["A", "B", "C", "D"], "employment": [1000.0, 1000.0, 7500.0, 500.0]})
    return patents, employment


def test_all_industry_average_threshold():
    patents, employment = _toy()
    res = identify(patents, employment, threshold="all", **NO_SCALE)
    # 140 patents over 10,000 employees: 140 per 10,000
    assert res.threshold_per_10k == pytest.approx(140.0) and res.average_all_per_10k == pytest.approx(140.0)
    t = res.table.set_index("industry")
    assert t.at["A", "intensity_per_10k"] == pytest.approx(1000.0)
    assert t.at["D", "intensity_per_10k"] == pytest.approx(600.0)
    assert t.at["B", "intensity_per_10k"] == pytest.approx(100.0)
    assert res.intensive == ["A", "D"]
    assert t.at["B", "reason"] == "密集度100.00<门槛140.00" and t.at["A", "decision"] == "专利密集型"
    assert t.at["A", "industry_name"] == "甲"


def test_patent_using_industries_threshold_and_multiplier():
    patents, employment = _toy()
    res = identify(patents, employment, threshold="users", **NO_SCALE)
    # users A, B, D: 140 patents over 2,500 employees = 560 per 10,000
    assert res.threshold_per_10k == pytest.approx(560.0)
    assert res.intensive == ["A", "D"]
    assert not res.table.set_index("industry").at["C", "patent_using"]
    res = identify(patents, employment, threshold="users", multiplier=1.5, **NO_SCALE)  # 840
    assert res.intensive == ["A"]
    res = identify(patents, employment, threshold="users", **{**NO_SCALE, "user_min_patents": 20})  # A, D: 130/1500
    assert res.threshold_per_10k == pytest.approx(130 / 1500 * 10_000) and res.intensive == ["A"]


def test_minimum_scale_and_missing_employment():
    patents, employment = _toy()
    patents = pd.concat([patents, pd.DataFrame({"industry": ["E"], "patents": [5.0]})])
    res = identify(patents, employment, threshold="all", **{**NO_SCALE, "min_patents": 50})
    t = res.table.set_index("industry")
    assert res.intensive == ["A"]  # D is intense but has 30 < 50 patents
    assert t.at["D", "reason"] == "密集度600.00≥门槛140.00；发明专利30.0件<规模门槛50件"
    assert not t.at["E", "intensive"] and t.at["E", "reason"] == "无就业人员数据，不能计算密集度"
    assert res.average_all_per_10k == pytest.approx(140.0)  # E has no employment: not in the average
    with pytest.raises(ValueError, match="threshold must be one of"):
        identify(patents, employment, threshold="median")


def test_windows_and_sensitivity():
    by_year = pd.DataFrame(
        {
            "year": [2020, 2021, 2022, 2020, 2021, 2022, 2020, 2021, 2022],
            "industry": ["A"] * 3 + ["B"] * 3 + ["C"] * 3,
            "patents": [10.0, 10.0, 10.0, 0.0, 0.0, 30.0, 5.0, 5.0, 5.0],
        }
    )
    employment = pd.DataFrame(
        {
            "industry_code": ["A", "B", "C"] * 2,
            "year": [2021] * 3 + [2022] * 3,
            "employment": [100.0, 100.0, 100.0, 300.0, 100.0, 100.0],
        }
    )
    assert window_patents(by_year, 2022, 2).set_index("industry")["patents"].to_dict() == {
        "A": 20.0,
        "B": 30.0,
        "C": 10.0,
    }
    emp = employment_in_window(employment, 2022, 2).set_index("industry")["employment"]
    assert emp.to_dict() == {"A": 200.0, "B": 100.0, "C": 100.0}
    with pytest.raises(ValueError, match="lack the window year"):
        window_patents(by_year, 2022, 4)
    summary, membership = sensitivity(by_year, employment, 2022, windows=(1, 3), thresholds=("all",), **NO_SCALE)
    # 1 year: A 10/300, B 30/100, C 5/100 per employee; average 45/500 → B only
    # 3 years (employment 2021–2022 mean): A 30/200, B 30/100, C 15/100; average 75/400 → B only
    assert summary["n_intensive"].tolist() == [1, 1] and summary["entered"].tolist() == [0, 0]
    assert membership["industry"].tolist() == ["B"]
    summary, _ = sensitivity(
        by_year, employment, 2022, windows=(3,), thresholds=("all",), multipliers=(1.0, 0.5), **NO_SCALE
    )
    # ×0.5 → threshold 937.5 per 10,000: A (1500) and C (1500) enter
    assert summary.set_index("multiplier").loc[0.5, ["n_intensive", "entered", "left"]].tolist() == [3, 2, 0]


def _register(write_register, industry=True):
    rows = [
        ("CN202110000001.6", "发明", "2021-01-05", "2022-03-01", "26", "H04L9/00", "甲公司"),
        ("CN202110000002.0", "发明", "2021-02-05", "2022-05-01", "26;28", "H04L9/00;A61K31/00", "甲公司"),
        ("CN202110000003.5", "发明", "2021-03-05", "2021-12-01", "28", "A61K31/00", "乙公司"),
        ("CN202120000004.5", "实用新型", "2021-03-05", "2021-08-01", "28", "A61K31/00", "乙公司"),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "application_number",
            "patent_type",
            "filing_date",
            "grant_date",
            "owner_industry",
            "ipc",
            "applicant_name",
        ],
    )
    return write_register(frame if industry else frame.drop(columns="owner_industry"))


def test_patents_by_owner_industry_split_among_codes(write_register):
    cube = patents_by_industry(_register(write_register), [2021, 2022], industry_column="owner_industry")
    got = {(r.year, r.industry): r.patents for r in cube.itertuples()}
    assert got == {(2021, "28"): 1.0, (2022, "26"): 1.5, (2022, "28"): 0.5}  # the utility model is not counted
    with pytest.raises(ValueError, match="no column 'industry'"):
        patents_by_industry(_register(write_register), [2021], industry_column="industry")


def test_patents_through_a_user_concordance(tmp_path, write_register):
    rules = tmp_path / "ipc_industry.csv"
    rules.write_text(
        "rule_id,category,category_name_zh,ipc_patterns,weight\nr1,26,电子,H04L*,1\nr2,21,医药,A61K*,1\n",
        encoding="utf-8",
    )
    cube = patents_by_industry(_register(write_register, industry=False), [2021, 2022], system=str(rules))
    total = cube.groupby("industry")["patents"].sum().to_dict()
    assert total == {"26": 1.5, "21": 1.5}  # patent 2 is split half and half


def test_disclosure_control_of_industries():
    table = identify(
        pd.DataFrame({"industry": ["C", "B", "A"], "patents": [50.0, 20.0, 30.0]}),
        pd.DataFrame({"industry": ["C", "B", "A"], "employment": [10.0, 10.0, 10.0]}),
        **NO_SCALE,
    ).table
    contributors = pd.DataFrame(
        {
            "industry": ["A", "A", "A", "B", "C", "C", "C"],
            "applicant": ["x", "y", "z", "x", "x", "y", "z"],
            "patents": [10.0, 10.0, 10.0, 20.0, 20.0, 15.0, 15.0],
        }
    )
    # default policy: patents from the public register are published; census employment is withheld with the
    # intensity (which gives it back), the reasons carry no figure, the table is sorted by code
    published, record = protect_identification(table, contributors)
    p = published.set_index("industry")
    assert list(p.index) == ["A", "B", "C"]
    assert p["patents"].tolist() == [30.0, 20.0, 50.0]
    assert p["employment"].isna().all() and p["intensity_per_10k"].isna().all() and p["decision"].notna().all()
    assert not p["reason"].str.contains(r"\d+\.\d\d").any()
    assert record["withheld_columns"] == ["employment", "intensity_per_10k"] and record["audit_pass"]
    # employment declared public (published categories): nothing to protect, no record
    public = {"confidentiality": {"employment_by_industry": "public"}}
    published, record = protect_identification(table, contributors, public)
    assert record is None and published["employment"].notna().all()
    # a register declared confidential: its counts are protected (B has one applicant), with a partner
    closed = {"confidentiality": {"register": "confidential", "employment_by_industry": "public"}}
    published, record = protect_identification(table, contributors, closed)
    p = published.set_index("industry")
    assert pd.isna(p.at["B", "patents"]) and pd.isna(p.at["B", "intensity_per_10k"])  # one applicant
    assert record["primary"] == 1 and record["secondary"] == 1 and record["audit_pass"]
    assert p["patents"].isna().sum() == 2 and (p["decision"].notna()).all()


def test_demo_employment_is_deterministic_and_guarded(tmp_path, small_demo):
    a, b = demo_employment(5_000, seed=3), demo_employment(5_000, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert set(a["industry_code"]) == set(industry_names().index) and len(set(a["industry_code"])) == 88
    assert a["status"].str.startswith("demo").all() and (a["employment"] >= 1).all()
    out = tmp_path / "demo"
    paths = write_demo(small_demo["register"], out, seed=3)
    assert paths["employment"].name == DEMO_FILES["employment"]
    emp = read_employment(paths["employment"])
    assert emp["year"].min() <= 2019 and emp["year"].max() >= 2023
    with pytest.raises(FileNotFoundError, match="employment file not found"):
        demo_if_missing(tmp_path / "real" / DEMO_FILES["employment"], small_demo["register"])
    target = tmp_path / "demo2" / DEMO_FILES["employment"]
    demo_if_missing(target, small_demo["register"])
    assert target.exists()
