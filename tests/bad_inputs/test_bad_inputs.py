"""The bad-input corpus: `ipstats validate` on every case prints the expected first line, exits 1, no traceback.

cases.yaml lists the cases; the text files beside it are the inputs (written by make_text_cases.py), the
binary ones (GBK, Excel, Parquet) are built by binary_cases.py into a copy of this folder. The cases run the
command line's own entry point (:func:`ipstats.cli.main`) in this process, with its standard output, standard
error and log output captured, instead of one interpreter per case; one case also runs as a real
``python -m ipstats`` process, so the installed entry point is covered too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from binary_cases import build_binary_cases  # noqa: E402
from make_text_cases import CASES  # noqa: E402

ALL = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))


def validate(folder: Path, file: str, schema: str, *args: str) -> subprocess.CompletedProcess:
    """``ipstats validate FILE --schema SCHEMA ARGS`` run in *folder* by the CLI's entry point, in process.

    What a user's terminal would show is captured: standard output, standard error, and log records
    (WARNING and above, formatted as the CLI formats them) on standard error. The working folder and the
    environment (``--column`` sets a variable) are restored afterwards.
    """
    from ipstats.cli import main

    argv = ["validate", file, "--schema", schema, *args]
    out, err = io.StringIO(), io.StringIO()
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.setLevel(logging.WARNING)
    root, env, cwd = logging.getLogger(), dict(os.environ), os.getcwd()
    root.addHandler(handler)
    try:
        os.chdir(folder)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse errors exit as the command would
                code = exc.code
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        root.removeHandler(handler)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def validate_process(folder: Path, file: str, schema: str, *args: str) -> subprocess.CompletedProcess:
    """The same command as a separate ``python -m ipstats`` process."""
    return subprocess.run(
        [sys.executable, "-m", "ipstats", "validate", file, "--schema", schema, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad_inputs")
    for sub in {name.split("/")[0] for name in CASES}:
        shutil.copytree(HERE / sub, folder / sub)
    build_binary_cases(folder)
    return folder


@pytest.fixture(scope="module")
def outcomes(corpus) -> dict[str, subprocess.CompletedProcess]:
    """Every case run once, in this process."""
    return {c["id"]: validate(corpus, c["file"], c["schema"], *c.get("args", [])) for c in ALL}


def test_a_case_as_a_real_process_gives_what_the_in_process_run_gives(corpus, outcomes):
    """The in-process run is the command: a real process prints the same lines and exits the same way."""
    for case in (ALL[0], next(c for c in ALL if c.get("args"))):
        real = validate_process(corpus, case["file"], case["schema"], *case.get("args", []))
        mine = outcomes[case["id"]]
        assert (real.returncode, real.stdout, real.stderr) == (mine.returncode, mine.stdout, mine.stderr)


def test_corpus_is_large_and_covers_every_shipped_schema():
    from ipstats.validate import schema_names

    assert len(ALL) >= 40
    assert len({c["id"] for c in ALL}) == len(ALL)
    covered = {c["schema"] for c in ALL}
    assert {
        "patent_register",
        "patent_register_ipc",
        "population",
        "concordance_rules",
        "concordance_categories",
    } <= covered
    missing = sorted(set(schema_names()) - covered)
    assert not missing, f"schemas without bad-input cases: {missing}"


def test_text_files_are_as_generated():
    """The committed text cases are exactly what make_text_cases.py writes (edit the script, not the files)."""
    for name, text in CASES.items():
        assert (HERE / name).read_text(encoding="utf-8") == text, name


@pytest.mark.parametrize("case", ALL, ids=[c["id"] for c in ALL])
def test_bad_input(outcomes, case):
    out = outcomes[case["id"]]
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    assert all(line.startswith("info: ") for line in out.stderr.splitlines()), out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == case["first"].replace("{today}", dt.date.today().isoformat())
    count = case["problems"]
    assert lines[-1].startswith(f"{case['file']}: {count:,} problem{'s' if count != 1 else ''}")
    assert len(lines) == count + 1  # one line per problem, then the summary


#: Schema of each folder of the corpus (the folder is the schema's name otherwise) and the files its foreign keys need.
FOLDER_SCHEMA = {"register": "patent_register", "extract": "patent_register"}
REFERENCES = [
    "--reference",
    "patent_register=register/valid.csv",
    "--reference",
    "products=products/valid.csv",
    "--reference",
    "concordance_categories=concordance_categories/valid.csv",
]
VALID = sorted(name for name in CASES if name.endswith("/valid.csv"))


@pytest.mark.parametrize("file", [*VALID, "register/wrong_sheet.xlsx", "register/notes_sheet_first.xlsx"])
def test_valid_counterparts_pass(corpus, file):
    """Each case's valid base validates clean, so the one change in a case is what its message is about
    (the two workbooks: the sheet holding the columns is found without --sheet)."""
    folder = file.split("/")[0]
    schema = FOLDER_SCHEMA.get(folder, folder)
    out = validate(corpus, file, schema, *REFERENCES)
    assert out.returncode == 0, out.stdout + out.stderr
    assert len(out.stdout.splitlines()) == 1
    assert out.stdout.startswith(f"{file}: valid — ") and out.stdout.endswith(f" rows match schema {schema}\n")
    assert "foreign key" not in out.stderr  # every foreign key was checked


def test_every_folder_has_a_valid_base():
    folders = {c["file"].split("/")[0] for c in ALL}
    assert folders == {v.split("/")[0] for v in VALID}
