"""The survey report behind notebooks/40_patent_survey.ipynb and the sample schema (the notebook's shape: tests/test_notebooks.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from ipstats.survey.demo import write_demo
from ipstats.survey.indicators import REPORT_TABLES
from ipstats.survey.report import compute_survey, published_rates, rate_chart, truth_chart, truth_table

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def report(small_demo, tmp_path_factory):
    paths = write_demo(small_demo["register"], tmp_path_factory.mktemp("survey_report"), seed=3, year=2023)
    return compute_survey(
        small_demo["register"], paths["survey_sample"], 2023, paths["survey_truth"], disclosure={"min_contributors": 3}
    ), paths


def test_report_tables_in_report_order_and_calibrated(report):
    sv, _ = report
    assert [t.name for t in sv.tables] == [t.name for t in REPORT_TABLES]
    check = sv.weighting
    assert (check["calibrated_weights"] - check["register_valid_patents"]).abs().max() < 1e-3 * check[
        "register_valid_patents"
    ].max()
    frame = sv.tables[0].frame
    assert list(frame.columns[:3]) == ["分组", "指标", "估计值"]
    hidden = frame["质量标识"].isin(["不发布", "保密"])
    assert frame.loc[hidden, "估计值"].isna().all() and frame.loc[~hidden, "估计值"].notna().all()


def test_key_numbers_and_truth(report):
    sv, _ = report
    text = sv.key_numbers()
    assert text.splitlines()[0].startswith("2023年专利调查: 样本")
    assert "演示真值落在95%置信区间内" in text
    assert set(truth_table(sv).columns) >= {"真值", "估计值", "区间覆盖真值"}
    assert 0.7 <= sv.truth["covered"].mean() <= 1.0
    assert len(truth_chart(sv).data) == 2 and len(rate_chart(sv.tables[1], "标题").data) == 2


def test_recorded_tables_mark_suppressed_cells(report, tmp_path):
    from ipstats.bulletin import record_table

    sv, _ = report
    table = sv.table("survey_invention_by_patentee_type")
    path = record_table(
        table.frame,
        table.name,
        title="2023年有效发明专利实施情况（按专利权人类型）",
        unit="%",
        source="演示",
        notes=table.notes,
        output_dir=tmp_path,
        disclosure=table.disclosure,
    )
    written = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    suppressed = written["质量标识"].isin(["不发布", "保密"])
    assert (written.loc[suppressed, "估计值"] == "×").all()
    meta = json.loads(path.with_suffix(".meta.json").read_text(encoding="utf-8"))
    assert meta["disclosure"]["rules"]["quality"]["caution_cv"] == 15.0


def test_demo_sample_passes_its_schema(report):
    from ipstats.validate import validate_file

    _, paths = report
    assert validate_file(paths["survey_sample"], "survey_sample").ok
    assert validate_file(paths["survey_truth"], "survey_truth").ok
    broken = pd.read_csv(paths["survey_sample"], dtype=str)
    broken.loc[0, "patent_type"] = "发明专利"
    bad = paths["survey_sample"].with_name("broken.csv")
    broken.to_csv(bad, index=False)
    report_ = validate_file(bad, "survey_sample")
    assert not report_.ok and any("patent_type" in line for line in report_.lines())


def test_published_rates_are_the_domain_notes_values():
    rates = published_rates().set_index("year")
    assert rates.loc[2023, "有效发明专利"] == 39.6 and rates.loc[2024, "企业有效发明专利"] == 53.3


def test_frozen_r_data_are_the_shared_reference(shared_reference):
    for name in ("r_survey_reference_values.csv", "apistrat.csv", "apiclus1.csv", "apisrs.csv"):
        assert (DATA / name).read_bytes() == (shared_reference / "survey" / name).read_bytes()


def test_revenue_sensitivity_and_quality_columns(report):
    from ipstats.survey.report import sensitivity_record

    sv, _ = report
    revenue = sv.table("survey_revenue_by_patent_type")
    table, notes, record = sensitivity_record(sv)
    assert len(table) == 5 and table.columns[0] == "最高区间取值假设"
    assert table["最高区间每件取值（万元）"].iloc[1:].tolist() == [1250, 1500, 2000, 3000]
    published = revenue.published.set_index("level")
    for level, value in table.iloc[0, 2:].items():  # the first row is the published estimate
        shown = published.loc[level, "estimate"]
        assert (pd.isna(value) and pd.isna(shown)) or value == pytest.approx(shown, abs=0.05)
    secret = set(published.index[published["flag"] == "保密"])
    assert all(table[level].isna().all() for level in secret)
    assert record["derived_from"] == revenue.name and "audit_pass" not in record
    assert len(record["suppressed"]) == int(table.iloc[:, 2:].isna().sum().sum())
    assert any("帕累托" in note or "约定值" in note or "实际金额" in note for note in revenue.notes)
    frame = sv.tables[1].frame
    assert {"有效样本量", "自由度", "标识原因"} <= set(frame.columns) and "变异系数(%)" not in frame.columns
    flagged = frame[frame["质量标识"].isin(["慎用", "不发布"])]
    assert (flagged["标识原因"] != "").all()
