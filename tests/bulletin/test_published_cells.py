"""Cells of published files: formula text guarded in CSV and Excel, floats at a fixed precision, stable bytes."""

from __future__ import annotations

import csv
import io
import time
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ipstats.bulletin.record import record_table
from ipstats.bulletin.tables import write_workbook
from ipstats.cells import guard_text, is_formula_text, stable_floats, unguard_text, write_csv
from ipstats.display import show_table


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+1+1",
        "-1+cmd|' /C calc'!A0",
        "@SUM(A1)",
        "\tfoo",
        "\r=1",
        "'=x",
        "-",
        "=HYPERLINK(\"https://evil.example/\",\"x\")",
    ],
)
def test_formula_text_is_guarded_and_restored(text):
    assert is_formula_text(text)
    guarded = guard_text(text)
    assert guarded == "'" + text and unguard_text(guarded) == text


@pytest.mark.parametrize("text", ["-3", "+1.5e3", "-0.25", "华为", "a=b", " =1", "", "'quoted"])
def test_numbers_and_plain_text_are_left_alone(text):
    assert not is_formula_text(text)
    assert guard_text(text) == text and unguard_text(text) == text


def test_csv_quotes_guarded_cells_and_keeps_numbers():
    df = pd.DataFrame(
        {
            "name": ['=HYPERLINK("https://evil.example/","点")', "-2", "ok,x", None],
            "growth_pct": [-1.5, -0.0, 1 / 3, np.nan],
            "count": [1, -2, 3, 4],
        }
    )
    buffer = io.StringIO()
    write_csv(df, buffer)
    lines = buffer.getvalue().splitlines()
    assert lines[1] == '"\'=HYPERLINK(""https://evil.example/"",""点"")",-1.5,1'
    assert lines[2] == "-2,0.0,-2"  # -0 written as 0; numbers unquoted
    assert lines[3] == '"ok,x",0.3333333333,3'
    back = pd.read_csv(io.StringIO(buffer.getvalue()))
    assert back["growth_pct"].dtype == float and back["count"].tolist() == [1, -2, 3, 4]


def test_csv_without_guarded_cells_is_plain_to_csv():
    df = pd.DataFrame({"a": ["x", "y,z", 'q"'], "b": [1.25, 2.0, 3.5], "c": [1, 2, 3]})
    buffer = io.StringIO()
    write_csv(df, buffer)
    assert buffer.getvalue() == df.to_csv(index=False)


def test_stable_floats_absorb_summation_order():
    terms = np.random.default_rng(1).random(1000) / 3
    forward, backward = float(np.sum(terms)), float(sum(terms[::-1].tolist()))
    assert forward != backward  # the noise the rounding is there for
    assert stable_floats(pd.Series([forward])).iloc[0] == stable_floats(pd.Series([backward])).iloc[0]
    tiny = stable_floats(pd.Series([-1e-14, 1e-14, -0.0, 12345678901.25, np.nan]))
    assert tiny.iloc[:3].tolist() == [0.0, 0.0, 0.0] and not np.signbit(tiny.iloc[:3]).any()
    assert tiny.iloc[3] == 12345678901.25 and np.isnan(tiny.iloc[4])  # large values keep their cents


def test_show_table_never_shows_minus_zero():
    html = show_table(pd.DataFrame({"growth_pct": [-0.001, -1e-15, -1.0]})).to_html()
    assert "-0.00" not in html and "-1.00" in html


def test_workbook_string_cells_and_stable_bytes(tmp_path):
    df = pd.DataFrame(
        {
            "applicant_name": ['=HYPERLINK("https://evil.example/","x")', "+1+1", "华为"],
            "count": [1, -2, 3],
            "growth_pct": [-1.5, 0.0, 2.25],
        }
    )
    record_table(df, "t", title="=标题", unit="件", source="@来源", notes=["-注"], output_dir=tmp_path)
    first = write_workbook(tmp_path / "tables", tmp_path / "a.xlsx").read_bytes()
    time.sleep(2.1)  # zip entries have a 2-second clock
    second = write_workbook(tmp_path / "tables", tmp_path / "b.xlsx").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"dcterms:modified" not in archive.read("docProps/core.xml")
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value: c.data_type for c in cells}
    assert values['=HYPERLINK("https://evil.example/","x")'] == "s" and values["+1+1"] == "s"
    assert values["=标题"] == "s" and values["资料来源：@来源"] == "s"
    assert values[-2] == "n" and values[-1.5] == "n"
    rows = list(csv.reader((tmp_path / "tables" / "t.csv").open(encoding="utf-8-sig", newline="")))
    assert rows[1][0] == "'=HYPERLINK(\"https://evil.example/\",\"x\")" and rows[2][:2] == ["'+1+1", "-2"]
