"""Tests of crmstudy.entropy (entropy weights, CRITIC) against an independent loop
implementation and peers (scikit-criteria, pymcdm, pyDecision; fixtures from
tests/reference/weighting/make_reference.py), plus the constant-column and bad-input paths."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from crmstudy.entropy import critic_weights, entropy_weights
from crmstudy.errors import DataQualityWarning, InputDataError, ParameterError

from _weighting_fixtures import DIRS, PEERS, X

BENEFIT_ONLY = {c: "benefit" for c in X.columns}


def test_textbook_minmax_matches_loop_implementation_and_skcriteria():
    res = entropy_weights(X, DIRS)
    ref = PEERS["entropy"]
    np.testing.assert_allclose(res.entropy, ref["textbook_loops"]["entropy"], atol=1e-12)
    np.testing.assert_allclose(res.weights, ref["textbook_loops"]["weights"], atol=1e-12)
    # scikit-criteria's entropy_weights (scipy.stats.entropy, base m) on the same min-max data
    np.testing.assert_allclose(res.weights, ref["skcriteria_on_minmax"], atol=1e-12)
    assert res.normalisation == "minmax" and res.n_alternatives == 12
    assert res.weights.sum() == pytest.approx(1, abs=1e-12)
    np.testing.assert_allclose(res.divergence, 1 - res.entropy, atol=0)


def test_sum_normalisation_matches_pymcdm_and_pydecision():
    # pymcdm: benefit only; pyDecision: cost columns through 1/x (both sum shares of raw data)
    np.testing.assert_allclose(entropy_weights(X, normalisation="sum").weights,
                               PEERS["entropy"]["pymcdm_sum_benefit"], atol=1e-12)
    # pyDecision adds 1e-9 to the logarithm, to d and to 1/x: agreement to 1e-8
    np.testing.assert_allclose(entropy_weights(X, DIRS, normalisation="sum").weights,
                               PEERS["entropy"]["pydecision_sum_types"], atol=1e-8)


def test_pymcdm_convention_differs_when_a_share_is_zero():
    # The textbook 0·ln 0 = 0 rule (ours) keeps a finite entropy for columns with zero shares,
    # which min-max standardisation always produces.  Document pymcdm's behaviour on them.
    res = entropy_weights(X, DIRS)
    shares = res.shares.to_numpy()
    assert (shares == 0).any(axis=0).all()  # min-max puts a zero in every column
    assert np.all(res.entropy < 1) and np.all(res.entropy > 0)
    # pymcdm 1.4 refuses min-max standardised data (its sum normalisation needs x > 0; older
    # versions set e_j = 0 for a column with a zero share): the textbook form is ours only
    assert PEERS["entropy"]["pymcdm_on_minmax"].startswith("ValueError")
    assert np.isfinite(res.weights).all()


def test_shifted_minmax_and_direction():
    res = entropy_weights(X, DIRS, normalisation="shifted_minmax", shift=0.01)
    lo, hi = X.min(), X.max()
    std = (X - lo) / (hi - lo)
    std["C2"] = (hi["C2"] - X["C2"]) / (hi["C2"] - lo["C2"])
    std["C5"] = (hi["C5"] - X["C5"]) / (hi["C5"] - lo["C5"])
    std = std + 0.01
    p = std / std.sum()
    e = -(p * np.log(p)).sum() / np.log(len(X))
    np.testing.assert_allclose(res.entropy, e, atol=1e-12)
    assert res.shift == 0.01 and "shift=0.01" in res.summary()
    # a cost column reversed is the same as the benefit column of -x
    flipped = X.assign(C2=-X["C2"], C5=-X["C5"])
    np.testing.assert_allclose(entropy_weights(flipped).weights, entropy_weights(X, DIRS).weights,
                               atol=1e-12)


def test_constant_column_gets_zero_weight_not_nan():
    Xc = X.assign(K=4.0)
    with pytest.warns(DataQualityWarning, match="K"):
        res = entropy_weights(Xc)
    assert res.weights["K"] == 0 and res.entropy["K"] == 1
    assert np.isfinite(res.weights).all()
    np.testing.assert_allclose(res.weights.drop("K"), entropy_weights(X).weights, atol=1e-12)
    assert res.constant_columns == ("K",)


def test_critic_matches_peers():
    np.testing.assert_allclose(critic_weights(X).weights, PEERS["critic"]["pymcdm_benefit"], atol=1e-12)
    # pyDecision adds 1e-10 to the min-max denominator: agreement to 1e-9
    np.testing.assert_allclose(critic_weights(X, DIRS).weights, PEERS["critic"]["pydecision_types"],
                               atol=1e-9)
    # scikit-criteria uses the population sd (ddof=0): a common factor, identical weights
    np.testing.assert_allclose(critic_weights(X, DIRS).weights, PEERS["critic"]["skcriteria_types"],
                               atol=1e-9)


def test_critic_constant_column():
    with pytest.warns(DataQualityWarning):
        res = critic_weights(X.assign(K=1.0))
    assert res.weights["K"] == 0 and np.isfinite(res.weights).all()


def test_missing_values_named_or_dropped():
    Xm = X.copy()
    Xm.iloc[3, 2] = np.nan
    with pytest.raises(InputDataError, match="missing value") as info:
        entropy_weights(Xm)
    assert info.value.row == 3 and info.value.column == "C3"
    with pytest.warns(DataQualityWarning, match="dropped 1 incomplete"):
        res = entropy_weights(Xm, dropna=True)
    assert res.dropped_rows == (3,)
    np.testing.assert_allclose(res.weights, entropy_weights(X.drop(index=3)).weights, atol=1e-12)
    assert Xm.iloc[3, 2] != Xm.iloc[3, 2]  # the caller's frame is untouched (still NaN)


@pytest.mark.parametrize("bad,words,where", [
    (X.head(1), "at least 2", None),
    (X.astype(object).assign(C2=lambda d: d["C2"].where(d.index != 5, "n/a")), "not a number", (5, "C2")),
])
def test_bad_input(bad, words, where):
    with pytest.raises(InputDataError, match=words) as info:
        entropy_weights(bad)
    if where:
        assert (info.value.row, info.value.column) == where


def test_bad_options():
    with pytest.raises(ParameterError, match="normalisation"):
        entropy_weights(X, normalisation="zscore")
    with pytest.raises(ParameterError, match="not in the data"):
        entropy_weights(X, {"Z9": "cost"})
    with pytest.raises(ParameterError, match="direction"):
        entropy_weights(X, {"C1": "higher"})
    with pytest.raises(InputDataError, match="not positive"):
        entropy_weights(X.assign(C1=0.0), normalisation="sum")


def test_survey_scores_give_complete_result():
    # small integer Likert data of the kind the survey gives
    rng = np.random.default_rng(0)
    L = pd.DataFrame(rng.integers(1, 8, (40, 6)), columns=list("abcdef"))
    res = entropy_weights(L)
    assert list(res.table.columns) == ["indicator", "direction", "entropy", "divergence", "weight", "rank"]
    assert res.standardised.shape == L.shape and res.shares.sum().round(12).eq(1).all()
