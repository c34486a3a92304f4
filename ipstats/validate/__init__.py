"""Validation of input files against their schemas (数据校验): ``ipstats validate`` and the bulletin's check.

>>> from ipstats.validate import validate_file
>>> report = validate_file("data/demo/population.csv", "population")   # doctest: +SKIP
>>> report.ok, report.lines()[:3]                                       # doctest: +SKIP
>>> read_input("data/demo/population.csv", "population").dtypes           # doctest: +SKIP
"""

from ipstats.errors import InputError
from ipstats.validate.core import Problem, Report
from ipstats.validate.formats import parse_dates
from ipstats.validate.inputs import INPUT_SCHEMAS, implicit_inputs, links_beside, schema_for_input, validate_inputs
from ipstats.validate.readers import ReadError, open_table
from ipstats.validate.schema import Schema, SchemaError, load_schema, schema_names
from ipstats.validate.run import validate_file
from ipstats.validate.typed import ValidationError, is_typed_parquet, read_cells, read_input, typed_parquet

__all__ = [
    "INPUT_SCHEMAS",
    "InputError",
    "Problem",
    "ReadError",
    "Report",
    "Schema",
    "SchemaError",
    "implicit_inputs",
    "is_typed_parquet",
    "links_beside",
    "load_schema",
    "open_table",
    "parse_dates",
    "read_cells",
    "read_input",
    "schema_for_input",
    "schema_names",
    "typed_parquet",
    "ValidationError",
    "validate_file",
    "validate_inputs",
]
