"""``validate_file``: one input file checked against its schema, by the engine that suits it.

Two engines give the same report (messages, row numbers, counts, notes): pandas chunk by chunk
(:func:`ipstats.validate.core.validate_pandas`) and DuckDB over the whole file
(:func:`ipstats.validate.duck.validate_duckdb`, for large Parquet and CSV registers). This module only
chooses between them, so neither engine imports the other.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable

import pandas as pd

import ipstats.validate.duck as duck
from ipstats.validate.core import MAX_PROBLEMS, Report, validate_pandas
from ipstats.validate.readers import TableSource
from ipstats.validate.schema import Schema, resolve_schema

__all__ = ["duckdb_or_none", "validate_file"]

log = logging.getLogger(__name__)


def validate_file(
    path: str | os.PathLike,
    schema: str | Schema,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    references: dict[str, Any] | None = None,
    max_problems: int = MAX_PROBLEMS,
    label: str | None = None,
    on_chunk: Callable[[TableSource, dict[str, pd.Series]], None] | None = None,
    engine: str = "auto",
) -> Report:
    """Check an input file against a schema.

    Parameters
    ----------
    path : path
        CSV (UTF-8, UTF-8 with BOM, GBK or GB18030, detected), Excel workbook or Parquet file.
    schema : str or Schema
        Schema name (``patent_register``), path of a schema YAML, or a loaded :class:`Schema`.
    sheet : str, optional
        Excel sheet (default: a sheet named like the schema, else the first).
    encoding : str, optional
        Declared encoding of a CSV file.
    references : dict, optional
        Files (paths or DataFrames) of other schemas by schema name, for foreign keys to them.
    max_problems : int
        How many problems to list (all are counted); 0 lists all.
    label : str, optional
        How to name the file in messages (default: *path* as given).
    on_chunk : callable, optional
        Called with the opened source and each chunk's values as a reader gets them (schema fields typed
        and named by the schema, then the extra columns as text), while no problem has been found yet;
        :mod:`ipstats.validate.typed` writes them to a typed Parquet this way, in the same pass.
    engine : {"auto", "pandas", "duckdb"}
        ``pandas``: chunk by chunk in pandas. ``duckdb``: the whole file at once in DuckDB
        (:mod:`ipstats.validate.duck`, the same report; not with *on_chunk*). ``auto``: DuckDB for large Parquet
        and CSV registers (:func:`ipstats.validate.duck.prefer_duckdb`), pandas otherwise.

    Returns
    -------
    Report
        Never raises for a bad file: unreadable files give a report with one problem.
    """
    schema = resolve_schema(schema, path)
    options = {
        "sheet": sheet,
        "encoding": encoding,
        "references": references,
        "max_problems": max_problems,
        "label": label,
    }
    if on_chunk is None and engine != "pandas":
        if (engine == "duckdb" and duck.duckdb_available()) or (engine == "auto" and duck.prefer_duckdb(path, schema)):
            report = duckdb_or_none(path, schema, **options)
            if report is not None:
                return report
    return validate_pandas(path, schema, **options, on_chunk=on_chunk)


def duckdb_or_none(path: str | os.PathLike, schema: Schema, **options: Any) -> Report | None:
    """:func:`ipstats.validate.duck.validate_duckdb` (*options* passed on), or None where DuckDB fails on the
    file (e.g. a damaged Parquet file), so that the pandas engine validates it and says where, in one line."""
    import duckdb

    try:
        return duck.validate_duckdb(path, schema, **options)
    except duckdb.Error as exc:
        log.debug("DuckDB validation of %s failed (%s): validating with pandas", path, exc)
        return None
