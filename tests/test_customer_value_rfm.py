"""RFM on a hand-made table (checked by hand), tie rules, shuffling invariance, segments."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmstudy.customer_value import rfm, rfm_grid, rfm_scores, rfm_segments, segment_rules
from crmstudy.errors import InputDataError, ParameterError


def _hand_table() -> pd.DataFrame:
    """Ten customers, snapshot 2024-03-31.

    id  purchase days (amount)                       R days  F days  F tx  M total
    c01 03-31 (50), 03-31 (30)                         0      1       2     80
    c02 03-01 (10), 03-20 (10), 03-30 (10)             1      3       3     30
    c03 01-01 (100)                                   90      1       1    100
    c04 02-15 (20), 03-15 (20)                        16      2       2     40
    c05 01-10 (5)                                     81      1       1      5
    c06 03-25 (60), 03-26 (60)                         5      2       2    120
    c07 02-01 (15)                                    59      1       1     15
    c08 01-05 (10), 02-05 (10), 03-05 (10), 03-29 (10) 2      4       4     40
    c09 03-31 (200)                                    0      1       1    200
    c10 02-29 (25)                                    31      1       1     25
    """
    rows = [("c01", "2024-03-31", 50), ("c01", "2024-03-31", 30),
            ("c02", "2024-03-01", 10), ("c02", "2024-03-20", 10), ("c02", "2024-03-30", 10),
            ("c03", "2024-01-01", 100), ("c04", "2024-02-15", 20), ("c04", "2024-03-15", 20),
            ("c05", "2024-01-10", 5), ("c06", "2024-03-25", 60), ("c06", "2024-03-26", 60),
            ("c07", "2024-02-01", 15), ("c08", "2024-01-05", 10), ("c08", "2024-02-05", 10),
            ("c08", "2024-03-05", 10), ("c08", "2024-03-29", 10), ("c09", "2024-03-31", 200),
            ("c10", "2024-02-29", 25)]
    return pd.DataFrame(rows, columns=["cust", "day", "amount"])


def test_values_by_hand():
    t = rfm(_hand_table(), "cust", "day", "amount", snapshot="2024-03-31")
    assert t["recency"].to_dict() == {"c01": 0, "c02": 1, "c03": 90, "c04": 16, "c05": 81,
                                      "c06": 5, "c07": 59, "c08": 2, "c09": 0, "c10": 31}
    assert t["frequency"].tolist() == [1, 3, 1, 2, 1, 2, 1, 4, 1, 1]
    assert t["monetary"].tolist() == [80, 30, 100, 40, 5, 120, 15, 40, 200, 25]
    tx = rfm(_hand_table(), "cust", "day", "amount", snapshot="2024-03-31",
             frequency="transactions", monetary="mean")
    assert tx.loc["c01", "frequency"] == 2 and tx.loc["c01", "monetary"] == 40
    assert t.attrs["ties"] == "consistent" and t.attrs["snapshot"] == "2024-03-31"


def test_consistent_scores_by_hand():
    """Score = 1 + floor(5 * (# strictly worse) / 10)."""
    t = rfm(_hand_table(), "cust", "day", "amount", snapshot="2024-03-31")
    # F: six customers with 1 day (0 worse -> 1); c04, c06 with 2 (6 worse -> 4);
    #    c02 with 3 (8 worse -> 5); c08 with 4 (9 worse -> 5)
    assert t["F"].to_dict() == {"c01": 1, "c02": 5, "c03": 1, "c04": 4, "c05": 1, "c06": 4,
                                "c07": 1, "c08": 5, "c09": 1, "c10": 1}
    # R (smaller recency better): c03 (90) 0 worse -> 1; c05 (81) 1 -> 1; c07 (59) 2 -> 2;
    # c10 (31) 3 -> 2; c04 (16) 4 -> 3; c06 (5) 5 -> 3; c08 (2) 6 -> 4; c02 (1) 7 -> 4;
    # c01, c09 (0) 8 -> 5
    assert t["R"].to_dict() == {"c01": 5, "c02": 4, "c03": 1, "c04": 3, "c05": 1, "c06": 3,
                                "c07": 2, "c08": 4, "c09": 5, "c10": 2}
    # M: 5 (0) 15 (1) 25 (2) 30 (3) 40,40 (4) 80 (6) 100 (7) 120 (8) 200 (9)
    assert t["M"].to_dict() == {"c01": 4, "c02": 2, "c03": 4, "c04": 3, "c05": 1, "c06": 5,
                                "c07": 1, "c08": 3, "c09": 5, "c10": 2}
    assert t.loc["c09", "rfm_cell"] == "515" and t.loc["c08", "rfm_score"] == 12


def test_equal_count_scores_by_hand():
    t = rfm(_hand_table(), "cust", "day", "amount", snapshot="2024-03-31", ties="equal_count")
    # every score used exactly twice
    for col in "RFM":
        assert sorted(t[col].value_counts().tolist()) == [2, 2, 2, 2, 2]
    # F order (worse first): the one-day customers by recency desc (c03 90, c05 81, c07 59,
    # c10 31, then c01/c09 at 0 tied -> monetary: c01 80 < c09 200), then c04 vs c06
    # (2 days; recency 16 worse than 5), c02, c08
    assert t["F"].to_dict() == {"c03": 1, "c05": 1, "c07": 2, "c10": 2, "c01": 3, "c09": 3,
                                "c04": 4, "c06": 4, "c02": 5, "c08": 5}
    # M tie c04/c08 at 40: frequency decides (c08 has 4 days) -> c08 higher
    assert t.loc["c08", "M"] >= t.loc["c04", "M"]


def test_grid_and_segments():
    t = rfm(_hand_table(), "cust", "day", "amount", snapshot="2024-03-31")
    grid = rfm_grid(t, "count")
    assert grid.index.tolist() == [5, 4, 3, 2, 1] and grid.columns.tolist() == [1, 2, 3, 4, 5]
    assert np.nansum(grid.to_numpy()) == 10
    seg = rfm_segments(t, lang="en")
    # c08: R4 F5 M3 -> not champions (M<4) -> loyal (R 2-5, F 3-5, M 3-5)
    assert seg.loc["c08", "segment"] == "loyal"
    # c06: R3 F4 M5 -> loyal
    assert seg.loc["c06", "segment"] == "loyal"
    # c05: R1 F1 M1 -> lost
    assert seg.loc["c05", "segment"] == "lost" and seg.loc["c05", "segment_name"] == "Lost"
    zh = rfm_segments(t, lang="zh")
    assert zh.loc["c05", "segment_name"] == "流失客户"
    rules = segment_rules()
    assert {"segment", "name_zh", "name_en"} <= set(rules.columns) and len(rules) == 10
    # user rules as data: everything is "vip" under a catch-all rule
    custom = pd.DataFrame([{"segment": "vip", "name_zh": "贵宾", "name_en": "VIP", "r_min": 1,
                            "r_max": 5, "f_min": 1, "f_max": 5, "m_min": 1, "m_max": 5}])
    assert (rfm_segments(t, rules=custom)["segment"] == "vip").all()
    bad = custom.assign(r_min=6)
    with pytest.raises(InputDataError, match="r_min"):
        rfm_segments(t, rules=bad)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), ties=st.sampled_from(["consistent", "equal_count"]))
def test_shuffling_invariance(seed, ties):
    rng = np.random.default_rng(seed)
    n = 200
    tx = pd.DataFrame({"id": rng.choice([f"k{i:03d}" for i in range(60)], n),
                       "day": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 30, n), "D"),
                       "amount": rng.choice([5.0, 10.0, 19.99, 0.1, 0.2], n)})
    base = rfm(tx, "id", "day", "amount", ties=ties)
    shuffled = rfm(tx.sample(frac=1, random_state=seed), "id", "day", "amount", ties=ties)
    pd.testing.assert_frame_equal(base, shuffled)


def test_scores_need_valid_arguments():
    t = rfm(_hand_table(), "cust", "day", "amount")
    with pytest.raises(ParameterError):
        rfm_scores(t, ties="random")
    with pytest.raises(ParameterError):
        rfm_scores(t, bins=1)
    with pytest.raises(ParameterError):
        rfm(_hand_table(), "cust", "day", "amount", monetary="median")
