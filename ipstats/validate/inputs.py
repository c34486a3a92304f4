"""Which schema checks which input of a bulletin parameter file, and the check of all inputs at once.

An input key maps to a schema by :data:`INPUT_SCHEMAS` (``register`` → ``patent_register``), else by
its own name (``survey_sample`` → ``survey_sample.schema.yaml``); a key with no schema is not checked.
"""
from __future__ import annotations

import os
from pathlib import Path

from ipstats.validate.core import Report, validate_file
from ipstats.validate.schema import load_schema, schema_names

__all__ = ["INPUT_SCHEMAS", "schema_for_input", "validate_inputs"]

#: Input keys whose schema has another name than the key.
INPUT_SCHEMAS = {"register": "patent_register", "register_ipc": "patent_register_ipc",
                 "product_links": "product_patent_links"}


def schema_for_input(key: str) -> str | None:
    """The schema name that checks the input *key* of a parameter file, or None when there is none."""
    name = INPUT_SCHEMAS.get(key, key)
    return name if name in schema_names() else None


def validate_inputs(inputs: dict[str, str | os.PathLike], *, max_problems: int = 20) \
        -> tuple[dict[str, Report], list[str]]:
    """Validate every input file against its schema.

    Parameters
    ----------
    inputs : dict
        Input files by key, as in a parameter file's ``inputs:``.
    max_problems : int
        Problems listed per file (all are counted).

    Returns
    -------
    reports : dict of str to Report
        One report per checked input, by key.
    notes : list of str
        Inputs not checked (no schema) and other information.
    """
    schemas = {key: schema_for_input(key) for key in inputs}
    notes = [f"input {key!r} has no schema in data_schemas/ (expected {key}.schema.yaml): not checked"
             for key, name in schemas.items() if name is None]
    by_schema = {name: Path(inputs[key]) for key, name in schemas.items() if name}
    reports = {}
    for key, name in schemas.items():
        if name is None:
            continue
        schema = load_schema(name)
        references = {fk["resource"]: by_schema[fk["resource"]] for fk in schema.foreign_keys
                      if fk["resource"] in by_schema}
        reports[key] = validate_file(inputs[key], schema, references=references, max_problems=max_problems)
        notes.extend(f"{key}: {note}" for note in reports[key].notes)
    return reports, notes
