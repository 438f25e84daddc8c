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
        nan_policy: str = "pairwise") -> EFAResult:
    """Exploratory factor analysis of the item correlation matrix.

    Uses ``factor_analyzer`` (minres, ML or principal-axis extraction; oblimin, promax,
    varimax, ... rotations by GPA), the Python port of psych::fa.  Oblique rotation
    (``"oblimin"``, psych's default) is the usual choice for correlated constructs.

    Parameters
    ----------
    n_factors : int
        Number of factors to extract (usually the number of constructs, or by parallel
        analysis / eigenvalues > 1).
    method : {"minres", "ml", "principal"}
    rotation : str or None
        Any rotation of ``factor_analyzer.Rotator`` or None.

    Examples
    --------
    Matches ``psych::fa(x, nfactors = 3, fm = "minres", rotate = "oblimin")`` up to the
    order and sign of the factors (see tests).
    """
    try:
        from factor_analyzer import FactorAnalyzer
    except ImportError:  # pragma: no cover - declared dependency
        raise ParameterError("efa needs the package factor_analyzer",
                             hint="pip install factor_analyzer") from None
    if method not in ("minres", "ml", "principal"):
        raise ParameterError(f"method must be 'minres', 'ml' or 'principal', got {method!r}")
    frame = as_items(items, nan_policy=nan_policy)
    k = frame.shape[1]
    if not 1 <= int(n_factors) < k:
        raise ParameterError(f"n_factors must be between 1 and {k - 1} for {k} items, "
                             f"got {n_factors!r}")
    r = correlation(frame)
    rot = rotation if int(n_factors) > 1 else None
    analyzer = FactorAnalyzer(n_factors=int(n_factors), rotation=rot, method=method,
                              is_corr_matrix=True)
    try:
        analyzer.fit(r)
    except (np.linalg.LinAlgError, ValueError) as exc:
        raise ModelFitError(f"the factor analysis failed ({exc})",
                            hint="use fewer factors, drop redundant items or try method='principal'") from None
    loadings = np.asarray(analyzer.loadings_, dtype=float)
    phi = getattr(analyzer, "phi_", None)
    phi = np.eye(loadings.shape[1]) if phi is None else np.asarray(phi, dtype=float)
    # order by variance explained (structure of an oblique solution: diag(Phi L'L)),
    # sign so that each factor's loadings sum positive - psych's conventions
    ss = np.diag(phi @ loadings.T @ loadings)
    order = np.argsort(-ss)
    loadings, phi, ss = loadings[:, order], phi[np.ix_(order, order)], ss[order]
    sign = np.sign(loadings.sum(axis=0))
    sign[sign == 0] = 1
    loadings = loadings * sign
    phi = phi * np.outer(sign, sign)
    names = [f"F{j + 1}" for j in range(loadings.shape[1])]
    index = pd.Index(frame.columns, name="item")
    communalities = pd.Series(np.diag(loadings @ phi @ loadings.T), index=index, name="h2")
    variance = pd.DataFrame({"ss_loadings": ss, "proportion": ss / k,
                             "cumulative": np.cumsum(ss) / k}, index=names)
    return EFAResult(loadings=pd.DataFrame(loadings, index=index, columns=names),
                     factor_corr=pd.DataFrame(phi, index=names, columns=names),
                     communalities=communalities, variance=variance, method=method,
                     rotation=rot, n=len(frame))
