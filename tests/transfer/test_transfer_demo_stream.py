"""Streamed demo legal events: a register above STREAM_BLOCK has its events drawn and written block by block."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ipstats.register import demo as register_demo
from ipstats.transfer import read_legal_events
from ipstats.transfer.demo import write_demo
from ipstats.validate import validate_file

BLOCK = 5_000
PATENTS = 20_000
MIN_PLEDGES = 40
LICENCE_SHARE = 0.15  # licences among the demo's transfers and licences


@pytest.fixture(scope="module")
def streamed(tmp_path_factory) -> dict:
    """A register of four blocks, its events streamed twice with one seed, and drawn in one piece."""
    root = tmp_path_factory.mktemp("transfer_stream")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(register_demo, "STREAM_BLOCK", BLOCK)
        register = register_demo.write_demo_data(root / "demo", patents=PATENTS, seed=5, domains=False)["register"]
        assert register_demo.is_streamed(register)
        files = {name: write_demo(register, root / name, seed=3)["patent_legal_events"] for name in ("a", "b")}
    assert not register_demo.is_streamed(register)
    files["whole"] = write_demo(register, root / "whole", seed=3)["patent_legal_events"]
    events = {name: read_legal_events(path, register) for name, path in files.items()}  # schema, register, chains
    return {"register": register, "files": files, "events": events}


def test_streamed_events_validate_against_the_register(streamed):
    report = validate_file(
        streamed["files"]["a"], "patent_legal_events", references={"patent_register": streamed["register"]}
    )
    assert report.ok, report.lines()[:3]
    raw = streamed["files"]["a"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1
    assert raw.count(b"event_id,application_number,") == 1


def test_event_ids_are_unique_over_the_blocks(streamed):
    events = streamed["events"]["a"]
    assert not events.duplicated(["event_id", "application_number"]).any()
    assert events.groupby("event_id")["event_type"].nunique().eq(1).all()
    single = events[events["event_type"].isin(["转让", "许可"])]
    assert single["event_id"].is_unique  # one patent per transfer or licence
    serial = single["event_id"].str[5:].astype(int)
    for _, numbers in serial.groupby(single["event_type"]):
        assert sorted(numbers) == list(range(1, len(numbers) + 1))  # the serials run on from block to block


def test_streamed_events_are_deterministic(streamed):
    assert streamed["files"]["a"].read_bytes() == streamed["files"]["b"].read_bytes()
    assert streamed["files"]["a"].read_bytes() != streamed["files"]["whole"].read_bytes()


def test_every_event_stays_in_its_block(streamed):
    numbers = pd.read_parquet(streamed["register"], columns=["application_number"])["application_number"]
    block = pd.Series(np.arange(len(numbers)) // BLOCK, index=numbers)
    events = streamed["events"]["a"]
    assert events["application_number"].isin(numbers).all()
    assert events.groupby("event_id")["application_number"].agg(lambda n: block[n].nunique()).eq(1).all()
    raw = pd.read_csv(streamed["files"]["a"], encoding="utf-8-sig", usecols=["event_date"])["event_date"]
    assert (raw < raw.shift()).sum() <= PATENTS // BLOCK - 1  # sorted within each block


def test_transfers_follow_the_owner_chain(streamed):
    applicant = pd.read_parquet(streamed["register"], columns=["application_number", "applicant_name"])
    applicant = applicant.set_index("application_number")["applicant_name"]
    transfers = streamed["events"]["a"].query("event_type == '转让'")
    assert len(transfers) > 100
    for number, chain in transfers.groupby("application_number"):
        assert chain["from_name"].iloc[0] == applicant[number]
        assert chain["from_name"].iloc[1:].tolist() == chain["to_name"].iloc[:-1].tolist()


def yearly(events: pd.DataFrame, kinds: list[str]) -> pd.Series:
    chosen = events[events["event_type"].isin(kinds)]
    return chosen.groupby(chosen["event_date"].dt.year).size()


def test_yearly_numbers_match_the_unstreamed_demo(streamed):
    """Each block draws round(national × demo_scale(block) × growth) events a year and the block scales add up to
    the register's, so the yearly number of transfers and licences together differs from the unstreamed one only by
    rounding (at most half an event per block and for the whole) and by the few draws dropped at a patent's grant
    or lapse. Each draw is a licence with probability 0.15 on its own, so a kind's yearly count is binomial and the
    two files' counts differ by at most four standard deviations of their difference, plus that rounding."""
    streamed_events, whole = streamed["events"]["a"], streamed["events"]["whole"]
    both, both_whole = yearly(streamed_events, ["转让", "许可"]), yearly(whole, ["转让", "许可"])
    assert list(both.index) == list(both_whole.index) == list(range(2016, 2026))
    assert ((both - both_whole).abs() <= PATENTS // BLOCK + 2).all()
    sd = np.sqrt(2 * both_whole * LICENCE_SHARE * (1 - LICENCE_SHARE))
    for kind in ("转让", "许可"):
        counts, counts_whole = yearly(streamed_events, [kind]), yearly(whole, [kind])
        assert ((counts - counts_whole).abs() <= 4 * sd + PATENTS // BLOCK + 2).all(), kind


def test_the_pledge_floor_is_shared_by_the_blocks(streamed):
    """A 20,000-application register scales to fewer than 40 pledge contracts a year, so the floor holds in every
    full year: the blocks' shares of it add up to the floor of the whole file."""
    for events in (streamed["events"]["a"], streamed["events"]["whole"]):
        pledges = events[events["event_type"] == "质押"].drop_duplicates("event_id")
        contracts = pledges.groupby(pledges["event_date"].dt.year).size()
        assert contracts.loc[2016:2024].eq(MIN_PLEDGES).all()
