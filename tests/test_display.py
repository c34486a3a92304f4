import numpy as np
import pandas as pd

from ipstats.display import show_table, with_labels


def test_labels_and_formats():
    table = pd.DataFrame(
        {
            "year": [2023, 2024],
            "measure": ["applications", "grants"],
            "applications": [12345, 7],
            "applications_growth_pct": [1.234, np.nan],
            "other": ["a", "b"],
        }
    )
    labelled = with_labels(table)
    assert list(labelled.columns) == ["年份", "指标", "申请量", "申请量增长（%）", "other"]
    assert labelled["指标"].tolist() == ["申请量", "授权量"]
    html = show_table(table).to_html()
    assert "12,345" in html and "1.23" in html and ">—<" in html and "×" not in html
    assert "2,023" not in html and ">2023<" in html
    assert "注：“—”表示不适用。" in html  # the legend of the one mark shown


def test_suppressed_cells_show_a_cross_other_missing_cells_a_dash():
    table = pd.DataFrame(
        {
            "province_code": ["11", "54", "63"],
            "province": ["北京市", "西藏自治区", "青海省"],
            "invention_applications": [1200.0, np.nan, 8.0],
            "growth_pct": [1.5, np.nan, np.nan],
        }
    )
    record = {"suppressed": [{"row": "54", "col": "invention_applications", "status": "primary"}]}
    html = show_table(
        table, digits=0, disclosure=record, notes=["“—”表示经统计数据保密处理不予公布。", "计数口径：按申请日。"]
    ).to_html()
    assert ">省份<" in html and ">发明专利申请量<" in html
    assert "1,200" in html
    # 西藏: the count and the growth derived from it are suppressed; 青海's growth is not applicable
    assert html.count(">×<") == 2 and html.count(">—<") == 1
    assert "注：计数口径：按申请日。<br>注：“×”表示涉及保密不予公布；“—”表示不适用。" in html
    assert "经统计数据保密处理" not in html  # the old legend is replaced, not repeated
    assert "caption-side: bottom" in html and 'class="ipstats-table"' in html


def test_without_a_record_nothing_is_suppressed_and_no_legend_without_marks():
    table = pd.DataFrame({"province": ["北京市"], "invention_applications": [np.nan]})
    html = show_table(table).to_html()
    assert ">—<" in html and "×" not in html
    assert "注：" not in show_table(table.fillna(3.0)).to_html()


def test_units_stand_upright_above_the_value_axis():
    # plotly turns a y-axis title on its side: 件 lay down beside the axis of every bar chart
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from ipstats.figures import upright_units

    fig = go.Figure(go.Bar(x=["发明"], y=[3]), layout={"yaxis_title": "件"})
    upright_units(fig)
    assert fig.layout.yaxis.title.text is None
    (note,) = fig.layout.annotations
    assert (note.text, note.xref, note.yref, note.xanchor, note.yanchor) == (
        "件",
        "x domain",
        "y domain",
        "right",
        "bottom",
    )
    grid = make_subplots(rows=1, cols=2)
    grid.add_bar(x=[1], y=[1], row=1, col=2)
    grid.update_yaxes(title_text="%", row=1, col=2)
    grid.update_yaxes(title_text="每万人口发明专利拥有量", row=1, col=1)  # a long title stays where it is
    upright_units(grid)
    assert [(a.text, a.xref, a.yref) for a in grid.layout.annotations] == [("%", "x2 domain", "y2 domain")]
    assert grid.layout.yaxis.title.text == "每万人口发明专利拥有量"


def test_a_secondary_axis_unit_refers_to_the_shared_x_axis():
    # the PII chart (亿元 left, % right) referred its % unit to "x2 domain", an axis that does not exist, and
    # its page took 24 s instead of 1.3 s to load in Chromium (test_browser timed out)
    import plotly.graph_objects as go

    from ipstats.figures import upright_units

    fig = go.Figure(go.Bar(x=[2022, 2023], y=[1, 2]))
    fig.add_scatter(x=[2022, 2023], y=[12.4, 13.0], yaxis="y2")
    fig.update_layout(yaxis={"title": "亿元"}, yaxis2={"title": "%", "overlaying": "y", "side": "right"})
    upright_units(fig)
    refs = sorted((a.text, a.xref, a.yref, a.xanchor) for a in fig.layout.annotations)
    assert refs == sorted([("亿元", "x domain", "y domain", "right"), ("%", "x domain", "y2 domain", "left")])
