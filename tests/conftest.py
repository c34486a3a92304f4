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


#: Fixtures that build whole bulletins or start an engine: a test using one is in the full lane only.
SLOW_FIXTURES = {"ci_bulletin", "ci_bulletin_en", "bulletins", "spark", "payload_bulletin", "screenshots"}
#: Modules whose every test runs notebooks, bulletins, R, Spark, Chromium or many interpreters.
SLOW_MODULES = {
    "test_attacker.py",
    "test_browser.py",
    "test_bulletin_reproducible.py",
    "test_bulletin_run.py",
    "test_output_folders.py",
    "test_static_figures.py",
    "test_pdf.py",
    "test_spark.py",
    "test_r_conformance.py",
    "test_bad_inputs.py",
    "test_workflow.py",
    "test_cli.py",
    "test_pii_notebook_and_reference.py",
    "test_sources.py",
    "test_hostile_shapes.py",
    "test_duck_engine.py",
    "test_products_report.py",
}


def pytest_sessionstart(session):
    """Make the CI bulletin's demo data (``data/ci``, as ``parameters/ci.yaml`` asks) when it is missing or stale.

    Tests of the fast lane read it; ``make test`` has it already from the bulletin it builds first (then this
    finds it current and does nothing). Under pytest-xdist the controller makes it before the workers start.
    """
    if hasattr(session.config, "workerinput"):
        return
    from ipstats.bulletin.params import load_params

    load_params(ROOT / "parameters" / "ci.yaml")  # prepare=True: ensure_demo_data of its demo_data


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: the full lane only (`make test`); `make test-fast` leaves it out")


def pytest_collection_modifyitems(config, items):
    """Mark the tests of the full lane ``slow``, by the fixtures they use and the module they are in."""
    for item in items:
        if (
            SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
            or item.path.name in SLOW_MODULES
            or "spark" in item.name
        ):  # a Spark session costs half a minute
            item.add_marker(pytest.mark.slow)
