"""Identification to the official standard (#23): both criteria by default, the patent-using average, owner-based
attribution among co-applicants, a 小类 concordance, the comparison with an official list, bad inputs — each
on constructed data whose answer is computed by hand in the comments."""

from pathlib import Path

import pandas as pd
import pytest

from ipstats.pii import compute_identification
from ipstats.pii.identify import (
    DEFAULTS,
    compare_official,
    identify,
    patents_by_industry,
    protect_identification,
    read_applicant_industry,
    read_ipc_industry_concordance,
    read_official_list,
    roll_up,
    sensitivity,
)

DATA = Path(__file__).with_name("data")
OFFICIAL = DATA / "pii_official_list_handmade.csv"  # hand-made, not the official list (data/README.md)
NAMES = pd.Series(dict(zip("ABCDEFG", "甲乙丙丁戊己庚")))


def _industries():
    #            patents  employment  intensity per 10,000
    # A            120      2,000        600
    # B              8        100        800   (intense, but 8 < 10 patents)
    # C             50      5,000        100
    # D              0.4   12,000          0.33 (a sliver: not a patent-using industry)
    # E             30        400        750
    # F             40        500        800
    # G             20      1,000        200
    patents = pd.DataFrame({"industry": list("ABCDEFG"), "patents": [120.0, 8.0, 50.0, 0.4, 30.0, 40.0, 20.0]})
    employment = pd.DataFrame(
        {"industry": list("ABCDEFG"), "employment": [2000.0, 100.0, 5000.0, 12000.0, 400.0, 500.0, 1000.0]}
    )
    return patents, employment


def test_both_criteria_and_the_patent_using_average_by_default():
    patents, employment = _industries()
    res = identify(patents, employment, names=NAMES)
    # all industries: 268.4 patents / 21,000 employed = 127.81 per 10,000; patent-using (≥ 1 patent: all but D):
    # 268 / 9,000 = 297.78 — the default threshold, different from the all-industry average
    assert res.average_all_per_10k == pytest.approx(268.4 / 21_000 * 10_000)
    assert res.average_users_per_10k == pytest.approx(268 / 9_000 * 10_000)
    assert res.threshold == "users" and res.threshold_per_10k == pytest.approx(297.777778)
    t = res.table.set_index("industry")
    assert not t.at["D", "patent_using"] and t["patent_using"].sum() == 6
    # intensity ≥ 297.78: A, B, E, F; scale (≥ 10 patents, ≥ 0.001 % of 21,000 = 0.21 persons) removes B
    assert res.intensive == ["A", "E", "F"]
    assert t.at["B", "meets_intensity"] and not t.at["B", "meets_scale"]
    assert t.at["B", "reason"] == "密集度800.00≥门槛297.78；发明专利8.0件<规模门槛10件；从业人员100人≥规模门槛0.2人"
    assert not t.at["G", "meets_intensity"] and t.at["G", "meets_scale"]
    assert res.parameters["employment_floor"] == pytest.approx(0.21)
    assert DEFAULTS["min_patents"][0] == 10 and DEFAULTS["user_min_patents"][0] == 1


def test_employment_scale_absolute_and_as_a_share():
    patents, employment = _industries()
    # 500 persons: E (400) fails the scale; F (500) meets it exactly
    assert identify(patents, employment, min_employment=500, names=NAMES).intensive == ["A", "F"]
    # 2.5 % of 21,000 = 525: F fails too; the larger of the two floors applies
    res = identify(patents, employment, min_employment=100, min_employment_share_pct=2.5, names=NAMES)
    assert res.parameters["employment_floor"] == pytest.approx(525.0) and res.intensive == ["A"]
    # the all-industry average (127.81) lets G (200) in
    assert identify(patents, employment, threshold="all", names=NAMES).intensive == ["A", "E", "F", "G"]
    # user_min_patents 25: users A, C, E, F = 240 / 7,900 = 303.80
    res = identify(patents, employment, user_min_patents=25, names=NAMES)
    assert res.threshold_per_10k == pytest.approx(240 / 7_900 * 10_000)
    with pytest.raises(ValueError, match="min_patents must be a number ≥ 0"):
        identify(patents, employment, min_patents=-1)


def test_sensitivity_rows_differ_between_the_two_averages():
    patents, employment = _industries()
    by_year = patents.assign(year=2022)
    emp = employment.rename(columns={"industry": "industry_code"}).assign(year=2022)
    summary, membership = sensitivity(by_year, emp, 2022, windows=(1,), names=NAMES)
    rows = summary.set_index("threshold")
    assert rows.at["all", "threshold_per_10k"] == pytest.approx(127.809524)
    assert rows.at["users", "threshold_per_10k"] == pytest.approx(297.777778)
    assert rows.at["all", "n_intensive"] == 4 and rows.at["users", "n_intensive"] == 3
    assert rows.at["users", "left"] == 1 and rows["n_patent_using"].tolist() == [6, 6]
    assert membership.set_index("industry").loc["G"].iloc[1:].tolist() == [True, False]


@pytest.fixture
def register(write_register):
    """The toy register: four invention grants of 2022 and a utility model (not counted)."""
    rows = [
        ("CN202110000001.6", "发明", "2022-03-01", "G06F3/01;H04L9/00", "甲公司;乙公司"),
        ("CN202110000002.0", "发明", "2022-05-01", "G06F3/01", "甲公司;张三"),
        ("CN202110000003.5", "发明", "2022-06-01", "A61K31/00", "丙公司"),
        ("CN202110000005.4", "发明", "2022-07-01", "A61B5/00;A61K31/00", "乙公司；甲公司；丙公司"),
        ("CN202120000004.5", "实用新型", "2021-08-01", "A61B5/00", "甲公司"),
    ]
    frame = pd.DataFrame(rows, columns=["application_number", "patent_type", "grant_date", "ipc", "applicants"])
    frame["applicant_name"] = frame["applicants"].str.split("[;；]").str[0]
    return {
        "applicants": write_register(frame),
        "first_only": write_register(frame.drop(columns="applicants"), "register_first.csv"),
    }


def _applicant_table(tmp_path):
    path = tmp_path / "applicant_industry.csv"
    path.write_text(
        "applicant,industry_code,industry_name,weight\n甲公司,C3911,计算机整机制造,1\n"
        "乙公司,3911,计算机整机制造,0.6\n乙公司,6513,应用软件开发,0.4\n丙公司,2710,化学药品原料药制造,1\n",
        encoding="utf-8",
    )
    return path


def test_owner_attribution_fractional_among_co_applicants(tmp_path, register):
    cube = patents_by_industry(
        register["applicants"], [2022], applicants=_applicant_table(tmp_path), applicant_column="applicants"
    )
    got = cube.set_index("industry")["patents"]
    # P1 甲 ½ + 乙 ½×0.6 → 3911 0.8, 6513 0.2; P2 甲 ½ (张三's ½ goes to no industry); P3 丙 1;
    # P4 (full-width ；) ⅓ each: 3911 ⅓ + 0.2, 6513 0.1333, 2710 ⅓
    assert got["3911"] == pytest.approx(0.8 + 0.5 + 1 / 3 + 0.2)
    assert got["6513"] == pytest.approx(0.2 + 0.4 / 3)
    assert got["2710"] == pytest.approx(1 + 1 / 3)
    assert cube.attrs["classification"] == "GB/T 4754-2017" and cube.attrs["method"] == "applicants"
    assert cube.attrs["counted"] == {2022: 4.0} and cube.attrs["attributed_pct"][2022] == pytest.approx(87.5)
    # rolled up: 大类 39, 65, 27; 门类 C (39 + 27) and I (65)
    up = patents_by_industry(
        register["applicants"],
        [2022],
        applicants=_applicant_table(tmp_path),
        applicant_column="applicants",
        level="门类",
    ).set_index("industry")["patents"]
    assert up.to_dict() == pytest.approx({"C": 1.8333333 + 1.3333333, "I": 0.3333333})
    # the first applicant only (the demo register's column): P4 goes to 乙 alone
    first = patents_by_industry(register["applicants"], [2022], applicants=_applicant_table(tmp_path))
    assert first.set_index("industry")["patents"]["6513"] == pytest.approx(0.4)
    with pytest.raises(ValueError, match="not applicants and concordance|give one attribution"):
        patents_by_industry(register["applicants"], [2022], applicants=_applicant_table(tmp_path), concordance="x.csv")


def test_a_concordance_at_class_level_with_and_without_weights(tmp_path, register):
    plain = tmp_path / "ipc_industry.csv"
    plain.write_text(
        "industry_code,industry_name,ipc\n3911,计算机整机制造,G06F*\n3921,通信系统设备制造,H04L*\n"
        "2710,化学药品原料药制造,A61K31*\n3581,医疗诊断、监护及治疗设备制造,A61B*\n",
        encoding="utf-8",
    )
    got = patents_by_industry(register["first_only"], [2022], concordance=plain)
    # membership: P1 → 3911, 3921 (½ each); P2 → 3911; P3 → 2710; P4 → 3581, 2710 (½ each)
    assert got.set_index("industry")["patents"].to_dict() == {"3911": 1.5, "3921": 0.5, "2710": 1.5, "3581": 0.5}
    assert read_ipc_industry_concordance(plain).category_names()["3581"] == "医疗诊断、监护及治疗设备制造"
    weighted = tmp_path / "ipc_industry_weighted.csv"
    weighted.write_text(
        "industry_code,ipc,weight\n3911,G06F*,0.8\n6513,G06F*,0.2\n3921,H04L*,1\n2710,A61K31*,1\n3581,A61B*,1\n",
        encoding="utf-8",
    )
    got = patents_by_industry(register["first_only"], [2022], concordance=weighted)
    # P(industry | IPC range), averaged over a patent's ranges: P1 ½ G06F* + ½ H04L* → 3911 0.4, 6513 0.1, 3921 0.5;
    # P2 → 3911 0.8, 6513 0.2; P3 → 2710; P4 → 3581 ½, 2710 ½
    assert got.set_index("industry")["patents"].to_dict() == pytest.approx(
        {"3911": 1.2, "6513": 0.3, "3921": 0.5, "2710": 1.5, "3581": 0.5}
    )
    up = patents_by_industry(register["first_only"], [2022], concordance=weighted, level="大类")
    assert up.set_index("industry")["patents"].to_dict() == pytest.approx({"39": 1.7, "65": 0.3, "27": 1.5, "35": 0.5})
    assert roll_up(pd.Series(["3911", "C39", "391"]), "大类").tolist() == ["39", "39", "39"]
    with pytest.raises(ValueError, match="is a 大类: it cannot be given at the finer level 小类"):
        roll_up(pd.Series(["39"]), "小类")
    with pytest.raises(ValueError, match="only GB/T 4754 codes"):
        patents_by_industry(register["first_only"], [2022], level="大类")


def _classes():
    patents = pd.DataFrame(
        {"industry": ["3911", "6513", "3440", "3921", "2710", "3581"], "patents": [100.0, 100.0, 100.0, 1.0, 1.0, 1.0]}
    )
    employment = pd.DataFrame({"industry": patents["industry"], "employment": 1000.0})
    # 303 patents / 6,000 employed = 505 per 10,000: the three classes with 1,000 per 10,000 are intensive
    return identify(patents, employment, names=pd.Series(dtype=str))


def test_comparison_with_an_official_list():
    res = _classes()
    assert res.intensive == ["3440", "3911", "6513"]
    official = read_official_list(OFFICIAL)
    cmp = compare_official(res, official)
    assert cmp.level == "小类"
    assert cmp.agreed == ["3911", "6513"] and cmp.only_identified == ["3440"]
    assert cmp.only_official == ["2710", "3581", "3921"]
    t = cmp.table.set_index("industry")
    assert t.at["3581", "partial"] and t.at["3581", "categories"] == "医药医疗产业"
    assert (
        t.at["3921", "industry_name"] == "通信系统设备制造"
        and t.at["3440", "agreement"] == "差异：仅本次识别为专利密集型"
    )
    cats = cmp.by_category.set_index("category_code")
    assert cats[["official", "identified"]].to_dict("index") == {
        "01": {"official": 2, "identified": 1},
        "02": {"official": 1, "identified": 1},
        "05": {"official": 2, "identified": 0},
    }
    assert (
        cmp.key_numbers().splitlines()[0]
        == "与官方分类比较（小类）：一致 2 个，仅本次识别 1 个，仅官方分类 3 个；重合度 33.3 %"
    )


def test_comparison_at_division_level_and_refused_for_nace():
    patents = pd.DataFrame({"industry": ["39", "34", "65", "27"], "patents": [100.0, 100.0, 1.0, 1.0]})
    res = identify(
        patents, pd.DataFrame({"industry": patents["industry"], "employment": 1000.0}), names=pd.Series(dtype=str)
    )
    cmp = compare_official(res, read_official_list(OFFICIAL))
    # official 小类 rolled up: 39 (3911, 3921), 65, 27, 35 (3581, partly)
    assert cmp.level == "大类" and cmp.agreed == ["39"] and cmp.only_identified == ["34"]
    assert cmp.only_official == ["27", "35", "65"]
    assert cmp.table.set_index("industry").at["39", "official_classes"] == 2
    with pytest.raises(ValueError, match="the identification is in NACE Rev.2: no comparison"):
        compare_official(res, read_official_list(OFFICIAL), "NACE Rev.2")


def test_protection_keeps_the_public_patent_column():
    patents, employment = _industries()
    res = identify(patents, employment, names=NAMES)
    published, record = protect_identification(
        res.table, pd.DataFrame(columns=["industry", "applicant", "patents"]), None, res.parameters
    )
    p = published.set_index("industry")
    assert p["patents"].tolist() == [120.0, 8.0, 50.0, 0.4, 30.0, 40.0, 20.0]  # register counts: public
    assert p["employment"].isna().all() and p["intensity_per_10k"].isna().all()  # census employment: withheld
    assert p.at["B", "reason"] == "密集度达到门槛；发明专利8.0件<规模门槛10件；从业人员达到规模门槛0.2人"
    assert record["primary"] == 0 and record["withheld_columns"] == ["employment", "intensity_per_10k"]


def test_orchestrator_with_owner_attribution_and_the_official_list(tmp_path, register):
    employment = tmp_path / "employment.csv"
    rows = [
        (code, year, emp)
        for code, emp in (("3911", 200), ("6513", 3000), ("2710", 100), ("3581", 400))
        for year in (2021, 2022)
    ]
    pd.DataFrame(rows, columns=["industry_code", "year", "employment"]).to_csv(employment, index=False)
    view = compute_identification(
        register["applicants"],
        employment,
        2022,
        1,
        applicants=_applicant_table(tmp_path),
        applicant_column="applicants",
        min_patents=1,
        official_list=OFFICIAL,
        sensitivity_windows=(1,),
    )
    # 3911 1.8333 / 200, 6513 0.3333 / 3000, 2710 1.3333 / 100, 3581 none; users (≥ 1): 3911, 2710 →
    # 3.1667 / 300 = 105.56 per 10,000: 2710 (133.3) is intensive, 3911 (91.7) not
    assert view.result.intensive == ["2710"]
    assert view.result.threshold_per_10k == pytest.approx(3.1666667 / 300 * 10_000)
    assert view.attributed_pct == pytest.approx(87.5) and view.classification == "GB/T 4754-2017"
    assert view.result.table.set_index("industry").at["3911", "industry_name"] == "计算机整机制造"
    # one industry with employment is left out of the users' average (6513 below 1 patent; 3581 has none)... two:
    # the threshold stays published
    assert not view.threshold_withheld and "105.56" in view.key_numbers()
    assert view.comparison.agreed == ["2710"] and view.comparison.only_official == ["3581", "3911", "3921", "6513"]
    nace = compute_identification(
        register["applicants"], employment, 2022, 1, min_patents=1, official_list=OFFICIAL, sensitivity_windows=(1,)
    )
    assert nace.comparison is None and "NACE Rev.2: no comparison" in nace.comparison_note


def test_bad_inputs_give_one_line(tmp_path, register):
    bad = tmp_path / "ipc_industry.csv"
    bad.write_text("industry_code,ipc\n3911,G06F*\n39X1,H04L*\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        read_ipc_industry_concordance(bad)
    line = str(err.value)
    assert "\n" not in line and "ipc_industry.csv:3: industry_code: '39X1' — expected text matching" in line
    partly = tmp_path / "partly.csv"
    partly.write_text("industry_code,ipc,weight\n3911,G06F*,0.5\n3921,H04L*,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"partly.csv: row 3, field weight: empty while other rows give a weight"):
        read_ipc_industry_concordance(partly)
    weights = tmp_path / "applicants.csv"
    weights.write_text("applicant,industry_code,weight\n乙公司,3911,0.6\n乙公司,6513,0.3\n", encoding="utf-8")
    with pytest.raises(
        ValueError,
        match=r"applicants.csv: row 2, field weight: the weights of applicant '乙公司' add up "
        r"to 0.9; expected 1",
    ):
        read_applicant_industry(weights)
    with pytest.raises(FileNotFoundError, match="official PII list file not found"):
        read_official_list(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="no column 'applicants' with the applicants"):
        patents_by_industry(
            register["first_only"], [2022], applicants=_applicant_table(tmp_path), applicant_column="applicants"
        )


def test_owner_column_codes_with_the_section_letter(write_register):
    frame = pd.DataFrame(
        {
            "application_number": ["CN202110000001.6", "CN202110000002.0"],
            "patent_type": "发明",
            "grant_date": "2022-03-01",
            "ipc": "G06F3/01",
            "applicant_name": "甲公司",
            "owner_industry": ["C3911;6513", "3911"],
        }
    )
    got = patents_by_industry(write_register(frame), [2022], industry_column="owner_industry", level="大类")
    # C3911 is 3911: ½ + 1 to 39, ½ to 65
    assert got.set_index("industry")["patents"].to_dict() == {"39": 1.5, "65": 0.5}
