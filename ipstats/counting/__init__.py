"""Counting stage: classify the register and count it into a small tidy cube (DuckDB or Spark, whole and fractional).

See :mod:`ipstats.counting.cube` for the counting rules and their OECD conventions.
"""

from ipstats.counting.cube import (
    MEASURES,
    PATENT_TYPES,
    REFERENCE_DATES,
    CountSpec,
    classify_and_count,
    count,
    count_classified,
    count_contributors,
    rollup,
)
from ipstats.counting.flows import count_flows, count_valid_stock

__all__ = [
    "MEASURES",
    "PATENT_TYPES",
    "REFERENCE_DATES",
    "CountSpec",
    "classify_and_count",
    "count",
    "count_classified",
    "count_contributors",
    "count_flows",
    "count_valid_stock",
    "rollup",
]
