"""The concordance engine: resolve rules on the distinct IPC codes, then classify patents in DuckDB.

Plan (the same relational plan runs on any engine):

1. take the distinct IPC codes of the data (tens of thousands, whatever the register size);
2. resolve every rule against them in pandas (:func:`resolve_codes`): code → (rule, category,
   weight, coverage, keyword terms), exclusions applied;
3. join the patent–IPC links to that small map in DuckDB, keep one row per patent and rule;
4. test keyword conditions only for the (patent, rule) pairs whose rule has them, on title/abstract;
5. reduce to one row per patent and category with its match label and weight.

Match labels
------------
``confirmed``          the rule has no keyword condition (and, for tables with coverage, is 全部涉及)
``keyword-confirmed``  the rule's keyword condition found a term in the title or abstract
``IPC-only``           the rule has a keyword condition that found no term: an upper-bound match
``candidate``          the rule is marked 部分涉及 (only part of what is below the symbol belongs)

Keyword strategies (``keywords=``)
----------------------------------
``confirm`` (default)  keep every match, labelled as above; a keyword *exclusion* found in the text drops the rule
``require``            keep only confirmed, keyword-confirmed and candidate matches
``ignore``             IPC alone decides: keyword conditions and keyword exclusions are not read

Weights
-------
For membership tables a patent's unit weight is split equally over its distinct categories (so the
fractional counts of all categories add up to the number of classified patents). For probabilistic
tables (``weighting: probabilistic``) each distinct matched pattern (e.g. an IPC class) carries
P(category | pattern), averaged over the patent's distinct matched patterns.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from ipstats.concordance.keywords import fold_sql, terms_regex
from ipstats.concordance.patterns import code_parts, match_codes, parse_pattern
from ipstats.concordance.system import System

__all__ = ["KEYWORD_STRATEGIES", "MATCH_LABELS", "classify_links", "resolve_codes"]

KEYWORD_STRATEGIES = ("confirm", "require", "ignore")
MATCH_LABELS = ("confirmed", "keyword-confirmed", "candidate", "IPC-only")


def _pattern_table(system: System) -> pd.DataFrame:
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
        ``kw_regex``, ``kwx_regex`` (None when the rule has no keyword condition / exclusion).
    """
    parts = code_parts(pd.Series(list(codes), dtype=object))
    patterns = _pattern_table(system)
    hits = match_codes(parts, patterns).merge(patterns[["pid", "rule_id", "role", "pattern"]], on="pid")
    include = hits[hits["role"] == "include"].sort_values("pid").drop_duplicates(["ipc", "rule_id"])
    exclude = hits.loc[hits["role"] == "exclude", ["ipc", "rule_id"]].drop_duplicates()
    kept = include.merge(exclude, on=["ipc", "rule_id"], how="left", indicator=True)
    kept = kept[kept["_merge"] == "left_only"][["ipc", "rule_id", "pattern"]]
    rules = system.rules.assign(kw_regex=system.rules["terms"].map(terms_regex),
                                kwx_regex=system.rules["exclusion_terms"].map(terms_regex))
    out = kept.merge(rules[["rule_id", "category", "weight", "coverage", "kw_regex", "kwx_regex"]], on="rule_id")
    return out.sort_values(["ipc", "rule_id"], ignore_index=True)


def classify_links(con: duckdb.DuckDBPyConnection, system: System, links: str, texts: str | None = None,
                   keywords: str = "confirm") -> pd.DataFrame:
    """Classify patents given as DuckDB relations of IPC links (and optionally texts).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
    system : System
    links : str
        Name of a view/table with columns ``patent_id`` and ``ipc`` (canonical codes).
    texts : str, optional
        Name of a view/table with ``patent_id`` and ``text`` (title and abstract) for keyword rules.
        Without it keyword conditions cannot be confirmed: such matches are ``IPC-only``.
    keywords : {"confirm", "require", "ignore"}
        Keyword strategy (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        One row per patent and category: ``patent_id``, ``category``, ``category_name``, ``weight``, ``match``.
    """
    if keywords not in KEYWORD_STRATEGIES:
        raise ValueError(f"keywords must be one of {', '.join(KEYWORD_STRATEGIES)}, got {keywords!r}")
    codes = con.execute(f"SELECT DISTINCT ipc FROM {links} WHERE ipc IS NOT NULL").df()["ipc"]
    code_map = resolve_codes(system, codes)
    if keywords == "ignore":
        code_map = code_map.assign(kw_regex=None, kwx_regex=None, ignored=code_map["kw_regex"].notna())
    else:
        code_map = code_map.assign(ignored=False)
    con.register("_ipstats_code_map", code_map)
    text_join = (f"LEFT JOIN {texts} t ON t.patent_id = h.patent_id" if texts else
                 "LEFT JOIN (SELECT NULL::VARCHAR AS patent_id, NULL::VARCHAR AS text) t ON FALSE")
    folded = fold_sql("t.text")
    pairs = con.execute(f"""
        WITH h AS (
            SELECT DISTINCT l.patent_id, m.rule_id, m.category, m.pattern, m.weight, m.coverage,
                   m.kw_regex, m.kwx_regex, m.ignored
            FROM {links} l JOIN _ipstats_code_map m ON l.ipc = m.ipc
        )
        SELECT h.patent_id, h.rule_id, h.category, h.pattern, h.weight,
               CASE
                 WHEN h.coverage = '部分涉及' THEN 'candidate'
                 WHEN h.ignored THEN 'IPC-only'
                 WHEN h.kw_regex IS NULL THEN 'confirmed'
                 WHEN regexp_matches({folded}, h.kw_regex) THEN 'keyword-confirmed'
                 ELSE 'IPC-only'
               END AS match,
               h.kwx_regex IS NOT NULL AND regexp_matches({folded}, h.kwx_regex) AS kw_excluded
        FROM h {text_join}
    """).df()
    con.unregister("_ipstats_code_map")
    pairs = pairs[~pairs["kw_excluded"].astype(bool)]
    if keywords == "require":
        pairs = pairs[pairs["match"] != "IPC-only"]
    rank = {label: i for i, label in enumerate(MATCH_LABELS)}
    pairs = pairs.assign(rank=pairs["match"].map(rank))
    if system.probabilistic:
        units = pairs.drop_duplicates(["patent_id", "pattern", "category"])
        n_units = units.groupby("patent_id")["pattern"].nunique()
        out = units.groupby(["patent_id", "category"], as_index=False).agg(weight=("weight", "sum"),
                                                                             rank=("rank", "min"))
        out["weight"] = out["weight"] / out["patent_id"].map(n_units)
    else:
        out = pairs.groupby(["patent_id", "category"], as_index=False).agg(rank=("rank", "min"))
        out["weight"] = 1.0 / out["patent_id"].map(out.groupby("patent_id").size())
    out["match"] = out["rank"].map(dict(enumerate(MATCH_LABELS)))
    out["category_name"] = out["category"].map(system.category_names())
    out = out.sort_values(["patent_id", "category"], ignore_index=True)
    return out[["patent_id", "category", "category_name", "weight", "match"]]
