"""PNG and SVG figures of a bulletin: written with Chromium when there is one, announced once when there is none."""

from __future__ import annotations

import json
import logging
import struct
from pathlib import Path

import plotly.io as pio
import pytest

from ipstats.bulletin import record, run_bulletin
from ipstats.figures import FONT_FAMILY, TEMPLATE
from test_bulletin_run import _write  # the small bulletin of ./data/good.ipynb (one chart, a Chinese title)

TITLE = "测试图表标题（中文）"


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_template_names_chinese_fonts_first():
    family = pio.templates[TEMPLATE].layout.font.family
    assert family == FONT_FAMILY
    fonts = [f.strip().strip('"') for f in family.split(",")]
    assert fonts[0] == "Noto Sans CJK SC" and fonts[-1] == "sans-serif"
    assert {"Microsoft YaHei", "PingFang SC", "Source Han Sans SC"} <= set(fonts)
    layout = pio.templates[TEMPLATE].layout
    assert layout.yaxis.exponentformat == "none" and layout.yaxis.separatethousands  # 160,000 not 160k
    assert layout.xaxis.exponentformat == "none" and not layout.xaxis.separatethousands  # years stay 2023


def test_without_a_browser_the_bulletin_says_so_once_and_keeps_the_html(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    params = _write(tmp_path)
    with caplog.at_level(logging.WARNING):
        out = run_bulletin(params, progress=None)
    said = [r.getMessage() for r in caplog.records if "PNG/SVG" in r.getMessage()]
    assert len(said) == 1 and "BROWSER_PATH" in said[0], said
    figures = out / "figures"
    assert (figures / "demo_chart.json").is_file()
    assert not (figures / "demo_chart.png").exists() and not (figures / "demo_chart.svg").exists()
    page = (out / "good.html").read_text(encoding="utf-8")
    assert 'data-figure="demo_chart"' in page and TITLE in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "未能生成全部静态图" in index and "BROWSER_PATH" in index
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["static_figures"]["missing"] == ["demo_chart"]
    assert "BROWSER_PATH" in manifest["static_figures"]["problem"]


@pytest.mark.skipif(
    not record.static_export_available(), reason=f"no static export here: {record.static_export_problem()}"
)
def test_with_a_browser_every_figure_is_png_and_svg(tmp_path):
    out = run_bulletin(_write(tmp_path), progress=None)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["static_figures"]["missing"] == [] and manifest["static_figures"]["problem"] is None
    assert manifest["browser"]["path"] and manifest["browser"]["version"]
    assert [c["figure"] for p in manifest["pages"] for c in p["charts"]] == ["demo_chart"]
    png, svg = out / "figures" / "demo_chart.png", out / "figures" / "demo_chart.svg"
    assert _png_size(png) == (2 * record.STATIC_WIDTH, 2 * record.STATIC_HEIGHT)
    assert png.stat().st_size > 10_000  # drawn, not an empty canvas
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<svg") and TITLE in text  # the title stays text in the SVG
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="figures/demo_chart.png"' in index and 'href="figures/demo_chart.svg"' in index
    assert "未能生成" not in index
