"""Coverage diagnostics: how much of a data set a classification system reaches, and why not the rest."""
from __future__ import annotations

import duckdb
import pandas as pd

from ipstats import reference
from ipstats.concordance.engine import resolve_codes
from ipstats.concordance.system import System
from ipstats.ipc import validate

__all__ = ["coverage", "new_subclasses"]


def new_subclasses() -> pd.Series:
    """Year in which subclasses created after IPC 2019.01 entered the scheme (e.g. H10B → 2023)."""
    table = reference.ipc_new_subclasses()
    return table.set_index("ipc_subclass")["introduced_in"].str[:4].astype(int)


def coverage(con: duckdb.DuckDBPyConnection, system: System, links: str, top: int = 10) -> dict[str, pd.DataFrame]:
    """Diagnostics of *system* on the patent–IPC links in view *links* (``patent_id``, ``ipc``).

    Returns
    -------
    dict of pandas.DataFrame
        ``summary``: one row with patents, matched patents and share, IPC occurrences, matched occurrences
        and share, distinct codes; ``unmatched``: the *top* most frequent unmatched codes with titles and
        scheme status; ``predated``: unmatched codes newer than the table's edition (the table cannot
        know them), with their count; ``unknown``: codes unknown to the IPC scheme, with their count.
    """
    codes = con.execute(f"SELECT ipc, COUNT(*) AS n, COUNT(DISTINCT patent_id) AS patents FROM {links} "
                        f"WHERE ipc IS NOT NULL GROUP BY ipc").df()
    matched_codes = set(resolve_codes(system, codes["ipc"])["ipc"])
    codes["matched"] = codes["ipc"].isin(matched_codes)
    con.register("_ipstats_matched", codes.loc[codes["matched"], ["ipc"]])
    totals = con.execute(f"""
        SELECT COUNT(DISTINCT l.patent_id) AS patents,
               COUNT(DISTINCT CASE WHEN m.ipc IS NOT NULL THEN l.patent_id END) AS matched_patents
        FROM {links} l LEFT JOIN _ipstats_matched m ON l.ipc = m.ipc""").fetchall()[0]
    con.unregister("_ipstats_matched")
    occ = int(codes["n"].sum())
    occ_matched = int(codes.loc[codes["matched"], "n"].sum())
    summary = pd.DataFrame([{
        "system": system.id, "edition": system.edition, "patents": totals[0], "matched_patents": totals[1],
        "matched_patents_pct": 100.0 * totals[1] / totals[0] if totals[0] else float("nan"),
        "ipc_occurrences": occ, "matched_occurrences": occ_matched,
        "matched_occurrences_pct": 100.0 * occ_matched / occ if occ else float("nan"),
        "distinct_codes": len(codes), "matched_codes": int(codes["matched"].sum())}])

    unmatched = codes[~codes["matched"]].sort_values(["n", "ipc"], ascending=[False, True])
    checked = validate(unmatched["ipc"]).set_index("ipc")
    unmatched = unmatched.join(checked, on="ipc")
    scheme = reference.ipc_scheme().set_index("symbol")
    in_2019 = unmatched["ipc"].map(scheme["in_2019_01"]).fillna(False).astype(bool)
    intro = unmatched["ipc"].str[:4].map(new_subclasses())
    edition_year = system.edition_year or 9999
    newer = (unmatched["status"] == "current") & ~in_2019 & (intro.isna() | (intro > edition_year))
    newer &= intro.notna() | (edition_year <= 2019)
    cols = ["ipc", "n", "patents", "status", "title_zh", "title_en"]
    return {
        "summary": summary,
        "unmatched": unmatched[cols].head(top).reset_index(drop=True),
        "predated": unmatched.loc[newer, cols].reset_index(drop=True),
        "unknown": unmatched.loc[unmatched["status"] == "unknown", cols].reset_index(drop=True),
    }
