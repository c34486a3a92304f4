"""Validate one input file against its schema (数据校验): columns, cells, keys and row checks.

Every problem is one line for people::

    register.csv:17: filing_date: '2023-02-30' — expected a date (2023-05-01, 2023/5/1, 2023.5.1, 20230501 or …)

with the row number as it is in the file (header = line 1 in CSV and Parquet, the sheet's row in Excel).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd

from ipstats.validate.checks import Finding, check_field, compare_rows, control_characters, normalise_cells
from ipstats.validate.readers import Chunk, ReadError, TableSource, open_table
from ipstats.validate.schema import Schema, resolve_schema

__all__ = ["Problem", "Report", "arrow_type", "arrow_values", "column_aliases", "extra_columns", "validate_pandas"]

log = logging.getLogger(__name__)

MAX_PROBLEMS = 1000
_KEPT = 80
_TEXT_TYPES = ("string", "large_string", "large_utf8", "utf8")


@dataclass(frozen=True)
class Problem:
    """One problem: where (row number, field), the value found, and what was expected."""

    line: int | None
    field: str | None
    value: str | None
    expected: str
    order: int = 0

    def format(self, file: str) -> str:
        """``file:line: field: 'value' — expected …`` (parts that do not apply are left out)."""
        where = file if self.line is None else f"{file}:{self.line}"
        if self.field is None:
            return f"{where}: {self.expected}"
        value = self.value if self.value is None or self.value.startswith("(") else _quote(self.value)
        return f"{where}: {self.field}: {value} — expected {self.expected}"


def _quote(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


@dataclass
class Report:
    """The outcome of validating one file.

    Attributes
    ----------
    file : str
        The file as named by the caller (used in every message).
    schema : str
        Schema name.
    rows : int
        Data rows read.
    problems : list of Problem
        The first problems (at most ``max_problems``), in file order.
    n_problems : int
        All problems found.
    notes : list of str
        Information that is not a problem (encoding detected, sheet chosen, checks skipped).
    changed : list of str
        Fields whose cells reading changed (normalised or put in canonical form); each has a note.
    by_field : dict of str to int
        Problems counted by field (all of them, listed or not); the summary line gives them when not all
        problems are listed.
    """

    file: str
    schema: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    n_problems: int = 0
    notes: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    by_field: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return self.n_problems == 0

    def lines(self) -> list[str]:
        """One line per listed problem."""
        return [p.format(self.file) for p in self.problems]

    def summary(self) -> str:
        """One line: the count of problems (or that the file is valid) with rows and schema."""
        if self.ok:
            return f"{self.file}: valid — {self.rows:,} rows match schema {self.schema}"
        shown = "" if len(self.problems) == self.n_problems else f", first {len(self.problems):,} listed"
        noun = "problem" if self.n_problems == 1 else "problems"
        rows = f" in {self.rows:,} rows" if self.rows else ", no rows read"
        # repeated problems summarised by field when not all are listed: filing_date 21,110, province_code 3
        fields = (
            ""
            if not shown or not self.by_field
            else "; by field: "
            + ", ".join(f"{name} {n:,}" for name, n in sorted(self.by_field.items(), key=lambda kv: (-kv[1], kv[0])))
        )
        return f"{self.file}: {self.n_problems:,} {noun}{rows} (schema {self.schema}{shown}){fields}"


class _Collector:
    """Keeps the first *limit* row problems of each check (enough to know the first *limit* overall)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.frames: list[pd.DataFrame] = []
        self.count = 0
        self.by_field: dict[str, int] = {}

    def add(
        self, finding: Finding, lines: np.ndarray, values: pd.Series | list[str], field_name: str | None, order: int
    ) -> None:
        idx = np.flatnonzero(finding.mask)
        self.count += len(idx)
        if len(idx):
            key = field_name or "(file)"
            self.by_field[key] = self.by_field.get(key, 0) + len(idx)
        idx = idx[: self.limit]
        if not len(idx):
            return
        expected = finding.expected if isinstance(finding.expected, str) else finding.expected[idx]
        vals = np.asarray(values, dtype=object)[idx] if values is not None else None
        if vals is not None:  # messages quote 60 characters: never keep a huge cell for them
            vals = np.array(
                [v[:_KEPT] + "…" if isinstance(v, str) and len(v) > _KEPT else v for v in vals], dtype=object
            )
        self.frames.append(
            pd.DataFrame({"line": lines[idx], "order": order, "field": field_name, "value": vals, "expected": expected})
        )

    def problems(self) -> list[Problem]:
        if not self.frames:
            return []
        table = pd.concat(self.frames, ignore_index=True).sort_values(["line", "order"], kind="stable")
        table = table.head(self.limit).astype(object).where(table.head(self.limit).notna(), None)
        return [Problem(int(r.line), r.field, r.value, r.expected, int(r.order)) for r in table.itertuples()]


def column_aliases(schema: Schema) -> dict[str, str]:
    """Header texts accepted for each field: its name and the Chinese and English parts of its title.

    A title ``申请号 / Application number`` lets a column headed ``申请号`` or ``Application number``
    stand for ``application_number`` (workbooks exported with Chinese headers).
    """
    aliases: dict[str, str] = {}
    for fld in schema.fields:
        for part in (p.strip() for p in fld.title.split(" / ")):
            if part:
                aliases.setdefault(part, fld.name)
    aliases.update({f.name: f.name for f in schema.fields})
    aliases.update(dict(schema.aliases))  # a column mapping (--column SRC=DEST, columns: in inputs)
    return aliases


def _columns(source: TableSource, schema: Schema) -> tuple[list[Problem], dict[str, int], list[str]]:
    """Header problems, the column index of each schema field found, and notes on columns read by title."""
    line = source.header_line
    problems, index, notes = [], {}, []
    names = schema.field_names
    aliases = column_aliases(schema)
    seen: set[str] = set()
    for i, header in enumerate(source.header):
        name = aliases.get(header, header)
        label = header or f"(unnamed column {i + 1})"
        if name in seen:
            problems.append(Problem(line, label, "(repeated column)", "each column once", -1))
            continue
        seen.add(name)
        if name in names:
            index[name] = i
            if header != name:
                notes.append(f"column {header!r} read as {name}")
        elif schema.fields_match not in ("subset", "partial"):
            problems.append(
                Problem(
                    line, label, "(extra column)", f"only the columns of schema {schema.name}: {', '.join(names)}", -1
                )
            )
    must = (
        set(names)
        if schema.fields_match in ("exact", "equal", "subset")
        else {f.name for f in schema.fields if f.required} | set(schema.primary_key)
    )
    for name in names:
        if name not in index and name in must:
            title = schema.field(name).title
            problems.append(
                Problem(line, name, "(no column)", f"a column {name}" + (f" ({title})" if title else ""), -1)
            )
    if schema.fields_match == "partial" and not index:
        problems.append(
            Problem(
                line,
                None,
                None,
                f"no column of schema {schema.name} found — expected at least one of {', '.join(names)}",
                -1,
            )
        )
    if schema.fields_match == "exact" and not problems:
        order = [n for n in source.header if n in index]
        if order != names:
            problems.append(Problem(line, None, None, f"columns in another order — expected {', '.join(names)}", -1))
    for name, col in index.items():
        native = source.native_types.get(source.header[col], "")
        if (
            native
            and schema.field(name).type == "string"
            and native.split("[")[0] not in _TEXT_TYPES
            and not native.startswith(("date", "timestamp", "dictionary"))
        ):
            problems.append(
                Problem(
                    line,
                    name,
                    f"(column of type {native})",
                    "text (string), so that codes keep their leading zeros",
                    -1,
                )
            )
    return problems, index, notes


def _today() -> pd.Timestamp:
    return pd.Timestamp(dt.date.today())


def _key_columns(schema: Schema) -> set[str]:
    keys = set(schema.primary_key) | {k for u in schema.unique_keys for k in u}
    keys |= {f.name for f in schema.fields if f.constraints.get("unique")}
    for fk in schema.foreign_keys:
        keys |= set(fk["fields"])
        if fk["resource"] == "":
            keys |= set(fk["reference_fields"])
    return keys


def _term(check: dict, parsed: pd.Series, start: pd.Series, start_text: pd.Series, by: pd.Series) -> Finding:
    """``withinTerm``: the date no later than the start plus the years of the row's code (statutory term)."""
    years = by.map(check["years"]).astype(float)
    for since, changed in sorted(check["since"].items()):
        later = (start >= pd.Timestamp(since)).to_numpy(dtype=bool)
        years = years.where(~(later & by.isin(list(changed)).to_numpy()), by.map(changed).astype(float))
    years = years + by.map(check.get("extension") or {}).astype(float).fillna(0)
    end = pd.Series(pd.NaT, index=parsed.index, dtype="datetime64[ns]")
    leap = ((start.dt.month == 2) & (start.dt.day == 29)).to_numpy(dtype=bool)
    for n in pd.unique(years.dropna()):  # at most the anniversary (1 March for a 29 February start)
        sel = (years == n).to_numpy()
        end[sel] = start[sel] + pd.DateOffset(years=int(n))
    end[leap] = end[leap] + pd.Timedelta(days=1)
    with np.errstate(invalid="ignore"):
        bad = (parsed.notna() & end.notna() & (parsed > end)).to_numpy(dtype=bool)
    expected = np.full(len(parsed), None, dtype=object)
    idx = np.flatnonzero(bad)
    extra = " with its extension" if check.get("extension") else ""
    expected[idx] = [
        f"not after the end of the statutory term{extra if kind in check.get('extension', {}) else ''} "
        f"({int(n)} years for {kind} from {check['other']} {s}: {e:%Y-%m-%d})"
        for n, kind, s, e in zip(years.to_numpy()[idx], by.to_numpy()[idx], start_text.to_numpy()[idx], end.iloc[idx])
    ]
    return Finding(bad, expected)


#: Arrow types of the typed form by schema field type (any other type: text).
_ARROW = {
    "integer": "int64",
    "year": "int64",
    "number": "float64",
    "date": "date32",
    "datetime": "timestamp",
    "boolean": "bool",
}


def arrow_type(kind: str):
    """The Arrow type of a schema field type in the typed form."""
    import pyarrow as pa

    name = _ARROW.get(kind, "string")
    return {
        "int64": pa.int64(),
        "float64": pa.float64(),
        "date32": pa.date32(),
        "timestamp": pa.timestamp("us"),
        "bool": pa.bool_(),
        "string": pa.string(),
    }[name]


def arrow_values(series: pd.Series, kind):
    """*series* (typed values as :func:`_typed_column` gives them, or text) as an Arrow array of type *kind*.

    Both engines write the typed form through this function, so a register typed by DuckDB
    (:mod:`ipstats.validate.duck`) holds the very values the pandas engine writes.
    """
    import pyarrow as pa

    if pa.types.is_date32(kind):
        series = pd.Series(pd.to_datetime(series).dt.date).where(series.notna(), None)
    elif kind == pa.bool_():
        series = series.astype(object).where(series.notna(), None)
    return pa.array(series.astype(object) if kind == pa.string() else series, type=kind, from_pandas=True)


def _typed_column(fld, parsed: pd.Series) -> pd.Series:
    """The values a reader gets: text as normalised (None when empty), numbers, dates as datetime64."""
    if fld.type in ("string", "any", "yearmonth", "time"):
        text = parsed.astype(object)
        return text.where(parsed.notna() & text.str.strip().ne(""), None)
    if fld.type in ("integer", "year"):
        return parsed.astype("Int64")
    if fld.type == "boolean":
        return parsed.astype("boolean")
    return parsed


def _note_changes(
    changes: dict[str, list], name: str, lines: np.ndarray, before: pd.Series, changed: np.ndarray, after: pd.Series
) -> None:
    """Count the cells that reading changed (normalised, canonical form) and keep the first for the note."""
    if not changed.any():
        return
    seen = changes.setdefault(name, [0, None, None, None])
    seen[0] += int(changed.sum())
    if seen[1] is None:
        first = int(np.flatnonzero(changed)[0])
        seen[1:] = [int(lines[first]), before.iloc[first], after.iloc[first]]


def _check_chunk(
    chunk: Chunk,
    schema: Schema,
    index: dict[str, int],
    collector: _Collector,
    notes: list[str],
    changes: dict[str, list],
    typed: bool = False,
    labels: dict[int, str] | None = None,
) -> tuple[dict[str, pd.Series], dict[str, pd.Series]]:
    """Row-local checks of a chunk.

    Returns the normalised text of the key columns (for key checks) and the typed values of every schema
    field found (what :func:`ipstats.validate.typed.read_input` returns).
    """
    order = {name: i for i, name in enumerate(schema.field_names)}
    parsed: dict[str, pd.Series] = {}
    texts: dict[str, pd.Series] = {}
    for col in set(range(chunk.frame.shape[1])) - set(index.values()):  # columns outside the schema
        finding = control_characters(chunk.frame[col])
        if finding.mask.any():
            collector.add(finding, chunk.lines, chunk.frame[col], (labels or {}).get(col, f"column {col + 1}"), -1)
    for name, col in index.items():
        fld = schema.field(name)
        raw = chunk.frame[col]
        text, changed, refusals = normalise_cells(fld, raw)
        refused = np.zeros(len(text), dtype=bool)
        for finding in refusals:
            collector.add(Finding(finding.mask & ~refused, finding.expected), chunk.lines, raw, name, order[name])
            refused |= finding.mask
        if refused.any():
            text = text.where(~refused, "")
        _note_changes(changes, name, chunk.lines, raw, changed, text)
        findings, parsed[name], field_notes = check_field(fld, text, required=name in schema.primary_key)
        texts[name] = text
        notes.extend(n for n in field_notes if n not in notes)
        for finding in findings:
            finding = Finding(finding.mask & ~refused, finding.expected)
            collector.add(finding, chunk.lines, raw, name, order[name])
    blank = pd.Series("", index=next(iter(texts.values())).index, dtype=object) if texts else None
    for check in schema.row_checks:
        name, other = check["field"], check["other"]
        if check["op"] in ("required", "empty", "origin") and blank is not None:
            # an optional column the file does not have is a column of empty cells
            if check["op"] == "origin" and other not in texts:
                continue  # no origin column: nothing to compare with
            finding = (
                _origin_of(schema.field(name), texts.get(name, blank), texts.get(other, blank))
                if check["op"] == "origin"
                else _conditional(check, texts.get(name, blank), texts.get(other, blank))
            )
            collector.add(finding, chunk.lines, texts.get(name, blank), name, order.get(name, len(order)))
            continue
        if name not in parsed or (other != "today" and other not in parsed):
            continue
        if check["op"] in ("required", "empty"):
            finding = _conditional(check, texts[name], texts[other])
        elif check["op"] == "term":
            if check["by"] not in texts:
                continue
            finding = _term(check, parsed[name], parsed[other], texts[other], texts[check["by"]])
        elif other == "today":
            today = _today()
            finding = compare_rows(check, parsed[name], today, today.strftime("%Y-%m-%d"))
        else:
            finding = compare_rows(check, parsed[name], parsed[other], texts[other])
        collector.add(finding, chunk.lines, texts[name], name, order[name])
    values = {name: _typed_column(schema.field(name), parsed[name]) for name in index} if typed else {}
    return {k: texts[k] for k in _key_columns(schema) if k in texts}, values


def _conditional(check: dict, text: pd.Series, other: pd.Series) -> Finding:
    """``requiredWhen`` / ``emptyWhen``: a value must be there (or absent) when another column has given values."""
    empty = text.astype(object).str.strip().eq("").to_numpy(dtype=bool)
    when = other.astype(object).str.strip()
    hit = when.isin(check["values"]).to_numpy()
    bad = hit & (empty if check["op"] == "required" else ~empty)
    word = "a value" if check["op"] == "required" else "no value"
    return Finding(bad, (f"{word} when {check['other']} is " + when.where(when.ne(""), "empty")).to_numpy(dtype=object))


def _origin_of(fld, text: pd.Series, origin: pd.Series) -> Finding:
    """``originOf``: where *origin* holds one of *fld*'s own codes (a province), the field equals it; where it
    holds another code (港澳台, a foreign country), the field is empty."""
    own = {str(v) for v in fld.constraints.get("enum", [])}
    value = text.astype(object).str.strip()
    where = origin.astype(object).str.strip()
    given = where.ne("").to_numpy(dtype=bool)
    domestic = where.isin(own).to_numpy(dtype=bool)
    unequal = value.ne(where).to_numpy(dtype=bool)
    filled = value.ne("").to_numpy(dtype=bool)
    bad = given & ((domestic & unequal) | (~domestic & filled))
    expected = np.where(
        domestic,
        "equal to origin_code " + where,
        "no value when origin_code is " + where + " (港澳台 or abroad: no province)",
    )
    return Finding(bad, expected.astype(object))


def _duplicates(keys: pd.DataFrame, fields: tuple[str, ...], note: str, collector: _Collector, order: int) -> None:
    """Rows whose key repeats an earlier row's (both rows present in full)."""
    present = keys[list(fields)].ne("").all(axis=1)
    table = keys[present]
    dup = table.duplicated(list(fields), keep=False)
    if not dup.any():
        return
    table = table[dup]
    first = table.groupby(list(fields), sort=False)["_line"].transform("min")
    later = table["_line"] != first
    table, first = table[later], first[later]
    label = fields[0] if len(fields) == 1 else ", ".join(fields)
    values = table[list(fields)].astype(str).agg(" / ".join, axis=1) if len(fields) > 1 else table[fields[0]]
    what = "value" if len(fields) == 1 else f"combination of {', '.join(fields)}"
    expected = (f"a unique {what} ({note}already in row " + first.astype(str) + ")").to_numpy(dtype=object)
    collector.add(
        Finding(np.ones(len(table), dtype=bool), expected),
        table["_line"].to_numpy(),
        values.to_numpy(dtype=object),
        label,
        order,
    )


#: Rows of a referenced file read at a time to look up foreign keys (the register of a national run is never
#: held whole: only the keys of the file being checked are).
REFERENCE_BATCH = 500_000


def _reference_chunks(
    resource: str, fields: tuple[str, ...], references: dict[str, Any], notes: list[str]
) -> Iterator[pd.DataFrame] | None:
    """The referenced key columns (text) in chunks of about :data:`REFERENCE_BATCH` rows; None when not checked.

    A Parquet file is read by row batches of its key columns only; another file through the reader, chunk by
    chunk, with its own headers (Chinese titles and column mappings name the key too).
    """
    source = references.get(resource)
    if source is None:
        notes.append(f"foreign key to {resource} not checked (no {resource} file given)")
        return None
    if isinstance(source, pd.DataFrame):
        return iter([source[list(fields)]])
    try:
        if Path(source).suffix.lower() in (".parquet", ".pq"):  # only the key columns, as the reader gets them
            import pyarrow.parquet as pq

            batches = pq.ParquetFile(source).iter_batches(batch_size=REFERENCE_BATCH, columns=list(fields))

            def parquet_chunks() -> Iterator[pd.DataFrame]:
                for batch in batches:
                    keys = batch.to_pandas()
                    yield keys.astype(object).where(keys.notna(), "").astype(str)

            return parquet_chunks()
        table = open_table(source)
        cols = reference_columns(table, resource, fields)
        return (c.frame[cols].set_axis(list(fields), axis=1) for c in table.chunks)
    except (ReadError, ValueError) as exc:
        notes.append(f"foreign key to {resource} not checked ({source}: {exc})")
        return None


def reference_columns(table: TableSource, resource: str, fields: tuple[str, ...]) -> list[int]:
    """The positions of *fields* in a referenced file's header, read with *resource*'s column names and titles
    (Chinese titles and column mappings name the key too); ValueError when one is missing."""
    try:
        aliases = column_aliases(resolve_schema(resource))
    except (ValueError, OSError):
        aliases = {}
    header = [aliases.get(h, h) for h in table.header]
    return [header.index(f) for f in fields]


def _key_index(frame: pd.DataFrame) -> pd.Index:
    """The keys of *frame* (one column or several) as an index to look values up in."""
    frame = frame.astype(str)
    return pd.MultiIndex.from_frame(frame) if frame.shape[1] > 1 else pd.Index(frame.iloc[:, 0])


def _application_numbers_in(schema: Schema | str, fields: tuple[str, ...]) -> bool:
    """Whether the referenced key is an application number (compared without CN/ZL prefix and dot)."""
    try:
        schema = resolve_schema(schema)
        return any(schema.field(f).format == "cn_application_number" for f in fields)
    except (ValueError, StopIteration):
        return False


#: Python's whitespace (what ``str.isspace`` and ``\\s`` match) as an RE2 character class, for Arrow and DuckDB.
SPACE_CLASS = "[" + "".join(f"\\x{{{c:x}}}" for c in range(sys.maxunicode + 1) if chr(c).isspace()) + "]"


def _bare_application_number(values: pd.Series) -> pd.Series:
    """CN202310123456.7, ZL202310123456.7 and 202310123456.7 as one key: 2023101234567.

    Upper-cased, a leading ``CN``/``ZL`` (after any spaces) and every space and dot removed — in Arrow
    (RE2 with Python's whitespace class), so a register of millions of keys is not looped over in Python.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(values.astype(str).to_numpy(dtype=object), pa.string())
    bare = pc.replace_substring_regex(pc.utf8_upper(text), f"^{SPACE_CLASS}*(?:CN|ZL)|{SPACE_CLASS}|[.]", "")
    return pd.Series(bare.to_numpy(zero_copy_only=False), index=values.index, dtype=object)


def _key_checks(
    keys: pd.DataFrame, schema: Schema, collector: _Collector, references: dict[str, Any], notes: list[str]
) -> None:
    order = {name: i for i, name in enumerate(schema.field_names)}
    if schema.primary_key and all(k in keys for k in schema.primary_key):
        _duplicates(keys, schema.primary_key, "primary key; ", collector, order[schema.primary_key[0]])
    singles = [f.name for f in schema.fields if f.constraints.get("unique") and (f.name,) != schema.primary_key]
    for fields in [*((n,) for n in singles), *schema.unique_keys]:
        if all(k in keys for k in fields):
            _duplicates(keys, fields, "", collector, order[fields[0]])
    for fk in schema.foreign_keys:
        fields, ref_fields = fk["fields"], fk["reference_fields"] or fk["fields"]
        if not all(k in keys for k in fields):
            continue
        if fk["resource"] == "":
            if not all(k in keys for k in ref_fields):
                continue
            chunks = iter([keys[list(ref_fields)]])
            where = "of this file"
        else:
            chunks = _reference_chunks(fk["resource"], ref_fields, references, notes)
            if chunks is None:
                continue
            where = (
                f"of {fk['resource']} ({references[fk['resource']]})"
                if not isinstance(references[fk['resource']], pd.DataFrame)
                else f"of {fk['resource']}"
            )
        present = keys[list(fields)].ne("").all(axis=1).to_numpy()
        ours = keys[list(fields)].set_axis(list(ref_fields), axis=1)
        bare = _application_numbers_in(fk["resource"] or schema, ref_fields)
        if bare:
            ours = ours.apply(_bare_application_number)
        wanted = _key_index(ours)
        distinct = wanted.unique()
        # one key: this file's keys hashed once and every chunk looked up in that table (isin of an Arrow string
        # index rebuilt the set from Python objects per chunk: minutes for legal events against 50 M applications)
        lookup = pd.Index(np.asarray(distinct, dtype=object)) if len(fields) == 1 else None
        known: list = []
        for chunk in chunks:  # the referenced file chunk by chunk: only this file's keys are held
            theirs = _key_index(chunk.apply(_bare_application_number) if bare else chunk)
            if lookup is not None:
                known.extend(theirs[lookup.get_indexer(np.asarray(theirs, dtype=object)) >= 0])
            else:
                known.extend(theirs[theirs.isin(distinct)])
        bad = present & ~wanted.isin(pd.Index(known, dtype=object) if len(fields) == 1 else known)
        label = ", ".join(fields)
        values = keys[list(fields)].astype(str).agg(" / ".join, axis=1) if len(fields) > 1 else keys[fields[0]]
        collector.add(
            Finding(bad, f"a value found in column {', '.join(ref_fields)} {where}"),
            keys["_line"].to_numpy(),
            values.to_numpy(dtype=object),
            label,
            order[fields[0]],
        )


def extra_columns(source: TableSource, index: dict[str, int]) -> dict[str, int]:
    """Columns of the file that are not schema fields, by the name a reader gets (kept, passed through as text)."""
    used = set(index.values())
    names: dict[str, int] = {}
    for i, header in enumerate(source.header):
        if i not in used:
            name = header or f"column_{i + 1}"
            if name not in names and name not in index:
                names[name] = i
    return names


def open_input(
    path, schema: Schema, aliases: dict | None = None, sheet: str | None = None, encoding: str | None = None
) -> TableSource:
    """*path* opened as every reader of a *schema* input opens it: the sheet named after the schema preferred,
    the header found by the column names and their *aliases* (default :func:`column_aliases`).

    One place, so that validation (:func:`validate_pandas`), the typed reader's cells and its line numbers
    (:func:`ipstats.validate.typed.read_cells`, :func:`~ipstats.validate.typed.read_lines`) see the same rows.
    """
    return open_table(
        path,
        sheet=sheet,
        encoding=encoding,
        prefer_sheets=(schema.name, *schema.title.split(" / ")),
        columns=tuple(column_aliases(schema) if aliases is None else aliases),
    )


def validate_pandas(
    path: str | os.PathLike,
    schema: Schema,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    references: dict[str, Any] | None = None,
    max_problems: int = MAX_PROBLEMS,
    label: str | None = None,
    on_chunk: Callable[[TableSource, dict[str, pd.Series]], None] | None = None,
) -> Report:
    """:func:`ipstats.validate.validate_file` chunk by chunk in pandas (*schema* loaded); arguments as there."""
    report = Report(file=label or str(path), schema=schema.name)
    limit = max_problems if max_problems > 0 else 2**62
    try:
        source = open_input(path, schema, sheet=sheet, encoding=encoding)
    except ReadError as exc:
        report.problems, report.n_problems = [Problem(None, None, None, str(exc))], 1
        return report
    report.notes.extend(source.notes)
    header_problems, index, column_notes = _columns(source, schema)
    report.notes.extend(column_notes)
    extras = extra_columns(source, index)
    if extras and schema.fields_match in ("subset", "partial"):
        report.notes.append(f"extra column(s) kept as text: {', '.join(extras)}")
    collector = _Collector(limit)
    key_parts: list[pd.DataFrame] = []
    changes: dict[str, list] = {}
    try:
        for chunk in source.chunks:
            wanted = on_chunk is not None and not header_problems and not collector.count and not source.shape_problems
            keys, typed = _check_chunk(
                chunk,
                schema,
                index,
                collector,
                report.notes,
                changes,
                typed=wanted,
                labels={col: name for name, col in extras.items()},
            )
            key_parts.append(pd.DataFrame({**keys, "_line": chunk.lines}))
            report.rows += len(chunk.lines)
            if wanted and not collector.count:
                extra = {name: chunk.frame[col].where(chunk.frame[col].ne(""), None) for name, col in extras.items()}
                on_chunk(source, {**typed, **extra})
    except ReadError as exc:
        header_problems.append(Problem(None, None, None, str(exc)))
    for name, (count, line, before, after) in changes.items():
        report.notes.append(
            f"{name}: {count:,} cell(s) normalised — spaces/line breaks stripped, full-width forms "
            f"(NFKC) or names read as codes (first: row {line}, {before!r} read as {after!r})"
        )
    report.changed = sorted(changes)
    for line, message in source.shape_problems:
        collector.add(Finding(np.array([True]), message), np.array([line]), None, None, -1)
    if key_parts:
        _key_checks(pd.concat(key_parts, ignore_index=True), schema, collector, references or {}, report.notes)
    if report.rows == 0 and not any(p.line is None for p in header_problems):
        header_problems.append(
            Problem(None, None, None, "no data rows (header only) — expected at least one row below the header")
        )
    report.problems = (header_problems + collector.problems())[:limit]
    report.n_problems = len(header_problems) + collector.count
    report.by_field = dict(collector.by_field)
    return report
