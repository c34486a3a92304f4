"""Plotly charts for the bulletin, with an ipstats template that names Chinese fonts explicitly.

Text from the data goes into a chart as data (``x``, ``y``, ``text``, trace names), never into a hover or text
template: the HTML pages escape every text of a chart for plotly's tags but keep the templates as written.
"""

from __future__ import annotations

import html
import json
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from ipstats.labels import labels

__all__ = [
    "FONT_FAMILY",
    "TEMPLATE",
    "bar_by_type",
    "trace_has_data",
    "category_bar",
    "escape_chart_text",
    "escaped_figure",
    "province_bar",
    "trend_lines",
]

#: Fonts tried in order: Debian's fonts-noto-cjk (also used for PNG/SVG export), Adobe's name for the same
#: font, other Linux CJK fonts, then the Windows and macOS defaults; the HTML pages use the same list.
FONT_FAMILY = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
    '"Microsoft YaHei", "PingFang SC", "SimHei", sans-serif'
)
TEMPLATE = "ipstats"
_COLORS = ["#1f5fa8", "#e07b39", "#3a9a5b", "#b03a48", "#7d5ba6", "#8c6d31"]

pio.templates[TEMPLATE] = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT_FAMILY, "size": 13},
        colorway=_COLORS,
        title={"x": 0.02, "xanchor": "left"},
        margin={"l": 60, "r": 30, "t": 84, "b": 60},
        plot_bgcolor="white",
        paper_bgcolor="white",
        # automargin: long tick labels (160,000; 新疆维吾尔自治区) push the axis title out, not over them;
        # no SI suffixes (160k) in a Chinese bulletin; thousands separators on the value axis only
        # (the x axis often holds years)
        xaxis={"gridcolor": "#e5e5e5", "automargin": True, "exponentformat": "none"},
        yaxis={"gridcolor": "#e5e5e5", "automargin": True, "exponentformat": "none", "separatethousands": True},
        # legend in one row above the plot area: clear of axis titles at any chart height
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0},
    )
)


#: Chart properties left as they are: templates hold the chart code's own markup (``<extra></extra>``), meta names
#: the recorded figure, ``template`` is the theme.
_CHART_CODE_KEYS = ("meta", "template")


def escape_chart_text(value: Any) -> Any:
    """A copy of a plotly figure spec (or part of one) with every text HTML-escaped for plotly.

    plotly.js draws ``<b>``, ``<i>``, ``<span style>``, ``<br>`` and ``<a href="https://…">`` in titles, tick
    labels, legend entries, bar texts, annotations and hover labels; a name from the data holding them would
    style the chart or add a link. Escaped (``&lt;b&gt;``), plotly shows the characters as typed. Keys ending in
    ``template`` (``hovertemplate``, ``texttemplate``) and those of :data:`_CHART_CODE_KEYS` are the chart code's
    and are kept: chart functions must not put data text into a template (use ``%{fullData.name}``, ``%{y}``).
    """
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, dict):
        return {
            k: v if (k in _CHART_CODE_KEYS or str(k).endswith("template")) else escape_chart_text(v)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [escape_chart_text(v) for v in value]
    return value


def escaped_figure(fig: go.Figure) -> dict[str, Any]:
    """The figure as a plain spec (``data``, ``layout``) with its texts escaped by :func:`escape_chart_text`."""
    spec = json.loads(fig.to_json())
    return {"data": escape_chart_text(spec.get("data", [])), "layout": escape_chart_text(spec.get("layout", {}))}


#: Longest value-axis title set upright above the axis (a unit: 件, %, 次, 亿元) rather than turned on its side.
UNIT_TITLE_CHARS = 4


def upright_units(fig: go.Figure) -> go.Figure:
    """Move each short value-axis title (a unit such as ``件``) from beside the axis, where plotly turns it on its
    side and a Chinese character lies down, to the top of the axis, upright, as Chinese statistical charts
    print the unit. Longer titles stay where they are. Returns *fig*, changed in place."""
    for key in [k for k in fig.layout.to_plotly_json() if k.startswith("yaxis")]:
        axis = fig.layout[key]
        text = axis.title.text
        if not text or len(str(text)) > UNIT_TITLE_CHARS:
            continue
        suffix = key[len("yaxis") :]
        xaxis = _x_of(fig, key)
        right = axis.side == "right"
        fig.add_annotation(
            text=str(text),
            xref=f"{xaxis} domain",
            yref=f"y{suffix} domain",
            x=1 if right else 0,
            y=1,
            xanchor="left" if right else "right",
            yanchor="bottom",
            xshift=4 if right else -4,
            yshift=4,
            showarrow=False,
        )
        axis.title.text = None
    return fig


def _x_of(fig: go.Figure, key: str) -> str:
    """The x axis a y axis is drawn against: its anchor; for a secondary axis (``overlaying``) the anchor of the
    axis it overlays (``yaxis2`` of a two-scale chart has no ``xaxis2``: a reference to it stalls plotly)."""
    axis = fig.layout[key]
    if axis.anchor and axis.anchor != "free":
        return axis.anchor
    if axis.overlaying:
        base = "yaxis" + str(axis.overlaying)[1:]
        return _x_of(fig, base) if base != key else "x"
    present = fig.layout.to_plotly_json()
    own = "x" + key[len("yaxis") :]
    return own if ("xaxis" + key[len("yaxis") :]) in present or own == "x" else "x"


def bar_by_type(summary: pd.DataFrame, year: int, region_name: str) -> go.Figure:
    """Grouped bars: applications, grants and valid stock by patent type (without the 合计 row)."""
    data = summary[summary["patent_type"] != "合计"]
    names = labels("zh", keys=("applications", "grants", "valid_stock"), context="measure")
    fig = go.Figure([go.Bar(name=label, x=data["patent_type"], y=data[col]) for col, label in names.items()])
    fig.update_layout(
        template=TEMPLATE, barmode="group", title=f"{region_name}{year}年专利申请、授权和有效量（件）", yaxis_title="件"
    )
    return fig


def province_bar(provinces: pd.DataFrame, year: int, highlight: str | None = None) -> go.Figure:
    """Horizontal bars of valid invention patents per 10,000 people by province, highest on top.

    Provinces whose figure is suppressed (missing) are left out of the chart.
    """
    data = provinces.dropna(subset=["per_10k"]).sort_values("per_10k")
    colors = [_COLORS[1] if code == highlight else _COLORS[0] for code in data["province_code"]]
    fig = go.Figure(
        go.Bar(
            x=data["per_10k"],
            y=data["province"],
            orientation="h",
            marker_color=colors,
            hovertemplate="%{y}: %{x:.2f}件<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=f"{year}年各省（区、市）每万人口发明专利拥有量（件）",
        yaxis_automargin=True,
        height=max(420, 22 * len(data)),
        xaxis_title="件/万人",
        showlegend=False,
    )
    return fig


def trend_lines(trend: pd.DataFrame, measure: str, region_name: str) -> go.Figure:
    """Lines over years by patent type for one measure (``applications`` or ``grants``)."""
    label = {"applications": "申请量", "grants": "授权量"}[measure]
    data = trend[trend["measure"] == measure]
    types = [c for c in data.columns if c not in ("measure", "year")]
    fig = go.Figure([go.Scatter(name=t, x=data["year"], y=data[t], mode="lines+markers") for t in types])
    fig.update_layout(
        template=TEMPLATE,
        title=f"{region_name}专利{label}（件）",
        xaxis_title="年份",
        yaxis_title="件",
        xaxis={"dtick": 1},
    )
    return fig


def category_bar(categories: pd.DataFrame, title: str, top: int = 20) -> go.Figure:
    """Horizontal bars of the fractional count of the *top* categories, largest on top."""
    data = categories.nlargest(top, "fractional").sort_values("fractional")
    labels = data["category"].astype(str) + " " + data["category_name"].fillna("").astype(str)
    fig = go.Figure(
        go.Bar(
            x=data["fractional"],
            y=labels,
            orientation="h",
            marker_color=_COLORS[0],
            hovertemplate="%{y}: %{x:.1f}件<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=title,
        height=max(420, 24 * len(data)),
        xaxis_title="件（分数计数）",
        yaxis_automargin=True,
        showlegend=False,
    )
    return fig


def series_with_trend(monthly: pd.DataFrame, title: str, unit: str = "件") -> go.Figure:
    """Monthly series: observed values, the adjusted series (Spring Festival, working days and season removed)
    and the trend.

    *monthly* has ``month``, ``observed``, ``adjusted``, ``trend``
    (:attr:`ipstats.indicators.calendar.SeasonalAdjustment.table`). When the adjustment was refused its columns
    are empty and only the observed values are drawn.
    """
    lines = [
        ("observed", "原始值", 1.0),
        ("adjusted", "季节调整后（已剔除春节和工作日影响）", 1.5),
        ("trend", "趋势", 3.0),
    ]
    fig = go.Figure(
        [
            go.Scatter(
                name=label,
                x=monthly["month"],
                y=monthly[col],
                mode="lines",
                line_width=width,
                hovertemplate=f"%{{x|%Y-%m}}: %{{y:.0f}}{unit}<extra>{label}</extra>",
            )
            for col, label, width in lines
            if col in monthly and monthly[col].notna().any()
        ]
    )
    fig.update_layout(template=TEMPLATE, title=title, yaxis_title=unit, xaxis_title="月份")
    return fig


def ranking_bar(table: pd.DataFrame, value: str, label: str, title: str, unit: str = "件", top: int = 31) -> go.Figure:
    """Horizontal ranking bars of *value* by *label* (largest on top); suppressed (missing) values are left out."""
    data = table.dropna(subset=[value]).nlargest(top, value).sort_values(value)
    fig = go.Figure(
        go.Bar(
            x=data[value],
            y=data[label],
            orientation="h",
            marker_color=_COLORS[0],
            hovertemplate=f"%{{y}}: %{{x:,.0f}}{unit}<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=title,
        height=max(420, 22 * len(data)),
        xaxis_title=unit,
        yaxis_automargin=True,
        showlegend=False,
    )
    return fig


def structure_bar(table: pd.DataFrame, label: str, share: str, title: str) -> go.Figure:
    """One stacked horizontal bar of shares (%) by *label* (e.g. applicant types), with the values printed.

    The label reaches the hover text as the trace name (``%{fullData.name}``), never inside the template, so the
    HTML page can escape it (:func:`ipstats.bulletin.html.escape_chart_text`).
    """
    fig = go.Figure(
        [
            go.Bar(
                name=str(row[label]),
                x=[row[share]],
                y=[""],
                orientation="h",
                text=[f"{row[label]} {row[share]:.1f}%"],
                textposition="inside",
                marker_color=_COLORS[i % len(_COLORS)],
                hovertemplate="%{fullData.name}: %{x:.1f}%<extra></extra>",
            )
            for i, (_, row) in enumerate(table.iterrows())
        ]
    )
    fig.update_layout(
        template=TEMPLATE, title=title, barmode="stack", height=260, xaxis_title="%", xaxis_range=[0, 100]
    )
    return fig


def _has_points(values: Any) -> bool:
    """Whether a trace's data array (a list, or plotly's base64 typed array) holds a non-missing value."""
    if isinstance(values, dict) and "bdata" in values:
        import base64

        import numpy as np

        array = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values.get("dtype", "f8"))
        return bool(array.size) and not (array.dtype.kind == "f" and np.isnan(array).all())
    if isinstance(values, (list, tuple)):
        return any(v is not None and v == v for v in values)  # v == v is False for NaN
    return False


def trace_has_data(trace: dict[str, Any]) -> bool:
    """Whether a plotly trace has anything to draw.

    Bars and lines need a non-missing value on their value axis (``x`` for horizontal traces, else
    ``y``); pies need ``values``; Sankey diagrams a link ``value``; other types any of ``z``, ``values``,
    ``lat``, ``y`` or ``x``.
    """
    kind = trace.get("type", "scatter")
    if kind == "sankey":
        return _has_points((trace.get("link") or {}).get("value"))
    if kind in ("bar", "scatter", "scattergl", "box", "histogram"):
        return _has_points(trace.get("x" if trace.get("orientation") == "h" else "y"))
    if kind == "pie":
        return _has_points(trace.get("values"))
    return any(_has_points(trace.get(key)) for key in ("z", "values", "lat", "y", "x"))
