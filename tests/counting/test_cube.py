"""The counting cube on tiny registers whose answers are computed by hand, and against pandas on the demo."""

import pandas as pd
import pytest

from ipstats.concordance import classify, classify_frame
from ipstats.counting import CountSpec, count

# number, type, filing, priority, publication, grant, lapse, province, applicant type, title, IPC codes
ROWS = [
    (
        "P1",
        "发明",
        "2022-03-01",
        "2021-06-01",
        "2023-09-01",
        "2023-12-31",
        None,
        "11",
        "企业",
        "一种电视机",
        "H04N3/00;H04N5/00;H04N1/00",
    ),  # two codes in field 2 (count once), one in 3
    (
        "P2",
        "发明",
        "2021-05-05",
        "2021-05-05",
        "2022-11-05",
        "2022-06-01",
        "2023-12-31",
        "11",
        "高校",
        "一种药物",
        "A61K31/00",
    ),  # lapsed on 31 Dec 2023: not valid at end-2023
    (
        "P3",
        "发明",
        "2021-05-05",
        "2020-12-01",
        "2022-11-05",
        "2022-06-01",
        "2024-01-01",
        "44",
        "企业",
        "一种药物组合物",
        "A61K31/00;H04N1/00",
    ),  # lapsed the day after: valid at end-2023
    (
        "P4",
        "实用新型",
        "2023-01-01",
        "2023-01-01",
        "2023-08-01",
        "2023-08-01",
        None,
        "44",
        "企业",
        "一种充电桩",
        "B60L53/00",
    ),
    ("P5", "实用新型", "2023-12-31", "2023-12-31", None, None, None, "44", "个人", "一种装置", "B60L80/00"),
    ("P6", "外观设计", "2022-12-31", "2022-12-31", None, None, "2023-05-01", "32", "企业", "手机", None),
]


@pytest.fixture()
def register(tmp_path):
    cols = [
        "application_number",
        "patent_type",
        "filing_date",
        "priority_date",
        "publication_date",
        "grant_date",
        "lapse_date",
        "province_code",
        "applicant_type",
        "title",
        "ipc",
    ]
    reg = pd.DataFrame(ROWS, columns=cols)
    for col in [c for c in cols if c.endswith("_date")]:
        reg[col] = pd.to_datetime(reg[col]).dt.date
    reg["legal_status"] = "有效"
    path = tmp_path / "register.parquet"
    reg.to_parquet(path)
    links = reg[["application_number", "ipc"]].dropna().assign(ipc=lambda d: d["ipc"].str.split(";")).explode("ipc")
    links.assign(seq=1).to_parquet(tmp_path / "register_ipc.parquet")
    return path


def cube_dict(cube, *keys, value="count"):
    key = (lambda r: r[keys[0]]) if len(keys) == 1 else (lambda r: tuple(r[k] for k in keys))
    return {key(r): r[value] for _, r in cube.iterrows()}


def test_flows_by_reference_date(register):
    def by(date):
        return cube_dict(count(register, CountSpec(years=(2020, 2021, 2022, 2023), reference_date=date)), "year")

    assert by("filing") == {2021: 2, 2022: 2, 2023: 2}
    assert by("priority") == {2020: 1, 2021: 2, 2022: 1, 2023: 2}
    assert by("publication") == {2022: 2, 2023: 2}
    grants = count(register, CountSpec(measure="grants", years=(2022, 2023)))
    assert cube_dict(grants, "year") == {2022: 2, 2023: 2}


def test_valid_stock_at_year_end(register):
    cube = count(register, CountSpec(measure="valid_stock", years=(2022, 2023, 2024), by=("patent_type",)))
    assert cube_dict(cube, "year", "patent_type") == {
        (2022, "发明"): 2,
        (2023, "发明"): 2,
        (2023, "实用新型"): 1,
        (2024, "发明"): 1,
        (2024, "实用新型"): 1,
    }
    assert set(cube["reference_date"]) == {"31 December"}


def test_patent_types_and_region(register):
    cube = count(register, CountSpec(years=(2023,), patent_types=("实用新型",), region="44", by=("applicant_type",)))
    assert cube_dict(cube, "applicant_type") == {"企业": 1, "个人": 1}


def test_whole_fractional_and_dedupe(register):
    cube = count(register, CountSpec(measure="valid_stock", years=(2023,), system="wipo_fields_2019"))
    # valid at end-2023: P1 (fields 2 twice, 3), P3 (16, 3), P4 (32); P1 counts once in field 2
    assert cube_dict(cube, "category") == {"2": 1, "3": 2, "16": 1, "32": 1}
    assert cube_dict(cube, "category", value="fractional") == {"2": 0.5, "3": 1.0, "16": 0.5, "32": 1.0}
    assert cube["fractional"].sum() == pytest.approx(3)  # three valid patents
    assert cube.loc[cube["category"] == "2", "category_name"].iloc[0] == "音像技术"


def test_rollup_to_sectors(register):
    cube = count(register, CountSpec(measure="valid_stock", years=(2023,), system="wipo_fields_2019", level=1))
    assert cube_dict(cube, "category") == {"S1": 2, "S3": 1, "S4": 1}  # electrical, chemistry, mechanical
    assert cube_dict(cube, "category", value="fractional") == {"S1": 1.5, "S3": 0.5, "S4": 1.0}


def test_keyword_counts_side_by_side(register):
    """新三样 in 2023 (P4 一种充电桩 B60L53/00, P5 一种装置 B60L80/00), worked out from rules.csv by hand.

    P4 meets rule 1.2.1.1#2 (B60L*, keywords 电动汽车…) and 1.3.1#1 (B60L53*, keyword 充电设备), P5 only
    1.2.1.1#2: B60L80/00 is not under B60L8* (main group 8), so 1.1 and 1.2.1.2 stay empty. Neither title
    holds a keyword, so every match is IPC-only: the upper bound (``confirm``) counts 2 + 1, the table's own
    semantics and ``require`` count nothing.
    """
    cube = count(register, CountSpec(years=(2023,), system="cnipa_new_three_2024", keywords="confirm"))
    assert cube_dict(cube, "category") == {"1.2.1.1": 2, "1.3.1": 1}
    assert cube_dict(cube, "category", value="count_ipc_only") == {"1.2.1.1": 2, "1.3.1": 1}
    assert cube_dict(cube, "category", value="fractional") == {"1.2.1.1": 1.5, "1.3.1": 0.5}
    assert (cube["count"] == cube["count_confirmed"] + cube["count_ipc_only"] + cube["count_candidate"]).all()
    for keywords in ("require", "table"):
        assert count(register, CountSpec(years=(2023,), system="cnipa_new_three_2024", keywords=keywords)).empty


def test_a_keyword_in_the_title_confirms_the_rule():
    """The same P4 titled 一种充电设备 meets 1.3.1#1's keyword: keyword-confirmed, counted by the table's rules;
    1.2.1.1#2 (电动汽车…) stays IPC-only and is left out."""
    frame = pd.DataFrame({"patent_id": ["P4"], "ipc": ["B60L53/00"], "title": ["一种充电设备"]})
    table, _ = classify_frame(frame, "cnipa_new_three_2024", keywords="table")
    assert table[["patent_id", "category", "match"]].values.tolist() == [["P4", "1.3.1", "keyword-confirmed"]]
    upper, _ = classify_frame(frame, "cnipa_new_three_2024", keywords="confirm")
    assert dict(zip(upper["category"], upper["match"])) == {"1.2.1.1": "IPC-only", "1.3.1": "keyword-confirmed"}


def test_probabilistic_counts(register):
    cube = count(register, CountSpec(measure="valid_stock", years=(2023,), system="isi_nace2"))
    assert cube["fractional"].sum() == pytest.approx(3)
    assert cube["count"].isna().all()  # whole counts are not defined


def test_parquet_output(register, tmp_path):
    out = tmp_path / "cube" / "stock.parquet"
    cube = count(register, CountSpec(measure="valid_stock", years=(2023,), system="wipo_fields_2019"), out=out)
    pd.testing.assert_frame_equal(pd.read_parquet(out), cube)


@pytest.mark.parametrize(
    "spec, message",
    [
        (CountSpec(measure="stock", years=(2023,)), "measure must be one of"),
        (CountSpec(years=()), "at least one year"),
        (CountSpec(years=(2023,), reference_date="decision"), "reference_date must be one of"),
        (CountSpec(measure="valid_stock", years=(2023,), reference_date="grant"), "takes no reference_date"),
        (CountSpec(years=(2023,), patent_types=("PCT",)), "patent_types"),
        (CountSpec(years=(2023,), by=("year",)), "breakdown columns"),
        (CountSpec(years=(2023,), level=1), "level needs a classification system"),
    ],
)
def test_spec_errors(spec, message):
    with pytest.raises(ValueError, match=message):
        spec.validate()


@pytest.mark.parametrize(
    "system",
    [
        "wipo_fields_2019",
        "cnipa_sei_2021",
        "cnipa_digital_tech_2023",
        "cnipa_green_tech",
        "cnipa_new_three_2024",
        "wipo_green_inventory",
        "isi_nace2",
    ],
)
def test_cube_equals_pandas_on_the_demo_register(small_demo, system):
    """The compressed SQL cube equals a direct pandas count of the per-patent classification."""
    register = small_demo["register"]
    cube = count(
        register,
        CountSpec(measure="applications", years=tuple(range(2014, 2025)), system=system, by=("province_code",)),
    )
    per_patent, _ = classify(register, system, keywords="table")  # the counting default
    reg = pd.read_parquet(register, columns=["application_number", "filing_date", "province_code"])
    reg["year"] = pd.to_datetime(reg["filing_date"]).dt.year
    merged = per_patent.merge(reg, left_on="patent_id", right_on="application_number")
    merged = merged[merged["year"].between(2014, 2024)]
    # first applicants from 港澳台 and abroad have no province: a group of their own, as in the cube
    expected = (
        merged.groupby(["year", "province_code", "category"], dropna=False)
        .agg(count=("patent_id", "size"), fractional=("weight", "sum"))
        .reset_index()
    )
    got = cube.set_index(["year", "province_code", "category"]).sort_index()
    expected = expected.set_index(["year", "province_code", "category"]).sort_index()
    assert got.index.equals(expected.index)
    assert (got["fractional"] - expected["fractional"]).abs().max() < 1e-9
    if system != "isi_nace2":
        assert (got["count"] == expected["count"]).all()
        confirmed = merged[merged["match"].isin(["confirmed", "keyword-confirmed"])]
        assert got["count_confirmed"].sum() == len(confirmed)
