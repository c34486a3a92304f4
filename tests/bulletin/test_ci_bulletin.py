"""End to end: `ipstats bulletin parameters/ci.yaml` as CI and users run it, outputs checked as a reader sees them."""

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ipstats.labels import symbol_legend
from ipstats.bulletin.params import load_params
from ipstats.bulletin.tables import workbook_sheets

ROOT = Path(__file__).resolve().parents[2]


def test_progress_and_outputs(ci_bulletin):
    out, proc = ci_bulletin
    runs = [e.id for e in load_params(ROOT / "parameters" / "ci.yaml").notebooks]
    for i, run in enumerate(runs, start=1):
        assert f"[{i}/{len(runs)}] {run} … ok" in proc.stdout, run
        assert (out / f"{run}.html").exists() and (out / "notebooks" / f"{run}.ipynb").exists(), run
    for name in (
        "index.html",
        "tables.xlsx",
        "manifest.json",
        "tables/overview_by_type.csv",
        "tables/invention_per_10k_by_province.csv",
        "figures/overview_by_type.json",
        "texts/00_overview.md",
        "tables/mon_cnipa_sei_2021_categories.csv",
        "tables/mon_wipo_fields_2019_coverage.csv",
        "tables/mon_cnipa_green_tech_provinces.csv",
        "texts/20_monitoring_digital.md",
    ):
        assert (out / name).exists(), name
    assert "Traceback" not in proc.stderr and "WARNING" not in proc.stderr


def test_monitoring_sections_add_up(ci_bulletin):
    """Fractional counts of the categories add up to the system's patents (to their rounding: two decimals each);
    whole counts at least to them."""
    out, _ = ci_bulletin
    for system in ("cnipa_sei_2021", "cnipa_digital_tech_2023", "cnipa_green_tech", "wipo_fields_2019"):
        totals = pd.read_csv(out / "tables" / f"mon_{system}_totals.csv", encoding="utf-8-sig")
        year = int(totals["year"].max())  # noqa: F841 (read by DataFrame.query as @year)
        for level in ("top", "categories"):
            table = pd.read_csv(out / "tables" / f"mon_{system}_{level}.csv", encoding="utf-8-sig")
            for measure in ("applications", "grants", "valid_stock"):
                patents = totals.query("measure == @measure and year == @year")["patents"].iloc[0]
                rounding = 0.005 * len(table) + 1e-6
                assert table[f"{measure}_fractional"].sum() == pytest.approx(patents, abs=rounding), (system, level)
                assert table[measure].sum() >= patents


def test_pages_are_offline_and_chinese(ci_bulletin):
    out, _ = ci_bulletin
    page = (out / "00_overview.html").read_text(encoding="utf-8")
    assert page.count("Plotly.newPlot") >= 4  # four charts
    # nothing is loaded from the network (plotly.js itself names its geo-map CDN as a default string: no maps here)
    assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", page)
    assert not re.search(r"<link[^>]+href=[\"']?(https?:)?//", page)
    assert page.count("cdn.plot.ly") <= 1 and "topojsonURL" in page
    assert "各省（区、市）每万人口发明专利拥有量" in page and "compute_overview(" not in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "全国专利统计公报（CI 测试数据）" in index and "00_overview.html" in index


def test_numbers_equal_a_direct_computation(ci_bulletin):
    """Backtest: the published table equals a plain pandas count on the same register."""
    out, _ = ci_bulletin
    table = pd.read_csv(out / "tables" / "overview_by_type.csv", encoding="utf-8-sig").set_index("patent_type")
    reg = pd.read_parquet(ROOT / "data" / "ci" / "register.parquet")
    filing, grant = pd.to_datetime(reg["filing_date"]), pd.to_datetime(reg["grant_date"])
    lapse, end = pd.to_datetime(reg["lapse_date"]), pd.Timestamp("2023-12-31")
    for ptype in ("发明", "实用新型", "外观设计"):
        sel = reg["patent_type"] == ptype
        assert table.loc[ptype, "applications"] == ((filing.dt.year == 2023) & sel).sum()
        assert table.loc[ptype, "grants"] == ((grant.dt.year == 2023) & sel).sum()
        assert table.loc[ptype, "valid_stock"] == ((grant <= end) & (lapse.isna() | (lapse > end)) & sel).sum()
    assert table.loc["合计", "applications"] == (filing.dt.year == 2023).sum()
    text = (out / "texts" / "00_overview.md").read_text(encoding="utf-8")
    assert (
        f"{table.loc['合计', 'applications']:,}件" in text
        or f"{table.loc['合计', 'applications'] / 10000:.2f}万件" in text
    )


def test_csv_bom_and_workbook(ci_bulletin):
    out, _ = ci_bulletin
    assert (out / "tables" / "overview_by_type.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    book = openpyxl.load_workbook(out / "tables.xlsx")
    sheets = workbook_sheets(out / "tables.xlsx")
    assert book.sheetnames[0] == "目录" and len(sheets) == len(list((out / "tables").glob("*.csv")))
    assert re.fullmatch(r"表\d+ 分类型专利申请、授权和有效量", sheets["overview_by_type"])  # number, Chinese title
    sheet = book[sheets["overview_by_type"]]
    assert "分类型专利申请、授权和有效量" in sheet["A1"].value and sheet["A2"].value.startswith("单位")
    assert [c.value for c in sheet[3]][:3] == ["专利类型", "申请量", "申请量增长（%）"]  # Chinese headers


def test_manifest_records_the_run(ci_bulletin):
    out, _ = ci_bulletin
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {n["status"] for n in manifest["notebooks"]} == {"ok"}
    assert {"register", "population"} <= set(manifest["inputs"])
    assert all(len(v["sha256"]) == 64 for v in manifest["inputs"].values())
    assert {t["name"] for t in manifest["reference_tables"]} >= {"ipc_scheme", "provinces"}
    assert manifest["ipstats_version"]


def test_monitoring_section_states_its_system(ci_bulletin):
    out, _ = ci_bulletin
    meta = json.loads((out / "tables" / "mon_wipo_fields_2019_categories.meta.json").read_text(encoding="utf-8"))
    assert any("WIPO技术领域（35个领域）（2019，WIPO，按IPC 2019.01版编制）" in note for note in meta["notes"])
    cov = pd.read_csv(out / "tables" / "mon_wipo_fields_2019_coverage.csv", encoding="utf-8-sig")
    assert 0 < cov.loc[0, "matched_patents_pct"] <= 100
    page = (out / "20_monitoring_sei.html").read_text(encoding="utf-8")
    assert "战略性新兴产业" in page and page.count("Plotly.newPlot") >= 4


def test_register_tables_are_published_whole(ci_bulletin):
    """The register is public by law: every province's figures, 西藏 and 青海 included; no record, no "×"."""
    out, _ = ci_bulletin
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    control = manifest["disclosure_control"]
    assert control["policy"]["register"]["class"] == "public"
    table = pd.read_csv(
        out / "tables" / "invention_per_10k_by_province.csv", encoding="utf-8-sig", dtype={"province_code": str}
    )
    assert len(table) == 31 and not (table == "×").any().any()
    assert table.set_index("province_code").loc[["54", "63"], "per_10k"].notna().all()
    assert "invention_per_10k_by_province" not in control["tables"]
    assert not [name for name in control["tables"] if name.startswith("mon_")]
    page = (out / "00_overview.html").read_text(encoding="utf-8")
    assert "每万人口发明专利拥有量经统计数据保密处理不予公布" not in page


def test_workbook_shows_suppressed_cells_as_a_cross_with_their_legend(ci_bulletin):
    out, _ = ci_bulletin
    sheet = openpyxl.load_workbook(out / "tables.xlsx")[workbook_sheets(out / "tables.xlsx")["products_by_province"]]
    header = [c.value for c in sheet[3]]
    col = header.index("总产值（万元）") + 1
    values = [sheet.cell(row=r, column=col).value for r in range(4, sheet.max_row + 1)]
    assert "×" in values and all(isinstance(v, (int, float)) or v in ("×", None) or isinstance(v, str) for v in values)
    notes = [
        v
        for v in (sheet.cell(row=r, column=1).value for r in range(4, sheet.max_row + 1))
        if isinstance(v, str) and v.startswith("注：")
    ]
    shown = {m for row in sheet.iter_rows(min_row=4) for m in ("×", "—", "…") if any(c.value == m for c in row)}
    assert "×" in shown
    for mark in ("×", "—", "…"):  # each mark shown is explained once (the legend, or a note saying more)
        assert sum(f"“{mark}”表示" in n for n in notes) == (mark in shown), (mark, notes)
    legend = [n for n in notes if n.startswith("注：“") and "、" not in n and "，" not in n]
    assert all(n == "注：" + symbol_legend({m for m in shown if f"“{m}”" in n}) for n in legend)


def test_confidential_tables_pass_their_audit(ci_bulletin):
    """Product money and the survey are protected jointly; every linked set passed its MILP audit."""
    out, _ = ci_bulletin
    control = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["disclosure_control"]
    assert {"products_2024", "survey"} <= set(control["linked_sets"])
    assert all(s["audit_pass"] for s in control["linked_sets"].values()) and control["all_pass"]
    products = pd.read_csv(out / "tables" / "products_by_division.csv", encoding="utf-8-sig", dtype=str)
    assert (products["output_value"] == "×").any() and (products["products"] != "×").all()  # counts are public


def test_unprotected_detail_only_in_the_named_internal_folder(ci_bulletin):
    out, _ = ci_bulletin
    internal = load_params(ROOT / "parameters" / "ci.yaml", out=out).internal_output  # moves with --out
    assert internal is not None and out not in internal.parents
    assert "不得公开发布" in (internal / "README.txt").read_text(encoding="utf-8")
    detail = pd.read_csv(internal / "tables" / "invention_per_10k_by_province.csv", encoding="utf-8-sig")
    public = pd.read_csv(out / "tables" / "invention_per_10k_by_province.csv", encoding="utf-8-sig")
    assert not (public == "×").any().any() and detail["invention_applications"].notna().all()
    money = pd.read_csv(internal / "tables" / "products_provinces.csv", encoding="utf-8-sig")
    shown = pd.read_csv(out / "tables" / "products_by_province.csv", encoding="utf-8-sig", dtype=str)
    assert money["output_value"].notna().all() and (shown["output_value"] == "×").any()
    assert not list(out.rglob("*internal*")) and "未经保密处理" not in (out / "index.html").read_text(encoding="utf-8")
    assert {p.name for p in (internal / "tables").glob("mon_*_provinces.csv")} >= {"mon_cnipa_sei_2021_provinces.csv"}
