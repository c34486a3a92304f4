"""Read an input exactly as it validates (统一读取): one reader for the validator and for every consumer.

:func:`read_input` returns the checked table with the schema's column names and types; :func:`typed_parquet`
writes it once as a typed Parquet in a cache keyed by the file's sha256 and the schema, so that large
registers are parsed once and then read by DuckDB. Both validate in the same pass: the pandas engine chunk by
chunk (:func:`validate_file`), or, for a register-scale file, the DuckDB engine, which writes the very same
typed values in SQL (:func:`ipstats.validate.duck.validate_duckdb` with ``typed=``). Either way the same
encodings, sheets, Chinese or English headers, date forms and normalisation (codes stripped and
NFKC-normalised, IPC symbols in canonical form). A value that does not validate raises
:class:`ValidationError` with the validator's line, never becomes an empty cell.

Typed form: ``string`` → text (None when empty), ``integer``/``year`` → int64, ``number`` → float64,
``date`` → date32, ``datetime`` → timestamp, ``boolean`` → bool; other columns of the file are kept as text.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import ipstats.validate.duck as duck
from ipstats.errors import InputError
from ipstats.validate.core import Report, arrow_type, arrow_values
from ipstats.validate.run import duckdb_or_none, validate_file
from ipstats.validate.schema import Schema, resolve_schema

__all__ = [
    "TYPED_VERSION",
    "TypedReference",
    "ValidationError",
    "arrow_type",
    "cache_dir",
    "file_sha256",
    "memo_sha256",
    "touch",
    "is_typed_parquet",
    "read_cells",
    "read_input",
    "typed_parquet",
    "typed_parquet_report",
    "validation_status",
]

#: Version of the typed form; part of the cache key, so a change of the reading rules re-reads every input.
TYPED_VERSION = 2


class ValidationError(InputError):
    """An input that does not validate: the validator's first line and the count. ``report`` holds them all."""

    def __init__(self, report: Report):
        self.report = report
        first = report.lines()[0] if report.problems else report.summary()
        more = report.n_problems - 1
        tail = (
            f" (and {more:,} more problem{'s' if more != 1 else ''}: ipstats validate {report.file} --schema "
            f"{report.schema})"
            if more > 0
            else ""
        )
        super().__init__(first + tail)


def _arrow_table(values: dict[str, pd.Series], schema: Schema):
    """One chunk of typed values as an Arrow table (schema fields typed, other columns text)."""
    import pyarrow as pa

    names = set(schema.field_names)
    arrays, fields = [], []
    for name, series in values.items():
        kind = arrow_type(schema.field(name).type) if name in names else pa.string()
        arrays.append(arrow_values(series, kind))
        fields.append(pa.field(name, kind))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _open(path, schema, sheet, encoding, references, label, on_chunk, max_problems: int = 20) -> Report:
    schema = resolve_schema(schema, path)
    report = validate_file(
        path,
        schema,
        sheet=sheet,
        encoding=encoding,
        references=references,
        label=label,
        max_problems=max_problems,
        on_chunk=on_chunk,
    )
    if not report.ok:
        raise ValidationError(report)
    return report


def read_input(
    path: str | os.PathLike,
    schema: str | Schema,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    references: dict[str, Any] | None = None,
    label: str | None = None,
    nullable: bool = True,
) -> pd.DataFrame:
    """Read an input file as it validates: the schema's column names and types, other columns as text.

    Parameters
    ----------
    path : path
        CSV (UTF-8, BOM, GBK, GB18030), Excel workbook or Parquet file.
    schema : str or Schema
        Schema name (``population``) or loaded schema.
    sheet, encoding : str, optional
        Excel sheet; declared CSV encoding (see :func:`ipstats.validate.validate_file`).
    references : dict, optional
        Files of other schemas for the foreign keys (by schema name).
    label : str, optional
        How to name the file in messages.
    nullable : bool
        False: integers as int64 (float64 when a cell is empty) and booleans as bool (object when one is empty),
        the types ``pandas.read_csv`` gives, for code written against them.

    Returns
    -------
    pandas.DataFrame
        Text as object (None when empty), integers as ``Int64``, numbers as float, dates as datetime64,
        booleans as ``boolean``. Small tables only: registers go through :func:`typed_parquet`.

    Raises
    ------
    InputError
        Any problem the validator finds (one line: file, row, field, value, expectation).
    """
    import pyarrow as pa

    schema = resolve_schema(schema, path)
    parts: list = []
    _open(
        path,
        schema,
        sheet,
        encoding,
        references,
        label,
        lambda source, values: parts.append(_arrow_table(values, schema)),
    )
    return _typed_frame(pa.concat_tables(parts) if parts else pa.table({}), nullable)


def read_typed(
    path: str | os.PathLike,
    schema: str | Schema,
    *,
    references: dict[str, Any] | None = None,
    label: str | None = None,
) -> pd.DataFrame:
    """:func:`read_input` through the typed cache (:func:`typed_parquet`): a file whose sha256, schema and
    references are unchanged is not validated again, only read back from its typed Parquet.

    For inputs that several notebooks of a run read (the legal events of a national register are millions of
    rows, checked against the register). Without a writable cache, :func:`read_input`.
    """
    import pyarrow.parquet as pq

    try:
        target = typed_parquet(path, schema, references=references, label=label)
    except OSError:
        return read_input(path, schema, references=references, label=label)
    return _typed_frame(pq.read_table(target))


def _typed_frame(table, nullable: bool = True) -> pd.DataFrame:
    """The typed Arrow *table* as :func:`read_input` returns it."""
    import pyarrow as pa

    frame = table.to_pandas(
        types_mapper={pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get, date_as_object=False
    )
    for name in frame.columns:
        kind = table.schema.field(name).type
        if pa.types.is_string(kind):
            frame[name] = pd.Series(_text_objects(table.column(name)), index=frame.index, dtype=object, copy=False)
        elif not nullable and (pa.types.is_int64(kind) or pa.types.is_boolean(kind)):
            empty = frame[name].isna().any()
            frame[name] = (
                frame[name].astype(object if pa.types.is_boolean(kind) else float)
                if empty
                else frame[name].astype(bool if pa.types.is_boolean(kind) else "int64")
            )
    return frame


def _text_objects(column) -> np.ndarray:
    """An Arrow text column as an object array of Python strings (None where missing), one object per distinct
    value: a national legal events file repeats 转让 or 企业 millions of times, and one string object per cell
    took about twice the memory (5 M-application demo events: 1,090 against 556 bytes per row)."""
    coded = column.combine_chunks().dictionary_encode()
    values = np.empty(len(coded.dictionary) + 1, dtype=object)
    values[:-1] = coded.dictionary.to_pylist()
    values[-1] = None
    return values[coded.indices.fill_null(len(coded.dictionary)).to_numpy(zero_copy_only=False)]


def _cache_dir(folder: str | os.PathLike | None = None) -> Path:
    return cache_dir(folder)


def read_cells(
    path: str | os.PathLike, schema: str | Schema, *, sheet: str | None = None, encoding: str | None = None
) -> tuple[pd.DataFrame, np.ndarray]:
    """The cells of an input as text, read as the validator reads them (encodings, sheets, title rows, Parquet,
    Chinese or English headers named by the schema's fields, codes stripped and NFKC-normalised), not checked.

    For domain readers that make their own record checks before :func:`read_input` checks the schema.

    Returns
    -------
    cells : pandas.DataFrame
        One text column per column of the file (schema fields by their names), ``""`` when empty.
    lines : numpy.ndarray
        The row number of each row in the file.

    Raises
    ------
    ReadError
        The file cannot be read as a table (the validator's message, without the file name).
    """
    from ipstats.validate.checks import normalise_cells
    from ipstats.validate.core import column_aliases, open_input

    schema = resolve_schema(schema, path)
    aliases = column_aliases(schema)
    source = open_input(path, schema, aliases, sheet, encoding)
    names = [aliases.get(h, h) or f"column_{i + 1}" for i, h in enumerate(source.header)]
    frames, lines = [], []
    for chunk in source.chunks:
        frame = chunk.frame.set_axis(names, axis=1)
        for name in set(names) & set(schema.field_names):
            frame[name] = normalise_cells(schema.field(name), frame[name])[0]
        frames.append(frame)
        lines.append(chunk.lines)
    if not frames:
        return pd.DataFrame({n: pd.Series([], dtype=object) for n in names}), np.array([], dtype=int)
    return pd.concat(frames, ignore_index=True), np.concatenate(lines)


def read_lines(
    path: str | os.PathLike, schema: str | Schema, *, sheet: str | None = None, encoding: str | None = None
) -> np.ndarray:
    """The row number in the file of each row :func:`read_cells` returns, without holding the cells.

    For a reader that needs only the line numbers for its messages: the legal events of a national register are
    millions of rows, whose cells as text cost GBs.
    """
    from ipstats.validate.core import open_input

    schema = resolve_schema(schema, path)
    source = open_input(path, schema, sheet=sheet, encoding=encoding)
    lines = [chunk.lines for chunk in source.chunks]
    return np.concatenate(lines) if lines else np.array([], dtype=int)


def cache_dir(folder: str | os.PathLike | None = None) -> Path:
    """The folder of typed inputs: *folder*, else ``$IPSTATS_CACHE``, else ``~/.cache/ipstats``."""
    chosen = folder or os.environ.get("IPSTATS_CACHE") or Path.home() / ".cache" / "ipstats"
    return Path(chosen).expanduser()


def file_sha256(path: str | os.PathLike) -> str:
    """sha256 of a file's bytes, read in 8 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(8 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def touch(path: str | os.PathLike) -> None:
    """Mark the cache entry at *path* as used now (its modification time, which ``ipstats cache --prune``
    reads); an unwritable cache is left as it is."""
    try:
        os.utime(path)
    except OSError:
        pass


def memo_sha256(path: str | os.PathLike) -> str:
    """The sha256 of a file's bytes (:func:`file_sha256`), remembered by its path, size, inode and times.

    A national register is several GB; hashing it once per notebook would cost a full read each time. The
    memo (``<cache>/sha256/``) is keyed by what any change of the file changes (a rewrite changes the
    modification time in nanoseconds, a replacement the inode), so an edited file is hashed again.
    """
    real = Path(path).resolve()
    st = real.stat()
    stamp = f"{real}|{st.st_size}|{st.st_mtime_ns}|{st.st_ino}|{st.st_ctime_ns}"
    memo = cache_dir() / "sha256" / (hashlib.sha256(stamp.encode()).hexdigest() + ".txt")
    if memo.is_file():
        text = memo.read_text().strip()
        if len(text) == 64:
            touch(memo)
            return text
    digest = file_sha256(real)
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write_text(memo, digest)
    except OSError:
        pass  # a read-only cache only costs the hashing again
    return digest


def is_typed_parquet(path: str | os.PathLike, schema: str | Schema) -> bool:
    """Whether *path* is a Parquet file whose schema columns already have the typed form's names and types
    (text may be ``string`` or ``large_string``), so it can be read as it is once it validates."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = resolve_schema(schema, path)
    if Path(path).suffix.lower() not in (".parquet", ".pq") or not Path(path).is_file():
        return False
    try:
        arrow = pq.read_schema(path)
    except (pa.ArrowException, OSError):
        return False
    for fld in schema.fields:
        if fld.name not in arrow.names:
            continue
        have, want = arrow.field(fld.name).type, arrow_type(fld.type)
        text = pa.types.is_string(have) or pa.types.is_large_string(have)
        if not (have == want or (want == pa.string() and text) or (want == pa.int64() and pa.types.is_integer(have))):
            return False
    return True


def _key(path: Path, schema: Schema, sheet, encoding, references, sha256: str | None = None) -> str:
    from ipstats import __version__

    parts = {
        "input": sha256 or memo_sha256(path),
        "schema": hashlib.sha256(schema.path.read_bytes()).hexdigest(),
        "columns": [list(a) for a in schema.aliases],
        "ipstats": __version__,
        "version": TYPED_VERSION,
        "sheet": sheet,
        "encoding": encoding,
        "references": {  # a register given as its typed copy counts as the file given: the same check, one key
            k: memo_sha256(v.given if isinstance(v, TypedReference) else v)
            for k, v in sorted((references or {}).items())
            if not isinstance(v, pd.DataFrame) and Path(v).is_file()
        },
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def typed_parquet(
    path: str | os.PathLike,
    schema: str | Schema,
    cache_dir: str | os.PathLike | None = None,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    references: dict[str, Any] | None = None,
    label: str | None = None,
) -> Path:
    """Validate *path* once and return a typed Parquet of it (see the module docstring for the types).

    The result is cached under the sha256 of the file, of the schema and of the *references* (foreign keys):
    a second call with the same file only hashes it. A Parquet input already in the typed form that reading
    does not change is not copied: the cache records that it validated and its own path is returned. Other
    inputs are written to a temporary file renamed into place when the whole file has validated: by DuckDB for
    a large register-scale file (:func:`ipstats.validate.duck.prefer_duckdb`), otherwise chunk by chunk by the
    pandas engine (pyarrow ``ParquetWriter``; a 5 M-row register never becomes one pandas frame).

    Parameters
    ----------
    path : path
    schema : str or Schema
    cache_dir : path, optional
        Cache folder (default ``$IPSTATS_CACHE`` or ``~/.cache/ipstats``).
    sheet, encoding, references, label : see :func:`read_input`.

    Returns
    -------
    Path
        The typed Parquet file (or *path* itself when it is one).

    Raises
    ------
    InputError
        The file does not validate (nothing is left in the cache).
    """
    return typed_parquet_report(
        path, schema, cache_dir, sheet=sheet, encoding=encoding, references=references, label=label
    )[0]


def typed_parquet_report(
    path: str | os.PathLike,
    schema: str | Schema,
    cache_dir: str | os.PathLike | None = None,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    references: dict[str, Any] | None = None,
    label: str | None = None,
    max_problems: int = 20,
) -> tuple[Path, Report]:
    """:func:`typed_parquet` and the validation report (rebuilt from the cache when the file was read before);
    an invalid file raises :class:`ValidationError` whose report lists its first *max_problems* problems."""
    import pyarrow.parquet as pq

    path = Path(path)
    schema = resolve_schema(schema, path)
    if not path.is_file():
        _open(path, schema, sheet, encoding, references, label, None, max_problems)  # raises: one line
    folder = _cache_dir(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    sha256 = memo_sha256(path)
    key = _key(path, schema, sheet, encoding, references, sha256)
    stem = f"{schema.name}-{key[:32]}"
    target, record = folder / f"{stem}.parquet", folder / f"{stem}.json"
    started = time.perf_counter()
    if record.is_file():
        meta = json.loads(record.read_text(encoding="utf-8"))
        found = Path(meta["as_is"]) if meta.get("as_is") else target
        if found.is_file() and (not meta.get("as_is") or found == path.resolve()):
            touch(record)
            if not meta.get("as_is"):
                touch(target)
            report = Report(file=label or str(path), schema=schema.name, rows=meta["rows"], notes=meta["notes"])
            _record_check(folder, sha256, schema, meta, skipped=True)
            return (path if meta.get("as_is") else target), report
    if is_typed_parquet(path, schema):
        report = _open(path, schema, sheet, encoding, references, label, None, max_problems)
        if not report.changed and not any(n.startswith("column ") and " read as " in n for n in report.notes):
            meta = {
                "as_is": str(path.resolve()),
                "rows": report.rows,
                "notes": report.notes,
                **_validated(sha256, schema, started),
            }
            _atomic_write_text(record, json.dumps(meta, ensure_ascii=False))
            _record_check(folder, sha256, schema, meta, skipped=False)
            return path, report
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{stem}.", suffix=".partial", delete=False)
    handle.close()
    writer: list = []

    def write(source, values) -> None:
        table = _arrow_table(values, schema)
        if not writer:
            writer.append(pq.ParquetWriter(handle.name, table.schema, compression="zstd"))
        writer[0].write_table(table, row_group_size=len(table))

    try:
        report = _typed_by_duckdb(
            path,
            schema,
            handle.name,
            sheet=sheet,
            encoding=encoding,
            references=references,
            max_problems=max_problems,
            label=label,
        )
        if report is None:
            report = _open(path, schema, sheet, encoding, references, label, write, max_problems)
            if writer:
                writer[0].close()
        os.replace(handle.name, target)
    except BaseException:
        if writer:
            writer[0].close()
        Path(handle.name).unlink(missing_ok=True)
        raise
    meta = {"rows": report.rows, "notes": report.notes, **_validated(sha256, schema, started)}
    _atomic_write_text(record, json.dumps(meta, ensure_ascii=False))
    _record_check(folder, sha256, schema, meta, skipped=False)
    return target, report


class TypedReference(os.PathLike):
    """A referenced input (the register, for a foreign key) read from its typed copy but named as given.

    Opening it (``os.fspath``, ``Path``) gives the typed Parquet, whose key columns are read in batches or by
    DuckDB in a moment and hold the keys as the register validated them (stripped, NFKC-normalised); printing it
    (``str``, the foreign key's message) gives the file the user named.
    """

    def __init__(self, typed: str | os.PathLike, given: str | os.PathLike):
        self.typed, self.given = Path(typed), Path(given)

    def __fspath__(self) -> str:
        return str(self.typed)

    def __str__(self) -> str:
        return str(self.given)

    def __repr__(self) -> str:
        return f"TypedReference({str(self.typed)!r}, {str(self.given)!r})"


def _typed_by_duckdb(path: Path, schema: Schema, target: str, **options: Any) -> Report | None:
    """Validate a register-scale file with DuckDB and let it write the typed form to *target*
    (:func:`ipstats.validate.duck.validate_duckdb`): the values the pandas engine writes, at the speed of SQL.

    *options*: those of :func:`ipstats.validate.validate_file`. None when DuckDB is not the engine for this file
    (:func:`ipstats.validate.duck.prefer_duckdb`) or fails on it; the pandas engine then validates and writes it.
    Raises :class:`ValidationError` for a file that does not validate.
    """
    if not duck.prefer_duckdb(path, schema):
        return None
    report = duckdb_or_none(path, schema, **options, typed=target)
    if report is None:
        return None
    if not report.ok:
        raise ValidationError(report)
    return report


def _validated(sha256: str, schema: Schema, started: float) -> dict[str, Any]:
    """What the cache record says of a validation that ran: the input's and the schema's sha256, when, how long."""
    import datetime as dt

    from ipstats import __version__

    return {
        "sha256": sha256,
        "schema": schema.name,
        "schema_sha256": hashlib.sha256(schema.path.read_bytes()).hexdigest(),
        "ipstats_version": __version__,
        "validated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 3),
    }


def _record_check(folder: Path, sha256: str, schema: Schema, meta: dict[str, Any], skipped: bool) -> None:
    """``checked/<sha256>.json``: the last check of this content, by schema — validated then (``skipped``: false)
    or found validated in the cache (``skipped``: true). :func:`validation_status` reads it for the manifest."""
    import datetime as dt

    path = folder / "checked" / f"{sha256}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        known = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except ValueError:
        known = {}
    validated_at = meta.get("validated_at")
    before = known.get(schema.name) or {}
    if (
        before.get("validated_at")
        and validated_at
        and (before.get("schema_sha256"), before.get("ipstats_version"))
        == (meta.get("schema_sha256"), meta.get("ipstats_version"))
    ):
        # the same content under another path (a copy of the register) validated again: the record keeps the
        # first validation, so that a run's manifest does not change with what another run did meanwhile
        validated_at = min(str(before["validated_at"]), str(validated_at))
    known[schema.name] = {
        "sha256": sha256,
        "validated_at": validated_at,
        "checked_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "skipped": skipped,
        "ipstats_version": meta.get("ipstats_version"),
        "schema_sha256": meta.get("schema_sha256"),
        "rows": meta.get("rows"),
    }
    _atomic_write_text(path, json.dumps(known, ensure_ascii=False, indent=1))


def validation_status(sha256: str, cache_dir: str | os.PathLike | None = None) -> dict[str, Any] | None:
    """The last validation of the content *sha256* by schema (see :func:`typed_parquet_report`), or None.

    Each entry: ``sha256``, ``validated_at`` (when it was validated), ``checked_at`` (when it was last asked
    for), ``skipped`` (true when that check found it validated already and did not validate again),
    ``ipstats_version``, ``schema_sha256`` and ``rows``.
    """
    path = _cache_dir(cache_dir) / "checked" / f"{sha256}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, ValueError):
        return None


def _atomic_write_text(path: Path, text: str) -> None:
    handle = tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=f".{path.name}.", delete=False, encoding="utf-8")
    with handle:
        handle.write(text)
    os.replace(handle.name, path)
