"""Source notebooks are thin, stripped and parameterized the same way."""
import json
from pathlib import Path

import papermill
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stripped_and_has_one_parameters_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    # only the standard kernel name (installed wherever ipykernel is), so papermill --help-notebook works
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assert nb["cells"][0]["cell_type"] == "markdown" and "".join(nb["cells"][0]["source"]).startswith("# ")
    assert not any("def " in "".join(c["source"]) for c in code), "no function definitions in notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_are_typed_and_documented(path):
    params = papermill.inspect_notebook(str(path))
    assert {"year", "region", "output_dir"} <= set(params)
    for name, info in params.items():
        assert info["inferred_type_name"] != "None", f"{name} has no type annotation"
        assert info["help"], f"{name} has no comment"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_parameter_line_is_seen_by_papermill(path):
    """papermill skips a line with two '=' (e.g. in its comment): it would vanish from --help-notebook."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    assignments = [ln for ln in "".join(cell["source"]).splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(papermill.inspect_notebook(str(path))) == len(assignments)
