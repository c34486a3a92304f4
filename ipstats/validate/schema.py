"""Input schemas (输入数据模式): frictionless Table Schemas in YAML, found by name.

The schemas live in ``data_schemas/`` at the top of the repository, where statisticians read them.
A wheel has no repository, so the package carries a copy in ``ipstats/validate/data/schemas/``
(refreshed with ``python -m ipstats.validate sync-schemas``; a test checks the copy matches). A name is
looked up in ``$IPSTATS_SCHEMAS`` first, then ``data_schemas/`` beside the package, then the copy.

ipstats reads these Table Schema properties: ``fields`` (``name``, ``title``, ``type``, ``format``,
``constraints``: ``required``, ``unique``, ``enum``, ``minimum``, ``maximum``, ``exclusiveMinimum``,
``exclusiveMaximum``, ``minLength``, ``maxLength``, ``pattern``; ``trueValues``/``falseValues``,
``missingValues``, ``groupChar`` of numbers, e.g. ``","`` for ``1,200.5``), ``primaryKey``, ``uniqueKeys``, ``foreignKeys``, ``missingValues`` and
``fieldsMatch`` (default ``equal``: the same columns in any order). Two ipstats additions:

* string formats ``ipc`` (one IPC symbol), ``ipc_list`` (several, ``;``-separated),
  ``ipc_pattern_list`` (concordance patterns such as ``H01L21/02*``), ``cn_application_number``
  (申请号 with its check character) and ``uscc`` (统一社会信用代码, GB 32100-2015);
* ``rowChecks``: comparisons within a row, e.g.
  ``{field: grant_date, notBefore: filing_date}``, ``{field: filing_date, notAfter: today}`` (also
  ``atLeast``/``atMost``), and conditions on another column: ``{field: grant_date, requiredWhen:
  {legal_status: [有效]}}``, ``{field: lapse_date, emptyWhen: {legal_status: [有效, 审中]}}``, and a term from a
  start date by a code column: ``{field: lapse_date, withinTerm: {from: filing_date, by: patent_type, years:
  {发明: 20, 实用新型: 10, 外观设计: 10}, since: {"2021-06-01": {外观设计: 15}}}}`` (the date no later than the start
  plus the code's years; ``since`` gives other years to rows starting on or after a date, ``extension`` years
  that may be added, such as term compensation); and an origin: ``{field: province_code, originOf: origin_code}``
  (where the other column holds one of the field's own codes, the field equals it; where it holds another
  code — 港澳台, a foreign country — the field is empty). In ``requiredWhen``, ``emptyWhen`` and ``originOf`` a
  column the file does not have counts as a column of empty cells.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from ipstats.errors import IpstatsError

__all__ = [
    "COLUMNS_ENV",
    "Field",
    "Schema",
    "SchemaError",
    "column_mapping",
    "load_schema",
    "parse_column_args",
    "registered_columns",
    "resolve_schema",
    "schema_dirs",
    "schema_names",
    "sync_packaged_schemas",
]

SUFFIX = ".schema.yaml"
PACKAGED = Path(__file__).with_name("data") / "schemas"
REPOSITORY = Path(__file__).resolve().parents[2] / "data_schemas"
FIELDS_MATCH = ("exact", "equal", "subset", "superset", "partial")
ROW_CHECKS = {
    "notBefore": ">=",
    "notAfter": "<=",
    "atLeast": ">=",
    "atMost": "<=",
    "requiredWhen": "required",
    "emptyWhen": "empty",
    "withinTerm": "term",
    "originOf": "origin",
}


class SchemaError(IpstatsError, ValueError):
    """A schema that cannot be found or read; one line for people."""


@dataclass(frozen=True)
class Field:
    """One field (column) of a schema."""

    name: str
    type: str = "string"
    format: str = "default"
    title: str = ""
    constraints: dict[str, Any] = field(default_factory=dict)
    true_values: tuple[str, ...] = ("true", "True", "TRUE", "1")
    false_values: tuple[str, ...] = ("false", "False", "FALSE", "0")
    missing_values: tuple[str, ...] = ("",)
    example: str = ""
    group_char: str = ""
    value_names: tuple[tuple[str, str], ...] = ()

    @property
    def names(self) -> dict[str, str]:
        """Names read as codes (``valueNames``/``valueNamesFrom``): ``江苏省`` → ``32``, ``发明专利`` → ``发明``."""
        return dict(self.value_names)

    @property
    def required(self) -> bool:
        """Whether every row needs a value (``constraints.required``)."""
        return bool(self.constraints.get("required"))


@dataclass(frozen=True)
class Schema:
    """A parsed Table Schema.

    Attributes
    ----------
    name : str
        File stem without ``.schema.yaml``, e.g. ``patent_register``.
    path : Path
        The YAML file.
    title : str
        ``title`` of the schema (Chinese / English).
    fields : tuple of Field
    primary_key : tuple of str
    unique_keys : tuple of tuple of str
    foreign_keys : tuple of dict
        ``{"fields": (...), "resource": str, "reference_fields": (...)}``; resource ``""`` is this table.
    fields_match : str
    row_checks : tuple of dict
        ``{"field": str, "op": ">=" or "<=", "other": str, "title": str}``.
    """

    name: str
    path: Path
    title: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    unique_keys: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[dict[str, Any], ...] = ()
    fields_match: str = "equal"
    row_checks: tuple[dict[str, Any], ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()

    def with_columns(self, mapping: dict[str, str] | None) -> "Schema":
        """This schema reading the columns of *mapping* (header in the file → field) as the fields they name.

        Raises
        ------
        SchemaError
            A target that is not a field of the schema.
        """
        if not mapping:
            return self
        names = set(self.field_names)
        for source, target in mapping.items():
            if target not in names:
                raise SchemaError(
                    f"column mapping {source}={target}: {target!r} is not a field of schema "
                    f"{self.name} (fields: {', '.join(self.field_names)})"
                )
        from dataclasses import replace

        merged = {**dict(self.aliases), **{str(k): str(v) for k, v in mapping.items()}}
        return replace(self, aliases=tuple(sorted(merged.items())))

    @property
    def field_names(self) -> list[str]:
        """Names of the fields in schema order."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """The field called *name*."""
        return next(f for f in self.fields if f.name == name)


def schema_dirs() -> list[Path]:
    """Folders searched for ``<name>.schema.yaml``, in order."""
    dirs = [Path(p) for p in os.environ.get("IPSTATS_SCHEMAS", "").split(os.pathsep) if p]
    return [d for d in [*dirs, REPOSITORY, PACKAGED] if d.is_dir()]


def schema_names() -> list[str]:
    """Names of all schemas found (``patent_register``, ``population``, …), sorted."""
    return sorted({p.name[: -len(SUFFIX)] for d in schema_dirs() for p in d.glob(f"*{SUFFIX}")})


def _keys(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise SchemaError(f"{where}: expected a field name or a list of field names, got {value!r}")


#: Reference tables a field's ``valueNamesFrom`` may name, and how each gives names for its codes.
_NAME_SOURCES = ("provinces", "origins")


def _value_names(raw: dict, where: str) -> dict[str, str]:
    """Names read as codes: the field's ``valueNames`` mapping over those of ``valueNamesFrom`` (a reference table)."""
    names: dict[str, str] = {}
    source = raw.get("valueNamesFrom")
    if source is not None:
        from ipstats import reference

        if source not in _NAME_SOURCES:
            raise SchemaError(
                f"{where}: valueNamesFrom of field {raw['name']} must be one of "
                f"{', '.join(_NAME_SOURCES)}, got {source!r}"
            )
        if source == "provinces":
            table = reference.provinces()
            for col in ("name_zh", "short_zh"):
                names.update(dict(zip(table[col], table["province_code"])))
        else:
            table = reference.origins()
            code = table["alias_of"].where(table["alias_of"].str.fullmatch(r"[0-9A-Z]{2}"), table["origin_code"])
            names.update(dict(zip(table["name_zh"], code)))
            provinces = reference.provinces()
            names.update(dict(zip(provinces["name_zh"], provinces["province_code"])))
            names.pop("中国", None)  # not an origin: a province is
    given = raw.get("valueNames") or {}
    if not isinstance(given, dict):
        raise SchemaError(f"{where}: valueNames of field {raw['name']} must be a mapping of names to codes")
    names.update({str(k): str(v) for k, v in given.items()})
    return names


def _field(raw: Any, where: str, missing: tuple[str, ...]) -> Field:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise SchemaError(f"{where}: every field needs a name, got {raw!r}")
    constraints = raw.get("constraints") or {}
    if not isinstance(constraints, dict):
        raise SchemaError(f"{where}: constraints of field {raw['name']} must be a mapping")
    extra = {}
    for key, attr in (
        ("trueValues", "true_values"),
        ("falseValues", "false_values"),
        ("missingValues", "missing_values"),
    ):
        if key in raw:
            extra[attr] = tuple(str(v) for v in raw[key])
    if "missing_values" not in extra:
        extra["missing_values"] = missing
    if raw.get("groupChar"):
        extra["group_char"] = str(raw["groupChar"])
    names = _value_names(raw, where)
    if names:
        extra["value_names"] = tuple(sorted(names.items()))
    return Field(
        name=raw["name"],
        type=str(raw.get("type") or "string"),
        format=str(raw.get("format") or "default"),
        title=str(raw.get("title") or ""),
        constraints=dict(constraints),
        example=str(raw.get("example") or ""),
        **extra,
    )


def _row_checks(raw: Any, names: set[str], where: str) -> tuple[dict[str, Any], ...]:
    checks = []
    for item in raw or []:
        ops = [k for k in item if k in ROW_CHECKS] if isinstance(item, dict) else []
        if len(ops) != 1 or item.get("field") not in names:
            raise SchemaError(
                f"{where}: rowChecks entry {item!r} needs a known field and one of {', '.join(ROW_CHECKS)}"
            )
        op = ROW_CHECKS[ops[0]]
        if op in ("required", "empty"):  # {field: grant_date, requiredWhen: {legal_status: [有效, …]}}
            condition = item[ops[0]]
            if not (isinstance(condition, dict) and len(condition) == 1 and next(iter(condition)) in names):
                raise SchemaError(f"{where}: rowChecks entry {item!r}: {ops[0]} needs one known field and its values")
            other, values = next(iter(condition.items()))
            values = [str(v) for v in (values if isinstance(values, list) else [values])]
        elif op == "term":
            term = item[ops[0]]
            if not (
                isinstance(term, dict)
                and term.get("from") in names
                and term.get("by") in names
                and isinstance(term.get("years"), dict)
            ):
                raise SchemaError(
                    f"{where}: rowChecks entry {item!r}: withinTerm needs from (a date field), by (a "
                    f"code field) and years (years by code)"
                )
            other, values = str(term["from"]), []
            checks.append(
                {
                    "field": item["field"],
                    "op": op,
                    "word": ops[0],
                    "other": other,
                    "values": values,
                    "by": str(term["by"]),
                    "years": {str(k): int(v) for k, v in term["years"].items()},
                    "since": {
                        str(d): {str(k): int(v) for k, v in (y or {}).items()}
                        for d, y in (term.get("since") or {}).items()
                    },
                    "extension": {str(k): int(v) for k, v in (term.get("extension") or {}).items()},
                    "title": str(item.get("title") or ""),
                }
            )
            continue
        else:
            other, values = str(item[ops[0]]), []
            if other != "today" and other not in names:
                raise SchemaError(f"{where}: rowChecks entry {item!r} compares with unknown field {other!r}")
        checks.append(
            {
                "field": item["field"],
                "op": op,
                "word": ops[0],
                "other": other,
                "values": values,
                "title": str(item.get("title") or ""),
            }
        )
    return tuple(checks)


def parse_schema(data: Any, name: str, path: Path) -> Schema:
    """Build a :class:`Schema` from the YAML content *data* of *path*."""
    where = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("fields"), list) or not data["fields"]:
        raise SchemaError(f"{where}: not a Table Schema (expected a mapping with a non-empty list of fields)")
    missing = tuple(str(v) for v in data.get("missingValues", [""]))
    fields = tuple(_field(f, where, missing) for f in data["fields"])
    names = {f.name for f in fields}
    primary = _keys(data.get("primaryKey"), where)
    foreign = []
    for fk in data.get("foreignKeys") or []:
        ref = (fk or {}).get("reference") or {}
        foreign.append(
            {
                "fields": _keys(fk.get("fields"), where),
                "resource": str(ref.get("resource") or ""),
                "reference_fields": _keys(ref.get("fields"), where),
            }
        )
    unknown = [k for k in [*primary, *(k for fk in foreign for k in fk["fields"])] if k not in names]
    if unknown:
        raise SchemaError(f"{where}: key field {unknown[0]!r} is not a field of the schema")
    match = str(data.get("fieldsMatch") or "equal")
    if match not in FIELDS_MATCH:
        raise SchemaError(f"{where}: fieldsMatch {match!r} is not one of {', '.join(FIELDS_MATCH)}")
    return Schema(
        name=name,
        path=path,
        title=str(data.get("title") or name),
        fields=fields,
        primary_key=primary,
        unique_keys=tuple(_keys(k, where) for k in data.get("uniqueKeys") or []),
        foreign_keys=tuple(foreign),
        fields_match=match,
        row_checks=_row_checks(data.get("rowChecks"), names, where),
    )


@lru_cache(maxsize=64)
def _load(path: Path, mtime: float) -> Schema:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise SchemaError(f"{path}: not a readable YAML schema{where} ({problem})") from None
    name = path.name[: -len(SUFFIX)] if path.name.endswith(SUFFIX) else path.stem
    return parse_schema(data, name, path)


def load_schema(name: str | os.PathLike) -> Schema:
    """Load a schema by name (``patent_register``) or by the path of a ``.yaml`` file.

    Raises
    ------
    SchemaError
        No such schema (the message lists the known names), or the file is not a Table Schema.
    """
    text = str(name)
    if text.endswith((".yaml", ".yml")) or os.sep in text:
        path = Path(text)
        if not path.is_file():
            raise SchemaError(f"schema file {path} not found")
    else:
        found = [d / f"{text}{SUFFIX}" for d in schema_dirs() if (d / f"{text}{SUFFIX}").is_file()]
        if not found:
            raise SchemaError(f"no schema named {text!r} (known: {', '.join(schema_names()) or 'none'})")
        path = found[0]
    path = path.resolve()
    return _load(path, path.stat().st_mtime)


def sync_packaged_schemas(source: Path = REPOSITORY, target: Path = PACKAGED) -> list[Path]:
    """Copy every ``*.schema.yaml`` of *source* into the packaged folder *target*; remove stale copies."""
    target.mkdir(parents=True, exist_ok=True)
    wanted = {p.name for p in source.glob(f"*{SUFFIX}")}
    for stale in target.glob(f"*{SUFFIX}"):
        if stale.name not in wanted:
            stale.unlink()
    return [Path(shutil.copyfile(source / n, target / n)) for n in sorted(wanted)]


#: Environment variable holding the column mappings of input files (JSON: absolute path → {header: field}); the
#: bulletin sets it for its notebooks' kernels, so every reader of a mapped input reads it the same way.
COLUMNS_ENV = "IPSTATS_COLUMNS"


def registered_columns(path: str | os.PathLike | None) -> dict[str, str]:
    """The column mapping registered for *path* in :data:`COLUMNS_ENV` (``{}`` when none)."""
    import json

    if path is None or not os.environ.get(COLUMNS_ENV):
        return {}
    try:
        table = json.loads(os.environ[COLUMNS_ENV])
    except ValueError:
        raise SchemaError(
            f"${COLUMNS_ENV} is not JSON (expected {{\"/path/file.csv\": {{\"国省代码\": \"province_code\"}}}})"
        ) from None
    return dict(table.get(str(Path(path).resolve()), {}))


def column_mapping(mappings: dict[str, dict[str, str]]) -> str:
    """The :data:`COLUMNS_ENV` value for *mappings* (file → {header: field}), paths made absolute."""
    import json

    return json.dumps(
        {str(Path(k).resolve()): dict(v) for k, v in mappings.items() if v}, ensure_ascii=False, sort_keys=True
    )


def resolve_schema(schema: str | os.PathLike | Schema, path: str | os.PathLike | None = None) -> Schema:
    """*schema* loaded (by name or path) and reading *path* with its registered column mapping, if any."""
    loaded = schema if isinstance(schema, Schema) else load_schema(schema)
    return loaded.with_columns(registered_columns(path))


def parse_column_args(items: list[str] | None) -> dict[str, str]:
    """``--column SRC=DEST`` options as a mapping; ValueError with one line for anything else."""
    mapping = {}
    for item in items or []:
        source, sep, target = item.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise ValueError(f"--column expects SRC=DEST, e.g. 国省代码=province_code; got {item!r}")
        mapping[source.strip()] = target.strip()
    return mapping
