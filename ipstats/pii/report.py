"""What the patent-intensive industries notebook shows, computed in two calls (identification, value added)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ipstats.labels import labels
from ipstats.concordance import load_system
from ipstats.consistency import CHECK_NAMES, CHECK_NAMES_EN, audit_report, audit_summary, audit_table
from ipstats.language import check_lang
from ipstats.pii.announcement import announcement, announcement_table, basis_en, category_name_en, source_en
from ipstats.pii.identify import (
    DEFAULTS,
    THRESHOLDS,
    Comparison,
    Identification,
    compare_official,
    employment_in_window,
    identify,
    industry_names,
    patent_using,
    patents_by_industry,
    protect_identification,
    read_employment,
    read_official_list,
    roll_up,
    sensitivity,
    window_patents,
)
from ipstats.pii.value_added import YearView, cagr_table, compile_year, history, latest_year, read_gdp, read_value_added

__all__ = [
    "LABELS",
    "IdentificationView",
    "ValueAddedView",
    "compute_identification",
    "compute_value_added",
    "for_display",
]

#: Chinese column labels of the PII tables (CSV files keep the machine names).
LABELS = labels(
    "zh",
    keys=(
        "industry",
        "industry_name",
        "patents",
        "employment",
        "intensity_per_10k",
        "patent_using",
        "meets_intensity",
        "meets_scale",
        "intensive",
        "decision",
        "reason",
        "window",
        "threshold",
        "multiplier",
        "threshold_per_10k",
        "n_intensive",
        "entered",
        "left",
        "overlap_pct",
        "baseline",
        "category_code",
        "category_name",
        "n_patent_using",
        "identified",
        "official",
        "official_classes",
        "partial",
        "categories",
        "agreement",
        "category_name_zh",
        "identified_pct",
        "value_added_100m_yuan",
        "growth_pct",
        "share_pct",
        "value_status",
        "share_of_gdp_pct",
        "change_pp",
        "basis",
        "gdp_status",
        "first",
        "last",
        "cagr_pct",
        "span",
        "check",
        "item",
        "published",
        "computed",
        "lower",
        "upper",
        "ok",
        "note",
        "checks",
        "passed",
        "failed",
        "check_name",
        "noted",
        "name",
        "year",
        "growth_status",
        "share_status",
    ),
    context="pii",
)
#: English of the threshold rules (:data:`ipstats.pii.identify.THRESHOLDS`) and of the ``derived`` flag.
_THRESHOLDS_EN = {
    "all": "Average intensity of all industries",
    "users": "Average intensity of the patent-using industries",
}
_DERIVED_EN = "Computed"


def _flag_en(value: str) -> str:
    """The English of a status cell (:func:`ipstats.bulletin.tables.flag_label`)."""
    if value == "derived":
        return _DERIVED_EN
    names = labels("en", context="status")
    return names.get(value, value)


def for_display(table: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """Column labels, 是/否 for flags, threshold rules and status words in *lang* (by default the language being
    published, :func:`ipstats.language.current`: Chinese unless a publisher set English), for
    :func:`ipstats.display.show_table`."""
    if lang is None:
        from ipstats.language import current

        lang = current()
    en = check_lang(lang) == "en"
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: "Yes", False: "No"} if en else {True: "是", False: "否"})
    if "threshold" in out.columns and out["threshold"].isin(list(THRESHOLDS)).all():
        out["threshold"] = out["threshold"].map(_THRESHOLDS_EN if en else THRESHOLDS)
    from ipstats.bulletin.tables import flag_label  # the words the workbook and the PDF show too

    for col in ("value_status", "growth_status", "share_status"):
        if col in out.columns:
            out[col] = out[col].fillna("").map(_flag_en if en else flag_label)
    names = CHECK_NAMES_EN if en else CHECK_NAMES
    if "check" in out.columns and "check_name" in out.columns:
        out = out.drop(columns="check")
    elif "check" in out.columns and out["check"].isin(list(CHECK_NAMES)).all():
        out["check"] = out["check"].map(names)
    if en:  # cells and columns named by values (industries, scenario columns such as 3年/all/×1) in English
        from ipstats.bulletin.publish import values_in

        out = values_in(out, "en")
    return out.rename(columns=labels("en", keys=tuple(LABELS), context="pii") if en else LABELS)


def _names(
    employment: pd.DataFrame,
    system: str,
    industry_column: str,
    attribution: str = "system",
    extra: pd.Series | None = None,
) -> pd.Series:
    """Industry names: the employment file's, else the input's (concordance or applicant table), else the
    concordance system's category names, else NACE divisions (GB/T 4754 sections and divisions for GB/T inputs)."""
    names = industry_names("NACE Rev.2" if attribution == "system" else "GB/T 4754-2017")
    if attribution == "system" and system != "isi_nace2":
        names = load_system(system).category_names().combine_first(names)
    if extra is not None:
        names = extra[extra.astype(str) != ""].combine_first(names)
    if "industry_name" in employment.columns:
        given = employment[employment["industry_name"].astype(str) != ""].drop_duplicates("industry_code")
        names = pd.Series(given["industry_name"].to_numpy(), index=given["industry_code"]).combine_first(names)
    return names


@dataclass
class IdentificationView:
    """The identification of one window: result, published (protected) table, disclosure record, sensitivity,
    how patents were attributed and, with an official list, the comparison."""

    result: Identification
    published: pd.DataFrame
    disclosure: dict
    sensitivity: pd.DataFrame
    membership: pd.DataFrame
    employment_status: str
    years: tuple[int, int]
    attribution: str = ""
    classification: str = ""
    attributed_pct: float = float("nan")
    comparison: Comparison | None = None
    comparison_note: str = ""
    threshold_withheld: bool = False

    def key_numbers(self) -> str:
        """Headline numbers as published: without intensities when employment is withheld, without the
        patent-using threshold when it would give one industry's employment away."""
        withheld = bool(self.disclosure and self.disclosure.get("withheld_columns"))
        return self.result.key_numbers(intensities=not withheld, threshold=not self.threshold_withheld)

    @property
    def threshold_text(self) -> str:
        """The intensity threshold as published (``保密`` when withheld)."""
        return "保密" if self.threshold_withheld else f"{self.result.threshold_per_10k:.2f} 件/万人"


def _input_names(concordance: str | Path, applicants: str | Path) -> pd.Series | None:
    """Industry names a GB/T input gives (the concordance's or applicant table's ``industry_name``)."""
    from ipstats.pii.identify import read_applicant_industry, read_ipc_industry_concordance

    if str(applicants):
        table = read_applicant_industry(applicants)
        table = table[table["industry_name"] != ""].drop_duplicates("industry")
        return pd.Series(table["industry_name"].to_numpy(), index=table["industry"])
    if str(concordance):
        return read_ipc_industry_concordance(concordance).category_names().dropna()
    return None


def _employment_at(employment: pd.DataFrame, level: str) -> pd.DataFrame:
    """Employment summed to a GB/T 4754 *level* (the file's names dropped: they name the finer codes)."""
    out = employment.assign(industry_code=roll_up(employment["industry_code"], level))
    return out.groupby(["industry_code", "year"], as_index=False).agg(
        employment=("employment", "sum"), status=("status", "first")
    )


def compute_identification(
    register: str | Path,
    employment: str | Path,
    year: int,
    window: int = 5,
    *,
    system: str = "isi_nace2",
    industry_column: str = "",
    concordance: str | Path = "",
    applicants: str | Path = "",
    applicant_column: str = "applicant_name",
    level: str = "",
    threshold: str = DEFAULTS["threshold"][0],
    multiplier: float = DEFAULTS["multiplier"][0],
    min_patents: float = DEFAULTS["min_patents"][0],
    min_employment: float = DEFAULTS["min_employment"][0],
    min_employment_share_pct: float = DEFAULTS["min_employment_share_pct"][0],
    user_min_patents: float = DEFAULTS["user_min_patents"][0],
    sensitivity_windows=(3, 5, 7),
    sensitivity_thresholds=("all", "users"),
    sensitivity_multipliers=(),
    official_list: str | Path = "",
    disclosure: dict | None = None,
    engine: str | dict | None = None,
) -> IdentificationView:
    """Identify patent-intensive industries from invention grants of *window* years ending with *year*.

    See :mod:`ipstats.pii.identify` for the method; parameters are those of :func:`patents_by_industry`,
    :func:`identify` and :func:`sensitivity` (*multiplier* is always among the sensitivity multipliers), plus the
    inputs, the official list to compare with (:func:`read_official_list`, ``""``: none) and the
    disclosure-control rules (:class:`ipstats.sdc.Rules`). ``""`` leaves an input out. Industry names come from
    the employment file's ``industry_name`` column, else from the attribution input, else the classification's.
    *engine* is where the register is classified and counted (DuckDB by default, or Spark settings: the same
    tables).
    """
    widest = max([window, *sensitivity_windows])
    years = range(year - widest + 1, year + 1)
    source = dict(
        system=system,
        industry_column=industry_column or None,
        concordance=str(concordance) or None,
        applicants=str(applicants) or None,
        applicant_column=applicant_column,
        level=level or None,
    )
    by_year = patents_by_industry(register, years, engine=engine, **source)
    emp = read_employment(employment)
    if level:
        emp = _employment_at(emp, level)
    method = by_year.attrs["method"]
    options = dict(
        min_patents=min_patents,
        min_employment=min_employment,
        min_employment_share_pct=min_employment_share_pct,
        user_min_patents=user_min_patents,
        names=_names(emp, system, industry_column, method, _input_names(concordance, applicants)),
    )
    result = identify(
        window_patents(by_year, year, window),
        employment_in_window(emp, year, window),
        threshold=threshold,
        multiplier=multiplier,
        **options,
    )
    from ipstats.sdc import Rules

    if Rules.of(disclosure).is_confidential("register"):  # the register is public unless the policy says not
        per_applicant = patents_by_industry(
            register, range(year - window + 1, year + 1), by=("applicant_name",), engine=engine, **source
        )
        per_applicant = per_applicant.groupby(["industry", "applicant_name"], as_index=False)["patents"].sum()
    else:
        per_applicant = pd.DataFrame(columns=["industry", "applicant_name", "patents"])
    published, record = protect_identification(
        result.table, per_applicant.rename(columns={"applicant_name": "applicant"}), disclosure, result.parameters
    )
    summary, membership = sensitivity(
        by_year,
        emp,
        year,
        windows=sensitivity_windows,
        thresholds=sensitivity_thresholds,
        multipliers=sorted({float(multiplier), *map(float, sensitivity_multipliers)}),
        baseline=(window, threshold, float(multiplier))
        if window in sensitivity_windows and threshold in sensitivity_thresholds
        else None,
        **options,
    )
    withhold = False
    if Rules.of(disclosure).is_confidential("employment_by_industry"):
        summary = _guard_users_average(summary, by_year, emp, year, options)
        table = result.table
        withhold = threshold == "users" and int(((table["employment"] > 0) & ~table["patent_using"]).sum()) == 1
    status = "; ".join(sorted(set(emp["status"].astype(str)) - {""}))
    counted = sum(by_year.attrs["counted"].get(y, 0.0) for y in range(year - window + 1, year + 1))
    got = window_patents(by_year, year, window)["patents"].sum()
    comparison, note = None, ""
    if str(official_list):
        try:
            comparison = compare_official(result, read_official_list(official_list), by_year.attrs["classification"])
        except ValueError as exc:
            if "no comparison" not in str(exc) and "mixes industry levels" not in str(exc):
                raise
            note = f"未与官方分类比较：{exc}"
    else:
        note = "未提供官方专利密集型产业小类名单（令第25号小类—大类对照表，输入 pii_industry_mapping），不作比较。"
    return IdentificationView(
        result,
        published,
        record,
        summary,
        membership,
        status,
        (year - window + 1, year),
        by_year.attrs["attribution"],
        by_year.attrs["classification"],
        100.0 * got / counted if counted else float("nan"),
        comparison,
        note,
        withhold,
    )


def _guard_users_average(
    summary: pd.DataFrame, by_year: pd.DataFrame, employment: pd.DataFrame, year: int, options: dict
) -> pd.DataFrame:
    """Withhold a patent-using industries' threshold that would give one industry's employment away.

    The all-industry average divides by total employment (a published total); the average over patent-using
    industries divides by their employment, so with the total it gives the employment of the industries left
    out — exactly, when a single industry with employment is left out.
    """
    out = summary.copy()
    for i, row in out.iterrows():
        if row["threshold"] != "users":
            continue
        pats = window_patents(by_year, year, int(row["window"]))
        emp = employment_in_window(employment, year, int(row["window"]))
        table = emp.merge(pats, on="industry", how="left").fillna({"patents": 0.0})
        users = patent_using(table["patents"], options.get("user_min_patents", DEFAULTS["user_min_patents"][0]))
        left_out = ((table["employment"] > 0) & ~users).sum()
        if left_out == 1:
            out.loc[i, "threshold_per_10k"] = float("nan")
    return out


@dataclass
class ValueAddedView:
    """Value added of one year with its history, span growth, the announcement and the consistency audit
    (``audit`` one row per check, ``audit_summary`` by check, ``audit_text`` the audit as text);
    ``decimals`` the level's decimals in the announcement's table, for :func:`ipstats.bulletin.record_table`.
    The texts (``text``, ``audit_text``, ``note``, the audit's notes and check names) and the category names,
    bases and sources in the tables and ``view`` are in the language :func:`compute_value_added` was asked for;
    the figures are the same."""

    year: int
    view: YearView
    table: pd.DataFrame
    history: pd.DataFrame
    cagr: pd.DataFrame
    text: str
    audit: pd.DataFrame
    audit_summary: pd.DataFrame
    gdp_status: str
    note: str
    audit_text: str = ""
    decimals: dict = field(default_factory=dict)


def compute_value_added(
    year: int,
    value_added: str | Path = "",
    gdp: str | Path = "",
    by_industry: str | Path = "",
    mapping: str | Path = "",
    lang: str = "zh",
) -> ValueAddedView:
    """Compile *year* (or the latest earlier year in the series) and audit the whole series.

    Parameters
    ----------
    year : int
        Reference year; when the series stops earlier its last year is used and ``note`` says so.
    value_added, gdp : path or ""
        User CSV files; ``""`` uses the shipped published series and GDP (flagged unverified).
    by_industry, mapping : path or ""
        Value added by GB/T 4754 小类 and the 小类→大类 table, used instead of *value_added* when given.
    lang : {"zh", "en"}
        Language of the texts (announcement, audit, note) and of the category names, bases and sources in the
        tables and the view (English: :data:`ipstats.pii.announcement.CATEGORY_NAMES_EN`); the figures are the
        same in both.
    """
    en = check_lang(lang) == "en"
    values, gdp_table = read_value_added(value_added, by_industry, mapping), read_gdp(gdp)
    used = latest_year(values, year)
    if used == year:
        note = ""
    elif en:
        note = f"The value added data end in {used}; this section shows the data for {used}."
    else:
        note = f"增加值数据截至{used}年，本节显示{used}年数据。"
    view = compile_year(values, gdp_table, used)
    hist = history(values, gdp_table)
    if en:
        view = replace(
            view,
            table=view.table.assign(category_name=view.table["category_name"].map(category_name_en)),
            sources=[source_en(s) for s in view.sources],
        )
        hist = hist.assign(basis=hist["basis"].map(lambda b: basis_en(b) if b else b))
        if "category_name_zh" in values.columns:
            values = values.assign(category_name_zh=values["category_name_zh"].map(category_name_en))
    first = int(hist["year"].min())
    same_basis = hist[(hist["year"] <= used) & (hist["basis"] == hist["basis"].iloc[0])]  # longest comparable span
    last = int(same_basis["year"].max())
    cagr = cagr_table(values, first, last).assign(span=f"{first}–{last}") if first < last else pd.DataFrame()
    result = audit_table(values, gdp=gdp_table, lang=lang)
    status = "; ".join(sorted(set(gdp_table["status"].astype(str)) - {""}))
    return ValueAddedView(
        used,
        view,
        announcement_table(view),
        hist,
        cagr,
        announcement(view, lang=lang),
        result,
        audit_summary(result, lang),
        status,
        note,
        audit_report(result, lang),
        {"value_added_100m_yuan": int(view.table["value_decimals_table"].max())},
    )
