"""IPC edition drift: codes created after a table's IPC edition, mapped back to the symbols the table knows.

A classification table is written for one IPC edition (``ipc_edition`` in ``system.yaml``). Codes created later
(G06V in 2022.01, H10B/H10K/H10N and B64U in 2023.01 …) are not in it, so patents carrying them fall out of its
categories. A reclassification table (``data_schemas/ipc_reclassification.schema.yaml``) says where a new symbol's
content sat in the earlier edition; before matching, each code newer than the table's edition is mapped back to
those old symbols (:func:`map_back`), and the rules the old symbols meet are given to the new code
(:func:`mapped_rules`):

* a category reached by all the origins of the code (their shares add up to 1) counts by the table's own rule
  (keyword conditions still apply);
* a category reached by only some origins is a *candidate* (match label ``candidate``, as a 部分涉及 code): it
  appears in the upper bound, never in the published count; so is a rule naming only some subgroups of an old
  main group the code is mapped back to as a whole (``H01L31/04*`` for H10F → ``H01L31/00``).

The shipped table (``ipstats/reference/data/ipc_reclassification.csv``, built by
``scripts/build_ipc_reclassification.py``) maps new subclasses to the old main groups the reference data name as
their origins; it is main-group level and does not cover B64U and G16Y (no origin stated).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ipstats.concordance.resolve import pattern_table, resolve_codes
from ipstats.ipc import parse
from ipstats.errors import InputError

__all__ = [
    "CANDIDATE_SUFFIX",
    "RECLASSIFY_OFF",
    "RECLASSIFY_SHIPPED",
    "ReclassificationError",
    "load_reclassification",
    "map_back",
    "mapped_rules",
    "reclassification_label",
    "shipped_path",
]

#: Values of ``reclassify`` that switch mapping back off, and the one that names the shipped table.
RECLASSIFY_OFF = (None, False, "", "none", "off")
RECLASSIFY_SHIPPED = "shipped"
#: Suffix of a rule id given to a new code whose mapping reaches the rule's category from only some origins.
CANDIDATE_SUFFIX = "~reclassified"
_COLUMNS = ["new_symbol", "old_symbol", "ipc_version", "share", "note"]
_TOLERANCE = 1e-9


class ReclassificationError(InputError):
    """A reclassification table that cannot be used; the message is one line naming the file and the problem."""


def shipped_path() -> Path:
    """Path of the shipped table (``ipc_reclassification`` in the reference catalogue)."""
    from ipstats.reference import DATA_DIR, catalogue_entry

    return DATA_DIR / catalogue_entry("ipc_reclassification")["file"]


def _canonical(symbol: str) -> str:
    return parse(symbol).canonical


def load_reclassification(
    source: "str | os.PathLike | bool | pd.DataFrame | None" = RECLASSIFY_SHIPPED,
) -> pd.DataFrame | None:
    """Read a reclassification table: ``"shipped"`` (or True), a file path, a DataFrame, or off (None, "none").

    A file is read through the validator (``ipstats validate FILE --schema ipc_reclassification``), so a bad row
    gives its one line (file, row, field, value, expectation). The shares of one new symbol must add up to at
    most 1; missing shares are filled with an equal part of what the given ones leave.

    Returns
    -------
    pandas.DataFrame or None
        ``new_symbol``, ``old_symbol`` (canonical), ``ipc_version``, ``share`` (filled), ``note``; the label of
        the source in ``attrs["source"]``. None when mapping back is off.

    Raises
    ------
    ReclassificationError
        An unreadable or invalid table (one line).
    """
    if isinstance(source, pd.DataFrame):
        table, label = source.copy(), source.attrs.get("source", "table given")
    elif source is True or source == RECLASSIFY_SHIPPED:
        table, label = _read(shipped_path()), RECLASSIFY_SHIPPED
    elif source in RECLASSIFY_OFF or source is False:
        return None
    else:
        path = Path(source)
        if not path.is_file():
            raise ReclassificationError(
                f"{path}: reclassification table not found (reclassify: 'shipped', 'none' "
                f"or a file in data_schemas/ipc_reclassification.schema.yaml)"
            )
        table, label = _read(path), str(path)
    for column in _COLUMNS:
        if column not in table.columns:
            table[column] = None
    table = table[_COLUMNS].copy()
    table["new_symbol"] = table["new_symbol"].map(_canonical)
    table["old_symbol"] = table["old_symbol"].map(_canonical)
    table["share"] = pd.to_numeric(table["share"], errors="coerce")
    given = table.groupby("new_symbol")["share"].agg(lambda s: s.sum(min_count=1)).fillna(0.0)
    over = given[given > 1 + _TOLERANCE]
    if len(over):
        raise ReclassificationError(
            f"{label}: new_symbol {over.index[0]}: shares add up to {over.iloc[0]:g} — expected at most 1"
        )
    missing = table["share"].isna().groupby(table["new_symbol"]).transform("sum")
    rest = (1.0 - table["new_symbol"].map(given)).clip(lower=0.0)
    table["share"] = table["share"].fillna(rest / missing.where(missing > 0))
    table.attrs["source"] = label
    return table.reset_index(drop=True)


def _read(path: Path) -> pd.DataFrame:
    from ipstats.validate import InputError, read_input

    try:
        return read_input(path, "ipc_reclassification")
    except InputError as exc:
        raise ReclassificationError(str(exc).splitlines()[0]) from None


def reclassification_label(table: pd.DataFrame | None) -> str:
    """How the run mapped newer codes back: ``shipped``, the file's path, or ``none``."""
    return "none" if table is None else str(table.attrs.get("source", "table given"))


def _keys(code: str) -> list[str]:
    """Lookup keys of a canonical code, most specific first: the code, its main group, its subclass."""
    keys = [code]
    if "/" in code:
        head = code.split("/")[0] + "/00"
        if head != code:
            keys.append(head)
    if len(code) > 4:
        keys.append(code[:4])
    return keys


def map_back(table: pd.DataFrame | None, codes, ipc_edition: str | None, max_steps: int = 3) -> pd.DataFrame:
    """The old symbols each code newer than *ipc_edition* maps back to.

    A code is mapped by its most specific row (the code itself, else its main group, else its subclass) among
    rows whose ``ipc_version`` is later than *ipc_edition*; an old symbol that is itself newer than the edition is
    mapped again (at most *max_steps* times), shares multiplied.

    Returns
    -------
    pandas.DataFrame
        ``ipc`` (the code), ``old_symbol``, ``share``; empty when *table* is None, the edition is unknown, or no
        code is newer.
    """
    empty = pd.DataFrame(
        {"ipc": pd.Series(dtype=object), "old_symbol": pd.Series(dtype=object), "share": pd.Series(dtype="float64")}
    )
    if table is None or not ipc_edition:
        return empty
    later = table[table["ipc_version"].astype(str) > str(ipc_edition)]
    if later.empty:
        return empty
    rows = {sym: part[["old_symbol", "share"]].to_numpy().tolist() for sym, part in later.groupby("new_symbol")}

    def origins(code: str, step: int) -> list[tuple[str, float]]:
        key = next((k for k in _keys(code) if k in rows), None)
        if key is None:
            return [(code, 1.0)] if step else []
        out = []
        for old, share in rows[key]:
            out += [(o, share * s) for o, s in (origins(old, step + 1) if step < max_steps else [(old, 1.0)])]
        return out

    subclasses = {key[:4] for key in rows}
    codes = pd.Series(pd.unique(pd.Series(list(codes), dtype=object).dropna()), dtype=object)
    found = [(code, old, share) for code in codes[codes.str[:4].isin(subclasses)] for old, share in origins(code, 0)]
    if not found:
        return empty
    out = pd.DataFrame(found, columns=["ipc", "old_symbol", "share"])
    return out.groupby(["ipc", "old_symbol"], as_index=False, sort=True)["share"].sum()


def mapped_rules(system, back: pd.DataFrame) -> pd.DataFrame:
    """Rows of :func:`ipstats.concordance.resolve.resolve_codes` for the mapped-back codes of *back*.

    The rules each old symbol meets are given to the new code. Where the origins reaching a category hold all of
    the code's share (1), the rules keep their id and coverage; otherwise the rule is given as a candidate (id
    with :data:`CANDIDATE_SUFFIX`, coverage 部分涉及), which only the upper bound counts.
    """
    if back.empty:
        return resolve_codes(system, [])
    old = resolve_codes(system, back["old_symbol"].unique())
    hits = back.merge(old.rename(columns={"ipc": "old_symbol"}), on="old_symbol")
    if hits.empty:
        return resolve_codes(system, [])
    reach = (
        hits.drop_duplicates(["ipc", "category", "old_symbol"])
        .groupby(["ipc", "category"])["share"]
        .sum()
        .rename("reach")
    )
    hits = hits.join(reach, on=["ipc", "category"])
    partial = hits["reach"] < 1 - 1e-6
    hits.loc[partial, "rule_id"] = hits.loc[partial, "rule_id"] + CANDIDATE_SUFFIX
    hits.loc[partial, "coverage"] = "部分涉及"
    columns = list(old.columns)
    inside = _rules_inside_groups(system, back)
    both = pd.concat([hits[columns], inside[columns]], ignore_index=True) if not inside.empty else hits[columns]
    return both.drop_duplicates(["ipc", "rule_id"]).reset_index(drop=True)


def _rules_inside_groups(system, back: pd.DataFrame) -> pd.DataFrame:
    """Candidates of codes mapped back to a whole main group (``H01L31/00``): the rules that name only some of
    its subgroups (``H01L31/04*``) may or may not hold the code, so they are given as candidates."""
    heads = back[back["old_symbol"].str.endswith("/00")]
    if heads.empty:
        return resolve_codes(system, [])
    patterns = pattern_table(system)
    patterns = patterns[
        (patterns["role"] == "include") & patterns["subgroup"].notna() & (patterns["subgroup"].astype(str) != "00")
    ]
    patterns = patterns.assign(old_symbol=patterns["head"].astype(str) + patterns["main_group"].astype(str) + "/00")
    found = heads[["ipc", "old_symbol"]].merge(patterns[["old_symbol", "rule_id", "pattern"]], on="old_symbol")
    if found.empty:
        return resolve_codes(system, [])
    rules = system.rules.assign(
        has_keywords=system.rules["terms"].map(bool), has_exclusions=system.rules["exclusion_terms"].map(bool)
    )
    found = found.drop_duplicates(["ipc", "rule_id"]).merge(
        rules[["rule_id", "category", "weight", "has_keywords", "has_exclusions"]], on="rule_id"
    )
    found["rule_id"] = found["rule_id"] + CANDIDATE_SUFFIX
    found["coverage"] = "部分涉及"
    return found
