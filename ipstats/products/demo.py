"""Synthetic patent-intensive product tables linked to the demo register (演示用专利密集型产品数据).

The products belong to enterprises of the demo register and are linked to their granted invention and
utility-model patents, so every indicator (patents per product, validity, technology categories) works on
the demo. Two or more filing rounds are drawn; most products recognised in one round are filed again in
the next with updated figures (a same-product panel), and new products enter.

Calibration (public facts, see DOMAIN.md): the 2024 round recognised 3,197 products nationally and the
number, output value and exports each rose by more than a third on 2023. The demo scales the number to the
register's sampling fraction (:func:`ipstats.register.demo.demo_scale`) with a floor of ``min_products``
so that breakdowns have content, and sets the growth of the last round to about +36 % (number),
+38 % (output) and +42 % (exports). Everything is **synthetic**, nothing is an official statistic.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ipstats import __version__, reference
from ipstats.products.io import LINK_FIELDS, PRODUCT_FIELDS
from ipstats.register.demo import demo_scale, is_demo_file
from ipstats.register.uscc import ALPHABET, format_credit_code, organization_code_check

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


def write_demo(
    register: str | Path,
    out: str | Path,
    seed: int = 2024,
    rounds: tuple[int, ...] = (2023, 2024),
    min_products: int = 240,
) -> dict[str, Path]:
    """Write synthetic product and link tables for the demo *register* into *out*.

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
    rng = np.random.default_rng(seed)
    reg = pd.read_parquet(
        register,
        columns=[
            "application_number",
            "patent_type",
            "grant_date",
            "applicant_name",
            "applicant_type",
            "province_code",
            "ipc_main",
            "title",
            "lapse_date",
        ],
    )
    scale = demo_scale(len(reg))
    n_last = max(int(round(NATIONAL_RECOGNISED_2024 * scale)), int(min_products))
    n_recognised = {r: int(round(n_last / (1 + _GROWTH["products"]) ** (rounds[-1] - r))) for r in rounds}

    firms = _enterprises(reg, rounds[0])
    if len(firms) < 10:
        raise ValueError(
            f"{register}: only {len(firms)} enterprises with granted patents before {rounds[0]}; "
            f"the demo needs a larger register"
        )
    weights = firms["patents"].to_numpy(float) ** 0.8
    weights /= weights.sum()
    codes = _credit_codes(rng, firms["province_code"])

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
                    "credit_code": codes[firm],
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

    products = pd.DataFrame(rows)
    links, names = _links(rng, reg, products, rounds[0])
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
        "register": Path(register).name,
        "register_patents": int(len(reg)),
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
    by_firm = {firm: grp.sort_values("application_number") for firm, grp in granted.groupby("applicant_name")}
    first = products.groupby("product_id").agg(firm=("enterprise_name", "first"), year=("filing_year", "min"))
    rows, names = [], {}
    for pid, rec in first.iterrows():
        pool = by_firm[rec["firm"]]
        pool = pool[pool["grant_year"] < rec["year"]]
        if pool.empty:
            pool = by_firm[rec["firm"]]
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
