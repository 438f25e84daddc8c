"""Scale scores: the mean (or prorated sum) of each construct's items per respondent."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CodebookError, InputDataError, ParameterError
from .codebook import Codebook
from .prepare import PreparedSurvey

__all__ = ["scale_scores", "SCORE_METHODS"]

SCORE_METHODS = ("mean", "sum")


def scale_scores(prepared_or_items: PreparedSurvey | pd.DataFrame, codebook: Codebook | None = None,
                 method: str = "mean", *, min_share: float | None = None,
                 counts: bool = True) -> pd.DataFrame:
    """One score per construct and respondent.

    A respondent's score of a construct is the mean of the construct's items they answered,
    provided they answered at least ``min_share`` of them (otherwise NaN) - the same rule as
    person-mean imputation, so it does not matter whether :func:`prepare` imputed.
    ``method="sum"`` gives the *prorated* sum ``k × mean`` (``k`` = number of items of the
    construct), which equals the plain sum when every item was answered and stays on the same
    range (k·min to k·max) otherwise.

    Parameters
    ----------
    prepared_or_items : PreparedSurvey or DataFrame
        Output of :func:`~crmstudy.measurement.prepare`, or clean (already reverse-coded)
        item scores indexed by respondent.
    codebook : Codebook, optional
        Needed for a DataFrame; a PreparedSurvey carries its own.
    method : {"mean", "sum"}
    min_share : float, optional
        Default: the PreparedSurvey's ``min_share``, or 0.5 for a DataFrame.
    counts : bool
        Add a column ``n_items_<construct>`` with the number of answered items each score
        used (after imputation, if any).

    Returns
    -------
    DataFrame
        Indexed like the items; columns: the constructs in codebook order, then (if
        ``counts``) ``n_items_<construct>`` for each.

    Examples
    --------
    >>> scores = scale_scores(survey)          # doctest: +SKIP
    >>> scores[["A1", "A2", "A3"]].mean()       # doctest: +SKIP
    """
    if method not in SCORE_METHODS:
        raise ParameterError(f"method must be one of {SCORE_METHODS}, got {method!r}")
    if isinstance(prepared_or_items, PreparedSurvey):
        items = prepared_or_items.items
        codebook = codebook or prepared_or_items.codebook
        share = prepared_or_items.min_share if min_share is None else float(min_share)
    elif isinstance(prepared_or_items, pd.DataFrame):
        if codebook is None:
            raise ParameterError("scale_scores of a DataFrame needs the codebook",
                                 hint="pass codebook=..., or the PreparedSurvey from prepare()")
        items = prepared_or_items
        share = 0.5 if min_share is None else float(min_share)
    else:
        raise InputDataError(f"expected a PreparedSurvey or a DataFrame of item scores, got "
                             f"{type(prepared_or_items).__name__}")
    if not isinstance(codebook, Codebook):
        raise ParameterError("codebook must be a Codebook")
    if not 0 < share <= 1:
        raise ParameterError(f"min_share must be in (0, 1], got {share!r}")
    absent = [i for i in codebook.items if i not in items.columns]
    if absent:
        raise CodebookError(f"codebook item(s) {absent} are not columns of the item scores",
                            column=absent[0], hint="score only constructs whose items are present "
                                                   "(Codebook.subset)")
    try:
        values = items[codebook.items].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise InputDataError("item scores must be numeric",
                             hint="run prepare() on raw answers first") from None
    scores, n_used = {}, {}
    for construct in codebook.constructs:   # loop over constructs; respondents vectorised
        cols = [codebook.items.index(i) for i in codebook.items_of(construct)]
        block = values[:, cols]
        answered = (~np.isnan(block)).sum(axis=1)
        k = block.shape[1]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(block, axis=1) / answered
        mean = np.where(answered >= share * k - 1e-12, mean, np.nan)
        mean = np.where(answered > 0, mean, np.nan)
        scores[construct] = mean * k if method == "sum" else mean
        n_used[f"n_items_{construct}"] = answered
    out = pd.DataFrame(scores, index=items.index)
    if counts:
        out = pd.concat([out, pd.DataFrame(n_used, index=items.index).astype("int64")], axis=1)
    return out
