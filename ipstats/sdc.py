"""Statistical disclosure control (统计数据保密处理) of two-way tables with published margins.

A table is a long frame of cells (row key, column key, value, contributor count, largest and
second-largest contribution). Row, column and grand totals stay published (true totals).

* **Primary suppression** — a cell is sensitive when it has fewer than ``min_contributors``
  contributors (frequency rule), when its ``dominance_n`` largest contributions exceed
  ``dominance_k`` % of it ((n,k) dominance), or when the second-largest contributor could estimate the
  largest within ``p_percent`` % (p % rule: ``value - x1 - x2 < p/100 · x1``). Empty cells (no
  contributor) are published as zero.
* **Secondary suppression** — further cells so that no primary cell can be recovered: first the classic
  rule (no row or column holds exactly one suppressed cell, iterated to a fixed point, choosing the cell
  of least value), then, while the audit finds a primary cell whose feasible interval is too narrow, the
  cell of least value in its row or column (else in the table) is suppressed too.
* **Audit** — for each suppressed cell two linear programmes (``scipy.optimize.linprog``, HiGHS) give the
  smallest and largest value consistent with everything published (cells ≥ 0, row and column additivity).
  A table passes when every primary cell's interval is at least ``protection_pct`` % of its value wide
  (and at least ``min_width``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

__all__ = ["Rules", "audit", "cell_contributions", "primary", "protect", "protect_columns", "record"]

CELL_COLUMNS = ["row", "col", "value", "contributors", "largest", "second"]


@dataclass(frozen=True)
class Rules:
    """Disclosure-control parameters (recorded in the bulletin manifest)."""

    min_contributors: int = 3        # frequency rule: fewer contributors than this is sensitive
    dominance_n: int = 1             # (n,k) dominance: the n largest contributions ...
    dominance_k: float = 85.0        # ... exceeding k % of the cell are sensitive
    p_percent: float = 10.0          # p % rule
    protection_pct: float = 10.0     # audit: a primary cell's feasible interval must be this wide (% of value)
    min_width: float = 1.0           # ... and at least this wide in absolute terms

    def __post_init__(self) -> None:
        if self.min_contributors < 1 or self.dominance_n not in (1, 2):
            raise ValueError("min_contributors must be ≥ 1 and dominance_n 1 or 2")
        for name in ("dominance_k", "p_percent", "protection_pct"):
            if not 0 <= getattr(self, name) <= 100:
                raise ValueError(f"{name} must be a percentage between 0 and 100, got {getattr(self, name)}")

    def as_dict(self) -> dict:
        return asdict(self)


def _check(cells: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in CELL_COLUMNS if c not in cells.columns]
    if missing:
        raise ValueError(f"cells need column(s) {', '.join(missing)}")
    if cells.duplicated(["row", "col"]).any():
        raise ValueError("each (row, col) cell must appear once")
    if (cells["value"] < 0).any():
        raise ValueError("cell values must be ≥ 0 (counts, output values)")
    return cells.reset_index(drop=True)


def primary(cells: pd.DataFrame, rules: Rules = Rules()) -> pd.Series:
    """Which cells are sensitive under the frequency, (n,k) dominance and p % rules (boolean Series)."""
    cells = _check(cells)
    value, n = cells["value"].astype(float), cells["contributors"]
    x1, x2 = cells["largest"].fillna(0).astype(float), cells["second"].fillna(0).astype(float)
    occupied = n > 0
    frequency = occupied & (n < rules.min_contributors)
    top = x1 + (x2 if rules.dominance_n == 2 else 0)
    dominance = occupied & (value > 0) & (top > rules.dominance_k / 100 * value)
    p_rule = occupied & (value > 0) & (value - x1 - x2 < rules.p_percent / 100 * x1)
    return frequency | dominance | p_rule


def _lines(row_totals: bool, col_totals: bool) -> tuple[str, ...]:
    lines = tuple(k for k, on in (("row", row_totals), ("col", col_totals)) if on)
    if not lines:
        raise ValueError("at least the row or the column totals must be published")
    return lines


def audit(cells: pd.DataFrame, status: pd.Series, rules: Rules = Rules(), row_totals: bool = True,
          col_totals: bool = True) -> pd.DataFrame:
    """Feasible interval of every suppressed cell given the published cells and the true margins.

    ``row_totals`` / ``col_totals`` say which margins are published: a table whose columns are different
    measures (applications, grants, stock by province) publishes column totals only.

    Returns
    -------
    pandas.DataFrame
        One row per suppressed cell: ``row``, ``col``, ``value``, ``status``, ``lower``, ``upper``,
        ``width``, ``required`` (for primary cells), ``protected`` (True for secondary cells).
    """
    cells = _check(cells)
    hidden = np.flatnonzero(status.to_numpy() != "published")
    if not len(hidden):
        return pd.DataFrame(columns=["row", "col", "value", "status", "lower", "upper", "width", "required",
                                     "protected"])
    values = cells["value"].astype(float).to_numpy()
    rows, cols = cells["row"].to_numpy(), cells["col"].to_numpy()
    a_eq, b_eq = [], []
    for key in _lines(row_totals, col_totals):
        key_values = rows if key == "row" else cols
        for k in pd.unique(key_values):
            members = np.flatnonzero(key_values == k)
            in_line = [i for i, h in enumerate(hidden) if h in set(members)]
            if not in_line:
                continue
            line = np.zeros(len(hidden))
            line[in_line] = 1
            a_eq.append(line)
            b_eq.append(values[hidden[in_line]].sum())   # true total minus the published cells of the line
    a_eq, b_eq = np.array(a_eq), np.array(b_eq)
    bounds = [(0, None)] * len(hidden)
    out = []
    for j, i in enumerate(hidden):
        c = np.zeros(len(hidden))
        c[j] = 1
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        lower = lo.fun if lo.status == 0 else np.nan
        upper = -hi.fun if hi.status == 0 else np.inf
        width = upper - lower
        is_primary = status.iloc[i] == "primary"
        required = max(rules.protection_pct / 100 * values[i], rules.min_width) if is_primary else np.nan
        out.append((rows[i], cols[i], values[i], status.iloc[i], lower, upper, width, required,
                    (width >= required - 1e-9) if is_primary else True))
    return pd.DataFrame(out, columns=["row", "col", "value", "status", "lower", "upper", "width", "required",
                                      "protected"])


def _least_value(cells: pd.DataFrame, status: pd.Series, candidates: np.ndarray) -> int | None:
    """Among *candidates*, the published cell of least value (positive values first)."""
    pool = [i for i in candidates if status.iloc[i] == "published"]
    if not pool:
        return None
    return min(pool, key=lambda i: (cells["value"].iloc[i] <= 0, cells["value"].iloc[i], i))


def protect(cells: pd.DataFrame, rules: Rules = Rules(), max_rounds: int = 50, row_totals: bool = True,
            col_totals: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply primary and secondary suppression and audit the result.

    Parameters
    ----------
    cells : pandas.DataFrame
        ``row``, ``col``, ``value``, ``contributors``, ``largest``, ``second``.
    rules : Rules
    max_rounds : int
        Bound on the audit-driven rounds of extra suppression.
    row_totals, col_totals : bool
        Which margins are published (see :func:`audit`).

    Returns
    -------
    protected : pandas.DataFrame
        The cells with ``status`` (``published``, ``primary``, ``secondary``) and ``published_value``
        (None where suppressed).
    audit : pandas.DataFrame
        :func:`audit` of the final pattern; ``audit["protected"].all()`` means the table passes.
    """
    cells = _check(cells)
    status = pd.Series(np.where(primary(cells, rules), "primary", "published"), index=cells.index)
    rows, cols = cells["row"].to_numpy(), cells["col"].to_numpy()
    lines = _lines(row_totals, col_totals)

    def classic() -> None:
        changed = True
        while changed:
            changed = False
            for key in lines:
                key_values = rows if key == "row" else cols
                for k in pd.unique(key_values):
                    members = np.flatnonzero(key_values == k)
                    if (status.iloc[members] != "published").sum() == 1:
                        pick = _least_value(cells, status, members)
                        if pick is not None:
                            status.iloc[pick] = "secondary"
                            changed = True

    classic()
    for _ in range(max_rounds):
        result = audit(cells, status, rules, row_totals, col_totals)
        weak = result[~result["protected"].astype(bool)]
        if weak.empty:
            break
        added = False
        for cell in weak.itertuples():
            i = int(np.flatnonzero((rows == cell.row) & (cols == cell.col))[0])
            line = np.flatnonzero(((rows == rows[i]) & ("row" in lines)) | ((cols == cols[i]) & ("col" in lines)))
            # its row or column first; when those are used up, the least valuable cell anywhere
            pick = _least_value(cells, status, line)
            if pick is None:
                pick = _least_value(cells, status, np.arange(len(cells)))
            if pick is not None:
                status.iloc[pick] = "secondary"
                added = True
        if not added:
            break
        classic()
    protected = cells.assign(status=status.to_numpy())
    protected["published_value"] = protected["value"].where(protected["status"] == "published")
    return protected, audit(cells, status, rules, row_totals, col_totals)


def record(protected: pd.DataFrame, audit_result: pd.DataFrame, rules: Rules) -> dict:
    """The disclosure-control record of one table, as written to its metadata and the bulletin manifest.

    Parameters
    ----------
    protected, audit_result : pandas.DataFrame
        The two results of :func:`protect`.
    rules : Rules

    Returns
    -------
    dict
        ``rules``, ``cells``, ``primary``, ``secondary``, ``suppressed`` (row, col, status of each
        suppressed cell) and ``audit_pass``.
    """
    hidden = protected[protected["status"] != "published"]
    return {"rules": rules.as_dict(), "cells": int(len(protected)),
            "primary": int((protected["status"] == "primary").sum()),
            "secondary": int((protected["status"] == "secondary").sum()),
            "suppressed": [{"row": r.row, "col": r.col, "status": r.status} for r in hidden.itertuples()],
            "audit_pass": bool(audit_result["protected"].all()) if len(audit_result) else True}


def cell_contributions(per_contributor: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    """Cells with their contributor statistics, from one row per cell and contributor.

    Parameters
    ----------
    per_contributor : pandas.DataFrame
        *keys*, a contributor column of any name and *value* (e.g. patents of one applicant in one
        province and category; fractional counts are fine).
    keys : list of str
        Columns that identify a cell.
    value : str
        The contribution column.

    Returns
    -------
    pandas.DataFrame
        *keys*, ``count`` (sum of *value*), ``contributors`` (rows with *value* > 0), ``largest``,
        ``second`` (0 when there is one contributor).
    """
    positive = per_contributor[per_contributor[value] > 0]
    ordered = positive.sort_values([*keys, value], ascending=[True] * len(keys) + [False])
    position = ordered.groupby(keys, sort=False).cumcount()
    grouped = ordered.groupby(keys)
    out = pd.DataFrame({"count": grouped[value].sum(), "contributors": grouped.size()})
    out["largest"] = ordered[position.to_numpy() == 0].set_index(keys)[value]
    out["second"] = ordered[position.to_numpy() == 1].set_index(keys)[value]
    return out.fillna({"second": 0}).reset_index()


def protect_columns(table: pd.DataFrame, key: str, contributions: dict[str, pd.DataFrame],
                    rules: dict | None = None, derived: dict[str, list[str]] | None = None
                    ) -> tuple[pd.DataFrame, dict]:
    """Protect the count columns of a table with one row per *key* (province, category, …).

    Each count column is a one-way table whose total over the rows stays published
    (:func:`protect` with column totals only); columns computed from a suppressed count are
    suppressed with it.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per *key* value.
    key : str
        The row key column.
    contributions : dict
        Count name → frame with *key*, ``count``, ``contributors``, ``largest``, ``second``
        (:func:`cell_contributions`, :func:`ipstats.counting.count_contributors`); the name is a
        column of *table* or only a key of *derived*.
    rules : dict, optional
        :class:`Rules` fields; defaults otherwise.
    derived : dict, optional
        Count name → further columns suppressed with it.

    Returns
    -------
    published : pandas.DataFrame
        *table* with suppressed cells missing (integer columns become nullable).
    record : dict
        :func:`record` of the protection.
    """
    rules_ = Rules(**(rules or {}))
    derived = derived or {}
    keys = table[key]
    frames = []
    for name, cells in contributions.items():
        cells = cells.set_index(key)[["count", "contributors", "largest", "second"]].reindex(keys).fillna(0)
        frames.append(cells.reset_index().assign(col=name).rename(columns={key: "row", "count": "value"}))
    cells = pd.concat(frames, ignore_index=True)[CELL_COLUMNS]
    protected, audit_result = protect(cells, rules_, row_totals=False, col_totals=True)
    published = table.set_index(key).copy()
    for column in published.columns:
        if pd.api.types.is_integer_dtype(published[column]):
            published[column] = published[column].astype("Int64")          # integers with gaps
    for cell in protected[protected["status"] != "published"].itertuples():
        columns = [c for c in [cell.col, *derived.get(cell.col, [])] if c in published.columns]
        published.loc[cell.row, columns] = pd.NA
    return published.reset_index(), record(protected, audit_result, rules_)
