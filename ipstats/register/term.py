"""The statutory term of a patent (专利权的期限, 专利法第四十二条), for the year-end valid stock.

A patent is in force from grant until it lapses, and at the latest until the end of its term counted from
申请日: invention 20 years, utility model 10, design 10, or 15 for designs filed from 2021-06-01. A register
records the lapse of most patents, but an extract that leaves the expiry of old patents unrecorded would
otherwise count them as valid forever; the year-end stock therefore ends at the term when no lapse is
recorded (a recorded lapse wins: term compensation, 专利权期限补偿, can extend an invention's term).

The terms are read from the register schema's ``withinTerm`` row check
(``data_schemas/patent_register.schema.yaml``), the one place they are written down.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ipstats.engines.sql import sql_text

__all__ = ["statutory_term", "term_end", "term_last_year_sql", "term_years_sql"]


@lru_cache(maxsize=1)
def statutory_term() -> tuple[dict[str, int], tuple[tuple[str, dict[str, int]], ...]]:
    """Years of the term by patent type, and the changes by filing date from which other years apply.

    Returns
    -------
    years : dict of str to int
        ``{"发明": 20, "实用新型": 10, "外观设计": 10}``.
    since : tuple of (date, dict)
        ``(("2021-06-01", {"外观设计": 15}),)``: filed on or after the date, those types have those years.
    """
    from ipstats.validate.schema import load_schema

    schema = load_schema("patent_register")
    checks = [c for c in schema.row_checks if c.get("op") == "term" and c.get("field") == "lapse_date"]
    if not checks:
        raise ValueError(f"{schema.path}: no withinTerm row check on lapse_date gives the statutory terms")
    check = checks[0]
    return dict(check["years"]), tuple(sorted((d, dict(y)) for d, y in check["since"].items()))


def term_years_sql(alias: str = "r") -> str:
    """SQL for the term in years of each row of *alias* (by ``patent_type`` and ``filing_date``).

    Plain SQL that DuckDB and Spark read alike. Later changes come first, so they win.
    """
    years, since = statutory_term()
    cases = [
        f"WHEN {alias}.filing_date >= DATE {sql_text(date)} AND {alias}.patent_type = {sql_text(kind)} THEN {n}"
        for date, changed in reversed(since)
        for kind, n in changed.items()
    ]
    cases += [f"WHEN {alias}.patent_type = {sql_text(kind)} THEN {n}" for kind, n in years.items()]
    return f"(CASE {' '.join(cases)} END)"


def term_last_year_sql(alias: str = "r") -> str:
    """SQL for the last year whose 31 December falls within the term: ``year(申请日) + term − 1``.

    The term ends the day before the anniversary of filing (the anniversary is the first day out of force),
    so a patent filed on 2004-01-02 is in force on 2023-12-31 and not on 2024-12-31: 2004 + 20 − 1 = 2023.
    A 29 February start changes no year.
    """
    return f"(CAST(year({alias}.filing_date) AS INTEGER) + {term_years_sql(alias)} - 1)"


def term_end(patent_type: pd.Series, filing_date: pd.Series) -> pd.Series:
    """The first day out of force at the end of the term (the anniversary of filing), per row.

    Parameters
    ----------
    patent_type : pandas.Series
        发明 / 实用新型 / 外观设计.
    filing_date : pandas.Series
        申请日 (anything :func:`pandas.to_datetime` reads).

    Returns
    -------
    pandas.Series
        Timestamps; NaT where the type is unknown or the filing date missing.
    """
    years_by_type, since = statutory_term()
    filing = pd.to_datetime(filing_date)
    kinds = pd.Series(patent_type, index=filing.index).astype("string")
    years = kinds.map(years_by_type).astype("Float64")
    for date, changed in since:
        later = (filing >= pd.Timestamp(date)) & kinds.isin(list(changed))
        years = years.where(~later.fillna(False), kinds.map(changed).astype("Float64"))
    end = pd.Series(pd.NaT, index=filing.index, dtype="datetime64[ns]")
    for n in pd.unique(years.dropna()):
        sel = (years == n).fillna(False).to_numpy(dtype=bool)
        end[sel] = filing[sel] + pd.DateOffset(years=int(n))
    # a 29 February start in a year without one: the term runs to 28 February, 1 March is out of force
    short = ((filing.dt.month == 2) & (filing.dt.day == 29) & (end.dt.day == 28)).fillna(False).to_numpy(dtype=bool)
    end[short] = end[short] + pd.Timedelta(days=1)
    return end
