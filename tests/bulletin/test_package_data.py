"""The manifest pins every data file shipped inside the package (rules CSVs and survey revenue bands included)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import ipstats
from ipstats.bulletin.manifest import package_data
from ipstats.reference import catalogue

PACKAGE = Path(ipstats.__file__).resolve().parent


def test_package_data_hashes_rules_bands_and_every_catalogued_table():
    files = {r["file"]: r["sha256"] for r in package_data()}
    for name in (
        "concordance/data/cnipa_sei_2021/rules.csv",
        "concordance/data/cnipa_green_tech/categories.csv",
        "survey/data/revenue_bands.csv",
    ):
        assert files[name] == hashlib.sha256((PACKAGE / name).read_bytes()).hexdigest(), name
    for file in catalogue()["file"]:
        assert f"reference/data/{file}" in files, file
    assert not [f for f in files if f.endswith(".py") or "__pycache__" in f]
