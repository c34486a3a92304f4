"""One labels table and one set of table symbols (ipstats.labels)."""
from __future__ import annotations

import pytest

from ipstats.labels import SYMBOLS, symbol_legend


def test_symbols_have_one_mark_per_meaning():
    marks = [s["mark"] for s in SYMBOLS.values()]
    assert set(SYMBOLS) == {"suppressed", "not_applicable", "no_data"}
    assert len(set(marks)) == len(marks)
    assert SYMBOLS["suppressed"]["mark"] == "×" and SYMBOLS["not_applicable"]["mark"] == "—"
    assert SYMBOLS["no_data"]["mark"] == "…"
    assert all(s["zh"] and s["en"] for s in SYMBOLS.values())


def test_legend_names_only_the_symbols_used_in_a_fixed_order():
    assert symbol_legend(["not_applicable", "suppressed"]) == "“×”表示涉及保密不予公布；“—”表示不适用。"
    assert symbol_legend(["—"]) == "“—”表示不适用。"
    assert "×" not in symbol_legend(["no_data"]) and "…" in symbol_legend(["no_data"])
    assert symbol_legend([]) == ""
    assert symbol_legend(("suppressed", "×"), lang="en") == '"×" means suppressed for confidentiality.'


def test_legend_rejects_unknown_symbols_and_languages():
    with pytest.raises(ValueError, match="unknown table symbol"):
        symbol_legend(["#"])
    with pytest.raises(ValueError, match="unknown language"):
        symbol_legend(["suppressed"], lang="fr")
