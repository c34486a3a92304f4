"""Read an input file as text cells, chunk by chunk, with the row numbers a person sees in the file.

CSV text is decoded as UTF-8 (with or without BOM), else GBK/GB18030 (检测编码); Excel workbooks
(``.xlsx``/``.xlsm``) are read sheet by sheet with their row numbers; Parquet is read in record
batches. Every cell becomes a string (``""`` when empty) so that one set of checks serves all formats:
Excel and Parquet dates become ``YYYY-MM-DD``, whole numbers lose their ``.0``.

Memory stays bounded whatever the file: more than :data:`MAX_COLUMNS` columns, a cell over
:data:`MAX_CELL_CHARS`, or a Parquet row group over :data:`MAX_ROW_GROUP_BYTES` is refused with one line; Parquet
text columns are read as dictionaries, so the decoded size of a batch is known (and bounded by slicing) before
it is decoded.
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
from typing import Iterable, Iterator

import numpy as np
import pandas as pd
from ipstats.errors import InputError

__all__ = [
    "BATCH_BYTES",
    "BLOCK_ENCODINGS",
    "CHUNK_ROWS",
    "DECODE_BYTES",
    "Chunk",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_ROW_GROUP_BYTES",
    "ReadError",
    "TableSource",
    "decode_text",
    "open_table",
]

CHUNK_ROWS = 200_000
SAMPLE_BYTES = 8 << 20  # the encoding is decided on the first 8 MiB of a CSV file
DECODE_BYTES = 4 << 20  # a CSV file is decoded by blocks of about this size, cut at line feeds
#: Encodings in which the byte 0x0A is always a line feed and nothing else (ASCII-compatible, multi-byte
#: sequences of bytes ≥ 0x40), decoded by blocks; any other declared encoding is decoded line by line.
BLOCK_ENCODINGS = frozenset(
    {"utf-8", "utf-8-sig", "gbk", "gb18030", "gb2312", "big5", "big5hkscs", "ascii", "iso8859-1"}
)
#: Absurd shapes are refused with one line before they can use the machine's memory (issue 25).
MAX_COLUMNS = 1_000
MAX_CELL_CHARS = 1 << 20  # 1 MiB: a cell larger than this is not a statistical table's cell
MAX_ROW_GROUP_BYTES = 2 << 30  # uncompressed bytes of one Parquet row group, as its metadata says
BATCH_BYTES = 16 << 20  # decoded text per Parquet batch (a batch is cut into slices to stay below)
csv.field_size_limit(MAX_CELL_CHARS)
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")


class ReadError(InputError):
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
    dialect : (str, str) or None
        A CSV file's encoding and delimiter as the reader found them (None for other formats).
    """

    path: Path
    header: list[str]
    header_line: int
    chunks: Iterator[Chunk]
    notes: list[str] = field(default_factory=list)
    shape_problems: list[tuple[int, str]] = field(default_factory=list)
    native_types: dict[str, str] = field(default_factory=dict)
    dialect: tuple[str, str] | None = None


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
            raise ReadError(
                f"not {encoding} text (byte 0x{data[exc.start]:02X} at offset {exc.start}) — "
                f"expected the declared encoding {encoding}"
            ) from None
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
    raise ReadError(
        f"not text in UTF-8, GBK or GB18030 (byte 0x{data[offset]:02X} at offset {offset}) — "
        f"expected a CSV file saved as UTF-8 (or GBK/GB18030)"
    )


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
    return (
        pd.DataFrame(rows, columns=range(width), dtype=object)
        if rows
        else pd.DataFrame({i: pd.Series([], dtype=object) for i in range(width)})
    )


def _fit(row: list[str], width: int, line: int, problems: list[tuple[int, str]]) -> list[str]:
    if len(row) != width:
        problems.append((line, f"{len(row)} cells — expected {width}, one per column of the header"))
        row = (row + [""] * width)[:width]
    return row


def _chunked(
    numbered_rows: Iterator[tuple[int, list[str]]], width: int, problems: list[tuple[int, str]]
) -> Iterator[Chunk]:
    """Group (row number, cells) into chunks, skipping blank rows and fitting rows to the header width."""
    rows, lines = [], []
    for number, cells in numbered_rows:
        if not "".join(cells).strip():  # every cell blank (one join, not a strip per cell)
            continue
        rows.append(cells if len(cells) == width else _fit(cells, width, number, problems))
        lines.append(number)
        if len(rows) >= CHUNK_ROWS:
            yield Chunk(_frame(rows, width), np.asarray(lines))
            rows, lines = [], []
    if rows:
        yield Chunk(_frame(rows, width), np.asarray(lines))


def _header_row(
    rows: Iterator[tuple[int, list[str]]], expected: frozenset[str], look: int = 20
) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
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
    return number, [c.strip() for c in cells], seen[pick + 1 :]


def _check_width(columns: int) -> None:
    if columns > MAX_COLUMNS:
        raise ReadError(f"{columns:,} columns — expected at most {MAX_COLUMNS:,} (is this a table?)")


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _decoded_lines(path: Path, encoding: str) -> Iterator[str]:
    """The lines of a text file, decoded so that a bad byte is reported with its row and offset.

    The bytes are split on line feeds, which is safe for UTF-8, GBK and GB18030 (no multi-byte character
    contains 0x0A): by blocks for those (:func:`_decoded_blocks`), one by one for another declared encoding;
    UTF-16 is decoded by Python's text reader instead.
    """
    if encoding.startswith("utf-16"):
        return _text_lines(path, encoding)
    if codecs.lookup(encoding).name in BLOCK_ENCODINGS:  # the lines straight from the blocks, no generator
        return itertools.chain.from_iterable(_decoded_blocks(path, encoding))
    return _lines_one_by_one(path, encoding)


def _text_lines(path: Path, encoding: str) -> Iterator[str]:
    with open(path, encoding=encoding, newline="") as fh:
        yield from fh


def _lines_one_by_one(path: Path, encoding: str) -> Iterator[str]:
    with open(path, "rb") as fh:
        yield from _decode_each(fh, codecs.getincrementaldecoder(encoding)(), encoding, 1, 0)


def _decode_each(raws: Iterable[bytes], decoder, encoding: str, number: int, offset: int) -> Iterator[str]:
    """Each line of bytes *raws* decoded by *decoder*; a bad byte is a ReadError naming the row *number* and the
    *offset* in the file (both counted from the first line of *raws*)."""
    for raw in raws:
        try:
            yield decoder.decode(raw)
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"not {encoding} text in row {number} (byte 0x{raw[exc.start]:02X} at offset "
                f"{offset + exc.start}) — expected one encoding throughout the file (declare it "
                f"with --encoding)"
            ) from None
        number += 1
        offset += len(raw)


def _decoded_blocks(path: Path, encoding: str) -> Iterator[list[str]]:
    """:func:`_decoded_lines` by blocks of about :data:`DECODE_BYTES` cut at line feeds:
    a block is decoded at once and split into its lines, so a 50 M-row register is not decoded line by line in
    Python. The lines are those of the bytes split at line feeds, decoded by one incremental decoder, as
    before; a block with a bad byte is decoded again line by line from the decoder's state at its start, to
    name the row and the offset of the first bad byte."""
    decoder = codecs.getincrementaldecoder(encoding)()
    number, offset, rest = 1, 0, b""
    with open(path, "rb") as fh:
        while True:
            data = fh.read(DECODE_BYTES)
            block = rest + data
            cut = block.rfind(b"\n") + 1 if data else len(block)
            block, rest = block[:cut], block[cut:]
            if not block:
                if not data:
                    return
                continue
            state = decoder.getstate()
            try:
                lines = decoder.decode(block).split("\n")
            except UnicodeDecodeError:
                # the lines before the bad byte, as line-by-line decoding gave them, then its ReadError
                yield from _bad_block(block, encoding, state, number, offset)
            last = lines.pop()  # after the block's last line feed: empty, or the file's unterminated last line
            lines = [line + "\n" for line in lines]
            if last:
                lines.append(last)
            yield lines
            number += len(lines)
            offset += len(block)


def _bad_block(block: bytes, encoding: str, state, number: int, offset: int) -> Iterator[list[str]]:
    """Decode *block* (row *number* at byte *offset* of the file, decoder *state*) line by line: the lines before
    its first bad byte (one list), then the ReadError naming that byte."""
    decoder = codecs.getincrementaldecoder(encoding)()
    decoder.setstate(state)
    good: list[str] = []
    try:
        for line in _decode_each(io.BytesIO(block), decoder, encoding, number, offset):
            good.append(line)
    except ReadError:
        yield good
        raise
    raise ReadError(f"not {encoding} text in the {len(block):,} bytes from offset {offset}")


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
    first_line = text.lstrip("\ufeff\r\n").split("\n", 1)[0]
    delimiter = _sniff_delimiter(first_line[: 1 << 16])
    _check_width(first_line.count(delimiter) + 1)
    reader = csv.reader(io.StringIO(text, newline="") if whole else _decoded_lines(path, used), delimiter=delimiter)

    def numbered() -> Iterator[tuple[int, list[str]]]:
        previous = 0
        try:
            for row in reader:  # a loop over the reader, not next() in a try per row: 50 M rows
                if len(row) > MAX_COLUMNS:
                    _check_width(len(row))
                yield previous + 1, row
                previous = reader.line_num
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise ReadError(
                    f"row {previous + 1}: a cell of more than {MAX_CELL_CHARS:,} characters — "
                    f"expected cells of at most 1 MiB (is this a table?)"
                ) from None
            raise ReadError(
                f"row {previous + 1}: not CSV ({exc}) — expected rows of cells separated by {delimiter!r}"
            ) from None

    rows = numbered()
    header_line, header, again = _header_row(rows, expected)
    source = TableSource(
        path=path, header=header, header_line=header_line, chunks=iter(()), notes=notes, dialect=(used, delimiter)
    )
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
        raise ReadError(
            f"not a readable Excel workbook ({type(exc).__name__}) — expected an .xlsx file saved by Excel or WPS"
        ) from None
    names = book.sheetnames
    if sheet is not None and sheet not in names:
        raise ReadError(f"no sheet {sheet!r} — expected one of the sheets {', '.join(names)}")
    notes = []
    if sheet is None:
        sheet = next((n for n in prefer if n in names), None) or _sheet_with_columns(book, expected) or names[0]
        if len(names) > 1:
            notes.append(f"sheet {sheet!r} read (the workbook has {', '.join(names)}; choose with --sheet)")

    width = book[sheet].max_column or 0
    if width > MAX_COLUMNS:
        book.close()
        _check_width(width)

    def numbered() -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(book[sheet].iter_rows(values_only=True), start=1):
            _check_width(len(values))
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
            if len(cells) < width:  # a workbook stores no trailing empty cells: they are empty, not missing
                cells = cells + [""] * (width - len(cells))
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
        text = np.where(values.dt.normalize() == values, values.dt.strftime("%Y-%m-%d"), values.astype(str).to_numpy())
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


def _parquet_error(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"not a readable Parquet file ({first}) — expected a complete Parquet file (truncated or damaged?)"


def _slices(batch, start: int):
    """Cut a batch whose text would decode to more than BATCH_BYTES into slices (dictionary columns: the
    lengths of the values each row points to); a cell over MAX_CELL_CHARS bytes is refused with its row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    size = 0
    for name, column in zip(batch.schema.names, batch.columns):
        if not pa.types.is_dictionary(column.type):
            size += column.nbytes
            continue
        if not (
            pa.types.is_string(column.type.value_type)
            or pa.types.is_large_string(column.type.value_type)
            or pa.types.is_binary(column.type.value_type)
        ):
            size += column.nbytes
            continue
        lengths = pc.binary_length(column.dictionary)
        longest = pc.max(lengths).as_py() or 0
        if longest > MAX_CELL_CHARS:
            long_values = pc.greater(lengths, MAX_CELL_CHARS)
            row = pc.index(pc.take(long_values, column.indices), True).as_py()
            raise ReadError(
                f"row {start + row}: {name}: a cell of {longest:,} bytes — expected cells of at most "
                f"1 MiB (is this a table?)"
            )
        size += (pc.sum(pc.take(lengths, column.indices)).as_py() or 0) + column.indices.nbytes
    parts = max(1, -(-size // BATCH_BYTES))
    step = -(-batch.num_rows // parts)
    for offset in range(0, batch.num_rows, step):
        yield batch.slice(offset, step)


def _open_parquet(path: Path) -> TableSource:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
        arrow_schema = handle.schema_arrow
        _check_width(len(arrow_schema.names))
        meta = handle.metadata
        for i in range(meta.num_row_groups):
            group = meta.row_group(i)
            if group.total_byte_size > MAX_ROW_GROUP_BYTES:
                raise ReadError(
                    f"row group {i + 1} holds {group.total_byte_size / 2**30:,.1f} GiB uncompressed "
                    f"— expected row groups of at most {MAX_ROW_GROUP_BYTES >> 30} GiB (write the file "
                    f"with smaller row groups)"
                )
        text = [
            f.name
            for f in arrow_schema
            if pa.types.is_string(f.type) or pa.types.is_large_string(f.type) or pa.types.is_binary(f.type)
        ]
        handle = pq.ParquetFile(path, read_dictionary=text) if text else handle
    except (pa.ArrowException, OSError) as exc:
        raise ReadError(_parquet_error(exc)) from None
    header = list(arrow_schema.names)
    native = {f.name: str(f.type) for f in arrow_schema}
    widest = max(
        (meta.row_group(i).total_byte_size / max(meta.row_group(i).num_rows, 1) for i in range(meta.num_row_groups)),
        default=1.0,
    )
    rows = int(max(1_000, min(CHUNK_ROWS, BATCH_BYTES // max(widest, 1.0))))

    def chunks() -> Iterator[Chunk]:
        start = 2
        try:
            for batch in handle.iter_batches(batch_size=rows):
                for part in _slices(batch, start):
                    frame = pd.DataFrame({i: _arrow_text(part.column(i)) for i in range(part.num_columns)})
                    yield Chunk(frame, np.arange(start, start + part.num_rows))
                    start += part.num_rows
        except (pa.ArrowException, OSError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ReadError(
                f"Parquet data unreadable after row {start - 1} ({first}) — expected a complete "
                f"Parquet file (truncated or damaged?)"
            ) from None

    return TableSource(path=path, header=header, header_line=1, chunks=chunks(), native_types=native)


def open_table(
    path: str | os.PathLike,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    prefer_sheets: tuple[str, ...] = (),
    columns: tuple[str, ...] = (),
) -> TableSource:
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
