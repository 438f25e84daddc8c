"""Structural equation models in lavaan syntax, estimated as lavaan 0.6 does.

Why crmstudy has its own estimator rather than semopy 2.3.11: semopy has no SRMR, uses N − 1
in the RMSEA, has no defined parameters (``:=``), no robust (MLR) estimator, no FIML, and its
GFI/AGFI follow other conventions.  Bending it was more code than a direct implementation, so
the model is written in RAM form (McArdle & McDonald 1984),

.. math:: \\Sigma = F (I - A)^{-1} S (I - A)^{-\\top} F^\\top,\\qquad
          \\mu = F (I - A)^{-1} m,

with ``A`` the directed paths (loadings, regressions), ``S`` the (residual) variances and
covariances, ``F`` the filter of observed variables and ``m`` the observed intercepts (FIML
only).  Derivatives of Σ and μ with respect to the free parameters are analytic; the
discrepancy is minimised by Fisher scoring with step halving (Lee & Jennrich 1979).

Estimators (lavaan's names):

* ``"ML"``: ``F_ML = ln|Σ| + tr(SΣ⁻¹) − ln|S| − p`` on the N-divisor covariance matrix
  (``likelihood = "normal"``); ``chisq = N·F_ML``; standard errors from the expected
  information (lavaan's default for complete data).
* ``"MLR"``: ML estimates; Huber–White sandwich standard errors ``A⁻¹BA⁻¹`` with ``A`` the
  observed information and ``B`` the cross-product of the casewise scores, the Yuan–Bentler
  scaled χ² (lavaan's ``test = "yuan.bentler.mplus"``: ``c = tr(UΓ)/df``, computed as the
  difference of the traces of the unrestricted and the structured model) and the scaled and
  robust fit indices.
* ``missing="fiml"``: casewise (full-information) normal likelihood over the missing-data
  patterns, saturated means (observed intercepts free, latent means 0), standard errors from
  the observed information (numerical Hessian of the analytic gradient), χ² against the
  unrestricted model fitted by EM (lavaan ``missing = "ml"``).  Exogenous observed covariates
  are then modelled (their means, variances, covariances are free: lavaan's
  ``fixed.x = FALSE``); with complete data they are fixed at their sample values
  (``fixed.x = TRUE``) and not counted as parameters.  The FIML baseline model keeps the
  covariates' covariances free, as lavaan's.  MLR with FIML (lavaan ``estimator = "MLR",
  missing = "ml"``): sandwich SEs from the casewise scores and the observed information, the
  scaling factor from the unrestricted model at its EM estimates; the scaled indices are
  reported, lavaan's FIML-corrected *robust* CFI/TLI/RMSEA (Savalei 2018) are not (absent
  from ``fit_details``).  GFI/AGFI under FIML use the EM moments and agree
  with lavaan to ~1e-3 (AGFI ~5e-3) only (lavaan's ``wls.obs`` under missing data are not its EM
  estimates); every other index agrees to 1e-5.

Defaults follow lavaan's ``sem()``: the first loading of each factor is fixed to 1, every
variable has a free (residual) variance, exogenous latent variables covary, and the residuals of
pure outcomes (dependent variables that predict nothing) covary.
"""
from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field
from functools import partial
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from .errors import DataQualityWarning, InputDataError, ModelFitError, ParameterError
from .formatting import p_text
from .sem_fit import FIT_KEYS, FIT_LABELS, FIT_THRESHOLDS, fit_measures, scaled_measures
from .sem_syntax import parse_model

__all__ = ["sem", "SEMResult", "SEM_LABELS", "fit_sentence", "fit_table", "model_syntax"]

SEM_LABELS = {
    "en": {"lhs": "Left", "op": "Operator", "rhs": "Right", "est": "Estimate", "se": "SE",
           "z": "z", "p": "p", "std_all": "Standardised", "ci_low": "CI low",
           "ci_high": "CI high", "index": "Fit index", "value": "Value",
           "threshold": "Threshold", "ok": "Acceptable", "variable": "Variable", "r2": "R²",
           "path": "Path", "=~": "measured by", "~": "regressed on", "~~": "covaries with",
           ":=": "defined as"},
    "zh": {"lhs": "左侧", "op": "关系", "rhs": "右侧", "est": "非标准化估计", "se": "标准误",
           "z": "z值", "p": "p值", "std_all": "标准化估计", "ci_low": "置信区间下限",
           "ci_high": "置信区间上限", "index": "拟合指标", "value": "数值", "threshold": "标准",
           "ok": "是否达标", "variable": "变量", "r2": "R²", "path": "路径", "=~": "测量",
           "~": "回归于", "~~": "协方差", ":=": "定义为"},
}
_FUNCS = {"sqrt": np.sqrt, "exp": np.exp, "log": np.log, "abs": np.abs}


# --------------------------------------------------------------------------- specification
@dataclass
class _Param:
    lhs: str
    op: str
    rhs: str
    mat: str            # "A" or "S"
    i: int
    j: int
    free: int = 0       # index into θ, -1 when fixed
    value: float = 0.0  # fixed value or start
    label: str = ""
    user: bool = True
    line: int = 0


class _Spec:
    """Parameter table of a parsed model, RAM matrices and their derivatives."""

    def __init__(self, statements, columns, fixed_x: bool):
        self.statements = statements
        lat: list[str] = []
        for s in statements:
            if s.op == "=~" and s.lhs not in lat:
                lat.append(s.lhs)
        names: list[str] = []
        for s in statements:
            if s.op == ":=":
                continue
            for n in (s.lhs, *(t.name for t in s.terms)):
                if n not in names:
                    names.append(n)
        obs = [n for n in names if n not in lat]
        colset = set(map(str, columns))
        unknown = [n for n in obs if n not in colset]
        if unknown:
            first = next(s for s in statements if s.op != ":=" and
                         unknown[0] in (s.lhs, *(t.name for t in s.terms)))
            raise InputDataError(
                f"model syntax: variable(s) {unknown} in `{first.text}` are neither columns of "
                "the data nor latent variables (defined with =~)", line=first.line,
                column=unknown[0], hint="check the spelling against the data's column names")
        if not obs:
            raise ParameterError("the model has no observed variable")
        self.obs, self.lat = obs, lat
        self.vars = obs + lat
        self.idx = {v: k for k, v in enumerate(self.vars)}
        p, m = len(obs), len(self.vars)
        self.p, self.m = p, m
        indicator = {t.name for s in statements if s.op == "=~" for t in s.terms}
        dependent = {s.lhs for s in statements if s.op == "~"}
        predictor = {t.name for s in statements if s.op == "~" for t in s.terms}
        endogenous = indicator | dependent
        self.endogenous = [v for v in self.vars if v in endogenous]
        ov_x = [v for v in obs if v not in endogenous and v in predictor]
        self.x = ov_x if fixed_x else []
        self.ov_x = ov_x
        params: list[_Param] = []
        seen: dict[tuple, int] = {}
        labels: dict[str, int] = {}

        def add(par: _Param, term=None):
            key = (par.mat, min(par.i, par.j), max(par.i, par.j)) if par.mat == "S" else (par.mat, par.i, par.j)
            if key in seen:
                old = params[seen[key]]
                if par.user and old.user:
                    raise ParameterError(
                        f"model syntax: parameter '{par.lhs} {par.op} {par.rhs}' is specified twice",
                        line=par.line, hint="keep one of the two statements")
                return
            seen[key] = len(params)
            params.append(par)

        for s in statements:
            if s.op == ":=":
                continue
            if s.lhs in self.x and s.op == "~~":
                continue            # fixed.x: covariate moments are the sample's
            for k, t in enumerate(s.terms):
                if s.op == "=~":
                    par = _Param(s.lhs, s.op, t.name, "A", self.idx[t.name], self.idx[s.lhs],
                                 line=s.line)
                    marker = k == 0 and t.fixed is None and not t.free
                    par.value = 1.0 if marker else (t.start if t.start is not None else np.nan)
                    par.free = -1 if (marker or t.fixed is not None) else 0
                elif s.op == "~":
                    par = _Param(s.lhs, s.op, t.name, "A", self.idx[s.lhs], self.idx[t.name],
                                 line=s.line)
                    par.value = t.start if t.start is not None else 0.0
                    par.free = -1 if t.fixed is not None else 0
                else:
                    if t.name in self.x:
                        continue
                    par = _Param(s.lhs, s.op, t.name, "S", self.idx[s.lhs], self.idx[t.name],
                                 line=s.line)
                    par.value = t.start if t.start is not None else np.nan
                    par.free = -1 if t.fixed is not None else 0
                if t.fixed is not None:
                    par.value = t.fixed
                par.label = t.label or ""
                add(par)
        # defaults (lavaan sem(): auto.var, auto.cov.lv.x, auto.cov.y, fixed.x)
        for v in self.vars:
            if v not in self.x:
                add(_Param(v, "~~", v, "S", self.idx[v], self.idx[v], value=np.nan, user=False))
        lv_x = [v for v in lat if v not in endogenous]
        pure_y = [v for v in self.vars if v in dependent and v not in predictor and v not in indicator]
        for group in (lv_x, pure_y, [] if fixed_x else ov_x):   # fixed.x=FALSE: covariates covary
            for a in range(len(group)):
                for b in range(a + 1, len(group)):
                    add(_Param(group[a], "~~", group[b], "S", self.idx[group[a]],
                               self.idx[group[b]], value=0.0, user=False))
        for a in range(len(self.x)):
            for b in range(a, len(self.x)):
                add(_Param(self.x[a], "~~", self.x[b], "S", self.idx[self.x[a]],
                           self.idx[self.x[b]], free=-1, value=np.nan, user=False))
        # free-parameter indices; equal labels share one
        q = 0
        for par in params:
            if par.free < 0:
                continue
            if par.label and par.label in labels:
                par.free = labels[par.label]
                continue
            par.free = q
            if par.label:
                labels[par.label] = q
            q += 1
        self.params, self.q = params, q
        self.labels = {par.label: par for par in params if par.label}
        self.defined = [s for s in statements if s.op == ":="]
        known = set(self.labels)
        for s in self.defined:
            missing = [n for n in s.names if n not in known]
            if missing:
                raise ParameterError(f"model syntax: label(s) {missing} in `{s.text}` are not "
                                     "defined", line=s.line,
                                     hint="label a path with 'a*x' before using 'a' in :=")
            known.add(s.lhs)
        self.F = np.zeros((p, m))
        self.F[np.arange(p), np.arange(p)] = 1.0
        free = [par for par in params if par.free >= 0]
        self._a = np.array([(par.i, par.j, par.free) for par in free if par.mat == "A"], int).reshape(-1, 3)
        self._s = np.array([(par.i, par.j, par.free) for par in free if par.mat == "S"], int).reshape(-1, 3)

    # -- matrices
    def _index(self):
        """Vectorised placement of the parameters into A and S (built once, after fix_x)."""
        isa = np.array([par.mat == "A" for par in self.params])
        ij = np.array([(par.i, par.j) for par in self.params], int).reshape(-1, 2)
        free = np.array([par.free for par in self.params], int)
        fixed = np.array([0.0 if par.free >= 0 else par.value for par in self.params])
        self._cache = (isa, ij, free, fixed)

    def matrices(self, theta):
        if getattr(self, "_cache", None) is None:
            self._index()
        isa, ij, free, fixed = self._cache
        vals = np.where(free >= 0, np.asarray(theta)[np.maximum(free, 0)] if len(theta) else 0.0, fixed)
        A = np.zeros((self.m, self.m))
        S = np.zeros((self.m, self.m))
        A[ij[isa, 0], ij[isa, 1]] = vals[isa]
        S[ij[~isa, 0], ij[~isa, 1]] = vals[~isa]
        S[ij[~isa, 1], ij[~isa, 0]] = vals[~isa]
        return A, S

    def implied(self, theta, intercepts=None):
        A, S = self.matrices(theta)
        B = np.linalg.inv(np.eye(self.m) - A)
        FB = self.F @ B
        sigma = FB @ S @ FB.T
        mu = None
        if intercepts is not None:
            mvec = np.zeros(self.m)
            mvec[:self.p] = intercepts
            mu = FB @ mvec
        return sigma, mu, A, S, B

    def derivatives(self, theta, intercepts=None):
        """dΣ/dθ (q, p, p) and, with intercepts, dμ/dθ (q, p); intercept derivatives separate."""
        A, S = self.matrices(theta)
        B = np.linalg.inv(np.eye(self.m) - A)
        FB = self.F @ B
        FO = FB @ S @ B.T                      # F Ω, Ω = B S B'
        d = np.zeros((self.q, self.p, self.p))
        dmu = np.zeros((self.q, self.p))
        if len(self._a):
            i, j, k = self._a.T
            t = np.einsum("pa,qa->apq", FB[:, i], FO[:, j])
            np.add.at(d, k, t + t.transpose(0, 2, 1))
            if intercepts is not None:
                mvec = np.zeros(self.m)
                mvec[:self.p] = intercepts
                bm = B @ mvec
                np.add.at(dmu, k, (FB[:, i] * bm[j]).T)
        if len(self._s):
            i, j, k = self._s.T
            t = np.einsum("pa,qa->apq", FB[:, i], FB[:, j])
            t = t + np.where((i != j)[:, None, None], t.transpose(0, 2, 1), 0.0)
            np.add.at(d, k, t)
        return d, dmu

    def start(self, s):
        """lavaan-like simple starting values, loadings from the marker's covariances."""
        theta = np.zeros(self.q)
        var = np.diag(s)
        obs_idx = {v: k for k, v in enumerate(self.obs)}
        lat_var = {}
        for f in self.lat:
            loads = [par for par in self.params if par.op == "=~" and par.lhs == f]
            marker = next((par.rhs for par in loads if par.free < 0 and par.value != 0), None)
            others = [par.rhs for par in loads if par.rhs != marker and par.rhs in obs_idx]
            shared = all(any(x.op == "=~" and x.rhs == par.rhs and x.lhs != f for x in self.params)
                         for par in loads)
            if shared:          # a method factor: start small, loadings 1 (lavaan "simple")
                lat_var[f] = None
            elif marker in obs_idx and others:
                c = [s[obs_idx[marker], obs_idx[o]] for o in others]
                lat_var[f] = max(abs(float(np.mean(c))), 0.05 * var[obs_idx[marker]])
            else:
                lat_var[f] = 0.05
        for par in self.params:
            if par.free < 0:
                continue
            if not np.isnan(par.value) and par.mat == "A" and par.op == "~":
                theta[par.free] = par.value
            elif par.op == "=~":
                marker = next((x.rhs for x in self.params if x.op == "=~" and x.lhs == par.lhs
                               and x.free < 0 and x.value != 0), None)
                if not np.isnan(par.value):
                    theta[par.free] = par.value
                elif lat_var.get(par.lhs, 0.05) is None:
                    theta[par.free] = 1.0
                elif marker in obs_idx and par.rhs in obs_idx:
                    theta[par.free] = s[obs_idx[marker], obs_idx[par.rhs]] / lat_var[par.lhs]
                else:
                    theta[par.free] = 1.0
            elif par.mat == "S":
                if not np.isnan(par.value):
                    theta[par.free] = par.value
                elif par.lhs == par.rhs:
                    if par.lhs in obs_idx:
                        theta[par.free] = 0.5 * var[obs_idx[par.lhs]]
                    else:
                        start = lat_var.get(par.lhs, 0.05)
                        theta[par.free] = 0.05 if start is None or par.lhs in self.endogenous else start
        return theta

    def fix_x(self, s):
        """Fix the covariate moments at the sample values (fixed.x)."""
        self._cache = None
        obs_idx = {v: k for k, v in enumerate(self.obs)}
        for par in self.params:
            if par.mat == "S" and par.lhs in self.x and par.rhs in self.x and par.free < 0:
                par.value = s[obs_idx[par.lhs], obs_idx[par.rhs]]

    # -- the same, for a stack of parameter vectors (the vectorised bootstrap)
    def matrices_batch(self, thetas):
        """A and S of every row of ``thetas`` (b, q): two (b, m, m) stacks."""
        if getattr(self, "_cache", None) is None:
            self._index()
        isa, ij, free, fixed = self._cache
        b = len(thetas)
        vals = np.broadcast_to(fixed, (b, len(fixed))).copy()
        vals[:, free >= 0] = thetas[:, free[free >= 0]]
        A = np.zeros((b, self.m, self.m))
        S = np.zeros((b, self.m, self.m))
        A[:, ij[isa, 0], ij[isa, 1]] = vals[:, isa]
        S[:, ij[~isa, 0], ij[~isa, 1]] = vals[:, ~isa]
        S[:, ij[~isa, 1], ij[~isa, 0]] = vals[:, ~isa]
        return A, S

    def implied_batch(self, thetas):
        """Σ (b, p, p), S, (I − A)⁻¹ and F(I − A)⁻¹ of a stack; ``ok`` is False where I − A
        is singular (those rows get I − A := I, to be discarded by the caller)."""
        A, S = self.matrices_batch(thetas)
        ia = np.eye(self.m) - A
        ok = np.linalg.slogdet(ia)[0] != 0
        ia[~ok] = np.eye(self.m)
        binv = np.linalg.inv(ia)
        fb = binv[:, :self.p, :]                 # F selects the observed (first p) rows
        return fb @ S @ fb.transpose(0, 2, 1), S, binv, fb, ok

    def rank_two_factors(self, S, binv, fb):
        """dΣ/dθ of a stack in factored form: every parameter row r (free ones, in
        ``self._a`` then ``self._s`` order) has dΣ_r = c_r (u_r v_r' + v_r u_r'), with u, v
        (b, p, rows) columns of F(I−A)⁻¹ and FΩ (Ω = (I−A)⁻¹S(I−A)⁻ᵀ) and c_r = ½ for a
        variance, 1 otherwise; ``onehot`` (rows, q) maps rows to θ (equal labels share)."""
        fo = fb @ S @ binv.transpose(0, 2, 1)
        parts = [(fb[:, :, i], second[:, :, j], np.where((i == j) & is_s, 0.5, 1.0), k)
                 for part, second, is_s in ((self._a, fo, False), (self._s, fb, True))
                 if len(part) for i, j, k in [part.T]]
        u, v, c, k = (np.concatenate(z, axis=-1) for z in zip(*parts))
        onehot = np.zeros((len(k), self.q))
        onehot[np.arange(len(k)), k] = 1.0
        return u, v, c, onehot


# --------------------------------------------------------------------------- estimation
def _fiml_patterns(x):
    """Group rows by missing-data pattern: (observed columns, n, mean, N-divisor cov)."""
    mask = ~np.isnan(x)
    keys, inverse = np.unique(mask, axis=0, return_inverse=True)
    out = []
    for k, key in enumerate(keys):
        if not key.any():
            continue
        rows = x[inverse.ravel() == k][:, key]
        mean = rows.mean(axis=0)
        cov = np.cov(rows, rowvar=False, ddof=0).reshape(key.sum(), key.sum())
        out.append((np.flatnonzero(key), len(rows), mean, cov))
    return out


def _fiml_value(patterns, sigma, mu, n):
    total = 0.0
    for o, k, mean, cov in patterns:
        so = sigma[np.ix_(o, o)]
        sign, logdet = np.linalg.slogdet(so)
        if sign <= 0:
            return np.inf
        d = mean - mu[o]
        total += k * (len(o) * np.log(2 * np.pi) + logdet +
                      np.trace(np.linalg.solve(so, cov + np.outer(d, d))))
    return total / n         # −2 logL / N


def _fiml_grad_parts(patterns, sigma, mu, n):
    """∂(−2logL/N)/∂Σ (p×p) and ∂/∂μ (p)."""
    p = sigma.shape[0]
    g_s = np.zeros((p, p))
    g_m = np.zeros(p)
    for o, k, mean, cov in patterns:
        w = np.linalg.inv(sigma[np.ix_(o, o)])
        d = mean - mu[o]
        c = cov + np.outer(d, d)
        g_s[np.ix_(o, o)] += k * (w - w @ c @ w)
        g_m[o] += -2 * k * (w @ d)
    return g_s / n, g_m / n


class _Problem:
    """Objective −2logL/N up to a constant (ML: F_ML; FIML: casewise), gradient, metric."""

    def __init__(self, spec, s, n, patterns=None):
        self.spec, self.s, self.n, self.patterns = spec, s, n, patterns
        self.fiml = patterns is not None
        self.logdet_s = np.linalg.slogdet(s)[1] if not self.fiml else 0.0
        self.k = spec.q + (spec.p if self.fiml else 0)

    def split(self, x):
        return (x[:self.spec.q], x[self.spec.q:]) if self.fiml else (x, None)

    def value(self, x):
        theta, nu = self.split(x)
        try:
            sigma, mu = self.spec.implied(theta, nu)[:2]
        except np.linalg.LinAlgError:
            return np.inf
        if self.fiml:
            return _fiml_value(self.patterns, sigma, mu, self.n)
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return np.inf
        return logdet + np.trace(np.linalg.solve(sigma, self.s)) - self.logdet_s - self.spec.p

    def jac(self, x):
        """dΣ (k, p, p), dμ (k, p) over all parameters (θ then intercepts)."""
        theta, nu = self.split(x)
        d, dmu = self.spec.derivatives(theta, nu)
        if self.fiml:
            p = self.spec.p
            d = np.concatenate([d, np.zeros((p, p, p))])
            fb = self.spec.F @ np.linalg.inv(np.eye(self.spec.m) - self.spec.matrices(theta)[0])
            dmu = np.concatenate([dmu, fb[:, :p].T])
        return d, dmu

    def grad_metric(self, x):
        theta, nu = self.split(x)
        sigma, mu = self.spec.implied(theta, nu)[:2]
        d, dmu = self.jac(x)
        w = np.linalg.inv(sigma)
        wd = np.matmul(w, d)                       # (k, p, p): W dΣ_k
        k = len(wd)
        metric = wd.reshape(k, -1) @ wd.transpose(0, 2, 1).reshape(k, -1).T   # tr(W dΣ_k W dΣ_l)
        if self.fiml:
            g_s, g_m = _fiml_grad_parts(self.patterns, sigma, mu, self.n)
            grad = d.reshape(len(d), -1) @ g_s.ravel() + dmu @ g_m
            metric = metric + 2 * dmu @ w @ dmu.T
        else:
            g_s = w - w @ self.s @ w
            grad = d.reshape(len(d), -1) @ g_s.ravel()
        return grad, metric

    def minimise(self, x0, max_iter=500, tol=1e-10, step_tol=1e-7):
        x = x0.copy()
        f = self.value(x)
        if not np.isfinite(f):
            raise ModelFitError("the starting values give a non-positive-definite implied "
                                "covariance matrix", hint="give start values, e.g. 'start(0.5)*x2'")
        for it in range(max_iter):
            g, metric = self.grad_metric(x)
            try:
                step = -np.linalg.solve(metric + 1e-10 * np.eye(len(x)), g)
            except np.linalg.LinAlgError:
                step = -g
            t = 1.0
            while True:
                f_new = self.value(x + t * step)
                if np.isfinite(f_new) and f_new <= f + 1e-4 * t * (g @ step):
                    break
                t *= 0.5
                if t < 1e-10:
                    break
            if t < 1e-10:
                return x, f, it, bool(np.max(np.abs(g)) < 1e-6)
            x = x + t * step
            done = abs(f - f_new) < tol * (1 + abs(f)) and np.max(np.abs(t * step)) < step_tol
            f = f_new
            if done:
                return x, f, it, True
        return x, f, max_iter, False

    def minimise_lm(self, x0, max_iter=3000, tol=1e-12):
        """Levenberg–Marquardt-damped Fisher scoring, the fallback for ill-conditioned
        models (e.g. a method factor competing with the traits)."""
        x = x0.copy()
        f = self.value(x)
        lam = 1e-3
        for it in range(max_iter):
            g, metric = self.grad_metric(x)
            if np.max(np.abs(g)) < 1e-7:
                return x, f, it, True
            dm = np.diag(np.diag(metric))
            while lam < 1e12:
                try:
                    step = -np.linalg.solve(metric + lam * dm, g)
                except np.linalg.LinAlgError:
                    lam *= 10
                    continue
                f_new = self.value(x + step)
                if np.isfinite(f_new) and f_new < f:
                    x, f = x + step, f_new
                    lam = max(lam / 10, 1e-12)
                    break
                lam *= 10
            else:
                g = self.grad_metric(x)[0]
                return x, f, it, bool(np.max(np.abs(g)) < 1e-6)
        g = self.grad_metric(x)[0]
        return x, f, max_iter, bool(np.max(np.abs(g)) < 1e-6)

    def hessian(self, x, h=1e-5):
        """Numerical Hessian of −2logL/N from the analytic gradient (central differences)."""
        k = len(x)
        out = np.zeros((k, k))
        for a in range(k):       # k ≤ a few dozen gradient evaluations
            e = np.zeros(k)
            e[a] = h * max(1.0, abs(x[a]))
            out[a] = (self.grad_metric(x + e)[0] - self.grad_metric(x - e)[0]) / (2 * e[a])
        return (out + out.T) / 2


def _ml_value_batch(spec, thetas, covs, logdet_s):
    """F_ML of every (θ_b, S_b) pair; +inf where Σ(θ_b) is not positive definite."""
    sigma, *_, ok = spec.implied_batch(thetas)
    sign, logdet = np.linalg.slogdet(sigma)
    ok = ok & (sign > 0)
    sigma[~ok] = np.eye(spec.p)
    f = logdet + np.trace(np.linalg.solve(sigma, covs), axis1=1, axis2=2) - logdet_s - spec.p
    return np.where(ok, f, np.inf)


def _ml_grad_metric_batch(spec, thetas, covs):
    """Gradient (b, q) and Fisher metric tr(W dΣ_k W dΣ_l) (b, q, q) of F_ML, as
    :meth:`_Problem.grad_metric` for each row of the stack, without forming the (b, q, p, p)
    derivatives: with dΣ_r = c_r(u_r v_r' + v_r u_r') and W = Σ⁻¹, G = W − WSW,
    ∂F/∂θ_r = 2 c_r u_r'G v_r and tr(W dΣ_r W dΣ_s) = 2 c_r c_s [(u_r'Wu_s)(v_r'Wv_s) +
    (u_r'Wv_s)(v_r'Wu_s)]."""
    sigma, S, binv, fb, _ = spec.implied_batch(thetas)
    u, v, c, onehot = spec.rank_two_factors(S, binv, fb)
    w = np.linalg.inv(sigma)
    g = w - w @ covs @ w
    ut = u.transpose(0, 2, 1)
    grad = 2 * c * np.einsum("bpr,bpr->br", u, g @ v)
    wu, wv = w @ u, w @ v
    m_uu, m_vv, m_uv = ut @ wu, v.transpose(0, 2, 1) @ wv, ut @ wv
    metric = 2 * np.outer(c, c) * (m_uu * m_vv + m_uv * m_uv.transpose(0, 2, 1))
    return grad @ onehot, onehot.T @ metric @ onehot


def _fit_ml_batch(spec, covs, theta0, max_iter=500, step_tol=1e-9):
    """ML estimates for a stack of covariance matrices (b, p, p) at once.

    Fisher scoring with Armijo step halving, exactly :meth:`_Problem.minimise`'s step, run on
    all resamples together (batched solves), each started at ``theta0`` (the full-sample
    estimates).  A resample is converged when its largest step is below ``step_tol``, or
    when step halving stalls at a gradient below 1e-8; converged resamples leave the batch.
    Returns the estimates (b, q), the converged mask and the iterations used.
    """
    b, q = len(covs), spec.q
    theta = np.repeat(theta0[None, :], b, axis=0)
    logdet_s = np.linalg.slogdet(covs)[1]
    f = _ml_value_batch(spec, theta, covs, logdet_s)
    done = np.zeros(b, bool)
    failed = ~np.isfinite(f)
    ridge = 1e-10 * np.eye(q)
    it = 0
    for it in range(1, max_iter + 1):          # iterations, each over the whole stack
        act = np.flatnonzero(~done & ~failed)
        if not len(act):
            break
        th, cv, fa = theta[act], covs[act], f[act]
        grad, metric = _ml_grad_metric_batch(spec, th, cv)
        step = -np.linalg.solve(metric + ridge, grad[..., None])[..., 0]
        slope = np.einsum("bk,bk->b", grad, step)
        # Armijo step halving as minimise: the full step for all, then the whole ladder
        # t = ½ … 2⁻³³ for the few that fail, in one evaluation; the largest accepted t wins
        t = np.ones(len(act))
        f_new = _ml_value_batch(spec, th + step, cv, logdet_s[act])
        pending = ~(np.isfinite(f_new) & (f_new <= fa + 1e-4 * slope))
        ladder = 0.5 ** np.arange(1, 34)
        failing = np.flatnonzero(pending)
        for lo in range(0, len(failing), 64):    # 64 × 33 candidates at a time (memory)
            sub = failing[lo:lo + 64]
            cand = th[sub, None, :] + ladder[None, :, None] * step[sub, None, :]
            fn = _ml_value_batch(spec, cand.reshape(-1, q), np.repeat(cv[sub], len(ladder), axis=0),
                                 np.repeat(logdet_s[act[sub]], len(ladder))).reshape(len(sub), -1)
            accept = np.isfinite(fn) & (fn <= fa[sub, None] + 1e-4 * ladder * slope[sub, None])
            first = np.argmax(accept, axis=1)
            hit = accept[np.arange(len(sub)), first]
            t[sub[hit]] = ladder[first[hit]]
            f_new[sub[hit]] = fn[hit, first[hit]]
            pending[sub[hit]] = False
        stalled = pending
        small_grad = np.max(np.abs(grad), axis=1) < 1e-8
        done[act[stalled & small_grad]] = True
        failed[act[stalled & ~small_grad]] = True
        moved = ~stalled
        theta[act[moved]] = th[moved] + t[moved, None] * step[moved]
        f[act[moved]] = f_new[moved]
        done[act[moved & (np.max(np.abs(t[:, None] * step), axis=1) < step_tol)]] = True
    return theta, done, it


def _boot_covariances(x, counts):
    """N-divisor covariance matrices of resamples given as counts (b, n): one matrix product."""
    n, p = x.shape
    w = counts / n
    means = w @ x
    second = (w @ (x[:, :, None] * x[:, None, :]).reshape(n, p * p)).reshape(-1, p, p)
    return second - means[:, :, None] * means[:, None, :]


def _em_saturated(x, max_iter=5000, tol=1e-10):
    """Unrestricted normal ML means and covariance with missing data (EM, by pattern)."""
    n, p = x.shape
    mask = ~np.isnan(x)
    mu = np.nanmean(x, axis=0)
    sigma = np.diag(np.nanvar(x, axis=0))
    keys, inverse = np.unique(mask, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    groups = [(key, x[inverse == k]) for k, key in enumerate(keys) if key.any()]
    for _ in range(max_iter):
        t1 = np.zeros(p)
        t2 = np.zeros((p, p))
        for key, rows in groups:
            o, mis = np.flatnonzero(key), np.flatnonzero(~key)
            filled = np.empty((len(rows), p))
            filled[:, o] = rows[:, o]
            extra = np.zeros((p, p))
            if len(mis):
                beta = np.linalg.solve(sigma[np.ix_(o, o)], sigma[np.ix_(o, mis)])
                filled[:, mis] = mu[mis] + (rows[:, o] - mu[o]) @ beta
                extra[np.ix_(mis, mis)] = len(rows) * (sigma[np.ix_(mis, mis)] - sigma[np.ix_(mis, o)] @ beta)
            t1 += filled.sum(axis=0)
            t2 += filled.T @ filled + extra
        mu_new = t1 / n
        sigma_new = t2 / n - np.outer(mu_new, mu_new)
        delta = max(np.max(np.abs(mu_new - mu)), np.max(np.abs(sigma_new - sigma)))
        mu, sigma = mu_new, sigma_new
        if delta < tol:
            break
    return mu, sigma


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class SEMResult:
    """A fitted structural equation model.

    Attributes
    ----------
    fit : dict
        Exactly :data:`crmstudy.sem_fit.FIT_KEYS` (lavaan ``fitMeasures`` names with ``.``
        written ``_``; ``rmsea_ci_low/high`` = ``rmsea.ci.lower/upper``).  Under MLR these are
        still the ML (unscaled) statistics, as lavaan's ``chisq``, ``cfi`` …
    fit_details : dict
        ``n, npar, loglik, loglik_h1, baseline_chisq, baseline_df, iterations,
        max_abs_gradient`` and, for MLR, lavaan's ``chisq.scaled`` … written ``chisq_scaled,
        pvalue_scaled, scaling_factor, baseline_chisq_scaled, baseline_scaling_factor,
        cfi_scaled, tli_scaled, rmsea_scaled, rmsea_ci_low_scaled, rmsea_ci_high_scaled`` and
        (complete data only) ``cfi_robust, tli_robust, rmsea_robust, rmsea_ci_low_robust,
        rmsea_ci_high_robust``.
    estimates : DataFrame
        ``lhs, op, rhs, label, est, se, z, p, std_all`` (lavaan ``parameterEstimates`` with
        ``standardizedSolution``'s ``est.std``); fixed parameters have NaN ``se`` (lavaan: 0);
        with FIML also the intercepts (``op == "~1"``); defined parameters (``:=``) last.
    r2 : Series
        R² of every endogenous variable (indicators included, as lavaan's ``inspect(fit, "r2")``).
    implied_cov, sample_cov : DataFrame
    conventions : dict
    """

    model: str
    estimates: pd.DataFrame
    fit: dict
    fit_details: dict
    r2: pd.Series
    n: int
    implied_cov: pd.DataFrame = field(repr=False)
    sample_cov: pd.DataFrame = field(repr=False)
    conventions: dict = field(default_factory=dict)
    _state: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def indirect(self) -> pd.DataFrame:
        """Defined parameters (``:=``): estimate, delta-method SE, z, p, standardised."""
        return self.estimates[self.estimates["op"] == ":="].reset_index(drop=True)

    def fit_table(self, lang: str = "en", thresholds: Mapping | None = None) -> pd.DataFrame:
        """Fit indices with thresholds and whether each is met (``lang`` headers)."""
        return fit_table(self.fit, lang, thresholds)

    def table(self, lang: str = "en", ops=("=~", "~", "~~", ":=")) -> pd.DataFrame:
        """Estimates with ``lang`` headers (unstandardised and standardised side by side)."""
        lab = SEM_LABELS[_lang(lang)]
        est = self.estimates[self.estimates["op"].isin(ops)]
        cols = ["lhs", "op", "rhs", "est", "se", "z", "p", "std_all"]
        extra = [c for c in ("ci_low", "ci_high") if c in est]
        return est[cols + extra].rename(columns={c: lab[c] for c in cols + extra}).reset_index(drop=True)

    def r2_table(self, lang: str = "en") -> pd.DataFrame:
        lab = SEM_LABELS[_lang(lang)]
        return self.r2.rename(lab["r2"]).rename_axis(lab["variable"]).to_frame()

    def paths_text(self, lang: str = "en", labels: Mapping | None = None) -> str:
        """Write-up of the structural paths and defined (indirect) effects, zh or en.

        One clause per regression path: standardised coefficient β (std.all), its p value
        and whether it is significant at .05; then each defined parameter with its estimate
        and delta-method test (bootstrap CIs are in the table :meth:`bootstrap` returns).
        ``labels`` maps variable names to display names.
        """
        _lang(lang)
        labels = labels or {}
        name = lambda v: str(labels.get(v, v))
        fmt_p = partial(p_text, style="apa", lang=lang)  # APA form in both languages, as before
        parts = []
        for rec in self.estimates[self.estimates["op"] == "~"].itertuples():
            sig = rec.p < 0.05
            if lang == "en":
                parts.append(f"{name(rec.rhs)} → {name(rec.lhs)}: β = {rec.std_all:.3f}, "
                             f"{fmt_p(rec.p)} ({'significant' if sig else 'not significant'})")
            else:
                parts.append(f"{name(rec.rhs)}对{name(rec.lhs)}的标准化路径系数β = {rec.std_all:.3f}，"
                             f"{fmt_p(rec.p)}（{'显著' if sig else '不显著'}）")
        for rec in self.indirect.itertuples():
            if lang == "en":
                parts.append(f"{rec.lhs} = {rec.est:.3f} (standardised {rec.std_all:.3f}), "
                             f"delta-method SE = {rec.se:.3f}, {fmt_p(rec.p)}")
            else:
                parts.append(f"{rec.lhs} = {rec.est:.3f}（标准化 {rec.std_all:.3f}），"
                             f"Delta法标准误 = {rec.se:.3f}，{fmt_p(rec.p)}")
        if not parts:
            return ""
        return ("; ".join(parts) + ".") if lang == "en" else ("；".join(parts) + "。")

    def summary(self, lang: str = "en") -> dict:
        """Fit table, estimates, R² and the write-up sentence."""
        return {"fit": self.fit_table(lang), "estimates": self.table(lang),
                "r2": self.r2_table(lang), "text": fit_sentence(self.fit, lang),
                "paths_text": self.paths_text(lang)}

    def plot(self, lang: str = "zh", **kwargs):
        """Path diagram (:func:`crmstudy.plotting.sem.path_diagram`)."""
        from .plotting.sem import path_diagram   # plotting depends on results, not back
        return path_diagram(self, lang, **kwargs)

    def bootstrap(self, n_boot: int = 500, seed: int | None = None, level: float = 0.95,
                  ci: str = "percentile") -> pd.DataFrame:
        """Bootstrap CIs (percentile, or bias-corrected ``ci="bc"``) of every free and
        defined parameter.

        Resample b is row b of ``rng.multinomial(n, [1/n]*n, n_boot)`` (resampling counts,
        ``rng = numpy.random.default_rng(seed)``), drawn in chunks of resamples (bounded
        memory; the draws do not depend on the chunking).  Each chunk's covariance matrices
        come from one matrix product, and the ML refits of all its resamples run together:
        Fisher scoring with step halving on stacks of implied covariance matrices,
        gradients and information matrices (batched ``numpy.linalg.solve``), every resample
        started at the full-sample estimates and leaving the batch when its largest step is
        below 1e-9.  A resample not converged in 500 iterations (Fisher scoring converges
        linearly when the resample misfits) is refitted alone by the former one-model path
        (:meth:`_Problem.minimise`, 100 iterations, steps < 1e-6), with a :class:`DataQualityWarning`
        (``attrs["refitted"]``); if that fails too it is dropped (``attrs["converged"]``
        counts the rest).  Defined parameters (``:=``) are evaluated on all draws at once.
        ``n_boot`` is modest by default (500; use 2,000+ for a thesis).  Complete data
        only: a result fitted with ``missing="fiml"`` raises :class:`ParameterError`.  The
        point estimates are ML in every resample (MLR has the same point estimates);
        covariate moments stay fixed at the full-sample values (fixed.x).
        Returns ``estimates`` with ``boot_se, ci_low, ci_high`` for the free and defined rows;
        ``attrs`` holds ``n_boot, converged, refitted, seed, level, ci``, the ``draws`` (one
        row per converged resample, indexed by its number 0 … n_boot − 1, one column per
        parameter row) and ``std_draws``, the
        same draws standardised (std.all, as the ``std_all`` column), computed for all
        resamples at once.
        """
        return self._bootstrap(n_boot, seed, level, ci, engine="batch")

    def _bootstrap_loop(self, n_boot: int = 500, seed: int | None = None, level: float = 0.95,
                        ci: str = "percentile") -> pd.DataFrame:
        """:meth:`bootstrap` with one Fisher-scoring refit per resample in a Python loop (the
        former implementation, kept as the reference the vectorised path is tested and
        benchmarked against); same resamples for the same seed."""
        return self._bootstrap(n_boot, seed, level, ci, engine="loop")

    def _bootstrap(self, n_boot, seed, level, ci, engine):
        st = self._state
        if st.get("fiml"):
            raise ParameterError("bootstrap is implemented for complete data (missing='listwise')")
        if ci not in ("percentile", "bc"):
            raise ParameterError(f"ci must be 'percentile' or 'bc', got {ci!r}")
        if not isinstance(n_boot, (int, np.integer)) or n_boot < 50:
            raise ParameterError(f"n_boot must be an integer ≥ 50, got {n_boot!r}")
        spec, x, theta = st["spec"], st["x"], st["theta"]
        n, p = x.shape
        rng = np.random.default_rng(seed)
        # memory bound (~64 MB): per resample the (rows, rows) information blocks, the
        # (p, rows) derivative factors, the (m, m) RAM matrices and the n counts
        r, m = len(spec.params), spec.m
        per = 8 * (4 * r * r + 6 * p * r + 8 * m * m + n)
        chunk = int(np.clip(64e6 // per, 1, n_boot))
        thetas, ok = [], []
        refitted = 0
        for start in range(0, n_boot, chunk):    # chunks of resamples, not resamples
            size = min(chunk, n_boot - start)
            covs = _boot_covariances(x, rng.multinomial(n, np.full(n, 1.0 / n), size=size))
            if engine == "batch":
                th, conv, _ = _fit_ml_batch(spec, covs, theta, max_iter=500)
            else:
                th, conv = np.empty((size, spec.q)), np.zeros(size, bool)
            redo = np.arange(size) if engine == "loop" else np.flatnonzero(~conv)
            refitted += len(redo) if engine == "batch" else 0
            for b in redo:      # the loop engine, or the few the batch did not converge
                prob = _Problem(spec, covs[b], n)
                th[b], _, _, conv[b] = prob.minimise(theta, max_iter=100, tol=1e-9, step_tol=1e-6)
            thetas.append(th)
            ok.append(conv)
        if refitted:
            warnings.warn(f"SEM bootstrap: {refitted} of {n_boot} resamples did not converge in "
                          "500 vectorised Fisher-scoring iterations and were refitted one by one",
                          DataQualityWarning, stacklevel=3)
        kept = np.flatnonzero(np.concatenate(ok))        # resample numbers of the draws
        good_theta = np.concatenate(thetas)[kept]
        good = _row_values_batch(spec, good_theta)
        alpha = (1 - level) / 2
        est = self.estimates.copy()
        keys = _row_keys(spec)
        if ci == "percentile":
            lo, hi = np.nanquantile(good, [alpha, 1 - alpha], axis=0)
        else:       # bias-corrected (Efron 1981; PROCESS's "bc"): shifted percentiles
            point = _row_values(spec, theta)
            z0 = stats.norm.ppf(np.clip((good < point).mean(axis=0), 1 / (2 * len(good)),
                                        1 - 1 / (2 * len(good))))
            za = stats.norm.ppf(alpha)
            p_lo, p_hi = stats.norm.cdf(2 * z0 + za), stats.norm.cdf(2 * z0 - za)
            lo = np.array([np.nanquantile(good[:, k], p_lo[k]) for k in range(good.shape[1])])
            hi = np.array([np.nanquantile(good[:, k], p_hi[k]) for k in range(good.shape[1])])
        sd = np.nanstd(good, axis=0, ddof=1)
        est["boot_se"], est["ci_low"], est["ci_high"] = np.nan, np.nan, np.nan
        for k, key in enumerate(keys):
            mask = (est["lhs"] == key[0]) & (est["op"] == key[1]) & (est["rhs"] == key[2])
            if key[1] == ":=" or not np.isnan(est.loc[mask, "se"]).all():
                est.loc[mask, ["boot_se", "ci_low", "ci_high"]] = [sd[k], lo[k], hi[k]]
        est.attrs.update(n_boot=n_boot, converged=len(good), refitted=refitted, seed=seed,
                         level=level, ci=ci,
                         draws=pd.DataFrame(good, columns=pd.MultiIndex.from_tuples(keys),
                                            index=pd.Index(kept, name="resample")),
                         std_draws=pd.DataFrame(_standardised_batch(spec, good_theta),
                                                columns=pd.MultiIndex.from_tuples(keys),
                                                index=pd.Index(kept, name="resample")))
        return est


def _lang(lang):
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
    return lang


def _compare(value, op, bound):
    return {">=": np.greater_equal, "<=": np.less_equal, "<": np.less, ">": np.greater}[op](value, bound)


def fit_table(fit: Mapping, lang: str = "en", thresholds: Mapping | None = None) -> pd.DataFrame:
    """Fit indices (keys of :data:`FIT_KEYS` present in ``fit``) with thresholds and verdicts.

    An undefined value (NaN, e.g. χ²/df of a saturated model) gets no verdict ("—"), never
    "not acceptable".
    """
    lab = SEM_LABELS[_lang(lang)]
    limits = {**FIT_THRESHOLDS, **(thresholds or {})}
    yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
    rows = []
    for key in FIT_KEYS:
        if key not in fit:
            continue
        value = fit[key]
        rule, ok = "", ""
        if key in limits:
            op, bound = limits[key]
            rule = f"{op} {bound:g}"
            ok = "—" if value is None or not np.isfinite(value) else (yes if _compare(value, op, bound) else no)
        rows.append({lab["index"]: FIT_LABELS[key], lab["value"]: value, lab["threshold"]: rule,
                     lab["ok"]: ok})
    return pd.DataFrame(rows).set_index(lab["index"])


def fit_sentence(fit: Mapping, lang: str = "en") -> str:
    """One write-up sentence listing the fit indices with their thresholds (zh or en)."""
    _lang(lang)
    f = {k: fit.get(k, float("nan")) for k in FIT_KEYS}
    p = "p < .001" if f["pvalue"] < 0.001 else f"p = {f['pvalue']:.3f}"
    if lang == "en":
        return (f"The model fits the data as follows: χ²({f['df']}) = {f['chisq']:.2f}, {p}, "
                f"χ²/df = {f['chisq_df']:.2f} (≤ 3), GFI = {f['gfi']:.3f} (≥ 0.90), "
                f"AGFI = {f['agfi']:.3f} (≥ 0.80), NFI = {f['nfi']:.3f} (≥ 0.90), "
                f"IFI = {f['ifi']:.3f} (≥ 0.90), TLI = {f['tli']:.3f} (≥ 0.90), "
                f"CFI = {f['cfi']:.3f} (≥ 0.90), RMSEA = {f['rmsea']:.3f} "
                f"[90% CI {f['rmsea_ci_low']:.3f}, {f['rmsea_ci_high']:.3f}] (≤ 0.08), "
                f"SRMR = {f['srmr']:.3f} (≤ 0.08).")
    return (f"模型拟合结果为：χ²({f['df']}) = {f['chisq']:.2f}，{p}，χ²/df = {f['chisq_df']:.2f}"
            f"（标准 ≤ 3），GFI = {f['gfi']:.3f}（≥ 0.90），AGFI = {f['agfi']:.3f}（≥ 0.80），"
            f"NFI = {f['nfi']:.3f}（≥ 0.90），IFI = {f['ifi']:.3f}（≥ 0.90），"
            f"TLI = {f['tli']:.3f}（≥ 0.90），CFI = {f['cfi']:.3f}（≥ 0.90），"
            f"RMSEA = {f['rmsea']:.3f}，90%置信区间 [{f['rmsea_ci_low']:.3f}, "
            f"{f['rmsea_ci_high']:.3f}]（≤ 0.08），SRMR = {f['srmr']:.3f}（≤ 0.08）。")


# --------------------------------------------------------------------------- helpers
def _row_keys(spec):
    keys = [(par.lhs, par.op, par.rhs) for par in spec.params]
    return keys + [(s.lhs, ":=", s.expression) for s in spec.defined]


def _eval_defined(spec, values_by_label):
    env = dict(values_by_label)
    out = []
    for s in spec.defined:
        val = float(eval(compile(ast.parse(s.expression.replace("^", "**"), mode="eval"),
                                 "<:=>", "eval"), {"__builtins__": {}, **_FUNCS}, env))
        env[s.lhs] = val
        out.append(val)
    return out


def _labels(spec, theta, values=None):
    out = {}
    for par in spec.params:
        if par.label:
            out[par.label] = (theta[par.free] if par.free >= 0 else par.value) if values is None else values[par.label]
    return out


def _row_values(spec, theta):
    vals = [theta[par.free] if par.free >= 0 else par.value for par in spec.params]
    return np.array(vals + _eval_defined(spec, _labels(spec, theta)))


def _with_defined_batch(spec, vals):
    """Append the defined parameters (``:=``) to per-row values (b, rows), evaluated on whole
    columns (the labels' columns) at once."""
    b = len(vals)
    env = {par.label: vals[:, k] for k, par in enumerate(spec.params) if par.label}
    cols = [vals]
    for s in spec.defined:
        val = eval(compile(ast.parse(s.expression.replace("^", "**"), mode="eval"), "<:=>", "eval"),
                   {"__builtins__": {}, **_FUNCS}, env)
        env[s.lhs] = np.broadcast_to(np.asarray(val, float), (b,))
        cols.append(env[s.lhs][:, None])
    return np.hstack(cols)


def _row_values_batch(spec, thetas):
    """:func:`_row_values` of every row of ``thetas`` (b, q): (b, rows + defined)."""
    thetas = np.asarray(thetas, float).reshape(-1, spec.q)
    b = len(thetas)
    vals = np.column_stack([thetas[:, par.free] if par.free >= 0 else np.full(b, par.value)
                            for par in spec.params])
    return _with_defined_batch(spec, vals)


def _standardised_batch(spec, thetas):
    """std.all of every parameter row and defined parameter (:func:`_standardised`'s first
    value) for every row of ``thetas`` (b, q) at once."""
    thetas = np.asarray(thetas, float).reshape(-1, spec.q)
    A, S = spec.matrices_batch(thetas)
    binv = np.linalg.inv(np.eye(spec.m) - A)
    total = ((binv @ S) * binv).sum(axis=-1)           # diag(B S B'), (b, m)
    sd = np.sqrt(total)
    raw = _row_values_batch(spec, thetas)[:, :len(spec.params)]
    i = np.array([par.i for par in spec.params])
    j = np.array([par.j for par in spec.params])
    is_a = np.array([par.mat == "A" for par in spec.params])
    with np.errstate(invalid="ignore", divide="ignore"):   # a Heywood resample gives NaN,
        resid = np.sqrt(S[:, i, i] * S[:, j, j])             # as _standardised does
        std = np.where(is_a, raw * sd[:, j] / sd[:, i],
                       np.where(i == j, raw / total[:, i], raw / resid))
    return _with_defined_batch(spec, std)


def _standardised(spec, theta):
    """lavaan std.all of every parameter row, and R² of the endogenous variables."""
    A, S = spec.matrices(theta)
    B = np.linalg.inv(np.eye(spec.m) - A)
    total = np.diag(B @ S @ B.T)
    sd = np.sqrt(total)
    std = []
    for par in spec.params:
        val = theta[par.free] if par.free >= 0 else par.value
        if par.mat == "A":        # path j -> i
            std.append(val * sd[par.j] / sd[par.i])
        elif par.i == par.j:
            std.append(val / total[par.i])
        else:                     # residual covariance: correlation of the residuals
            std.append(val / np.sqrt(S[par.i, par.i] * S[par.j, par.j]))
    labels = {par.label: std[k] for k, par in enumerate(spec.params) if par.label}
    std += _eval_defined(spec, labels)
    r2 = pd.Series({v: 1 - S[spec.idx[v], spec.idx[v]] / total[spec.idx[v]] for v in spec.endogenous},
                   name="r2", dtype=float)
    return np.array(std), r2


def model_syntax(measurement: Mapping | None = None, regressions: Mapping | None = None, *,
                 covariances=(), defined: Mapping | None = None, label_paths: bool = False) -> str:
    """lavaan syntax from dicts, e.g. a study's constructs and hypothesised paths.

    Parameters
    ----------
    measurement : dict
        Factor -> list of indicators (``f =~ x1 + x2``); a Codebook's ``model`` fits.
    regressions : dict
        Outcome -> list of predictors (``y ~ x1 + x2``).
    covariances : iterable of pairs
        ``(a, b)`` -> ``a ~~ b`` (e.g. correlated residuals).
    defined : dict
        Name -> expression of labels (``ind := a1*b1``).
    label_paths : bool
        Label every regression path ``<predictor>_<outcome>`` so that indirect effects can
        be defined on them.

    Examples
    --------
    >>> print(model_syntax({"X": ["x1", "x2", "x3"]}, {"Y": ["X"]}))
    X =~ x1 + x2 + x3
    Y ~ X
    """
    lines = []
    for f, items in (measurement or {}).items():
        items = [items] if isinstance(items, str) else list(items)
        lines.append(f"{f} =~ " + " + ".join(map(str, items)))
    for y, xs in (regressions or {}).items():
        xs = [xs] if isinstance(xs, str) else list(xs)
        terms = [f"{x}_{y}*{x}" if label_paths else str(x) for x in xs]
        lines.append(f"{y} ~ " + " + ".join(terms))
    for a, b in covariances:
        lines.append(f"{a} ~~ {b}")
    for name, expr in (defined or {}).items():
        lines.append(f"{name} := {expr}")
    if not lines:
        raise ParameterError("model_syntax needs at least one measurement or regression entry")
    return "\n".join(lines)


# --------------------------------------------------------------------------- entry point
def sem(model: str, data: pd.DataFrame, estimator: str = "ML", missing: str = "listwise", *,
        level: float = 0.90, max_iter: int = 500) -> SEMResult:
    """Fit a structural equation model written in lavaan syntax (lavaan 0.6 conventions).

    Parameters
    ----------
    model : str
        lavaan syntax (``=~``, ``~``, ``~~``, ``:=``, modifiers ``1*x``, ``a*x``, ``NA*x``);
        see :mod:`crmstudy.sem_syntax`.
    data : DataFrame
        Raw data, one row per respondent; only the model's observed variables are used.
    estimator : {"ML", "MLR"}
        Normal-theory ML (lavaan ``likelihood = "normal"``, expected-information SEs) or
        MLR (Huber–White SEs, Yuan–Bentler scaled χ² and scaled/robust indices in
        ``fit_details``).
    missing : {"listwise", "fiml"}
        Drop incomplete rows (lavaan's default) or use the casewise likelihood
        (lavaan ``missing = "ml"``/``"fiml"``).
    level : float
        Level of the RMSEA interval (lavaan: 0.90).
    max_iter : int
        Fisher-scoring iterations before the Levenberg–Marquardt fallback (which gets six
        times as many); convergence means a gradient below 1e-7.

    Returns
    -------
    SEMResult

    Raises
    ------
    ParameterError
        Syntax errors (the statement and line quoted), unknown labels, bad options.
    InputDataError
        Unknown variables, non-numeric columns, too few cases.
    ModelFitError
        A non-identified model (more free parameters than moments, or a singular information
        matrix: the parameters involved are named) or no convergence (with what to try).

    Examples
    --------
    The lavaan tutorial's political-democracy model, as ``lavaan::sem(model, data =
    PoliticalDemocracy)``:

    >>> fit = sem('''ind60 =~ x1 + x2 + x3
    ...              dem60 =~ y1 + y2 + y3 + y4
    ...              dem65 =~ y5 + y6 + y7 + y8
    ...              dem60 ~ a*ind60
    ...              dem65 ~ ind60 + b*dem60
    ...              y1 ~~ y5
    ...              ind := a*b''', pd_data)                      # doctest: +SKIP
    >>> fit.fit["cfi"], fit.indirect                              # doctest: +SKIP
    """
    if not 0 < level < 1:
        raise ParameterError(f"level must be between 0 and 1, got {level!r}")
    if not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ParameterError(f"max_iter must be a positive integer, got {max_iter!r}")
    if estimator not in ("ML", "MLR"):
        raise ParameterError(f"estimator must be 'ML' or 'MLR', got {estimator!r}")
    if missing not in ("listwise", "fiml", "ml"):
        raise ParameterError(f"missing must be 'listwise' or 'fiml', got {missing!r}")
    fiml = missing in ("fiml", "ml")
    if not isinstance(data, pd.DataFrame):
        raise InputDataError(f"data must be a DataFrame, got {type(data).__name__}")
    statements = parse_model(model)
    spec = _Spec(statements, data.columns, fixed_x=not fiml)
    frame = data[spec.obs]
    bad = [c for c in spec.obs if not pd.api.types.is_numeric_dtype(frame[c])]
    if bad:
        raise InputDataError(f"column(s) {bad} are not numeric", column=bad[0],
                             hint="recode the answers as numbers")
    x_all = frame.to_numpy(float)
    if fiml:
        keep = ~np.isnan(x_all).all(axis=1)
        x = x_all[keep]
    else:
        keep = ~np.isnan(x_all).any(axis=1)
        x = x_all[keep]
        if keep.sum() < len(x_all):
            warnings.warn(f"SEM uses the {keep.sum()} of {len(x_all)} rows that are complete on "
                          "the model's variables (listwise deletion; missing='fiml' keeps them)",
                          DataQualityWarning, stacklevel=2)
    n, p = x.shape
    if n <= p:
        raise InputDataError(f"{n} usable rows for {p} observed variables: the covariance "
                             "matrix is singular", hint="collect more cases or simplify the model")
    const = [spec.obs[k] for k in range(p) if np.nanstd(x[:, k]) == 0]
    if const:
        raise InputDataError(f"variable(s) {const} are constant", column=const[0],
                             hint="drop constant variables from the model")
    if fiml:
        mu_h1, s = _em_saturated(x)
        patterns = _fiml_patterns(x)
    else:
        mu_h1 = x.mean(axis=0)
        s = np.cov(x, rowvar=False, ddof=0)
        patterns = None
        if np.linalg.eigvalsh(s).min() <= 1e-10 * np.trace(s):
            raise InputDataError("the covariance matrix of the model's variables is singular "
                                 "(a variable is a linear combination of others)",
                                 hint="drop a duplicated or summed variable")
    spec.fix_x(s)
    n_x = len(spec.x)
    moments = p * (p + 1) // 2 - n_x * (n_x + 1) // 2 + (p if fiml else 0)
    npar = spec.q + (p if fiml else 0)
    if npar > moments:
        raise ModelFitError(f"the model is not identified: {npar} free parameters for "
                            f"{moments} sample moments", hint="fix parameters (e.g. '1*x' on a "
                            "loading), drop paths or add indicators")
    for f in spec.lat:
        loads = [par for par in spec.params if par.op == "=~" and par.lhs == f]
        var_f = next(par for par in spec.params if par.op == "~~" and par.lhs == par.rhs == f)
        if len(loads) == 1 and var_f.free >= 0 and loads[0].free < 0:
            ind = loads[0].rhs
            res = next((par for par in spec.params if par.op == "~~" and par.lhs == par.rhs == ind), None)
            if res is not None and res.free >= 0:
                raise ModelFitError(f"latent variable {f!r} has one indicator ({ind!r}) and both "
                                    "its variance and the indicator's residual variance are free: "
                                    "not identified", line=loads[0].line,
                                    hint=f"fix the residual variance (e.g. '{ind} ~~ 0*{ind}') or add indicators")
    problem = _Problem(spec, s, n, patterns)
    x0 = spec.start(s)
    if fiml:
        x0 = np.concatenate([x0, mu_h1])
    est, fval, iters, ok = problem.minimise(x0, max_iter=max_iter)
    if not ok:
        est, fval, more, ok = problem.minimise_lm(x0, max_iter=6 * max_iter)
        iters += more
    def check_identified(point, metric):
        """Empirical identification: a singular information matrix names the parameters."""
        eigval, eigvec = np.linalg.eigh(metric)
        if eigval[0] <= 1e-9 * max(eigval[-1], 1e-12):
            v = np.abs(eigvec[:, 0])
            names = [f"{par.lhs} {par.op} {par.rhs}" for par in spec.params
                     if par.free >= 0 and v[par.free] > 0.2]
            raise ModelFitError("the model is not identified: the information matrix is "
                                f"singular; parameters involved: {names}",
                                hint="fix one of them (e.g. a loading to 1 or a residual variance to 0)")

    if not ok:
        check_identified(est, problem.grad_metric(est)[1])   # often the reason
        raise ModelFitError(f"the model did not converge in {iters} iterations",
                            hint="check the model for a factor whose indicators barely correlate, "
                                 "give start values ('start(0.7)*x2'), raise max_iter, or "
                                 "simplify the model")
    theta, nu = problem.split(est)
    grad, metric = problem.grad_metric(est)
    check_identified(est, metric)
    sigma, mu = spec.implied(theta, nu)[:2]
    # ---- standard errors
    details: dict = {}
    if fiml:
        info = problem.hessian(est) * n / 2
    else:
        info = metric * n / 2
    try:
        acov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        raise ModelFitError("the information matrix cannot be inverted", hint="simplify the model") from None
    if estimator == "MLR" and not fiml:
        acov, c, c_b = _mlr(spec, problem, est, x, s, sigma, n)
    # ---- χ², logL, baseline
    if fiml:
        loglik = -n / 2 * fval
        loglik_h1 = -n / 2 * _fiml_value(patterns, s, mu_h1, n)
        chisq = 2 * (loglik_h1 - loglik)
        # baseline (lavaan): variables independent, except the exogenous covariates, which
        # covary freely; fitted by FIML (univariate moments, EM for the covariate block)
        ov_x = [k for k, v in enumerate(spec.obs) if v in spec.ov_x]
        base_var = np.array([np.nanvar(x[:, k]) for k in range(p)])
        base_cov, base_mean = np.diag(base_var), np.nanmean(x, axis=0)
        if len(ov_x) > 1:
            mu_x, s_x = _em_saturated(x[:, ov_x])
            base_mean[ov_x] = mu_x
            base_cov[np.ix_(ov_x, ov_x)] = s_x
        loglik_b = -n / 2 * _fiml_value(patterns, base_cov, base_mean, n)
        chisq_b = 2 * (loglik_h1 - loglik_b)
        n_xcov = len(ov_x) * (len(ov_x) - 1) // 2 if len(ov_x) > 1 else 0
        df_b = moments - 2 * p - n_xcov
        if estimator == "MLR":
            acov, c, c_b = _mlr_fiml(problem, est, x, s, mu_h1, sigma, mu, base_cov, base_mean,
                                     ov_x, moments - npar, df_b)
    else:
        logdet_s = np.linalg.slogdet(s)[1]
        chisq = n * fval
        loglik_h1 = -n / 2 * (p * np.log(2 * np.pi) + logdet_s + p)
        loglik = loglik_h1 - chisq / 2
        xi = [spec.obs.index(v) for v in spec.x]
        if xi:      # lavaan's logL with fixed.x is conditional on the covariates
            ll_x = -n / 2 * (n_x * np.log(2 * np.pi) + np.linalg.slogdet(s[np.ix_(xi, xi)])[1] + n_x)
            loglik, loglik_h1 = loglik - ll_x, loglik_h1 - ll_x
        base = np.diag(np.diag(s))
        if xi:
            base[np.ix_(xi, xi)] = s[np.ix_(xi, xi)]
        chisq_b = n * (np.linalg.slogdet(base)[1] + np.trace(np.linalg.solve(base, s)) - logdet_s - p)
        df_b = moments - (p - n_x)
    df = moments - npar
    fit = fit_measures(chisq=chisq, df=df, chisq_b=chisq_b, df_b=df_b, n=n, loglik=loglik,
                       npar=npar, s=s, sigma=sigma, mean_s=mu_h1 if fiml else None,
                       mean_sigma=mu if fiml else None, level=level,
                       fixed_x=[spec.obs.index(v) for v in spec.x],
                       patterns=[(o, k) for o, k, _, _ in patterns] if fiml else None)
    details.update(n=n, npar=npar, loglik=float(loglik), loglik_h1=float(loglik_h1),
                   baseline_chisq=float(chisq_b), baseline_df=int(df_b), iterations=iters,
                   max_abs_gradient=float(np.max(np.abs(grad))))
    if estimator == "MLR":
        scaled = scaled_measures(chisq=fit["chisq"], df=df, c=c, chisq_b=chisq_b, df_b=df_b,
                                 c_b=c_b, n=n, level=level)
        if fiml:   # lavaan's robust RMSEA/CFI under FIML (Savalei 2018 corrections): not here
            scaled = {k: v for k, v in scaled.items() if not k.endswith("_robust")
                      and not k.startswith(("cfi_robust", "tli_robust", "rmsea_robust"))}
        details.update(scaled)
    # ---- estimates table
    se_theta = np.sqrt(np.clip(np.diag(acov)[:spec.q], 0, None))
    std, r2 = _standardised(spec, theta)
    rows = []
    for k, par in enumerate(spec.params):
        val = theta[par.free] if par.free >= 0 else par.value
        se = se_theta[par.free] if par.free >= 0 else np.nan
        rows.append({"lhs": par.lhs, "op": par.op, "rhs": par.rhs, "label": par.label,
                     "est": float(val), "se": float(se), "std_all": float(std[k])})
    if spec.defined:
        base_vals = _eval_defined(spec, _labels(spec, theta))
        jac = np.zeros((len(spec.defined), spec.q))
        for a in range(spec.q):            # numerical Jacobian (lavaan does the same)
            h = 1e-6 * max(1.0, abs(theta[a]))
            t2 = theta.copy()
            t2[a] += h
            t1 = theta.copy()
            t1[a] -= h
            jac[:, a] = (np.array(_eval_defined(spec, _labels(spec, t2))) -
                         np.array(_eval_defined(spec, _labels(spec, t1)))) / (2 * h)
        cov_d = jac @ acov[:spec.q, :spec.q] @ jac.T
        for k, s_ in enumerate(spec.defined):
            rows.append({"lhs": s_.lhs, "op": ":=", "rhs": s_.expression, "label": s_.lhs,
                         "est": float(base_vals[k]), "se": float(np.sqrt(max(cov_d[k, k], 0))),
                         "std_all": float(std[len(spec.params) + k])})
    if fiml:     # saturated mean structure: observed intercepts free, latent means 0
        se_nu = np.sqrt(np.clip(np.diag(acov)[spec.q:], 0, None))
        _, _, _, S_mat, B_mat = spec.implied(theta, nu)
        sd = np.sqrt(np.diag(B_mat @ S_mat @ B_mat.T))
        for k, v in enumerate(spec.obs):
            rows.append({"lhs": v, "op": "~1", "rhs": "", "label": "", "est": float(nu[k]),
                         "se": float(se_nu[k]), "std_all": float(nu[k] / sd[k])})
        for v in spec.lat:
            rows.append({"lhs": v, "op": "~1", "rhs": "", "label": "", "est": 0.0,
                         "se": np.nan, "std_all": 0.0})
    table = pd.DataFrame(rows)
    table["z"] = table["est"] / table["se"]
    table["p"] = 2 * stats.norm.sf(np.abs(table["z"]))
    table = table[["lhs", "op", "rhs", "label", "est", "se", "z", "p", "std_all"]]
    order = {"=~": 0, "~": 1, "~~": 2, "~1": 3, ":=": 4}
    table = table.iloc[np.argsort(table["op"].map(order).to_numpy(), kind="stable")].reset_index(drop=True)
    neg = [f"{par.lhs}" for par in spec.params if par.mat == "S" and par.i == par.j
           and par.free >= 0 and theta[par.free] < 0]
    if neg:
        warnings.warn(f"improper solution: negative (residual) variance of {neg} (Heywood case)",
                      DataQualityWarning, stacklevel=2)
    conventions = {
        "estimator": estimator + (" (Huber-White SEs, Yuan-Bentler scaled chi-square, "
                                  "lavaan yuan.bentler.mplus)" if estimator == "MLR" else
                                  " (normal likelihood, N divisor, lavaan likelihood='normal')"),
        "information": "observed (numerical Hessian of the analytic gradient)" if fiml or estimator == "MLR" else "expected",
        "missing": "FIML (casewise likelihood, lavaan missing='ml')" if fiml else "listwise",
        "identification": "marker variable (first loading fixed to 1)",
        "fixed_x": "no (covariates modelled)" if fiml else "yes (covariate moments fixed at sample values)",
        "defaults": "lavaan sem(): auto.var, auto.cov.lv.x, auto.cov.y",
        "std_all": "lavaan standardizedSolution type='std.all'; residual covariances as residual correlations",
        "rmsea": f"N in the denominator, {level:.0%} CI", "srmr": "Bentler (lavaan 'srmr')",
        "defined_se": "delta method (numerical Jacobian)",
    }
    return SEMResult(model=model, estimates=table, fit=fit, fit_details=details, r2=r2, n=n,
                     implied_cov=pd.DataFrame(sigma, index=spec.obs, columns=spec.obs),
                     sample_cov=pd.DataFrame(s, index=spec.obs, columns=spec.obs),
                     conventions=conventions,
                     _state={"spec": spec, "theta": theta, "x": x, "fiml": fiml})


def _fiml_scores(x, sig, m, d_sigma, d_mu):
    """Casewise scores ∂logL_i/∂θ under missing data, one pattern at a time."""
    n = len(x)
    mask = ~np.isnan(x)
    out = np.zeros((n, len(d_sigma)))
    keys, inverse = np.unique(mask, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    for k, key in enumerate(keys):
        rows = inverse == k
        o = np.flatnonzero(key)
        if not len(o):
            continue
        w = np.linalg.inv(sig[np.ix_(o, o)])
        u = (x[np.ix_(rows, o)] - m[o]) @ w
        dso = d_sigma[:, o][:, :, o]
        out[rows] = (0.5 * (np.einsum("ia,kab,ib->ik", u, dso, u) - np.einsum("ab,kba->k", w, dso))
                     + u @ d_mu[:, o].T)
    return out


def _fiml_linear_trace(patterns, x, sig, m, d_sigma, d_mu, n, h=1e-5):
    """tr(A⁻¹B) of a model linear in its parameters (Σ = Σ0 + Σθ_k dΣ_k, μ likewise) at
    (sig, m): A the observed information (numerical Hessian of the analytic gradient), B the
    cross-product of the casewise scores; both per case."""
    k = len(d_sigma)

    def grad(sg, mm):
        gs, gm = _fiml_grad_parts(patterns, sg, mm, n)
        return d_sigma.reshape(k, -1) @ gs.ravel() + d_mu @ gm

    hess = np.zeros((k, k))
    for a in range(k):
        hess[a] = (grad(sig + h * d_sigma[a], m + h * d_mu[a]) -
                   grad(sig - h * d_sigma[a], m - h * d_mu[a])) / (2 * h)
    a_mat = (hess + hess.T) / 4          # −2logL/N → per-case information of logL
    sc = _fiml_scores(x, sig, m, d_sigma, d_mu)
    return float(np.sum(np.linalg.inv(a_mat) * (sc.T @ sc / n).T))


def _mlr_fiml(problem, est, x, s_h1, mu_h1, sigma, mu, base_cov, base_mean, ov_x, df, df_b):
    """MLR under FIML (lavaan ``estimator = "MLR", missing = "ml"``): sandwich SEs with the
    observed information and casewise scores; Yuan–Bentler scaling factor
    ``c = (tr(A1⁻¹B1) − tr(A0⁻¹B0))/df`` with the unrestricted model at its EM estimates
    (observed information), as lavaan's ``yuan.bentler.mplus``."""
    n, p = x.shape
    d_sigma, d_mu = problem.jac(est)
    sc0 = _fiml_scores(x, sigma, mu, d_sigma, d_mu)
    b0 = sc0.T @ sc0 / n
    a0 = problem.hessian(est) / 2
    a0_inv = np.linalg.inv(a0)
    acov = a0_inv @ b0 @ a0_inv / n
    t_h0 = float(np.sum(a0_inv * b0.T))
    ii, jj = np.tril_indices(p)
    basis = np.zeros((len(ii), p, p))
    basis[np.arange(len(ii)), ii, jj] = 1
    basis[np.arange(len(ii)), jj, ii] = 1
    d_s1 = np.concatenate([np.zeros((p, p, p)), basis])
    d_m1 = np.concatenate([np.eye(p), np.zeros((len(ii), p))])
    t_h1 = _fiml_linear_trace(problem.patterns, x, s_h1, mu_h1, d_s1, d_m1, n)
    c = (t_h1 - t_h0) / df if df > 0 else 1.0
    # baseline: means, variances, covariances among the exogenous covariates
    keep = (ii == jj) | (np.isin(ii, ov_x) & np.isin(jj, ov_x))
    d_sb = np.concatenate([np.zeros((p, p, p)), basis[keep]])
    d_mb = np.concatenate([np.eye(p), np.zeros((int(keep.sum()), p))])
    t_b = _fiml_linear_trace(problem.patterns, x, base_cov, base_mean, d_sb, d_mb, n)
    c_b = (t_h1 - t_b) / df_b
    return acov, c, c_b


def _mlr(spec, problem, est, x, s, sigma, n):
    """Sandwich covariance and the Yuan–Bentler scaling factors (model and baseline)."""
    xbar = x.mean(axis=0)
    dev = x - xbar
    d, _ = problem.jac(est)
    w = np.linalg.inv(sigma)
    u = dev @ w
    # casewise scores of logL_i w.r.t. θ (means saturated at x̄)
    scores = 0.5 * (np.einsum("ip,kpq,iq->ik", u, d, u) - np.einsum("pq,kqp->k", w, d)[None, :])
    b0 = scores.T @ scores / n
    a0 = problem.hessian(est) / 2            # per-case observed information
    a0_inv = np.linalg.inv(a0)
    acov = a0_inv @ b0 @ a0_inv / n

    p = s.shape[0]
    xi = [spec.obs.index(v) for v in spec.x]
    free_mean = np.array([k not in xi for k in range(p)])     # fixed.x: covariate means fixed

    def trace(sig, basis, means):
        """tr(A⁻¹B) of a model with covariance parameters ``basis`` (dΣ/dθ) and free means
        ``means`` at Σ = ``sig``: A the expected information, B the mean cross-product of
        the casewise scores (both per case)."""
        wv = np.linalg.inv(sig)
        uu = dev @ wv
        sc = 0.5 * (np.einsum("ip,kpq,iq->ik", uu, basis, uu) - np.einsum("pq,kqp->k", wv, basis)[None, :])
        sc = np.concatenate([uu[:, means], sc], axis=1)
        wb = np.matmul(wv, basis)
        m = int(means.sum())
        a = np.zeros((m + len(basis), m + len(basis)))
        a[:m, :m] = wv[np.ix_(means, means)]
        a[m:, m:] = 0.5 * np.einsum("kij,lji->kl", wb, wb)
        return float(np.sum(np.linalg.inv(a) * (sc.T @ sc / n).T))

    ii, jj = np.tril_indices(p)
    keep = ~(np.isin(ii, xi) & np.isin(jj, xi))                # fixed.x: covariate block fixed
    ii, jj = ii[keep], jj[keep]
    basis = np.zeros((len(ii), p, p))
    basis[np.arange(len(ii)), ii, jj] = 1
    basis[np.arange(len(ii)), jj, ii] = 1
    t_h1 = trace(s, basis, free_mean)
    # structured model, means saturated: observed information for the structure
    sc0 = np.concatenate([u[:, free_mean], scores], axis=1)
    m = int(free_mean.sum())
    a0m = np.zeros((m + len(est), m + len(est)))
    a0m[:m, :m] = w[np.ix_(free_mean, free_mean)]
    a0m[m:, m:] = a0
    t_h0 = float(np.sum(np.linalg.inv(a0m) * (sc0.T @ sc0 / n).T))
    df = int(keep.sum()) - len(est)
    c = (t_h1 - t_h0) / df if df > 0 else 1.0
    # baseline: independence of the non-covariates (variances), covariate block fixed
    sig_b = np.diag(np.diag(s))
    if xi:
        sig_b[np.ix_(xi, xi)] = s[np.ix_(xi, xi)]
    yv = [k for k in range(p) if k not in xi]
    basis_b = np.zeros((len(yv), p, p))
    basis_b[np.arange(len(yv)), yv, yv] = 1
    t_b = trace(sig_b, basis_b, free_mean)
    df_b = int(keep.sum()) - len(yv)
    c_b = (t_h1 - t_b) / df_b
    return acov, c, c_b
