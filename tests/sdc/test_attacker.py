"""The attacker: from the published files of a national and a provincial bulletin alone, a linear programme that
knows every published relation recovers no confidential cell within its protection interval.

The attack is written here from the files as a reader gets them, not from ipstats' own linked sets: every
money figure of the product tables shown as "—" in either run is an unknown ≥ 0; what the tables publish
gives the relations — divisions add up to their section and sections to the total (GB/T 4754 hierarchy),
provinces to the nation, panel + entrants (exits) to all, a province's cells are at most the nation's,
exports ≤ sales, and every published share, export intensity and growth rate ties its two figures. The
truth and the protection each sensitive cell needs (τ-ARGUS levels, computed here from the product table)
come from the data, never from the bulletin.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipstats.cells import published_number
from ipstats.labels import SYMBOLS
from scipy.optimize import linprog

ROOT = Path(__file__).resolve().parents[2]
MEASURES = ("output_value", "sales_revenue", "export_value")
SHARE = {"output_value": "output_share_pct"}
GROWTH = {"output_value": "output_growth_pct", "sales_revenue": "sales_growth_pct", "export_value": "export_growth_pct"}
#: The mark of a suppressed cell, and every text that is not a published value (marks, empty).
DASH = SYMBOLS["suppressed"]["mark"]
MARKS = ("", *(s["mark"] for s in SYMBOLS.values()))


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    path = folder / "tables" / f"{name}.csv"
    if not path.exists():
        return None
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


class Attack:
    """Unknowns (hidden cells), published constants and linear relations between them."""

    def __init__(self) -> None:
        self.known: dict[tuple, float] = {}
        self.unknown: list[tuple] = []
        self.eq: list[dict[tuple, float]] = []
        self.le: list[dict[tuple, float]] = []

    def see(self, cell: tuple, text: str) -> None:
        if text in MARKS:
            if cell not in self.known and cell not in self.unknown:
                self.unknown.append(cell)
        else:
            value = float(text)
            if cell in self.known:
                assert abs(self.known[cell] - value) <= 1e-6 * max(1.0, abs(value)), cell
            self.known[cell] = value
            if cell in self.unknown:
                self.unknown.remove(cell)

    def sum(self, total: tuple, parts: list[tuple]) -> None:
        terms = {total: -1.0}
        for p in parts:
            terms[p] = terms.get(p, 0.0) + 1.0
        self.eq.append(terms)

    def interval(self, cell: tuple) -> tuple[float, float]:
        index = {c: i for i, c in enumerate(self.unknown)}

        def rows(relations):
            a, b = [], []
            for terms in relations:
                row, rhs = np.zeros(len(index)), 0.0
                for c, coef in terms.items():
                    if c in index:
                        row[index[c]] += coef
                    elif c in self.known:
                        rhs -= coef * self.known[c]
                    else:  # a structural zero (no product in the cell)
                        pass
                if row.any():
                    a.append(row), b.append(rhs)
            return (np.array(a), np.array(b)) if a else (None, None)

        a_eq, b_eq = rows(self.eq)
        a_ub, b_ub = rows(self.le)
        c = np.zeros(len(index))
        c[index[cell]] = 1.0
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        assert lo.status == 0, (cell, lo.message)
        return lo.fun, (-hi.fun if hi.status == 0 else np.inf)


def _products_attack(runs: dict[str, Path], year: int) -> Attack:
    """What a reader of the national and the provincial product tables knows."""
    from ipstats import reference

    sections_of = reference.industry_divisions().set_index("division")["section"].to_dict()
    attack = Attack()
    nested: dict[str, set] = {}
    for region, folder in runs.items():
        here = "" if region == "national" else region
        rounds = _read(folder, "products_rounds")
        for row in rounds.to_dict("records"):
            for m in MEASURES:
                attack.see((int(row["filing_year"]), "all", here, "", m), row[m])
            for m, g in GROWTH.items():  # growth ties a round to the one before
                before = (int(row["filing_year"]) - 1, "all", here, "", m)
                if row[g] not in MARKS and int(row["filing_year"]) - 1 in set(rounds["filing_year"].astype(int)):
                    attack.eq.append(
                        {(int(row["filing_year"]), "all", here, "", m): 1.0, before: -(1 + float(row[g]) / 100)}
                    )
        growth = _read(folder, "products_growth")
        for row in growth.to_dict("records"):
            scope = row["scope"]
            for m in MEASURES:
                if scope != "exits":
                    attack.see((year, "all" if scope == "all" else scope, here, "", m), row[m])
                if scope != "entrants":
                    attack.see((year - 1, "all" if scope == "all" else scope, here, "", m), row[f"{m}_previous"])
                if scope in ("all", "panel") and row[GROWTH[m]] not in MARKS:
                    attack.eq.append(
                        {
                            (year, scope, here, "", m): 1.0,
                            (year - 1, scope, here, "", m): -(1 + float(row[GROWTH[m]]) / 100),
                        }
                    )
        for m in MEASURES:
            attack.sum((year, "all", here, "", m), [(year, "panel", here, "", m), (year, "entrants", here, "", m)])
            attack.sum(
                (year - 1, "all", here, "", m), [(year - 1, "panel", here, "", m), (year - 1, "exits", here, "", m)]
            )
        for name, level, key in (
            ("products_by_section", "S", "section"),
            ("products_by_division", "D", "division"),
            ("products_by_province", "P", "province_code"),
        ):
            table = _read(folder, name)
            if table is None:
                continue
            rows = table.to_dict("records")
            codes = [r[key] for r in rows if r[key] != ""]
            nested.setdefault(f"{here}|{level}", set()).update(codes)

            def cell(code, m):
                if code == "":
                    return (year, "all", here, "", m)
                if level == "P":
                    return (year, "all", code, "", m)
                return (year, "all", here, f"{level}:{code}", m)

            for r in rows:
                for m in MEASURES:
                    attack.see(cell(r[key], m), r[m])
                for m, share in SHARE.items():
                    if r[share] not in MARKS:
                        attack.eq.append({cell(r[key], m): 1.0, cell("", m): -float(r[share]) / 100})
                if r["export_intensity_pct"] not in MARKS:
                    attack.eq.append(
                        {
                            cell(r[key], "export_value"): 1.0,
                            cell(r[key], "sales_revenue"): -float(r["export_intensity_pct"]) / 100,
                        }
                    )
            for m in MEASURES:
                if level == "D":  # divisions add up to their section
                    for section in {sections_of[c] for c in codes}:
                        attack.sum(
                            (year, "all", here, f"S:{section}", m),
                            [cell(c, m) for c in codes if sections_of[c] == section],
                        )
                else:  # sections, provinces add up to the table's total
                    attack.sum(cell("", m), [cell(c, m) for c in codes])
    for cell in list(attack.known) + list(attack.unknown):  # exports ≤ sales; a province ≤ the nation
        if cell[4] == "export_value":
            attack.le.append({cell: 1.0, (*cell[:4], "sales_revenue"): -1.0})
        if cell[2] != "" and cell[3] != "":
            attack.le.append({cell: 1.0, (cell[0], cell[1], "", cell[3], cell[4]): -1.0})
    return attack


def _truth(products: pd.DataFrame, cell: tuple, year: int) -> pd.Series:
    """Per enterprise, its amount in *cell*, from the product table itself."""
    round_, scope, province, industry, measure = cell
    rec = products[products["status"] == "认定"]
    now = rec[rec["filing_year"] == round_]
    other = rec[rec["filing_year"] == (year - 1 if round_ == year else year)]
    both = set(now["product_id"]) & set(other["product_id"])
    sel = now
    if scope == "panel":
        sel = now[now["product_id"].isin(both)]
    elif scope in ("entrants", "exits"):
        sel = now[~now["product_id"].isin(both)]
    if province:
        sel = sel[sel["province_code"] == province]
    if industry.startswith("S:"):
        sel = sel[sel["section"] == industry[2:]]
    elif industry.startswith("D:"):
        sel = sel[sel["division"] == industry[2:]]
    per = sel.groupby("credit_code")[measure].sum()
    return per[per > 0].sort_values(ascending=False)


def _required(per: pd.Series, rules: dict) -> float:
    """τ-ARGUS protection level of a cell from its contributions (0 when no rule makes it sensitive)."""
    if per.empty:
        return 0.0
    x = per.to_numpy(float)
    total, x1, x2 = x.sum(), x[0], (x[1] if len(x) > 1 else 0.0)
    levels, sensitive = [], False
    if len(x) < rules["min_contributors"]:
        sensitive = True
        levels.append(max(rules["protection_pct"] / 100 * total, rules["min_width"]))
    top = x1 + (x2 if rules["dominance_n"] == 2 else 0.0)
    if top > rules["dominance_k"] / 100 * total * (1 + 1e-12):
        sensitive = True
        levels.append(100 / rules["dominance_k"] * top - total)
    if total - x1 - x2 < rules["p_percent"] / 100 * x1 * (1 - 1e-12):
        sensitive = True
        levels.append(rules["p_percent"] / 100 * x1 - (total - x1 - x2))
    return max([*levels, rules["min_width"]]) if sensitive else 0.0


@pytest.mark.parametrize("province", ["44", "63"])
def test_no_product_money_cell_is_narrowed_below_its_protection(bulletins, province):
    from ipstats.products.io import read_products

    national, _ = bulletins["national"]
    regional, _ = bulletins[province]
    manifest = json.loads((national / "manifest.json").read_text(encoding="utf-8"))
    rules = manifest["disclosure_control"]["rules"]
    year = 2024
    attack = _products_attack({"national": national, province: regional}, year)
    products = read_products(ROOT / "data" / "ci" / "products.csv")
    assert len(attack.unknown) > 10  # the CI data have many sensitive money cells
    checked = 0
    for cell in attack.unknown:
        truth = _truth(products, cell, year)
        value = float(truth.sum())
        lower, upper = attack.interval(cell)
        assert lower - 1e-6 * max(1, value) <= value <= upper + 1e-6 * max(1, value), (cell, lower, value, upper)
        need = _required(truth, rules)
        if need <= 0:
            continue
        checked += 1
        assert upper - value >= need * (1 - 1e-6), (cell, "upper", value, upper, need)
        assert value - lower >= min(need, value) * (1 - 1e-6), (cell, "lower", value, lower, need)
    assert checked > 5
    # and no sensitive cell is published: every cell whose contributions break a rule is among the unknowns
    for cell, value in attack.known.items():
        truth = _truth(products, cell, year)
        assert _required(truth, rules) == 0 or truth.empty, (cell, value)


def test_national_and_provincial_runs_share_one_pattern(bulletins):
    patterns = {}
    for region, (folder, _) in bulletins.items():
        linked = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["disclosure_control"]["linked_sets"]
        patterns[region] = linked["products_2024"]["pattern_sha256"]
        assert linked["products_2024"]["audit_pass"]
    assert len(set(patterns.values())) == 1, patterns
    # the cell a provincial run shows is the national run's: same status in both
    national = _read(bulletins["national"][0], "products_by_province").set_index("province_code")
    for region in ("44", "63"):
        rounds = _read(bulletins[region][0], "products_rounds").set_index("filing_year")
        for m in MEASURES:
            assert (national.at[region, m] == DASH) == (rounds.at["2024", m] == DASH), (region, m)


def test_manifest_records_protection_per_suppressed_cell_without_the_amounts(bulletins):
    folder, internal = bulletins["national"]
    control = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["disclosure_control"]
    assert control["policy"]["register"]["class"] == "public"
    assert control["policy"]["products"]["class"] == "confidential"
    record = control["tables"]["products_by_division"]
    primary = [c for c in record["suppressed"] if c["status"] == "primary"]
    assert primary and all(c["achieved"] == {"upper": "≥ UPL", "lower": "≥ LPL"} and c["protected"] for c in primary)
    # no interval is published: the audit's model may know more relations than a reader, and a cell withheld for
    # quality alone would show its unreliable estimate
    for name, table in control["tables"].items():
        assert all("interval" not in c for c in table.get("suppressed", [])), name
    # the amounts (functions of the confidential value) are in the internal output only
    text = (folder / "manifest.json").read_text(encoding="utf-8")
    audit = pd.read_csv(internal / "tables" / "products_disclosure_audit.csv", encoding="utf-8-sig")
    assert {"required_upper", "required_lower", "achieved_upper", "achieved_lower"} <= set(audit.columns)
    assert audit["protected"].all()
    for value in audit.loc[audit["status"] == "primary", "value"].head(20):
        assert f"{value:.1f}" not in text or value == 0


# --- register-derived tables are public: never suppressed ----------------------------------------------------------
REGISTER_TABLES = (
    "overview_by_type",
    "invention_per_10k_by_province",
    "trend_by_type",
    "overview_by_origin_scope",
    "inventions_by_origin",
)


def _register_tables(folder: Path) -> list[str]:
    names = [p.stem for p in (folder / "tables").glob("*.csv")]
    return [n for n in names if n in REGISTER_TABLES or n.startswith("mon_")]


def test_no_register_derived_table_has_a_suppressed_cell(bulletins):
    for region, (folder, _) in bulletins.items():
        control = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["disclosure_control"]
        names = _register_tables(folder)
        assert names, region
        for name in names:
            table = _read(folder, name)
            assert not (table == DASH).any().any(), (region, name)
            assert name not in control["tables"], (region, name)  # no disclosure record: nothing to protect
        ident = _read(folder, "pii_identification")
        if ident is not None:  # patents are register counts: published
            assert (ident["patents"] != DASH).all() and (ident["patents"] != "").all()
    provinces = _read(bulletins["national"][0], "invention_per_10k_by_province").set_index("province_code")
    for code in ("54", "63"):  # 西藏, 青海
        row = provinces.loc[code]
        for column in ("invention_applications", "invention_grants", "valid_invention_patents", "per_10k"):
            float(row[column])
    assert len(provinces) == 31
    qinghai = bulletins["63"][0]
    text = (qinghai / "texts" / "00_overview.md").read_text(encoding="utf-8")
    assert "每万人口发明专利拥有量" in text and "保密处理" not in text


def test_the_attack_breaks_a_primary_only_pattern(bulletins, tmp_path):
    """The attacker has teeth: the national tables with their secondary cells shown (true values from the internal
    output) give some sensitive cell away."""
    import shutil

    from ipstats.products.io import read_products

    national, internal = bulletins["national"]
    weak = tmp_path / "weak"
    shutil.copytree(national / "tables", weak / "tables")
    control = json.loads((national / "manifest.json").read_text(encoding="utf-8"))["disclosure_control"]
    detail = {
        "products_by_section": "products_sections",
        "products_by_division": "products_divisions",
        "products_by_province": "products_provinces",
    }
    for name, source in detail.items():
        key = {
            "products_by_section": "section",
            "products_by_division": "division",
            "products_by_province": "province_code",
        }[name]
        table = _read(weak, name)
        truth = pd.read_csv(
            internal / "tables" / f"{source}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
        ).set_index(key)
        for cell in control["tables"][name]["suppressed"]:
            if cell["status"] == "secondary" and cell["row"] in truth.index:
                table.loc[table[key] == cell["row"], cell["col"]] = truth.at[cell["row"], cell["col"]]
        table.to_csv(weak / "tables" / f"{name}.csv", index=False, encoding="utf-8-sig")
    attack = _products_attack({"national": weak}, 2024)
    products = read_products(ROOT / "data" / "ci" / "products.csv")
    broken = 0
    for cell in attack.unknown:
        truth = _truth(products, cell, 2024)
        need = _required(truth, control["rules"])
        if need <= 0:
            continue
        lower, upper = attack.interval(cell)
        value = float(truth.sum())
        broken += (upper - value < need * (1 - 1e-6)) or (value - lower < min(need, value) * (1 - 1e-6))
    assert broken > 0


# --- the survey: confidential estimates -----------------------------------------------------------------------------
def _survey_rate_rows(folder: Path, tables: dict | None = None):
    """Each published survey rate row: ``(table spec, indicator, level, cell key, printed estimate)``; *tables*
    (name → frame), when given, collects the frames read, so a caller can rewrite them."""
    from ipstats.sdc import key_text
    from ipstats.survey.indicators import INDICATORS, RATES, REPORT_TABLES, survey_key

    by_label = {INDICATORS[i][2]: i for i in RATES}
    for table in REPORT_TABLES:
        shown = _read(folder, table.name)
        if shown is None or not set(table.indicators) & set(RATES):
            continue
        if tables is not None:
            tables[table.name] = shown
        level_col, indicator_col, estimate_col = shown.columns[:3]
        assert (level_col, indicator_col) == ("分组", "指标") and "估计" in estimate_col, list(shown.columns)
        where = dict(table.where)
        for i, r in shown.iterrows():
            indicator = by_label.get(r[indicator_col])
            if indicator is None or indicator not in table.indicators:
                continue
            conditions = where if r[level_col] == "合计" else {**where, table.by: r[level_col]}
            yield (
                table,
                indicator,
                r[level_col],
                key_text(survey_key(indicator, conditions)),
                (i, estimate_col),
                r[estimate_col],
            )


def _survey_attack_intervals(folder: Path, cells: pd.DataFrame) -> tuple[dict, list[str]]:
    """Feasible interval of every hidden survey rate's weighted total, from the published survey tables.

    The reader knows each domain's weighted patents (the register gives the calibration margins: the
    ``upper`` bound of the internal linked cells), turns every published rate, printed to one decimal, into
    an interval for its total ``T = Σ w·y``, and knows that the domains of a table add up to its 合计. Hidden
    totals lie between 0 and their domain's weighted patents. (Average revenue is left out: its denominator
    is itself an estimate.)
    """
    from ipstats.sdc import key_text
    from ipstats.survey.indicators import RATES, REPORT_TABLES, survey_key

    size = cells.set_index("key_text")["upper"].to_dict()
    names = list(size)
    index = {k: i for i, k in enumerate(names)}
    lo = np.zeros(len(names))
    hi = np.array([size[k] for k in names], dtype=float)
    equalities = []
    parts: dict[tuple, dict[str, str]] = {}
    for table, indicator, level, key, _, text in _survey_rate_rows(folder):
        parts.setdefault((table.name, indicator), {})[level] = key
        value = published_number(text)
        if value is not None:  # printed to one decimal: ± 0.05 percentage points
            i = index[key]
            lo[i] = max(lo[i], (value - 0.05) / 100 * size[key])
            hi[i] = min(hi[i], (value + 0.05) / 100 * size[key])
    equalities = []
    for table in REPORT_TABLES:
        for indicator in set(table.indicators) & set(RATES):
            keys = parts.get((table.name, indicator))
            if not keys:
                continue
            other = key_text(survey_key(indicator, {**dict(table.where), table.by: "(其他)"}))
            terms = [k for level, k in keys.items() if level != "合计"] + ([other] if other in index else [])
            equalities.append((keys["合计"], terms))
    a_eq = np.zeros((len(equalities), len(names)))
    for row, (total, parts) in enumerate(equalities):
        a_eq[row, index[total]] = -1.0
        for part in parts:
            a_eq[row, index[part]] += 1.0
    bounds = list(zip(lo, hi))
    intervals = {}
    hidden = [k for k in names if cells.set_index("key_text").at[k, "status"] != "published"]
    for key in hidden:
        c = np.zeros(len(names))
        c[index[key]] = 1.0
        low = linprog(c, A_eq=a_eq, b_eq=np.zeros(len(equalities)), bounds=bounds, method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=np.zeros(len(equalities)), bounds=bounds, method="highs")
        assert low.status == 0 and high.status == 0, (key, low.message, high.message)
        intervals[key] = (low.fun, -high.fun)
    return intervals, hidden


def test_no_confidential_survey_estimate_is_narrowed_below_its_protection(bulletins):
    """From the published survey tables alone (and the domain sizes the register gives), no 保密 rate's total
    comes out narrower than its τ-ARGUS protection levels; each true total lies inside its interval."""
    from ipstats.survey.indicators import RATES

    folder, internal = bulletins["national"]
    cells = pd.read_csv(internal / "tables" / "survey_linked_cells.csv", encoding="utf-8-sig")
    audit = pd.read_csv(internal / "tables" / "survey_disclosure_audit.csv", encoding="utf-8-sig").set_index("key_text")
    cells = cells[cells["key_text"].str.split("/").str[1].isin(RATES)]
    intervals, hidden = _survey_attack_intervals(folder, cells)
    truth = cells.set_index("key_text")["value"]
    status = cells.set_index("key_text")["status"]
    checked = 0
    for key in hidden:
        lower, upper = intervals[key]
        value = truth[key]
        assert lower - 1e-6 * max(1, value) <= value <= upper + 1e-6 * max(1, value), (key, lower, value, upper)
        if status[key] != "primary":
            continue
        need_up, need_low = audit.at[key, "required_upper"], audit.at[key, "required_lower"]
        checked += 1
        assert upper - value >= need_up * (1 - 1e-6), (key, "upper", value, upper, need_up)
        assert value - lower >= min(need_low, value) * (1 - 1e-6), (key, "lower", value, lower, need_low)
    assert checked >= 1, "the CI survey has confidential domains: the attack must meet some"
    # every primary cell of the linked set is hidden in the published tables
    assert set(status[status == "primary"].index) <= set(hidden)


def test_the_survey_attack_breaks_a_pattern_without_its_complementary_cells(bulletins, tmp_path):
    """The survey attacker has teeth: with the secondary and quality-withheld rates printed (true values from the
    internal output), some 保密 domain's total is narrowed below its protection."""
    import shutil

    from ipstats.survey.indicators import RATES

    national, internal = bulletins["national"]
    weak = tmp_path / "weak"
    shutil.copytree(national / "tables", weak / "tables")
    cells = pd.read_csv(internal / "tables" / "survey_linked_cells.csv", encoding="utf-8-sig")
    cells = cells[cells["key_text"].str.split("/").str[1].isin(RATES)].set_index("key_text")
    audit = pd.read_csv(internal / "tables" / "survey_disclosure_audit.csv", encoding="utf-8-sig").set_index("key_text")
    tables: dict[str, pd.DataFrame] = {}
    for table, _, _, key, (row, column), _ in list(_survey_rate_rows(weak, tables)):
        if key in cells.index and cells.at[key, "status"] in ("secondary", "withheld"):
            tables[table.name].at[row, column] = f"{cells.at[key, 'value'] / cells.at[key, 'upper'] * 100:.1f}"
    for name, frame in tables.items():
        frame.to_csv(weak / "tables" / f"{name}.csv", index=False, encoding="utf-8-sig")
    weakened = cells.assign(status=cells["status"].where(cells["status"] == "primary", "published")).reset_index()
    intervals, hidden = _survey_attack_intervals(weak, weakened)
    broken = 0
    for key in hidden:
        lower, upper = intervals[key]
        value = cells.at[key, "value"]
        need_up, need_low = audit.at[key, "required_upper"], audit.at[key, "required_lower"]
        broken += (upper - value < need_up * (1 - 1e-6)) or (value - lower < min(need_low, value) * (1 - 1e-6))
    assert broken > 0
