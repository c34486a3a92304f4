"""What notebooks call to publish tables, figures and texts into a bulletin run.

Every function is a no-op when ``output_dir`` is empty (``""`` or ``None``), so the same notebook
runs interactively without writing anything. In a bulletin run papermill sets ``output_dir`` to the
run's folder and the files land in ``tables/``, ``figures/`` and ``texts/`` below it.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from ipstats.bulletin.precision import round_published
from ipstats.cells import write_csv
from ipstats.labels import mark_cells

__all__ = [
    "FIGURE_KEY",
    "browser_path",
    "browser_problem",
    "record_figure",
    "record_table",
    "record_text",
    "static_export_available",
    "static_export_problem",
    "write_static",
]

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[0-9A-Za-z_\-]+$")
_static_warned = False
#: Key of ``layout.meta`` naming the recorded figure (read by the HTML pages and the manifest).
FIGURE_KEY = "ipstats_figure"


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"record name {name!r} is not allowed: use only letters, digits, '_' and '-'")
    return name


def _folder(output_dir: str | os.PathLike | None, sub: str) -> Path | None:
    if output_dir is None or str(output_dir) == "":
        return None
    folder = Path(output_dir) / sub
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def record_table(
    df: pd.DataFrame,
    name: str,
    *,
    title: str,
    unit: str,
    source: str,
    notes: Iterable[str] = (),
    output_dir: str | os.PathLike | None,
    disclosure: dict | None = None,
    labels: Mapping[str, str] | None = None,
    decimals: Mapping[str, int] | None = None,
) -> Path | None:
    """Write a published table as CSV (UTF-8 with BOM) with a metadata file beside it.

    Numbers are written at their published precision (:func:`ipstats.bulletin.precision.round_published`:
    counts as integers, growth and shares to one decimal, fractional counts to two, amounts per their unit,
    四舍五入); the full precision stays in the internal output. Cells are written by
    :func:`ipstats.cells.write_csv`: text beginning with a formula character (``=``, ``+``, ``-``, ``@``, tab,
    CR) is quoted with a leading apostrophe and ``-0`` is ``0``, so the same inputs give the same bytes.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; its index is not written.
    name : str
        File name without extension, letters, digits, ``_`` and ``-`` only.
    title, unit, source : str
        Table title, unit line (``单位：…``) and source line (``资料来源：…``).
    notes : iterable of str, optional
        Notes printed under the table (``注：…``).
    output_dir : str, path or None
        Folder of the bulletin run; ``""`` or ``None`` writes nothing.
    disclosure : dict, optional
        Disclosure-control record of the table (rules, counts of suppressed cells, audit result), written
        into the metadata and collected into the manifest. Suppressed cells are missing values in *df*;
        with a record they are written as ``×`` and other missing cells as ``—`` (:func:`ipstats.labels.mark_cells`).
    labels : mapping, optional
        Chinese column labels (column → label) for ``tables.xlsx``, over those of
        :data:`ipstats.display.LABELS`; the CSV keeps the machine names.
    decimals : mapping, optional
        Decimals of some columns (column → decimals) where the published precision is not the default of
        their kind (:data:`ipstats.bulletin.precision.DECIMALS`).

    Returns
    -------
    pathlib.Path or None
        ``{output_dir}/tables/{name}.csv``, or None when nothing was written.

    Raises
    ------
    ValueError
        If *name* has other characters, *notes* is a single string or *df* has no columns.
    """
    _check_name(name)
    if isinstance(notes, str):
        raise ValueError(f"notes of table {name!r} must be a list of strings, not one string")
    if len(df.columns) == 0:
        # an empty table keeps its header (a region with nothing to count); no columns at all is a bug upstream
        raise ValueError(f"table {name!r} has no columns: build it with its column names even when it has no rows")
    folder = _folder(output_dir, "tables")
    if folder is None:
        return None
    csv_path = folder / f"{name}.csv"
    published, written = round_published(df, labels, decimals)
    # with a record: suppressed cells "×", other missing cells "—" (ipstats.labels.SYMBOLS); else empty
    write_csv(mark_cells(published, disclosure) if disclosure else published, csv_path, na_rep="")
    meta = {
        "name": name,
        "title": str(title),
        "unit": str(unit),
        "source": str(source),
        "notes": [str(n) for n in notes],
        "order": _next_order(folder, name),
        "decimals": written,
    }
    if labels:
        meta["labels"] = {str(c): str(labels[c]) for c in df.columns if c in labels}
    if disclosure:
        meta["disclosure"] = disclosure
    (folder / f"{name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log.info("recorded table %s", csv_path)
    return csv_path


def _next_order(folder: Path, name: str) -> int:
    """Position of table *name* in its run's record order: one after the last table recorded (bulletin order)."""
    orders = [0]
    for path in folder.glob("*.meta.json"):
        if path.name != f"{name}.meta.json":
            try:
                orders.append(int(json.loads(path.read_text(encoding="utf-8")).get("order", 0)))
            except (ValueError, TypeError, OSError, AttributeError):
                continue
    return max(orders) + 1


#: Browser executables tried, in order, when ``BROWSER_PATH`` is not set (Debian's package first).
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Size of the static images when the figure does not set its own (pixels; PNG written at twice this).
STATIC_WIDTH, STATIC_HEIGHT, PNG_SCALE = 960, 540, 2

_session: dict[str, Any] = {"state": None, "problem": None}


def browser_path() -> str | None:
    """The Chromium used for static figures: ``BROWSER_PATH`` when it names a file, else the first on PATH.

    Returns
    -------
    str or None
        Path of the browser executable, or None when none is found.
    """
    env = os.environ.get("BROWSER_PATH")
    if env:
        return env if Path(env).is_file() else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def static_export_problem() -> str | None:
    """Why PNG/SVG figures cannot be written here, or None when they can.

    Returns
    -------
    str or None
        A one-line reason (kaleido missing, no browser found, the browser failed to start), for
        the bulletin to say once before it continues with HTML only.
    """
    if _session["problem"]:
        return _session["problem"]
    if importlib.util.find_spec("kaleido") is None:
        return "the Python package kaleido (>= 1) is not installed"
    return browser_problem()


def browser_problem() -> str | None:
    """Why no Chromium is found (:func:`browser_path`, for static figures and ``bulletin.pdf``), or None."""
    if browser_path() is None:
        env = os.environ.get("BROWSER_PATH")
        if env:
            return f"BROWSER_PATH={env!r} is not a file"
        return f"no Chromium browser found (looked for {', '.join(BROWSER_NAMES)} on PATH; set BROWSER_PATH)"
    return None


def static_export_available() -> bool:
    """Whether PNG/SVG export can work: kaleido importable and a Chromium found.

    Returns
    -------
    bool
        True when :func:`static_export_problem` finds nothing wrong.
    """
    return static_export_problem() is None


def _warn_static_once(reason: str) -> None:
    global _static_warned
    if not _static_warned:
        _static_warned = True
        log.warning("figures are recorded as JSON only, without PNG/SVG: %s", reason)


def _start_session() -> None:
    """Start one kaleido browser for this process (a notebook's kernel); kaleido closes it at exit."""
    import kaleido

    # one browser for all figures of the notebook: start-up costs about 2 s, a figure about 0.3 s.
    # MathJax is off (kaleido would load it from a CDN); plotly.js comes from the installed plotly.
    t0 = time.perf_counter()
    kaleido.start_sync_server(path=browser_path(), mathjax=False, n=1, timeout=120, silence_warnings=True)
    _session["state"] = "running"
    log.info(
        "kaleido session opening with %s (%.2f s; the first figure waits for the browser)",
        browser_path(),
        time.perf_counter() - t0,
    )


def _static_size(spec: dict) -> tuple[int, int]:
    layout = spec.get("layout") or {}
    return int(layout.get("width") or STATIC_WIDTH), int(layout.get("height") or STATIC_HEIGHT)


def _escaped_spec(fig: Any) -> dict:
    """The figure (object or its JSON spec) with the texts from the data escaped (:func:`ipstats.figures.escaped_figure`)."""
    from ipstats.figures import escape_chart_text, escaped_figure

    if not isinstance(fig, dict):
        return escaped_figure(fig)
    return {"data": escape_chart_text(fig.get("data", [])), "layout": escape_chart_text(fig.get("layout", {}))}


def write_static(fig: Any, folder: Path, name: str) -> list[Path]:
    """Write *fig* as ``{name}.png`` and ``{name}.svg`` with the process's kaleido session.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure or dict
        The chart, or its JSON spec (``json.loads(fig.to_json())``, so a recorded figure is serialised once).
    folder : Path
        Target folder.
    name : str
        File name without extension.

    Returns
    -------
    list of Path
        The files written; empty when static export is not possible here (warned once per process).
    """
    problem = static_export_problem()
    if problem:
        _warn_static_once(problem)
        return []
    import kaleido

    targets = [folder / f"{name}.png", folder / f"{name}.svg"]
    spec = _escaped_spec(fig)  # names from the data drawn as typed, never as plotly's tags or links
    width, height = _static_size(spec)
    jobs = [
        {
            "fig": spec,
            "path": targets[0],
            "opts": {"format": "png", "width": width, "height": height, "scale": PNG_SCALE},
        },
        {"fig": spec, "path": targets[1], "opts": {"format": "svg", "width": width, "height": height}},
    ]
    try:
        if _session["state"] is None:
            _start_session()
        t0 = time.perf_counter()
        kaleido.write_fig_from_object_sync(jobs, cancel_on_error=True)
    except Exception as exc:  # noqa: BLE001 - static images are optional, the HTML page has the chart
        reason = f"{type(exc).__name__}: {_first_line(exc)} (browser {browser_path()})"
        for target in targets:
            target.unlink(missing_ok=True)
        if _session["state"] != "running":  # the browser did not start: no figure of this process can be drawn
            _session["problem"] = reason
            _warn_static_once(reason)
        else:  # this figure failed; the next ones still try
            log.warning("figure %s is recorded as JSON only, without PNG/SVG: %s", name, reason)
        return []
    log.info("static figure %s.png/.svg in %.2f s", name, time.perf_counter() - t0)
    return targets


def figure_has_data(fig: Any) -> bool:
    """Whether any trace of a plotly figure (object or JSON dict) has something to draw."""
    from ipstats.figures import trace_has_data

    spec = fig if isinstance(fig, dict) else fig.to_plotly_json()
    return any(trace_has_data(trace) for trace in spec.get("data", []))


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[0].strip() if lines else ""


#: Trace attributes holding the plotted numbers, written at :data:`ipstats.indicators.narrative.SIGNIFICANT` digits.
PLOTTED = ("x", "y", "z", "values")


def _settle(fig: Any) -> None:
    """Plotted floats at 12 significant digits: a chart of fractional counts has the same data whatever order the
    engine summed them in (DuckDB's threads, Spark), as its table has the same published digits."""
    import numpy as np

    from ipstats.indicators.narrative import SIGNIFICANT

    for trace in fig.data:
        for attr in PLOTTED:
            values = getattr(trace, attr, None) if attr in trace else None
            if values is None or isinstance(values, str):
                continue
            array = np.asarray(values)
            if array.dtype.kind != "f":
                continue
            settled = np.array([float(f"{v:.{SIGNIFICANT}g}") for v in array.ravel()]).reshape(array.shape)
            trace[attr] = settled


def _tag(fig: Any, name: str) -> None:
    """Put the record name into ``layout.meta`` so the executed notebook's chart output names its figure."""
    meta = fig.layout.meta
    if meta is None:
        fig.update_layout(meta={FIGURE_KEY: name})
    elif isinstance(meta, dict):
        fig.update_layout(meta={**meta, FIGURE_KEY: name})


def record_figure(fig: Any, name: str, *, output_dir: str | os.PathLike | None) -> Path | None:
    """Write a plotly figure as JSON, plus PNG and SVG where static export is available.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The chart. When recording, ``layout.meta`` gets ``{"ipstats_figure": name}`` (unless it holds
        something other than a dict) so the bulletin knows which chart of a page is which figure.
    name : str
        File name without extension, letters, digits, ``_`` and ``-`` only.
    output_dir : str, path or None
        Folder of the bulletin run; ``""`` or ``None`` writes nothing.

    Returns
    -------
    pathlib.Path or None
        ``{output_dir}/figures/{name}.json``, or None when nothing was written.

    Notes
    -----
    PNG (at twice the figure's size, default 960 × 540) and SVG need kaleido and a Chromium
    (``BROWSER_PATH``, or ``chromium`` on PATH); one browser is started per process and reused for
    every figure. Without them one warning is logged per process and only the JSON is written.
    """
    _check_name(name)
    folder = _folder(output_dir, "figures")
    if folder is None:
        return None
    _tag(fig, name)
    _settle(fig)
    json_path = folder / f"{name}.json"
    text = fig.to_json()  # serialised once: the JSON file, the data check and the static images
    json_path.write_text(text, encoding="utf-8")
    spec = json.loads(text)
    if figure_has_data(spec):
        write_static(spec, folder, name)
    else:  # an empty chart (a province with no events, say): nothing to draw
        log.info("figure %s has no data: recorded as JSON only", name)
    log.info("recorded figure %s", json_path)
    return json_path


def record_text(name: str, text: str, *, output_dir: str | os.PathLike | None) -> Path | None:
    """Write a generated text (e.g. the Chinese summary paragraph) as Markdown.

    Parameters
    ----------
    name : str
        File name without extension; use the notebook's name so the index page shows it as summary.
    text : str
        Markdown text.
    output_dir : str, path or None
        Folder of the bulletin run; ``""`` or ``None`` writes nothing.

    Returns
    -------
    pathlib.Path or None
        ``{output_dir}/texts/{name}.md``, or None when nothing was written.
    """
    _check_name(name)
    folder = _folder(output_dir, "texts")
    if folder is None:
        return None
    path = folder / f"{name}.md"
    text = str(text)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    log.info("recorded text %s", path)
    return path
