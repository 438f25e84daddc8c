"""Benchmark of crmstudy.ahp (not run in CI; needs ahpy and pyDecision installed).

    python benchmarks/bench_ahp.py

1. Priorities + CR of 1,000 experts' 9 x 9 judgment matrices: crmstudy's batched numpy
   (``ahp.batch_priorities``) against a loop over ahpy.Compare (the issue's peer baseline), a loop
   over pyDecision.ahp_method and a loop over crmstudy's own single-matrix ``ahp.priorities``.
   Target: batch >= 30x faster than the ahpy loop.
2. Monte-Carlo sensitivity of the 17-indicator CRM capability hierarchy: 10,000 perturbed draws
   of every judgment matrix (3x3, 4x4, 7x7, 6x6), priorities and global weights.  Target < 1 s.

Times are the best of ``REPEAT`` runs (wall clock, time.perf_counter); all in one process.
"""
from __future__ import annotations

import time
import warnings

import numpy as np

from crmstudy import ahp, datasets
from _env import describe

warnings.filterwarnings("ignore")
REPEAT = 3
N_EXPERTS, N = 1000, 9


def best_of(fn, repeat=REPEAT):
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def make_matrices(seed=0):
    """1,000 experts: near-consistent 9x9 judgments on Saaty's scale (like a real panel)."""
    rng = np.random.default_rng(seed)
    w = rng.dirichlet(np.ones(N) * 3, N_EXPERTS)
    logs = np.log(w[:, :, None] / w[:, None, :]) + 0.3 * rng.standard_normal((N_EXPERTS, N, N))
    iu = np.triu_indices(N, 1)
    scale = np.array(sorted({1 / k for k in range(1, 10)} | set(range(1, 10))), dtype=float)
    up = scale[np.abs(logs[:, iu[0], iu[1]][..., None] - np.log(scale)).argmin(-1)]
    a = np.ones((N_EXPERTS, N, N))
    a[:, iu[0], iu[1]] = up
    a[:, iu[1], iu[0]] = 1 / up
    return a


def main():
    import ahpy
    from pyDecision.algorithm import ahp_method

    describe("crmstudy.ahp: batched priorities and Monte-Carlo", peers=("ahpy", "pyDecision"),
             shape=f"{N_EXPERTS} judgment matrices {N} x {N}; 17-indicator hierarchy, "
                   "10,000 draws")
    a = make_matrices()
    labels = [f"C{i}" for i in range(N)]
    iu = np.triu_indices(N, 1)

    def batch():
        return ahp.batch_priorities(a)

    def loop_ahpy():
        out = []
        for m in a:
            comps = {(labels[i], labels[j]): m[i, j] for i, j in zip(*iu)}
            c = ahpy.Compare("x", comps, precision=10)
            out.append([c.local_weights[l] for l in labels])
        return np.array(out)

    def loop_pydecision():
        return np.array([ahp_method(m, wd="me")[0] for m in a])

    def loop_crmstudy():
        return np.array([ahp.priorities(m).weights.to_numpy() for m in a])

    t_batch, res = best_of(batch)
    t_ahpy, w_ahpy = best_of(loop_ahpy, repeat=1)
    t_pyd, w_pyd = best_of(loop_pydecision, repeat=1)
    t_single, _ = best_of(loop_crmstudy, repeat=1)
    # the speed-up is only meaningful if the answers agree
    assert np.abs(res.weights - w_ahpy).max() < 1e-8
    assert np.abs(res.weights - w_pyd).max() < 1e-10
    print(f"Priorities + CR of {N_EXPERTS} matrices {N}x{N} (best of {REPEAT} for the batch)")
    print(f"{'implementation':44s} {'seconds':>9s} {'ratio to batch':>15s}")
    for name, t in [("crmstudy.ahp.batch_priorities (numpy batch)", t_batch),
                    ("loop over ahpy.Compare", t_ahpy),
                    ("loop over pyDecision.ahp_method('me')", t_pyd),
                    ("loop over crmstudy.ahp.priorities", t_single)]:
        print(f"{name:44s} {t:9.4f} {t / t_batch:14.1f}x")

    h = ahp.hierarchy_weights(datasets.load("crm_judgments"))
    t_mc, mc = best_of(lambda: ahp.monte_carlo(h, draws=10_000, seed=1))
    print(f"\nMonte-Carlo of the 17-indicator hierarchy, 10,000 draws: {t_mc:.3f} s "
          f"(target < 1 s); mean global weights within "
          f"{np.abs(mc.draws.mean().to_numpy() - h.weights.to_numpy()).max():.4f} of the base")
    from crmstudy import evaluation
    rng = np.random.default_rng(0)
    import pandas as pd
    scores = pd.DataFrame(rng.uniform(0, 100, (300, 17)), columns=h.weights.index)
    t_rank, _ = best_of(lambda: evaluation.rank_stability(scores, mc.draws, h.weights))
    print(f"Rank distribution of 300 firms over the 10,000 draws: {t_rank:.3f} s")


if __name__ == "__main__":
    main()
