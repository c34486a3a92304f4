import numpy as np
import pytest

from ipstats.register.appno import (
    check_character,
    check_characters,
    format_application_number,
    is_valid_application_number,
)


@pytest.mark.parametrize(
    "digits, expected",
    [
        ("201710601862", "3"),  # worked example of the CNIPA rule (weights 2..9,2..5, mod 11)
        ("95115608", "X"),  # pre-2003 8-digit number, remainder 10 -> X
    ],
)
def test_check_character_known_examples(digits, expected):
    assert check_character(digits) == expected


def test_vectorised_check_matches_scalar():
    rng = np.random.default_rng(0)
    year, digit, serial = (
        rng.integers(2004, 2025, 500),
        rng.choice([1, 2, 3, 8, 9], 500),
        rng.integers(1, 9_999_999, 500),
    )
    vec = check_characters(year, digit, serial)
    scalar = [check_character(f"{y}{d}{s:07d}") for y, d, s in zip(year, digit, serial)]
    assert list(vec) == scalar


def test_format_and_validate_round_trip():
    number = format_application_number(2023, 1, 123456)
    assert number.startswith("CN202310123456.")
    assert is_valid_application_number(number)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert not is_valid_application_number(wrong)


@pytest.mark.parametrize("text", ["", "CN2023101234567", "CN202340123456.1", "foo", None])
def test_invalid_numbers(text):
    assert not is_valid_application_number(text)


def test_bad_parts_raise():
    with pytest.raises(ValueError, match="not a valid application number"):
        format_application_number(2023, 4, 1)
    with pytest.raises(ValueError, match="12"):
        check_character("12345")
