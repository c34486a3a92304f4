"""每万人口高价值发明专利拥有量 (#19): each criterion on hand-made cases, scope, per-capita arithmetic, the demo."""

from __future__ import annotations

import pandas as pd
import pytest

from ipstats import reference
from ipstats.indicators import high_value as hv
from ipstats.indicators.high_value_inputs import (
    PLEDGEE_TYPES,
    AWARDS,
    families_from_frame,
    pledges_from_frame,
    read_awards,
    read_families,
    read_pledges,
)
from ipstats.register.appno import format_application_number

COLUMNS = hv.criteria_columns()
#: SEI 2021 rule 1.1#5: H04L5* with the keyword condition 互联网接入及相关服务 (no rule without keywords covers it).
SEI_IPC, SEI_TITLE = "H04L5/00", "一种用于互联网接入及相关服务的方法"


def number(serial: int, year: int = 2012) -> str:
    return format_application_number(year, 1, serial)


def register_row(
    serial: int,
    filing: str,
    grant: str,
    *,
    year: int | None = None,
    origin: str = "11",
    applicant_type: str = "企业",
    title: str = "一种装置",
    ipc: str = "A01B1/00",
) -> dict:
    """A granted, valid invention of a first applicant from *origin* (a province, 港澳台 code or country)."""
    province = origin if origin.isdigit() and origin not in ("71", "81", "82") else ""
    return {
        "application_number": number(serial, year or int(filing[:4])),
        "patent_type": "发明",
        "filing_date": filing,
        "grant_date": grant,
        "legal_status": "有效",
        "lapse_date": "",
        "ipc_main": ipc,
        "ipc": ipc,
        "applicant_name": f"申请人{serial}",
        "applicant_type": applicant_type,
        "province_code": province,
        "origin_code": origin,
        "title": title,
        "abstract": title,
    }


def write_population(path, value: float = 2.0) -> str:
    codes = reference.provinces()["province_code"]
    rows = [{"province_code": c, "year": y, "population_10k": value} for c in codes for y in (2022, 2023)]
    pd.DataFrame(rows).to_csv(path, index=False)
    return str(path)


def run(tmp_path, rows: list[dict], **inputs) -> hv.HighValue:
    register = tmp_path / "hand_register.csv"
    pd.DataFrame(rows).to_csv(register, index=False)
    paths = {}
    for key, frame in inputs.items():
        if isinstance(frame, pd.DataFrame):
            paths[key] = tmp_path / f"{key}.csv"
            frame.to_csv(paths[key], index=False)
        else:
            paths[key] = frame
    return hv.compute_high_value(register, write_population(tmp_path / "pop.csv"), 2023, **paths)


def met(result: hv.HighValue, criterion: str) -> int:
    return int(result.criteria.set_index("criterion").at[criterion, "count"])


# ------------------------------------------------------------------ criteria on hand-made cases


def test_maintained_boundary_of_ten_years(tmp_path):
    rows = [
        register_row(1, "2013-12-31", "2016-05-01"),  # exactly 10 years at 2023-12-31: not more
        register_row(2, "2013-12-30", "2016-05-01"),  # 10 years and a day
        register_row(3, "2014-06-01", "2016-05-01"),
    ]
    result = run(tmp_path, rows)
    assert met(result, "maintained") == 1
    assert result.overlaps["count"].sum() == 1
    by_grant = hv.compute_high_value(
        tmp_path / "hand_register.csv", tmp_path / "pop.csv", 2023, rules={"maintained_from": "grant"}
    )
    assert met(by_grant, "maintained") == 0  # granted 2016: 7 years
    assert "自授权公告日起" in " ".join(by_grant.notes)
    assert "自申请日起" in " ".join(result.notes)


def test_maintained_sql_at_the_day():
    import duckdb

    con = duckdb.connect()
    frame = pd.DataFrame({"filing_date": pd.to_datetime(["2013-12-31", "2013-12-30", "2012-02-29"])})
    con.register("r", frame)
    got = con.execute(f"SELECT {hv.maintained_sql(2023)} FROM r").fetchall()
    assert [g[0] for g in got] == [False, True, True]


def test_family_member_lapsed_abroad_does_not_count():
    families = families_from_frame(
        pd.DataFrame(
            {
                "application_number": [number(1), number(2), number(3), number(4), number(5), number(6)],
                "family_id": ["F1", "F2", "F3", "F4", "F5", "F6"],
                "office": ["US", "EP", "JP", "WO", "CN", "KR"],
                "grant_date": ["2018-01-05", "2019-03-01", "2020-01-01", "2019-01-01", "2016-01-01", "2024-02-01"],
                "lapse_date": ["2023-06-30", "", "2024-01-15", "", "", ""],
            }
        )
    )
    assert list(hv.family_patents(families, 2023)) == [number(2), number(3)]  # US lapsed in 2023; KR later
    assert list(hv.family_patents(families, 2022)) == [number(1), number(2), number(3)]
    # a member ceasing on 31 December is no longer in force at that year end
    families.loc[0, "lapse_date"] = pd.Timestamp("2022-12-31")
    assert number(1) not in set(hv.family_patents(families, 2022))


def test_pledge_below_at_and_above_the_threshold():
    pledges = pledges_from_frame(
        pd.DataFrame(
            {
                "application_number": [number(1), number(2), number(3), number(4), number(5), number(5)],
                "date": ["2021-03-01", "2022-07-01", "2023-02-01", "2024-01-10", "2020-01-01", "2023-01-01"],
                "amount_10k_yuan": [999.9, 1000.0, 1500.0, 5000.0, 600.0, 600.0],
                "pledgee_type": ["银行", "银行", "担保机构", "银行", "银行", "银行"],
            }
        )
    )
    assert list(hv.pledge_patents(pledges, 2023)) == [number(2), number(3)]  # 999.9 below; 2024 too late
    assert list(hv.pledge_patents(pledges, 2023, aggregate="sum")) == [number(2), number(3), number(5)]
    assert list(hv.pledge_patents(pledges, 2023, threshold_10k_yuan=1200)) == [number(3)]
    assert list(hv.pledge_patents(pledges, 2023, pledgee_types=("银行",))) == [number(2)]


def test_award_counts_from_its_year():
    awards = pd.DataFrame(
        {
            "award": ["中国专利奖", "国家科学技术奖"],
            "grade": ["金奖", ""],
            "year": [2023, 2024],
            "application_number": [number(1), number(2)],
        }
    )
    assert list(hv.award_patents(awards, 2023)) == [number(1)]
    assert list(hv.award_patents(awards, 2024)) == [number(1), number(2)]


def test_patent_meeting_three_criteria_counts_once(tmp_path):
    rows = [
        register_row(1, "2012-05-01", "2015-01-01", title=SEI_TITLE, ipc=SEI_IPC),
        register_row(2, "2019-05-01", "2021-01-01"),
    ]
    families = pd.DataFrame(
        {
            "application_number": [number(1, 2012), number(1, 2012)],
            "family_id": ["F", "F"],
            "office": ["US", "JP"],
            "grant_date": ["2016-01-01", "2017-01-01"],
            "lapse_date": ["", ""],
        }
    )
    pledges = pd.DataFrame(
        {
            "application_number": [number(1, 2012)],
            "date": ["2022-01-01"],
            "amount_10k_yuan": [10.0],
            "pledgee_type": ["银行"],
        }
    )  # below the threshold
    result = run(tmp_path, rows, patent_families=families, patent_pledges=pledges)
    criteria = result.criteria.set_index("criterion")
    assert criteria.loc["sei", "count"] == 1, "the SEI table's keyword rule should classify patent 1"
    assert criteria.loc["family", "count"] == 1 and criteria.loc["maintained", "count"] == 1
    assert criteria.loc["pledge", "count"] == 0 and criteria.loc["award", "evaluated"] == "否"
    assert criteria.loc["any", "count"] == 1
    assert criteria.loc["sei", "only_this"] == 0
    assert result.overlaps["count"].tolist() == [1] and result.overlaps["criteria_met"].tolist() == [3]
    assert result.national.iloc[0]["count"] == 1 and result.national.iloc[1]["count"] == 2
    assert "获得国家科学技术奖或中国专利奖" in result.notes[-1]  # not evaluated: said in the notes


def test_sei_uses_the_table_rules_keyword_required(tmp_path):
    rows = [
        register_row(1, "2019-05-01", "2021-01-01", title=SEI_TITLE, ipc=SEI_IPC),
        register_row(2, "2019-05-01", "2021-01-01", title="一种装置", ipc=SEI_IPC),
    ]  # IPC alone: not SEI
    assert met(run(tmp_path, rows), "sei") == 1


# ------------------------------------------------------------------ scope


def test_hk_mo_tw_and_foreign_first_applicants_are_left_out(tmp_path):
    old = ("2010-03-01", "2012-01-01")  # maintained over 10 years: high value if in scope
    rows = [
        register_row(1, *old, origin="44"),
        register_row(2, *old, origin="81"),
        register_row(3, *old, origin="71"),
        register_row(4, *old, origin="JP"),
        register_row(5, *old, origin="US"),
    ]
    awards = pd.DataFrame(
        {
            "award": ["中国专利奖"] * 5,
            "grade": ["金奖"] * 5,
            "year": [2020] * 5,
            "application_number": [r["application_number"] for r in rows],
        }
    )
    result = run(tmp_path, rows, patent_awards=awards)
    assert result.national.iloc[0]["count"] == 1 and result.national.iloc[1]["count"] == 1
    assert met(result, "award") == 1 and met(result, "maintained") == 1
    provinces = result.provinces.set_index("province_code")
    assert provinces.at["44", "high_value"] == 1 and provinces["high_value"].sum() == 1


def test_unmatched_input_numbers_are_said(tmp_path):
    rows = [register_row(1, "2019-05-01", "2021-01-01")]
    awards = pd.DataFrame(
        {"award": ["中国专利奖"], "grade": ["优秀奖"], "year": [2022], "application_number": [number(99, 2015)]}
    )
    result = run(tmp_path, rows, patent_awards=awards)
    assert any("1个申请号不在专利登记数据中" in n for n in result.notes)


# ------------------------------------------------------------------ per-capita arithmetic


def cube(rows: list[tuple]) -> pd.DataFrame:
    """(province, applicant type, flags dict, count) → a criteria cube."""
    out = []
    for province, kind, flags, n in rows:
        out.append(
            {
                "year": 2023,
                "province_code": province,
                "applicant_type": kind,
                **{c: c in flags for c in COLUMNS},
                "count": n,
            }
        )
    return pd.DataFrame(out)


def test_per_capita_arithmetic():
    codes = reference.provinces()["province_code"].tolist()
    population = pd.DataFrame(
        [{"province_code": c, "year": y, "population_10k": pop} for c in codes for y, pop in ((2022, 4.0), (2023, 5.0))]
    )
    population.loc[(population["province_code"] == "11") & (population["year"] == 2023), "population_10k"] = 2.0
    now = cube(
        [
            ("11", "企业", {"hv_sei"}, 20),
            ("11", "高校", {"hv_sei", "hv_maintained"}, 10),
            ("11", "企业", set(), 20),
            ("44", "企业", {"hv_family"}, 5),
            ("44", "企业", set(), 45),
        ]
    )
    prev = cube([("11", "企业", {"hv_sei"}, 12), ("11", "企业", set(), 20), ("44", "企业", {"hv_family"}, 16)])
    national = hv.national_table(now, prev, population, 2023)
    total_pop, prev_pop = 2.0 + 30 * 5.0, 31 * 4.0
    row = national.iloc[0]
    assert row["count"] == 35 and row["count_previous"] == 28
    assert row["per_10k"] == pytest.approx(35 / total_pop)
    assert row["per_10k_previous"] == pytest.approx(28 / prev_pop)
    assert row["per_10k_change"] == pytest.approx(35 / total_pop - 28 / prev_pop)
    assert row["share_of_valid_pct"] == pytest.approx(35 / 100 * 100)
    assert row["growth_pct"] == pytest.approx(25.0)
    assert national.iloc[1]["per_10k"] == pytest.approx(100 / total_pop)  # the older indicator beside it

    provinces = hv.province_table(now, prev, population, 2023).set_index("province_code")
    assert len(provinces) == 31
    assert provinces.at["11", "per_10k"] == pytest.approx(30 / 2.0)
    assert provinces.at["11", "invention_per_10k"] == pytest.approx(50 / 2.0)
    assert provinces.at["44", "per_10k"] == pytest.approx(5 / 5.0)
    assert provinces.at["44", "per_10k_previous"] == pytest.approx(16 / 4.0)
    assert provinces.at["11", "rank"] == 1 and provinces.at["44", "rank"] == 2
    assert provinces.at["44", "rank_previous"] == 1 and provinces.at["44", "rank_change"] == -1
    assert provinces.at["11", "sei"] == 30 and provinces.at["11", "maintained"] == 10
    assert provinces.at["11", "high_value_share_pct"] == pytest.approx(60.0)

    one = hv.national_table(now, prev, population, 2023, region="44").iloc[0]
    assert one["per_10k"] == pytest.approx(1.0) and one["count"] == 5

    applicants = hv.applicant_type_table(now, prev).set_index("applicant_type")
    assert applicants.at["企业", "high_value"] == 25 and applicants.at["合计", "high_value"] == 35
    assert applicants.at["企业", "share_pct"] == pytest.approx(25 / 35 * 100)

    evaluated = dict.fromkeys(hv.CRITERIA, True)
    criteria = hv.criteria_table(now, prev, evaluated).set_index("criterion")
    assert criteria.at["sei", "count"] == 30 and criteria.at["sei", "only_this"] == 20
    assert criteria.at["any", "count"] == 35
    overlaps = hv.overlap_table(now)
    assert overlaps["count"].sum() == 35 and overlaps["count"].tolist() == [20, 10, 5]


def test_paragraph_numbers_come_from_the_tables():
    codes = reference.provinces()["province_code"].tolist()
    population = pd.DataFrame(
        [{"province_code": c, "year": y, "population_10k": 10.0} for c in codes for y in (2022, 2023)]
    )
    now = cube([("11", "企业", {"hv_sei"}, 118), ("11", "企业", set(), 166)])
    prev = cube([("11", "企业", {"hv_sei"}, 94), ("11", "企业", set(), 140)])
    national = hv.national_table(now, prev, population, 2023)
    criteria = hv.criteria_table(now, prev, {**dict.fromkeys(hv.CRITERIA, True), "award": False})
    provinces = hv.province_table(now, prev, population, 2023)
    text = hv.high_value_paragraph(national, criteria, provinces, hv.applicant_type_table(now, prev), 2023)
    per, per_prev = 118 / 310, 94 / 310
    assert f"每万人口高价值发明专利拥有量达到{per:.1f}件" in text
    assert f"较上年提高{round(round(per, 1) - round(per_prev, 1), 1):.1f}件" in text
    assert f"占有效发明专利的{118 / 284 * 100:.1f}%" in text
    assert "获得国家科学技术奖或中国专利奖未提供数据" in text
    assert "比重之和超过100%" not in text  # one criterion met: nothing overlaps, the shares do not exceed 100 %


def _paragraphs(now: pd.DataFrame, prev: pd.DataFrame) -> tuple[str, str]:
    codes = reference.provinces()["province_code"].tolist()
    population = pd.DataFrame(
        [{"province_code": c, "year": y, "population_10k": 10.0} for c in codes for y in (2022, 2023)]
    )
    tables = (
        hv.national_table(now, prev, population, 2023),
        hv.criteria_table(now, prev, dict.fromkeys(hv.CRITERIA, True)),
        hv.province_table(now, prev, population, 2023),
        hv.applicant_type_table(now, prev),
        2023,
    )
    return hv.high_value_paragraph(*tables), hv.high_value_paragraph(*tables, lang="en")


def test_shares_over_100_are_said_only_when_criteria_overlap():
    both = cube(
        [("11", "企业", {"hv_sei", "hv_family"}, 30), ("11", "企业", {"hv_sei"}, 20), ("11", "企业", set(), 50)]
    )
    zh, en = _paragraphs(both, both)
    assert "（一件专利可同时符合多项标准，比重之和超过100%）" in zh and "add up to more than 100%" in en
    apart = cube([("11", "企业", {"hv_family"}, 30), ("11", "企业", {"hv_sei"}, 20), ("11", "企业", set(), 50)])
    zh, en = _paragraphs(apart, apart)
    assert "比重之和" not in zh and "more than 100%" not in en  # 60.0 % + 40.0 %: exactly the whole
    none = cube([("11", "企业", set(), 50)])  # 西藏 in the CI bulletin: no high-value patent at all
    zh, en = _paragraphs(none, none)
    assert "每万人口高价值发明专利拥有量为0.0件" in zh and "per 10,000 people were 0.0" in en
    assert "比重之和" not in zh and "more than 100%" not in en


# ------------------------------------------------------------------ inputs


def test_pledges_from_a_legal_events_frame():
    events = pd.DataFrame(
        {
            "application_number": [number(1)],
            "date": ["2023-04-01"],
            "amount_10k_yuan": ["1200"],
            "pledgee_type": ["银行"],
            "event": ["质押"],
            "pledgor": ["某公司"],
        }
    )
    out = pledges_from_frame(events)
    assert list(out.columns) == ["application_number", "date", "amount_10k_yuan", "pledgee_type"]
    assert out["amount_10k_yuan"].iloc[0] == 1200.0
    with pytest.raises(ValueError, match="pledgee_type"):
        pledges_from_frame(events.assign(pledgee_type="银行们"))
    with pytest.raises(ValueError, match="missing column"):
        pledges_from_frame(events.drop(columns="date"))
    with pytest.raises(ValueError, match="application_number"):
        pledges_from_frame(events.assign(application_number="CN202310123456.1"))


def test_code_lists_match_the_schemas():
    from ipstats.validate.schema import load_schema

    assert tuple(load_schema("patent_pledges").field("pledgee_type").constraints["enum"]) == PLEDGEE_TYPES
    assert tuple(load_schema("patent_awards").field("award").constraints["enum"]) == AWARDS


def test_rules_are_checked():
    with pytest.raises(ValueError, match="maintained_from"):
        hv.HighValueRules(maintained_from="priority").validate()
    with pytest.raises(ValueError, match="keywords"):
        hv.HighValueRules(keywords="confirm").validate()


# ------------------------------------------------------------------ the demo


@pytest.fixture(scope="module")
def demo_result(small_demo):
    return hv.compute_high_value(
        small_demo["register"],
        small_demo["population"],
        2023,
        patent_families=small_demo["patent_families"],
        patent_pledges=small_demo["patent_pledges"],
        patent_awards=small_demo["patent_awards"],
    )


def test_demo_inputs_validate_and_name_register_patents(small_demo):
    register = set(pd.read_parquet(small_demo["register"], columns=["application_number"])["application_number"])
    for key, reader in (
        ("patent_families", read_families),
        ("patent_pledges", read_pledges),
        ("patent_awards", read_awards),
    ):
        table = reader(small_demo[key])
        assert len(table) > 0, key
        assert set(table["application_number"]) <= register, key


def test_demo_rates_are_realistic(demo_result):
    """CNIPA, end-2023: 41.5 % of domestic valid inventions are high value; the SEI criterion about 70 % of them."""
    headline = demo_result.national.iloc[0]
    assert 30 < headline["share_of_valid_pct"] < 55
    criteria = demo_result.criteria.set_index("criterion")
    assert 55 < criteria.at["sei", "share_of_high_value_pct"] < 85
    assert 0.5 < criteria.at["family", "share_of_valid_pct"] < 8
    assert 0 < criteria.at["pledge", "share_of_valid_pct"] < 3
    assert all(demo_result.criteria["evaluated"] == "是")


def test_demo_older_indicator_equals_the_overview(small_demo, demo_result):
    """每万人口发明专利拥有量 beside the new indicator is the overview's: its province table, counted its way."""
    from ipstats.counting import count_flows, count_valid_stock
    from ipstats.indicators.overview import province_table
    from ipstats.register.io import open_register, read_population

    con = open_register(small_demo["register"])
    con.execute("CREATE TEMP VIEW inventions AS SELECT * FROM register WHERE patent_type = '发明'")
    by, years = ("province_code",), [2022, 2023]
    overview = province_table(
        count_valid_stock(con, years, by=by, view="inventions"),
        count_flows(con, "applications", years, by=by, view="inventions"),
        count_flows(con, "grants", years, by=by, view="inventions"),
        read_population(small_demo["population"]),
        2023,
    ).set_index("province_code")
    ours = demo_result.provinces.set_index("province_code")
    pd.testing.assert_series_equal(
        ours["valid_invention_patents"], overview["valid_invention_patents"].reindex(ours.index), check_names=False
    )
    assert ours["invention_per_10k"].to_numpy() == pytest.approx(overview["per_10k"].reindex(ours.index).to_numpy())
    national = demo_result.national.iloc[1]
    assert national["per_10k"] == pytest.approx(
        overview["valid_invention_patents"].sum() / overview["population_10k"].sum()
    )


def test_demo_inputs_are_not_used_with_another_register(tmp_path, small_demo):
    rows = [register_row(1, "2019-05-01", "2021-01-01")]
    result = run(tmp_path, rows, patent_pledges=small_demo["patent_pledges"])
    assert result.evaluated["pledge"] is False
    assert any("演示数据" in n for n in result.notes)


def test_upset_chart_of_a_region_without_high_value_patents_says_so(tmp_path):
    # 西藏 in the CI bulletin: no high-value patent, and the chart drew empty axes from -1 to 4
    from ipstats.bulletin.record import figure_has_data
    from ipstats.indicators.high_value_figures import criteria_upset

    (tmp_path / "one").mkdir()
    (tmp_path / "none").mkdir()
    drawn = run(tmp_path / "one", [register_row(1, "2012-05-01", "2015-01-01", title=SEI_TITLE, ipc=SEI_IPC)])
    fig = criteria_upset(drawn.overlaps, drawn.criteria, "t")
    assert figure_has_data(fig) and not fig.layout.annotations
    (counts,) = fig.select_xaxes(row=2, col=1)  # the patents meeting each criterion: 2,000 as on the bars above
    assert counts.separatethousands and counts.autorange == "reversed"
    none = run(tmp_path / "none", [register_row(2, "2019-05-01", "2021-01-01")])
    assert none.criteria.set_index("criterion").loc["any", "count"] == 0
    fig = criteria_upset(none.overlaps, none.criteria, "t")
    assert not figure_has_data(fig) and "无高价值发明专利" in fig.layout.annotations[0].text
