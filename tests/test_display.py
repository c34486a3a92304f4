import numpy as np
import pandas as pd

from ipstats.display import show_table, with_labels


def test_labels_and_formats():
    table = pd.DataFrame({"year": [2023, 2024], "measure": ["applications", "grants"], "applications": [12345, 7],
                          "applications_growth_pct": [1.234, np.nan], "other": ["a", "b"]})
    labelled = with_labels(table)
    assert list(labelled.columns) == ["年份", "指标", "申请量", "申请量增长(%)", "other"]
    assert labelled["指标"].tolist() == ["申请量", "授权量"]
    html = show_table(table).to_html()
    assert "12,345" in html and "1.23" in html and "—" in html
    assert "2,023" not in html and ">2023<" in html


def test_suppressed_cells_and_notes_in_the_html_table():
    from ipstats.display import SUPPRESSED

    table = pd.DataFrame({"province": ["北京市", "西藏自治区"], "invention_applications": [1200.0, np.nan]})
    html = show_table(table, digits=0, notes=["“—”表示经统计数据保密处理不予公布。"]).to_html()
    assert ">省份<" in html and ">发明专利申请量<" in html
    assert "1,200" in html and f">{SUPPRESSED}<" in html
    assert "注：“—”表示经统计数据保密处理不予公布。" in html and "caption-side: bottom" in html
    assert 'class="ipstats-table"' in html
