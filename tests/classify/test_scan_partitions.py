"""The keyword scan in hash partitions of the patents (above SCAN_KEYS) finds what one pass finds."""

from __future__ import annotations

import pandas as pd
import pytest

from ipstats.concordance.api import classify
from ipstats.engines import duck


@pytest.mark.parametrize("system", ["cnipa_digital_tech_2023", "cnipa_sei_2021"])
def test_partitioned_scan_classifies_as_one_pass(small_demo, monkeypatch, system):
    register = small_demo["register"]
    whole, _ = classify(register, system, keywords="require")
    passes = []
    original = duck._scan_batches
    monkeypatch.setattr(duck, "_scan_batches", lambda reader, scanner: passes.append(1) or original(reader, scanner))
    monkeypatch.setattr(duck, "SCAN_KEYS", 300)  # a few hundred patents a pass: many passes over the texts
    parted, _ = classify(register, system, keywords="require")
    assert len(passes) > 3
    columns = list(whole.columns)
    order = [c for c in columns if whole[c].dtype != float]
    pd.testing.assert_frame_equal(
        parted[columns].sort_values(order).reset_index(drop=True), whole.sort_values(order).reset_index(drop=True)
    )
    assert len(whole) > 0
