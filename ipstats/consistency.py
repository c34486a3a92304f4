"""Consistency audit of a published table against itself (发布数据一致性核查).

Any long table of levels by year and item with a total row (value added by category, patents by field,
…) can be checked before publication:

* **sum** — the components add up to the total within rounding: the sum of the half-units of every
  printed figure (a level printed as ``153176`` may be anything in ``[153175.5, 153176.5)``);
* **growth** — a printed growth rate lies in the range of growths the two printed levels allow, widened
  by half a unit of the growth's last digit;
* **share** — a printed structure share lies in the range the component and total allow;
* **share of GDP** — a printed share of GDP lies in the range the total and GDP allow;
* **unit** — unit slips (亿 vs 万亿, a factor of 10⁴; also 万 vs 亿): a level whose ratio to the median
  of its own series, or a component larger than its total, or a share of GDP off by a power of ten.

Every check works on intervals of the printed figures, so a failure is a real inconsistency, never
rounding. The result is one row per check with the published and the computed figure and the
admissible interval.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["AUDIT_COLUMNS", "audit_summary", "audit_table", "half_unit", "printed_decimals"]

AUDIT_COLUMNS = ["check", "year", "item", "published", "computed", "lower", "upper", "ok", "note"]


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


def _row(check, year, item, published, computed, lower, upper, note="") -> dict:
    ok = bool(lower - 1e-9 <= published <= upper + 1e-9) if not math.isnan(published) else True
    return dict(check=check, year=int(year), item=str(item), published=float(published), computed=float(computed),
                lower=float(lower), upper=float(upper), ok=ok, note=note)


def _latest(table: pd.DataFrame, year: str, item: str, value: str, order: str | None) -> pd.DataFrame:
    """One row per (year, item): the latest vintage (*order*) holding a level."""
    rows = table[table[value].notna()]
    if order and order in rows.columns:
        rows = rows.sort_values(order, kind="stable")
    return rows.drop_duplicates([year, item], keep="last")


def audit_table(table: pd.DataFrame, *, year: str = "year", item: str = "category_code", total: str = "00",
                value: str = "value_added_100m_yuan", growth: str | None = "growth_pct",
                share: str | None = "share_pct", share_of_gdp: str | None = "share_of_gdp_pct",
                gdp: pd.DataFrame | None = None, gdp_value: str = "gdp_100m_yuan",
                comparable: tuple[str, ...] = ("basis",), vintage: str | None = "vintage",
                slip_tolerance: float = 0.5) -> pd.DataFrame:
    """Check a published table's figures against each other.

    Parameters
    ----------
    table : pandas.DataFrame
        Long table: *year*, *item*, *value* and optionally printed *growth*, *share*, *share_of_gdp*.
        Several vintages of a year may be present (*vintage* column); each check uses, per year and item,
        the latest vintage that holds a level.
    year, item, total, value : str
        Column names, and the item code of the total row.
    growth, share, share_of_gdp : str or None
        Printed percentage columns to check (None or absent: skipped).
    gdp : pandas.DataFrame, optional
        ``year`` and *gdp_value* (same unit as *value*) for the share-of-GDP check.
    comparable : tuple of str
        Columns that must be equal for two years to be compared (e.g. the census ``basis``).
    vintage : str or None
        Vintage column (the latest wins).
    slip_tolerance : float
        A ratio within this many powers of ten of 10⁴ (or 10⁻⁴) is reported as a unit slip.

    Returns
    -------
    pandas.DataFrame
        ``check`` (sum, growth, share, share_of_gdp, unit), ``year``, ``item``, ``published``,
        ``computed``, ``lower``, ``upper``, ``ok``, ``note``.
    """
    missing = [c for c in (year, item, value) if c not in table.columns]
    if missing:
        raise ValueError(f"audit_table: the table lacks column(s) {', '.join(missing)}")
    comparable = tuple(c for c in comparable if c in table.columns)
    data = _latest(table, year, item, value, vintage)
    data = data.assign(**{item: data[item].astype(str)})
    out: list[dict] = []
    levels = data.set_index([year, item])
    for y, rows in data.groupby(year):
        rows = rows.set_index(item)
        if total not in rows.index:
            continue
        tot = float(rows.at[total, value])
        parts = rows.drop(index=total)[value].astype(float)
        if len(parts):
            tol = sum(half_unit(v) for v in parts) + half_unit(tot)
            out.append(_row("sum", y, total, tot, parts.sum(), parts.sum() - tol, parts.sum() + tol,
                            f"{len(parts)} components"))
        for code, r in rows.iterrows():
            v = float(r[value])
            if share and share in rows.columns and not pd.isna(r[share]) and code != total:
                lo, hi = _ratio_range(v, tot)
                h = half_unit(float(r[share]))
                out.append(_row("share", y, code, float(r[share]), 100 * v / tot, lo - h, hi + h))
            if growth and growth in rows.columns and not pd.isna(r[growth]) and (y - 1, code) in levels.index:
                prev = levels.loc[(y - 1, code)]
                if all(prev[c] == r[c] for c in comparable):
                    p = float(prev[value])
                    lo, hi = _ratio_range(v, p)
                    h = half_unit(float(r[growth]))
                    out.append(_row("growth", y, code, float(r[growth]), 100 * v / p - 100, lo - 100 - h,
                                    hi - 100 + h, _status_note(r, prev)))
                else:
                    out.append(_row("growth", y, code, float(r[growth]), math.nan, math.nan, math.nan,
                                    "previous year on another basis: not comparable") | {"ok": True})
        if gdp is not None and share_of_gdp and share_of_gdp in rows.columns and not pd.isna(rows.at[total, share_of_gdp]):
            g = gdp.loc[gdp["year"] == y, gdp_value]
            if len(g):
                g = float(g.iloc[0])
                printed = float(rows.at[total, share_of_gdp])
                lo, hi = _ratio_range(tot, g)
                h = half_unit(printed)
                out.append(_row("share_of_gdp", y, total, printed, 100 * tot / g, lo - h, hi + h))
                ratio = printed / (100 * tot / g)
                if abs(abs(math.log10(ratio)) - 4) <= slip_tolerance:
                    out.append(_row("unit", y, total, printed, 100 * tot / g, math.nan, math.nan,
                                    "share of GDP off by 10^4: 亿元 vs 万亿元?") | {"ok": False})
    out += _unit_slips(data, year, item, value, total, slip_tolerance)
    return pd.DataFrame(out, columns=AUDIT_COLUMNS)


def _status_note(current: pd.Series, previous: pd.Series, column: str = "value_status") -> str:
    """Say which level is not a published figure (derived levels explain most growth failures)."""
    statuses = [f"{label} level {row[column]}" for label, row in (("this year's", current), ("last year's", previous))
                if column in row.index and row[column] not in ("", "published")]
    return "; ".join(statuses)


def _unit_slips(data: pd.DataFrame, year: str, item: str, value: str, total: str, tolerance: float) -> list[dict]:
    """Levels off their own series by about 10⁴ (亿 vs 万亿, 万 vs 亿), and components above their total."""
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
                note = "about 10^4 times its series: 亿元 vs 万亿元 (or 万 vs 亿)?"
                out.append(_row("unit", y, code, v, median, math.nan, math.nan, note) | {"ok": False})
                found += 1
        if not found:          # one passed check per series, so the summary shows the check was made
            last = values.index.max()
            out.append(_row("unit", last, code, values[last], float(np.median(values)), math.nan, math.nan,
                            f"series {values.index.min()}–{last}: no 10^4 jump") | {"ok": True})
    for y, rows in data.groupby(year):
        rows = rows.set_index(item)
        if total not in rows.index:
            continue
        tot = float(rows.at[total, value])
        for code, v in rows.drop(index=total)[value].astype(float).items():
            if v > tot * 1.0001:
                out.append(_row("unit", y, code, v, tot, math.nan, math.nan,
                                "component larger than the total: unit slip?") | {"ok": False})
    return out


def audit_summary(result: pd.DataFrame) -> pd.DataFrame:
    """Checks done and failed, by check (for the notebook and the bulletin)."""
    order = ["sum", "growth", "share", "share_of_gdp", "unit"]
    summary = result.groupby("check").agg(checks=("ok", "size"), failed=("ok", lambda s: int((~s).sum())))
    summary = summary.reindex([c for c in order if c in summary.index]).reset_index()
    summary["passed"] = summary["checks"] - summary["failed"]
    return summary[["check", "checks", "passed", "failed"]]
