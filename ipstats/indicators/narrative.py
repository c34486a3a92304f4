"""Chinese summary text generated from computed numbers (every number in the text comes from the tables)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ipstats.language import check_lang, has_cjk, value

__all__ = [
    "MIN_BASE",
    "change_clause",
    "format_count",
    "format_change",
    "half_up",
    "join_en",
    "ordinal",
    "overview_paragraph",
    "plural",
]

#: Smallest previous-period count off which generated text quotes a growth rate: growth off a handful of
#: patents (4 → 9 is "+125 %") says nothing, and official releases do not quote it. The tables keep it.
MIN_BASE = 20


def format_count(n: float, unit: str = "件", lang: str = "zh") -> str:
    """Format a count the way bulletins do: ``12.35万件`` from 10,000 up, ``1,234件`` below.

    In English (``lang="en"``) a count reads ``1,234`` below a million, ``12.35 million`` and ``1.23 billion``
    above, as CNIPA's English annual reports print it; the noun is the caller's (a Chinese *unit* is dropped,
    an English one follows after a space).

    Examples
    --------
    >>> format_count(123456)
    '12.35万件'
    >>> format_count(987)
    '987件'
    >>> format_count(123456, lang="en"), format_count(12_345_678, lang="en")
    ('123,456', '12.35 million')
    """
    n = int(round(n))
    if lang == "en":
        noun = f" {unit}" if unit and not has_cjk(unit) else ""
        if abs(n) >= 1_000_000_000:
            return f"{n / 1_000_000_000:.2f} billion{noun}"
        if abs(n) >= 1_000_000:
            return f"{n / 1_000_000:.2f} million{noun}"
        return f"{n:,}{noun}"
    if abs(n) >= 100_000_000:
        return f"{n / 100_000_000:.2f}亿{unit}"
    if abs(n) >= 10_000:
        return f"{n / 10_000:.2f}万{unit}"
    return f"{n:,}{unit}"


#: Significant digits a computed figure is taken to before it is rounded for publication (:func:`half_up`).
SIGNIFICANT = 12


def half_up(value: float, digits: int) -> float:
    """*value* rounded to *digits* decimals half away from zero (四舍五入), as published figures are.

    Python's ``round`` rounds halves to even (``round(1.25, 1) == 1.2``); this gives 1.3. The decimal is
    taken from the shortest repr of the float, so 2.675 (stored as 2.67499…) still rounds to 2.68, and first
    rounded to 12 significant digits: a sum of fractional counts that is 13.175 exactly comes out of a parallel
    sum as 13.174999999999999 or 13.175000000000001 by the order of its terms (DuckDB and Spark differ), and
    both publish 13.18. Twelve digits keep every figure a statistic can hold (a double's error is below 1e-15
    relative); only float noise at a tie is removed.
    """
    from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

    value = float(value)  # numpy scalars too (their repr is not a number)
    if not math.isfinite(value):
        return value
    exact = Decimal(repr(value))
    if exact:
        exact = exact.quantize(Decimal(1).scaleb(exact.adjusted() - SIGNIFICANT + 1), rounding=ROUND_HALF_EVEN)
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def format_change(pct: float, digits: int = 1, versus: str | None = None, lang: str = "zh") -> str:
    """A change in official wording: ``增长5.2%``, ``下降3.1%``, ``增长1.3倍`` (from 100 % up), ``与上年持平``.

    Parameters
    ----------
    pct : float
        Growth in percent.
    digits : int
        Decimals of a percentage (official: one).
    versus : str, optional
        What the change is measured against, e.g. ``"上年"`` or ``"2023年批次"``: then ``比上年增长5.2%``.
        In English, e.g. ``"the previous year"``: ``up 5.2% from the previous year``.
    lang : {"zh", "en"}
        In English: ``up 5.2%``, ``down 3.1%``, ``up 125.0%`` (English releases keep percentages above
        100 %), ``unchanged``.

    Returns
    -------
    str
        ``""`` when the growth is undefined (no previous figure, or a zero one): the caller leaves the clause out.

    Examples
    --------
    >>> format_change(125.0), format_change(0.01), format_change(-3.06, versus="上年")
    ('增长1.3倍', '与上年持平', '比上年下降3.1%')
    >>> format_change(125.0, lang="en"), format_change(0.01, lang="en"), format_change(-3.06, versus="the previous year", lang="en")
    ('up 125.0%', 'unchanged from the previous year', 'down 3.1% from the previous year')
    """
    if pct is None or pd.isna(pct) or math.isinf(float(pct)):
        return ""
    value = half_up(float(pct), digits)
    if lang == "en":
        than = f" from {versus}" if versus else ""
        if value > 0:
            return f"up {value:.{digits}f}%{than}"
        if value < 0:
            return f"down {-value:.{digits}f}%{than}"
        return f"unchanged from {versus or 'the previous year'}"
    than = f"比{versus}" if versus else ""
    if value >= 100:
        return f"{than}增长{half_up(float(pct) / 100, 1):.1f}倍"
    if value > 0:
        return f"{than}增长{value:.{digits}f}%"
    if value < 0:
        return f"{than}下降{-value:.{digits}f}%"
    return f"与{versus or '上年'}持平"


def change_clause(
    current: float, pct: float, versus: str | None = None, min_base: int = MIN_BASE, lang: str = "zh"
) -> str:
    """``，增长5.2%`` (English: ``, up 5.2%``) to append after a count, or ``""`` when growth is undefined or
    its base below *min_base*.

    The base (the previous figure) is recovered from the current figure and the growth.
    """
    if pct is None or pd.isna(pct) or pd.isna(current) or float(pct) <= -100:
        return ""
    base = float(current) / (1.0 + float(pct) / 100.0)
    if base < min_base:
        return ""
    change = format_change(pct, versus=versus, lang=lang)
    if not change:
        return ""
    return f", {change}" if lang == "en" else f"，{change}"


def ordinal(n: int) -> str:
    """An English rank as CNIPA's English reports print it: ``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``22nd``.

    Examples
    --------
    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31, 101, 111)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '31st', '101st', '111th']
    """
    n = int(n)
    suffix = "th" if 10 <= abs(n) % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(abs(n) % 10, "th")
    return f"{n}{suffix}"


def join_en(items: list[str], sep: str = ", ") -> str:
    """``a``, ``a and b``, ``a, b and c`` (with *sep* ``"; "``: ``a; b; and c``, for items holding commas).

    Examples
    --------
    >>> join_en(["Beijing"]), join_en(["Beijing", "Shanghai"]), join_en(["Beijing", "Shanghai", "Jiangsu"])
    ('Beijing', 'Beijing and Shanghai', 'Beijing, Shanghai and Jiangsu')
    >>> join_en(["a, up 1.0%", "b", "c"], sep="; ")
    'a, up 1.0%; b; and c'
    """
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    last = f"{sep}and " if sep.strip() == ";" else " and "
    return sep.join(items[:-1]) + last + items[-1]


def plural(n: float, singular: str, plural_form: str | None = None) -> str:
    """*singular* for a count of exactly one, else the plural (``singular + "s"`` unless given).

    Examples
    --------
    >>> plural(1, "application"), plural(0, "application"), plural(2, "was", "were")
    ('application', 'applications', 'were')
    """
    if not pd.isna(n) and int(round(float(n))) == 1:
        return singular
    return plural_form if plural_form is not None else f"{singular}s"


def _published(value) -> bool:
    """False for a cell suppressed by disclosure control (missing)."""
    return not pd.isna(value)


def _row(summary: pd.DataFrame, patent_type: str) -> pd.Series:
    return summary.set_index("patent_type").loc[patent_type]


def _scope_clause(scopes: pd.DataFrame | None, measure: str) -> str:
    """``国内（不含港澳台）…件，港澳台…件，国外…件`` for the invention patents of *measure*, or ``""``."""
    if scopes is None:
        return ""
    inv = scopes[(scopes["patent_type"] == "发明") & (scopes["scope"] != "全国")]
    return "，".join(f"{r.scope}{format_count(getattr(r, measure))}" for r in inv.itertuples())


def overview_paragraph(
    summary: pd.DataFrame,
    provinces: pd.DataFrame,
    year: int,
    region: str | None,
    headline: dict,
    scopes: pd.DataFrame | None = None,
    lang: str = "zh",
) -> str:
    """The overview's paragraph: Chinese, or English (``lang="en"``) from the same numbers.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`ipstats.indicators.overview.type_summary`, after disclosure control for a
        province (suppressed cells missing: the text leaves them out).
    provinces : pandas.DataFrame
        The published province table (suppressed cells missing): only published ranks are named.
    year : int
        Reference year.
    region : str or None
        ``"national"``/None, or a province code.
    headline : dict
        ``region_name``, ``per_10k`` and ``per_10k_previous`` for the region.
    scopes : pandas.DataFrame, optional
        The national run's :func:`ipstats.indicators.overview.scope_table`: the invention grants and valid
        stock are then split into 国内（不含港澳台）, 港澳台 and 国外, and the per-capita figure says it counts
        国内（不含港澳台） patents.
    lang : {"zh", "en"}
        The language of the paragraph. The English states the same numbers, rounded alike (growth off a base
        below :data:`MIN_BASE` left out, suppressed cells left out, ``持平`` → ``unchanged``).
    """
    if check_lang(lang) == "en":
        return _overview_en(summary, provinces, year, region, headline, scopes)
    name = headline["region_name"]
    total, inv = _row(summary, "合计"), _row(summary, "发明")

    def counted(row: pd.Series, measure: str, versus: str | None = None) -> str:
        """``2,886件，增长0.6%`` — the change left out where it is undefined or its base too small."""
        return format_count(row[measure]) + change_clause(row[measure], row[f"{measure}_growth_pct"], versus)

    parts = [f"{year}年，{name}共受理专利申请{counted(total, 'applications', '上年')}。"]
    clauses = []
    for t in ("发明", "实用新型", "外观设计"):
        if t in set(summary["patent_type"]) and _published(_row(summary, t)["applications"]):
            clauses.append(f"{t}专利申请{counted(_row(summary, t), 'applications')}")
    if clauses:
        parts.append("其中，" + "；".join(clauses) + "。")
    of_which = f"，其中发明专利{counted(inv, 'grants')}" if _published(inv["grants"]) else ""
    parts.append(f"全年授权专利{counted(total, 'grants')}{of_which}。")
    if scopes is not None:
        parts.append(f"授权发明专利中，{_scope_clause(scopes, 'grants')}。")
    of_which = f"，其中有效发明专利{counted(inv, 'valid_stock')}" if _published(inv["valid_stock"]) else ""
    parts.append(f"截至{year}年底，{name}有效专利{format_count(total['valid_stock'])}{of_which}；")
    if scopes is not None:
        parts.append(f"有效发明专利中，{_scope_clause(scopes, 'valid_stock')}；按国内（不含港澳台）有效发明专利计，")
    if region not in (None, "", "national") and not _published(
        provinces.set_index("province_code").loc[str(region), "per_10k"]
    ):
        parts.append("每万人口发明专利拥有量经统计数据保密处理不予公布。")
        return "".join(parts)
    per, prev = headline["per_10k"], headline["per_10k_previous"]
    # one decimal, 四舍五入, as CNIPA prints it (and as the table's per-10,000 column is published)
    diff = half_up(per, 1) - half_up(prev, 1) if not math.isnan(prev) else float("nan")
    if math.isnan(diff):
        change = ""
    elif round(diff, 1) > 0:
        change = f"，比上年增加{diff:.1f}件"
    elif round(diff, 1) < 0:
        change = f"，比上年减少{-diff:.1f}件"
    else:
        change = "，与上年持平"
    parts.append(f"每万人口发明专利拥有量{half_up(per, 1):.1f}件{change}。")
    if region in (None, "", "national"):
        top = provinces.dropna(subset=["rank"]).nsmallest(3, "rank")
        listed = [f"{r.province}（{half_up(r.per_10k, 1):.1f}件）" for r in top.itertuples()]
        if len(listed) == 3:
            parts.append(f"每万人口发明专利拥有量居前三位的是{'、'.join(listed[:-1])}和{listed[-1]}。")
    else:
        row = provinces.set_index("province_code").loc[str(region)]
        if pd.notna(row["rank"]):
            parts.append(f"{name}每万人口发明专利拥有量居全国第{int(row['rank'])}位。")
        else:
            parts.append(f"{name}每万人口发明专利拥有量的全国位次经保密处理不予公布。")
    return "".join(parts)


#: English of the three parts of 全国 (CNIPA's English annual report), as a predicate after a count.
SCOPES_EN = {
    "国内（不含港澳台）": "domestic (excluding Hong Kong, Macao and Taiwan)",
    "港澳台": "from Hong Kong, Macao and Taiwan",
    "国外": "foreign",
}
#: English nouns of the patent types: (singular, plural) of an application, and of a patent.
TYPES_EN = {
    "发明": ("invention patent application", "invention patent applications"),
    "实用新型": ("utility model application", "utility model applications"),
    "外观设计": ("design application", "design applications"),
}
_NATIONAL = (None, "", "national")


def _counted_en(count: float, noun: tuple[str, str], pct: float) -> str:
    """``2,886 patent applications, up 0.6%`` (*noun* singular and plural), the change as :func:`change_clause`."""
    return f"{format_count(count, lang='en')} {plural(count, *noun)}" + change_clause(count, pct, lang="en")


def _scope_clause_en(scopes: pd.DataFrame | None, measure: str) -> str:
    """``262 were domestic (excluding Hong Kong, Macao and Taiwan), 1 was from …, and 41 were foreign``."""
    if scopes is None:
        return ""
    inv = scopes[(scopes["patent_type"] == "发明") & (scopes["scope"] != "全国")]
    parts = [
        f"{format_count(getattr(r, measure), lang='en')} {plural(getattr(r, measure), 'was', 'were')} "
        f"{SCOPES_EN.get(r.scope, value(r.scope))}"
        for r in inv.itertuples()
    ]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", and " + parts[-1]


def _overview_en(
    summary: pd.DataFrame,
    provinces: pd.DataFrame,
    year: int,
    region: str | None,
    headline: dict,
    scopes: pd.DataFrame | None,
) -> str:
    """The English of :func:`overview_paragraph`: sentence by sentence the Chinese, with the same numbers."""
    name = value(headline["region_name"])
    total, inv = _row(summary, "合计"), _row(summary, "发明")
    applications = total["applications"]
    verb = plural(applications, "was", "were")
    parts = [
        f"In {year}, {_counted_en(applications, ('patent application', 'patent applications'), np.nan)} {verb} "
        f"received in {name}"
        + change_clause(applications, total["applications_growth_pct"], "the previous year", lang="en")
        + ". "
    ]
    clauses = []
    for t in ("发明", "实用新型", "外观设计"):
        if t in set(summary["patent_type"]) and _published(_row(summary, t)["applications"]):
            row = _row(summary, t)
            clauses.append(_counted_en(row["applications"], TYPES_EN[t], row["applications_growth_pct"]))
    if clauses:
        parts.append(f"These included {join_en(clauses, '; ')}. ")
    grants = total["grants"]
    of_which = (
        f", including {_counted_en(inv['grants'], ('invention patent', 'invention patents'), inv['grants_growth_pct'])}"
        if _published(inv["grants"])
        else ""
    )
    parts.append(
        f"In the year, {_counted_en(grants, ('patent', 'patents'), np.nan)} {plural(grants, 'was', 'were')} granted"
        f"{change_clause(grants, total['grants_growth_pct'], lang='en')}{of_which}. "
    )
    if scopes is not None:
        parts.append(f"Of the invention patents granted, {_scope_clause_en(scopes, 'grants')}. ")
    valid = ("valid invention patent", "valid invention patents")
    of_which = (
        f", including {_counted_en(inv['valid_stock'], valid, inv['valid_stock_growth_pct'])}"
        if _published(inv["valid_stock"])
        else ""
    )
    stock = total["valid_stock"]
    parts.append(
        f"At the end of {year}, {name} had {format_count(stock, lang='en')} valid {plural(stock, 'patent')}{of_which}; "
    )
    if scopes is not None:
        parts.append(
            f"of the valid invention patents, {_scope_clause_en(scopes, 'valid_stock')}; counted on domestic "
            "(excluding Hong Kong, Macao and Taiwan) valid invention patents, "
        )
    if region not in _NATIONAL and not _published(provinces.set_index("province_code").loc[str(region), "per_10k"]):
        parts.append("valid invention patents per 10,000 people are withheld under statistical disclosure control. ")
        return "".join(parts).rstrip()
    per, prev = headline["per_10k"], headline["per_10k_previous"]
    diff = half_up(per, 1) - half_up(prev, 1) if not math.isnan(prev) else float("nan")
    if math.isnan(diff):
        change = ""
    elif round(diff, 1) > 0:
        change = f", up {diff:.1f} from the previous year"
    elif round(diff, 1) < 0:
        change = f", down {-diff:.1f} from the previous year"
    else:
        change = ", unchanged from the previous year"
    parts.append(f"there were {half_up(per, 1):.1f} valid invention patents per 10,000 people{change}. ")
    if region in _NATIONAL:
        top = provinces.dropna(subset=["rank"]).nsmallest(3, "rank")
        listed = [f"{value(r.province)} ({half_up(r.per_10k, 1):.1f})" for r in top.itertuples()]
        if len(listed) == 3:
            parts.append(
                "The top three provincial-level regions in valid invention patents per 10,000 people were "
                f"{join_en(listed)}. "
            )
    else:
        row = provinces.set_index("province_code").loc[str(region)]
        if pd.notna(row["rank"]):
            parts.append(
                f"{name} ranked {ordinal(row['rank'])} in China in valid invention patents per 10,000 people. "
            )
        else:
            parts.append(
                f"The national rank of {name} in valid invention patents per 10,000 people is withheld under "
                "statistical disclosure control. "
            )
    return "".join(parts).rstrip()
