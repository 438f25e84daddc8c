"""prepare() and scale_scores(): codes, invalid answers, reverse keying, careless responding,
missing-data policies, and recovery of the simulated truth."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmstudy import datasets
from crmstudy.errors import CodebookError, DataQualityWarning, InputDataError, ParameterError
from crmstudy.measurement import Codebook, longstring, prepare, scale_scores
from crmstudy.simulate import crm_survey
from _measurement_fixtures import REF, bfi_keyed, bfi_raw


@pytest.fixture(scope="module")
def study():
    return crm_survey()   # the shipped instance: 300 firms, seed 20261123


@pytest.fixture(scope="module")
def book(study):
    return Codebook.from_frame(study.codebook)


def small_book():
    return Codebook.from_frame(pd.DataFrame({
        "item": ["a1", "a2", "a3", "b1", "b2"], "construct": ["A", "A", "A", "B", "B"],
        "min": 1, "max": 5, "reverse": [False, False, True, False, False],
        "missing_codes": "99;-9"}))


def small_responses():
    return pd.DataFrame({
        "id": ["r1", "r2", "r3", "r4", "r5"],
        "a1": [1, 2, 99, 4, 5], "a2": [2, 2, 3, -9, 5], "a3": [5, 4, 3, 2, 1],
        "b1": [1, 3, 3, 4, 99], "b2": [2, 3, 4, 5, 99], "ctrl": list("xyzuv")})


def test_codes_reverse_keying_and_report():
    raw = small_responses()
    before = raw.copy()
    out = prepare(raw, small_book(), id_col="id")
    pd.testing.assert_frame_equal(raw, before)          # never mutates the input
    items = out.items
    assert list(items.columns) == ["a1", "a2", "a3", "b1", "b2"]
    assert items.index.name == "id" and items.dtypes.eq(float).all()
    assert np.isnan(items.loc["r3", "a1"]) and np.isnan(items.loc["r4", "a2"])
    np.testing.assert_array_equal(items["a3"], [1, 2, 3, 4, 5])   # 1 + 5 - x
    counts = out.report.counts
    assert counts["n_missing_code"] == 4 and counts["n_invalid"] == 0
    assert out.report.missing_by_item.loc["b1", "n_missing_code"] == 1
    assert out.report.missing_by_respondent.loc["r5", "answered_B"] == 0
    assert list(out.extra.columns) == ["ctrl"]


def test_bfi_reverse_coding_matches_r_recoding():
    book = Codebook.from_file(REF / "bfi_codebook.csv")
    out = prepare(bfi_raw(), book, id_col="id")
    pd.testing.assert_frame_equal(out.items, bfi_keyed().rename_axis("id"), check_names=False)
    # R's bfi has NA (blank) answers, no codes
    assert out.report.counts["n_blank"] == int(bfi_raw().iloc[:, 1:].isna().sum().sum())


def test_invalid_answers_raise_with_location_or_become_missing():
    raw = small_responses()
    raw["a2"] = raw["a2"].astype(object)
    raw.loc[1, "a2"] = "two"
    raw.loc[3, "b1"] = 12
    with pytest.raises(InputDataError, match="2 invalid answer") as info:
        prepare(raw, small_book(), id_col="id")
    assert info.value.row == "r2" and info.value.column == "a2"
    assert set(info.value.invalid["reason"]) == {"non-numeric", "outside the scale 1-5"}
    out = prepare(raw, small_book(), id_col="id", invalid="missing")
    assert out.report.counts["n_invalid"] == 2
    assert np.isnan(out.items.loc["r4", "b1"]) and np.isnan(out.items.loc["r2", "a2"])
    assert out.report.invalid[["id", "item"]].values.tolist() == [["r2", "a2"], ["r4", "b1"]]


def test_item_columns_must_match_the_codebook():
    raw = small_responses().drop(columns="b2")
    with pytest.raises(CodebookError, match=r"\['b2'\] are not columns"):
        prepare(raw, small_book(), id_col="id")
    extra = small_responses().assign(a4=1)
    with pytest.warns(DataQualityWarning, match="a4"):
        prepare(extra, small_book(), id_col="id")


def test_ids_missing_duplicate_and_absent():
    raw = small_responses()
    with pytest.raises(InputDataError, match="no id column 'firm_id'"):
        prepare(raw, small_book())
    dup = raw.copy()
    dup.loc[4, "id"] = "r1"
    with pytest.raises(InputDataError, match="occur more than once"):
        prepare(dup, small_book(), id_col="id")
    out = prepare(dup, small_book(), id_col="id", duplicates="first")
    assert out.items.index.tolist() == ["r1", "r2", "r3", "r4"]
    assert out.report.duplicates["id"].tolist() == ["r1"]
    assert out.report.dropped.values.tolist() == [["r1", "duplicate"]]
    blank = raw.copy()
    blank.loc[2, "id"] = None
    with pytest.raises(InputDataError, match="have no id"):
        prepare(blank, small_book(), id_col="id")


def test_missing_policies():
    raw = small_responses()
    book = small_book()
    pairwise = prepare(raw, book, id_col="id", missing="pairwise")
    with pytest.warns(DataQualityWarning, match="a2"):   # r1, r2 both answered a2 = 2
        listwise = prepare(raw, book, id_col="id", missing="listwise")
    person = prepare(raw, book, id_col="id", missing="person_mean", min_share=0.5)
    assert pairwise.items.isna().sum().sum() == 4
    assert listwise.items.index.tolist() == ["r1", "r2"]
    assert set(listwise.report.dropped["reason"]) == {"listwise"}
    # r3 answered a2, a3 of A (2/3 >= 0.5): a1 = mean(3, 5 - 3 + 1) = 3
    assert person.items.loc["r3", "a1"] == pytest.approx((3 + 3) / 2)
    # r5 answered no B item: stays missing
    assert person.items.loc["r5", ["b1", "b2"]].isna().all()
    assert person.report.counts["n_imputed"] == 2
    with pytest.raises(ParameterError):
        prepare(raw, book, id_col="id", missing="mean")


def test_empty_construct_and_constant_item():
    raw = small_responses()
    raw[["b1", "b2"]] = 99
    with pytest.raises(InputDataError, match="construct 'B' has no answers"):
        prepare(raw, small_book(), id_col="id")
    const = small_responses().assign(a2=3)
    with pytest.warns(DataQualityWarning, match="a2"):
        prepare(const, small_book(), id_col="id")


def test_longstring_skips_missing_answers():
    answers = np.array([[1, 1, 2, 2, 2, 1], [3, np.nan, 3, 3, 1, 1], [np.nan] * 6])
    assert longstring(answers).tolist() == [3, 3, 0]


def test_careless_and_attention_check_recover_the_simulated_truth(study, book):
    out = prepare(study.responses, book, attention_check=("attention_check", 2))
    careless = out.report.careless
    # every straight-liner of the simulation, and nobody else, is caught by the long string
    assert sorted(careless.index[careless["straightlining"]]) == sorted(study.truth.careless_ids)
    assert (careless.loc[list(study.truth.careless_ids), "irv"] == 0).all()
    # the attention check flags more careless than attentive respondents (they pass w.p. 0.98)
    attentive = ~careless.index.isin(study.truth.careless_ids)
    assert careless.loc[attentive, "attention_passed"].mean() > 0.95
    dropped = prepare(study.responses, book, attention_check={"attention_check": 2},
                      drop_careless=True)
    assert dropped.report.counts["n_dropped"] == careless["flagged"].sum()


def test_reverse_coding_agrees_with_the_latent_truth(study, book):
    """ED3 is written reverse-keyed: raw answers correlate negatively with the latent ED,
    recoded answers positively (like the other ED items)."""
    out = prepare(study.responses, book, missing="person_mean")
    latent = study.truth.latent["ED"]
    raw_ed3 = study.responses.set_index("firm_id")["ED3"].where(lambda s: s.between(1, 7))
    assert raw_ed3.corr(latent) < -0.4
    corr = out.items[["ED1", "ED2", "ED3", "ED4"]].corrwith(latent)
    assert (corr > 0.4).all()
    # recoding is exact: 8 - x wherever the raw answer was valid
    valid = raw_ed3.dropna().index
    np.testing.assert_array_equal(out.items.loc[valid, "ED3"], 8 - raw_ed3[valid])


def test_shipped_survey_runs_with_the_chapter_contract():
    book = Codebook.from_file(datasets.path("crm_codebook"))
    out = prepare(datasets.load("crm_survey"), book, missing="person_mean")
    scores = scale_scores(out)
    assert list(scores.columns[:6]) == ["A1", "A2", "A3", "ED", "CP", "IP"]
    assert scores.index.name == "firm_id" and len(scores) == 300
    assert scores[["A1", "A2", "A3"]].notna().all().all()


def test_scale_scores_mean_sum_and_min_share():
    book = small_book()
    out = prepare(small_responses(), book, id_col="id")
    scores = scale_scores(out)
    # r3: A answered a2 = 3, a3 = 3 -> mean 3 over 2 items; r5: B not answered -> NaN
    assert scores.loc["r3", "A"] == pytest.approx(3.0)
    assert scores.loc["r3", "n_items_A"] == 2
    assert np.isnan(scores.loc["r5", "B"]) and scores.loc["r5", "n_items_B"] == 0
    sums = scale_scores(out, method="sum", counts=False)
    assert list(sums.columns) == ["A", "B"]
    assert sums.loc["r1", "A"] == pytest.approx(1 + 2 + 1)
    assert sums.loc["r3", "A"] == pytest.approx(3 * 3.0)        # prorated
    strict = scale_scores(out.items, book, min_share=1.0)
    assert np.isnan(strict.loc["r3", "A"])
    # same scores whether or not person-mean imputation ran first
    imputed = prepare(small_responses(), book, id_col="id", missing="person_mean")
    pd.testing.assert_frame_equal(scale_scores(imputed)[["A", "B"]], scores[["A", "B"]])
    with pytest.raises(ParameterError, match="needs the codebook"):
        scale_scores(out.items)
    with pytest.raises(ParameterError):
        scale_scores(out, method="median")


def test_scale_scores_track_the_latent_factors(study, book):
    scores = scale_scores(prepare(study.responses, book, missing="person_mean"))
    truth = study.truth.latent
    for construct in ("A1", "A2", "A3", "ED"):
        # reliability ~0.8-0.9 -> correlation with the true factor ~0.9; allow sampling error
        assert scores[construct].corr(truth[construct]) > 0.8
