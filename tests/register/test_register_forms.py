"""One input path (issue 16): the demo register in every accepted form gives the same counts and overview tables
(national: 全国 = 国内（不含港澳台） + 港澳台 + 国外 included).

Forms: the generator's Parquet; UTF-8 CSV; GBK CSV with Chinese headers, every date form and extra columns (with a
GBK population file with Chinese headers); an .xlsx workbook with a title row. Before the one input path, the CSV
forms read Chinese dates as NULL (half the applications) or failed inside a notebook.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ipstats.counting import CountSpec, count
from ipstats.indicators.overview import compute_overview
from ipstats.validate import load_schema

DATE_FORMS = (
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: d.strftime("%Y.%m.%d"),
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: d.strftime("%Y%m%d"),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: d.strftime("%Y-%m-%d"),
)
DATES = ("filing_date", "priority_date", "publication_date", "grant_date", "lapse_date")


def _chinese(register: pd.DataFrame) -> pd.DataFrame:
    """Chinese headers, each date written in one of the forms (rotating by row), two extra columns, names where
    exports write them: provinces (江苏省 / 江苏 alternating), origins (日本, 香港 …), patent types (发明专利)."""
    from ipstats import reference

    out = register.copy()
    provinces = reference.provinces().set_index("province_code")
    names = reference.origins().query("alias_of == ''").set_index("origin_code")["name_zh"]
    out["province_code"] = [
        provinces.at[c, "name_zh" if row % 2 else "short_zh"] if isinstance(c, str) else ""
        for row, c in enumerate(out["province_code"])
    ]
    out["origin_code"] = [provinces.at[c, "name_zh"] if c in provinces.index else names[c] for c in out["origin_code"]]
    out["patent_type"] = out["patent_type"] + "专利"
    for i, col in enumerate(DATES):
        dates = pd.to_datetime(out[col])
        out[col] = [DATE_FORMS[(row + i) % len(DATE_FORMS)](d) if pd.notna(d) else "" for row, d in enumerate(dates)]
    out["发明人"] = "张三"
    out["代理机构"] = ""
    titles = {f.name: f.title.split(" / ")[0] for f in load_schema("patent_register").fields}
    return out.rename(columns=titles)


def _xlsx(register: pd.DataFrame, path: Path) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("登记数据")
    sheet.append(["专利登记数据（演示，合成数据）"])
    sheet.append(list(register.columns))
    for row in register.astype(object).where(register.notna(), None).itertuples(index=False):
        sheet.append(list(row))
    book.save(path)


@pytest.fixture(scope="module")
def forms(small_demo, tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """(register, population) of each form, each register beside a copy of register_ipc.parquet."""
    root = tmp_path_factory.mktemp("forms")
    register = pd.read_parquet(small_demo["register"])
    population = pd.read_csv(small_demo["population"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    out = {"parquet": (Path(small_demo["register"]), Path(small_demo["population"]))}
    for name in ("utf8_csv", "gbk_csv", "xlsx"):
        folder = root / name
        folder.mkdir()
        shutil.copy(small_demo["register_ipc"], folder / "register_ipc.parquet")
        out[name] = (folder / ("register.xlsx" if name == "xlsx" else "register.csv"), folder / "population.csv")
    register.to_csv(out["utf8_csv"][0], index=False, encoding="utf-8")
    population.to_csv(out["utf8_csv"][1], index=False, encoding="utf-8")
    _chinese(register).to_csv(out["gbk_csv"][0], index=False, encoding="gbk", errors="replace")
    pop_titles = {f.name: f.title.split(" / ")[0] for f in load_schema("population").fields}
    population.rename(columns=pop_titles).to_csv(out["gbk_csv"][1], index=False, encoding="gbk")
    _xlsx(register, out["xlsx"][0])
    population.to_csv(out["xlsx"][1], index=False, encoding="utf-8")
    return out


SPECS = [
    CountSpec(measure="applications", years=tuple(range(2015, 2025)), by=("province_code",)),
    CountSpec(measure="grants", years=tuple(range(2015, 2025)), by=("applicant_type",)),
    CountSpec(measure="valid_stock", years=(2022, 2023, 2024), by=("province_code",)),
    CountSpec(measure="applications", years=(2023, 2024), system="cnipa_sei_2021"),
]


@pytest.mark.parametrize("spec", SPECS, ids=[f"{s.measure}-{s.system or ','.join(s.by)}" for s in SPECS])
def test_every_form_counts_the_same(forms, spec, tmp_path, monkeypatch):
    monkeypatch.setenv("IPSTATS_CACHE", str(tmp_path / "cache"))
    cubes = {name: count(register, spec) for name, (register, _) in forms.items()}
    reference = cubes.pop("parquet")
    assert reference["count"].sum() > 50
    for name, cube in cubes.items():
        pd.testing.assert_frame_equal(cube, reference, obj=name)


def test_every_form_gives_the_same_overview(forms, tmp_path, monkeypatch):
    monkeypatch.setenv("IPSTATS_CACHE", str(tmp_path / "cache"))
    views = {
        name: compute_overview(str(register), str(population), 2024) for name, (register, population) in forms.items()
    }
    reference = views.pop("parquet")
    for name, view in views.items():
        for table in ("summary", "provinces", "trend", "provinces_published", "scopes", "origins"):
            pd.testing.assert_frame_equal(getattr(view, table), getattr(reference, table), obj=f"{name} {table}")
        assert view.paragraph == reference.paragraph
