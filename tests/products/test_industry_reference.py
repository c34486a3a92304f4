"""The GB/T 4754-2017 sections and divisions shipped for the product tables."""

from __future__ import annotations

from ipstats import reference


def test_sections_and_divisions_complete():
    table = reference.industry_divisions()
    assert list(table["division"]) == [f"{i:02d}" for i in range(1, 98)]  # 97 divisions, no gaps
    assert sorted(table["section"].unique()) == list("ABCDEFGHIJKLMNOPQRST")  # 20 sections
    # sections are contiguous runs of divisions
    assert table["section"].ne(table["section"].shift()).sum() == 20
    assert table.set_index("division").loc["39", "division_name_zh"] == "计算机、通信和其他电子设备制造业"
    assert table.groupby("section")["section_name_zh"].nunique().eq(1).all()
    manufacturing = table[table["section"] == "C"]["division"]
    assert manufacturing.tolist() == [f"{i}" for i in range(13, 44)]


def test_catalogue_flags_the_transcription():
    entry = reference.catalogue_entry("gbt4754_2017_divisions")
    assert entry["file"] == "gbt4754_2017_divisions.csv"
    assert "TO BE VERIFIED" in entry["trust"]
