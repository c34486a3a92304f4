"""Product and link tables: one clear message per bad record, typed output, schemas in step with the code."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from ipstats.products.io import (
    LINK_FIELDS,
    PRODUCT_FIELDS,
    ROLES,
    STATUSES,
    ProductDataError,
    industry_division,
    normalize_application_number,
    read_links,
    read_products,
    validate_links,
    validate_products,
)

ROOT = Path(__file__).resolve().parents[2]
GOOD_CODE = "91350100M000100Y43"
OTHER_CODE = "914403001922038216"


def product(**changes) -> dict:
    row = {
        "product_id": "P1",
        "product_name": "数控机床",
        "enterprise_name": "甲公司",
        "credit_code": GOOD_CODE,
        "province_code": "35",
        "industry_code": "3421",
        "filing_year": "2024",
        "recognition_year": "2024",
        "status": "认定",
        "output_value": "1200.5",
        "sales_revenue": "1100",
        "export_value": "0",
    }
    row.update(changes)
    return row


def write(tmp_path: Path, rows: list[dict], name: str = "products.csv") -> Path:
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_valid_table_reads_typed(tmp_path):
    path = write(
        tmp_path,
        [
            product(),
            product(
                product_id="P2",
                credit_code=OTHER_CODE,
                province_code="44",
                industry_code="C39",
                status="未通过",
                recognition_year="",
            ),
        ],
    )
    table = read_products(path)
    assert list(table.columns[: len(PRODUCT_FIELDS)]) == list(PRODUCT_FIELDS)
    assert table["filing_year"].dtype == "Int64" and table["output_value"].dtype == float
    assert table["industry_code"].tolist() == ["3421", "39"]
    assert table["division"].tolist() == ["34", "39"] and table["section"].tolist() == ["C", "C"]
    assert pd.isna(table.at[1, "recognition_year"])


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"credit_code": "91350100M000100Y44"}, "credit_code", "check character is '4', expected '3'"),
        ({"output_value": "-5"}, "output_value", "expected a value ≥ 0"),
        ({"export_value": "abc"}, "export_value", "expected a number"),
        ({"province_code": "99"}, "province_code", "GB/T 2260"),
        ({"industry_code": "98"}, "industry_code", "GB/T 4754-2017"),
        ({"industry_code": "A39"}, "industry_code", "GB/T 4754-2017"),  # 39 is in section C, not A
        ({"status": "通过"}, "status", "expected one of 备案, 认定, 未通过"),
        ({"recognition_year": ""}, "recognition_year", "needs its recognition year"),
        ({"status": "未通过"}, "recognition_year", "expected empty"),
        ({"recognition_year": "2023"}, "recognition_year", "not before the filing year 2024"),
        ({"filing_year": "24"}, "filing_year", "4-digit year"),
        ({"enterprise_name": ""}, "enterprise_name", "a value is required"),
    ],
)
def test_one_message_per_bad_record(tmp_path, changes, field, words):
    path = write(tmp_path, [product(product_id="P0", credit_code=OTHER_CODE), product(**changes)])
    with pytest.raises(ProductDataError) as err:
        read_products(path)
    assert len(err.value.problems) == 1, err.value.problems
    message = err.value.problems[0]
    value = changes.get(field, product()[field])
    assert message.startswith(f"{path}: row 3, field {field}: {value!r} — ")
    assert words in message


def test_duplicate_product_id_in_a_round(tmp_path):
    path = write(
        tmp_path, [product(), product(product_name="别名"), product(filing_year="2023", recognition_year="2023")]
    )
    with pytest.raises(ProductDataError) as err:
        read_products(path)
    assert err.value.problems == [
        f"{path}: row 3, field product_id: 'P1' — duplicate product id in round 2024 "
        f"(first at row 2); expected one row per product and round"
    ]


def test_several_problems_are_all_reported_and_shortened(tmp_path):
    rows = [product(product_id=f"P{i}", output_value="-1") for i in range(25)]
    with pytest.raises(ProductDataError) as err:
        read_products(write(tmp_path, rows))
    assert len(err.value.problems) == 25
    assert str(err.value).splitlines()[-1] == "… and 5 more problem(s)"


def test_missing_file_and_columns(tmp_path):
    with pytest.raises(ProductDataError, match="product file not found"):
        read_products(tmp_path / "none.csv")
    assert validate_products(pd.DataFrame({"product_id": ["P1"]}), "x.csv")[0].startswith("x.csv: missing column(s)")


def test_parquet_rows_count_from_one(tmp_path):
    path = tmp_path / "products.parquet"
    pd.DataFrame([product(output_value=-3.0)]).to_parquet(path)
    with pytest.raises(ProductDataError, match=r"row 1, field output_value: '-3' — expected a value ≥ 0"):
        read_products(path)


def test_industry_division():
    assert industry_division("3911") == "39"
    assert industry_division("C391") == "39"
    assert industry_division("65") == "65"
    assert industry_division("I65") == "65"
    assert industry_division("C65") is None  # 65 belongs to section I
    assert industry_division("00") is None and industry_division("39111") is None


def test_normalize_application_number():
    assert normalize_application_number("201710601862.3") == "CN201710601862.3"
    assert normalize_application_number("zl201710601862.3") == "CN201710601862.3"
    assert normalize_application_number("CN201710601862.4") is None


def test_links_bad_records(tmp_path):
    products = read_products(write(tmp_path, [product()]))
    rows = [
        {"product_id": "P1", "application_number": "CN201710601862.3", "role": "core"},
        {"product_id": "P9", "application_number": "CN201710601862.3", "role": "other"},  # unknown product
        {"product_id": "P1", "application_number": "CN201710601863.4", "role": "other"},  # bad check digit
        {"product_id": "P1", "application_number": "CN201810601862.8", "role": "core"},  # not in the register
        {"product_id": "P1", "application_number": "201710601862.3", "role": "core"},  # duplicate link
        {"product_id": "P1", "application_number": "CN202010012345.4", "role": "main"},
    ]  # bad role
    path = write(tmp_path, rows, "links.csv")
    known = {"CN201710601862.3", "CN202010012345.4"}
    problems = validate_links(pd.read_csv(path, dtype=str), {"P1"}, known, source=str(path))
    fields = [p.split(", field ")[1].split(":")[0] for p in problems]
    rows_ = [int(p.split("row ")[1].split(",")[0]) for p in problems]
    assert rows_ == [3, 4, 5, 6, 7] and len(problems) == 5
    assert fields == ["product_id", "application_number", "application_number", "application_number", "role"]
    assert "expected the id of a product in the product table" in problems[0]
    assert "valid check character" in problems[1]
    assert "this application is not in it" in problems[2]
    assert "duplicate link of this product and patent (first at row 2)" in problems[3]
    assert "expected one of core, other" in problems[4]
    with pytest.raises(ProductDataError):
        read_links(path, products, register_numbers=known)


def test_links_checked_against_a_register_file(tmp_path, small_demo):
    register = pd.read_parquet(small_demo["register"], columns=["application_number"])
    products = read_products(write(tmp_path, [product()]))
    known = register["application_number"].iloc[0]
    path = write(
        tmp_path,
        [
            {"product_id": "P1", "application_number": known, "role": "core"},
            {"product_id": "P1", "application_number": "CN201710601862.3", "role": "other"},
        ],
        "l.csv",
    )
    with pytest.raises(ProductDataError) as err:
        read_links(path, products, register=small_demo["register"])
    assert len(err.value.problems) == 1 and "row 3, field application_number" in err.value.problems[0]
    links = read_links(
        write(tmp_path, [{"product_id": "P1", "application_number": known[2:], "role": "core"}], "ok.csv"),
        products,
        register=small_demo["register"],
    )
    assert links["application_number"].tolist() == [known]


def _schema(name: str) -> dict:
    return yaml.safe_load((ROOT / "data_schemas" / name).read_text(encoding="utf-8"))


def test_schemas_match_the_code():
    products = _schema("products.schema.yaml")
    assert [f["name"] for f in products["fields"]] == list(PRODUCT_FIELDS)
    status = next(f for f in products["fields"] if f["name"] == "status")
    assert tuple(status["constraints"]["enum"]) == STATUSES
    assert products["primaryKey"] == ["product_id", "filing_year"]
    links = _schema("product_patent_links.schema.yaml")
    assert [f["name"] for f in links["fields"]] == list(LINK_FIELDS)
    role = next(f for f in links["fields"] if f["name"] == "role")
    assert tuple(role["constraints"]["enum"]) == ROLES
    for schema in (products, links):
        for f in schema["fields"]:
            assert " / " in f["title"], f"{f['name']}: title needs Chinese / English"


def test_schema_province_enum_is_the_reference_list():
    from ipstats import reference

    field = next(f for f in _schema("products.schema.yaml")["fields"] if f["name"] == "province_code")
    assert sorted(field["constraints"]["enum"]) == sorted(reference.provinces()["province_code"])


def test_gbk_csv_excel_and_thousands_separators(tmp_path):
    rows = [
        product(output_value="1,200.5"),
        product(product_id="P2", output_value="", status="未通过", recognition_year=""),
    ]
    gbk = tmp_path / "gbk.csv"
    pd.DataFrame(rows).to_csv(gbk, index=False, encoding="gbk")
    table = read_products(gbk)
    assert table["enterprise_name"].iloc[0] == "甲公司"
    assert table["output_value"].iloc[0] == 1200.5 and pd.isna(table["output_value"].iloc[1])
    excel = tmp_path / "products.xlsx"
    pd.DataFrame([product(output_value="-1")]).to_excel(excel, index=False)
    with pytest.raises(ProductDataError, match=r"row 2, field output_value: '-1'"):
        read_products(excel)
    with pytest.raises(ProductDataError, match="expected a .csv, .xlsx or .parquet"):
        read_products(tmp_path / "x.json") if (tmp_path / "x.json").write_text("{}") else None


def test_recognised_products_need_their_figures(tmp_path):
    path = write(tmp_path, [product(sales_revenue="")])
    with pytest.raises(ProductDataError) as err:
        read_products(path)
    assert err.value.problems == [
        f"{path}: row 2, field sales_revenue: '' — a recognised (认定) product needs this figure (write 0 for none)"
    ]


def test_a_product_id_stays_with_one_enterprise(tmp_path):
    path = write(tmp_path, [product(filing_year="2023", recognition_year="2023"), product(credit_code=OTHER_CODE)])
    with pytest.raises(ProductDataError) as err:
        read_products(path)
    assert len(err.value.problems) == 1
    assert err.value.problems[0].startswith(
        f"{path}: row 3, field credit_code: '{OTHER_CODE}' — product P1 belongs to enterprise {GOOD_CODE} at row 2"
    )
