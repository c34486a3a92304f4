"""Disclosure control: primary rules, secondary suppression, and the LP audit."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipstats.sdc import Rules, audit, primary, protect


def table(values, contributors, largest=None, second=None):
    rows, cols = np.indices(np.shape(values))
    frame = pd.DataFrame(
        {
            "row": rows.ravel(),
            "col": cols.ravel(),
            "value": np.ravel(values).astype(float),
            "contributors": np.ravel(contributors),
        }
    )
    frame["largest"] = (
        np.ravel(largest) if largest is not None else frame["value"] / frame["contributors"].clip(lower=1)
    )
    frame["second"] = np.ravel(second) if second is not None else frame["largest"]
    return frame


def test_primary_rules():
    cells = pd.DataFrame(
        {
            "row": [0, 0, 0, 0, 0],
            "col": [0, 1, 2, 3, 4],
            "value": [10, 100, 100, 100, 0],
            "contributors": [2, 10, 10, 10, 0],
            "largest": [5, 90, 50, 20, 0],
            "second": [5, 5, 45, 20, 0],
        }
    )
    flags = primary(cells, Rules(min_contributors=3, dominance_n=1, dominance_k=85, p_percent=10))
    # cell 0: 2 contributors; cell 1: one firm holds 90 %; cell 2: p % gives 100-50-45 = 5, not below 10 % of 50;
    # cell 4 is empty and published as zero
    assert flags.tolist() == [True, True, False, False, False]
    strict = primary(cells, Rules(p_percent=20))  # 5 < 20 % of 50: the runner-up learns the leader
    assert strict.tolist() == [True, True, True, False, False]
    two = primary(cells, Rules(dominance_n=2, dominance_k=90, p_percent=0))
    assert two.tolist() == [True, True, True, False, False]  # 50 + 45 > 90 % of 100


def test_single_primary_gets_a_partner_in_row_and_column():
    values = [[20, 30, 40], [25, 2, 35], [30, 40, 50]]
    contributors = [[5, 5, 5], [5, 1, 5], [5, 5, 5]]
    protected, result = protect(table(values, contributors))
    status = protected.set_index(["row", "col"])["status"]
    assert status[(1, 1)] == "primary"
    hidden = protected[protected["status"] != "published"]
    assert hidden.groupby("row").size().min() >= 2 and hidden.groupby("col").size().min() >= 2
    assert result["protected"].all()
    assert protected.loc[protected["status"] != "published", "published_value"].isna().all()


def test_audit_catches_primary_only_pattern():
    cells = table([[20, 30, 40], [25, 2, 35], [30, 40, 50]], [[5, 5, 5], [5, 1, 5], [5, 5, 5]])
    status = pd.Series(np.where(primary(cells), "primary", "published"))
    naive = audit(cells, status)
    assert not naive["protected"].all()
    assert naive.iloc[0]["width"] == pytest.approx(0)  # recovered exactly from the margins


def test_bad_input():
    with pytest.raises(ValueError, match="need column"):
        protect(pd.DataFrame({"row": [0]}))
    with pytest.raises(ValueError, match="percentage"):
        Rules(p_percent=150)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5), st.integers(2, 5), st.data())
def test_random_tables_pass_the_audit_after_protection(n_rows, n_cols, data):
    """With cell values within a factor of two of each other every table can be protected, and is."""
    size = n_rows * n_cols
    values = data.draw(st.lists(st.integers(50, 100), min_size=size, max_size=size))
    # two contributors or more: a table of singletons only cannot be protected against its own contributors
    # (each knows its cell; in a 2 × 2 table with margins one cell gives all the others)
    contrib = data.draw(st.lists(st.integers(2, 6), min_size=size, max_size=size))
    cells = table(np.reshape(values, (n_rows, n_cols)), np.reshape(contrib, (n_rows, n_cols)))
    protected, result = protect(cells)
    primaries = (protected["status"] == "primary").to_numpy()
    assert result["protected"].all()
    assert ((result["lower"] <= result["value"] + 1e-6) & (result["value"] <= result["upper"] + 1e-6)).all()
    hidden = protected[protected["status"] != "published"]
    for key in ("row", "col"):  # the classic rule holds at the end
        assert (hidden.groupby(key).size() != 1).all()
    # the naive primary-only pattern fails whenever a line holds exactly one primary cell
    naive = audit(cells, pd.Series(np.where(primaries, "primary", "published")))
    lonely = any((protected.loc[primaries].groupby(key).size() == 1).any() for key in ("row", "col"))
    if lonely:
        assert not naive["protected"].all()


def test_column_totals_only():
    """Provinces × measures: only the national totals of each measure are published."""
    cells = table([[50, 40], [2, 30], [60, 1], [70, 80]], [[9, 9], [1, 9], [9, 1], [9, 9]])
    protected, result = protect(cells, row_totals=False, col_totals=True)
    hidden = protected[protected["status"] != "published"]
    assert (hidden.groupby("col").size() == 2).all()  # each measure: its primary and one partner
    assert result["protected"].all()
    with pytest.raises(ValueError, match="totals"):
        protect(cells, row_totals=False, col_totals=False)


def test_protect_provinces_suppresses_derived_columns():
    from ipstats.indicators.overview import protect_provinces

    provinces = pd.DataFrame(
        {
            "province_code": ["11", "12", "13"],
            "province": ["北京市", "天津市", "河北省"],
            "invention_applications": [100, 2, 50],
            "valid_invention_patents": [300, 40, 80],
            "valid_invention_growth_pct": [5.0, 2.0, 1.0],
            "per_10k": [10.0, 4.0, 1.0],
            "per_10k_previous": [9.0, 3.9, 0.9],
            "rank": [1, 2, 3],
        }
    )

    def contrib(counts, people):
        return pd.DataFrame(
            {
                "province_code": ["11", "12", "13"],
                "count": counts,
                "contributors": people,
                "largest": [c // max(p, 1) + 1 for c, p in zip(counts, people)],
                "second": [c // max(p, 1) for c, p in zip(counts, people)],
            }
        )

    published, record = protect_provinces(
        provinces,
        {
            "invention_applications": contrib([100, 2, 50], [40, 1, 20]),
            "valid_invention_patents": contrib([300, 40, 80], [90, 30, 30]),
        },
        {"min_contributors": 3},
    )
    out = published.set_index("province_code")
    assert pd.isna(out.loc["12", "invention_applications"])  # one applicant: primary
    assert pd.isna(out.loc["13", "invention_applications"])  # least-value partner: secondary
    assert out.loc["11", "invention_applications"] == 100
    assert out["valid_invention_patents"].notna().all() and out["per_10k"].notna().all()
    assert record["primary"] == 1 and record["secondary"] == 1 and record["audit_pass"]


def test_cell_contributions_hand_computed():
    from ipstats.sdc import cell_contributions

    per = pd.DataFrame(
        {"row": ["a", "a", "a", "b", "b"], "who": ["x", "y", "z", "x", "w"], "n": [5.0, 2.0, 0.0, 1.5, 1.5]}
    )
    cells = cell_contributions(per, ["row"], "n").set_index("row")
    assert cells.loc["a"].tolist() == [7.0, 2, 5.0, 2.0]  # count, contributors (z has 0), largest, second
    assert cells.loc["b"].tolist() == [3.0, 2, 1.5, 1.5]


def test_protect_columns_suppresses_derived_columns_and_keeps_the_total():
    from ipstats.sdc import protect_columns

    table = pd.DataFrame({"key": ["a", "b", "c", "d"], "n": [100, 2, 90, 80], "n_pct": [36.8, 0.7, 33.1, 29.4]})
    contributions = {
        "n": pd.DataFrame(
            {
                "key": ["a", "b", "c", "d"],
                "count": [100, 2, 90, 80],
                "contributors": [20, 1, 15, 12],
                "largest": [10, 2, 9, 8],
                "second": [9, 0, 8, 7],
            }
        )
    }
    published, rec = protect_columns(table, "key", contributions, {}, {"n": ["n_pct"]})
    hidden = published[published["n"].isna()]
    assert "b" in set(hidden["key"]) and len(hidden) == 2  # the primary cell and one partner
    assert hidden["n_pct"].isna().all() and rec["primary"] == 1 and rec["secondary"] == 1 and rec["audit_pass"]
    assert str(published["n"].dtype) == "Int64"


# --- τ-ARGUS protection levels, linked tables, integrality, singletons, the policy -------------------------------------
def test_protection_levels_are_tau_argus():
    from ipstats.sdc import protection_levels

    # X = 100: p % (x1 = 60, x2 = 35): 0.1·60 − (100 − 60 − 35) = 1; dominance (x1 = 90): 100/85·90 − 100 = 5.88;
    # frequency (2 contributors, X = 50): 10 % of 50 = 5; a safe cell: 0
    levels = protection_levels([100, 100, 50, 100], [5, 5, 2, 5], [60, 90, 30, 20], [35, 5, 20, 20])
    assert levels["upper"].round(4).tolist() == [1.0, round(100 / 85 * 90 - 100, 4), 5.0, 0.0]
    assert levels["rule"].tolist() == ["p_rule", "dominance + p_rule", "frequency + p_rule", ""]
    # a p % cell: 0.1·95 − (100 − 95 − 4) = 8.5 upper; the lower level never exceeds the value
    small = protection_levels([10.0], [1], [10.0], [0.0])
    assert small["upper"].iloc[0] == pytest.approx(100 / 85 * 10 - 10) and small["lower"].iloc[0] <= 10
    counts = protection_levels([7], [2], [4], [3], integer=True)
    assert counts["upper"].iloc[0] == float(int(counts["upper"].iloc[0]))  # whole for counts


def test_the_p_rule_is_checked_not_only_the_width():
    """The first audit passed any interval 10 % wide; a p % cell needs its own protection level both ways."""
    from ipstats.sdc import Linked, audit_linked

    link = Linked("t")
    # the leader holds 95 of 100, the runner-up 4: UPL = 0.1·95 − 1 = 8.5; a partner of 3 leaves only 3 below
    link.cell("a", 100, 3, 95, 4)
    link.cell("b", 3, 9, 1, 1)
    link.cell("c", 500, 9, 60, 60)
    link.cell("t", 603, public=True)
    link.add_sum("t", ["a", "b", "c"])
    status = ["primary", "secondary", "published", "published"]
    result = audit_linked(link, status, Rules()).set_index("key_text")
    a = result.loc["a"]
    assert a["upper"] - a["lower"] >= 0.1 * 100  # wide enough for the old audit …
    assert a["required_upper"] == pytest.approx(100 / 85 * 95 - 100) and not a["protected"]  # … not for τ-ARGUS


def _province_tables(seed: int):
    """A province × category table (column totals public) and its province totals (a table of their own)."""
    from ipstats.sdc import Linked

    rng = np.random.default_rng(seed)
    cells, totals = {}, {}
    for p in range(6):
        for c in range(4):
            n = int(rng.integers(1, 6))
            value = float(rng.integers(5, 60))
            cells[(p, c)] = (value, n, value / n + 1 if n > 1 else value, value / n - 1 if n > 1 else 0.0)
        totals[p] = sum(cells[(p, c)][0] for c in range(4))

    def build(with_cells: bool, with_totals: bool) -> Linked:
        link = Linked("joint")
        if with_cells:
            for key, (value, n, x1, x2) in cells.items():
                link.cell(("pc", *key), value, n, x1, x2)
            for c in range(4):
                link.cell(("c", c), sum(cells[(p, c)][0] for p in range(6)), public=True)
                link.add_sum(("c", c), [("pc", p, c) for p in range(6)])
        if with_totals:
            for p in range(6):
                link.cell(("p", p), totals[p], 9, totals[p] / 5, totals[p] / 6)
            link.cell("all", sum(totals.values()), public=True)
            link.add_sum("all", [("p", p) for p in range(6)])
        if with_cells and with_totals:
            for p in range(6):
                link.add_sum(("p", p), [("pc", p, c) for c in range(4)])
        return link

    return build


def test_linked_tables_are_protected_jointly():
    """A province table and a province × category table share their margins: protected one at a time (as the
    first version did) some sensitive cell is worked back from the two together; protected jointly, none is."""
    from ipstats.sdc import audit_linked, protect_linked

    build = _province_tables(5)
    joint = build(True, True)
    alone = {
        k: s
        for part in (build(True, False), build(False, True))
        for k, s in zip(protect_linked(part, Rules()).cells["key"], protect_linked(part, Rules()).cells["status"])
    }
    status = [alone[k] for k in joint.frame()["key"]]
    assert not audit_linked(joint, status, Rules())["protected"].all()
    protection = protect_linked(joint, Rules())
    assert protection.audit_pass and (protection.cells["status"] == "primary").sum() > 3


def test_integrality_narrows_count_cells():
    """Counts are whole: an interval the LP leaves open at 1.5 is closed at 1 by the integer programme."""
    from ipstats.sdc import Linked, audit_linked

    for integer, expected in ((False, 1.5), (True, 1.0)):
        link = Linked("ints")
        link.cell("x", 1, 5, 1, 0, integer=integer)
        link.cell("y", 1, 5, 1, 0, integer=integer)
        link.cell("t", 2, public=True, integer=integer)
        link.add_sum("t", ["x", "y"])  # x + y = 2
        link.inequalities.append({link.index("x"): 1.0, link.index("t"): -0.75})  # x ≤ 0.75 · 2 = 1.5
        result = audit_linked(link, ["secondary", "secondary", "published"])
        assert result.set_index("key_text").loc["x", "upper"] == pytest.approx(expected)


def test_exports_never_exceed_sales():
    """An inequality is a relation too: hidden exports are bounded by published sales."""
    from ipstats.sdc import Linked, audit_linked

    link = Linked("le")
    link.cell("sales", 40, 5, 10, 9)
    link.cell("exports", 30, 5, 10, 9)
    link.cell("other_exports", 70, 5, 20, 19)
    link.cell("total_exports", 100, public=True)
    link.add_sum("total_exports", ["exports", "other_exports"])
    link.add_le("exports", "sales")
    result = audit_linked(link, ["published", "primary", "secondary", "published"]).set_index("key_text")
    assert result.loc["exports", "upper"] == pytest.approx(40)  # not 100: exports ≤ sales


def test_a_singleton_beside_a_sensitive_cell_is_an_attacker():
    """The only contributor of a suppressed cell knows it: beside one other suppressed cell in a total it would
    learn that cell; protection adds a third."""
    from ipstats.sdc import Linked, protect_linked

    link = Linked("single")
    link.cell("s", 50, 1, 50, 0, largest_id="firm s")  # a singleton
    link.cell("p", 40, 2, 30, 10, largest_id="firm p")  # two contributors: sensitive
    for k in range(4):
        link.cell(f"q{k}", 200 + k, 9, 30, 30)
    link.cell("total", 50 + 40 + sum(200 + k for k in range(4)), public=True)
    link.add_sum("total", ["s", "p", *[f"q{k}" for k in range(4)]])
    protection = protect_linked(link, Rules())
    hidden = protection.cells.set_index("key")["status"]
    assert hidden["s"] == "primary" and hidden["p"] == "primary"
    assert (hidden != "published").sum() >= 3 and protection.audit_pass


def test_policy_defaults_and_parameter_file(tmp_path):
    from ipstats.bulletin.errors import BulletinError
    from ipstats.bulletin.params import _disclosure
    from ipstats.sdc import CONFIDENTIALITY

    rules = Rules.of({})
    assert not rules.is_confidential("register") and rules.is_confidential("products")
    assert rules.is_confidential("survey_sample") and rules.is_confidential("employment_by_industry")
    assert rules.is_confidential("some_new_input")  # unnamed inputs are confidential
    assert set(CONFIDENTIALITY) <= set(rules.as_dict()["confidentiality"])
    got = _disclosure({"p_percent": 15}, tmp_path / "x.yaml", {"register": "confidential"}, {"register": "r"})
    assert got["p_percent"] == 15 and got["confidentiality"]["register"] == "confidential"
    assert Rules.of(got).is_confidential("register")
    with pytest.raises(BulletinError, match="public or confidential"):
        _disclosure(None, tmp_path / "x.yaml", {"register": "open"}, {})
    with pytest.raises(BulletinError, match="neither an input"):
        _disclosure(None, tmp_path / "x.yaml", {"registr": "public"}, {})
