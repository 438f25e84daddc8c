"""Confirmatory factor analysis of a measurement model, with convergent and discriminant validity.

The model is fitted by :func:`crmstudy.sem.sem` (maximum likelihood on the N-divisor
covariance matrix, lavaan's ``cfa()`` defaults: ``estimator = "ML"``, ``likelihood =
"normal"``, marker-variable identification, listwise deletion), and its fit indices come from
:func:`crmstudy.sem_fit.fit_measures`, the one implementation shared with the SEM (lavaan's
``fitMeasures`` conventions, documented there).  A saturated model (df = 0, e.g. one factor
with three items) gets lavaan's values: TLI 1, RMSEA 0 with CI [0, 0]; ``p`` and ``χ²/df``
are undefined (NaN) and :meth:`CFAResult.fit_table` gives them no verdict.

Loadings are in :attr:`CFAResult.loadings` with lavaan's column names: ``est``
(unstandardised, marker = 1) and ``std_all`` (completely standardised).  The former
``std_loadings`` table (columns ``loading``/``std_loading``) is still reachable, with a
``FutureWarning``.

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

from ..errors import InputDataError, ModelFitError, ParameterError
from ._matrix import as_items
from .codebook import Codebook

__all__ = ["cfa", "CFAResult", "htmt", "FIT_THRESHOLDS", "CFA_LABELS", "LOADING_COLUMNS"]

LOADING_COLUMNS = ["construct", "item", "est", "se", "z", "p", "std_all", "residual_variance"]

# Common cut-offs (χ²/df <= 3, Carmines & McIver 1981; Hu & Bentler 1999; Henseler et al. 2015 for HTMT; Fornell & Larcker 1981,
# Bagozzi & Yi 1988 for loadings, CR and AVE).  Parameters of summary tables.
FIT_THRESHOLDS = {"chi2_df": ("<=", 3.0), "cfi": (">=", 0.90), "tli": (">=", 0.90), "rmsea": ("<=", 0.08),
                  "srmr": ("<=", 0.08), "loading": (">=", 0.50), "cr": (">=", 0.70),
                  "ave": (">=", 0.50), "htmt": ("<", 0.85)}

CFA_LABELS = {
    "en": {"index": "Fit index", "value": "Value", "threshold": "Threshold", "ok": "Acceptable",
           "construct": "Construct", "item": "Item", "std_loading": "Standardised loading (std.all)",
           "est": "Unstandardised loading (est)", "residual_variance": "Residual variance",
           "se": "SE", "z": "z", "p": "p", "cr": "CR", "ave": "AVE", "sqrt_ave": "√AVE",
           "max_corr": "Max. correlation", "fl_ok": "Fornell-Larcker met",
           "max_htmt": "Max. HTMT", "htmt_ok": "HTMT < threshold"},
    "zh": {"index": "拟合指标", "value": "数值", "threshold": "标准", "ok": "是否达标",
           "construct": "构念", "item": "题项", "std_loading": "标准化载荷(std.all)",
           "est": "非标准化载荷(est)", "residual_variance": "残差方差",
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
    loadings : DataFrame
        One row per item, lavaan's names: ``construct, item, est`` (unstandardised loading,
        marker = 1), ``se, z, p`` (of ``est``; NaN for the marker), ``std_all`` (completely
        standardised loading, lavaan ``std.all``), ``residual_variance``.
        (``std_loadings``, the former name with columns ``loading``/``std_loading``, is a
        deprecated alias.)
    factor_corr : DataFrame
        Correlations of the latent constructs.
    fit : dict
        ``chi2, df, p, chi2_df, cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high, srmr, gfi,
        agfi, nfi, ifi, baseline_chi2, baseline_df, loglik, aic, bic, n, n_parameters``.
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
    loadings: pd.DataFrame
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
    def std_loadings(self) -> pd.DataFrame:
        """Deprecated: the loadings with the old column names ``loading``/``std_loading``.

        Use :attr:`loadings` (``est`` = unstandardised, ``std_all`` = standardised).
        """
        warnings.warn("CFAResult.std_loadings is deprecated: use CFAResult.loadings, whose "
                      "columns are 'est' (unstandardised) and 'std_all' (standardised)",
                      FutureWarning, stacklevel=2)
        return self.loadings.rename(columns={"est": "loading", "std_all": "std_loading"})[
            ["construct", "item", "loading", "std_loading", "se", "z", "p", "residual_variance"]]

    @property
    def loading_matrix(self) -> pd.DataFrame:
        """Standardised loadings as an items x constructs matrix (0 where not loading)."""
        wide = self.loadings.pivot(index="item", columns="construct", values="std_all")
        items = self.loadings["item"].tolist()
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
                # undefined (saturated model: p, χ²/df) gets no verdict, not "no"
                ok = "—" if not np.isfinite(value) else (yes if _compare(value, op, bound) else no)
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
        loadings = self.loadings.rename(columns={
            "construct": labels["construct"], "item": labels["item"], "est": labels["est"],
            "std_all": labels["std_loading"], "se": labels["se"], "z": labels["z"],
            "p": labels["p"], "residual_variance": labels["residual_variance"]}).set_index(
            [labels["construct"], labels["item"]])
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
        solver_tol: float | None = None) -> CFAResult:
    """Confirmatory factor analysis with standardised loadings, fit indices and validity.

    Parameters
    ----------
    data : DataFrame or PreparedSurvey
        Item scores (reverse-keyed items recoded).  Respondents with any missing item of the
        model are dropped (listwise, lavaan's default); prepare the data with
        ``missing="person_mean"`` to keep them, or use :func:`crmstudy.sem.sem` with
        ``missing="fiml"``.
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
    solver_tol : None
        Deprecated and ignored: the model is fitted by :func:`crmstudy.sem.sem` (Fisher
        scoring to a gradient below 1e-7), no longer by semopy's SLSQP.

    Returns
    -------
    CFAResult

    Raises
    ------
    InputDataError
        Fewer complete respondents than items (the covariance matrix is singular), constant
        items, items missing from the data.
    ModelFitError
        No convergence, or the solution is improper (negative variances).

    Examples
    --------
    Same as ``lavaan::cfa("visual =~ x1 + x2 + x3 ...", data = HolzingerSwineford1939)``:

    >>> fit = cfa(hs, {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"],
    ...                "speed": ["x7", "x8", "x9"]})                  # doctest: +SKIP
    >>> round(fit.fit["chi2"], 2), fit.fit["df"]                      # doctest: +SKIP
    (85.31, 24)
    """
    from ..sem import sem as _sem

    if scale not in ("standardized", "unstandardized"):
        raise ParameterError(f"scale must be 'standardized' or 'unstandardized', got {scale!r}")
    if solver_tol is not None:
        warnings.warn("cfa(solver_tol=...) is ignored since the CFA is fitted by crmstudy.sem",
                      FutureWarning, stacklevel=2)
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
    # internal names, so that any column name (spaces, brackets, Chinese) passes the syntax
    alias = {item: f"v{k}" for k, item in enumerate(items)}
    factor = {c: f"f{k}" for k, c in enumerate(model)}
    back = {**{v: k for k, v in alias.items()}, **{v: k for k, v in factor.items()}}
    desc = "\n".join(f"{factor[c]} =~ " + " + ".join(alias[i] for i in group)
                      for c, group in model.items())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _quality_warning())   # Heywood: raised below
        fitted = _sem(desc, pd.DataFrame(values, columns=[alias[i] for i in items]), level=ci)
    est = fitted.estimates.assign(lhs=lambda t: t["lhs"].map(back), rhs=lambda t: t["rhs"].map(back))
    sigma = fitted.implied_cov.loc[[alias[i] for i in items], [alias[i] for i in items]].to_numpy()

    constructs = list(model)
    load = est[est["op"] == "=~"].set_index("rhs")
    var = est[(est["op"] == "~~") & (est["lhs"] == est["rhs"])].set_index("lhs")["est"]
    rows = []
    for c, group in model.items():
        for item in group:
            rec = load.loc[item]
            rows.append({"construct": c, "item": item, "est": float(rec["est"]),
                         "se": float(rec["se"]), "z": float(rec["z"]), "p": float(rec["p"]),
                         "std_all": float(rec["std_all"]), "residual_variance": float(var[item])})
    loadings = pd.DataFrame(rows, columns=LOADING_COLUMNS)
    phi = pd.DataFrame(np.eye(len(constructs)), index=constructs, columns=constructs)
    lat = est[(est["op"] == "~~") & est["lhs"].isin(constructs) & est["rhs"].isin(constructs)
              & (est["lhs"] != est["rhs"])]
    for rec in lat.itertuples(index=False):
        phi.loc[rec.lhs, rec.rhs] = phi.loc[rec.rhs, rec.lhs] = float(rec.std_all)
    factor_var = var.reindex(constructs)
    if ((loadings["residual_variance"] < 0).any() or (factor_var < 0).any()
            or (np.abs(phi.to_numpy()) > 1 + 1e-8).any()):
        bad = loadings.loc[loadings["residual_variance"] < 0, "item"].tolist()
        raise ModelFitError(f"improper solution (Heywood case): negative residual variance of "
                            f"{bad}, a negative factor variance or a factor correlation beyond ±1",
                            hint="check the item wording/keying, or merge highly correlated constructs")
    f, d = fitted.fit, fitted.fit_details
    fit = {"chi2": f["chisq"], "df": f["df"], "p": f["pvalue"], "chi2_df": f["chisq_df"],
           "cfi": f["cfi"], "tli": f["tli"], "rmsea": f["rmsea"],
           "rmsea_ci_low": f["rmsea_ci_low"], "rmsea_ci_high": f["rmsea_ci_high"],
           "srmr": f["srmr"], "gfi": f["gfi"], "agfi": f["agfi"], "nfi": f["nfi"],
           "ifi": f["ifi"], "baseline_chi2": d["baseline_chisq"], "baseline_df": d["baseline_df"],
           "loglik": d["loglik"], "aic": f["aic"], "bic": f["bic"], "n": int(n),
           "n_parameters": int(d["npar"])}
    if scale == "standardized":
        lam = loadings["std_all"]
        theta = 1 - lam ** 2
        common = lam ** 2
    else:
        lam = loadings["est"] * np.sqrt(loadings["construct"].map(factor_var).astype(float))
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
        "estimator": "ML (crmstudy.sem, lavaan likelihood='normal', expected-information SEs)",
        "identification": "marker variable (first loading = 1)", "missing": "listwise",
        "chi2": "N * F_ML (lavaan)", "rmsea": f"N in the denominator, {ci:.0%} CI (lavaan)",
        "srmr": "Bentler, diagonal included (lavaan 'srmr')", "baseline": "independence model diag(S)",
        "saturated": "df = 0: TLI 1, RMSEA 0, CI [0, 0], p and chi2/df undefined (lavaan)",
        "loadings": "table `loadings`: est (unstandardised), std_all (lavaan std.all)",
        "cr_ave": scale + (" (Fornell-Larcker)" if scale == "standardized" else " (semTools)"), "htmt": f"{htmt_kind}, absolute correlations"}
    return CFAResult(model=model, loadings=loadings, factor_corr=phi, fit=fit,
                     composite_reliability=cr, ave=ave, fornell_larcker=fl, htmt=ratios, n=n,
                     implied_cov=pd.DataFrame(sigma, index=items, columns=items),
                     sample_cov=pd.DataFrame(s, index=items, columns=items),
                     conventions=conventions)


def _quality_warning():
    from ..errors import DataQualityWarning
    return DataQualityWarning
