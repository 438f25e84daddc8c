"""Transactions → one row per customer (validation, time units, RFM and model summaries).

A transaction table has one row per purchase: a customer id, a date, an amount and
optionally a quantity.  :func:`validate_transactions` checks it and returns a clean copy;
:func:`summary_data` aggregates it to the calibration/holdout form of the buy-till-you-die
models (BG/NBD, Gamma-Gamma).

Conventions (named, recorded in ``DataFrame.attrs`` of every result)
--------------------------------------------------------------------
* **Purchase occasions** (``count="days"``, default): several transactions of a customer on
  the same calendar day are one purchase occasion, as in Fader, Hardie & Lee (2005) and
  ``lifetimes``.  ``count="transactions"`` counts every row instead.
* **Time unit** (``freq``): ``"D"`` days, ``"W"`` weeks (7 days), ``"M"`` months of
  365.25/12 = 30.4375 days.  Durations are computed in whole days and divided by the length
  of the unit, so they are fractional (38.86 weeks), exactly as in Hardie's CDNOW summary
  file; they are never rounded to calendar periods.  The unit travels with the table in
  ``attrs["time_unit"]`` and is read by the models, so a CLV horizon in months is converted
  with the right factor.
* **Snapshot / calibration end are inclusive**: a purchase on ``calibration_end`` belongs to
  the calibration period; ``T`` is measured from the first purchase to ``calibration_end``.
* **Monetary value** of the model summary: the mean spend per *repeat* purchase occasion in
  the calibration period (the first purchase is excluded, Fader, Hardie & Lee 2005b), 0 for
  customers without repeat purchases.

Speed: ids are turned into integer codes once (fixed-width byte ids of up to 8 bytes are
reinterpreted as integers, which avoids hashing millions of Python strings), dates into
integer days, and every aggregate is a :func:`numpy.bincount` or a single integer sort.
There is no Python loop over rows or customers.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataQualityWarning, InputDataError, ParameterError

__all__ = ["TIME_UNITS", "days_per_unit", "validate_transactions", "summary_data",
           "CustomerCodes", "encode_customers", "Transactions", "prepare_transactions"]

#: Length of each supported time unit in days (month = average Gregorian month).
TIME_UNITS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}
_UNIT_NAMES = {"D": "days", "W": "weeks", "M": "months"}
COUNT_RULES = ("days", "transactions")


def days_per_unit(freq: str) -> float:
    """Length of time unit ``freq`` ("D", "W", "M") in days."""
    if freq not in TIME_UNITS:
        raise ParameterError(f"unknown time unit freq={freq!r}",
                             hint='use freq="D" (days), "W" (weeks) or "M" (months of 30.4375 days)')
    return TIME_UNITS[freq]


def _first_bad(mask: np.ndarray, index: pd.Index):
    """Label of the first row where ``mask`` is true (for error messages)."""
    return index[int(np.flatnonzero(mask)[0])]


def validate_transactions(transactions: pd.DataFrame, customer_col: str, date_col: str,
                          amount_col: str, quantity_col: str | None = None, *,
                          snapshot=None, file=None) -> pd.DataFrame:
    """Check a transaction table and return a clean copy.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase.  Not modified.
    customer_col, date_col, amount_col : str
        Column names of the customer id, the purchase date and the amount (money).
    quantity_col : str, optional
        Column of the quantity bought.
    snapshot : date-like, optional
        The analysis date; a purchase after it is an error (future dates).
    file : str, optional
        Name of the source file, used in error messages.

    Returns
    -------
    DataFrame
        Columns ``customer_id`` (str, or the original categorical), ``date`` (datetime64,
        normalised to midnight), ``amount`` (float) and ``quantity`` if given; same row order
        and index as the input.

    Raises
    ------
    InputDataError
        Missing column, empty table, missing id, ids of mixed types (e.g. numbers and text),
        unparseable or missing dates, missing, non-numeric or negative amounts, purchases after
        ``snapshot``.  The message names the column and the first offending row.
    """
    if not isinstance(transactions, pd.DataFrame):
        raise InputDataError(f"transactions must be a DataFrame, got {type(transactions).__name__}",
                             file=file, hint="read the file with pandas.read_csv first")
    cols = {"customer": customer_col, "date": date_col, "amount": amount_col}
    if quantity_col is not None:
        cols["quantity"] = quantity_col
    for role, col in cols.items():
        if col not in transactions.columns:
            raise InputDataError(f"the {role} column {col!r} is missing", file=file, column=col,
                                 hint=f"name one of the columns {list(transactions.columns)} as "
                                      f"{role}_col")
    if len(transactions) == 0:
        raise InputDataError("the transaction table is empty", file=file,
                             hint="check the file and any filter applied before this call")
    index = transactions.index

    ids = transactions[customer_col]
    missing = ids.isna().to_numpy()
    if missing.any():
        raise InputDataError("customer id is missing", file=file, row=_first_bad(missing, index),
                             column=customer_col, hint="drop or fill the rows without a customer id")
    if isinstance(ids.dtype, pd.CategoricalDtype):
        clean_ids = ids.copy()
    elif pd.api.types.is_string_dtype(ids.dtype) and not pd.api.types.is_object_dtype(ids.dtype):
        clean_ids = ids.copy()
    elif pd.api.types.is_integer_dtype(ids.dtype):
        clean_ids = ids.astype(str)
    else:
        kind = pd.api.types.infer_dtype(ids, skipna=True) if ids.dtype == object else ""
        if kind.startswith("mixed"):
            # error path only: find the first id whose type differs from the first id's
            kinds = ids.map(lambda v: type(v).__name__)
            other = (kinds != kinds.iloc[0]).to_numpy()
            raise InputDataError(
                f"customer ids have mixed types ({', '.join(sorted(kinds.unique()))}): "
                f"e.g. {ids.iloc[0]!r} and {ids[other].iloc[0]!r} would be different customers",
                file=file, row=_first_bad(other, index), column=customer_col,
                hint="read the id column as text, e.g. pd.read_csv(..., dtype={"
                     f"{customer_col!r}: str}})")
        if pd.api.types.is_float_dtype(ids.dtype):
            raise InputDataError("customer ids are floating-point numbers", file=file,
                                 column=customer_col,
                                 hint="read the id column as text so ids are not rounded")
        clean_ids = ids.astype(str)

    raw_dates = transactions[date_col]
    if pd.api.types.is_datetime64_any_dtype(raw_dates.dtype):
        dates = raw_dates
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_localize(None)
    else:
        dates = pd.to_datetime(raw_dates, errors="coerce")
        bad = (dates.isna() & raw_dates.notna()).to_numpy()
        if bad.any():
            row = _first_bad(bad, index)
            raise InputDataError(f"date {raw_dates.loc[row]!r} cannot be parsed", file=file,
                                 row=row, column=date_col,
                                 hint="write dates as YYYY-MM-DD or parse them with "
                                      "pd.to_datetime(..., format=...) first")
    nat = dates.isna().to_numpy()
    if nat.any():
        raise InputDataError("date is missing", file=file, row=_first_bad(nat, index),
                             column=date_col, hint="drop or complete the rows without a date")
    dates = dates.dt.normalize()

    amounts = pd.to_numeric(transactions[amount_col], errors="coerce")
    bad = (amounts.isna() & transactions[amount_col].notna()).to_numpy()
    if bad.any():
        row = _first_bad(bad, index)
        raise InputDataError(f"amount {transactions[amount_col].loc[row]!r} is not a number",
                             file=file, row=row, column=amount_col,
                             hint="remove currency signs and thousands separators")
    values = amounts.to_numpy(dtype=float)
    if np.isnan(values).any():
        raise InputDataError("amount is missing", file=file,
                             row=_first_bad(np.isnan(values), index), column=amount_col,
                             hint="drop the rows or fill the amount (0 for a free order)")
    if (values < 0).any():
        row = _first_bad(values < 0, index)
        raise InputDataError(f"amount {values[index.get_loc(row)] if index.is_unique else ''} "
                             "is negative", file=file, row=row, column=amount_col,
                             hint="returns and refunds must be netted against their purchases "
                                  "before the analysis (or dropped)")
    out = pd.DataFrame({"customer_id": clean_ids.array, "date": dates.to_numpy(),
                        "amount": values}, index=index, copy=False)
    if quantity_col is not None:
        q = pd.to_numeric(transactions[quantity_col], errors="coerce")
        if q.isna().any():
            raise InputDataError("quantity is missing or not a number", file=file,
                                 row=_first_bad(q.isna().to_numpy(), index), column=quantity_col,
                                 hint="fill the quantity or leave quantity_col=None")
        out["quantity"] = q.to_numpy()
    if snapshot is not None:
        snap = _as_timestamp(snapshot, "snapshot")
        future = (out["date"] > snap).to_numpy()
        if future.any():
            row = _first_bad(future, index)
            raise InputDataError(
                f"purchase on {out['date'].loc[row].date()} is after the snapshot date "
                f"{snap.date()}", file=file, row=row, column=date_col,
                hint="choose a later snapshot or drop the future-dated rows (typing errors?)")
    return out


def _as_timestamp(value, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ParameterError(f"{name}={value!r} is not a date", hint="give a date as 'YYYY-MM-DD'") from None
    if pd.isna(ts):
        raise ParameterError(f"{name} is missing", hint="give a date as 'YYYY-MM-DD'")
    return ts.normalize()


@dataclass(frozen=True)
class CustomerCodes:
    """Integer code of every transaction's customer and the id of every code."""

    codes: np.ndarray  # int64, one per transaction, 0..n_customers-1
    ids: np.ndarray    # customer id of each code, sorted ascending

    @property
    def n(self) -> int:
        return len(self.ids)


def encode_customers(ids) -> CustomerCodes:
    """Integer codes for customer ids, fast for millions of string ids.

    Ids are numbered in sorted order, so results do not depend on row order.  ASCII ids of
    up to 8 bytes are reinterpreted as big-endian unsigned integers (whose order is the byte
    order of the text); longer or non-ASCII ids fall back to :func:`pandas.factorize`.
    """
    arr = ids.array if isinstance(ids, pd.Series) else ids
    if isinstance(getattr(arr, "dtype", None), pd.CategoricalDtype):
        cat = pd.Categorical(arr)
        used = np.bincount(cat.codes, minlength=len(cat.categories)) > 0
        cats = np.asarray(cat.categories.astype(str))
        order = np.argsort(cats[used], kind="stable")
        remap = np.full(len(cats), -1, dtype=np.int64)
        remap[np.flatnonzero(used)[order]] = np.arange(used.sum())
        return CustomerCodes(remap[cat.codes], cats[used][order].astype(object))
    values = np.asarray(arr, dtype=object)
    try:
        raw = values.astype("S")
    except UnicodeEncodeError:
        raw = None
    if raw is not None and raw.dtype.itemsize <= 8:
        # NUL padded on the right, read big-endian: integer order = text order
        keys = raw.astype("S8").view(">u8").astype(np.uint64)
        codes, uniq = pd.factorize(keys)          # hash table on integers: fast
        order = np.argsort(uniq, kind="stable")   # number the ids in sorted order
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        ids_out = uniq[order].astype(">u8").view("S8").astype(str).astype(object)
        return CustomerCodes(rank[codes], ids_out)
    codes, uniques = pd.factorize(values, sort=True)
    return CustomerCodes(codes.astype(np.int64), np.asarray(uniques, dtype=object))


def _day_numbers(dates: pd.Series) -> np.ndarray:
    return dates.to_numpy().astype("datetime64[D]").astype(np.int64)


def _order_free(x: np.ndarray, digits: int = 12) -> np.ndarray:
    """Round sums to ``digits`` significant digits.

    Floating-point sums depend on the order of the terms in the last bits; rounding them makes
    totals (and the RFM ties built on them) independent of the row order of the input.
    """
    x = np.asarray(x, dtype=float)
    out = x.copy()
    nz = np.isfinite(x) & (x != 0)
    scale = 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(x[nz]))))
    out[nz] = np.round(x[nz] * scale) / scale
    return out


def _customer_aggregates(codes: np.ndarray, n: int, days: np.ndarray, amount: np.ndarray,
                         count: str) -> dict:
    """Per-customer first/last day, purchase occasions, total and first-day spend.

    One integer sort of the (customer, day) keys gives the distinct purchase days in customer
    order, hence first and last day and the number of purchase days; sums are bincounts.
    Customers without a transaction in the arrays get ``first = +inf``, ``last = -inf``
    sentinels (callers mask them).
    """
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, np.iinfo(np.int64).min)
    zeros = np.zeros(n)
    if len(codes) == 0:
        return dict(first=first, last=last, occasions=np.zeros(n, np.int64), total=zeros,
                    repeat_total=zeros, repeat_n=np.full(n, -1), n_transactions=np.zeros(n, np.int64))
    d0 = int(days.min())
    span = int(days.max()) - d0 + 1
    key = np.sort(codes * span + (days - d0))
    distinct = np.empty(len(key), dtype=bool)
    distinct[:1] = True
    np.not_equal(key[1:], key[:-1], out=distinct[1:])
    ukey = key[distinct]
    ucode = ukey // span
    starts = np.flatnonzero(np.r_[True, ucode[1:] != ucode[:-1]])
    ends = np.r_[starts[1:], len(ukey)] - 1
    present = ucode[starts]
    first[present] = ukey[starts] % span + d0
    last[present] = ukey[ends] % span + d0
    n_transactions = np.bincount(codes, minlength=n)
    total = _order_free(np.bincount(codes, weights=amount, minlength=n))
    on_first = days == first[codes]
    first_spend = _order_free(np.bincount(codes, weights=np.where(on_first, amount, 0.0), minlength=n))
    if count == "transactions":
        occasions = n_transactions
        first_count = np.bincount(codes, weights=on_first, minlength=n)
        # every first-day row but one is already a repeat purchase: take one row's mean spend
        first_spend = first_spend / np.maximum(first_count, 1)
    else:
        occasions = np.bincount(ucode, minlength=n)
    return dict(first=first, last=last, occasions=occasions, total=total,
                repeat_total=_order_free(total - first_spend), repeat_n=occasions - 1,
                n_transactions=n_transactions)


@dataclass(frozen=True)
class Transactions:
    """A validated transaction table in integer form, ready for the per-customer summaries.

    Build it once with :func:`prepare_transactions` and pass it to :func:`summary_data`
    and :func:`~crmstudy.customer_value.rfm` instead of the DataFrame: validation and
    the encoding of customer ids (the slow part on millions of rows) are then done once.
    """

    codes: np.ndarray     # customer code per transaction (0..n-1, in sorted id order)
    ids: np.ndarray       # customer id per code
    days: np.ndarray      # purchase day per transaction (days since 1970-01-01)
    amount: np.ndarray    # amount per transaction
    file: str | None = None
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_customers(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.codes)

    def id_index(self, mask=None) -> pd.Index:
        if "index" not in self._cache:
            self._cache["index"] = pd.Index(self.ids, name="customer_id", dtype=str)
        return self._cache["index"] if mask is None else self._cache["index"][mask]

    def aggregates(self, count: str) -> dict:
        """Per-customer aggregates over all transactions (cached: summary and RFM share them)."""
        key = ("aggregates", count)
        if key not in self._cache:
            self._cache[key] = _customer_aggregates(self.codes, self.n_customers, self.days,
                                                    self.amount, count)
        return self._cache[key]


def prepare_transactions(transactions: pd.DataFrame, customer_col: str, date_col: str,
                         amount_col: str, *, snapshot=None, file=None) -> Transactions:
    """Validate (see :func:`validate_transactions`) and encode a transaction table once."""
    if isinstance(transactions, Transactions):
        return transactions
    tx = validate_transactions(transactions, customer_col, date_col, amount_col, snapshot=snapshot,
                               file=file)
    enc = encode_customers(tx["customer_id"])
    return Transactions(codes=enc.codes, ids=enc.ids, days=_day_numbers(tx["date"]),
                        amount=tx["amount"].to_numpy(), file=None if file is None else str(file))


def summary_data(transactions: pd.DataFrame | Transactions, customer_col: str | None = None,
                 date_col: str | None = None, amount_col: str | None = None,
                 calibration_end=None, observation_end=None, freq: str = "W", *,
                 count: str = "days", file=None) -> pd.DataFrame:
    """Calibration (and holdout) summary per customer for BG/NBD and Gamma-Gamma models.

    Parameters
    ----------
    transactions : DataFrame or Transactions
        One row per purchase (see :func:`validate_transactions`), or the result of
        :func:`prepare_transactions` (then the column names are not needed).
    customer_col, date_col, amount_col : str
        Column names.
    calibration_end : date-like, optional
        Last day of the calibration period (inclusive).  Default: ``observation_end``.
    observation_end : date-like, optional
        Last day of the data used (inclusive).  Default: the last purchase date.  When it is
        after ``calibration_end`` the holdout columns are added.
    freq : {"D", "W", "M"}
        Time unit of ``recency``, ``T`` and ``duration_holdout`` (see module docstring).
    count : {"days", "transactions"}
        What one purchase is: a distinct purchase day per customer (default) or a row.
    file : str, optional
        Name of the source, for error messages.

    Returns
    -------
    DataFrame indexed by ``customer_id`` (sorted), one row per customer whose first purchase
    is on or before ``calibration_end``, with

    ``frequency``
        repeat purchases in the calibration period (purchases − 1);
    ``recency``
        time from the first to the last calibration purchase, in ``freq`` units;
    ``T``
        time from the first purchase to ``calibration_end``;
    ``monetary_value``
        mean spend per repeat purchase in the calibration period (0 if ``frequency`` is 0);
    ``frequency_holdout``, ``monetary_value_holdout``, ``duration_holdout``
        purchases, mean spend per purchase and length of the holdout period (only with a
        holdout).

    ``attrs`` holds ``time_unit``, ``days_per_unit``, ``count``, ``calibration_end`` and
    ``observation_end``.

    References
    ----------
    Fader, Hardie & Lee (2005), "Counting your customers" the easy way, Marketing Science
    24(2); the CDNOW summary built by this function from ``cdnow_sample`` with
    ``calibration_end="1997-09-30"`` equals Hardie's published file to the 2 printed decimals.
    ``lifetimes.utils.calibration_and_holdout_data`` is the peer, but rounds to whole periods.

    Examples
    --------
    >>> from crmstudy import datasets
    >>> from crmstudy.customer_value import summary_data
    >>> tx = datasets.load("cdnow_sample")
    >>> s = summary_data(tx, "customer_id", "date", "dollar_value",
    ...                  calibration_end="1997-09-30", observation_end="1998-06-30")
    >>> s.loc["00004", ["frequency", "recency", "T"]].round(2).tolist()
    [2.0, 30.43, 38.86]
    """
    unit = days_per_unit(freq)
    if count not in COUNT_RULES:
        raise ParameterError(f"unknown count rule {count!r}",
                             hint='use count="days" (purchase days) or count="transactions"')
    tx = prepare_transactions(transactions, customer_col, date_col, amount_col, file=file)
    days = tx.days
    first_day, last_day = int(days.min()), int(days.max())
    obs = last_day if observation_end is None else _day(observation_end, "observation_end")
    cal = obs if calibration_end is None else _day(calibration_end, "calibration_end")
    if cal > obs:
        raise ParameterError(f"calibration_end {_date(cal)} is after observation_end {_date(obs)}",
                             hint="the calibration period must end on or before the observation end")
    if cal < first_day or cal > last_day:
        raise ParameterError(
            f"calibration_end {_date(cal)} is outside the data ({_date(first_day)} to "
            f"{_date(last_day)})", hint="choose a calibration end between the first and last purchase")
    if obs < last_day:
        n_after = int((days > obs).sum())
        warnings.warn(f"{n_after} transactions after observation_end {_date(obs)} are ignored",
                      DataQualityWarning, stacklevel=2)
    codes, n, amount = tx.codes, tx.n_customers, tx.amount
    in_cal = days <= cal
    whole = bool(in_cal.all())  # no copies when the calibration period is all the data
    agg = tx.aggregates(count) if whole else _customer_aggregates(
        codes[in_cal], n, days[in_cal], amount[in_cal], count)
    # customers are those who bought in the calibration period
    buyers = agg["occasions"] > 0
    freq_cal = (agg["occasions"] - 1)[buyers]
    repeat_n = agg["repeat_n"][buyers]
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(repeat_n > 0, agg["repeat_total"][buyers] / np.maximum(repeat_n, 1), 0.0)
    out = pd.DataFrame({
        "frequency": freq_cal.astype(float),
        "recency": (agg["last"] - agg["first"])[buyers] / unit,
        "T": (cal - agg["first"][buyers]) / unit,
        "monetary_value": monetary,
    }, index=tx.id_index(None if buyers.all() else buyers))
    if obs > cal:
        in_hold = (days > cal) & (days <= obs)
        hold = _customer_aggregates(codes[in_hold], n, days[in_hold], amount[in_hold], count) \
            if in_hold.any() else None
        if hold is None:
            out["frequency_holdout"] = 0.0
            out["monetary_value_holdout"] = 0.0
        else:
            occ = hold["occasions"][buyers].astype(float)
            out["frequency_holdout"] = occ
            with np.errstate(invalid="ignore", divide="ignore"):
                out["monetary_value_holdout"] = np.where(occ > 0, hold["total"][buyers] / np.maximum(occ, 1), 0.0)
        out["duration_holdout"] = (obs - cal) / unit
    out.attrs.update(time_unit=freq, time_unit_name=_UNIT_NAMES[freq], days_per_unit=unit,
                     count=count, calibration_end=_date(cal), observation_end=_date(obs))
    return out


def _day(value, name: str) -> int:
    return int(np.datetime64(_as_timestamp(value, name).date(), "D").astype(np.int64))


def _date(day: int) -> str:
    return str(np.datetime64(int(day), "D"))
