"""Confirmatory factor analysis of a measurement model, with convergent and discriminant validity.

The model is fitted with semopy (maximum likelihood, Wishart objective ``MLW``) on the
maximum-likelihood covariance matrix ``S`` (divisor N), which makes the estimates those of
lavaan's default ``cfa()`` (``estimator = "ML"``, ``likelihood = "normal"``, marker-variable
identification: the first loading of each factor fixed to 1, listwise deletion).

Fit indices follow lavaan's conventions and are computed here from the semopy estimates
(semopy's own ``calc_stats`` uses N − 1 in the RMSEA and has no SRMR):

* ``chi2 = N · F_ML``, ``F_ML = ln|Σ| + tr(S Σ⁻¹) − ln|S| − p``; ``df = p(p+1)/2 − q``;
* baseline (independence) model ``Σ_b = diag(S)``: ``chi2_b = N (Σ ln s_ii − ln|S|)``,
  ``df_b = p(p−1)/2``;
* ``CFI = 1 − max(chi2 − df, 0) / max(chi2 − df, chi2_b − df_b, 0)``;
  ``TLI = (chi2_b/df_b − chi2/df) / (chi2_b/df_b − 1)``;
* ``RMSEA = sqrt(max(chi2 − df, 0) / (df · N))`` with the 90 % interval from the noncentral
  χ² (Browne & Cudeck 1993), like lavaan;
* ``SRMR`` (Bentler): root mean square of the differences between the sample and
  model-implied correlations over the p(p+1)/2 distinct elements (diagonal included);
* ``AIC = −2 logL + 2q``, ``BIC = −2 logL + q ln N``.

Validity (Fornell & Larcker 1981; Henseler, Ringle & Sarstedt 2015):

* composite reliability ``CR = (Σλ)² / ((Σλ)² + Σ(1 − λ²))`` from the standardised loadings λ;
* average variance extracted ``AVE = mean(λ²)``;
* Fornell-Larcker table: √AVE on the diagonal, factor correlations off the diagonal; a
  construct is discriminant when √AVE exceeds its correlations with every other construct;
* HTMT: mean heterotrait-heteromethod correlation over the geometric mean of the average
  monotrait-heteromethod correlations (absolute correlations, semTools' default), or HTMT2
  with geometric instead of arithmetic means.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import InputDataError, ModelFitError, ParameterError
from ._matrix import as_items
from .codebook import Codebook

__all__ = ["cfa", "CFAResult", "htmt", "FIT_THRESHOLDS", "CFA_LABELS"]

# Common cut-offs (χ²/df <= 3, Carmines & McIver 1981; Hu & Bentler 1999; Henseler et al. 2015 for HTMT; Fornell & Larcker 1981,
# Bagozzi & Yi 1988 for loadings, CR and AVE).  Parameters of summary tables.
FIT_THRESHOLDS = {"chi2_df": ("<=", 3.0), "cfi": (">=", 0.90), "tli": (">=", 0.90), "rmsea": ("<=", 0.08),
                  "srmr": ("<=", 0.08), "loading": (">=", 0.50), "cr": (">=", 0.70),
                  "ave": (">=", 0.50), "htmt": ("<", 0.85)}

CFA_LABELS = {
    "en": {"index": "Fit index", "value": "Value", "threshold": "Threshold", "ok": "Acceptable",
           "construct": "Construct", "item": "Item", "std_loading": "Standardised loading",
           "se": "SE", "z": "z", "p": "p", "cr": "CR", "ave": "AVE", "sqrt_ave": "√AVE",
           "max_corr": "Max. correlation", "fl_ok": "Fornell-Larcker met",
           "max_htmt": "Max. HTMT", "htmt_ok": "HTMT < threshold"},
    "zh": {"index": "拟合指标", "value": "数值", "threshold": "标准", "ok": "是否达标",
           "construct": "构念", "item": "题项", "std_loading": "标准化载荷",
           "se": "标准误", "z": "z值", "p": "p值", "cr": "组合信度CR", "ave": "平均方差抽取量AVE",
           "sqrt_ave": "AVE平方根", "max_corr": "最大相关系数", "fl_ok": "满足Fornell-Larcker准则",
           "max_htmt": "最大HTMT", "htmt_ok": "HTMT低于标准"},
}
_FIT_NAMES = {"chi2": "χ²", "df": "df", "p": "p", "chi2_df": "χ²/df", "cfi": "CFI",
              "tli": "TLI", "rmsea": "RMSEA", "rmsea_ci_low": "RMSEA 90% CI low",
              "rmsea_ci_high": "RMSEA 90% CI high", "srmr": "SRMR"}


@dataclass(frozen=True)
class CFAResult:
    """A fitted confirmatory factor model.

    Attributes
    ----------
    model : dict
        Construct -> items.
    std_loadings : DataFrame
        One row per item: ``construct, item, loading`` (unstandardised, marker = 1),
        ``std_loading`` (lavaan ``std.all``), ``se, z, p`` (of the unstandardised loading;
        NaN for the marker), ``residual_variance``.
    factor_corr : DataFrame
        Correlations of the latent constructs.
    fit : dict
        ``chi2, df, p, chi2_df, cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high, srmr,
        baseline_chi2, baseline_df, loglik, aic, bic, n, n_parameters``.
    composite_reliability, ave : Series by construct
    fornell_larcker : DataFrame
        √AVE on the diagonal, factor correlations elsewhere.
    htmt : DataFrame
        Heterotrait-monotrait ratios (1 on the diagonal).
    n : int
        Respondents used (complete cases).
    conventions : dict
    """

    model: dict
    std_loadings: pd.DataFrame
    factor_corr: pd.DataFrame
    fit: dict
    composite_reliability: pd.Series
    ave: pd.Series
    fornell_larcker: pd.DataFrame
    htmt: pd.DataFrame
    n: int
    implied_cov: pd.DataFrame = field(repr=False)
    sample_cov: pd.DataFrame = field(repr=False)
    conventions: dict = field(default_factory=dict)

    @property
    def loading_matrix(self) -> pd.DataFrame:
        """Standardised loadings as an items x constructs matrix (0 where not loading)."""
        wide = self.std_loadings.pivot(index="item", columns="construct", values="std_loading")
        items = self.std_loadings["item"].tolist()
        return wide.reindex(index=items, columns=list(self.model)).fillna(0.0)

    def fit_table(self, lang: str = "en", thresholds: Mapping | None = None) -> pd.DataFrame:
        """Fit indices with their thresholds and whether each is met (``lang`` headers)."""
        labels = CFA_LABELS[_lang(lang)]
        limits = {**FIT_THRESHOLDS, **(thresholds or {})}
        yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
        rows = []
        for key, name in _FIT_NAMES.items():
            value = self.fit[key]
            rule, ok = "", ""
            if key in limits:
                op, bound = limits[key]
                rule = f"{op} {bound:g}"
                ok = yes if _compare(value, op, bound) else no
            rows.append({labels["index"]: name, labels["value"]: value,
                         labels["threshold"]: rule, labels["ok"]: ok})
        return pd.DataFrame(rows).set_index(labels["index"])

    def validity_table(self, lang: str = "en", thresholds: Mapping | None = None) -> pd.DataFrame:
        """Per construct: CR, AVE, √AVE, largest correlation, Fornell-Larcker, largest HTMT."""
        labels = CFA_LABELS[_lang(lang)]
        limits = {**FIT_THRESHOLDS, **(thresholds or {})}
        corr = self.factor_corr.abs().to_numpy().copy()
        np.fill_diagonal(corr, np.nan)
        h = self.htmt.to_numpy().copy()
        np.fill_diagonal(h, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)   # one construct: all-NaN rows
            max_corr, max_htmt = np.nanmax(corr, axis=1), np.nanmax(h, axis=1)
        sqrt_ave = np.sqrt(self.ave.to_numpy())
        table = pd.DataFrame({
            labels["cr"]: self.composite_reliability.to_numpy(), labels["ave"]: self.ave.to_numpy(),
            labels["sqrt_ave"]: sqrt_ave, labels["max_corr"]: max_corr,
            labels["fl_ok"]: sqrt_ave > np.nan_to_num(max_corr, nan=-np.inf),
            labels["max_htmt"]: max_htmt,
            labels["htmt_ok"]: _compare(np.nan_to_num(max_htmt, nan=0.0), *limits["htmt"])},
            index=pd.Index(list(self.model), name=labels["construct"]))
        return table

    def summary(self, lang: str = "en") -> dict:
        """Fit table, loadings table and validity table (``lang`` headers)."""
        labels = CFA_LABELS[_lang(lang)]
        loadings = self.std_loadings.rename(columns={
            "construct": labels["construct"], "item": labels["item"],
            "std_loading": labels["std_loading"], "se": labels["se"], "z": labels["z"],
            "p": labels["p"]}).set_index([labels["construct"], labels["item"]])
        return {"fit": self.fit_table(lang), "loadings": loadings,
                "validity": self.validity_table(lang)}


def _lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
    return lang


def _compare(value, op: str, bound: float):
    return {">=": np.greater_equal, "<=": np.less_equal, "<": np.less, ">": np.greater}[op](value, bound)


def _check_model(model, columns) -> dict[str, list[str]]:
    if isinstance(model, Codebook):
        model = model.model
    if not isinstance(model, Mapping) or not model:
        raise ParameterError("model must be a non-empty dict construct -> list of items",
                             hint='e.g. {"A1": ["A11", "A12", "A13"], "A2": [...]}')
    clean: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for construct, items in model.items():
        items = [items] if isinstance(items, str) else list(items)
        if len(items) < 2:
            raise ParameterError(f"construct {construct!r} has {len(items)} item(s); a factor "
                                 "needs at least 2 (3 if it is the only factor)", entry=construct)
        for item in items:
            if item in owner:
                raise ParameterError(f"item {item!r} is listed under both {owner[item]!r} and "
                                     f"{construct!r}; cross-loadings are not supported",
                                     column=item)
            owner[item] = construct
        clean[str(construct)] = [str(i) for i in items]
    clash = set(clean) & set(owner)
    if clash:
        raise ParameterError(f"construct name(s) {sorted(clash)} are also item names",
                             hint="rename the constructs")
    if len(clean) == 1 and len(next(iter(clean.values()))) < 3:
        raise ParameterError("a single-factor model needs at least 3 items to be identified")
    absent = [i for i in owner if i not in columns]
    if absent:
        raise InputDataError(f"model item(s) {absent} are not columns of the data", column=absent[0])
    return clean


def htmt(data, model, *, absolute: bool = True, kind: str = "htmt",
         nan_policy: str = "listwise") -> pd.DataFrame:
    """Heterotrait-monotrait ratio of correlations (Henseler, Ringle & Sarstedt 2015).

    .. math:: \\mathrm{HTMT}_{ij} = \\frac{\\bar r_{ij}}{\\sqrt{\\bar r_{ii}\\,\\bar r_{jj}}}

    with ``r̄_ij`` the mean correlation between items of i and items of j, and ``r̄_ii`` the
    mean correlation among the items of i (distinct pairs).  ``kind="htmt2"`` uses geometric
    means (Roemer, Schuberth & Henseler 2021).  ``absolute=True`` (semTools default) averages
    absolute correlations.  Matches ``semTools::htmt(model, data)`` (listwise deletion).
    Values above 0.85 (strict) or 0.90 (liberal) indicate a lack of discriminant validity.
    """
    if kind not in ("htmt", "htmt2"):
        raise ParameterError(f"kind must be 'htmt' or 'htmt2', got {kind!r}")
    frame = data.items if hasattr(data, "items") and isinstance(getattr(data, "items"), pd.DataFrame) else data
    model = _check_model(model, getattr(frame, "columns", []))
    items = [i for group in model.values() for i in group]
    frame = as_items(frame[items], nan_policy=nan_policy, what="HTMT items")
    r = frame.corr().to_numpy()
    if absolute:
        r = np.abs(r)
    elif kind == "htmt2" and (r <= 0).any():
        raise InputDataError("HTMT2 needs positive correlations", hint="use absolute=True")
    position = {item: j for j, item in enumerate(items)}
    names = list(model)

    def mean(values):
        values = np.asarray(values)
        return float(np.exp(np.log(values).mean())) if kind == "htmt2" else float(values.mean())

    idx = {c: [position[i] for i in model[c]] for c in names}
    mono = {}
    for c in names:
        block = r[np.ix_(idx[c], idx[c])]
        mono[c] = mean(block[np.triu_indices(len(idx[c]), 1)])
    out = np.eye(len(names))
    for a in range(len(names)):
        for b in range(a + 1, len(names)):   # constructs, not rows
            hetero = mean(r[np.ix_(idx[names[a]], idx[names[b]])].ravel())
            out[a, b] = out[b, a] = hetero / np.sqrt(mono[names[a]] * mono[names[b]])
    return pd.DataFrame(out, index=names, columns=names)


def cfa(data, model, *, htmt_kind: str = "htmt", ci: float = 0.90, scale: str = "standardized",
        solver_tol: float = 1e-12) -> CFAResult:
    """Confirmatory factor analysis with standardised loadings, fit indices and validity.

    Parameters
    ----------
    data : DataFrame or PreparedSurvey
        Item scores (reverse-keyed items recoded).  Respondents with any missing item of the
        model are dropped (listwise, lavaan's default); prepare the data with
        ``missing="person_mean"`` to keep them.
    model : dict or Codebook
        Construct -> list of items (each item on one construct); a Codebook gives its
        ``model``.  Factors are allowed to correlate freely.
    htmt_kind : {"htmt", "htmt2"}
    ci : float
        Level of the RMSEA confidence interval (lavaan: 0.90).
    scale : {"standardized", "unstandardized"}
        Convention of CR and AVE.  ``"standardized"`` (Fornell & Larcker 1981, the usual
        report in management research): ``CR = (Σλ)²/((Σλ)² + Σ(1−λ²))``, ``AVE = mean λ²``
        with standardised loadings.  ``"unstandardized"`` (semTools 0.5-6
        ``compRelSEM(fit, obs.var = FALSE)`` and ``AVE(fit)``): ``CR = (Σl)²φ/((Σl)²φ + Σθ)``,
        ``AVE = Σl²φ / Σ(l²φ + θ)`` with raw loadings l, factor variance φ and residual
        variances θ; the two agree when all items have equal variances.
    solver_tol : float
        ``ftol`` of semopy's SLSQP solver (tight, so that estimates match lavaan closely).

    Returns
    -------
    CFAResult

    Raises
    ------
    InputDataError
        Fewer complete respondents than items (the covariance matrix is singular), constant
        items, items missing from the data.
    ModelFitError
        semopy does not converge, or the solution is improper (negative variances).

    Examples
    --------
    Same as ``lavaan::cfa("visual =~ x1 + x2 + x3 ...", data = HolzingerSwineford1939)``:

    >>> fit = cfa(hs, {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...                "speed": ["x7", "x8", "x9"]})                  # doctest: +SKIP
    >>> round(fit.fit["chi2"], 2), fit.fit["df"]                      # doctest: +SKIP
    (85.31, 24)
    """
    import semopy

    if scale not in ("standardized", "unstandardized"):
        raise ParameterError(f"scale must be 'standardized' or 'unstandardized', got {scale!r}")
    frame = data.items if type(data).__name__ == "PreparedSurvey" else data
    if not isinstance(frame, pd.DataFrame):
        raise InputDataError(f"data must be a DataFrame of item scores, got {type(frame).__name__}")
    model = _check_model(model, frame.columns)
    items = [i for group in model.values() for i in group]
    n_all = len(frame)
    x = as_items(frame[items], nan_policy="listwise", what="CFA items")
    n, p = x.shape
    if n <= p:
        raise InputDataError(
            f"{n} complete respondents for {p} items: the covariance matrix is singular and "
            "the model cannot be estimated", hint="collect more responses, use fewer items, or "
            "prepare the data with missing='person_mean' to keep incomplete respondents")
    if n < n_all:
        warnings.warn(f"CFA uses the {n} of {n_all} respondents who answered every item "
                      "(listwise deletion)", category=_quality_warning(), stacklevel=2)
    values = x.to_numpy(float)
    s = np.cov(values, rowvar=False, ddof=0)
    if np.linalg.eigvalsh(s).min() <= 1e-12 * np.trace(s):
        raise InputDataError("the item covariance matrix is singular (an item is a linear "
                             "combination of others)", hint="drop duplicated items")
    desc = "\n".join(f"{c} =~ " + " + ".join(group) for c, group in model.items())
    sem = semopy.Model(desc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = sem.fit(cov=pd.DataFrame(s, index=items, columns=items), n_samples=n,
                             obj="MLW", options={"ftol": solver_tol, "maxiter": 10000})
        except (np.linalg.LinAlgError, ValueError) as exc:
            raise ModelFitError(f"semopy could not fit the model ({exc})",
                                hint="check that every construct's items correlate") from None
    if not result.success:
        raise ModelFitError(f"the CFA did not converge ({result.message})",
                            hint="check the model, drop items with near-zero loadings")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = sem.inspect(std_est=True)
    observed = list(sem.vars["observed"])
    sigma = sem.calc_sigma()[0]
    sigma = pd.DataFrame(sigma, index=observed, columns=observed).loc[items, items].to_numpy()

    # ---- loadings and factor correlations (semopy writes "item ~ construct" for =~)
    constructs = list(model)
    est = est.rename(columns={"Estimate": "est", "Est. Std": "std", "Std. Err": "se",
                              "z-value": "z", "p-value": "p"})
    load = est[(est["op"] == "~") & est["rval"].isin(constructs)]
    load = load.set_index("lval")
    rows = []
    for c, group in model.items():
        for item in group:
            rec = load.loc[item]
            rows.append({"construct": c, "item": item, "loading": float(rec["est"]),
                         "std_loading": float(rec["std"]), "se": _num(rec["se"]),
                         "z": _num(rec["z"]), "p": _num(rec["p"])})
    loadings = pd.DataFrame(rows)
    cov_rows = est[(est["op"] == "~~")]
    resid = cov_rows[cov_rows["lval"] == cov_rows["rval"]].set_index("lval")["est"]
    loadings["residual_variance"] = loadings["item"].map(resid).astype(float).to_numpy()
    phi = pd.DataFrame(np.eye(len(constructs)), index=constructs, columns=constructs)
    lat = cov_rows[cov_rows["lval"].isin(constructs) & cov_rows["rval"].isin(constructs)]
    for rec in lat.itertuples(index=False):
        phi.loc[rec.lval, rec.rval] = phi.loc[rec.rval, rec.lval] = float(getattr(rec, "std"))
    if (loadings["residual_variance"] < 0).any() or (np.abs(phi.to_numpy()) > 1 + 1e-8).any():
        bad = loadings.loc[loadings["residual_variance"] < 0, "item"].tolist()
        raise ModelFitError(f"improper solution (Heywood case): negative residual variance of "
                            f"{bad} or a factor correlation beyond ±1",
                            hint="check the item wording/keying, or merge highly correlated constructs")

    fit = _fit_indices(s, sigma, n, n_parameters=len(sem.param_vals), level=ci)
    if scale == "standardized":
        lam = loadings["std_loading"]
        theta = 1 - lam ** 2
        common = lam ** 2
    else:
        variance = loadings["construct"].map(resid).astype(float)   # factor variances φ
        lam = loadings["loading"] * np.sqrt(variance)
        theta = loadings["residual_variance"]
        common = lam ** 2
    group = loadings["construct"]
    sum_l = lam.groupby(group, sort=False).sum()
    sum_theta = theta.groupby(group, sort=False).sum()
    cr = (sum_l ** 2 / (sum_l ** 2 + sum_theta)).reindex(constructs).rename("cr")
    sum_common = common.groupby(group, sort=False).sum()
    ave = (sum_common / (sum_common + sum_theta)).reindex(constructs).rename("ave")
    fl = phi.copy()
    for c in constructs:
        fl.loc[c, c] = np.sqrt(ave[c])
    ratios = htmt(x, model, kind=htmt_kind)
    conventions = {
        "estimator": "ML (semopy MLW on the N-divisor covariance = lavaan ML)",
        "identification": "marker variable (first loading = 1)", "missing": "listwise",
        "chi2": "N * F_ML (lavaan)", "rmsea": f"N in the denominator, {ci:.0%} CI (lavaan)",
        "srmr": "Bentler, diagonal included (lavaan 'srmr')", "baseline": "independence model diag(S)",
        "cr_ave": scale + (" (Fornell-Larcker)" if scale == "standardized" else " (semTools)"), "htmt": f"{htmt_kind}, absolute correlations"}
    return CFAResult(model=model, std_loadings=loadings, factor_corr=phi, fit=fit,
                     composite_reliability=cr, ave=ave, fornell_larcker=fl, htmt=ratios, n=n,
                     implied_cov=pd.DataFrame(sigma, index=items, columns=items),
                     sample_cov=pd.DataFrame(s, index=items, columns=items),
                     conventions=conventions)


def _quality_warning():
    from ..errors import DataQualityWarning
    return DataQualityWarning


def _num(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _fit_indices(s: np.ndarray, sigma: np.ndarray, n: int, n_parameters: int, level: float) -> dict:
    p = s.shape[0]
    _, logdet_sigma = np.linalg.slogdet(sigma)
    _, logdet_s = np.linalg.slogdet(s)
    f_ml = logdet_sigma + np.trace(s @ np.linalg.inv(sigma)) - logdet_s - p
    chi2 = max(n * f_ml, 0.0)
    df = p * (p + 1) // 2 - n_parameters
    chi2_b = n * (np.log(np.diag(s)).sum() - logdet_s)
    df_b = p * (p - 1) // 2
    cfi_den = max(chi2 - df, chi2_b - df_b, 0.0)
    cfi = 1 - max(chi2 - df, 0.0) / cfi_den if cfi_den > 0 else 1.0
    tli = ((chi2_b / df_b - chi2 / df) / (chi2_b / df_b - 1)) if df > 0 else np.nan
    rmsea = np.sqrt(max(chi2 - df, 0.0) / (df * n)) if df > 0 else np.nan
    low, high = _rmsea_ci(chi2, df, n, level) if df > 0 else (np.nan, np.nan)
    d = np.sqrt(np.diag(s))
    e = np.sqrt(np.diag(sigma))
    resid = s / np.outer(d, d) - sigma / np.outer(e, e)
    lower = np.tril_indices(p)
    srmr = float(np.sqrt(np.mean(resid[lower] ** 2)))
    loglik = -n / 2 * (p * np.log(2 * np.pi) + logdet_sigma + np.trace(s @ np.linalg.inv(sigma)))
    return {"chi2": float(chi2), "df": int(df), "p": float(stats.chi2.sf(chi2, df)) if df > 0 else np.nan,
            "chi2_df": float(chi2 / df) if df > 0 else np.nan, "cfi": float(cfi), "tli": float(tli),
            "rmsea": float(rmsea), "rmsea_ci_low": float(low), "rmsea_ci_high": float(high),
            "srmr": srmr, "baseline_chi2": float(chi2_b), "baseline_df": int(df_b),
            "loglik": float(loglik), "aic": float(-2 * loglik + 2 * n_parameters),
            "bic": float(-2 * loglik + n_parameters * np.log(n)), "n": int(n),
            "n_parameters": int(n_parameters)}


def _rmsea_ci(chi2: float, df: int, n: int, level: float) -> tuple[float, float]:
    """Noncentrality interval of the RMSEA (lavaan's method): solve P(χ²_df(λ) ≤ chi2) = bound."""
    upper_p, lower_p = (1 + level) / 2, (1 - level) / 2

    def solve(target):
        f = lambda lam: stats.ncx2.cdf(chi2, df, lam) - target if lam > 0 else stats.chi2.cdf(chi2, df) - target
        if f(0.0) < 0:      # even λ = 0 makes chi2 too extreme
            return 0.0
        hi = max(chi2, 1.0)
        while f(hi) > 0:
            hi *= 2
        return optimize.brentq(f, 0.0, hi, xtol=1e-12)

    lam_low, lam_high = solve(upper_p), solve(lower_p)
    return float(np.sqrt(lam_low / (n * df))), float(np.sqrt(lam_high / (n * df)))
