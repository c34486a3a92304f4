"""Survey weights of the patent survey (调查权数): frame, base weights, nonresponse adjustment, calibration.

The register is the survey's frame (抽样框): the valid patents (有效专利) at 31 December of the survey year
and their patentees. ipstats assumes the following design (CNIPA does not publish its strata or weights,
so every choice is a parameter):

* **strata** (层) — patentee type × region × patent type by default (``SurveyDesign.strata``; province
  instead of region is possible with a larger sample);
* **stage 1** — patentees (专利权人, the PSUs) drawn by simple random sampling without replacement in each
  stratum, ``n_h = max(min_psu, round(f · N_h))`` capped at ``N_h``, with ``f = psu_fraction`` or the
  patentee type's ``type_fractions`` (universities, research institutes and public bodies are
  oversampled so that their rates can be published); patentees holding at least
  ``certainty_patents`` valid patents of the stratum are a take-all stratum (全取层: all drawn), which
  keeps the few very large patentees from dominating the sampling error;
* **stage 2** — up to ``patents_per_psu`` of the patentee's valid patents in the stratum, without
  replacement;
* **base weight** (基础权数) — ``N_h/n_h · M_i/m_i``;
* **nonresponse adjustment** (无回答调整) — within response cells (patentee type × region by default) the
  respondents' weights are scaled by ``Σ base weights of the sampled / Σ base weights of the respondents``
  (a patentee answers for all its sampled patents); cells with fewer than 3 responding patents are
  merged within their patentee type;
* **calibration** (校准) — raking (default; linear calibration on request) of the patent counts to the
  register's valid patents (:func:`register_totals`, counted by patent type × province × patentee type)
  on two margins: patent type × patentee type, and province. A margin cell with fewer than
  ``min_respondents`` respondent patents is merged with the smallest other cell of the same patent type
  (provinces: of the same region), see :func:`merge_small_cells`. The full three-way table has too many
  empty sample cells to be calibrated cell by cell.

**Frame basis** (框的口径). By default every valid patent belongs to its first applicant at filing, as the
register records it (第一申请人). Given the legal events (``legal_events``: transfers 转让 from
``data_schemas/patent_legal_events.schema.yaml``), a patent belongs instead to its patentee (专利权人) on
31 December of the survey year: the assignee of its last transfer on or before that day, else its first
applicant (:func:`ipstats.transfer.events.owner_view`). The patentee's type and province then classify it in
the frame, the strata and the calibration totals alike; a patent whose patentee on that day is outside the 31
provinces (港澳台 or abroad) leaves the frame, and one transferred from there to a patentee in the provinces
enters it. :func:`frame_changes` counts the patents the transfers move.

Variances treat the adjusted weights as the design's weights and linearise the calibration
(:class:`ipstats.survey.Design`); the nonresponse adjustment is assumed to remove nonresponse bias
(response at random within cells).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ipstats.engines.sql import sql_text
from ipstats.survey.design import Design

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "ANSWERS",
    "SurveyDesign",
    "adjust_nonresponse",
    "base_weights",
    "calibration_margins",
    "draw_psus",
    "frame_basis",
    "frame_changes",
    "frame_note",
    "frame_view",
    "merge_small_cells",
    "owner_register",
    "read_sample",
    "register_totals",
    "smallest_keys",
    "survey_frame",
    "survey_population",
    "take_all",
    "weight_survey",
]

OTHER = "其他"
#: Questionnaire answers (blank for nonrespondents).
ANSWERS = ["enterprise_size", "high_tech", "implemented", "industrialized", "licensed", "transferred", "revenue_band"]
TAKE_ALL = "|全取"
#: Version of :func:`owner_register`'s files; part of their cache key.
OWNER_REGISTER_VERSION = 1


@dataclass(frozen=True)
class SurveyDesign:
    """The sample design ipstats assumes for the patent survey (all fields are parameters)."""

    strata: tuple[str, ...] = ("applicant_type", "region", "patent_type")
    psu_fraction: float = 0.12  # share of patentees drawn in each stratum
    type_fractions: dict = field(default_factory=lambda: {"高校": 0.6, "科研单位": 0.6, "机关团体": 0.3})
    # ... except for these patentee types (oversampled so that their rates can be published)
    min_psu: int = 3  # at least this many patentees per stratum (when it has them)
    patents_per_psu: int = 4  # most patents surveyed per sampled patentee and stratum
    certainty_patents: int = 20  # patentees with this many patents in a stratum are all taken (take-all)
    response_cells: tuple[str, ...] = ("applicant_type", "region")
    min_respondents: int = 20  # calibration cells with fewer respondent patents are merged

    def __post_init__(self) -> None:
        for name, fraction in {"psu_fraction": self.psu_fraction, **self.type_fractions}.items():
            if not 0 < fraction <= 1:
                raise ValueError(f"sampling fraction of {name} must be in (0, 1], got {fraction}")
        if self.min_psu < 1 or self.patents_per_psu < 1:
            raise ValueError("min_psu and patents_per_psu must be ≥ 1")


def frame_basis(legal_events) -> str:
    """The frame basis: ``"owner"`` (the patentee at year end) when *legal_events* (a path or a
    :func:`ipstats.transfer.events.read_legal_events` table) is given, ``"first_applicant"`` for None or ``""``."""
    if legal_events is None or (isinstance(legal_events, (str, os.PathLike)) and not str(legal_events).strip()):
        return "first_applicant"
    return "owner"


def _read_events(legal_events, register: str | Path) -> pd.DataFrame | None:
    if frame_basis(legal_events) == "first_applicant":
        return None
    if isinstance(legal_events, pd.DataFrame):
        return legal_events
    from ipstats.transfer.events import read_legal_events

    return read_legal_events(legal_events, register)


def survey_population(
    con: duckdb.DuckDBPyConnection,
    register: str | Path,
    year: int,
    legal_events=None,
    view: str = "register_domestic",
) -> str:
    """Create the DuckDB view of the survey's population on *con* (with the register as ``register``).

    The register rows of patentees in the 31 provinces (国内，不含港澳台,
    :func:`ipstats.register.origin.domestic_view`): by first applicant at filing without *legal_events*; with
    them, by the patentee on 31 December *year* (:func:`ipstats.transfer.events.owner_view`, whose view carries
    that patentee in ``applicant_name``, ``applicant_type``, ``province_code`` and ``origin_code``), so a patent
    transferred to a patentee outside the provinces leaves the population and one transferred in from outside
    enters it.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        :func:`ipstats.register.io.open_register` of *register*.
    register : path
        The register (the legal events are checked against it).
    year : int
        Survey year.
    legal_events : path or pandas.DataFrame, optional
        The legal events (data_schemas/patent_legal_events.schema.yaml); None or ``""``: the first applicant.
    view : str
        Name of the view to create (the year-end patentees' rows are the view ``{view}_owner``).

    Returns
    -------
    str
        Name of the view.
    """
    from ipstats.register.origin import domestic_view
    from ipstats.transfer.events import owner_view

    events = _read_events(legal_events, register)
    source = "register" if events is None else owner_view(con, events, f"{int(year)}-12-31", view=f"{view}_owner")
    return domestic_view(con, source=source, view=view)


def survey_frame(register: str | Path, year: int, legal_events=None) -> pd.DataFrame:
    """The survey frame: valid patents (有效专利) at 31 December *year*, one row per patent.

    Validity follows :mod:`ipstats.counting` (granted on or before 31 December and not lapsed by then, nor
    past the statutory term when no lapse is recorded). The survey's population is the patents of patentees
    in the 31 provinces (国内，不含港澳台): patentees from 港澳台 and abroad have no province and are not
    in the frame. Who the patentee is follows the frame basis (see the module docstring): without
    *legal_events* the first applicant at filing; with them the patentee on 31 December *year* (the assignee
    of the last transfer on or before that day, else the first applicant), so a patent transferred to a
    patentee outside the 31 provinces leaves the frame and one transferred from outside to a patentee in
    them enters it.

    Parameters
    ----------
    register : path
        The register.
    year : int
        Survey year.
    legal_events : path or pandas.DataFrame, optional
        The legal events (data_schemas/patent_legal_events.schema.yaml), read and checked against *register*;
        None or ``""`` frames by the first applicant.

    Returns
    -------
    pandas.DataFrame
        ``application_number``, ``patent_type``, ``patentee`` (the survey's patentee: the first applicant's or
        the year-end patentee's name), ``applicant_type`` (the patentee's type), ``province_code``, ``region``
        (东部/中部/西部/东北).
    """
    from ipstats.reference import provinces
    from ipstats.register.io import open_register

    con = open_register(register)
    frame = con.execute(f"{_frame_sql(con, register, year, legal_events)} ORDER BY application_number").df()
    regions = provinces().set_index("province_code")["region_zh"]
    frame["region"] = frame["province_code"].map(regions)
    _check_frame(register, year, len(frame), frame.loc[frame["region"].isna(), "province_code"].unique())
    return frame


def _frame_sql(
    con: duckdb.DuckDBPyConnection,
    register: str | Path,
    year: int,
    legal_events,
    view: str = "register_domestic",
    extra: str = "",
) -> str:
    """The SELECT of the frame's rows (:func:`survey_frame` without ``region``) over :func:`survey_population`
    (created as *view*), with the *extra* expressions of the population's rows after the frame's columns."""
    from ipstats.register.term import term_last_year_sql

    end = sql_text(f"{int(year)}-12-31")
    return (
        "SELECT application_number, patent_type, applicant_name AS patentee, applicant_type, province_code"
        f"{', ' + extra if extra else ''} FROM {survey_population(con, register, year, legal_events, view)} register WHERE grant_date IS NOT NULL "
        f"AND CAST(grant_date AS DATE) <= CAST({end} AS DATE) "
        f"AND (lapse_date IS NULL AND {term_last_year_sql('register')} >= {int(year)} "
        f"OR CAST(lapse_date AS DATE) > CAST({end} AS DATE))"
    )


def _check_frame(register: str | Path, year: int, patents: int, unknown: Sequence) -> None:
    """Refuse an empty frame and province codes that are not GB/T 2260 province codes (*unknown*, in frame order)."""
    if not patents:
        raise ValueError(f"{register}: no valid patents at {int(year)}-12-31; is the survey year right?")
    if len(unknown):
        raise ValueError(f"{register}: province_code value(s) {list(unknown)[:5]} are not GB/T 2260 province codes")


def frame_view(
    con: duckdb.DuckDBPyConnection,
    register: str | Path,
    year: int,
    legal_events=None,
    view: str = "survey_frame",
) -> str:
    """Create the DuckDB view *view* of the survey frame on *con*; return its name.

    The rows and columns of :func:`survey_frame` (``region`` joined from the province table), unordered, for
    work that must not hold the frame in memory (the streamed demo survey, :mod:`ipstats.survey.demo`). The
    same checks are made (one aggregation over the view): an empty frame or a province code outside GB/T 2260
    raises ValueError.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        :func:`ipstats.register.io.open_register` of *register*.
    register : path
        The register.
    year : int
        Survey year.
    legal_events : path or pandas.DataFrame, optional
        The frame basis, as for :func:`survey_frame`.
    view : str
        Name of the view to create (a table ``_{view}_regions`` is registered beside it).

    Returns
    -------
    str
        Name of the view.
    """
    from ipstats.reference import provinces

    regions = f"_{view}_regions"
    con.register(regions, provinces()[["province_code", "region_zh"]])
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT f.*, g.region_zh AS region "
        f"FROM ({_frame_sql(con, register, year, legal_events)}) f LEFT JOIN {regions} g USING (province_code)"
    )
    [(patents, unknown)] = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE region IS NULL) FROM {view}"
    ).fetchall()
    codes = []
    if unknown:
        codes = con.execute(
            f"SELECT province_code FROM {view} WHERE region IS NULL GROUP BY province_code "
            "ORDER BY min(application_number) LIMIT 5"
        ).fetchall()
    _check_frame(register, year, patents, [code for (code,) in codes])
    return view


def register_totals(
    register: str | Path,
    year: int,
    by: Sequence[str] = ("patent_type", "province_code", "applicant_type"),
    legal_events=None,
) -> pd.DataFrame:
    """Valid patents at 31 December *year* by *by* from the register (the calibration totals).

    Counted with :func:`ipstats.counting.count_valid_stock` in DuckDB over the survey's population
    (:func:`survey_population`): the patents of patentees in the 31 provinces, by first applicant at filing
    without *legal_events*, by the patentee on 31 December *year* with them (``applicant_type`` and
    ``province_code`` are then the patentee's) — the frame basis of :func:`survey_frame`.
    """
    from ipstats.counting.flows import count_valid_stock
    from ipstats.register.io import open_register

    con = open_register(register)
    view = survey_population(con, register, year, legal_events)
    stock = count_valid_stock(con, [int(year)], by=tuple(by), view=view)
    return stock.drop(columns="year").rename(columns={"count": "valid_patents"})


def frame_changes(
    register: str | Path, year: int, legal_events, strata: Sequence[str] = SurveyDesign().strata
) -> dict[str, int]:
    """How the transfers change the frame: counts of valid patents at 31 December *year*.

    Compares :func:`survey_frame` by first applicant with :func:`survey_frame` by the year-end patentee, in
    DuckDB: the two frames are stacked and grouped by application number (an aggregate, which spills to disk
    under the memory limit), so neither frame is held in memory — at 50 M applications each has ~20 M rows.

    Returns
    -------
    dict
        ``frame_patents`` (the frame by patentee), ``transferred`` (of them, patents whose patentee comes from
        a transfer), ``moved`` (in both frames, in another stratum of *strata*: patentee type, region, patent
        type by default), ``entered`` (only in the frame by patentee: transferred from 港澳台 or abroad to a
        patentee in the 31 provinces), ``left`` (only in the frame by first applicant) and ``changed``
        (moved + entered + left).
    """
    from ipstats.reference import provinces
    from ipstats.register.io import open_register

    events = _read_events(legal_events, register)
    if events is None:
        raise ValueError("frame_changes: no legal events given (the frame by first applicant has no transfers)")
    columns = ("application_number", "patent_type", "patentee", "applicant_type", "province_code", "region")
    unknown = [c for c in strata if c not in columns]
    if unknown:
        raise ValueError(f"frame_changes: strata {unknown} are not columns of the survey frame ({', '.join(columns)})")
    con = open_register(register)
    try:
        con.register(
            "_frame_regions", provinces()[["province_code", "region_zh"]].rename(columns={"region_zh": "region"})
        )
        strata_sql = ", ".join(f"{'g' if c == 'region' else 'f'}.{c} AS s{i}" for i, c in enumerate(strata))
        # in both frames (two rows) and in another stratum: a value differs, or is missing on one side only
        differs = " OR ".join(f"min(s{i}) <> max(s{i}) OR count(s{i}) = 1" for i in range(len(strata))) or "FALSE"
        sides = []
        for side, events_of_side in ((0, None), (1, events)):
            extra = "transferred" if side else "FALSE AS transferred"
            select = _frame_sql(con, register, year, events_of_side, view=f"_frame_domestic{side}", extra=extra)
            sides.append(
                f"SELECT f.application_number, {side} AS side, f.transferred, {strata_sql}{', ' if strata else ''}"
                f"f.province_code, g.region IS NULL AS unknown FROM ({select}) f "
                "LEFT JOIN _frame_regions g ON g.province_code = f.province_code"
            )
        moved, entered, left, transferred, first, owner, unknown_first, unknown_owner = con.execute(
            f"""WITH per AS (
                SELECT min(side) AS lo, max(side) AS hi, {differs} AS differs, bool_or(transferred) AS transferred,
                       bool_or(unknown AND side = 0) AS unknown0, bool_or(unknown AND side = 1) AS unknown1
                FROM ({sides[0]} UNION ALL {sides[1]}) GROUP BY application_number)
            SELECT count(*) FILTER (WHERE lo = 0 AND hi = 1 AND differs), count(*) FILTER (WHERE lo = 1),
                   count(*) FILTER (WHERE hi = 0), count(*) FILTER (WHERE hi = 1 AND transferred),
                   count(*) FILTER (WHERE lo = 0), count(*) FILTER (WHERE hi = 1),
                   count(*) FILTER (WHERE unknown0), count(*) FILTER (WHERE unknown1)
            FROM per"""
        ).fetchall()[0]
        for side, patents, bad in ((0, first, unknown_first), (1, owner, unknown_owner)):
            codes = []
            if bad:
                codes = [
                    row[0]
                    for row in con.execute(
                        f"SELECT DISTINCT province_code FROM ({sides[side]}) WHERE unknown ORDER BY 1 LIMIT 5"
                    ).fetchall()
                ]
            _check_frame(register, year, patents, codes)
    finally:
        con.close()
    counts = {"frame_patents": owner, "transferred": transferred, "moved": moved, "entered": entered, "left": left}
    counts = {k: int(v) for k, v in counts.items()}
    counts["changed"] = counts["moved"] + counts["entered"] + counts["left"]
    return counts


def frame_note(year: int, changes: dict[str, int] | None) -> str:
    """The notebook's note on the frame basis (Chinese), with the counts of :func:`frame_changes` (None: the
    frame by first applicant)."""
    if changes is None:
        return (
            f"抽样框与校准总量按第一申请人（申请时）确定专利权人类型和地区，未使用专利转让登记；"
            f"{int(year)}年末前已转让的专利仍计入原第一申请人。"
        )
    return (
        f"抽样框与校准总量按{int(year)}年12月31日的专利权人确定专利权人类型和地区：当日前有专利权转让登记的，"
        f"取最后一次转让的受让人，其余取第一申请人。框内有效专利{changes['frame_patents']:,}件，其中专利权人来自转让的"
        f"{changes['transferred']:,}件；与按第一申请人相比，因转让改变层的{changes['moved']:,}件，"
        f"由港澳台或国外转让给国内专利权人而进入抽样框的{changes['entered']:,}件，转让给港澳台或国外专利权人而"
        f"移出抽样框的{changes['left']:,}件。"
    )


def _file_digests(path: Path) -> list[str]:
    from ipstats.validate.typed import memo_sha256

    parts = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    return [memo_sha256(part) for part in parts]  # remembered: a national register is not read again to hash it


def owner_register(
    register: str | Path, legal_events: str | Path, year: int, cache_dir: str | Path | None = None
) -> Path:
    """The granted rows of *register* with their patentee on 31 December *year*, as a typed register Parquet.

    For code that takes a register file (:func:`ipstats.survey.report.compute_survey`):
    :func:`survey_frame` and :func:`register_totals` of this file equal those of *register* with
    *legal_events*. The patentee (:func:`ipstats.transfer.events.owner_view`) stands in ``applicant_name``,
    ``applicant_type``, ``province_code`` and ``origin_code``; the other columns are the register's. Written
    once into the cache folder of the typed inputs (``$IPSTATS_CACHE`` or ``~/.cache/ipstats``) under the
    sha256 of both files and the year; later calls return the cached file.

    Parameters
    ----------
    register : path
        The register.
    legal_events : path
        The legal events file, read and checked against *register*.
    year : int
        Survey year.
    cache_dir : path, optional
        Folder for the file instead of the cache folder.

    Returns
    -------
    pathlib.Path
    """
    from ipstats.register.io import open_register
    from ipstats.transfer.events import owner_view, read_legal_events
    from ipstats.validate.typed import cache_dir as typed_cache
    from ipstats.validate.typed import touch

    register, legal_events = Path(register), Path(legal_events)
    key = hashlib.sha256(
        json.dumps(
            {
                "register": _file_digests(register),
                "events": _file_digests(legal_events),
                "year": int(year),
                "version": OWNER_REGISTER_VERSION,
            }
        ).encode()
    ).hexdigest()
    folder = typed_cache(cache_dir)
    target = folder / f"owner_register-{key[:32]}.parquet"
    if target.is_file():
        touch(target)  # a hit renews the entry (ipstats cache --prune keeps what runs read)
        return target
    events = read_legal_events(legal_events, register)
    folder.mkdir(parents=True, exist_ok=True)
    con = open_register(register)
    columns = [row[0] for row in con.execute("DESCRIBE SELECT * FROM register").fetchall()]
    columns += [] if "origin_code" in columns else ["origin_code"]
    view = owner_view(con, events, f"{int(year)}-12-31")
    partial = folder / f".{target.name}.{os.getpid()}.partial"
    con.execute(
        f"COPY (SELECT {', '.join(columns)} FROM {view} WHERE grant_date IS NOT NULL "
        f"ORDER BY application_number) TO {sql_text(partial)} (FORMAT parquet, COMPRESSION zstd)"
    )
    os.replace(partial, target)
    return target


def adjust_nonresponse(
    sample: pd.DataFrame,
    cells: Sequence[str] = ("applicant_type", "region"),
    weight: str = "base_weight",
    responded: str = "responded",
    minimum: int = 3,
) -> pd.DataFrame:
    """Respondents with nonresponse-adjusted weights (``nr_weight``) within response cells (无回答调整).

    Parameters
    ----------
    sample : pandas.DataFrame
        The whole sample (respondents and nonrespondents) with *weight* and the boolean *responded*.
    cells : sequence of str
        Response cells. A cell with fewer than *minimum* responding patents is merged with the smallest
        other cell of the same first variable (patentee type), then across types if still too small
        (:func:`merge_small_cells`).
    weight, responded : str
        Column names.
    minimum : int
        Fewest responding patents per response cell.

    Returns
    -------
    pandas.DataFrame
        The respondents, with ``response_cell``, ``nr_factor`` and ``nr_weight``.
    """
    cells = list(cells)
    for column in [*cells, weight, responded]:
        if column not in sample.columns:
            raise KeyError(f"adjust_nonresponse: column {column!r} missing from the sample")
    did = sample[responded].astype(bool)
    label = join_columns(sample, cells, "|")
    counts = did.groupby(label).sum()
    first = sample.groupby(label)[cells[0]].first().astype(str)
    mapping = merge_small_cells(counts, first, minimum)  # within the patentee type first
    merged_counts = counts.groupby(counts.index.map(mapping)).sum()
    if (merged_counts < minimum).any():  # then across types
        overall = merge_small_cells(merged_counts, pd.Series("all", index=merged_counts.index), minimum)
        mapping = {cell: overall[m] for cell, m in mapping.items()}
    merged = label.map(mapping)
    totals = sample.groupby(merged)[weight].sum()
    answered = sample[did].groupby(merged[did])[weight].sum()
    empty = sorted(set(totals.index) - set(answered.index))
    if empty:
        raise ValueError(
            f"adjust_nonresponse: response cell(s) {empty[:5]} have no respondent; the sample has too few respondents"
        )
    factor = totals / answered
    out = sample[did].copy()
    out["response_cell"] = merged[did]
    out["nr_factor"] = out["response_cell"].map(factor).to_numpy()
    out["nr_weight"] = out[weight] * out["nr_factor"]
    return out.reset_index(drop=True)


def join_columns(frame: pd.DataFrame, columns: Sequence[str], sep: str) -> pd.Series:
    """Cell labels ``a|b|c`` from several columns (vectorised)."""
    columns = list(columns)
    label = frame[columns[0]].astype(str)
    for column in columns[1:]:
        label = label + sep + frame[column].astype(str)
    return label


def merge_small_cells(counts: pd.Series, groups: pd.Series, minimum: int) -> dict:
    """Within each group, merge the smallest cell into the next smallest until every cell has *minimum*.

    Parameters
    ----------
    counts : pandas.Series
        Respondents per cell (cells of the frame without respondents count 0).
    groups : pandas.Series
        Group of each cell (same index); cells are only merged within their group.
    minimum : int
        Fewest respondents a calibration cell may have.

    Returns
    -------
    dict
        Cell → label of its merged cell (``a+b`` for merged cells; a cell left alone keeps its name).
    """
    mapping = {}
    for _, cells in counts.groupby(groups, sort=True):
        merged = {str(c): ([c], float(n)) for c, n in cells.sort_index().items()}
        while len(merged) > 1:
            order = sorted(merged, key=lambda k: (merged[k][1], k))
            if merged[order[0]][1] >= minimum:
                break
            a, b = order[0], order[1]
            members = merged.pop(a)[0] + merged.pop(b)[0]
            merged["+".join(sorted(map(str, members)))] = (members, float(sum(cells[m] for m in members)))
        for label, (members, _) in merged.items():
            mapping.update({m: label for m in members})
    return mapping


def calibration_margins(
    totals: pd.DataFrame, respondents: pd.DataFrame, min_respondents: int = 20
) -> tuple[dict, pd.DataFrame]:
    """Calibration totals and the matching respondent columns (``cal_type`` and ``cal_province``).

    Margins: patent type × patentee type, and province. Cells with fewer than *min_respondents*
    respondent patents are merged with the smallest other cell of the same patent type (province: of
    the same region) by :func:`merge_small_cells`.

    Parameters
    ----------
    totals : pandas.DataFrame
        :func:`register_totals` by patent type × province × patentee type.
    respondents : pandas.DataFrame
        Output of :func:`adjust_nonresponse` (with ``patent_type``, ``applicant_type``,
        ``province_code``, ``region``).
    min_respondents : int
        Fewest respondent patents per calibration cell.

    Returns
    -------
    margins : dict
        ``{"cal_type": {...}, "cal_province": {...}}`` for :meth:`Design.calibrate`.
    respondents : pandas.DataFrame
        A copy with the two calibration columns.
    """
    from ipstats.reference import provinces

    regions = provinces().set_index("province_code")["region_zh"]
    totals = totals[totals["valid_patents"] > 0].assign(region=totals["province_code"].map(regions))
    out = respondents.copy()
    margins = {}
    for column, cell, group in (
        ("cal_type", ["patent_type", "applicant_type"], "patent_type"),
        ("cal_province", ["province_code"], "region"),
    ):
        out[column] = join_columns(out, cell, "·")
        totals[column] = join_columns(totals, cell, "·")
        frame_cells = totals.groupby(column)[group].first()
        sample_cells = out.groupby(column).size().reindex(frame_cells.index, fill_value=0)
        extra = sorted(set(out[column]) - set(frame_cells.index))
        if extra:
            raise ValueError(f"calibration: respondent cell(s) {extra[:5]} have no valid patent in the register")
        mapping = merge_small_cells(sample_cells, frame_cells, min_respondents)
        out[column] = out[column].map(mapping)
        totals[column] = totals[column].map(mapping)
        sums = totals.groupby(column)["valid_patents"].sum()
        empty = sorted(set(sums.index) - set(out[column]))
        if empty:
            raise ValueError(f"calibration: cell(s) {empty[:5]} ({column}) have valid patents but no respondent")
        margins[column] = {k: float(v) for k, v in sums.items()}
    return margins, out


def weight_survey(
    sample: pd.DataFrame,
    totals: pd.DataFrame | None = None,
    design: SurveyDesign = SurveyDesign(),
    method: str = "raking",
) -> Design:
    """The weighted respondent design: base weights → nonresponse adjustment → calibration to the register.

    Parameters
    ----------
    sample : pandas.DataFrame
        The survey sample (data_schemas/survey_sample.schema.yaml).
    totals : pandas.DataFrame, optional
        :func:`register_totals`; None skips calibration.
    design : SurveyDesign
        Response cells and the minimum respondents per calibration cell.
    method : {"raking", "linear"}
        Raking ratio calibration (positive weights; converged to 1e-7 of the total) or linear (GREG)
        calibration (exact in one step, but weights can turn negative: then an error).

    Returns
    -------
    Design
        Two-stage stratified design of the respondents (patentees as PSUs, patents as SSUs, fpc from the
        frame), calibrated when *totals* is given.
    """
    if method not in ("raking", "linear"):
        raise ValueError(f"method must be 'raking' or 'linear', got {method!r}")
    from ipstats.survey.indicators import add_revenue

    respondents = add_revenue(adjust_nonresponse(sample, design.response_cells))
    margins = None
    if totals is not None:
        margins, respondents = calibration_margins(totals, respondents, design.min_respondents)
    survey = Design(
        respondents,
        weights="nr_weight",
        strata="stratum",
        psu="patentee",
        ssu="application_number",
        fpc="patentees_in_stratum",
        fpc2="patents_in_psu",
        lonely_psu="adjust",
    )
    if margins is not None and method == "raking":
        survey = survey.rake(margins, maxit=100, epsilon=1e-7)
    elif margins is not None and method == "linear":
        survey = survey.calibrate(margins)
        if (survey.weights <= 0).any():
            raise ValueError(
                "linear calibration gave non-positive weights; use method='raking' or merge "
                "calibration cells (raise min_respondents)"
            )
    return survey


def frame_counts(frame: pd.DataFrame, design: SurveyDesign = SurveyDesign()) -> pd.DataFrame:
    """Per frame patent: its stratum label, patentees in the stratum and the patentee's patents in it.

    Patentees holding at least ``design.certainty_patents`` patents of a stratum form that stratum's
    take-all part (label ending ``|全取``, :func:`take_all`), sampled with certainty at stage 1.
    """
    out = frame.copy()
    out["stratum"] = join_columns(out, design.strata, "|")
    held = out.groupby(["stratum", "patentee"])["application_number"].transform("size")
    out["stratum"] = take_all(out["stratum"], held, design)
    out["patentees_in_stratum"] = out.groupby("stratum")["patentee"].transform("nunique")
    out["patents_in_psu"] = out.groupby(["stratum", "patentee"])["application_number"].transform("size")
    return out


def take_all(stratum: pd.Series, held: pd.Series, design: SurveyDesign) -> pd.Series:
    """The stratum labels with ``|全取`` where the patentee holds at least ``design.certainty_patents`` (*held*)
    valid patents of the stratum: its take-all part."""
    return stratum.where(held < design.certainty_patents, stratum + TAKE_ALL)


def draw_sample(frame: pd.DataFrame, design: SurveyDesign, rng: np.random.Generator) -> pd.DataFrame:
    """A two-stage stratified sample of *frame* (output of :func:`frame_counts`) with base weights.

    Stage 1 by :func:`draw_psus`; stage 2 keeps the ``design.patents_per_psu`` patents of smallest uniform
    random key in each drawn patentee and stratum (:func:`smallest_keys`); then :func:`base_weights`.
    """
    psus = frame[["stratum", "patentee", "applicant_type", "patentees_in_stratum"]].drop_duplicates(
        ["stratum", "patentee"]
    )
    chosen = draw_psus(psus, design, rng)
    sample = frame.merge(chosen[["stratum", "patentee"]], on=["stratum", "patentee"])
    sample = smallest_keys(sample.assign(key=rng.random(len(sample))), ["stratum", "patentee"], design.patents_per_psu)
    return base_weights(sample.drop(columns="key"))


def draw_psus(psus: pd.DataFrame, design: SurveyDesign, rng: np.random.Generator) -> pd.DataFrame:
    """Stage 1: the patentees drawn in each stratum, by simple random sampling without replacement.

    Parameters
    ----------
    psus : pandas.DataFrame
        One row per stratum and patentee (the PSUs) with ``stratum``, ``applicant_type`` and
        ``patentees_in_stratum`` (other columns are kept).
    design : SurveyDesign
        ``n_h = max(min_psu, round(f · N_h))`` capped at ``N_h``, ``f`` the largest sampling fraction of the
        stratum's patentee types; a take-all stratum (``|全取``) is taken whole.
    rng : numpy.random.Generator
        One uniform key per row of *psus*, in its order; the ``n_h`` smallest keys of a stratum are drawn.

    Returns
    -------
    pandas.DataFrame
        The drawn rows of *psus* (sorted by stratum and key, with the ``key`` column).
    """
    psus = psus.assign(key=rng.random(len(psus))).sort_values(["stratum", "key"])
    types, levels = pd.factorize(psus["applicant_type"], use_na_sentinel=False)  # text or categorical
    fraction = np.array([design.type_fractions.get(t, design.psu_fraction) for t in levels])[types]
    fraction = pd.Series(fraction, index=psus.index).groupby(psus["stratum"]).transform("max")  # one per stratum
    n_h = np.minimum(
        psus["patentees_in_stratum"], np.maximum(design.min_psu, np.round(fraction * psus["patentees_in_stratum"]))
    )
    n_h = np.where(psus["stratum"].str.endswith(TAKE_ALL), psus["patentees_in_stratum"], n_h)
    return psus[psus.groupby("stratum").cumcount() < n_h]


def smallest_keys(frame: pd.DataFrame, by: list[str], n: int) -> pd.DataFrame:
    """The rows of the *n* smallest ``key`` in each group of *by*, sorted by *by* and key (stage 2: a simple
    random sample without replacement of *n* patents per PSU when the keys are uniform random numbers)."""
    order = frame[[*by, "key"]].reset_index(drop=True).sort_values([*by, "key"])
    return frame.iloc[order.index[order.groupby(by).cumcount() < n]]


def base_weights(sample: pd.DataFrame) -> pd.DataFrame:
    """The sample with ``base_weight`` = ``N_h/n_h · M_i/m_i`` (``n_h`` patentees of the stratum and ``m_i`` patents
    of the patentee and stratum in *sample*), index reset."""
    sampled_psus = sample.groupby("stratum")["patentee"].transform("nunique")
    sampled_patents = sample.groupby(["stratum", "patentee"])["application_number"].transform("size")
    weight = sample["patentees_in_stratum"] / sampled_psus * sample["patents_in_psu"] / sampled_patents
    return sample.assign(base_weight=weight).reset_index(drop=True)


def read_sample(path: str | Path) -> pd.DataFrame:
    """Read a survey sample (data_schemas/survey_sample.schema.yaml) as ``ipstats validate`` reads it: any
    encoding, Excel or Parquet, codes as text; a file that does not validate raises
    :class:`ipstats.validate.InputError` (a ValueError) with the validator's line."""
    from ipstats.validate import read_input

    sample = read_input(path, "survey_sample", nullable=False)
    missing = {"stratum", "patentee", "base_weight", "responded", *ANSWERS} - set(sample.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {sorted(missing)} (see data_schemas/survey_sample.schema.yaml)")
    sample["responded"] = sample["responded"].map(lambda v: v is True or v == 1).astype(bool)
    return sample
