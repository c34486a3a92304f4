"""Demo employment by industry (演示用分行业从业人员), synthetic, for the identification of patent-intensive industries.

Industries are the 88 NACE Rev.2 divisions, the categories of the shipped ``isi_nace2`` IPC→industry
concordance. Employment is drawn deterministically: an illustrative total (legal-entity employment of
the order of the 2018 economic census) scaled by the demo register's sampling fraction
(:func:`ipstats.register.demo.demo_scale`, the same fraction as the demo population), split over NACE
sections by illustrative shares (``data/nace2_sections_demo.csv``) and over divisions by seeded
Dirichlet draws, with a constant growth rate per division. **Synthetic, not a statistic.**
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ipstats.engines.sql import sql_reader
from ipstats.pii.identify import DATA_DIR, _divisions
from ipstats.register.demo import demo_file_if_missing

__all__ = ["DEMO_FILES", "demo_employment", "demo_if_missing", "write_demo"]

#: File names written by :func:`write_demo`, by input parameter name.
DEMO_FILES = {"employment": "employment_by_industry.csv"}
#: Illustrative national employment of legal entities (persons, order of magnitude of the 2018 census).
NATIONAL_EMPLOYMENT = 383_000_000
STATUS = "demo: synthetic employment by NACE division, scaled to the demo register (非真实统计)"


def demo_employment(patents: int, seed: int = 2024, years: range = range(2004, 2025)) -> pd.DataFrame:
    """Synthetic employment by NACE division and year for a demo register of *patents* applications.

    Returns
    -------
    pandas.DataFrame
        ``industry_code``, ``industry_name``, ``year``, ``employment`` (persons), ``status``.
    """
    from ipstats.register.demo import demo_scale

    rng = np.random.default_rng(seed)
    sections = pd.read_csv(DATA_DIR / "nace2_sections_demo.csv", dtype={"section": str})
    divisions = _divisions()
    total = NATIONAL_EMPLOYMENT * demo_scale(patents)
    rows = []
    for sec in sections.itertuples():
        members = divisions[divisions["section"] == sec.section]
        split = rng.dirichlet(np.full(len(members), 2.0))
        growth = rng.normal(0.01, 0.02, len(members))
        for div, part, g in zip(members.itertuples(), split, growth):
            base = total * sec.demo_employment_share * part
            for y in years:
                rows.append((div.division, div.name_zh, y, max(1, int(round(base * (1 + g) ** (y - 2023))))))
    out = pd.DataFrame(rows, columns=["industry_code", "industry_name", "year", "employment"])
    out["status"] = STATUS
    return out


def _register_size(register: Path) -> int:
    return int(duckdb.sql(f"SELECT COUNT(*) FROM {sql_reader(register)}").fetchall()[0][0])


def write_demo(register: str | Path, out: str | Path, seed: int = 2024) -> dict[str, Path]:
    """Write the demo employment for the demo *register* into *out* (``employment_by_industry.csv``).

    Returns
    -------
    dict
        Input name → path written.
    """
    register, out = Path(register), Path(out)
    if not register.exists():
        raise FileNotFoundError(f"{register}: register file not found (the demo employment is scaled to it)")
    out.mkdir(parents=True, exist_ok=True)
    path = out / DEMO_FILES["employment"]
    demo_employment(_register_size(register), seed).to_csv(path, index=False, encoding="utf-8")
    return {"employment": path}


def demo_if_missing(employment: str | Path, register: str | Path) -> None:
    """Write the demo employment when *employment* is missing and its folder is a demo folder.

    Only a folder whose name contains ``demo`` or is ``ci`` is written (the guard of
    :func:`ipstats.register.demo.demo_if_missing`), so a mistyped path to real data is reported as missing.
    """
    demo_file_if_missing(
        employment, DEMO_FILES["employment"], "employment", lambda folder: write_demo(register, folder)
    )
