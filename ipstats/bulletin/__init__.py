"""The statistical bulletin: run parameterized notebooks into a publication folder.

A bulletin run (:func:`run_bulletin`, command ``ipstats bulletin PARAMS.yaml``) executes the
notebooks named in a parameter file with papermill and writes, into one folder: the executed
notebooks, one HTML page per notebook (code hidden) and ``index.html``, the tables the notebooks
recorded (``tables/*.csv`` and ``tables.xlsx``), their figures and texts, and ``manifest.json``.

Notebooks publish through one :class:`Publisher` made from their parameters (``pub.table``,
``pub.figure``, ``pub.text``: record, show and footnote in one call), which wraps :func:`record_table`,
:func:`record_figure` and :func:`record_text`; these do nothing when their ``output_dir`` parameter is
empty (interactive use). Unprotected
detail goes only to the internal folder a parameter file names (:func:`record_internal_table`).
"""

from ipstats.bulletin.errors import BulletinError
from ipstats.bulletin.internal import record_internal_table
from ipstats.bulletin.params import BulletinParams, load_params
from ipstats.bulletin.publish import Publisher
from ipstats.bulletin.record import record_figure, record_table, record_text
from ipstats.bulletin.run import run_bulletin
from ipstats.bulletin.tables import write_workbook

__all__ = [
    "BulletinError",
    "BulletinParams",
    "Publisher",
    "load_params",
    "record_figure",
    "record_internal_table",
    "record_table",
    "record_text",
    "run_bulletin",
    "write_workbook",
]
