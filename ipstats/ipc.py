"""IPC symbols (国际专利分类号): parse every spelling registers use, normalise, validate against the scheme.

Canonical form
--------------
The canonical form is the compact one CNIPA registers and the shipped scheme use: section, class,
subclass, then ``main_group/subgroup`` without spaces or leading zeros in the main group, e.g.
``H04L29/06``, ``A01B1/00``, ``G06F17/30``; shorter levels are ``H``, ``H04``, ``H04L``. A main group is
written with subgroup ``00`` (``H04L29/00``). :attr:`IPCSymbol.display` gives WIPO's printed form
(``H04L 29/06``) and :attr:`IPCSymbol.code14` the 14-character form (``H04L0029060000``).

Accepted spellings
------------------
``H04L 29/06``, ``H04L29/06``, ``H04L0029060000``, ``H04L  29/06`` (PATSTAT fixed width),
``H04L 29/06 (2006.01)`` or ``[2006.01]`` (edition suffix), lower case, full-width characters and
ideographic spaces (``Ｈ０４Ｌ２９／０６``), and cells holding several symbols separated by ``;``, ``,``,
``；``, ``，`` or new lines.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from ipstats import reference
from ipstats.errors import IpstatsError

__all__ = [
    "IPCParseError",
    "IPCSymbol",
    "LEVELS",
    "ParseReport",
    "normalize",
    "parse",
    "parse_cell",
    "parse_distinct",
    "parse_many",
    "split_cell",
    "title",
    "validate",
]

#: Levels of the IPC hierarchy, from the top.
LEVELS = ("section", "class", "subclass", "main_group", "subgroup")

_SEPARATORS = re.compile(r"[;,\n\r|]+")
_EDITION = re.compile(r"[(\[]\s*(?:19|20)\d{2}\s*\.\s*\d{2}\s*[)\]]\s*$")
# IPCR data appended by EPO/WIPO exports: version date, level (A/C), first/later (F/L), inventive (I/N),
# action date and source, e.g. "A47G 19/02 20060101AFI20061115BHGB" or "... 20060101A I20051008RMEP".
_IPCR_TAIL = re.compile(r"\s+(?:19|20)\d{6}\s*[A-Z](?:\s*[A-Z]){0,2}\s*\d{8}\s*[A-Z]*\s*$")
_SPACED_HEAD = re.compile(r"^(?:\d\s+)?([A-H])\s+(\d{2})\s*([A-Z])(?=[\s\d]|$)")
_EDITION_PREFIX = re.compile(r"^\d\s+(?=[A-H]\s*\d)")
_TRAILING_FLAG = re.compile(r"(/\s*\d+)\s+[A-Z-]$")
_CODE14 = re.compile(r"^([A-H])(\d{2})([A-Z])(\d{4})(\d{6})$")
_GROUP = re.compile(r"^([A-H])(\d{2})([A-Z])\s*(\d{1,4})(?:\s*/\s*(\d{1,6}))?$")
_SHORT = re.compile(r"^([A-H])(?:(\d{2})([A-Z])?)?$")


class IPCParseError(IpstatsError, ValueError):
    """Raised for text that is not an IPC symbol; the message names the input."""


@dataclass(frozen=True, order=True)
class IPCSymbol:
    """One IPC symbol split into its parts (``main_group``/``subgroup`` are digit strings or None)."""

    section: str
    ipc_class: str | None = None
    subclass: str | None = None
    main_group: str | None = None
    subgroup: str | None = None

    @property
    def level(self) -> str:
        """``section``, ``class``, ``subclass``, ``main_group`` (subgroup ``00``) or ``subgroup``."""
        if self.main_group is not None:
            return "main_group" if self.subgroup == "00" else "subgroup"
        if self.subclass is not None:
            return "subclass"
        return "class" if self.ipc_class is not None else "section"

    @property
    def subclass_code(self) -> str | None:
        """The four-character subclass, e.g. ``H04L`` (None above subclass level)."""
        return f"{self.section}{self.ipc_class}{self.subclass}" if self.subclass else None

    @property
    def canonical(self) -> str:
        """Compact canonical form, e.g. ``H04L29/06``."""
        text = self.section + (self.ipc_class or "") + (self.subclass or "")
        if self.main_group is not None:
            text += f"{self.main_group}/{self.subgroup}"
        return text

    @property
    def display(self) -> str:
        """WIPO's printed form, e.g. ``H04L 29/06``."""
        if self.main_group is None:
            return self.canonical
        return f"{self.subclass_code} {self.main_group}/{self.subgroup}"

    @property
    def code14(self) -> str | None:
        """The 14-character form, e.g. ``H04L0029060000`` (None above main-group level)."""
        if self.main_group is None:
            return None
        return f"{self.subclass_code}{int(self.main_group):04d}{self.subgroup:0<6}"

    def __str__(self) -> str:
        return self.canonical


def normalize(text: str) -> str:
    """Fold the spelling variants of real registers into one plain form before parsing.

    Full-width characters and ideographic spaces are folded (NFKC) and letters upper-cased; an edition
    suffix ``(2006.01)``, IPCR data after the symbol (``20060101AFI20061115BHGB``), a trailing
    indicator letter (``A23B 5/00 A``), a leading edition digit (``7 A23B 5/00``), spaces inside the
    subclass (``A 21 C 9/06``) and a doubled slash (``G06F 17//30``) are removed.
    """
    text = unicodedata.normalize("NFKC", text).upper().strip()
    text = _EDITION.sub("", text).strip()
    text = _IPCR_TAIL.sub("", text)
    text = _EDITION_PREFIX.sub("", text)
    text = _SPACED_HEAD.sub(lambda m: "".join(m.groups()), text)
    text = _TRAILING_FLAG.sub(r"\1", text)
    return text.replace("//", "/").strip()


def split_cell(cell: str) -> list[str]:
    """Split a register cell holding several symbols (``;``, ``,``, ``；``, ``，``, new lines) into parts."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return []
    folded = unicodedata.normalize("NFKC", str(cell))
    return [part.strip() for part in _SEPARATORS.split(folded) if part.strip()]


def _subgroup(digits: str) -> str:
    """Subgroup digits without the padding zeros of the 14-character form (at least two digits)."""
    stripped = digits.rstrip("0")
    return stripped.ljust(2, "0")


@lru_cache(maxsize=200_000)
def parse(text: str) -> IPCSymbol:
    """Parse one IPC symbol in any accepted spelling.

    Parameters
    ----------
    text : str
        e.g. ``"H04L 29/06"``, ``"H04L0029060000"``, ``"ｈ０４ｌ２９／０６ (2006.01)"``.

    Returns
    -------
    IPCSymbol

    Raises
    ------
    IPCParseError
        When *text* is not an IPC symbol; the message quotes it.

    Examples
    --------
    >>> parse("H04L  29/06 (2006.01)").canonical
    'H04L29/06'
    >>> parse("H04L0029060000").display
    'H04L 29/06'
    """
    if not isinstance(text, str):
        raise IPCParseError(f"not an IPC symbol: {text!r} (expected text such as 'H04L 29/06')")
    norm = normalize(text)
    match = _CODE14.match(norm.replace(" ", ""))
    if match:
        sec, cls, sub, group, subgroup = match.groups()
        if int(group) == 0:
            raise IPCParseError(f"not an IPC symbol: {text!r} (main group 0000 does not exist)")
        return IPCSymbol(sec, cls, sub, str(int(group)), _subgroup(subgroup))
    match = _GROUP.match(norm)
    if match:
        sec, cls, sub, group, subgroup = match.groups()
        if int(group) == 0:
            raise IPCParseError(f"not an IPC symbol: {text!r} (main group 0 does not exist)")
        # subgroup digits read like decimals (1/3 = 1/30 < 1/31), as the 14-character form pads them
        subgroup = "00" if subgroup is None else _subgroup(subgroup)
        return IPCSymbol(sec, cls, sub, str(int(group)), subgroup)
    match = _SHORT.match(norm)
    if match:
        sec, cls, sub = match.groups()
        return IPCSymbol(sec, cls, sub)
    raise IPCParseError(f"not an IPC symbol: {text!r} (expected e.g. 'H04L 29/06', 'H04L29/06' or 'H04L0029060000')")


def parse_cell(cell: str) -> list[IPCSymbol]:
    """Parse a cell that may hold several symbols; raises :class:`IPCParseError` naming the bad part."""
    return [parse(part) for part in split_cell(cell)]


@dataclass
class ParseReport:
    """Outcome of a bulk parse: how many parts parsed, how many did not, and examples of the bad ones."""

    n_parts: int
    n_parsed: int
    n_failed: int
    failed_examples: list[str]

    def __str__(self) -> str:
        if not self.n_failed:
            return f"{self.n_parsed:,} IPC symbols parsed"
        examples = ", ".join(repr(e if len(e) <= 40 else e[:37] + "…") for e in self.failed_examples)
        return (
            f"{self.n_parsed:,} of {self.n_parts:,} IPC parts parsed; {self.n_failed:,} are not IPC symbols "
            f"(e.g. {examples})"
        )


def parse_distinct(values) -> tuple[dict[str, IPCSymbol], list[str]]:
    """Parse each distinct value once: the symbols by raw text, and the raw texts that are not symbols."""
    parsed, failed = {}, []
    for raw in pd.unique(pd.Series(values, dtype=object).dropna()):
        try:
            parsed[raw] = parse(raw)
        except IPCParseError:
            failed.append(raw)
    return parsed, failed


def parse_many(cells: pd.Series, max_examples: int = 5) -> tuple[pd.DataFrame, ParseReport]:
    """Parse a column of (multi-value) cells in bulk; bad parts are counted, not raised.

    Each distinct part is parsed once, so the cost grows with the number of distinct spellings,
    not with the number of rows.

    Parameters
    ----------
    cells : pandas.Series
        One cell per row (index kept as the row key).
    max_examples : int
        How many distinct unparseable parts to quote in the report.

    Returns
    -------
    symbols : pandas.DataFrame
        One row per parsed part: ``row`` (index label of *cells*), ``position`` (1-based order in the
        cell), ``raw``, ``ipc`` (canonical), ``level``, ``subclass`` — duplicates within a cell removed.
    report : ParseReport
    """
    parts = cells.map(split_cell).explode().dropna()
    parts = pd.DataFrame({"row": parts.index, "raw": parts.to_numpy(dtype=object)})
    parts["position"] = parts.groupby("row", sort=False).cumcount() + 1
    parsed, failed = parse_distinct(parts["raw"])
    lookup = pd.DataFrame(
        {
            "raw": list(parsed),
            "ipc": [s.canonical for s in parsed.values()],
            "level": [s.level for s in parsed.values()],
            "subclass": [s.subclass_code for s in parsed.values()],
        }
    )
    out = parts.merge(lookup, on="raw", how="inner").sort_values(["row", "position"], kind="stable")
    out = out.drop_duplicates(["row", "ipc"]).reset_index(drop=True)
    n_failed = int(parts["raw"].isin(failed).sum())
    report = ParseReport(
        n_parts=len(parts), n_parsed=len(parts) - n_failed, n_failed=n_failed, failed_examples=failed[:max_examples]
    )
    return out[["row", "position", "raw", "ipc", "level", "subclass"]], report


@lru_cache(maxsize=1)
def _scheme_index() -> tuple[pd.DataFrame, frozenset]:
    scheme = reference.ipc_scheme().set_index("symbol")
    gaps = frozenset(reference.catalogue_entry("ipc_scheme").get("zh_missing_subclasses", []))
    return scheme, gaps


def validate(symbols: pd.Series | list[str]) -> pd.DataFrame:
    """Check canonical symbols against the shipped IPC scheme.

    Status per symbol:

    * ``current`` — in the current edition (2026.01);
    * ``older_edition`` — only in the older edition held (≈2019.01): moved or deleted since
      (e.g. ``H01L`` content moved to ``H10B``–``H10W``);
    * ``unverified`` — in the older edition, in a subclass missing from our copy of the 2026.01 scheme
      (listed in the catalogue), so its current status is not known;
    * ``unknown`` — in neither edition held: a symbol of an edition before 2019 (e.g. ``A23L1/00``,
      reorganised in 2016) or not an IPC symbol at all.

    Returns
    -------
    pandas.DataFrame
        ``ipc``, ``status``, ``title_zh``, ``title_en``.
    """
    scheme, gaps = _scheme_index()
    codes = pd.Series(pd.unique(pd.Series(list(symbols), dtype=object)), dtype=object)
    found = scheme.reindex(codes)
    in_new = found["in_2026_01"].fillna(False).astype(bool).to_numpy()
    in_old = found["in_2019_01"].fillna(False).astype(bool).to_numpy()
    gap = codes.str[:4].isin(gaps).to_numpy()
    status = pd.Series("unknown", index=codes.index)
    status[in_old & ~in_new] = "older_edition"
    status[in_old & ~in_new & gap] = "unverified"
    status[in_new] = "current"
    return pd.DataFrame(
        {
            "ipc": codes,
            "status": status.to_numpy(),
            "title_zh": found["title_zh"].to_numpy(),
            "title_en": found["title_en"].to_numpy(),
        }
    )


def title(symbol: str, lang: str = "zh") -> str | None:
    """Title of a symbol in Chinese (``zh``, edition 2026.01) or English (``en``, ≈2019.01); None if absent."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    scheme, _ = _scheme_index()
    canonical = parse(symbol).canonical
    if canonical not in scheme.index:
        return None
    value = scheme.at[canonical, f"title_{lang}"]
    return None if pd.isna(value) else value
