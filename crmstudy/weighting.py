"""Combining subjective (AHP) and objective (entropy, CRITIC) weights (组合赋权).

Methods (``method=``), for a subjective vector ``a`` and an objective vector ``o`` over the
same indicators, each non-negative and summing to 1:

* ``"linear"``: ``w = alpha * a + (1 - alpha) * o`` (linear weighting, 线性加权; ``alpha`` is the
  share of the subjective weights, 0.5 by default);
* ``"multiplicative"``: ``w_j = a_j o_j / sum_k a_k o_k`` (乘法合成归一化);
* ``"mdi"``: minimum discrimination information, ``w_j = sqrt(a_j o_j) / sum_k sqrt(a_k o_k)``:
  the vector closest to both in the sense of minimising ``sum_j w_j ln(w_j/a_j) + w_j ln(w_j/o_j)``
  subject to ``sum w = 1`` (最小鉴别信息原理 / minimum relative entropy; Kullback 1959);
* ``"game_theory"``: game-theory combination (博弈论组合赋权): ``w = c_1 a + c_2 o`` with the
  coefficients that make the combination's deviation from each basic vector minimal, i.e.
  the first-order conditions of ``min || c_1 a + c_2 o - v ||_2`` for ``v = a`` and ``v = o``
  (a Nash compromise), ``[[a·a, a·o], [o·a, o·o]] c = [a·a, o·o]``, then
  ``c* = |c| / sum |c|``.

References
----------
Kullback, S. (1959). *Information Theory and Statistics*. Wiley.
The game-theory combination is the standard form of the Chinese evaluation literature, e.g. as
presented in textbooks of comprehensive evaluation (综合评价) since the 2000s.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataQualityWarning, ParameterError, WeightsError

__all__ = ["combine", "combine_draws", "as_weights", "CombinedWeights", "COMBINATION_METHODS",
           "SUM_TOLERANCE"]

COMBINATION_METHODS = ("linear", "multiplicative", "mdi", "game_theory")

#: Tolerance on the sum of a weight vector given to :func:`combine`: weights typed from a
#: paper with four or six decimals sum to 0.999 or 1.001; within 0.5 % of 1 they are
#: renormalised (with a warning), beyond it they are rejected.
SUM_TOLERANCE = 0.005


def as_weights(weights: Any, *, what: str = "weights", atol: float = 1e-6,
               labels=None) -> pd.Series:
    """Validate a weight vector: a Series (or any result with a ``.weights`` Series, or a
    mapping), finite, non-negative, summing to 1 within ``atol``.

    Raises
    ------
    WeightsError
        Naming the offending label (NaN, negative) or the sum, with what to do.
    """
    if hasattr(weights, "weights") and not isinstance(weights, (pd.Series, dict)):
        weights = weights.weights
    if isinstance(weights, dict):
        weights = pd.Series(weights, dtype=float)
    if not isinstance(weights, pd.Series):
        arr = np.asarray(weights, dtype=float).ravel()
        weights = pd.Series(arr, index=labels if labels is not None else
                            [f"C{j + 1}" for j in range(arr.size)])
    w = pd.to_numeric(weights, errors="coerce").astype(float)
    w.index = [str(i) for i in w.index]
    if w.index.duplicated().any():
        dup = w.index[w.index.duplicated()][0]
        raise WeightsError(f"{what}: label {dup!r} appears twice", entry=dup,
                           hint="give one weight per indicator")
    bad = ~np.isfinite(w.to_numpy())
    if bad.any():
        lab = w.index[int(np.argmax(bad))]
        raise WeightsError(f"{what}: weight of {lab} is {weights.iloc[int(np.argmax(bad))]!r}",
                           entry=lab, hint="every weight must be a finite number")
    neg = w < 0
    if neg.any():
        lab = w.index[int(np.argmax(neg.to_numpy()))]
        raise WeightsError(f"{what}: weight of {lab} is negative ({w[lab]:g})", entry=lab,
                           hint="weights are non-negative")
    if abs(w.sum() - 1.0) > atol:
        raise WeightsError(f"{what}: weights sum to {w.sum():.6g}, not 1",
                           hint="normalise them (w / w.sum()) or check for a missing indicator")
    return w


@dataclass(frozen=True)
class CombinedWeights:
    """Combined weights: ``weights`` and a ``table`` with the subjective, objective and
    combined vector; ``coefficients`` are the weights given to the two vectors
    (``alpha, 1 - alpha`` for linear, the normalised game-theory coefficients, NaN otherwise)."""

    weights: pd.Series
    subjective: pd.Series
    objective: pd.Series
    method: str
    alpha: float | None
    coefficients: tuple = field(default=(np.nan, np.nan))
    conventions: dict = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"indicator": self.weights.index,
                             "subjective": self.subjective.to_numpy(),
                             "objective": self.objective.to_numpy(),
                             "combined": self.weights.to_numpy(),
                             "rank": self.weights.rank(ascending=False, method="min")
                             .astype(int).to_numpy()})

    def summary(self) -> str:
        extra = (f", alpha={self.alpha}" if self.method == "linear" else
                 f", coefficients=({self.coefficients[0]:.4f}, {self.coefficients[1]:.4f})"
                 if self.method == "game_theory" else "")
        return (f"Combined weights (method={self.method}{extra})\n"
                + self.table.to_string(index=False, float_format=lambda x: f"{x:.4f}"))


def combine(subjective: Any, objective: Any, method: str = "linear",
            alpha: float = 0.5) -> CombinedWeights:
    """Combine a subjective and an objective weight vector.

    Parameters
    ----------
    subjective, objective : Series, mapping, or a result with ``.weights``
        E.g. ``ahp.hierarchy_weights(...)`` and ``entropy.entropy_weights(...)``.  Same labels
        (order may differ; the subjective order is kept), each summing to 1.  A sum within
        ``SUM_TOLERANCE`` (0.5 %) of 1 - weights typed from a paper with four or six
        decimals - is renormalised to 1 with a :class:`~crmstudy.errors.DataQualityWarning`
        and recorded in ``conventions["renormalised"]``; a sum further from 1 is an error.
    method : {"linear", "multiplicative", "mdi", "game_theory"}
        See the module docstring.
    alpha : float in [0, 1]
        Share of the subjective weights for ``"linear"`` (ignored otherwise).

    Returns
    -------
    CombinedWeights

    Raises
    ------
    WeightsError
        Labels that differ (named), NaN/negative weights, or weights whose sum is more than
        0.5 % away from 1.

    Warns
    -----
    DataQualityWarning
        When a vector's sum was within the tolerance but not 1 and was renormalised.
    """
    if method not in COMBINATION_METHODS:
        raise ParameterError(f"unknown combination method {method!r}",
                             hint=f"use one of {', '.join(COMBINATION_METHODS)}")
    renormalised: dict[str, float] = {}
    a = _tolerant_weights(subjective, "subjective", renormalised)
    o = _tolerant_weights(objective, "objective", renormalised)
    only_a = [x for x in a.index if x not in o.index]
    only_o = [x for x in o.index if x not in a.index]
    if only_a or only_o:
        lab = (only_a or only_o)[0]
        side = "subjective" if only_a else "objective"
        raise WeightsError(f"indicator {lab!r} has a {side} weight but no "
                           f"{'objective' if only_a else 'subjective'} weight", entry=lab,
                           hint="weight the same indicators with both methods")
    o = o.reindex(a.index)
    va, vo = a.to_numpy(), o.to_numpy()
    coef = (np.nan, np.nan)
    if method == "linear":
        if not (0.0 <= alpha <= 1.0):
            raise ParameterError(f"alpha = {alpha} is outside [0, 1]",
                                 hint="alpha is the share of the subjective weights")
        w = alpha * va + (1 - alpha) * vo
        coef = (alpha, 1 - alpha)
    elif method == "multiplicative":
        w = va * vo
    elif method == "mdi":
        w = np.sqrt(va * vo)
    else:
        gram = np.array([[va @ va, va @ vo], [vo @ va, vo @ vo]])
        rhs = np.array([va @ va, vo @ vo])
        try:
            c = np.linalg.solve(gram, rhs)
        except np.linalg.LinAlgError:  # identical vectors: any split gives the same result
            c = np.array([0.5, 0.5])
        if not np.isfinite(c).all() or np.abs(c).sum() == 0 or np.linalg.cond(gram) > 1e12:
            c = np.array([0.5, 0.5])
        c = np.abs(c) / np.abs(c).sum()
        coef = (float(c[0]), float(c[1]))
        w = c[0] * va + c[1] * vo
    if w.sum() <= 0:
        raise WeightsError(f"the {method} combination is zero for every indicator (the two "
                           "vectors have no indicator with positive weight in common)",
                           hint='use method="linear"')
    w = w / w.sum()
    idx = pd.Index(a.index, name="indicator")
    conventions = {"method": method,
                   "sum_tolerance": f"input sums within {SUM_TOLERANCE:.1%} of 1 are "
                                    "renormalised to 1 (w / w.sum()); beyond it, an error",
                   "renormalised": renormalised}
    return CombinedWeights(weights=pd.Series(w, index=idx, name="weight"),
                           subjective=a.rename("subjective").set_axis(idx),
                           objective=o.rename("objective").set_axis(idx), method=method,
                           alpha=alpha if method == "linear" else None, coefficients=coef,
                           conventions=conventions)


def _tolerant_weights(weights: Any, side: str, renormalised: dict) -> pd.Series:
    """``as_weights`` accepting a sum within ``SUM_TOLERANCE`` of 1, renormalised with a
    warning; the sum as given is recorded in ``renormalised[side]``."""
    w = as_weights(weights, what=f"{side} weights", atol=np.inf)  # labels, NaN, negatives
    total = float(w.sum())
    if abs(total - 1.0) <= 1e-9:  # floating-point rounding of an exact vector: silent
        return w
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise WeightsError(f"{side} weights: weights sum to {total:.6g}, not 1 (more than "
                           f"{SUM_TOLERANCE:.1%} away)",
                           hint="normalise them (w / w.sum()) or check for a missing indicator")
    warnings.warn(f"{side} weights sum to {total:.6g}; renormalised to 1 (sums within "
                  f"{SUM_TOLERANCE:.1%} of 1 are taken as rounding)", DataQualityWarning,
                  stacklevel=3)
    renormalised[side] = total
    return w / total


def combine_draws(subjective_draws: pd.DataFrame, objective: Any, method: str = "linear",
                  alpha: float = 0.5) -> pd.DataFrame:
    """:func:`combine` applied to every row of ``subjective_draws`` at once (vectorised).

    Used to carry the Monte-Carlo draws of the AHP weights (:func:`crmstudy.ahp.monte_carlo`)
    through the combination with fixed objective weights.  Each row must sum to 1.
    """
    if method not in COMBINATION_METHODS:
        raise ParameterError(f"unknown combination method {method!r}",
                             hint=f"use one of {', '.join(COMBINATION_METHODS)}")
    o = as_weights(objective, what="objective weights")
    cols = [str(c) for c in subjective_draws.columns]
    missing = [c for c in cols if c not in o.index]
    if missing or len(cols) != len(o):
        lab = (missing or sorted(set(o.index) - set(cols)))[0]
        raise WeightsError(f"indicator {lab!r} is not in both weight sets", entry=lab,
                           hint="weight the same indicators with both methods")
    A = subjective_draws.to_numpy(dtype=float)
    if not np.allclose(A.sum(axis=1), 1.0, atol=1e-6) or (A < 0).any():
        raise WeightsError("every row of the subjective draws must be non-negative and sum to 1")
    vo = o.reindex(cols).to_numpy()
    if method == "linear":
        if not (0.0 <= alpha <= 1.0):
            raise ParameterError(f"alpha = {alpha} is outside [0, 1]")
        W = alpha * A + (1 - alpha) * vo
    elif method == "multiplicative":
        W = A * vo
    elif method == "mdi":
        W = np.sqrt(A * vo)
    else:
        aa, ao, oo = (A * A).sum(1), A @ vo, vo @ vo
        det = aa * oo - ao * ao
        safe = np.abs(det) > 1e-12 * np.maximum(aa * oo, 1e-300)
        c1 = np.where(safe, (aa * oo - ao * oo) / np.where(safe, det, 1.0), 0.5)
        c2 = np.where(safe, (aa * oo - ao * aa) / np.where(safe, det, 1.0), 0.5)
        s = np.abs(c1) + np.abs(c2)
        W = (np.abs(c1) / s)[:, None] * A + (np.abs(c2) / s)[:, None] * vo
    W = W / W.sum(axis=1, keepdims=True)
    return pd.DataFrame(W, index=subjective_draws.index, columns=cols)
