"""Discrete-time repeat transactions: the beta-geometric/beta-binomial (BG/BB) model.

When transactions can only happen at fixed occasions (a yearly donation drive, a conference, a
monthly box, a weekly class), a customer's history is a string of 0/1 per occasion, and its
sufficient statistics are the frequency ``x`` (occasions with a transaction), the recency
``t_x`` (the last such occasion) and the number of occasions ``n``.  Many customers share a
pattern, so the data are a small table of ``(x, t_x, n)`` with the number of customers per
pattern (``weight``): the 11,104 donors of Fader, Hardie & Shang (2010) make 22 rows.

References
----------
Fader, P. S., Hardie, B. G. S., & Shang, J. (2010). Customer-base analysis in a discrete-time
noncontractual setting. Marketing Science, 29(6), 1086-1108.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from ..errors import InputDataError, ModelFitError, ParameterError
from .btyd import _maximise
from .clv import _group_rows

__all__ = ["BetaGeoBetaBinom"]


def _rf_table(table, frequency="frequency", recency="recency", n_periods="n_periods",
              weight="weight", what="BetaGeoBetaBinom"):
    """Validate a recency/frequency table; return x, t_x, n, w (w = 1 without a weight column)."""
    if not isinstance(table, pd.DataFrame):
        raise InputDataError(f"{what} needs a DataFrame with columns {frequency}, {recency}, {n_periods}, "
                             f"got {type(table).__name__}")
    if len(table) == 0:
        raise InputDataError("the recency/frequency table is empty",
                             hint="one row per customer, or per pattern with a weight column")
    cols = [frequency, recency, n_periods] + ([weight] if weight in table.columns else [])
    out = []
    for col in cols:
        if col not in table.columns:
            raise InputDataError(f"column {col!r} is missing", column=col,
                                 hint=f"the table needs columns {frequency}, {recency}, {n_periods} "
                                      f"and optionally {weight}")
        v = pd.to_numeric(table[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(v) | (v < 0) | (np.floor(v) != v)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputDataError(f"value {table[col].iloc[i]!r} is missing, negative or not a whole number",
                                 row=table.index[i], column=col,
                                 hint="counts of transaction occasions (and of customers) are whole numbers >= 0")
        out.append(v)
    x, tx, n = out[:3]
    w = out[3] if len(out) == 4 else np.ones_like(x)
    bad = (tx > n) | (x > tx) | ((x == 0) & (tx > 0)) | ((x > 0) & (tx == 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputDataError(f"frequency {x[i]:g}, recency {tx[i]:g} and n_periods {n[i]:g} are incompatible: "
                             "need frequency <= recency <= n_periods, and recency 0 exactly when frequency is 0",
                             row=table.index[i], column=recency,
                             hint="recency is the last occasion with a transaction (1..n), frequency the "
                                  "number of occasions with one")
    return x, tx, n, w


@dataclass
class BetaGeoBetaBinom:
    """BG/BB model (Fader, Hardie & Shang 2010), fitted by maximum likelihood.

    While alive a customer transacts at each occasion with probability p ~ Beta(α, β); before
    each occasion after the first she dies with probability θ ~ Beta(γ, δ).  For frequency
    ``x``, recency ``t_x`` and ``n`` occasions (FHS 2010, eq. 5):

    ``L = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
    + Σ_{i=0}^{n−t_x−1} B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ)``,

    computed for all rows at once (a rows × occasions array) on the distinct patterns, with
    weights; the gradient is a central difference of that log-likelihood.

    Attributes (after :meth:`fit`)
    ------------------------------
    params_ : dict with keys ``alpha``, ``beta``, ``gamma``, ``delta``
    se_, log_likelihood_, n_customers_

    Examples
    --------
    The donation data of FHS (2010): 11,104 first-time donors of 1995, 6 occasions (1996-2001);
    published α = 1.204, β = 0.750, γ = 0.657, δ = 2.783, LL = −33,225.6.

    >>> from crmstudy import datasets
    >>> from crmstudy.customer_value import BetaGeoBetaBinom
    >>> m = BetaGeoBetaBinom().fit(datasets.load("donations"))
    >>> {k: round(v, 3) for k, v in m.params_.items()}, round(m.log_likelihood_, 1)
    ({'alpha': 1.204, 'beta': 0.75, 'gamma': 0.657, 'delta': 2.783}, -33225.6)
    """

    start: dict | None = None
    tol: float = 1e-9
    params_: dict = field(default=None, init=False, repr=False)
    log_likelihood_: float = field(default=None, init=False, repr=False)
    n_customers_: int = field(default=None, init=False, repr=False)

    PARAMS = ("alpha", "beta", "gamma", "delta")

    # -- likelihood ---------------------------------------------------------------------
    @staticmethod
    def _log_terms(a, b, g, d, x, tx, n):
        """log of the two parts of L: the 'alive through n' term and the 'died after t_x' sum."""
        bl = special.betaln
        lB_ab, lB_gd = bl(a, b), bl(g, d)
        alive = bl(a + x, b + n - x) - lB_ab + bl(g, d + n) - lB_gd
        m = int(np.max(n - tx)) if len(n) else 0
        if m == 0:
            return alive, np.full_like(alive, -np.inf)
        i = np.arange(m)[None, :]
        terms = (bl(a + x[:, None], b + tx[:, None] - x[:, None] + i) - lB_ab
                 + bl(g + 1, d + tx[:, None] + i) - lB_gd)
        terms = np.where(i <= (n - tx - 1)[:, None], terms, -np.inf)
        with np.errstate(divide="ignore"):
            dead = special.logsumexp(terms, axis=1)
        return alive, dead

    @classmethod
    def _loglik_rows(cls, logp, x, tx, n):
        a, b, g, d = np.exp(logp)
        alive, dead = cls._log_terms(a, b, g, d, x, tx, n)
        return np.logaddexp(alive, dead)

    @classmethod
    def _loglik_and_grad(cls, logp, x, tx, n, w, h=1e-6):
        f = float(w @ cls._loglik_rows(logp, x, tx, n))
        grad = np.empty(4)
        for j in range(4):
            e = np.zeros(4)
            e[j] = h
            grad[j] = (w @ cls._loglik_rows(logp + e, x, tx, n) - w @ cls._loglik_rows(logp - e, x, tx, n)) / (2 * h)
        return f, grad

    def fit(self, table: pd.DataFrame, *, frequency: str = "frequency", recency: str = "recency",
            n_periods: str = "n_periods", weight: str = "weight") -> "BetaGeoBetaBinom":
        """Fit on a table of ``frequency``, ``recency``, ``n_periods`` and optional ``weight``.

        One row per customer, or one per pattern with ``weight`` = number of customers; rows
        with equal patterns are grouped either way.
        """
        x, tx, n, w = _rf_table(table, frequency, recency, n_periods, weight, "BetaGeoBetaBinom.fit")
        if w.sum() == 0:
            raise InputDataError("all weights are 0", column=weight, hint="weights count customers")
        if (x > 0).sum() == 0 or np.all(x == n):
            raise ModelFitError("every customer transacted at no occasion, or at every occasion: "
                                "the model is not identified", hint="check the table")
        rows, _ = _group_rows(x, tx, n)
        # sum the weights of identical patterns
        key = np.unique(np.column_stack([x, tx, n]), axis=0, return_inverse=True)[1].ravel()
        gw = np.bincount(key, weights=w)
        gx, gtx, gn = rows.T
        keep = gw > 0
        gx, gtx, gn, gw = gx[keep], gtx[keep], gn[keep], gw[keep]
        start = {"alpha": 1.0, "beta": 1.0, "gamma": 1.0, "delta": 1.0}
        start.update(self.start or {})
        x0 = np.log([start[k] for k in self.PARAMS])

        def objective(logp):
            ll, grad = self._loglik_and_grad(logp, gx, gtx, gn, gw)
            return -ll, -grad

        res = _maximise(objective, x0, what="BG/BB", n_obs=float(gw.sum()), tol=self.tol, names=self.PARAMS,
                        hint="check the table (occasions counted from 1 after the first transaction) or give "
                             "start values, e.g. BetaGeoBetaBinom(start={'alpha': 1, 'beta': 1, 'gamma': 1, 'delta': 3})")
        self.params_ = dict(zip(self.PARAMS, map(float, np.exp(res.x))))
        self.log_likelihood_ = float(gw @ self._loglik_rows(res.x, gx, gtx, gn))
        self.n_customers_ = int(round(gw.sum()))
        self._se = dict(zip(self.PARAMS, map(float, np.exp(res.x) * np.sqrt(np.diag(res.cov_log)))))
        return self

    def _check(self):
        if self.params_ is None:
            raise ParameterError("the model is not fitted", hint="call .fit(table) first")
        return tuple(self.params_[k] for k in self.PARAMS)

    @property
    def se_(self) -> dict:
        """Standard errors: delta method on the numerical Hessian in the log-parameters."""
        self._check()
        return self._se

    def summary(self) -> pd.DataFrame:
        self._check()
        return pd.DataFrame({"estimate": self.params_, "se": self.se_}).rename_axis("parameter")

    @property
    def conventions(self) -> dict:
        return {"occasions": "n_periods counts the occasions after the first (acquisition) transaction",
                "death": "before each occasion, from the second on (FHS 2010)",
                "discounting": "1/(1+d) per occasion, first future occasion discounted once"}

    # -- predictions --------------------------------------------------------------------
    def _table(self, table, frequency="frequency", recency="recency", n_periods="n_periods"):
        x, tx, n, _ = _rf_table(table, frequency, recency, n_periods, "\0no weight", "BetaGeoBetaBinom")
        return x, tx, n

    def log_likelihood(self, table: pd.DataFrame) -> pd.Series:
        """Log-likelihood of each row (per customer with that pattern)."""
        p = self._check()
        x, tx, n = self._table(table)
        return pd.Series(self._loglik_rows(np.log(p), x, tx, n), index=table.index, name="log_likelihood")

    def p_alive(self, table: pd.DataFrame) -> pd.Series:
        """P(alive at occasion n+1 | x, t_x, n) = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+1)/B(γ,δ) / L."""
        a, b, g, d = self._check()
        x, tx, n = self._table(table)
        bl = special.betaln
        num = bl(a + x, b + n - x) - bl(a, b) + bl(g, d + n + 1) - bl(g, d)
        ll = self._loglik_rows(np.log([a, b, g, d]), x, tx, n)
        return pd.Series(np.exp(num - ll), index=table.index, name="p_alive")

    def survival(self, n) -> np.ndarray | float:
        """P(a new customer is still alive at occasion n) = B(γ, δ+n)/B(γ, δ)."""
        a, b, g, d = self._check()
        n = np.asarray(n, dtype=float)
        out = np.exp(special.betaln(g, d + n) - special.betaln(g, d))
        return float(out) if out.ndim == 0 else out

    def expected_transactions(self, n_star) -> np.ndarray | float:
        """E[X(n*)] for a new customer: α/(α+β) · δ/(γ−1) · [1 − Γ(γ+δ)Γ(1+δ+n*)/(Γ(γ+δ+n*)Γ(1+δ))].

        FHS (2010), eq. 7; continuous in γ at 1.
        """
        a, b, g, d = self._check()
        k = np.asarray(n_star, dtype=float)
        out = a / (a + b) * self._delta_over(g, d, 0.0, k)
        return float(out) if out.ndim == 0 else out

    def _delta_over(self, g, d, n, k):
        """δ/(γ−1) · Γ(γ+δ)/Γ(1+δ) · [Γ(1+δ+n)/Γ(γ+δ+n) − Γ(1+δ+n+k)/Γ(γ+δ+n+k)] = Σ_{j=n+1..n+k} E[S(j)]."""
        gl = special.gammaln
        lead = gl(g + d) - gl(1 + d)
        if abs(g - 1) < 1e-8:  # limit: δ · (ψ(δ+n+k+1)... ) expressed as the sum of survival probabilities
            j = np.arange(1, int(np.max(k)) + 1)
            surv = np.exp(special.betaln(g, d + n + j) - special.betaln(g, d))
            return np.cumsum(surv)[np.asarray(k, dtype=int) - 1] if np.ndim(k) else surv[: int(k)].sum()
        return d / (g - 1) * np.exp(lead) * (np.exp(gl(1 + d + n) - gl(g + d + n))
                                             - np.exp(gl(1 + d + n + k) - gl(g + d + n + k)))

    def conditional_expected_transactions(self, n_star, table: pd.DataFrame) -> pd.Series:
        """E[X(n, n+n*) | x, t_x, n]: expected transactions in the next ``n_star`` occasions.

        ``1/L · B(α+x+1, β+n−x)/B(α,β) · δ/(γ−1) · Γ(γ+δ)/Γ(1+δ)
        · [Γ(1+δ+n)/Γ(γ+δ+n) − Γ(1+δ+n+n*)/Γ(γ+δ+n+n*)]`` (FHS 2010, eq. 13).
        """
        a, b, g, d = self._check()
        if np.any(np.asarray(n_star) < 0) or np.any(np.floor(n_star) != n_star):
            raise ParameterError(f"n_star={n_star} must be a whole number of occasions >= 0")
        x, tx, n = self._table(table)
        bl = special.betaln
        ll = self._loglik_rows(np.log([a, b, g, d]), x, tx, n)
        head = np.exp(bl(a + x + 1, b + n - x) - bl(a, b) - ll)
        out = head * self._delta_over(g, d, n, float(n_star))
        return pd.Series(out, index=table.index, name="expected_transactions")

    def frequency_distribution(self, n: int) -> pd.Series:
        """P(X(n) = x), x = 0..n, for a new customer (FHS 2010, eq. 8): the calibration fit check."""
        a, b, g, d = self._check()
        n = int(n)
        bl, lc = special.betaln, lambda N, k: special.gammaln(N + 1) - special.gammaln(k + 1) - special.gammaln(N - k + 1)
        xs = np.arange(n + 1, dtype=float)
        alive = np.exp(lc(n, xs) + bl(a + xs, b + n - xs) - bl(a, b) + bl(g, d + n) - bl(g, d))
        i = np.arange(n, dtype=float)[None, :]
        X = xs[:, None]
        with np.errstate(invalid="ignore"):
            terms = np.exp(lc(i, X) + bl(a + X, b + i - X) - bl(a, b) + bl(g + 1, d + i) - bl(g, d))
        terms = np.where(i >= X, terms, 0.0)
        return pd.Series(alive + terms.sum(axis=1), index=pd.Index(xs.astype(int), name="frequency"),
                         name="probability")

    def discounted_expected_residual_transactions(self, table: pd.DataFrame, discount_rate: float) -> pd.Series:
        """DERT(d | x, t_x, n) (FHS 2010, eq. 14): future transactions discounted per occasion.

        ``B(α+x+1, β+n−x)/B(α,β) · B(γ, δ+n+1)/(B(γ,δ)(1+d)) · 2F1(1, δ+n+1; γ+δ+n+1; 1/(1+d)) / L``.
        Times the value per transaction it is the customer's residual value.
        """
        a, b, g, d = self._check()
        if not discount_rate > 0:
            raise ParameterError(f"discount_rate={discount_rate} must be > 0", hint="e.g. 0.1 per occasion")
        x, tx, n = self._table(table)
        bl = special.betaln
        ll = self._loglik_rows(np.log([a, b, g, d]), x, tx, n)
        out = (np.exp(bl(a + x + 1, b + n - x) - bl(a, b) + bl(g, d + n + 1) - bl(g, d) - ll)
               / (1 + discount_rate) * special.hyp2f1(1, d + n + 1, g + d + n + 1, 1 / (1 + discount_rate)))
        return pd.Series(out, index=table.index, name="dert")

    def customer_lifetime_value(self, table: pd.DataFrame, discount_rate: float,
                                value_per_transaction=1.0) -> pd.Series:
        """Residual CLV = value per transaction × DERT (a number, or a Series aligned to ``table``)."""
        dert = self.discounted_expected_residual_transactions(table, discount_rate)
        v = value_per_transaction
        if isinstance(v, pd.Series):
            v = v.reindex(table.index)
            if v.isna().any():
                raise InputDataError("value_per_transaction has no value for some rows",
                                     row=v.index[v.isna().to_numpy()][0],
                                     hint="give a value for every row of the table")
            v = v.to_numpy(dtype=float)
        return pd.Series(dert.to_numpy() * v, index=table.index, name="clv")

    def holdout_check(self, table: pd.DataFrame, n_holdout: int, *,
                      frequency_holdout: str = "frequency_holdout", weight: str = "weight") -> pd.DataFrame:
        """Mean actual vs predicted transactions in the ``n_holdout`` occasions after the calibration,
        by calibration frequency (FHS 2010, fig. 5); rows weighted by ``weight`` if present."""
        self._check()
        if frequency_holdout not in table.columns:
            raise InputDataError(f"column {frequency_holdout!r} is missing", column=frequency_holdout,
                                 hint="count each customer's transactions in the holdout occasions")
        x, tx, n, w = _rf_table(table, weight=weight, what="BetaGeoBetaBinom.holdout_check")
        act = pd.to_numeric(table[frequency_holdout], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(act) | (act < 0) | (act > n_holdout)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputDataError(f"holdout count {table[frequency_holdout].iloc[i]!r} is not in 0..{n_holdout}",
                                 row=table.index[i], column=frequency_holdout)
        pred = self.conditional_expected_transactions(n_holdout, table).to_numpy()
        frame = pd.DataFrame({"frequency": x.astype(int), "w": w, "wa": w * act, "wp": w * pred})
        out = frame.groupby("frequency").sum()
        return pd.DataFrame({"customers": out["w"], "actual": out["wa"] / out["w"],
                             "predicted": out["wp"] / out["w"]})
