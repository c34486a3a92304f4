"""Chinese patent application numbers (专利申请号).

Since 1 October 2003 CNIPA application numbers have 12 digits and a check character,
written ``CN202310123456.7`` (or ``202310123456.7``; ``ZL`` before the number names the
granted patent):

* digits 1–4: filing year;
* digit 5: type — 1 invention (发明), 2 utility model (实用新型), 3 design (外观设计),
  8 PCT invention entering the national phase, 9 PCT utility model;
* digits 6–12: serial number within the year and type;
* check character: the 12 digits weighted 2,3,4,5,6,7,8,9,2,3,4,5, summed, modulo 11,
  with 10 written ``X``.

Numbers before October 2003 have 8 digits (2-digit year, type, 5-digit serial) with
weights 2–9; both forms are checked.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = [
    "TYPE_DIGITS",
    "check_character",
    "format_application_number",
    "is_valid_application_number",
    "check_characters",
    "receipt_year_sql",
]

#: Patent type (Chinese name) for each type digit of the application number.
TYPE_DIGITS = {"1": "发明", "2": "实用新型", "3": "外观设计", "8": "发明", "9": "实用新型"}

_WEIGHTS_12 = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])
_WEIGHTS_8 = np.array([2, 3, 4, 5, 6, 7, 8, 9])
_PATTERN = re.compile(r"^(?:CN|ZL)?\s*(\d{12}|\d{8})\.?([0-9X])$")


def check_character(digits: str) -> str:
    """Return the check character for the 12 (or 8) digits of an application number.

    Parameters
    ----------
    digits : str
        The digits before the dot, e.g. ``"201710601862"``.

    Returns
    -------
    str
        ``"0"``–``"9"`` or ``"X"``.

    Examples
    --------
    >>> check_character("201710601862")
    '3'
    """
    if not digits.isdigit() or len(digits) not in (8, 12):
        raise ValueError(
            f"an application number has 12 (or, before 2003-10, 8) digits before the check character; got {digits!r}"
        )
    weights = _WEIGHTS_12 if len(digits) == 12 else _WEIGHTS_8
    remainder = int(np.dot(weights, [int(c) for c in digits])) % 11
    return "X" if remainder == 10 else str(remainder)


def check_characters(year: np.ndarray, type_digit: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """Vectorised check characters for 12-digit numbers built from year, type digit and serial.

    Parameters
    ----------
    year, type_digit, serial : numpy.ndarray of int
        Filing year (4 digits), type digit and 7-digit serial number, one element per number.

    Returns
    -------
    numpy.ndarray of str
    """
    number = (np.asarray(year, dtype=np.int64) * 10 + np.asarray(type_digit, dtype=np.int64)) * 10_000_000 + np.asarray(
        serial, dtype=np.int64
    )
    total = np.zeros(number.shape, dtype=np.int64)
    rest = number.copy()
    for weight in _WEIGHTS_12[::-1]:  # last digit carries the last weight
        total += (rest % 10) * weight
        rest //= 10
    remainder = total % 11
    return np.where(remainder == 10, "X", remainder.astype(str))


def format_application_number(year: int, type_digit: int, serial: int) -> str:
    """Build ``CNyyyyTnnnnnnn.C`` from its parts, computing the check character.

    Examples
    --------
    >>> format_application_number(2017, 1, 601862)
    'CN201710601862.3'
    """
    if not (1985 <= year <= 9999 and str(type_digit) in TYPE_DIGITS and 0 < serial < 10_000_000):
        raise ValueError(f"not a valid application number: year={year}, type digit={type_digit}, serial={serial}")
    digits = f"{year:04d}{type_digit}{serial:07d}"
    return f"CN{digits}.{check_character(digits)}"


def is_valid_application_number(text: str) -> bool:
    """True when *text* is a well-formed CN application number whose check character is right."""
    match = _PATTERN.match(text.strip().upper()) if isinstance(text, str) else None
    if not match:
        return False
    digits, check = match.groups()
    type_digit = digits[4] if len(digits) == 12 else digits[2]
    return type_digit in TYPE_DIGITS and check_character(digits) == check


def receipt_year_sql(column: str = "r.application_number") -> str:
    """SQL for the year an application was received (受理年度), read from its number's year digits.

    ``CN202310123456.6`` → 2023 (digits 1–4 of a 12-digit number); ``95115608.X`` → 1995 (digits 1–2 of an
    8-digit number, used until October 2003: 85–99 are 1985–1999, 00–03 are 2000–2003). NULL for anything
    else. Plain SQL that DuckDB and Spark read alike (no backslashes: the two escape them differently).
    """
    digits = f"regexp_extract({column}, '([0-9]{{12}}|[0-9]{{8}})', 1)"
    two = f"CAST(substr({digits}, 1, 2) AS INTEGER)"
    return (
        f"(CASE WHEN length({digits}) = 12 THEN CAST(substr({digits}, 1, 4) AS INTEGER) "
        f"WHEN length({digits}) = 8 THEN {two} + CASE WHEN {two} >= 85 THEN 1900 ELSE 2000 END END)"
    )
