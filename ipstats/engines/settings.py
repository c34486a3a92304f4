"""Which engine classifies and counts (计算引擎): the parameter-file form and its checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ipstats.errors import ParameterError

__all__ = ["ENGINES", "EngineSettings", "engine_settings"]

ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class EngineSettings:
    """Which engine classifies and counts (计算引擎), with the Spark settings passed through.

    Attributes
    ----------
    name : {"duckdb", "spark"}
        ``duckdb`` (default): one machine, in process. ``spark``: a Spark cluster or local mode.
    master : str, optional
        Spark master URL (``local[2]``, ``spark://host:7077``, ``yarn``, ``k8s://https://host:443``);
        None leaves it to ``spark-submit`` / ``SPARK_HOME`` configuration (or reuses the active session).
    app_name : str
        Spark application name.
    config : dict
        Spark properties passed through unchanged (``spark.executor.memory``, ``spark.sql.shuffle.partitions``…).
    """

    name: str = "duckdb"
    master: str | None = None
    app_name: str = "ipstats"
    config: Mapping[str, Any] = field(default_factory=dict)


def engine_settings(engine: "str | Mapping[str, Any] | EngineSettings | None" = "duckdb") -> EngineSettings:
    """Read an engine choice: a name, a mapping as in a parameter file, or settings.

    The parameter-file form is ``engine: {name: spark, master: "local[2]", app_name: ipstats,
    config: {spark.sql.shuffle.partitions: 8}}``; ``engine: spark`` and ``engine: duckdb`` also work.

    Raises
    ------
    ParameterError
        Unknown engine name or setting, or a config that is not a mapping.
    """
    if engine is None:
        return EngineSettings()
    if isinstance(engine, EngineSettings):
        settings = engine
    elif isinstance(engine, str):
        settings = EngineSettings(name=engine)
    elif isinstance(engine, Mapping):
        unknown = sorted(set(engine) - {"name", "master", "app_name", "config"})
        if unknown:
            raise ParameterError(
                f"engine settings: unknown key(s) {', '.join(unknown)}; expected name, master, app_name, config"
            )
        config = engine.get("config") or {}
        if not isinstance(config, Mapping):
            raise ParameterError(f"engine settings: config must be a mapping of Spark properties, got {config!r}")
        settings = EngineSettings(
            name=str(engine.get("name", "duckdb")),
            master=engine.get("master"),
            app_name=str(engine.get("app_name") or "ipstats"),
            config=dict(config),
        )
    else:
        raise ParameterError(f"engine must be a name ({', '.join(ENGINES)}) or a mapping of settings, got {engine!r}")
    if settings.name not in ENGINES:
        raise ParameterError(f"engine must be one of {', '.join(ENGINES)}, got {settings.name!r}")
    return settings
