"""Source notebooks: thin, stripped, parameterized the same way, publishing through one Publisher.

The one notebook-shape check (it replaces the copies the PII, survey and products tests used to hold): a
Chinese title cell (its English in
``english.yaml``), one tagged ``parameters`` cell of typed and commented parameters, then
short cells that call ipstats, show and publish with ``pub.table`` / ``pub.figure`` / ``pub.text``.
"""

import json
import re
from pathlib import Path

import papermill
import pytest

from ipstats.language import translate

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
#: A parameter line: ``name: type = value  # comment`` with one "=" (papermill skips a line with two).
PARAMETER_LINE = re.compile(r"^\w+: \w+ = [^=]+  # [^=]+$")


def _notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _code(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_there_are_notebooks():
    assert {p.stem for p in NOTEBOOKS} >= {
        "00_overview",
        "10_patent_intensive_industries",
        "20_domain_monitoring",
        "30_patent_intensive_products",
        "40_patent_survey",
        "50_patent_transfer_and_use",
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stripped_and_has_one_parameters_cell(path):
    nb = _notebook(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    # only the standard kernel name (installed wherever ipykernel is), so papermill --help-notebook works
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    title = "".join(nb["cells"][0]["source"])
    assert nb["cells"][0]["cell_type"] == "markdown" and title.startswith("# ")
    # the Chinese pages are Chinese only: the English edition translates the whole title cell (english.yaml)
    assert not re.search(r"^\*[^*].*\*$", title, re.M), "no English gloss in italics under the Chinese title"
    assert translate(title, "en") != title and translate(title, "en").startswith("# ")
    assert not any(re.search(r"^\s*def ", source, re.M) for source in _code(nb)), "no function definitions"
    assert any("# NBVAL_CHECK_OUTPUT" in source for source in _code(nb)), "key numbers checked by nbval"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_are_typed_and_documented(path):
    params = papermill.inspect_notebook(str(path))
    assert {"year", "region", "output_dir", "source_note"} <= set(params)
    for name, info in params.items():
        assert info["inferred_type_name"] != "None", f"{name} has no type annotation"
        assert info["help"], f"{name} has no comment"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_parameter_line_is_seen_by_papermill(path):
    """papermill skips a line with two '=' (e.g. in its comment): it would vanish from --help-notebook."""
    nb = _notebook(path)
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    assignments = [ln for ln in "".join(cell["source"]).splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(papermill.inspect_notebook(str(path))) == len(assignments)
    for line in assignments:
        assert PARAMETER_LINE.match(line), line


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_publishes_through_one_publisher(path):
    """Tables, figures and texts are published with pub.table/pub.figure/pub.text of one Publisher made from
    the parameters: no record_table/record_figure/record_text calls, output_dir and the source line passed once."""
    source = "\n".join(_code(_notebook(path)))
    direct = re.findall(r"\brecord_(?:table|figure|text)\b", source)
    assert not direct, f"{path.name} calls {sorted(set(direct))}: publish with pub.table / pub.figure / pub.text"
    assert len(re.findall(r"\bPublisher\(", source)) == 1
    assert re.search(r"\bpub = Publisher\(output_dir=output_dir, source=source_note\b", source)
    assert len(re.findall(r"\boutput_dir=", source)) == 1, "output_dir is given to the Publisher only"
    assert len(re.findall(r"\bsource=source_note\b", source)) == 1, "the source line is the Publisher's"
    assert re.search(r"\bpub\.table\(", source), "every notebook publishes tables"
