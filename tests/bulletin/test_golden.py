"""Backtest: the CI bulletin reproduces the key numbers committed in ``tests/golden/ci_bulletin.json``.

For every published table the golden file holds its row count and, per column that holds numbers, their sum
and how many of its cells show a mark instead (suppressed, not applicable, no data). A change to any count,
rate, estimate or suppression pattern of the CI bulletin fails this test: either it is a regression, or an
intended change of method, which is then committed with the regenerated file and a note of what moved::

    IPSTATS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/bulletin/test_golden.py
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd
import pytest

from ipstats.cells import published_number

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "ci_bulletin.json"
#: Tables of a model fitted by numerical optimisation: the monthly series' calendar regression with ARIMA errors
#: (SARIMAX by maximum likelihood, L-BFGS then Powell) and its diagnostics. The optimum is the same, its last
#: digits follow the scipy/BLAS build (two builds gave coefficient sums 0.806169 and 0.805911): compared within
#: 0.5 % relative (or 0.001), every other table exactly.
FITTED = ("_monthly_calendar", "_monthly_diagnostics")
FITTED_TOLERANCE = {"rel_tol": 5e-3, "abs_tol": 1e-3}


def key_numbers(folder: Path) -> dict[str, dict]:
    """Row count, and per numeric column its sum and its count of marked cells, of every table in *folder*."""
    out = {}
    for csv in sorted((folder / "tables").glob("*.csv")):
        table = pd.read_csv(csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        columns = {}
        for column in table.columns:
            cells = [c for c in table[column] if c != ""]
            values = [published_number(c) for c in cells]
            numbers = [v for v in values if v is not None]
            if not numbers or len(numbers) < len(values) / 2:  # a column of names or codes with a stray digit
                continue
            columns[column] = {"sum": round(math.fsum(numbers), 6), "marked": len(values) - len(numbers)}
        out[csv.stem] = {"rows": len(table), "columns": columns}
    return out


def _differences(expected: dict, actual: dict) -> list[str]:
    lines = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual or name not in expected:
            lines.append(f"{name}: table {'missing' if name not in actual else 'new'}")
            continue
        e, a = expected[name], actual[name]
        if e["rows"] != a["rows"]:
            lines.append(f"{name}: {a['rows']} rows, golden {e['rows']}")
        for column in sorted(set(e["columns"]) | set(a["columns"])):
            ec, ac = e["columns"].get(column), a["columns"].get(column)
            if ec is None or ac is None:
                lines.append(f"{name}.{column}: column {'missing' if ac is None else 'new'}")
            elif ec["marked"] != ac["marked"]:
                lines.append(f"{name}.{column}: {ac['marked']} marked cells, golden {ec['marked']}")
            elif not math.isclose(ec["sum"], ac["sum"], **_tolerance(name)):
                lines.append(f"{name}.{column}: sum {ac['sum']}, golden {ec['sum']}")
    return lines


def _tolerance(table: str) -> dict[str, float]:
    return FITTED_TOLERANCE if table.endswith(FITTED) else {"rel_tol": 1e-9, "abs_tol": 1e-6}


def test_differences_are_found():
    golden = {"t": {"rows": 2, "columns": {"count": {"sum": 10.0, "marked": 0}}}}
    assert _differences(golden, golden) == []
    assert _differences(golden, {"t": {"rows": 2, "columns": {"count": {"sum": 11.0, "marked": 0}}}}) == [
        "t.count: sum 11.0, golden 10.0"
    ]
    assert _differences(golden, {"t": {"rows": 2, "columns": {"count": {"sum": 10.0, "marked": 1}}}}) == [
        "t.count: 1 marked cells, golden 0"
    ]
    assert _differences(golden, {}) == ["t: table missing"]
    fitted = {"m_monthly_calendar": {"rows": 4, "columns": {"coefficient": {"sum": 0.806169, "marked": 0}}}}
    moved = {"m_monthly_calendar": {"rows": 4, "columns": {"coefficient": {"sum": 0.805911, "marked": 0}}}}
    assert _differences(fitted, moved) == []  # another optimiser build
    moved["m_monthly_calendar"]["columns"]["coefficient"]["sum"] = 0.85
    assert _differences(fitted, moved) == ["m_monthly_calendar.coefficient: sum 0.85, golden 0.806169"]


def test_key_numbers_read_marks_and_names(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "t.csv").write_text("\ufeffname,count,pct\n北京,3,1.5\n西藏,—,\n", encoding="utf-8")
    assert key_numbers(tmp_path) == {
        "t": {"rows": 2, "columns": {"count": {"sum": 3.0, "marked": 1}, "pct": {"sum": 1.5, "marked": 0}}}
    }


def test_ci_bulletin_reproduces_the_golden_key_numbers(ci_bulletin):
    out, _ = ci_bulletin
    actual = key_numbers(out)
    if os.environ.get("IPSTATS_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(actual, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip(f"{GOLDEN} rewritten from {out}")
    assert GOLDEN.exists(), f"no golden file: run IPSTATS_UPDATE_GOLDEN=1 pytest {__file__}"
    differences = _differences(json.loads(GOLDEN.read_text(encoding="utf-8")), actual)
    assert not differences, "the CI bulletin moved from tests/golden/ci_bulletin.json:\n" + "\n".join(differences)
