"""A classification rolled up in hash partitions (above ROLLUP_ROWS) equals the one-pass rollup."""

from __future__ import annotations

import duckdb
import pytest

from ipstats.concordance import load_system
from ipstats.concordance.api import links_from_register
from ipstats.concordance.engine import classify_table
from ipstats.counting import cube
from ipstats.engines import duck
from ipstats.register.io import open_register


@pytest.mark.parametrize("system", ["cnipa_digital_tech_2023", "cnipa_sei_2021"])
def test_partitioned_rollup_equals_one_pass(small_demo, monkeypatch, system):
    con = duck.connect()
    try:
        open_register(small_demo["register"], con)
        texts, _ = links_from_register(con, small_demo["register"])
        sysm = load_system(system)
        classified = classify_table(con, sysm, "links", texts, keywords="confirm")
        exceptions = con.execute(f"SELECT count(*) FROM {classified}_exc").fetchall()[0][0]
        rows = {}
        for name, limit in (("whole", cube.ROLLUP_ROWS), ("parted", max(1, exceptions // 5))):
            monkeypatch.setattr(cube, "ROLLUP_ROWS", limit)
            view = cube.rollup(con, sysm, classified, 1, name=name)
            rows[name] = con.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall()
        passes = duck.parted_table(
            duck.DuckRunner(con),
            "passes",
            f"SELECT c.patent_id, count(*) AS n FROM {classified}_exc c {{where}} GROUP BY c.patent_id",
            f"{classified}_exc",
            "c.patent_id",
            cube.ROLLUP_ROWS,
        )
        counted = con.execute("SELECT count(*), count(DISTINCT patent_id), sum(n) FROM passes").fetchall()[0]
    finally:
        con.close()
    assert exceptions > 10
    assert passes >= 4  # about five partitions at the patched limit
    assert counted[0] == counted[1] and counted[2] == exceptions  # each patent in one partition, every row once
    assert rows["parted"] == rows["whole"] and len(rows["whole"]) > 0


@pytest.mark.parametrize(("limit", "scale"), [("2GB", 1.0), ("500MB", 0.25), ("16GB", 8.0)])
def test_pass_sizes_scale_with_the_memory_limit(limit, scale):
    assert duck.memory_scale(duckdb.connect(config={"memory_limit": limit})) == pytest.approx(scale, rel=0.05)
