"""Patent-intensive industries (专利密集型产业): identification, value added, the yearly announcement.

* :mod:`ipstats.pii.identify` — industries whose invention-patent intensity (发明专利密集度) and scale reach
  thresholds, from fractional invention patents by industry and employment, with sensitivity and
  disclosure control;
* :mod:`ipstats.pii.value_added` — totals, nominal growth, structure, share of GDP and its change, gap to GDP
  growth, contributions, average growth over a span, vintages and census-basis revisions;
* :mod:`ipstats.pii.announcement` — the Chinese announcement generated from those numbers;
* :mod:`ipstats.pii.demo` — synthetic employment by industry for the demo register;
* :mod:`ipstats.pii.report` — what the notebook ``10_patent_intensive_industries`` shows, in two calls;
* :mod:`ipstats.pii.charts` — its charts.

The published 2018–2023 series and nominal GDP are reference tables (:func:`ipstats.reference.pii_value_added`,
:func:`ipstats.reference.gdp_nominal`); the consistency audit of any published table is
:mod:`ipstats.consistency`.
"""

from ipstats.pii.announcement import announcement
from ipstats.pii.identify import Identification, identify, patents_by_industry, sensitivity
from ipstats.pii.report import compute_identification, compute_value_added
from ipstats.pii.value_added import compile_year, read_gdp, read_value_added

__all__ = [
    "Identification",
    "announcement",
    "compile_year",
    "compute_identification",
    "compute_value_added",
    "identify",
    "patents_by_industry",
    "read_gdp",
    "read_value_added",
    "sensitivity",
]
