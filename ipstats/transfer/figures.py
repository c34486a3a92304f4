"""Charts of the patent transfer and use notebook (plotly, ``ipstats`` template)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ipstats.figures import TEMPLATE

__all__ = ["pledge_chart", "province_net_bar", "sankey", "type_bars"]


def type_bars(by_type: pd.DataFrame, year: int, region_name: str) -> go.Figure:
    """Events by type in *year* and the year before (grouped bars), growth in the hover text."""
    rows = by_type[~by_type["event_type"].str.startswith(" ")]
    fig = go.Figure(
        [
            go.Bar(name=f"{year - 1}年", x=rows["event_type"], y=rows["events_previous"]),
            go.Bar(
                name=f"{year}年",
                x=rows["event_type"],
                y=rows["events"],
                text=[("" if pd.isna(g) else f"{g:+.1f}%") for g in rows["events_growth_pct"]],
                textposition="outside",
            ),
        ]
    )
    fig.update_layout(
        template=TEMPLATE,
        barmode="group",
        title=f"{region_name}专利转让、许可和质押（次）",
        yaxis={"title": "次", "rangemode": "tozero"},
    )
    return fig


def sankey(matrix: pd.DataFrame, title: str, top: int = 25) -> go.Figure:
    """Origin → destination flows of a :func:`ipstats.transfer.indicators.province_matrix` (the *top* largest
    links; origins on the left, destinations on the right, flows within a region included)."""
    cells = (
        matrix[matrix["origin"] != "合计"]
        .drop(columns="合计")
        .melt(id_vars="origin", var_name="destination", value_name="events")
    )
    cells = (
        cells[cells["events"] > 0]
        .sort_values(["events", "origin", "destination"], ascending=[False, True, True], kind="stable")
        .head(top)
    )
    left = list(dict.fromkeys(cells["origin"]))
    right = list(dict.fromkeys(cells["destination"]))
    labels = [f"{n}（转出）" for n in left] + [f"{n}（转入）" for n in right]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": labels, "pad": 12, "thickness": 14},
            link={
                "source": [left.index(o) for o in cells["origin"]],
                "target": [len(left) + right.index(d) for d in cells["destination"]],
                "value": cells["events"].tolist(),
            },
        )
    )
    fig.update_layout(template=TEMPLATE, title=title, height=max(420, 22 * max(len(left), len(right))))
    return fig


def province_net_bar(flows: pd.DataFrame, title: str) -> go.Figure:
    """Net in-flow (in − out) of each region, sorted."""
    data = flows.sort_values("net", ascending=False, kind="stable")
    fig = go.Figure(
        go.Bar(
            x=data["origin_group"],
            y=data["net"],
            marker_color=["#2b8cbe" if v >= 0 else "#e34a33" for v in data["net"]],
        )
    )
    fig.update_layout(template=TEMPLATE, title=title, yaxis_title="次", xaxis={"type": "category"})
    return fig


def pledge_chart(summary: pd.DataFrame, region_name: str, amounts_shown: bool = True) -> go.Figure:
    """Pledge contracts (bars) and, when published, the amount in 亿元 (line, right axis) by year."""
    years = summary["year"].astype(str)
    traces = [go.Bar(name="质押登记（份）", x=years, y=summary["contracts"])]
    layout = {"yaxis": {"title": "份", "rangemode": "tozero"}}
    if amounts_shown:
        traces.append(
            go.Scatter(
                name="质押金额（亿元）",
                x=years,
                y=summary["amount_10k_yuan"] / 10_000,
                yaxis="y2",
                mode="lines+markers",
            )
        )
        layout["yaxis2"] = {
            "title": "亿元",
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
        }
    fig = go.Figure(traces)
    fig.update_layout(
        template=TEMPLATE, title=f"{region_name}专利权质押登记", xaxis={"type": "category"}, margin={"r": 80}, **layout
    )
    return fig
