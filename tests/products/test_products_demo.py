"""The demo product tables: deterministic, valid, linked to the register, calibrated to the public facts."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ipstats.products.demo import DEMO_FILES, NATIONAL_RECOGNISED_2024, demo_if_missing, write_demo
from ipstats.products.indicators import panel_growth, rounds_summary
from ipstats.products.io import read_links, read_products
from ipstats.register.uscc import is_valid_credit_code


@pytest.fixture(scope="module")
def demo(small_demo, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("products_demo")
    return {**write_demo(small_demo["register"], out), "register": small_demo["register"]}


def test_same_seed_same_files(demo, small_demo, tmp_path):
    again = write_demo(small_demo["register"], tmp_path)
    for name in ("products", "links"):
        assert again[name].read_bytes() == demo[name].read_bytes()
    other = write_demo(small_demo["register"], tmp_path / "other", seed=7)
    assert other["products"].read_bytes() != demo["products"].read_bytes()


def test_tables_pass_validation_and_link_to_the_register(demo):
    products = read_products(demo["products"])
    links = read_links(demo["links"], products, register=demo["register"])  # raises on any bad record
    assert products["credit_code"].map(is_valid_credit_code).all()
    assert set(links["product_id"]) == set(products["product_id"])
    register = pd.read_parquet(demo["register"], columns=["application_number", "patent_type", "applicant_name"])
    joined = links.merge(register, on="application_number").merge(
        products.drop_duplicates("product_id")[["product_id", "enterprise_name"]], on="product_id"
    )
    assert len(joined) == len(links)
    assert joined["patent_type"].isin(["发明", "实用新型"]).all()
    assert (joined["applicant_name"] == joined["enterprise_name"]).all()  # patents of the same applicant
    assert links.groupby("product_id")["role"].apply(lambda r: (r == "core").any()).all()


def test_one_credit_code_per_enterprise(demo):
    products = read_products(demo["products"])
    assert products.groupby("enterprise_name")["credit_code"].nunique().eq(1).all()
    assert products.groupby("credit_code")["enterprise_name"].nunique().eq(1).all()
    # the province in the code is the enterprise's province
    assert (products["credit_code"].str[2:4] == products["province_code"]).all()


def test_calibration_rounds_and_panel(demo):
    products = read_products(demo["products"])
    meta = json.loads(demo["meta"].read_text(encoding="utf-8"))
    assert meta["synthetic"] is True and "非真实统计" in meta["note"]
    assert meta["rounds"] == [2023, 2024]
    assert meta["recognised_scaled"] == round(NATIONAL_RECOGNISED_2024 * meta["sampling_fraction"])
    summary = rounds_summary(products).set_index("filing_year")
    assert summary.loc[2024, "recognised"] == max(meta["recognised_scaled"], meta["min_products"])
    for column in ("recognised_growth_pct", "output_growth_pct", "export_growth_pct"):
        assert summary.loc[2024, column] > 100 / 3, column  # "each rose by more than a third"
    panel = panel_growth(products, 2024).set_index("scope")
    assert panel.loc["panel", "products"] >= 0.5 * summary.loc[2023, "recognised"]
    assert panel.loc["panel", "output_growth_pct"] < panel.loc["all", "output_growth_pct"]
    assert set(products["status"]) == {"认定", "未通过", "备案"}
    assert (products["export_value"] <= products["sales_revenue"] + 0.1).all()


def test_demo_if_missing_writes_only_demo_folders(small_demo, tmp_path):
    folder = tmp_path / "demo"
    paths = folder / DEMO_FILES["products"], folder / DEMO_FILES["links"]
    demo_if_missing(*paths, small_demo["register"])
    assert paths[0].exists() and paths[1].exists()
    stamp = paths[0].stat().st_mtime_ns
    demo_if_missing(*paths, small_demo["register"])  # present: left alone
    assert paths[0].stat().st_mtime_ns == stamp
    real = tmp_path / "official"
    with pytest.raises(FileNotFoundError, match="product data file not found"):
        demo_if_missing(real / "products.csv", real / "product_patent_links.csv", small_demo["register"])
    with pytest.raises(FileNotFoundError):
        demo_if_missing(folder / "other.csv", folder / DEMO_FILES["links"], small_demo["register"])


def test_needs_two_rounds(small_demo, tmp_path):
    with pytest.raises(ValueError, match="at least two rounds"):
        write_demo(small_demo["register"], tmp_path, rounds=(2024,))


def test_demo_files_pass_the_schema_check(demo):
    validate = pytest.importorskip("ipstats.validate", reason="the schema validator (ipstats.validate) is absent")
    reports, _ = validate.validate_inputs(
        {"products": demo["products"], "product_links": demo["links"], "register": demo["register"]}
    )
    # register_ipc.parquet beside the register is checked too (an implicit input: it drives classification)
    assert {key: r.n_problems for key, r in reports.items()} == {
        "products": 0,
        "product_links": 0,
        "register": 0,
        "register_ipc": 0,
    }
