"""SQL text shared by every engine: literals, file readers, order-stable sums, the text of a patent.

The one place where values from outside (paths, codes, names) become SQL text. Everything else in ipstats
writes its plan with these helpers, so a path such as ``/data/O'Brien's register.parquet`` or a code
with a quote can never end a string literal early.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

__all__ = ["exact_sum", "sql_list", "sql_name", "sql_parquet", "sql_reader", "sql_text", "text_sql"]


def sql_text(value: object) -> str:
    """A SQL string literal of *value* (single quotes doubled), for DuckDB and Spark SQL alike.

    Examples
    --------
    >>> sql_text("O'Brien")
    "'O''Brien'"
    """
    return "'" + str(value).replace("'", "''") + "'"


def sql_name(name: str, dialect: str = "duckdb") -> str:
    """A quoted column name: ``"name"`` for DuckDB, ```name``` for Spark SQL (the quote character doubled).

    An extract's extra columns keep their own headers (``备注``, ``Applicant (EN)``…): quoted, any of them is a
    valid name in a column list.

    Examples
    --------
    >>> sql_name('申请人 (EN)')
    '"申请人 (EN)"'
    >>> sql_name("a`b", "spark")
    '`a``b`'
    """
    quote = "`" if dialect == "spark" else '"'
    return quote + str(name).replace(quote, quote * 2) + quote


def sql_list(values: Iterable[object]) -> str:
    """A parenthesised list of SQL string literals for ``IN``; an empty subquery when there is no value.

    With no value, ``x IN (...)`` is false and ``x NOT IN (...)`` true for every non-NULL ``x``, as for a
    list that holds nothing (a literal ``()`` is not valid SQL).

    Examples
    --------
    >>> sql_list(["11", "44"])
    "('11', '44')"
    >>> sql_list([])
    '(SELECT CAST(NULL AS STRING) WHERE false)'
    """
    items = [sql_text(v) for v in values]
    return "(" + ", ".join(items) + ")" if items else "(SELECT CAST(NULL AS STRING) WHERE false)"


def sql_parquet(path: str | Path) -> str:
    """DuckDB's ``read_parquet`` of a file, or of every ``*.parquet`` part of a folder."""
    text = str(path)
    if Path(text).is_dir():
        text = text.rstrip("/") + "/*.parquet"
    return f"read_parquet({sql_text(text)})"


def sql_reader(path: str | Path) -> str:
    """DuckDB's reader of *path* by suffix: ``read_csv`` for ``.csv``, else :func:`sql_parquet`."""
    return f"read_csv({sql_text(path)})" if str(path).lower().endswith(".csv") else sql_parquet(path)


def exact_sum(expr: str) -> str:
    """SQL of an order-stable sum of a float expression, for DuckDB and Spark alike.

    A parallel ``SUM`` of doubles adds its terms in whatever order the threads finish, so its last bits — and
    the order of rows tied on the sum — change from run to run. Each term is cast to ``DECIMAL(38, 18)``
    (18 decimals; counts up to 10^20), summed exactly in integer arithmetic and cast back to ``DOUBLE``: the
    same terms give the same sum in any order.
    """
    return f"CAST(SUM(CAST({expr} AS DECIMAL(38, 18))) AS DOUBLE)"


def text_sql(source: str, id_col: str, columns: list[str]) -> str | None:
    """SELECT patent_id, text (title and abstract) from *source*, in SQL DuckDB and Spark read alike.

    None when *columns* hold neither ``title`` nor ``abstract``.
    """
    present = [c for c in ("title", "abstract") if c in columns]
    if not present:
        return None
    text = " || ' ' || ".join(f"coalesce(CAST({c} AS STRING), '')" for c in present)
    return f"SELECT CAST({id_col} AS STRING) AS patent_id, {text} AS text FROM {source}"
