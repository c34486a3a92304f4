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


@pytest.mark.parametrize("args, expected", [
    (["demo-data"], "the following arguments are required: --out"),
    (["demo-data", "--out", "x", "--patents", "many"], "expected a whole number"),
    (["demo-data", "--out", "x", "--patents", "0"], "expected a positive number"),
    (["nonsense"], "invalid choice"),
    (["bulletin"], "the following arguments are required"),
])
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
    for name in ("register.parquet", "register_ipc.parquet", "register_sample.csv", "population.csv",
                 "demo_meta.json", "README.md"):
        assert (tmp_path / "d" / name).exists()
