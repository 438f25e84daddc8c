"""Retention, cohorts and churn on hand-made tables; churn prediction and k-means determinism;
value x loyalty segments with explicit cut rules."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmstudy.customer_value import (STRATEGIES, churn_features, churn_status, cohort_retention,
                                     kmeans_segments, period_retention, predict_churn,
                                     top_decile_lift, value_loyalty_segments)
from crmstudy.errors import InputDataError, ParameterError


def _tx():
    """Customers and the months they bought in (2024):
    a: Jan, Feb, Mar    b: Jan, Mar    c: Feb, Mar, Apr    d: Mar    e: Jan
    """
    months = {"a": [1, 2, 3], "b": [1, 3], "c": [2, 3, 4], "d": [3], "e": [1]}
    rows = [(c, f"2024-{m:02d}-10", 10.0) for c, ms in months.items() for m in ms]
    rows.append(("a", "2024-01-20", 5.0))  # a second purchase in a month changes nothing
    return pd.DataFrame(rows, columns=["cust", "day", "amount"])


def test_period_retention_by_hand():
    t = period_retention(_tx(), "cust", "day", "amount", freq="M")
    assert t.index.tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert t["active"].tolist() == [3, 2, 4, 1]            # Jan a,b,e; Feb a,c; Mar a,b,c,d; Apr c
    assert t["retained"].tolist() == [0, 1, 2, 1]          # Feb a; Mar a,c; Apr c
    assert t["new"].tolist() == [3, 1, 1, 0]               # Feb c; Mar d
    assert t["returning"].tolist() == [0, 0, 1, 0]         # Mar b
    assert t["retention_rate"].iloc[1:].tolist() == pytest.approx([1 / 3, 2 / 2, 1 / 4])
    assert t["churn_rate"].iloc[1:].tolist() == pytest.approx([2 / 3, 0, 3 / 4])


def test_cohort_retention_by_hand():
    m = cohort_retention(_tx(), "cust", "day", "amount", freq="M")
    # Jan cohort a, b, e: month+1 a (1/3); +2 a, b (2/3); +3 nobody (0)
    assert m.loc["2024-01"].tolist() == pytest.approx([1, 1 / 3, 2 / 3, 0])
    # Feb cohort c: +1 yes, +2 yes; +3 is after the end of the data: unknown (NaN)
    feb = m.loc["2024-02"]
    assert feb.iloc[:3].tolist() == [1, 1, 1] and np.isnan(feb.iloc[3])
    assert m.attrs["cohort_size"] == {"2024-01": 3, "2024-02": 1, "2024-03": 1}
    counts = cohort_retention(_tx(), "cust", "day", "amount", share=False)
    assert counts.loc["2024-01", 2] == 2


def test_churn_status_window():
    s = churn_status(_tx(), "cust", "day", "amount", at="2024-04-30", window_days=60)
    # last purchases: a 03-10 (51 days), b 03-10, c 04-10 (20), d 03-10, e 01-10 (111)
    assert s["days_since_last"].to_dict() == {"a": 51, "b": 51, "c": 20, "d": 51, "e": 111}
    assert s["churned"].to_dict() == {"a": False, "b": False, "c": False, "d": False, "e": True}
    assert s.attrs["churn_rate"] == pytest.approx(0.2)
    with pytest.raises(ParameterError):
        churn_status(_tx(), "cust", "day", "amount", at="2024-04-30", window_days=0)


def test_churn_features_by_hand():
    f = churn_features(_tx(), "cust", "day", "amount", calibration_end="2024-02-29",
                       observation_end="2024-04-30")
    # a: days 01-10, 01-20, 02-10 in calibration; recency 19, tenure 50, gaps (10, 21) -> 15.5
    assert f.loc["a", ["recency", "frequency", "monetary", "tenure", "mean_gap"]].tolist() == \
        [19, 3, 25, 50, 15.5]
    # churned = no purchase in March-April: e yes; a, b, c no; d is not a calibration customer
    assert f["churned"].to_dict() == {"a": False, "b": False, "c": False, "e": True}
    with pytest.raises(ParameterError):
        churn_features(_tx(), "cust", "day", "amount", calibration_end="2024-05-01")


def test_top_decile_lift_by_hand():
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0] * 2)
    score = np.arange(20)[::-1].astype(float)  # highest scores on positions 0, 1
    assert top_decile_lift(y, score) == pytest.approx(1.0 / 0.2)


def _synthetic_features(n=600, seed=3):
    rng = np.random.default_rng(seed)
    recency = rng.uniform(0, 300, n)
    frequency = rng.poisson(3, n) + 1.0
    logit = -2 + 0.012 * recency - 0.3 * frequency
    churned = rng.uniform(size=n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame({"recency": recency, "frequency": frequency,
                         "noise": rng.normal(size=n), "churned": churned},
                        index=[f"k{i}" for i in range(n)])


def test_predict_churn_is_seeded_and_informative():
    f = _synthetic_features()
    extra = {"recency only": f["recency"] / 300}
    a = predict_churn(f, seed=1, n_estimators=50, extra_scores=extra)
    b = predict_churn(f, seed=1, n_estimators=50, extra_scores=extra)
    pd.testing.assert_frame_equal(a.metrics, b.metrics)
    # the true model is logistic in the features: AUC well above chance
    assert a.metrics.loc["logistic", "roc_auc"] > 0.7
    assert set(a.metrics.index) == {"logistic", "random_forest", "recency only"}
    assert len(a.scores) == round(0.3 * 600)
    with pytest.raises(InputDataError, match="one class"):
        predict_churn(f.assign(churned=True))


def test_kmeans_is_deterministic_and_picks_obvious_k():
    rng = np.random.default_rng(0)
    centers = np.array([[10, 1, 20], [200, 1, 15], [20, 12, 900]])
    X = np.vstack([c * np.exp(rng.normal(0, 0.05, (80, 3))) for c in centers])
    t = pd.DataFrame(X, columns=["recency", "frequency", "monetary"])
    a = kmeans_segments(t, k_range=range(2, 6), seed=4)
    b = kmeans_segments(t, k_range=range(2, 6), seed=4)
    assert a.k == 3 and a.labels.equals(b.labels)
    # clusters numbered by descending mean monetary value
    assert a.centers["monetary"].is_monotonic_decreasing
    with pytest.raises(ParameterError):
        kmeans_segments(t, k_range=[1, 2])


def test_value_loyalty_cut_rules():
    t = pd.DataFrame({"clv": [1.0, 2.0, 2.0, 4.0], "freq": [4, 1, 3, 2]}, index=list("abcd"))
    ge = value_loyalty_segments(t, "clv", "freq", lang="en")          # medians 2.0 and 2.5
    gt = value_loyalty_segments(t, "clv", "freq", high_if="gt", lang="en")
    # b and c sit exactly on the value median: high with ">=", low with ">"
    assert ge["segment"].astype(str).tolist() == ["HL", "LH", "HH", "LH"]
    assert gt["segment"].astype(str).tolist() == ["HL", "LL", "HL", "LH"]
    assert ge.attrs["value_cut"] == 2.0 and ge.attrs["high_if"] == "ge"
    fixed = value_loyalty_segments(t, "clv", "freq", value_cut=3, loyalty_cut=("quantile", 0.75))
    assert fixed["segment"].astype(str).tolist() == ["HL", "LL", "LL", "LH"]
    zh = value_loyalty_segments(t, "clv", "freq", lang="zh")
    assert zh.loc["c", "segment_name"] == "高忠诚—高价值"
    assert len(STRATEGIES) == 4 and STRATEGIES["strategy_zh"].str.len().gt(0).all()
    with pytest.raises(InputDataError):
        value_loyalty_segments(t, "clv", "tenure")
    with pytest.raises(ParameterError):
        value_loyalty_segments(t, "clv", "freq", high_if=">=")
