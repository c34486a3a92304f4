"""Charts of 每万人口高价值发明专利拥有量 (plotly, ``ipstats`` template): provinces and the criteria's overlaps."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ipstats.figures import TEMPLATE
from ipstats.indicators.high_value import CRITERIA, criteria_columns

__all__ = ["criteria_upset", "province_bars"]


def province_bars(provinces: pd.DataFrame, year: int, highlight: str | None = None) -> go.Figure:
    """每万人口高价值发明专利拥有量 by province (highest on top) beside 每万人口发明专利拥有量.

    Parameters
    ----------
    provinces : pandas.DataFrame
        :func:`ipstats.indicators.high_value.province_table`.
    year : int
    highlight : str, optional
        Province code drawn in the accent colour (a province run).
    """
    data = provinces.sort_values(["per_10k", "province_code"], ascending=[True, False])
    hv_colors = ["#d62728" if code == highlight else "#1f77b4" for code in data["province_code"]]
    fig = go.Figure(
        [
            go.Bar(
                name="每万人口高价值发明专利拥有量",
                x=data["per_10k"],
                y=data["province"],
                orientation="h",
                marker_color=hv_colors,
                hovertemplate="%{y}: %{x:.2f}件<extra>%{fullData.name}</extra>",
            ),
            go.Bar(
                name="每万人口发明专利拥有量",
                x=data["invention_per_10k"],
                y=data["province"],
                orientation="h",
                marker_color="#aec7e8",
                hovertemplate="%{y}: %{x:.2f}件<extra>%{fullData.name}</extra>",
            ),
        ]
    )
    fig.update_layout(
        template=TEMPLATE,
        barmode="group",
        yaxis_automargin=True,
        height=max(480, 30 * len(data)),
        title=f"{year}年各省（区、市）每万人口高价值发明专利拥有量和每万人口发明专利拥有量（件）",
        xaxis_title="件/万人",
        legend={"orientation": "h", "y": -0.06},
    )
    return fig


def criteria_upset(overlaps: pd.DataFrame, criteria: pd.DataFrame, title: str) -> go.Figure:
    """UpSet-style chart: high-value patents by the exact combination of criteria met, and each criterion's total.

    The top panel shows the count of every combination (they add up to the high-value total: a patent counts
    once); the matrix below marks which criteria make up each combination; the bars on the left give each
    criterion's total (which overlap).

    Parameters
    ----------
    overlaps : pandas.DataFrame
        :func:`ipstats.indicators.high_value.overlap_table`.
    criteria : pandas.DataFrame
        :func:`ipstats.indicators.high_value.criteria_table` (totals per criterion; not-evaluated ones show 0).
    title : str
    """
    if overlaps.empty or not (pd.to_numeric(overlaps["count"], errors="coerce").fillna(0) > 0).any():
        # no high-value patent (a small province): a chart of empty axes says nothing; the figure says so instead
        fig = go.Figure(layout={"template": TEMPLATE, "title": title, "height": 240})
        fig.add_annotation(
            text="本年无高价值发明专利，无标准组合可绘。",
            showarrow=False,
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
            font={"size": 16},
        )
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return fig
    labels = list(CRITERIA.values())
    cols = criteria_columns()
    x = [f"组合{i + 1}" for i in range(len(overlaps))]
    fig = make_subplots(
        rows=2,
        cols=2,
        shared_xaxes="columns",
        shared_yaxes="rows",
        row_heights=[0.62, 0.38],
        column_widths=[0.22, 0.78],
        horizontal_spacing=0.02,
        vertical_spacing=0.03,
        specs=[[None, {"type": "xy"}], [{"type": "xy"}, {"type": "xy"}]],
    )
    fig.add_trace(
        go.Bar(
            x=x,
            y=overlaps["count"],
            customdata=overlaps["combination"],
            name="只符合该组合的专利",
            marker_color="#1f77b4",
            showlegend=False,
            hovertemplate="%{customdata}: %{y:,}件<extra></extra>",
        ),
        row=1,
        col=2,
    )
    totals = criteria.set_index("criterion").reindex(list(CRITERIA))["count"].astype("Float64").fillna(0)
    fig.add_trace(
        go.Bar(
            x=totals.to_numpy(dtype=float),
            y=labels,
            orientation="h",
            marker_color="#7f7f7f",
            showlegend=False,
            hovertemplate="%{y}: %{x:,.0f}件<extra></extra>",
        ),
        row=2,
        col=1,
    )
    for i, column in enumerate(cols):
        member = overlaps[column].astype(bool).to_numpy() if len(overlaps) else []
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[labels[i]] * len(x),
                mode="markers",
                showlegend=False,
                hoverinfo="skip",
                marker={"size": 11, "color": ["#1f77b4" if m else "#e0e0e0" for m in member]},
            ),
            row=2,
            col=2,
        )
    for j, row in enumerate(overlaps.itertuples(index=False)):
        ys = [labels[i] for i, column in enumerate(cols) if getattr(row, column)]
        if len(ys) > 1:
            fig.add_trace(
                go.Scatter(
                    x=[x[j]] * len(ys),
                    y=ys,
                    mode="lines",
                    line={"color": "#1f77b4", "width": 2},
                    showlegend=False,
                    hoverinfo="skip",
                ),
                row=2,
                col=2,
            )
    fig.update_xaxes(showticklabels=False, row=2, col=2)
    # a value axis: thousands separated, as on the bars above (the template separates them on y axes only)
    fig.update_xaxes(autorange="reversed", title_text="符合该标准（件）", separatethousands=True, row=2, col=1)
    fig.update_yaxes(title_text="件", row=1, col=2)
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], row=2, col=1)
    fig.update_layout(template=TEMPLATE, title=title, height=560, margin={"l": 40})
    return fig
