"""Quality rules of survey estimates (NCHS 2017), Korn–Graubard and logit intervals, and the Pareto top band.

Hand cases: Clopper–Pearson of 20/100 (the Korn–Graubard interval with n_eff = n and df = n − 1), the
df-adjusted effective sample size, logit intervals and the Pareto mean of a top band worked out by hand.
R conformance: ``svyciprop(method="beta")`` and ``"logit"`` of R survey 4.1-1 frozen in
``data/r_ciprop_frozen_values.csv`` (``data/make_ciprop_values.R``: always run) and live against Rscript on
random designs (skipped with its reason when Rscript or the survey package is missing).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipstats.survey import Design
from ipstats.survey.indicators import (
    REPORT_TABLES,
    TopBand,
    design_top_band,
    estimate_table,
    pareto_top_mean,
    revenue_values,
    top_band,
)
from ipstats.survey.quality import (
    CAUTION,
    PRESENT,
    SUPPRESS,
    QualityRules,
    assess,
    effective_n,
    korn_graubard,
    logit_interval,
)
from survey_conformance import r_has_survey, run_r

DATA = Path(__file__).parent / "data"


# ---------------------------------------------------------------- hand-computed intervals
def test_korn_graubard_is_clopper_pearson_when_n_eff_is_n_and_df_is_n_minus_1():
    # p = 0.2 with the binomial SE of n = 100: n_eff = 0.16/0.04² = 100, t ratio 1, x = 20 events
    low, high, n_star = korn_graubard(0.2, 0.04, 100, 99)
    assert n_star == pytest.approx(100)
    assert (low, high) == pytest.approx((0.126655552101956, 0.291842689088628), abs=1e-12)  # binom.test(20, 100)


def test_korn_graubard_degrees_of_freedom_adjustment():
    # n_eff = 0.09/0.03² = 100; (t_.975(199)/t_.975(10))² = 0.783267627470867; n* = 78.3267627470867
    low, high, n_star = korn_graubard(0.1, 0.03, 200, 10)
    assert n_star == pytest.approx(78.326762747086704, rel=1e-12)
    assert (low, high) == pytest.approx((0.0436997899344973, 0.1887335714682945), abs=1e-12)
    # without the NCHS caps (R): n_eff above n is kept
    assert korn_graubard(0.5, 0.01, 100, 99, cap=False)[2] == pytest.approx(2500)
    assert korn_graubard(0.5, 0.01, 100, 99)[2] == pytest.approx(100)


def test_effective_sample_size():
    assert effective_n(0.3, 0.05, 1000) == pytest.approx(84)  # 0.21 / 0.0025
    assert effective_n(0.3, 0.05, 50) == 50  # capped at n (NCHS)
    assert effective_n(0.3, 0.05, 50, cap=False) == pytest.approx(84)  # R
    assert effective_n(0.0, 0.0, 40) == effective_n(1.0, 0.0, 40) == 40  # limit case: n


def test_limit_cases_zero_and_one():
    low, high, _ = korn_graubard(0.0, 0.0, 35, 34)
    assert low == 0 and high == pytest.approx(0.100032435572105, abs=1e-12)  # qbeta(.975, 1, 35)
    mirror = korn_graubard(1.0, 0.0, 35, 34)
    assert mirror[1] == 1 and mirror[0] == pytest.approx(1 - high, abs=1e-12)
    assert korn_graubard(0.3, 0.05, 100, 0)[:2] == (0.0, 1.0)  # df ≤ 0: n* = 0
    assert all(math.isnan(v) for v in logit_interval(0.0, 0.01, 10))


def test_logit_interval_by_hand():
    # logit(0.2) ± z·se/(p(1-p)) with se/(p(1-p)) = 0.04/0.16 = 0.25
    assert logit_interval(0.2, 0.04, math.inf) == pytest.approx((0.132816128002308, 0.289810748987723), abs=1e-12)
    assert logit_interval(0.2, 0.04, 12) == pytest.approx((0.126640205484034, 0.301199774499860), abs=1e-12)
    z = 1.959963984540054 * 0.25
    centre = math.log(0.2 / 0.8)
    assert logit_interval(0.2, 0.04, math.inf)[0] == pytest.approx(1 / (1 + math.exp(-(centre - z))), abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_intervals_and_decisions_are_symmetric_in_p_and_its_complement(seed):
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(200):
        p = float(rng.choice([rng.uniform(0, 0.15), rng.uniform(0, 1)]))
        n = int(rng.integers(20, 800))
        se = math.sqrt(p * (1 - p) / n * rng.uniform(0.5, 4))
        df = int(rng.integers(2, 60))
        lo, hi, _ = korn_graubard(p, se, n, df)
        lo_c, hi_c, _ = korn_graubard(1 - p, se, n, df)
        assert (lo_c, hi_c) == pytest.approx((1 - hi, 1 - lo), abs=1e-9)
        g_lo, g_hi = logit_interval(p, se, df)
        g_lo_c, g_hi_c = logit_interval(1 - p, se, df)
        assert (g_lo_c, g_hi_c) == pytest.approx((1 - g_hi, 1 - g_lo), abs=1e-9)
        n_eff = effective_n(p, se, n)
        rows += [
            {
                "proportion": True,
                "p": p,
                "se": se,
                "ci_low_p": lo,
                "ci_high_p": hi,
                "cv_pct": np.nan,
                "n": n,
                "n_eff": n_eff,
                "df": df,
            },
            {
                "proportion": True,
                "p": 1 - p,
                "se": se,
                "ci_low_p": lo_c,
                "ci_high_p": hi_c,
                "cv_pct": np.nan,
                "n": n,
                "n_eff": effective_n(1 - p, se, n),
                "df": df,
            },
        ]
    flags = assess(pd.DataFrame(rows))["flag"].to_numpy()
    assert (flags[0::2] == flags[1::2]).all()
    assert {PRESENT, SUPPRESS} <= set(flags)


def test_cv_rule_was_not_symmetric_and_the_interval_rule_is():
    """The issue's case: 3.9 % with SE 0.92 pp (n = 419) has a CV of 24 %, its complement 1 %; NCHS presents both."""
    p, se, n = 0.039, 0.0092, 419
    assert se / p > 0.15 > se / (1 - p)
    lo, hi, _ = korn_graubard(p, se, n, 100)
    frame = pd.DataFrame(
        [
            {
                "proportion": True,
                "p": q,
                "se": se,
                "ci_low_p": a,
                "ci_high_p": b,
                "cv_pct": np.nan,
                "n": n,
                "n_eff": effective_n(q, se, n),
                "df": 100,
            }
            for q, a, b in ((p, lo, hi), (1 - p, 1 - hi, 1 - lo))
        ]
    )
    assert assess(frame)["flag"].tolist() == [PRESENT, PRESENT]


# ---------------------------------------------------------------- each NCHS rule branch
def _one(p, low, high, n=500, n_eff=None, df=50, rules=QualityRules()):
    frame = pd.DataFrame(
        [
            {
                "proportion": True,
                "p": p,
                "se": 0.01,
                "ci_low_p": low,
                "ci_high_p": high,
                "cv_pct": np.nan,
                "n": n,
                "n_eff": n if n_eff is None else n_eff,
                "df": df,
            }
        ]
    )
    return tuple(assess(frame, rules).iloc[0])


def test_each_rule_branch():
    assert _one(0.4, 0.35, 0.45, n=29)[0] == SUPPRESS  # sample size < 30
    assert _one(0.4, 0.35, 0.45, n_eff=29.9) == (SUPPRESS, "有效样本量30<30")  # n_eff < 30 (shown rounded)
    assert _one(0.5, 0.34, 0.66)[0] == SUPPRESS  # width 0.32 ≥ 0.30
    assert _one(0.01, 0.0, 0.045) == (PRESENT, "")  # width ≤ 0.05: presented, rel. 450 %
    flag, reason = _one(0.05, 0.02, 0.12)  # width 0.10 > 1.30 × 0.05
    assert flag == SUPPRESS and "200.0%" in reason
    assert _one(0.4, 0.3, 0.5) == (PRESENT, "")  # width 0.2, relative 50 %
    assert _one(0.4, 0.3, 0.5, df=7) == (CAUTION, "设计自由度7<8")  # df < 8
    assert _one(0.0, 0.0, 0.09)[0] == CAUTION  # 0 %: presented for review
    assert _one(1.0, 0.91, 1.0)[0] == CAUTION  # 100 %: the same
    assert _one(0.0, np.nan, np.nan)[0] == SUPPRESS  # logit interval at 0 %: undefined
    # the complement rule: p = 0.95 whose complement's relative width is 160 %
    assert _one(0.95, 0.88, 0.96)[0] == SUPPRESS  # symmetric default = decision of 0.05
    nchs = QualityRules(relative_to="estimate")
    flag, reason = _one(0.95, 0.88, 0.96, rules=nchs)
    assert flag == CAUTION and "补数" in reason  # NCHS as printed: shown, flagged
    assert _one(0.05, 0.04, 0.12, rules=nchs)[0] == SUPPRESS


def test_mean_rules_and_parameters():
    frame = pd.DataFrame(
        [
            {
                "proportion": False,
                "p": np.nan,
                "se": 1.0,
                "ci_low_p": np.nan,
                "ci_high_p": np.nan,
                "cv_pct": cv,
                "n": 100,
                "n_eff": n_eff,
                "df": df,
            }
            for cv, n_eff, df in ((10, 100, 50), (20, 100, 50), (31, 100, 50), (10, 20, 50), (10, 100, 3))
        ]
    )
    assert assess(frame)["flag"].tolist() == [PRESENT, CAUTION, SUPPRESS, SUPPRESS, CAUTION]
    with pytest.raises(ValueError, match="interval must be one of"):
        QualityRules(interval="wald")
    with pytest.raises(ValueError, match="relative_to"):
        QualityRules(relative_to="p")


# ---------------------------------------------------------------- Pareto top band
def test_pareto_top_mean_by_hand():
    # 3 patents in 500–1000, 1 in 1000+: shares above 500 and 1000 are 4 and 1, α = ln 4/ln 2 = 2, mean 2·1000/1
    assert pareto_top_mean(500, 1000, 3, 1) == pytest.approx((2.0, 2000.0))
    alpha, mean = pareto_top_mean(500, 1000, 6, 4)  # α = ln 2.5/ln 2
    assert alpha == pytest.approx(math.log(2.5) / math.log(2)) and mean == pytest.approx(alpha * 1000 / (alpha - 1))
    assert math.isnan(pareto_top_mean(500, 1000, 1, 1)[1])  # α = 1: infinite mean
    assert math.isnan(pareto_top_mean(500, 1000, 0, 1)[0])


def _revenue_frame(top_count: int = 1, exact: bool = False) -> pd.DataFrame:
    bands = [1, 2, 3, 4, 5, 5, 5, *[6] * top_count, 0, 0]
    frame = pd.DataFrame({"industrialized": [int(b > 0) for b in bands], "revenue_band": bands})
    if exact:
        frame["revenue_amount_10k_yuan"] = [np.nan] * (len(bands) - 2 - top_count) + [2500.0] * top_count + [np.nan] * 2
    return frame


def test_top_band_and_revenue_values():
    top = top_band(_revenue_frame())  # 3 in band 5, 1 in band 6: 2000
    assert (top.method, top.value, top.alpha) == ("pareto", pytest.approx(2000.0), pytest.approx(2.0))
    values = revenue_values(_revenue_frame(), top.value)
    assert values.tolist() == [5, 30, 75, 300, 750, 750, 750, 2000, 0, 0]
    fallback = top_band(_revenue_frame(top_count=3))  # α = 1: the conventional 1500
    assert fallback.method == "factor" and fallback.value == 1500 and "α=1.00" in fallback.note
    exact = _revenue_frame(exact=True)
    assert top_band(exact).method == "exact"
    assert revenue_values(exact, 2000.0)[7] == 2500.0  # the exact amount is kept
    weighted = top_band(_revenue_frame(), weights=[1, 1, 1, 1, 1, 1, 1, 3, 1, 1])  # 3 vs 3: α = 1
    assert weighted.method == "factor"
    with pytest.raises(ValueError, match="row 0: industrialized patent with revenue_band '9'"):
        revenue_values(pd.DataFrame({"industrialized": [1], "revenue_band": [9]}), 2000.0)


def _revenue_design(seed: int = 5) -> Design:
    rng = np.random.default_rng(seed)
    n = 90
    frame = pd.DataFrame(
        {
            "h": rng.choice(["a", "b"], n),
            "psu": rng.integers(0, 12, n),
            "w": rng.uniform(1, 9, n),
            "patent_type": rng.choice(["发明", "实用新型"], n),
        }
    )
    frame["industrialized"] = (rng.random(n) < 0.8).astype(int)
    frame["revenue_band"] = np.where(
        frame["industrialized"] == 1, rng.choice([1, 2, 3, 4, 5, 6], n, p=[0.3, 0.25, 0.15, 0.1, 0.15, 0.05]), 0
    )
    frame["patentee"] = frame["h"] + frame["psu"].astype(str)
    return Design(frame, weights="w", strata="h", psu="psu")


def test_average_revenue_standard_error_includes_the_pareto_index():
    """The linearised SE equals the SE of the numerical derivative z_i = w_i·∂R/∂w_i of the whole estimator."""
    design = _revenue_design()
    table = next(t for t in REPORT_TABLES if t.indicators == ("average_revenue",))
    est = estimate_table(design, table).set_index("level")
    top = design_top_band(design)
    assert top.method == "pareto"
    frame = design.data

    def ratio(w: np.ndarray, mask: np.ndarray) -> float:
        value = top_band(frame, w).value
        y = revenue_values(frame, value)
        return float((w * y)[mask].sum() / (w * frame["industrialized"])[mask].sum())

    w = design.weights.to_numpy()
    for level in ("合计", "发明"):
        mask = np.ones(len(frame), bool) if level == "合计" else (frame["patent_type"] == level).to_numpy()
        z = np.empty(len(w))
        for i in range(len(w)):
            up, down = w.copy(), w.copy()
            up[i] *= 1 + 1e-6
            down[i] *= 1 - 1e-6
            z[i] = (ratio(up, mask) - ratio(down, mask)) / 2e-6
        assert est.loc[level, "se"] == pytest.approx(math.sqrt(design.variance(z)), rel=1e-4)
        assert est.loc[level, "estimate"] == pytest.approx(ratio(w, mask))
    fixed = estimate_table(design, table, top=TopBand(top.value, "factor", 1000.0)).set_index("level")
    assert (fixed["estimate"] == est["estimate"]).all() and (fixed["se"] < est["se"]).all()


# ---------------------------------------------------------------- R conformance
def _api(name: str, dom: str) -> pd.DataFrame:
    frame = pd.read_csv(DATA / f"{name}.csv")
    return frame.assign(
        sw=(frame["sch.wide"] == "Yes").astype(int),
        ci=(frame["comp.imp"] == "Yes").astype(int),
        yr=(frame["yr.rnd"] == "Yes").astype(int),
        dom=frame[dom],
    )


def _frozen_design(case: str) -> Design:
    from survey_conformance import frozen_design

    frame = pd.read_csv(DATA / "two_stage_sample.csv")
    return frozen_design(
        case,
        _api("apistrat", "awards"),
        _api("apiclus1", "stype"),
        frame.assign(a=(frame["cat"] == "a").astype(int)),
        srs=lambda: _api("apisrs", "stype"),
    )


def _python_ciprops(design: Design, variables: list[str], case: str) -> pd.DataFrame:
    frames = []
    for var in variables:
        for method in ("beta", "logit"):
            overall = design.proportion_ci(var, method=method, cap_n_eff=False, r_rows=True).assign(domain="all")
            by = design.proportion_ci(var, "dom", method=method, cap_n_eff=False, r_rows=True)
            frames.append(pd.concat([overall, by.rename(columns={"dom": "domain"})]).assign(var=var, method=method))
    out = pd.concat(frames, ignore_index=True).assign(case=case)
    out["domain"] = out["domain"].astype(str)
    return out


def _compare(python: pd.DataFrame, r: pd.DataFrame) -> int:
    r = r.assign(domain=r["domain"].astype(str))
    merged = python.merge(r, on=["case", "var", "domain", "method"], suffixes=("_py", "_r"), validate="1:1")
    assert len(merged) == len(r) == len(python)
    assert np.allclose(merged["estimate_py"], merged["estimate_r"], rtol=1e-6, atol=1e-9)  # logit: R's glm fit
    assert (merged["df_py"] == merged["df_r"]).all()
    assert np.allclose(merged["se_py"], merged["se_r"], rtol=1e-6, atol=1e-10)
    defined = merged["low"].notna()
    # R is undefined where the estimate is 0 or 1 (beta: n_eff = 0/0; logit: R returns the boundary) or its SE
    # is 0 (a calibration margin: n_eff infinite)
    boundary = merged["estimate_py"].isin([0.0, 1.0]) | (merged["se_r"] < 1e-9)
    assert (~defined <= boundary).all()
    inner = defined & ~boundary
    for ours, theirs in (("ci_low", "low"), ("ci_high", "high")):
        a, b = merged.loc[inner, ours].to_numpy(float), merged.loc[inner, theirs].to_numpy(float)
        assert np.allclose(a, b, rtol=1e-6, atol=1e-8), merged.loc[
            inner & ~np.isclose(merged[ours], merged[theirs], rtol=1e-6, atol=1e-8),
            ["case", "var", "domain", "method", ours, theirs],
        ]
    return int(inner.sum())


FROZEN = pd.read_csv(DATA / "r_ciprop_frozen_values.csv", keep_default_na=False, na_values=["NA"])


@pytest.mark.parametrize("case", sorted(FROZEN["case"].unique()))
def test_frozen_r_svyciprop(case):
    expected = FROZEN[FROZEN["case"] == case].drop(columns=["r_survey_version", "nrow"])
    variables = sorted(expected["var"].unique())
    compared = _compare(_python_ciprops(_frozen_design(case), variables, case), expected)
    assert compared >= len(expected) // 2


@pytest.mark.skipif(
    not r_has_survey(),
    reason="Rscript or the R survey package is not installed (apt-get install -y r-base-core r-cran-survey)",
)
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_live_r_svyciprop_on_random_designs(tmp_path, seed):
    from survey_conformance import random_sample

    rng = np.random.default_rng(seed)
    frame = random_sample(rng, two_stage=seed == 13)
    frame["a"] = (frame["cat"] == "a").astype(int)
    frame["c"] = (frame["cat"] == "c").astype(int)
    if seed == 13:
        design = Design(frame, strata="h", psu="psu", ssu="ssu", fpc="N1", fpc2="N2")
        call = "des <- svydesign(id=~psu+ssu, strata=~h, fpc=~N1+N2, nest=TRUE, data=d)"
    else:
        design = Design(frame, weights="w", strata="h", psu="psu", fpc="N1")
        call = "des <- svydesign(id=~psu, strata=~h, weights=~w, fpc=~N1, nest=TRUE, data=d)"
    margins = frame.groupby("grp")["w"].sum() * 1.1
    pop = ", ".join(f"'{k}'" for k in margins.index), ", ".join(repr(float(v)) for v in margins)
    r = run_r(
        tmp_path,
        frame,
        f"source('{DATA / 'ciprop.R'}')\n{call}\n"
        f"post <- postStratify(des, ~grp, data.frame(grp = c({pop[0]}), Freq = c({pop[1]})))\n"
        "write.csv(rbind(ciprops('plain', des, c('a', 'c')), "
        "ciprops('post', post, c('a', 'c'))), OUT, row.names = FALSE)",
    ).drop(columns="nrow")
    post = design.poststratify("grp", margins.to_dict())
    python = pd.concat([_python_ciprops(design, ["a", "c"], "plain"), _python_ciprops(post, ["a", "c"], "post")])
    assert _compare(python, r) >= len(r) // 2
