"""Classify a register file, any CSV of patents, or a DataFrame with one call.

Input forms
-----------
* a register (``application_number`` column, Parquet or CSV): IPC links come from
  ``register_ipc.parquet`` beside it when present, else from its ``ipc`` column; text is ``title``
  (and ``abstract`` when present);
* any table with ``patent_id`` and ``ipc`` columns (cells may hold several symbols in any spelling),
  optionally ``title`` and ``abstract``.

Raw IPC cells are parsed once per distinct spelling (:func:`ipstats.ipc.parse_many`), never row by row.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from ipstats.concordance.engine import classify_links
from ipstats.concordance.system import System, load_system
from ipstats.ipc import ParseReport, parse_distinct
from ipstats.register.io import open_register
from ipstats.engines.duck import connect
from ipstats.engines.open import open_runner
from ipstats.engines.settings import EngineSettings
from ipstats.engines.spark import open_spark_register
from ipstats.engines.sql import sql_parquet, text_sql
from ipstats.errors import InputError

__all__ = [
    "InputError",
    "classify",
    "classify_frame",
    "links_from_frame",
    "links_from_register",
    "open_inputs",
    "register_key",
]


def _links_from_cells(
    con: duckdb.DuckDBPyConnection, source: str, id_col: str, ipc_col: str, name: str = "links"
) -> ParseReport:
    """Create view *name* (patent_id, ipc) by splitting and parsing multi-value IPC cells of *source*."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _ipstats_parts AS
        SELECT {id_col}::VARCHAR AS patent_id, trim(part) AS raw
        FROM (SELECT {id_col}, unnest(regexp_split_to_array(
                  regexp_replace({ipc_col}::VARCHAR, '[；，\\n\\r|]', ';', 'g'), '[;,]')) AS part
              FROM {source} WHERE {ipc_col} IS NOT NULL)
        WHERE trim(part) <> ''""")
    raw = con.execute("SELECT DISTINCT raw FROM _ipstats_parts").df()["raw"]
    parsed, failed = parse_distinct(raw)
    mapping = pd.DataFrame({"raw": list(parsed), "ipc": [sym.canonical for sym in parsed.values()]})
    con.register("_ipstats_raw_map", mapping)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {name} AS
        SELECT DISTINCT p.patent_id, m.ipc FROM _ipstats_parts p JOIN _ipstats_raw_map m ON p.raw = m.raw""")
    con.unregister("_ipstats_raw_map")
    n_parts, n_failed = con.execute(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE raw IN (SELECT UNNEST(?::VARCHAR[]))) FROM _ipstats_parts", [failed]
    ).fetchall()[0]
    con.execute("DROP TABLE _ipstats_parts")
    return ParseReport(n_parts=n_parts, n_parsed=n_parts - n_failed, n_failed=n_failed, failed_examples=failed[:5])


def _text_view(con: duckdb.DuckDBPyConnection, source: str, id_col: str, columns: list[str]) -> str | None:
    sql = text_sql(source, id_col, columns)
    if sql is None:
        return None
    con.execute(f"CREATE OR REPLACE TEMP VIEW texts AS {sql}")
    return "texts"


def _register_header(path: Path) -> bool:
    """Whether *path* is a register: its header (as the validator reads it) names an application number column."""
    from ipstats.validate import ReadError, load_schema, open_table
    from ipstats.validate.core import column_aliases
    from ipstats.validate.schema import registered_columns

    schema = load_schema("patent_register")
    mapped = {k: v for k, v in registered_columns(path).items() if v in schema.field_names}
    aliases = column_aliases(schema.with_columns(mapped))
    try:
        source = open_table(path, columns=tuple(aliases))
    except ReadError as exc:
        raise InputError(f"{path}: {exc}") from None
    return "application_number" in {aliases.get(h, h) for h in source.header}


def _text_table(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """A table that is not a register (``patent_id``, ``ipc`` …): read by the validator's reader (any encoding,
    sheet or Parquet), cells as text, into the temporary table ``input_cells``."""
    import pyarrow as pa

    from ipstats.validate import ReadError, open_table
    from ipstats.validate.schema import registered_columns

    mapping = registered_columns(path)  # --column SRC=DEST: the file's header SRC read as DEST
    try:
        source = open_table(path, columns=("patent_id", "ipc", *mapping))
        header = [mapping.get(h, h) for h in source.header]
        parts = [
            pa.Table.from_pandas(chunk.frame.set_axis(header, axis=1), preserve_index=False) for chunk in source.chunks
        ]
    except ReadError as exc:
        raise InputError(f"{path}: {exc}") from None
    if source.shape_problems:
        line, message = source.shape_problems[0]
        raise InputError(f"{path}:{line}: {message}")
    if not parts:
        raise InputError(f"{path}: no data rows (header only) — expected at least one row below the header")
    con.register("_ipstats_cells", pa.concat_tables(parts))
    con.execute("CREATE OR REPLACE TEMP TABLE input_cells AS SELECT * FROM _ipstats_cells")
    con.unregister("_ipstats_cells")
    return "input_cells"


def _typed(path: Path, schema: str, references: dict | None = None) -> Path:
    """The typed Parquet of *path* (validated once, cached; see :mod:`ipstats.validate.typed`); a Parquet
    already in the typed form is read as it is (as :func:`ipstats.register.io.open_register` does)."""
    from ipstats.validate import InputError as Invalid
    from ipstats.validate import is_typed_parquet, typed_parquet

    if is_typed_parquet(path, schema):
        return path
    try:
        return typed_parquet(path, schema, references=references)
    except Invalid as exc:
        raise InputError(str(exc)) from None


def links_from_register(con: duckdb.DuckDBPyConnection, path: str | Path) -> tuple[str | None, ParseReport | None]:
    """Create views ``links`` (patent_id, ipc) and, when there is text, ``texts`` (patent_id, text) for *path*.

    A register (an application number column, in any form ``ipstats validate`` accepts) is read through its
    typed Parquet, so a CSV or workbook is validated against ``patent_register`` first; ``register_ipc`` beside
    it (:func:`ipstats.validate.links_beside`) likewise against ``patent_register_ipc`` (its numbers must be
    the register's) unless it is already a typed Parquet. Any other table needs ``patent_id`` and ``ipc``
    columns and is read with the validator's reader (encodings, sheets, Parquet).

    Returns
    -------
    texts : str or None
        Name of the text view, None when the input has no title/abstract.
    report : ParseReport or None
        Parse report of the raw IPC cells (None when links came from ``register_ipc.parquet``).

    Raises
    ------
    InputError
        Missing file, a register or link table that does not validate (the validator's line), or neither
        (``application_number``, ``ipc``) nor (``patent_id``, ``ipc``) columns.
    """
    from ipstats.validate import links_beside

    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    register = _register_header(path)
    typed = _typed(path, "patent_register") if register else None
    source = sql_parquet(typed) if register else _text_table(con, path)
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    con.execute(f"CREATE OR REPLACE TEMP VIEW input AS SELECT * FROM {source}")
    id_col = "application_number" if register else "patent_id" if "patent_id" in columns else None
    if id_col is None:
        raise InputError(f"{path}: needs a patent_id column (or application_number for a register)")
    side = links_beside(path) if register else None
    if side is not None:
        links = sql_parquet(_typed(side, "patent_register_ipc", references={"patent_register": typed}))
        con.execute(f"CREATE OR REPLACE TEMP VIEW links AS SELECT application_number AS patent_id, ipc FROM {links}")
        report = None
    elif "ipc" in columns:
        report = _links_from_cells(con, "input", id_col, "ipc")
    else:
        raise InputError(f"{path}: needs an ipc column (symbols, several per cell allowed)")
    return _text_view(con, "input", id_col, columns), report


def register_key(path: str | Path, subset: str = "") -> str | None:
    """The cache identity (:func:`ipstats.concordance.cache.input_key`) of the links and texts
    :func:`links_from_register` makes for the register *path*: the bytes of the typed register and link files it
    reads, and *subset* (the condition the caller restricts the links to). None for a table that is not a
    register (it is classified every time).
    """
    from ipstats.validate import links_beside

    path = Path(path)
    if not path.exists() or not _register_header(path):
        return None
    from ipstats.concordance.cache import input_key

    typed = _typed(path, "patent_register")
    side = links_beside(path)
    links = _typed(side, "patent_register_ipc", references={"patent_register": typed}) if side is not None else None
    return input_key([typed, links], subset)


def links_from_frame(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> tuple[str | None, ParseReport]:
    """Like :func:`links_from_register` for a DataFrame with ``patent_id`` and ``ipc`` columns."""
    missing = [c for c in ("patent_id", "ipc") if c not in frame.columns]
    if missing:
        raise InputError(f"the table needs column(s) {', '.join(missing)}")
    con.register("_ipstats_frame", frame)
    con.execute("CREATE OR REPLACE TEMP TABLE input AS SELECT * FROM _ipstats_frame")
    con.unregister("_ipstats_frame")
    report = _links_from_cells(con, "input", "patent_id", "ipc")
    return _text_view(con, "input", "patent_id", list(frame.columns)), report


def _system(system: System | str | Path) -> System:
    return system if isinstance(system, System) else load_system(system)


def _classify_with(load_links, source, system: System | str | Path, keywords: str, reclassify=None):
    """Open a connection, make the ``links``/``texts`` views with *load_links* and classify."""
    system = _system(system)
    con = connect()
    try:
        texts, report = load_links(con, source)
        return classify_links(con, system, "links", texts, keywords=keywords, reclassify=reclassify), report
    finally:
        con.close()


def classify(
    path: str | Path,
    system: System | str | Path,
    keywords: str = "confirm",
    engine: "str | dict | EngineSettings" = "duckdb",
    reclassify=None,
) -> tuple[pd.DataFrame, ParseReport | None]:
    """Classify the patents of a register or CSV file.

    Parameters
    ----------
    path : path or str
        Register or CSV file. With ``engine="spark"`` also a Parquet register at any path Spark reads (e.g.
        ``hdfs://…/register.parquet``) with ``register_ipc.parquet`` beside it (:func:`open_inputs`).
    system : System, str or path
    keywords : {"confirm", "require", "table", "ignore"}
    engine : str, dict or EngineSettings
        ``"duckdb"`` (default) or ``"spark"``, or settings with the Spark master, app name and config
        (:func:`ipstats.engines.engine_settings`).
    reclassify : None, "shipped" or path
        Map codes newer than the table's IPC edition back to their old symbols first
        (:mod:`ipstats.concordance.reclassify`); None matches codes as they are.

    Returns
    -------
    classified : pandas.DataFrame
        ``patent_id``, ``category``, ``category_name``, ``weight``, ``match`` (see :mod:`ipstats.concordance.engine`).
    report : ParseReport or None
        How many raw IPC parts parsed (None when the links came from a links Parquet).
    """
    system = _system(system)
    with open_runner(engine) as run:
        texts, report = open_inputs(run, path)
        return classify_links(run, system, "links", texts, keywords=keywords, reclassify=reclassify), report


def classify_frame(
    frame: pd.DataFrame, system: System | str | Path, keywords: str = "confirm", reclassify=None
) -> tuple[pd.DataFrame, ParseReport]:
    """Classify a DataFrame with ``patent_id`` and ``ipc`` (and optionally ``title``/``abstract``); *reclassify*
    as in :func:`classify`."""
    return _classify_with(links_from_frame, frame, system, keywords, reclassify)


def _spark_reads_directly(register: str | Path, links: str | Path | None) -> bool:
    """Whether Spark reads *register* itself: a remote path (``hdfs://``, ``s3a://``…), a folder of parts, or a
    local Parquet register with its links Parquet (*links*, or ``register_ipc.parquet`` beside it)."""
    text = str(register)
    if "://" in text or Path(text).is_dir() or any(ch in text for ch in "*?"):
        return True
    path = Path(text)
    if path.suffix.lower() not in (".parquet", ".pq"):
        return False
    side = Path(links) if links is not None else path.with_name("register_ipc.parquet")
    if not side.exists():
        return False
    import pyarrow.parquet as pq

    try:
        names = set(pq.read_schema(path).names)
    except Exception:  # not a Parquet file after all: the DuckDB path says what is wrong
        return False
    return {"application_number", "patent_type"} <= names


def open_inputs(
    run, path: str | Path, links: str | Path | None = None, register: bool = False, classify: bool = True
) -> tuple[str | None, ParseReport | None]:
    """Create the views ``links`` and ``texts`` (and with *register* ``register``) of any input, on any runner.

    On DuckDB: :func:`links_from_register` (and :func:`ipstats.register.io.open_register`). On Spark, what
    Spark reads itself (:func:`ipstats.engines.open_spark_register`: a remote path, a folder of parts, a
    Parquet register with its links Parquet) it reads on the executors; anything else the DuckDB path reads —
    a CSV or workbook register (validated, through its typed Parquet), a plain ``patent_id, ipc`` table in
    any encoding, sheet or Parquet — is read on the driver by :func:`links_from_register` and its links and
    texts sent to Spark through Arrow, so both engines classify the same rows; the register itself (for
    counting) is Spark's read of the typed Parquet in the validator's cache (a path the executors must see:
    local mode, or a cache folder on a shared file system).

    Parameters
    ----------
    run : DuckRunner or SparkRunner
        From :func:`ipstats.engines.open_runner`.
    path : path or str
        The input.
    links : path or str, optional
        Spark only: the links Parquet of a Parquet register (default ``register_ipc.parquet`` beside it).
    register : bool
        Also create the ``register`` view (for counting).
    classify : bool
        Create ``links`` and ``texts`` (False: counting without a classification only needs ``register``;
        a Parquet register read by Spark gets its links view all the same).

    Returns
    -------
    texts : str or None
        ``"texts"``, or None when the input has neither title nor abstract.
    report : ParseReport or None
        How many raw IPC parts parsed (None when the links came from a links Parquet).
    """
    if run.dialect == "duckdb":
        if register:
            open_register(path, run.con)
        return links_from_register(run.con, path) if classify else (None, None)
    if _spark_reads_directly(path, links):
        return open_spark_register(run, path, links), None
    path = Path(path)
    con = connect()
    try:
        texts, report = links_from_register(con, path)
        run.put_arrow(
            "links",
            con.sql(
                "SELECT CAST(patent_id AS VARCHAR) AS patent_id, CAST(ipc AS VARCHAR) AS ipc FROM links"
            ).to_arrow_table(),
        )
        if texts is not None:
            run.put_arrow("texts", con.sql(f"SELECT patent_id, text FROM {texts}").to_arrow_table())
    finally:
        con.close()
    if register:
        if not _register_header(path):
            raise InputError(
                f"{path}: counting needs a register (an application_number column), not a patent_id/ipc table"
            )
        run.spark.read.parquet(str(_typed(path, "patent_register"))).createOrReplaceTempView("register")
    return texts, report
