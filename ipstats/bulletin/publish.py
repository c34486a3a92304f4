"""One object per notebook that records, shows and footnotes what the notebook publishes.

A notebook creates it once from its parameters and then publishes each table, figure and text in one call::

    pub = Publisher(output_dir=output_dir, source=source_note)
    pub.table(df, "overview_by_type", title=f"{year}年分类型专利申请、授权和有效量", unit="件；增长率：%",
              notes=notes, disclosure=record)

:meth:`Publisher.table` records the table with :func:`ipstats.bulletin.record.record_table` (same files, same
metadata) and returns it styled by :func:`ipstats.display.show_table` with the table's disclosure record: the
cells the record suppresses show ``×``, and the footnotes are the recorded notes followed by the legend of the
marks the table shows (:func:`ipstats.labels.with_legend`), so a legend is never written by hand. With an empty
``output_dir`` nothing is written and the tables are only shown.
"""

from __future__ import annotations

import os
from functools import partial
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from ipstats.bulletin.precision import column_kind, format_published, round_published
from ipstats.bulletin.record import record_figure, record_table, record_text
from ipstats.display import show_table
from ipstats.language import translate, value

__all__ = ["Publisher"]


class Publisher:
    """Records, shows and footnotes the tables, figures and texts of one notebook run.

    Parameters
    ----------
    output_dir : str, path or None
        Folder of the bulletin run (the notebook's ``output_dir`` parameter); ``""`` or None records nothing.
    source : str
        Source line (``资料来源：…``) of every table unless a table gives its own.
    formatter : callable, optional
        Turns a table into its display form (Chinese labels, 是/否, years as text), e.g.
        :func:`ipstats.transfer.report.labelled`; applied to every shown table before ``labels``.
    lang : {"zh", "en"}
        Language of what is published (the notebook's ``lang`` parameter). In English (``"en"``) the titles,
        units, notes, labels and chart texts the notebook words in Chinese are published in English
        (:func:`ipstats.language.translate`: one without an English entry is an error), and the cells with a
        known English name (provinces, patent types, labels) by :func:`ipstats.language.value`; the names of
        a Chinese classification table's categories stay as published. It also sets the kernel's current
        language (:func:`ipstats.language.set_current`) for the table chrome (``注：``, legends, labels).

    Attributes
    ----------
    titles : dict
        Record name → title of every table published so far (also when nothing is written), for charts
        titled after their table.
    """

    def __init__(
        self,
        output_dir: str | os.PathLike | None,
        source: str,
        formatter: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
        lang: str = "zh",
    ) -> None:
        from ipstats.language import set_current

        set_current(lang)
        self.lang = lang
        self.output_dir = output_dir
        self.source = str(source)
        self.formatter = formatter
        self.titles: dict[str, str] = {}

    def table(
        self,
        df: pd.DataFrame,
        name: str,
        *,
        title: str,
        unit: str,
        notes: Iterable[str] = (),
        source: str | None = None,
        disclosure: dict | None = None,
        labels: Mapping[str, str] | None = None,
        decimals: Mapping[str, int] | None = None,
        show: pd.DataFrame | None = None,
        show_notes: Iterable[str] = (),
        digits: int = 2,
        heading: bool = False,
    ) -> Styler:
        """Record *df* as table *name* and return it styled for display with its footnotes.

        Parameters
        ----------
        df : pandas.DataFrame
            The published table (suppressed cells missing).
        name, title, unit, notes, disclosure, labels, decimals
            As :func:`ipstats.bulletin.record.record_table`.
        source : str, optional
            This table's source line instead of the publisher's.
        show : pandas.DataFrame, optional
            What the notebook shows instead of *df* (the last two years, the first 20 rows, a summary of it).
        show_notes : iterable of str, optional
            Notes about the shown rows only (``按申请量列前20个类别…``): shown first, not recorded.
        digits : int
            Decimals of float columns in the display (the recorded CSV keeps its published precision).
        heading : bool
            Also display ``### {title}（单位：{unit}）`` above the table.

        Returns
        -------
        pandas.io.formats.style.Styler
            :func:`ipstats.display.show_table` of the shown table (``formatter`` then ``labels`` applied) with
            *disclosure*: footnotes ``show_notes``, the recorded notes, then the legend of the marks shown.
        """
        if isinstance(notes, str) or isinstance(show_notes, str):
            raise ValueError(f"notes of table {name!r} must be a list of strings, not one string")
        notes = list(notes)
        source = self.source if source is None else source
        zh_labels = labels  # the Chinese labels tell the units: the precision is theirs in every language
        if self.lang != "zh":
            decimals = round_published(df, labels, decimals)[1]
            title, unit, notes, show_notes, labels = self._translated(title, unit, notes, show_notes, labels)
            source = value(source, self.lang)
            df, disclosure = values_in(df, self.lang), _record_in(disclosure, self.lang)
            show = None if show is None else values_in(show, self.lang)
        record_table(
            df,
            name,
            title=title,
            unit=unit,
            source=source,
            notes=notes,
            output_dir=self.output_dir,
            disclosure=disclosure,
            labels=labels,
            decimals=decimals,
        )
        self.titles[name] = str(title)
        shown = df if show is None else show
        if self.formatter is not None:
            shown = values_in(self.formatter(shown), self.lang)
        shown, cell_text = _published_cells(shown, zh_labels, decimals)
        if labels:
            shown = shown.rename(columns=dict(labels))
            cell_text = {dict(labels).get(c, c): f for c, f in cell_text.items()}
        if heading:
            from IPython.display import Markdown, display

            display(Markdown(f"### {title}（单位：{unit}）" if self.lang == "zh" else f"### {title} (unit: {unit})"))
        return show_table(
            shown,
            digits=digits,
            notes=[*map(str, show_notes), *map(str, notes)],
            disclosure=disclosure,
            cell_text=cell_text,
        )

    def figure(self, fig: Any, name: str) -> Any:
        """Record a plotly figure (:func:`ipstats.bulletin.record.record_figure`) and return it for display.

        A unit on the value axis is set upright above it (:func:`ipstats.figures.upright_units`)."""
        from ipstats.figures import upright_units
        from ipstats.language import translate_figure

        if hasattr(fig, "layout"):
            fig = translate_figure(fig, self.lang)
            upright_units(fig)
        record_figure(fig, name, output_dir=self.output_dir)
        return fig

    def text(self, name: str, text: str) -> Any:
        """Record a Markdown text (:func:`ipstats.bulletin.record.record_text`) and return it for display.

        Returns
        -------
        IPython.display.Markdown
            The text, shown when it is the cell's last expression.
        """
        from IPython.display import Markdown

        record_text(name, text, output_dir=self.output_dir)
        return Markdown(str(text))

    def say(self, text: str) -> Any:
        """A Markdown text the notebook words itself (a remark under a chart), in the publisher's language.

        Returns
        -------
        IPython.display.Markdown
            The text (:func:`ipstats.language.translate` in English), shown when it is the cell's last expression.
        """
        from IPython.display import Markdown

        return Markdown(str(translate(text, self.lang)))

    def words(self, text: str) -> str:
        """*text* (a title, a note, a chart title) in the publisher's language (:func:`ipstats.language.translate`)."""
        return translate(text, self.lang)

    def _translated(self, title, unit, notes, show_notes, labels):
        tr = partial(translate, lang=self.lang)
        labels = None if labels is None else {k: tr(v) for k, v in dict(labels).items()}
        return tr(title), tr(unit), [tr(n) for n in notes], [tr(n) for n in show_notes], labels


def values_in(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """*df* with the text cells that have an English name in *lang* (:func:`ipstats.language.value`)."""
    if lang == "zh" or df is None:
        return df
    out = df.copy()
    for j in range(out.shape[1]):
        column = out.iloc[:, j]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            out.isetitem(j, column.map(lambda v: value(v, lang) if isinstance(v, str) else v))
    if out.index.dtype == object:
        out.index = out.index.map(lambda v: value(v, lang))
    # columns named by a value (patent types of a pivot, provinces of a flow matrix, a survey table's headers)
    columns = [value(c, lang) if isinstance(c, str) else c for c in out.columns]
    if len(set(map(str, columns))) < len(columns):
        raise ValueError(f"two columns have one English name: {list(out.columns)} → {columns}")
    out.columns = columns
    return out


def _record_in(disclosure: dict | None, lang: str) -> dict | None:
    """A disclosure record whose row keys name the rows as the translated table does."""
    if not disclosure or lang == "zh" or not disclosure.get("suppressed"):
        return disclosure
    entries = [
        {**e, "row": value(e.get("row"), lang), "col": value(e.get("col"), lang)} for e in disclosure["suppressed"]
    ]
    return {**disclosure, "suppressed": entries}


def _published_cells(
    df: pd.DataFrame, labels: Mapping[str, str] | None, decimals: Mapping[str, int] | None
) -> tuple[pd.DataFrame, dict[str, Callable[[Any], str]]]:
    """*df* at its published precision and, per numeric column, the formatter of its cells as the CSV and
    the workbook print them (``12.3`` for a growth rate, ``1,234`` for a count; ``11.6`` and ``12.44`` in one
    column of published shares), so that a page never shows more decimals than the published table."""
    rounded, written = round_published(df, labels, decimals)
    names = dict(labels or {})
    cells: dict[str, Callable[[Any], str]] = {}
    for j, column in enumerate(rounded.columns):
        if str(column) not in written:
            continue
        kind = column_kind(str(column), df.iloc[:, j], names.get(str(column)) or "")
        cells[column] = partial(format_published, kind=kind, digits=written[str(column)])
    return rounded, cells
