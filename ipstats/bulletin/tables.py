"""``tables.xlsx``: every recorded CSV table as a formatted Excel sheet, with a linked contents sheet.

Tables are numbered and ordered as in the bulletin (:func:`table_catalogue`: the notebooks in run order, the
tables of each in the order it recorded them); sheets are named by the table number and a short Chinese title.
"""

from __future__ import annotations

import io
import json
import logging
import math
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from ipstats.bulletin.errors import BulletinError
from ipstats.bulletin.precision import column_kind, excel_format, is_code_column, is_percent_column, published_decimals
from ipstats.cells import unguard_text
from ipstats.labels import SYMBOLS, cell_symbols, labels, symbols_used, with_legend
from ipstats.language import current, has_cjk, tr

__all__ = [
    "FLAGS",
    "OTHER_SECTION",
    "flag_columns",
    "flagged_cells",
    "is_code_column",
    "is_percent_column",
    "read_table",
    "sheet_names",
    "short_title",
    "table_catalogue",
    "table_notes",
    "table_symbols",
    "workbook_sheets",
    "write_workbook",
]

log = logging.getLogger(__name__)

CONTENTS = "目录"
#: Section of the tables no notebook of the run claims (a table folder built by hand).
OTHER_SECTION = "其他统计表"
#: Characters Excel does not allow in a sheet name.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_YEAR_PREFIX = re.compile(r"^\s*\d{4}(?:[—–-]\d{4})?年(?:批次)?(?:全国)?")
#: The reference year of an English title (``…, China, 2023``, ``…, 2019–2023``, ``2024 batch``).
_YEAR_SUFFIX = re.compile(r"(?:,\s*China)?,\s*(?:\d{4}(?:[—–-]\d{4})?|\d{4} batch)\s*$")

#: Flag values of a row (in a flag column, see :func:`flag_columns`): the mark shown after the flagged
#: numbers in Excel (the cell stays a number), the Chinese label shown in the flag column, and the footnote.
FLAGS = {
    "derived": ("*", "推算", "带“*”的数值为根据公布数推算的数值，非直接公布值。"),
    "unverified": ("†", "未核实", "带“†”的数值未经核实，引用前请核对原始公布。"),
    "慎用": ("‡", "慎用", "带“‡”的估计值按质量规则可以发布但需审慎使用（原因见表注和“标识原因”列）。"),
}

#: Other values of a flag column (they mark nothing): the Chinese word shown instead of the code.
STATUS_LABELS = labels("zh", keys=("published", "not published", "current", "computed"), context="status")
#: Marks of the cells, and what each stands for (:data:`ipstats.labels.SYMBOLS`).
_MARKS = {s["mark"]: key for key, s in SYMBOLS.items()}


def flag_label(value: str) -> str:
    """What a flag column shows for *value*: a flag's Chinese label, a status word, else the value itself."""
    return FLAGS[value][1] if value in FLAGS else STATUS_LABELS.get(value, value)


def flag_columns(columns: list[str]) -> dict[str, list[str]]:
    """Flag columns of a table and the columns each one flags.

    ``X_status`` and ``X_flag`` flag the columns whose names hold ``X`` as a whole word between
    underscores (``value_status`` flags ``value_added_100m_yuan``; ``gdp_status`` flags ``gdp``,
    ``gdp_growth_pct`` and ``share_of_gdp_pct``); ``quality`` (the survey's quality flag) flags every
    other column of its row.

    Parameters
    ----------
    columns : list of str
        Column names of the table.

    Returns
    -------
    dict
        Flag column → flagged columns (possibly none: the flag column then only gets its label and footnote).
    """
    found = {}
    names = [str(c) for c in columns]
    for col in names:
        for suffix in ("_status", "_flag"):
            if col.endswith(suffix) and len(col) > len(suffix):
                stem = col[: -len(suffix)]
                found[col] = [c for c in names if c != col and f"_{stem}_" in f"_{c}_"]
        if col == "quality":
            found[col] = [c for c in names if c != col]
    return found


def flagged_cells(table: pd.DataFrame) -> dict[tuple[int, str], str]:
    """Cells carrying a flag of :data:`FLAGS`: ``(row position, column) → flag value``."""
    cells: dict[tuple[int, str], str] = {}
    for flag_col, targets in flag_columns(list(table.columns)).items():
        for row, value in enumerate(table[flag_col].tolist()):
            if isinstance(value, str) and value in FLAGS:
                for col in targets:
                    cells.setdefault((row, col), value)
    return cells


def table_notes(
    table: pd.DataFrame, meta: dict[str, Any], flags_used: set[str], symbols_shown: set[str] | None = None
) -> list[str]:
    """Footnotes of a sheet: the recorded notes, the legend of the marks it shows, one note per flag used.

    Parameters
    ----------
    table : pandas.DataFrame
        The table as read back (marked cells missing).
    meta : dict
        Its metadata (``notes``, ``disclosure``).
    flags_used : set of str
        Flag values marked in the sheet.
    symbols_shown : set of str, optional
        :data:`ipstats.labels.SYMBOLS` keys the sheet shows; by default those of :func:`table_symbols`
        without the CSV (every missing cell marked, ``×`` where the disclosure record places it).

    Returns
    -------
    list of str
        Notes without the ``注：`` prefix; a legend among the recorded notes is replaced by the one legend of the
        marks shown (:func:`ipstats.labels.with_legend`), so every table words it the same way.
    """
    if symbols_shown is None:
        symbols_shown = symbols_used(cell_symbols(table, meta.get("disclosure")))
    notes = with_legend(meta.get("notes") or [], symbols_shown)
    return notes + [tr(FLAGS[f][2]) for f in FLAGS if f in flags_used]


def table_symbols(csv: Path, table: pd.DataFrame, meta: dict[str, Any]) -> pd.DataFrame:
    """The mark each cell of a recorded table shows (a :data:`ipstats.labels.SYMBOLS` key, or None).

    A cell the CSV holds as a mark (``×``, ``—``, ``…``) keeps that meaning; any other missing cell is
    suppressed where the table's disclosure record places it (:func:`ipstats.labels.suppressed_cells`) and not
    applicable otherwise. Same shape as *table* (from :func:`read_table`).
    """
    raw = pd.read_csv(csv, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    symbols = cell_symbols(table, meta.get("disclosure"))
    if raw.shape == table.shape:
        written = raw.apply(lambda col: col.map(_MARKS.get)).set_axis(table.columns, axis=1).set_axis(table.index)
        symbols = written.where(written.notna(), symbols)
    return symbols


def read_table(csv: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read a recorded table and its metadata.

    Parameters
    ----------
    csv : Path
        ``tables/{name}.csv`` (UTF-8 with BOM).

    Returns
    -------
    table : pandas.DataFrame
        Types inferred by pandas, except code columns (by name, or holding a number with a leading
        zero such as ``09``) which stay text.
    meta : dict
        The ``.meta.json`` beside it (``name``, ``title``, ``unit``, ``source``, ``notes``);
        defaults when it is missing.
    """
    raw = pd.read_csv(csv, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    # codes by name, and any column with a leading-zero number ("09"), stay text
    text = [c for c in raw.columns if is_code_column(c) or raw[c].str.fullmatch(r"0\d+").any()]
    # a mark (× suppressed, — not applicable, … no data) is read as missing; table_symbols tells which
    table = pd.read_csv(
        csv, encoding="utf-8-sig", dtype={c: str for c in text}, keep_default_na=True, na_values=list(_MARKS)
    )
    meta_path = csv.with_name(f"{csv.stem}.meta.json")
    meta = {"name": csv.stem, "title": csv.stem, "unit": "", "source": "", "notes": []}
    if meta_path.is_file():
        meta.update(json.loads(meta_path.read_text(encoding="utf-8")))
    return table, meta


def _display_width(value: Any) -> int:
    text = (
        value
        if isinstance(value, str)
        else (f"{value:,.2f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value))
    )
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def _put(ws, row: int, column: int, value: Any):
    """Set a cell; text is always a string cell (openpyxl would make ``=…`` a live formula)."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


#: Time stamp of every entry of the workbook's zip archive (the earliest a zip file can hold).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_DATES = re.compile(
    rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>"
    rb"|<dcterms:(created|modified)\b[^>]*/>"
)


def _save_reproducibly(wb, path: Path) -> None:
    """Save *wb* so that the same content gives the same bytes.

    openpyxl stamps the save time into ``docProps/core.xml`` and every zip entry; the dates are left out of the
    document properties (they are optional) and every entry gets :data:`_ZIP_TIME`.
    """
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(b"", data)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)


def short_title(title: str) -> str:
    """A table title without its leading reference year (``2023年``, ``2019—2023年``, ``2024年批次``) and
    ``全国``: what tells the tables of one bulletin apart. Titles that are nothing else stay whole."""
    short = _YEAR_SUFFIX.sub("", _YEAR_PREFIX.sub("", str(title))).strip()
    return short or str(title).strip()


def _cut(text: str, width: int) -> str:
    """*text* cut to *width* characters; an English title at the last word that fits (no half words)."""
    if len(text) <= width:
        return text
    cut = text[:width]
    if has_cjk(text):
        return cut
    if " " in cut and text[width] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:(")


def sheet_names(labels: list[str]) -> list[str]:
    """Excel sheet names for *labels*: forbidden characters (``[]:*?/\\``) replaced by ``_``, at most 31
    characters, unique without regard to case (a repeat gets ``（2）``…), never :data:`CONTENTS`."""
    used = {CONTENTS.lower(), tr(CONTENTS).lower()}
    result = []
    for label in labels:
        base = _SHEET_FORBIDDEN.sub("_", str(label)).strip().strip("'") or tr("表")
        candidate, i = _cut(base, 31), 2
        while candidate.lower() in used:
            suffix = f"（{i}）" if current() == "zh" else f" ({i})"
            candidate = base[: 31 - len(suffix)] + suffix
            i += 1
        used.add(candidate.lower())
        result.append(candidate)
    return result


def _meta(tables_dir: Path, name: str) -> dict[str, Any]:
    path = tables_dir / f"{name}.meta.json"
    meta = {"name": name, "title": name, "unit": "", "source": "", "notes": []}
    if path.is_file():
        try:
            meta.update(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as exc:
            raise BulletinError(f"table metadata {path} could not be read: {exc}".splitlines()[0]) from None
    return meta


def table_catalogue(tables_dir: str | Path, sections: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The recorded tables in bulletin order, numbered, with their section, titles and sheet names.

    Parameters
    ----------
    tables_dir : str or Path
        Folder of recorded tables (``{name}.csv`` with ``{name}.meta.json``).
    sections : list of dict, optional
        The run's sections in run order: ``{"name", "title", "tables"}`` (the notebook, its page title and the
        names of the tables it recorded). Without it (or for tables no section names) the tables follow under
        :data:`OTHER_SECTION` (no section at all when nothing is claimed), in the order they were recorded
        (``order`` in the metadata), then by name.

    Returns
    -------
    list of dict
        Per table: ``number`` (``表1``…), ``name``, ``title``, ``unit``, ``source``, ``section`` (title),
        ``section_name`` (notebook), ``sheet`` (Excel sheet name: number and :func:`short_title`) and ``meta``.
    """
    tables_dir = Path(tables_dir)
    names = sorted(p.stem for p in tables_dir.glob("*.csv")) if tables_dir.is_dir() else []
    metas = {name: _meta(tables_dir, name) for name in names}

    def recorded(name: str) -> tuple[int, str]:
        order = metas[name].get("order")
        return (int(order) if isinstance(order, int) else 10**9, name)

    ordered: list[tuple[str, str, str]] = []
    claimed: set[str] = set()
    for section in sections or []:
        own = sorted((n for n in section.get("tables", []) if n in metas and n not in claimed), key=recorded)
        claimed.update(own)
        ordered += [
            (str(section.get("title") or section.get("name") or ""), str(section.get("name") or ""), n) for n in own
        ]
    rest = sorted((n for n in names if n not in claimed), key=recorded)
    ordered += [(tr(OTHER_SECTION) if claimed else "", "", n) for n in rest]
    numbers = [tr(f"表{i}") for i in range(1, len(ordered) + 1)]
    sheets = sheet_names([f"{number} {short_title(metas[n]['title'])}" for number, (_, _, n) in zip(numbers, ordered)])
    return [
        {
            "number": number,
            "name": n,
            "title": str(metas[n]["title"]),
            "unit": str(metas[n]["unit"]),
            "source": str(metas[n]["source"]),
            "section": section,
            "section_name": section_name,
            "sheet": sheet,
            "meta": metas[n],
        }
        for number, sheet, (section, section_name, n) in zip(numbers, sheets, ordered)
    ]


def workbook_sheets(path: str | Path) -> dict[str, str]:
    """Table name → sheet name of a ``tables.xlsx``, read from its contents sheet (CSV column)."""
    from openpyxl import load_workbook

    sheet = load_workbook(path).worksheets[0]  # the contents sheet: 目录 (Contents in the English edition)
    found = {}
    for row in sheet.iter_rows(min_row=4):
        link, csv = row[2].hyperlink if len(row) > 2 else None, row[-1].value
        if link is not None and link.location and csv:
            found[str(csv).removesuffix(".csv")] = _unquote_sheet(link.location)
    return found


def _sheet_ref(sheet: str, cell: str = "A1") -> str:
    return "'" + sheet.replace("'", "''") + "'!" + cell


def _unquote_sheet(location: str) -> str:
    name = location.rsplit("!", 1)[0]
    return name[1:-1].replace("''", "'") if name.startswith("'") and name.endswith("'") else name


def _number_format(column: str, series: pd.Series, label: str, meta: dict[str, Any]) -> str | None:
    """Excel format of a column: by its kind, with the decimals it was recorded with (``decimals`` of the
    metadata) or, for a table recorded without them, the decimals its values have."""
    kind = column_kind(column, series, label)
    recorded = (meta.get("decimals") or {}).get(column)
    digits = recorded if isinstance(recorded, int) else published_decimals(column, series, label)
    return excel_format(kind, digits)


#: Columns of the contents sheet; the last holds the CSV file (read back by :func:`workbook_sheets`).
_CONTENTS_HEADER = ["部分", "表号", "标题", "单位", "资料来源", "CSV文件"]


def write_workbook(tables_dir: str | Path, path: str | Path, sections: list[dict[str, Any]] | None = None) -> Path:
    """Write every ``*.csv`` of *tables_dir* into one Excel workbook, in bulletin order.

    Parameters
    ----------
    tables_dir : str or Path
        Folder of recorded tables (``{name}.csv`` with ``{name}.meta.json``).
    path : str or Path
        The workbook to write (``tables.xlsx``).
    sections : list of dict, optional
        The run's sections (``{"name", "title", "tables"}``, see :func:`table_catalogue`), which give the order,
        numbers and section titles; without them the tables follow in the order they were recorded.

    Returns
    -------
    Path
        The workbook.

    Notes
    -----
    The first sheet ``目录`` lists the tables (section, number, title linked to its sheet, unit, source, CSV
    file). Each table sheet is named ``表N`` and its short title (:func:`sheet_names`: at most 31 characters,
    unique, no ``[]:*?/\\``), with the title in A1, ``单位：…`` in A2 and a link back to the contents in row 2,
    a bold header in row 3 (panes frozen below it, repeated on printed pages), the data, a blank row,
    ``资料来源：…`` and one ``注：…`` row per note. Column headers are the table's own labels (``labels`` of
    :func:`ipstats.bulletin.record_table`), else the labels table (:func:`ipstats.labels.labels`), else the name.
    Numbers keep the published precision of their column (:mod:`ipstats.bulletin.precision`): counts
    ``#,##0``, percentages ``0.0``, fractional counts ``#,##0.00``, amounts with their unit's decimals, years
    and ranks ``0``; code columns (``*_code``, ``region``) stay text. Suppressed cells of a table with a
    disclosure record show ``×``, other missing cells ``—`` (:func:`table_symbols`), and the notes end with the
    legend of the marks the sheet shows; numbers flagged ``derived``,
    ``unverified`` or ``慎用`` by a flag column (:func:`flag_columns`) stay numbers, shown in italics with the
    mark of :data:`FLAGS` and its footnote, and the flag column shows the Chinese label.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    tables_dir, path = Path(tables_dir), Path(path)
    catalogue = table_catalogue(tables_dir, sections)
    names = labels()
    wb = Workbook()
    contents = wb.active
    contents.title = tr(CONTENTS)
    contents["A1"] = tr("统计表目录")
    contents["A1"].font = Font(bold=True, size=14)
    for col, label in enumerate(_CONTENTS_HEADER, start=1):
        cell = _put(contents, 3, col, tr(label))
        cell.font = Font(bold=True)
    contents.freeze_panes = "A4"
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE7F3")
    widths_contents = [6, 6, 10, 6, 10, 10]

    def link(ws, row: int, column: int, text: str, sheet: str):
        cell = _put(ws, row, column, text)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=_sheet_ref(sheet), display=text)
        cell.style = "Hyperlink"
        return cell

    for row, entry in enumerate(catalogue, start=4):
        csv, sheet_name, meta = tables_dir / f"{entry['name']}.csv", entry["sheet"], entry["meta"]
        try:
            table, _ = read_table(csv)
        except (ValueError, OSError, json.JSONDecodeError) as exc:
            raise BulletinError(f"table {csv} could not be read for tables.xlsx: {exc}".splitlines()[0]) from None
        ws = wb.create_sheet(sheet_name)
        space = "　" if current() == "zh" else " "
        _put(ws, 1, 1, f"{entry['number']}{space}{meta['title']}").font = Font(bold=True, size=13)
        _put(ws, 2, 1, f"{tr('单位：')}{meta['unit']}")
        back = link(ws, 2, max(len(table.columns), 3), tr("返回目录"), tr(CONTENTS))
        back.alignment = Alignment(horizontal="right")
        # readers see the Chinese labels; the CSV files keep the machine names for reuse
        own = meta.get("labels") or {}
        headers = [own.get(str(c)) or names.get(str(c), str(c)) for c in table.columns]
        widths = [_display_width(h) for h in headers]
        for col, name in enumerate(headers, start=1):
            cell = _put(ws, 3, col, unguard_text(name))
            cell.font = bold
            cell.fill = header_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=False)
        formats = [_number_format(str(c), table[c], str(h), meta) for c, h in zip(table.columns, headers)]
        flags = flagged_cells(table)
        flag_cols = set(flag_columns(list(table.columns)))
        symbols = table_symbols(csv, table, meta)
        used: set[str] = set()
        for r, values in enumerate(table.itertuples(index=False, name=None), start=4):
            for col, value in enumerate(values, start=1):
                name = str(table.columns[col - 1])
                value = _cell_value(value)
                if value is None:
                    value = SYMBOLS[symbols.iat[r - 4, col - 1] or "not_applicable"]["mark"]  # × or —
                elif (
                    value is not None
                    and isinstance(value, (int, float))
                    and formats[col - 1] is None
                    and is_code_column(name)
                ):
                    value = str(value)
                elif name in flag_cols and isinstance(value, str) and value in FLAGS:
                    used.add(value)
                    value = tr(FLAGS[value][1])  # the flag's label
                elif name in flag_cols and isinstance(value, str):
                    value = tr(flag_label(value))
                elif isinstance(value, bool):
                    value = tr("是" if value else "否")
                elif isinstance(value, str):
                    value = unguard_text(value)  # the CSV's guard against formulas; a string cell here
                elif isinstance(value, float) and formats[col - 1] in ("#,##0", "0") and value.is_integer():
                    value = int(value)  # a count read back as float (a column with "—")
                cell = _put(ws, r, col, value)
                flag = flags.get((r - 4, name))
                numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
                if formats[col - 1] and numeric:
                    cell.number_format = formats[col - 1]
                if flag and numeric:
                    # the mark is part of the number format: the cell stays a number
                    cell.number_format = f'{formats[col - 1] or "General"}"{FLAGS[flag][0]}"'
                    cell.font = Font(italic=True)
                    used.add(flag)
                if value is not None:
                    widths[col - 1] = max(widths[col - 1], _display_width(value) + (1 if flag and numeric else 0))
        foot = 4 + len(table) + 1
        _put(ws, foot, 1, f"{tr('资料来源：')}{meta['source']}")
        for i, note in enumerate(table_notes(table, meta, used, symbols_used(symbols)), start=1):
            _put(ws, foot + i, 1, f"{tr('注：')}{note}")
        ws.print_title_rows = "3:3"
        ws.page_setup.orientation = "landscape" if len(table.columns) > 6 else "portrait"
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)
        ws.freeze_panes = "A4"

        shown = (entry["section"], entry["number"], entry["title"], entry["unit"], entry["source"], csv.name)
        for col, value in enumerate(shown, start=1):
            if col in (2, 3):
                link(contents, row, col, value, sheet_name)
            else:
                _put(contents, row, col, value)
        widths_contents = [max(w, _display_width(v)) for w, v in zip(widths_contents, shown)]
    if not catalogue:
        _put(contents, 4, 1, tr("（没有统计表）"))
    for col, width in enumerate(widths_contents, start=1):
        contents.column_dimensions[get_column_letter(col)].width = min(width + 2, 80)
    path.parent.mkdir(parents=True, exist_ok=True)
    _save_reproducibly(wb, path)
    log.info("wrote %s (%d tables)", path, len(catalogue))
    return path
