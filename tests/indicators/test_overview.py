import math

import pandas as pd
import pytest

from ipstats import reference
from ipstats.display import with_labels
from ipstats.indicators.narrative import half_up
from ipstats.indicators.formulas import growth_pct
from ipstats.indicators.overview import compute_overview, province_table, type_summary
from ipstats.register.regions import region_name


def cube(rows):
    return pd.DataFrame(rows, columns=["year", "patent_type", "count"])


def test_growth_pct():
    assert growth_pct(110, 100) == pytest.approx(10.0)
    assert math.isnan(growth_pct(5, 0))
    s = growth_pct(pd.Series([10, 5]), pd.Series([0, 4]))
    assert math.isnan(s[0]) and s[1] == pytest.approx(25.0)


def test_type_summary_adds_total_and_growth():
    apps = cube([(2022, "发明", 100), (2023, "发明", 120), (2023, "实用新型", 50), (2022, "实用新型", 50)])
    grants = cube([(2023, "发明", 10)])
    stock = cube([(2022, "发明", 40), (2023, "发明", 50)])
    out = type_summary(apps, grants, stock, 2023).set_index("patent_type")
    assert list(out.index) == ["发明", "实用新型", "合计"]
    assert out.loc["合计", "applications"] == 170
    assert out.loc["合计", "applications_growth_pct"] == pytest.approx(170 / 150 * 100 - 100)
    assert out.loc["发明", "valid_stock_growth_pct"] == pytest.approx(25.0)
    assert math.isnan(out.loc["发明", "grants_growth_pct"])  # nothing granted the year before
    assert out.loc["实用新型", "valid_stock"] == 0


def population(years=(2022, 2023)):
    codes = reference.provinces()["province_code"]
    return pd.DataFrame(
        [(c, y, 100.0 + i) for i, c in enumerate(codes) for y in years],
        columns=["province_code", "year", "population_10k"],
    )


def test_province_table_per_10k_and_rank():
    stock = pd.DataFrame(
        [(2023, "11", 500), (2023, "44", 300), (2022, "11", 400)], columns=["year", "province_code", "count"]
    )
    empty = stock.iloc[:0]
    out = province_table(stock, empty, empty, population(), 2023).set_index("province_code")
    assert len(out) == 31
    assert out.loc["11", "per_10k"] == pytest.approx(500 / 100.0)
    assert out.loc["11", "rank"] == 1 and out.loc["44", "rank"] == 2
    assert out.loc["11", "valid_invention_growth_pct"] == pytest.approx(25.0)
    assert out.loc["12", "per_10k"] == 0


def test_province_table_needs_population():
    stock = pd.DataFrame([(2023, "11", 5)], columns=["year", "province_code", "count"])
    with pytest.raises(ValueError, match="no 2022 figure"):
        province_table(stock, stock, stock, population(years=(2023,)), 2023)


def test_region_name():
    assert region_name("national") == "全国" and region_name("44") == "广东省"
    with pytest.raises(ValueError, match="province code"):
        region_name("99")


def test_compute_overview_matches_pandas(small_demo):
    """Backtest: the overview's numbers equal a direct pandas computation on the same register."""
    ov = compute_overview(str(small_demo["register"]), str(small_demo["population"]), 2023)
    reg = pd.read_parquet(small_demo["register"])
    filing, grant = pd.to_datetime(reg["filing_date"]), pd.to_datetime(reg["grant_date"])
    lapse = pd.to_datetime(reg["lapse_date"])
    end = pd.Timestamp("2023-12-31")
    valid = (grant <= end) & (lapse.isna() | (lapse > end))
    summary = ov.summary.set_index("patent_type")
    assert summary.loc["合计", "applications"] == (filing.dt.year == 2023).sum()
    assert summary.loc["合计", "grants"] == (grant.dt.year == 2023).sum()
    assert summary.loc["发明", "valid_stock"] == (valid & (reg["patent_type"] == "发明")).sum()
    pop = pd.read_csv(small_demo["population"], dtype={"province_code": str})
    # per capita: 国内（不含港澳台） valid inventions (first applicant in a province) over the population
    domestic = valid & (reg["patent_type"] == "发明") & reg["province_code"].notna()
    national = domestic.sum() / pop.loc[pop["year"] == 2023, "population_10k"].sum()
    assert ov.headline["per_10k"] == pytest.approx(national)
    assert f"{half_up(national, 1):.1f}件" in ov.paragraph  # one decimal, as CNIPA prints it
    assert int(ov.provinces["valid_invention_patents"].sum()) == domestic.sum()
    assert domestic.sum() < summary.loc["发明", "valid_stock"]  # the demo has foreign applicants
    assert set(ov.trend["year"]) == set(range(2014, 2024))
    assert "申请量" in with_labels(ov.summary).columns


def test_compute_overview_for_a_province(small_demo):
    ov = compute_overview(str(small_demo["register"]), str(small_demo["population"]), 2023, "44")
    reg = pd.read_parquet(small_demo["register"])
    gd = reg[reg["province_code"] == "44"]
    assert (
        ov.summary.set_index("patent_type").loc["合计", "applications"]
        == (pd.to_datetime(gd["filing_date"]).dt.year == 2023).sum()
    )
    assert ov.region_name == "广东省" and "居全国第" in ov.paragraph


def test_register_tables_are_published_whole(tmp_path):
    """The register is public by law: 西藏 and 青海 are published in the national and in their own runs."""
    from ipstats.indicators.overview import compute_overview
    from ipstats.register.demo import write_demo_data

    write_demo_data(tmp_path, patents=20_000, seed=2024)
    national = compute_overview(str(tmp_path / "register.parquet"), str(tmp_path / "population.csv"), 2023)
    assert national.disclosure is None and national.summary_disclosure is None
    table = national.provinces_published.set_index("province_code")
    counts = ["invention_applications", "invention_grants", "valid_invention_patents", "per_10k"]
    assert table[counts].notna().all().all() and len(table) == 31
    assert "经统计数据保密处理" not in national.paragraph
    tibet = compute_overview(str(tmp_path / "register.parquet"), str(tmp_path / "population.csv"), 2023, "54")
    assert tibet.summary_disclosure is None
    assert tibet.summary_published[["applications", "grants", "valid_stock"]].notna().all().all()
    assert "保密处理" not in tibet.paragraph and "每万人口发明专利拥有量" in tibet.paragraph


def test_province_run_protects_its_by_type_table_of_a_confidential_register(tmp_path):
    """Declared confidential, a province's by-type table has its small cells suppressed; the text skips them."""
    from ipstats.indicators.overview import compute_overview
    from ipstats.register.demo import write_demo_data

    write_demo_data(tmp_path, patents=20_000, seed=2024)
    closed = {"confidentiality": {"register": "confidential"}}
    ov = compute_overview(
        str(tmp_path / "register.parquet"), str(tmp_path / "population.csv"), 2023, "54", disclosure=closed
    )
    record = ov.summary_disclosure
    # 西藏's 合计 is itself a single applicant's: no pattern protects a cell whose published total it is, and
    # the record says so instead of hiding it
    assert record is not None and record["primary"] >= 1
    assert not record["audit_pass"] and any(not c["protected"] for c in record["suppressed"])
    published = ov.summary_published.set_index("patent_type")
    assert published.loc["合计", "applications"] == ov.summary.set_index("patent_type").loc["合计", "applications"]
    for cell in record["suppressed"]:
        assert pd.isna(published.loc[cell["row"], cell["col"]])
        assert f"{cell['row']}专利申请" not in ov.paragraph or cell["col"] != "applications"
    national = compute_overview(
        str(tmp_path / "register.parquet"), str(tmp_path / "population.csv"), 2023, disclosure=closed
    )
    assert national.summary_disclosure is None and national.disclosure["primary"] >= 1
    assert list(national.provinces_published["province_code"]) == sorted(national.provinces_published["province_code"])
    assert "rank" not in national.provinces_published.columns
