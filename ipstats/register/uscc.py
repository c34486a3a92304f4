"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

Every legal person and other organisation registered in China since 2015 carries an 18-character
code:

* character 1: registration authority (登记管理部门代码), e.g. ``9`` 工商 (market regulation),
  ``1`` 机构编制, ``5`` 民政, ``Y`` other;
* character 2: organisation type within that authority (机构类别代码), e.g. ``91`` enterprise,
  ``92`` individual business, ``93`` farmers' cooperative;
* characters 3–8: administrative division of the registering office (登记管理机关行政区划码,
  GB/T 2260; the first two digits are the province);
* characters 9–17: the organisation's body code (主体标识码, the GB 11714 organisation code, itself
  ending in a check character);
* character 18: the check character (校验码).

Characters are drawn from 31 symbols, the digits and the capital letters without I, O, Z, S and V.
The check character: with each of the first 17 characters valued by its position in that alphabet,
weights ``3**i mod 31`` (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28), the
check value is ``31 - (sum mod 31)``, written ``0`` when that is 31.
"""

from __future__ import annotations

import re

__all__ = [
    "ALPHABET",
    "check_character",
    "credit_code_problem",
    "format_credit_code",
    "is_valid_credit_code",
    "organization_code_check",
]

#: The 31 characters a unified social credit code may contain, in the order of their values 0–30.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_SHAPE = re.compile(r"^[0-9A-Z]{18}$")
#: GB 11714 organisation code weights (body code, characters 9–16 of the credit code).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def check_character(first17: str) -> str:
    """The check character (校验码) of the first 17 characters of a unified social credit code.

    Parameters
    ----------
    first17 : str
        Characters 1–17 of the code (capital letters from :data:`ALPHABET`).

    Returns
    -------
    str
        One character of :data:`ALPHABET`.

    Raises
    ------
    ValueError
        Not 17 characters, or a character outside the code's alphabet.
    """
    if not isinstance(first17, str) or len(first17) != 17:
        raise ValueError(f"the check character is computed from 17 characters; got {first17!r}")
    bad = [ch for ch in first17 if ch not in _VALUE]
    if bad:
        raise ValueError(
            f"{first17!r}: character {bad[0]!r} is not used in unified social credit codes "
            f"(digits and capital letters except I, O, Z, S, V)"
        )
    remainder = 31 - sum(_VALUE[ch] * w for ch, w in zip(first17, _WEIGHTS)) % 31
    return ALPHABET[0 if remainder == 31 else remainder]


def organization_code_check(body8: str) -> str:
    """Check character of an 8-character organisation code body (组织机构代码, GB 11714-1997).

    Digits count their value, letters ``A``–``Z`` count 10–35; weights 3, 7, 9, 10, 5, 8, 4, 2;
    the check is ``11 - (sum mod 11)``, written ``X`` for 10 and ``0`` for 11.
    """
    if not isinstance(body8, str) or len(body8) != 8 or not body8.isalnum() or not body8.isascii():
        raise ValueError(f"an organisation code body has 8 digits or capital letters; got {body8!r}")
    total = sum(int(ch, 36) * w for ch, w in zip(body8.upper(), _ORG_WEIGHTS))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def format_credit_code(first17: str) -> str:
    """Append the check character to the first 17 characters of a code."""
    return first17 + check_character(first17)


def credit_code_problem(code: object) -> str | None:
    """What is wrong with *code* as a unified social credit code, in words; None when it is valid.

    Checks the length (18), the alphabet, that characters 3–8 are digits (administrative division) and
    the check character. Lower-case letters and surrounding spaces are reported, not silently fixed.

    Examples
    --------
    >>> credit_code_problem("91350100M000100Y43") is None
    True
    """
    if not isinstance(code, str) or code == "":
        return "is empty; expected an 18-character unified social credit code"
    if not _SHAPE.match(code):
        return (
            f"has {len(code)} characters; expected 18 digits or capital letters"
            if len(code) != 18
            else "contains characters other than digits and capital letters"
        )
    bad = [ch for ch in code if ch not in _VALUE]
    if bad:
        return f"contains {bad[0]!r}, a letter never used in credit codes (I, O, Z, S, V are excluded)"
    if not code[2:8].isdigit():
        return f"characters 3–8 ({code[2:8]}) should be the 6-digit administrative division code"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r}, expected {expected!r} (GB 32100-2015)"
    return None


def is_valid_credit_code(code: object) -> bool:
    """True when *code* is a well-formed unified social credit code with the right check character."""
    return credit_code_problem(code) is None
