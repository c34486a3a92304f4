"""The concordance engine: resolve rules on the distinct IPC codes, then classify patents in DuckDB or Spark.

Plan (the same relational plan runs on any engine):

1. take the distinct IPC codes of the data (tens of thousands, whatever the register size);
2. resolve every rule against them in pandas (:func:`resolve_codes`): code → (rule, category,
   weight, coverage, keyword terms), exclusions applied;
3. give codes with the same set of rules one *signature* and reduce each patent (in the engine) to its set of
   signatures; work out categories, match labels and weights once per distinct set;
4. test keyword conditions with one Aho–Corasick scan of the title/abstract of the patents that have a
   keyword rule, and classify the few patents whose hits change their result one by one;
5. expose one row per patent and category (a view), which counting aggregates per signature set.

Steps 1, 3, 4 and 5 are one SQL text run by DuckDB or Spark (:mod:`ipstats.engines`); step 2
and the signatures of the distinct codes run in pandas on the driver for both.

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
``table``              the table's own semantics, what CNIPA publishes: keep only confirmed and keyword-confirmed
                       matches (keyword conditions required, 部分涉及 candidates left out)
``ignore``             IPC alone decides: keyword conditions and keyword exclusions are not read

Codes newer than the table's IPC edition (``reclassify=``)
-------------------------------------------------------
With a reclassification table (:mod:`ipstats.concordance.reclassify`; ``"shipped"`` or a file), a code created
after the table's ``ipc_edition`` is mapped back to its old symbols and takes the rules they meet: as they are
where all its origins reach the category, as a ``candidate`` where only some do. Off by default here
(``reclassify=None``); the monitoring turns the shipped table on.

``confirm`` gives the upper bound (every IPC match); ``table`` the published count. Whole counts under
``table`` equal the confirmed part (``count_confirmed``) of the ``confirm`` result; fractional counts differ,
since a patent's unit weight is split over the categories it is counted in.

Weights
-------
For membership tables a patent's unit weight is split equally over its distinct categories (so the
fractional counts of all categories add up to the number of classified patents). For probabilistic
tables (``weighting: probabilistic``) each distinct matched pattern (e.g. an IPC class) carries
P(category | pattern), averaged over the patent's distinct matched patterns.
"""

from __future__ import annotations

import pandas as pd

from ipstats.concordance.reclassify import CANDIDATE_SUFFIX, load_reclassification, map_back, mapped_rules
from ipstats.concordance.patterns import code_parts, match_codes
from ipstats.concordance.resolve import pattern_table, resolve_codes
from ipstats.concordance.system import System
from ipstats.engines.duck import as_runner, parted_table
from ipstats.engines.sql import exact_sum

__all__ = [
    "Classified",
    "KEYWORD_STRATEGIES",
    "MATCH_LABELS",
    "classify_links",
    "classify_table",
    "create_patent_view",
    "resolve_with_reclassification",
]

KEYWORD_STRATEGIES = ("confirm", "require", "table", "ignore")
#: Match ranks (index into MATCH_LABELS) each strategy keeps; None keeps all.
#: Links (patent, IPC code) reduced to signature sets in one DuckDB aggregate at the default 2 GB memory limit
#: (scaled with the limit, :func:`ipstats.engines.duck.parted_table`); more are reduced in hash partitions of the
#: patents. At 50 M applications the WIPO fields (every patent) ran out of the 2 GB limit in one aggregate.
LINK_ROWS = 40_000_000
_KEPT_RANKS = {"confirm": None, "require": (0, 1, 2), "table": (0, 1), "ignore": None}
MATCH_LABELS = ("confirmed", "keyword-confirmed", "candidate", "IPC-only")


def resolve_with_reclassification(system: System, codes, reclassify=None) -> pd.DataFrame:
    """:func:`resolve_codes`, with the codes newer than the table's IPC edition mapped back (*reclassify*).

    A code's own matches come first; the mapped-back ones (:func:`ipstats.concordance.reclassify.mapped_rules`)
    add the rules it does not meet itself.
    """
    direct = resolve_codes(system, codes)
    back = map_back(load_reclassification(reclassify), codes, system.ipc_edition)
    if back.empty:
        return direct
    both = pd.concat([direct, mapped_rules(system, back)], ignore_index=True)
    return both.drop_duplicates(["ipc", "rule_id"]).sort_values(["ipc", "rule_id"], ignore_index=True)


def _rule_table(system: System, code_map: pd.DataFrame, keywords: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the resolved map into a thin (ipc, rid) table and one row per used rule with its attributes."""
    used = code_map.drop_duplicates("rule_id")[
        ["rule_id", "category", "weight", "coverage", "has_keywords", "has_exclusions"]
    ].reset_index(drop=True)
    used["rid"] = range(len(used))
    used["candidate"] = used["coverage"] == "部分涉及"
    # with keywords=ignore a keyword rule is an IPC-only match and its texts are never read
    used["ignored"] = used["has_keywords"] if keywords == "ignore" else False
    if keywords == "ignore":
        used["has_keywords"] = False
        used["has_exclusions"] = False
    used["has_terms"] = used["has_keywords"] | used["has_exclusions"]
    thin = code_map[["ipc", "rule_id"]].merge(used[["rule_id", "rid"]], on="rule_id")[["ipc", "rid"]]
    return thin, used[["rid", "rule_id", "category", "weight", "candidate", "ignored", "has_keywords", "has_terms"]]


class Classified(str):
    """Name of the classification result in a DuckDB connection, with how it is stored.

    It is a ``str`` (the name of a view with one row per patent and category: ``patent_id``,
    ``category``, ``weight``, ``match``) carrying ``kind``:

    * ``compressed`` (membership systems): ``{name}_patent_psig`` (patent → its set of rule
      signatures), ``{name}_psig_cat`` (signature set → categories with rank and weight),
      ``{name}_exc`` / ``{name}_exc_patents`` (patents whose keyword hits change the result, classified
      one by one). Counting aggregates patents per signature set before spreading them over
      categories, so a patent that falls into thirty categories is not copied thirty times.
    * ``probabilistic``: ``{name}_units`` (patent, pattern, share) and ``{name}_weights``.
    """

    kind: str

    def __new__(cls, name: str, kind: str) -> "Classified":
        obj = super().__new__(cls, name)
        obj.kind = kind
        return obj


_SUFFIXES = ("", "_units", "_weights", "_patent_psig", "_psig_cat", "_exc", "_exc_patents")


def _drop(con, name: str) -> None:
    """Drop the view and tables of an earlier classification called *name*."""
    as_runner(con).drop(*(f"{name}{suffix}" for suffix in _SUFFIXES))


def _code_signatures(thin: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Codes with the same set of rules share a signature: (ipc, sig) and (sig, rid), on the distinct codes."""
    if thin.empty:
        return (
            pd.DataFrame({"ipc": pd.Series([], dtype=object), "sig": pd.Series([], dtype="int64")}),
            pd.DataFrame({"sig": pd.Series([], dtype="int64"), "rid": pd.Series([], dtype="int64")}),
        )
    keys = thin.sort_values(["ipc", "rid"]).groupby("ipc", sort=True)["rid"].agg(lambda r: ",".join(map(str, r)))
    sig = pd.Series(pd.factorize(keys, sort=True)[0] + 1, index=keys.index, dtype="int64")
    code_sig = pd.DataFrame({"ipc": keys.index.astype(object), "sig": sig.to_numpy()})
    sig_rule = thin.merge(code_sig, on="ipc")[["sig", "rid"]].drop_duplicates().astype("int64").reset_index(drop=True)
    return code_sig, sig_rule


def _rank_sql(hit: str) -> str:
    """Rank of a rule's match (index into MATCH_LABELS), *hit* telling whether its keyword condition is met."""
    return (
        f"CASE WHEN r.candidate THEN 2 WHEN r.ignored THEN 3 WHEN NOT r.has_keywords THEN 0 "
        f"WHEN {hit} THEN 1 ELSE 3 END"
    )


def _labels_sql(rank: str) -> str:
    """The match label of *rank* (MATCH_LABELS[rank]) in SQL every engine reads."""
    cases = " ".join(f"WHEN {i} THEN '{label}'" for i, label in enumerate(MATCH_LABELS))
    return f"CASE {rank} {cases} END"


def classify_table(
    con,
    system: System,
    links: str,
    texts: str | None = None,
    keywords: str = "confirm",
    name: str = "classified",
    reclassify=None,
    cache: str | None = None,
) -> Classified:
    """Classify in the engine: create the view *name* (``patent_id``, ``category``, ``weight``, ``match``).

    Only the distinct IPC codes leave the engine (to be resolved against the rules); the patent-level work
    is SQL, so the register is never loaded into pandas. Codes with the same set of matching rules
    share a *signature*; each patent is reduced to its set of signatures, and categories, ranks and
    weights are worked out once per distinct set. Keyword conditions are tested by one scan of the
    texts (:func:`find_terms`); the few patents whose hits change their categories are classified
    individually. The SQL is the same for every engine (:mod:`ipstats.engines`).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection or Runner
        A DuckDB connection, or a runner such as :class:`ipstats.engines.spark.SparkRunner`.
    system : System
    links : str
        View/table with ``patent_id`` and ``ipc`` (canonical codes).
    texts : str, optional
        View/table with ``patent_id`` and ``text`` (title and abstract) for keyword rules; without it
        keyword rules give ``IPC-only`` matches.
    keywords : {"confirm", "require", "table", "ignore"}
        Keyword strategy (see the module docstring).
    name : str
        Name of the view to create (and prefix of its tables), replaced if it exists.
    reclassify : None, "shipped", path or DataFrame
        Reclassification table for codes newer than the table's IPC edition
        (:func:`ipstats.concordance.reclassify.load_reclassification`); None: codes are matched as they are.
    cache : str, optional
        Identity of *links* and *texts* (:func:`ipstats.concordance.cache.input_key` of the files they are read
        from). With it, a DuckDB classification is read from the cache when the same inputs were classified
        with the same system, keywords and reclassification before, and stored otherwise
        (:mod:`ipstats.concordance.cache`); without it, nothing is cached.

    Returns
    -------
    Classified
        *name*, with ``kind`` telling how the result is stored.
    """
    if keywords not in KEYWORD_STRATEGIES:
        raise ValueError(f"keywords must be one of {', '.join(KEYWORD_STRATEGIES)}, got {keywords!r}")
    run = as_runner(con)
    if cache is not None and getattr(run, "dialect", "") == "duckdb":
        from ipstats.concordance import cache as stash

        key = stash.classification_key(cache, system, keywords, load_reclassification(reclassify))
        _drop(run, name)
        kind = stash.stored(run.con, key, name)
        if kind is not None:
            if kind == "compressed":
                create_patent_view(run, name)
            else:
                _probabilistic_view(run, name)
            return Classified(name, kind)
        result = classify_table(run, system, links, texts, keywords, name, reclassify)
        stash.store(run.con, key, name, result.kind)
        return result
    codes = run.df(f"SELECT DISTINCT ipc FROM {links} WHERE ipc IS NOT NULL")["ipc"]
    _drop(run, name)
    if system.probabilistic:
        return _classify_probabilistic(run, system, links, codes, name, reclassify)

    thin, rules = _rule_table(system, resolve_with_reclassification(system, codes, reclassify), keywords)
    terms = _term_table(system, rules)
    code_sig, sig_rule = _code_signatures(thin)
    run.put("_ipstats_code_sig_t", code_sig)
    run.put("_ipstats_sig_rule_t", sig_rule)
    run.put("_ipstats_rules_t", rules.drop(columns=["rule_id"]))
    run.put("_ipstats_terms_t", terms)
    kept = _KEPT_RANKS[keywords]
    keep = f"WHERE rank IN ({', '.join(map(str, kept))})" if kept else ""
    h = run.hash64

    # each patent -> its set of signatures (psig), identified by two independent 64-bit set hashes and
    # its size (a false match of both hashes is of the order of 2^-128); each distinct set -> its rules
    # (in hash partitions of the patents when the links are many: at 50 M applications every patent has a WIPO field)
    parted_table(
        run,
        "_ipstats_ps",
        f"""
        SELECT patent_id, bit_xor({h('sig')}) AS h1, bit_xor({h('sig * 7919 + 104729')}) AS h2, COUNT(*) AS n
        FROM (SELECT DISTINCT l.patent_id, cs.sig FROM {links} l JOIN _ipstats_code_sig_t cs ON cs.ipc = l.ipc
              {{where}}) s
        GROUP BY patent_id""",
        links,
        "l.patent_id",
        LINK_ROWS,
    )
    run.table(
        "_ipstats_psig",
        """
        SELECT h1, h2, n, any_value(patent_id) AS example, row_number() OVER (ORDER BY h1, h2, n) AS psig
        FROM _ipstats_ps GROUP BY h1, h2, n""",
    )
    run.table(
        f"{name}_patent_psig",
        """
        SELECT ps.patent_id, d.psig FROM _ipstats_ps ps JOIN _ipstats_psig d
        ON d.h1 = ps.h1 AND d.h2 = ps.h2 AND d.n = ps.n""",
    )
    run.table(
        "_ipstats_psig_rule",
        f"""
        SELECT DISTINCT d.psig, sr.rid
        FROM _ipstats_psig d JOIN {links} l ON l.patent_id = d.example
        JOIN _ipstats_code_sig_t cs ON cs.ipc = l.ipc JOIN _ipstats_sig_rule_t sr ON sr.sig = cs.sig""",
    )
    run.drop("_ipstats_ps")

    # baseline per psig: no keyword hits (keyword rules are IPC-only)
    run.table(
        f"{name}_psig_cat",
        f"""
        WITH lab AS (SELECT pr.psig, r.category, {_rank_sql('FALSE')} AS rank
                     FROM _ipstats_psig_rule pr JOIN _ipstats_rules_t r ON r.rid = pr.rid),
             per AS (SELECT psig, category, MIN(rank) AS rank FROM lab {keep} GROUP BY psig, category),
             n AS (SELECT psig, COUNT(*) AS n FROM per GROUP BY psig)
        SELECT per.psig, per.category, per.rank, CAST(1 AS DOUBLE) / n.n AS weight
        FROM per JOIN n ON n.psig = per.psig""",
    )

    # keyword hits: one Aho–Corasick scan of the texts of patents that have a rule with terms
    if texts and len(terms):
        run.find_terms(
            texts,
            f"""SELECT pp.patent_id FROM {name}_patent_psig pp WHERE pp.psig IN
                       (SELECT pr.psig FROM _ipstats_psig_rule pr JOIN _ipstats_rules_t r ON r.rid = pr.rid
                        WHERE r.has_terms)""",
            terms,
            "_ipstats_hits",
        )
        run.table(
            "_ipstats_found",
            f"""
            SELECT h.patent_id, rt.rid, bool_or(NOT rt.exclusion) AS kw_hit, bool_or(rt.exclusion) AS kw_excluded
            FROM _ipstats_hits h JOIN _ipstats_terms_t rt ON rt.term_id = h.term_id
            JOIN {name}_patent_psig pp ON pp.patent_id = h.patent_id
            JOIN _ipstats_psig_rule pr ON pr.psig = pp.psig AND pr.rid = rt.rid
            GROUP BY h.patent_id, rt.rid""",
        )
        run.drop("_ipstats_hits")
    else:
        run.table(
            "_ipstats_found",
            """SELECT CAST(NULL AS STRING) AS patent_id, CAST(NULL AS BIGINT) AS rid,
                  FALSE AS kw_hit, FALSE AS kw_excluded WHERE FALSE""",
        )

    # patents whose hits change something are classified one by one
    run.table(f"{name}_exc_patents", "SELECT DISTINCT patent_id FROM _ipstats_found")
    run.table(
        f"{name}_exc",
        f"""
        WITH pairs AS (SELECT pp.patent_id, pr.rid FROM {name}_exc_patents e
                       JOIN {name}_patent_psig pp ON pp.patent_id = e.patent_id
                       JOIN _ipstats_psig_rule pr ON pr.psig = pp.psig),
             lab AS (SELECT p.patent_id, r.category, {_rank_sql('coalesce(f.kw_hit, FALSE)')} AS rank
                     FROM pairs p JOIN _ipstats_rules_t r ON r.rid = p.rid
                     LEFT JOIN _ipstats_found f ON f.patent_id = p.patent_id AND f.rid = p.rid
                     WHERE NOT coalesce(f.kw_excluded, FALSE)),
             per AS (SELECT patent_id, category, MIN(rank) AS rank FROM lab {keep} GROUP BY patent_id, category),
             n AS (SELECT patent_id, COUNT(*) AS n FROM per GROUP BY patent_id)
        SELECT per.patent_id, per.category, per.rank, CAST(1 AS DOUBLE) / n.n AS weight
        FROM per JOIN n ON n.patent_id = per.patent_id""",
    )
    run.drop(
        "_ipstats_psig",
        "_ipstats_psig_rule",
        "_ipstats_found",
        "_ipstats_code_sig_t",
        "_ipstats_sig_rule_t",
        "_ipstats_rules_t",
        "_ipstats_terms_t",
    )
    create_patent_view(run, name)
    return Classified(name, "compressed")


def create_patent_view(con, name: str) -> None:
    """The per-patent view of a compressed classification (expanded only when read)."""
    as_runner(con).view(
        name,
        f"""
        SELECT pp.patent_id, pc.category, pc.weight, {_labels_sql('pc.rank')} AS match
        FROM {name}_patent_psig pp JOIN {name}_psig_cat pc ON pc.psig = pp.psig
        WHERE pp.patent_id NOT IN (SELECT patent_id FROM {name}_exc_patents)
        UNION ALL
        SELECT patent_id, category, weight, {_labels_sql('rank')} AS match FROM {name}_exc""",
    )


def patents_sql(classified: str) -> str:
    """SQL of the patents of *classified* (a :class:`Classified` name), each once (``patent_id``).

    A compressed classification gives them without spreading patents over categories: the patents whose
    signature set has a category and that are not classified one by one, then those that are (the two are
    disjoint). A ``SELECT DISTINCT`` over the per-patent view would expand every category first — at 50 M
    applications the upper bound of the key digital technologies is 274 M exception rows for 6 M patents, and
    that aggregate runs out of DuckDB's memory limit. The SQL is the same for every engine.
    """
    if getattr(classified, "kind", None) != "compressed":
        return f"SELECT DISTINCT patent_id FROM {classified}"
    return f"""
        SELECT pp.patent_id FROM {classified}_patent_psig pp
        WHERE pp.psig IN (SELECT DISTINCT psig FROM {classified}_psig_cat)
          AND NOT EXISTS (SELECT 1 FROM {classified}_exc_patents e WHERE e.patent_id = pp.patent_id)
        UNION ALL
        SELECT DISTINCT patent_id FROM {classified}_exc"""


def _classify_probabilistic(
    run, system: System, links: str, codes: pd.Series, name: str, reclassify=None
) -> Classified:
    """Probabilistic tables: a mapped-back code (*reclassify*) takes the patterns of all its old symbols."""
    patterns = pattern_table(system)
    include = patterns[patterns["role"] == "include"]
    unique = include.drop_duplicates("pattern")
    back = map_back(load_reclassification(reclassify), codes, system.ipc_edition)
    every = pd.Series(pd.unique(pd.concat([pd.Series(list(codes), dtype=object), back["old_symbol"]])), dtype=object)
    code_pattern = match_codes(code_parts(every), unique).merge(unique[["pid", "pattern"]], on="pid")
    code_pattern = code_pattern[["ipc", "pattern"]]
    if not back.empty:
        mapped = back.merge(code_pattern.rename(columns={"ipc": "old_symbol"}), on="old_symbol")[["ipc", "pattern"]]
        code_pattern = pd.concat([code_pattern, mapped], ignore_index=True).drop_duplicates()
    weights = include.merge(system.rules[["rule_id", "category", "weight"]], on="rule_id")
    weights = weights.groupby(["pattern", "category"], as_index=False)["weight"].sum()
    run.put("_ipstats_code_pattern", code_pattern)
    run.put(f"{name}_weights", weights)
    run.table(
        f"{name}_units",
        f"""
        WITH u AS (SELECT DISTINCT l.patent_id, m.pattern FROM {links} l JOIN _ipstats_code_pattern m ON l.ipc = m.ipc)
        SELECT patent_id, pattern, CAST(1 AS DOUBLE) / COUNT(*) OVER (PARTITION BY patent_id) AS share FROM u""",
    )
    run.drop("_ipstats_code_pattern")
    _probabilistic_view(run, name)
    return Classified(name, "probabilistic")


def _probabilistic_view(run, name: str) -> None:
    """The per-patent view of a probabilistic classification: each patent's shares times the weights."""
    run.view(
        name,
        f"""
        SELECT u.patent_id, w.category, {exact_sum('u.share * w.weight')} AS weight, 'confirmed' AS match
        FROM {name}_units u JOIN {name}_weights w ON w.pattern = u.pattern
        GROUP BY u.patent_id, w.category""",
    )


def _term_table(system: System, rules: pd.DataFrame) -> pd.DataFrame:
    """One row per (rule, term): keyword terms (``exclusion`` False) and keyword-exclusion terms (True).

    Only rules whose terms are read (``has_terms``; none with ``keywords="ignore"``) contribute.
    """
    attrs = system.rules.set_index("rule_id")
    rows = []
    for rid, rule_id, has_terms in zip(rules["rid"], rules["rule_id"], rules["has_terms"]):
        if not has_terms:
            continue
        base = rule_id.split(CANDIDATE_SUFFIX)[0]  # a mapped-back candidate keeps its rule's terms
        rows += [(rid, term, False) for term in attrs.at[base, "terms"]]
        rows += [(rid, term, True) for term in attrs.at[base, "exclusion_terms"]]
    table = pd.DataFrame(rows, columns=["rid", "term", "exclusion"]).astype({"rid": "int64", "exclusion": bool})
    table["term_id"] = table.groupby("term", sort=True).ngroup().astype("int64")
    return table


def classify_links(
    con, system: System, links: str, texts: str | None = None, keywords: str = "confirm", reclassify=None
) -> pd.DataFrame:
    """Classify and return the result as a DataFrame (for files and tables that fit in memory).

    Returns
    -------
    pandas.DataFrame
        One row per patent and category: ``patent_id``, ``category``, ``category_name``, ``weight``, ``match``.
    """
    run = as_runner(con)
    table = classify_table(run, system, links, texts, keywords, name="_ipstats_classified", reclassify=reclassify)
    out = run.df(f"SELECT * FROM {table} ORDER BY patent_id, category")
    _drop(run, table)
    out["category_name"] = out["category"].map(system.category_names())
    return out[["patent_id", "category", "category_name", "weight", "match"]]
