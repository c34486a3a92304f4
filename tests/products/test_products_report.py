"""The round report: tables, disclosure control, Chinese summary built from the tables (notebook 30's shape: tests/test_notebooks.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ipstats.products.demo import write_demo
from ipstats.products.io import ProductDataError
from ipstats.products.report import compute_products, format_wan_yuan, labelled

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def files(small_demo, tmp_path_factory) -> dict:
    return {**write_demo(small_demo["register"], tmp_path_factory.mktemp("report")), "register": small_demo["register"]}


@pytest.fixture(scope="module")
def report(files):
    return compute_products(
        files["products"], files["links"], files["register"], 2024, systems=("cnipa_sei_2021", "cnipa_green_tech")
    )


def test_tables_are_consistent(report):
    rounds = report.rounds.set_index("filing_year")
    assert list(rounds.index) == [2023, 2024]
    panel = report.panel.set_index("scope")
    assert panel.at["all", "products"] == rounds.at[2024, "recognised"]
    assert panel.at["all", "output_value"] == pytest.approx(rounds.at[2024, "output_value"])
    assert report.patents.set_index("filing_year").at[2024, "products"] == rounds.at[2024, "recognised"]
    for table in (report.sections, report.divisions, report.provinces):
        total = table.iloc[-1]
        assert total.iloc[1] == "合计" and total["products"] == rounds.at[2024, "recognised"]
        assert total["output_value"] == pytest.approx(rounds.at[2024, "output_value"])
        assert table["products"].iloc[:-1].sum() == rounds.at[2024, "recognised"]  # counts are public: all shown
        codes = list(table.iloc[:-1, 0])
        assert codes == sorted(codes)  # protected tables by code, no ranking
    assert set(report.disclosure) == {"rounds", "panel", "sections", "divisions", "provinces"}
    assert all(r["audit_pass"] for r in report.disclosure.values())
    # one linked set, one pattern for every table (and every run)
    assert len({r["pattern_sha256"] for r in report.disclosure.values()}) == 1
    assert report.detail["disclosure_audit"]["protected"].all()
    assert set(report.categories) == {"cnipa_sei_2021", "cnipa_green_tech"}


def test_paragraph_numbers_come_from_the_tables(report):
    text = report.paragraph
    rounds = report.rounds.set_index("filing_year")
    assert f"认定专利密集型产品{int(rounds.at[2024, 'recognised']):,}件" in text
    assert format_wan_yuan(rounds.at[2024, "output_value"]) in text
    assert f"增长{rounds.at[2024, 'output_growth_pct']:.1f}%" in text
    panel = report.panel.set_index("scope")
    assert f"两批均获认定的{int(panel.at['panel', 'products']):,}件产品总产值增长" in text
    assert f"{report.patents.iloc[-1]['valid_share_pct']:.1f}%" in text
    top = (
        report.provinces.iloc[:-1]
        .dropna(subset=["products"])
        .sort_values("products", ascending=False, kind="stable")
        .iloc[0]
    )
    assert f"{top['province']}（{int(top['products']):,}件）" in text
    # no number in the text that the tables do not hold: every figure is followed by a unit or %
    assert not re.search(r"nan|None", text)


def test_key_numbers_are_stable_text(report):
    lines = report.key_numbers().splitlines()
    assert lines[0] == "2024年批次 全国" and lines[1].startswith("备案 ")


def test_region_run(files):
    rep = compute_products(files["products"], files["links"], files["register"], 2024, region="44", systems=())
    assert rep.provinces is None and rep.region_name == "广东省"
    assert "从地区看" not in rep.paragraph


def test_first_round_has_no_growth(files):
    rep = compute_products(files["products"], files["links"], files["register"], 2023, systems=())
    assert "2022年批次没有认定产品，不计算增长" in rep.paragraph and "同一产品口径" not in rep.paragraph


def test_round_without_products_is_explained(files):
    with pytest.raises(ValueError, match="no product recognised .* in round 2030"):
        compute_products(files["products"], files["links"], files["register"], 2030, systems=())


def test_bad_links_stop_the_report(files, tmp_path):
    bad = tmp_path / "links.csv"
    bad.write_text(
        files["links"].read_text(encoding="utf-8-sig") + "PIP000001,CN201710601862.3,core\n", encoding="utf-8"
    )
    with pytest.raises(ProductDataError, match="not in it"):
        compute_products(files["products"], bad, files["register"], 2024, systems=())


def test_labelled_keeps_years_as_text(report):
    shown = labelled(report.rounds)
    assert "批次" in shown.columns and shown["批次"].tolist() == ["2023", "2024"]
    assert labelled(report.panel)["统计范围"].iloc[1] == "同一产品（两批均获认定）"


def test_format_wan_yuan():
    assert format_wan_yuan(123456.0) == "12.35亿元"
    assert format_wan_yuan(8765.4) == "8,765万元"


def test_region_with_few_enterprises_withholds_money(files):
    from ipstats.products.io import read_products

    table = read_products(files["products"])
    rec = table[(table["status"] == "认定") & (table["filing_year"] == 2024)]
    smallest = rec.groupby("province_code")["credit_code"].nunique().sort_values(kind="stable")
    province = smallest.index[0]
    assert smallest.iloc[0] < 3, "the demo should have a province with fewer than 3 enterprises"
    rep = compute_products(files["products"], files["links"], files["register"], 2024, region=province, systems=())
    assert rep.money_withheld
    assert "不予公布" in rep.paragraph and "亿元" not in rep.paragraph and "万元" not in rep.paragraph
    assert rep.rounds.set_index("filing_year").loc[2024, ["output_value", "sales_revenue"]].isna().all()
    for table_ in (rep.sections, rep.divisions):
        assert table_["output_value"].isna().all()
    assert rep.concentration.set_index("measure").loc["output_value"].drop("enterprises").isna().all()
    assert "不予公布" in rep.key_numbers()
    national = compute_products(files["products"], files["links"], files["register"], 2024, systems=())
    # the provincial run publishes the national run's pattern: its province row is hidden there too
    assert rep.disclosure["rounds"]["pattern_sha256"] == national.disclosure["provinces"]["pattern_sha256"]
    assert national.provinces.set_index("province_code").loc[province, ["output_value", "sales_revenue"]].isna().all()
    big = compute_products(files["products"], files["links"], files["register"], 2024, region="44", systems=())
    assert not big.money_withheld


def test_region_without_products_is_an_empty_report(files):
    from ipstats.products.io import read_products

    present = set(read_products(files["products"]).query("status == '认定' and filing_year == 2024")["province_code"])
    from ipstats import reference

    absent = sorted(set(reference.provinces()["province_code"]) - present)
    if not absent:
        pytest.skip("every province has a recognised product in this demo")
    rep = compute_products(files["products"], files["links"], files["register"], 2024, region=absent[0], systems=())
    assert rep.empty and rep.paragraph.endswith("没有认定的专利密集型产品。")
    assert rep.key_numbers().splitlines()[1] == "无认定产品"
    assert rep.divisions.empty and "division_name" in rep.divisions.columns
