"""KMO, Bartlett, Harman and EFA against R psych 2.2.9 (fixtures from make_reference.R)."""
from __future__ import annotations

import numpy as np
import pytest

from crmstudy.errors import InputDataError, ParameterError
from crmstudy.measurement import bartlett_sphericity, efa, harman_single_factor, kmo
from _measurement_fixtures import bfi_keyed, hs_items, psych_ref

EXACT = 1e-10            # closed-form statistics
CHI2 = 1e-8              # chi-square values in the thousands: relative 1e-12
# psych::fa (optim) and GPArotation (eps = 1e-5) stop earlier than our solvers.
EFA = 1e-4

DATA = {"bfi": bfi_keyed, "hs1939": hs_items}


@pytest.mark.parametrize("data_set", ["bfi", "hs1939"])
def test_kmo_bartlett_harman_on_all_items(data_set):
    ref = psych_ref()[data_set]["whole"]
    x = DATA[data_set]()[ref["items"]]
    k = kmo(x)
    assert k.overall == pytest.approx(ref["kmo"], abs=EXACT)
    np.testing.assert_allclose(k.items, ref["kmo_items"], atol=EXACT)
    b = bartlett_sphericity(x)
    assert b.chi2 == pytest.approx(ref["bartlett_chi2"], rel=CHI2)
    assert b.df == ref["bartlett_df"] and b.passes
    h = harman_single_factor(x)
    assert h.share == pytest.approx(ref["harman_share"], abs=EXACT)
    np.testing.assert_allclose(h.eigenvalues, ref["eigenvalues"], atol=1e-10)


@pytest.mark.parametrize("data_set, scale", [("bfi", s) for s in "ACENO"]
                         + [("hs1939", s) for s in ("visual", "textual", "speed")])
def test_kmo_and_bartlett_per_scale(data_set, scale):
    ref = psych_ref()[data_set]["scales"][scale]
    x = DATA[data_set]()[ref["items"]]
    assert kmo(x).overall == pytest.approx(ref["kmo"], abs=EXACT)
    np.testing.assert_allclose(kmo(x).items, ref["kmo_items"], atol=EXACT)
    b = bartlett_sphericity(x)
    assert b.chi2 == pytest.approx(ref["bartlett_chi2"], rel=CHI2)
    assert b.p == pytest.approx(ref["bartlett_p"], rel=1e-6, abs=1e-300)


@pytest.mark.parametrize("data_set, key", [("bfi", "efa_minres"), ("hs1939", "efa_minres"),
                                           ("hs1939", "efa_ml")])
def test_efa_matches_psych_fa_oblimin(data_set, key):
    ref = psych_ref()[data_set][key]
    x = DATA[data_set]()[ref["items"]]
    n_factors = len(ref["loadings"][0])
    result = efa(x, n_factors, method=ref["fm"], rotation="oblimin")
    # same ordering and sign conventions as psych: compare directly
    np.testing.assert_allclose(result.loadings.to_numpy(), ref["loadings"], atol=EFA)
    np.testing.assert_allclose(result.factor_corr.to_numpy(), ref["phi"], atol=EFA)
    np.testing.assert_allclose(result.communalities, ref["communalities"], atol=EFA)


def test_efa_recovers_the_simulated_structure():
    from crmstudy.measurement import Codebook, prepare
    from crmstudy.simulate import crm_survey

    study = crm_survey(n_firms=1500, seed=5)
    book = Codebook.from_frame(study.codebook).subset(["A1", "A2", "A3", "ED"])
    items = prepare(study.responses, book, missing="person_mean", attention_check=("attention_check", 2),
                    drop_careless=True).items
    result = efa(items, 4)
    # each item's largest loading is on one factor per construct, and constructs do not share
    main = result.loadings.abs().idxmax(axis=1)
    groups = main.groupby(book.table.set_index("item")["construct"]).agg(lambda s: set(s))
    assert all(len(g) == 1 for g in groups)
    assert len({next(iter(g)) for g in groups}) == 4


def test_varimax_is_orthogonal_and_single_factor():
    x = hs_items()
    v = efa(x, 3, rotation="varimax")
    np.testing.assert_allclose(v.factor_corr, np.eye(3))
    # rotation leaves communalities unchanged
    u = efa(x, 3, rotation=None)
    np.testing.assert_allclose(v.communalities, u.communalities, atol=1e-10)
    np.testing.assert_allclose(efa(x, 3, method="pa").loadings, efa(x, 3).loadings)   # same solution
    one = efa(x[["x1", "x2", "x3"]], 1)
    assert one.rotation is None and one.loadings.shape == (3, 1)


def test_bad_input():
    x = hs_items()
    with pytest.raises(ParameterError, match="n_factors"):
        efa(x, 9)
    with pytest.raises(ParameterError):
        efa(x, 2, rotation="quartimax")
    dup = x[["x1", "x2", "x3"]].assign(x4=lambda d: d["x1"] + d["x2"])
    with pytest.raises(InputDataError, match="singular"):
        kmo(dup)
    with pytest.raises(InputDataError, match="not positive definite"):
        bartlett_sphericity(dup)
    with pytest.raises(ParameterError):
        harman_single_factor(x, method="paf")
