"""Live conformance with R ``survey``: random designs estimated by ipstats and by Rscript must agree to 1e-6.

Each case draws a random sample (strata, clusters, fpc as sizes or fractions, two stages, domains), writes
it to a temporary folder, runs the same design and estimators in R (``library(survey)``), and compares
estimate, standard error and design effect of every statistic. Skips with its reason when ``Rscript`` or
the survey package is missing (CI installs ``r-base-core r-cran-survey``).
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipstats.survey import Design

RSCRIPT = shutil.which("Rscript")


def _r_has_survey() -> bool:
    if RSCRIPT is None:
        return False
    done = subprocess.run([RSCRIPT, "-e", "quit(status = !requireNamespace('survey', quietly = TRUE))"],
                          capture_output=True, timeout=60)
    return done.returncode == 0


pytestmark = pytest.mark.skipif(not _r_has_survey(),
                                reason="Rscript or the R survey package is not installed "
                                       "(apt-get install -y r-base-core r-cran-survey)")


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


R_ESTIMATES = r"""
est <- function(case, des) {
  out <- list()
  add <- function(stat, domain, level, e, s, d) {
    out[[length(out) + 1]] <<- data.frame(case = case, stat = stat, domain = domain, level = level,
                                          estimate = as.numeric(e), se = as.numeric(s), deff = as.numeric(d))
  }
  for (dm in c("all", "d1", "d2")) {
    sub <- if (dm == "all") des else subset(des, dom == dm)
    m <- svymean(~y, sub, deff = TRUE); add("mean", dm, "", coef(m), SE(m), deff(m))
    t <- svytotal(~y, sub, deff = TRUE); add("total", dm, "", coef(t), SE(t), deff(t))
    r <- svyratio(~y, ~x, sub, deff = TRUE); add("ratio", dm, "", coef(r), SE(r), attr(r, "deff"))
    p <- svymean(~cat, sub, deff = TRUE)
    add(rep("proportion", 3), dm, sub("^cat", "", names(coef(p))), coef(p), SE(p), deff(p))
  }
  do.call(rbind, out)
}
"""


def _python_estimates(case: str, design: Design) -> pd.DataFrame:
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


def _run_r(tmp_path: Path, frame: pd.DataFrame, design_call: str, case: str, options: str = "") -> pd.DataFrame:
    frame.to_csv(tmp_path / "sample.csv", index=False)
    script = (f"suppressMessages(library(survey))\n{options}\n"
              f"d <- read.csv('{tmp_path / 'sample.csv'}', stringsAsFactors = TRUE)\n"
              f"{R_ESTIMATES}\n{design_call}\n"
              f"write.csv(est('{case}', des), '{tmp_path / 'r.csv'}', row.names = FALSE)\n")
    (tmp_path / "run.R").write_text(script)
    done = subprocess.run([RSCRIPT, str(tmp_path / "run.R")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return pd.read_csv(tmp_path / "r.csv", keep_default_na=False, na_values=["NA"])


def _compare(python: pd.DataFrame, r: pd.DataFrame) -> None:
    r["level"] = r["level"].astype(str)
    merged = python.merge(r, on=["case", "stat", "domain", "level"], suffixes=("_py", "_r"), validate="1:1")
    assert len(merged) == len(r) == len(python)
    for column in ("estimate", "se", "deff"):
        a, b = merged[f"{column}_py"].to_numpy(float), merged[f"{column}_r"].to_numpy(float)
        both_nan = np.isnan(a) & np.isnan(b)
        close = np.isclose(a, b, rtol=1e-6, atol=1e-10) | both_nan
        assert close.all(), merged.loc[~close, ["stat", "domain", "level", f"{column}_py", f"{column}_r"]]


SEEDS = [1, 2, 3]


@pytest.mark.parametrize("seed", SEEDS)
def test_stratified_cluster_fpc_sizes_weights(tmp_path, seed):
    frame = random_sample(np.random.default_rng(seed))
    design = Design(frame, weights="w", strata="h", psu="psu", fpc="N1")
    r = _run_r(tmp_path, frame, "des <- svydesign(id=~psu, strata=~h, weights=~w, fpc=~N1, nest=TRUE, data=d)",
               "strat")
    _compare(_python_estimates("strat", design), r)


@pytest.mark.parametrize("seed", SEEDS)
def test_stratified_cluster_fpc_fractions_no_weights(tmp_path, seed):
    frame = random_sample(np.random.default_rng(100 + seed), fractions=True)
    design = Design(frame, strata="h", psu="psu", fpc="f1")
    r = _run_r(tmp_path, frame, "des <- svydesign(id=~psu, strata=~h, fpc=~f1, nest=TRUE, data=d)", "frac")
    _compare(_python_estimates("frac", design), r)


@pytest.mark.parametrize("seed", SEEDS)
def test_two_stage_with_both_fpcs(tmp_path, seed):
    frame = random_sample(np.random.default_rng(200 + seed), two_stage=True)
    design = Design(frame, strata="h", psu="psu", ssu="ssu", fpc="N1", fpc2="N2")
    r = _run_r(tmp_path, frame,
               "des <- svydesign(id=~psu+ssu, strata=~h, fpc=~N1+N2, nest=TRUE, data=d)", "two")
    _compare(_python_estimates("two", design), r)


def test_single_ssu_at_stage_two_fails_like_r():
    frame = random_sample(np.random.default_rng(202), two_stage=True)
    frame = frame[~((frame["psu"] == 0) & (frame["h"] == "s0") & (frame["ssu"] > 0))].assign(N2=lambda f: f["N2"].clip(lower=2))
    with pytest.raises(ValueError, match="only one PSU at stage 2"):
        Design(frame, strata="h", psu="psu", ssu="ssu", fpc="N1", fpc2="N2").mean("y")


def test_with_replacement_clusters_and_lonely_psu_adjust(tmp_path):
    frame = random_sample(np.random.default_rng(300), lonely=True)
    design = Design(frame, weights="w", strata="h", psu="psu", lonely_psu="adjust")
    r = _run_r(tmp_path, frame, "des <- svydesign(id=~psu, strata=~h, weights=~w, nest=TRUE, data=d)", "lonely",
               options="options(survey.lonely.psu = 'adjust')")
    _compare(_python_estimates("lonely", design), r)


def _population_margins(frame: pd.DataFrame, rng: np.random.Generator) -> dict:
    """Population counts of cat × grp (the same total for every margin)."""
    joint = frame.groupby(["cat", "grp"])["w"].sum() * rng.uniform(0.8, 1.25, 6)
    return {"cat": joint.groupby(level="cat").sum().to_dict(), "grp": joint.groupby(level="grp").sum().to_dict()}


def _r_frame(name: str, counts: dict) -> str:
    levels = ", ".join(f"'{k}'" for k in counts)
    values = ", ".join(repr(float(v)) for v in counts.values())
    return f"data.frame({name} = c({levels}), Freq = c({values}))"


@pytest.mark.parametrize("seed", SEEDS)
def test_poststratify_rake_calibrate(tmp_path, seed):
    rng = np.random.default_rng(400 + seed)
    frame = random_sample(rng)
    margins = _population_margins(frame, rng)
    base = Design(frame, weights="w", strata="h", psu="psu", fpc="N1")
    base_r = "base <- svydesign(id=~psu, strata=~h, weights=~w, fpc=~N1, nest=TRUE, data=d)\n"
    x_total = float((frame["w"] * frame["x"]).sum() * 1.1)

    post = base.poststratify("cat", margins["cat"])
    r = _run_r(tmp_path, frame, base_r + f"des <- postStratify(base, ~cat, {_r_frame('cat', margins['cat'])})",
               "post")
    _compare(_python_estimates("post", post), r)

    raked = base.rake(margins)
    r = _run_r(tmp_path, frame, base_r + f"des <- rake(base, list(~cat, ~grp), list({_r_frame('cat', margins['cat'])}, "
               f"{_r_frame('grp', margins['grp'])}))", "rake")
    _compare(_python_estimates("rake", raked), r)

    cal = base.calibrate({"cat": margins["cat"], "x": x_total})
    cat = margins["cat"]
    pop = f"c(`(Intercept)` = {sum(cat.values())!r}, catb = {cat['b']!r}, catc = {cat['c']!r}, x = {x_total!r})"
    r = _run_r(tmp_path, frame, base_r + f"des <- calibrate(base, ~cat + x, {pop}, calfun = 'linear')", "cal")
    _compare(_python_estimates("cal", cal), r)
    assert cal.weights.groupby(frame["cat"]).sum().to_dict() == pytest.approx(cat)
