"""``manifest.json``: what a bulletin was made from (parameters, input checksums, versions, git state)."""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import shutil
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

__all__ = [
    "browser",
    "build_manifest",
    "environment",
    "file_record",
    "git_state",
    "inputs_record",
    "validation_snapshot",
    "pages",
    "package_data",
    "reference_tables",
    "sha256_file",
    "static_figures",
    "write_manifest",
]

log = logging.getLogger(__name__)

PACKAGES = ("pandas", "duckdb", "plotly", "papermill", "nbconvert", "kaleido", "choreographer", "openpyxl")


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def file_record(path: Path) -> dict[str, Any]:
    """``{"path", "sha256", "bytes"}`` of a file."""
    path = Path(path)
    return {"path": str(path), "sha256": sha256_file(path), "bytes": path.stat().st_size}


def git_state(folder: Path) -> dict[str, Any]:
    """Git commit and dirtiness of the repository holding *folder*.

    Returns
    -------
    dict
        ``git_commit`` (None when git is missing, *folder* is not in a repository or it has no
        commit yet) and ``git_dirty`` (True when ``git status --porcelain`` lists anything; None
        when not a repository).
    """
    state: dict[str, Any] = {"git_commit": None, "git_dirty": None}
    if shutil.which("git") is None:
        return state

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=30, check=False
        )

    try:
        status = git("status", "--porcelain")
        if status.returncode != 0:
            return state
        state["git_dirty"] = bool(status.stdout.strip())
        head = git("rev-parse", "HEAD")
        if head.returncode == 0:
            state["git_commit"] = head.stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("git state of %s unknown: %s", folder, exc)
    return state


def environment() -> dict[str, Any]:
    """Python version and the versions of the main packages (None where not installed)."""
    env: dict[str, Any] = {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }
    for name in PACKAGES:
        try:
            env[name] = version(name)
        except PackageNotFoundError:
            env[name] = None
    return env


def _disclosure(folder: Path, params: Any = None) -> dict[str, Any]:
    """Disclosure control of the bulletin: the confidentiality policy, and per protected table its record.

    Returns
    -------
    dict
        ``policy`` (input → public / confidential, with the reasons of the defaults); ``tables`` (table →
        its record: rules, source, and per suppressed cell its status, the rules that made it sensitive and
        whether the required upper and lower protection levels are met; the intervals and amounts are in the
        internal output only); ``linked_sets`` (each set of jointly protected cells: its tables, the
        pattern's sha256 — the same in a national and a provincial run of one bulletin — and whether its
        audit passed); ``protection_levels`` (their definition); ``unaudited`` (records that claim no audit,
        e.g. a table whose figures are withheld whole); ``all_pass``. A table computed only from public inputs
        has no record: nothing in it is suppressed.
    """
    from ipstats.sdc import CONFIDENTIALITY_REASONS, Rules

    records = {}
    for meta_path in sorted((folder / "tables").glob("*.meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("disclosure"):
            records[meta["name"]] = meta["disclosure"]
    linked: dict[str, Any] = {}
    for name, record in records.items():
        key = record.get("linked_set")
        if not key:
            continue
        entry = linked.setdefault(
            key,
            {
                "pattern_sha256": record.get("pattern_sha256"),
                "tables": [],
                "audit_pass": True,
                "audit": record.get("audit"),
            },
        )
        entry["tables"].append(name)
        entry["audit_pass"] = entry["audit_pass"] and bool(record.get("audit_pass", False))
    rules = Rules.of((getattr(params, "disclosure", None) or {}))
    policy = {
        source: {"class": value, "reason": CONFIDENTIALITY_REASONS.get(source, "")}
        for source, value in sorted(rules.confidentiality.items())
    }
    return {
        "policy": policy,
        "rules": rules.rule_dict(),
        "protection_levels": (
            "τ-ARGUS, from the second-largest contributor's view: p % rule "
            "UPL = p/100·x1 − (X − x1 − x2); (n,k) dominance UPL = 100/k·(x1 [+ x2]) − X; "
            "frequency rule protection_pct % of X (at least min_width); LPL = min(UPL, X); "
            "achieved = how far the interval a reader computes (MILP over every linked "
            "published cell, and for each suppressed singleton beside the cell, the interval "
            "its contributor computes) reaches above and below the value"
        ),
        "tables": records,
        "linked_sets": linked,
        "unaudited": sorted(name for name, r in records.items() if "audit_pass" not in r),
        "all_pass": all(r.get("audit_pass", True) for r in records.values()),
    }


def browser() -> dict[str, Any]:
    """Path and version of the Chromium used for static figures (None when none is found)."""
    from ipstats.bulletin.record import browser_path

    path = browser_path()
    found: dict[str, Any] = {"path": path, "version": None}
    if path:
        try:
            proc = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False)
            found["version"] = proc.stdout.strip() or None
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("version of %s unknown: %s", path, exc)
    return found


def pages(folder: Path, notebooks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The HTML page of every executed notebook and the charts it shows.

    Parameters
    ----------
    folder : Path
        The bulletin folder.
    notebooks : list of dict
        Runs as given to :func:`build_manifest` (``name``, ``status``, ``output``).

    Returns
    -------
    list of dict
        ``{"notebook", "page", "charts"}`` with ``charts`` as :func:`ipstats.bulletin.html.page_charts`
        gives them, for the notebooks that ran.
    """
    import nbformat

    from ipstats.bulletin.html import page_charts

    found = []
    for run in notebooks:
        executed = folder / run["output"]
        if run.get("status") != "ok" or not executed.is_file():
            continue
        found.append(
            {
                "notebook": run["name"],
                "page": f"{run['name']}.html",
                "charts": page_charts(nbformat.read(executed, as_version=4)),
            }
        )
    return found


def static_figures(folder: Path) -> dict[str, Any]:
    """PNG and SVG files of the recorded figures, and the figures that have none.

    Returns
    -------
    dict
        ``files`` (relative paths), ``missing`` (figure names without PNG or SVG) and ``problem``
        (why static export is impossible in this process, or None).
    """
    from ipstats.bulletin.record import static_export_problem

    figures = folder / "figures"
    names = sorted(p.stem for p in figures.glob("*.json")) if figures.is_dir() else []
    missing = [n for n in names if not all((figures / f"{n}.{ext}").is_file() for ext in ("png", "svg"))]
    return {
        "files": _listing(folder, "figures", "*.png") + _listing(folder, "figures", "*.svg"),
        "missing": missing,
        "problem": static_export_problem(),
    }


def reference_tables() -> list[dict[str, Any]]:
    """Name, file, edition and sha256 of every shipped reference table."""
    from ipstats.reference import catalogue

    table = catalogue()
    cols = [c for c in ("name", "file", "edition", "sha256") if c in table.columns]
    return [
        {k: (None if v is None else str(v)) for k, v in row.items()} for row in table[cols].to_dict(orient="records")
    ]


#: Folders of the package whose files change numbers: classification rules, reference and demo shapes, schemas.
DATA_FOLDERS = ("data", "demo_profile")


def package_data() -> list[dict[str, str]]:
    """Every data file shipped inside ipstats (rules CSVs, survey revenue bands, schemas, demo shapes …) with its
    sha256, path relative to the package: the catalogue lists the reference tables with their provenance, this
    list pins every file a number can depend on."""
    import ipstats

    root = Path(ipstats.__file__).resolve().parent
    files = sorted(
        {
            p
            for folder in DATA_FOLDERS
            for p in root.rglob(f"{folder}/**/*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".py"
        }
    )
    return [{"file": p.relative_to(root).as_posix(), "sha256": sha256_file(p)} for p in files]


def _listing(folder: Path, sub: str, pattern: str) -> list[str]:
    base = folder / sub
    return sorted(p.relative_to(folder).as_posix() for p in base.glob(pattern)) if base.is_dir() else []


def inputs_record(
    inputs: dict[str, Path], validation: dict[str, dict[str, Any]] | None = None
) -> dict[str, dict[str, Any]]:
    """Path, sha256 and size of every input, the implicit ones included (marked ``"implicit": true``), and for the
    inputs validated through the typed cache (every input with a schema, :func:`ipstats.validate.validate_inputs`)
    ``validation``: by schema, when the content was validated and whether this run's check skipped it.

    *validation* is :func:`validation_snapshot` taken right after the run's input check (what
    :func:`ipstats.bulletin.run.check_inputs` returns); without it the cache's records are read now
    (:func:`ipstats.validate.typed.validation_status`). A run must pass its snapshot: the notebooks read the
    typed inputs again, each read records a check that skipped validation, and a first run's manifest would say
    its inputs were not validated.

    Implicit inputs are files read beside a named one that change numbers (:func:`ipstats.validate.inputs.
    implicit_inputs`: the IPC links ``register_ipc.parquet`` beside the register).
    """
    found = {key: file_record(path) for key, path in inputs.items()}
    for key, path in _implicit(inputs).items():
        found[key] = {**file_record(path), "implicit": True}
    from ipstats.validate.typed import validation_status

    for record in found.values():  # validated (when, by which version) and whether this run skipped it
        status = validation_status(record["sha256"]) if validation is None else validation.get(record["sha256"])
        if status:
            record["validation"] = status
    return found


def validation_snapshot(inputs: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """The typed cache's validation records of the inputs (the implicit ones included) as they are now, by the
    content's sha256 (:func:`ipstats.validate.typed.validation_status`)."""
    from ipstats.validate.typed import memo_sha256, validation_status

    paths = [Path(p) for p in (*inputs.values(), *_implicit(inputs).values())]
    known = {}
    for path in (p for p in paths if p.is_file()):
        sha256 = memo_sha256(path)  # remembered by the input check: a GB register is not read again
        status = validation_status(sha256)
        if status:
            known[sha256] = status
    return known


def _implicit(inputs: dict[str, Path]) -> dict[str, Path]:
    from ipstats.validate.inputs import implicit_inputs

    return implicit_inputs(inputs)


def _final_paths(value: Any, moves: dict[str, str]) -> Any:
    """*value* with the partial folders' paths (keys of *moves*) replaced by the published ones."""
    if isinstance(value, dict):
        return {k: _final_paths(v, moves) for k, v in value.items()}
    if isinstance(value, list):
        return [_final_paths(v, moves) for v in value]
    if isinstance(value, str):
        for partial, final in moves.items():
            if value == partial or value.startswith(partial + "/"):
                return final + value[len(partial) :]
    return value


def build_manifest(
    *,
    folder: Path,
    params: Any,
    notebooks: list[dict[str, Any]],
    started: str,
    finished: str,
    moves: dict[Path, Path] | None = None,
    validation: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Assemble the manifest of a bulletin run.

    Parameters
    ----------
    folder : Path
        The folder being built (tables and figures are listed from it).
    params : BulletinParams
        The validated parameters (with the effective region).
    notebooks : list of dict
        ``{"name", "status", "seconds", "output", "parameters", "source_note"}`` per notebook run (output
        relative to the folder; ``source_note`` the source line printed under its tables).
    started, finished : str
        ISO 8601 timestamps.
    moves : dict of Path to Path, optional
        Partial folder → published folder (bulletin and internal output): the manifest records where the
        run's output is published (``output``, the notebooks' ``output_dir``), not where it was built.
    validation : dict, optional
        The inputs' validation records right after the run's input check (:func:`validation_snapshot`), for
        ``inputs`` (:func:`inputs_record`).

    Returns
    -------
    dict
        JSON-able manifest. ``git_commit``/``git_dirty`` are those of the ipstats code that ran
        (None for an installed package outside a repository); ``notebooks_git`` those of the notebook folder.
    """
    import ipstats
    from ipstats import __version__
    from ipstats.bulletin.params import register_as_of

    moves = {str(k): str(v) for k, v in (moves or {folder: params.output}).items()}
    notebook_git = git_state(params.notebook_dir)
    return {
        "title": params.title,
        "output": moves.get(str(folder), str(params.output)),
        "parameters": {
            "file": str(params.path),
            "content": params.raw,
            "resolved": params.resolved(),
            "region": params.region,
        },
        "inputs": inputs_record(params.inputs, validation),
        "register_as_of": dict(zip(("date", "source"), register_as_of(params))),
        "ipstats_version": __version__,
        **git_state(Path(ipstats.__file__).resolve().parent),
        "notebooks_git": {"commit": notebook_git["git_commit"], "dirty": notebook_git["git_dirty"]},
        "reference_tables": reference_tables(),
        "package_data": package_data(),
        "environment": environment(),
        "notebooks": _final_paths(notebooks, moves),
        "started": started,
        "finished": finished,
        "tables": _listing(folder, "tables", "*.csv"),
        "disclosure_control": _disclosure(folder, params),
        "figures": _listing(folder, "figures", "*.json"),
        "static_figures": static_figures(folder),
        "browser": browser(),
        "pages": pages(folder, notebooks),
        "texts": _listing(folder, "texts", "*.md"),
    }


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` (UTF-8, Chinese kept readable) and return its path."""
    target = Path(folder) / "manifest.json"
    target.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    return target
