"""What ipstats keeps under its cache folder (``$IPSTATS_CACHE``, else ``~/.cache/ipstats``): list, prune, clear.

The cache holds work that is made again when missing, never an input or a result:

* ``typed`` — validated inputs in their typed Parquet form with their check record
  (``<schema>-<key>.parquet`` and ``.json``, :func:`ipstats.validate.typed.typed_parquet`), and the year-end
  owner registers of the survey frame (``owner_register-<key>.parquet``);
* ``checked`` — which file contents passed validation (``checked/<sha256>.json``): an unchanged input is not
  validated again;
* ``classified`` — classified links per register, system and counting rules (``classified/<key>/``,
  :mod:`ipstats.concordance.cache`);
* ``sha256`` — the hash of a file remembered by its path, size, inode and times (``sha256/<key>.txt``).

Only entries of these forms are ever removed (a file or folder ipstats did not write stays, whatever its
name). An entry's last use is its modification time; a hit of a classified entry renews it
(:func:`~ipstats.validate.typed.touch`, as does a hit of a typed input or a remembered hash), so pruning keeps what recent runs read. Entries are independent: removing one costs the
work of making it again, never a wrong number.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from ipstats.validate.typed import cache_dir, touch

__all__ = ["Entry", "KINDS", "clear", "entries", "prune", "summary", "touch"]

#: Kinds of entries, in the order ``ipstats cache`` lists them.
KINDS = ("typed", "checked", "classified", "sha256")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TYPED = re.compile(r"[a-z][a-z0-9_]*-[0-9a-f]{32}\.(parquet|json)")
_PARTIAL = re.compile(r"\.partial-[A-Za-z0-9_]+")
_TYPED_PARTIAL = re.compile(r"\.[a-z][a-z0-9_]*-[0-9a-f]{32}\.(parquet\.)?.*\.partial")


@dataclass(frozen=True)
class Entry:
    """One cache entry: its *kind* (:data:`KINDS`), *path*, size in bytes and last use (epoch seconds)."""

    kind: str
    path: Path
    size: int
    used: float


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _entry(kind: str, path: Path) -> Entry:
    return Entry(kind, path, _size(path), path.stat().st_mtime)


def _children(folder: Path):
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []


def entries(folder: str | os.PathLike | None = None) -> list[Entry]:
    """Every entry ipstats wrote under the cache *folder* (default :func:`~ipstats.validate.typed.cache_dir`).

    Unfinished writes (``classified/.partial-*``) are entries of their kind too, so a crashed run's leftovers
    can be pruned.
    """
    root = cache_dir(folder)
    found: list[Entry] = []
    for path in _children(root):
        if path.is_file() and (_TYPED.fullmatch(path.name) or _TYPED_PARTIAL.fullmatch(path.name)):
            found.append(_entry("typed", path))
    for path in _children(root / "checked"):
        if path.is_file() and path.suffix == ".json" and _HEX64.fullmatch(path.stem):
            found.append(_entry("checked", path))
    for path in _children(root / "classified"):
        if path.is_dir() and (_HEX64.fullmatch(path.name) or _PARTIAL.fullmatch(path.name)):
            found.append(_entry("classified", path))
    for path in _children(root / "sha256"):
        if path.is_file() and path.suffix == ".txt" and _HEX64.fullmatch(path.stem):
            found.append(_entry("sha256", path))
    return found


def summary(folder: str | os.PathLike | None = None) -> list[tuple[str, int, int, float | None]]:
    """Per kind: ``(kind, entries, bytes, oldest last use or None)``, in :data:`KINDS` order."""
    found = entries(folder)
    rows = []
    for kind in KINDS:
        mine = [e for e in found if e.kind == kind]
        rows.append((kind, len(mine), sum(e.size for e in mine), min((e.used for e in mine), default=None)))
    return rows


def _remove(entry: Entry) -> None:
    if entry.path.is_dir():
        shutil.rmtree(entry.path, ignore_errors=True)
    else:
        entry.path.unlink(missing_ok=True)


def prune(days: float, folder: str | os.PathLike | None = None, now: float | None = None) -> list[Entry]:
    """Remove the entries not used for more than *days* days; returns the removed entries.

    Raises
    ------
    ValueError
        *days* negative.
    """
    if days < 0:
        raise ValueError(f"days must be zero or more, got {days}")
    limit = (time.time() if now is None else now) - days * 86_400
    removed = [e for e in entries(folder) if e.used < limit]
    for entry in removed:
        _remove(entry)
    return removed


def clear(folder: str | os.PathLike | None = None) -> list[Entry]:
    """Remove every entry (only those ipstats wrote: :func:`entries`); returns them."""
    removed = entries(folder)
    for entry in removed:
        _remove(entry)
    return removed
