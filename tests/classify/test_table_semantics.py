"""The table's own counting rules (keywords="table"), display names, IPC editions and newer codes.

Hand-made cases for each rule kind (plain IPC rule, keyword condition, keyword exclusion, 部分涉及
candidate) and real strings: patent titles and IPC cells from ../shared/reference/patents (skipped when
that folder is absent).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from ipstats.concordance import KEYWORD_STRATEGIES, classify_frame, load_system
from ipstats.concordance.coverage import coverage, newer_codes
from ipstats.concordance.api import links_from_frame

RULES = """rule_id,category,category_name_zh,parent,ipc_patterns,ipc_exclusions,keywords,keyword_exclusions,coverage
A#1,A,纯分类号,,H01M*,,,,全部涉及
K#1,K,关键词条件,,G06N*,,神经网络、深度学习等,,
X#1,X,关键词排除,,B60L*,,电动,燃料汽车,
C#1,C,部分涉及,,F24S*,,,,部分涉及
"""


@pytest.fixture()
def system(tmp_path):
    path = tmp_path / "hand_rules.csv"
    path.write_text(RULES, encoding="utf-8")
    (tmp_path / "hand_rules.yaml").write_text(
        "name_zh: 手工规则\nedition: '2021'\nipc_edition: '2021.01'\n", encoding="utf-8"
    )
    return load_system(path)


def _frame():
    return pd.DataFrame(
        {
            "patent_id": ["p1", "p2", "p3", "p4", "p5", "p6"],
            "ipc": ["H01M10/0525", "G06N3/08", "G06N3/08", "B60L53/10", "B60L53/10", "F24S10/00"],
            "title": [
                "一种电池",
                "一种基于深度学习的识别方法",
                "一种计算装置",
                "一种电动汽车充电装置",
                "一种电动燃料汽车",
                "一种集热器",
            ],
        }
    )


def test_each_strategy_on_each_rule_kind(system):
    assert "table" in KEYWORD_STRATEGIES
    got = {
        kw: classify_frame(_frame(), system, keywords=kw)[0].set_index("patent_id")["match"].to_dict()
        for kw in ("confirm", "require", "table", "ignore")
    }
    assert got["confirm"] == {
        "p1": "confirmed",
        "p2": "keyword-confirmed",
        "p3": "IPC-only",
        "p4": "keyword-confirmed",
        "p6": "candidate",
    }  # p5: keyword exclusion found
    assert got["require"] == {
        "p1": "confirmed",
        "p2": "keyword-confirmed",
        "p4": "keyword-confirmed",
        "p6": "candidate",
    }
    # the table's own semantics: keyword conditions required and candidates left out
    assert got["table"] == {"p1": "confirmed", "p2": "keyword-confirmed", "p4": "keyword-confirmed"}
    # IPC alone: keyword conditions and exclusions are not read
    assert set(got["ignore"]) == {"p1", "p2", "p3", "p4", "p5", "p6"}


def test_table_semantics_splits_the_weight_over_counted_categories_only(system):
    frame = pd.DataFrame(
        {"patent_id": ["q", "q", "q"], "ipc": ["H01M4/13", "G06N3/04", "F24S20/00"], "title": ["一种电池管理方法"] * 3}
    )
    table = classify_frame(frame, system, keywords="table")[0]
    assert table["category"].tolist() == ["A"] and table["weight"].tolist() == [1.0]
    upper = classify_frame(frame, system, keywords="confirm")[0]
    assert sorted(upper["category"]) == ["A", "C", "K"] and upper["weight"].sum() == pytest.approx(1.0)


def test_display_names_use_named_sub_branches_never_a_bare_code():
    green = load_system("cnipa_green_tech")
    names = green.display_names()
    blank = green.category_names().isna()
    assert blank.sum() > 0 and names.notna().all()
    assert names["1.1.4"] == "下设“煤制燃料”“煤制化学品”“煤气化”"
    assert names["1"].startswith("下设“保水开采技术”“褐煤开采”“资源综合利用技术”等") and names["1"].endswith("个分支")
    for code in green.categories["category"]:
        assert names[code] != code
    sei = load_system("cnipa_sei_2021")
    assert (sei.display_names() == sei.category_names()).all()  # official names kept as they are


def test_every_shipped_system_states_its_ipc_edition():
    from ipstats.concordance import list_systems

    for system_id in list_systems()["id"]:
        system = load_system(system_id)
        assert system.ipc_edition and len(system.ipc_edition) == 7 and system.ipc_edition[4] == "."
        assert f"IPC {system.ipc_edition}" in system.label()


def test_codes_newer_than_the_edition_are_counted(system):
    codes = pd.Series(["H10B12/00", "G06V10/82", "H01M10/0525", "G06N3/08"])
    assert newer_codes(system, codes).tolist() == [True, True, False, False]  # H10B 2023, G06V 2022 > 2021.01
    later = load_system("cnipa_new_three_2024")  # 2024.01 knows H10B and G06V
    assert newer_codes(later, codes).tolist() == [False, False, False, False]
    frame = pd.DataFrame({"patent_id": ["a", "a", "b", "c"], "ipc": ["H10B12/00", "H01M4/13", "G06V10/82", "H01M4/13"]})
    con = duckdb.connect()
    links_from_frame(con, frame)
    summary = coverage(con, system, "links")["summary"].iloc[0]
    assert summary["ipc_edition"] == "2021.01" and summary["newer_codes"] == 2
    assert summary["newer_patents"] == 2 and summary["newer_only_patents"] == 1  # b has nothing else


# --- real strings --------------------------------------------------------------------------------------------
def test_real_titles_and_ipc_cells(shared_reference):
    """PATENTSCOPE records: English titles and IPC cells as published, through the table's semantics."""
    records = pd.read_csv(shared_reference / "patents" / "patentscope_pizza_24294.csv", dtype=str)
    records = records.dropna(subset=["ipc_codes", "title"])
    frame = pd.DataFrame(
        {"patent_id": records["publication_number"], "ipc": records["ipc_codes"], "title": records["title"]}
    )
    digital = load_system("cnipa_digital_tech_2023")
    upper = classify_frame(frame, digital, keywords="confirm")[0]
    table = classify_frame(frame, digital, keywords="table")[0]
    assert set(table["match"]) <= {"confirmed", "keyword-confirmed"}
    # the published count is the confirmed part of the upper bound, patent by patent and category by category
    confirmed = upper[upper["match"].isin(["confirmed", "keyword-confirmed"])]
    assert set(zip(table["patent_id"], table["category"])) == set(zip(confirmed["patent_id"], confirmed["category"]))
    assert len(table) < len(upper)
    # every keyword-confirmed match has a term of its category's rules in the (folded) title
    from ipstats.engines import fold

    terms = digital.rules.groupby("category")["terms"].agg(lambda cells: {t for cell in cells for t in cell})
    titles = frame.set_index("patent_id")["title"].map(fold)
    kw = table[table["match"] == "keyword-confirmed"]
    assert len(kw) > 0
    for patent, category in zip(kw["patent_id"], kw["category"]):
        assert any(term in titles[patent] for term in terms[category]), (patent, category)
