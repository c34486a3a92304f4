"""Flows by reference date and year-end stock, following the OECD Patent Statistics Manual (2009).

Chinese practice (and the defaults here): applications are counted by filing date (申请日), grants by
grant announcement date (授权公告日), and the stock of valid patents (有效专利) at 31 December: granted on
or before that day and not lapsed, withdrawn, invalidated or expired by then.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb
import pandas as pd

__all__ = ["MEASURES", "count_flows", "count_valid_stock"]

#: Flow measures and the register date column that places an event in a year.
MEASURES = {"applications": "filing_date", "grants": "grant_date"}
_IDENT = set("abcdefghijklmnopqrstuvwxyz0123456789_")


def _check_columns(by: Sequence[str]) -> list[str]:
    by = list(by)
    for col in by:
        if not col or set(col.lower()) - _IDENT:
            raise ValueError(f"breakdown column names must be plain identifiers, got {col!r}")
    return by


def _region_clause(region: str | None) -> tuple[str, list]:
    if region in (None, "", "national"):
        return "", []
    return " AND province_code = ?", [str(region)]


def count_flows(con: duckdb.DuckDBPyConnection, measure: str, years: Iterable[int],
                by: Sequence[str] = ("patent_type",), region: str | None = None,
                view: str = "register") -> pd.DataFrame:
    """Count applications (by filing date) or grants (by grant date) per year and breakdown.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Connection holding the register view (see :func:`ipstats.register.io.open_register`).
    measure : {"applications", "grants"}
        申请量 (counted by 申请日) or 授权量 (counted by 授权公告日).
    years : iterable of int
        Calendar years to count.
    by : sequence of str
        Register columns to break down by, e.g. ``("patent_type", "province_code")``.
    region : str, optional
        ``"national"``/None for all, or a GB/T 2260 province code to keep one province.

    Returns
    -------
    pandas.DataFrame
        ``year``, the *by* columns and ``count`` (int64); combinations with no patent are absent.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {sorted(MEASURES)}, got {measure!r}")
    by = _check_columns(by)
    years = sorted({int(y) for y in years})
    date = MEASURES[measure]
    where, params = _region_clause(region)
    cols = "".join(f", {c}" for c in by)
    sql = (f"SELECT CAST(year({date}) AS INTEGER) AS year{cols}, COUNT(*) AS count FROM {view} "
           f"WHERE {date} IS NOT NULL AND year({date}) IN (SELECT UNNEST(?::INTEGER[])){where} "
           f"GROUP BY ALL ORDER BY ALL")
    out = con.execute(sql, [years, *params]).df()
    out["count"] = out["count"].astype("int64")
    return out


def count_valid_stock(con: duckdb.DuckDBPyConnection, years: Iterable[int],
                      by: Sequence[str] = ("patent_type",), region: str | None = None,
                      view: str = "register") -> pd.DataFrame:
    """Count valid patents (有效专利) at 31 December of each year.

    A patent is valid at the end of year *Y* when its grant date is on or before Y-12-31 and it has no
    lapse date, or its lapse (non-payment, invalidation, expiry) falls after Y-12-31. The current
    ``legal_status`` is not used: it describes the extraction date, not year-end *Y*.

    Parameters
    ----------
    con, by, region, view
        As for :func:`count_flows`.
    years : iterable of int
        Year ends to count.

    Returns
    -------
    pandas.DataFrame
        ``year``, the *by* columns and ``count`` (int64).
    """
    by = _check_columns(by)
    years = sorted({int(y) for y in years})
    where, params = _region_clause(region)
    cols = "".join(f", r.{c}" for c in by)
    sql = (f"SELECT y.year{cols}, COUNT(*) AS count "
           f"FROM (SELECT UNNEST(?::INTEGER[]) AS year) y JOIN {view} r "
           f"ON r.grant_date <= make_date(y.year, 12, 31) "
           f"AND (r.lapse_date IS NULL OR r.lapse_date > make_date(y.year, 12, 31)) "
           f"WHERE TRUE{where.replace('province_code', 'r.province_code')} "
           f"GROUP BY ALL ORDER BY ALL")
    out = con.execute(sql, [years, *params]).df()
    out["count"] = out["count"].astype("int64")
    return out
