"""Value formats of the schemas: Chinese date forms, IPC symbols, application numbers, credit codes.

Each checker takes a Series of non-empty text cells and returns the expectation a bad cell failed
(an object array, ``None`` where the cell is good), so messages can quote the bad part of a cell.
"""

from __future__ import annotations

import re
from typing import Callable

import numpy as np
import pandas as pd

from ipstats import ipc

__all__ = ["DATE_FORMS", "FORMATS", "parse_dates", "uscc_checker"]

#: The date spellings accepted where a schema says ``type: date``.
DATE_FORMS = "2023-05-01, 2023/5/1, 2023.5.1, 20230501 or 2023年5月1日"
#: One pattern: year, month, day in any of the forms of :data:`DATE_FORMS` (ASCII digits only).
_DATE_PATTERN = re.compile(
    r"\A(?:([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T]00:00(?::00)?)?"
    r"|([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})|([0-9]{4})\.([0-9]{1,2})\.([0-9]{1,2})"
    r"|([0-9]{4})([0-9]{2})([0-9]{2})|([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日)\Z"
)
_PATTERN_PART = re.compile(r"^[A-H](?:\d{2}(?:[A-Z](?:\d{1,4}(?:/\d{0,6})?)?)?)?\*?$")


def parse_dates(text: pd.Series) -> pd.Series:
    """Parse dates written in the usual Chinese forms (see :data:`DATE_FORMS`); NaT where not a real date.

    Examples
    --------
    >>> parse_dates(pd.Series(["2023/5/1", "2023年5月1日", "2023.05.01", "20230230"])).dt.strftime("%Y-%m-%d").tolist()
    ['2023-05-01', '2023-05-01', '2023-05-01', nan]
    """
    index = text.index
    text = pd.Series(text.to_numpy(dtype=object), dtype=object).str.strip()
    found = text.str.extract(_DATE_PATTERN)
    parts = found.iloc[:, 0:3].set_axis(["year", "month", "day"], axis=1)
    for start in range(3, found.shape[1], 3):
        parts = parts.combine_first(found.iloc[:, start : start + 3].set_axis(["year", "month", "day"], axis=1))
    numbers = parts.apply(pd.to_numeric, errors="coerce")
    parsed = pd.to_datetime(numbers, errors="coerce")
    parsed.index = index
    return parsed


def _per_distinct(values: pd.Series, judge: Callable[[str], str | None]) -> np.ndarray:
    """Apply *judge* (cell → expectation or None) once per distinct cell."""
    distinct = pd.unique(values.to_numpy(dtype=object))
    verdicts = {cell: judge(cell) for cell in distinct}
    return np.array([verdicts[cell] for cell in values.to_numpy(dtype=object)], dtype=object)


def _ipc_symbol(cell: str) -> str | None:
    try:
        ipc.parse(cell)
    except ipc.IPCParseError:
        return "an IPC symbol such as H04L29/06 or H04L 29/06"
    return None


def _ipc_lists(values: pd.Series) -> np.ndarray:
    """IPC cells holding several symbols: split and fold all cells at once (as :func:`ipstats.ipc.split_cell`
    does one by one), parse each distinct part once, report a cell's first bad part."""
    cells = pd.Series(values.to_numpy(dtype=object), dtype="str")
    parts = cells.str.normalize("NFKC").str.split(ipc._SEPARATORS.pattern, regex=True).explode().str.strip()
    parts = parts[parts.fillna("").ne("")]
    _, failed = ipc.parse_distinct(parts)
    out = np.full(len(values), None, dtype=object)
    bad = parts[parts.isin(failed)]
    first = bad[~bad.index.duplicated()]
    out[first.index.to_numpy()] = [
        f"IPC symbols such as H04L29/06 separated by ';' ({part!r} is not one)" for part in first
    ]
    return out


def _ipc_patterns(cell: str) -> str | None:
    for part in ipc.split_cell(cell):
        if not _PATTERN_PART.match(part.replace(" ", "")):
            return f"IPC patterns such as H01L*, H01L21* or H01L21/02 separated by ';' ({part!r} is not one)"
    return None


_APPNO = r"\ACN([0-9]{12}|[0-9]{8})\.([0-9X])\Z"
_WEIGHTS = {12: np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]), 8: np.array([2, 3, 4, 5, 6, 7, 8, 9])}


def _application_numbers(values: pd.Series) -> np.ndarray:
    """Vectorised 申请号 check: CN + 12 (or 8) digits + '.' + check character (mod 11, X for 10)."""
    parts = values.astype(object).str.extract(_APPNO)
    out = np.full(
        len(values), "an application number CN + 12 digits + '.' + check character, e.g. CN202310123456.7", dtype=object
    )
    for width, weights in _WEIGHTS.items():
        sel = parts[0].str.len().eq(width).fillna(False).to_numpy()
        if not sel.any():
            continue
        digits = np.frombuffer("".join(parts[0][sel]).encode("ascii"), dtype=np.uint8).reshape(-1, width) - 48
        remainder = (digits.astype(np.int64) @ weights) % 11
        expected = np.where(remainder == 10, "X", remainder.astype(str))
        given = parts[1][sel].to_numpy(dtype=str)
        type_digit = digits[:, 4 if width == 12 else 2]
        good = (expected == given) & np.isin(type_digit, [1, 2, 3, 8, 9])
        out[np.flatnonzero(sel)[good]] = None
        wrong = np.flatnonzero(sel)[~good]
        out[wrong] = [
            f"the check character {e} (mod 11 over the digits)"
            if t in (1, 2, 3, 8, 9)
            else "a type digit 1, 2, 3, 8 or 9 after the year"
            for e, t in zip(expected[~good], type_digit[~good])
        ]
    return out


def uscc_checker() -> Callable[[str], str | None] | None:
    """``credit_code_problem`` of :mod:`ipstats.register.uscc` (统一社会信用代码, GB 32100-2015); None when absent."""
    try:
        from ipstats.register.uscc import credit_code_problem
    except ImportError:
        return None
    return credit_code_problem


def _uscc(values: pd.Series) -> np.ndarray | None:
    problem = uscc_checker()
    if problem is None:
        return None

    def judge(cell: str) -> str | None:
        found = problem(cell)
        if found is None:
            return None
        return f"a unified social credit code (统一社会信用代码) — this one {found}"

    return _per_distinct(values, judge)


#: Checkers by schema ``format``: Series of non-empty cells → expectation per cell (None = good),
#: or None when the check is unavailable.
FORMATS: dict[str, Callable[[pd.Series], np.ndarray | None]] = {
    "ipc": lambda values: _per_distinct(values, _ipc_symbol),
    "ipc_list": _ipc_lists,
    "ipc_pattern_list": lambda values: _per_distinct(values, _ipc_patterns),
    "cn_application_number": _application_numbers,
    "uscc": _uscc,
}
