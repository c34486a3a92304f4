"""Build the binary cases of the bad-input corpus (GBK/GB18030 text, Excel, Parquet) from the text cases.

They are built at test time (``build_binary_cases(folder)``) rather than committed, so each is readable here
as the one thing that is wrong with it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd

from make_text_cases import (
    EXTRACT_CANONICAL,
    EXTRACT_HEADER,
    EXTRACT_ROWS,
    REGISTER_HEADER,
    REGISTER_ROWS,
    extract,
    register,
    swap,
)


def _register_frame() -> pd.DataFrame:
    rows = [r.split(",") for r in REGISTER_ROWS]
    frame = pd.DataFrame(rows, columns=REGISTER_HEADER.split(","), dtype=object)
    return frame.replace("", None)


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def _excel_rows(grant_before_filing_in: int | None = None) -> list[list[object]]:
    """Register rows as Excel cells: dates as real dates, codes as text."""
    out: list[list[object]] = [REGISTER_HEADER.split(",")]
    for i, row in enumerate(REGISTER_ROWS):
        cells: list[object] = []
        for name, value in zip(REGISTER_HEADER.split(","), row.split(",")):
            if name.endswith("_date") and value:
                value = dt.datetime.strptime(value, "%Y-%m-%d")
            cells.append(value or None)
        if i == grant_before_filing_in:
            cells[5] = cells[2] - dt.timedelta(days=1)
        out.append(cells)
    return out


#: Chinese column headers as a workbook exported in Chinese would have them; 申请人名称 is not the schema's 申请人.
_TITLES_ZH = {
    "application_number": "申请号",
    "patent_type": "专利类型",
    "filing_date": "申请日",
    "grant_date": "授权公告日",
    "applicant_name": "申请人名称",
    "province_code": "省份代码",
}


def _extract_sheet(rows: list[str]) -> list[list[object]]:
    """An .xlsx export: a title row, an empty row, Chinese headers, then the rows (dates as written, text cells)."""
    return [["专利登记数据（导出日期：2025年3月31日）"], [], EXTRACT_HEADER.split(","), *(r.split(",") for r in rows)]


def build_extract_cases(folder: Path) -> None:
    """The binary real-extract shapes (extract/ subfolder): GBK text, .xlsx with a title row, Parquet."""
    ext = folder / "extract"
    ext.mkdir(parents=True, exist_ok=True)
    (ext / "gbk_mixed_dates.csv").write_bytes(extract(*EXTRACT_ROWS).encode("gbk"))
    (ext / "gbk_bad_date_form.csv").write_bytes(
        extract(*swap(1, "2004.1.5", "2004.13.5", rows=EXTRACT_ROWS)).encode("gbk")
    )
    _workbook(ext / "title_row.xlsx", {"Sheet1": _extract_sheet(EXTRACT_ROWS)})
    _workbook(
        ext / "title_row_bad_province.xlsx",
        {"Sheet1": _extract_sheet(swap(1, ",企业,32,", ",企业,江苏南京,", rows=EXTRACT_ROWS))},
    )  # a city: no province name
    rows = [r.split(",") for r in EXTRACT_CANONICAL]
    frame = pd.DataFrame(rows, columns=REGISTER_HEADER.split(","), dtype=object).replace("", None)
    for name in frame.columns:
        if name.endswith("_date"):
            frame[name] = pd.to_datetime(frame[name]).dt.date
    frame.to_parquet(ext / "canonical.parquet", index=False)


def build_binary_cases(folder: Path) -> None:
    """Write every binary case into *folder* (its register/ and extract/ subfolders)."""
    build_extract_cases(folder)
    reg = folder / "register"
    reg.mkdir(parents=True, exist_ok=True)
    gbk = register(*swap(0, ",发明,", ",发明创造,"))  # 发明专利 would be read as 发明
    (reg / "gbk_no_declaration.csv").write_bytes(gbk.encode("gbk"))
    (reg / "gbk_declared_utf8.csv").write_bytes(gbk.encode("gbk"))
    (reg / "gb18030_rare_character.csv").write_bytes(
        register(*swap(2, "张三,个人,11,", "张㐀,个人,81,")).encode("gb18030")
    )
    (reg / "utf8_bom.csv").write_bytes(register(*swap(1, ",企业,32,", ",企业,32x,")).encode("utf-8-sig"))
    (reg / "not_text.csv").write_bytes(REGISTER_HEADER.encode() + b"\n\x80\x80\x80,\xff\n")
    frame = _register_frame()
    frame.to_parquet(reg / "valid.parquet", index=False)
    whole = (reg / "valid.parquet").read_bytes()
    (reg / "truncated.parquet").write_bytes(whole[: len(whole) * 2 // 3])
    (reg / "valid.parquet").unlink()
    numeric = frame.assign(province_code=frame["province_code"].astype("int64"))
    numeric.to_parquet(reg / "province_as_number.parquet", index=False)
    dated = frame.assign(filing_date=pd.to_datetime(frame["filing_date"]).dt.date)
    dated.loc[1, "filing_date"] = dt.date(2030, 1, 1)
    dated.to_parquet(reg / "future_date.parquet", index=False)
    _workbook(reg / "wrong_sheet.xlsx", {"Sheet1": _excel_rows(), "说明": [["本表为专利登记数据"]]})
    _workbook(reg / "notes_sheet_first.xlsx", {"说明": [["本表为专利登记数据"]], "数据": _excel_rows()})
    chinese = _excel_rows()
    chinese[0] = [_TITLES_ZH.get(name, name) for name in chinese[0]]
    _workbook(reg / "chinese_headers_misnamed.xlsx", {"Sheet1": chinese})
    _workbook(
        reg / "title_rows_grant_before_filing.xlsx",
        {"专利登记数据": [["专利登记数据（2024年）"], [], *_excel_rows(grant_before_filing_in=2)]},
    )
    (reg / "damaged.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    shutil.rmtree(reg / "a_folder.csv", ignore_errors=True)
    (reg / "a_folder.csv").mkdir()
