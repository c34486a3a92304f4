"""The demo legal events: valid against the schema and the demo register, shaped like the published facts."""

from __future__ import annotations

import pandas as pd

from ipstats.transfer import read_legal_events
from ipstats.transfer.demo import write_demo


def test_demo_events_validate_and_look_like_the_published_shape(small_demo, tmp_path):
    register = small_demo["register"]
    path = write_demo(register, tmp_path, seed=7)["patent_legal_events"]
    events = read_legal_events(path, register)  # schema, register and chain checks
    again = write_demo(register, tmp_path / "again", seed=7)["patent_legal_events"]
    assert path.read_bytes() == again.read_bytes()
    tl = events[events["event_type"].isin(["转让", "许可"])]
    by_year = tl.groupby(tl["event_date"].dt.year).size()
    assert by_year[2024] > by_year[2020] > 0  # growing, as the recordals did
    universities = tl["from_type"].isin(["高校", "科研单位"]).mean()
    assert 0.05 < universities < 0.25  # CNIPA 2024: 7.6万 of 61.3万 = 12.4 %
    assert tl["to_type"].eq("企业").mean() > 0.8
    licences = events.loc[events["event_type"] == "许可", "licence_type"].value_counts(normalize=True)
    assert licences.idxmax() == "普通"
    assert events.loc[(events["licence_type"] == "开放许可"), "event_date"].dt.year.min() >= 2022
    pledges = events[events["event_type"] == "质押"].groupby("event_id")["amount_10k_yuan"].first()
    assert pledges.mean() > 1.3 * pledges.median()  # skewed amounts
    # owners follow the chain: a transfer's assignor is the previous assignee
    twice = events[events["event_type"] == "转让"].groupby("application_number").filter(lambda g: len(g) > 1)
    for _, chain in twice.groupby("application_number"):
        assert chain["from_name"].iloc[1:].tolist() == chain["to_name"].iloc[:-1].tolist()
    assert (events["event_date"] >= events["filing_date"]).all()
    assert pd.api.types.is_datetime64_any_dtype(events["event_date"])
