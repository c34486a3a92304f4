"""Which schema checks which input of a bulletin parameter file, and the check of all inputs at once.

An input key maps to a schema by :data:`INPUT_SCHEMAS` (``register`` → ``patent_register``), else by
its own name (``survey_sample`` → ``survey_sample.schema.yaml``); a key with no schema is not checked.
Implicit inputs — files ipstats reads beside a named one, such as ``register_ipc.parquet`` beside the register,
which drives classification — are checked like inputs (:func:`implicit_inputs`). Every input is checked by
writing its typed Parquet (:func:`ipstats.validate.typed.typed_parquet`) into the cache, keyed by the sha256 of its
content, of its schema and of the files its foreign keys point to: an input unchanged since it last validated is
not validated again (the manifest records when it was), and the notebooks of the run read the typed copy (the
register, its IPC links, the legal events that the survey and transfer pages both read) instead of parsing the
file again.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ipstats.validate.core import Report
from ipstats.validate.run import validate_file
from ipstats.validate.schema import load_schema, schema_names

__all__ = [
    "INPUT_SCHEMAS",
    "LINKS_FILE",
    "implicit_inputs",
    "links_beside",
    "schema_for_input",
    "validate_inputs",
]

#: The IPC link table read beside a register (``register_ipc`` input when it is not named).
LINKS_FILE = "register_ipc.parquet"
#: Input keys whose schema has another name than the key.
INPUT_SCHEMAS = {
    "register": "patent_register",
    "register_ipc": "patent_register_ipc",
    "product_links": "product_patent_links",
}


def schema_for_input(key: str) -> str | None:
    """The schema name that checks the input *key* of a parameter file, or None when there is none."""
    name = INPUT_SCHEMAS.get(key, key)
    return name if name in schema_names() else None


def links_beside(register: str | os.PathLike) -> Path | None:
    """``register_ipc.parquet`` beside a register file whose name starts with ``register`` (the demo layout), or
    None. Classification takes the register's IPC links from it instead of the ``ipc`` column."""
    path = Path(register)
    side = path.with_name(LINKS_FILE)
    return side if path.name.startswith("register") and side != path and side.is_file() else None


def implicit_inputs(inputs: dict[str, str | os.PathLike]) -> dict[str, Path]:
    """Files that change numbers without being named in the parameter file's ``inputs:``, by input key.

    Today: ``register_ipc`` → ``register_ipc.parquet`` beside the register (when ``register_ipc`` is not named).
    They are validated by :func:`validate_inputs` like named inputs; a manifest should hash them too.
    """
    found: dict[str, Path] = {}
    if "register" in inputs and "register_ipc" not in inputs:
        side = links_beside(inputs["register"])
        if side is not None:
            found["register_ipc"] = side
    return found


def validate_inputs(
    inputs: dict[str, str | os.PathLike], *, max_problems: int = 20
) -> tuple[dict[str, Report], list[str]]:
    """Validate every input file against its schema.

    Parameters
    ----------
    inputs : dict
        Input files by key, as in a parameter file's ``inputs:``; the :func:`implicit_inputs` are added.
    max_problems : int
        Problems listed per file (all are counted).

    Returns
    -------
    reports : dict of str to Report
        One report per checked input, by key (implicit inputs under their key, e.g. ``register_ipc``).
    notes : list of str
        Inputs not checked (no schema) and other information.
    """
    from ipstats.errors import InputError
    from ipstats.validate.typed import TypedReference, typed_parquet_report

    implicit = implicit_inputs(inputs)
    inputs = {**inputs, **implicit}
    schemas = {key: schema_for_input(key) for key in inputs}
    notes = [
        f"input {key!r} has no schema in data_schemas/ (expected {key}.schema.yaml): not checked"
        for key, name in schemas.items()
        if name is None
    ]
    by_schema: dict[str, Any] = {name: Path(inputs[key]) for key, name in schemas.items() if name}
    reports, said = {}, {}
    # the files others refer to first (the register): their typed copies are then the references, read in a
    # moment with the keys as validated, instead of the whole register parsed once per referring file
    referenced = {fk["resource"] for name in set(schemas.values()) - {None} for fk in load_schema(name).foreign_keys}
    for key in sorted((k for k in schemas if schemas[k]), key=lambda k: schemas[k] not in referenced):
        name = schemas[key]
        schema = load_schema(name)
        references = {
            fk["resource"]: by_schema[fk["resource"]] for fk in schema.foreign_keys if fk["resource"] in by_schema
        }
        said[key] = (
            [f"{key}: {inputs[key]} beside the register is an input too (IPC links for classification)"]
            if key in implicit
            else []
        )
        try:
            typed, reports[key] = typed_parquet_report(
                inputs[key], schema, references=references, max_problems=max_problems
            )
            if name in referenced and Path(typed) != Path(inputs[key]):
                by_schema[name] = TypedReference(typed, inputs[key])
        except InputError as exc:
            reports[key] = exc.report
        except OSError:  # no writable cache: check only
            reports[key] = validate_file(inputs[key], schema, references=references, max_problems=max_problems)
        said[key].extend(f"{key}: {note}" for note in reports[key].notes)
    order = [k for k in schemas if k in reports]  # reports and notes in the order of the inputs
    notes.extend(n for k in order for n in said[k])
    return {k: reports[k] for k in order}, notes
