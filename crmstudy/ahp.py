"""Analytic hierarchy process (AHP, 层次分析法): judgment matrices, priorities, consistency,
group decisions, hierarchies and sensitivity.

Conventions (each is recorded in the results)
---------------------------------------------
* **Judgment** ``a_ij``: how many times more important row element *i* is than column element
  *j* on Saaty's 1-9 scale (1 equal, 3 moderate, 5 strong, 7 very strong, 9 extreme, even
  numbers in between, reciprocals for the reverse).  Entries may be strings such as ``"1/3"``.
* **Priority method** (``method``): ``"eigen"`` - the principal right eigenvector (Saaty 1980,
  default, 特征根法); ``"geometric"`` - the normalised row geometric mean (方根法; equals the
  logarithmic least-squares solution, Crawford & Williams 1985); ``"arithmetic"`` - the mean of the
  rows of the column-normalised matrix (和积法).
* **Consistency**: ``lambda_max`` is the principal eigenvalue of the matrix (Saaty's definition;
  ``lambda_max="weights"`` gives the textbook estimate ``mean((A w)_i / w_i)`` with the method's
  own weights instead), ``CI = (lambda_max - n)/(n - 1)``, ``CR = CI / RI(n)``; the matrix is
  called consistent when ``CR < cr_threshold`` (0.10).  For n = 1, 2 every reciprocal matrix is
  consistent: CI = CR = 0.
* **Random index table** (``ri_table``): ``"saaty1980"`` (default; Saaty 1980, also pyDecision),
  ``"saaty2005"`` (Saaty 2005, p. 31; ahpy's ``random_index="saaty"``) and
  ``"donegan_dodd1991"`` (Donegan & Dodd 1991; ahpy's default).  :func:`random_index` estimates
  the table by simulation.
* **GCI**, geometric consistency index (Aguarón & Moreno-Jiménez 2003):
  ``GCI = 2/((n-1)(n-2)) * sum_{i<j} ln^2(a_ij w_j / w_i)`` with geometric-mean weights;
  thresholds 0.31 (n = 3), 0.35 (n = 4), 0.37 (n > 4).
* **Reciprocity**: ``a_ij * a_ji`` must be 1 within ``reciprocal_rtol`` (5 %, so that 0.33 for
  1/3 passes); the accepted matrix is then made exactly reciprocal by the geometric
  reconciliation ``a_ij <- sqrt(a_ij / a_ji)``.
* **Incomplete matrices** (``incomplete=``): ``"llsm"`` - logarithmic least squares on the known
  judgments (Bozóki, Fülöp & Rónyai 2010), or ``"harker"`` - Harker's (1987) eigenvector method
  (missing entries 0, diagonal 1 + number missing in the row).  The missing entries are then
  filled with ``w_i / w_j``; CR is computed on the completed matrix.
* **Group decisions**: ``"aij"`` aggregates individual judgments by the element-wise (weighted)
  geometric mean, which keeps reciprocity; ``"aip_geometric"`` / ``"aip_arithmetic"`` aggregate
  the individual priority vectors (geometric mean renormalised / arithmetic mean)
  (Forman & Peniwati 1998).

References
----------
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process. *EJOR* 48, 9-26.
Saaty, T. L. (2005). *Theory and Applications of the Analytic Network Process*. RWS, p. 31.
Donegan, H. A. & Dodd, F. J. (1991). A note on Saaty's random indexes. *Math. Comput. Modelling* 15(10).
Aguarón, J. & Moreno-Jiménez, J. M. (2003). The geometric consistency index. *EJOR* 147, 137-145.
Harker, P. T. (1987). Incomplete pairwise comparisons in the AHP. *Math. Modelling* 9, 837-848.
Bozóki, S., Fülöp, J. & Rónyai, L. (2010). On optimal completion of incomplete pairwise comparison
matrices. *Math. Comput. Modelling* 52, 318-333.
Forman, E. & Peniwati, K. (1998). Aggregating individual judgments and priorities with the AHP.
*EJOR* 108, 165-169.

Examples
--------
>>> from crmstudy import ahp
>>> res = ahp.priorities([[1, 3, 5], ["1/3", 1, 2], ["1/5", "1/2", 1]], labels=["A1", "A2", "A3"])
>>> res.weights.round(3).tolist()
[0.648, 0.23, 0.122]
>>> bool(res.consistent)
True
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import cached_property
from fractions import Fraction
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import DataQualityWarning, JudgmentMatrixError, ParameterError

__all__ = [
    "RI_TABLES",
    "SAATY_SCALE",
    "judgment_matrix",
    "exclusion_effect",
    "ExclusionEffect",
    "from_long",
    "complete_matrix",
    "priorities",
    "batch_priorities",
    "group_priorities",
    "hierarchy_weights",
    "monte_carlo",
    "random_index",
    "AHPResult",
    "BatchPriorities",
    "GroupResult",
    "HierarchyResult",
    "MonteCarloResult",
]

# Random consistency indices RI(n), n = 1..15 (index 0 unused).
RI_TABLES: dict[str, dict[int, float]] = {
    # Saaty (1980), the table of most textbooks and of pyDecision (n = 12 is 1.48 in the source).
    "saaty1980": dict(zip(range(1, 16), (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45,
                                          1.49, 1.51, 1.48, 1.56, 1.57, 1.59))),
    # Saaty (2005), Theory and Applications of the ANP, p. 31 (ahpy random_index="saaty").
    "saaty2005": dict(zip(range(1, 16), (0.0, 0.0, 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45,
                                          1.49, 1.52, 1.54, 1.56, 1.58, 1.59))),
    # Donegan & Dodd (1991) (ahpy default random_index="dd").
    "donegan_dodd1991": dict(zip(range(1, 16), (0.0, 0.0, 0.4914, 0.8286, 1.0591, 1.1797, 1.2519,
                                                 1.3171, 1.3733, 1.4055, 1.4213, 1.4497, 1.4643,
                                                 1.4822, 1.4969))),
}
_METHODS = ("eigen", "geometric", "arithmetic")
_LAMBDA = ("eigenvalue", "weights")
_GROUP_METHODS = ("aij", "aip_geometric", "aip_arithmetic")
_INCOMPLETE = ("llsm", "harker")
#: The 17 values of Saaty's scale, 1/9 ... 1 ... 9.
SAATY_SCALE = np.array(sorted({float(Fraction(1, k)) for k in range(1, 10)} | set(range(1, 10))))


def _gci_threshold(n: int) -> float:
    return 0.31 if n == 3 else 0.35 if n == 4 else 0.37


def _check_choice(value: str, choices: Sequence[str], name: str) -> str:
    if value not in choices:
        raise ParameterError(f"unknown {name} {value!r}", hint=f"use one of {', '.join(choices)}")
    return value


def _ri(n: int, ri_table: str) -> float:
    _check_choice(ri_table, tuple(RI_TABLES), "ri_table")
    table = RI_TABLES[ri_table]
    if n not in table:
        raise ParameterError(
            f"the RI table {ri_table!r} has no value for n = {n}",
            hint=f"keep a matrix to at most {max(table)} elements (split the criteria into "
                 "sub-criteria), or estimate RI with crmstudy.ahp.random_index")
    return table[n]


# ----------------------------------------------------------------------------------------------
# Parsing and validation
# ----------------------------------------------------------------------------------------------
def _parse_value(value: Any) -> float:
    """One judgment cell -> float; NaN for "not given"."""
    if value is None:
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if text == "" or text.lower() in ("nan", "na", "none"):
        return np.nan
    try:
        return float(Fraction(text.replace(" ", "")))
    except (ValueError, ZeroDivisionError):
        raise ValueError(text) from None


def _cells_to_float(frame: pd.DataFrame, name: str | None) -> np.ndarray:
    try:  # the common case: numbers already (NaN for empty cells)
        return frame.to_numpy(dtype=float, na_value=np.nan, copy=True)
    except (TypeError, ValueError):
        pass
    out = np.empty(frame.shape, dtype=float)
    values = frame.to_numpy(dtype=object)
    for (i, j), value in np.ndenumerate(values):  # at most a few hundred cells
        try:
            out[i, j] = _parse_value(value)
        except ValueError:
            raise JudgmentMatrixError(
                f"{_prefix(name)}judgment {value!r} is not a number", row=frame.index[i],
                column=frame.columns[j], entry=(frame.index[i], frame.columns[j]),
                hint='write numbers such as 3, 0.2 or "1/5"') from None
    return out


def _prefix(name: str | None) -> str:
    return f"{name}: " if name else ""


def judgment_matrix(data: Any, labels: Sequence[str] | None = None, *,
                    reciprocal_rtol: float = 0.05, allow_missing: bool = False,
                    name: str | None = None) -> pd.DataFrame:
    """Validate a pairwise judgment matrix and return it as an exactly reciprocal DataFrame.

    Parameters
    ----------
    data : array-like, DataFrame or sequence
        * a full n x n matrix (ndarray, nested lists or a DataFrame whose index equals its
          columns); entries may be numbers or strings such as ``"1/3"``;
        * an upper triangle: an n x n matrix whose cells below the diagonal are empty (NaN/None/"");
        * the upper triangle as a flat sequence of n(n-1)/2 judgments read row-wise,
          ``a12, a13, ..., a1n, a23, ...`` (``labels`` then gives n).
    labels : sequence of str, optional
        Element names (default: the DataFrame's index, else ``C1 ... Cn``).
    reciprocal_rtol : float
        Accepted relative deviation of ``a_ij * a_ji`` from 1.
    allow_missing : bool
        Keep missing pairs (both ``a_ij`` and ``a_ji`` empty) as NaN for :func:`complete_matrix`
        instead of raising.
    name : str, optional
        Name of the matrix used in messages (e.g. ``"expert E3, criterion A2"``).

    Returns
    -------
    DataFrame
        Float matrix with labelled index and columns, unit diagonal, ``a_ji = 1 / a_ij``.

    Raises
    ------
    JudgmentMatrixError
        Naming the entry (row label, column label, value) for a non-square matrix, a text that
        is not a number, a zero, negative or infinite judgment, a diagonal entry other than 1,
        a non-reciprocal pair, or a missing judgment.  Values outside 1/9-9 give a
        :class:`~crmstudy.errors.DataQualityWarning`.
    """
    frame = _as_frame(data, labels, name)
    n = frame.shape[0]
    index = [str(x) for x in frame.index]
    if len(set(index)) != n:
        dup = pd.Index(index)[pd.Index(index).duplicated()][0]
        raise JudgmentMatrixError(f"{_prefix(name)}label {dup!r} appears twice", row=dup,
                                  hint="give every element a unique label")
    a = _cells_to_float(frame, name)
    given = ~np.isnan(a)
    off = ~np.eye(n, dtype=bool)
    lower, upper = np.tril(off), np.triu(off)
    if n > 1 and not given[lower].any() and given[upper].all():
        a[lower] = 1.0 / a.T[lower]  # upper-triangle input
        given = ~np.isnan(a)
    diag = np.diag(a).copy()
    diag[np.isnan(diag)] = 1.0  # an empty diagonal means 1
    np.fill_diagonal(a, diag)
    given = ~np.isnan(a)
    bad = given & ~(np.isfinite(a) & (a > 0))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise JudgmentMatrixError(
            f"{_prefix(name)}judgment {a[i, j]:g} is not a positive finite number",
            row=index[i], column=index[j], entry=(index[i], index[j]),
            hint="judgments are ratios on the 1/9-9 scale: use e.g. 1/3 instead of 0 or -3 "
                 "(for questionnaire codes -9..9 use from_long(..., scale='questionnaire'))")
    off_diag = np.argwhere(np.abs(np.diag(a) - 1.0) > 1e-9)
    if off_diag.size:
        i = off_diag[0, 0]
        raise JudgmentMatrixError(f"{_prefix(name)}diagonal entry is {a[i, i]:g}, not 1",
                                  row=index[i], column=index[i], entry=(index[i], index[i]),
                                  hint="an element compared with itself is 1")
    # one half of a pair given: fill the reciprocal
    only_one = given & ~given.T
    a[only_one.T] = 1.0 / a.T[only_one.T]
    both_missing = ~given & ~given.T
    if both_missing.any() and not allow_missing:
        i, j = np.argwhere(both_missing)[0]
        raise JudgmentMatrixError(
            f"{_prefix(name)}the judgment of {index[i]} against {index[j]} is missing",
            row=index[i], column=index[j], entry=(index[i], index[j]),
            hint="add the judgment, or complete the matrix with incomplete='llsm' "
                 "(Bozóki et al. 2010) or incomplete='harker'")
    both = given & given.T & upper
    product = a * a.T
    nonrecip = both & (np.abs(product - 1.0) > reciprocal_rtol)
    if nonrecip.any():
        i, j = np.argwhere(nonrecip)[0]
        raise JudgmentMatrixError(
            f"{_prefix(name)}not reciprocal: a[{index[i]}, {index[j]}] = {a[i, j]:g} but "
            f"a[{index[j]}, {index[i]}] = {a[j, i]:g} (product {product[i, j]:.3g}, not 1)",
            row=index[i], column=index[j], entry=(index[i], index[j]),
            hint=f"set a[{index[j]}, {index[i]}] = 1/{a[i, j]:g}, or give the upper triangle only")
    outside = given & ((a > 9 * (1 + 1e-9)) | (a < (1 - 1e-9) / 9)) & upper
    if outside.any():
        cells = ", ".join(f"[{index[i]}, {index[j]}] = {a[i, j]:g}" for i, j in np.argwhere(outside))
        warnings.warn(f"{_prefix(name)}judgment(s) outside Saaty's 1/9-9 scale: {cells}",
                      DataQualityWarning, stacklevel=2)
    # geometric reconciliation: exact reciprocity without favouring either triangle
    with np.errstate(invalid="ignore"):
        recon = np.sqrt(a / a.T)
    a = np.where(upper, recon, np.where(lower, 1.0 / recon.T, 1.0))
    out = pd.DataFrame(a, index=pd.Index(index), columns=pd.Index(index))
    if name:
        out.attrs["name"] = name
    return out


def _as_frame(data: Any, labels: Sequence[str] | None, name: str | None) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        frame = data.copy()
        if labels is not None:
            if len(labels) != frame.shape[0]:
                raise JudgmentMatrixError(f"{_prefix(name)}{len(labels)} labels for a matrix with "
                                          f"{frame.shape[0]} rows", hint="give one label per row")
            frame.index = frame.columns = list(labels)
        elif [str(c) for c in frame.columns] != [str(r) for r in frame.index]:
            if frame.shape[0] == frame.shape[1] and isinstance(frame.index, pd.RangeIndex):
                frame.index = frame.columns
            else:
                extra = [c for c in frame.columns if str(c) not in {str(r) for r in frame.index}]
                raise JudgmentMatrixError(
                    f"{_prefix(name)}the column labels differ from the row labels"
                    + (f" (column {extra[0]!r} is not a row)" if extra else " (order differs)"),
                    column=extra[0] if extra else None,
                    hint="label rows and columns with the same elements in the same order")
        if frame.shape[0] != frame.shape[1]:
            raise JudgmentMatrixError(f"{_prefix(name)}the matrix is {frame.shape[0]} x "
                                      f"{frame.shape[1]}, not square",
                                      hint="a judgment matrix has one row and one column per element")
        return frame
    values = np.asarray(data, dtype=object)
    if values.ndim == 1:
        k = values.size
        n = int(round((1 + np.sqrt(1 + 8 * k)) / 2))
        if labels is not None:
            n = len(labels)
        if n * (n - 1) // 2 != k:
            raise JudgmentMatrixError(
                f"{_prefix(name)}{k} judgments do not fill the upper triangle of a matrix"
                + (f" with {n} elements (needs {n * (n - 1) // 2})" if labels is not None else ""),
                hint="give n(n-1)/2 judgments a12, a13, ..., a1n, a23, ... read row-wise")
        full = np.full((n, n), None, dtype=object)
        full[np.triu_indices(n, 1)] = values
        values = full
    if values.ndim != 2 or values.shape[0] != values.shape[1]:
        raise JudgmentMatrixError(f"{_prefix(name)}the matrix has shape {values.shape}, not square",
                                  hint="a judgment matrix has one row and one column per element")
    n = values.shape[0]
    if labels is None:
        labels = [f"C{i + 1}" for i in range(n)]
    elif len(labels) != n:
        raise JudgmentMatrixError(f"{_prefix(name)}{len(labels)} labels for a matrix with {n} rows",
                                  hint="give one label per row")
    return pd.DataFrame(values, index=list(map(str, labels)), columns=list(map(str, labels)))


def from_long(table: pd.DataFrame, *, scale: str = "saaty", system=None,
              file: str | None = None, reciprocal_rtol: float = 0.05
              ) -> dict[tuple[str, str], pd.DataFrame]:
    """Judgment matrices from a long table ``expert, parent, a, b, value``.

    One row says: for expert ``expert``, under criterion ``parent``, element ``a`` is
    ``value`` times as important as element ``b``.  This is the table a researcher exports
    from a questionnaire.

    Parameters
    ----------
    table : DataFrame
        Columns ``parent``, ``a``, ``b``, ``value`` and optionally ``expert`` (one decision
        maker ``"1"`` if absent).  Not modified.
    scale : {"saaty", "questionnaire"}
        ``"saaty"``: ``value`` is the ratio itself (1-9 or reciprocals, strings like "1/3").
        ``"questionnaire"``: the common -9...9 coding of a two-sided questionnaire scale:
        ``v >= 1`` means *a* is v times as important as *b*, ``v <= -1`` means *b* is |v| times
        as important as *a* (ratio 1/|v|); 1 and -1 both mean equal; 0 is not a valid code.
    system : IndicatorSystem, optional
        If given, every ``parent`` must be a non-leaf node and ``a``/``b`` its children;
        matrices are ordered as the system orders the children.
    file : str, optional
        Name of the source file, for messages (row numbers are CSV line numbers: header = 1).

    Returns
    -------
    dict
        ``{(expert, parent): DataFrame}``; pairs an expert did not judge are NaN (use
        :func:`complete_matrix` or ``incomplete=`` in :func:`priorities`).

    Raises
    ------
    JudgmentMatrixError
        Missing columns, a value that is not a number or not valid on the scale, a self
        comparison other than 1, a label that does not belong to the parent in ``system``, or
        conflicting duplicate judgments (both rows named).  Identical duplicates give a
        :class:`~crmstudy.errors.DataQualityWarning` and are used once.
    """
    _check_choice(scale, ("saaty", "questionnaire"), "scale")
    required = ["parent", "a", "b", "value"]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise JudgmentMatrixError(f"the judgment table lacks column(s) {', '.join(missing)}",
                                  file=file, hint="columns are expert, parent, a, b, value")
    t = pd.DataFrame({
        "expert": table["expert"].astype(str) if "expert" in table.columns else "1",
        "parent": table["parent"].astype(str).str.strip(),
        "a": table["a"].astype(str).str.strip(), "b": table["b"].astype(str).str.strip()},
        index=table.index)
    line = pd.Series(np.arange(len(table)) + 2, index=table.index)  # CSV line numbers
    ratio = np.empty(len(table))
    raw = table["value"].to_numpy(dtype=object)
    for k, value in enumerate(raw):  # text parsing of one column; the rest is vectorised
        try:
            ratio[k] = _parse_value(value)
        except ValueError:
            ratio[k] = np.inf  # flagged below
    bad = ~np.isfinite(ratio)
    if scale == "questionnaire":
        bad |= (ratio == 0) | (np.abs(ratio) < 1) | (np.abs(ratio) > 9) | (ratio != np.round(ratio))
        ratio = np.where(ratio >= 1, ratio, 1.0 / np.abs(np.where(ratio == 0, 1, ratio)))
    else:
        bad |= ratio <= 0
    if bad.any():
        k = int(np.argmax(bad))
        hint = ("questionnaire codes are integers -9..-1 and 1..9 (negative: b more important)"
                if scale == "questionnaire" else "values are positive ratios such as 3 or 1/3")
        raise JudgmentMatrixError(f"judgment value {raw[k]!r} is not valid on the {scale} scale",
                                  file=file, row=int(line.iloc[k]), column="value", hint=hint)
    t["ratio"] = ratio
    t["line"] = line
    self_cmp = (t["a"] == t["b"]).to_numpy()
    if (self_cmp & (np.abs(ratio - 1) > 1e-9)).any():
        k = int(np.argmax(self_cmp & (np.abs(ratio - 1) > 1e-9)))
        raise JudgmentMatrixError(f"{t['a'].iloc[k]} compared with itself must be 1, not {raw[k]}",
                                  file=file, row=int(line.iloc[k]), column="value",
                                  hint="delete the row or set it to 1")
    t = t[~self_cmp]
    if system is not None:
        _check_labels_in_system(t, system, file)
    # canonical orientation (lo, hi) so that (a, b, 3) and (b, a, 1/3) are the same judgment
    swap = t["a"] > t["b"]
    t = t.assign(lo=t["a"].where(~swap, t["b"]), hi=t["b"].where(~swap, t["a"]),
                 r=np.where(swap, 1.0 / t["ratio"], t["ratio"]))
    key = ["expert", "parent", "lo", "hi"]
    dup = t.duplicated(key, keep=False)
    if dup.any():
        d = t[dup]
        spread = d.groupby(key)["r"].transform(lambda s: s.max() / s.min())
        conflict = d[spread > 1 + 1e-9]
        if len(conflict):
            first = conflict.iloc[0]
            rows = conflict[(conflict[key] == first[key]).all(axis=1)]["line"].tolist()
            raise JudgmentMatrixError(
                f"expert {first['expert']}, criterion {first['parent']}: conflicting judgments "
                f"of {first['lo']} against {first['hi']} in rows {', '.join(map(str, rows))}",
                file=file, row=rows[0], entry=(first["lo"], first["hi"]),
                hint="keep one judgment per pair and expert (none is overwritten silently)")
        rows = d["line"].tolist()
        warnings.warn(f"{file + ': ' if file else ''}identical duplicate judgments in rows "
                      f"{', '.join(map(str, rows[:10]))}; each pair is used once",
                      DataQualityWarning, stacklevel=2)
        t = t.drop_duplicates(key)
    out: dict[tuple[str, str], pd.DataFrame] = {}
    for (expert, parent), g in t.groupby(["expert", "parent"], sort=False):
        if system is not None:
            labels = system.children(parent)
        else:
            labels = list(dict.fromkeys(np.column_stack([g["a"], g["b"]]).ravel()))
        pos = {lab: i for i, lab in enumerate(labels)}
        m = np.full((len(labels), len(labels)), np.nan, dtype=object)
        m[g["lo"].map(pos).to_numpy(int), g["hi"].map(pos).to_numpy(int)] = g["r"].to_numpy()
        name = f"expert {expert}, criterion {parent}"
        out[(expert, parent)] = judgment_matrix(pd.DataFrame(m, index=labels, columns=labels),
                                                allow_missing=True, name=name,
                                                reciprocal_rtol=reciprocal_rtol)
    return out


def _check_labels_in_system(t: pd.DataFrame, system, file) -> None:
    parents = [c for c in system.codes if not system.is_leaf(c)]
    unknown = ~t["parent"].isin(parents)
    if unknown.any():
        k = int(np.argmax(unknown.to_numpy()))
        raise JudgmentMatrixError(
            f"criterion {t['parent'].iloc[k]!r} is not a parent node of the hierarchy "
            f"{system.key}", file=file, row=int(t["line"].iloc[k]), column="parent",
            hint=f"use one of {', '.join(parents)}")
    children = {p: set(system.children(p)) for p in parents}
    for col in ("a", "b"):
        wrong = ~np.array([lab in children[p] for p, lab in zip(t["parent"], t[col])], dtype=bool)
        if wrong.any():
            k = int(np.argmax(wrong))
            p = t["parent"].iloc[k]
            raise JudgmentMatrixError(
                f"{t[col].iloc[k]!r} is not a sub-criterion of {p} in the hierarchy {system.key}",
                file=file, row=int(t["line"].iloc[k]), column=col,
                hint=f"under {p} compare only {', '.join(system.children(p))}")


# ----------------------------------------------------------------------------------------------
# Completion of incomplete matrices
# ----------------------------------------------------------------------------------------------
def complete_matrix(matrix: Any, method: str = "llsm") -> pd.DataFrame:
    """Fill the missing judgments of an incomplete matrix with ``w_i / w_j``.

    ``method="llsm"``: weights minimise ``sum_{known i<j} (ln a_ij - ln w_i + ln w_j)^2``,
    solved as the Laplacian linear system of the comparison graph (Bozóki, Fülöp & Rónyai 2010,
    section 4).  ``method="harker"``: principal eigenvector of Harker's (1987) matrix with the
    missing entries set to 0 and ``b_ii = 1 +`` (number of missing entries in row i).
    The known comparisons must connect all elements.
    """
    _check_choice(method, _INCOMPLETE, "incomplete-matrix method")
    m = matrix if isinstance(matrix, pd.DataFrame) and matrix.attrs.get("_valid") else \
        judgment_matrix(matrix, allow_missing=True, name=getattr(matrix, "attrs", {}).get("name"))
    a = m.to_numpy(dtype=float)
    known = ~np.isnan(a)
    if known.all():
        return m
    _check_connected(known, list(m.index), m.attrs.get("name"))
    w = _incomplete_weights(a, method)
    filled = np.where(known, a, w[:, None] / w[None, :])
    out = pd.DataFrame(filled, index=m.index, columns=m.columns)
    out.attrs.update(m.attrs)
    out.attrs["completed"] = method
    out.attrs["n_missing"] = int((~known).sum() // 2)
    return out


def _incomplete_weights(a: np.ndarray, method: str) -> np.ndarray:
    n = a.shape[0]
    known = ~np.isnan(a)
    if method == "llsm":
        adj = known & ~np.eye(n, dtype=bool)
        lap = np.diag(adj.sum(1)) - adj.astype(float)
        rhs = np.where(adj, np.log(np.where(adj, a, 1.0)), 0.0).sum(1)
        lap[-1, :] = 1.0  # fix the scale: sum of log-weights = 0
        rhs[-1] = 0.0
        w = np.exp(np.linalg.solve(lap, rhs))
    else:
        b = np.where(known, a, 0.0)
        b[np.diag_indices(n)] = 1.0 + (~known).sum(1)
        w = _eigen(b[None])[0][0]
    return w / w.sum()


def _check_connected(known: np.ndarray, labels: list[str], name) -> None:
    reach = np.zeros(len(labels), dtype=bool)
    reach[0] = True
    for _ in range(len(labels)):  # graph search on a tiny matrix
        new = reach | known[reach].any(0)
        if (new == reach).all():
            break
        reach = new
    if not reach.all():
        lost = labels[int(np.argmin(reach))]
        raise JudgmentMatrixError(
            f"{_prefix(name)}too many judgments are missing: {lost} is not linked to "
            f"{labels[0]} by any chain of comparisons", row=lost,
            hint="add at least one judgment that links each element to the others")


# ----------------------------------------------------------------------------------------------
# Batched numerical core (arrays of shape (k, n, n))
# ----------------------------------------------------------------------------------------------
def _eigen_lapack(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    vals, vecs = np.linalg.eig(a)
    idx = np.argmax(vals.real, axis=-1)
    lam = np.take_along_axis(vals.real, idx[..., None], -1)[..., 0]
    vec = np.abs(np.take_along_axis(vecs, idx[..., None, None], -1)[..., 0].real)
    return vec / vec.sum(-1, keepdims=True), lam


def _eigen(a: np.ndarray, tol: float = 1e-15, max_squarings: int = 12
           ) -> tuple[np.ndarray, np.ndarray]:
    """Principal (Perron) eigenvector, normalised to sum 1, and eigenvalue, for a stack.

    Repeated squaring (the row sums of ``A^(2^k)`` converge to the Perron vector; Saaty 1980)
    costs a few batched matrix products, much less than a general eigen-decomposition.
    Matrices that have not converged after ``max_squarings`` (a second eigenvalue close in
    modulus to the first) fall back to LAPACK's ``eig``.
    """
    m = a / a.sum(axis=(-2, -1), keepdims=True)
    w = m.sum(-1)
    w = w / w.sum(-1, keepdims=True)
    done = np.zeros(a.shape[:-2], dtype=bool)
    for _ in range(max_squarings):
        m = m @ m
        m = m / m.sum(axis=(-2, -1), keepdims=True)
        new = m.sum(-1)
        new = new / new.sum(-1, keepdims=True)
        done = np.abs(new - w).max(-1) <= tol * 10
        w = new
        if done.all():
            break
    if not done.all():
        idx = ~done
        w[idx] = _eigen_lapack(a[idx])[0]
    lam = ((a @ w[..., None])[..., 0] / w).mean(-1)
    return w, lam


def _weights(a: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray | None]:
    if method == "eigen":
        return _eigen(a)
    if method == "geometric":
        w = np.exp(np.log(a).mean(-1))
    else:  # arithmetic: column-normalise, average rows
        w = (a / a.sum(-2, keepdims=True)).mean(-1)
    return w / w.sum(-1, keepdims=True), None


def _core(a: np.ndarray, method: str, lambda_max: str, ri_table: str) -> dict[str, np.ndarray]:
    n = a.shape[-1]
    w, lam = _weights(a, method)
    if lambda_max == "weights":
        lam = ((a @ w[..., None])[..., 0] / w).mean(-1)
    elif lam is None:
        lam = _eigen(a)[1]
    if n <= 2:
        ci = np.zeros(a.shape[:-2])
        lam = np.full(a.shape[:-2], float(n))
    else:
        ci = (lam - n) / (n - 1)
    ri = _ri(n, ri_table)
    cr = ci / ri if ri > 0 else np.zeros_like(ci)
    if n >= 3:
        wg = np.exp(np.log(a).mean(-1))
        err = np.log(a * wg[..., None, :] / wg[..., :, None])
        iu = np.triu_indices(n, 1)
        gci = 2.0 / ((n - 1) * (n - 2)) * (err[..., iu[0], iu[1]] ** 2).sum(-1)
    else:
        gci = np.zeros(a.shape[:-2])
    return {"weights": w, "lambda_max": lam, "ci": ci, "cr": cr, "ri": ri, "gci": gci}


@dataclass(frozen=True)
class BatchPriorities:
    """Priorities of a stack of k matrices of equal size (arrays, first axis = matrix)."""

    weights: np.ndarray
    lambda_max: np.ndarray
    ci: np.ndarray
    cr: np.ndarray
    gci: np.ndarray
    ri: float
    method: str
    ri_table: str
    lambda_convention: str


def batch_priorities(matrices: np.ndarray, method: str = "eigen", ri_table: str = "saaty1980",
                     lambda_max: str = "eigenvalue") -> BatchPriorities:
    """Priorities and consistency of many matrices at once (vectorised over the first axis).

    ``matrices`` is a float array of shape ``(k, n, n)`` of valid reciprocal matrices (not
    re-validated: use :func:`judgment_matrix` on user input).  This is the engine of
    :func:`group_priorities` and :func:`monte_carlo`.
    """
    _check_choice(method, _METHODS, "priority method")
    _check_choice(lambda_max, _LAMBDA, "lambda_max convention")
    a = np.asarray(matrices, dtype=float)
    if a.ndim != 3 or a.shape[1] != a.shape[2]:
        raise JudgmentMatrixError(f"expected an array of shape (k, n, n), got {a.shape}",
                                  hint="stack square matrices of equal size")
    if not (np.isfinite(a).all() and (a > 0).all()):
        k = int(np.argwhere(~(np.isfinite(a) & (a > 0)))[0, 0])
        raise JudgmentMatrixError(f"matrix {k} has a non-positive, missing or infinite entry",
                                  row=k, hint="validate each matrix with judgment_matrix")
    core = _core(a, method, lambda_max, ri_table)
    return BatchPriorities(method=method, ri_table=ri_table,
                           lambda_convention=lambda_max, **core)


# ----------------------------------------------------------------------------------------------
# Single matrix
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AHPResult:
    """Priorities and consistency of one judgment matrix.

    Attributes
    ----------
    weights : Series
        Priority vector (sums to 1), indexed by element label.
    lambda_max, ci, cr, ri, gci : float
        Principal eigenvalue (see ``lambda_convention``), consistency index, consistency
        ratio, random index used, geometric consistency index.
    consistent : bool
        ``cr < cr_threshold``.
    matrix : DataFrame
        The validated (exactly reciprocal, completed if needed) matrix.
    inconsistency : DataFrame
        One row per judgment (upper triangle), sorted by ``abs_log_error`` descending:
        ``a``, ``b``, ``judgment`` a_ab, ``implied`` w_a/w_b, ``log_error`` ln(a_ab w_b / w_a),
        ``share`` of the sum of squared log errors, ``suggested`` (the Saaty-scale value
        closest to w_a/w_b).  The top rows are the questions to revisit.
    """

    weights: pd.Series
    lambda_max: float
    ci: float
    cr: float
    ri: float
    gci: float
    consistent: bool
    n: int
    method: str
    ri_table: str
    cr_threshold: float
    gci_threshold: float
    lambda_convention: str
    matrix: pd.DataFrame = field(repr=False)
    completed: str | None = None
    name: str | None = None

    @cached_property
    def inconsistency(self) -> pd.DataFrame:
        """Judgments sorted by their contribution to the inconsistency (see class docstring)."""
        return _inconsistency_table(self.matrix.to_numpy(dtype=float), self.weights.to_numpy(),
                                    list(self.matrix.index))

    @property
    def table(self) -> pd.DataFrame:
        """Tidy table: ``element, weight, rank`` (rank 1 = most important; ties share the min)."""
        return pd.DataFrame({"element": self.weights.index, "weight": self.weights.to_numpy(),
                             "rank": self.weights.rank(ascending=False, method="min")
                             .astype(int).to_numpy()})

    @property
    def consistency(self) -> pd.Series:
        return pd.Series({"n": self.n, "lambda_max": self.lambda_max, "ci": self.ci,
                          "ri": self.ri, "cr": self.cr, "gci": self.gci,
                          "consistent": self.consistent})

    def summary(self) -> str:
        lines = [f"AHP priorities{' - ' + self.name if self.name else ''} "
                 f"(method={self.method}, RI table={self.ri_table}"
                 + (f", completed by {self.completed}" if self.completed else "") + ")",
                 self.table.to_string(index=False, float_format=lambda x: f"{x:.4f}"),
                 f"lambda_max = {self.lambda_max:.4f} ({self.lambda_convention}), "
                 f"CI = {self.ci:.4f}, RI = {self.ri:.4f}, CR = {self.cr:.4f} "
                 f"({'consistent' if self.consistent else 'NOT consistent'}: threshold "
                 f"{self.cr_threshold}), GCI = {self.gci:.4f} (threshold {self.gci_threshold})"]
        if not self.consistent:
            top = self.inconsistency.head(3)
            lines.append("judgments contributing most to the inconsistency:")
            lines += [f"  {r.a} vs {r.b}: judged {r.judgment:.3g}, weights imply {r.implied:.3g} "
                      f"(suggested {r.suggested:.3g}; {100 * r.share:.0f}% of the squared log error)"
                      for r in top.itertuples()]
        return "\n".join(lines)


def _nearest_scale(x: np.ndarray) -> np.ndarray:
    logs = np.log(SAATY_SCALE)
    return SAATY_SCALE[np.abs(np.log(x)[..., None] - logs).argmin(-1)]


def _inconsistency_table(a: np.ndarray, w: np.ndarray, labels: list[str]) -> pd.DataFrame:
    iu = np.triu_indices(len(labels), 1)
    judged = a[iu]
    implied = w[iu[0]] / w[iu[1]]
    err = np.log(judged / implied)
    sq = err ** 2
    table = pd.DataFrame({
        "a": np.array(labels, dtype=object)[iu[0]], "b": np.array(labels, dtype=object)[iu[1]],
        "judgment": judged, "implied": implied, "log_error": err,
        "abs_log_error": np.abs(err),
        "share": sq / sq.sum() if sq.sum() > 0 else np.zeros_like(sq),
        "suggested": _nearest_scale(implied) if len(judged) else implied})
    return table.sort_values("abs_log_error", ascending=False, kind="stable", ignore_index=True)


def priorities(matrix: Any, method: str = "eigen", ri_table: str = "saaty1980", *,
               labels: Sequence[str] | None = None, cr_threshold: float = 0.10,
               lambda_max: str = "eigenvalue", incomplete: str | None = None,
               reciprocal_rtol: float = 0.05, name: str | None = None) -> AHPResult:
    """Priorities (weights) and consistency of a pairwise judgment matrix.

    Parameters
    ----------
    matrix : array-like or DataFrame
        Full matrix, upper triangle or flat upper-triangle sequence (see :func:`judgment_matrix`).
    method : {"eigen", "geometric", "arithmetic"}
        Principal eigenvector ``A w = lambda_max w`` (default); normalised row geometric mean
        ``w_i ∝ (prod_j a_ij)^(1/n)`` (方根法); mean of the column-normalised rows
        ``w_i = (1/n) sum_j a_ij / sum_k a_kj`` (和积法).
    ri_table : {"saaty1980", "saaty2005", "donegan_dodd1991"}
        Random-index table for ``CR = CI / RI(n)``.
    cr_threshold : float
        ``consistent`` is ``cr < cr_threshold`` (Saaty: 0.10; he suggests 0.05 for n = 3 and
        0.08 for n = 4).
    lambda_max : {"eigenvalue", "weights"}
        Principal eigenvalue (default), or the textbook estimate ``mean((A w)_i / w_i)`` with
        this method's weights (what many 和积法/方根法 worked examples print).
    incomplete : {None, "llsm", "harker"}
        How to complete missing judgments; ``None`` raises on a missing judgment.

    Returns
    -------
    AHPResult

    Examples
    --------
    Saaty's (1990) house example (EJOR 48, p. 15): λmax = 9.669, CI = 0.238, CR = 0.169.
    Matches ``ahpy.Compare(...)`` weights to 4 decimals (its own power iteration) and
    ``pyDecision.ahp_method(X, wd="me")``.
    """
    _check_choice(method, _METHODS, "priority method")
    _check_choice(lambda_max, _LAMBDA, "lambda_max convention")
    if incomplete is not None:
        _check_choice(incomplete, _INCOMPLETE, "incomplete-matrix method")
    name = name or (matrix.attrs.get("name") if isinstance(matrix, pd.DataFrame) else None)
    m = judgment_matrix(matrix, labels, reciprocal_rtol=reciprocal_rtol,
                        allow_missing=incomplete is not None, name=name)
    completed = None
    if m.isna().to_numpy().any():
        m.attrs["_valid"] = True
        m = complete_matrix(m, incomplete)
        completed = incomplete
    return _result_from_matrix(m, method, ri_table, cr_threshold, lambda_max, completed, name)


def _result_from_matrix(m: pd.DataFrame, method, ri_table, cr_threshold, lambda_max,
                        completed, name, core=None) -> AHPResult:
    a = m.to_numpy(dtype=float)
    n = a.shape[0]
    if core is None:
        core = {k: (v[0] if isinstance(v, np.ndarray) else v)
                for k, v in _core(a[None], method, lambda_max, ri_table).items()}
    w = core["weights"]
    labels = list(m.index)
    return AHPResult(
        weights=pd.Series(w, index=pd.Index(labels, name="element"), name="weight"),
        lambda_max=float(core["lambda_max"]), ci=float(core["ci"]), cr=float(core["cr"]),
        ri=float(core["ri"]), gci=float(core["gci"]), consistent=bool(core["cr"] < cr_threshold),
        n=n, method=method, ri_table=ri_table, cr_threshold=cr_threshold,
        gci_threshold=_gci_threshold(n), lambda_convention=lambda_max, matrix=m,
        completed=completed, name=name)


# ----------------------------------------------------------------------------------------------
# Group decisions
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupResult:
    """Group priorities from several experts' matrices over the same elements.

    Attributes
    ----------
    weights : Series
        The group's priority vector.
    experts : DataFrame
        One row per expert: ``expert, lambda_max, ci, cr, gci, consistent, included,
        expert_weight``.
    individual : DataFrame
        Each expert's priority vector (rows = experts, columns = elements).
    aggregate : AHPResult or None
        For ``"aij"``: the result of the aggregated (geometric-mean) matrix, with its CR.
    """

    weights: pd.Series
    method: str
    priority_method: str
    ri_table: str
    cr_threshold: float
    exclude_inconsistent: bool
    experts: pd.DataFrame = field(repr=False)
    individual: pd.DataFrame = field(repr=False)
    aggregate: AHPResult | None = field(default=None, repr=False)
    name: str | None = None

    @property
    def lambda_max(self) -> float:
        return self.aggregate.lambda_max if self.aggregate else np.nan

    @property
    def cr(self) -> float:
        """CR of the aggregated matrix (AIJ only; NaN for AIP)."""
        return self.aggregate.cr if self.aggregate else np.nan

    @property
    def excluded(self) -> list[str]:
        return self.experts.loc[~self.experts["included"], "expert"].tolist()

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"element": self.weights.index, "weight": self.weights.to_numpy(),
                             "rank": self.weights.rank(ascending=False, method="min")
                             .astype(int).to_numpy()})

    def summary(self) -> str:
        lines = [f"AHP group priorities{' - ' + self.name if self.name else ''} "
                 f"(aggregation={self.method}, priority method={self.priority_method}, "
                 f"RI table={self.ri_table})",
                 self.table.to_string(index=False, float_format=lambda x: f"{x:.4f}"),
                 "experts:",
                 self.experts.to_string(index=False, float_format=lambda x: f"{x:.4f}")]
        if self.aggregate is not None:
            lines.append(f"aggregated matrix: lambda_max = {self.aggregate.lambda_max:.4f}, "
                         f"CR = {self.aggregate.cr:.4f}")
        if self.excluded:
            lines.append(f"excluded (CR >= {self.cr_threshold}): {', '.join(self.excluded)}")
        return "\n".join(lines)


def _as_matrix_dict(matrices, name) -> dict[str, Any]:
    if isinstance(matrices, pd.DataFrame) and {"a", "b", "value"} <= set(matrices.columns):
        parents = matrices["parent"].unique() if "parent" in matrices.columns else ["-"]
        if len(parents) > 1:
            raise JudgmentMatrixError(
                f"the judgment table has {len(parents)} criteria ({', '.join(map(str, parents))})",
                hint="use hierarchy_weights for a whole hierarchy, or select one parent")
        table = matrices if "parent" in matrices.columns else matrices.assign(parent="-")
        return {e: m for (e, _), m in from_long(table).items()}
    if isinstance(matrices, Mapping):
        return {str(k): v for k, v in matrices.items()}
    if isinstance(matrices, np.ndarray) and matrices.ndim == 3:
        return {str(k + 1): m for k, m in enumerate(matrices)}
    return {str(k + 1): m for k, m in enumerate(matrices)}


def group_priorities(matrices, method: str = "aij", *, priority_method: str = "eigen",
                     ri_table: str = "saaty1980", expert_weights: Mapping[str, float] | None = None,
                     cr_threshold: float = 0.10, exclude_inconsistent: bool = False,
                     incomplete: str | None = None, lambda_max: str = "eigenvalue",
                     labels: Sequence[str] | None = None, name: str | None = None) -> GroupResult:
    """Aggregate several experts' judgments on the same elements.

    Parameters
    ----------
    matrices : mapping expert -> matrix, sequence of matrices, (k, n, n) array, or a long table
        ``expert, (parent,) a, b, value`` with one parent.
    method : {"aij", "aip_geometric", "aip_arithmetic"}
        ``"aij"``: aggregated matrix ``a_ij = prod_k a_ij^(k) ^ lambda_k`` (weighted geometric
        mean, keeps reciprocity), then its priorities; ``"aip_geometric"``:
        ``w_i ∝ prod_k w_i^(k) ^ lambda_k``; ``"aip_arithmetic"``: ``w_i = sum_k lambda_k w_i^(k)``.
        ``lambda_k`` are the expert weights (equal by default).
    exclude_inconsistent : bool
        Leave out experts with ``CR >= cr_threshold`` (reported in ``experts``).

    Raises
    ------
    JudgmentMatrixError
        If matrices differ in their elements, an expert's matrix is invalid (the expert is
        named), or every expert is excluded.
    """
    _check_choice(method, _GROUP_METHODS, "group aggregation method")
    raw = _as_matrix_dict(matrices, name)
    if not raw:
        raise JudgmentMatrixError(f"{_prefix(name)}no judgment matrices given",
                                  hint="pass one matrix per expert")
    results = {}
    for expert, m in raw.items():
        label = f"{name + ', ' if name else ''}expert {expert}" if not (
            isinstance(m, pd.DataFrame) and m.attrs.get("name")) else m.attrs["name"]
        results[expert] = priorities(m, priority_method, ri_table, labels=labels,
                                     cr_threshold=cr_threshold, lambda_max=lambda_max,
                                     incomplete=incomplete, name=label)
    first_expert, first = next(iter(results.items()))
    elements = list(first.weights.index)
    for expert, res in results.items():
        if list(res.weights.index) != elements:
            odd = sorted(set(res.weights.index) ^ set(elements)) or list(res.weights.index)
            raise JudgmentMatrixError(
                f"{_prefix(name)}expert {expert} compares {', '.join(res.weights.index)} but "
                f"expert {first_expert} compares {', '.join(elements)}", row=expert,
                column=odd[0], hint="every expert must judge the same elements in the same order")
    experts = list(results)
    if expert_weights is None:
        lam = pd.Series(1.0 / len(experts), index=experts)
    else:
        lam = pd.Series({str(k): float(v) for k, v in expert_weights.items()})
        missing = [e for e in experts if e not in lam.index]
        if missing or (lam < 0).any() or not np.isfinite(lam).all():
            raise ParameterError(f"expert weights are missing or invalid for {missing or list(lam.index)}",
                                 hint="give a non-negative weight to every expert")
        lam = lam.reindex(experts)
    table = pd.DataFrame({
        "expert": experts,
        "lambda_max": [results[e].lambda_max for e in experts],
        "ci": [results[e].ci for e in experts], "cr": [results[e].cr for e in experts],
        "gci": [results[e].gci for e in experts],
        "consistent": [results[e].consistent for e in experts]})
    table["included"] = table["consistent"] if exclude_inconsistent else True
    if not table["included"].any():
        raise JudgmentMatrixError(
            f"{_prefix(name)}every expert has CR >= {cr_threshold}; none is left to aggregate",
            hint="revisit the judgments (see AHPResult.inconsistency) or set exclude_inconsistent=False")
    keep = table.loc[table["included"], "expert"].tolist()
    lam_in = lam.reindex(keep)
    lam_in = lam_in / lam_in.sum()
    table["expert_weight"] = lam_in.reindex(experts).fillna(0.0).to_numpy()
    individual = pd.DataFrame([results[e].weights.to_numpy() for e in experts],
                              index=pd.Index(experts, name="expert"), columns=elements)
    aggregate = None
    lw = lam_in.to_numpy()
    if method == "aij":
        logs = np.stack([np.log(results[e].matrix.to_numpy(float)) for e in keep])
        agg = np.exp(np.tensordot(lw, logs, axes=1))
        agg_frame = pd.DataFrame(agg, index=elements, columns=elements)
        aggregate = _result_from_matrix(agg_frame, priority_method, ri_table, cr_threshold,
                                        lambda_max, None,
                                        f"{name + ', ' if name else ''}aggregated judgments (AIJ)")
        w = aggregate.weights.to_numpy()
    elif method == "aip_geometric":
        w = np.exp(lw @ np.log(individual.loc[keep].to_numpy()))
        w = w / w.sum()
    else:
        w = lw @ individual.loc[keep].to_numpy()
        w = w / w.sum()
    return GroupResult(weights=pd.Series(w, index=pd.Index(elements, name="element"), name="weight"),
                       method=method, priority_method=priority_method, ri_table=ri_table,
                       cr_threshold=cr_threshold, exclude_inconsistent=exclude_inconsistent,
                       experts=table, individual=individual, aggregate=aggregate, name=name)


# ----------------------------------------------------------------------------------------------
# Hierarchies
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HierarchyResult:
    """Local and global weights of an indicator hierarchy.

    Attributes
    ----------
    weights : Series
        Global weights of the leaves (sum 1), in the system's leaf order.
    table : DataFrame
        One row per node below the goal: ``code, parent, level, local_weight, global_weight``.
    consistency : DataFrame
        One row per (criterion, expert): ``parent, expert, n, lambda_max, ci, cr, gci,
        consistent, included``; expert ``"group"`` is the aggregated matrix (AIJ).
    groups : dict
        Criterion code -> :class:`GroupResult`.
    total_cr : Series
        Hierarchical (overall) consistency ratio by level, ``CR = sum_p w_p CI_p /
        sum_p w_p RI_p`` over the criteria p of the level above (层次总排序一致性; Saaty 1980),
        from the group (aggregated) matrices; defined for AIJ only.
    """

    weights: pd.Series
    table: pd.DataFrame
    consistency: pd.DataFrame
    groups: dict
    total_cr: pd.Series
    system: Any = field(repr=False)
    method: str = "eigen"
    group_method: str = "aij"
    ri_table: str = "saaty1980"
    cr_threshold: float = 0.10

    @property
    def local_weights(self) -> pd.Series:
        return self.table.set_index("code")["local_weight"]

    @property
    def global_weights(self) -> pd.Series:
        return self.table.set_index("code")["global_weight"]

    @property
    def dimension_weights(self) -> pd.Series:
        return self.global_weights.reindex(self.system.dimensions())

    @property
    def matrices(self) -> dict[str, pd.DataFrame]:
        """The matrix each criterion's weights come from (aggregated for AIJ)."""
        out = {}
        for parent, g in self.groups.items():
            if g.aggregate is not None:
                out[parent] = g.aggregate.matrix
        return out

    def to_frame(self, lang: str = "zh") -> pd.DataFrame:
        """``table`` with the indicator names in ``lang``."""
        labels = self.system.labels(lang)
        out = self.table.copy()
        out.insert(1, "name", out["code"].map(labels))
        return out

    def score(self, alternatives: pd.DataFrame) -> pd.Series:
        """Synthesise alternatives: ``alternatives`` (rows = alternatives, columns = leaves,
        e.g. each alternative's local priority under each leaf) times the global weights."""
        missing = [c for c in self.weights.index if c not in alternatives.columns]
        if missing:
            raise JudgmentMatrixError(f"the alternatives table lacks leaf column(s) {', '.join(missing)}",
                                      column=missing[0], hint="give one column per leaf indicator")
        return (alternatives[list(self.weights.index)] @ self.weights).rename("score")

    def summary(self) -> str:
        lines = [f"AHP hierarchy {self.system.key} (method={self.method}, aggregation="
                 f"{self.group_method}, RI table={self.ri_table})",
                 self.table.to_string(index=False, float_format=lambda x: f"{x:.4f}"),
                 "consistency (group matrices):",
                 self.consistency[self.consistency["expert"] == "group"]
                 .to_string(index=False, float_format=lambda x: f"{x:.4f}")]
        bad = self.consistency[(self.consistency["expert"] != "group") & ~self.consistency["consistent"]]
        if len(bad):
            lines.append("experts above the CR threshold: " + ", ".join(
                f"{r.expert} ({r.parent}: CR={r.cr:.3f})" for r in bad.itertuples()))
        if len(self.total_cr):
            lines.append("hierarchical CR by level: " + ", ".join(
                f"level {k}: {v:.4f}" for k, v in self.total_cr.items()))
        return "\n".join(lines)


def hierarchy_weights(judgments, system=None, *, method: str = "eigen",
                      group_method: str = "aij", ri_table: str = "saaty1980",
                      scale: str = "saaty", cr_threshold: float = 0.10,
                      exclude_inconsistent: bool = False, incomplete: str | None = None,
                      lambda_max: str = "eigenvalue", file: str | None = None) -> HierarchyResult:
    """Local and global weights of a hierarchy (goal -> criteria -> sub-criteria -> ...).

    Parameters
    ----------
    judgments : DataFrame or mapping
        Long table ``expert, parent, a, b, value`` (see :func:`from_long`), or a mapping
        criterion code -> matrix (one decision maker).
    system : IndicatorSystem, optional
        The hierarchy; default :func:`crmstudy.indicators.capability_system` (3 dimensions,
        17 indicators).  Every non-leaf node with two or more children needs judgments from
        every expert; a node with one child passes weight 1 to it.
    method, ri_table, cr_threshold, lambda_max, incomplete
        As in :func:`priorities`.
    group_method, exclude_inconsistent
        As in :func:`group_priorities`.

    Returns
    -------
    HierarchyResult
        Global weight of a node = its local weight times the global weight of its parent.

    Raises
    ------
    JudgmentMatrixError
        A criterion without judgments, an expert who did not judge a criterion (named), or a
        label that is not in the hierarchy.
    """
    if system is None:
        from .indicators import capability_system
        system = capability_system()
    parents = [c for c in system.codes if not system.is_leaf(c) and len(system.children(c)) > 1]
    if isinstance(judgments, pd.DataFrame):
        mats = from_long(judgments, scale=scale, system=system, file=file)
    elif isinstance(judgments, Mapping):
        mats = {("1", str(p)): m for p, m in judgments.items()}
        unknown = [p for _, p in mats if p not in parents]
        if unknown:
            raise JudgmentMatrixError(f"criterion {unknown[0]!r} is not a parent node of "
                                      f"{system.key}", hint=f"use {', '.join(parents)}")
    else:
        raise JudgmentMatrixError("judgments must be a long table or a mapping criterion -> matrix",
                                  hint="see crmstudy.ahp.from_long")
    experts = list(dict.fromkeys(e for e, _ in mats))
    groups: dict[str, GroupResult] = {}
    rows = []
    for parent in parents:
        have = {e: mats[(e, parent)] for e in experts if (e, parent) in mats}
        if not have:
            raise JudgmentMatrixError(f"no judgments for criterion {parent}", file=file,
                                      hint=f"compare {', '.join(system.children(parent))} under {parent}")
        lacking = [e for e in experts if e not in have]
        if lacking:
            raise JudgmentMatrixError(
                f"expert {lacking[0]} gave no judgments for criterion {parent}", file=file,
                row=None, hint="add the expert's judgments or drop the expert from the table")
        labels = system.children(parent)
        for e, m in have.items():
            if not isinstance(m, pd.DataFrame):
                m = judgment_matrix(m, labels if np.shape(m)[0] == len(labels) else None,
                                    allow_missing=True, name=f"criterion {parent}")
                have[e] = m
            odd = [str(x) for x in m.index if str(x) not in labels]
            if odd or len(m.index) != len(labels):
                lacking = [x for x in labels if x not in [str(i) for i in m.index]]
                raise JudgmentMatrixError(
                    f"expert {e}, criterion {parent}: the matrix compares "
                    f"{', '.join(map(str, m.index))} but {parent} has the sub-criteria "
                    f"{', '.join(labels)}", row=(odd or lacking or [None])[0],
                    hint="label the matrix with the codes of the hierarchy")
            if list(m.index) != labels:
                m2 = m.reindex(index=labels, columns=labels)
                m2.attrs.update(m.attrs)
                have[e] = m2
        g = group_priorities(have, group_method, priority_method=method, ri_table=ri_table,
                             cr_threshold=cr_threshold, exclude_inconsistent=exclude_inconsistent,
                             incomplete=incomplete, lambda_max=lambda_max, name=f"criterion {parent}")
        groups[parent] = g
        ex = g.experts.assign(parent=parent, n=len(labels))
        rows.append(ex[["parent", "expert", "n", "lambda_max", "ci", "cr", "gci", "consistent",
                        "included"]])
        if g.aggregate is not None:
            agg = g.aggregate
            rows.append(pd.DataFrame([{"parent": parent, "expert": "group", "n": agg.n,
                                       "lambda_max": agg.lambda_max, "ci": agg.ci, "cr": agg.cr,
                                       "gci": agg.gci, "consistent": agg.consistent,
                                       "included": True}]))
    local = {}
    for code in system.codes:
        if code == system.root:
            continue
        p = system.parent(code)
        local[code] = float(groups[p].weights[code]) if p in groups else 1.0
    glob = {}
    for code in system.codes:  # pre-order: a parent comes before its children
        if code == system.root:
            continue
        p = system.parent(code)
        glob[code] = local[code] * (1.0 if p == system.root else glob[p])
    codes = [c for c in system.codes if c != system.root]
    table = pd.DataFrame({"code": codes, "parent": [system.parent(c) for c in codes],
                          "level": [system.level(c) for c in codes],
                          "local_weight": [local[c] for c in codes],
                          "global_weight": [glob[c] for c in codes]})
    leaves = system.leaves()
    weights = pd.Series([glob[c] for c in leaves], index=pd.Index(leaves, name="code"), name="weight")
    consistency = pd.concat(rows, ignore_index=True).astype({"consistent": bool, "included": bool})
    total = {}
    if group_method == "aij":
        for level in sorted({system.level(p) for p in parents}):
            ps = [p for p in parents if system.level(p) == level]
            wp = np.array([1.0 if p == system.root else glob[p] for p in ps])
            ci = np.array([groups[p].aggregate.ci for p in ps])
            ri = np.array([groups[p].aggregate.ri for p in ps])
            total[level + 1] = float((wp * ci).sum() / (wp * ri).sum()) if (wp * ri).sum() > 0 else 0.0
    return HierarchyResult(weights=weights, table=table, consistency=consistency, groups=groups,
                           total_cr=pd.Series(total, name="cr", dtype=float), system=system,
                           method=method, group_method=group_method, ri_table=ri_table,
                           cr_threshold=cr_threshold)


# ----------------------------------------------------------------------------------------------
# Monte-Carlo sensitivity and random index
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MonteCarloResult:
    """Distribution of the global leaf weights under random perturbation of the judgments.

    Attributes
    ----------
    draws : DataFrame
        ``draws x leaves`` global weights (each row sums to 1).
    cr : DataFrame
        ``draws x criteria`` CR of each perturbed matrix.
    """

    draws: pd.DataFrame = field(repr=False)
    cr: pd.DataFrame = field(repr=False)
    base: pd.Series
    spread: float
    perturbation: str
    method: str
    seed: int | None

    @property
    def table(self) -> pd.DataFrame:
        """Per leaf: ``base`` weight, ``mean``, ``sd``, ``q05``, ``q95``, and the
        probability that the leaf keeps its base rank (``p_same_rank``)."""
        d = self.draws
        ranks = d.rank(axis=1, ascending=False, method="min")
        base_rank = self.base.rank(ascending=False, method="min")
        return pd.DataFrame({"base": self.base, "mean": d.mean(), "sd": d.std(ddof=1),
                             "q05": d.quantile(0.05), "q95": d.quantile(0.95),
                             "p_same_rank": (ranks == base_rank).mean()})

    def summary(self) -> str:
        return (f"Monte-Carlo AHP sensitivity: {len(self.draws)} draws, {self.perturbation} "
                f"perturbation of every judgment (sd of ln a_ij = {self.spread}), method "
                f"{self.method}, seed {self.seed}\n"
                + self.table.to_string(float_format=lambda x: f"{x:.4f}"))


def monte_carlo(hierarchy: HierarchyResult | Mapping[str, Any], draws: int = 10_000, *,
                spread: float = 0.25, seed: int | None = 20261123, method: str | None = None,
                system=None, ri_table: str | None = None) -> MonteCarloResult:
    """Monte-Carlo sensitivity of hierarchy weights to the judgments (batched in numpy).

    Each upper-triangle judgment is perturbed log-normally, ``ln a'_ij = ln a_ij + spread * z``
    with ``z ~ N(0, 1)`` independent, the lower triangle kept reciprocal; every criterion's
    ``draws`` perturbed matrices are solved at once (:func:`batch_priorities`) and multiplied
    down the hierarchy.  ``spread = 0.25`` is about one step of Saaty's scale near 3-5
    (ln(4/3) = 0.29).

    Parameters
    ----------
    hierarchy : HierarchyResult or mapping criterion -> matrix
        The matrices to perturb (for a group, the aggregated AIJ matrices).
    seed : int
        Seed of ``numpy.random.default_rng``.
    method, ri_table : str, optional
        Default: those of the hierarchy result (``"eigen"``, ``"saaty1980"`` for a mapping).

    Returns
    -------
    MonteCarloResult
        ``draws`` of the global leaf weights and ``cr`` of every perturbed matrix.
    """
    if isinstance(hierarchy, HierarchyResult):
        mats = hierarchy.matrices
        if not mats:
            raise ParameterError("the hierarchy has no aggregated matrices (AIP aggregation)",
                                 hint="run hierarchy_weights(..., group_method='aij') first")
        system = hierarchy.system
        method = method or hierarchy.method
        ri_table = ri_table or hierarchy.ri_table
        base = hierarchy.weights
    else:
        if system is None:
            from .indicators import capability_system
            system = capability_system()
        mats = {p: judgment_matrix(m, None if isinstance(m, pd.DataFrame) else system.children(p),
                                   name=f"criterion {p}") for p, m in hierarchy.items()}
        method = method or "eigen"
        ri_table = ri_table or "saaty1980"
        base = hierarchy_weights(mats, system, method=method, ri_table=ri_table).weights
    if draws < 1 or spread < 0:
        raise ParameterError("draws must be >= 1 and spread >= 0")
    rng = np.random.default_rng(seed)
    local: dict[str, np.ndarray] = {}
    crs = {}
    for parent, m in mats.items():
        a = m.to_numpy(dtype=float)
        n = a.shape[0]
        iu = np.triu_indices(n, 1)
        logs = np.broadcast_to(np.log(a), (draws, n, n)).copy()
        logs[:, iu[0], iu[1]] += spread * rng.standard_normal((draws, len(iu[0])))
        logs[:, iu[1], iu[0]] = -logs[:, iu[0], iu[1]]
        res = _core(np.exp(logs), method, "eigenvalue", ri_table)
        for k, code in enumerate(m.index):
            local[code] = res["weights"][:, k]
        crs[parent] = res["cr"]
    glob: dict[str, np.ndarray] = {}
    for code in system.codes:
        if code == system.root:
            continue
        p = system.parent(code)
        loc = local.get(code, np.ones(draws))
        glob[code] = loc if p == system.root else loc * glob[p]
    leaves = system.leaves()
    out = pd.DataFrame(np.column_stack([glob[c] for c in leaves]), columns=pd.Index(leaves, name="code"))
    return MonteCarloResult(draws=out, cr=pd.DataFrame(crs), base=base, spread=spread,
                            perturbation="lognormal", method=method, seed=seed)


def random_index(n: int | Iterable[int], draws: int = 100_000, seed: int | None = 0) -> pd.Series:
    """Estimate the random index RI(n) by simulation.

    RI(n) is the mean CI of reciprocal matrices whose upper-triangle entries are drawn
    uniformly from the 17 values of Saaty's scale (Saaty 1980's construction).  With 100,000
    draws the standard error is about 0.002.
    """
    rng = np.random.default_rng(seed)
    sizes = [n] if np.isscalar(n) else list(n)
    out = {}
    for size in sizes:
        if size <= 2:
            out[size] = 0.0
            continue
        iu = np.triu_indices(size, 1)
        a = np.ones((draws, size, size))
        vals = SAATY_SCALE[rng.integers(0, len(SAATY_SCALE), (draws, len(iu[0])))]
        a[:, iu[0], iu[1]] = vals
        a[:, iu[1], iu[0]] = 1.0 / vals
        lam = np.linalg.eigvals(a).real.max(-1)
        out[size] = float(((lam - size) / (size - 1)).mean())
    return pd.Series(out, name="ri").rename_axis("n")


# ----------------------------------------------------------------------------------------------
# The consequence of excluding inconsistent experts
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExclusionEffect:
    """Global leaf weights with every expert and without the inconsistent ones.

    Attributes
    ----------
    table : DataFrame
        Indexed by leaf: ``all_experts``, ``without_inconsistent``, ``change`` (without minus
        with), ``rank_all``, ``rank_without`` (1 = largest weight, ties min).
    excluded : DataFrame
        The matrices left out: ``expert, parent, cr`` (CR >= ``cr_threshold``).
    """

    table: pd.DataFrame
    excluded: pd.DataFrame
    cr_threshold: float
    conventions: dict = field(default_factory=dict)

    @property
    def largest_change(self) -> str | None:
        """The leaf whose weight moves most (None if nothing is excluded)."""
        if not len(self.excluded):
            return None
        return str(self.table["change"].abs().idxmax())

    def sentence(self, lang: str = "zh", system=None) -> str:
        """What the exclusion does, in ``lang`` (catalogue section ``notes``)."""
        from .formatting import format_number
        from .labels import join, label

        if not len(self.excluded):
            return label("exclusion_none", lang, "notes",
                         threshold=format_number(self.cr_threshold, decimals=2))
        leaf = self.largest_change
        name = system.label(leaf, lang, with_code=True) if system is not None else leaf
        row = self.table.loc[leaf]
        moved = int((self.table["rank_all"] != self.table["rank_without"]).sum())
        return label("exclusion_effect", lang, "notes",
                     experts=join(sorted(self.excluded["expert"].astype(str).unique()), lang),
                     threshold=format_number(self.cr_threshold, decimals=2),
                     indicator=name,
                     before=format_number(row["all_experts"], decimals=4),
                     after=format_number(row["without_inconsistent"], decimals=4),
                     moved=moved, n=len(self.table))


def exclusion_effect(judgments, system=None, **kwargs) -> ExclusionEffect:
    """Compare global weights with all experts and with the inconsistent experts excluded.

    Runs :func:`hierarchy_weights` twice, with ``exclude_inconsistent=False`` and ``True``;
    the exclusion happens per criterion in :func:`group_priorities` (an expert whose matrix
    under one criterion has ``CR >= cr_threshold`` is left out of that criterion only, the
    usual practice; his other matrices still count).  ``kwargs`` go to :func:`hierarchy_weights`
    (``method``, ``group_method``, ``ri_table``, ``scale``, ``cr_threshold`` ...).

    Examples
    --------
    >>> from crmstudy import datasets
    >>> from crmstudy.indicators import capability_system
    >>> effect = exclusion_effect(datasets.read_table("crm_judgments"), capability_system())
    >>> sorted(effect.excluded["expert"].unique())
    ['E6']
    """
    kwargs.pop("exclude_inconsistent", None)
    everyone = hierarchy_weights(judgments, system, exclude_inconsistent=False, **kwargs)
    kept = hierarchy_weights(judgments, system, exclude_inconsistent=True, **kwargs)
    table = pd.DataFrame({"all_experts": everyone.weights, "without_inconsistent": kept.weights})
    table["change"] = table["without_inconsistent"] - table["all_experts"]
    table["rank_all"] = table["all_experts"].rank(ascending=False, method="min").astype(int)
    table["rank_without"] = table["without_inconsistent"].rank(ascending=False,
                                                               method="min").astype(int)
    c = kept.consistency
    excluded = c.loc[(c["expert"] != "group") & ~c["included"].astype(bool),
                     ["expert", "parent", "cr"]].reset_index(drop=True)
    return ExclusionEffect(table=table.rename_axis("indicator"), excluded=excluded,
                           cr_threshold=kept.cr_threshold,
                           conventions={"exclusion": "per criterion, CR >= threshold",
                                        "group_method": kept.group_method})
