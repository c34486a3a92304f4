"""DuckDB reads a CSV file itself only where it reads it as the Python reader does: the same cells, row numbers
and chunks, or it leaves the file to the Python reader.

Each case is a small file with one of the shapes real extracts have; ``fast`` says whether DuckDB must read it
(a well-formed file that DuckDB left to Python would pass unnoticed as slow) or must leave it (a shape on which
the two readers differ).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ipstats.validate import readers
from ipstats.validate.duck import _Engine
from ipstats.validate.duck_csv import stage_csv
from ipstats.validate.schema import load_schema

pytest.importorskip("duckdb")

HEAD = "申请号,名称,备注\n"
CASES = {
    # name: (text after the header, encoding, fast)
    "plain": ("CN1,一种装置,\nCN2,方法,甲\n", "utf-8", True),
    "crlf": ("CN1,一种装置,\r\nCN2,方法,甲\r\n", "utf-8", True),
    "quoted_commas": ('CN1,"装置,及其方法",\nCN2,"a, b",乙\n', "utf-8", True),
    "doubled_quotes": ('CN1,"称为""智能""的装置",\n', "utf-8", True),
    "quote_inside_cell": ('CN1,x"y,z\nCN2,a"b"c,d\nCN3,ab",e\n', "utf-8", True),
    "quoted_last_cell": ('CN1,a,"b,c"\nCN2,"",""\n', "utf-8", True),
    "tab_delimited": ('CN1\t"a\tb"\tc\nCN2\tx\t\n', "utf-8", True),
    "newline_in_quotes": ('CN1,"两行\n的名称",\nCN2,b,c\nCN3,"三\n行\n名",d\n', "utf-8", True),
    "crlf_newline_in_quotes": ('CN1,"两行\r\n的名称",\r\nCN2,b,c\r\n', "utf-8", True),
    "empty_quoted": ('CN1,"",x\n', "utf-8", True),
    "blank_rows_of_cells": ("CN1,a,b\n,,\n , ,\u3000\nCN2,c,d\n", "utf-8", True),
    "no_final_newline": ("CN1,a,b\nCN2,c,d", "utf-8", True),
    "bom": ("CN1,a,b\n", "utf-8-sig", True),
    "gbk": ('CN1,"一种,装置",备注\nCN2,方法,\n', "gbk", True),
    "gb18030": ("CN1,𠀀装置,\n", "gb18030", True),
    "nul_and_control": ("CN1,a\x00b,c\x07\n", "utf-8", True),
    "empty_line": ("CN1,a,b\n\nCN2,c,d\n", "utf-8", False),
    "space_before_quote": ('CN1, "a",b\n', "utf-8", False),
    "space_after_quote": ('CN1,"a" ,b\n', "utf-8", False),
    "space_after_last_quote": ('CN1,a,"b"  ', "utf-8", False),
    "spaced_quotes_inside_cells": ('CN1,x "y" z,c\nCN2,"a "" b",c\nCN3,"称为 ""智能"" 的",d\n', "utf-8", True),
    "text_after_quote": ('CN1,"a"b,c\n', "utf-8", False),
    "unterminated_quote": ('CN1,"a,b\nCN2,c,d\n', "utf-8", False),
    "short_row": ("CN1,a\nCN2,c,d\n", "utf-8", False),
    "long_row": ("CN1,a,b,c\n", "utf-8", False),
    "lone_cr": ("CN1,a\rb,c\n", "utf-8", False),
    "mixed_endings": ("CN1,a,b\r\nCN2,c,d\n", "utf-8", False),
    "bad_byte": (None, "utf-8", False),
}


def _rows(engine) -> list[tuple]:
    return engine.con.execute("SELECT * FROM src ORDER BY _line").fetchall()


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("name", list(CASES))
def test_duckdb_reads_a_csv_as_the_python_reader_or_not_at_all(tmp_path, monkeypatch, name, streamed):
    text, encoding, fast = CASES[name]
    path = tmp_path / f"{name}.csv"
    if streamed:  # the reader decodes the start of the file and streams the rest, as for a large file, by
        monkeypatch.setattr(readers, "SAMPLE_BYTES", 20)  # blocks so small that every pattern spans two
        monkeypatch.setattr(readers, "DECODE_BYTES", 3)
    if text is None:  # a byte that is not UTF-8 after the first rows (the encoding is found on the first bytes)
        monkeypatch.setattr(readers, "SAMPLE_BYTES", 64)
        path.write_bytes((HEAD + "CN1,a,b\n" * 30).encode() + b"CN2,\xff,c\n")
    else:
        head = HEAD.replace("\n", "\r\n") if text.endswith("\r\n") else HEAD
        head = head.replace(",", "\t") if "\t" in text else head
        path.write_bytes((head + text).encode(encoding))
    schema = load_schema("patent_register")
    try:
        readers.open_table(path)
    except readers.ReadError:  # refused before any row is staged (streamed: GB18030 taken for GBK, a lone \r)
        assert streamed
        return
    results = []
    for reader in ("duckdb", "python"):
        source = readers.open_table(path)
        engine = _Engine(schema, None, None)
        try:
            if reader == "duckdb":
                starts = stage_csv(engine.con, source, Path(engine.folder.name))
                assert (starts is not None) == fast, f"DuckDB {'did not read' if fast else 'read'} {name}"
                if starts is None:
                    return
            else:
                problems: list = []
                engine.stage(source, problems)
                assert not problems and not source.shape_problems
                starts = engine.chunk_starts.tolist()
            results.append((_rows(engine), starts))
        finally:
            engine.close()
    assert results[0] == results[1]


def test_row_numbers_and_chunks_over_many_rows(tmp_path, monkeypatch):
    """Rows after quoted line breaks and skipped blank rows keep the Python reader's numbers, and the chunks
    start on the same rows (they order the notes on normalised cells)."""
    monkeypatch.setattr(readers, "CHUNK_ROWS", 7)
    lines = []
    for i in range(60):
        lines.append(f'CN{i},"名称\n第{i}行",x' if i % 9 == 0 else (",," if i % 11 == 0 else f"CN{i},名称{i},"))
    path = tmp_path / "many.csv"
    path.write_text(HEAD + "\n".join(lines) + "\n", encoding="utf-8")
    schema = load_schema("patent_register")
    out = []
    for reader in ("duckdb", "python"):
        engine = _Engine(schema, None, None)
        source = readers.open_table(path)
        try:
            if reader == "duckdb":
                starts = stage_csv(engine.con, source, Path(engine.folder.name))
            else:
                engine.stage(source, [])
                starts = engine.chunk_starts.tolist()
            out.append((_rows(engine), starts))
        finally:
            engine.close()
    assert out[0] == out[1]
    assert len(out[0][1]) > 5 and out[0][0][-1][0] == 1 + 60 + 7  # 60 rows and 7 line breaks after the header


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7])
def test_spaces_next_to_a_quote_are_found_across_blocks(tmp_path, monkeypatch, size):
    from ipstats.validate.duck_csv import _scan

    monkeypatch.setattr(readers, "DECODE_BYTES", size)
    path = tmp_path / "r.csv"
    for text, found in [
        ('CN1,  "a",b\n', True),
        ('CN1,"a"   ,b\n', True),
        ('CN1,"a"  \n', True),
        ('CN1,a,"b"   ', True),
        ("CN1,x  \"y\" z,c\n", False),
        ('CN1,"a ""  b",c\n', False),
    ]:
        path.write_bytes((HEAD + text).encode("utf-8"))
        assert (_scan(path, "utf-8", ",", None) is None) == found, (text, size)
