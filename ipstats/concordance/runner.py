"""Where the relational plan of classify-and-count runs: one small interface, one SQL text for every engine.

The concordance engine (:mod:`ipstats.concordance.engine`) and counting (:mod:`ipstats.counting.cube`) write
their plan once, in the SQL that DuckDB and Spark SQL share (``CAST(x AS DOUBLE)``, ``CASE``, ``VALUES``,
``bit_xor``, ``bool_or``, ``any_value``…), and hand each statement to a *runner* (执行器). A runner knows how
to materialise a query as a named table, load a small pandas table, read a query back, drop tables, spell a
64-bit hash and scan texts for keyword terms. :class:`DuckRunner` runs on a DuckDB connection;
:class:`ipstats.counting.spark.SparkRunner` runs on a SparkSession. Plain DuckDB connections are accepted
wherever a runner is (:func:`as_runner`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol

import duckdb
import pandas as pd

__all__ = ["ENGINES", "DuckRunner", "EngineSettings", "Runner", "as_runner", "engine_settings", "exact_sum"]


def exact_sum(expr: str) -> str:
    """SQL of an order-stable sum of a float expression, for DuckDB and Spark alike.

    A parallel ``SUM`` of doubles adds its terms in whatever order the threads finish, so its last bits — and
    the order of rows tied on the sum — change from run to run. Each term is cast to ``DECIMAL(38, 18)``
    (18 decimals; counts up to 10^20), summed exactly in integer arithmetic and cast back to ``DOUBLE``: the
    same terms give the same sum in any order.
    """
    return f"CAST(SUM(CAST({expr} AS DECIMAL(38, 18))) AS DOUBLE)"


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
        found = self.con.execute("SELECT table_name, table_type FROM information_schema.tables "
                                 "WHERE table_name IN (SELECT UNNEST(?::VARCHAR[]))", [list(names)]).fetchall()
        for table, kind in sorted(found, key=lambda row: row[1] != "VIEW"):
            self.con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {table}")

    def hash64(self, expr: str) -> str:
        """A 64-bit hash of *expr* in DuckDB's spelling."""
        return f"hash({expr})"

    def find_terms(self, texts: str, patents_sql: str, terms: pd.DataFrame, name: str) -> str:
        """Keyword scan (:func:`ipstats.concordance.engine.find_terms`) into table *name*."""
        from ipstats.concordance.engine import find_terms

        return find_terms(self.con, texts, patents_sql, terms, name)


def as_runner(con) -> Runner:
    """*con* itself when it is a runner, a :class:`DuckRunner` around a DuckDB connection."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        return DuckRunner(con)
    if hasattr(con, "dialect") and hasattr(con, "table"):
        return con
    raise TypeError(f"expected a DuckDB connection or an ipstats runner, got {type(con).__name__}")


ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class EngineSettings:
    """Which engine classifies and counts (计算引擎), with the Spark settings passed through.

    Attributes
    ----------
    name : {"duckdb", "spark"}
        ``duckdb`` (default): one machine, in process. ``spark``: a Spark cluster or local mode.
    master : str, optional
        Spark master URL (``local[2]``, ``spark://host:7077``, ``yarn``, ``k8s://https://host:443``);
        None leaves it to ``spark-submit`` / ``SPARK_HOME`` configuration (or reuses the active session).
    app_name : str
        Spark application name.
    config : dict
        Spark properties passed through unchanged (``spark.executor.memory``, ``spark.sql.shuffle.partitions``…).
    """

    name: str = "duckdb"
    master: str | None = None
    app_name: str = "ipstats"
    config: Mapping[str, Any] = field(default_factory=dict)


def engine_settings(engine: "str | Mapping[str, Any] | EngineSettings | None" = "duckdb") -> EngineSettings:
    """Read an engine choice: a name, a mapping as in a parameter file, or settings.

    The parameter-file form is ``engine: {name: spark, master: "local[2]", app_name: ipstats,
    config: {spark.sql.shuffle.partitions: 8}}``; ``engine: spark`` and ``engine: duckdb`` also work.

    Raises
    ------
    ValueError
        Unknown engine name or setting, or a config that is not a mapping.
    """
    if engine is None:
        return EngineSettings()
    if isinstance(engine, EngineSettings):
        settings = engine
    elif isinstance(engine, str):
        settings = EngineSettings(name=engine)
    elif isinstance(engine, Mapping):
        unknown = sorted(set(engine) - {"name", "master", "app_name", "config"})
        if unknown:
            raise ValueError(f"engine settings: unknown key(s) {', '.join(unknown)}; expected name, master, "
                             f"app_name, config")
        config = engine.get("config") or {}
        if not isinstance(config, Mapping):
            raise ValueError(f"engine settings: config must be a mapping of Spark properties, got {config!r}")
        settings = EngineSettings(name=str(engine.get("name", "duckdb")), master=engine.get("master"),
                                  app_name=str(engine.get("app_name") or "ipstats"), config=dict(config))
    else:
        raise ValueError(f"engine must be a name ({', '.join(ENGINES)}) or a mapping of settings, got {engine!r}")
    if settings.name not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {settings.name!r}")
    return settings
