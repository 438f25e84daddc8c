"""summary_data and rfm give the same table on every engine: pandas (numpy), DuckDB on CSV and
Parquet files (one file or a glob of several), a DuckDB relation, and Spark (local mode).

Equality is exact (``check_exact=True`` throughout, tolerance zero): every engine computes the
raw aggregates of one SQL text (or the numpy path tested here against it), and sums are rounded
to 12 significant digits before anything is derived from them.  Data: the CDNOW master file
(shipped as ``cdnow``) and a synthetic log (seed 20251201: 3,000 customers with text ids of
different lengths, several purchases on the same day, amounts with cents, two years).
The Spark session is local (``local[1]``, UI off, 2 shuffle partitions), one per test session.
"""
from __future__ import annotations

import sys
from pathlib import Path

import duckdb  # the dev extra installs both engines: these tests are never skipped
import numpy as np
import pandas as pd
import pytest

from crmstudy import datasets
from crmstudy.customer_value import rfm, summary_data
from crmstudy.customer_value.engines import read_transactions, source_engine
from crmstudy.errors import DataQualityWarning, InputDataError, ParameterError


ARGS = ("customer_id", "date", "amount")


def _synthetic(seed: int = 20251201, customers: int = 3000, rows: int = 40000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cust = rng.integers(0, customers, rows)
    # ids of different lengths (short ones take the 8-byte integer path, long ones the
    # general path) and a non-ASCII id
    names = np.array([f"c{i}" if i % 3 else f"customer-{i:06d}" for i in range(customers)],
                     dtype=object)
    names[7] = "客户7"
    day = rng.integers(0, 730, rows)
    day[rng.random(rows) < 0.2] = day[0]  # many purchases on one day (ties of first days)
    return pd.DataFrame({
        "customer_id": pd.array(names[cust], dtype="str"),
        "date": np.datetime64("2023-01-01") + day.astype("timedelta64[D]")
        + rng.integers(0, 86400, rows).astype("timedelta64[s]"),  # times of day are dropped
        "amount": np.round(rng.lognormal(3, 1, rows), 2),
    })


def _write(con, frame: pd.DataFrame, path: Path, fmt: str = "parquet") -> Path:
    con.register("frame_to_write", frame)
    opts = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER"
    con.execute(f"COPY frame_to_write TO '{path}' ({opts})")
    con.unregister("frame_to_write")
    return path


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """The two logs in pandas and on disk (Parquet, CSV, and Parquet split into 3 files)."""
    tmp = tmp_path_factory.mktemp("engines")
    con = duckdb.connect()
    cdnow = datasets.load("cdnow").rename(columns={"dollar_value": "amount"})
    out = {}
    for name, frame in (("cdnow", cdnow), ("synthetic", _synthetic())):
        folder = tmp / name
        folder.mkdir()
        parts = folder / "parts"
        parts.mkdir()
        for k, idx in enumerate(np.array_split(np.arange(len(frame)), 3)):
            _write(con, frame.iloc[idx], parts / f"part-{k}.parquet")
        out[name] = {"frame": frame,
                     "parquet": _write(con, frame, folder / "tx.parquet"),
                     "csv": _write(con, frame, folder / "tx.csv", "csv"),
                     "glob": str(parts / "*.parquet")}
    con.close()
    return out


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("crmstudy-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.default.parallelism", "2")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", "1g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _sources(log, con, spark=None):
    """Every engine's view of one log (the reference is the pandas DataFrame: numpy engine)."""
    yield "duckdb parquet", str(log["parquet"])
    yield "duckdb csv", log["csv"]
    yield "duckdb glob", log["glob"]
    yield "duckdb relation", con.read_parquet(str(log["parquet"]))
    if spark is not None:
        yield "spark", spark.read.parquet(str(log["parquet"]))


SUMMARY_CASES = {
    "cdnow": [dict(calibration_end="1997-09-30", observation_end="1998-06-30", freq="W"),
              dict(freq="D", count="transactions")],
    "synthetic": [dict(calibration_end="2024-03-31", freq="M"),
                  dict(calibration_end="2024-06-30", observation_end="2025-03-01", freq="W",
                       count="transactions")],
}
RFM_CASES = [dict(), dict(frequency="transactions", monetary="mean", ties="equal_count", bins=4)]


@pytest.mark.parametrize("name", ["cdnow", "synthetic"])
def test_all_engines_equal(name, logs, spark):
    log = logs[name]
    con = duckdb.connect()
    expected_s = [summary_data(log["frame"], *ARGS, **kw) for kw in SUMMARY_CASES[name]]
    expected_r = [rfm(log["frame"], *ARGS, **kw) for kw in RFM_CASES]
    assert expected_s[0].attrs["engine"] == "numpy"
    for label, source in _sources(log, con, spark):
        for kw, expected in zip(SUMMARY_CASES[name], expected_s):
            got = summary_data(source, *ARGS, **kw)
            pd.testing.assert_frame_equal(got, expected, check_exact=True, obj=f"{label} {kw}")
            assert got.attrs == {**expected.attrs, "engine": label.split()[0]}
        for kw, expected in zip(RFM_CASES, expected_r):
            got = rfm(source, *ARGS, **kw)
            pd.testing.assert_frame_equal(got, expected, check_exact=True, obj=f"{label} {kw}")
    con.close()


def test_summary_and_rfm_values_on_a_file(tmp_path):
    """A small log written to Parquet gives the values computed by hand."""
    frame = pd.DataFrame({"id": ["a", "a", "a", "b", "c"],
                          "day": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01",
                                                 "2024-01-15", "2024-03-01"]),
                          "amount": [10.0, 5.0, 20.0, 5.0, 7.5]})
    con = duckdb.connect()
    path = _write(con, frame, tmp_path / "small.parquet")
    s = summary_data(path, "id", "day", "amount", calibration_end="2024-02-15", freq="D")
    # a: first day 01-01 (15 spent), repeat 02-01 (31 days later, 20 spent), T = 45 days
    assert s.loc["a"].tolist() == [1.0, 31.0, 45.0, 20.0, 0.0, 0.0, 15.0]
    assert s.loc["b"].tolist()[:4] == [0.0, 0.0, 31.0, 0.0] and "c" not in s.index
    r = rfm(path, "id", "day", "amount", snapshot="2024-03-31")
    assert r["recency"].tolist() == [59, 76, 30] and r["frequency"].tolist() == [2, 1, 1]
    assert r["monetary"].tolist() == [35.0, 5.0, 7.5]


def test_integer_ids_keep_their_dtype(logs, spark, tmp_path):
    """Issue 16: integer ids stay integers on every engine (``s.loc[1]`` works)."""
    frame = logs["synthetic"]["frame"].copy()
    frame["customer_id"] = pd.factorize(frame["customer_id"], sort=True)[0].astype(np.int64) + 1
    s = summary_data(frame, *ARGS)
    assert s.index.dtype == np.int64 and s.index.is_monotonic_increasing
    assert s.loc[1, "frequency"] >= 0
    r = rfm(frame, *ARGS)
    assert r.index.dtype == np.int64 and r.loc[1, "R"] in range(1, 6)
    con = duckdb.connect()
    path = _write(con, frame, tmp_path / "int.parquet")
    for source in (path, spark.read.parquet(str(path))):
        pd.testing.assert_frame_equal(summary_data(source, *ARGS), s, check_exact=True)
        pd.testing.assert_frame_equal(rfm(source, *ARGS), r, check_exact=True)


def test_observation_end_after_last_purchase(logs):
    """Issue 16: a snapshot after the data is the usual case (lifetimes accepts it)."""
    frame = logs["cdnow"]["frame"]
    last = frame["date"].max()
    s = summary_data(frame, *ARGS, observation_end="1998-12-31", freq="D")
    base = summary_data(frame, *ARGS, freq="D")
    gap = (pd.Timestamp("1998-12-31") - last.normalize()).days
    assert gap > 0
    np.testing.assert_array_equal(s["T"], base["T"] + gap)
    pd.testing.assert_frame_equal(s.drop(columns="T"), base.drop(columns="T"))
    # calibration end in the data, observation end after it: holdout to the observation end
    h = summary_data(frame, *ARGS, calibration_end="1997-09-30", observation_end="1998-12-31",
                     freq="D")
    assert (h["duration_holdout"] == (pd.Timestamp("1998-12-31")
                                      - pd.Timestamp("1997-09-30")).days).all()
    with pytest.raises(ParameterError, match="before the first purchase"):
        summary_data(frame, *ARGS, observation_end="1996-12-31")
    with pytest.raises(ParameterError, match="outside the data"):
        summary_data(frame, *ARGS, calibration_end="1996-12-31", observation_end="1998-12-31")
    with pytest.warns(DataQualityWarning, match="after observation_end"):
        summary_data(frame, *ARGS, observation_end="1998-01-31")


def test_observation_end_after_data_on_files(logs):
    log = logs["synthetic"]
    kw = dict(calibration_end="2024-12-31", observation_end="2026-01-31", freq="W")
    pd.testing.assert_frame_equal(summary_data(log["glob"], *ARGS, **kw),
                                  summary_data(log["frame"], *ARGS, **kw), check_exact=True)


def test_distinct_days_at_block_edges(tmp_path, spark):
    """Distinct purchase days are counted as bits of 62-day blocks (AGGREGATE_SQL): days on
    both sides of block edges (day numbers -63, -62, -1, 0, 61, 62, 123, 124, i.e. before and
    after 1970-01-01) and repeated days give the hand-counted numbers on every engine."""
    days = np.array([-63, -62, -62, -1, 0, 0, 61, 62, 123, 124, 124,   # customer a: 8 days
                     5, 5, 5, 67, 6000])                                 # customer b: 3 days
    frame = pd.DataFrame({
        "customer_id": pd.array(["a"] * 11 + ["b"] * 5, dtype="str"),
        "date": np.datetime64("1970-01-01") + days.astype("timedelta64[D]"),
        "amount": np.arange(1.0, 17.0)})
    path = _write(duckdb.connect(), frame, tmp_path / "edges.parquet")
    expected = summary_data(frame, *ARGS, freq="D")
    assert expected["frequency"].tolist() == [7, 2]  # distinct days - 1, counted by hand
    # repeat spend per repeat day: a spends 1..11 (66), 1 on its first day (-63); b spends
    # 12..16 (70), 12 + 13 + 14 on its first day (5)
    assert expected["monetary_value"].tolist() == pytest.approx([(66 - 1) / 7, (70 - 39) / 2])
    for source in (str(path), spark.read.parquet(str(path))):
        pd.testing.assert_frame_equal(summary_data(source, *ARGS, freq="D"), expected,
                                      check_exact=True)


def test_out_of_core_duckdb(logs, tmp_path):
    """A tight memory limit (24 MB, one thread) and an own temporary folder: same values.

    The query's hash tables and joins need a fixed few MB each whatever the log's size (16 MB
    fails with an out-of-memory error); neither the present query nor the former one writes
    to the temporary folder on this small log (EXPLAIN ANALYZE: no data written).
    """
    log = logs["synthetic"]
    spill = tmp_path / "spill"
    spill.mkdir()
    got = summary_data(log["parquet"], *ARGS, memory_limit="24MB", temp_directory=spill,
                       threads=1)
    pd.testing.assert_frame_equal(got, summary_data(log["frame"], *ARGS), check_exact=True)


def test_pandas_reuse_sees_changes(logs):
    """The encoding of the last DataFrame is reused only while its columns are unchanged."""
    frame = logs["synthetic"]["frame"].copy()
    first = rfm(frame, *ARGS)
    frame.loc[frame.index[0], "amount"] = frame["amount"].iloc[0] + 1000.0
    second = rfm(frame, *ARGS)
    who = frame["customer_id"].iloc[0]
    assert second.loc[who, "monetary"] == pytest.approx(first.loc[who, "monetary"] + 1000.0)
    frame["customer_id"] = frame["customer_id"].str.upper()
    assert rfm(frame, *ARGS).index[0] == rfm(frame.copy(), *ARGS).index[0]
    assert rfm(frame, *ARGS).index.str.upper().equals(rfm(frame, *ARGS).index)


@pytest.mark.parametrize("storage", ["python", "python, no pyarrow", "pyarrow", "arrow-dtype",
                                     "object"])
def test_every_text_storage_gives_the_same_tables(logs, storage, monkeypatch):
    """Ids held as Python objects (pandas' ``str`` without pyarrow, or ``object``) or in Arrow
    (``str`` with pyarrow, ``ArrowDtype``) are encoded by different code, to the same tables
    (exactly), each DataFrame once for summary_data and rfm; the ids are encoded and the
    (customer, day) keys sorted as two halves in two threads here (as from 1 M rows on)."""
    import pyarrow as pa

    from crmstudy.customer_value import engines, transactions

    frame = logs["synthetic"]["frame"]
    if storage == "python, no pyarrow":      # Python objects are encoded by pandas' hash table
        monkeypatch.setattr(engines, "_as_arrow_text", lambda values: None)
    dtype = {"python": pd.StringDtype("python", na_value=np.nan),
             "python, no pyarrow": pd.StringDtype("python", na_value=np.nan),
             "pyarrow": pd.StringDtype("pyarrow", na_value=np.nan),
             "arrow-dtype": pd.ArrowDtype(pa.string()), "object": object}[storage]
    ids = frame["customer_id"].to_numpy(dtype=object)
    other = frame.assign(customer_id=pd.Series(ids, dtype=dtype, index=frame.index))
    assert (engines.arrow_strings(other["customer_id"].array) is not None) == (
        storage in ("pyarrow", "arrow-dtype"))
    factorized = []
    factorize = pd.factorize
    monkeypatch.setattr(pd, "factorize", lambda *a, **k: factorized.append(1) or factorize(*a, **k))
    reference = summary_data(frame, *ARGS), rfm(frame, *ARGS)
    calls = []
    encode = transactions.encode_customers
    monkeypatch.setattr(transactions, "encode_customers", lambda v: calls.append(1) or encode(v))
    monkeypatch.setattr(engines, "_PARALLEL_MIN", 2)      # halves from 2 rows on
    monkeypatch.setattr(engines, "_ARROW_COPY_MIN", 2)    # Python objects copied into Arrow
    transactions._LAST.clear()
    got = summary_data(other, *ARGS), rfm(other, *ARGS)
    assert len(calls) == 1
    assert bool(factorized) == (storage == "python, no pyarrow")
    for ours, theirs in zip(got, reference):
        pd.testing.assert_frame_equal(ours, theirs, check_exact=True, check_index_type=False)
    assert got[1].index.tolist() == sorted(set(ids.tolist()))   # Python's order of the ids


def test_parquet_counts_days_with_bit_strings_or_blocks(tmp_path, monkeypatch):
    """Parquet files count purchase days with one bit string per customer when their days
    span less than ``_BITSTRING_MAX_DAYS``, else with 62-day blocks: the same tables."""
    from crmstudy.customer_value import engines

    frame = _synthetic(seed=3, customers=200, rows=3000)
    frame.loc[frame.index[:5], "date"] = pd.Timestamp("2041-06-30")   # a 19-year span
    path = _write(duckdb.connect(), frame, tmp_path / "wide.parquet")
    reference = rfm(frame, *ARGS)
    queries = []
    sql = engines._sql
    monkeypatch.setattr(engines, "_sql", lambda *a, **k: queries.append(sql(*a, **k)) or sql(*a, **k))
    pd.testing.assert_frame_equal(rfm(path, *ARGS), reference, check_exact=True)
    assert "bitstring_agg" not in queries[-1]
    engines._LAST_FILES.clear()
    monkeypatch.setattr(engines, "_BITSTRING_MAX_DAYS", 10 ** 6)
    pd.testing.assert_frame_equal(rfm(path, *ARGS), reference, check_exact=True)
    assert "bitstring_agg" in queries[-1]
    engines._LAST_FILES.clear()          # a file too large for the memory limit: blocks
    monkeypatch.setattr(engines, "_BITSTRING_FILE_FACTOR", 10 ** 9)
    pd.testing.assert_frame_equal(rfm(path, *ARGS), reference, check_exact=True)
    assert "bitstring_agg" not in queries[-1]


# -- bad input --------------------------------------------------------------------------------
def test_parquet_missing_column(tmp_path):
    con = duckdb.connect()
    path = _write(con, pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2024-01-01"]),
                                     "value": [1.0]}), tmp_path / "no_amount.parquet")
    with pytest.raises(InputDataError, match="amount column 'amount' is missing") as err:
        summary_data(path, *ARGS)
    assert err.value.file == str(path) and err.value.column == "amount"
    assert "value" in str(err.value)


def test_glob_matches_nothing(tmp_path):
    pattern = str(tmp_path / "nothing" / "*.parquet")
    with pytest.raises(InputDataError, match="no file matches") as err:
        rfm(pattern, *ARGS)
    assert err.value.file == pattern
    with pytest.raises(InputDataError, match="no such file"):
        rfm(tmp_path / "missing.parquet", *ARGS)


def test_mixed_schemas(tmp_path):
    con = duckdb.connect()
    good = pd.DataFrame({"customer_id": ["a", "b"], "date": pd.to_datetime(["2024-01-01"] * 2),
                         "amount": [1.0, 2.0]})
    _write(con, good, tmp_path / "a.parquet")
    bad = good.assign(amount=["1.0", "2.0"])
    _write(con, bad, tmp_path / "b.parquet")
    with pytest.raises(InputDataError, match="mixed schemas") as err:
        summary_data(str(tmp_path / "*.parquet"), *ARGS)
    assert err.value.file == str(tmp_path / "b.parquet") and err.value.column == "amount"
    assert "a.parquet" in str(err.value)
    # a column missing from one file of several names that file
    _write(con, good.drop(columns="amount").assign(amt=1.0), tmp_path / "b.parquet")
    with pytest.raises(InputDataError, match="missing") as err:
        summary_data(str(tmp_path / "*.parquet"), *ARGS)
    assert err.value.file == str(tmp_path / "b.parquet")
    # CSV and Parquet mixed
    (tmp_path / "c.csv").write_text("customer_id,date,amount\na,2024-01-01,1\n")
    with pytest.raises(InputDataError, match="mixes"):
        summary_data(str(tmp_path / "*"), *ARGS)


@pytest.mark.parametrize("rows, column, text", [
    ("a,2024-01-01,10\nb,2024-13-45,5\n", "date", "cannot be parsed"),
    ("a,2024-01-01,10\nb,2024-01-02,-5\n", "amount", "negative"),
    ("a,2024-01-01,10\nb,2024-01-02,12 EUR\n", "amount", "not a number"),
    ("a,2024-01-01,10\n,2024-01-02,5\n", "customer_id", "customer id is missing"),
])
def test_bad_values_in_a_file(tmp_path, rows, column, text):
    path = tmp_path / "sales.csv"
    path.write_text("customer_id,date,amount\n" + rows)
    with pytest.raises(InputDataError, match=text) as err:
        rfm(path, *ARGS)
    assert err.value.file == str(path) and err.value.column == column
    assert "What to do" in str(err.value)
    if column != "customer_id":
        assert "'b'" in str(err.value)  # the customer whose transaction is wrong


def test_engine_not_installed(monkeypatch, tmp_path, logs):
    monkeypatch.setitem(sys.modules, "duckdb", None)  # import duckdb raises ImportError
    path = tmp_path / "tx.parquet"
    path.write_bytes(b"PAR1")
    with pytest.raises(ParameterError, match="duckdb, which is not installed") as err:
        summary_data(path, *ARGS)
    assert 'pip install "crmstudy[duckdb]"' in str(err.value)
    # pandas input does not need DuckDB
    frame = logs["synthetic"]["frame"]
    assert summary_data(frame, *ARGS).attrs["engine"] == "numpy"


def test_unknown_source_and_spark_missing_column(spark):
    with pytest.raises(ParameterError, match="cannot be read"):
        rfm(42, *ARGS)
    assert source_engine([Path("a.parquet")]) == "files"
    sdf = spark.createDataFrame([("a", "2024-01-01", 1.0)], ["customer_id", "day", "amount"])
    with pytest.raises(InputDataError, match="date column 'date' is missing") as err:
        rfm(sdf, *ARGS)
    assert err.value.file == "Spark DataFrame" and err.value.column == "date"
    # dates as text are read on Spark too
    got = rfm(sdf, "customer_id", "day", "amount")
    assert got.loc["a", "frequency"] == 1 and got.attrs["snapshot"] == "2024-01-01"


def test_read_transactions_for_the_chapter(logs):
    log = logs["cdnow"]
    frame = read_transactions(log["glob"], *ARGS)
    assert list(frame.columns) == list(ARGS) and len(frame) == len(log["frame"])
    pd.testing.assert_frame_equal(rfm(frame, *ARGS), rfm(log["frame"], *ARGS), check_exact=True)


@pytest.mark.notebook
@pytest.mark.slow
def test_chapter_05_reads_a_parquet_file(tmp_path):
    """``crmstudy run`` can point chapter 05 at a Parquet file (its ``transactions`` parameter)."""
    import nbformat
    import papermill as pm

    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "en" / "05_customer_value.ipynb"
    con = duckdb.connect()
    path = _write(con, datasets.load("cdnow_sample"), tmp_path / "sample.parquet")
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(notebook), str(out), kernel_name="python3", progress_bar=False,
                        cwd=str(tmp_path), parameters={
                            "transactions": str(path), "lang": "en",
                            "calibration_end": "1997-09-30", "observation_end": "1998-06-30"})
    cells = nbformat.read(out, as_version=4).cells
    overview = next(c for c in cells if "facts_table" in c.source)   # the data overview table
    text = "".join(o.get("data", {}).get("text/plain", "") for o in overview.outputs)
    for fact in ("6,919", "2,357", "1997-01-01", "1998-06-30"):
        assert fact in text, text


def test_csv_files_with_different_number_formats(tmp_path):
    """CSV columns are read as text: whole-number amounts in one file, cents in another is fine."""
    (tmp_path / "a.csv").write_text("customer_id,date,amount\n007,2024-01-01,10\n")
    (tmp_path / "b.csv").write_text("customer_id,date,amount\n007,2024-01-03 10:30:00,2.5\n")
    r = rfm(str(tmp_path / "*.csv"), *ARGS)
    assert r.index.tolist() == ["007"] and r["monetary"].tolist() == [12.5]
    assert r["frequency"].tolist() == [2] and r["recency"].tolist() == [0]


def test_hash_partitions_give_the_same_aggregates(logs):
    """A log too large for memory_limit is aggregated in disjoint customer partitions."""
    from crmstudy.customer_value.engines import _partitions, sql_aggregates

    path = logs["synthetic"]["parquet"]
    one = sql_aggregates(path, *ARGS, 19800, 20000, partitions=1)
    three = sql_aggregates(path, *ARGS, 19800, 20000, partitions=3)
    assert one[0].equals(three[0]) and one[1].keys() == three[1].keys()
    for col in one[1]:
        np.testing.assert_array_equal(one[1][col], three[1][col], err_msg=col)
    # 2 bytes of memory per file byte (engines._BYTES_PER_FILE_BYTE, measured on 104 M rows)
    assert _partitions(95 * 2**20, "1GB") == 1 and _partitions(439 * 2**20, "1GB") == 1
    assert _partitions(970 * 2**20, "1GB") == 2 and _partitions(970 * 2**20, "256MB") == 8
    with pytest.raises(ParameterError, match="not a size"):
        _partitions(10, "lots")
