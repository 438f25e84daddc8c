"""Objective (data-based) weights: the entropy weight method (熵权法) and CRITIC.

Entropy weight method, the textbook form of this literature
-----------------------------------------------------------
For m alternatives (firms, rows) and indicators j (columns):

1. standardise each column (``normalisation="minmax"``, default)
   benefit ``x'_ij = (x_ij - min_j) / (max_j - min_j)``, cost ``x'_ij = (max_j - x_ij) / (max_j - min_j)``;
2. shares ``p_ij = x'_ij / sum_i x'_ij``;
3. entropy ``e_j = -(1 / ln m) sum_i p_ij ln p_ij`` with ``0 ln 0 = 0``;
4. divergence ``d_j = 1 - e_j``; weight ``w_j = d_j / sum_k d_k``.

A constant column carries no information: it gets ``e_j = 1``, ``d_j = 0`` and weight 0
(with a :class:`~crmstudy.errors.DataQualityWarning`), never NaN.

Other normalisations peers use, selectable by name and recorded in the result:

* ``"sum"``: ``p_ij = x_ij / sum_i x_ij`` directly on the raw (positive) data, cost columns
  through ``1 / x`` first (pyDecision ``entropy_method``; pymcdm 1.4 ``entropy_weights`` uses the
  same shares for benefit columns and refuses data with a zero, so it cannot take min-max
  standardised data; scikit-criteria's ``entropy_weights`` on min-max data equals the default);
* ``"shifted_minmax"``: min-max standardisation plus a small shift (``shift``, default
  0.0001; many studies use 0.01) so that no share is exactly 0 (平移).

CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995)
--------------------------------------------------
Min-max standardise with directions, ``C_j = s_j * sum_k (1 - r_jk)`` with ``s_j`` the sample
standard deviation (ddof = 1) of column j and ``r`` the Pearson correlation matrix;
``w_j = C_j / sum C``.  A constant column has ``C_j = 0``.

Missing values: the methods need complete rows.  By default a missing value raises an
:class:`~crmstudy.errors.InputDataError` naming the row and column; ``dropna=True`` drops
incomplete rows (listed in the result's ``dropped_rows``, with a warning).

References
----------
Shannon, C. E. (1948). A mathematical theory of communication.  Zeleny, M. (1982). *Multiple
Criteria Decision Making*, ch. 7 (entropy weights).  Diakoulaki, D., Mavrotas, G. &
Papayannakis, L. (1995). Determining objective weights in multiple criteria problems: the
CRITIC method. *Computers & Operations Research* 22(7), 763-770.

Examples
--------
>>> import pandas as pd
>>> from crmstudy.entropy import entropy_weights
>>> X = pd.DataFrame({"A11": [5, 6, 7, 3], "A12": [4, 4, 5, 4], "A13": [2, 6, 5, 7]})
>>> entropy_weights(X).weights.round(4).tolist()
[0.1611, 0.6861, 0.1528]
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .errors import DataQualityWarning, InputDataError, ParameterError

__all__ = ["entropy_weights", "critic_weights", "standardise", "EntropyResult", "CriticResult",
           "NORMALISATIONS", "decision_matrix"]

NORMALISATIONS = ("minmax", "sum", "shifted_minmax")


def decision_matrix(X: Any, directions: Mapping[str, str] | None = None, *,
                    dropna: bool = False, min_rows: int = 2, what: str = "indicator matrix"
                    ) -> tuple[pd.DataFrame, pd.Series, list]:
    """Validate a decision matrix (rows = alternatives, columns = indicators).

    Returns a float copy, the direction of every column (``"benefit"`` unless ``directions``
    says ``"cost"``) and the labels of dropped incomplete rows.  Shared by the weighting and
    evaluation methods so that they fail the same way.
    """
    if isinstance(X, pd.DataFrame):
        frame = X.copy()
    else:
        arr = np.asarray(X, dtype=object)
        if arr.ndim != 2:
            raise InputDataError(f"{what}: expected a 2-D table (rows = alternatives), "
                                 f"got {arr.ndim} dimension(s)",
                                 hint="pass a DataFrame with one column per indicator")
        frame = pd.DataFrame(arr, columns=[f"C{j + 1}" for j in range(arr.shape[1])])
    frame.columns = [str(c) for c in frame.columns]
    if frame.columns.duplicated().any():
        dup = frame.columns[frame.columns.duplicated()][0]
        raise InputDataError(f"{what}: column {dup!r} appears twice", column=dup,
                             hint="give every indicator a unique column name")
    if frame.shape[1] == 0:
        raise InputDataError(f"{what}: no indicator columns", hint="pass at least one column")
    values = {}
    for col in frame.columns:  # column-wise conversion (vectorised within a column)
        s = frame[col]
        if s.dtype == bool or not (pd.api.types.is_numeric_dtype(s) or s.dtype == object
                                   or pd.api.types.is_string_dtype(s)):
            bad = s.index[0]
            raise InputDataError(f"{what}: column is of type {s.dtype}, not numeric", row=bad,
                                 column=col, hint="indicator scores must be numbers")
        num = pd.to_numeric(s, errors="coerce")
        text_bad = num.isna() & s.notna()
        if text_bad.any():
            row = text_bad.idxmax()
            raise InputDataError(f"{what}: value {s[row]!r} is not a number", row=row, column=col,
                                 hint="clean the cell (crmstudy.measurement.prepare recodes "
                                      "missing codes and text answers)")
        values[col] = num.astype(float)
    data = pd.DataFrame(values, index=frame.index)
    if not np.isfinite(data.fillna(0).to_numpy()).all():
        r, c = np.argwhere(~np.isfinite(data.fillna(0).to_numpy()))[0]
        raise InputDataError(f"{what}: infinite value", row=data.index[r], column=data.columns[c],
                             hint="replace infinite values")
    dropped: list = []
    na = data.isna()
    if na.to_numpy().any():
        if not dropna:
            r, c = np.argwhere(na.to_numpy())[0]
            n_rows = int(na.any(axis=1).sum())
            raise InputDataError(
                f"{what}: missing value ({n_rows} incomplete row(s) in all)", row=data.index[r],
                column=data.columns[c],
                hint="impute first (e.g. measurement.prepare(..., missing='person_mean')) or pass "
                     "dropna=True to drop incomplete rows")
        dropped = data.index[na.any(axis=1)].tolist()
        data = data.dropna()
        warnings.warn(f"{what}: dropped {len(dropped)} incomplete row(s): "
                      f"{', '.join(map(str, dropped[:10]))}{' ...' if len(dropped) > 10 else ''}",
                      DataQualityWarning, stacklevel=3)
    if len(data) < min_rows:
        raise InputDataError(f"{what}: {len(data)} complete row(s); at least {min_rows} "
                             "alternatives are needed", hint="add alternatives (rows)")
    dirs = pd.Series("benefit", index=data.columns, name="direction", dtype=object)
    if directions is not None:
        unknown = [k for k in directions if k not in data.columns]
        if unknown:
            raise ParameterError(f"directions name column(s) not in the data: {', '.join(map(str, unknown))}",
                                 column=unknown[0], hint=f"use columns of {what}")
        for k, v in directions.items():
            if v not in ("benefit", "cost"):
                raise ParameterError(f"direction {v!r} of column {k}", column=k,
                                     hint='use "benefit" (higher is better) or "cost"')
            dirs[k] = v
    return data, dirs, dropped


def standardise(X: pd.DataFrame, directions: pd.Series, method: str = "minmax") -> pd.DataFrame:
    """Min-max standardisation with directions (benefit up, cost down); constant columns -> NaN."""
    lo, hi = X.min(), X.max()
    span = (hi - lo).where(hi > lo)
    up = (X - lo) / span
    cost = directions.reindex(X.columns).eq("cost").to_numpy()
    return pd.DataFrame(np.where(cost[None, :], ((hi - X) / span).to_numpy(), up.to_numpy()),
                        index=X.index, columns=X.columns)


@dataclass(frozen=True)
class EntropyResult:
    """The whole entropy-weight calculation.

    Attributes
    ----------
    weights : Series
        ``w_j`` (sums to 1).
    entropy, divergence : Series
        ``e_j`` and ``d_j = 1 - e_j``.
    standardised : DataFrame
        ``x'_ij`` (after the normalisation; NaN in constant columns).
    shares : DataFrame
        ``p_ij``.
    table : DataFrame
        ``indicator, direction, entropy, divergence, weight, rank``.
    """

    weights: pd.Series
    entropy: pd.Series
    divergence: pd.Series
    standardised: pd.DataFrame = field(repr=False)
    shares: pd.DataFrame = field(repr=False)
    directions: pd.Series = field(repr=False)
    normalisation: str = "minmax"
    shift: float = 0.0
    n_alternatives: int = 0
    constant_columns: tuple = ()
    dropped_rows: tuple = ()

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"indicator": self.weights.index, "direction": self.directions.to_numpy(),
                             "entropy": self.entropy.to_numpy(), "divergence": self.divergence.to_numpy(),
                             "weight": self.weights.to_numpy(),
                             "rank": self.weights.rank(ascending=False, method="min").astype(int).to_numpy()})

    def summary(self) -> str:
        head = (f"Entropy weights (normalisation={self.normalisation}"
                + (f", shift={self.shift}" if self.normalisation == "shifted_minmax" else "")
                + f", m={self.n_alternatives} alternatives, 0·ln 0 = 0)")
        extra = []
        if self.constant_columns:
            extra.append(f"constant columns (weight 0): {', '.join(self.constant_columns)}")
        if self.dropped_rows:
            extra.append(f"dropped incomplete rows: {len(self.dropped_rows)}")
        return "\n".join([head, self.table.to_string(index=False, float_format=lambda x: f"{x:.4f}")]
                         + extra)


def entropy_weights(X: Any, directions: Mapping[str, str] | None = None, *,
                    normalisation: str = "minmax", shift: float = 1e-4,
                    dropna: bool = False) -> EntropyResult:
    """Entropy weights of the columns of a decision matrix.

    Parameters
    ----------
    X : DataFrame or 2-D array
        Rows = alternatives (firms), columns = indicators; numeric.  Not modified.
    directions : mapping column -> "benefit" | "cost", optional
        Benefit (higher is better) by default; e.g. ``system.directions()``.
    normalisation : {"minmax", "sum", "shifted_minmax"}
        See the module docstring; default is the textbook min-max form.
    shift : float
        Added after min-max standardisation for ``"shifted_minmax"``.
    dropna : bool
        Drop incomplete rows instead of raising.

    Returns
    -------
    EntropyResult

    Raises
    ------
    InputDataError
        Fewer than 2 complete rows, a non-numeric cell or a missing value (row and column
        named), negative or zero data with ``normalisation="sum"``.

    Examples
    --------
    Matches ``pymcdm.weights.entropy_weights`` and ``pyDecision.entropy_method`` with
    ``normalisation="sum"`` on strictly positive data (see tests/reference/weighting).
    """
    if normalisation not in NORMALISATIONS:
        raise ParameterError(f"unknown normalisation {normalisation!r}",
                             hint=f"use one of {', '.join(NORMALISATIONS)}")
    data, dirs, dropped = decision_matrix(X, directions, dropna=dropna)
    m = len(data)
    constant = tuple(c for c in data.columns if data[c].max() == data[c].min())
    if normalisation == "sum":
        bad = data <= 0
        if bad.to_numpy().any():
            r, c = np.argwhere(bad.to_numpy())[0]
            raise InputDataError(f"value {data.iat[r, c]:g} is not positive; the sum normalisation "
                                 "needs positive data", row=data.index[r], column=data.columns[c],
                                 hint='use normalisation="minmax" (the textbook default)')
        cost = dirs.eq("cost").to_numpy()
        std = pd.DataFrame(np.where(cost[None, :], 1.0 / data.to_numpy(), data.to_numpy()),
                           index=data.index, columns=data.columns)
    else:
        std = standardise(data, dirs)
        if normalisation == "shifted_minmax":
            std = std + shift
    total = std.sum()
    shares = std / total.where(total > 0)
    p = shares.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)  # 0·ln 0 = 0
    e = -plogp.sum(0) / np.log(m)
    info = np.isfinite(p).all(0) & ~np.isin(data.columns, constant)
    e = np.where(info, e, 1.0)  # a constant column: no information
    d = 1.0 - e
    if d.sum() <= 0:
        raise InputDataError("every indicator is constant across the alternatives; entropy "
                             "weights are undefined", hint="check the data")
    if constant:
        warnings.warn(f"constant column(s) {', '.join(constant)} carry no information and get "
                      "entropy weight 0", DataQualityWarning, stacklevel=2)
    idx = pd.Index(data.columns, name="indicator")
    return EntropyResult(
        weights=pd.Series(d / d.sum(), index=idx, name="weight"),
        entropy=pd.Series(e, index=idx, name="entropy"),
        divergence=pd.Series(d, index=idx, name="divergence"),
        standardised=std, shares=shares, directions=dirs, normalisation=normalisation,
        shift=shift if normalisation == "shifted_minmax" else 0.0, n_alternatives=m,
        constant_columns=constant, dropped_rows=tuple(dropped))


@dataclass(frozen=True)
class CriticResult:
    """CRITIC weights: ``weights``, ``sd`` (contrast), ``conflict`` ``sum_k (1 - r_jk)``,
    ``information`` ``C_j``, ``correlation`` matrix and the standardised data."""

    weights: pd.Series
    sd: pd.Series
    conflict: pd.Series
    information: pd.Series
    correlation: pd.DataFrame = field(repr=False)
    standardised: pd.DataFrame = field(repr=False)
    directions: pd.Series = field(repr=False)
    n_alternatives: int = 0
    constant_columns: tuple = ()
    dropped_rows: tuple = ()

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"indicator": self.weights.index, "direction": self.directions.to_numpy(),
                             "sd": self.sd.to_numpy(), "conflict": self.conflict.to_numpy(),
                             "information": self.information.to_numpy(),
                             "weight": self.weights.to_numpy()})

    def summary(self) -> str:
        return ("CRITIC weights (min-max standardisation, sample sd ddof=1, Pearson r)\n"
                + self.table.to_string(index=False, float_format=lambda x: f"{x:.4f}"))


def critic_weights(X: Any, directions: Mapping[str, str] | None = None, *,
                   dropna: bool = False) -> CriticResult:
    """CRITIC weights (Diakoulaki et al. 1995): contrast intensity times conflict.

    ``C_j = s_j * sum_k (1 - r_jk)`` on min-max standardised data; ``w = C / sum C``.
    Correlations with a constant column are taken as 0 (its ``C_j`` is 0 anyway).
    Matches ``pymcdm.weights.critic_weights`` (benefit data) and ``pyDecision.critic_method``.
    """
    data, dirs, dropped = decision_matrix(X, directions, dropna=dropna)
    constant = tuple(c for c in data.columns if data[c].max() == data[c].min())
    std = standardise(data, dirs)
    filled = std.fillna(0.0)
    sd = filled.std(ddof=1)
    corr = filled.corr().fillna(0.0)
    conflict = (1.0 - corr).sum()
    info = sd * conflict
    if info.sum() <= 0:
        raise InputDataError("every indicator is constant; CRITIC weights are undefined",
                             hint="check the data")
    if constant:
        warnings.warn(f"constant column(s) {', '.join(constant)} get CRITIC weight 0",
                      DataQualityWarning, stacklevel=2)
    idx = pd.Index(data.columns, name="indicator")
    return CriticResult(weights=pd.Series((info / info.sum()).to_numpy(), index=idx, name="weight"),
                        sd=sd.rename("sd"), conflict=conflict.rename("conflict"),
                        information=info.rename("information"), correlation=corr,
                        standardised=std, directions=dirs, n_alternatives=len(data),
                        constant_columns=constant, dropped_rows=tuple(dropped))
