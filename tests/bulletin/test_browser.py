"""The CI bulletin as a reader sees it: headless Chromium with no network opens every page.

Data-driven from ``manifest.json``: every page it lists must draw the charts it lists (plotly's SVG layers,
as many traces as recorded, marks drawn, the Chinese title as text), with no console error and no request
leaving ``file://``. Screenshots are written next to the bulletin (path printed) for a person to look at.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest


CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--proxy-server=127.0.0.1:9",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
CJK = re.compile(r"[\u4e00-\u9fff]")
LOCAL = ("file://", "data:", "blob:", "about:")

pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(), reason="Debian chromium (/usr/bin/chromium) is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

# per chart: plotly's layers, trace groups, drawn marks (bars, lines, markers) and the title text
CHART_STATE = """el => ({
  svg: el.querySelectorAll('.main-svg').length,
  traces: el.querySelectorAll('.trace, .sankey').length,
  marks: el.querySelectorAll('.trace .point, .trace .js-line, .sankey .sankey-link').length,
  title: (el.querySelector('.gtitle') || {}).textContent || '',
  width: el.getBoundingClientRect().width,
  height: el.getBoundingClientRect().height
})"""


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def manifest(ci_bulletin):
    out, _ = ci_bulletin
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def screenshots(ci_bulletin):
    folder = ci_bulletin[0].parent / "screenshots"
    folder.mkdir(exist_ok=True)
    print(f"screenshots in {folder}")
    return folder


def _open(browser, path: Path, screenshot: Path | None, expected_charts: int):
    """Open *path*, wait for its charts, take a screenshot; return the page, console errors and foreign requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    foreign: list[str] = []
    page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
    page.on("request", lambda req: None if req.url.startswith(LOCAL) else foreign.append(req.url))
    page.goto(path.as_uri(), wait_until="load")
    if expected_charts:
        page.wait_for_function(
            f"document.querySelectorAll('.ipstats-figure .main-svg').length >= {expected_charts}", timeout=30_000
        )
    page.wait_for_timeout(300)  # let plotly finish its transitions
    if screenshot is not None:
        page.screenshot(path=str(screenshot), full_page=True)
    return context, page, errors, foreign


def test_manifest_lists_every_page_and_chart(manifest):
    run = [n["name"] for n in manifest["notebooks"] if n["status"] == "ok"]
    assert [p["notebook"] for p in manifest["pages"]] == run
    assert sum(len(p["charts"]) for p in manifest["pages"]) > 0
    recorded = {Path(f).stem for f in manifest["figures"]}
    shown = {c["figure"] for p in manifest["pages"] for c in p["charts"]}
    assert recorded <= shown, f"recorded figures never shown on a page: {sorted(recorded - shown)}"


def test_no_published_chart_is_empty(manifest):
    """A chart whose every trace lacks data shows readers an empty frame: leave it out, or say why in text."""
    empty = [
        f"{p['page']}: {c['figure'] or c['title']}" for p in manifest["pages"] for c in p["charts"] if c["traces"] == 0
    ]
    assert not empty, "charts with nothing to draw: " + "; ".join(empty)


def test_every_page_draws_its_charts_offline(ci_bulletin, manifest, browser, screenshots):
    out, _ = ci_bulletin
    problems = []
    for entry in manifest["pages"]:
        charts = entry["charts"]
        context, page, errors, foreign = _open(
            browser, out / entry["page"], screenshots / f"{entry['notebook']}.png", len(charts)
        )
        try:
            problems += [f"{entry['page']}: {e}" for e in errors]
            problems += [f"{entry['page']}: request left file://: {url}" for url in foreign]
            figures = page.locator(".ipstats-figure")
            if figures.count() != len(charts):
                problems.append(f"{entry['page']}: {figures.count()} charts on the page, manifest lists {len(charts)}")
                continue
            for i, chart in enumerate(charts):
                element = figures.nth(i)
                name = element.get_attribute("data-figure")
                state = element.evaluate(CHART_STATE)
                where = f"{entry['page']} chart {i + 1} ({chart['figure'] or 'not recorded'})"
                element.screenshot(path=str(screenshots / f"{entry['notebook']}-chart{i + 1}.png"))
                if name != chart["figure"]:
                    problems.append(f"{where}: page shows figure {name!r}")
                if state["svg"] < 1 or state["width"] < 100 or state["height"] < 100:
                    problems.append(f"{where}: not drawn ({state})")
                if state["traces"] < chart["traces"] or (chart["traces"] and state["marks"] == 0):
                    problems.append(
                        f"{where}: {state['traces']} traces and {state['marks']} marks drawn, "
                        f"expected {chart['traces']} traces with marks"
                    )
                if state["title"].strip() != chart["title"].strip() or not CJK.search(state["title"]):
                    problems.append(f"{where}: title drawn as {state['title']!r}, expected {chart['title']!r}")
            heading = page.locator("h1").first.inner_text()
            if not CJK.search(heading):
                problems.append(f"{entry['page']}: heading {heading!r} is not Chinese")
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def test_index_links_every_page_and_renders_chinese(ci_bulletin, manifest, browser, screenshots):
    out, _ = ci_bulletin
    context, page, errors, foreign = _open(browser, out / "index.html", screenshots / "index.png", 0)
    try:
        assert not errors and not foreign, errors + foreign
        assert page.locator("h1").inner_text() == manifest["title"]
        text = page.locator("main").inner_text()
        assert "**" not in text and "\n## " not in text and "|---" not in text, "summaries shown as raw Markdown"
        links = page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")
        texts = [page.locator(f'a[href="{entry["page"]}"]').first.inner_text() for entry in manifest["pages"]]
        assert len(set(texts)) == len(texts), f"pages share a link text: {texts}"
        for entry in manifest["pages"]:
            assert entry["page"] in links
            # the link text is the page's Chinese title
            assert CJK.search(page.locator(f'a[href="{entry["page"]}"]').first.inner_text())
        # the Chinese text is drawn with a CJK font, not as boxes: ask Chromium which fonts it used
        cdp = context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        assert any("CJK" in f["familyName"] or "Han" in f["familyName"] or "Hei" in f["familyName"] for f in fonts), (
            fonts
        )
    finally:
        context.close()


def test_chart_titles_use_a_cjk_font(ci_bulletin, manifest, browser):
    """The first charted page: Chromium draws the chart title, heading and text with the CJK font (no tofu)."""
    out, _ = ci_bulletin
    entry = next((p for p in manifest["pages"] if p["charts"]), None)
    if entry is None:
        pytest.skip("the CI bulletin has no charts")
    context, page, _, _ = _open(browser, out / entry["page"], None, len(entry["charts"]))
    try:
        cdp = context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        for selector in (".ipstats-figure .gtitle", "h1", ".jp-RenderedMarkdown p"):
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            # Latin letters too: the page's font list (ipstats.figures.FONT_FAMILY) wins over the notebook theme's
            # (inline code in a paragraph keeps its monospace font)
            assert fonts and all("CJK" in f["familyName"] or "Mono" in f["familyName"] for f in fonts), (
                selector,
                fonts,
            )
            assert "CJK" in max(fonts, key=lambda f: f["glyphCount"])["familyName"], (selector, fonts)
    finally:
        context.close()
