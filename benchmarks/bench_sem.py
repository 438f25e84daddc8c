"""Benchmark of crmstudy.sem against semopy 2.3.11 (not run in CI).

    /work/venv/bin/python benchmarks/bench_sem.py [--repeat 5] [--boot 100] [--vector-only]

1. One ML fit of the lavaan tutorial's PoliticalDemocracy model (75 × 11, correlated
   residuals) and of the three-factor HolzingerSwineford1939 CFA (301 × 9):
   ``crmstudy.sem.sem`` (fit, SEs, std.all, all fit indices, R²) against ``semopy.Model.fit``
   (``obj="MLW"``) followed by ``semopy.calc_stats`` and ``inspect(std_est=True)``, the
   nearest peer equivalent.  The χ² of both is printed to show they fit the same model.
2. The bootstrap of the indirect effect (``SEMResult.bootstrap``, 100 resamples, warm-started
   refits) against 100 semopy refits on resampled data (the peer's way; ~3 s per refit).
3. The vectorised bootstrap (``SEMResult.bootstrap``: batched Fisher scoring over all
   resamples) against the former loop of one refit per resample (``_bootstrap_loop``) on the
   same resamples (same seed), ``--boot`` resamples, for the PoliticalDemocracy tutorial model
   (75 cases, slow linear convergence) and a three-factor mediation SEM on HS1939 (301 cases);
   and chapter 06's latent mechanism model on the sample study (283 firms, 24 indicators);
   the largest absolute difference between the draws of resamples both converged is printed.

Prints best-of-``--repeat`` wall times and ratios, all measured in one process.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _env import describe, timed  # noqa: E402

from crmstudy.sem import sem  # noqa: E402

REF = Path(__file__).resolve().parents[1] / "tests" / "reference" / "sem"
PD_MODEL = """
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
"""
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
HS_MED = HS_MODEL + "\ntextual ~ a*visual\nspeed ~ b*textual + visual\nab := a*b\n"


def semopy_fit(model, data):
    import semopy
    m = semopy.Model(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(data, obj="MLW")
        stats = semopy.calc_stats(m)
        m.inspect(std_est=True)
    return float(stats["chi2"].iloc[0])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--boot", type=int, default=100)
    parser.add_argument("--vector-only", action="store_true",
                        help="only part 3 (vectorised vs loop bootstrap), no semopy")
    args = parser.parse_args()
    pdd = pd.read_csv(REF / "PoliticalDemocracy.csv")
    hs = pd.read_csv(REF / "HolzingerSwineford1939.csv")
    describe("crmstudy.sem vs semopy", peers=("semopy",),
             shape="PoliticalDemocracy 75x11, HolzingerSwineford1939 301x9, ch06 sample study "
                   f"(bootstrap {args.boot} resamples)")
    rows = []
    for name, model, data in () if args.vector_only else (("PoliticalDemocracy SEM", PD_MODEL, pdd), ("HS1939 CFA", HS_MODEL, hs)):
        t_ours, res = timed(lambda: sem(model, data), args.repeat)
        t_peer, chi_peer = timed(lambda: semopy_fit(model, data), args.repeat)
        rows.append((name, t_ours, t_peer, res.fit["chisq"], chi_peer))
    if args.vector_only:
        return vector_vs_loop(args, pdd, hs)
    res = sem(PD_MODEL.replace("dem60 ~ ind60", "dem60 ~ a*ind60")
              .replace("ind60 + dem60", "ind60 + b*dem60") + "ab := a*b", pdd)
    t_boot, _ = timed(lambda: res.bootstrap(n_boot=args.boot, seed=1), 1)
    rng = np.random.default_rng(1)

    def peer_boot():
        for _ in range(args.boot):
            semopy_fit(PD_MODEL, pdd.iloc[rng.integers(0, len(pdd), len(pdd))])

    t_peer_boot, _ = timed(peer_boot, 1)
    print(f"{'task':32s} {'crmstudy s':>11s} {'semopy s':>10s} {'ratio':>7s}   chi2 ours / semopy")
    for name, a, b, c1, c2 in rows:
        print(f"{name:32s} {a:11.4f} {b:10.4f} {b / a:7.1f}   {c1:.4f} / {c2:.4f}")
    print(f"{'bootstrap ' + str(args.boot) + ' resamples (PD)':32s} {t_boot:11.3f} {t_peer_boot:10.3f} "
          f"{t_peer_boot / t_boot:7.1f}")
    vector_vs_loop(args, pdd, hs)


def chapter06_sem():
    """The sample study's latent mechanism model, as chapter 06 builds it (its defaults)."""
    from crmstudy.mechanism import mechanism_sem
    from crmstudy.study_model import build_frame, parse_model
    model = {"id": "firm_id", "composites": {"capability": ["A1", "A2", "A3"]}, "x": "capability",
             "y": ["financial", "customer", "innovation"], "w": ["ED"], "m": ["CP"],
             "controls": ["log(firm_size)", "firm_age", "ownership", "industry"]}
    frame = build_frame(dict(survey="crm_survey", codebook="crm_codebook",
                             financials="crm_financials", model=model,
                             attention_item="attention_check", attention_answer=2,
                             drop_careless=True, balance="average", composite_method="entropy"),
                        parse_model(model))
    spec = mechanism_sem(frame)
    return spec.syntax, spec.data


def vector_vs_loop(args, pdd, hs):
    print(f"\n{'vectorised vs loop bootstrap':32s} {'vector s':>11s} {'loop s':>10s} {'ratio':>7s}   max |draw diff|")
    for name, model, data in (("PD tutorial (75 x 11)", PD_MODEL.replace("dem60 ~ ind60", "dem60 ~ a*ind60")
                               .replace("ind60 + dem60", "ind60 + b*dem60") + "ab := a*b", pdd),
                              ("HS1939 mediation (301 x 9)", HS_MED, hs),
                              ("chapter 06 mechanism SEM", None, None)):
        if model is None:
            model, data = chapter06_sem()
            name = f"ch06 SEM ({len(data)} x {len(data.columns)})"
        fit = sem(model, data)
        t_vec, fast = timed(lambda: fit.bootstrap(n_boot=args.boot, seed=1), args.repeat)
        t_loop, slow = timed(lambda: fit._bootstrap_loop(n_boot=args.boot, seed=1), 1)
        both = fast.attrs["draws"].index.intersection(slow.attrs["draws"].index)
        diff = np.nanmax(np.abs(fast.attrs["draws"].loc[both].to_numpy() -
                                slow.attrs["draws"].loc[both].to_numpy()))
        print(f"{name + ', ' + str(args.boot):32s} {t_vec:11.3f} {t_loop:10.3f} {t_loop / t_vec:7.1f}   "
              f"{diff:.1e} (converged: vectorised {fast.attrs['converged']}, loop {slow.attrs['converged']})")


if __name__ == "__main__":
    main()
