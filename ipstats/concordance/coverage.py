"""Coverage diagnostics: how much of a data set a classification system reaches, and why not the rest."""

from __future__ import annotations

import duckdb
import pandas as pd

from ipstats import reference
from ipstats.concordance.resolve import resolve_codes
from ipstats.concordance.reclassify import load_reclassification, map_back, mapped_rules, reclassification_label
from ipstats.concordance.system import System
from ipstats.engines.duck import as_runner
from ipstats.ipc import validate

__all__ = ["coverage", "new_subclasses", "newer_codes"]


def new_subclasses() -> pd.Series:
    """Year in which subclasses created after IPC 2019.01 entered the scheme (e.g. H10B → 2023)."""
    table = reference.ipc_new_subclasses()
    return table.set_index("ipc_subclass")["introduced_in"].str[:4].astype(int)


def newer_codes(system: System, codes: pd.Series) -> pd.Series:
    """Whether each canonical code was created after the IPC edition the table was written for.

    A code is newer when its subclass entered the IPC after :attr:`System.ipc_edition_year` (the new-subclass
    table: H10B 2023, G06V 2022 …), or when it is current but not in IPC 2019.01 and the table was written for
    2019 or earlier (a new group in an old subclass; the shipped scheme holds only the 2019.01 and 2026.01
    editions, so for later tables such groups cannot be dated and are not counted). Unknown codes are not newer.
    """
    codes = pd.Series(codes, dtype=object).reset_index(drop=True)
    status = validate(codes).set_index("ipc")["status"]
    scheme = reference.ipc_scheme().set_index("symbol")
    in_2019 = codes.map(scheme["in_2019_01"]).fillna(False).astype(bool)
    intro = codes.str[:4].map(new_subclasses())
    edition_year = system.ipc_edition_year or 9999
    current = codes.map(status).eq("current")
    newer = current & ~in_2019 & (intro.isna() | (intro > edition_year))
    newer &= intro.notna() | (edition_year <= 2019)
    return pd.Series(newer.to_numpy(), index=codes.to_numpy(), name="newer")


def coverage(
    con: duckdb.DuckDBPyConnection, system: System, links: str, top: int = 10, reclassify=None
) -> dict[str, pd.DataFrame]:
    """Diagnostics of *system* on the patent–IPC links in view *links* (``patent_id``, ``ipc``).

    *con* is a DuckDB connection or a runner (:mod:`ipstats.engines`): the same SQL on DuckDB and Spark.

    With *reclassify* (``"shipped"``, a file or a loaded table; :mod:`ipstats.concordance.reclassify`) codes newer
    than the table's edition are mapped back before matching, as the classification does: a mapped-back code that
    then meets a rule counts as matched (``mapped_*``), the newer codes that still meet none stay unmatched
    (``newer_unmatched_*``, the ``predated`` table).

    Returns
    -------
    dict of pandas.DataFrame
        ``summary``: one row with patents, matched patents and share, IPC occurrences, matched occurrences
        and share, distinct codes, and the codes created after the table's IPC edition (``ipc_edition``):
        ``newer_codes`` (distinct), ``newer_occurrences``, ``newer_patents`` (patents with at least one) and
        their share ``newer_patents_pct``, ``newer_only_patents`` (patents no code of which is matched while one
        is a newer code that cannot be mapped back, so the table cannot classify them); ``reclassification`` (the
        table used, or ``none``), ``mapped_codes`` / ``mapped_occurrences`` / ``mapped_patents`` (newer codes
        mapped back to old symbols that meet a rule: certain or candidate), ``mapped_candidate_codes`` (of
        which the mapping reaches some category from only part of the origins), ``newer_unmatched_codes`` /
        ``newer_unmatched_occurrences`` / ``newer_unmatched_patents`` (newer codes that meet no rule and that the reclassification table cannot map;
        a code mapped back to old symbols outside the table is outside it in its own edition too);
        ``unmatched``: the *top* most frequent unmatched codes with titles and scheme status; ``predated``:
        unmatched codes newer than the table's edition that cannot be mapped back (the table cannot know them);
        ``unknown``: codes unknown to the IPC scheme, with their count.
    """
    run = as_runner(con)
    codes = run.df(
        f"SELECT ipc, COUNT(*) AS n, COUNT(DISTINCT patent_id) AS patents FROM {links} "
        f"WHERE ipc IS NOT NULL GROUP BY ipc"
    )
    table = load_reclassification(reclassify)
    direct = set(resolve_codes(system, codes["ipc"])["ipc"])
    back = map_back(table, codes["ipc"], system.ipc_edition)
    mapped = mapped_rules(system, back)
    codes["mapped"] = codes["ipc"].isin(set(mapped["ipc"])) & ~codes["ipc"].isin(direct)
    candidates = set(mapped.loc[mapped["coverage"] == "部分涉及", "ipc"])
    codes["matched"] = codes["ipc"].isin(direct) | codes["mapped"]
    codes["newer"] = newer_codes(system, codes["ipc"]).to_numpy() | codes["mapped"]
    # a newer code mapped back to old symbols the table does not hold is outside the table in its own edition
    # too: not a loss of the drift; unmatched newer codes are those the reclassification table cannot map
    codes["newer_unmatched"] = codes["newer"] & ~codes["matched"] & ~codes["ipc"].isin(set(back["ipc"]))
    run.put("_ipstats_codes", codes[["ipc", "matched", "newer", "mapped", "newer_unmatched"]])
    totals = run.df(f"""
        WITH p AS (SELECT l.patent_id, bool_or(c.matched) AS matched, bool_or(c.newer) AS newer,
                          bool_or(c.mapped) AS mapped, bool_or(c.newer_unmatched) AS newer_unmatched
                   FROM {links} l JOIN _ipstats_codes c ON l.ipc = c.ipc GROUP BY l.patent_id)
        SELECT (SELECT COUNT(DISTINCT patent_id) FROM {links}) AS patents, COUNT(*) FILTER (WHERE matched) AS matched,
               COUNT(*) FILTER (WHERE newer) AS newer, COUNT(*) FILTER (WHERE newer_unmatched AND NOT matched) AS newer_only,
               COUNT(*) FILTER (WHERE mapped) AS mapped,
               COUNT(*) FILTER (WHERE newer_unmatched) AS newer_unmatched FROM p""")
    totals = [int(v) for v in totals.iloc[0]]
    run.drop("_ipstats_codes")
    occ = int(codes["n"].sum())
    occ_matched = int(codes.loc[codes["matched"], "n"].sum())
    patents = totals[0]
    summary = pd.DataFrame(
        [
            {
                "system": system.id,
                "edition": system.edition,
                "ipc_edition": system.ipc_edition or "",
                "patents": patents,
                "matched_patents": totals[1],
                "matched_patents_pct": 100.0 * totals[1] / patents if patents else float("nan"),
                "ipc_occurrences": occ,
                "matched_occurrences": occ_matched,
                "matched_occurrences_pct": 100.0 * occ_matched / occ if occ else float("nan"),
                "distinct_codes": len(codes),
                "matched_codes": int(codes["matched"].sum()),
                "newer_codes": int(codes["newer"].sum()),
                "newer_occurrences": int(codes.loc[codes["newer"], "n"].sum()),
                "newer_patents": totals[2],
                "newer_patents_pct": 100.0 * totals[2] / patents if patents else float("nan"),
                "newer_only_patents": totals[3],
                "reclassification": reclassification_label(table),
                "mapped_codes": int(codes["mapped"].sum()),
                "mapped_occurrences": int(codes.loc[codes["mapped"], "n"].sum()),
                "mapped_patents": totals[4],
                "mapped_candidate_codes": int((codes["mapped"] & codes["ipc"].isin(candidates)).sum()),
                "newer_unmatched_codes": int(codes["newer_unmatched"].sum()),
                "newer_unmatched_occurrences": int(codes.loc[codes["newer_unmatched"], "n"].sum()),
                "newer_unmatched_patents": totals[5],
            }
        ]
    )

    unmatched = codes[~codes["matched"]].sort_values(["n", "ipc"], ascending=[False, True])
    if unmatched.empty:  # nothing unmatched (or no code at all): the same columns, no rows
        unmatched = unmatched.assign(
            status=pd.Series(dtype=object), title_zh=pd.Series(dtype=object), title_en=pd.Series(dtype=object)
        )
    else:
        checked = validate(unmatched["ipc"]).set_index("ipc")
        unmatched = unmatched.join(checked, on="ipc")
    cols = ["ipc", "n", "patents", "status", "title_zh", "title_en"]
    return {
        "summary": summary,
        "unmatched": unmatched[cols].head(top).reset_index(drop=True),
        "predated": unmatched.loc[unmatched["newer_unmatched"], cols].reset_index(drop=True),
        "unknown": unmatched.loc[unmatched["status"] == "unknown", cols].reset_index(drop=True),
    }
