"""record_table, record_figure, record_text."""

from __future__ import annotations

import json
import logging

import pandas as pd
import plotly.graph_objects as go
import pytest

from ipstats.bulletin import record, record_figure, record_table, record_text


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame({"province_code": ["11", "44"], "applications": [1, 2], "name": ["北京市", "广东省"]})


def test_record_table_writes_csv_with_bom_and_meta(tmp_path, table):
    path = record_table(
        table, "by_province", title="分省申请量", unit="件", source="测试", notes=["注一"], output_dir=str(tmp_path)
    )
    assert path == tmp_path / "tables" / "by_province.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "北京市" in raw.decode("utf-8-sig")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype={"province_code": str})
    assert list(back.columns) == ["province_code", "applications", "name"]  # no index column
    assert back["province_code"].tolist() == ["11", "44"]
    meta_text = (tmp_path / "tables" / "by_province.meta.json").read_text(encoding="utf-8")
    assert "分省申请量" in meta_text  # ensure_ascii=False
    assert json.loads(meta_text) == {
        "name": "by_province",
        "title": "分省申请量",
        "unit": "件",
        "source": "测试",
        "notes": ["注一"],
        "order": 1,
        "decimals": {"applications": 0},
    }


@pytest.mark.parametrize("output_dir", ["", None])
def test_record_functions_are_noops_without_output_dir(tmp_path, table, output_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert record_table(table, "t", title="t", unit="件", source="s", output_dir=output_dir) is None
    assert record_figure(go.Figure(), "f", output_dir=output_dir) is None
    assert record_text("x", "文字", output_dir=output_dir) is None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["bad name", "表", "../escape", "a/b", "", "x.csv"])
def test_bad_names_raise_value_error(tmp_path, table, name):
    with pytest.raises(ValueError, match="not allowed"):
        record_table(table, name, title="t", unit="u", source="s", output_dir=tmp_path)
    with pytest.raises(ValueError):
        record_figure(go.Figure(), name, output_dir=tmp_path)
    with pytest.raises(ValueError):
        record_text(name, "x", output_dir=tmp_path)
    assert not (tmp_path / "tables").exists()


def test_notes_must_be_a_list(tmp_path, table):
    with pytest.raises(ValueError, match="list"):
        record_table(table, "t", title="t", unit="u", source="s", notes="one string", output_dir=tmp_path)


def test_record_figure_writes_json_and_warns_once(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    monkeypatch.setattr(record, "_static_warned", False)
    assert "BROWSER_PATH" in record.static_export_problem() and not record.static_export_available()
    fig = go.Figure(go.Bar(x=["发明", "外观设计"], y=[3, 4]), layout={"title": "中文标题"})
    with caplog.at_level(logging.WARNING, logger="ipstats.bulletin.record"):
        path = record_figure(fig, "chart", output_dir=tmp_path)
        record_figure(fig, "chart2", output_dir=tmp_path)
    assert path == tmp_path / "figures" / "chart.json"
    layout = json.loads(path.read_text(encoding="utf-8"))["layout"]
    assert layout["title"]["text"] == "中文标题" and layout["meta"] == {"ipstats_figure": "chart"}
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["chart.json", "chart2.json"]
    assert len([r for r in caplog.records if "PNG" in r.getMessage()]) == 1


def test_an_empty_figure_is_recorded_without_static_export_or_warning(tmp_path, monkeypatch, caplog):
    """A province with no events draws empty charts: JSON only, no export attempted, no 'missing' warning."""
    from ipstats.bulletin.html import _figure_section

    def no_export(*args, **kwargs):
        raise AssertionError("static export attempted for an empty figure")

    monkeypatch.setattr(record, "write_static", no_export)
    empty = go.Figure(go.Sankey(node={"label": []}, link={"source": [], "target": [], "value": []}))
    with caplog.at_level(logging.WARNING):
        record_figure(empty, "flows", output_dir=tmp_path)
        section = "".join(_figure_section(tmp_path))
    assert (tmp_path / "figures" / "flows.json").is_file() and not (tmp_path / "figures" / "flows.png").exists()
    assert "无数据" in section and "未能生成" not in section and not caplog.records
    assert record.figure_has_data(go.Figure(go.Bar(x=["a"], y=[1]))) and not record.figure_has_data(empty)


def test_record_text(tmp_path):
    path = record_text("00_overview", "2023年全国专利申请量增长。", output_dir=tmp_path)
    assert path == tmp_path / "texts" / "00_overview.md"
    assert path.read_text(encoding="utf-8") == "2023年全国专利申请量增长。\n"


def test_record_figure_keeps_a_meta_that_is_not_a_dict(tmp_path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    fig = go.Figure(layout={"meta": ["用户的"], "title": "t"})
    record_figure(fig, "kept", output_dir=tmp_path)
    assert fig.layout.meta == ("用户的",)
    fig = go.Figure(layout={"meta": {"own": 1}})
    record_figure(fig, "merged", output_dir=tmp_path)
    assert fig.layout.meta == {"own": 1, "ipstats_figure": "merged"}


@pytest.mark.skipif(
    record.browser_path() is None or not record.static_export_available(),
    reason="kaleido or a Chromium (BROWSER_PATH, chromium on PATH) is missing",
)
def test_static_png_and_svg_with_one_browser(tmp_path):
    """Real kaleido and Chromium: PNG at twice the size, SVG with the Chinese title as text, one session."""
    import struct

    import kaleido

    import ipstats.figures  # noqa: F401 - registers the ipstats template

    for i, title in enumerate(["中文标题：专利申请量", "第二张图"]):
        fig = go.Figure(
            go.Bar(x=["发明", "实用新型"], y=[3, 4 + i]), layout={"title": title, "template": "ipstats", "height": 400}
        )
        record_figure(fig, f"static{i}", output_dir=tmp_path)
        png, svg = tmp_path / "figures" / f"static{i}.png", tmp_path / "figures" / f"static{i}.svg"
        head = png.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", head[16:24]) == (2 * record.STATIC_WIDTH, 2 * 400)
        text = svg.read_text(encoding="utf-8")
        assert title in text and "Noto Sans CJK SC" in text
    assert kaleido._global_server.is_running()  # the browser started once stays up for the next figure


def test_recorded_figure_is_named_on_the_page_and_in_the_manifest(tmp_path, monkeypatch):
    """record_figure's tag travels through the notebook output into the page's chart div and the manifest's list."""
    import nbformat

    from ipstats.bulletin.html import page_charts, plotly_outputs_to_html
    from ipstats.bulletin.record import FIGURE_KEY

    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    recorded = go.Figure(go.Bar(x=["发明"], y=[1]), layout={"title": "图一"})
    record_figure(recorded, "chart_one", output_dir=tmp_path)
    shown = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]), layout={"title": {"text": "未记录的图"}})
    outputs = [
        nbformat.v4.new_output("display_data", data={"application/vnd.plotly.v1+json": f.to_plotly_json()})
        for f in (recorded, shown)
    ]
    html_chart = nbformat.v4.new_output(
        "display_data", data={"text/html": "<div></div><script>Plotly.newPlot('x')</script>"}
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("fig", outputs=outputs + [html_chart])])
    assert page_charts(nb) == [
        {"figure": "chart_one", "title": "图一", "traces": 1, "empty_traces": 0},
        {"figure": "", "title": "未记录的图", "traces": 1, "empty_traces": 0},
    ]
    converted, charts = plotly_outputs_to_html(nb)
    assert charts == 3  # the HTML chart counts: plotly.js is put on the page
    html = [o["data"]["text/html"] for o in converted.cells[0].outputs]
    assert html[0].startswith('<div class="ipstats-figure" data-figure="chart_one">') and "图一" in html[0]
    assert html[1].startswith('<div class="ipstats-figure" data-figure="">')
    assert recorded.layout.meta[FIGURE_KEY] == "chart_one"


def test_trace_has_data_reads_lists_and_typed_arrays():
    import numpy as np

    from ipstats.figures import trace_has_data

    assert not trace_has_data({"type": "bar", "x": [], "y": []})
    # horizontal bars: labels on y, values on x, all missing
    assert not trace_has_data({"type": "bar", "orientation": "h", "x": [None, float("nan")], "y": ["a", "b"]})
    typed = json.loads(go.Figure(go.Bar(x=np.array([1.5, 2.0]), y=["发明", "外观设计"], orientation="h")).to_json())[
        "data"
    ][0]
    assert isinstance(typed["x"], dict) and trace_has_data(typed)  # plotly's base64 typed array
    nan_only = json.loads(go.Figure(go.Bar(y=np.array([np.nan, np.nan]), x=["a", "b"])).to_json())["data"][0]
    assert not trace_has_data(nan_only)
    assert trace_has_data({"type": "pie", "values": [1, 2]})
    flows = json.loads(
        go.Figure(
            go.Sankey(node={"label": ["a", "b"]}, link={"source": [0], "target": [1], "value": np.array([3.0])})
        ).to_json()
    )
    assert trace_has_data(flows["data"][0])  # a Sankey draws its links' values
    assert not trace_has_data({"type": "sankey", "node": {"label": ["a"]}, "link": {"value": []}})


def test_table_without_columns_is_refused_at_its_cell(tmp_path):
    """A table with no columns would be a bare BOM that the workbook cannot read back; an empty one keeps its header."""
    import pandas as pd
    import pytest

    from ipstats.bulletin import record_table

    with pytest.raises(ValueError, match="has no columns"):
        record_table(pd.DataFrame([]), "nothing", title="t", unit="件", source="s", output_dir=tmp_path)
    path = record_table(
        pd.DataFrame(columns=["filing_year", "products"]),
        "empty",
        title="t",
        unit="件",
        source="s",
        output_dir=tmp_path,
    )
    assert path.read_text(encoding="utf-8-sig") == "filing_year,products\n"
