"""Thesis tables (三线表) in zh and en, and their Word, Excel and CSV forms.

论文表格：描述性统计与相关系数表（表1）、验证性因子分析表、拟合指标表、层级回归表、简单斜率表、
中介效应表和假设检验汇总表，中英文，输出为 Word 三线表。

Every builder returns a frozen :class:`ThesisTable`: its ``data`` keep the unrounded numbers
(``details`` hold what the table is built from: p-values, pairwise N ...); rounding happens only
in :meth:`ThesisTable.display` (strings, numbers formatted by :mod:`crmstudy.formatting`, labels
from :mod:`crmstudy.labels`) and in the Word/Excel/CSV forms.

* :func:`descriptives_table` -- M, SD, Pearson correlations (lower triangle, stars), √AVE on
  the diagonal (Table 1);
* :func:`measurement_table` -- items, standardised loadings, Cronbach's α, CR, AVE per construct;
* :func:`fit_table` -- fit indices with named thresholds and whether each is met;
* :func:`regression_table` -- hierarchical regression, models M1…Mk side by side;
* :func:`simple_slopes_table` -- slopes of x at low / mean / high moderator values;
* :func:`mediation_table` -- bootstrapped indirect effects with their intervals;
* :func:`hypothesis_table` -- the summary of hypotheses (研究假设检验结果汇总).

:func:`to_docx` writes tables into a Word document as three-line tables (top and bottom rules
1.5 pt, a 0.75 pt rule under the header, no vertical lines), numbered and titled above with a
note below, in 宋体 / Times New Roman; :func:`to_excel` and :func:`to_csv` write the same
display tables.  Files are written atomically and never overwrite an existing file unless
``overwrite=True``.

Number conventions (:mod:`crmstudy.formatting`): ``lang="en"`` prints APA style (no leading
zero for quantities bounded by 1, ``p < .001``), ``lang="zh"`` the Chinese journals' style
(``0.35``, ``p < 0.001``); ``style=`` chooses either explicitly.  Stars: ``* p < .05,
** p < .01, *** p < .001`` (strict inequalities).
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .errors import InputDataError, ParameterError
from .formatting import (DECIMALS, MISSING, NumberStyle, format_ci, format_number, format_p,
                         get_style,
                         star_note, stars)
from .labels import check_lang, join, label, path_label, term_label, variable_label

__all__ = [
    "ThesisTable", "descriptives_table", "measurement_table", "fit_table", "regression_table",
    "simple_slopes_table", "mediation_table", "hypothesis_table", "to_docx", "to_excel",
    "to_csv", "FIT_THRESHOLDS", "cfa_loadings",
]


# ----------------------------------------------------------------------------------------
# the table object
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ThesisTable:
    """One thesis table: unrounded data, and its display in zh or en.

    Attributes
    ----------
    kind : str
        ``"descriptives"``, ``"measurement"``, ``"fit"``, ``"regression"``,
        ``"simple_slopes"``, ``"mediation"`` or ``"hypotheses"``.
    data : DataFrame
        The numbers of the table, unrounded (layout documented by each builder).
    number : int or None
        Table number ("表1"); None lets :func:`to_docx` number tables by position.
    lang : {"zh", "en"}
        Default language of :meth:`display`, :meth:`note` and :meth:`caption`.
    title : dict
        ``{"zh": ..., "en": ...}``.
    details : dict of DataFrame
        What the table was built from (p-values, pairwise N, model steps ...).
    conventions : dict
        Named conventions (missing data, SE type, star convention, number style ...).
    """

    kind: str
    data: pd.DataFrame
    number: int | None = None
    lang: str = "zh"
    title: Mapping[str, str] = field(default_factory=dict)
    details: Mapping[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    conventions: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def _lang(self, lang: str | None) -> str:
        return check_lang(self.lang if lang is None else lang)

    def _render(self, lang, style):
        lang = self._lang(lang)
        st = get_style(style, lang)
        if self.kind not in _RENDERERS:
            raise ParameterError(f"unknown table kind {self.kind!r}",
                                 hint=f"use one of {', '.join(_RENDERERS)}")
        frame, notes = _RENDERERS[self.kind](self, lang, st)
        return frame, notes, lang, st

    def display(self, lang: str | None = None, style: str | NumberStyle | None = None
                ) -> pd.DataFrame:
        """The table as printed: strings only, first column the row labels (the stub)."""
        frame, _, _, _ = self._render(lang, style)
        return frame

    def note(self, lang: str | None = None, style: str | NumberStyle | None = None) -> str:
        """The note line under the table ("注：…。" / "Note. ….")."""
        _, notes, lang, _ = self._render(lang, style)
        notes = [n for n in notes if n]
        if not notes:
            return ""
        sep, end = label("separator", lang, "notes"), label("end", lang, "notes")
        body = sep.join(n.rstrip("。.；; ") for n in notes)
        return label("prefix", lang, "notes") + body + end

    def caption(self, lang: str | None = None, number: int | None = None) -> str:
        """"表1 描述性统计与相关系数" / "Table 1 Means, Standard Deviations and Correlations"."""
        lang = self._lang(lang)
        n = self.number if number is None else number
        head = label("table_label", lang, "titles", number="" if n is None else n).strip()
        return f"{head} {self.title.get(lang, '')}".strip()

    def numbered(self, number: int) -> "ThesisTable":
        """A copy with another table number."""
        return replace(self, number=int(number))

    def summary(self, lang: str | None = None, style: str | NumberStyle | None = None) -> str:
        """Caption, table and note as plain text."""
        frame = self.display(lang, style)
        return "\n".join([self.caption(lang), frame.to_string(index=False),
                          self.note(lang, style)])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        """Caption, table and note in a notebook (in the table's language)."""
        from html import escape

        frame = self.display()
        return (f"<p><b>{escape(self.caption())}</b></p>" + frame.to_html(index=False)
                + f"<p><small>{escape(self.note())}</small></p>")


def _n_text(n_low: int, n_high: int, missing: str, lang: str, st: NumberStyle) -> str:
    how = label(missing, lang, "terms")
    if n_low == n_high:
        return label("n", lang, "notes", n=format_number(n_low, "n", style=st), missing=how)
    return label("n_range", lang, "notes", low=format_number(n_low, "n", style=st),
                 high=format_number(n_high, "n", style=st), missing=how)


def _cell(value, quantity: str, p=None, st: NumberStyle | None = None) -> str:
    text = format_number(value, quantity, style=st)
    return text + (stars(p, st) if text != MISSING else "")


# ----------------------------------------------------------------------------------------
# Table 1: descriptives and correlations
# ----------------------------------------------------------------------------------------
def _cfa_ave(cfa) -> pd.Series:
    """AVE by construct from a CFA result (``.ave``) or a Series/dict of AVE values."""
    if cfa is None:
        return pd.Series(dtype=float)
    ave = getattr(cfa, "ave", cfa)
    if isinstance(ave, Mapping):
        ave = pd.Series(ave, dtype=float)
    if not isinstance(ave, pd.Series):
        raise ParameterError(f"cfa must be a fitted CFA result (with .ave) or a Series of AVE "
                             f"values, got {type(cfa).__name__}",
                             hint="pass crmstudy.measurement.cfa(...)")
    return ave.astype(float)


def descriptives_table(data: pd.DataFrame, constructs: Sequence[str] | None = None, cfa=None,
                       lang: str = "zh", *, missing: str = "pairwise",
                       labels: Mapping | None = None, number: int | None = 1) -> ThesisTable:
    """Table 1: means, standard deviations and Pearson correlations with stars, √AVE on the diagonal.

    .. math:: r_{ij} = \\frac{\\sum (x_i - \\bar x_i)(x_j - \\bar x_j)}
                             {\\sqrt{\\sum (x_i - \\bar x_i)^2 \\sum (x_j - \\bar x_j)^2}},
              \\qquad t = r\\sqrt{\\frac{n-2}{1-r^2}} \\sim t_{n-2}

    p-values are two-sided (``scipy.stats.pearsonr``, the same as R ``cor.test``).  Stars:
    ``* p < .05, ** p < .01, *** p < .001``.

    Parameters
    ----------
    data : DataFrame
        One column per variable: scale scores, composites, controls.  Not modified.
    constructs : list of str, optional
        Columns to include, in this order; default: every numeric (or boolean) column.
    cfa : CFAResult or Series, optional
        A fitted CFA (:func:`crmstudy.measurement.cfa`) whose √AVE goes on the diagonal of the
        columns named like its constructs; other diagonal cells show "—".
    lang : {"zh", "en"}
    missing : {"pairwise", "listwise"}
        ``"pairwise"`` (SPSS's default for correlations): each mean and SD uses the variable's
        answered rows and each correlation the rows complete on its pair; the note gives the
        range of N.  ``"listwise"``: only rows complete on every column.
    labels : dict, optional
        Display names: column -> str or {"zh": ..., "en": ...}; otherwise the label catalogue
        (:mod:`crmstudy.labels`), else the column name.
    number : int, optional
        Table number (default 1).

    Returns
    -------
    ThesisTable
        ``data``: index = variables, columns ``mean``, ``sd`` (ddof = 1), then one column per
        variable with r in the lower triangle, √AVE (or NaN) on the diagonal and NaN above.
        ``details``: ``r`` and ``p`` (full matrices), ``n`` (pairwise N), ``n_var`` (N of
        each mean/SD).

    Examples
    --------
    The correlations and p-values are those of R::

        cor.test(d$x, d$y)      # for each pair (pairwise complete rows)

    >>> t1 = descriptives_table(scores, cfa=fit, lang="zh")        # doctest: +SKIP
    >>> t1.display()                                               # doctest: +SKIP
    """
    check_lang(lang)
    if missing not in ("pairwise", "listwise"):
        raise ParameterError(f"missing must be 'pairwise' or 'listwise', got {missing!r}")
    if not isinstance(data, pd.DataFrame):
        raise InputDataError(f"data must be a pandas DataFrame, got {type(data).__name__}",
                             hint="one column per variable (scale scores, composites, controls)")
    if constructs is None:
        cols = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])]
    else:
        cols = [constructs] if isinstance(constructs, str) else list(constructs)
        for c in cols:
            if c not in data.columns:
                raise InputDataError(f"column {c!r} is not in the data", column=c,
                                     hint=f"use some of: {', '.join(map(str, data.columns))}")
            if not pd.api.types.is_numeric_dtype(data[c]):
                raise InputDataError(f"column {c!r} is not numeric (dtype {data[c].dtype})",
                                     column=c, hint="leave it out or convert it to numbers")
        if len(set(cols)) < len(cols):
            raise ParameterError("a column is listed twice in constructs")
    if len(cols) < 2:
        raise ParameterError(f"Table 1 needs at least two numeric columns, got {cols}",
                             hint="pass constructs=[...] naming the scale scores and controls")
    clash = [c for c in cols if c in ("mean", "sd")]
    if clash:
        raise InputDataError(f"column {clash[0]!r} has the name of a Table 1 statistic",
                             column=clash[0], hint="rename the column (e.g. 'mean_score')")
    x = data[cols].astype(float)
    if missing == "listwise":
        x = x.dropna()
    values = x.to_numpy()
    present = ~np.isnan(values)
    k = len(cols)
    for j, c in enumerate(cols):
        col = values[present[:, j], j]
        if col.size < 3:
            raise InputDataError(f"column {c!r} has {col.size} usable value(s); a correlation "
                                 "needs at least 3", column=c)
        if np.all(col == col[0]):
            raise InputDataError(f"column {c!r} is constant ({col[0]:g}); its correlations are "
                                 "undefined", column=c,
                                 hint="leave it out: name the columns with constructs=[...] "
                                      "(scale_scores(..., counts=False) has no count columns)")
    r = np.eye(k)
    p = np.full((k, k), np.nan)
    n = np.zeros((k, k), dtype=int)
    for i in range(k):                      # pairs of variables, not rows
        n[i, i] = int(present[:, i].sum())
        for j in range(i):
            both = present[:, i] & present[:, j]
            n[i, j] = n[j, i] = int(both.sum())
            if n[i, j] < 3:
                raise InputDataError(f"columns {cols[i]!r} and {cols[j]!r} are both answered in "
                                     f"only {n[i, j]} row(s)", column=cols[i],
                                     hint="check the missing values of these columns")
            res = stats.pearsonr(values[both, i], values[both, j])
            r[i, j] = r[j, i] = float(res.statistic)
            p[i, j] = p[j, i] = float(res.pvalue)
    ave = _cfa_ave(cfa)
    if cfa is not None and not set(ave.index) & set(cols):
        raise ParameterError(f"none of the columns {cols} is a construct of the CFA "
                             f"({list(ave.index)})",
                             hint="name the score columns after the CFA constructs, or leave cfa out")
    table = pd.DataFrame(np.where(np.tril(np.ones((k, k), bool), -1), r, np.nan),
                         index=cols, columns=cols)
    for c in cols:
        table.loc[c, c] = float(np.sqrt(ave[c])) if c in ave.index else np.nan
    table.insert(0, "sd", x.std(ddof=1))
    table.insert(0, "mean", x.mean())
    table.index.name = "variable"
    details = {"r": pd.DataFrame(r, index=cols, columns=cols),
               "p": pd.DataFrame(p, index=cols, columns=cols),
               "n": pd.DataFrame(n, index=cols, columns=cols),
               "n_var": pd.Series(np.diag(n), index=cols, name="n")}
    conventions = {"correlation": "Pearson r, two-sided t test (scipy.stats.pearsonr = R cor.test)",
                   "missing": missing, "sd": "ddof = 1", "stars": "apa",
                   "diagonal": "sqrt(AVE) of the CFA" if cfa is not None else "none"}
    with_ave = [c for c in cols if c in ave.index]

    return ThesisTable(kind="descriptives", data=table, number=number, lang=lang,
                       title=_titles("descriptives"), details=details,
                       conventions=conventions,
                       options={"labels": labels, "missing": missing, "with_ave": bool(with_ave)})


def _titles(key: str) -> dict:
    return {lg: label(key, lg, "titles") for lg in ("zh", "en")}


# ----------------------------------------------------------------------------------------
# measurement (CFA) table
# ----------------------------------------------------------------------------------------
def cfa_loadings(cfa) -> pd.DataFrame:
    """The loadings of a CFA result as ``construct, item, std_loading, se, p``.

    The one place that knows the column names of ``CFAResult``'s loadings table
    (``loadings`` with lavaan's ``est`` and ``std_all``).
    """
    table = getattr(cfa, "loadings", None)
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(f"expected a fitted CFA result with a loadings table, got "
                             f"{type(cfa).__name__}", hint="pass crmstudy.measurement.cfa(...)")
    std = next((c for c in ("std_all", "std_loading", "est_std") if c in table.columns), None)
    if std is None or not {"construct", "item"} <= set(table.columns):
        raise ParameterError(f"the CFA loadings table has columns {list(table.columns)}; "
                             "expected construct, item and a standardised loading (std_all)")
    out = pd.DataFrame({"construct": table["construct"].astype(str),
                        "item": table["item"].astype(str),
                        "std_loading": table[std].astype(float)})
    for c in ("se", "p"):
        out[c] = table[c].astype(float).to_numpy() if c in table.columns else np.nan
    return out.reset_index(drop=True)


def _alpha_by_construct(reliability) -> pd.Series:
    if reliability is None:
        return pd.Series(dtype=float)
    table = getattr(reliability, "table", reliability)
    if isinstance(table, pd.DataFrame):
        if "alpha" not in table.columns:
            raise ParameterError("the reliability table has no 'alpha' column")
        return (table.set_index("construct")["alpha"] if "construct" in table.columns
                else table["alpha"]).astype(float)
    if isinstance(table, Mapping):
        return pd.Series(table, dtype=float)
    if isinstance(table, pd.Series):
        return table.astype(float)
    raise ParameterError(f"reliability must be a ReliabilityResult or alphas by construct, got "
                         f"{type(reliability).__name__}")


def measurement_table(cfa, reliability=None, lang: str = "zh", *, labels: Mapping | None = None,
                      item_labels: Mapping | None = None, number: int | None = None) -> ThesisTable:
    """The measurement table: items, standardised loadings, α, CR and AVE per construct.

    Parameters
    ----------
    cfa : CFAResult
        :func:`crmstudy.measurement.cfa` (standardised loadings, CR, AVE; Fornell & Larcker 1981).
    reliability : ReliabilityResult or dict, optional
        Cronbach's α per construct (:func:`crmstudy.measurement.reliability`); without it the α
        column is left out.
    labels : dict, optional
        Construct display names (str or {"zh", "en"}).
    item_labels : dict, optional
        Item display names (e.g. short wordings); default the item ids.

    Returns
    -------
    ThesisTable
        ``data``: one row per item: ``construct, item, std_loading, se, p, alpha, cr, ave``
        (the construct values repeated on each of its items; shown once in the display).
    """
    check_lang(lang)
    load = cfa_loadings(cfa)
    alpha = _alpha_by_construct(reliability)
    cr = pd.Series(getattr(cfa, "composite_reliability"), dtype=float)
    ave = pd.Series(getattr(cfa, "ave"), dtype=float)
    data = load.copy()
    if reliability is not None:
        absent = sorted(set(data["construct"]) - set(alpha.index))
        if absent:
            raise ParameterError(f"no Cronbach's α for construct(s) {absent}",
                                 hint="compute reliability on the same codebook as the CFA")
        data["alpha"] = data["construct"].map(alpha).astype(float)
    data["cr"] = data["construct"].map(cr).astype(float)
    data["ave"] = data["construct"].map(ave).astype(float)
    n = getattr(cfa, "n", None)
    conv = dict(getattr(cfa, "conventions", {}) or {})
    estimator = str(conv.get("estimator", "ML")).split(" ")[0]

    return ThesisTable(kind="measurement", data=data, number=number, lang=lang,
                       title=_titles("measurement"), details={}, conventions={
                           "loadings": "completely standardised (lavaan std.all)",
                           "cr_ave": conv.get("cr_ave", "standardized (Fornell-Larcker)"),
                           "missing": conv.get("missing", "listwise")},
                       options={"labels": labels, "item_labels": item_labels, "n": n,
                                "estimator": estimator})


# ----------------------------------------------------------------------------------------
# fit indices
# ----------------------------------------------------------------------------------------
_HB = "Hu & Bentler (1999)"
# Named threshold sets: key -> (operator, bound, source).  "thesis" is the set Chinese theses and
# AMOS users list (DOMAIN.md, section 5); "hu_bentler" the stricter combination rules.
FIT_THRESHOLDS: dict[str, dict[str, tuple[str, float, str]]] = {
    "thesis": {
        "chisq_df": ("<", 3.0, "Carmines & McIver (1981)"),
        "gfi": (">", 0.90, "Jöreskog & Sörbom (1984)"),
        "agfi": (">", 0.90, "Jöreskog & Sörbom (1984)"),
        "nfi": (">", 0.90, "Bentler & Bonett (1980)"),
        "ifi": (">", 0.90, "Bollen (1989)"),
        "tli": (">", 0.90, "Bentler & Bonett (1980)"),
        "cfi": (">", 0.90, "Bentler (1990)"),
        "rmsea": ("<", 0.08, "Browne & Cudeck (1993)"),
        "srmr": ("<", 0.08, _HB),
    },
    "hu_bentler": {
        "chisq_df": ("<", 3.0, "Carmines & McIver (1981)"),
        "gfi": (">", 0.90, "Jöreskog & Sörbom (1984)"),
        "agfi": (">", 0.90, "Jöreskog & Sörbom (1984)"),
        "nfi": (">", 0.90, "Bentler & Bonett (1980)"),
        "ifi": (">", 0.90, "Bollen (1989)"),
        "tli": (">=", 0.95, _HB), "cfi": (">=", 0.95, _HB),
        "rmsea": ("<=", 0.06, _HB), "srmr": ("<=", 0.08, _HB),
    },
}
_FIT_ORDER = ("chisq", "df", "pvalue", "chisq_df", "gfi", "agfi", "nfi", "ifi", "tli", "cfi",
              "rmsea", "rmsea_ci", "srmr", "aic", "bic")
_FIT_ALIASES = {"chi2": "chisq", "p": "pvalue", "chi2_df": "chisq_df"}
_OPS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
_OP_TEXT = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def fit_table(fit, lang: str = "zh", *, thresholds: str | Mapping = "thesis",
              number: int | None = None) -> ThesisTable:
    """Fit indices with their thresholds (and sources) and whether each is met.

    Parameters
    ----------
    fit : dict or result with ``.fit``
        Keys ``chisq, df, pvalue, chisq_df, gfi, agfi, nfi, ifi, tli, cfi, rmsea,
        rmsea_ci_low, rmsea_ci_high, srmr, aic, bic`` (the fit dict of ``crmstudy.sem``;
        ``CFAResult.fit``'s ``chi2``, ``p``, ``chi2_df`` are read as ``chisq``, ``pvalue``,
        ``chisq_df``).  Missing keys are shown as "—"; ``chisq_df`` is computed from ``chisq``
        and ``df`` when absent.
    thresholds : {"thesis", "hu_bentler"} or dict
        A named set of :data:`FIT_THRESHOLDS` or a dict ``key -> (op, bound, source)``
        overriding the "thesis" set key by key.

    Returns
    -------
    ThesisTable
        ``data``: index = index key, columns ``value``, ``op``, ``bound``, ``source``, ``met``
        (True/False, NaN without threshold or value).
    """
    check_lang(lang)
    raw = getattr(fit, "fit", fit)
    if not isinstance(raw, Mapping):
        raise ParameterError(f"fit must be a dict of fit indices, got {type(fit).__name__}")
    values = {}
    for key, value in raw.items():
        values[_FIT_ALIASES.get(key, key)] = value
    if "chisq_df" not in values and "chisq" in values and values.get("df"):
        values["chisq_df"] = float(values["chisq"]) / float(values["df"])
    if isinstance(thresholds, str):
        if thresholds not in FIT_THRESHOLDS:
            raise ParameterError(f"unknown threshold set {thresholds!r}",
                                 hint=f"use one of {', '.join(FIT_THRESHOLDS)} or a dict")
        limits = dict(FIT_THRESHOLDS[thresholds])
        set_name = thresholds
    else:
        limits = {**FIT_THRESHOLDS["thesis"], **dict(thresholds)}
        set_name = "custom"
    for key, rule in limits.items():
        if len(rule) != 3 or rule[0] not in _OPS:
            raise ParameterError(f"threshold of {key!r} must be (op, bound, source) with op in "
                                 f"{list(_OPS)}, got {rule!r}", entry=key)
    rows = []
    for key in _FIT_ORDER:
        if key == "rmsea_ci":
            lo, hi = values.get("rmsea_ci_low", np.nan), values.get("rmsea_ci_high", np.nan)
            rows.append({"index": key, "value": np.nan, "ci_low": _float(lo), "ci_high": _float(hi),
                         "op": "", "bound": np.nan, "source": "", "met": np.nan})
            continue
        value = _float(values.get(key, np.nan))
        op, bound, source = limits.get(key, ("", np.nan, ""))
        met = bool(_OPS[op](value, bound)) if op and not np.isnan(value) else np.nan
        rows.append({"index": key, "value": value, "ci_low": np.nan, "ci_high": np.nan,
                     "op": op, "bound": bound, "source": source, "met": met})
    data = pd.DataFrame(rows).set_index("index")
    n = next((raw[k] for k in ("n", "nobs", "ntotal") if k in raw), None)

    return ThesisTable(kind="fit", data=data, number=number, lang=lang, title=_titles("fit"),
                       details={}, conventions={"thresholds": set_name}, options={"n": n})


def _float(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


# ----------------------------------------------------------------------------------------
# hierarchical regression, M1 ... Mk side by side
# ----------------------------------------------------------------------------------------
def _hierarchy(result):
    hier = getattr(result, "hierarchy", result)
    for attr in ("steps", "coefficients", "blocks", "n", "cov_type"):
        if not hasattr(hier, attr):
            raise ParameterError(f"expected a hierarchical or moderated regression result, got "
                                 f"{type(result).__name__}",
                                 hint="pass crmstudy.moderation.hierarchical_regression(...)")
    return hier


def _references(data: pd.DataFrame | None) -> dict:
    """Reference level of each categorical column (treatment coding: the first category)."""
    if data is None:
        return {}
    out = {}
    for c in data.columns:
        col = data[c]
        if isinstance(col.dtype, pd.CategoricalDtype) and len(col.cat.categories):
            out[c] = col.cat.categories[0]
        elif not pd.api.types.is_numeric_dtype(col):
            levels = sorted(col.dropna().unique())
            if levels:
                out[c] = levels[0]
    return out


_MODEL_ROWS = ("r2", "adj_r2", "delta_r2", "f_change", "n")


def regression_table(result, stat: str = "b", lang: str = "zh", *, labels: Mapping | None = None,
                     se_layout: str = "row", number: int | None = None) -> ThesisTable:
    """Hierarchical regression with models M1…Mk side by side (b or β with stars, SE, R², ΔR², ΔF, N).

    Built from :func:`crmstudy.moderation.hierarchical_regression` (or a moderated regression,
    whose three steps are controls / main effects / interaction): one column per step, the
    coefficient with stars from its t test (``cov_type`` of the fit, HC3 by default), the
    standard error in parentheses, then R², adjusted R², ΔR², the F test of the R² change (with
    stars from its p) and N.

    Parameters
    ----------
    result : HierarchicalResult or ModerationResult
    stat : {"b", "beta"}
        Unstandardised coefficients with SEs, or standardised β (SPSS convention, b·sd(x)/sd(y);
        no SE, the intercept left out; stars from the t test of b).
    labels : dict, optional
        Variable display names (str or {"zh", "en"}); dummies read "所有制：民营（参照：国有）".
    se_layout : {"row", "inline"}
        SE on its own row under the coefficient (journals), or in the same cell "0.123 (0.045)".

    Returns
    -------
    ThesisTable
        ``data``: index = terms (statsmodels names) then ``r2, adj_r2, delta_r2, f_change, n``;
        columns = MultiIndex (model ``M1``…, component ``est, se, p``): for terms b (or β), its
        SE and p; for ``f_change`` the F and its p; otherwise the value in ``est``.
        ``details``: ``steps`` and ``coefficients`` of the regression.
    """
    check_lang(lang)
    if stat not in ("b", "beta"):
        raise ParameterError(f"unknown stat {stat!r}", hint='use "b" or "beta"')
    if se_layout not in ("row", "inline"):
        raise ParameterError(f"unknown se_layout {se_layout!r}", hint='use "row" or "inline"')
    hier = _hierarchy(result)
    coef = hier.coefficients
    terms = list(dict.fromkeys(coef["term"]))
    if stat == "beta":
        terms = [t for t in terms if t != "Intercept"]
    else:   # intercept last, as journals print it
        terms = [t for t in terms if t != "Intercept"] + (["Intercept"] if "Intercept" in terms else [])
    k_models = len(hier.blocks)
    models = [f"M{k}" for k in range(1, k_models + 1)]
    columns = pd.MultiIndex.from_product([models, ["est", "se", "p"]], names=["model", "component"])
    data = pd.DataFrame(np.nan, index=pd.Index(terms + list(_MODEL_ROWS), name="term"),
                        columns=columns)
    for k, m in enumerate(models, start=1):
        tab = coef[coef["step"] == k].set_index("term")
        for t in terms:
            if t in tab.index:
                data.loc[t, (m, "est")] = tab.loc[t, "b" if stat == "b" else "beta"]
                data.loc[t, (m, "se")] = tab.loc[t, "se"] if stat == "b" else np.nan
                data.loc[t, (m, "p")] = tab.loc[t, "p"]
        s = hier.steps.loc[k]
        for key in ("r2", "adj_r2", "delta_r2"):
            data.loc[key, (m, "est")] = s[key]
        data.loc["f_change", (m, "est")] = s["f_change"]
        data.loc["f_change", (m, "p")] = s["p_change"]
        data.loc["n", (m, "est")] = hier.n
    references = _references(getattr(hier, "data", None))
    cov_type = hier.cov_type
    centred = list(getattr(hier, "centered", {}) or {})

    conventions = {"stat": stat, "cov_type": cov_type, "stars": "apa",
                   **{k: v for k, v in dict(getattr(hier, "conventions", {}) or {}).items()
                      if k in ("f_change", "standardized_beta", "centering", "dummies", "missing")}}
    return ThesisTable(kind="regression", data=data, number=number, lang=lang,
                       title=_titles("regression"),
                       details={"steps": hier.steps, "coefficients": coef},
                       conventions=conventions,
                       options={"terms": terms, "models": models, "stat": stat,
                                "se_layout": se_layout, "labels": labels,
                                "references": references, "cov_type": cov_type,
                                "centred": centred, "y": hier.y})


# ----------------------------------------------------------------------------------------
# simple slopes
# ----------------------------------------------------------------------------------------
def simple_slopes_table(result, at=None, lang: str = "zh", *, labels: Mapping | None = None,
                        alpha: float | None = None, number: int | None = None) -> ThesisTable:
    """Slopes of x at moderator values (default mean − 1 SD, mean, mean + 1 SD).

    Built from :meth:`crmstudy.moderation.ModerationResult.simple_slopes` (``at`` and ``alpha``
    are passed on); standard errors of the fit's ``cov_type``.

    Returns
    -------
    ThesisTable
        ``data``: ``label, w, slope, se, t, p, ci_low, ci_high`` (moderator values ``w`` in the
        moderator's original units).
    """
    check_lang(lang)
    if not hasattr(result, "simple_slopes"):
        raise ParameterError(f"expected a moderated regression result, got {type(result).__name__}",
                             hint="pass crmstudy.moderation.moderated_regression(...)")
    data = result.simple_slopes(at=at, alpha=alpha)
    data = data[["label", "w", "slope", "se", "t", "p", "ci_low", "ci_high"]].reset_index(drop=True)
    level = round(100 * (1 - (result.alpha if alpha is None else alpha)))
    cov_type = result.cov_type

    return ThesisTable(kind="simple_slopes", data=data, number=number, lang=lang,
                       title=_titles("simple_slopes"), details={},
                       conventions={"cov_type": cov_type, "levels": "mean ± 1 SD (ddof = 1)"
                                    if at is None else str(at)},
                       options={"level": level, "cov_type": cov_type, "labels": labels,
                                "x": result.x, "w": result.w, "y": result.y})


# ----------------------------------------------------------------------------------------
# mediation and hypotheses
# ----------------------------------------------------------------------------------------
_MEDIATION_COLUMNS = ("effect", "boot_se", "ci_low", "ci_high")


def mediation_table(indirect, lang: str = "zh", *, level: float | None = None,
                    n_boot: int | None = None, ci_method: str | None = None,
                    labels: Mapping | None = None, number: int | None = None) -> ThesisTable:
    """Bootstrapped indirect effects: effect, bootstrap SE and confidence interval per path.

    Parameters
    ----------
    indirect : DataFrame or result with ``.indirect``
        Columns ``effect, boot_se, ci_low, ci_high``, indexed by path label (e.g.
        ``"capability -> CP -> financial"``; each variable of a path is labelled).
    level : float, optional
        Confidence level (default: the result's ``level``/``ci_level`` or 0.95).
    n_boot : int, optional
        Bootstrap resamples, stated in the note (default: the result's ``n_boot``).
    ci_method : {"percentile", "bca", "bc"}, optional
        Kind of bootstrap interval, stated in the note (default: the result's
        ``conventions["ci"]`` or ``conventions["ci_method"]`` when it names one of these).

    Returns
    -------
    ThesisTable
        ``data``: the four columns and ``significant`` (the interval excludes 0).
    """
    check_lang(lang)
    frame = getattr(indirect, "indirect", indirect)
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"indirect must be a DataFrame, got {type(frame).__name__}")
    absent = [c for c in _MEDIATION_COLUMNS if c not in frame.columns]
    if absent:
        raise InputDataError(f"the indirect-effects table lacks column(s) {absent}",
                             column=absent[0], hint=f"give columns {', '.join(_MEDIATION_COLUMNS)}")
    if level is None:
        level = getattr(indirect, "level", None) or getattr(indirect, "ci_level", None) or 0.95
    if n_boot is None:
        n_boot = getattr(indirect, "n_boot", None)
    data = frame[list(_MEDIATION_COLUMNS)].astype(float).copy()
    data["significant"] = (data["ci_low"] > 0) | (data["ci_high"] < 0)
    pct = round(100 * float(level))
    conv = dict(getattr(indirect, "conventions", {}) or {})
    if ci_method is None:
        named = str(conv.get("ci_method", conv.get("ci", ""))).lower()
        ci_method = next((m for m in ("bca", "bc", "percentile") if named.startswith(m)), None)
    elif ci_method not in ("percentile", "bca", "bc"):
        raise ParameterError(f"unknown ci_method {ci_method!r}",
                             hint='use "percentile", "bca" or "bc"')

    return ThesisTable(kind="mediation", data=data, number=number, lang=lang,
                       title=_titles("mediation"), details={},
                       conventions={"level": str(level), **{k: str(v) for k, v in conv.items()}},
                       options={"level": pct, "n_boot": n_boot, "labels": labels,
                                "ci_method": ci_method})


_HYP_ALIASES = {"hypothesis": ("hypothesis", "id", "hypothesis_id"),
                "statement": ("statement", "path")}
_HYP_REQUIRED = ("test", "estimate", "ci_low", "ci_high", "p", "supported")


def hypothesis_table(frame: pd.DataFrame, lang: str = "zh", *, labels: Mapping | None = None,
                     level: float = 0.95, number: int | None = None) -> ThesisTable:
    """The summary of hypotheses (研究假设检验结果汇总).

    Parameters
    ----------
    frame : DataFrame
        Columns ``hypothesis`` (or ``id``), ``statement`` (or ``path``; a path such as
        ``"capability -> financial"`` is labelled), ``test``, ``estimate``, ``ci_low``,
        ``ci_high``, ``p``, ``supported`` (bool).  Text is shown as given.

    Returns
    -------
    ThesisTable
        ``data``: the columns above under these names.
    """
    check_lang(lang)
    if not isinstance(frame, pd.DataFrame):
        raise InputDataError(f"the hypotheses must be a DataFrame, got {type(frame).__name__}")
    cols = {}
    for key, names in _HYP_ALIASES.items():
        found = next((c for c in names if c in frame.columns), None)
        if found is None:
            raise InputDataError(f"the hypotheses table lacks a {key!r} column",
                                 column=key, hint=f"name it one of {names}")
        cols[key] = found
    absent = [c for c in _HYP_REQUIRED if c not in frame.columns]
    if absent:
        raise InputDataError(f"the hypotheses table lacks column(s) {absent}", column=absent[0],
                             hint="columns: hypothesis, statement, test, estimate, ci_low, "
                                  "ci_high, p, supported")
    data = pd.DataFrame({"hypothesis": frame[cols["hypothesis"]].astype(str).to_numpy(),
                         "statement": frame[cols["statement"]].astype(str).to_numpy(),
                         "test": frame["test"].astype(str).to_numpy()})
    for c in ("estimate", "ci_low", "ci_high", "p"):
        data[c] = pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float)
    bad = [str(v) for v in frame["supported"] if not isinstance(v, (bool, np.bool_))]
    if bad:
        raise InputDataError(f"column 'supported' must be True/False, got {bad[:3]}",
                             column="supported")
    data["supported"] = frame["supported"].astype(bool).to_numpy()
    pct = round(100 * level)

    return ThesisTable(kind="hypotheses", data=data, number=number, lang=lang,
                       title=_titles("hypotheses"), details={}, conventions={"level": str(level)},
                       options={"level": pct, "labels": labels})


# ----------------------------------------------------------------------------------------
# renderers: ThesisTable.kind -> (display frame, note parts); module-level so tables pickle
# ----------------------------------------------------------------------------------------
def _render_descriptives(t: ThesisTable, lg: str, st: NumberStyle):
    o = t.options
    cols = list(t.data.index)
    labels, missing, with_ave = o["labels"], o["missing"], o["with_ave"]
    n = t.details["n"].to_numpy()
    off = n[~np.eye(len(cols), dtype=bool)]
    rows = []
    for i, c in enumerate(cols):
        row = {label("stub", lg, "headers"):
               label("numbered", lg, "formats", k=i + 1, label=variable_label(c, lg, labels)),
               label("mean", lg, "statistics"): format_number(t.data.loc[c, "mean"], "mean", style=st),
               label("sd", lg, "statistics"): format_number(t.data.loc[c, "sd"], "sd", style=st)}
        for j, d in enumerate(cols):
            if j < i:
                cell = _cell(t.data.loc[c, d], "r", t.details["p"].loc[c, d], st)
            elif j == i:
                cell = format_number(t.data.loc[c, d], "sqrt_ave", style=st)
            else:
                cell = ""
            row[str(j + 1)] = cell
        rows.append(row)
    notes = [_n_text(int(off.min()), int(off.max()), missing, lg, st),
             label("correlations", lg, "notes")]
    if with_ave:
        notes.append(label("diagonal_sqrt_ave", lg, "notes"))
    notes.append(star_note(lang=lg, style=st))
    return pd.DataFrame(rows), notes


def _render_measurement(t: ThesisTable, lg: str, st: NumberStyle):
    o = t.options
    labels, item_labels, n, estimator = o["labels"], o["item_labels"], o["n"], o["estimator"]
    rows, seen = [], set()
    for rec in t.data.itertuples(index=False):
        first = rec.construct not in seen
        seen.add(rec.construct)
        row = {label("construct", lg, "headers"):
               variable_label(rec.construct, lg, labels) if first else "",
               label("item", lg, "headers"): variable_label(rec.item, lg, item_labels),
               label("std_loading", lg, "statistics"):
               format_number(rec.std_loading, "loading", style=st)}
        if "alpha" in t.data.columns:
            row[label("alpha", lg, "statistics")] = \
                format_number(rec.alpha, "alpha", style=st) if first else ""
        row[label("cr", lg, "statistics")] = format_number(rec.cr, "cr", style=st) if first else ""
        row[label("ave", lg, "statistics")] = format_number(rec.ave, "ave", style=st) if first else ""
        rows.append(row)
    notes = [label("loadings", lg, "notes"), label("estimator", lg, "notes", estimator=estimator)]
    if n is not None:
        notes.insert(0, _n_text(int(n), int(n), "listwise", lg, st))
    return pd.DataFrame(rows), notes


def _render_fit(t: ThesisTable, lg: str, st: NumberStyle):
    n = t.options["n"]
    out = []
    yes, no = label("yes", lg, "terms"), label("no", lg, "terms")
    for key, rec in t.data.iterrows():
        if key == "rmsea_ci":
            value = format_ci(rec["ci_low"], rec["ci_high"], "rmsea", style=st)
        elif key == "pvalue":
            value = format_p(rec["value"], style=st)
        else:
            value = format_number(rec["value"], key if key in DECIMALS else "fit", style=st)
        rule = ""
        if rec["op"]:
            q = "chisq_df" if key == "chisq_df" else key
            bound = format_number(rec["bound"], q, style=st,
                                  decimals=0 if float(rec["bound"]).is_integer() else 2)
            rule = f"{_OP_TEXT[rec['op']]} {bound}"
        met = "" if not rec["op"] else (MISSING if pd.isna(rec["met"]) else
                                         (yes if rec["met"] else no))
        out.append({label("index", lg, "headers"): label(key, lg, "statistics"),
                    label("value", lg, "headers"): value,
                    label("threshold", lg, "headers"): rule,
                    label("met", lg, "headers"): met})
    sources = {}
    for key, rec in t.data.iterrows():
        if rec["op"]:
            sources.setdefault(rec["source"], []).append(label(key, lg, "statistics"))
    text = join([f"{', '.join(keys)}: {src}" if lg == "en" else f"{'、'.join(keys)}：{src}"
                 for src, keys in sources.items()], lg)
    notes = []
    if n is not None and not pd.isna(n):
        notes.append(f"N = {format_number(n, 'n', style=st)}")
    notes.append(label("thresholds", lg, "notes", sources=text))
    return pd.DataFrame(out), notes


def _render_regression(t: ThesisTable, lg: str, st: NumberStyle):
    o = t.options
    terms, models, stat, se_layout = o["terms"], o["models"], o["stat"], o["se_layout"]
    labels, references, cov_type, centred = o["labels"], o["references"], o["cov_type"], o["centred"]
    k_models = len(models)
    stub = label("stub", lg, "headers")
    heads = [label("model", lg, "formats", k=i + 1) for i in range(k_models)]
    rows = []
    for term in terms:
        name = term_label(term, lg, labels, references)
        row, se_row = {stub: name}, {stub: ""}
        for m, h in zip(models, heads):
            est, se, p = (t.data.loc[term, (m, c)] for c in ("est", "se", "p"))
            cell = "" if pd.isna(est) else _cell(est, stat, p, st)
            se_text = "" if pd.isna(se) else f"({format_number(se, 'se', style=st)})"
            if se_layout == "inline" and se_text:
                cell = f"{cell} {se_text}"
            row[h], se_row[h] = cell, se_text
        rows.append(row)
        if se_layout == "row" and stat == "b":
            rows.append(se_row)
    for key in _MODEL_ROWS:
        row = {stub: label(key, lg, "statistics")}
        for m, h in zip(models, heads):
            est = t.data.loc[key, (m, "est")]
            if key == "f_change":
                row[h] = _cell(est, "f", t.data.loc[key, (m, "p")], st)
            elif key == "n":
                row[h] = format_number(est, "n", style=st)
            else:
                row[h] = format_number(est, key, style=st)
        rows.append(row)
    se_name = label(cov_type, lg, "terms")
    notes = [label("dependent", lg, "notes", y=variable_label(o["y"], lg, labels)),
             label("regression_b" if stat == "b" else "regression_beta", lg, "notes", se=se_name)]
    if centred:
        notes.append(label("centred", lg, "notes",
                           variables=join([variable_label(v, lg, labels) for v in centred], lg)))
    notes.append(label("f_change", lg, "notes"))
    notes.append(star_note(lang=lg, style=st))
    return pd.DataFrame(rows), notes


def _render_simple_slopes(t: ThesisTable, lg: str, st: NumberStyle):
    o = t.options
    level, cov_type, labels = o["level"], o["cov_type"], o["labels"]
    rows = []
    for rec in t.data.itertuples(index=False):
        try:
            name = label(rec.label, lg, "terms")
        except ParameterError:          # user-chosen values: show the number
            name = str(rec.label)
        rows.append({label("moderator_level", lg, "headers"): name,
                     label("moderator_value", lg, "headers"): format_number(rec.w, "moderator", style=st),
                     label("slope", lg, "statistics"): _cell(rec.slope, "slope", rec.p, st),
                     label("se", lg, "statistics"): format_number(rec.se, "se", style=st),
                     label("t", lg, "statistics"): format_number(rec.t, "t", style=st),
                     label("p", lg, "statistics"): format_p(rec.p, style=st),
                     label("ci", lg, "headers", level=level):
                     format_ci(rec.ci_low, rec.ci_high, "slope", style=st)})
    notes = [label("slopes", lg, "notes", x=variable_label(o["x"], lg, labels),
                   w=variable_label(o["w"], lg, labels), se=label(cov_type, lg, "terms"),
                   level=level),
             label("dependent", lg, "notes", y=variable_label(o["y"], lg, labels)),
             star_note(lang=lg, style=st)]
    return pd.DataFrame(rows), notes


def _render_mediation(t: ThesisTable, lg: str, st: NumberStyle):
    o = t.options
    pct, n_boot, labels = o["level"], o["n_boot"], o["labels"]
    yes, no = label("yes", lg, "terms"), label("no", lg, "terms")
    rows = [{label("path", lg, "headers"): path_label(idx, lg, labels),
             label("effect", lg, "statistics"): format_number(rec["effect"], "effect", style=st),
             label("boot_se", lg, "statistics"): format_number(rec["boot_se"], "se", style=st),
             label("ci", lg, "headers", level=pct):
             format_ci(rec["ci_low"], rec["ci_high"], "effect", style=st),
             label("significant", lg, "headers"): yes if rec["significant"] else no}
            for idx, rec in t.data.iterrows()]
    notes = [label("bootstrap", lg, "notes")]
    if o.get("ci_method"):
        notes.append(label("ci_method", lg, "notes", method=label(o["ci_method"], lg, "terms")))
    if n_boot:
        notes.append(label("bootstrap_n", lg, "notes", n_boot=format_number(n_boot, "n", style=st)))
    return pd.DataFrame(rows), notes


def _render_hypotheses(t: ThesisTable, lg: str, st: NumberStyle):
    o = t.options
    pct, labels = o["level"], o["labels"]
    rows = []
    for rec in t.data.itertuples(index=False):
        statement = rec.statement
        if "->" in statement or "→" in statement:
            statement = path_label(statement, lg, labels)
        rows.append({label("hypothesis", lg, "headers"): rec.hypothesis,
                     label("statement", lg, "headers"): statement,
                     label("test", lg, "headers"): rec.test,
                     label("estimate", lg, "statistics"): _cell(rec.estimate, "estimate", rec.p, st),
                     label("ci", lg, "headers", level=pct):
                     format_ci(rec.ci_low, rec.ci_high, "estimate", style=st),
                     label("p", lg, "statistics"): format_p(rec.p, style=st),
                     label("result", lg, "headers"):
                     label("supported" if rec.supported else "not_supported", lg, "terms")})
    return pd.DataFrame(rows), [star_note(lang=lg, style=st)]


_RENDERERS = {"descriptives": _render_descriptives, "measurement": _render_measurement,
              "fit": _render_fit, "regression": _render_regression,
              "simple_slopes": _render_simple_slopes, "mediation": _render_mediation,
              "hypotheses": _render_hypotheses}


# ----------------------------------------------------------------------------------------
# output: Word, Excel, CSV
# ----------------------------------------------------------------------------------------
def _as_list(tables) -> list[ThesisTable]:
    if isinstance(tables, ThesisTable):
        tables = [tables]
    elif isinstance(tables, Mapping):
        tables = list(tables.values())
    tables = list(tables)
    for i, t in enumerate(tables):
        if not isinstance(t, ThesisTable):
            raise ParameterError(f"item {i} of tables is a {type(t).__name__}, not a ThesisTable",
                                 entry=i, hint="build tables with crmstudy.report's *_table functions")
    if not tables:
        raise ParameterError("no tables to write")
    return tables


def _numbers(tables: list[ThesisTable]) -> list[int]:
    return [t.number if t.number is not None else i for i, t in enumerate(tables, start=1)]


def _target(path, overwrite: bool) -> Path:
    path = Path(path)
    if path.exists() and not overwrite:
        raise ParameterError("the file exists already and is not overwritten", file=path,
                             hint="choose another name or pass overwrite=True")
    if not path.parent.exists():
        raise ParameterError("the folder does not exist", file=path.parent,
                             hint="create it first")
    return path


def _atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Write through a temporary file in the same folder, then rename (no half-written files)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


# rule widths in eighths of a point (w:sz): 1.5 pt and 0.75 pt
RULE_OUTER = 12
RULE_HEADER = 6


def _border_element(tag: str, children: Mapping[str, int | None]):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement(tag)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if side not in children:
            continue
        el = OxmlElement(f"w:{side}")
        size = children[side]
        if size:
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), str(size))
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        else:
            el.set(qn("w:val"), "nil")
        borders.append(el)
    return borders


def _replace_child(parent, child, before: tuple[str, ...] = ()):
    """Put ``child`` in ``parent`` (replacing one of its tag) before the first of ``before``,
    so the element order of the OOXML schema holds (Word rejects misordered properties)."""
    from docx.oxml.ns import qn

    for old in parent.findall(child.tag):
        parent.remove(old)
    for tag in before:
        anchor = parent.find(qn(tag))
        if anchor is not None:
            anchor.addprevious(child)
            return
    parent.append(child)


def _set_fonts(run, latin: str, east_asia: str, size_pt: float | None = None):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = latin
    if size_pt:
        run.font.size = Pt(size_pt)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        from docx.oxml import OxmlElement
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _paragraph(container, text: str, fonts, *, bold=False, italic=False, align=None, size=None):
    p = container.add_paragraph()
    run = p.add_run(text)
    run.bold, run.italic = bold, italic
    _set_fonts(run, *fonts, size)
    if align is not None:
        p.alignment = align
    from docx.shared import Pt

    p.paragraph_format.space_before = Pt(3)
    p.paragraph_format.space_after = Pt(3)
    return p


def _column_widths(cells: list[list[str]], total: int, font_size: float = 10.5) -> list[int]:
    """Column widths (EMU): every column gets room for its longest unbreakable piece (a number,
    a Latin word; Chinese text breaks anywhere), the rest of the line is shared in proportion to
    the columns' longest texts.  Widths are in half-ems (a CJK character counts 2)."""
    import re as _re

    unit = int(font_size * 12700 / 2)           # half an em in EMU (1 pt = 12,700 EMU)
    padding = 2.5                               # the cell margins, in half-ems

    def width(text: str) -> float:           # Times New Roman averages ~0.45 em a character
        return sum(2.0 if ord(ch) > 0x2E80 else 0.9 for ch in text)

    def unbreakable(text: str) -> int:
        pieces = _re.split(r"[\s\u2e80-\U0002ffff]+", text)
        longest = max((width(p) for p in pieces), default=0)
        return max(longest, 2 if any(ord(ch) > 0x2E80 for ch in text) else 0)

    columns = range(len(cells[0]))
    need = [max(width(row[c]) for row in cells) + padding for c in columns]
    # short headers ("检验方法", "Boot SE") stay on one line
    hard = [max([unbreakable(row[c]) for row in cells]
                + [width(cells[0][c]) if width(cells[0][c]) <= 12 else 0]) + padding
            for c in columns]
    budget = total / unit
    if sum(need) <= budget:                     # everything fits: share the spare room
        spare = budget - sum(need)
        units = [n + spare * n / sum(need) for n in need]
    elif sum(hard) >= budget:
        units = [budget * h / sum(hard) for h in hard]
    else:
        extra = [n - h for n, h in zip(need, hard)]
        room = budget - sum(hard)
        units = [h + room * e / sum(extra) for h, e in zip(hard, extra)]
    return [int(u * unit) for u in units]


def to_docx(tables, path, lang: str = "zh", *, overwrite: bool = False,
            style: str | NumberStyle | None = None, latin_font: str = "Times New Roman",
            east_asia_font: str = "宋体", font_size: float = 10.5) -> Path:
    """Write thesis tables into a Word document as three-line tables (三线表).

    Every table is a real Word table: a 1.5 pt rule above and below it, a 0.75 pt rule under the
    header row, no vertical lines and no other borders (set in the table's and the header cells'
    XML borders, so it does not depend on a Word style).  The number and title go above
    ("表1 描述性统计与相关系数", or APA's "Table 1" in bold with the title in italics below), the
    note below.  Runs carry ``w:eastAsia`` = ``east_asia_font`` (宋体) for Chinese characters and
    ``latin_font`` (Times New Roman) for Latin text and numbers, at ``font_size`` points
    (10.5 pt = 五号).

    Parameters
    ----------
    tables : ThesisTable, list or dict of them
        Numbered by their ``number``, else by position (1, 2, ...).
    path : str or Path
        The ``.docx`` file; its folder must exist.  Written atomically (temporary file, then
        rename).
    lang : {"zh", "en"}
    overwrite : bool, default False
        An existing file is an error unless True.
    style : number style (:func:`crmstudy.formatting.get_style`), default by ``lang``.

    Returns
    -------
    Path
    """
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    check_lang(lang)
    tables = _as_list(tables)
    target = _target(path, overwrite)
    fonts = (latin_font, east_asia_font)
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = latin_font
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        from docx.oxml import OxmlElement
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia_font)
    normal.font.size = Pt(font_size)

    from docx.shared import Cm

    section = document.sections[0]      # A4 with Word's Chinese default margins
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(3.17)
    text_width = section.page_width - section.left_margin - section.right_margin
    for i, (table, number) in enumerate(zip(tables, _numbers(tables))):
        if i:
            document.add_paragraph()
        frame = table.display(lang, style)
        if lang == "zh":
            _paragraph(document, table.caption(lang, number), fonts, bold=True,
                       align=WD_ALIGN_PARAGRAPH.CENTER, size=font_size)
        else:   # APA 7: "Table 1" in bold, the title in italic title case on the next line
            _paragraph(document, label("table_label", lang, "titles", number=number), fonts,
                       bold=True, size=font_size)
            _paragraph(document, table.title.get(lang, ""), fonts, italic=True, size=font_size)
        n_rows, n_cols = frame.shape[0] + 1, frame.shape[1]
        word = document.add_table(rows=n_rows, cols=n_cols)
        word.alignment = WD_TABLE_ALIGNMENT.CENTER
        tbl_pr = word._tbl.tblPr
        _replace_child(tbl_pr, _border_element("w:tblBorders", {
            "top": RULE_OUTER, "left": None, "bottom": RULE_OUTER, "right": None,
            "insideH": None, "insideV": None}),
            before=("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"))
        cells = [list(frame.columns)] + frame.astype(str).values.tolist()
        widths = _column_widths(cells, text_width, font_size)
        word.autofit = False
        for column, w in zip(word.columns, widths):    # w:gridCol (LibreOffice reads these)
            column.width = w
        for r, values in enumerate(cells):
            row = word.rows[r]
            for c, value in enumerate(values):
                cell = row.cells[c]
                cell.width = widths[c]
                par = cell.paragraphs[0]
                run = par.add_run(str(value))
                _set_fonts(run, latin_font, east_asia_font, font_size)
                par.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == 0 else WD_ALIGN_PARAGRAPH.CENTER
                fmt = par.paragraph_format      # compact rows: no paragraph spacing, single lines
                fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.0
                tc_pr = cell._tc.get_or_add_tcPr()
                sides = {"left": None, "right": None}
                if r == 0:
                    sides.update({"top": RULE_OUTER, "bottom": RULE_HEADER})
                elif r == n_rows - 1:
                    sides.update({"bottom": RULE_OUTER})
                _replace_child(tc_pr, _border_element("w:tcBorders", sides),
                               before=("w:shd", "w:noWrap", "w:tcMar", "w:textDirection",
                                       "w:tcFitText", "w:vAlign", "w:hideMark"))
            if r == 0:   # repeat the header on every page of a long table
                from docx.oxml import OxmlElement
                tr_pr = row._tr.get_or_add_trPr()
                header = OxmlElement("w:tblHeader")
                tr_pr.append(header)
        note = table.note(lang, style)
        if note:
            size = font_size - 1.5 if font_size > 9 else font_size
            prefix = label("prefix", lang, "notes")
            par = _paragraph(document, prefix.strip(), fonts, italic=lang == "en", size=size)
            run = par.add_run(note[len(prefix.strip()):])   # APA: "Note." in italics
            _set_fonts(run, latin_font, east_asia_font, size)

    return _atomic(target, lambda tmp: document.save(str(tmp)))


def to_excel(tables, path, lang: str = "zh", *, overwrite: bool = False,
             style: str | NumberStyle | None = None) -> Path:
    """One sheet per table ("表1", "Table 1" ...): caption, the display table, the note."""
    check_lang(lang)
    tables = _as_list(tables)
    target = _target(path, overwrite)

    def write(tmp: Path):
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for table, number in zip(tables, _numbers(tables)):
                sheet = label("table_label", lang, "titles", number=number)[:31]
                frame = table.display(lang, style)
                frame.to_excel(writer, sheet_name=sheet, index=False, startrow=1)
                ws = writer.sheets[sheet]
                ws.cell(row=1, column=1, value=table.caption(lang, number))
                ws.cell(row=frame.shape[0] + 3, column=1, value=table.note(lang, style))

    return _atomic(target, write)


def to_csv(tables, folder, lang: str = "zh", *, overwrite: bool = False,
           style: str | NumberStyle | None = None) -> list[Path]:
    """Each display table as ``table_NN.csv`` (UTF-8 with BOM, for Excel on Chinese Windows)."""
    check_lang(lang)
    tables = _as_list(tables)
    folder = Path(folder)
    if not folder.is_dir():
        raise ParameterError("the folder does not exist", file=folder, hint="create it first")
    paths = [folder / f"table_{number:02d}.csv" for number in _numbers(tables)]
    for p in paths:
        _target(p, overwrite)
    for table, p in zip(tables, paths):
        frame = table.display(lang, style)
        _atomic(p, lambda tmp, f=frame: f.to_csv(tmp, index=False, encoding="utf-8-sig"))
    return paths
