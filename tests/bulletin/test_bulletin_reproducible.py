"""The same inputs give the same files: the session's CI bulletin and one more run, compared byte for byte.

The noise this guards against: DuckDB's parallel float sums added terms in a different order on every run, so
that 14 to 16 of the 74 CSV files differed between two identical runs (last digits, ``-0.00``, rows tied on a
sum swapping places), and openpyxl stamped the save time into ``tables.xlsx``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _files(folder: Path, pattern: str) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.glob(pattern))


def test_two_runs_give_identical_tables(ci_bulletin, tmp_path_factory):
    first, _ = ci_bulletin
    second = tmp_path_factory.mktemp("ci-again") / "bulletin"
    proc = subprocess.run(
        [sys.executable, "-m", "ipstats", "bulletin", str(ROOT / "parameters" / "ci.yaml"), "--out", str(second)],
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    for pattern in ("tables/*.csv", "tables/*.meta.json", "texts/*.md", "figures/*.json"):
        names = _files(first, pattern)
        assert names and names == _files(second, pattern), pattern
        differ = [n for n in names if (first / n).read_bytes() != (second / n).read_bytes()]
        assert not differ, f"{len(differ)} of {len(names)} {pattern} differ between two identical runs: {differ}"
    assert (first / "tables.xlsx").read_bytes() == (second / "tables.xlsx").read_bytes()
    manifests = [json.loads((f / "manifest.json").read_text(encoding="utf-8")) for f in (first, second)]
    for key in ("inputs", "tables", "figures", "reference_tables", "package_data", "disclosure_control"):
        assert _stable(manifests[0][key]) == _stable(manifests[1][key]), key
    # the second run found its inputs unchanged: validated once, then only checked
    checks = [v for r in _records(manifests[1]["inputs"]) if "validation" in r for v in r["validation"].values()]
    assert checks and all(v["skipped"] for v in checks), checks


def _records(value):
    """Every dict nested in *value*."""
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _records(v)
    elif isinstance(value, list):
        for v in value:
            yield from _records(v)


def _stable(value):
    """*value* without when an input was last checked and whether that check skipped validation (per run)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in ("checked_at", "skipped")}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value
