"""PII charts: the value added is the national series, so every title says 全国 and carries the run's context."""

from __future__ import annotations

import pytest

from ipstats.bulletin.sources import NATIONAL_CONTEXT, national_context
from ipstats.pii import compute_value_added
from ipstats.pii.charts import composition_chart, growth_chart, level_and_share_chart


@pytest.fixture(scope="module")
def va():
    return compute_value_added(2022, "", "", "")


@pytest.mark.parametrize("region", ["national", "44"])
def test_chart_titles_say_national(va, region):
    ctx = national_context(region)
    figures = [level_and_share_chart(va.history, ctx), composition_chart(va.view, ctx), growth_chart(va.view, ctx)]
    titles = [f.layout.title.text for f in figures]
    assert all("全国专利密集型产业增加值" in t for t in titles), titles
    assert all(t.endswith(NATIONAL_CONTEXT) for t in titles) is (region != "national"), titles
    assert titles[1].startswith("2022年全国") and titles[2].startswith("2022年全国")


def test_chart_titles_without_context(va):
    assert level_and_share_chart(va.history).layout.title.text == "全国专利密集型产业增加值及占GDP比重"
