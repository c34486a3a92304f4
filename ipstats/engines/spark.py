"""The Spark engine (分布式计算): the same plan as DuckDB, for registers beyond one machine.

Nothing here is a second implementation of the counting rules. :class:`SparkRunner` is a runner
(:mod:`ipstats.engines.duck` describes the interface): it runs the SQL text that
:func:`ipstats.concordance.classify_table`, :func:`ipstats.counting.rollup` and
:func:`ipstats.counting.count_classified` write for every engine; :func:`open_spark_register` makes the
Spark views of the Parquet files they read (:func:`ipstats.concordance.api.open_inputs` reads every
other input for it).

What is distributed and what stays on the driver
------------------------------------------------
* **executors**: reading the register and the patent–IPC links (Parquet, any path Spark reads), the
  distinct codes, the join of the links to code signatures, each patent's signature set (two 64-bit set
  hashes, ``xxhash64`` here, ``hash`` in DuckDB), the keyword scan of titles/abstracts (``mapInArrow``
  with the same Aho–Corasick batch scan as DuckDB, :func:`ipstats.concordance.engine.scan_texts`), the
  patents classified one by one, and the counting joins and aggregations;
* **driver**: the distinct IPC codes (tens of thousands, whatever the register size) are resolved against
  the rules in pandas (:func:`ipstats.concordance.resolve_codes`) and given signatures; those small
  tables go back to Spark (broadcast joins). The cube (a few thousand rows) comes back through Arrow and
  DuckDB's Arrow→pandas conversion, so its columns, dtypes and order are those of the DuckDB engine.

Executors need Python with ipstats and its dependencies (pandas, pyarrow, ahocorasick_rs) installed, the
same version as the driver (e.g. ship a packed virtualenv with ``spark.archives`` on YARN/Kubernetes).
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

from ipstats.engines.scan import scan_texts, term_automaton
from ipstats.engines.settings import EngineSettings, engine_settings
from ipstats.engines.sql import text_sql
from ipstats.errors import InputError

__all__ = ["SparkRunner", "open_spark_register", "spark_runner", "spark_session"]

#: Spark properties set unless the caller's config sets them.
DEFAULTS = {"spark.ui.showConsoleProgress": "false", "spark.sql.session.timeZone": "UTC"}


def spark_session(settings: EngineSettings | dict | str = "spark"):
    """The active SparkSession, or a new one built from *settings*.

    Returns
    -------
    (pyspark.sql.SparkSession, bool)
        The session and whether it was created here (then the caller stops it).

    Raises
    ------
    RuntimeError
        PySpark is not installed or Java cannot be found.
    """
    settings = engine_settings(settings)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise RuntimeError("engine 'spark' needs PySpark: pip install pyspark (and Java 17 or 21)") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    builder = SparkSession.builder.appName(settings.app_name)
    config = {**DEFAULTS, **{k: str(v) for k, v in settings.config.items()}}
    if settings.master:
        builder = builder.master(settings.master)
        if settings.master.startswith("local"):
            # local mode: Python workers are this interpreter, which has ipstats installed
            # (PySpark reads the worker interpreter from the environment, not from the config)
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in config.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate(), True
    except Exception as exc:  # Java gateway errors are plain exceptions
        raise RuntimeError(
            f"cannot start Spark (master {settings.master or 'from spark-submit'}): "
            f"{str(exc).splitlines()[0]}. Is Java 17/21 installed and JAVA_HOME set?"
        ) from exc


class SparkRunner:
    """Runs the shared plan on a SparkSession: tables are local checkpoints behind temporary views.

    A table is computed once and cut from its lineage (``localCheckpoint``), so dropping the tables it
    was built from neither recomputes it nor keeps their plans alive.
    """

    dialect = "spark"

    def __init__(self, spark):
        self.spark = spark
        self._cached: dict[str, object] = {}

    def table(self, name: str, sql: str) -> str:
        """Materialise *sql* (computed now, lineage cut) as the temporary view *name*."""
        frame = self.spark.sql(sql).localCheckpoint(eager=True)
        self.drop(name)
        frame.createOrReplaceTempView(name)
        self._cached[name] = frame
        return name

    def view(self, name: str, sql: str) -> str:
        """Create (or replace) the temporary view *name*."""
        self.drop(name)
        self.spark.sql(sql).createOrReplaceTempView(name)
        return name

    def put(self, name: str, frame: pd.DataFrame) -> str:
        """Send a small pandas table from the driver (through Arrow) as the cached view *name*."""
        import pyarrow as pa

        return self.put_arrow(name, pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False))

    def put_arrow(self, name: str, table) -> str:
        """Send an Arrow table from the driver as the view *name* (an untyped empty column holds strings)."""
        import pyarrow as pa

        table = table.cast(
            pa.schema([pa.field(f.name, pa.string() if pa.types.is_null(f.type) else f.type) for f in table.schema])
        )
        self.drop(name)
        self.spark.createDataFrame(table).createOrReplaceTempView(name)
        return name

    def df(self, sql: str) -> pd.DataFrame:
        """Result of *sql* as pandas, converted from Arrow as DuckDB converts (same dtypes as the DuckDB engine)."""
        import duckdb

        arrow = self.spark.sql(sql).toArrow()
        con = duckdb.connect()
        try:
            return con.from_arrow(arrow).df()
        finally:
            con.close()

    def drop(self, *names: str) -> None:
        """Drop the temporary views *names* that exist and release their cache."""
        for name in names:
            cached = self._cached.pop(name, None)
            if cached is not None:
                cached.unpersist()
            self.spark.catalog.dropTempView(name)

    def close(self) -> None:
        """Release every table cached by this runner."""
        self.drop(*list(self._cached))

    def hash64(self, expr: str) -> str:
        """A 64-bit hash of *expr* in Spark's spelling."""
        return f"xxhash64({expr})"

    def find_terms(self, texts: str, patents_sql: str, terms: pd.DataFrame, name: str) -> str:
        """Keyword scan on the executors: table *name* (``patent_id``, ``term_id``) of every term found.

        Each task builds the Aho–Corasick automaton of the terms once and scans its Arrow batches with
        :func:`ipstats.engines.scan.scan_texts`, the scan DuckDB uses.
        """
        wanted = terms[["term_id", "term"]].drop_duplicates("term_id").reset_index(drop=True)

        def scan_partition(batches: Iterator) -> Iterator:
            import pyarrow as pa

            scanner = term_automaton(wanted)
            for batch in batches:
                ids, found = scan_texts(scanner, batch.column(0), batch.column(1))
                yield pa.RecordBatch.from_arrays([ids, found], names=["patent_id", "term_id"])

        source = self.spark.sql(f"SELECT t.patent_id, t.text FROM {texts} t WHERE t.patent_id IN ({patents_sql})")
        hits = source.mapInArrow(scan_partition, "patent_id string, term_id bigint").localCheckpoint(eager=True)
        self.drop(name)
        hits.createOrReplaceTempView(name)
        self._cached[name] = hits
        return name


@contextmanager
def spark_runner(settings: EngineSettings | dict | str = "spark") -> Iterator[SparkRunner]:
    """A :class:`SparkRunner` on the active or a new session; the session is stopped only if created here."""
    session, created = spark_session(settings)
    run = SparkRunner(session)
    try:
        yield run
    finally:
        run.close()
        if created:
            session.stop()


def _beside(path: str, name: str) -> str:
    """The path of file *name* in the folder of *path* (local path or URI such as ``s3a://bucket/x/register.parquet``)."""
    text = str(path).rstrip("/")
    return f"{text.rsplit('/', 1)[0]}/{name}" if "/" in text else name


def open_spark_register(run: SparkRunner, register: str | Path, links: str | Path | None = None) -> str | None:
    """Create the Spark views ``register``, ``links`` (patent_id, ipc, cached) and ``texts`` for a Parquet register.

    Parameters
    ----------
    run : SparkRunner
    register : path or str
        Parquet file or folder of parts, any path Spark reads.
    links : path or str, optional
        Parquet of the patent–IPC links (``application_number``, ``ipc`` canonical codes); default
        ``register_ipc.parquet`` beside the register (as :func:`ipstats.register.demo.write_demo_data` writes).

    Returns
    -------
    str or None
        ``"texts"``, or None when the register has neither ``title`` nor ``abstract``.

    Raises
    ------
    InputError
        A file Spark cannot read, or missing columns.
    """
    register = str(register)
    links = str(links) if links is not None else _beside(register, "register_ipc.parquet")
    if (
        not register.lower().rstrip("/").endswith((".parquet", ".pq"))
        and "://" not in register
        and not Path(register).is_dir()
    ):
        raise InputError(
            f"{register}: Spark reads a Parquet register (a file or a folder of parts) here; a local "
            f"CSV or workbook is read through ipstats.concordance.api.open_inputs"
        )
    frames = {}
    for role, path in (("register", register), ("links", links)):
        try:
            frames[role] = run.spark.read.parquet(path)
        except Exception as exc:
            raise InputError(f"{path}: Spark cannot read the {role} Parquet ({str(exc).splitlines()[0]})") from None
    for role, needed in (("register", ["application_number", "patent_type"]), ("links", ["application_number", "ipc"])):
        missing = [c for c in needed if c not in frames[role].columns]
        if missing:
            raise InputError(f"{register if role == 'register' else links}: needs column(s) {', '.join(missing)}")
    frames["register"].createOrReplaceTempView("register")
    frames["links"].createOrReplaceTempView("_ipstats_links_file")
    run.table(
        "links",
        "SELECT CAST(application_number AS STRING) AS patent_id, CAST(ipc AS STRING) AS ipc FROM _ipstats_links_file",
    )
    sql = text_sql("register", "application_number", frames["register"].columns)
    if sql is None:
        return None
    return run.view("texts", sql)
