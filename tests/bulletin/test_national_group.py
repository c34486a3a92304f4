"""Provincial bulletins: the national-context sections come last, under one heading, on the index and in the PDF."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ipstats.bulletin import record_table
from ipstats.bulletin.pdf import contents_headings, print_html, write_pdf
from ipstats.bulletin.record import browser_path
from ipstats.bulletin.run import _grouped
from ipstats.bulletin.sources import NATIONAL_CONTEXT, NATIONAL_GROUP

HEADING, NOTE = NATIONAL_GROUP


@pytest.fixture
def provincial(tmp_path: Path):
    """A bulletin folder of three sections in run order, the middle one national context."""
    for name, title in [
        ("own_a", "广东省专利申请"),
        ("pii", f"全国专利密集型产业增加值{NATIONAL_CONTEXT}"),
        ("own_b", "广东省专利转化运用"),
    ]:
        record_table(
            pd.DataFrame({"year": [2023], "applications": [100]}),
            f"t_{name}",
            title=title,
            unit="件",
            source="测试",
            output_dir=tmp_path,
        )
    sections = [
        {"name": "00_overview", "title": "专利申请", "tables": ["t_own_a"], "figures": [], "national": False},
        {
            "name": "10_pii",
            "title": f"专利密集型产业统计{NATIONAL_CONTEXT}",
            "tables": ["t_pii"],
            "figures": [],
            "national": True,
        },
        {"name": "50_transfer", "title": "专利转化运用", "tables": ["t_own_b"], "figures": [], "national": False},
    ]
    return tmp_path, sections


def test_sections_are_grouped_national_last_in_run_order(provincial):
    _, sections = provincial
    assert [s["name"] for s in _grouped(sections)] == ["00_overview", "50_transfer", "10_pii"]
    national = [dict(s, national=False) for s in sections]
    assert _grouped(national) == national  # a national run keeps run order


def test_print_page_groups_the_national_sections_under_one_heading(provincial):
    folder, sections = provincial
    sections = _grouped(sections)
    page = print_html(folder, title="广东省专利统计公报", year=2023, region="44", sections=sections)
    assert page.count(HEADING) == 2 and page.count(NOTE) == 1  # in the 目录 and in the body, once each
    toc, body = page.split('<section class="part">', 1)
    assert toc.index("专利转化运用") < toc.index(HEADING) < toc.index("专利密集型产业统计")
    assert toc.index("表2　广东省专利转化运用") < toc.index("表3　全国专利密集型产业增加值")  # tables numbered alike
    assert body.index("专利转化运用") < body.index(HEADING) < body.index("专利密集型产业统计")
    assert contents_headings(folder, sections) == [
        "专利申请",
        "表1　广东省专利申请",
        "专利转化运用",
        "表2　广东省专利转化运用",
        HEADING,
        f"专利密集型产业统计{NATIONAL_CONTEXT}",
        f"表3　全国专利密集型产业增加值{NATIONAL_CONTEXT}",
    ]
    national = [dict(s, national=False) for s in sections]
    assert HEADING not in print_html(folder, title="t", year=2023, region="national", sections=national)
    assert HEADING not in contents_headings(folder, national)


@pytest.mark.skipif(browser_path() is None, reason="no Chromium found (chromium on PATH or BROWSER_PATH)")
def test_pdf_outline_nests_the_national_sections_under_the_heading(provincial):
    pypdf = pytest.importorskip("pypdf")
    folder, sections = provincial
    path = write_pdf(folder, title="广东省专利统计公报", year=2023, region="44", sections=_grouped(sections))
    reader = pypdf.PdfReader(path)

    def marks(outline, depth=0):
        found = []
        for item in outline:
            found += marks(item, depth + 1) if isinstance(item, list) else [(depth, item["/Title"])]
        return found

    outline = marks(reader.outline)
    at = outline.index((0, HEADING))
    assert [t for _, t in outline[:at]][-2:] == ["专利转化运用", "表2　广东省专利转化运用"]
    assert outline[at + 1] == (1, f"专利密集型产业统计{NATIONAL_CONTEXT}")
    contents = (reader.pages[1].extract_text() or "").replace(" ", "")
    assert "附:全国参考资料" in contents.replace("：", ":")


def test_index_lists_the_national_tables_under_the_heading(provincial):
    # the pages were grouped under 附：全国参考资料 on the index, the list of tables below them was not
    from datetime import datetime

    from ipstats.bulletin.html import write_index

    folder, sections = provincial
    sections = _grouped(sections)
    notebooks = [{"name": s["name"], "title": s["title"], "national": s["national"]} for s in sections]
    page = write_index(
        folder,
        title="广东省专利统计公报",
        year=2023,
        region="44",
        notebooks=notebooks,
        generated=datetime(2024, 1, 1),
        sections=sections,
    ).read_text(encoding="utf-8")
    tables = page[page.index("<h2>统计表</h2>") :]
    assert tables.count(HEADING) == 1 and page.count(HEADING) == 2  # above the pages and above the tables
    assert tables.index("广东省专利转化运用") < tables.index(HEADING) < tables.index("全国专利密集型产业增加值")
    national = [dict(s, national=False) for s in sections]
    flat = write_index(
        folder,
        title="t",
        year=2023,
        region="national",
        notebooks=[dict(n, national=False) for n in notebooks],
        generated=datetime(2024, 1, 1),
        sections=national,
    ).read_text(encoding="utf-8")
    assert HEADING not in flat
