"""Benchmark: classify and count a national-scale register, against three baselines on the same data.

Run from the project root (takes 10–20 minutes on 2 cores; the register is generated once and reused)::

    .venv/bin/python benchmarks/bench_classify_count.py [--patents 5000000] [--out benchmarks/results/latest.json]

Methods, each timed in its own process (so peak memory is its own) on the same register:

1. **ipstats** — :func:`ipstats.counting.count` for every shipped system: applications by filing year ×
   category, whole and fractional counts (keyword strategy ``confirm``, i.e. with the text scan), plus the
   same with ``keywords=ignore`` (IPC alone, the semantics of the floor);
2. **floor** — a bare DuckDB join of the patent–IPC rows to a code→category map precomputed outside the
   timing, plus a group-by with distinct patents (for the probabilistic ISI table: code→class map and a
   weighted sum) — what nobody can beat by much;
3. **LIKE join** — the SQL people write today: the rule table's patterns as ``LIKE 'H04N3/%'`` prefixes
   joined to the rows (one system, ``--like-system``);
4. **naive pandas** — ``apply`` with a Python loop over the patterns, on a sample of rows, extrapolated
   linearly to all rows (one system).

It prints each time, the ratios 1/2 (all systems together), 3/1 and 4/1, rows per second and peak RSS,
and writes them to a JSON file. Ratios, not absolute times, are the result: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SYSTEMS = [
    "wipo_fields_2019",
    "wipo_fields_2019_supplemented",
    "cnipa_sei_2021",
    "cnipa_digital_tech_2023",
    "cnipa_green_tech",
    "cnipa_new_three_2024",
    "wipo_green_inventory",
    "isi_nace2",
]
YEARS = tuple(range(2004, 2025))

CHILD = r'''
import json, resource, sys, time
args = json.loads(sys.argv[1])
register, links = args["register"], args["links"]
result = {}
if args["method"] in ("ipstats", "ipstats_ignore"):
    from ipstats.counting import CountSpec, count
    from ipstats.engines import connect
    con = connect(memory_limit=args.get("memory_limit"))
    t = time.perf_counter()
    cube = count(register, CountSpec(measure="applications", years=tuple(args["years"]), system=args["system"],
                 keywords="ignore" if args["method"] == "ipstats_ignore" else "confirm"), con=con)
    result["seconds"] = time.perf_counter() - t
    result["cube_rows"] = len(cube)
    result["patents_whole"] = int(cube["count"].fillna(0).sum())
    result["fractional"] = float(cube["fractional"].sum())
elif args["method"] == "floor":
    import duckdb
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    t = time.perf_counter()
    if args["probabilistic"]:
        sql = f"""WITH u AS (SELECT DISTINCT l.application_number AS pid, m.pattern
                             FROM read_parquet('{links}') l JOIN read_parquet('{args["map"]}') m ON m.ipc = l.ipc),
                       n AS (SELECT pid, COUNT(*) AS n FROM u GROUP BY pid)
                  SELECT year(r.filing_date) AS year, w.category, SUM(w.weight / n.n) AS fractional
                  FROM u JOIN n USING (pid) JOIN read_parquet('{args["weights"]}') w ON w.pattern = u.pattern
                  JOIN read_parquet('{register}') r ON r.application_number = u.pid GROUP BY ALL"""
    else:
        sql = f"""SELECT year(r.filing_date) AS year, m.category, COUNT(DISTINCT l.application_number) AS count
                  FROM read_parquet('{links}') l JOIN read_parquet('{args["map"]}') m ON m.ipc = l.ipc
                  JOIN read_parquet('{register}') r ON r.application_number = l.application_number GROUP BY ALL"""
    cube = con.execute(sql).df()
    result["seconds"] = time.perf_counter() - t
    result["cube_rows"] = len(cube)
elif args["method"] == "like":
    import duckdb
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET threads = {args.get('threads', 2)}")
    t = time.perf_counter()
    cube = con.execute(f"""SELECT year(r.filing_date) AS year, p.category, COUNT(DISTINCT l.application_number) AS count
        FROM read_parquet('{links}') l JOIN read_parquet('{args["patterns"]}') p ON l.ipc LIKE p.like_pattern
        JOIN read_parquet('{register}') r ON r.application_number = l.application_number GROUP BY ALL""").df()
    result["seconds"] = time.perf_counter() - t
    result["cube_rows"] = len(cube)
elif args["method"] == "pandas":
    import pandas as pd
    sample = pd.read_parquet(args["sample"])
    patterns = pd.read_parquet(args["patterns"])
    pairs = list(zip(patterns["prefix"], patterns["exact"], patterns["category"]))
    t = time.perf_counter()
    def categories(code):
        return sorted({cat for prefix, exact, cat in pairs if (code == prefix if exact else code.startswith(prefix))})
    sample["categories"] = sample["ipc"].apply(categories)
    exploded = sample.explode("categories").dropna(subset=["categories"])
    cube = exploded.groupby(["year", "categories"])["application_number"].nunique()
    result["seconds"] = time.perf_counter() - t
    result["sample_rows"] = len(sample)
# VmHWM: this process's own peak resident set (ru_maxrss would carry over the parent's across exec)
with open("/proc/self/status") as fh:
    result["peak_rss_mb"] = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024
print(json.dumps(result))
'''


def run_child(args: dict, timeout: float) -> dict:
    """Run one method in a fresh Python process; return its JSON result (or the timeout)."""
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(args)], capture_output=True, text=True, timeout=timeout, cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "timed_out_after": timeout, "note": f"did not finish within {timeout:.0f} s"}
    if proc.returncode != 0:
        raise RuntimeError(f"{args['method']} failed: {proc.stderr.strip().splitlines()[-1]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = time.perf_counter() - started
    return result


def like_patterns(system_id: str):
    """The rule table's include patterns as SQL LIKE patterns on the compact code (what people write today)."""
    import pandas as pd

    from ipstats.concordance import load_system
    from ipstats.concordance.patterns import parse_pattern

    system = load_system(system_id)
    rows = []
    for rule in system.rules.itertuples():
        for text in filter(None, (p.strip() for p in rule.ipc_patterns.split(";"))):
            pat = parse_pattern(text, system.conventions)
            if pat.kind in ("section", "class", "subclass"):
                prefix, exact = pat.head, False
            elif pat.kind == "group":
                prefix, exact = f"{pat.head}{pat.main_group}/", False
            elif pat.kind == "prefix":
                prefix, exact = f"{pat.head}{pat.main_group}/{pat.subgroup}", False
            else:
                prefix, exact = f"{pat.head}{pat.main_group}/{pat.subgroup}", True
            rows.append((rule.category, prefix, exact, prefix if exact else prefix + "%"))
    return pd.DataFrame(rows, columns=["category", "prefix", "exact", "like_pattern"]).drop_duplicates()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patents", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "data" / "demo5m")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "latest.json")
    parser.add_argument("--systems", nargs="*", default=SYSTEMS)
    parser.add_argument("--like-system", default="cnipa_sei_2021")
    parser.add_argument("--like-timeout", type=float, default=1800)
    parser.add_argument("--pandas-sample", type=int, default=20_000)
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB memory limit for the ipstats runs")
    parser.add_argument(
        "--summarize", type=Path, metavar="JSON", help="only recompute and print the summary of an earlier results file"
    )
    args = parser.parse_args()
    if args.summarize:
        results = json.loads(args.summarize.read_text(encoding="utf-8"))
        results["summary"] = summarize(results, results["like_join"]["system"])
        args.summarize.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
        report(results, args.summarize)
        return

    import duckdb

    from ipstats.concordance import load_system, resolve_codes
    from ipstats.concordance.resolve import pattern_table as _pattern_table
    from ipstats.concordance.patterns import code_parts, match_codes
    from ipstats.register.demo import ensure_demo_data

    t = time.perf_counter()
    paths = ensure_demo_data(args.data, patents=args.patents, seed=args.seed, domains=False)
    print(f"register: {args.data} ({args.patents:,} patents; ready in {time.perf_counter() - t:.0f} s)", flush=True)
    register, links = str(paths["register"]), str(paths["register_ipc"])
    con = duckdb.connect()
    n_links = con.execute(f"SELECT COUNT(*) FROM read_parquet('{links}')").fetchall()[0][0]
    codes = con.execute(f"SELECT DISTINCT ipc FROM read_parquet('{links}')").df()["ipc"]
    work = args.data / "bench"
    work.mkdir(exist_ok=True)
    common = {"register": register, "links": links, "years": list(YEARS)}

    results: dict = {
        "patents": args.patents,
        "links": int(n_links),
        "distinct_codes": int(len(codes)),
        "machine": {
            "python": platform.python_version(),
            "cpus": __import__("os").cpu_count(),
            "duckdb": duckdb.__version__,
            "platform": platform.platform(),
        },
        "systems": {},
    }
    for system_id in args.systems:
        system = load_system(system_id)
        entry: dict = {}
        # precomputed map for the floor (outside its timing)
        if system.probabilistic:
            patterns = _pattern_table(system)
            include = patterns[patterns["role"] == "include"].drop_duplicates("pattern")
            cmap = match_codes(code_parts(codes), include).merge(include[["pid", "pattern"]], on="pid")[
                ["ipc", "pattern"]
            ]
            weights = patterns[patterns["role"] == "include"].merge(
                system.rules[["rule_id", "category", "weight"]], on="rule_id"
            )
            weights.groupby(["pattern", "category"], as_index=False)["weight"].sum().to_parquet(
                work / f"{system_id}_w.parquet"
            )
        else:
            cmap = resolve_codes(system, codes)[["ipc", "category"]].drop_duplicates()
        cmap.to_parquet(work / f"{system_id}_map.parquet")
        for method in ("ipstats", "ipstats_ignore", "floor"):
            if method == "ipstats_ignore" and not (system.rules["keywords"] != "").any():
                continue
            child = {
                **common,
                "method": method,
                "system": system_id,
                "probabilistic": system.probabilistic,
                "map": str(work / f"{system_id}_map.parquet"),
                "weights": str(work / f"{system_id}_w.parquet"),
                "memory_limit": args.memory_limit,
            }
            entry[method] = run_child(child, timeout=1800)
            print(
                f"{system_id:32s} {method:15s} {entry[method]['seconds']:8.2f} s  "
                f"peak {entry[method]['peak_rss_mb']:7.0f} MB",
                flush=True,
            )
        results["systems"][system_id] = entry

    # baselines 3 and 4 on one system
    lp = like_patterns(args.like_system)
    lp.to_parquet(work / "like_patterns.parquet")
    like = run_child({**common, "method": "like", "patterns": str(work / "like_patterns.parquet")}, args.like_timeout)
    results["like_join"] = {"system": args.like_system, "patterns": len(lp), **like}
    print(f"LIKE join ({args.like_system}): {like.get('seconds') or like.get('note')}", flush=True)
    sample = con.execute(f"""SELECT l.application_number, l.ipc, year(r.filing_date) AS year
        FROM read_parquet('{links}') l JOIN read_parquet('{register}') r USING (application_number)
        USING SAMPLE {args.pandas_sample} ROWS (reservoir, 7)""").df()
    sample.to_parquet(work / "pandas_sample.parquet")
    naive = run_child(
        {
            **common,
            "method": "pandas",
            "sample": str(work / "pandas_sample.parquet"),
            "patterns": str(work / "like_patterns.parquet"),
        },
        3600,
    )
    naive["extrapolated_seconds"] = naive["seconds"] * n_links / naive["sample_rows"]
    results["naive_pandas"] = {"system": args.like_system, **naive}
    print(
        f"naive pandas ({args.like_system}): {naive['seconds']:.1f} s on {naive['sample_rows']:,} rows -> "
        f"{naive['extrapolated_seconds']:.0f} s extrapolated",
        flush=True,
    )

    results["summary"] = summarize(results, args.like_system)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    report(results, args.out)


def summarize(results: dict, like_system: str) -> dict:
    """Totals and ratios from the per-method times (ratios are the result; absolute times drift)."""
    systems = results["systems"]
    total = sum(e["ipstats"]["seconds"] for e in systems.values())
    total_ipc = sum(e.get("ipstats_ignore", e["ipstats"])["seconds"] for e in systems.values())
    floor = sum(e["floor"]["seconds"] for e in systems.values())
    base = systems[like_system]
    like = results["like_join"].get("seconds") or results["like_join"].get("timed_out_after")
    naive = results["naive_pandas"]["extrapolated_seconds"]
    one, one_ipc = base["ipstats"]["seconds"], base.get("ipstats_ignore", base["ipstats"])["seconds"]
    return {
        "ipstats_seconds_all_systems": total,
        "ipstats_ipc_only_seconds_all_systems": total_ipc,
        "floor_seconds_all_systems": floor,
        "ratio_1_over_2": total / floor,
        "ratio_1_over_2_ipc_only": total_ipc / floor,
        "ratio_3_over_1": like / one,
        "ratio_3_over_1_ipc_only": like / one_ipc,
        "ratio_3_over_2": like / base["floor"]["seconds"],
        "ratio_3_over_1_is_lower_bound": results["like_join"].get("seconds") is None,
        "ratio_4_over_1": naive / one,
        "ratio_4_over_1_ipc_only": naive / one_ipc,
        "rows_per_second_ipstats": results["links"] * len(systems) / total,
        "peak_rss_mb_ipstats": max(
            max(e["ipstats"]["peak_rss_mb"], e.get("ipstats_ignore", e["ipstats"])["peak_rss_mb"])
            for e in systems.values()
        ),
        "peak_rss_mb_floor": max(e["floor"]["peak_rss_mb"] for e in systems.values()),
    }


def report(results: dict, path: Path) -> None:
    """Print the summary lines."""
    s = results["summary"]
    print(
        f"\nall systems: ipstats {s['ipstats_seconds_all_systems']:.1f} s "
        f"(IPC only {s['ipstats_ipc_only_seconds_all_systems']:.1f} s), floor {s['floor_seconds_all_systems']:.1f} s"
    )
    print(
        f"ratio 1/2 = {s['ratio_1_over_2']:.2f} (IPC only {s['ratio_1_over_2_ipc_only']:.2f}); "
        f"3/1 = {s['ratio_3_over_1']:.1f} (IPC only {s['ratio_3_over_1_ipc_only']:.1f}; the floor's 3/2 = "
        f"{s['ratio_3_over_2']:.1f}){' lower bound' if s['ratio_3_over_1_is_lower_bound'] else ''}; "
        f"4/1 = {s['ratio_4_over_1']:.0f} (IPC only {s['ratio_4_over_1_ipc_only']:.0f})"
    )
    print(
        f"{s['rows_per_second_ipstats']:,.0f} patent–IPC rows per second per system; peak RSS ipstats "
        f"{s['peak_rss_mb_ipstats']:.0f} MB, floor {s['peak_rss_mb_floor']:.0f} MB; written to {path}"
    )


if __name__ == "__main__":
    main()
