"""Factorability and construct validity without a confirmatory model.

* :func:`kmo` - Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item;
* :func:`bartlett_sphericity` - Bartlett's test that the correlation matrix is an identity;
* :func:`efa` - exploratory factor analysis (minres / ML / principal axis, oblique rotation);
* :func:`harman_single_factor` - Harman's single-factor test for common-method bias.

Correlations are pairwise-complete (R ``cor(x, use = "pairwise")``, as psych's ``KMO`` and
``cortest.bartlett`` on raw data) unless ``nan_policy="listwise"``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputDataError, ModelFitError, ParameterError
from ._matrix import as_items, correlation, one_factor_minres

__all__ = ["kmo", "KMOResult", "bartlett_sphericity", "BartlettResult", "efa", "EFAResult",
           "harman_single_factor", "HarmanResult", "KMO_LABELS"]

# Kaiser (1974) verbal labels of KMO values (lower bounds), with the usual Chinese wording.
KMO_LABELS = ((0.9, "marvelous", "极好"), (0.8, "meritorious", "很好"), (0.7, "middling", "中等"),
              (0.6, "mediocre", "一般"), (0.5, "miserable", "较差"), (0.0, "unacceptable", "不可接受"))


def _kmo_label(value: float, lang: str = "en") -> str:
    for bound, en, zh in KMO_LABELS:
        if value >= bound:
            return zh if lang == "zh" else en
    return "unacceptable" if lang == "en" else "不可接受"


@dataclass(frozen=True)
class KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy.

    ``overall`` (MSA), ``items`` (MSA_i, Series by item), ``n`` respondents, ``threshold``
    (default 0.6; Kaiser's "mediocre" bound, the minimum usually required before factoring).
    """

    overall: float
    items: pd.Series
    n: int
    threshold: float = 0.6

    @property
    def label(self) -> str:
        """Kaiser's (1974) word for the overall value (English)."""
        return _kmo_label(self.overall, "en")

    def label_in(self, lang: str) -> str:
        return _kmo_label(self.overall, lang)

    @property
    def passes(self) -> bool:
        return bool(self.overall >= self.threshold)

    def summary(self) -> pd.DataFrame:
        return self.items.rename("msa").to_frame().assign(passes=self.items >= self.threshold)


def kmo(items, nan_policy: str = "pairwise", *, threshold: float = 0.6) -> KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy (Kaiser 1970, 1974).

    .. math:: \\mathrm{MSA} = \\frac{\\sum_{i\\ne j} r_{ij}^2}
              {\\sum_{i\\ne j} r_{ij}^2 + \\sum_{i\\ne j} q_{ij}^2}, \\qquad
              \\mathrm{MSA}_i = \\frac{\\sum_{j\\ne i} r_{ij}^2}{\\sum_{j\\ne i} r_{ij}^2 + \\sum_{j\\ne i} q_{ij}^2}

    with q the partial (anti-image) correlations, ``q_ij = -p_ij / sqrt(p_ii p_jj)``,
    ``P = R^-1``.  Matches ``psych::KMO(x)$MSA`` and ``$MSAi``.

    Raises
    ------
    InputDataError
        The correlation matrix is singular (an item is a linear combination of others).
    """
    frame = as_items(items, nan_policy=nan_policy)
    r = correlation(frame)
    try:
        inverse = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        inverse = None
    if inverse is None or not np.isfinite(inverse).all() or np.linalg.cond(r) > 1e12:
        raise InputDataError("the item correlation matrix is singular, so partial correlations "
                             "(and KMO) are undefined",
                             hint="drop items that duplicate others or are sums of others")
    d = np.sqrt(np.diag(inverse))
    q = inverse / np.outer(d, d)
    np.fill_diagonal(q, 0.0)
    r0 = r.copy()
    np.fill_diagonal(r0, 0.0)
    r2, q2 = (r0 ** 2).sum(axis=0), (q ** 2).sum(axis=0)
    overall = r2.sum() / (r2.sum() + q2.sum())
    return KMOResult(overall=float(overall),
                     items=pd.Series(r2 / (r2 + q2), index=pd.Index(frame.columns, name="item"),
                                     name="msa"),
                     n=len(frame), threshold=float(threshold))


@dataclass(frozen=True)
class BartlettResult:
    """Bartlett's test of sphericity: ``chi2``, ``df``, ``p``, ``n``, ``k``."""

    chi2: float
    df: int
    p: float
    n: int
    k: int
    alpha: float = 0.05

    @property
    def passes(self) -> bool:
        """The correlations differ from an identity matrix at level ``alpha`` (factorable)."""
        return bool(self.p < self.alpha)

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame({"value": {"chi2": self.chi2, "df": self.df, "p": self.p,
                                       "n": self.n, "k": self.k}})


def bartlett_sphericity(items, nan_policy: str = "pairwise", *, alpha: float = 0.05) -> BartlettResult:
    """Bartlett's (1951) test that the item correlation matrix is an identity matrix.

    .. math:: \\chi^2 = -\\Bigl(n - 1 - \\frac{2k + 5}{6}\\Bigr) \\ln |R|, \\qquad df = k(k-1)/2

    ``n`` is the number of respondents (rows; complete rows with ``listwise``).  Matches
    ``psych::cortest.bartlett(cor(x, use = "pairwise"), n = nrow(x))``.
    """
    frame = as_items(items, nan_policy=nan_policy)
    r = correlation(frame)
    sign, logdet = np.linalg.slogdet(r)
    if sign <= 0:
        raise InputDataError("the item correlation matrix is not positive definite (singular or "
                             "from pairwise deletion), so Bartlett's test is undefined",
                             hint="drop duplicated items or use nan_policy='listwise'")
    n, k = len(frame), r.shape[0]
    chi2 = -(n - 1 - (2 * k + 5) / 6) * logdet
    df = k * (k - 1) // 2
    return BartlettResult(chi2=float(chi2), df=int(df), p=float(stats.chi2.sf(chi2, df)),
                          n=n, k=k, alpha=float(alpha))


@dataclass(frozen=True)
class HarmanResult:
    """Harman's single-factor test: share of variance of the first unrotated factor."""

    share: float
    eigenvalues: pd.Series
    method: str
    threshold: float = 0.5

    @property
    def passes(self) -> bool:
        """No dominant common factor (share below the threshold, usually 50 %)."""
        return bool(self.share < self.threshold)


def harman_single_factor(items, nan_policy: str = "pairwise", *, method: str = "pca",
                         threshold: float = 0.5) -> HarmanResult:
    """Harman's single-factor test for common-method bias (Podsakoff et al. 2003).

    All items of all constructs are factored together without rotation; if one factor
    explains the majority of the variance (``share >= threshold``, 50 % by convention),
    common-method variance is a concern.  A weak test - passing it does not rule out
    method bias - but widely reported.

    Parameters
    ----------
    method : {"pca", "minres"}
        ``"pca"`` (default, SPSS "principal components, unrotated"): first eigenvalue of R
        divided by k.  ``"minres"``: sum of squared loadings of a one-factor minres solution
        divided by k.
    """
    if method not in ("pca", "minres"):
        raise ParameterError(f"method must be 'pca' or 'minres', got {method!r}")
    frame = as_items(items, nan_policy=nan_policy)
    r = correlation(frame)
    eigen = np.linalg.eigvalsh(r)[::-1]
    k = r.shape[0]
    if method == "pca":
        share = eigen[0] / k
    else:
        loadings, _ = one_factor_minres(r)
        share = float((loadings ** 2).sum() / k)
    return HarmanResult(share=float(share), eigenvalues=pd.Series(
        eigen, index=pd.RangeIndex(1, k + 1, name="component"), name="eigenvalue"),
        method=method, threshold=float(threshold))


@dataclass(frozen=True)
class EFAResult:
    """Exploratory factor analysis.

    ``loadings`` (items x factors, pattern matrix after rotation, factors ordered by the
    variance they explain and signed so that their loadings sum positive), ``factor_corr``
    (identity for orthogonal rotations), ``communalities``, ``variance`` (SS loadings and
    proportion), ``method``, ``rotation``, ``n``.
    """

    loadings: pd.DataFrame
    factor_corr: pd.DataFrame
    communalities: pd.Series
    variance: pd.DataFrame
    method: str
    rotation: str | None
    n: int

    def summary(self, cutoff: float = 0.0) -> pd.DataFrame:
        """Loadings with absolute values below ``cutoff`` blanked (NaN), plus communalities."""
        table = self.loadings.where(self.loadings.abs() >= cutoff)
        return table.assign(h2=self.communalities)


def efa(items, n_factors: int, *, method: str = "minres", rotation: str | None = "oblimin",
        nan_policy: str = "pairwise", tol: float = 1e-9) -> EFAResult:
    """Exploratory factor analysis of the item correlation matrix.

    Extraction
        ``"minres"`` (psych's default; unweighted least squares of the off-diagonal
        correlations, solved by iterated principal axes to convergence, whose fixed point is
        the minres solution), ``"pa"`` (principal-axis factoring iterated to convergence: the
        same solution, named as SPSS and most textbooks name it) or ``"ml"`` (maximum likelihood over the uniquenesses,
        Jöreskog 1967, with scipy's L-BFGS-B).
    Rotation
        ``"oblimin"`` (direct quartimin, gamma 0; GPArotation's default and psych's
        ``rotate="oblimin"``) by the gradient-projection algorithm of Bernaards & Jennrich
        (2005); ``"varimax"`` (Kaiser-normalised, like ``stats::varimax``); or ``None``.
        Oblique rotation is the usual choice for correlated constructs.

    Factors are ordered by the variance they explain and signed so that their loadings sum
    positive (psych's conventions).

    Parameters
    ----------
    n_factors : int
        Number of factors (usually the number of constructs, or by eigenvalues / parallel
        analysis).

    Examples
    --------
    Matches ``psych::fa(x, nfactors = 3, fm = "minres", rotate = "oblimin")`` up to the
    order and sign of the factors (see tests).
    """
    if method not in ("minres", "pa", "ml"):
        raise ParameterError(f"method must be 'minres', 'pa' or 'ml', got {method!r}")
    if rotation not in ("oblimin", "varimax", None):
        raise ParameterError(f"rotation must be 'oblimin', 'varimax' or None, got {rotation!r}")
    frame = as_items(items, nan_policy=nan_policy)
    k = frame.shape[1]
    m = int(n_factors) if float(n_factors) == int(n_factors) else -1
    if not 1 <= m < k or (k - m) ** 2 < k + m and method == "ml":
        raise ParameterError(f"n_factors must be between 1 and {k - 1} for {k} items (and leave "
                             f"positive degrees of freedom for ML), got {n_factors!r}")
    r = correlation(frame)
    unrotated = _ml(r, m) if method == "ml" else _minres(r, m, tol)
    rot = rotation if m > 1 else None
    if rot == "oblimin":
        loadings, phi = _oblimin(unrotated)
    elif rot == "varimax":
        loadings, phi = _varimax(unrotated), np.eye(m)
    else:
        loadings, phi = unrotated, np.eye(m)
    ss = np.diag(phi @ loadings.T @ loadings)
    order = np.argsort(-ss, kind="stable")
    loadings, phi, ss = loadings[:, order], phi[np.ix_(order, order)], ss[order]
    sign = np.sign(loadings.sum(axis=0))
    sign[sign == 0] = 1
    loadings = loadings * sign
    phi = phi * np.outer(sign, sign)
    names = [f"F{j + 1}" for j in range(m)]
    index = pd.Index(frame.columns, name="item")
    communalities = pd.Series(np.diag(loadings @ phi @ loadings.T), index=index, name="h2")
    variance = pd.DataFrame({"ss_loadings": ss, "proportion": ss / k,
                             "cumulative": np.cumsum(ss) / k}, index=names)
    return EFAResult(loadings=pd.DataFrame(loadings, index=index, columns=names),
                     factor_corr=pd.DataFrame(phi, index=names, columns=names),
                     communalities=communalities, variance=variance, method=method,
                     rotation=rot, n=len(frame))


def _minres(r: np.ndarray, m: int, tol: float, max_iter: int = 50000) -> np.ndarray:
    """Iterated principal axes to convergence (= minres / ULS fixed point)."""
    from ._matrix import smc

    h2 = np.clip(smc(r), 0.005, 1.0)
    for _ in range(max_iter):
        reduced = r.copy()
        np.fill_diagonal(reduced, h2)
        values, vectors = np.linalg.eigh(reduced)
        values, vectors = values[::-1][:m], vectors[:, ::-1][:, :m]
        loadings = vectors * np.sqrt(np.clip(values, 0, None))
        new_h2 = (loadings ** 2).sum(axis=1)
        if np.abs(new_h2 - h2).max() < tol:
            return loadings
        h2 = new_h2
    raise ModelFitError(f"minres factor extraction did not converge in {max_iter} iterations",
                        hint="extract fewer factors or drop items with near-zero communality")


def _ml_loadings(r: np.ndarray, psi: np.ndarray, m: int):
    scale = 1 / np.sqrt(psi)
    values, vectors = np.linalg.eigh(r * np.outer(scale, scale))
    values, vectors = values[::-1], vectors[:, ::-1]
    loadings = np.sqrt(psi)[:, None] * vectors[:, :m] * np.sqrt(np.clip(values[:m] - 1, 0, None))
    return loadings, values


def _ml(r: np.ndarray, m: int) -> np.ndarray:
    """Maximum-likelihood factor extraction over the uniquenesses (Jöreskog 1967)."""
    from scipy.optimize import minimize

    from ._matrix import smc

    def objective(psi):
        values = _ml_loadings(r, psi, m)[1][m:]
        return float(np.sum(np.log(values) - values) + len(values))

    start = np.clip(1 - smc(r), 0.005, 1.0)
    result = minimize(lambda p: -objective(p), start, method="L-BFGS-B",
                      bounds=[(0.005, 1.0)] * len(start), options={"ftol": 1e-14, "gtol": 1e-10,
                                                                   "maxiter": 10000})
    if not result.success:
        raise ModelFitError(f"maximum-likelihood factor extraction did not converge "
                            f"({result.message})", hint="try method='minres' or fewer factors")
    return _ml_loadings(r, result.x, m)[0]


def _oblimin(a: np.ndarray, gamma: float = 0.0, eps: float = 1e-8, max_iter: int = 5000):
    """Oblique GPA rotation with the oblimin criterion (GPArotation::GPFoblq; we stop at a
    projected-gradient norm of 1e-8 instead of GPArotation's 1e-5)."""
    p, m = a.shape
    off = np.ones((m, m)) - np.eye(m)
    centre = np.eye(p) - gamma / p * np.ones((p, p))

    def criterion(loadings):
        x = centre @ (loadings ** 2) @ off
        return float(np.sum(loadings ** 2 * x) / 4), loadings * x

    t = np.eye(m)
    loadings = a @ np.linalg.inv(t).T
    f, gq = criterion(loadings)
    g = -(loadings.T @ gq @ np.linalg.inv(t)).T
    step = 1.0
    for _ in range(max_iter):
        gp = g - t @ np.diag(np.sum(t * g, axis=0))
        s = np.linalg.norm(gp)
        if s < eps:
            break
        step *= 2
        improved = False
        for _half in range(11):
            x = t - step * gp
            tt = x / np.sqrt(np.sum(x ** 2, axis=0))
            loadings = a @ np.linalg.inv(tt).T
            ft, gq = criterion(loadings)
            if ft < f - 0.5 * s ** 2 * step:
                improved = True
                break
            step /= 2
        if not improved and s < 1e-5:   # at the optimum to machine precision (GPArotation's eps)
            loadings = a @ np.linalg.inv(t).T
            break
        t, f = tt, ft
        g = -(loadings.T @ gq @ np.linalg.inv(tt)).T
    return loadings, t.T @ t


def _varimax(a: np.ndarray, eps: float = 1e-10, max_iter: int = 1000) -> np.ndarray:
    """Kaiser-normalised varimax (the algorithm of R's ``stats::varimax``)."""
    norm = np.sqrt((a ** 2).sum(axis=1, keepdims=True))
    x = a / norm
    p, m = x.shape
    t = np.eye(m)
    d = 0.0
    for _ in range(max_iter):
        z = x @ t
        b = x.T @ (z ** 3 - z @ np.diag((z ** 2).sum(axis=0)) / p)
        u, s, vt = np.linalg.svd(b)
        t = u @ vt
        d_old, d = d, s.sum()
        if d < d_old * (1 + eps):
            break
    return (x @ t) * norm
