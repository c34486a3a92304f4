"""Identify patent-intensive industries (专利密集型产业识别) from invention patents and employment by industry.

Method (the idea of 《知识产权（专利）密集型产业统计分类（2019）》 and of the EPO–EUIPO and USPTO studies)
----------------------------------------------------------------------------------------------------
1. **Patents by industry** over a reference window (e.g. five years of invention grants, 发明专利授权):
   either through an IPC→industry concordance — each patent's unit weight is spread over industries by
   the table's weights (fractional counting, :func:`ipstats.counting.count`), the shipped example being
   the Fraunhofer ISI IPC→NACE Rev.2 probabilities (``isi_nace2``) — or through the owner's industry code
   when the register has a column for it (the EU/US method; several codes separated by ``;`` split the
   patent equally, as among co-owners).
2. **Employment by industry** (从业人员): the mean over the window's years present in the table.
3. **Intensity** (发明专利密集度) = window patents per 10,000 employees.
4. **Thresholds**: the all-industry average (``threshold="all"``: all patents over all employment) or the
   average over patent-using industries (``"users"``: industries with at least ``user_min_patents``
   patents — the EPO–EUIPO choice), times ``multiplier``; optional minimum scale (``min_patents``,
   ``min_employment``). An industry is patent-intensive when it meets all of them; the table says why.
5. **Sensitivity**: :func:`sensitivity` recomputes the list for other windows and thresholds and counts
   the industries that enter or leave.

Disclosure control (:func:`protect_identification`): patent counts come from the register, public by law,
and are published; census employment below the published categories is confidential, so employment and
the intensity (which would give it back) are withheld and the table is sorted by industry code; the
decision stays published (it only says on which side of the threshold the intensity lies).

Running it with CNIPA's 2018 IPC–国民经济行业 table and real employment
------------------------------------------------------------------------
* write the concordance as a rules CSV (``data_schemas/concordance_rules.schema.yaml``): one row per IPC
  pattern and GB/T 4754 industry (``category`` = the industry code, ``weight`` the share when a symbol is
  split over several industries, 1 otherwise), with a ``.yaml`` beside it giving ``weighting:
  probabilistic`` when weights are used (see ``data_schemas/concordance_system.md``); pass its path as
  ``system``;
* or, when the register carries the owner's industry (e.g. from the enterprise register), pass that column
  as ``industry_column``;
* supply employment by industry (``data_schemas/employment_by_industry.schema.yaml``: ``industry_code``,
  ``year``, ``employment``; e.g. economic-census 从业人员 by GB/T 4754 小类) with the same codes as the
  concordance's categories, and name the industries with ``industry_names``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ipstats.concordance import classify_table, load_system
from ipstats.concordance.api import links_from_register
from ipstats.counting import CountSpec, count_classified
from ipstats.register.io import connect, open_register

__all__ = ["THRESHOLDS", "Identification", "employment_in_window", "identify", "industry_names",
           "patents_by_industry", "protect_identification", "read_employment", "sensitivity", "window_patents"]

#: Threshold rules: all-industry average, or average over patent-using industries.
THRESHOLDS = {"all": "全部行业平均密集度", "users": "使用专利行业平均密集度"}
DATA_DIR = Path(__file__).with_name("data")


@lru_cache(maxsize=None)
def _divisions() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "nace2_divisions.csv", dtype=str, keep_default_na=False)


def industry_names() -> pd.Series:
    """Short Chinese names of the NACE Rev.2 divisions (the ``isi_nace2`` categories), by 2-digit code."""
    table = _divisions()
    return pd.Series(table["name_zh"].to_numpy(), index=table["division"], name="industry_name")


def _owner_industry(con, register: str, column: str) -> str:
    """Table ``owner_industry`` (patent_id, category, weight, match) from a register column of industry codes."""
    cols = [r[0] for r in con.execute("DESCRIBE register").fetchall()]
    if column not in cols:
        raise ValueError(f"{register}: no column {column!r} with the owner's industry code (columns: {', '.join(cols)})")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE owner_industry AS
        WITH parts AS (SELECT application_number AS patent_id, trim(unnest(string_split({column}::VARCHAR, ';'))) AS category
                       FROM register WHERE {column} IS NOT NULL AND trim({column}::VARCHAR) <> ''),
             d AS (SELECT DISTINCT patent_id, category FROM parts WHERE category <> '')
        SELECT patent_id, category, 1.0 / COUNT(*) OVER (PARTITION BY patent_id) AS weight, 'confirmed' AS match FROM d""")
    return "owner_industry"


def patents_by_industry(register: str | Path, years, *, system: str = "isi_nace2", industry_column: str | None = None,
                        patent_types: tuple[str, ...] = ("发明",), measure: str = "grants",
                        by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Fractional patents by industry and year (分行业发明专利，分数计数).

    Parameters
    ----------
    register : path
        Register (Parquet/CSV).
    years : iterable of int
        Years of the flow (by grant date for grants).
    system : str
        IPC→industry concordance (system id or rules CSV path); ignored with *industry_column*.
    industry_column : str, optional
        Register column holding the owner's industry code(s), ``;``-separated.
    patent_types, measure :
        What is counted (invention grants by default).
    by : tuple of str
        Extra register columns to break down by (e.g. ``applicant_name`` for disclosure control).

    Returns
    -------
    pandas.DataFrame
        ``year``, *by*, ``industry``, ``patents`` (fractional: sums to the patents attributed).
    """
    spec = CountSpec(measure=measure, years=tuple(sorted(set(int(y) for y in years))), patent_types=patent_types,
                     by=tuple(by))
    con = connect()
    try:
        open_register(register, con)
        if industry_column:
            classified = _owner_industry(con, str(register), industry_column)
        else:
            texts, _ = links_from_register(con, register)
            classified = classify_table(con, load_system(system), "links", texts, keywords="ignore")
        cube = count_classified(con, spec, "register", classified)
    finally:
        con.close()
    cube = cube.rename(columns={"category": "industry", "fractional": "patents"})
    return cube[["year", *by, "industry", "patents"]].astype({"patents": float})


def window_patents(by_year: pd.DataFrame, end_year: int, window: int) -> pd.DataFrame:
    """Patents of each industry summed over the *window* years ending with *end_year*."""
    if window < 1:
        raise ValueError(f"the reference window must be at least one year, got {window}")
    years = range(end_year - window + 1, end_year + 1)
    missing = sorted(set(years) - set(by_year["year"]))
    if missing:
        raise ValueError(f"patents by industry lack the window year(s) {', '.join(map(str, missing))}")
    sel = by_year[by_year["year"].isin(years)]
    return sel.groupby("industry", as_index=False)["patents"].sum()


def read_employment(path: str | Path) -> pd.DataFrame:
    """Employment by industry and year (分行业从业人员): ``industry_code``, ``year``, ``employment``, ``status``.

    Read as ``ipstats validate`` reads it (any encoding, Excel, Parquet, Chinese headers) and checked against
    ``data_schemas/employment_by_industry.schema.yaml`` as well.

    Raises
    ------
    FileNotFoundError, ValueError
        Missing file, missing column, a non-numeric or negative employment (file, row and field named), or
        anything else the schema refuses (:class:`ipstats.validate.InputError`, the validator's line).
    """
    from ipstats.pii.value_added import _checked, _read_table

    table = _read_table(path, "employment", "employment_by_industry")
    missing = [c for c in ("industry_code", "year", "employment") if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)} "
                         "(data_schemas/employment_by_industry.schema.yaml)")
    values = pd.to_numeric(table["employment"], errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise ValueError(f"{path}: row {i + 2}, field employment: {table['employment'].iloc[i]!r} "
                         "is not a number ≥ 0")
    table["employment"] = values.astype(float)
    table["year"] = pd.to_numeric(table["year"]).astype(int)
    if "status" not in table.columns:
        table["status"] = ""
    return _checked(table, path, "employment_by_industry")


def employment_in_window(employment: pd.DataFrame, end_year: int, window: int) -> pd.DataFrame:
    """Mean employment of each industry over the window's years present in the table (``industry``, ``employment``)."""
    years = range(end_year - window + 1, end_year + 1)
    sel = employment[employment["year"].isin(years)]
    if sel.empty:
        raise ValueError(f"employment by industry has no figure for {years.start}–{years.stop - 1}")
    out = sel.groupby("industry_code", as_index=False)["employment"].mean()
    return out.rename(columns={"industry_code": "industry"})


@dataclass
class Identification:
    """The identified list with every industry's numbers, the thresholds and the reasons.

    ``table`` columns: ``industry``, ``industry_name``, ``patents``, ``employment``, ``intensity_per_10k``,
    ``patent_using``, ``meets_intensity``, ``meets_scale``, ``intensive``, ``decision``, ``reason``.
    """

    table: pd.DataFrame
    threshold: str
    threshold_per_10k: float
    average_all_per_10k: float
    average_users_per_10k: float
    parameters: dict = field(default_factory=dict)

    @property
    def intensive(self) -> list[str]:
        """Codes of the industries identified as patent-intensive."""
        return sorted(self.table.loc[self.table["intensive"], "industry"])

    def key_numbers(self, intensities: bool = True) -> str:
        """Headline numbers as stable plain text (checked by nbval).

        ``intensities=False`` (confidential employment) lists the identified industries by code, without
        their intensities.
        """
        if not intensities:
            lines = [f"门槛（{THRESHOLDS[self.threshold]}×{self.parameters.get('multiplier', 1):g}）: "
                     f"{self.threshold_per_10k:.2f} 件/万人; 全部行业平均 {self.average_all_per_10k:.2f}",
                     f"专利密集型行业 {int(self.table['intensive'].sum())} 个 / {len(self.table)} 个行业"]
            chosen = self.table[self.table["intensive"]].sort_values("industry")
            return "\n".join(lines + [f"{r.industry} {r.industry_name}" for r in chosen.itertuples()])
        top = self.table[self.table["intensive"]].nlargest(3, "intensity_per_10k")
        lines = [f"门槛（{THRESHOLDS[self.threshold]}×{self.parameters.get('multiplier', 1):g}）: "
                 f"{self.threshold_per_10k:.2f} 件/万人; 全部行业平均 {self.average_all_per_10k:.2f}, "
                 f"使用专利行业平均 {self.average_users_per_10k:.2f}",
                 f"专利密集型行业 {int(self.table['intensive'].sum())} 个 / {len(self.table)} 个行业"]
        lines += [f"{r.industry} {r.industry_name}: {r.intensity_per_10k:.2f} 件/万人" for r in top.itertuples()]
        return "\n".join(lines)


def _reason(row, threshold: float, min_patents: float, min_employment: float) -> str:
    if pd.isna(row.employment) or row.employment <= 0:
        return "无就业人员数据，不能计算密集度"
    parts = [f"密集度{row.intensity_per_10k:.2f}{'≥' if row.meets_intensity else '<'}门槛{threshold:.2f}"]
    if min_patents > 0:
        parts.append(f"发明专利{row.patents:.1f}件{'≥' if row.patents >= min_patents else '<'}规模门槛{min_patents:g}件")
    if min_employment > 0:
        parts.append(f"从业人员{row.employment:.0f}人{'≥' if row.employment >= min_employment else '<'}"
                     f"规模门槛{min_employment:g}人")
    return "；".join(parts)


def identify(patents: pd.DataFrame, employment: pd.DataFrame, *, threshold: str = "all", multiplier: float = 1.0,
             min_patents: float = 0.0, min_employment: float = 0.0, user_min_patents: float = 0.0,
             names: pd.Series | None = None) -> Identification:
    """Flag the industries whose invention-patent intensity and scale reach the thresholds.

    Parameters
    ----------
    patents : pandas.DataFrame
        ``industry``, ``patents`` over the window (:func:`window_patents`).
    employment : pandas.DataFrame
        ``industry``, ``employment`` (persons) over the window (:func:`employment_in_window`).
    threshold : {"all", "users"}
        All-industry average intensity, or the average over patent-using industries.
    multiplier : float
        The threshold is this multiple of the average (1 = above average).
    min_patents, min_employment : float
        Minimum scale: window patents and employment an industry needs (0 = no condition).
    user_min_patents : float
        An industry uses patents when it has more than this many window patents.
    names : pandas.Series, optional
        Industry names by code (default: :func:`industry_names`, the NACE divisions).

    Returns
    -------
    Identification
    """
    if threshold not in THRESHOLDS:
        raise ValueError(f"threshold must be one of {', '.join(THRESHOLDS)}, got {threshold!r}")
    if multiplier <= 0:
        raise ValueError(f"multiplier must be > 0, got {multiplier}")
    table = employment[["industry", "employment"]].merge(patents[["industry", "patents"]], on="industry", how="outer")
    table["patents"] = table["patents"].fillna(0.0)
    with_emp = table[table["employment"].fillna(0) > 0]
    table["intensity_per_10k"] = (table["patents"] / table["employment"].where(table["employment"] > 0)) * 10_000
    table["patent_using"] = table["patents"] > user_min_patents
    users = with_emp[with_emp["patents"] > user_min_patents]
    avg_all = 10_000 * with_emp["patents"].sum() / with_emp["employment"].sum()
    avg_users = 10_000 * users["patents"].sum() / users["employment"].sum() if len(users) else float("nan")
    level = multiplier * (avg_all if threshold == "all" else avg_users)
    table["meets_intensity"] = table["intensity_per_10k"] >= level
    table["meets_scale"] = (table["patents"] >= min_patents) & (table["employment"].fillna(0) >= min_employment)
    table["intensive"] = table["meets_intensity"] & table["meets_scale"]
    table["decision"] = table["intensive"].map({True: "专利密集型", False: "非专利密集型"})
    table["reason"] = [_reason(r, level, min_patents, min_employment) for r in table.itertuples()]
    names = industry_names() if names is None else names
    table.insert(1, "industry_name", table["industry"].map(names).fillna(""))
    table = table.sort_values(["intensive", "intensity_per_10k"], ascending=False, ignore_index=True)
    params = dict(threshold=threshold, multiplier=multiplier, min_patents=min_patents, min_employment=min_employment,
                  user_min_patents=user_min_patents)
    return Identification(table, threshold, level, avg_all, avg_users, params)


def sensitivity(by_year: pd.DataFrame, employment: pd.DataFrame, end_year: int, windows=(3, 5, 7),
                thresholds=("all", "users"), multipliers=(1.0,), baseline: tuple | None = None,
                **options) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How the list changes with the reference window and the threshold rule.

    Parameters
    ----------
    by_year : pandas.DataFrame
        ``year``, ``industry``, ``patents`` (:func:`patents_by_industry`) covering the widest window.
    employment : pandas.DataFrame
        ``industry_code``, ``year``, ``employment`` (:func:`read_employment`).
    end_year : int
        Last year of every window.
    windows, thresholds, multipliers : iterables
        Scenarios (their product).
    baseline : tuple, optional
        ``(window, threshold, multiplier)`` the others are compared with; default the first scenario.
    **options
        Passed to :func:`identify` (``min_patents``, ``min_employment``, ``user_min_patents``, ``names``).

    Returns
    -------
    summary : pandas.DataFrame
        One row per scenario: ``window``, ``threshold``, ``multiplier``, ``threshold_per_10k``,
        ``n_intensive``, ``entered`` and ``left`` (against the baseline), ``overlap_pct`` (Jaccard index).
    membership : pandas.DataFrame
        Industries × scenarios, True where the industry is patent-intensive.
    """
    results = {}
    for w in windows:
        pats, emp = window_patents(by_year, end_year, w), employment_in_window(employment, end_year, w)
        for t in thresholds:
            for m in multipliers:
                results[(w, t, m)] = identify(pats, emp, threshold=t, multiplier=m, **options)
    base_key = baseline or next(iter(results))
    if base_key not in results:
        raise ValueError(f"baseline {base_key} is not one of the scenarios")
    base = set(results[base_key].intensive)
    rows, columns = [], {}
    for (w, t, m), res in results.items():
        now = set(res.intensive)
        union = base | now
        rows.append({"window": w, "threshold": t, "multiplier": m, "threshold_per_10k": res.threshold_per_10k,
                     "n_intensive": len(now), "entered": len(now - base), "left": len(base - now),
                     "overlap_pct": 100.0 * len(base & now) / len(union) if union else 100.0,
                     "baseline": (w, t, m) == base_key})
        columns[f"{w}年/{t}/×{m:g}"] = res.table.set_index("industry")["intensive"]
    membership = pd.DataFrame(columns).fillna(False)
    membership = membership[membership.any(axis=1)].sort_index()
    names = options.get("names")
    membership.insert(0, "industry_name", membership.index.map(industry_names() if names is None else names))
    return pd.DataFrame(rows), membership.reset_index(names="industry")


def _public_reason(row, min_patents: float, min_employment: float) -> str:
    """The reason without the employment figure or the intensity (census employment is confidential)."""
    if pd.isna(row.employment) or row.employment <= 0:
        return "无就业人员数据，不能计算密集度"
    parts = [f"密集度{'达到' if row.meets_intensity else '未达到'}门槛"]
    if min_patents > 0:
        parts.append(f"发明专利{row.patents:.1f}件{'≥' if row.patents >= min_patents else '<'}规模门槛{min_patents:g}件")
    if min_employment > 0:
        parts.append(f"从业人员{'达到' if row.employment >= min_employment else '未达到'}规模门槛{min_employment:g}人")
    return "；".join(parts)


def protect_identification(table: pd.DataFrame, contributors: pd.DataFrame,
                           rules: dict | None = None, parameters: dict | None = None) -> tuple[pd.DataFrame, dict]:
    """Disclosure control of the identification table, by the confidentiality of its two inputs.

    * Patents come from the register, public by law: published as they are — unless the policy declares
      the register confidential; then :mod:`ipstats.sdc` protects the patent column (contributors = distinct
      applicants with a positive weight in the industry; largest and second-largest applicant's fractional
      patents), with the intensity suppressed beside a suppressed count.
    * Employment by industry below the published categories (census detail) is confidential
      (``confidentiality: {employment_by_industry: confidential}``, the default): the employment column and
      the intensity (which gives employment back from the public patent count) are withheld, the reasons
      say on which side of each threshold an industry lies without figures, and the table is sorted by
      industry code (an order by intensity would rank the withheld values). The decision stays published
      (the identified list is the statistic). Declare employment ``public`` when it is published data (a
      census yearbook's categories).

    Parameters
    ----------
    table : pandas.DataFrame
        ``Identification.table``.
    contributors : pandas.DataFrame
        ``industry``, ``applicant``, ``patents``: fractional window patents of each applicant in each industry
        (:func:`patents_by_industry` with ``by=("applicant_name",)``, summed over the window); used only for
        a confidential register.
    rules : dict, optional
        :class:`ipstats.sdc.Rules` fields and the policy.
    parameters : dict, optional
        ``Identification.parameters`` (the scale thresholds, for the reasons).

    Returns
    -------
    published : pandas.DataFrame
        *table* with the withheld and suppressed cells missing (shown as ``—``).
    record : dict
        Policy, withheld columns, suppressed cells and the audit result (for the bulletin manifest).
    """
    from ipstats.sdc import CONFIDENTIAL, Rules, protect, record as sdc_record

    rules_ = Rules.of(rules)
    parameters = parameters or {}
    published = table.copy()
    result = {"rules": rules_.rule_dict(), "source": "register, employment_by_industry", "suppressed": [],
              "cells": int(len(table)), "primary": 0, "secondary": 0, "audit_pass": True}
    if rules_.is_confidential("register"):
        per = contributors[contributors["patents"] > 0].sort_values(["industry", "patents"], ascending=[True, False])
        per = per.assign(rank=per.groupby("industry").cumcount())
        grouped = per.groupby("industry")["patents"]
        cells = pd.DataFrame({"value": grouped.sum(), "contributors": grouped.size(),
                              "largest": per[per["rank"] == 0].set_index("industry")["patents"],
                              "second": per[per["rank"] == 1].set_index("industry")["patents"]})
        cells = cells.reindex(table["industry"]).fillna(0.0).rename_axis("row").reset_index().assign(col="patents")
        protected, audit = protect(cells, rules_, row_totals=False, col_totals=True)
        hidden = protected[protected["status"] != "published"]
        mask = published["industry"].isin(hidden["row"])
        published.loc[mask, ["patents", "intensity_per_10k"]] = float("nan")
        result.update({k: v for k, v in sdc_record(protected, audit, rules_, "register").items()
                       if k in ("primary", "secondary", "suppressed", "audit_pass")})
    if rules_.is_confidential("employment_by_industry"):
        published["reason"] = [_public_reason(r, parameters.get("min_patents", 0.0),
                                              parameters.get("min_employment", 0.0)) for r in table.itertuples()]
        withheld = table["employment"].notna()
        result["suppressed"] += [{"row": code, "col": col, "status": "withheld"}
                                 for code in table.loc[withheld, "industry"] for col in ("employment", "intensity_per_10k")]
        result["withheld_columns"] = ["employment", "intensity_per_10k"]
        result["confidentiality"] = CONFIDENTIAL
        result["note"] = ("census employment below the published categories is confidential: employment and intensity "
                          "withheld; the decision (which side of the threshold) stays published")
        published[["employment", "intensity_per_10k"]] = float("nan")
        published = published.sort_values("industry", kind="stable", ignore_index=True)
    elif not rules_.is_confidential("register"):
        return published, None
    return published, result
