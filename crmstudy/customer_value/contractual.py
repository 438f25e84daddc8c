"""Contractual retention (订阅/合同制客户保持): the shifted beta-geometric (sBG) model.

In a contractual setting (subscriptions, memberships, insurance) churn is observed: a cohort's
survivor counts by period are the data.  Each customer renews at the end of every period with
her own probability 1 − θ, constant over time; θ ~ Beta(α, β) across customers.  Aggregate
retention then *rises* with tenure (the ones who churn easily leave first) although no
individual's churn probability changes: a curve fitted to the retention rates (linear,
exponential) gets the future wrong, the sBG gets it right (Fader & Hardie 2007).

:class:`ShiftedBetaGeometric` fits α, β by maximum likelihood from survivor counts and gives the
survival and retention curves, projections, the discounted expected lifetime (DEL) and the
discounted expected residual lifetime (DERL, Fader & Hardie 2010), and the CLV they imply.

References
----------
Fader, P. S., & Hardie, B. G. S. (2007). How to project customer retention. Journal of
Interactive Marketing, 21(1), 76-90.
Fader, P. S., & Hardie, B. G. S. (2010). Customer-base valuation in a contractual setting: the
perils of ignoring heterogeneity. Marketing Science, 29(1), 85-93.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from ..errors import InputDataError, ModelFitError, ParameterError
from .btyd import _maximise

__all__ = ["ShiftedBetaGeometric"]


def _survivor_counts(survivors, what="ShiftedBetaGeometric.fit") -> tuple[np.ndarray, list]:
    """Validate survivor counts: whole numbers >= 0, never increasing, period 0 first, > 0."""
    if isinstance(survivors, pd.DataFrame):
        if survivors.shape[1] != 1:
            raise InputDataError(f"{what} needs one column of survivor counts, got {survivors.shape[1]}",
                                 hint="pass one column (a Series), e.g. table['active']")
        survivors = survivors.iloc[:, 0]
    labels = list(survivors.index) if isinstance(survivors, pd.Series) else list(range(len(survivors)))
    raw = pd.to_numeric(pd.Series(np.asarray(survivors, dtype=object).ravel()), errors="coerce").to_numpy(float)
    if len(raw) < 2:
        raise InputDataError(f"{what} needs survivor counts for at least two periods (period 0 and 1), "
                             f"got {len(raw)}", hint="give the number still active at the start of each period")
    bad = ~np.isfinite(raw) | (raw < 0) | (np.floor(raw) != raw)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputDataError(f"survivor count {np.asarray(survivors, dtype=object).ravel()[i]!r} is missing, "
                             "negative or not a whole number", row=labels[i],
                             hint="give counts of customers (whole numbers >= 0)")
    if raw[0] <= 0:
        raise InputDataError("the cohort is empty at period 0", row=labels[0],
                             hint="the first count is the cohort size at the start")
    up = np.flatnonzero(np.diff(raw) > 0)
    if up.size:
        i = int(up[0]) + 1
        raise InputDataError(f"survivor counts increase from {raw[i - 1]:g} to {raw[i]:g}: a cohort can "
                             "only shrink", row=labels[i],
                             hint="give the survivors of one cohort (customers acquired together), not "
                                  "the active customer base, which also gains new customers")
    return raw, labels


@dataclass
class ShiftedBetaGeometric:
    """Shifted beta-geometric model of contract renewal (Fader & Hardie 2007).

    A customer's churn probability per period is θ ~ Beta(α, β); her lifetime T (in periods,
    T = 1 means she leaves at the end of the first period) is geometric given θ.  Then

    * ``P(T = t) = B(α+1, β+t−1) / B(α, β)``,
    * survival ``S(t) = B(α, β+t) / B(α, β)``,
    * retention rate ``r_t = S(t)/S(t−1) = (β+t−1)/(α+β+t−1)``, rising with t.

    From survivor counts ``n_0 ≥ n_1 ≥ … ≥ n_k`` the log-likelihood is
    ``Σ_{t=1..k} (n_{t−1} − n_t) log P(T=t) + n_k log S(k)`` (the survivors are censored).

    Parameters
    ----------
    start : dict, optional
        Start values of alpha, beta (default 1, 1).
    tol : float
        Gradient tolerance of L-BFGS-B on the log-parameters.

    Attributes (after :meth:`fit`)
    ------------------------------
    params_ : dict with keys ``alpha``, ``beta``
    se_ : dict of standard errors (inverse Hessian)
    log_likelihood_ : float
    survivors_ : Series of the counts fitted, indexed by period

    Examples
    --------
    Fader & Hardie (2007), "high end" customers, years 0-7 (published α = 0.668, β = 3.806):

    >>> from crmstudy.customer_value import ShiftedBetaGeometric
    >>> m = ShiftedBetaGeometric().fit([1000, 869, 743, 653, 593, 551, 517, 491])
    >>> {k: round(v, 3) for k, v in m.params_.items()}
    {'alpha': 0.668, 'beta': 3.806}
    """

    start: dict | None = None
    tol: float = 1e-10
    params_: dict = field(default=None, init=False, repr=False)
    log_likelihood_: float = field(default=None, init=False, repr=False)
    survivors_: pd.Series = field(default=None, init=False, repr=False)
    n_customers_: int = field(default=None, init=False, repr=False)

    PARAMS = ("alpha", "beta")

    @staticmethod
    def _loglik_and_grad(logp, lost, t, n_last, k):
        a, b = np.exp(logp)
        gl, psi = special.gammaln, special.digamma
        # log P(T=t) = lnB(a+1, b+t-1) - lnB(a, b);  log S(k) = lnB(a, b+k) - lnB(a, b)
        lnB0 = gl(a) + gl(b) - gl(a + b)
        lp = gl(a + 1) + gl(b + t - 1) - gl(a + b + t) - lnB0
        ls = gl(a) + gl(b + k) - gl(a + b + k) - lnB0
        ll = lost @ lp + n_last * ls
        dB0_a, dB0_b = psi(a) - psi(a + b), psi(b) - psi(a + b)
        d_a = lost @ (psi(a + 1) - psi(a + b + t) - dB0_a) + n_last * (psi(a) - psi(a + b + k) - dB0_a)
        d_b = lost @ (psi(b + t - 1) - psi(a + b + t) - dB0_b) + n_last * (psi(b + k) - psi(a + b + k) - dB0_b)
        return float(ll), np.array([d_a * a, d_b * b])

    def fit(self, survivors) -> "ShiftedBetaGeometric":
        """Fit α, β from the survivors at the start of each period, period 0 (cohort size) first."""
        n, labels = _survivor_counts(survivors)
        k = len(n) - 1
        lost, t, n_last = -np.diff(n), np.arange(1, k + 1, dtype=float), float(n[-1])
        if lost.sum() == 0:
            raise ModelFitError("no customer of the cohort has churned: the churn distribution cannot "
                                "be estimated", hint="wait for more periods or use a larger cohort")
        start = {"alpha": 1.0, "beta": 1.0}
        start.update(self.start or {})
        x0 = np.log([start[p] for p in self.PARAMS])

        def objective(logp):
            ll, g = self._loglik_and_grad(logp, lost, t, n_last, k)
            return -ll, -g

        res = _maximise(objective, x0, what="sBG", n_obs=float(n[0]), tol=self.tol, names=self.PARAMS,
                        hint="the counts may show no heterogeneity (constant retention); check the "
                             "cohort or give start values, e.g. ShiftedBetaGeometric(start={'alpha': 1, 'beta': 3})")
        self.params_ = dict(zip(self.PARAMS, map(float, np.exp(res.x))))
        self.log_likelihood_ = self._loglik_and_grad(res.x, lost, t, n_last, k)[0]
        self.survivors_ = pd.Series(n, index=pd.Index(labels, name="period"), name="survivors")
        self.n_customers_ = int(n[0])
        self._se = dict(zip(self.PARAMS, map(float, np.exp(res.x) * np.sqrt(np.diag(res.cov_log)))))
        return self

    def _check(self):
        if self.params_ is None:
            raise ParameterError("the model is not fitted", hint="call .fit(survivors) first")
        return self.params_["alpha"], self.params_["beta"]

    @property
    def se_(self) -> dict:
        """Standard errors: delta method on the numerical Hessian in the log-parameters."""
        self._check()
        return self._se

    def summary(self) -> pd.DataFrame:
        """Parameter table with the mean churn probability α/(α+β)."""
        a, b = self._check()
        out = pd.DataFrame({"estimate": self.params_, "se": self.se_}).rename_axis("parameter")
        out.attrs.update(log_likelihood=self.log_likelihood_, mean_churn=a / (a + b))
        return out

    @property
    def conventions(self) -> dict:
        return {"period_0": "cohort size at acquisition; T = t means the customer leaves at the end of period t",
                "payments": "one per period, at the start of the period (DEL and DERL count the current one undiscounted)",
                "discounting": "1/(1+d) per period"}

    # -- curves -------------------------------------------------------------------------
    def survival(self, t) -> np.ndarray:
        """S(t) = B(α, β+t)/B(α, β): share of the cohort still active after t periods."""
        a, b = self._check()
        t = np.asarray(t, dtype=float)
        return np.exp(special.betaln(a, b + t) - special.betaln(a, b))

    def churn_probability(self, t) -> np.ndarray:
        """P(T = t) = B(α+1, β+t−1)/B(α, β): share of the cohort lost in period t (t ≥ 1)."""
        a, b = self._check()
        t = np.asarray(t, dtype=float)
        if np.any(t < 1):
            raise ParameterError("t must be >= 1 (a customer leaves at the end of period 1 at the earliest)")
        return np.exp(special.betaln(a + 1, b + t - 1) - special.betaln(a, b))

    def retention_rate(self, t) -> np.ndarray:
        """r_t = (β+t−1)/(α+β+t−1): share of those active in period t−1 who renew for period t."""
        a, b = self._check()
        t = np.asarray(t, dtype=float)
        if np.any(t < 1):
            raise ParameterError("t must be >= 1")
        return (b + t - 1) / (a + b + t - 1)

    def project(self, periods: int | None = None, survivors=None) -> pd.DataFrame:
        """Fitted and projected survivors and retention rates, with the actual counts.

        ``periods``: last period to show (default: the fitted periods, or those of
        ``survivors``).  ``survivors``: a longer series of actual counts of the same cohort
        (the holdout): shown as ``actual`` next to the projection.  Column ``calibration``
        marks the periods the model was fitted on.
        """
        a, b = self._check()
        n0 = float(self.survivors_.iloc[0])
        actual = self.survivors_.to_numpy()
        if survivors is not None:
            actual, _ = _survivor_counts(survivors, "ShiftedBetaGeometric.project")
            if actual[0] != n0:
                raise InputDataError(f"the holdout series starts at {actual[0]:g}, the fitted one at {n0:g}",
                                     row=0, hint="give the same cohort, period 0 first")
        last = len(actual) - 1 if periods is None else int(periods)
        t = np.arange(0, last + 1)
        fitted = n0 * self.survival(t)
        act = np.full(len(t), np.nan)
        m = min(len(actual), len(t))
        act[:m] = actual[:m]
        ret_actual = np.full(len(t), np.nan)
        ret_actual[1:] = act[1:] / act[:-1]
        out = pd.DataFrame({"period": t, "actual": act, "expected": fitted,
                            "retention_actual": ret_actual,
                            "retention_expected": np.r_[np.nan, self.retention_rate(t[1:])],
                            "calibration": t < len(self.survivors_)}).set_index("period")
        return out

    def holdout_check(self, survivors) -> pd.DataFrame:
        """Projected vs actual survivors in the periods after the calibration (FH 2007, fig. 4)."""
        table = self.project(survivors=survivors)
        hold = table[~table["calibration"]].copy()
        if hold.empty:
            raise InputDataError("the series has no period after the calibration periods",
                                 hint="fit on the first periods only, then pass the full series")
        hold["error_pct"] = 100 * (hold["expected"] - hold["actual"]) / hold["actual"]
        return hold

    # -- value --------------------------------------------------------------------------
    def discounted_expected_residual_lifetime(self, discount_rate: float, renewals: int = 0):
        """DERL of a customer who has made ``renewals`` renewals (Fader & Hardie 2010, eq. 6).

        ``DERL(d | n−1 renewals) = (β+n−1)/(α+β+n−1) · 2F1(1, β+n; α+β+n; 1/(1+d))`` with
        ``n = renewals + 1``: the expected number of future payments, evaluated just before
        her next renewal decision, the payment of that renewal undiscounted and each later
        one discounted by ``1/(1+d)`` per period.  ``renewals`` may be an array.  With
        ``discount_rate = 0`` it is the expected number of remaining periods (finite only for α > 1).
        """
        a, b = self._check()
        if discount_rate < 0:
            raise ParameterError(f"discount_rate={discount_rate} is negative")
        n = np.asarray(renewals, dtype=float) + 1
        if np.any(n < 1) or np.any(np.floor(n) != n):
            raise ParameterError("renewals must be whole numbers >= 0")
        if discount_rate == 0 and a <= 1:
            raise ModelFitError(f"alpha = {a:.3f} <= 1: the undiscounted expected lifetime is infinite",
                                hint="use a discount rate > 0")
        out = (b + n - 1) / (a + b + n - 1) * special.hyp2f1(1, b + n, a + b + n, 1 / (1 + discount_rate))
        return float(out) if out.ndim == 0 else out

    def discounted_expected_lifetime(self, discount_rate: float) -> float:
        """DEL of a just-acquired customer: ``2F1(1, β; α+β; 1/(1+d))`` payments (first one now)."""
        a, b = self._check()
        if discount_rate < 0:
            raise ParameterError(f"discount_rate={discount_rate} is negative")
        if discount_rate == 0 and a <= 1:
            raise ModelFitError(f"alpha = {a:.3f} <= 1: the undiscounted expected lifetime is infinite",
                                hint="use a discount rate > 0")
        return float(special.hyp2f1(1, b, a + b, 1 / (1 + discount_rate)))

    def expected_residual_lifetime(self, renewals: int = 0):
        """Expected number of remaining periods (payments, the next one included); α > 1 only."""
        return self.discounted_expected_residual_lifetime(0.0, renewals)

    def clv(self, margin: float, discount_rate: float) -> float:
        """Expected CLV of a customer at acquisition: ``margin · DEL`` (one margin per period)."""
        if margin < 0:
            raise ParameterError(f"margin={margin} is negative")
        return float(margin) * self.discounted_expected_lifetime(discount_rate)

    def residual_value(self, margin: float, discount_rate: float, renewals=0):
        """Expected residual value of an existing customer: ``margin · DERL`` (FH 2010)."""
        if margin < 0:
            raise ParameterError(f"margin={margin} is negative")
        return margin * self.discounted_expected_residual_lifetime(discount_rate, renewals)

    def value_table(self, margin: float, discount_rate: float, max_renewals: int = 10) -> pd.DataFrame:
        """DERL and residual value by the number of renewals made: loyal customers are worth more."""
        n = np.arange(0, int(max_renewals) + 1)
        derl = self.discounted_expected_residual_lifetime(discount_rate, n)
        return pd.DataFrame({"renewals": n, "retention_next": self.retention_rate(n + 1), "derl": derl,
                             "residual_value": margin * derl}).set_index("renewals")
