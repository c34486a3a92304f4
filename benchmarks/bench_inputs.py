"""Benchmark: the bulletin's input check and the legal events' first read, this tree against a baseline tree.

Run from the project root on demo data (``ipstats demo-data --out DATA --patents N``), with a baseline checked out
beside it (``git worktree add /tmp/base <commit>``)::

    .venv/bin/python benchmarks/bench_inputs.py --data DATA --baseline /tmp/base --out benchmarks/results/inputs.json

``--register FILE`` checks another form of the register instead (a CSV copy, as CNIPA extracts come).

For each tree, alternately and *--repeat* times, a process of its own with an empty cache (``$IPSTATS_CACHE``)
runs :func:`ipstats.bulletin.run.check_inputs` over ``parameters/demo.yaml`` pointed at *DATA* (``cold``), then
:func:`ipstats.transfer.events.read_legal_events` twice, as the survey and transfer pages do after the check, then
the check once more with the same cache (``warm``: a second run of the year's batch). Wall seconds per step and
the ratio of this tree to the baseline (the median over repeats): the machine is shared, ratios are the result.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STEPS = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from bench_bulletin import params_file
from ipstats.bulletin.params import load_params
from ipstats.bulletin.run import check_inputs
from ipstats.transfer.events import read_legal_events
import ipstats

path = params_file(Path(sys.argv[1]), Path(sys.argv[2]))
if len(sys.argv) > 4:  # another form of the register (a CNIPA-style CSV or workbook)
    import yaml
    given = yaml.safe_load(path.read_text(encoding="utf-8"))
    given["inputs"]["register"] = sys.argv[4]
    path.write_text(yaml.safe_dump(given, allow_unicode=True, sort_keys=False), encoding="utf-8")
params = load_params(path, prepare=False)
out = {}
t = time.perf_counter(); check_inputs(params); out["check_cold"] = time.perf_counter() - t
for page in ("survey", "transfer"):
    t = time.perf_counter()
    read_legal_events(params.inputs["patent_legal_events"], params.inputs["register"])
    out[f"events_{page}"] = time.perf_counter() - t
t = time.perf_counter(); check_inputs(params); out["check_warm"] = time.perf_counter() - t
print(json.dumps({**out, "code": str(Path(ipstats.__file__).parents[1])}))
"""


def measure(tree: Path, data: Path, register: Path | None = None) -> dict[str, float]:
    """The steps with the code of *tree*, in a fresh process and an empty cache (*register* instead of
    *data*'s register.parquet when given)."""
    with tempfile.TemporaryDirectory(prefix="ipstats-bench-inputs-") as tmp:
        env = {**os.environ, "PYTHONPATH": str(tree), "IPSTATS_CACHE": str(Path(tmp) / "cache")}
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                STEPS,
                str(data),
                tmp,
                str(ROOT / "benchmarks"),
                *([str(register)] if register else []),
            ],
            cwd=tmp,  # not the project root: `-c` puts the working folder first on sys.path
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: the steps failed: {proc.stderr.strip().splitlines()[-1:]}")
    steps = json.loads(proc.stdout.strip().splitlines()[-1])
    if Path(steps.pop("code")) != tree:  # e.g. an editable install of the other tree
        raise SystemExit(f"{tree}: the steps imported ipstats from elsewhere")
    return steps


def _commit(tree: Path) -> str | None:
    """The commit checked out in *tree* (``+`` when its files differ from it), None outside git."""
    head = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if head.returncode:
        return None
    dirty = subprocess.run(
        ["git", "-C", str(tree), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    )
    return head.stdout.strip() + ("+" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder written by ipstats demo-data")
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the baseline commit")
    parser.add_argument(
        "--register",
        type=Path,
        help="the register in another form, e.g. a CSV copy of DATA/register.parquet (default: the Parquet)",
    )
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, help="results JSON (default: print only)")
    args = parser.parse_args(argv)
    if not (args.data / "register.parquet").is_file():
        parser.error(f"{args.data}: no register.parquet (write one with ipstats demo-data --out {args.data})")
    runs: dict[str, list[dict[str, float]]] = {"baseline": [], "tree": []}
    for _ in range(args.repeat):
        register = args.register.resolve() if args.register else None
        runs["baseline"].append(measure(args.baseline.resolve(), args.data.resolve(), register))
        runs["tree"].append(measure(ROOT, args.data.resolve(), register))
    median = {
        name: {step: round(statistics.median(r[step] for r in rs), 2) for step in rs[0]} for name, rs in runs.items()
    }
    result = {
        "data": str(args.data),
        "applications": json.loads((args.data / "demo_meta.json").read_text(encoding="utf-8")).get("patents"),
        "register": str(args.register or args.data / "register.parquet"),
        "baseline": str(args.baseline),
        "commits": {"baseline": _commit(args.baseline), "tree": _commit(ROOT)},
        "seconds": median,
        "ratio_tree_to_baseline": {
            step: round(median["tree"][step] / median["baseline"][step], 3) if median["baseline"][step] else None
            for step in median["tree"]
        },
        "runs": runs,
    }
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
