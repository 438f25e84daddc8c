"""Shared input checks and matrix helpers of the measurement modules (private)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputDataError, ParameterError

NAN_POLICIES = ("pairwise", "listwise")


def as_items(items, *, what: str = "items", min_items: int = 2, nan_policy: str = "pairwise",
             min_rows: int = 3) -> pd.DataFrame:
    """Validate a respondents x items table and return it as float (listwise if asked).

    Raises InputDataError naming the column for non-numeric or empty items, and for
    constant items (zero variance), which make correlations undefined.
    """
    from .prepare import PreparedSurvey

    if isinstance(items, PreparedSurvey):
        items = items.items
    if isinstance(items, np.ndarray):
        items = pd.DataFrame(items, columns=[f"item{j + 1}" for j in range(items.shape[1])])
    if not isinstance(items, pd.DataFrame):
        raise InputDataError(f"{what} must be a DataFrame (respondents x items), got "
                             f"{type(items).__name__}")
    if nan_policy not in NAN_POLICIES:
        raise ParameterError(f"nan_policy must be one of {NAN_POLICIES}, got {nan_policy!r}")
    if items.shape[1] < min_items:
        raise InputDataError(f"{what}: {items.shape[1]} item(s) given, at least {min_items} needed",
                             hint="pass the item columns of one construct (at least two)")
    if all(pd.api.types.is_numeric_dtype(t) for t in items.dtypes):
        frame = items.astype(float)   # nothing to coerce: one conversion (3x faster at 10^4 rows)
    else:
        frame = _coerce_numeric(items, what)
    if nan_policy == "listwise":
        frame = frame.dropna()
    answered = frame.notna().sum()
    empty = answered.index[(answered < 2).to_numpy()].tolist()
    if empty:
        raise InputDataError(f"{what}: item {empty[0]!r} has fewer than 2 answers"
                             + (" after listwise deletion" if nan_policy == "listwise" else ""),
                             column=empty[0], hint="drop the item or use nan_policy='pairwise'")
    if len(frame) < min_rows:
        raise InputDataError(f"{what}: only {len(frame)} respondent(s) with data "
                             f"({nan_policy}), at least {min_rows} needed")
    sd = frame.std()
    constant = sd.index[(sd.fillna(0) <= 0).to_numpy()].tolist()
    if constant:
        raise InputDataError(f"{what}: item(s) {constant} have zero variance (every respondent "
                             "gave the same answer), so correlations with them are undefined",
                             column=constant[0], hint="drop the constant item(s)")
    return frame


def _coerce_numeric(items: pd.DataFrame, what: str) -> pd.DataFrame:
    """Items as float; an answer that is not a number raises, naming its row and column."""
    frame = items.copy()
    for column in frame.columns:   # loop over items, not rows
        converted = pd.to_numeric(frame[column], errors="coerce")
        bad = frame[column].notna() & converted.isna()
        if bad.any():
            row = frame.index[np.flatnonzero(bad.to_numpy())[0]]
            raise InputDataError(f"{what}: non-numeric answer {frame.loc[row, column]!r}",
                                 row=row, column=column,
                                 hint="clean the answers with crmstudy.measurement.prepare first")
        frame[column] = converted.astype(float)
    return frame


def covariance(frame: pd.DataFrame) -> np.ndarray:
    """Covariance (N - 1), pairwise-complete like R's ``cov(x, use = "pairwise")``."""
    cov = frame.cov().to_numpy()
    if np.isnan(cov).any():
        i, j = np.argwhere(np.isnan(cov))[0]
        raise InputDataError(f"items {frame.columns[i]!r} and {frame.columns[j]!r} have fewer "
                             "than 2 respondents answering both", entry=(frame.columns[i], frame.columns[j]),
                             hint="drop one of the items")
    return cov


def correlation(frame: pd.DataFrame) -> np.ndarray:
    """Pearson correlations, pairwise-complete like R's ``cor(x, use = "pairwise")``."""
    corr = frame.corr().to_numpy()
    if np.isnan(corr).any():
        i, j = np.argwhere(np.isnan(corr))[0]
        raise InputDataError(f"items {frame.columns[i]!r} and {frame.columns[j]!r} have no "
                             "correlation (fewer than 2 respondents answering both, or no "
                             "variance among them)", entry=(frame.columns[i], frame.columns[j]),
                             hint="drop one of the items")
    return corr


def cov2cor(cov: np.ndarray) -> np.ndarray:
    """Correlation matrix of a covariance matrix (works on stacks ``(..., k, k)``)."""
    sd = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
    return cov / (sd[..., :, None] * sd[..., None, :])


def smc(corr: np.ndarray) -> np.ndarray:
    """Squared multiple correlations ``1 - 1 / diag(R^-1)`` (stacks allowed)."""
    inv = np.linalg.pinv(corr, hermitian=True)
    return 1 - 1 / np.diagonal(inv, axis1=-2, axis2=-1)


def one_factor_minres(corr: np.ndarray, *, tol: float = 1e-10, max_iter: int = 20000):
    """Loadings of a one-factor minres (= ULS) solution, for a stack of correlation matrices.

    Iterated principal-axis factoring converges to the minres solution: its fixed point
    ``R* λ = (λ'λ) λ`` (``R*`` = R with communalities ``λ²`` on the diagonal) is the
    stationarity condition of minimising the off-diagonal residuals (Harman 1976).  Each
    iteration takes a few power steps on the whole stack at once, so bootstrap replicates
    are solved together.

    Returns ``(loadings (..., k), converged (...))``.
    """
    corr = np.asarray(corr, dtype=float)
    squeeze = corr.ndim == 2
    stack = corr[None] if squeeze else corr
    k = stack.shape[-1]
    h2 = np.clip(smc(stack), 0.005, 1.0)
    vals, vecs = np.linalg.eigh(stack)
    vector = vecs[..., -1]
    vector *= np.sign(vector.sum(axis=-1, keepdims=True) + 1e-300)
    eye = np.eye(k, dtype=bool)
    converged = np.zeros(stack.shape[0], dtype=bool)
    loadings = np.zeros_like(h2)
    # Work on the unconverged matrices only; the working copy is compacted when a quarter of
    # it has converged (copying the stack every iteration would cost more than it saves).
    active = np.arange(stack.shape[0])
    sub, v, h = stack, vector, h2
    done = np.zeros(len(active), dtype=bool)
    for _ in range(max_iter):
        reduced = np.where(eye, h[:, :, None] * eye, sub)
        for _power in range(3):
            v = np.einsum("bij,bj->bi", reduced, v)
            v /= np.linalg.norm(v, axis=-1, keepdims=True)
        value = np.einsum("bi,bij,bj->b", v, reduced, v)
        new_loadings = v * np.sqrt(np.clip(value, 0, None))[:, None]
        new_h2 = new_loadings ** 2
        now = np.abs(new_h2 - h).max(axis=-1) < tol
        h = new_h2
        finished = now & ~done
        loadings[active[finished]] = new_loadings[finished]
        converged[active[finished]] = True
        done |= now
        if done.all():
            break
        if done.sum() >= 0.25 * len(done):
            keep = ~done
            active, sub, v, h = active[keep], sub[keep], v[keep], h[keep]
            done = np.zeros(len(active), dtype=bool)
    else:
        loadings[active[~done]] = new_loadings[~done]
    loadings = loadings * np.sign(loadings.sum(axis=-1, keepdims=True) + 1e-300)
    return (loadings[0], bool(converged[0])) if squeeze else (loadings, converged)
