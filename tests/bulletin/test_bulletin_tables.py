"""write_workbook: one formatted sheet per recorded table, plus a contents sheet."""
from __future__ import annotations

import openpyxl
import pandas as pd

from ipstats.bulletin import record_table, write_workbook
from ipstats.display import LABELS


def test_workbook_layout_and_formats(tmp_path):
    df = pd.DataFrame({"province_code": ["11", "44"], "region": ["01", "44"], "applications": [1234567, 89],
                       "per_10k": [12.3456, 0.5], "growth_pct": [3.25, -1.5], "share %": [10.0, 90.0],
                       "name": ["北京市", "广东省"]})
    record_table(df, "b_table", title="分省表", unit="件", source="测试来源", notes=["注一。", "注二。"],
                 output_dir=tmp_path)
    record_table(df.head(1), "a_table_with_a_very_long_name_beyond_31_chars", title="长名表", unit="万人",
                 source="来源", output_dir=tmp_path)
    path = write_workbook(tmp_path / "tables", tmp_path / "tables.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["目录", "a_table_with_a_very_long_name_b", "b_table"]
    contents = wb["目录"]
    assert [contents.cell(row=r, column=2).value for r in (4, 5)] == ["长名表", "分省表"]
    assert contents.cell(row=5, column=3).value == "件"

    ws = wb["b_table"]
    assert ws["A1"].value == "分省表"
    assert ws["A2"].value == "单位：件"
    assert [c.value for c in ws[3]] == [LABELS.get(c, c) for c in df.columns]      # Chinese labels where known
    assert ws["A3"].font.bold
    assert ws.freeze_panes == "A4"
    # codes stay text with their leading zero; numbers are numbers with formats
    assert ws["A4"].value == "11" and ws["B4"].value == "01"
    assert ws["C4"].value == 1234567 and ws["C4"].number_format == "#,##0"
    assert ws["D4"].value == 12.3456 and ws["D4"].number_format == "#,##0.00"
    assert ws["E4"].number_format == "0.00" and ws["F4"].number_format == "0.00"
    assert ws["G5"].value == "广东省"
    assert ws["A6"].value is None  # blank row after the data
    assert ws["A7"].value == "资料来源：测试来源"
    assert ws["A8"].value == "注：注一。" and ws["A9"].value == "注：注二。"
    assert ws.column_dimensions["C"].width >= len("1,234,567")


def test_empty_tables_folder(tmp_path):
    path = write_workbook(tmp_path / "missing", tmp_path / "tables.xlsx")
    assert openpyxl.load_workbook(path).sheetnames == ["目录"]
