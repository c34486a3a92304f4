"""Shared by the frozen and the live R conformance tests: random samples, the estimates compared, the check."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ipstats.survey import Design

#: The R side of the comparison (sourced by the live test and by data/make_frozen_values.R).
R_ESTIMATES = Path(__file__).parent / "data" / "estimates.R"


def random_sample(rng: np.random.Generator, two_stage: bool = False, fractions: bool = False,
                  lonely: bool = False) -> pd.DataFrame:
    """A random stratified cluster sample with outcomes, a ratio denominator, a category and a domain."""
    rows = []
    strata = rng.integers(3, 6)
    for h in range(strata):
        n_psu = 1 if (lonely and h == 0) else int(rng.integers(2, 7))
        N_psu = n_psu + int(rng.integers(0, 30))
        for i in range(n_psu):
            N_ssu = int(rng.integers(1, 12))
            m = int(rng.integers(min(2, N_ssu), N_ssu + 1)) if two_stage else int(rng.integers(1, 5))
            for j in range(m):
                rows.append({"h": f"s{h}", "psu": i, "ssu": j, "N1": N_psu, "N2": N_ssu,
                             "f1": n_psu / N_psu, "f2": m / N_ssu})
    frame = pd.DataFrame(rows)
    n = len(frame)
    frame["w"] = rng.uniform(1, 20, n).round(3)
    frame["x"] = rng.gamma(2.0, 5.0, n).round(4) + 1
    frame["y"] = (frame["x"] * rng.uniform(0.5, 1.5, n) + rng.normal(0, 2, n)).round(4)
    frame["cat"] = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    frame["dom"] = rng.choice(["d1", "d2"], n, p=[0.6, 0.4])
    frame["grp"] = rng.choice(["g1", "g2"], n)
    for column, levels in (("cat", ["a", "b", "c"]), ("grp", ["g1", "g2"]), ("dom", ["d1", "d2"])):
        frame.loc[: len(levels) - 1, column] = levels                      # every level sampled
    return frame


def python_estimates(case: str, design: Design) -> pd.DataFrame:
    frames = []
    for stat, call in (("mean", lambda by: design.mean("y", by=by)), ("total", lambda by: design.total("y", by=by)),
                       ("ratio", lambda by: design.ratio("y", "x", by=by)),
                       ("proportion", lambda by: design.proportion("cat", by=by))):
        overall = call(None).assign(dom="all")
        frames.append(pd.concat([overall, call("dom")]).assign(stat=stat))
    out = pd.concat(frames, ignore_index=True)
    out["level"] = out["cat"].fillna("") if "cat" in out else ""
    return out.rename(columns={"dom": "domain"}).assign(case=case)[
        ["case", "stat", "domain", "level", "estimate", "se", "deff"]]


def compare(python: pd.DataFrame, r: pd.DataFrame) -> None:
    r["level"] = r["level"].astype(str)
    merged = python.merge(r, on=["case", "stat", "domain", "level"], suffixes=("_py", "_r"), validate="1:1")
    assert len(merged) == len(r) == len(python)
    for column in ("estimate", "se", "deff"):
        a, b = merged[f"{column}_py"].to_numpy(float), merged[f"{column}_r"].to_numpy(float)
        both_nan = np.isnan(a) & np.isnan(b)
        close = np.isclose(a, b, rtol=1e-6, atol=1e-10) | both_nan
        assert close.all(), merged.loc[~close, ["stat", "domain", "level", f"{column}_py", f"{column}_r"]]
