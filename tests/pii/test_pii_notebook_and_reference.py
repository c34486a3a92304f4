"""The orchestrators on a small demo register and the shipped copies of the sources (the notebook's shape: tests/test_notebooks.py)."""

import pandas as pd

from ipstats import reference
from ipstats.pii import compute_identification, compute_value_added
from ipstats.pii.demo import write_demo


def test_orchestrators_on_a_small_demo(small_demo, tmp_path):
    employment = write_demo(small_demo["register"], tmp_path / "demo")["employment"]
    ident = compute_identification(small_demo["register"], employment, 2023, 3, sensitivity_windows=(2, 3))
    table = ident.result.table
    assert len(table) == 88 and table["intensive"].any() and not table["intensive"].all()
    assert ident.sensitivity["baseline"].sum() == 1 and "demo" in ident.employment_status
    hidden = ident.published["patents"].isna()
    assert hidden.sum() == ident.disclosure["primary"] + ident.disclosure["secondary"]
    va = compute_value_added(2024)
    assert va.year == 2023 and "2023" in va.note and va.gdp_status == "unverified"
    assert va.cagr["span"].iloc[0] == "2018–2022"


def test_shipped_series_are_the_gathered_sources(shared_reference):
    source = pd.read_csv(
        shared_reference / "published" / "pii_value_added_2018_2023.csv", dtype=str, keep_default_na=False
    )
    shipped = reference.pii_value_added()
    own = shipped[shipped["vintage"] == shipped["year"]].reset_index(drop=True)
    assert len(own) == len(source) and (own["source"] == source["source"]).all()
    values = pd.to_numeric(source["value_added_100m_yuan"])
    assert (own["value_added_100m_yuan"] == values).all()
    assert (own["value_status"] == source["value_status"]).all()
    gdp = pd.read_csv(shared_reference / "published" / "gdp_nominal_2018_2024.csv")
    assert reference.gdp_nominal()["gdp_100m_yuan"].tolist() == gdp["gdp_100m_yuan"].astype(float).tolist()
    assert set(reference.gdp_nominal()["status"]) == {"unverified"}


def test_names_follow_the_employment_file_and_a_user_concordance(tmp_path):
    from ipstats.pii.report import _names

    rules = tmp_path / "ipc_industry.csv"
    rules.write_text(
        "rule_id,category,category_name_zh,ipc_patterns,weight\nr1,3911,计算机整机制造,G06F*,1\n", encoding="utf-8"
    )
    employment = pd.DataFrame({"industry_code": ["3911", "2710"], "industry_name": ["", "化学药品原料药制造"]})
    names = _names(employment, str(rules), "")
    assert names["3911"] == "计算机整机制造" and names["2710"] == "化学药品原料药制造" and names["26"]
    assert _names(employment.drop(columns="industry_name"), "isi_nace2", "")["26"] == "计算机、电子和光学产品"
