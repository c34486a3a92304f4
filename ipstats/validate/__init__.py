"""Validation of input files against their schemas (数据校验): ``ipstats validate`` and the bulletin's check.

>>> from ipstats.validate import validate_file
>>> report = validate_file("data/demo/population.csv", "population")   # doctest: +SKIP
>>> report.ok, report.lines()[:3]                                       # doctest: +SKIP
"""
from ipstats.validate.core import Problem, Report, validate_file
from ipstats.validate.formats import parse_dates
from ipstats.validate.inputs import INPUT_SCHEMAS, schema_for_input, validate_inputs
from ipstats.validate.readers import ReadError, open_table
from ipstats.validate.schema import Schema, SchemaError, load_schema, schema_names

__all__ = ["INPUT_SCHEMAS", "Problem", "ReadError", "Report", "Schema", "SchemaError", "load_schema",
           "open_table", "parse_dates", "schema_for_input", "schema_names", "validate_file", "validate_inputs"]
