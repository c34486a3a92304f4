"""Open a patent register (Parquet or CSV) as a DuckDB view without loading it into pandas."""
from __future__ import annotations

from pathlib import Path

import duckdb

__all__ = ["REQUIRED_COLUMNS", "RegisterError", "connect", "open_register", "read_population"]

#: Columns every register must have for the counting stage (see data_schemas/patent_register.schema.yaml).
REQUIRED_COLUMNS = ("application_number", "patent_type", "filing_date", "grant_date", "legal_status",
                    "lapse_date", "applicant_type", "province_code")


class RegisterError(ValueError):
    """A register file that cannot be used; the message is one line for people."""


def connect(memory_limit: str | None = None, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection for ipstats work: in memory, no progress bar, optional memory and thread limits."""
    config = {}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = threads
    con = duckdb.connect(config=config)
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:
        # inside a Jupyter kernel DuckDB refuses to touch the setting without ipywidgets; it then shows no bar
        pass
    return con


def open_register(path: str | Path, con: duckdb.DuckDBPyConnection | None = None,
                  view: str = "register") -> duckdb.DuckDBPyConnection:
    """Register *path* as the DuckDB view *view* and return the connection.

    Parameters
    ----------
    path : path
        A ``.parquet`` file (or a folder/glob of them) or a ``.csv`` file (UTF-8, header row).
    con : duckdb.DuckDBPyConnection, optional
        Connection to use; a new in-memory one by default.
    view : str
        Name of the view to create.

    Returns
    -------
    duckdb.DuckDBPyConnection

    Raises
    ------
    RegisterError
        The file does not exist, cannot be read, or lacks a required column.
    """
    path = Path(path)
    if not path.exists() and not any(ch in str(path) for ch in "*?"):
        raise RegisterError(f"{path}: register file not found")
    con = con or connect()
    suffix = path.suffix.lower()
    literal = str(path).replace("'", "''")
    if suffix == ".csv":
        source = (f"read_csv('{literal}', header=true, all_varchar=true)")
    elif suffix in (".parquet", ".pq") or path.is_dir():
        source = f"read_parquet('{literal}{'/*.parquet' if path.is_dir() else ''}')"
    else:
        raise RegisterError(f"{path}: expected a .parquet or .csv register, got '{suffix or 'no extension'}'")
    try:
        columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    except duckdb.Error as exc:
        raise RegisterError(f"{path}: cannot read the register ({str(exc).splitlines()[0]})") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise RegisterError(f"{path}: missing required column(s) {', '.join(missing)}; "
                            f"see data_schemas/patent_register.schema.yaml")
    if suffix == ".csv":                      # CSV holds text: give the date columns their type
        casts = ", ".join(f"TRY_CAST(NULLIF({c}, '') AS DATE) AS {c}" for c in
                          ("filing_date", "priority_date", "publication_date", "grant_date", "lapse_date")
                          if c in columns)
        source = f"(SELECT * REPLACE ({casts}) FROM {source})"
    con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {source}")
    return con


def read_population(path: str | Path) -> "pd.DataFrame":
    """Read population by province and year (万人): columns ``province_code``, ``year``, ``population_10k``.

    Raises
    ------
    RegisterError
        Missing file or column, or a value that is not a positive number (one line naming row and field).
    """
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise RegisterError(f"{path}: population file not found")
    table = pd.read_csv(path, dtype={"province_code": str}, encoding="utf-8-sig")
    missing = [c for c in ("province_code", "year", "population_10k") if c not in table.columns]
    if missing:
        raise RegisterError(f"{path}: missing required column(s) {', '.join(missing)}; "
                            f"see data_schemas/population.schema.yaml")
    values = pd.to_numeric(table["population_10k"], errors="coerce")
    bad = table.index[values.isna() | (values <= 0)]
    if len(bad):
        i = bad[0]
        raise RegisterError(f"{path}: row {i + 2}, field population_10k: {table.at[i, 'population_10k']!r} "
                            f"is not a positive number of 万人")
    table["population_10k"] = values
    table["year"] = pd.to_numeric(table["year"], errors="raise").astype(int)
    table["province_code"] = table["province_code"].str.zfill(2)
    return table
