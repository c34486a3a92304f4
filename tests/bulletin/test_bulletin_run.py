"""run_bulletin end to end with the small notebooks in ./data (a few seconds per notebook)."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml

from ipstats.bulletin import BulletinError, folders, run_bulletin
from ipstats.cli import main

DATA = Path(__file__).resolve().parent / "data"
# small inputs that match data_schemas/population and patent_register (the run checks them first)
POPULATION = "province_code,year,population_10k\n11,2023,2185\n44,2023,12706\n"
REGISTER = (
    "application_number,patent_type,filing_date,priority_date,publication_date,grant_date,legal_status,"
    "lapse_date,ipc_main,ipc,locarno_class,applicant_name,applicant_type,province_code,title\n"
    "CN202310123456.6,发明,2023-01-02,2023-01-02,2024-07-05,,审中,,H04L29/06,H04L29/06;G06F17/30,,"
    "某某大学,高校,44,一种方法\n"
)


def _write(folder: Path, **changes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "population.csv").write_text(POPULATION, encoding="utf-8")
    (folder / "register.csv").write_text(REGISTER, encoding="utf-8")
    content = {
        "title": "测试公报",
        "year": 2023,
        "region": "national",
        "output": "out/bulletin",
        "notebook_dir": str(DATA),
        "execution_timeout": 120,
        "inputs": {"population": "population.csv", "register": "register.csv"},
        "notebooks": [{"name": "good", "parameters": {"scale": 2}}],
    }
    content.update(changes)
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bulletin(tmp_path_factory):
    """One successful run, region overridden to 44 (the file says national)."""
    folder = tmp_path_factory.mktemp("run")
    params = _write(folder)
    lines: list[str] = []
    out = run_bulletin(params, region="44", progress=lines.append)
    return {"folder": folder, "params": params, "out": out, "lines": lines}


def test_progress_and_folder(bulletin):
    out = bulletin["out"]
    assert out == (bulletin["folder"] / "out" / "bulletin").resolve()
    # the register of these tests states no extraction date: the run says so, then reports the notebook
    assert bulletin["lines"][0].startswith("info: the register's extraction date is unknown (as_of:")
    assert re.fullmatch(r"\[1/1\] good … ok \(\d+\.\d s\)", bulletin["lines"][1])
    for rel in [
        "index.html",
        "good.html",
        "notebooks/good.ipynb",
        "tables/demo_table.csv",
        "tables/demo_table.meta.json",
        "figures/demo_chart.json",
        "texts/good.md",
        "tables.xlsx",
        "manifest.json",
    ]:
        assert (out / rel).is_file(), rel
    leftovers = [p.name for p in out.parent.iterdir() if p.name not in ("bulletin", ".bulletin.lock")]
    assert leftovers == []  # no .partial-/.previous- folders


def test_page_html(bulletin):
    page = (bulletin["out"] / "good.html").read_text(encoding="utf-8")
    assert page.count("* plotly.js v") == 1  # the library's header comment: inlined exactly once
    assert page.index("* plotly.js v") < page.index("</head>")
    assert 'id="fig-' in page and "Plotly.newPlot" in page
    srcs = re.findall(r"<script\b[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)", page, flags=re.IGNORECASE)
    assert not [s for s in srcs if "cdn" in s or "://" in s]
    assert not re.search(r"<link\b[^>]*href=[\"']?https?://", page)
    assert "cdnjs" not in page and "require.min.js" not in page and "cdn.plot.ly/plotly" not in page
    assert "测试图表标题（中文）" in page  # chart title readable, not \\u-escaped
    assert "测试概览" in page  # the notebook heading
    assert "record_table(" not in page and "import pandas" not in page  # code hidden
    assert '<meta charset="utf-8"' in page
    assert 'href="index.html"' in page
    assert "kaleido" not in page  # stderr warnings are not published


def test_page_without_charts_has_no_plotlyjs(tmp_path):
    from ipstats.bulletin.html import export_page

    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 标题")])
    src = tmp_path / "n.ipynb"
    nbformat.write(nb, src)
    assert export_page(src, tmp_path / "n.html") == 0
    page = (tmp_path / "n.html").read_text(encoding="utf-8")
    assert "plotly.js" not in page and "<script src" not in page


def test_region_override_reached_notebook_and_index(bulletin):
    out = bulletin["out"]
    assert "地区 44" in (out / "texts" / "good.md").read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "广东省" in index and "测试公报" in index and "2023" in index
    assert 'href="good.html"' in index and "测试概览" in index
    assert 'href="tables.xlsx"' in index and 'href="manifest.json"' in index
    assert 'href="tables/demo_table.csv"' in index and "2023年测试统计表" in index
    assert "地区 44，人口表 2 行" in index  # the summary text


def test_tables(bulletin):
    out = bulletin["out"]
    csv = (out / "tables" / "demo_table.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf") and "北京市" in csv.decode("utf-8-sig")
    assert "2400" in csv.decode("utf-8-sig")  # the entry's own parameter scale=2 arrived
    wb = openpyxl.load_workbook(out / "tables.xlsx")
    assert wb.sheetnames == ["目录", "表1 测试统计表"]
    assert wb["目录"]["A4"].value == "测试概览"  # the section: the notebook's title
    ws = wb["表1 测试统计表"]
    assert ws["A1"].value == "表1　2023年测试统计表"
    assert ws["A2"].value == "单位：件"
    assert ws.freeze_panes == "A4"
    assert ws["A4"].value == "11"


@pytest.mark.skipif(not Path("/usr/bin/chromium").is_file(), reason="Debian chromium is not installed")
def test_the_run_prints_the_pdf_unless_told_not_to(bulletin, tmp_path, capsys):
    pypdf = pytest.importorskip("pypdf")
    out = bulletin["out"]
    assert any(re.fullmatch(r"bulletin\.pdf … ok \(\d+\.\d s\)", line) for line in bulletin["lines"])
    assert 'href="bulletin.pdf"' in (out / "index.html").read_text(encoding="utf-8")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(out / "bulletin.pdf").pages)
    assert "测试公报（广东省）" in text and "2023年测试统计表" in text and "测试概览" in text
    params = _write(tmp_path / "no_pdf")
    assert main(["bulletin", str(params), "--no-pdf"]) == 0
    folder = tmp_path / "no_pdf" / "out" / "bulletin"
    assert (folder / "tables.xlsx").is_file() and not (folder / "bulletin.pdf").exists()
    assert "bulletin.pdf" not in capsys.readouterr().out


def test_manifest(bulletin):
    out, folder = bulletin["out"], bulletin["folder"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for key in [
        "title",
        "parameters",
        "inputs",
        "ipstats_version",
        "git_commit",
        "git_dirty",
        "reference_tables",
        "environment",
        "notebooks",
        "started",
        "finished",
        "tables",
        "figures",
    ]:
        assert key in manifest, key
    assert manifest["title"] == "测试公报（广东省）"  # the run is --region 44: titled for its province
    assert manifest["parameters"]["region"] == "44"
    assert manifest["parameters"]["content"]["region"] == "national"
    for key in ("population", "register"):
        path = folder / f"{key}.csv"
        record = manifest["inputs"][key]
        assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert record["bytes"] == path.stat().st_size
        assert Path(record["path"]) == path.resolve()
    assert {"name", "file", "edition", "sha256"} <= set(manifest["reference_tables"][0])
    assert {"python", "pandas", "duckdb", "plotly", "papermill", "nbconvert"} <= set(manifest["environment"])
    [nb] = manifest["notebooks"]
    assert nb["name"] == "good" and nb["status"] == "ok" and nb["output"] == "notebooks/good.ipynb"
    assert nb["parameters"]["region"] == "44" and nb["parameters"]["scale"] == 2
    assert "title" not in nb["parameters"]  # filtered to what the notebook declares
    assert manifest["tables"] == ["tables/demo_table.csv"]
    assert manifest["figures"] == ["figures/demo_chart.json"]
    assert manifest["started"] <= manifest["finished"]
    # where the bulletin is published, not the partial folder it was built in (#25)
    assert manifest["output"] == str(out)
    assert nb["parameters"]["output_dir"] == str(out)
    assert "partial" not in json.dumps(manifest)


def test_manifest_names_the_code_that_ran(bulletin):
    """The git commit is that of the ipstats package, not of the notebook folder (here outside any repository)."""
    import subprocess

    import ipstats

    manifest = json.loads((bulletin["out"] / "manifest.json").read_text(encoding="utf-8"))
    package = Path(ipstats.__file__).resolve().parent
    head = subprocess.run(["git", "-C", str(package), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("ipstats is not running from a git checkout")
    assert manifest["git_commit"] == head.stdout.strip()
    assert manifest["notebooks_git"]["commit"] == manifest["git_commit"]  # tests/bulletin/data is in the same repo


def test_implicit_inputs_are_hashed(tmp_path):
    """register_ipc.parquet beside the register changes numbers: the manifest hashes it with the inputs."""
    import pandas as pd

    from ipstats.bulletin.manifest import inputs_record

    register = tmp_path / "register.csv"
    register.write_text(REGISTER, encoding="utf-8")
    links = tmp_path / "register_ipc.parquet"
    pd.DataFrame({"application_number": ["CN202310123456.6"], "ipc": ["H04L29/06"], "seq": [1]}).to_parquet(links)
    record = inputs_record({"register": register})
    assert record["register_ipc"]["implicit"] is True
    assert record["register_ipc"]["sha256"] == hashlib.sha256(links.read_bytes()).hexdigest()
    assert "implicit" not in record["register"]


def test_failure_leaves_previous_bulletin_untouched(bulletin):
    out, folder = bulletin["out"], bulletin["folder"]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    params = _write(folder / "failing", output=str(out), notebooks=["fail"])
    stale = folders.make_folder(out.with_name("bulletin.failed"), "bulletin")  # an older run's failed output
    (stale / "from_an_older_run.txt").write_text("old", encoding="utf-8")
    with pytest.raises(BulletinError) as info:
        run_bulletin(params, progress=None)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("notebook fail failed in cell [")
    assert "ValueError: 故意的错误 deliberate failure" in message
    failed = out.with_name("bulletin.failed")
    assert str(failed / "notebooks" / "fail.ipynb") in message
    assert (failed / "notebooks" / "fail.ipynb").is_file()
    assert not (failed / "from_an_older_run.txt").exists()  # an older DIR.failed is replaced
    manifest = json.loads((failed / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notebooks"][0]["status"] == "failed"
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not list(out.parent.glob("bulletin.partial-*"))


def test_undeclared_entry_parameter_fails_before_running(tmp_path):
    params = _write(tmp_path, notebooks=[{"name": "good", "parameters": {"colour": "red"}}])
    with pytest.raises(BulletinError, match="no parameter 'colour'"):
        run_bulletin(params, progress=None)
    assert not (tmp_path / "out").exists()


def test_cli_prints_one_line(tmp_path, capsys):
    params = _write(tmp_path, year=1900)
    assert main(["bulletin", str(params)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ipstats bulletin: ") and err.count("\n") == 1 and "year" in err


def test_invalid_input_refused_before_anything_is_written(bulletin):
    """A bad input stops the run with one line naming file and count; the earlier bulletin stays as it was."""
    out, folder = bulletin["out"], bulletin["folder"]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    # the run's lock file (.bulletin.lock) records the pid of the run holding it: it is not output
    siblings = {p: p.stat().st_mtime_ns for p in out.parent.iterdir() if not p.name.endswith('.lock')}
    params = _write(folder / "invalid", output=str(out))
    (folder / "invalid" / "population.csv").write_text(POPULATION + "99,2023,-5\n", encoding="utf-8")
    lines: list[str] = []
    with pytest.raises(BulletinError) as info:
        run_bulletin(params, progress=lines.append)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("invalid input, nothing was run — population ")
    assert "population.csv: 2 problems (schema population)" in message
    assert lines[0].endswith(
        "population.csv:4: province_code: '99' — expected one of 11, 12, 13, 14, …, 65 (31 values listed in the schema)"
    )
    assert lines[1].endswith("population.csv:4: population_10k: '-5' — expected more than 0")
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert {
        p: p.stat().st_mtime_ns for p in out.parent.iterdir() if not p.name.endswith('.lock')
    } == siblings  # no partial or failed folder


def test_cli_refuses_invalid_input_in_one_line(tmp_path, capsys):
    params = _write(tmp_path)
    (tmp_path / "register.csv").write_text(
        REGISTER.replace(",2023-01-02,2023-01-02,", ",2023-01-02,2023-01-03,"), encoding="utf-8"
    )
    assert main(["bulletin", str(params)]) == 1
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert captured.err.startswith(
        f"ipstats bulletin: invalid input, nothing was run — register "
        f"{tmp_path / 'register.csv'}: 1 problem (schema patent_register); list them with: "
        f"ipstats validate {tmp_path / 'register.csv'} --schema patent_register"
    )
    assert captured.out.splitlines() == [
        f"{tmp_path / 'register.csv'}:2: priority_date: '2023-01-03' — expected not after filing_date (2023-01-02)"
    ]
    assert not (tmp_path / "out").exists()


def test_input_without_schema_is_reported_not_checked(tmp_path):
    params = _write(
        tmp_path, inputs={"population": "population.csv", "register": "register.csv", "notes": "population.csv"}
    )
    lines: list[str] = []
    run_bulletin(params, progress=lines.append)
    assert lines[0] == "info: input 'notes' has no schema in data_schemas/ (expected notes.schema.yaml): not checked"


def test_kernel_is_this_environment():
    """Kernel python3 must be this interpreter's (jupyter_client replaces argv 'python' by sys.executable)."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert spec.argv[0] == "python" or Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()


def test_input_with_a_column_mapping_is_read_mapped_everywhere(tmp_path):
    """#16 item 2: inputs: {population: {file: …, columns: {…}}}: checked, and read by the notebook, mapped."""
    run = tmp_path / "run"
    params = _write(
        run,
        inputs={
            "population": {
                "file": "人口.csv",
                "columns": {"地区代码": "province_code", "人口（万人）": "population_10k"},
            },
            "register": "register.csv",
        },
    )
    (run / "人口.csv").write_text("地区代码,年份,人口（万人）\n11,2023,2185\n44,2023,12706\n", encoding="gbk")
    out = run_bulletin(params, progress=None)
    assert "人口表 2 行" in (out / "texts" / "good.md").read_text(encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["resolved"]["columns"] == {
        "population": {"地区代码": "province_code", "人口（万人）": "population_10k"}
    }
    import os

    from ipstats.validate.schema import COLUMNS_ENV

    assert COLUMNS_ENV not in os.environ  # the run's mapping does not outlive it
    bad = _write(
        tmp_path / "bad",
        inputs={"population": {"file": "p.csv", "columns": {"x": "no_such_field"}}, "register": "register.csv"},
    )
    (tmp_path / "bad" / "p.csv").write_text(POPULATION, encoding="utf-8")
    with pytest.raises(BulletinError, match="'no_such_field' is not a field of schema population"):
        run_bulletin(bad, progress=None)


def test_ci_check_printouts_are_left_off_the_page(tmp_path):
    # key_numbers() printouts (高价值发明专利: 0 / 有效发明专利 1 (0.00%)) are for nbval, not for readers
    from ipstats.bulletin.html import export_page

    import nbformat

    check = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint('applications: 2235 件 / 2886 件 = 77.44%')")
    check.outputs = [nbformat.v4.new_output("stream", name="stdout", text="applications: 2235 件 / 2886 件 = 77.44%\n")]
    shown = nbformat.v4.new_code_cell("print('本省申请量2235件')")
    shown.outputs = [nbformat.v4.new_output("stream", name="stdout", text="本省申请量2235件\n")]
    src = tmp_path / "n.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 标题"), check, shown]), src)
    export_page(src, tmp_path / "n.html")
    page = (tmp_path / "n.html").read_text(encoding="utf-8")
    assert "本省申请量2235件" in page and "77.44" not in page


def test_the_manifest_says_what_the_input_check_did(tmp_path, monkeypatch):
    """A first run validates its inputs, and its manifest says so even though the notebooks read the typed
    inputs again afterwards (each read records a check that skipped validation); a second run skips them."""
    import ipstats.bulletin.run as run
    from ipstats.validate.typed import typed_parquet_report

    monkeypatch.setenv("IPSTATS_CACHE", str(tmp_path / "cache"))
    params = _write(tmp_path / "in")
    sourced = run._sourced

    def notebook_reads_the_register(p, plans):  # right after the input check, as a notebook would
        typed_parquet_report(p.inputs["register"], "patent_register")
        return sourced(p, plans)

    monkeypatch.setattr(run, "_sourced", notebook_reads_the_register)
    skipped = []
    for _ in range(2):
        out = run_bulletin(params, progress=None)
        inputs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]
        skipped.append(
            {
                key: inputs[key]["validation"][schema]["skipped"]
                for key, schema in (("register", "patent_register"), ("population", "population"))
            }
        )
    assert skipped == [{"register": False, "population": False}, {"register": True, "population": True}]
