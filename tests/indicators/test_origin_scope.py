"""全国 = 国内（不含港澳台） + 港澳台 + 国外 (#16 item 3): origin in the register, scope in the tables and text."""

from __future__ import annotations

import pandas as pd
import pytest

from ipstats import reference
from ipstats.indicators.overview import compute_overview
from ipstats.engines import connect
from ipstats.register.origin import SCOPE_LABELS, scoped_view

MEASURES = ["applications", "grants", "valid_stock"]


@pytest.fixture(scope="module")
def overview(small_demo):
    return compute_overview(str(small_demo["register"]), str(small_demo["population"]), 2023)


def test_parts_add_up_to_nationwide(overview):
    table = overview.scopes.set_index(["scope", "patent_type"])
    nationwide = table.loc["全国", MEASURES]
    parts = sum(table.loc[label, MEASURES] for label in SCOPE_LABELS.values())
    pd.testing.assert_frame_equal(parts, nationwide)
    # 全国 is the overview's own by-type table
    summary = overview.summary.set_index("patent_type")[MEASURES]
    pd.testing.assert_frame_equal(nationwide, summary)


def test_per_capita_counts_domestic_patents_only(overview):
    domestic = overview.scopes.set_index(["scope", "patent_type"]).loc[("国内（不含港澳台）", "发明"), "valid_stock"]
    assert overview.provinces["valid_invention_patents"].sum() == domestic
    assert overview.headline["per_10k"] == pytest.approx(domestic / overview.provinces["population_10k"].sum())


def test_demo_has_realistic_foreign_shares(overview):
    """CNIPA, end-2023: 401.5万 of 499.1万 valid inventions are 国内（不含港澳台） (80.4 %)."""
    inv = overview.scopes[overview.scopes["patent_type"] == "发明"].set_index("scope")["valid_stock"]
    share = inv["国内（不含港澳台）"] / inv["全国"]
    assert 0.72 < share < 0.88
    assert 0.005 < inv["港澳台"] / inv["全国"] < 0.05


def test_origin_table_names_countries_and_shares(overview):
    table = overview.origins
    assert set(table["scope"]) == {"港澳台", "国外"}
    assert set(table.loc[table["scope"] == "港澳台", "origin_code"]) <= {"71", "81", "82"}
    foreign = table[table["scope"] == "国外"]
    assert foreign["origin"].iloc[0] in {"日本", "美国"}
    assert foreign["share_pct"].sum() == pytest.approx(100.0)
    inv = overview.scopes.set_index(["scope", "patent_type"]).loc[("国外", "发明"), "valid_stock"]
    assert foreign["valid_invention_patents"].sum() == inv


def test_paragraph_names_each_scope(overview):
    text = overview.paragraph
    assert "授权发明专利中，国内（不含港澳台）" in text and "港澳台" in text and "国外" in text
    assert "按国内（不含港澳台）有效发明专利计，每万人口发明专利拥有量" in text


def test_province_run_has_no_scope_table(small_demo):
    ov = compute_overview(str(small_demo["register"]), str(small_demo["population"]), 2023, region="44")
    assert ov.scopes is None and ov.origins is None
    assert "国外" not in ov.paragraph


def test_register_without_origin_is_domestic():
    con = connect()
    con.register("register", pd.DataFrame({"province_code": ["44", "11"], "patent_type": ["发明", "发明"]}))
    scoped_view(con)
    assert con.execute("SELECT DISTINCT scope FROM register_scoped").fetchall() == [("domestic",)]


def test_every_origin_code_has_a_scope():
    con = connect()
    codes = reference.origins().query("alias_of == ''")
    con.register("register", codes.assign(province_code=None))
    scoped_view(con)
    got = con.execute("SELECT origin_code, scope FROM register_scoped").df().set_index("origin_code")["scope"]
    expected = codes.set_index("origin_code")["scope"].map(
        {"国内": "domestic", "港澳台": "hk_mo_tw", "国外": "foreign"}
    )
    pd.testing.assert_series_equal(got, expected, check_names=False)


def test_register_with_origins_validates():
    """Foreign (JP) and 港澳台 (81) first applicants have an empty province_code; a mainland origin equals it."""
    from pathlib import Path

    from ipstats.validate import validate_file

    path = Path(__file__).resolve().parents[1] / "bad_inputs" / "register" / "valid_with_origin.csv"
    report = validate_file(path, "patent_register")
    assert report.ok, report.lines()
