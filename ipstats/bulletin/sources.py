"""Source lines (资料来源) of the bulletin's tables, from the inputs' own metadata.

Each notebook prints one source line under every table. It is built from the inputs that notebook reads:

* an input whose parameter file entry gives ``source:`` (``inputs: {register: {file: …, source: "国家知识产权局
  专利数据（截至2024年12月31日）"}}``) is described by that text;
* an input that is demo data — a file the demo generator wrote, in a folder holding its ``demo_meta.json``
  (:func:`ipstats.register.demo.is_demo_folder`) — is named and said to be synthetic
  (:data:`SYNTHETIC`), whatever else is stated;
* any other input is named by its schema's title and its file name, with the note that its source was not
  stated (:data:`UNSTATED`); it is never called demo data.

In a provincial run, sections computed from national data are labelled :data:`NATIONAL_CONTEXT`
(:func:`national_context`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "NATIONAL_CONTEXT",
    "NATIONAL_GROUP",
    "SYNTHETIC",
    "UNSTATED",
    "input_label",
    "is_demo_input",
    "national_context",
    "source_line",
]

#: Said of inputs written by the demo generator.
SYNTHETIC = "（演示数据为合成数据，非真实统计）"
#: Said of a real input whose parameter file entry gives no ``source:``.
UNSTATED = "未注明来源"
#: Label of a table or section computed from national data, in a provincial run.
NATIONAL_CONTEXT = "（全国情况，供参考）"
#: Heading of the group of national-context sections in a provincial run, and its note: on the index page and in
#: ``bulletin.pdf`` (its 目录 too), after the province's own sections.
NATIONAL_GROUP = ("附：全国参考资料", "以下各节按全国数据计算，不是本省（区、市）的统计，列示供参考。")


def is_demo_input(path: str | os.PathLike) -> bool:
    """Whether *path* is a file the demo generator wrote: its folder's ``demo_meta.json`` lists its name.

    Parameters
    ----------
    path : str or path
        An input file.

    Returns
    -------
    bool
        True for a demo file (:func:`ipstats.register.demo.is_demo_folder` and listed in the metadata's
        ``files``); False for anything else, a missing file or folder included.
    """
    from ipstats.register.demo import REGISTER_FILES, is_demo_folder

    path = Path(path)
    if not is_demo_folder(path.parent):
        return False
    try:
        meta = json.loads((path.parent / REGISTER_FILES["meta"]).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    files = meta.get("files")
    return isinstance(files, dict) and path.name in {str(v) for v in files.values()}


def input_label(key: str, lang: str = "zh") -> str:
    """Chinese name of the input *key*: the Chinese part of its schema's title, else the key itself.

    ``register`` → ``专利登记数据``; ``population`` → ``分省年末常住人口``. The word 演示 of a demo-only
    schema's title (``survey_truth``) is left out: whether an input is demo data is said from its metadata.
    """
    from ipstats.validate.inputs import schema_for_input
    from ipstats.validate.schema import SchemaError, load_schema

    name = schema_for_input(key)
    if name is None:
        return key
    try:
        title = load_schema(name).title
    except SchemaError:
        return key
    parts = str(title).split(" / ")
    if lang == "en":
        return (parts[1] if len(parts) > 1 else parts[0]).replace("Demo ", "").replace("demo ", "").strip() or key
    label = parts[0].replace("演示", "").strip()
    return label or key


def source_line(
    inputs: Mapping[str, str | os.PathLike], sources: Mapping[str, str] | None = None, lang: str = "zh"
) -> str:
    """The source line of a notebook's tables, from the inputs it reads.

    Parameters
    ----------
    inputs : mapping of str to path
        The inputs the notebook reads, by key (its parameters of those names), in the order to list them;
        an empty path (an input left out) is skipped.
    sources : mapping of str to str, optional
        ``source:`` texts of the parameter file by input key.
    lang : {"zh", "en"}
        In English the inputs are named by the English part of their schema's title and the synthetic and
        unstated remarks are English; a stated ``source:`` text is printed as the parameter file words it.

    Returns
    -------
    str
        The stated sources, then each real input without one (``分省年末常住人口（population.csv，未注明来源）``),
        then the demo inputs together with :data:`SYNTHETIC`, joined by ``；``; ``""`` when no input is given.
        A stated text given twice is listed once.
    """
    sources = sources or {}
    stated: list[str] = []
    unstated: list[str] = []
    demo: list[str] = []
    for key, path in inputs.items():
        if path is None or str(path).strip() == "":
            continue
        text = str(sources.get(key) or "").strip()
        if is_demo_input(path):
            name = text or input_label(key, lang)
            if name not in demo:
                demo.append(name)
        elif text:
            if text not in stated:
                stated.append(text)
        else:
            if lang == "en":
                unstated.append(f"{input_label(key, lang)} ({Path(path).name}, source not stated)")
            else:
                unstated.append(f"{input_label(key)}（{Path(path).name}，{UNSTATED}）")
    if lang == "en":
        synthetic = [f"{', '.join(demo)} (demo data: synthetic, not real statistics)"] if demo else []
        return "; ".join(stated + unstated + synthetic)
    parts = stated + unstated + ([f"{'、'.join(demo)}{SYNTHETIC}"] if demo else [])
    return "；".join(parts)


def national_context(region: str) -> str:
    """:data:`NATIONAL_CONTEXT` in a provincial run (*region* a province code), ``""`` in a national one.

    Appended to the headings and table titles of sections that are national by nature (the value-added
    announcement of patent-intensive industries, the national patent survey).
    """
    return "" if region == "national" else NATIONAL_CONTEXT
