"""The concordance engine: pattern semantics, exclusions, keywords, weights, shipped systems, user tables."""

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ipstats.concordance import (
    RuleTableError,
    classify,
    classify_frame,
    coverage,
    list_systems,
    load_system,
    resolve_codes,
)
from ipstats.concordance.api import links_from_frame
from ipstats.concordance.audit import suspicious_rows
from ipstats.concordance.keywords import split_terms
from ipstats.concordance.patterns import Conventions, PatternError, code_parts, match_codes, parse_pattern

DATA = Path(__file__).with_name("data")


# ------------------------------------------------------------------ patterns


def covers(pattern, code, **conv):
    pat = parse_pattern(pattern, Conventions(**conv))
    table = pd.DataFrame(
        [{"pid": 0, "kind": pat.kind, "head": pat.head, "main_group": pat.main_group, "subgroup": pat.subgroup}]
    )
    return len(match_codes(code_parts(pd.Series([code])), table)) == 1


@pytest.mark.parametrize(
    "pattern, code, expected",
    [
        ("B60L8*", "B60L8/00", True),
        ("B60L8*", "B60L8/003", True),
        ("B60L8*", "B60L80/00", False),
        ("B60L50/60*", "B60L50/60", True),
        ("B60L50/60*", "B60L50/64", False),
        ("B60L50/60*", "B60L50/605", True),
        ("G06F3/048*", "G06F3/0481", True),
        ("G06F3/048*", "G06F3/04", False),
        ("G06F3/048*", "G06F3/0487", True),
        ("B60L50/30", "B60L50/30", True),
        ("B60L50/30", "B60L50/301", False),
        ("H01L*", "H01L21/02", True),
        ("H01L", "H01L21/02", True),
        ("H01*", "H01M10/0525", True),
        ("H01*", "H02J7/00", False),
        ("H*", "H99Z1/00", True),
        ("G06F*", "G06N3/08", False),
        ("H03M13", "H03M13/00", True),
        ("H03M13", "H03M13/11", False),
        ("H03M13/00", "H03M13/11", False),
        ("H01L21/00*", "H01L21/02", True),
    ],
)
def test_pattern_semantics(pattern, code, expected):
    assert covers(pattern, code) is expected


def test_conventions_change_bare_patterns():
    assert covers("H03M13", "H03M13/11", bare_main_group="subtree")
    assert covers("H03M13/00", "H03M13/11", group_head="subtree")
    assert covers("B60L50/30", "B60L50/301", bare_subgroup="subtree")
    with pytest.raises(ValueError):
        Conventions(bare_main_group="maybe")


@pytest.mark.parametrize("bad", ["pizza", "H04L0*", "Z01A*", "H04L29/06/1"])
def test_bad_patterns(bad):
    with pytest.raises(PatternError, match="not an IPC pattern"):
        parse_pattern(bad)


def test_keyword_terms():
    assert split_terms("光纤宽带运营服务；新一代移动通信核心网和接入网建设、组网等移动电信服务") == [
        "光纤宽带运营服务",
        "新一代移动通信核心网和接入网建设",
        "组网等移动电信服务",
    ]
    assert split_terms("智能芯片;AI芯片;ＧＰＵ；图形处理器等") == ["智能芯片", "ai芯片", "gpu", "图形处理器"]
    assert split_terms("") == [] and split_terms(None) == []


# ------------------------------------------------------------------ shipped systems


def test_list_systems():
    systems = list_systems()
    assert {
        "wipo_fields_2019",
        "wipo_fields_2019_supplemented",
        "cnipa_sei_2021",
        "cnipa_digital_tech_2023",
        "cnipa_green_tech",
        "cnipa_new_three_2024",
        "wipo_green_inventory",
        "isi_nace2",
    } <= set(systems["id"])
    assert systems["edition"].str.len().gt(0).all() and systems["source"].str.len().gt(10).all()


@pytest.mark.parametrize(
    "system_id, leaves, rules, patterns, exclusions",
    [
        ("cnipa_sei_2021", 40, 287, 1625, 965),  # counts stated in cnipa_SOURCES.md
        ("cnipa_digital_tech_2023", 527, 527, 4890, 0),
        ("cnipa_green_tech", 143, 155, 773, 28),
        ("cnipa_new_three_2024", 49, 78, 295, 22),
        ("wipo_fields_2019", 35, 764, 764, 0),
    ],
)
def test_rule_counts_match_the_sources(system_id, leaves, rules, patterns, exclusions):
    system = load_system(system_id)
    count = lambda col: int(system.rules[col].map(lambda c: len([p for p in c.split(";") if p])).sum())  # noqa: E731
    assert system.rules["category"].nunique() == leaves
    assert len(system.rules) == rules == system.meta["expected"]["rules"]
    assert (count("ipc_patterns"), count("ipc_exclusions")) == (patterns, exclusions)


def test_digital_keys_are_subsystem_plus_branch():
    system = load_system("cnipa_digital_tech_2023")
    cats = system.categories.set_index("category")
    assert cats.loc["AI", "name_zh"] == "人工智能" and cats.loc["AI:1.1.1", "name_zh"] == "GPU"
    assert cats.loc["AI:1.1.1", "parent"] == "AI:1.1"
    assert {c.split(":")[0] for c in system.rules["category"]} == {
        "AI",
        "CHIP",
        "QUANTUM",
        "IOT",
        "BLOCKCHAIN",
        "IIOT",
        "METAVERSE",
    }
    assert system.ancestors(1)["AI:1.1.1"] == "AI"


@pytest.mark.parametrize(
    "system_id, code, category, present",
    [
        ("wipo_fields_2019", "H04N3/00", "2", True),  # audio-visual
        ("wipo_fields_2019", "H04N1/00", "3", True),  # telecommunications
        ("wipo_fields_2019", "H04N21/20", "4", True),  # digital communication
        ("wipo_fields_2019", "A61K31/00", "16", True),  # pharmaceuticals
        ("wipo_fields_2019", "H10B10/00", "8", False),  # created after the 2019 table
        ("wipo_fields_2019_supplemented", "H10B10/00", "8", True),
        ("cnipa_green_tech", "E21C41/18", "1.1.1.2", True),  # 褐煤开采
        ("cnipa_new_three_2024", "B60L8/00", "1.1", True),
        ("cnipa_new_three_2024", "B60L80/00", "1.1", False),
    ],
)
def test_hand_checked_examples(system_id, code, category, present):
    resolved = resolve_codes(load_system(system_id), [code])
    assert (category in set(resolved["category"])) is present


def test_exclusions_remove_matches():
    """SEI 1.1 rule 1: G06F11* except G06F11/14 (as the document writes it)."""
    resolved = resolve_codes(load_system("cnipa_sei_2021"), ["G06F11/30", "G06F11/14"])
    rule1 = resolved[resolved["rule_id"] == "1.1#1"]
    assert set(rule1["ipc"]) == {"G06F11/30"}


def test_keyword_rule_confirmed_ipc_only_and_required():
    frame = pd.DataFrame(
        {
            "patent_id": ["gpu", "plain"],
            "ipc": ["G06N 3/08", "G06N 3/08"],
            "title": ["一种基于ＧＰＵ的神经网络训练方法", "一种神经网络训练方法"],
        }
    )
    out, _ = classify_frame(frame, "cnipa_digital_tech_2023")
    gpu = out[out["category"] == "AI:1.1.1"].set_index("patent_id")["match"]
    assert gpu.to_dict() == {"gpu": "keyword-confirmed", "plain": "IPC-only"}
    required, _ = classify_frame(frame, "cnipa_digital_tech_2023", keywords="require")
    assert set(required.loc[required["category"] == "AI:1.1.1", "patent_id"]) == {"gpu"}
    ignored, _ = classify_frame(frame, "cnipa_digital_tech_2023", keywords="ignore")
    assert set(ignored["match"]) == {"IPC-only"}


def test_keyword_exclusion_drops_the_rule():
    """新三样 1.1 rule 1: B60K1* etc. with keyword 机动车 and keyword exclusion 燃料汽车."""
    frame = pd.DataFrame(
        {
            "patent_id": ["ev", "fuel"],
            "ipc": ["B60K1/04", "B60K1/04"],
            "title": ["一种机动车电池布置结构", "一种燃料汽车机动车底盘"],
        }
    )
    out, _ = classify_frame(frame, "cnipa_new_three_2024")
    assert out.loc[out["category"] == "1.1"].set_index("patent_id")["match"].to_dict() == {"ev": "keyword-confirmed"}
    ignored, _ = classify_frame(frame, "cnipa_new_three_2024", keywords="ignore")
    assert set(ignored.loc[ignored["category"] == "1.1", "patent_id"]) == {"ev", "fuel"}


def test_green_coverage_gives_confirmed_and_candidates():
    frame = pd.DataFrame({"patent_id": ["a", "b"], "ipc": ["E21C41/18", "E02D17/20"]})
    out, _ = classify_frame(frame, "cnipa_green_tech")
    labels = out.set_index(["patent_id", "category"])["match"]
    assert labels[("a", "1.1.1.2")] == "confirmed"  # 全部涉及
    assert labels[("b", "1.1.1.1")] == "candidate"  # 部分涉及


def test_weights_split_over_distinct_categories_and_codes_dedupe():
    frame = pd.DataFrame({"patent_id": ["p", "q"], "ipc": ["H04N 3/00;H04N 5/00;H04N 1/00", "H04N 5/00"]})
    out, _ = classify_frame(frame, "wipo_fields_2019")
    p = out[out["patent_id"] == "p"].set_index("category")["weight"]
    assert p.to_dict() == {"2": 0.5, "3": 0.5}  # two codes in field 2 count once
    assert out.groupby("patent_id")["weight"].sum().round(12).eq(1).all()


def test_probabilistic_weights_average_over_classes():
    frame = pd.DataFrame({"patent_id": ["p"], "ipc": ["A01B1/00;A01C3/00;H01M10/0525"]})
    out, _ = classify_frame(frame, "isi_nace2")
    assert out["weight"].sum() == pytest.approx(1.0)
    isi = load_system("isi_nace2").rules
    a01 = isi[isi["rule_id"].str.endswith("#A01")].set_index("category")["weight"]
    h01 = isi[isi["rule_id"].str.endswith("#H01")].set_index("category")["weight"]
    expected = a01.add(h01, fill_value=0) / 2  # two distinct classes: A01 (twice) and H01
    got = out.set_index("category")["weight"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)


# ------------------------------------------------------------------ user tables


def test_user_table_works_like_a_shipped_one():
    system = load_system(DATA / "user_digital_core_2023.csv")
    assert system.id == "user_digital_core_2023" and system.edition == "2023"
    assert system.categories.set_index("category").loc["0101", "parent"] == "01"
    frame = pd.DataFrame(
        {
            "patent_id": ["pc", "gui", "bs"],
            "ipc": ["G06F 1/16", "G06F 3/0481", "H04W 88/08"],
            "title": ["一种服务器机箱", "图形用户界面", "一种基站天线"],
        }
    )
    out, _ = classify_frame(frame, system)
    got = {(r.patent_id, r.category): r.match for r in out.itertuples()}
    assert got[("pc", "0101")] == "keyword-confirmed" and got[("pc", "01")] == "confirmed"
    assert ("gui", "0101") not in got  # excluded G06F3/048*
    assert got[("bs", "0102")] == "keyword-confirmed"
    assert "测试样例" in system.label()


@pytest.mark.parametrize(
    "content, message",
    [
        ("category,ipc_patterns\n01,\n", "row 2, field ipc_patterns: empty"),
        ("category,ipc_patterns\n01,pizza*\n", "row 2, field ipc_patterns: not an IPC pattern: 'pizza*'"),
        ("category\n01\n", "missing required column(s) ipc_patterns"),
        ("category,ipc_patterns,weight\n01,H01L*,2\n", "row 2, field weight: 2.0 is outside (0, 1]"),
        ("category,ipc_patterns,coverage\n01,H01L*,maybe\n", "row 2, field coverage: 'maybe'"),
    ],
)
def test_bad_user_tables_get_one_line(tmp_path, content, message):
    path = tmp_path / "rules.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RuleTableError) as exc:
        load_system(path)
    assert message in str(exc.value) and "\n" not in str(exc.value) and str(path) in str(exc.value)


def test_unknown_system():
    with pytest.raises(RuleTableError, match="unknown classification system 'nope'"):
        load_system("nope")


# ------------------------------------------------------------------ audits and coverage


def test_suspicious_rows_finds_the_known_oddities():
    found = suspicious_rows(load_system("cnipa_sei_2021"))
    both = found[found["finding"] == "pattern_also_excluded"]
    assert both["rule_id"].tolist() == ["1.1#3"] and "15 pattern(s)" in both["detail"].iloc[0]
    assert set(found.loc[found["finding"] == "no_star", "detail"].str.split().str[0]) == {"H03M13", "G16H"}


def test_coverage_reports_predated_and_unknown_codes():
    con = duckdb.connect()
    frame = pd.DataFrame(
        {"patent_id": ["a", "b", "c", "d"], "ipc": ["H04N3/00", "H10B10/00", "H04X1/00;H04N3/00", "A23L1/00"]}
    )
    links_from_frame(con, frame)
    diag = coverage(con, load_system("wipo_fields_2019"), "links")
    s = diag["summary"].iloc[0]
    # A23L1/00 predates both editions held but its subclass A23L is in field 18: matched
    assert (s["patents"], s["matched_patents"], s["ipc_occurrences"], s["matched_occurrences"]) == (4, 3, 5, 3)
    assert diag["predated"]["ipc"].tolist() == ["H10B10/00"]
    assert diag["unknown"]["ipc"].tolist() == ["H04X1/00"]
    assert set(diag["unmatched"]["ipc"]) == {"H10B10/00", "H04X1/00"}


def test_classify_register_file(small_demo):
    out, report = classify(small_demo["register"], "wipo_fields_2019")
    assert report is None  # links came from register_ipc.parquet
    reg = pd.read_parquet(small_demo["register"])
    classified = set(out["patent_id"])
    assert classified <= set(reg["application_number"])
    assert out.groupby("patent_id")["weight"].sum().round(9).eq(1).all()
    assert len(classified) > 0.95 * reg["ipc"].notna().sum()


def test_classify_csv_with_messy_cells(tmp_path):
    path = tmp_path / "patents.csv"
    pd.DataFrame({"patent_id": [1, 2], "ipc": ["Ｈ０４Ｎ　３／００；H04N 1/00", "pizza"]}).to_csv(path, index=False)
    out, report = classify(path, "wipo_fields_2019")
    assert set(out["patent_id"]) == {"1"} and report.n_failed == 1 and report.failed_examples == ["pizza"]


# ------------------------------------------------------------------ real data


def test_patentscope_wipo_fields_against_a_plain_implementation(shared_reference):
    """WIPO fields of 24,294 real records: the engine equals a straightforward lookup, whole and fractional."""
    recs = pd.read_csv(shared_reference / "patents" / "patentscope_pizza_24294.csv", dtype=str)
    frame = pd.DataFrame(
        {"patent_id": recs["publication_number"] + "#" + recs.index.astype(str), "ipc": recs["ipc_codes"]}
    )
    out, report = classify_frame(frame, "wipo_fields_2019")
    assert report.n_parsed > 88_000

    wipo = pd.read_csv(
        shared_reference / "concordances" / "wipo_ipc_technology_2019.csv", dtype=str, keep_default_na=False
    )
    by_group = {(r.ipc_subclass, int(r.ipc_main_group)): r.field_nr for r in wipo.itertuples() if r.ipc_main_group}
    by_subclass = {r.ipc_subclass: r.field_nr for r in wipo.itertuples() if not r.ipc_main_group}
    rows, partial = [], set()
    plain_symbol = re.compile(r"^([A-H]\d\d[A-Z]) *(\d{1,4})/\d+$")
    for pid, cell in zip(frame["patent_id"], frame["ipc"].fillna("")):
        fields = set()
        for part in filter(None, (p.strip() for p in cell.split(";"))):
            m = plain_symbol.match(part)
            if not m or int(m.group(2)) == 0:
                partial.add(pid)  # a spelling only the real parser repairs (or main group 0): leave out
                continue
            field = by_group.get((m.group(1), int(m.group(2))), by_subclass.get(m.group(1)))
            if field:
                fields.add(field)
        rows += [(pid, f, 1 / len(fields)) for f in fields]
    plain = pd.DataFrame(rows, columns=["patent_id", "category", "weight"])
    # the plain reading skips the export spellings the parser repairs; compare on patents both read fully
    common = (set(plain["patent_id"]) | set(out["patent_id"])) - partial
    ours = out[out["patent_id"].isin(common)]
    theirs = plain[plain["patent_id"].isin(common)]
    assert len(common) > 20_000
    whole = ours.groupby("category").size().sort_index()
    pd.testing.assert_series_equal(whole, theirs.groupby("category").size().sort_index(), check_names=False)
    frac_ours = ours.groupby("category")["weight"].sum().sort_index()
    frac_theirs = theirs.groupby("category")["weight"].sum().sort_index()
    pd.testing.assert_series_equal(frac_ours, frac_theirs, check_names=False, atol=1e-9)


def test_ignore_reads_no_keyword_exclusions(tmp_path):
    """A rule with only a keyword exclusion: applied under confirm, not read under ignore."""
    path = tmp_path / "rules.csv"
    path.write_text("category,ipc_patterns,keyword_exclusions\nX,H01M*,燃料\nY,H02J*,\n", encoding="utf-8")
    frame = pd.DataFrame({"patent_id": ["a"], "ipc": ["H01M10/0525;H02J7/00"], "title": ["燃料电池充电"]})
    confirm, _ = classify_frame(frame, load_system(path))
    ignore, _ = classify_frame(frame, load_system(path), keywords="ignore")
    assert set(confirm["category"]) == {"Y"} and set(ignore["category"]) == {"X", "Y"}
