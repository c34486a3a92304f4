"""Demo patent survey (演示用专利调查数据, synthetic): a sample from the demo register with simulated answers.

Every valid patent of the frame gets simulated answers first (``data/demo_response_model.csv``:
logit terms per factor level plus a patentee random effect), so the true finite-population rates are
known; then a two-stage stratified sample is drawn (:func:`ipstats.survey.weighting.draw_sample`),
patentees respond or not (response depends on patentee type only: missing at random within the
response cells), and nonrespondents' answers are blanked. Nothing here is a published statistic.

The frame is on the basis the demo bulletin uses (:mod:`ipstats.survey.weighting`, "Frame basis"): each patent
belongs to its patentee on 31 December of the survey year from the demo legal events beside the register
(written first by :mod:`ipstats.transfer.demo`), so the sample's strata, weights and the calibration totals
agree; without those events, to its first applicant.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ipstats.register.demo import demo_file_if_missing
from ipstats.survey.indicators import REPORT_TABLES, population_table
from ipstats.survey.weighting import ANSWERS, SurveyDesign, draw_sample, frame_counts, survey_frame
from ipstats.transfer.demo import DEMO_FILES as EVENT_FILES

__all__ = [
    "BESIDE_REGISTER",
    "SURVEY_FILES",
    "demo_events",
    "demo_if_missing",
    "simulate_answers",
    "simulate_response",
    "write_demo",
]

#: Fixed file names written by :func:`write_demo`.
SURVEY_FILES = {"survey_sample": "survey_sample.csv", "survey_truth": "survey_truth.csv"}
NOT_ENTERPRISE = "非企业"
#: Default legal events of the demo: the demo file of that name beside the register.
BESIDE_REGISTER = EVENT_FILES["patent_legal_events"]


@lru_cache(maxsize=1)
def response_model() -> pd.DataFrame:
    """The demo's simulation model (see ``data/README.md``)."""
    return pd.read_csv(Path(__file__).parent / "data" / "demo_response_model.csv", dtype={"level": str})


def _logit(frame: pd.DataFrame, outcome: str) -> np.ndarray:
    model = response_model()
    terms = model[model["outcome"] == outcome]
    total = np.zeros(len(frame))
    for factor, part in terms.groupby("factor"):
        total += frame[factor].map(part.set_index("level")["logit"]).fillna(0.0).to_numpy()
    return total


def _shares(outcome: str) -> tuple[np.ndarray, np.ndarray]:
    model = response_model()
    part = model[model["outcome"] == outcome]
    return part["level"].to_numpy(), part["logit"].to_numpy(float)


def simulate_answers(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Answers for every frame patent: enterprise size and high-tech status per patentee, outcomes per patent."""
    out = frame.copy()
    patentees = out[["patentee", "applicant_type"]].drop_duplicates("patentee").reset_index(drop=True)
    enterprise = patentees["applicant_type"] == "企业"
    levels, shares = _shares("enterprise_size")
    patentees["enterprise_size"] = np.where(enterprise, rng.choice(levels, len(patentees), p=shares), NOT_ENTERPRISE)
    levels, shares = _shares("high_tech")
    patentees["high_tech"] = np.where(
        enterprise, np.where(rng.random(len(patentees)) < shares[0], "是", "否"), NOT_ENTERPRISE
    )
    patentees["effect"] = rng.normal(0.0, 0.8, len(patentees))
    out = out.merge(patentees.drop(columns="applicant_type"), on="patentee", how="left")

    def draw(logit):
        return (rng.random(len(out)) < 1 / (1 + np.exp(-logit))).astype(int)

    out["implemented"] = draw(_logit(out, "implemented") + out["effect"])
    out["industrialized"] = out["implemented"] * draw(_logit(out, "industrialized") + 0.5 * out["effect"])
    out["licensed"] = draw(_logit(out, "licensed") + 0.5 * out["effect"])
    out["transferred"] = draw(_logit(out, "transferred"))
    levels, shares = _shares("revenue_band")
    big = out["enterprise_size"].isin(["大型", "中型"]).to_numpy()
    band = np.where(
        big,
        rng.choice(levels, len(out), p=np.r_[shares[:2] * 0.5, shares[2:]] / np.r_[shares[:2] * 0.5, shares[2:]].sum()),
        rng.choice(levels, len(out), p=shares),
    ).astype(int)
    out["revenue_band"] = np.where(out["industrialized"] == 1, band, 0)
    return out.drop(columns="effect")


def simulate_response(sample: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Patentees respond or not (logit by patentee type); nonrespondents' answers are blanked."""
    keys = sample[["stratum", "patentee", "applicant_type"]].drop_duplicates(["stratum", "patentee"])
    p = 1 / (1 + np.exp(-_logit(keys, "respond")))
    keys = keys.assign(responded=rng.random(len(keys)) < p)
    out = sample.merge(keys[["stratum", "patentee", "responded"]], on=["stratum", "patentee"], how="left")
    for column in ANSWERS:
        if column in out.columns:
            out[column] = out[column].where(out["responded"])
    return out


def demo_events(register: str | Path, legal_events: str | Path | None = BESIDE_REGISTER) -> Path | None:
    """The legal events the demo frames by: a bare file name is looked up beside *register* (None when it is
    not there: the first applicant); None or ``""`` is the first applicant; another path is used as it is."""
    if legal_events is None or not str(legal_events).strip():
        return None
    path = Path(legal_events)
    if path.name == str(legal_events):
        beside = Path(register).parent / path
        return beside if beside.is_file() else None
    return path


def write_demo(
    register: str | Path,
    out: str | Path,
    seed: int = 2024,
    year: int = 2023,
    design: SurveyDesign = SurveyDesign(),
    legal_events: str | Path | None = BESIDE_REGISTER,
) -> dict[str, Path]:
    """Write the demo survey sample and the true population values into *out*.

    Parameters
    ----------
    register : path
        The (demo) register: the survey frame is its valid patents at 31 December *year*.
    out : path
        Folder to write ``survey_sample.csv`` and ``survey_truth.csv`` into.
    seed : int
        Seed of answers, sample and response; the same inputs give the same files.
    year : int
        Survey year.
    design : SurveyDesign
        The sample design.
    legal_events : path, optional
        The frame basis (:func:`demo_events`): by default the demo legal events beside *register*
        (``patent_legal_events.csv``), patents framed by their patentee on 31 December *year*; None or ``""``
        frames by the first applicant. Estimate with the same basis (``legal_events`` of
        :func:`ipstats.survey.weighting.register_totals`).

    Returns
    -------
    dict
        ``survey_sample`` and ``survey_truth`` paths.
    """
    rng = np.random.default_rng(seed)
    frame = frame_counts(survey_frame(register, year, demo_events(register, legal_events)), design)
    population = simulate_answers(frame, rng)
    sample = simulate_response(draw_sample(population, design, rng), rng)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / file for name, file in SURVEY_FILES.items()}
    columns = [
        "application_number",
        "patent_type",
        "patentee",
        "applicant_type",
        "province_code",
        "region",
        "stratum",
        "patentees_in_stratum",
        "patents_in_psu",
        "base_weight",
        "responded",
        *ANSWERS,
    ]
    sample = sample[columns].copy()
    for column in ANSWERS[2:]:
        sample[column] = sample[column].astype("Int64")
    sample.to_csv(paths["survey_sample"], index=False, encoding="utf-8")
    truth = pd.concat([population_table(population, t).assign(table=t.name) for t in REPORT_TABLES], ignore_index=True)
    truth.assign(year=year, seed=seed)[["table", "level", "indicator", "truth", "year", "seed"]].to_csv(
        paths["survey_truth"], index=False, encoding="utf-8"
    )
    return paths


def demo_if_missing(
    survey_sample: str | Path,
    register: str | Path,
    year: int = 2023,
    design: SurveyDesign = SurveyDesign(),
    legal_events: str | Path | None = BESIDE_REGISTER,
) -> None:
    """Write the demo survey beside *survey_sample* when it is missing, only in a ``demo``/``ci`` folder.

    A mistyped path to real survey data is reported as missing instead of being replaced by synthetic data.
    *legal_events* is the frame basis of :func:`write_demo`.
    """
    demo_file_if_missing(
        survey_sample,
        SURVEY_FILES["survey_sample"],
        "survey sample",
        lambda folder: write_demo(register, folder, year=year, design=design, legal_events=legal_events),
    )
