"""Every product indicator against numbers worked out by hand on a small table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ipstats.products import indicators as ind
from ipstats.products.io import typed_products
from ipstats.register.uscc import format_credit_code

X, Y, Z = "91350100M000100Y43", "914403001922038216", "91110000100017643K"


def _rows() -> list[dict]:
    # id, enterprise code, province, industry, round, status, output, sales, exports
    spec = [
        ("A", X, "44", "3421", 2023, "认定", 100, 90, 10),
        ("B", X, "44", "3911", 2023, "认定", 200, 180, 0),
        ("C", Y, "32", "3911", 2023, "认定", 50, 50, 25),
        ("F", Z, "11", "2710", 2023, "未通过", 40, 40, 0),
        ("A", X, "44", "3421", 2024, "认定", 110, 100, 20),
        ("B", X, "44", "3911", 2024, "认定", 180, 170, 10),
        ("D", Z, "32", "6510", 2024, "认定", 300, 280, 70),
        ("E", Y, "32", "3911", 2024, "未通过", 10, 10, 0),
        ("G", Y, "32", "3911", 2024, "备案", 5, 5, 0),
    ]
    return [
        {
            "product_id": p,
            "product_name": f"产品{p}",
            "enterprise_name": code[-4:],
            "credit_code": code,
            "province_code": prov,
            "industry_code": industry,
            "filing_year": year,
            "recognition_year": year if status == "认定" else None,
            "status": status,
            "output_value": out,
            "sales_revenue": sales,
            "export_value": exp,
        }
        for p, code, prov, industry, year, status, out, sales, exp in spec
    ]


@pytest.fixture()
def products() -> pd.DataFrame:
    return typed_products(pd.DataFrame(_rows()))


def test_rounds_summary(products):
    table = ind.rounds_summary(products).set_index("filing_year")
    assert table.loc[2023, ["filed", "recognised", "not_passed", "pending", "enterprises"]].tolist() == [4, 3, 1, 0, 2]
    assert table.loc[2024, ["filed", "recognised", "not_passed", "pending", "enterprises"]].tolist() == [5, 3, 1, 1, 2]
    assert table.loc[2023, "pass_rate_pct"] == pytest.approx(75.0)  # 3 of 4 decided
    assert table.loc[2024, "pass_rate_pct"] == pytest.approx(75.0)  # 3 of 4 decided, 1 pending left out
    assert table.loc[2023, ["output_value", "sales_revenue", "export_value"]].tolist() == [350, 320, 35]
    assert table.loc[2024, ["output_value", "sales_revenue", "export_value"]].tolist() == [590, 550, 100]
    assert table.loc[2024, "output_growth_pct"] == pytest.approx((590 / 350 - 1) * 100)  # 68.57
    assert table.loc[2024, "sales_growth_pct"] == pytest.approx(71.875)  # 550 / 320
    assert table.loc[2024, "export_growth_pct"] == pytest.approx((100 / 35 - 1) * 100)  # 185.71
    assert table.loc[2024, "recognised_growth_pct"] == pytest.approx(0.0)
    assert table.loc[2024, "export_intensity_pct"] == pytest.approx(100 / 550 * 100)  # 18.18
    assert math.isnan(table.loc[2023, "output_growth_pct"])


def test_panel_growth_separates_the_same_products_from_entrants(products):
    table = ind.panel_growth(products, 2024).set_index("scope")
    # panel = A and B: output 300 → 290, sales 270 → 270, exports 10 → 30
    assert table.loc["panel", ["products_previous", "products"]].tolist() == [2, 2]
    assert table.loc["panel", ["output_value_previous", "output_value"]].tolist() == [300, 290]
    assert table.loc["panel", "output_growth_pct"] == pytest.approx(-10 / 300 * 100)  # −3.33
    assert table.loc["panel", "sales_growth_pct"] == pytest.approx(0.0)
    assert table.loc["panel", "export_growth_pct"] == pytest.approx(200.0)
    # all products grew 68.57 % only because D entered (300) and C left (50)
    assert table.loc["all", "output_growth_pct"] == pytest.approx(240 / 350 * 100)
    assert table.loc["entrants", ["products", "output_value"]].tolist() == [1, 300]
    assert table.loc["exits", ["products_previous", "output_value_previous"]].tolist() == [1, 50]
    # the decomposition adds up: all = panel + entrants − exits
    change = table.loc["all", "output_value"] - table.loc["all", "output_value_previous"]
    assert change == (290 - 300) + 300 - 50
    assert table["round"].unique().tolist() == [2024] and table["previous_round"].unique().tolist() == [2023]


def test_panel_growth_without_a_previous_round(products):
    table = ind.panel_growth(products, 2023).set_index("scope")
    assert table.loc["panel", "products"] == 0 and math.isnan(table.loc["all", "output_growth_pct"])


def test_a_product_recognised_once_and_not_passed_later_leaves_the_panel(products):
    changed = products.copy()
    changed.loc[(changed["product_id"] == "B") & (changed["filing_year"] == 2024), ["status", "recognition_year"]] = [
        "未通过",
        pd.NA,
    ]
    table = ind.panel_growth(changed, 2024).set_index("scope")
    assert table.loc["panel", "products"] == 1  # only A
    assert table.loc["panel", "output_growth_pct"] == pytest.approx(10.0)  # 100 → 110


def test_breakdowns(products):
    prov = ind.breakdown(products, 2024, "province_code").set_index("province_code")
    assert prov.loc["44", ["products", "enterprises", "output_value"]].tolist() == [2, 1, 290]
    assert prov.loc["32", ["products", "enterprises", "output_value"]].tolist() == [1, 1, 300]
    assert prov.loc["44", "province"] == "广东省"
    assert prov.loc["44", "output_share_pct"] == pytest.approx(290 / 590 * 100)
    assert prov.loc["32", "export_intensity_pct"] == pytest.approx(25.0)  # 70 / 280
    section = ind.breakdown(products, 2024, "section").set_index("section")
    assert section.loc["C", "products"] == 2 and section.loc["I", "products"] == 1  # 6510 is section I
    assert section.loc["I", "section_name"] == "信息传输、软件和信息技术服务业"
    division = ind.breakdown(products, 2024, "division").set_index("division")
    assert division.loc["34", "division_name"] == "通用设备制造业" and division.loc["39", "output_value"] == 180
    with pytest.raises(ValueError, match="breakdown must be one of"):
        ind.breakdown(products, 2024, "city")


def test_breakdown_contributions(products):
    cells = ind.breakdown_contributions(products, 2024, "province_code", "products").set_index("province_code")
    assert cells.loc["44"].tolist() == [2, 1, 2, 0]  # value, enterprises, largest, second
    cells = ind.breakdown_contributions(products, 2023, "province_code", "output_value").set_index("province_code")
    assert cells.loc["44"].tolist() == [300, 1, 300, 0]


def _many() -> pd.DataFrame:
    """Province 44: three enterprises of equal size; 32: one enterprise; 11: four small enterprises."""
    rows = []
    firms = {
        "44": ["914403001922038216", "91350100M000100Y43", "91110000100017643K"],
        "32": ["91320000000000000X"],
        "11": ["911100000000000011", "911100000000000022", "911100000000000033", "911100000000000044"],
    }
    n = 0
    for prov, firm_codes in firms.items():
        for code in firm_codes:
            code = format_credit_code(code[:17])
            n += 1
            value = {"44": 100.0, "32": 500.0, "11": 10.0}[prov]
            rows.append(
                {
                    "product_id": f"P{n}",
                    "product_name": "x",
                    "enterprise_name": code,
                    "credit_code": code,
                    "province_code": prov,
                    "industry_code": "39",
                    "filing_year": 2024,
                    "recognition_year": 2024,
                    "status": "认定",
                    "output_value": value,
                    "sales_revenue": value,
                    "export_value": 0.0,
                }
            )
    return typed_products(pd.DataFrame(rows))


def test_protect_breakdown_suppresses_single_enterprise_money_with_partners():
    products = _many()
    table = ind.breakdown(products, 2024, "province_code")
    published, record = ind.protect_breakdown(table, products, 2024, "province_code")
    pub = published.set_index("province_code")
    assert list(pub.index) == ["11", "32", "44", ""]  # by code, 合计 last: no ranking
    # product and enterprise counts are public (the recognised products are published)
    assert pub["products"].tolist() == [4, 1, 3, 8] and pub["enterprises"].notna().all()
    # 32 has one enterprise: its output and sales are primary; the τ-ARGUS protection level (dominance:
    # 100/85 · 500 − 500 = 88.2 up and down) needs more than 11's 40 万元 below it, so 44 goes too
    assert pd.isna(pub.loc["32", "output_value"]) and pd.isna(pub.loc["32", "output_share_pct"])
    assert pd.isna(pub.loc["32", "sales_revenue"]) and pd.isna(pub.loc["32", "export_intensity_pct"])
    assert pub[["output_value"]].iloc[:-1].isna().sum().iloc[0] >= 2
    assert pub.loc["", ["province", "products", "output_value"]].tolist() == ["合计", 8, 840]  # true totals
    assert pub.loc["", "enterprises"] == 8 and pub.loc["", "export_intensity_pct"] == 0
    # exports are 0 everywhere: no enterprise contributes, nothing to protect
    assert pub["export_value"].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert record["audit_pass"] and record["primary"] == 2 and record["contributors"].startswith("enterprises")
    primary = [c for c in record["suppressed"] if c["status"] == "primary"]
    assert {(c["row"], c["col"]) for c in primary} == {("32", "output_value"), ("32", "sales_revenue")}
    assert all(c["achieved"] == {"upper": "≥ UPL", "lower": "≥ LPL"} for c in primary)
    # with rules that protect nothing every cell is published
    loose = {"min_contributors": 1, "dominance_k": 100, "p_percent": 0}
    published, record = ind.protect_breakdown(table, products, 2024, "province_code", loose)
    assert record["primary"] == 0 and published["output_value"].notna().all() and len(published) == 4


def _patents() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "application_number": ["P1", "P2", "P3", "P4"],
            "patent_type": ["发明", "实用新型", "发明", "实用新型"],
            "grant_date": pd.to_datetime(["2019-05-01", "2020-01-01", "2025-01-10", "2021-12-31"]),
            "lapse_date": pd.to_datetime([None, "2024-06-01", None, "2025-03-01"]),
        }
    )


def _links() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": ["A", "A", "B", "B", "D"],
            "application_number": ["P1", "P2", "P1", "P3", "P4"],
            "role": ["core", "other", "other", "core", "core"],
        }
    )


def test_valid_at_year_end_boundaries():
    patents = pd.DataFrame(
        {
            "grant_date": pd.to_datetime(["2024-12-31", "2024-01-01", "2024-01-01", None, "2025-01-01"]),
            "lapse_date": pd.to_datetime([None, "2024-12-31", "2025-01-01", None, None]),
        }
    )
    assert ind.valid_at_year_end(patents, 2024).tolist() == [True, False, True, False, False]


def test_patent_indicators(products):
    table = ind.patent_indicators(products, _links(), _patents()).set_index("filing_year")
    # 2024: products A, B, D; links A-P1, A-P2, B-P1, B-P3, D-P4; distinct P1–P4
    row = table.loc[2024]
    assert row[["products", "products_with_patents", "links", "patents"]].tolist() == [3, 3, 5, 4]
    assert row["patents_per_product"] == pytest.approx(5 / 3)
    assert row["core_per_product"] == pytest.approx(1.0)  # A-P1, B-P3, D-P4
    assert row["invention_share_pct"] == pytest.approx(50.0)  # P1, P3
    assert row["valid_year_end"] == 2  # P1, P4 (P2 lapsed, P3 granted 2025)
    assert row["valid_share_pct"] == pytest.approx(50.0)
    # 2023: products A, B, C (C has no link); distinct P1, P2, P3; valid at 2023 end: P1, P2
    row = table.loc[2023]
    assert row[["products", "products_with_patents", "links", "patents", "valid_year_end"]].tolist() == [3, 2, 4, 3, 2]
    assert row["patents_per_product"] == pytest.approx(4 / 3)
    assert row["valid_share_pct"] == pytest.approx(200 / 3)


def test_technology_categories(products):
    classified = pd.DataFrame(
        {
            "patent_id": ["P1", "P1", "P4", "P9"],
            "category": ["1.1", "2.1", "1.2", "1.1"],
            "match": ["confirmed", "IPC-only", "IPC-only", "confirmed"],
        }
    )
    top = pd.Series({"1.1": "1", "1.2": "1", "2.1": "2"})
    names = pd.Series({"1": "新一代信息技术产业", "2": np.nan})
    table = ind.technology_categories(products, _links(), classified, 2024, top, names).set_index("category")
    assert table.index.tolist() == ["1", "2", "*"]
    assert table.loc["1", ["patents", "products", "products_confirmed"]].tolist() == [2, 3, 2]  # P1,P4; A,B,D; A,B
    assert table.loc["1", "patents_share_pct"] == pytest.approx(50.0)
    assert table.loc["1", "products_share_pct"] == pytest.approx(100.0)
    assert table.loc["2", ["patents", "products", "products_confirmed"]].tolist() == [1, 2, 0]
    assert table.loc["2", "category_name"] == "类别2（分类表未给出名称）"
    assert table.loc["*", "category_name"] == "合计（任一类别）"
    # a group the table leaves unnamed shows its named branches (System.display_names), as monitoring does:
    # the products text said 以第5类最多 of the green technology table
    shown = ind.technology_categories(
        products, _links(), classified, 2024, top, pd.Series({"1": "新一代信息技术产业", "2": "下设“储能”等3个分支"})
    ).set_index("category")
    assert shown.loc["2", "category_name"] == "第2类（下设“储能”等3个分支）"
    assert table.loc["*", ["patents", "products", "products_confirmed"]].tolist() == [2, 3, 2]
    assert table.loc["*", "products_confirmed_share_pct"] == pytest.approx(200 / 3)


def test_enterprise_concentration(products):
    table = ind.enterprise_concentration(products, 2024, top=(1, 5), min_contributors=1).set_index("measure")
    # 2024 output by enterprise: X = 110 + 180 = 290, Z = 300
    assert table.loc["output_value", "enterprises"] == 2
    assert table.loc["output_value", "top1_share_pct"] == pytest.approx(300 / 590 * 100)
    assert math.isnan(table.loc["output_value", "top5_share_pct"])  # 5 leaders of 2 enterprises
    assert table.loc["output_value", "hhi"] == pytest.approx((290 / 590 * 100) ** 2 + (300 / 590 * 100) ** 2)
    assert table.loc["products", "hhi"] == pytest.approx((200 / 3) ** 2 + (100 / 3) ** 2)  # X has 2 of 3
    assert table.loc["export_value", "top1_share_pct"] == pytest.approx(70 / 100 * 100)  # Z 70 of 100


def test_top_shares_that_would_disclose_an_enterprise_are_withheld():
    values = [50.0, 40.0, 30.0, 20.0, 10.0, 5.0, 4.0, 3.0]
    rows = [
        {
            "product_id": f"P{i}",
            "product_name": "x",
            "enterprise_name": f"E{i}",
            "credit_code": format_credit_code(f"9111000000000{i:04d}"),
            "province_code": "11",
            "industry_code": "39",
            "filing_year": 2024,
            "recognition_year": 2024,
            "status": "认定",
            "output_value": v,
            "sales_revenue": v,
            "export_value": 0.0,
        }
        for i, v in enumerate(values)
    ]
    table = ind.enterprise_concentration(typed_products(pd.DataFrame(rows)), 2024, top=(1, 3, 5, 6))
    out = table.set_index("measure").loc["output_value"]
    assert math.isnan(out["top1_share_pct"])  # one enterprise
    assert out["top3_share_pct"] == pytest.approx(120 / 162 * 100)
    assert out["top5_share_pct"] == pytest.approx(150 / 162 * 100)  # 3 others remain
    assert math.isnan(out["top6_share_pct"])  # the 2 others could be worked out
    assert table.set_index("measure").loc["export_value", "enterprises"] == 0


def test_export_intensity():
    assert ind.export_intensity(25.0, 100.0) == pytest.approx(25.0)
    assert math.isnan(ind.export_intensity(1.0, 0.0))
    out = ind.export_intensity(pd.Series([1.0, 2.0]), pd.Series([4.0, 0.0]))
    assert out.iloc[0] == pytest.approx(25.0) and math.isnan(out.iloc[1])


def test_sensitive_totals_of_a_region(products):
    # province 32: 2023 one enterprise (Y, product C), 2024 one enterprise (Z, product D): every money total
    # with a positive amount has a single contributor
    region = products[products["province_code"] == "32"]
    flagged = ind.sensitive_totals(region, (2023, 2024))
    assert flagged == [
        "output_value 2023",
        "sales_revenue 2023",
        "export_value 2023",
        "output_value 2024",
        "sales_revenue 2024",
        "export_value 2024",
    ]
    assert ind.sensitive_totals(region, (2024,), {"min_contributors": 1, "dominance_k": 100, "p_percent": 0}) == []
    withheld = ind.withhold_money(ind.rounds_summary(region))
    assert withheld["output_value"].isna().all() and withheld["recognised"].tolist() == [1, 1]
