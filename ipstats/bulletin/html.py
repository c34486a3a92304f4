"""HTML pages of a bulletin: one page per executed notebook (code hidden) and ``index.html``.

Pages load nothing from the network: plotly.js is inlined once in the ``<head>`` of pages with
charts, and nbconvert's require.js, MathJax and Mermaid script tags are left out.

Text from the data is never markup: Markdown the notebooks display (generated text naming applicants,
categories, industries) is rendered with raw HTML escaped (:func:`markdown_html`), every text of a chart is
escaped for plotly's own tags (:func:`ipstats.figures.escape_chart_text`), tables are escaped by
:func:`ipstats.display.show_table` and the index escapes what it prints.
"""

from __future__ import annotations

import copy
import html
import json
import logging
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

import nbformat

from ipstats.bulletin.record import FIGURE_KEY
from ipstats.figures import trace_has_data
from ipstats.figures import FONT_FAMILY, escape_chart_text
from ipstats.language import current, gap, html_lang, tr

__all__ = [
    "PLOTLY_MIME",
    "chart_name",
    "chart_title",
    "export_page",
    "index_titles",
    "markdown_html",
    "notebook_title",
    "output_heading",
    "page_charts",
    "plotly_outputs_to_html",
    "region_label",
    "summary_html",
    "unescape_cjk",
    "write_index",
]

log = logging.getLogger(__name__)

PLOTLY_MIME = "application/vnd.plotly.v1+json"
FONT_STACK = FONT_FAMILY

# nbconvert's lab template with every network script left out and a link back to the index.
_PAGE_TEMPLATE = (
    """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
body.jp-Notebook { font-family: """
    + FONT_STACK
    + """;
  /* on body, not :root: the theme's :root (later in the page) would win */
  --jp-ui-font-family: """
    + FONT_STACK
    + """; --jp-content-font-family: """
    + FONT_STACK
    + """; }
.jp-RenderedHTMLCommon, .jp-RenderedMarkdown { font-family: """
    + FONT_STACK
    + """; }
nav.ipstats-nav { max-width: 1100px; margin: 0 auto; padding: 12px 20px 0; font-size: 14px; }
nav.ipstats-nav a { color: #1f5fa8; text-decoration: none; }
/* a wide table scrolls instead of squeezing its Chinese labels to one character a line */
.jp-OutputArea-output:has(> table.ipstats-table) { overflow-x: auto; }
table.ipstats-table th, table.ipstats-table td { min-width: 4.5em; }
</style>
{%- if resources.ipstats_plotlyjs -%}
<script type="text/javascript">{{ resources.ipstats_plotlyjs }}</script>
{%- endif -%}
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
<nav class="ipstats-nav"><a href="index.html">← {{ resources.ipstats_back_label | e }}</a></nav>
{%- endblock body_header -%}
{%- block data_markdown scoped -%}
<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-OutputArea-output {{ extra_class }}" data-mime-type="text/markdown">
{{ output.data['text/markdown'] | ipstats_markdown }}
</div>
{%- endblock data_markdown -%}
"""
)

_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def notebook_title(nb: nbformat.NotebookNode, default: str) -> str:
    """The first level-1 Markdown heading (``# …``) of a notebook.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook.
    default : str
        Returned when no markdown cell has a ``# `` heading.

    Returns
    -------
    str
        The heading text without the ``#``.
    """
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = _HEADING.search(cell.source)
            if match:
                return match.group(1).strip()
    return default


_SUBHEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$", re.MULTILINE)


def output_heading(nb: nbformat.NotebookNode) -> str:
    """The first level-2 heading (``## …``) a notebook *displayed* as Markdown output, or ``""``.

    A notebook run several times with different parameters (one section per classification system)
    shows what this run is about in such a generated heading.
    """
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            text = (output.get("data") or {}).get("text/markdown")
            match = _SUBHEADING.search("".join(text) if isinstance(text, list) else str(text or ""))
            if match:
                return match.group(1).strip()
    return ""


def index_titles(folder: Path, notebooks: list[dict[str, Any]]) -> list[str]:
    """Link texts of the index: the page titles, told apart when several pages share one.

    A shared title gets the page's generated heading (:func:`output_heading` of the executed notebook
    ``notebooks/{name}.ipynb``) or else the notebook name: ``分领域专利统计监测：战略性新兴产业``.
    """
    counts: dict[str, int] = {}
    for nb in notebooks:
        counts[nb["title"]] = counts.get(nb["title"], 0) + 1
    titles = []
    for nb in notebooks:
        title = nb["title"]
        if counts[title] > 1:
            executed = folder / "notebooks" / f"{nb['name']}.ipynb"
            extra = output_heading(nbformat.read(executed, as_version=4)) if executed.is_file() else ""
            title = f"{title}{'：' if current() == 'zh' else ': '}{extra or nb['name']}"
        titles.append(title)
    return titles


_U_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u([0-9a-fA-F]{4})")


def unescape_cjk(text: str) -> str:
    """Turn JSON ``\\uXXXX`` escapes of non-ASCII characters back into the characters.

    Plotly writes Chinese titles as ``\\u6d4b…`` inside the chart's script; as plain UTF-8 they
    stay readable and searchable in the page. ASCII escapes (``\\u003c`` …), surrogates and the
    JavaScript line separators U+2028/U+2029 stay escaped.

    Parameters
    ----------
    text : str
        HTML or JSON text.

    Returns
    -------
    str
        The text with those escapes replaced.
    """

    def repl(match: re.Match) -> str:
        code = int(match.group(2), 16)
        if code < 0x80 or 0xD800 <= code <= 0xDFFF or code in (0x2028, 0x2029):
            return match.group(0)
        return match.group(1) + chr(code)

    return _U_ESCAPE.sub(repl, text)


def chart_name(spec: dict[str, Any]) -> str:
    """Name of the recorded figure a plotly output shows (``layout.meta.ipstats_figure``), or ``""``."""
    meta = (spec.get("layout") or {}).get("meta")
    return str(meta.get(FIGURE_KEY, "")) if isinstance(meta, dict) else ""


def chart_title(spec: dict[str, Any]) -> str:
    """Title text of a plotly figure spec, or ``""``."""
    title = (spec.get("layout") or {}).get("title")
    if isinstance(title, dict):
        return str(title.get("text") or "")
    return str(title or "")


def page_charts(nb: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """The charts an executed notebook shows, in page order.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.

    Returns
    -------
    list of dict
        ``{"figure", "title", "traces", "empty_traces"}`` per plotly output: the recorded figure's name
        (``""`` when not recorded), the chart title, the number of traces with data to draw and the
        number of traces without (all values missing).
    """
    charts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            spec = (output.get("data") or {}).get(PLOTLY_MIME)
            if spec is None:
                continue
            spec = json.loads(spec) if isinstance(spec, str) else spec
            traces = spec.get("data") or []
            drawn = sum(trace_has_data(t) for t in traces)
            charts.append(
                {
                    "figure": chart_name(spec),
                    "title": chart_title(spec),
                    "traces": drawn,
                    "empty_traces": len(traces) - drawn,
                }
            )
    return charts


def plotly_outputs_to_html(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """Replace plotly mime outputs by ``text/html`` divs that nbconvert renders.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook (not modified).

    Returns
    -------
    notebook : nbformat.NotebookNode
        A copy in which every output holding ``application/vnd.plotly.v1+json`` has only a
        ``text/html`` entry (a div with id ``fig-{cell}-{output}`` and its script, texts escaped by
        :func:`ipstats.figures.escape_chart_text`; plotly.js is not included) inside
        ``<div class="ipstats-figure" data-figure="{name}">`` (name of the recorded figure, empty when the chart
        was not recorded), and ``stderr`` streams (warnings) are dropped.
    charts : int
        Number of charts on the page: converted ones plus ``text/html`` outputs calling ``Plotly.newPlot``.
    """
    import plotly.io as pio

    nb = copy.deepcopy(nb)
    charts = 0
    for ci, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        kept = []
        for oi, output in enumerate(cell.get("outputs", [])):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                continue
            data = output.get("data") or {}
            if PLOTLY_MIME in data:
                spec = data[PLOTLY_MIME]
                if isinstance(spec, str):
                    spec = json.loads(spec)
                fig = {
                    "data": escape_chart_text(spec.get("data", [])),
                    "layout": escape_chart_text(spec.get("layout", {})),
                }
                height = fig["layout"].get("height") if isinstance(fig["layout"], dict) else None
                div = pio.to_html(
                    fig,
                    include_plotlyjs=False,
                    full_html=False,
                    div_id=f"fig-{ci}-{oi}",
                    config=spec.get("config") or None,
                    validate=False,
                    default_width="100%",
                    default_height=f"{int(height)}px" if height else "480px",
                )
                div = f'<div class="ipstats-figure" data-figure="{html.escape(chart_name(spec))}">{unescape_cjk(div)}</div>'
                output["data"] = nbformat.from_dict({"text/html": div})
                output.get("metadata", {}).pop(PLOTLY_MIME, None)
                charts += 1
            elif "Plotly.newPlot" in "".join(data.get("text/html") or ""):
                charts += 1  # a chart a renderer already wrote as HTML still needs plotly.js on the page
            kept.append(output)
        cell["outputs"] = kept
    return nb, charts


def _exporter():
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.raw_template = _PAGE_TEMPLATE
    exporter.register_filter("ipstats_markdown", markdown_html)
    return exporter


_SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", re.IGNORECASE)


#: First line of a notebook cell whose printout is for CI (nbval compares it), not for readers of the bulletin.
CHECK_CELL = "# NBVAL_CHECK_OUTPUT"


def _check_cell(cell) -> bool:
    """Whether *cell* is a CI check cell (its source starts with :data:`CHECK_CELL`): left off the page."""
    return cell.cell_type == "code" and str(cell.source).lstrip().startswith(CHECK_CELL)


def export_page(executed: Path, target: Path, *, title: str | None = None) -> int:
    """Write the HTML page of an executed notebook with code hidden and CI check cells left out.

    Parameters
    ----------
    executed : Path
        The executed notebook (``notebooks/{name}.ipynb``).
    target : Path
        The page to write (``{name}.html``).
    title : str, optional
        Page title; default the notebook's first heading.

    Returns
    -------
    int
        Number of charts on the page.
    """
    import plotly.offline

    nb = nbformat.read(executed, as_version=4)
    nb.cells = [c for c in nb.cells if not _check_cell(c)]
    nb, charts = plotly_outputs_to_html(nb)
    nb.metadata["title"] = title or notebook_title(nb, executed.stem)
    resources = {
        "ipstats_plotlyjs": plotly.offline.get_plotlyjs() if charts else "",
        "ipstats_back_label": tr("返回目录"),
    }
    resources["language_code"] = html_lang()
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    stripped, n = _SCRIPT_SRC.subn("", body)
    if n:
        log.warning("removed %d script tag(s) loading from the network in %s", n, target.name)
    target.write_text(stripped, encoding="utf-8")
    log.info("wrote %s (%d charts)", target, charts)
    return charts


_INDEX_CSS = (
    """
body { font-family: %s; color: #222; background: #fafafa; margin: 0; }
main { max-width: 960px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; min-height: 100vh; }
h1 { font-size: 26px; margin: 8px 0 4px; color: #123c6e; }
h2 { font-size: 19px; border-bottom: 2px solid #1f5fa8; padding-bottom: 4px; margin-top: 32px; color: #123c6e; }
h3 { font-size: 17px; margin: 20px 0 6px; }
p.meta { color: #666; font-size: 14px; margin: 0 0 16px; }
a { color: #1f5fa8; text-decoration: none; } a:hover { text-decoration: underline; }
.summary { line-height: 1.8; margin: 4px 0 8px; }
.summary h1, .summary h2, .summary h3, .summary h4 { font-size: 16px; border: none; margin: 12px 0 4px; color: #222; }
.summary p { margin: 4px 0 8px; }
.summary table { width: auto; margin: 4px 0 8px; }
table { border-collapse: collapse; width: 100%%; font-size: 14px; }
th, td { border-bottom: 1px solid #ddd; padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f0f4fa; }
footer { margin-top: 40px; color: #888; font-size: 12px; }
"""
    % FONT_STACK
)


def _text_only_renderer():
    """mistune's HTML renderer, raw HTML escaped, drawing links as their text and images as their alt text."""
    import mistune

    class TextLinks(mistune.HTMLRenderer):
        def link(self, text, url, title=None):
            return text

        def image(self, text, url, title=None):
            return text

    return TextLinks(escape=True)


def markdown_html(text: Any) -> str:
    """HTML of Markdown text (paragraphs, bold, lists, tables) with raw HTML escaped, links and images as text.

    Used for the summaries on the index and for every Markdown output of an executed notebook: those are
    generated from the data, and nbconvert's own renderer would pass raw HTML (``<img onerror=…>``) through; a
    name written as a Markdown link or image (``[…](https://…)``, ``![](https://…)``) would add a live link or
    load a picture from the network.
    """
    import mistune

    source = "".join(text) if isinstance(text, list) else str(text)
    return mistune.create_markdown(renderer=_text_only_renderer(), plugins=["table", "strikethrough"])(source)


def summary_html(text: str) -> str:
    """The HTML of a notebook's summary text (Markdown: paragraphs, bold, lists, tables; raw HTML escaped)."""
    return f'<div class="summary">{markdown_html(text)}</div>'


def _figure_section(folder: Path) -> list[str]:
    """Index section listing the recorded figures with their PNG/SVG files; says once when those are missing."""
    from ipstats.bulletin.record import figure_has_data, static_export_problem

    e = html.escape
    names = sorted(p.stem for p in (folder / "figures").glob("*.json")) if (folder / "figures").is_dir() else []
    if not names:
        return []
    rows, missing = [], 0
    for name in names:
        spec = json.loads((folder / "figures" / f"{name}.json").read_text(encoding="utf-8"))
        files = [
            f'<a href="figures/{e(name)}.{ext}">{ext.upper()}</a>'
            for ext in ("png", "svg")
            if (folder / "figures" / f"{name}.{ext}").is_file()
        ]
        drawn = figure_has_data(spec)
        missing += drawn and len(files) < 2
        shown = '　'.join(files) or ('—' if drawn else tr('无数据'))
        rows.append(
            f"<tr><td>{e(chart_title(spec) or name)}</td><td>{shown}</td>"
            f'<td><a href="figures/{e(name)}.json">JSON</a></td></tr>'
        )
    parts = [f"<h2>{tr('统计图')}</h2>"]
    if missing:
        reason = static_export_problem() or tr("静态图导出失败（见各报告页的运行记录）")
        log.warning(
            "%d of %d figures have no PNG/SVG (%s); the HTML pages show every chart", missing, len(names), reason
        )
        parts.append(
            f'<p class="meta">{e(tr(f"本次运行未能生成全部静态图（PNG/SVG）：{reason}。网页中的交互图不受影响；安装 Chromium（或设置 BROWSER_PATH）和 kaleido 后重新运行即可生成。"))}</p>'
        )
    parts.append(
        f"<table><thead><tr><th>{tr('图')}</th><th>{tr('静态图')}</th><th>{tr('数据')}</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    return parts


def region_label(region: str) -> str:
    """Name of a region in the current language: 全国 (China), or the province's ``name_zh`` (``name_en``)."""
    if region == "national":
        return tr("全国")
    from ipstats.reference import provinces

    table = provinces()
    match = table.loc[table["province_code"] == region, "name_en" if current() == "en" else "name_zh"]
    return str(match.iloc[0]) if len(match) else region


def write_index(
    folder: Path,
    *,
    title: str,
    year: int,
    region: str,
    notebooks: Iterable[dict[str, Any]],
    generated: datetime,
    sections: list[dict[str, Any]] | None = None,
) -> Path:
    """Write ``index.html`` of a bulletin folder.

    Parameters
    ----------
    folder : Path
        The bulletin folder holding the pages, ``texts/``, ``tables/``, ``tables.xlsx`` and ``manifest.json``.
    title : str
        Bulletin title.
    year : int
        Reference year.
    region : str
        ``"national"`` or a province code.
    notebooks : iterable of dict
        ``{"name", "title"}`` per notebook, in run order; the page is ``{name}.html``. Pages with
        ``"national": True`` (national context in a provincial run) are listed last, under 全国参考.
    generated : datetime
        Generation time shown on the page.
    sections : list of dict, optional
        The run's sections (``{"name", "title", "tables"}``, :func:`ipstats.bulletin.tables.table_catalogue`):
        the tables are listed under them, numbered in bulletin order, by their Chinese titles (the CSV file
        beside). Without it they are listed in the order they were recorded.

    Returns
    -------
    Path
        The index page.
    """
    from ipstats.bulletin.tables import table_catalogue

    e = html.escape
    parts = [
        f"<h1>{e(title)}</h1>",
        f'<p class="meta">{tr("统计年度：")}{year}{gap()}{tr("地区：")}{e(region_label(region))}{gap()}'
        f"{tr('生成时间：')}{e(generated.strftime('%Y-%m-%d %H:%M'))}</p>",
        f"<h2>{tr('分析报告')}</h2>",
    ]
    from ipstats.bulletin.sources import NATIONAL_GROUP

    notebooks = list(notebooks)
    links = list(zip(notebooks, index_titles(folder, notebooks)))
    national = [pair for pair in links if pair[0].get("national")]  # national context in a provincial run
    for nb, link in [pair for pair in links if not pair[0].get("national")] + national:
        name = nb["name"]
        if national and nb is national[0][0]:
            parts += [f"<h2>{e(tr(NATIONAL_GROUP[0]))}</h2>", f'<p class="meta">{e(tr(NATIONAL_GROUP[1]))}</p>']
        parts.append(f'<h3><a href="{e(name)}.html">{e(link)}</a></h3>')
        summary = folder / "texts" / f"{name}.md"
        if summary.is_file():
            parts.append(summary_html(summary.read_text(encoding="utf-8")))
    parts.append(f"<h2>{tr('统计表')}</h2>")
    if (folder / "bulletin.pdf").is_file():
        parts.append(f'<p><a href="bulletin.pdf">{tr("公报全文（PDF，bulletin.pdf）")}</a></p>')
    if (folder / "tables.xlsx").is_file():
        parts.append(f'<p><a href="tables.xlsx">{tr("全部统计表（Excel，tables.xlsx）")}</a></p>')
    catalogue = table_catalogue(folder / "tables", sections)
    head = "<table><thead><tr>" + "".join(f"<th>{tr(h)}</th>" for h in ("表号", "标题", "单位", "文件（CSV）"))
    head += "</tr></thead><tbody>"
    section = None
    national_sections = {str(s.get("name")) for s in sections or [] if s.get("national")}
    grouped = False
    for entry in catalogue:
        if entry["section"] != section or section is None:
            if section is not None:
                parts.append("</tbody></table>")
            section = entry["section"]
            if entry.get("section_name") in national_sections and not grouped:  # as the pages above and the PDF
                parts += [
                    f'<h3 class="tables-group">{e(tr(NATIONAL_GROUP[0]))}</h3>',
                    f'<p class="meta">{e(tr(NATIONAL_GROUP[1]))}</p>',
                ]
                grouped = True
            if section:
                parts.append(f'<h3 class="tables-section">{e(section)}</h3>')
            parts.append(head)
        csv = f"tables/{entry['name']}.csv"
        parts.append(
            f'<tr><td>{e(entry["number"])}</td><td><a href="{e(csv)}">{e(entry["title"])}</a></td>'
            f'<td>{e(entry["unit"])}</td><td><a href="{e(csv)}">{e(entry["name"])}.csv</a></td></tr>'
        )
    if catalogue:
        parts.append("</tbody></table>")
    else:
        parts.append(f"<p>{tr('本次运行没有生成统计表。')}</p>")
    parts += _figure_section(folder)
    parts.append(f"<h2>{tr('运行记录')}</h2>")
    parts.append(f'<p><a href="manifest.json">manifest.json</a>{tr("（参数、输入文件校验值、软件版本）")}</p>')
    page = (
        f"<!DOCTYPE html>\n<html lang=\"{html_lang()}\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{e(title)}</title>\n<style>{_INDEX_CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(parts)
        + f"\n<footer>{tr('由 ipstats 生成。')}</footer>\n</main>\n</body>\n</html>\n"
    )
    target = folder / "index.html"
    target.write_text(page, encoding="utf-8")
    return target
