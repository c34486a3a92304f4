"""Synthetic legal events for the demo register (演示用专利转让、许可、质押数据).

Transfers, licences, pledges and releases of the demo register's patents, with parties that follow each
patent's chain of owners (the first applicant at filing, then each assignee), so every indicator of
:mod:`ipstats.transfer.indicators` works on the demo and the survey can frame patents by their current owner.

Calibration (public facts, see DOMAIN.md): 专利转让许可备案 61.3万次 in 2024 (+29.9 %), of which universities and
research institutes 7.6万 (12.4 %); pledge financing 8,539.9亿元 in 2023 (reported for about 3.7万 enterprises:
a mean near 2,300万元 per contract). The demo scales the yearly number of transfers and licences to the
register's sampling fraction (:func:`ipstats.register.demo.demo_scale`) with 30 % growth a year; transfers come
mostly from enterprises and universities and go mostly to enterprises, two in three within the province; licences
are mostly 普通, 开放许可 only from 2022 (the 2020 Patent Law's open licensing took effect on 2021-06-01) and
mostly from universities; pledge contracts (at least ``min_pledges`` a year so the tables have content) cover
one to four patents of one enterprise, their amounts lognormal (skewed: a few large contracts hold much of the
total); about half are released one to three years later. Everything is **synthetic**.

A register above :data:`~ipstats.register.demo.STREAM_BLOCK` applications (a national-size demo) is streamed:
read block by block, each block's events drawn from its own applications, scaled by its own sampling fraction and
appended to the file, so memory is that of one block. Event ids stay unique over the file, owner chains stay
whole (a patent is in one block), and the file is sorted within blocks only (see :func:`write_demo`).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ipstats import reference
from ipstats.register.demo import (
    DEFAULT_AS_OF,
    demo_file_if_missing,
    demo_scale,
    is_streamed,
    register_blocks,
    register_rows,
)
from ipstats.transfer.events import EVENT_FIELDS

__all__ = ["DEMO_FILES", "NATIONAL_PLEDGE_MEAN_10K", "NATIONAL_TRANSFER_LICENCE_2024", "demo_if_missing", "write_demo"]

#: File written by :func:`write_demo`, by input key.
DEMO_FILES = {"patent_legal_events": "patent_legal_events.csv"}
#: 专利转让许可备案 in 2024 (CNIPA), the demo's scale anchor, and its growth on 2023.
NATIONAL_TRANSFER_LICENCE_2024 = 613_000
GROWTH = 0.299
#: Mean pledge amount per contract, 万元: 8,539.9亿元 (2023) over about 3.7万 contracts.
NATIONAL_PLEDGE_MEAN_10K = 8_539.9e4 / 37_000
NATIONAL_PLEDGES_2023 = 37_000

_LICENCE_SHARE = 0.15  # licences among transfers and licences
_LICENCE_TYPES = {"普通": 0.72, "独占": 0.14, "排他": 0.06, "开放许可": 0.08}
_FROM_WEIGHT = {"企业": 1.0, "高校": 0.95, "科研单位": 0.95, "机关团体": 0.3, "个人": 0.55}
_TO_TYPE = {
    "企业": {"企业": 0.9, "个人": 0.07, "高校": 0.015, "科研单位": 0.015},
    "高校": {"企业": 0.93, "科研单位": 0.03, "高校": 0.02, "个人": 0.02},
    "科研单位": {"企业": 0.92, "科研单位": 0.04, "高校": 0.02, "个人": 0.02},
    "机关团体": {"企业": 0.9, "机关团体": 0.05, "个人": 0.05},
    "个人": {"企业": 0.8, "个人": 0.2},
}
_SAME_ORIGIN = 0.65
_PLEDGEE = {"银行": 0.85, "担保机构": 0.08, "其他金融机构": 0.04, "企业": 0.02, "其他": 0.01}
_PLEDGE_SIGMA = 1.3
_RELEASED = 0.55
#: Register columns the events are drawn from.
_COLUMNS = [
    "application_number",
    "patent_type",
    "filing_date",
    "grant_date",
    "lapse_date",
    "applicant_name",
    "applicant_type",
    "province_code",
    "origin_code",
]
#: Event id prefix by event type.
_PREFIX = {"转让": "T", "许可": "X", "质押": "Y", "质押解除": "YZ"}


def _pick(rng: np.random.Generator, shares: dict[str, float]) -> str:
    keys = list(shares)
    p = np.array([shares[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _as_of(register: Path) -> pd.Timestamp:
    try:
        return pd.Timestamp(json.loads((register.parent / "demo_meta.json").read_text(encoding="utf-8"))["as_of"])
    except (OSError, ValueError, KeyError):
        return pd.Timestamp(DEFAULT_AS_OF)


def _random_day(rng: np.random.Generator, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.Timestamp:
    days = max(int((hi - lo).days), 0)
    return lo + pd.Timedelta(days=int(rng.integers(0, days + 1)))


def _year_span(year: int, as_of: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp, float]:
    """First and last day of *year* seen from *as_of*, and the share of a full year they span."""
    start, stop = pd.Timestamp(year, 1, 1), min(pd.Timestamp(year, 12, 31), as_of)
    return start, stop, ((stop - start).days + 1) / 365.0


def _event_id(serials: dict[str, Iterator[int]], kind: str, day: pd.Timestamp) -> str:
    """The next event id of *kind* (``T2023…``): its prefix, the year of *day* and the kind's next serial."""
    return f"{_PREFIX[kind]}{day.year}{next(serials[kind]):07d}"


@dataclass(frozen=True)
class _Parties:
    """Where the parties of a block's events are drawn from: its applicants by type and origin."""

    short: dict[str, str]
    origin_weight: pd.Series
    names: dict[tuple[str, str], list[str]]
    by_type: dict[str, list[str]]


def _parties(reg: pd.DataFrame, short: dict[str, str]) -> _Parties:
    """The applicant pools of the prepared block *reg*; *short* gives a province's short name by code."""
    names = {
        (kind, origin): sorted(group["applicant_name"].unique())
        for (kind, origin), group in reg.groupby(["applicant_type", "origin_code"])
    }
    by_type = {kind: sorted(g["applicant_name"].unique()) for kind, g in reg.groupby("applicant_type")}
    origin_weight = reg.loc[reg["origin_code"].isin(short), "origin_code"].value_counts(normalize=True)
    return _Parties(short, origin_weight, names, by_type)


def _party(rng: np.random.Generator, parties: _Parties, kind: str, near: str) -> tuple[str, str, str]:
    """A party of *kind* (name, type, origin), in the province *near* two times in three."""
    if near in parties.short and rng.random() < _SAME_ORIGIN:
        origin = near
    elif rng.random() < 0.03:
        origin = _pick(rng, {"JP": 0.4, "US": 0.3, "DE": 0.15, "KR": 0.1, "81": 0.05})
    else:
        origin = str(rng.choice(parties.origin_weight.index, p=parties.origin_weight.to_numpy()))
    pool = parties.names.get((kind, origin)) or parties.by_type.get(kind) or parties.by_type["企业"]
    return str(pool[int(rng.integers(len(pool)))]), kind, origin


class _Dates:
    """The dates of column *column* of the prepared block *reg* by application number, as Timestamps.

    A lookup converts one date; converting a block's whole column to Timestamps up front cost most of the
    legal events' time.
    """

    def __init__(self, reg: pd.DataFrame, column: str):
        self.row = dict(zip(reg["application_number"].tolist(), range(len(reg))))
        self.dates = reg[column].to_numpy()

    def __getitem__(self, number: str) -> pd.Timestamp:
        return pd.Timestamp(self.dates[self.row[number]])


def _prepare(block: pd.DataFrame) -> pd.DataFrame:
    """The register *block* with dates as datetime64, the origin filled from the province, and ``end``.

    ``end`` is the lapse date, or 2100-01-01 for a patent still in force.
    """
    reg = block.copy()
    for col in ("filing_date", "grant_date", "lapse_date"):
        reg[col] = pd.to_datetime(reg[col])
    reg["origin_code"] = reg["origin_code"].where(
        reg["origin_code"].notna() & reg["origin_code"].ne(""), reg["province_code"]
    )
    reg["end"] = reg["lapse_date"].fillna(pd.Timestamp("2100-01-01"))
    return reg


def _draw_transfers(
    reg: pd.DataFrame, rng: np.random.Generator, as_of: pd.Timestamp, first_year: int, scale: float
) -> list[tuple]:
    """Transfers and licences of the prepared block *reg* as ``(date, number, kind, licence)``, in date order.

    Each year's number is the national one scaled by *scale* (the block's sampling fraction), drawn over the
    patents in force, weighted by applicant type.
    """
    drawn = []
    for year in range(first_year, as_of.year + 1):
        start, stop, fraction = _year_span(year, as_of)
        n = int(round(NATIONAL_TRANSFER_LICENCE_2024 * scale * (1 + GROWTH) ** (year - 2024) * fraction))
        pool = reg[(reg["grant_date"] <= stop) & (reg["end"] > start)]
        if n == 0 or pool.empty:
            continue
        weights = pool["applicant_type"].map(_FROM_WEIGHT).to_numpy(float)
        # the pool's columns as lists: a row read through .iloc costs more than drawing it
        grant, end = pool["grant_date"].to_numpy(), pool["end"].to_numpy()
        kinds, numbers = pool["applicant_type"].tolist(), pool["application_number"].tolist()
        for i in rng.choice(len(pool), size=n, replace=True, p=weights / weights.sum()).tolist():
            lo = max(start, pd.Timestamp(grant[i]) + pd.Timedelta(days=1))
            hi = min(stop, pd.Timestamp(end[i]) - pd.Timedelta(days=1))
            if hi < lo:
                continue
            kind = "许可" if rng.random() < _LICENCE_SHARE else "转让"
            licence = _pick(rng, _LICENCE_TYPES) if kind == "许可" else None
            if licence == "开放许可" and (year < 2022 or kinds[i] not in ("高校", "科研单位") and rng.random() < 0.7):
                licence = "普通"
            drawn.append((_random_day(rng, lo, hi), numbers[i], kind, licence))
    drawn.sort(key=lambda d: (d[0], d[1]))
    return drawn


def _transfer_rows(
    reg: pd.DataFrame,
    drawn: list[tuple],
    rng: np.random.Generator,
    parties: _Parties,
    serials: dict[str, Iterator[int]],
) -> list[dict]:
    """Rows of the *drawn* transfers and licences, their parties following each patent's chain of owners."""
    owner = {
        n: (a, t, o)
        for n, a, t, o in zip(
            *(reg[c].tolist() for c in ("application_number", "applicant_name", "applicant_type", "origin_code"))
        )
    }
    filing = _Dates(reg, "filing_date")
    rows = []
    for day, number, kind, licence in drawn:
        name, ftype, forigin = owner[number]
        if kind == "转让":
            to = _party(rng, parties, _pick(rng, _TO_TYPE[ftype]), forigin)
            owner[number] = to
            amount = None
        else:
            to = _party(rng, parties, "企业" if rng.random() < 0.95 else "个人", forigin)
            amount = round(float(rng.lognormal(np.log(30), 1.5)), 1) if rng.random() < 0.4 else None
        rows.append(
            {
                "event_id": _event_id(serials, kind, day),
                "application_number": number,
                "filing_date": filing[number],
                "event_type": kind,
                "licence_type": licence,
                "event_date": day,
                "from_name": name,
                "from_type": ftype,
                "from_origin": forigin,
                "to_name": to[0],
                "to_type": to[1],
                "to_origin": to[2],
                "pledgee_type": None,
                "amount_10k_yuan": amount,
                "related_event_id": None,
            }
        )
    return rows


def _owners_at(valid: pd.DataFrame, transfers: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """*valid* patents with their owner as of *day*: the last assignee of the *transfers* up to then."""
    done = transfers[transfers["event_date"] <= day] if len(transfers) else transfers
    if len(done):
        last = done.groupby("application_number").tail(1).set_index("application_number")
        hit = valid["application_number"].isin(last.index)
        for col, src in (("applicant_name", "to_name"), ("applicant_type", "to_type"), ("origin_code", "to_origin")):
            valid.loc[hit, col] = valid.loc[hit, "application_number"].map(last[src])
    return valid


def _pledgee_name(pledgee: str, province: str) -> str:
    """A placeholder name of a pledgee of type *pledgee* in *province* (its short name)."""
    if pledgee == "银行":
        return f"某某银行{province}分行"
    return f"{province}某某{'融资担保有限公司' if pledgee == '担保机构' else '投资有限公司'}"


def _pledge_rows(
    reg: pd.DataFrame,
    transfers: pd.DataFrame,
    rng: np.random.Generator,
    short: dict[str, str],
    serials: dict[str, Iterator[int]],
    years: tuple[int, pd.Timestamp],
    scale: float,
    min_pledges: float,
) -> list[dict]:
    """Pledge contracts of enterprises over one to four of their valid patents, and their releases.

    *years* is ``(first_year, as_of)``; each year has the national number scaled by *scale*, at least
    *min_pledges* (prorated for a partial year). The pledgor is the owner as of mid-year (after *transfers*).
    """
    first_year, as_of = years
    filing, ends = _Dates(reg, "filing_date"), _Dates(reg, "end")
    rows = []
    for year in range(first_year, as_of.year + 1):
        start, stop, fraction = _year_span(year, as_of)
        n = max(
            int(round(NATIONAL_PLEDGES_2023 * scale * (1 + GROWTH) ** (year - 2023) * fraction)),
            int(round(min_pledges * fraction)),
        )
        valid = reg[(reg["grant_date"] < start) & (reg["end"] > stop)][
            ["application_number", "applicant_name", "applicant_type", "origin_code"]
        ]
        valid = _owners_at(valid, transfers, start + (stop - start) / 2)
        firms = valid[valid["applicant_type"] == "企业"].groupby("applicant_name")
        sizes = firms.size()
        if sizes.empty:
            continue
        p = sizes.to_numpy(float) ** 0.7
        for k in rng.choice(len(sizes), size=n, replace=True, p=p / p.sum()):
            firm = sizes.index[int(k)]
            own = firms.get_group(firm)
            take = own.iloc[np.sort(rng.choice(len(own), size=min(len(own), int(rng.integers(1, 5))), replace=False))]
            day = _random_day(rng, start, stop)
            origin = str(take["origin_code"].iloc[0])
            pledgee = _pick(rng, _PLEDGEE)
            amount = round(
                float(rng.lognormal(np.log(NATIONAL_PLEDGE_MEAN_10K) - _PLEDGE_SIGMA**2 / 2, _PLEDGE_SIGMA)), 1
            )
            pid = _event_id(serials, "质押", day)
            common = {
                "from_name": firm,
                "from_type": "企业",
                "from_origin": origin,
                "to_name": _pledgee_name(pledgee, short.get(origin, "")),
                "to_type": "企业",
                "to_origin": origin,
            }
            release = day + pd.Timedelta(days=int(rng.integers(365, 3 * 365)))
            rid = _event_id(serials, "质押解除", release) if rng.random() < _RELEASED and release <= as_of else None
            for number in take["application_number"]:
                rows.append(
                    {
                        "event_id": pid,
                        "application_number": number,
                        "filing_date": filing[number],
                        "event_type": "质押",
                        "licence_type": None,
                        "event_date": day,
                        **common,
                        "pledgee_type": pledgee,
                        "amount_10k_yuan": amount,
                        "related_event_id": None,
                    }
                )
                if rid is not None and release < ends[number]:
                    rows.append(
                        {
                            "event_id": rid,
                            "application_number": number,
                            "filing_date": filing[number],
                            "event_type": "质押解除",
                            "licence_type": None,
                            "event_date": release,
                            **common,
                            "pledgee_type": None,
                            "amount_10k_yuan": None,
                            "related_event_id": pid,
                        }
                    )
    return rows


def _block_events(
    block: pd.DataFrame,
    rng: np.random.Generator,
    serials: dict[str, Iterator[int]],
    short: dict[str, str],
    years: tuple[int, pd.Timestamp],
    min_pledges: float,
) -> pd.DataFrame:
    """The legal events of the register *block* (a whole register, or one block of a streamed one).

    Parameters
    ----------
    block : pandas.DataFrame
        :data:`_COLUMNS` of the block's applications; their events involve only these patents and applicants.
    rng : numpy.random.Generator
        The block's random draws.
    serials : dict
        Iterator of the next serial number by event type, shared by the blocks of one file (ids stay unique).
    short : dict
        Short province name by province code.
    years : tuple
        ``(first_year, as_of)``: events from January of the first year up to the extraction date.
    min_pledges : float
        Floor on the block's pledge contracts of a year.

    Returns
    -------
    pandas.DataFrame
        :data:`~ipstats.transfer.events.EVENT_FIELDS` as written to the CSV (dates as text), sorted by event date,
        event id and application number.
    """
    reg = _prepare(block)
    first_year, as_of = years
    scale = demo_scale(len(reg))
    drawn = _draw_transfers(reg, rng, as_of, first_year, scale)
    rows = _transfer_rows(reg, drawn, rng, _parties(reg, short), serials)
    transfers = pd.DataFrame([r for r in rows if r["event_type"] == "转让"])
    rows += _pledge_rows(reg, transfers, rng, short, serials, years, scale, min_pledges)
    table = pd.DataFrame(rows, columns=list(EVENT_FIELDS))
    table = table.sort_values(["event_date", "event_id", "application_number"], kind="stable")
    for col in ("filing_date", "event_date"):
        table[col] = pd.to_datetime(table[col]).dt.strftime("%Y-%m-%d")
    return table


def _blocks(register: Path, seed: int, min_pledges: int) -> Iterator[tuple[pd.DataFrame, np.random.Generator, float]]:
    """The register's blocks, each with its random generator and its share of the pledge floor.

    An unstreamed register is one block drawn with ``default_rng(seed + 50)`` and the whole floor; block *k* of a
    streamed one is drawn with ``default_rng([seed, 50, k])`` and gets ``min_pledges`` times its share of the
    applications.
    """
    if not is_streamed(register):
        yield pd.read_parquet(register, columns=_COLUMNS), np.random.default_rng(seed + 50), min_pledges
        return
    rows = register_rows(register)
    for k, block in enumerate(register_blocks(register, _COLUMNS)):
        yield block, np.random.default_rng([seed, 50, k]), min_pledges * len(block) / rows


def write_demo(
    register: str | Path, out: str | Path, seed: int = 2024, first_year: int = 2016, min_pledges: int = 40
) -> dict[str, Path]:
    """Write synthetic legal events for the demo *register* into *out*.

    A register of at most :data:`~ipstats.register.demo.STREAM_BLOCK` applications is drawn in one piece. A
    larger one is streamed: read block by block (:func:`~ipstats.register.demo.register_blocks`), each block's
    events drawn from its own applications with its own generator and appended to the file, so memory is that
    of one block whatever the register's size. Every patent is in one block, so its owner chain stays whole; the
    serial numbers of the event ids run on over the blocks, so ids stay unique in the file; each block is scaled
    by its own sampling fraction, so the yearly totals are those of the whole register. A streamed file is
    sorted within blocks only (the blocks follow each other in register order).

    Parameters
    ----------
    register : path
        The demo register (``register.parquet``); its ``demo_meta.json`` gives the extraction date.
    out : path
        Folder to write :data:`DEMO_FILES` into.
    seed : int
        Seed; the same register and seed give the same events.
    first_year : int
        First year with events.
    min_pledges : int
        Floor on the pledge contracts of a year in the whole file; a streamed register divides it among its
        blocks in proportion to their applications.

    Returns
    -------
    dict
        ``{"patent_legal_events": path}``.
    """
    register, out = Path(register), Path(out)
    provinces = reference.provinces()
    short = dict(zip(provinces["province_code"], provinces["short_zh"]))
    years = (first_year, _as_of(register))
    serials = {kind: itertools.count(1) for kind in _PREFIX}
    out.mkdir(parents=True, exist_ok=True)
    path = out / DEMO_FILES["patent_legal_events"]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        for k, (block, rng, floor) in enumerate(_blocks(register, seed, min_pledges)):
            _block_events(block, rng, serials, short, years, floor).to_csv(handle, index=False, header=k == 0)
    return {"patent_legal_events": path}


def demo_if_missing(events: str | Path, register: str | Path) -> None:
    """Write the demo events when *events* is missing (demo folders only, under the fixed name of
    :data:`DEMO_FILES`); a mistyped path to real data is reported as missing instead."""
    demo_file_if_missing(
        events, DEMO_FILES["patent_legal_events"], "legal events", lambda folder: write_demo(register, folder)
    )
