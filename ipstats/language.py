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

import re
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["LANGS", "Untranslated", "check_lang", "has_cjk", "translate", "value"]

#: The languages of a bulletin: the Chinese original and the English edition.
LANGS = ("zh", "en")

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class Untranslated(ValueError):
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
    out.update(_catalogue()[0])
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
        return text


def _template(text: str) -> str:
    for pattern, en, _ in _catalogue()[1]:
        match = pattern.match(text)
        if match is not None:
            return en.format(**{k: value(v) for k, v in match.groupdict().items()})
    raise Untranslated(text)


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
        raise Untranslated(
            f"no English for {text!r}: add it to ipstats/reference/data/english.yaml (zh:, en:)"
        ) from None
