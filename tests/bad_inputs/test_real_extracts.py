"""Real-extract shapes (issues 16 and 25): each form reads exactly as it validates, or gives one line and nothing.

The clean forms of extract/ (mixed date forms, Chinese and extra headers, full-width codes, GBK, an .xlsx with a
title row, Parquet) must read as the same typed table as extract/canonical.csv; every bad case of cases.yaml
must make read_input and typed_parquet raise the validator's first line and leave nothing in the cache.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from binary_cases import build_extract_cases  # noqa: E402

from ipstats.validate import InputError, read_input, typed_parquet, validate_file  # noqa: E402

CLEAN = [
    "extract/valid.csv",
    "extract/fullwidth_codes.csv",
    "extract/gbk_mixed_dates.csv",
    "extract/title_row.xlsx",
    "extract/canonical.parquet",
]
BAD = [c for c in yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8")) if c["file"].startswith("extract/")]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("extracts")
    shutil.copytree(HERE / "extract", out / "extract")
    build_extract_cases(out)
    return out


@pytest.fixture(scope="module")
def canonical(folder) -> pd.DataFrame:
    return read_input(folder / "extract/canonical.csv", "patent_register")


@pytest.mark.parametrize("name", CLEAN)
def test_clean_forms_read_as_the_canonical_register(folder, canonical, name, tmp_path):
    report = validate_file(folder / name, "patent_register")
    assert report.ok, report.lines()
    table = read_input(folder / name, "patent_register")
    assert list(table.columns[: len(canonical.columns)]) == list(canonical.columns)
    pd.testing.assert_frame_equal(table[canonical.columns], canonical)
    assert table["filing_date"].tolist() == [pd.Timestamp(d) for d in ("2004-01-02", "2004-01-05", "2004-01-10")]
    extra = [c for c in table.columns if c not in canonical.columns]
    if name.endswith((".csv", ".xlsx")):
        assert extra == ["发明人", "代理机构"]  # kept, as text
        assert table["代理机构"].tolist() == ["某某专利事务所", None, None]
    typed = pd.read_parquet(typed_parquet(folder / name, "patent_register", tmp_path))
    assert typed["filing_date"].map(lambda d: d.isoformat()).tolist() == ["2004-01-02", "2004-01-05", "2004-01-10"]
    assert typed["application_number"].tolist() == canonical["application_number"].tolist()


def test_normalised_codes_are_noted(folder):
    notes = validate_file(folder / "extract/fullwidth_codes.csv", "patent_register").notes
    assert (
        "locarno_class: 1 cell(s) normalised — spaces/line breaks stripped, full-width forms (NFKC) or names read "
        "as codes (first: row 4, '１４' read as '14')" in notes
    )


def test_names_are_read_as_codes_and_columns_mapped(tmp_path):
    """#16 item 2: 江苏省 / 江苏 → 32, 发明专利 → 发明, 日本 → JP, a column mapping for an export's own header."""
    import pandas as pd

    from ipstats.validate import load_schema, read_input

    header = (
        "application_number,patent_type,filing_date,priority_date,publication_date,grant_date,legal_status,"
        "lapse_date,ipc_main,ipc,locarno_class,applicant_name,applicant_type,国省代码,申请人国别,title"
    )
    rows = [
        "CN202310123456.6,发明专利,2023-01-02,,,,审中,,H04L29/06,H04L29/06,,某某大学,大专院校,江苏省,江苏,一种方法",
        "CN202220000007.3,实用新型专利,2022-03-04,,2022-08-09,2022-08-09,有效,,B60L53/00,B60L53/00,,某某株式会社,"
        "企业,,日本,一种装置",
    ]
    path = tmp_path / "export.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="gbk")
    schema = load_schema("patent_register").with_columns({"国省代码": "province_code", "申请人国别": "origin_code"})
    report = validate_file(path, schema)
    assert report.ok, report.lines()
    assert any(
        n.startswith("province_code: 1 cell(s) normalised") and "'江苏省' read as '32'" in n for n in report.notes
    )
    table = read_input(path, schema)
    assert table["patent_type"].tolist() == ["发明", "实用新型"] and table["applicant_type"].tolist() == [
        "高校",
        "企业",
    ]
    assert table["origin_code"].tolist() == ["32", "JP"]
    assert pd.isna(table["province_code"].iloc[1]) and table["province_code"].iloc[0] == "32"
    # the mapping is part of the cache key: the same file without it does not validate
    assert not validate_file(path, "patent_register").ok


@pytest.mark.parametrize("case", BAD, ids=[c["id"] for c in BAD])
def test_bad_extracts_read_nothing(folder, case, tmp_path):
    first = (
        case["first"].replace("{today}", dt.date.today().isoformat()).replace("extract/", str(folder) + "/extract/", 1)
    )
    with pytest.raises(InputError) as err:
        read_input(folder / case["file"], "patent_register")
    assert str(err.value).split(" (and ")[0] == first
    cache = tmp_path / "cache"
    with pytest.raises(InputError):
        typed_parquet(folder / case["file"], "patent_register", cache)
    assert list(cache.iterdir()) == []  # nothing half-written, no temporary file left


def test_typed_parquet_is_cached_by_content(folder, tmp_path):
    source = tmp_path / "register.csv"
    shutil.copy(folder / "extract/valid.csv", source)
    first = typed_parquet(source, "patent_register", tmp_path / "cache")
    assert typed_parquet(source, "patent_register", tmp_path / "cache") == first
    source.write_text(source.read_text(encoding="utf-8").replace("一种方法", "一种新方法"), encoding="utf-8")
    second = typed_parquet(source, "patent_register", tmp_path / "cache")
    assert second != first and pd.read_parquet(second)["title"].iloc[0] == "一种新方法"
    # a Parquet already in the typed form is used as it is once it validates
    assert (
        typed_parquet(folder / "extract/canonical.parquet", "patent_register", tmp_path / "cache")
        == folder / "extract/canonical.parquet"
    )


def test_repeated_problems_are_summarised_by_field_and_names_suggested(tmp_path):
    """#16 item 2: an unknown value beginning with one province name gets the code as a hint; when not every
    problem is listed, the summary line counts them by field."""
    header = "application_number,patent_type,filing_date,legal_status,applicant_name,applicant_type,province_code"
    rows = ["CN202310123456.6,发明,2023-01-02,审中,某某大学,高校,江苏省南京市"] * 3 + [
        f"CN202310123457.{i},发明,2023-13-0{i},审中,某某公司,企业,44" for i in range(2)
    ]
    path = tmp_path / "r.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    report = validate_file(path, "patent_register", max_problems=2)
    assert report.lines()[0].endswith(
        "province_code: '江苏省南京市' — expected one of 11, 12, 13, 14, …, 65 "
        "(31 values listed in the schema); 江苏省 is 32"
    )
    summary = report.summary()
    assert "first 2 listed" in summary and "; by field: " in summary
    assert "province_code 3" in summary and "filing_date 2" in summary
