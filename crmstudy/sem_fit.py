"""Fit indices of covariance structure models, with lavaan 0.6's conventions (``fitMeasures``).

One implementation shared by :func:`crmstudy.sem.sem` and :func:`crmstudy.measurement.cfa`.

* ``chisq = N · F_ML`` (lavaan ``likelihood = "normal"``: N, not N − 1), ``df`` the number of
  sample moments (means included when the model has a mean structure; moments of fixed
  exogenous covariates excluded) minus the free parameters;
* ``chisq_df = chisq / df``;
* baseline (independence) model ``chisq_b, df_b``; ``NFI = (chisq_b − chisq)/chisq_b``,
  ``IFI = (chisq_b − chisq)/(chisq_b − df)`` (Bollen 1989),
  ``TLI = (chisq_b/df_b − chisq/df)/(chisq_b/df_b − 1)``,
  ``CFI = 1 − max(chisq − df, 0)/max(chisq − df, chisq_b − df_b, 0)`` (Bentler 1990);
* ``RMSEA = sqrt(max(chisq − df, 0)/(N · df))`` with the 90 % interval of the noncentrality
  parameter (Browne & Cudeck 1993);
* ``GFI = 1 − r'Vr / s'Vs`` with ``s`` the sample moments, ``r`` the residual moments and
  ``V`` the normal-theory weight at the model-implied matrix (Jöreskog & Sörbom;
  lavaan ``lav_fit_gfi``), ``AGFI = 1 − (nel/df)(1 − GFI)`` with ``nel`` the number of
  sample moments including those of fixed covariates;
* ``SRMR`` (Bentler): root mean square of the residual correlations over the p(p+1)/2
  distinct elements (diagonal included) and, with a mean structure, of the standardised mean
  residuals ``(m − μ)/sqrt(s_ii)`` (lavaan's ``srmr``);
* ``AIC = −2 logL + 2q``, ``BIC = −2 logL + q ln N``.

A saturated model (df = 0) gets lavaan's values: ``TLI = 1``, ``RMSEA = 0``, CI ``[0, 0]``,
``AGFI = 1``, ``p`` and ``chisq_df`` NaN (undefined).
"""
from __future__ import annotations

import numpy as np
from scipy import optimize, stats

__all__ = ["FIT_KEYS", "fit_measures", "rmsea_ci", "FIT_LABELS", "FIT_THRESHOLDS"]

FIT_KEYS = ("chisq", "df", "pvalue", "chisq_df", "gfi", "agfi", "nfi", "ifi", "tli", "cfi",
            "rmsea", "rmsea_ci_low", "rmsea_ci_high", "srmr", "aic", "bic")

# Usual cut-offs (Carmines & McIver 1981 for χ²/df; Hu & Bentler 1999 for CFI/TLI/RMSEA/SRMR;
# Jöreskog & Sörbom / Bentler & Bonett 1980 for GFI, AGFI, NFI, IFI).
FIT_THRESHOLDS = {"chisq_df": ("<=", 3.0), "gfi": (">=", 0.90), "agfi": (">=", 0.80),
                  "nfi": (">=", 0.90), "ifi": (">=", 0.90), "tli": (">=", 0.90),
                  "cfi": (">=", 0.90), "rmsea": ("<=", 0.08), "srmr": ("<=", 0.08)}

FIT_LABELS = {"chisq": "χ²", "df": "df", "pvalue": "p", "chisq_df": "χ²/df", "gfi": "GFI",
              "agfi": "AGFI", "nfi": "NFI", "ifi": "IFI", "tli": "TLI", "cfi": "CFI",
              "rmsea": "RMSEA", "rmsea_ci_low": "RMSEA 90% CI low",
              "rmsea_ci_high": "RMSEA 90% CI high", "srmr": "SRMR", "aic": "AIC", "bic": "BIC"}


def rmsea_ci(chisq: float, df: float, n: int, level: float = 0.90) -> tuple[float, float]:
    """Noncentrality interval of the RMSEA (lavaan): solve P(χ²_df(λ) ≤ chisq) = bound."""
    if df <= 0:
        return 0.0, 0.0
    upper_p, lower_p = (1 + level) / 2, (1 - level) / 2

    def solve(target):
        def f(lam):
            return (stats.ncx2.cdf(chisq, df, lam) if lam > 0 else stats.chi2.cdf(chisq, df)) - target
        if f(0.0) < 0:      # even λ = 0 makes chisq too extreme
            return 0.0
        hi = max(chisq, 1.0)
        while f(hi) > 0:
            hi *= 2
        return optimize.brentq(f, 0.0, hi, xtol=1e-12)

    lam_low, lam_high = solve(upper_p), solve(lower_p)
    return float(np.sqrt(lam_low / (n * df))), float(np.sqrt(lam_high / (n * df)))


def _incremental(chisq, df, chisq_b, df_b):
    cfi_den = max(chisq - df, chisq_b - df_b, 0.0)
    cfi = 1 - max(chisq - df, 0.0) / cfi_den if cfi_den > 0 else 1.0
    if df > 0:
        tli = (chisq_b / df_b - chisq / df) / (chisq_b / df_b - 1)
    else:
        tli = 1.0      # lavaan: saturated model
    return float(cfi), float(tli)


def fit_measures(*, chisq: float, df: int, chisq_b: float, df_b: int, n: int, loglik: float,
                 npar: int, s: np.ndarray, sigma: np.ndarray, mean_s=None, mean_sigma=None,
                 fixed_x=(), patterns=None, level: float = 0.90) -> dict:
    """Fit indices of one fitted model, keys :data:`FIT_KEYS` (lavaan ``fitMeasures``).

    ``s``/``mean_s`` are the sample (or, with missing data, the saturated-model EM) moments,
    ``sigma``/``mean_sigma`` the model-implied ones; the means enter GFI and SRMR only when
    given (a model with a mean structure).  ``fixed_x`` are the positions of exogenous
    covariates whose moments are fixed at the sample values: their block has no weight in the
    GFI (lavaan's WLS weight), but counts in ``nel``.  ``patterns`` (missing data): pairs
    ``(observed positions, count)``; the GFI weight is then lavaan's expected information
    under missing data, the count-weighted mean of each pattern's normal-theory weight.
    """
    chisq = max(float(chisq), 0.0)
    p = s.shape[0]
    cfi, tli = _incremental(chisq, df, chisq_b, df_b)
    if df > 0:
        rmsea = float(np.sqrt(max(chisq - df, 0.0) / (df * n)))
        low, high = rmsea_ci(chisq, df, n, level)
        pvalue, chisq_df = float(stats.chi2.sf(chisq, df)), chisq / df
    else:
        rmsea, low, high, pvalue, chisq_df = 0.0, 0.0, 0.0, float("nan"), float("nan")
    # GFI: normal-theory weight at Σ̂ (the expected information of the model)
    r = s - sigma
    s_free = s.copy()
    if len(fixed_x):
        s_free[np.ix_(fixed_x, fixed_x)] = 0.0
    if patterns is None:
        patterns = [(np.arange(p), 1)]
    total = sum(k for _, k in patterns)
    t1 = t2 = 0.0
    dm = None if mean_s is None else np.asarray(mean_s) - np.asarray(mean_sigma)
    for o, k in patterns:
        wo = np.linalg.inv(sigma[np.ix_(o, o)])
        wr, ws = wo @ r[np.ix_(o, o)], wo @ s_free[np.ix_(o, o)]
        t1 += k / total * 0.5 * np.sum(wr * wr.T)
        t2 += k / total * 0.5 * np.sum(ws * ws.T)
        if dm is not None:
            ms = np.asarray(mean_s)[o]
            t1 += k / total * (dm[o] @ wo @ dm[o])
            t2 += k / total * (ms @ wo @ ms)
    nel = p * (p + 1) // 2
    d = np.sqrt(np.diag(s))
    resid = r / np.outer(d, d)          # Bentler: both standardised by the sample SDs
    squares = list(resid[np.tril_indices(p)] ** 2)
    if dm is not None:
        nel += p
        squares += list((dm / d) ** 2)
    gfi = 1 - t1 / t2
    agfi = 1 - nel / df * (1 - gfi) if df > 0 else 1.0
    nfi = (chisq_b - chisq) / chisq_b
    ifi = (chisq_b - chisq) / (chisq_b - df)
    return {"chisq": chisq, "df": int(df), "pvalue": pvalue, "chisq_df": float(chisq_df),
            "gfi": float(gfi), "agfi": float(agfi), "nfi": float(nfi), "ifi": float(ifi),
            "tli": tli, "cfi": cfi, "rmsea": rmsea, "rmsea_ci_low": low, "rmsea_ci_high": high,
            "srmr": float(np.sqrt(np.mean(squares))),
            "aic": float(-2 * loglik + 2 * npar), "bic": float(-2 * loglik + npar * np.log(n))}


def scaled_measures(*, chisq: float, df: int, c: float, chisq_b: float, df_b: int, c_b: float,
                    n: int, level: float = 0.90) -> dict:
    """Yuan–Bentler scaled statistics and the scaled/robust indices lavaan's MLR prints.

    ``*_scaled``: the ordinary formulas applied to ``chisq/c`` and ``chisq_b/c_b``;
    ``*_robust``: Brosseau-Liard, Savalei & Li (2012) RMSEA and Brosseau-Liard & Savalei
    (2014) CFI/TLI, ``(chisq − c·df)`` in place of ``(chisq − df)``.
    """
    ts, tbs = chisq / c, chisq_b / c_b
    cfi_s, tli_s = _incremental(ts, df, tbs, df_b)
    out = {"chisq_scaled": ts, "scaling_factor": c, "pvalue_scaled":
           float(stats.chi2.sf(ts, df)) if df > 0 else float("nan"),
           "baseline_chisq_scaled": tbs, "baseline_scaling_factor": c_b,
           "cfi_scaled": cfi_s, "tli_scaled": tli_s}
    if df > 0:
        out["rmsea_scaled"] = float(np.sqrt(max(ts - df, 0.0) / (df * n)))
        # lavaan: the unscaled χ² against df·c for the scaled interval, and the scaled χ²
        # against df with the interval multiplied by √c for the robust one
        out["rmsea_ci_low_scaled"], out["rmsea_ci_high_scaled"] = rmsea_ci(chisq, df * c, n, level)
        low, high = rmsea_ci(ts, df, n, level)
        out["rmsea_ci_low_robust"], out["rmsea_ci_high_robust"] = low * np.sqrt(c), high * np.sqrt(c)
        num, den = max(chisq - c * df, 0.0), max(chisq - c * df, chisq_b - c_b * df_b, 0.0)
        out["cfi_robust"] = 1 - num / den if den > 0 else 1.0
        out["tli_robust"] = 1 - ((chisq - c * df) / df) / ((chisq_b - c_b * df_b) / df_b)
        out["rmsea_robust"] = float(np.sqrt(max(chisq - c * df, 0.0) / (n * df)))
    else:
        out.update(rmsea_scaled=0.0, rmsea_ci_low_scaled=0.0, rmsea_ci_high_scaled=0.0,
                   rmsea_ci_low_robust=0.0, rmsea_ci_high_robust=0.0,
                   cfi_robust=1.0, tli_robust=1.0, rmsea_robust=0.0)
    return out
