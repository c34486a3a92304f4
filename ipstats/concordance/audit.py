"""Checks of a rule table itself: rows worth a second look before a system is used for publication."""

from __future__ import annotations

import pandas as pd

from ipstats.concordance.patterns import parse_pattern
from ipstats.concordance.system import System
from ipstats.ipc import parse, validate

__all__ = ["edition_evidence", "suspicious_rows"]


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
            rows.append(
                (
                    rule.rule_id,
                    rule.category,
                    "pattern_also_excluded",
                    f"{len(both)} pattern(s) both included and excluded, e.g. {', '.join(both[:3])}",
                )
            )
        dups = sorted({p for p in include if include.count(p) > 1})
        if dups:
            rows.append((rule.rule_id, rule.category, "duplicate_pattern", ", ".join(dups[:3])))
        for text in include:
            pat = parse_pattern(text, system.conventions)
            if (
                not text.endswith("*")
                and pat.kind in ("subclass",)
                or (not text.endswith("*") and "/" not in text and pat.main_group is not None)
            ):
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


def edition_evidence(system: System, reclassify="shipped") -> pd.DataFrame:
    """What the rules' own symbols say about the IPC edition the table was written for.

    A table written for an edition uses the subclasses created up to it (the new-subclass table: G06V 2022.01,
    H10B 2023.01 …) and still uses the groups moved out later (the reclassification table: H01L27/00 → H10B in
    2023.01). So the edition is at least the newest ``introduced_in`` among the subclasses used and earlier than
    the first ``ipc_version`` that moved a group the rules use to a subclass they do not use (a table listing both
    the new subclass and the group it replaced, as H10K and H01L51/42, knows the new one).

    Returns
    -------
    pandas.DataFrame
        One row: ``system``, ``ipc_edition`` (stated), ``newest_used`` and ``newest_used_edition`` (the newest new
        subclass the rules use), ``first_moved`` and ``first_moved_edition`` (an old group the rules use and the
        edition that moved it, the earliest), and ``consistent`` (the stated edition is in that interval).
    """
    from ipstats.concordance.reclassify import load_reclassification
    from ipstats.reference import ipc_new_subclasses

    symbols = set()
    for rule in system.rules.itertuples():
        for text in _patterns(rule.ipc_patterns):
            try:
                symbols.add(parse(text.rstrip("*")).canonical)
            except ValueError:
                continue
    new = ipc_new_subclasses().set_index("ipc_subclass")["introduced_in"]
    used = sorted(((new[c[:4]], c[:4]) for c in symbols if c[:4] in new.index), reverse=True)
    table = load_reclassification(reclassify)
    subclasses = {c[:4] for c in symbols}
    moved = []
    if table is not None:
        for old, version, new_symbol in zip(table["old_symbol"], table["ipc_version"], table["new_symbol"]):
            head = old.split("/")[0]
            if new_symbol[:4] in subclasses:  # the table knows the new symbol too (lists both)
                continue
            if any(c == old or c.split("/")[0] == head for c in symbols if "/" in c):
                moved.append((version, f"{old}→{new_symbol}"))
    moved.sort()
    low = used[0][0] if used else None
    high = moved[0][0] if moved else None
    stated = system.ipc_edition
    consistent = bool(stated) and (low is None or stated >= low) and (high is None or stated < high)
    return pd.DataFrame(
        [
            {
                "system": system.id,
                "ipc_edition": stated or "",
                "newest_used": used[0][1] if used else "",
                "newest_used_edition": low or "",
                "first_moved": moved[0][1] if moved else "",
                "first_moved_edition": high or "",
                "consistent": consistent,
            }
        ]
    )
