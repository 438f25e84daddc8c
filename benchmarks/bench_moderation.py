"""Benchmark of crmstudy.moderation (not run in CI).

    /work/venv/bin/python benchmarks/bench_moderation.py [--rows 100000] [--grid 1000]

1. Hierarchical regression with an interaction and HC3 standard errors on ``--rows`` rows
   (controls incl. two categorical ones, capability, moderator, product; three blocks):
   ``crmstudy.moderation.hierarchical_regression`` (which adds centring, rank check, ΔR² and
   Wald tests, standardised betas and GVIFs) against the bare peer: three
   ``statsmodels.formula.api.ols(...).fit(cov_type="HC3")`` calls, on the data as they come
   (text controls) and with the text controls converted to categoricals first.
2. A Johnson-Neyman curve over ``--grid`` moderator values: the vectorised
   ``ModerationResult.conditional_effects`` against a loop calling statsmodels'
   ``results.t_test`` once per value (the naive way; target ratio >= 300).  The two are checked
   to agree before timing.

Prints a table of median times (of ``--repeat`` runs) and ratios, all measured in one process.
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from crmstudy import moderation
from _env import describe


def make_data(n: int, seed: int = 20261123) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({
        "capability": rng.normal(4.5, 1.0, n),
        "ED": rng.normal(4.0, 1.2, n),
        "log_size": rng.normal(5.7, 1.0, n),
        "firm_age": rng.integers(2, 41, n).astype(float),
        "ownership": rng.choice(["foreign", "private", "state"], n, p=[0.2, 0.55, 0.25]),
        "industry": rng.choice(["it", "manufacturing", "retail", "services"], n),
    })
    xc, wc = d.capability - 4.5, d.ED - 4.0
    noise = rng.normal(0, 1, n) * (0.6 + 0.2 * np.abs(xc))   # heteroskedastic
    d["perf"] = 0.3 * xc + 0.1 * wc + 0.12 * xc * wc + 0.05 * d.log_size + noise
    return d


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--grid", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    describe("crmstudy.moderation: hierarchical regression and Johnson-Neyman curve",
             peers=("statsmodels",),
             shape=f"{args.rows} rows, 4 controls (2 categorical), {args.grid} moderator values, "
                   f"median of {args.repeat} runs")
    data = make_data(args.rows)
    controls = ["log_size", "firm_age", "ownership", "industry"]
    blocks = [controls, ["capability", "ED"], ["capability:ED"]]

    def ours():
        return moderation.hierarchical_regression(data, "perf", blocks, center=True,
                                                  cov_type="HC3")

    def peer():
        centred = data.assign(capability=data.capability - data.capability.mean(),
                              ED=data.ED - data.ED.mean())
        terms, fits = [], []
        for block in blocks:
            terms += block
            fits.append(smf.ols("perf ~ " + " + ".join(terms), centred).fit(cov_type="HC3"))
        return fits

    def peer_categorical():
        # the same, with the text controls converted to pandas categoricals first (what
        # crmstudy does internally: patsy codes categoricals in C, text cell by cell)
        cats = {c: pd.Categorical(data[c]) for c in ("ownership", "industry")}
        centred = data.assign(capability=data.capability - data.capability.mean(),
                              ED=data.ED - data.ED.mean(), **cats)
        terms, fits = [], []
        for block in blocks:
            terms += block
            fits.append(smf.ols("perf ~ " + " + ".join(terms), centred).fit(cov_type="HC3"))
        return fits

    t_ours, res = timed(ours, args.repeat)
    t_peer, fits = timed(peer, args.repeat)
    t_peer_cat, fits_cat = timed(peer_categorical, args.repeat)
    np.testing.assert_allclose(res.final.bse, fits[-1].bse, rtol=1e-10)
    np.testing.assert_allclose(res.final.bse, fits_cat[-1].bse, rtol=1e-10)

    # --- Johnson-Neyman curve -----------------------------------------------------------
    fit = moderation.moderated_regression(data, "perf", "capability", "ED", controls=controls)
    final = fit.hierarchy.final
    names = list(final.model.exog_names)
    grid = np.linspace(*fit.w_range, args.grid)

    def vectorised():
        return fit.conditional_effects(grid)

    def loop():
        rows = []
        for w in grid:
            r = np.zeros(len(names))
            r[names.index("capability")] = 1.0
            r[names.index("capability:ED")] = w - fit.w_shift
            tt = final.t_test(r)
            rows.append((float(np.squeeze(tt.effect)), float(np.squeeze(tt.sd)),
                         float(np.squeeze(tt.pvalue))))
        return np.array(rows)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_loop, looped = timed(loop, 1)
    t_vec, curve = timed(vectorised, max(args.repeat, 20))
    np.testing.assert_allclose(curve[["slope", "se", "p"]].to_numpy(), looped, rtol=1e-8)
    t_bounds, _ = timed(lambda: fit.johnson_neyman(), max(args.repeat, 20))

    rows = [
        ("hierarchical regression, 3 blocks, HC3", f"{args.rows:,} rows", t_ours, t_peer,
         "statsmodels ols().fit(HC3) x3, text controls"),
        ("hierarchical regression, 3 blocks, HC3", f"{args.rows:,} rows", t_ours, t_peer_cat,
         "statsmodels ols().fit(HC3) x3, categorical controls"),
        ("J-N curve (slope, SE, t, p, CI)", f"{args.grid:,} values", t_vec, t_loop,
         "loop of results.t_test"),
        ("J-N exact bounds + 400-point curve", "", t_bounds, np.nan, ""),
    ]
    table = pd.DataFrame(rows, columns=["task", "size", "crmstudy_s", "baseline_s", "baseline"])
    table["speed-up"] = table["baseline_s"] / table["crmstudy_s"]
    with pd.option_context("display.width", 160, "display.float_format", "{:.5f}".format):
        print(table.to_string(index=False))
    ratio = table.loc[2, "speed-up"]
    print(f"\nJ-N curve speed-up vs per-value t_test loop: {ratio:,.0f}x (target >= 300x)")
    print(f"hierarchical regression time / bare statsmodels with categoricals: "
          f"{t_ours / t_peer_cat:.2f} (crmstudy adds the rank check, Delta R2 and Wald tests, "
          "betas, GVIF)")


if __name__ == "__main__":
    main()
