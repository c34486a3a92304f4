"""IPC patterns of concordance tables and their matching, field by field, on distinct codes.

Pattern forms (after NFKC folding and upper-casing):

========================  ================================================================
``H*`` / ``H01*``         every symbol of the section / class
``H01L*`` or ``H01L``     every symbol of the subclass
``H01L21*``               main group 21 and all its subgroups
``H01L21/02*``            subgroups of main group 21 whose number starts with the digits ``02``
                          (the dot hierarchy is not in the tables; digits approximate it)
``H01L21/02``             that subgroup only, or its subtree if the table says so (``bare_subgroup``)
``H01L21/00``             the group head only, or the whole group (``group_head``)
``H01L21``                the group head only, or the whole group (``bare_main_group``)
========================  ================================================================

Matching compares section, class, subclass, main group and subgroup separately, never raw
prefixes: ``B60L8*`` covers ``B60L8/00`` and ``B60L8/003`` but not ``B60L80/00``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipstats.ipc import IPCParseError, parse
from ipstats.errors import IpstatsError

__all__ = ["Conventions", "Pattern", "PatternError", "code_parts", "match_codes", "parse_pattern"]

_GROUP = re.compile(r"^([A-H]\d\d[A-Z])(\d{1,4})(?:/(\d{1,6}))?$")


class PatternError(IpstatsError, ValueError):
    """A pattern cell that is not an IPC pattern; the message quotes it."""


@dataclass(frozen=True)
class Conventions:
    """How a table reads patterns written without ``*`` (each table documents its own)."""

    bare_main_group: str = "head_only"  # "H03M13": head_only | subtree
    group_head: str = "head_only"  # "H03M13/00": head_only | subtree
    bare_subgroup: str = "exact"  # "B60L50/30": exact | subtree

    def __post_init__(self) -> None:
        for name, allowed in (
            ("bare_main_group", {"head_only", "subtree"}),
            ("group_head", {"head_only", "subtree"}),
            ("bare_subgroup", {"exact", "subtree"}),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"convention {name} must be one of {sorted(allowed)}, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class Pattern:
    """One parsed pattern: ``kind`` is section, class, subclass, group, prefix or exact."""

    text: str
    kind: str
    head: str
    main_group: str | None = None
    subgroup: str | None = None


def parse_pattern(text: str, conventions: Conventions = Conventions()) -> Pattern:
    """Parse one pattern of a rule table (see the module docstring for the forms).

    Raises
    ------
    PatternError
        For a cell that is not an IPC pattern.
    """
    raw = text
    text = unicodedata.normalize("NFKC", str(text)).upper().replace(" ", "")
    star = text.endswith("*")
    body = text.rstrip("*")
    if re.fullmatch(r"[A-H]", body):
        return Pattern(raw, "section", body)
    if re.fullmatch(r"[A-H]\d\d", body):
        return Pattern(raw, "class", body)
    if re.fullmatch(r"[A-H]\d\d[A-Z]", body):
        return Pattern(raw, "subclass", body)
    match = _GROUP.match(body)
    if not match or int(match.group(2)) == 0:
        raise PatternError(
            f"not an IPC pattern: {raw!r} (expected e.g. 'H01L*', 'H01L21*', 'H01L21/02*' or 'H01L21/02')"
        )
    head, group, sub = match.group(1), str(int(match.group(2))), match.group(3)
    if sub is None:
        subtree = star or conventions.bare_main_group == "subtree"
        return Pattern(raw, "group", head, group) if subtree else Pattern(raw, "exact", head, group, "00")
    if int(sub) == 0:
        subtree = star or conventions.group_head == "subtree"
        return Pattern(raw, "group", head, group) if subtree else Pattern(raw, "exact", head, group, "00")
    if star:
        return Pattern(raw, "prefix", head, group, sub)
    canonical = sub.rstrip("0").ljust(2, "0")
    if conventions.bare_subgroup == "subtree":
        return Pattern(raw, "prefix", head, group, canonical)
    return Pattern(raw, "exact", head, group, canonical)


_CANONICAL = r"^([A-H])(\d\d)([A-Z])(?:([1-9]\d{0,3})/(\d{2,6}))?$"


def code_parts(codes: pd.Series) -> pd.DataFrame:
    """Split distinct canonical codes into the fields matching uses; unparseable codes are dropped.

    Canonical codes (``H04L29/06``, ``H04L``) are split with one vectorised pattern; anything else goes
    through :func:`ipstats.ipc.parse`.

    Returns
    -------
    pandas.DataFrame
        ``ipc``, ``section``, ``cls`` (e.g. ``H01``), ``subclass`` (``H01L``), ``main_group``, ``subgroup``.
    """
    distinct = pd.Series(pd.unique(codes.dropna()), dtype=object)
    fields = distinct.str.extract(_CANONICAL)
    ok = fields.notna()[0].to_numpy()
    parts = pd.DataFrame(
        {
            "ipc": distinct[ok].to_numpy(),
            "section": fields.loc[ok, 0].to_numpy(),
            "cls": (fields.loc[ok, 0] + fields.loc[ok, 1]).to_numpy(),
            "subclass": (fields.loc[ok, 0] + fields.loc[ok, 1] + fields.loc[ok, 2]).to_numpy(),
            "main_group": fields.loc[ok, 3].to_numpy(dtype=object),
            "subgroup": fields.loc[ok, 4].to_numpy(dtype=object),
        }
    )
    parts = parts.astype(object).where(parts.notna(), None)
    rows = []
    for code in distinct[~ok]:
        try:
            sym = parse(code)
        except IPCParseError:
            continue
        rows.append(
            (
                code,
                sym.section,
                (sym.section + sym.ipc_class) if sym.ipc_class else None,
                sym.subclass_code,
                sym.main_group,
                sym.subgroup,
            )
        )
    if rows:
        parts = pd.concat([parts, pd.DataFrame(rows, columns=parts.columns)], ignore_index=True)
    return parts


def match_codes(parts: pd.DataFrame, patterns: pd.DataFrame) -> pd.DataFrame:
    """All (code, pattern) pairs where the pattern covers the code.

    Parameters
    ----------
    parts : pandas.DataFrame
        Output of :func:`code_parts`.
    patterns : pandas.DataFrame
        ``pid`` and the :class:`Pattern` fields ``kind``, ``head``, ``main_group``, ``subgroup``.

    Returns
    -------
    pandas.DataFrame
        ``ipc``, ``pid``.
    """
    found = []
    for kind, key in (("section", "section"), ("class", "cls"), ("subclass", "subclass")):
        sel = patterns.loc[patterns["kind"] == kind, ["pid", "head"]]
        if len(sel):
            found.append(parts[["ipc", key]].merge(sel, left_on=key, right_on="head")[["ipc", "pid"]])
    grouped = patterns[patterns["kind"].isin(["group", "exact", "prefix"])]
    if len(grouped):
        merged = parts.dropna(subset=["main_group"]).merge(
            grouped, left_on=["subclass", "main_group"], right_on=["head", "main_group"], suffixes=("", "_p")
        )
        kind = merged["kind"].to_numpy()
        code_sub = merged["subgroup"].to_numpy(dtype=object)
        pat_sub = merged["subgroup_p"].to_numpy(dtype=object)
        ok = kind == "group"
        ok |= (kind == "exact") & (code_sub == pat_sub)
        prefix = kind == "prefix"
        if prefix.any():
            ok[prefix] = np.array([c.startswith(p) for c, p in zip(code_sub[prefix], pat_sub[prefix])], dtype=bool)
        found.append(merged.loc[ok, ["ipc", "pid"]])
    if not found:
        return pd.DataFrame({"ipc": pd.Series(dtype=object), "pid": pd.Series(dtype="int64")})
    return pd.concat(found, ignore_index=True).drop_duplicates()
