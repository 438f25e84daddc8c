"""Benchmark of crmstudy.customer_value (chapter 05).  Not run in CI.

    python benchmarks/bench_customer_value.py [--customers 1000000] [--transactions 10000000]

1. Summary + RFM on synthetic transactions (default 1,000,000 customers, 10,000,000
   transactions, string ids "C0000001"): time and peak extra memory (tracemalloc, which sees
   numpy's buffers) of ``prepare_transactions`` + ``summary_data`` + ``rfm``, against plain
   pandas groupby code computing the same numbers, in the same process.
2. BG/NBD fit on the full CDNOW master file (23,570 customers, weeks): ``BetaGeo().fit``
   against ``lifetimes.BetaGeoFitter().fit`` on the same summary.  lifetimes needs old
   numpy/pandas, so it runs in a subprocess of the interpreter named by ``$LIFETIMES_PYTHON``
   (default ``/tmp/ltvenv/bin/python``, see tests/reference/customer_value/make_reference.py
   for how to make it); the subprocess times only the fit.  Skipped if that interpreter is
   missing.  Both run with a single-threaded BLAS (crmstudy sets it for its fits; the
   subprocess gets ``OPENBLAS_NUM_THREADS=1``), so neither is slowed by idle BLAS threads.

Targets (issue 7): summary + RFM <= 3 s and <= 2 GB extra memory on 2 cores; BG/NBD fit in at
most half of lifetimes' time.  Times are the best of ``--repeat`` runs (wall clock).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from crmstudy import datasets
from crmstudy.customer_value import BetaGeo, prepare_transactions, rfm, summary_data
from _env import describe


def synthetic(n_customers: int, n_transactions: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cust = rng.integers(0, n_customers, n_transactions)
    ids = np.char.add("C", np.char.zfill(cust.astype(str), 7))
    days = rng.integers(0, 730, n_transactions).astype("timedelta64[D]")
    return pd.DataFrame({"customer_id": pd.array(ids, dtype="str"),
                         "date": np.datetime64("2023-01-01") + days,
                         "amount": np.round(rng.lognormal(3, 1, n_transactions), 2)})


def crmstudy_pipeline(df):
    tx = prepare_transactions(df, "customer_id", "date", "amount")
    return summary_data(tx, freq="W"), rfm(tx)


def pandas_pipeline(df):
    """The same numbers with plain pandas groupby (the baseline a student would write)."""
    day = df["date"].dt.normalize()
    g = pd.DataFrame({"c": df["customer_id"], "d": day, "a": df["amount"]}).groupby("c", sort=True)
    agg = g.agg(first=("d", "min"), last=("d", "max"), days=("d", "nunique"), total=("a", "sum"))
    snap = day.max()
    table = pd.DataFrame({"recency": (snap - agg["last"]).dt.days, "frequency": agg["days"],
                          "monetary": agg["total"]})
    for col, asc in (("recency", False), ("frequency", True), ("monetary", True)):
        worse = (table[col] if asc else -table[col]).rank(method="min") - 1
        table[col[0].upper()] = 1 + np.floor(5 * worse / len(table)).astype(int)
    summary = pd.DataFrame({"frequency": agg["days"] - 1,
                            "recency": (agg["last"] - agg["first"]).dt.days / 7,
                            "T": (snap - agg["first"]).dt.days / 7})
    return summary, table


def best_time(fn, repeat):
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        del out
    return min(times)


def peak_memory(fn) -> float:
    gc.collect()
    tracemalloc.start()
    out = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del out
    return peak / 2**30


LIFETIMES_SCRIPT = """
import sys, time, json
import numpy, pandas as pd, lifetimes
from lifetimes import BetaGeoFitter
s = pd.read_csv(sys.argv[1])
times = []
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    bg = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    times.append(time.perf_counter() - t0)
print(json.dumps({"time": min(times), "params": {k: float(v) for k, v in bg.params_.items()},
                  "versions": f"lifetimes {lifetimes.__version__}, numpy {numpy.__version__}, "
                              f"pandas {pd.__version__}, python {sys.version.split()[0]}"}))
"""


def bench_fit(repeat: int) -> dict:
    master = datasets.load("cdnow")
    s = summary_data(master, "customer_id", "date", "dollar_value", freq="W")
    ours = BetaGeo().fit(s)
    t_ours = best_time(lambda: BetaGeo().fit(s), repeat)
    out = {"customers": len(s), "crmstudy_s": t_ours, "crmstudy_params": ours.params_}
    python = os.environ.get("LIFETIMES_PYTHON", "/tmp/ltvenv/bin/python")
    if not Path(python).is_file():
        out["lifetimes"] = f"skipped: {python} not found"
        return out
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "summary.csv"
        s[["frequency", "recency", "T"]].to_csv(path, index=False, float_format="%.17g")
        script = Path(tmp) / "fit.py"
        script.write_text(LIFETIMES_SCRIPT)
        # both libraries with a single-threaded BLAS (ours sets it itself): a fair comparison
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        res = subprocess.run([python, str(script), str(path), str(repeat)], capture_output=True,
                             text=True, check=True, env=env)
    peer = json.loads(res.stdout.strip().splitlines()[-1])
    out.update(lifetimes_s=peer["time"], lifetimes_params=peer["params"],
               lifetimes_versions=peer["versions"], ratio=peer["time"] / t_ours)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-pandas", action="store_true")
    args = parser.parse_args(argv)

    describe("crmstudy.customer_value: summary + RFM, BG/NBD fit",
             shape=f"{args.customers:,} customers, {args.transactions:,} transactions; "
                   "CDNOW master 23,570 customers (lifetimes runs in $LIFETIMES_PYTHON, its "
                   "version printed with its result)")
    df = synthetic(args.customers, args.transactions)
    print(f"synthetic: {len(df):,} transactions, {args.customers:,} customers (string ids)")
    rows = []
    t = best_time(lambda: crmstudy_pipeline(df), args.repeat)
    m = peak_memory(lambda: crmstudy_pipeline(df))
    rows.append(("summary + RFM", "crmstudy", t, m))
    if not args.skip_pandas:
        t_pd = best_time(lambda: pandas_pipeline(df), max(1, args.repeat - 1))
        m_pd = peak_memory(lambda: pandas_pipeline(df))
        rows.append(("summary + RFM", "pandas groupby", t_pd, m_pd))
    table = pd.DataFrame(rows, columns=["task", "implementation", "seconds", "peak_extra_GB"])
    if not args.skip_pandas:
        table["ratio_vs_crmstudy"] = table["seconds"] / t
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print("target: <= 3 s and <= 2 GB extra\n")

    fit = bench_fit(max(args.repeat, 5))
    print(f"BG/NBD fit on CDNOW master ({fit['customers']:,} customers, weeks):")
    print(f"  crmstudy BetaGeo        {fit['crmstudy_s']:.3f} s  {fit['crmstudy_params']}")
    if "lifetimes_s" in fit:
        print(f"  lifetimes BetaGeoFitter {fit['lifetimes_s']:.3f} s  {fit['lifetimes_params']}")
        print(f"  (lifetimes subprocess: {fit['lifetimes_versions']}, 1 BLAS thread)")
        print(f"  ratio lifetimes / crmstudy = {fit['ratio']:.1f} (target >= 2)")
    else:
        print(f"  lifetimes: {fit['lifetimes']}")


if __name__ == "__main__":
    main()
