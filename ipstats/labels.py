"""One table of labels and one set of symbols for every table, chart and workbook ipstats publishes.

*Labels* (栏目名称) are read from ``ipstats/reference/data/labels.csv`` (:func:`label`, :func:`labels`,
:func:`unit`, :func:`with_labels`): one wording per key, full-width brackets (``构成（%）``) as the NBS and
CNIPA announcements print them. A module keeps a *selection* of keys, never its own wording.

*Symbols* (表注符号): each mark in a published cell has one meaning, and the footnote under a table is the
legend of the marks that table shows:

* ``suppressed`` — ``×``: 涉及保密不予公布 (a cell the disclosure record of the table suppresses);
* ``not_applicable`` — ``—``: 不适用 (no meaningful value: a growth on a zero base, a rank change of a new
  entrant, a ratio without a denominator);
* ``no_data`` — ``…``: 无数据 (the value could not be obtained: an input not supplied, a name not found).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

import pandas as pd

__all__ = [
    "SYMBOLS",
    "cell_symbols",
    "is_legend",
    "label",
    "label_table",
    "labels",
    "mark_cells",
    "suppressed_cells",
    "symbol_legend",
    "symbols_used",
    "unit",
    "with_labels",
    "with_legend",
]

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


def symbol_legend(used: Iterable[str], lang: str | None = None) -> str:
    """The legend sentence of the symbols a table shows (表注), in the order of :data:`SYMBOLS`.

    Parameters
    ----------
    used : iterable of str
        The symbols the table shows, as keys of :data:`SYMBOLS` (``"suppressed"``) or as marks (``"×"``);
        duplicates are fine.
    lang : {"zh", "en"}, optional
        Language of the legend; by default the current one (:func:`ipstats.language.current`).

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
    lang = _lang(lang)
    keys = {_symbol_key(name) for name in used}
    ordered = [key for key in SYMBOLS if key in keys]
    if not ordered:
        return ""
    if lang == "zh":
        return "；".join(f"“{SYMBOLS[k]['mark']}”表示{SYMBOLS[k]['zh']}" for k in ordered) + "。"
    return "; ".join(f"\"{SYMBOLS[k]['mark']}\" means {SYMBOLS[k]['en']}" for k in ordered) + "."


# ---------------------------------------------------------------------------------------------------------
# Labels (ipstats/reference/data/labels.csv)
# ---------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _labels_file() -> pd.DataFrame:
    from ipstats.reference import DATA_DIR, catalogue_entry

    path = DATA_DIR / catalogue_entry("labels")["file"]
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    duplicated = table.loc[table["key"].duplicated(), "key"].tolist()
    if duplicated:
        raise ValueError(f"{path}: key(s) {', '.join(duplicated)} appear more than once; one row per key")
    return table.set_index("key")


def label_table() -> pd.DataFrame:
    """The labels table: ``key``, ``zh``, ``en``, ``unit_zh``, ``unit_en``, ``note``, one row per key.

    A plain key is a column name (``share_pct``) with one wording in every table. A key ``context:name`` is
    either a column whose meaning differs in one family of tables (``pii:patents`` is invention patents,
    fractional count) or a value of a column (``measure:grants``, ``scope:domestic``, ``status:published``).
    ``zh`` and ``en`` are the headers as printed, unit included (``增加值（亿元）``); the Chinese labels use
    full-width brackets, as the NBS/CNIPA announcements do.
    """
    return _labels_file().reset_index()


def _lang(lang: str | None) -> str:
    if lang is None:
        from ipstats.language import current

        return current()
    if lang not in _LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(_LANGS)}")
    return lang


def _row(key: str, context: str | None) -> pd.Series:
    table = _labels_file()
    for candidate in ([f"{context}:{key}"] if context else []) + [str(key)]:
        if candidate in table.index:
            return table.loc[candidate]
    where = f" (context {context!r})" if context else ""
    raise KeyError(f"no label for {key!r}{where} in ipstats/reference/data/labels.csv; add a row for it")


def label(key: str, lang: str | None = None, context: str | None = None) -> str:
    """The label of one column, measure or term.

    Parameters
    ----------
    key : str
        Column name (``share_pct``) or a full key (``measure:grants``).
    lang : {"zh", "en"}
    context : str, optional
        Family of tables (``pii``, ``transfer``, ``high_value``…) or value namespace (``measure``, ``scope``,
        ``status``): its ``context:key`` row wins over the plain key.

    Raises
    ------
    KeyError
        If the table has no row for *key*.
    """
    return str(_row(key, context)[_lang(lang)])


def unit(key: str, lang: str | None = None, context: str | None = None) -> str:
    """The unit of a column (``%``, ``亿元``, ``件`` …; ``10,000 yuan`` in English), ``""`` when it has none."""
    return str(_row(key, context)[f"unit_{_lang(lang)}"])


def labels(lang: str | None = None, keys: Iterable[str] | None = None, context: str | None = None) -> dict[str, str]:
    """Labels as a dict, for ``DataFrame.rename(columns=…)`` and ``record_table(labels=…)``.

    Parameters
    ----------
    lang : {"zh", "en"}
    keys : iterable of str, optional
        The keys wanted (a module's selection); every one must have a row. All plain keys when omitted.
    context : str, optional
        As for :func:`label`: ``context:key`` rows win, and the dict is keyed by the plain name.

    Returns
    -------
    dict
        key → label.
    """
    lang = _lang(lang)
    if keys is not None:
        return {str(k): label(k, lang, context) for k in keys}
    table = _labels_file()
    out = {k: str(v) for k, v in table.loc[[":" not in k for k in table.index], lang].items()}
    if context:
        prefix = f"{context}:"
        out.update({k[len(prefix) :]: str(v) for k, v in table[lang].items() if k.startswith(prefix)})
    return out


def with_labels(table: pd.DataFrame, lang: str | None = None, context: str | None = None) -> pd.DataFrame:
    """Rename columns (and the names in a ``measure`` column) to their labels; unknown names stay as they are."""
    out = table.copy()
    if "measure" in out.columns:
        names = labels(lang, context="measure")
        out["measure"] = out["measure"].map(lambda v: names.get(v, v) if isinstance(v, str) else v)
    return out.rename(columns=labels(lang, context=context))


# ---------------------------------------------------------------------------------------------------------
# Symbols of cells
# ---------------------------------------------------------------------------------------------------------
def _missing(table: pd.DataFrame) -> pd.DataFrame:
    return table.isna()


def _key_column(table: pd.DataFrame, rows: list[str]) -> str | None:
    """The column whose values hold most of the record's row keys (the row key of the table)."""
    best, hits = None, 0
    wanted = set(rows)
    for column in table.columns:
        values = set(table[column].dropna().map(lambda v: str(v).lstrip("'")))
        found = len(wanted & values)
        if found > hits:
            best, hits = column, found
    return best


def suppressed_cells(table: pd.DataFrame, disclosure: Mapping | None) -> pd.DataFrame:
    """Which missing cells of *table* its disclosure record suppresses (a boolean frame of its shape).

    A suppressed entry of the record (``{"row": …, "col": …}``, see :func:`ipstats.sdc.record`) names a
    row key and a column; the row key is looked up in the column holding most of the record's row keys.
    Every missing cell of a row holding a suppressed cell is suppressed too (a share, a growth, a standard
    error derived from it is withheld with it). When the record's rows cannot be found in the table (a
    table reshaped after protection) every missing cell counts as suppressed, as the safe reading.

    Parameters
    ----------
    table : pandas.DataFrame
        The published table (suppressed cells missing).
    disclosure : mapping or None
        Its disclosure record; None or an empty record suppresses nothing.
    """
    missing = _missing(table)
    none = pd.DataFrame(False, index=table.index, columns=table.columns)
    entries = list((disclosure or {}).get("suppressed") or [])
    if not entries or not missing.to_numpy().any():
        return none
    rows = [str(e.get("row")) for e in entries]
    key = _key_column(table, rows)
    if key is None:
        return missing
    row_keys = table[key].map(lambda v: str(v).lstrip("'"))
    hit = row_keys.isin(set(rows)).to_numpy()
    return missing & pd.DataFrame({c: hit for c in table.columns}, index=table.index)


def cell_symbols(table: pd.DataFrame, disclosure: Mapping | None = None) -> pd.DataFrame:
    """The symbol each cell shows: a :data:`SYMBOLS` key, or None for a cell showing its value.

    Missing cells the disclosure record suppresses (:func:`suppressed_cells`) are ``suppressed``; other
    missing cells ``not_applicable``; a text cell that already holds a mark (``…`` put by a module for a
    value it could not obtain) keeps that mark's meaning.
    """
    out = pd.DataFrame(None, index=table.index, columns=table.columns, dtype=object)
    marks = {s["mark"]: k for k, s in SYMBOLS.items()}
    for column in table.columns:
        values = table[column]
        if values.dtype == object:
            out[column] = values.map(lambda v: marks.get(v) if isinstance(v, str) else None)
    missing = _missing(table)
    out = out.mask(missing, "not_applicable").mask(suppressed_cells(table, disclosure), "suppressed")
    return out.astype(object).where(out.notna(), None)


def symbols_used(symbols: pd.DataFrame) -> set[str]:
    """The :data:`SYMBOLS` keys a frame of :func:`cell_symbols` holds."""
    return {v for v in pd.unique(symbols.to_numpy().ravel()) if isinstance(v, str)}


def mark_cells(table: pd.DataFrame, disclosure: Mapping | None = None) -> pd.DataFrame:
    """*table* with every missing cell replaced by its mark (``×`` suppressed, ``—`` not applicable), as the
    CSV files, the workbook and the HTML tables show it. Columns with a mark become text columns."""
    symbols = cell_symbols(table, disclosure)
    out = table.copy()
    for column in table.columns:
        shown = symbols[column].notna() & table[column].isna()
        if shown.any():
            out[column] = (
                out[column]
                .astype(object)
                .where(~shown, symbols[column].map(lambda k: SYMBOLS[k]["mark"] if isinstance(k, str) else k))
            )
    return out


#: Meanings an older legend gave a mark (replaced by :func:`symbol_legend`'s wording when found alone).
_OLD_MEANINGS = ("经统计数据保密处理不予公布", "经保密处理不予公布")


def is_legend(note: str) -> bool:
    """Whether a note is only a symbol legend (of :func:`symbol_legend`, or an older wording such as
    ``“—”表示经统计数据保密处理不予公布。``).

    Each clause must give a mark one of the known meanings, nothing more: a note that goes on to say
    something else (``“×”表示经统计数据保密处理不予公布（申请人过少或由个别申请人主导），合计为真实值。``) is a note
    of its own and is kept.
    """
    text = str(note).strip()
    meanings = {s["zh"] for s in SYMBOLS.values()} | {s["en"] for s in SYMBOLS.values()} | set(_OLD_MEANINGS)
    clauses = [c for c in re.split(r"[；。;.]\s*", text) if c]
    if not clauses:
        return False
    for clause in clauses:
        match = re.fullmatch(r"(?:“([×—…])”表示|\"?([×—…])\"? (?:means|denotes) )(.+)", clause.strip())
        if match is None or match.group(3).strip() not in meanings:
            return False
    return True


def with_legend(notes: Iterable[str], used: Iterable[str], lang: str | None = None) -> list[str]:
    """*notes* with any symbol legend among them replaced by the one legend of the symbols *used*, last."""
    kept = [str(n) for n in notes if not is_legend(n)]
    explained = {m for n in kept for m in re.findall(r"“([×—…])”表示", n)}  # a kept note already says it
    marks = {k: s["mark"] for k, s in SYMBOLS.items()}
    used = [u for u in used if marks.get(u, u) not in explained]
    legend = symbol_legend(used, lang)
    return kept + ([legend] if legend else [])
