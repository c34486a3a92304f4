"""How notebooks show tables: Chinese column labels, thousands separators, no index, one mark per meaning.

Labels come from :mod:`ipstats.labels` (``ipstats/reference/data/labels.csv``); a missing cell shows ``×``
when the table's disclosure record suppresses it and ``—`` (not applicable) otherwise, and the notes end with
the legend of the marks the table shows (:func:`ipstats.labels.symbol_legend`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from ipstats.labels import SYMBOLS, cell_symbols, labels, symbols_used, with_legend
from ipstats.labels import with_labels as _with_labels
from ipstats.language import tr

__all__ = ["LABELS", "MEASURE_LABELS", "NOT_APPLICABLE", "SUPPRESSED", "show_table", "with_labels"]

#: Mark of a suppressed cell (涉及保密不予公布) in every published table (HTML, CSV, Excel, PDF).
SUPPRESSED = SYMBOLS["suppressed"]["mark"]
#: Mark of a cell without a meaningful value (不适用).
NOT_APPLICABLE = SYMBOLS["not_applicable"]["mark"]

#: Chinese column labels of the publication tables (every plain key of the labels table).
LABELS = labels("zh")
#: Chinese names of the measures (values of a ``measure`` column).
MEASURE_LABELS = labels("zh", keys=("applications", "grants", "valid_stock"), context="measure")
_NOT_GROUPED = {"year", "rank"}


def with_labels(table: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """Rename columns (and measure names) to their labels; unknown columns keep their names."""
    return _with_labels(table, lang)


def _formatter(kind: str, digits: int):
    """Cell text of one column: marks as they are, numbers by *kind* (``float``, ``int``, ``plain``)."""

    def number(value):
        if kind == "float":
            return f"{round(float(value), digits) + 0.0:,.{digits}f}"  # -0.0 + 0.0 is 0.0
        if kind == "int":
            return f"{value:,}"
        return str(value)

    return _marks_kept(number)


def _marks_kept(fmt: Callable[[Any], str]) -> Callable[[Any], str]:
    """*fmt* for numbers; marks (text) as they are, a missing cell as ``—``."""

    def cell(value):
        if isinstance(value, str):
            return value
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return NOT_APPLICABLE
        return fmt(value)

    return cell


def show_table(
    table: pd.DataFrame,
    digits: int = 2,
    notes: tuple[str, ...] | list[str] = (),
    disclosure: Mapping | None = None,
    cell_text: Mapping[str, Callable[[Any], str]] | None = None,
) -> Styler:
    """A styled table for notebooks and the HTML bulletin.

    Integers get thousands separators, floats *digits* decimals (a value that rounds to zero shows as
    ``0.00``, never ``-0.00``) unless *cell_text* gives the column's own formatter (the bulletin's
    publisher passes the published precision, so that a page shows what the CSV and the workbook hold:
    :func:`ipstats.bulletin.precision.format_published`); years and ranks are left ungrouped; the index is hidden; *notes* are printed
    under the table. A missing cell shows ``×`` when *disclosure* (the table's disclosure record) suppresses
    it, ``—`` otherwise; the notes end with the legend of the marks shown (a legend among *notes* is replaced,
    so it is never printed twice). Every text — cells, column labels and notes — is HTML-escaped: names from
    the data (applicants, categories of a user's rules) are shown as text, never run as markup.
    """
    symbols = cell_symbols(table, disclosure)
    marked = table.copy()
    kinds = {}
    for column in table.columns:
        series = table[column]
        if pd.api.types.is_float_dtype(series):
            kinds[column] = "float"
        elif (
            pd.api.types.is_numeric_dtype(series)
            and not pd.api.types.is_bool_dtype(series)
            and column not in _NOT_GROUPED
        ):
            kinds[column] = "int"
        else:
            kinds[column] = "plain"
        shown = symbols[column].notna() & series.isna()
        if shown.any():
            marked[column] = series.astype(object).where(
                ~shown, symbols[column].map(lambda k: SYMBOLS[k]["mark"] if isinstance(k, str) else k)
            )
    names = labels()
    labelled = with_labels(marked)
    styler = labelled.style.hide(axis="index").format(na_rep=NOT_APPLICABLE, escape="html")
    styler = styler.format_index(escape="html", axis=1)
    own = dict(cell_text or {})
    for column in table.columns:
        fmt = _formatter(kinds[column], digits)
        if column in own:
            fmt = _marks_kept(own[column])
        styler = styler.format(fmt, subset=[names.get(column, column)], escape="html")
    shown_notes = with_legend(notes, symbols_used(symbols))
    if shown_notes:
        caption = "<br>".join(f"{tr('注：')}{html.escape(str(note))}" for note in shown_notes)
        styler = styler.set_caption(caption).set_table_styles(
            [{"selector": "caption", "props": "caption-side: bottom; text-align: left; font-size: 0.9em; color: #555;"}]
        )
    return styler.set_table_attributes('class="ipstats-table"')
