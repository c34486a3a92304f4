"""Streamed demo survey: a register above STREAM_BLOCK has its frame aggregated and read block by block."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ipstats.engines.duck import connect
from ipstats.register import demo as register_demo
from ipstats.register.io import open_register
from ipstats.survey import demo as survey_demo
from ipstats.survey.indicators import REPORT_TABLES, population_table
from ipstats.survey.weighting import (
    TAKE_ALL,
    SurveyDesign,
    frame_counts,
    frame_view,
    read_sample,
    survey_frame,
)
from ipstats.transfer.demo import write_demo as write_events
from ipstats.validate import validate_file

BLOCK = 5_000
PATENTS = 20_000
YEAR = 2023
SEED = 5
DESIGN = SurveyDesign()


def _truth(path) -> pd.DataFrame:
    return pd.read_csv(path).set_index(["table", "level", "indicator"])["truth"]


@pytest.fixture(scope="module")
def streamed(tmp_path_factory) -> dict:
    """A four-block register with its legal events; the survey streamed twice with one seed, once with another,
    and drawn in one piece. The streamed runs may not build the frame in memory (``survey_frame`` fails)."""
    root = tmp_path_factory.mktemp("survey_stream")

    def whole_frame(*args, **kwargs):
        raise AssertionError("the streamed path built the whole frame")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(register_demo, "STREAM_BLOCK", BLOCK)
        register = register_demo.write_demo_data(root / "demo", patents=PATENTS, seed=SEED, domains=False)["register"]
        events = write_events(register, register.parent, seed=3)["patent_legal_events"]
        mp.setattr(survey_demo, "survey_frame", whole_frame)
        runs = {name: survey_demo.write_demo(register, root / name, seed=seed) for name, seed in (("a", 7), ("b", 7))}
        runs["other_seed"] = survey_demo.write_demo(register, root / "other_seed", seed=8)
        blocks = list(survey_demo.stream_population(register, 7, YEAR, DESIGN, events))
    runs["whole"] = survey_demo.write_demo(register, root / "whole", seed=7)
    frame = frame_counts(survey_frame(register, YEAR, events), DESIGN)
    return {"register": register, "events": events, "runs": runs, "blocks": blocks, "frame": frame}


@pytest.fixture(scope="module")
def sample(streamed) -> pd.DataFrame:
    return read_sample(streamed["runs"]["a"]["survey_sample"])


def test_frame_view_holds_the_survey_frame(streamed):
    con = open_register(streamed["register"], con=connect())
    view = frame_view(con, streamed["register"], YEAR, streamed["events"])
    rows = con.sql(f"SELECT * FROM {view} ORDER BY application_number").df()
    pd.testing.assert_frame_equal(rows, survey_frame(streamed["register"], YEAR, streamed["events"]))


def test_streamed_files_validate_and_read(streamed, sample):
    for name in ("survey_sample", "survey_truth"):
        report = validate_file(streamed["runs"]["a"][name], name)
        assert report.ok, report.lines()[:3]
    assert sample["responded"].any() and not sample["responded"].all()
    assert not sample["application_number"].duplicated().any()


def test_streamed_survey_is_deterministic(streamed):
    runs = streamed["runs"]
    for name in ("survey_sample", "survey_truth"):
        assert runs["a"][name].read_bytes() == runs["b"][name].read_bytes()
        assert runs["a"][name].read_bytes() != runs["other_seed"][name].read_bytes()
        assert runs["a"][name].read_bytes() != runs["whole"][name].read_bytes()


def test_sample_carries_the_whole_frames_counts(streamed, sample):
    frame = streamed["frame"].set_index("application_number")
    columns = ["patentee", "applicant_type", "province_code", "region", "stratum"]
    drawn = frame.loc[sample["application_number"]]
    for column in columns:
        assert sample[column].tolist() == drawn[column].astype(str).tolist(), column
    for column in ("patentees_in_stratum", "patents_in_psu"):
        assert sample[column].tolist() == drawn[column].tolist(), column


def test_two_stage_design_identities(streamed, sample):
    frame = streamed["frame"]
    psus = sample.groupby(["stratum", "patentee"]).agg(
        m=("application_number", "size"),
        M=("patents_in_psu", "first"),
        N=("patentees_in_stratum", "first"),
        weight=("base_weight", "sum"),
    )
    assert (psus["m"] == np.minimum(psus["M"], DESIGN.patents_per_psu)).all()  # stage 2: m_i = min(M_i, 4)
    n_h = psus.groupby("stratum").size()
    frame_psus = frame.drop_duplicates(["stratum", "patentee"])
    big_n = frame_psus.groupby("stratum").size()
    fraction = (
        frame_psus["applicant_type"]
        .map(DESIGN.type_fractions)
        .fillna(DESIGN.psu_fraction)
        .groupby(frame_psus["stratum"])
        .max()
    )
    expected = np.minimum(big_n, np.maximum(DESIGN.min_psu, np.round(fraction * big_n)))
    expected = expected.where(~big_n.index.str.endswith(TAKE_ALL), big_n)
    assert n_h.to_dict() == expected.astype(int).to_dict()  # stage 1 in every stratum of the whole frame
    # every PSU's base weights add up to N_h/n_h · M_i; over the sample, weight/M_i adds up to the frame's PSUs
    stage1 = psus["N"] / psus.index.get_level_values("stratum").map(n_h).to_numpy()
    assert psus["weight"].to_numpy() == pytest.approx((stage1 * psus["M"]).to_numpy(), rel=1e-12)
    assert (sample["base_weight"] / sample["patents_in_psu"]).sum() == pytest.approx(len(frame_psus), rel=1e-12)
    take_all = sample["stratum"].str.endswith(TAKE_ALL)
    assert sample.loc[take_all, "base_weight"].sum() == pytest.approx(frame["stratum"].str.endswith(TAKE_ALL).sum())
    assert sample["base_weight"].sum() == pytest.approx(len(frame), rel=0.1)  # unbiased for the frame size


def test_streamed_population_is_the_frame_in_blocks(streamed, sample):
    blocks = streamed["blocks"]
    assert [len(b) for b in blocks[:-1]] == [BLOCK] * (len(blocks) - 1) and 0 < len(blocks[-1]) <= BLOCK
    population = pd.concat(blocks, ignore_index=True)
    frame = streamed["frame"]
    assert population["application_number"].tolist() == frame["application_number"].tolist()
    columns = ["patentee", "stratum", "patentees_in_stratum", "patents_in_psu"]
    pd.testing.assert_frame_equal(population[columns], frame[columns], check_dtype=False)
    assert population.groupby("psu")["selected"].nunique().eq(1).all()
    assert population.groupby("patentee")[["enterprise_size", "high_tech"]].nunique().eq(1).all().all()
    selected = population.loc[population["selected"], "application_number"]
    assert set(sample["application_number"]) <= set(selected)


def test_streamed_truth_is_the_population_value(streamed):
    population = pd.concat(streamed["blocks"], ignore_index=True).drop(columns=["psu", "selected"])
    expected = pd.concat([population_table(population, t).assign(table=t.name) for t in REPORT_TABLES])
    expected = expected.set_index(["table", "level", "indicator"])["truth"]
    truth = _truth(streamed["runs"]["a"]["survey_truth"])
    assert truth.index.tolist() == expected.index.tolist()
    rates = truth.index.get_level_values("indicator") != "average_revenue"
    assert truth[rates].tolist() == expected[rates].tolist()  # sums of 0/1 answers: exact
    assert truth[~rates].to_numpy() == pytest.approx(expected[~rates].to_numpy(), rel=1e-12)


def test_streamed_truth_is_near_the_one_piece_truth(streamed):
    """Another draw of the same model: the same rows, the national rates within a few points."""
    runs = streamed["runs"]
    truth, whole = _truth(runs["a"]["survey_truth"]), _truth(runs["whole"]["survey_truth"])
    assert truth.index.tolist() == whole.index.tolist()
    table, level, indicator = (truth.index.get_level_values(n) for n in ("table", "level", "indicator"))
    national = (table == "survey_by_patent_type") & (level == "合计")
    assert truth[national].to_numpy() == pytest.approx(whole[national].to_numpy(), abs=3.0)  # percentage points
    revenue = truth[indicator == "average_revenue"]
    assert revenue.gt(0).all() and np.isfinite(revenue).all()
