"""The product charts show what the tables publish: no 合计 bar, no suppressed cell, no 'any category' bar."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ipstats.products.figures import breakdown_bar, category_bar, growth_bars, rounds_chart


def test_rounds_chart_uses_rounds_as_categories_and_yuan_in_yi():
    rounds = pd.DataFrame({"filing_year": [2023, 2024], "recognised": [10, 14], "output_value": [50_000.0, 70_000.0]})
    fig = rounds_chart(rounds, "全国")
    assert fig.layout.xaxis.type == "category"
    assert list(fig.data[0].y) == [10, 14] and list(fig.data[1].y) == [5.0, 7.0]  # 万元 → 亿元


def test_breakdown_bar_leaves_out_total_and_suppressed_cells():
    table = pd.DataFrame(
        {"province": ["广东省", "江苏省", "海南省", "合计"], "products": pd.array([5, 3, None, 9], dtype="Int64")}
    )
    fig = breakdown_bar(table, "province", "t")
    assert list(fig.data[0].y) == ["江苏省", "广东省"] and list(fig.data[0].x) == [3.0, 5.0]


def test_category_bar_and_growth_bars():
    categories = pd.DataFrame(
        {
            "category": ["1", "2", "*"],
            "category_name": ["甲", "乙", "合计（任一类别）"],
            "products_share_pct": [50.0, 20.0, 60.0],
            "products_confirmed_share_pct": [10.0, 0.0, 10.0],
        }
    )
    fig = category_bar(categories, "t")
    assert list(fig.data[0].y) == ["乙", "甲"] and len(fig.data) == 2
    panel = pd.DataFrame(
        {
            "scope": ["all", "panel"],
            "output_growth_pct": [40.0, 10.0],
            "sales_growth_pct": [38.0, 9.0],
            "export_growth_pct": [42.0, np.nan],
        }
    )
    fig = growth_bars(panel, 2024)
    assert list(fig.data[0].y) == [40.0, 38.0, 42.0] and fig.data[1].y[0] == 10.0
