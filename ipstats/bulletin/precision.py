"""Published precision of table columns (公布精度): what a recorded CSV cell is rounded to and how Excel shows it.

Official releases print growth rates and shares to one decimal (``增长5.2%``), counts as integers and amounts
in their unit (``8,539.9亿元``). A column's *kind* is read from its name, its Chinese label and its values
(:func:`column_kind`); its decimals from the kind (:data:`DECIMALS`, :data:`MONEY_DECIMALS`) unless the module
that built it already rounded it to a published precision of up to :data:`KEEP_DECIMALS` decimals (the PII
announcement prints the GDP share with two: ``12.44%``), which is kept. Such a column may hold values published
with fewer decimals (the share of GDP was announced as ``11.6%`` for 2018 and 2019, ``11.97%`` from 2020): a
percentage cell is shown with the decimals its value has, at least one (:func:`shown_decimals`), so that CSV,
``tables.xlsx`` (format ``0.0#``, :func:`excel_format`) and ``bulletin.pdf`` print ``11.6`` and ``12.44`` alike,
never ``11.60``. A notebook can set a column's decimals
itself (``decimals=`` of :func:`ipstats.bulletin.record_table`). Rounding is half away from zero (四舍五入,
:func:`ipstats.indicators.narrative.half_up`), so the same inputs give the same bytes; the full precision stays
in the internal output (:mod:`ipstats.bulletin.internal`, 10 significant digits).
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ipstats.cells import stable_floats, unguard_text

__all__ = [
    "DECIMALS",
    "KEEP_DECIMALS",
    "MONEY_DECIMALS",
    "column_kind",
    "decimals_present",
    "excel_format",
    "is_code_column",
    "is_percent_column",
    "money_unit",
    "published_decimals",
    "round_published",
    "format_published",
    "shown_decimals",
]

#: Decimals of each kind of column (None: not rounded beyond the 10 significant digits of every float).
DECIMALS = {"text": None, "plain": 0, "count": 0, "pct": 1, "fractional": 2, "per_10k": 1, "decimal": None}
#: Decimals of amounts by unit (NBS and CNIPA releases: 亿元 and 万元 with one decimal).
MONEY_DECIMALS = {"元": 0, "万元": 1, "亿元": 1}
#: A float column whose values already have at most this many decimals was rounded on purpose: kept as it is.
KEEP_DECIMALS = 2

_MONEY_SUFFIXES = (("_100m_yuan", "亿元"), ("_10k_yuan", "万元"), ("_yuan", "元"))


def is_code_column(name: str) -> bool:
    """Whether a column holds codes kept as text (``*_code`` or ``region``)."""
    return str(name).endswith("_code") or str(name) == "region"


def is_percent_column(name: str) -> bool:
    """Whether a column holds percentages (``*_pct`` or a name containing ``%``)."""
    return str(name).endswith("_pct") or "%" in str(name)


def _is_year_or_rank(name: str) -> bool:
    return name in ("year", "rank") or name.endswith(("_year", "_rank"))


def money_unit(name: str, label: str = "") -> str | None:
    """Unit of an amount column (``亿元``, ``万元``, ``元``) from its name (``*_100m_yuan``…) or label, else None."""
    for suffix, unit in _MONEY_SUFFIXES:
        if str(name).endswith(suffix):
            return unit
    for unit, english in (("亿元", "100 million yuan"), ("万元", "10,000 yuan")):
        if unit in label or english in label:  # the English edition's labels say the same units
            return unit
    return "元" if any(u in label for u in ("(元)", "（元）", "(yuan)")) else None


def column_kind(name: str, series: pd.Series, label: str = "") -> str:
    """Kind of a table column: ``text``, ``plain``, ``count``, ``pct``, ``money``, ``fractional``, ``per_10k``,
    ``decimal``.

    Parameters
    ----------
    name : str
        Column name (``applications_growth_pct``, ``output_value``…).
    series : pandas.Series
        Its values.
    label : str, optional
        Its label (``总产值(万元)``, in the English edition ``Gross output value (10,000 yuan)``), which tells a
        unit the name does not.

    Returns
    -------
    str
        Codes, text and booleans are ``text``; years and ranks ``plain`` (integers without separators);
        ``*_pct``, ``*_pp`` and labels with ``(%)`` ``pct``; amounts (:func:`money_unit`) ``money``; fractional
        counts (``fractional`` in the name, ``分数计数`` in the label) ``fractional``; ``per_10k`` columns
        ``per_10k``; integers, and floats whose values are all whole (a count with suppressed cells), ``count``;
        other floats (indices, estimates) ``decimal``.
    """
    name, label = str(name), str(label or "")
    if pd.api.types.is_bool_dtype(series) or is_code_column(name) or not pd.api.types.is_numeric_dtype(series):
        return "text"
    if _is_year_or_rank(name):
        return "plain"
    if (
        is_percent_column(name)
        or name.endswith("_pp")
        or any(s in label for s in ("(%)", "（%）", "百分点", "percentage point"))
    ):
        return "pct"
    if money_unit(name, label):
        return "money"
    if "fractional" in name or "分数计数" in label or "fractional" in label.lower():
        return "fractional"
    if "per_10k" in name:
        return "per_10k"
    if pd.api.types.is_integer_dtype(series):
        return "count"
    values = series.to_numpy(dtype=float, na_value=np.nan)
    finite = values[np.isfinite(values)]
    if finite.size and bool((finite == np.round(finite)).all()):
        return "count"
    return "decimal"


def decimals_present(series: pd.Series) -> int:
    """Most decimals among the finite values of a float column, at 10 significant digits (0 when none)."""
    values = stable_floats(series.astype(float)).to_numpy(dtype=float, na_value=np.nan)
    most = 0
    for value in values[np.isfinite(values)]:
        text = repr(float(value))
        if "e" in text or "E" in text:
            mantissa, exponent = text.lower().split("e")
            shown = len(mantissa.split(".")[1]) if "." in mantissa else 0
            most = max(most, shown - int(exponent))
        elif "." in text:
            most = max(most, len(text.split(".")[1].rstrip("0")))
    return most


def published_decimals(name: str, series: pd.Series, label: str = "", override: int | None = None) -> int | None:
    """Decimals a column is published with, or None for text and for floats kept at 10 significant digits.

    Parameters
    ----------
    name, series, label
        As for :func:`column_kind`.
    override : int, optional
        The notebook's own choice (wins).

    Returns
    -------
    int or None
        *override*; else for ``count`` and ``plain`` 0; for the float kinds the kind's decimals
        (:data:`DECIMALS`, :data:`MONEY_DECIMALS`), or more when the values already have up to
        :data:`KEEP_DECIMALS` decimals (rounded on purpose upstream); None for ``text`` and ``decimal``.
    """
    kind = column_kind(name, series, label)
    if override is not None:
        return int(override) if kind != "text" else None
    default = MONEY_DECIMALS[money_unit(name, label)] if kind == "money" else DECIMALS[kind]
    if default is None or kind in ("count", "plain"):
        return default
    present = decimals_present(series)
    return max(default, present) if present <= KEEP_DECIMALS else default


def shown_decimals(value: float, kind: str, digits: int | None) -> int | None:
    """Decimals one cell of a column of *kind* with *digits* decimals is shown with.

    Parameters
    ----------
    value : float
        The cell's value at its published precision (as in the CSV).
    kind : str
        The column's kind (:func:`column_kind`).
    digits : int or None
        The column's decimals (:func:`published_decimals`, or the table's recorded ``decimals``).

    Returns
    -------
    int or None
        For a percentage (share, growth, percentage-point change: kind ``pct``) with more decimals than
        :data:`DECIMALS` gives (one), the fewest decimals between one and *digits* that show the value
        exactly: ``11.6`` with one, ``12.44`` with two, in the same column; else *digits*.
    """
    least = DECIMALS["pct"]
    if kind != "pct" or digits is None or digits <= least or not math.isfinite(float(value)):
        return digits
    value = float(value)
    for places in range(least, digits):
        if abs(value - round(value, places)) <= 1e-9 * max(1.0, abs(value)):
            return places
    return digits


def format_published(value: Any, kind: str, digits: int | None) -> str:
    """A cell as the bulletin prints it: ``1,234`` for counts, ``5.2`` for percentages (in a column with two
    decimals, those the value has: ``11.6``, ``12.44``, :func:`shown_decimals`), ``2023`` for years, amounts and
    fractional counts with separators and their decimals (two when unknown); text unchanged (a cell guarded
    against formula injection without its guard), booleans 是/否, missing ``""``.

    Parameters
    ----------
    value : Any
        The cell as read from the CSV.
    kind : str
        The column's kind (:func:`column_kind`).
    digits : int or None
        The column's decimals (:func:`published_decimals` or the recorded ``decimals``).

    Returns
    -------
    str
        The printed text (no thousands separators in percentages and years; never ``-0.0``).
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) or kind == "text":
        return str(unguard_text(value))
    number = float(value)
    if kind == "plain":
        return str(int(number)) if number.is_integer() else str(value)
    if kind == "count" and number.is_integer():
        return f"{int(number):,}"
    places = 2 if digits is None else shown_decimals(number, kind, digits)
    text = f"{number:.{places}f}" if kind == "pct" else f"{number:,.{places}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text.replace(",", "")) == 0 else text


def _half_up(value: float, digits: int) -> float:
    from ipstats.indicators.narrative import half_up

    return half_up(value, digits) + 0.0 if math.isfinite(value) else value  # -0.0 + 0.0 is 0.0


def round_published(
    df: pd.DataFrame, labels: Mapping[str, str] | None = None, decimals: Mapping[str, int] | None = None
) -> tuple[pd.DataFrame, dict[str, int]]:
    """A copy of *df* at its published precision, and the decimals of each numeric column.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as a notebook records it (full precision).
    labels : mapping, optional
        Chinese column labels (column → label), read for units.
    decimals : mapping, optional
        Decimals a notebook sets for some columns (column → decimals).

    Returns
    -------
    table : pandas.DataFrame
        Floats rounded half away from zero to :func:`published_decimals`; whole-valued count columns with
        missing (suppressed) cells become nullable integers, written ``267`` rather than ``267.0``.
    decimals : dict
        Column → decimals written, for every numeric column that has them (read by ``tables.xlsx``).
    """
    labels, chosen = dict(labels or {}), dict(decimals or {})
    out = df.copy()
    written: dict[str, int] = {}
    for j, column in enumerate(df.columns):
        series = df.iloc[:, j]
        label = labels.get(str(column)) or _label(column)
        kind = column_kind(str(column), series, label)
        digits = published_decimals(str(column), series, label, chosen.get(str(column)))
        if digits is None:
            continue
        written[str(column)] = digits
        if pd.api.types.is_integer_dtype(series):
            continue
        values = series.astype(float)
        rounded = values.map(lambda v: _half_up(v, digits), na_action="ignore")
        if digits == 0 and kind in ("count", "plain"):
            out.isetitem(j, rounded.astype("Int64"))
        else:
            out.isetitem(j, rounded.astype(float))
    return out, written


def _label(column) -> str:
    from ipstats.display import LABELS

    return LABELS.get(str(column), "")


def excel_format(kind: str, digits: int | None) -> str | None:
    """Excel number format of a column of *kind* shown with *digits* decimals (None: leave the cell as it is).

    ``count`` ``#,##0``; ``plain`` (years, ranks) ``0``; ``pct`` ``0.0``, and ``0.0#`` for two decimals (one
    ``#`` per decimal after the first: a cell shows the decimals its value has, :func:`shown_decimals`); amounts,
    fractional counts and other decimals with thousands separators, ``#,##0.00`` when the decimals are unknown.
    """
    if kind == "text":
        return None
    if kind == "plain":
        return "0"
    if kind == "count":
        return "#,##0"
    places = 2 if digits is None else digits
    if kind == "pct":
        least = min(places, DECIMALS["pct"])
        fraction = "." + "0" * least + "#" * (places - least) if places > 0 else ""
        return f"0{fraction}"
    fraction = "." + "0" * places if places > 0 else ""
    return f"#,##0{fraction}"
