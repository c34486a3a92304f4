"""Complex survey designs and design-based estimators (抽样设计与设计基础估计).

A :class:`Design` describes the sample once (weights, strata, primary and secondary sampling units,
finite-population corrections), like R's ``svydesign``; estimators are methods on it and return
DataFrames with the estimate, its design-based standard error, a 95 % confidence interval, the
coefficient of variation, the design effect and the number of sample observations.

Variance estimation is Taylor linearisation written here with numpy, following R ``survey``
(Lumley) 4.1-1 formula by formula so that results agree to rounding error (tested against R itself):

* **Influence functions** — total: ``w·y``; mean: ``w·(y - ȳ)/Σw``; ratio: ``w·(y - R·x)/Σw·x``.
* **Stage 1** — per stratum *h* with *n_h* PSUs and population size *N_h*:
  ``(1 - n_h/N_h) · n_h/(n_h - 1) · Σ_i (z_hi - z̄_h)²`` over PSU totals ``z_hi``
  (no correction when the fpc is not given: sampling with replacement).
* **Stage 2** (two-stage designs with an fpc) — within each PSU the same formula over secondary units,
  multiplied by the first-stage sampling fraction ``n_h/N_h`` (R's ``multistage``).
* **Domains** (``by=``) — subpopulation estimation: the influence function is zero outside the domain
  and the variance uses the full design (strata and PSU counts of the whole sample), as R's ``svyby``
  on a subset design; it is *not* the variance of the subset as if it were a sample.
* **Post-stratification, raking, linear calibration** — new weights, and the influence functions are
  replaced by their residuals on the auxiliary variables (R's ``postStratify``, ``rake`` and
  ``calibrate(calfun="linear")``; raking stops by R's rule: ``maxit`` passes, ``epsilon`` on the
  weighted table).
* **Design effect** — as R's ``svymean(..., deff=TRUE)``: design variance over the variance of simple
  random sampling without replacement of the same number of observations from a population of
  ``Σw``: ``s²·(Σw - n)/(Σw·n)`` for a mean (times ``(Σw)²`` for a total), ``s²`` the weighted variance
  with the ``n/(n-1)`` factor. For a ratio, the design effect of the total of its linearised variable.
* **Strata with a single PSU** (``lonely_psu``) — ``"fail"`` (R's default: an error naming the
  stratum), ``"remove"``/``"certainty"`` (contributes no variance), ``"adjust"`` (the PSU total is
  taken as the deviation, as R does), ``"average"`` (the other strata's variance scaled up by
  ``strata / strata with a variance``). A stratum whose fpc says every PSU was taken contributes
  zero under every option.
* **Confidence intervals** are normal (``estimate ± 1.96·se``), as R's ``confint`` on these estimates;
  :meth:`Design.proportion_ci` gives Korn–Graubard (``"beta"``) or logit intervals of a proportion with the
  design degrees of freedom, as R's ``svyciprop`` (:mod:`ipstats.survey.quality`).
* **Degrees of freedom** (:meth:`Design.degf`) — PSUs minus strata among the domain's rows with a nonzero
  weight, as R's ``degf`` on a subset design.

PSU identifiers are nested in strata and SSU identifiers in PSUs (R's ``nest=TRUE``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = ["Design", "LONELY_PSU_OPTIONS", "RESULT_COLUMNS"]

#: Columns of every estimate table (after the ``by`` columns and, for proportions, the level column).
RESULT_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "cv", "deff", "n"]
LONELY_PSU_OPTIONS = ("fail", "remove", "certainty", "adjust", "average")
_Z = float(norm.ppf(0.975))


def _codes(values: pd.Series | np.ndarray) -> np.ndarray:
    """Integer codes 0..k-1 of the distinct values (order of first appearance does not matter)."""
    return pd.factorize(pd.Series(values), use_na_sentinel=False)[0].astype(np.int64)


def _nested_codes(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """Codes of *inner* units nested in *outer* groups (the same id in two groups is two units)."""
    pairs = pd.DataFrame({"outer": outer, "inner": inner})
    return pairs.groupby(["outer", "inner"], sort=False, dropna=False).ngroup().to_numpy(np.int64)


def _column(data: pd.DataFrame, spec, what: str) -> np.ndarray | None:
    """A design variable given as a column name, or None."""
    if spec is None:
        return None
    if isinstance(spec, str):
        if spec not in data.columns:
            raise KeyError(f"Design: {what} column {spec!r} not found; columns are {list(data.columns)}")
        values = data[spec]
    else:
        values = pd.Series(spec)
        if len(values) != len(data):
            raise ValueError(f"Design: {what} has {len(values)} values, the data {len(data)} rows")
    if values.isna().any():
        row = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise ValueError(f"Design: {what} is missing in row {row}")
    return values.to_numpy()


def _population_sizes(fpc: np.ndarray, sampled: np.ndarray, what: str) -> np.ndarray:
    """Population sizes from an fpc given as sizes (all ≥ 1) or sampling fractions (all ≤ 1), as R's ``as.fpc``."""
    fpc = fpc.astype(float)
    sizes = (fpc > 1).any()
    if sizes and (fpc < 1).any():
        raise ValueError(
            f"Design: {what} mixes population sizes (> 1) and sampling fractions (< 1); "
            "give all as sizes or all as fractions"
        )
    if (fpc <= 0).any():
        raise ValueError(f"Design: {what} must be positive, found {fpc[fpc <= 0][0]}")
    population = fpc if sizes else sampled / fpc
    too_small = np.flatnonzero(population < sampled - 1e-9)
    if too_small.size:
        i = too_small[0]
        raise ValueError(
            f"Design: {what} implies sampling more than 100 % (row {i}: population "
            f"{population[i]:g}, sampled units {sampled[i]})"
        )
    return population


@dataclass(frozen=True)
class _Step:
    """One weight adjustment, kept to linearise the variance (R's ``postStrata`` list)."""

    kind: str  # "post", "rake" or "greg"
    codes: tuple = ()  # post: (codes,); rake: codes of each margin
    weights: tuple = ()  # post: (old, new); rake: new weights after each margin
    mm: np.ndarray | None = None  # greg: auxiliary matrix
    sqrt_w0: np.ndarray | None = None  # greg: √ weights before calibration
    g: np.ndarray | None = None  # greg: g-weights


@dataclass(frozen=True)
class _Structure:
    strata: np.ndarray  # stratum code per row
    psu: np.ndarray  # PSU code per row (unique across strata)
    ssu: np.ndarray | None  # SSU code per row (unique across PSUs) or None
    n1: np.ndarray  # PSUs sampled in the row's stratum
    N1: np.ndarray  # PSUs in the population of the stratum (inf: no fpc)
    n2: np.ndarray | None  # SSUs sampled in the row's PSU
    N2: np.ndarray | None  # SSUs in the PSU's population (inf: no fpc2)
    has_fpc: bool


class Design:
    """A survey design: the sample, its weights and how it was drawn (R ``svydesign``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per sampled unit (respondent, or patent in a two-stage patentee → patent sample).
    weights : str, optional
        Column of sampling weights (抽样权数). Without it the weights are the inverse inclusion
        probabilities implied by *fpc* (and *fpc2*), or 1 when no fpc is given (as R).
    strata : str, optional
        Column of first-stage strata (层). None: one stratum.
    psu : str, optional
        Column of primary sampling units (初级抽样单元, e.g. patentee). None: every row is its own PSU.
    ssu : str, optional
        Column of secondary sampling units (二级抽样单元, e.g. patent) for two-stage designs.
    fpc : str, optional
        Column of the first-stage finite-population correction: the number of PSUs in the stratum's
        population (all values ≥ 1), or the sampling fraction (all values ≤ 1). None: with replacement.
    fpc2 : str, optional
        Column of the second-stage fpc: SSUs in the PSU's population, or the second-stage fraction.
    lonely_psu : {"fail", "remove", "certainty", "adjust", "average"}, keyword only
        What to do with strata holding a single PSU (R's ``options(survey.lonely.psu=)``).

    Raises
    ------
    KeyError, ValueError
        Naming the design variable, the row and the value at fault.

    Examples
    --------
    >>> d = Design(apistrat, weights="pw", strata="stype", fpc="fpc")       # doctest: +SKIP
    >>> d.mean("api00")                                                     # doctest: +SKIP
    """

    def __init__(
        self,
        data: pd.DataFrame,
        weights: str | None = None,
        strata: str | None = None,
        psu: str | None = None,
        ssu: str | None = None,
        fpc: str | None = None,
        fpc2: str | None = None,
        *,
        lonely_psu: str = "fail",
    ) -> None:
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise ValueError(f"Design: lonely_psu must be one of {LONELY_PSU_OPTIONS}, got {lonely_psu!r}")
        if fpc2 is not None and ssu is None:
            raise ValueError("Design: fpc2 needs ssu (the second-stage units)")
        self.data = data.reset_index(drop=True)
        self.lonely_psu = lonely_psu
        self.spec = {"weights": weights, "strata": strata, "psu": psu, "ssu": ssu, "fpc": fpc, "fpc2": fpc2}
        n = len(self.data)
        if n == 0:
            raise ValueError("Design: the data have no rows")
        strata_values = _column(self.data, strata, "strata")
        strata_codes = _codes(strata_values) if strata_values is not None else np.zeros(n, np.int64)
        psu_values = _column(self.data, psu, "psu")
        psu_codes = _nested_codes(strata_codes, psu_values) if psu_values is not None else np.arange(n, dtype=np.int64)
        ssu_values = _column(self.data, ssu, "ssu")
        ssu_codes = None if ssu_values is None else _nested_codes(psu_codes, ssu_values)
        n1 = _unique_per_group(psu_codes, strata_codes)
        fpc_values = _column(self.data, fpc, "fpc")
        N1 = np.full(n, np.inf) if fpc_values is None else _population_sizes(fpc_values, n1, f"fpc {fpc!r}")
        n2 = N2 = None
        if ssu_codes is not None:
            n2 = _unique_per_group(ssu_codes, psu_codes)
            fpc2_values = _column(self.data, fpc2, "fpc2")
            N2 = np.full(n, np.inf) if fpc2_values is None else _population_sizes(fpc2_values, n2, f"fpc2 {fpc2!r}")
        self._structure = _Structure(strata_codes, psu_codes, ssu_codes, n1, N1, n2, N2, fpc_values is not None)
        w_values = _column(self.data, weights, "weights")
        if w_values is not None:
            w = w_values.astype(float)
            if (w < 0).any():
                raise ValueError(f"Design: weights must be ≥ 0, row {int(np.flatnonzero(w < 0)[0])} has {w[w < 0][0]}")
        elif fpc_values is not None:
            prob = n1 / N1
            if n2 is not None and fpc2 is not None:
                prob = prob * n2 / N2
            w = 1.0 / prob
        else:
            w = np.ones(n)
        self._w = w
        self._steps: tuple[_Step, ...] = ()

    # ------------------------------------------------------------------ basic accessors
    @property
    def weights(self) -> pd.Series:
        """The current weights (after any post-stratification, raking or calibration)."""
        return pd.Series(self._w, index=self.data.index, name="weight")

    @property
    def calibrated(self) -> bool:
        """Whether weights were post-stratified, raked or calibrated."""
        return bool(self._steps)

    def __repr__(self) -> str:
        s = self._structure
        stages = "two-stage" if s.ssu is not None else "one-stage"
        return (
            f"Design({stages}, {len(self.data)} rows, {len(np.unique(s.strata))} strata, "
            f"{len(np.unique(s.psu))} PSUs, fpc={'yes' if s.has_fpc else 'no'}, "
            f"adjustments={[st.kind for st in self._steps]})"
        )

    def _derived(self, w: np.ndarray, step: _Step | tuple[_Step, ...]) -> Design:
        new = object.__new__(Design)
        new.__dict__.update(self.__dict__)
        new._w = w
        new._steps = self._steps + (step if isinstance(step, tuple) else (step,))
        return new

    # ------------------------------------------------------------------ variance
    def _residuals(self, z: np.ndarray) -> np.ndarray:
        """Influence functions after the weight adjustments (R ``svyrecvar``'s postStrata loop)."""
        for step in self._steps:
            if step.kind == "greg":
                scale = step.g * step.sqrt_w0
                safe = np.where(scale == 0, 1.0, scale)
                u = z / safe
                x = step.mm * step.sqrt_w0[:, None]
                beta = np.linalg.lstsq(x, u, rcond=None)[0]
                z = (u - x @ beta) * scale
            elif step.kind == "post":
                (codes,), (old, new) = step.codes, step.weights
                new = np.where((new == 0) & (old == 0), 1.0, new)
                k = codes.max() + 1
                means = np.bincount(codes, z * old / new, k) / np.bincount(codes, old, k)
                z = z - means[codes] * new
            else:  # raking: R repeats the margin sweeps 10 times
                for _ in range(10):
                    for codes, new in zip(step.codes, step.weights):
                        k = codes.max() + 1
                        ratio = z / new
                        z = z - new * (np.bincount(codes, ratio, k) / np.bincount(codes, minlength=k))[codes]
        return z

    def _lonely(self, stratum: int, stage: int) -> None:
        if self.lonely_psu == "fail":
            label = self._stratum_label(stratum) if stage == 1 else f"PSU {stratum}"
            raise ValueError(
                f"Design: stratum {label} has only one PSU at stage {stage}; set lonely_psu= "
                f"to one of {LONELY_PSU_OPTIONS[1:]} or merge strata"
            )

    def _stratum_label(self, code: int) -> str:
        column = self.spec["strata"]
        if not isinstance(column, str):
            return str(code)
        first = int(np.flatnonzero(self._structure.strata == code)[0])
        return repr(self.data[column].iloc[first])

    def _stage_variance(
        self, z: np.ndarray, group: np.ndarray, unit: np.ndarray, n_units: np.ndarray, N_units: np.ndarray, stage: int
    ) -> pd.DataFrame:
        """Per group (stratum; PSU at stage 2): (1-f)·n/(n-1)·Σ(t - t̄)² over the n unit totals t.

        Units of the design absent from *z* (outside a domain) count as zero totals, as R pads them.
        Returns a frame indexed by group with ``var`` and ``ok`` (False: a lonely PSU under "average").
        """
        units, first_row, unit_inv = np.unique(unit, return_index=True, return_inverse=True)
        totals = np.bincount(unit_inv, z, len(units))
        groups, first_unit, g_inv = np.unique(group[first_row], return_index=True, return_inverse=True)
        n = n_units[first_row][first_unit].astype(float)
        N = N_units[first_row][first_unit].astype(float)
        total_g = np.bincount(g_inv, totals, len(groups))
        present = np.bincount(g_inv, minlength=len(groups))
        mean = total_g / n  # absent units count as zero totals
        ss = np.bincount(g_inv, (totals - mean[g_inv]) ** 2, len(groups)) + (n - present) * mean**2
        finite = np.isfinite(N)
        f = np.ones(len(groups))
        f[finite] = (N[finite] - n[finite]) / N[finite]
        var = np.zeros(len(groups))
        ok = np.ones(len(groups), bool)
        many = n > 1
        var[many] = (f * n / np.where(many, n - 1, 1) * ss)[many]
        for j in np.flatnonzero(~many & (f >= 1e-7)):
            self._lonely(int(groups[j]), stage)
            if self.lonely_psu == "adjust":  # R: the lonely PSU's total is not centred
                var[j] = f[j] * total_g[j] ** 2
            elif self.lonely_psu == "average":
                ok[j] = False
        var[f < 1e-7] = 0.0
        return pd.DataFrame({"var": var, "ok": ok}, index=groups)

    def _variance(self, z: np.ndarray, rows: np.ndarray) -> float:
        """Design variance of the total of influence values *z* (full length, zero outside *rows*).

        An uncalibrated design keeps only the domain's rows (strata without them drop out, as R's
        subset); a calibrated one keeps all rows (R keeps them with zero weight).
        """
        z = self._residuals(z)
        s = self._structure
        if self.calibrated:
            rows = np.arange(len(z))
        if len(rows) == 0:
            return 0.0
        first = self._stage_variance(z[rows], s.strata[rows], s.psu[rows], s.n1[rows], s.N1[rows], stage=1)
        ok = first["ok"].to_numpy()
        v = float(first["var"][ok].sum() * len(first) / ok.sum()) if ok.any() else float("nan")
        if s.ssu is None or not s.has_fpc:
            return v
        second = self._stage_variance(z[rows], s.psu[rows], s.ssu[rows], s.n2[rows], s.N2[rows], stage=2)
        psus, first = np.unique(s.psu[rows], return_index=True)  # same order as second.index
        fraction = (s.n1[rows] / s.N1[rows])[first]  # R: nPSU / popsize
        second_var = np.where(second["ok"], second["var"], np.nan)  # "average" in a one-stratum PSU: NaN
        return v + float((second_var * fraction).sum())

    # ------------------------------------------------------------------ estimation core
    def _values(self, var: str) -> np.ndarray:
        if var not in self.data.columns:
            raise KeyError(f"{var!r} is not a column of the survey data; columns are {list(self.data.columns)}")
        values = self.data[var]
        if values.isna().any():
            row = int(np.flatnonzero(values.isna().to_numpy())[0])
            raise ValueError(f"{var!r} is missing in row {row}: impute it or drop the row before building the design")
        if not pd.api.types.is_numeric_dtype(values):
            raise TypeError(f"{var!r} must be numeric (use proportion() for a categorical variable)")
        return values.to_numpy(dtype=float)

    def _domains(self, by: str | Sequence[str] | None) -> list[tuple[tuple, np.ndarray]]:
        if by is None:
            return [((), np.ones(len(self.data), bool))]
        by = [by] if isinstance(by, str) else list(by)
        for b in by:
            if b not in self.data.columns:
                raise KeyError(f"by column {b!r} is not a column of the survey data")
        groups = self.data.groupby(by, sort=True, dropna=False, observed=True).indices
        out = []
        for key, idx in groups.items():
            mask = np.zeros(len(self.data), bool)
            mask[idx] = True
            out.append((key if isinstance(key, tuple) else (key,), mask))
        return out

    def _estimate(self, kind: str, y: np.ndarray, x: np.ndarray | None, mask: np.ndarray) -> dict:
        w = np.where(mask, self._w, 0.0)
        rows = np.flatnonzero(mask)
        psum = w.sum()
        if kind == "total":
            est = float((w * y).sum())
            z, t = w * y, y
        elif kind == "mean":
            est = float((w * y).sum() / psum)
            z, t = w * (y - est) / psum, y
        else:
            denominator = float((w * x).sum())
            est = float((w * y).sum() / denominator)
            t = (y - est * x) / denominator
            z = w * t
        var = self._variance(np.where(mask, z, 0.0), rows)
        se = float(np.sqrt(var)) if var >= 0 else float("nan")
        nobs = int((w[rows] != 0).sum())
        deff = float("nan")
        if nobs > 1 and psum > nobs:
            wr, tr = w[rows], t[rows]
            centre = (wr * tr).sum() / wr.sum()
            s2 = (wr * (tr - centre) ** 2).sum() / wr.sum() * nobs / (nobs - 1)
            srs = s2 * (psum - nobs) / (psum * nobs) * (1.0 if kind == "mean" else psum**2)
            deff = var / srs if srs > 0 else float("nan")
        return {
            "estimate": est,
            "se": se,
            "ci_low": est - _Z * se,
            "ci_high": est + _Z * se,
            "cv": se / est if est != 0 else float("nan"),
            "deff": deff,
            "n": int(mask.sum()),
        }

    def _table(
        self,
        kind: str,
        y: np.ndarray,
        x: np.ndarray | None,
        by,
        extra: dict | None = None,
        condition: np.ndarray | None = None,
    ) -> pd.DataFrame:
        by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
        rows = []
        for key, mask in self._domains(by):
            if condition is not None:
                mask = mask & condition
            rows.append({**dict(zip(by_cols, key)), **(extra or {}), **self._estimate(kind, y, x, mask)})
        return pd.DataFrame(rows, columns=[*by_cols, *(extra or {}), *RESULT_COLUMNS])

    def degf(self, by: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Design degrees of freedom: first-stage PSUs minus strata, overall or per domain (R ``degf``).

        Counted over the domain's rows with a nonzero weight, as R's ``degf`` on ``subset(design, ...)``.
        """
        by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
        rows = [{**dict(zip(by_cols, key)), "df": self._degf(mask)} for key, mask in self._domains(by)]
        return pd.DataFrame(rows, columns=[*by_cols, "df"])

    def _degf(self, mask: np.ndarray) -> int:
        inset = mask & (self._w != 0)
        s = self._structure
        return int(len(np.unique(s.psu[inset])) - len(np.unique(s.strata[inset])))

    def domain_masks(self, by: str | Sequence[str] | None = None) -> list[tuple[tuple, np.ndarray]]:
        """The domains of *by* in the order of every estimate table: (key tuple, boolean row mask) pairs."""
        return self._domains(by)

    def variance(self, z: np.ndarray) -> float:
        """Design variance of the total of influence values *z* (one per row, zero where a unit does not count).

        For an estimator that is a smooth function of weighted totals, ``z_i = w_i·∂θ/∂w_i``; the weight
        adjustments are linearised as for the built-in estimators.
        """
        z = np.asarray(z, dtype=float)
        if z.shape != (len(self.data),):
            raise ValueError(f"Design.variance: z has shape {z.shape}, expected ({len(self.data)},)")
        return self._variance(z, np.arange(len(z)))

    def assign(self, **columns) -> Design:
        """The same design (weights, adjustments) with columns added to or replaced in its data (``DataFrame.assign``).

        Values must be aligned with ``self.data`` (one per row); structure columns cannot be replaced.
        """
        used = {v for v in self.spec.values() if isinstance(v, str)}
        clash = sorted(used & set(columns))
        if clash:
            raise ValueError(f"Design.assign: {clash} define the design and cannot be replaced")
        new = object.__new__(Design)
        new.__dict__.update(self.__dict__)
        new.data = self.data.assign(**columns)
        return new

    # ------------------------------------------------------------------ estimators
    def total(self, var: str, by: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Estimated population total of *var* (总量), overall or per domain (R ``svytotal``/``svyby``)."""
        return self._table("total", self._values(var), None, by)

    def mean(self, var: str, by: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Estimated population mean of *var* (均值), overall or per domain (R ``svymean``/``svyby``)."""
        return self._table("mean", self._values(var), None, by)

    def ratio(self, numerator: str, denominator: str, by: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Estimated ratio of two population totals ``Y/X`` (比率估计, R ``svyratio``)."""
        x = self._values(denominator)
        return self._table("ratio", self._values(numerator), x, by)

    def proportion(self, var: str, by: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Estimated share of each level of the categorical *var* (构成比), overall or per domain.

        The mean of the level's indicator (R ``svymean(~factor(var))``); the level is in column *var*.
        """
        if var not in self.data.columns:
            raise KeyError(f"{var!r} is not a column of the survey data")
        values = self.data[var]
        if values.isna().any():
            raise ValueError(f"{var!r} is missing in row {int(np.flatnonzero(values.isna().to_numpy())[0])}")
        frames = [
            self._table("mean", (values == level).to_numpy(float), None, by, extra={var: level})
            for level in sorted(values.unique())
        ]
        by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
        out = pd.concat(frames, ignore_index=True)
        return out.sort_values([*by_cols, var], kind="stable").reset_index(drop=True)

    def proportion_ci(
        self,
        var: str,
        by: str | Sequence[str] | None = None,
        method: str = "beta",
        level: float = 0.95,
        *,
        cap_n_eff: bool = True,
        r_rows: bool = False,
    ) -> pd.DataFrame:
        """Share of units with ``var == 1`` and its Korn–Graubard or logit interval (R ``svyciprop``).

        Parameters
        ----------
        var : str
            A 0/1 column.
        by : str or list of str, optional
            Domains (subpopulations, as :meth:`mean`).
        method : {"beta", "logit"}
            Korn–Graubard (``svyciprop(method="beta")``) or logit (``method="logit"``) interval.
        level : float
            Confidence level.
        cap_n_eff : bool, keyword only
            Cap the effective sample size at the domain's sample size (NCHS 2017); ``False`` as R.
        r_rows : bool, keyword only
            The ``n`` of the Korn–Graubard df adjustment ``t(n-1)``: the domain's sample size (NCHS, default),
            or, when True, R's ``nrow(design)``, which for a calibrated design's subset is the whole sample.

        Returns
        -------
        pandas.DataFrame
            The *by* columns, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``cv``, ``deff``, ``n``, ``df``
            (design degrees of freedom) and ``n_eff`` (effective sample size, capped when *cap_n_eff*).
        """
        from ipstats.survey.quality import effective_n, korn_graubard, logit_interval

        y = self._values(var)
        if not np.isin(y, (0.0, 1.0)).all():
            row = int(np.flatnonzero(~np.isin(y, (0.0, 1.0)))[0])
            raise ValueError(f"proportion_ci: {var!r} must be 0 or 1, row {row} has {y[row]:g}")
        if method not in ("beta", "logit"):
            raise ValueError(f"proportion_ci: method must be 'beta' or 'logit', got {method!r}")
        out = self.mean(var, by)
        domains = self._domains(by)
        df = np.array([self._degf(mask) for _, mask in domains], dtype=float)
        rows_for_t = np.array(
            [len(self.data) if (r_rows and self.calibrated) else int(mask.sum()) for _, mask in domains], dtype=float
        )
        lows, highs, n_eff = [], [], []
        for p, se, n, d, n_t in zip(out["estimate"], out["se"], out["n"], df, rows_for_t):
            n_eff.append(effective_n(p, se, n, cap_n_eff))
            if method == "beta":
                low, high, _ = korn_graubard(p, se, n_t, d, level, cap=cap_n_eff)
            else:
                low, high = logit_interval(p, se, d, level)
            lows.append(low)
            highs.append(high)
        return out.assign(ci_low=lows, ci_high=highs, df=df, n_eff=n_eff)

    # ------------------------------------------------------------------ weight adjustments
    def poststratify(self, var: str | Sequence[str], totals: Mapping) -> Design:
        """Post-stratify (事后分层) to known population counts of *var*'s levels (R ``postStratify``).

        Parameters
        ----------
        var : str or list of str
            The post-stratification variable(s); with several, the keys of *totals* are tuples.
        totals : dict
            Level → population count. Every sampled level needs a count and every level with a count
            needs sample units.

        Returns
        -------
        Design
            A new design whose weights add up to *totals* within each level.
        """
        cols = [var] if isinstance(var, str) else list(var)
        labels = pd.Series(list(zip(*(self.data[c] for c in cols)))) if len(cols) > 1 else self.data[cols[0]]
        return self._poststratified(labels.to_numpy(), dict(totals), " × ".join(cols))[0]

    def _poststratified(self, labels: np.ndarray, totals: dict, name: str) -> tuple[Design, np.ndarray]:
        codes, population = _cell_targets(labels, totals, name)
        new = _post_weights(self._w, codes, population, name)
        step = _Step("post", codes=(codes,), weights=(self._w, new))
        return self._derived(new, step), codes

    def rake(self, margins: Mapping[str, Mapping], maxit: int = 10, epsilon: float = 1.0) -> Design:
        """Rake (迭代比例调整) the weights to known margins (R ``rake`` with its default stopping rule).

        Parameters
        ----------
        margins : dict
            Variable → {level → population count}, e.g. ``{"patent_type": {...}, "province": {...}}``.
        maxit : int
            Most passes over the margins (R's ``control$maxit``).
        epsilon : float
            Stop when no cell of the weighted cross-table of all margin variables moves by more than
            this (≥ 1: absolute; < 1: a fraction of the total weight), as R.

        Returns
        -------
        Design
            A new design; a RuntimeWarning-free result, or ``ValueError`` when raking did not converge.
        """
        names = list(margins)
        if not names:
            raise ValueError("rake: give at least one margin")
        tol = epsilon * self._w.sum() if epsilon < 1 else epsilon
        joint = self.data.groupby(names, sort=False, dropna=False).ngroup().to_numpy()
        k = joint.max() + 1
        old_table = np.bincount(joint, self._w, k)
        targets = [_cell_targets(self.data[name].to_numpy(), dict(margins[name]), name) for name in names]
        w, converged = self._w, False
        for _ in range(maxit):
            weights = []
            for name, (codes, population) in zip(names, targets):
                w = _post_weights(w, codes, population, name)
                weights.append(w)
            new_table = np.bincount(joint, w, k)
            if np.abs(old_table - new_table).max() < tol:
                converged = True
                break
            old_table = new_table
        if not converged:
            raise ValueError(
                f"rake: margins {names} did not converge in {maxit} passes; check that the margins "
                "agree on the population total, or raise maxit"
            )
        return self._derived(w, _Step("rake", codes=tuple(c for c, _ in targets), weights=tuple(weights)))

    def calibrate(self, totals: Mapping) -> Design:
        """Linear (GREG) calibration (校准) to known population totals (R ``calibrate(calfun="linear")``).

        Parameters
        ----------
        totals : dict
            Auxiliary totals: ``"(Intercept)"`` → population size; a numeric column → its population
            total; a categorical column → {level → population count} (all levels, like a rake margin).

        Returns
        -------
        Design
            A new design whose weighted totals of the auxiliaries equal *totals* exactly.
        """
        columns, targets = [], []
        for name, value in totals.items():
            if name == "(Intercept)":
                columns.append(np.ones(len(self.data)))
                targets.append(float(value))
            elif isinstance(value, Mapping):
                values = self.data[name]
                unknown = sorted(set(values.unique()) - set(value))
                if unknown:
                    raise ValueError(f"calibrate: level(s) {unknown[:5]} of {name!r} are sampled but have no total")
                for level, count in value.items():
                    indicator = (values == level).to_numpy(float)
                    if indicator.sum() == 0 and count > 0:
                        raise ValueError(f"calibrate: level {level!r} of {name!r} has a total but no sample unit")
                    columns.append(indicator)
                    targets.append(float(count))
            else:
                columns.append(self._values(name))
                targets.append(float(value))
        if not columns:
            raise ValueError("calibrate: give at least one auxiliary total")
        mm = np.column_stack(columns)
        w0 = self._w
        lam = np.linalg.lstsq(mm.T @ (mm * w0[:, None]), np.array(targets) - mm.T @ w0, rcond=None)[0]
        g = 1.0 + mm @ lam
        new = w0 * g
        if not np.allclose(mm.T @ new, targets, rtol=1e-8, atol=1e-6 * max(1.0, np.abs(targets).max())):
            raise ValueError("calibrate: the totals cannot all be met (inconsistent or collinear auxiliaries)")
        step = _Step("greg", mm=mm, sqrt_w0=np.sqrt(w0), g=g)
        return self._derived(new, step)


def _cell_targets(labels: np.ndarray, totals: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes of *labels*' levels and each level's population count; errors name the level at fault."""
    codes, levels = pd.factorize(pd.Series(labels), sort=True)
    missing = [lv for lv in levels if lv not in totals]
    if missing:
        raise ValueError(
            f"poststratify: level(s) {missing[:5]} of {name} are in the sample but have no population count"
        )
    present = set(levels)
    empty = [lv for lv, c in totals.items() if c > 0 and lv not in present]
    if empty:
        raise ValueError(
            f"poststratify: level(s) {empty[:5]} of {name} have a population count but no "
            "sample unit; merge them with a neighbouring level"
        )
    return codes.astype(np.int64), np.array([float(totals[lv]) for lv in levels])


def _post_weights(w: np.ndarray, codes: np.ndarray, population: np.ndarray, name: str) -> np.ndarray:
    """Weights scaled so that they add up to *population* within each level."""
    sample = np.bincount(codes, w, len(population))
    if (sample == 0).any():
        raise ValueError(f"poststratify: a level of {name} has zero sample weight")
    return w * (population / sample)[codes]


def _unique_per_group(unit: np.ndarray, group: np.ndarray) -> np.ndarray:
    """For each row, the number of distinct *unit* codes in its *group*."""
    pairs = pd.DataFrame({"g": group, "u": unit}).drop_duplicates()
    counts = pairs.groupby("g").size()
    return counts.reindex(group).to_numpy(dtype=float)
