"""The patents of a classification, each once (patents_sql), are those of its per-patent view."""

from __future__ import annotations

import pytest

from ipstats.concordance import load_system
from ipstats.concordance.api import links_from_register
from ipstats.concordance.engine import classify_table, patents_sql
from ipstats.engines import duck
from ipstats.register.io import open_register


@pytest.mark.parametrize("system", ["cnipa_digital_tech_2023", "cnipa_sei_2021", "cnipa_green_tech"])
@pytest.mark.parametrize("keywords", ["table", "confirm"])
def test_patents_sql_equals_distinct_patents_of_view(small_demo, system, keywords):
    con = duck.connect()
    try:
        open_register(small_demo["register"], con)
        texts, _ = links_from_register(con, small_demo["register"])
        classified = classify_table(con, load_system(system), "links", texts, keywords=keywords)
        assert classified.kind == "compressed"
        once = con.execute(f"SELECT patent_id FROM ({patents_sql(classified)}) ORDER BY 1").df()["patent_id"]
        distinct = con.execute(f"SELECT DISTINCT patent_id FROM {classified} ORDER BY 1").df()["patent_id"]
        exceptions = con.execute(f"SELECT count(*) FROM {classified}_exc_patents").fetchall()[0][0]
    finally:
        con.close()
    assert once.is_unique
    assert once.tolist() == distinct.tolist()
    assert len(distinct) > 0
    if keywords == "table" and system != "cnipa_green_tech":
        assert exceptions > 0  # both parts of the union are exercised
