"""Indicators computed from the count cube (small pure functions over DataFrames)."""
