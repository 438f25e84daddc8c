"""Tests of crmstudy.evaluation: TOPSIS against pymcdm and scikit-criteria, fuzzy composition
against independent loops (fixtures from tests/reference/weighting/make_reference.py), and the
capability index, grades, ranks and sensitivity by hand."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from crmstudy import evaluation as ev
from crmstudy.errors import InputDataError, ParameterError, WeightsError
from crmstudy.indicators import capability_system

from _weighting_fixtures import DIRS, INPUTS, PEERS, W, X

SYSTEM = capability_system()
LEAVES = SYSTEM.leaves()


def test_topsis_vector_matches_pymcdm_and_skcriteria():
    c = ev.topsis(X, W, DIRS)
    np.testing.assert_allclose(c, PEERS["topsis"]["pymcdm_vector"], atol=1e-12)
    np.testing.assert_allclose(c, PEERS["topsis"]["skcriteria_vector"], atol=1e-12)
    assert c.name == "closeness" and c.between(0, 1).all()


def test_topsis_minmax_matches_pymcdm_default():
    np.testing.assert_allclose(ev.topsis(X, W, DIRS, normalisation="minmax"),
                               PEERS["topsis"]["pymcdm_minmax"], atol=1e-12)
    # and the two normalisations really differ (pymcdm's default is not the classical form)
    assert not np.allclose(PEERS["topsis"]["pymcdm_minmax"], PEERS["topsis"]["pymcdm_vector"])


def test_topsis_details_and_array_input():
    res = ev.topsis_analysis(X, W, DIRS)
    np.testing.assert_allclose(res.closeness, res.d_minus / (res.d_plus + res.d_minus))
    assert res.rank[res.closeness.idxmax()] == 1
    np.testing.assert_allclose(ev.topsis(X.to_numpy(), W.to_numpy(), DIRS), ev.topsis(X, W, DIRS))


def test_topsis_bad_input():
    with pytest.raises(WeightsError, match="sum to"):
        ev.topsis(X, W * 2)
    with pytest.raises(InputDataError, match="zero for every alternative"):
        ev.topsis(X.assign(C1=0.0), W)
    with pytest.raises(WeightsError, match="'C5'"):
        ev.topsis(X, W.rename({"C5": "Z"}))


@pytest.mark.parametrize("op", ["weighted_average", "min_max", "product_max", "min_bounded"])
def test_fuzzy_operators_match_loops(op):
    fz = INPUTS["fuzzy"]
    R = pd.DataFrame(fz["membership"], index=["u1", "u2", "u3"], columns=list("VWXYZ"))
    w = pd.Series(fz["weights"], index=R.index)
    res = ev.fuzzy_evaluation(R, w, operator=op)
    np.testing.assert_allclose(res.membership, PEERS["fuzzy"][op], atol=1e-12)
    assert res.grade == res.membership.idxmax()
    assert res.score == pytest.approx(float(res.membership @ np.arange(1, 6)))


def test_fuzzy_two_level_by_hand():
    rng = np.random.default_rng(4)
    R = pd.DataFrame(rng.dirichlet(np.ones(5), 17), index=LEAVES, columns=list("12345"))
    w = pd.Series(rng.dirichlet(np.ones(17)), index=LEAVES)
    res = ev.fuzzy_evaluation(R, w, system=SYSTEM)
    dims = SYSTEM.leaf_dimensions()
    B = []
    for d in SYSTEM.dimensions():
        wd = w[dims == d]
        B.append((wd / wd.sum()) @ R.loc[wd.index])
    top = pd.Series([w[dims == d].sum() for d in SYSTEM.dimensions()]) @ np.array(B)
    np.testing.assert_allclose(res.membership, top / top.sum(), atol=1e-12)
    assert list(res.table.index) == ["A1", "A2", "A3", "overall"]


def test_membership_from_answers():
    answers = pd.DataFrame({"q1": [1, 2, 2, 5, np.nan], "q2": [3, 3, 4, 4, 5]})
    R = ev.membership_from_answers(answers, levels=[1, 2, 3, 4, 5])
    np.testing.assert_allclose(R.loc["q1"], [0.25, 0.5, 0, 0, 0.25])
    np.testing.assert_allclose(R.loc["q2"], [0, 0, 0.4, 0.4, 0.2])
    grouped = ev.membership_from_answers(answers, levels=[1, 2, 3, 4, 5],
                                         grades={1: "low", 2: "low", 3: "mid", 4: "high", 5: "high"})
    assert list(grouped.columns) == ["low", "mid", "high"]
    np.testing.assert_allclose(grouped.loc["q1"], [0.75, 0, 0.25])
    with pytest.raises(InputDataError, match="99") as info:
        ev.membership_from_answers(answers.assign(q2=[3, 99, 4, 4, 5]), levels=[1, 2, 3, 4, 5])
    assert info.value.column == "q2"


def _scores(n=25, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.integers(1, 8, (n, 17)), columns=LEAVES,
                        index=[f"F{i:04d}" for i in range(1, n + 1)])


def test_capability_index_by_hand():
    S = _scores()
    w = pd.Series(np.random.default_rng(1).dirichlet(np.ones(17)), index=LEAVES)
    res = ev.capability_index(S, w)
    scaled = (S - 1) / 6 * 100
    np.testing.assert_allclose(res.index, scaled @ w, atol=1e-10)
    a2 = SYSTEM.leaves("A2")
    np.testing.assert_allclose(res.scores["A2"], scaled[a2] @ w[a2] / w[a2].sum(), atol=1e-10)
    # overall = dimension indices weighted by the dimension weights
    dimw = pd.Series({d: w[SYSTEM.leaves(d)].sum() for d in SYSTEM.dimensions()})
    np.testing.assert_allclose(res.index, res.scores[SYSTEM.dimensions()] @ dimw, atol=1e-10)
    assert res.rank[res.index.idxmax()] == 1
    assert set(res.table.columns) == {"firm", "A1", "A2", "A3", "index", "grade", "rank"}


def test_grade_boundaries_are_left_closed():
    s = pd.Series([0, 39.99, 40, 59.9, 60, 80, 100])
    assert ev.grade(s, lang="en").tolist() == ["weak", "weak", "moderate", "moderate", "good",
                                               "excellent", "excellent"]
    assert ev.grade(s, (50,), labels=["低", "高"]).tolist() == ["低"] * 3 + ["高"] * 4
    with pytest.raises(ParameterError, match="increase"):
        ev.grade(s, (60, 40, 80))


def test_rank_ties_min():
    r = ev.rank(pd.Series([3.0, 5.0, 5.0, 1.0]))
    assert r.tolist() == [3, 1, 1, 4]
    rng = np.random.default_rng(2)
    v = rng.integers(0, 5, (30, 12)).astype(float)  # many ties
    expected = pd.DataFrame(v).rank(axis=1, ascending=False, method="min").to_numpy()
    np.testing.assert_array_equal(ev._min_ranks(v), expected)


def test_capability_index_bad_input():
    S = _scores()
    w = pd.Series(1 / 17, index=LEAVES)
    with pytest.raises(InputDataError, match="outside the answer scale") as info:
        ev.capability_index(S.assign(A12=S["A12"].where(S.index != "F0003", 99)), w)
    assert (info.value.row, info.value.column) == ("F0003", "A12")
    with pytest.raises(InputDataError, match="A36"):
        ev.capability_index(S.drop(columns="A36"), w)
    with pytest.raises(WeightsError, match="'A36' has no weight"):
        ev.capability_index(S, (w.drop("A36") / w.drop("A36").sum()))


def test_weight_sensitivity():
    S = ev.scale_scores(_scores(), SYSTEM.directions())
    w = pd.Series(np.random.default_rng(1).dirichlet(np.ones(17)), index=LEAVES)
    res = ev.weight_sensitivity(S, w, changes=(-0.2, 0.0, 0.2))
    assert len(res) == 17 * 3
    zero = res[res["change"] == 0]
    assert (zero["rank_changes"] == 0).all() and np.allclose(zero["spearman"], 1)
    # by hand for one perturbation: A12 +20 %, the others rescaled proportionally
    w2 = w.copy()
    w2["A12"] = w["A12"] * 1.2
    others = w.index != "A12"
    w2[others] = w[others] * (1 - w2["A12"]) / (1 - w["A12"])
    assert w2.sum() == pytest.approx(1)
    base_rank = ev.rank(S @ w)
    new_rank = ev.rank(S @ w2)
    row = res[(res["indicator"] == "A12") & (res["change"] == 0.2)].iloc[0]
    assert row["rank_changes"] == int((base_rank != new_rank).sum())
    assert row["weight"] == pytest.approx(w2["A12"])


def test_rank_stability():
    S = ev.scale_scores(_scores(), SYSTEM.directions())
    w = pd.Series(1 / 17, index=LEAVES)
    same = pd.DataFrame(np.tile(w.to_numpy(), (50, 1)), columns=LEAVES)
    res = ev.rank_stability(S, same, w)
    assert (res["p_same"] == 1).all() and (res["q05"] == res["q95"]).all()
    rng = np.random.default_rng(0)
    draws = pd.DataFrame(rng.dirichlet(np.ones(17) * 50, 500), columns=LEAVES)
    res = ev.rank_stability(S, draws, w, top=5)
    assert res["p_top"].between(0, 1).all() and (res["q05"] <= res["q95"]).all()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chapter_figures_render_in_both_languages(lang):
    import warnings

    import matplotlib.figure

    from crmstudy import ahp, datasets
    from crmstudy.plotting import set_theme
    from crmstudy.plotting import weighting as figs

    set_theme(lang=lang)
    h = ahp.hierarchy_weights(datasets.load("crm_judgments"))
    S = _scores(40)
    w = pd.Series(np.random.default_rng(1).dirichlet(np.ones(17)), index=LEAVES)
    idx = ev.capability_index(S, w, lang=lang)
    table = pd.DataFrame({"subjective": h.weights, "objective": w})
    mc = ahp.monte_carlo(h, draws=200, seed=1)
    stab = ev.rank_stability(idx.scaled, mc.draws, h.weights)
    oat = ev.weight_sensitivity(idx.scaled, w)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*Glyph.*missing.*")
        made = [figs.weights_bar(table, SYSTEM, lang=lang),
                figs.consistency_plot(h.consistency, lang=lang),
                figs.rank_stability_plot(stab, lang=lang, top=15),
                figs.sensitivity_plot(oat, SYSTEM, lang=lang),
                figs.index_distribution(idx, lang=lang)]
        for fig in made:
            assert isinstance(fig, matplotlib.figure.Figure)
            fig.canvas.draw()
    title = made[0].axes[0].get_title()
    assert title == ("指标权重比较" if lang == "zh" else "Indicator weights compared")
    labels = [t.get_text() for t in made[0].axes[0].get_yticklabels()]
    assert SYSTEM.label("A12", lang, with_code=True) in labels
