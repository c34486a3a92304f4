"""``bulletin.pdf``: the whole bulletin as one printable document, printed by headless Chromium.

A 统计公报 is published as a document. :func:`print_html` lays the bulletin out from what the notebooks
recorded — the title, a table of contents (目录) linking every section and table, and per section (notebook,
in run order; in a provincial run the national-context sections follow the province's own under one heading,
:data:`ipstats.bulletin.sources.NATIONAL_GROUP`, as on the index) its summary text, its static figures (SVG or PNG, when they were exported) and its tables
(numbered as in ``tables.xlsx``, with unit, source and notes, numbers at their published precision).
:func:`write_pdf` prints that page with Chromium's ``--print-to-pdf`` on A4 with CJK fonts (Noto Sans CJK),
the page number in every footer and a PDF outline (bookmarks) of the headings. The page loads nothing from
the network: Chromium runs with a dead proxy, and every text is HTML-escaped.

Chromium maps each glyph of the PDF back to the lowest code point the font draws with it, and Noto Sans CJK
draws the CJK radicals with the glyphs of the ideographs they look like: copied text would read ``增⻓`` for
增长. :func:`fix_text_mapping` maps them back (``data/cjk_radicals.csv``, built from the font by
``scripts/build_cjk_radicals.py``), so the PDF's text can be searched and copied.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any


from ipstats.bulletin.errors import BulletinError
from ipstats.bulletin.precision import column_kind, format_published
from ipstats.bulletin.sources import NATIONAL_GROUP
from ipstats.language import gap, html_lang, tr
from ipstats.cells import unguard_text
from ipstats.display import LABELS
from ipstats.figures import FONT_FAMILY

__all__ = [
    "PDF_NAME",
    "PRINT_TIMEOUT",
    "fix_text_mapping",
    "format_cell",
    "pdf_problem",
    "print_html",
    "radical_map",
    "write_pdf",
]

log = logging.getLogger(__name__)

#: File name of the document in the bulletin folder.
PDF_NAME = "bulletin.pdf"
#: Seconds Chromium may take to print the bulletin.
PRINT_TIMEOUT = 300
#: Tables with more columns than this are printed on landscape pages, and in a smaller type above the second.
WIDE_COLUMNS = (8, 16)

_CSS = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm;
  @top-center { content: "%(title)s"; font-size: 8pt; color: #666; }
  @bottom-center { content: "— " counter(page) " —"; font-size: 9pt; } }
@page :first { @top-center { content: none; } }
@page wide { size: A4 landscape; }
body { font-family: %(font)s; color: #111; font-size: 10.5pt; line-height: 1.6; margin: 0; }
h1 { font-size: 22pt; text-align: center; margin: 60mm 0 8mm; color: #123c6e; }
p.meta { text-align: center; color: #444; }
h1.group { font-size: 17pt; text-align: left; margin: 0 0 2pt; }
p.group-note { color: #444; font-size: 9.5pt; margin: 0 0 10pt; }
h2 { font-size: 15pt; color: #123c6e; border-bottom: 1.5pt solid #1f5fa8; padding-bottom: 2pt; margin: 0 0 6pt; }
section.part { break-before: page; }
nav.toc { break-before: page; }
nav.toc ol { list-style: none; padding-left: 0; margin: 0; }
nav.toc li.part { font-weight: bold; margin-top: 6pt; }
nav.toc li.group { font-weight: bold; margin-top: 12pt; color: #123c6e; }
nav.toc li.table { font-weight: normal; padding-left: 2em; font-size: 9.5pt; }
nav.toc a { color: #111; text-decoration: none; display: flex; align-items: baseline; }
nav.toc span.t { flex: 1; }
nav.toc span.p { width: 3em; text-align: right; flex: none; }
.summary p { text-indent: 2em; margin: 3pt 0; }
.summary h1, .summary h2, .summary h3, .summary h4 { font-size: 11pt; border: none; margin: 6pt 0 2pt; color: #111;
  text-align: left; }
figure { margin: 8pt 0; text-align: center; break-inside: avoid; }
figure img { max-width: 100%%; max-height: 120mm; }
div.table { margin: 10pt 0 12pt; }
div.table.wide { page: wide; }
h3 { font-size: 11pt; text-align: center; margin: 10pt 0 2pt; break-after: avoid; }
p.unit { text-align: right; font-size: 8.5pt; margin: 0 0 2pt; break-after: avoid; }
table { border-collapse: collapse; width: 100%%; font-size: 8.5pt; line-height: 1.35; }
div.wide table { font-size: 7.5pt; }
div.wide th { font-size: 7pt; line-height: 1.2; }
div.verywide table { font-size: 6.5pt; }
div.verywide th { font-size: 6pt; line-height: 1.15; padding: 1pt 1.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th { border-top: 1pt solid #111; border-bottom: 0.6pt solid #111; padding: 2pt 3pt; font-weight: bold; }
td { border-bottom: 0.3pt solid #ccc; padding: 1.5pt 3pt; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tbody tr:last-child td { border-bottom: 1pt solid #111; }
p.foot { font-size: 8.5pt; margin: 1pt 0; color: #333; }
"""


def pdf_problem() -> str | None:
    """Why the PDF cannot be printed here (no Chromium found, pypdf missing), or None when it can."""
    import importlib.util

    from ipstats.bulletin.record import browser_problem

    if importlib.util.find_spec("pypdf") is None:
        return "the Python package pypdf is not installed"
    return browser_problem()


_RADICALS = Path(__file__).resolve().parent / "data" / "cjk_radicals.csv"


def radical_map() -> dict[int, int]:
    """CJK radical code point → the ideograph Noto Sans CJK SC draws with the same glyph (``data/cjk_radicals.csv``)."""
    import csv

    with _RADICALS.open(encoding="utf-8", newline="") as handle:
        return {int(row["radical"][2:], 16): int(row["ideograph"][2:], 16) for row in csv.DictReader(handle)}


def _remap_cmap(text: str, mapping: dict[int, int]) -> str:
    """A ToUnicode CMap with every destination that is a radical replaced by its ideograph (ranges split)."""
    import re

    def char(match: re.Match) -> str:
        code = int(match.group(2), 16)
        return f"{match.group(1)}<{mapping[code]:04X}>" if code in mapping else match.group(0)

    def ranges(block: re.Match) -> str:
        kept, singles = [], []
        for line in block.group(2).strip().splitlines():
            parts = re.findall(r"<([0-9A-Fa-f]+)>", line)
            if len(parts) != 3 or len(parts[2]) != 4:
                kept.append(line)
                continue
            first, last, dest = int(parts[0], 16), int(parts[1], 16), int(parts[2], 16)
            if not any(dest + i in mapping for i in range(last - first + 1)):
                kept.append(line)
                continue
            width = len(parts[0])
            singles += [
                f"<{first + i:0{width}X}> <{mapping.get(dest + i, dest + i):04X}>" for i in range(last - first + 1)
            ]
        out = f"{len(kept)} beginbfrange\n" + "".join(k + "\n" for k in kept) + "endbfrange" if kept else ""
        if singles:
            out += f"\n{len(singles)} beginbfchar\n" + "".join(x + "\n" for x in singles) + "endbfchar"
        return out

    text = re.sub(r"(?s)(\d+) beginbfrange\n(.*?)endbfrange", ranges, text)
    return re.sub(r"(<[0-9A-Fa-f]+>\s+)<([0-9A-Fa-f]{4})>", char, text)


def fix_text_mapping(path: str | os.PathLike) -> int:
    """Rewrite the text mapping (ToUnicode) of a PDF's fonts so that CJK radicals read as their ideographs.

    Parameters
    ----------
    path : str or path
        A PDF printed by Chromium; rewritten in place.

    Returns
    -------
    int
        Number of font mappings changed.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    mapping = radical_map()
    writer = PdfWriter(clone_from=PdfReader(path))
    changed, seen = 0, set()

    def walk(resources) -> None:
        nonlocal changed
        resources = resources.get_object() if resources is not None else None
        if not resources or id(resources) in seen:
            return
        seen.add(id(resources))
        for font in (resources.get(NameObject("/Font")) or {}).values():
            font = font.get_object()
            cmap = font.get("/ToUnicode")
            if cmap is not None and id(cmap.get_object()) not in seen:
                stream = cmap.get_object()
                seen.add(id(stream))
                before = stream.get_data().decode("latin-1")
                after = _remap_cmap(before, mapping)
                if after != before:
                    stream.set_data(after.encode("latin-1"))
                    changed += 1
            walk(font.get("/Resources"))
        for xobject in (resources.get(NameObject("/XObject")) or {}).values():
            walk(xobject.get_object().get("/Resources"))

    for page in writer.pages:
        walk(page.get("/Resources"))
    with open(path, "wb") as handle:
        writer.write(handle)
    return changed


def format_cell(value: Any, kind: str, digits: int | None) -> str:
    """A cell as the bulletin prints it (:func:`ipstats.bulletin.precision.format_published`): ``1,234`` for
    counts, ``5.2`` for percentages (``11.6`` and ``12.44`` in a column with two decimals), ``2023`` for years."""
    return format_published(value, kind, digits)


def _table_html(entry: dict[str, Any], tables_dir: Path) -> str:
    """One table: number and title, unit, the formatted rows, source and notes."""
    from ipstats.bulletin.precision import published_decimals
    from ipstats.bulletin.tables import (
        FLAGS,
        flag_columns,
        flag_label,
        flagged_cells,
        read_table,
        table_notes,
        table_symbols,
    )
    from ipstats.labels import SYMBOLS, symbols_used

    e = html.escape
    table, meta = read_table(tables_dir / f"{entry['name']}.csv")
    symbols = table_symbols(tables_dir / f"{entry['name']}.csv", table, meta)  # × suppressed, — not applicable
    own = meta.get("labels") or {}
    headers = [own.get(str(c)) or LABELS.get(str(c), str(c)) for c in table.columns]
    recorded = meta.get("decimals") or {}
    kinds = [column_kind(str(c), table[c], h) for c, h in zip(table.columns, headers)]
    digits = [
        recorded.get(str(c)) if isinstance(recorded.get(str(c)), int) else published_decimals(str(c), table[c], h)
        for c, h in zip(table.columns, headers)
    ]
    flags, flag_cols, used = flagged_cells(table), set(flag_columns(list(table.columns))), set()
    rows = []
    for r, values in enumerate(table.itertuples(index=False, name=None)):
        cells = []
        for j, value in enumerate(values):
            name = str(table.columns[j])
            missing = value is None or (isinstance(value, float) and value != value)
            if missing:
                text = SYMBOLS[symbols.iat[r, j] or "not_applicable"]["mark"]
            elif name in flag_cols and isinstance(value, str) and value in FLAGS:
                used.add(value)
                text = FLAGS[value][1]
            elif name in flag_cols and isinstance(value, str):
                text = flag_label(value)
            else:
                text = format_cell(None if missing else value, kinds[j], digits[j])
            flag = flags.get((r, name))
            numeric = kinds[j] not in ("text",) and not missing and not isinstance(value, str)
            if flag and numeric:
                used.add(flag)
                text += FLAGS[flag][0]
            cells.append(f'<td class="n">{e(text)}</td>' if numeric or missing else f"<td>{e(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    wide = " wide" if len(table.columns) > WIDE_COLUMNS[0] else ""
    wide += " verywide" if len(table.columns) > WIDE_COLUMNS[1] else ""
    foot = [f'<p class="foot">{tr("资料来源：")}{e(str(meta.get("source", "")))}</p>'] if meta.get("source") else []
    foot += [
        f'<p class="foot">{tr("注：")}{e(note)}</p>' for note in table_notes(table, meta, used, symbols_used(symbols))
    ]
    return (
        f'<div class="table{wide}" id="{e(entry["name"])}"><h3>{e(entry["number"])}{gap()}{e(entry["title"])}</h3>'
        f'<p class="unit">{tr("单位：")}{e(entry["unit"])}</p>'
        "<table><thead><tr>" + "".join(f"<th>{e(str(unguard_text(h)))}</th>" for h in headers) + "</tr></thead>"
        "<tbody>" + "".join(rows) + "</tbody></table>" + "".join(foot) + "</div>"
    )


def _figure_html(folder: Path, name: str) -> str:
    from ipstats.bulletin.html import chart_title

    e = html.escape
    for ext in ("svg", "png"):
        if (folder / "figures" / f"{name}.{ext}").is_file():
            spec_path = folder / "figures" / f"{name}.json"
            title = chart_title(json.loads(spec_path.read_text(encoding="utf-8"))) if spec_path.is_file() else ""
            # the chart draws its own title
            return f'<figure><img src="figures/{e(name)}.{ext}" alt="{e(title or name)}"></figure>'
    return ""


def _parts(folder: Path, sections: list[dict[str, Any]] | None) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """The bulletin's parts in order: each section with its catalogue entries (tables no section claims last)."""
    from ipstats.bulletin.tables import table_catalogue

    sections = list(sections or [])
    by_section: dict[str, list[dict[str, Any]]] = {}
    for entry in table_catalogue(Path(folder) / "tables", sections):
        by_section.setdefault(entry["section_name"] or entry["section"], []).append(entry)
    order = [{"key": s.get("name") or s.get("title") or "", **s} for s in sections]
    known = {s["key"] for s in order}
    order += [
        {"key": key, "name": "", "title": entries[0]["section"] or tr("统计表"), "figures": []}
        for key, entries in by_section.items()
        if key not in known
    ]
    return [(section, by_section.get(section["key"], [])) for section in order]


def _national_group(sections: list[dict[str, Any]] | None) -> str | None:
    """Key (as :func:`_parts` gives it) of the first national-context section, before which the group heading
    goes; None when there is none (a national run)."""
    for s in sections or []:
        if s.get("national"):
            return s.get("name") or s.get("title") or ""
    return None


def print_html(
    folder: str | os.PathLike,
    *,
    title: str,
    year: int,
    region: str,
    sections: list[dict[str, Any]] | None = None,
    pages: list[int] | None = None,
) -> str:
    """The bulletin as one HTML document laid out for print (what :func:`write_pdf` prints).

    Parameters
    ----------
    folder : str or path
        The bulletin folder (``tables/``, ``texts/``, ``figures/``).
    title, year, region
        Bulletin title, reference year and region (``"national"`` or a province code), as on the index.
    sections : list of dict, optional
        The run's sections in bulletin order: ``{"name", "title", "tables", "figures", "national"}`` (notebook,
        section title, its tables and recorded figures; a figure named as a table follows it). Before the first
        section with ``"national": True`` (national context in a provincial run, listed last) the heading and note
        of :data:`ipstats.bulletin.sources.NATIONAL_GROUP` are printed, in the 目录 too. Tables no section claims
        follow under :data:`ipstats.bulletin.tables.OTHER_SECTION`.
    pages : list of int, optional
        Page of every entry of the 目录 (sections and tables, in order), printed beside it; without them the
        column is left blank (same layout, so a second print with the pages of the first breaks alike).

    Returns
    -------
    str
        The HTML page (figures referenced relative to *folder*).
    """
    from ipstats.bulletin.html import markdown_html, region_label

    e = html.escape
    folder = Path(folder)
    toc, body = [], []
    numbers = iter(pages or [])

    def line(kind: str, anchor: str, text: str) -> str:
        page = next(numbers, "")
        return (
            f'<li class="{kind}"><a href="#{e(anchor)}"><span class="t">{e(text)}</span>'
            f'<span class="p">{page}</span></a></li>'
        )

    group = _national_group(sections)
    for i, (section, entries) in enumerate(_parts(folder, sections), start=1):
        anchor = f"part-{i}"
        content = ['<section class="part">']
        if group is not None and section.get("key") == group:
            heading, note = map(tr, NATIONAL_GROUP)
            toc.append(line("group", "national-group", heading))
            content += [
                f'<h1 class="group" id="national-group">{e(heading)}</h1>',
                f'<p class="group-note">{e(note)}</p>',
            ]
        toc.append(line("part", anchor, str(section["title"])))
        toc += [line("table", t["name"], f"{t['number']}{gap()}{t['title']}") for t in entries]
        content.append(f'<h2 id="{anchor}">{e(str(section["title"]))}</h2>')
        summary = folder / "texts" / f"{section.get('name') or ''}.md"
        if section.get("name") and summary.is_file():
            content.append(f'<div class="summary">{markdown_html(summary.read_text(encoding="utf-8"))}</div>')
        # a figure named after a table follows it; the others come first, after the summary
        figures = list(section.get("figures") or [])
        after = {t["name"]: [f for f in figures if f == t["name"]] for t in entries}
        placed = {f for names in after.values() for f in names}
        content += [_figure_html(folder, name) for name in figures if name not in placed]
        for t in entries:
            content += [_table_html(t, folder / "tables")] + [_figure_html(folder, name) for name in after[t["name"]]]
        content.append("</section>")
        body += content
    css = _CSS % {"title": _css_string(title), "font": FONT_FAMILY}
    return (
        f"<!DOCTYPE html>\n<html lang=\"{html_lang()}\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{e(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        f"<header><h1>{e(title)}</h1><p class=\"meta\">{tr('统计年度：')}{year}{gap()}{tr('地区：')}"
        f"{e(region_label(region))}</p>"
        "</header>\n"
        f'<nav class="toc"><h2>{tr("目　录")}</h2><ol>{"".join(toc)}</ol></nav>\n'
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _css_string(text: str) -> str:
    """*text* for a CSS string in a ``<style>`` element: quotes, backslashes, ``<``, ``>``, ``&`` and control
    characters as CSS escapes (a title holding ``</style>`` cannot close the element)."""
    return "".join(f"\\{ord(ch):x} " if ch in '"\\<>&' or ord(ch) < 0x20 else ch for ch in str(text))


def _chromium_args(browser: str, profile: str, target: Path) -> list[str]:
    args = [
        browser,
        "--headless",
        "--disable-gpu",
        "--no-pdf-header-footer",
        "--generate-pdf-document-outline",
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        f"--user-data-dir={profile}",
        f"--print-to-pdf={target}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # Chromium's sandbox does not run as root (containers)
    return args


def write_pdf(
    folder: str | os.PathLike,
    *,
    title: str,
    year: int,
    region: str,
    sections: list[dict[str, Any]] | None = None,
    timeout: int = PRINT_TIMEOUT,
) -> Path:
    """Print ``bulletin.pdf`` of a bulletin folder with headless Chromium.

    Parameters
    ----------
    folder : str or path
        The bulletin folder.
    title, year, region, sections
        As for :func:`print_html`.
    timeout : int
        Seconds Chromium may take (:data:`PRINT_TIMEOUT`).

    Returns
    -------
    Path
        ``{folder}/bulletin.pdf``.

    Raises
    ------
    BulletinError
        When no Chromium is found (:func:`pdf_problem`) or it fails or times out (one line).
    """
    folder = Path(folder)
    problem = pdf_problem()
    if problem:
        raise BulletinError(f"bulletin.pdf cannot be printed: {problem}")
    target = folder / PDF_NAME
    layout = {"title": title, "year": year, "region": region, "sections": sections}
    _print(print_html(folder, **layout), folder, target, timeout)
    expected = contents_headings(folder, sections)
    pages = heading_pages(target, expected)
    if pages is not None:
        # the same page with the page numbers in the 目录: it breaks alike, so the numbers stay right
        _print(print_html(folder, **layout, pages=pages), folder, target, timeout)
        if heading_pages(target, expected) != pages:
            log.warning("bulletin.pdf: the 目录's page numbers moved in the second print")
    else:
        log.warning("bulletin.pdf: the headings were not all found in the PDF outline: 目录 without page numbers")
    fixed = fix_text_mapping(target)
    log.info("wrote %s (%d font mappings of CJK radicals corrected)", target, fixed)
    return target


def contents_headings(folder: str | os.PathLike, sections: list[dict[str, Any]] | None) -> list[str]:
    """Headings the 目录 lists, in order (the national group's heading, section titles and ``表N　title``), as the
    PDF outline names them."""
    headings = []
    group = _national_group(sections)
    for section, entries in _parts(Path(folder), sections):
        if group is not None and section.get("key") == group:
            headings.append(tr(NATIONAL_GROUP[0]))
        headings += [str(section["title"])] + [f"{t['number']}{gap()}{t['title']}" for t in entries]
    return headings


def heading_pages(path: str | os.PathLike, headings: list[str]) -> list[int] | None:
    """Page (1-based) of each of *headings* in the PDF outline (bookmarks, in document order), or None when one
    is missing."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    marks: list[tuple[str, int]] = []

    def walk(outline) -> None:
        for item in outline:
            if isinstance(item, list):
                walk(item)
            else:
                marks.append((str(item.get("/Title", "")), reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    # Chromium names a bookmark by the heading's laid-out text: an English title wrapped over two lines loses the
    # space at the break ("from abroad" → "fromabroad"), so headings are compared without white space
    marks = [(re.sub(r"\s+", "", title), page) for title, page in marks]
    pages, at = [], 0
    for heading in headings:
        heading = re.sub(r"\s+", "", heading)
        while at < len(marks) and marks[at][0] != heading:
            at += 1
        if at == len(marks):
            return None
        pages.append(marks[at][1])
        at += 1
    return pages


def _print(page_html: str, folder: Path, target: Path, timeout: int) -> None:
    """Print *page_html* (laid out in *folder*, whose figures it shows) to *target* with headless Chromium."""
    from ipstats.bulletin.record import browser_path

    page = folder / ".bulletin-print.html"
    page.write_text(page_html, encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory(prefix="ipstats-chromium-") as profile:
            args = _chromium_args(str(browser_path()), profile, target) + [page.resolve().as_uri()]
            try:
                proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                raise BulletinError(f"bulletin.pdf: Chromium did not finish printing within {timeout} s") from None
            except OSError as exc:
                raise BulletinError(f"bulletin.pdf: Chromium {args[0]} could not start: {exc}") from None
        if proc.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            lines = [line for line in (proc.stderr or "").splitlines() if line.strip() and "dbus" not in line]
            why = lines[-1].strip() if lines else f"exit status {proc.returncode}"
            raise BulletinError(f"bulletin.pdf: Chromium could not print the bulletin: {why}")
    finally:
        page.unlink(missing_ok=True)
