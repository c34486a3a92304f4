"""Source lines from the inputs' own metadata, and provincial runs with national-context sections (#22 item 4)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import test_bulletin_run  # the run tests' small inputs (tests/bulletin is on sys.path)
import yaml

from ipstats.bulletin import BulletinError, load_params, run_bulletin
from ipstats.bulletin.run import notebook_parameters
from ipstats.bulletin.sources import (
    NATIONAL_CONTEXT,
    NATIONAL_GROUP,
    SYNTHETIC,
    is_demo_input,
    national_context,
    source_line,
)

DATA = Path(__file__).resolve().parent / "data"
# the small schema-valid inputs of the run tests, the applicant moved to 西藏 (54)
POPULATION = test_bulletin_run.POPULATION.replace("44,2023,12706", "54,2023,365")
REGISTER = test_bulletin_run.REGISTER.replace(",高校,44,", ",高校,54,")
STATED = "国家知识产权局专利数据（截至2024年12月31日）"


def test_demo_input_says_synthetic(small_demo):
    register = small_demo["register"]
    assert is_demo_input(register)
    assert source_line({"register": register}) == f"专利登记数据{SYNTHETIC}"
    # demo data stay synthetic whatever the parameter file states about them
    assert source_line({"register": register}, {"register": STATED}) == f"{STATED}{SYNTHETIC}"


def test_a_real_file_put_into_a_demo_folder_is_not_demo(small_demo):
    own = Path(small_demo["register"]).parent / "my_population.csv"
    shutil.copy(small_demo["population"], own)
    try:
        assert not is_demo_input(own)
        line = source_line({"population": own})
        assert line == "分省年末常住人口（my_population.csv，未注明来源）" and "演示" not in line
    finally:
        own.unlink()


def test_real_input_with_source_says_that_text(tmp_path):
    (tmp_path / "register.csv").write_text(REGISTER, encoding="utf-8")
    line = source_line({"register": tmp_path / "register.csv"}, {"register": STATED})
    assert line == STATED and "演示" not in line


def test_real_input_without_source_names_the_file(tmp_path):
    (tmp_path / "population.csv").write_text(POPULATION, encoding="utf-8")
    line = source_line({"population": tmp_path / "population.csv", "register": ""})  # "" = left out
    assert line == "分省年末常住人口（population.csv，未注明来源）" and "演示" not in line


def test_mixed_inputs_list_stated_then_unstated_then_demo(tmp_path, small_demo):
    (tmp_path / "register.csv").write_text(REGISTER, encoding="utf-8")
    (tmp_path / "population.csv").write_text(POPULATION, encoding="utf-8")
    line = source_line(
        {
            "register": tmp_path / "register.csv",
            "population": tmp_path / "population.csv",
            "products": small_demo["register"].parent / "products.csv",
            "product_links": small_demo["register"].parent / "product_patent_links.csv",
        },
        {"register": STATED},
    )
    assert line == (
        f"{STATED}；分省年末常住人口（population.csv，未注明来源）；"
        f"专利密集型产品备案认定数据、专利密集型产品关联专利{SYNTHETIC}"
    )


def test_national_context_only_in_a_provincial_run():
    assert national_context("national") == ""
    assert national_context("54") == NATIONAL_CONTEXT == "（全国情况，供参考）"


def _write(folder: Path, inputs: dict, notebooks: list, region: str = "national") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "population.csv").write_text(POPULATION, encoding="utf-8")
    (folder / "register.csv").write_text(REGISTER, encoding="utf-8")
    content = {
        "title": "全国专利统计公报",
        "year": 2023,
        "region": region,
        "output": "out/bulletin",
        "notebook_dir": str(DATA),
        "execution_timeout": 120,
        "inputs": inputs,
        "notebooks": notebooks,
        "pdf": False,
    }
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_parameter_file_source_is_read_and_checked(tmp_path):
    inputs = {"register": {"file": "register.csv", "source": f"  {STATED} "}, "population": "population.csv"}
    params = load_params(_write(tmp_path, inputs, ["national"]))
    assert params.sources == {"register": STATED}
    assert params.resolved()["sources"] == {"register": STATED}
    for bad in (12, "", "第一行\n第二行"):
        inputs["register"]["source"] = bad
        with pytest.raises(BulletinError, match=r"source of input 'register' must be one line of text") as err:
            load_params(_write(tmp_path, inputs, ["national"]))
        assert "\n" not in str(err.value)


def test_notebook_receives_the_source_line_of_the_inputs_it_declares(tmp_path):
    inputs = {"register": {"file": "register.csv", "source": STATED}, "population": "population.csv"}
    params = load_params(_write(tmp_path, inputs, ["national", {"name": "good", "parameters": {"scale": 2}}]))
    declared = {"year": {}, "region": {}, "population": {}, "register": {}, "output_dir": {}, "source_note": {}}
    chosen = notebook_parameters(params, params.notebooks[0], tmp_path / "out", declared)
    assert chosen["source_note"] == f"{STATED}；分省年末常住人口（population.csv，未注明来源）"
    only_population = {k: v for k, v in declared.items() if k != "register"}
    chosen = notebook_parameters(params, params.notebooks[0], tmp_path / "out", only_population)
    assert chosen["source_note"] == "分省年末常住人口（population.csv，未注明来源）"
    # an entry's own source_note wins
    entry = type(params.notebooks[0])("national", {"source_note": "某统计年鉴"})
    assert notebook_parameters(params, entry, tmp_path / "out", declared)["source_note"] == "某统计年鉴"
    # a notebook that does not declare source_note receives none
    assert "source_note" not in notebook_parameters(
        params, params.notebooks[1], tmp_path / "out", {"population": {}, "scale": {}}
    )


@pytest.fixture(scope="module")
def tibet(tmp_path_factory):
    """One provincial run (西藏, 54): a national-by-nature notebook with an empty table, and a regional one."""
    folder = tmp_path_factory.mktemp("tibet")
    inputs = {"register": {"file": "register.csv", "source": STATED}, "population": "population.csv"}
    params = _write(folder, inputs, [{"name": "good", "parameters": {"scale": 2}}, "national"])
    out = run_bulletin(params, region="54", progress=None)
    return {"folder": folder, "out": out}


def test_manifest_records_each_notebooks_source_line(tibet):
    manifest = json.loads((tibet["out"] / "manifest.json").read_text(encoding="utf-8"))
    runs = {nb["name"]: nb for nb in manifest["notebooks"]}
    assert runs["national"]["source_note"] == f"{STATED}；分省年末常住人口（population.csv，未注明来源）"
    assert runs["good"]["source_note"] == ""  # good declares no source_note
    assert manifest["parameters"]["resolved"]["sources"] == {"register": STATED}
    meta = json.loads((tibet["out"] / "tables" / "national_table.meta.json").read_text(encoding="utf-8"))
    assert meta["source"] == runs["national"]["source_note"] and "演示" not in meta["source"]


def test_provincial_run_labels_and_groups_national_sections(tibet):
    out = tibet["out"]
    meta = json.loads((out / "tables" / "national_table.meta.json").read_text(encoding="utf-8"))
    assert meta["title"] == f"2023年全国测试表{NATIONAL_CONTEXT}"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<h1>西藏自治区专利统计公报</h1>" in index
    group = index.index(f"<h2>{NATIONAL_GROUP[0]}</h2>")
    assert (
        index.index('href="good.html"') < group < index.index('href="national.html"') < index.index("<h2>统计表</h2>")
    )
    assert f"全国测试调查{NATIONAL_CONTEXT}" in index
    # an empty table is written as a table with its headers
    with open(out / "tables" / "national_table.csv", encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f)) == [["province_code", "patents"]]


def test_province_without_products_gets_a_sentence(small_demo, tmp_path):
    from ipstats.bulletin import record_table
    from ipstats.products import compute_products
    from ipstats.products.demo import demo_if_missing

    folder = Path(small_demo["register"]).parent
    products, links = folder / "products.csv", folder / "product_patent_links.csv"
    demo_if_missing(products, links, small_demo["register"])
    with open(products, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and not any(r["province_code"] == "54" for r in rows), "the test needs a province without products"
    year = max(int(r["filing_year"]) for r in rows)
    rep = compute_products(products, links, small_demo["register"], year, "54")
    assert rep.empty and rep.paragraph == f"{year}年批次，西藏自治区没有认定的专利密集型产品。"
    for name in ("sections", "divisions", "patents"):
        table = getattr(rep, name)
        assert len(table) == 0 and len(table.columns) > 0
        path = record_table(table, f"products_{name}", title="t", unit="件", source="s", output_dir=tmp_path)
        with open(path, encoding="utf-8-sig", newline="") as f:
            assert list(csv.reader(f)) == [list(table.columns)]
