"""Synthetic patent families, pledge registrations and award lists for the demo register (演示数据).

Written by :func:`write_demo` (listed in :data:`ipstats.register.demo.DOMAIN_DEMOS`) from the demo register, so
every application number is the register's and every date fits its life cycle: family members are granted
around the CN grant and often cease when the CN patent lapses; pledges are registered while the patent is in
force; awards go to patents in force in the award year.

Rates, after the published figures (``../shared/reference/published/``; see DOMAIN.md):

* overseas family members — enterprises hold about 87 % of the roughly 13.9万 domestic valid inventions with an
  overseas family member (mid-2025), about 3 % of domestic valid inventions: the demo gives a granted overseas
  member to 4.5 % of enterprises' granted inventions, 1.5–2.5 % of universities' and institutes', and to most
  foreign applicants' CN patents (their home office; out of scope, which the scope tests see);
* pledges — pledge financing reached 8,539.9亿元 in 2023, mostly bank loans to enterprises: 6 % of enterprises'
  granted inventions (2 % of utility models) are pledged once or more, amounts log-normal around 300万元, so
  about one pledge in six reaches the default threshold of 1,000万元;
* awards — about 1,800 patents a year win a China Patent Award or are cited by a National S&T Award, scaled to
  the register's sampling fraction (:func:`ipstats.register.demo.demo_scale`).

A register of more than :data:`ipstats.register.demo.STREAM_BLOCK` applications is read block by block
(:func:`ipstats.register.demo.register_blocks`), each block drawn on its own and appended, so memory is that of
one block whatever the register's size.

Everything is **synthetic**; nothing is an official statistic.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ipstats.register import demo as register_demo
from ipstats.register.demo import DEFAULT_AS_OF, demo_scale

__all__ = ["AWARDS_PER_YEAR", "DEMO_FILES", "demo_if_missing", "write_demo"]

log = logging.getLogger(__name__)

#: File names written by :func:`write_demo`, by input key.
DEMO_FILES = {
    "patent_families": "patent_families.csv",
    "patent_pledges": "patent_pledges.csv",
    "patent_awards": "patent_awards.csv",
}
#: Patents winning a China Patent Award or cited by a National S&T Award each year, nationally (demo assumption).
AWARDS_PER_YEAR = 1800
#: Register columns the demo reads (titles and abstracts stay on disk).
_COLUMNS = (
    "application_number",
    "patent_type",
    "filing_date",
    "grant_date",
    "lapse_date",
    "applicant_type",
    "province_code",
    "origin_code",
)

_FAMILY_RATE = {"企业": 0.045, "高校": 0.015, "科研单位": 0.025, "机关团体": 0.005, "个人": 0.005}
_FOREIGN_FAMILY_RATE = 0.75
_HMT_OFFICE = {"71": "TW", "81": "HK", "82": "MO"}
_HMT_FAMILY_RATE = 0.3
_OFFICES = {
    "US": 0.33,
    "EP": 0.2,
    "JP": 0.13,
    "KR": 0.09,
    "DE": 0.05,
    "IN": 0.05,
    "GB": 0.04,
    "AU": 0.04,
    "CA": 0.04,
    "RU": 0.03,
}
_PLEDGE_RATE = {
    ("发明", "企业"): 0.06,
    ("发明", "高校"): 0.01,
    ("发明", "科研单位"): 0.01,
    ("发明", "个人"): 0.01,
    ("实用新型", "企业"): 0.02,
}
_REPLEDGE = 0.25
_PLEDGE_MEDIAN_10K = 300.0
_PLEDGE_SIGMA = 1.3
_PLEDGEES = {"银行": 0.75, "担保机构": 0.1, "其他金融机构": 0.08, "企业": 0.05, "其他": 0.02}
_AWARD_WEIGHT = {"企业": 1.0, "高校": 1.5, "科研单位": 2.0, "机关团体": 0.2, "个人": 0.2}
_GRADES = {
    "中国专利奖": {"金奖": 0.04, "银奖": 0.08, "优秀奖": 0.88},
    "国家科学技术奖": {"国家技术发明奖二等奖": 0.3, "国家科学技术进步奖二等奖": 0.6, "国家科学技术进步奖一等奖": 0.1},
}


def _as_of(register: Path) -> pd.Timestamp:
    """The extraction date the demo register was drawn at (its Parquet metadata), else the default."""
    import pyarrow.parquet as pq

    try:
        meta = json.loads((pq.read_schema(register).metadata or {}).get(b"ipstats.demo", b"{}"))
        return pd.Timestamp(meta.get("as_of", DEFAULT_AS_OF))
    except (OSError, ValueError):
        return pd.Timestamp(DEFAULT_AS_OF)


def _pick(rng: np.random.Generator, table: dict[str, float], size: int) -> np.ndarray:
    keys = list(table)
    p = np.array(list(table.values()), dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def _days(values: np.ndarray) -> pd.TimedeltaIndex:
    return pd.to_timedelta(np.round(values).astype("int64"), unit="D")


def _families(rng: np.random.Generator, reg: pd.DataFrame, as_of: pd.Timestamp, first: int) -> tuple[pd.DataFrame, int]:
    """Granted family members of *reg*'s granted inventions, and the number of families drawn.

    Families are numbered ``DEMO{first + 1:08d}`` on, so a caller drawing block after block passes the families
    drawn so far as *first* and family ids stay unique over the whole register.
    """
    inv = reg[(reg["patent_type"] == "发明") & reg["grant_date"].notna()]
    origin = inv["origin_code"].fillna(inv["province_code"]).astype(str)
    domestic = inv["province_code"].notna() & (origin == inv["province_code"].astype(str))
    hmt = origin.isin(list(_HMT_OFFICE))
    rate = np.where(
        domestic,
        inv["applicant_type"].map(_FAMILY_RATE).fillna(0.0),
        np.where(hmt, _HMT_FAMILY_RATE, _FOREIGN_FAMILY_RATE),
    )
    chosen = inv[rng.random(len(inv)) < rate]
    rows = []
    for i, rec in enumerate(chosen.itertuples(index=False)):
        org = str(rec.origin_code) if isinstance(rec.origin_code, str) and rec.origin_code else str(rec.province_code)
        home = _HMT_OFFICE.get(org) if org in _HMT_OFFICE else (None if org == str(rec.province_code) else org)
        offices = [home] if home else []
        others = [o for o in _OFFICES if o not in offices]
        weights = np.array([_OFFICES[o] for o in others])
        k = int(min(len(others), (0 if home else 1) + rng.poisson(0.8 if not home else 0.6)))
        offices += list(
            np.array(others, dtype=object)[rng.choice(len(others), size=k, replace=False, p=weights / weights.sum())]
        )
        family = f"DEMO{first + i + 1:08d}"
        for office in offices:
            granted = rec.grant_date + pd.Timedelta(days=int(rng.normal(120, 420)))
            granted = max(granted, rec.filing_date + pd.Timedelta(days=365))
            if granted > as_of:
                continue  # still pending abroad: not a granted member
            lapse = pd.NaT
            if pd.notna(rec.lapse_date) and rng.random() < 0.7:  # abandoned abroad with the CN patent
                lapse = rec.lapse_date + pd.Timedelta(days=int(rng.normal(0, 200)))
            elif rng.random() < 0.3:  # dropped abroad, kept at home
                lapse = granted + pd.Timedelta(days=int(rng.uniform(2, 10) * 365.25))
            if pd.notna(lapse) and (lapse > as_of or lapse < granted):
                lapse = pd.NaT if lapse > as_of else granted + pd.Timedelta(days=30)
            rows.append(
                {
                    "application_number": rec.application_number,
                    "family_id": family,
                    "office": office,
                    "member_number": f"{office}{rng.integers(10**6, 10**8)}B",
                    "grant_date": granted.date(),
                    "lapse_date": None if pd.isna(lapse) else lapse.date(),
                }
            )
    columns = ["application_number", "family_id", "office", "member_number", "grant_date", "lapse_date"]
    return pd.DataFrame(rows, columns=columns), len(chosen)


def _pledges(rng: np.random.Generator, reg: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    granted = reg[reg["grant_date"].notna() & reg["province_code"].notna()]
    rate = pd.Series(list(zip(granted["patent_type"], granted["applicant_type"])), index=granted.index).map(
        _PLEDGE_RATE
    )
    chosen = granted[rng.random(len(granted)) < rate.fillna(0.0).to_numpy()]
    start = chosen["grant_date"] + pd.Timedelta(days=60)
    start = start.where(start > pd.Timestamp("2010-01-01"), pd.Timestamp("2010-01-01"))
    end = chosen["lapse_date"].where(chosen["lapse_date"].notna() & (chosen["lapse_date"] < as_of), as_of)
    span = (end - start).dt.days
    keep = span > 0
    chosen, start, span = chosen[keep], start[keep], span[keep]
    first = start + _days(rng.random(len(chosen)) * span.to_numpy())
    dates = [first]
    numbers = [chosen["application_number"]]
    again = rng.random(len(chosen)) < _REPLEDGE
    second = first + _days(365 + rng.random(len(chosen)) * 730)
    ok = again & (second <= start + _days(span.to_numpy())).to_numpy()
    dates.append(second[ok])
    numbers.append(chosen["application_number"][ok])
    pledges = pd.DataFrame(
        {"application_number": pd.concat(numbers).to_numpy(), "date": pd.concat(dates).dt.date.to_numpy()}
    )
    pledges["amount_10k_yuan"] = np.round(_PLEDGE_MEDIAN_10K * np.exp(rng.normal(0, _PLEDGE_SIGMA, len(pledges))), 1)
    pledges["pledgee_type"] = _pick(rng, _PLEDGEES, len(pledges))
    return pledges.sort_values(["date", "application_number"], ignore_index=True)


def _awards(rng: np.random.Generator, reg: pd.DataFrame, as_of: pd.Timestamp, scale: float) -> pd.DataFrame:
    inv = reg[(reg["patent_type"] == "发明") & reg["grant_date"].notna() & reg["province_code"].notna()]
    origin = inv["origin_code"].fillna(inv["province_code"]).astype(str)
    inv = inv[origin == inv["province_code"].astype(str)]
    rows, taken = [], set()
    for year in range(2010, as_of.year):
        end = pd.Timestamp(year=year, month=12, day=31)
        pool = inv[
            (inv["grant_date"] <= end - pd.Timedelta(days=365))
            & (inv["lapse_date"].isna() | (inv["lapse_date"] > end))
            & ~inv["application_number"].isin(taken)
        ]
        n = int(min(len(pool), rng.poisson(AWARDS_PER_YEAR * scale)))
        if n == 0:
            continue
        weight = pool["applicant_type"].map(_AWARD_WEIGHT).fillna(0.2).to_numpy()
        picked = pool.iloc[np.sort(rng.choice(len(pool), size=n, replace=False, p=weight / weight.sum()))]
        for number in picked["application_number"]:
            award = "中国专利奖" if rng.random() < 0.5 else "国家科学技术奖"
            rows.append(
                {"award": award, "grade": _pick(rng, _GRADES[award], 1)[0], "year": year, "application_number": number}
            )
            taken.add(number)
    return pd.DataFrame(rows, columns=["award", "grade", "year", "application_number"])


def _prepared(reg: pd.DataFrame) -> pd.DataFrame:
    """*reg* (the :data:`_COLUMNS` present) with dates as datetime64, an origin, sorted by application number."""
    if "origin_code" not in reg.columns:
        reg = reg.assign(origin_code=reg["province_code"])
    for column in ("filing_date", "grant_date", "lapse_date"):
        reg[column] = pd.to_datetime(reg[column])
    return reg.sort_values("application_number", ignore_index=True)


def _blocks(register: Path, seed: int) -> Iterator[tuple[np.random.Generator, pd.DataFrame]]:
    """The register in the pieces the demo is drawn from, each with its random generator.

    The whole register with the generator ``[seed, 19]``, or, for a register that
    :func:`ipstats.register.demo.is_streamed`, block *k* of :func:`ipstats.register.demo.register_blocks` with
    ``[seed, 19, k]``.
    """
    import pyarrow.parquet as pq

    present = set(pq.read_schema(register).names)
    columns = [c for c in _COLUMNS if c in present]
    if not register_demo.is_streamed(register):
        yield np.random.default_rng([seed, 19]), _prepared(pd.read_parquet(register, columns=columns))
        return
    for k, block in enumerate(register_demo.register_blocks(register, columns)):
        yield np.random.default_rng([seed, 19, k]), _prepared(block)


def _draw(
    rng: np.random.Generator, reg: pd.DataFrame, as_of: pd.Timestamp, first_family: int
) -> tuple[dict[str, pd.DataFrame], int]:
    """The three demo tables of *reg* (by input key) and the number of families drawn.

    Awards are scaled to *reg*'s own size (:func:`ipstats.register.demo.demo_scale` is linear), so blocks' awards
    add up to the whole register's.
    """
    families, drawn = _families(rng, reg, as_of, first_family)
    tables = {
        "patent_families": families,
        "patent_pledges": _pledges(rng, reg, as_of),
        "patent_awards": _awards(rng, reg, as_of, demo_scale(len(reg))),
    }
    return tables, drawn


def write_demo(register: str | Path, out: str | Path, seed: int = 2024) -> dict[str, Path]:
    """Write the demo family, pledge and award files for the demo *register* into *out*.

    A register of more than :data:`ipstats.register.demo.STREAM_BLOCK` applications
    (:func:`ipstats.register.demo.is_streamed`) is drawn block by block: each block of
    :func:`ipstats.register.demo.register_blocks`, sorted by application number, is drawn as a whole register
    would be, with its own generator ``[seed, 19, k]`` and awards scaled to its size, and its rows are appended
    to the files (one header, one BOM). Family ids are numbered on over the blocks, so they stay unique; every
    application is in one block, so a patent is still awarded at most once. Pledges (by date) and awards (by year) are
    then in order within each block. A smaller register is drawn in one piece, as before.

    Parameters
    ----------
    register : path
        The demo register (Parquet).
    out : path
        Folder to write :data:`DEMO_FILES` into.
    seed : int
        The same register and seed give the same files.

    Returns
    -------
    dict
        Paths by input key (``patent_families``, ``patent_pledges``, ``patent_awards``).
    """
    register, out = Path(register), Path(out)
    as_of = _as_of(register)
    out.mkdir(parents=True, exist_ok=True)
    paths = {key: out / name for key, name in DEMO_FILES.items()}
    rows = dict.fromkeys(DEMO_FILES, 0)
    families = 0
    for k, (rng, reg) in enumerate(_blocks(register, seed)):
        tables, drawn = _draw(rng, reg, as_of, families)
        families += drawn
        for key, table in tables.items():
            _append(table, paths[key], header=k == 0)
            rows[key] += len(table)
    log.info("demo high-value inputs: %d family members, %d pledges, %d awards written to %s", *rows.values(), out)
    return paths


def _append(table: pd.DataFrame, path: Path, header: bool) -> None:
    """Write *table* to the CSV *path* with the BOM and header when *header*, else append its rows."""
    if header:
        table.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        table.to_csv(path, index=False, header=False, mode="a", encoding="utf-8")


def demo_if_missing(
    register: str | Path,
    patent_families: str | Path = "",
    patent_pledges: str | Path = "",
    patent_awards: str | Path = "",
) -> None:
    """Write the demo files beside a demo *register* when one of the given paths is its missing demo file.

    Only the fixed names of :data:`DEMO_FILES` in the register's own demo folder are ever written
    (:func:`ipstats.register.demo.is_demo_file`), so a mistyped path to real data stays missing and is reported.
    """
    from ipstats.register.demo import is_demo_file

    register = Path(register)
    given = {"patent_families": patent_families, "patent_pledges": patent_pledges, "patent_awards": patent_awards}
    wanted = [
        Path(p)
        for k, p in given.items()
        if p
        and not Path(p).exists()
        and is_demo_file(p, DEMO_FILES[k])
        and Path(p).resolve().parent == register.resolve().parent
    ]
    if wanted and register.exists():
        write_demo(register, register.parent)
