"""ipstats — China's national patent statistics: register → classify → count → indicators → bulletin.

Stages, one module or sub-package each:

* ``ipstats.reference`` — reference tables shipped with the package (IPC scheme, provinces, Locarno, …);
* ``ipstats.register`` — opening registers in DuckDB, application numbers, the demo register;
* ``ipstats.ipc`` — IPC symbols: parsing, canonical form, validation against the scheme;
* ``ipstats.concordance`` — classification systems and the engine that maps IPC codes to categories;
* ``ipstats.counting`` — flows and year-end stock counted into tidy cubes, whole and fractional;
* ``ipstats.indicators`` — publication tables and generated Chinese text;
* ``ipstats.figures`` / ``ipstats.display`` — charts and tables as readers see them;
* ``ipstats.bulletin`` — papermill runs, HTML pages, tables.xlsx and the manifest.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ipstats")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"
