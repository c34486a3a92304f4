"""Build the package's reference tables from ``../shared/reference``.

Run from the project root::

    .venv/bin/python scripts/build_reference.py [--shared ../shared/reference]

It writes ``ipstats/reference/data/ipc_scheme.parquet`` (the IPC scheme: English
titles of edition ≈2019.01 and Chinese titles of edition 2026.01, one row per
symbol) and copies the concordances the package uses. The outputs are committed;
this script documents how they were made and rebuilds them when the sources change.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "ipstats" / "reference" / "data"
COPIED = {
    "concordances/wipo_ipc_technology_2019.csv": "wipo_ipc_technology_2019.csv",
}


def build_ipc_scheme(shared: Path) -> pd.DataFrame:
    """Merge the English (≈2019.01) and Chinese (2026.01) IPC schemes on the symbol."""
    en = pd.read_csv(shared / "ipc" / "ipc_scheme_2019_en.csv", dtype=str, keep_default_na=False)
    zh = pd.read_csv(shared / "ipc" / "ipc_2026_01_zh.csv", dtype=str, keep_default_na=False)
    zh["title_zh"] = zh["title_zh"].str.strip()
    en = en.rename(columns={"ipc_code": "symbol"})[["symbol", "level", "title_en"]]
    # The English source repeats 540 main groups: the first row is the guidance heading
    # printed above the group (e.g. "Harrows"), the second the group's own title.
    heading = en[en.duplicated("symbol", keep="last")].set_index("symbol")["title_en"].rename("heading_en")
    en = en.drop_duplicates("symbol", keep="last").join(heading, on="symbol")
    zh = zh.rename(columns={"ipc_code": "symbol", "level": "level_zh"})[["symbol", "level_zh", "title_zh"]]
    scheme = en.merge(zh, on="symbol", how="outer", indicator=True)
    scheme["in_2019_01"] = scheme["_merge"].isin(["both", "left_only"])
    scheme["in_2026_01"] = scheme["_merge"].isin(["both", "right_only"])
    scheme["level"] = scheme["level"].fillna(scheme["level_zh"])
    scheme = scheme.drop(columns=["_merge", "level_zh"])
    for col in ("title_en", "title_zh"):
        scheme[col] = scheme[col].replace("", pd.NA)
    levels = ["section", "class", "subclass", "main_group", "subgroup"]
    scheme["level"] = pd.Categorical(scheme["level"], categories=levels)
    return scheme.sort_values("symbol", kind="stable").reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "reference")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    scheme = build_ipc_scheme(args.shared)
    scheme.to_parquet(OUT / "ipc_scheme.parquet", index=False, compression="zstd")
    print(
        f"ipc_scheme.parquet: {len(scheme)} symbols "
        f"({int(scheme.in_2019_01.sum())} in 2019.01, {int(scheme.in_2026_01.sum())} in 2026.01)"
    )
    for src, dst in COPIED.items():
        shutil.copyfile(args.shared / src, OUT / dst)
        print(f"copied {src} -> {dst}")


if __name__ == "__main__":
    main()
