"""Open a patent register as a DuckDB view without loading it into pandas, read the population table.

Both read through the validator (:mod:`ipstats.validate.typed`): a register in any form ``ipstats validate``
accepts (CSV in UTF-8/BOM/GBK/GB18030 with Chinese or English headers and every date form, an Excel workbook, a
Parquet file with text dates) is checked and normalised once into a typed Parquet in the cache (keyed by the
file's sha256), and the view is made over it; a Parquet register already in the typed form is read as it is. A
value that does not validate is a :class:`RegisterError` with the validator's line, never a NULL.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from ipstats.engines.duck import connect
from ipstats.engines.sql import sql_parquet
from ipstats.errors import InputError as _InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["REQUIRED_COLUMNS", "RegisterError", "connect", "open_register", "read_population"]

#: Columns every register must have for the counting stage (see data_schemas/patent_register.schema.yaml).
REQUIRED_COLUMNS = (
    "application_number",
    "patent_type",
    "filing_date",
    "grant_date",
    "legal_status",
    "lapse_date",
    "applicant_type",
    "province_code",
)


class RegisterError(_InputError):
    """A register file that cannot be used; the message is one line for people."""


def open_register(
    path: str | Path,
    con: duckdb.DuckDBPyConnection | None = None,
    view: str = "register",
    cache_dir: str | Path | None = None,
) -> duckdb.DuckDBPyConnection:
    """Register *path* as the DuckDB view *view* and return the connection.

    Parameters
    ----------
    path : path
        A register file in any form the validator accepts (``.parquet``, ``.csv``, ``.xlsx``; schema
        ``patent_register``): validated and materialised once as a typed Parquet (cached), the view made over
        it. A Parquet already in the typed form (dates as dates, codes as text: what the demo generator and
        :func:`ipstats.validate.typed_parquet` write), or a folder/glob of such parts, is read as it is — the
        bulletin validates it with its other inputs (``ipstats validate FILE --schema patent_register``).
    con : duckdb.DuckDBPyConnection, optional
        Connection to use; a new in-memory one by default.
    view : str
        Name of the view to create.
    cache_dir : path, optional
        Folder of the typed copies (default ``$IPSTATS_CACHE`` or ``~/.cache/ipstats``).

    Returns
    -------
    duckdb.DuckDBPyConnection

    Raises
    ------
    RegisterError
        The file does not exist or does not validate (the validator's first line and the count).
    """
    from ipstats.validate import InputError, is_typed_parquet, typed_parquet

    path = Path(path)
    parts = path.is_dir() or any(ch in str(path) for ch in "*?")
    if not path.exists() and not parts:
        raise RegisterError(f"{path}: register file not found")
    if not parts and not is_typed_parquet(path, "patent_register"):
        try:
            path = typed_parquet(path, "patent_register", cache_dir)
        except InputError as exc:
            raise RegisterError(str(exc)) from None
    con = con or connect()
    source = sql_parquet(path)
    try:
        columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    except duckdb.Error as exc:
        raise RegisterError(f"{path}: cannot read the register ({str(exc).splitlines()[0]})") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise RegisterError(
            f"{path}: missing required column(s) {', '.join(missing)}; see data_schemas/patent_register.schema.yaml"
        )
    con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {source}")
    return con


def read_population(path: str | Path) -> pd.DataFrame:
    """Read population by province and year (万人): columns ``province_code``, ``year``, ``population_10k``.

    Read through the validator (schema ``population``): any encoding, sheet or header form it accepts.

    Raises
    ------
    RegisterError
        Missing file, or a file that does not validate (one line naming row, field, value and expectation).
    """
    from ipstats.validate import InputError, read_input

    path = Path(path)
    if not path.exists():
        raise RegisterError(f"{path}: population file not found")
    try:
        table = read_input(path, "population")
    except InputError as exc:
        raise RegisterError(str(exc)) from None
    table["year"] = table["year"].astype(int)
    table["population_10k"] = table["population_10k"].astype(float)
    return table
