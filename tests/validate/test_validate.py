"""ipstats.validate: schemas, readers, checks and the bulletin's input mapping (unit level; the CLI corpus is in
tests/bad_inputs)."""

from __future__ import annotations

import codecs
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ipstats import reference
from ipstats.validate import (
    INPUT_SCHEMAS,
    load_schema,
    parse_dates,
    schema_for_input,
    schema_names,
    validate_file,
    validate_inputs,
)
from ipstats.validate import readers
from ipstats.validate.readers import ReadError, decode_text
from ipstats.validate.schema import PACKAGED, REPOSITORY, SUFFIX

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "bad_inputs"
#: schemas this stage owns: every field carries a Chinese and English title and description
OWN = ("patent_register", "patent_register_ipc", "population", "concordance_rules", "concordance_categories")


@pytest.mark.parametrize("name", schema_names())
def test_every_schema_loads(name):
    schema = load_schema(name)
    assert schema.fields and schema.title


@pytest.mark.parametrize("name", OWN)
def test_own_schemas_are_bilingual(name):
    for fld in load_schema(name).fields:
        raw = fld.title.split(" / ")
        assert len(raw) == 2 and any("\u4e00" <= ch <= "\u9fff" for ch in raw[0]), fld.name
    text = (REPOSITORY / f"{name}{SUFFIX}").read_text(encoding="utf-8")
    import yaml

    for raw in yaml.safe_load(text)["fields"]:
        description = raw.get("description", "")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in description) and any(
            ch.isascii() and ch.isalpha() for ch in description
        ), raw["name"]


@pytest.mark.parametrize("name", ["patent_register", "population"])
def test_province_enum_is_the_reference_code_list(name):
    enum = load_schema(name).field("province_code").constraints["enum"]
    assert enum == list(reference.provinces()["province_code"].astype(str))


def test_packaged_copies_match_data_schemas():
    """The wheel's copies (ipstats/validate/data/schemas) are data_schemas/ as it is: run
    `python -m ipstats.validate sync-schemas` after editing a schema."""
    if not REPOSITORY.is_dir():
        pytest.skip("no data_schemas/ folder (installed package)")
    ours = {p.name: p.read_bytes() for p in REPOSITORY.glob(f"*{SUFFIX}")}
    packaged = {p.name: p.read_bytes() for p in PACKAGED.glob(f"*{SUFFIX}")}
    stale = sorted(n for n in ours.keys() | packaged.keys() if ours.get(n) != packaged.get(n))
    assert not stale, f"packaged schema copies differ from data_schemas/: {stale}"


def test_demo_data_validates_clean(tmp_path):
    """What `ipstats demo-data` writes passes its schemas (the bulletin checks it before every demo run)."""
    from ipstats.register.demo import write_demo_data

    paths = write_demo_data(tmp_path, patents=3000, seed=7)
    reports, notes = validate_inputs(
        {"register": paths["register"], "register_ipc": paths["register_ipc"], "population": paths["population"]}
    )
    assert notes == []
    for key, report in reports.items():
        assert report.ok, (key, report.lines()[:5])
        assert report.rows > 0
    assert validate_file(paths["sample"], "patent_register").ok


@pytest.mark.parametrize(
    "system", sorted(p.name for p in (ROOT / "ipstats" / "concordance" / "data").iterdir() if p.is_dir())
)
def test_shipped_concordance_tables_validate(system):
    folder = ROOT / "ipstats" / "concordance" / "data" / system
    categories = validate_file(folder / "categories.csv", "concordance_categories")
    rules = validate_file(
        folder / "rules.csv", "concordance_rules", references={"concordance_categories": folder / "categories.csv"}
    )
    assert categories.ok, categories.lines()[:3]
    assert rules.ok, rules.lines()[:3]
    assert not rules.notes  # the foreign key to the categories was checked


def test_chinese_date_forms():
    parsed = parse_dates(
        pd.Series(
            [
                "2023-05-01",
                "2023/5/1",
                "20230501",
                "2023年5月1日",
                "2023-5-1",
                "2023.05.01",
                "2023.5.1",
                " 2023年05月01日 ",
                "2023-05-01\n",
                "2023-02-29",
                "5/1/2023",
                "2023.5",
                "２０２３-05-01",
                "٢٠٢٣-05-01",
                "",
                "2023-05-01x",
            ]
        )
    )
    assert parsed.iloc[:9].dt.strftime("%Y-%m-%d").tolist() == ["2023-05-01"] * 9
    assert parsed.iloc[9:].isna().all()  # full-width digits are NFKC-normalised before, in normalise_cells


@pytest.mark.parametrize(
    "encoding, expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gbk"), ("gb18030", "gb18030")]
)
def test_encoding_detection(encoding, expected):
    text = "申请号,专利类型\nCN1,发明\n" + ("㐀" if encoding == "gb18030" else "")
    decoded, used = decode_text(text.encode(encoding))
    assert decoded == text and used == expected


def test_undecodable_text_names_the_byte():
    with pytest.raises(ReadError, match="byte 0x80 at offset 2"):
        decode_text(b"ab\x80\x80")


def _register_csv(path: Path, rows: list[str]) -> Path:
    header = (BAD / "register" / "valid.csv").read_text(encoding="utf-8").splitlines()[0]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _valid_rows() -> list[str]:
    return (BAD / "register" / "valid.csv").read_text(encoding="utf-8").splitlines()[1:]


def test_row_numbers_count_quoted_line_breaks(tmp_path):
    rows = _valid_rows()
    first = rows[0].replace(",一种方法", ',"一种方法\n（续）"')
    bad = rows[1].replace(",企业,32,", ",企业,99,")
    report = validate_file(_register_csv(tmp_path / "r.csv", [first, bad]), "patent_register")
    assert report.lines() == [
        f"{tmp_path / 'r.csv'}:4: province_code: '99' — expected one of 11, 12, 13, 14, …, 65 "
        f"(31 values listed in the schema)"
    ]


def test_problems_beyond_the_limit_are_counted(tmp_path):
    base = _valid_rows()[1]
    rows = [base.replace("CN202220000007.3", f"CN2022200{i:05d}").replace(",企业,32,", ",企业,99,") for i in range(30)]
    report = validate_file(_register_csv(tmp_path / "r.csv", rows), "patent_register", max_problems=5)
    assert len(report.problems) == 5 and report.n_problems == 60  # 30 bad numbers, 30 bad provinces
    assert report.summary().endswith(
        "(schema patent_register, first 5 listed); by field: application_number 30, province_code 30"
    )
    assert [p.line for p in report.problems] == [2, 2, 3, 3, 4]


def test_keys_and_row_numbers_across_chunks(tmp_path, monkeypatch):
    """Duplicates are found across reading chunks and reported with the rows of the file."""
    monkeypatch.setattr(readers, "CHUNK_ROWS", 2)
    rows = _valid_rows()
    report = validate_file(_register_csv(tmp_path / "r.csv", [*rows, rows[0]]), "patent_register")
    assert report.lines() == [
        f"{tmp_path / 'r.csv'}:5: application_number: 'CN202310123456.6' — expected a unique "
        f"value (primary key; already in row 2)"
    ]


def test_credit_code_format_uses_register_uscc(tmp_path):
    pytest.importorskip("ipstats.register.uscc")
    schema = tmp_path / "enterprises.schema.yaml"
    schema.write_text(
        "title: 企业 / Enterprises\nfields:\n  - {name: credit_code, type: string, format: uscc}\n", encoding="utf-8"
    )
    data = tmp_path / "e.csv"
    data.write_text("credit_code\n91350100M000100Y43\n91350100M000100Y40\n", encoding="utf-8")
    report = validate_file(data, schema)
    assert report.lines() == [
        f"{data}:3: credit_code: '91350100M000100Y40' — expected a unified social credit code "
        f"(统一社会信用代码) — this one check character is '0', expected '3' (GB 32100-2015)"
    ]


def test_columns_by_chinese_title_in_a_workbook_below_a_title_row(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2023年分省年末常住人口"])
    sheet.append(["省份代码", "年份", "年末常住人口（万人）"])
    sheet.append(["11", 2023, 2185.8])
    sheet.append(["44", 2023, -1])
    book.save(tmp_path / "p.xlsx")
    report = validate_file(tmp_path / "p.xlsx", "population")
    assert report.lines() == [f"{tmp_path / 'p.xlsx'}:4: population_10k: '-1' — expected more than 0"]
    assert "column '省份代码' read as province_code" in report.notes


def test_input_keys_map_to_schemas():
    assert schema_for_input("register") == "patent_register"
    assert schema_for_input("population") == "population"
    assert schema_for_input("no_such_input") is None
    for key, name in INPUT_SCHEMAS.items():
        assert name in schema_names(), key


def test_bulletin_inputs_check_foreign_keys_between_inputs(tmp_path):
    register = BAD / "register" / "valid.csv"
    links = tmp_path / "links.csv"
    links.write_text(
        "application_number,ipc,seq\nCN202310123456.6,H04L29/06,1\nCN202010000099.0,A01B1/00,1\n", encoding="utf-8"
    )
    reports, notes = validate_inputs({"register": register, "register_ipc": links, "notes": register})
    assert reports["register"].ok
    assert reports["register_ipc"].lines() == [
        f"{links}:3: application_number: 'CN202010000099.0' — expected a "
        f"value found in column application_number of patent_register "
        f"({register})"
    ]
    assert notes == ["input 'notes' has no schema in data_schemas/ (expected notes.schema.yaml): not checked"]


def test_cli_help_and_unknown_schema():
    help_text = subprocess.run(
        [sys.executable, "-m", "ipstats", "validate", "--help"], capture_output=True, text=True, timeout=120
    )
    assert help_text.returncode == 0 and "--schema" in help_text.stdout and "file:row" in help_text.stdout
    out = subprocess.run(
        [sys.executable, "-m", "ipstats", "validate", str(BAD / "register" / "valid.csv"), "--schema", "registre"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.startswith("ipstats validate: no schema named 'registre' (known: ")
    assert out.stderr.count("\n") == 1


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_any_bytes_give_a_report_not_an_exception(tmp_path, suffix):
    """Whatever a file holds, validation answers with problems (one line each), never a Python error."""
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    header = (BAD / "register" / "valid.csv").read_bytes().splitlines()[0]

    @hypothesis.settings(max_examples=60, deadline=None)
    @hypothesis.given(st.binary(max_size=400), st.booleans())
    def check(body: bytes, with_header: bool):
        path = tmp_path / f"x{suffix}"
        path.write_bytes((header + b"\n" if with_header else b"") + body)
        report = validate_file(path, "patent_register")
        assert not report.ok and report.summary().startswith(f"{path}: ")  # random bytes are never a register
        assert all("\n" not in line for line in report.lines())

    check()


def test_csv_is_read_as_a_stream_after_its_first_bytes(tmp_path, monkeypatch):
    """The encoding is found on the start of the file; the rest is streamed, and a change of encoding later in
    the file is one problem naming the row."""
    monkeypatch.setattr(readers, "SAMPLE_BYTES", 300)
    rows = _valid_rows()
    path = _register_csv(tmp_path / "r.csv", rows)
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("gbk"))
    assert validate_file(path, "patent_register").ok
    path.write_bytes(
        text.encode("utf-8") + rows[0].replace("CN202310123456.6", "CN202310123457.0").encode("gbk") + b"\n"
    )
    report = validate_file(path, "patent_register")
    assert report.lines()[0].startswith(f"{path}: not utf-8 text in row 5 (byte 0x")
    assert report.lines()[0].endswith("expected one encoding throughout the file (declare it with --encoding)")


def _lines_one_by_one(path, encoding: str) -> list[str]:
    """The lines as the reader decoded them until 2026-12-07: the bytes split at line feeds, one decoder."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as fh:
        return [decoder.decode(raw) for raw in fh]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
@pytest.mark.parametrize("size", [1, 7, 64, 1 << 20])
def test_csv_decoded_by_blocks_gives_the_lines_decoded_one_by_one(tmp_path, monkeypatch, encoding, size):
    """A CSV file is decoded by blocks cut at line feeds: the same lines (\\r\\n, a lone \\r, an unterminated last
    line, a BOM only at the start, a line longer than a block), and a bad byte names its row and offset."""
    monkeypatch.setattr(readers, "DECODE_BYTES", size)
    text = "申请号,名称\r\nCN1,一种装置\r\nCN2,\"两行\n的名称\"\nCN3,旧式\r换行\n" + "CN4," + "长" * 300 + "\nCN5,末行"
    if encoding.startswith("utf"):
        text = text.replace("旧式", "\ufeff旧式")  # a BOM character inside the file is kept
    path = tmp_path / "r.csv"
    path.write_bytes(text.encode(encoding))
    lines = _lines_one_by_one(path, encoding)
    assert list(readers._decoded_lines(path, encoding)) == lines
    data = text.encode(encoding)
    bad = data.index(b"CN4,") + 4 + 2 * len("长".encode("gbk" if encoding.startswith("gb") else "utf-8"))  # row 6
    path.write_bytes(data[:bad] + b"\xff\xff" + data[bad:])
    got = []
    with pytest.raises(readers.ReadError) as caught:
        got.extend(readers._decoded_lines(path, encoding))
    assert str(caught.value).startswith(f"not {encoding} text in row 6 (byte 0xFF at offset {bad})")
    assert got == lines[:5]  # the rows before it are read, as line by line
