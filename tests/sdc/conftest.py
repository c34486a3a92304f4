"""Bulletins for the attacker tests: a national run and two provincial runs of one parameter file, each with its
internal output (the unprotected truth the attack is checked against)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
#: The notebooks whose tables the attack reads: the register tables, the industries, the products and the survey.
NOTEBOOKS = [
    "00_overview",
    "10_patent_intensive_industries",
    "20_monitoring_sei",
    "30_patent_intensive_products",
    "40_patent_survey",
]


def _params(folder: Path, region: str, notebooks: list[str]) -> Path:
    """parameters/ci.yaml with absolute paths, its own output folders and only *notebooks*."""
    source = ROOT / "parameters" / "ci.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    base = source.parent

    def absolute(value: str) -> str:
        return str((base / value).resolve())

    data["inputs"] = {k: absolute(v) for k, v in data["inputs"].items()}
    data["notebook_dir"] = absolute(data["notebook_dir"])
    data["demo_data"]["out"] = absolute(data["demo_data"]["out"])
    data["output"] = str(folder / f"bulletin_{region}")
    data["internal_output"] = str(folder / f"internal_{region}")
    data["region"] = region
    data["pdf"] = False  # the attack reads tables; the PDF would add two prints per run
    data["notebooks"] = [
        e
        for e in data["notebooks"]
        if (e["id"] if isinstance(e, dict) and "id" in e else e["name"] if isinstance(e, dict) else e) in notebooks
    ]
    path = folder / f"params_{region}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def bulletins(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Region → (published bulletin, internal output): national, 广东 (44, many products) and 青海 (63, one)."""
    folder = tmp_path_factory.mktemp("attack")
    runs = {
        "national": NOTEBOOKS,
        "44": ["00_overview", "30_patent_intensive_products"],
        "63": ["00_overview", "20_monitoring_sei", "30_patent_intensive_products"],
    }
    out = {}
    for region, notebooks in runs.items():
        params = _params(folder, region, notebooks)
        proc = subprocess.run(
            [sys.executable, "-m", "ipstats", "bulletin", str(params)],
            capture_output=True,
            text=True,
            timeout=1800,
            cwd=ROOT,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        out[region] = (folder / f"bulletin_{region}", folder / f"internal_{region}")
    return out
