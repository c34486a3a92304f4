"""Shared by the frozen and the live R conformance tests: random samples, the estimates compared, the check."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ipstats.survey import Design

DATA = Path(__file__).parent / "data"
#: The R side of the comparison (sourced by the live test and by data/make_frozen_values.R).
R_ESTIMATES = DATA / "estimates.R"
RSCRIPT = shutil.which("Rscript")
#: R's example population counts of the api data (make_frozen_values.R).
POP_TYPES = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1072, "Yes": 5122}


def r_has_survey() -> bool:
    """Whether Rscript and R's survey package are installed (the live tests skip otherwise)."""
    if RSCRIPT is None:
        return False
    done = subprocess.run(
        [RSCRIPT, "-e", "quit(status = !requireNamespace('survey', quietly = TRUE))"], capture_output=True, timeout=60
    )
    return done.returncode == 0


def run_r(tmp_path: Path, frame: pd.DataFrame, body: str, timeout: int = 180) -> pd.DataFrame:
    """Run an R script on *frame* (read as ``d``); *body* writes its result with ``write.csv(..., OUT)``."""
    frame.to_csv(tmp_path / "sample.csv", index=False)
    script = (
        f"suppressMessages(library(survey))\nOUT <- '{tmp_path / 'r.csv'}'\n"
        f"d <- read.csv('{tmp_path / 'sample.csv'}', stringsAsFactors = TRUE)\n{body}\n"
    )
    (tmp_path / "run.R").write_text(script)
    done = subprocess.run([RSCRIPT, str(tmp_path / "run.R")], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return pd.read_csv(tmp_path / "r.csv", keep_default_na=False, na_values=["NA"])


def frozen_design(
    case: str,
    strat: pd.DataFrame,
    clus1: pd.DataFrame,
    two_stage: pd.DataFrame,
    srs: Callable[[], pd.DataFrame] | None = None,
) -> Design:
    """The designs of data/make_frozen_values.R (and make_ciprop_values.R) on the frames given."""
    if case == "apistrat":
        return Design(strat, weights="pw", strata="stype", fpc="fpc")
    if case == "apisrs" and srs is not None:
        return Design(srs(), fpc="fpc")
    if case == "two_stage":
        return Design(two_stage, strata="h", psu="psu", ssu="ssu", fpc="N1", fpc2="N2")
    base = Design(clus1, weights="pw", psu="dnum", fpc="fpc")
    return {
        "apiclus1": lambda: base,
        "apiclus1_poststratify": lambda: base.poststratify("stype", POP_TYPES),
        "apiclus1_rake": lambda: base.rake({"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}),
        "apiclus1_calibrate": lambda: base.calibrate({"(Intercept)": 6194, "stype": POP_TYPES, "api99": 3914069}),
    }[case]()


def random_sample(
    rng: np.random.Generator, two_stage: bool = False, fractions: bool = False, lonely: bool = False
) -> pd.DataFrame:
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
                rows.append(
                    {"h": f"s{h}", "psu": i, "ssu": j, "N1": N_psu, "N2": N_ssu, "f1": n_psu / N_psu, "f2": m / N_ssu}
                )
    frame = pd.DataFrame(rows)
    n = len(frame)
    frame["w"] = rng.uniform(1, 20, n).round(3)
    frame["x"] = rng.gamma(2.0, 5.0, n).round(4) + 1
    frame["y"] = (frame["x"] * rng.uniform(0.5, 1.5, n) + rng.normal(0, 2, n)).round(4)
    frame["cat"] = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    frame["dom"] = rng.choice(["d1", "d2"], n, p=[0.6, 0.4])
    frame["grp"] = rng.choice(["g1", "g2"], n)
    for column, levels in (("cat", ["a", "b", "c"]), ("grp", ["g1", "g2"]), ("dom", ["d1", "d2"])):
        frame.loc[: len(levels) - 1, column] = levels  # every level sampled
    return frame


def python_estimates(case: str, design: Design) -> pd.DataFrame:
    frames = []
    for stat, call in (
        ("mean", lambda by: design.mean("y", by=by)),
        ("total", lambda by: design.total("y", by=by)),
        ("ratio", lambda by: design.ratio("y", "x", by=by)),
        ("proportion", lambda by: design.proportion("cat", by=by)),
    ):
        overall = call(None).assign(dom="all")
        frames.append(pd.concat([overall, call("dom")]).assign(stat=stat))
    out = pd.concat(frames, ignore_index=True)
    out["level"] = out["cat"].fillna("") if "cat" in out else ""
    return out.rename(columns={"dom": "domain"}).assign(case=case)[
        ["case", "stat", "domain", "level", "estimate", "se", "deff"]
    ]


def compare(python: pd.DataFrame, r: pd.DataFrame) -> None:
    r["level"] = r["level"].astype(str)
    merged = python.merge(r, on=["case", "stat", "domain", "level"], suffixes=("_py", "_r"), validate="1:1")
    assert len(merged) == len(r) == len(python)
    for column in ("estimate", "se", "deff"):
        a, b = merged[f"{column}_py"].to_numpy(float), merged[f"{column}_r"].to_numpy(float)
        both_nan = np.isnan(a) & np.isnan(b)
        close = np.isclose(a, b, rtol=1e-6, atol=1e-10) | both_nan
        assert close.all(), merged.loc[~close, ["stat", "domain", "level", f"{column}_py", f"{column}_r"]]
