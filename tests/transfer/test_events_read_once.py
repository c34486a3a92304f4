"""Legal events are validated once per content: later reads come from the typed cache, equal to the first."""

from __future__ import annotations

import pandas as pd
import pytest

from ipstats.transfer import events as events_module
from ipstats.transfer.events import LegalEventsError, read_legal_events
from ipstats.validate import typed


def test_second_read_is_not_validated_again(small_demo, tmp_path, monkeypatch):
    monkeypatch.setenv("IPSTATS_CACHE", str(tmp_path / "cache"))
    calls = []
    original = typed.validate_file
    monkeypatch.setattr(typed, "validate_file", lambda *a, **k: calls.append(a[0]) or original(*a, **k))
    path, register = small_demo["patent_legal_events"], small_demo["register"]
    first = read_legal_events(path, register)
    assert len(calls) == 1
    again = read_legal_events(path, register)
    assert len(calls) == 1  # read back from the typed Parquet
    pd.testing.assert_frame_equal(again, first)
    direct = typed.read_input(path, events_module.SCHEMA, references={"patent_register": str(register)})
    assert len(direct) == len(first)


def test_a_changed_file_is_validated_and_its_error_reported(small_demo, tmp_path, monkeypatch):
    monkeypatch.setenv("IPSTATS_CACHE", str(tmp_path / "cache"))
    path, register = small_demo["patent_legal_events"], small_demo["register"]
    read_legal_events(path, register)
    text = pd.read_csv(path, dtype=str, keep_default_na=False)
    text.loc[3, "event_date"] = "2023-02-30"
    bad = tmp_path / "events.csv"
    text.to_csv(bad, index=False)
    with pytest.raises(LegalEventsError) as caught:
        read_legal_events(bad, register)
    assert any(f"{bad}:5" in line and "event_date" in line for line in caught.value.problems), caught.value.problems
