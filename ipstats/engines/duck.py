"""The DuckDB engine: connections and the runner of the shared classify-and-count plan.

The concordance engine (:mod:`ipstats.concordance.engine`) and counting (:mod:`ipstats.counting.cube`) write
their plan once, in the SQL that DuckDB and Spark SQL share (``CAST(x AS DOUBLE)``, ``CASE``, ``VALUES``,
``bit_xor``, ``bool_or``, ``any_value``…), and hand each statement to a *runner* (执行器). A runner knows how
to materialise a query as a named table, load a small pandas table, read a query back, drop tables, spell a
64-bit hash and scan texts for keyword terms. :class:`DuckRunner` runs on a DuckDB connection;
:class:`ipstats.engines.spark.SparkRunner` runs on a SparkSession. Plain DuckDB connections are accepted
wherever a runner is (:func:`as_runner`).
"""

from __future__ import annotations

import functools
import os
import tempfile
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd

from ipstats.engines.scan import scan_texts, term_automaton

__all__ = [
    "DEFAULT_MEMORY",
    "MEMORY_ENV",
    "DuckRunner",
    "Runner",
    "as_runner",
    "columns_of",
    "connect",
    "find_terms",
    "memory_limit",
    "spill_folder",
    "without_progress_bar",
]


#: Environment variable: the memory limit of every DuckDB connection ipstats opens (validation, classification,
#: counting, demo data), e.g. ``8GB``; beyond it DuckDB spills to a temporary folder. The bulletin's notebooks
#: inherit it from the ``ipstats bulletin`` process.
MEMORY_ENV = "IPSTATS_DUCKDB_MEMORY"
#: The limit when :data:`MEMORY_ENV` is not set. DuckDB's own default (80 % of the machine's memory) would let
#: one query of a national register take a shared machine's memory; 2 GB spills instead, at little cost.
DEFAULT_MEMORY = "2GB"


def memory_limit(memory: str | None = None) -> str:
    """The DuckDB memory limit to use: *memory*, else ``$IPSTATS_DUCKDB_MEMORY``, else :data:`DEFAULT_MEMORY`."""
    return memory or os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY


def spill_folder() -> str:
    """A folder for one connection's spilled data, under the system's temporary folder, not yet created.

    DuckDB creates it when a query first spills and removes it when the connection closes; a folder of its own
    keeps connections of concurrent runs from sharing (and removing) each other's files. In-memory
    connections would otherwise spill to ``.tmp`` in the working folder (a notebook's output folder).
    """
    return str(Path(tempfile.gettempdir()) / f"ipstats-spill-{os.getpid()}-{uuid.uuid4().hex[:12]}")


def connect(memory: str | None = None, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection for ipstats work: in memory, no progress bar, a memory limit with spilling.

    Parameters
    ----------
    memory : str, optional
        Memory limit (``"2GB"``); default :func:`memory_limit` (``$IPSTATS_DUCKDB_MEMORY`` or 2GB).
    threads : int, optional
        Worker threads; default DuckDB's (one per core).
    """
    config = {"memory_limit": memory_limit(memory), "temp_directory": spill_folder()}
    if threads:
        config["threads"] = threads
    return without_progress_bar(duckdb.connect(config=config))


def without_progress_bar(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """*con* with DuckDB's progress bar off (it prints into logs and notebook outputs); returns *con*."""
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:
        # inside a Jupyter kernel DuckDB refuses to touch the setting without ipywidgets; it then shows no bar
        pass
    return con


class Runner(Protocol):
    """What the shared plan needs from an engine (see the module docstring)."""

    dialect: str

    def table(self, name: str, sql: str) -> str: ...
    def view(self, name: str, sql: str) -> str: ...
    def put(self, name: str, frame: pd.DataFrame) -> str: ...
    def df(self, sql: str) -> pd.DataFrame: ...
    def drop(self, *names: str) -> None: ...
    def hash64(self, expr: str) -> str: ...
    def find_terms(self, texts: str, patents_sql: str, terms: pd.DataFrame, name: str) -> str: ...


class DuckRunner:
    """Runs the shared plan on a DuckDB connection (temporary tables and views)."""

    dialect = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def table(self, name: str, sql: str) -> str:
        """Materialise *sql* as the temporary table *name* (replaced if it exists)."""
        self.drop(name)
        self.con.execute(f"CREATE TEMP TABLE {name} AS {sql}")
        return name

    def view(self, name: str, sql: str) -> str:
        """Create (or replace) the temporary view *name*."""
        self.drop(name)
        self.con.execute(f"CREATE TEMP VIEW {name} AS {sql}")
        return name

    def put(self, name: str, frame: pd.DataFrame) -> str:
        """Copy a small pandas table into the temporary table *name*."""
        self.con.register("_ipstats_put", frame)
        try:
            return self.table(name, "SELECT * FROM _ipstats_put")
        finally:
            self.con.unregister("_ipstats_put")

    def df(self, sql: str) -> pd.DataFrame:
        """Result of *sql* as a pandas DataFrame."""
        return self.con.execute(sql).df()

    def drop(self, *names: str) -> None:
        """Drop the tables and views called *names* that exist (views first: they depend on tables)."""
        found = self.con.execute(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE table_name IN (SELECT UNNEST(?::VARCHAR[]))",
            [list(names)],
        ).fetchall()
        for table, kind in sorted(found, key=lambda row: row[1] != "VIEW"):
            self.con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {table}")

    def hash64(self, expr: str) -> str:
        """A 64-bit hash of *expr* in DuckDB's spelling."""
        return f"hash({expr})"

    def find_terms(self, texts: str, patents_sql: str, terms: pd.DataFrame, name: str) -> str:
        """Keyword scan (:func:`find_terms`) into table *name*."""
        return find_terms(self.con, texts, patents_sql, terms, name)


def as_runner(con) -> Runner:
    """*con* itself when it is a runner, a :class:`DuckRunner` around a DuckDB connection."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        return DuckRunner(con)
    if hasattr(con, "dialect") and hasattr(con, "table"):
        return con
    raise TypeError(f"expected a DuckDB connection or an ipstats runner, got {type(con).__name__}")


def parted_table(run, name: str, sql: str, source: str, key: str, rows_per_pass: int) -> int:
    """Materialise *sql*, an aggregate grouped by *key* with a ``{where}`` slot, as the table *name*.

    On DuckDB, when *source* (what *sql* aggregates) has more than *rows_per_pass* rows (scaled by
    :func:`memory_scale`), in hash partitions of *key*: the first creates the table, the others insert into it.
    A group is never split (the key decides its partition), so the table is the one-pass table. DuckDB's
    aggregates spill, but at national scale (50 M patents as groups, hundreds of millions of rows) one of them
    still runs out of a 2 GB limit; partitions of tens of millions of rows do not. Other engines: one pass.
    Returns the number of passes.
    """
    if run.dialect != "duckdb":
        run.table(name, sql.format(where=""))
        return 1
    rows = run.con.execute(f"SELECT count(*) FROM {source}").fetchall()[0][0]  # fetched whole: nothing left open
    parts = passes(run.con, rows, rows_per_pass)
    if parts == 1:
        run.table(name, sql.format(where=""))
        return 1
    run.table(name, sql.format(where=f"WHERE hash({key}) % {parts} = 0"))
    for i in range(1, parts):
        run.con.execute(f"INSERT INTO {name} {sql.format(where=f'WHERE hash({key}) % {parts} = {i}')}").fetchall()
    return parts


def columns_of(con, source: str) -> list[str]:
    """The column names of table or view *source* on a DuckDB connection or any runner (no ``DESCRIBE``: Spark
    SQL has its own)."""
    return list(as_runner(con).df(f"SELECT * FROM {source} LIMIT 0").columns)


#: Most patents one pass of the keyword scan looks up (:func:`find_terms`) at the default memory limit (scaled by
#: :func:`memory_scale`): their set is held by DuckDB's join.
SCAN_KEYS = 2_000_000
_UNITS = {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}


def _limit_bytes(con: duckdb.DuckDBPyConnection) -> float | None:
    """The connection's memory limit as DuckDB shows it (``1.8 GiB``), in bytes; None when unreadable."""
    shown = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]  # fetched whole
    number, _, unit = str(shown).partition(" ")
    try:
        return float(number) * _UNITS[unit]
    except (KeyError, ValueError):
        return None


def memory_scale(con: duckdb.DuckDBPyConnection) -> float:
    """The memory limit of *con* relative to :data:`DEFAULT_MEMORY` (1.0 at the default; 8.0 at 16GB).

    Sizes of passes tuned at the default (:data:`SCAN_KEYS`, :data:`ipstats.counting.cube.ROLLUP_ROWS`) are
    multiplied by it, so a larger limit makes fewer passes and a smaller one smaller passes.
    """
    here, base = _limit_bytes(con), _default_limit_bytes()
    return here / base if here and base else 1.0


@functools.lru_cache(maxsize=1)
def _default_limit_bytes() -> float | None:
    """:data:`DEFAULT_MEMORY` as DuckDB states it (asked once per process, of a connection made for it)."""
    default = duckdb.connect(config={"memory_limit": DEFAULT_MEMORY})
    try:
        return _limit_bytes(default)
    finally:
        default.close()


def passes(con: duckdb.DuckDBPyConnection, rows: int, per_pass: int) -> int:
    """How many passes *rows* take at *per_pass* rows a pass at the default limit (scaled by :func:`memory_scale`)."""
    return max(1, -(-int(rows) // max(1, int(per_pass * memory_scale(con)))))


def find_terms(
    con: duckdb.DuckDBPyConnection,
    texts: str,
    patents_sql: str,
    terms: pd.DataFrame,
    name: str,
    batch_rows: int = 25_000,
) -> str:
    """Create table *name* (``patent_id``, ``term_id``) of every term occurring in a patent's text.

    The texts of the patents selected by *patents_sql* are streamed in Arrow batches, folded
    (:func:`ipstats.engines.scan.fold`) and scanned once with an Aho–Corasick automaton of all
    terms, so the cost grows with the length of the text, not with the number of rules or terms;
    overlapping and nested terms are all found.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
    texts : str
        View with ``patent_id`` and ``text``.
    patents_sql : str
        Query returning the ``patent_id`` values to scan.
    terms : pandas.DataFrame
        ``term_id`` and ``term`` (folded, as :func:`ipstats.concordance.keywords.split_terms` gives).
    name : str
        Table to create.
    batch_rows : int
        Texts per scanned batch. A batch is held about four times over (Arrow, Python strings, the joined and
        the folded text) while it is scanned, and ``2 × workers`` batches wait: 25,000 keeps that near 200 MB
        for texts of a few hundred characters, with the per-batch overhead still negligible.
    """
    import pyarrow as pa

    scanner = term_automaton(terms)
    # IN holds the patents to scan in memory (a mark join): above SCAN_KEYS of them (per 2 GB) the scan is made in
    # hash partitions of the patents, each with its share of them, so that the key digital technologies of a
    # 50 M register fit a 2 GB limit (one pass over the texts per partition; one pass, as before, below)
    keys = con.execute(f"SELECT count(DISTINCT patent_id) FROM ({patents_sql})").fetchall()[0][0]
    parts = passes(con, keys, SCAN_KEYS)
    found_ids, found_terms = [], []
    for part in range(parts):
        share = "" if parts == 1 else f" WHERE hash(patent_id) % {parts} = {part}"
        reader = con.sql(
            f"SELECT t.patent_id, t.text FROM {texts} t "
            f"WHERE t.patent_id IN (SELECT patent_id FROM ({patents_sql}){share})"
        ).to_arrow_reader(batch_rows)
        ids_, terms_ = _scan_batches(reader, scanner)
        found_ids += ids_
        found_terms += terms_
    hits = pa.table(
        {
            "patent_id": pa.chunked_array(found_ids, pa.string()),
            "term_id": pa.chunked_array(found_terms, pa.int64()),
        }
    )
    con.register("_ipstats_hits_arrow", hits)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _ipstats_hits_arrow")
    con.unregister("_ipstats_hits_arrow")
    return name


def _scan_batches(reader, scanner) -> tuple[list, list]:
    """The keyword hits of every batch of *reader* (Arrow chunks of patent ids and term ids, one per batch)."""

    def scan(batch):  # the automaton releases the GIL: batches are scanned on several threads
        return scan_texts(scanner, batch.column(0), batch.column(1))

    found_ids, found_terms = [], []  # Arrow chunks, one per batch
    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        for batch in reader:
            pending.append(pool.submit(scan, batch))
            while len(pending) > 2 * workers:  # bounded: a national register never sits in memory
                ids_, terms_ = pending.popleft().result()
                found_ids.append(ids_)
                found_terms.append(terms_)
        for future in pending:
            ids_, terms_ = future.result()
            found_ids.append(ids_)
            found_terms.append(terms_)
    return found_ids, found_terms
