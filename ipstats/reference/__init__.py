"""Reference tables shipped with ipstats (IPC scheme, provinces, Locarno classes, concordances).

Every table is one file in ``ipstats/reference/data/`` described in ``catalogue.yaml``
(edition, issuer, source, licence, trust). Loaders return fresh DataFrames so callers
may modify them; the parsed files are cached.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

DATA_DIR = Path(__file__).with_name("data")

__all__ = [
    "DATA_DIR",
    "catalogue",
    "catalogue_entry",
    "ipc_new_subclasses",
    "ipc_scheme",
    "locarno_classes",
    "origins",
    "provinces",
    "wipo_technology_concordance",
]


@lru_cache(maxsize=None)
def _catalogue() -> dict:
    with open(DATA_DIR / "catalogue.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def catalogue() -> pd.DataFrame:
    """List the shipped reference tables with their provenance and a sha256 of each file.

    Returns
    -------
    pandas.DataFrame
        One row per table: ``name``, ``file``, ``title``, ``edition``, ``issuer``,
        ``source``, ``licence``, ``trust``, ``sha256``.
    """
    rows = []
    for name, entry in _catalogue().items():
        digest = hashlib.sha256((DATA_DIR / entry["file"]).read_bytes()).hexdigest()
        rows.append({"name": name, **entry, "sha256": digest})
    return pd.DataFrame(rows)


def catalogue_entry(name: str) -> dict:
    """The catalogue entry (provenance and notes) of one reference table, as a dict."""
    entries = _catalogue()
    if name not in entries:
        raise KeyError(f"no reference table named {name!r}; known: {', '.join(entries)}")
    return dict(entries[name])


@lru_cache(maxsize=None)
def _read(name: str) -> pd.DataFrame:
    path = DATA_DIR / _catalogue()[name]["file"]
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def ipc_scheme() -> pd.DataFrame:
    """The IPC scheme (国际专利分类表), one row per symbol.

    Returns
    -------
    pandas.DataFrame
        ``symbol`` (compact form as printed by WIPO without spaces, e.g. ``H04L29/06``),
        ``level`` (section, class, subclass, main_group, subgroup), ``title_en``,
        ``heading_en`` (guidance heading above a main group, where one exists),
        ``title_zh``, ``in_2019_01`` and ``in_2026_01`` (whether the edition holds the symbol).
    """
    return _read("ipc_scheme").copy()


def ipc_new_subclasses() -> pd.DataFrame:
    """IPC subclasses created after edition 2019.01 (``ipc_subclass``, ``introduced_in`` such as ``2023.01``)."""
    return _read("ipc_new_subclasses").copy()


def provinces() -> pd.DataFrame:
    """The 31 provincial-level divisions with GB/T 2260 codes (``province_code`` as a 2-character string)."""
    return _read("provinces").copy()


def origins() -> pd.DataFrame:
    """Origin codes of a first applicant (申请人国别/地区) with Chinese names and scope.

    Returns
    -------
    pandas.DataFrame
        ``origin_code`` (a GB/T 2260 province code, ``71``/``81``/``82`` for 台湾/香港/澳门, or an ISO 3166-1
        alpha-2 code), ``name_zh``, ``name_en``, ``scope`` (国内 / 港澳台 / 国外) and ``alias_of`` (for CN, HK,
        MO, TW: the code a register uses instead).
    """
    return _read("origins").copy()


def locarno_classes() -> pd.DataFrame:
    """The 32 Locarno classes for industrial designs (外观设计洛迦诺分类), codes as 2-character strings."""
    return _read("locarno_classes").copy()


def wipo_technology_concordance() -> pd.DataFrame:
    """WIPO IPC–technology concordance (35 fields, Schmoch 2008 updated 2019), ``field_nr`` as int."""
    table = _read("wipo_ipc_technology").copy()
    table["field_nr"] = table["field_nr"].astype(int)
    return table


def industry_divisions() -> pd.DataFrame:
    """GB/T 4754-2017 sections (门类 ``A``–``T``) and divisions (大类 ``01``–``97``) with Chinese names.

    Returns
    -------
    pandas.DataFrame
        ``section``, ``section_name_zh``, ``division`` (2-character string), ``division_name_zh``.
        Transcribed, to be verified (see ``catalogue_entry("gbt4754_2017_divisions")``).
    """
    return _read("gbt4754_2017_divisions").copy()


__all__ += ["industry_divisions"]


def pii_value_added() -> pd.DataFrame:
    """Published value added of patent-intensive industries (专利密集型产业增加值) by category, 2018–2023, 亿元.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``category_code`` (``"00"`` = total), ``category_name_zh``, ``value_added_100m_yuan``,
        ``value_status`` (published / derived / not published), ``vintage`` (data year of the announcement),
        ``basis`` (economic-census basis), ``growth_pct``, ``growth_status``, ``share_pct``,
        ``share_of_gdp_pct``, ``source`` (the announcement each row comes from).
    """
    table = _read("pii_value_added").copy()
    for col in ("year", "vintage"):
        table[col] = table[col].astype(int)
    for col in ("value_added_100m_yuan", "growth_pct", "share_pct", "share_of_gdp_pct"):
        table[col] = pd.to_numeric(table[col].replace("", None)).astype(float)
    return table


def gdp_nominal() -> pd.DataFrame:
    """China's nominal GDP (国内生产总值，现价), 亿元: ``year``, ``gdp_100m_yuan``, ``status`` (``unverified``), ``note``."""
    table = _read("gdp_nominal").copy()
    table["year"] = table["year"].astype(int)
    table["gdp_100m_yuan"] = table["gdp_100m_yuan"].astype(float)
    return table


__all__ += ["gdp_nominal", "pii_value_added"]
