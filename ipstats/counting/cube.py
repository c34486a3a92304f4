"""Count the register into a small tidy cube: flows and year-end stock, whole and fractional, by any breakdown.

Counting rules (OECD Patent Statistics Manual, 2009, chapter 5; Chinese practice in brackets)
------------------------------------------------------------------------------------------
* **reference date** — ``filing`` (申请日; the office's practical choice and CNIPA's for applications),
  ``priority`` (earliest priority; closest to the invention), ``publication`` (公开日; the first date the
  public knows the application), ``grant`` (授权公告日; reflects office procedure, CNIPA's for grants),
  ``receipt`` (受理年度: the year digits of the application number; differs from 申请日 where a priority
  or a division back-dates the filing date);
* **measure** — ``applications`` (applications by the reference date, default filing), ``grants`` (by the
  reference date, default grant), ``valid_stock`` (有效专利 at 31 December: granted on or before that day
  and not lapsed, withdrawn, invalidated or expired by then, i.e. ``grant_date <= 31 Dec < lapse_date``;
  without a recorded lapse, until the end of the statutory term, :mod:`ipstats.register.term`);
* **patent types** — any subset of 发明 / 实用新型 / 外观设计;
* **counting** — *whole*: a patent counts once in every category it falls in (participation);
  *fractional*: its unit weight is split over its distinct categories, or follows the concordance's
  probabilities, so fractional counts add up to the number of classified patents (the manual's choice
  when totals must add up). A patent counts once per category even when several of its IPC codes map
  there;
* **breakdowns** — year, and any register column (``province_code``, ``applicant_type``, ``patent_type``…),
  plus ``category`` when a classification system is given, optionally rolled up to a level of its
  hierarchy.

The plan is relational and runs in DuckDB on Parquet/CSV (default) or on Spark (``engine="spark"``,
:mod:`ipstats.engines.spark`), one SQL text for both: the register is never loaded into pandas; only the
distinct IPC codes are resolved in Python (:mod:`ipstats.concordance.engine`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from ipstats.concordance import KEYWORD_STRATEGIES, classify_table, load_system
from ipstats.concordance.api import open_inputs
from ipstats.concordance.engine import Classified, create_patent_view
from ipstats.concordance.system import System
from ipstats.engines.duck import as_runner, parted_table
from ipstats.engines.open import open_runner
from ipstats.engines.settings import EngineSettings
from ipstats.engines.sql import exact_sum
from ipstats.register.appno import receipt_year_sql
from ipstats.register.term import term_last_year_sql

__all__ = [
    "CountSpec",
    "MEASURES",
    "PATENT_TYPES",
    "REFERENCE_DATES",
    "classify_and_count",
    "count",
    "count_classified",
    "count_contributors",
    "rollup",
]

#: Reference dates and the register columns that hold them; ``receipt`` is the year an application was received
#: (受理年度), read from the year digits of its number (:func:`ipstats.register.appno.receipt_year_sql`).
REFERENCE_DATES = {
    "filing": "filing_date",
    "priority": "priority_date",
    "publication": "publication_date",
    "grant": "grant_date",
    "receipt": "application_number",
}
#: Measures and their default reference date (None: a stock, counted at 31 December).
MEASURES = {"applications": "filing", "grants": "grant", "valid_stock": None}
PATENT_TYPES = ("发明", "实用新型", "外观设计")
_IDENT = set("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True)
class CountSpec:
    """What to count. Every field is documented in the module docstring; ``validate`` checks them.

    Attributes
    ----------
    measure : {"applications", "grants", "valid_stock"}
    years : tuple of int
        Years of the flow, or year-ends of the stock.
    reference_date : {"filing", "priority", "publication", "grant", "receipt"}, optional
        Date that places a flow in a year; default filing for applications, grant for grants; ``receipt``:
        the year digits of the application number (受理年度).
    patent_types : tuple of str
        Subset of 发明, 实用新型, 外观设计.
    by : tuple of str
        Register columns to break down by (besides ``year`` and ``category``).
    region : str, optional
        ``"national"``/None, or a GB/T 2260 province code.
    system : str or System, optional
        Classification system id or path: adds the ``category`` breakdown.
    level : int, optional
        Roll categories up to this level of the system's hierarchy (1 = top).
    keywords : {"table", "confirm", "require", "ignore"}
        Keyword strategy of the concordance engine (:data:`ipstats.concordance.KEYWORD_STRATEGIES`); default
        ``table``, the table's own semantics: keyword conditions required, 部分涉及 candidates left out. ``confirm``
        adds the IPC-only and candidate matches (an upper bound), labelled in ``count_ipc_only`` and
        ``count_candidate``.
    """

    measure: str = "applications"
    years: tuple[int, ...] = ()
    reference_date: str | None = None
    patent_types: tuple[str, ...] = PATENT_TYPES
    by: tuple[str, ...] = ()
    region: str | None = None
    system: str | System | None = None
    level: int | None = None
    keywords: str = "table"

    @property
    def date_column(self) -> str | None:
        """Register column of the reference date (None for the stock)."""
        if self.measure == "valid_stock":
            return None
        return REFERENCE_DATES[self.reference_date or MEASURES[self.measure]]

    def validate(self) -> "CountSpec":
        """Raise ValueError with a plain message for any parameter outside its allowed values."""
        if self.measure not in MEASURES:
            raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {self.measure!r}")
        if self.reference_date is not None and self.reference_date not in REFERENCE_DATES:
            raise ValueError(f"reference_date must be one of {', '.join(REFERENCE_DATES)}, got {self.reference_date!r}")
        if self.measure == "valid_stock" and self.reference_date is not None:
            raise ValueError("valid_stock is counted at 31 December; it takes no reference_date")
        if not self.years:
            raise ValueError("years must name at least one year")
        bad = [t for t in self.patent_types if t not in PATENT_TYPES]
        if bad or not self.patent_types:
            raise ValueError(f"patent_types must be a non-empty subset of {', '.join(PATENT_TYPES)}, got {bad or '()'}")
        for col in self.by:
            if not col or set(col.lower()) - _IDENT or col in ("year", "category", "patent_id"):
                raise ValueError(
                    f"breakdown columns must be plain register column names (not year/category), got {col!r}"
                )
        if self.level is not None and self.system is None:
            raise ValueError("level needs a classification system")
        if self.keywords not in KEYWORD_STRATEGIES:
            raise ValueError(f"keywords must be one of {', '.join(KEYWORD_STRATEGIES)}, got {self.keywords!r}")
        return self


def _base_sql(spec: CountSpec, register: str) -> str:
    """SELECT patent_id, year, <by> for the patents counted (SQL that DuckDB and Spark read alike).

    Years, patent types and region are written as literals: years are integers, patent types come from
    :data:`PATENT_TYPES` and the region is checked to be a plain code, so nothing needs quoting.
    """
    cols = "".join(f", r.{c}" for c in spec.by)
    years = sorted({int(y) for y in spec.years})
    types = ", ".join(f"'{t}'" for t in spec.patent_types)
    region = ""
    if spec.region not in (None, "", "national"):
        if not str(spec.region).isalnum():
            raise ValueError(f"region must be 'national' or a GB/T 2260 province code such as 44, got {spec.region!r}")
        region = f" AND r.province_code = '{spec.region}'"
    if spec.measure == "valid_stock":
        values = ", ".join(f"({y})" for y in years)
        return (
            f"SELECT r.application_number AS patent_id, y.year{cols} "
            f"FROM (VALUES {values}) AS y(year) JOIN {register} r "
            f"ON y.year BETWEEN year(r.grant_date) AND coalesce(year(r.lapse_date) - 1, {term_last_year_sql('r')}) "
            f"WHERE r.grant_date IS NOT NULL AND r.patent_type IN ({types}){region}"
        )
    if spec.reference_date == "receipt":
        year = receipt_year_sql("r.application_number")
    else:
        year = f"CAST(year(r.{spec.date_column}) AS INTEGER)"
    return (
        f"SELECT r.application_number AS patent_id, {year} AS year{cols} "
        f"FROM {register} r WHERE {year} IN ({', '.join(map(str, years))}) "
        f"AND r.patent_type IN ({types}){region}"
    )


def count_classified(con, spec: CountSpec, register: str = "register", classified: str | None = None) -> pd.DataFrame:
    """Count with SQL on views already in *con* (the same SQL on every engine).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection or Runner
        A DuckDB connection, or a runner such as :class:`ipstats.engines.spark.SparkRunner`.
    spec : CountSpec
    register : str
        View of the register.
    classified : str, optional
        Table ``patent_id, category, weight, match`` (from :func:`ipstats.concordance.classify_table`,
        rolled up if wanted); without it there is no category breakdown.
        A :class:`~ipstats.concordance.engine.Classified` result is counted by its storage: patents
        are aggregated per signature set (compressed) or per pattern (probabilistic: whole counts are
        not defined and ``count`` is empty) before they are spread over categories.

    Returns
    -------
    pandas.DataFrame
        ``year``, the *by* columns, [``category``], ``count`` (whole), ``fractional``, and with a
        category breakdown ``count_confirmed`` (confirmed or keyword-confirmed), ``count_ipc_only``
        (keyword condition not met: the upper bound's extra), ``count_candidate`` (部分涉及).
    """
    spec.validate()
    run = as_runner(con)
    base = _base_sql(spec, register)
    keys = ["year", *spec.by]
    group = ", ".join(f"b.{k}" for k in keys)
    order = ", ".join(f"{k} NULLS LAST" for k in [*keys, "category"])
    kind = getattr(classified, "kind", "table")
    if classified is not None and kind == "compressed":
        outer = ", ".join(f"g.{k}" for k in keys)
        sql = (
            f"WITH b AS ({base}), "
            f"g AS (SELECT {group}, pp.psig, COUNT(*) AS n FROM b "
            f"JOIN {classified}_patent_psig pp ON pp.patent_id = b.patent_id "
            f"LEFT JOIN {classified}_exc_patents e ON e.patent_id = b.patent_id "
            f"WHERE e.patent_id IS NULL GROUP BY {group}, pp.psig), "
            f"part AS (SELECT {outer}, pc.category, SUM(g.n) AS count, "
            f"{exact_sum('g.n * pc.weight')} AS fractional, "
            f"SUM(CASE WHEN pc.rank IN (0, 1) THEN g.n ELSE 0 END) AS count_confirmed, "
            f"SUM(CASE WHEN pc.rank = 3 THEN g.n ELSE 0 END) AS count_ipc_only, "
            f"SUM(CASE WHEN pc.rank = 2 THEN g.n ELSE 0 END) AS count_candidate "
            f"FROM g JOIN {classified}_psig_cat pc ON pc.psig = g.psig GROUP BY {outer}, pc.category "
            f"UNION ALL "
            f"SELECT {group}, x.category, COUNT(*), {exact_sum('x.weight')}, "
            f"SUM(CASE WHEN x.rank IN (0, 1) THEN 1 ELSE 0 END), SUM(CASE WHEN x.rank = 3 THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN x.rank = 2 THEN 1 ELSE 0 END) "
            f"FROM b JOIN {classified}_exc x ON x.patent_id = b.patent_id GROUP BY {group}, x.category) "
            f"SELECT {', '.join(keys)}, category, SUM(count) AS count, {exact_sum('fractional')} AS fractional, "
            f"SUM(count_confirmed) AS count_confirmed, SUM(count_ipc_only) AS count_ipc_only, "
            f"SUM(count_candidate) AS count_candidate FROM part "
            f"GROUP BY {', '.join(keys)}, category ORDER BY {order}"
        )
        return _typed(run.df(sql), "int64")
    if classified is not None and kind == "probabilistic":
        sql = (
            f"WITH agg AS (SELECT {group}, u.pattern, {exact_sum('u.share')} AS share FROM ({base}) b "
            f"JOIN {classified}_units u ON u.patent_id = b.patent_id GROUP BY {group}, u.pattern), "
            f"cube AS (SELECT {group}, w.category, {exact_sum('b.share * w.weight')} AS fractional "
            f"FROM agg b JOIN {classified}_weights w ON w.pattern = b.pattern GROUP BY {group}, w.category) "
            f"SELECT {', '.join(keys)}, category, CAST(NULL AS BIGINT) AS count, fractional, "
            f"CAST(NULL AS BIGINT) AS count_confirmed, CAST(NULL AS BIGINT) AS count_ipc_only, "
            f"CAST(NULL AS BIGINT) AS count_candidate FROM cube ORDER BY {order}"
        )
        return _typed(run.df(sql), "Int64")
    if classified is None:
        order = ", ".join(f"{k} NULLS LAST" for k in keys)
        sql = (
            f"SELECT {group}, COUNT(*) AS count, CAST(COUNT(*) AS DOUBLE) AS fractional "
            f"FROM ({base}) b GROUP BY {group} ORDER BY {order}"
        )
    else:
        sql = (
            f"SELECT {group}, c.category, COUNT(*) AS count, {exact_sum('c.weight')} AS fractional, "
            f"COUNT(*) FILTER (WHERE c.match IN ('confirmed', 'keyword-confirmed')) AS count_confirmed, "
            f"COUNT(*) FILTER (WHERE c.match = 'IPC-only') AS count_ipc_only, "
            f"COUNT(*) FILTER (WHERE c.match = 'candidate') AS count_candidate "
            f"FROM ({base}) b JOIN {classified} c ON c.patent_id = b.patent_id "
            f"GROUP BY {group}, c.category ORDER BY {order}"
        )
    return _typed(run.df(sql), "int64")


def count_contributors(
    con: duckdb.DuckDBPyConnection, spec: CountSpec, contributor: str = "applicant_name", register: str = "register"
) -> pd.DataFrame:
    """Cells of a count with their contributors, for disclosure control (no classification).

    *con* is a DuckDB connection or a runner (the same SQL on DuckDB and Spark).

    Returns
    -------
    pandas.DataFrame
        ``year``, the *by* columns, ``count``, ``contributors`` (distinct values of *contributor*, e.g.
        applicants), ``largest`` and ``second`` (patents of the two largest contributors).
    """
    spec.validate()
    inner = CountSpec(**{**spec.__dict__, "by": (*spec.by, contributor), "system": None, "level": None})
    base = _base_sql(inner, register)
    keys = ", ".join(["year", *spec.by])
    sql = (
        f"WITH per AS (SELECT {keys}, {contributor} AS who, COUNT(*) AS n FROM ({base}) b "
        f"GROUP BY {keys}, {contributor}), "
        f"ranked AS (SELECT *, row_number() OVER (PARTITION BY {keys} ORDER BY n DESC, who) AS rk FROM per) "
        f"SELECT {keys}, SUM(n) AS count, COUNT(*) AS contributors, "
        f"MAX(CASE WHEN rk = 1 THEN n END) AS largest, coalesce(MAX(CASE WHEN rk = 2 THEN n END), 0) AS second "
        f"FROM ranked GROUP BY {keys} ORDER BY {keys}"
    )
    return _typed(as_runner(con).df(sql), "int64").astype({"largest": "int64", "second": "int64"})


def _typed(cube: pd.DataFrame, dtype: str) -> pd.DataFrame:
    """Counts as integers (``Int64`` where whole counts are undefined and empty)."""
    for col in [c for c in cube.columns if c.startswith("count")]:
        cube[col] = cube[col].astype(dtype)
    return cube


#: Rows of a classification's part rolled up in one DuckDB aggregate at the default 2 GB memory limit (scaled with
#: the limit); a larger part is rolled up in hash partitions of its key (:func:`ipstats.engines.duck.parted_table`). At 50 M applications the upper bound of
#: the key digital technologies has 274 M exception rows (patent × category): one aggregate of them ran out of
#: the 2 GB limit, eight partitions of 34 M rows took 8 s each.
ROLLUP_ROWS = 40_000_000


def rollup(con, system: System, classified: str, level: int, name: str = "classified_rollup") -> str:
    """Roll a classification up to *level* of the system's hierarchy (1 = top).

    A patent counts once per ancestor: weights of its categories under the same ancestor are summed
    and the best match label is kept. Works on every storage kind of :func:`classify_table`, on a DuckDB
    connection or a runner (the compressed and probabilistic kinds on every engine).
    """
    ancestors = system.ancestors(level).dropna()
    if ancestors.empty:
        raise ValueError(f"system {system.id} has no categories at level {level}")
    run = as_runner(con)
    run.put(
        "_ipstats_ancestors",
        pd.DataFrame({"category": ancestors.index.astype(object), "ancestor": ancestors.to_numpy().astype(object)}),
    )
    kind = getattr(classified, "kind", "table")
    try:
        if kind == "probabilistic":
            run.table(
                f"{name}_weights",
                f"""
                SELECT w.pattern, a.ancestor AS category, {exact_sum('w.weight')} AS weight
                FROM {classified}_weights w JOIN _ipstats_ancestors a ON a.category = w.category
                GROUP BY w.pattern, a.ancestor""",
            )
            run.view(f"{name}_units", f"SELECT * FROM {classified}_units")
            return Classified(name, kind)
        if kind == "compressed":
            for part, key in (("psig_cat", "psig"), ("exc", "patent_id")):
                parted_table(
                    run,
                    f"{name}_{part}",
                    f"""
                    SELECT c.{key}, a.ancestor AS category, MIN(c.rank) AS rank, {exact_sum('c.weight')} AS weight
                    FROM {classified}_{part} c JOIN _ipstats_ancestors a ON a.category = c.category
                    {{where}} GROUP BY c.{key}, a.ancestor""",
                    f"{classified}_{part}",
                    f"c.{key}",
                    ROLLUP_ROWS,
                )
            for part in ("patent_psig", "exc_patents"):
                run.view(f"{name}_{part}", f"SELECT * FROM {classified}_{part}")
            create_patent_view(run, name)
            return Classified(name, kind)
        labels = "['confirmed', 'keyword-confirmed', 'candidate', 'IPC-only']"
        return run.table(
            name,
            f"""
            SELECT c.patent_id, a.ancestor AS category, {exact_sum('c.weight')} AS weight,
                   {labels}[MIN(list_position({labels}, c.match))] AS match
            FROM {classified} c JOIN _ipstats_ancestors a ON a.category = c.category
            GROUP BY c.patent_id, a.ancestor""",
        )
    finally:
        run.drop("_ipstats_ancestors")


def classify_and_count(
    con, spec: CountSpec, system: System | None, texts: str | None, register: str = "register", links: str = "links"
) -> pd.DataFrame:
    """Classify (when *system* is given, rolled up to ``spec.level``) and count views already in *con*.

    The one body of :func:`count` for every engine: *con* is a DuckDB connection or a runner.
    """
    classified = None
    if system is not None:
        classified = classify_table(con, system, links, texts, keywords=spec.keywords)
        if spec.level is not None:
            classified = rollup(con, system, classified, spec.level)
    return count_classified(con, spec, register, classified)


def count(
    register: str | Path,
    spec: CountSpec,
    out: str | Path | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    engine: "str | dict | EngineSettings" = "duckdb",
) -> pd.DataFrame:
    """Classify (when ``spec.system`` is set) and count a register file into a tidy cube.

    Parameters
    ----------
    register : path or str
        Register (Parquet or CSV; IPC links from ``register_ipc.parquet`` beside it when present). With
        ``engine="spark"``: a Parquet register at any path Spark reads (``hdfs://``, ``s3a://``, a folder of
        parts…) with ``register_ipc.parquet`` beside it.
    spec : CountSpec
    out : path, optional
        Also write the cube as Parquet here.
    con : duckdb.DuckDBPyConnection, optional
        Connection to use (a new in-memory one by default; DuckDB engine only).
    engine : str, dict or EngineSettings
        ``"duckdb"`` (default) or ``"spark"``, or settings with the Spark master URL, app name and
        config (:func:`ipstats.engines.engine_settings`). Both engines run the same plan and
        return the same cube (:func:`ipstats.engines.open_runner`, :func:`ipstats.concordance.api.open_inputs`).

    Returns
    -------
    pandas.DataFrame
        The cube of :func:`count_classified` plus ``measure``, ``reference_date`` and, with a system,
        ``system``, ``category_name``. For a probabilistic system (``isi_nace2``) whole counts are not
        defined and ``count`` columns are empty.
    """
    spec.validate()
    system = None
    if spec.system is not None:
        system = spec.system if isinstance(spec.system, System) else load_system(spec.system)
    with open_runner(engine, con) as run:
        texts, _ = open_inputs(run, register, register=True, classify=system is not None)
        cube = classify_and_count(run, spec, system, texts)
    cube.insert(0, "measure", spec.measure)
    cube.insert(
        1,
        "reference_date",
        "31 December" if spec.measure == "valid_stock" else spec.reference_date or MEASURES[spec.measure],
    )
    if system is not None:
        cube.insert(2, "system", system.id)
        position = cube.columns.get_loc("category") + 1
        cube.insert(position, "category_name", cube["category"].map(system.category_names()))
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        cube.to_parquet(out, index=False)
    return cube
