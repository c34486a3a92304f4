"""Every DuckDB connection ipstats opens has a memory limit and spills to a folder of its own.

``$IPSTATS_DUCKDB_MEMORY`` (default 2GB) limits the notebooks' classify-and-count connections as it limits
validation: a national register must not let one query take a shared machine's memory. Spilled data go to a
folder under the system's temporary folder, never to ``.tmp`` in the working folder (a notebook's output folder).
"""

import tempfile
from pathlib import Path

import pytest

from ipstats.engines.duck import DEFAULT_MEMORY, MEMORY_ENV, connect, memory_limit


def _setting(con, name: str) -> str:
    return con.execute(f"SELECT current_setting('{name}')").fetchone()[0]


def test_default_and_environment(monkeypatch):
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    assert memory_limit() == DEFAULT_MEMORY == "2GB"
    assert memory_limit("3GB") == "3GB"
    monkeypatch.setenv(MEMORY_ENV, "300MB")
    assert memory_limit() == "300MB"
    con = connect()
    try:
        assert _setting(con, "memory_limit") == "286.1 MiB"  # 300 MB as DuckDB prints it
    finally:
        con.close()


def test_a_query_beyond_the_limit_spills_outside_the_working_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    con = connect(memory="64MB", threads=1)
    try:
        spill = Path(_setting(con, "temp_directory"))
        assert spill.parent == Path(tempfile.gettempdir()) and spill.name.startswith("ipstats-spill-")
        n = con.execute(
            "SELECT COUNT(DISTINCT k) FROM (SELECT md5(CAST(i AS VARCHAR)) AS k FROM range(3000000) t(i))"
        ).fetchone()[0]
        assert n == 3_000_000
    finally:
        con.close()
    assert not (tmp_path / ".tmp").exists()
    assert not spill.exists()  # DuckDB removes the folder it created


def test_two_connections_spill_to_different_folders():
    a, b = connect(), connect()
    try:
        assert _setting(a, "temp_directory") != _setting(b, "temp_directory")
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("memory", ["1GB", "512MB"])
def test_explicit_memory_wins_over_the_environment(monkeypatch, memory):
    monkeypatch.setenv(MEMORY_ENV, "300MB")
    assert memory_limit(memory) == memory
