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
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from ipstats.display import SUPPRESSED

__all__ = ["record_figure", "record_table", "record_text", "static_export_available"]

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[0-9A-Za-z_\-]+$")
_static_warned = False


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


def record_table(df: pd.DataFrame, name: str, *, title: str, unit: str, source: str,
                 notes: Iterable[str] = (), output_dir: str | os.PathLike | None,
                 disclosure: dict | None = None) -> Path | None:
    """Write a published table as CSV (UTF-8 with BOM) with a metadata file beside it.

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
        with a record they are written as ``—``.

    Returns
    -------
    pathlib.Path or None
        ``{output_dir}/tables/{name}.csv``, or None when nothing was written.

    Raises
    ------
    ValueError
        If *name* has other characters or *notes* is a single string.
    """
    _check_name(name)
    if isinstance(notes, str):
        raise ValueError(f"notes of table {name!r} must be a list of strings, not one string")
    folder = _folder(output_dir, "tables")
    if folder is None:
        return None
    csv_path = folder / f"{name}.csv"
    df.to_csv(csv_path, index=False, encoding="utf-8-sig", na_rep=SUPPRESSED if disclosure else "")
    meta = {"name": name, "title": str(title), "unit": str(unit), "source": str(source),
            "notes": [str(n) for n in notes]}
    if disclosure:
        meta["disclosure"] = disclosure
    (folder / f"{name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                              encoding="utf-8")
    log.info("recorded table %s", csv_path)
    return csv_path


def static_export_available() -> bool:
    """Whether PNG/SVG export can work: kaleido importable and a Chromium found.

    Returns
    -------
    bool
        True when ``kaleido`` is installed and ``chromium`` is on PATH or ``BROWSER_PATH`` names a file.
    """
    if importlib.util.find_spec("kaleido") is None:
        return False
    browser = os.environ.get("BROWSER_PATH")
    return bool((browser and Path(browser).exists()) or shutil.which("chromium"))


def _warn_static_once(reason: str) -> None:
    global _static_warned
    if not _static_warned:
        _static_warned = True
        log.warning("figures are recorded as JSON only, without PNG/SVG: %s", reason)


def record_figure(fig: Any, name: str, *, output_dir: str | os.PathLike | None) -> Path | None:
    """Write a plotly figure as JSON, plus PNG and SVG where static export is available.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The chart.
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
    PNG and SVG need kaleido and a Chromium (``chromium`` on PATH or ``BROWSER_PATH``); without
    them one warning is logged per process and only the JSON is written.
    """
    _check_name(name)
    folder = _folder(output_dir, "figures")
    if folder is None:
        return None
    json_path = folder / f"{name}.json"
    json_path.write_text(fig.to_json(), encoding="utf-8")
    if static_export_available():
        try:
            for ext in ("png", "svg"):
                fig.write_image(folder / f"{name}.{ext}")
        except Exception as exc:  # noqa: BLE001 - static images are optional
            _warn_static_once(f"{type(exc).__name__}: {exc}".splitlines()[0])
    else:
        _warn_static_once("kaleido or a Chromium browser (chromium on PATH, or BROWSER_PATH) is missing")
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
