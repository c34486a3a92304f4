"""Synthetic patent-intensive product tables linked to the demo register (演示用专利密集型产品数据).

The products belong to enterprises of the demo register and are linked to their granted invention and
utility-model patents, so every indicator (patents per product, validity, technology categories) works on
the demo. Two or more filing rounds are drawn; most products recognised in one round are filed again in
the next with updated figures (a same-product panel), and new products enter.

Calibration (public facts, see DOMAIN.md): the 2024 round recognised 3,197 products nationally and the
number, output value and exports each rose by more than a third on 2023. The demo scales the number to the
register's sampling fraction (:func:`ipstats.register.demo.demo_scale`) with a floor of ``min_products``
so that breakdowns have content, and sets the growth of the last round to about +36 % (number),
+38 % (output) and +42 % (exports). A register of more than :data:`ipstats.register.demo.STREAM_BLOCK`
applications is never held in memory: DuckDB counts its enterprises over the Parquet file and reads back only
the chosen enterprises' patents. Everything is **synthetic**, nothing is an official statistic.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ipstats import __version__, reference
from ipstats.products.io import LINK_FIELDS, PRODUCT_FIELDS
from ipstats.register import demo as register_demo
from ipstats.register.demo import demo_scale, is_demo_file
from ipstats.register.uscc import ALPHABET, format_credit_code, organization_code_check

if TYPE_CHECKING:
    import duckdb

__all__ = ["DEMO_FILES", "NATIONAL_RECOGNISED_2024", "demo_if_missing", "write_demo"]

log = logging.getLogger(__name__)

#: File names written by :func:`write_demo`.
DEMO_FILES = {"products": "products.csv", "links": "product_patent_links.csv", "meta": "products_meta.json"}
#: Products recognised nationally in the 2024 round (public announcement), the demo's scale anchor.
NATIONAL_RECOGNISED_2024 = 3197
PROFILE = Path(__file__).with_name("demo_profile") / "field_divisions.csv"

_GROWTH = {"products": 0.36, "output_value": 0.38, "export_value": 0.42}  # last round on the one before
_PANEL_RETENTION = 0.72  # share of recognised products filed and recognised again in the next round
_NOT_PASSED = 0.22  # not-passed filings per recognised product
_PENDING = 0.03  # filed, still under review (备案) in the last round
_CLAUSE_START = re.compile(r"^(?:用|以|应用|按照|按|由|在|基于|不|装在|装置在|穿过|对|从|通过|使|将|其他|专业|具有)")
_TITLE_TAIL = re.compile(r"(及其制备方法|及其制造方法|系统及方法|装置及方法|及方法|的方法|方法)$")
#: Register columns read into memory when the register is small enough to be held.
_COLUMNS = (
    "application_number",
    "patent_type",
    "grant_date",
    "applicant_name",
    "applicant_type",
    "province_code",
    "ipc_main",
    "title",
    "lapse_date",
)
#: DuckDB's memory limit on the streamed path; beyond it DuckDB spills to a temporary folder.
_DUCKDB_MEMORY = "384MB"
# _enterprises over the Parquet file in one aggregation by firm (no join: memory stays that of one hash table).
# Each firm's rows are counted by province and by division; the most common value is the one of most rows, ties
# going to the value met first in file order: the greatest n·$rows − (its smallest file row number), as n < $rows.
_ENTERPRISES_SQL = """
WITH patents AS NOT MATERIALIZED (
    SELECT r.file_row_number AS met, r.applicant_name, r.province_code, coalesce(d.division, '39') AS division
    FROM read_parquet($register, file_row_number = true) AS r
    LEFT JOIN divisions AS d ON d.ipc_subclass = substr(r.ipc_main, 1, 4)
    WHERE r.applicant_type = '企业' AND r.patent_type IN ('发明', '实用新型') AND r.grant_date IS NOT NULL
      AND r.province_code IS NOT NULL AND r.applicant_name IS NOT NULL AND year(r.grant_date) < $before
),
counted AS (
    SELECT applicant_name, true AS is_province, province_code AS value, count(*) AS n, min(met) AS met
    FROM patents GROUP BY ALL
    UNION ALL
    SELECT applicant_name, false, division, count(*), min(met) FROM patents GROUP BY ALL
)
SELECT applicant_name,
       CAST(sum(n) FILTER (is_province) AS BIGINT) AS patents,
       arg_max(value, n * $rows - met) FILTER (is_province) AS province_code,
       arg_max(value, n * $rows - met) FILTER (NOT is_province) AS division
FROM counted
GROUP BY applicant_name
HAVING sum(n) FILTER (is_province) >= 2
"""
# the granted inventions and utility models of the chosen enterprises, what _links reads
_FIRM_PATENTS_SQL = """
SELECT application_number, patent_type, grant_date, applicant_name, lapse_date, title
FROM read_parquet($register)
WHERE patent_type IN ('发明', '实用新型') AND grant_date IS NOT NULL
  AND applicant_name IN (SELECT enterprise_name FROM chosen)
"""


def _division_of_subclass() -> pd.Series:
    """GB/T 4754 division for each IPC subclass, through its WIPO field and the demo profile."""
    conc = reference.wipo_technology_concordance()
    field = conc.groupby("ipc_subclass")["field_nr"].agg(lambda s: s.mode().iloc[0])
    divisions = pd.read_csv(PROFILE, dtype={"division": str}).set_index("field_nr")["division"]
    return field.map(divisions)


def _enterprises(register: pd.DataFrame, before: int) -> pd.DataFrame:
    """Domestic enterprises with granted invention or utility-model patents before *before*: size, province,
    division (products are recognised from enterprises in the 31 provinces: first applicants from 港澳台 and
    abroad, who have no province, are left out)."""
    reg = register[
        (register["applicant_type"] == "企业")
        & register["patent_type"].isin(["发明", "实用新型"])
        & register["grant_date"].notna()
        & register["province_code"].notna()
    ]
    reg = reg[pd.to_datetime(reg["grant_date"]).dt.year < before]
    reg = reg.assign(division=reg["ipc_main"].str[:4].map(_division_of_subclass()).fillna("39"))
    firms = reg.groupby("applicant_name").agg(
        patents=("application_number", "size"),
        province_code=("province_code", _most_common),
        division=("division", _most_common),
    )
    return firms[firms["patents"] >= 2].sort_index()


@contextmanager
def _duckdb() -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection limited to :data:`_DUCKDB_MEMORY` that spills into a temporary folder (removed after).

    Rows come back in no particular order (insertion order is not kept): callers sort what they need.
    """
    from ipstats.engines.duck import connect
    from ipstats.engines.sql import sql_text

    with tempfile.TemporaryDirectory(prefix="ipstats-products-demo-") as spill:
        con = connect(memory=_DUCKDB_MEMORY)
        try:
            con.execute(f"SET temp_directory = {sql_text(spill)}")
            con.execute("SET preserve_insertion_order = false")
            yield con
        finally:
            con.close()


def _enterprises_of_file(register: Path, before: int) -> pd.DataFrame:
    """:func:`_enterprises` of the register file *register*, counted by DuckDB without holding the register.

    The same firms, counts, provinces and divisions in the same order: the most common value of a firm is the
    one with most patents, ties going to the value met first in the file (as :func:`_most_common`).
    """
    divisions = _division_of_subclass().dropna().rename_axis("ipc_subclass").rename("division").reset_index()
    params = {"register": str(register), "before": int(before), "rows": register_demo.register_rows(register)}
    with _duckdb() as con:
        con.register("divisions", divisions)
        firms = con.sql(_ENTERPRISES_SQL, params=params).to_arrow_table().to_pandas()
    return firms.set_index("applicant_name").sort_index()


def _firm_patents(register: Path, enterprises: pd.Series) -> pd.DataFrame:
    """Granted inventions and utility models of *enterprises* in the register file, the rows :func:`_links` reads."""
    with _duckdb() as con:
        con.register("chosen", pd.DataFrame({"enterprise_name": enterprises.unique()}))
        return con.sql(_FIRM_PATENTS_SQL, params={"register": str(register)}).to_arrow_table().to_pandas()


def _most_common(values: pd.Series) -> str:
    """The most frequent value; ties go to the value met first (rows are in filing order), not the smallest."""
    return values.value_counts(sort=False).idxmax()


def _credit_codes(rng: np.random.Generator, provinces: pd.Series) -> pd.Series:
    """A valid unified social credit code per enterprise: 91 (enterprise), division code, organisation code."""
    body_alphabet = np.array(list(ALPHABET[:10] + "ABCDEFGHJKLMNPQRTUWXY"))
    codes = {}
    used = set()
    for name, prov in provinces.items():
        while True:
            area = f"{prov}{rng.integers(1, 10):02d}{rng.integers(0, 20):02d}"
            body = "".join(rng.choice(body_alphabet[:10], 1)) + "".join(rng.choice(body_alphabet, 7))
            code = format_credit_code(f"91{area}{body}{organization_code_check(body)}")
            if code not in used:
                break
        used.add(code)
        codes[name] = code
    return pd.Series(codes)


def _product_name(titles: list[str], rng: np.random.Generator) -> str:
    """A product name from the titles of its patents: the first that reads as a noun phrase."""
    stems = [_TITLE_TAIL.sub("", re.sub(r"^一种", "", t or "")) for t in titles]
    good = [t for t in stems if 2 <= len(t) <= 14 and not _CLAUSE_START.match(t)]
    stem = (good or stems or ["专用设备"])[0] or "专用设备"
    if rng.random() < 0.5:
        return stem
    series = "".join(rng.choice(list("ABCDEFGHKMNPRSTXYZ"), 2)) + str(rng.integers(10, 990))
    return f"{stem}（{series}系列）"


def _draw_values(rng: np.random.Generator, n: int, level: float = 1.0) -> pd.DataFrame:
    """Output value, sales revenue and export value (万元) of *n* products."""
    output = rng.lognormal(np.log(16_000 * level), 1.1, n)
    sales = output * rng.uniform(0.86, 1.02, n)
    exporter = rng.random(n) < 0.5
    exports = np.where(exporter, sales * rng.beta(2.0, 4.5, n), 0.0)
    return pd.DataFrame({"output_value": output, "sales_revenue": sales, "export_value": exports})


def _draw_products(
    rng: np.random.Generator, firms: pd.DataFrame, rounds: tuple[int, ...], n_recognised: dict[int, int]
) -> pd.DataFrame:
    """The filings of every round: product id, enterprise, its province and division, year, status, values.

    Products are drawn from *firms* (:func:`_enterprises`) with weights growing with their patents; most products
    recognised in one round are filed again in the next, and new ones enter (see the module docstring).
    """
    weights = firms["patents"].to_numpy(float) ** 0.8
    weights /= weights.sum()
    serial = 0
    rows: list[dict] = []
    previous_recognised: list[str] = []
    previous_failed: list[str] = []
    product_firm: dict[str, str] = {}
    base_values: dict[str, pd.Series] = {}

    def new_products(k: int) -> list[str]:
        nonlocal serial
        ids = []
        for firm in firms.index[rng.choice(len(firms), size=k, p=weights)]:
            serial += 1
            pid = f"PIP{serial:06d}"
            product_firm[pid] = firm
            ids.append(pid)
        return ids

    for r in rounds:
        target = n_recognised[r]
        panel = [p for p in previous_recognised if rng.random() < _PANEL_RETENTION]
        retried = [p for p in previous_failed if rng.random() < 0.5]
        retried_ok = [p for p in retried if rng.random() < 0.6]
        new_ok = new_products(max(target - len(panel) - len(retried_ok), 0))
        failed = new_products(int(round(_NOT_PASSED * target))) + [p for p in retried if p not in retried_ok]
        pending = new_products(int(round(_PENDING * target))) if r == rounds[-1] else []
        values = {}
        for pid in panel:
            values[pid] = base_values[pid] * rng.lognormal(np.log(1.09), 0.15)
        drawn = _draw_values(rng, len(new_ok) + len(retried_ok))
        for pid, (_, row) in zip(retried_ok + new_ok, drawn.iterrows()):
            values[pid] = row
        if previous_recognised and (retried_ok or new_ok):
            prev = pd.DataFrame([base_values[p] for p in previous_recognised])
            entrants = retried_ok + new_ok
            for measure in ("output_value", "export_value"):
                kept = sum(values[p][measure] for p in panel)
                fresh = sum(values[p][measure] for p in entrants)
                factor = max((prev[measure].sum() * (1 + _GROWTH[measure]) - kept) / fresh, 0.2) if fresh else 1.0
                for p in entrants:
                    values[p] = values[p].copy()
                    if measure == "output_value":
                        values[p][["output_value", "sales_revenue"]] *= factor
                        values[p]["export_value"] *= factor
                    else:
                        values[p]["export_value"] = min(values[p]["export_value"] * factor, values[p]["sales_revenue"])
        other = _draw_values(rng, len(failed) + len(pending), level=0.6)
        for pid, (_, row) in zip(failed + pending, other.iterrows()):
            values[pid] = row
        status = {
            **{p: "认定" for p in panel + retried_ok + new_ok},
            **{p: "未通过" for p in failed},
            **{p: "备案" for p in pending},
        }
        for pid, st in status.items():
            firm = product_firm[pid]
            rows.append(
                {
                    "product_id": pid,
                    "enterprise_name": firm,
                    "province_code": firms.at[firm, "province_code"],
                    "industry_code": firms.at[firm, "division"],
                    "filing_year": r,
                    "recognition_year": r if st == "认定" else None,
                    "status": st,
                    **{k: round(float(v), 1) for k, v in values[pid].items()},
                }
            )
        base_values.update({p: values[p] for p in status})
        previous_recognised = panel + retried_ok + new_ok
        previous_failed = [p for p in failed if p not in retried]
    return pd.DataFrame(rows)


def write_demo(
    register: str | Path,
    out: str | Path,
    seed: int = 2024,
    rounds: tuple[int, ...] = (2023, 2024),
    min_products: int = 240,
) -> dict[str, Path]:
    """Write synthetic product and link tables for the demo *register* into *out*.

    A register of more than :data:`ipstats.register.demo.STREAM_BLOCK` applications
    (:func:`ipstats.register.demo.is_streamed`) is never read whole: its enterprises (:func:`_enterprises`) are
    counted by DuckDB over the Parquet file (:func:`_enterprises_of_file`, the same table), the products are
    drawn from them as for a small register, credit codes are drawn for the enterprises with products only, and
    only those enterprises' patents are read back for the links (:func:`_firm_patents`). A smaller register is
    read into memory and gives the files of earlier versions (credit codes drawn for every enterprise first).

    Parameters
    ----------
    register : path
        The demo register (``register.parquet``); products belong to its enterprises.
    out : path
        Folder to write :data:`DEMO_FILES` into (created if needed; files replaced).
    seed : int
        Seed of the random generator; the same register and seed give the same tables.
    rounds : tuple of int
        Filing rounds (年度批次), ascending.
    min_products : int
        Floor on the number recognised in the last round (the register's sampling fraction alone would
        give a handful of products).

    Returns
    -------
    dict
        Paths by name: ``products``, ``links``, ``meta``.
    """
    rounds = tuple(sorted(int(r) for r in rounds))
    if len(rounds) < 2:
        raise ValueError(f"the demo needs at least two rounds so growth can be computed; got {rounds}")
    register = Path(register)
    rng = np.random.default_rng(seed)
    patents = register_demo.register_rows(register)
    reg = None if register_demo.is_streamed(register) else pd.read_parquet(register, columns=list(_COLUMNS))
    scale = demo_scale(patents)
    n_last = max(int(round(NATIONAL_RECOGNISED_2024 * scale)), int(min_products))
    n_recognised = {r: int(round(n_last / (1 + _GROWTH["products"]) ** (rounds[-1] - r))) for r in rounds}

    firms = _enterprises_of_file(register, rounds[0]) if reg is None else _enterprises(reg, rounds[0])
    if len(firms) < 10:
        raise ValueError(
            f"{register}: only {len(firms)} enterprises with granted patents before {rounds[0]}; "
            f"the demo needs a larger register"
        )
    codes = None if reg is None else _credit_codes(rng, firms["province_code"])
    products = _draw_products(rng, firms, rounds, n_recognised)
    if codes is None:
        codes = _credit_codes(rng, firms.loc[firms.index.isin(products["enterprise_name"]), "province_code"])
    products["credit_code"] = products["enterprise_name"].map(codes)
    patents_of_firms = _firm_patents(register, products["enterprise_name"]) if reg is None else reg
    links, names = _links(rng, patents_of_firms, products, rounds[0])
    products["product_name"] = products["product_id"].map(names)
    products = products[list(PRODUCT_FIELDS)].sort_values(["filing_year", "product_id"], ignore_index=True)
    products["recognition_year"] = products["recognition_year"].astype("Int64")

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / f for name, f in DEMO_FILES.items()}
    products.to_csv(paths["products"], index=False, encoding="utf-8-sig")
    links.to_csv(paths["links"], index=False, encoding="utf-8-sig")
    meta = {
        "generator": "ipstats.products.demo",
        "ipstats_version": __version__,
        "synthetic": True,
        "register": register.name,
        "register_patents": int(patents),
        "seed": int(seed),
        "rounds": list(rounds),
        "sampling_fraction": scale,
        "recognised_scaled": int(round(NATIONAL_RECOGNISED_2024 * scale)),
        "min_products": int(min_products),
        "recognised": {str(r): n for r, n in n_recognised.items()},
        "note": "演示数据：合成的专利密集型产品备案认定数据，非真实统计",
    }
    paths["meta"].write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    log.info("demo products: %d rows, %d links written to %s", len(products), len(links), out)
    return paths


def _links(
    rng: np.random.Generator, reg: pd.DataFrame, products: pd.DataFrame, first_round: int
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Links of every product to granted inventions/utility models of its enterprise, and product names."""
    granted = reg[
        reg["patent_type"].isin(["发明", "实用新型"])
        & reg["grant_date"].notna()
        & reg["applicant_name"].isin(set(products["enterprise_name"]))
    ].copy()
    granted["grant_year"] = pd.to_datetime(granted["grant_date"]).dt.year
    granted = granted.sort_values("application_number", ignore_index=True)
    by_firm = granted.groupby("applicant_name").indices  # rows of each firm, in application-number order
    first = products.groupby("product_id").agg(firm=("enterprise_name", "first"), year=("filing_year", "min"))
    rows, names = [], {}
    for pid, rec in first.iterrows():
        patents = granted.iloc[by_firm[rec["firm"]]]
        pool = patents[patents["grant_year"] < rec["year"]]
        if pool.empty:
            pool = patents
        k = int(min(len(pool), 2 + rng.poisson(4)))
        # enterprises cite patents they keep in force, inventions more often than utility models
        end = pd.Timestamp(year=int(rec["year"]), month=12, day=31)
        lapse = pd.to_datetime(pool["lapse_date"])
        weight = np.where(lapse.isna() | (lapse > end), 1.0, 0.08) * np.where(pool["patent_type"] == "发明", 2.0, 1.0)
        chosen = pool.iloc[np.sort(rng.choice(len(pool), size=k, replace=False, p=weight / weight.sum()))]
        inventions_first = chosen.sort_values("patent_type", key=lambda s: s.ne("发明"), kind="stable")
        n_core = int(min(k, rng.integers(1, 4)))
        for i, number in enumerate(inventions_first["application_number"]):
            rows.append({"product_id": pid, "application_number": number, "role": "core" if i < n_core else "other"})
        names[pid] = _product_name(inventions_first["title"].tolist(), rng)
    return pd.DataFrame(rows, columns=list(LINK_FIELDS)), names


def demo_if_missing(products: str | Path, links: str | Path, register: str | Path) -> None:
    """Write the demo product tables when *products* or *links* is missing (demo folders only).

    Only a folder whose name contains ``demo`` or is ``ci`` is written, and only under the fixed names of
    :data:`DEMO_FILES`, so a mistyped path to real data is reported as missing instead of being replaced
    by synthetic data.
    """
    products, links = Path(products), Path(links)
    if products.exists() and links.exists():
        return
    if (
        links.parent != products.parent
        or not is_demo_file(products, DEMO_FILES["products"])
        or not is_demo_file(links, DEMO_FILES["links"])
    ):
        missing = products if not products.exists() else links
        raise FileNotFoundError(f"{missing}: product data file not found")
    write_demo(register, products.parent)
