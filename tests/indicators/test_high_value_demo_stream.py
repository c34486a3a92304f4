"""The high-value demo inputs of a streamed register: drawn block by block, valid, unique ids, close to one piece.

The register is written in blocks of 5,000 applications (``STREAM_BLOCK`` patched at write time, so it is made
of independent blocks as a national-size one is); the demo is then drawn block by block (``STREAM_BLOCK`` patched
again) and in one piece (the default block size: 20,000 applications are not streamed).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import ipstats.register.demo as register_demo
from ipstats.indicators.high_value_demo import AWARDS_PER_YEAR, DEMO_FILES, write_demo
from ipstats.indicators.high_value_inputs import read_awards, read_families, read_pledges
from ipstats.register.demo import demo_scale, write_demo_data

BLOCK = 5_000
PATENTS = 20_000
BOM = "\ufeff".encode()
READERS = {"patent_families": read_families, "patent_pledges": read_pledges, "patent_awards": read_awards}


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(register_demo, "STREAM_BLOCK", BLOCK)
        paths = write_demo_data(tmp_path_factory.mktemp("hv_stream_register"), patents=PATENTS, seed=31, domains=False)
    return paths["register"]


def _streamed(register, out, seed=2024):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(register_demo, "STREAM_BLOCK", BLOCK)
        assert register_demo.is_streamed(register)
        return write_demo(register, out, seed=seed)


@pytest.fixture(scope="module")
def streamed(register, tmp_path_factory):
    return _streamed(register, tmp_path_factory.mktemp("hv_streamed"))


@pytest.fixture(scope="module")
def whole(register, tmp_path_factory):
    assert not register_demo.is_streamed(register)
    return write_demo(register, tmp_path_factory.mktemp("hv_whole"))


@pytest.fixture(scope="module")
def numbers(register) -> set[str]:
    return set(pd.read_parquet(register, columns=["application_number"])["application_number"])


@pytest.mark.parametrize("key", list(DEMO_FILES))
def test_streamed_files_validate_and_name_register_patents(streamed, register, numbers, key):
    from ipstats.validate import validate_file

    report = validate_file(streamed[key], key, references={"patent_register": register})
    assert report.n_problems == 0, report.problems
    table = READERS[key](streamed[key])  # the reader the indicator uses
    assert len(table) > 0
    assert set(table["application_number"]) <= numbers


@pytest.mark.parametrize("key", list(DEMO_FILES))
def test_one_bom_and_one_header(streamed, key):
    data = streamed[key].read_bytes()
    assert data.startswith(BOM) and data.count(BOM) == 1
    lines = data.decode("utf-8-sig").splitlines()
    assert lines.count(lines[0]) == 1


def test_family_ids_and_awards_are_unique_over_the_blocks(streamed):
    families = read_families(streamed["patent_families"])
    assert families.groupby("family_id")["application_number"].nunique().eq(1).all()  # one CN patent per family
    assert families.groupby("application_number")["family_id"].nunique().eq(1).all()
    assert not families.duplicated(["application_number", "office"]).any()
    awards = read_awards(streamed["patent_awards"])
    assert not awards["application_number"].duplicated().any()  # a patent is awarded once


def test_same_seed_same_files(streamed, register, tmp_path):
    again = _streamed(register, tmp_path / "again")
    other = _streamed(register, tmp_path / "other", seed=7)
    for key in DEMO_FILES:
        assert again[key].read_bytes() == streamed[key].read_bytes(), key
    assert other["patent_families"].read_bytes() != streamed["patent_families"].read_bytes()


def _within(a: int, b: int, variance_per_count: float) -> bool:
    """Two independent counts of the same expectation differ by at most 5 standard deviations.

    A count that sums independent draws of 0..m per patent has a variance of at most m times its mean; the
    difference of two such counts at most m times their sum (estimated by the counts themselves).
    """
    return abs(a - b) <= 5 * np.sqrt(variance_per_count * (a + b))


def test_totals_close_to_the_demo_drawn_in_one_piece(streamed, whole, register):
    # families: one Bernoulli draw per granted invention (variance ≤ mean)
    families = [read_families(p["patent_families"])["family_id"].nunique() for p in (streamed, whole)]
    assert _within(*families, 1), families
    # pledges: 0, 1 or 2 per granted patent (variance ≤ 2 × mean)
    pledges = [len(read_pledges(p["patent_pledges"])) for p in (streamed, whole)]
    assert _within(*pledges, 2), pledges
    # awards: Poisson per year and block; the blocks' scales add up to the register's, so the expectation is that
    # of the register drawn in one piece
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(register_demo, "STREAM_BLOCK", BLOCK)
        sizes = [len(b) for b in register_demo.register_blocks(register, ["application_number"])]
    assert len(sizes) == PATENTS // BLOCK
    assert sum(demo_scale(n) for n in sizes) == pytest.approx(demo_scale(PATENTS))
    as_of = json.loads((register.parent / "demo_meta.json").read_text(encoding="utf-8"))["as_of"]
    expected = AWARDS_PER_YEAR * demo_scale(PATENTS) * (int(as_of[:4]) - 2010)
    awards = [len(read_awards(p["patent_awards"])) for p in (streamed, whole)]
    assert all(abs(n - expected) <= 5 * np.sqrt(expected) for n in awards), (awards, expected)
