"""Hierarchical and moderated regression: does CRM capability pay, and when? (调节效应分析)

The research design of the field regresses firm performance on CRM capability, a moderator
(environmental dynamism, competitive intensity, firm size, ...) and their product, with
controls, entered block by block (层级回归):

    block 1  controls                     y = b0 + c'z + e
    block 2  main effects                 ... + b1 x + b2 w
    block 3  interaction                  ... + b3 x*w

and reads the effect of ``x`` as the conditional slope ``b1 + b3 w`` (simple slopes, 简单斜率)
and the Johnson-Neyman region of ``w`` where that slope is significant.

Conventions (named in every result, alternatives by argument):

* **centring** (``center=True``): the numeric variables that enter an interaction are centred
  at their mean in the estimation sample (Aiken & West 1991), so the main effects are slopes at
  the mean of the other variable.  The fit is an exact reparametrisation of the uncentred one:
  R², the interaction coefficient and its test are unchanged; ``uncentered()`` gives the
  coefficients in the original units.  Moderator values (simple slopes, Johnson-Neyman bounds)
  are always given in the moderator's original units.
* **covariance** (``cov_type="HC3"``): heteroskedasticity-consistent HC3 standard errors
  (Long & Ervin 2000; R ``sandwich::vcovHC(type="HC3")``) for coefficients, simple slopes and
  Johnson-Neyman; ``"nonrobust"`` (classical OLS), ``"HC0"``, ``"HC1"``, ``"HC2"`` available.
  Tests use the t distribution with the residual degrees of freedom, as
  ``lmtest::coeftest(m, vcov = vcovHC(m, "HC3"))`` does.
* **F change** (ΔR² test): the classical nested-model F, ``(ΔR²/df1) / ((1 - R²)/df2)``, as
  SPSS "F change" and R ``anova(m_prev, m)``; a heteroskedasticity-robust Wald F of the
  block (``wald_f``, ``wald_p``, R ``lmtest::waldtest``) with the chosen covariance is given
  alongside.
* **standardised beta**: ``b * sd(design column) / sd(y)`` (the SPSS convention; for an
  interaction the design column is the product of the, centred, variables).
* **VIF**: generalised VIF per term (Fox & Monette 1992, R ``car::vif(type="terms")``); for a
  one-column term it is the ordinary VIF.
* **dummies**: text (or categorical) controls enter as treatment-coded dummies through the
  formula interface, the first level in sorted order as reference (as R's ``factor``).
* **missing values**: listwise deletion over every variable of the final model, with a
  :class:`~crmstudy.errors.DataQualityWarning` that says how many rows were dropped and why.

References
----------
Aiken, L. S., & West, S. G. (1991). *Multiple regression: Testing and interpreting
interactions*. Sage.
Bauer, D. J., & Curran, P. J. (2005). Probing interactions in fixed and multilevel regression:
Inferential and graphical techniques. *Multivariate Behavioral Research*, 40(3), 373-400.
Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional process analysis*
(3rd ed.). Guilford.
Johnson, P. O., & Neyman, J. (1936). Tests of certain linear hypotheses and their application
to some educational problems. *Statistical Research Memoirs*, 1, 57-93.
Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent standard errors in the
linear regression model. *The American Statistician*, 54(3), 217-224.

Examples
--------
>>> from crmstudy import datasets, moderation
>>> fit = moderation.moderated_regression(data, y="financial", x="capability", w="ED",
...                                       controls=("log_size", "firm_age", "ownership"))
...                                                                      # doctest: +SKIP
>>> fit.steps[["r2", "delta_r2", "f_change", "p_change"]]             # doctest: +SKIP
>>> fit.simple_slopes()                                               # doctest: +SKIP
>>> fit.johnson_neyman(alpha=0.05).bounds                             # doctest: +SKIP

The same model in R: ``lm(financial ~ log_size + firm_age + ownership + capability * ED)``
on centred ``capability`` and ``ED``, with ``sandwich::vcovHC(m, type = "HC3")``.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .errors import DataQualityWarning, InputDataError, ModelFitError, ParameterError
from .indicators import check_lang

__all__ = [
    "hierarchical_regression",
    "moderated_regression",
    "moderated_regressions",
    "HierarchicalResult",
    "ModerationResult",
    "JohnsonNeymanResult",
    "MultiOutcomeResult",
    "conditional_slopes",
    "johnson_neyman_bounds",
    "label_columns",
    "variable_label",
    "VARIABLE_LABELS",
    "COV_TYPES",
]

COV_TYPES = ("HC3", "nonrobust", "HC0", "HC1", "HC2")
_COV_ALIASES = {"classical": "nonrobust", "ols": "nonrobust", "hc3": "HC3", "hc0": "HC0",
                "hc1": "HC1", "hc2": "HC2"}

_LABELS = {
    "zh": {"block": "第{k}层", "controls": "控制变量", "main": "主效应", "interaction": "交互项",
           "model": "模型{k}", "r2": "R²", "adj_r2": "调整 R²", "delta_r2": "ΔR²",
           "f_change": "F 变化", "n": "样本量", "intercept": "截距",
           "note": "注：{stat}，括号内为{se}标准误；* p < .05，** p < .01，*** p < .001。",
           "b": "非标准化系数", "beta": "标准化系数", "se_HC3": "HC3 稳健",
           "se_nonrobust": "普通", "low": "低 (均值 - 1 SD)", "mean": "均值",
           "high": "高 (均值 + 1 SD)", "outcome": "因变量"},
    "en": {"block": "Block {k}", "controls": "Controls", "main": "Main effects",
           "interaction": "Interaction", "model": "Model {k}", "r2": "R²", "adj_r2": "Adjusted R²",
           "delta_r2": "ΔR²", "f_change": "F change", "n": "N", "intercept": "Intercept",
           "note": "Note: {stat}; {se} standard errors in parentheses; * p < .05, ** p < .01, "
                   "*** p < .001.",
           "b": "unstandardised coefficients", "beta": "standardised coefficients",
           "se_HC3": "HC3 robust", "se_nonrobust": "classical", "low": "low (mean - 1 SD)",
           "mean": "mean", "high": "high (mean + 1 SD)", "outcome": "Outcome"},
}

_CONVENTIONS = {
    "centering": "grand mean of the estimation sample (Aiken & West 1991)",
    "f_change": "classical nested-model F, (dR2/df1)/((1-R2)/df2) (SPSS F change, R anova)",
    "wald_change": "Wald F of the block with the chosen covariance (R lmtest::waldtest)",
    "inference": "t distribution with the residual degrees of freedom",
    "standardized_beta": "b * sd(design column) / sd(y) (SPSS convention)",
    "vif": "generalised VIF per term (car::vif type='terms')",
    "dummies": "treatment coding, first level in sorted order as reference",
    "missing": "listwise deletion",
    "column_names": "any column name; names that are not Python identifiers (Solar.R, "
                    "销售额-2023) enter the formula engine as aliases _crm<i>_ and every table "
                    "shows the user's names (to predict() with the statsmodels result, rename "
                    "such columns to their aliases)",
}


# Headers of the tidy tables for display (the tidy tables keep the English keys).
COLUMN_LABELS = {
    "zh": {"w": "调节变量取值", "slope": "斜率", "se": "标准误", "t": "t", "p": "p",
           "ci_low": "置信区间下限", "ci_high": "置信区间上限", "label": "水平", "b": "系数",
           "beta": "标准化系数", "vif": "VIF", "r2": "R²", "adj_r2": "调整 R²",
           "delta_r2": "ΔR²", "f_change": "F 变化", "df1": "df1", "df2": "df2",
           "p_change": "p（F 变化）", "wald_f": "稳健 Wald F", "wald_p": "p（Wald）",
           "block": "层", "terms": "变量", "gvif": "GVIF", "df": "df",
           "gvif_adj": "GVIF^(1/(2df))", "outcome": "因变量", "kind": "显著区域",
           "lower": "下界", "upper": "上界", "significant_inside": "区间内显著",
           "term": "项", "step": "步骤", "estimate": "估计值", "true": "真值",
           "covered": "置信区间覆盖真值"},
    "en": {"w": "Moderator value", "slope": "Slope", "se": "SE", "t": "t", "p": "p",
           "ci_low": "CI lower", "ci_high": "CI upper", "label": "Level", "b": "b",
           "beta": "Beta", "vif": "VIF", "r2": "R²", "adj_r2": "Adjusted R²",
           "delta_r2": "ΔR²", "f_change": "F change", "df1": "df1", "df2": "df2",
           "p_change": "p (F change)", "wald_f": "Robust Wald F", "wald_p": "p (Wald)",
           "block": "Block", "terms": "Terms", "gvif": "GVIF", "df": "df",
           "gvif_adj": "GVIF^(1/(2df))", "outcome": "Outcome", "kind": "Significant region",
           "lower": "Lower bound", "upper": "Upper bound",
           "significant_inside": "Significant inside", "term": "Term", "step": "Step",
           "estimate": "Estimate", "true": "True value", "covered": "CI covers truth"},
}


def label_columns(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A copy of a tidy table of this module with zh/en headers (for display and theses)."""
    check_lang(lang)
    labels = COLUMN_LABELS[lang]
    out = frame.rename(columns=labels)
    out.index = out.index.set_names([labels.get(n, n) if n else n for n in out.index.names])
    return out


# ----------------------------------------------------------------------------------------
# input handling
# ----------------------------------------------------------------------------------------
_CALL = re.compile(r"^\s*([A-Za-z_][\w.]*)\((.*)\)\s*$", re.DOTALL)


def _term_parts(term: str, columns=()) -> list[tuple[str, str, str]]:
    """A formula term as ``(prefix, variable, suffix)`` parts, one per factor of an
    interaction: ``"a:b"`` -> [("", "a", ""), ("", "b", "")], ``"C(industry)"`` ->
    [("C(", "industry", ")")].  Column names need not be Python identifiers
    (``Solar.R``, ``企业规模(人)``, ``销售额-2023``): a part that is a column of the data is taken
    whole, before any splitting or call syntax is looked for."""
    columns = set(map(str, columns))
    if term.strip() in columns:
        return [("", term.strip(), "")]
    parts = []
    for part in term.split(":"):
        part = part.strip()
        match = None if part in columns else _CALL.match(part)
        if match is None:
            parts.append(("", part, ""))
            continue
        inner = match.group(2).strip()
        name = next((c for c in sorted(columns, key=len, reverse=True)
                     if inner == c or inner.startswith(c + ",")), None)
        if name is None:  # not a column of the data: the first argument, as written
            name = re.split(r"\s*,", inner, maxsplit=1)[0].strip()
        parts.append((f"{match.group(1)}(", name, inner[len(name):] + ")"))
    return parts


def _term_variables(term: str, columns=()) -> list[str]:
    """Variables a formula term uses: ``"a:b"`` -> [a, b]; ``"C(industry)"`` -> [industry]."""
    return [name for _, name, _ in _term_parts(term, columns)]


def _formula(y: str, terms: Sequence[str]) -> str:
    """The model as the user would write it (their column names, as given)."""
    return f"{y} ~ " + " + ".join(terms)


# A column whose name is not a Python identifier (Solar.R, 企业规模(人), 销售额-2023: patsy and
# formulaic would parse it as an expression) enters the formula engine under the alias
# _crm<i>_; the user's names are put back on the fitted model's columns, so every table
# shows them.  Identifiers keep their names, so ``result.predict(new_data)`` works for them.
_ALIAS = re.compile(r"_crm(\d+)_")


def _alias_names(columns) -> list[str]:
    import keyword

    return [c if c.isidentifier() and not keyword.iskeyword(c) and not _ALIAS.search(c)
            else f"_crm{i}_" for i, c in enumerate(columns)]


def _aliased(y: str, terms: Sequence[str], columns) -> tuple[str, list[str]]:
    columns = [str(c) for c in columns]
    alias = dict(zip(columns, _alias_names(columns)))
    safe_terms = [":".join(f"{pre}{alias.get(name, name)}{post}"
                           for pre, name, post in _term_parts(t, columns)) for t in terms]
    return f"{alias[y]} ~ " + " + ".join(safe_terms), columns


def _unalias(name: str, columns: Sequence[str]) -> str:
    return _ALIAS.sub(lambda m: columns[int(m.group(1))], name)


def _normalise_cov_type(cov_type: str) -> str:
    key = _COV_ALIASES.get(str(cov_type).lower(), cov_type)
    if key not in COV_TYPES:
        raise ParameterError(f"unknown covariance type {cov_type!r}",
                             hint=f"use one of {', '.join(COV_TYPES)} (or 'classical')")
    return key


def _normalise_blocks(blocks, block_names) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    if isinstance(blocks, Mapping):
        names, raw = list(blocks.keys()), list(blocks.values())
    else:
        if isinstance(blocks, str):
            raise ParameterError("blocks must be a list of blocks, not one string",
                                 hint='write blocks=[["size", "age"], ["x", "w"], ["x:w"]]')
        raw = list(blocks)
        names = list(block_names) if block_names is not None else [None] * len(raw)
    if not raw:
        raise ParameterError("no blocks given", hint="give at least one block of predictors")
    if len(names) != len(raw):
        raise ParameterError(f"{len(names)} block names for {len(raw)} blocks",
                             hint="give one name per block")
    out = []
    for k, block in enumerate(raw, start=1):
        terms = [t.strip() for t in block.split("+")] if isinstance(block, str) else \
            [str(t).strip() for t in block]
        terms = [t for t in terms if t]
        if not terms:
            raise ParameterError(f"block {k} is empty", hint="drop it or list its predictors")
        out.append(tuple(terms))
    seen: dict[str, int] = {}
    for k, terms in enumerate(out, start=1):
        for t in terms:
            if t in seen:
                raise ParameterError(f"term {t!r} appears in block {seen[t]} and block {k}",
                                     hint="enter every term in one block only")
            seen[t] = k
    names = [n if n is not None else f"block{k}" for k, n in enumerate(names, start=1)]
    return tuple(str(n) for n in names), tuple(out)


def _prepare(data: pd.DataFrame, y: str, terms: Sequence[str], center) -> tuple[
        pd.DataFrame, pd.DataFrame, dict[str, float], int]:
    """Validate, drop incomplete rows, centre.  Returns (original, fitted, shifts, n_dropped)."""
    if not isinstance(data, pd.DataFrame):
        raise InputDataError(f"data must be a pandas DataFrame, got {type(data).__name__}",
                             hint="read the table with crmstudy.datasets.read_table")
    variables: list[str] = [y]
    interacting: list[str] = []
    for term in terms:
        parts = _term_variables(term, data.columns)
        for v in parts:
            if v not in variables:
                variables.append(v)
        if len(parts) > 1:
            interacting += [v for v in parts if v not in interacting]
    for v in variables:
        if v not in data.columns:
            raise InputDataError(f"column {v!r} is not in the data", column=v,
                                 hint=f"use one of: {', '.join(map(str, data.columns))}")
    numeric_needed = [y] + interacting
    for v in numeric_needed:
        if not pd.api.types.is_numeric_dtype(data[v]) or pd.api.types.is_bool_dtype(data[v]):
            role = "outcome" if v == y else "variable in an interaction"
            raise InputDataError(f"{role} {v!r} is not numeric (dtype {data[v].dtype})",
                                 column=v, hint="convert it to numbers, e.g. with pd.to_numeric")
    frame = data.loc[:, variables].copy()
    missing = frame.isna()
    if missing.to_numpy().any():
        counts = missing.sum()
        counts = counts[counts > 0]
        keep = ~missing.any(axis=1)
        dropped = int((~keep).sum())
        detail = ", ".join(f"{c} ({n})" for c, n in counts.items())
        warnings.warn(f"listwise deletion: {dropped} of {len(frame)} rows dropped for missing "
                      f"values in {detail}", DataQualityWarning, stacklevel=3)
        frame = frame.loc[keep].copy()
    else:
        dropped = 0
    for v in variables:
        col = frame[v]
        if col.nunique(dropna=True) < 2:
            raise InputDataError(
                f"column {v!r} is constant in the {len(frame)} complete rows (value "
                f"{col.iloc[0] if len(col) else 'none'})", column=v,
                hint="drop it from the model: a constant has no effect to estimate")
    if center is True:
        to_center = [v for v in interacting]
    elif center is False or center is None:
        to_center = []
    else:
        to_center = [center] if isinstance(center, str) else list(center)
        for v in to_center:
            if v not in variables:
                raise ParameterError(f"cannot centre {v!r}: it is not in the model",
                                     hint=f"centre some of {', '.join(variables[1:])}")
            if not pd.api.types.is_numeric_dtype(frame[v]):
                raise InputDataError(f"cannot centre {v!r}: it is not numeric", column=v)
    shifts = {v: float(frame[v].mean()) for v in to_center}
    # Text columns become pandas categoricals with sorted levels (the reference level is the
    # first, as patsy and R's factor() choose for text); patsy codes categoricals in C,
    # whereas it sniffs text cell by cell (~20x slower on 100,000 rows).
    for v in variables[1:]:
        col = frame[v]
        if isinstance(col.dtype, pd.CategoricalDtype):
            # a level absent from the complete rows would give an all-zero dummy
            frame[v] = col.cat.remove_unused_categories()
        elif not pd.api.types.is_numeric_dtype(col):
            levels = sorted(col.unique())
            frame[v] = pd.Categorical(col, categories=levels)
    fitted = frame.copy()
    for v, m in shifts.items():
        fitted[v] = fitted[v] - m
    return frame, fitted, shifts, dropped


def _term_slices(model) -> dict[str, list[int]]:
    """Design columns of each formula term (patsy or formulaic engine), by the user's names."""
    spec = model.data.model_spec
    columns = getattr(model, "_crmstudy_columns", ())
    if hasattr(spec, "term_name_slices"):                       # patsy DesignInfo
        slices = {name: list(range(s.start, s.stop)) for name, s in spec.term_name_slices.items()}
    else:
        slices = {str(t): list(idx) for t, idx in spec.term_indices.items()}  # formulaic
    return {_unalias(name, columns): idx for name, idx in slices.items()}


def _fit(y: str, terms: Sequence[str], frame: pd.DataFrame, cov_type: str):
    import statsmodels.formula.api as smf

    formula = _formula(y, terms)
    safe_formula, columns = _aliased(y, terms, frame.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # rank deficiency is reported below, by name
        model = smf.ols(safe_formula, data=frame.set_axis(_alias_names(columns), axis=1))
    # the user's names on every parameter (params, bse, conf_int, cov_params follow them)
    model.data.xnames = [_unalias(name, columns) for name in model.data.xnames]
    model.data.ynames = y
    model._crmstudy_columns = columns
    X = model.exog
    n, p = X.shape
    if n <= p:
        raise ModelFitError(f"too few rows: {n} complete rows for {p} parameters "
                            f"({formula})",
                            hint="collect more data or enter fewer predictors / dummy levels")
    _check_rank(X, model.exog_names, formula)
    kw = {} if cov_type == "nonrobust" else {"cov_type": cov_type}
    return model.fit(use_t=True, **kw)


def _check_rank(X: np.ndarray, names: Sequence[str], formula: str) -> None:
    from scipy.linalg import qr

    scale = np.sqrt((X ** 2).sum(axis=0))
    scale[scale == 0] = 1.0
    # quick screen on the p x p scaled Gram matrix; the pivoted QR of X (exact, slower)
    # only runs when the screen flags near-singularity, to name the culprit columns
    gram = (X.T @ X) / np.outer(scale, scale)
    if np.linalg.eigvalsh(gram).min() > 1e-8:
        return
    _, r, piv = qr(X / scale, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    tol = diag.max() * max(X.shape) * np.finfo(float).eps * 10
    rank = int((diag > tol).sum())
    if rank < X.shape[1]:
        dependent = [names[i] for i in piv[rank:]]
        verb = ("is an exact linear combination" if len(dependent) == 1
                else "are exact linear combinations")
        raise ModelFitError(
            f"perfect collinearity in {formula}: {', '.join(dependent)} {verb} of the other "
            "predictors", column=dependent[0],
            hint="drop one of the collinear predictors (or a redundant dummy)")


def _gvif(X: np.ndarray, slices: Mapping[str, list[int]]) -> pd.DataFrame:
    """Generalised VIF per term: det(R11) det(R22) / det(R) (Fox & Monette 1992)."""
    terms = {k: v for k, v in slices.items() if k != "Intercept"}
    rows = []
    if len(terms) < 2:
        for name, idx in terms.items():
            rows.append((name, np.nan, len(idx), np.nan))
    else:
        cols = [i for idx in terms.values() for i in idx]
        R = np.corrcoef(X[:, cols], rowvar=False)
        pos = {c: j for j, c in enumerate(cols)}
        _, logdet_all = np.linalg.slogdet(R)
        for name, idx in terms.items():
            inside = [pos[i] for i in idx]
            outside = [j for j in range(len(cols)) if j not in inside]
            _, ld_in = np.linalg.slogdet(R[np.ix_(inside, inside)])
            _, ld_out = np.linalg.slogdet(R[np.ix_(outside, outside)])
            g = float(np.exp(ld_in + ld_out - logdet_all))
            rows.append((name, g, len(idx), g ** (1 / (2 * len(idx)))))
    return pd.DataFrame(rows, columns=["term", "gvif", "df", "gvif_adj"])


def _coef_table(res, y_sd: float, slices, alpha: float) -> pd.DataFrame:
    X = res.model.exog
    names = list(res.model.exog_names)
    ci = np.asarray(res.conf_int(alpha=alpha))
    sd = X.std(axis=0, ddof=1)
    beta = np.asarray(res.params) * sd / y_sd
    is_const = sd == 0
    beta[is_const] = np.nan
    table = pd.DataFrame({"term": names, "b": np.asarray(res.params), "se": np.asarray(res.bse),
                          "t": np.asarray(res.tvalues), "p": np.asarray(res.pvalues),
                          "ci_low": ci[:, 0], "ci_high": ci[:, 1], "beta": beta})
    vif = _gvif(X, slices)
    one_column = {r.term: r.gvif for r in vif.itertuples() if r.df == 1}
    table["vif"] = [one_column.get(n, np.nan) for n in names]
    return table


def _stars(p: float) -> str:
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


# ----------------------------------------------------------------------------------------
# hierarchical regression
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HierarchicalResult:
    """Blockwise OLS: one fitted model per block, each adding its terms to the previous ones.

    Attributes
    ----------
    y : str
        Outcome.
    blocks : tuple of tuple of str
        Formula terms entered at each step.
    block_names : tuple of str
    formulas : tuple of str
        The statsmodels formula of each step.
    steps : DataFrame
        One row per block (index ``step`` 1..K): ``block``, ``terms``, ``r2``, ``adj_r2``,
        ``delta_r2``, ``f_change``, ``df1``, ``df2``, ``p_change`` (classical nested F) and
        ``wald_f``, ``wald_p`` (Wald F of the block's terms with ``cov_type``).
    coefficients : DataFrame
        Long table: ``step``, ``term``, ``b``, ``se``, ``t``, ``p``, ``ci_low``, ``ci_high``,
        ``beta`` (standardised), ``vif`` (one-column terms).
    vif : DataFrame
        ``step``, ``term``, ``gvif``, ``df``, ``gvif_adj`` = GVIF^(1/(2 df)) (car::vif).
    n, n_dropped : int
        Rows used, rows dropped by listwise deletion.
    centered : dict
        Variable -> the mean subtracted from it (empty when nothing was centred).
    cov_type, alpha, conventions
        What was used.
    models : tuple
        The statsmodels results of each step (for anything not tabulated here).
    """

    y: str
    blocks: tuple
    block_names: tuple
    formulas: tuple
    steps: pd.DataFrame
    coefficients: pd.DataFrame
    vif: pd.DataFrame
    n: int
    n_dropped: int
    centered: dict
    cov_type: str
    alpha: float
    conventions: dict
    models: tuple = field(repr=False, compare=False)
    data: pd.DataFrame = field(repr=False, compare=False)

    @property
    def final(self):
        """statsmodels result of the last step."""
        return self.models[-1]

    @property
    def params(self) -> pd.Series:
        return self.final.params

    @property
    def bse(self) -> pd.Series:
        return self.final.bse

    def step_coefficients(self, step: int = -1) -> pd.DataFrame:
        """Coefficient table of one step (default: the last), indexed by term."""
        k = len(self.blocks) if step == -1 else step
        if not 1 <= k <= len(self.blocks):
            raise ParameterError(f"no step {step}", hint=f"use 1..{len(self.blocks)} or -1")
        return self.coefficients[self.coefficients["step"] == k].drop(columns="step") \
            .set_index("term")

    def uncentered(self, step: int = -1) -> pd.DataFrame:
        """Coefficients in the original (uncentred) units.

        Centring is a linear reparametrisation, so the same formula fitted on the uncentred
        rows gives identical fitted values, R², residuals and HC leverages; only the lower-
        order coefficients change (b_x' = b_x - b_xw * mean(w), ...).  Refitting is exact.
        """
        k = len(self.blocks) if step == -1 else step
        res = _fit(self.y, [t for block in self.blocks[:k] for t in block], self.data,
                   self.cov_type)
        slices = _term_slices(res.model)
        return _coef_table(res, float(self.data[self.y].std(ddof=1)), slices, self.alpha) \
            .set_index("term")

    def table(self, lang: str = "zh", stat: str = "b", digits: int = 3,
              labels: Mapping[str, str] | None = None) -> pd.DataFrame:
        """Thesis table: one column per model, cells "b*** (se)", then R², ΔR², F change, N.

        ``stat="beta"`` shows standardised coefficients (with the stars of the t test).
        Rows are named with :func:`variable_label` (``labels`` first, then
        :data:`VARIABLE_LABELS`); a product term reads "capability × ED".
        """
        check_lang(lang)
        if stat not in ("b", "beta"):
            raise ParameterError(f"unknown stat {stat!r}", hint='use "b" or "beta"')
        lab = _LABELS[lang]
        terms = list(dict.fromkeys(self.coefficients["term"]))
        if stat == "beta":
            terms = [t for t in terms if t != "Intercept"]
        cols = {}
        for k in range(1, len(self.blocks) + 1):
            tab = self.step_coefficients(k)
            cells = {}
            for t in terms:
                if t in tab.index:
                    r = tab.loc[t]
                    value = r["b"] if stat == "b" else r["beta"]
                    cells[t] = f"{value:.{digits}f}{_stars(r['p'])}" + \
                        (f" ({r['se']:.{digits}f})" if stat == "b" else "")
                else:
                    cells[t] = ""
            s = self.steps.loc[k]
            cells[lab["r2"]] = f"{s['r2']:.{digits}f}"
            cells[lab["adj_r2"]] = f"{s['adj_r2']:.{digits}f}"
            cells[lab["delta_r2"]] = f"{s['delta_r2']:.{digits}f}"
            cells[lab["f_change"]] = f"{s['f_change']:.{2}f}{_stars(s['p_change'])}"
            cells[lab["n"]] = f"{self.n}"
            cols[lab["model"].format(k=k)] = cells
        out = pd.DataFrame(cols)
        names = {t: " × ".join(variable_label(v.strip(), lang, labels) for v in t.split(":"))
                 for t in terms}
        names["Intercept"] = lab["intercept"]
        out = out.rename(index=names)
        out.index.name = ""
        out.attrs["note"] = lab["note"].format(stat=lab[stat],
                                               se=lab.get(f"se_{self.cov_type}", self.cov_type))
        return out

    def summary(self, lang: str = "zh") -> str:
        check_lang(lang)
        head = (f"层级回归：{self.y}，n = {self.n}（删除缺失 {self.n_dropped} 行），"
                f"协方差 {self.cov_type}" if lang == "zh" else
                f"Hierarchical regression of {self.y}: n = {self.n} ({self.n_dropped} rows "
                f"dropped for missing values), covariance {self.cov_type}")
        centred = ", ".join(f"{k} (mean {v:.4g})" for k, v in self.centered.items()) or "-"
        lines = [head, ("中心化：" if lang == "zh" else "Centred: ") + centred, "",
                 self.steps[["block", "r2", "adj_r2", "delta_r2", "f_change", "df1", "df2",
                             "p_change"]].round(4).to_string(), "",
                 self.table(lang).to_string(), self.table(lang).attrs["note"]]
        return "\n".join(lines)


def hierarchical_regression(data: pd.DataFrame, y: str, blocks, *, center=True,
                            cov_type: str = "HC3", alpha: float = 0.05,
                            block_names: Sequence[str] | None = None) -> HierarchicalResult:
    """Hierarchical (blockwise) OLS regression with R² change tests.

    Step k regresses ``y`` on the terms of blocks 1..k.  For each step:

    .. math::

        \\Delta R^2_k = R^2_k - R^2_{k-1},\\qquad
        F_k = \\frac{\\Delta R^2_k / df_1}{(1 - R^2_k) / df_2},

    with ``df1`` the number of parameters block k adds and ``df2 = n - p_k`` (step 0 is the
    intercept-only model, R² = 0).

    Parameters
    ----------
    data : DataFrame
        One row per unit (firm).  Not modified.
    y : str
        Numeric outcome column.
    blocks : list of blocks, or dict name -> block
        Each block is a list of formula terms (or one string ``"a + b"``): column names,
        interactions ``"x:w"``, ``"C(industry)"``.  Text columns become dummies.
    center : bool or list of str, default True
        True: mean-centre every numeric variable that enters an interaction term; False:
        nothing; a list: centre exactly these.
    cov_type : {"HC3", "nonrobust", "HC0", "HC1", "HC2"}, default "HC3"
        Covariance of the coefficient tables and of the block Wald tests.
    alpha : float, default 0.05
        1 - confidence level of the intervals.
    block_names : list of str, optional
        Names of the blocks (ignored when ``blocks`` is a dict).

    Returns
    -------
    HierarchicalResult

    Raises
    ------
    InputDataError
        Missing, non-numeric or constant columns.
    ModelFitError
        Perfect collinearity (naming the columns) or fewer rows than parameters.

    Examples
    --------
    >>> res = hierarchical_regression(mtcars, "mpg", [["cyl", "am"], ["hp", "wt"], ["hp:wt"]])
    ...                                                                   # doctest: +SKIP
    >>> res.steps                                                          # doctest: +SKIP

    Matches R ``anova(lm(mpg ~ cyl + am, d), lm(mpg ~ cyl + am + hp + wt, d))`` for the F
    change and ``lmtest::coeftest(m, vcov = sandwich::vcovHC(m, type = "HC3"))`` for the
    coefficients (see ``tests/reference/moderation``).
    """
    cov_type = _normalise_cov_type(cov_type)
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha = {alpha} is not between 0 and 1", hint="use e.g. 0.05")
    names, blocks_t = _normalise_blocks(blocks, block_names)
    if not isinstance(y, str):
        raise ParameterError(f"y must be one column name, got {y!r}",
                             hint="use moderated_regressions for several outcomes")
    all_terms = [t for b in blocks_t for t in b]
    original, fitted, shifts, dropped = _prepare(data, y, all_terms, center)
    y_sd = float(fitted[y].std(ddof=1))
    formulas, models, step_rows, coefs, vifs = [], [], [], [], []
    terms_so_far: list[str] = []
    prev_r2, prev_cols = 0.0, ["Intercept"]
    n = len(fitted)
    for k, (name, block) in enumerate(zip(names, blocks_t), start=1):
        terms_so_far += list(block)
        formula = _formula(y, terms_so_far)
        res = _fit(y, terms_so_far, fitted, cov_type)
        slices = _term_slices(res.model)
        cols = list(res.model.exog_names)
        added = [c for c in cols if c not in prev_cols]
        df1, df2 = len(added), int(round(res.df_resid))
        r2 = float(res.rsquared)
        dr2 = r2 - prev_r2
        f_change = (dr2 / df1) / ((1 - r2) / df2) if df1 else np.nan
        p_change = float(stats.f.sf(f_change, df1, df2)) if df1 else np.nan
        # Wald F of the added columns with the chosen covariance (lmtest::waldtest)
        idx = [cols.index(c) for c in added]
        b = np.asarray(res.params)[idx]
        V = np.asarray(res.cov_params())[np.ix_(idx, idx)]
        wald_f = float(b @ np.linalg.solve(V, b)) / df1 if df1 else np.nan
        wald_p = float(stats.f.sf(wald_f, df1, df2)) if df1 else np.nan
        step_rows.append({"step": k, "block": name, "terms": " + ".join(block), "r2": r2,
                          "adj_r2": float(res.rsquared_adj), "delta_r2": dr2,
                          "f_change": f_change, "df1": df1, "df2": df2, "p_change": p_change,
                          "wald_f": wald_f, "wald_p": wald_p})
        coef = _coef_table(res, y_sd, slices, alpha)
        coef.insert(0, "step", k)
        coefs.append(coef)
        vif = _gvif(res.model.exog, slices)
        vif.insert(0, "step", k)
        vifs.append(vif)
        formulas.append(formula)
        models.append(res)
        prev_r2, prev_cols = r2, cols
    steps = pd.DataFrame(step_rows).set_index("step")
    conventions = dict(_CONVENTIONS, cov_type=cov_type,
                       centering=_CONVENTIONS["centering"] if shifts else "none")
    return HierarchicalResult(
        y=y, blocks=blocks_t, block_names=names, formulas=tuple(formulas), steps=steps,
        coefficients=pd.concat(coefs, ignore_index=True),
        vif=pd.concat(vifs, ignore_index=True), n=n, n_dropped=dropped, centered=shifts,
        cov_type=cov_type, alpha=alpha, conventions=conventions, models=tuple(models),
        data=original)


# ----------------------------------------------------------------------------------------
# conditional slopes and Johnson-Neyman, vectorised
# ----------------------------------------------------------------------------------------
def conditional_slopes(b_x: float, b_xw: float, cov: np.ndarray, w, df: float,
                       alpha: float = 0.05) -> pd.DataFrame:
    """Slope of x at moderator values ``w`` (on the fitted scale), vectorised.

    ``slope = b_x + b_xw w``, ``se = sqrt(V_xx + 2 w V_x,xw + w² V_xw,xw)`` with ``cov`` the
    2 x 2 covariance of (b_x, b_xw); t tests with ``df`` degrees of freedom.
    """
    return _slopes_frame(b_x, b_xw, cov, np.asarray(w, dtype=float), df, alpha)


def _slopes_frame(b_x, b_xw, cov, w, df, alpha, shift: float = 0.0) -> pd.DataFrame:
    """:func:`conditional_slopes` at ``w - shift``, reporting ``w`` (original units)."""
    from scipy.special import stdtr, stdtrit   # the t cdf and its inverse, ufuncs

    cov = np.asarray(cov, dtype=float)
    report = w
    w = w - shift if shift else w
    slope = b_x + b_xw * w
    var = cov[0, 0] + 2 * w * cov[0, 1] + w ** 2 * cov[1, 1]
    se = np.sqrt(np.maximum(var, 0.0))
    t = slope / se
    p = 2 * stdtr(df, -np.abs(t))
    q = stdtrit(df, 1 - alpha / 2)
    # one 2-D block: a frame from a dict of 7 arrays costs more than the arithmetic
    block = np.column_stack([report, slope, se, t, p, slope - q * se, slope + q * se])
    return pd.DataFrame(block, columns=["w", "slope", "se", "t", "p", "ci_low", "ci_high"])


def johnson_neyman_bounds(b_x: float, b_xw: float, cov: np.ndarray, df: float,
                          alpha: float = 0.05) -> tuple[tuple[float, ...], str, float]:
    """Moderator values where the slope of x is exactly significant at ``alpha``.

    Solves ``(b_x + b_xw w)² = t²_crit (V_xx + 2 w V_x,xw + w² V_xw,xw)``, i.e.
    ``a w² + b w + c = 0`` with ``a = b_xw² - t² V_xw,xw``, ``b = 2 (b_x b_xw - t² V_x,xw)``,
    ``c = b_x² - t² V_xx``.  The slope is significant where ``a w² + b w + c > 0``.

    Returns
    -------
    bounds : tuple of float
        Sorted real roots (0, 1 or 2), on the fitted scale.
    kind : str
        Where the slope is significant: ``"outside"`` the two bounds, ``"inside"`` them,
        ``"everywhere"``, ``"nowhere"``, or ``"above"`` / ``"below"`` the single bound
        (when ``a`` is zero).
    a : float
        Leading coefficient (a < 0: significance region is bounded).
    """
    cov = np.asarray(cov, dtype=float)
    t2 = stats.t.ppf(1 - alpha / 2, df) ** 2
    a = b_xw ** 2 - t2 * cov[1, 1]
    b = 2 * (b_x * b_xw - t2 * cov[0, 1])
    c = b_x ** 2 - t2 * cov[0, 0]
    scale = max(abs(b_xw) ** 2, t2 * abs(cov[1, 1]), np.finfo(float).tiny)
    if abs(a) <= 1e-12 * scale:
        if b == 0:
            return (), ("everywhere" if c > 0 else "nowhere"), a
        return (-c / b,), ("above" if b > 0 else "below"), a
    disc = b * b - 4 * a * c
    if disc <= 0:
        return (), ("everywhere" if a > 0 else "nowhere"), a
    root = np.sqrt(disc)
    # numerically stable pair of roots
    qq = -0.5 * (b + np.copysign(root, b))
    r1, r2 = qq / a, (c / qq if qq != 0 else -b / a - qq / a)
    lo, hi = sorted((float(r1), float(r2)))
    return (lo, hi), ("outside" if a > 0 else "inside"), a


# Display names of the variables of the simulated study (and of most CRM studies).
VARIABLE_LABELS = {
    "zh": {"capability": "客户关系管理能力", "ED": "环境动荡性", "financial": "财务绩效",
           "customer": "客户绩效", "innovation": "创新绩效", "perf_financial": "财务绩效（潜变量）",
           "perf_customer": "客户绩效（潜变量）", "perf_innovation": "创新绩效（潜变量）",
           "CP": "客户绩效", "IP": "创新绩效", "rota": "总资产报酬率", "roe": "净资产收益率",
           "log_size": "企业规模（员工数对数）", "firm_age": "企业年龄"},
    "en": {"capability": "CRM capability", "ED": "Environmental dynamism",
           "financial": "Financial performance", "customer": "Customer performance",
           "innovation": "Innovation performance",
           "perf_financial": "Financial performance (latent)",
           "perf_customer": "Customer performance (latent)",
           "perf_innovation": "Innovation performance (latent)", "CP": "Customer performance",
           "IP": "Innovation performance", "rota": "Return on total assets",
           "roe": "Return on equity", "log_size": "Firm size (log employees)",
           "firm_age": "Firm age"},
}


def variable_label(name: str, lang: str = "zh", labels: Mapping[str, str] | None = None) -> str:
    """Display name of a variable: ``labels`` first, then :data:`VARIABLE_LABELS`, else the name."""
    if labels and name in labels:
        return labels[name]
    return VARIABLE_LABELS[check_lang(lang)].get(name, name)


_JN_TEXT = {
    "zh": {"outside": "当 {w} < {lo} 或 {w} > {hi} 时，{x}的斜率显著（α = {alpha}）",
           "inside": "当 {lo} < {w} < {hi} 时，{x}的斜率显著（α = {alpha}）",
           "above": "当 {w} > {lo} 时，{x}的斜率显著（α = {alpha}）",
           "below": "当 {w} < {lo} 时，{x}的斜率显著（α = {alpha}）",
           "everywhere": "{x}的斜率在{w}的所有取值上都显著（α = {alpha}）",
           "nowhere": "{x}的斜率在{w}的任何取值上都不显著（α = {alpha}）",
           "range": "；{w}的观测范围为 [{wmin}, {wmax}]"},
    "en": {"outside": "the slope of {x} is significant (alpha = {alpha}) for {w} < {lo} or "
                      "{w} > {hi}",
           "inside": "the slope of {x} is significant (alpha = {alpha}) for {lo} < {w} < {hi}",
           "above": "the slope of {x} is significant (alpha = {alpha}) for {w} > {lo}",
           "below": "the slope of {x} is significant (alpha = {alpha}) for {w} < {lo}",
           "everywhere": "the slope of {x} is significant (alpha = {alpha}) at every value of {w}",
           "nowhere": "the slope of {x} is not significant (alpha = {alpha}) at any value of {w}",
           "range": "; observed range of {w}: [{wmin}, {wmax}]"},
}


@dataclass(frozen=True)
class JohnsonNeymanResult:
    """Johnson-Neyman region of significance of the slope of ``x`` along the moderator ``w``.

    Attributes
    ----------
    bounds : tuple of float
        The moderator values (original units, even when the model was centred) where the
        slope's t equals the critical value; sorted; empty if there are none.
    significant_inside : bool
        True when the slope is significant *between* the bounds (the quadratic's leading
        coefficient is negative), False when it is significant outside them.  With no bounds
        ``kind`` says whether that means everywhere or nowhere.
    kind : str
        ``"outside"``, ``"inside"``, ``"everywhere"``, ``"nowhere"``, ``"above"``, ``"below"``.
    bounds_in_range : tuple of float
        The bounds that lie within the observed range of ``w``.
    w_range : tuple of float
        Observed minimum and maximum of ``w``.
    curve : DataFrame
        Conditional slope over a grid of ``w`` (original units): ``w``, ``slope``, ``se``,
        ``t``, ``p``, ``ci_low``, ``ci_high``, ``significant``.
    alpha, t_crit, df, cov_type, x, w
    """

    x: str
    w: str
    bounds: tuple
    significant_inside: bool
    kind: str
    bounds_in_range: tuple
    w_range: tuple
    alpha: float
    t_crit: float
    df: float
    cov_type: str
    curve: pd.DataFrame = field(repr=False, compare=False)
    w_observed: np.ndarray | None = field(default=None, repr=False, compare=False)
    x_shift: float = 0.0
    w_shift: float = 0.0
    slope_pieces: tuple | None = field(default=None, repr=False, compare=False)

    def text(self, lang: str = "zh", digits: int = 3, labels: Mapping[str, str] | None = None
             ) -> str:
        """The bounds in one sentence (variable names via ``labels``).  It does not say the
        slope's sign or how many cases each region holds: report :meth:`describe` instead."""
        check_lang(lang)
        fmt = lambda v: f"{v:.{digits}f}"  # noqa: E731
        lo = fmt(self.bounds[0]) if self.bounds else ""
        hi = fmt(self.bounds[-1]) if self.bounds else ""
        words = _JN_TEXT[lang]
        x, w = variable_label(self.x, lang, labels), variable_label(self.w, lang, labels)
        out = words[self.kind].format(x=x, w=w, lo=lo, hi=hi, alpha=self.alpha)
        return out + words["range"].format(w=w, wmin=fmt(self.w_range[0]),
                                           wmax=fmt(self.w_range[1]))

    @property
    def bounds_outside(self) -> tuple:
        """The bounds that lie outside the observed range of ``w`` (not a finding about the
        sample: no case has such a moderator value)."""
        return tuple(b for b in self.bounds if b not in self.bounds_in_range)

    def regions(self) -> pd.DataFrame:
        """The observed range of ``w`` cut at the bounds inside it, one row per region.

        Within a region the slope's significance cannot change (it changes only at a bound)
        and a significant slope cannot change sign (zero is never significant), so each region
        has one verdict.  Bounds outside the observed range cut nothing: they are listed by
        :attr:`bounds_outside` and stated by :meth:`describe`.

        Returns
        -------
        DataFrame
            ``lower``, ``upper`` (moderator values, original units; the first and last
            region end at the observed minimum and maximum), ``slope`` (at the region's
            midpoint), ``significant`` (bool, at ``alpha``), ``sign`` (``"positive"``,
            ``"negative"`` or ``"not_significant"``), ``n`` (cases whose moderator value lies in
            the region; a case exactly on a bound counts in the region above it) and ``share``
            (n / N of the estimation sample).  ``n`` and ``share`` are missing when the result
            was built without the observed moderator values.
        """
        wmin, wmax = self.w_range
        edges = [wmin, *sorted(self.bounds_in_range), wmax]
        lows, highs = np.asarray(edges[:-1], float), np.asarray(edges[1:], float)
        keep = highs > lows
        if not keep.any():                      # a constant moderator: one point
            lows, highs = lows[:1], highs[:1]
        else:
            lows, highs = lows[keep], highs[keep]
        mids = (lows + highs) / 2
        if self.slope_pieces is not None:
            b1, b3, V = self.slope_pieces
            at = _slopes_frame(b1, b3, V, mids, self.df, self.alpha, shift=self.w_shift)
        else:                                   # interpolate the plotted curve
            at = pd.DataFrame({c: np.interp(mids, self.curve["w"], self.curve[c])
                               for c in ("slope", "p")})
        slope, p = at["slope"].to_numpy(), at["p"].to_numpy()
        significant = p < self.alpha
        sign = np.where(~significant, "not_significant",
                        np.where(slope > 0, "positive", "negative"))
        out = pd.DataFrame({"lower": lows, "upper": highs, "slope": slope,
                            "significant": significant, "sign": sign})
        if self.w_observed is not None:
            w = np.asarray(self.w_observed, dtype=float)
            w = w[np.isfinite(w)]
            # region index of each case: searchsorted on the inner edges (vectorised)
            idx = np.searchsorted(highs[:-1], w, side="right")
            counts = np.bincount(idx, minlength=len(out))[:len(out)]
            out["n"] = counts
            out["share"] = counts / max(len(w), 1)
        else:
            out["n"] = np.nan
            out["share"] = np.nan
        return out

    def regions_table(self, lang: str = "zh", labels: Mapping | None = None) -> pd.DataFrame:
        """:meth:`regions` as displayed: moderator interval, slope, verdict, n and share
        (strings; headers and verdicts from the label catalogue)."""
        from .formatting import format_int, format_number, format_percent
        from .labels import label as _label

        check_lang(lang)
        reg = self.regions()
        w = variable_label(self.w, lang, labels)
        rows = {
            _label("jn_region", lang, "headers", w=w): [
                f"[{format_number(a, 'moderator', lang=lang)}, "
                f"{format_number(b, 'moderator', lang=lang)}]"
                for a, b in zip(reg["lower"], reg["upper"])],
            _label("jn_slope_mid", lang, "headers"): [format_number(v, "slope", lang=lang)
                                                  for v in reg["slope"]],
            _label("jn_verdict", lang, "headers", alpha=f"{self.alpha:g}"): [
                _label(f"slope_{s}", lang, "terms") for s in reg["sign"]],
            _label("n", lang, "statistics"): [format_int(v, lang=lang) if np.isfinite(v)
                                               else "—" for v in reg["n"]],
            _label("jn_share", lang, "headers"): [format_percent(v, lang=lang)
                                                  for v in reg["share"]],
        }
        return pd.DataFrame(rows)

    def describe(self, lang: str = "zh", labels: Mapping | None = None) -> str:
        """The region of significance in words, for a thesis: for each region of the observed
        range of ``w`` the sign of the slope (significantly positive / negative / not
        significant) and the number and share of cases in it; bounds outside the observed
        range are named as such and not reported as a finding.

        Examples
        --------
        "在环境动荡性的观测范围 [1.00, 7.00] 内：环境动荡性 ∈ [1.00, 1.48] 时，客户关系管理能力的
        斜率显著为负（2 个样本，占 0.7%）；…"
        """
        from .formatting import format_int, format_number, format_percent
        from .labels import label as _label

        check_lang(lang)
        reg = self.regions()
        x, w = variable_label(self.x, lang, labels), variable_label(self.w, lang, labels)
        num = lambda v: format_number(v, "moderator", lang=lang)  # noqa: E731
        parts = []
        for row in reg.itertuples(index=False):   # a handful of regions, not data rows
            key = "jn_region_counted" if np.isfinite(row.n) else "jn_region_only"
            parts.append(_label(key, lang, "notes", w=w, x=x, lo=num(row.lower),
                                hi=num(row.upper),
                                state=_label(f"slope_{row.sign}", lang, "terms"),
                                n=format_int(row.n, lang=lang) if np.isfinite(row.n) else "",
                                share=format_percent(row.share, lang=lang)))
        head = _label("jn_head", lang, "notes", w=w, wmin=num(self.w_range[0]),
                      wmax=num(self.w_range[1]), alpha=f"{self.alpha:g}")
        text = head + _label("jn_join", lang, "notes").join(parts) + _label("end", lang, "notes")
        if self.bounds_outside:
            text += _label("jn_outside", lang, "notes", w=w,
                           bounds=_label("list_separator", lang, "formats").join(
                               num(b) for b in self.bounds_outside))
        return text

    def summary(self, lang: str = "zh") -> str:
        head = (f"Johnson-Neyman（协方差 {self.cov_type}，t 临界值 {self.t_crit:.4f}，df = "
                f"{self.df:g}）" if lang == "zh" else
                f"Johnson-Neyman (covariance {self.cov_type}, critical t {self.t_crit:.4f}, "
                f"df = {self.df:g})")
        return head + "\n" + self.describe(lang)

    def plot(self, lang: str = "zh", ax=None):
        from .plotting.moderation import johnson_neyman_plot
        return johnson_neyman_plot(self, lang=lang, ax=ax)


# ----------------------------------------------------------------------------------------
# moderated regression
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModerationResult:
    """Moderated regression of ``y`` on ``x``, ``w``, ``x:w`` and controls (three blocks).

    Attributes
    ----------
    hierarchy : HierarchicalResult
        The three steps (controls / main effects / interaction); ``steps`` and ``table``
        delegate to it.
    params, bse : Series
        Coefficients and their standard errors (``cov_type``) of the final model; with
        centring, ``params[x]`` is the slope of x at the mean of w.
    cov : DataFrame
        Coefficient covariance (``cov_type``).
    interaction : str
        Name of the product term (``"x:w"``).
    x_shift, w_shift : float
        Means subtracted from x and w (0 when not centred).
    w_mean, w_sd, w_range : moderator mean, SD (ddof=1) and observed range, original units.
    """

    y: str
    x: str
    w: str
    controls: tuple
    hierarchy: HierarchicalResult
    params: pd.Series
    bse: pd.Series
    cov: pd.DataFrame
    interaction: str
    x_shift: float
    w_shift: float
    w_mean: float
    w_sd: float
    w_range: tuple
    x_mean: float
    x_sd: float
    df_resid: float
    cov_type: str
    alpha: float

    @property
    def steps(self) -> pd.DataFrame:
        return self.hierarchy.steps

    @property
    def coefficients(self) -> pd.DataFrame:
        """Coefficient table of the final model, indexed by term."""
        return self.hierarchy.step_coefficients(-1)

    @property
    def n(self) -> int:
        return self.hierarchy.n

    @property
    def conventions(self) -> dict:
        return self.hierarchy.conventions

    def table(self, lang: str = "zh", stat: str = "b", digits: int = 3,
              labels: Mapping[str, str] | None = None) -> pd.DataFrame:
        return self.hierarchy.table(lang=lang, stat=stat, digits=digits, labels=labels)

    def uncentered(self) -> pd.DataFrame:
        return self.hierarchy.uncentered()

    def _pieces(self):
        i = self.cov.index.get_loc(self.x)
        j = self.cov.index.get_loc(self.interaction)
        C = self.cov.to_numpy()
        V = C[np.ix_([i, j], [i, j])]
        b = self.params.to_numpy()
        return float(b[i]), float(b[j]), V

    def conditional_effects(self, w_values, alpha: float | None = None) -> pd.DataFrame:
        """Slope of x (SE, t, p, CI) at each moderator value (original units), vectorised."""
        alpha = self.alpha if alpha is None else alpha
        w_values = np.asarray(w_values, dtype=float)
        b1, b3, V = self._pieces()
        # slopes on the fitted (possibly centred) scale, reported at the original w
        return _slopes_frame(b1, b3, V, w_values, self.df_resid, alpha, shift=self.w_shift)

    def simple_slopes(self, at=None, alpha: float | None = None) -> pd.DataFrame:
        """Simple slopes of x at chosen moderator values.

        Parameters
        ----------
        at : None, "meansd", "percentiles", or list of float
            None / "meansd": mean - 1 SD, mean, mean + 1 SD of w (Aiken & West; SD with
            ddof=1).  "percentiles": the 16th, 50th and 84th percentiles (Hayes' PROCESS
            alternative, robust to skew).  A list: these moderator values (original units).
        alpha : float, optional
            Defaults to the model's alpha.

        Returns
        -------
        DataFrame
            ``w``, ``slope``, ``se``, ``t``, ``p``, ``ci_low``, ``ci_high``, ``label``.
        """
        if at is None or (isinstance(at, str) and at == "meansd"):
            values = self.w_mean + np.array([-1.0, 0.0, 1.0]) * self.w_sd
            labels = ["mean - 1 SD", "mean", "mean + 1 SD"]
        elif isinstance(at, str) and at == "percentiles":
            w_obs = self.hierarchy.data[self.w]
            values = np.percentile(w_obs, [16, 50, 84])
            labels = ["P16", "P50", "P84"]
        elif isinstance(at, str):
            raise ParameterError(f"unknown at={at!r}",
                                 hint='use None, "meansd", "percentiles" or a list of values')
        else:
            values = np.atleast_1d(np.asarray(at, dtype=float))
            if not np.isfinite(values).all():
                raise ParameterError("moderator values must be finite numbers",
                                     hint="give values like [2.5, 4.0, 5.5]")
            labels = [f"{v:g}" for v in values]
        out = self.conditional_effects(values, alpha)
        out["label"] = labels
        return out

    def johnson_neyman(self, alpha: float | None = None, grid: int = 400) -> JohnsonNeymanResult:
        """Johnson-Neyman bounds of the moderator and the conditional-slope curve.

        The bounds are exact (roots of the quadratic in :func:`johnson_neyman_bounds`), in
        the moderator's original units, and use the model's covariance (``cov_type``).
        ``grid`` points over the observed range of w (widened to show bounds just outside
        it) make the curve for the plot.
        """
        alpha = self.alpha if alpha is None else alpha
        if not 0 < alpha < 1:
            raise ParameterError(f"alpha = {alpha} is not between 0 and 1", hint="use e.g. 0.05")
        b1, b3, V = self._pieces()
        roots, kind, a = johnson_neyman_bounds(b1, b3, V, self.df_resid, alpha)
        bounds = tuple(r + self.w_shift for r in roots)
        lo, hi = self.w_range
        in_range = tuple(b for b in bounds if lo <= b <= hi)
        span = hi - lo
        # widen the grid to show bounds up to a quarter range outside the data, with a margin
        ext_lo = min([lo] + [b - 0.05 * span for b in bounds if lo - 0.25 * span <= b < lo])
        ext_hi = max([hi] + [b + 0.05 * span for b in bounds if hi < b <= hi + 0.25 * span])
        curve = self.conditional_effects(np.linspace(ext_lo, ext_hi, int(grid)), alpha)
        curve["significant"] = curve["p"] < alpha
        return JohnsonNeymanResult(
            x=self.x, w=self.w, bounds=bounds, significant_inside=bool(a < 0), kind=kind,
            bounds_in_range=in_range, w_range=self.w_range, alpha=alpha,
            t_crit=float(stats.t.ppf(1 - alpha / 2, self.df_resid)), df=self.df_resid,
            cov_type=self.cov_type, curve=curve,
            w_observed=self.hierarchy.data[self.w].to_numpy(dtype=float),
            x_shift=self.x_shift, w_shift=self.w_shift, slope_pieces=(b1, b3, V))

    def predict_lines(self, w_at=None, points: int = 50) -> pd.DataFrame:
        """Predicted y over the observed range of x at low / mean / high moderator values.

        Controls (and dummies) are held at their sample means (the means of their design
        columns), so the lines are those of an "average" firm.  ``w_at`` as in
        :meth:`simple_slopes`.

        Returns
        -------
        DataFrame
            ``label``, ``w``, ``x``, ``y_hat``.
        """
        slopes = self.simple_slopes(at=w_at)
        model = self.hierarchy.final.model
        names = list(model.exog_names)
        mean_design = pd.Series(model.exog.mean(axis=0), index=names)
        xc = self.hierarchy.data[self.x] - self.x_shift
        # the "average firm" prediction with x, w and x:w removed, then added back
        base = float(mean_design @ self.params)
        for term in (self.x, self.w, self.interaction):
            base -= float(mean_design[term] * self.params[term])
        x_grid = np.linspace(float(xc.min()), float(xc.max()), points)
        rows = []
        for label, w in zip(slopes["label"], slopes["w"]):
            wc = w - self.w_shift
            y_hat = (base + self.params[self.x] * x_grid + self.params[self.w] * wc
                     + self.params[self.interaction] * x_grid * wc)
            rows.append(pd.DataFrame({"label": label, "w": w, "x": x_grid + self.x_shift,
                                      "y_hat": y_hat}))
        return pd.concat(rows, ignore_index=True)

    def summary(self, lang: str = "zh") -> str:
        check_lang(lang)
        ss = self.simple_slopes().round(4)
        jn = self.johnson_neyman()
        title = ("简单斜率" if lang == "zh" else "Simple slopes") + f" ({self.x} | {self.w})"
        return "\n".join([self.hierarchy.summary(lang), "", title, ss.to_string(index=False),
                          "", jn.summary(lang)])

    def plot(self, kind: str = "jn", lang: str = "zh", ax=None):
        from .plotting import moderation as mplot
        if kind == "jn":
            return mplot.johnson_neyman_plot(self.johnson_neyman(), lang=lang, ax=ax)
        if kind == "interaction":
            return mplot.interaction_plot(self, lang=lang, ax=ax)
        raise ParameterError(f"unknown plot kind {kind!r}", hint='use "jn" or "interaction"')


def moderated_regression(data: pd.DataFrame, y: str, x: str, w: str, controls: Sequence[str] = (),
                         center: bool = True, cov_type: str = "HC3",
                         alpha: float = 0.05) -> ModerationResult:
    """Moderated regression with simple slopes and Johnson-Neyman (Aiken & West; Hayes model 1).

    Fits three blocks, ``controls`` / ``x + w`` / ``x:w`` (block 1 is skipped without
    controls), by :func:`hierarchical_regression`:

    .. math:: y = b_0 + c'z + b_1 x + b_2 w + b_3 x w + e

    so that the slope of ``x`` at moderator value ``w`` is ``b1 + b3 w``.

    Parameters
    ----------
    data : DataFrame
    y, x, w : str
        Outcome, focal predictor (e.g. CRM capability) and moderator (e.g. environmental
        dynamism); all numeric.
    controls : sequence of str
        Control terms; text columns (industry, ownership) become treatment dummies.
    center : bool, default True
        Mean-centre x and w (estimation sample).  Results in original units stay available:
        moderator values are always in original units and :meth:`ModerationResult.uncentered`
        gives uncentred coefficients.
    cov_type : str, default "HC3"
    alpha : float, default 0.05

    Returns
    -------
    ModerationResult

    Examples
    --------
    >>> fit = moderated_regression(mtcars, "mpg", x="hp", w="wt", controls=["cyl", "am"])
    ...                                                                   # doctest: +SKIP
    >>> fit.johnson_neyman().bounds                                        # doctest: +SKIP

    In R: ``m <- lm(mpg ~ cyl + am + hp * wt, d)`` (centred hp, wt) and the quadratic in
    ``coef(m)`` and ``vcovHC(m, type = "HC3")`` (``tests/reference/moderation``).
    """
    for name, value in (("x", x), ("w", w), ("y", y)):
        if not isinstance(value, str):
            raise ParameterError(f"{name} must be one column name, got {value!r}",
                                 hint="use moderated_regressions for several outcomes")
    if x == w:
        raise ParameterError(f"x and w are the same column {x!r}",
                             hint="give the focal predictor and the moderator")
    controls = tuple([controls] if isinstance(controls, str) else controls)
    if x in controls or w in controls or y in controls:
        raise ParameterError("the outcome, focal predictor or moderator is also a control",
                             hint="list it only once")
    interaction = f"{x}:{w}"
    blocks: dict[str, list[str]] = {}
    if controls:
        blocks["controls"] = list(controls)
    blocks["main"] = [x, w]
    blocks["interaction"] = [interaction]
    hier = hierarchical_regression(data, y, blocks, center=[x, w] if center else False,
                                   cov_type=cov_type, alpha=alpha)
    final = hier.final
    names = list(final.model.exog_names)
    cov = pd.DataFrame(np.asarray(final.cov_params()), index=names, columns=names)
    raw = hier.data
    return ModerationResult(
        y=y, x=x, w=w, controls=controls, hierarchy=hier, params=final.params.copy(),
        bse=final.bse.copy(), cov=cov, interaction=interaction,
        x_shift=hier.centered.get(x, 0.0), w_shift=hier.centered.get(w, 0.0),
        w_mean=float(raw[w].mean()), w_sd=float(raw[w].std(ddof=1)),
        w_range=(float(raw[w].min()), float(raw[w].max())), x_mean=float(raw[x].mean()),
        x_sd=float(raw[x].std(ddof=1)), df_resid=float(final.df_resid),
        cov_type=hier.cov_type, alpha=alpha)


# ----------------------------------------------------------------------------------------
# several outcomes
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MultiOutcomeResult:
    """The same moderated regression for several outcomes.

    Attributes
    ----------
    results : dict
        Outcome -> :class:`ModerationResult`.
    steps : DataFrame
        The steps tables stacked, index (outcome, step).
    slopes : DataFrame
        Simple slopes (mean ± 1 SD) of every outcome, with an ``outcome`` column.
    johnson_neyman : DataFrame
        One row per outcome: ``kind``, ``lower``, ``upper``, ``significant_inside``.
    """

    outcomes: tuple
    results: dict = field(repr=False)
    steps: pd.DataFrame
    slopes: pd.DataFrame
    johnson_neyman: pd.DataFrame

    def table(self, lang: str = "zh", stat: str = "b", digits: int = 3,
              labels: Mapping[str, str] | None = None) -> pd.DataFrame:
        """One column per outcome (its final model), cells "b*** (se)", then R², ΔR², F, N."""
        cols = {}
        for outcome, res in self.results.items():
            tab = res.table(lang=lang, stat=stat, digits=digits, labels=labels)
            cols[variable_label(outcome, lang, labels)] = tab.iloc[:, -1]
        out = pd.DataFrame(cols).fillna("")
        out.columns.name = _LABELS[lang]["outcome"]
        out.attrs["note"] = next(iter(self.results.values())).table(lang).attrs["note"]
        return out

    def regions_table(self, lang: str = "zh", labels: Mapping | None = None,
                      alpha: float | None = None) -> pd.DataFrame:
        """Johnson-Neyman regions of every outcome (:meth:`JohnsonNeymanResult.regions_table`)
        stacked, the outcome (labelled) in the first column.  Only the observed range of the
        moderator is cut; bounds outside it are not rows (see ``describe``)."""
        check_lang(lang)
        head = _LABELS[lang]["outcome"]
        parts = []
        for outcome, res in self.results.items():
            part = res.johnson_neyman(alpha=alpha).regions_table(lang, labels)
            part.insert(0, head, variable_label(outcome, lang, labels))
            parts.append(part)
        return pd.concat(parts, ignore_index=True)


def moderated_regressions(data: pd.DataFrame, outcomes: Sequence[str], x: str, w: str,
                          controls: Sequence[str] = (), center: bool = True,
                          cov_type: str = "HC3", alpha: float = 0.05) -> MultiOutcomeResult:
    """Run :func:`moderated_regression` for each outcome (financial, customer, innovation
    performance ...) and collect one table.  Listwise deletion is per outcome."""
    outcomes = (outcomes,) if isinstance(outcomes, str) else tuple(outcomes)
    if not outcomes:
        raise ParameterError("no outcomes given", hint="list at least one outcome column")
    results = {o: moderated_regression(data, o, x, w, controls, center=center,
                                       cov_type=cov_type, alpha=alpha) for o in outcomes}
    steps = pd.concat({o: r.steps for o, r in results.items()}, names=["outcome", "step"])
    slopes = pd.concat([r.simple_slopes().assign(outcome=o) for o, r in results.items()],
                       ignore_index=True)
    jn_rows = []
    for o, r in results.items():
        jn = r.johnson_neyman()
        jn_rows.append({"outcome": o, "kind": jn.kind,
                        "lower": jn.bounds[0] if jn.bounds else np.nan,
                        "upper": jn.bounds[-1] if len(jn.bounds) > 1 else np.nan,
                        "significant_inside": jn.significant_inside,
                        # a bound outside the observed moderator range is no finding
                        "lower_observed": bool(jn.bounds and jn.bounds[0] in jn.bounds_in_range),
                        "upper_observed": bool(len(jn.bounds) > 1
                                               and jn.bounds[-1] in jn.bounds_in_range)})
    return MultiOutcomeResult(outcomes=outcomes, results=results, steps=steps, slopes=slopes,
                              johnson_neyman=pd.DataFrame(jn_rows).set_index("outcome"))


def truth_recovery(latent: pd.DataFrame, generating: pd.DataFrame, x: str, w: str,
                   controls: Sequence[str] = (), cov_type: str = "HC3",
                   alpha: float = 0.05) -> pd.DataFrame:
    """Do the intervals of a moderated regression on simulated latent scores cover the
    generating coefficients?

    For each outcome ``dim`` (a column of ``generating``) the latent outcome ``perf_<dim>``
    (or ``dim``) is regressed on ``x``, ``w``, ``x:w`` and ``controls`` (uncentred, as the
    truth is stated), and each of the three terms listed in ``generating``'s index is
    compared with its interval.

    Parameters
    ----------
    latent : DataFrame
        Latent scores and the controls, one row per case (the screened sample).
    generating : DataFrame
        Generating coefficients, index = terms, columns = outcomes.

    Returns
    -------
    DataFrame
        Index (``outcome``, ``term``); ``true``, ``estimate``, ``ci_low``, ``ci_high``,
        ``covered`` (bool).  Empty when no outcome matches.
    """
    rows = []
    for dim in generating.columns:
        y_col = f"perf_{dim}" if f"perf_{dim}" in latent.columns else dim
        if y_col not in latent.columns or x not in latent.columns or w not in latent.columns:
            continue
        res = moderated_regression(latent, y_col, x, w, controls=controls, center=False,
                                   cov_type=cov_type, alpha=alpha)
        for term in (x, w, f"{x}:{w}"):
            if term not in generating.index:
                continue
            c = res.coefficients.loc[term]
            true = float(generating.loc[term, dim])
            rows.append({"outcome": dim, "term": term, "true": true, "estimate": c["b"],
                         "ci_low": c["ci_low"], "ci_high": c["ci_high"],
                         "covered": bool(c["ci_low"] <= true <= c["ci_high"])})
    columns = ["outcome", "term", "true", "estimate", "ci_low", "ci_high", "covered"]
    out = pd.DataFrame(rows, columns=columns).set_index(["outcome", "term"])
    out.attrs["alpha"] = alpha
    return out


def truth_recovery_table(recovery: pd.DataFrame, lang: str = "zh",
                         labels: Mapping | None = None) -> pd.DataFrame:
    """:func:`truth_recovery` as displayed: outcomes and terms labelled from the catalogue
    ("客户关系管理能力 × 环境动荡性"), coefficients with 3 decimals, the interval as
    "[low, high]" and whether it covers the truth as yes / no."""
    from .formatting import format_ci, format_number
    from .labels import label as _label, term_label

    check_lang(lang)
    rows = []
    for (outcome, term), r in recovery.iterrows():   # a few terms, not data rows
        rows.append({
            _LABELS[lang]["outcome"]: variable_label(outcome, lang, labels),
            COLUMN_LABELS[lang]["term"]: term_label(term, lang, labels),
            COLUMN_LABELS[lang]["true"]: format_number(r["true"], "b", lang=lang),
            COLUMN_LABELS[lang]["estimate"]: format_number(r["estimate"], "b", lang=lang),
            _label("ci", lang, "headers", level=round(100 * (1 - recovery.attrs.get(
                "alpha", 0.05)))): format_ci(r["ci_low"], r["ci_high"], "b", lang=lang),
            COLUMN_LABELS[lang]["covered"]: _label("yes" if r["covered"] else "no", lang,
                                                   "terms")})
    return pd.DataFrame(rows)
