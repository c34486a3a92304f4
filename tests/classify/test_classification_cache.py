"""Classified links stored once per register, system and counting rules, and read back by later runs (#21 item 2).

A cached classification must give the same counts as classifying again (the same rows under the same SQL), a
second run must not classify at all, and any change of what the result depends on must miss the cache.
"""

from __future__ import annotations

import dataclasses
import shutil

import pandas as pd
import pytest

from ipstats.concordance import cache as stash
from ipstats.concordance import classify_table, load_system
from ipstats.concordance.api import links_from_register, register_key
from ipstats.counting.cube import CountSpec, count_classified
from ipstats.engines import connect
from ipstats.indicators.monitoring import compute_monitoring
from ipstats.register.io import open_register


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("IPSTATS_CACHE", str(folder))
    monkeypatch.delenv("IPSTATS_CLASSIFY_CACHE", raising=False)
    return folder


def _entries(folder) -> list[str]:
    root = folder / "classified"
    return sorted(p.name for p in root.iterdir() if not p.name.startswith(".")) if root.is_dir() else []


def _tables(mon) -> dict[str, pd.DataFrame]:
    return {
        **{f"level{lv}": t for lv, t in mon.levels.items()},
        "totals": mon.totals,
        "provinces": mon.provinces,
        "applicant_types": mon.applicant_types,
        "top": mon.top_applicants,
    }


def _no_classification(*args, **kwargs):
    raise AssertionError("classified again although the cache holds the result")


def test_second_run_reads_the_cache_and_counts_the_same(small_demo, cache, monkeypatch):
    register = str(small_demo["register"])
    monkeypatch.setenv("IPSTATS_CLASSIFY_CACHE", "off")
    plain = compute_monitoring(register, 2023, system="cnipa_sei_2021")
    assert _entries(cache) == []  # off: nothing stored
    monkeypatch.delenv("IPSTATS_CLASSIFY_CACHE")
    cold = compute_monitoring(register, 2023, system="cnipa_sei_2021")
    stored = _entries(cache)
    # the published classification, its upper bound (every IPC match) and the drift's patents not mapped back
    assert len(stored) >= 2
    monkeypatch.setattr("ipstats.concordance.engine._rule_table", _no_classification)
    warm = compute_monitoring(register, 2023, system="cnipa_sei_2021")
    assert _entries(cache) == stored
    for name, table in _tables(plain).items():
        pd.testing.assert_frame_equal(_tables(cold)[name], table, obj=f"{name} (cold cache)")
        pd.testing.assert_frame_equal(_tables(warm)[name], table, obj=f"{name} (warm cache)")


def _cube(register: str, system, keywords: str = "table", cache_key: str | None = None) -> pd.DataFrame:
    con = connect()
    try:
        open_register(register, con)
        texts, _ = links_from_register(con, register)
        classified = classify_table(con, system, "links", texts, keywords=keywords, cache=cache_key)
        spec = CountSpec(measure="applications", years=(2022, 2023), patent_types=("发明",), region=None)
        return count_classified(con, spec, "register", classified)
    finally:
        con.close()


def test_a_probabilistic_table_is_cached_with_the_same_fractional_counts(small_demo, cache):
    register = str(small_demo["register"])
    system = load_system("isi_nace2")
    key = register_key(register)
    plain = _cube(register, system, "ignore")
    first = _cube(register, system, "ignore", key)
    again = _cube(register, system, "ignore", key)
    assert len(_entries(cache)) == 1
    pd.testing.assert_frame_equal(first, plain)
    pd.testing.assert_frame_equal(again, plain)


def test_every_input_of_the_result_is_in_the_key(small_demo, cache, tmp_path):
    register = small_demo["register"]
    sei = load_system("cnipa_sei_2021")
    key = register_key(register)
    base = stash.classification_key(key, sei, "table")
    assert stash.classification_key(key, sei, "table") == base
    assert stash.classification_key(key, sei, "confirm") != base  # keyword strategy
    rules = sei.rules.copy()
    rules.loc[rules.index[0], "ipc_patterns"] = rules.loc[rules.index[0], "ipc_patterns"] + ",H04L"
    assert stash.classification_key(key, dataclasses.replace(sei, rules=rules), "table") != base  # an edited rule
    renamed = dataclasses.replace(sei, id="my_copy")
    assert stash.classification_key(key, renamed, "table") == base  # the rules decide, not the name
    from ipstats.concordance.reclassify import load_reclassification

    assert stash.classification_key(key, sei, "table", load_reclassification("shipped")) != base
    assert register_key(register, subset="granted") != key  # part of the links is not all of them
    # the same register under another path is the same input; a changed one is not
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in register.parent.iterdir():
        if path.name.startswith("register"):
            shutil.copy(path, copy / path.name)
    assert register_key(copy / register.name) == key
    frame = pd.read_parquet(copy / register.name)
    frame.loc[0, "title"] = frame.loc[0, "title"] + "人工智能"
    frame.to_parquet(copy / register.name, index=False)
    assert register_key(copy / register.name) != key


def test_a_damaged_entry_is_classified_again(small_demo, cache):
    register = str(small_demo["register"])
    sei = load_system("cnipa_sei_2021")
    key = register_key(register)
    first = _cube(register, sei, cache_key=key)
    (entry,) = _entries(cache)
    (cache / "classified" / entry / "psig_cat.parquet").unlink()
    again = _cube(register, sei, cache_key=key)
    pd.testing.assert_frame_equal(again, first)


def test_a_table_that_is_not_a_register_has_no_key(tmp_path):
    path = tmp_path / "links.csv"
    path.write_text("patent_id,ipc\nA1,H04L 9/00\n", encoding="utf-8")
    assert register_key(path) is None


def test_a_cache_that_cannot_be_written_only_costs_the_classification(small_demo, tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("IPSTATS_CACHE", str(blocked))
    register = str(small_demo["register"])
    sei = load_system("cnipa_sei_2021")
    key = register_key(register)
    monkeypatch.setenv("IPSTATS_CACHE", str(tmp_path / "elsewhere"))
    plain = _cube(register, sei)
    monkeypatch.setenv("IPSTATS_CACHE", str(blocked))
    pd.testing.assert_frame_equal(_cube(register, sei, cache_key=key), plain)
