"""How notebooks show tables: Chinese column labels, thousands separators, no index, '—' for undefined values."""
from __future__ import annotations

import html

import pandas as pd
from pandas.io.formats.style import Styler

__all__ = ["LABELS", "MEASURE_LABELS", "SUPPRESSED", "show_table", "with_labels"]

#: How a suppressed or undefined cell is shown in every published table (HTML, CSV, Excel).
SUPPRESSED = "—"

#: Chinese column labels of the publication tables.
LABELS = {
    "patent_type": "专利类型", "applications": "申请量", "applications_growth_pct": "申请量增长(%)",
    "grants": "授权量", "grants_growth_pct": "授权量增长(%)", "valid_stock": "年末有效量",
    "valid_stock_growth_pct": "有效量增长(%)", "province_code": "省份代码", "province": "省份",
    "region_zh": "地区", "scope": "统计范围",
    "origin_code": "国别/地区代码", "origin": "国别/地区", "invention_applications": "发明专利申请量", "invention_grants": "发明专利授权量",
    "valid_invention_patents": "有效发明专利", "valid_invention_growth_pct": "有效发明专利增长(%)",
    "population_10k": "人口(万人)", "per_10k": "每万人口发明专利拥有量",
    "per_10k_previous": "上年每万人口发明专利拥有量", "rank": "位次", "measure": "指标", "year": "年份",
    "category": "类别代码", "category_name": "类别名称", "count": "件数（整数计数）", "fractional": "件数（分数计数）",
    "fractional_growth_pct": "增长(%)", "share_pct": "结构(%)", "system": "分类体系", "edition": "版本",
    "patents": "专利件数", "matched_patents": "匹配专利件数", "matched_patents_pct": "专利覆盖率(%)",
    "ipc_occurrences": "分类号出现次数", "matched_occurrences": "匹配次数", "matched_occurrences_pct": "分类号覆盖率(%)",
    "distinct_codes": "不同分类号数", "matched_codes": "匹配分类号数", "ipc": "分类号", "n": "出现次数",
    "status": "分类号状态", "title_zh": "中文名称", "title_en": "英文名称",
    # monitoring of a classification system (ipstats.indicators.monitoring)
    "applications_fractional": "申请量（分数计数）", "applications_share_pct": "占全部申请(%)",
    "applications_cagr_pct": "申请量年均增长(%)", "applications_candidate": "申请量（部分涉及）",
    "grants_fractional": "授权量（分数计数）", "grants_share_pct": "占全部授权(%)", "grants_candidate": "授权量（部分涉及）",
    "valid_stock_fractional": "有效量（分数计数）", "valid_stock_share_pct": "占全部有效量(%)",
    "valid_stock_candidate": "有效量（部分涉及）", "all_patents": "全部专利件数", "share_of_all_pct": "占全部专利(%)", "growth_pct": "增长(%)",
    "rank_change": "位次变化", "rta": "显示性技术优势指数(RTA)", "rta_note": "RTA说明", "applicant_type": "申请人类型",
    "applicant_name": "申请人", "applicants": "申请人数", "top4_share_pct": "前4位集中度(%)",
    "top10_share_pct": "前10位集中度(%)", "hhi": "赫芬达尔指数(HHI)", "level": "层级", "month": "月份",
    "observed": "原始值", "adjusted": "季节调整后", "trend": "趋势", "seasonal": "季节因素", "remainder": "不规则因素",
}
#: Chinese names of the measures.
MEASURE_LABELS = {"applications": "申请量", "grants": "授权量", "valid_stock": "年末有效量"}
_NOT_GROUPED = {"year", "rank"}


def with_labels(table: pd.DataFrame) -> pd.DataFrame:
    """Rename columns (and measure names) to their Chinese labels; unknown columns keep their names."""
    out = table.copy()
    if "measure" in out.columns:
        out["measure"] = out["measure"].map(MEASURE_LABELS).fillna(out["measure"])
    return out.rename(columns=LABELS)


def show_table(table: pd.DataFrame, digits: int = 2, notes: tuple[str, ...] | list[str] = ()) -> Styler:
    """A styled table for notebooks and the HTML bulletin.

    Integers get thousands separators, floats *digits* decimals (a value that rounds to zero shows as
    ``0.00``, never ``-0.00``), undefined or suppressed values show as ``—``; years and ranks are left
    ungrouped; the index is hidden; *notes* are printed under the table. Every text — cells, column labels
    and notes — is HTML-escaped: names from the data (applicants, categories of a user's rules) are shown
    as text, never run as markup.
    """
    labelled = with_labels(table)
    numeric = [LABELS.get(c, c) for c in table.columns
               if pd.api.types.is_numeric_dtype(table[c]) and c not in _NOT_GROUPED]
    floats = [LABELS.get(c, c) for c in table.columns if pd.api.types.is_float_dtype(table[c])]
    for column in floats:
        labelled[column] = labelled[column].round(digits) + 0.0          # -0.0 + 0.0 is 0.0
    ints = [c for c in numeric if c not in floats]
    styler = labelled.style.hide(axis="index").format(na_rep=SUPPRESSED, escape="html")
    styler = styler.format_index(escape="html", axis=1)
    styler = styler.format(precision=digits, thousands=",", na_rep=SUPPRESSED, subset=floats, escape="html")
    styler = styler.format(thousands=",", na_rep=SUPPRESSED, subset=ints, escape="html")
    if notes:
        caption = "<br>".join(f"注：{html.escape(str(note))}" for note in notes)
        styler = styler.set_caption(caption).set_table_styles(
            [{"selector": "caption", "props": "caption-side: bottom; text-align: left; font-size: 0.9em; color: #555;"}])
    return styler.set_table_attributes('class="ipstats-table"')
