"""Where the first applicant comes from, and CNIPA's scope words (全国 / 国内 / 港澳台 / 国外).

A register row carries its first applicant's origin in ``origin_code``: a GB/T 2260 province code for the
mainland (then equal to ``province_code``), ``71`` 台湾, ``81`` 香港, ``82`` 澳门, or an ISO 3166-1 alpha-2
country code (``JP``, ``US`` …); the codes are those of :func:`ipstats.reference.origins`. A register without the
column is a domestic register: every row's origin is its ``province_code``.

CNIPA's scope words, as its statistics use them:

* **全国** — everything the office received, granted or holds in force, whatever the applicant's origin;
* **国内（不含港澳台）** — first applicants from the 31 provinces; every per-capita indicator (每万人口发明专利
  拥有量) divides this by the year-end resident population;
* **港澳台** — Hong Kong, Macao and Taiwan (CNIPA's monthly 国内 tables *include* them: say which);
* **国外** — every other country.

全国 = 国内（不含港澳台） + 港澳台 + 国外, row by row (a row with no origin cannot pass validation).
"""

from __future__ import annotations

from ipstats.labels import labels
from ipstats import reference

__all__ = ["SCOPE_LABELS", "domestic_view", "origin_sql", "scope_sql", "scoped_view"]

#: The three parts of 全国, in CNIPA's order, with the labels tables and text use.
SCOPE_LABELS = labels("zh", keys=("domestic", "hk_mo_tw", "foreign"), context="scope")


def _codes(scope: str) -> list[str]:
    table = reference.origins()
    return table.loc[(table["scope"] == scope) & (table["alias_of"] == ""), "origin_code"].tolist()


def _listed(codes: list[str]) -> str:
    return ", ".join(f"'{c}'" for c in codes)  # reference codes: digits and capital letters only


def origin_sql(alias: str = "r", has_origin: bool = True) -> str:
    """SQL for a row's origin: ``origin_code`` where given, else ``province_code`` (a domestic register)."""
    if not has_origin:
        return f"{alias}.province_code"
    return f"coalesce(nullif({alias}.origin_code, ''), {alias}.province_code)"


def scope_sql(alias: str = "r", has_origin: bool = True) -> str:
    """SQL for a row's scope: ``domestic``, ``hk_mo_tw`` or ``foreign`` (NULL for a row with no origin)."""
    origin = origin_sql(alias, has_origin)
    return (
        f"(CASE WHEN {origin} IN ({_listed(_codes('国内'))}) THEN 'domestic' "
        f"WHEN {origin} IN ({_listed(_codes('港澳台'))}) THEN 'hk_mo_tw' "
        f"WHEN {origin} IS NOT NULL THEN 'foreign' END)"
    )


def scoped_view(con, source: str = "register", view: str = "register_scoped") -> str:
    """Create *view*: the rows of *source* with two columns more, ``origin`` and ``scope``; return its name.

    *con* is a DuckDB connection or a runner (:func:`ipstats.engines.open_runner`): the SQL is DuckDB's and
    Spark's alike (no ``EXCLUDE``: the kept columns are listed).
    """
    from ipstats.engines import as_runner, columns_of
    from ipstats.engines.sql import sql_name

    run = as_runner(con)
    columns = columns_of(run, source)
    has_origin = "origin_code" in columns
    kept = [c for c in columns if c not in ("origin", "scope")]  # extra columns of an extract: derived ones win
    listed = ", ".join(f"r.{sql_name(c, run.dialect)}" for c in kept)
    run.view(
        view,
        f"SELECT {listed}, {origin_sql('r', has_origin)} AS origin, {scope_sql('r', has_origin)} AS scope "
        f"FROM {source} r",
    )
    return view


def domestic_view(con, source: str = "register", view: str = "register_domestic") -> str:
    """Create *view*: the rows of *source* whose first applicant is 国内（不含港澳台）; return its name.

    The population of the 全国专利调查 and of every per-capita indicator. *con*: a connection or a runner.
    """
    from ipstats.engines import as_runner, columns_of
    from ipstats.engines.sql import sql_name

    run = as_runner(con)
    scoped = scoped_view(run, source, f"{view}_scoped")
    listed = ", ".join(sql_name(c, run.dialect) for c in columns_of(run, source) if c not in ("origin", "scope"))
    run.view(view, f"SELECT {listed} FROM {scoped} WHERE scope = 'domestic'")
    return view
