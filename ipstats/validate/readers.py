"""Read an input file as text cells, chunk by chunk, with the row numbers a person sees in the file.

CSV text is decoded as UTF-8 (with or without BOM), else GBK/GB18030 (检测编码); Excel workbooks
(``.xlsx``/``.xlsm``) are read sheet by sheet with their row numbers; Parquet is read in record
batches. Every cell becomes a string (``""`` when empty) so that one set of checks serves all formats:
Excel and Parquet dates become ``YYYY-MM-DD``, whole numbers lose their ``.0``.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

__all__ = ["Chunk", "ReadError", "TableSource", "decode_text", "open_table"]

CHUNK_ROWS = 200_000
SAMPLE_BYTES = 8 << 20          # the encoding is decided on the first 8 MiB of a CSV file
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")


class ReadError(ValueError):
    """The file cannot be read as a table; the message (without the file name) is for people."""


@dataclass
class Chunk:
    """Consecutive data rows: cells as text and the row number of each row in the file."""

    frame: pd.DataFrame
    lines: np.ndarray


@dataclass
class TableSource:
    """An opened input: header, how it was read, and an iterator over its data chunks.

    Attributes
    ----------
    path : Path
    header : list of str
        Column names as written (duplicates kept).
    header_line : int
        Row number of the header in the file (1 for CSV and Parquet).
    notes : list of str
        How the file was read, e.g. ``read as GBK (no BOM, not UTF-8)``; info, not problems.
    shape_problems : list of (int, str)
        Rows whose number of cells differs from the header (row number, message).
    native_types : dict
        Parquet column types by name (empty for text formats).
    """

    path: Path
    header: list[str]
    header_line: int
    chunks: Iterator[Chunk]
    notes: list[str] = field(default_factory=list)
    shape_problems: list[tuple[int, str]] = field(default_factory=list)
    native_types: dict[str, str] = field(default_factory=dict)


def _decode(data: bytes, encoding: str, final: bool) -> str:
    return codecs.getincrementaldecoder(encoding)().decode(data, final)


def decode_text(data: bytes, encoding: str | None = None, final: bool = True) -> tuple[str, str]:
    """Decode file bytes: the declared *encoding*, else UTF-8 (BOM or not), else GBK, else GB18030.

    *final* False means *data* is the start of a longer file (a character may be cut at its end).

    Returns
    -------
    text, encoding_used : str, str

    Raises
    ------
    ReadError
        When no candidate decodes the bytes; the message gives the first undecodable byte.
    """
    if encoding:
        try:
            return _decode(data, encoding, final), encoding
        except LookupError:
            raise ReadError(f"unknown encoding {encoding!r} — expected e.g. utf-8, gbk or gb18030") from None
        except UnicodeDecodeError as exc:
            raise ReadError(f"not {encoding} text (byte 0x{data[exc.start]:02X} at offset {exc.start}) — "
                            f"expected the declared encoding {encoding}") from None
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gbk", "gb18030"]
    first_error = None
    for candidate in candidates:
        try:
            return _decode(data, candidate, final), candidate
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    offset = first_error.start
    raise ReadError(f"not text in UTF-8, GBK or GB18030 (byte 0x{data[offset]:02X} at offset {offset}) — "
                    f"expected a CSV file saved as UTF-8 (or GBK/GB18030)")


def _cell(value: object) -> str:
    """An Excel cell as text: dates as YYYY-MM-DD, whole floats without .0, empty as ''."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _frame(rows: list[list[str]], width: int) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=range(width), dtype=object) if rows else \
        pd.DataFrame({i: pd.Series([], dtype=object) for i in range(width)})


def _fit(row: list[str], width: int, line: int, problems: list[tuple[int, str]]) -> list[str]:
    if len(row) != width:
        problems.append((line, f"{len(row)} cells — expected {width}, one per column of the header"))
        row = (row + [""] * width)[:width]
    return row


def _chunked(numbered_rows: Iterator[tuple[int, list[str]]], width: int,
             problems: list[tuple[int, str]]) -> Iterator[Chunk]:
    """Group (row number, cells) into chunks, skipping blank rows and fitting rows to the header width."""
    rows, lines = [], []
    for number, cells in numbered_rows:
        if not any(c.strip() for c in cells):
            continue
        rows.append(_fit(cells, width, number, problems))
        lines.append(number)
        if len(rows) >= CHUNK_ROWS:
            yield Chunk(_frame(rows, width), np.asarray(lines))
            rows, lines = [], []
    if rows:
        yield Chunk(_frame(rows, width), np.asarray(lines))


def _header_row(rows: Iterator[tuple[int, list[str]]], expected: frozenset[str], look: int = 20) \
        -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """Find the header: the first row naming a schema column within *look* non-empty rows, else the first
    non-empty row (title rows above a table are common in workbooks). Returns its number, its cells and the
    rows read past it (to be read again as data)."""
    seen: list[tuple[int, list[str]]] = []
    for number, cells in rows:
        if any(c.strip() for c in cells):
            seen.append((number, cells))
            if expected & {c.strip() for c in cells} or len(seen) >= look:
                break
    if not seen:
        return 0, [], []
    pick = next((i for i, (_, cells) in enumerate(seen) if expected & {c.strip() for c in cells}), 0)
    number, cells = seen[pick]
    return number, [c.strip() for c in cells], seen[pick + 1:]


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _decoded_lines(path: Path, encoding: str) -> Iterator[str]:
    """The lines of a text file decoded one by one, so that a bad byte is reported with its row and offset.

    Splitting the bytes on line feeds is safe for UTF-8, GBK and GB18030 (no multi-byte character contains
    0x0A); UTF-16 is decoded by Python's text reader instead.
    """
    if encoding.startswith("utf-16"):
        with open(path, encoding=encoding, newline="") as fh:
            yield from fh
        return
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                yield decoder.decode(raw)
            except UnicodeDecodeError as exc:
                raise ReadError(f"not {encoding} text in row {number} (byte 0x{raw[exc.start]:02X} at offset "
                                f"{offset + exc.start}) — expected one encoding throughout the file (declare it "
                                f"with --encoding)") from None
            offset += len(raw)


def _open_csv(path: Path, encoding: str | None, expected: frozenset[str]) -> TableSource:
    """A CSV file: the encoding is found on its first SAMPLE_BYTES, then the file is read as a stream."""
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
        whole = fh.read(1) == b""
    text, used = decode_text(sample, encoding, final=whole)
    notes = []
    if used in ("gbk", "gb18030") and not encoding:
        notes.append(f"read as {used.upper()} (not UTF-8; no encoding declared)")
    if whole and not text.strip():
        raise ReadError("empty file — expected a header row with the column names")
    delimiter = _sniff_delimiter(text.lstrip("\ufeff\r\n").split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline="") if whole else _decoded_lines(path, used),
                        delimiter=delimiter)

    def numbered() -> Iterator[tuple[int, list[str]]]:
        previous = 0
        for row in reader:
            yield previous + 1, row
            previous = reader.line_num

    rows = numbered()
    header_line, header, again = _header_row(rows, expected)
    source = TableSource(path=path, header=header, header_line=header_line, chunks=iter(()), notes=notes)
    source.chunks = _chunked(itertools.chain(again, rows), len(header), source.shape_problems)
    return source


def _sheet_with_columns(book, expected: frozenset[str], look: int = 20) -> str | None:
    """The first sheet naming one of the *expected* columns in its first *look* rows."""
    for name in book.sheetnames:
        for values in book[name].iter_rows(max_row=look, values_only=True):
            if expected & {_cell(v).strip() for v in values}:
                return name
    return None


def _open_excel(path: Path, sheet: str | None, prefer: tuple[str, ...], expected: frozenset[str]) -> TableSource:
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadError(f"not a readable Excel workbook ({type(exc).__name__}) — expected an .xlsx file "
                        f"saved by Excel or WPS") from None
    names = book.sheetnames
    if sheet is not None and sheet not in names:
        raise ReadError(f"no sheet {sheet!r} — expected one of the sheets {', '.join(names)}")
    notes = []
    if sheet is None:
        sheet = next((n for n in prefer if n in names), None) or _sheet_with_columns(book, expected) or names[0]
        if len(names) > 1:
            notes.append(f"sheet {sheet!r} read (the workbook has {', '.join(names)}; choose with --sheet)")

    def numbered() -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(book[sheet].iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]
        book.close()

    rows = numbered()
    header_line, header, again = _header_row(rows, expected)
    while header and header[-1] == "":
        header.pop()
    if not header:
        book.close()
        raise ReadError(f"sheet {sheet!r} is empty — expected a header row with the column names")
    source = TableSource(path=path, header=header, header_line=header_line, chunks=iter(()), notes=notes)

    def trimmed() -> Iterator[tuple[int, list[str]]]:
        width = len(header)
        for number, cells in itertools.chain(again, rows):
            while len(cells) > width and cells[-1] == "":
                cells.pop()
            yield number, cells

    source.chunks = _chunked(trimmed(), len(header), source.shape_problems)
    return source


def _arrow_text(column) -> np.ndarray:
    """An Arrow column as an object array of text ('' for null)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_timestamp(kind):
        values = column.to_pandas()
        text = np.where(values.dt.normalize() == values, values.dt.strftime("%Y-%m-%d"),
                        values.astype(str).to_numpy())
        return np.where(values.isna().to_numpy(), "", text).astype(object)
    if pa.types.is_floating(kind):
        values = column.to_numpy(zero_copy_only=False)
        whole = np.isfinite(values) & (np.mod(values, 1) == 0)
        text = np.where(whole, np.char.mod("%d", np.where(whole, values, 0).astype(np.int64)), values.astype(str))
        return np.where(np.isnan(values), "", text).astype(object)
    if pa.types.is_boolean(kind):
        column = pc.if_else(column, "true", "false")
    elif not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        try:
            column = pc.cast(column, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return np.array(["" if v is None else str(v) for v in column.to_pylist()], dtype=object)
    return column.fill_null("").to_numpy(zero_copy_only=False).astype(object)


def _open_parquet(path: Path) -> TableSource:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ReadError(f"not a readable Parquet file ({first}) — expected a complete Parquet file "
                        f"(truncated or damaged?)") from None
    arrow_schema = handle.schema_arrow
    header = list(arrow_schema.names)
    native = {f.name: str(f.type) for f in arrow_schema}

    def chunks() -> Iterator[Chunk]:
        start = 2
        try:
            for batch in handle.iter_batches(batch_size=CHUNK_ROWS):
                frame = pd.DataFrame({i: _arrow_text(batch.column(i)) for i in range(batch.num_columns)})
                yield Chunk(frame, np.arange(start, start + batch.num_rows))
                start += batch.num_rows
        except (pa.ArrowException, OSError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ReadError(f"Parquet data unreadable after row {start - 1} ({first}) — expected a complete "
                            f"Parquet file (truncated or damaged?)") from None

    return TableSource(path=path, header=header, header_line=1, chunks=chunks(), native_types=native)


def open_table(path: str | os.PathLike, *, sheet: str | None = None, encoding: str | None = None,
               prefer_sheets: tuple[str, ...] = (), columns: tuple[str, ...] = ()) -> TableSource:
    """Open an input file for checking.

    Parameters
    ----------
    path : path
        ``.csv`` (also ``.tsv``/``.txt``), ``.xlsx``/``.xlsm`` or ``.parquet``.
    sheet : str, optional
        Excel sheet; default the first of *prefer_sheets* present, else the first sheet.
    encoding : str, optional
        Declared text encoding; detected when not given.
    prefer_sheets : tuple of str
        Sheet names tried first (e.g. the schema name).
    columns : tuple of str
        Expected column names: the header is the first row naming one of them (rows above it, such as a
        workbook's title, are skipped); without them, the first non-empty row.

    Returns
    -------
    TableSource

    Raises
    ------
    ReadError
        Missing file, unsupported type, undecodable text, empty file, unreadable workbook or
        Parquet file, unknown sheet.
    """
    path = Path(path)
    if not path.exists():
        raise ReadError("file not found — expected an existing CSV, Excel or Parquet file")
    if path.is_dir():
        raise ReadError("is a folder — expected a CSV, Excel or Parquet file")
    suffix = path.suffix.lower()
    expected = frozenset(columns)
    try:
        if suffix in CSV_SUFFIXES:
            return _open_csv(path, encoding, expected)
        if suffix in EXCEL_SUFFIXES:
            return _open_excel(path, sheet, prefer_sheets, expected)
        if suffix in PARQUET_SUFFIXES:
            return _open_parquet(path)
    except PermissionError:
        raise ReadError("permission denied — expected a file this user can read") from None
    if suffix == ".xls":
        raise ReadError("old Excel format .xls — expected .xlsx (save the workbook as .xlsx) or CSV")
    raise ReadError(f"unsupported file type {suffix or '(no extension)'!r} — expected .csv, .xlsx or .parquet")
