"""The English edition's paragraphs (``lang="en"``): written from the same numbers as the Chinese.

For each generator — the overview, the high-value indicator and domain monitoring — the English text of the
same inputs holds no Chinese (except the official names of categories a Chinese table names only in Chinese),
and every number it states is one the Chinese text states (compared as numbers: 1.23万 and 12,345 are the
same count rounded differently; a growth of 增长1.3倍 is 125.0 % in English releases).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipstats import reference
from ipstats.indicators import high_value as hv
from ipstats.indicators import monitoring as mon
from ipstats.indicators.narrative import join_en, ordinal, overview_paragraph, plural
from ipstats.indicators.overview import compute_overview
from ipstats.language import has_cjk

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "data" / "ci"
REGISTER, POPULATION = str(CI / "register.parquet"), str(CI / "population.csv")
HV_INPUTS = {
    "patent_families": str(CI / "patent_families.csv"),
    "patent_pledges": str(CI / "patent_pledges.csv"),
    "patent_awards": str(CI / "patent_awards.csv"),
}
CLOSED = {"confidentiality": {"register": "confidential"}}

# ------------------------------------------------------------------ what the checks compare

_EN_NUMBER = re.compile(r"(?<![0-9A-Za-z_.])(\d[\d,]*(?:\.\d+)?)(?:\s(million|billion))?")
_ZH_NUMBER = re.compile(r"(?<![0-9A-Za-z_.])(\d[\d,]*(?:\.\d+)?)(万|亿|倍)?")
_SCALE = {None: 1, "million": 1e6, "billion": 1e9, "万": 1e4, "亿": 1e8, "倍": 100}  # 增长1.3倍 = +130 %
#: Words around a number that are a unit's name, not a statistic: 每万人口 has no digits to compare with.
_NOT_STATISTICS = ("per 10,000 people",)


def numbers(text: str, lang: str) -> list[tuple[str, float, float]]:
    """Every number of *text*: (as written, value, half its last digit's unit — the rounding it carries)."""
    for words in _NOT_STATISTICS if lang == "en" else ():
        text = text.replace(words, "")
    out = []
    for match in (_EN_NUMBER if lang == "en" else _ZH_NUMBER).finditer(text):
        digits, unit = match.group(1).rstrip(","), match.group(2)
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        scale = _SCALE[unit]
        out.append((match.group(0), float(digits.replace(",", "")) * scale, 0.5 * 10**-decimals * scale))
    return out


def unstated(en: str, zh: str) -> list[str]:
    """The numbers of the English *en* that the Chinese *zh* does not state (equal within their roundings)."""
    stated = numbers(zh, "zh")
    return [
        token
        for token, value, half in numbers(en, "en")
        if not any(abs(value - v) <= 1e-9 or abs(value - v) < half + h - 1e-9 for _, v, h in stated)
    ]


def assert_same_numbers(en: str, zh: str, official_names: tuple[str, ...] = ()) -> None:
    """*en* is English (but for *official_names*) and states only numbers of *zh*."""
    assert en and not en.startswith(" ") and en.endswith("."), en
    bare = en
    for name in sorted(official_names, key=len, reverse=True):
        bare = bare.replace(name, "")
    assert not has_cjk(bare), f"Chinese left in the English text: {bare}"
    assert bare.isascii(), f"not plain ASCII: {[c for c in bare if not c.isascii()]}"
    missing = unstated(en, zh)
    assert not missing, f"numbers the Chinese text does not state: {missing}\nen: {en}\nzh: {zh}"


def test_the_checks_fail_on_a_number_the_chinese_does_not_state():
    assert unstated("up 5.2%, 1,234 patents, 12.35 million", "增长5.2%，1,234件，1234.56万件") == []
    assert unstated("up 5.3%", "增长5.2%") == ["5.3"]
    assert unstated("12,345 applications", "1.23万件") == []  # the same count, rounded to 万
    assert unstated("12,399 applications", "1.23万件") == ["12,399"]
    assert unstated("up 125.0%", "增长1.3倍") == [] and unstated("up 150.0%", "增长1.3倍") == ["150.0"]
    assert unstated("32.8 valid invention patents per 10,000 people", "每万人口发明专利拥有量32.8件") == []
    with pytest.raises(AssertionError, match="Chinese left"):
        assert_same_numbers("In 2023, 广东 filed 3.", "2023年，广东3件。")


def test_helpers():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 31, 112)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "31st",
        "112th",
    ]
    assert join_en(["a", "b", "c"]) == "a, b and c" and join_en(["a", "b"], "; ") == "a; and b"
    assert plural(1, "patent") == "patent" and plural(0, "patent") == "patents" and plural(2, "is", "are") == "are"


# ------------------------------------------------------------------ overview


def _summary(scale: int = 1) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patent_type": ["发明", "实用新型", "外观设计", "合计"],
            "applications": [300 * scale, 500 * scale, 200 * scale, 1000 * scale],
            "applications_growth_pct": [10.0, -5.0, 0.0, 1.0],
            "grants": [100 * scale, 400 * scale, 150 * scale, 650 * scale],
            "grants_growth_pct": [2.0, 3.0, 125.0, 3.2],
            "valid_stock": [1000 * scale, 2000 * scale, 500 * scale, 3500 * scale],
            "valid_stock_growth_pct": [8.0, 6.0, 1.0, 5.5],
        }
    )


PROVINCES = pd.DataFrame(
    {
        "province_code": ["11", "31", "32", "44"],
        "province": ["北京市", "上海市", "江苏省", "广东省"],
        "per_10k": [250.0, 140.0, 90.04, 80.0],
        "rank": [1, 2, 3, 4],
    }
)


def _both(*args, **kwargs) -> tuple[str, str]:
    return overview_paragraph(*args, **kwargs), overview_paragraph(*args, **kwargs, lang="en")


@pytest.mark.parametrize("scale", [1, 12_345])
def test_overview_national(scale):
    head = {"region_name": "全国", "per_10k": 30.456, "per_10k_previous": 28.0}
    zh, en = _both(_summary(scale), PROVINCES, 2023, "national", head)
    assert_same_numbers(en, zh)
    assert en.startswith(
        f"In 2023, {'1,000' if scale == 1 else '12.35 million'} patent applications were received in China"
    )
    assert "up 1.0% from the previous year" in en
    assert "there were 30.5 valid invention patents per 10,000 people, up 2.5 from the previous year" in en
    assert "were Beijing (250.0), Shanghai (140.0) and Jiangsu (90.0)." in en
    assert ("500 utility model applications" if scale == 1 else "2.47 million design applications") in en


def test_overview_growth_off_a_small_base_and_unchanged():
    summary = _summary()
    summary.loc[0, "applications"] = 9  # 4 → 9: growth off a handful is not quoted
    summary.loc[0, "applications_growth_pct"] = 125.0
    head = {"region_name": "广东省", "per_10k": 80.04, "per_10k_previous": 79.96}
    zh, en = _both(summary, PROVINCES, 2023, "44", head)
    assert_same_numbers(en, zh)
    assert "9 invention patent applications;" in en and "200 design applications, unchanged" in en
    assert "received in Guangdong" in en and "Guangdong had 3,500 valid patents" in en
    assert "per 10,000 people, unchanged from the previous year." in en  # 80.0 − 80.0 (持平)
    assert en.endswith("Guangdong ranked 4th in China in valid invention patents per 10,000 people.")


def test_overview_leaves_suppressed_cells_out():
    summary = _summary().astype({"applications": "Float64", "grants": "Float64", "valid_stock": "Float64"})
    summary.loc[1, ["applications", "applications_growth_pct"]] = np.nan
    summary.loc[0, ["grants", "grants_growth_pct", "valid_stock", "valid_stock_growth_pct"]] = np.nan
    provinces = PROVINCES.assign(rank=pd.array([pd.NA] * 4, dtype="Int64"))
    head = {"region_name": "广东省", "per_10k": 80.0, "per_10k_previous": math.nan}
    zh, en = _both(summary, provinces, 2023, "44", head)
    assert_same_numbers(en, zh)
    assert "utility model" not in en and "including" not in en
    assert "80.0 valid invention patents per 10,000 people." in en
    assert "rank of Guangdong in valid invention patents per 10,000 people is withheld" in en
    withheld = provinces.assign(per_10k=[250.0, 140.0, 90.0, np.nan])
    zh, en = _both(summary, withheld, 2023, "44", head)
    assert_same_numbers(en, zh)
    assert en.endswith("valid invention patents per 10,000 people are withheld under statistical disclosure control.")


def test_overview_of_one_application():
    summary = _summary().assign(applications=[1, 0, 0, 1], grants=[1, 0, 0, 1], valid_stock=[1, 0, 0, 1])
    zh, en = _both(summary, PROVINCES, 2023, "44", {"region_name": "广东省", "per_10k": 0.01, "per_10k_previous": 0.0})
    assert_same_numbers(en, zh)
    assert "1 patent application was received" in en and "1 patent was granted" in en
    assert "1 valid patent, including 1 valid invention patent;" in en


@pytest.fixture(scope="module")
def overviews() -> dict:
    runs = {"national": ("national", None), "44": ("44", None), "54 closed": ("54", CLOSED)}
    out = {}
    for key, (region, disclosure) in runs.items():
        zh = compute_overview(REGISTER, POPULATION, 2023, region, disclosure=disclosure)
        en = compute_overview(REGISTER, POPULATION, 2023, region, disclosure=disclosure, lang="en")
        out[key] = zh, en
    return out


@pytest.mark.parametrize("key", ["national", "44", "54 closed"])
def test_compute_overview_in_english(overviews, key):
    zh, en = overviews[key]
    assert_same_numbers(en.paragraph, zh.paragraph)
    assert en.summary.equals(zh.summary) and en.key_numbers() == zh.key_numbers()  # only the text changes
    assert has_cjk(zh.paragraph)
    if key == "national":
        assert "Of the invention patents granted, " in en.paragraph and "were foreign" in en.paragraph
        assert "counted on domestic (excluding Hong Kong, Macao and Taiwan) valid invention patents" in en.paragraph
    if key == "44":
        assert re.search(r"Guangdong ranked \d+(st|nd|rd|th) in China", en.paragraph)


def test_compute_overview_chinese_by_default_and_lang_checked(overviews):
    zh, _ = overviews["44"]
    assert compute_overview(REGISTER, POPULATION, 2023, "44", lang="zh").paragraph == zh.paragraph
    with pytest.raises(ValueError, match="lang must be one of"):
        compute_overview(REGISTER, POPULATION, 2023, "44", lang="fr")


# ------------------------------------------------------------------ high-value invention patents


def cube(rows: list[tuple]) -> pd.DataFrame:
    """(province, applicant type, flags, count) → a criteria cube (as in test_high_value.py)."""
    columns = hv.criteria_columns()
    return pd.DataFrame(
        [
            {"year": 2023, "province_code": p, "applicant_type": t, **{c: c in flags for c in columns}, "count": n}
            for p, t, flags, n in rows
        ]
    )


def _hv_tables(evaluated: dict | None = None):
    codes = reference.provinces()["province_code"].tolist()
    population = pd.DataFrame(
        [{"province_code": c, "year": y, "population_10k": 10.0} for c in codes for y in (2022, 2023)]
    )
    now = cube([("11", "企业", {"hv_sei"}, 118), ("11", "高校", {"hv_maintained"}, 1), ("11", "企业", set(), 166)])
    prev = cube([("11", "企业", {"hv_sei"}, 94), ("44", "企业", {"hv_sei"}, 200), ("11", "企业", set(), 140)])
    evaluated = evaluated or {**dict.fromkeys(hv.CRITERIA, True), "award": False}
    national = hv.national_table(now, prev, population, 2023)
    return (
        national,
        hv.criteria_table(now, prev, evaluated),
        hv.province_table(now, prev, population, 2023),
        hv.applicant_type_table(now, prev),
    )


def test_high_value_paragraph_in_english():
    tables = _hv_tables()
    zh, en = hv.high_value_paragraph(*tables, 2023), hv.high_value_paragraph(*tables, 2023, lang="en")
    assert_same_numbers(en, zh)
    assert en.startswith("At the end of 2023, China had 119 domestic (excluding Hong Kong, Macao and Taiwan) ")
    assert "down 59.5% from the previous year" in en and "per 10,000 people reached 0.4, down 0.5 from the" in en
    assert "1 had been maintained for more than 10 years (0.8%)" in en
    assert "No data were provided for National Science and Technology Awards" in en and "this criterion is" in en
    province = hv.high_value_paragraph(*tables, 2023, region="44", region_name="广东省", lang="en")
    assert_same_numbers(province, hv.high_value_paragraph(*tables, 2023, region="44", region_name="广东省"))
    assert "Guangdong ranked 2nd in China in high-value invention patents per 10,000 people, down 1 place" in province
    assert "provincial-level regions" not in province


@pytest.fixture(scope="module")
def high_values() -> dict:
    runs = {"national": ("national", HV_INPUTS), "44": ("44", HV_INPUTS), "54 no inputs": ("54", {})}
    return {
        key: (
            hv.compute_high_value(REGISTER, POPULATION, 2023, region, **inputs),
            hv.compute_high_value(REGISTER, POPULATION, 2023, region, **inputs, lang="en"),
        )
        for key, (region, inputs) in runs.items()
    }


@pytest.mark.parametrize("key", ["national", "44", "54 no inputs"])
def test_compute_high_value_in_english(high_values, key):
    zh, en = high_values[key]
    assert_same_numbers(en.paragraph, zh.paragraph)
    assert en.key_numbers() == zh.key_numbers() and en.notes == zh.notes  # CI printouts and notes stay Chinese
    if key == "54 no inputs":
        assert "these criteria are not counted" in en.paragraph
    else:
        assert "a patent may meet several criteria, so the shares add up to more than 100%" in en.paragraph


# ------------------------------------------------------------------ domain monitoring

MONITORING = {
    "sei": ("cnipa_sei_2021", "national", "table", "战略性新兴产业"),
    "green": ("cnipa_green_tech", "national", "table", "绿色技术"),
    "wipo confirm": ("wipo_fields_2019", "national", "confirm", "WIPO技术领域"),
    "digital 54": ("cnipa_digital_tech_2023", "54", "table", "关键数字技术"),
}


@pytest.fixture(scope="module")
def monitorings() -> dict:
    return {
        key: mon.compute_monitoring(REGISTER, 2023, system=system, region=region, keywords=keywords)
        for key, (system, region, keywords, _) in MONITORING.items()
    }


def _official_names(result: mon.Monitoring) -> tuple[str, ...]:
    """Chinese category names (and named branches) that have no English in their table."""
    names = set()
    for name in result.top["category_name"].dropna():
        names.update(re.findall(r"“([^”]+)”", name) or [name])
    return tuple(n for n in names if n not in result.category_names_en)


@pytest.mark.parametrize("key", list(MONITORING))
def test_monitoring_paragraph_in_english(monitorings, key):
    result, label = monitorings[key], MONITORING[key][3]
    zh, en = mon.monitoring_paragraph(result, label), mon.monitoring_paragraph(result, label, lang="en")
    assert_same_numbers(en, zh, _official_names(result))
    assert mon.monitoring_paragraph(result, label, lang="zh") == zh
    region = "Tibet" if key == "digital 54" else "China"
    assert f"invention patent applications in {mon.DOMAIN_LABELS_EN[label]} in {region}" in en
    default = mon.monitoring_paragraph(result, lang="en")  # the system's own name, in English where it has one
    assert_same_numbers(default, mon.monitoring_paragraph(result), _official_names(result))
    if key == "sei":
        assert "under the CNIPA concordance of strategic emerging industries and the IPC (2021, trial) in" in default
        assert "New-generation information technology (" in en  # the table's English category name
        assert "the upper bound is" in en and en.index("These counts follow") > en.index("valid patents")
    if key == "green":
        assert re.search(r'category \d+ \(branches "[^"]+", ', en)  # unnamed groups by their named branches
        assert _official_names(result)
    if key == "wipo confirm":
        assert "year on year." in en and "Electrical engineering" in en


def test_a_share_short_of_the_whole_is_not_written_as_the_whole(monitorings):
    """The WIPO fields take in nearly every invention: a share that would print as 100.0% while some patents are
    left out reads 99.9%以上 / over 99.9%, in both languages; a whole share stays 100.0%. The totals table keeps
    the share itself."""
    result = monitorings["wipo confirm"]
    zh, en = (
        mon.monitoring_paragraph(result, "WIPO技术领域"),
        mon.monitoring_paragraph(result, "WIPO技术领域", lang="en"),
    )
    short = 0
    for measure, of_zh, of_en in (
        ("applications", "发明专利申请总量的", "of all invention patent applications"),
        ("valid_stock", "发明专利有效量的", "of all valid invention patents"),
    ):
        row = result.total(measure)
        if row["patents"] == row["all_patents"]:
            assert f"{of_zh}100.0%" in zh and f"100.0% {of_en}" in en, measure
        else:
            assert 99.95 <= row["share_of_all_pct"] < 100, measure  # the CI register: a few without a code
            assert f"{of_zh}99.9%以上" in zh and f"over 99.9% {of_en}" in en, measure
            short += 1
    assert short, "the CI register should leave some valid inventions outside the WIPO fields"


def test_share_text_keeps_a_whole_and_a_nothing_for_what_they_are():
    assert [mon._share_text(v) for v in (12.34, 99.94, 99.96, 100.0, 0.0, 0.01, 0.05)] == [
        "12.3%",
        "99.9%",
        "99.9%以上",
        "100.0%",
        "0.0%",
        "不足0.1%",
        "0.1%",
    ]
    assert mon._share_text(99.99, "en") == "over 99.9%" and mon._share_text(0.001, "en") == "less than 0.1%"


def test_monitoring_label_without_english_stays_chinese(monitorings):
    result = monitorings["sei"]
    assert "in 测试领域 in China" in mon.monitoring_paragraph(result, "测试领域", lang="en")
    assert "in test domain in China" in mon.monitoring_paragraph(result, "test domain", lang="en")
    with pytest.raises(ValueError, match="绿色低碳技术专利分类体系"):  # the label check holds in English too
        mon.monitoring_paragraph(monitorings["green"], "绿色低碳技术", lang="en")


def test_categories_in_english():
    from types import SimpleNamespace

    names = SimpleNamespace(category_names_en={"人工智能": "Artificial intelligence", "储热设备": "Heat storage"})
    assert mon._category_text_en(names, "AI", "人工智能") == "Artificial intelligence"
    assert mon._category_text_en(names, "1.2", "智能电网") == "智能电网"  # no English: the official Chinese name
    assert mon._category_text_en(names, "5", None) == "category 5 (not named in the table)"
    assert mon._category_text_en(names, "5", "5（分类表未给出名称）") == "category 5 (not named in the table)"
    assert mon._category_text_en(names, "3", "下设“储热设备”") == 'category 3 (branch "Heat storage")'
    assert mon._category_text_en(names, "3", "下设“压缩空气”“储热设备”") == (
        'category 3 (branches "压缩空气" and "Heat storage")'
    )
    assert mon._category_text_en(names, "7", "下设“甲”“乙”“丙”等9个分支") == (
        'category 7 (branches "甲", "乙", "丙" and others, 9 in all)'
    )
