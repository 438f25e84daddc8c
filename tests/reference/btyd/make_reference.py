"""Reference values for tests/test_customer_value_btyd.py from the peer library ``lifetimes``.

Run once, in a throwaway environment (lifetimes is archived and needs old numpy/pandas):

    python3 -m venv /tmp/btyd_ltvenv
    /tmp/btyd_ltvenv/bin/pip install "setuptools<70" "numpy<2" "pandas<2.2" "scipy<1.13" lifetimes==0.11.3
    /tmp/btyd_ltvenv/bin/python tests/reference/btyd/make_reference.py

Inputs are the tables the customer-value references already use, so both libraries see the same
numbers: Hardie's CDNOW 1-in-10 summary (``../customer_value/lifetimes_cdnow_sample.csv``:
frequency, recency, T in weeks, 39-week calibration) and lifetimes' summary of the full CDNOW
master file (``../customer_value/lifetimes_master_summary.csv.gz``, days, converted to weeks),
and the donations table of Fader, Hardie & Shang (2010) shipped with lifetimes.

It writes, next to this script:

* ``lifetimes_cdnow_sample_btyd.csv``: per customer, the lifetimes Pareto/NBD and MBG/NBD
  P(alive) and expected purchases in the next 39 weeks, at lifetimes' own estimates;
* ``lifetimes_donations_bgbb.csv``: per pattern, the lifetimes BG/BB P(alive in the next
  occasion) and expected transactions in the next 5 occasions;
* ``lifetimes_btyd_reference.json``: lifetimes' estimates (Pareto/NBD and MBG/NBD on the sample,
  Pareto/NBD on the master file in weeks, BG/BB on the donations), unconditional expectations,
  the BG/BB frequency distribution over 6 occasions, versions, and the published values.

crmstudy never imports lifetimes; the tests read these files only.
"""
import json
import sys
from pathlib import Path

import lifetimes
import numpy as np
import pandas as pd
import scipy
from lifetimes import BetaGeoBetaBinomFitter, ModifiedBetaGeoFitter, ParetoNBDFitter
from lifetimes.datasets import load_donations

HERE = Path(__file__).resolve().parent
CV = HERE.parent / "customer_value"

sample = pd.read_csv(CV / "lifetimes_cdnow_sample.csv")[["ID", "frequency", "recency", "T"]]
f, r, T = sample["frequency"], sample["recency"], sample["T"]
pnbd = ParetoNBDFitter().fit(f, r, T)
mbg = ModifiedBetaGeoFitter().fit(f, r, T)
out = sample.copy()
out["pnbd_p_alive"] = pnbd.conditional_probability_alive(f, r, T)
out["pnbd_expected_39"] = pnbd.conditional_expected_number_of_purchases_up_to_time(39, f, r, T)
out["mbg_p_alive"] = mbg.conditional_probability_alive(f, r, T)
out["mbg_expected_39"] = mbg.conditional_expected_number_of_purchases_up_to_time(39, f, r, T)
out.to_csv(HERE / "lifetimes_cdnow_sample_btyd.csv", index=False, float_format="%.10g")

master = pd.read_csv(CV / "lifetimes_master_summary.csv.gz", index_col=0)
weeks = master / 7.0
weeks["frequency"] = master["frequency"]
pnbd_master = ParetoNBDFitter().fit(weeks["frequency"], weeks["recency"], weeks["T"])

don = load_donations()
bgbb = BetaGeoBetaBinomFitter().fit(don["frequency"], don["recency"], don["periods"], weights=don["weights"])
dout = don.rename(columns={"periods": "n_periods", "weights": "weight"})
dout["p_alive_next"] = bgbb.conditional_probability_alive(1, don["frequency"], don["recency"], don["periods"])
dout["expected_5"] = bgbb.conditional_expected_number_of_purchases_up_to_time(
    5, don["frequency"], don["recency"], don["periods"])
dout.to_csv(HERE / "lifetimes_donations_bgbb.csv", index=False, float_format="%.10g")
dist = bgbb.expected_number_of_transactions_in_first_n_periods(6)

ts = [1.0, 10.0, 39.0, 78.0]
ref = {
    "versions": {"lifetimes": lifetimes.__version__, "numpy": np.__version__, "pandas": pd.__version__,
                 "scipy": scipy.__version__, "python": sys.version.split()[0]},
    "pnbd_cdnow_sample": {k: float(v) for k, v in pnbd.params_.items()},
    "mbg_cdnow_sample": {k: float(v) for k, v in mbg.params_.items()},
    "pnbd_cdnow_master_weeks": {k: float(v) for k, v in pnbd_master.params_.items()},
    "bgbb_donations": {k: float(v) for k, v in bgbb.params_.items()},
    "pnbd_expected_purchases": dict(zip(map(str, ts), map(float, pnbd.expected_number_of_purchases_up_to_time(np.array(ts))))),
    "mbg_expected_purchases": dict(zip(map(str, ts), map(float, mbg.expected_number_of_purchases_up_to_time(np.array(ts))))),
    "bgbb_frequency_distribution_6": [float(v) for v in np.asarray(dist).ravel()],
    "published": {
        "pnbd": {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67, "log_likelihood": -9595.0,
                 "source": "Fader & Hardie (2005), A note on deriving the Pareto/NBD model, CDNOW sample"},
        "bgbb": {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783, "log_likelihood": -33225.6,
                 "source": "Fader, Hardie & Shang (2010), Marketing Science 29(6)"},
        "sbg": {"high_end": {"alpha": 0.668, "beta": 3.806, "log_likelihood": -1611.2},
                "regular": {"alpha": 0.704, "beta": 1.182, "log_likelihood": -1680.3},
                "source": "Fader & Hardie (2007), J. Interactive Marketing 21(1), years 0-7"},
    },
}
(HERE / "lifetimes_btyd_reference.json").write_text(json.dumps(ref, indent=2) + "\n")
print(json.dumps(ref, indent=2))
