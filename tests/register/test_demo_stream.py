"""Streamed demo data (#21): a register above STREAM_BLOCK is drawn and written block by block."""

from __future__ import annotations

import pyarrow.parquet as pq

from ipstats.register import demo
from ipstats.validate import validate_file


def test_streamed_register_is_valid_distinct_and_complete(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "STREAM_BLOCK", 1_500)
    paths = demo.write_demo_data(tmp_path / "demo", patents=4_001, seed=9, domains=False)
    register = pq.read_table(paths["register"])
    links = pq.read_table(paths["register_ipc"])
    assert register.num_rows == 4_001 and pq.ParquetFile(paths["register"]).metadata.num_row_groups == 3
    assert register.schema.metadata[b"ipstats.demo"]
    numbers = register.column("application_number").to_pandas()
    assert numbers.is_unique
    assert set(links.column("application_number").to_pandas()) <= set(numbers)
    for path, schema, refs in (
        (paths["register"], "patent_register", None),
        (paths["register_ipc"], "patent_register_ipc", {"patent_register": paths["register"]}),
    ):
        report = validate_file(path, schema, references=refs, engine="pandas")
        assert report.ok, report.lines()[:3]
    # the same seed gives the same files; blocks differ from each other
    again = demo.write_demo_data(tmp_path / "again", patents=4_001, seed=9, domains=False)
    assert pq.read_table(again["register"]).equals(register)
    first, second = (demo.generate_register(10, seed=demo.block_seed(9, k))[0] for k in (0, 1))
    assert not first.equals(second)


def test_block_serials_are_disjoint():
    a, _ = demo.generate_register(3_000, seed=1, block=(0, 3))
    b, _ = demo.generate_register(3_000, seed=1, block=(1, 3))
    serial = lambda frame: frame["application_number"].str[7:14].astype(int)  # noqa: E731
    assert set((serial(a) - 1) % 3) == {0} and set((serial(b) - 1) % 3) == {1}
    assert not set(a["application_number"]) & set(b["application_number"])


def test_small_registers_are_not_streamed():
    assert demo.STREAM_BLOCK >= 100_000  # the sizes of the tests and the CI bulletin draw in one piece
