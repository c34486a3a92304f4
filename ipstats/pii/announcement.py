"""The yearly announcement of patent-intensive industries' value added (专利密集型产业增加值数据公告), generated.

The text follows the joint NBS–CNIPA releases of 2019–2023: headline (经核算，level, nominal growth, the gap
to GDP growth where the announcement gave one, share of GDP and its change in points or 与上年持平), internal
structure (the largest category, the second and third, the smallest), growth (the fastest, the second, the
others, any decline with the two-year average where one was published or the base was unusual), the table in
the announcement's category order with its notes, and an annex (definition, classification, method).

Every number is taken from a :class:`ipstats.pii.value_added.YearView`, which holds the published figure where
the series has one; a figure computed because none was published is marked 推算 in the text and ``*`` in the
table, with the footnote of the workbook's ``derived`` flag. Levels are printed with the announcement's own
decimals (2019: 114631 亿元 in the text, 114630.7 in the table). The text states no causes: an
announcement's explanations (防疫产品需求旺盛, 基数过高) are the statisticians' judgement, not a rule.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from ipstats.labels import label
from ipstats import reference
from ipstats.pii.value_added import TOTAL_CODE, VALUE, YearView

__all__ = ["TABLE_TOTAL_NAME", "announcement", "announcement_table", "chinese_number", "format_level"]

_DIGITS = "零一二三四五六七八九"
#: Name of the total row in the announcement's table (分类名称).
TABLE_TOTAL_NAME = "专利密集型产业"
#: Mark of a computed figure in the text (the table marks it ``*``).
_TEXT_MARK = "（推算）"


def _derived_note() -> str:
    """The footnote of the workbook's ``derived`` flag (imported here: ipstats.bulletin is the later stage)."""
    from ipstats.bulletin.tables import FLAGS

    return FLAGS["derived"][2]


def chinese_number(n: int) -> str:
    """A small count in Chinese numerals (七, 十二, 三十一) for 0 ≤ n < 100."""
    if not 0 <= n < 100:
        raise ValueError(f"chinese_number handles 0–99, got {n}")
    tens, ones = divmod(int(n), 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def _fixed(value: float, digits: int) -> str:
    """*value* with *digits* decimals, halves rounded up as statisticians do (23020.5 → 23021, not 23020)."""
    exact = Decimal(repr(round(float(value), 10)))
    return str(exact.quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP))


def format_level(value: float, decimals: int | None = None) -> str:
    """A level in 亿元 as printed: *decimals* places (``114631``), or by default as the input has them
    (``153176``, ``114630.7``).

    Examples
    --------
    >>> format_level(23020.5, 0), format_level(114630.7), format_level(153176.0)
    ('23021', '114630.7', '153176')
    """
    if decimals is not None:
        return _fixed(value, decimals)
    rounded = round(float(value), 1)
    return _fixed(rounded, 0 if rounded == int(rounded) else 1)


def _pct(value: float, digits: int = 1) -> str:
    return _fixed(value, digits)


def _mark(status: str) -> str:
    return _TEXT_MARK if status == "derived" else ""


def _join(names: list[str]) -> str:
    """Names in a list: 甲和乙, 甲、乙和丙; with commas when a name holds 和 or 、 itself."""
    if len(names) == 1:
        return names[0]
    if any("和" in n or "、" in n for n in names):
        return "，".join(names)
    return "、".join(names[:-1]) + "和" + names[-1]


def _values(values: list[str]) -> str:
    return values[0] if len(values) == 1 else "、".join(values[:-1]) + "和" + values[-1]


def _gap_shown(headline: dict, show_gap: str) -> bool:
    return headline["gap_status"] == "published" or (show_gap == "always" and not headline["gap_published"])


def _headline(view: YearView, show_gap: str) -> str:
    h, year = view.headline, view.year
    lead = f"根据{h['basis']}结果，经核算，" if h["basis_changed"] and h["basis"] else "经核算，"
    text = f"{lead}{year}年全国专利密集型产业增加值为{format_level(h['total'], h['value_decimals_text'])}亿元"
    if not math.isnan(h["growth_pct"]):
        word = "增长" if round(h["growth_pct"], 1) >= 0 else "下降"
        text += f"，比上年{word}{_pct(abs(h['growth_pct']))}%{_mark(h['growth_status'])}（未扣除价格因素，下同）"
        gap = h["gap_pp"]
        if _gap_shown(h, show_gap) and not math.isnan(gap) and round(gap, 1) != 0:
            text += (
                f"，比同期国内生产总值（GDP）现价增速{'高' if gap > 0 else '低'}{_pct(abs(gap))}个百分点"
                f"{_mark(h['gap_status'])}"
            )
    if not math.isnan(h["share_of_gdp_pct"]):
        with_growth = not math.isnan(h["growth_pct"])  # 2020–2022: "…（未扣除价格因素，下同）；占GDP的比重"
        separator = "；" if with_growth else "，"
        gdp = "GDP" if with_growth else "国内生产总值（GDP）"
        text += (
            f"{separator}占{gdp}的比重为{_pct(h['share_of_gdp_pct'], h['share_decimals'])}%"
            f"{_mark(h['share_of_gdp_status'])}"
        )
        change = h["change_pp"]
        if not math.isnan(change):
            if h["change_wording"]:
                text += f"，{h['change_wording']}{_mark(h['change_status'])}"
            else:
                text += (
                    f"，比上年{'提高' if change > 0 else '降低'}{_pct(abs(change), h['change_decimals'])}个百分点"
                    f"{_mark(h['change_status'])}"
                )
            if _revised(h):
                text += "[1]"
    return text + "。"


def _revised(headline: dict) -> bool:
    """The change is against a previous-year share revised to the new basis (note [1] of the 2023 text)."""
    return bool(headline["basis_changed"] and headline["basis"] and not math.isnan(headline["change_pp"]))


def _structure(view: YearView, smallest: bool) -> str:
    cats = view.table[view.table["category_code"] != TOTAL_CODE].sort_values(VALUE, ascending=False)
    if len(cats) < 4:
        return ""

    def part(row) -> str:
        return f"增加值为{format_level(row[VALUE], row['value_decimals_text'])}亿元"

    def share(row) -> str:
        return f"{_pct(row['share_pct'])}%{_mark(row['share_status'])}"

    first, second, third, last = cats.iloc[0], cats.iloc[1], cats.iloc[2], cats.iloc[-1]
    text = (
        f"从内部结构看，{first['category_name']}规模最大，{part(first)}，占专利密集型产业增加值的比重为"
        f"{share(first)}；其次是{second['category_name']}，{part(second)}，所占比重为{share(second)}；"
        f"再次是{third['category_name']}，{part(third)}，所占比重为{share(third)}"
    )
    if smallest:
        text += f"；规模最小的是{last['category_name']}，{part(last)}，所占比重为{share(last)}"
    return text + "。"


def _growth(view: YearView, ranks: int, unusual_gap_pp: float) -> str:
    table = view.table
    cats = table[(table["category_code"] != TOTAL_CODE) & table["growth_pct"].notna()]
    if cats.empty:
        return ""
    printed = cats["growth_pct"].map(lambda v: float(_fixed(v, 1)))
    cats = cats.assign(printed=printed).sort_values("printed", ascending=False, kind="stable")
    rising, flat = cats[cats["printed"] > 0], cats[cats["printed"] == 0]
    falling = cats[cats["printed"] < 0].sort_values("printed", kind="stable")

    def rate(row) -> str:
        return f"{_pct(row.printed)}%{_mark(row.growth_status)}"

    sentences = []
    if not rising.empty:
        rows = list(rising.itertuples())
        clauses = [f"{rows[0].category_name}增长最快，增速为{rate(rows[0])}"]
        if len(rows) > 1 and ranks > 1:
            clauses.append(f"其次是{rows[1].category_name}，增速为{rate(rows[1])}")
        rest = rows[2 : max(ranks, 2)]
        if len(rest) == 1:
            clauses.append(f"另外，{rest[0].category_name}增速为{rate(rest[0])}")
        elif rest:
            clauses.append(
                f"另外，{_join([r.category_name for r in rest])}增速分别为{_values([rate(r) for r in rest])}"
            )
        sentences.append("；".join(clauses) + "。")
    total_prev = table.set_index("category_code").at[TOTAL_CODE, "previous_growth_pct"]
    others = []
    for row in falling.itertuples():
        clause = f"{row.category_name}下降{_pct(-row.printed)}%{_mark(row.growth_status)}"
        unusual = (
            not math.isnan(row.previous_growth_pct)
            and not math.isnan(total_prev)
            and abs(round(row.previous_growth_pct, 1) - round(total_prev, 1)) >= unusual_gap_pp
        )
        if not math.isnan(row.two_year_growth_pct) and (row.two_year_status == "published" or unusual):
            clause += (
                f"，与{view.year - 2}年相比两年平均增速为{_pct(row.two_year_growth_pct)}%{_mark(row.two_year_status)}"
            )
        others.append(clause)
    others += [f"{row.category_name}增加值与上年持平{_mark(row.growth_status)}" for row in flat.itertuples()]
    if others:
        sentences.append("；".join(others) + "。")
    return "从增长速度看，" + "".join(sentences)


def announcement_table(view: YearView) -> pd.DataFrame:
    """The announcement's table in its order: category, value added (亿元), growth (%), structure (%), and the
    status of each (published / derived / "")."""
    printed = view.printed()
    return pd.DataFrame(
        {
            "category_code": printed["category_code"],
            "category_name": printed["category_name"],
            "value_added_100m_yuan": printed[VALUE],
            "growth_pct": printed["growth_pct"],
            "share_pct": printed["share_pct"],
            "value_status": printed["value_status"],
            "growth_status": printed["growth_status"],
            "share_status": printed["share_status"],
        }
    )


def _markdown_table(view: YearView) -> tuple[str, bool]:
    """The table as Markdown, and whether it holds a computed (``*``) figure."""
    table = view.table  # unrounded: each figure is rounded once, half up, when printed
    decimals = table["value_decimals_table"].tolist()
    with_growth = table["growth_pct"].notna().any()
    head = [
        label("category_name", context="announcement"),
        label("value_added_100m_yuan"),
        *([label("growth_pct", context="announcement")] if with_growth else []),
        label("share_pct"),
    ]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    marked = False
    for row, digits in zip(table.itertuples(), decimals):
        marks = {k: "*" if getattr(row, f"{k}_status") == "derived" else "" for k in ("value", "growth", "share")}
        marked = marked or any(marks.values())
        name = TABLE_TOTAL_NAME if row.category_code == TOTAL_CODE else row.category_name
        cells = [name, format_level(getattr(row, VALUE), digits) + marks["value"]]
        if with_growth:
            cells.append("—" if pd.isna(row.growth_pct) else _pct(row.growth_pct) + marks["growth"])
        cells.append(("—" if pd.isna(row.share_pct) else _pct(row.share_pct)) + marks["share"])
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines), marked


def announcement(
    view: YearView,
    classification: str | None = None,
    unusual_gap_pp: float = 10.0,
    title: bool = True,
    growth_ranks: int = 4,
    smallest: bool = True,
    gap: str = "published",
) -> str:
    """The Chinese announcement of *view*'s year, as Markdown.

    Parameters
    ----------
    view : YearView
        From :func:`ipstats.pii.value_added.compile_year`.
    classification : str, optional
        Name of the statistical classification; default from the reference catalogue
        (《知识产权（专利）密集型产业统计分类（2019）》).
    unusual_gap_pp : float
        Where no two-year average was published, a declining category's previous-year growth that differs
        from the total's by at least this many percentage points gets the computed two-year average (推算).
    title : bool
        Start with a level-2 heading.
    growth_ranks : int
        Growing categories named in the growth paragraph, fastest first (the announcements name 2–4).
    smallest : bool
        Name the smallest category in the structure paragraph (2020 and 2021 did, 2022 and 2023 did not).
    gap : {"published", "always"}
        The gap to GDP's nominal growth: only where the announcement printed one (2020, 2021), or also
        computed from GDP (marked 推算) where it did not.

    Returns
    -------
    str
    """
    if gap not in ("published", "always"):
        raise ValueError(f"announcement: gap must be 'published' or 'always', got {gap!r}")
    if classification is None:
        classification = reference.catalogue_entry("pii_value_added")["classification"]
    h = view.headline
    paragraphs = [_headline(view, gap), _structure(view, smallest), _growth(view, growth_ranks, unusual_gap_pp)]
    text_marked = any(_TEXT_MARK in p for p in paragraphs)
    table, table_marked = _markdown_table(view)
    notes = []
    if view.table["growth_pct"].notna().any():
        notes.append("增速为现价增长速度，未扣除价格因素。")
    elif h["basis_changed"]:
        notes.append(f"{view.year}年按{h['basis']}结果核算，上年未发布同口径的分类增加值，不计算增长速度。")
    notes.append("若数据分项合计与总计不等，是由于数据修约误差所致。")
    if table_marked or text_marked:
        notes.append(_derived_note() + ("正文中注“推算”的数值同此。" if text_marked else ""))
    gdp_used = (h["share_from_gdp"] and not math.isnan(h["share_of_gdp_pct"])) or (
        _gap_shown(h, gap) and not h["gap_published"] and not math.isnan(h["gap_pp"])
    )
    status = h["gdp_status"]
    if gdp_used and status and status != "official":
        notes.append(f"GDP数据状态：{status}（未经核实，发布前须与国家统计局公布数据核对）。")
    if view.sources:
        notes.append("资料来源：" + "；".join(view.sources) + "。")
    parts = [f"## {view.year}年全国专利密集型产业增加值数据公告（生成稿）"] if title else []
    parts += [p for p in paragraphs if p]
    parts.append(f"**{view.year}年全国专利密集型产业增加值**\n\n" + table)
    parts.append("注：" + " ".join(f"{i}. {n}" for i, n in enumerate(notes, start=1)))
    if _revised(h):
        parts.append(f"注：[1]上年同期数根据{h['basis']}结果进行了历史数据修订。")
    cats = view.table[view.table["category_code"] != TOTAL_CODE]
    parts.append(
        "**附注**\n\n"
        "1. 指标解释：专利密集型产业，指发明专利密集度、规模达到规定的标准，依靠知识产权参与市场竞争，"
        "符合创新发展导向的产业集合。\n"
        f"2. 核算分类：以{classification}为基础，包括{'，'.join(cats['category_name'])}"
        f"等{'两' if len(cats) == 2 else chinese_number(len(cats))}大类。\n"
        "3. 核算方法：专利密集型产业增加值按照收入法核算，为现价增加值；占GDP比重的变化为本年与上年"
        "（同一核算口径）比重之差，单位为百分点。"
    )
    return "\n\n".join(parts) + "\n"
