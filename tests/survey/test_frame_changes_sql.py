"""frame_changes (one DuckDB aggregate over both frames) counts what merging the two pandas frames counts."""

from __future__ import annotations

import pandas as pd
import pytest

from ipstats.survey.weighting import frame_changes, survey_frame
from ipstats.transfer import read_legal_events
from ipstats.transfer.demo import write_demo
from ipstats.transfer.events import last_transfers


def merged_changes(register, year, events, strata) -> dict[str, int]:
    """The counts from the two frames in pandas, merged (the definition, spelled out)."""
    first, owner = survey_frame(register, year), survey_frame(register, year, events)
    both = first.merge(owner, on="application_number", how="outer", suffixes=("_first", "_owner"), indicator=True)
    moved = pd.Series(False, index=both.index)
    for column in strata:
        moved |= both[f"{column}_first"].astype(str) != both[f"{column}_owner"].astype(str)
    transferred = owner["application_number"].isin(last_transfers(events, f"{year}-12-31")["application_number"])
    counts = {
        "frame_patents": len(owner),
        "transferred": int(transferred.sum()),
        "moved": int((moved & (both["_merge"] == "both")).sum()),
        "entered": int((both["_merge"] == "right_only").sum()),
        "left": int((both["_merge"] == "left_only").sum()),
    }
    counts["changed"] = counts["moved"] + counts["entered"] + counts["left"]
    return counts


@pytest.fixture(scope="module")
def demo_events(small_demo, tmp_path_factory):
    register = small_demo["register"]
    path = write_demo(register, tmp_path_factory.mktemp("events"), seed=5)["patent_legal_events"]
    return register, read_legal_events(path, register)


@pytest.mark.parametrize("year", [2021, 2023])
@pytest.mark.parametrize(
    "strata", [("applicant_type", "region", "patent_type"), ("province_code",), ("patentee", "region"), ()]
)
def test_frame_changes_equal_the_merged_frames(demo_events, year, strata):
    register, events = demo_events
    got = frame_changes(register, year, events, strata)
    assert got == merged_changes(register, year, events, strata)
    assert got["transferred"] > 0 and got["frame_patents"] > got["transferred"]
    if strata:
        assert got["moved"] > 0


def test_a_stratum_that_is_not_a_frame_column_is_refused(demo_events):
    register, events = demo_events
    with pytest.raises(ValueError, match="not columns of the survey frame"):
        frame_changes(register, 2023, events, ("industry",))
