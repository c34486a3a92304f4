"""Monitoring indicators: hand-computed cases for every formula, tiny cubes, and the register path."""

import math
from pathlib import Path

import pandas as pd
import pytest

from ipstats.indicators import monitoring as mon
from ipstats.register.demo import write_demo_data


# --- ranks (the rates are tested in test_formulas.py) ----------------------------------------------------------
def test_ranks():
    ranks = mon.rank_desc(pd.Series([5, 9, 9, 1]))
    assert ranks.tolist() == [3, 1, 1, 4]  # ties share the better rank
    change = mon.rank_change(pd.Series([1, 3, 2]), pd.Series([2, 1, 2]))
    assert change.tolist() == [1, -2, 0]  # positive = moved up


# --- tables from tiny cubes ----------------------------------------------------------------------------------
def _cube(rows):
    return pd.DataFrame(rows, columns=["year", "category", "count", "fractional", "count_candidate"])


def test_category_table_hand_computed():
    # 2021: A 4 (frac 3), B 2 (frac 1); 2023: A 6 (frac 4.5), B 3 (frac 1.5); 2022: A 5 (frac 4)
    cube = _cube(
        [
            (2021, "A", 4, 3.0, 0),
            (2021, "B", 2, 1.0, 0),
            (2022, "A", 5, 4.0, 0),
            (2022, "B", 2, 2.0, 0),
            (2023, "A", 6, 4.5, 1),
            (2023, "B", 3, 1.5, 0),
        ]
    )
    totals = pd.DataFrame({"year": [2021, 2022, 2023], "count": [10, 10, 20]})
    names = pd.Series({"A": "甲", "B": "乙"})
    table = mon.category_table({"applications": cube}, {"applications": totals}, 2023, 2, names, bounds=True)
    a = table.set_index("category").loc["A"]
    assert table["category"].tolist() == ["A", "B"] and a["category_name"] == "甲"
    assert a["applications"] == 6 and a["applications_fractional"] == 4.5
    # each growth rate on the figure beside it: whole 5 -> 6, fractional 4 -> 4.5
    assert a["applications_growth_pct"] == pytest.approx(20.0)
    assert a["applications_fractional_growth_pct"] == pytest.approx(12.5)
    assert a["applications_share_pct"] == pytest.approx(30.0)  # 6 of 20
    assert a["applications_cagr_pct"] == pytest.approx(100 * (math.sqrt(6 / 4) - 1))
    assert a["applications_fractional_cagr_pct"] == pytest.approx(100 * (math.sqrt(4.5 / 3) - 1))
    assert a["applications_candidate"] == 1 and a["applications_upper"] == 6
    b = table.set_index("category").loc["B"]
    assert b["applications_growth_pct"] == pytest.approx(50.0)  # 2 -> 3 whole
    assert b["applications_fractional_growth_pct"] == pytest.approx(-25.0)  # 2 -> 1.5 fractional: opposite sign


def test_category_table_upper_bound_from_the_confirm_cube():
    published = _cube([(2022, "A", 2, 2.0, 0), (2023, "A", 3, 2.5, 0)])
    upper = pd.DataFrame(
        {
            "year": [2022, 2023],
            "category": ["A", "A"],
            "count": [9, 10],
            "fractional": [5.0, 6.0],
            "count_ipc_only": [6, 5],
            "count_candidate": [1, 2],
        }
    )
    totals = pd.DataFrame({"year": [2022, 2023], "count": [20, 20]})
    row = mon.category_table(
        {"applications": published},
        {"applications": totals},
        2023,
        1,
        pd.Series({"A": "甲"}),
        {"applications": upper},
        bounds=True,
    ).iloc[0]
    assert row["applications"] == 3 and row["applications_upper"] == 10
    assert row["applications_ipc_only"] == 5 and row["applications_candidate"] == 2
    assert row["applications_growth_pct"] == pytest.approx(50.0)  # on the published 2 -> 3, not the bound
    no_bounds = mon.category_table(
        {"applications": published}, {"applications": totals}, 2023, 1, pd.Series({"A": "甲"})
    )
    assert not [c for c in no_bounds.columns if c.endswith(("_upper", "_ipc_only", "_candidate"))]


def test_totals_table():
    mine = {"grants": pd.DataFrame({"year": [2022, 2023], "count": [4, 6]})}
    every = {"grants": pd.DataFrame({"year": [2022, 2023], "count": [10, 12]})}
    table = mon.totals_table(mine, every, [2022, 2023])
    assert table["share_of_all_pct"].tolist() == pytest.approx([40.0, 50.0])
    assert math.isnan(table["growth_pct"].iloc[0]) and table["growth_pct"].iloc[1] == pytest.approx(50.0)


def test_province_table_rank_change_and_rta():
    sys_ = pd.DataFrame(
        {"year": [2022, 2022, 2023, 2023], "province_code": ["11", "44", "11", "44"], "count": [10, 5, 6, 12]}
    )
    every = pd.DataFrame({"year": [2023, 2023, 2023], "province_code": ["11", "44", "31"], "count": [20, 40, 40]})
    table = mon.province_table(sys_, every, 2023).set_index("province_code")
    assert table.loc["44", "rank"] == 1 and table.loc["44", "rank_change"] == 1
    assert table.loc["11", "rank"] == 2 and table.loc["11", "rank_change"] == -1
    assert table.loc["44", "share_pct"] == pytest.approx(100 * 12 / 18)
    assert table.loc["44", "rta"] == pytest.approx((12 / 18) / (40 / 100))
    assert table.loc["11", "growth_pct"] == pytest.approx(-40.0)
    assert table.loc["11", "rta_note"] == "小样本" and len(table) == 31
    assert table.loc["31", "patents"] == 0 and table.loc["31", "rta"] == 0


def test_applicant_types_and_top_applicants():
    by_type = pd.DataFrame(
        {"year": [2022, 2022, 2023, 2023], "applicant_type": ["企业", "高校", "企业", "高校"], "count": [8, 2, 9, 3]}
    )
    table = mon.applicant_type_table(by_type, 2023).set_index("applicant_type")
    assert table.loc["企业", "share_pct"] == pytest.approx(75.0) and table.loc["高校", "growth_pct"] == pytest.approx(
        50.0
    )
    apps = pd.DataFrame(
        {
            "applicant_name": ["张三", "甲公司", "乙大学", "丙公司", "丁公司"],
            "applicant_type": ["个人", "企业", "高校", "企业", "企业"],
            "count": [20, 10, 10, 5, 2],
        }
    )
    top = mon.top_applicants(apps, n=3, min_patents=3)
    assert top["applicant_name"].tolist() == [
        "乙大学",
        "甲公司",
        "丙公司",
    ]  # ties by name; persons, small ones not named
    assert top["rank"].tolist() == [1, 1, 3]
    assert top["share_pct"].iloc[0] == pytest.approx(100 * 10 / 47)


def test_concentration_table():
    per = pd.DataFrame(
        {
            "category": ["A"] * 3 + ["*"] * 2,
            "applicant_name": ["x", "y", "z", "x", "y"],
            "fractional": [5.0, 3.0, 2.0, 6.0, 6.0],
        }
    )
    table = mon.concentration_table(per, pd.Series({"A": "甲"})).set_index("category")
    assert table.loc["A", "hhi"] == pytest.approx(3800) and table.loc["A", "applicants"] == 3
    assert table.loc["*", "category_name"] == "合计" and table.loc["*", "hhi"] == pytest.approx(5000)


# --- from a register ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def register(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("mon_demo")
    write_demo_data(out, patents=20_000, seed=2024)
    return out / "register.parquet"


@pytest.mark.parametrize("system", ["cnipa_sei_2021", "cnipa_green_tech"])
def test_compute_monitoring_adds_up(register, system):
    result = mon.compute_monitoring(str(register), 2023, system=system)
    reg = pd.read_parquet(register)
    inv23 = reg[(reg["patent_type"] == "发明") & (pd.to_datetime(reg["filing_date"]).dt.year == 2023)]
    row = result.total("applications")
    assert row["all_patents"] == len(inv23)
    # fractional counts add up to the system's patents (each once) at every level
    for table in result.levels.values():
        assert table["applications_fractional"].sum() == pytest.approx(row["patents"])
        assert table["applications"].sum() >= row["patents"]
    assert result.applicant_types["patents"].sum() == row["patents"]
    # the register is public by law: every province is published, 西藏 (54) and 青海 (63) included
    assert result.disclosure == {} and result.provinces["patents"].notna().all()
    assert {"54", "63"} <= set(result.provinces["province_code"]) and result.province_rta["fractional"].notna().all()
    assert result.provinces["patents"].sum() <= row["patents"]
    # the ranking names applicants with published applications only (an application is secret until then)
    published = inv23[inv23["publication_date"].notna()]
    assert (
        result.top_applicants["patents"]
        <= published.groupby("applicant_name")
        .size()
        .reindex(result.top_applicants["applicant_name"])
        .fillna(0)
        .to_numpy()
    ).all()
    months = result.monthly.set_index("month")["observed"]
    assert months[months.index.year == 2023].sum() == row["patents"]
    assert "个人" not in set(result.top_applicants["applicant_type"])
    if system == "cnipa_green_tech":
        assert result.has_candidates and "applications_candidate" in result.leaf.columns
    text = mon.monitoring_paragraph(result, label="测试领域")
    assert f"{int(row['patents']):,}件" in text and "测试领域" in text


def test_compute_monitoring_for_a_province(register):
    result = mon.compute_monitoring(str(register), 2023, system="wipo_fields_2019", region="44")
    reg = pd.read_parquet(register)
    gd = reg[
        (reg["patent_type"] == "发明")
        & (reg["province_code"] == "44")
        & (pd.to_datetime(reg["filing_date"]).dt.year == 2023)
    ]
    assert result.provinces is None and result.total("applications")["all_patents"] == len(gd)
    assert "广东" in result.region_name


def test_probabilistic_systems_are_refused(register):
    with pytest.raises(ValueError, match="membership system"):
        mon.compute_monitoring(str(register), 2023, system="isi_nace2")


def test_province_run_publishes_register_tables_whole(register):
    result = mon.compute_monitoring(str(register), 2023, system="cnipa_sei_2021", region="54")
    assert result.disclosure == {} and result.level_disclosure() is None
    for table in result.levels.values():
        assert table[["applications", "grants", "valid_stock"]].notna().all().all()
    assert result.applicant_types["patents"].notna().all()


def test_province_run_protects_category_and_applicant_type_tables_of_a_confidential_register(register):
    closed = {"confidentiality": {"register": "confidential"}}
    result = mon.compute_monitoring(str(register), 2023, system="cnipa_sei_2021", region="44", disclosure=closed)
    assert {"applicant_types", "level1", f"level{mon.RULE_LEVEL}"} <= set(result.disclosure)
    codes = list(result.leaf["category"])
    assert codes == sorted(codes)  # a protected table is sorted by code
    leaf = result.leaf.set_index("category")
    for cell in result.level_disclosure(mon.RULE_LEVEL)["suppressed"]:
        assert pd.isna(leaf.loc[cell["row"], cell["col"]])
        assert pd.isna(leaf.loc[cell["row"], f"{cell['col']}_fractional"])
    assert result.level_disclosure(mon.RULE_LEVEL)["primary"] > 0


@pytest.mark.parametrize("system", ["cnipa_sei_2021", "cnipa_green_tech"])
def test_published_counts_follow_the_table_and_bounds_sit_beside_them(register, system):
    table_run = mon.compute_monitoring(str(register), 2023, system=system)
    upper_run = mon.compute_monitoring(str(register), 2023, system=system, keywords="confirm")
    assert table_run.keywords == "table" and upper_run.keywords == "confirm"
    for level, table in table_run.levels.items():
        bound = upper_run.levels[level].set_index("category")
        t = table.set_index("category")
        for m in mon.MEASURES:
            # the bound column equals the confirm run's count; the published count never exceeds it
            assert (t[f"{m}_upper"] == bound[m].reindex(t.index).fillna(0)).all()
            assert (t[m] <= t[f"{m}_upper"]).all()
            assert (t[m] + t[f"{m}_ipc_only"] + t[f"{m}_candidate"] == t[f"{m}_upper"]).all()
    stock = table_run.total("valid_stock")
    assert stock["patents"] < stock["patents_upper"] == upper_run.total("valid_stock")["patents"]
    text = mon.monitoring_paragraph(table_run, label="测试领域")
    assert f"{int(stock['patents']):,}件" in text and f"上限为{int(stock['patents_upper']):,}件" in text
    for sentence in filter(None, text.split("。")):  # no sentence leads with the upper bound
        assert not sentence.startswith(("上限", "另有", "含"))
    notes = " ".join(mon.category_notes(table_run))
    assert "keywords = table" in notes and "不可相加" in notes and "上限" in notes
    if system == "cnipa_green_tech":
        assert "部分涉及" in notes and "关键词条件的分类号" not in notes
        assert "申请量居前的类别为第" in text and "下设“" in text  # unnamed groups by their named branches


def test_growth_beside_whole_counts_is_whole_growth(register):
    result = mon.compute_monitoring(str(register), 2023, system="cnipa_sei_2021")
    cube = result.top.set_index("category")
    detail = result.detail["level1"].set_index("category")
    assert (cube["applications"] == detail["applications"]).all()
    # recompute from the published whole counts of both years
    previous = mon.compute_monitoring(str(register), 2022, system="cnipa_sei_2021").top.set_index("category")
    expected = 100 * (cube["applications"] / previous["applications"].reindex(cube.index) - 1)
    pd.testing.assert_series_equal(cube["applications_growth_pct"], expected, check_names=False)


def test_labels_name_the_table_they_count(register, tmp_path):
    result = mon.compute_monitoring(str(register), 2023, system="cnipa_green_tech")
    with pytest.raises(ValueError, match="绿色低碳技术专利分类体系"):
        mon.monitoring_paragraph(result, label="绿色低碳技术")
    assert mon.section_label(result, "绿色技术") == "绿色技术"
    rules = tmp_path / "green_low_carbon.csv"
    rules.write_text(
        "category,category_name_zh,ipc_patterns,keywords\n1,储能,H01M10*,储能、电池\n2,清洁能源,H02S*,\n",
        encoding="utf-8",
    )
    rules.with_suffix(".yaml").write_text(
        "name_zh: 绿色低碳技术专利分类体系（用户表）\nedition: '2023'\n", encoding="utf-8"
    )
    own = mon.compute_monitoring(str(register), 2023, system=str(rules))
    assert mon.section_label(own, "绿色低碳技术") == "绿色低碳技术"
    assert set(own.top["category_name"]) <= {"储能", "清洁能源"}


def test_keywords_is_a_notebook_parameter_with_one_equals_sign():
    import json

    nb = json.loads(
        (Path(__file__).parents[2] / "notebooks" / "20_domain_monitoring.ipynb").read_text(encoding="utf-8")
    )
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    lines = [line for line in "".join(cell["source"]).splitlines() if line.startswith("keywords")]
    assert lines == [lines[0]] and lines[0].startswith('keywords: str = "table"') and lines[0].count("=") == 1
    from ipstats.bulletin import load_params
    from ipstats.bulletin.run import plan_notebooks

    for name in ("demo.yaml", "ci.yaml"):  # what each monitoring run receives (defaults: included)
        out = Path("/nonexistent/out")
        params = load_params(Path(__file__).parents[2] / "parameters" / name, out=out, prepare=False)
        runs = [p.parameters for p in plan_notebooks(params, out) if p.name.startswith("20_monitoring")]
        assert len(runs) >= 3 and all(r["keywords"] == "table" for r in runs)
        assert "绿色低碳技术" not in [r["label"] for r in runs]
