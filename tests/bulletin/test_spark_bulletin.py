"""The CI bulletin on Spark: every published table, text and chart's data equal to the DuckDB bulletin's.

``engine: spark`` (local mode) in the CI parameter file reaches every notebook that declares ``engine``: the
overview and high-value counts, the patents by industry, the whole monitoring (classifications, cubes,
breakdowns, diagnostics) and the transfer statistics' register reads run on Spark. The files they publish must be byte for byte those of the session's
DuckDB bulletin (``ci_bulletin``): the same counts, the same rounding (a fractional sum of a tie publishes the
same digits on both engines: :func:`ipstats.indicators.narrative.half_up`), the same suppression.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("pyspark", reason="PySpark is not installed (pip install pyspark)")
if shutil.which("java") is None:
    pytest.skip("Java is not installed (the Spark engine needs Java 17 or 21)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
ENGINE = """
engine:
  name: spark
  master: "local[2]"
  app_name: ipstats-ci-spark
  config: {spark.ui.enabled: "false", spark.sql.shuffle.partitions: "1", spark.sql.adaptive.enabled: "false",
           spark.default.parallelism: "2", spark.driver.memory: "1g"}
"""


def test_spark_bulletin_publishes_the_duckdb_bulletin(same_publication, tmp_path):
    text = (ROOT / "parameters" / "ci.yaml").read_text(encoding="utf-8").replace('"../', f'"{ROOT.as_posix()}/')
    params = tmp_path / "ci_spark.yaml"
    params.write_text(
        text.replace(f'output: "{ROOT.as_posix()}/out/ci"', f'output: "{(tmp_path / "out").as_posix()}"').replace(
            f'internal_output: "{ROOT.as_posix()}/out/ci-internal"',
            f'internal_output: "{(tmp_path / "internal").as_posix()}"',
        )
        + ENGINE,
        encoding="utf-8",
    )
    same_publication(params, tmp_path / "bulletin")
