"""Cells of published files (CSV, Excel): formulas neutralised, floats at a fixed precision.

Text a spreadsheet would run as a formula — a cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return (OWASP, "CSV Injection") — is written with a leading apostrophe and quoted in CSV
(``"'=HYPERLINK(…)"``); Excel shows such a cell as text. Numbers, negative ones included, stay numbers, and
so does text that is exactly a number (``-3``, ``+1.5e3``). The guard is reversible (:func:`unguard_text`),
so ``tables.xlsx``, which is written from the CSV files, holds the original text as a string cell.

Floats are written with :data:`SIGNIFICANT_DIGITS` significant digits, never finer than :data:`MAX_DECIMALS`
decimals and never coarser than :data:`MIN_DECIMALS` (the tables' published precision: large values keep their
units and cents), ``-0`` as ``0``: the last bits of a float sum depend on the order of its
terms, and the same inputs must give byte-identical files.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "FORMULA_START",
    "MAX_DECIMALS",
    "MIN_DECIMALS",
    "SIGNIFICANT_DIGITS",
    "guard_text",
    "is_formula_text",
    "publishable",
    "published_number",
    "stable_floats",
    "unguard_text",
    "write_csv",
]

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection guidance).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Published precision of floats in CSV and Excel files.
SIGNIFICANT_DIGITS = 10
MAX_DECIMALS = 10
MIN_DECIMALS = 2

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def is_formula_text(text: str) -> bool:
    """Whether *text* (after any leading apostrophes) begins with a formula character and is not a number."""
    bare = text.lstrip("'")
    return bare[:1] in FORMULA_START and not _NUMBER.fullmatch(bare)


def guard_text(value):
    """*value* with a leading apostrophe when it is formula text (:func:`is_formula_text`), else unchanged.

    Text already beginning with apostrophes before a formula character gets one more, so that
    :func:`unguard_text` gives back exactly the original.
    """
    if isinstance(value, str) and is_formula_text(value):
        return "'" + value
    return value


def unguard_text(value):
    """The original of a value written by :func:`guard_text`."""
    if isinstance(value, str) and value.startswith("'") and is_formula_text(value[1:]):
        return value[1:]
    return value


def published_number(text: str) -> float | None:
    """A published cell read back as a number, as a reader of the CSV would: None for a mark or text.

    Thousands separators are dropped (``1,234.5`` → 1234.5); an empty cell, a symbol (×, —, …), a word or
    a non-finite value gives None.

    Examples
    --------
    >>> published_number("1,234.5"), published_number("×"), published_number(""), published_number("inf")
    (1234.5, None, None, None)
    """
    try:
        value = float(str(text).replace(",", ""))
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def stable_floats(values: pd.Series) -> pd.Series:
    """Floats rounded to :data:`SIGNIFICANT_DIGITS` significant digits, with :data:`MIN_DECIMALS` to
    :data:`MAX_DECIMALS` decimals.

    ``-0`` becomes ``0``; missing and infinite values are kept. Values that are not floats (an object column
    mixing numbers and text) pass through unchanged except Python floats, which are rounded the same way.
    """
    if pd.api.types.is_float_dtype(values):
        x = values.to_numpy(dtype=float, na_value=np.nan, copy=True)
        nonzero = np.isfinite(x) & (x != 0)
        if nonzero.any():
            magnitude = np.floor(np.log10(np.abs(x[nonzero]))).astype(int)
            decimals = np.clip(SIGNIFICANT_DIGITS - 1 - magnitude, MIN_DECIMALS, MAX_DECIMALS)
            rounded = x[nonzero]
            for d in np.unique(decimals):
                at = decimals == d
                rounded[at] = np.round(rounded[at], int(d))
            x[nonzero] = rounded
        x = x + 0.0  # -0.0 + 0.0 is 0.0
        return pd.Series(x, index=values.index, name=values.name, dtype=values.dtype)
    if values.dtype == object:
        floats = values.map(lambda v: isinstance(v, float))
        if floats.any():
            values = values.copy()
            values[floats] = stable_floats(values[floats].astype(float)).astype(object)
    return values


def publishable(df: pd.DataFrame, *, round_floats: bool = True) -> tuple[pd.DataFrame, np.ndarray]:
    """A copy of *df* as it is published, and the mask of the text cells that were guarded.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    round_floats : bool, default True
        Round floats with :func:`stable_floats`.

    Returns
    -------
    table : pandas.DataFrame
        Formula text guarded (:func:`guard_text`), floats rounded.
    guarded : numpy.ndarray of bool
        Shape of *df*: True where a cell was guarded.
    """
    out = df.copy()
    guarded = np.zeros(df.shape, dtype=bool)
    for j, column in enumerate(out.columns):
        series = out.iloc[:, j]
        if round_floats:
            series = stable_floats(series)
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            out.isetitem(j, series)
            continue
        mask = series.map(lambda v: isinstance(v, str) and is_formula_text(v)).to_numpy(dtype=bool)
        if mask.any():
            series = series.astype(object)
            series[mask] = ["'" + v for v in series[mask]]
            guarded[:, j] = mask
        out.isetitem(j, series)
    return out, guarded


def _field(text: str, force: bool, alone: bool) -> str:
    if force or any(ch in text for ch in ',"\r\n') or (alone and text == ""):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(
    df: pd.DataFrame,
    target: str | os.PathLike | io.TextIOBase,
    *,
    na_rep: str = "",
    encoding: str = "utf-8-sig",
    round_floats: bool = True,
) -> None:
    """Write *df* (without its index) as CSV with formula text guarded and quoted, floats at a fixed precision.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; its column names are guarded too.
    target : path or text stream
        File to write (with *encoding*) or an open text stream (e.g. ``sys.stdout``).
    na_rep : str, default ""
        How missing values are written.
    encoding : str, default "utf-8-sig"
        Encoding of a file target (UTF-8 with BOM: Excel opens Chinese text correctly).
    round_floats : bool, default True
        Write floats with :func:`stable_floats` (published tables); False keeps every digit (a classification's
        weights).

    Notes
    -----
    Without guarded cells the file is exactly ``DataFrame.to_csv(index=False)``; otherwise the guarded cells are
    quoted and every other field is quoted as ``to_csv`` quotes it (only when it holds ``,``, ``"`` or a line break).
    """
    table, guarded = publishable(df, round_floats=round_floats)
    header = [guard_text(str(c)) for c in table.columns]
    header_guarded = [h != str(c) for h, c in zip(header, table.columns)]
    table.columns = header
    if not guarded.any() and not any(header_guarded):
        if isinstance(target, (str, os.PathLike)):
            table.to_csv(target, index=False, encoding=encoding, na_rep=na_rep, lineterminator="\n")
        else:
            table.to_csv(target, index=False, na_rep=na_rep, lineterminator="\n")
        return
    # pandas formats the values; the guarded cells are then quoted, which csv's minimal quoting cannot do
    rows = list(csv.reader(io.StringIO(table.to_csv(index=False, na_rep=na_rep, lineterminator="\n"), newline="")))
    force = (
        np.vstack([np.array(header_guarded, dtype=bool)[None, :], guarded])
        if len(rows) > 1
        else np.array(header_guarded, dtype=bool)[None, :]
    )
    alone = len(header) == 1
    text = "".join(
        ",".join(_field(v, bool(force[i, j]), alone) for j, v in enumerate(row)) + "\n" for i, row in enumerate(rows)
    )
    if isinstance(target, (str, os.PathLike)):
        Path(target).write_text(text, encoding=encoding, newline="")
    else:
        target.write(text)
