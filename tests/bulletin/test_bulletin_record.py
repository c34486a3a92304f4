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
    path = record_table(table, "by_province", title="分省申请量", unit="件", source="测试", notes=["注一"],
                        output_dir=str(tmp_path))
    assert path == tmp_path / "tables" / "by_province.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "北京市" in raw.decode("utf-8-sig")
    back = pd.read_csv(path, encoding="utf-8-sig", dtype={"province_code": str})
    assert list(back.columns) == ["province_code", "applications", "name"]  # no index column
    assert back["province_code"].tolist() == ["11", "44"]
    meta_text = (tmp_path / "tables" / "by_province.meta.json").read_text(encoding="utf-8")
    assert "分省申请量" in meta_text  # ensure_ascii=False
    assert json.loads(meta_text) == {"name": "by_province", "title": "分省申请量", "unit": "件",
                                     "source": "测试", "notes": ["注一"]}


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
    monkeypatch.setattr(record, "static_export_available", lambda: False)
    monkeypatch.setattr(record, "_static_warned", False)
    fig = go.Figure(go.Bar(x=["发明", "外观设计"], y=[3, 4]), layout={"title": "中文标题"})
    with caplog.at_level(logging.WARNING, logger="ipstats.bulletin.record"):
        path = record_figure(fig, "chart", output_dir=tmp_path)
        record_figure(fig, "chart2", output_dir=tmp_path)
    assert path == tmp_path / "figures" / "chart.json"
    assert json.loads(path.read_text(encoding="utf-8"))["layout"]["title"]["text"] == "中文标题"
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["chart.json", "chart2.json"]
    assert len([r for r in caplog.records if "PNG" in r.getMessage()]) == 1


def test_record_text(tmp_path):
    path = record_text("00_overview", "2023年全国专利申请量增长。", output_dir=tmp_path)
    assert path == tmp_path / "texts" / "00_overview.md"
    assert path.read_text(encoding="utf-8") == "2023年全国专利申请量增长。\n"
