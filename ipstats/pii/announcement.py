"""The yearly announcement of patent-intensive industries' value added (专利密集型产业增加值数据公告), generated.

The text follows the structure of the joint NBS–CNIPA releases: headline (level, nominal growth, gap to GDP
growth, share of GDP and its change), internal structure (the largest category, the second and third, the
smallest), growth (the fastest, the others, any decline — with the two-year average when the previous year's
growth was unusual), the table with its notes, and an annex (definition, classification, method).
Every number in it is taken from a :class:`ipstats.pii.value_added.YearView`; nothing is typed in.
"""
from __future__ import annotations

import math

import pandas as pd

from ipstats import reference
from ipstats.pii.value_added import TOTAL_CODE, VALUE, YearView

__all__ = ["announcement", "announcement_table", "chinese_number", "format_level"]

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """A small count in Chinese numerals (七, 十二, 三十一) for 0 ≤ n < 100."""
    if not 0 <= n < 100:
        raise ValueError(f"chinese_number handles 0–99, got {n}")
    tens, ones = divmod(int(n), 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def format_level(value: float) -> str:
    """A level in 亿元 as printed: ``153176`` or ``114630.7`` (decimals only where the input has them)."""
    rounded = round(float(value), 1)
    return f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.1f}"


def _pct(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def _headline(view: YearView) -> str:
    h, year = view.headline, view.year
    parts = [f"{year}年全国专利密集型产业增加值为{format_level(h['total'])}亿元"]
    if not math.isnan(h["growth_pct"]):
        parts.append(f"比上年增长{_pct(h['growth_pct'])}%（现价，未扣除价格因素）" if h["growth_pct"] >= 0
                     else f"比上年下降{_pct(-h['growth_pct'])}%（现价，未扣除价格因素）")
        if not math.isnan(h["gap_pp"]) and h["gap_pp"] != 0:
            word = "高于" if h["gap_pp"] > 0 else "低于"
            parts.append(f"{word}同期国内生产总值（GDP）现价增速{_pct(abs(h['gap_pp']))}个百分点")
    if not math.isnan(h["share_of_gdp_pct"]):
        share = f"占GDP的比重为{_pct(h['share_of_gdp_pct'], 2)}%"
        if not math.isnan(h["change_pp"]):
            basis = f"（上年按{h['basis']}口径修订）" if h["basis_changed"] and h["basis"] else ""
            word = "提高" if h["change_pp"] > 0 else "降低" if h["change_pp"] < 0 else "持平"
            share += (f"，比上年{basis}持平" if word == "持平"
                      else f"，比上年{basis}{word}{_pct(abs(h['change_pp']), 2)}个百分点")
        parts.append(share)
    text = "，".join(parts) + "。"
    if h["basis_changed"]:
        text += f"{year}年数据按{h['basis']}口径核算，上年未发布可比口径的增加值，故不计算增长速度。"
    return text


def _structure(view: YearView) -> str:
    cats = view.table[view.table["category_code"] != TOTAL_CODE].sort_values(VALUE, ascending=False)
    if len(cats) < 4:
        return ""
    n = chinese_number(len(cats))
    first, second, third, last = cats.iloc[0], cats.iloc[1], cats.iloc[2], cats.iloc[-1]
    return (f"从专利密集型产业内部结构看，{first['category_name']}增加值为{format_level(first[VALUE])}亿元，"
            f"居{n}大产业之首，占专利密集型产业增加值的比重为{_pct(first['share_pct'])}%；"
            f"{second['category_name']}和{third['category_name']}增加值分别为{format_level(second[VALUE])}亿元和"
            f"{format_level(third[VALUE])}亿元，占比分别为{_pct(second['share_pct'])}%和{_pct(third['share_pct'])}%；"
            f"{last['category_name']}增加值最小，为{format_level(last[VALUE])}亿元，占比{_pct(last['share_pct'])}%。")


def _growth(view: YearView, unusual_gap_pp: float) -> str:
    cats = view.table[(view.table["category_code"] != TOTAL_CODE) & view.table["growth_pct"].notna()]
    if cats.empty:
        return ""
    cats = cats.assign(printed=cats["growth_pct"].round(1)).sort_values("printed", ascending=False)
    rising, falling = cats[cats["printed"] > 0], cats[cats["printed"] < 0]
    sentences = []
    if not rising.empty:
        top = rising.iloc[0]
        sentences.append(f"从增长速度看，{top['category_name']}增加值增长最快，比上年增长{_pct(top['printed'])}%")
        rest = rising.iloc[1:]
        if len(rest):   # one clause each: names such as 研发、设计和技术服务业 hold 、 themselves
            sentences.append("，".join(f"{r.category_name}增长{_pct(r.printed)}%" for r in rest.itertuples()))
    total_prev = view.table.set_index("category_code").at[TOTAL_CODE, "previous_growth_pct"]
    for row in falling.itertuples():
        clause = f"{row.category_name}增加值比上年下降{_pct(-row.printed)}%"
        unusual = (not math.isnan(row.previous_growth_pct) and not math.isnan(total_prev)
                   and abs(round(row.previous_growth_pct, 1) - round(total_prev, 1)) >= unusual_gap_pp)
        if unusual and not math.isnan(row.two_year_growth_pct):
            clause += (f"，主要是上年基数较高（上年增长{_pct(row.previous_growth_pct)}%），"
                       f"两年平均增长{_pct(row.two_year_growth_pct)}%")
        sentences.append(clause if sentences else "从增长速度看，" + clause)
    return "；".join(sentences) + "。"


def announcement_table(view: YearView) -> pd.DataFrame:
    """The announcement's table: category, value added (亿元), growth (%), structure (%), status of the level."""
    printed = view.printed()
    return pd.DataFrame({"category_name": printed["category_name"], "value_added_100m_yuan": printed[VALUE],
                         "growth_pct": printed["growth_pct"], "share_pct": printed["share_pct"],
                         "value_status": printed["value_status"]})


def _markdown_table(view: YearView) -> str:
    lines = ["| 产业类别 | 增加值（亿元） | 比上年增长（%） | 构成（%） |", "|---|---:|---:|---:|"]
    for row in announcement_table(view).itertuples():
        mark = "*" if row.value_status == "derived" else ""
        growth = "—" if pd.isna(row.growth_pct) else _pct(row.growth_pct)
        lines.append(f"| {row.category_name} | {format_level(row.value_added_100m_yuan)}{mark} | {growth} | "
                     f"{_pct(row.share_pct)} |")
    return "\n".join(lines)


def announcement(view: YearView, classification: str | None = None, unusual_gap_pp: float = 10.0,
                 title: bool = True) -> str:
    """The Chinese announcement of *view*'s year, as Markdown.

    Parameters
    ----------
    view : YearView
        From :func:`ipstats.pii.value_added.compile_year`.
    classification : str, optional
        Name of the statistical classification; default from the reference catalogue
        (《知识产权（专利）密集型产业统计分类（2019）》).
    unusual_gap_pp : float
        A declining category's previous-year growth that differs from the total's by at least this many
        percentage points marks an unusual base: the two-year average growth is then given.
    title : bool
        Start with a level-2 heading.

    Returns
    -------
    str
    """
    if classification is None:
        classification = reference.catalogue_entry("pii_value_added")["classification"]
    cats = view.table[view.table["category_code"] != TOTAL_CODE]
    table = announcement_table(view)
    notes = ["增加值按现价计算，增长速度未扣除价格因素。", "由于四舍五入，分项之和与合计、构成之和与100%可能存在微小差异。"]
    if (table["value_status"] == "derived").any():
        notes.append("带*的增加值为根据公告推算的数值（derived），非直接公布值。")
    status = view.headline["gdp_status"]
    if status and status != "official":
        notes.append(f"GDP数据状态：{status}（未经核实，发布前须与国家统计局公布数据核对）。")
    if view.sources:
        notes.append("资料来源：" + "；".join(view.sources) + "。")
    parts = [f"## {view.year}年全国专利密集型产业增加值数据公告（生成稿）"] if title else []
    parts += [p for p in (_headline(view), _structure(view), _growth(view, unusual_gap_pp)) if p]
    parts.append(f"**{view.year}年全国专利密集型产业增加值**\n\n" + _markdown_table(view))
    parts.append("注：" + " ".join(f"（{i}）{n}" for i, n in enumerate(notes, start=1)))
    parts.append("**附注**\n\n"
                 "1. 指标解释：专利密集型产业是指发明专利密集度、规模达到规定标准，依靠知识产权参与市场竞争，"
                 "符合创新发展导向的产业集合。\n"
                 f"2. 统计范围：依据{classification}，包括{'、'.join(cats['category_name'])}"
                 f"共{chinese_number(len(cats))}大类。\n"
                 "3. 核算方法：专利密集型产业增加值按收入法核算，为现价增加值；占GDP比重的变化为本年与上年"
                 "（同一核算口径）比重之差，单位为百分点。")
    return "\n\n".join(parts) + "\n"
