"""Classify a register once per system and counting rules: classified links kept on disk and shared.

Every notebook of a bulletin, the English edition after the Chinese one, and the provincial bulletins made from
one national register ask for the same classifications (the SEI table under the table's own rules, its upper
bound, the industry concordance of the PII stage). :func:`stored` and :func:`store` keep the result of
:func:`ipstats.concordance.classify_table` as Parquet files under ``<cache>/classified/<key>/`` (the cache
folder of :func:`ipstats.validate.typed.cache_dir`), so that a later run reads it instead of classifying again.

The key (:func:`classification_key`) is the sha256 of everything the result depends on: the bytes of the files
the links and texts are read from (:func:`input_key`), the rules, categories, metadata and matching conventions
of the system (not its name: an edited user table is a new key), the keyword strategy, the reclassification
table's content, :data:`CLASSIFY_VERSION`, the ipstats version and the source of the modules that classify.
Nothing is looked up by name or date, so a changed input or table is never answered from the cache. A stored
result is the engine's own tables (patent → signature set, signature set → categories, the patents classified
one by one), so counting from it is the same SQL over the same rows: the counts are identical, not close
(``tests/classify/test_classification_cache.py``).

``$IPSTATS_CLASSIFY_CACHE=off`` turns the cache off. Only DuckDB results are stored; a Spark run classifies
on the cluster every time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from ipstats.concordance.system import System
from ipstats.validate.typed import memo_sha256, touch

__all__ = ["CLASSIFY_VERSION", "classification_key", "enabled", "input_key", "memo_sha256", "store", "stored"]

#: Version of the stored form and of the classification plan: part of the key, so a change re-classifies.
CLASSIFY_VERSION = 1
#: The engine's tables of a classification, by kind (suffixes of its name; see ``Classified``).
TABLES = {
    "compressed": ("_patent_psig", "_psig_cat", "_exc", "_exc_patents"),
    "probabilistic": ("_units", "_weights"),
}
_OFF = {"0", "off", "no", "false", "none"}


def enabled() -> bool:
    """Whether classifications are cached (``$IPSTATS_CLASSIFY_CACHE`` is not ``off``)."""
    return os.environ.get("IPSTATS_CLASSIFY_CACHE", "on").strip().lower() not in _OFF


def _folder() -> Path:
    from ipstats.validate.typed import cache_dir

    return cache_dir() / "classified"


def input_key(files, subset: str = "") -> str:
    """Identity of the links and texts read from *files* (paths; None entries are skipped).

    *subset* names a restriction of them the caller applies (the SQL condition), so that a classification of
    part of the links is not taken for one of all of them. The column mapping of the run
    (``$IPSTATS_COLUMNS``) is part of it.
    """
    parts = {
        "files": [memo_sha256(f) for f in files if f is not None],
        "subset": subset,
        "columns": os.environ.get("IPSTATS_COLUMNS", ""),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _frame_digest(frame: pd.DataFrame | None) -> str:
    if frame is None:
        return "none"
    text = frame.astype(str)
    rows = pd.util.hash_pandas_object(text, index=False).to_numpy()
    return hashlib.sha256(json.dumps(list(map(str, frame.columns))).encode() + rows.tobytes()).hexdigest()


def system_digest(system: System) -> str:
    """sha256 of what classifies: rules, categories, metadata and matching conventions (not the id alone)."""
    parts = [
        _frame_digest(system.rules),
        _frame_digest(system.categories),
        json.dumps(system.meta, sort_keys=True, default=str),
        repr(system.conventions),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _code_digest() -> str:
    """sha256 of the source of the modules that classify, so that a changed plan never reads an old result."""
    here = Path(__file__).parent
    files = [here / f for f in ("engine.py", "resolve.py", "patterns.py", "reclassify.py", "keywords.py", "system.py")]
    files += [here.parent / "engines" / f for f in ("duck.py", "scan.py", "sql.py")]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes() if path.is_file() else path.name.encode())
    return digest.hexdigest()


def classification_key(inputs: str, system: System, keywords: str, reclassify: pd.DataFrame | None = None) -> str:
    """The cache key of classifying the links of *inputs* (:func:`input_key`) with *system*.

    *reclassify* is the loaded reclassification table
    (:func:`ipstats.concordance.reclassify.load_reclassification`), None when codes are matched as they are.
    """
    from ipstats import __version__

    parts = {
        "inputs": inputs,
        "system": system_digest(system),
        "keywords": keywords,
        "reclassify": _frame_digest(reclassify),
        "version": CLASSIFY_VERSION,
        "ipstats": __version__,
        "code": _code_digest(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _complete(folder: Path) -> str | None:
    """The kind of the complete entry in *folder*, None when it is missing or damaged."""
    try:
        kind = json.loads((folder / "classified.json").read_text())["kind"]
        suffixes = TABLES[kind]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return kind if all((folder / f"{s[1:]}.parquet").is_file() for s in suffixes) else None


def stored(con, key: str, name: str) -> str | None:
    """The kind of the classification stored under *key*, after creating its tables as views called
    ``{name}{suffix}`` over the stored files; None when there is none (or the cache is off)."""
    if not enabled():
        return None
    folder = _folder() / key
    kind = _complete(folder)
    if kind is None:
        return None
    touch(folder)
    from ipstats.engines.sql import sql_parquet

    for suffix in TABLES[kind]:
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {name}{suffix} AS SELECT * FROM {sql_parquet(folder / (suffix[1:] + '.parquet'))}"
        )
    return kind


def store(con, key: str, name: str, kind: str) -> None:
    """Write the tables of the classification *name* (of *kind*) under *key*; a failure only loses the cache.

    The files are written into a temporary folder beside it and renamed into place whole, so a reader never
    sees part of a result and two runs writing the same key leave one complete copy.
    """
    if not enabled() or kind not in TABLES:
        return
    root = _folder()
    target = root / key
    if _complete(target) is not None:
        return
    from ipstats.engines.sql import sql_text

    tmp = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=".partial-"))
        for suffix in TABLES[kind]:
            path = tmp / f"{suffix[1:]}.parquet"
            con.execute(f"COPY (SELECT * FROM {name}{suffix}) TO {sql_text(str(path))} (FORMAT parquet)")
        (tmp / "classified.json").write_text(json.dumps({"kind": kind, "version": CLASSIFY_VERSION}))
        if target.exists():  # a damaged entry (a file lost): replaced whole
            shutil.rmtree(target, ignore_errors=True)
        os.replace(tmp, target)
        tmp = None
    except (OSError, duckdb.Error):
        pass  # another run stored it first, or the disk is full: classification still returns its result
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
