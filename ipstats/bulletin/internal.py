"""Unprotected detail for internal use (内部明细，未经统计数据保密处理), kept out of the public bulletin.

A parameter file may name ``internal_output:``, a folder outside the public output. Notebooks then
receive its (partial) path as ``internal_dir`` and write the tables *before* disclosure control with
:func:`record_internal_table`; the bulletin moves the folder into place only when the whole run
succeeded. Without ``internal_output`` nothing unprotected is written anywhere.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pandas as pd

from ipstats.bulletin.record import _check_name
from ipstats.cells import write_csv

__all__ = ["INTERNAL_NOTICE", "record_internal_table", "write_notice"]

log = logging.getLogger(__name__)

#: Written beside the tables and into every table's metadata.
INTERNAL_NOTICE = (
    "内部资料：本文件夹中的表格未经统计数据保密处理，可能披露个别申请人的数据，不得公开发布。"
    " / INTERNAL: these tables are not protected by disclosure control and must not be published."
)


def write_notice(folder: str | os.PathLike) -> Path:
    """Write ``README.txt`` with :data:`INTERNAL_NOTICE` into *folder* (created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "README.txt"
    path.write_text(INTERNAL_NOTICE + "\n", encoding="utf-8")
    return path


def record_internal_table(
    df: pd.DataFrame, name: str, *, title: str, internal_dir: str | os.PathLike | None
) -> Path | None:
    """Write an unprotected table into the internal folder (nothing when *internal_dir* is empty).

    Parameters
    ----------
    df : pandas.DataFrame
        The table before disclosure control.
    name : str
        File name without extension (letters, digits, ``_`` and ``-``).
    title : str
        Table title.
    internal_dir : str, path or None
        The notebook's ``internal_dir`` parameter; ``""`` or None: the run has no internal output.

    Returns
    -------
    pathlib.Path or None
        ``{internal_dir}/tables/{name}.csv``, or None when nothing was written.
    """
    _check_name(name)
    if not internal_dir:
        return None
    folder = Path(internal_dir) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    write_csv(df, path)
    meta = {"name": name, "title": str(title), "internal": True, "notice": INTERNAL_NOTICE}
    (folder / f"{name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log.info("recorded internal table %s", path)
    return path
