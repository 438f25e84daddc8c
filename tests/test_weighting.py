"""Tests of crmstudy.weighting.combine against independent loop implementations
(tests/reference/weighting/make_reference.py) and of its input validation."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmstudy import ahp, datasets
from crmstudy.entropy import entropy_weights
from crmstudy.errors import ParameterError, WeightsError
from crmstudy.weighting import combine, combine_draws

REF = Path(__file__).parent / "reference" / "weighting"
INPUTS = json.loads((REF / "inputs.json").read_text())["combine"]
PEERS = json.loads((REF / "peers.json").read_text())["combine"]
LABELS = list("abcd")
SUBJ = pd.Series(INPUTS["subjective"], index=LABELS)
OBJ = pd.Series(INPUTS["objective"], index=LABELS)


@pytest.mark.parametrize("method", ["linear", "multiplicative", "mdi", "game_theory"])
def test_methods_match_loop_implementation(method):
    res = combine(SUBJ, OBJ, method, alpha=INPUTS["alpha"])
    np.testing.assert_allclose(res.weights, PEERS[method], atol=1e-12)
    assert res.weights.sum() == pytest.approx(1, abs=1e-12) and res.method == method
    assert list(res.table.columns) == ["indicator", "subjective", "objective", "combined", "rank"]
    assert method in res.summary()


def test_game_theory_coefficients_solve_first_order_conditions():
    res = combine(SUBJ, OBJ, "game_theory")
    a, o = SUBJ.to_numpy(), OBJ.to_numpy()
    gram = np.array([[a @ a, a @ o], [o @ a, o @ o]])
    c = np.linalg.solve(gram, [a @ a, o @ o])
    np.testing.assert_allclose(res.coefficients, np.abs(c) / np.abs(c).sum(), atol=1e-12)


def test_mdi_minimises_the_discrimination_information():
    res = combine(SUBJ, OBJ, "mdi").weights.to_numpy()
    a, o = SUBJ.to_numpy(), OBJ.to_numpy()

    def kl(w):
        return (w * np.log(w / a)).sum() + (w * np.log(w / o)).sum()

    rng = np.random.default_rng(1)
    for _ in range(200):  # any other point of the simplex nearby does worse
        other = res * np.exp(0.05 * rng.standard_normal(4))
        assert kl(other / other.sum()) >= kl(res) - 1e-12


def test_label_order_and_result_objects_accepted():
    h = ahp.hierarchy_weights(datasets.load("crm_judgments"))
    rng = np.random.default_rng(0)
    scores = pd.DataFrame(rng.integers(1, 8, (30, 17)), columns=list(h.weights.index))
    e = entropy_weights(scores)
    res = combine(h, e, "linear", alpha=0.5)
    np.testing.assert_allclose(res.weights, 0.5 * h.weights + 0.5 * e.weights.reindex(h.weights.index))
    shuffled = OBJ.iloc[::-1]
    np.testing.assert_allclose(combine(SUBJ, shuffled).weights, combine(SUBJ, OBJ).weights)


@pytest.mark.parametrize("objective,words,entry", [
    (pd.Series([0.1, 0.35, 0.25, 0.2], index=LABELS), "sum to 0.9", None),
    (pd.Series([0.1, 0.35, np.nan, 0.55], index=LABELS), "weight of c", "c"),
    (pd.Series([0.5, 0.35, -0.1, 0.25], index=LABELS), "negative", "c"),
    (pd.Series([0.1, 0.35, 0.25, 0.3], index=list("abcz")), "'d' has a subjective weight", "d"),
])
def test_bad_weights(objective, words, entry):
    with pytest.raises(WeightsError, match=words) as info:
        combine(SUBJ, objective)
    assert info.value.entry == entry


def test_bad_options():
    with pytest.raises(ParameterError, match="alpha"):
        combine(SUBJ, OBJ, alpha=1.5)
    with pytest.raises(ParameterError, match="combination method"):
        combine(SUBJ, OBJ, method="harmonic")


@pytest.mark.parametrize("method", ["linear", "multiplicative", "mdi", "game_theory"])
def test_combine_draws_equals_row_by_row_combine(method):
    rng = np.random.default_rng(7)
    draws = pd.DataFrame(rng.dirichlet(np.ones(4) * 5, 20), columns=LABELS)
    many = combine_draws(draws, OBJ, method, alpha=0.3)
    for k in (0, 9, 19):
        np.testing.assert_allclose(many.iloc[k], combine(draws.iloc[k], OBJ, method, alpha=0.3).weights,
                                   atol=1e-12)


def test_game_theory_negative_coefficient_takes_absolute_values():
    """a·a < a·o makes the first coefficient negative: c = (-29/76, 91/76) solves
    [[.26, .30], [.30, .58]] c = [.26, .58] (worked by hand), so c* = |c| / sum|c| =
    (29/120, 91/120).  Without the abs() the result would be (-29/62, 91/62)."""
    a = pd.Series([0.3, 0.3, 0.2, 0.2], index=LABELS)
    o = pd.Series([0.7, 0.3, 0.0, 0.0], index=LABELS)
    res = combine(a, o, "game_theory")
    np.testing.assert_allclose(res.coefficients, [29 / 120, 91 / 120], atol=1e-12)
    expected = 29 / 120 * a + 91 / 120 * o
    np.testing.assert_allclose(res.weights, expected / expected.sum(), atol=1e-12)
    draws = combine_draws(a.to_frame().T, o, "game_theory")
    np.testing.assert_allclose(draws.iloc[0], res.weights, atol=1e-12)


@pytest.mark.parametrize("total", [0.999, 1.001, 0.9951, 1.0049])
def test_sums_within_half_a_percent_are_renormalised_with_a_warning(total):
    from crmstudy.errors import DataQualityWarning

    typed = OBJ * total  # as typed from a paper with few decimals
    with pytest.warns(DataQualityWarning, match="renormalised"):
        res = combine(SUBJ, typed, "linear", alpha=0.4)
    np.testing.assert_allclose(res.weights, combine(SUBJ, OBJ, "linear", alpha=0.4).weights,
                               atol=1e-12)
    np.testing.assert_allclose(res.objective, OBJ, atol=1e-12)
    assert res.conventions["renormalised"] == {"objective": pytest.approx(total, abs=1e-12)}
    assert "0.5%" in res.conventions["sum_tolerance"]


@pytest.mark.parametrize("total", [0.994, 1.006])
def test_sums_beyond_half_a_percent_are_rejected(total):
    with pytest.raises(WeightsError, match="subjective weights: weights sum to"):
        combine(SUBJ * total, OBJ)


def test_exact_sums_give_no_warning_and_record_nothing():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = combine(SUBJ, OBJ)
    assert res.conventions["renormalised"] == {}
