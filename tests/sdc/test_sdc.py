"""Disclosure control: primary rules, secondary suppression, and the LP audit."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipstats.sdc import Rules, audit, primary, protect


def table(values, contributors, largest=None, second=None):
    rows, cols = np.indices(np.shape(values))
    frame = pd.DataFrame({"row": rows.ravel(), "col": cols.ravel(), "value": np.ravel(values).astype(float),
                          "contributors": np.ravel(contributors)})
    frame["largest"] = np.ravel(largest) if largest is not None else frame["value"] / frame["contributors"].clip(lower=1)
    frame["second"] = np.ravel(second) if second is not None else frame["largest"]
    return frame


def test_primary_rules():
    cells = pd.DataFrame({"row": [0, 0, 0, 0, 0], "col": [0, 1, 2, 3, 4], "value": [10, 100, 100, 100, 0],
                          "contributors": [2, 10, 10, 10, 0], "largest": [5, 90, 50, 20, 0],
                          "second": [5, 5, 45, 20, 0]})
    flags = primary(cells, Rules(min_contributors=3, dominance_n=1, dominance_k=85, p_percent=10))
    # cell 0: 2 contributors; cell 1: one firm holds 90 %; cell 2: p % gives 100-50-45 = 5, not below 10 % of 50;
    # cell 4 is empty and published as zero
    assert flags.tolist() == [True, True, False, False, False]
    strict = primary(cells, Rules(p_percent=20))                 # 5 < 20 % of 50: the runner-up learns the leader
    assert strict.tolist() == [True, True, True, False, False]
    two = primary(cells, Rules(dominance_n=2, dominance_k=90, p_percent=0))
    assert two.tolist() == [True, True, True, False, False]       # 50 + 45 > 90 % of 100


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
    assert naive.iloc[0]["width"] == pytest.approx(0)            # recovered exactly from the margins


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
    contrib = data.draw(st.lists(st.integers(1, 6), min_size=size, max_size=size))
    cells = table(np.reshape(values, (n_rows, n_cols)), np.reshape(contrib, (n_rows, n_cols)))
    protected, result = protect(cells)
    primaries = (protected["status"] == "primary").to_numpy()
    assert result["protected"].all()
    assert ((result["lower"] <= result["value"] + 1e-6) & (result["value"] <= result["upper"] + 1e-6)).all()
    hidden = protected[protected["status"] != "published"]
    for key in ("row", "col"):                                   # the classic rule holds at the end
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
    assert (hidden.groupby("col").size() == 2).all()             # each measure: its primary and one partner
    assert result["protected"].all()
    with pytest.raises(ValueError, match="totals"):
        protect(cells, row_totals=False, col_totals=False)


def test_protect_provinces_suppresses_derived_columns():
    from ipstats.indicators.overview import protect_provinces

    provinces = pd.DataFrame({"province_code": ["11", "12", "13"], "province": ["北京市", "天津市", "河北省"],
                              "invention_applications": [100, 2, 50], "valid_invention_patents": [300, 40, 80],
                              "valid_invention_growth_pct": [5.0, 2.0, 1.0], "per_10k": [10.0, 4.0, 1.0],
                              "per_10k_previous": [9.0, 3.9, 0.9], "rank": [1, 2, 3]})
    contrib = lambda counts, people: pd.DataFrame({"province_code": ["11", "12", "13"], "count": counts,  # noqa: E731
                                                    "contributors": people,
                                                    "largest": [c // max(p, 1) + 1 for c, p in zip(counts, people)],
                                                    "second": [c // max(p, 1) for c, p in zip(counts, people)]})
    published, record = protect_provinces(provinces, {
        "invention_applications": contrib([100, 2, 50], [40, 1, 20]),
        "valid_invention_patents": contrib([300, 40, 80], [90, 30, 30])}, {"min_contributors": 3})
    out = published.set_index("province_code")
    assert pd.isna(out.loc["12", "invention_applications"])            # one applicant: primary
    assert pd.isna(out.loc["13", "invention_applications"])            # least-value partner: secondary
    assert out.loc["11", "invention_applications"] == 100
    assert out["valid_invention_patents"].notna().all() and out["per_10k"].notna().all()
    assert record["primary"] == 1 and record["secondary"] == 1 and record["audit_pass"]


def test_cell_contributions_hand_computed():
    from ipstats.sdc import cell_contributions

    per = pd.DataFrame({"row": ["a", "a", "a", "b", "b"], "who": ["x", "y", "z", "x", "w"],
                        "n": [5.0, 2.0, 0.0, 1.5, 1.5]})
    cells = cell_contributions(per, ["row"], "n").set_index("row")
    assert cells.loc["a"].tolist() == [7.0, 2, 5.0, 2.0]          # count, contributors (z has 0), largest, second
    assert cells.loc["b"].tolist() == [3.0, 2, 1.5, 1.5]


def test_protect_columns_suppresses_derived_columns_and_keeps_the_total():
    from ipstats.sdc import protect_columns

    table = pd.DataFrame({"key": ["a", "b", "c", "d"], "n": [100, 2, 90, 80], "n_pct": [36.8, 0.7, 33.1, 29.4]})
    contributions = {"n": pd.DataFrame({"key": ["a", "b", "c", "d"], "count": [100, 2, 90, 80],
                                        "contributors": [20, 1, 15, 12], "largest": [10, 2, 9, 8],
                                        "second": [9, 0, 8, 7]})}
    published, rec = protect_columns(table, "key", contributions, {}, {"n": ["n_pct"]})
    hidden = published[published["n"].isna()]
    assert "b" in set(hidden["key"]) and len(hidden) == 2               # the primary cell and one partner
    assert hidden["n_pct"].isna().all() and rec["primary"] == 1 and rec["secondary"] == 1 and rec["audit_pass"]
    assert str(published["n"].dtype) == "Int64"
