"""Per-customer aggregates of a transaction log on pandas/numpy, DuckDB (files) or Spark.

:func:`~crmstudy.customer_value.summary_data` and :func:`~crmstudy.customer_value.rfm` need
the same few numbers per customer, and nothing else from the transactions.  This module
computes them on the engine that holds the data, and only the per-customer table comes back
to pandas:

=====================================  ==========================================================
source                                 engine
=====================================  ==========================================================
pandas DataFrame, ``Transactions``     numpy (integer codes, one sort, ``bincount``) in memory
path or glob of CSV / Parquet files    DuckDB, out of core (``memory_limit``, ``temp_directory``)
DuckDB relation                        DuckDB, on the relation's own connection
Spark DataFrame                        Spark SQL; the aggregation runs in Spark, only the
                                       per-customer rows are collected
=====================================  ==========================================================

One definition per quantity
---------------------------
The *raw* aggregates of a customer over a window of days are defined once as SQL text,
:data:`AGGREGATE_SQL`, which DuckDB and Spark both run (the dialect details are named in
:data:`DIALECTS`: the day number of a date, the conversion of the amount, identifier quoting;
the query returns one row per customer and window, which one pandas function turns into the
columns below for every SQL engine).  The numpy path
(:func:`numpy_aggregates`) computes the same raw columns for in-memory data, and the tests
assert that all engines give equal tables on CDNOW and on a synthetic log.  Everything built
from the raw columns (repeat spend, occasions under each count rule, recency, T, scores) is
computed by :func:`derive` and the callers in pandas, once for every engine.

Raw columns (a purchase *day* is a distinct calendar day of a customer):
``first``, ``last`` (first and last purchase day in the window, days since 1970-01-01),
``days`` (distinct purchase days), ``transactions`` (rows), ``total`` (spend),
``first_spend`` and ``first_transactions`` (spend and rows on the first day), the same
counts and spend in the holdout window (``h_days``, ``h_transactions``, ``h_total``), and
over all the data ``first_all``, ``last_all`` and ``n_after`` (rows after the observation end).

Reuse: the result of the last file query is kept while the files are unchanged (same
paths, modification times and sizes), so ``summary_data(path)`` then ``rfm(path)`` read a
large log once; likewise the encoding of the last pandas DataFrame is kept while its columns
are unchanged (pandas copies on write, see ``transactions._prepare_cached``).

Sums are rounded to 12 significant digits (:func:`order_free`), so the order in which an
engine adds the amounts does not change a total in its last bits, nor the RFM ties built on
it.  Customer ids keep their type (text stays text, integers stay integers; a CSV file's id
column is read as text so that leading zeros survive) and the table is sorted by id (code
point order, which is also UTF-8 byte order).
"""
from __future__ import annotations

import glob as _glob
import os
import tempfile
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputDataError, ParameterError

__all__ = ["AGGREGATE_SQL", "DIALECTS", "source_engine", "numpy_aggregates", "derive",
           "order_free", "sql_aggregates", "read_transactions", "expand_files",
           "ENGINE_EXTRAS", "CustomerCodes", "encode_customers"]

#: The optional extra that installs each engine.
ENGINE_EXTRAS = {"duckdb": "duckdb", "spark": "pyspark"}

#: No bound: larger than any day number (year 5.8 million).
_NO_BOUND = 2**31 - 1
_BIG = np.iinfo(np.int64).max
_SMALL = np.iinfo(np.int64).min

#: The dialect details of :data:`AGGREGATE_SQL`: the day number (days since 1970-01-01) of a
#: date, timestamp or date text (NULL if it cannot be read), the 64-bit integer ``1 << pos``
#: and how a column name is quoted.
DIALECTS = {
    "duckdb": {"day": "CAST(TRY_CAST({col} AS DATE) - DATE '1970-01-01' AS INTEGER)",
               "amount": "TRY_CAST({col} AS DOUBLE)",
               "shift": "(CAST(1 AS BIGINT) << {pos})",
               "inline": "NOT MATERIALIZED ",
               "quote": lambda name: '"' + name.replace('"', '""') + '"'},
    # CSV columns are read as text; trim() keeps DuckDB from pushing the cast into the CSV
    # reader, where a bad value would stop the query instead of becoming NULL (a located error)
    "duckdb_csv": {"day": "CAST(TRY_CAST(trim({col}) AS DATE) - DATE '1970-01-01' AS INTEGER)",
                   "amount": "TRY_CAST(trim({col}) AS DOUBLE)",
                   "shift": "(CAST(1 AS BIGINT) << {pos})",
                   "inline": "NOT MATERIALIZED ",
                   "quote": lambda name: '"' + name.replace('"', '""') + '"'},
    "spark": {"day": "unix_date(TRY_CAST({col} AS DATE))",
              "amount": "TRY_CAST({col} AS DOUBLE)",
              "shift": "shiftleft(CAST(1 AS BIGINT), {pos})",
              "inline": "",
              "quote": lambda name: "`" + name.replace("`", "``") + "`"},
}

#: The one definition of the raw per-customer aggregates (see the module docstring).
#: ``{cal}`` is the last day of the calibration window, ``{obs}`` the last day of the
#: holdout window (both inclusive, day numbers).  Each customer gets one row per window
#: (``part``: 0 calibration, 1 holdout, 2 after the observation end, NULL: rows whose date is
#: missing or unreadable), which the caller turns into columns; grouping by window is much
#: cheaper than one filtered aggregate per window and column.
#:
#: Why not one ``GROUP BY customer, day`` first: a log has about as many (customer, day)
#: groups as rows (10 M groups for 10 M rows), and that hash aggregate was most of the time
#: (and spilled to disk under a 1 GB memory limit).  Instead every aggregate groups by
#: customer and window only (a few hundred thousand groups): the first day of each window is
#: one cheap aggregate, joined back to the rows for the first day's spend and rows; distinct
#: purchase days are counted as set bits of 62-day blocks (``BIT_OR`` of ``1 << day mod 62``
#: per customer, window and block, then ``bit_count``), a few times fewer groups than days,
#: or in DuckDB on Parquet, whose range of days is read first, as the set bits of one bit
#: string per customer and window (``{days_ctes}``: :data:`_DAYS_BY_BLOCKS`,
#: :data:`_DAYS_BY_BITSTRING`).  The rows come ordered by customer id (binary order: the
#: code points), so that numbering the ids is a scan.  ``{inline}`` (DuckDB:
#: ``NOT MATERIALIZED``) has the source read again by each use of ``tx`` rather than every
#: row kept in memory; Spark inlines it by itself.
AGGREGATE_SQL = """
WITH tx AS {inline}(
    SELECT customer_id, day, amount,
           CASE WHEN day <= {cal} THEN 0 WHEN day <= {obs} THEN 1 WHEN day > {obs} THEN 2 END
               AS part
    FROM (SELECT {customer} AS customer_id, {day} AS day, {amount} AS amount
          FROM {source}) AS raw_tx
), firsts AS (
    SELECT customer_id, part, MIN(day) AS first_day
    FROM tx
    GROUP BY customer_id, part
), {days_ctes}, agg AS (
    SELECT tx.customer_id, tx.part,
           MIN(tx.day) AS first,
           MAX(tx.day) AS last,
           COUNT(*) AS transactions,
           SUM(tx.amount) AS total,
           SUM(CASE WHEN tx.day = f.first_day THEN tx.amount ELSE 0 END) AS first_spend,
           SUM(CASE WHEN tx.day = f.first_day THEN 1 ELSE 0 END) AS first_transactions,
           SUM(CASE WHEN tx.amount IS NULL THEN 1 ELSE 0 END) AS bad_amount,
           SUM(CASE WHEN tx.amount < 0 THEN 1 ELSE 0 END) AS negative
    FROM tx LEFT JOIN firsts AS f ON tx.customer_id = f.customer_id AND tx.part = f.part
    GROUP BY tx.customer_id, tx.part
)
SELECT agg.customer_id, agg.part, agg.first, agg.last, d.days, agg.transactions, agg.total,
       agg.first_spend, agg.first_transactions, agg.bad_amount, agg.negative
FROM agg LEFT JOIN days AS d ON agg.customer_id = d.customer_id AND agg.part = d.part
ORDER BY agg.customer_id, agg.part
"""

#: Distinct purchase days per customer and window, in any dialect: set bits of 62-day blocks.
_DAYS_BY_BLOCKS = """blocks AS (
    SELECT customer_id, part, FLOOR(day / 62) AS block,
           BIT_OR({bit}) AS bits
    FROM tx
    GROUP BY customer_id, part, FLOOR(day / 62)
), days AS (
    SELECT customer_id, part, SUM(bit_count(bits)) AS days
    FROM blocks
    GROUP BY customer_id, part
)"""

#: The same in DuckDB when the range of days is known (``{lo}``..``{hi}``): one bit string per
#: customer and window (``bitstring_agg``), 2x faster than the blocks (10 M rows: 0.2 s
#: against 0.45 s), for spans up to ``_BITSTRING_MAX_DAYS``.
_DAYS_BY_BITSTRING = """days AS (
    SELECT customer_id, part, bit_count(bitstring_agg(day, {lo}, {hi})) AS days
    FROM tx
    WHERE day IS NOT NULL
    GROUP BY customer_id, part
)"""
_BITSTRING_MAX_DAYS = 4096   # 512 bytes per customer and window at most

_WINDOW = ("first", "last", "days", "transactions", "total", "first_spend", "first_transactions")


# -- which engine ---------------------------------------------------------------------------
def source_engine(source) -> str:
    """``"pandas"``, ``"prepared"``, ``"files"``, ``"duckdb"`` or ``"spark"`` for a source."""
    if isinstance(source, pd.DataFrame):
        return "pandas"
    if type(source).__name__ == "Transactions" and hasattr(source, "codes"):
        return "prepared"
    if isinstance(source, (str, os.PathLike)):
        return "files"
    if isinstance(source, (list, tuple)) and source and all(
            isinstance(s, (str, os.PathLike)) for s in source):
        return "files"
    module = type(source).__module__ or ""
    if module.startswith("duckdb") and hasattr(source, "query"):
        return "duckdb"
    if module.startswith("pyspark.sql") and hasattr(source, "sparkSession"):
        return "spark"
    raise ParameterError(
        f"transactions of type {type(source).__name__} cannot be read",
        hint="give a pandas DataFrame, a path or glob of CSV/Parquet files, a DuckDB relation "
             "or a Spark DataFrame")


def _require(engine: str):
    """Import an optional engine, or say which extra installs it."""
    try:
        if engine == "duckdb":
            import duckdb
            return duckdb
        import pyspark
        return pyspark
    except ImportError:
        raise ParameterError(
            f"reading these transactions needs {ENGINE_EXTRAS[engine]}, which is not installed",
            hint=f'pip install "crmstudy[{engine}]"') from None


# -- the numpy engine -----------------------------------------------------------------------
def order_free(x, digits: int = 12) -> np.ndarray:
    """Round sums to ``digits`` significant digits.

    Floating-point sums depend on the order of the terms in the last bits; rounding them makes
    totals (and the RFM ties built on them) independent of the row order and of the engine.
    """
    x = np.asarray(x, dtype=float)
    out = x.copy()
    nz = np.isfinite(x) & (x != 0)
    scale = 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(x[nz]))))
    out[nz] = np.round(x[nz] * scale) / scale
    return out


def numpy_aggregates(codes: np.ndarray, n: int, days: np.ndarray, amount: np.ndarray) -> dict:
    """The raw window columns of :data:`AGGREGATE_SQL` for in-memory integer arrays.

    ``codes`` are customer codes ``0..n-1`` of the transactions in the window.  First and
    last day are ``minimum.at``/``maximum.at`` per customer and the sums ``add.at`` (numpy's
    indexed ufunc loops: 5x faster than ``bincount`` with weights, and summing in the same
    row order); the distinct purchase days come from one integer sort of the (customer, day)
    keys (:func:`_distinct_keys`).  Customers without a transaction get ``first = +inf``,
    ``last = -inf`` sentinels (int64 extremes) and zeros.
    """
    first = np.full(n, _BIG)
    last = np.full(n, _SMALL)
    if len(codes) == 0:
        zeros = np.zeros(n)
        return dict(first=first, last=last, days=np.zeros(n, np.int64),
                    transactions=np.zeros(n, np.int64), total=zeros, first_spend=zeros,
                    first_transactions=np.zeros(n, np.int64))
    days = np.asarray(days, dtype=np.int64)
    amount = np.asarray(amount, dtype=float)
    np.minimum.at(first, codes, days)
    np.maximum.at(last, codes, days)
    total = np.zeros(n)
    np.add.at(total, codes, amount)
    on_first = days == first[codes]
    first_codes = codes[on_first]
    first_spend = np.zeros(n)
    np.add.at(first_spend, first_codes, amount[on_first])
    d0 = int(first[first != _BIG].min())
    span = int(last.max()) - d0 + 1
    return dict(first=first, last=last, days=np.bincount(_distinct_keys(codes, days - d0, n, span)
                                                         // span, minlength=n),
                transactions=np.bincount(codes, minlength=n),
                total=order_free(total), first_spend=order_free(first_spend),
                first_transactions=np.bincount(first_codes, minlength=n))


#: Transactions from which the two halves of the rows are processed in two threads (numpy's
#: sorts and Arrow's kernels run without the GIL): the (customer, day) keys of 10 M rows are
#: built and sorted in 0.25 s instead of 0.45 s, their ids encoded in 0.2 s instead of 0.35 s.
_PARALLEL_MIN = 1_000_000


def _halves(n_rows: int) -> list[tuple[int, int]]:
    """Row ranges processed in parallel: two halves from ``_PARALLEL_MIN`` rows, else all."""
    if n_rows < _PARALLEL_MIN:
        return [(0, n_rows)]
    return [(0, n_rows // 2), (n_rows // 2, n_rows)]


def _in_threads(func, items) -> list:
    """``[func(item) for item in items]``, in one thread per item when there are several."""
    if len(items) == 1:
        return [func(items[0])]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(items), thread_name_prefix="crmstudy") as pool:
        return list(pool.map(func, items))


def _distinct_keys(codes: np.ndarray, offsets: np.ndarray, n: int, span: int) -> np.ndarray:
    """The distinct keys ``code * span + offset`` (customer, day), sorted.

    32-bit keys when they fit (a million customers over two years do): the sort, the slowest
    step, is then about 40 % faster.  Large inputs are keyed and sorted as two halves in two
    threads, then merged by a stable sort (timsort: a linear merge of the two sorted runs)."""
    kind = np.int32 if n * span < 2**31 else np.int64

    def sorted_keys(rows):
        lo, hi = rows
        key = codes[lo:hi].astype(kind)
        key *= kind(span)
        np.add(key, offsets[lo:hi], out=key, casting="unsafe")   # offsets < span
        key.sort()
        return key

    parts = _in_threads(sorted_keys, _halves(len(codes)))
    key = parts[0] if len(parts) == 1 else np.sort(np.concatenate(parts), kind="stable")
    keep = np.empty(len(key), dtype=bool)
    keep[:1] = True
    np.not_equal(key[1:], key[:-1], out=keep[1:])
    return key[keep]


def derive(raw: dict, count: str) -> dict:
    """Quantities of one window from its raw columns (the one definition for every engine).

    ``occasions`` are purchase days (``count="days"``) or rows (``"transactions"``);
    ``repeat_total`` is the spend after the first purchase occasion: with the days rule all the
    first day's spend is the first purchase, with the transactions rule one first-day row (the
    first day's mean spend per row) is, and the day's other rows are repeats.
    """
    if count == "transactions":
        occasions = raw["transactions"]
        first_spend = raw["first_spend"] / np.maximum(raw["first_transactions"], 1)
    else:
        occasions = raw["days"]
        first_spend = raw["first_spend"]
    return dict(first=raw["first"], last=raw["last"], occasions=occasions, total=raw["total"],
                repeat_total=order_free(raw["total"] - first_spend), repeat_n=occasions - 1,
                n_transactions=raw["transactions"])


@dataclass(frozen=True)
class CustomerCodes:
    """Integer code of every transaction's customer and the id of every code."""

    codes: np.ndarray  # int64, one per transaction, 0..n_customers-1
    ids: np.ndarray    # customer id of each code, sorted ascending

    @property
    def n(self) -> int:
        return len(self.ids)


def encode_customers(ids, presorted: bool = False) -> CustomerCodes:
    """Integer codes for customer ids, fast for millions of string ids.

    Ids are numbered in sorted order (Python's order of the texts), so results do not depend
    on row order.  Text stored in Arrow is encoded by Arrow's kernels, the two halves of the
    rows in two threads (10 M ids: 0.2 s), as is text held as Python objects from
    ``_ARROW_COPY_MIN`` ids on when pyarrow is installed (:func:`_as_arrow_text`); otherwise
    :func:`pandas.factorize` finds the distinct ids, which are then sorted
    (:func:`_text_order`; 10 M ids: 0.65-0.9 s).  Ids must not be missing
    (:func:`~crmstudy.customer_value.transactions.validate_transactions` checks it).
    ``presorted=True`` says the text ids are probably in order already (the rows of
    :data:`AGGREGATE_SQL`): checked, and then numbered where they change.
    """
    arr = ids.array if isinstance(ids, pd.Series) else ids
    if presorted and not pd.api.types.is_integer_dtype(getattr(arr, "dtype", None)):
        enc = _sorted_codes(arr)
        if enc is not None:
            return enc
    if isinstance(getattr(arr, "dtype", None), pd.CategoricalDtype):
        cat = pd.Categorical(arr)
        used = np.bincount(cat.codes, minlength=len(cat.categories)) > 0
        cats = np.asarray(cat.categories.astype(str))
        order = np.argsort(cats[used], kind="stable")
        remap = np.full(len(cats), -1, dtype=np.int64)
        remap[np.flatnonzero(used)[order]] = np.arange(used.sum())
        return CustomerCodes(remap[cat.codes], cats[used][order].astype(object))
    if pd.api.types.is_integer_dtype(getattr(arr, "dtype", None)):
        codes, uniques = pd.factorize(np.asarray(arr, dtype=np.int64), sort=True)
        return CustomerCodes(codes.astype(np.int64), np.asarray(uniques))
    arrow = arrow_strings(arr)
    if arrow is None and len(arr) >= _ARROW_COPY_MIN:
        arrow = _as_arrow_text(arr)
    if arrow is not None:   # Arrow's hash kernels on the Arrow data: no Python object touched
        import pyarrow as pa
        import pyarrow.compute as pc

        # each half dictionary-encoded (one hash pass) in its own thread; the halves'
        # dictionaries (far fewer entries) are encoded together into one, which is sorted
        halves = [arrow.slice(lo, hi - lo).combine_chunks() for lo, hi in _halves(len(arrow))]
        encoded = _in_threads(pc.dictionary_encode, halves)
        if len(encoded) == 1:
            dictionary, entries = encoded[0].dictionary, [None]
        else:
            both = pc.dictionary_encode(pa.concat_arrays([e.dictionary for e in encoded]))
            dictionary = both.dictionary
            entries = np.split(both.indices.to_numpy().astype(np.int64),
                               np.cumsum([len(e.dictionary) for e in encoded])[:-1])
        order = pc.sort_indices(dictionary).to_numpy()     # UTF-8 byte order = code points
        rank = _ranks(order)
        codes = [(rank if at is None else rank[at])[e.indices.to_numpy()]
                 for e, at in zip(encoded, entries)]
        return CustomerCodes(codes[0] if len(codes) == 1 else np.concatenate(codes),
                             dictionary.take(order).to_numpy(zero_copy_only=False)
                             .astype(object))
    values = np.asarray(arr, dtype=object)
    # one pass of pandas' hash table over the id objects (about 55 ns an id; encoding every
    # id to bytes first cost 100 ns), then the distinct ids, far fewer, are put in order
    codes, uniques = pd.factorize(values)
    order = _text_order(uniques)
    return CustomerCodes(_ranks(order)[codes], uniques[order].astype(object))


def _ranks(order: np.ndarray) -> np.ndarray:
    """The inverse of a permutation: the rank of each item given the ``argsort`` ``order``."""
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def arrow_strings(values):
    """The Arrow data (``pyarrow.ChunkedArray``, no copy) of a pandas text array stored in
    Arrow -- pandas 3's default ``str`` dtype when pyarrow is installed, ``string[pyarrow]``,
    ``ArrowDtype(pa.string())`` -- or None for any other array (Python objects, numbers)."""
    dtype = getattr(values, "dtype", None)
    stored_in_arrow = (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow") or (
        isinstance(dtype, pd.ArrowDtype) and dtype.kind in "OU")
    if not stored_in_arrow:
        return None
    data = values.__arrow_array__()          # the array protocol pandas implements
    import pyarrow as pa

    return data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])


#: Text ids held as Python objects from which they are copied into Arrow to be encoded (when
#: pyarrow is installed): 35 ns an id, against 50-70 ns for pandas' hash table and 375 ns
#: per distinct id for putting them in order.
_ARROW_COPY_MIN = 100_000


def _sorted_codes(values) -> CustomerCodes | None:
    """Codes of text ids already in order (equal ids adjacent), or None if they are not."""
    n = len(values)
    arrow = arrow_strings(values)
    if arrow is not None:
        import pyarrow.compute as pc

        prev, nxt = arrow.slice(0, n - 1), arrow.slice(1)
        if n > 1 and pc.any(pc.less(nxt, prev)).as_py():
            return None
        new = pc.not_equal(nxt, prev).to_numpy(zero_copy_only=False).astype(bool)
    else:
        values = np.asarray(values, dtype=object)
        if n > 1 and (values[1:] < values[:-1]).any():
            return None
        new = values[1:] != values[:-1]
    starts = np.flatnonzero(np.concatenate(([True], new)))
    codes = np.zeros(n, dtype=np.int64)
    np.cumsum(new, out=codes[1:])
    ids = (arrow.take(starts).to_numpy(zero_copy_only=False) if arrow is not None
           else values[starts])
    return CustomerCodes(codes, np.asarray(ids, dtype=object))


def _as_arrow_text(values):
    """Text ids held as Python objects copied into Arrow, when pyarrow is installed (10 M
    ids: 0.35 s, and Arrow's encoding 0.2 s, against 0.65-0.9 s for pandas' hash table and
    the sort of the distinct ids); None without pyarrow or for ids that are not all text."""
    if not _has_pyarrow():
        return None
    import pyarrow as pa

    try:
        return pa.chunked_array([pa.array(np.asarray(values, dtype=object), type=pa.string())])
    except (pa.ArrowException, TypeError, ValueError, UnicodeError):
        return None


def _text_order(texts: np.ndarray) -> np.ndarray:
    """``argsort`` of distinct text ids in Python's order (code points, as numpy compares
    its fixed-width Unicode: 0.15 s for 400,000 ids, sorting the objects 0.2-0.4 s)."""
    return np.argsort(texts.astype("U"), kind="stable")


# -- the SQL engines ------------------------------------------------------------------------
def _sql(dialect: str, source: str, customer: str, date: str, amount: str, cal, obs,
         day_range: tuple[int, int] | None = None) -> str:
    """:data:`AGGREGATE_SQL` for a dialect; ``day_range`` (first and last day of the source,
    DuckDB only) counts purchase days with bit strings instead of 62-day blocks."""
    d = DIALECTS[dialect]
    q = d["quote"]
    cal = _NO_BOUND if cal is None else int(cal)
    obs = _NO_BOUND if obs is None else int(obs)
    if day_range is not None and dialect.startswith("duckdb") and \
            0 <= day_range[1] - day_range[0] < _BITSTRING_MAX_DAYS:
        days_ctes = _DAYS_BY_BITSTRING.format(lo=int(day_range[0]), hi=int(day_range[1]))
    else:
        # day mod 62, also for days before 1970 (floor, not truncation)
        days_ctes = _DAYS_BY_BLOCKS.format(bit=d["shift"].format(
            pos="CAST(day - 62 * FLOOR(day / 62) AS INTEGER)"))
    return AGGREGATE_SQL.format(source=source, customer=q(customer),
                                amount=d["amount"].format(col=q(amount)),
                                day=d["day"].format(col=q(date)), cal=cal, obs=obs,
                                inline=d["inline"], days_ctes=days_ctes)


def _family(sql_type: str) -> str:
    """Type family of a column, for comparing files' schemas (widening within a family is fine)."""
    t = sql_type.upper()
    if any(k in t for k in ("INT", "LONG", "SHORT", "BYTE")):
        return "integer"
    if any(k in t for k in ("DOUBLE", "FLOAT", "REAL", "DECIMAL", "NUMERIC")):
        return "number"
    if "TIMESTAMP" in t or t.startswith("DATE"):
        return "date"
    if any(k in t for k in ("VARCHAR", "STRING", "CHAR", "TEXT")):
        return "text"
    return t


def expand_files(source) -> tuple[list[str], str]:
    """The files of a path, directory, glob or list of paths, and their format."""
    items = list(source) if isinstance(source, (list, tuple)) else [source]
    files: list[str] = []
    for item in items:
        text = os.path.expanduser(os.fspath(item))
        if any(ch in text for ch in "*?["):
            found = sorted(f for f in _glob.glob(text, recursive=True) if os.path.isfile(f))
            if not found:
                raise InputDataError("no file matches this pattern", file=text,
                                     hint="check the folder and the pattern, e.g. "
                                          "'sales/*.parquet'")
            files += found
        elif os.path.isdir(text):
            found = sorted(str(p) for p in Path(text).rglob("*")
                           if p.is_file() and _format(str(p)) is not None)
            if not found:
                raise InputDataError("the folder holds no CSV or Parquet file", file=text,
                                     hint="give the files' path or a glob such as "
                                          "'folder/*.parquet'")
            files += found
        elif os.path.isfile(text):
            files.append(text)
        else:
            raise InputDataError("no such file, folder or pattern", file=text,
                                 hint="check the path (a glob such as 'sales/*.parquet' "
                                      "reads several files)")
    kinds = {f: _format(f) for f in files}
    unknown = [f for f, k in kinds.items() if k is None]
    if unknown:
        raise InputDataError("not a CSV or Parquet file", file=unknown[0],
                             hint="save the transactions as .parquet or .csv")
    if len(set(kinds.values())) > 1:
        other = next(f for f in files if kinds[f] != kinds[files[0]])
        raise InputDataError(f"mixes {kinds[files[0]]} ({files[0]}) and {kinds[other]} files",
                             file=other, hint="read one format at a time")
    return files, kinds[files[0]]


def _format(path: str) -> str | None:
    name = path.lower()
    if name.endswith((".parquet", ".pq", ".parq")):
        return "parquet"
    if name.endswith((".csv", ".csv.gz", ".tsv", ".txt", ".csv.zst")):
        return "csv"
    return None


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _reader(files: list[str], fmt: str, columns: dict | None) -> str:
    paths = "[" + ", ".join(_lit(f) for f in files) + "]"
    if fmt == "parquet":
        return f"read_parquet({paths}, union_by_name = true)"
    # the three columns are read as text and converted by the query: ids keep their leading
    # zeros ('00042'), and a bad date or amount is a located error, not a reader failure
    if not columns:  # only the header and the sniffed types (schema checks)
        return f"read_csv({paths}, header = true)"
    types = ", ".join(f"{_lit(c)}: 'VARCHAR'" for c in dict.fromkeys(columns.values()))
    return f"read_csv({paths}, union_by_name = true, header = true, types = {{{types}}})"


def _check_schemas(con, files, fmt, columns: dict) -> None:
    """Every file has every needed column, of the same type family as in the first file."""
    first_types = None
    for f in files:
        try:
            rows = con.execute(f"DESCRIBE SELECT * FROM {_reader([f], fmt, None)}"
                               ).fetchall()
        except Exception as exc:  # duckdb.Error: corrupt file, not Parquet, unreadable CSV
            raise InputDataError(f"cannot be read as {fmt} ({exc.__class__.__name__}: "
                                 f"{str(exc).splitlines()[0]})", file=f,
                                 hint=f"check that the file is a valid {fmt} file") from None
        types = {r[0]: r[1] for r in rows}
        for role, col in columns.items():
            if col not in types:
                raise InputDataError(f"the {role} column {col!r} is missing", file=f, column=col,
                                     hint=f"the file has the columns {list(types)}; name one of "
                                          f"them as {role}_col")
        if fmt == "csv":
            continue  # CSV columns are read as text: their sniffed types need not agree
        fam = {role: _family(types[col]) for role, col in columns.items()}
        if first_types is None:
            first_types = (f, fam, types)
        elif fam != first_types[1]:
            role = next(r for r in columns if fam[r] != first_types[1][r])
            col = columns[role]
            raise InputDataError(
                f"mixed schemas: column {col!r} is {types[col]} here but "
                f"{first_types[2][col]} in {first_types[0]}", file=f, column=col,
                hint="write every file with the same column types (or convert this file)")


def _duckdb_connect(memory_limit: str, temp_directory, threads):
    duckdb = _require("duckdb")
    config = {"memory_limit": memory_limit, "temp_directory": str(temp_directory),
              "preserve_insertion_order": False}
    if threads:
        config["threads"] = int(threads)
    con = duckdb.connect(config=config)
    try:  # a library prints nothing on its own (in Jupyter without ipywidgets there is none)
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:
        pass
    return con


_LAST_FILES: dict = {}  # the last file query and its per-customer result (one entry)

#: Memory DuckDB needs per byte of input file to aggregate it at once.  Measured with the
#: per-customer query (groups by customer and window, not by customer and day; 2 threads,
#: memory_limit 1 GB): a Parquet log of 439 MB (104 M transactions, 4 M customers) in one
#: query took 21.9 s and 1.88 GB peak RSS of the whole process, split in 4 partitions 28.5 s and
#: 1.89 GB, so splitting only re-reads the files; 2 bytes per file byte keeps one query up to
#: 0.5 GB of Parquet under a 1 GB limit.  (The former (customer, day) query needed 8.)
_BYTES_PER_FILE_BYTE = 2


def _memory_bytes(limit: str) -> float:
    text = str(limit).strip().upper().replace("IB", "B")
    units = {"KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40, "B": 1}
    for unit, factor in units.items():
        if text.endswith(unit):
            try:
                return float(text[:-len(unit)]) * factor
            except ValueError:
                break
    raise ParameterError(f"memory_limit={limit!r} is not a size", hint="e.g. '1GB' or '512MB'")


def _bitstring_range(con, reader: str, date: str, customer: str, file_bytes: int,
                     memory_limit: str, cal, obs, name) -> tuple[int, int] | None:
    """The first and last day of a Parquet log when counting purchase days with one bit
    string per customer and window (:data:`_DAYS_BY_BITSTRING`) fits in memory, else None.

    DuckDB cannot spill those bit strings: they are used only when the file is small for
    the memory limit (``_BITSTRING_FILE_FACTOR``) and the customers' bit strings, estimated
    from the range of days and an approximate count of customers (one scan of two columns:
    70 ms for 10 M rows), take at most a quarter of it."""
    budget = _memory_bytes(memory_limit)
    if file_bytes * _BITSTRING_FILE_FACTOR > budget:
        return None
    day = DIALECTS["duckdb"]["day"].format(col=date)
    lo, hi, customers = _run_duckdb(lambda: con.execute(
        f"SELECT MIN({day}), MAX({day}), approx_count_distinct({customer}) FROM {reader}"
    ).fetchone(), name)
    if lo is None or hi - lo >= _BITSTRING_MAX_DAYS:
        return None
    windows = 1 + (cal is not None) + (obs is not None)
    if customers * windows * ((hi - lo + 1) / 8 + 128) > budget / 4:
        return None
    return int(lo), int(hi)


#: Parquet bytes times this must fit in the memory limit for :func:`_bitstring_range` to
#: consider bit strings (10 M transactions, 46 MB: yes under 1 GB; 100 M, 460 MB: no).
_BITSTRING_FILE_FACTOR = 4


def _partitions(file_bytes: int, memory_limit: str) -> int:
    """Hash partitions of the customers so that one partition's aggregation fits in memory."""
    return max(1, int(np.ceil(file_bytes * _BYTES_PER_FILE_BYTE / _memory_bytes(memory_limit))))


def sql_aggregates(source, customer_col: str, date_col: str, amount_col: str, cal=None,
                   obs=None, *, memory_limit: str = "1GB", temp_directory=None,
                   threads: int | None = None,
                   partitions: int | None = None) -> tuple[pd.Index, dict, str]:
    """Run :data:`AGGREGATE_SQL` on files (DuckDB), a DuckDB relation or a Spark DataFrame.

    Returns the customer ids (sorted), the raw columns as numpy arrays aligned with them and
    a name of the source for messages.  Checks the input (missing columns, ids, dates, amounts).
    """
    engine = source_engine(source)
    columns = {"customer": customer_col, "date": date_col, "amount": amount_col}
    for role, col in columns.items():
        if not isinstance(col, str) or not col:
            raise ParameterError(f"{role}_col must be a column name, got {col!r}",
                                 hint=f"name the {role} column of the transactions")
    if engine == "files":
        files, fmt = expand_files(source)
        name = files[0] if len(files) == 1 else (
            os.fspath(source) if not isinstance(source, (list, tuple)) else f"{len(files)} files")
        dialect = "duckdb" if fmt == "parquet" else "duckdb_csv"
        reader = _reader(files, fmt, columns)
        size = sum(os.stat(f).st_size for f in files)
        parts = partitions if partitions else _partitions(size, memory_limit)
        q = DIALECTS[dialect]["quote"]
        # the same query on unchanged files (same modification time and size) is not run
        # again: summary_data(path) then rfm(path) read a large log once
        key = (reader, dialect, customer_col, date_col, amount_col, cal, obs, parts,
               tuple((f, os.stat(f).st_mtime_ns, os.stat(f).st_size) for f in files))
        if _LAST_FILES.get("key") == key:
            return _LAST_FILES["result"]
        else:
            _LAST_FILES.clear()
            own_tmp = temp_directory is None
            tmp = tempfile.mkdtemp(prefix="crmstudy-duckdb-") if own_tmp else temp_directory
            try:
                con = _duckdb_connect(memory_limit, tmp, threads)
                try:
                    _check_schemas(con, files, fmt, columns)
                    day_range = _bitstring_range(con, reader, q(date_col), q(customer_col),
                                                 size, memory_limit, cal, obs, name) \
                        if fmt == "parquet" else None
                    # customers split into disjoint hash partitions, one query each, only when
                    # the per-customer groups of the whole log would not fit in memory_limit
                    sqls = [_sql(dialect, reader if parts == 1 else
                                 f"(SELECT * FROM {reader} WHERE hash({q(customer_col)}) % "
                                 f"{parts} = {p})", customer_col, date_col, amount_col, cal,
                                 obs, day_range)
                            for p in range(parts)]
                    # numpy columns (no DataFrame copies), joined after DuckDB's memory is freed
                    parts = [_run_duckdb(lambda: con.execute(s).fetchnumpy(), name) for s in sqls]
                finally:
                    con.close()
            finally:
                if own_tmp:
                    import shutil
                    shutil.rmtree(tmp, ignore_errors=True)
            frame = pd.DataFrame({col: np.concatenate([_unmask(p[col]) for p in parts])
                                  for col in parts[0]}, copy=False)
            del parts
            result = _finish(frame, columns, name)
            _LAST_FILES.update(key=key, result=result)
            return result
    elif engine == "duckdb":
        _require("duckdb")
        name = "DuckDB relation"
        _check_columns(list(source.columns), columns, name)
        view = f"crmstudy_tx_{uuid.uuid4().hex}"
        sql = _sql("duckdb", view, customer_col, date_col, amount_col, cal, obs)
        frame = _run_duckdb(lambda: source.query(view, sql).df(), name)
    elif engine == "spark":
        name = "Spark DataFrame"
        _check_columns(list(source.columns), columns, name)
        spark = source.sparkSession
        view = f"crmstudy_tx_{uuid.uuid4().hex}"
        source.createOrReplaceTempView(view)
        try:
            with warnings.catch_warnings():
                # pyspark's notes on pandas 3 and on a missing pyarrow (then rows are collected
                # without Arrow: slower, same values) say nothing about this result
                warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas",
                                        FutureWarning)
                warnings.filterwarnings("ignore", "toPandas attempted Arrow optimization",
                                        UserWarning)
                result = spark.sql(_sql("spark", view, customer_col, date_col, amount_col,
                                        cal, obs))
                frame = result.toPandas() if _has_pyarrow() else pd.DataFrame.from_records(
                    [tuple(row) for row in result.collect()], columns=result.columns)
        finally:
            spark.catalog.dropTempView(view)
    else:
        raise ParameterError(f"sql_aggregates does not read {engine} input")
    return _finish(frame, columns, name)


def _has_pyarrow() -> bool:
    """pyspark converts to pandas through Arrow when pyarrow is installed (fast); otherwise
    collecting the rows directly avoids pyspark's row-by-row pandas conversion."""
    import importlib.util
    return importlib.util.find_spec("pyarrow") is not None


def _unmask(values) -> np.ndarray:
    """A column of ``fetchnumpy`` with its NULLs as NaN (numbers) or None (text)."""
    if not isinstance(values, np.ma.MaskedArray):
        return np.asarray(values)
    mask = np.ma.getmaskarray(values)
    if not mask.any():
        return values.data
    if values.dtype.kind in "iuf":
        return np.where(mask, np.nan, values.data.astype(float))
    out = values.data.astype(object)
    out[mask] = None
    return out


def _check_columns(have: list, columns: dict, name: str) -> None:
    for role, col in columns.items():
        if col not in have:
            raise InputDataError(f"the {role} column {col!r} is missing", file=name, column=col,
                                 hint=f"name one of the columns {have} as {role}_col")


def _run_duckdb(run, name):
    import duckdb
    try:
        return run()
    except duckdb.Error as exc:
        raise InputDataError(f"DuckDB could not read the transactions ({exc.__class__.__name__}: "
                             f"{str(exc).splitlines()[0]})", file=name,
                             hint="check the files (schema, encoding, delimiter)") from None


def _finish(frame: pd.DataFrame, columns: dict, name: str) -> tuple[pd.Index, dict, str]:
    """Checks, and the per-window rows of :data:`AGGREGATE_SQL` as numpy columns by customer."""
    if len(frame) == 0:
        raise InputDataError("the transaction table is empty", file=name,
                             hint="check the files and any filter applied before this call")
    ids = frame["customer_id"]
    if ids.isna().any():
        n = int(pd.to_numeric(frame.loc[ids.isna(), "transactions"]).sum())
        raise InputDataError(f"customer id is missing ({n} rows)", file=name,
                             column=columns["customer"],
                             hint="drop or fill the rows without a customer id")
    part = pd.to_numeric(frame["part"])
    bad_date = part.isna().to_numpy()
    checks = (
        (bad_date, "date is missing or cannot be parsed",
         "write dates as YYYY-MM-DD or drop the rows without a date", "date", "transactions"),
        (pd.to_numeric(frame["bad_amount"]).fillna(0).to_numpy() > 0,
         "amount is missing or not a number",
         "fill the amount (0 for a free order) and remove currency signs", "amount",
         "bad_amount"),
        (pd.to_numeric(frame["negative"]).fillna(0).to_numpy() > 0, "amount is negative",
         "net returns and refunds against their purchases before the analysis (or drop them)",
         "amount", "negative"))
    for bad, what, hint, role, count_col in checks:
        if bad.any():
            rows = int(pd.to_numeric(frame.loc[bad, count_col]).sum())
            who = sorted(frame.loc[bad, "customer_id"].tolist())[0]
            raise InputDataError(f"{what} in {rows} row(s), e.g. a transaction of customer "
                                 f"{who!r}", file=name, column=columns[role], hint=hint)
    if pd.api.types.is_float_dtype(ids.dtype):
        raise InputDataError("customer ids are floating-point numbers", file=name,
                             column=columns["customer"],
                             hint="store the id column as text or integers")
    integer_ids = pd.api.types.is_integer_dtype(ids.dtype) or (
        ids.dtype == object and len(ids) and isinstance(ids.iloc[0], (int, np.integer)))
    # text ids as pandas holds them (in Arrow when pyarrow is installed: encoded by Arrow)
    values = ids.to_numpy(dtype=np.int64) if integer_ids else ids.array
    # the query orders its rows by id (binary: code point order), unless split in partitions
    enc = encode_customers(values, presorted=True)
    codes, n = enc.codes, enc.n
    index = pd.Index(enc.ids, name="customer_id", dtype=np.int64 if integer_ids else str)
    part = part.to_numpy(dtype=float, na_value=np.nan)

    def window(k: int) -> dict:
        rows = part == k
        c = codes[rows]
        out = {"first": np.full(n, _BIG), "last": np.full(n, _SMALL)}
        for col in _WINDOW[2:]:
            values = pd.to_numeric(frame[col]).to_numpy()[rows]
            if col in ("total", "first_spend"):
                out[col] = np.zeros(n)
                out[col][c] = order_free(values)
            else:
                out[col] = np.zeros(n, np.int64)
                out[col][c] = values.astype(np.int64)
        out["first"][c] = pd.to_numeric(frame["first"]).to_numpy()[rows].astype(np.int64)
        out["last"][c] = pd.to_numeric(frame["last"]).to_numpy()[rows].astype(np.int64)
        return out

    parts = [window(k) for k in (0, 1, 2)]
    raw = dict(parts[0])
    raw.update({f"h_{k}": parts[1][k] for k in ("days", "transactions", "total")})
    raw["first_all"] = np.minimum.reduce([p["first"] for p in parts])
    raw["last_all"] = np.maximum.reduce([p["last"] for p in parts])
    raw["n_after"] = parts[2]["transactions"]
    return index, raw, name


# -- reading a log into pandas (chapter 05) -----------------------------------------------------
def read_transactions(source, customer_col: str, date_col: str, amount_col: str, *,
                      memory_limit: str = "1GB") -> pd.DataFrame:
    """Read the three columns of CSV/Parquet transaction files into pandas with DuckDB.

    Same checks as the engines (a missing column or mixed schemas are located errors).  For a
    log that does not fit in memory, pass the path to ``summary_data``/``rfm`` instead.
    """
    files, fmt = expand_files(source)
    columns = {"customer": customer_col, "date": date_col, "amount": amount_col}
    tmp = tempfile.mkdtemp(prefix="crmstudy-duckdb-")
    try:
        con = _duckdb_connect(memory_limit, tmp, None)
        try:
            _check_schemas(con, files, fmt, columns)
            q = DIALECTS["duckdb"]["quote"]
            sql = (f"SELECT {q(customer_col)}, {q(date_col)}, {q(amount_col)} FROM "
                   f"{_reader(files, fmt, columns)}")
            frame = _run_duckdb(lambda: con.execute(sql).df(), files[0])
        finally:
            con.close()
    finally:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    if not pd.api.types.is_integer_dtype(frame[customer_col].dtype):
        frame[customer_col] = frame[customer_col].astype("str")
    return frame
