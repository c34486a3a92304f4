"""One table of labels and one set of symbols for every table, chart and workbook ipstats publishes.

*Symbols* (表注符号): each mark in a published cell has one meaning, and the footnote under a table is the
legend of the marks that table shows:

* ``suppressed`` — ``×``: 涉及保密不予公布 (a cell the disclosure record of the table suppresses);
* ``not_applicable`` — ``—``: 不适用 (no meaningful value: a growth on a zero base, a rank change of a new
  entrant, a ratio without a denominator);
* ``no_data`` — ``…``: 无数据 (the value could not be obtained: an input not supplied, a name not found).
"""
from __future__ import annotations

from collections.abc import Iterable

__all__ = ["SYMBOLS", "symbol_legend"]

#: The marks of published cells, keyed by meaning; ``zh`` and ``en`` are the legend wording.
SYMBOLS: dict[str, dict] = {
    "suppressed": {"mark": "×", "zh": "涉及保密不予公布", "en": "suppressed for confidentiality"},
    "not_applicable": {"mark": "—", "zh": "不适用", "en": "not applicable"},
    "no_data": {"mark": "…", "zh": "无数据", "en": "no data"},
}
_LANGS = ("zh", "en")


def _symbol_key(name: str) -> str:
    """The SYMBOLS key of a key or a mark (``"suppressed"`` or ``"×"``); a ValueError for anything else."""
    if name in SYMBOLS:
        return name
    for key, symbol in SYMBOLS.items():
        if symbol["mark"] == name:
            return key
    known = ", ".join(f"{k} ({s['mark']})" for k, s in SYMBOLS.items())
    raise ValueError(f"unknown table symbol {name!r}; expected one of {known}")


def symbol_legend(used: Iterable[str], lang: str = "zh") -> str:
    """The legend sentence of the symbols a table shows (表注), in the order of :data:`SYMBOLS`.

    Parameters
    ----------
    used : iterable of str
        The symbols the table shows, as keys of :data:`SYMBOLS` (``"suppressed"``) or as marks (``"×"``);
        duplicates are fine.
    lang : {"zh", "en"}
        Language of the legend.

    Returns
    -------
    str
        For example ``“×”表示涉及保密不予公布；“—”表示不适用。`` or, in English,
        ``"×" means suppressed for confidentiality; "—" means not applicable.``; an empty string when the
        table shows no symbol. No ``注：`` prefix: the caller places the footnote.

    Raises
    ------
    ValueError
        For an unknown symbol or language.
    """
    if lang not in _LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(_LANGS)}")
    keys = {_symbol_key(name) for name in used}
    ordered = [key for key in SYMBOLS if key in keys]
    if not ordered:
        return ""
    if lang == "zh":
        return "；".join(f"“{SYMBOLS[k]['mark']}”表示{SYMBOLS[k]['zh']}" for k in ordered) + "。"
    return "; ".join(f"\"{SYMBOLS[k]['mark']}\" means {SYMBOLS[k]['en']}" for k in ordered) + "."
