"""Build the shipped IPC reclassification table ``ipstats/reference/data/ipc_reclassification.csv``.

Run from the project root::

    .venv/bin/python scripts/build_ipc_reclassification.py [--source FILE] [--check]

Only what the reference data state goes in (schema: ``data_schemas/ipc_reclassification.schema.yaml``):

* the origins of each subclass created after IPC 2019.01, as stated in the ``basis`` column of the new-subclass
  table gathered for ipstats (``wipo_ipc_technology_post2019_subclasses_UNOFFICIAL.csv``, shipped as
  ``ipstats/register/demo_profile/…`` and in ``../shared/reference/concordances/``): "carved out of H01L 27",
  "carved out of G06K 9 / G06T 7", "carved out of H01L 35-49" …; the edition comes from its ``introduced_in_ipc``;
* checked against the shipped IPC scheme (``ipc_scheme.parquet``): an origin must be a main group of IPC 2019.01
  (a range such as 35-49 takes the main groups of 2019.01 inside it); the note says whether IPC 2026.01 still
  holds it (deleted: the whole group moved out) or not (only part of it moved).

Mappings are at main-group level (a new subclass → the old main groups it came from): the data give no
subgroup-level concordance and no shares, so ``share`` is left empty (several origins are taken as equal parts;
a category reached by only some of them is a candidate). Subclasses whose basis names no origin (B64U, G16Y)
are not mapped; a basis ending in "etc." names only part of the origins (the note says so). WIPO's own
reclassification tables (IPC "RCL" concordance lists) are not in the reference data and are not used.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "ipstats" / "reference" / "data" / "ipc_reclassification.csv"
SOURCE = ROOT / "ipstats" / "register" / "demo_profile" / "wipo_ipc_technology_post2019_subclasses_UNOFFICIAL.csv"
SCHEME = ROOT / "ipstats" / "reference" / "data" / "ipc_scheme.parquet"
SOURCE_LABEL = "basis column of wipo_ipc_technology_post2019_subclasses_UNOFFICIAL.csv (gathered for ipstats)"

#: "carved out of <subclass> <groups>": groups as "27", "29/27" (two main groups), "35-49" (a range).
_CARVED = re.compile(r"carved out of\s+(.*?)(?:\(|\bwhich\b|;|$)")
_PART = re.compile(r"([A-H]\d{2}[A-Z])\s+([\d/\-\s]+)")


def stated_origins(basis: str) -> tuple[list[tuple[str, list[tuple[int, int]]]], bool]:
    """The (subclass, main-group ranges) a basis text names, and whether it says "etc." (origins incomplete).

    >>> stated_origins("carved out of H01L 29/27 etc. (field 8)")
    ([('H01L', [(29, 29), (27, 27)])], True)
    >>> stated_origins("carved out of G06K 9 / G06T 7 which are field 6")
    ([('G06K', [(9, 9)]), ('G06T', [(7, 7)])], False)
    """
    found = _CARVED.search(basis or "")
    if not found:
        return [], False
    text = found.group(1)
    out = []
    for subclass, groups in _PART.findall(text):
        ranges = []
        for part in filter(None, (p.strip() for p in groups.split("/"))):
            low, _, high = part.partition("-")
            ranges.append((int(low), int(high or low)))
        out.append((subclass, ranges))
    return out, "etc" in text


def build(source: Path = SOURCE, scheme_path: Path = SCHEME) -> tuple[pd.DataFrame, list[str]]:
    """The reclassification rows and the subclasses left out (with why)."""
    table = pd.read_csv(source, dtype=str, keep_default_na=False)
    scheme = pd.read_parquet(scheme_path, columns=["symbol", "level", "in_2019_01", "in_2026_01"])
    groups = scheme[scheme["level"] == "main_group"].set_index("symbol")
    rows, left_out = [], []
    for rec in table.itertuples():
        origins, partial = stated_origins(rec.basis)
        found = []
        for subclass, ranges in origins:
            for low, high in ranges:
                for number in range(low, high + 1):
                    symbol = f"{subclass}{number}/00"
                    if symbol in groups.index and groups.at[symbol, "in_2019_01"]:
                        found.append((symbol, bool(groups.at[symbol, "in_2026_01"])))
        if not found:
            left_out.append(f"{rec.ipc_subclass}: the basis names no origin ({rec.basis!r})")
            continue
        for symbol, still in found:
            note = "main group of IPC 2019.01 " + (
                "still in IPC 2026.01: only part of it moved"
                if still
                else "deleted by IPC 2026.01: the whole group moved out"
            )
            if len(found) > 1:
                note += f"; one of {len(found)} stated origins, no shares stated"
            if partial:
                note += "; the source says 'etc.': further origins are not named"
            rows.append(
                {
                    "new_symbol": rec.ipc_subclass,
                    "old_symbol": symbol,
                    "ipc_version": rec.introduced_in_ipc,
                    "share": "",
                    "note": note,
                    "source": SOURCE_LABEL,
                }
            )
    return pd.DataFrame(rows, columns=["new_symbol", "old_symbol", "ipc_version", "share", "note", "source"]), left_out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help="new-subclass table with a basis column")
    parser.add_argument("--check", action="store_true", help="only check that the shipped file is up to date")
    args = parser.parse_args(argv)
    table, left_out = build(args.source)
    text = table.to_csv(index=False, lineterminator="\n")
    for line in left_out:
        print(f"not mapped: {line}")
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print(f"{OUT}: {'up to date' if same else 'OUT OF DATE (rerun without --check)'}")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT}: {len(table)} rows, {table['new_symbol'].nunique()} new subclasses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
