"""Benchmark: Pareto/NBD fit on the full CDNOW master file, crmstudy vs lifetimes.  Not run in CI.

    /tmp/btyd_ltvenv/bin/pip install pyyaml threadpoolctl   # crmstudy imports them
    PYTHONPATH=$PWD /tmp/btyd_ltvenv/bin/python benchmarks/bench_btyd.py [--repeat 3]

lifetimes needs old numpy/pandas, so both sides run in the lifetimes venv (see
tests/reference/btyd/make_reference.py for how to make it) with crmstudy on ``PYTHONPATH``: one
process, the same numpy/scipy, the same input.  The input is lifetimes' own summary of the
master file (``tests/reference/customer_value/lifetimes_master_summary.csv.gz``, 23,570
customers, converted to weeks), so no crmstudy code that needs a newer pandas runs.  Both fits
run with a single-threaded BLAS.

crmstudy ``ParetoNBD().fit`` (grouped rows, 2F1 once per distinct (x, t), L-BFGS-B with
central-difference gradients, plus the Hessian of the convergence check and standard errors)
against ``lifetimes.ParetoNBDFitter().fit`` (defaults: Nelder-Mead, tol 1e-4).  Issue 15's
target: lifetimes / crmstudy >= 2.  Times are the best of ``--repeat`` runs (wall clock).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _env import describe, timed  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    master = pd.read_csv(ROOT / "tests" / "reference" / "customer_value" / "lifetimes_master_summary.csv.gz",
                         index_col=0)
    weeks = master / 7.0
    weeks["frequency"] = master["frequency"]
    weeks.attrs["time_unit"] = "W"
    describe("Pareto/NBD fit on CDNOW master (weeks)", peers=("lifetimes",),
             shape=f"{len(weeks):,} customers, {len(weeks.drop_duplicates()):,} distinct (x, t_x, T)")

    from lifetimes import ParetoNBDFitter

    from crmstudy.customer_value import ParetoNBD

    t_ours, ours = timed(lambda: ParetoNBD().fit(weeks), args.repeat)
    t_peer, peer = timed(lambda: ParetoNBDFitter().fit(weeks["frequency"], weeks["recency"], weeks["T"]),
                         args.repeat)
    at_peer = ParetoNBD().fit(weeks)
    at_peer.params_ = {k: float(peer.params_[k]) for k in ParetoNBD.PARAMS}
    ll_peer = float(at_peer.log_likelihood(weeks).sum())
    rows = pd.DataFrame({
        "seconds": [t_ours, t_peer],
        **{k: [ours.params_[k], float(peer.params_[k])] for k in ParetoNBD.PARAMS},
        "log_likelihood": [ours.log_likelihood_, ll_peer]},
        index=["crmstudy ParetoNBD", "lifetimes ParetoNBDFitter"])
    print(rows.to_string(float_format=lambda v: f"{v:.4f}"))
    print(f"ratio lifetimes / crmstudy = {t_peer / t_ours:.1f} (target >= 2); "
          f"log-likelihood difference crmstudy - lifetimes = {ours.log_likelihood_ - ll_peer:.2e}")
    assert np.isfinite(t_peer / t_ours)


if __name__ == "__main__":
    main()
