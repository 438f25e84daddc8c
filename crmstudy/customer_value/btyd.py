"""More "buy till you die" models of repeat purchasing: Pareto/NBD and the modified BG/NBD.

Both are continuous-time, non-contractual models fitted on the same ``(frequency, recency, T)``
summary as :class:`~crmstudy.customer_value.BetaGeo` (from
:func:`~crmstudy.customer_value.summary_data`), in the time unit carried by the summary
(``summary.attrs["time_unit"]``).  Their prediction methods have the names and signatures of
:class:`BetaGeo`, so :func:`~crmstudy.customer_value.holdout_check`,
:func:`~crmstudy.customer_value.customer_lifetime_value` (with a Gamma-Gamma spend model) and
:func:`compare_models` take any of the three.

* :class:`ParetoNBD` (Schmittlein, Morrison & Colombo 1987): purchases at Poisson rate
  λ ~ Gamma(r, α) while alive, an exponential lifetime with rate μ ~ Gamma(s, β).  The
  likelihood needs the Gauss hypergeometric function 2F1; it is evaluated on arrays with
  :func:`scipy.special.hyp2f1` in the form of Fader & Hardie's note (2005), whose argument is
  always in [0, 1) (the branch on α ≥ β is that note's transformation), and only once per
  distinct ``(x, t_x)`` and ``(x, T)`` pair; identical customers are grouped with weights.
* :class:`ModifiedBetaGeo` (MBG/NBD, Batislam, Denizel & Filiztekin 2007): the BG/NBD in which
  a customer may also drop out right after her first purchase, so a one-time buyer is not
  certainly alive; closed-form likelihood with analytic gradients.

References
----------
Schmittlein, D. C., Morrison, D. G., & Colombo, R. (1987). Counting your customers: who are
they and what will they do next? Management Science, 33(1), 1-24.
Fader, P. S., & Hardie, B. G. S. (2005). A note on deriving the Pareto/NBD model and related
expressions. http://brucehardie.com/notes/009/
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: using iso-value curves for
customer base analysis. Journal of Marketing Research, 42(4), 415-430.
Batislam, E. P., Denizel, M., & Filiztekin, A. (2007). Empirical validation and comparison of
models for customer base analysis. International Journal of Research in Marketing, 24(3),
201-209.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special

from ..errors import InputDataError, ModelFitError, ParameterError
from .clv import (BetaGeo, _columns, _group_rows, _numerical_hessian, _one_blas_thread,
                  _time_unit_of, holdout_check)

__all__ = ["ParetoNBD", "ModifiedBetaGeo", "compare_models", "ModelComparison"]


# --------------------------------------------------------------------------------------------
# Shared machinery
# --------------------------------------------------------------------------------------------
def _maximise(objective, x0, *, what: str, n_obs: float, hint: str, tol: float = 1e-9,
              names=None):
    """Minimise ``objective(log_params) -> (neg_ll, neg_grad)`` with L-BFGS-B on log-parameters.

    The objective is scaled to a mean per observation (``n_obs``) inside, so ``tol`` is a
    tolerance on the mean gradient.  Raises :class:`ModelFitError` when the optimiser stops away from a stationary point, at the
    (±20 on the log scale) bounds or at a non-finite value: a result that is not a maximum is
    never returned.
    """
    scale = 1.0 / max(1.0, n_obs)  # mean per observation: the first quasi-Newton step stays sane

    def safe(logp):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            f, g = objective(logp)
        if not np.isfinite(f) or not np.all(np.isfinite(g)):
            return 1e300, np.zeros(len(logp))
        return f * scale, g * scale

    with _one_blas_thread():
        res = optimize.minimize(safe, np.asarray(x0, dtype=float), jac=True, method="L-BFGS-B",
                                bounds=[(-20, 20)] * len(x0),
                                options=dict(gtol=tol, ftol=1e-15, maxiter=3000))
    p = np.exp(res.x)
    shown = dict(zip(names, p.round(4))) if names else p.round(4)
    if (not np.all(np.isfinite(res.x)) or np.any(np.abs(res.x) > 19.9) or not np.isfinite(res.fun)
            or res.fun >= 1e299
            or (not res.success and np.max(np.abs(res.jac)) > 1e-3 / max(1.0, n_obs ** 0.5))):
        raise ModelFitError(f"{what} fit did not converge ({res.message}; parameters {shown})",
                            hint=hint)
    # A flat or saddle-shaped likelihood (parameters running off to 0 or infinity together)
    # also stops the optimiser: require a proper maximum, i.e. a negative definite Hessian of
    # the mean log-likelihood in the log-parameters.
    with _one_blas_thread():
        hess = _numerical_hessian(lambda lp: -safe(lp)[1], res.x, eps=1e-4)
    eig = np.linalg.eigvalsh(-hess)
    if not np.all(np.isfinite(eig)) or eig.min() <= 1e-7 * max(1.0, eig.max()):
        raise ModelFitError(f"{what} fit did not converge to a maximum: the likelihood is flat or not "
                            f"concave in some direction at parameters {shown} (the model is not "
                            "identified by these data)", hint=hint)
    res.cov_log = np.linalg.inv(-hess) / max(1.0, n_obs)  # covariance of the log-parameters
    return res


def _check_xtT(summary, frequency, recency, T, what):
    x, tx, TT = _columns(summary, (frequency, recency, T), what)
    if len(x) == 0:
        raise InputDataError("the summary table is empty", hint="check the calibration period")
    bad = (tx > TT + 1e-9) | (np.floor(x) != x) | ((x == 0) & (tx > 0)) | ((x > 0) & (tx <= 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        col = frequency if np.floor(x[i]) != x[i] else recency
        raise InputDataError(
            f"{what}: frequency {x[i]:g}, recency {tx[i]:g}, T {TT[i]:g} are incompatible "
            "(recency must be <= T, frequency a whole number, recency 0 exactly when frequency is 0)",
            row=summary.index[i], column=col, hint="recompute the summary with summary_data")
    return x, tx, TT


class _TransactionModel:
    """What the continuous-time models share: checks, the unit guard, the summary table."""

    PARAMS: tuple = ()
    NAME = ""

    def _check(self):
        if self.params_ is None:
            raise ParameterError("the model is not fitted", hint="call .fit(summary) first")
        return tuple(self.params_[k] for k in self.PARAMS)

    def _xtT(self, summary, frequency="frequency", recency="recency", T="T"):
        unit = getattr(summary, "attrs", {}).get("time_unit")
        if unit is not None and unit != self.time_unit_:
            raise ParameterError(f"the summary is in unit {unit!r} but the model was fitted in "
                                 f"{self.time_unit_!r}",
                                 hint="build both with the same summary_data(..., freq=...)")
        return _columns(summary, (frequency, recency, T), self.NAME)

    @property
    def n_params_(self) -> int:
        return len(self.PARAMS)

    def summary(self) -> pd.DataFrame:
        """Parameter table: estimate and standard error."""
        self._check()
        return pd.DataFrame({"estimate": self.params_, "se": self.se_}).rename_axis("parameter")

    @property
    def conventions(self) -> dict:
        return {"time_unit": self.time_unit_, "estimation": "maximum likelihood, L-BFGS-B on log-parameters",
                "grouping": "identical (frequency, recency, T) rows weighted by their count",
                "standard_errors": "inverse of the numerical Hessian of the log-likelihood"}


# --------------------------------------------------------------------------------------------
# Pareto/NBD
# --------------------------------------------------------------------------------------------
@dataclass
class ParetoNBD(_TransactionModel):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987), fitted by maximum likelihood.

    While alive a customer buys at Poisson rate λ ~ Gamma(r, α); her lifetime is exponential
    with rate μ ~ Gamma(s, β).  For ``x`` repeat purchases, the last at ``t_x``, observed for
    ``T`` (Fader & Hardie 2005, eq. 22):

    ``L = Γ(r+x) α^r β^s / Γ(r) · [1 / ((α+T)^(r+x) (β+T)^s) + s/(r+s+x) · A0]``,

    ``A0 = F(t_x) − F(T)`` with, for α ≥ β,
    ``F(t) = 2F1(r+s+x, s+1; r+s+x+1; (α−β)/(α+t)) / (α+t)^(r+s+x)`` and, for α < β,
    ``F(t) = 2F1(r+s+x, r+x; r+s+x+1; (β−α)/(β+t)) / (β+t)^(r+s+x)`` (the argument stays in
    [0, 1) in both branches).  2F1 is evaluated once per distinct ``(x, t)``; the gradient is a
    central difference of the (grouped, vectorised) log-likelihood.

    Parameters
    ----------
    time_unit : {"D", "W", "M"}, optional
        Unit of ``recency`` and ``T``; default ``summary.attrs["time_unit"]``.
    start : dict, optional
        Start values of r, alpha, s, beta (default 1, mean T, 1, mean T).
    tol : float
        Gradient tolerance of L-BFGS-B on the log-parameters.

    Attributes (after :meth:`fit`)
    ------------------------------
    params_ : dict with keys ``r``, ``alpha``, ``s``, ``beta``
    se_, log_likelihood_, n_customers_, time_unit_, n_iterations_

    Examples
    --------
    The CDNOW 1-in-10 sample, 39-week calibration: Fader & Hardie's note reports r = 0.55,
    α = 10.58, s = 0.61, β = 11.67 (LL = −9595.0); ``lifetimes.ParetoNBDFitter`` on the same
    summary agrees (tests/reference/btyd).

    >>> from crmstudy import datasets
    >>> from crmstudy.customer_value import summary_data, ParetoNBD
    >>> s = summary_data(datasets.load("cdnow_sample"), "customer_id", "date", "dollar_value",
    ...                  calibration_end="1997-09-30")
    >>> {k: round(v, 2) for k, v in ParetoNBD().fit(s).params_.items()}
    {'r': 0.55, 'alpha': 10.58, 's': 0.61, 'beta': 11.67}
    """

    time_unit: str | None = None
    start: dict | None = None
    tol: float = 1e-7
    params_: dict = field(default=None, init=False, repr=False)
    log_likelihood_: float = field(default=None, init=False, repr=False)
    n_customers_: int = field(default=None, init=False, repr=False)
    time_unit_: str = field(default=None, init=False, repr=False)
    n_iterations_: int = field(default=None, init=False, repr=False)

    PARAMS = ("r", "alpha", "s", "beta")
    NAME = "ParetoNBD"

    # -- likelihood ---------------------------------------------------------------------
    @staticmethod
    def _prepare(x, tx, T, w=None):
        rows, counts = _group_rows(x, tx, T)
        gx, gtx, gT = rows.T
        w = counts if w is None else w
        # 2F1 depends on (x, t): evaluate it once per distinct pair
        pairs, inv = np.unique(np.concatenate([np.column_stack([gx, gtx]), np.column_stack([gx, gT])]),
                               axis=0, return_inverse=True)
        inv = inv.ravel()
        return dict(x=gx, tx=gtx, T=gT, w=w, px=pairs[:, 0], pt=pairs[:, 1],
                    i_tx=inv[:len(gx)], i_T=inv[len(gx):])

    @staticmethod
    def _log_a0_parts(r, alpha, s, beta, px, pt):
        """log F(t) on the distinct (x, t) pairs (see the class docstring)."""
        a1 = r + s + px
        if alpha >= beta:
            z = (alpha - beta) / (alpha + pt)
            h = special.hyp2f1(a1, s + 1, a1 + 1, z)
            base = alpha + pt
        else:
            z = (beta - alpha) / (beta + pt)
            h = special.hyp2f1(a1, r + px, a1 + 1, z)
            base = beta + pt
        return np.log(h) - a1 * np.log(base)

    @classmethod
    def _log_a0(cls, r, alpha, s, beta, d):
        logF = cls._log_a0_parts(r, alpha, s, beta, d["px"], d["pt"])
        f_tx, f_T = logF[d["i_tx"]], logF[d["i_T"]]
        diff = np.minimum(f_T - f_tx, 0.0)  # F decreases in t; rounding may give +1e-16
        with np.errstate(divide="ignore"):
            return f_tx + np.log(-np.expm1(diff))  # -inf where t_x == T (A0 = 0)

    @classmethod
    def _loglik_rows(cls, logp, d):
        r, alpha, s, beta = np.exp(logp)
        x, T = d["x"], d["T"]
        log_a0 = cls._log_a0(r, alpha, s, beta, d)
        first = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
        second = np.log(s) - np.log(r + s + x) + log_a0
        return (special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
                + np.logaddexp(first, second))

    @classmethod
    def _loglik(cls, logp, d):
        return float(d["w"] @ cls._loglik_rows(logp, d))

    @classmethod
    def _loglik_and_grad(cls, logp, d, h=1e-6):
        f0 = cls._loglik(logp, d)
        grad = np.empty(4)
        for j in range(4):
            e = np.zeros(4)
            e[j] = h
            grad[j] = (cls._loglik(logp + e, d) - cls._loglik(logp - e, d)) / (2 * h)
        return f0, grad

    def fit(self, summary: pd.DataFrame, *, frequency: str = "frequency", recency: str = "recency",
            T: str = "T") -> "ParetoNBD":
        """Fit by maximum likelihood on a :func:`summary_data` table (identical rows grouped)."""
        x, tx, TT = _check_xtT(summary, frequency, recency, T, "ParetoNBD.fit")
        if (x > 0).sum() < 2:
            raise ModelFitError("fewer than two customers made a repeat purchase",
                                hint="use a longer calibration period or more customers")
        unit = _time_unit_of(summary, self.time_unit)
        data = self._prepare(x, tx, TT)
        mean_T = float(np.mean(TT)) or 1.0
        start = {"r": 1.0, "alpha": mean_T, "s": 1.0, "beta": mean_T}
        start.update(self.start or {})
        x0 = np.log([start[k] for k in self.PARAMS])

        def objective(logp):
            ll, grad = self._loglik_and_grad(logp, data)
            return -ll, -grad

        res = _maximise(objective, x0, what="Pareto/NBD", n_obs=len(x), tol=self.tol,
                        names=self.PARAMS,
                        hint="check the time unit (weeks are the usual scale), use a longer "
                             "calibration period, or give start values, e.g. ParetoNBD(start="
                             "{'r': 0.5, 'alpha': 10, 's': 0.5, 'beta': 10})")
        self.params_ = dict(zip(self.PARAMS, map(float, np.exp(res.x))))
        self.log_likelihood_ = self._loglik(res.x, data)
        self.n_customers_ = int(len(x))
        self.time_unit_ = unit
        self.n_iterations_ = int(res.nit)
        self._data = data
        # delta method from the log-parameters (the Hessian the convergence check computed)
        p = np.exp(res.x)
        self._se = dict(zip(self.PARAMS, map(float, p * np.sqrt(np.diag(res.cov_log)))))
        return self

    @property
    def se_(self) -> dict:
        """Standard errors: delta method on the numerical Hessian in the log-parameters."""
        self._check()
        return self._se

    # -- predictions --------------------------------------------------------------------
    def _data_of(self, summary):
        x, tx, T = self._xtT(summary)
        d = dict(x=x, tx=tx, T=T)
        pairs, inv = np.unique(np.concatenate([np.column_stack([x, tx]), np.column_stack([x, T])]),
                               axis=0, return_inverse=True)
        inv = inv.ravel()
        d.update(px=pairs[:, 0], pt=pairs[:, 1], i_tx=inv[:len(x)], i_T=inv[len(x):])
        return d

    def log_likelihood(self, summary: pd.DataFrame) -> pd.Series:
        """Per-customer log-likelihood contribution."""
        self._check()
        d = self._data_of(summary)
        logp = np.log([self.params_[k] for k in self.PARAMS])
        return pd.Series(self._loglik_rows(logp, d), index=summary.index, name="log_likelihood")

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(alive | x, t_x, T) = 1 / (1 + s/(r+s+x) · (α+T)^(r+x) (β+T)^s · A0) (FH 2005, eq. 18)."""
        r, alpha, s, beta = self._check()
        d = self._data_of(summary)
        x, T = d["x"], d["T"]
        log_ratio = (np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + T) + s * np.log(beta + T)
                     + self._log_a0(r, alpha, s, beta, d))
        p = 1.0 / (1.0 + np.exp(np.minimum(log_ratio, 700)))
        return pd.Series(p, index=summary.index, name="p_alive")

    @staticmethod
    def _one_minus_ratio_over(s, q):
        """(1 − q^(s−1)) / (s − 1), continuous at s = 1 (where it is −log q)."""
        k = s - 1.0
        lq = np.log(q)
        if abs(k) < 1e-12:
            return -lq
        return -np.expm1(k * lq) / k

    def expected_purchases(self, t) -> np.ndarray | float:
        """E[X(t)] = r β / α · (1 − (β/(β+t))^(s−1)) / (s − 1) for a new customer (FH 2005, eq. 17)."""
        r, alpha, s, beta = self._check()
        t = np.asarray(t, dtype=float)
        out = r * beta / alpha * self._one_minus_ratio_over(s, beta / (beta + t))
        return float(out) if out.ndim == 0 else out

    def conditional_expected_purchases(self, t, summary: pd.DataFrame) -> pd.Series:
        """E[Y(t) | x, t_x, T] = (r+x)(β+T)/(α+T) · (1 − ((β+T)/(β+T+t))^(s−1))/(s−1) · P(alive).

        Fader & Hardie (2005), eq. 21; continuous at s = 1.
        """
        r, alpha, s, beta = self._check()
        t = np.asarray(t, dtype=float)
        if np.any(t < 0):
            raise ParameterError("t must be >= 0")
        x, tx, T = self._xtT(summary)
        head = (r + x) * (beta + T) / (alpha + T)
        out = head * self._one_minus_ratio_over(s, (beta + T) / (beta + T + t)) * self.p_alive(summary).to_numpy()
        return pd.Series(out, index=summary.index, name="expected_purchases")

    def survival(self, t) -> np.ndarray | float:
        """P(a new customer is still alive at t) = (β/(β+t))^s (Pareto type II lifetime)."""
        r, alpha, s, beta = self._check()
        out = (beta / (beta + np.asarray(t, dtype=float))) ** s
        return float(out) if np.ndim(out) == 0 else out

    def conditional_survival(self, t, summary: pd.DataFrame) -> pd.DataFrame:
        """P(alive at T + t | x, t_x, T) = P(alive) · ((β+T)/(β+T+t))^s, one column per ``t``."""
        r, alpha, s, beta = self._check()
        times = np.atleast_1d(np.asarray(t, dtype=float))
        x, tx, T = self._xtT(summary)
        p = self.p_alive(summary).to_numpy()
        out = p[:, None] * ((beta + T[:, None]) / (beta + T[:, None] + times[None, :])) ** s
        return pd.DataFrame(out, index=summary.index, columns=times)

    def expected_residual_lifetime(self, summary: pd.DataFrame) -> pd.Series:
        """E[remaining lifetime | x, t_x, T] = P(alive) · (β+T)/(s−1); infinite if s ≤ 1."""
        r, alpha, s, beta = self._check()
        x, tx, T = self._xtT(summary)
        p = self.p_alive(summary).to_numpy()
        out = p * (beta + T) / (s - 1) if s > 1 else np.full(len(T), np.inf)
        return pd.Series(out, index=summary.index, name="expected_residual_lifetime")

    def discounted_expected_transactions(self, summary: pd.DataFrame, discount_rate: float) -> pd.Series:
        """DET: expected future transactions discounted continuously at rate δ per time unit.

        ``DET = P(alive) · (r+x)/(α+T) · (β+T) · (δ(β+T))^(s−1) · U(s, s; δ(β+T))``, with
        ``U`` Tricomi's confluent hypergeometric function (Fader, Hardie & Lee 2005b, eq. 2);
        an infinite horizon.  Convert a yearly rate ``y`` to a weekly continuous rate with
        ``log(1 + y) / 52`` (FHL use 15 % a year).  Multiply by the expected spend per purchase
        (Gamma-Gamma) and the margin for the customer's residual value.
        """
        r, alpha, s, beta = self._check()
        if not discount_rate > 0:
            raise ParameterError(f"discount_rate={discount_rate} must be > 0",
                                 hint="a continuous rate per time unit, e.g. log(1.15)/52 for 15% a year in weeks")
        x, tx, T = self._xtT(summary)
        z = discount_rate * (beta + T)
        det = (self.p_alive(summary).to_numpy() * (r + x) / (alpha + T) * (beta + T)
               * z ** (s - 1) * special.hyperu(s, s, z))
        return pd.Series(det, index=summary.index, name="discounted_expected_transactions")


# --------------------------------------------------------------------------------------------
# MBG/NBD
# --------------------------------------------------------------------------------------------
@dataclass
class ModifiedBetaGeo(BetaGeo):
    """Modified BG/NBD (MBG/NBD, Batislam, Denizel & Filiztekin 2007), maximum likelihood.

    As the BG/NBD (λ ~ Gamma(r, α), dropout probability p ~ Beta(a, b) after each purchase),
    except that a customer can also drop out at time 0, right after her first purchase:

    ``L = B(a, b+x+1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
    + B(a+1, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))`` (for every x, 0 included).

    A subclass of :class:`~crmstudy.customer_value.BetaGeo`: the same fit (grouped rows,
    analytic gradients, L-BFGS-B), parameters, attributes and checks; only the likelihood and
    the predictions differ.  ``params_`` has keys ``r``, ``alpha``, ``a``, ``b``.  The
    estimates match ``lifetimes.ModifiedBetaGeoFitter`` on the same summary
    (tests/reference/btyd).

    Examples
    --------
    >>> from crmstudy import datasets
    >>> from crmstudy.customer_value import summary_data, ModifiedBetaGeo
    >>> s = summary_data(datasets.load("cdnow_sample"), "customer_id", "date", "dollar_value",
    ...                  calibration_end="1997-09-30")
    >>> {k: round(v, 3) for k, v in ModifiedBetaGeo().fit(s).params_.items()}
    {'r': 0.525, 'alpha': 6.183, 'a': 0.891, 'b': 1.614}
    """

    LABEL = "MBG/NBD"
    NAME = "ModifiedBetaGeo"

    @staticmethod
    def _loglik_and_grad(logp, d, per_row=False):
        r, alpha, a, b = np.exp(logp)
        x, tx, w, ux, xi, wx = d["x"], d["tx"], d["w"], d["ux"], d["xi"], d["wx"]
        gl, psi = special.gammaln, special.digamma
        A12_u = (gl(r + ux) - gl(r) + r * np.log(alpha)
                 + gl(a + b) + gl(b + ux + 1) - gl(b) - gl(a + b + ux + 1))
        log_aT, log_atx = np.log(alpha + d["uT"])[d["Ti"]], np.log(alpha + tx)
        rx = r + x
        A3 = -rx * log_aT
        A4 = (np.log(a) - np.log(b + ux))[xi] - rx * log_atx
        mx = np.maximum(A3, A4)
        e3, e4 = np.exp(A3 - mx), np.exp(A4 - mx)
        ll = A12_u[xi] + mx + np.log(e3 + e4)
        if per_row:
            return ll
        w4 = e4 / (e3 + e4)
        ww3, ww4 = w * (1 - w4), w * w4
        d_r = wx @ (psi(r + ux) - psi(r) + np.log(alpha)) - ww3 @ log_aT - ww4 @ log_atx
        d_alpha = (w.sum() * r / alpha - (ww3 * rx) @ (1 / (alpha + d["uT"]))[d["Ti"]]
                   - (ww4 * rx) @ (1 / (alpha + tx)))
        w4_u = np.bincount(xi, weights=ww4, minlength=len(ux))
        d_a = wx @ (psi(a + b) - psi(a + b + ux + 1)) + w4_u.sum() / a
        d_b = wx @ (psi(a + b) + psi(b + ux + 1) - psi(b) - psi(a + b + ux + 1)) - w4_u @ (1 / (b + ux))
        return float(w @ ll), np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])

    def fit(self, summary: pd.DataFrame, *, frequency: str = "frequency", recency: str = "recency",
            T: str = "T") -> "ModifiedBetaGeo":
        """Fit by maximum likelihood (as :meth:`BetaGeo.fit`; one-time buyers carry information too)."""
        _check_xtT(summary, frequency, recency, T, "ModifiedBetaGeo.fit")
        return super().fit(summary, frequency=frequency, recency=recency, T=T)

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(alive | x, t_x, T) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x)); < 1 also for x = 0."""
        r, alpha, a, b = self._check()
        x, tx, T = self._xtT(summary)
        log_ratio = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        return pd.Series(1.0 / (1.0 + np.exp(np.minimum(log_ratio, 700))), index=summary.index,
                         name="p_alive")

    def expected_purchases(self, t) -> np.ndarray | float:
        """E[X(t)] = b/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b+1; a+b; t/(α+t))] (Batislam et al. 2007)."""
        r, alpha, a, b = self._check()
        t = np.asarray(t, dtype=float)
        out = b / (a - 1) * (1 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b + 1, a + b, t / (alpha + t)))
        return float(out) if out.ndim == 0 else out

    def conditional_expected_purchases(self, t, summary: pd.DataFrame) -> pd.Series:
        """E[Y(t) | x, t_x, T] = (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x)
        · 2F1(r+x, b+x+1; a+b+x; t/(α+T+t))] · P(alive)."""
        r, alpha, a, b = self._check()
        t = np.asarray(t, dtype=float)
        if np.any(t < 0):
            raise ParameterError("t must be >= 0")
        if abs(a - 1) < 1e-10:
            raise ModelFitError("a = 1 exactly: the closed form of E[Y(t)] is undefined",
                                hint="refit with other start values")
        x, tx, T = self._xtT(summary)
        bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * special.hyp2f1(
            r + x, b + x + 1, a + b + x, t / (alpha + T + t))
        out = (a + b + x) / (a - 1) * bracket * self.p_alive(summary).to_numpy()
        return pd.Series(out, index=summary.index, name="expected_purchases")


# --------------------------------------------------------------------------------------------
# Comparing transaction models on a holdout period
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelComparison:
    """Result of :func:`compare_models`.

    ``fit``: one row per model: parameters count, calibration log-likelihood, AIC, BIC,
    holdout totals (actual, predicted, % error), mean absolute error of the
    frequency-group means, customer-level RMSE and correlation of predicted with actual
    holdout purchases.  ``by_frequency``: mean actual and predicted holdout purchases by
    calibration frequency (FHL 2005a, fig. 4), one predicted column per model.
    """

    fit: pd.DataFrame
    by_frequency: pd.DataFrame
    conventions: dict

    def summary(self) -> pd.DataFrame:
        return self.fit

    def best(self, criterion: str = "holdout_mae") -> str:
        """Name of the model with the smallest ``criterion`` (a column of :attr:`fit`)."""
        if criterion not in self.fit.columns:
            raise ParameterError(f"unknown criterion {criterion!r}", hint=f"use one of {list(self.fit.columns)}")
        return str(self.fit[criterion].idxmin())


_COMPARISON_LABELS = {
    "zh": {"n_params": "参数个数", "log_likelihood": "校准期对数似然", "aic": "AIC", "bic": "BIC",
           "holdout_actual": "保留期实际购买总数", "holdout_predicted": "保留期预测购买总数",
           "holdout_error_pct": "总数误差 %", "holdout_mae": "分组均值平均绝对误差",
           "customer_rmse": "客户层 RMSE", "customer_corr": "客户层相关系数"},
    "en": {"n_params": "parameters", "log_likelihood": "calibration log-likelihood", "aic": "AIC",
           "bic": "BIC", "holdout_actual": "holdout purchases, actual",
           "holdout_predicted": "holdout purchases, predicted", "holdout_error_pct": "total error %",
           "holdout_mae": "MAE of group means", "customer_rmse": "customer-level RMSE",
           "customer_corr": "customer-level correlation"},
}


def compare_models(models: dict, summary: pd.DataFrame, max_frequency: int = 7,
                   lang: str = "en") -> ModelComparison:
    """Compare fitted transaction models (BG/NBD, MBG/NBD, Pareto/NBD) on the same holdout.

    Parameters
    ----------
    models : dict name -> fitted model
        Each with ``log_likelihood_``, ``n_customers_``, ``PARAMS`` and
        ``conditional_expected_purchases(t, summary)`` (the three continuous-time models).
    summary : DataFrame
        The calibration/holdout summary the models were fitted on (with ``frequency_holdout``
        and ``duration_holdout`` from :func:`summary_data` with an ``observation_end``).
    max_frequency : int
        Calibration frequencies at or above it are pooled in the last group (``"7+"``).
    lang : {"zh", "en"}
        Language of the column labels of ``fit`` (``fit.attrs["labels"]``; the columns keep
        their English keys so code can use them).

    Notes
    -----
    Information criteria use the calibration log-likelihood: ``AIC = 2k − 2LL``,
    ``BIC = k log n − 2LL`` (``n`` customers).  The holdout statistics judge the forecasts
    the models are used for; FHL (2005a) and Batislam et al. (2007) compare models this way.
    """
    from ..indicators import check_lang

    check_lang(lang)
    if not models:
        raise ParameterError("no models to compare", hint="pass e.g. {'BG/NBD': BetaGeo().fit(s)}")
    by_freq, rows = None, {}
    actual = pd.to_numeric(summary.get("frequency_holdout"), errors="coerce") \
        if "frequency_holdout" in summary.columns else None
    for name, model in models.items():
        if getattr(model, "params_", None) is None:
            raise ParameterError(f"model {name!r} is not fitted", hint="call .fit(summary) first")
        check = holdout_check(model, summary, max_frequency=max_frequency)
        if by_freq is None:
            by_freq = check[["label", "customers", "actual"]].copy()
        by_freq[name] = check["predicted"]
        duration = float(summary["duration_holdout"].iloc[0])
        pred = model.conditional_expected_purchases(duration, summary).to_numpy()
        act = actual.to_numpy(dtype=float)
        k, n, ll = len(model.PARAMS), model.n_customers_, model.log_likelihood_
        rows[name] = {"n_params": k, "log_likelihood": ll, "aic": 2 * k - 2 * ll,
                      "bic": k * np.log(n) - 2 * ll, "holdout_actual": act.sum(),
                      "holdout_predicted": pred.sum(),
                      "holdout_error_pct": 100 * (pred.sum() - act.sum()) / act.sum(),
                      "holdout_mae": float(np.average(np.abs(check["predicted"] - check["actual"]))),
                      "customer_rmse": float(np.sqrt(np.mean((pred - act) ** 2))),
                      "customer_corr": float(np.corrcoef(pred, act)[0, 1])}
    fit = pd.DataFrame(rows).T.rename_axis("model")
    fit["n_params"] = fit["n_params"].astype(int)
    fit.attrs["labels"] = _COMPARISON_LABELS[lang]
    conventions = {"holdout_mae": "unweighted mean over frequency groups of |mean predicted − mean actual|",
                   "aic_bic": "calibration log-likelihood, n = customers",
                   "max_frequency": max_frequency,
                   "duration_holdout": float(summary["duration_holdout"].iloc[0]),
                   "time_unit": summary.attrs.get("time_unit")}
    return ModelComparison(fit=fit, by_frequency=by_freq, conventions=conventions)
