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

Engines: besides a DataFrame, :func:`summary_data` and :func:`~crmstudy.customer_value.rfm`
read CSV/Parquet files (DuckDB, out of core), DuckDB relations and Spark DataFrames, with one
SQL definition of the per-customer aggregates (:mod:`crmstudy.customer_value.engines`).

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
from .engines import (CustomerCodes, arrow_strings, derive, encode_customers, numpy_aggregates,
                      order_free, source_engine, sql_aggregates)

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
        Columns ``customer_id`` (str, int64 for integer ids, or the original categorical),
        ``date`` (datetime64,
        normalised to midnight), ``amount`` (float) and ``quantity`` if given; same row order
        and index as the input.

    Raises
    ------
    InputDataError
        Missing column, empty table, missing id, ids of mixed types (e.g. numbers and text),
        unparseable or missing dates, missing, non-numeric or negative amounts, purchases after
        ``snapshot``.  The message names the column and the first offending row.
    """
    clean_ids, dates, _, values, quantity = _checked_columns(
        transactions, customer_col, date_col, amount_col, quantity_col, snapshot=snapshot,
        file=file)
    out = pd.DataFrame({"customer_id": clean_ids.array, "date": dates.dt.normalize().to_numpy(),
                        "amount": values}, index=transactions.index, copy=False)
    if quantity is not None:
        out["quantity"] = quantity
    return out


def _checked_columns(transactions: pd.DataFrame, customer_col: str, date_col: str,
                     amount_col: str, quantity_col: str | None = None, *, snapshot=None,
                     file=None):
    """The checks of :func:`validate_transactions` (its errors, in its order); returns the
    clean ids (Series), the dates (Series, times of day kept), their day numbers, the
    amounts (float ndarray) and the quantities (ndarray, or None)."""
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
        # integer ids stay integers (issue 16): ``s.loc[1]`` works as in the user's frame
        clean_ids = ids.astype(np.int64) if not isinstance(ids.dtype, np.dtype) else ids.copy()
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
    days = _day_numbers(dates)
    quantity = None
    if quantity_col is not None:
        q = pd.to_numeric(transactions[quantity_col], errors="coerce")
        if q.isna().any():
            raise InputDataError("quantity is missing or not a number", file=file,
                                 row=_first_bad(q.isna().to_numpy(), index), column=quantity_col,
                                 hint="fill the quantity or leave quantity_col=None")
        quantity = q.to_numpy()
    if snapshot is not None:
        snap = _as_timestamp(snapshot, "snapshot")
        future = days > _day(snap, "snapshot")
        if future.any():
            row = _first_bad(future, index)
            raise InputDataError(
                f"purchase on {dates.loc[row].date()} is after the snapshot date "
                f"{snap.date()}", file=file, row=row, column=date_col,
                hint="choose a later snapshot or drop the future-dated rows (typing errors?)")
    return clean_ids, dates, days, values, quantity


def _as_timestamp(value, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ParameterError(f"{name}={value!r} is not a date", hint="give a date as 'YYYY-MM-DD'") from None
    if pd.isna(ts):
        raise ParameterError(f"{name} is missing", hint="give a date as 'YYYY-MM-DD'")
    return ts.normalize()


def _day_numbers(dates) -> np.ndarray:
    """Days since 1970-01-01 of datetime64 stamps (their dates: the floor division of the
    stamp by a day, 5x faster than a cast to datetime64[D])."""
    values = np.asarray(dates.to_numpy() if isinstance(dates, pd.Series) else dates)
    unit, count = np.datetime_data(values.dtype)
    per_day = np.timedelta64(1, "D") // np.timedelta64(count, unit)
    return np.floor_divide(values.view(np.int64), per_day)


_order_free = order_free  # kept for callers of the old name


def _customer_aggregates(codes: np.ndarray, n: int, days: np.ndarray, amount: np.ndarray,
                         count: str) -> dict:
    """Per-customer first/last day, purchase occasions, total and repeat spend (numpy engine)."""
    return derive(numpy_aggregates(codes, n, days, amount), count)


@dataclass(frozen=True)
class Transactions:
    """A validated transaction table in integer form, ready for the per-customer summaries.

    Build it once with :func:`prepare_transactions` and pass it to :func:`summary_data`
    and :func:`~crmstudy.customer_value.rfm` instead of the DataFrame: validation and
    the encoding of customer ids (the slow part on millions of rows) are then done once.
    (Calling both with the same DataFrame also encodes it once: the last DataFrame's
    encoding is kept while its columns are unchanged, see :func:`prepare_transactions`.)
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
            dtype = np.int64 if self.ids.dtype.kind in "iu" else str
            self._cache["index"] = pd.Index(self.ids, name="customer_id", dtype=dtype)
        return self._cache["index"] if mask is None else self._cache["index"][mask]

    def day_range(self) -> tuple[int, int]:
        if "range" not in self._cache:
            self._cache["range"] = (int(self.days.min()), int(self.days.max()))
        return self._cache["range"]

    def raw(self, lo=None, hi=None) -> dict:
        """Raw aggregates (:func:`~crmstudy.customer_value.engines.numpy_aggregates`) of the
        transactions with ``lo < day <= hi`` (``None``: no bound); cached."""
        first, last = self.day_range()
        lo = None if lo is None or lo < first else int(lo)
        hi = None if hi is None or hi >= last else int(hi)
        key = ("raw", lo, hi)
        if key not in self._cache:
            if lo is None and hi is None:
                codes, days, amount = self.codes, self.days, self.amount
            else:
                keep = np.ones(len(self.days), bool)
                if lo is not None:
                    keep &= self.days > lo
                if hi is not None:
                    keep &= self.days <= hi
                codes, days, amount = self.codes[keep], self.days[keep], self.amount[keep]
            self._cache[key] = numpy_aggregates(codes, self.n_customers, days, amount)
        return self._cache[key]

    def aggregates(self, count: str) -> dict:
        """Per-customer aggregates over all transactions (cached: summary and RFM share them)."""
        return derive(self.raw(), count)


# The last DataFrame prepared, while its columns are unchanged.  pandas >= 3 copies on write:
# holding the column Series makes any later change to the user's frame copy its data, so the
# same buffers mean the same data.  One entry only, dropped when the DataFrame is collected.
_LAST: dict = {}


def _fingerprint(frame: pd.DataFrame, cols: tuple) -> tuple | None:
    if int(pd.__version__.split(".")[0]) < 3:
        return None  # copy-on-write is not guaranteed: never reuse
    out = []
    for col in cols:
        array = frame[col].array
        values = getattr(array, "_ndarray", None)
        if values is not None:
            out.append((values.__array_interface__["data"][0], values.shape, values.strides,
                        values.dtype.str))
            continue
        arrow = arrow_strings(array)
        if arrow is None:  # categorical or other storage: no cheap identity, no reuse
            return None
        # Arrow buffers are immutable: a change to the column makes new ones
        out.append(tuple((b.address, b.size) if b is not None else None
                         for chunk in arrow.chunks for b in chunk.buffers()) + (len(arrow),))
    return tuple(out)


def _prepare_cached(transactions: pd.DataFrame, customer_col, date_col, amount_col, *,
                    snapshot=None, file=None) -> Transactions:
    """``prepare_transactions``, reusing the last result while the DataFrame is unchanged."""
    cols = (customer_col, date_col, amount_col)
    key = None
    if all(c in transactions.columns for c in cols) and transactions.columns.is_unique:
        key = _fingerprint(transactions, cols)
    if key is not None and _LAST.get("key") == (key, cols, file) and \
            _LAST["frame"]() is transactions:
        tx = _LAST["tx"]
        if snapshot is not None and tx.day_range()[1] > _day(snapshot, "snapshot"):
            # the error names the row: validate the frame (raises)
            validate_transactions(transactions, *cols, snapshot=snapshot, file=file)
        return tx
    tx = prepare_transactions(transactions, *cols, snapshot=snapshot, file=file)
    _LAST.clear()
    if key is not None:
        import weakref
        _LAST.update(key=(key, cols, file), tx=tx, held=[transactions[c] for c in cols],
                     frame=weakref.ref(transactions, lambda _: _LAST.clear()))
    return tx


def prepare_transactions(transactions: pd.DataFrame, customer_col: str, date_col: str,
                         amount_col: str, *, snapshot=None, file=None) -> Transactions:
    """Validate (see :func:`validate_transactions`) and encode a transaction table once."""
    if isinstance(transactions, Transactions):
        return transactions
    ids, _, days, amount, _ = _checked_columns(transactions, customer_col, date_col, amount_col,
                                               snapshot=snapshot, file=file)
    enc = encode_customers(ids)
    return Transactions(codes=enc.codes, ids=enc.ids, days=days, amount=amount,
                        file=None if file is None else str(file))


@dataclass(frozen=True)
class _Window:
    """Raw per-customer aggregates of a calibration window and its holdout, on any engine."""

    index: pd.Index       # customer ids, sorted
    cal: dict             # raw columns for day <= calibration end
    hold: dict | None     # raw columns for calibration end < day <= observation end
    first_day: int        # first and last purchase day in all the data
    last_day: int
    n_after: int          # transactions after the observation end
    name: str | None      # the source, for messages
    engine: str


def _aggregate(source, customer_col, date_col, amount_col, cal=None, obs=None, *, file=None,
               snapshot=None, engine_options=None) -> _Window:
    """Raw aggregates of ``day <= cal`` (calibration) and ``cal < day <= obs`` (holdout).

    ``cal``/``obs`` are day numbers or ``None`` (no bound).  pandas input goes through the
    numpy engine, everything else through :func:`~crmstudy.customer_value.engines.sql_aggregates`.
    """
    engine = source_engine(source)
    # pandas input: the numpy engine.  Measured against DuckDB on the same validated arrays
    # (same SQL; benchmarks/bench_engines.py, 10 M rows, 2 shared cores) it was faster
    # (10.4-14.1 s vs 14.6-15.0 s for summary + RFM), so DuckDB is kept for files.
    if engine in ("pandas", "prepared"):
        if engine == "pandas":
            tx = _prepare_cached(source, customer_col, date_col, amount_col, snapshot=snapshot,
                                 file=file)
        else:
            tx = prepare_transactions(source, customer_col, date_col, amount_col)
        first, last = tx.day_range()
        hold = None
        if cal is not None:
            hi = last if obs is None else obs
            hold = tx.raw(cal, hi) if hi > cal else None
        n_after = 0 if obs is None or obs >= last else int((tx.days > obs).sum())
        return _Window(tx.id_index(), tx.raw(None, cal), hold, first, last, n_after,
                       tx.file if file is None else str(file), engine)
    index, raw, name = sql_aggregates(source, customer_col, date_col, amount_col, cal, obs,
                                      **(engine_options or {}))
    return _sql_window(index, raw, name if file is None else str(file), cal, engine)


def _sql_window(index, raw, name, cal, engine) -> _Window:
    cal_raw = {k: raw[k] for k in ("first", "last", "days", "transactions", "total",
                                   "first_spend", "first_transactions")}
    hold = {"days": raw["h_days"], "transactions": raw["h_transactions"], "total": raw["h_total"],
            "first_spend": np.zeros(len(index)), "first_transactions": np.zeros(len(index), np.int64),
            "first": raw["first"], "last": raw["last"]}
    return _Window(index, cal_raw, hold if cal is not None else None, int(raw["first_all"].min()),
                   int(raw["last_all"].max()), int(raw["n_after"].sum()), name, engine)


def summary_data(transactions, customer_col: str | None = None,
                 date_col: str | None = None, amount_col: str | None = None,
                 calibration_end=None, observation_end=None, freq: str = "W", *,
                 count: str = "days", file=None, memory_limit: str = "1GB",
                 temp_directory=None, threads: int | None = None) -> pd.DataFrame:
    """Calibration (and holdout) summary per customer for BG/NBD and Gamma-Gamma models.

    Parameters
    ----------
    transactions : DataFrame, Transactions, path or glob, DuckDB relation or Spark DataFrame
        One row per purchase (see :func:`validate_transactions`), or the result of
        :func:`prepare_transactions` (then the column names are not needed), or a log on
        another engine: a path, folder, glob or list of CSV/Parquet files (read by DuckDB,
        out of core), a DuckDB relation, a Spark DataFrame (aggregated by Spark; only the
        per-customer rows are collected).  Every engine gives the same table
        (:mod:`crmstudy.customer_value.engines`).
    customer_col, date_col, amount_col : str
        Column names.
    calibration_end : date-like, optional
        Last day of the calibration period (inclusive).  Default: ``observation_end``.
    observation_end : date-like, optional
        Last day of the data used (inclusive), e.g. today.  Default: the last purchase date.
        Any date on or after the first purchase is accepted: after the last purchase it
        lengthens ``T`` (the snapshot is later than the data, as usual); before it the later
        transactions are ignored with a warning.  When it is after ``calibration_end`` the
        holdout columns are added.
    freq : {"D", "W", "M"}
        Time unit of ``recency``, ``T`` and ``duration_holdout`` (see module docstring).
    count : {"days", "transactions"}
        What one purchase is: a distinct purchase day per customer (default) or a row.
    file : str, optional
        Name of the source, for error messages.
    memory_limit, temp_directory, threads
        DuckDB settings for file input: memory it may use before spilling to
        ``temp_directory`` (default: a new temporary folder, removed afterwards) and threads
        (default: all cores).

    Returns
    -------
    DataFrame indexed by ``customer_id`` (sorted; the ids keep their type: integer ids stay
    integers), one row per customer whose first purchase is on or before ``calibration_end``,
    with

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

    ``attrs`` holds ``time_unit``, ``days_per_unit``, ``count``, ``calibration_end``,
    ``observation_end`` and ``engine``.

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
    obs_in = None if observation_end is None else _day(observation_end, "observation_end")
    cal_in = obs_in if calibration_end is None else _day(calibration_end, "calibration_end")
    w = _aggregate(transactions, customer_col, date_col, amount_col, cal_in, obs_in, file=file,
                   engine_options=dict(memory_limit=memory_limit, temp_directory=temp_directory,
                                       threads=threads))
    first_day, last_day = w.first_day, w.last_day
    obs = last_day if obs_in is None else obs_in
    cal = obs if calibration_end is None else cal_in
    if cal > obs:
        raise ParameterError(f"calibration_end {_date(cal)} is after observation_end {_date(obs)}",
                             hint="the calibration period must end on or before the observation end")
    if obs < first_day:
        raise ParameterError(
            f"observation_end {_date(obs)} is before the first purchase {_date(first_day)}",
            hint="choose an observation end on or after the first purchase (e.g. today)")
    if cal < first_day:
        raise ParameterError(
            f"calibration_end {_date(cal)} is outside the data: before the first purchase "
            f"{_date(first_day)} (data {_date(first_day)} to {_date(last_day)})",
            hint="choose a calibration end on or after the first purchase")
    if w.n_after:
        warnings.warn(f"{w.n_after} transactions after observation_end {_date(obs)} are ignored",
                      DataQualityWarning, stacklevel=2)
    agg = derive(w.cal, count)
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
    }, index=w.index if buyers.all() else w.index[buyers])
    if obs > cal:
        if w.hold is None:
            out["frequency_holdout"] = 0.0
            out["monetary_value_holdout"] = 0.0
        else:
            hold = derive(w.hold, count)
            occ = hold["occasions"][buyers].astype(float)
            out["frequency_holdout"] = occ
            with np.errstate(invalid="ignore", divide="ignore"):
                out["monetary_value_holdout"] = np.where(occ > 0, hold["total"][buyers] / np.maximum(occ, 1), 0.0)
        out["duration_holdout"] = (obs - cal) / unit
    out.attrs.update(time_unit=freq, time_unit_name=_UNIT_NAMES[freq], days_per_unit=unit,
                     count=count, calibration_end=_date(cal), observation_end=_date(obs),
                     engine=_ENGINE_NAMES[w.engine])
    return out


_ENGINE_NAMES = {"pandas": "numpy", "prepared": "numpy", "files": "duckdb", "duckdb": "duckdb",
                 "spark": "spark"}


def _day(value, name: str) -> int:
    return int(np.datetime64(_as_timestamp(value, name).date(), "D").astype(np.int64))


def _date(day: int) -> str:
    return str(np.datetime64(int(day), "D"))
