"""Fixtures for the bulletin tests: parameter files written into tmp_path, pointing at ./data."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import os
import subprocess
import sys

import pytest
import yaml

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    """Two small input files."""
    population = tmp_path / "population.csv"
    population.write_text("province_code,population\n11,2185\n44,12706\n", encoding="utf-8")
    register = tmp_path / "register.csv"
    register.write_text("application_no,filing_date\nCN1,2023-01-02\n", encoding="utf-8")
    return {"population": population, "register": register}


@pytest.fixture
def write_params(tmp_path: Path, inputs: dict[str, Path]) -> Callable[..., Path]:
    """Write a parameter file into tmp_path; keyword arguments override or (value None) drop keys."""

    def write(name: str = "params.yaml", text: str | None = None, **changes: Any) -> Path:
        path = tmp_path / name
        if text is not None:
            path.write_text(text, encoding="utf-8")
            return path
        content: dict[str, Any] = {
            "title": "测试公报",
            "year": 2023,
            "region": "national",
            "output": "out/bulletin",
            "notebook_dir": str(DATA),
            "execution_timeout": 120,
            "inputs": {"population": "population.csv", "register": "register.csv"},
            "notebooks": ["good"],
        }
        for key, value in changes.items():
            if value is None:
                content.pop(key, None)
            else:
                content[key] = value
        path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def ci_bulletin(tmp_path_factory):
    """The CI bulletin (parameters/ci.yaml) built once per test session, as CI and users run it.

    ``make test`` builds it once before pytest (``out/ci``, with its console output in ``out/ci.stdout`` and
    ``out/ci.stderr``) and names it in ``IPSTATS_CI_BULLETIN``; the tests then read that run instead of
    building a second one.
    """
    built = os.environ.get("IPSTATS_CI_BULLETIN")
    if built:
        out = (ROOT / built).resolve()
        if not (out / "manifest.json").is_file():
            pytest.fail(f"IPSTATS_CI_BULLETIN={built}: {out} holds no finished bulletin (no manifest.json)")
        logs = {s: (out.parent / f"{out.name}.{s}").read_text(encoding="utf-8") for s in ("stdout", "stderr")}
        return out, subprocess.CompletedProcess([], 0, logs["stdout"], logs["stderr"])
    out = tmp_path_factory.mktemp("ci") / "bulletin"
    proc = subprocess.run(
        [sys.executable, "-m", "ipstats", "bulletin", str(ROOT / "parameters" / "ci.yaml"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    return out, proc


@pytest.fixture(scope="session")
def ci_bulletin_en(tmp_path_factory):
    """The English edition of the CI bulletin (``--lang en``), built once per test session.

    ``make test`` builds it before pytest (``out/ci-en``) and names it in ``IPSTATS_CI_BULLETIN_EN``.
    """
    built = os.environ.get("IPSTATS_CI_BULLETIN_EN")
    if built:
        out = (ROOT / built).resolve()
        if not (out / "manifest.json").is_file():
            pytest.fail(f"IPSTATS_CI_BULLETIN_EN={built}: {out} holds no finished bulletin (no manifest.json)")
        return out
    out = tmp_path_factory.mktemp("ci-en") / "bulletin"
    proc = subprocess.run(
        [sys.executable, "-m", "ipstats", "bulletin", str(ROOT / "parameters" / "ci.yaml"), "--lang", "en"]
        + ["--out", str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def same_publication(ci_bulletin) -> Callable[[Path, Path], None]:
    """Build a bulletin from a parameter file (``--no-pdf``) and assert it publishes the CI bulletin's files.

    The tables, chart data and texts must be byte for byte those of ``ci_bulletin`` (same names, same bytes).
    """
    reference, _ = ci_bulletin

    def check(params: Path, out: Path) -> None:
        proc = subprocess.run(
            [sys.executable, "-m", "ipstats", "bulletin", str(params), "--out", str(out), "--no-pdf"],
            capture_output=True,
            text=True,
            timeout=1800,
            cwd=ROOT,
        )
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
        for pattern in ("tables/*.csv", "texts/*.md", "figures/*.json"):
            names = sorted(p.relative_to(reference).as_posix() for p in reference.glob(pattern))
            assert names and names == sorted(p.relative_to(out).as_posix() for p in out.glob(pattern)), pattern
            differ = [n for n in names if (reference / n).read_bytes() != (out / n).read_bytes()]
            assert not differ, f"{len(differ)} of {len(names)} {pattern} differ from the CI bulletin's: {differ}"

    return check
