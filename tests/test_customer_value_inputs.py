"""Bad transaction input gives crmstudy errors naming the column and row; input not mutated."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmstudy.customer_value import rfm, summary_data, validate_transactions
from crmstudy.customer_value.transactions import encode_customers
from crmstudy.errors import InputDataError, ParameterError


def _tx(**changes):
    t = pd.DataFrame({"id": ["a", "a", "b", "c"],
                      "day": ["2024-01-01", "2024-02-01", "2024-01-15", "2024-03-01"],
                      "amount": [10.0, 20.0, 5.0, 7.5]}, index=[10, 11, 12, 13])
    for (row, col), value in changes.items():
        t.loc[row, col] = value
    return t


def test_clean_input_is_not_mutated():
    t = _tx()
    before = t.copy()
    out = validate_transactions(t, "id", "day", "amount")
    pd.testing.assert_frame_equal(t, before)
    assert list(out.columns) == ["customer_id", "date", "amount"]
    assert out.index.tolist() == [10, 11, 12, 13]


@pytest.mark.parametrize("changes, column, row, text", [
    ({(12, "day"): "2024-13-45"}, "day", 12, "cannot be parsed"),
    ({(11, "amount"): -3.0}, "amount", 11, "negative"),
    ({(13, "amount"): np.nan}, "amount", 13, "missing"),
    ({(12, "amount"): "12,50 EUR"}, "amount", 12, "not a number"),
    ({(10, "id"): None}, "id", 10, "missing"),
])
def test_bad_cells(changes, column, row, text):
    t = _tx()
    if (12, "amount") in changes and isinstance(changes[(12, "amount")], str):
        t["amount"] = t["amount"].astype(object)
    for (r, c), v in changes.items():
        t.loc[r, c] = v
    with pytest.raises(InputDataError, match=text) as err:
        validate_transactions(t, "id", "day", "amount", file="sales.csv")
    assert err.value.column == column and err.value.row == row
    assert "sales.csv" in str(err.value) and "What to do" in str(err.value)


def test_mixed_id_types():
    t = _tx()
    t["id"] = pd.Series(["a", "a", 7, "c"], index=t.index, dtype=object)
    with pytest.raises(InputDataError, match="mixed types") as err:
        validate_transactions(t, "id", "day", "amount")
    assert err.value.row == 12 and err.value.column == "id"


def test_future_dates_and_snapshot():
    with pytest.raises(InputDataError, match="after the snapshot") as err:
        rfm(_tx(), "id", "day", "amount", snapshot="2024-02-15")
    assert err.value.row == 13


def test_empty_and_missing_column():
    with pytest.raises(InputDataError, match="empty"):
        validate_transactions(_tx().iloc[:0], "id", "day", "amount")
    with pytest.raises(InputDataError, match="missing") as err:
        validate_transactions(_tx(), "id", "date", "amount")
    assert err.value.column == "date"


def test_calibration_end_outside_data():
    with pytest.raises(ParameterError, match="outside the data"):
        summary_data(_tx(), "id", "day", "amount", calibration_end="2023-06-30")
    with pytest.raises(ParameterError, match="after observation_end"):
        summary_data(_tx(), "id", "day", "amount", calibration_end="2024-02-15",
                     observation_end="2024-02-01")
    with pytest.raises(ParameterError, match="time unit"):
        summary_data(_tx(), "id", "day", "amount", freq="fortnight")


def test_encode_customers_paths_agree():
    short = pd.Series(["b", "a", "ccc", "a", "b"])
    long = pd.Series(["customer-b", "customer-a", "customer-ccc", "customer-a", "customer-b"])
    unicode = pd.Series(["客户b", "客户a", "客户ccc", "客户a", "客户b"])
    cat = short.astype("category")
    expected = [1, 0, 2, 0, 1]
    for ids in (short, long, unicode, cat):
        enc = encode_customers(ids)
        assert enc.codes.tolist() == expected
    assert encode_customers(short).ids.tolist() == ["a", "b", "ccc"]
    assert encode_customers(long).ids.tolist() == ["customer-a", "customer-b", "customer-ccc"]


@pytest.mark.parametrize("storage", ["python", "pyarrow"])
def test_encode_presorted_ids_checks_the_order(storage):
    """``presorted=True`` (rows of the SQL engines) numbers ids where they change if they are
    in order, and falls back to the general encoding if they are not: the same codes."""
    dtype = pd.StringDtype(storage, na_value=np.nan)
    ordered = pd.Series(["a", "a", "b", "c", "c", "客户", "客户"], dtype=dtype)
    shuffled = pd.Series(["c", "a", "客户", "b", "a"], dtype=dtype)
    for ids in (ordered, shuffled, ordered.iloc[:1]):
        fast, general = encode_customers(ids, presorted=True), encode_customers(ids)
        assert fast.codes.tolist() == general.codes.tolist()
        assert fast.ids.tolist() == general.ids.tolist() == sorted(set(ids))
    assert encode_customers(ordered, presorted=True).codes.tolist() == [0, 0, 1, 2, 2, 3, 3]


def test_summary_by_hand():
    t = _tx()
    s = summary_data(t, "id", "day", "amount", calibration_end="2024-02-15", freq="D")
    # a: first 01-01, repeat 02-01 (31 days), T = 45 days, mean repeat spend 20
    assert s.loc["a"].tolist()[:4] == [1.0, 31.0, 45.0, 20.0]
    # b: one purchase on 01-15, T = 31 days; c first buys after the calibration end: absent
    assert s.loc["b"].tolist()[:4] == [0.0, 0.0, 31.0, 0.0]
    assert "c" not in s.index
    assert s.loc["a", "frequency_holdout"] == 0 and s.loc["a", "duration_holdout"] == 15


def test_prepared_transactions_give_the_same_tables():
    from crmstudy import datasets
    from crmstudy.customer_value import prepare_transactions

    raw = datasets.load("cdnow_sample")
    tx = prepare_transactions(raw, "customer_id", "date", "dollar_value")
    pd.testing.assert_frame_equal(summary_data(tx, calibration_end="1997-09-30"),
                                  summary_data(raw, "customer_id", "date", "dollar_value",
                                               calibration_end="1997-09-30"))
    pd.testing.assert_frame_equal(rfm(tx), rfm(raw, "customer_id", "date", "dollar_value"))
    with pytest.raises(InputDataError, match="after the snapshot"):
        rfm(tx, snapshot="1998-01-01")
