"""Statistical disclosure control (统计数据保密处理) of linked tables, where the data are confidential.

What is confidential is decided per input by the bulletin's policy (:data:`CONFIDENTIALITY`, the parameter
file's ``confidentiality:`` mapping): the patent register is public by law, so tables counted from it are
published whole; survey answers, enterprise-reported product money and census detail are confidential and
every published figure computed from them goes through this module.

A confidential publication is a set of **linked cells** (:class:`Linked`): every number that any table of
any run of the bulletin (national and provincial) shows, each once, with its contributor statistics
(number of contributors, largest and second-largest contribution), and the relations a reader knows:
additivity (a total equals the sum of its parts: margins, the section/division hierarchy, provinces and the
nation, panel + entrants = all), inequalities (exports ≤ sales) and a-priori bounds (cells ≥ 0, a rate
≤ 100 %).

* **Primary suppression** (:func:`primary`) — a cell is sensitive when it has fewer than
  ``min_contributors`` contributors (frequency rule), when its ``dominance_n`` largest contributions exceed
  ``dominance_k`` % of it ((n,k) dominance), or when the second-largest contributor could estimate the
  largest within ``p_percent`` % (p % rule: ``X - x1 - x2 < p/100 · x1``). A cell without contributor
  (structurally empty: known to be zero) is published as zero.
* **Protection levels** (:func:`protection_levels`, τ-ARGUS' definition, seen from the second-largest
  contributor, who knows its own contribution): the published information must leave the cell's upper
  bound at least ``UPL`` above its value and the lower bound at least ``LPL`` below it, with
  ``UPL = p/100 · x1 - (X - x1 - x2)`` for the p % rule, ``100/k · (x1 [+ x2]) - X`` for dominance and
  ``protection_pct`` % of ``X`` (at least ``min_width``) for the frequency rule; the largest of the rules
  that fire; ``LPL = min(UPL, X)`` (a cell cannot go below zero); whole for count cells.
* **Secondary suppression** (:func:`protect_linked`) — for each sensitive cell and each direction, when
  the current pattern leaves it too narrow, a linear programme finds the cheapest perturbation of the
  cells that moves it by its protection level while keeping every relation, inequality and bound (cost =
  the cell value; cells already hidden cost nothing): every cell the perturbation moves is suppressed,
  so the attacker's interval then reaches the protection level by construction. A cell whose only
  contributor knows it (a singleton) never pairs alone with another suppressed cell in a relation.
* **Audit** (:func:`audit_linked`) — for every suppressed cell, the smallest and largest value consistent
  with everything published (``scipy.optimize.milp``, HiGHS, with integrality where the cells are counts)
  and, for sensitive cells, the required and achieved upper and lower protection.

One pattern per bulletin: the linked set holds the cells of every run (national and provincial) and is
computed from the national data in each of them, so all runs publish the same pattern
(``pattern_sha256`` in the manifest says so).

The two-way helpers of the first version (:func:`protect`, :func:`audit`, :func:`protect_columns`) remain,
built on the linked engine.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Hashable, Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

__all__ = [
    "CONFIDENTIAL",
    "CONFIDENTIALITY",
    "CONFIDENTIALITY_REASONS",
    "Linked",
    "Protection",
    "PUBLIC",
    "Rules",
    "audit",
    "audit_linked",
    "cell_contributions",
    "primary",
    "protect",
    "protect_columns",
    "protect_linked",
    "protection_levels",
    "record",
]

CELL_COLUMNS = ["row", "col", "value", "contributors", "largest", "second"]

PUBLIC, CONFIDENTIAL = "public", "confidential"
#: Default confidentiality of each input of a bulletin (parameter file ``confidentiality:`` overrides);
#: an input not named here is confidential.
CONFIDENTIALITY = {
    "register": PUBLIC,
    "population": PUBLIC,
    "gdp": PUBLIC,
    "pii_value_added": PUBLIC,
    "pii_industry_mapping": PUBLIC,
    "product_links": PUBLIC,
    "survey_truth": PUBLIC,
    "patent_families": PUBLIC,
    "patent_awards": PUBLIC,
    "employment_by_industry": CONFIDENTIAL,
    "pii_value_added_by_industry": CONFIDENTIAL,
    "products": CONFIDENTIAL,
    "survey_sample": CONFIDENTIAL,
}
#: Why each default is what it is (README, manifest).
CONFIDENTIALITY_REASONS = {
    "register": "专利法: applications are published, grants announced, the 专利登记簿 open to inspection",
    "population": "NBS published resident population",
    "gdp": "published national accounts",
    "pii_value_added": "published NBS–CNIPA value added by category",
    "pii_industry_mapping": "a classification table",
    "product_links": "links to published patents",
    "survey_truth": "demo only: synthetic population values",
    "patent_families": "published family members of patent offices",
    "patent_awards": "published award lists",
    "employment_by_industry": "census employment below the published categories (统计法: respondents' data)",
    "pii_value_added_by_industry": "census value added below the published categories",
    "products": "enterprise-reported output, sales and exports (the product list and its counts are public)",
    "survey_sample": "survey answers of patentees and the estimates made from them (统计法)",
}


@dataclass(frozen=True)
class Rules:
    """Disclosure-control parameters and the confidentiality policy (recorded in the bulletin manifest)."""

    min_contributors: int = 3  # frequency rule: fewer contributors than this is sensitive
    dominance_n: int = 1  # (n,k) dominance: the n largest contributions ...
    dominance_k: float = 85.0  # ... exceeding k % of the cell are sensitive
    p_percent: float = 10.0  # p % rule
    protection_pct: float = 10.0  # protection level of a cell sensitive by the frequency rule (% of value)
    min_width: float = 1.0  # ... and at least this much (in the cell's unit)
    #: input name → "public" / "confidential" over :data:`CONFIDENTIALITY`
    confidentiality: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.min_contributors < 1 or self.dominance_n not in (1, 2):
            raise ValueError("min_contributors must be ≥ 1 and dominance_n 1 or 2")
        for name in ("dominance_k", "p_percent", "protection_pct"):
            if not 0 <= getattr(self, name) <= 100:
                raise ValueError(f"{name} must be a percentage between 0 and 100, got {getattr(self, name)}")
        if self.min_width < 0:
            raise ValueError(f"min_width must be ≥ 0, got {self.min_width}")
        given = dict(self.confidentiality or {})
        for key, value in given.items():
            if value not in (PUBLIC, CONFIDENTIAL):
                raise ValueError(f"confidentiality of {key!r} must be {PUBLIC!r} or {CONFIDENTIAL!r}, got {value!r}")
        object.__setattr__(self, "confidentiality", {**CONFIDENTIALITY, **given})

    @classmethod
    def of(cls, disclosure: "Rules | Mapping[str, Any] | None" = None, **changes: Any) -> "Rules":
        """Rules from a notebook's ``disclosure`` mapping (or Rules), with *changes* applied."""
        if isinstance(disclosure, Rules):
            base = disclosure.as_dict()
        else:
            base = dict(disclosure or {})
        return cls(**{**base, **changes})

    def is_confidential(self, source: str) -> bool:
        """Whether tables from input *source* are confidential (an input the policy does not name is)."""
        return self.confidentiality.get(source, CONFIDENTIAL) == CONFIDENTIAL

    def as_dict(self) -> dict:
        out = asdict(self)
        out["confidentiality"] = dict(self.confidentiality)
        return out

    def rule_dict(self) -> dict:
        """The numeric rules only (what a table's record names)."""
        return {k: v for k, v in self.as_dict().items() if k != "confidentiality"}


# ---------------------------------------------------------------------------------------------------------
# Primary rules and protection levels
# ---------------------------------------------------------------------------------------------------------
def _check(cells: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in CELL_COLUMNS if c not in cells.columns]
    if missing:
        raise ValueError(f"cells need column(s) {', '.join(missing)}")
    if cells.duplicated(["row", "col"]).any():
        raise ValueError("each (row, col) cell must appear once")
    if (cells["value"] < 0).any():
        raise ValueError("cell values must be ≥ 0 (counts, output values)")
    return cells.reset_index(drop=True)


def _rule_flags(value, n, x1, x2, rules: Rules) -> dict[str, np.ndarray]:
    value, n = np.asarray(value, dtype=float), np.asarray(n, dtype=float)
    x1, x2 = np.nan_to_num(np.asarray(x1, dtype=float)), np.nan_to_num(np.asarray(x2, dtype=float))
    occupied = n > 0
    top = x1 + (x2 if rules.dominance_n == 2 else 0)
    positive = occupied & (value > 0)
    return {
        "frequency": occupied & (n < rules.min_contributors),
        "dominance": positive & (top > rules.dominance_k / 100 * value + 1e-12 * value),
        "p_rule": positive & (value - x1 - x2 < rules.p_percent / 100 * x1 - 1e-12 * value),
    }


def primary(cells: pd.DataFrame, rules: Rules = Rules()) -> pd.Series:
    """Which cells are sensitive under the frequency, (n,k) dominance and p % rules (boolean Series)."""
    cells = cells.reset_index(drop=True)
    flags = _rule_flags(
        cells["value"], cells["contributors"], cells["largest"].fillna(0), cells["second"].fillna(0), rules
    )
    return pd.Series(flags["frequency"] | flags["dominance"] | flags["p_rule"], index=cells.index)


def protection_levels(value, contributors, largest, second, rules: Rules = Rules(), integer=False) -> pd.DataFrame:
    """τ-ARGUS protection levels of cells (all cells; zero where no rule fires).

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``dominance``, ``p_rule`` (which rules fire), ``rule`` (their names joined by ``+``),
        ``upper`` (UPL) and ``lower`` (LPL): how far above and below its value the published information
        must leave the cell's feasible interval.
    """
    value = np.asarray(value, dtype=float)
    n = np.asarray(contributors, dtype=float)
    x1, x2 = np.nan_to_num(np.asarray(largest, dtype=float)), np.nan_to_num(np.asarray(second, dtype=float))
    flags = _rule_flags(value, n, x1, x2, rules)
    top = x1 + (x2 if rules.dominance_n == 2 else 0)
    levels = np.zeros_like(value)
    if rules.dominance_k > 0:
        levels = np.where(flags["dominance"], np.maximum(levels, 100.0 / rules.dominance_k * top - value), levels)
    levels = np.where(flags["p_rule"], np.maximum(levels, rules.p_percent / 100 * x1 - (value - x1 - x2)), levels)
    sensitive = flags["frequency"] | flags["dominance"] | flags["p_rule"]
    frequency_level = np.maximum(rules.protection_pct / 100 * value, rules.min_width)
    levels = np.where(
        sensitive, np.maximum(levels, np.where(flags["frequency"] | (levels <= 0), frequency_level, 0)), 0.0
    )
    levels = np.where(sensitive, np.maximum(levels, rules.min_width), 0.0)
    integer = np.broadcast_to(np.asarray(integer, dtype=bool), value.shape)
    levels = np.where(integer, np.ceil(levels - 1e-9), levels)
    lower = np.minimum(levels, value)
    names = np.array(
        [" + ".join(k for k in ("frequency", "dominance", "p_rule") if flags[k][i]) for i in range(len(value))],
        dtype=object,
    )
    return pd.DataFrame({**flags, "rule": names, "upper": levels, "lower": lower})


# ---------------------------------------------------------------------------------------------------------
# Linked cells
# ---------------------------------------------------------------------------------------------------------
def key_text(key: Hashable) -> str:
    """A cell key as stable text (``a/b/c`` for tuples)."""
    if isinstance(key, tuple):
        return "/".join(key_text(k) for k in key)
    if isinstance(key, frozenset):
        return "&".join(sorted(key_text(k) for k in key)) or "*"
    return str(key)


class Linked:
    """Cells shown by a set of linked tables, and the relations between them that a reader knows.

    Every number is one cell, whichever tables show it; a total is a cell too, related to its parts by
    :meth:`add_sum`. Cells are identified by any hashable key (tuples read well).
    """

    def __init__(self, name: str = "linked") -> None:
        self.name = name
        self._index: dict[Hashable, int] = {}
        self._rows: list[dict] = []
        self.equalities: list[dict[int, float]] = []
        self.inequalities: list[dict[int, float]] = []

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._index

    def cell(
        self,
        key: Hashable,
        value: float,
        contributors: float = 0,
        largest: float = 0.0,
        second: float = 0.0,
        *,
        integer: bool = False,
        lower: float = 0.0,
        upper: float = math.inf,
        public: bool = False,
        withheld: bool = False,
        cost: float | None = None,
        largest_id: Hashable | None = None,
    ) -> Hashable:
        """Add a cell (or check that a cell shown again has the same value) and return its key.

        Parameters
        ----------
        public : bool
            The reader knows the value anyway (a structurally empty cell, a figure from a public source):
            never suppressed.
        withheld : bool
            Not published for another reason (a quality flag): hidden, with no protection requirement.
        cost : float, optional
            Cost of suppressing it (default: its value + 1).
        largest_id : hashable, optional
            Who the largest contributor is (a credit code): the only contributor of a singleton cell is no
            attacker of another cell it leads.
        """
        value = float(value)
        if key in self._index:
            row = self._rows[self._index[key]]
            if not math.isclose(row["value"], value, rel_tol=1e-9, abs_tol=1e-6):
                raise ValueError(f"cell {key_text(key)} shown with two values: {row['value']} and {value}")
            row["withheld"] = row["withheld"] or withheld
            return key
        if value < lower - 1e-9 or value > upper + 1e-9:
            raise ValueError(f"cell {key_text(key)}: value {value} outside its bounds [{lower}, {upper}]")
        self._index[key] = len(self._rows)
        self._rows.append(
            {
                "key": key,
                "value": value,
                "contributors": float(contributors or 0),
                "largest": float(largest or 0),
                "second": float(second or 0),
                "integer": bool(integer),
                "lower": float(lower),
                "upper": float(upper),
                "public": bool(public),
                "withheld": bool(withheld),
                "cost": value + 1.0 if cost is None else float(cost),
                "largest_id": largest_id,
            }
        )
        return key

    def add_sum(self, total: Hashable, parts: Iterable[Hashable]) -> None:
        """Relation ``total = Σ parts`` (parts not in the set are structural zeros and left out)."""
        terms: dict[int, float] = {self._index[total]: -1.0}
        for part in parts:
            if part in self._index:
                i = self._index[part]
                terms[i] = terms.get(i, 0.0) + 1.0
        self.equalities.append(terms)

    def add_le(self, small: Hashable, large: Hashable) -> None:
        """Relation ``small ≤ large`` (exports ≤ sales); skipped when either cell is absent."""
        if small in self._index and large in self._index:
            self.inequalities.append({self._index[small]: 1.0, self._index[large]: -1.0})

    def frame(self) -> pd.DataFrame:
        """The cells as a frame (one row per cell, in the order they were added)."""
        return pd.DataFrame(
            self._rows,
            columns=[
                "key",
                "value",
                "contributors",
                "largest",
                "second",
                "integer",
                "lower",
                "upper",
                "public",
                "withheld",
                "cost",
                "largest_id",
            ],
        )

    def index(self, key: Hashable) -> int:
        return self._index[key]

    def matrices(self) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """Equality and inequality matrices (``E x = 0``, ``G x ≤ 0``)."""
        n = len(self._rows)

        def build(rows: list[dict[int, float]]) -> sparse.csr_matrix:
            data, r, c = [], [], []
            for k, terms in enumerate(rows):
                for i, a in terms.items():
                    if a != 0:
                        r.append(k), c.append(i), data.append(a)
            return sparse.csr_matrix((data, (r, c)), shape=(len(rows), n))

        return build(self.equalities), build(self.inequalities)

    def check(self, tol: float = 1e-6) -> None:
        """Refuse relations the true values do not satisfy (a wrong relation would mislead the audit)."""
        eq, le = self.matrices()
        values = self.frame()["value"].to_numpy()
        scale = 1.0 + np.abs(eq) @ np.abs(values) if eq.shape[0] else np.array([])
        bad = np.flatnonzero(np.abs(eq @ values) > tol * scale) if eq.shape[0] else []
        if len(bad):
            terms = self.equalities[bad[0]]
            names = ", ".join(key_text(self._rows[i]["key"]) for i in terms)
            raise ValueError(f"{self.name}: relation does not hold on the data: {names}")
        if le.shape[0]:
            scale = 1.0 + np.abs(le) @ np.abs(values)
            bad = np.flatnonzero(le @ values > tol * scale)
            if len(bad):
                names = ", ".join(key_text(self._rows[i]["key"]) for i in self.inequalities[bad[0]])
                raise ValueError(f"{self.name}: inequality does not hold on the data: {names}")


# ---------------------------------------------------------------------------------------------------------
# Intervals (the attacker) and protection (the perturbation LP)
# ---------------------------------------------------------------------------------------------------------
_TOL = 1e-7


def _solve(c: np.ndarray, constraints: list, integrality: np.ndarray, bounds: Bounds):
    """``scipy.optimize.milp`` (HiGHS): the LP relaxation first, the integer programme when its solution is
    fractional on an integer variable (tables of counts usually have integral vertices)."""
    res = milp(c, constraints=constraints, bounds=bounds)
    if res.status != 0 or not integrality.any():
        return res
    x = res.x[integrality.astype(bool)]
    if np.all(np.abs(x - np.round(x)) <= 1e-6):
        return res
    return milp(c, constraints=constraints, integrality=integrality, bounds=bounds)


class _Problem:
    """Numeric form of a :class:`Linked` set."""

    def __init__(self, linked: Linked) -> None:
        self.cells = linked.frame()
        self.n = len(self.cells)
        self.eq, self.le = linked.matrices()
        self.value = self.cells["value"].to_numpy(float)
        self.lb = self.cells["lower"].to_numpy(float)
        self.ub = self.cells["upper"].to_numpy(float)
        self.integer = self.cells["integer"].to_numpy(bool)
        self.public = self.cells["public"].to_numpy(bool)
        self.cost = self.cells["cost"].to_numpy(float)
        self.scale = max(1.0, float(np.abs(self.value).max())) if self.n else 1.0
        both = sparse.vstack([self.eq, self.le]).tocsc() if (self.eq.shape[0] + self.le.shape[0]) else None
        self.incidence = both

    def _structure(self, hidden: np.ndarray) -> dict:
        """The attacker's constraints for a suppression pattern, split into connected components (cached)."""
        key = hidden.tobytes()
        if getattr(self, "_cached_key", None) == key:
            return self._cached
        hidden_idx = np.flatnonzero(hidden)
        pos = -np.ones(self.n, dtype=int)
        pos[hidden_idx] = np.arange(len(hidden_idx))
        known = ~hidden
        blocks, lo_b, hi_b = [], [], []
        for mat, is_eq in ((self.eq, True), (self.le, False)):
            if not mat.shape[0] or not len(hidden_idx):
                continue
            sub = mat[:, hidden_idx].tocsr()
            rhs = -(mat[:, known] @ self.value[known])
            rows = np.flatnonzero(np.diff(sub.indptr) > 0)
            if not len(rows):
                continue
            blocks.append(sub[rows])
            lo_b.append(rhs[rows] if is_eq else np.full(len(rows), -np.inf))
            hi_b.append(rhs[rows])
        a = sparse.vstack(blocks).tocsc() if blocks else None
        if a is not None:
            from scipy.sparse.csgraph import connected_components

            _, labels = connected_components((abs(a).T @ abs(a)).tocsr(), directed=False)
        else:
            labels = np.arange(len(hidden_idx))
        self._cached_key = key
        self._cached = {
            "hidden_idx": hidden_idx,
            "pos": pos,
            "a": a,
            "labels": labels,
            "lo": np.concatenate(lo_b) if blocks else None,
            "hi": np.concatenate(hi_b) if blocks else None,
            "components": {},
        }
        return self._cached

    def _component(self, st: dict, comp: int) -> tuple:
        if comp not in st["components"]:
            members = np.flatnonzero(st["labels"] == comp)
            cons = []
            if st["a"] is not None:
                sub = st["a"][:, members].tocsr()
                rows = np.flatnonzero(np.diff(sub.indptr) > 0)
                if len(rows):
                    cons = [LinearConstraint(sub[rows], st["lo"][rows], st["hi"][rows])]
            cells = st["hidden_idx"][members]
            st["components"][comp] = (
                members,
                cons,
                self.lb[cells].copy(),
                self.ub[cells].copy(),
                self.integer[cells].astype(int),
                {m: k for k, m in enumerate(members)},
            )
        return st["components"][comp]

    def _moves(self, st: dict, comp: int) -> tuple:
        """The component's programme in moves ``x = value + up - down`` (cached)."""
        cache = st.setdefault("moves", {})
        if comp not in cache:
            members, cons, lb, ub, integrality, where = self._component(st, comp)
            cells = st["hidden_idx"][members]
            v = self.value[cells]
            mcons = []
            for con in cons:
                a = con.A
                av = a @ v
                mcons.append(LinearConstraint(sparse.hstack([a, -a]).tocsr(), con.lb - av, con.ub - av))
            cache[comp] = (
                members,
                cells,
                mcons,
                np.maximum(ub - v, 0.0),
                np.maximum(v - lb, 0.0),
                np.concatenate([integrality, integrality]),
                where,
            )
        return cache[comp]

    def movable(self, hidden: np.ndarray, t: int, amount: float, fixed: Iterable[int] = ()) -> np.ndarray | None:
        """Whether the suppressed cells can move cell *t* by *amount* with every relation, inequality and bound
        kept and the cells *fixed* (known to the attacker) unchanged: the cells the smallest such move changes
        (global indices), or None when no move exists."""
        st = self._structure(hidden)
        j = st["pos"][t]
        if j < 0:
            return None
        members, cells, cons, up_cap, down_cap, integrality, where = self._moves(st, st["labels"][j])
        k = len(members)
        ub = np.concatenate([up_cap, down_cap])
        lb = np.zeros(2 * k)
        for f in fixed:
            if st["pos"][f] >= 0 and st["pos"][f] in where:
                i = where[st["pos"][f]]
                ub[i] = ub[k + i] = 0.0
        i = where[j]
        if amount > 0:
            if ub[i] < amount - 1e-9:
                return None
            lb[i] = ub[i] = amount
            ub[k + i] = 0.0
        else:
            if ub[k + i] < -amount - 1e-9:
                return None
            lb[k + i] = ub[k + i] = -amount
            ub[i] = 0.0
        res = _solve(np.ones(2 * k), cons, integrality, Bounds(lb, ub))
        if res.status != 0:
            return None
        move = res.x[:k] - res.x[k:]
        return cells[np.abs(move) > 1e-9 * max(1.0, abs(amount))]

    def safe(self, hidden: np.ndarray, t: int, amount: float, views: list[int]) -> tuple[bool, int | None]:
        """Whether every attacker (any reader, and the contributor of each singleton cell in *views*) leaves
        cell *t* movable by *amount*; else False and the view that is not (None: any reader)."""
        if views and self.movable(hidden, t, amount, views) is not None:
            return True, None  # one move that keeps every singleton's cell: safe for all
        moved = self.movable(hidden, t, amount)
        if moved is None:
            return False, None
        touched = set(moved.tolist())
        for view in views:
            if view in touched and self.movable(hidden, t, amount, [view]) is None:
                return False, view
        return True, None

    def interval(
        self, hidden: np.ndarray, targets: Iterable[int], sides: str = "both"
    ) -> dict[int, tuple[float, float]]:
        """Smallest and largest value of each target cell given every published cell (MILP where integer).

        *sides* ``"lower"`` or ``"upper"`` computes one end only (the other is returned as the value).
        """
        out: dict[int, tuple[float, float]] = {}
        st = self._structure(hidden)
        for t in targets:
            j = st["pos"][t]
            if j < 0:
                out[t] = (self.value[t], self.value[t])
                continue
            members, cons, lb, ub, integrality, where = self._component(st, st["labels"][j])
            bounds = Bounds(lb, ub)
            c = np.zeros(len(members))
            c[where[j]] = 1.0
            lower = upper = self.value[t]
            if sides in ("both", "lower"):
                lo = _solve(c, cons, integrality, bounds)
                lower = float(lo.x[where[j]]) if lo.status == 0 else self.lb[t]
            if sides in ("both", "upper"):
                hi = _solve(-c, cons, integrality, bounds)
                upper = float(hi.x[where[j]]) if hi.status == 0 else (math.inf if hi.status == 3 else self.ub[t])
            out[t] = (min(lower, self.value[t]), max(upper, self.value[t]))
        return out

    def perturbation(
        self, target: int, amount: float, hidden: np.ndarray, fixed: int | None = None
    ) -> np.ndarray | None:
        """Cheapest change of the cells that moves *target* by *amount* and keeps every relation and bound.

        Public cells and the cell *fixed* (known to the attacker in view) do not move. Returns the change,
        or None when no such change exists.
        """
        free = ~self.public
        if fixed is not None:
            free[fixed] = False
        free[target] = True
        idx = np.flatnonzero(free)
        k = len(idx)
        where = {c: i for i, c in enumerate(idx)}
        # variables: up (k), down (k)
        cost = np.where(hidden[idx], 1e-3, self.cost[idx] / self.scale + 1e-3)
        c = np.concatenate([cost, cost])
        up_cap = np.maximum(self.ub[idx] - self.value[idx], 0.0)
        down_cap = np.maximum(self.value[idx] - self.lb[idx], 0.0)
        lb = np.zeros(2 * k)
        ub = np.concatenate([up_cap, down_cap])
        t = where[target]
        if amount > 0:
            if up_cap[t] < amount - 1e-9:
                return None
            lb[t], ub[t], ub[k + t] = amount, amount, 0.0
        else:
            if down_cap[t] < -amount - 1e-9:
                return None
            lb[k + t], ub[k + t], ub[t] = -amount, -amount, 0.0
        cons = []
        if self.eq.shape[0]:
            sub = self.eq[:, idx]
            rows = np.flatnonzero(np.diff(sub.tocsr().indptr) > 0)
            if len(rows):
                sub = sub[rows]
                cons.append(LinearConstraint(sparse.hstack([sub, -sub]), 0.0, 0.0))
        if self.le.shape[0]:
            sub = self.le[:, idx]
            slack = -(self.le @ self.value)
            rows = np.flatnonzero(np.diff(sub.tocsr().indptr) > 0)
            if len(rows):
                sub = sub[rows]
                cons.append(LinearConstraint(sparse.hstack([sub, -sub]), -np.inf, slack[rows]))
        integrality = np.concatenate([self.integer[idx], self.integer[idx]]).astype(int)
        res = _solve(c, cons, integrality, Bounds(lb, ub))
        if res.status != 0:
            return None
        change = np.zeros(self.n)
        change[idx] = res.x[:k] - res.x[k:]
        return change


@dataclass
class Protection:
    """The suppression pattern of a linked set and its audit."""

    linked: Linked
    rules: Rules
    cells: pd.DataFrame  # key, value, status, rule, required upper/lower
    audit: pd.DataFrame  # one row per suppressed cell

    @property
    def status(self) -> pd.Series:
        return pd.Series(self.cells["status"].to_numpy(), index=self.cells["key"].map(key_text).to_numpy())

    def hidden(self, key: Hashable) -> bool:
        """Whether the cell *key* is suppressed (a key outside the set is a structural zero: published)."""
        if key not in self.linked:
            return False
        return self.cells["status"].iat[self.linked.index(key)] != "published"

    def status_of(self, key: Hashable) -> str:
        """``published``, ``primary``, ``secondary`` or ``withheld`` (a key outside the set: published)."""
        if key not in self.linked:
            return "published"
        return self.cells["status"].iat[self.linked.index(key)]

    @property
    def audit_pass(self) -> bool:
        return bool(self.audit["protected"].all()) if len(self.audit) else True

    @property
    def pattern_sha256(self) -> str:
        """Hash of the suppression pattern (the same in every run of one bulletin)."""
        hidden = sorted(key_text(k) for k, s in zip(self.cells["key"], self.cells["status"]) if s != "published")
        return hashlib.sha256(json.dumps(hidden, ensure_ascii=False).encode("utf-8")).hexdigest()

    def table_record(self, keys: Mapping[Hashable, tuple[Any, Any]], table: str = "", source: str = "") -> dict:
        """The disclosure record of one table of the set (what its metadata and the manifest hold).

        Parameters
        ----------
        keys : mapping
            Cell key → ``(row, column)`` of the table, for the cells it shows.

        The record holds, per suppressed cell of the table, its status, the rules that made it sensitive,
        and whether the required upper and lower protection are met. The feasible interval and the
        required and achieved amounts are kept in :attr:`audit` for the internal output only: the audit's
        model may hold relations no reader has, so its interval can be narrower than a reader's, and for a
        cell withheld on quality grounds alone it can be the unreliable estimate itself.
        """
        audit = self.audit.set_index("key_text") if len(self.audit) else None
        suppressed = []
        for key, (row, col) in keys.items():
            if not self.hidden(key):
                continue
            entry = {
                "row": row,
                "col": col,
                "cell": key_text(key),
                "status": self.cells["status"].iat[self.linked.index(key)],
            }
            if audit is not None and key_text(key) in audit.index:
                a = audit.loc[key_text(key)]
                if a["status"] == "primary":
                    entry["required"] = {"rule": a["rule"], "upper": "UPL", "lower": "LPL"}
                    entry["achieved"] = {
                        "upper": "≥ UPL" if a["upper_ok"] else "< UPL",
                        "lower": "≥ LPL" if a["lower_ok"] else "< LPL",
                    }
                entry["protected"] = bool(a["protected"])
            suppressed.append(entry)
        statuses = [self.cells["status"].iat[self.linked.index(k)] for k in keys if k in self.linked]
        return {
            "rules": self.rules.rule_dict(),
            "source": source,
            "confidentiality": CONFIDENTIAL,
            "linked_set": self.linked.name,
            "pattern_sha256": self.pattern_sha256,
            "cells": len(statuses),
            "primary": statuses.count("primary"),
            "secondary": statuses.count("secondary"),
            "withheld": statuses.count("withheld"),
            "suppressed": suppressed,
            "audit_pass": all(e.get("protected", True) for e in suppressed) and self.audit_pass,
            "audit": {
                "method": "scipy.optimize.milp (HiGHS), integrality on count cells",
                "linked_cells": len(self.linked),
                "relations": len(self.linked.equalities),
                "inequalities": len(self.linked.inequalities),
                "protection": "τ-ARGUS upper/lower protection levels (second-largest contributor's "
                "view); amounts in the internal output only",
            },
        }


def _neighbours(linked: Linked) -> list[set[int]]:
    """Per cell, the cells that share an additive relation with it."""
    out: list[set[int]] = [set() for _ in range(len(linked))]
    for terms in linked.equalities:
        members = list(terms)
        for i in members:
            out[i].update(members)
    for i, s in enumerate(out):
        s.discard(i)
    return out


def _views(
    p: int, hidden: np.ndarray, contributors: np.ndarray, neighbours: list[set[int]], owners: np.ndarray
) -> list[int | None]:
    """The attackers of cell *p*: any reader (None) and each singleton suppressed beside it.

    The only contributor of a suppressed cell knows its value; when that cell shares a relation with *p*,
    the contributor is a reader who knows one more cell (τ-ARGUS' singleton problem) — unless it is *p*'s own
    largest contributor, who learns nothing it does not know.
    """
    own = owners[p]
    return [
        None,
        *sorted(
            s
            for s in neighbours[p]
            if hidden[s] and contributors[s] == 1 and (own is None or owners[s] is None or owners[s] != own)
        ),
    ]


def audit_linked(
    linked: Linked, status: pd.Series | np.ndarray, rules: Rules = Rules(), levels: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Feasible interval of every suppressed cell of *linked* given everything published.

    Parameters
    ----------
    status : array-like
        ``published``, ``primary``, ``secondary`` or ``withheld`` per cell (in the set's order).
    levels : pandas.DataFrame, optional
        :func:`protection_levels` of the cells (computed when absent).

    Returns
    -------
    pandas.DataFrame
        One row per suppressed cell: ``key``, ``key_text``, ``value``, ``status``, ``rule``, ``lower``,
        ``upper`` (the feasible interval for any reader), ``required_upper``, ``required_lower`` (τ-ARGUS
        protection levels, primary cells), ``achieved_upper`` and ``achieved_lower`` (how far the interval
        reaches above and below the value, for the worst attacker: any reader, or the singleton contributor
        of a suppressed cell in one of its relations), ``upper_ok``, ``lower_ok`` and ``protected``.
    """
    problem = _Problem(linked)
    status = np.asarray(status, dtype=object)
    hidden = status != "published"
    frame = problem.cells
    contributors = frame["contributors"].to_numpy(float)
    owners = frame["largest_id"].to_numpy(object)
    neighbours = _neighbours(linked)
    if levels is None:
        levels = protection_levels(
            frame["value"], frame["contributors"], frame["largest"], frame["second"], rules, frame["integer"]
        )
    targets = np.flatnonzero(hidden)
    intervals = problem.interval(hidden, targets)
    rows = []
    for t in targets:
        lower, upper = intervals[t]
        value = problem.value[t]
        is_primary = status[t] == "primary"
        reach_up, reach_low = upper - value, value - lower
        need_up = float(levels["upper"].iat[t]) if is_primary else 0.0
        need_low = float(levels["lower"].iat[t]) if is_primary else 0.0
        up_ok = reach_up >= need_up - 1e-6 * max(1.0, need_up)
        low_ok = reach_low >= need_low - 1e-6 * max(1.0, need_low)
        views = _views(t, hidden, contributors, neighbours, owners)[1:] if is_primary else []
        if views:  # the singletons beside it, each knowing its own cell
            up_ok = up_ok and (need_up <= 0 or problem.safe(hidden, t, need_up, views)[0])
            low_ok = low_ok and (need_low <= 0 or problem.safe(hidden, t, -need_low, views)[0])
        rows.append(
            {
                "key": frame["key"].iat[t],
                "key_text": key_text(frame["key"].iat[t]),
                "value": value,
                "status": status[t],
                "rule": levels["rule"].iat[t] if is_primary else "",
                "lower": lower,
                "upper": upper,
                "required_upper": need_up if is_primary else np.nan,
                "required_lower": need_low if is_primary else np.nan,
                "achieved_upper": reach_up,
                "achieved_lower": reach_low,
                "upper_ok": bool(up_ok),
                "lower_ok": bool(low_ok),
                "protected": bool(up_ok and low_ok) if is_primary else True,
            }
        )
    columns = [
        "key",
        "key_text",
        "value",
        "status",
        "rule",
        "lower",
        "upper",
        "required_upper",
        "required_lower",
        "achieved_upper",
        "achieved_lower",
        "upper_ok",
        "lower_ok",
        "protected",
    ]
    return pd.DataFrame(rows, columns=columns)


def protect_linked(
    linked: Linked, rules: Rules = Rules(), *, extra_primary: Iterable[Hashable] = (), max_rounds: int = 6
) -> Protection:
    """Primary and secondary suppression of a linked set, then its audit.

    Parameters
    ----------
    linked : Linked
    rules : Rules
    extra_primary : iterable of keys
        Cells sensitive for a reason the contributor statistics do not show.
    max_rounds : int
        Rounds of repair when the final (integer, every attacker) audit finds a cell short of its protection.

    Returns
    -------
    Protection
    """
    linked.check()
    problem = _Problem(linked)
    frame = problem.cells
    levels = protection_levels(
        frame["value"], frame["contributors"], frame["largest"], frame["second"], rules, frame["integer"]
    )
    sensitive = (levels["frequency"] | levels["dominance"] | levels["p_rule"]).to_numpy() & ~problem.public
    for key in extra_primary:
        if key in linked:
            i = linked.index(key)
            if not problem.public[i]:
                sensitive[i] = True
                if levels.at[i, "upper"] <= 0:
                    lvl = max(rules.protection_pct / 100 * problem.value[i], rules.min_width)
                    levels.loc[i, ["upper", "lower", "rule"]] = [lvl, min(lvl, problem.value[i]), "frequency"]
    # a protection level never reaches past what a reader knows beforehand (the cell's bounds: a rate ≤ 100 %)
    levels["upper"] = np.minimum(levels["upper"], np.maximum(problem.ub - problem.value, 0.0))
    levels["lower"] = np.minimum(levels["lower"], np.maximum(problem.value - problem.lb, 0.0))
    status = np.where(sensitive, "primary", "published").astype(object)
    status[frame["withheld"].to_numpy(bool) & (status == "published")] = "withheld"
    contributors = frame["contributors"].to_numpy(float)
    owners = frame["largest_id"].to_numpy(object)
    neighbours = _neighbours(linked)
    order = sorted(np.flatnonzero(sensitive), key=lambda i: (-levels["upper"].iat[i], -problem.value[i], i))

    def hide(change: np.ndarray) -> None:
        moved = np.flatnonzero(np.abs(change) > _TOL * max(1.0, np.abs(change).max()))
        for i in moved:
            if status[i] == "published":
                status[i] = "secondary"

    def protect_cells(cells: Iterable[int]) -> None:
        for p in cells:
            for sign, need in ((1.0, levels["upper"].iat[p]), (-1.0, levels["lower"].iat[p])):
                if need <= 0:
                    continue
                for _ in range(len(neighbours[p]) + 2):
                    hidden = status != "published"
                    views = _views(p, hidden, contributors, neighbours, owners)[1:]
                    ok, view = problem.safe(hidden, p, sign * need, views)
                    if ok:
                        break
                    change = problem.perturbation(p, sign * need, hidden, fixed=view)
                    if change is None:
                        break
                    before = hidden.sum()
                    hide(change)
                    if (status != "published").sum() == before:
                        break

    protect_cells(order)
    result = audit_linked(linked, status, rules, levels)
    for _ in range(max_rounds):
        weak = result[~result["protected"]]
        if weak.empty:
            break
        before = (status != "published").sum()
        protect_cells([linked.index(k) for k in weak["key"]])
        if (status != "published").sum() == before:
            break
        result = audit_linked(linked, status, rules, levels)
    cells = pd.DataFrame(
        {
            "key": frame["key"],
            "value": frame["value"],
            "status": status,
            "rule": levels["rule"].where(sensitive, ""),
            "required_upper": levels["upper"].where(sensitive),
            "required_lower": levels["lower"].where(sensitive),
        }
    )
    return Protection(linked, rules, cells, result)


# ---------------------------------------------------------------------------------------------------------
# Two-way tables with published margins (the first interface, on the linked engine)
# ---------------------------------------------------------------------------------------------------------
def _lines(row_totals: bool, col_totals: bool) -> tuple[str, ...]:
    lines = tuple(k for k, on in (("row", row_totals), ("col", col_totals)) if on)
    if not lines:
        raise ValueError("at least the row or the column totals must be published")
    return lines


def _two_way(cells: pd.DataFrame, row_totals: bool, col_totals: bool, integer: bool | None = None) -> Linked:
    """The linked set of a table with its published margins (totals are public: true values)."""
    lines = _lines(row_totals, col_totals)
    whole = bool(np.allclose(cells["value"], np.round(cells["value"]))) if integer is None else integer
    linked = Linked("table")
    for r in cells.itertuples():
        linked.cell(("cell", r.row, r.col), r.value, r.contributors, r.largest, r.second, integer=whole)
    for key in lines:
        for k, part in cells.groupby(key, sort=False):
            total = linked.cell(("total", key, k), float(part["value"].sum()), public=True, integer=whole)
            linked.add_sum(total, [("cell", r.row, r.col) for r in part.itertuples()])
    return linked


def audit(
    cells: pd.DataFrame, status: pd.Series, rules: Rules = Rules(), row_totals: bool = True, col_totals: bool = True
) -> pd.DataFrame:
    """Feasible interval of every suppressed cell given the published cells and the true margins.

    ``row_totals`` / ``col_totals`` say which margins are published: a table whose columns are different
    measures (applications, grants, stock by province) publishes column totals only.

    Returns
    -------
    pandas.DataFrame
        One row per suppressed cell: ``row``, ``col``, ``value``, ``status``, ``lower``, ``upper``,
        ``width``, ``required`` (the larger protection level, primary cells), ``required_upper``,
        ``required_lower``, ``achieved_upper``, ``achieved_lower``, ``protected`` (True for secondary cells).
    """
    cells = _check(cells)
    linked = _two_way(cells, row_totals, col_totals)
    full = np.array(["published"] * len(linked), dtype=object)
    full[: len(cells)] = status.to_numpy()
    return _two_way_audit(audit_linked(linked, full, rules))


def _two_way_audit(result: pd.DataFrame) -> pd.DataFrame:
    columns = [
        "row",
        "col",
        "value",
        "status",
        "lower",
        "upper",
        "width",
        "required",
        "required_upper",
        "required_lower",
        "achieved_upper",
        "achieved_lower",
        "upper_ok",
        "lower_ok",
        "protected",
    ]
    if result.empty:
        return pd.DataFrame(columns=columns)
    result["row"] = [k[1] for k in result["key"]]
    result["col"] = [k[2] for k in result["key"]]
    result["width"] = result["upper"] - result["lower"]
    result["required"] = result[["required_upper", "required_lower"]].max(axis=1)
    return result[columns].reset_index(drop=True)


def protect(
    cells: pd.DataFrame, rules: Rules = Rules(), max_rounds: int = 6, row_totals: bool = True, col_totals: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply primary and secondary suppression to a table with published margins and audit the result.

    Parameters
    ----------
    cells : pandas.DataFrame
        ``row``, ``col``, ``value``, ``contributors``, ``largest``, ``second``.
    rules : Rules
    max_rounds : int
        Bound on the repair rounds after the integer audit.
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
    linked = _two_way(cells, row_totals, col_totals)
    result = protect_linked(linked, rules, max_rounds=max_rounds)
    status = result.cells["status"].iloc[: len(cells)].to_numpy()
    protected = cells.assign(status=status)
    protected["published_value"] = protected["value"].where(protected["status"] == "published")
    return protected, _two_way_audit(result.audit)


def record(protected: pd.DataFrame, audit_result: pd.DataFrame, rules: Rules, source: str = "") -> dict:
    """The disclosure-control record of one table, as written to its metadata and the bulletin manifest.

    Parameters
    ----------
    protected, audit_result : pandas.DataFrame
        The two results of :func:`protect`.
    rules : Rules
    source : str
        The input the table is computed from (its confidentiality is the policy's).

    Returns
    -------
    dict
        ``rules``, ``cells``, ``primary``, ``secondary``, ``suppressed`` (row, col, status and whether
        the upper and lower protection levels are met, per suppressed cell; the intervals stay in the audit,
        internal output only) and ``audit_pass``.
    """
    audit_by = audit_result.set_index(["row", "col"]) if len(audit_result) else None
    suppressed = []
    for r in protected[protected["status"] != "published"].itertuples():
        entry = {"row": _plain(r.row), "col": _plain(r.col), "status": r.status}
        if audit_by is not None and (r.row, r.col) in audit_by.index:
            a = audit_by.loc[(r.row, r.col)]
            if r.status == "primary":
                entry["required"] = {"upper": "UPL", "lower": "LPL"}
                entry["achieved"] = {
                    "upper": "≥ UPL" if a["upper_ok"] else "< UPL",
                    "lower": "≥ LPL" if a["lower_ok"] else "< LPL",
                }
            entry["protected"] = bool(a["protected"])
        suppressed.append(entry)
    return {
        "rules": rules.rule_dict(),
        "source": source,
        "confidentiality": CONFIDENTIAL,
        "cells": int(len(protected)),
        "primary": int((protected["status"] == "primary").sum()),
        "secondary": int((protected["status"] == "secondary").sum()),
        "suppressed": suppressed,
        "audit_pass": bool(audit_result["protected"].all()) if len(audit_result) else True,
    }


def _plain(x):
    return x.item() if isinstance(x, np.generic) else x


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


def protect_columns(
    table: pd.DataFrame,
    key: str,
    contributions: dict[str, pd.DataFrame],
    rules: dict | Rules | None = None,
    derived: dict[str, list[str]] | None = None,
    source: str = "",
    sort: bool = False,
) -> tuple[pd.DataFrame, dict]:
    """Protect the count columns of a table with one row per *key* (province, category, …).

    Each count column is a one-way table whose total over the rows stays published; the columns are
    protected together (one linked set); columns computed from a suppressed count are suppressed with
    it. The published table is sorted by *key* (a protected table never ranks: its order would tell
    a suppressed value's place), and a ``rank`` column is dropped.

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
    rules : dict or Rules, optional
        :class:`Rules` fields; defaults otherwise.
    derived : dict, optional
        Count name → further columns suppressed with it.
    source : str
        The input the counts come from (recorded).
    sort : bool
        Sort by *key*; needed for a table ordered by its values, not for a fixed order (patent types).

    Returns
    -------
    published : pandas.DataFrame
        *table* with suppressed cells missing (integer columns become nullable), sorted by *key*.
    record : dict
        :func:`record` of the protection.
    """
    rules_ = Rules.of(rules)
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
            published[column] = published[column].astype("Int64")  # integers with gaps
    for cell in protected[protected["status"] != "published"].itertuples():
        columns = [c for c in [cell.col, *derived.get(cell.col, [])] if c in published.columns]
        published.loc[cell.row, columns] = pd.NA
    published = published.drop(columns=[c for c in ("rank", "rank_change") if c in published.columns])
    if sort:
        published = published.sort_index(kind="stable")
    return published.reset_index(), record(protected, audit_result, rules_, source)
