"""read_lines: the line numbers of read_cells without the cells (what read_legal_events uses for its messages)."""

from __future__ import annotations

import pandas as pd
import pytest

from ipstats.transfer.events import SCHEMA, LegalEventsError, read_legal_events
from ipstats.validate.typed import read_cells, read_lines


@pytest.fixture(scope="module")
def event_files(small_demo, tmp_path_factory) -> dict:
    """The demo legal events as written, as a GBK CSV behind a title row and two blank lines, and as Excel."""
    folder = tmp_path_factory.mktemp("events")
    original = small_demo["patent_legal_events"]
    text = pd.read_csv(original, dtype=str, keep_default_na=False)
    gbk = folder / "events_gbk.csv"
    body = text.to_csv(index=False, lineterminator="\n").split("\n")
    body[5:5] = [",".join([""] * len(text.columns))] * 2  # two empty rows inside the table
    gbk.write_bytes(("专利权转让、许可、质押登记（摘录）\n" + "\n".join(body)).encode("gbk"))
    excel = folder / "events.xlsx"
    text.to_excel(excel, index=False)
    return {"utf8": original, "gbk": gbk, "excel": excel}


@pytest.mark.parametrize("kind", ["utf8", "gbk", "excel"])
def test_read_lines_are_read_cells_lines(event_files, kind):
    cells, lines = read_cells(event_files[kind], SCHEMA)
    got = read_lines(event_files[kind], SCHEMA)
    assert len(got) == len(cells) > 0
    assert got.tolist() == lines.tolist()


def test_legal_events_messages_keep_their_line_numbers(small_demo, tmp_path):
    """A wrong 申请日 is reported on the line of the file it is on, as before read_lines."""
    text = pd.read_csv(small_demo["patent_legal_events"], dtype=str, keep_default_na=False)
    text.loc[7, "filing_date"] = "1999-01-01"
    bad = tmp_path / "events.csv"
    text.to_csv(bad, index=False)
    with pytest.raises(LegalEventsError) as caught:
        read_legal_events(bad, small_demo["register"])
    assert any(line.startswith(f"{bad}:9: filing_date: '1999-01-01'") for line in caught.value.problems)
