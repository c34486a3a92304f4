"""The survey workflow on the demo register: weights, calibration, indicators, flags, coverage of the CIs."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from ipstats.survey.demo import demo_if_missing, simulate_answers, simulate_response, write_demo
from ipstats.survey.indicators import (
    CAUTION,
    REPORT_TABLES,
    SUPPRESS,
    QualityRules,
    estimate_table,
    publish,
    quality_flag,
    report_tables,
    survey_summary,
)
from ipstats.survey.weighting import (
    SurveyDesign,
    adjust_nonresponse,
    calibration_margins,
    draw_sample,
    frame_counts,
    merge_small_cells,
    read_sample,
    register_totals,
    survey_frame,
    weight_survey,
)

YEAR = 2023


@pytest.fixture(scope="module")
def demo_survey(small_demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("survey_demo")
    paths = write_demo(small_demo["register"], out, seed=7, year=YEAR)
    return {"register": small_demo["register"], **paths}


@pytest.fixture(scope="module")
def weighted(demo_survey):
    sample = read_sample(demo_survey["survey_sample"])
    totals = register_totals(demo_survey["register"], YEAR)
    return sample, totals, weight_survey(sample, totals, SurveyDesign(min_respondents=10))


def test_demo_is_deterministic(demo_survey, tmp_path):
    again = write_demo(demo_survey["register"], tmp_path, seed=7, year=YEAR)
    for name in ("survey_sample", "survey_truth"):
        assert again[name].read_bytes() == demo_survey[name].read_bytes()


def test_demo_if_missing_guards_real_folders(demo_survey, tmp_path):
    with pytest.raises(FileNotFoundError, match="survey sample file not found"):
        demo_if_missing(tmp_path / "real" / "survey_sample.csv", demo_survey["register"])
    target = tmp_path / "demo" / "survey_sample.csv"
    demo_if_missing(target, demo_survey["register"], year=YEAR)
    assert target.exists() and (tmp_path / "demo" / "survey_truth.csv").exists()


def test_base_weights_estimate_the_frame_size(demo_survey):
    frame = survey_frame(demo_survey["register"], YEAR)
    sample = read_sample(demo_survey["survey_sample"])
    assert sample["base_weight"].sum() == pytest.approx(len(frame), rel=0.25)
    assert set(sample["application_number"]) <= set(frame["application_number"])


def test_nonresponse_adjustment_keeps_cell_weight_totals(demo_survey):
    sample = read_sample(demo_survey["survey_sample"])
    respondents = adjust_nonresponse(sample)
    assert respondents["responded"].all()
    assert respondents["nr_weight"].sum() == pytest.approx(sample["base_weight"].sum())
    assert (respondents["nr_factor"] >= 1).all()


def test_calibration_meets_register_totals(weighted):
    sample, totals, design = weighted
    assert design.weights.sum() == pytest.approx(totals["valid_patents"].sum(), rel=1e-6)
    by_type = design.weights.groupby(design.data["patent_type"]).sum()
    expected = totals.groupby("patent_type")["valid_patents"].sum()
    assert by_type.to_dict() == pytest.approx(expected.to_dict(), rel=1e-6)
    assert (design.weights > 0).all()


def test_linear_calibration_also_meets_margins(weighted):
    sample, totals, _ = weighted
    respondents = adjust_nonresponse(sample)
    margins, with_cells = calibration_margins(totals, respondents, 10)
    for column, counts in margins.items():
        assert set(with_cells[column]) == set(counts)
    try:
        linear = weight_survey(sample, totals, SurveyDesign(min_respondents=10), method="linear")
    except ValueError as error:  # negative weights are refused, not published
        assert "non-positive weights" in str(error)
    else:
        assert linear.weights.sum() == pytest.approx(totals["valid_patents"].sum(), rel=1e-6)


def test_merge_small_cells_within_groups():
    counts = pd.Series({"a": 2, "b": 3, "c": 50, "d": 1, "e": 40})
    groups = pd.Series({"a": "x", "b": "x", "c": "x", "d": "y", "e": "y"})
    mapping = merge_small_cells(counts, groups, 5)
    assert mapping["a"] == mapping["b"] == "a+b" and mapping["c"] == "c"  # 2 + 3 reaches 5
    assert mapping["d"] == mapping["e"] == "d+e"  # never across groups
    assert merge_small_cells(counts, groups, 60)["c"] == "a+b+c"


def test_quality_flags_of_an_estimate_table():
    """Rates by the NCHS rules (interval widths, n_eff), the average revenue by its CV (rule branches: test_quality)."""
    est = pd.DataFrame(
        {
            "indicator": ["licensing_rate", "licensing_rate", "licensing_rate", "average_revenue", "average_revenue"],
            "estimate": [3.9, 3.9, 3.9, 100.0, 100.0],
            "se": [0.92, 0.92, 0.92, 20.0, 35.0],
            "ci_low": [2.3, 2.3, 2.3, 60.0, 30.0],
            "ci_high": [6.0, 6.0, 6.0, 140.0, 170.0],
            "cv_pct": [23.6, 23.6, 23.6, 20.0, 35.0],
            "n": [419, 419, 20, 100, 100],
            "n_eff": [419, 20, 20, 100, 100],
            "df": [50, 50, 50, 50, 50],
        }
    )
    assert quality_flag(est).tolist() == ["", SUPPRESS, SUPPRESS, CAUTION, SUPPRESS]
    assert quality_flag(est, QualityRules(caution_cv=25)).tolist()[3] == ""


def test_indicator_tables_and_disclosure(weighted):
    _, _, design = weighted
    table = REPORT_TABLES[1]
    estimates = estimate_table(design, table)
    assert {"合计", "企业"} <= set(estimates["level"])
    published, record = publish(estimates, disclosure={"min_contributors": 1000})
    assert (published["flag"] == "保密").all() and published["estimate"].isna().all()
    assert record["primary"] == len(published)
    published, _ = publish(estimates)
    shown = published[published["flag"] == ""]
    width = (shown["ci_high"] - shown["ci_low"]) / 100
    assert (shown["n_eff"] >= 30).all() and (shown["n"] >= 30).all() and (width < 0.30).all()
    assert shown["estimate"].between(0, 100).all() and (shown["ci_low"] >= 0).all() and (shown["ci_high"] <= 100).all()
    assert (shown["df"] >= 8).all()


def test_summary_quotes_flagged_estimates_only_with_their_caveat(weighted):
    _, _, design = weighted
    tables = report_tables(design)
    text = survey_summary(tables, YEAR, demo=True)
    assert "演示数据" in text
    assert text.startswith(f"{YEAR}年全国专利调查")  # a national sample: said so, also in a provincial bulletin
    for name, (published, _) in tables.items():
        for row in published.itertuples():
            if pd.isna(row.estimate):
                continue
            quoted = f"为{row.estimate:.1f}"
            if row.flag == CAUTION and quoted + ("%" if row.indicator != "average_revenue" else "万元") in text:
                start = text.index(quoted)
                assert "仅供参考" in text[start : start + 80]
    hidden = tables["survey_by_patent_type"][0]
    hidden = hidden.assign(estimate=np.nan, flag=SUPPRESS)
    text = survey_summary({**tables, "survey_by_patent_type": (hidden, {})}, YEAR, demo=False)
    assert "有效发明专利产业化率不予发布" in text


def test_confidence_intervals_cover_the_truth_about_95_percent(small_demo):
    """Repeated samples from one simulated population: the 95 % CIs cover the true rates ≈ 95 % of the time."""
    start = time.perf_counter()
    design = SurveyDesign(psu_fraction=0.25, min_psu=3, min_respondents=10)
    rng = np.random.default_rng(99)
    population = simulate_answers(frame_counts(survey_frame(small_demo["register"], YEAR), design), rng)
    totals = register_totals(small_demo["register"], YEAR)
    truth = {v: population[v].mean() * 100 for v in ("implemented", "industrialized", "licensed")}
    hits, trials = 0, 0
    for _ in range(80):
        sample = simulate_response(draw_sample(population, design, rng), rng)
        survey = weight_survey(sample, totals, design)
        for var, true in truth.items():
            est = survey.mean(var).iloc[0]
            hits += est["ci_low"] * 100 <= true <= est["ci_high"] * 100
            trials += 1
    coverage = hits / trials
    assert 0.90 <= coverage <= 0.985, f"coverage {coverage:.3f} over {trials} intervals"
    assert time.perf_counter() - start < 30
