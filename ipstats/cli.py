"""Command line: ``ipstats demo-data``, ``ipstats bulletin``, ``ipstats validate``, ``ipstats classify``,
``ipstats systems``, ``ipstats cache``.

Every failure a user can cause prints one line (``ipstats <command>: <what is wrong>``) and exits
non-zero; ``--debug`` shows the traceback for bug reports.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from ipstats import __version__
from ipstats.errors import IpstatsError, ParameterError

EPILOG = """examples:
  ipstats demo-data --out data/demo                 # synthetic register, 100,000 applications
  ipstats bulletin parameters/demo.yaml --out out/demo
  ipstats bulletin parameters/demo.yaml --region 44 --out out/guangdong
  ipstats bulletin parameters/demo.yaml --lang en --out out/demo-en   # English edition
  ipstats validate data/demo/register.parquet --schema patent_register
  ipstats systems
  ipstats classify data/demo/register.parquet --system cnipa_sei_2021 --output out/sei.csv
  ipstats cache --prune 30                          # drop cache entries unused for 30 days
"""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The ``ipstats`` argument parser with its subcommands."""
    parser = _Parser(
        prog="ipstats",
        description="ipstats: China's national patent statistics — demo register, "
        "parameterized notebooks and the statistical bulletin.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ipstats {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = sub.add_parser(
        "demo-data",
        help="write the synthetic demo register and its side tables",
        description="Write a deterministic synthetic national patent register (Parquet, a CSV "
        "sample, the IPC link table) and a demo population table into DIR. The same seed always "
        "gives the same files. Nothing in it is a real statistic.",
    )
    demo.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write (created if needed)")
    demo.add_argument(
        "--patents",
        type=_positive_int,
        default=100_000,
        metavar="N",
        help="number of applications, all types, filed 2004–2024 (default 100000; 5000000 for benchmarks)",
    )
    demo.add_argument("--seed", type=int, default=2024, metavar="S", help="random seed (default 2024)")
    demo.add_argument(
        "--as-of",
        default="2025-03-31",
        metavar="DATE",
        help="extraction date: later events are unknown (default 2025-03-31)",
    )

    bull = sub.add_parser(
        "bulletin",
        help="run the notebooks of a parameter file into a bulletin folder",
        description="Run the notebooks named in PARAMS.yaml with papermill (kernel python3, working "
        "directory notebooks/) and write the executed notebooks, index.html with one page per "
        "notebook, tables/*.csv, tables.xlsx, bulletin.pdf, figures/ and manifest.json into DIR. "
        "DIR is replaced only when the whole run succeeds.",
    )
    bull.add_argument("params", type=Path, metavar="PARAMS.yaml", help="parameter file, e.g. parameters/demo.yaml")
    bull.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output folder (default: `output` in the parameter file); an internal_output moves with it to DIR-internal",
    )
    bull.add_argument(
        "--internal-out",
        type=Path,
        metavar="DIR",
        help="folder of the unprotected detail (default: internal_output in the parameter file, or DIR-internal)",
    )
    bull.add_argument(
        "--region",
        metavar="CODE",
        help="'national' or a GB/T 2260 province code such as 44 (overrides the parameter file)",
    )
    bull.add_argument(
        "--lang",
        choices=("zh", "en"),
        help="language of the bulletin: zh (Chinese, the default) or en (English edition; overrides lang: of the file)",
    )
    bull.add_argument(
        "--no-pdf",
        dest="pdf",
        action="store_false",
        default=None,
        help="do not print bulletin.pdf (default: printed when Chromium is found; pdf: in the parameter file)",
    )
    cls = sub.add_parser(
        "classify",
        help="classify patents with a classification system (concordance)",
        description="Classify every patent of INPUT with a classification system and write one row "
        "per patent and category: patent_id, category, category_name, weight, match "
        "(confirmed / keyword-confirmed / IPC-only / candidate). INPUT is a register (Parquet/CSV "
        "with application_number) or any CSV with patent_id and ipc columns (several symbols per "
        "cell allowed), optionally title/abstract. A coverage summary goes to standard error.",
    )
    cls.add_argument(
        "input",
        type=str,
        metavar="INPUT",
        help="register or patent_id/ipc table in any form validate reads (with --engine spark also a Parquet "
        "register at any path Spark reads)",
    )
    cls.add_argument(
        "--system",
        required=True,
        metavar="NAME",
        help="system id from 'ipstats systems', or the path of a user rules CSV / system folder",
    )
    cls.add_argument(
        "--output", type=Path, metavar="OUT", help="CSV to write (UTF-8 with BOM); default: standard output"
    )
    cls.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="SRC=DEST",
        help="read the input's column SRC as DEST (repeatable), e.g. --column 申请号=application_number",
    )
    cls.add_argument(
        "--keywords",
        choices=["confirm", "table", "require", "ignore"],
        default="confirm",
        help="keyword strategy: confirm = keep all matches and label them (keyword-confirmed, IPC-only, "
        "candidate; default); table = the table's own semantics (keyword conditions required, "
        "部分涉及 candidates left out: what is published); require = keep only matches whose "
        "keyword condition is met; ignore = IPC alone decides",
    )
    cls.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        default="duckdb",
        help="duckdb = this machine (default); spark = a Spark cluster or local mode (a Parquet register "
        "with register_ipc.parquet beside it is read on the executors; other inputs on the driver)",
    )
    cls.add_argument(
        "--spark-master",
        metavar="URL",
        help="Spark master: local[4], spark://host:7077, yarn, k8s://https://host:443 (default: from spark-submit)",
    )
    cls.add_argument("--spark-app-name", default="ipstats", metavar="NAME", help="Spark application name")
    cls.add_argument(
        "--spark-conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="Spark property, repeatable, e.g. --spark-conf spark.executor.memory=8g",
    )

    val = sub.add_parser(
        "validate",
        help="check an input file against its schema (data_schemas/)",
        description="Check FILE (CSV in UTF-8, UTF-8 with BOM, GBK or GB18030; Excel .xlsx; "
        "Parquet) against a schema of data_schemas/: columns, types, dates in the usual Chinese "
        "forms, code lists, ranges, keys, IPC symbols and row checks such as grant before filing. "
        "Prints one line per problem, 'file:row: field: value — expected …', with the row number "
        "as in the file (header = 1), then a summary; exits 1 when there is any problem.",
    )
    val.add_argument("file", type=Path, metavar="FILE", help="the input file")
    val.add_argument(
        "--schema",
        required=True,
        metavar="NAME",
        help="schema name, e.g. patent_register, population (see data_schemas/), or a .schema.yaml path",
    )
    val.add_argument(
        "--sheet", metavar="SHEET", help="Excel sheet (default: a sheet named like the schema, else the first)"
    )
    val.add_argument(
        "--encoding", metavar="ENC", help="text encoding of a CSV file (default: detected; utf-8, gbk, gb18030)"
    )
    val.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="SRC=DEST",
        help="read the file's column SRC as the schema's field DEST (repeatable), e.g. --column 国省代码=province_code",
    )
    val.add_argument(
        "--reference",
        action="append",
        default=[],
        metavar="SCHEMA=FILE",
        help="file of another schema for foreign keys, e.g. patent_register=data/demo/register.parquet (repeatable)",
    )
    val.add_argument(
        "--max-problems",
        type=int,
        default=1000,
        metavar="N",
        help="list at most N problems (all are counted; 0 lists all; default 1000)",
    )

    sub.add_parser(
        "systems",
        help="list the shipped classification systems",
        description="List the shipped classification systems, one per line: id, edition, source document.",
    )

    cache = sub.add_parser(
        "cache",
        help="list, prune or clear the cache (typed inputs, validation records, classified links)",
        description="List what ipstats keeps under its cache folder ($IPSTATS_CACHE, else ~/.cache/ipstats): "
        "typed inputs, validation records, classified links and remembered file hashes, with their sizes and "
        "oldest last use. Every entry is made again when missing (at the cost of the work), so pruning never "
        "changes a number; only entries ipstats wrote are removed.",
    )
    what = cache.add_mutually_exclusive_group()
    what.add_argument(
        "--prune",
        type=float,
        metavar="DAYS",
        help="remove the entries not used for more than DAYS days (a run reading an entry renews it)",
    )
    what.add_argument("--clear", action="store_true", help="remove every entry")
    cache.add_argument("--folder", type=Path, metavar="DIR", help="the cache folder (default $IPSTATS_CACHE)")
    return parser


def _engine(args: argparse.Namespace) -> dict:
    """The --engine/--spark-* options as engine settings (:func:`ipstats.engines.engine_settings`)."""
    config = {}
    for item in args.spark_conf:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--spark-conf expects KEY=VALUE, got {item!r}")
        config[key.strip()] = value.strip()
    return {"name": args.engine, "master": args.spark_master, "app_name": args.spark_app_name, "config": config}


def _write_classified(out, output: str | None) -> None:
    """The classification as CSV; text a spreadsheet would run as a formula is quoted with an apostrophe."""
    from ipstats.cells import write_csv

    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
    write_csv(out, output or sys.stdout, round_floats=False)


def _classify(args: argparse.Namespace) -> None:
    from ipstats.concordance import classify, classify_links, coverage, load_system
    from ipstats.concordance.api import links_from_register
    from ipstats.engines import connect
    from ipstats.validate.schema import COLUMNS_ENV, column_mapping, parse_column_args

    system = load_system(args.system)
    mapping = parse_column_args(args.column)
    if mapping:  # every reader of the input (register or patent_id/ipc table) maps it
        os.environ[COLUMNS_ENV] = column_mapping({args.input: mapping})
    if args.engine == "spark":
        out, _ = classify(args.input, system, keywords=args.keywords, engine=_engine(args))
        _write_classified(out, args.output)
        print(
            f"{system.id} ({system.edition}): {out['patent_id'].nunique():,} patents classified on Spark, "
            f"{len(out):,} patent–category rows" + (f"; written to {args.output}" if args.output else ""),
            file=sys.stderr,
        )
        return
    con = connect()
    texts, report = links_from_register(con, args.input)
    out = classify_links(con, system, "links", texts, keywords=args.keywords)
    summary = coverage(con, system, "links")["summary"].iloc[0]
    if report is not None and report.n_failed:
        print(f"ipstats classify: {args.input}: {report}", file=sys.stderr)
    _write_classified(out, args.output)
    counts = out.drop_duplicates("patent_id").shape[0]
    written = f"; written to {args.output}" if args.output else ""
    if not int(summary["patents"]):
        print(
            f"{system.id} ({system.edition}): no patent has an IPC code that could be read, nothing classified"
            + written,
            file=sys.stderr,
        )
        return
    print(
        f"{system.id} ({system.edition}): {counts:,} of {int(summary['patents']):,} patents with IPC codes classified "
        f"({summary['matched_patents_pct']:.1f} %), {len(out):,} patent–category rows; "
        f"{summary['matched_occurrences_pct']:.1f} % of IPC occurrences matched" + written,
        file=sys.stderr,
    )


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def _cache(args: argparse.Namespace) -> None:
    import time

    from ipstats import cache
    from ipstats.validate.typed import cache_dir

    folder = cache_dir(args.folder)
    if args.prune is not None or args.clear:
        removed = cache.clear(folder) if args.clear else cache.prune(args.prune, folder)
        n = len(removed)
        print(f"{folder}: removed {n:,} {'entry' if n == 1 else 'entries'}, {_megabytes(sum(e.size for e in removed))}")
        return
    print(f"{folder}:")
    for kind, count, size, used in cache.summary(folder):
        age = "" if used is None else f", oldest last used {(time.time() - used) / 86_400:,.1f} days ago"
        print(f"  {kind:<10} {count:>7,} entries  {_megabytes(size):>12}{age}")


def _systems(args: argparse.Namespace) -> None:
    from ipstats.concordance import list_systems

    for row in list_systems().itertuples():
        print(f"{row.id}\t{row.edition}\t{row.source_document}\t{row.name_zh}")


def _demo_data(args: argparse.Namespace) -> None:
    import numpy as np

    from ipstats.register.demo import write_demo_data

    try:
        np.datetime64(args.as_of, "D")
    except ValueError:
        raise ParameterError(f"--as-of expects a date such as 2025-03-31, got {args.as_of!r}") from None
    paths = write_demo_data(args.out, patents=args.patents, seed=args.seed, as_of=args.as_of)
    print(f"wrote {args.patents:,} synthetic applications (seed {args.seed}) to {args.out}:")
    for path in paths.values():
        print(f"  {path}")


def _validate(args: argparse.Namespace) -> int:
    from ipstats.validate import load_schema, validate_file

    references = {}
    for item in args.reference:
        name, sep, file = item.partition("=")
        if not sep or not name or not file:
            raise ValueError(f"--reference expects SCHEMA=FILE, e.g. patent_register=register.parquet; got {item!r}")
        references[name] = Path(file)
    from ipstats.validate.schema import parse_column_args

    schema = load_schema(args.schema).with_columns(parse_column_args(args.column))
    report = validate_file(
        args.file,
        schema,
        sheet=args.sheet,
        encoding=args.encoding,
        references=references,
        max_problems=max(args.max_problems, 0),
    )
    for note in report.notes:
        print(f"info: {report.file}: {note}", file=sys.stderr)
    for line in report.lines():
        print(line)
    print(report.summary())
    return 0 if report.ok else 1


def _bulletin(args: argparse.Namespace) -> None:
    from ipstats.bulletin import run_bulletin

    region = args.region
    if region is not None and region != "national" and region.isdigit():
        region = region.zfill(2)
    out = run_bulletin(
        args.params,
        out=args.out,
        internal_out=args.internal_out,
        region=region,
        progress=print,
        pdf=args.pdf,
        lang=args.lang,
    )
    print(f"bulletin written to {out} (open {out / 'index.html'})")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``ipstats`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s %(message)s")
    if args.command is None:
        parser.print_help()
        return 2
    handler = {
        "demo-data": _demo_data,
        "bulletin": _bulletin,
        "validate": _validate,
        "classify": _classify,
        "systems": _systems,
        "cache": _cache,
    }[args.command]
    try:
        code = handler(args) or 0
    except KeyboardInterrupt:
        print(f"ipstats {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # whoever read the output stopped early (ipstats validate … | head): no traceback; exit as a shell
        # command killed by SIGPIPE does, and silence the final flush
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # noqa: BLE001 - the user gets one line; --debug shows the traceback
        if args.debug:
            raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        # errors a user can cause (IpstatsError and its kinds, files, permissions) need no hint; a plain
        # ValueError from the argument checks neither
        known = isinstance(exc, (IpstatsError, FileNotFoundError, PermissionError)) or type(exc) is ValueError
        hint = "" if known else f" ({type(exc).__name__}; run with --debug for details)"
        print(f"ipstats {args.command}: {message}{hint}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
