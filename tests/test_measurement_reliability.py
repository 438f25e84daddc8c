"""Alpha, item analysis and omega against R psych 2.2.9 (fixtures from make_reference.R)."""
from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from crmstudy import resampling
from crmstudy.errors import InputDataError, ParameterError
from crmstudy.measurement import (Codebook, bootstrap_indices, bootstrap_reliability, cronbach_alpha,
                                  item_analysis, omega_total, prepare, reliability)
from _measurement_fixtures import REF, bfi_keyed, bfi_raw, hs_items, psych_ref

# psych computes alpha and item statistics in closed form, as we do: agreement to rounding.
EXACT = 1e-10
# psych::fa minimises with optim(); its minres loadings/omega are accurate to ~1e-6.
MINRES = 2e-5

SCALES = [("bfi", name) for name in "ACENO"] + [("hs1939", name) for name in ("visual", "textual", "speed")]


def scale_data(data_set: str, scale: str):
    ref = psych_ref()[data_set]["scales"][scale]
    frame = bfi_keyed() if data_set == "bfi" else hs_items()
    return frame[ref["items"]], ref


@pytest.mark.parametrize("data_set, scale", SCALES)
def test_alpha_matches_psych(data_set, scale):
    x, ref = scale_data(data_set, scale)
    result = cronbach_alpha(x)                        # pairwise, like psych
    assert result.alpha == pytest.approx(ref["alpha"], abs=EXACT)
    assert result.std_alpha == pytest.approx(ref["std_alpha"], abs=EXACT)
    assert result.mean_r == pytest.approx(ref["average_r"], abs=EXACT)
    assert result.ci == pytest.approx((ref["feldt_lower"], ref["feldt_upper"]), abs=EXACT)
    assert result.n == ref["n"] and result.k == len(ref["items"])


@pytest.mark.parametrize("scale", list("ACENO"))
def test_pairwise_and_listwise_alpha_differ_by_design(scale):
    """bfi has missing answers: psych (pairwise) and listwise alpha differ; both are right."""
    x, ref = scale_data("bfi", scale)
    listwise = cronbach_alpha(x, nan_policy="listwise")
    assert listwise.alpha == pytest.approx(ref["alpha_listwise"], abs=EXACT)
    assert listwise.std_alpha == pytest.approx(ref["std_alpha_listwise"], abs=EXACT)
    assert listwise.n == ref["n_complete"] < ref["n"]
    assert listwise.alpha != pytest.approx(cronbach_alpha(x).alpha, abs=1e-6)


@pytest.mark.parametrize("data_set, scale", SCALES)
def test_item_analysis_matches_psych(data_set, scale):
    x, ref = scale_data(data_set, scale)
    table = item_analysis(x)
    pairs = {"n": "item_n", "mean": "item_mean", "sd": "item_sd", "r_total": "raw_r",
             "r_std": "std_r", "r_cor": "r_cor", "r_drop": "r_drop",
             "alpha_if_deleted": "alpha_if_deleted", "std_alpha_if_deleted": "std_alpha_if_deleted",
             "mean_r_if_deleted": "average_r_if_deleted"}
    for ours, theirs in pairs.items():
        np.testing.assert_allclose(table[ours].to_numpy(float), ref[theirs], rtol=0, atol=EXACT,
                                   err_msg=ours)
    assert table.index.tolist() == ref["items"]


@pytest.mark.parametrize("data_set, scale", SCALES)
def test_omega_total_matches_psych(data_set, scale):
    x, ref = scale_data(data_set, scale)
    result = omega_total(x)
    assert result.converged
    assert result.omega == pytest.approx(ref["omega_total"], abs=MINRES)
    np.testing.assert_allclose(result.loadings, ref["omega_loadings"], atol=MINRES)
    model = omega_total(x, denominator="model").omega
    lam = result.loadings.to_numpy()
    assert model == pytest.approx(lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam ** 2).sum()))


def test_reliability_table_through_prepare_and_thresholds():
    book = Codebook.from_file(REF / "bfi_codebook.csv")
    survey = prepare(bfi_raw(), book, id_col="id")
    result = reliability(survey)
    table = result.table.set_index("construct")
    for scale in "ACENO":
        ref = psych_ref()["bfi"]["scales"][scale]
        assert table.loc[scale, "alpha"] == pytest.approx(ref["alpha"], abs=EXACT)
        assert table.loc[scale, "omega_total"] == pytest.approx(ref["omega_total"], abs=MINRES)
        assert table.loc[scale, "min_r_drop"] == pytest.approx(min(ref["r_drop"]), abs=EXACT)
    # O has alpha 0.60 < 0.70 and fails; N (0.81) passes
    assert not table.loc["O", "passes"] and table.loc["N", "passes"]
    lenient = reliability(survey, thresholds={"alpha": 0.5, "omega": 0.5, "r_drop": 0.2})
    assert lenient.table.set_index("construct").loc["O", "passes"]
    assert list(result.summary("zh").columns)[0] == "名称"
    assert "Cronbach's α" in result.summary("en").columns
    assert set(result.items["construct"]) == set("ACENO")
    with pytest.raises(ParameterError, match="unknown threshold"):
        reliability(survey, thresholds={"beta": 0.7})


def test_bootstrap_is_exactly_the_loop_over_the_same_resamples():
    x, _ = scale_data("hs1939", "visual")
    rng = np.random.default_rng(7)
    indices = rng.integers(0, len(x), size=(50, len(x)))
    fast = bootstrap_reliability(x, indices=indices, statistics=("alpha", "std_alpha", "omega"))
    alpha_only = bootstrap_reliability(x, indices=indices, statistics=("alpha",))
    loop_alpha = [cronbach_alpha(x.iloc[i]).alpha for i in indices]
    loop_std = [cronbach_alpha(x.iloc[i]).std_alpha for i in indices]
    loop_omega = [omega_total(x.iloc[i].reset_index(drop=True)).omega for i in indices]
    np.testing.assert_allclose(fast["alpha"], loop_alpha, atol=1e-12)
    np.testing.assert_allclose(alpha_only["alpha"], loop_alpha, atol=1e-12)
    np.testing.assert_allclose(fast["std_alpha"], loop_std, atol=1e-12)
    np.testing.assert_allclose(fast["omega"], loop_omega, atol=1e-8)


def test_bootstrap_from_counts_equals_the_loop_and_the_indices():
    """Resampling weights (multinomial counts) give the replicates of the same resamples as
    row indices, and of a loop over them (tolerance 1e-12, as above)."""
    x, _ = scale_data("hs1939", "visual")
    n = len(x)
    counts = np.random.default_rng(5).multinomial(n, np.full(n, 1 / n), size=40)
    indices = np.stack([np.repeat(np.arange(n), c) for c in counts])  # the same resamples
    stats = ("alpha", "std_alpha", "omega")
    from_counts = bootstrap_reliability(x, counts=counts, statistics=stats, chunk=7)
    from_indices = bootstrap_reliability(x, indices=indices, statistics=stats)
    for name in stats:
        np.testing.assert_allclose(from_counts[name], from_indices[name], atol=1e-12)
    alpha_only = bootstrap_reliability(x, counts=counts.astype(float), statistics=("alpha",),
                                       chunk=16)["alpha"]
    loop = [cronbach_alpha(x.iloc[i]).alpha for i in indices]
    np.testing.assert_allclose(alpha_only, loop, atol=1e-12)
    with pytest.raises(ParameterError, match="sum to"):
        bootstrap_reliability(x, counts=counts[:, ::-1] + np.eye(40, n, dtype=int))
    with pytest.raises(ParameterError, match="shape"):
        bootstrap_reliability(x, counts=counts[:, :-1])
    with pytest.raises(ParameterError, match="not both"):
        bootstrap_reliability(x, counts=counts, indices=indices)


@pytest.mark.parametrize("draw_ahead", [False, True])
@pytest.mark.parametrize("data_set, scale", [("hs1939", "visual"), ("bfi", "N")])
def test_bootstrap_from_the_seed_is_the_loop_over_its_resamples(data_set, scale, draw_ahead,
                                                                monkeypatch):
    """The default path (resamples drawn from ``seed``, block by block, in this thread or drawn
    ahead in a second one) gives the replicates of a loop over ``bootstrap_indices`` (numpy's
    ``default_rng(seed).integers(0, n, (n_boot, n))``), whatever the chunk size; bfi N has
    missing answers, so both resample the complete cases.
    Tolerances: 1e-12 for alpha and std_alpha (closed form), 1e-8 for omega (minres)."""
    monkeypatch.setattr(resampling, "THREAD_MIN_DRAWS", 0 if draw_ahead else 10 ** 12)
    module = sys.modules["crmstudy.measurement.reliability"]
    threaded = []

    class Spy(resampling.DrawAhead):          # records how the draws were made
        def __init__(self, *args, **kwargs):
            threaded.append(kwargs["threaded"])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(module, "DrawAhead", Spy)
    x, _ = scale_data(data_set, scale)
    complete = x.dropna().reset_index(drop=True)
    n, n_boot, seed = len(complete), 150, 4
    assert module._count_rows(n) == 64        # blocks of 64, 64 and a partial one of 22
    rows = bootstrap_indices(n, n_boot, seed)
    np.testing.assert_array_equal(rows, np.random.default_rng(seed).integers(0, n, size=(n_boot, n)))
    loop = {"alpha": [cronbach_alpha(complete.iloc[r]).alpha for r in rows],
            "std_alpha": [cronbach_alpha(complete.iloc[r]).std_alpha for r in rows],
            "omega": [omega_total(complete.iloc[r].reset_index(drop=True)).omega for r in rows]}
    tolerance = {"alpha": 1e-12, "std_alpha": 1e-12, "omega": 1e-8}
    for stats in (("alpha",), ("alpha", "std_alpha", "omega")):
        default = bootstrap_reliability(x, n_boot=n_boot, seed=seed, statistics=stats)
        for chunk in (1, 16, 20, 1000):   # the chunk size changes nothing, to the last bit
            chunked = bootstrap_reliability(x, n_boot=n_boot, seed=seed, statistics=stats,
                                            chunk=chunk)
            for name in stats:
                np.testing.assert_array_equal(chunked[name], default[name])
        given = bootstrap_reliability(x, indices=rows, statistics=stats)
        for name in stats:
            np.testing.assert_array_equal(default[name], given[name])
            np.testing.assert_allclose(default[name], loop[name], rtol=0, atol=tolerance[name])
    assert threaded and set(threaded) == {draw_ahead}
    other = bootstrap_reliability(x, n_boot=n_boot, seed=seed + 1, statistics=("alpha",))["alpha"]
    assert not np.allclose(other, loop["alpha"], rtol=0, atol=1e-6)   # the seed matters


def test_bootstrap_indices_are_checked():
    x, _ = scale_data("hs1939", "visual")
    n = len(x)
    rows = bootstrap_indices(n, 5, 0)
    with pytest.raises(ParameterError, match="shape"):
        bootstrap_reliability(x, indices=rows[:, :-1])
    bad = rows.copy()
    bad[2, 3] = n       # would be counted as respondent 0 of the next resample
    with pytest.raises(ParameterError, match=f"row positions 0 .. {n - 1}"):
        bootstrap_reliability(x, indices=bad)
    with pytest.raises(ParameterError, match="at least 2"):
        bootstrap_reliability(x, n_boot=1)


def test_bootstrap_matches_pingouin_replicates():
    pingouin = pytest.importorskip("pingouin")
    x, _ = scale_data("hs1939", "speed")
    indices = np.random.default_rng(3).integers(0, len(x), size=(20, len(x)))
    ours = bootstrap_reliability(x, indices=indices, statistics=("alpha",))["alpha"]
    theirs = [pingouin.cronbach_alpha(x.iloc[i].reset_index(drop=True))[0] for i in indices]
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


def test_bootstrap_ci_brackets_the_estimate_and_is_reproducible():
    x, _ = scale_data("hs1939", "textual")
    a = cronbach_alpha(x, ci_method="bootstrap", n_boot=500, seed=11)
    b = cronbach_alpha(x, ci_method="bootstrap", n_boot=500, seed=11)
    assert a.ci == b.ci and a.ci[0] < a.alpha < a.ci[1]
    feldt = cronbach_alpha(x).ci
    # two valid intervals for the same alpha: widths within a factor of 2 of each other
    ratio = (a.ci[1] - a.ci[0]) / (feldt[1] - feldt[0])
    assert 0.5 < ratio < 2
    o = omega_total(x, ci=0.95, n_boot=300, seed=1)
    assert o.ci[0] < o.omega < o.ci[1]


def test_bad_input_is_named():
    x = pd.DataFrame({"a": [1, 2, 3, 4.0], "b": [2, 2, 2, 2.0], "c": [1, 3, 2, 4.0]})
    with pytest.raises(InputDataError, match=r"\['b'\] have zero variance") as info:
        cronbach_alpha(x)
    assert info.value.column == "b"
    with pytest.raises(InputDataError, match="at least 2"):
        cronbach_alpha(x[["a"]])
    with pytest.raises(InputDataError, match="non-numeric"):
        omega_total(x.assign(c=["1", "x", "2", "3"]))
    with pytest.raises(ParameterError):
        cronbach_alpha(x[["a", "c"]], ci=95)
    with pytest.raises(ParameterError):
        cronbach_alpha(x[["a", "c"]], nan_policy="everything")


def test_numeric_dtypes_give_the_float_results():
    """Nullable-integer columns (with <NA>, read without coercion) and numbers typed as text
    (coerced column by column) give the alpha of the float columns; a non-number in a text
    column still names its row and column."""
    x, _ = scale_data("bfi", "N")
    as_float = cronbach_alpha(x)
    nullable = cronbach_alpha(x.astype("Int64"))
    as_text = cronbach_alpha(x.astype(object).where(x.notna(), None).map(
        lambda v: None if v is None else str(int(v))))
    for other in (nullable, as_text):
        assert other.alpha == as_float.alpha and other.n == as_float.n
    broken = x.astype(object)
    broken.iloc[5, 2] = "x"
    with pytest.raises(InputDataError, match="non-numeric") as info:
        cronbach_alpha(broken)
    assert info.value.column == x.columns[2] and info.value.row == x.index[5]


def test_write_up_quotes_the_results():
    from crmstudy.measurement import bartlett_sphericity, kmo, write_up

    book = Codebook.from_file(REF / "bfi_codebook.csv")
    survey = prepare(bfi_raw(), book, id_col="id")
    rel = reliability(survey)
    text_en = write_up(rel, kmo(survey), bartlett_sphericity(survey), lang="en")
    text_zh = write_up(rel, kmo(survey), bartlett_sphericity(survey), lang="zh")
    low = f"{rel.table['alpha'].min():.3f}"
    assert low in text_en and low in text_zh
    assert "O" in text_en.split("did not meet")[0]          # O fails the 0.70 rule
    assert "KMO" in text_zh and "Bartlett" in text_en
    # p as journals print it (issue 14): APA in English, leading zero in Chinese
    assert "p < .001" in text_en and "p < 0.001" in text_zh and "p < 0.001" not in text_en


def test_reliability_with_bootstrap_intervals():
    x, _ = scale_data("hs1939", "visual")
    book = Codebook.from_file(REF / "hs1939_codebook.csv")
    data = hs_items()
    feldt = reliability(data, book)
    boot = reliability(data, book, ci_method="bootstrap", n_boot=300, seed=2)
    assert "omega_ci_low" not in feldt.table and "omega_ci_low" in boot.table
    same = boot.table.set_index("construct")
    np.testing.assert_allclose(same["alpha"], feldt.table.set_index("construct")["alpha"])
    assert (same["omega_ci_low"] < same["omega_total"]).all()
    assert (same["omega_total"] < same["omega_ci_high"]).all()
    assert same.loc["visual", "alpha_ci_low"] == cronbach_alpha(
        x, ci_method="bootstrap", n_boot=300, seed=2).ci[0]
