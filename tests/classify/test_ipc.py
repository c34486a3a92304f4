"""IPC symbol parsing: every spelling registers use, bad input, properties, and the real PATENTSCOPE strings."""

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipstats.ipc import IPCParseError, IPCSymbol, normalize, parse, parse_cell, parse_many, split_cell, title, validate

SPELLINGS = [
    "H04L 29/06",
    "H04L29/06",
    "H04L0029060000",
    "H04L  29/06",
    "H04L 29/06 (2006.01)",
    "H04L 29/06 [2006.01]",
    "h04l29/06",
    "Ｈ０４Ｌ２９／０６",
    "H04L\u300029/06",
    " H04L 29 / 06 ",
    "Ｈ０４Ｌ　２９／０６（２００６．０１）",
]


@pytest.mark.parametrize("text", SPELLINGS)
def test_every_spelling_gives_the_same_symbol(text):
    sym = parse(text)
    assert sym == IPCSymbol("H", "04", "L", "29", "06")
    assert (sym.canonical, sym.display, sym.code14, sym.level) == (
        "H04L29/06",
        "H04L 29/06",
        "H04L0029060000",
        "subgroup",
    )


@pytest.mark.parametrize(
    "text, canonical, level",
    [
        ("H", "H", "section"),
        ("H04", "H04", "class"),
        ("H04L", "H04L", "subclass"),
        ("H04L 29/00", "H04L29/00", "main_group"),
        ("H04L29", "H04L29/00", "main_group"),
        ("A23L 1/0528", "A23L1/0528", "subgroup"),
        ("C07D 401/14", "C07D401/14", "subgroup"),
        ("C07D0401140000", "C07D401/14", "subgroup"),
        ("A01B0001000000", "A01B1/00", "main_group"),
        ("G06F 17/3", "G06F17/30", "subgroup"),
        ("B60L 8/00", "B60L8/00", "main_group"),
        ("B60L 80/00", "B60L80/00", "main_group"),
        ("H01L 21/02107", "H01L21/02107", "subgroup"),
    ],
)
def test_levels_and_canonical_forms(text, canonical, level):
    sym = parse(text)
    assert sym.canonical == canonical and sym.level == level


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "xx",
        "H04L 29/",
        "I04L29/06",
        "H4L29/06",
        "H04L 0/00",
        "H04L29/06/07",
        "H04L 29-06",
        "12345",
        "H04LL29/06",
        "H04L0000000000",
    ],
)
def test_bad_symbols_raise_naming_the_input(bad):
    with pytest.raises(IPCParseError, match=re.escape(repr(bad))):
        parse(bad)


def test_non_text_raises():
    with pytest.raises(IPCParseError):
        parse(None)


@pytest.mark.parametrize(
    "cell",
    [
        "H04L 29/06;G06F 17/30",
        "H04L 29/06,G06F 17/30",
        "H04L 29/06；G06F 17/30",
        "H04L 29/06，G06F 17/30",
        "H04L 29/06\nG06F 17/30",
        "H04L 29/06 ; ; G06F 17/30;",
    ],
)
def test_multi_value_cells(cell):
    assert [s.canonical for s in parse_cell(cell)] == ["H04L29/06", "G06F17/30"]


def test_split_cell_empty():
    assert split_cell(None) == [] and split_cell(float("nan")) == [] and split_cell(" ; ") == []


def test_bulk_parse_counts_bad_parts_instead_of_crashing():
    cells = pd.Series(
        ["H04L 29/06;G06F 17/30", "pizza;H01L 21/00", None, "H04L29/06,H04L 29/06", "??"],
        index=["a", "b", "c", "d", "e"],
    )
    out, report = parse_many(cells)
    assert out.groupby("row")["ipc"].apply(list).to_dict() == {
        "a": ["H04L29/06", "G06F17/30"],
        "b": ["H01L21/00"],
        "d": ["H04L29/06"],
    }
    assert (report.n_parts, report.n_parsed, report.n_failed) == (7, 5, 2)
    assert set(report.failed_examples) == {"pizza", "??"}
    assert "2 are not IPC symbols" in str(report) and "'pizza'" in str(report)


def test_validate_against_editions():
    out = validate(["H04L29/06", "H10B10/00", "H01L21/00", "C09D1/00", "H99Z9/99", "A01B3/02"]).set_index("ipc")
    assert out.loc["H10B10/00", "status"] == "current"
    assert out.loc["H01L21/00", "status"] == "older_edition"  # moved to H10 by 2026.01
    assert out.loc["H04L29/06", "status"] == "older_edition"  # H04L29 deleted
    assert out.loc["C09D1/00", "status"] == "unverified"  # subclass missing from our 2026.01 copy
    assert out.loc["H99Z9/99", "status"] == "unknown"
    assert out.loc["A01B3/02", "title_zh"] == "人力犁"


def test_titles_both_languages():
    assert title("A01B 3/02") == "人力犁" and title("A01B 3/02", "en") == "Man-driven ploughs"
    assert title("H99Z 1/00") is None
    with pytest.raises(ValueError):
        title("A01B3/02", "fr")


# ------------------------------------------------------------------ properties

symbols = st.builds(
    lambda sec, cls, sub, mg, sg: IPCSymbol(sec, f"{cls:02d}", sub, str(mg), sg),
    st.sampled_from("ABCDEFGH"),
    st.integers(1, 99),
    st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ"),
    st.integers(1, 9999),
    st.from_regex(r"\A(00|[0-9]{1,5}[1-9])\Z").map(lambda s: s.ljust(2, "0")),
)


@given(symbols)
def test_round_trips(sym):
    assert parse(sym.canonical) == sym
    assert parse(sym.display) == sym
    assert parse(sym.code14) == sym
    assert parse(sym.display.lower() + " (2006.01)") == sym


@given(symbols)
def test_normalisation_is_idempotent(sym):
    once = parse(sym.display).canonical
    assert parse(once).canonical == once
    assert normalize(normalize(sym.display)) == normalize(sym.display)


@given(symbols)
def test_full_width_is_folded(sym):
    full = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" for c in sym.display)
    assert parse(full) == sym


# ------------------------------------------------------------------ real data


def test_patentscope_records(shared_reference):
    """The 24,294 real PATENTSCOPE records: nearly every IPC part parses, and parsing agrees with a plain regex."""
    recs = pd.read_csv(shared_reference / "patents" / "patentscope_pizza_24294.csv", dtype=str)
    out, report = parse_many(recs["ipc_codes"])
    assert report.n_parts > 60_000
    assert report.n_failed / report.n_parts < 0.001, str(report)
    # independent straightforward reading of the 'A23L 1/0528' style used by PATENTSCOPE
    plain = recs["ipc_codes"].dropna().str.split(";").explode().str.strip()
    parts = plain.str.extract(r"^([A-H]\d\d[A-Z]) *(\d{1,4})/(\d{2,6})$").dropna()
    expected = {
        f"{sc}{int(mg)}/{sg.rstrip('0').ljust(2, '0')}" for sc, mg, sg in parts.itertuples(index=False) if int(mg) > 0
    }  # main group 0 does not exist
    assert expected <= set(out["ipc"])
    checked = validate(out["ipc"].unique()).set_index("ipc")
    status = checked["status"].value_counts()
    # 1940-2015 records: most symbols are current; A23L1/.. (reorganised in 2016) predates both editions held
    assert status["current"] > 0.85 * status.sum()
    assert checked.loc["A23L1/00", "status"] == "unknown" and checked.loc["H04L29/06", "status"] == "older_edition"


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("A23B 5/00 A", "A23B5/00"),
        ("7 A 23 B 5/00", "A23B5/00"),
        ("A 21 C 9/06", "A21C9/06"),
        ("A47G 19/02 20060101AFI20061115BHGB", "A47G19/02"),
        ("B65D 5/355 20060101A I20051008RMEP", "B65D5/355"),
        ("G06F 17//30", "G06F17/30"),
    ],
)
def test_spellings_seen_in_patentscope_exports(text, canonical):
    assert parse(text).canonical == canonical


@pytest.mark.parametrize("bad", ["A21D 13/", "B65D /", "19/068", "G06Q 10/00D0"])
def test_truncated_symbols_from_exports_are_rejected(bad):
    with pytest.raises(IPCParseError):
        parse(bad)
