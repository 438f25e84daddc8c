"""crmstudy.mediation against R (lm, sandwich, lavaan), pyprocessmacro 2.2, Hayes (2022) and
simulated truth.

Reference values: tests/reference/mediation/ (make_reference_r.R, make_reference_pyprocessmacro.py)
on two public data sets shipped with the R package psych: Tal_Or (Tal-Or et al. 2010, Hayes'
presumed-media-influence example) and Garcia (Garcia et al. 2010, Hayes' protest example).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmstudy import mediation as M
from crmstudy.errors import (CrmStudyError, DataQualityWarning, InputDataError, ModelFitError,
                             ParameterError)

REF = Path(__file__).resolve().parent / "reference" / "mediation"
R = json.loads((REF / "r_reference.json").read_text())
PPM = json.loads((REF / "pyprocessmacro_reference.json").read_text())
DATA = {name: pd.read_csv(REF / name) for name in ("tal_or.csv", "garcia.csv")}


def _fit(case: dict, **kw):
    data = DATA[case["data"]]
    w = case.get("w") or case.get("v")
    return M.process(data, case["model"], case["x"], case["y"], list(case["m"]), w=w,
                     controls=tuple(case.get("controls", ())), **kw)


def _r_term(term: str) -> str:
    if term == "(Intercept)":
        return "constant"
    if term == "genderg2":
        return "gender[T.g2]"
    return term


# ---- OLS paths against R lm() / sandwich ---------------------------------------------
@pytest.mark.parametrize("name", sorted(R["cases"]))
def test_paths_match_r_lm(name):
    case = R["cases"][name]
    fit = _fit(case, n_boot=200, seed=1)
    hc3 = _fit(case, n_boot=200, seed=1, hc="HC3")
    hc0 = _fit(case, n_boot=200, seed=1, hc=0)
    for outcome, eq in case["equations"].items():
        ours = fit.paths[fit.paths["outcome"] == outcome].set_index("term")
        for k, term in enumerate(eq["term"]):
            row = ours.loc[_r_term(term)]
            # exact arithmetic up to floating point: 1e-9 relative
            assert row["b"] == pytest.approx(eq["b"][k], rel=1e-9, abs=1e-12), (name, term)
            assert row["se"] == pytest.approx(eq["se"][k], rel=1e-9), (name, term)
            assert row["t"] == pytest.approx(eq["t"][k], rel=1e-9), (name, term)
            assert row["p"] == pytest.approx(eq["p"][k], rel=1e-7, abs=1e-300), (name, term)
            h3 = hc3.paths.set_index(["outcome", "term"]).loc[(outcome, _r_term(term)), "se"]
            h0 = hc0.paths.set_index(["outcome", "term"]).loc[(outcome, _r_term(term)), "se"]
            assert h3 == pytest.approx(eq["se_hc3"][k], rel=1e-9)
            assert h0 == pytest.approx(eq["se_hc0"][k], rel=1e-9)
        mrow = fit.models.set_index("outcome").loc[outcome]
        assert mrow["r2"] == pytest.approx(eq["r2"], rel=1e-9)
        assert mrow["F"] == pytest.approx(eq["F"], rel=1e-9)
        assert (mrow["df1"], mrow["df2"]) == (eq["df1"], eq["df2"])
    assert hc3.conventions["path_covariance"] == "HC3"
    assert fit.conventions["path_covariance"] == "classical OLS"
    if "total" in case:
        tot = case["total"]
        k = tot["term"].index(case["x"])
        assert fit.total["effect"].iloc[0] == pytest.approx(tot["b"][k], rel=1e-9)
        assert fit.total["se"].iloc[0] == pytest.approx(tot["se"][k], rel=1e-9)
        # OLS identity: total = direct + sum of the specific indirect effects
        specific = fit.indirect[fit.indirect["path"] != "total"]["effect"].sum()
        assert fit.direct["effect"].iloc[0] + specific == pytest.approx(tot["b"][k], rel=1e-9)


def test_serial_indirect_effects_are_products_of_r_paths():
    case = R["cases"]["tal_m6"]
    fit = _fit(case, n_boot=200, seed=1)
    eqs = {k: dict(zip(v["term"], v["b"])) for k, v in case["equations"].items()}
    a1, a2 = eqs["import"]["cond"], eqs["pmi"]["cond"]
    d21, b1, b2 = eqs["pmi"]["import"], eqs["reaction"]["import"], eqs["reaction"]["pmi"]
    ind = fit.indirect.set_index("path")["effect"]
    assert ind["cond -> import -> reaction"] == pytest.approx(a1 * b1, rel=1e-9)
    assert ind["cond -> import -> pmi -> reaction"] == pytest.approx(a1 * d21 * b2, rel=1e-9)
    assert ind["cond -> pmi -> reaction"] == pytest.approx(a2 * b2, rel=1e-9)
    assert ind["total"] == pytest.approx(a1 * b1 + a1 * d21 * b2 + a2 * b2, rel=1e-9)


def test_hayes_published_worked_example():
    """Hayes (2022, ch. 3, Tal-Or et al. data): a = 0.477, b = 0.506, c' = 0.254, ab = 0.241,
    c = 0.496 (printed to three decimals)."""
    d = DATA["tal_or.csv"]
    fit = M.process(d, 4, "cond", "reaction", "pmi", n_boot=1000, seed=3)
    p = fit.paths.set_index(["outcome", "term"])["b"]
    assert round(p[("pmi", "cond")], 3) == 0.477
    assert round(p[("reaction", "pmi")], 3) == 0.506
    assert round(fit.direct["effect"].iloc[0], 3) == 0.254
    assert round(fit.indirect["effect"].iloc[0], 3) == 0.241
    assert round(fit.total["effect"].iloc[0], 3) == 0.496


def test_sobel_matches_lavaan_delta_method():
    """lavaan's delta-method SE of ``ind := a*b`` is Sobel's first-order SE with ML SEs
    (residual variance RSS/n); crmstudy's Sobel uses the OLS SEs (RSS/(n-p)), so each path SE
    is rescaled by sqrt((n - p)/n) before comparing (tolerance 1e-6 relative)."""
    lav = R["lavaan_tal_m4"]
    fit = M.process(DATA["tal_or.csv"], 4, "cond", "reaction", "pmi", n_boot=200, seed=1)
    s = fit.sobel.iloc[0]
    assert s["effect"] == pytest.approx(lav["ind"]["est"], rel=1e-9)
    n = fit.n
    paths = fit.paths.set_index(["outcome", "term"])
    a, sa = paths.loc[("pmi", "cond"), ["b", "se"]]
    b, sb = paths.loc[("reaction", "pmi"), ["b", "se"]]
    sa_ml, sb_ml = sa * np.sqrt((n - 2) / n), sb * np.sqrt((n - 3) / n)
    assert sa_ml == pytest.approx(lav["a"]["se"], rel=1e-6)
    assert sb_ml == pytest.approx(lav["b"]["se"], rel=1e-6)
    assert np.sqrt(b ** 2 * sa_ml ** 2 + a ** 2 * sb_ml ** 2) == pytest.approx(lav["ind"]["se"],
                                                                             rel=1e-6)
    # and Sobel's own SE differs from lavaan's only by that df correction (< 2 % at n = 123)
    assert s["se"] == pytest.approx(lav["ind"]["se"], rel=0.02)
    assert s["se"] == pytest.approx(np.sqrt(b ** 2 * sa ** 2 + a ** 2 * sb ** 2), rel=1e-12)
    bk = fit.baron_kenny.set_index("step")
    assert bk.loc["1: X -> Y (c)", "b"] == pytest.approx(lav["total"]["est"], rel=1e-9)
    assert bk.loc["4: X -> Y | M (c')", "b"] == pytest.approx(lav["cp"]["est"], rel=1e-9)


# ---- against pyprocessmacro 2.2 ------------------------------------------------------
def _ppm_rows(name: str, kind: str, component: str) -> pd.DataFrame:
    tab = pd.DataFrame(PPM["cases"][name][kind])
    return tab[tab["component"] == component].reset_index(drop=True)


@pytest.mark.parametrize("name", sorted(PPM["cases"]))
@pytest.mark.parametrize("ci", ["percentile", "bc"])
def test_against_pyprocessmacro(name, ci):
    """Point estimates exact (1e-8); bootstrap SEs within 8 % and CI bounds within 0.25 boot
    SE of pyprocessmacro's (both 5,000 resamples, independent streams).

    Monte-Carlo error at B = 5,000: the SE of a bootstrap SE is about se/sqrt(2B) = 1 %, so
    the difference of two independent runs has SD 1.4 % (8 % is > 5 SD); a 2.5 % quantile has
    SD about 0.038 se (normal approximation), a difference 0.053 se, so 0.25 se is ~4.7 SD.
    """
    spec = PPM["cases"][name]["spec"]
    kind = "percentile" if ci == "percentile" else "bc"
    fit = _fit(spec, n_boot=PPM["n_boot"], seed=7, ci=ci)
    ref_ind = _ppm_rows(name, kind, "indirect")
    if fit.w is None:
        ours = fit.indirect[fit.indirect["path"] != "total"].reset_index(drop=True)
        # pyprocessmacro names a model-4 path by its mediator, a model-6 path in full
        names = [p if "->" in t else p.split(" -> ")[1] for p, t in zip(ours["path"],
                                                                       ref_ind["term"])]
        assert names == list(ref_ind["term"])
    else:
        ours = fit.indirect
        np.testing.assert_allclose(ours["w"], ref_ind[fit.w], rtol=1e-10)
    np.testing.assert_allclose(ours["effect"], ref_ind["estimate"], rtol=1e-8)
    np.testing.assert_allclose(ours["boot_se"], ref_ind["std_error"], rtol=0.08)
    tol = 0.25 * ref_ind["std_error"].to_numpy()
    assert np.all(np.abs(ours["ci_low"].to_numpy() - ref_ind["conf_low"].to_numpy()) < tol)
    assert np.all(np.abs(ours["ci_high"].to_numpy() - ref_ind["conf_high"].to_numpy()) < tol)
    # coefficients and their SEs of every outcome model
    ref_out = _ppm_rows(name, kind, "outcome")
    ref_out["term"] = ref_out["term"].str.replace("*", ":").replace({"Cons": "constant"})
    paths = fit.paths.set_index(["outcome", "term"])
    for r in ref_out.itertuples():
        term = r.term
        if term not in paths.loc[r.outcome].index:   # pyprocessmacro writes w*x as x*w
            a, b = term.split(":")
            term = f"{b}:{a}"
        assert paths.loc[(r.outcome, term), "b"] == pytest.approx(r.estimate, rel=1e-8)
        assert paths.loc[(r.outcome, term), "se"] == pytest.approx(r.std_error, rel=1e-8)
    ref_dir = _ppm_rows(name, kind, "direct")
    np.testing.assert_allclose(fit.direct["effect"], ref_dir["estimate"], rtol=1e-8)
    np.testing.assert_allclose(fit.direct["se"], ref_dir["std_error"], rtol=1e-8)
    ref_mm = _ppm_rows(name, kind, "index_mm")
    if fit.model in (7, 8, 14):
        imm = fit.index_of_moderated_mediation.iloc[0]
        r = ref_mm.iloc[0]
        assert imm["index"] == pytest.approx(r["estimate"], rel=1e-8)
        assert imm["boot_se"] == pytest.approx(r["std_error"], rel=0.08)
        assert abs(imm["ci_low"] - r["conf_low"]) < 0.25 * r["std_error"]
        assert abs(imm["ci_high"] - r["conf_high"]) < 0.25 * r["std_error"]
    else:
        # model 58: neither pyprocessmacro nor PROCESS reports an index (the effect is
        # quadratic in W); crmstudy reports the quadratic's coefficients instead
        assert ref_mm.empty and fit.index_of_moderated_mediation is None
        if fit.model == 58:
            q = fit.quadratic.set_index("coefficient")["estimate"]
            p = fit.paths.set_index(["outcome", "term"])["b"]
            a1, a3 = p[("respappr", "prot2")], p[("respappr", "prot2:sexism")]
            b1, b3 = p[("liking", "respappr")], p[("liking", "respappr:sexism")]
            assert q["constant"] == pytest.approx(a1 * b1, rel=1e-9)
            assert q["linear"] == pytest.approx(a1 * b3 + a3 * b1, rel=1e-9)
            assert q["quadratic"] == pytest.approx(a3 * b3, rel=1e-9)
    if fit.model in (4, 6) and len(fit.m) > 1:
        ref_tot = _ppm_rows(name, kind, "total")
        if not ref_tot.empty:
            tot = fit.indirect.set_index("path").loc["total"]
            assert tot["effect"] == pytest.approx(ref_tot["estimate"].iloc[0], rel=1e-8)
            assert tot["boot_se"] == pytest.approx(ref_tot["std_error"].iloc[0], rel=0.08)


# ---- the bootstrap itself ------------------------------------------------------------
def _sim(n=200, seed=0, a=0.3, b=0.3, cp=0.1, a3=0.0):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(n), rng.standard_normal(n)
    m = a * x + a3 * x * w + 0.2 * w + rng.standard_normal(n)
    y = b * m + cp * x + rng.standard_normal(n)
    return pd.DataFrame({"x": x, "w": w, "m": m, "y": y})


def test_batched_normal_equations_equal_per_resample_ols():
    d = _sim(n=57, seed=4)
    d["g"] = np.where(np.arange(57) % 3 == 0, "a", np.where(np.arange(57) % 3 == 1, "b", "c"))
    fit = M.process(d, 7, "x", "y", "m", w="w", controls=["g"], n_boot=100, seed=11)
    idx = M._draw_indices(np.random.default_rng(M._block_streams(11, 100)[0]), 100, 57)
    boot = fit.bootstrap_estimates()
    dum = pd.get_dummies(d["g"], drop_first=True, dtype=float).to_numpy()
    X = np.column_stack([np.ones(57), d.x, d.w, d.x * d.w, dum])
    for k in (0, 1, 57, 99):
        i = idx[k]
        coef = np.linalg.lstsq(X[i], d.m.to_numpy()[i], rcond=None)[0]
        np.testing.assert_allclose(boot["m"].iloc[k].to_numpy(), coef, rtol=1e-8, atol=1e-10)
    assert fit.conventions["bootstrap_replaced"] == 0


def test_chunks_give_the_same_resamples(monkeypatch):
    d = _sim(n=101, seed=2)
    monkeypatch.setattr(M, "_CHUNK_ELEMENTS", 101 * 500)     # one chunk
    full = M.process(d, 4, "x", "y", "m", n_boot=500, seed=5)
    monkeypatch.setattr(M, "_CHUNK_ELEMENTS", 101 * 37)      # 14 chunks, the last one short
    chunked = M.process(d, 4, "x", "y", "m", n_boot=500, seed=5)
    pd.testing.assert_frame_equal(full.indirect, chunked.indirect, rtol=1e-10)


def test_drawing_ahead_in_a_thread_changes_nothing(monkeypatch):
    # the blocks drawn ahead in a second thread (resampling.DrawAhead) are the blocks drawn
    # in the caller's thread, to the last bit, also with replaced singular resamples
    from crmstudy import resampling

    d = _sim(n=60, seed=8)
    d["rare"] = ["x"] * 2 + ["y"] * 58
    threaded, fits = [], []

    class Spy(resampling.DrawAhead):
        def __init__(self, *args, **kwargs):
            threaded.append(kwargs["threaded"])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(M, "DrawAhead", Spy)
    for minimum in (10 ** 12, 0):                  # in the caller's thread / drawn ahead
        monkeypatch.setattr(resampling, "THREAD_MIN_DRAWS", minimum)
        monkeypatch.setattr(M, "_CHUNK_ELEMENTS", 60 * 1000)   # 4 blocks a chunk
        monkeypatch.setattr(M, "_AHEAD_BLOCKS", 2)
        with pytest.warns(DataQualityWarning, match="replaced"):
            fits.append(M.process(d, 7, "x", "y", "m", w="w", controls=["rare"], n_boot=2000,
                                  seed=3))        # 8 blocks in a ring of 2 + 4 + 1 slots
    assert threaded == [False, True]
    for eq, boot in fits[0].bootstrap_estimates().items():
        pd.testing.assert_frame_equal(boot, fits[1].bootstrap_estimates()[eq], rtol=0, atol=0)


def test_replacements_do_not_depend_on_the_chunking(monkeypatch):
    # replacements are drawn round by round in one call, after every chunk is counted, so
    # a rare dummy (about 13 % of resamples singular) gives identical resamples either way
    d = _sim(n=60, seed=8)
    d["rare"] = ["x"] * 2 + ["y"] * 58
    fits = []
    for elements in (60 * 1000, 60 * 250):                 # 1 chunk / 4 chunks
        monkeypatch.setattr(M, "_CHUNK_ELEMENTS", elements)
        with pytest.warns(DataQualityWarning, match="replaced"):
            fits.append(M.process(d, 4, "x", "y", "m", controls=["rare"], n_boot=1000, seed=3))
    assert fits[0].conventions["bootstrap_replaced"] > 50
    assert fits[0].conventions["bootstrap_replaced"] == fits[1].conventions["bootstrap_replaced"]
    for eq, boot in fits[0].bootstrap_estimates().items():
        pd.testing.assert_frame_equal(boot, fits[1].bootstrap_estimates()[eq], rtol=1e-10)


def test_kept_work_arrays_do_not_leak_between_calls_or_threads():
    # the bootstrap keeps its work arrays per thread (mediation._scratch): fits of other
    # sizes in between, and the same fits in two threads at once, change nothing
    from concurrent.futures import ThreadPoolExecutor

    small, big = _sim(n=50, seed=1), _sim(n=400, seed=2)
    ref = [M.process(d, 7, "x", "y", "m", w="w", n_boot=600, seed=4) for d in (small, big)]
    assert ref[0].conventions["bootstrap_replaced"] == 0
    with ThreadPoolExecutor(2) as pool:
        again = list(pool.map(lambda d: M.process(d, 7, "x", "y", "m", w="w", n_boot=600,
                                                  seed=4), [big, small, big, small]))
    for fit, r in zip(again, [ref[1], ref[0]] * 2):
        for eq, boot in fit.bootstrap_estimates().items():
            pd.testing.assert_frame_equal(boot, r.bootstrap_estimates()[eq], rtol=0, atol=0)
    # and no returned array is a view of a kept work array
    kept = list(vars(M._SCRATCH).values())
    assert kept and not any(np.shares_memory(b, k) for b in ref[0]._boot.values() for k in kept)


def test_singular_resamples_are_replaced_and_counted():
    d = _sim(n=60, seed=8)
    d["rare"] = ["x"] * 2 + ["y"] * 58        # a dummy that many resamples miss
    with pytest.warns(DataQualityWarning, match=r"resamples .* replaced .*rare\[T.y\]"):
        fit = M.process(d, 4, "x", "y", "m", controls=["rare"], n_boot=400, seed=3)
    replaced = fit.conventions["bootstrap_replaced"]
    # P(neither of the 2 rare rows drawn) = (58/60)^60 ≈ 13 %: expect ~52 of 400
    assert 20 < replaced < 100
    assert np.isfinite(fit.indirect[["effect", "boot_se", "ci_low", "ci_high"]].to_numpy()).all()


def test_seed_reproduces_and_none_records_a_seed():
    d = _sim(seed=1)
    a = M.process(d, 4, "x", "y", "m", n_boot=300, seed=9)
    b = M.process(d, 4, "x", "y", "m", n_boot=300, seed=9)
    pd.testing.assert_frame_equal(a.indirect, b.indirect)
    c = M.process(d, 4, "x", "y", "m", n_boot=300)
    again = M.process(d, 4, "x", "y", "m", n_boot=300, seed=c.conventions["seed"])
    pd.testing.assert_frame_equal(c.indirect, again.indirect)


@pytest.mark.parametrize("model", [7, 8, 14, 58])
def test_centring_changes_paths_not_effects(model):
    d = _sim(seed=3, a3=0.2)
    d["w"] = d["w"] * 2 + 5                   # far from zero, so centring matters
    raw = M.process(d, model, "x", "y", "m", w="w", n_boot=300, seed=2)
    cen = M.process(d, model, "x", "y", "m", w="w", n_boot=300, seed=2, center=True)
    for col in ("w", "effect", "boot_se", "ci_low", "ci_high"):
        np.testing.assert_allclose(raw.indirect[col], cen.indirect[col], rtol=1e-8)
    np.testing.assert_allclose(raw.direct["effect"], cen.direct["effect"], rtol=1e-8)
    if model != 58:
        assert raw.index_of_moderated_mediation["index"].iloc[0] == pytest.approx(
            cen.index_of_moderated_mediation["index"].iloc[0], rel=1e-8)
    assert cen.conventions["centering"].startswith("mean-centred")
    assert raw.conventions["centering"] == "none"
    # the main effects themselves do change
    assert not np.allclose(raw.paths["b"], cen.paths["b"])


def test_conditional_indirect_at_any_values_and_percentiles():
    d = _sim(seed=5, a3=0.25)
    fit = M.process(d, 7, "x", "y", "m", w="w", n_boot=500, seed=1)
    p = fit.paths.set_index(["outcome", "term"])["b"]
    at = [-1.0, 0.0, 2.5]
    tab = fit.conditional_indirect(at=at)
    expected = (p[("m", "x")] + p[("m", "x:w")] * np.array(at)) * p[("y", "m")]
    np.testing.assert_allclose(tab["effect"], expected, rtol=1e-10)
    pct = fit.conditional_indirect(at="percentiles")
    np.testing.assert_allclose(pct["w"], np.percentile(d["w"], [16, 50, 84], method="weibull"))
    # PROCESS's percentiles (as pyprocessmacro 2.2 spotlight="percentiles" prints them for
    # psych::Garcia sexism): 4.250, 5.120, 5.896
    g = M.moderator_values(DATA["garcia.csv"], "sexism", "percentiles")
    np.testing.assert_allclose(g, [4.25, 5.12, 5.896], rtol=1e-12)
    assert list(pct["level"]) == ["p16", "p50", "p84"]
    mv = M.moderator_values(d, "w")
    assert mv.iloc[1] == pytest.approx(d["w"].mean()) and \
        mv.iloc[2] - mv.iloc[1] == pytest.approx(d["w"].std(ddof=1))
    # bias-corrected CI differs from the percentile one but brackets the estimate
    bc = M.process(d, 7, "x", "y", "m", w="w", n_boot=500, seed=1, ci="bc").indirect
    assert not np.allclose(bc["ci_low"], fit.indirect["ci_low"])
    assert (bc["ci_low"] < bc["effect"]).all() and (bc["effect"] < bc["ci_high"]).all()


# ---- truth recovery --------------------------------------------------------------------
def test_bootstrap_ci_coverage_of_known_indirect_effect():
    """Coverage of the 95 % percentile bootstrap CI of ab over 200 simulated data sets
    (n = 200, a = b = 0.3, ab = 0.09; 1,000 resamples each).  With 200 replications the
    binomial SD of a 95 % coverage is 1.5 points; the percentile interval of a product is
    known to be slightly liberal or conservative by a point or two at this n (MacKinnon et
    al. 2004), so the accepted band is 90 %-99 %.  The index of moderated mediation of model
    7 (a3 b = 0.2 * 0.3 = 0.06) is checked the same way over 100 data sets (band 88 %-100 %).
    """
    hits = 0
    for seed in range(200):
        fit = M.process(_sim(seed=10_000 + seed), 4, "x", "y", "m", n_boot=1000, seed=seed)
        r = fit.indirect.iloc[0]
        hits += r["ci_low"] <= 0.09 <= r["ci_high"]
    print(f"coverage of ab: {hits / 200:.3f}")
    assert 0.90 <= hits / 200 <= 0.99, hits
    hits = 0
    for seed in range(100):
        fit = M.process(_sim(seed=20_000 + seed, a3=0.2), 7, "x", "y", "m", w="w",
                        n_boot=1000, seed=seed)
        r = fit.index_of_moderated_mediation.iloc[0]
        hits += r["ci_low"] <= 0.06 <= r["ci_high"]
    print(f"coverage of the index of moderated mediation: {hits / 100:.2f}")
    assert 0.88 <= hits / 100 <= 1.0, hits


# ---- bad input -----------------------------------------------------------------------
@pytest.fixture
def d():
    return _sim(n=80, seed=6)


def test_mediator_equal_to_x_or_y(d):
    with pytest.raises(ParameterError, match="also the x") as e:
        M.process(d, 4, "x", "y", "x")
    assert e.value.column == "x"
    with pytest.raises(ParameterError, match="also the y"):
        M.process(d, 4, "x", "y", ["m", "y"])


def test_missing_and_non_numeric_columns(d):
    with pytest.raises(InputDataError, match="not in the data") as e:
        M.process(d, 4, "x", "y", "mediator")
    assert e.value.column == "mediator"
    d2 = d.astype({"m": object})
    d2.loc[7, "m"] = "n/a"
    with pytest.raises(InputDataError, match="not numeric") as e:
        M.process(d2, 4, "x", "y", "m")
    assert e.value.column == "m" and e.value.row == 7


def test_constant_and_collinear_variables(d):
    with pytest.raises(InputDataError, match="constant") as e:
        M.process(d.assign(k=3.0), 4, "x", "y", "m", controls=["k"])
    assert e.value.column == "k"
    with pytest.raises(ModelFitError, match="collinear") as e:
        M.process(d.assign(k=2 * d["x"] - 1), 4, "x", "y", "m", controls=["k"])
    assert e.value.column in ("x", "k")


def test_too_few_respondents():
    small = _sim(n=6, seed=1)
    small["g"] = ["a", "b", "c", "d", "a", "b"]
    with pytest.raises(ModelFitError, match="too few respondents: 6 complete rows for 6"):
        M.process(small, 4, "x", "y", "m", controls=["g"])
    # no complete respondent at all: said so (the resamples drawn meanwhile are dropped)
    with pytest.warns(DataQualityWarning), pytest.raises(InputDataError, match="no respondent"):
        M.process(small.assign(x=np.nan), 4, "x", "y", "m")


def test_arguments(d):
    with pytest.raises(ParameterError, match="model 5"):
        M.process(d, 5, "x", "y", "m")
    with pytest.raises(ParameterError, match="needs a moderator"):
        M.process(d, 7, "x", "y", "m")
    with pytest.raises(ParameterError, match="has no moderator"):
        M.process(d, 4, "x", "y", "m", w="w")
    with pytest.raises(ParameterError, match="second moderator"):
        M.process(d, 7, "x", "y", "m", w="w", z="x")
    with pytest.raises(ParameterError, match="two mediators"):
        M.process(d, 6, "x", "y", "m")
    with pytest.raises(ParameterError, match="n_boot"):
        M.process(d, 4, "x", "y", "m", n_boot=10)
    with pytest.raises(ParameterError, match="CI method"):
        M.process(d, 4, "x", "y", "m", ci="bca")
    with pytest.raises(ParameterError, match="hc"):
        M.process(d, 4, "x", "y", "m", hc="HC5")
    with pytest.raises(ParameterError, match="reference level"):
        M.process(d.assign(g=np.where(d.x > 0, "hi", "lo")), 4, "x", "y", "m",
                  controls=["g"], reference={"g": "mid"})
    with pytest.raises(ParameterError, match="moderator"):
        M.process(d, 4, "x", "y", "m", n_boot=100).conditional_indirect()
    assert issubclass(ParameterError, CrmStudyError)


def test_listwise_deletion_warns(d):
    d.loc[[3, 4], "m"] = np.nan
    with pytest.warns(DataQualityWarning, match="2 of 80 rows"):
        fit = M.process(d, 4, "x", "y", "m", n_boot=100, seed=1)
    assert fit.n == 78


def test_categorical_control_reference_level():
    d = DATA["tal_or.csv"]
    a = M.process(d, 4, "cond", "reaction", "pmi", controls=["gender"], n_boot=100, seed=1)
    b = M.process(d, 4, "cond", "reaction", "pmi", controls=["gender"], n_boot=100, seed=1,
                  reference={"gender": "g2"})
    assert "gender[T.g2]" in a.control_terms and "gender[T.g1]" in b.control_terms
    assert "gender = g2" in b.conventions["dummies"]
    # the reference level changes the dummy, not the effects
    assert a.indirect["effect"].iloc[0] == pytest.approx(b.indirect["effect"].iloc[0])


# ---- tables and write-up ---------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tables_and_report(lang):
    d = DATA["tal_or.csv"]
    fit = M.process(d, 4, "cond", "reaction", "pmi", n_boot=1000, seed=1)
    eff = fit.table(lang)
    assert eff.shape[0] == 3 and eff.attrs["note"]
    assert ("效应值" if lang == "zh" else "Effect") in eff.columns
    paths = fit.table(lang, "paths")
    assert paths.shape[1] == 2 and ("R²" in paths.index)
    text = fit.report(lang)
    r = fit.indirect.iloc[0]
    assert len(text) == 1 and f"{r['effect']:.3f}" in text[0] and f"{r['ci_low']:.3f}" in text[0]
    assert ("间接效应" in text[0]) if lang == "zh" else ("indirect effect" in text[0])
    assert isinstance(fit.summary(), str) and "Indirect" in fit.summary()
    g = DATA["garcia.csv"]
    mod = M.process(g, 7, "prot2", "liking", "respappr", w="sexism", n_boot=1000, seed=1)
    lines = mod.report(lang)
    assert len(lines) == 1 + 3
    assert ("有调节的中介指数" in lines[0]) if lang == "zh" else ("index of moderated" in lines[0])
    for model in (7, 8, 14, 58):              # every moderated model has its effects table
        fit_m = M.process(g, model, "prot2", "liking", "respappr", w="sexism", n_boot=200,
                          seed=1)
        eff = fit_m.table(lang)
        assert len(eff) == len(fit_m.direct) + len(fit_m.indirect)
        assert fit_m.table(lang, "paths").shape[1] == 2
        assert "sexism" in fit_m.summary()
    cond = mod.table(lang, "conditional")
    assert cond.shape == (3, 7)
    assert mod.table(lang, "index").shape == (1, 5)
    with pytest.raises(ParameterError):
        mod.table(lang, "sobel")


def test_result_is_frozen():
    fit = M.process(_sim(), 4, "x", "y", "m", n_boot=100, seed=1)
    with pytest.raises(Exception):
        fit.model = 7


def test_mediation_does_not_import_plotting():
    import subprocess
    import sys
    code = "import sys, crmstudy.mediation; print('crmstudy.plotting' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# ---- figure ----------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_conditional_indirect_plot(lang, tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from crmstudy.plotting import save_figure, set_theme
    from crmstudy.plotting.mediation import conditional_indirect_plot

    set_theme(lang=lang)
    g = DATA["garcia.csv"]
    fit = M.process(g, 7, "prot2", "liking", "respappr", w="sexism", n_boot=500, seed=1)
    lab = {"sexism": "性别歧视感知" if lang == "zh" else "Perceived sexism"}
    fig = conditional_indirect_plot(fit, lang=lang, labels=lab, grid=51)
    ax = fig.axes[0]
    assert ax.get_xlabel() == lab["sexism"]
    line = ax.get_lines()[0]
    x, y = line.get_xdata(), line.get_ydata()
    assert len(x) == 51 and x[0] == pytest.approx(g["sexism"].min())
    # the curve is the conditional indirect effect (a1 + a3 w) b
    p = fit.paths.set_index(["outcome", "term"])["b"]
    expected = (p[("respappr", "prot2")] + p[("respappr", "prot2:sexism")] * x) * \
        p[("liking", "respappr")]
    np.testing.assert_allclose(y, expected, rtol=1e-10)
    paths = save_figure(fig, tmp_path / "cie", formats=("png",))
    assert paths[0].stat().st_size > 1000
    with pytest.raises(ParameterError, match="no moderator"):
        conditional_indirect_plot(M.process(g, 4, "prot2", "liking", "respappr", n_boot=100,
                                            seed=1), lang=lang)
    plt.close("all")


def test_serial_three_mediators_order_and_identity():
    rng = np.random.default_rng(12)
    n = 250
    x = rng.standard_normal(n)
    m1 = 0.5 * x + rng.standard_normal(n)
    m2 = 0.4 * m1 + 0.2 * x + rng.standard_normal(n)
    m3 = 0.3 * m2 + 0.2 * m1 + rng.standard_normal(n)
    y = 0.3 * m3 + 0.2 * m2 + 0.1 * m1 + 0.1 * x + rng.standard_normal(n)
    d = pd.DataFrame({"x": x, "m1": m1, "m2": m2, "m3": m3, "y": y,
                      "sector": rng.choice(["a", "b", "c"], n)})
    fit = M.process(d, 6, "x", "y", ["m1", "m2", "m3"], controls=["sector"], n_boot=300,
                    seed=1)
    chains = [p.split(" -> ")[1:-1] for p in fit.indirect["path"] if p != "total"]
    # PROCESS's order of the seven specific indirect effects
    assert chains == [["m1"], ["m1", "m2"], ["m1", "m3"], ["m1", "m2", "m3"], ["m2"],
                      ["m2", "m3"], ["m3"]]
    p = fit.paths.set_index(["outcome", "term"])["b"]
    ind = fit.indirect.set_index("path")["effect"]
    assert ind["x -> m1 -> m2 -> m3 -> y"] == pytest.approx(
        p[("m1", "x")] * p[("m2", "m1")] * p[("m3", "m2")] * p[("y", "m3")], rel=1e-12)
    # total = direct + total indirect (OLS identity with the same controls)
    assert fit.total["effect"].iloc[0] == pytest.approx(
        fit.direct["effect"].iloc[0] + ind["total"], rel=1e-10)
    tab = fit.table("zh", "paths")
    assert "sector：b" in tab.index and tab.index[-3] == "常数项"


def test_index_of_moderated_mediation_matches_lavaan_defined_parameter():
    """lavaan ``imm := a3*b`` and ``(a1 + a3*5)*b`` on psych::Garcia (model 7): the point
    estimates agree to 1e-8 (ML and OLS give the same coefficients in this recursive model).
    lavaan's delta-method SE (0.125) is smaller than the bootstrap SE (≈ 0.166, as PROCESS and
    pyprocessmacro find too), because a product of coefficients is not normal: the reason the
    bootstrap is the recommended test (温忠麟 & 叶宝娟 2014)."""
    lav = R["lavaan_garcia_m7"]
    fit = M.process(DATA["garcia.csv"], 7, "prot2", "liking", "respappr", w="sexism",
                    n_boot=2000, seed=4)
    imm = fit.index_of_moderated_mediation.iloc[0]
    assert imm["index"] == pytest.approx(lav["imm"]["est"], rel=1e-8)
    at5 = fit.conditional_indirect(at=[5.0]).iloc[0]
    assert at5["effect"] == pytest.approx(lav["ind_at_5"]["est"], rel=1e-8)
    assert imm["boot_se"] > lav["imm"]["se"]


@pytest.mark.parametrize("n_boot", [100, 5000, 5001])
def test_bootstrap_quantiles_are_numpys(n_boot):
    # the CI reads two order statistics per bound from a partial sort (np.partition): the
    # same as np.quantile's default rule (R type 7) to rounding (1e-14), with ties, at the
    # ends, and with a different quantile per column (the bias-corrected interval)
    rng = np.random.default_rng(n_boot)
    draws = rng.standard_normal((n_boot, 3))
    draws[:10, 1] = draws[10, 1]
    for q in (0.0, 0.025, 0.5, 0.975, 1.0):
        np.testing.assert_allclose(M._quantiles(draws, [np.full(3, q)])[0],
                                   np.quantile(draws, q, axis=0), rtol=1e-14, atol=0)
    qs = np.array([0.01, 0.3, 0.99])
    low, high = M._quantiles(draws, [qs, 1 - qs])
    for j in range(3):
        np.testing.assert_allclose([low[j], high[j]], np.quantile(draws[:, j], [qs[j], 1 - qs[j]]),
                                   rtol=1e-14, atol=0)
