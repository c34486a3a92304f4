"""The DuckDB validation engine gives the pandas engine's report: same lines, row numbers, counts and notes.

Both engines run over every case of the bad-input corpus (every schema) and over messy copies of a
demo register (mistakes of every kind, GBK, Excel, Chinese headers, extra columns, mixed date forms, full-width
codes, province names), listing all problems and only the first few.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from ipstats.validate import load_schema, validate_file
from ipstats.validate.core import column_aliases

pytest.importorskip("duckdb")

BAD = Path(__file__).resolve().parents[1] / "bad_inputs"
SCHEMAS = ("patent_register", "patent_register_ipc")


def both(path, schema, **kwargs) -> tuple:
    """The two engines' reports as comparable tuples (and the DuckDB one for further checks)."""
    from ipstats.validate import duck

    out = []
    for r in (
        validate_file(path, schema, engine="pandas", **kwargs),
        duck.validate_duckdb(path, load_schema(schema), **kwargs),
    ):  # no fallback: the engine itself
        out.append((r.lines(), r.summary(), r.notes, r.by_field, r.changed, r.rows, r.n_problems))
    return out[0], out[1]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    sys.path.insert(0, str(BAD))
    from binary_cases import build_binary_cases
    from make_text_cases import CASES

    folder = tmp_path_factory.mktemp("corpus")
    for sub in {name.split("/")[0] for name in CASES}:
        shutil.copytree(BAD / sub, folder / sub)
    build_binary_cases(folder)
    return folder


# every case of every schema: DuckDB validates the register-scale inputs by default (duck.DUCKDB_SCHEMAS) and any
# input under IPSTATS_VALIDATE_ENGINE=duckdb
CASES = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))


def test_the_corpus_has_register_cases():
    from ipstats.validate import duck

    assert sum(c["schema"] in SCHEMAS for c in CASES) >= 50
    assert {c["schema"] for c in CASES} >= set(duck.DUCKDB_SCHEMAS)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_case(corpus, case, monkeypatch):
    from ipstats.validate import duck
    from ipstats.validate.schema import parse_column_args

    monkeypatch.chdir(corpus)
    args = case.get("args", [])
    option = {a: args[i + 1] for i, a in enumerate(args) if a in ("--encoding", "--sheet")}
    schema = load_schema(case["schema"]).with_columns(
        parse_column_args([args[i + 1] for i, a in enumerate(args) if a == "--column"])
    )
    kwargs = {
        "encoding": option.get("--encoding"),
        "sheet": option.get("--sheet"),
        "references": {"patent_register": Path("register/valid.csv")},
    }
    pandas_report = validate_file(case["file"], schema, engine="pandas", **kwargs)
    duck_report = duck.validate_duckdb(case["file"], schema, **kwargs)  # no fallback: the engine itself
    assert duck_report.lines() == pandas_report.lines()
    assert duck_report.summary() == pandas_report.summary()
    assert (duck_report.notes, duck_report.by_field, duck_report.rows) == (
        pandas_report.notes,
        pandas_report.by_field,
        pandas_report.rows,
    )


def _register_text(reg: pd.DataFrame) -> pd.DataFrame:
    """A typed register as the text of an extract: empty cells '', dates as 2023-05-06."""
    text = reg.astype(object).where(reg.notna(), "")
    for col in ("filing_date", "priority_date", "publication_date", "grant_date", "lapse_date"):
        text[col] = pd.to_datetime(reg[col]).dt.strftime("%Y-%m-%d").fillna("")
    return text


def _messy_register() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A demo register as text with mistakes of every kind, and its IPC links with some of their own."""
    from ipstats.register.demo import generate_register

    reg, links = generate_register(patents=3_000, seed=11)
    text = _register_text(reg)
    rng = np.random.default_rng(3)
    rows = lambda n: rng.choice(len(text), size=n, replace=False)  # noqa: E731
    forms = ["%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"]
    for i, r in enumerate(rows(200)):  # accepted date forms, mixed
        text.loc[r, "filing_date"] = reg.loc[r, "filing_date"].strftime(forms[i % 4])
    for r, bad in zip(rows(6), ["2023-02-30", "6/1/2021", "２０２３-０１-０５", "2099-01-01", "x", "2020-13-01"]):
        text.loc[r, "filing_date"] = bad
    text.loc[rows(3), "grant_date"] = "2003-01-01"  # before filing
    text.loc[rows(3), "lapse_date"] = "2200-01-01"  # after the term and today
    text.loc[rows(2), "priority_date"] = "2024-12-31"
    feb = rows(2)
    text.loc[feb, ["filing_date", "patent_type", "legal_status", "grant_date", "lapse_date"]] = [
        "2004-02-29",
        "实用新型",
        "失效-期限届满",
        "2005-01-01",
        "2014-03-02",
    ]
    text.loc[rows(3), "patent_type"] = "发明专利"  # read as 发明, with a note
    text.loc[rows(2), "patent_type"] = "发明创造"
    text.loc[rows(3), "province_code"] = "江苏省"  # read as 32
    text.loc[rows(2), "province_code"] = "江苏省南京市"  # with a hint
    text.loc[rows(3), "province_code"] = "３２"  # full width
    text.loc[rows(2), "province_code"] = "99"
    text.loc[rows(2), "origin_code"] = "JP"
    text.loc[rows(2), "origin_code"] = ""
    text.loc[rows(2), "legal_status"] = "授权"
    text.loc[rows(2), "applicant_type"] = "大专院校"
    text.loc[rows(2), "applicant_name"] = " "
    text.loc[rows(2), "applicant_name"] = "\u3000某公司 "
    text.loc[rows(2), "title"] = "一种\x07装置"  # control character
    text.loc[rows(2), "locarno_class"] = "4"
    text.loc[rows(2), "ipc_main"] = "B60L-53"
    text.loc[rows(2), "ipc"] = "H04L29/06;G06F17/3O"
    text.loc[rows(2), "ipc"] = "H04L 29/06; G06F 17/30"  # spaced, valid
    text.loc[rows(2), "application_number"] = " CN202220000007.4"
    text.loc[rows(2), "application_number"] = "CN2022200000074"
    text.loc[rows(1), "application_number"] = ""
    text.loc[rows(3), "application_number"] = text.loc[0, "application_number"]  # duplicates
    text["inventor"] = "张三"  # an extra column, one control character
    text.loc[rows(1), "inventor"] = "李\x00四"
    long = links.astype(str)
    long.loc[5, "application_number"] = "CN202399999999.9"
    long.loc[7, "seq"] = "0"
    long = pd.concat([long, long.iloc[[3]]], ignore_index=True)
    return text, long


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("messy")
    reg, links = _messy_register()
    files = _register_forms(folder, reg)
    files["parquet"], files["links"] = folder / "register.parquet", folder / "register_ipc.parquet"
    reg.to_parquet(files["parquet"], index=False)
    links.to_parquet(files["links"], index=False)
    links.to_csv(files["links_csv"], index=False)
    return files


def _register_forms(folder: Path, reg: pd.DataFrame) -> dict[str, Path]:
    """A register as text in the forms CNIPA extracts come in: CSV, GBK, Excel (400 rows), Chinese headers."""
    files = {
        "csv": folder / "register.csv",
        "gbk": folder / "register_gbk.csv",
        "xlsx": folder / "register.xlsx",
        "chinese": folder / "register_zh.csv",
        "links_csv": folder / "register_ipc.csv",
    }
    reg.to_csv(files["csv"], index=False)
    gbk = reg.copy()
    for col in gbk.columns:  # GBK cannot hold every character of the demo's names
        gbk[col] = gbk[col].map(lambda v: v.encode("gbk", "replace").decode("gbk"))
    gbk.to_csv(files["gbk"], index=False, encoding="gbk")
    reg.head(400).to_excel(files["xlsx"], index=False)
    zh = {f.name: f.title.split(" / ")[0] for f in load_schema("patent_register").fields}
    reg.rename(columns=zh).to_csv(files["chinese"], index=False, encoding="utf-8-sig")
    return files


@pytest.mark.parametrize("kind", ["parquet", "csv", "gbk", "xlsx", "chinese"])
@pytest.mark.parametrize("limit", [0, 7])
def test_messy_register(messy, kind, limit, monkeypatch):
    from ipstats.validate import duck

    if kind == "parquet":  # read by DuckDB as it is, not through the reader
        monkeypatch.setattr(duck._Engine, "stage", lambda *a: pytest.fail("a Parquet register was staged"))
    pandas_report, duck_report = both(messy[kind], "patent_register", max_problems=limit)
    assert pandas_report[6] > (5 if kind == "xlsx" else 40)  # the mistakes are found
    assert duck_report == pandas_report


def test_messy_register_columns_read_by_title(messy):
    assert "申请号" in column_aliases(load_schema("patent_register"))


@pytest.mark.parametrize("kind", ["links", "links_csv"])
@pytest.mark.parametrize("reference", ["parquet", "csv", "chinese", "xlsx"])
def test_messy_links_with_foreign_keys(messy, kind, reference, monkeypatch):
    # a register with Chinese headers (申请号) once left the key unchecked: "'application_number' is not in list"
    pandas_report, duck_report = both(
        messy[kind], "patent_register_ipc", max_problems=0, references={"patent_register": messy[reference]}
    )
    assert any("a value found in column application_number" in line for line in pandas_report[0])
    assert any("a unique combination" in line for line in pandas_report[0])
    assert not any("foreign key" in n for n in pandas_report[2])
    assert duck_report == pandas_report
    if reference in ("csv", "chinese"):  # a CSV register read by DuckDB's CSV reader, not the Python one
        import ipstats.validate.core as core
        from ipstats.validate import duck

        monkeypatch.setattr(core, "_reference_chunks", lambda *a: pytest.fail("read by the Python reader"))
        again = duck.validate_duckdb(
            messy[kind],
            load_schema("patent_register_ipc"),
            max_problems=0,
            references={"patent_register": messy[reference]},
        )
        assert again.lines() == pandas_report[0]


def test_links_without_reference_note(messy):
    pandas_report, duck_report = both(messy["links"], "patent_register_ipc")
    assert any("foreign key to patent_register not checked" in n for n in pandas_report[2])
    assert duck_report == pandas_report


def test_valid_demo_register_and_auto_engine(tmp_path, monkeypatch):
    from ipstats.register.demo import write_demo_data
    from ipstats.validate import duck

    paths = write_demo_data(tmp_path / "demo", patents=2_000, seed=4, domains=False)
    monkeypatch.setattr(duck._Engine, "stage", lambda *a: pytest.fail("a Parquet register was staged"))
    pandas_report, duck_report = both(paths["register"], "patent_register")
    assert duck_report == pandas_report and pandas_report[6] == 0
    monkeypatch.undo()
    schema = load_schema("patent_register")
    assert not duck.prefer_duckdb(paths["register"], schema)  # small: pandas starts faster
    # a Parquet file counts by its rows too (it compresses tenfold); a CSV by its bytes only
    monkeypatch.setattr(duck, "MIN_PARQUET_ROWS", 2_000)
    assert duck.prefer_duckdb(paths["register"], schema)
    csv = tmp_path / "register.csv"
    pd.read_parquet(paths["register"]).head(3_000).to_csv(csv, index=False)
    assert not duck.prefer_duckdb(csv, schema)
    monkeypatch.setattr(duck, "MIN_PARQUET_ROWS", 2_001)
    assert not duck.prefer_duckdb(paths["register"], schema)
    monkeypatch.setattr(duck, "MIN_BYTES", 1)
    assert duck.prefer_duckdb(paths["register"], schema)
    assert duck.prefer_duckdb(csv, schema)
    assert not duck.prefer_duckdb(paths["register"], load_schema("population"))
    monkeypatch.setenv(duck.ENGINE_ENV, "pandas")
    assert not duck.prefer_duckdb(paths["register"], schema)


def test_damaged_parquet_falls_back_to_the_pandas_message(tmp_path):
    from ipstats.register.demo import generate_register

    reg, _ = generate_register(patents=2_000, seed=4)
    path = tmp_path / "register.parquet"
    reg.to_parquet(path, index=False)
    data = path.read_bytes()
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(data[:4] + bytes(len(data) // 2) + data[4 + len(data) // 2 :])
    pandas_report = validate_file(damaged, "patent_register", engine="pandas")
    duck_report = validate_file(damaged, "patent_register", engine="duckdb")
    assert not pandas_report.ok
    assert duck_report.lines() == pandas_report.lines() and duck_report.summary() == pandas_report.summary()


def test_an_unchanged_input_is_not_validated_again(tmp_path, monkeypatch):
    """The typed cache records the validation (sha256, schema, version, when); the manifest says it was skipped."""
    from ipstats.bulletin.manifest import inputs_record
    from ipstats.register.demo import write_demo_data
    from ipstats.validate import typed

    monkeypatch.setenv("IPSTATS_CACHE", str(tmp_path / "cache"))
    paths = write_demo_data(tmp_path / "demo", patents=1_000, seed=4, domains=False)
    calls = []
    real = typed.validate_file
    monkeypatch.setattr(typed, "validate_file", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    typed.typed_parquet_report(paths["register"], "patent_register")
    sha = typed.file_sha256(paths["register"])
    first = typed.validation_status(sha)["patent_register"]
    assert calls and first["skipped"] is False and first["sha256"] == sha and first["rows"] == 1_000
    calls.clear()
    typed.typed_parquet_report(paths["register"], "patent_register")
    assert not calls  # not validated again
    again = inputs_record({"register": paths["register"]})["register"]["validation"]["patent_register"]
    assert again["skipped"] is True and again["validated_at"] == first["validated_at"]
    reg = pd.read_parquet(paths["register"]).head(999)  # other content: validated anew
    reg.to_parquet(paths["register"], index=False)
    typed.typed_parquet_report(paths["register"], "patent_register")
    assert calls and typed.validation_status(typed.file_sha256(paths["register"]))["patent_register"]["rows"] == 999


def test_a_copy_validated_later_does_not_move_the_first_validation(tmp_path, monkeypatch):
    # CI once failed test_two_runs_give_identical_tables: a copy of the CI register (same content, other path),
    # validated by another run in between, rewrote when that content was validated, and the second manifest differed
    import json
    import shutil

    from ipstats.register.demo import write_demo_data
    from ipstats.validate import typed

    monkeypatch.setenv("IPSTATS_CACHE", str(tmp_path / "cache"))
    paths = write_demo_data(tmp_path / "demo", patents=500, seed=5, domains=False)
    typed.typed_parquet_report(paths["register"], "patent_register")
    sha = typed.file_sha256(paths["register"])
    first = typed.validation_status(sha)["patent_register"]["validated_at"]
    record = next((tmp_path / "cache").rglob("patent_register-*.json"))
    meta = json.loads(record.read_text(encoding="utf-8"))
    copy = tmp_path / "copy" / "register.parquet"
    copy.parent.mkdir()
    shutil.copy(paths["register"], copy)
    monkeypatch.setattr(typed, "_validated", lambda *a: {**meta, "validated_at": "2999-01-01T00:00:00+00:00"})
    typed.typed_parquet_report(copy, "patent_register")  # validated anew: its path is another key
    assert typed.validation_status(sha)["patent_register"]["validated_at"] == first


def test_every_bulletin_input_is_validated_once_per_content(tmp_path, monkeypatch):
    """The bulletin's input check validates each input once per content, small CSVs too; the legal events' typed
    copy it writes is what the survey and transfer pages read (read_legal_events does not validate them again)."""
    from ipstats.bulletin.manifest import inputs_record
    from ipstats.register.demo import write_demo_data
    from ipstats.transfer.events import read_legal_events
    from ipstats.validate import typed, validate_inputs

    paths = write_demo_data(tmp_path / "demo", patents=1_000, seed=4)  # its survey demo reads the events
    monkeypatch.setenv("IPSTATS_CACHE", str(tmp_path / "cache"))
    inputs = {
        "register": paths["register"],
        "population": paths["population"],
        "patent_legal_events": paths["patent_legal_events"],
        "patent_pledges": paths["patent_pledges"],
    }
    calls = []
    real = typed.validate_file
    monkeypatch.setattr(typed, "validate_file", lambda *a, **k: calls.append(Path(a[0]).name) or real(*a, **k))
    reports, _ = validate_inputs(inputs)
    assert all(r.ok for r in reports.values()) and set(reports) == {*inputs, "register_ipc"}
    assert sorted(calls) == sorted(
        ["register.parquet", "register_ipc.parquet", "population.csv", "patent_legal_events.csv", "patent_pledges.csv"]
    )
    calls.clear()
    events = read_legal_events(paths["patent_legal_events"], paths["register"])
    assert not calls and len(events) == reports["patent_legal_events"].rows
    again, _ = validate_inputs(inputs)
    assert not calls  # unchanged: not validated again, the same reports
    assert {k: (r.rows, r.notes) for k, r in again.items()} == {k: (r.rows, r.notes) for k, r in reports.items()}
    record = inputs_record(inputs)
    assert all(v["skipped"] for r in record.values() for v in r["validation"].values())
    # a changed events file is validated anew, and its problems come in the validator's lines
    text = paths["patent_legal_events"].read_text(encoding="utf-8").splitlines()
    head, first = text[0].split(","), text[1].split(",")
    first[head.index("event_type")] = "赠与"
    paths["patent_legal_events"].write_text("\n".join([text[0], ",".join(first), *text[2:]]) + "\n", encoding="utf-8")
    bad, _ = validate_inputs(inputs, max_problems=5)
    assert calls == ["patent_legal_events.csv"]
    assert not bad["patent_legal_events"].ok
    assert bad["patent_legal_events"].lines()[0].startswith(f"{paths['patent_legal_events']}:2: event_type: '赠与'")


def _messy_valid_register() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A demo register as text with only what reading accepts and changes (date forms, full-width codes, names
    read as codes, spaced IPC lists and application numbers, an extra column with empty cells), and its links."""
    from ipstats.register.demo import generate_register

    reg, links = generate_register(patents=3_000, seed=12)
    text = _register_text(reg)
    rng = np.random.default_rng(5)
    rows = lambda n: rng.choice(len(text), size=n, replace=False)  # noqa: E731
    forms = ["%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y年%-m月%-d日"]
    for i, r in enumerate(rows(300)):
        text.loc[r, "filing_date"] = reg.loc[r, "filing_date"].strftime(forms[i % len(forms)])
    for r in rows(5):  # full width
        text.loc[r, "province_code"] = "".join(chr(ord(c) + 0xFEE0) for c in str(text.loc[r, "province_code"]))
    for r in rows(4):
        text.loc[r, "application_number"] = f" {text.loc[r, 'application_number']} "
    text.loc[rows(3), "patent_type"] = "发明专利"  # read as 发明
    text.loc[rows(2), "applicant_name"] = "\u3000某公司 "
    text.loc[rows(2), "ipc"] = "H04L 29/06; G06F 17/30"
    text["inventor"] = "张三"  # an extra column, some cells empty
    text.loc[rows(20), "inventor"] = ""
    return text, links.astype(str)


@pytest.fixture(scope="module")
def messy_valid(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("messy_valid")
    reg, links = _messy_valid_register()
    files = _register_forms(folder, reg)
    files["text_parquet"], files["typed_parquet"] = folder / "register_text.parquet", folder / "register_typed.parquet"
    reg.to_parquet(files["text_parquet"], index=False)
    from ipstats.register.demo import generate_register

    typed_form, _ = generate_register(patents=3_000, seed=12)  # the typed form, with cells reading changes
    typed_form["province_code"] = typed_form["province_code"].astype(object)
    typed_form.loc[[3, 70], "province_code"] = typed_form.loc[[3, 70], "province_code"].map(
        lambda v: v if v is None else "".join(chr(ord(c) + 0xFEE0) for c in v)
    )
    typed_form.to_parquet(files["typed_parquet"], index=False)
    links.to_csv(files["links_csv"], index=False)
    return files


@pytest.mark.parametrize("kind", ["csv", "gbk", "xlsx", "chinese", "text_parquet", "typed_parquet", "links_csv"])
def test_duckdb_writes_the_typed_form_the_pandas_engine_writes(messy_valid, kind, tmp_path, monkeypatch):
    """A register typed by DuckDB (validate_duckdb(typed=…)) is the pandas engine's typed Parquet: same columns,
    Arrow types, values and row order, and the same report."""
    import pyarrow.parquet as pq

    import ipstats.validate.run as run
    from ipstats.validate import duck, typed

    schema = "patent_register_ipc" if kind == "links_csv" else "patent_register"
    references = {"patent_register": messy_valid["csv"]} if kind == "links_csv" else None
    out = {}
    for engine in ("pandas", "duckdb"):
        monkeypatch.setenv(duck.ENGINE_ENV, engine)
        monkeypatch.setenv("IPSTATS_CACHE", str(tmp_path / engine))
        if engine == "duckdb":  # the DuckDB engine itself, no fallback
            monkeypatch.setattr(run, "validate_pandas", lambda *a, **k: pytest.fail("validated by pandas"))
            if kind in ("csv", "gbk", "chinese", "links_csv"):  # read by DuckDB's own CSV reader (duck_csv)
                monkeypatch.setattr(duck._Engine, "stage", lambda *a: pytest.fail("read by the Python reader"))
        path, report = typed.typed_parquet_report(messy_valid[kind], schema, references=references)
        assert path.parent == tmp_path / engine  # a typed copy, not the input
        out[engine] = (pq.read_table(path), report.rows, report.notes, report.changed)
    (ours, *said), (theirs, *expected) = out["duckdb"], out["pandas"]
    assert said == expected and said[0] == (400 if kind == "xlsx" else ours.num_rows)
    assert any("normalised" in n for n in said[1]) or kind == "links_csv"
    assert ours.schema.remove_metadata() == theirs.schema.remove_metadata()
    for name in theirs.column_names:
        assert ours[name].combine_chunks().equals(theirs[name].combine_chunks()), name


def test_duckdb_typed_copy_of_an_invalid_register_is_refused_in_the_pandas_line(tmp_path, monkeypatch):
    from ipstats.validate import duck, typed

    reg, _ = _messy_valid_register()
    reg.loc[10, "filing_date"] = "2023-02-30"
    path = tmp_path / "register.csv"
    reg.to_csv(path, index=False)
    messages = {}
    for engine in ("pandas", "duckdb"):
        monkeypatch.setenv(duck.ENGINE_ENV, engine)
        monkeypatch.setenv("IPSTATS_CACHE", str(tmp_path / engine))
        with pytest.raises(typed.ValidationError) as caught:
            typed.typed_parquet_report(path, "patent_register")
        messages[engine] = str(caught.value)
        assert not list((tmp_path / engine).glob("*.parquet")) and not list((tmp_path / engine).glob(".*partial"))
    assert messages["duckdb"] == messages["pandas"]
    assert messages["pandas"].startswith(f"{path}:12: filing_date: '2023-02-30'")


@pytest.mark.parametrize("name", ["patent_legal_events", "patent_families", "patent_pledges"])
@pytest.mark.parametrize("form", ["csv", "gbk"])
def test_duckdb_types_the_files_that_grow_with_the_register(tmp_path, monkeypatch, name, form):
    """Legal events, families and pledges (millions of rows at national scale) are typed by DuckDB as by pandas:
    dates in every accepted form, amounts, an extra column where allowed, GBK, the foreign key to the register."""
    import pyarrow.parquet as pq

    import ipstats.validate.run as run
    from ipstats.register.demo import write_demo_data
    from ipstats.validate import duck, typed

    paths = write_demo_data(tmp_path / "demo", patents=3_000, seed=6)
    frame = pd.read_csv(paths[name], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    forms = ["%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y年%-m月%-d日", "%Y-%m-%d"]
    for col in [c for c in frame.columns if "date" in c]:
        dates = pd.to_datetime(frame[col], errors="coerce")
        frame[col] = [d.strftime(forms[i % len(forms)]) if pd.notna(d) else "" for i, d in enumerate(dates)]
    extra = load_schema(name).fields_match in ("subset", "partial")
    if extra:  # a column outside the schema, where the schema allows it
        frame["备注"] = np.where(np.arange(len(frame)) % 3 == 0, "", "核对")
    path = tmp_path / f"{name}.csv"
    frame.to_csv(path, index=False, encoding="gbk" if form == "gbk" else "utf-8")
    references = {"patent_register": paths["register"]}
    out = {}
    for engine in ("pandas", "duckdb"):
        monkeypatch.setenv(duck.ENGINE_ENV, engine)
        monkeypatch.setenv("IPSTATS_CACHE", str(tmp_path / engine))
        if engine == "duckdb":
            monkeypatch.setattr(run, "validate_pandas", lambda *a, **k: pytest.fail("validated by pandas"))
        typed_path, report = typed.typed_parquet_report(path, name, references=references)
        out[engine] = (pq.read_table(typed_path), report.rows, report.notes)
    (ours, *said), (theirs, *expected) = out["duckdb"], out["pandas"]
    assert said == expected and said[0] == len(frame) > 20
    assert ours.schema.remove_metadata() == theirs.schema.remove_metadata()
    assert ("备注" in ours.column_names) == extra
    for col in theirs.column_names:
        assert ours[col].combine_chunks().equals(theirs[col].combine_chunks()), col


def test_the_register_is_referenced_by_its_typed_copy(tmp_path, monkeypatch):
    """The bulletin's input check reads the register's keys for the other inputs' foreign keys from its typed
    copy (not the whole CSV once per referring file): the keys as the register validated them (a full-width
    申请号 is the ASCII one), and a key not in the register is named with the register file the user gave."""
    import ipstats.validate.core as core
    from ipstats.register.demo import write_demo_data
    from ipstats.validate import validate_inputs

    monkeypatch.setenv("IPSTATS_CACHE", str(tmp_path / "cache"))
    paths = write_demo_data(tmp_path / "demo", patents=1_000, seed=4)
    reg = _register_text(pd.read_parquet(paths["register"]))
    events = pd.read_csv(paths["patent_legal_events"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    wide = events.loc[0, "application_number"]
    row = reg.index[reg["application_number"] == wide][0]
    reg.loc[row, "application_number"] = "".join(chr(ord(c) + 0xFEE0) for c in wide)  # full width in the register
    register = tmp_path / "register.csv"
    reg.to_csv(register, index=False)
    events.loc[1, "application_number"] = "CN202399999999.5"  # well formed, not in the register
    events.to_csv(paths["patent_legal_events"], index=False)
    read = []
    real = core._reference_chunks
    monkeypatch.setattr(core, "_reference_chunks", lambda r, f, refs, n: read.append(refs[r]) or real(r, f, refs, n))
    reports, _ = validate_inputs({"register": register, "patent_legal_events": paths["patent_legal_events"]})
    assert reports["register"].ok and any("normalised" in n for n in reports["register"].notes)
    lines = reports["patent_legal_events"].lines()
    assert len(lines) == 1 and lines[0].startswith(f"{paths['patent_legal_events']}:3: application_number:")
    assert lines[0].endswith(f"a value found in column application_number of patent_register ({register})")
    assert read and all(Path(r).suffix == ".parquet" and str(r) == str(register) for r in read)
    # valid again: the pages then read the events with the register as given, the same cached typed copy
    from ipstats.validate import typed

    events.drop(index=1).to_csv(paths["patent_legal_events"], index=False)
    reports, _ = validate_inputs({"register": register, "patent_legal_events": paths["patent_legal_events"]})
    assert reports["patent_legal_events"].ok
    monkeypatch.setattr(typed, "validate_file", lambda *a, **k: pytest.fail("validated again"))
    monkeypatch.setattr(typed.duck, "validate_duckdb", lambda *a, **k: pytest.fail("validated again"))
    typed.typed_parquet_report(
        paths["patent_legal_events"], "patent_legal_events", references={"patent_register": register}
    )
