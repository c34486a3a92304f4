"""One runner for an engine choice: the only place where ipstats branches on DuckDB versus Spark."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Mapping

import duckdb

from ipstats.engines.duck import DuckRunner, connect
from ipstats.engines.settings import EngineSettings, engine_settings
from ipstats.engines.spark import spark_runner
from ipstats.errors import ParameterError

__all__ = ["INPUT_VIEWS", "open_runner"]

#: Views the input readers create on a runner (register, links, texts and Spark's file view).
INPUT_VIEWS = ("register", "links", "texts", "_ipstats_links_file")


@contextmanager
def open_runner(
    engine: "str | Mapping[str, Any] | EngineSettings | None" = "duckdb", con: duckdb.DuckDBPyConnection | None = None
) -> Iterator[Any]:
    """A runner for *engine*, closed (or its views dropped) when the block ends.

    Parameters
    ----------
    engine : str, mapping or EngineSettings
        ``duckdb`` (default) or ``spark`` (:func:`ipstats.engines.engine_settings`).
    con : duckdb.DuckDBPyConnection, optional
        A DuckDB connection to run on (left open); DuckDB only.

    Yields
    ------
    DuckRunner or SparkRunner

    Raises
    ------
    ParameterError
        A DuckDB connection given with ``engine="spark"``, or a bad engine setting.
    """
    settings = engine_settings(engine)
    if settings.name == "spark":
        if con is not None:
            raise ParameterError("con is a DuckDB connection; it cannot be used with engine='spark'")
        with spark_runner(settings) as run:
            try:
                yield run
            finally:
                run.drop(*INPUT_VIEWS)
        return
    own = con is None
    con = con or connect()
    try:
        yield DuckRunner(con)
    finally:
        if own:
            con.close()
