"""crmstudy.measurement.tables: the display tables of chapter 02 are labelled, formatted and
agree with the results they display."""
import re

import numpy as np
import pandas as pd
import pytest

from crmstudy import datasets
from crmstudy.display import skipped
from crmstudy.errors import ParameterError
from crmstudy.measurement import Codebook, bartlett_sphericity, cfa, efa, kmo, prepare
from crmstudy.measurement import tables as T

LATIN = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(scope="module")
def sample():
    book = Codebook.from_source("crm_codebook")
    raw = datasets.load("crm_survey")
    prepared = prepare(raw, book, missing="person_mean", attention_check=("attention_check", 2),
                       drop_careless=True)
    return book, raw, prepared, cfa(prepared, book.model)


def _cells(frame: pd.DataFrame) -> list[str]:
    return [str(v) for v in frame.to_numpy().ravel()] + [str(c) for c in frame.columns]


def test_no_scientific_notation_and_journal_p_values(sample):
    book, raw, prepared, fit = sample
    loadings = T.cfa_loading_table(fit, "en", book)
    assert set(loadings["p"]) - {"—"} == {"< .001"}            # every free loading: p < .001
    assert loadings.loc["A11", "p"] == "—"                      # marker item fixed to 1
    tables = [loadings, T.cfa_fit_table(fit, "en"), T.validity_table(fit, "en", book),
              T.factorability_table(kmo(prepared), bartlett_sphericity(prepared), "en")]
    for table in tables:
        for cell in _cells(table):
            assert not re.search(r"\de[-+]?\d", cell), cell


def test_fit_table_reports_the_fit_it_was_given(sample):
    _, _, _, fit = sample
    table = T.cfa_fit_table(fit, "zh")
    assert table.loc["TLI", "数值"] == f"{fit.fit['tli']:.3f}"
    assert table.loc["df", "数值"] == str(int(fit.fit["df"]))
    assert table.loc["TLI", "参考标准"] == "≥ 0.9" and table.loc["TLI", "是否达标"] == "是"


def test_validity_and_fornell_larcker_agree_with_the_cfa(sample):
    book, _, _, fit = sample
    fl = T.fornell_larcker_table(fit, "en", book)
    assert np.allclose([float(v) for v in np.diag(fl.to_numpy())], np.sqrt(fit.ave), atol=0.005)
    assert fl.iloc[0, 1] == "" and fl.iloc[1, 0] != ""          # lower triangle only
    assert (np.diag(T.htmt_table(fit, "en", book).to_numpy()) == "").all()
    validity = T.validity_table(fit, "zh", book)
    assert set(validity["满足 Fornell-Larcker 准则"]) <= {"是", "否"}


def test_reverse_key_check_flips_the_sign(sample):
    book, raw, prepared, _ = sample
    table = T.reverse_key_table(raw, prepared, "firm_id", "en")
    assert list(table.index) == list(book.reverse_items)
    raw_r, recoded_r = (float(table.iloc[0, i]) for i in (1, 2))
    assert raw_r < 0 < recoded_r and abs(raw_r + recoded_r) < 0.05


def test_truth_tables_difference_is_zero_against_its_own_estimates(sample):
    book, _, _, fit = sample
    own = {"loadings": fit.loadings.set_index("item")["std_all"].to_dict(),
           "factor_corr": fit.factor_corr.to_dict()}
    tables = T.truth_tables(fit, own, "en", book)
    assert set(tables["loadings"].iloc[:, 2]) == {".000"}          # en: APA, no leading zero
    assert len(tables["loadings"]) == len(book.items)
    real = T.truth_tables(fit, datasets.load("crm_truth"), "en", book)
    differences = real["loadings"].iloc[:, 2].astype(float)
    assert differences.abs().max() < 0.15                         # the simulation is recovered
    assert T.truth_applies(fit, datasets.load("crm_truth")) and T.truth_applies(fit, own)
    assert not T.truth_applies(fit, None) and not T.truth_applies(fit, {"loadings": {"A11": 0.7},
                                                                       "factor_corr": {}})
    with pytest.raises(ParameterError, match="none of the CFA's items"):
        T.truth_tables(fit, {"loadings": {"X1": 0.7}, "factor_corr": {}}, "en")


def test_chinese_tables_have_chinese_headers(sample):
    book, _, prepared, fit = sample
    for table in (T.codebook_table(book, "zh"), T.missing_table(prepared, "zh"),
                  T.careless_table(prepared.report, "zh"),
                  T.efa_variance_table(efa(prepared.items[book.items_of("A1") + book.items_of("ED")], 2), "zh")):
        headers = [str(c) for c in [*table.columns, *table.index, table.index.name,
                                    table.columns.name] if c is not None]
        headers = [h for h in headers if h not in set(book.items)]
        assert not [h for h in headers if LATIN.search(h)], headers


def test_careless_table_lists_the_flagged_respondents(sample):
    _, _, prepared, _ = sample
    careless = prepared.report.careless
    table = T.careless_table(prepared.report, "en")
    assert list(table.index) == list(careless.index[careless["flagged"].astype(bool)])
    assert len(T.careless_table(prepared.report, "en", flagged_only=False)) == len(careless)


def test_skipped_sentence_in_both_languages_and_unknown_key():
    assert "跳过" in skipped("truth_comparison", "zh")
    assert "skipped" in skipped("truth_comparison", "en")
    with pytest.raises(ParameterError):
        skipped("no_such_section", "en")
