"""Counting stage: patent flows (applications, grants) and year-end valid stock (有效专利) with DuckDB.

The register stays in DuckDB; only the small result cube comes back to pandas.
"""
from ipstats.counting.flows import MEASURES, count_flows, count_valid_stock

__all__ = ["MEASURES", "count_flows", "count_valid_stock"]
