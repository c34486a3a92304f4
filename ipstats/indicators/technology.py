"""Patents by technology category of a classification system, with the system's coverage of the data.

Every table that uses a classification system says which system and edition it used
(:meth:`ipstats.concordance.System.label`) and carries the coverage diagnostics of
:func:`ipstats.concordance.coverage`.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ipstats.concordance import coverage, load_system
from ipstats.concordance.api import links_from_register
from ipstats.counting import CountSpec, count
from ipstats.indicators.overview import growth_pct, region_name
from ipstats.register.io import connect, open_register

__all__ = ["TechnologyView", "compute_technology"]


@dataclass
class TechnologyView:
    """Counts by category (and by top level), the system label and its coverage of the data."""

    year: int
    region_name: str
    system_label: str
    categories: pd.DataFrame
    top_level: pd.DataFrame
    coverage: pd.DataFrame
    unmatched: pd.DataFrame
    predated: pd.DataFrame

    def key_numbers(self) -> str:
        """Headline numbers as stable text (checked by nbval)."""
        top = self.categories.nlargest(3, "fractional")
        lines = [f"{self.year} {self.region_name} {self.system_label}"]
        lines += [f"{r.category} {r.category_name}: {r.count} 件, 分数计数 {r.fractional:.2f}" for r in top.itertuples()]
        cov = self.coverage.iloc[0]
        lines.append(f"覆盖率: 专利 {cov['matched_patents_pct']:.1f}%, 分类号 {cov['matched_occurrences_pct']:.1f}%")
        return "\n".join(lines)


def _with_growth(cube: pd.DataFrame, year: int) -> pd.DataFrame:
    keys = ["category", "category_name"]
    now = cube[cube["year"] == year].set_index(keys)
    before = cube[cube["year"] == year - 1].set_index(keys)
    table = now[["count", "fractional"]].copy()
    table["fractional_growth_pct"] = growth_pct(table["fractional"], before["fractional"].reindex(table.index))
    table["share_pct"] = 100.0 * table["fractional"] / table["fractional"].sum()
    return table.reset_index().sort_values("fractional", ascending=False, ignore_index=True)


def compute_technology(register: str, year: int, system: str = "wipo_fields_2019", region: str = "national",
                       measure: str = "applications", patent_types: tuple[str, ...] = ("发明",),
                       top_level: int = 1) -> TechnologyView:
    """Patents of *year* by category of *system* (whole and fractional), growth, shares and coverage.

    Parameters
    ----------
    register : str
        Register file (Parquet/CSV).
    year : int
        Reference year (growth is on *year* - 1).
    system : str
        Classification system id or path of a user table.
    region : str
        ``"national"`` or a GB/T 2260 province code.
    measure : {"applications", "grants", "valid_stock"}
    patent_types : tuple of str
        Patent types counted (inventions by default: technology statistics are about inventions).
    top_level : int
        Level of the hierarchy for the summary table.
    """
    name = region_name(region)
    sys_ = load_system(system)
    spec = dict(measure=measure, years=(year - 1, year), patent_types=patent_types, region=region, system=sys_)
    con = connect()
    try:
        categories = _with_growth(count(register, CountSpec(**spec), con=con), year)
        top = _with_growth(count(register, CountSpec(**spec, level=top_level), con=con), year)
        open_register(register, con)
        links_from_register(con, register)
        if region not in (None, "", "national"):
            con.execute(f"""CREATE OR REPLACE TEMP VIEW links_region AS SELECT l.* FROM links l
                JOIN register r ON r.application_number = l.patent_id WHERE r.province_code = '{region}'""")
            diag = coverage(con, sys_, "links_region")
        else:
            diag = coverage(con, sys_, "links")
    finally:
        con.close()
    return TechnologyView(year, name, sys_.label(), categories, top, diag["summary"], diag["unmatched"],
                          diag["predated"])
