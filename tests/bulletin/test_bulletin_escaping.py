"""A register full of payloads through the bulletin: nothing runs in the browser, nothing runs in a spreadsheet.

Applicant names of the session's small demo register, the category names of a user rules CSV (given as
``system:``), the monitoring label and the bulletin title carry HTML/script payloads and spreadsheet formulas.
One monitoring section is run; then every HTML page is opened in headless Chromium (network blocked) — no
dialog, no injected element, the payloads shown as text — every CSV cell is checked for a raw formula start and
``tables.xlsx`` for formula cells. ``ipstats classify`` output gets the same CSV check.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest
import yaml

from ipstats.cells import FORMULA_START
from ipstats.cli import main

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "tests" / "classify" / "data" / "user_digital_core_2023.csv"
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

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"
SVG = '"><svg onload=alert(3)>'
LINK = '<a href="https://evil.example/">链接</a><b>粗</b>'
MARKDOWN = "[点我](https://evil.example/md)![](https://evil.example/t.png)"  # a link and a remote picture
HTML_PAYLOADS = (IMG, SCRIPT, SVG, LINK, MARKDOWN)
FORMULAS = ('=HYPERLINK("https://evil.example/","点我")', "+1+1", "-1+cmd|' /C calc'!A0", "@SUM(1,2)")
# category names of the user rules: one HTML payload and one formula each
CATEGORY_NAMES = [
    f"{IMG}数字产品制造业",
    '=HYPERLINK("https://evil.example/","计算机制造")',
    f"{LINK}通讯设备",
    "@SUM(1,2)数字技术应用业",
]
LABEL = f"{SVG}</script><script>alert(5)</script>{MARKDOWN}数字核心"  # headings, chart titles, text
TITLE = f"{SCRIPT}专利统计公报（注入测试）"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _payload_register(small_demo: dict, folder: Path) -> Path:
    """The small demo register with the applicants' names replaced by payloads (the IPC links file beside it)."""
    folder.mkdir(parents=True)
    for path in small_demo.values():
        if Path(path).is_file():
            (folder / Path(path).name).write_bytes(Path(path).read_bytes())
    register = pd.read_parquet(folder / "register.parquet")
    named = register["applicant_type"] != "个人"  # natural persons are never named
    # a few applicants, each holding many patents, so that they are ranked and named
    payloads = [f"{p}测试公司" for p in HTML_PAYLOADS + FORMULAS[1:]] + [
        '=HYPERLINK("https://evil.example/","测试公司")'
    ]
    names = sorted(register.loc[named, "applicant_name"].unique())
    mapping = {name: payloads[i % len(payloads)] for i, name in enumerate(names)}
    register.loc[named, "applicant_name"] = register.loc[named, "applicant_name"].map(mapping)
    register.to_parquet(folder / "register.parquet", index=False)
    return folder / "register.parquet"


def _payload_rules(folder: Path) -> Path:
    """The user rules CSV of the classify tests with payload category names and patterns wide enough that most
    patents fall in a category (so the payload applicants are ranked and named)."""
    rules = pd.read_csv(RULES, dtype=str, keep_default_na=False)
    rules["category_name_zh"] = CATEGORY_NAMES[: len(rules)]
    rules["ipc_patterns"] = ["A*;B*;C*", "G*", "H*", "D*;E*;F*"][: len(rules)]
    rules[["ipc_exclusions", "keywords", "keyword_exclusions"]] = ""
    path = folder / "payload_rules.csv"
    rules.to_csv(path, index=False, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def payload_bulletin(small_demo, tmp_path_factory):
    """One monitoring section of a payload register, run as users run the bulletin."""
    base = tmp_path_factory.mktemp("payloads")
    register = _payload_register(small_demo, base / "data")
    rules = _payload_rules(base)
    params = {
        "title": TITLE,
        "year": 2023,
        "region": "national",
        "output": "out",
        "notebook_dir": str(ROOT / "notebooks"),
        "execution_timeout": 600,
        "inputs": {"register": str(register)},
        "notebooks": [
            {
                "name": "20_domain_monitoring",
                "id": "20_monitoring_payload",
                "parameters": {"system": str(rules), "label": LABEL, "demo_patents": 0},
            }
        ],
    }
    path = base / "params.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = base / "bulletin"
    assert main(["bulletin", str(path), "--out", str(out)]) == 0
    return out


def _csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def test_csv_cells_never_start_a_formula(payload_bulletin):
    cells = {p.name: _csv_cells(p) for p in sorted((payload_bulletin / "tables").glob("*.csv"))}
    raw = [(name, c) for name, row in cells.items() for c in row if c[:1] in FORMULA_START and not _is_number(c)]
    assert not raw, f"cells a spreadsheet would run as formulas: {raw[:5]}"
    every = [c for row in cells.values() for c in row]
    # the payloads reached the tables, guarded with an apostrophe
    assert any(c.startswith("'=HYPERLINK(") for c in every)
    assert any(c.startswith("'@SUM(1,2)") for c in every)
    assert any(c.startswith("'+1+1") for c in every) and any(c.startswith("'-1+cmd|") for c in every)  # applicants
    # negative numbers stay numbers (growth rates), and the guarded cells are quoted in the file
    assert any(c.startswith("-") and _is_number(c) for c in every)
    text = "".join(p.read_text(encoding="utf-8-sig") for p in (payload_bulletin / "tables").glob("*.csv"))
    assert "\"'=HYPERLINK(" in text


def test_workbook_has_no_formula_cells(payload_bulletin):
    book = openpyxl.load_workbook(payload_bulletin / "tables.xlsx")
    formulas = [
        (ws.title, c.coordinate, c.value) for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]
    assert not formulas, formulas[:5]
    cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    # the original text, as a string cell; numbers as numbers (negative ones included)
    assert any(c.data_type == "s" and str(c.value).startswith('=HYPERLINK("https://evil.example/') for c in cells)
    assert any(c.data_type == "s" and str(c.value).startswith("@SUM(1,2)") for c in cells)
    assert any(c.data_type == "n" and isinstance(c.value, (int, float)) and c.value < 0 for c in cells)


# every element the payloads could inject, and any on* attribute anywhere in the page
INJECTED = """() => ({
  img: document.querySelectorAll('img[src="x"]').length,
  svg_onload: document.querySelectorAll('svg[onload]').length,
  scripts: [...document.scripts].filter(s => /^\\s*alert\\(/.test(s.textContent)).length,
  remote_img: document.querySelectorAll('img[src*="evil.example"]').length,
  links: [...document.querySelectorAll('a')].filter(a => /evil\\.example/.test(
      (a.getAttribute('href') || '') + (a.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || ''))).length,
  handlers: [...document.querySelectorAll('*')].flatMap(el => [...el.attributes].filter(a => /^on/i.test(a.name))
      .map(a => el.tagName + ' ' + a.name)),
  bold_from_data: [...document.querySelectorAll('b, tspan[style*="bold"]')].filter(b => b.textContent === '粗').length,
})"""
HOVER = """() => [...document.querySelectorAll('.ipstats-figure .js-plotly-plot')].forEach(gd => {
  if (gd.data && gd.data.length) { Plotly.Fx.hover(gd, [{curveNumber: 0, pointNumber: 0}]); }
})"""


@pytest.mark.skipif(not CHROMIUM.is_file(), reason="Debian chromium (/usr/bin/chromium) is not installed")
def test_pages_show_payloads_as_text(payload_bulletin):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    manifest = json.loads((payload_bulletin / "manifest.json").read_text(encoding="utf-8"))
    pages = ["index.html", *[p["page"] for p in manifest["pages"]]]
    assert len(pages) == 2
    problems, seen = [], ""
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            for name in pages:
                context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
                page = context.new_page()
                dialogs: list[str] = []
                foreign: list[str] = []
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                page.on(
                    "request",
                    lambda r: (
                        None if r.url.startswith(("file:", "data:", "blob:", "about:")) else foreign.append(r.url)
                    ),
                )
                page.goto((payload_bulletin / name).as_uri(), wait_until="load")
                charts = page.locator(".ipstats-figure").count()
                if charts:
                    page.wait_for_function(
                        f"document.querySelectorAll('.ipstats-figure .main-svg').length >= {charts}", timeout=30_000
                    )
                    page.evaluate(HOVER)  # hover labels drawn with the data's text
                page.wait_for_timeout(300)
                found = page.evaluate(INJECTED)
                if dialogs:
                    problems.append(f"{name}: dialogs fired: {dialogs}")
                if foreign:
                    problems.append(f"{name}: requests left file://: {foreign}")
                problems += [f"{name}: {key} = {value}" for key, value in found.items() if value]
                text = page.locator("body").inner_text()
                chart_text = " ".join(
                    page.eval_on_selector_all(".ipstats-figure svg text", "els => els.map(e => e.textContent)")
                )
                seen += text + chart_text
                if name == "index.html" and TITLE not in text:
                    problems.append(f"{name}: the title is not shown as text")
                if name != "index.html":
                    for payload in (IMG, LINK, SVG):
                        if payload not in text:
                            problems.append(f"{name}: {payload!r} not shown as text")
                    if IMG not in chart_text:
                        problems.append(f"{name}: chart labels do not show {IMG!r} as text")
                context.close()
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
    assert '=HYPERLINK("https://evil.example/' in seen and SCRIPT in seen


def test_static_figures_draw_payloads_as_text(payload_bulletin):
    svgs = sorted((payload_bulletin / "figures").glob("*.svg"))
    if not svgs:
        pytest.skip("no static figures here (kaleido or Chromium missing)")
    text = "".join(p.read_text(encoding="utf-8") for p in svgs)
    assert re.search(r"(&lt;|&#60;)img src=x onerror=alert\(1\)(&gt;|&#62;)", text)  # drawn as text
    for path in svgs:
        for element in ElementTree.parse(path).iter():
            tag = element.tag.rsplit("}", 1)[-1]
            assert tag not in ("img", "script", "foreignObject"), (path.name, tag)
            bad = {k: v for k, v in element.attrib.items() if "evil.example" in v or k.lower().startswith("on")}
            assert not bad, (path.name, tag, bad)


def test_classify_output_guards_formulas(tmp_path):
    rules = _payload_rules(tmp_path)
    source = tmp_path / "patents.csv"
    source.write_text("patent_id,ipc\n=1+1,H05K1/02\nP2,G06F3/01\n-3,H04B7/00\nP4,G06Q10/00\n", encoding="utf-8")
    out = tmp_path / "classified.csv"
    assert main(["classify", str(source), "--system", str(rules), "--output", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline="")))
    assert rows, "nothing classified"
    raw = [c for row in rows for c in row.values() if c[:1] in FORMULA_START and not _is_number(c)]
    assert not raw, raw
    assert {"'=1+1", "-3"} <= {row["patent_id"] for row in rows}
    assert any(row["category_name"].startswith("'=HYPERLINK(") for row in rows)
    assert all(_is_number(row["weight"]) for row in rows)
