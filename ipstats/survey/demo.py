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

A register above :data:`~ipstats.register.demo.STREAM_BLOCK` applications (a national-size demo,
:func:`~ipstats.register.demo.is_streamed`) is streamed, so that the frame is never held in memory: DuckDB
aggregates the frame (:func:`ipstats.survey.weighting.frame_view`) into its PSUs, one row per stratum and
patentee with its valid patents; the patentees' answers and stage 1 are drawn on that table; the frame's patents
are then read in application-number order, block by block (:func:`stream_population`), their answers simulated,
the truth summed per domain cell and the patents of the drawn PSUs kept for stage 2 (at most
``patents_per_psu`` each). The draw differs from the one-piece draw (other random streams) but follows the same
model and design, with the whole frame's strata, ``patentees_in_stratum``, ``patents_in_psu`` and base weights, and
the truth is the exact finite-population value of the whole frame's answers.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from ipstats.register import demo as register_demo
from ipstats.register.demo import demo_file_if_missing, is_streamed
from ipstats.survey.indicators import INDICATORS, REPORT_TABLES, ReportTable, add_revenue, population_table, top_band
from ipstats.survey.weighting import (
    ANSWERS,
    SurveyDesign,
    base_weights,
    draw_psus,
    draw_sample,
    frame_counts,
    frame_view,
    join_columns,
    smallest_keys,
    survey_frame,
    take_all,
)
from ipstats.transfer.demo import DEMO_FILES as EVENT_FILES

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "BESIDE_REGISTER",
    "SURVEY_FILES",
    "demo_events",
    "demo_if_missing",
    "simulate_answers",
    "simulate_response",
    "stream_population",
    "write_demo",
]

#: Fixed file names written by :func:`write_demo`.
SURVEY_FILES = {"survey_sample": "survey_sample.csv", "survey_truth": "survey_truth.csv"}
NOT_ENTERPRISE = "非企业"
#: Default legal events of the demo: the demo file of that name beside the register.
BESIDE_REGISTER = EVENT_FILES["patent_legal_events"]
#: DuckDB memory limit of the streamed path; its sort and joins spill to a temporary folder beyond it.
STREAM_MEMORY = "1GB"
#: The random streams of the streamed path, spawned from the seed in this order.
STREAMS = ("patentees", "stage1", "patents", "stage2", "response")
#: Columns of the report tables' domains and filters: the streamed truth is summed over their cells.
DOMAINS = sorted({t.by for t in REPORT_TABLES} | {column for t in REPORT_TABLES for column, _ in t.where})
#: The cells of the streamed truth: the domains, and the answers the revenue depends on.
CELLS = [*DOMAINS, "industrialized", "revenue_band"]


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
    patentees = patentees.assign(**_patentee_answers(patentees["applicant_type"].to_numpy() == "企业", rng))
    out = out.merge(patentees.drop(columns="applicant_type"), on="patentee", how="left")
    return _patent_answers(out, rng)


def _patentee_answers(enterprise: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per patentee (*enterprise*: whether its type is 企业): ``enterprise_size``, ``high_tech`` and the random
    ``effect`` of its patents' outcomes."""
    levels, shares = _shares("enterprise_size")
    size = np.where(enterprise, rng.choice(levels, len(enterprise), p=shares), NOT_ENTERPRISE)
    levels, shares = _shares("high_tech")
    high_tech = np.where(enterprise, np.where(rng.random(len(enterprise)) < shares[0], "是", "否"), NOT_ENTERPRISE)
    return {"enterprise_size": size, "high_tech": high_tech, "effect": rng.normal(0.0, 0.8, len(enterprise))}


def _patent_answers(out: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A copy of *out* (frame patents with their patentee's answers and ``effect``) with the patent outcomes drawn,
    without ``effect``."""
    out = out.copy()

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

    A register of at most :data:`~ipstats.register.demo.STREAM_BLOCK` applications is drawn in one piece: the
    frame (:func:`~ipstats.survey.weighting.survey_frame`), its answers (:func:`simulate_answers`), the sample
    (:func:`~ipstats.survey.weighting.draw_sample`) and the response from one generator. A larger one is streamed
    (:func:`stream_population`, see the module docstring): memory is DuckDB's (at most :data:`STREAM_MEMORY`,
    spilling beyond), the PSU table (some 40 bytes a PSU, with the patentees' answers), one block of patents and
    the sample, never the frame. Stage 2 keeps, block by block, the ``patents_per_psu`` patents of smallest
    random key of each drawn PSU (:func:`~ipstats.survey.weighting.smallest_keys`, as the one-piece draw does in
    one go); the truth is summed over the domain cells of every block (:data:`CELLS`) and the open revenue band
    is valued on the whole frame's band counts, as :func:`~ipstats.survey.indicators.population_table` does.
    The legal events themselves are still read and checked against the register in one piece
    (:func:`ipstats.transfer.events.read_legal_events`, by :func:`~ipstats.survey.weighting.survey_population`).

    Parameters
    ----------
    register : path
        The (demo) register: the survey frame is its valid patents at 31 December *year*.
    out : path
        Folder to write ``survey_sample.csv`` and ``survey_truth.csv`` into.
    seed : int
        Seed of answers, sample and response; the same inputs give the same files (for a streamed register, the
        same :data:`~ipstats.register.demo.STREAM_BLOCK` too: its blocks are drawn one after the other).
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
    events = demo_events(register, legal_events)
    if is_streamed(register):
        sample, truth = _streamed_survey(register, seed, year, design, events)
    else:
        sample, truth = _whole_survey(register, seed, year, design, events)
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
    truth.assign(year=year, seed=seed)[["table", "level", "indicator", "truth", "year", "seed"]].to_csv(
        paths["survey_truth"], index=False, encoding="utf-8"
    )
    return paths


def _whole_survey(
    register: str | Path, seed: int, year: int, design: SurveyDesign, events: Path | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sample (with response) and the truth table drawn in one piece from one generator."""
    rng = np.random.default_rng(seed)
    population = simulate_answers(frame_counts(survey_frame(register, year, events), design), rng)
    sample = simulate_response(draw_sample(population, design, rng), rng)
    truth = pd.concat([population_table(population, t).assign(table=t.name) for t in REPORT_TABLES], ignore_index=True)
    return sample, truth


def _streamed_survey(
    register: str | Path, seed: int, year: int, design: SurveyDesign, events: Path | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sample (with response) and the truth table of the streamed path (:func:`write_demo`)."""
    rngs = _stream_rngs(seed)
    cells, kept = [], []
    for block in stream_population(register, seed, year, design, events):
        cells.append(_cell_totals(block))
        drawn = block[block["selected"]]
        kept = _prune([*kept, drawn.assign(key=rngs["stage2"].random(len(drawn)))], design.patents_per_psu)
    sample = smallest_keys(pd.concat(kept, ignore_index=True), ["stratum", "patentee"], design.patents_per_psu)
    sample = base_weights(sample.drop(columns=["key", "psu", "selected"]))
    return simulate_response(sample, rngs["response"]), _truth(cells)


def _prune(pieces: list[pd.DataFrame], n: int) -> list[pd.DataFrame]:
    """The rows of *pieces* (stage-2 candidates with ``psu`` and ``key``) among the *n* smallest keys of their PSU
    over all pieces (:func:`~ipstats.survey.weighting.smallest_keys`); a piece is copied only when it loses rows."""
    keys = pd.concat([piece[["psu", "key"]] for piece in pieces], ignore_index=True)
    keep = np.zeros(len(keys), dtype=bool)
    keep[smallest_keys(keys, ["psu"], n).index] = True
    parts = np.split(keep, np.cumsum([len(piece) for piece in pieces])[:-1])
    return [piece if part.all() else piece[part] for piece, part in zip(pieces, parts) if part.any()]


def stream_population(
    register: str | Path,
    seed: int = 2024,
    year: int = 2023,
    design: SurveyDesign = SurveyDesign(),
    legal_events: str | Path | None = None,
) -> Iterator[pd.DataFrame]:
    """The streamed path's simulated frame, block by block, with stage 1 drawn: what :func:`write_demo` reads.

    DuckDB (memory :data:`STREAM_MEMORY`, spilling to a temporary folder) aggregates the frame
    (:func:`~ipstats.survey.weighting.frame_view`) into its PSUs: one row per patentee and stratum columns with its
    valid patents, the type of its first patent (by application number) and whether the patentee's first patent is
    a firm's (企业). The strata (:func:`~ipstats.survey.weighting.take_all`), ``patentees_in_stratum`` and
    ``patents_in_psu`` follow from that table as :func:`~ipstats.survey.weighting.frame_counts` has them; the
    patentees' answers are drawn on it (patentees in the order of their first patent) and stage 1 on the PSUs
    (:func:`~ipstats.survey.weighting.draw_psus`, PSUs in the order of their first patent). The frame's patents are
    then read in application-number order, in blocks of :data:`~ipstats.register.demo.STREAM_BLOCK`, and their
    outcomes drawn as :func:`simulate_answers` draws them. Each of the three draws has its own generator spawned
    from *seed* (:data:`STREAMS`), so the blocks depend on the seed and the block size only.

    Parameters
    ----------
    register : path
        The register.
    seed : int
        Seed of the streams.
    year : int
        Survey year.
    design : SurveyDesign
        Strata, sampling fractions and take-all threshold.
    legal_events : path, optional
        The frame basis, as for :func:`~ipstats.survey.weighting.survey_frame` (here a path, or None for the
        first applicant).

    Yields
    ------
    pandas.DataFrame
        The columns of :func:`simulate_answers` on :func:`~ipstats.survey.weighting.frame_counts`, plus ``psu``
        (the PSU's number) and ``selected`` (its PSU was drawn at stage 1).
    """
    rngs = _stream_rngs(seed)
    with _stream_connection(register) as con:
        frame = frame_view(con, register, year, legal_events)
        psus, enterprise = _psu_table(con, frame, design)
        answers = _patentee_answers(enterprise, rngs["patentees"])
        selected = np.zeros(len(psus), dtype=bool)
        selected[draw_psus(psus, design, rngs["stage1"])["psu"].to_numpy()] = True
        codes, labels = psus["stratum"].cat.codes.to_numpy(), psus["stratum"].cat.categories.to_numpy()
        pid, in_stratum, in_psu = (psus[c].to_numpy() for c in ("pid", "patentees_in_stratum", "patents"))
        del psus
        strata = " AND ".join(f"f.{c} IS NOT DISTINCT FROM c.{c}" for c in design.strata)
        reader = con.sql(
            "SELECT f.application_number, f.patent_type, f.patentee, f.applicant_type, f.province_code, f.region, "
            f"k.psu FROM {frame} f JOIN _survey_combinations c ON {strata} JOIN _survey_psu_keys k "
            "ON f.patentee IS NOT DISTINCT FROM k.patentee AND c.combination = k.combination "
            "ORDER BY f.application_number"
        ).to_arrow_reader(register_demo.STREAM_BLOCK)
        for block in _blocks(reader, register_demo.STREAM_BLOCK):
            psu = block.pop("psu").to_numpy()
            block = block.assign(
                stratum=labels[codes[psu]],
                patentees_in_stratum=in_stratum[psu],
                patents_in_psu=in_psu[psu],
                **{column: values[pid[psu]] for column, values in answers.items()},
            )
            yield _patent_answers(block, rngs["patents"]).assign(psu=psu, selected=selected[psu])


def _stream_rngs(seed: int) -> dict[str, np.random.Generator]:
    """One generator per stream of :data:`STREAMS`, spawned from *seed*."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}


@contextmanager
def _stream_connection(register: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """:func:`~ipstats.register.io.open_register` on a connection limited to :data:`STREAM_MEMORY` that spills
    into a temporary folder (removed afterwards)."""
    from ipstats.engines.duck import connect
    from ipstats.engines.sql import sql_text
    from ipstats.register.io import open_register

    with tempfile.TemporaryDirectory(prefix="ipstats-survey-") as spill:
        con = connect(memory=STREAM_MEMORY)
        try:
            con.execute(f"SET temp_directory = {sql_text(spill)}")
            yield open_register(register, con=con)
        finally:
            con.close()


def _psu_table(con: duckdb.DuckDBPyConnection, frame: str, design: SurveyDesign) -> tuple[pd.DataFrame, np.ndarray]:
    """The frame's PSUs (numbered by their first patent) and the patentees' types.

    Only numbers leave DuckDB per PSU (the strata columns and patentee types as codes of their distinct values),
    so the table costs some 40 bytes a PSU. Left in DuckDB for the stream: ``_survey_combinations`` (the strata
    columns' distinct values, numbered) and ``_survey_psu_keys`` (``patentee``, ``combination``, ``psu``).

    Returns
    -------
    psus : pandas.DataFrame
        Per PSU (row *k* is PSU *k*): ``psu``, ``pid`` (its patentee, numbered by the patentee's first patent),
        ``patents`` (its valid patents), ``applicant_type`` (of its first patent), ``stratum`` (both categorical)
        and ``patentees_in_stratum``.
    enterprise : numpy.ndarray
        Per patentee number: whether its first patent's type is 企业 (:func:`simulate_answers`' rule).
    """
    strata = ", ".join(design.strata)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _survey_psus AS SELECT "
        "CAST(row_number() OVER (ORDER BY first_number) - 1 AS INTEGER) AS psu, "
        "CAST(dense_rank() OVER (ORDER BY patentee_first) - 1 AS INTEGER) AS pid, "
        f"CAST(dense_rank() OVER (ORDER BY {strata}) - 1 AS INTEGER) AS combination, "
        "CAST(dense_rank() OVER (ORDER BY psu_type) - 1 AS INTEGER) AS type_code, "
        "* EXCLUDE (first_number, patentee_first) FROM ("
        "SELECT *, min(first_number) OVER (PARTITION BY patentee) AS patentee_first, "
        "coalesce(arg_min(psu_type, first_number) OVER (PARTITION BY patentee) = '企业', false) AS enterprise FROM ("
        f"SELECT patentee, {strata}, CAST(count(*) AS INTEGER) AS patents, min(application_number) AS first_number, "
        f"arg_min(applicant_type, application_number) AS psu_type FROM {frame} GROUP BY patentee, {strata}))"
    )
    columns = con.sql(
        "SELECT pid, combination, type_code, patents, enterprise FROM _survey_psus ORDER BY psu"
    ).fetchnumpy()
    types = con.sql("SELECT DISTINCT type_code, psu_type FROM _survey_psus ORDER BY type_code").df()["psu_type"]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _survey_combinations AS SELECT DISTINCT combination, {strata} FROM _survey_psus"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _survey_psu_keys AS SELECT patentee, combination, psu FROM _survey_psus; "
        "DROP TABLE _survey_psus"
    )
    combinations = con.sql("SELECT * FROM _survey_combinations ORDER BY combination").df()
    pid, patents = columns["pid"], columns["patents"]
    enterprise = np.zeros(int(pid.max()) + 1, dtype=bool)
    enterprise[pid] = columns["enterprise"]
    codes, labels = _stratum_codes(columns["combination"], patents, combinations, design)
    psus = pd.DataFrame(
        {
            "psu": np.arange(len(pid), dtype=np.int32),
            "pid": pid,
            "patents": patents,
            "applicant_type": pd.Categorical.from_codes(columns["type_code"], types),
            "stratum": pd.Categorical.from_codes(codes, labels),
            "patentees_in_stratum": np.bincount(codes)[codes],
        }
    )
    return psus, enterprise


def _stratum_codes(
    combination: np.ndarray, patents: np.ndarray, combinations: pd.DataFrame, design: SurveyDesign
) -> tuple[np.ndarray, pd.Index]:
    """:func:`~ipstats.survey.weighting.frame_counts`' stratum of each PSU, as codes into its labels.

    *combination* numbers the PSU's values of the strata columns (rows of *combinations*); the labels
    (:func:`~ipstats.survey.weighting.join_columns`, :func:`~ipstats.survey.weighting.take_all`) are made once per
    distinct pair of combination and patent count.
    """
    size = int(patents.max()) + 1
    pairs, inverse = np.unique(combination.astype(np.int64) * size + patents, return_inverse=True)
    rows = combinations.set_index("combination").loc[pairs // size].reset_index(drop=True)
    labels = take_all(join_columns(rows, design.strata, "|"), pd.Series(pairs % size), design)
    codes, uniques = pd.factorize(labels)
    return codes[inverse], uniques


def _blocks(reader: pa.RecordBatchReader, rows: int) -> Iterator[pd.DataFrame]:
    """The rows of *reader* in blocks of exactly *rows* (the last one shorter), whatever DuckDB's batch sizes."""
    held = pa.Table.from_batches([], reader.schema)
    for batch in reader:
        held = pa.concat_tables([held, pa.Table.from_batches([batch])])
        while held.num_rows >= rows:
            yield held.slice(0, rows).to_pandas()
            held = held.slice(rows)
    if held.num_rows:
        yield held.to_pandas()


def _cell_totals(population: pd.DataFrame) -> pd.DataFrame:
    """Patents and the answers summed per cell of :data:`CELLS` (NaN cells kept)."""
    return (
        population.groupby(CELLS, dropna=False)
        .agg(
            patents=("application_number", "size"),
            implemented=("implemented", "sum"),
            licensed=("licensed", "sum"),
            transferred=("transferred", "sum"),
        )
        .reset_index()
    )


def _truth(cells: list[pd.DataFrame]) -> pd.DataFrame:
    """The truth of every report table from the blocks' :func:`_cell_totals`.

    The open top band is valued by :func:`~ipstats.survey.indicators.top_band` on the band counts of the whole
    frame (the cells weighted by their patents) and each cell's revenue by
    :func:`~ipstats.survey.indicators.add_revenue`, so the sums are those
    :func:`~ipstats.survey.indicators.population_table` takes over the patents.
    """
    cells = pd.concat(cells, ignore_index=True).groupby(CELLS, dropna=False, as_index=False).sum()
    cells = add_revenue(cells, top_band(cells, cells["patents"]).value)
    totals = cells.assign(
        industrialized=cells["industrialized"] * cells["patents"],
        revenue_10k_yuan=cells["revenue_10k_yuan"] * cells["patents"],
    )
    return pd.concat([_table_truth(totals, t).assign(table=t.name) for t in REPORT_TABLES], ignore_index=True)


def _table_truth(totals: pd.DataFrame, table: ReportTable) -> pd.DataFrame:
    """:func:`~ipstats.survey.indicators.population_table` of *table* from per-cell sums (``patents`` the count)."""
    data = totals
    for column, value in table.where:
        data = data[data[column] == value]
    rows = []
    for indicator in table.indicators:
        numerator, denominator, _, _, scale = INDICATORS[indicator]
        for level, part in [*data.groupby(table.by), ("合计", data)]:
            num, den = part[numerator].sum(), part[denominator or "patents"].sum()
            rows.append({"level": level, "indicator": indicator, "truth": scale * num / den if den else np.nan})
    return pd.DataFrame(rows)


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
