"""Charts of patent-intensive industries' value added (plotly, ipstats template with Chinese fonts).

The value added is the national NBS–CNIPA series, so every title says 全国 (as the tables and the announcement
do); *context* (:func:`ipstats.bulletin.sources.national_context` of the run's region) is appended to the title,
so that in a provincial bulletin the charts read as national context like the section's tables.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ipstats.figures import TEMPLATE
from ipstats.pii.value_added import TOTAL_CODE, VALUE, YearView

__all__ = ["composition_chart", "growth_chart", "level_and_share_chart"]


def level_and_share_chart(history: pd.DataFrame, context: str = "") -> go.Figure:
    """Bars of value added (亿元) by year and a line of its share of GDP (%) on a second axis; *context* ends
    the title (``（全国情况，供参考）`` in a provincial run)."""
    fig = go.Figure()
    fig.add_bar(
        x=history["year"], y=history[VALUE], name="增加值（亿元）", hovertemplate="%{x}年: %{y:.0f}亿元<extra></extra>"
    )
    fig.add_scatter(
        x=history["year"],
        y=history["share_of_gdp_pct"],
        name="占GDP比重（%）",
        yaxis="y2",
        mode="lines+markers",
        hovertemplate="%{x}年: %{y:.2f}%<extra></extra>",
    )
    fig.update_layout(
        template=TEMPLATE,
        title=f"全国专利密集型产业增加值及占GDP比重{context}",
        xaxis={"dtick": 1, "title": "年份"},
        yaxis={"title": "亿元", "tickformat": ",.0f"},
        margin={"r": 90},
        yaxis2={"title": "%", "overlaying": "y", "side": "right", "showgrid": False, "tickformat": ".2f"},
    )
    basis = history["basis"].tolist() if "basis" in history.columns else []
    for before, after, year in zip(basis, basis[1:], history["year"].tolist()[1:]):
        if before != after:  # a census-basis revision: levels on either side are not comparable
            fig.add_vline(
                x=year - 0.5,
                line_dash="dash",
                line_color="#888",
                annotation_text=f"{after}口径",
                annotation_position="top left",
            )
    return fig


def _categories(view: YearView, column: str) -> pd.DataFrame:
    return view.table[(view.table["category_code"] != TOTAL_CODE) & view.table[column].notna()].sort_values(column)


def composition_chart(view: YearView, context: str = "") -> go.Figure:
    """Horizontal bars of each category's share of the total (构成, %); *context* ends the title."""
    data = _categories(view, "share_pct")
    fig = go.Figure(
        go.Bar(
            x=data["share_pct"],
            y=data["category_name"],
            orientation="h",
            text=data["share_pct"].round(1),
            hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=f"{view.year}年全国专利密集型产业增加值构成（%）{context}",
        xaxis_title="%",
        yaxis_automargin=True,
        showlegend=False,
    )
    return fig


def growth_chart(view: YearView, context: str = "") -> go.Figure:
    """Horizontal bars of each category's nominal growth (%); empty with a note when growth is not comparable;
    *context* ends the title."""
    data = _categories(view, "growth_pct")
    fig = go.Figure(
        go.Bar(
            x=data["growth_pct"],
            y=data["category_name"],
            orientation="h",
            text=data["growth_pct"].round(1),
            hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        )
    )
    title = f"{view.year}年全国专利密集型产业增加值分类别增长（%，现价）"
    if data.empty:
        title += "：口径调整，不可比"
    title += context
    fig.update_layout(template=TEMPLATE, title=title, xaxis_title="%", yaxis_automargin=True, showlegend=False)
    return fig
