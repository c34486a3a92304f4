"""Unified social credit codes (GB 32100-2015): check character, organisation-code check, problems in words."""

from __future__ import annotations

import pytest

from ipstats.register.uscc import (
    ALPHABET,
    check_character,
    credit_code_problem,
    format_credit_code,
    is_valid_credit_code,
    organization_code_check,
)


def test_alphabet_excludes_i_o_z_s_v():
    assert len(ALPHABET) == 31
    assert not set("IOZSV") & set(ALPHABET)


def test_check_character_by_hand():
    # 91350100M000100Y4: values 9,1,3,5,0,1,0,0,M=21,0,0,0,1,0,0,Y=30,4 with weights 3**i mod 31
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    values = [9, 1, 3, 5, 0, 1, 0, 0, 21, 0, 0, 0, 1, 0, 0, 30, 4]
    # 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1,640; 1,640 mod 31 = 28; 31 − 28 = 3
    assert sum(v * w for v, w in zip(values, weights)) == 1640
    assert check_character("91350100M000100Y4") == "3"
    # a sum divisible by 31 gives 31, written 0
    assert check_character("0" * 17) == "0"
    assert format_credit_code("0" * 17) == "0" * 18


@pytest.mark.parametrize("code", ["91350100M000100Y43", "914403001922038216", "91110000100017643K"])
def test_published_codes_are_valid(code):
    # the standard's sample code and two codes printed on public business licences
    assert is_valid_credit_code(code)


def test_organization_code_check():
    # 19220382: 1·3 + 9·7 + 2·9 + 2·10 + 0·5 + 3·8 + 8·4 + 2·2 = 164; 164 mod 11 = 10; 11 − 10 = 1
    assert organization_code_check("19220382") == "1"
    with pytest.raises(ValueError):
        organization_code_check("1922038")


@pytest.mark.parametrize(
    "code, words",
    [
        ("914403001922038217", "check character is '7', expected '6'"),
        ("91440300192203821", "has 17 characters"),
        ("91440300I922038216", "never used"),
        ("9144030019220382l6", "other than digits and capital letters"),
        ("91AB0300192203821X", "administrative division"),
        ("", "is empty"),
        (None, "is empty"),
    ],
)
def test_problems_in_words(code, words):
    problem = credit_code_problem(code)
    assert problem is not None and words in problem


def test_check_character_rejects_bad_input():
    with pytest.raises(ValueError, match="17 characters"):
        check_character("9135")
    with pytest.raises(ValueError, match="not used"):
        check_character("91350100O000100Y4")
