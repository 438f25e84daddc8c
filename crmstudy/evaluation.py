"""The CRM capability index and evaluation methods: weighted synthesis, grades, ranks,
TOPSIS, fuzzy comprehensive evaluation (模糊综合评价) and weight sensitivity.

Conventions (recorded in the results)
-------------------------------------
* **Scaling** of indicator scores before synthesis (``scaling=``): ``"scale"`` (default) maps
  the theoretical answer range ``scale = (1, 7)`` to 0-100, ``100 (x - lo)/(hi - lo)`` for benefit
  and ``100 (hi - x)/(hi - lo)`` for cost indicators, so an index is comparable across samples;
  ``"minmax"`` uses the sample minimum and maximum instead (the entropy method's
  standardisation, times 100); ``"raw"`` keeps the raw scores (index on the answer scale).
* **Index**: dimension index ``I_d = sum_{j in d} w_j s_j / sum_{j in d} w_j``; overall index
  ``I = sum_j w_j s_j = sum_d W_d I_d`` with the global leaf weights ``w``.
* **Grades**: left-closed intervals ``[t_k, t_{k+1})`` of the overall index; default cut points
  40, 60, 80 on the 0-100 scale: 差/weak < 40 <= 中/moderate < 60 <= 良/good < 80 <= 优/excellent.
* **Ranks**: 1 = best; ties share the smallest rank (``"min"``, competition ranking).
* **TOPSIS**: the classical Hwang & Yoon (1981) form: vector normalisation
  ``r_ij = x_ij / sqrt(sum_i x_ij^2)``, ``v = w r``, ideal ``v+`` = column max for benefit and min
  for cost, anti-ideal the reverse, Euclidean distances, closeness ``C = d- / (d+ + d-)``;
  ``normalisation="minmax"`` is pymcdm's default form.
* **Fuzzy composition operators** (``operator=``), ``B = W ∘ R``:
  ``"weighted_average"`` M(·,⊕) ``b_j = min(1, sum_i w_i r_ij)`` (default);
  ``"min_max"`` M(∧,∨) ``b_j = max_i min(w_i, r_ij)``; ``"product_max"`` M(·,∨)
  ``b_j = max_i w_i r_ij``; ``"min_bounded"`` M(∧,⊕) ``b_j = min(1, sum_i min(w_i, r_ij))``.
  B is normalised to sum 1.  Grade by maximum membership, and the weighted score
  ``sum_j b_j c_j`` with grade scores ``c``.

References
----------
Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making*. Springer.
Zadeh, L. A. (1965). Fuzzy sets.  汪培庄 (1983). 《模糊集合论及其应用》 (composition operators).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .entropy import decision_matrix
from .errors import DataQualityWarning, InputDataError, ParameterError, WeightsError
from .weighting import as_weights

__all__ = [
    "scale_scores", "capability_index", "grade", "rank", "topsis", "topsis_analysis",
    "membership_from_answers", "fuzzy_evaluation", "weight_sensitivity", "rank_stability",
    "CapabilityIndex", "TopsisResult", "FuzzyResult", "GRADE_LABELS", "FUZZY_OPERATORS",
    "rank_agreement", "RankAgreement", "likert_grades",
]

GRADE_LABELS = {"zh": ("差", "中", "良", "优"), "en": ("weak", "moderate", "good", "excellent")}
FUZZY_OPERATORS = ("weighted_average", "min_max", "product_max", "min_bounded")
_SCALINGS = ("scale", "minmax", "raw")


def _lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise ParameterError(f"unknown language {lang!r}", hint='use lang="zh" or lang="en"')
    return lang


def rank(scores: pd.Series | pd.DataFrame, ties: str = "min") -> pd.Series | pd.DataFrame:
    """Ranks, 1 = highest score; ``ties`` as in :meth:`pandas.Series.rank` (default ``"min"``)."""
    return scores.rank(ascending=False, method=ties).astype("Int64")


def grade(scores: pd.Series, thresholds: Sequence[float] = (40, 60, 80),
          labels: Sequence[str] | None = None, lang: str = "zh") -> pd.Series:
    """Grade scores by left-closed intervals ``[t_k, t_{k+1})``.

    ``labels`` needs ``len(thresholds) + 1`` names, lowest grade first (default
    :data:`GRADE_LABELS` for three cut points).  Returns an ordered categorical Series.
    """
    t = np.asarray(thresholds, dtype=float)
    if t.ndim != 1 or (np.diff(t) <= 0).any():
        raise ParameterError(f"grade thresholds {list(thresholds)} must increase",
                             hint="give increasing cut points, e.g. (40, 60, 80)")
    if labels is None:
        if len(t) != 3:
            raise ParameterError(f"{len(t)} thresholds need {len(t) + 1} grade labels",
                                 hint="pass labels=... lowest grade first")
        labels = GRADE_LABELS[_lang(lang)]
    if len(labels) != len(t) + 1:
        raise ParameterError(f"{len(t)} thresholds need {len(t) + 1} grade labels, got {len(labels)}",
                             hint="pass labels lowest grade first")
    codes = np.searchsorted(t, scores.to_numpy(dtype=float), side="right")
    cat = pd.Categorical.from_codes(codes, categories=list(labels), ordered=True)
    return pd.Series(cat, index=scores.index, name="grade")


def scale_scores(X: Any, directions: Mapping[str, str] | None = None, *, scaling: str = "scale",
                 scale: tuple[float, float] = (1, 7)) -> pd.DataFrame:
    """Indicator scores on a common 0-100 scale (see the module's *Scaling* convention)."""
    if scaling not in _SCALINGS:
        raise ParameterError(f"unknown scaling {scaling!r}", hint=f"use one of {', '.join(_SCALINGS)}")
    data, dirs, _ = decision_matrix(X, directions, min_rows=1, what="indicator scores")
    cost = dirs.eq("cost").to_numpy()[None, :]
    if scaling == "raw":
        return data
    if scaling == "scale":
        lo, hi = float(scale[0]), float(scale[1])
        if not hi > lo:
            raise ParameterError(f"scale {scale} must be (low, high) with high > low")
        outside = (data < lo) | (data > hi)
        if outside.to_numpy().any():
            r, c = np.argwhere(outside.to_numpy())[0]
            raise InputDataError(f"score {data.iat[r, c]:g} is outside the answer scale {lo:g}-{hi:g}",
                                 row=data.index[r], column=data.columns[c],
                                 hint="recode missing-value codes first (measurement.prepare), or "
                                      "pass the right scale=(low, high) or scaling='minmax'")
        lo_v, span = np.full(data.shape[1], lo), np.full(data.shape[1], hi - lo)
    else:
        lo_v = data.min().to_numpy()
        span = data.max().to_numpy() - lo_v
        const = span == 0
        if const.any():
            warnings.warn(f"constant indicator(s) {', '.join(data.columns[const])}: min-max score "
                          "set to 0", DataQualityWarning, stacklevel=2)
            span = np.where(const, 1.0, span)
    x = data.to_numpy()
    up = (x - lo_v) / span
    out = 100 * np.where(cost, 1 - up, up)
    return pd.DataFrame(out, index=data.index, columns=data.columns)


@dataclass(frozen=True)
class CapabilityIndex:
    """Capability index of every firm.

    Attributes
    ----------
    scores : DataFrame
        Rows = firms; columns = the dimension indices and the overall index (named by the
        system's codes, e.g. ``A1, A2, A3, A``).
    grade : Series
        Grade of the overall index (ordered categorical; labels in the language of the call).
    rank : Series
        Rank of the overall index (1 = best, ties ``"min"``).
    scaled : DataFrame
        The indicator scores after scaling.
    """

    scores: pd.DataFrame
    grade: pd.Series
    rank: pd.Series
    weights: pd.Series = field(repr=False)
    scaled: pd.DataFrame = field(repr=False)
    root: str = "A"
    scaling: str = "scale"
    scale: tuple | None = (1, 7)
    thresholds: tuple = (40, 60, 80)

    @property
    def index(self) -> pd.Series:
        """The overall index."""
        return self.scores[self.root]

    @property
    def table(self) -> pd.DataFrame:
        """Tidy: ``firm, <dimensions>, index, grade, rank``, sorted by rank."""
        out = self.scores.rename(columns={self.root: "index"}).copy()
        out["grade"] = self.grade
        out["rank"] = self.rank
        out = out.rename_axis("firm").reset_index()
        return out.sort_values(["rank", "firm"], kind="stable", ignore_index=True)

    def grade_counts(self) -> pd.DataFrame:
        counts = self.grade.value_counts(sort=False)
        return pd.DataFrame({"grade": counts.index.astype(str), "firms": counts.to_numpy(),
                             "share": (counts / counts.sum()).to_numpy()})

    def summary(self) -> str:
        desc = self.scores.describe().T[["mean", "std", "min", "max"]]
        return "\n".join([
            f"CRM capability index (scaling={self.scaling}"
            + (f" {self.scale}" if self.scaling == "scale" else "")
            + f", grades at {list(self.thresholds)}, ranks 1 = best, ties min)",
            desc.to_string(float_format=lambda x: f"{x:.2f}"),
            self.grade_counts().to_string(index=False, float_format=lambda x: f"{x:.3f}")])


def capability_index(X: pd.DataFrame, weights: Any, system=None, *, scaling: str = "scale",
                     scale: tuple[float, float] = (1, 7), thresholds: Sequence[float] = (40, 60, 80),
                     grade_labels: Sequence[str] | None = None, lang: str = "zh") -> CapabilityIndex:
    """Each firm's capability index: weighted synthesis at dimension and overall level.

    Parameters
    ----------
    X : DataFrame
        Rows = firms, a column per leaf indicator (other columns are ignored); complete.
    weights : Series or result with ``.weights``
        Global leaf weights summing to 1 (e.g. ``combine(...).weights``).
    system : IndicatorSystem, optional
        Default :func:`crmstudy.indicators.capability_system`; gives the dimensions and the
        leaf directions.
    scaling, scale, thresholds, grade_labels
        See the module docstring.

    Raises
    ------
    InputDataError
        A leaf column is missing, a score is not a number, missing or outside ``scale``.
    WeightsError
        The weights are not over the system's leaves or do not sum to 1.
    """
    if system is None:
        from .indicators import capability_system
        system = capability_system()
    leaves = system.leaves()
    if not isinstance(X, pd.DataFrame):
        raise InputDataError("indicator scores must be a DataFrame with one column per indicator",
                             hint=f"columns {', '.join(leaves)}")
    missing = [c for c in leaves if c not in X.columns]
    if missing:
        raise InputDataError(f"indicator column(s) {', '.join(missing)} missing", column=missing[0],
                             hint=f"the {system.key} system needs columns {', '.join(leaves)}")
    w = as_weights(weights, what="index weights")
    extra = [c for c in w.index if c not in leaves]
    lacking = [c for c in leaves if c not in w.index]
    if extra or lacking:
        lab = (extra or lacking)[0]
        raise WeightsError(f"weight label {lab!r} " + ("is not a leaf indicator" if extra else
                                                       "has no weight"), entry=lab,
                           hint=f"give global weights for exactly {', '.join(leaves)}")
    w = w.reindex(leaves)
    scaled = scale_scores(X[leaves], system.directions(), scaling=scaling, scale=scale)
    dims = system.leaf_dimensions()
    s = scaled.to_numpy()
    out = {}
    for d in system.dimensions():
        cols = (dims == d).to_numpy()
        wd = w.to_numpy()[cols]
        out[d] = s[:, cols] @ wd / wd.sum() if wd.sum() > 0 else np.full(len(s), np.nan)
    out[system.root] = s @ w.to_numpy()
    scores = pd.DataFrame(out, index=scaled.index)
    overall = scores[system.root]
    return CapabilityIndex(scores=scores, grade=grade(overall, thresholds, grade_labels, lang),
                           rank=rank(overall), weights=w, scaled=scaled, root=system.root,
                           scaling=scaling, scale=tuple(scale) if scaling == "scale" else None,
                           thresholds=tuple(thresholds))


# ----------------------------------------------------------------------------------------------
# TOPSIS
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TopsisResult:
    """TOPSIS: ``closeness`` (C in [0, 1], higher is better), ``rank``, ``d_plus``,
    ``d_minus``, the ``ideal`` and ``anti_ideal`` points and the ``weighted`` matrix."""

    closeness: pd.Series
    rank: pd.Series
    d_plus: pd.Series
    d_minus: pd.Series
    ideal: pd.Series
    anti_ideal: pd.Series
    weighted: pd.DataFrame = field(repr=False)
    normalisation: str = "vector"

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"d_plus": self.d_plus, "d_minus": self.d_minus,
                             "closeness": self.closeness, "rank": self.rank})

    def summary(self) -> str:
        return (f"TOPSIS (normalisation={self.normalisation}, Euclidean distance, "
                "C = d- / (d+ + d-))\n"
                + self.table.sort_values("rank").head(20).to_string(float_format=lambda x: f"{x:.4f}"))


def topsis_analysis(X: Any, weights: Any, directions: Mapping[str, str] | None = None, *,
                    normalisation: str = "vector") -> TopsisResult:
    """The whole TOPSIS calculation; :func:`topsis` returns its closeness coefficients."""
    if normalisation not in ("vector", "minmax"):
        raise ParameterError(f"unknown TOPSIS normalisation {normalisation!r}",
                             hint='use "vector" (Hwang & Yoon) or "minmax"')
    data, dirs, _ = decision_matrix(X, directions, what="TOPSIS decision matrix")
    w = as_weights(weights, what="TOPSIS weights", labels=list(data.columns))
    if set(w.index) != set(data.columns):
        lab = sorted(set(w.index) ^ set(data.columns))[0]
        raise WeightsError(f"weight label {lab!r} does not match the decision-matrix columns",
                           entry=lab, hint="give one weight per column")
    w = w.reindex(data.columns).to_numpy()
    x = data.to_numpy()
    cost = dirs.eq("cost").to_numpy()
    if normalisation == "vector":
        norm = np.sqrt((x ** 2).sum(0))
        if (norm == 0).any():
            col = data.columns[int(np.argmax(norm == 0))]
            raise InputDataError("column is zero for every alternative", column=col,
                                 hint="drop the column; it cannot be vector-normalised")
        r = x / norm
        v = w * r
        ideal = np.where(cost, v.min(0), v.max(0))
        anti = np.where(cost, v.max(0), v.min(0))
    else:
        lo, hi = x.min(0), x.max(0)
        span = np.where(hi > lo, hi - lo, 1.0)
        r = np.where(cost, (hi - x) / span, (x - lo) / span)
        v = w * r
        ideal, anti = v.max(0), v.min(0)
    d_plus = np.sqrt(((v - ideal) ** 2).sum(1))
    d_minus = np.sqrt(((v - anti) ** 2).sum(1))
    denom = d_plus + d_minus
    if (denom == 0).any():
        raise InputDataError("all alternatives are identical on every weighted indicator; "
                             "closeness is undefined", hint="check the data and the weights")
    c = pd.Series(d_minus / denom, index=data.index, name="closeness")
    cols = data.columns
    return TopsisResult(closeness=c, rank=rank(c), d_plus=pd.Series(d_plus, index=data.index, name="d_plus"),
                        d_minus=pd.Series(d_minus, index=data.index, name="d_minus"),
                        ideal=pd.Series(ideal, index=cols, name="ideal"),
                        anti_ideal=pd.Series(anti, index=cols, name="anti_ideal"),
                        weighted=pd.DataFrame(v, index=data.index, columns=cols),
                        normalisation=normalisation)


def topsis(X: Any, weights: Any, directions: Mapping[str, str] | None = None, *,
           normalisation: str = "vector") -> pd.Series:
    """TOPSIS closeness coefficients (Hwang & Yoon 1981), one per row of ``X``.

    Parameters
    ----------
    X : DataFrame or 2-D array
        Rows = alternatives, columns = criteria (raw values; complete).
    weights : Series (labels = columns) or array, summing to 1.
    directions : mapping column -> "benefit" | "cost"; benefit by default.
    normalisation : {"vector", "minmax"}
        ``"vector"`` is the classical form (default); ``"minmax"`` matches pymcdm's default
        ``TOPSIS()``.

    Returns
    -------
    Series ``closeness`` ``C_i = d-_i / (d+_i + d-_i)``; see :func:`topsis_analysis` for the
    distances, ideal points and ranks.

    Examples
    --------
    Matches ``skcriteria`` ``TOPSIS()`` after ``VectorScaler`` and ``pymcdm``
    ``TOPSIS(normalization_function=vector_normalization)`` (tests/reference/weighting).
    """
    return topsis_analysis(X, weights, directions, normalisation=normalisation).closeness


# ----------------------------------------------------------------------------------------------
# Fuzzy comprehensive evaluation
# ----------------------------------------------------------------------------------------------
def membership_from_answers(answers: pd.DataFrame, levels: Sequence | None = None,
                            grades: Mapping[Any, str] | None = None) -> pd.DataFrame:
    """Membership matrix R from survey answers: the share of answers at each grade per item.

    Parameters
    ----------
    answers : DataFrame
        Rows = respondents (experts, customers, firms), columns = items; missing answers
        (NaN) are left out of that item's shares.
    levels : sequence, optional
        The answer levels in order (default: the sorted distinct answers).
    grades : mapping level -> grade name, optional
        Groups answer levels into grades (e.g. 1, 2 -> "差"); default: each level is a grade.

    Returns
    -------
    DataFrame
        Rows = items, columns = grades (ordered low to high), rows sum to 1.
    """
    if not isinstance(answers, pd.DataFrame) or answers.shape[1] == 0:
        raise InputDataError("answers must be a DataFrame with one column per item")
    long = answers.melt(ignore_index=False, var_name="item", value_name="answer").dropna()
    if levels is None:
        levels = sorted(pd.unique(long["answer"]))
    levels = list(levels)
    unknown = ~long["answer"].isin(levels)
    if unknown.any():
        k = int(np.argmax(unknown.to_numpy()))
        raise InputDataError(f"answer {long['answer'].iloc[k]!r} is not one of the levels {levels}",
                             row=long.index[k], column=long["item"].iloc[k],
                             hint="recode missing-value codes to NaN or pass levels=...")
    if grades is None:
        grades = {lv: lv for lv in levels}
    lacking = [lv for lv in levels if lv not in grades]
    if lacking:
        raise ParameterError(f"level {lacking[0]!r} has no grade", hint="map every level to a grade")
    order = list(dict.fromkeys(grades[lv] for lv in levels))
    long = long.assign(grade=long["answer"].map(grades))
    counts = pd.crosstab(long["item"], pd.Categorical(long["grade"], categories=order, ordered=True),
                         dropna=False)
    counts = counts.reindex(index=[c for c in answers.columns if c in counts.index]).fillna(0)
    empty = counts.sum(axis=1) == 0
    if empty.any():
        raise InputDataError("item has no answers", column=counts.index[int(np.argmax(empty))],
                             hint="drop the item")
    r = counts.div(counts.sum(axis=1), axis=0)
    r.columns = pd.Index(order, name="grade")
    r.index.name = "item"
    return r


def _compose(w: np.ndarray, r: np.ndarray, operator: str) -> np.ndarray:
    if operator == "weighted_average":
        return np.minimum(1.0, w @ r)
    if operator == "min_max":
        return np.minimum(w[:, None], r).max(0)
    if operator == "product_max":
        return (w[:, None] * r).max(0)
    return np.minimum(1.0, np.minimum(w[:, None], r).sum(0))


@dataclass(frozen=True)
class FuzzyResult:
    """Fuzzy comprehensive evaluation: ``membership`` B (Series over grades, sums to 1),
    ``grade`` by maximum membership, ``score`` (weighted by the grade scores),
    ``dimensions`` (the first-level B's of a two-level evaluation, rows = dimensions)."""

    membership: pd.Series
    grade: Any
    score: float
    operator: str
    grade_scores: pd.Series
    dimensions: pd.DataFrame | None = field(default=None, repr=False)
    normalised: bool = True

    @property
    def table(self) -> pd.DataFrame:
        rows = [] if self.dimensions is None else [self.dimensions]
        rows.append(self.membership.to_frame().T.rename(index={self.membership.name: "overall"}))
        out = pd.concat(rows)
        out["score"] = out.to_numpy() @ self.grade_scores.to_numpy() / out.sum(axis=1).to_numpy()
        out["grade_max_membership"] = out[list(self.membership.index)].idxmax(axis=1)
        return out

    def summary(self) -> str:
        return (f"Fuzzy comprehensive evaluation (operator={self.operator}, B normalised to sum 1, "
                f"grade scores {self.grade_scores.to_dict()})\n"
                + self.table.to_string(float_format=lambda x: f"{x:.4f}")
                + f"\ngrade by maximum membership: {self.grade}; weighted score: {self.score:.4f}")


def fuzzy_evaluation(membership: pd.DataFrame, weights: Any, *, operator: str = "weighted_average",
                     grade_scores: Sequence[float] | None = None, system=None) -> FuzzyResult:
    """Fuzzy comprehensive evaluation ``B = W ∘ R``.

    Parameters
    ----------
    membership : DataFrame
        R, rows = indicators, columns = grades (low to high), e.g. from
        :func:`membership_from_answers`.
    weights : Series
        Weights of the rows.  With ``system`` given they are the global leaf weights and the
        evaluation has two levels: each dimension ``B_d = w_d ∘ R_d`` with the local weights
        ``w_d = w / sum_{d} w``, then ``B = W ∘ [B_d]`` with the dimension weights
        ``W_d = sum_{j in d} w_j``.
    operator : {"weighted_average", "min_max", "product_max", "min_bounded"}
    grade_scores : sequence, optional
        A score per grade for the weighted score (default 1, 2, ..., K).
    """
    if operator not in FUZZY_OPERATORS:
        raise ParameterError(f"unknown composition operator {operator!r}",
                             hint=f"use one of {', '.join(FUZZY_OPERATORS)}")
    r = membership.astype(float)
    if ((r < 0) | (r > 1)).to_numpy().any() or r.isna().to_numpy().any():
        i, j = np.argwhere(((r < 0) | (r > 1) | r.isna()).to_numpy())[0]
        raise InputDataError(f"membership {r.iat[i, j]!r} is not in [0, 1]", row=r.index[i],
                             column=r.columns[j], hint="memberships are shares between 0 and 1")
    w = as_weights(weights, what="fuzzy weights")
    missing = [c for c in w.index if c not in r.index]
    if missing or len(w) != len(r):
        lab = (missing or sorted(set(r.index) - set(w.index)) or [None])[0]
        raise WeightsError(f"weights and membership rows differ ({lab!r})", entry=lab,
                           hint="give one weight per row of the membership matrix")
    r = r.reindex(w.index)
    k = r.shape[1]
    gs = pd.Series(np.arange(1, k + 1, dtype=float) if grade_scores is None else
                   np.asarray(grade_scores, dtype=float), index=r.columns, name="grade_score")
    if len(gs) != k:
        raise ParameterError(f"{len(gs)} grade scores for {k} grades")
    dims_frame = None
    if system is None:
        b = _compose(w.to_numpy(), r.to_numpy(), operator)
    else:
        dims = system.leaf_dimensions().reindex(w.index)
        if dims.isna().any():
            lab = dims.index[int(np.argmax(dims.isna().to_numpy()))]
            raise WeightsError(f"{lab!r} is not a leaf of {system.key}", entry=lab)
        rows, top_w = {}, {}
        for d in system.dimensions():
            mask = (dims == d).to_numpy()
            wd = w.to_numpy()[mask]
            top_w[d] = wd.sum()
            bd = _compose(wd / wd.sum(), r.to_numpy()[mask], operator)
            rows[d] = bd / bd.sum() if bd.sum() > 0 else bd
        dims_frame = pd.DataFrame(rows, index=r.columns).T
        b = _compose(np.array(list(top_w.values())), dims_frame.to_numpy(), operator)
    if b.sum() <= 0:
        raise InputDataError("the composition is zero for every grade", hint="check R and W")
    b = b / b.sum()
    bs = pd.Series(b, index=r.columns, name="membership")
    return FuzzyResult(membership=bs, grade=bs.idxmax(), score=float(b @ gs.to_numpy()),
                       operator=operator, grade_scores=gs, dimensions=dims_frame)


# ----------------------------------------------------------------------------------------------
# Sensitivity of ranks to the weights
# ----------------------------------------------------------------------------------------------
def _min_ranks(values: np.ndarray, decimals: int = 9) -> np.ndarray:
    """Row-wise competition ranks (1 = highest, ties share the minimum), vectorised.

    Values are rounded to ``decimals`` first, so that floating-point noise of different
    summation orders does not break true ties (equal answers give equal scores)."""
    values = np.round(values, decimals)
    order = np.argsort(-values, axis=1, kind="stable")
    srt = np.take_along_axis(values, order, 1)
    pos = np.broadcast_to(np.arange(values.shape[1]), values.shape)
    new_run = np.ones(values.shape, dtype=bool)
    new_run[:, 1:] = srt[:, 1:] != srt[:, :-1]
    start = np.maximum.accumulate(np.where(new_run, pos, 0), axis=1)
    ranks = np.empty(values.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, start + 1, axis=1)
    return ranks


def weight_sensitivity(scores: pd.DataFrame, weights: Any,
                       changes: Sequence[float] = (-0.2, -0.1, 0.1, 0.2)) -> pd.DataFrame:
    """One-at-a-time weight perturbation: change one weight by ±x % and re-rank.

    The weight of indicator j becomes ``w_j (1 + x)``; the others are rescaled proportionally
    so the vector still sums to 1.  All perturbations are scored at once.

    Parameters
    ----------
    scores : DataFrame
        Scaled indicator scores (rows = alternatives), e.g. ``CapabilityIndex.scaled``.
    weights : Series
        Base weights over the columns of ``scores``.

    Returns
    -------
    DataFrame
        One row per (indicator, change): ``indicator, change, weight, rank_changes`` (number of
        alternatives whose rank moved), ``max_shift`` (largest rank move), ``top_changed``
        (whether the first-ranked alternative changed) and ``spearman`` (rank correlation with
        the base ranking).
    """
    w = as_weights(weights, what="weights")
    missing = [c for c in w.index if c not in scores.columns]
    if missing:
        raise InputDataError(f"score column {missing[0]!r} missing", column=missing[0])
    s = scores[list(w.index)].to_numpy(dtype=float)
    base = w.to_numpy()
    ch = np.asarray(changes, dtype=float)
    if (ch <= -1).any():
        raise ParameterError("a change of -100 % or less would make a weight non-positive")
    J, K = len(base), len(ch)
    new_j = base[:, None] * (1 + ch[None, :])                            # (J, K)
    if (new_j >= 1).any():
        raise ParameterError("a perturbed weight reaches 1", hint="use smaller changes")
    rest = (1 - new_j) / np.where(1 - base[:, None] > 0, 1 - base[:, None], 1.0)
    W = np.broadcast_to(base, (J, K, J)) * rest[:, :, None]              # scale the others
    W = W.copy()
    W[np.arange(J), :, np.arange(J)] = new_j
    W = W.reshape(J * K, J)
    all_w = np.vstack([base, W])
    ranks = _min_ranks(all_w @ s.T)
    base_rank, pert = ranks[0], ranks[1:]
    moved = pert != base_rank
    top = np.argmin(base_rank)
    n = s.shape[0]
    d2 = ((pert - base_rank) ** 2).sum(1)
    rho = 1 - 6 * d2 / (n * (n ** 2 - 1)) if n > 1 else np.ones(len(pert))
    return pd.DataFrame({
        "indicator": np.repeat(w.index.to_numpy(), K), "change": np.tile(ch, J),
        "weight": new_j.ravel(), "rank_changes": moved.sum(1),
        "max_shift": np.abs(pert - base_rank).max(1), "top_changed": pert[:, top] != 1,
        "spearman": rho})


def rank_stability(scores: pd.DataFrame, weight_draws: pd.DataFrame,
                   base_weights: Any | None = None, top: int = 10) -> pd.DataFrame:
    """Distribution of each alternative's rank over many weight vectors (e.g. the draws of
    :func:`crmstudy.ahp.monte_carlo`), computed in one matrix product.

    Returns
    -------
    DataFrame
        Per alternative: ``base_rank`` (under ``base_weights``, or the mean weights),
        ``median``, ``q05``, ``q95``, ``p_top`` (share of draws in the top ``top``),
        ``p_same`` (share of draws with the base rank); sorted by ``base_rank``.
    """
    cols = list(weight_draws.columns)
    missing = [c for c in cols if c not in scores.columns]
    if missing:
        raise InputDataError(f"score column {missing[0]!r} missing", column=missing[0])
    s = scores[cols].to_numpy(dtype=float)
    base = (as_weights(base_weights, what="base weights").reindex(cols).to_numpy()
            if base_weights is not None else weight_draws.mean().to_numpy())
    ranks = _min_ranks(weight_draws.to_numpy(dtype=float) @ s.T)
    base_rank = _min_ranks((base @ s.T)[None, :])[0]
    q = np.quantile(ranks, [0.05, 0.5, 0.95], axis=0)
    out = pd.DataFrame({"base_rank": base_rank, "median": q[1], "q05": q[0], "q95": q[2],
                        "p_top": (ranks <= top).mean(0), "p_same": (ranks == base_rank).mean(0)},
                       index=scores.index)
    return out.sort_values("base_rank", kind="stable")


@dataclass(frozen=True)
class RankAgreement:
    """How far two rankings of the same alternatives agree (see :func:`rank_agreement`)."""

    spearman: float
    kendall: float
    top: int
    top_overlap: int
    same_first: bool
    n: int
    conventions: dict = field(default_factory=dict)

    @property
    def overlap_share(self) -> float:
        return self.top_overlap / self.top if self.top else float("nan")

    def sentence(self, lang: str = "zh", first: str = "", second: str = "") -> str:
        """One sentence stating the computed agreement, from the label catalogue
        (``sentences.rank_agreement``): Spearman's ρ and the top-k overlap, with a verdict
        (``rank_agree_close`` when ρ >= 0.9 and at least 80 % of the top k are shared,
        ``rank_agree_partly`` otherwise), so the prose cannot contradict the numbers."""
        from .formatting import format_int, format_number
        from .labels import label

        close = self.spearman >= 0.9 and self.top_overlap >= 0.8 * self.top
        verdict = label("rank_agree_close" if close else "rank_agree_partly", lang, "notes")
        return label("rank_agreement", lang, "notes", first=first, second=second,
                     rho=format_number(self.spearman, decimals=3, lang=lang),
                     tau=format_number(self.kendall, decimals=3, lang=lang),
                     overlap=format_int(self.top_overlap, lang=lang),
                     top=format_int(self.top, lang=lang), n=format_int(self.n, lang=lang),
                     verdict=verdict)


def rank_agreement(a: pd.Series, b: pd.Series, top: int = 10) -> RankAgreement:
    """Agreement of two scorings of the same alternatives (higher = better in both).

    Spearman's ρ and Kendall's τ-b of the scores, and the number of alternatives found in the
    top ``top`` of both rankings (ranks 1 = best, ties ``"min"``: an alternative is in the top
    k when its rank is <= k, so a tie at the boundary can put more than k in a top set).

    Parameters
    ----------
    a, b : Series
        Scores indexed by alternative (aligned on the index; alternatives missing in either
        are left out).
    top : int
        Size of the top set compared.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.Series([5.0, 4, 3, 2, 1], index=list("abcde"))
    >>> y = pd.Series([4.0, 5, 3, 1, 2], index=list("abcde"))
    >>> r = rank_agreement(x, y, top=2)
    >>> round(r.spearman, 3), r.top_overlap
    (0.8, 2)

    Matches R ``cor(a, b, method = "spearman")`` and ``cor(a, b, method = "kendall")``.
    """
    from scipy import stats

    if top < 1:
        raise ParameterError(f"rank_agreement: top must be at least 1, got {top}")
    both = pd.concat([pd.Series(a, name="a"), pd.Series(b, name="b")], axis=1, join="inner").dropna()
    if len(both) < 3:
        raise InputDataError(f"rank_agreement: only {len(both)} alternatives scored by both",
                             hint="pass two score Series sharing at least 3 index values")
    ra, rb = rank(both["a"]), rank(both["b"])
    in_a, in_b = set(ra.index[ra <= top]), set(rb.index[rb <= top])
    return RankAgreement(spearman=float(stats.spearmanr(both["a"], both["b"]).statistic),
                         kendall=float(stats.kendalltau(both["a"], both["b"]).statistic),
                         top=int(top), top_overlap=len(in_a & in_b),
                         same_first=bool(set(ra.index[ra == 1]) & set(rb.index[rb == 1])),
                         n=len(both),
                         conventions={"ranks": "1 = best, ties min", "rho": "Spearman",
                                      "tau": "Kendall tau-b", "top": "rank <= top"})


def likert_grades(levels: Sequence, grades: Sequence[str]) -> dict:
    """Map the answer levels of a scale onto fewer evaluation grades, symmetrically.

    Each grade gets ``len(levels) // len(grades)`` consecutive levels; the remaining levels go
    to the outermost grades first, in pairs (lowest and highest), and an odd one left over to
    the middle grade, so the mapping is symmetric about the scale's midpoint.  A 1-7 scale on 5
    grades gives 1-2 | 3 | 4 | 5 | 6-7 (the usual 7-to-5 collapse); 1-5 on 5 is one to one.

    Examples
    --------
    >>> likert_grades(range(1, 8), ["vp", "p", "f", "g", "vg"])
    {1: 'vp', 2: 'vp', 3: 'p', 4: 'f', 5: 'g', 6: 'vg', 7: 'vg'}
    """
    levels, grades = list(levels), list(grades)
    if len(grades) < 2 or len(levels) < len(grades):
        raise ParameterError(f"likert_grades: {len(levels)} answer levels cannot be grouped into "
                             f"{len(grades)} grades", hint="use at most as many grades as levels")
    sizes = [len(levels) // len(grades)] * len(grades)
    extra, k = len(levels) % len(grades), 0
    while extra >= 2:
        sizes[k] += 1
        sizes[-1 - k] += 1
        extra, k = extra - 2, k + 1
    if extra:
        sizes[len(grades) // 2] += 1
    out, start = {}, 0
    for grade, size in zip(grades, sizes):
        out.update({level: grade for level in levels[start:start + size]})
        start += size
    return out
