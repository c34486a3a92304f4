"""Flows and year-end stock on a register view already open in DuckDB (no classification).

Thin entry points over :mod:`ipstats.counting.cube` for the overview: applications by filing date
(申请日), grants by grant announcement date (授权公告日), valid stock (有效专利) at 31 December.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb
import pandas as pd

from ipstats.counting.cube import CountSpec, count_classified

__all__ = ["count_flows", "count_valid_stock"]


def count_flows(
    con: duckdb.DuckDBPyConnection,
    measure: str,
    years: Iterable[int],
    by: Sequence[str] = ("patent_type",),
    region: str | None = None,
    view: str = "register",
    reference_date: str | None = None,
) -> pd.DataFrame:
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
    view : str
        Name of the register view.
    reference_date : str, optional
        What places a flow in a year (:data:`ipstats.counting.REFERENCE_DATES`); default 申请日 for
        applications, 授权公告日 for grants; ``"receipt"`` counts applications by 受理年度.

    Returns
    -------
    pandas.DataFrame
        ``year``, the *by* columns and ``count`` (int64); combinations with no patent are absent.
    """
    if measure not in ("applications", "grants"):
        raise ValueError(f"measure must be one of ['applications', 'grants'], got {measure!r}")
    spec = CountSpec(measure=measure, years=tuple(years), by=tuple(by), region=region, reference_date=reference_date)
    return count_classified(con, spec, view)[["year", *by, "count"]]


def count_valid_stock(
    con: duckdb.DuckDBPyConnection,
    years: Iterable[int],
    by: Sequence[str] = ("patent_type",),
    region: str | None = None,
    view: str = "register",
) -> pd.DataFrame:
    """Count valid patents (有效专利) at 31 December of each year.

    A patent is valid at the end of year *Y* when its grant date is on or before Y-12-31 and its lapse
    (non-payment, invalidation, expiry) falls after Y-12-31 — without a recorded lapse, when its statutory
    term runs past Y-12-31 (:mod:`ipstats.register.term`). The current ``legal_status`` is not used: it
    describes the extraction date, not year-end *Y*.

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
    spec = CountSpec(measure="valid_stock", years=tuple(years), by=tuple(by), region=region)
    return count_classified(con, spec, view)[["year", *by, "count"]]
