"""Benchmark: bootstrap confidence intervals of Cronbach's alpha and McDonald's omega.

Vectorised (crmstudy.measurement.bootstrap_reliability: every resample is a vector of counts,
how often it draws each respondent, so the moments of all resamples are one matrix product)
against a naive loop over the same resamples that calls a peer function on each resample
(pingouin.cronbach_alpha for alpha; for omega there is no maintained Python peer, so the loop
calls crmstudy.measurement.omega_total).

Both sides get the same resamples, prepared before timing in the form each uses: row indices
for the loop (``data.iloc[rows]``), the equivalent counts (resampling weights, ``counts=``) for
the vectorised function.  The time of the vectorised function given the row indices (it then
counts them itself) is shown too.  The script stops if any replicate differs from the loop's by
more than 1e-10.

Run:  python benchmarks/bench_measurement.py [n_respondents ...] [--items 30] [--resamples 2000]
      (default sizes: 2000 and 10000 respondents x 30 items, 2000 resamples)
Needs pingouin (the `dev` extra).  Not run in CI; prints the conditions (benchmarks/_env.py),
then a table of times and ratios.
"""
from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from _env import describe, timed

TOLERANCE = 1e-10  # largest |vectorised - loop| accepted for any replicate


def simulate(n: int, k: int, seed: int = 1) -> pd.DataFrame:
    """n respondents x k items on a 1-7 scale, one common factor with loadings 0.5-0.8."""
    rng = np.random.default_rng(seed)
    loadings = rng.uniform(0.5, 0.8, k)
    latent = rng.standard_normal((n, 1)) * loadings + rng.standard_normal((n, k)) * np.sqrt(1 - loadings ** 2)
    answers = np.clip(np.round(4 + 1.3 * latent), 1, 7)
    return pd.DataFrame(answers, columns=[f"q{j + 1}" for j in range(k)])


def main() -> None:
    import pingouin

    from crmstudy.measurement import bootstrap_reliability, omega_total

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
    for n in args.sizes:
        data = simulate(n, args.items)
        indices = np.random.default_rng(2).integers(0, n, size=(args.resamples, n))
        offsets = indices + (np.arange(args.resamples) * n)[:, None]
        counts = np.bincount(offsets.ravel(), minlength=args.resamples * n).reshape(
            args.resamples, n).astype(float)  # the same resamples as resampling weights

        t_fast, fast = timed(lambda: bootstrap_reliability(data, counts=counts,
                                                           statistics=("alpha",)), repeat=3)
        t_idx, from_idx = timed(lambda: bootstrap_reliability(data, indices=indices,
                                                              statistics=("alpha",)))
        t_loop, loop = timed(lambda: np.array([pingouin.cronbach_alpha(data.iloc[i])[0]
                                               for i in indices]))
        diff = float(max(np.max(np.abs(fast["alpha"] - loop)),
                         np.max(np.abs(from_idx["alpha"] - loop))))
        if not diff <= TOLERANCE:
            raise SystemExit(f"alpha replicates differ from the loop by {diff:g} > {TOLERANCE:g}")
        rows.append({"statistic": "alpha", "n x k": f"{n} x {args.items}",
                     "naive loop (s)": t_loop, "naive peer": "pingouin.cronbach_alpha",
                     "vectorised (s)": t_fast, "ratio": t_loop / t_fast,
                     "from indices (s)": t_idx, "ratio (indices)": t_loop / t_idx,
                     "max |diff|": diff})

        m = min(args.omega_loop, args.resamples)
        t_fast_o, fast_o = timed(lambda: bootstrap_reliability(data, counts=counts,
                                                               statistics=("omega",)))
        t_loop_o, loop_o = timed(lambda: np.array([omega_total(data.iloc[i].reset_index(drop=True)).omega
                                                   for i in indices[:m]]))
        t_loop_o *= args.resamples / m   # scaled to the full number of resamples
        diff_o = float(np.max(np.abs(fast_o["omega"][:m] - loop_o)))
        rows.append({"statistic": "omega", "n x k": f"{n} x {args.items}",
                     "naive loop (s)": t_loop_o,
                     "naive peer": f"crmstudy omega_total ({m} timed, scaled)",
                     "vectorised (s)": t_fast_o, "ratio": t_loop_o / t_fast_o,
                     "from indices (s)": float("nan"), "ratio (indices)": float("nan"),
                     "max |diff|": diff_o})

    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.precision", 3):
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
