"""The English edition's products summary (``lang="en"``): no Chinese but the official names that have no English,
and no number the Chinese summary of the same report does not state (tests/products/test_products_report.py
checks the Chinese against the tables)."""

from __future__ import annotations

import re

import pytest

from ipstats.concordance.system import load_system
from ipstats.language import has_cjk
from ipstats.products.demo import write_demo
from ipstats.products.report import (
    PRODUCT_LABELS_EN,
    compute_products,
    format_wan_yuan,
    format_yuan_en,
    labelled,
    products_paragraph,
)

SYSTEMS = ("cnipa_sei_2021", "cnipa_green_tech")
#: money figures public: no disclosure-control pattern to compute (seconds per run), except where withheld money
#: is the point (test_withheld_money_is_left_out)
PUBLIC = {"confidentiality": {"products": "public"}}

from english_numbers import unstated_numbers  # noqa: E402 - tests/ is on the path (rootdir conftest)


def official_names(report) -> list[str]:
    """Chinese names without an English one: industries (GB/T 4754) and the classification tables' categories."""
    names = set()
    for table in (report.sections, report.divisions):
        for col in ("section_name", "division_name"):
            if col in table.columns:
                names |= {n for n in table[col].dropna() if isinstance(n, str)}
    for system in report.categories:
        names |= set(load_system(system).category_names().dropna())
    return sorted(names, key=len, reverse=True)


def assert_english(english: str, chinese: str, report) -> None:
    stripped = english
    for name in official_names(report):
        stripped = stripped.replace(name, "")
    assert not has_cjk(stripped) and stripped.isascii(), stripped  # plain ASCII besides the official names
    assert not unstated_numbers(english, chinese), (unstated_numbers(english, chinese), english, chinese)
    assert not re.search(r"nan|None|—", english)


@pytest.fixture(scope="module")
def files(small_demo, tmp_path_factory) -> dict:
    return {
        **write_demo(small_demo["register"], tmp_path_factory.mktemp("english")),
        "register": small_demo["register"],
    }


@pytest.fixture(scope="module")
def national(files):
    return compute_products(
        files["products"], files["links"], files["register"], 2024, disclosure=PUBLIC, systems=SYSTEMS, lang="en"
    )


def test_national_paragraph_in_english(national):
    english, chinese = national.paragraph, products_paragraph(national)
    assert english == products_paragraph(national, lang="en") and chinese != english
    assert english.startswith("In the 2024 round, ") and "nationwide" in english
    assert_english(english, chinese, national)
    rounds = national.rounds.set_index("filing_year")
    assert f"{int(rounds.at[2024, 'recognised']):,} were recognised as patent-intensive products" in english
    assert format_yuan_en(rounds.at[2024, "output_value"]) in english
    assert "By region, Guangdong (" in english  # provinces by their English names
    assert "the Herfindahl-Hirschman index was" in english
    # the same sentences: one English sentence per Chinese one
    assert english.count(". ") + 1 == chinese.count("。")


def test_first_round_has_no_growth(files):
    first = compute_products(
        files["products"], files["links"], files["register"], 2023, disclosure=PUBLIC, systems=(), lang="en"
    )
    assert "no product was recognised in the 2022 round, so no growth is calculated" in first.paragraph
    assert "respectively" not in first.paragraph  # no growth of the money figures either
    assert_english(first.paragraph, products_paragraph(first), first)


@pytest.mark.slow  # the disclosure-control pattern of the money figures takes seconds
def test_withheld_money_is_left_out(files):
    from ipstats.products.io import read_products

    table = read_products(files["products"])
    rec = table[(table["status"] == "认定") & (table["filing_year"] == 2024)]
    province = rec.groupby("province_code")["credit_code"].nunique().sort_values(kind="stable").index[0]
    rep = compute_products(
        files["products"], files["links"], files["register"], 2024, region=province, systems=(), lang="en"
    )
    assert rep.money_withheld
    assert "withheld under statistical disclosure control" in rep.paragraph and "yuan" not in rep.paragraph
    assert_english(rep.paragraph, products_paragraph(rep), rep)
    assert "By region" not in rep.paragraph and rep.paragraph.count(". ") + 1 == products_paragraph(rep).count("。")


def test_region_without_products(files):
    from ipstats import reference
    from ipstats.products.io import read_products

    present = set(read_products(files["products"]).query("status == '认定' and filing_year == 2024")["province_code"])
    absent = sorted(set(reference.provinces()["province_code"]) - present)
    if not absent:
        pytest.skip("every province has a recognised product in this demo")
    rep = compute_products(
        files["products"],
        files["links"],
        files["register"],
        2024,
        region=absent[0],
        disclosure=PUBLIC,
        systems=(),
        lang="en",
    )
    assert rep.empty and rep.paragraph.startswith("In the 2024 round, no patent-intensive product was recognised in ")
    assert not has_cjk(rep.paragraph)
    assert not unstated_numbers(rep.paragraph, products_paragraph(rep))


def test_amounts_in_english_keep_the_chinese_precision():
    for wan in (693040.0, 123456.0, 19000.0, 10000.0, 8765.4, 123.0, 50.0, 0.5):
        english, chinese = format_yuan_en(wan), format_wan_yuan(wan)
        assert not unstated_numbers(english, chinese), (english, chinese)
    assert format_yuan_en(6930400.0) == "69.304 billion yuan" and format_yuan_en(float("nan")) == "n/a"


def test_the_number_check_can_fail(national):
    chinese = products_paragraph(national)
    assert unstated_numbers(national.paragraph + " The output grew by 987.6%.", chinese) == ["987.6"]
    # a 万元 amount read as 亿元 (a factor of 10,000) is a different number
    row = national.rounds.set_index("filing_year").loc[2024]
    wrong = format_yuan_en(row["output_value"] * 10_000)
    assert unstated_numbers(wrong, chinese) == [wrong.split()[0] + " " + wrong.split()[1]]
    assert unstated_numbers("up 125.0%", "增长1.3倍") == [] and unstated_numbers("up 140.0%", "增长1.3倍") == ["140.0"]


def test_labelled_in_english(national):
    shown = labelled(national.rounds, lang="en")
    assert shown.columns[0] == PRODUCT_LABELS_EN["filing_year"] and shown.iloc[:, 0].tolist() == ["2023", "2024"]
    assert not any(has_cjk(c) for c in shown.columns)
    panel = labelled(national.panel, lang="en")
    assert panel[PRODUCT_LABELS_EN["scope"]].iloc[1] == "Same products (recognised in both rounds)"
    assert labelled(national.panel).equals(labelled(national.panel, lang="zh"))  # Chinese by default
    with pytest.raises(ValueError, match="lang"):
        labelled(national.panel, lang="fr")


def test_categories_by_their_english_or_official_names():
    from ipstats.products.report import _category_en

    sei = load_system("cnipa_sei_2021")
    names_en = sei.categories.set_index("category")["name_en"].dropna().to_dict()
    assert _category_en("1", sei.category_names()["1"], names_en) == names_en["1"]  # the table's English name
    green = load_system("cnipa_green_tech")
    shown = green.display_names()
    code = next(c for c, name in shown.items() if isinstance(name, str) and name.startswith("下设") and "等" in name)
    english = _category_en(code, f"第{code}类（{shown[code]}）", {})
    assert english.startswith(f"group {code} (") and "branches, among them" in english
    stripped = english
    for name in sorted(green.category_names().dropna(), key=len, reverse=True):
        stripped = stripped.replace(name, "")
    assert not has_cjk(stripped)  # only the branches' official names stay Chinese
    assert not unstated_numbers(english, f"第{code}类（{shown[code]}）")
    assert _category_en("9", "类别9（分类表未给出名称）", {}) == "category 9 (not named in the classification table)"
    assert _category_en("X", "某类别", {}) == "某类别"  # an official name without English is kept
