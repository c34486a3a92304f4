"""Checks of a rule table itself: rows worth a second look before a system is used for publication."""
from __future__ import annotations

import pandas as pd

from ipstats.concordance.patterns import parse_pattern
from ipstats.concordance.system import System
from ipstats.ipc import parse, validate

__all__ = ["suspicious_rows"]


def _patterns(cell: str) -> list[str]:
    return [p.strip() for p in str(cell).replace("；", ";").split(";") if p.strip()]


def suspicious_rows(system: System) -> pd.DataFrame:
    """List rules that look wrong or need a decision, one row per finding.

    Findings: ``pattern_also_excluded`` (a symbol both included and excluded by the same rule),
    ``no_star`` (a bare subclass or main group: the table's convention decides), ``whole_class``
    (a pattern covering a whole class or section), ``symbol_not_in_scheme`` (a pattern's symbol in no
    edition held), ``older_edition_symbol`` (only in the older edition: moved or deleted since),
    ``duplicate_pattern`` (the same pattern twice in one rule).

    Returns
    -------
    pandas.DataFrame
        ``rule_id``, ``category``, ``finding``, ``detail``.
    """
    rows = []
    for rule in system.rules.itertuples():
        include, exclude = _patterns(rule.ipc_patterns), _patterns(rule.ipc_exclusions)
        both = sorted(set(include) & set(exclude))
        if both:
            rows.append((rule.rule_id, rule.category, "pattern_also_excluded",
                         f"{len(both)} pattern(s) both included and excluded, e.g. {', '.join(both[:3])}"))
        dups = sorted({p for p in include if include.count(p) > 1})
        if dups:
            rows.append((rule.rule_id, rule.category, "duplicate_pattern", ", ".join(dups[:3])))
        for text in include:
            pat = parse_pattern(text, system.conventions)
            if not text.endswith("*") and pat.kind in ("subclass",) or (
                    not text.endswith("*") and "/" not in text and pat.main_group is not None):
                rows.append((rule.rule_id, rule.category, "no_star", f"{text} read as {pat.kind}"))
            if pat.kind in ("section", "class"):
                rows.append((rule.rule_id, rule.category, "whole_class", f"{text} covers a whole {pat.kind}"))
    symbols = {}
    for rule in system.rules.itertuples():
        for text in _patterns(rule.ipc_patterns) + _patterns(rule.ipc_exclusions):
            body = text.rstrip("*")
            try:
                sym = parse(body)
            except ValueError:
                continue
            if sym.level in ("subclass", "main_group", "subgroup"):
                symbols.setdefault(sym.canonical, []).append((rule.rule_id, rule.category, text))
    if symbols:
        status = validate(list(symbols)).set_index("ipc")["status"]
        for code, uses in symbols.items():
            finding = {"unknown": "symbol_not_in_scheme", "older_edition": "older_edition_symbol"}.get(status[code])
            if finding:
                for rule_id, category, text in uses:
                    rows.append((rule_id, category, finding, text))
    return pd.DataFrame(rows, columns=["rule_id", "category", "finding", "detail"])
