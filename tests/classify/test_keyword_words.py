"""Latin keyword terms match whole words; Chinese terms match anywhere (the scan DuckDB and Spark share)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from ipstats.engines import scan_texts, term_automaton


def _found(terms: list[str], texts: list[str]) -> set[tuple[str, str]]:
    table = pd.DataFrame({"term_id": range(len(terms)), "term": terms})
    ids, found = scan_texts(term_automaton(table), pa.array([f"p{i}" for i in range(len(texts))]), pa.array(texts))
    assert ids.type == pa.string() and found.type == pa.int64()  # Arrow arrays, not Python objects
    return {(i, terms[t]) for i, t in zip(ids.to_pylist(), found.to_pylist())}


def test_short_latin_terms_do_not_match_inside_words():
    got = _found(["ai", "sha", "5g"], ["it may contain a shaped part", "15g of powder", "a 5G network, SHA-1 and AI"])
    assert got == {("p2", "5g"), ("p2", "sha"), ("p2", "ai")}


def test_chinese_terms_and_mixed_terms_match_anywhere_in_chinese_text():
    got = _found(["人工智能", "ai芯片", "ai"], ["基于人工智能的方法", "一种AI芯片", "基于AI的识别", "mail服务器"])
    assert got == {("p0", "人工智能"), ("p1", "ai芯片"), ("p1", "ai"), ("p2", "ai")}
