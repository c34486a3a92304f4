"""IPC edition drift: codes newer than a table's IPC edition mapped back through a reclassification table.

Hand-made tables and codes for each case (one origin, several origins, an unmapped newer code, a table of a
later edition, keyword conditions on mapped codes, bad rows of the table), the shipped table and its build
script, the monitoring's drift shares and notes on a small demo register, and real IPC cells from
../shared/reference/patents (skipped when that folder is absent).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from ipstats.concordance import classify_frame, load_system
from ipstats.concordance.api import links_from_frame
from ipstats.concordance.audit import edition_evidence
from ipstats.concordance.coverage import coverage
from ipstats.concordance.reclassify import ReclassificationError, load_reclassification, map_back, shipped_path

RULES = """rule_id,category,category_name_zh,parent,ipc_patterns,ipc_exclusions,keywords,keyword_exclusions,coverage
AI#1,AI,模式识别,,G06K9*,,,,
IMG#1,IMG,图像分析,,G06T7*,,,,
MEM#1,MEM,存储器,,H01L27*,,存储、存储器等,,
"""
RECLASS = """new_symbol,old_symbol,ipc_version,share,note
G06V,G06K9/00,2022.01,,hand-made: one origin
H10B,H01L27/00,2023.01,,hand-made: one origin
G06Q90,G06K9/00,2022.01,0.5,hand-made: two origins in different categories
G06Q90,G06T7/00,2022.01,0.5,
"""


def _system(tmp_path, edition: str):
    folder = tmp_path / edition
    folder.mkdir(exist_ok=True)
    path = folder / "hand_rules.csv"
    path.write_text(RULES, encoding="utf-8")
    (folder / "hand_rules.yaml").write_text(
        f"name_zh: 手工规则\nedition: '{edition[:4]}'\nipc_edition: '{edition}'\n", encoding="utf-8"
    )
    return load_system(path)


@pytest.fixture()
def table(tmp_path):
    path = tmp_path / "reclass.csv"
    path.write_text(RECLASS, encoding="utf-8")
    return path


def _matches(frame, system, **kw):
    out = classify_frame(frame, system, **kw)[0]
    return sorted(zip(out["patent_id"], out["category"], out["match"]))


def test_a_g06v_code_maps_back_to_g06k9_and_matches_its_category(tmp_path, table):
    system = _system(tmp_path, "2021.01")
    frame = pd.DataFrame({"patent_id": ["p"], "ipc": ["G06V10/82"], "title": ["一种识别方法"]})
    assert _matches(frame, system, keywords="table") == []  # the 2021 table has no G06V
    assert _matches(frame, system, keywords="table", reclassify=table) == [("p", "AI", "confirmed")]
    # a code's own matches are kept: G06T7 stays IMG, the mapped G06V adds AI
    both = pd.DataFrame({"patent_id": ["q", "q"], "ipc": ["G06T7/00", "G06V40/16"], "title": ["x", "x"]})
    assert _matches(both, system, keywords="table", reclassify=table) == [
        ("q", "AI", "confirmed"),
        ("q", "IMG", "confirmed"),
    ]


def test_keyword_conditions_still_apply_to_mapped_codes(tmp_path, table):
    system = _system(tmp_path, "2021.01")
    frame = pd.DataFrame(
        {"patent_id": ["a", "b"], "ipc": ["H10B12/00", "H10B12/00"], "title": ["一种动态随机存储器", "一种半导体装置"]}
    )
    assert _matches(frame, system, keywords="table", reclassify=table) == [("a", "MEM", "keyword-confirmed")]
    assert _matches(frame, system, keywords="confirm", reclassify=table) == [
        ("a", "MEM", "keyword-confirmed"),
        ("b", "MEM", "IPC-only"),
    ]


def test_several_origins_in_different_categories_are_candidates_only(tmp_path, table):
    system = _system(tmp_path, "2021.01")
    frame = pd.DataFrame({"patent_id": ["c"], "ipc": ["G06Q90/00"], "title": ["x"]})
    assert _matches(frame, system, keywords="table", reclassify=table) == []
    assert _matches(frame, system, keywords="confirm", reclassify=table) == [
        ("c", "AI", "candidate"),
        ("c", "IMG", "candidate"),
    ]
    # the same origins with all the share in one category: counted by the rule
    whole = tmp_path / "whole.csv"
    whole.write_text(
        "new_symbol,old_symbol,ipc_version,share\nG06Q90,G06K9/00,2022.01,0.5\nG06Q90,G06K9/62,2022.01,0.5\n",
        encoding="utf-8",
    )
    assert _matches(frame, system, keywords="table", reclassify=whole) == [("c", "AI", "confirmed")]


def test_a_rule_naming_only_some_subgroups_of_the_old_group_is_a_candidate(tmp_path, table):
    path = tmp_path / "pv.csv"
    path.write_text(
        "rule_id,category,category_name_zh,ipc_patterns\nPV#1,PV,光伏,H01L31/04*\nLED#1,LED,发光,H01L33*\n",
        encoding="utf-8",
    )
    (tmp_path / "pv.yaml").write_text("name_zh: 光伏\nipc_edition: '2023.01'\n", encoding="utf-8")
    system = load_system(path)
    frame = pd.DataFrame({"patent_id": ["f", "h"], "ipc": ["H10F10/14", "H10H20/01"], "title": ["x", "x"]})
    # H10F (2026.01) → H01L31/00 as a whole: H01L31/04* may or may not hold it; H10H → H01L33/00 is in H01L33*
    assert _matches(frame, system, keywords="confirm", reclassify="shipped") == [
        ("f", "PV", "candidate"),
        ("h", "LED", "confirmed"),
    ]
    assert _matches(frame, system, keywords="table", reclassify="shipped") == [("h", "LED", "confirmed")]


def test_most_specific_row_and_the_table_edition_decide(table):
    loaded = load_reclassification(table)
    back = map_back(loaded, ["G06V10/82", "G06Q90/00", "G06Q10/00", "H10B12/00", "H04L9/32"], "2021.01")
    assert back.to_dict("list") == {
        "ipc": ["G06Q90/00", "G06Q90/00", "G06V10/82", "H10B12/00"],
        "old_symbol": ["G06K9/00", "G06T7/00", "G06K9/00", "H01L27/00"],
        "share": [0.5, 0.5, 1.0, 1.0],
    }
    # a 2022.01 table knows G06V (and the G06Q90 of this hand-made table) but not H10B (2023.01)
    assert map_back(loaded, ["G06V10/82", "H10B12/00"], "2022.01")["ipc"].tolist() == ["H10B12/00"]
    assert map_back(loaded, ["G06V10/82"], None).empty  # edition unknown: nothing mapped


def test_an_older_edition_table_is_unaffected_and_a_later_one_too(tmp_path, table):
    later = _system(tmp_path, "2023.01")  # knows G06V and H10B
    frame = pd.DataFrame(
        {"patent_id": ["p", "q", "r"], "ipc": ["G06V10/82", "H10B12/00", "G06K9/62"], "title": ["存储器"] * 3}
    )
    assert _matches(frame, later, keywords="confirm", reclassify=table) == _matches(frame, later, keywords="confirm")
    # codes of the table's own edition are never mapped, whatever the table's edition
    earlier = _system(tmp_path, "2021.01")
    old = frame[frame["patent_id"] == "r"]
    assert _matches(old, earlier, keywords="table", reclassify=table) == _matches(old, earlier, keywords="table")


def test_coverage_counts_newer_mapped_and_unmatched_codes(tmp_path):
    system = _system(tmp_path, "2021.01")
    frame = pd.DataFrame(
        {"patent_id": ["a", "a", "b", "c", "d"], "ipc": ["H10B12/00", "H04L9/32", "G06V10/82", "B64U10/13", "G06T7/00"]}
    )
    con = duckdb.connect()
    links_from_frame(con, frame)
    plain = coverage(con, system, "links")["summary"].iloc[0]
    diag = coverage(con, system, "links", reclassify="shipped")
    summary = diag["summary"].iloc[0]
    assert (plain["newer_codes"], plain["matched_patents"], plain["newer_only_patents"]) == (3, 1, 3)
    assert summary["reclassification"] == "shipped" and summary["newer_codes"] == 3
    # shipped: H10B → H01L27/00 (MEM), G06V → G06K9/00 and G06T7/00 (AI and IMG: candidates); B64U: no origin stated
    assert (summary["mapped_codes"], summary["mapped_patents"], summary["mapped_candidate_codes"]) == (2, 2, 1)
    assert (summary["newer_unmatched_codes"], summary["newer_unmatched_patents"], summary["newer_only_patents"]) == (
        1,
        1,
        1,
    )
    assert summary["matched_patents"] == 3
    assert diag["predated"]["ipc"].tolist() == ["B64U10/13"]


def test_a_bad_row_gives_one_clear_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("new_symbol,old_symbol,ipc_version\nG06V,G06K9/00,2022.01\nH10B,H01L27/00,2023\n", encoding="utf-8")
    with pytest.raises(ReclassificationError) as info:
        load_reclassification(bad)
    assert str(info.value) == (
        f"{bad}:3: ipc_version: '2023' — expected text matching ^(19|20)\\d{{2}}\\.\\d{{2}}$, e.g. 2022.01"
    )
    over = tmp_path / "over.csv"
    over.write_text(
        "new_symbol,old_symbol,ipc_version,share\nG06V,G06K9/00,2022.01,0.8\nG06V,G06T7/00,2022.01,0.4\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ReclassificationError,
        match=r"over.csv: new_symbol G06V: shares add up to 1.2 — expected at "
        r"most 1$",
    ):
        load_reclassification(over)
    with pytest.raises(ReclassificationError, match="reclassification table not found"):
        load_reclassification(tmp_path / "missing.csv")
    assert load_reclassification("none") is None and load_reclassification(None) is None


def test_the_shipped_table_is_valid_and_rebuilt_by_its_script():
    import importlib.util
    from pathlib import Path

    from ipstats.validate import validate_file

    assert validate_file(shipped_path(), "ipc_reclassification").ok
    script = Path(__file__).resolve().parents[2] / "scripts" / "build_ipc_reclassification.py"
    spec = importlib.util.spec_from_file_location("build_ipc_reclassification", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0
    table = load_reclassification("shipped")
    assert set(table["new_symbol"]) == {"G06V", "H10B", "H10D", "H10F", "H10H", "H10K", "H10N", "H10P", "H10W"}
    assert table.groupby("new_symbol")["share"].sum().round(9).eq(1).all()
    assert table.loc[table["new_symbol"] == "H10N", "old_symbol"].tolist() == [f"H01L{g}/00" for g in range(35, 50, 2)]


def test_edition_evidence_of_the_shipped_systems():
    digital = edition_evidence(load_system("cnipa_digital_tech_2023")).iloc[0]
    assert (digital["newest_used"], digital["first_moved_edition"], digital["consistent"]) == ("G06V", "2023.01", True)
    sei = edition_evidence(load_system("cnipa_sei_2021")).iloc[0]
    assert sei["first_moved"] == "G06K9/00→G06V" and sei["consistent"]


def test_monitoring_flags_the_growth_the_drift_affects(small_demo):
    """The demo register carries IPC 2026.01 codes only: WIPO's 2019 field 8 (semiconductors) is reached only
    through H10* codes mapped back to H01L, and the notes say so with the computed shares."""
    from ipstats.indicators.monitoring import DRIFT_FLAG_PCT, category_notes, compute_monitoring, totals_notes

    mon = compute_monitoring(small_demo["register"], 2023, system="wipo_fields_2019", span=2)
    off = compute_monitoring(small_demo["register"], 2023, system="wipo_fields_2019", span=2, reclassify="none")
    leaf, drift = mon.leaf.set_index("category"), mon.drift[max(mon.levels)]
    assert off.leaf.set_index("category")["applications"].get("8", 0) == 0 < leaf.at["8", "applications"]
    assert drift.at["8", "mapped_pct"] == 100.0 and drift.at["8", "drift_pct"] >= DRIFT_FLAG_PCT
    note = next(n for n in category_notes(mon, max(mon.levels)) if n.startswith("受IPC版本差异影响"))
    assert "8（半导体：经改回计入100.0%" in note
    cov = mon.coverage.iloc[0]
    assert cov["mapped_patents"] > 0 and off.coverage.iloc[0]["mapped_patents"] == 0
    assert f"{int(cov['mapped_patents']):,}件的新设分类号改回旧版分类号后与分类表对应" in " ".join(totals_notes(mon))
    assert not any("经改回计入" in n for n in category_notes(off, max(off.levels)))


# --- real strings --------------------------------------------------------------------------------------------
def test_real_cells_of_an_older_register_are_not_remapped(shared_reference):
    """PATENTSCOPE records (1940–2015, real spellings such as 'G06K 9/00'): nothing in them is newer than a 2021
    table, so mapping back changes no match; G06K 9 and H01L 27 codes keep their own categories."""
    records = pd.read_csv(shared_reference / "patents" / "patentscope_pizza_24294.csv", dtype=str)
    records = records.dropna(subset=["ipc_codes", "title"])
    frame = pd.DataFrame(
        {"patent_id": records["publication_number"], "ipc": records["ipc_codes"], "title": records["title"]}
    )
    old = frame[frame["ipc"].str.contains(r"G06K 9/|H01L 27/", regex=True)]
    assert len(old) >= 5
    sei = load_system("cnipa_sei_2021")
    assert _matches(frame, sei, keywords="confirm", reclassify="shipped") == _matches(frame, sei, keywords="confirm")
    con = duckdb.connect()
    links_from_frame(con, frame)
    summary = coverage(con, sei, "links", reclassify="shipped")["summary"].iloc[0]
    assert summary["mapped_codes"] == 0 and summary["mapped_patents"] == 0 and summary["patents"] > 24_000
    assert summary["newer_unmatched_codes"] == summary["newer_codes"]
