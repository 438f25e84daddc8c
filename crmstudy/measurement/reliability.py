"""Reliability of multi-item scales: Cronbach's alpha, McDonald's omega, item analysis.

Conventions (all match R ``psych`` 2.2.9, see ``tests/reference/measurement``):

* Covariances are pairwise-complete (``nan_policy="pairwise"``, psych's ``use="pairwise"``);
  ``nan_policy="listwise"`` first drops every respondent with a missing item (pingouin's
  and SPSS's choice).  With missing answers the two differ slightly, by design.
* Standardised alpha uses the correlation matrix ``cov2cor(C)`` of that covariance matrix.
* The Feldt (1965) confidence interval uses ``n`` = number of respondents (rows) and ``k``.
* Omega total is psych's: ``ω_t = 1 − Σψ / 1'R1`` from a one-factor minres solution of the
  item correlation matrix R (ψ = 1 − λ² uniquenesses); like ``psych::omega`` (and KMO and
  Bartlett's test), R is the pairwise-complete correlation matrix ``cor(x, use="pairwise")``,
  each pair with its own means and SDs, which differs slightly from ``cov2cor`` of the
  pairwise covariances when answers are missing.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from .. import resampling
from ..errors import InputDataError, ParameterError
from ..resampling import DrawAhead, count_resamples, resample_positions
from ._matrix import as_items, correlation, covariance, cov2cor, one_factor_minres, smc
from .codebook import Codebook

__all__ = ["cronbach_alpha", "AlphaResult", "item_analysis", "omega_total", "OmegaResult",
           "reliability", "ReliabilityResult", "bootstrap_reliability", "bootstrap_indices",
           "THRESHOLDS", "RELIABILITY_LABELS"]

# Textbook cut-offs (Nunnally 1978 for alpha; McDonald 1999 / Hayes & Coutts 2020 for omega;
# corrected item-total correlation >= 0.30, e.g. Field 2018).  All are parameters.
THRESHOLDS = {"alpha": 0.70, "omega": 0.70, "r_drop": 0.30}

RELIABILITY_LABELS = {
    "en": {"construct": "Construct", "label": "Name", "n_items": "Items", "n": "N",
           "alpha": "Cronbach's α", "alpha_ci_low": "α 95% CI low", "alpha_ci_high": "α 95% CI high",
           "std_alpha": "Standardised α", "omega_total": "McDonald's ω", "mean_r": "Mean inter-item r",
           "min_r_drop": "Min corrected item-total r", "passes": "Acceptable",
           "item": "Item", "mean": "Mean", "sd": "SD", "r_drop": "Corrected item-total r",
           "alpha_if_deleted": "α if item deleted"},
    "zh": {"construct": "构念", "label": "名称", "n_items": "题项数", "n": "样本量",
           "alpha": "Cronbach's α", "alpha_ci_low": "α 95%置信下限", "alpha_ci_high": "α 95%置信上限",
           "std_alpha": "标准化α", "omega_total": "McDonald's ω", "mean_r": "平均题项间相关",
           "min_r_drop": "最小校正题总相关", "passes": "是否达标",
           "item": "题项", "mean": "均值", "sd": "标准差", "r_drop": "校正题总相关(CITC)",
           "alpha_if_deleted": "删除该题后的α"},
}


# --------------------------------------------------------------------------- alpha
def _alpha_from_cov(cov: np.ndarray) -> np.ndarray:
    """Raw alpha ``k/(k-1) (1 - tr C / 1'C1)``; works on stacks (..., k, k)."""
    k = cov.shape[-1]
    trace = np.trace(cov, axis1=-2, axis2=-1)
    return k / (k - 1) * (1 - trace / cov.sum(axis=(-2, -1)))


def _mean_offdiag(corr: np.ndarray) -> np.ndarray:
    k = corr.shape[-1]
    return (corr.sum(axis=(-2, -1)) - np.trace(corr, axis1=-2, axis2=-1)) / (k * (k - 1))


def feldt_ci(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt (1965) interval: ``1 − (1 − α) F_{1∓γ/2}(n − 1, (n − 1)(k − 1))``."""
    tail = (1 - level) / 2
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1 - (1 - alpha) * stats.f.ppf(1 - tail, df1, df2)
    upper = 1 - (1 - alpha) * stats.f.ppf(tail, df1, df2)
    return float(lower), float(upper)


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha of one scale.

    Attributes
    ----------
    alpha, std_alpha : float
        Raw alpha (covariances) and standardised alpha (correlations).
    ci : tuple (low, high)
        Confidence interval of raw alpha at ``level``; ``ci_method`` "feldt" or "bootstrap"
        (percentile interval of ``n_boot`` resamples of respondents).
    mean_r : float
        Mean inter-item correlation.
    n, k : int
        Respondents used (rows) and items.
    nan_policy : str
    boot : ndarray or None
        The bootstrap replicates of alpha.
    """

    alpha: float
    std_alpha: float
    ci: tuple
    mean_r: float
    n: int
    k: int
    level: float
    ci_method: str
    nan_policy: str
    boot: np.ndarray | None = field(default=None, repr=False)

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame({"value": {
            "alpha": self.alpha, "std_alpha": self.std_alpha, "ci_low": self.ci[0],
            "ci_high": self.ci[1], "mean_r": self.mean_r, "n": self.n, "k": self.k}}).T.assign(
            ci_method=self.ci_method, level=self.level, nan_policy=self.nan_policy)


def cronbach_alpha(items, ci: float = 0.95, nan_policy: str = "pairwise", *,
                   ci_method: str = "feldt", n_boot: int = 2000, seed: int | None = 0) -> AlphaResult:
    """Cronbach's alpha, raw and standardised, with a confidence interval.

    .. math:: \\alpha = \\frac{k}{k-1}\\Bigl(1 - \\frac{\\sum_i \\sigma_i^2}{\\sigma_X^2}\\Bigr),
              \\qquad \\alpha_{std} = \\frac{k \\bar r}{1 + (k-1)\\bar r}

    Parameters
    ----------
    items : DataFrame or PreparedSurvey
        Respondents x items of ONE construct, reverse-keyed items already recoded.
    ci : float
        Confidence level (default 0.95).
    nan_policy : {"pairwise", "listwise"}
        Pairwise-complete covariances (R psych::alpha) or complete respondents only
        (pingouin.cronbach_alpha(nan_policy="listwise"), SPSS).
    ci_method : {"feldt", "bootstrap"}
        Feldt's F-based interval (psych ``alpha.ci``, pingouin) or a percentile bootstrap
        over respondents (vectorised, see :func:`bootstrap_reliability`).
    n_boot, seed : int
        Bootstrap resamples and seed (``numpy.random.default_rng(seed)``).

    Examples
    --------
    Matches ``psych::alpha(x)$total$raw_alpha`` (0.9317647), ``$std.alpha`` and ``$feldt``:

    >>> import pandas as pd
    >>> x = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3], "c": [1, 3, 3, 4, 5, 2]})
    >>> round(cronbach_alpha(x).alpha, 4)
    0.9318
    """
    if not 0 < ci < 1:
        raise ParameterError(f"ci must be a confidence level in (0, 1), got {ci!r}")
    if ci_method not in ("feldt", "bootstrap"):
        raise ParameterError(f"ci_method must be 'feldt' or 'bootstrap', got {ci_method!r}")
    frame = as_items(items, nan_policy=nan_policy)
    cov = covariance(frame)
    corr = cov2cor(cov)
    k = cov.shape[0]
    alpha = float(_alpha_from_cov(cov))
    mean_r = float(_mean_offdiag(corr))
    std_alpha = k * mean_r / (1 + (k - 1) * mean_r)
    n = len(frame)
    boot = None
    if ci_method == "feldt":
        interval = feldt_ci(alpha, n, k, ci)
    else:
        boot = bootstrap_reliability(frame, n_boot=n_boot, seed=seed, statistics=("alpha",))["alpha"]
        tail = (1 - ci) / 2
        interval = tuple(float(q) for q in np.nanquantile(boot, [tail, 1 - tail]))
    return AlphaResult(alpha=alpha, std_alpha=float(std_alpha), ci=interval, mean_r=mean_r, n=n,
                       k=k, level=float(ci), ci_method=ci_method, nan_policy=nan_policy, boot=boot)


def item_analysis(items, nan_policy: str = "pairwise") -> pd.DataFrame:
    """Item statistics of one scale (psych::alpha ``item.stats`` and ``alpha.drop``).

    Returns
    -------
    DataFrame indexed by item with columns
        ``n`` (answers), ``mean``, ``sd``;
        ``r_total``  correlation of the item with the scale mean (psych ``raw.r``; computed
        on the respondents' means of their answered items);
        ``r_std``    item-total correlation from the correlation matrix (psych ``std.r``);
        ``r_cor``    corrected for item overlap and reliability, smc on the diagonal (``r.cor``);
        ``r_drop``   corrected item-total correlation (CITC): the item with the sum of the
        OTHER items, from the covariance matrix (psych ``r.drop``);
        ``alpha_if_deleted``, ``std_alpha_if_deleted``, ``mean_r_if_deleted`` (NaN for a
        two-item scale, where one item has no alpha).
    """
    frame = as_items(items, nan_policy=nan_policy)
    cov = covariance(frame)
    corr = cov2cor(cov)
    k = cov.shape[0]
    total_var = cov.sum()
    row_cov = cov.sum(axis=1)
    rest_var = total_var - 2 * row_cov + np.diag(cov)
    r_drop = (row_cov - np.diag(cov)) / np.sqrt(np.diag(cov) * rest_var)
    r_std = corr.sum(axis=0) / np.sqrt(corr.sum())
    rc = corr.copy()
    np.fill_diagonal(rc, smc(corr))
    r_cor = rc.sum(axis=0) / np.sqrt(rc.sum())
    total = frame.mean(axis=1, skipna=True)
    r_total = frame.corrwith(total)
    if k > 2:
        keep = ~np.eye(k, dtype=bool)
        sub_cov = np.stack([cov[np.ix_(keep[i], keep[i])] for i in range(k)])  # k small matrices
        sub_corr = cov2cor(sub_cov)
        alpha_drop = _alpha_from_cov(sub_cov)
        mean_r_drop = _mean_offdiag(sub_corr)
        std_alpha_drop = (k - 1) * mean_r_drop / (1 + (k - 2) * mean_r_drop)
    else:
        alpha_drop = std_alpha_drop = mean_r_drop = np.full(k, np.nan)
    return pd.DataFrame({
        "n": frame.notna().sum().to_numpy(), "mean": frame.mean().to_numpy(),
        "sd": frame.std().to_numpy(), "r_total": r_total.to_numpy(), "r_std": r_std,
        "r_cor": r_cor, "r_drop": r_drop, "alpha_if_deleted": alpha_drop,
        "std_alpha_if_deleted": std_alpha_drop, "mean_r_if_deleted": mean_r_drop,
    }, index=pd.Index(frame.columns, name="item"))


# --------------------------------------------------------------------------- omega
@dataclass(frozen=True)
class OmegaResult:
    """McDonald's omega total of one scale from a one-factor minres model.

    ``loadings`` are standardised; ``uniquenesses`` = 1 − λ²; ``ci`` only with the bootstrap.
    ``denominator`` "observed" (psych: 1'R1) or "model" ((Σλ)² + Σψ).
    """

    omega: float
    loadings: pd.Series
    uniquenesses: pd.Series
    denominator: str
    n: int
    converged: bool
    ci: tuple | None = None
    level: float | None = None
    boot: np.ndarray | None = field(default=None, repr=False)

    def __float__(self) -> float:
        return self.omega

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame({"loading": self.loadings, "uniqueness": self.uniquenesses})


def _omega_from_corr(corr: np.ndarray, denominator: str):
    loadings, converged = one_factor_minres(corr)
    psi = 1 - loadings ** 2
    if denominator == "observed":
        omega = 1 - psi.sum(axis=-1) / corr.sum(axis=(-2, -1))
    else:
        common = loadings.sum(axis=-1) ** 2
        omega = common / (common + psi.sum(axis=-1))
    return omega, loadings, converged


def omega_total(items, nan_policy: str = "pairwise", *, denominator: str = "observed",
                ci: float | None = None, n_boot: int = 2000, seed: int | None = 0) -> OmegaResult:
    """McDonald's omega total of one scale (one-factor minres model of the correlations).

    .. math:: \\omega_t = 1 - \\frac{\\sum_i \\psi_i}{\\mathbf 1' R \\mathbf 1}
              \\quad(\\text{"observed"; psych::omega}), \\qquad
              \\omega = \\frac{(\\sum\\lambda_i)^2}{(\\sum\\lambda_i)^2 + \\sum\\psi_i}
              \\quad(\\text{"model"})

    The two agree when the one-factor model fits exactly.  Loadings come from minres
    (unweighted least squares), psych's default ``fm="minres"``.

    Parameters
    ----------
    items : DataFrame or PreparedSurvey
        One construct's items (reverse-keyed items recoded).
    nan_policy : {"pairwise", "listwise"}
    denominator : {"observed", "model"}
    ci : float, optional
        Confidence level of a percentile bootstrap interval (vectorised over ``n_boot``).

    Examples
    --------
    Matches ``psych::omega(x, nfactors = 1)$omega.tot`` (see tests).
    """
    if denominator not in ("observed", "model"):
        raise ParameterError(f"denominator must be 'observed' or 'model', got {denominator!r}")
    frame = as_items(items, nan_policy=nan_policy)
    corr = correlation(frame)
    omega, loadings, converged = _omega_from_corr(corr, denominator)
    boot = interval = None
    if ci is not None:
        if not 0 < ci < 1:
            raise ParameterError(f"ci must be a confidence level in (0, 1), got {ci!r}")
        boot = bootstrap_reliability(frame, n_boot=n_boot, seed=seed, statistics=("omega",),
                                     denominator=denominator)["omega"]
        tail = (1 - ci) / 2
        interval = tuple(float(q) for q in np.nanquantile(boot, [tail, 1 - tail]))
    names = pd.Index(frame.columns, name="item")
    return OmegaResult(omega=float(omega), loadings=pd.Series(loadings, index=names, name="loading"),
                       uniquenesses=pd.Series(1 - loadings ** 2, index=names, name="uniqueness"),
                       denominator=denominator, n=len(frame), converged=bool(converged),
                       ci=interval, level=ci, boot=boot)


# --------------------------------------------------------------------------- bootstrap
def _count_rows(n: int) -> int:
    """Resamples counted per ``np.add.at`` call and multiplied together: up to 64 (fewer
    hand-overs between the drawing thread and the counting one: 64 rows are 1.2x faster than 16
    at n = 10,000 with drawing ahead), at most ~1M counters (8 MB) per block, at least 16."""
    return int(min(64, max(16, (1 << 20) // max(int(n), 1))))


def bootstrap_indices(n: int, n_boot: int = 2000, seed: int | None = 0) -> np.ndarray:
    """The row positions :func:`bootstrap_reliability` resamples from ``seed``, all at once.

    ``numpy.random.default_rng(seed).integers(0, n, size=(n_boot, n))``: row b is resample b.
    :func:`bootstrap_reliability` draws the same stream block by block (never holding it
    whole), so ``bootstrap_reliability(x, n_boot, seed)`` equals
    ``bootstrap_reliability(x, indices=bootstrap_indices(len(x), n_boot, seed))`` exactly and a
    loop over these rows reproduces every replicate (n_boot x n integers: for checks only).
    """
    return np.random.default_rng(seed).integers(0, int(n), size=(int(n_boot), int(n)))


def _drawn_blocks(rng, n: int, n_boot: int) -> DrawAhead:
    """The draws of ``_count_rows(n)`` resamples at a time as count positions
    (:func:`~crmstudy.resampling.resample_positions`): the next rows of
    ``rng.integers(0, n, size=(n_boot, n))``.

    Drawing is 40% of the bootstrap: from ``THREAD_MIN_DRAWS`` draws on, the next blocks are
    drawn in a second thread while the caller counts and multiplies this one (alpha at 10,000
    x 30, 2,000 resamples, 2 cores: 0.130 s -> 0.074 s), by the same calls on the same
    generator in the same order, so the stream is unchanged."""
    rows = _count_rows(n)

    def draw(start):
        drawn = rng.integers(0, n, size=(min(rows, n_boot - start), n))
        return resample_positions(drawn, n, out=drawn)

    return DrawAhead(draw, range(0, n_boot, rows), ahead=2,
                     threaded=n_boot * n >= resampling.THREAD_MIN_DRAWS)


def _count_blocks(n: int, n_boot: int, rng=None, indices=None, counts=None):
    """Yield ``(start, weights)``: float64 counts (how often each respondent is drawn) of
    ``_count_rows(n)`` resamples at a time, from explicit counts, row indices or ``rng``.

    The weights of draws are counted in one buffer, overwritten by the next block: use each
    block before asking for the next."""
    rows = _count_rows(n)
    buffer = np.empty(rows * n)
    drawing = rng is not None and indices is None and counts is None
    with _drawn_blocks(rng, n, n_boot) if drawing else contextlib.nullcontext() as draws:
        for start in range(0, n_boot, rows):
            m = min(rows, n_boot - start)
            if counts is not None:
                yield start, np.asarray(counts[start:start + m], dtype=float)
                continue
            if indices is not None:
                positions = resample_positions(indices[start:start + m], n)
            else:   # the next m rows of rng.integers(0, n, size=(n_boot, n)), as positions
                positions = next(draws)
            yield start, count_resamples(positions, buffer)


_BLAS = []   # one threadpoolctl controller, made on first use (finding the libraries costs ~10 ms)


def _one_blas_thread():
    """BLAS in one thread: the products are 64 x n @ n x p, and a second thread spends more on
    waking and spinning than it saves (2x slower in total on a loaded 2-core machine)."""
    if not _BLAS:
        from threadpoolctl import ThreadpoolController

        _BLAS.append(ThreadpoolController())
    return _BLAS[0].limit(limits=1, user_api="blas")


def bootstrap_reliability(items, n_boot: int = 2000, seed: int | None = 0, *,
                          statistics=("alpha", "std_alpha", "omega"), denominator: str = "observed",
                          chunk: int | None = None, indices: np.ndarray | None = None,
                          counts: np.ndarray | None = None) -> dict:
    """Bootstrap replicates of alpha, standardised alpha and omega, all resamples at once.

    Each resample is represented by how often it draws each respondent (a count vector
    ``w``), so its moments are matrix products: ``Σ_b = (W X)/n`` and ``(W P)/n`` with ``P``
    the products ``x_i x_j`` of every respondent; ``cov_b = n/(n-1) (M2 - m m')``.  Alpha
    needs only the sum of the item variances and the total-score variance, so ``P`` has
    ``k + 2`` columns (the items, their sum of squares, the squared total):
    ``Σ_j var_j = n/(n-1) (w·Σ_j x_j²/n - Σ_j m_j²)``, ``var_T = n/(n-1) (w·T²/n - (Σ_j m_j)²)``;
    standardised alpha and omega need the full covariance matrices, and the one-factor
    minres fits of all resamples are iterated together.  Respondents with a missing item are
    dropped first (listwise), since a resample of pairwise covariances has no count form.

    The counts of up to 64 resamples at a time come from one ``np.add.at`` of their draws (no
    resample is looped over in Python, and only three blocks of draws are held at once); with
    a million draws or more, a second thread draws the next blocks meanwhile (same stream).

    Parameters
    ----------
    items : DataFrame
    n_boot : int
    seed : int
        ``numpy.random.default_rng(seed)``; resample b is row b of
        ``rng.integers(0, n, size=(n_boot, n))`` (see :func:`bootstrap_indices`), drawn
        block by block, so the replicates do not depend on ``chunk`` and a loop over the
        same rows reproduces every replicate exactly.
    indices : ndarray (n_boot, n), optional
        Explicit resamples (row positions) instead of drawing them.
    counts : ndarray (n_boot, n), optional
        Explicit resamples as resampling weights: how often each respondent is drawn
        (non-negative integers, each row summing to n; e.g. ``rng.multinomial(n, [1/n]*n,
        n_boot)``).  Give ``indices`` or ``counts``, not both.
    chunk : int, optional
        Resamples whose statistics are computed together (memory bound: the moments, and
        for std_alpha/omega the k x k covariance matrices, of ``chunk`` resamples); the
        default keeps those under ~64 MB.  It does not change the replicates.

    Returns
    -------
    dict
        Statistic name -> ndarray of ``n_boot`` replicates.

    Examples
    --------
    The replicates equal a loop over the same resamples, one alpha per resample (as R's
    ``boot::boot(x, function(d, i) psych::alpha(d[i, ])$total$raw_alpha, R)`` computes them,
    from its own resamples):

    >>> import pandas as pd
    >>> x = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3], "c": [1, 3, 3, 4, 5, 2]})
    >>> rows = bootstrap_indices(len(x), n_boot=5, seed=1)
    >>> fast = bootstrap_reliability(x, n_boot=5, seed=1, statistics=("alpha",))["alpha"]
    >>> bool(np.allclose(fast, [cronbach_alpha(x.iloc[r]).alpha for r in rows], atol=1e-12))
    True
    """
    unknown = set(statistics) - {"alpha", "std_alpha", "omega"}
    if unknown:
        raise ParameterError(f"unknown statistics {sorted(unknown)}",
                             hint="use some of 'alpha', 'std_alpha', 'omega'")
    frame = as_items(items, nan_policy="listwise")
    x = frame.to_numpy(float)
    n, k = x.shape
    if indices is not None and counts is not None:
        raise ParameterError("give either indices or counts, not both")
    rng = None
    if counts is not None:
        counts = np.asarray(counts)
        if counts.ndim != 2 or counts.shape[1] != n:
            raise ParameterError(f"counts must have shape (n_boot, {n}) for {n} complete "
                                 f"respondents, got {counts.shape}")
        if (counts < 0).any() or not np.array_equal(counts.sum(axis=1), np.full(len(counts), n)):
            raise ParameterError(f"every row of counts must be non-negative and sum to {n}",
                                 hint="a row is how often each respondent is drawn")
        n_boot = counts.shape[0]
    elif indices is not None:
        indices = np.asarray(indices)
        if indices.ndim != 2 or indices.shape[1] != n:
            raise ParameterError(f"indices must have shape (n_boot, {n}) for {n} complete "
                                 f"respondents, got {indices.shape}")
        if indices.size and (indices.min() < 0 or indices.max() >= n):
            raise ParameterError(f"indices must be row positions 0 .. {n - 1} of the {n} "
                                 "complete respondents",
                                 hint="respondents with a missing item are dropped first")
        n_boot = indices.shape[0]
    else:
        if int(n_boot) < 2:
            raise ParameterError(f"n_boot must be at least 2, got {n_boot!r}")
        n_boot = int(n_boot)
        rng = np.random.default_rng(seed)
    x = x - x.mean(axis=0)                       # centring keeps M2 - m m' accurate
    full = bool({"std_alpha", "omega"} & set(statistics))
    if full:
        iu = np.triu_indices(k)
        columns = np.hstack([x, x[:, iu[0]] * x[:, iu[1]]])   # items, then products x_i x_j
    else:  # items, sum of squared items, squared total: k + 2 columns
        columns = np.hstack([x, (x ** 2).sum(axis=1, keepdims=True),
                             x.sum(axis=1, keepdims=True) ** 2])
    p = columns.shape[1]
    if chunk is None:   # moments (and covariance matrices) of a chunk stay under ~64 MB
        chunk = int(8e6 // (p + (k * k if full else 0)))
    rows = _count_rows(n)
    chunk = max(rows, -(-int(chunk) // rows) * rows)  # whole count blocks
    out = {s: np.empty(n_boot) for s in statistics}
    blocks = _count_blocks(n, n_boot, rng=rng, indices=indices, counts=counts)
    moments = np.empty((min(chunk, n_boot), p))
    with _one_blas_thread(), contextlib.closing(blocks):   # closing: ends the drawing thread
        for start in range(0, n_boot, chunk):
            b = min(chunk, n_boot - start)
            for _ in range(0, b, rows):   # the blocks of this chunk, in order
                at, weights = next(blocks)
                np.matmul(weights, columns, out=moments[at - start:at - start + len(weights)])
            _statistics(moments[:b] / n, n, k, statistics, denominator, out, start,
                        iu if full else None)
    return out


def _statistics(moments, n, k, statistics, denominator, out, start, iu) -> None:
    """Alpha (and std_alpha, omega) of resamples from their raw moments about the centre."""
    b = len(moments)
    means = moments[:, :k]
    if iu is None:
        item_var = (moments[:, k] - (means ** 2).sum(axis=1)) * (n / (n - 1))
        total_var = (moments[:, k + 1] - means.sum(axis=1) ** 2) * (n / (n - 1))
        with np.errstate(invalid="ignore", divide="ignore"):
            out["alpha"][start:start + b] = k / (k - 1) * (1 - item_var / total_var)
        return
    m2 = moments[:, k:]
    cov = np.empty((b, k, k))
    cov[:, iu[0], iu[1]] = m2
    cov[:, iu[1], iu[0]] = m2
    cov = (cov - means[:, :, None] * means[:, None, :]) * (n / (n - 1))
    if "alpha" in statistics:
        out["alpha"][start:start + b] = _alpha_from_cov(cov)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov2cor(cov)
    if "std_alpha" in statistics:
        r = _mean_offdiag(corr)
        out["std_alpha"][start:start + b] = k * r / (1 + (k - 1) * r)
    if "omega" in statistics:
        ok = np.isfinite(corr).all(axis=(-2, -1))
        omega = np.full(b, np.nan)
        if ok.any():
            omega[ok] = _omega_from_corr(corr[ok], denominator)[0]
        out["omega"][start:start + b] = omega


# --------------------------------------------------------------------------- per construct
@dataclass(frozen=True)
class ReliabilityResult:
    """Reliability of every construct of a codebook.

    Attributes
    ----------
    table : DataFrame
        One row per construct: ``construct, label_zh, label_en, n_items, n, alpha,
        alpha_ci_low, alpha_ci_high, std_alpha, omega_total, mean_r, min_r_drop, alpha_ok,
        omega_ok, items_ok, passes``.
    items : DataFrame
        :func:`item_analysis` of every construct, stacked (columns ``construct, item, ...``).
    thresholds : dict
    conventions : dict
    """

    table: pd.DataFrame
    items: pd.DataFrame
    thresholds: dict
    conventions: dict

    def summary(self, lang: str = "en", digits: int = 3) -> pd.DataFrame:
        """The per-construct table with ``lang`` headers, ready to paste into a thesis."""
        labels = RELIABILITY_LABELS[_lang(lang)]
        yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
        table = self.table.assign(label=self.table[f"label_{lang}"])
        cols = ["construct", "label", "n_items", "n", "alpha", "alpha_ci_low", "alpha_ci_high",
                "std_alpha", "omega_total", "mean_r", "min_r_drop", "passes"]
        out = table[cols].copy()
        out["passes"] = out["passes"].map({True: yes, False: no})
        return out.round(digits).rename(columns=labels).set_index(labels["construct"])

    def item_summary(self, lang: str = "en", digits: int = 3) -> pd.DataFrame:
        labels = RELIABILITY_LABELS[_lang(lang)]
        cols = ["construct", "item", "mean", "sd", "r_drop", "alpha_if_deleted"]
        return (self.items[cols].round(digits).rename(columns=labels)
                .set_index([labels["construct"], labels["item"]]))


def _lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
    return lang


def reliability(items_or_prepared, codebook: Codebook | None = None, *, ci: float = 0.95,
                nan_policy: str = "pairwise", thresholds: Mapping | None = None,
                ci_method: str = "feldt", n_boot: int = 2000, seed: int | None = 0) -> ReliabilityResult:
    """Alpha (with Feldt CI), omega total and item analysis for every construct.

    Parameters
    ----------
    items_or_prepared : PreparedSurvey or DataFrame
    codebook : Codebook, optional (a PreparedSurvey carries its own)
    ci : float
    nan_policy : {"pairwise", "listwise"}
    thresholds : mapping, optional
        Overrides of :data:`THRESHOLDS` (``alpha``, ``omega``, ``r_drop``).  A construct
        passes when alpha >= alpha threshold, omega >= omega threshold and every corrected
        item-total correlation >= the r_drop threshold.
    ci_method : {"feldt", "bootstrap"}
        Interval of alpha; with ``"bootstrap"`` the table also gets a percentile interval
        of omega (``omega_ci_low``, ``omega_ci_high``) from the same ``n_boot`` resamples.
    """
    from .prepare import PreparedSurvey

    if isinstance(items_or_prepared, PreparedSurvey):
        codebook = codebook or items_or_prepared.codebook
        items = items_or_prepared.items
    else:
        items = items_or_prepared
    if not isinstance(codebook, Codebook):
        raise ParameterError("reliability needs a Codebook",
                             hint="pass codebook=..., or the PreparedSurvey from prepare()")
    if not isinstance(items, pd.DataFrame):
        raise InputDataError(f"expected item scores as a DataFrame, got {type(items).__name__}")
    limits = dict(THRESHOLDS)
    unknown = set(thresholds or {}) - set(limits)
    if unknown:
        raise ParameterError(f"unknown threshold(s) {sorted(unknown)}", hint=f"use {sorted(limits)}")
    limits.update(thresholds or {})
    absent = [i for i in codebook.items if i not in items.columns]
    if absent:
        raise InputDataError(f"codebook item(s) {absent} are not columns of the item scores",
                             column=absent[0])
    rows, item_tables = [], []
    for construct in codebook.constructs:
        block = items[codebook.items_of(construct)]
        try:
            a = cronbach_alpha(block, ci=ci, nan_policy=nan_policy, ci_method=ci_method,
                               n_boot=n_boot, seed=seed)
            o = omega_total(block, nan_policy=nan_policy,
                            ci=ci if ci_method == "bootstrap" else None, n_boot=n_boot, seed=seed)
            stats_ = item_analysis(block, nan_policy=nan_policy)
        except InputDataError as exc:   # say which construct
            raise InputDataError(f"construct {construct!r}: {exc.problem}", column=exc.column,
                                 row=exc.row, entry=exc.entry, hint=exc.hint) from None
        rows.append({
            "construct": construct, "label_zh": codebook.construct_label(construct, "zh"),
            "label_en": codebook.construct_label(construct, "en"), "n_items": a.k, "n": a.n,
            "alpha": a.alpha, "alpha_ci_low": a.ci[0], "alpha_ci_high": a.ci[1],
            "std_alpha": a.std_alpha, "omega_total": o.omega, "mean_r": a.mean_r,
            "min_r_drop": float(stats_["r_drop"].min()),
            **({"omega_ci_low": o.ci[0], "omega_ci_high": o.ci[1]} if o.ci else {})})
        item_tables.append(stats_.reset_index().assign(construct=construct))
    table = pd.DataFrame(rows)
    table["alpha_ok"] = table["alpha"] >= limits["alpha"]
    table["omega_ok"] = table["omega_total"] >= limits["omega"]
    table["items_ok"] = table["min_r_drop"] >= limits["r_drop"]
    table["passes"] = table[["alpha_ok", "omega_ok", "items_ok"]].all(axis=1)
    item_table = pd.concat(item_tables, ignore_index=True)
    item_table = item_table[["construct"] + [c for c in item_table.columns if c != "construct"]]
    item_table["r_drop_ok"] = item_table["r_drop"] >= limits["r_drop"]
    conventions = {"nan_policy": nan_policy,
                   "alpha_ci": (f"Feldt, level {ci}" if ci_method == "feldt" else
                                f"percentile bootstrap, {n_boot} resamples (complete cases), seed {seed}, level {ci}"),
                   "omega": "omega total, one-factor minres, denominator 1'R1 (psych)",
                   "r_drop": "corrected item-total correlation (item vs sum of the other items)"}
    return ReliabilityResult(table=table, items=item_table, thresholds=limits,
                             conventions=conventions)
