"""Shared fixtures: a small demo register made once per session, and the path of ../shared/reference."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """The gathered reference data beside the project; tests that need it skip where it is absent."""
    if not SHARED.exists():
        pytest.skip(f"{SHARED} is absent (the package carries its own copies; this test compares with the sources)")
    return SHARED


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory) -> dict:
    """A 5,000-application demo register written once for the session."""
    from ipstats.register.demo import write_demo_data

    return write_demo_data(tmp_path_factory.mktemp("demo"), patents=5_000, seed=11)
