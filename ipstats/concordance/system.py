"""Classification systems: versioned rule tables with their categories and provenance.

A system is a folder with ``system.yaml`` (metadata and matching conventions), ``rules.csv`` and
``categories.csv`` (schemas in ``data_schemas/concordance_*.schema.yaml``). The shipped systems live
in ``ipstats/concordance/data/``. A user table is either such a folder or one CSV in the rules schema
(with optional ``category_name_zh``, ``category_name_en``, ``parent`` columns) and an optional
``<file>.yaml`` beside it holding the metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from ipstats.concordance.keywords import split_terms
from ipstats.concordance.patterns import Conventions, PatternError, parse_pattern
from ipstats.errors import InputError

__all__ = ["DATA_DIR", "RULE_COLUMNS", "System", "RuleTableError", "list_systems", "load_system"]

DATA_DIR = Path(__file__).with_name("data")
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
_REQUIRED = ["category", "ipc_patterns"]
_COVERAGE = {"", "全部涉及", "部分涉及"}


class RuleTableError(InputError):
    """A rule table that cannot be used; the message is one line naming file, row and field."""


@dataclass
class System:
    """A classification system: metadata, categories and rules (one row per rule)."""

    id: str
    meta: dict
    categories: pd.DataFrame
    rules: pd.DataFrame
    conventions: Conventions = field(default_factory=Conventions)

    @property
    def name(self) -> str:
        """Chinese name where known, else English."""
        return self.meta.get("name_zh") or self.meta.get("name_en") or self.id

    @property
    def edition(self) -> str:
        return str(self.meta.get("edition", ""))

    @property
    def edition_year(self) -> int | None:
        year = self.meta.get("edition_year")
        return int(year) if year not in (None, "") else None

    @property
    def probabilistic(self) -> bool:
        """True when rule weights are probabilities (P(category | IPC)) rather than plain membership."""
        return self.meta.get("weighting") == "probabilistic"

    @property
    def ipc_edition(self) -> str | None:
        """The IPC version the table was written for (``"2021.01"``), from ``ipc_edition`` in ``system.yaml``.

        Codes created in later IPC versions cannot be in the table: they fall out of its categories
        (:func:`ipstats.concordance.coverage.coverage` counts them). None when the metadata do not say.
        """
        value = self.meta.get("ipc_edition")
        return str(value) if value not in (None, "") else None

    @property
    def ipc_edition_year(self) -> int | None:
        """Year of :attr:`ipc_edition`, else the table's own ``edition_year``."""
        if self.ipc_edition:
            return int(self.ipc_edition[:4])
        return self.edition_year

    def label(self) -> str:
        """One line naming the system and edition, as every bulletin section states it."""
        ipc = f"，按IPC {self.ipc_edition}版编制" if self.ipc_edition else ""
        return f"{self.name}（{self.edition}，{self.meta.get('issuer', '')}{ipc}）"

    def category_names(self) -> pd.Series:
        """Official names by category code (Chinese, else English); missing where the table gives none."""
        names = self.categories.set_index("category")
        return names["name_zh"].fillna(names["name_en"])

    def display_names(self, listed: int = 3) -> pd.Series:
        """Names to show: the official name, or for a category the table leaves unnamed its named sub-branches.

        The green technology table's transcription names only its detailed branches; a level-1 group is
        then shown as ``下设“保水开采技术”“褐煤开采”“资源综合利用技术”等32个分支`` (the nearest named categories
        below it, the first *listed* of them in code order, and how many there are) — never a bare code and
        never a name the table does not give. A category with no named category below it says so.
        """
        names = self.category_names()
        children: dict = {}
        for code, parent in zip(self.categories["category"], self.categories["parent"]):
            if isinstance(parent, str) and parent:
                children.setdefault(parent, []).append(code)

        def named_below(code: str) -> list[str]:
            found = []
            for child in sorted(children.get(code, []), key=_code_key):
                found += [child] if isinstance(names.get(child), str) else named_below(child)
            return found

        out = {}
        for code, name in names.items():
            if isinstance(name, str) and name:
                out[code] = name
                continue
            below = [names[c] for c in named_below(code)]
            if not below:
                out[code] = f"{code}（分类表未给出名称）"
            elif len(below) <= listed:
                out[code] = "下设" + "".join(f"“{b}”" for b in below)
            else:
                out[code] = "下设" + "".join(f"“{b}”" for b in below[:listed]) + f"等{len(below)}个分支"
        return pd.Series(out, name="category_name").reindex(names.index)

    def ancestors(self, level: int) -> pd.Series:
        """Map every category to its ancestor at *level* (1 = top); categories above it map to None."""
        cats = self.categories.set_index("category")
        parent = cats["parent"].to_dict()
        lvl = cats["level"].to_dict()
        out = {}
        for code in cats.index:
            node = code
            while node is not None and lvl.get(node, 0) > level:
                node = parent.get(node)
            out[code] = node if node is not None and lvl.get(node) == level else None
        return pd.Series(out, name=f"level_{level}")


def _code_key(code: str) -> tuple:
    """Sort key of a hierarchical code: ``1.2`` before ``1.10``, numbers before letters."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in str(code).replace(":", ".").split("."))


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="gb18030")
    except (OSError, pd.errors.ParserError) as exc:
        raise RuleTableError(f"{path}: cannot read the rule table ({str(exc).splitlines()[0]})") from None


def _check_rules(rules: pd.DataFrame, path: Path, conventions: Conventions) -> pd.DataFrame:
    """Complete optional columns and check every cell; raise one line for the first problem."""
    missing = [c for c in _REQUIRED if c not in rules.columns]
    if missing:
        raise RuleTableError(
            f"{path}: missing required column(s) {', '.join(missing)} (see data_schemas/concordance_rules.schema.yaml)"
        )
    rules = rules.copy()
    for col in RULE_COLUMNS:
        if col not in rules.columns:
            rules[col] = ""
    if (rules["rule_id"] == "").all():
        rules["rule_id"] = rules["category"] + "#" + (rules.groupby("category").cumcount() + 1).astype(str)
    rules["weight"] = rules["weight"].replace("", "1")
    for i, row in rules.iterrows():
        line = i + 2
        if not row["category"].strip():
            raise RuleTableError(f"{path}: row {line}, field category: empty; every rule needs a category code")
        if not row["ipc_patterns"].strip():
            raise RuleTableError(
                f"{path}: row {line}, field ipc_patterns: empty; expected IPC patterns such as 'H01L21*'"
            )
        for col in ("ipc_patterns", "ipc_exclusions"):
            for pat in filter(None, (p.strip() for p in row[col].replace("；", ";").split(";"))):
                try:
                    parse_pattern(pat, conventions)
                except PatternError as exc:
                    raise RuleTableError(f"{path}: row {line}, field {col}: {exc}") from None
        if row["coverage"] not in _COVERAGE:
            raise RuleTableError(
                f"{path}: row {line}, field coverage: {row['coverage']!r}; expected 全部涉及, 部分涉及 or empty"
            )
        try:
            weight = float(row["weight"])
        except ValueError:
            raise RuleTableError(f"{path}: row {line}, field weight: {row['weight']!r} is not a number") from None
        if not 0 < weight <= 1:
            raise RuleTableError(f"{path}: row {line}, field weight: {weight} is outside (0, 1]")
    if rules["rule_id"].duplicated().any():
        dup = rules.loc[rules["rule_id"].duplicated(), "rule_id"].iloc[0]
        raise RuleTableError(f"{path}: field rule_id: {dup!r} appears more than once; rule ids must be unique")
    rules["weight"] = rules["weight"].astype(float)
    rules["terms"] = rules["keywords"].map(split_terms)
    rules["exclusion_terms"] = rules["keyword_exclusions"].map(split_terms)
    return rules


def _categories_from_rules(rules: pd.DataFrame) -> pd.DataFrame:
    cols = {"category_name_zh": "name_zh", "category_name_en": "name_en", "parent": "parent"}
    cats = rules.drop_duplicates("category")[["category", *[c for c in cols if c in rules.columns]]]
    cats = cats.rename(columns=cols)
    for col in ("name_zh", "name_en", "parent"):
        if col not in cats.columns:
            cats[col] = None
    cats = cats.replace("", None)
    cats["level"] = 1
    return cats[["category", "name_zh", "name_en", "parent", "level"]].reset_index(drop=True)


def _load(path: Path) -> System:
    if path.is_dir():
        meta_path, rules_path, cats_path = path / "system.yaml", path / "rules.csv", path / "categories.csv"
        if not meta_path.exists() or not rules_path.exists():
            raise RuleTableError(f"{path}: a system folder needs system.yaml and rules.csv")
    elif path.suffix.lower() == ".csv":
        meta_path, rules_path, cats_path = path.with_suffix(".yaml"), path, None
    else:
        raise RuleTableError(f"{path}: expected a system folder or a rules .csv file")
    meta = {}
    if meta_path.exists():
        with open(meta_path, encoding="utf-8") as fh:
            meta = yaml.safe_load(fh) or {}
    meta.setdefault("id", path.stem if path.is_file() else path.name)
    meta.setdefault("name_zh", meta["id"])
    meta.setdefault("edition", "user table")
    meta.setdefault("issuer", "user")
    meta.setdefault("source", str(rules_path))
    meta.setdefault("weighting", "split_over_categories")
    conv = meta.get("conventions") or {}
    conventions = Conventions(**{k: v for k, v in conv.items() if k in Conventions.__dataclass_fields__})
    rules = _check_rules(_read_csv(rules_path), rules_path, conventions)
    if cats_path is not None and cats_path.exists():
        cats = _read_csv(cats_path).replace("", None)
        cats["level"] = cats["level"].astype(int)
    else:
        cats = _categories_from_rules(rules)
    unknown = sorted(set(rules["category"]) - set(cats["category"]))
    if unknown:
        raise RuleTableError(f"{rules_path}: field category: {unknown[0]!r} is not in the categories table")
    return System(id=str(meta["id"]), meta=meta, categories=cats, rules=rules, conventions=conventions)


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime: float) -> System:
    return _load(Path(path))


def load_system(name_or_path: str | Path) -> System:
    """Load a shipped system by id (``ipstats systems`` lists them) or a user table by path.

    Raises
    ------
    RuleTableError
        Unknown id, unreadable file, or a rule table that fails its schema (one line: file, row, field).
    """
    candidate = DATA_DIR / str(name_or_path)
    path = candidate if candidate.is_dir() else Path(name_or_path)
    if not path.exists():
        known = ", ".join(list_systems()["id"])
        raise RuleTableError(
            f"unknown classification system {str(name_or_path)!r}; shipped: {known}; or give the path of a rules CSV"
        )
    return _load_cached(str(path.resolve()), path.stat().st_mtime)


def list_systems() -> pd.DataFrame:
    """The shipped systems: ``id``, ``name_zh``, ``name_en``, ``edition``, ``issuer``, ``source``, counts."""
    rows = []
    for folder in sorted(p for p in DATA_DIR.iterdir() if (p / "system.yaml").exists()):
        with open(folder / "system.yaml", encoding="utf-8") as fh:
            meta = yaml.safe_load(fh)
        rows.append(
            {
                "id": folder.name,
                "name_zh": meta.get("name_zh"),
                "name_en": meta.get("name_en"),
                "edition": str(meta.get("edition")),
                "issuer": meta.get("issuer"),
                "source_document": meta.get("source_document"),
                "source": meta.get("source"),
                "rules": meta["counts"]["rules"],
                "categories": meta["counts"]["categories"],
            }
        )
    return pd.DataFrame(rows)
