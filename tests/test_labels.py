"""One labels table and one set of table symbols (ipstats.labels)."""

from __future__ import annotations

import pytest

from ipstats.labels import SYMBOLS, symbol_legend


def test_symbols_have_one_mark_per_meaning():
    marks = [s["mark"] for s in SYMBOLS.values()]
    assert set(SYMBOLS) == {"suppressed", "not_applicable", "no_data"}
    assert len(set(marks)) == len(marks)
    assert SYMBOLS["suppressed"]["mark"] == "×" and SYMBOLS["not_applicable"]["mark"] == "—"
    assert SYMBOLS["no_data"]["mark"] == "…"
    assert all(s["zh"] and s["en"] for s in SYMBOLS.values())


def test_legend_names_only_the_symbols_used_in_a_fixed_order():
    assert symbol_legend(["not_applicable", "suppressed"]) == "“×”表示涉及保密不予公布；“—”表示不适用。"
    assert symbol_legend(["—"]) == "“—”表示不适用。"
    assert "×" not in symbol_legend(["no_data"]) and "…" in symbol_legend(["no_data"])
    assert symbol_legend([]) == ""
    assert symbol_legend(("suppressed", "×"), lang="en") == '"×" means suppressed for confidentiality.'


def test_legend_rejects_unknown_symbols_and_languages():
    with pytest.raises(ValueError, match="unknown table symbol"):
        symbol_legend(["#"])
    with pytest.raises(ValueError, match="unknown language"):
        symbol_legend(["suppressed"], lang="fr")


# ---------------------------------------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------------------------------------
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ipstats import reference  # noqa: E402
from ipstats.labels import (  # noqa: E402
    cell_symbols,
    label,
    label_table,
    labels,
    mark_cells,
    suppressed_cells,
    unit,
    with_labels,
    with_legend,
)

PACKAGE = Path(__file__).resolve().parents[1] / "ipstats"


def test_one_row_per_key_with_both_languages_and_one_bracket_style():
    table = label_table()
    assert table["key"].is_unique and len(table) > 300
    assert (table["zh"] != "").all() and (table["en"] != "").all()
    assert not table["zh"].str.contains(r"[()]").any()  # full-width brackets only
    assert "labels" in set(reference.catalogue()["name"])  # catalogued, hashed


def test_the_unified_labels_have_the_official_wording():
    assert label("share_pct") == "构成（%）" and label("share_pct", "en") == "Composition (%)"
    assert label("growth_pct") == "比上年增长（%）" and label("year") == "年份"
    assert unit("share_pct") == "%" and unit("value_added_100m_yuan") == "亿元"
    assert unit("amount_10k_yuan", "en") == "10,000 yuan" and unit("patent_type") == ""
    # one wording in every module that shows the column
    from ipstats.display import LABELS
    from ipstats.indicators.high_value import HV_LABELS
    from ipstats.pii.report import LABELS as PII
    from ipstats.products.report import PRODUCT_LABELS
    from ipstats.transfer.report import TRANSFER_LABELS

    for key in ("share_pct", "growth_pct", "hhi", "top10_share_pct", "year", "valid_stock", "rank_change"):
        wordings = {d[key] for d in (LABELS, HV_LABELS, PII, PRODUCT_LABELS, TRANSFER_LABELS) if key in d}
        assert wordings == {label(key)}, key


def test_a_context_row_wins_only_in_its_context():
    assert label("patents") == "专利件数" and label("patents", context="pii") == "发明专利（分数计数）"
    assert labels(keys=["patents", "share_pct"], context="transfer") == {
        "patents": "专利（件）",
        "share_pct": "构成（%）",
    }
    assert labels(context="measure")["grants"] == "授权量" and "measure:grants" not in labels()
    with pytest.raises(KeyError, match="no label for 'nonexistent_column'"):
        label("nonexistent_column")
    out = with_labels(pd.DataFrame({"measure": ["grants", "x"], "share_pct": [1.0, 2.0], "other": [1, 2]}), "en")
    assert list(out.columns) == ["Indicator", "Composition (%)", "other"] and out["Indicator"].tolist() == [
        "Grants",
        "x",
    ]


_LITERAL = re.compile(
    r"""["'](share_pct|growth_pct|hhi|top10_share_pct|valid_stock)["']\s*:\s*f?["'][^"']*"""
    r"""[\u4e00-\u9fff]"""
)


def test_no_module_keeps_its_own_wording():
    """A ``{"share_pct": "结构(%)"}``-style literal anywhere in the package is a second wording of a label."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if _LITERAL.search(code) or "结构(%)" in code or "SUPPRESSED_NOTE" in code:
                found.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_every_machine_named_column_of_the_ci_bulletin_has_both_labels():
    folder = os.environ.get("IPSTATS_CI_BULLETIN")
    if not folder:
        pytest.skip("set IPSTATS_CI_BULLETIN to a built CI bulletin")
    names = label_table()
    zh, en = set(names["zh"]), dict(zip(names["key"], names["en"]))
    missing = []
    for meta_path in sorted((Path(folder) / "tables").glob("*.meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        columns = pd.read_csv(meta_path.with_name(meta["name"] + ".csv"), nrows=0, encoding="utf-8-sig").columns
        for column in columns:
            if re.search(r"[\u4e00-\u9fff]", column):
                continue  # a data value as a column (省份, 发明…) or a label
            if column not in en and not any(k.endswith(f":{column}") for k in en):
                missing.append(f"{meta['name']}: {column}")
    assert not missing, missing
    assert {"分组", "估计值", "标准误"} <= zh  # the survey's Chinese columns are labels too


# ---------------------------------------------------------------------------------------------------------
# Symbols of cells
# ---------------------------------------------------------------------------------------------------------
def _protected():
    table = pd.DataFrame(
        {
            "province_code": ["11", "54", "63"],
            "count": [120, None, 30],
            "share_pct": [80.0, np.nan, 20.0],
            "growth_pct": [5.0, np.nan, np.nan],
        }
    )
    return table, {"suppressed": [{"row": "54", "col": "count", "status": "primary"}]}


def test_suppressed_cells_are_the_recorded_rows_other_missing_cells_not_applicable():
    table, record = _protected()
    mask = suppressed_cells(table, record)
    assert mask["count"].tolist() == [False, True, False] and mask["growth_pct"].tolist() == [False, True, False]
    symbols = cell_symbols(table, record)
    assert symbols["growth_pct"].tolist() == [None, "suppressed", "not_applicable"]
    assert cell_symbols(table)["count"].tolist() == [None, "not_applicable", None]  # no record: nothing hidden
    # a record whose rows the table does not hold: every missing cell is read as suppressed (the safe reading)
    lost = {"suppressed": [{"row": "99", "col": "count"}]}
    assert cell_symbols(table, lost)["growth_pct"].tolist() == [None, "suppressed", "suppressed"]
    marked = mark_cells(table, record)
    assert marked["count"].tolist() == [120, "×", 30] and marked["growth_pct"].tolist() == [5.0, "×", "—"]


def test_a_legend_in_the_notes_is_replaced_by_the_legend_of_the_marks_shown():
    old = ["人口为年末数。", "“—”表示经统计数据保密处理不予公布。"]
    assert with_legend(old, {"suppressed"}) == ["人口为年末数。", "“×”表示涉及保密不予公布。"]
    assert with_legend(old, set()) == ["人口为年末数。"]


def test_a_note_that_says_more_than_a_legend_is_kept():
    """“×”表示…，合计为真实值 explains the mark and adds a fact: it stays, and the legend does not repeat ×."""
    from ipstats.labels import is_legend, with_legend

    note = "“×”表示经统计数据保密处理不予公布（申请人过少或由个别申请人主导），合计为真实值。"
    assert not is_legend(note)
    assert is_legend("“—”表示经统计数据保密处理不予公布。") and is_legend("“×”表示涉及保密不予公布；“—”表示不适用。")
    assert with_legend([note, "“—”表示经统计数据保密处理不予公布。"], ["suppressed", "not_applicable"]) == [
        note,
        "“—”表示不适用。",
    ]
