"""Pareto/NBD, MBG/NBD, sBG and BG/BB against their published examples and lifetimes.

Published values (``tests/reference/btyd/lifetimes_btyd_reference.json``, key "published"):
Pareto/NBD on the CDNOW 1-in-10 sample, 39-week calibration, r=0.55, alpha=10.58, s=0.61,
beta=11.67, LL=-9595.0 (Fader & Hardie 2005 note); sBG on Fader & Hardie (2007) years 0-7,
high end alpha=0.668, beta=3.806, LL=-1611.2, regular alpha=0.704, beta=1.182, LL=-1680.3;
BG/BB on the 11,104 donors, alpha=1.204, beta=0.750, gamma=0.657, delta=2.783, LL=-33,225.6
(Fader, Hardie & Shang 2010).  Peer values from lifetimes 0.11.3 made by
``tests/reference/btyd/make_reference.py`` (run once in a throwaway venv; CI never imports
lifetimes).  Tolerances are stated at each assertion.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

from crmstudy import datasets
from crmstudy.customer_value import (BetaGeo, BetaGeoBetaBinom, GammaGamma, ModifiedBetaGeo, ParetoNBD,
                                     ShiftedBetaGeometric, compare_models, customer_lifetime_value,
                                     holdout_check)
from crmstudy.errors import InputDataError, ModelFitError, ParameterError
from _customer_value_fixtures import cdnow_sample_summary, peer_table

REF = Path(__file__).parent / "reference" / "btyd"
REFERENCE = json.loads((REF / "lifetimes_btyd_reference.json").read_text())
PUBLISHED = REFERENCE["published"]


@pytest.fixture(scope="module")
def sample_summary():
    return cdnow_sample_summary()


@pytest.fixture(scope="module")
def hardie():
    """Hardie's CDNOW summary with the lifetimes predictions (same inputs for both libraries)."""
    return peer_table(REF / "lifetimes_cdnow_sample_btyd.csv")


@pytest.fixture(scope="module")
def pnbd(sample_summary):
    return ParetoNBD().fit(sample_summary)


def _with_params(model, params):
    """The fitted model with the peer's estimates: compares formulas, not optimisers."""
    model.params_ = {k: float(params[k]) for k in model.PARAMS}
    return model


# --------------------------------------------------------------------------------------------
# Pareto/NBD
# --------------------------------------------------------------------------------------------
def test_pareto_nbd_reproduces_the_published_cdnow_estimates(pnbd):
    pub = PUBLISHED["pnbd"]
    # the note reports 2 decimals: agreement to the last published digit
    assert {k: round(v, 2) for k, v in pnbd.params_.items()} == {k: pub[k] for k in ("r", "alpha", "s", "beta")}
    assert pnbd.log_likelihood_ == pytest.approx(pub["log_likelihood"], abs=0.05)
    assert pnbd.time_unit_ == "W" and pnbd.n_customers_ == 2357


def test_pareto_nbd_matches_lifetimes(hardie):
    ours = ParetoNBD().fit(hardie)
    peer = REFERENCE["pnbd_cdnow_sample"]
    for k in ParetoNBD.PARAMS:  # lifetimes stops Nelder-Mead at tol 1e-4: 0.1 % on the estimates
        assert ours.params_[k] == pytest.approx(peer[k], rel=1e-3)
    # ours is at least as high a maximum as lifetimes' (same likelihood evaluated at both)
    at_peer = _with_params(ParetoNBD().fit(hardie), peer).log_likelihood(hardie).sum()
    assert ours.log_likelihood_ >= at_peer - 1e-6
    model = _with_params(ParetoNBD().fit(hardie), peer)
    np.testing.assert_allclose(model.p_alive(hardie), hardie["pnbd_p_alive"], rtol=1e-6)
    np.testing.assert_allclose(model.conditional_expected_purchases(39, hardie), hardie["pnbd_expected_39"],
                               rtol=1e-6)
    ts = [1.0, 10.0, 39.0, 78.0]
    np.testing.assert_allclose(model.expected_purchases(ts),
                               [REFERENCE["pnbd_expected_purchases"][str(t)] for t in ts], rtol=1e-8)


def test_pareto_nbd_likelihood_equals_its_integral_form():
    """Independent check of the 2F1 form (both branches alpha >= beta and alpha < beta):
    L = C [(α+T)^-(r+x) (β+T)^-s + s ∫_{t_x}^T (α+τ)^-(r+x) (β+τ)^-(s+1) dτ] by quadrature."""
    rows = pd.DataFrame({"frequency": [0, 1, 4, 12, 2], "recency": [0, 3.5, 20.0, 30.0, 39.0],
                         "T": [39.0, 38.0, 39.0, 35.0, 39.0]})
    rows.attrs["time_unit"] = "W"
    for params in ({"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67},
                   {"r": 0.8, "alpha": 20.0, "s": 1.3, "beta": 4.0}):
        model = ParetoNBD()
        model.params_, model.time_unit_ = params, "W"
        r, a, s, b = (params[k] for k in ParetoNBD.PARAMS)
        expected = []
        for x, tx, T in rows.to_numpy():
            integral = integrate.quad(lambda u: (a + u) ** -(r + x) * (b + u) ** -(s + 1), tx, T,
                                      epsabs=0, epsrel=1e-12)[0]
            c = special.gammaln(r + x) - special.gammaln(r) + r * np.log(a) + s * np.log(b)
            expected.append(c + np.log((a + T) ** -(r + x) * (b + T) ** -s + s * integral))
        np.testing.assert_allclose(model.log_likelihood(rows), expected, rtol=1e-9)


def test_pareto_nbd_value_and_survival_predictions(pnbd, sample_summary):
    r, a, s, b = (pnbd.params_[k] for k in ParetoNBD.PARAMS)
    row = sample_summary.iloc[[5]]
    p = pnbd.p_alive(row).iloc[0]
    x, T = row["frequency"].iloc[0], row["T"].iloc[0]
    delta = np.log(1.15) / 52
    # DET = P(alive) E[λ] ∫ P(alive at T+t | alive at T) e^{-δt} dt, by quadrature (FHL 2005b)
    integral = integrate.quad(lambda t: ((b + T) / (b + T + t)) ** s * np.exp(-delta * t), 0, np.inf)[0]
    assert pnbd.discounted_expected_transactions(row, delta).iloc[0] == pytest.approx(
        p * (r + x) / (a + T) * integral, rel=1e-7)
    surv = pnbd.conditional_survival([0, 10, 52], sample_summary)
    np.testing.assert_allclose(surv[0.0], pnbd.p_alive(sample_summary))
    assert (surv[52.0] < surv[10.0]).all()
    assert pnbd.survival(0) == 1.0 and pnbd.survival(52) < 1
    # s < 1 here: the expected residual lifetime is infinite, and stated so
    assert np.isinf(pnbd.expected_residual_lifetime(row)).all()
    with pytest.raises(ParameterError):
        pnbd.discounted_expected_transactions(row, 0.0)


def test_pareto_nbd_expectation_is_continuous_at_s_equal_one(sample_summary):
    model = ParetoNBD()
    model.time_unit_ = "W"
    values = []
    for s in (1 - 1e-7, 1.0, 1 + 1e-7):
        model.params_ = {"r": 0.5, "alpha": 10.0, "s": s, "beta": 12.0}
        values.append(model.conditional_expected_purchases(39, sample_summary.iloc[:50]).to_numpy())
    np.testing.assert_allclose(values[0], values[1], rtol=1e-6)
    np.testing.assert_allclose(values[2], values[1], rtol=1e-6)


def test_pareto_nbd_on_the_master_file_matches_lifetimes():
    master = pd.read_csv(Path(__file__).parent / "reference" / "customer_value" /
                         "lifetimes_master_summary.csv.gz", index_col=0)
    weeks = master / 7.0
    weeks["frequency"] = master["frequency"]
    weeks.attrs["time_unit"] = "W"
    ours = ParetoNBD().fit(weeks)
    at_peer = _with_params(ParetoNBD().fit(weeks), REFERENCE["pnbd_cdnow_master_weeks"]).log_likelihood(weeks).sum()
    assert ours.log_likelihood_ >= at_peer - 1e-6
    for k in ParetoNBD.PARAMS:  # lifetimes' Nelder-Mead tolerance: 0.2 %
        assert ours.params_[k] == pytest.approx(REFERENCE["pnbd_cdnow_master_weeks"][k], rel=2e-3)


def test_pareto_nbd_that_cannot_converge_is_a_model_fit_error():
    # every repeat buyer bought at the very end: no one looks dead, s runs to 0
    table = pd.DataFrame({"frequency": [1.0, 2.0, 3.0, 0.0] * 50, "recency": [30.0, 30.0, 30.0, 0.0] * 50,
                          "T": [30.0] * 200})
    table.attrs["time_unit"] = "W"
    with pytest.raises(ModelFitError, match="did not converge"):
        ParetoNBD().fit(table)


@pytest.mark.parametrize("model", [ParetoNBD, ModifiedBetaGeo])
def test_bad_summaries_are_located_errors(model, sample_summary):
    bad = sample_summary.copy()
    bad.iloc[3, bad.columns.get_loc("recency")] = bad["T"].iloc[3] + 5
    with pytest.raises(InputDataError) as err:
        model().fit(bad)
    assert err.value.row == bad.index[3] and err.value.column == "recency"
    bad = sample_summary.copy()
    bad.iloc[7, bad.columns.get_loc("frequency")] = 1.5
    with pytest.raises(InputDataError) as err:
        model().fit(bad)
    assert err.value.row == bad.index[7] and err.value.column == "frequency"
    bad = sample_summary.copy()
    bad.iloc[2, bad.columns.get_loc("frequency")] = -1
    with pytest.raises(InputDataError):
        model().fit(bad)
    with pytest.raises(InputDataError, match="empty"):
        model().fit(sample_summary.iloc[:0])
    fitted = model().fit(sample_summary)
    days = sample_summary.copy()
    days.attrs = dict(sample_summary.attrs, time_unit="D")
    with pytest.raises(ParameterError, match="unit"):
        fitted.p_alive(days)
    with pytest.raises(ParameterError, match="not fitted"):
        model().p_alive(sample_summary)


# --------------------------------------------------------------------------------------------
# MBG/NBD
# --------------------------------------------------------------------------------------------
def test_mbg_nbd_matches_lifetimes(hardie):
    ours = ModifiedBetaGeo().fit(hardie)
    peer = REFERENCE["mbg_cdnow_sample"]
    for k in ModifiedBetaGeo.PARAMS:
        assert ours.params_[k] == pytest.approx(peer[k], rel=1e-4)
    at_peer = _with_params(ModifiedBetaGeo().fit(hardie), peer).log_likelihood(hardie).sum()
    assert ours.log_likelihood_ >= at_peer - 1e-6
    assert ours.log_likelihood(hardie).sum() == pytest.approx(ours.log_likelihood_, rel=1e-12)
    model = _with_params(ModifiedBetaGeo().fit(hardie), peer)
    np.testing.assert_allclose(model.p_alive(hardie), hardie["mbg_p_alive"], rtol=1e-8)
    np.testing.assert_allclose(model.conditional_expected_purchases(39, hardie), hardie["mbg_expected_39"],
                               rtol=1e-8)
    ts = [1.0, 10.0, 39.0, 78.0]
    np.testing.assert_allclose(model.expected_purchases(ts),
                               [REFERENCE["mbg_expected_purchases"][str(t)] for t in ts], rtol=1e-8)


def test_mbg_nbd_gradient_is_the_derivative_of_its_likelihood(sample_summary):
    x, tx, T = (sample_summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    d = ModifiedBetaGeo._prepare(x, tx, T, None)
    logp = np.log([0.5, 6.0, 0.9, 1.6])
    _, grad = ModifiedBetaGeo._loglik_and_grad(logp, d)
    h = 1e-6
    numeric = [(ModifiedBetaGeo._loglik_and_grad(logp + e, d)[0] - ModifiedBetaGeo._loglik_and_grad(logp - e, d)[0])
               / (2 * h) for e in np.eye(4) * h]
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-4)


def test_mbg_one_time_buyers_may_be_dead(sample_summary):
    m = ModifiedBetaGeo().fit(sample_summary)
    p = m.p_alive(sample_summary)
    once = sample_summary["frequency"] == 0
    assert (p[once] < 1).all() and (p[once] > 0).all()  # unlike BG/NBD, where it is exactly 1
    assert (BetaGeo().fit(sample_summary).p_alive(sample_summary)[once] == 1).all()


# --------------------------------------------------------------------------------------------
# Model comparison and CLV
# --------------------------------------------------------------------------------------------
def test_compare_models_on_the_cdnow_holdout(sample_summary, pnbd):
    bg, mbg = BetaGeo().fit(sample_summary), ModifiedBetaGeo().fit(sample_summary)
    comp = compare_models({"BG/NBD": bg, "MBG/NBD": mbg, "Pareto/NBD": pnbd}, sample_summary, lang="zh")
    assert list(comp.fit.index) == ["BG/NBD", "MBG/NBD", "Pareto/NBD"]
    assert comp.fit.loc["BG/NBD", "log_likelihood"] == pytest.approx(bg.log_likelihood_)
    assert comp.fit.loc["Pareto/NBD", "aic"] == pytest.approx(8 - 2 * pnbd.log_likelihood_)
    actual = sample_summary["frequency_holdout"].sum()
    assert (comp.fit["holdout_actual"] == actual).all()
    check = holdout_check(pnbd, sample_summary)
    np.testing.assert_allclose(comp.by_frequency["Pareto/NBD"], check["predicted"])
    np.testing.assert_allclose(comp.fit.loc["Pareto/NBD", "holdout_mae"],
                               np.mean(np.abs(check["predicted"] - check["actual"])))
    assert comp.best() in comp.fit.index
    assert comp.fit.attrs["labels"]["aic"] == "AIC"
    with pytest.raises(ParameterError):
        comp.best("nonsense")
    with pytest.raises(ParameterError, match="not fitted"):
        compare_models({"x": ParetoNBD()}, sample_summary)


def test_clv_with_pareto_nbd_and_gamma_gamma(sample_summary, pnbd):
    gg = GammaGamma().fit(sample_summary)
    clv = customer_lifetime_value(pnbd, gg, sample_summary, months=6, discount_rate=0.0)
    units = 6 * clv.units_per_month
    expected = gg.conditional_expected_spend(sample_summary) * pnbd.conditional_expected_purchases(units, sample_summary)
    np.testing.assert_allclose(clv.clv, expected, rtol=1e-10)  # no discounting: spend × E[Y(6 months)]


# --------------------------------------------------------------------------------------------
# sBG
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def retention():
    return datasets.load("retention_fh2007").set_index("year")


@pytest.mark.parametrize("cohort", ["high_end", "regular"])
def test_sbg_reproduces_fader_hardie_2007(retention, cohort):
    pub = PUBLISHED["sbg"][cohort]
    m = ShiftedBetaGeometric().fit(retention[cohort].iloc[:8])
    # published to 3 decimals, LL to 1 decimal
    assert {k: round(v, 3) for k, v in m.params_.items()} == {"alpha": pub["alpha"], "beta": pub["beta"]}
    assert m.log_likelihood_ == pytest.approx(pub["log_likelihood"], abs=0.05)
    hold = m.holdout_check(retention[cohort])
    assert list(hold.index) == [8, 9, 10, 11, 12]
    assert hold["error_pct"].abs().max() < 5  # the paper's point: years 8-12 projected within 5 %
    rates = m.retention_rate(np.arange(1, 13))
    assert np.all(np.diff(rates) > 0)  # heterogeneity: aggregate retention rises with tenure


def test_sbg_derl_and_del_equal_their_series(retention):
    m = ShiftedBetaGeometric().fit(retention["regular"].iloc[:8])
    d, z = 0.1, 1 / 1.1
    t = np.arange(0, 5000)
    S = m.survival(t)
    assert m.discounted_expected_lifetime(d) == pytest.approx(np.sum(S * z ** t), rel=1e-10)
    for n in (1, 2, 5):  # n - 1 renewals made; the next renewal's payment undiscounted
        series = np.sum(S[n:] / S[n - 1] * z ** (t[n:] - n))
        assert m.discounted_expected_residual_lifetime(d, renewals=n - 1) == pytest.approx(series, rel=1e-10)
    assert m.discounted_expected_lifetime(d) == pytest.approx(1 + z * m.discounted_expected_residual_lifetime(d, 0))
    assert m.clv(100, d) == pytest.approx(100 * m.discounted_expected_lifetime(d))
    table = m.value_table(100, d, max_renewals=5)
    assert table["derl"].is_monotonic_increasing  # survivors are the more loyal customers
    with pytest.raises(ModelFitError, match="infinite"):
        m.expected_residual_lifetime(0)  # alpha < 1: no finite undiscounted lifetime
    assert np.isclose(m.churn_probability(np.arange(1, 2000)).sum(), 1, atol=1e-2)


def test_sbg_bad_input_is_located():
    with pytest.raises(InputDataError, match="increase") as err:
        ShiftedBetaGeometric().fit(pd.Series([1000, 800, 850, 700], index=[2019, 2020, 2021, 2022]))
    assert err.value.row == 2021
    with pytest.raises(InputDataError, match="whole number"):
        ShiftedBetaGeometric().fit([1000, 800.5, 700])
    with pytest.raises(InputDataError, match="negative"):
        ShiftedBetaGeometric().fit([1000, -1])
    with pytest.raises(InputDataError, match="at least two"):
        ShiftedBetaGeometric().fit([1000])
    with pytest.raises(InputDataError, match="empty"):
        ShiftedBetaGeometric().fit([0, 0])
    with pytest.raises(ModelFitError, match="churned"):
        ShiftedBetaGeometric().fit([500, 500, 500])


# --------------------------------------------------------------------------------------------
# BG/BB
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def donations():
    return datasets.load("donations")


@pytest.fixture(scope="module")
def bgbb(donations):
    return BetaGeoBetaBinom().fit(donations)


def test_bgbb_reproduces_fader_hardie_shang_2010(bgbb):
    pub = PUBLISHED["bgbb"]
    assert {k: round(v, 3) for k, v in bgbb.params_.items()} == {k: pub[k] for k in BetaGeoBetaBinom.PARAMS}
    assert bgbb.log_likelihood_ == pytest.approx(pub["log_likelihood"], abs=0.05)
    assert bgbb.n_customers_ == 11104


def test_bgbb_matches_lifetimes(bgbb, donations):
    peer = REFERENCE["bgbb_donations"]
    for k in BetaGeoBetaBinom.PARAMS:
        assert bgbb.params_[k] == pytest.approx(peer[k], rel=1e-5)
    table = pd.read_csv(REF / "lifetimes_donations_bgbb.csv")
    model = _with_params(BetaGeoBetaBinom().fit(donations), peer)
    np.testing.assert_allclose(model.p_alive(table), table["p_alive_next"], rtol=1e-8)
    np.testing.assert_allclose(model.conditional_expected_transactions(5, table), table["expected_5"], rtol=1e-8)
    np.testing.assert_allclose(model.frequency_distribution(6) * 11104, REFERENCE["bgbb_frequency_distribution_6"],
                               rtol=1e-8)


def test_bgbb_expectations_equal_sums_over_survival(bgbb, donations):
    a, b, g, d = (bgbb.params_[k] for k in BetaGeoBetaBinom.PARAMS)
    # new customer: E[X(n)] = α/(α+β) Σ_{j=1..n} B(γ, δ+j)/B(γ, δ)
    j = np.arange(1, 11)
    S = np.exp(special.betaln(g, d + j) - special.betaln(g, d))
    assert bgbb.expected_transactions(10) == pytest.approx(a / (a + b) * S.sum(), rel=1e-10)
    # DERT: the discounted sum of E[p · alive at n+k | data]
    x, tx, n = (donations[c].to_numpy(float) for c in ("frequency", "recency", "n_periods"))
    ll = bgbb.log_likelihood(donations).to_numpy()
    k = np.arange(1, 4000)
    Sk = np.exp(special.betaln(g, d + n[:, None] + k) - special.betaln(g, d))
    series = np.exp(special.betaln(a + x + 1, b + n - x) - special.betaln(a, b) - ll) * (Sk / 1.1 ** k).sum(axis=1)
    np.testing.assert_allclose(bgbb.discounted_expected_residual_transactions(donations, 0.1), series, rtol=1e-9)
    clv = bgbb.customer_lifetime_value(donations, 0.1, value_per_transaction=50)
    np.testing.assert_allclose(clv, 50 * series, rtol=1e-9)


def _simulate_bgbb(n_customers, n_occasions, params, seed):
    """BG/BB truth: p ~ Beta(α, β), θ ~ Beta(γ, δ); before each occasion die w.p. θ, else transact w.p. p."""
    rng = np.random.default_rng(seed)
    p = rng.beta(params["alpha"], params["beta"], n_customers)
    theta = rng.beta(params["gamma"], params["delta"], n_customers)
    death = rng.geometric(theta)  # first occasion at which the customer is dead
    occ = np.arange(1, n_occasions + 1)
    alive = occ[None, :] < death[:, None]
    buys = alive & (rng.random((n_customers, n_occasions)) < p[:, None])
    return buys


def test_bgbb_recovers_simulated_truth_and_its_holdout():
    truth = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8}
    buys = _simulate_bgbb(20_000, 11, truth, seed=15)
    cal, hold = buys[:, :6], buys[:, 6:]
    x = cal.sum(axis=1)
    tx = np.where(x > 0, 6 - np.argmax(cal[:, ::-1], axis=1), 0)
    table = pd.DataFrame({"frequency": x, "recency": tx, "n_periods": 6, "frequency_holdout": hold.sum(axis=1)})
    m = BetaGeoBetaBinom().fit(table)
    for k, v in truth.items():  # within 4 standard errors of the truth
        assert abs(m.params_[k] - v) < 4 * m.se_[k], (k, m.params_[k], m.se_[k])
    check = m.holdout_check(table, n_holdout=5)
    assert check["customers"].sum() == 20_000
    # group means of 5 holdout occasions: predicted within 0.1 transactions of the actual
    np.testing.assert_allclose(check["predicted"], check["actual"], atol=0.1)


def test_bgbb_bad_input_is_located(donations):
    bad = donations.copy()
    bad.loc[4, "recency"] = 7
    with pytest.raises(InputDataError, match="incompatible") as err:
        BetaGeoBetaBinom().fit(bad)
    assert err.value.row == 4
    bad = donations.copy()
    bad.loc[9, "frequency"] = 5  # more transactions than occasions up to the last one
    with pytest.raises(InputDataError, match="incompatible") as err:
        BetaGeoBetaBinom().fit(bad)
    assert err.value.row == 9
    bad = donations.copy()
    bad.loc[2, "weight"] = -3
    with pytest.raises(InputDataError) as err:
        BetaGeoBetaBinom().fit(bad)
    assert err.value.row == 2 and err.value.column == "weight"
    with pytest.raises(InputDataError, match="missing"):
        BetaGeoBetaBinom().fit(donations.drop(columns="n_periods"))
    with pytest.raises(InputDataError, match="empty"):
        BetaGeoBetaBinom().fit(donations.iloc[:0])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_btyd_figures_draw_their_results(sample_summary, pnbd, retention, lang):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from crmstudy.plotting import customer_value as cvplot

    comp = compare_models({"BG/NBD": BetaGeo().fit(sample_summary), "Pareto/NBD": pnbd}, sample_summary)
    fig = cvplot.model_comparison_plot(comp, lang=lang)
    lines = fig.axes[0].get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), comp.by_frequency["actual"])
    np.testing.assert_allclose(lines[2].get_ydata(), comp.by_frequency["Pareto/NBD"])
    m = ShiftedBetaGeometric().fit(retention["high_end"].iloc[:8])
    proj = m.project(survivors=retention["high_end"])
    fig = cvplot.retention_plot(proj, lang=lang)
    np.testing.assert_allclose(fig.axes[0].get_lines()[1].get_ydata(), proj["expected"])
    assert all(ax.get_title() for ax in fig.axes)
    plt.close("all")


def test_bgbb_survival_curve(bgbb):
    g, d = bgbb.params_["gamma"], bgbb.params_["delta"]
    assert bgbb.survival(0) == 1.0
    assert bgbb.survival(1) == pytest.approx(d / (g + d), rel=1e-12)  # E[1 − θ]
    assert np.all(np.diff(bgbb.survival(np.arange(0, 20))) < 0)


def _simulate_pnbd(n, truth, seed, t_star=39.0):
    """Pareto/NBD truth: λ ~ Gamma(r, α), μ ~ Gamma(s, β), lifetime ~ Exp(μ); T uniform 30-40 weeks."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(truth["r"], 1 / truth["alpha"], n)
    mu = rng.gamma(truth["s"], 1 / truth["beta"], n)
    life = rng.exponential(1 / mu)
    T = rng.uniform(30, 40, n)
    alive_cal = np.minimum(life, T)
    x = rng.poisson(lam * alive_cal)
    tx = np.where(x > 0, alive_cal * rng.random(n) ** (1 / np.maximum(x, 1)), 0.0)  # max of x uniforms
    hold = rng.poisson(lam * np.clip(life - T, 0, t_star))
    return x, tx, T, hold


def _simulate_mbg(n, truth, seed, t_star=39.0):
    """MBG/NBD truth: K ~ purchases before death, P(K=k) = (1−p)^k p; x = min(Poisson(λT), K)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(truth["r"], 1 / truth["alpha"], n)
    p = rng.beta(truth["a"], truth["b"], n)
    K = rng.geometric(p) - 1
    T = rng.uniform(30, 40, n)
    y1, y2 = rng.poisson(lam * T), rng.poisson(lam * t_star)
    x = np.minimum(y1, K)
    # arrival times given y1 arrivals are uniform order statistics: the x-th is T · Beta(x, y1 − x + 1)
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1), np.maximum(y1 - x + 1, 1)), 0.0)
    hold = np.minimum(y1 + y2, K) - x
    return x, tx, T, hold


@pytest.mark.parametrize("model, simulate, truth", [
    (ParetoNBD, _simulate_pnbd, {"r": 0.55, "alpha": 10.6, "s": 0.6, "beta": 11.7}),
    (ModifiedBetaGeo, _simulate_mbg, {"r": 0.5, "alpha": 6.0, "a": 0.9, "b": 1.6}),
])
def test_simulated_truth_is_recovered_and_the_holdout_predicted(model, simulate, truth):
    x, tx, T, hold = simulate(30_000, truth, seed=2015)
    table = pd.DataFrame({"frequency": x.astype(float), "recency": tx, "T": T,
                          "frequency_holdout": hold.astype(float), "duration_holdout": 39.0})
    table.attrs["time_unit"] = "W"
    m = model().fit(table)
    for k, v in truth.items():  # within 4 standard errors of the truth
        assert abs(m.params_[k] - v) < 4 * m.se_[k], (k, m.params_[k], m.se_[k])
    check = holdout_check(m, table)
    # mean holdout purchases per calibration-frequency group: predicted within 4 standard errors
    # of the group's actual mean (plus 0.02 for the estimation error of the parameters)
    groups = pd.Series(hold).groupby(np.minimum(x, 7))
    se = (groups.std() / np.sqrt(groups.size())).to_numpy()
    assert np.all(np.abs(check["predicted"].to_numpy() - check["actual"].to_numpy()) < 4 * se + 0.02)
    # the unconditional expectation E[X(T_i)], averaged, equals the mean simulated count (4 SE)
    assert np.mean(m.expected_purchases(T)) == pytest.approx(np.mean(x), abs=4 * np.std(x) / np.sqrt(len(x)))
