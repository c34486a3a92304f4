"""load_params: validation with one-line BulletinError messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipstats.bulletin import BulletinError, BulletinParams, load_params
from ipstats.bulletin.params import province_codes

DATA = Path(__file__).resolve().parent / "data"


def _error(path, **kwargs) -> str:
    with pytest.raises(BulletinError) as info:
        load_params(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message and message.strip() == message
    return message


def test_valid_file_resolves_paths(write_params, tmp_path):
    params = load_params(write_params(notebooks=["good", {"name": "plain", "parameters": {"scale": 2}}]))
    assert isinstance(params, BulletinParams)
    assert params.year == 2023 and params.region == "national" and params.title == "测试公报"
    assert params.output == (tmp_path / "out" / "bulletin").resolve()
    assert params.notebook_dir == DATA
    assert params.inputs == {
        "population": (tmp_path / "population.csv").resolve(),
        "register": (tmp_path / "register.csv").resolve(),
    }
    assert [(e.name, e.parameters) for e in params.notebooks] == [("good", {}), ("plain", {"scale": 2})]
    assert params.execution_timeout == 120


def test_overrides(write_params, tmp_path):
    params = load_params(write_params(), region="44", out=tmp_path / "elsewhere")
    assert params.region == "44"
    assert params.output == (tmp_path / "elsewhere").resolve()


def test_province_codes_are_31_strings():
    codes = province_codes()
    assert len(codes) == 31 and "44" in codes and all(isinstance(c, str) and len(c) == 2 for c in codes)


def test_missing_file(tmp_path):
    assert "not found" in _error(tmp_path / "nope.yaml")


def test_not_a_mapping(write_params):
    assert "mapping" in _error(write_params(text="- just\n- a list\n"))


def test_invalid_yaml(write_params):
    assert "YAML" in _error(write_params(text="title: [unclosed\n"))


@pytest.mark.parametrize("year", [1984, 2101, "2023", 2023.5])
def test_bad_year(write_params, year):
    assert "year" in _error(write_params(year=year))


def test_unquoted_province_code(write_params):
    message = _error(
        write_params(text=write_params().read_text(encoding="utf-8").replace("region: national", "region: 44"))
    )
    assert "quote" in message and "44" in message


def test_unknown_region(write_params):
    assert "99" in _error(write_params(region="99"))
    assert "--region" in _error(write_params(), region="guangdong")


def test_unknown_key(write_params):
    assert "'colour'" in _error(write_params(colour="blue"))


def test_missing_notebook(write_params):
    message = _error(write_params(notebooks=["good", "does_not_exist"]))
    assert "does_not_exist" in message and "does_not_exist.ipynb" in message


def test_empty_notebook_list(write_params):
    assert "notebooks" in _error(write_params(notebooks=[]))


def test_missing_input(write_params, tmp_path):
    (tmp_path / "register.csv").unlink()
    message = _error(write_params())
    assert "'register'" in message and str(tmp_path / "register.csv") in message


def test_demo_data_generated_before_inputs_are_checked(write_params, tmp_path, monkeypatch):
    calls = []

    def fake_ensure(out, patents, seed):
        calls.append((Path(out), patents, seed))
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / "register.parquet").write_bytes(b"PAR1")
        return {"register": Path(out) / "register.parquet"}

    monkeypatch.setattr("ipstats.register.demo.ensure_demo_data", fake_ensure)
    path = write_params(
        inputs={"register": "demo/register.parquet"}, demo_data={"out": "demo", "patents": 500, "seed": 7}
    )
    params = load_params(path)
    assert calls == [((tmp_path / "demo").resolve(), 500, 7)]
    assert params.inputs["register"].is_file()
    assert params.demo_data == {"out": (tmp_path / "demo").resolve(), "patents": 500, "seed": 7}


def test_demo_data_unknown_key(write_params):
    assert "'size'" in _error(write_params(demo_data={"out": "demo", "size": 5}))


def test_reserved_input_name(write_params, tmp_path):
    assert "reserved" in _error(write_params(inputs={"year": "population.csv"}))


@pytest.mark.parametrize(
    "block, message",
    [
        ("disclosure: {threshold: 3}", "unknown key 'threshold' in disclosure"),
        ("disclosure: {p_percent: 150}", "disclosure: p_percent must be a percentage"),
        ("disclosure: 3", "disclosure must be a mapping"),
    ],
)
def test_disclosure_rules_are_checked(tmp_path, block, message):
    from ipstats.bulletin import BulletinError, load_params

    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "a.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    path = tmp_path / "p.yaml"
    path.write_text(
        f'title: "t"\nyear: 2023\noutput: out\nnotebook_dir: nb\nnotebooks: [a]\n{block}\n', encoding="utf-8"
    )
    with pytest.raises(BulletinError) as exc:
        load_params(path)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def _params_beside_notebook(tmp_path: Path, text: str) -> Path:
    """A parameter file *text* in tmp_path, with an (empty) notebook a.ipynb in tmp_path/nb."""
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "a.ipynb").write_text("{}", encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_internal_output_must_be_outside_the_public_output(tmp_path):
    path = _params_beside_notebook(
        tmp_path, "title: t\nyear: 2023\noutput: out\ninternal_output: out/internal\nnotebook_dir: nb\nnotebooks: [a]\n"
    )
    with pytest.raises(BulletinError, match="must be a folder outside the public output"):
        load_params(path)
    path.write_text(path.read_text(encoding="utf-8").replace("out/internal", "internal"), encoding="utf-8")
    assert load_params(path).internal_output == (tmp_path / "internal").resolve()


def test_internal_output_moves_with_out(tmp_path):
    # `--region 44 --out out/guangdong` once wrote Guangdong's unprotected detail over the national run's
    path = _params_beside_notebook(
        tmp_path, "title: t\nyear: 2023\noutput: out\ninternal_output: internal\nnotebook_dir: nb\nnotebooks: [a]\n"
    )
    elsewhere = tmp_path / "runs" / "guangdong"
    assert load_params(path, out=elsewhere).internal_output == (tmp_path / "runs" / "guangdong-internal").resolve()
    chosen = tmp_path / "private" / "gd"
    assert load_params(path, out=elsewhere, internal_out=chosen).internal_output == chosen.resolve()
    with pytest.raises(BulletinError, match="must be a folder outside the public output"):
        load_params(path, out=elsewhere, internal_out=elsewhere / "detail")
    no_internal = path.read_text(encoding="utf-8").replace("internal_output: internal\n", "")
    path.write_text(no_internal, encoding="utf-8")
    assert load_params(path, out=elsewhere).internal_output is None  # nothing unprotected unless asked for


def test_a_notebook_can_run_twice_with_ids(tmp_path):
    path = _params_beside_notebook(
        tmp_path,
        "title: t\nyear: 2023\noutput: out\nnotebook_dir: nb\nnotebooks:\n"
        "  - {name: a, id: a_one, parameters: {x: 1}}\n  - {name: a, id: a_two}\n",
    )
    assert [(e.name, e.id) for e in load_params(path).notebooks] == [("a", "a_one"), ("a", "a_two")]
    path.write_text(path.read_text(encoding="utf-8").replace("a_two", "a_one"), encoding="utf-8")
    with pytest.raises(BulletinError, match="listed more than once"):
        load_params(path)


def test_yaml_alias_bomb_is_refused_quickly(tmp_path):
    """A 532-byte file of nested aliases (10^9 values once expanded) is refused in one line, not written out."""
    import time

    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text(
        "\n".join(lines) + "\ntitle: t\nyear: 2023\noutput: out\nnotebook_dir: .\nnotebooks: [x]\n", encoding="utf-8"
    )
    assert path.stat().st_size < 700
    t0 = time.perf_counter()
    with pytest.raises(BulletinError, match=r"expands to more than 10,000 values \(YAML aliases"):
        load_params(path)
    assert time.perf_counter() - t0 < 10  # bounded work: the count stops at the limit


def test_a_few_aliases_are_fine(tmp_path):
    from ipstats.bulletin.params import _expanded_size

    assert _expanded_size({"a": [1, 2], "b": {"c": 3}}) == 9  # mapping, 2 keys, list, 2 items, mapping, key, value
    shared = {"min_contributors": 3}
    assert _expanded_size({"x": shared, "y": shared}) == 9  # a shared value counts where it is used


def test_notebook_parameter_types_are_checked(write_params, tmp_path):
    from ipstats.bulletin.run import plan_notebooks

    params = load_params(write_params(notebooks=[{"name": "good", "parameters": {"scale": "two"}}]))
    with pytest.raises(BulletinError, match=r"notebook good parameter 'scale' must be int, got 'two' \(str\)"):
        plan_notebooks(params, tmp_path / "out")
    params = load_params(write_params(notebooks=[{"name": "good", "parameters": {"scale": True}}]))
    with pytest.raises(BulletinError, match=r"parameter 'scale' must be int, got True \(bool\)"):
        plan_notebooks(params, tmp_path / "out")
    params = load_params(write_params(notebooks=[{"name": "good", "parameters": {"scale": 3}}]))
    assert plan_notebooks(params, tmp_path / "out")[0].parameters["scale"] == 3


def test_reference_year_after_the_extraction_date_is_refused(write_params, tmp_path):
    from ipstats.bulletin.params import check_reference_year, register_as_of

    params = load_params(write_params(as_of="2024-03-31", year=2024))
    with pytest.raises(
        BulletinError,
        match=r"year 2024 ends after the register's extraction date 2024-03-31 "
        r"\(as_of, from parameter file\): .* choose year 2023 or earlier",
    ):
        check_reference_year(params)
    assert check_reference_year(load_params(write_params(as_of="2024-12-31", year=2024))) == "2024-12-31"
    assert register_as_of(load_params(write_params(year=2023))) == (None, "unknown")
    assert "as_of must be the register's extraction date" in _error(write_params(as_of="31.3.2024"))
    assert "is in the future" in _error(write_params(as_of="2999-01-01"))


def test_demo_register_states_its_extraction_date(tmp_path):
    """demo_meta.json beside a demo register gives as_of (the demo's 2025-03-31): year 2025 is refused."""
    import yaml

    from ipstats.bulletin.params import check_reference_year
    from ipstats.register.demo import DEFAULT_AS_OF, write_demo_data

    demo = tmp_path / "demo"
    write_demo_data(demo, patents=30, domains=False)
    path = tmp_path / "p.yaml"
    content = {
        "title": "t",
        "year": 2025,
        "output": "out",
        "notebook_dir": str(DATA),
        "notebooks": ["good"],
        "inputs": {"register": "demo/register.parquet", "population": "demo/population.csv"},
    }
    path.write_text(yaml.safe_dump(content), encoding="utf-8")
    with pytest.raises(BulletinError, match=rf"extraction date {DEFAULT_AS_OF} \(as_of, from .*demo_meta.json\)"):
        check_reference_year(load_params(path))
    content["year"] = 2024
    path.write_text(yaml.safe_dump(content), encoding="utf-8")
    assert check_reference_year(load_params(path)) == DEFAULT_AS_OF


def test_provincial_run_is_titled_for_its_province(write_params):
    from ipstats.bulletin.params import regional_title

    assert load_params(write_params(title="全国专利统计公报"), region="44").title == "广东省专利统计公报"
    assert load_params(write_params(title="全国专利统计公报")).title == "全国专利统计公报"
    assert regional_title("专利统计公报", "54") == "专利统计公报（西藏自治区）"
    assert regional_title("广东省专利统计公报", "44") == "广东省专利统计公报"


def test_out_makes_output_optional(write_params, tmp_path):
    path = write_params(output=None)
    assert "no output folder — give --out DIR or an output: key" in _error(path)
    assert load_params(path, out=tmp_path / "elsewhere").output == (tmp_path / "elsewhere").resolve()
