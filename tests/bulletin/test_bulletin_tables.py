"""write_workbook: one formatted sheet per recorded table, plus a contents sheet."""

from __future__ import annotations

import openpyxl
import pandas as pd

from ipstats.bulletin import record_table, write_workbook
from ipstats.display import LABELS


def test_workbook_layout_and_formats(tmp_path):
    df = pd.DataFrame(
        {
            "province_code": ["11", "44"],
            "region": ["01", "44"],
            "applications": [1234567, 89],
            "per_10k": [12.3456, 0.5],
            "growth_pct": [3.25, -1.5],
            "share %": [10.0, 90.0],
            "name": ["北京市", "广东省"],
        }
    )
    record_table(
        df, "b_table", title="分省表", unit="件", source="测试来源", notes=["注一。", "注二。"], output_dir=tmp_path
    )
    record_table(
        df.head(1),
        "a_table_with_a_very_long_name_beyond_31_chars",
        title="长名表",
        unit="万人",
        source="来源",
        output_dir=tmp_path,
    )
    path = write_workbook(tmp_path / "tables", tmp_path / "tables.xlsx")
    wb = openpyxl.load_workbook(path)
    # recorded first, numbered first: sheets are named by number and Chinese title, in bulletin order
    assert wb.sheetnames == ["目录", "表1 分省表", "表2 长名表"]
    contents = wb["目录"]
    assert [contents.cell(row=r, column=3).value for r in (4, 5)] == ["分省表", "长名表"]
    assert contents.cell(row=4, column=4).value == "件" and contents.cell(row=5, column=6).value.startswith("a_table")

    ws = wb["表1 分省表"]
    assert ws["A1"].value == "表1　分省表"
    assert ws["A2"].value == "单位：件"
    assert [c.value for c in ws[3]] == [LABELS.get(c, c) for c in df.columns]  # Chinese labels where known
    assert ws["A3"].font.bold
    assert ws.freeze_panes == "A4"
    # codes stay text with their leading zero; numbers are numbers with formats
    assert ws["A4"].value == "11" and ws["B4"].value == "01"
    assert ws["C4"].value == 1234567 and ws["C4"].number_format == "#,##0"
    assert ws["D4"].value == 12.3 and ws["D4"].number_format == "#,##0.0"  # per 10,000: one decimal
    # growth as recorded (two decimals kept: rounded upstream; -1.5 shown as -1.5, not -1.50), shares one decimal
    assert ws["E4"].number_format == ws["E5"].number_format == "0.0#" and ws["F4"].number_format == "0.0"
    assert ws["G5"].value == "广东省"
    assert ws["A6"].value is None  # blank row after the data
    assert ws["A7"].value == "资料来源：测试来源"
    assert ws["A8"].value == "注：注一。" and ws["A9"].value == "注：注二。"
    assert ws.column_dimensions["C"].width >= len("1,234,567")


def test_empty_tables_folder(tmp_path):
    path = write_workbook(tmp_path / "missing", tmp_path / "tables.xlsx")
    assert openpyxl.load_workbook(path).sheetnames == ["目录"]


def test_suppressed_cells_and_flags_read_back(tmp_path):
    """A protected table shows "×" where its record suppresses a cell and "—" for another missing cell, with the
    legend of both; derived / unverified numbers stay numbers with a mark."""
    protected = pd.DataFrame(
        {"province_code": ["11", "44", "65"], "applications": [1200, None, None], "per_10k": [5.25, None, 0.5]}
    )
    record_table(
        protected,
        "protected",
        title="分省表",
        unit="件",
        source="测试",
        notes=["人口为年末数。"],
        output_dir=tmp_path,
        disclosure={
            "rules": {"min_contributors": 3},
            "audit_pass": True,
            "suppressed": [{"row": "44", "col": "applications", "status": "primary"}],
        },
    )
    written = pd.read_csv(tmp_path / "tables" / "protected.csv", encoding="utf-8-sig", dtype=str)
    assert written["applications"].tolist() == ["1200", "×", "—"] and written["per_10k"].tolist() == [
        "5.25",
        "×",
        "0.5",
    ]
    series = pd.DataFrame(
        {
            "year": [2022, 2023],
            "value_added_100m_yuan": [153_000.5, 161_000.0],
            "value_status": ["published", "derived"],
            "gdp": [1_204_724.0, 1_260_582.1],
            "gdp_status": ["unverified", "published"],
            "gdp_share_pct": [12.7, 12.77],
            "share_of_gdp_pct": [12.7, 12.77],
            "industry": ["09", "28"],
            "intensive": [True, False],
        }
    )
    record_table(
        series,
        "series",
        title="增加值",
        unit="亿元；%",
        source="公告",
        output_dir=tmp_path,
        labels={"value_added_100m_yuan": "增加值（亿元）", "not_a_column": "x"},
    )
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "tables", tmp_path / "tables.xlsx"))

    ws = wb["表1 分省表"]
    assert [ws.cell(row=r, column=2).value for r in (4, 5, 6)] == [1200, "×", "—"]
    assert ws["C5"].value == "×"  # derived from the suppressed cell
    assert ws["B4"].number_format == "#,##0"  # a count, not 1,200.00
    # two decimals already (rounded upstream): kept as recorded
    assert ws["C4"].value == 5.25 and ws["C6"].value == 0.5 and ws["C6"].number_format == "#,##0.00"
    notes = [ws.cell(row=r, column=1).value for r in range(8, 12)]
    assert notes[:3] == ["资料来源：测试", "注：人口为年末数。", "注：“×”表示涉及保密不予公布；“—”表示不适用。"]
    assert ws.print_title_rows == "$3:$3"

    ws = wb["表2 增加值"]
    header = [c.value for c in ws[3]]
    value = header.index("增加值（亿元）") + 1  # the table's own label
    status, gdp, gdp_status = (header.index(LABELS.get(c, c)) + 1 for c in ("value_status", "gdp", "gdp_status"))
    assert ws.cell(row=4, column=value).number_format == "#,##0.0"  # 亿元: one decimal
    derived = ws.cell(row=5, column=value)
    assert derived.value == 161_000.0 and derived.number_format == '#,##0.0"*"' and derived.font.italic
    assert ws.cell(row=5, column=status).value == "推算" and ws.cell(row=4, column=status).value == "公布"
    unverified = ws.cell(row=4, column=gdp)
    assert unverified.value == 1_204_724.0 and unverified.number_format.endswith('"†"')
    assert ws.cell(row=4, column=gdp_status).value == "未核实"
    assert (
        ws.cell(row=4, column=header.index(LABELS.get("gdp_share_pct", "gdp_share_pct")) + 1).number_format == '0.0#"†"'
    )  # gdp_* columns share the flag; 12.7 and 12.77 as published
    assert (
        ws.cell(row=4, column=header.index(LABELS.get("share_of_gdp_pct", "share_of_gdp_pct")) + 1).number_format
        == '0.0#"†"'
    )
    assert ws.cell(row=4, column=header.index(LABELS.get("year", "year")) + 1).number_format == "0"  # not 2,022
    assert (
        ws.cell(row=4, column=header.index(LABELS.get("industry", "industry")) + 1).value == "09"
    )  # leading zero kept
    assert [ws.cell(row=r, column=header.index(LABELS.get("intensive", "intensive")) + 1).value for r in (4, 5)] == [
        "是",
        "否",
    ]
    foot = [ws.cell(row=r, column=1).value for r in range(7, 10)]
    assert foot[0] == "资料来源：公告"
    assert "推算" in foot[1] and "*" in foot[1] and "未经核实" in foot[2] and "†" in foot[2]
    assert wb["目录"].cell(row=5, column=5).value == "公告"


def test_flag_columns():
    from ipstats.bulletin.tables import flag_columns

    cols = ["year", "value", "value_growth_pct", "value_status", "gdp", "gdp_status", "status", "quality", "estimate"]
    found = flag_columns(cols)
    assert found["value_status"] == ["value", "value_growth_pct"] and found["gdp_status"] == ["gdp"]
    assert flag_columns(["gdp_status", "share_of_gdp_pct", "gdpx"])["gdp_status"] == ["share_of_gdp_pct"]
    assert flag_columns(["gdp_status", "year"])["gdp_status"] == []  # label and footnote only
    assert "status" not in found and "estimate" in found["quality"] and "quality" not in found["quality"]
