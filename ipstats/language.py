"""The language of a bulletin: Chinese (``zh``, the original) or English (``en``, ``ipstats bulletin --lang en``).

Everything ipstats publishes is written in Chinese first. The English edition translates it with one
catalogue, ``ipstats/reference/data/english.yaml``, and the tables it already ships:

* **texts** (titles, units, notes, headings, Markdown cells, chart titles and the page chrome) are looked up by
  :func:`translate`: an exact entry, or a *template* whose ``{fields}`` stand for the parts that vary
  (``{year}年{region}分类型专利申请、授权和有效量`` → ``Patent applications, grants and valid patents by type,
  {region}, {year}``). The captured fields are translated as values. A text without an entry raises
  :class:`Untranslated`: an English page never carries a Chinese sentence nobody translated.
* **values** (cells, categories, legend entries) are looked up by :func:`value`: the labels table
  (``labels.csv``), the provinces (GB/T 2260 names), the origins and the catalogue's exact entries. A value
  without an English name (the categories of a Chinese classification table, which publishes no English
  names) is kept as it is: it is the official name.

Narrative paragraphs are not translated: each generator writes them in the language asked for from the same
numbers (``lang="en"``), with :func:`ipstats.indicators.narrative.format_change` and friends.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from contextvars import ContextVar
from functools import lru_cache
from importlib import resources
from typing import Any

from ipstats.errors import ParameterError

__all__ = [
    "LANGS",
    "LIST_ENV",
    "Untranslated",
    "check_lang",
    "current",
    "gap",
    "has_cjk",
    "html_lang",
    "set_current",
    "tr",
    "translate",
    "translate_figure",
    "using",
    "value",
]

#: The languages of a bulletin: the Chinese original and the English edition.
LANGS = ("zh", "en")
#: Environment variable naming a file: a run then lists there every text without an English entry (one JSON
#: object per line, ``{"text": …}``; it keeps the Chinese instead of failing) and every Chinese value kept as it
#: is (``{"value": …}``) — how a translator finds what to add.
LIST_ENV = "IPSTATS_LIST_UNTRANSLATED"

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


_CURRENT: ContextVar[str] = ContextVar("ipstats_language", default="zh")


def current() -> str:
    """The language of what is being published now: ``"zh"`` unless a run or a notebook set another."""
    return _CURRENT.get()


def set_current(lang: str) -> None:
    """Set the language of this process (a notebook kernel: :class:`ipstats.bulletin.Publisher` does it)."""
    _CURRENT.set(check_lang(lang))


@contextlib.contextmanager
def using(lang: str):
    """The block publishes in *lang* (the page chrome of a bulletin run: index, workbook, PDF)."""
    token = _CURRENT.set(check_lang(lang))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def gap() -> str:
    """The space between a table's number and its title: full-width in Chinese, a plain space in English."""
    return "　" if _CURRENT.get() == "zh" else " "


def html_lang() -> str:
    """The ``lang`` attribute of a page in the current language (``zh-CN`` or ``en``)."""
    return "en" if _CURRENT.get() == "en" else "zh-CN"


def tr(text: Any) -> Any:
    """*text* in the current language (:func:`translate`); the page chrome's Chinese words go through it."""
    return translate(text, _CURRENT.get())


class Untranslated(ParameterError):
    """A Chinese text of an English page has no entry in the catalogue."""


def check_lang(lang: Any, where: str = "lang") -> str:
    """*lang* when it is ``"zh"`` or ``"en"``; a ValueError naming *where* otherwise."""
    if lang not in LANGS:
        raise ValueError(f"{where} must be one of {', '.join(LANGS)}, got {lang!r}")
    return str(lang)


def has_cjk(text: Any) -> bool:
    """True when *text* holds a Chinese character or full-width punctuation."""
    return isinstance(text, str) and bool(_CJK.search(text))


@lru_cache(maxsize=1)
def _catalogue() -> tuple[dict[str, str], list[tuple[re.Pattern, str, int]]]:
    """Exact entries and templates (pattern, English, literal length) of ``english.yaml``."""
    import yaml

    raw = yaml.safe_load(resources.files("ipstats.reference").joinpath("data/english.yaml").read_text("utf-8"))
    exact: dict[str, str] = {}
    templates: list[tuple[re.Pattern, str, int]] = []
    for entry in raw or []:
        zh, en = str(entry["zh"]), str(entry["en"])
        names = _FIELD.findall(zh)
        if sorted(names) != sorted(_FIELD.findall(en)):
            raise ValueError(f"english.yaml: {zh!r} and {en!r} name different fields")
        if not names:
            exact[zh] = en
            continue
        parts = _FIELD.split(zh)  # literal, name, literal, name, …, literal
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        literal = sum(len(p) for p in parts[::2])
        templates.append((re.compile(pattern + r"\Z", re.S), en, literal))
    templates.sort(key=lambda t: -t[2])  # the most specific template first
    return exact, templates


@lru_cache(maxsize=1)
def _values() -> dict[str, str]:
    """Chinese value → English: labels, units, provinces (full and short names), origins, catalogue."""
    import pandas as pd

    data = resources.files("ipstats.reference").joinpath("data")
    out: dict[str, str] = {}
    with data.joinpath("origins.csv").open(encoding="utf-8") as f:
        for row in pd.read_csv(f, dtype=str).itertuples():
            if isinstance(row.name_en, str) and isinstance(row.name_zh, str):
                out.setdefault(row.name_zh, row.name_en)
    with data.joinpath("provinces_gbt2260.csv").open(encoding="utf-8") as f:
        for row in pd.read_csv(f, dtype=str).itertuples():
            out[row.name_zh] = row.name_en
            out[row.short_zh] = row.name_en
    with data.joinpath("labels.csv").open(encoding="utf-8") as f:
        for row in pd.read_csv(f, dtype=str, keep_default_na=False).itertuples():
            if row.en:
                out.setdefault(row.zh, row.en)
            if row.unit_zh and row.unit_en:
                out.setdefault(row.unit_zh, row.unit_en)
    with data.joinpath("locarno_classes.csv").open(encoding="utf-8") as f:
        for row in pd.read_csv(f, dtype=str).itertuples():
            if isinstance(row.title_en, str):
                out.setdefault(row.title_zh, row.title_en)
    out.update(_system_names())
    out.update(_catalogue()[0])
    return out


@lru_cache(maxsize=1)
def _official_names() -> tuple[str, ...]:
    """Official names without an English one, longest first: categories of the shipped classification tables
    that give only a Chinese name, and GB/T 4754-2017 sections and divisions."""
    import pandas as pd

    names: set[str] = set()
    systems = resources.files("ipstats.concordance").joinpath("data")
    for folder in systems.iterdir():
        if folder.is_dir():
            with folder.joinpath("categories.csv").open(encoding="utf-8") as f:
                table = pd.read_csv(f, dtype=str, keep_default_na=False)
            names |= {n for n, e in zip(table["name_zh"], table["name_en"]) if n and not e}
    with resources.files("ipstats.reference").joinpath("data/gbt4754_2017_divisions.csv").open(encoding="utf-8") as f:
        divisions = pd.read_csv(f, dtype=str, keep_default_na=False)
    names |= set(divisions["section_name_zh"]) | set(divisions["division_name_zh"])
    return tuple(sorted((n for n in names if n and n not in _values()), key=len, reverse=True))


def _english_with_official_names(text: str) -> bool:
    """Whether *text* is English but for official Chinese names (a note a generator wrote in English)."""
    if not re.search(r"[A-Za-z]{3,}", text):
        return False
    for name in _official_names():
        if name in text:
            text = text.replace(name, "")
    return not has_cjk(re.sub(r"[“”（），、]", "", text))


def _system_names() -> dict[str, str]:
    """The English names the shipped classification systems give (their names and their categories' names,
    also as ``code name``, the form the tables show); a category without one keeps its Chinese name."""
    import pandas as pd
    import yaml

    out: dict[str, str] = {}
    systems = resources.files("ipstats.concordance").joinpath("data")
    for folder in systems.iterdir():
        if not folder.is_dir():
            continue
        meta = yaml.safe_load(folder.joinpath("system.yaml").read_text("utf-8")) or {}
        if meta.get("name_zh") and meta.get("name_en"):
            out.setdefault(str(meta["name_zh"]), str(meta["name_en"]))
        with folder.joinpath("categories.csv").open(encoding="utf-8") as f:
            table = pd.read_csv(f, dtype=str, keep_default_na=False)
        for row in table.itertuples():
            if row.name_zh and row.name_en:
                out.setdefault(row.name_zh, row.name_en)
                out.setdefault(f"{row.category} {row.name_zh}", f"{row.category} {row.name_en}")
    return out


def value(text: Any, lang: str = "en") -> Any:
    """*text* in *lang* when it is a value with a known English name, else *text* unchanged.

    Examples
    --------
    >>> value("广东省"), value("发明"), value(2023)
    ('Guangdong', 'Invention', 2023)
    """
    if lang == "zh" or not has_cjk(text):
        return text
    known = _values().get(text)
    if known is not None:
        return known
    try:
        return _template(text)
    except Untranslated:
        _list({"value": text})
        return text


def _template(text: str) -> str:
    for pattern, en, _ in _catalogue()[1]:
        match = pattern.match(text)
        if match is not None:
            fields = _best_split(pattern, text, match.groupdict())
            return en.format(**{k: value(v) for k, v in fields.items()})
    raise Untranslated(text)


def _known(text: str) -> bool:
    """Whether a captured field reads in English: no Chinese in it, or a known value."""
    return not has_cjk(text) or text in _values()


def _best_split(pattern: re.Pattern, text: str, first: dict[str, str]) -> dict[str, str]:
    """The fields of *text* under *pattern* that are known values, where the lazy match split two touching
    fields at the wrong place (``{region_name}{name}`` over ``广东省战略性新兴产业``: ``广`` and ``东省…``).

    Every split of the text among the fields is tried (touching fields only: a field followed by a literal
    ends where some occurrence of it starts) and the one with the most known fields wins; the lazy match
    when none is better.
    """
    if all(_known(v) for v in first.values()):
        return first
    parts = pattern.pattern[: -len(r"\Z")]
    names = list(first)
    literals = [re.sub(r"\\(.)", r"\1", p) for p in re.split(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>\.\+\?\)", parts)]
    best, best_score = first, sum(_known(v) for v in first.values())

    def walk(i: int, at: int, chosen: dict[str, str]) -> None:
        nonlocal best, best_score
        if i == len(names):
            if text[at:] == literals[i] and sum(_known(v) for v in chosen.values()) > best_score:
                best, best_score = dict(chosen), sum(_known(v) for v in chosen.values())
            return
        if not text.startswith(literals[i], at):
            return
        start = at + len(literals[i])
        for end in range(start + 1, len(text) + 1):
            chosen[names[i]] = text[start:end]
            walk(i + 1, end, chosen)
        chosen.pop(names[i], None)

    if len(text) <= 120:  # titles; a long note has literals between its fields
        walk(0, 0, {})
    return best


def _list(entry: dict) -> bool:
    """Append *entry* to the file named by :data:`LIST_ENV`; False when no such file is named."""
    listing = os.environ.get(LIST_ENV)
    if not listing:
        return False
    with open(listing, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return True


def translate(text: Any, lang: str = "en") -> Any:
    """*text* in *lang*: itself in Chinese; in English its catalogue entry or template, fields translated.

    Raises
    ------
    Untranslated
        For a Chinese text without an entry (add it to ``ipstats/reference/data/english.yaml``).
    """
    if lang == "zh" or not has_cjk(text):
        return text
    known = _values().get(text)
    if known is not None:
        return known
    try:
        return _template(text)
    except Untranslated:
        if _english_with_official_names(text):  # written in English by its generator, naming Chinese categories
            return text
        if _list({"text": text}):  # a translator's run: list what the edition lacks, keep the Chinese meanwhile
            return text
        raise Untranslated(
            f"no English for {text!r}: add it to ipstats/reference/data/english.yaml (zh:, en:)"
        ) from None


#: Figure properties holding text to translate (strictly), and those holding data values (kept when unknown).
_FIGURE_TEXTS = frozenset({"text", "title", "name", "hovertemplate", "texttemplate", "ticktext", "legendgrouptitle"})
_FIGURE_VALUES = frozenset({"x", "y", "labels", "ids", "parents", "customdata", "hovertext", "header", "values"})


def _walk(node: Any, lang: str, as_value: bool) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, item in node.items():
            if key in _FIGURE_VALUES:
                out[key] = _walk(item, lang, True)
            elif key in _FIGURE_TEXTS or isinstance(item, (dict, list, tuple)):
                out[key] = _walk(item, lang, as_value)
            else:
                out[key] = item
        return out
    if isinstance(node, (list, tuple)):
        return [_walk(item, lang, as_value) for item in node]
    if hasattr(node, "dtype") and getattr(node.dtype, "kind", "") == "O":
        return [_walk(item, lang, as_value) for item in node.tolist()]
    if isinstance(node, str):
        return value(node, lang) if as_value else translate(node, lang)
    return node


def translate_figure(fig: Any, lang: str = "en") -> Any:
    """A plotly figure with its titles, axis titles, annotations, legend entries and hover texts in *lang*
    (:func:`translate`) and its category values (provinces, patent types…) by :func:`value`.

    Returns *fig* itself in Chinese, else a new figure.
    """
    if lang == "zh":
        return fig
    import plotly.graph_objects as go

    return go.Figure(_walk(fig.to_plotly_json(), lang, False))
