"""Build ``ipstats/reference/data/origins.csv``: where a first applicant comes from (申请人国别/地区).

Run from the project root (needs the pycountry wheel, which carries the Debian iso-codes data)::

    .venv/bin/python -m pip download --no-deps -d /tmp/pycountry pycountry==26.2.16
    .venv/bin/python scripts/build_countries.py /tmp/pycountry/pycountry-26.2.16-py3-none-any.whl

One row per origin code a register may carry:

* the 31 provincial-level divisions of mainland China (GB/T 2260, from ``provinces_gbt2260.csv``), scope 国内;
* 台湾 71, 香港 81, 澳门 82 (GB/T 2260 codes), scope 港澳台;
* every other ISO 3166-1 alpha-2 country (iso-codes ``iso3166-1.json``), scope 国外, with its Chinese name from
  the iso-codes ``zh_CN`` translation (the common name where iso-codes gives one: 韩国, not 大韩民国).

The ISO alpha-2 codes CN, HK, MO and TW are listed too (``alias_of`` names the code a register should use)
so that an extract written with them is read, not refused. The output is committed; this script documents
how it was made.
"""

from __future__ import annotations

import gettext
import io
import json
import sys
import zipfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "ipstats" / "reference" / "data" / "origins.csv"
#: GB/T 2260 codes of Taiwan, Hong Kong and Macao, and their ISO 3166-1 alpha-2 codes.
HK_MO_TW = {"71": ("台湾", "Taiwan", "TW"), "81": ("香港", "Hong Kong", "HK"), "82": ("澳门", "Macao", "MO")}


def build(wheel: Path) -> pd.DataFrame:
    with zipfile.ZipFile(wheel) as z:
        countries = json.loads(z.read("pycountry/databases/iso3166-1.json"))["3166-1"]
        zh = gettext.GNUTranslations(io.BytesIO(z.read("pycountry/locales/zh_CN/LC_MESSAGES/iso3166-1.mo")))
    provinces = pd.read_csv(ROOT / "ipstats" / "reference" / "data" / "provinces_gbt2260.csv", dtype=str)
    rows = [
        {"origin_code": r.province_code, "name_zh": r.short_zh, "name_en": r.name_en, "scope": "国内", "alias_of": ""}
        for r in provinces.itertuples()
    ]
    rows += [
        {"origin_code": code, "name_zh": zh_name, "name_en": en, "scope": "港澳台", "alias_of": ""}
        for code, (zh_name, en, _) in HK_MO_TW.items()
    ]
    aliases = {iso: code for code, (_, _, iso) in HK_MO_TW.items()}
    for c in countries:
        code = c["alpha_2"]
        if code == "CN":
            rows.append(
                {
                    "origin_code": "CN",
                    "name_zh": "中国",
                    "name_en": "China",
                    "scope": "国内",
                    "alias_of": "province code (11–65)",
                }
            )
            continue
        if code in aliases:
            zh_name, en, _ = HK_MO_TW[aliases[code]]
            rows.append(
                {"origin_code": code, "name_zh": zh_name, "name_en": en, "scope": "港澳台", "alias_of": aliases[code]}
            )
            continue
        name = c.get("common_name", c["name"])
        rows.append(
            {"origin_code": code, "name_zh": zh.gettext(name), "name_en": name, "scope": "国外", "alias_of": ""}
        )
    table = pd.DataFrame(rows)
    order = table["scope"].map({"国内": 0, "港澳台": 1, "国外": 2})
    table = (
        table.assign(_o=order, _alias=table["alias_of"] != "")
        .sort_values(["_o", "_alias", "origin_code"], kind="stable")
        .drop(columns=["_o", "_alias"])
    )
    untranslated = table[(table["scope"] == "国外") & (table["name_zh"] == table["name_en"])]
    if len(untranslated):
        print(
            f"note: {len(untranslated)} countries without a Chinese name in iso-codes: "
            f"{', '.join(untranslated['origin_code'])}",
            file=sys.stderr,
        )
    return table


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    result = build(Path(sys.argv[1]))
    result.to_csv(OUT, index=False, encoding="utf-8")
    print(f"wrote {len(result)} origins to {OUT}")
