"""The English edition (``ipstats bulletin --lang en``): the catalogue, the publisher in English, and the CI
bulletin's English edition read as a reader gets it (pages, workbook, PDF), against the Chinese one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ipstats import language
from ipstats.bulletin import BulletinError, Publisher, load_params
from ipstats.language import Untranslated, has_cjk, translate, translate_figure, value

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "ipstats" / "reference" / "data" / "english.yaml"


@pytest.fixture(autouse=True)
def _chinese_afterwards():
    """A Publisher in English sets the process's language: every test leaves it Chinese again."""
    yield
    language.set_current("zh")


# -- the catalogue -------------------------------------------------------------------------------------------
def test_catalogue_is_well_formed():
    entries = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    zh = [str(e["zh"]) for e in entries]
    assert len(zh) == len(set(zh)), [z for z in zh if zh.count(z) > 1][:5]
    field = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
    for entry in entries:
        assert set(field.findall(str(entry["zh"]))) == set(field.findall(str(entry["en"]))), entry
        assert not has_cjk(str(entry["en"])), entry


def test_exact_template_and_fields():
    assert translate("发明") == "Invention"
    assert translate("表12") == "Table 12"
    # a template's fields are translated as values: the province's English name
    assert translate("{title}（全国情况，供参考）".format(title="表3")) == "Table 3 (national figures, for reference)"
    assert translate("广东省") == "Guangdong"
    assert translate("no Chinese here") == "no Chinese here"
    assert translate("发明", "zh") == "发明"


def test_a_text_without_english_is_an_error_naming_the_catalogue(monkeypatch):
    monkeypatch.delenv(language.LIST_ENV, raising=False)
    with pytest.raises(Untranslated, match="english.yaml"):
        translate("这一句没有英文")


def test_a_translators_run_lists_what_is_missing(tmp_path, monkeypatch):
    listing = tmp_path / "missing.jsonl"
    monkeypatch.setenv(language.LIST_ENV, str(listing))
    assert translate("这一句没有英文") == "这一句没有英文"
    assert value("某个类别名称") == "某个类别名称"
    lines = [json.loads(line) for line in listing.read_text(encoding="utf-8").splitlines()]
    assert lines == [{"text": "这一句没有英文"}, {"value": "某个类别名称"}]


def test_values_known_and_official_names_kept():
    assert value("广东") == "Guangdong" and value("合计") == "Total"
    assert value("S1 电气工程") == "S1 Electrical engineering"  # the WIPO concordance's own English
    assert value("计算机技术") == "Computer technology"
    assert value("服装") == "服装"  # a category its table names only in Chinese stays as published
    assert value(2023) == 2023


def test_english_labels_keep_distinct_columns_distinct():
    table = pd.read_csv(ROOT / "ipstats" / "reference" / "data" / "labels.csv", dtype=str, keep_default_na=False)
    for context, rows in table.groupby(table["key"].str.extract(r"^([a-z_]+):", expand=False).fillna("")):
        plain = table[~table["key"].str.contains(":")]
        both = pd.concat([plain, rows]).drop_duplicates("key")
        clash = both.groupby("en")["zh"].nunique()
        assert not (clash > 1).any(), (context, list(clash[clash > 1].index))


def test_figure_texts_and_categories():
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=["广东", "服装"], y=[1, 2], name="发明"))
    fig.update_layout(title="表3", yaxis_title="件")
    out = translate_figure(fig)
    assert out.layout.title.text == "Table 3"
    assert list(out.data[0].x) == ["Guangdong", "服装"]
    assert out.data[0].name == "Invention"
    assert translate_figure(fig, "zh") is fig


# -- the publisher ---------------------------------------------------------------------------------------------
def test_publisher_records_english_titles_labels_and_cells(tmp_path):
    pub = Publisher(output_dir=tmp_path, source="专利登记数据（演示数据为合成数据，非真实统计）", lang="en")
    assert language.current() == "en"
    df = pd.DataFrame({"patent_type": ["发明", "合计"], "applications": [3, 5]})
    pub.table(df, "by_type", title="表7", unit="件", notes=["注："], labels={"patent_type": "专利类型"})
    meta = json.loads((tmp_path / "tables" / "by_type.meta.json").read_text(encoding="utf-8"))
    assert meta["title"] == "Table 7" and meta["notes"] == ["Note: "]
    assert not has_cjk(meta["unit"]) and not has_cjk(meta["labels"]["patent_type"])
    written = (tmp_path / "tables" / "by_type.csv").read_text(encoding="utf-8-sig")
    assert "Invention" in written and "发明" not in written
    with pytest.raises(Untranslated):
        pub.table(df, "other", title="没有英文的标题", unit="件")


# -- parameters ------------------------------------------------------------------------------------------------
def test_language_from_the_file_and_the_command_line(write_params):
    path = write_params(lang="en", title_en="China Test Bulletin")
    params = load_params(path, prepare=False)
    assert params.lang == "en" and params.title == "China Test Bulletin"
    assert load_params(path, prepare=False, lang="zh").title == "测试公报"
    assert load_params(path, prepare=False, region="44").title == "Guangdong Test Bulletin"


def test_bad_language_and_missing_english_title_are_one_line(write_params):
    with pytest.raises(BulletinError, match=r"lang must be one of zh, en.*'fr'"):
        load_params(write_params(lang="fr"), prepare=False)
    with pytest.raises(BulletinError, match="title_en"):
        load_params(write_params(title="没有英文的公报"), prepare=False, lang="en")


# -- the CI bulletin's English edition ---------------------------------------------------------------------
def _official_chinese_names() -> list[str]:
    """Names that have no English and are printed as published: categories of the Chinese classification
    tables without an English name, GB/T 4754 industries, and the data's own names (applicants, products)."""
    from importlib import resources

    names: set[str] = set()
    systems = resources.files("ipstats.concordance").joinpath("data")
    for folder in systems.iterdir():
        if folder.is_dir():
            with folder.joinpath("categories.csv").open(encoding="utf-8") as f:
                cats = pd.read_csv(f, dtype=str, keep_default_na=False)
            names |= {n for n in cats["name_zh"] if n and value(n) == n}
    divisions = pd.read_csv(ROOT / "ipstats" / "reference" / "data" / "gbt4754_2017_divisions.csv", dtype=str)
    names |= set(divisions["section_name_zh"].dropna()) | set(divisions["division_name_zh"].dropna())
    return sorted(names, key=len, reverse=True)


def _without_official_names(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, "")
    return re.sub(r"[“”‘’（）、，：；。·—]", "", text)


@pytest.fixture(scope="module")
def editions(ci_bulletin, ci_bulletin_en):
    return ci_bulletin[0], ci_bulletin_en


def test_english_edition_has_the_same_tables_and_numbers(editions):
    zh, en = editions
    names = sorted(p.name for p in (zh / "tables").glob("*.csv"))
    assert names == sorted(p.name for p in (en / "tables").glob("*.csv"))
    for name in names:
        a = pd.read_csv(zh / "tables" / name, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        b = pd.read_csv(en / "tables" / name, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        # columns named by values (patent types of a pivot, a survey table's headers) carry their English names
        assert [value(c) for c in a.columns] == list(b.columns) and a.shape == b.shape, name
        for j, column in enumerate(a.columns):
            numeric = pd.to_numeric(a[column], errors="coerce")
            if numeric.notna().all() and len(a):
                assert a[column].tolist() == b.iloc[:, j].tolist(), (name, column)


def test_english_titles_units_notes_and_labels(editions):
    _, en = editions
    problems = []
    for path in sorted((en / "tables").glob("*.meta.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        texts = [meta["title"], meta["unit"], *meta.get("notes", []), *(meta.get("labels") or {}).values()]
        problems += [
            (path.name, t) for t in texts if has_cjk(_without_official_names(str(t), _official_chinese_names()))
        ]
    assert not problems, problems[:10]


def test_english_summaries_state_no_chinese(editions):
    _, en = editions
    names = _official_chinese_names()
    left = {}
    for path in sorted((en / "texts").glob("*.md")):
        rest = _without_official_names(path.read_text(encoding="utf-8"), names)
        if has_cjk(rest):
            left[path.name] = re.findall(r"[^\x00-\x7f]{2,}", rest)[:5]
    assert not left, left


def test_english_pages_index_workbook_and_pdf(editions):
    from bs4 import BeautifulSoup
    from openpyxl import load_workbook

    _, en = editions
    index = (en / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in index and "China Patent Statistics Bulletin (CI test data)" in index
    names = _official_chinese_names()
    for page in [en / "index.html", *sorted(en.glob("[0-9]*.html"))]:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["h1", "h2", "h3", "th", "caption", "title"]):
            text = _without_official_names(tag.get_text(" ", strip=True), names)
            assert not has_cjk(text), (page.name, tag.name, tag.get_text(" ", strip=True)[:120])
    book = load_workbook(en / "tables.xlsx")
    assert book.sheetnames[0] == "Contents"
    assert not [s for s in book.sheetnames if has_cjk(_without_official_names(s, names))]
    assert not has_cjk(book["Contents"]["A1"].value)
    pypdf = pytest.importorskip("pypdf", reason="pypdf (test extra) reads the PDF back")
    if not (en / "bulletin.pdf").is_file():
        pytest.skip("no Chromium: the run printed no bulletin.pdf")
    pages = pypdf.PdfReader(en / "bulletin.pdf").pages
    assert "China Patent Statistics Bulletin" in pages[0].extract_text()
    assert "Contents" in pages[0].extract_text() + pages[1].extract_text()  # the contents may start on page 2


def test_touching_fields_split_where_both_are_known_values():
    """``{region_name}{name}`` over 广东省战略性新兴产业: the lazy match took 广 for the region."""
    en = translate("2023年广东省战略性新兴产业专利分大类统计")
    assert "Guangdong" in en and "2023" in en and not has_cjk(en)
