"""The command line as a user meets it: help texts, one-line errors, exit codes."""

import subprocess
import sys

import pytest

from ipstats.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "ipstats", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [["--help"], ["demo-data", "--help"], ["bulletin", "--help"]])
def test_help_explains(args):
    out = run(*args)
    assert out.returncode == 0
    assert "usage: ipstats" in out.stdout and len(out.stdout.splitlines()) > 5


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and "ipstats" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, expected",
    [
        (["demo-data"], "the following arguments are required: --out"),
        (["demo-data", "--out", "x", "--patents", "many"], "expected a whole number"),
        (["demo-data", "--out", "x", "--patents", "0"], "expected a positive number"),
        (["nonsense"], "invalid choice"),
        (["bulletin"], "the following arguments are required"),
    ],
)
def test_bad_arguments_one_line(args, expected):
    out = run(*args)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and expected in out.stderr
    assert "Traceback" not in out.stderr


def test_missing_parameter_file_one_line(tmp_path):
    out = run("bulletin", str(tmp_path / "missing.yaml"))
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "missing.yaml" in out.stderr and "Traceback" not in out.stderr


def test_bad_date_one_line(tmp_path):
    out = run("demo-data", "--out", str(tmp_path), "--as-of", "31/03/2025")
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and "--as-of" in out.stderr


def test_demo_data_writes_files(tmp_path):
    out = run("demo-data", "--out", str(tmp_path / "d"), "--patents", "1000", "--seed", "3")
    assert out.returncode == 0, out.stderr
    for name in (
        "register.parquet",
        "register_ipc.parquet",
        "register_sample.csv",
        "population.csv",
        "demo_meta.json",
        "README.md",
    ):
        assert (tmp_path / "d" / name).exists()


def test_systems_lists_one_per_line():
    out = run("systems")
    assert out.returncode == 0
    lines = out.stdout.strip().splitlines()
    assert len(lines) >= 8 and any(line.startswith("cnipa_sei_2021\t2021\t国知办函规字〔2021〕121号") for line in lines)


def test_classify_writes_long_csv(tmp_path):
    src = tmp_path / "p.csv"
    src.write_text("patent_id,ipc,title\n1,H04N 3/00;H04N 1/00,一种电视\n2,pizza,比萨\n", encoding="utf-8")
    out = run("classify", str(src), "--system", "wipo_fields_2019", "--output", str(tmp_path / "o.csv"))
    assert out.returncode == 0, out.stderr
    import pandas as pd

    table = pd.read_csv(tmp_path / "o.csv", dtype=str, encoding="utf-8-sig")
    assert list(table.columns) == ["patent_id", "category", "category_name", "weight", "match"]
    assert set(table["category"]) == {"2", "3"}
    assert "1 of 1 patents with IPC codes classified" in out.stderr and "'pizza'" in out.stderr


@pytest.mark.parametrize(
    "args, expected",
    [
        (["classify", "missing.csv", "--system", "wipo_fields_2019"], "missing.csv: file not found"),
        (["classify", "x.csv", "--system", "nope"], "unknown classification system 'nope'"),
    ],
)
def test_classify_errors_one_line(tmp_path, args, expected):
    out = subprocess.run([sys.executable, "-m", "ipstats", *args], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and expected in out.stderr


def test_spark_options_are_checked_before_spark_starts(tmp_path):
    proc = run(
        "classify",
        str(tmp_path / "register.parquet"),
        "--system",
        "cnipa_sei_2021",
        "--engine",
        "spark",
        "--spark-conf",
        "spark.executor.memory",
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        "ipstats classify: --spark-conf expects KEY=VALUE, got 'spark.executor.memory'"
    )


def test_classify_a_file_without_a_single_ipc_code(tmp_path):
    """Every IPC cell unreadable: one line for the cells (long values shortened), one for the result; no pandas error."""
    src = tmp_path / "p.csv"
    src.write_text("patent_id,ipc\n1," + "A" * 5000 + "\n2,not-a-code\n", encoding="utf-8")
    out = run("classify", str(src), "--system", "cnipa_sei_2021", "--output", str(tmp_path / "o.csv"))
    assert out.returncode == 0, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 2 and max(len(line) for line in lines) < 300
    assert "0 of 2 IPC parts parsed" in lines[0] and lines[1].endswith(
        f"nothing classified; written to {tmp_path / 'o.csv'}"
    )
    assert (tmp_path / "o.csv").read_text(encoding="utf-8-sig") == "patent_id,category,category_name,weight,match\n"


def test_piped_output_closed_early_is_not_an_error(tmp_path):
    """ipstats validate … | head: the reader goes away; no traceback, the shell's SIGPIPE status."""
    src = tmp_path / "r.csv"
    src.write_text("application_number\n" + "x\n" * 5000, encoding="utf-8")
    command = f"{sys.executable} -m ipstats validate {src} --schema patent_register --max-problems 0 | head -1"
    proc = subprocess.run(command, shell=True, capture_output=True, text=True, executable="/bin/bash")
    assert proc.stdout.count("\n") == 1 and "Traceback" not in proc.stderr and "Broken pipe" not in proc.stderr
