"""Frozen R survey 4.1-1 values on R's own api example data (always run: the data are in tests/survey/data)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipstats.survey import Design

DATA = Path(__file__).parent / "data"


def _design(name: str) -> Design:
    frame = pd.read_csv(DATA / f"{name}.csv")
    if name == "apistrat":
        return Design(frame, weights="pw", strata="stype", fpc="fpc")
    if name == "apiclus1":
        return Design(frame, weights="pw", psu="dnum", fpc="fpc")
    return Design(frame, fpc="fpc")


REFERENCE = pd.read_csv(DATA / "r_survey_reference_values.csv")


@pytest.mark.parametrize("row", REFERENCE.to_dict("records"), ids=lambda r: f"{r['design'][:8]}-{r['call']}")
def test_frozen_r_values(row):
    design = _design(row["design"].split(":")[0])
    verb, var = row["call"].split("(~")
    result = getattr(design, verb.removeprefix("svy"))(var.rstrip(")"))
    assert result["estimate"].iloc[0] == pytest.approx(row["estimate"], rel=1e-9)
    assert result["se"].iloc[0] == pytest.approx(row["se"], rel=1e-9)


def test_naive_weighted_se_is_not_the_design_se():
    """The issue's point: statsmodels' DescrStatsW gives 1.56 (frequency weights) or 8.72 (normalised)."""
    from statsmodels.stats.weightstats import DescrStatsW

    frame = pd.read_csv(DATA / "apistrat.csv")
    y, w = frame["api00"], frame["pw"]
    assert DescrStatsW(y, weights=w).std_mean == pytest.approx(1.56, abs=0.005)
    assert DescrStatsW(y, weights=w / w.mean()).std_mean == pytest.approx(8.72, abs=0.005)
    design = _design("apistrat").mean("api00")
    assert design["se"].iloc[0] == pytest.approx(9.40894080278458, rel=1e-9)
    assert design["estimate"].iloc[0] == pytest.approx(DescrStatsW(y, weights=w).mean)


def test_srs_design_effect_is_one_and_domains_keep_full_design():
    design = _design("apisrs")
    assert design.mean("api00")["deff"].iloc[0] == pytest.approx(1.0)
    by = design.mean("api00", by="stype")
    frame = pd.read_csv(DATA / "apisrs.csv")
    subset = Design(frame[frame["stype"] == "H"], fpc="fpc").mean("api00")
    high = by.set_index("stype").loc["H"]
    assert high["estimate"] == pytest.approx(subset["estimate"].iloc[0])
    assert high["se"] != pytest.approx(subset["se"].iloc[0], rel=1e-3)  # subpopulation ≠ subset variance
    assert list(by.columns) == ["stype", "estimate", "se", "ci_low", "ci_high", "cv", "deff", "n"]


def test_lonely_psu_fails_by_default_with_the_stratum_name():
    frame = pd.read_csv(DATA / "apistrat.csv").groupby("stype").head(3)
    frame = pd.concat([frame, pd.read_csv(DATA / "apiclus1.csv").head(1).assign(stype="X")])
    with pytest.raises(ValueError, match="stratum 'X' has only one PSU"):
        Design(frame, weights="pw", strata="stype").mean("api00")
    assert np.isfinite(Design(frame, weights="pw", strata="stype", lonely_psu="remove").mean("api00")["se"]).all()


def test_fpc_errors_are_explicit():
    frame = pd.read_csv(DATA / "apisrs.csv")
    with pytest.raises(ValueError, match="more than 100 %"):
        Design(frame.assign(fpc=100), fpc="fpc")
    with pytest.raises(KeyError, match="strata column 'nope'"):
        Design(frame, strata="nope")


FROZEN = pd.read_csv(DATA / "r_survey_frozen_values.csv", keep_default_na=False, na_values=["NA"])


def _api(name: str, cat: str) -> pd.DataFrame:
    frame = pd.read_csv(DATA / f"{name}.csv")
    return frame.assign(
        y=frame["api00"], x=frame["api99"], cat=frame[cat], dom=np.where(frame["awards"] == "Yes", "d1", "d2")
    )


def _frozen_design(case: str) -> Design:
    from survey_conformance import frozen_design

    return frozen_design(
        case, _api("apistrat", "comp.imp"), _api("apiclus1", "stype"), pd.read_csv(DATA / "two_stage_sample.csv")
    )


@pytest.mark.parametrize("case", sorted(FROZEN["case"].unique()))
def test_frozen_r_domains_ratios_proportions_calibration(case):
    """Frozen R survey 4.1-1 results (data/make_frozen_values.R): estimates, SEs and design effects by domain."""
    from survey_conformance import compare, python_estimates

    expected = FROZEN[FROZEN["case"] == case].drop(columns="r_survey_version")
    compare(python_estimates(case, _frozen_design(case)), expected.copy())
