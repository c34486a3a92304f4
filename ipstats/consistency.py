"""Consistency audit of a published table against itself (发布数据一致性核查).

Any long table of levels by year and item with a total row (value added by category, patents by field,
…) can be checked before publication:

* **sum** (分项合计) — the components add up to the total within rounding: the sum of the half-units of every
  printed figure (a level printed as ``153176`` may be anything in ``[153175.5, 153176.5)``);
* **growth** (增速) — a printed growth rate lies in the range of growths the two printed levels allow, widened
  by half a unit of the growth's last digit;
* **share** (构成) — a printed structure share lies in the range the component and total allow;
* **share of GDP** (占GDP比重) — a printed share of GDP lies in the range the total and GDP allow;
* **change** (占GDP比重变化) — a printed change in points lies in the range the two printed shares allow
  (same basis; the previous share as revised by the latest vintage), and 与上年持平 means equal printed shares;
* **gap** (与GDP现价增速之差) — a printed gap lies in the range the printed growth and the GDP levels allow;
* **two-year** (两年平均增速) — a printed two-year average lies in the range the two levels allow;
* **unit** (计量单位) — unit slips (亿 vs 万亿, a factor of 10⁴; also 万 vs 亿): a level whose ratio to the median
  of its own series, or a component larger than its total, or a share of GDP off by a power of ten.

Every check works on intervals of the printed figures, so a failure is a real inconsistency, never
rounding. A table that reproduces an announcement (it records a ``value_status``) keeps the announcement's
figures: where a *published* percentage differs from the one its printed levels give by more than rounding
but by at most *note_tolerance* points, the check passes with a Chinese note naming the figure and both
values and saying why (a level that is itself back-calculated, ``derived``; else the publisher computed it
from unrounded or revised data): the published figure stands. Anything else outside its interval fails. Notes and the
summary are in Chinese (:data:`CHECK_NAMES`, :func:`audit_report`), or in English with ``lang="en"``
(:data:`CHECK_NAMES_EN`; the same figures, levels in the table's own unit).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ipstats.indicators.formulas import cagr_pct, change_pp, growth_pct, share_pct
from ipstats.language import check_lang

__all__ = [
    "AUDIT_COLUMNS",
    "CHECK_NAMES",
    "CHECK_NAMES_EN",
    "NOTE_TOLERANCE_PP",
    "audit_report",
    "audit_summary",
    "audit_table",
    "half_unit",
    "noted",
    "printed_decimals",
]

AUDIT_COLUMNS = ["check", "year", "item", "name", "published", "computed", "lower", "upper", "ok", "note"]
#: Chinese names of the checks, in the order of the summary.
CHECK_NAMES = {
    "sum": "分项合计",
    "growth": "增速",
    "share": "构成",
    "share_of_gdp": "占GDP比重",
    "change": "占GDP比重变化",
    "gap": "与GDP现价增速之差",
    "two_year": "两年平均增速",
    "unit": "计量单位",
}
_FIGURES = {
    "growth": "增速",
    "share": "构成",
    "share_of_gdp": "占GDP比重",
    "change": "占GDP比重比上年变化",
    "gap": "与GDP现价增速之差",
    "two_year": "两年平均增速",
}
_UNITS = {"change": "个百分点", "gap": "个百分点"}
#: English names of the checks (``lang="en"``), in the order of :data:`CHECK_NAMES`.
CHECK_NAMES_EN = {
    "sum": "Sum of components",
    "growth": "Growth",
    "share": "Composition",
    "share_of_gdp": "Share of GDP",
    "change": "Change in the share of GDP",
    "gap": "Gap to GDP growth at current prices",
    "two_year": "Two-year average growth",
    "unit": "Unit of measurement",
}
_FIGURES_EN = {
    "growth": "growth",
    "share": "composition",
    "share_of_gdp": "share of GDP",
    "change": "change in the share of GDP from the previous year",
    "gap": "gap to GDP growth at current prices",
    "two_year": "two-year average growth",
}
_UNITS_EN = {"change": " percentage points", "gap": " percentage points"}
#: Words of a note on a published figure that stands (Chinese, English): what :func:`noted` looks for.
_STANDS = ("以公布", "the published figure stands")
#: English of the announcements' wording of a change (the words themselves are checked).
_WORDINGS_EN = {"与上年持平": "unchanged from the previous year"}
#: The table's level unit in the notes (亿元 in Chinese).
_LEVEL_UNIT_EN = "100 million yuan"
#: A published percentage at most this many points outside its rounding interval passes with a note.
NOTE_TOLERANCE_PP = 0.2


def printed_decimals(value: float, most: int = 4) -> int:
    """Decimals a number was printed with (``153176`` → 0, ``114630.7`` → 1, ``12.71`` → 2)."""
    for d in range(most + 1):
        if abs(round(value, d) - value) < 10 ** -(most + 2):
            return d
    return most


def half_unit(value: float) -> float:
    """Half a unit of the last printed digit: the rounding error a printed figure may carry."""
    return 0.5 * 10 ** -printed_decimals(value)


def _ratio_range(num: float, den: float) -> tuple[float, float]:
    hn, hd = half_unit(num), half_unit(den)
    return 100 * (num - hn) / (den + hd), 100 * (num + hn) / (den - hd)


def _fmt(value: float, least: int = 1) -> str:
    """A figure in a note: as printed, with at least *least* decimals (levels 0, percentages 1)."""
    return "—" if math.isnan(value) else f"{value:.{max(printed_decimals(value, 2), least)}f}"


def _row(check, year, item, published, computed, lower, upper, note="", name="") -> dict:
    ok = bool(lower - 1e-9 <= published <= upper + 1e-9) if not math.isnan(published) else True
    return dict(
        check=check,
        year=int(year),
        item=str(item),
        name=str(name),
        published=float(published),
        computed=float(computed),
        lower=float(lower),
        upper=float(upper),
        ok=ok,
        note=note,
    )


def _judge(
    row: dict,
    published: bool,
    derived: list[str],
    tolerance: float,
    basis: str,
    gdp_note: str = "",
    lang: str = "zh",
) -> dict:
    """Pass a published figure outside its interval with a note when the difference is explained, else fail."""
    if row["ok"] or math.isnan(row["published"]):
        return row
    if lang == "en":
        return _judge_en(row, published, derived, tolerance, basis, gdp_note)
    unit = _UNITS.get(row["check"], "%")
    figure = f"{row['year']}年{row['name'] or row['item']}{_FIGURES.get(row['check'], row['check'])}"
    values = (
        f"公布值{_fmt(row['published'])}{unit}，按{basis}计算为{_fmt(row['computed'])}{unit}"
        f"（修约区间{row['lower']:.2f}–{row['upper']:.2f}），差异超出修约误差"
    )
    distance = max(row["lower"] - row["published"], row["published"] - row["upper"])
    if published and distance <= tolerance and derived:
        why = f"{'、'.join(derived)}为推算值，以公布的{_FIGURES.get(row['check'], '数值')}为准"
    elif published and distance <= tolerance:
        why = f"差异不超过{tolerance:g}个百分点，公布值系按未修约或修订后的数据计算，以公布值为准"
    else:
        why = "请核对原始公布（可能为录入错误）"
        return row | {"ok": False, "note": f"{figure}：{values}；{why}。{gdp_note}"}
    return row | {"ok": True, "note": f"{figure}：{values}；{why}。{gdp_note}"}


def _judge_en(row: dict, published: bool, derived: list[str], tolerance: float, basis: str, gdp_note: str) -> dict:
    """The English of :func:`_judge`'s notes, the same figures."""
    unit = _UNITS_EN.get(row["check"], "%")
    what = _FIGURES_EN.get(row["check"], row["check"])
    figure = f"{what[:1].upper()}{what[1:]} in {row['year']} ({row['name'] or row['item']})"
    values = (
        f"published {_fmt(row['published'])}{unit}; computed from {basis}: {_fmt(row['computed'])}{unit}, "
        f"rounding interval {row['lower']:.2f}–{row['upper']:.2f}, a difference beyond rounding error"
    )
    distance = max(row["lower"] - row["published"], row["published"] - row["upper"])
    gdp = f" {gdp_note}" if gdp_note else ""
    if published and distance <= tolerance and derived:
        verb = "is a computed figure" if len(derived) == 1 else "are computed figures"
        why = f"{_and_en(derived)} {verb}: {_STANDS[1]}"
    elif published and distance <= tolerance:
        why = (
            f"the difference is at most {tolerance:g} percentage points: the publisher computed the figure from "
            f"unrounded or revised data, and {_STANDS[1]}"
        )
    else:
        why = "check against the original publication (possibly a data-entry error)"
        return row | {"ok": False, "note": f"{figure}: {values}; {why}.{gdp}"}
    return row | {"ok": True, "note": f"{figure}: {values}; {why}.{gdp}"}


def _and_en(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _level_pair_en(first: str, a: float, second: str, b: float) -> str:
    """``the previous year's value added (8225.9) and this year's value added (8705), in 100 million yuan``."""
    return f"{first} ({_fmt(a, 0)}) and {second} ({_fmt(b, 0)}), in {_LEVEL_UNIT_EN}"


def _latest(table: pd.DataFrame, year: str, item: str, value: str, order: str | None) -> pd.DataFrame:
    """One row per (year, item): the latest vintage (*order*) holding a level."""
    rows = table[table[value].notna()]
    if order and order in rows.columns:
        rows = rows.sort_values(order, kind="stable")
    return rows.drop_duplicates([year, item], keep="last")


def _number(row: pd.Series, column: str | None) -> float:
    if not column or column not in row.index or pd.isna(row[column]) or str(row[column]).strip() == "":
        return math.nan
    return float(row[column])


def _text(row: pd.Series, column: str | None) -> str:
    if not column or column not in row.index or pd.isna(row[column]):
        return ""
    return str(row[column]).strip()


def audit_table(
    table: pd.DataFrame,
    *,
    year: str = "year",
    item: str = "category_code",
    total: str = "00",
    value: str = "value_added_100m_yuan",
    growth: str | None = "growth_pct",
    share: str | None = "share_pct",
    share_of_gdp: str | None = "share_of_gdp_pct",
    gdp: pd.DataFrame | None = None,
    gdp_value: str = "gdp_100m_yuan",
    comparable: tuple[str, ...] = ("basis",),
    vintage: str | None = "vintage",
    slip_tolerance: float = 0.5,
    name: str | None = "category_name_zh",
    status: str | None = "value_status",
    growth_status: str | None = "growth_status",
    change: str | None = "share_of_gdp_change_pp",
    wording: str | None = "share_of_gdp_change_wording",
    gap: str | None = "gdp_growth_gap_pp",
    two_year: str | None = "two_year_growth_pct",
    share_decimals: str | None = "share_of_gdp_decimals",
    note_tolerance: float = NOTE_TOLERANCE_PP,
    lang: str = "zh",
) -> pd.DataFrame:
    """Check a published table's figures against each other.

    Parameters
    ----------
    table : pandas.DataFrame
        Long table: *year*, *item*, *value* and optionally printed *growth*, *share*, *share_of_gdp*, *change*,
        *wording*, *gap*, *two_year*. Several vintages of a year may be present (*vintage* column); each
        check uses, per year and item, the latest vintage that holds a level.
    year, item, total, value : str
        Column names, and the item code of the total row.
    growth, share, share_of_gdp, change, wording, gap, two_year : str or None
        Printed columns to check (None or absent: skipped): growth (%), structure (%), share of GDP (%), its
        change in points, the announcement's words for it (与上年持平), the gap to GDP growth in points, the
        two-year average growth (%).
    gdp : pandas.DataFrame, optional
        ``year`` and *gdp_value* (same unit as *value*) for the share-of-GDP and gap checks.
    comparable : tuple of str
        Columns that must be equal for two years to be compared (e.g. the census ``basis``).
    vintage : str or None
        Vintage column (the latest wins).
    slip_tolerance : float
        A ratio within this many powers of ten of 10⁴ (or 10⁻⁴) is reported as a unit slip.
    name : str or None
        Column with the item's name, used in the notes.
    share_decimals : str or None
        Column with the decimals a share of GDP was printed with (12.60 is stored as 12.6); absent: as written.
    status, growth_status : str or None
        Status columns (published / derived). A table with a *status* reproduces an announcement: its
        percentages are the announcement's (growth only where *growth_status* says ``published``).
    note_tolerance : float
        A published percentage outside its rounding interval by at most this many points passes with a note
        (the publisher's figure stands); further out it fails, as does one computed by the table's author.
    lang : {"zh", "en"}
        Language of the notes (English: the same figures; the names as the *name* column gives them).

    Returns
    -------
    pandas.DataFrame
        ``check`` (sum, growth, share, share_of_gdp, change, gap, two_year, unit; Chinese names in
        :data:`CHECK_NAMES`, English in :data:`CHECK_NAMES_EN`), ``year``, ``item``, ``name``, ``published``,
        ``computed``, ``lower``, ``upper``, ``ok``, ``note`` (in *lang*).
    """
    en = check_lang(lang) == "en"
    missing = [c for c in (year, item, value) if c not in table.columns]
    if missing:
        raise ValueError(f"audit_table: the table lacks column(s) {', '.join(missing)}")
    comparable = tuple(c for c in comparable if c in table.columns)
    reproduction = bool(status and status in table.columns and table[status].astype(str).str.strip().ne("").any())
    full = table.assign(**{item: table[item].astype(str)})
    data = _latest(full, year, item, value, vintage)
    out: list[dict] = []
    levels = data.set_index([year, item])
    names = {str(k): str(v) for k, v in zip(data[item], data[name])} if name and name in data.columns else {}

    def derived_levels(*labelled) -> list[str]:
        return [label for label, row in labelled if _text(row, status) == "derived"]

    this_year, last_year = (
        ("this year's value added", "the previous year's value added") if en else ("本年增加值", "上年增加值")
    )

    for y, rows in data.groupby(year):
        rows = rows.set_index(item)
        if total not in rows.index:
            continue
        tot = float(rows.at[total, value])
        parts = rows.drop(index=total)[value].astype(float)
        if len(parts):
            tol = sum(half_unit(v) for v in parts) + half_unit(tot)
            row = _row(
                "sum",
                y,
                total,
                tot,
                parts.sum(),
                parts.sum() - tol,
                parts.sum() + tol,
                f"{len(parts)} {'component' if len(parts) == 1 else 'components'}" if en else f"{len(parts)}个分项",
                names.get(total, ""),
            )
            if not row["ok"] and en:
                row["note"] = (
                    f"In {y} the sum of the components, {parts.sum():.1f}, differs from the total, {_fmt(tot, 0)}, by "
                    f"{parts.sum() - tot:+.1f}, beyond the rounding error of ±{tol:.1f}; check against the original "
                    "publication (possibly a data-entry or unit error)."
                )
            elif not row["ok"]:
                row["note"] = (
                    f"{y}年分项之和{parts.sum():.1f}与合计{_fmt(tot, 0)}相差{parts.sum() - tot:+.1f}，"
                    f"超出修约误差±{tol:.1f}；请核对原始公布（可能为录入错误或单位错误）。"
                )
            out.append(row)
        for code, r in rows.iterrows():
            v = float(r[value])
            label = names.get(code, "")
            if share and share in rows.columns and not pd.isna(r[share]) and code != total:
                lo, hi = _ratio_range(v, tot)
                h = half_unit(float(r[share]))
                row = _row("share", y, code, float(r[share]), share_pct(v, tot), lo - h, hi + h, name=label)
                out.append(
                    _judge(
                        row,
                        reproduction,
                        derived_levels((this_year, r)),
                        note_tolerance,
                        "this year's levels" if en else "本年水平",
                        lang=lang,
                    )
                )
            if growth and growth in rows.columns and not pd.isna(r[growth]) and (y - 1, code) in levels.index:
                prev = levels.loc[(y - 1, code)]
                published = reproduction and (
                    not growth_status or growth_status not in rows.columns or _text(r, growth_status) == "published"
                )
                if all(prev[c] == r[c] for c in comparable):
                    p = float(prev[value])
                    lo, hi = _ratio_range(v, p)
                    h = half_unit(float(r[growth]))
                    row = _row(
                        "growth", y, code, float(r[growth]), growth_pct(v, p), lo - 100 - h, hi - 100 + h, name=label
                    )
                    out.append(
                        _judge(
                            row,
                            published,
                            derived_levels((this_year, r), (last_year, prev)),
                            note_tolerance,
                            _level_pair_en(last_year, p, this_year, v)
                            if en
                            else f"上年增加值{_fmt(p, 0)}亿元和本年增加值{_fmt(v, 0)}亿元",
                            lang=lang,
                        )
                    )
                else:
                    out.append(
                        _row(
                            "growth",
                            y,
                            code,
                            float(r[growth]),
                            math.nan,
                            math.nan,
                            math.nan,
                            "the previous year is on another accounting basis: not comparable, not checked"
                            if en
                            else "上年为另一核算口径，不可比，不核查",
                            label,
                        )
                        | {"ok": True}
                    )
            tw = _number(r, two_year) if two_year and two_year in rows.columns else math.nan
            if not math.isnan(tw) and (y - 2, code) in levels.index:
                before = levels.loc[(y - 2, code)]
                if all(before[c] == r[c] for c in comparable):
                    b = float(before[value])
                    lo, hi = _ratio_range(v, b)
                    h = half_unit(tw)
                    row = _row(
                        "two_year",
                        y,
                        code,
                        tw,
                        cagr_pct(b, v, 2),
                        100 * math.sqrt(lo / 100) - 100 - h,
                        100 * math.sqrt(hi / 100) - 100 + h,
                        name=label,
                    )
                    out.append(
                        _judge(
                            row,
                            reproduction,
                            derived_levels(
                                (this_year, r), (f"the value added of {y - 2}" if en else f"{y - 2}年增加值", before)
                            ),
                            note_tolerance,
                            _level_pair_en(f"the value added of {y - 2}", b, this_year, v)
                            if en
                            else f"{y - 2}年增加值{_fmt(b, 0)}亿元和本年增加值{_fmt(v, 0)}亿元",
                            lang=lang,
                        )
                    )
        head = rows.loc[total]
        out += _share_checks(
            full,
            data,
            y,
            head,
            tot,
            dict(
                year=year,
                item=item,
                total=total,
                value=value,
                growth=growth,
                share_of_gdp=share_of_gdp,
                change=change,
                wording=wording,
                gap=gap,
                gdp_value=gdp_value,
                vintage=vintage,
                decimals=share_decimals,
            ),
            gdp,
            comparable,
            reproduction,
            note_tolerance,
            slip_tolerance,
            names.get(total, ""),
            lang,
        )
    out += _unit_slips(data, year, item, value, total, slip_tolerance, names, lang)
    return pd.DataFrame(out, columns=AUDIT_COLUMNS)


def _previous_share(
    full: pd.DataFrame, y: int, head: pd.Series, c: dict, comparable: tuple[str, ...]
) -> pd.Series | None:
    """The previous year's total row with a share of GDP, same basis, latest vintage not after this row's."""
    rows = full[(full[c["year"]] == y - 1) & (full[c["item"]] == c["total"]) & full[c["share_of_gdp"]].notna()]
    for col in comparable:
        rows = rows[rows[col] == head[col]]
    if c["vintage"] and c["vintage"] in rows.columns and c["vintage"] in head.index:
        rows = rows[rows[c["vintage"]] <= head[c["vintage"]]].sort_values(c["vintage"], kind="stable")
    return None if rows.empty else rows.iloc[-1]


def _half(row: pd.Series, column: str, decimals: str | None) -> float:
    """Half a unit of a printed share: from the row's *decimals* column where it has one."""
    d = _number(row, decimals) if decimals and decimals in row.index else math.nan
    return half_unit(float(row[column])) if math.isnan(d) else 0.5 * 10 ** -int(d)


def _share_checks(
    full, data, y, head, tot, c, gdp, comparable, reproduction, tolerance, slip, label, lang="zh"
) -> list[dict]:
    """Share of GDP, its change (or 与上年持平) and the gap to GDP growth of year *y*'s total row."""
    en = lang == "en"
    out: list[dict] = []
    col = c["share_of_gdp"]
    printed = _number(head, col) if col and col in head.index else math.nan
    found = gdp.loc[gdp["year"] == y, c["gdp_value"]] if gdp is not None else pd.Series(dtype=float)
    g = float(found.iloc[0]) if len(found) else math.nan
    gdp_note = (
        ("The GDP data are unverified." if en else "GDP数据未经核实。")
        if gdp is not None
        and "status" in gdp.columns
        and gdp.loc[gdp["year"] == y, "status"].astype(str).eq("unverified").any()
        else ""
    )
    if not math.isnan(printed) and not math.isnan(g):
        lo, hi = _ratio_range(tot, g)
        h = _half(head, col, c["decimals"])
        computed = share_pct(tot, g)
        row = _row("share_of_gdp", y, c["total"], printed, computed, lo - h, hi + h, name=label)
        basis = _level_pair_en("the total", tot, "GDP", g) if en else f"合计{_fmt(tot, 0)}亿元和GDP{_fmt(g, 0)}亿元"
        out.append(_judge(row, reproduction, [], tolerance, basis, gdp_note, lang))
        if printed > 0 and computed > 0 and abs(abs(math.log10(printed / computed)) - 4) <= slip:
            out.append(
                _row(
                    "unit",
                    y,
                    c["total"],
                    printed,
                    computed,
                    math.nan,
                    math.nan,
                    f"The share of GDP in {y} differs by a factor of about 10⁴ from the one computed from the total and "
                    "GDP: 100 million yuan and trillion yuan mixed up?"
                    if en
                    else f"{y}年占GDP比重与按合计和GDP计算的值相差约10⁴倍：亿元与万亿元混用？",
                    label,
                )
                | {"ok": False}
            )
    prev = _previous_share(full, y, head, c, comparable) if col and col in full.columns else None
    stated = _number(head, c["change"]) if c["change"] and c["change"] in head.index else math.nan
    words = _text(head, c["wording"]) if c["wording"] and c["wording"] in head.index else ""
    if prev is not None and not math.isnan(printed) and (not math.isnan(stated) or words):
        before = float(prev[col])
        diff = change_pp(printed, before)
        if words:
            equal = _half(head, col, c["decimals"]) == _half(prev, col, c["decimals"]) and round(diff, 6) == 0
            said = _WORDINGS_EN.get(words, words)
            if en:
                note = (
                    f'"{said}": the published shares of this year and the previous year are both {_fmt(printed)}%'
                    if equal
                    else f'"{said}", but this year\'s published share, {_fmt(printed)}%, differs from the previous '
                    f"year's, {_fmt(before)}%; check against the original publication."
                )
            else:
                note = (
                    f"“{words}”：本年与上年公布比重均为{_fmt(printed)}%"
                    if equal
                    else f"“{words}”，但本年公布比重{_fmt(printed)}%与上年{_fmt(before)}%不同；请核对原始公布。"
                )
            out.append(
                _row(
                    "change",
                    y,
                    c["total"],
                    0.0,
                    diff,
                    diff,
                    diff,
                    note,
                    label,
                )
                | {"ok": bool(equal)}
            )
        else:
            spread = _half(head, col, c["decimals"]) + _half(prev, col, c["decimals"]) + half_unit(stated)
            row = _row("change", y, c["total"], stated, diff, diff - spread, diff + spread, name=label)
            basis = (
                f"this year's share ({_fmt(printed)}%) and the previous year's ({_fmt(before)}%)"
                if en
                else f"本年比重{_fmt(printed)}%和上年比重{_fmt(before)}%"
            )
            out.append(_judge(row, reproduction, [], tolerance, basis, lang=lang))
    stated_gap = _number(head, c["gap"]) if c["gap"] and c["gap"] in head.index else math.nan
    gdp_prev = gdp.loc[gdp["year"] == y - 1, c["gdp_value"]] if gdp is not None else pd.Series(dtype=float)
    grown = _number(head, c["growth"]) if c["growth"] and c["growth"] in head.index else math.nan
    if not math.isnan(stated_gap) and not math.isnan(grown) and not math.isnan(g) and len(gdp_prev):
        now, then = g, float(gdp_prev.iloc[0])
        glo, ghi = _ratio_range(now, then)
        hg, hs = half_unit(grown), half_unit(stated_gap)
        gdp_growth = growth_pct(now, then)
        row = _row(
            "gap",
            y,
            c["total"],
            stated_gap,
            change_pp(grown, gdp_growth),
            grown - hg - (ghi - 100) - hs,
            grown + hg - (glo - 100) + hs,
            name=label,
        )
        basis = (
            f"the growth ({_fmt(grown)}%) and GDP growth at current prices ({gdp_growth:.2f}%)"
            if en
            else f"增速{_fmt(grown)}%和GDP现价增速{gdp_growth:.2f}%"
        )
        out.append(_judge(row, reproduction, [], tolerance, basis, gdp_note, lang))
    return out


def _unit_slips(
    data: pd.DataFrame,
    year: str,
    item: str,
    value: str,
    total: str,
    tolerance: float,
    names: dict | None = None,
    lang: str = "zh",
) -> list[dict]:
    """Levels off their own series by about 10⁴ (亿 vs 万亿, 万 vs 亿), and components above their total."""
    en = lang == "en"
    names = names or {}
    out = []
    for code, rows in data.groupby(item):
        values = rows.set_index(year)[value].astype(float)
        if len(values) < 3:
            continue
        found = 0
        for y, v in values.items():
            others = values.drop(index=y)
            median = float(np.median(others))
            if v <= 0 or median <= 0:
                continue
            power = math.log10(v / median)
            if abs(abs(power) - 4) <= tolerance:
                note = (
                    f"The level in {y} is about 10⁴ times (or one ten-thousandth of) the median of the other years of "
                    "its series: 100 million yuan and trillion yuan (or 10,000 and 100 million) mixed up?"
                    if en
                    else f"{y}年水平约为本序列其他年份中位数的10⁴倍（或万分之一）：亿元与万亿元（或万与亿）混用？"
                )
                out.append(
                    _row("unit", y, code, v, median, math.nan, math.nan, note, names.get(code, "")) | {"ok": False}
                )
                found += 1
        if not found:  # one passed check per series, so the summary shows the check was made
            last = values.index.max()
            out.append(
                _row(
                    "unit",
                    last,
                    code,
                    values[last],
                    float(np.median(values)),
                    math.nan,
                    math.nan,
                    f"no jump by a factor of 10⁴ in the {values.index.min()}–{last} series"
                    if en
                    else f"{values.index.min()}–{last}年序列无10⁴倍跳变",
                    names.get(code, ""),
                )
                | {"ok": True}
            )
    for y, rows in data.groupby(year):
        rows = rows.set_index(item)
        if total not in rows.index:
            continue
        tot = float(rows.at[total, value])
        for code, v in rows.drop(index=total)[value].astype(float).items():
            if v > tot * 1.0001:
                out.append(
                    _row(
                        "unit",
                        y,
                        code,
                        v,
                        tot,
                        math.nan,
                        math.nan,
                        f"In {y} the component is larger than the total: a unit error?"
                        if en
                        else f"{y}年分项大于合计：单位错误？",
                        names.get(code, ""),
                    )
                    | {"ok": False}
                )
    return out


def noted(result: pd.DataFrame) -> pd.Series:
    """The checks of :func:`audit_table` passed with a note on a published figure that stands (either language).

    Examples
    --------
    >>> noted(pd.DataFrame({"ok": [True, True, False], "note": ["…以公布的增速为准。", "7个分项", "…以公布值为准"]})).tolist()
    [True, False, False]
    """
    notes = result["note"].astype(str)
    return result["ok"].astype(bool) & (
        notes.str.contains(_STANDS[0], regex=False) | notes.str.contains(_STANDS[1], regex=False)
    )


def audit_summary(result: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Checks done, passed (of which with a note on a published figure) and failed, by check; ``check_name`` in
    *lang* (:data:`CHECK_NAMES`, or :data:`CHECK_NAMES_EN` for ``"en"``)."""
    names = CHECK_NAMES_EN if check_lang(lang) == "en" else CHECK_NAMES
    order = list(CHECK_NAMES)
    summary = (
        result.assign(noted=noted(result))
        .groupby("check")
        .agg(checks=("ok", "size"), failed=("ok", lambda s: int((~s).sum())), noted=("noted", "sum"))
    )
    summary = summary.reindex([c for c in order if c in summary.index]).reset_index()
    summary["passed"] = summary["checks"] - summary["failed"]
    summary["check_name"] = summary["check"].map(names)
    return summary[["check", "check_name", "checks", "passed", "noted", "failed"]].astype(
        {"noted": int, "checks": int, "passed": int, "failed": int}
    )


def audit_report(result: pd.DataFrame, lang: str = "zh") -> str:
    """The audit in Chinese (or English, *lang* ``"en"``): what was checked, whether it passed, and every note on
    a published figure or failure.

    Examples
    --------
    >>> table = pd.DataFrame({"year": [2022] * 3, "category_code": ["00", "01", "02"],
    ...                       "value_added_100m_yuan": [10.0, 6.0, 4.0]})
    >>> audit_report(audit_table(table, growth=None, share=None, share_of_gdp=None))
    '发布数据一致性核查：分项合计1项，全部通过。'
    >>> audit_report(audit_table(table, growth=None, share=None, share_of_gdp=None, lang="en"), lang="en")
    'Consistency audit of the published data: sum of components (1 check), all passed.'
    """
    if check_lang(lang) == "en":
        return _audit_report_en(result)
    summary = audit_summary(result)
    if summary.empty:
        return "发布数据一致性核查：无可核查的数据。"
    parts = "，".join(f"{r.check_name}{r.checks}项" for r in summary.itertuples())
    failed = int(summary["failed"].sum())
    text = f"发布数据一致性核查：{parts}，" + (f"{failed}项未通过。" if failed else "全部通过。")
    notes = result[result["note"].astype(str).str.contains("以公布", regex=False) & result["ok"]]
    if len(notes):
        text += "其中公布值与按水平计算的值之差超出修约误差、已说明原因的：" + "".join(notes["note"])
    bad = result[~result["ok"]]
    if len(bad):
        text += "未通过：" + "".join(n if n.endswith("。") else n + "。" for n in bad["note"].astype(str))
    return text


def _audit_report_en(result: pd.DataFrame) -> str:
    """The English of :func:`audit_report`."""
    summary = audit_summary(result, "en")
    lead = "Consistency audit of the published data: "
    if summary.empty:
        return lead + "no data to check."
    parts = ", ".join(
        f"{r.check_name[:1].lower()}{r.check_name[1:]} ({r.checks} {'check' if r.checks == 1 else 'checks'})"
        for r in summary.itertuples()
    )
    failed = int(summary["failed"].sum())
    text = f"{lead}{parts}, " + (f"{failed} failed." if failed else "all passed.")
    notes = result[noted(result)]
    if len(notes):
        text += (
            " Of these, published figures that differ from those computed from the levels by more than rounding, "
            "with the reason stated: " + " ".join(notes["note"].astype(str))
        )
    bad = result[~result["ok"]]
    if len(bad):
        text += " Failed: " + " ".join(n if n.endswith((".", "?")) else n + "." for n in bad["note"].astype(str))
    return text
