"""Run the notebooks of a parameter file into a bulletin folder (papermill → HTML, Excel, manifest).

The output folder is checked first: a run only ever replaces a folder a bulletin run created
(:mod:`ipstats.bulletin.folders`), and holds its lock. Every input is then checked against its schema
(:func:`check_inputs`); a run with an invalid input is refused before anything is written. The folder is
built beside its final place as ``DIR.partial-<pid>`` and swapped in atomically only when everything
succeeded; on failure ``DIR`` is untouched and the partial folder is kept as ``DIR.failed`` (removed
instead when the disk is full). Unprotected detail (``internal_output``) is built readable by its owner
only and removed on any failure or signal.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from ipstats.bulletin import folders
from ipstats.bulletin.errors import BulletinError
from ipstats.bulletin.params import (
    BulletinParams,
    NotebookEntry,
    check_defaults,
    check_reference_year,
    entry_parameters,
    load_params,
    prepare_inputs,
)

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
        language = (
            nb.metadata.get("kernelspec", {}).get("language")
            or nb.metadata.get("language_info", {}).get("name")
            or "python"
        )
        translator = papermill_translators.find_translator(KERNEL, language)
        return {p.name: p._asdict() for p in translator.inspect(cells[0])}
    except Exception as exc:  # noqa: BLE001 - any unreadable notebook is a user error
        raise BulletinError(f"notebook {source} could not be read: {type(exc).__name__}: {_one_line(exc)}") from None


def notebook_parameters(
    params: BulletinParams,
    entry: NotebookEntry,
    output_dir: Path,
    declared: dict[str, Any] | None,
    internal_dir: Path | None = None,
) -> dict[str, Any]:
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
        updated with the file's ``defaults`` the notebook declares, then the entry's own parameters
        (:func:`ipstats.bulletin.params.entry_parameters`), and ``source_note`` (unless those set it: the source
        line of the inputs the notebook declares, :func:`ipstats.bulletin.sources.source_line`),
        restricted to the declared names.

    Raises
    ------
    BulletinError
        If the entry sets a parameter the notebook does not declare.
    """
    offered: dict[str, Any] = {
        "year": params.year,
        "region": params.region,
        "output_dir": str(output_dir),
        "internal_dir": "" if internal_dir is None else str(internal_dir),
        "title": params.title,
        "disclosure": params.disclosure,
        "engine": params.engine,
        "lang": params.lang,
    }
    offered["run_id"] = entry.id
    offered.update({key: str(path) for key, path in params.inputs.items()})
    declared_names = set(declared or {})
    unknown = sorted(set(entry.parameters) - declared_names)
    if unknown:
        listed = ", ".join(sorted(declared_names)) or "none"
        raise BulletinError(
            f"{params.path}: notebook {entry.name} has no parameter {unknown[0]!r} in its "
            f"parameters cell (declared: {listed})"
        )
    own = entry_parameters(params, entry, declared_names)
    offered.update(own)
    if "source_note" not in own:
        offered["source_note"] = _source_note(params, offered, declared_names)
    chosen = {k: v for k, v in offered.items() if k in declared_names}
    for name, value in chosen.items():
        _check_type(params, entry, name, value, (declared or {}).get(name, {}).get("inferred_type_name"))
    return chosen


def _source_note(params: BulletinParams, offered: dict[str, Any], declared: set[str]) -> str:
    """The source line of a notebook from the inputs it declares (paths as it receives them)."""
    from ipstats.bulletin.sources import source_line

    used = {key: offered[key] for key in params.inputs if key in declared and str(offered.get(key) or "")}
    stated = {
        key: text for key, text in params.sources.items() if key in used and Path(str(used[key])) == params.inputs[key]
    }
    return source_line(used, stated, params.lang)


def _sourced(params: BulletinParams, plans: list[NotebookPlan]) -> list[NotebookPlan]:
    """*plans* with their source lines worked out again once the inputs exist (demo data just generated)."""
    out = []
    for entry, plan in zip(params.notebooks, plans):
        if "source_note" in plan.parameters and "source_note" not in entry_parameters(params, entry, {"source_note"}):
            note = _source_note(params, plan.parameters, set(plan.parameters))
            plan = NotebookPlan(plan.name, plan.source, {**plan.parameters, "source_note": note})
        out.append(plan)
    return out


#: Python types a notebook parameter annotated with each type name accepts (papermill does not check them).
_ACCEPTED = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
    "dict": (dict,),
    "list": (list, tuple),
}


def _check_type(params: BulletinParams, entry: NotebookEntry, name: str, value: Any, declared: str | None) -> None:
    """Refuse, in one line, a parameter value of another type than the notebook's annotation."""
    accepted = _ACCEPTED.get(declared or "")
    if accepted is None:
        return  # not annotated, or with a type this check does not know
    is_bool = isinstance(value, bool)
    if isinstance(value, accepted) and (declared == "bool" or not is_bool):
        return
    raise BulletinError(
        f"{params.path}: notebook {entry.id} parameter {name!r} must be {declared}, "
        f"got {value!r} ({type(value).__name__})"
    )


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
    plans, declared_by_id = [], {}
    for entry in params.notebooks:
        source = params.notebook_path(entry.name)
        declared = _declared(source)
        declared_by_id[entry.id] = None if declared is None else set(declared)
        if declared is None:
            log.warning(
                "notebook %s has no cell tagged 'parameters': it runs with its own values and records "
                "nothing into the bulletin",
                entry.name,
            )
        plans.append(
            NotebookPlan(entry.id, source, notebook_parameters(params, entry, output_dir, declared, internal_dir))
        )
    # a default any notebook of the folder declares is fine (a copy of a file with some entries removed
    # keeps its defaults); a name none declares is a misspelling
    # (the folder is read only when the file's own notebooks leave a default undeclared)
    named = set().union(*[d for d in declared_by_id.values() if d])
    if set(params.defaults) - named:
        read = {params.notebook_path(entry.name) for entry in params.notebooks}
        for folder in sorted({path.parent for path in read}):
            for other in sorted(set(folder.glob("*.ipynb")) - read):
                declared = _declared(other)
                if declared:
                    declared_by_id[f"{folder.name}/{other.stem}"] = set(declared)
    check_defaults(params, declared_by_id)
    return plans


class _NotebookFailed(BulletinError):
    """Internal: a notebook failed; the message lacks where the partial folder is kept."""

    def __init__(self, message: str, name: str):
        super().__init__(message)
        self.name = name


@contextlib.contextmanager
def _quiet_execution_logs():
    """Silence the execution machinery's own log for the block (nbclient's "Kernel died …" and its traceback
    when a signal stops the run): every failure is reported by :func:`_execute` in one line."""
    quiet = [logging.getLogger(name) for name in ("nbclient", "papermill", "traitlets", "jupyter_client")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(quiet, levels):
            logger.setLevel(level)


def _execute(plan: NotebookPlan, target: Path, params: BulletinParams) -> None:
    import papermill
    from jupyter_client.kernelspec import NoSuchKernel
    from papermill.exceptions import PapermillExecutionError

    source: Any = str(plan.source)
    if params.lang != "zh":
        source = _translated(plan, params.lang)
    try:
        papermill.execute_notebook(
            source,
            str(target),
            parameters=plan.parameters,
            kernel_name=KERNEL,
            cwd=str(params.notebook_dir),
            execution_timeout=params.execution_timeout,
            progress_bar=False,
            log_output=False,
            # the kernel's own log (start-up warnings such as "running over TCP", the
            # message-handler traceback of a kernel shut down by a signal) is not the
            # user's business: a failing cell is reported through papermill
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except PapermillExecutionError as exc:
        cell = exc.exec_count if exc.exec_count is not None else exc.cell_index
        raise _NotebookFailed(
            f"notebook {plan.name} failed in cell [{cell}]: {exc.ename}: {_one_line(exc.evalue)}", plan.name
        ) from None
    except NoSuchKernel:
        raise _NotebookFailed(
            f"notebook {plan.name} could not start: Jupyter kernel {KERNEL!r} is not installed "
            f"(install ipykernel in this environment: python -m ipykernel install --sys-prefix)",
            plan.name,
        ) from None
    except Exception as exc:  # noqa: BLE001 - timeouts, dead kernels, unreadable notebooks
        kind = type(exc).__name__
        if kind == "CellTimeoutError":
            what = f"a cell ran longer than execution_timeout ({params.execution_timeout} s)"
        elif kind == "DeadKernelError":
            what = "the kernel died (out of memory?)"
        else:
            what = f"{kind}: {_one_line(exc)}"
        raise _NotebookFailed(f"notebook {plan.name} failed: {what}", plan.name) from None


def _translated(plan: NotebookPlan, lang: str) -> Any:
    """The notebook of *plan* with its Markdown cells (headings, introductions) in *lang*
    (:func:`ipstats.language.translate`); its code publishes in *lang* through its ``lang`` parameter."""
    import nbformat

    from ipstats.language import Untranslated, translate

    nb = nbformat.read(plan.source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            try:
                cell.source = translate(cell.source, lang)
            except Untranslated as exc:
                raise _NotebookFailed(f"notebook {plan.name}: a Markdown cell {exc}", plan.name) from None
    return nb


def _disk_full(exc: BaseException, folder: Path) -> bool:
    """Whether a run failed for want of disk space (then its partial output is not kept: the next run needs it)."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    if "No space left on device" in str(exc):
        return True
    try:
        return shutil.disk_usage(folder).free < 16 * 2**20
    except OSError:
        return False


def _keep_failed(partial: Path, failed: Path) -> Path:
    """Keep a failed run's output as ``DIR.failed`` (replacing an earlier failed run's); return where it is."""
    if failed.exists() and not folders.remove_ours(failed, "bulletin"):
        return partial  # a folder of the user's own by that name: leave both alone
    partial.rename(failed)
    return failed


def _read_paths(params: BulletinParams) -> list[tuple[str, Path]]:
    """Files and folders a run reads, which no output folder may be or contain."""
    keep = [("parameter file", params.path), ("notebook folder", params.notebook_dir)]
    keep += [(f"input {key!r}", path) for key, path in params.inputs.items()]
    if params.demo_data is not None:
        keep.append(("demo data folder", params.demo_data["out"]))
    return keep


def check_inputs(
    params: BulletinParams, report: Callable[[str], Any] = lambda line: None, shown: int = 10
) -> dict[str, dict[str, Any]]:
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

    Returns
    -------
    dict
        The inputs' validation records as this check left them, by content sha256
        (:func:`ipstats.bulletin.manifest.validation_snapshot`): what the run's manifest records.

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
        listed = "; ".join(
            f"{key} {r.file}: {r.n_problems:,} problem{'s' if r.n_problems != 1 else ''} (schema {r.schema})"
            for key, r in bad.items()
        )
        first = next(iter(bad.values()))
        raise BulletinError(
            f"invalid input{'s' if len(bad) > 1 else ''}, nothing was run — {listed}; list them "
            f"with: ipstats validate {first.file} --schema {first.schema}"
        )
    from ipstats.bulletin.manifest import validation_snapshot

    return validation_snapshot(params.inputs)


@contextlib.contextmanager
def _environment(entries: dict[str, str]):
    """Set *entries* in ``os.environ`` for the block (the notebooks' kernels inherit them), then restore."""
    saved = {k: os.environ.get(k) for k in entries}
    os.environ.update(entries)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def run_bulletin(
    params_path: str | os.PathLike,
    *,
    out: str | os.PathLike | None = None,
    internal_out: str | os.PathLike | None = None,
    region: str | None = None,
    progress: Callable[[str], Any] | None = print,
    pdf: bool | None = None,
    lang: str | None = None,
) -> Path:
    """Run the notebooks of a parameter file and publish the bulletin folder.

    Parameters
    ----------
    params_path : str or path
        The parameter file (YAML, see :func:`ipstats.bulletin.load_params`).
    out : str or path, optional
        Output folder; default ``output`` of the parameter file. A file's ``internal_output`` moves with it
        (``OUT-internal``).
    internal_out : str or path, optional
        Folder of the unprotected detail; default ``internal_output`` of the parameter file (or ``OUT-internal``).
    region : str, optional
        ``"national"`` or a province code such as ``"44"``; overrides the parameter file.
    progress : callable, optional
        Called with one line per notebook, e.g. ``[1/3] 00_overview … ok (12.3 s)``; None for silence.
    pdf : bool, optional
        Print ``bulletin.pdf`` (:mod:`ipstats.bulletin.pdf`); overrides ``pdf:`` of the parameter file. Left
        unset in both, the PDF is printed when a Chromium is found, else one ``info:`` line says why not.
    lang : {"zh", "en"}, optional
        ``"en"``: the English edition (:mod:`ipstats.language`); overrides ``lang:`` of the parameter file.

    Returns
    -------
    Path
        The bulletin folder, holding ``index.html``, one page per notebook, ``notebooks/``,
        ``tables/``, ``figures/``, ``texts/``, ``tables.xlsx``, ``bulletin.pdf`` and ``manifest.json``.

    Raises
    ------
    BulletinError
        One line on any failure. The output folder is then untouched and what was built is kept
        in ``DIR.failed`` (named in the message).
    """
    report = progress or (lambda line: None)
    params = load_params(params_path, region=region, out=out, internal_out=internal_out, prepare=False, lang=lang)
    target, internal = params.output, params.internal_output
    keep = _read_paths(params)
    folders.check_replaceable(target, "bulletin", keep)
    if internal is not None:
        folders.check_replaceable(internal, "internal", keep)
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    internal_partial = None if internal is None else internal.with_name(f"{internal.name}.partial-{os.getpid()}")
    plans = plan_notebooks(params, partial, internal_partial)  # every notebook inspected before anything is written
    want_pdf = _pdf_wanted(params, pdf, report)
    with contextlib.ExitStack() as stack:
        stack.enter_context(folders.run_lock(target))
        if internal is not None:
            stack.enter_context(folders.run_lock(internal))
        stack.enter_context(folders.raise_on_signals())
        stack.enter_context(_environment(params.column_environment()))  # column mappings, for every reader
        folders.clean_stale(target, "bulletin")
        if internal is not None:
            folders.clean_stale(internal, "internal")
        folders.check_replaceable(target, "bulletin", keep)  # again, now that no other run can change it
        prepare_inputs(params)
        as_of = check_reference_year(params)
        validation = check_inputs(params, report)
        plans = _sourced(params, plans)  # the demo data exist now: their demo_meta.json says so
        if as_of is None:
            report(
                "info: the register's extraction date is unknown (as_of: in the parameter file): the reference "
                "year is not checked for completeness"
            )
        from ipstats.language import using

        with using(params.lang):  # the page chrome (index, workbook, PDF) in the run's language
            _run(
                params,
                plans,
                (partial, target),
                (internal_partial, internal),
                report,
                pdf=want_pdf,
                validation=validation,
            )
    log.info("bulletin written to %s", target)
    if internal is not None:
        report(f"internal output (unprotected detail, not for publication) written to {internal}")
    return target


def _pdf_wanted(params: BulletinParams, option: bool | None, report: Callable[[str], Any]) -> bool:
    """Whether this run prints ``bulletin.pdf``: asked for (``--no-pdf``, ``pdf:``) and a Chromium is found."""
    from ipstats.bulletin.pdf import pdf_problem

    wanted = params.pdf if option is None else option
    if wanted is False:
        return False
    problem = pdf_problem()
    if problem and wanted:
        raise BulletinError(f"{params.path}: pdf: true, but bulletin.pdf cannot be printed: {problem}")
    if problem:
        report(f"info: no bulletin.pdf: {problem}")
        return False
    return True


def _recorded(folder: Path) -> tuple[set[str], set[str]]:
    """Names of the tables and figures recorded so far in a bulletin folder."""
    tables = {p.stem for p in (folder / "tables").glob("*.csv")} if (folder / "tables").is_dir() else set()
    figures = {p.stem for p in (folder / "figures").glob("*.json")} if (folder / "figures").is_dir() else set()
    return tables, figures


def _run(
    params: BulletinParams,
    plans: list[NotebookPlan],
    public: tuple[Path, Path],
    private: tuple[Path | None, Path | None],
    report: Callable[[str], Any],
    pdf: bool = False,
    validation: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Build the bulletin in its partial folders and swap them in (the caller holds the locks).

    *public* and *private* are (partial folder, published folder) of the bulletin and of the internal output;
    *pdf*: print ``bulletin.pdf``; *validation*: the input check's records, for the manifest.
    """
    from ipstats.bulletin import html, manifest, tables
    from ipstats.bulletin.sources import NATIONAL_CONTEXT
    from ipstats.language import tr

    partial, target = public
    internal_partial, internal = private
    failed = target.with_name(f"{target.name}.failed")

    try:
        folders.make_folder(partial, "bulletin")
        (partial / "notebooks").mkdir()
        if internal_partial is not None:
            from ipstats.bulletin.internal import write_notice

            folders.make_folder(internal_partial, "internal", private=True)
            write_notice(internal_partial)
    except OSError as exc:
        raise BulletinError(f"cannot create the output folder {partial}: {exc.strerror or exc}") from None

    started = _now()
    runs: list[dict[str, Any]] = []
    pages: list[dict[str, str]] = []
    recorded: dict[str, tuple[list[str], list[str]]] = {}  # notebook → the tables and figures it recorded
    try:
        for i, plan in enumerate(plans, start=1):
            before = _recorded(partial)
            executed = partial / "notebooks" / f"{plan.name}.ipynb"
            log.info("running %s with %s", plan.source, plan.parameters)
            t0 = time.perf_counter()
            status = "failed"
            try:
                with _quiet_execution_logs():
                    _execute(plan, executed, params)
                status = "ok"
            finally:
                seconds = round(time.perf_counter() - t0, 1)
                runs.append(
                    {
                        "name": plan.name,
                        "status": status,
                        "seconds": seconds,
                        "output": f"notebooks/{plan.name}.ipynb",
                        "parameters": plan.parameters,
                        "source_note": plan.parameters.get("source_note", ""),
                    }
                )
                report(f"[{i}/{len(plans)}] {plan.name} … {status} ({seconds:.1f} s)")
            after = _recorded(partial)
            recorded[plan.name] = (sorted(after[0] - before[0]), sorted(after[1] - before[1]))
        for plan in plans:
            executed = partial / "notebooks" / f"{plan.name}.ipynb"
            import nbformat

            nb = nbformat.read(executed, as_version=4)
            national = params.region != "national" and nb.metadata.get("ipstats", {}).get("scope") == "national"
            title = html.notebook_title(nb, plan.name) + (tr(NATIONAL_CONTEXT) if national else "")
            html.export_page(executed, partial / f"{plan.name}.html", title=title)
            pages.append({"name": plan.name, "title": title, "national": national})
        # sections titled as on the index; tables, sheets and the PDF follow them
        sections = _grouped(
            [
                {
                    "name": page["name"],
                    "title": title,
                    "tables": recorded[page["name"]][0],
                    "figures": recorded[page["name"]][1],
                    "national": page["national"],
                }
                for page, title in zip(pages, html.index_titles(partial, pages))
            ]
        )
        tables.write_workbook(partial / "tables", partial / "tables.xlsx", sections)
        if pdf:
            from ipstats.bulletin.pdf import write_pdf

            t0 = time.perf_counter()
            write_pdf(partial, title=params.title, year=params.year, region=params.region, sections=sections)
            report(f"bulletin.pdf … ok ({time.perf_counter() - t0:.1f} s)")
        finished = _now()
        moves = {partial: target, **({} if internal is None else {internal_partial: internal})}
        manifest.write_manifest(
            partial,
            manifest.build_manifest(
                folder=partial,
                params=params,
                notebooks=runs,
                started=started,
                finished=finished,
                moves=moves,
                validation=validation,
            ),
        )
        html.write_index(
            partial,
            title=params.title,
            year=params.year,
            region=params.region,
            notebooks=pages,
            generated=datetime.now(),
            sections=sections,
        )
    except BaseException as exc:
        if internal_partial is not None:
            shutil.rmtree(internal_partial, ignore_errors=True)  # unprotected detail is not kept around
        if _disk_full(exc, partial.parent):
            shutil.rmtree(partial, ignore_errors=True)  # a kept folder would make the next run fail too
            kept = None
        else:
            _failed_manifest(partial, failed, params, runs, started, validation)
            try:
                kept = _keep_failed(partial, failed)
            except OSError as move_exc:
                log.error("could not move %s to %s: %s", partial, failed, move_exc)
                kept = partial
        where = "the disk is full: partial output removed" if kept is None else None
        if isinstance(exc, _NotebookFailed):
            where = where or f"executed notebook kept in {kept / 'notebooks' / (exc.name + '.ipynb')}"
            raise BulletinError(f"{exc}; {where}") from None
        where = where or f"partial output kept in {kept}"
        if isinstance(exc, BulletinError):
            raise BulletinError(f"{exc}; {where}") from None
        if isinstance(exc, folders.RunInterrupted):
            raise BulletinError(f"bulletin {target} {exc}; {where}") from None
        if isinstance(exc, Exception):
            raise BulletinError(
                f"bulletin {target} could not be finished: {type(exc).__name__}: {_one_line(exc)}; {where}"
            ) from exc
        raise
    try:
        folders.swap_in(partial, target, "bulletin")
        if internal_partial is not None:
            folders.swap_in(internal_partial, internal, "internal")
    except OSError as exc:
        raise BulletinError(
            f"could not move the finished bulletin {partial} to {target}: {exc.strerror or exc}"
        ) from None


def _grouped(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """*sections* in bulletin order: run order, the national-context sections of a provincial run last.

    The index lists those pages last under :data:`ipstats.bulletin.sources.NATIONAL_GROUP`; the table numbers,
    ``tables.xlsx`` and ``bulletin.pdf`` (which prints the group's heading before them) follow the same order.
    """
    return [s for s in sections if not s.get("national")] + [s for s in sections if s.get("national")]


def _failed_manifest(
    partial: Path,
    failed: Path,
    params: BulletinParams,
    runs: list[dict[str, Any]],
    started: str,
    validation: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Best effort: a manifest in the failed folder (kept as *failed*) saying which notebook failed."""
    from ipstats.bulletin import manifest

    try:
        if partial.is_dir():
            manifest.write_manifest(
                partial,
                manifest.build_manifest(
                    folder=partial,
                    params=params,
                    notebooks=runs,
                    started=started,
                    finished=_now(),
                    moves={partial: failed},
                    validation=validation,
                ),
            )
    except Exception as exc:  # noqa: BLE001 - never hide the original failure
        log.warning("no manifest for the failed run: %s", exc)
