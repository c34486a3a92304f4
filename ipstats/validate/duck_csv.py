"""A CSV file read by DuckDB's own CSV reader, where it reads the file exactly as the Python reader does.

The DuckDB validation engine needs a file's cells as text with their row numbers (view ``src``: ``_line``, ``c0``
…). For a CSV file the Python reader (:mod:`ipstats.validate.readers`, the :mod:`csv` module) gives them at about
100,000 rows a second; DuckDB's reader is many times faster. The two agree on well-formed files and differ on
some malformed ones (DuckDB drops spaces around a quoted cell, skips empty lines, needs one line ending), so
:func:`stage_csv` reads with DuckDB only a file in which none of those can occur, and only when the result
proves it read every line:

* the whole file decodes in the encoding the reader found (a GBK or GB18030 file is copied to UTF-8 for DuckDB);
* it has one line ending throughout (``\\n``, or ``\\r\\n`` with no other ``\\r`` or ``\\n``), the header is
  line 1 and holds no quote, and no quote touches a space or a tab (unless the tab is the delimiter);
* DuckDB parses it in strict mode: every row has the header's number of cells, every quote is closed;
* no cell is longer than the reader's limit, and the file's lines are the header's, the rows' and the line
  breaks inside quoted cells, one for one (so no line was skipped or merged).

Any other file is read by the Python reader (None is returned): the same cells, slower. Row numbers are those of
the Python reader: the line where a row starts, blank rows skipped but counted.
"""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path

from ipstats.engines.sql import sql_text
from ipstats.validate import readers
from ipstats.validate.core import SPACE_CLASS
from ipstats.validate.readers import BLOCK_ENCODINGS, TableSource

__all__ = ["stage_csv"]

log = logging.getLogger(__name__)


def _scan(path: Path, encoding: str, delimiter: str, copy: Path | None) -> int | None:
    """Decode *path* by blocks (writing UTF-8 to *copy* when given): its number of lines, or None when it does
    not decode or has what DuckDB would read otherwise than the Python reader."""
    # spaces between a cell's edge and its quote: DuckDB drops them (' "a"' and '"a" ' read as a), the csv
    # module keeps them; a match inside a quoted cell ('"x, ""y"""') only sends the file to the Python reader
    spaces = "".join(w for w in " \t" if w != delimiter)
    edge = re.escape(delimiter)
    touching = re.compile(f'[{edge}\n][{spaces}]+"|"[{spaces}]+[{edge}\r\n]')
    at_end = re.compile(f'"[{spaces}]+\\Z')
    decoder = codecs.getincrementaldecoder(encoding)()
    counts = {"\n": 0, "\r": 0, "\r\n": 0}
    last, carry, first_line = "", "", None
    out = open(copy, "w", encoding="utf-8", newline="") if copy else None
    try:
        with open(path, "rb") as fh:
            while data := fh.read(readers.DECODE_BYTES):
                try:
                    text = decoder.decode(data)
                except UnicodeDecodeError:
                    return None
                if first_line is None:
                    first_line = text.split("\n", 1)[0]
                joined = carry + text  # an edge, spaces and a quote may meet across blocks
                pairs = (f'{w}"' in joined or f'"{w}' in joined for w in spaces)  # str search first: fast
                if any(pairs) and touching.search(joined):
                    return None
                kept = len(joined.rstrip(spaces))
                carry = joined[max(kept - 1, 0) :]  # the last other character and the spaces after it
                for mark in counts:
                    counts[mark] += text.count(mark)
                counts["\r\n"] += int(last == "\r" and text.startswith("\n"))
                if out is not None:
                    out.write(text)
                last = text[-1:] or last
        try:
            tail = decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
        if tail or first_line is None or '"' in first_line or at_end.search(carry):
            return None
    finally:
        if out is not None:
            out.close()
    if counts["\r"] and not counts["\r"] == counts["\r\n"] == counts["\n"]:
        return None  # one line ending throughout: \n, or \r\n with no other \r or \n
    return counts["\n"] + int(last != "\n")


def stage_csv(con, source: TableSource, folder: Path, view: str = "src") -> list[int] | None:
    """View *view* (``_line``, ``c0`` …) over *source*'s CSV file read by DuckDB, or None (nothing created) where
    the Python reader must read it (see the module docstring). Returns the first row number of each of the
    Python reader's chunks (for the order of notes)."""
    import duckdb

    if source.dialect is None or source.header_line != 1:
        return None
    encoding, delimiter = source.dialect
    name = codecs.lookup(encoding).name
    if name not in BLOCK_ENCODINGS:
        return None
    copy = None if name in ("utf-8", "utf-8-sig", "ascii") else folder / f"{view}_utf8.csv"
    lines = _scan(source.path, encoding, delimiter, copy)
    if lines is None:
        return None
    # its one line ending DuckDB finds itself (new_line='\r\n' read no rows in DuckDB 2.0)
    width = len(source.header)
    cols = [f"c{i}" for i in range(width)]
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in cols) + "}"
    raw = folder / f"{view}_rows.parquet"
    con.execute("SET preserve_insertion_order = true")  # the rows in the file's order, numbered by position
    try:
        con.execute(
            f"COPY (SELECT * FROM read_csv({sql_text(str(copy or source.path))}, delim={sql_text(delimiter)}, "
            f"quote='\"', escape='\"', header=false, skip=1, all_varchar=true, strict_mode=true, "
            f"null_padding=false, auto_detect=false, max_line_size={readers.MAX_CELL_CHARS}, "
            f"columns={columns})) "
            f"TO {sql_text(str(raw))} (FORMAT parquet)"
        )
    except duckdb.Error as exc:
        log.debug("%s: DuckDB does not read it as the Python reader does (%s)", source.path, exc)
        return None
    finally:
        con.execute("SET preserve_insertion_order = false")
        if copy is not None:
            copy.unlink(missing_ok=True)
    import pyarrow.parquet as pq

    rows, inside = pq.ParquetFile(raw).metadata.num_rows, 0
    breaks = " + ".join(f"coalesce(length({c}) - length(replace({c}, chr(10), '')), 0)" for c in cols)
    if rows != lines - 1:  # line breaks in quoted cells (or lines DuckDB skipped): count them
        inside, longest = con.execute(
            f"SELECT coalesce(sum({breaks}), 0), greatest({', '.join(f'max(length({c}))' for c in cols)}) "
            f"FROM read_parquet({sql_text(str(raw))})"
        ).fetchone()
        if (longest or 0) >= readers.MAX_CELL_CHARS or lines != 1 + rows + inside:
            log.debug(
                "%s: %s lines, %s rows, %s line breaks in cells: the Python reader", source.path, lines, rows, inside
            )
            return None
    # else every row is one line, shorter than DuckDB's max_line_size: no cell reaches the reader's limit
    cells = ", ".join(f"coalesce({c}, '') AS {c}" for c in cols)
    before = f"coalesce(sum({breaks}) OVER (ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)"
    line = f"CAST(i + 2 + {before} AS BIGINT)" if inside else "CAST(i + 2 AS BIGINT)"
    blank = f"regexp_full_match(concat({', '.join(cols)}), '{SPACE_CLASS}*')"  # as the reader skips blank rows
    target = folder / f"{view}_cells.parquet"
    written = con.execute(
        f"COPY (SELECT {line} AS _line, {cells} FROM (SELECT file_row_number AS i, * EXCLUDE (file_row_number) "
        f"FROM read_parquet({sql_text(str(raw))}, file_row_number = true)) WHERE NOT {blank}) "
        f"TO {sql_text(str(target))} (FORMAT parquet)"
    ).fetchone()[0]
    raw.unlink(missing_ok=True)
    con.execute(f"CREATE VIEW {view} AS SELECT * FROM read_parquet({sql_text(str(target))})")
    if written == rows and not inside:  # row k is on line k + 2
        return list(range(2, rows + 2, readers.CHUNK_ROWS))
    starts = con.execute(
        f"SELECT _line FROM (SELECT _line, row_number() OVER (ORDER BY _line) - 1 AS k FROM {view}) "
        f"WHERE k % {readers.CHUNK_ROWS} = 0 ORDER BY _line"
    ).fetchall()
    return [int(s) for (s,) in starts]
