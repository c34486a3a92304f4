"""Run the notebooks of a parameter file into a bulletin folder (papermill → HTML, Excel, manifest).

Every input is first checked against its schema (:func:`check_inputs`); a run with an invalid input is
refused before anything is written. The folder is built beside its final place as ``DIR.partial-<pid>``
and swapped in only when everything succeeded; on failure ``DIR`` is untouched and the partial folder is
kept as ``DIR.failed``.
"""
from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from ipstats.bulletin.errors import BulletinError
from ipstats.bulletin.params import BulletinParams, NotebookEntry, load_params

__all__ = ["NotebookPlan", "check_inputs", "notebook_parameters", "plan_notebooks", "run_bulletin"]

log = logging.getLogger(__name__)

KERNEL = "python3"


@dataclass(frozen=True)
class NotebookPlan:
    """One notebook to execute: source path and the parameters it will receive."""

    name: str
    source: Path
    parameters: dict[str, Any]


def _one_line(text: Any) -> str:
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def _declared(source: Path) -> dict[str, Any] | None:
    """Parameters declared in a notebook's ``parameters`` cell, or None when it has none."""
    import nbformat
    from papermill.translators import papermill_translators

    try:
        nb = nbformat.read(source, as_version=4)
        cells = [c for c in nb.cells if "parameters" in (c.metadata.get("tags") or [])]
        if not cells:
            return None
        # what papermill.inspect_notebook does, with the kernel we run (committed notebooks carry no kernelspec)
        language = nb.metadata.get("kernelspec", {}).get("language") or \
            nb.metadata.get("language_info", {}).get("name") or "python"
        translator = papermill_translators.find_translator(KERNEL, language)
        return {p.name: p._asdict() for p in translator.inspect(cells[0])}
    except Exception as exc:  # noqa: BLE001 - any unreadable notebook is a user error
        raise BulletinError(f"notebook {source} could not be read: {type(exc).__name__}: {_one_line(exc)}") from None


def notebook_parameters(params: BulletinParams, entry: NotebookEntry, output_dir: Path,
                        declared: dict[str, Any] | None, internal_dir: Path | None = None) -> dict[str, Any]:
    """The parameters one notebook receives.

    Parameters
    ----------
    params : BulletinParams
        The run's parameters.
    entry : NotebookEntry
        The notebook entry (with its own parameters).
    output_dir : Path
        Folder the notebook records into (the partial folder).
    declared : dict or None
        Parameters declared by the notebook (:func:`papermill.inspect_notebook`); None when it
        has no ``parameters`` cell.
    internal_dir : Path, optional
        Folder for unprotected detail when the parameter file names ``internal_output`` (else ``""``).

    Returns
    -------
    dict
        ``year``, ``region``, ``output_dir``, ``internal_dir``, ``title``, ``disclosure``, ``engine``,
        ``run_id`` (the entry's id: its page and summary text are named after it) and the inputs (absolute
        paths as strings),
        updated with the entry's own parameters, restricted to the declared names.

    Raises
    ------
    BulletinError
        If the entry sets a parameter the notebook does not declare.
    """
    offered: dict[str, Any] = {"year": params.year, "region": params.region, "output_dir": str(output_dir),
                               "internal_dir": "" if internal_dir is None else str(internal_dir),
                               "title": params.title, "disclosure": params.disclosure, "engine": params.engine}
    offered["run_id"] = entry.id
    offered.update({key: str(path) for key, path in params.inputs.items()})
    declared_names = set(declared or {})
    unknown = sorted(set(entry.parameters) - declared_names)
    if unknown:
        listed = ", ".join(sorted(declared_names)) or "none"
        raise BulletinError(f"{params.path}: notebook {entry.name} has no parameter {unknown[0]!r} in its "
                            f"parameters cell (declared: {listed})")
    offered.update(entry.parameters)
    return {k: v for k, v in offered.items() if k in declared_names}


def plan_notebooks(params: BulletinParams, output_dir: Path, internal_dir: Path | None = None) -> list[NotebookPlan]:
    """Inspect every notebook before running any, and work out its parameters.

    Parameters
    ----------
    params : BulletinParams
        The run's parameters.
    output_dir : Path
        Folder the notebooks record into.
    internal_dir : Path, optional
        Folder for unprotected detail (see :func:`notebook_parameters`).

    Returns
    -------
    list of NotebookPlan
        In run order.
    """
    plans = []
    for entry in params.notebooks:
        source = params.notebook_path(entry.name)
        declared = _declared(source)
        if declared is None:
            log.warning("notebook %s has no cell tagged 'parameters': it runs with its own values and records "
                        "nothing into the bulletin", entry.name)
        plans.append(NotebookPlan(entry.id, source, notebook_parameters(params, entry, output_dir, declared,
                                                                         internal_dir)))
    return plans


class _NotebookFailed(Exception):
    """Internal: a notebook failed; the message lacks where the partial folder is kept."""

    def __init__(self, message: str, name: str):
        super().__init__(message)
        self.name = name


def _execute(plan: NotebookPlan, target: Path, params: BulletinParams) -> None:
    import papermill
    from jupyter_client.kernelspec import NoSuchKernel
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(str(plan.source), str(target), parameters=plan.parameters, kernel_name=KERNEL,
                                   cwd=str(params.notebook_dir), execution_timeout=params.execution_timeout,
                                   progress_bar=False, log_output=False,
                                   # the kernel's start-up warnings (e.g. "running over TCP") are not the user's business
                                   extra_arguments=["--IPKernelApp.log_level=ERROR"])
    except PapermillExecutionError as exc:
        cell = exc.exec_count if exc.exec_count is not None else exc.cell_index
        raise _NotebookFailed(f"notebook {plan.name} failed in cell [{cell}]: {exc.ename}: {_one_line(exc.evalue)}",
                              plan.name) from None
    except NoSuchKernel:
        raise _NotebookFailed(f"notebook {plan.name} could not start: Jupyter kernel {KERNEL!r} is not installed "
                              f"(install ipykernel in this environment: python -m ipykernel install --sys-prefix)",
                              plan.name) from None
    except Exception as exc:  # noqa: BLE001 - timeouts, dead kernels, unreadable notebooks
        kind = type(exc).__name__
        if kind == "CellTimeoutError":
            what = f"a cell ran longer than execution_timeout ({params.execution_timeout} s)"
        elif kind == "DeadKernelError":
            what = "the kernel died (out of memory?)"
        else:
            what = f"{kind}: {_one_line(exc)}"
        raise _NotebookFailed(f"notebook {plan.name} failed: {what}", plan.name) from None


def _keep_failed(partial: Path, failed: Path) -> None:
    if failed.exists():
        shutil.rmtree(failed)
    partial.rename(failed)


def _swap_in(partial: Path, target: Path) -> None:
    previous = target.with_name(f"{target.name}.previous-{os.getpid()}")
    if previous.exists():
        shutil.rmtree(previous)
    if target.exists():
        target.rename(previous)
    try:
        partial.rename(target)
    except OSError:
        if previous.exists() and not target.exists():
            previous.rename(target)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def check_inputs(params: BulletinParams, report: Callable[[str], Any] = lambda line: None,
                 shown: int = 10) -> None:
    """Check every input of the parameter file against its schema before anything runs (数据校验).

    Inputs map to schemas by :func:`ipstats.validate.schema_for_input` (``register`` →
    ``patent_register``, ``register_ipc`` → ``patent_register_ipc``, any other key → ``<key>.schema.yaml``);
    an input without a schema is not checked and gets an ``info:`` line.

    Parameters
    ----------
    params : BulletinParams
        The run's parameters (demo data already generated).
    report : callable
        Receives ``info:`` lines and the first *shown* problem lines of each invalid input.
    shown : int
        Problem lines reported per invalid input.

    Raises
    ------
    BulletinError
        One line naming each invalid input file, its schema and how many problems it has.
    """
    from ipstats.validate import SchemaError, validate_inputs

    try:
        reports, notes = validate_inputs(params.inputs, max_problems=shown)
    except SchemaError as exc:
        raise BulletinError(f"inputs cannot be checked, nothing was run: {exc}") from None
    for note in notes:
        report(f"info: {note}")
    bad = {key: r for key, r in reports.items() if not r.ok}
    for r in bad.values():
        for line in r.lines():
            report(line)
    if bad:
        listed = "; ".join(f"{key} {r.file}: {r.n_problems:,} problem{'s' if r.n_problems != 1 else ''} "
                           f"(schema {r.schema})" for key, r in bad.items())
        first = next(iter(bad.values()))
        raise BulletinError(f"invalid input{'s' if len(bad) > 1 else ''}, nothing was run — {listed}; list them "
                            f"with: ipstats validate {first.file} --schema {first.schema}")


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def run_bulletin(params_path: str | os.PathLike, *, out: str | os.PathLike | None = None, region: str | None = None,
                 progress: Callable[[str], Any] | None = print) -> Path:
    """Run the notebooks of a parameter file and publish the bulletin folder.

    Parameters
    ----------
    params_path : str or path
        The parameter file (YAML, see :func:`ipstats.bulletin.load_params`).
    out : str or path, optional
        Output folder; default ``output`` of the parameter file.
    region : str, optional
        ``"national"`` or a province code such as ``"44"``; overrides the parameter file.
    progress : callable, optional
        Called with one line per notebook, e.g. ``[1/3] 00_overview … ok (12.3 s)``; None for silence.

    Returns
    -------
    Path
        The bulletin folder, holding ``index.html``, one page per notebook, ``notebooks/``,
        ``tables/``, ``figures/``, ``texts/``, ``tables.xlsx`` and ``manifest.json``.

    Raises
    ------
    BulletinError
        One line on any failure. The output folder is then untouched and what was built is kept
        in ``DIR.failed`` (named in the message).
    """
    from ipstats.bulletin import html, manifest, tables

    report = progress or (lambda line: None)
    params = load_params(params_path, region=region, out=out)
    target = params.output
    if target.exists() and not target.is_dir():
        raise BulletinError(f"output {target} exists and is not a folder")
    if target == params.notebook_dir or target in params.notebook_dir.parents:
        raise BulletinError(f"output {target} would replace the notebook folder {params.notebook_dir}")
    check_inputs(params, report)
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    failed = target.with_name(f"{target.name}.failed")
    internal = params.internal_output
    internal_partial = None if internal is None else internal.with_name(f"{internal.name}.partial-{os.getpid()}")
    plans = plan_notebooks(params, partial, internal_partial)

    try:
        if partial.exists():
            shutil.rmtree(partial)
        (partial / "notebooks").mkdir(parents=True)
        if internal_partial is not None:
            if internal_partial.exists():
                shutil.rmtree(internal_partial)
            from ipstats.bulletin.internal import write_notice

            write_notice(internal_partial)
    except OSError as exc:
        raise BulletinError(f"cannot create the output folder {partial}: {exc.strerror or exc}") from None

    started = _now()
    runs: list[dict[str, Any]] = []
    pages: list[dict[str, str]] = []
    try:
        for i, plan in enumerate(plans, start=1):
            executed = partial / "notebooks" / f"{plan.name}.ipynb"
            log.info("running %s with %s", plan.source, plan.parameters)
            t0 = time.perf_counter()
            status = "failed"
            try:
                _execute(plan, executed, params)
                status = "ok"
            finally:
                seconds = round(time.perf_counter() - t0, 1)
                runs.append({"name": plan.name, "status": status, "seconds": seconds,
                             "output": f"notebooks/{plan.name}.ipynb", "parameters": plan.parameters})
                report(f"[{i}/{len(plans)}] {plan.name} … {status} ({seconds:.1f} s)")
        for plan in plans:
            executed = partial / "notebooks" / f"{plan.name}.ipynb"
            import nbformat

            title = html.notebook_title(nbformat.read(executed, as_version=4), plan.name)
            html.export_page(executed, partial / f"{plan.name}.html", title=title)
            pages.append({"name": plan.name, "title": title})
        tables.write_workbook(partial / "tables", partial / "tables.xlsx")
        finished = _now()
        manifest.write_manifest(partial, manifest.build_manifest(folder=partial, params=params, notebooks=runs,
                                                                 started=started, finished=finished))
        html.write_index(partial, title=params.title, year=params.year, region=params.region, notebooks=pages,
                         generated=datetime.now())
    except BaseException as exc:
        if internal_partial is not None:
            shutil.rmtree(internal_partial, ignore_errors=True)      # unprotected detail is not kept around
        _failed_manifest(partial, params, runs, started)
        try:
            _keep_failed(partial, failed)
            kept = failed
        except OSError as move_exc:
            log.error("could not move %s to %s: %s", partial, failed, move_exc)
            kept = partial
        if isinstance(exc, _NotebookFailed):
            raise BulletinError(f"{exc}; executed notebook kept in {kept / 'notebooks' / (exc.name + '.ipynb')}") \
                from None
        if isinstance(exc, BulletinError):
            raise BulletinError(f"{exc}; partial output kept in {kept}") from None
        if isinstance(exc, Exception):
            raise BulletinError(f"bulletin {target} could not be finished: {type(exc).__name__}: "
                                f"{_one_line(exc)}; partial output kept in {kept}") from exc
        raise
    try:
        _swap_in(partial, target)
        if internal_partial is not None:
            _swap_in(internal_partial, internal)
    except OSError as exc:
        raise BulletinError(f"could not move the finished bulletin {partial} to {target}: "
                            f"{exc.strerror or exc}") from None
    log.info("bulletin written to %s", target)
    return target


def _failed_manifest(partial: Path, params: BulletinParams, runs: list[dict[str, Any]], started: str) -> None:
    """Best effort: a manifest in the failed folder saying which notebook failed."""
    from ipstats.bulletin import manifest

    try:
        if partial.is_dir():
            manifest.write_manifest(partial, manifest.build_manifest(folder=partial, params=params, notebooks=runs,
                                                                     started=started, finished=_now()))
    except Exception as exc:  # noqa: BLE001 - never hide the original failure
        log.warning("no manifest for the failed run: %s", exc)
