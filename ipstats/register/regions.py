"""Names of the regions a run covers: 全国, or a province by its GB/T 2260 code (行政区划代码).

The names come from the shipped province table (:func:`ipstats.reference.provinces`); every report that
titles a table with its region (the overview, monitoring, high-value patents, transfers, products) asks here.
"""

from __future__ import annotations

from ipstats import reference

__all__ = ["NATIONAL", "region_name"]

#: Name of the national run.
NATIONAL = "全国"


def region_name(region: str | None) -> str:
    """全国 for the national run, else the province's name.

    Parameters
    ----------
    region : str or None
        ``"national"`` (or None, ``""``) or a GB/T 2260 province code such as ``"44"``.

    Raises
    ------
    ValueError
        For a code that is not a province of the table.

    Examples
    --------
    >>> region_name("national"), region_name("44")
    ('全国', '广东省')
    """
    if region in (None, "", "national"):
        return NATIONAL
    prov = reference.provinces().set_index("province_code")
    code = str(region)
    if code not in prov.index:
        raise ValueError(f"region must be 'national' or a GB/T 2260 province code such as '44', got {region!r}")
    return prov.at[code, "name_zh"]
