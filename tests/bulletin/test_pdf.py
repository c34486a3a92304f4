"""bulletin.pdf printed by the real headless Chromium from a few hand-made recorded tables, read back with pypdf."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipstats.bulletin import BulletinError, load_params, record_table
from ipstats.bulletin.pdf import format_cell, print_html, write_pdf
from ipstats.bulletin.record import browser_path
from ipstats.bulletin.run import _pdf_wanted

pypdf = pytest.importorskip("pypdf", reason="pypdf (test extra) reads the PDF back")
needs_chromium = pytest.mark.skipif(
    browser_path() is None, reason="no Chromium found (chromium on PATH or BROWSER_PATH)"
)


def _text(page) -> str:
    """A page's text as a reader copies it: NFKC folds the Kangxi radicals the CJK font's glyphs map back to."""
    return unicodedata.normalize("NFKC", page.extract_text() or "")


def _bookmarks(outline, depth: int = 0) -> list[tuple[int, str]]:
    """The PDF outline as (depth, title) pairs."""
    found = []
    for item in outline:
        found += _bookmarks(item, depth + 1) if isinstance(item, list) else [(depth, item["/Title"])]
    return found


@pytest.fixture
def bulletin(tmp_path: Path):
    """A small bulletin folder: two sections, a summary text, a long table spreading over pages."""
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "00_overview.md").write_text(
        "2023年发明专利申请量**882,619件**，比上年增长5.2%。\n", encoding="utf-8"
    )
    overview = pd.DataFrame(
        {
            "patent_type": ["发明", "实用新型", "合计"],
            "applications": [882619, 1200, 883819],
            "applications_growth_pct": [5.2345, -1.25, 3.0],
            "valid_stock": [np.nan, 12, 20],
        }
    )
    record_table(
        overview,
        "overview_by_type",
        title="2023年全国分类型专利申请、授权和有效量",
        unit="件；增长率：%",
        source="国家知识产权局",
        notes=["合计含港澳台。"],
        output_dir=tmp_path,
        disclosure={"rules": {}},
    )
    months = pd.DataFrame(
        {
            "month": [f"{y}-{m:02d}" for y in range(2014, 2024) for m in range(1, 13)],
            "observed": np.arange(120) * 10.5 + 1000,
        }
    )
    record_table(months, "monthly", title="全国发明专利月度申请量", unit="件", source="测试", output_dir=tmp_path)
    sections = [
        {"name": "00_overview", "title": "专利申请、授权和有效情况", "tables": ["overview_by_type"], "figures": []},
        {"name": "20_monitoring", "title": "月度申请量", "tables": ["monthly"], "figures": []},
    ]
    return tmp_path, sections


@needs_chromium
def test_pdf_reads_back(bulletin):
    folder, sections = bulletin
    path = write_pdf(folder, title="全国专利统计公报（测试）", year=2023, region="national", sections=sections)
    assert path == folder / "bulletin.pdf" and not (folder / ".bulletin-print.html").exists()
    reader = pypdf.PdfReader(path)
    pages = [_text(p) for p in reader.pages]
    assert len(pages) > 3  # cover, contents, two sections
    assert "全国专利统计公报(测试)" in pages[0] and "统计年度:2023" in pages[0].replace(" ", "")
    contents = pages[1].replace(" ", "")
    assert "目录" in contents and contents.index("专利申请、授权和有效情况") < contents.index(
        "表2全国发明专利月度申请量"
    )
    # the 目录 gives each entry's page, and the entry is on that page
    listed = dict(re.findall(r"(表\d)\S*?(\d+)\n", contents + "\n"))
    assert set(listed) == {"表1", "表2"}
    for number, page in listed.items():
        assert f"{number} " in pages[int(page) - 1], (number, page)
    body = "\n".join(pages[2:])
    assert "表1 2023年全国分类型专利申请、授权和有效量" in body and "单位:件;增长率:%" in body
    assert "882,619" in body and "883,819" in body  # counts with separators, as in the CSV
    assert re.search(r"实用新型 1,200 -1\.3 12\b", body)  # growth to one decimal
    assert "资料来源:国家知识产权局" in body and "注:合计含港澳台。" in body
    assert "2023-12 2,249.50" in body.replace("\n", " ")  # the last month, on a later page
    for number, text in enumerate(pages, start=1):  # every page numbered in its footer
        assert f"— {number} —" in text, number
    assert all("全国专利统计公报(测试)" in text for text in pages[1:])  # running header after the cover
    assert _bookmarks(reader.outline) == [
        (0, "全国专利统计公报（测试）"),
        (1, "目　录"),
        (1, "专利申请、授权和有效情况"),
        (2, "表1　2023年全国分类型专利申请、授权和有效量"),
        (1, "月度申请量"),
        (2, "表2　全国发明专利月度申请量"),
    ]
    assert "增⻓" not in body and "⼈" not in "".join(pages)  # radicals mapped back to ideographs


def test_print_page_escapes_and_loads_nothing(bulletin):
    folder, sections = bulletin
    sections[0]["title"] = "<script>alert(1)</script>"
    page = print_html(
        folder, title='公报"</style><img src=https://x.test/a.png>', year=2023, region="national", sections=sections
    )
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<img src=https" not in page and not re.search(r"<[^<>]*\b(src|href)=[\"']?(https?:)?//", page)
    assert "\\3c /style\\3e " in page  # the running header's CSS string
    assert page.count('<section class="part">') == 2


def test_format_cell():
    assert format_cell(882619.0, "count", 0) == "882,619" and format_cell(2023, "plain", 0) == "2023"
    assert format_cell(-0.04, "pct", 1) == "0.0" and format_cell(12.44, "pct", 2) == "12.44"
    assert format_cell(1234.5, "money", 1) == "1,234.5" and format_cell(float("nan"), "count", 0) == ""
    assert format_cell("'=1+1", "text", None) == "=1+1"


def test_pdf_option(write_params, monkeypatch):
    lines: list[str] = []
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    params = load_params(write_params())
    assert _pdf_wanted(params, None, lines.append) is False
    assert lines == ["info: no bulletin.pdf: BROWSER_PATH='/nonexistent/chromium' is not a file"]
    assert _pdf_wanted(params, False, lines.append) is False and len(lines) == 1
    with pytest.raises(BulletinError, match="pdf: true, but bulletin.pdf cannot be printed"):
        _pdf_wanted(load_params(write_params(pdf=True)), None, lines.append)
    assert _pdf_wanted(load_params(write_params(pdf=True)), False, lines.append) is False  # --no-pdf wins
    with pytest.raises(BulletinError, match="pdf must be true or false"):
        load_params(write_params(pdf="yes"))
    monkeypatch.delenv("BROWSER_PATH")
    if browser_path() is not None:
        assert _pdf_wanted(params, None, lines.append) is True
