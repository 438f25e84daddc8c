"""Benchmark of the customer-value engines (issue 15).  Not run in CI.

    python benchmarks/bench_engines.py [--size 10000000] [--big 100000000] [--skip-big]

Data are generated under /tmp (``--dir``; never committed), with a fixed seed: ``--size``
transactions of ``size / 10`` customers with 8-character text ids ("C0000042"), dates over two
years, amounts with cents.  The big file has ``--big`` transactions of ``big / 50`` customers.

1. **pandas input**: ``summary_data(df, ...)`` then ``rfm(df, ...)`` called as a user calls them,
   against polars computing the same summary (frequency = distinct purchase days - 1, recency,
   T, repeat spend) and the same RFM table (recency, purchase days, total spend, quintile scores
   with the "consistent" tie rule) on a ready polars frame, sorted by id as ours are.  The
   values are compared, so both do the same work.  Times are the best of ``--repeat`` runs;
   crmstudy's reuse of the last DataFrame's encoding is cleared before every run, so each run
   encodes the ids once (as a user's first pair of calls does).
2. **Parquet on disk**: ``summary_data(path, ...)`` then ``rfm(path, ...)`` (DuckDB) against
   polars' lazy scan of the same file computing both tables in one query.
3. **100 M transactions in Parquet**: summary + RFM in a fresh subprocess (peak resident memory
   from ``resource.getrusage``, wall time), then the BG/NBD fit on the per-customer summary.
   Targets: peak RSS <= 2 GB, summary + RFM <= 30 s on 2 cores.

The machine is shared: the load printed by ``_env.describe`` first says how noisy the figures are.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _env import describe  # noqa: E402

from crmstudy.customer_value import rfm, summary_data  # noqa: E402
from crmstudy.customer_value import transactions as _tx  # noqa: E402

ARGS = ("customer_id", "date", "amount")
CAL = None  # summary over all the data (calibration end = last purchase), as the peer computes


def make_parquet(path: Path, n: int, customers: int, seed: int = 0) -> Path:
    """Write ``n`` synthetic transactions with DuckDB (streams: no frame of ``n`` rows in memory)."""
    import duckdb

    if path.exists():
        return path
    con = duckdb.connect(config={"memory_limit": "1GB", "preserve_insertion_order": False})
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SELECT setseed({(seed % 1000) / 1000})")
    tmp = path.with_suffix(".tmp")
    con.execute(f"""
        COPY (SELECT 'C' || lpad(CAST(CAST(floor(random() * {customers}) AS BIGINT) AS VARCHAR), 7, '0')
                         AS customer_id,
                     TIMESTAMP '2023-01-01' + to_days(CAST(floor(random() * 730) AS INTEGER))
                         AS date,
                     round(exp(3 + 1 * sqrt(-2 * ln(random() + 1e-12)) * cos(2 * pi() * random())), 2)
                         AS amount
              FROM range({n}))
        TO '{tmp}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)""")
    con.close()
    tmp.rename(path)
    return path


def read_frame(path: Path) -> pd.DataFrame:
    """The file as a pandas DataFrame with text ids (pandas' default ``str`` dtype)."""
    import duckdb

    frame = duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')").df()
    frame["customer_id"] = frame["customer_id"].astype("str")
    return frame


def crmstudy_pair(source):
    return summary_data(source, *ARGS, freq="D"), rfm(source, *ARGS)


def polars_plan(lazy):
    """Summary and RFM from one polars lazy frame: the same numbers as crmstudy's."""
    import polars as pl

    day = pl.col("date").dt.date()
    per_day = lazy.group_by("customer_id", day.alias("d")).agg(pl.col("amount").sum().alias("s"))
    agg = per_day.group_by("customer_id").agg(
        first=pl.col("d").min(), last=pl.col("d").max(), days=pl.len(),
        total=pl.col("s").sum(), first_spend=pl.col("s").sort_by("d").first())
    snap = pl.col("last").max()
    n = pl.len()
    rec = (snap - pl.col("last")).dt.total_days()

    def score(expr):  # 1 + floor(5 * (number strictly worse) / n): the "consistent" rule
        return (1 + (5 * (expr.rank("min") - 1) / n).floor()).cast(pl.Int64)

    # sums to 12 significant digits, as crmstudy rounds them (ties independent of the order)
    agg = agg.with_columns(pl.col("total").round_sig_figs(12),
                           pl.col("first_spend").round_sig_figs(12))
    return agg.with_columns(
        frequency=pl.col("days") - 1,
        recency_days=(pl.col("last") - pl.col("first")).dt.total_days(),
        T=(snap - pl.col("first")).dt.total_days(),
        monetary_value=pl.when(pl.col("days") > 1)
        .then((pl.col("total") - pl.col("first_spend")) / (pl.col("days") - 1)).otherwise(0.0),
        rfm_recency=rec, R=score(-rec), F=score(pl.col("days")), M=score(pl.col("total")),
    ).sort("customer_id")


def check_same(ours, theirs) -> None:
    """The peer computed the same numbers (else the comparison would mean nothing)."""
    s, r = ours
    theirs = theirs.to_pandas() if hasattr(theirs, "to_pandas") and _has_pyarrow() else \
        {c: theirs[c].to_numpy() for c in theirs.columns}
    assert np.array_equal(np.asarray(theirs["customer_id"], dtype=object), s.index.to_numpy(object))
    np.testing.assert_array_equal(s["frequency"], theirs["frequency"])
    np.testing.assert_array_equal(s["recency"], theirs["recency_days"])
    np.testing.assert_array_equal(s["T"], theirs["T"])
    np.testing.assert_allclose(s["monetary_value"], theirs["monetary_value"], rtol=1e-9)
    np.testing.assert_array_equal(r["recency"], theirs["rfm_recency"])
    np.testing.assert_allclose(r["monetary"], theirs["total"], rtol=1e-9)
    for col in "RFM":
        np.testing.assert_array_equal(r[col], theirs[col])


def _has_pyarrow() -> bool:
    import importlib.util
    return importlib.util.find_spec("pyarrow") is not None


def best(fn, repeat: int, before=None):
    times, out = [], None
    for _ in range(repeat):
        if before:
            before()
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


BIG_SCRIPT = """
import json, resource, sys, time
from crmstudy.customer_value import rfm, summary_data, BetaGeo
path = sys.argv[1]
t0 = time.perf_counter()
s = summary_data(path, "customer_id", "date", "amount", freq="W")
r = rfm(path, "customer_id", "date", "amount")
t1 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kB on Linux -> GB
bg = BetaGeo().fit(s)
t2 = time.perf_counter()
print(json.dumps({"customers": len(s), "seconds": t1 - t0, "peak_rss_gb": rss,
                  "fit_seconds": t2 - t1, "params": {k: float(v) for k, v in bg.params_.items()},
                  "peak_rss_gb_with_fit": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--big", type=int, default=100_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--dir", default="/tmp/crmstudy-bench")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--only-big", action="store_true")
    args = parser.parse_args(argv)
    import polars as pl

    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    describe("customer-value engines: summary + RFM", peers=("polars", "duckdb", "pyspark"),
             shape=f"{args.size:,} transactions of {args.size // 10:,} customers (text ids); "
                   f"{args.big:,} of {args.big // 50:,} in Parquet")
    rows = []
    if not args.only_big:
        path = make_parquet(folder / f"tx_{args.size}.parquet", args.size, args.size // 10)
        df = read_frame(path)
        ready = pl.DataFrame({"customer_id": df["customer_id"].to_numpy(dtype=object).astype("U"),
                              "date": df["date"].to_numpy().astype("datetime64[us]"),
                              "amount": df["amount"].to_numpy()})
        t_ours, ours = best(lambda: crmstudy_pair(df), args.repeat, before=_tx._LAST.clear)
        t_pl, theirs = best(lambda: polars_plan(ready.lazy()).collect(), args.repeat)
        check_same(ours, theirs)
        rows += [("pandas DataFrame", "crmstudy summary_data + rfm", t_ours),
                 ("ready polars frame", "polars (one query)", t_pl)]
        del df, ready, ours, theirs
        gc.collect()
        t_file, ours = best(lambda: crmstudy_pair(str(path)), args.repeat)
        t_scan, theirs = best(lambda: polars_plan(pl.scan_parquet(path)).collect(), args.repeat)
        check_same(ours, theirs)
        rows += [("Parquet file", "crmstudy summary_data + rfm (DuckDB)", t_file),
                 ("Parquet file", "polars scan_parquet (one query)", t_scan)]
        table = pd.DataFrame(rows, columns=["input", "implementation", "seconds"])
        print(table.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
        print(f"ratio polars / crmstudy: pandas input {t_pl / t_ours:.2f}, "
              f"Parquet file {t_scan / t_file:.2f} (target >= 1)\n")
    if not args.skip_big:
        big = make_parquet(folder / f"tx_{args.big}.parquet", args.big, args.big // 50, seed=1)
        res = subprocess.run([sys.executable, "-c", BIG_SCRIPT, str(big)], capture_output=True,
                             text=True, env=dict(os.environ))
        if res.returncode:
            print(res.stderr)
            raise SystemExit(res.returncode)
        out = json.loads(res.stdout.strip().splitlines()[-1])
        print(f"{args.big:,} transactions in Parquet ({big.stat().st_size / 2**30:.2f} GB on disk), "
              f"{out['customers']:,} customers:")
        print(f"  summary + RFM: {out['seconds']:.1f} s (target <= 30), peak RSS "
              f"{out['peak_rss_gb']:.2f} GB (target <= 2)")
        print(f"  BG/NBD fit on the summary: {out['fit_seconds']:.1f} s, params {out['params']}, "
              f"peak RSS with the fit {out['peak_rss_gb_with_fit']:.2f} GB")


if __name__ == "__main__":
    main()
