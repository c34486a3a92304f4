"""The notes of the domain-monitoring tables in English (``lang="en"``): the same notes from the same numbers.

:func:`category_notes`, :func:`totals_notes`, :func:`coverage_notes`, :func:`drift_note` and :func:`keyword_note`
have computed parts (the categories whose growth the IPC edition affects, with their shares; counts of patents
with newer IPC symbols; the reclassification table of the run) that the catalogue cannot translate. For the CI
register and variants of its runs (other counting rules, another reclassification table, no IPC edition, more
flagged categories, a system without English names), each English note holds no Chinese but the official names
of categories (and of a system) the table names only in Chinese, is plain ASCII but for those names, and states
only numbers its Chinese note states. The Chinese notes are those of ``lang="zh"``, the default.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from test_english_text import REGISTER, unstated  # the number comparison of the English paragraphs

from ipstats.indicators import monitoring as mon
from ipstats.language import has_cjk

RUNS = {
    "sei": ("cnipa_sei_2021", "national", "table", "shipped"),
    "sei unmapped": ("cnipa_sei_2021", "national", "table", "none"),
    "green": ("cnipa_green_tech", "national", "table", "shipped"),
    "wipo confirm": ("wipo_fields_2019", "national", "confirm", "shipped"),
    "digital 54": ("cnipa_digital_tech_2023", "54", "table", "shipped"),
}


@pytest.fixture(scope="module")
def runs() -> dict:
    return {
        key: mon.compute_monitoring(REGISTER, 2023, system=system, region=region, keywords=keywords, reclassify=rc)
        for key, (system, region, keywords, rc) in RUNS.items()
    }


def official_names(result: mon.Monitoring) -> tuple[str, ...]:
    """Names an English note may keep as they are: the categories' (and named branches') Chinese names that have
    no English in the table, and the system's own English name (an official name: ``WIPO IPC–technology
    concordance (35 fields, 5 sectors)`` has a dash and a number of its own), or its Chinese name without one."""
    names = set()
    for table in result.levels.values():
        for name in table["category_name"].dropna():
            names.update(re.findall(r"“([^”]+)”", name) or [name])
    names = {n for n in names if n not in result.category_names_en}
    names.add(result.system_name_en or result.system_name)
    return tuple(sorted(names, key=len, reverse=True))


def check_note(en: str, zh: str, official: tuple[str, ...]) -> None:
    """*en* is the English of *zh*: a sentence, no Chinese and plain ASCII but for *official*, *zh*'s numbers."""
    assert en and en == en.strip() and en.endswith("."), en
    bare = en
    for name in official:
        bare = bare.replace(name, "")
    assert not has_cjk(bare), f"Chinese left in the English note: {bare}"
    assert bare.isascii(), f"not plain ASCII: {[c for c in bare if not c.isascii()]}\n{en}"
    missing = unstated(bare, zh)
    assert not missing, f"numbers the Chinese note does not state: {missing}\nen: {en}\nzh: {zh}"


def check_all(result: mon.Monitoring) -> dict[str, list[str]]:
    """Every note function in both languages, note by note; returns the English notes by table."""
    official = official_names(result)
    pairs = {
        f"level{level}": (mon.category_notes(result, level), mon.category_notes(result, level, lang="en"))
        for level in result.levels
    }
    pairs["top"] = mon.category_notes(result), mon.category_notes(result, lang="en")
    pairs["totals"] = mon.totals_notes(result), mon.totals_notes(result, lang="en")
    pairs["coverage"] = mon.coverage_notes(result), mon.coverage_notes(result, lang="en")
    pairs["keyword"] = [mon.keyword_note(result)], [mon.keyword_note(result, lang="en")]
    drift = mon.drift_note(result), mon.drift_note(result, lang="en")
    assert bool(drift[0]) == bool(drift[1]) == bool(result.ipc_edition)
    pairs["drift"] = [n for n in drift[:1] if n], [n for n in drift[1:] if n]
    for table, (zh, en) in pairs.items():
        assert len(en) == len(zh), (table, en, zh)
        for e, z in zip(en, zh):
            check_note(e, z, official)
    return {table: en for table, (_, en) in pairs.items()}


# ------------------------------------------------------------------ the checks can fail


def test_the_checks_fail(runs):
    result = runs["wipo confirm"]
    zh, en = mon.category_notes(result)[-1], mon.category_notes(result, lang="en")[-1]
    official = official_names(result)
    check_note(en, zh, official)
    share = f"{result.drift[1].loc['S1', 'mapped_pct']:.1f}%"
    assert share in en
    with pytest.raises(AssertionError, match="does not state"):
        check_note(en.replace(share, "9.9%"), zh, official)
    with pytest.raises(AssertionError, match="Chinese left"):
        check_note(en.replace("Electrical engineering", "电气工程"), zh, official)  # it has an English name
    with pytest.raises(AssertionError, match="plain ASCII"):
        check_note(en.replace(": ", " \u2014 ", 1), zh, official)  # an em dash
    with pytest.raises(AssertionError, match="does not state"):  # the official name's own number counts elsewhere
        check_note("Classification: 5 sectors.", "分类体系：WIPO技术领域（35个领域）。", ())


# ------------------------------------------------------------------ the CI runs


@pytest.mark.parametrize("key", list(RUNS))
def test_notes_in_english(runs, key):
    result = runs[key]
    notes = check_all(result)
    for table in ("top", "totals"):
        assert notes[table][0].startswith(f"Classification: {result.system_name_en} (")
        assert notes[table][0].endswith(f", compiled on IPC {result.ipc_edition}).")
    assert "(parameter keywords = table)" in notes["keyword"][0] or key == "wipo confirm"
    assert all(
        mon.category_notes(result, level, lang="zh") == mon.category_notes(result, level) for level in result.levels
    )
    assert mon.totals_notes(result, lang="zh") == mon.totals_notes(result)
    assert mon.coverage_notes(result, lang="zh") == mon.coverage_notes(result)


def test_flagged_categories_by_their_english_names(runs):
    result = runs["wipo confirm"]
    note = mon.category_notes(result, lang="en")[-1]
    drift = result.drift[1].loc["S1"]
    assert note.startswith(
        f"Growth rates affected by the IPC edition: S1 (Electrical engineering: {drift['mapped_pct']:.1f}% counted "
        f"through mapped-back IPC symbols, {drift['newer_unmatched_pct']:.1f}% carrying newer IPC symbols that cannot "
        "be matched). Of the 2023 applications of each, those counted only through mapped-back IPC symbols or"
    )
    assert "(e.g. " in note and "mapping back is an approximate concordance" in note
    leaf = mon.category_notes(result, max(result.levels), lang="en")[-1]
    flagged = mon._flagged(result, max(result.levels))
    assert len(flagged) > 1 and all(f"{c} (" in leaf for c in flagged[:5])
    assert "Semiconductors: 100.0% counted through mapped-back IPC symbols" in leaf


def test_flagged_categories_without_english_keep_their_official_names(runs):
    result = runs["sei unmapped"]
    leaf = mon.category_notes(result, max(result.levels), lang="en")[-1]
    zh = mon.category_notes(result, max(result.levels))[-1]
    assert leaf.startswith("Growth rates affected by the IPC edition: ") and "受IPC版本差异影响" in zh
    first = mon._flagged(result, max(result.levels))[0]
    name = result.leaf.set_index("category").loc[first, "category_name"]
    assert name not in result.category_names_en and f"{first} ({name}: " in leaf  # no English: the Chinese name
    assert "mapped-back" not in leaf and "approximate" not in leaf  # nothing was mapped back
    top = mon.category_notes(result, lang="en")[-1]
    assert "(New-generation information technology: " in top and "carrying newer IPC symbols" in top
    drift = mon.drift_note(result, lang="en")
    assert "were not mapped back" in drift and "(parameter reclassify = none)" in drift
    coverage = mon.coverage_notes(result, lang="en")[1]
    assert "newer IPC symbols were not mapped back (parameter reclassify = none); " in coverage


def test_totals_counts_with_thousands_separators(runs):
    result = runs["wipo confirm"]
    cov = result.coverage.iloc[0]
    note = mon.totals_notes(result, lang="en")[-1]
    newer = int(cov["newer_patents"])
    assert newer >= 1000 and f" {newer:,} patents carry newer IPC symbols ({cov['newer_patents_pct']:.1f}%); " in note
    assert f"of these, {int(cov['mapped_patents']):,} have newer IPC symbols that correspond" in note
    assert f"and {int(cov['newer_only_patents']):,} carr" in note
    assert note.endswith("so the number of patents and its growth rate may be understated.")
    assert "of these, 0 carry" not in note or int(cov["newer_only_patents"]) == 0
    unmapped = mon.totals_notes(runs["sei unmapped"], lang="en")[-1]
    assert "have newer IPC symbols that correspond" not in unmapped  # not mapped back: no such count


def test_lang_is_checked(runs):
    result = runs["sei"]
    for call in (mon.category_notes, mon.totals_notes, mon.coverage_notes, mon.drift_note, mon.keyword_note):
        with pytest.raises(ValueError, match="lang must be one of"):
            call(result, lang="fr")
    with pytest.raises(ValueError, match="lang must be one of"):
        mon.drift_note(dataclasses.replace(result, ipc_edition=None), lang="fr")


# ------------------------------------------------------------------ variants of the runs


@pytest.mark.parametrize("keywords", ["require", "confirm", "ignore"])
@pytest.mark.parametrize("key", ["sei", "green"])
def test_other_counting_rules(runs, key, keywords):
    result = dataclasses.replace(runs[key], keywords=keywords)
    notes = check_all(result)
    assert f"(parameter keywords = {keywords})" in notes["keyword"][0]
    if keywords != "require":
        assert "upper bounds" in notes["keyword"][0]


@pytest.mark.parametrize(
    ("has_keywords", "has_candidates"), [(True, True), (True, False), (False, True), (False, False)]
)
def test_keyword_and_candidate_rules(runs, has_keywords, has_candidates):
    result = dataclasses.replace(runs["sei"], has_keywords=has_keywords, has_candidates=has_candidates)
    note = check_all(result)["keyword"][0]
    assert ("an IPC symbol with a keyword condition counts" in note) == has_keywords
    assert ('"partly covered" are candidates only' in note) == has_candidates
    assert ("IPC symbol rules only" in note) == (not has_keywords and not has_candidates)


def test_a_users_reclassification_table(runs):
    result = runs["sei"]
    custom = dataclasses.replace(result, coverage=result.coverage.assign(reclassification="D:\\data\\ipc_map_2024.csv"))
    notes = check_all(custom)
    assert (
        "mapped back by the IPC reclassification table ipc_map_2024.csv (parameter reclassify) to" in notes["drift"][0]
    )
    assert (
        "by the IPC reclassification table ipc_map_2024.csv (parameter reclassify) are counted" in notes["coverage"][1]
    )


def test_without_an_ipc_edition(runs):
    result = dataclasses.replace(runs["wipo confirm"], ipc_edition=None)
    notes = check_all(result)
    assert not any(n.startswith(("IPC edition", "Growth rates affected")) for n in notes["top"] + notes["totals"])
    assert "(IPC " not in notes["coverage"][1] and "table is based, and so not in the table;" in notes["coverage"][1]


def test_more_than_five_flagged_categories(runs):
    """More than five categories: the first five and how many (the unnamed green groups by their branches)."""
    result = runs["green"]
    drift = {
        lv: d.assign(drift_pct=d["drift_pct"] + 50.0, mapped_pct=d["mapped_pct"] + 1.25)
        for lv, d in result.drift.items()
    }
    flagged = dataclasses.replace(result, drift=drift)
    notes = check_all(flagged)
    note, zh = notes["top"][-1], mon.category_notes(flagged)[-1]
    n = len(mon._flagged(flagged, min(flagged.levels)))
    assert n > 5 and f"等{n}个类别" in zh
    assert f"; and others, {n} categories in all. Of the 2023 applications" in note
    assert re.search(
        r'category \d+ \(branches "[^"]+", .* in all; 1\.2% counted through mapped-back IPC symbols\)', note
    )
    assert official_names(result) and has_cjk(note)  # the green table names its branches in Chinese only


def test_a_system_without_english_names(runs):
    result = runs["sei"]
    own = dataclasses.replace(
        result,
        system_name="测试分类",
        system_name_en=None,
        system_label="测试分类（2024，国家知识产权局 (CNIPA)，按IPC 2024.01版编制）",
        category_names_en={},
    )
    notes = check_all(own)
    assert notes["top"][0] == "Classification: 测试分类 (2024, CNIPA, compiled on IPC 2024.01)."
    bare = dataclasses.replace(own, system_label="测试分类")
    assert mon.totals_notes(bare, lang="en")[0] == "Classification: 测试分类."
