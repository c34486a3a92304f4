"""Benchmark: the whole bulletin on demo registers of two sizes, stage by stage, against a floor measured in the same run.

Run from the project root, at low priority on a shared machine (each size: the demo data once, then the stages)::

    nice -n 10 .venv/bin/python benchmarks/bench_bulletin.py --patents 1000000 5000000 \\
        --data /tmp/bench_demo --out benchmarks/results/bulletin_1m_5m.json

Every stage runs in a process of its own; its wall time and peak memory are measured from outside:

* ``demo_data`` — ``ipstats demo-data --patents N`` (only when the folder ``DATA/N`` holds no register yet);
* ``floor`` — one DuckDB scan of ``register.parquet`` with the bulletin's breakdowns (applications by filing year
  × type × province, grants by grant year × type × province, the year-end valid stock by type × province and
  applicant type) in one ``GROUPING SETS`` query: what no bulletin can beat by much;
* ``validate_duckdb`` / ``validate_pandas`` — ``ipstats validate`` of the register and of its IPC links (with the
  foreign key to the register) with ``$IPSTATS_VALIDATE_ENGINE`` set to each engine (``--no-pandas`` skips the
  slow one);
* ``bulletin`` — ``ipstats bulletin`` of ``parameters/demo.yaml`` pointed at the folder, with an empty typed-input
  cache, cut into its stages from its progress lines: ``inputs`` (demo check, validation and typed copies, up to
  the first ``info:`` or notebook line) and one stage per notebook;
* ``inputs_again`` — the bulletin's input check once more with the same cache: an unchanged input is not
  validated again (its sha256 is in the cache);
* ``bulletin_again`` — the English edition (``--lang en``) of the same bulletin with the same cache, as a second
  run of a year's batch (or a provincial bulletin from the national register) finds it: inputs not validated
  again, classifications read from the cache (:mod:`ipstats.concordance.cache`) instead of made again
  (``--no-again`` skips it).

Peak RSS is the largest sum of the resident memory of the stage's process tree (notebook kernels included), sampled
every 0.2 s with psutil. Each stage's time is also given as its ratio to the floor of the same size, and between
two sizes the scaling exponent ``log(t2 / t1) / log(n2 / n1)`` (1 = linear). Ratios, not absolute times, are the
result: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IPSTATS = [sys.executable, "-m", "ipstats"]
YEAR = 2023

FLOOR = r'''
import duckdb, json, sys, time
register, year, memory = sys.argv[1], int(sys.argv[2]), sys.argv[3]
con = duckdb.connect(config={"memory_limit": memory})
con.execute("SET enable_progress_bar = false")  # a query of some seconds (50 M rows) printed a bar to stdout
t = time.perf_counter()
rows = con.execute(f"""
    SELECT year(filing_date) AS filing_year, year(grant_date) AS grant_year, patent_type, province_code,
           applicant_type, count(*) AS n,
           count(*) FILTER (WHERE grant_date <= DATE '{year}-12-31'
                            AND (lapse_date IS NULL OR lapse_date > DATE '{year}-12-31')) AS valid
    FROM read_parquet('{register}')
    GROUP BY GROUPING SETS ((filing_year, patent_type, province_code), (grant_year, patent_type, province_code),
                            (patent_type, province_code), (patent_type, applicant_type))""").fetchall()
print(json.dumps({"seconds": time.perf_counter() - t, "groups": len(rows)}))
'''

INPUTS_AGAIN = r'''
import json, sys, time
from ipstats.bulletin.params import load_params
from ipstats.bulletin.run import check_inputs
t = time.perf_counter()
check_inputs(load_params(sys.argv[1], prepare=False))
print(json.dumps({"seconds": time.perf_counter() - t}))
'''


class Sampler(threading.Thread):
    """Samples the resident memory of a process tree (MB) and files each sample under the current stage."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        import psutil

        self.process = psutil.Process(pid)
        self.interval = interval
        self.stage = "start"
        self.peaks: dict[str, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        import psutil

        while not self.done.is_set():
            try:
                tree = [self.process, *self.process.children(recursive=True)]
                total = 0
                for proc in tree:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                break
            mb = total / 2**20
            self.peaks[self.stage] = max(self.peaks.get(self.stage, 0.0), mb)
            self.done.wait(self.interval)


def measure(cmd: list[str], env: dict | None = None, on_line=None) -> dict:
    """Run *cmd*; wall seconds, peak RSS of its tree, its stdout (and the sampler's per-stage peaks)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    sampler = Sampler(proc.pid)
    sampler.start()
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True)
    reader.start()
    out = []
    for line in proc.stdout:
        out.append(line)
        if on_line:
            on_line(line, time.perf_counter() - t0, sampler)
    proc.wait()
    reader.join()
    sampler.done.set()
    sampler.join()
    seconds = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(
            f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{''.join(out)[-2000:]}{''.join(err)[-3000:]}"
        )
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(max(sampler.peaks.values(), default=0.0), 1),
        "stdout": "".join(out),
        "peaks": sampler.peaks,
    }


def stage(result: dict) -> dict:
    return {"seconds": result["seconds"], "peak_rss_mb": result["peak_rss_mb"]}


#: Seconds allowed per notebook cell in the benchmark's bulletins (the parameter file's maximum, a day).
BENCH_TIMEOUT = 86_400


def params_file(data: Path, folder: Path) -> Path:
    """``parameters/demo.yaml`` with its inputs in *data* (no demo generation; output in *folder*), and
    :data:`BENCH_TIMEOUT` per cell."""
    import yaml

    params = yaml.safe_load((ROOT / "parameters" / "demo.yaml").read_text(encoding="utf-8"))
    params["inputs"] = {k: str(data / Path(v).name) for k, v in params["inputs"].items()}
    params.pop("demo_data", None)
    params.pop("internal_output", None)
    # a benchmark measures how long a cell takes: demo.yaml's 900 s per cell would stop a 50 M run's heaviest cells
    params["execution_timeout"] = BENCH_TIMEOUT
    params["notebook_dir"] = str(ROOT / "notebooks")
    params["output"] = str(folder / "bulletin")
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def bulletin(params: Path, out: Path, cache: Path, memory: str, options: tuple[str, ...] = ()) -> dict:
    """The bulletin run cut into stages by its progress lines (every DuckDB connection limited to *memory*)."""
    marks: list[tuple[str, float]] = []
    progress = re.compile(r"^\[(\d+)/(\d+)\] (\S+) … (\w+) \(([\d.]+) s\)")

    def on_line(line: str, at: float, sampler: Sampler) -> None:
        found = progress.match(line)
        if found:
            marks.append((found.group(3), float(found.group(5))))
            print(f"  {line.strip()} peak so far {max(sampler.peaks.values(), default=0.0):.0f} MB", flush=True)
            # the next notebook's stage: counted over the notebooks only (the "inputs" mark is not one; counting it
            # put each page's peak under the next page's name until 2026-12-04)
            sampler.stage = f"notebook {sum(name != 'inputs' for name, _ in marks) + 1}"
        elif line.startswith("info:") and sampler.stage == "start":
            marks.append(("inputs", at))
            print(f"  inputs checked ({at:.1f} s)", flush=True)
            sampler.stage = "notebook 1"

    result = measure(
        [*IPSTATS, "bulletin", str(params), "--out", str(out), *options],
        env={"IPSTATS_CACHE": str(cache), "PYTHONUNBUFFERED": "1", "IPSTATS_DUCKDB_MEMORY": memory},
        on_line=on_line,
    )
    peaks = result["peaks"]
    stages = {}
    notebooks = [(name, s) for name, s in marks if name != "inputs"]
    inputs_end = next((s for name, s in marks if name == "inputs"), None)
    if inputs_end is not None:
        stages["inputs"] = {"seconds": round(inputs_end, 2), "peak_rss_mb": round(peaks.get("start", 0.0), 1)}
    for i, (name, seconds) in enumerate(notebooks, start=1):
        stages[name] = {"seconds": seconds, "peak_rss_mb": round(peaks.get(f"notebook {i}", 0.0), 1)}
    # the rest of the run: seconds outside the notebooks' own (between them and after the last: the index, the
    # workbook, the PDF); the peak is that after the last notebook
    stages["publish"] = {
        "seconds": round(result["seconds"] - (inputs_end or 0.0) - sum(s for _, s in notebooks), 2),
        "peak_rss_mb": round(peaks.get(f"notebook {len(notebooks) + 1}", 0.0), 1),
    }
    return {"seconds": result["seconds"], "peak_rss_mb": result["peak_rss_mb"], "stages": stages}


def one_size(
    patents: int,
    data_root: Path,
    work: Path,
    memory: str,
    pandas_too: bool,
    again: bool = True,
    validate: bool = True,
) -> dict:
    data = data_root / str(patents)
    stages: dict[str, dict] = {}
    if not (data / "register.parquet").is_file() or not (data / "demo_meta.json").is_file():
        stages["demo_data"] = stage(measure([*IPSTATS, "demo-data", "--out", str(data), "--patents", str(patents)]))
    register, links = data / "register.parquet", data / "register_ipc.parquet"
    floor = measure([sys.executable, "-c", FLOOR, str(register), str(YEAR), memory])
    query = json.loads(floor["stdout"].strip().splitlines()[-1])
    stages["floor"] = {**stage(floor), "query_seconds": round(query["seconds"], 2)}
    print(f"floor: {stages['floor']}", flush=True)
    for engine in (("duckdb", "pandas") if pandas_too else ("duckdb",)) if validate else ():
        env = {"IPSTATS_VALIDATE_ENGINE": engine, "IPSTATS_DUCKDB_MEMORY": memory}
        reg = measure([*IPSTATS, "validate", str(register), "--schema", "patent_register"], env=env)
        ipc = measure(
            [
                *IPSTATS,
                "validate",
                str(links),
                "--schema",
                "patent_register_ipc",
                "--reference",
                f"patent_register={register}",
            ],
            env=env,
        )
        stages[f"validate_{engine}"] = {
            "seconds": round(reg["seconds"] + ipc["seconds"], 2),
            "peak_rss_mb": max(reg["peak_rss_mb"], ipc["peak_rss_mb"]),
            "register_seconds": reg["seconds"],
            "register_ipc_seconds": ipc["seconds"],
            "summary": [reg["stdout"].strip().splitlines()[-1], ipc["stdout"].strip().splitlines()[-1]],
        }
    work.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"bench_bulletin_{patents}_", dir=work))
    params = params_file(data, folder)
    cache = folder / "cache"
    run = bulletin(params, folder / "bulletin", cache, memory)
    inputs_again = measure(
        [sys.executable, "-c", INPUTS_AGAIN, str(params)],
        env={"IPSTATS_CACHE": str(cache), "IPSTATS_DUCKDB_MEMORY": memory},
    )
    # the flag, not the measurement above (a dict, always true: --no-again used to run the second bulletin anyway)
    second = bulletin(params, folder / "bulletin-en", cache, memory, ("--lang", "en")) if again else None
    floor_s = stages["floor"]["seconds"]
    for name, values in [*stages.items(), *run["stages"].items(), *(second["stages"].items() if second else ())]:
        values["ratio_to_floor"] = round(values["seconds"] / floor_s, 2)
    result = {
        "patents": patents,
        "register_bytes": register.stat().st_size,
        "stages": stages,
        "bulletin": {
            "seconds": run["seconds"],
            "peak_rss_mb": run["peak_rss_mb"],
            "ratio_to_floor": round(run["seconds"] / floor_s, 2),
            "stages": run["stages"],
        },
        "inputs_again": {**stage(inputs_again), "ratio_to_floor": round(inputs_again["seconds"] / floor_s, 2)},
    }
    if second is not None:
        result["bulletin_again"] = {
            "seconds": second["seconds"],
            "peak_rss_mb": second["peak_rss_mb"],
            "ratio_to_floor": round(second["seconds"] / floor_s, 2),
            "ratio_to_first": round(second["seconds"] / run["seconds"], 3),
            "stages": second["stages"],
        }
    if pandas_too and validate:
        result["validation_duckdb_vs_pandas"] = round(
            stages["validate_duckdb"]["seconds"] / stages["validate_pandas"]["seconds"], 3
        )
    return result


def exponents(small: dict, large: dict) -> dict:
    """``log(t2 / t1) / log(n2 / n1)`` of every stage both sizes have."""
    scale = math.log(large["patents"] / small["patents"])

    def exp(a: float, b: float) -> float | None:
        return round(math.log(b / a) / scale, 2) if a > 0 and b > 0 else None

    out = {
        name: exp(small["stages"][name]["seconds"], values["seconds"])
        for name, values in large["stages"].items()
        if name in small["stages"]
    }
    out["bulletin"] = exp(small["bulletin"]["seconds"], large["bulletin"]["seconds"])
    for name, values in large["bulletin"]["stages"].items():
        if name in small["bulletin"]["stages"]:
            out[f"bulletin/{name}"] = exp(small["bulletin"]["stages"][name]["seconds"], values["seconds"])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--patents",
        type=int,
        nargs="+",
        default=[1_000_000, 5_000_000],
        help="register sizes, smallest first (default 1000000 5000000)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(tempfile.gettempdir()) / "bench_demo",
        help="folder of the demo data, one subfolder per size (made when missing)",
    )
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()), help="folder for the bulletins and caches of the run"
    )
    parser.add_argument(
        "--memory",
        default="2GB",
        help="DuckDB memory limit of the floor and of every ipstats stage ($IPSTATS_DUCKDB_MEMORY)",
    )
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas validation (slow at 50 M)")
    parser.add_argument(
        "--no-again", action="store_true", help="skip the second (English) bulletin with the caches warm"
    )
    parser.add_argument(
        "--no-validate",
        action="store_true",
        help="skip the stand-alone validation stages (the bulletin's input check still validates every input)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "bulletin.json")
    args = parser.parse_args(argv)
    import duckdb

    results = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "duckdb": duckdb.__version__,
            "platform": platform.platform(),
        },
        "command": "nice -n 10 .venv/bin/python benchmarks/bench_bulletin.py " + " ".join(argv or sys.argv[1:]),
        "sizes": {},
    }
    for patents in args.patents:
        print(f"--- {patents:,} applications", flush=True)
        results["sizes"][str(patents)] = one_size(
            patents, args.data, args.work, args.memory, not args.no_pandas, not args.no_again, not args.no_validate
        )
        print(json.dumps(results["sizes"][str(patents)], indent=1, ensure_ascii=False), flush=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    sizes = list(results["sizes"].values())
    if len(sizes) >= 2:
        results["scaling_exponent"] = exponents(sizes[0], sizes[-1])
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
