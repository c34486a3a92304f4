"""Live conformance with R ``survey``: random designs estimated by ipstats and by Rscript must agree to 1e-6.

Each case draws a random sample (strata, clusters, fpc as sizes or fractions, two stages, domains), writes
it to a temporary folder, runs the same design and estimators in R (``library(survey)``), and compares
estimate, standard error and design effect of every statistic. Skips with its reason when ``Rscript`` or
the survey package is missing (CI installs ``r-base-core r-cran-survey``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipstats.survey import Design
from survey_conformance import R_ESTIMATES, compare, python_estimates, r_has_survey, random_sample, run_r

pytestmark = pytest.mark.skipif(
    not r_has_survey(),
    reason="Rscript or the R survey package is not installed (apt-get install -y r-base-core r-cran-survey)",
)


def _run_r(tmp_path: Path, frame: pd.DataFrame, design_call: str, case: str, options: str = "") -> pd.DataFrame:
    return run_r(
        tmp_path,
        frame,
        f"{options}\nsource('{R_ESTIMATES}')\n{design_call}\nwrite.csv(est('{case}', des), OUT, row.names = FALSE)",
        timeout=120,
    )


SEEDS = [1, 2, 3]


@pytest.mark.parametrize("seed", SEEDS)
def test_stratified_cluster_fpc_sizes_weights(tmp_path, seed):
    frame = random_sample(np.random.default_rng(seed))
    design = Design(frame, weights="w", strata="h", psu="psu", fpc="N1")
    r = _run_r(tmp_path, frame, "des <- svydesign(id=~psu, strata=~h, weights=~w, fpc=~N1, nest=TRUE, data=d)", "strat")
    compare(python_estimates("strat", design), r)


@pytest.mark.parametrize("seed", SEEDS)
def test_stratified_cluster_fpc_fractions_no_weights(tmp_path, seed):
    frame = random_sample(np.random.default_rng(100 + seed), fractions=True)
    design = Design(frame, strata="h", psu="psu", fpc="f1")
    r = _run_r(tmp_path, frame, "des <- svydesign(id=~psu, strata=~h, fpc=~f1, nest=TRUE, data=d)", "frac")
    compare(python_estimates("frac", design), r)


@pytest.mark.parametrize("seed", SEEDS)
def test_two_stage_with_both_fpcs(tmp_path, seed):
    frame = random_sample(np.random.default_rng(200 + seed), two_stage=True)
    design = Design(frame, strata="h", psu="psu", ssu="ssu", fpc="N1", fpc2="N2")
    r = _run_r(tmp_path, frame, "des <- svydesign(id=~psu+ssu, strata=~h, fpc=~N1+N2, nest=TRUE, data=d)", "two")
    compare(python_estimates("two", design), r)


def test_single_ssu_at_stage_two_fails_like_r():
    frame = random_sample(np.random.default_rng(202), two_stage=True)
    lonely = (frame["psu"] == 0) & (frame["h"] == "s0") & (frame["ssu"] > 0)  # PSU 0 keeps one SSU
    frame = frame[~lonely].assign(N2=lambda f: f["N2"].clip(lower=2))
    with pytest.raises(ValueError, match="only one PSU at stage 2"):
        Design(frame, strata="h", psu="psu", ssu="ssu", fpc="N1", fpc2="N2").mean("y")


@pytest.mark.parametrize("option", ["adjust", "average", "remove", "certainty"])
def test_with_replacement_clusters_and_lonely_psu_options(tmp_path, option):
    frame = random_sample(np.random.default_rng(300), lonely=True)
    design = Design(frame, weights="w", strata="h", psu="psu", lonely_psu=option)
    r = _run_r(
        tmp_path,
        frame,
        "des <- svydesign(id=~psu, strata=~h, weights=~w, nest=TRUE, data=d)",
        "lonely",
        options=f"options(survey.lonely.psu = '{option}')",
    )
    compare(python_estimates("lonely", design), r)


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
    r = _run_r(tmp_path, frame, base_r + f"des <- postStratify(base, ~cat, {_r_frame('cat', margins['cat'])})", "post")
    compare(python_estimates("post", post), r)

    raked = base.rake(margins)
    r = _run_r(
        tmp_path,
        frame,
        base_r + f"des <- rake(base, list(~cat, ~grp), list({_r_frame('cat', margins['cat'])}, "
        f"{_r_frame('grp', margins['grp'])}))",
        "rake",
    )
    compare(python_estimates("rake", raked), r)

    cal = base.calibrate({"cat": margins["cat"], "x": x_total})
    cat = margins["cat"]
    pop = f"c(`(Intercept)` = {sum(cat.values())!r}, catb = {cat['b']!r}, catc = {cat['c']!r}, x = {x_total!r})"
    r = _run_r(tmp_path, frame, base_r + f"des <- calibrate(base, ~cat + x, {pop}, calfun = 'linear')", "cal")
    compare(python_estimates("cal", cal), r)
    assert cal.weights.groupby(frame["cat"]).sum().to_dict() == pytest.approx(cat)
