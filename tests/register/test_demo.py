import json

import pandas as pd
import pytest

from ipstats import reference
from ipstats.register.appno import is_valid_application_number
from ipstats.register.demo import demo_if_missing, ensure_demo_data, generate_register


@pytest.fixture(scope="module")
def demo():
    return generate_register(patents=20_000, seed=5)


def test_same_seed_same_register():
    a, ai = generate_register(patents=2_000, seed=3)
    b, bi = generate_register(patents=2_000, seed=3)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(ai, bi)
    c, _ = generate_register(patents=2_000, seed=4)
    assert not a["application_number"].equals(c["application_number"])


def test_application_numbers_are_real_format_and_unique(demo):
    reg, _ = demo
    assert reg["application_number"].is_unique
    assert reg["application_number"].map(is_valid_application_number).all()
    digit = reg["application_number"].str[6]
    expected = {"发明": {"1", "8"}, "实用新型": {"2", "9"}, "外观设计": {"3"}}
    for ptype, digits in expected.items():
        assert set(digit[reg["patent_type"] == ptype]) <= digits
    assert (reg["application_number"].str[2:6].astype(int) == pd.to_datetime(reg["filing_date"]).dt.year).all()


def test_patent_type_proportions_are_realistic(demo):
    share = demo[0]["patent_type"].value_counts(normalize=True)
    assert 0.28 < share["发明"] < 0.42
    assert 0.38 < share["实用新型"] < 0.52
    assert 0.12 < share["外观设计"] < 0.26


def test_dates_are_consistent(demo):
    reg, _ = demo
    filing = pd.to_datetime(reg["filing_date"])
    assert (pd.to_datetime(reg["priority_date"]) <= filing).all()
    granted = reg["grant_date"].notna()
    assert (pd.to_datetime(reg.loc[granted, "grant_date"]) > filing[granted]).all()
    assert (pd.to_datetime(reg["grant_date"]).dropna() <= pd.Timestamp("2025-03-31")).all()
    lapsed = reg["lapse_date"].notna() & granted
    assert (pd.to_datetime(reg.loc[lapsed, "lapse_date"]) > pd.to_datetime(reg.loc[lapsed, "grant_date"])).all()
    valid = reg["legal_status"] == "有效"
    assert reg.loc[valid, "grant_date"].notna().all() and reg.loc[valid, "lapse_date"].isna().all()
    pending = reg["legal_status"] == "审中"
    assert reg.loc[pending, "grant_date"].isna().all()
    # inventions published ~18 months after priority; utility models and designs at grant
    inv = (reg["patent_type"] == "发明") & reg["publication_date"].notna()
    lag = (pd.to_datetime(reg.loc[inv, "publication_date"]) - pd.to_datetime(reg.loc[inv, "priority_date"])).dt.days
    assert lag.max() <= 548
    um = (reg["patent_type"] != "发明") & granted
    assert (reg.loc[um, "publication_date"] == reg.loc[um, "grant_date"]).all()
    expired = reg["legal_status"] == "失效-期限届满"
    years = (pd.to_datetime(reg.loc[expired, "lapse_date"]) - filing[expired]).dt.days / 365.25
    assert ((years > 9.9) & (years < 20.1)).all()


def test_ipc_codes_from_real_scheme_and_skewed(demo):
    reg, long = demo
    scheme = reference.ipc_scheme()
    current = set(scheme.loc[scheme["in_2026_01"], "symbol"])
    assert set(long["ipc"]) <= current
    per_patent = long.groupby("application_number").size()
    assert per_patent.between(1, 10).all()
    designs = reg["patent_type"] == "外观设计"
    assert reg.loc[designs, "ipc"].isna().all() and reg.loc[~designs, "ipc_main"].notna().all()
    assert reg.loc[designs, "locarno_class"].isin(reference.locarno_classes()["locarno_class"]).all()
    # main symbol is the first of the joined list and seq 1 of the long table
    assert (reg.loc[~designs, "ipc"].str.split(";").str[0] == reg.loc[~designs, "ipc_main"]).all()
    main = long[long["seq"] == 1].set_index("application_number")["ipc"]
    assert (main.reindex(reg.loc[~designs, "application_number"]).to_numpy() == reg.loc[~designs, "ipc_main"]).all()
    # computing, digital communication, electrical machinery, measurement, medical among the top subclasses
    inv_main = reg.loc[reg["patent_type"] == "发明", "ipc_main"].str[:4].value_counts()
    assert {"G06F", "H04L"} & set(inv_main.head(10).index)


def test_applicants_provinces_titles(demo):
    reg, _ = demo
    domestic = reg["province_code"].notna()
    assert set(reg.loc[domestic, "province_code"]) <= set(reference.provinces()["province_code"])
    assert (reg.loc[domestic, "origin_code"] == reg.loc[domestic, "province_code"]).all()
    abroad = reg.loc[~domestic, "origin_code"]  # 港澳台 (71, 81, 82) or an ISO country code
    assert set(abroad) <= set(reference.origins().query("alias_of == ''")["origin_code"]) - set(reg["province_code"])
    assert 0.03 < (~domestic).mean() < 0.15
    assert reg["province_code"].value_counts().index[0] == "44"
    share = reg["applicant_type"].value_counts(normalize=True)
    assert share.index[0] == "企业" and 0.6 < share["企业"] < 0.85
    assert reg["applicant_name"].str.len().ge(2).all()
    top = reg.loc[reg["applicant_type"] == "企业", "applicant_name"].value_counts()
    assert top.iloc[0] >= 10 * top.median()  # concentrated like real filings
    inv_titles = reg.loc[reg["patent_type"] != "外观设计", "title"]
    assert inv_titles.str.startswith("一种").all()


def test_write_and_ensure_demo_data(tmp_path):
    paths = ensure_demo_data(tmp_path / "demo", patents=1_500, seed=2)
    meta = json.loads(paths["meta"].read_text(encoding="utf-8"))
    assert meta["patents"] == 1_500 and meta["synthetic"] is True
    assert paths["sample"].read_bytes().startswith(b"\xef\xbb\xbf")
    pop = pd.read_csv(paths["population"], dtype={"province_code": str})
    assert pop["status"].str.startswith("demo").all() and len(pop["province_code"].unique()) == 31
    mtime = paths["register"].stat().st_mtime_ns
    assert ensure_demo_data(tmp_path / "demo", patents=1_500, seed=2)["register"].stat().st_mtime_ns == mtime
    ensure_demo_data(tmp_path / "demo", patents=1_600, seed=2)
    assert json.loads(paths["meta"].read_text(encoding="utf-8"))["patents"] == 1_600


def test_demo_if_missing_refuses_real_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        demo_if_missing(tmp_path / "office" / "register.parquet", 1000)
    demo_if_missing(tmp_path / "demo" / "register.parquet", 1000)
    assert (tmp_path / "demo" / "register.parquet").exists()


def test_rejects_bad_size():
    with pytest.raises(ValueError, match="positive"):
        generate_register(patents=0)
