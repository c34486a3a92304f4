"""Patents reduced to signature sets in hash partitions (above LINK_ROWS links) classify as in one pass."""

from __future__ import annotations

import pytest

from ipstats.concordance import engine, load_system
from ipstats.concordance.api import links_from_register
from ipstats.engines import duck
from ipstats.register.io import open_register


@pytest.mark.parametrize(
    ("system", "keywords"), [("wipo_fields_2019", "confirm"), ("cnipa_digital_tech_2023", "table")]
)
def test_partitioned_signatures_classify_as_one_pass(small_demo, monkeypatch, system, keywords):
    passes = []
    original = duck.parted_table

    def counted(*args):
        passes.append(original(*args))
        return passes[-1]

    monkeypatch.setattr(engine, "parted_table", counted)
    con = duck.connect()
    try:
        open_register(small_demo["register"], con)
        texts, _ = links_from_register(con, small_demo["register"])
        links = con.execute("SELECT count(*) FROM links").fetchall()[0][0]
        rows = {}
        for name, limit in (("whole", engine.LINK_ROWS), ("parted", max(1, links // 6))):
            monkeypatch.setattr(engine, "LINK_ROWS", limit)
            view = engine.classify_table(con, load_system(system), "links", texts, keywords=keywords, name=name)
            rows[name] = con.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall()
    finally:
        con.close()
    assert passes[0] == 1 and passes[1] >= 5
    assert rows["parted"] == rows["whole"] and len(rows["whole"]) > 100
