"""Build the calendar tables of ``ipstats/reference/data/``: Spring Festival dates and China's working days.

Run from the project root (the two PyPI packages are needed by this script only; ipstats reads the CSVs)::

    .venv/bin/python -m pip install lunardate==0.3.0 lunar-python==1.4.8 chinesecalendar==1.11.0
    .venv/bin/python scripts/build_calendar.py

Outputs (committed; this script documents how they were made):

* ``spring_festival_1900_2099.csv`` — ``year``, ``spring_festival`` (正月初一, the first day of the lunar year,
  ISO date) and ``eve`` (除夕, the day before). Computed with ``lunardate`` 0.3.0 (tables of the Hong Kong
  Observatory calendar) and checked day by day against ``lunar-python`` 1.4.8 (an independent implementation,
  6tail/lunar); the script stops if they disagree on any year or if a known date is wrong.
* ``cn_workday_calendar_2004_2026.csv`` — the exceptions to the Monday–Friday week in the State Council's
  yearly holiday arrangements (国务院办公厅关于部分节假日安排的通知): ``date``, ``day_type`` (``休`` a rest day,
  ``班`` a make-up working day on a weekend, 调休上班), ``holiday`` (the festival, in Chinese) and ``in_lieu``
  (1 for a weekday that is a rest day only by a swap, 调休). A day not listed is a working day when it is
  Monday to Friday. From ``chinesecalendar`` 1.11.0 (transcribed from the notices; covers 2004–2026).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "ipstats" / "reference" / "data"
FESTIVAL_YEARS = range(1900, 2100)
#: Dates every Spring Festival table must reproduce (published calendars).
KNOWN = {2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29", 2000: "2000-02-05", 2008: "2008-02-07"}
#: Chinese names of chinesecalendar's holidays (as in the State Council notices).
HOLIDAY_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def spring_festivals() -> pd.DataFrame:
    from lunar_python import Lunar
    from lunardate import LunarDate

    rows = []
    for year in FESTIVAL_YEARS:
        day = LunarDate(year, 1, 1).to_solar_date()
        other = Lunar.fromYmd(year, 1, 1).getSolar().toYmd()
        if day.isoformat() != other:
            sys.exit(f"lunardate and lunar-python disagree on 正月初一 {year}: {day} vs {other}")
        rows.append({"year": year, "spring_festival": day.isoformat(), "eve": (day - dt.timedelta(days=1)).isoformat()})
    table = pd.DataFrame(rows)
    for year, date in KNOWN.items():
        found = table.loc[table["year"] == year, "spring_festival"].iloc[0]
        if found != date:
            sys.exit(f"正月初一 {year}: computed {found}, known {date}")
    return table


def workday_calendar() -> pd.DataFrame:
    from chinese_calendar import constants

    rows = [
        {
            "date": d.isoformat(),
            "day_type": "休",
            "holiday": HOLIDAY_ZH[getattr(h, "value", h)],
            "in_lieu": int(d in constants.in_lieu_days),
        }
        for d, h in constants.holidays.items()
    ]
    rows += [
        {"date": d.isoformat(), "day_type": "班", "holiday": HOLIDAY_ZH[getattr(h, "value", h)], "in_lieu": 0}
        for d, h in constants.workdays.items()
    ]
    table = pd.DataFrame(rows).sort_values("date", ignore_index=True)
    if table["date"].duplicated().any():
        sys.exit(f"a day is both a holiday and a working day: {table.loc[table['date'].duplicated(), 'date'].tolist()}")
    years = pd.to_datetime(table["date"]).dt.year
    # checks against the notices: 2024 春节 2月10—17日 休, 2月4日（日）、18日（日）上班; 2025 春节 1月28日—2月4日 休
    checks = {
        "2024-02-10": "休",
        "2024-02-17": "休",
        "2024-02-04": "班",
        "2024-02-18": "班",
        "2025-01-28": "休",
        "2025-02-04": "休",
        "2025-01-26": "班",
        "2023-01-21": "休",
        "2023-01-27": "休",
        "2023-01-28": "班",
    }
    found = table.set_index("date")["day_type"]
    wrong = {d: found.get(d) for d, t in checks.items() if found.get(d) != t}
    if wrong:
        sys.exit(f"working-day calendar disagrees with the State Council notices: {wrong}")
    print(f"working-day exceptions {years.min()}–{years.max()}: {len(table)} days")
    return table


def main() -> None:
    festivals = spring_festivals()
    festivals.to_csv(DATA / "spring_festival_1900_2099.csv", index=False, lineterminator="\n")
    print(f"spring festivals {festivals['year'].min()}–{festivals['year'].max()}: {len(festivals)} years")
    workday_calendar().to_csv(DATA / "cn_workday_calendar_2004_2026.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
