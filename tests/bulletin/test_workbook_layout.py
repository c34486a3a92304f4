"""Published precision of the CSV files, Excel formats per column, Chinese sheet names in bulletin order, the
linked contents sheet and the index listing the tables under their sections."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ipstats.bulletin import record_internal_table, record_table, write_workbook
from ipstats.bulletin.html import write_index
from ipstats.bulletin.precision import column_kind, published_decimals, round_published
from ipstats.bulletin.tables import CONTENTS, sheet_names, short_title, table_catalogue, workbook_sheets


def _overview() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patent_type": ["发明", "实用新型", "合计"],
            "year": [2023, 2023, 2023],
            "applications": [267.0, np.nan, 1200.0],  # a count with a suppressed cell
            "applications_growth_pct": [5.2345, -1.25, 0.04],
            "applications_fractional": [1 / 3, 2 / 3, 1.0],
            "output_value": [882619.4000000001, 12.349999, np.nan],
            "rta": [1.234567891234, 0.5, 2.0],
        }
    )


@pytest.fixture
def folder(tmp_path):
    """Three recorded tables of two sections, recorded in an order that is not alphabetical."""
    record_table(
        _overview(),
        "z_overview",
        title="2023年全国分类型专利申请、授权和有效量",
        unit="件；%",
        source="国家知识产权局",
        output_dir=tmp_path,
        labels={"output_value": "总产值（万元）"},
        disclosure={
            "rules": {"min_contributors": 3},
            "suppressed": [{"row": "实用新型", "col": "applications", "status": "primary"}],
        },
    )
    provinces = pd.DataFrame({"province_code": ["11", "44"], "per_10k": [218.34, 40.05]})
    record_table(
        provinces,
        "a_provinces",
        title="2023年各省（区、市）每万人口发明专利拥有量",
        unit="件/万人",
        source="测试",
        output_dir=tmp_path,
    )
    record_table(
        provinces,
        "m_provinces_again",
        title="2023年各省（区、市）每万人口发明专利拥有量",
        unit="件/万人",
        source="测试",
        output_dir=tmp_path,
    )
    record_table(
        pd.DataFrame({"x": [1]}),
        "b_loose",
        title="分类/体系[试行]：覆盖*情况?",
        unit="件",
        source="测试",
        output_dir=tmp_path,
    )
    sections = [
        {
            "name": "00_overview",
            "title": "专利申请、授权和有效情况",
            "tables": ["z_overview", "m_provinces_again", "a_provinces"],
        },
        {"name": "20_monitoring", "title": "分领域专利统计监测：绿色技术", "tables": ["b_loose"]},
    ]
    return tmp_path, sections


def test_csv_is_written_at_the_published_precision(folder, tmp_path):
    out, _ = folder
    text = (out / "tables" / "z_overview.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines() == [
        "patent_type,year,applications,applications_growth_pct,applications_fractional,output_value,rta",
        "发明,2023,267,5.2,0.33,882619.4,1.234567891",  # no 267.0, no float noise; indices keep 10 digits
        "实用新型,2023,×,-1.3,0.67,12.3,0.5",  # 四舍五入: -1.25 → -1.3, 12.349999 → 12.3 (万元)
        "合计,2023,1200,0.0,1.0,—,2.0",
    ]  # × suppressed, — missing; 0.04 → 0.0, never -0.0
    # the internal output keeps the full precision
    record_internal_table(_overview(), "z_overview", title="内部", internal_dir=tmp_path / "internal")
    detail = pd.read_csv(tmp_path / "internal" / "tables" / "z_overview.csv", encoding="utf-8-sig")
    assert detail["applications_growth_pct"].tolist() == [5.2345, -1.25, 0.04]
    assert detail["applications_fractional"].iloc[0] == pytest.approx(1 / 3, rel=1e-9)


def test_rounding_is_deterministic_and_respects_published_figures():
    df = _overview()
    first, decimals = round_published(df, {"output_value": "总产值(万元)"})
    second, _ = round_published(df.iloc[::-1].iloc[::-1], {"output_value": "总产值(万元)"})
    pd.testing.assert_frame_equal(first, second)
    assert decimals == {
        "year": 0,
        "applications": 0,
        "applications_growth_pct": 1,
        "applications_fractional": 2,
        "output_value": 1,
    }
    # a share published with two decimals (PII: 12.44 % of GDP) is not cut to one
    gdp = pd.DataFrame({"share_of_gdp_pct": [12.44, 12.71]})
    assert published_decimals("share_of_gdp_pct", gdp["share_of_gdp_pct"]) == 2
    # a notebook's own precision wins
    assert round_published(df, decimals={"applications_growth_pct": 2})[0]["applications_growth_pct"].iloc[0] == 5.23
    assert column_kind("filing_year", pd.Series([2023.0, np.nan])) == "plain"
    assert column_kind("value_added_100m_yuan", pd.Series([1.0])) == "money"
    assert column_kind("province_code", pd.Series([11, 44])) == "text"


def test_sheets_are_chinese_titles_in_bulletin_order(folder):
    out, sections = folder
    book = openpyxl.load_workbook(write_workbook(out / "tables", out / "tables.xlsx", sections))
    assert book.sheetnames == [
        CONTENTS,
        "表1 分类型专利申请、授权和有效量",
        "表2 各省（区、市）每万人口发明专利拥有量",
        "表3 各省（区、市）每万人口发明专利拥有量",
        "表4 分类_体系_试行_：覆盖_情况_",
    ]
    assert all(len(name) <= 31 for name in book.sheetnames)
    # within a section the record order wins over the order the section lists them in
    assert workbook_sheets(out / "tables.xlsx") == {
        "z_overview": book.sheetnames[1],
        "a_provinces": book.sheetnames[2],
        "m_provinces_again": book.sheetnames[3],
        "b_loose": book.sheetnames[4],
    }
    contents = book[CONTENTS]
    assert [c.value for c in contents[3]] == ["部分", "表号", "标题", "单位", "资料来源", "CSV文件"]
    rows = [[c.value for c in row] for row in contents.iter_rows(min_row=4, max_row=7)]
    assert rows[0] == [
        "专利申请、授权和有效情况",
        "表1",
        "2023年全国分类型专利申请、授权和有效量",
        "件；%",
        "国家知识产权局",
        "z_overview.csv",
    ]
    assert rows[3][0] == "分领域专利统计监测：绿色技术"
    for r, sheet in zip(range(4, 8), book.sheetnames[1:]):
        for col in (2, 3):
            link = contents.cell(row=r, column=col).hyperlink
            assert link is not None and link.location == f"'{sheet}'!A1" and not link.target
        back = [c for row in book[sheet].iter_rows(max_row=2) for c in row if c.hyperlink is not None]
        assert [(c.value, c.hyperlink.location) for c in back] == [("返回目录", f"'{CONTENTS}'!A1")]
    assert book.sheetnames[1] in book and book[book.sheetnames[1]]["A1"].value.startswith("表1　2023年全国")


def test_number_formats_per_column(folder):
    out, sections = folder
    book = openpyxl.load_workbook(write_workbook(out / "tables", out / "tables.xlsx", sections))
    ws = book["表1 分类型专利申请、授权和有效量"]
    header = [c.value for c in ws[3]]
    col = {name: header.index(name) + 1 for name in header}
    cell = ws.cell(row=4, column=col["申请量"])
    assert cell.value == 267 and isinstance(cell.value, int) and cell.number_format == "#,##0"  # not 267.00
    assert ws.cell(row=5, column=col["申请量"]).value == "×"  # suppressed by the record
    assert ws.cell(row=6, column=col["总产值（万元）"]).value == "—"  # missing, not suppressed
    assert ws.cell(row=4, column=col["年份"]).number_format == "0"
    assert ws.cell(row=4, column=col["申请量增长（%）"]).value == 5.2
    assert ws.cell(row=4, column=col["申请量增长（%）"]).number_format == "0.0"
    assert ws.cell(row=4, column=col["申请量（分数计数）"]).number_format == "#,##0.00"
    assert ws.cell(row=4, column=col["总产值（万元）"]).number_format == "#,##0.0"
    assert ws.cell(row=4, column=col["专利类型"]).number_format == "General"
    assert book["表2 各省（区、市）每万人口发明专利拥有量"]["A4"].value == "11"  # a code stays text
    assert book["表2 各省（区、市）每万人口发明专利拥有量"]["B4"].number_format == "#,##0.00"  # as recorded


def test_sheet_names_and_short_titles():
    assert short_title("2019—2023年全国专利密集型产业增加值") == "专利密集型产业增加值"
    assert short_title("2024年批次认定产品分门类情况") == "认定产品分门类情况"
    assert short_title("2023年") == "2023年"
    names = sheet_names(["目录", "A" * 40, "a" * 40, "x:y/z"])
    assert names == ["目录（2）", "A" * 31, "a" * 28 + "（2）", "x_y_z"]


def test_catalogue_without_sections_follows_the_record_order(folder):
    out, _ = folder
    entries = table_catalogue(out / "tables")
    assert [e["name"] for e in entries] == ["z_overview", "a_provinces", "m_provinces_again", "b_loose"]
    assert {e["section"] for e in entries} == {""}
    partly = table_catalogue(out / "tables", [{"name": "nb", "title": "第一部分", "tables": ["b_loose"]}])
    assert [(e["section"], e["name"]) for e in partly][:2] == [("第一部分", "b_loose"), ("其他统计表", "z_overview")]


def test_index_lists_tables_under_their_sections(folder):
    out, sections = folder
    page = write_index(
        out,
        title="测试公报",
        year=2023,
        region="national",
        notebooks=[],
        generated=datetime(2024, 1, 1),
        sections=sections,
    ).read_text(encoding="utf-8")
    first, second = page.index("专利申请、授权和有效情况"), page.index("分领域专利统计监测：绿色技术")
    titles = [page.index(t) for t in ("2023年全国分类型专利申请、授权和有效量", "表2", "表3", "分类/体系[试行]")]
    assert first < titles[0] < titles[1] < titles[2] < second < titles[3]
    assert '<a href="tables/z_overview.csv">2023年全国分类型专利申请、授权和有效量</a>' in page
    assert "z_overview.csv</a>" in page  # the file name, second
