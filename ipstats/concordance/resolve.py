"""Rules resolved against IPC codes: which rules of a table apply to each distinct code.

The first step of classification (:mod:`ipstats.concordance.engine`), run in pandas on the distinct codes
of the data (tens of thousands, whatever the register size); the reclassification of codes newer than the
table's edition (:mod:`ipstats.concordance.reclassify`) and the coverage report use it too.
"""

from __future__ import annotations

import pandas as pd

from ipstats.concordance.patterns import code_parts, match_codes, parse_pattern
from ipstats.concordance.system import System

__all__ = ["pattern_table", "resolve_codes"]


def pattern_table(system: System) -> pd.DataFrame:
    """One row per pattern of every rule: ``rule_id``, ``role`` (include/exclude), the parsed pattern, ``pid``."""
    rows = []
    for rule in system.rules.itertuples():
        for role, cell in (("include", rule.ipc_patterns), ("exclude", rule.ipc_exclusions)):
            for text in filter(None, (p.strip() for p in str(cell).replace("；", ";").split(";"))):
                pat = parse_pattern(text, system.conventions)
                rows.append((rule.rule_id, role, pat.text, pat.kind, pat.head, pat.main_group, pat.subgroup))
    table = pd.DataFrame(rows, columns=["rule_id", "role", "pattern", "kind", "head", "main_group", "subgroup"])
    table["pid"] = range(len(table))
    return table


def resolve_codes(system: System, codes: pd.Series | list[str]) -> pd.DataFrame:
    """Resolve the system's rules against distinct canonical IPC codes.

    Parameters
    ----------
    system : System
    codes : sequence of str
        Canonical IPC codes (duplicates are ignored).

    Returns
    -------
    pandas.DataFrame
        One row per (code, rule) that applies: ``ipc``, ``rule_id``, ``category``, ``pattern`` (the
        first including pattern, used as the unit of probabilistic weights), ``weight``, ``coverage``,
        ``has_keywords`` and ``has_exclusions`` (whether the rule has keyword terms / keyword-exclusion terms).
    """
    parts = code_parts(pd.Series(list(codes), dtype=object))
    patterns = pattern_table(system)
    hits = match_codes(parts, patterns).merge(patterns[["pid", "rule_id", "role", "pattern"]], on="pid")
    include = hits[hits["role"] == "include"].sort_values("pid").drop_duplicates(["ipc", "rule_id"])
    exclude = hits.loc[hits["role"] == "exclude", ["ipc", "rule_id"]].drop_duplicates()
    kept = include.merge(exclude, on=["ipc", "rule_id"], how="left", indicator=True)
    kept = kept[kept["_merge"] == "left_only"][["ipc", "rule_id", "pattern"]]
    rules = system.rules.assign(
        has_keywords=system.rules["terms"].map(bool), has_exclusions=system.rules["exclusion_terms"].map(bool)
    )
    out = kept.merge(
        rules[["rule_id", "category", "weight", "coverage", "has_keywords", "has_exclusions"]], on="rule_id"
    )
    return out.sort_values(["ipc", "rule_id"], ignore_index=True)
