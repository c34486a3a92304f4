"""Inputs of 每万人口高价值发明专利拥有量: patent families, pledge registrations, award lists.

Each input is optional and has its schema in ``data_schemas/``; a file is read through the validator's reader
(:func:`ipstats.validate.read_input`), so what validates is what is read:

* ``patent_families`` (``patent_families.schema.yaml``): one row per CN application and *granted* family member —
  ``application_number``, ``family_id``, ``office`` (WIPO ST.3 two-letter code), ``grant_date``, ``lapse_date``;
* ``patent_pledges`` (``patent_pledges.schema.yaml``): one row per pledge registration and patent —
  ``application_number``, ``date``, ``amount_10k_yuan`` (万元), ``pledgee_type``;
* ``patent_awards`` (``patent_awards.schema.yaml``): one row per award and patent — ``award``, ``grade``,
  ``year``, ``application_number``.

Pledges are taken by :func:`pledges_from_frame` from any DataFrame with the four pledge columns, so pledge
registrations drawn from a legal-events table (transfers, licences, pledges) are used the same way as the
pledge file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = [
    "AWARDS",
    "AWARD_COLUMNS",
    "FAMILY_COLUMNS",
    "PLEDGEE_TYPES",
    "PLEDGE_COLUMNS",
    "awards_from_frame",
    "families_from_frame",
    "pledges_from_frame",
    "read_awards",
    "read_families",
    "read_pledges",
]

#: Columns the criteria read, in order.
FAMILY_COLUMNS = ("application_number", "family_id", "office", "grant_date", "lapse_date")
PLEDGE_COLUMNS = ("application_number", "date", "amount_10k_yuan", "pledgee_type")
AWARD_COLUMNS = ("award", "grade", "year", "application_number")
#: Code lists of the schemas (kept equal to them by a test).
PLEDGEE_TYPES = ("银行", "担保机构", "其他金融机构", "企业", "其他")
AWARDS = ("中国专利奖", "国家科学技术奖")


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str, optional: tuple[str, ...] = ()) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns and c not in optional]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}; expected {', '.join(columns)}")
    frame = frame.copy()
    for column in optional:
        if column not in frame.columns:
            frame[column] = None
    return frame[list(columns)]


def _dates(values: pd.Series, what: str, column: str, required: bool) -> pd.Series:
    values = values.where(~values.astype("string").str.strip().isin(["", "<NA>"]).fillna(False), None)
    dates = pd.to_datetime(values, errors="coerce")
    bad = (dates.isna() & values.notna()) | (dates.isna() if required else False)
    if bad.any():
        raise ValueError(
            f"{what}: {column}: {values[bad].iloc[0]!r} in row {int(bad.to_numpy().argmax()) + 1} — expected a date"
        )
    return dates.astype("datetime64[ns]")


def _numbers(values: pd.Series, what: str) -> pd.Series:
    text = values.astype(str).str.strip()
    if any(not ch.isascii() for ch in "".join(text.tolist())):  # only ASCII digits are numbers
        bad = text[~text.map(str.isascii)]
        raise ValueError(f"{what}: {bad.iloc[0]!r} — expected a number")
    return pd.to_numeric(values, errors="coerce")


def _application_numbers(values: pd.Series, what: str) -> pd.Series:
    from ipstats.register.appno import is_valid_application_number

    text = values.astype("string").str.strip()
    bad = text.isna() | ~text.fillna("").map(lambda v: v.startswith("CN") and is_valid_application_number(v))
    if bad.any():
        raise ValueError(
            f"{what}: application_number: {values[bad].iloc[0]!r} in row "
            f"{int(bad.to_numpy().argmax()) + 1} — expected a CN application number such as "
            f"CN202310123456.7"
        )
    return text.astype(object)


def families_from_frame(frame: pd.DataFrame, what: str = "patent families") -> pd.DataFrame:
    """The family members of *frame* in the form the criteria read.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``application_number``, ``family_id``, ``office``, ``grant_date`` and optionally ``lapse_date`` (empty
        while the member is in force); other columns are dropped.
    what : str
        How messages name the table.

    Returns
    -------
    pandas.DataFrame
        :data:`FAMILY_COLUMNS`; dates as datetime64, offices upper case.

    Raises
    ------
    ValueError
        A missing column, an application number without its CN form and check character, an office that is
        not two letters, a missing grant date, a lapse before the grant.
    """
    out = _require(frame, FAMILY_COLUMNS, what, optional=("lapse_date",))
    out["application_number"] = _application_numbers(out["application_number"], what)
    out["office"] = out["office"].astype("string").str.strip().str.upper()
    bad = ~out["office"].fillna("").str.fullmatch(r"[A-Z]{2}")
    if bad.any():
        raise ValueError(
            f"{what}: office: {frame['office'][bad].iloc[0]!r} — expected a two-letter office code (US, EP, JP …)"
        )
    out["office"] = out["office"].astype(object)
    out["family_id"] = out["family_id"].astype(object)
    out["grant_date"] = _dates(out["grant_date"], what, "grant_date", required=True)
    out["lapse_date"] = _dates(out["lapse_date"], what, "lapse_date", required=False)
    early = out["lapse_date"] < out["grant_date"]
    if early.any():
        raise ValueError(f"{what}: lapse_date before grant_date for {out.loc[early, 'application_number'].iloc[0]}")
    return out.reset_index(drop=True)


def pledges_from_frame(frame: pd.DataFrame, what: str = "pledge registrations") -> pd.DataFrame:
    """Pledge registrations of *frame* in the form the pledge criterion reads.

    The one entry point for pledges, whatever their source: the pledge file (:func:`read_pledges`) or the
    pledge rows of a legal-events table renamed to these columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``application_number``, ``date`` (registration date, 质押登记日), ``amount_10k_yuan`` (amount financed,
        万元, ≥ 0) and ``pledgee_type`` (one of :data:`PLEDGEE_TYPES`); other columns are dropped.
    what : str
        How messages name the table.

    Returns
    -------
    pandas.DataFrame
        :data:`PLEDGE_COLUMNS`; ``date`` as datetime64, ``amount_10k_yuan`` as float.

    Raises
    ------
    ValueError
        A missing column or a value the pledge schema refuses (one line naming it).
    """
    out = _require(frame, PLEDGE_COLUMNS, what)
    out["application_number"] = _application_numbers(out["application_number"], what)
    out["date"] = _dates(out["date"], what, "date", required=True)
    amount = _numbers(out["amount_10k_yuan"], what)
    bad = amount.isna() | (amount < 0)
    if bad.any():
        raise ValueError(
            f"{what}: amount_10k_yuan: {out['amount_10k_yuan'][bad].iloc[0]!r} — expected an amount ≥ 0 in 万元"
        )
    out["amount_10k_yuan"] = amount.astype(float)
    bad = ~out["pledgee_type"].isin(PLEDGEE_TYPES)
    if bad.any():
        raise ValueError(
            f"{what}: pledgee_type: {out['pledgee_type'][bad].iloc[0]!r} — expected one of {', '.join(PLEDGEE_TYPES)}"
        )
    return out.reset_index(drop=True)


def awards_from_frame(frame: pd.DataFrame, what: str = "award lists") -> pd.DataFrame:
    """Award rows of *frame* in the form the award criterion reads.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``award`` (one of :data:`AWARDS`), optionally ``grade``, ``year`` (award year) and ``application_number``.
    what : str
        How messages name the table.

    Returns
    -------
    pandas.DataFrame
        :data:`AWARD_COLUMNS`; ``year`` as int64.
    """
    out = _require(frame, AWARD_COLUMNS, what, optional=("grade",))
    out["application_number"] = _application_numbers(out["application_number"], what)
    bad = ~out["award"].isin(AWARDS)
    if bad.any():
        raise ValueError(f"{what}: award: {out['award'][bad].iloc[0]!r} — expected one of {', '.join(AWARDS)}")
    year = _numbers(out["year"], what)
    if year.isna().any():
        raise ValueError(f"{what}: year: {out['year'][year.isna()].iloc[0]!r} — expected an award year")
    out["year"] = year.astype("int64")
    return out.reset_index(drop=True)


def _read(path: str | Path, schema: str, what: str) -> pd.DataFrame:
    from ipstats.validate import read_input

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: {what} file not found")
    return read_input(path, schema)


def read_families(path: str | Path) -> pd.DataFrame:
    """Read and validate a patent family file (schema ``patent_families``); see :func:`families_from_frame`."""
    return families_from_frame(_read(path, "patent_families", "patent family"), str(path))


def read_pledges(path: str | Path) -> pd.DataFrame:
    """Read and validate a pledge registration file (schema ``patent_pledges``); see :func:`pledges_from_frame`."""
    return pledges_from_frame(_read(path, "patent_pledges", "pledge registration"), str(path))


def read_awards(path: str | Path) -> pd.DataFrame:
    """Read and validate an award list (schema ``patent_awards``); see :func:`awards_from_frame`."""
    return awards_from_frame(_read(path, "patent_awards", "award list"), str(path))
