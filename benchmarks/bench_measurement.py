"""Benchmark: bootstrap confidence intervals of Cronbach's alpha and McDonald's omega.

Vectorised (crmstudy.measurement.bootstrap_reliability: every resample is a vector of counts,
how often it draws each respondent, so the moments of the resamples are matrix products)
against a naive loop over the same resamples that calls a peer function on each resample
(pingouin.cronbach_alpha for alpha; for omega there is no maintained Python peer, so the loop
calls crmstudy.measurement.omega_total).

Both sides get the same resamples.  The vectorised side is timed on the default path users call:
``bootstrap_reliability(data, n_boot, seed)`` draws its own resamples from the seed (block by
block, counting each block's draws) inside the timing; the loop gets those very resamples as row
indices (``bootstrap_indices(n, n_boot, seed)``, made before timing) and calls
``data.iloc[rows]``.  The times given explicit resampling weights (``counts=``, already counted)
are shown too.  The script stops if any replicate differs from the loop's by more than 1e-10.

Each time is the best of a few runs (the loop: one run) in wall-clock seconds; the CPU seconds of
this process are shown beside them, since on a shared, loaded machine the wall-clock ratio is
noisy (the load is printed first).

Run:  python benchmarks/bench_measurement.py [n_respondents ...] [--items 30] [--resamples 2000]
      (default sizes: 2000 and 10000 respondents x 30 items, 2000 resamples)
Needs pingouin (the `dev` extra).  Not run in CI; prints the conditions (benchmarks/_env.py),
then a table of times and ratios.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd

from _env import describe

TOLERANCE = 1e-10  # largest |vectorised - loop| accepted for any replicate


def timed_cpu(func, repeat: int = 1):
    """Best wall time and best CPU time (this process, all threads) of ``repeat`` calls, and
    the last call's value."""
    wall = cpu = float("inf")
    value = None
    for _ in range(max(1, repeat)):
        start, start_cpu = time.perf_counter(), time.process_time()
        value = func()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, value


def simulate(n: int, k: int, seed: int = 1) -> pd.DataFrame:
    """n respondents x k items on a 1-7 scale, one common factor with loadings 0.5-0.8."""
    rng = np.random.default_rng(seed)
    loadings = rng.uniform(0.5, 0.8, k)
    latent = rng.standard_normal((n, 1)) * loadings + rng.standard_normal((n, k)) * np.sqrt(1 - loadings ** 2)
    answers = np.clip(np.round(4 + 1.3 * latent), 1, 7)
    return pd.DataFrame(answers, columns=[f"q{j + 1}" for j in range(k)])


def main() -> None:
    import pingouin

    from crmstudy.measurement import bootstrap_indices, bootstrap_reliability, omega_total

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[2000, 10000])
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--omega-loop", type=int, default=200,
                        help="resamples timed in the naive omega loop (time scaled to --resamples)")
    args = parser.parse_args()

    describe("bootstrap of alpha and omega: vectorised vs a loop over the same resamples",
             peers=("pingouin",),
             shape=f"n in {args.sizes} respondents x {args.items} items (1-7 scale), "
                   f"{args.resamples} resamples")
    rows = []
    seed = 2
    for n in args.sizes:
        data = simulate(n, args.items)
        indices = bootstrap_indices(n, args.resamples, seed)   # the resamples the seed draws
        offsets = indices + (np.arange(args.resamples) * n)[:, None]
        counts = np.bincount(offsets.ravel(), minlength=args.resamples * n).reshape(
            args.resamples, n).astype(float)  # the same resamples as resampling weights

        t_seed, c_seed, from_seed = timed_cpu(lambda: bootstrap_reliability(
            data, n_boot=args.resamples, seed=seed, statistics=("alpha",)), repeat=3)
        t_counts, c_counts, from_counts = timed_cpu(lambda: bootstrap_reliability(
            data, counts=counts, statistics=("alpha",)), repeat=3)
        t_loop, c_loop, loop = timed_cpu(lambda: np.array([pingouin.cronbach_alpha(data.iloc[i])[0]
                                                           for i in indices]))
        diff = float(max(np.max(np.abs(from_seed["alpha"] - loop)),
                         np.max(np.abs(from_counts["alpha"] - loop))))
        if not diff <= TOLERANCE:
            raise SystemExit(f"alpha replicates differ from the loop by {diff:g} > {TOLERANCE:g}")
        rows.append({"statistic": "alpha", "n x k": f"{n} x {args.items}",
                     "naive peer": "pingouin.cronbach_alpha",
                     "loop (s)": t_loop, "loop cpu (s)": c_loop,
                     "seed (s)": t_seed, "seed cpu (s)": c_seed,
                     "ratio": t_loop / t_seed, "cpu ratio": c_loop / c_seed,
                     "counts= (s)": t_counts, "ratio (counts=)": t_loop / t_counts,
                     "max |diff|": diff})

        m = min(args.omega_loop, args.resamples)
        t_fast_o, c_fast_o, fast_o = timed_cpu(lambda: bootstrap_reliability(
            data, n_boot=args.resamples, seed=seed, statistics=("omega",)))
        t_loop_o, c_loop_o, loop_o = timed_cpu(lambda: np.array(
            [omega_total(data.iloc[i].reset_index(drop=True)).omega for i in indices[:m]]))
        t_loop_o *= args.resamples / m   # scaled to the full number of resamples
        c_loop_o *= args.resamples / m
        diff_o = float(np.max(np.abs(fast_o["omega"][:m] - loop_o)))
        rows.append({"statistic": "omega", "n x k": f"{n} x {args.items}",
                     "naive peer": f"crmstudy omega_total ({m} timed, scaled)",
                     "loop (s)": t_loop_o, "loop cpu (s)": c_loop_o,
                     "seed (s)": t_fast_o, "seed cpu (s)": c_fast_o,
                     "ratio": t_loop_o / t_fast_o, "cpu ratio": c_loop_o / c_fast_o,
                     "counts= (s)": float("nan"), "ratio (counts=)": float("nan"),
                     "max |diff|": diff_o})

    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 30, "display.precision", 3):
        print(table.to_string(index=False))
    print(f"   load (1 min) at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
