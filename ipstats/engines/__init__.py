"""Where the relational plan runs: DuckDB on one machine, Apache Spark on a cluster.

* :mod:`ipstats.engines.settings` — which engine, and the Spark settings of a parameter file;
* :mod:`ipstats.engines.sql` — SQL text shared by both: literals and file readers (the one quoting helper),
  order-stable sums, the text of a patent;
* :mod:`ipstats.engines.scan` — the keyword scan (folding, Aho–Corasick) both engines call;
* :mod:`ipstats.engines.duck` — DuckDB connections and :class:`DuckRunner`;
* :mod:`ipstats.engines.spark` — Spark sessions, :class:`SparkRunner` and the Spark views of a register;
* :mod:`ipstats.engines.open` — :func:`open_runner`, the one place that branches on the engine's name.

The stages (classification in :mod:`ipstats.concordance`, counting in :mod:`ipstats.counting`) write one
plan and hand it to a runner; this package depends on no stage, so no stage's import reaches back here in
a cycle.
"""

from ipstats.engines.duck import DuckRunner, Runner, as_runner, columns_of, connect, find_terms
from ipstats.engines.open import INPUT_VIEWS, open_runner
from ipstats.engines.scan import TermScanner, fold, scan_texts, term_automaton
from ipstats.engines.settings import ENGINES, EngineSettings, engine_settings
from ipstats.engines.spark import SparkRunner, open_spark_register, spark_runner, spark_session
from ipstats.engines.sql import exact_sum, sql_list, sql_parquet, sql_reader, sql_text, text_sql

__all__ = [
    "ENGINES",
    "INPUT_VIEWS",
    "DuckRunner",
    "EngineSettings",
    "Runner",
    "SparkRunner",
    "TermScanner",
    "as_runner",
    "columns_of",
    "connect",
    "engine_settings",
    "exact_sum",
    "find_terms",
    "fold",
    "open_runner",
    "open_spark_register",
    "scan_texts",
    "spark_runner",
    "spark_session",
    "sql_list",
    "sql_parquet",
    "sql_reader",
    "sql_text",
    "term_automaton",
    "text_sql",
]
