"""Demo titles and abstracts: deterministic, abstracts for every non-design, and keyword-confirmed shares of
valid inventions near the published order of magnitude (SEI ≈ 28 % of domestic valid inventions, end-2024)."""

from __future__ import annotations

import pandas as pd
import pytest

from ipstats.concordance import classify_table, load_system
from ipstats.concordance.api import links_from_register
from ipstats.register.demo import generate_register, technology_terms, write_demo_data
from ipstats.engines import connect
from ipstats.register.io import open_register


def test_same_seed_same_texts_and_abstracts_only_where_there_is_one():
    a, _ = generate_register(3_000, seed=5)
    b, _ = generate_register(3_000, seed=5)
    pd.testing.assert_frame_equal(a, b)
    design = a["patent_type"] == "外观设计"
    assert a.loc[design, "abstract"].isna().all()
    assert a.loc[~design, "abstract"].str.startswith(("本发明涉及", "本实用新型涉及")).all()
    assert all(title in abstract for title, abstract in zip(a.loc[~design, "title"], a.loc[~design, "abstract"]))


def test_vocabulary_shares_are_probabilities():
    terms = technology_terms()
    assert "*" in terms and all(0 <= share <= 1 for share, _ in terms.values())
    assert all(words for prefix, (_, words) in terms.items() if prefix != "*")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_texts")
    write_demo_data(out, patents=20_000, seed=2024)
    return out / "register.parquet"


@pytest.mark.parametrize(
    "system, low, high", [("cnipa_sei_2021", 15, 45), ("cnipa_digital_tech_2023", 10, 45), ("cnipa_green_tech", 3, 20)]
)
def test_confirmed_shares_of_valid_inventions_sit_in_the_published_order_of_magnitude(demo, system, low, high):
    con = connect()
    open_register(str(demo), con)
    texts = links_from_register(con, str(demo))[0]
    shares = {}
    for keywords in ("table", "confirm"):
        classified = classify_table(con, load_system(system), "links", texts, keywords=keywords)
        valid, mine = con.execute(f"""
            SELECT COUNT(*), COUNT(*) FILTER (WHERE r.application_number IN (SELECT patent_id FROM {classified}))
            FROM register r WHERE r.patent_type = '发明' AND r.grant_date <= DATE '2023-12-31'
              AND (r.lapse_date IS NULL OR r.lapse_date > DATE '2023-12-31')""").fetchone()
        shares[keywords] = 100 * mine / valid
    con.close()
    assert low <= shares["table"] <= high
    assert shares["table"] < shares["confirm"]  # the upper bound is well above the published count
