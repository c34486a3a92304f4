"""ipstats — China's national patent statistics: register → validate → classify → count → indicators → bulletin.

Stages (one sub-package each): ``ipstats.register`` (reading registers, the demo register),
``ipstats.validate`` (input checks against ``data_schemas/``), ``ipstats.counting`` (flows and
year-end stock with DuckDB), ``ipstats.indicators`` (the published indicators),
``ipstats.bulletin`` (papermill run, HTML, tables, manifest). Reference tables live in
``ipstats.reference``.
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ipstats")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"
