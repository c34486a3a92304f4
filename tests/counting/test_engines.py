"""Choosing the engine: names and parameter-file settings are read with plain errors."""

import duckdb
import pytest

from ipstats.engines import EngineSettings, engine_settings
from ipstats.counting import CountSpec, count


def test_engine_settings_from_a_parameter_file():
    assert engine_settings("duckdb") == EngineSettings()
    assert engine_settings(None) == EngineSettings()
    settings = engine_settings({"name": "spark", "master": "yarn", "config": {"spark.executor.memory": "8g"}})
    assert (settings.name, settings.master, settings.app_name) == ("spark", "yarn", "ipstats")
    assert settings.config == {"spark.executor.memory": "8g"}


@pytest.mark.parametrize(
    "engine, message",
    [
        ("polars", "engine must be one of duckdb, spark, got 'polars'"),
        ({"name": "spark", "executors": 4}, "unknown key\\(s\\) executors"),
        ({"name": "spark", "config": "fast"}, "config must be a mapping"),
        (3, "engine must be a name"),
    ],
)
def test_engine_settings_errors(engine, message):
    with pytest.raises(ValueError, match=message):
        engine_settings(engine)


def test_a_duckdb_connection_is_not_a_spark_session():
    with pytest.raises(ValueError, match="cannot be used with engine='spark'"):
        count("x.parquet", CountSpec(years=(2023,)), con=duckdb.connect(), engine="spark")
