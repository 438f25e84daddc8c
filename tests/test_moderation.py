"""Tests of crmstudy.moderation.

Reference values: tests/reference/moderation/moderation_reference.json, written by
make_reference.R (R 4.2.2: lm, anova, car::vif, sandwich::vcovHC(type = "HC3"),
lmtest::waldtest, and the Johnson-Neyman quadratic checked with uniroot) on mtcars and
state.x77 (CSV copies next to it).  R writes the JSON with full double precision
(jsonlite digits = NA), so the tolerances below only allow for floating-point differences
between two implementations of the same linear algebra.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmstudy import moderation as M
from crmstudy.errors import DataQualityWarning, InputDataError, ModelFitError, ParameterError

REF_DIR = Path(__file__).parent / "reference" / "moderation"
REF = json.loads((REF_DIR / "moderation_reference.json").read_text(encoding="utf-8"))
CASES = {c["name"]: c for c in REF["cases"]}
RTOL = 1e-7     # same double-precision computation in R and numpy; differences ~1e-12
ATOL = 1e-10


def _data(case) -> pd.DataFrame:
    if case["name"] == "mtcars":
        return pd.read_csv(REF_DIR / "mtcars.csv", dtype={"cyl": str})
    return pd.read_csv(REF_DIR / "state_x77.csv")


def _r_term(term: str) -> str:
    """R coefficient name -> statsmodels/patsy name."""
    if term == "(Intercept)":
        return "Intercept"
    if term.startswith("cyl") and term[3:].isdigit():
        return f"cyl[T.{term[3:]}]"
    return term


def _fit(case, cov_type="HC3"):
    return M.moderated_regression(_data(case), case["y"], case["x"], case["w"],
                                  controls=case["controls"], center=case["center"],
                                  cov_type=cov_type)


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request):
    return CASES[request.param]


def test_steps_match_r_anova_and_waldtest(case):
    fit = _fit(case, "HC3")
    ref = pd.DataFrame(case["steps"]).set_index("step")
    got = fit.steps
    assert list(got.index) == list(ref.index)
    for col in ["r2", "adj_r2", "delta_r2", "f_change", "p_change", "wald_f", "wald_p"]:
        np.testing.assert_allclose(got[col], ref[col], rtol=RTOL, atol=ATOL, err_msg=col)
    np.testing.assert_array_equal(got["df1"], ref["df1"])
    np.testing.assert_array_equal(got["df2"], ref["df2"])
    assert fit.hierarchy.formulas == tuple(case["formulas"])


@pytest.mark.parametrize("cov_type,suffix", [("HC3", "_hc3"), ("nonrobust", "")])
def test_coefficients_every_step_match_r(case, cov_type, suffix):
    fit = _fit(case, cov_type)
    for k, rows in enumerate(case["coefficients"], start=1):
        ref = pd.DataFrame(rows)
        ref.index = [_r_term(t) for t in ref["term"]]
        got = fit.hierarchy.step_coefficients(k).loc[ref.index]
        np.testing.assert_allclose(got["b"], ref["b"], rtol=RTOL, atol=ATOL)
        for mine, theirs in [("se", "se"), ("t", "t"), ("p", "p"), ("ci_low", "ci_low"),
                             ("ci_high", "ci_high")]:
            np.testing.assert_allclose(got[mine], ref[theirs + suffix], rtol=RTOL, atol=ATOL,
                                       err_msg=f"step {k} {mine} {cov_type}")
        np.testing.assert_allclose(got["beta"].iloc[1:], ref["beta"].iloc[1:].astype(float),
                                   rtol=RTOL)


def test_vif_matches_car(case):
    fit = _fit(case)
    for k, rows in enumerate(case["vif"], start=1):
        mine = fit.hierarchy.vif.query("step == @k").set_index("term")
        if not rows:       # car::vif refuses models with fewer than two terms
            assert mine["gvif"].isna().all()
            continue
        ref = pd.DataFrame(rows).set_index("term")
        mine = mine.loc[ref.index]
        np.testing.assert_allclose(mine["gvif"], ref["gvif"], rtol=1e-7)
        np.testing.assert_allclose(mine["gvif_adj"], ref["gvif_adj"], rtol=1e-7)
        np.testing.assert_array_equal(mine["df"], ref["df"])


@pytest.mark.parametrize("cov_type", ["HC3", "nonrobust"])
def test_simple_slopes_match_r(case, cov_type):
    fit = _fit(case, cov_type)
    got = fit.simple_slopes()
    ref = pd.DataFrame(case["simple_slopes"][cov_type])
    assert list(got.columns[:7]) == ["w", "slope", "se", "t", "p", "ci_low", "ci_high"]
    for col in ["w", "slope", "se", "t", "p", "ci_low", "ci_high"]:
        np.testing.assert_allclose(got[col], ref[col], rtol=RTOL, atol=ATOL, err_msg=col)


@pytest.mark.parametrize("cov_type", ["HC3", "nonrobust"])
def test_johnson_neyman_bounds_match_r(case, cov_type):
    fit = _fit(case, cov_type)
    for ref in case["johnson_neyman"][cov_type]:
        jn = fit.johnson_neyman(alpha=ref["alpha"])
        assert jn.significant_inside == ref["significant_inside"]
        assert len(jn.bounds) == len(ref["bounds"])
        # 1e-9 relative: the roots of a quadratic lose a few digits to cancellation
        np.testing.assert_allclose(jn.bounds, ref["bounds"], rtol=1e-9)
        np.testing.assert_allclose(jn.bounds, ref["bounds_uniroot"], rtol=1e-9)
        np.testing.assert_allclose(jn.t_crit, ref["t_crit"], rtol=1e-10)
        # at a bound the slope is exactly significant: |t| = t_crit
        if jn.bounds:
            at = fit.conditional_effects(list(jn.bounds), alpha=ref["alpha"])
            np.testing.assert_allclose(at["t"].abs(), jn.t_crit, rtol=1e-8)
        else:  # no bound to check only when R found none either
            assert ref["bounds"] == [] and ref["bounds_uniroot"] == []


def test_uncentered_coefficients_match_r_fit_on_raw_data(case):
    fit = _fit(case)
    ref = pd.DataFrame(case["uncentered"])
    ref.index = [_r_term(t) for t in ref["term"]]
    got = fit.uncentered().loc[ref.index]
    np.testing.assert_allclose(got["b"], ref["b"], rtol=1e-7)
    np.testing.assert_allclose(got["se"], ref["se_hc3"], rtol=1e-7)


def test_centering_is_a_reparametrisation():
    case = CASES["state_x77"]
    data = _data(case)
    args = dict(y="Murder", x="Illiteracy", w="Income", controls=["Population", "Frost"])
    c = M.moderated_regression(data, center=True, **args)
    u = M.moderated_regression(data, center=False, **args)
    np.testing.assert_allclose(c.steps["r2"], u.steps["r2"], rtol=1e-12)
    assert c.params[c.interaction] == pytest.approx(u.params[u.interaction], rel=1e-10)
    assert c.bse[c.interaction] == pytest.approx(u.bse[u.interaction], rel=1e-8)
    np.testing.assert_allclose(c.johnson_neyman().bounds, u.johnson_neyman().bounds, rtol=1e-8)
    pd.testing.assert_frame_equal(c.simple_slopes(), u.simple_slopes(), rtol=1e-8)
    # centred main effect = slope at the mean of w
    at_mean = u.simple_slopes(at=[u.w_mean])
    assert c.params["Illiteracy"] == pytest.approx(at_mean["slope"].iloc[0], rel=1e-9)
    assert c.hierarchy.centered == pytest.approx({"Illiteracy": data["Illiteracy"].mean(),
                                                  "Income": data["Income"].mean()})
    assert u.hierarchy.centered == {}


def test_conditional_slopes_agree_with_statsmodels_t_test():
    fit = _fit(CASES["mtcars"])
    res = fit.hierarchy.final
    names = list(res.model.exog_names)
    values = np.array([1.5, 2.7, 3.3, 5.0])
    mine = fit.conditional_effects(values)
    for v, row in zip(values, mine.itertuples()):
        r = np.zeros(len(names))
        r[names.index("hp")] = 1.0
        r[names.index("hp:wt")] = v - fit.w_shift
        tt = res.t_test(r)
        assert row.slope == pytest.approx(float(np.squeeze(tt.effect)), rel=1e-10)
        assert row.se == pytest.approx(float(np.squeeze(tt.sd)), rel=1e-10)
        assert row.p == pytest.approx(float(np.squeeze(tt.pvalue)), rel=1e-8)


def test_simple_slopes_other_points():
    fit = _fit(CASES["mtcars"])
    pct = fit.simple_slopes(at="percentiles")
    np.testing.assert_allclose(pct["w"], np.percentile(_data(CASES["mtcars"])["wt"],
                                                       [16, 50, 84]))
    assert list(pct["label"]) == ["P16", "P50", "P84"]
    custom = fit.simple_slopes(at=[2, 3])
    np.testing.assert_allclose(custom["w"], [2, 3])
    with pytest.raises(ParameterError):
        fit.simple_slopes(at="quartiles")


# ---- Johnson-Neyman logic against a dense grid (independent of the quadratic) ----------
@pytest.mark.parametrize("b1,b3,V,kind", [
    (0.05, 0.50, [[0.04, 0.0], [0.0, 0.01]], "outside"),        # weak at 0, strong far out
    (1.00, 0.05, [[0.04, 0.0], [0.0, 0.01]], "inside"),         # strong near 0 only
    (1.00, 0.00, [[0.01, 0.0], [0.0, 0.0001]], "inside"),
    (0.10, 0.01, [[0.04, 0.0], [0.0, 0.01]], "nowhere"),
    # "everywhere" needs a slope that never crosses zero: only a known-zero interaction
    (2.00, 0.00, [[0.01, 0.0], [0.0, 0.0]], "everywhere"),
])
def test_jn_kind_and_bounds_agree_with_grid(b1, b3, V, kind):
    df = 100
    bounds, got_kind, a = M.johnson_neyman_bounds(b1, b3, np.array(V), df, 0.05)
    assert got_kind == kind
    grid = np.linspace(-60, 60, 240001)
    sig = M.conditional_slopes(b1, b3, np.array(V), grid, df)["p"].to_numpy() < 0.05
    if kind == "everywhere":
        assert sig.all() and bounds == ()
    elif kind == "nowhere":
        assert not sig.any() and bounds == ()
    else:
        lo, hi = bounds
        inside = (grid > lo) & (grid < hi)
        expected = inside if kind == "inside" else ~inside
        far = np.minimum(np.abs(grid - lo), np.abs(grid - hi)) > 1e-3
        np.testing.assert_array_equal(sig[far], expected[far])


def test_jn_linear_case_single_bound():
    # t² V_ww = b3² makes the quadratic linear: one bound
    df, alpha = 50, 0.05
    from scipy import stats
    t2 = stats.t.ppf(1 - alpha / 2, df) ** 2
    b3 = 0.3
    V = np.array([[0.02, 0.0], [0.0, b3 ** 2 / t2]])
    bounds, kind, _ = M.johnson_neyman_bounds(0.4, b3, V, df, alpha)
    assert kind in ("above", "below") and len(bounds) == 1
    sl = M.conditional_slopes(0.4, b3, V, [bounds[0]], df)
    assert abs(sl["t"].iloc[0]) == pytest.approx(np.sqrt(t2), rel=1e-9)


# ---- tables, several outcomes --------------------------------------------------------
def test_tables_bilingual_and_multi_outcome():
    data = _data(CASES["state_x77"])
    multi = M.moderated_regressions(data, ["Murder", "HS_Grad"], x="Illiteracy", w="Income",
                                    controls=["Population", "Frost"])
    assert set(multi.results) == {"Murder", "HS_Grad"}
    assert multi.steps.index.names == ["outcome", "step"]
    single = M.moderated_regression(data, "HS_Grad", "Illiteracy", "Income",
                                    controls=["Population", "Frost"])
    pd.testing.assert_frame_equal(multi.results["HS_Grad"].steps, single.steps)
    zh, en = multi.table("zh"), multi.table("en")
    assert "样本量" in zh.index and "N" in en.index
    assert list(en.columns) == ["Murder", "HS_Grad"]
    assert "Illiteracy × Income" in en.index
    named = single.table("zh", labels={"Illiteracy": "文盲率", "Income": "收入"})
    assert "文盲率 × 收入" in named.index and "截距" in named.index
    assert set(multi.johnson_neyman.columns) >= {"kind", "lower", "upper"}
    text = single.summary("zh")
    assert "简单斜率" in text and "Johnson-Neyman" in text
    beta = single.table("en", stat="beta")
    assert "Intercept" not in beta.index


def test_predict_lines_reproduce_fitted_model():
    fit = _fit(CASES["state_x77_centered"])
    lines = fit.predict_lines(points=5)
    assert set(lines["label"]) == {"mean - 1 SD", "mean", "mean + 1 SD"}
    # at x = mean, w = mean with controls at their means the prediction is the mean fit
    res = fit.hierarchy.final
    row = pd.DataFrame({c: [fit.hierarchy.data[c].mean()] for c in fit.hierarchy.data})
    for v, m in fit.hierarchy.centered.items():
        row[v] = row[v] - m
    expected = float(res.predict(row).iloc[0])
    at_mean = fit.predict_lines(w_at=[fit.w_mean], points=3)
    x_mid = np.interp(fit.x_mean, at_mean["x"], at_mean["y_hat"])
    assert x_mid == pytest.approx(expected, rel=1e-9)


# ---- bad input -------------------------------------------------------------------------
@pytest.fixture()
def toy():
    rng = np.random.default_rng(7)
    n = 60
    d = pd.DataFrame({"x": rng.normal(size=n), "w": rng.normal(size=n),
                      "size": rng.normal(size=n), "ind": rng.choice(["a", "b", "c"], n)})
    d["y"] = 0.5 * d.x + 0.3 * d.w + 0.2 * d.x * d.w + rng.normal(size=n)
    return d


def test_missing_column_named(toy):
    with pytest.raises(InputDataError) as err:
        M.moderated_regression(toy, "y", "x", "dyn")
    assert err.value.column == "dyn"


def test_non_numeric_predictor_named(toy):
    bad = toy.assign(w=toy["ind"])
    with pytest.raises(InputDataError) as err:
        M.moderated_regression(bad, "y", "x", "w")
    assert err.value.column == "w" and "not numeric" in str(err.value)
    with pytest.raises(InputDataError) as err:
        M.moderated_regression(toy.assign(y=toy["ind"]), "y", "x", "w")
    assert err.value.column == "y"


def test_constant_predictor_named(toy):
    with pytest.raises(InputDataError) as err:
        M.moderated_regression(toy.assign(w=3.0), "y", "x", "w")
    assert err.value.column == "w" and "constant" in str(err.value)


def test_perfect_collinearity_named(toy):
    bad = toy.assign(size2=2 * toy["size"] + 1)
    with pytest.raises(ModelFitError) as err:
        M.moderated_regression(bad, "y", "x", "w", controls=["size", "size2"])
    assert "collinear" in str(err.value) and err.value.column in ("size", "size2")


def test_too_few_rows(toy):
    with pytest.raises(ModelFitError, match="too few rows"):
        M.moderated_regression(toy.head(6), "y", "x", "w", controls=["size", "ind"])


def test_listwise_deletion_warns_with_counts_and_does_not_mutate(toy):
    d = toy.copy()
    d.loc[[0, 5], "w"] = np.nan
    d.loc[9, "y"] = np.nan
    before = d.copy()
    with pytest.warns(DataQualityWarning, match=r"3 of 60 rows dropped.*y \(1\), w \(2\)"):
        fit = M.moderated_regression(d, "y", "x", "w", controls=["ind"])
    assert fit.n == 57 and fit.hierarchy.n_dropped == 3
    pd.testing.assert_frame_equal(d, before)
    assert set(fit.params.index) >= {"ind[T.b]", "ind[T.c]", "x:w"}


def test_categorical_controls_text_and_category_dtype_agree(toy):
    as_text = M.moderated_regression(toy, "y", "x", "w", controls=["ind"])
    cat = toy.assign(ind=pd.Categorical(toy["ind"], categories=["a", "b", "c", "unused"]))
    as_cat = M.moderated_regression(cat, "y", "x", "w", controls=["ind"])   # unused level dropped
    pd.testing.assert_series_equal(as_text.params, as_cat.params, rtol=1e-12)
    assert "ind[T.unused]" not in as_cat.params.index
    with pytest.raises(InputDataError, match="constant"):
        M.moderated_regression(toy.assign(ind="a"), "y", "x", "w", controls=["ind"])


def test_bad_parameters(toy):
    with pytest.raises(ParameterError):
        M.moderated_regression(toy, "y", "x", "w", cov_type="HC9")
    with pytest.raises(ParameterError):
        M.moderated_regression(toy, "y", "x", "x")
    with pytest.raises(ParameterError):
        M.hierarchical_regression(toy, "y", [["x"], ["x", "w"]])
    with pytest.raises(ParameterError):
        M.moderated_regression(toy, "y", "x", "w").johnson_neyman(alpha=1.5)


def test_hierarchical_regression_custom_blocks(toy):
    res = M.hierarchical_regression(toy, "y", {"controls": ["size", "ind"], "main": "x + w",
                                               "product": ["x:w"]}, center=False,
                                    cov_type="classical")
    assert list(res.steps.columns[:2]) == ["block", "terms"]
    assert list(res.steps["block"]) == ["controls", "main", "product"]
    assert res.cov_type == "nonrobust" and res.centered == {}
    assert list(res.steps["df1"]) == [3, 2, 1]
    # ΔR² adds up to the final R²
    assert res.steps["delta_r2"].sum() == pytest.approx(res.steps["r2"].iloc[-1], rel=1e-12)


# ---- recovery of the generating interaction on the simulated study -------------------
def test_interaction_coverage_on_simulated_latent_truth():
    """Coverage of the 95 % HC3 CI of capability:ED over many simulated studies.

    The generating coefficients are on the latent, standardised scale, so the test regresses
    truth.latent outcomes on truth.latent predictors plus the controls of the survey; the
    CI should cover the true value in about 95 % of seeds.  With 60 seeds the 95 % binomial
    interval of the count is 53-60, so the test asks for at least 52 of 60 (86.7 %).
    """
    from crmstudy import simulate  # part of the package: a missing simulator is a failure

    seeds = range(1000, 1060)
    hits = {"financial": 0, "customer": 0, "innovation": 0}
    start = time.perf_counter()
    for seed in seeds:
        study = simulate.crm_survey(n_firms=300, seed=seed)
        lat = study.truth.latent
        resp = study.responses.set_index("firm_id")
        d = lat.join(resp[["firm_size", "firm_age", "ownership", "industry"]])
        d["log_size"] = np.log(d["firm_size"])
        for outcome, column in [("financial", "perf_financial"), ("customer", "perf_customer"),
                                ("innovation", "perf_innovation")]:
            true = study.truth.coefficients.loc["capability:ED", outcome]
            # one block = the final step of moderated_regression (same fit, a third the time)
            fit = M.hierarchical_regression(
                d, column, [["log_size", "firm_age", "ownership", "industry", "capability",
                             "ED", "capability:ED"]], center=False, cov_type="HC3")
            row = fit.step_coefficients(-1).loc["capability:ED"]
            hits[outcome] += int(row["ci_low"] <= true <= row["ci_high"])
    elapsed = time.perf_counter() - start
    coverage = {k: v / len(seeds) for k, v in hits.items()}
    print(f"coverage of capability:ED over {len(seeds)} seeds: {coverage} ({elapsed:.1f} s)")
    for outcome, count in hits.items():
        assert count >= 52, f"{outcome}: CI covered the true interaction in {count}/60 seeds"


# ---- figures -------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_render_with_labels(lang):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from crmstudy.plotting import set_theme
    from crmstudy.plotting.moderation import interaction_plot, johnson_neyman_plot

    set_theme(lang=lang)
    fit = _fit(CASES["mtcars"])
    jn = fit.johnson_neyman()
    fig = johnson_neyman_plot(jn, lang=lang, labels={"hp": "马力" if lang == "zh" else "Horsepower"})
    ax = fig.axes[0]
    assert ax.get_xlabel() == "wt"
    assert ("马力" if lang == "zh" else "Horsepower") in ax.get_ylabel()
    # the shaded region of significance ends at the in-range J-N bound
    spans = [p for p in ax.patches if p.get_label().startswith(("显著", "Region"))]
    assert spans
    vlines = [ln for ln in ax.lines if ln.get_label() == "J-N 边界" or ln.get_label() == "J-N bound"]
    assert len(vlines) == 1 and vlines[0].get_xdata()[0] == pytest.approx(jn.bounds[1])
    fig2 = interaction_plot(fit, lang=lang)
    assert len(fig2.axes[0].get_lines()) == 3
    fig3, ax3 = plt.subplots()
    assert johnson_neyman_plot(jn, lang=lang, ax=ax3) is fig3
    plt.close("all")


def test_label_columns_bilingual():
    fit = _fit(CASES["mtcars"])
    zh = M.label_columns(fit.simple_slopes(), "zh")
    en = M.label_columns(fit.steps, "en")
    assert "斜率" in zh.columns and "F change" in en.columns
    with pytest.raises(ParameterError):
        M.label_columns(fit.steps, "fr")


# ---- column names that are not Python identifiers ----------------------------------------
ODD = {"y": "销售额-2023", "x": "Solar.R", "w": "企业规模(人)", "c": "行业 类别", "z": "class"}


def _odd_data() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 150
    d = pd.DataFrame({"x": rng.normal(5, 2, n), "w": rng.normal(50, 10, n),
                      "c": rng.choice(["制造", "服务", "零售"], n), "z": rng.normal(size=n)})
    d["y"] = (1 + 0.4 * d.x + 0.02 * d.w + 0.03 * (d.x - 5) * (d.w - 50) + 0.3 * d.z
              + (d.c == "服务") * 0.5 + rng.normal(size=n))
    return d


def test_column_names_that_are_not_identifiers_match_statsmodels_on_renamed_columns():
    """R/SPSS names (dots, brackets, hyphens, spaces, CJK, a Python keyword) are accepted; the
    numbers are those of statsmodels fitted on the same data with identifier names (centred by
    hand), and every table shows the user's names.  Tolerance 1e-10: the same computation."""
    import statsmodels.formula.api as smf

    plain = _odd_data()
    odd = plain.rename(columns=ODD)
    fit = M.moderated_regression(odd, ODD["y"], x=ODD["x"], w=ODD["w"],
                                 controls=[ODD["c"], ODD["z"]])
    ref_data = plain.assign(x=plain.x - plain.x.mean(), w=plain.w - plain.w.mean())
    ref = smf.ols("y ~ c + z + x + w + x:w", data=ref_data).fit(cov_type="HC3", use_t=True)
    names = {"Intercept": "Intercept", "c[T.零售]": f"{ODD['c']}[T.零售]",
             "c[T.服务]": f"{ODD['c']}[T.服务]", "z": ODD["z"], "x": ODD["x"], "w": ODD["w"],
             "x:w": f"{ODD['x']}:{ODD['w']}"}
    expected = ref.params.rename(index=names)
    assert list(fit.params.index) == list(expected.index)
    np.testing.assert_allclose(fit.params, expected, rtol=0, atol=1e-10)
    np.testing.assert_allclose(fit.bse, ref.bse.rename(index=names), rtol=0, atol=1e-10)
    coef = fit.hierarchy.step_coefficients()
    assert list(coef.index) == list(expected.index)
    np.testing.assert_allclose(coef["p"], ref.pvalues.to_numpy(), rtol=1e-9, atol=1e-14)
    assert set(fit.hierarchy.vif["term"]) == {ODD["c"], ODD["z"], ODD["x"], ODD["w"],
                                              f"{ODD['x']}:{ODD['w']}"}
    assert fit.hierarchy.formulas[-1] == (f"{ODD['y']} ~ {ODD['c']} + {ODD['z']} + {ODD['x']} + "
                                          f"{ODD['w']} + {ODD['x']}:{ODD['w']}")
    # the slope of x at w = mean is b_x; Johnson-Neyman and simple slopes name the user's columns
    slopes = fit.simple_slopes()
    assert slopes.loc[slopes["label"] == "mean", "slope"].item() == pytest.approx(
        ref.params["x"], abs=1e-10)
    assert ODD["w"] in fit.johnson_neyman().text("en")
    unc = fit.hierarchy.uncentered()
    assert ODD["x"] in unc.index and "_crm" not in " ".join(map(str, unc.index))
    assert fit.hierarchy.table(lang="en").to_string().count("_crm") == 0


def test_odd_names_give_the_same_numbers_as_identifier_names():
    plain = _odd_data()
    odd = plain.rename(columns=ODD)
    blocks = [["c", "z"], ["x", "w"], ["x:w"]]
    odd_blocks = [[ODD[v] for v in blocks[0]], [ODD[v] for v in blocks[1]],
                  [f"{ODD['x']}:{ODD['w']}"]]
    a = M.hierarchical_regression(plain, "y", blocks)
    b = M.hierarchical_regression(odd, ODD["y"], odd_blocks)
    pd.testing.assert_frame_equal(a.steps.drop(columns="terms"), b.steps.drop(columns="terms"))
    np.testing.assert_allclose(a.coefficients.drop(columns="term").to_numpy(float),
                               b.coefficients.drop(columns="term").to_numpy(float), atol=1e-12)
    # a column called C(...) or with a colon is taken whole, not parsed as a call/interaction
    weird = plain.rename(columns={"x": "C(x)", "w": "a:b"})
    c = M.hierarchical_regression(weird, "y", [["c", "z"], ["C(x)", "a:b"]])
    assert list(c.step_coefficients().index[-2:]) == ["C(x)", "a:b"]
    np.testing.assert_allclose(c.step_coefficients()["b"].to_numpy()[-2:],
                               a.step_coefficients(2)["b"].to_numpy()[-2:], atol=1e-12)


def test_johnson_neyman_cross_covariance_term_by_hand():
    """A covariance whose off-diagonal term V_x,xw dominates: the bounds must solve
    (b_x + b_xw w)^2 = t^2 (V_xx + 2 w V_x,xw + w^2 V_xw,xw), found here independently by
    bracketing |t(w)| - t_crit with brentq, and differ from the bounds without the cross term
    (so a mutation dropping it cannot pass)."""
    from scipy import optimize, stats as st

    b_x, b_xw, df, alpha = 0.2, 0.1, 100.0, 0.05
    V = np.array([[0.01, 0.004], [0.004, 0.0025]])
    t_crit = st.t.ppf(1 - alpha / 2, df)

    def excess(w, v01):
        se = np.sqrt(V[0, 0] + 2 * w * v01 + w * w * V[1, 1])
        return abs(b_x + b_xw * w) / se - t_crit

    def roots(v01):
        grid = np.linspace(-200, 200, 40001)
        vals = np.array([excess(w, v01) for w in grid])
        change = np.nonzero(np.sign(vals[:-1]) != np.sign(vals[1:]))[0]
        return [optimize.brentq(excess, grid[i], grid[i + 1], args=(v01,), xtol=1e-14)
                for i in change]

    expected = roots(V[0, 1])
    assert len(expected) == 2
    bounds, kind, _ = M.johnson_neyman_bounds(b_x, b_xw, V, df, alpha)
    np.testing.assert_allclose(bounds, expected, rtol=1e-9)
    without = roots(0.0)
    # the term matters here: without it there is one bound in [-200, 200], not two
    assert len(without) != 2 or np.max(np.abs(np.subtract(expected, without))) > 0.1
    slopes = M.conditional_slopes(b_x, b_xw, V, np.array(bounds), df)
    np.testing.assert_allclose(slopes["t"].abs(), t_crit, rtol=1e-9)
    w = np.array([-3.0, 0.5, 4.0])
    se_by_hand = np.sqrt(V[0, 0] + 2 * w * V[0, 1] + w ** 2 * V[1, 1])
    np.testing.assert_allclose(M.conditional_slopes(b_x, b_xw, V, w, df)["se"], se_by_hand,
                               rtol=1e-14)
