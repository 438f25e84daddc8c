"""The value x loyalty split respects ties (issue 14): a tie group is never divided.

On CDNOW the 12,054 one-time buyers have BG/NBD + Gamma-Gamma CLVs between about 5.28 and 6.10
USD (they differ only by the date of their single purchase) and the median CLV (5.94) falls
among them: the plain median split put ~2,000 of them into "high value" and ~10,000 into "low
value", two classes differing by $0.40.  With ``ties=`` naming the one-time buyers as a tie
group, all of them land on one side.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmstudy import customer_value as cv
from crmstudy import datasets
from crmstudy.customer_value import value_loyalty_segments
from crmstudy.errors import InputDataError


def test_tie_group_moves_cut_to_majority_side():
    # values 1..10; group "g" = {4, 5, 6, 7} straddles the median 5.5
    t = pd.DataFrame({"v": np.arange(1.0, 11.0), "l": [1] * 10}, index=list("abcdefghij"))
    groups = pd.Series([None, None, None, "g", "g", "g", "g", None, None, None], index=t.index)
    for high_if in ("ge", "gt"):
        plain = value_loyalty_segments(t, "v", "l", high_if=high_if)
        assert plain.loc[groups == "g", "high_value"].nunique() == 2       # the defect
        tied = value_loyalty_segments(t, "v", "l", high_if=high_if, ties=groups)
        assert tied.loc[groups == "g", "high_value"].nunique() == 1
        # 6 and 7 are high, 4 and 5 low: a 2-2 split goes low (majority rule: high needs > half)
        assert not tied.loc[groups == "g", "high_value"].any()
        assert tied["high_value"].tolist() == [False] * 7 + [True] * 3
        assert tied.attrs["value_cut_rule"] == 5.5 and tied.attrs["moved_tie_groups"] == ["g"]
        assert "groups" in tied.attrs["conventions"]["ties"]
    # a group whose majority is high goes high
    groups2 = pd.Series([None] * 4 + ["g"] * 4 + [None] * 2, index=t.index)     # 5..8
    tied = value_loyalty_segments(t, "v", "l", ties=groups2)
    assert tied["high_value"].tolist() == [False] * 4 + [True] * 6
    # column name form, and a clear error for a missing column
    t["grp"] = groups
    assert value_loyalty_segments(t, "v", "l", ties="grp")["high_value"].equals(
        value_loyalty_segments(t, "v", "l", ties=groups)["high_value"])
    with pytest.raises(InputDataError, match="ties"):
        value_loyalty_segments(t, "v", "l", ties="nope")
    assert "exact" in value_loyalty_segments(t, "v", "l").attrs["conventions"]["ties"]


def test_cdnow_one_time_buyers_not_split():
    tx = cv.validate_transactions(datasets.load("cdnow"), "customer_id", "date", "dollar_value")
    full = cv.summary_data(tx, "customer_id", "date", "amount", observation_end="1998-06-30", freq="W")
    with pytest.warns(Warning):          # one repeat buyer with spend 0 is left out of Gamma-Gamma
        gg = cv.GammaGamma().fit(full)
    clv = cv.customer_lifetime_value(cv.BetaGeo().fit(full), gg, full, months=12,
                                     discount_rate=0.01).table
    clv["frequency"] = full["frequency"]                   # repeat purchases
    one_time = clv["frequency"] == 0
    assert one_time.sum() > 12_000
    plain = value_loyalty_segments(clv, "clv", "frequency", high_if="gt")
    split = plain.loc[one_time, "high_value"].value_counts()
    assert len(split) == 2 and split.min() > 1_000          # the defect of issue 14
    tied = value_loyalty_segments(clv, "clv", "frequency", high_if="gt",
                                  ties=clv["frequency"].where(one_time))
    assert tied.loc[one_time, "high_value"].nunique() == 1
    assert not tied.loc[one_time, "high_value"].any()       # most one-time buyers were low
    assert tied.attrs["value_cut"] >= clv.loc[one_time, "clv"].max()
    # everyone above the moved cut is high; the share of high-value customers stays near half
    assert 0.4 < tied["high_value"].mean() < 0.5
