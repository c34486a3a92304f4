"""Benchmark: the Spark engine in local mode next to DuckDB, on the same register in the same run.

Run from the project root, after ``benchmarks/bench_classify_count.py`` has generated the register::

    .venv/bin/python benchmarks/bench_spark.py [--patents 1000000] [--systems ...] [--out benchmarks/results/spark_5m.json]

For each system, :func:`ipstats.counting.count` (applications by filing year × category, whole and
fractional, keyword strategy ``confirm``) runs once with ``engine="duckdb"`` and once with
``engine="spark"`` (one local SparkSession for all systems, started outside the timings; its start-up
is reported separately). Both cubes are compared (counts exactly, fractional to 1e-12 relative: sums of millions of
weights added in another order). ``--monitoring SYSTEM ...`` also times the whole domain monitoring
(:func:`ipstats.indicators.monitoring.compute_monitoring`, national, 2023) on each engine — on Spark every
register-scale step runs there — with a fresh classification cache for DuckDB (so both classify), and compares
its tables. ``--patents N``
below the register size times a subset: the first N applications and their links, written once beside
the register. The ratio Spark/DuckDB, measured in the same run, is the result: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SYSTEMS = ["wipo_fields_2019", "cnipa_sei_2021", "isi_nace2"]
YEARS = tuple(range(2004, 2025))


def subset(data: Path, patents: int) -> Path:
    """The first *patents* applications of ``data/register.parquet`` and their links (written once)."""
    import duckdb

    folder = data / f"subset_{patents}"
    register = folder / "register.parquet"
    if register.exists() and (folder / "register_ipc.parquet").exists():
        return register
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"""CREATE TEMP TABLE keep AS SELECT application_number FROM read_parquet('{data / "register.parquet"}')
                    ORDER BY application_number LIMIT {int(patents)}""")
    con.execute(f"""COPY (SELECT r.* FROM read_parquet('{data / "register.parquet"}') r SEMI JOIN keep k
                    ON k.application_number = r.application_number) TO '{register}' (FORMAT parquet)""")
    con.execute(f"""COPY (SELECT l.* FROM read_parquet('{data / "register_ipc.parquet"}') l SEMI JOIN keep k
                    ON k.application_number = l.application_number) TO '{folder / "register_ipc.parquet"}'
                    (FORMAT parquet)""")
    con.close()
    return register


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "data" / "demo5m")
    parser.add_argument("--patents", type=int, default=None, help="time a subset of this many applications")
    parser.add_argument("--systems", nargs="*", default=SYSTEMS)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB memory limit (as bench_classify_count.py)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "spark_latest.json")
    parser.add_argument("--monitoring", nargs="*", default=[], metavar="SYSTEM", help="also time compute_monitoring")
    args = parser.parse_args()

    import duckdb
    import pandas as pd
    import pyspark

    from ipstats.counting import CountSpec, count
    from ipstats.engines import spark_session
    from ipstats.engines import connect

    register = args.data / "register.parquet"
    if args.patents:
        register = subset(args.data, args.patents)
    probe = duckdb.connect()
    patents, links = (
        probe.execute(f"SELECT COUNT(*) FROM read_parquet('{register}')").fetchone()[0],
        probe.execute(f"SELECT COUNT(*) FROM read_parquet('{register.with_name('register_ipc.parquet')}')").fetchone()[
            0
        ],
    )
    probe.close()
    settings = {
        "name": "spark",
        "master": args.master,
        "app_name": "ipstats-bench",
        "config": {
            "spark.ui.enabled": "false",
            "spark.driver.memory": args.driver_memory,
            "spark.sql.shuffle.partitions": "8",
        },
    }
    started = time.perf_counter()
    session, _ = spark_session(settings)
    session.sparkContext.setLogLevel("ERROR")
    startup = time.perf_counter() - started
    session.range(1000).selectExpr("sum(id)").collect()  # warm the JVM outside the timings
    print(
        f"{patents:,} patents, {links:,} links; Spark {pyspark.__version__} {args.master} started in {startup:.1f} s",
        flush=True,
    )

    results = {
        "register": str(register.relative_to(ROOT)) if register.is_relative_to(ROOT) else str(register),
        "patents": patents,
        "links": links,
        "spark_startup_seconds": startup,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "duckdb": duckdb.__version__,
            "pyspark": pyspark.__version__,
            "master": args.master,
            "driver_memory": args.driver_memory,
            "duckdb_memory_limit": args.memory_limit,
            "platform": platform.platform(),
            "load_average_at_start": os.getloadavg(),
        },
        "systems": {},
    }
    for system in args.systems:
        spec = CountSpec(measure="applications", years=YEARS, system=system)
        con = connect(memory=args.memory_limit)
        t = time.perf_counter()
        duck = count(register, spec, con=con)
        duck_s = time.perf_counter() - t
        con.close()
        t = time.perf_counter()
        spark = count(str(register), spec, engine=settings)
        spark_s = time.perf_counter() - t
        exact = [c for c in duck.columns if c != "fractional"]
        pd.testing.assert_frame_equal(spark[exact], duck[exact], check_exact=True)
        # sums of millions of weights in another order: equal to 1e-9 at CI size, to ~1e-14 relative here
        diff = float((spark["fractional"] - duck["fractional"]).abs().max())
        relative = float(
            ((spark["fractional"] - duck["fractional"]).abs() / duck["fractional"].abs().clip(lower=1)).max()
        )
        assert relative <= 1e-12, f"{system}: fractional counts differ by {diff} ({relative:.1e} relative)"
        results["systems"][system] = {
            "duckdb_seconds": duck_s,
            "spark_seconds": spark_s,
            "ratio": spark_s / duck_s,
            "cube_rows": len(duck),
            "max_fractional_difference": diff,
            "max_fractional_relative_difference": relative,
        }
        print(
            f"{system:32s} DuckDB {duck_s:7.1f} s   Spark {spark_s:7.1f} s   Spark/DuckDB {spark_s / duck_s:5.1f}x"
            f"   ({len(duck)} cells, equal)",
            flush=True,
        )
        write(args.out, results)  # after each system: a stopped run keeps what it measured
    if args.monitoring:
        results["monitoring"] = {}
    for system in args.monitoring:
        results["monitoring"][system] = monitoring(register, system, settings)
        write(args.out, results)
    total_duck = sum(r["duckdb_seconds"] for r in results["systems"].values())
    total_spark = sum(r["spark_seconds"] for r in results["systems"].values())
    results["total"] = {"duckdb_seconds": total_duck, "spark_seconds": total_spark, "ratio": total_spark / total_duck}
    results["machine"]["load_average_at_end"] = os.getloadavg()
    print(
        f"{'all':32s} DuckDB {total_duck:7.1f} s   Spark {total_spark:7.1f} s   Spark/DuckDB "
        f"{total_spark / total_duck:5.1f}x",
        flush=True,
    )
    session.stop()
    write(args.out, results)
    print(f"written to {args.out}")


def monitoring(register: Path, system: str, settings: dict) -> dict:
    """Seconds of compute_monitoring on DuckDB (cold classification cache) and on Spark; tables compared."""
    import tempfile

    import pandas as pd

    from ipstats.indicators.monitoring import compute_monitoring

    seconds = {}
    with tempfile.TemporaryDirectory(prefix="ipstats-bench-cache-") as cache:
        before = os.environ.get("IPSTATS_CACHE")
        os.environ["IPSTATS_CACHE"] = cache  # DuckDB classifies as Spark does, not from an earlier run's cache
        try:
            t = time.perf_counter()
            duck = compute_monitoring(str(register), 2023, system=system)
            seconds["duckdb"] = time.perf_counter() - t
        finally:
            if before is None:
                del os.environ["IPSTATS_CACHE"]
            else:
                os.environ["IPSTATS_CACHE"] = before
    t = time.perf_counter()
    spark = compute_monitoring(str(register), 2023, system=system, engine=settings)
    seconds["spark"] = time.perf_counter() - t
    for name in ("totals", "provinces", "applicant_types", "top_applicants", "monthly", "coverage"):
        pd.testing.assert_frame_equal(getattr(spark, name), getattr(duck, name), check_exact=False, rtol=1e-12)
    for level, table in duck.levels.items():
        pd.testing.assert_frame_equal(spark.levels[level], table, check_exact=False, rtol=1e-12)
    print(
        f"monitoring {system:21s} DuckDB {seconds['duckdb']:7.1f} s   Spark {seconds['spark']:7.1f} s   "
        f"Spark/DuckDB {seconds['spark'] / seconds['duckdb']:5.1f}x   (tables equal)",
        flush=True,
    )
    return {
        "duckdb_seconds": seconds["duckdb"],
        "spark_seconds": seconds["spark"],
        "ratio": seconds["spark"] / seconds["duckdb"],
        "category_applications": int(duck.leaf["applications"].sum()),
    }


def write(path: Path, results: dict) -> None:
    """Write the results file (JSON, UTF-8)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
