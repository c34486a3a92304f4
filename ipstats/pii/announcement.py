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

``lang="en"`` writes the same announcement in English, sentence by sentence, from the same numbers (the style
of the NBS English release of the announcement): a level in the text in billion yuan, the printed 亿元 figure
with its decimal point moved one place (114631 亿元 → 11,463.1 billion yuan: the same digits, so the same
precision), the table in 100 million yuan as printed; computed figures marked ``(computed)`` in the text and
``*`` in the table; the categories by their English names (:data:`CATEGORY_NAMES_EN`).
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from ipstats import reference
from ipstats.indicators.narrative import format_change
from ipstats.labels import label
from ipstats.language import check_lang, has_cjk, value
from ipstats.pii.value_added import TOTAL_CODE, UNCHANGED, VALUE, YearView

__all__ = [
    "CATEGORY_NAMES_EN",
    "TABLE_TOTAL_NAME",
    "announcement",
    "announcement_table",
    "basis_en",
    "billion_yuan",
    "category_name_en",
    "chinese_number",
    "format_level",
    "source_en",
]

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


def _growth_rows(view: YearView, ranks: int, unusual_gap_pp: float):
    """What the growth paragraph names: the growing categories named (fastest first), those said in one
    clause after the second, the declining ones (fastest decline first) each with whether its two-year
    average is quoted, and the unchanged ones; None when no category has a growth rate."""
    table = view.table
    cats = table[(table["category_code"] != TOTAL_CODE) & table["growth_pct"].notna()]
    if cats.empty:
        return None
    printed = cats["growth_pct"].map(lambda v: float(_fixed(v, 1)))
    cats = cats.assign(printed=printed).sort_values("printed", ascending=False, kind="stable")
    rising, flat = cats[cats["printed"] > 0], cats[cats["printed"] == 0]
    falling = cats[cats["printed"] < 0].sort_values("printed", kind="stable")
    rows = list(rising.itertuples())
    named = rows[:1] + (rows[1:2] if ranks > 1 else [])
    rest = rows[2 : max(ranks, 2)]
    total_prev = table.set_index("category_code").at[TOTAL_CODE, "previous_growth_pct"]
    declines = []
    for row in falling.itertuples():
        unusual = (
            not math.isnan(row.previous_growth_pct)
            and not math.isnan(total_prev)
            and abs(round(row.previous_growth_pct, 1) - round(total_prev, 1)) >= unusual_gap_pp
        )
        two_year = not math.isnan(row.two_year_growth_pct) and (row.two_year_status == "published" or unusual)
        declines.append((row, two_year))
    return named, rest, declines, list(flat.itertuples())


def _growth(view: YearView, ranks: int, unusual_gap_pp: float) -> str:
    found = _growth_rows(view, ranks, unusual_gap_pp)
    if found is None:
        return ""
    named, rest, declines, flat = found

    def rate(row) -> str:
        return f"{_pct(row.printed)}%{_mark(row.growth_status)}"

    sentences = []
    if named:
        clauses = [f"{named[0].category_name}增长最快，增速为{rate(named[0])}"]
        if len(named) > 1:
            clauses.append(f"其次是{named[1].category_name}，增速为{rate(named[1])}")
        if len(rest) == 1:
            clauses.append(f"另外，{rest[0].category_name}增速为{rate(rest[0])}")
        elif rest:
            clauses.append(
                f"另外，{_join([r.category_name for r in rest])}增速分别为{_values([rate(r) for r in rest])}"
            )
        sentences.append("；".join(clauses) + "。")
    others = []
    for row, two_year in declines:
        clause = f"{row.category_name}下降{_pct(-row.printed)}%{_mark(row.growth_status)}"
        if two_year:
            clause += (
                f"，与{view.year - 2}年相比两年平均增速为{_pct(row.two_year_growth_pct)}%{_mark(row.two_year_status)}"
            )
        others.append(clause)
    others += [f"{row.category_name}增加值与上年持平{_mark(row.growth_status)}" for row in flat]
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


def _markdown_table(view: YearView, lang: str = "zh") -> tuple[str, bool]:
    """The table as Markdown, and whether it holds a computed (``*``) figure; in English (*lang* ``"en"``) the
    same figures (100 million yuan, as printed) with English heads and category names."""
    table = view.table  # unrounded: each figure is rounded once, half up, when printed
    decimals = table["value_decimals_table"].tolist()
    with_growth = table["growth_pct"].notna().any()
    head = [
        label("category_name", lang=lang, context="announcement"),
        label("value_added_100m_yuan", lang=lang),
        *([label("growth_pct", lang=lang, context="announcement")] if with_growth else []),
        label("share_pct", lang=lang),
    ]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    marked = False
    for row, digits in zip(table.itertuples(), decimals):
        marks = {k: "*" if getattr(row, f"{k}_status") == "derived" else "" for k in ("value", "growth", "share")}
        marked = marked or any(marks.values())
        name = TABLE_TOTAL_NAME if row.category_code == TOTAL_CODE else row.category_name
        cells = [
            category_name_en(name) if lang == "en" else name,
            format_level(getattr(row, VALUE), digits) + marks["value"],
        ]
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
    lang: str = "zh",
) -> str:
    """The announcement of *view*'s year, as Markdown: in Chinese, or in English (``lang="en"``).

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
    lang : {"zh", "en"}
        The language of the text. The English states the same figures with the same decimals: levels in the
        text in billion yuan (:func:`billion_yuan`: the printed 亿元 figure, decimal point moved), the table in
        100 million yuan as printed; computed figures marked ``(computed)`` in the text, ``*`` in the table.

    Returns
    -------
    str
    """
    if gap not in ("published", "always"):
        raise ValueError(f"announcement: gap must be 'published' or 'always', got {gap!r}")
    if classification is None:
        classification = reference.catalogue_entry("pii_value_added")["classification"]
    if check_lang(lang) == "en":
        return _announcement_en(view, classification, unusual_gap_pp, title, growth_ranks, smallest, gap)
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


# --- English (lang="en") -------------------------------------------------------------------------------

#: English names of the seven categories of 《知识产权（专利）密集型产业统计分类（2019）》 and of the total, as the
#: NBS English release of the announcement names them (a table name; in a sentence with "the" and lower case).
CATEGORY_NAMES_EN = {
    "专利密集型产业(合计)": "Patent-intensive industries (total)",
    "专利密集型产业（合计）": "Patent-intensive industries (total)",
    TABLE_TOTAL_NAME: "Patent-intensive industries",
    "信息通信技术制造业": "Information and communication technology manufacturing industry",
    "新装备制造业": "New equipment manufacturing industry",
    "新材料制造业": "New materials manufacturing industry",
    "医药医疗产业": "Pharmaceutical and medical industry",
    "环保产业": "Environmental protection industry",
    "信息通信技术服务业": "Information and communication technology service industry",
    "研发、设计和技术服务业": "R&D, design and technical service industry",
}
#: English of the statistical classification (the catalogue's ``classification``).
_CLASSIFICATIONS_EN = {
    "《知识产权（专利）密集型产业统计分类（2019）》（国家统计局令第25号）": (
        "Statistical Classification of Intellectual Property (Patent) Intensive Industries (2019) (NBS Order No. 25)"
    ),
}
_ORDINALS_EN = dict(
    zip("一二三四五六七八九", ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth"))
)
_NUMBERS_EN = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)
_CENSUS = re.compile(r"第([一二三四五六七八九])次全国经济普查")
_ANNOUNCEMENT = re.compile(r"国家统计局、国家知识产权局\s*(\d{4})年全国专利密集型产业增加值数据公告\s*(?:\((.*)\))?")
_RELEASE = re.compile(r"国家知识产权局发布的(\d{4})年全国专利密集型产业增加值数据\s*(?:\((.*)\))?")
_NOTICE = re.compile(r"国家知识产权局公告第([〇零一二三四五六七八九]+)号")
#: Mark of a computed figure in the English text (the table marks it ``*``, as the Chinese).
_TEXT_MARK_EN = " (computed)"
_PREVIOUS = "the previous year"


def billion_yuan(value: float, decimals: int | None = None) -> str:
    """A level in 亿元 (10⁸ yuan) as billion yuan (10⁹): the figure printed in 亿元 (:func:`format_level`) with its
    decimal point moved one place left, so that it keeps every printed digit and no more.

    Examples
    --------
    >>> billion_yuan(114630.7, 0), billion_yuan(114630.7), billion_yuan(2600.0)
    ('11,463.1', '11,463.07', '260.0')
    """
    return f"{Decimal(format_level(value, decimals)).scaleb(-1):,}"


def category_name_en(name: str) -> str:
    """The English name of a category (:data:`CATEGORY_NAMES_EN`, else :func:`ipstats.language.value`; a name
    without either stays as published)."""
    return CATEGORY_NAMES_EN.get(str(name), value(name))


def _lower(name: str) -> str:
    """A category's English name in running text, without article: ``new equipment manufacturing industry``
    (``R&D, …`` keeps its capitals; a name kept in Chinese stays as it is)."""
    english = category_name_en(name)
    if has_cjk(english):
        return english
    first = english.split(" ", 1)[0]
    return english if sum(c.isupper() for c in first) > 1 else english[:1].lower() + english[1:]


def _in_sentence(name: str) -> str:
    """A category name in running text: ``the new equipment manufacturing industry`` (a name kept in Chinese
    takes no article)."""
    english = _lower(name)
    return english if has_cjk(english) else f"the {english}"


def basis_en(basis: str) -> str:
    """The English of an accounting basis: 第五次全国经济普查 → ``Fifth National Economic Census``."""
    found = _CENSUS.fullmatch(str(basis).strip())
    if found:
        return f"{_ORDINALS_EN[found.group(1)]} National Economic Census"
    return value(basis)


def _notice_number(numerals: str) -> str:
    return "".join(str("〇一二三四五六七八九".index(c)) if c != "零" else "0" for c in numerals)


def _source_detail_en(detail: str) -> str:
    parts = []
    for part in re.split(r"([,;]\s*)", detail):
        notice = _NOTICE.fullmatch(part.strip())
        if notice:
            part = f"CNIPA Announcement No. {_notice_number(notice.group(1))}"
        elif part.strip().endswith("口径") and _CENSUS.fullmatch(part.strip()[:-2]):
            part = f"{basis_en(part.strip()[:-2])} basis"
        parts.append(part)
    return "".join(parts)


def source_en(source: str) -> str:
    """The English of a source the shipped series names (the NBS–CNIPA announcement of a year, with its notice
    number and date); another source through :func:`ipstats.language.value`.

    Examples
    --------
    >>> source_en("国家统计局、国家知识产权局 2021年全国专利密集型产业增加值数据公告 (国家知识产权局公告第五〇九号, 2022-12-30)")
    'NBS and CNIPA, Announcement on the value added of patent-intensive industries in China in 2021 (CNIPA Announcement No. 509, 2022-12-30)'
    """
    text = str(source).strip()
    for pattern, words in (
        (_ANNOUNCEMENT, "NBS and CNIPA, Announcement on the value added of patent-intensive industries in China in {}"),
        (_RELEASE, "Value added of patent-intensive industries in China in {}, released by CNIPA"),
    ):
        found = pattern.fullmatch(text)
        if found:
            detail = f" ({_source_detail_en(found.group(2))})" if found.group(2) else ""
            return words.format(found.group(1)) + detail
    return value(text)


def _mark_en(status: str) -> str:
    return _TEXT_MARK_EN if status == "derived" else ""


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _change_en(pct: float, mark: str) -> str:
    """``up 7.0% from the previous year`` (the mark after the figure), ``unchanged from the previous year``."""
    words = format_change(pct, 1, lang="en")
    if words.startswith("unchanged"):
        return f"unchanged{mark} from {_PREVIOUS}"
    return f"{words}{mark} from {_PREVIOUS}"


def _headline_en(view: YearView, show_gap: str) -> str:
    h, year = view.headline, view.year
    lead = (
        f"According to the accounting based on the results of the {basis_en(h['basis'])}, "
        if h["basis_changed"] and h["basis"]
        else "According to the accounting, "
    )
    text = (
        f"{lead}the value added of patent-intensive industries in China in {year} was "
        f"{billion_yuan(h['total'], h['value_decimals_text'])} billion yuan"
    )
    if not math.isnan(h["growth_pct"]):
        text += (
            f", {_change_en(h['growth_pct'], _mark_en(h['growth_status']))} "
            "(at current prices, not adjusted for price changes; the same below)"
        )
        gap = h["gap_pp"]
        if _gap_shown(h, show_gap) and not math.isnan(gap) and round(gap, 1) != 0:
            text += (
                f", {_pct(abs(gap))} percentage points {'higher' if gap > 0 else 'lower'} than the growth of gross "
                f"domestic product (GDP) at current prices over the same period{_mark_en(h['gap_status'])}"
            )
    if not math.isnan(h["share_of_gdp_pct"]):
        share = f"{_pct(h['share_of_gdp_pct'], h['share_decimals'])}%{_mark_en(h['share_of_gdp_status'])}"
        if not math.isnan(h["growth_pct"]):
            text += f"; its share of GDP was {share}"
        else:
            text += f", accounting for {share} of gross domestic product (GDP)"
        change = h["change_pp"]
        if not math.isnan(change):
            if h["change_wording"]:
                words = (
                    "unchanged from the previous year"
                    if h["change_wording"] == UNCHANGED
                    else value(h["change_wording"])
                )
                text += f", {words}{_mark_en(h['change_status'])}"
            else:
                text += (
                    f", {'up' if change > 0 else 'down'} {_pct(abs(change), h['change_decimals'])} percentage points"
                    f"{_mark_en(h['change_status'])} from {_PREVIOUS}"
                )
            if _revised(h):
                text += "[1]"
    return text + "."


def _structure_en(view: YearView, smallest: bool) -> str:
    cats = view.table[view.table["category_code"] != TOTAL_CODE].sort_values(VALUE, ascending=False)
    if len(cats) < 4:
        return ""

    def part(row) -> str:
        return f"with value added of {billion_yuan(row[VALUE], row['value_decimals_text'])} billion yuan"

    def share(row) -> str:
        return f"{_pct(row['share_pct'])}%{_mark_en(row['share_status'])}"

    first, second, third, last = cats.iloc[0], cats.iloc[1], cats.iloc[2], cats.iloc[-1]
    text = (
        f"In terms of internal structure, {_in_sentence(first['category_name'])} was the largest, {part(first)}, "
        f"accounting for {share(first)} of the value added of patent-intensive industries; it was followed by "
        f"{_in_sentence(second['category_name'])}, {part(second)}, accounting for {share(second)}; and then by "
        f"{_in_sentence(third['category_name'])}, {part(third)}, accounting for {share(third)}"
    )
    if smallest:
        text += f"; the smallest was {_in_sentence(last['category_name'])}, {part(last)}, accounting for {share(last)}"
    return text + "."


def _growth_en(view: YearView, ranks: int, unusual_gap_pp: float) -> str:
    found = _growth_rows(view, ranks, unusual_gap_pp)
    if found is None:
        return ""
    named, rest, declines, flat = found

    def rate(row) -> str:
        return f"{_pct(row.printed)}%{_mark_en(row.growth_status)}"

    sentences = []
    if named:
        clauses = [f"{_in_sentence(named[0].category_name)} grew the fastest, at {rate(named[0])}"]
        if len(named) > 1:
            clauses.append(f"it was followed by {_in_sentence(named[1].category_name)}, at {rate(named[1])}")
        if len(rest) == 1:
            clauses.append(f"in addition, {_in_sentence(rest[0].category_name)} grew by {rate(rest[0])}")
        elif rest:
            clauses.append(
                f"in addition, {_and([_in_sentence(r.category_name) for r in rest])} grew by "
                f"{_and([rate(r) for r in rest])} respectively"
            )
        sentences.append("; ".join(clauses) + ".")
    others = []
    for row, two_year in declines:
        clause = f"{_in_sentence(row.category_name)} declined by {_pct(-row.printed)}%{_mark_en(row.growth_status)}"
        if two_year:
            clause += (
                f", and its two-year average growth compared with {view.year - 2} was "
                f"{_pct(row.two_year_growth_pct)}%{_mark_en(row.two_year_status)}"
            )
        others.append(clause)
    others += [
        f"the value added of {_in_sentence(row.category_name)} was unchanged from the previous year"
        f"{_mark_en(row.growth_status)}"
        for row in flat
    ]
    if others:
        sentences.append("; ".join(others) + ".")
    sentences = sentences[:1] + [_capital(s) for s in sentences[1:]]
    return "In terms of growth, " + " ".join(sentences)


def _derived_note_en() -> str:
    """The English of the ``derived`` flag's footnote: the catalogue's (as the workbook prints it), else this."""
    english = value(_derived_note())
    if has_cjk(english):
        return 'Figures marked "*" are computed from the published figures; they were not published directly.'
    return english


def _number_en(n: int) -> str:
    return _NUMBERS_EN[n] if 0 <= n < len(_NUMBERS_EN) else str(n)


def _announcement_en(
    view: YearView,
    classification: str,
    unusual_gap_pp: float,
    title: bool,
    growth_ranks: int,
    smallest: bool,
    gap: str,
) -> str:
    """The English of :func:`announcement`: part by part the Chinese, with the same figures."""
    h = view.headline
    paragraphs = [
        _headline_en(view, gap),
        _structure_en(view, smallest),
        _growth_en(view, growth_ranks, unusual_gap_pp),
    ]
    text_marked = any(_TEXT_MARK_EN in p for p in paragraphs)
    table, table_marked = _markdown_table(view, "en")
    basis = basis_en(h["basis"]) if h["basis"] else ""
    notes = []
    if view.table["growth_pct"].notna().any():
        notes.append("Growth rates are at current prices, not adjusted for price changes.")
    elif h["basis_changed"]:
        notes.append(
            f"The {view.year} figures are compiled on the basis of the results of the {basis}; as no value added by "
            "category on the same basis was published for the previous year, growth rates are not calculated."
        )
    notes.append("Where the sum of the components differs from the total, the difference is due to rounding.")
    if table_marked or text_marked:
        notes.append(
            _derived_note_en()
            + (f' Figures marked "{_TEXT_MARK_EN.strip()}" in the text are computed likewise.' if text_marked else "")
        )
    gdp_used = (h["share_from_gdp"] and not math.isnan(h["share_of_gdp_pct"])) or (
        _gap_shown(h, gap) and not h["gap_published"] and not math.isnan(h["gap_pp"])
    )
    status = h["gdp_status"]
    if gdp_used and status and status != "official":
        notes.append(
            f"GDP data status: {value(status)} (not verified; to be checked against the data published by the "
            "National Bureau of Statistics before publication)."
        )
    if view.sources:
        notes.append("Source: " + "; ".join(source_en(s) for s in view.sources) + ".")
    parts = (
        [f"## Announcement on the value added of patent-intensive industries in China, {view.year} (generated draft)"]
        if title
        else []
    )
    parts += [p for p in paragraphs if p]
    parts.append(f"**Value added of patent-intensive industries in China, {view.year}**\n\n" + table)
    parts.append("Notes: " + " ".join(f"{i}. {n}" for i, n in enumerate(notes, start=1)))
    if _revised(h):
        parts.append(
            f"Note: [1] The figure for the previous year has been revised on the basis of the results of the {basis}."
        )
    cats = view.table[view.table["category_code"] != TOTAL_CODE]
    names = [_lower(n) for n in cats["category_name"]]
    parts.append(
        "**Explanatory notes**\n\n"
        "1. Definition: patent-intensive industries are the industries whose invention-patent intensity and scale "
        "reach the prescribed standards, which rely on intellectual property to compete in the market and which "
        "are in line with the orientation of innovation-driven development.\n"
        f"2. Classification: based on the {_CLASSIFICATIONS_EN.get(classification, value(classification))}, "
        f"comprising {_number_en(len(cats))} categories: {'; '.join(names)}.\n"
        "3. Method: the value added of patent-intensive industries is compiled by the income approach, at current "
        "prices; the change in the share of GDP is the difference between the shares of the current year and the "
        "previous year (on the same accounting basis), in percentage points."
    )
    return "\n\n".join(parts) + "\n"
