"""Build the shipped classification systems from ``../shared/reference/concordances``.

Run from the project root::

    .venv/bin/python scripts/build_concordances.py [--shared ../shared/reference]

Each system becomes a folder ``ipstats/concordance/data/<id>/`` with ``system.yaml`` (metadata and
matching conventions), ``categories.csv`` and ``rules.csv`` in the concordance schemas of
``data_schemas/``. The outputs are committed; this script records how they were made. Category names
that are not in the sources are written here as data, each with its source in the system's notes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "ipstats" / "concordance" / "data"
RULE_COLUMNS = [
    "rule_id",
    "category",
    "ipc_patterns",
    "ipc_exclusions",
    "keywords",
    "keyword_exclusions",
    "coverage",
    "weight",
    "source_ref",
]
CATEGORY_COLUMNS = ["category", "name_zh", "name_en", "parent", "level"]

SEI_FIELDS = {  # NBS 《战略性新兴产业分类（2018）》 nine fields
    "1": ("新一代信息技术产业", "New-generation information technology"),
    "2": ("高端装备制造产业", "High-end equipment manufacturing"),
    "3": ("新材料产业", "New materials"),
    "4": ("生物产业", "Biotechnology"),
    "5": ("新能源汽车产业", "New-energy vehicles"),
    "6": ("新能源产业", "New energy"),
    "7": ("节能环保产业", "Energy saving and environmental protection"),
    "8": ("数字创意产业", "Digital creative industries"),
    "9": ("相关服务业", "Related services"),
}
DIGITAL_SUBSYSTEMS = {  # 关键数字技术专利分类体系（2023）: seven subsystems, in the document's order
    "人工智能": ("AI", "Artificial intelligence"),
    "高端芯片": ("CHIP", "High-end chips"),
    "量子信息": ("QUANTUM", "Quantum information"),
    "物联网": ("IOT", "Internet of things"),
    "区块链": ("BLOCKCHAIN", "Blockchain"),
    "工业互联网": ("IIOT", "Industrial internet"),
    "元宇宙": ("METAVERSE", "Metaverse"),
}
NEW_THREE = {
    "1": ("电动汽车", "Electric vehicles"),
    "2": ("锂电池", "Lithium batteries"),
    "3": ("光伏", "Photovoltaics"),
}
WIPO_SECTORS_ZH = {
    "Electrical engineering": "电气工程",
    "Instruments": "仪器",
    "Chemistry": "化学",
    "Mechanical engineering": "机械工程",
    "Other fields": "其他领域",
}
WIPO_FIELDS_ZH = [  # Chinese names of the 35 WIPO technology fields as used in CNIPA's Chinese reports
    "电气机械、设备和能源",
    "音像技术",
    "电信",
    "数字通信",
    "基础通信程序",
    "计算机技术",
    "管理用信息技术方法",
    "半导体",
    "光学",
    "测量",
    "生物材料分析",
    "控制",
    "医疗技术",
    "有机精细化学",
    "生物技术",
    "药品",
    "高分子化学、聚合物",
    "食品化学",
    "基础材料化学",
    "材料、冶金",
    "表面技术、涂层",
    "微观结构和纳米技术",
    "化学工程",
    "环境技术",
    "装卸",
    "机床",
    "发动机、泵、涡轮机",
    "纺织和造纸机械",
    "其他专用机械",
    "热加工和设备",
    "机械零件",
    "运输",
    "家具、游戏",
    "其他消费品",
    "土木工程",
]

CNIPA_CONVENTIONS = {
    "bare_main_group": "head_only",
    "group_head": "head_only",
    "bare_subgroup": "exact",
    "note": (
        "As read by the transcriber's own tool: 'X*' covers the subtree at the level written; a subgroup "
        "with '*' covers subgroups whose number starts with those digits (approximation of the dot "
        "hierarchy, which the files do not carry); a bare main group ('H03M13') or a group head "
        "('X/00') without '*' is the group head only; a subgroup without '*' is that subgroup only."
    ),
}


def _parents(code: str, known: set[str], top: str | None = None) -> str | None:
    """Nearest ancestor of a dotted branch number that exists (or the top category)."""
    parts = code.split(".")
    for n in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in known:
            return candidate
    return top


def _write(system_id: str, meta: dict, categories: pd.DataFrame, rules: pd.DataFrame) -> None:
    folder = OUT / system_id
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "id": system_id,
        **meta,
        "counts": {
            "categories": int(len(categories)),
            "rules": int(len(rules)),
            "leaf_categories": int(rules["category"].nunique()),
        },
    }
    with open(folder / "system.yaml", "w", encoding="utf-8") as fh:
        yaml.safe_dump(meta, fh, allow_unicode=True, sort_keys=False, width=110)
    categories[CATEGORY_COLUMNS].to_csv(folder / "categories.csv", index=False, encoding="utf-8")
    rules = rules.assign(weight=rules["weight"].astype(float))
    rules[RULE_COLUMNS].to_csv(folder / "rules.csv", index=False, encoding="utf-8")
    print(f"{system_id}: {len(categories)} categories, {len(rules)} rules")


def _cnipa_rules(src: pd.DataFrame, category: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rule_id": category + "#" + src["rule_no"].astype(str),
            "category": category,
            "ipc_patterns": src["ipc_patterns"],
            "ipc_exclusions": src["ipc_exclusions"],
            "keywords": src["keywords"],
            "keyword_exclusions": src["keyword_exclusions"],
            "coverage": src["coverage"],
            "weight": 1.0,
            "source_ref": "p. " + src["page"].astype(str),
        }
    )


def _level(code: str) -> int:
    return code.count(".") + 1


def _dotted_categories(leaves: pd.DataFrame, ancestor_names: dict | None = None) -> pd.DataFrame:
    """Categories of a table with dotted branch numbers: its leaves plus every ancestor number they imply."""
    known = set(leaves["branch_no"])
    ancestors = {".".join(c.split(".")[:n]) for c in known for n in range(1, len(c.split(".")))} - known
    names = ancestor_names or {}
    rows = [(a, *names.get(a, (None, None)), _parents(a, ancestors | known), _level(a)) for a in sorted(ancestors)]
    rows += [
        (c, n, None, _parents(c, ancestors | known), _level(c))
        for c, n in zip(leaves["branch_no"], leaves["branch_name"])
    ]
    return pd.DataFrame(rows, columns=CATEGORY_COLUMNS)


def _cnipa_meta(
    name_zh: str,
    name_en: str,
    year: int,
    source_document: str,
    source: str,
    trust: str,
    expected: dict,
    notes: list[str],
    **extra,
) -> dict:
    """Metadata of a CNIPA rule table transcribed by a third party (what the four tables share)."""
    return {
        "name_zh": name_zh,
        "name_en": name_en,
        "edition": str(year),
        "edition_year": year,
        "issuer": "国家知识产权局 (CNIPA)",
        "source_document": source_document,
        "source": source,
        "licence": "Official CNIPA publication; the transcription carries no licence",
        "trust": trust,
        "weighting": "split_over_categories",
        "keyword_role": "condition",
        "conventions": CNIPA_CONVENTIONS,
        **extra,
        "expected": expected,
        "notes": notes,
    }


def _transcription(file: str) -> str:
    return f"{file}: third-party transcription of the official PDF (vvangpc/pr-re)"


def build_sei(shared: Path) -> None:
    src = pd.read_csv(shared / "cnipa_sei_2021_rules.csv", dtype=str, keep_default_na=False)
    leaves = src.drop_duplicates("branch_no")[["branch_no", "branch_name"]]
    cats = pd.DataFrame([(k, zh, en, None, 1) for k, (zh, en) in SEI_FIELDS.items()], columns=CATEGORY_COLUMNS)
    cats = pd.concat(
        [
            cats,
            pd.DataFrame(
                {
                    "category": leaves["branch_no"],
                    "name_zh": leaves["branch_name"],
                    "name_en": None,
                    "parent": leaves["branch_no"].str.split(".").str[0],
                    "level": 2,
                }
            ),
        ]
    )
    meta = _cnipa_meta(
        "战略性新兴产业分类与国际专利分类参照关系表（2021）（试行）",
        "CNIPA concordance of strategic emerging industries and the IPC (2021, trial)",
        2021,
        "国知办函规字〔2021〕121号",
        "cnipa_sei_2021_rules.csv: transcribed from a PDF compilation of CNIPA documents by a third party "
        "(public repository vvangpc/pr-re, commit ab5c0d49); page numbers refer to that compilation",
        "medium: third-party transcription; 287 rules vs 321 in an independent copy",
        {"leaf_categories": 40, "rules": 287},
        [
            "Field names (level 1) from NBS 《战略性新兴产业分类（2018）》.",
            "Suspicious rows: 1.1 rule 3 lists 15 symbols both as patterns and as exclusions; 'H03M13' (1.3) and "
            "'G16H' (1.5) have no '*'; 'G16*' (1.3) and 'C08*' (3.6) are whole classes.",
        ],
    )
    _write("cnipa_sei_2021", meta, cats, _cnipa_rules(src, src["branch_no"]))


def build_digital(shared: Path) -> None:
    src = pd.read_csv(shared / "cnipa_key_digital_tech_2023_rules.csv", dtype=str, keep_default_na=False)
    prefix = src["subsystem"].map(lambda s: DIGITAL_SUBSYSTEMS[s][0])
    code = prefix + ":" + src["branch_no"]
    rows = [(p, zh, en, None, 1) for zh, (p, en) in DIGITAL_SUBSYSTEMS.items()]
    known = set(code)
    for c, name in zip(code, src["branch_name"]):
        sub, branch = c.split(":")
        parent = _parents(branch, {k.split(":")[1] for k in known if k.startswith(sub + ":")})
        rows.append((c, name, None, f"{sub}:{parent}" if parent else sub, _level(branch) + 1))
    cats = pd.DataFrame(rows, columns=CATEGORY_COLUMNS).drop_duplicates("category")
    meta = _cnipa_meta(
        "关键数字技术专利分类体系（2023）",
        "CNIPA key digital technologies patent classification (2023)",
        2023,
        "关键数字技术专利分类体系（2023）",
        _transcription("cnipa_key_digital_tech_2023_rules.csv"),
        "medium: parent rows that had only a name were dropped by the transcriber (their names are blank)",
        {"leaf_categories": 527, "rules": 527},
        [
            "Branch numbers restart in each subsystem: a category code is SUBSYSTEM:branch, e.g. AI:1.1.",
            "The long list G06F3/0481…/04895 was merged into 'G06F3/048*' by the transcriber.",
            "Subsystem codes (AI, CHIP, …) are ipstats' own.",
        ],
    )
    _write("cnipa_digital_tech_2023", meta, cats, _cnipa_rules(src, code))


def build_green(shared: Path) -> None:
    src = pd.read_csv(shared / "cnipa_green_tech_rules.csv", dtype=str, keep_default_na=False)
    cats = _dotted_categories(src.drop_duplicates("branch_no"))
    meta = _cnipa_meta(
        "绿色技术专利分类体系（主表）",
        "CNIPA green technology patent classification (main table)",
        2022,
        "绿色技术专利分类体系",
        _transcription("cnipa_green_tech_rules.csv"),
        "medium: the transcriber turned every code into a subtree ('*') and 'X/00' into 'X*'; "
        "names of the 12 first-level groups and intermediate levels are not in the transcription (blank)",
        {"leaf_categories": 143, "rules": 155},
        ["Rules marked 全部涉及 count as confirmed, 部分涉及 as candidates; report both."],
        coverage_meaning={
            "全部涉及": "confirmed: everything below the symbol is green",
            "部分涉及": "candidate: only part of what is below the symbol is green",
        },
    )
    _write("cnipa_green_tech", meta, cats, _cnipa_rules(src, src["branch_no"]))


def build_new_three(shared: Path) -> None:
    src = pd.read_csv(shared / "cnipa_new_three_2024_rules.csv", dtype=str, keep_default_na=False)
    cats = _dotted_categories(src.drop_duplicates("branch_no"), NEW_THREE)
    meta = _cnipa_meta(
        "“新三样”相关技术专利分类体系（2024）",
        "CNIPA 'new three' technologies patent classification (2024): electric vehicles, lithium batteries, photovoltaics",
        2024,
        "国知办发规字〔2024〕28号",
        _transcription("cnipa_new_three_2024_rules.csv"),
        "medium: ranges written with '…' were expanded and a few keyword variants added by the transcriber",
        {"leaf_categories": 49, "rules": 78},
        ["First-level names 电动汽车/锂电池/光伏 follow the document's three products."],
    )
    _write("cnipa_new_three_2024", meta, cats, _cnipa_rules(src, src["branch_no"]))


def _wipo_pattern(row: pd.Series) -> str:
    group = str(row["ipc_main_group"]).strip()
    return f"{row['ipc_subclass']}{int(group)}*" if group and group != "nan" else f"{row['ipc_subclass']}*"


def build_wipo(shared: Path) -> None:
    src = pd.read_csv(shared / "wipo_ipc_technology_2019.csv", dtype=str, keep_default_na=False)
    fields = src.drop_duplicates("field_nr")[["field_nr", "sector", "field_name"]]
    sectors = list(dict.fromkeys(fields["sector"]))
    sector_code = {s: f"S{i}" for i, s in enumerate(sectors, 1)}
    cats = pd.DataFrame([(sector_code[s], WIPO_SECTORS_ZH[s], s, None, 1) for s in sectors], columns=CATEGORY_COLUMNS)
    cats = pd.concat(
        [
            cats,
            pd.DataFrame(
                {
                    "category": fields["field_nr"],
                    "name_zh": [WIPO_FIELDS_ZH[int(f) - 1] for f in fields["field_nr"]],
                    "name_en": fields["field_name"],
                    "parent": fields["sector"].map(sector_code),
                    "level": 2,
                }
            ),
        ]
    )
    rules = pd.DataFrame(
        {
            "rule_id": [f"{f}#{i}" for i, f in enumerate(src["field_nr"], 1)],
            "category": src["field_nr"],
            "ipc_patterns": src.apply(_wipo_pattern, axis=1),
            "ipc_exclusions": "",
            "keywords": "",
            "keyword_exclusions": "",
            "coverage": "",
            "weight": 1.0,
            "source_ref": src["ipc_like_pattern"],
        }
    )
    base = {
        "name_en": "WIPO IPC–technology concordance (35 fields, 5 sectors)",
        "edition": "2019",
        "edition_year": 2019,
        "issuer": "WIPO",
        "source_document": "Schmoch (2008), Concept of a technology classification for country "
        "comparisons, updated 2019",
        "source": "wipo_ipc_technology_2019.csv: WIPO table as reproduced in PatentsView-DB "
        "(persistent_files/ipc_technology.csv), cross-checked against an independent copy",
        "licence": "WIPO, CC BY 4.0",
        "trust": "high",
        "weighting": "split_over_categories",
        "keyword_role": "none",
        "conventions": {
            "bare_main_group": "subtree",
            "group_head": "subtree",
            "bare_subgroup": "exact",
            "note": "Each row is a subclass or a main group with all its subgroups ('H04N3*').",
        },
        "notes": ["Chinese field names as used in CNIPA's Chinese reports (translation, not WIPO's)."],
    }
    _write(
        "wipo_fields_2019",
        {"name_zh": "WIPO技术领域（35个领域）", **base, "expected": {"leaf_categories": 35, "rules": len(src)}},
        cats,
        rules,
    )
    extra = pd.read_csv(shared / "wipo_ipc_technology_post2019_subclasses_UNOFFICIAL.csv", dtype=str)
    extra_rules = pd.DataFrame(
        {
            "rule_id": [f"{f}#u{i}" for i, f in enumerate(extra["proposed_field_nr"], 1)],
            "category": extra["proposed_field_nr"],
            "ipc_patterns": extra["ipc_subclass"] + "*",
            "ipc_exclusions": "",
            "keywords": "",
            "keyword_exclusions": "",
            "coverage": "",
            "weight": 1.0,
            "source_ref": "UNOFFICIAL proposal: " + extra["basis"],
        }
    )
    _write(
        "wipo_fields_2019_supplemented",
        {
            "name_zh": "WIPO技术领域（35个领域，含2019年后新小类的非官方补充）",
            **{
                **base,
                "name_en": base["name_en"] + " with an UNOFFICIAL supplement for subclasses created after 2019",
                "trust": "high for the WIPO rows; the 11 rules whose source_ref starts with 'UNOFFICIAL' are ipstats' "
                "proposal by analogy (G06V, G16Y, B64U, H10*), not WIPO's",
            },
            "expected": {"leaf_categories": 35, "rules": len(src) + len(extra)},
        },
        cats,
        pd.concat([rules, extra_rules], ignore_index=True),
    )


def build_green_inventory(shared: Path) -> None:
    src = pd.read_csv(shared / "wipo_ipc_green_inventory_flat.csv", dtype=str, keep_default_na=False)
    topics = list(dict.fromkeys(src["green_inventory_topic"]))
    code = {t: f"GI{i:03d}" for i, t in enumerate(topics, 1)}
    cats = pd.DataFrame(
        {"category": [code[t] for t in topics], "name_zh": None, "name_en": topics, "parent": None, "level": 1}
    )
    rules = pd.DataFrame(
        {
            "rule_id": [f"{code[t]}#{i}" for i, t in enumerate(src["green_inventory_topic"], 1)],
            "category": src["green_inventory_topic"].map(code),
            "ipc_patterns": src["ipc_code"],
            "ipc_exclusions": "",
            "keywords": "",
            "keyword_exclusions": "",
            "coverage": "",
            "weight": 1.0,
            "source_ref": "",
        }
    )
    meta = {
        "name_zh": "WIPO IPC绿色清单（展开版）",
        "name_en": "WIPO IPC Green Inventory (flattened, leaf topics)",
        "edition": "2023 flattening of the WIPO inventory",
        "edition_year": 2023,
        "issuer": "WIPO",
        "source_document": "WIPO IPC Green Inventory",
        "source": "wipo_ipc_green_inventory_flat.csv: Favot et al. (2023) via a public repository",
        "licence": "CC BY 4.0",
        "trust": "medium: ranges expanded, one topic per code, the 7 top categories missing",
        "weighting": "split_over_categories",
        "keyword_role": "none",
        "conventions": {
            "bare_main_group": "subtree",
            "group_head": "subtree",
            "bare_subgroup": "subtree",
            "note": "A listed symbol covers itself and everything below it (subgroups by digit prefix).",
        },
        "expected": {"leaf_categories": len(topics), "rules": len(src)},
        "notes": ["Topic codes GI001… are ipstats' own, in the order of the source file."],
    }
    _write("wipo_green_inventory", meta, cats, rules)


def build_isi(shared: Path) -> None:
    src = pd.read_csv(shared / "isi_ipc_class_to_nace2_weights.csv", dtype=str)
    divisions = sorted(src["nace_rev2_division"].unique())
    cats = pd.DataFrame({"category": divisions, "name_zh": None, "name_en": None, "parent": None, "level": 1})
    rules = pd.DataFrame(
        {
            "rule_id": src["nace_rev2_division"] + "#" + src["ipc_class"],
            "category": src["nace_rev2_division"],
            "ipc_patterns": src["ipc_class"] + "*",
            "ipc_exclusions": "",
            "keywords": "",
            "keyword_exclusions": "",
            "coverage": "",
            "weight": src["share_of_ipc_class_patents"].astype(float),
            "source_ref": "",
        }
    )
    meta = {
        "name_zh": "Fraunhofer ISI IPC大类—NACE Rev.2门类概率对照表",
        "name_en": "Fraunhofer ISI probabilistic concordance IPC class → NACE Rev.2 division",
        "edition": "2019",
        "edition_year": 2019,
        "issuer": "Fraunhofer ISI",
        "source_document": "Neuhäusler, Frietsch & Kroll (2019), concordance tables from transnational patents 2014–2016",
        "source": "isi_ipc_class_to_nace2_weights.csv",
        "licence": "Fraunhofer ISI, published concordance",
        "trust": "high provenance, coarse (IPC class level); division names not shipped",
        "weighting": "probabilistic",
        "keyword_role": "none",
        "conventions": {
            "bare_main_group": "subtree",
            "group_head": "subtree",
            "bare_subgroup": "exact",
            "note": "weight = P(NACE division | IPC class); a patent's weight is the mean over its classes.",
        },
        "expected": {"leaf_categories": len(divisions), "rules": len(src)},
        "notes": [
            "The open example of an IPC→industry concordance; CNIPA's 2018 IPC–国民经济行业 table is a user table."
        ],
    }
    _write("isi_nace2", meta, cats, rules)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "reference")
    args = parser.parse_args()
    conc = args.shared / "concordances"
    for build in (build_wipo, build_sei, build_digital, build_green, build_new_three, build_green_inventory, build_isi):
        build(conc)


if __name__ == "__main__":
    main()
