"""The simulated study: determinism, the shipped instance, and recovery of the known truth.

Tolerances are stated per check; recovery checks use a large n so that sampling error is small
compared with the tolerance.
"""
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from crmstudy import datasets
from crmstudy.errors import ParameterError
from crmstudy.simulate import SHIPPED_SEED, crm_survey
from crmstudy.simulate.survey import COEFFICIENTS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def big():
    return crm_survey(n_firms=20_000, seed=7)


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = crm_survey(200, seed=1), crm_survey(200, seed=1), crm_survey(200, seed=2)
    pd.testing.assert_frame_equal(a.responses, b.responses)
    pd.testing.assert_frame_equal(a.financials, b.financials)
    pd.testing.assert_frame_equal(a.truth.latent, b.truth.latent)
    assert not a.responses.drop(columns="firm_id").equals(c.responses.drop(columns="firm_id"))


def test_shipped_instance_matches_generator():
    spec = importlib.util.spec_from_file_location("make_data", ROOT / "data/crm_survey/make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    study = module.build()
    assert study.truth.seed == SHIPPED_SEED
    shipped = datasets.load("crm_survey")
    expected = study.responses.astype({"ownership": "str", "industry": "str"})
    got = shipped.astype({"ownership": "str", "industry": "str"})
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    pd.testing.assert_frame_equal(datasets.load("crm_financials"), study.financials,
                                  check_dtype=False, atol=0.005, rtol=0)  # written to 2 decimals
    latent = datasets.load("crm_latent").set_index("firm_id")
    pd.testing.assert_frame_equal(latent, study.truth.latent, check_dtype=False,
                                  check_index_type=False, rtol=1e-9)  # %.10g in the CSV
    truth = datasets.load("crm_truth")
    assert truth["coefficients"]["customer"]["capability:ED"] == 0.2
    assert truth["careless_ids"] == list(study.truth.careless_ids)
    codebook = datasets.load("crm_codebook")
    assert codebook["item"].tolist() == study.codebook["item"].tolist()


def test_layout_of_responses_and_codebook():
    study = crm_survey(100, seed=3)
    items = study.codebook["item"].tolist()
    assert study.responses.columns[0] == "firm_id"
    assert items[:17] == ["A11", "A12", "A13", "A14", "A21", "A22", "A23", "A24", "A25", "A26",
                          "A27", "A31", "A32", "A33", "A34", "A35", "A36"]
    assert study.codebook.loc[study.codebook["reverse"], "item"].tolist() == ["ED3"]
    assert set(study.codebook["construct"]) == {"A1", "A2", "A3", "ED", "CP", "IP"}
    values = study.responses[items].to_numpy()
    assert np.isin(values, [1, 2, 3, 4, 5, 6, 7, 99, -9]).all()
    assert len(study.financials) == 100 * 5


def test_missing_and_careless_rates(big):
    items = big.codebook["item"].tolist()
    values = big.responses[items]
    attentive = ~big.responses["firm_id"].isin(big.truth.careless_ids)
    missing = values[attentive].isin([99, -9]).to_numpy().mean()
    assert abs(missing - 0.02) < 0.002  # binomial SE ~ 0.0002
    careless = values[~attentive].replace({99: np.nan, -9: np.nan})
    assert (careless.nunique(axis=1) == 1).all()  # straight-lining
    assert len(big.truth.careless_ids) == round(0.03 * 20_000)
    passed = big.responses["attention_check"] == 2
    assert passed[attentive].mean() > 0.97 and passed[~attentive].mean() < 0.35


def _clean(study):
    items = study.codebook["item"].tolist()
    keep = ~study.responses["firm_id"].isin(study.truth.careless_ids)
    return study.responses.loc[keep, items].replace({99: np.nan, -9: np.nan}), keep


def test_items_correlate_more_within_than_across_dimensions(big):
    answers, _ = _clean(big)
    corr = answers.corr()
    construct = big.codebook.set_index("item")["construct"]
    cap = [i for i in corr.index if construct[i] in ("A1", "A2", "A3")]
    same = construct[cap].to_numpy()[:, None] == construct[cap].to_numpy()[None, :]
    block = corr.loc[cap, cap].to_numpy()
    off = ~np.eye(len(cap), dtype=bool)
    within, across = block[same & off].mean(), block[~same].mean()
    # population values: within ~ lambda^2 ~ 0.52, across ~ lambda^2 * phi ~ 0.29 (before coarsening)
    assert within > across + 0.15


def test_loadings_recovered_as_item_factor_correlations(big):
    answers, keep = _clean(big)
    latent = big.truth.latent[keep.to_numpy()]
    construct = big.codebook.set_index("item")["construct"]
    factor = {"A1": latent["A1"], "A2": latent["A2"], "A3": latent["A3"], "ED": latent["ED"]}
    for item in [i for i in answers.columns if construct[i] in factor]:
        r = answers[item].corr(pd.Series(factor[construct[item]].to_numpy(), index=answers.index))
        expected = big.truth.loadings[item] * (-1 if item in big.truth.reverse_items else 1)
        # 7-category coarsening attenuates a correlation by ~2-4 %; n = 19,400 gives SE ~ 0.005
        assert expected * 0.94 - 0.01 < r < expected * 1.0 + 0.01 if expected > 0 else \
               expected * 1.0 - 0.01 < r < expected * 0.94 + 0.01, item


def test_factor_correlations_recovered(big):
    latent = big.truth.latent[["A1", "A2", "A3", "ED"]]
    np.testing.assert_allclose(latent.corr().to_numpy(), big.truth.factor_corr.to_numpy(),
                               atol=0.03)  # SE of r at n = 20,000 is < 0.007
    assert latent["capability"].std() == pytest.approx(1, abs=0.03) if "capability" in latent else True
    assert big.truth.latent["capability"].std() == pytest.approx(1, abs=0.03)


@pytest.mark.parametrize("outcome", ["financial", "customer", "innovation"])
def test_generating_coefficients_recovered_by_ols(big, outcome):
    data = big.truth.latent.reset_index().merge(
        big.responses[["firm_id", "firm_size", "firm_age", "ownership", "industry"]], on="firm_id")
    data = data.astype({"ownership": "str", "industry": "str"})
    fit = smf.ols(f"perf_{outcome} ~ capability*ED + np.log(firm_size) + firm_age + ownership + industry",
                  data=data).fit()
    truth = COEFFICIENTS[outcome]
    for term, value in truth.items():
        # within 4 standard errors, and the SEs themselves are small at n = 20,000
        assert abs(fit.params[term] - value) < 4 * fit.bse[term], (term, fit.params[term], value)
    assert fit.bse["capability:ED"] < 0.01
    assert np.sqrt(fit.scale) == pytest.approx(big.truth.residual_sd[outcome], rel=0.03)


def test_statements_carry_the_roa_model(big):
    fin = big.financials
    assert np.allclose(fin["equity"], fin["total_assets"] - fin["total_liabilities"], atol=0.011)
    fin = fin.sort_values(["firm_id", "year"])
    previous = fin.groupby("firm_id")["total_assets"].shift()
    roa = (fin["net_profit"] / ((fin["total_assets"] + previous) / 2)).rename("roa")
    z = ((big.truth.latent["perf_financial"] - big.truth.performance_scale.loc["financial", "mean"])
         / big.truth.performance_scale.loc["financial", "sd"]).rename("z")
    frame = pd.concat([fin["firm_id"], roa], axis=1).merge(z.reset_index(), on="firm_id").dropna()
    slope, intercept = np.polyfit(frame["z"], frame["roa"], 1)
    assert slope == pytest.approx(big.truth.roa["scale"], abs=0.002)
    assert intercept == pytest.approx(big.truth.roa["mean"], abs=0.002)


def test_reverse_keyed_item_runs_against_its_factor(big):
    answers, keep = _clean(big)
    ed = big.truth.latent.loc[keep.to_numpy(), "ED"].to_numpy()
    assert np.corrcoef(answers["ED3"].fillna(4), ed)[0, 1] < -0.5
    assert np.corrcoef((8 - answers["ED3"]).fillna(4), ed)[0, 1] > 0.5


def test_bad_parameters():
    with pytest.raises(ParameterError, match="n_firms"):
        crm_survey(n_firms=5)
    with pytest.raises(ParameterError, match="missing_rate"):
        crm_survey(missing_rate=0.9)


def test_indirect_effect_truth_recovered_at_large_n(big):
    """capability -> customer -> financial on the latent scale (docstring step 3b): PROCESS
    model 8 with the survey's controls recovers a, b, the index of moderated mediation
    (0.40 * 0.20 = 0.08), the indirect effect at ED = 0 (0.50 * 0.40 = 0.20) and the direct
    effect 0.15 + 0.07 ED, each within 4 standard errors (path SEs from OLS, effect SEs from
    500 bootstrap resamples) at n = 20,000, where those SEs are below 0.01."""
    from crmstudy.mediation import process

    truth = big.truth.mediation
    data = big.truth.latent.reset_index().merge(
        big.responses[["firm_id", "firm_size", "firm_age", "ownership", "industry"]], on="firm_id")
    data["log_size"] = np.log(data["firm_size"])
    fit = process(data, 8, x="capability", y="perf_financial", m="perf_customer", w="ED",
                  controls=("log_size", "firm_age", "ownership", "industry"), n_boot=500, seed=1)
    paths = fit.paths.set_index(["outcome", "term"])
    for (eq, term), value in {("perf_customer", "capability"): truth["a"],
                              ("perf_customer", "capability:ED"): truth["a_moderation"],
                              ("perf_financial", "perf_customer"): truth["b"],
                              ("perf_financial", "capability"): truth["direct"],
                              ("perf_financial", "capability:ED"): truth["direct_moderation"]
                              }.items():
        row = paths.loc[(eq, term)]
        assert abs(row["b"] - value) < 4 * row["se"] and row["se"] < 0.01, (eq, term, row["b"])
    imm = fit.index_of_moderated_mediation.iloc[0]
    assert abs(imm["index"] - truth["index_of_moderated_mediation"]) < 4 * imm["boot_se"]
    at0 = fit.conditional_indirect(at=[0.0]).iloc[0]
    assert abs(at0["effect"] - truth["indirect_at_w0"]) < 4 * at0["boot_se"]
    assert imm["boot_se"] < 0.01 and at0["boot_se"] < 0.01
    assert truth["indirect_at_w0"] == pytest.approx(0.20) and \
        truth["index_of_moderated_mediation"] == pytest.approx(0.08)
    # the reduced form of financial is still COEFFICIENTS (total effect 0.35 at ED = 0)
    assert truth["total_at_w0"] == COEFFICIENTS.loc["capability", "financial"]
