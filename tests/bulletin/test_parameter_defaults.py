"""defaults: in parameter files: inherited by every notebook entry, the entry's own values winning.

``data/effective_parameters.json`` holds the parameters every notebook of ``parameters/ci.yaml`` and
``parameters/demo.yaml`` received before the files were rewritten with ``defaults:`` (computed from the old
files; absolute paths under the repository as ``<root>``; ``disclosure`` and ``source_note`` left out: they come
from the files' own keys and the inputs' metadata, not from the entries).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipstats.bulletin import BulletinError, load_params
from ipstats.bulletin.run import plan_notebooks

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[2]
OUT = Path("/nonexistent/out")


def _effective(name: str) -> dict:
    params = load_params(ROOT / "parameters" / name, out=OUT, prepare=False)
    assert params.defaults, f"{name} is expected to share its common values under defaults:"
    plans = plan_notebooks(params, OUT)
    for plan in plans:
        if "disclosure" in plan.parameters:
            assert plan.parameters["disclosure"] == params.disclosure
    effective = {
        plan.name: {k: v for k, v in plan.parameters.items() if k not in ("source_note", "disclosure")}
        for plan in plans
    }
    return json.loads(json.dumps(effective).replace(str(ROOT), "<root>"))


@pytest.mark.parametrize("name", ["ci.yaml", "demo.yaml"])
def test_shipped_files_keep_their_effective_parameters(name):
    frozen = json.loads((DATA / "effective_parameters.json").read_text(encoding="utf-8"))[name]
    effective = _effective(name)
    assert set(effective) == set(frozen)
    for notebook, expected in frozen.items():
        assert effective[notebook] == expected, notebook


def test_override_order(write_params, tmp_path):
    """Common parameters < defaults < the entry's parameters; a default reaches only notebooks declaring it."""
    path = write_params(
        defaults={"scale": 5, "source_note": "国家知识产权局"},
        notebooks=[
            "good",
            {"name": "good", "id": "good_own", "parameters": {"scale": 7, "year": 2024}},
            {"name": "national", "id": "national_own", "parameters": {"source_note": "自填"}},
            "national",
        ],
    )
    params = load_params(path)
    assert params.defaults == {"scale": 5, "source_note": "国家知识产权局"}
    assert params.resolved()["defaults"] == params.defaults
    plans = {p.name: p.parameters for p in plan_notebooks(params, tmp_path / "out")}
    assert plans["good"]["scale"] == 5 and plans["good"]["year"] == 2023
    assert "source_note" not in plans["good"]  # good does not declare it
    assert plans["good_own"]["scale"] == 7 and plans["good_own"]["year"] == 2024
    assert "scale" not in plans["national"]  # national does not declare it
    assert plans["national_own"]["source_note"] == "自填"  # the entry wins over defaults
    assert plans["national"]["source_note"] == "国家知识产权局"


def test_defaults_set_the_source_note_instead_of_the_inputs(write_params, tmp_path):
    without = load_params(write_params(notebooks=["national"]))
    built = plan_notebooks(without, tmp_path / "out")[0].parameters["source_note"]
    assert built and built != "国家统计局"
    stated = load_params(write_params(defaults={"source_note": "国家统计局"}, notebooks=["national"]))
    assert plan_notebooks(stated, tmp_path / "out")[0].parameters["source_note"] == "国家统计局"


def _message(path, plan: bool = False) -> str:
    with pytest.raises(BulletinError) as info:
        params = load_params(path)
        if plan:
            plan_notebooks(params, path.parent / "out")
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path.resolve()))
    return message


def test_a_default_no_notebook_declares_is_refused(write_params):
    message = _message(write_params(defaults={"scael": 2}, notebooks=["good", "national"]), plan=True)
    assert "defaults key 'scael' is not a parameter of any notebook" in message
    assert "expected a name declared in a notebook's parameters cell" in message


def test_a_default_another_notebook_of_the_folder_declares_is_kept(tmp_path):
    """A copy of ci.yaml with only the overview keeps its defaults (keywords, reclassify: the monitoring's)."""
    import yaml

    data = yaml.safe_load((ROOT / "parameters" / "ci.yaml").read_text(encoding="utf-8"))
    assert {"keywords", "reclassify"} <= set(data["defaults"])
    data["notebooks"] = [e for e in data["notebooks"] if (e.get("name") if isinstance(e, dict) else e) == "00_overview"]
    base = ROOT / "parameters"
    data["inputs"] = {k: str((base / v).resolve()) for k, v in data["inputs"].items()}
    data["notebook_dir"] = str((base / data["notebook_dir"]).resolve())
    data["demo_data"]["out"] = str((base / data["demo_data"]["out"]).resolve())
    path = tmp_path / "overview_only.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    plans = plan_notebooks(load_params(path, out=OUT, prepare=False), OUT)
    assert [p.name for p in plans] == ["00_overview"] and "keywords" not in plans[0].parameters


@pytest.mark.parametrize(
    "defaults, expected",
    [
        ([1, 2], "defaults must be a mapping of notebook parameter names to values"),
        ({"year": 2024}, "defaults key 'year' is a common parameter set by the file's own keys"),
        ({"population": ""}, "defaults key 'population' is an input: set it under inputs:"),
        ({"not-a-name": 1}, "defaults key 'not-a-name' must be a notebook parameter name"),
    ],
)
def test_bad_defaults_are_refused_in_one_line(write_params, defaults, expected):
    assert expected in _message(write_params(defaults=defaults))


def test_a_default_of_the_wrong_type_is_refused(write_params):
    message = _message(write_params(defaults={"scale": "two"}), plan=True)
    assert "notebook good parameter 'scale' must be int, got 'two' (str)" in message
