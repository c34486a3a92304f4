"""ipstats.bulletin.publish.Publisher: one call records a table as record_table does, shows it and footnotes it."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pytest

from ipstats.bulletin import Publisher, record, record_table
from ipstats.display import SUPPRESSED
from ipstats.labels import symbol_legend

LABELS = {"applications": "申请量（自定）"}


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {"province_code": ["11", "44", "00"], "applications": [12.0, None, 30.0], "share_pct": [40.04, None, 100.0]}
    )


def _record(suppressed: bool) -> dict:
    """A disclosure record as ipstats.sdc.record writes it, with or without a suppressed cell."""
    cells = [{"row": "44", "col": "applications", "status": "primary", "protected": True}] if suppressed else []
    return {
        "rules": {"min_contributors": 3},
        "source": "register",
        "confidentiality": "confidential",
        "cells": 3,
        "primary": int(suppressed),
        "secondary": 0,
        "suppressed": cells,
        "audit_pass": True,
    }


def _files(folder, name):
    return (
        (folder / "tables" / f"{name}.csv").read_bytes(),
        json.loads((folder / "tables" / f"{name}.meta.json").read_text(encoding="utf-8")),
    )


def test_table_records_the_same_files_as_record_table(tmp_path, table):
    disclosure = _record(True)
    kwargs = dict(
        title="2023年分省申请量",
        unit="件；%",
        notes=["注一。"],
        disclosure=disclosure,
        labels=LABELS,
        decimals={"share_pct": 2},
    )
    record_table(table, "by_province", source="资料来源", output_dir=tmp_path / "direct", **kwargs)
    record_table(table, "second", source="资料来源", output_dir=tmp_path / "direct", **kwargs)
    pub = Publisher(output_dir=tmp_path / "pub", source="资料来源")
    pub.table(table, "by_province", **kwargs)
    pub.table(table, "second", **kwargs)
    for name in ("by_province", "second"):
        assert _files(tmp_path / "pub", name) == _files(tmp_path / "direct", name)
    csv, meta = _files(tmp_path / "pub", "second")
    assert meta["order"] == 2 and meta["notes"] == ["注一。"] and meta["disclosure"] == disclosure
    assert meta["source"] == "资料来源" and meta["labels"] == LABELS
    assert SUPPRESSED in csv.decode("utf-8-sig")  # the suppressed cell is written with its mark
    assert pub.titles == {"by_province": "2023年分省申请量", "second": "2023年分省申请量"}


def test_a_table_source_overrides_the_publishers(tmp_path, table):
    pub = Publisher(output_dir=tmp_path, source="登记簿")
    pub.table(table, "t", title="t", unit="件", source="国家统计局")
    assert _files(tmp_path, "t")[1]["source"] == "国家统计局"


def test_without_output_dir_nothing_is_written_and_the_table_is_shown(tmp_path, table, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for output_dir in ("", None):
        pub = Publisher(output_dir=output_dir, source="s")
        html = pub.table(table, "t", title="标题", unit="件", notes=["注一。"]).to_html()
        assert "注：注一。" in html and "province_code" not in html and "省份代码" in html
        assert pub.figure(go.Figure(), "f") is not None
        assert pub.text("x", "**文字**").data == "**文字**"
    assert list(tmp_path.iterdir()) == []


def test_footnote_shows_the_legend_only_when_a_cell_is_suppressed(table):
    pub = Publisher(output_dir="", source="s")
    legend = symbol_legend(["suppressed"])  # “×”表示涉及保密不予公布。
    with_cell = pub.table(table, "t", title="t", unit="件", notes=["注一。"], disclosure=_record(True)).to_html()
    assert f"注：注一。<br>注：{legend}" in with_cell and f">{SUPPRESSED}<" in with_cell
    # a record that suppresses nothing, no record at all: missing cells are not applicable, never suppressed
    for disclosure in (_record(False), None, {}):
        html = pub.table(table, "t", title="t", unit="件", notes=["注一。"], disclosure=disclosure).to_html()
        assert "注：注一。" in html and legend not in html and f">{SUPPRESSED}<" not in html
        assert symbol_legend(["not_applicable"]) in html
    complete = pub.table(table.fillna(0), "t", title="t", unit="件", notes=["注一。"], disclosure=_record(True))
    assert "表示" not in complete.to_html()  # no mark shown: no legend


def test_a_legend_among_the_notes_is_not_repeated(table):
    pub = Publisher(output_dir="", source="s")
    legend = symbol_legend(["suppressed"])
    html = pub.table(table, "t", title="t", unit="件", notes=["注一。", legend], disclosure=_record(True)).to_html()
    assert html.count(legend) == 1


def test_shown_table_formatter_labels_rows_and_show_notes(tmp_path, table):
    seen = []

    def formatter(frame):
        seen.append(len(frame))
        return frame.assign(province_code=frame["province_code"] + "省")

    pub = Publisher(output_dir=tmp_path, source="s", formatter=formatter)
    html = pub.table(
        table,
        "t",
        title="t",
        unit="件",
        notes=["注一。"],
        labels=LABELS,
        show=table.head(1),
        show_notes=["只列第一行。"],
        digits=1,
    ).to_html()
    assert seen == [1] and "11省" in html and "44省" not in html and "申请量（自定）" in html
    # the page shows each cell as the CSV and the workbook hold it (40.04 was kept at two decimals on purpose),
    # a whole count without decimals: before, the page showed `12.0` and its own rounding of every float
    assert ">40.04<" in html and ">12<" in html and "12.0" not in html
    assert html.index("注：只列第一行。") < html.index("注：注一。")
    assert "表示" not in html  # the row shown has no missing cell: no legend
    csv, meta = _files(tmp_path, "t")
    assert meta["notes"] == ["注一。"] and "44" in csv.decode("utf-8-sig")  # the whole table is recorded
    with pytest.raises(ValueError, match="list"):
        pub.table(table, "u", title="t", unit="件", notes="一句话")
    with pytest.raises(ValueError, match="list"):
        pub.table(table, "u", title="t", unit="件", show_notes="一句话")


def test_heading_is_displayed_above_the_table(table, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    Publisher(output_dir="", source="s").table(table, "t", title="2023年标题", unit="%", heading=True)
    assert [obj.data for obj in shown] == ["### 2023年标题（单位：%）"]


def test_figure_and_text_are_recorded(tmp_path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    pub = Publisher(output_dir=tmp_path, source="s")
    fig = go.Figure(go.Bar(x=["发明"], y=[3]))
    assert pub.figure(fig, "chart") is fig
    assert json.loads((tmp_path / "figures" / "chart.json").read_text(encoding="utf-8"))["layout"]["meta"] == {
        "ipstats_figure": "chart"
    }
    assert pub.text("00_overview", "摘要").data == "摘要"
    assert (tmp_path / "texts" / "00_overview.md").read_text(encoding="utf-8") == "摘要\n"


def test_record_figure_serialises_the_figure_once(tmp_path, monkeypatch):
    """The JSON file, the data check and the static images come from one fig.to_json()."""
    calls = []
    original = go.Figure.to_json

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(go.Figure, "to_json", counting)
    written = []
    monkeypatch.setattr(record, "static_export_problem", lambda: None)
    monkeypatch.setattr(record, "_session", {"state": "running", "problem": None})
    import kaleido

    monkeypatch.setattr(kaleido, "write_fig_from_object_sync", lambda jobs, **kw: written.extend(jobs))
    fig = go.Figure(go.Bar(x=["<b>名</b>"], y=[3]), layout={"width": 500})
    record.record_figure(fig, "once", output_dir=tmp_path)
    assert len(calls) == 1
    assert [job["opts"]["format"] for job in written] == ["png", "svg"] and written[0]["opts"]["width"] == 500
    assert written[0]["fig"]["data"][0]["x"] == ["&lt;b&gt;名&lt;/b&gt;"]  # still escaped for plotly


def test_page_shows_the_published_precision(tmp_path):
    # growth and shares to one decimal, counts whole, as the CSV: the page once showed 12.35 and 267.00
    table = pd.DataFrame(
        {"category": ["甲", "乙"], "applications": [267.0, 1234.0], "growth_pct": [12.345, -0.04], "rank": [1, 2]}
    )
    html = Publisher(output_dir=tmp_path, source="s").table(table, "t", title="t", unit="件；%").to_html()
    csv, _ = _files(tmp_path, "t")
    assert ">267<" in html and ">1,234<" in html and ">12.3<" in html and ">0.0<" in html and ">-0.0<" not in html
    assert "12.35" not in html and "12.3" in csv.decode("utf-8-sig") and "12.35" not in csv.decode("utf-8-sig")
