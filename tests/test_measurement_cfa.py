"""CFA (crmstudy.sem) against lavaan 0.6-14 and semTools 0.5-6 (fixtures from make_reference.R),
and recovery of the simulated truth."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from crmstudy.errors import DataQualityWarning, InputDataError, ParameterError
from crmstudy.measurement import Codebook, cfa, htmt, prepare
from crmstudy.simulate import crm_survey
from _measurement_fixtures import bfi_keyed, hs_items, lavaan_ref

# Fitted by crmstudy.sem (Fisher scoring to a gradient < 1e-7): estimates agree with lavaan's
# to ~1e-6 (HS1939) and ~3e-5 (bfi, 2436 x 25); fit indices by crmstudy.sem_fit.
EST = {"hs1939": 1e-5, "bfi": 1e-4}
FIT_REL = 1e-6
SE_REL = {"hs1939": 1e-4, "bfi": 1e-3}   # expected information, as lavaan

FIT_KEYS = {"chisq": "chi2", "df": "df", "pvalue": "p", "baseline.chisq": "baseline_chi2",
            "baseline.df": "baseline_df", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea",
            "rmsea.ci.lower": "rmsea_ci_low", "rmsea.ci.upper": "rmsea_ci_high", "srmr": "srmr",
            "aic": "aic", "bic": "bic", "ntotal": "n"}


@pytest.fixture(scope="module", params=["hs1939", "bfi"])
def fitted(request):
    ref = lavaan_ref()[request.param]
    data = hs_items() if request.param == "hs1939" else bfi_keyed()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)   # bfi: listwise deletion
        return request.param, ref, cfa(data, ref["model"])


def test_fit_indices_match_lavaan(fitted):
    name, ref, result = fitted
    for theirs, ours in FIT_KEYS.items():
        expected = ref["fit"][theirs]
        assert result.fit[ours] == pytest.approx(expected, rel=FIT_REL, abs=1e-12), theirs


def test_loadings_and_factor_correlations_match_lavaan(fitted):
    name, ref, result = fitted
    params = pd.DataFrame(ref["params"])
    loads = params[params["op"] == "=~"].set_index("rhs")
    ours = result.loadings.set_index("item")
    np.testing.assert_allclose(ours["std_all"], loads.loc[ours.index, "std_all"], atol=EST[name])
    np.testing.assert_allclose(ours["est"], loads.loc[ours.index, "est"], atol=EST[name] * 3)
    free = loads.loc[ours.index, "se"] > 0
    np.testing.assert_allclose(ours.loc[free, "se"], loads.loc[ours.index, "se"][free],
                               rtol=SE_REL[name])
    lat = params[(params["op"] == "~~") & params["lhs"].isin(result.model)
                 & params["rhs"].isin(result.model) & (params["lhs"] != params["rhs"])]
    for rec in lat.itertuples():
        assert result.factor_corr.loc[rec.lhs, rec.rhs] == pytest.approx(rec.std_all, abs=EST[name])


def test_cr_ave_htmt_match_r(fitted):
    name, ref, result = fitted
    for c in result.model:
        assert result.composite_reliability[c] == pytest.approx(ref["composite_reliability_std"][c], abs=EST[name])
        assert result.ave[c] == pytest.approx(ref["ave_std"][c], abs=EST[name])
        assert result.fornell_larcker.loc[c, c] == pytest.approx(np.sqrt(result.ave[c]))
    names = ref["htmt"]["names"]
    # HTMT is closed-form: exact
    np.testing.assert_allclose(result.htmt.loc[names, names], ref["htmt"]["values"], atol=1e-12)
    data = hs_items() if name == "hs1939" else bfi_keyed().dropna()
    np.testing.assert_allclose(htmt(data, ref["model"], kind="htmt2").loc[names, names],
                               ref["htmt2"]["values"], atol=1e-12)


def test_unstandardized_cr_ave_match_semtools():
    ref = lavaan_ref()["hs1939"]
    result = cfa(hs_items(), ref["model"], scale="unstandardized")
    for c in result.model:
        assert result.composite_reliability[c] == pytest.approx(ref["composite_reliability_semtools"][c], abs=1e-5)
        assert result.ave[c] == pytest.approx(ref["ave_semtools"][c], abs=1e-5)


def test_tables_are_bilingual(fitted):
    _, _, result = fitted
    assert "CFI" in result.fit_table("zh").index
    assert "拟合指标" == result.fit_table("zh").index.name
    assert "组合信度CR" in result.validity_table("zh").columns
    assert set(result.summary("en")) == {"fit", "loadings", "validity"}
    assert result.loading_matrix.shape == (len(result.loadings), len(result.model))


def test_recovers_simulated_loadings_and_factor_correlations():
    """2,000 firms: ML on 7-point Likert answers of normal latent responses. The Pearson
    loadings are attenuated by the categorisation (by ~2-4 %), hence the tolerances."""
    study = crm_survey(n_firms=2000, seed=11)
    book = Codebook.from_frame(study.codebook).subset(["A1", "A2", "A3", "ED"])
    survey = prepare(study.responses, book, missing="person_mean",
                     attention_check=("attention_check", 2), drop_careless=True)
    result = cfa(survey, book.model)
    loadings = result.loadings.set_index("item")["std_all"]
    error = loadings - study.truth.loadings[loadings.index]
    assert error.abs().max() < 0.07
    assert error.mean() < 0 and error.mean() > -0.05         # attenuation, small
    truth = study.truth.factor_corr
    np.testing.assert_allclose(result.factor_corr.loc[truth.index, truth.columns], truth, atol=0.05)
    assert result.fit["cfi"] > 0.95 and result.fit["rmsea"] < 0.05


def test_bad_models_and_data():
    x = hs_items()
    with pytest.raises(ParameterError, match="at least 2"):
        cfa(x, {"a": ["x1"], "b": ["x2", "x3"]})
    with pytest.raises(ParameterError, match="both"):
        cfa(x, {"a": ["x1", "x2"], "b": ["x2", "x3"]})
    with pytest.raises(InputDataError, match="not columns"):
        cfa(x, {"a": ["x1", "x2", "z9"]})
    with pytest.raises(InputDataError, match="complete respondents for 9 items"):
        cfa(x.head(8), lavaan_ref()["hs1939"]["model"])
    with pytest.raises(ParameterError, match="single-factor"):
        cfa(x, {"a": ["x1", "x2"]})
    with pytest.warns(DataQualityWarning, match="listwise"):
        cfa(x.assign(x1=x["x1"].where(x.index != x.index[0])), {"v": ["x1", "x2", "x3"]})


def test_saturated_cfa_gets_lavaan_values_and_no_failed_verdict():
    """Issue 16: one factor with three items (df = 0) - lavaan: TLI 1, RMSEA 0, CI [0, 0];
    tests/reference/sem/saturated.json holds lavaan's fitMeasures of this model."""
    import json
    from pathlib import Path
    ref = json.loads((Path(__file__).parent / "reference" / "sem" / "saturated.json").read_text())
    result = cfa(hs_items(), {"visual": ["x1", "x2", "x3"]})
    f = result.fit
    assert f["df"] == 0 and f["tli"] == ref["fit"]["tli"] == 1
    assert f["rmsea"] == ref["fit"]["rmsea"] == 0
    assert (f["rmsea_ci_low"], f["rmsea_ci_high"]) == (0.0, 0.0)
    assert f["cfi"] == pytest.approx(ref["fit"]["cfi"], abs=1e-9)
    table = result.fit_table("en")
    assert "no" not in set(table["Acceptable"]), table
    assert set(table.loc[["p", "χ²/df"], "Acceptable"]) <= {"", "—"}
    from pathlib import Path
    from crmstudy.measurement import reliability, write_up
    from _measurement_fixtures import hs_raw
    book = Codebook.from_file(Path(__file__).parent / "reference" / "measurement" / "hs1939_codebook.csv")
    rel = reliability(prepare(hs_raw(), book, id_col="id"))
    for lang, word in (("en", "saturated"), ("zh", "饱和模型")):
        text = write_up(rel, cfa=result, lang=lang)
        assert word in text and not re.search(r"\bnan\b", text)


def test_loadings_table_names_and_deprecated_alias():
    result = cfa(hs_items(), lavaan_ref()["hs1939"]["model"])
    assert list(result.loadings.columns) == ["construct", "item", "est", "se", "z", "p",
                                             "std_all", "residual_variance"]
    with pytest.warns(FutureWarning, match="loadings"):
        old = result.std_loadings
    np.testing.assert_array_equal(old["std_loading"], result.loadings["std_all"])
    np.testing.assert_array_equal(old["loading"], result.loadings["est"])
    zh = result.summary("zh")["loadings"]
    assert "标准化载荷(std.all)" in zh.columns and "非标准化载荷(est)" in zh.columns


def test_any_column_name_is_accepted():
    """Item names that are not lavaan identifiers (R/SPSS exports) keep their names."""
    data = hs_items().rename(columns={"x1": "x 1(a)", "x2": "销售额-2023"})
    result = cfa(data, {"visual": ["x 1(a)", "销售额-2023", "x3"], "textual": ["x4", "x5", "x6"]})
    assert result.loadings["item"].tolist()[:2] == ["x 1(a)", "销售额-2023"]
