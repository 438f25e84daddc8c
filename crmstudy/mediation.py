"""Conditional process analysis: mediation and moderated mediation (中介效应与有调节的中介效应).

One entry point, :func:`process`, estimates Hayes' PROCESS models by ordinary least squares,
one equation per mediator and one for the outcome, and bootstraps the indirect effects:

=====  ==========================================================================================
model  equations (``C`` = controls, entered in every equation as PROCESS does)
=====  ==========================================================================================
4      ``M_j = a_j X + C``;  ``Y = c' X + sum_j b_j M_j + C`` (one or parallel mediators)
6      ``M_1 = a_1 X + C``; ``M_2 = a_2 X + d_21 M_1 + C``; ``Y = c' X + b_1 M_1 + b_2 M_2 + C``
       (serial mediators, in the order given; three or more are chained the same way)
7      ``M_j = a_1j X + a_2j W + a_3j XW + C``; ``Y = c' X + sum_j b_j M_j + C``
8      as 7, and ``Y = c'_1 X + c'_2 W + c'_3 XW + sum_j b_j M_j + C``
14     ``M_j = a_j X + C``;  ``Y = c' X + sum_j (b_1j M_j + b_3j M_j W) + b_2 W + C``
58     ``M_j = a_1j X + a_2j W + a_3j XW + C``;
       ``Y = c' X + sum_j (b_1j M_j + b_3j M_j W) + b_2 W + C``
=====  ==========================================================================================

Effects (Hayes 2022, ch. 3, 5, 11-12):

* indirect effect through ``M_j``: ``a_j b_j``; serial (model 6): ``a_1 d_21 b_2`` and the
  specific effects ``a_1 b_1``, ``a_2 b_2``; total indirect effect: their sum;
* conditional indirect effect at ``W = w``: ``(a_1 + a_3 w) b`` (models 7, 8),
  ``a (b_1 + b_3 w)`` (14), ``(a_1 + a_3 w)(b_1 + b_3 w)`` (58);
* index of moderated mediation (Hayes 2015): the slope of the conditional indirect effect on
  ``W``, ``a_3 b`` (7, 8) or ``a b_3`` (14).  In model 58 the indirect effect is a quadratic
  in ``w``, ``a_1 b_1 + (a_1 b_3 + a_3 b_1) w + a_3 b_3 w^2``, so it has no single index;
  PROCESS prints only the conditional indirect effects there, and so does :attr:`indirect`;
  :attr:`ProcessResult.quadratic` adds the three coefficients of the quadratic (in ``W``'s
  original units) with bootstrap CIs;
* direct effect ``c'`` (conditional ``c'_1 + c'_3 w`` in model 8) with its OLS test; total
  effect ``c`` from ``Y = c X + C`` (models 4 and 6, where ``c = c' + sum of indirect``).

Conventions (every result records them in ``conventions``):

* **bootstrap**: nonparametric case resampling of whole respondents, ``n_boot`` resamples
  (5,000 by default, as PROCESS), drawn in blocks of 250 by ``numpy.random.default_rng`` on
  the streams ``numpy.random.SeedSequence(seed).spawn(...)`` (so the resamples do not depend
  on how many fit in memory at once); all resamples are estimated together (the row-wise
  products of the model's variables times the resample counts give every resample's normal
  equations, which one batched elimination solves), in chunks that bound memory; the
  blocks are drawn in a second thread while the first counts, multiplies and solves.  A resample
  whose design is singular (e.g. a dummy level not drawn) is replaced by a fresh draw from
  one further stream and counted, as PROCESS does ("bootstrap samples replaced").  If
  ``seed`` is None a seed is drawn from the operating system and recorded, so every result
  can be reproduced.
* **CI** (``ci=``): ``"percentile"`` (PROCESS default) or ``"bc"`` bias-corrected (PROCESS
  ``bc=1``; Efron 1987, without acceleration); ``conf=0.95``.  Bootstrap SE: the standard
  deviation (ddof = 1) of the bootstrap estimates.
* **path covariance** (``hc=``): classical OLS by default (PROCESS default); ``"HC0"`` ...
  ``"HC4"`` as PROCESS's ``hc`` option (Hayes & Cai 2007); it changes the tests of the
  paths, the direct effect and Sobel, never the bootstrap.
* **centring** (``center=``): none by default (PROCESS ``center=0``); ``True`` centres every
  variable that forms a product at its mean (PROCESS ``center=1``).  Effects at a moderator
  value are the same either way: moderator values are given and reported in original units.
* **moderator values** (``at=``): ``"meansd"`` mean - 1 SD, mean, mean + 1 SD (SD with
  ddof = 1; PROCESS ``moments=1``, the PROCESS 2 default and the usual thesis choice, so the
  default here), ``"percentiles"`` 16th, 50th, 84th computed as PROCESS 3+ does by default
  (sorted values interpolated at position p(n + 1), R quantile type 6), or any numbers.
* **controls**: numeric columns as they are; text, boolean or categorical columns as
  treatment dummies whose reference is the first category of a pandas Categorical, else the
  first level in sorted order (as R's ``factor``), or the level named in ``reference=``.
* **missing values**: listwise deletion over every variable of the model, with a
  :class:`~crmstudy.errors.DataQualityWarning`.
* **Sobel** (model 4): first-order ``z = ab / sqrt(b^2 s_a^2 + a^2 s_b^2)`` (Sobel 1982),
  the same as lavaan's delta-method SE of a ``:=`` product for separately estimated paths.
  **Baron & Kenny** (1986) steps: c, a, b and c' with their tests, reported because theses
  still report them; the decision follows the bootstrap test of ``ab`` (温忠麟 & 叶宝娟 2014).

References
----------
Baron, R. M., & Kenny, D. A. (1986). The moderator-mediator variable distinction. *JPSP*,
51(6), 1173-1182.
Hayes, A. F. (2015). An index and test of linear moderated mediation. *Multivariate Behavioral
Research*, 50(1), 1-22.
Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional process analysis*
(3rd ed.). Guilford.
Hayes, A. F., & Cai, L. (2007). Using heteroskedasticity-consistent standard error estimators
in OLS regression. *Behavior Research Methods*, 39(4), 709-722.
Sobel, M. E. (1982). Asymptotic confidence intervals for indirect effects in structural
equation models. *Sociological Methodology*, 13, 290-312.
温忠麟, 叶宝娟 (2014). 中介效应分析：方法和模型发展. *心理科学进展*, 22(5), 731-745.

Examples
--------
>>> from crmstudy import mediation
>>> fit = mediation.process(data, model=4, x="capability", y="financial", m="CP",
...                         controls=("log_size", "ownership"), n_boot=5000, seed=1)
...                                                                  # doctest: +SKIP
>>> fit.indirect                                                     # doctest: +SKIP
>>> fit.report("zh")                                                 # doctest: +SKIP

PROCESS (SPSS/SAS/R): ``process(data=d, y="financial", x="capability", m="CP",
cov=c("log_size", ...), model=4, boot=5000, seed=1)``; pyprocessmacro:
``Process(data=d, model=4, x="capability", y="financial", m=["CP"], controls=[...])``;
lavaan: ``CP ~ a*capability; financial ~ cp*capability + b*CP; ind := a*b``.
"""
from __future__ import annotations

import functools
import itertools
import threading
import warnings
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special

from . import resampling
from .errors import DataQualityWarning, InputDataError, ModelFitError, ParameterError
from .formatting import p_text
from .indicators import check_lang
from .moderation import _check_rank, _stars, variable_label
from .resampling import DrawAhead, count_resamples, resample_positions

__all__ = ["process", "ProcessResult", "MODELS", "HC_TYPES", "CI_METHODS", "moderator_values"]

MODELS = (4, 6, 7, 8, 14, 58)
HC_TYPES = ("HC0", "HC1", "HC2", "HC3", "HC4")
CI_METHODS = ("percentile", "bc")
_MODERATED = {7: "a", 8: "a", 14: "b", 58: "ab"}   # which path W moderates
# resamples x rows per chunk (whole blocks of BLOCK resamples, at least one): the two work
# arrays (0.6 MB each at n = 300) stay in cache; measured on 5,000 x 300 (model 7, CPU time
# of the bootstrap): 10.6 ms in chunks of 250 resamples, 11.9 ms of 1,000, 15.0 ms of 2,000
_CHUNK_ELEMENTS = 100_000
_SOLVE_CHUNK = 1_000             # resamples per batched solve (p x p x B stacks in cache)
BLOCK = 250                      # resamples per random stream (see _block_streams)
_AHEAD_ELEMENTS = 2_000_000      # draws held ahead at most (16 MB of positions) ...
_AHEAD_BLOCKS = 4                # ... in at most 4 blocks (the drawing outpaces the rest)
_SCRATCH = threading.local()     # the bootstrap's work arrays, kept between calls (_scratch)
_SCRATCH_MAX_BYTES = 8_000_000   # larger work arrays are allocated per call and released

_TEXT = {
    "zh": {"indirect": "间接效应", "direct": "直接效应", "total": "总效应",
           "total_indirect": "总间接效应", "effect": "效应值", "boot_se": "Boot 标准误",
           "ci_low": "Boot CI 下限", "ci_high": "Boot CI 上限", "se": "标准误", "t": "t",
           "p": "p", "path": "路径", "w": "调节变量取值", "level": "水平", "mediator": "中介变量",
           "outcome": "因变量", "term": "自变量", "b": "系数", "r2": "R²", "F": "F",
           "index": "有调节的中介指数", "share": "效应占比", "z": "z", "step": "步骤",
           "low": "低（均值 − 1 SD）", "mean": "均值", "high": "高（均值 + 1 SD）",
           "p16": "第 16 百分位", "p50": "第 50 百分位", "p84": "第 84 百分位",
           "llci": "置信区间下限", "ulci": "置信区间上限", "coefficient": "系数",
           "constant": "常数项", "linear": "一次项", "quadratic": "二次项"},
    "en": {"indirect": "Indirect effect", "direct": "Direct effect", "total": "Total effect",
           "total_indirect": "Total indirect effect", "effect": "Effect", "boot_se": "Boot SE",
           "ci_low": "Boot LLCI", "ci_high": "Boot ULCI", "se": "SE", "t": "t", "p": "p",
           "path": "Path", "w": "Moderator value", "level": "Level", "mediator": "Mediator",
           "outcome": "Outcome", "term": "Predictor", "b": "b", "r2": "R²", "F": "F",
           "index": "Index of moderated mediation", "share": "Share", "z": "z", "step": "Step",
           "low": "low (mean − 1 SD)", "mean": "mean", "high": "high (mean + 1 SD)",
           "p16": "16th percentile", "p50": "50th percentile", "p84": "84th percentile",
           "llci": "LLCI", "ulci": "ULCI", "coefficient": "Coefficient", "constant": "constant",
           "linear": "linear", "quadratic": "quadratic"},
}
_LEVEL_KEYS = {"mean - 1 SD": "low", "mean": "mean", "mean + 1 SD": "high", "p16": "p16",
               "p50": "p50", "p84": "p84"}


# ----------------------------------------------------------------------------------------
# input
# ----------------------------------------------------------------------------------------
def _as_list(value, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        out = [str(v) for v in value]
    except TypeError:
        raise ParameterError(f"{what} must be a column name or a list of names, got {value!r}")
    return out


def _check_numeric(data: pd.DataFrame, name: str, role: str, col: pd.Series) -> None:
    if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
        bad = pd.to_numeric(col.astype("object"), errors="coerce").isna() & col.notna()
        row = data.index[bad.to_numpy()][0] if bad.any() else None
        value = f" (e.g. {col[bad].iloc[0]!r})" if bad.any() else ""
        raise InputDataError(f"{role} {name!r} is not numeric (dtype {col.dtype}){value}",
                             column=name, row=row,
                             hint="convert it to numbers (pd.to_numeric), or enter a "
                                  "categorical variable as a control")


def _dummies(col: pd.Series, name: str, reference) -> tuple[pd.DataFrame, str]:
    if isinstance(col.dtype, pd.CategoricalDtype):
        levels = [c for c in col.cat.categories if (col == c).any()]
    else:
        levels = sorted(col.astype(str).unique()) if not pd.api.types.is_bool_dtype(col) \
            else [False, True]
        col = col.astype(str) if not pd.api.types.is_bool_dtype(col) else col
    if reference is not None:
        if reference not in levels and str(reference) not in [str(v) for v in levels]:
            raise ParameterError(f"reference level {reference!r} of control {name!r} is not "
                                 "in the data", column=name,
                                 hint=f"use one of {', '.join(map(str, levels))}")
        ref = next(v for v in levels if str(v) == str(reference))
    else:
        ref = levels[0]
    cols = {f"{name}[T.{lev}]": (col == lev).to_numpy(dtype=float) for lev in levels
            if lev is not ref and str(lev) != str(ref)}
    return pd.DataFrame(cols, index=col.index), str(ref)


def _moderator_values(w: np.ndarray, at) -> tuple[np.ndarray, list[str], str]:
    """Moderator values and their labels, in original units."""
    if at is None or (isinstance(at, str) and at == "meansd"):
        m, s = float(w.mean()), float(w.std(ddof=1))
        return np.array([m - s, m, m + s]), ["mean - 1 SD", "mean", "mean + 1 SD"], \
            "mean and mean ± 1 SD (ddof = 1)"
    if isinstance(at, str) and at == "percentiles":
        # PROCESS interpolates the sorted values at position p(n + 1) (R type 6, "weibull")
        return np.percentile(w, [16, 50, 84], method="weibull"), ["p16", "p50", "p84"], \
            "16th, 50th, 84th percentiles (PROCESS: position p(n + 1), R quantile type 6)"
    if isinstance(at, str):
        raise ParameterError(f"unknown moderator values {at!r}",
                             hint='use "meansd", "percentiles" or a list of numbers')
    values = np.atleast_1d(np.asarray(at, dtype=float))
    if values.ndim != 1 or not np.isfinite(values).all() or values.size == 0:
        raise ParameterError(f"moderator values must be finite numbers, got {at!r}")
    return values, [f"{v:g}" for v in values], "values given by the user"


def moderator_values(data: pd.DataFrame, w: str, at="meansd") -> pd.Series:
    """The moderator values PROCESS probes at (``"meansd"``, ``"percentiles"`` or numbers)."""
    values, labels, _ = _moderator_values(pd.to_numeric(data[w]).dropna().to_numpy(), at)
    return pd.Series(values, index=pd.Index(labels, name="level"), name=w)


# ----------------------------------------------------------------------------------------
# OLS with a choice of covariance
# ----------------------------------------------------------------------------------------
def _ols(X: np.ndarray, y: np.ndarray, hc: str | None):
    n, p = X.shape
    xtx_inv = np.linalg.inv(X.T @ X)
    b = xtx_inv @ (X.T @ y)
    e = y - X @ b
    df = n - p
    if hc is None:
        cov = xtx_inv * (e @ e / df)
    else:
        h = np.einsum("ij,jk,ik->i", X, xtx_inv, X)
        if hc == "HC0":
            w = e ** 2
        elif hc == "HC1":
            w = e ** 2 * n / df
        elif hc == "HC2":
            w = e ** 2 / (1 - h)
        elif hc == "HC3":
            w = e ** 2 / (1 - h) ** 2
        else:  # HC4, Cribari-Neto (2004)
            w = e ** 2 / (1 - h) ** np.minimum(4.0, n * h / p)
        cov = xtx_inv @ (X.T * w) @ X @ xtx_inv
    ss_tot = ((y - y.mean()) ** 2).sum()
    r2 = 1 - (e @ e) / ss_tot
    # model F: Wald test of every slope with the chosen covariance (= classical F for OLS)
    k = p - 1
    if k > 0:
        bs, cs = b[1:], cov[1:, 1:]
        F = float(bs @ np.linalg.solve(cs, bs) / k)
    else:
        F = np.nan
    return b, cov, df, r2, F, float(e @ e / df)


def _tests(est, se, df, conf):
    t = est / se
    # scipy.special's Student t (stdtr, stdtrit) = stats.t.sf / ppf without the overhead
    p = 2 * special.stdtr(df, -np.abs(t))
    q = special.stdtrit(df, 0.5 + conf / 2)
    return t, p, est - q * se, est + q * se


# ----------------------------------------------------------------------------------------
# bootstrap
# ----------------------------------------------------------------------------------------
def _bootstrap(designs: dict[str, tuple[np.ndarray, np.ndarray]], terms: dict[str, list[str]],
               n_boot: int, draws: DrawAhead, spare: np.random.Generator
               ) -> tuple[dict[str, np.ndarray], int]:
    """Coefficients of every equation in ``n_boot`` case resamples, all at once.

    The normal equations of resample b are ``X' diag(c_b) X beta = X' diag(c_b) y`` with
    ``c_b`` the number of times each respondent is drawn.  Every entry of every equation's
    ``X'X`` and ``X'y`` is a sum ``sum_i c_bi u_i v_i`` over a pair (u, v) of model variables,
    so with ``P`` (n x K) the row-wise products of the K distinct pairs the equations need,
    all resamples' moments are one BLAS product ``P' C'`` (K x B, C the B x n counts).
    The equations share most pairs (the mediator's equation uses the same x and controls
    as the outcome's, and its outcome M is a regressor of Y), so each pair is computed once:
    with two controls model 4 needs 20 pairs instead of 34 for separate equations, model 7
    33 instead of 47.  Resamples are drawn in blocks (``draws``, :func:`_drawn_blocks`;
    ``spare`` draws the replacements of singular resamples) and counted
    in chunks of at most ``_CHUNK_ELEMENTS`` counts, which bounds memory for large n and
    keeps a chunk in cache; the moments (K x resamples, independent of n) of a group of
    chunks are then solved for all its resamples at once (:func:`_solve_moments`).
    """
    # distinct variables (by name: the same column in several equations is one variable),
    # each divided by its root mean square so that every X'X has a unit-scale diagonal
    # (better conditioned pivots); the coefficients are scaled back at the end
    columns: dict[str, np.ndarray] = {}
    for eq, (X, y) in designs.items():
        columns.update({t: X[:, k] for k, t in enumerate(terms[eq]) if t not in columns})
        columns.setdefault(eq, y)
    pos = {v: k for k, v in enumerate(columns)}
    Z = np.column_stack(list(columns.values()))
    n = Z.shape[0]
    scale = np.sqrt((Z ** 2).mean(axis=0))
    Z = Z / scale
    # the pairs (u, v), u <= v, of every X'X and X'y; an equation reads its p x p X'X with
    # one gather of rows ``gram`` (p x p positions, symmetric) and its X'y from rows ``xy``
    pairs: dict[tuple[int, int], int] = {}
    layout = {}
    for eq in designs:
        idx = [pos[t] for t in terms[eq]]
        gram = [[pairs.setdefault((min(r, c), max(r, c)), len(pairs)) for c in idx] for r in idx]
        xy = [pairs.setdefault((min(i, pos[eq]), max(i, pos[eq])), len(pairs)) for i in idx]
        layout[eq] = (np.array(gram), np.array(xy), scale[pos[eq]] / scale[idx])
    u, v = np.array(list(pairs)).T
    products = np.ascontiguousarray((Z[:, u] * Z[:, v]).T)            # K x n

    # 1. moments of every resample (K x resamples, so that an equation's entries are
    # contiguous rows): products @ counts' (BLAS), chunk by chunk; 2. the equations of a
    # group of about _SOLVE_CHUNK resamples solved at once.  The work arrays are reused by
    # every chunk and group, and kept for the next call (_scratch): fresh megabyte arrays
    # cost more in page faults than the counting itself
    blocks_per_chunk = _blocks_per_chunk(n)
    chunk = BLOCK * blocks_per_chunk
    group = max(chunk, _SOLVE_CHUNK // chunk * chunk)
    work = (_scratch("flat", chunk * n, np.intp), _scratch("counts", chunk * n))
    moments = _scratch("moments", len(pairs) * min(group, n_boot)).reshape(len(pairs), -1)
    coefs = {eq: np.empty((n_boot, len(lay[2]))) for eq, lay in layout.items()}
    singular = np.zeros(n_boot, dtype=bool)
    for first in range(0, n_boot, group):
        size = min(group, n_boot - first)
        for start in range(first, first + size, chunk):
            blocks = range(start // BLOCK, min(start // BLOCK + blocks_per_chunk,
                                               -(-n_boot // BLOCK)))
            counts = _counts([next(draws) for _ in blocks], n, work)
            at = start - first
            np.matmul(products, counts.T, out=moments[:, at:at + len(counts)])
        part, singular[first:first + size] = _solve_moments(moments[:, :size], layout)
        for eq in coefs:
            coefs[eq][first:first + size] = part[eq]

    # 3. a resample whose design is singular (a dummy level not drawn) is replaced by a new
    # draw from the last stream, all of a round in one call so that the replacements, too,
    # do not depend on the chunking
    replaced = 0
    while singular.any():
        bad = np.flatnonzero(singular)
        replaced += len(bad)
        if replaced > 10 * n_boot:
            raise ModelFitError(
                "almost every bootstrap resample has a singular design (a control "
                "level or a variable has too few distinct respondents)",
                hint="merge rare categories of the controls or collect more data")
        redrawn = _draw_indices(spare, len(bad), n)
        again = np.empty((len(pairs), len(bad)))
        for start in range(0, len(bad), chunk):
            np.matmul(products, _counts([resample_positions(redrawn[start:start + chunk], n)],
                                        n, work).T,
                      out=again[:, start:start + chunk])
        new, still = _solve_moments(again, layout)
        for eq in coefs:
            coefs[eq][bad] = new[eq]
        singular = np.zeros(n_boot, dtype=bool)
        singular[bad[still]] = True
    return coefs, replaced


def _solve_moments(moments: np.ndarray, layout: dict) -> tuple[dict[str, np.ndarray],
                                                                np.ndarray]:
    """Coefficients (resamples x p) of every equation from the resamples' moments.

    ``moments`` holds the pair sums of :func:`_bootstrap` (K x resamples); ``layout`` says for
    each equation where its ``X'X`` and ``X'y`` entries lie and how to scale its coefficients
    back to the original units.  Returns the coefficients and a flag per resample whose
    design is singular in some equation.  Solved in slices of ``_SOLVE_CHUNK`` resamples in
    work arrays reused by every slice and equation: the (p, p, resamples) stacks stay small
    and in cache (fresh megabyte arrays per equation cost more in page faults than the
    elimination itself).
    """
    nb = moments.shape[1]
    coefs = {eq: np.empty((nb, len(unscale))) for eq, (_, _, unscale) in layout.items()}
    singular = np.zeros(nb, dtype=bool)
    p_max = max(len(unscale) for _, _, unscale in layout.values())
    size = min(nb, _SOLVE_CHUNK)
    stack, temp = _scratch("stack", p_max * p_max * size), _scratch("temp", p_max * p_max * size)
    for start in range(0, nb, size):
        part = moments[:, start:start + size]
        s = part.shape[1]
        for eq, (gram, xy, unscale) in layout.items():
            p = len(unscale)
            # (p, p, resamples): the resample axis last, so each elimination step works on
            # contiguous vectors; a column absent from a resample makes its X'X singular,
            # which the elimination flags by a vanishing pivot
            g = np.take(part, gram, axis=0, out=stack[:p * p * s].reshape(p, p, s), mode="clip")
            beta, bad = _batched_spd_solve(g, part[xy], temp[:p * p * s].reshape(p, p, s))
            coefs[eq][start:start + s] = (beta * unscale[:, None]).T
            singular[start:start + s] |= bad
    return coefs, singular


def _batched_spd_solve(A: np.ndarray, b: np.ndarray, temp: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Solve B symmetric positive (semi)definite systems ``A[:, :, k] x = b[:, k]`` at once.

    ``A`` is (p, p, B) and ``b`` (p, B): the systems lie along the last axis, so every
    operation below is a vector operation over the B systems, with a Python loop over the p
    columns only.  Gaussian elimination without pivoting (stable for positive definite
    matrices; on a symmetric matrix its pivots are those of the LDL' factorisation): for the
    small p of a regression this is many times faster than ``numpy.linalg.solve``, which calls
    LAPACK once per matrix.  A pivot below 1e-10 of its diagonal entry flags a singular
    system (a column absent from a resample, or exact collinearity in it); those systems are
    returned as ``singular`` with meaningless values.  ``A`` and ``b`` are overwritten;
    ``temp`` (at least p x p x B) holds the update products, to allocate nothing per step.
    """
    p, nb = b.shape
    if temp is None:
        temp = np.empty((p, p, nb))
    diag = np.einsum("iik->ik", A).copy()
    singular = np.zeros(nb, dtype=bool)
    f = np.empty((p, nb))
    for k in range(p):
        piv = A[k, k]
        weak = piv <= 1e-10 * np.maximum(diag[k], 1e-300)
        if weak.any():
            singular |= weak
            piv[weak] = 1.0
        m = p - k - 1
        fk = np.divide(A[k + 1:, k], piv, out=f[:m])          # multipliers, (m, B)
        A[k + 1:, k + 1:] -= np.multiply(fk[:, None, :], A[k, k + 1:][None, :, :],
                                         out=temp[:m, :m])
        b[k + 1:] -= fk * b[k]
    x = np.empty_like(b)
    for k in range(p - 1, -1, -1):
        x[k] = (b[k] - np.einsum("jb,jb->b", A[k, k + 1:], x[k + 1:])) / A[k, k]
    return x, singular


def _scratch(name: str, size: int, dtype=np.float64) -> np.ndarray:
    """A work array of ``size`` elements (contents undefined), kept per thread for the next call.

    Each call of :func:`process` would otherwise touch a few megabytes of fresh memory, and
    the operating system's first-touch page faults cost more than the counting they hold
    (measured: about 15 % of a whole 5,000-resample analysis).  Arrays above
    ``_SCRATCH_MAX_BYTES`` (large n) are not kept.  Per thread, so concurrent calls in
    different threads never share one; within a thread the names used at the same time
    (``ring``, ``flat``, ``counts``, ``moments``, ``stack``, ``temp``) are distinct.
    """
    nbytes = size * np.dtype(dtype).itemsize
    if nbytes > _SCRATCH_MAX_BYTES:
        return np.empty(size, dtype=dtype)
    buf = getattr(_SCRATCH, name, None)
    if buf is None or buf.dtype != dtype or buf.size < size:
        buf = np.empty(size, dtype=dtype)
        setattr(_SCRATCH, name, buf)
    return buf[:size]


def _block_streams(seed: int, n_boot: int) -> list[np.random.SeedSequence]:
    """One stream per block of :data:`BLOCK` resamples, and a last one for replacements.

    ``numpy.random.SeedSequence(seed).spawn`` gives independent streams, so resample k is the
    same whatever the grouping and threading (the draws do not depend on them).
    """
    n_blocks = -(-n_boot // BLOCK)
    return np.random.SeedSequence(seed).spawn(n_blocks + 1)


def _drawn_blocks(seed: int, n_boot: int, n: int) -> tuple[DrawAhead, np.random.Generator]:
    """The resamples' row indices block by block (block k from ``default_rng`` on stream k
    of :func:`_block_streams`), as positions in the counts of the block's chunk
    (:func:`~crmstudy.resampling.resample_positions`), and the generator of replacements (the last stream).

    From ``THREAD_MIN_DRAWS`` draws on the blocks are drawn ahead in a second thread, while
    the model is checked and the paths fitted and the previous blocks counted and solved
    (model 4, 300 respondents, 5,000 resamples: the 4 ms of drawing leave the wall time).
    The positions are written into a ring of kept work arrays (fresh arrays per block cost
    as much in page faults as the drawing): with at most ``ahead`` blocks waiting, one being
    drawn and ``per_chunk`` in the caller's hands, block k's slot ``k % slots`` is free when
    the worker draws it."""
    streams = _block_streams(seed, n_boot)
    per_chunk = _blocks_per_chunk(max(n, 1))     # n = 0 fails the model checks meanwhile
    ahead = max(2, min(_AHEAD_BLOCKS, _AHEAD_ELEMENTS // (BLOCK * max(n, 1))))
    slots = ahead + per_chunk + 1
    ring = _scratch("ring", slots * BLOCK * n, np.intp).reshape(slots, BLOCK, n)

    def draw(k):
        size = min(BLOCK, n_boot - k * BLOCK)
        return resample_positions(_draw_indices(np.random.default_rng(streams[k]), size, n),
                                  n, first=k % per_chunk * BLOCK, out=ring[k % slots, :size])

    blocks = DrawAhead(draw, range(len(streams) - 1), ahead=ahead,
                       threaded=n_boot * n >= resampling.THREAD_MIN_DRAWS)
    return blocks, np.random.default_rng(streams[-1])


def _draw_indices(rng: np.random.Generator, size: int, n: int) -> np.ndarray:
    """Row indices of ``size`` case resamples of n respondents (size x n).

    The narrowest unsigned type that holds n - 1 is used: the draws are the bulk of the
    bootstrap's cost and 16-bit draws are several times faster than 64-bit ones.
    """
    dtype = np.uint16 if n <= 2 ** 16 else np.uint32 if n <= 2 ** 32 else np.int64
    return rng.integers(0, n, size=(size, n), dtype=dtype)


def _blocks_per_chunk(n: int) -> int:
    """Blocks of resamples counted together: whole blocks, at most ``_CHUNK_ELEMENTS`` counts."""
    return max(1, _CHUNK_ELEMENTS // (BLOCK * n))


def _counts(blocks: list[np.ndarray], n: int, work: tuple[np.ndarray, np.ndarray]
            ) -> np.ndarray:
    """How often each of n respondents is drawn in each resample (float64, resamples x n).

    ``blocks`` are the consecutive blocks of a chunk as
    :func:`~crmstudy.resampling.resample_positions`; ``work`` is a pair of buffers (intp,
    float64) of at least as many elements as draws, reused from chunk to chunk; the result is
    a view of the float one (:func:`~crmstudy.resampling.count_resamples`).
    """
    size = sum(len(b) for b in blocks)
    positions = blocks[0] if len(blocks) == 1 else np.concatenate(
        blocks, out=work[0][:size * n].reshape(size, n))
    return count_resamples(positions, work[1])


def _quantiles(draws: np.ndarray, qs) -> list[np.ndarray]:
    """Quantiles ``q`` (one per column, for each ``q`` of ``qs``) of the columns of ``draws``;
    numpy's default "linear" rule (R type 7), i.e. ``np.quantile(x, q)``.  Only the order
    statistics the rule reads are put in place (``np.partition``), not the whole sort."""
    b, k = draws.shape
    pos = [np.clip(np.asarray(q, dtype=float), 0, 1) * (b - 1) for q in qs]
    lows = [np.floor(p).astype(int) for p in pos]
    highs = [np.minimum(lo + 1, b - 1) for lo in lows]
    part = np.partition(draws, np.unique(np.concatenate(lows + highs)), axis=0)
    cols = np.arange(k)
    return [part[lo, cols] * (1 - (p - lo)) + part[hi, cols] * (p - lo)
            for p, lo, hi in zip(pos, lows, highs)]


def _ci(boot: np.ndarray, est: np.ndarray, method: str, conf: float):
    """Percentile or bias-corrected (Efron 1987, no acceleration) bootstrap interval of each
    column of ``boot`` (B x k), ``est`` the k full-sample estimates."""
    alpha = 1 - conf
    boot = np.asarray(boot, dtype=float).reshape(boot.shape[0], -1)
    est = np.ravel(est)
    k = boot.shape[1]
    if method == "percentile":
        q_lo, q_hi = np.full(k, alpha / 2), np.full(k, 1 - alpha / 2)
    else:
        prop = (boot < est).mean(axis=0) + 0.5 * (boot == est).mean(axis=0)
        prop = np.clip(prop, 1 / (boot.shape[0] + 1), boot.shape[0] / (boot.shape[0] + 1))
        z0 = special.ndtri(prop)
        zq = special.ndtri(1 - alpha / 2)
        q_lo, q_hi = special.ndtr(2 * z0 - zq), special.ndtr(2 * z0 + zq)
    lo, hi = _quantiles(boot, [q_lo, q_hi])
    return lo, hi


# ----------------------------------------------------------------------------------------
# the result
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProcessResult:
    """A fitted PROCESS model (see :func:`process`).

    Attributes
    ----------
    model : int
    x, y : str
    m : tuple of str
        Mediators, in the order given (the serial order in model 6).
    w : str or None
    controls : tuple of str
        Control columns as given; ``control_terms`` are their design columns (dummies).
    n : int
        Complete respondents used.
    paths : DataFrame
        One row per equation and predictor: ``outcome, term, b, se, t, p, ci_low, ci_high``.
    models : DataFrame
        Per equation: ``outcome, r2, F, df1, df2, p, mse, n``.
    indirect : DataFrame
        ``effect, boot_se, ci_low, ci_high`` per indirect path (models 4, 6: plus the total
        indirect effect when there are several paths); moderated models give the conditional
        indirect effects at the default moderator values (mean and mean ± 1 SD) with the
        columns ``mediator, w, level`` in front.
    direct : DataFrame
        ``effect, se, t, p, ci_low, ci_high``; conditional on ``W`` in model 8.
    total : DataFrame or None
        Total effect ``c`` (models 4 and 6).
    index_of_moderated_mediation : DataFrame or None
        Models 7, 8, 14: ``index, boot_se, ci_low, ci_high`` per mediator.
    quadratic : DataFrame or None
        Model 58: coefficients of the conditional indirect effect as a quadratic in ``W``.
    sobel, baron_kenny : DataFrame or None
        Model 4 only.
    conventions : dict
    """

    model: int
    x: str
    y: str
    m: tuple
    w: str | None
    controls: tuple
    control_terms: tuple
    n: int
    conventions: dict
    _coef: dict = field(repr=False)
    _boot: dict = field(repr=False)
    _terms: dict = field(repr=False)
    _w_data: np.ndarray | None = field(repr=False)
    _vcov: dict = field(repr=False)
    _fits: dict = field(repr=False)       # per equation: df1, df2, r2, F, mse (OLS)
    _total_fit: tuple | None = field(repr=False)   # (c, se, df) of Y on X (models 4, 6)
    _w_shift: float = field(repr=False, default=0.0)

    # --- the tables: computed when first read (statsmodels' cache_readonly), so that a fit
    # costs only the tables that are looked at -----------------------------------------
    @functools.cached_property
    def paths(self) -> pd.DataFrame:
        """One row per equation and predictor: ``outcome, term, b, se, t, p, ci_low, ci_high``."""
        conf = self.conventions["conf"]
        parts = []
        for eq, b in self._coef.items():
            se = np.sqrt(np.diag(self._vcov[eq]))
            parts.append((b, se) + tuple(_tests(b, se, self._fits[eq]["df2"], conf)))
        return pd.DataFrame({"outcome": [eq for eq in self._coef for _ in self._terms[eq]],
                             "term": [t for eq in self._coef for t in self._terms[eq]],
                             **{col: np.concatenate([part[j] for part in parts]) for j, col in
                                enumerate(["b", "se", "t", "p", "ci_low", "ci_high"])}})

    @functools.cached_property
    def models(self) -> pd.DataFrame:
        """Per equation: ``outcome, r2, F, df1, df2, p, mse, n``."""
        rows = {k: [] for k in ("outcome", "r2", "F", "df1", "df2", "p", "mse", "n")}
        for eq, fit in self._fits.items():
            p_value = float(special.fdtrc(fit["df1"], fit["df2"], fit["F"]))
            for key, value in zip(rows, (eq, fit["r2"], fit["F"], fit["df1"], fit["df2"],
                                         p_value, fit["mse"], self.n)):
                rows[key].append(value)
        return pd.DataFrame(rows)

    @functools.cached_property
    def direct(self) -> pd.DataFrame:
        """``effect, se, t, p, ci_low, ci_high``; conditional on ``W`` in model 8."""
        return self.conditional_direct(
            with_w=self.w is not None and f"{self.x}:{self.w}" in self._terms[self.y])

    @functools.cached_property
    def indirect(self) -> pd.DataFrame:
        """Indirect effects with bootstrap SE and CI (see the class docstring)."""
        if self.w is not None:
            return self.conditional_indirect()
        rows, boots, ests = [], [], []
        for chain in self._indirect_paths():
            ests.append(float(self._chain_effect(self._coef, chain)[0, 0]))
            boots.append(self._chain_effect(self._boot, chain)[:, 0])
            rows.append(self._label(chain))
        if len(rows) > 1:
            ests.append(sum(ests))
            boots.append(np.sum(boots, axis=0))
            rows.append("total")
        est, se, lo, hi = self._summarise(np.array(ests), np.column_stack(boots))
        return pd.DataFrame({"path": rows, "effect": est, "boot_se": se, "ci_low": lo,
                             "ci_high": hi})

    @functools.cached_property
    def total(self) -> pd.DataFrame | None:
        """Total effect ``c`` of X on Y (Y on X and the controls; models 4 and 6)."""
        if self._total_fit is None:
            return None
        c, se, df = self._total_fit
        t, p, lo, hi = _tests(np.array([c]), np.array([se]), df, self.conventions["conf"])
        return pd.DataFrame({"effect": [c], "se": [se], "t": t, "p": p, "ci_low": lo,
                             "ci_high": hi})

    @property
    def index_of_moderated_mediation(self) -> pd.DataFrame | None:
        """Models 7, 8, 14: ``mediator, index, boot_se, ci_low, ci_high``."""
        return self._moderated[0]

    @property
    def quadratic(self) -> pd.DataFrame | None:
        """Model 58: the conditional indirect effect as a quadratic in ``W``."""
        return self._moderated[1]

    @property
    def sobel(self) -> pd.DataFrame | None:
        """Model 4: first-order Sobel test of each indirect effect."""
        return self._mediation_tests[0]

    @property
    def baron_kenny(self) -> pd.DataFrame | None:
        """Model 4: the causal steps of Baron and Kenny (1986)."""
        return self._mediation_tests[1]

    @functools.cached_property
    def _moderated(self) -> tuple:
        """(index of moderated mediation, quadratic form) in W's original units."""
        if self.w is None:
            return None, None
        s = self._w_shift
        rows_i, rows_q = [], []
        for chain in self._indirect_paths():
            # the effect is a0 + a1 u + a2 u^2 in W's original units u: read a0, a1, a2 off
            # u = 0 and ±1
            f = {u: (float(self._chain_effect(self._coef, chain, u - s)[0, 0]),
                     self._chain_effect(self._boot, chain, u - s)[:, 0]) for u in (-1.0, 0.0, 1.0)}
            const = f[0.0]
            lin = ((f[1.0][0] - f[-1.0][0]) / 2, (f[1.0][1] - f[-1.0][1]) / 2)
            quad = ((f[1.0][0] + f[-1.0][0]) / 2 - const[0],
                    (f[1.0][1] + f[-1.0][1]) / 2 - const[1])
            if self.model == 58:
                for kind, (e, bt) in (("constant", const), ("linear", lin), ("quadratic", quad)):
                    _, se, lo, hi = self._summarise(np.array([e]), bt[:, None])
                    rows_q.append({"mediator": chain[0], "coefficient": kind, "estimate": e,
                                   "boot_se": se[0], "ci_low": lo[0], "ci_high": hi[0]})
            else:
                _, se, lo, hi = self._summarise(np.array([lin[0]]), lin[1][:, None])
                rows_i.append({"mediator": chain[0], "index": lin[0], "boot_se": se[0],
                               "ci_low": lo[0], "ci_high": hi[0]})
        # columns from the row dicts (much faster than pandas' list-of-records path)
        return tuple(pd.DataFrame({k: [r[k] for r in rows] for k in rows[0]}) if rows else None
                     for rows in (rows_i, rows_q))

    @functools.cached_property
    def _mediation_tests(self) -> tuple:
        """(Sobel test, Baron and Kenny's steps), model 4 only."""
        if self.model != 4:
            return None, None

        def path(eq, term):                  # (b, se, p) without pandas indexing (it is slow)
            k = self._terms[eq].index(term)
            b, se = self._coef[eq][k], float(np.sqrt(self._vcov[eq][k, k]))
            return b, se, float(2 * special.stdtr(self._df[eq], -abs(b / se)))

        c, se_c, df_c = self._total_fit
        p_c = float(2 * special.stdtr(df_c, -abs(c / se_c)))
        srows = {k: [] for k in ("mediator", "effect", "se", "z", "p")}
        bk = [("1: X -> Y (c)", self.y, self.x, c, se_c, p_c)]
        for mj in self.m:
            a, sa, pa = path(mj, self.x)
            b, sb, pb = path(self.y, mj)
            se = float(np.sqrt(b ** 2 * sa ** 2 + a ** 2 * sb ** 2))
            zval = a * b / se
            for key, value in zip(srows, (mj, a * b, se, zval,
                                          float(2 * special.ndtr(-abs(zval))))):
                srows[key].append(value)
            bk.append(("2: X -> M (a)", mj, self.x, a, sa, pa))
            bk.append(("3: M -> Y | X (b)", self.y, mj, b, sb, pb))
        bk.append(("4: X -> Y | M (c')", self.y, self.x) + path(self.y, self.x))
        return pd.DataFrame(srows), pd.DataFrame(
            dict(zip(["step", "outcome", "term", "b", "se", "p"], map(list, zip(*bk)))))

    # --- effects as functions of a coefficient set ------------------------------------
    def _get(self, coefs: dict, eq: str, term: str):
        """Coefficient of ``term`` in equation ``eq`` as a column (resamples x 1); 0 if absent."""
        terms = self._terms[eq]
        if term not in terms:
            return 0.0
        return np.atleast_2d(coefs[eq])[:, terms.index(term)][:, None]

    def _indirect_paths(self) -> list[tuple[str, ...]]:
        """Chains of mediators from x to y: single mediators, and ordered chains in model 6."""
        if self.model != 6:
            return [(mj,) for mj in self.m]
        chains = []
        for r in range(1, len(self.m) + 1):
            chains += list(itertools.combinations(self.m, r))
        # PROCESS's order: by first mediator, then length, then position (for three: M1,
        # M1M2, M1M3, M1M2M3, M2, M2M3, M3)
        pos = {mj: k for k, mj in enumerate(self.m)}
        return sorted(chains, key=lambda c: (pos[c[0]], len(c), [pos[v] for v in c]))

    def _chain_effect(self, coefs: dict, chain: tuple[str, ...], w_int=None) -> np.ndarray:
        """Indirect effect along ``chain`` at internal moderator values ``w_int``.

        ``coefs`` holds the point estimates (p,) or the bootstrap draws (B, p) of every
        equation; the result has shape (1 or B, number of moderator values).
        """
        x, y, w = self.x, self.y, self.w
        wv = np.atleast_1d(np.asarray(0.0 if w_int is None else w_int, dtype=float))[None, :]
        first, last = chain[0], chain[-1]
        effect = self._get(coefs, first, x) + (self._get(coefs, first, f"{x}:{w}") * wv
                                              if w else 0.0)
        for prev, nxt in zip(chain[:-1], chain[1:]):
            effect = effect * self._get(coefs, nxt, prev)
        b = self._get(coefs, y, last) + (self._get(coefs, y, f"{last}:{w}") * wv if w else 0.0)
        return np.broadcast_to(effect * b, np.broadcast_shapes(np.shape(effect * b),
                                                                (1, wv.shape[1])))

    def _label(self, chain) -> str:
        return " -> ".join((self.x,) + tuple(chain) + (self.y,))

    def _summarise(self, est, boot, conf=None):
        conf = self.conventions["conf"] if conf is None else conf
        lo, hi = _ci(boot, est, self.conventions["ci"], conf)
        return est, boot.std(axis=0, ddof=1), lo, hi

    # --- public -----------------------------------------------------------------------
    def conditional_indirect(self, at="meansd", conf: float | None = None) -> pd.DataFrame:
        """Conditional indirect effects at moderator values, with bootstrap SE and CI.

        Parameters
        ----------
        at : "meansd", "percentiles" or numbers
            Moderator values in the original units of ``w`` (see module conventions).
        conf : float, optional
            Confidence level (default: the one of the fit).

        Returns
        -------
        DataFrame with ``mediator, w, level, effect, boot_se, ci_low, ci_high``.
        """
        if self.w is None:
            raise ParameterError(f"model {self.model} has no moderator",
                                 hint="conditional indirect effects exist in models 7, 8, 14 "
                                      "and 58; read .indirect for this model")
        values, labels, _ = _moderator_values(self._w_data, at)
        w_int = values - self._w_shift
        parts = []
        for chain in self._indirect_paths():
            est = self._chain_effect(self._coef, chain, w_int)[0]
            boot = self._chain_effect(self._boot, chain, w_int)
            est, se, lo, hi = self._summarise(est, boot, conf)
            parts.append((" -> ".join(chain), est, se, lo, hi))
        k = len(values)
        return pd.DataFrame({
            "mediator": [name for name, *_ in parts for _ in range(k)],
            "w": np.tile(values, len(parts)), "level": labels * len(parts),
            **{col: np.concatenate([p[j] for p in parts])
               for j, col in enumerate(["effect", "boot_se", "ci_low", "ci_high"], start=1)}})

    def conditional_direct(self, at="meansd", conf: float | None = None, *,
                           with_w: bool = True) -> pd.DataFrame:
        """Direct effect of x at moderator values with its OLS test (model 8; else constant).

        ``with_w=False`` leaves out the columns ``w`` and ``level`` (for :attr:`direct` of a
        model whose direct effect is not moderated).
        """
        conf = self.conventions["conf"] if conf is None else conf
        eq = self.y
        terms = self._terms[eq]
        cov = self._cov[eq]
        i = terms.index(self.x)
        if self.w is None or f"{self.x}:{self.w}" not in terms:
            est, se = np.array([self._coef[eq][i]]), np.array([np.sqrt(cov[i, i])])
            values, labels = np.array([np.nan]), [""]
        else:
            values, labels, _ = _moderator_values(self._w_data, at)
            j = terms.index(f"{self.x}:{self.w}")
            wi = values - self._w_shift
            est = self._coef[eq][i] + self._coef[eq][j] * wi
            se = np.sqrt(cov[i, i] + 2 * wi * cov[i, j] + wi ** 2 * cov[j, j])
        df = float(self._df[eq])
        t, p, lo, hi = _tests(est, se, df, conf)
        table = {"w": values, "level": labels, "effect": est, "se": se, "t": t, "p": p,
                 "ci_low": lo, "ci_high": hi}
        if not with_w:
            del table["w"], table["level"]
        return pd.DataFrame(table)

    @property
    def _cov(self) -> dict:
        return self._vcov

    @property
    def _df(self) -> dict:
        """Residual degrees of freedom of each equation."""
        return {eq: fit["df2"] for eq, fit in self._fits.items()}

    def bootstrap_estimates(self) -> dict[str, pd.DataFrame]:
        """The bootstrap coefficients of every equation (resamples x terms)."""
        return {eq: pd.DataFrame(b, columns=self._terms[eq]) for eq, b in self._boot.items()}

    def summary(self, digits: int = 3) -> str:
        """Plain-text report in the order PROCESS prints."""
        c = self.conventions
        lines = [f"PROCESS model {self.model}: X = {self.x}, Y = {self.y}, "
                 f"M = {', '.join(self.m)}" + (f", W = {self.w}" if self.w else ""),
                 f"n = {self.n}; controls: {', '.join(self.control_terms) or 'none'}",
                 f"bootstrap: {c['n_boot']} resamples, seed {c['seed']}, {c['ci']} "
                 f"{c['conf']:.0%} CI; path SEs: {c['path_covariance']}; "
                 f"centring: {c['centering']}", ""]
        fmt = {"float_format": lambda v: f"{v:.{digits}f}"}
        for eq in list(self.m) + [self.y]:
            mrow = self.models.set_index("outcome").loc[eq]
            lines.append(f"Outcome: {eq}  (R² = {mrow['r2']:.{digits}f}, F({int(mrow['df1'])}, "
                         f"{int(mrow['df2'])}) = {mrow['F']:.2f}, p = {mrow['p']:.4f})")
            tab = self.paths[self.paths["outcome"] == eq].drop(columns="outcome")
            lines.append(tab.to_string(index=False, **fmt))
            lines.append("")
        if self.total is not None:
            lines += ["Total effect of X on Y", self.total.to_string(index=False, **fmt), ""]
        lines += ["Direct effect of X on Y", self.direct.to_string(index=False, **fmt), ""]
        lines += ["Indirect effect(s) of X on Y", self.indirect.to_string(index=False, **fmt),
                  ""]
        if self.index_of_moderated_mediation is not None:
            lines += ["Index of moderated mediation",
                      self.index_of_moderated_mediation.to_string(index=False, **fmt), ""]
        if self.quadratic is not None:
            lines += ["Conditional indirect effect as a quadratic in W (model 58)",
                      self.quadratic.to_string(index=False, **fmt), ""]
        if self.sobel is not None:
            lines += ["Sobel test", self.sobel.to_string(index=False, **fmt), ""]
        if c["bootstrap_replaced"]:
            lines.append(f"{c['bootstrap_replaced']} bootstrap resamples replaced (singular).")
        return "\n".join(lines)

    def table(self, lang: str = "zh", which: str = "effects", labels=None,
              digits: int = 3) -> pd.DataFrame:
        """Display tables with zh/en headers and variable labels.

        ``which``: ``"effects"`` (total, direct and indirect effects, the table theses
        print after Bootstrap), ``"paths"`` (regression of every equation, b (SE) with stars,
        R², F), ``"conditional"`` (conditional indirect effects), ``"index"``, ``"sobel"``,
        ``"baron_kenny"``.
        """
        check_lang(lang)
        t = _TEXT[lang]
        name = lambda v: variable_label(v, lang, labels)  # noqa: E731

        def path_name(p: str) -> str:
            return " → ".join(name(v) for v in p.split(" -> "))

        if which == "effects":
            rows = []
            if self.total is not None:
                r = self.total.iloc[0]
                rows.append({t["path"]: t["total"], t["effect"]: r["effect"],
                             t["se"]: r["se"], t["llci"]: r["ci_low"],
                             t["ulci"]: r["ci_high"]})
            for _, r in self.direct.iterrows():
                lab = t["direct"] + (f" ({name(self.w)} = {r['w']:.{digits}f})"
                                     if "w" in r and np.isfinite(r["w"]) else "")
                rows.append({t["path"]: lab, t["effect"]: r["effect"], t["se"]: r["se"],
                             t["llci"]: r["ci_low"], t["ulci"]: r["ci_high"]})
            for _, r in self.indirect.iterrows():
                key = r["mediator"] if "mediator" in r else r["path"]
                lab = t["total_indirect"] if key == "total" else \
                    t["indirect"] + ": " + path_name(key if "mediator" not in r
                                                    else self._label(key.split(" -> ")))
                if "w" in r:
                    lab += f" ({name(self.w)} = {r['w']:.{digits}f})"
                rows.append({t["path"]: lab, t["effect"]: r["effect"], t["se"]: r["boot_se"],
                             t["llci"]: r["ci_low"], t["ulci"]: r["ci_high"]})
            if self.total is not None:
                tot = float(self.total["effect"].iloc[0])
                for row in rows:
                    row[t["share"]] = row[t["effect"]] / tot if tot != 0 else np.nan
            out = pd.DataFrame(rows)
            note = {"zh": "注：总效应和直接效应的标准误与置信区间来自 OLS t 检验；"
                          "间接效应为 Bootstrap {n} 次的{ci}置信区间。",
                    "en": "Note: SE and CI of the total and direct effects from the OLS t "
                          "test; indirect effects: {ci} bootstrap CI, {n} resamples."}[lang]
            ci_name = {"zh": {"percentile": "百分位", "bc": "偏差校正"},
                       "en": {"percentile": "percentile", "bc": "bias-corrected"}}[lang]
            out.attrs["note"] = note.format(n=self.conventions["n_boot"],
                                            ci=ci_name[self.conventions["ci"]])
            return out.round(digits)
        if which == "paths":
            cols = {}
            index = [self.x] + [v for v in self._all_terms() if v not in (self.x, "constant")] \
                + ["constant"]
            for eq in list(self.m) + [self.y]:
                tab = self.paths[self.paths["outcome"] == eq].set_index("term")
                cells = {}
                for term in index:
                    if term in tab.index:
                        r = tab.loc[term]
                        cells[term] = f"{r['b']:.{digits}f}{_stars(r['p'])} ({r['se']:.{digits}f})"
                    else:
                        cells[term] = ""
                mrow = self.models.set_index("outcome").loc[eq]
                cells[t["r2"]] = f"{mrow['r2']:.{digits}f}"
                cells[t["F"]] = f"{mrow['F']:.2f}{_stars(mrow['p'])}"
                cols[name(eq)] = cells
            out = pd.DataFrame(cols)
            out.index = [_term_label(i, lang, labels) for i in out.index]
            out.index.name = t["term"]
            return out
        if which == "conditional":
            tab = self.conditional_indirect()
            return tab.assign(mediator=tab["mediator"].map(path_name),
                              level=tab["level"].map(lambda s: t.get(_LEVEL_KEYS.get(s, ""), s))
                              ).rename(columns={k: t[k] if k in t else k for k in
                                                ["mediator", "w", "effect", "boot_se",
                                                 "ci_low", "ci_high"]} | {"level": t["level"]}
                                       ).round(digits)
        if which in ("index", "sobel", "baron_kenny"):
            tab = {"index": self.index_of_moderated_mediation, "sobel": self.sobel,
                   "baron_kenny": self.baron_kenny}[which]
            if tab is None:
                raise ParameterError(f"model {self.model} has no {which} table",
                                     hint="index: models 7, 8, 14; sobel and baron_kenny: "
                                          "model 4")
            tab = tab.copy()
            for col in ("mediator",):
                if col in tab:
                    tab[col] = tab[col].map(name)
            return tab.rename(columns={k: t.get(k, k) for k in tab.columns}).round(digits)
        raise ParameterError(f"unknown table {which!r}",
                             hint="use effects, paths, conditional, index, sobel or baron_kenny")

    def _all_terms(self) -> list[str]:
        seen = []
        for eq in list(self.m) + [self.y]:
            for term in self._terms[eq]:
                if term not in seen:
                    seen.append(term)
        return seen

    def report(self, lang: str = "zh", labels=None, digits: int = 3) -> list[str]:
        """One write-up sentence per effect, in the style of Chinese theses.

        Mediation (models 4, 6) follows 温忠麟 & 叶宝娟 (2014): the indirect effect is
        significant when its bootstrap CI excludes 0; then the direct effect decides between
        complete mediation (c' not significant), partial mediation (c' significant, same
        sign as ab; the share ab/c is reported) and a suppression effect (遮掩效应,
        opposite signs; |ab/c'| is reported).  Moderated models report the index of
        moderated mediation and the conditional indirect effects.
        """
        check_lang(lang)
        name = lambda v: variable_label(v, lang, labels)  # noqa: E731
        c = self.conventions
        level = f"{c['conf']:.0%}"
        ci_zh = "偏差校正的百分位" if c["ci"] == "bc" else "百分位"
        ci_en = "bias-corrected" if c["ci"] == "bc" else "percentile"
        f = lambda v: f"{v:.{digits}f}"  # noqa: E731
        out = []
        direct = self.direct.iloc[0]
        d_sig = direct["p"] < 1 - c["conf"]
        if self.w is None:
            for _, r in self.indirect.iterrows():
                if r["path"] == "total":
                    continue
                chain = r["path"].split(" -> ")[1:-1]
                sig = r["ci_low"] > 0 or r["ci_high"] < 0
                via = "、".join(name(v) for v in chain) if lang == "zh" else \
                    " and then ".join(name(v) for v in chain)
                if lang == "zh":
                    s = (f"采用 Bootstrap 法（重复抽样 {c['n_boot']} 次）检验中介效应："
                         f"{name(self.x)}经由{via}影响{name(self.y)}的间接效应为 {f(r['effect'])}，"
                         f"{level} {ci_zh}置信区间为 [{f(r['ci_low'])}, {f(r['ci_high'])}]，"
                         + ("不包含 0，间接效应显著" if sig else "包含 0，间接效应不显著"))
                else:
                    s = (f"Bootstrap ({c['n_boot']} resamples): the indirect effect of "
                         f"{name(self.x)} on {name(self.y)} through {via} is {f(r['effect'])}, "
                         f"{level} {ci_en} CI [{f(r['ci_low'])}, {f(r['ci_high'])}], which "
                         + ("excludes 0: the indirect effect is significant" if sig else
                            "includes 0: the indirect effect is not significant"))
                if sig and self.total is not None and len(self.indirect) == 1:
                    tot = float(self.total["effect"].iloc[0])
                    same = np.sign(direct["effect"]) == np.sign(r["effect"])
                    if not d_sig:
                        s += ("；控制中介变量后直接效应不显著（c' = {d}，{p}），为完全中介".format(
                            d=f(direct["effect"]), p=p_text(direct["p"], lang=lang)) if lang == "zh" else
                              f"; with the mediator controlled the direct effect is not "
                              f"significant (c' = {f(direct['effect'])}, {p_text(direct['p'], lang=lang)}): "
                              "complete mediation")
                    elif same:
                        share = r["effect"] / tot
                        s += (f"；直接效应仍显著（c' = {f(direct['effect'])}，{p_text(direct['p'], lang=lang)}），"
                              f"为部分中介，中介效应占总效应的比例为 {share:.1%}" if lang == "zh" else
                              "; the direct effect remains significant "
                              f"(c' = {f(direct['effect'])}, "
                              f"{p_text(direct['p'], lang=lang)}): partial mediation, the indirect effect is "
                              f"{share:.1%} of the total effect")
                    else:
                        ratio = abs(r["effect"] / direct["effect"])
                        s += (f"；直接效应显著且与间接效应符号相反（c' = {f(direct['effect'])}），"
                              f"为遮掩效应，|ab/c'| = {ratio:.1%}" if lang == "zh" else
                              f"; the direct effect is significant with the opposite sign "
                              f"(c' = {f(direct['effect'])}): a suppression effect, "
                              f"|ab/c'| = {ratio:.1%}")
                out.append(s + ("。" if lang == "zh" else "."))
            return out
        # moderated models
        W = name(self.w)
        if self.index_of_moderated_mediation is not None:
            for _, r in self.index_of_moderated_mediation.iterrows():
                sig = r["ci_low"] > 0 or r["ci_high"] < 0
                if lang == "zh":
                    out.append(f"{W}对“{name(self.x)}→{name(r['mediator'])}→{name(self.y)}”"
                               f"中介效应的调节：有调节的中介指数为 {f(r['index'])}，{level} "
                               f"Bootstrap 置信区间为 [{f(r['ci_low'])}, {f(r['ci_high'])}]，"
                               + ("不包含 0，有调节的中介效应成立。" if sig else
                                  "包含 0，有调节的中介效应不成立。"))
                else:
                    out.append(f"Moderation by {W} of the indirect effect {name(self.x)} → "
                               f"{name(r['mediator'])} → {name(self.y)}: index of moderated "
                               f"mediation {f(r['index'])}, {level} bootstrap CI "
                               f"[{f(r['ci_low'])}, {f(r['ci_high'])}], which "
                               + ("excludes 0: the mediation is moderated." if sig else
                                  "includes 0: no evidence that the mediation is moderated."))
        for _, r in self.indirect.iterrows():
            sig = r["ci_low"] > 0 or r["ci_high"] < 0
            lvl = _TEXT[lang].get(_LEVEL_KEYS.get(r["level"], ""), r["level"])
            if lang == "zh":
                out.append(f"当{W}取{lvl}（{f(r['w'])}）时，经由{name(r['mediator'])}的间接效应为 "
                           f"{f(r['effect'])}，{level} 置信区间为 [{f(r['ci_low'])}, "
                           f"{f(r['ci_high'])}]" + ("，显著。" if sig else "，不显著。"))
            else:
                out.append(f"At {lvl} {W} ({f(r['w'])}) the indirect effect through "
                           f"{name(r['mediator'])} is {f(r['effect'])}, {level} CI "
                           f"[{f(r['ci_low'])}, {f(r['ci_high'])}]"
                           + (", significant." if sig else ", not significant."))
        return out


def _term_label(term: str, lang: str, labels) -> str:
    if term == "constant":
        return _TEXT[lang]["constant"]
    if "[T." in term and term.endswith("]"):          # a dummy: "ownership[T.state]"
        var, level = term[:-1].split("[T.", 1)
        return f"{variable_label(var, lang, labels)}{'：' if lang == 'zh' else ': '}{level}"
    return " × ".join(variable_label(p, lang, labels) for p in term.split(":"))


# ----------------------------------------------------------------------------------------
# the entry point
# ----------------------------------------------------------------------------------------
def process(data: pd.DataFrame, model: int, x: str, y: str, m, w: str | None = None,
            z: str | None = None, controls: Sequence[str] = (), n_boot: int = 5000,
            seed: int | None = None, ci: str = "percentile", *, conf: float = 0.95,
            hc: str | int | None = None, center: bool = False,
            reference: Mapping[str, object] | None = None) -> ProcessResult:
    """Conditional process analysis (Hayes' PROCESS models 4, 6, 7, 8, 14, 58).

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    model : {4, 6, 7, 8, 14, 58}
        PROCESS model number (equations in the module docstring).
    x, y : str
        Antecedent and outcome columns (numeric).
    m : str or list of str
        Mediator(s): parallel in models 4, 7, 8, 14, 58; serial, in the given order, in 6.
    w : str, optional
        Moderator (models 7, 8, 14, 58).
    z : str, optional
        Second moderator: none of the supported models uses one; given, it is an error.
    controls : sequence of str
        Covariates entered in every equation; text/categorical ones become dummies.
    n_boot : int
        Bootstrap resamples (≥ 100; PROCESS default 5,000).
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`; None draws one and records it.
    ci : {"percentile", "bc"}
        Bootstrap CI: percentile or bias-corrected.
    conf : float
        Confidence level (0.95).
    hc : {None, "HC0", "HC1", "HC2", "HC3", "HC4"} or 0-4
        Covariance of the paths (PROCESS ``hc``); None = classical OLS.
    center : bool
        Mean-centre the variables that form products (PROCESS ``center=1``).
    reference : dict, optional
        Reference level of a categorical control, e.g. ``{"ownership": "state"}``.

    Returns
    -------
    ProcessResult

    Notes
    -----
    Paths: ``b = (X'X)^{-1} X'y`` per equation, ``t = b / se`` on ``n - p`` df.  Bootstrap:
    the same equations in ``n_boot`` case resamples, estimated together (module docstring).

    Examples
    --------
    >>> fit = process(d, 7, x="capability", y="financial", m="CP", w="ED", seed=1)
    ...                                                               # doctest: +SKIP
    >>> fit.index_of_moderated_mediation                              # doctest: +SKIP
    >>> fit.conditional_indirect(at=[-1, 0, 1])                       # doctest: +SKIP

    matches PROCESS for R (Hayes' ``process.R``) ``process(data = d, y = "financial", x =
    "capability", m = "CP", w = "ED", model = 7, boot = 5000, seed = 1)`` up to the
    Monte-Carlo error of the bootstrap (the paths exactly: ``lm()`` of each equation).
    """
    # ---- arguments ------------------------------------------------------------------
    if isinstance(model, bool) or model not in MODELS:
        raise ParameterError(f"PROCESS model {model!r} is not supported",
                             hint=f"use one of {', '.join(map(str, MODELS))}")
    if not isinstance(data, pd.DataFrame):
        raise InputDataError(f"data must be a pandas DataFrame, got {type(data).__name__}",
                             hint="read the table with crmstudy.datasets.read_table")
    mediators = _as_list(m, "m")
    controls = _as_list(controls, "controls")
    if not mediators:
        raise ParameterError("no mediator given", hint="name the mediator column(s) in m=")
    if model == 6 and len(mediators) < 2:
        raise ParameterError("model 6 (serial mediation) needs at least two mediators",
                             hint="give m=[first, second] in causal order, or use model 4")
    if model in _MODERATED and w is None:
        raise ParameterError(f"model {model} needs a moderator w", hint="name the column in w=")
    if model not in _MODERATED and w is not None:
        raise ParameterError(f"model {model} has no moderator, but w={w!r} was given",
                             hint="use model 7, 8, 14 or 58 for moderated mediation")
    if z is not None:
        raise ParameterError(f"model {model} has no second moderator, but z={z!r} was given",
                             hint="drop z (models with a second moderator are not supported)")
    roles = {"x": x, "y": y, "w": w}
    for role, name in roles.items():
        if name is not None and not isinstance(name, str):
            raise ParameterError(f"{role} must be a column name, got {name!r}")
    for mj in mediators:
        if mj == x or mj == y:
            raise ParameterError(f"mediator {mj!r} is also the {'x' if mj == x else 'y'} of "
                                 "the model", column=mj,
                                 hint="a mediator must be a third variable between x and y")
    if x == y:
        raise ParameterError(f"x and y are the same column {x!r}", column=x)
    if len(set(mediators)) < len(mediators):
        raise ParameterError(f"a mediator is listed twice in {mediators}")
    if w is not None and w in [x, y] + mediators:
        raise ParameterError(f"moderator {w!r} is also x, y or a mediator", column=w,
                             hint="a moderator must be a different variable")
    for cv in controls:
        if cv in [x, y, w] + mediators:
            raise ParameterError(f"control {cv!r} is also a variable of the model", column=cv,
                                 hint="drop it from controls")
    if isinstance(n_boot, bool) or int(n_boot) != n_boot or n_boot < 100:
        raise ParameterError(f"n_boot must be an integer of at least 100, got {n_boot!r}",
                             hint="use 5000 (PROCESS default) or more for a thesis")
    n_boot = int(n_boot)
    if ci not in CI_METHODS:
        raise ParameterError(f"unknown CI method {ci!r}", hint='use "percentile" or "bc"')
    if not 0 < conf < 1:
        raise ParameterError(f"conf must be in (0, 1), got {conf!r}")
    if hc is not None:
        hc = f"HC{hc}" if isinstance(hc, (int, np.integer)) and not isinstance(hc, bool) \
            else str(hc).upper()
        if hc not in HC_TYPES:
            raise ParameterError(f"unknown hc {hc!r}", hint=f"use None or one of {HC_TYPES}")

    # ---- data -----------------------------------------------------------------------
    core = [x] + mediators + ([w] if w else []) + [y]
    variables = core + controls
    for v in variables:
        if v not in data.columns:
            raise InputDataError(f"column {v!r} is not in the data", column=v,
                                 hint=f"use one of: {', '.join(map(str, data.columns))}")
    role_of = {x: "x", y: "y"} | {mj: "mediator" for mj in mediators} | ({w: "moderator"}
                                                                         if w else {})
    series = {v: data[v] for v in variables}     # each column looked up once (never changed)
    for v in core:
        _check_numeric(data, v, role_of[v], series[v])
    missing = {v: col.isna().to_numpy() for v, col in series.items()}
    incomplete = np.logical_or.reduce(list(missing.values()))
    if incomplete.any():
        detail = ", ".join(f"{v} ({int(m.sum())})" for v, m in missing.items() if m.any())
        warnings.warn(f"listwise deletion: {int(incomplete.sum())} of {len(data)} rows "
                      f"dropped for missing values in {detail}", DataQualityWarning,
                      stacklevel=2)
        series = {v: col[~incomplete] for v, col in series.items()}
    n = len(data) - int(incomplete.sum())
    if n == 0:
        raise InputDataError(f"no respondent has all of {', '.join(variables)}",
                             hint="check the columns' missing values (listwise deletion)")
    # the resamples are drawn in a second thread from here on, while the model is checked
    # and fitted (the draws need only n and the seed)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2 ** 63))
    draws, spare = _drawn_blocks(seed, n_boot, n)
    with draws:
        cols: dict[str, np.ndarray] = {v: series[v].to_numpy(dtype=float) for v in core}
        for v in variables:
            col = series[v]
            if (col.iloc[0] == col).all() if v not in cols and (
                    not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)) \
                    else np.ptp(cols[v] if v in cols else col.to_numpy(dtype=float)) == 0:
                raise InputDataError(f"column {v!r} is constant in the {n} complete rows",
                                     column=v, hint="drop it: a constant has no effect to estimate")
        w_data = cols[w] if w else None                 # before any centring
        control_terms: list[str] = []
        references = {}
        reference = dict(reference or {})
        for cv in controls:
            col = series[cv]
            if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
                cols[cv] = col.to_numpy(dtype=float)
                control_terms.append(cv)
                if cv in reference:
                    raise ParameterError(f"control {cv!r} is numeric; it has no reference level",
                                         column=cv)
            else:
                dum, ref = _dummies(col, cv, reference.get(cv))
                references[cv] = ref
                for name in dum.columns:
                    cols[name] = dum[name].to_numpy()
                    control_terms.append(name)

        # products and centring (PROCESS center=1: every variable that forms a product)
        product_of = {7: [(x, w)], 8: [(x, w)], 14: [(mj, w) for mj in mediators],
                      58: [(x, w)] + [(mj, w) for mj in mediators]}.get(model, [])
        shifts = {}
        if center:
            for pair in product_of:
                for v in pair:
                    shifts.setdefault(v, float(cols[v].mean()))
            for v, s in shifts.items():
                cols[v] = cols[v] - s
        for a, b in product_of:
            cols[f"{a}:{b}"] = cols[a] * cols[b]

        # ---- equations ------------------------------------------------------------------
        terms: dict[str, list[str]] = {}
        for j, mj in enumerate(mediators):
            t = ["constant", x]
            if model == 6:
                t += mediators[:j]
            if model in (7, 8, 58):
                t += [w, f"{x}:{w}"]
            terms[mj] = t + control_terms
        t = ["constant", x] + mediators
        if model in (8,):
            t += [w, f"{x}:{w}"]
        if model in (14, 58):
            t += [w] + [f"{mj}:{w}" for mj in mediators]
        terms[y] = t + control_terms
        cols["constant"] = np.ones(n)
        designs = {eq: (np.column_stack([cols[c] for c in t]), cols[eq]) for eq, t in terms.items()}
        p_max = max(X.shape[1] for X, _ in designs.values())
        if n < p_max + 2:
            raise ModelFitError(f"too few respondents: {n} complete rows for {p_max} parameters "
                                f"in the equation of {y}",
                                hint="collect more responses or enter fewer controls / dummy levels")
        for eq, (X, _) in designs.items():
            _check_rank(X, terms[eq], f"the equation of {eq} ({' + '.join(terms[eq][1:])})")

    # ---- OLS and bootstrap ----------------------------------------------------------
        coef, cov, fits = _fit_paths(designs, hc)
        total_fit = _total_effect(designs, y, len(control_terms), hc) if w is None else None
        boot, replaced = _bootstrap(designs, terms, n_boot, draws, spare)
    if replaced:
        rare = [c for c in control_terms
                if "[T." in c and min(cols[c].sum(), n - cols[c].sum()) < 5]
        warnings.warn(f"{replaced} of {n_boot} bootstrap resamples had a singular design and "
                      "were replaced by new draws, as PROCESS does"
                      + (f" (rare dummy levels: {', '.join(rare)})" if rare else ""),
                      DataQualityWarning, stacklevel=2)

    conventions = {
        "model": model, "n_boot": n_boot, "seed": seed, "ci": ci, "conf": conf,
        "bootstrap": "case resampling of respondents; resamples in blocks of 250, block k "
                     "drawn by numpy.random.default_rng(SeedSequence(seed).spawn(...)[k])",
        "bootstrap_se": "standard deviation of the bootstrap estimates (ddof = 1)",
        "bootstrap_replaced": replaced,
        "path_covariance": hc or "classical OLS",
        "path_tests": "t on the residual degrees of freedom of each equation",
        "centering": ("mean-centred: " + ", ".join(shifts)) if shifts else "none",
        "moderator_values": "mean and mean ± 1 SD (ddof = 1) unless at= is given; "
                            "reported in original units",
        "controls": "entered in every equation",
        "dummies": "treatment coding; reference: " + (", ".join(
            f"{k} = {v}" for k, v in references.items()) or "none"),
        "missing": "listwise deletion",
        "sobel": "first-order (Sobel 1982); model 4 only",
    }
    result = ProcessResult(
        model=model, x=x, y=y, m=tuple(mediators), w=w, controls=tuple(controls),
        control_terms=tuple(control_terms), n=n, conventions=conventions, _coef=coef,
        _boot=boot, _terms=terms, _w_data=w_data, _vcov=cov, _fits=fits, _total_fit=total_fit,
        _w_shift=shifts.get(w, 0.0) if w else 0.0)
    return result


def _fit_paths(designs, hc):
    """OLS of every equation: coefficients, their covariances, and the fit statistics."""
    coef, cov, fits = {}, {}, {}
    for eq, (X, yv) in designs.items():
        b, V, df, r2, F, mse = _ols(X, yv, hc)
        coef[eq], cov[eq] = b, V
        fits[eq] = {"df1": X.shape[1] - 1, "df2": df, "r2": r2, "F": F, "mse": mse}
    return coef, cov, fits


def _total_effect(designs, y: str, n_controls: int, hc) -> tuple[float, float, float]:
    """(c, se, df) of the total effect: Y on X (the design's second column) and the controls
    (its last ``n_controls`` columns)."""
    X, yv = designs[y]
    X = np.column_stack([np.ones(len(yv)), X[:, 1]] + ([X[:, -n_controls:]] if n_controls
                                                        else []))
    b, V, df, *_ = _ols(X, yv, hc)
    return float(b[1]), float(np.sqrt(V[1, 1])), df
