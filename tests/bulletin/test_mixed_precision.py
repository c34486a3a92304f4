"""A percentage column published partly with one decimal, partly with two (the PII share of GDP: 11.6 % for 2018
and 2019, 11.97 % from 2020) prints every cell as published in the CSV, tables.xlsx and bulletin.pdf: 11.6 and
12.44, never 11.60; a share or growth computed at full precision is one decimal everywhere."""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest

from ipstats.bulletin import record_table, write_workbook
from ipstats.bulletin.pdf import print_html
from ipstats.bulletin.precision import excel_format, format_published, published_decimals, shown_decimals

HISTORY = pd.DataFrame(
    {
        "year": [2018, 2019, 2020, 2021],
        "share_of_gdp_pct": [11.6, 11.6, 11.97, 12.44],  # as announced
        "change_pp": [float("nan"), 0.0, 0.37, 0.47],
        "growth_pct": [float("nan"), 7.0412, 5.8149, 17.8876],  # computed: one decimal
        "share_pct": [19.0234, 28.95, 10.3, 8.1],
    }
)


@pytest.mark.parametrize(
    "value, digits, expected",
    [
        (11.6, 2, "11.6"),
        (12.44, 2, "12.44"),
        (0.0, 2, "0.0"),
        (7.0, 2, "7.0"),
        (-0.04, 1, "0.0"),
        (12.4, 1, "12.4"),
        (5.0, 0, "5"),
        (3.125, 3, "3.125"),
        (3.1, 3, "3.1"),
        (3.12, 3, "3.12"),
    ],
)
def test_a_percentage_shows_the_decimals_it_was_published_with(value, digits, expected):
    assert format_published(value, "pct", digits) == expected


def test_other_kinds_keep_the_column_decimals():
    assert shown_decimals(11.6, "money", 2) == 2 and format_published(1234.5, "money", 2) == "1,234.50"
    assert format_published(0.5, "fractional", 2) == "0.50"
    assert excel_format("pct", 1) == "0.0" and excel_format("pct", 2) == "0.0#" and excel_format("pct", 0) == "0"
    assert excel_format("money", 2) == "#,##0.00"


def _published(tmp_path):
    record_table(
        HISTORY,
        "history",
        title="全国专利密集型产业增加值及占GDP比重",
        unit="%；百分点",
        source="公告",
        output_dir=tmp_path,
    )
    with open(tmp_path / "tables" / "history.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return rows


def test_csv_excel_and_pdf_agree(tmp_path):
    rows = _published(tmp_path)
    assert [r["share_of_gdp_pct"] for r in rows] == ["11.6", "11.6", "11.97", "12.44"]
    assert [r["change_pp"] for r in rows] == ["", "0.0", "0.37", "0.47"]
    assert [r["growth_pct"] for r in rows] == ["", "7.0", "5.8", "17.9"]
    assert [r["share_pct"] for r in rows] == ["19.0", "29.0", "10.3", "8.1"]
    for column, expected in [("share_of_gdp_pct", 2), ("growth_pct", 1), ("share_pct", 1)]:
        assert published_decimals(column, HISTORY[column]) == expected

    book = openpyxl.load_workbook(write_workbook(tmp_path / "tables", tmp_path / "tables.xlsx"))
    ws = book[book.sheetnames[1]]
    header = [c.value for c in ws[3]]
    formats = {h: ws.cell(row=5, column=i + 1).number_format for i, h in enumerate(header)}  # 2019: no gaps
    assert sorted(formats.values()).count("0.0#") == 2 and sorted(formats.values()).count("0.0") == 2

    page = print_html(
        tmp_path,
        title="t",
        year=2023,
        region="national",
        sections=[{"name": "10", "title": "PII", "tables": ["history"], "figures": []}],
    )
    cells = [c.split("<")[0] for c in page.split('<td class="n">')[1:]]
    assert cells[:5] == ["2018", "11.6", "—", "—", "19.0"]  # 2018: no change or growth (— not applicable)
    assert "11.60" not in page and "12.44" in page and "0.37" in page and "17.9" in page
    for row in rows:  # every printed number is the CSV's
        for column in ("share_of_gdp_pct", "change_pp", "growth_pct", "share_pct"):
            if row[column]:
                assert row[column] in cells
