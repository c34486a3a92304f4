"""Foreign keys are looked up in the referenced file chunk by chunk, and application numbers are compared bare.

The register a legal-events or IPC-link file refers to is a national table: the checker holds only the keys of
the file it checks and reads the register in batches (:data:`ipstats.validate.core.REFERENCE_BATCH`). The answer
must not depend on the batch size: a key in the last batch is found, a key in none is reported on its row.
"""

import re

import pandas as pd
import pytest

import ipstats.validate.core as core
from ipstats.register.appno import check_character
from ipstats.validate import validate_file


def _register(tmp_path, numbers, suffix):
    frame = pd.DataFrame({"application_number": numbers})
    path = tmp_path / f"ref{suffix}"
    frame.to_parquet(path) if suffix == ".parquet" else frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
@pytest.mark.parametrize("batch", [1, 2, 1000])
def test_keys_found_in_any_batch_and_missing_ones_reported(tmp_path, monkeypatch, suffix, batch):
    monkeypatch.setattr(core, "REFERENCE_BATCH", batch)
    numbers = [f"CN20201000{i:04d}.{i % 10}" for i in range(7)]
    register = _register(tmp_path, numbers, suffix)
    keys = pd.DataFrame(
        {
            "_line": [2, 3, 4, 5],
            "application_number": ["ZL2020100000066", numbers[0], "CN202010009999.9", ""],  # last batch, first, none
        }
    )
    collector = core._Collector(20)
    schema = core.resolve_schema("patent_register_ipc")
    notes: list[str] = []
    core._key_checks(keys, schema, collector, {"patent_register": register}, notes)
    lines = [p.line for p in collector.problems()]
    assert lines == [4], collector.problems()  # the empty cell is the required check's, not the key's
    assert not notes


def test_bare_numbers_match_the_python_rule():
    rule = re.compile(r"^\s*(?:CN|ZL)|[\s.]")
    cells = [
        "cn202310123456.7",
        " ZL 2023 1012 3456.7",
        "\u3000CN2023101234567",
        "2023.10.12",
        "",
        "zl\u00a0x.1",
        "ß.1",
    ]
    got = core._bare_application_number(pd.Series(cells)).tolist()
    expected = [rule.sub("", c.upper()) for c in cells[:-1]]
    assert got[:-1] == expected
    assert got[-1] == core._bare_application_number(pd.Series([cells[-1]])).iloc[0]  # the same on both sides


def _number(serial: int) -> str:
    digits = f"20201000{serial:04d}"
    return f"CN{digits}.{check_character(digits)}"


def test_links_file_against_a_register_read_in_small_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(core, "REFERENCE_BATCH", 2)
    register = _register(tmp_path, [_number(i) for i in range(5)], ".parquet")
    links = tmp_path / "links.csv"
    links.write_text(
        f"application_number,ipc,seq\n{_number(4)},H04L 9/00,1\n{_number(99)},G06F 3/00,1\n", encoding="utf-8"
    )
    report = validate_file(links, "patent_register_ipc", references={"patent_register": register}, engine="pandas")
    assert [p.line for p in report.problems] == [3]
    assert "expected a value found in column application_number of patent_register" in report.lines()[0]
