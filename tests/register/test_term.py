"""The statutory term ends the year-end valid stock when an extract records no lapse (#16 item 4)."""

from __future__ import annotations

import pandas as pd

from ipstats.counting import count_valid_stock
from ipstats.products.indicators import valid_at_year_end
from ipstats.engines import connect
from ipstats.register.term import statutory_term, term_end, term_last_year_sql

# type, filing, grant, lapse: the last year-end each is in force, worked out by hand from 专利法第四十二条
CASES = [
    ("发明", "2004-01-02", "2007-05-01", None, 2023),  # ends 2024-01-01: in force on 2023-12-31
    ("发明", "2004-12-31", "2007-05-01", None, 2023),  # the term's last day is 2024-12-30
    ("发明", "2004-02-29", "2007-05-01", None, 2023),  # a 29 February start changes no year
    ("实用新型", "2013-06-30", "2014-01-10", None, 2022),
    ("外观设计", "2021-05-31", "2021-09-01", None, 2030),  # filed before the 2020 amendment: 10 years
    ("外观设计", "2021-06-01", "2021-09-01", None, 2035),  # filed from 2021-06-01: 15 years
    ("发明", "2004-01-02", "2007-05-01", "2012-03-01", 2011),  # a recorded lapse wins
    ("发明", "2004-01-02", "2007-05-01", "2026-03-01", 2025),  # ... also after the term (term compensation)
]


def _register() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "application_number": [f"CN{i}" for i in range(len(CASES))],
            "patent_type": [c[0] for c in CASES],
            "filing_date": pd.to_datetime([c[1] for c in CASES]),
            "grant_date": pd.to_datetime([c[2] for c in CASES]),
            "lapse_date": pd.to_datetime([c[3] for c in CASES]),
        }
    )


def test_terms_come_from_the_register_schema():
    years, since = statutory_term()
    assert years == {"发明": 20, "实用新型": 10, "外观设计": 10}
    assert since == (("2021-06-01", {"外观设计": 15}),)


def test_last_year_in_force_sql_and_pandas_agree_with_hand_results():
    register = _register()
    con = connect()
    con.register("r", register)
    sql = con.execute(f"SELECT coalesce(year(r.lapse_date) - 1, {term_last_year_sql('r')}) FROM r").fetchall()
    assert [row[0] for row in sql] == [c[4] for c in CASES]
    ends = term_end(register["patent_type"], register["filing_date"])
    assert ends.iloc[0] == pd.Timestamp("2024-01-02") and ends.iloc[2] == pd.Timestamp("2024-02-29")
    assert ends.iloc[5] == pd.Timestamp("2036-06-01")
    for i, case in enumerate(CASES):
        row = register.iloc[[i]]
        assert valid_at_year_end(row, case[4]).item(), case
        assert not valid_at_year_end(row, case[4] + 1).item(), case


def test_valid_stock_ends_at_the_term():
    register = _register().assign(province_code="44", legal_status="有效", applicant_type="企业")
    con = connect()
    con.register("register", register)
    years = sorted({c[4] for c in CASES} | {c[4] + 1 for c in CASES})
    cube = count_valid_stock(con, years, by=())
    got = cube.set_index("year")["count"].reindex(years, fill_value=0).to_dict()
    expected = {y: sum(1 for c in CASES if int(c[2][:4]) <= y <= c[4]) for y in years}
    assert got == expected
    assert got[2024] == 3  # the compensated invention and both 2021 designs
    assert got[2031] == 1 and got[2036] == 0  # then only the design filed under the 15-year term
