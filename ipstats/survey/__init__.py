"""The national patent survey (全国专利调查): design-based estimation, weighting and published indicators."""
from ipstats.survey.design import Design

__all__ = ["Design"]
