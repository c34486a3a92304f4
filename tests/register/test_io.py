import pandas as pd
import pytest

from ipstats.register.io import RegisterError, open_register, read_population


def test_open_parquet_and_csv_agree(small_demo, tmp_path):
    reg = pd.read_parquet(small_demo["register"])
    csv = tmp_path / "register.csv"
    reg.to_csv(csv, index=False)
    a = open_register(small_demo["register"]).execute(
        "SELECT patent_type, count(*), count(grant_date), max(lapse_date) FROM register GROUP BY 1 ORDER BY 1").fetchall()
    b = open_register(csv).execute(
        "SELECT patent_type, count(*), count(grant_date), max(lapse_date) FROM register GROUP BY 1 ORDER BY 1").fetchall()
    assert a == b


def test_missing_file_and_columns(tmp_path):
    with pytest.raises(RegisterError, match="register file not found"):
        open_register(tmp_path / "nope.parquet")
    bad = tmp_path / "bad.csv"
    bad.write_text("application_number,patent_type\nCN1,发明\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="missing required column"):
        open_register(bad)
    other = tmp_path / "x.txt"
    other.write_text("x")
    with pytest.raises(RegisterError, match="expected a .parquet or .csv"):
        open_register(other)


def test_read_population_errors(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("province_code,year,population_10k\n11,2023,2186\n44,2023,abc\n", encoding="utf-8")
    with pytest.raises(RegisterError, match=r"row 3, field population_10k: 'abc'"):
        read_population(path)
    path.write_text("province_code,year\n11,2023\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="missing required column"):
        read_population(path)
    path.write_text("province_code,year,population_10k\n1,2023,5\n", encoding="utf-8")
    assert read_population(path)["province_code"].tolist() == ["01"]
