"""Bulletin parameter files (``parameters/*.yaml``): reading and validation.

Paths in the file are relative to the file's folder and are resolved to absolute paths.

Every notebook receives the run's common parameters (:data:`COMMON_PARAMETERS`: ``year``, ``region``,
``output_dir`` …) and the inputs by key, then its own values. Values shared by several entries go once under
the top-level ``defaults:`` mapping (notebook parameter name → value), which every entry inherits::

    defaults: {demo_patents: 0, keywords: "table", reclassify: "shipped"}
    notebooks:
      - 00_overview                              # gets demo_patents: 0
      - name: 20_domain_monitoring               # gets all three; its own parameters win
        parameters: {system: "cnipa_sei_2021", label: "战略性新兴产业", keywords: "ipc_only"}

The order is: common parameters and inputs, then ``defaults``, then the entry's ``parameters``
(:func:`entry_parameters`). A default reaches only the notebooks whose ``parameters`` cell declares it, but
each must be declared by at least one notebook of the file (:func:`check_defaults`: a misspelt name is an
error, not silently unused). A default may not name a common parameter or an input: those are set by the
file's own keys (``year:``, ``inputs:`` …); an entry may still override them for itself (``year: 2024``).
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ipstats.bulletin.errors import BulletinError

__all__ = [
    "COMMON_PARAMETERS",
    "BulletinParams",
    "NotebookEntry",
    "check_defaults",
    "check_reference_year",
    "entry_parameters",
    "load_params",
    "prepare_inputs",
    "province_codes",
    "regional_title",
    "register_as_of",
]

log = logging.getLogger(__name__)

KNOWN_KEYS = (
    "title",
    "year",
    "region",
    "output",
    "internal_output",
    "notebook_dir",
    "execution_timeout",
    "inputs",
    "demo_data",
    "notebooks",
    "defaults",
    "disclosure",
    "confidentiality",
    "engine",
    "as_of",
    "pdf",
    "lang",
    "title_en",
)
REQUIRED_KEYS = ("title", "year", "notebook_dir", "notebooks")
DEMO_KEYS = ("out", "patents", "seed")
#: Parameters every notebook is offered by the run itself (:func:`ipstats.bulletin.run.notebook_parameters`);
#: no input may take these names and ``defaults:`` may not set them.
COMMON_PARAMETERS = (
    "year",
    "region",
    "output_dir",
    "internal_dir",
    "title",
    "disclosure",
    "engine",
    "run_id",
    "lang",
)
DEFAULT_TIMEOUT = 900
#: Most values a parameter file may hold once its YAML aliases are expanded (a real file holds a few hundred).
MAX_VALUES = 10_000
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NB_NAME = re.compile(r"^[0-9A-Za-z_\-.]+$")


@dataclass(frozen=True)
class NotebookEntry:
    """One notebook of the run: its name (file stem), its own parameters and the id of its outputs.

    ``id`` names the executed notebook and its page (default: the name); a notebook run several times
    with different parameters (one monitoring section per classification system) needs one id per run.
    """

    name: str
    parameters: dict[str, Any] = field(default_factory=dict)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", self.name)


@dataclass(frozen=True)
class BulletinParams:
    """A validated parameter file with absolute paths.

    Attributes
    ----------
    path : Path
        The YAML file.
    title : str
        Bulletin title (index page).
    year : int
        Reference year.
    region : str
        ``"national"`` or a 2-character province code (after any override).
    output : Path
        Default output folder.
    notebook_dir : Path
        Folder of the source notebooks.
    execution_timeout : int
        Seconds allowed per cell.
    inputs : dict of str to Path
        Input files by key; the keys are also notebook parameter names.
    notebooks : tuple of NotebookEntry
        Notebooks in run order.
    demo_data : dict or None
        ``{"out": Path, "patents": int, "seed": int}`` when demo data is generated before the run.
    raw : dict
        The file's content as read.
    disclosure : dict
        Disclosure-control rules and the confidentiality policy (:class:`ipstats.sdc.Rules` fields, the policy
        under ``confidentiality``: every input's class, the file's ``confidentiality:`` over the defaults).
    internal_output : Path or None
        Folder for unprotected detail (未经保密处理的内部明细), only when the file names one; never
        inside the public output.
    engine : dict
        Where classify-and-count runs (:func:`ipstats.engines.engine_settings`: ``name``
        duckdb or spark, ``master``, ``app_name``, ``config``); passed to notebooks that declare ``engine``.
    as_of : str or None
        The register's extraction date (提取日, ``YYYY-MM-DD``) given by the file's ``as_of:``; when absent,
        :func:`register_as_of` looks for it beside the register once the inputs exist.
    columns : dict
        Column mappings by input key (the file's header → the schema's field), from inputs written as
        ``{file: …, columns: {…}}``; :meth:`column_environment` hands them to every reader of the run.
    pdf : bool or None
        ``pdf:`` of the file: print ``bulletin.pdf`` (true: a run without Chromium fails), not (false), or
        None (absent): print it when a Chromium is found, else say so and go on.
    sources : dict of str to str
        Where each input comes from (资料来源), by input key, from inputs written as ``{file: …, source: "…"}``;
        the source line of every notebook's tables is built from them (:func:`ipstats.bulletin.sources.source_line`).
    defaults : dict
        ``defaults:`` of the file: notebook parameters inherited by every entry that declares them, under the
        entry's own (:func:`entry_parameters`).
    """

    path: Path
    title: str
    year: int
    region: str
    output: Path
    notebook_dir: Path
    execution_timeout: int
    inputs: dict[str, Path]
    notebooks: tuple[NotebookEntry, ...]
    demo_data: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    disclosure: dict[str, Any] = field(default_factory=dict)
    internal_output: Path | None = None
    engine: dict[str, Any] = field(
        default_factory=lambda: {"name": "duckdb", "master": None, "app_name": "ipstats", "config": {}}
    )
    as_of: str | None = None
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    pdf: bool | None = None
    sources: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    lang: str = "zh"

    def column_environment(self) -> dict[str, str]:
        """Environment entries that make every reader of this run (notebook kernels included) map the columns."""
        from ipstats.validate.schema import COLUMNS_ENV, column_mapping

        if not self.columns:
            return {}
        return {COLUMNS_ENV: column_mapping({self.inputs[k]: m for k, m in self.columns.items()})}

    def notebook_path(self, name: str) -> Path:
        """Source notebook ``{notebook_dir}/{name}.ipynb``."""
        return self.notebook_dir / f"{name}.ipynb"

    def resolved(self) -> dict[str, Any]:
        """The parameters as plain JSON-able data (absolute paths as strings), for the manifest."""
        return {
            "file": str(self.path),
            "title": self.title,
            "year": self.year,
            "region": self.region,
            "output": str(self.output),
            "notebook_dir": str(self.notebook_dir),
            "execution_timeout": self.execution_timeout,
            "inputs": {k: str(v) for k, v in self.inputs.items()},
            "columns": self.columns,
            "demo_data": None if self.demo_data is None else {**self.demo_data, "out": str(self.demo_data["out"])},
            "notebooks": [{"name": e.name, "id": e.id, "parameters": e.parameters} for e in self.notebooks],
            "disclosure": self.disclosure,
            "internal_output": None if self.internal_output is None else str(self.internal_output),
            "engine": self.engine,
            "as_of": self.as_of,
            "pdf": self.pdf,
            "sources": self.sources,
            "defaults": self.defaults,
            "lang": self.lang,
        }


def province_codes() -> list[str]:
    """The 31 GB/T 2260 province codes as 2-character strings."""
    from ipstats.reference import provinces

    return [str(c) for c in provinces()["province_code"]]


def _expanded_size(data: Any, limit: int | None = None) -> int:
    """How many values *data* holds once YAML aliases are expanded, counting up to *limit* + 1 at most.

    An alias refers to the same object again, so a few hundred bytes of nested aliases (an "alias
    bomb") expand into billions of values once written out, e.g. into the notebooks' parameters.
    """
    limit = MAX_VALUES if limit is None else limit
    count, stack = 0, [data]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return count


def _resolve(base: Path, value: Any, what: str, where: Path) -> Path:
    if not isinstance(value, (str, os.PathLike)) or str(value).strip() == "":
        raise BulletinError(f"{where}: {what} must be a path (a string), got {value!r}")
    return (base / Path(os.path.expanduser(str(value)))).resolve()


def regional_title(title: str, region: str) -> str:
    """The bulletin's title for *region*: a national title names the province in a provincial run.

    ``全国专利统计公报`` becomes ``广东省专利统计公报`` for ``--region 44``; a title that does not start with
    全国 and does not name the province gets it in brackets (``专利统计公报（广东省）``).
    """
    if region == "national":
        return title
    from ipstats.reference import provinces

    row = provinces().set_index("province_code").loc[region]
    if title.startswith("全国"):
        return row["name_zh"] + title[len("全国") :]
    if row["name_zh"] in title or row["short_zh"] in title:
        return title
    return f"{title}（{row['name_zh']}）"


def check_region(region: Any, where: str) -> str:
    """Validate a region value and return it as a string.

    Parameters
    ----------
    region : Any
        ``"national"`` or a province code such as ``"44"``.
    where : str
        Where the value came from, for the message.

    Returns
    -------
    str
        The region.

    Raises
    ------
    BulletinError
        If the region is not ``"national"`` or one of the 31 province codes.
    """
    codes = province_codes()
    if isinstance(region, bool) or region is None:
        raise BulletinError(f"{where}: region must be \"national\" or a province code such as \"44\", got {region!r}")
    if isinstance(region, int):
        hint = " — quote province codes, e.g. region: \"%02d\"" % region if f"{region:02d}" in codes else ""
        raise BulletinError(
            f"{where}: region {region} is a number, expected a quoted province code "
            f"such as \"44\" or \"national\"{hint}"
        )
    region = str(region).strip()
    if region == "national" or region in codes:
        return region
    raise BulletinError(
        f"{where}: region {region!r} is not \"national\" or one of the 31 GB/T 2260 province "
        f"codes ({', '.join(codes[:3])}, …, {codes[-1]})"
    )


def _int(data: dict, key: str, where: Path, low: int, high: int, default: int | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BulletinError(f"{where}: {key} must be a whole number between {low} and {high}, got {value!r}")
    if not low <= value <= high:
        raise BulletinError(f"{where}: {key} {value} is outside {low}..{high}")
    return value


def _notebooks(value: Any, where: Path) -> tuple[NotebookEntry, ...]:
    if not isinstance(value, list) or not value:
        raise BulletinError(f"{where}: notebooks must be a non-empty list of notebook names")
    entries = []
    for i, item in enumerate(value, start=1):
        if isinstance(item, dict):
            unknown = sorted(set(item) - {"name", "id", "parameters"})
            if unknown:
                raise BulletinError(
                    f"{where}: notebooks entry {i} has unknown key {unknown[0]!r} (expected name, id and parameters)"
                )
            name, parameters, run_id = item.get("name"), item.get("parameters") or {}, item.get("id")
        else:
            name, parameters, run_id = item, {}, None
        if not isinstance(name, str) or not _NB_NAME.match(name):
            raise BulletinError(
                f"{where}: notebooks entry {i} must be a notebook name such as 00_overview "
                f"(file name without .ipynb), got {name!r}"
            )
        if name.endswith(".ipynb"):
            name = name[: -len(".ipynb")]
        if not isinstance(parameters, dict) or not all(isinstance(k, str) and _IDENT.match(k) for k in parameters):
            raise BulletinError(
                f"{where}: parameters of notebook {name} must be a mapping of parameter names to values"
            )
        if run_id is not None and (not isinstance(run_id, str) or not _NB_NAME.match(run_id)):
            raise BulletinError(
                f"{where}: id of notebooks entry {i} must be a plain name such as "
                f"20_monitoring_sei (letters, digits, _ - .), got {run_id!r}"
            )
        entries.append(NotebookEntry(name, dict(parameters), run_id or name))
    ids = [e.id for e in entries]
    dupes = sorted({n for n in ids if ids.count(n) > 1})
    if dupes:
        raise BulletinError(f"{where}: notebook {dupes[0]} is listed more than once (give each run its own id:)")
    return tuple(entries)


def load_params(
    path: str | os.PathLike,
    *,
    region: str | None = None,
    out: str | os.PathLike | None = None,
    internal_out: str | os.PathLike | None = None,
    prepare: bool = True,
    lang: str | None = None,
) -> BulletinParams:
    """Read and validate a bulletin parameter file.

    Parameters
    ----------
    path : str or path
        The YAML file.
    region : str, optional
        Overrides ``region`` of the file (command line ``--region``).
    out : str or path, optional
        Overrides ``output`` of the file (command line ``--out``), resolved against the current folder.
        The internal output of a file that names one moves with it, to ``OUT-internal`` beside it: a run to
        another folder (``--region 44 --out out/guangdong``) never replaces the unprotected detail of the
        file's own run.
    internal_out : str or path, optional
        Overrides ``internal_output`` (command line ``--internal-out``), resolved against the current folder.
    prepare : bool
        Also generate the demo data and check that every input exists (:func:`prepare_inputs`); the
        bulletin run does this itself once it has checked and locked its output folder.
    lang : {"zh", "en"}, optional
        Overrides ``lang`` of the file (command line ``--lang``): ``"en"`` publishes the English edition, titled
        ``title_en`` of the file, else the English of ``title`` in ``ipstats/reference/data/english.yaml``.

    Returns
    -------
    BulletinParams
        The validated parameters with absolute paths.

    Raises
    ------
    BulletinError
        One line naming the file and what is wrong: missing file, not a mapping, unknown key,
        year outside 1985..2100, unknown or unquoted region, missing notebook or input file, a ``defaults``
        key that is not a parameter name or names a common parameter or an input (a default no notebook
        declares is refused when the notebooks are inspected, :func:`check_defaults`).

    Notes
    -----
    With *prepare*, when ``demo_data`` is given, the demo register is generated (if missing) by
    :func:`ipstats.register.demo.ensure_demo_data` before the input files are checked.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise BulletinError(f"parameter file {path} not found")
    path = path.resolve()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise BulletinError(f"{path}: not valid YAML{line}: {problem}") from None
    except UnicodeDecodeError:
        raise BulletinError(f"{path}: not UTF-8 text") from None
    if _expanded_size(data) > MAX_VALUES:
        raise BulletinError(
            f"{path}: the file expands to more than {MAX_VALUES:,} values (YAML aliases *name "
            f"repeating anchors &name?): write the values out"
        )
    if not isinstance(data, dict):
        raise BulletinError(f"{path}: expected a YAML mapping (title:, year:, notebooks: …), got {type(data).__name__}")
    unknown = [k for k in data if k not in KNOWN_KEYS]
    if unknown:
        raise BulletinError(f"{path}: unknown key {unknown[0]!r} (allowed: {', '.join(KNOWN_KEYS)})")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise BulletinError(f"{path}: missing key {missing[0]!r}")
    base = path.parent

    title = data["title"]
    if not isinstance(title, str) or not title.strip():
        raise BulletinError(f"{path}: title must be a non-empty string")
    year = _int(data, "year", path, 1985, 2100)
    timeout = _int(data, "execution_timeout", path, 1, 86_400, DEFAULT_TIMEOUT)
    if region is not None:
        region = check_region(region, "--region")
    else:
        region = check_region(data.get("region", "national"), str(path))
    title = regional_title(title.strip(), region)
    lang = _language(data, path, lang)
    if lang == "en":
        title = _english_title(data, title, region, path)
    if out is None and "output" not in data:
        raise BulletinError(f"{path}: no output folder — give --out DIR or an output: key")
    output = Path(out).expanduser().resolve() if out is not None else _resolve(base, data["output"], "output", path)
    internal = data.get("internal_output")
    if internal is not None:
        internal = _resolve(base, internal, "internal_output", path)
        if out is not None:  # moves with --out: another run's detail is never replaced
            internal = output.with_name(f"{output.name}-internal")
    if internal_out is not None:
        internal = Path(internal_out).expanduser().resolve()
    if internal is not None:
        if internal == output or output in internal.parents or internal in output.parents:
            raise BulletinError(
                f"{path}: internal_output {internal} must be a folder outside the public output "
                f"{output} (unprotected detail never goes into the published bulletin)"
            )
    notebook_dir = _resolve(base, data["notebook_dir"], "notebook_dir", path)
    if not notebook_dir.is_dir():
        raise BulletinError(f"{path}: notebook_dir {notebook_dir} is not a folder")
    notebooks = _notebooks(data["notebooks"], path)
    for entry in notebooks:
        nb = notebook_dir / f"{entry.name}.ipynb"
        if not nb.is_file():
            raise BulletinError(f"{path}: notebook {entry.name} not found (expected {nb})")

    raw_inputs = data.get("inputs") or {}
    if not isinstance(raw_inputs, dict):
        raise BulletinError(f"{path}: inputs must be a mapping of names to file paths")
    for key in raw_inputs:
        if not isinstance(key, str) or not _IDENT.match(key):
            raise BulletinError(
                f"{path}: input name {key!r} must be a Python identifier (it becomes a notebook parameter)"
            )
        if key in COMMON_PARAMETERS:
            raise BulletinError(f"{path}: input name {key!r} is reserved for a common notebook parameter")
    inputs, columns, sources = {}, {}, {}
    for key, value in raw_inputs.items():
        if isinstance(value, dict):  # {file: register.csv, columns: {国省代码: province_code}, source: …}
            unknown = sorted(set(value) - {"file", "columns", "source"})
            if unknown or "file" not in value:
                raise BulletinError(
                    f"{path}: input {key!r} must be a path or a mapping with file: and optional "
                    f"columns: and source: (got keys {', '.join(map(str, value))})"
                )
            source = value.get("source")
            if source is not None and (not isinstance(source, str) or not source.strip() or "\n" in source.strip()):
                raise BulletinError(
                    f"{path}: source of input {key!r} must be one line of text saying where the "
                    f"data come from, e.g. \"国家知识产权局专利数据（截至2024年12月31日）\", got {source!r}"
                )
            if source is not None:
                sources[key] = source.strip()
            mapping = value.get("columns") or {}
            if not isinstance(mapping, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
            ):
                raise BulletinError(
                    f"{path}: columns of input {key!r} must map the file's headers to schema "
                    f"fields, e.g. {{国省代码: province_code}}"
                )
            value = value["file"]
            if mapping:
                columns[key] = dict(mapping)
        inputs[key] = _resolve(base, value, f"input {key!r}", path)

    demo = data.get("demo_data")
    if demo is not None:
        if not isinstance(demo, dict):
            raise BulletinError(f"{path}: demo_data must be a mapping with out, patents, seed")
        bad = [k for k in demo if k not in DEMO_KEYS]
        if bad:
            raise BulletinError(f"{path}: unknown key {bad[0]!r} in demo_data (allowed: {', '.join(DEMO_KEYS)})")
        if "out" not in demo:
            raise BulletinError(f"{path}: demo_data needs out (the folder of the demo register)")
        demo = {
            "out": _resolve(base, demo["out"], "demo_data out", path),
            "patents": _int(demo, "patents", path, 1, 100_000_000, 100_000),
            "seed": _int(demo, "seed", path, 0, 2**32 - 1, 2024),
        }

    pdf = data.get("pdf")
    if pdf is not None and not isinstance(pdf, bool):
        raise BulletinError(
            f"{path}: pdf must be true or false (or left out: printed when Chromium is found), got {pdf!r}"
        )
    params = BulletinParams(
        path=path,
        title=title,
        year=year,
        region=region,
        output=output,
        notebook_dir=notebook_dir,
        execution_timeout=timeout,
        inputs=inputs,
        notebooks=notebooks,
        demo_data=demo,
        raw=data,
        disclosure=_disclosure(data.get("disclosure"), path, data.get("confidentiality"), inputs),
        internal_output=internal,
        engine=_engine(data.get("engine"), path),
        as_of=_as_of(data.get("as_of"), path),
        columns=columns,
        pdf=pdf,
        sources=sources,
        defaults=_defaults(data.get("defaults"), path, inputs),
        lang=lang,
    )
    if prepare:
        prepare_inputs(params)
    return params


def _language(data: dict, path: Path, option: str | None) -> str:
    """The run's language: ``--lang``, else ``lang:`` of the file, else Chinese."""
    from ipstats.language import LANGS

    where, lang = ("--lang", option) if option is not None else (f"{path}: lang", data.get("lang", "zh"))
    if lang not in LANGS:
        raise BulletinError(
            f"{where} must be one of {', '.join(LANGS)} (zh: Chinese, en: English edition), got {lang!r}"
        )
    return lang


def _english_title(data: dict, title: str, region: str, path: Path) -> str:
    """The English edition's title: ``title_en`` of the file (a province's name replaces ``China``), else the
    catalogue's English of the (regional) Chinese title."""
    from ipstats.language import Untranslated, translate
    from ipstats.reference import provinces

    given = data.get("title_en")
    if given is not None:
        if not isinstance(given, str) or not given.strip():
            raise BulletinError(f"{path}: title_en must be a non-empty string")
        if region != "national" and given.strip().startswith("China "):
            name = provinces().set_index("province_code").loc[region, "name_en"]
            return f"{name} {given.strip()[len('China ') :]}"
        return given.strip()
    try:
        return translate(title)
    except Untranslated:
        raise BulletinError(
            f"{path}: the English edition needs title_en: (no English for the title {title!r})"
        ) from None


def _defaults(raw: Any, path: Path, inputs: dict[str, Path]) -> dict[str, Any]:
    """The ``defaults:`` mapping (notebook parameter → value), with a one-line error for what it may not hold."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BulletinError(
            f"{path}: defaults must be a mapping of notebook parameter names to values inherited "
            f"by every notebook entry, such as {{demo_patents: 0}}, got {type(raw).__name__}"
        )
    for key in raw:
        if not isinstance(key, str) or not _IDENT.match(key):
            raise BulletinError(
                f"{path}: defaults key {key!r} must be a notebook parameter name (a Python "
                f"identifier such as demo_patents)"
            )
        if key in COMMON_PARAMETERS:
            raise BulletinError(
                f"{path}: defaults key {key!r} is a common parameter set by the file's own keys "
                f"(year:, region:, title:, disclosure:, engine: …), not by defaults; an entry's "
                f"parameters may override it for that notebook"
            )
        if key in inputs:
            raise BulletinError(
                f"{path}: defaults key {key!r} is an input: set it under inputs:, not defaults "
                f"(an entry's parameters may override it for that notebook)"
            )
    return dict(raw)


def entry_parameters(
    params: BulletinParams, entry: NotebookEntry, declared: set[str] | frozenset[str]
) -> dict[str, Any]:
    """The values one entry sets over the run's common parameters: the file's defaults, then its own.

    Parameters
    ----------
    params : BulletinParams
        The run's parameters (``defaults``).
    entry : NotebookEntry
        The notebook entry; its ``parameters`` win over the defaults.
    declared : set of str
        Names the notebook's ``parameters`` cell declares: only those defaults reach it.

    Returns
    -------
    dict
        The defaults the notebook declares, updated with the entry's parameters (all of them: an entry's
        parameter the notebook does not declare is refused by the caller).
    """
    merged = {k: v for k, v in params.defaults.items() if k in declared}
    merged.update(entry.parameters)
    return merged


def check_defaults(params: BulletinParams, declared: dict[str, set[str] | None]) -> None:
    """Refuse a ``defaults:`` key that no notebook declares (a misspelt name would go unused).

    *declared* holds the file's entries and the other notebooks of their folder: a copy of a parameter file
    with some entries removed keeps its shared defaults.

    Parameters
    ----------
    params : BulletinParams
        The run's parameters.
    declared : dict of str to set of str or None
        Names declared by each entry's notebook, by entry id (None: no ``parameters`` cell).

    Raises
    ------
    BulletinError
        One line naming the file, the key and the notebooks looked at.
    """
    names = set().union(*[d for d in declared.values() if d])
    for key in params.defaults:
        if key not in names:
            raise BulletinError(
                f"{params.path}: defaults key {key!r} is not a parameter of any notebook; "
                f"expected a name declared in a notebook's parameters cell"
            )


def prepare_inputs(params: BulletinParams) -> None:
    """Generate the demo data a parameter file asks for (if missing), then check every input file exists.

    Raises
    ------
    BulletinError
        The demo folder cannot be written (or holds files ipstats did not write), or an input is missing.
    """
    demo = params.demo_data
    if demo is not None:
        from ipstats.register.demo import DemoFolderError, ensure_demo_data

        log.info("ensuring demo data in %s", demo["out"])
        try:
            ensure_demo_data(demo["out"], patents=demo["patents"], seed=demo["seed"])
        except DemoFolderError as exc:
            raise BulletinError(f"{params.path}: demo_data: {exc}") from None
        except OSError as exc:
            raise BulletinError(f"{params.path}: could not write demo data to {demo['out']}: {exc}") from None
    for key, file in params.inputs.items():
        if not file.is_file():
            raise BulletinError(f"{params.path}: input {key!r} not found: {file}")


def _as_of(raw: Any, where: Path | str) -> str | None:
    """The extraction date as ``YYYY-MM-DD`` (None when not given); one line for anything else."""
    import datetime as dt

    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        day = raw
    else:
        try:
            day = dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            raise BulletinError(
                f"{where}: as_of must be the register's extraction date as YYYY-MM-DD, got {raw!r}"
            ) from None
    if day > dt.date.today():
        raise BulletinError(f"{where}: as_of {day} is in the future: it is the date the register was extracted")
    return day.isoformat()


def register_as_of(params: BulletinParams) -> tuple[str | None, str]:
    """The register's extraction date (提取日) and where it was found.

    The parameter file's ``as_of:`` wins; else the ``as_of`` of ``demo_meta.json`` in the register's folder
    (written by :func:`ipstats.register.demo.write_demo_data`).

    Returns
    -------
    (str or None, str)
        The date as ``YYYY-MM-DD`` (None when unknown) and its source: ``"parameter file"``, the sidecar's
        path, or ``"unknown"``.
    """
    import json

    if params.as_of is not None:
        return params.as_of, "parameter file"
    register = params.inputs.get("register")
    if register is not None:
        from ipstats.register.demo import REGISTER_FILES, is_demo_folder

        sidecar = register.parent / REGISTER_FILES["meta"]
        if is_demo_folder(register.parent):
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
            return _as_of(meta.get("as_of"), sidecar), str(sidecar)
    return None, "unknown"


def check_reference_year(params: BulletinParams) -> str | None:
    """Refuse a reference year that ends after the register's extraction date; return that date.

    A year's flows and its year-end stock are complete only when the register was extracted after
    31 December of that year.

    Raises
    ------
    BulletinError
        ``year`` ends after ``as_of``.
    """
    as_of, source = register_as_of(params)
    if as_of is not None and f"{params.year}-12-31" > as_of:
        raise BulletinError(
            f"{params.path}: year {params.year} ends after the register's extraction date {as_of} "
            f"(as_of, from {source}): its flows and year-end stock would be incomplete; choose year "
            f"{int(as_of[:4]) - (0 if as_of.endswith('12-31') else 1)} or earlier, or a later extract"
        )
    return as_of


def _engine(raw: Any, path: Path) -> dict[str, Any]:
    """The ``engine:`` setting as plain data (default DuckDB), with a one-line error for bad values."""
    from dataclasses import asdict

    from ipstats.engines import engine_settings

    try:
        return asdict(engine_settings(raw))
    except ValueError as exc:
        raise BulletinError(f"{path}: {exc}") from None


def _disclosure(raw: Any, path: Path, confidentiality: Any = None, inputs: dict | None = None) -> dict[str, Any]:
    """Disclosure-control rules and the confidentiality policy, over the defaults of :class:`ipstats.sdc.Rules`.

    The file's ``disclosure:`` mapping gives the rules; its ``confidentiality:`` mapping (input name →
    ``public`` / ``confidential``) the policy over :data:`ipstats.sdc.CONFIDENTIALITY`. Both reach the
    notebooks as their ``disclosure`` parameter and the manifest (``parameters.resolved.disclosure``).
    """
    from ipstats.sdc import CONFIDENTIAL, CONFIDENTIALITY, PUBLIC, Rules

    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise BulletinError(f"{path}: disclosure must be a mapping such as {{min_contributors: 3, p_percent: 10}}")
    allowed = Rules().rule_dict()
    unknown = [k for k in raw if k not in allowed]
    if unknown:
        raise BulletinError(
            f"{path}: unknown key {unknown[0]!r} in disclosure (allowed: {', '.join(allowed)}; "
            "the policy goes under confidentiality:)"
        )
    policy = {} if confidentiality is None else confidentiality
    if not isinstance(policy, dict):
        raise BulletinError(
            f"{path}: confidentiality must be a mapping of input names to {PUBLIC} or "
            f"{CONFIDENTIAL}, such as {{register: {PUBLIC}, survey_sample: {CONFIDENTIAL}}}"
        )
    known = set(CONFIDENTIALITY) | set(inputs or {})
    for key, value in policy.items():
        if not isinstance(key, str) or key not in known:
            raise BulletinError(
                f"{path}: confidentiality names {key!r}, which is neither an input of the file nor "
                f"a known input ({', '.join(sorted(known))})"
            )
        if value not in (PUBLIC, CONFIDENTIAL):
            raise BulletinError(f"{path}: confidentiality of {key!r} must be {PUBLIC} or {CONFIDENTIAL}, got {value!r}")
    try:
        return Rules(**{**allowed, **raw}, confidentiality=policy).as_dict()
    except (TypeError, ValueError) as exc:
        raise BulletinError(f"{path}: disclosure: {exc}") from None
