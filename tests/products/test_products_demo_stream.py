"""The demo product tables of a streamed register: enterprises counted over the file, valid, linked, deterministic.

The register is written in blocks of 5,000 applications (``STREAM_BLOCK`` patched at write time, so it is made
of independent blocks as a national-size one is); the demo is then drawn with ``STREAM_BLOCK`` patched again
(the register is not held: DuckDB counts its enterprises) and with the default block size (read whole).
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import ipstats.register.demo as register_demo
from ipstats.products.demo import _enterprises, _enterprises_of_file, write_demo
from ipstats.products.indicators import rounds_summary
from ipstats.products.io import read_links, read_products
from ipstats.register.demo import write_demo_data
from ipstats.register.uscc import is_valid_credit_code

BLOCK = 5_000
PATENTS = 20_000


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(register_demo, "STREAM_BLOCK", BLOCK)
        paths = write_demo_data(
            tmp_path_factory.mktemp("products_stream_register"), patents=PATENTS, seed=23, domains=False
        )
    return paths["register"]


def _streamed(register, out, seed=2024):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(register_demo, "STREAM_BLOCK", BLOCK)
        assert register_demo.is_streamed(register)
        return write_demo(register, out, seed=seed)


@pytest.fixture(scope="module")
def streamed(register, tmp_path_factory):
    return _streamed(register, tmp_path_factory.mktemp("products_streamed"))


@pytest.fixture(scope="module")
def whole(register, tmp_path_factory):
    assert not register_demo.is_streamed(register)
    return write_demo(register, tmp_path_factory.mktemp("products_whole"))


def test_enterprises_of_the_file_are_those_of_the_register_in_memory(register):
    columns = ["application_number", "patent_type", "grant_date", "applicant_name"]
    columns += ["applicant_type", "province_code", "ipc_main"]
    expected = _enterprises(pd.read_parquet(register, columns=columns), 2023)
    assert len(expected) > 100
    pd.testing.assert_frame_equal(_enterprises_of_file(register, 2023), expected)


def _tie_register(path):
    """Hand-made rows: ties, rows left out, a firm of one patent (file order is the row order here)."""
    granted, late = dt.date(2020, 5, 1), dt.date(2023, 2, 1)
    rows = [
        # 甲: 2 patents in 31 and 2 in 11, 31 met first; 2 in division 35 (A01B) and 2 in 14 (A01H), 35 met first
        ("甲", "企业", "发明", granted, "31", "A01B 1/00"),
        ("甲", "企业", "实用新型", granted, "11", "A01H 1/00"),
        ("甲", "企业", "发明", granted, "11", "A01B 3/00"),
        ("甲", "企业", "发明", granted, "31", "A01H 5/00"),
        # 乙: 44 by two, no or a short main class gives division 39; late grants, designs, pending and
        # applications without a province are not counted
        ("乙", "企业", "发明", granted, "44", None),
        ("乙", "企业", "发明", granted, "11", "A01H 1/00"),
        ("乙", "企业", "发明", granted, "44", "X"),
        ("乙", "企业", "发明", late, "11", "A01H 1/00"),
        ("乙", "企业", "发明", late, "11", "A01H 1/00"),
        ("乙", "企业", "外观设计", granted, "11", None),
        ("乙", "企业", "发明", None, "11", "A01H 1/00"),
        ("乙", "企业", "发明", granted, None, "A01H 1/00"),
        # 丙: one patent; 丁 is a university; a nameless applicant
        ("丙", "企业", "发明", granted, "32", "A01H 1/00"),
        ("丁", "高校", "发明", granted, "32", "A01H 1/00"),
        ("丁", "高校", "发明", granted, "32", "A01H 1/00"),
        (None, "企业", "发明", granted, "32", "A01H 1/00"),
        (None, "企业", "发明", granted, "32", "A01H 1/00"),
    ]
    names = ["applicant_name", "applicant_type", "patent_type", "grant_date", "province_code", "ipc_main"]
    frame = pd.DataFrame(rows, columns=names)
    frame.insert(0, "application_number", [f"CN2019{i:07d}.X" for i in range(len(frame))])
    schema = pa.schema([(c, pa.date32() if c == "grant_date" else pa.string()) for c in frame.columns])
    pq.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False), path)
    return frame


def test_most_common_province_and_division_go_to_the_value_met_first(tmp_path):
    frame = _tie_register(tmp_path / "register.parquet")
    ours = _enterprises_of_file(tmp_path / "register.parquet", 2023)
    pd.testing.assert_frame_equal(ours, _enterprises(frame, 2023), check_dtype=False)
    assert ours.to_dict("index") == {
        "乙": {"patents": 3, "province_code": "44", "division": "39"},
        "甲": {"patents": 4, "province_code": "31", "division": "35"},
    }


def test_streamed_tables_validate_and_link_to_the_register(streamed, register):
    from ipstats.validate import validate_file

    products = read_products(streamed["products"])
    links = read_links(streamed["links"], products, register=register)  # raises on any bad record
    for key, schema in (("products", "products"), ("links", "product_patent_links")):
        report = validate_file(
            streamed[key], schema, references={"products": streamed["products"], "patent_register": register}
        )
        assert report.n_problems == 0, report.problems
    numbers = set(pd.read_parquet(register, columns=["application_number"])["application_number"])
    assert set(links["application_number"]) <= numbers
    assert set(links["product_id"]) == set(products["product_id"])
    assert not links.duplicated(["product_id", "application_number"]).any()
    assert not products.duplicated(["product_id", "filing_year"]).any()


def test_one_credit_code_per_enterprise_and_links_to_its_patents(streamed, register):
    products = read_products(streamed["products"])
    assert products["credit_code"].map(is_valid_credit_code).all()
    assert products.groupby("enterprise_name")["credit_code"].nunique().eq(1).all()
    assert products.groupby("credit_code")["enterprise_name"].nunique().eq(1).all()
    assert (products["credit_code"].str[2:4] == products["province_code"]).all()
    links = read_links(streamed["links"], products)
    patents = pd.read_parquet(register, columns=["application_number", "patent_type", "grant_date", "applicant_name"])
    joined = links.merge(patents, on="application_number").merge(
        products.drop_duplicates("product_id")[["product_id", "enterprise_name"]], on="product_id"
    )
    assert len(joined) == len(links)
    assert (joined["applicant_name"] == joined["enterprise_name"]).all()
    assert joined["patent_type"].isin(["发明", "实用新型"]).all() and joined["grant_date"].notna().all()
    assert links.groupby("product_id")["role"].apply(lambda r: (r == "core").any()).all()


def test_same_seed_same_files(streamed, register, tmp_path):
    again = _streamed(register, tmp_path / "again")
    other = _streamed(register, tmp_path / "other", seed=7)
    for name in ("products", "links", "meta"):
        assert again[name].read_bytes() == streamed[name].read_bytes(), name
    assert other["products"].read_bytes() != streamed["products"].read_bytes()


def test_scale_and_totals_are_those_of_the_register_read_whole(streamed, whole):
    meta = [json.loads(p["meta"].read_text(encoding="utf-8")) for p in (streamed, whole)]
    assert meta[0] == meta[1] and meta[0]["register_patents"] == PATENTS
    products = [read_products(p["products"]) for p in (streamed, whole)]
    summaries = [rounds_summary(p).set_index("filing_year")["recognised"] for p in products]
    pd.testing.assert_series_equal(*summaries)  # the recognised products are the targets of both
    # links per product: min(pool, 2 + Poisson(4)), a variance of at most 4 per product; the means of two
    # independent draws over about 500 products differ by less than 5 standard deviations (5·√(2·4/500) ≈ 0.63)
    per_product = [read_links(p["links"], q).groupby("product_id").size() for p, q in zip((streamed, whole), products)]
    bound = 5 * np.sqrt(4 / len(per_product[0]) + 4 / len(per_product[1]))
    assert abs(per_product[0].mean() - per_product[1].mean()) < bound
