"""The DuckDB engine of :func:`ipstats.validate.validate_file`: the same checks, messages and row numbers, in SQL.

The pandas engine reads a file chunk by chunk into object arrays and checks each chunk; at national scale (tens
of millions of applications) that is minutes and gigabytes. This engine reads the file with DuckDB — a Parquet
file directly, any other file (CSV, GBK, Excel) once through :func:`ipstats.validate.readers.open_table` into a
temporary text Parquet (a CSV file by DuckDB's own reader where it reads it as the Python reader does,
:mod:`ipstats.validate.duck_csv`) — and makes every check over the whole file at once, with a memory limit and
spilling to disk:

1. **cells** — a field's distinct cells that a conservative SQL predicate cannot clear (:func:`clean_predicate`:
   well-formed 申请号 with the right check character, IPC lists whose every symbol parses, free text without
   control characters; every cell of the other fields, which hold few distinct values: dates, codes) are checked
   by the pandas engine's own functions (:func:`ipstats.validate.checks.normalise_cells`,
   :func:`ipstats.validate.checks.check_field`), once per distinct cell. Their verdicts (normalised text, parsed
   value, problems) are joined back to the rows, so messages are the pandas engine's by construction;
2. **rows** — row checks (``notBefore``/``notAfter``, ``requiredWhen``/``emptyWhen``, ``originOf``,
   ``withinTerm``) as SQL over the rows' normalised and parsed values;
3. **keys** — primary and unique keys as a group-by, foreign keys as an anti-join with the referenced file;
4. **typed copy** (``typed=``, for :mod:`ipstats.validate.typed`) — a file that validated is written in the
   typed form: a cell its clean predicate cleared as it is, any other cell as its verdict's typed value, computed
   by the pandas engine's functions, so both engines write the same values (:func:`_write_typed`).

Problems are ordered as the pandas engine orders them (row number, field, check) and the first *max_problems*
are listed; all are counted, by field. ``tests/validate/test_duck_engine.py`` runs both engines over the
bad-input corpus and messy copies and asserts identical reports.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import ipstats.validate.core as core
from ipstats.engines.duck import MEMORY_ENV, memory_limit, without_progress_bar
from ipstats.engines.sql import sql_list, sql_name, sql_text
from ipstats.validate.checks import check_field, control_characters, is_code, normalise_cells
from ipstats.validate.duck_csv import stage_csv
from ipstats.validate.readers import PARQUET_SUFFIXES, ReadError, TableSource, open_table
from ipstats.validate.schema import Field, Schema

__all__ = [
    "DUCKDB_SCHEMAS",
    "MEMORY_ENV",
    "MIN_BYTES",
    "MIN_PARQUET_ROWS",
    "clean_predicate",
    "duckdb_available",
    "prefer_duckdb",
    "validate_duckdb",
]

log = logging.getLogger(__name__)

#: Schemas of register-scale inputs that ``engine="auto"`` validates with DuckDB (when the file is large): the
#: register and the files that grow with it (about 2.7 M legal events for a 50 M-application register).
DUCKDB_SCHEMAS = (
    "patent_register",
    "patent_register_ipc",
    "patent_legal_events",
    "patent_families",
    "patent_pledges",
)
#: Files at least this large (bytes) are validated with DuckDB by ``engine="auto"``; smaller ones with pandas,
#: which starts faster.
MIN_BYTES = 32 << 20
#: Parquet files of at least this many rows are validated with DuckDB whatever their size: Parquet compresses
#: an IPC link table about tenfold (2 M links of 1 M patents in 9.8 MB: 24.5 s in pandas, 5.0 s in DuckDB;
#: 100,000 links: 2.1 s and 1.0 s).
MIN_PARQUET_ROWS = 100_000
#: Environment variable: the engine ``auto`` chooses (``pandas``, ``duckdb`` or ``auto``).
ENGINE_ENV = "IPSTATS_VALIDATE_ENGINE"

_CONTROL_SQL = "[\\x{00}-\\x{08}\\x{0b}\\x{0c}\\x{0e}-\\x{1f}\\x{7f}]"
#: Python's whitespace (str.isspace, what str.strip removes) as an RE2 class.
_SPACE_SQL = core.SPACE_CLASS
_APPNO_SHAPE = r"^CN(\d{12}|\d{8})\.[0-9X]$"
_WEIGHTS = {12: (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5), 8: (2, 3, 4, 5, 6, 7, 8, 9)}
_DIRECT_TYPES = (
    "string",
    "large_string",
    "date32",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "bool",
)


def duckdb_available() -> bool:
    """Whether the ``duckdb`` package can be imported."""
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


def prefer_duckdb(path: str | os.PathLike, schema: Schema) -> bool:
    """The choice of ``engine="auto"``: DuckDB for a large Parquet or CSV file of a register-scale schema.

    ``$IPSTATS_VALIDATE_ENGINE`` (``pandas`` or ``duckdb``) overrides the choice.
    """
    chosen = os.environ.get(ENGINE_ENV, "auto")
    if chosen in ("pandas", "duckdb"):
        return chosen == "duckdb" and duckdb_available()
    path = Path(path)
    try:
        large = path.is_file() and (path.stat().st_size >= MIN_BYTES or _parquet_rows(path) >= MIN_PARQUET_ROWS)
    except OSError:
        return False
    return (
        large
        and schema.name in DUCKDB_SCHEMAS
        and path.suffix.lower() in (*PARQUET_SUFFIXES, ".csv")
        and duckdb_available()
    )


def _parquet_rows(path: Path) -> int:
    """Rows of a Parquet file from its footer (0 for another file or one whose footer does not read)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.suffix.lower() not in PARQUET_SUFFIXES:
        return 0
    try:
        return pq.ParquetFile(path).metadata.num_rows
    except (pa.ArrowException, OSError):
        return 0


def _check_digit_sql(col: str, width: int) -> str:
    """The mod-11 check character of the *width* digits after ``CN`` of *col* (``X`` for 10)."""
    terms = " + ".join(f"(ascii(substr({col}, {3 + i}, 1)) - 48) * {w}" for i, w in enumerate(_WEIGHTS[width]))
    return f"CASE ({terms}) % 11 WHEN 10 THEN 'X' ELSE CAST(({terms}) % 11 AS VARCHAR) END"


def clean_predicate(fld: Field, col: str) -> str | None:
    """A SQL condition on the cell *col* under which the pandas engine finds no problem and changes nothing.

    Conservative: a cell it does not clear is checked by the pandas engine's functions (once per distinct
    cell). None when the field has no such shortcut (its distinct cells are few: dates, codes, numbers).
    """
    constraints = set(fld.constraints) - {"required", "unique"}
    if fld.value_names:
        return None
    if (
        fld.format == "cn_application_number"
        and constraints <= {"pattern"}
        and fld.type == "string"
        and fld.constraints.get("pattern", _APPNO_SHAPE) == _APPNO_SHAPE
    ):
        # CN + 12 (or 8) ASCII digits + '.' + the right check character, a type digit 1, 2, 3, 8 or 9
        return (
            f"((regexp_full_match({col}, 'CN[0-9]{{12}}\\.[0-9X]') AND substr({col}, 7, 1) IN ('1', '2', '3', "
            f"'8', '9') AND substr({col}, 16, 1) = {_check_digit_sql(col, 12)}) OR "
            f"(regexp_full_match({col}, 'CN[0-9]{{8}}\\.[0-9X]') AND substr({col}, 5, 1) IN ('1', '2', '3', "
            f"'8', '9') AND substr({col}, 12, 1) = {_check_digit_sql(col, 8)}))"
        )
    if fld.format == "ipc_list" and not constraints and fld.type == "string":
        # compact symbols separated by ';', none of them among the parts that do not parse (table bad_parts)
        return (
            f"(regexp_full_match({col}, '[A-Z0-9/]+(;[A-Z0-9/]+)*') AND NOT list_has_any(string_split({col}, "
            f"';'), (SELECT coalesce(list(part), []::VARCHAR[]) FROM bad_parts)))"
        )
    if fld.type in ("string", "any") and not is_code(fld) and not constraints:
        # free text: no control character, a letter or digit, no space around it
        return (
            f"(NOT regexp_matches({col}, '{_CONTROL_SQL}') AND regexp_matches({col}, '[\\p{{L}}\\p{{N}}]') "
            f"AND NOT regexp_matches({col}, '^{_SPACE_SQL}|{_SPACE_SQL}$'))"
        )
    return None


class _Connection:
    """A DuckDB connection whose statements are run to completion (DuckDB 2 refuses the next statement while a
    result of ``execute`` is unread)."""

    def __init__(self, con):
        self.con = con

    def execute(self, sql: str) -> "_Rows":
        return _Rows(self.con.execute(sql).fetchall())

    def sql(self, query: str):
        return self.con.sql(query)

    def register(self, name: str, table) -> None:
        self.con.register(name, table)

    def unregister(self, name: str) -> None:
        self.con.unregister(name)

    def close(self) -> None:
        self.con.close()


class _Rows:
    def __init__(self, rows: list):
        self.rows = rows

    def fetchall(self) -> list:
        return self.rows

    def fetchone(self):
        return self.rows[0] if self.rows else None


class _Engine:
    """One validation: a DuckDB connection over the file's text cells (view ``src``: ``_line``, ``c0`` …)."""

    def __init__(self, schema: Schema, memory: str | None, spill: str | None):
        import duckdb

        self.schema = schema
        self.folder = tempfile.TemporaryDirectory(prefix="ipstats-duck-", dir=spill)
        self.con = _Connection(
            without_progress_bar(
                duckdb.connect(
                    config={
                        "memory_limit": memory_limit(memory),
                        "temp_directory": str(Path(self.folder.name) / "spill"),
                        "preserve_insertion_order": False,
                        "threads": min(os.cpu_count() or 1, 4),
                    }
                )
            )
        )
        self.con.execute("CREATE TABLE bad_parts (part VARCHAR)")
        self.findings: list[str] = []  # SELECT statements of (line, ord, seq, field, value, expected)
        self.chunk_starts: np.ndarray | None = None
        self.clean: dict[str, str | None] = {}  # each field's clean predicate (None: every cell in dv_<col>)

    def close(self) -> None:
        self.con.close()
        self.folder.cleanup()

    # the cells --------------------------------------------------------------------------------------------
    def open_parquet(self, path: Path, source: TableSource) -> bool:
        """View ``src`` straight over a Parquet file whose column types DuckDB turns into the reader's text."""
        import pyarrow.parquet as pq

        arrow = pq.read_schema(path)
        if len(set(arrow.names)) != len(arrow.names) or arrow.names != source.header:
            return False
        exprs = []
        for i, fld in enumerate(arrow):
            kind = str(fld.type).split("[")[0]  # date32[day] → date32
            kind = "string" if kind.startswith("dictionary<values=string") else kind
            if kind not in _DIRECT_TYPES:
                return False
            name = '"' + fld.name.replace('"', '""') + '"'
            if kind == "date32":
                expr = f"coalesce(strftime({name}, '%Y-%m-%d'), '')"
            elif kind == "bool":
                expr = f"CASE WHEN {name} THEN 'true' WHEN NOT {name} THEN 'false' ELSE '' END"
            else:
                expr = f"coalesce(CAST({name} AS VARCHAR), '')"
            exprs.append(f"{expr} AS c{i}")
        self.con.execute(
            f"CREATE VIEW src AS SELECT file_row_number + 2 AS _line, {', '.join(exprs) or '1 AS _x'} "
            f"FROM read_parquet({sql_text(str(path))}, file_row_number = true)"
        )
        text = [f"max(strlen(c{i}))" for i, fld in enumerate(arrow) if "string" in str(fld.type)]
        if text:  # a cell over 1 MiB: the reader refuses it at its row (read through it)
            from ipstats.validate.readers import MAX_CELL_CHARS

            longest = self.con.execute(f"SELECT greatest({', '.join(text)}) FROM src").fetchone()[0] or 0
            if longest > MAX_CELL_CHARS:
                self.con.execute("DROP VIEW src")
                return False
        meta = pq.ParquetFile(path).metadata
        widest = max(
            (
                meta.row_group(i).total_byte_size / max(meta.row_group(i).num_rows, 1)
                for i in range(meta.num_row_groups)
            ),
            default=1.0,
        )
        from ipstats.validate.readers import BATCH_BYTES, CHUNK_ROWS

        rows = int(max(1_000, min(CHUNK_ROWS, BATCH_BYTES // max(widest, 1.0))))
        self.chunk_starts = np.arange(2, meta.num_rows + 2, rows)  # the pandas engine's batches (for notes)
        return True

    def stage(self, source: TableSource, problems: list) -> None:
        """Write the reader's chunks (any format) into a text Parquet and view ``src`` over it."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        target = Path(self.folder.name) / "cells.parquet"
        width = len(source.header)
        fields = [pa.field("_line", pa.int64()), *(pa.field(f"c{i}", pa.string()) for i in range(width))]
        starts = []
        with pq.ParquetWriter(target, pa.schema(fields)) as writer:
            try:
                for chunk in source.chunks:
                    if not len(chunk.lines):
                        continue
                    starts.append(int(chunk.lines[0]))
                    cells = (chunk.frame[i].to_numpy(dtype=object) for i in range(width))
                    arrays = [pa.array(chunk.lines.astype(np.int64)), *(pa.array(c, type=pa.string()) for c in cells)]
                    writer.write_table(pa.Table.from_arrays(arrays, schema=pa.schema(fields)))
            except ReadError as exc:
                problems.append(core.Problem(None, None, None, str(exc)))
        self.chunk_starts = np.array(starts, dtype=np.int64)
        self.con.execute(f"CREATE VIEW src AS SELECT * FROM read_parquet({sql_text(str(target))})")

    # field checks ------------------------------------------------------------------------------------------
    def field_verdicts(self, name: str, col: int, required: bool, notes: list[str]) -> str | None:
        """Table ``dv_<name>`` (raw → text, stripped, parsed, changed) and ``fp_<name>`` (raw → problems) of the
        distinct cells the clean predicate does not clear; returns the predicate (None: every cell is in dv)."""
        import pyarrow as pa

        fld = self.schema.field(name)
        c = f"c{col}"
        if fld.format == "ipc_list":
            self._bad_parts(c)
        clean = clean_predicate(fld, c)
        where = f"WHERE NOT {clean}" if clean else ""
        raw = self.con.sql(f"SELECT DISTINCT {c} FROM src {where}").to_arrow_table().column(0).to_pandas()
        raw = pd.Series(raw.to_numpy(dtype=object), dtype=object)
        text, changed, refusals = normalise_cells(fld, raw)
        refused = np.zeros(len(text), dtype=bool)
        rows: list[pd.DataFrame] = []
        k = 0
        for finding in refusals:
            mask = finding.mask & ~refused
            rows.append(self._finding_rows(raw, mask, finding.expected, k))
            refused |= finding.mask
            k += 1
        if refused.any():
            text = text.where(~refused, "")
        findings, parsed, field_notes = check_field(fld, text, required=required)
        notes.extend(n for n in field_notes if n not in notes)
        for rank, finding in enumerate(findings):  # the order check_field gives them
            rows.append(self._finding_rows(raw, finding.mask & ~refused, finding.expected, k + rank))
        text = pd.Series(text.to_numpy(dtype=object), dtype=object)
        verdicts = {
            "raw": pa.array(raw, type=pa.string()),
            "text": pa.array(text, type=pa.string()),
            "stripped": pa.array(text.str.strip(), type=pa.string()),
            "changed": pa.array(np.asarray(changed, dtype=bool)),
        }
        if fld.type in ("date", "datetime"):
            verdicts["parsed"] = pa.array(pd.to_datetime(parsed).dt.date.where(parsed.notna(), None), type=pa.date32())
        elif fld.type in ("integer", "number", "year"):
            verdicts["parsed"] = pa.array(pd.to_numeric(parsed, errors="coerce"), type=pa.float64(), from_pandas=True)
        # the typed form's value of each cell (what the pandas engine writes), for the typed copy
        verdicts["value"] = core.arrow_values(core._typed_column(fld, parsed), core.arrow_type(fld.type))
        self.con.register(f"_dv_{col}", pa.table(verdicts))
        self.con.execute(f"CREATE TEMP TABLE dv_{col} AS SELECT * FROM _dv_{col}")
        self.con.unregister(f"_dv_{col}")
        found = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame({"raw": [], "k": [], "expected": []})
        self.con.register(
            f"_fp_{col}",
            pa.table(
                {
                    "raw": pa.array(found["raw"].astype(object), type=pa.string()),
                    "k": pa.array(found["k"].astype(np.int64)),
                    "expected": pa.array(found["expected"].astype(object), type=pa.string()),
                }
            ),
        )
        self.con.execute(f"CREATE TEMP TABLE fp_{col} AS SELECT * FROM _fp_{col}")
        self.con.unregister(f"_fp_{col}")
        return clean

    def _bad_parts(self, c: str) -> None:
        """Table ``bad_parts``: the distinct parts of compact IPC lists that do not parse as IPC symbols."""
        from ipstats import ipc

        parts = self.con.sql(
            f"SELECT DISTINCT unnest(string_split({c}, ';')) FROM src "
            f"WHERE regexp_full_match({c}, '[A-Z0-9/]+(;[A-Z0-9/]+)*')"
        ).to_arrow_table()
        _, failed = ipc.parse_distinct(parts.column(0).to_pandas())
        self.con.execute("DELETE FROM bad_parts")
        if failed:
            import pyarrow as pa

            self.con.register("_bad", pa.table({"part": pa.array(list(failed), type=pa.string())}))
            self.con.execute("INSERT INTO bad_parts SELECT part FROM _bad")
            self.con.unregister("_bad")

    @staticmethod
    def _finding_rows(raw: pd.Series, mask: np.ndarray, expected, k: int) -> pd.DataFrame:
        idx = np.flatnonzero(mask)
        exp = (
            np.full(len(idx), expected, dtype=object)
            if isinstance(expected, str)
            else np.asarray(expected, dtype=object)[idx]
        )
        return pd.DataFrame({"raw": raw.to_numpy(dtype=object)[idx], "k": k, "expected": exp})


def validate_duckdb(
    path: str | os.PathLike,
    schema: Schema,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    references: dict[str, Any] | None = None,
    max_problems: int = 1000,
    label: str | None = None,
    memory: str | None = None,
    spill: str | os.PathLike | None = None,
    typed: str | os.PathLike | None = None,
):
    """:func:`ipstats.validate.validate_file` with DuckDB: the same report (messages, row numbers, counts, notes).

    Parameters
    ----------
    path, schema, sheet, encoding, references, max_problems, label
        As for :func:`ipstats.validate.validate_file` (*schema* loaded).
    memory : str, optional
        DuckDB memory limit, e.g. ``"2GB"`` (default ``$IPSTATS_DUCKDB_MEMORY`` or 2GB); beyond it DuckDB spills.
    spill : path, optional
        Folder of the temporary files (text Parquet of a non-Parquet input, DuckDB's spill files); default the
        system's temporary folder.
    typed : path, optional
        Where to write the file's typed form (:mod:`ipstats.validate.typed`: the values the pandas engine gives
        its ``on_chunk``, in the file's row order) when it validates; nothing is written when it does not.

    Returns
    -------
    Report
    """
    started = time.perf_counter()
    report = core.Report(file=label or str(path), schema=schema.name)
    limit = max_problems if max_problems > 0 else 2**62
    try:
        source = open_table(
            path,
            sheet=sheet,
            encoding=encoding,
            prefer_sheets=(schema.name, *schema.title.split(" / ")),
            columns=tuple(core.column_aliases(schema)),
        )
    except ReadError as exc:
        report.problems, report.n_problems = [core.Problem(None, None, None, str(exc))], 1
        return report
    report.notes.extend(source.notes)
    header_problems, index, column_notes = core._columns(source, schema)
    report.notes.extend(column_notes)
    extras = core.extra_columns(source, index)
    if extras and schema.fields_match in ("subset", "partial"):
        report.notes.append(f"extra column(s) kept as text: {', '.join(extras)}")
    engine = _Engine(schema, memory, None if spill is None else str(spill))
    try:
        path = Path(path)
        if not (path.suffix.lower() in PARQUET_SUFFIXES and engine.open_parquet(path, source)):
            starts = stage_csv(engine.con, source, Path(engine.folder.name))
            if starts is None:
                engine.stage(source, header_problems)
            else:
                engine.chunk_starts = np.array(starts, dtype=np.int64)
        report.rows = engine.con.execute("SELECT count(*) FROM src").fetchone()[0]
        _checks(engine, source, schema, index, extras, report, references or {})
        counts = engine.con.execute("SELECT coalesce(field, '(file)'), count(*) FROM findings GROUP BY 1").fetchall()
        report.by_field = {k: int(n) for k, n in counts}
        first = engine.con.execute(
            f"SELECT line, ord, field, value, expected FROM findings ORDER BY line, ord, seq LIMIT {min(limit, 2**62)}"
        ).fetchall()
        if typed is not None and not header_problems and not report.by_field and report.rows:
            _write_typed(engine, schema, index, extras, Path(typed))
    finally:
        engine.close()
    listed = [
        core.Problem(int(line), field, _kept(value), expected, int(order))
        for line, order, field, value, expected in first
    ]
    if report.rows == 0 and not any(p.line is None for p in header_problems):
        header_problems.append(
            core.Problem(None, None, None, "no data rows (header only) — expected at least one row below the header")
        )
    report.problems = (header_problems + listed)[:limit]
    report.n_problems = len(header_problems) + sum(report.by_field.values())
    log.debug("%s: validated with DuckDB in %.1f s", report.file, time.perf_counter() - started)
    return report


def _write_typed(engine: _Engine, schema: Schema, index: dict[str, int], extras: dict[str, int], target: Path) -> None:
    """The typed form of a file that validated, written by DuckDB to *target* (Parquet, zstd).

    A cell its field's clean predicate clears is the typed value itself (text the pandas engine leaves as it is);
    any other cell takes the value its verdict table holds (``dv_<col>.value``, computed by the pandas engine's
    functions); the extra columns are text, None when empty. Rows keep the file's order.
    """
    cols, joins = [], []
    for name, col in index.items():
        d = f"t{col}"
        joins.append(f"LEFT JOIN dv_{col} {d} ON s.c{col} = {d}.raw")
        value = f"CASE WHEN {d}.raw IS NULL THEN s.c{col} ELSE {d}.value END" if engine.clean[name] else f"{d}.value"
        cols.append(f"{value} AS {sql_name(name)}")
    cols += [f"nullif(s.c{col}, '') AS {sql_name(name)}" for name, col in extras.items()]
    engine.con.execute(
        f"COPY (SELECT {', '.join(cols)} FROM src s {' '.join(joins)} ORDER BY s._line) TO {sql_text(str(target))} "
        "(FORMAT parquet, COMPRESSION zstd)"
    )


def _kept(value: str | None) -> str | None:
    """A value as the pandas engine keeps it for its message (80 characters and an ellipsis)."""
    return value[:80] + "…" if isinstance(value, str) and len(value) > 80 else value


def _checks(
    engine: _Engine,
    source: TableSource,
    schema: Schema,
    index: dict[str, int],
    extras: dict[str, int],
    report,
    references: dict[str, Any],
) -> None:
    """Every check of the pandas engine, into table ``findings`` (line, ord, seq, field, value, expected)."""
    con = engine.con
    order = {name: i for i, name in enumerate(schema.field_names)}
    selects: list[str] = []
    labels = {col: name for name, col in extras.items()}
    # control characters in the columns outside the schema (order -1, in column order)
    for col in sorted(set(range(len(source.header))) - set(index.values())):
        raw = con.sql(
            f"SELECT DISTINCT c{col} FROM src WHERE regexp_matches(c{col}, '{_CONTROL_SQL}')"
        ).to_arrow_table()
        cells = pd.Series(raw.column(0).to_pandas().to_numpy(dtype=object), dtype=object)
        if not len(cells):
            continue
        finding = control_characters(cells)
        import pyarrow as pa

        con.register(
            f"_cc_{col}",
            pa.table(
                {"raw": pa.array(cells, type=pa.string()), "expected": pa.array(finding.expected, type=pa.string())}
            ),
        )
        con.execute(f"CREATE TEMP TABLE cc_{col} AS SELECT * FROM _cc_{col}")
        label = labels.get(col, f"column {col + 1}")
        selects.append(
            f"SELECT s._line, -1, {col}, {sql_text(label)}, s.c{col}, f.expected FROM src s "
            f"JOIN cc_{col} f ON s.c{col} = f.raw"
        )
    # field checks
    clean = engine.clean
    for name, col in index.items():
        clean[name] = engine.field_verdicts(name, col, name in schema.primary_key, report.notes)
        if con.execute(f"SELECT count(*) FROM fp_{col}").fetchone()[0]:
            selects.append(
                f"SELECT s._line, {order[name]}, f.k, {sql_text(name)}, s.c{col}, f.expected "
                f"FROM src s JOIN fp_{col} f ON s.c{col} = f.raw"
            )
    # the rows' normalised text (t_), stripped text (s_) and parsed value (p_) of every schema field found
    needed = _needed_fields(schema)
    cols = ["s._line AS _line"]
    joins = []
    for name, col in index.items():
        if name not in needed:
            continue
        d = f"d{col}"
        joins.append(f"LEFT JOIN dv_{col} {d} ON s.c{col} = {d}.raw")
        if clean[name]:
            cols += [
                f"CASE WHEN {d}.raw IS NULL THEN s.c{col} ELSE {d}.text END AS \"t_{name}\"",
                f"CASE WHEN {d}.raw IS NULL THEN s.c{col} ELSE {d}.stripped END AS \"s_{name}\"",
            ]
        else:
            cols += [f"{d}.text AS \"t_{name}\"", f"{d}.stripped AS \"s_{name}\""]
        if schema.field(name).type in ("date", "datetime", "integer", "number", "year"):
            cols.append(f"{d}.parsed AS \"p_{name}\"")
    con.execute(f"CREATE TEMP TABLE rows AS SELECT {', '.join(cols)} FROM src s {' '.join(joins)}")
    _changes(engine, index, report)
    for j, check in enumerate(schema.row_checks):
        sql = _row_check(check, schema, index, order, 1000 + j)
        if sql:
            selects.append(sql)
    selects.extend(_shape(source))
    selects.extend(_key_checks(engine, schema, index, order, references, report.notes))
    union = (
        " UNION ALL ".join(selects)
        if selects
        else "SELECT NULL::BIGINT, NULL::INTEGER, NULL::INTEGER, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR WHERE false"
    )
    con.execute(f"CREATE TEMP TABLE findings AS SELECT * FROM ({union}) f(line, ord, seq, field, value, expected)")


def _needed_fields(schema: Schema) -> set[str]:
    """Fields the row checks and key checks read (the others need no row-level table)."""
    needed = set(core._key_columns(schema))
    for check in schema.row_checks:
        needed |= {check["field"], check["other"], check.get("by", check["field"])}
    return needed


def _changes(engine: _Engine, index: dict[str, int], report) -> None:
    """Notes on the cells reading changed, in the order the pandas engine writes them (by chunk, then column)."""
    found = []
    for position, (name, col) in enumerate(index.items()):
        if not engine.con.execute(f"SELECT count(*) FROM dv_{col} WHERE changed").fetchone()[0]:
            continue
        count, line, before, after = engine.con.execute(
            f"SELECT count(*), min(s._line), arg_min(d.raw, s._line), arg_min(d.text, s._line) FROM src s "
            f"JOIN dv_{col} d ON s.c{col} = d.raw WHERE d.changed"
        ).fetchone()
        if count:
            chunk = (
                int(np.searchsorted(engine.chunk_starts, line, side="right")) if engine.chunk_starts is not None else 0
            )
            found.append((chunk, position, name, int(count), int(line), before, after))
    for _, _, name, count, line, before, after in sorted(found):
        report.notes.append(
            f"{name}: {count:,} cell(s) normalised — spaces/line breaks stripped, full-width forms "
            f"(NFKC) or names read as codes (first: row {line}, {before!r} read as {after!r})"
        )
    report.changed = sorted(f[2] for f in found)


def _col(name: str, kind: str, index: dict[str, int]) -> str:
    """A column of table ``rows`` (``''`` for the text of a field the file does not have)."""
    return f'"{kind}_{name}"' if name in index else "''"


def _row_check(check: dict, schema: Schema, index: dict[str, int], order: dict[str, int], seq: int) -> str | None:
    """The SELECT of one ``rowChecks`` entry's problems, as :func:`ipstats.validate.core._check_chunk` finds them."""
    name, other, op = check["field"], check["other"], check["op"]
    ordinal = order.get(name, len(order))
    head = f"SELECT _line, {ordinal}, {seq}, {sql_text(name)}, {_col(name, 't', index)}"
    if op in ("required", "empty", "origin"):
        if not index or (op == "origin" and other not in index):
            return None
        mine, theirs = _col(name, "s", index), _col(other, "s", index)
        if op == "origin":
            own = sql_list([str(v) for v in schema.field(name).constraints.get("enum", [])])
            expected = (
                f"CASE WHEN {theirs} IN {own} THEN 'equal to origin_code ' || {theirs} ELSE "
                f"'no value when origin_code is ' || {theirs} || ' (港澳台 or abroad: no province)' END"
            )
            bad = (
                f"{theirs} <> '' AND (({theirs} IN {own} AND {mine} <> {theirs}) OR "
                f"({theirs} NOT IN {own} AND {mine} <> ''))"
            )
        else:
            word = "a value" if op == "required" else "no value"
            expected = f"'{word} when {other} is ' || CASE WHEN {theirs} = '' THEN 'empty' ELSE {theirs} END"
            bad = f"{theirs} IN {sql_list(check['values'])} AND {mine} {'=' if op == 'required' else '<>'} ''"
        return f"{head}, {expected} FROM rows WHERE {bad}"
    if name not in index or (other != "today" and other not in index):
        return None
    left = _col(name, "p", index)
    if op == "term":
        if check["by"] not in index:
            return None
        by, start = _col(check["by"], "t", index), _col(other, "p", index)
        years = (
            "CASE " + " ".join(f"WHEN {by} = {sql_text(k)} THEN {int(v)}" for k, v in check["years"].items()) + " END"
            if check["years"]
            else "NULL"
        )
        for since, changed in sorted(check["since"].items()):
            if changed:
                swap = (
                    "CASE " + " ".join(f"WHEN {by} = {sql_text(k)} THEN {int(v)}" for k, v in changed.items()) + " END"
                )
                years = (
                    f"CASE WHEN {start} >= DATE {sql_text(since)} AND {by} IN {sql_list(list(changed))} "
                    f"THEN {swap} ELSE {years} END"
                )
        extension = check.get("extension") or {}
        if extension:
            years = (
                f"({years}) + coalesce(CASE "
                + " ".join(f"WHEN {by} = {sql_text(k)} THEN {int(v)}" for k, v in extension.items())
                + " END, 0)"
            )
        end = (
            f"(CAST({start} + to_years(CAST(y AS INTEGER)) AS DATE) + CASE WHEN month({start}) = 2 AND "
            f"day({start}) = 29 THEN 1 ELSE 0 END)"
        )
        extra = (
            f"CASE WHEN {by} IN {sql_list(list(extension))} THEN ' with its extension' ELSE '' END"
            if extension
            else "''"
        )
        expected = (
            f"'not after the end of the statutory term' || {extra} || ' (' || CAST(CAST(y AS INTEGER) AS "
            f"VARCHAR) || ' years for ' || {by} || ' from {other} ' || {_col(other, 't', index)} || ': ' || "
            f"strftime(e, '%Y-%m-%d') || ')'"
        )
        return (
            f"{head}, {expected} FROM (SELECT *, {end} AS e FROM (SELECT *, {years} AS y FROM rows)) "
            f"WHERE {left} IS NOT NULL AND e IS NOT NULL AND {left} > e"
        )
    sign = ">=" if op == ">=" else "<="
    words = {"notBefore": "not before", "notAfter": "not after", "atLeast": "at least", "atMost": "at most"}
    prefix = f"{words[check['word']]} {other}"
    if other == "today":
        today = core._today()
        right, expected = f"DATE '{today:%Y-%m-%d}'", sql_text(f"{prefix} ({today:%Y-%m-%d})")
        if schema.field(name).type != "date":
            return None
        return f"{head}, {expected} FROM rows WHERE {left} IS NOT NULL AND NOT ({left} {sign} {right})"
    right = _col(other, "p", index)
    expected = f"{sql_text(prefix + ' (')} || {_col(other, 't', index)} || ')'"
    return (
        f"{head}, {expected} FROM rows WHERE {left} IS NOT NULL AND {right} IS NOT NULL AND NOT ({left} {sign} {right})"
    )


def _shape(source: TableSource) -> list[str]:
    """Rows whose number of cells differs from the header's (known once the reader has read the file)."""
    return [
        f"SELECT {int(line)}::BIGINT, -1, 100000, NULL, NULL, {sql_text(message)}"
        for line, message in source.shape_problems
    ]


def _bare(col: str) -> str:
    """CN202310123456.7, ZL202310123456.7 and 202310123456.7 as one key (as core._bare_application_number)."""
    space = _SPACE_SQL
    return f"regexp_replace(upper({col}), '^{space}*(?:CN|ZL)|{space}|[.]', '', 'g')"


def _key_checks(
    engine: _Engine,
    schema: Schema,
    index: dict[str, int],
    order: dict[str, int],
    references: dict[str, Any],
    notes: list[str],
) -> list[str]:
    """Primary key, unique keys and foreign keys (:func:`ipstats.validate.core._key_checks`)."""
    keys = core._key_columns(schema)
    present = {k for k in keys if k in index}
    selects = []
    seq = 10_000

    def duplicates(fields: tuple[str, ...], note: str) -> None:
        nonlocal seq
        seq += 1
        cols = [f'"t_{f}"' for f in fields]
        value = " || ' / ' || ".join(f"k.{c}" for c in cols)
        label = fields[0] if len(fields) == 1 else ", ".join(fields)
        what = "value" if len(fields) == 1 else f"combination of {', '.join(fields)}"
        where = " AND ".join(f"{c} <> ''" for c in cols)
        keyed = ", ".join(cols)
        selects.append(
            f"SELECT k._line, {order[fields[0]]}, {seq}, {sql_text(label)}, {value}, "
            f"'a unique {what} ({note}already in row ' || CAST(g._first AS VARCHAR) || ')' FROM rows k JOIN "
            f"(SELECT {keyed}, min(_line) AS _first FROM rows WHERE {where} GROUP BY ALL HAVING count(*) > 1) g "
            f"USING ({keyed}) WHERE k._line <> g._first"
        )

    if schema.primary_key and all(k in present for k in schema.primary_key):
        duplicates(schema.primary_key, "primary key; ")
    singles = [f.name for f in schema.fields if f.constraints.get("unique") and (f.name,) != schema.primary_key]
    for fields in [*((n,) for n in singles), *schema.unique_keys]:
        if all(k in present for k in fields):
            duplicates(tuple(fields), "")
    for n, fk in enumerate(schema.foreign_keys):
        fields, ref_fields = fk["fields"], fk["reference_fields"] or fk["fields"]
        if not all(k in present for k in fields):
            continue
        seq += 1
        table = f"ref_{n}"
        if fk["resource"] == "":
            if not all(k in present for k in ref_fields):
                continue
            engine.con.execute(
                f"CREATE TEMP TABLE {table} AS SELECT "
                + ", ".join(f'"t_{r}" AS r{i}' for i, r in enumerate(ref_fields))
                + " FROM rows"
            )
            where = "of this file"
        else:
            if not _reference_table(engine, table, fk["resource"], ref_fields, references, notes):
                continue
            given = references[fk["resource"]]
            where = f"of {fk['resource']} ({given})" if not isinstance(given, pd.DataFrame) else f"of {fk['resource']}"
        bare = core._application_numbers_in(fk["resource"] or schema, ref_fields)
        ours = [(_bare(f'k."t_{f}"') if bare else f'k."t_{f}"') for f in fields]
        theirs = [(_bare(f"r.r{i}") if bare else f"r.r{i}") for i in range(len(fields))]
        value = " || ' / ' || ".join(f'k."t_{f}"' for f in fields)
        label = ", ".join(fields)
        expected = sql_text(f"a value found in column {', '.join(ref_fields)} {where}")
        match = " AND ".join(f"{a} = {b}" for a, b in zip(ours, theirs))
        filled = " AND ".join(f"k.\"t_{f}\" <> ''" for f in fields)
        selects.append(
            f"SELECT k._line, {order[fields[0]]}, {seq}, {sql_text(label)}, {value}, {expected} "
            f"FROM rows k WHERE {filled} AND NOT EXISTS (SELECT 1 FROM {table} r WHERE {match})"
        )
    return selects


def _reference_table(
    engine: _Engine, table: str, resource: str, fields: tuple[str, ...], references: dict[str, Any], notes: list[str]
) -> bool:
    """Table *table* (``r0``, ``r1`` …) of the referenced key values as the pandas engine reads them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    given = references.get(resource)
    if given is not None and not isinstance(given, pd.DataFrame) and Path(given).suffix.lower() in PARQUET_SUFFIXES:
        try:
            arrow = pq.read_schema(given)
            text = all(f in arrow.names and str(arrow.field(f).type) in ("string", "large_string") for f in fields)
        except (pa.ArrowException, OSError):
            text = False
        if text:
            cols = ", ".join(f'coalesce("{f}", \'\') AS r{i}' for i, f in enumerate(fields))
            engine.con.execute(
                f"CREATE TEMP TABLE {table} AS SELECT {cols} FROM read_parquet({sql_text(os.fspath(given))})"
            )
            return True
    if (
        given is not None
        and not isinstance(given, pd.DataFrame)
        and _csv_reference(engine, table, resource, fields, given)
    ):
        return True
    chunks = core._reference_chunks(resource, fields, references, notes)
    if chunks is None:
        return False
    cols = ", ".join(f"CAST(NULL AS VARCHAR) AS r{i}" for i in range(len(fields)))
    engine.con.execute(f"CREATE TEMP TABLE {table} AS SELECT {cols} WHERE FALSE")
    for chunk in chunks:  # chunk by chunk: the referenced file is never held whole in pandas
        frame = pd.DataFrame({f"r{i}": chunk.iloc[:, i].astype(str).to_numpy(dtype=object) for i in range(len(fields))})
        engine.con.register(f"_{table}", pa.Table.from_pandas(frame, preserve_index=False))
        engine.con.execute(f"INSERT INTO {table} SELECT * FROM _{table}")
        engine.con.unregister(f"_{table}")
    return True


def _csv_reference(engine: _Engine, table: str, resource: str, fields: tuple[str, ...], given) -> bool:
    """Table *table* of a CSV reference's key cells read by DuckDB's CSV reader (:mod:`ipstats.validate.duck_csv`),
    the cells :func:`ipstats.validate.core._reference_chunks` reads with the Python reader; False (nothing
    created) where that reader must read it. A register of 50 M rows is the reference of its IPC links, legal
    events, families and pledges: each would read it in Python."""
    try:
        source = open_table(given)
        cols = core.reference_columns(source, resource, fields)
    except (ReadError, ValueError, OSError):
        return False
    view = f"{table}_cells"
    if stage_csv(engine.con, source, Path(engine.folder.name), view=view) is None:
        return False
    picked = ", ".join(f"c{c} AS r{i}" for i, c in enumerate(cols))
    engine.con.execute(f"CREATE TEMP TABLE {table} AS SELECT {picked} FROM {view}")
    return True
