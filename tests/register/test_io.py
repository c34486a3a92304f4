import pandas as pd
import pytest

from ipstats.register.io import RegisterError, open_register, read_population


def test_open_parquet_and_csv_agree(small_demo, tmp_path):
    reg = pd.read_parquet(small_demo["register"])
    csv = tmp_path / "register.csv"
    reg.to_csv(csv, index=False)
    a = (
        open_register(small_demo["register"])
        .execute("SELECT patent_type, count(*), count(grant_date), max(lapse_date) FROM register GROUP BY 1 ORDER BY 1")
        .fetchall()
    )
    b = (
        open_register(csv)
        .execute("SELECT patent_type, count(*), count(grant_date), max(lapse_date) FROM register GROUP BY 1 ORDER BY 1")
        .fetchall()
    )
    assert a == b


def test_missing_file_and_columns(tmp_path):
    with pytest.raises(RegisterError, match="register file not found"):
        open_register(tmp_path / "nope.parquet")
    bad = tmp_path / "bad.csv"
    bad.write_text("application_number,patent_type\nCN1,发明\n", encoding="utf-8")
    with pytest.raises(RegisterError, match=r"bad.csv:1: filing_date: \(no column\) — expected a column filing_date"):
        open_register(bad)
    other = tmp_path / "x.json"
    other.write_text("x")
    with pytest.raises(RegisterError, match="unsupported file type '.json' — expected .csv, .xlsx or .parquet"):
        open_register(other)


def test_read_population_errors(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("province_code,year,population_10k\n11,2023,2186\n44,2023,abc\n", encoding="utf-8")
    with pytest.raises(RegisterError, match=r"pop.csv:3: population_10k: 'abc' — expected a number$"):
        read_population(path)
    path.write_text("province_code,year\n11,2023\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="pop.csv:1: population_10k: \\(no column\\)"):
        read_population(path)
    # what validate refuses is refused here too (the reader used to pad '1' to '01' silently)
    path.write_text("province_code,year,population_10k\n1,2023,5\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="pop.csv:2: province_code: '1' — expected one of 11, 12"):
        read_population(path)
    # GBK with Chinese headers, full-width digits in a code: read as validate reads them
    path.write_text("省份代码,年份,年末常住人口（万人）\n１１,2023,2186\n44,2023,12706\n", encoding="gbk")
    table = read_population(path)
    assert table["province_code"].tolist() == ["11", "44"]
    assert table["year"].tolist() == [2023, 2023] and table["population_10k"].tolist() == [2186.0, 12706.0]
