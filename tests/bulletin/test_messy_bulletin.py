"""The CI bulletin from a messy extract of its register publishes the same tables, charts and texts.

A user brings the register as CNIPA extracts come: a GBK CSV with Chinese headers in another order, extra
columns, dates in every accepted form (2023-03-05, 2023/03/05, 2023.03.05, 20230305, 2023年03月05日, 2023年3月5日), provinces
by name as well as by code, CRLF line ends. What ``ipstats validate`` accepts every reader reads identically, so
the bulletin built from that copy must publish byte for byte the tables, chart data and texts of the bulletin
built from the clean Parquet (``ci_bulletin``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ipstats.validate.core import column_aliases
from ipstats.validate.schema import load_schema

ROOT = Path(__file__).resolve().parents[2]
DATES = ("filing_date", "priority_date", "publication_date", "grant_date", "lapse_date")
FORMS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y年%-m月%-d日")  # %-m: glibc, no zero
PROVINCES = {"11": "北京市", "32": "江苏省", "44": "广东省", "54": "西藏自治区"}


def messy_register(clean: Path, out: Path, seed: int = 7) -> Path:
    """Write *clean* (a typed register Parquet) as a messy but valid GBK CSV extract; return its path."""
    reg = pd.read_parquet(clean)
    text = reg.astype(object).where(reg.notna(), "")
    rng = np.random.default_rng(seed)
    for col in DATES:
        form = rng.integers(0, len(FORMS), len(reg))
        text[col] = ["" if pd.isna(v) else v.strftime(FORMS[k]) for v, k in zip(pd.to_datetime(reg[col]), form)]
    named = rng.random(len(reg)) < 0.3
    text.loc[named, "province_code"] = text.loc[named, "province_code"].map(lambda c: PROVINCES.get(c, c))
    chinese = {v: k for k, v in column_aliases(load_schema("patent_register")).items() if not k.isascii()}
    text = text.rename(columns=chinese)
    text.insert(3, "备注", "导出")
    text["数据来源"] = "CNIPA"
    path = out / "register_extract.csv"
    text[list(reversed(text.columns))].to_csv(path, index=False, encoding="gbk", lineterminator="\r\n")
    return path


def test_messy_extract_publishes_the_clean_bulletin(same_publication, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "ci", data, ignore=shutil.ignore_patterns("register.parquet"))
    register = messy_register(ROOT / "data" / "ci" / "register.parquet", data)
    assert register.read_bytes()[:6].decode("gbk") == "数据来源"[:3]  # Chinese headers, GBK
    params = yaml.safe_load((ROOT / "parameters" / "ci.yaml").read_text(encoding="utf-8"))
    params.pop("demo_data")
    params["inputs"] = {key: str(data / Path(path).name) for key, path in params["inputs"].items()}
    params["inputs"]["register"] = str(register)
    params.update(
        output=str(tmp_path / "out"),
        internal_output=str(tmp_path / "internal"),
        notebook_dir=str(ROOT / "notebooks"),
    )
    file = tmp_path / "messy.yaml"
    file.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    same_publication(file, tmp_path / "bulletin")
