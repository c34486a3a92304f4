"""Charts of the patent-intensive products notebook (plotly, ``ipstats`` template)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ipstats.figures import TEMPLATE

__all__ = ["breakdown_bar", "category_bar", "growth_bars", "rounds_chart"]

_MEASURE_NAMES = {"output_growth_pct": "总产值", "sales_growth_pct": "销售收入", "export_growth_pct": "出口交货值"}


def rounds_chart(rounds: pd.DataFrame, region_name: str) -> go.Figure:
    """Recognised products (bars) and their output value in 亿元 (line, right axis) by round."""
    years = rounds["filing_year"].astype(str)
    fig = go.Figure(
        [
            go.Bar(name="认定产品（件）", x=years, y=rounds["recognised"]),
            go.Scatter(
                name="总产值（亿元）", x=years, y=rounds["output_value"] / 10_000, yaxis="y2", mode="lines+markers"
            ),
        ]
    )
    fig.update_layout(
        template=TEMPLATE,
        title=f"{region_name}各批次认定专利密集型产品数量和总产值",
        xaxis={"title": "批次", "type": "category"},
        yaxis={"title": "件", "rangemode": "tozero"},
        yaxis2={"title": "亿元", "overlaying": "y", "side": "right", "showgrid": False, "rangemode": "tozero"},
        margin={"r": 80},
    )
    return fig


def growth_bars(panel: pd.DataFrame, year: int) -> go.Figure:
    """Growth of output, sales and exports: all recognised products against the same-product panel."""
    scopes = {"all": "全部认定产品", "panel": "两批均获认定的同一产品"}
    data = panel.set_index("scope")
    fig = go.Figure(
        [
            go.Bar(name=label, x=list(_MEASURE_NAMES.values()), y=[data.at[scope, col] for col in _MEASURE_NAMES])
            for scope, label in scopes.items()
        ]
    )
    fig.update_layout(template=TEMPLATE, barmode="group", title=f"{year}年批次比上一批次增长（%）", yaxis_title="%")
    return fig


def breakdown_bar(
    table: pd.DataFrame, name_col: str, title: str, value_col: str = "products", top: int = 20
) -> go.Figure:
    """Horizontal bars of *value_col* by *name_col* (largest on top); suppressed cells and 合计 are left out."""
    data = (
        table[table[name_col] != "合计"]
        .dropna(subset=[value_col])
        .astype({value_col: float})
        .nlargest(top, value_col)
        .sort_values(value_col)
    )
    fig = go.Figure(go.Bar(x=data[value_col], y=data[name_col], orientation="h", showlegend=False))
    fig.update_layout(template=TEMPLATE, title=title, yaxis_automargin=True, height=max(380, 26 * len(data)))
    return fig


def category_bar(categories: pd.DataFrame, title: str) -> go.Figure:
    """Share of recognised products with a linked patent in each category: every match and confirmed only."""
    data = categories[categories["category"] != "*"].iloc[::-1]
    fig = go.Figure(
        [
            go.Bar(name="按分类号匹配（上限）", x=data["products_share_pct"], y=data["category_name"], orientation="h"),
            go.Bar(name="经确认", x=data["products_confirmed_share_pct"], y=data["category_name"], orientation="h"),
        ]
    )
    fig.update_layout(
        template=TEMPLATE,
        barmode="group",
        title=title,
        xaxis_title="占认定产品的比重（%）",
        yaxis_automargin=True,
        height=max(380, 40 * len(data)),
    )
    return fig
