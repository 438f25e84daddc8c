"""Reference values for the customer-value tests, from the peer library ``lifetimes``.

Run once, in a throwaway environment (lifetimes is archived and needs old numpy/pandas):

    python3 -m venv /tmp/ltvenv
    /tmp/ltvenv/bin/pip install "setuptools<70" "numpy<2" "pandas<2.2" "scipy<1.13" lifetimes==0.11.3
    /tmp/ltvenv/bin/python tests/reference/customer_value/make_reference.py

It writes, next to this script:

* ``lifetimes_cdnow_sample.csv``: Hardie's published CDNOW 1-in-10 summary (x, t_x, T in weeks,
  39-week calibration; shipped with lifetimes as ``cdnow_customers_summary*.csv``) with the
  per-customer predictions of the lifetimes fit: P(alive), expected purchases in the next 39
  and 52 weeks, expected spend per purchase, 12-month CLV (monthly discount 0.01, freq "W",
  i.e. 4.345 weeks per month);
* ``lifetimes_master_summary.csv.gz``: lifetimes' own summary of the full CDNOW master file
  (``summary_data_from_transaction_data``, freq "D", observation end 1998-06-30), in days;
* ``lifetimes_reference.json``: fitted parameters and log-likelihoods, versions.

crmstudy never imports lifetimes; the tests read these files only.
"""
import json
import sys
from pathlib import Path

import lifetimes
import numpy as np
import pandas as pd
import scipy
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[2] / "data" / "cdnow"
DATASETS = Path(lifetimes.__file__).parent / "datasets"

# Hardie's summary: x, t_x, T (rounded to 2 decimals by Hardie) and mean repeat spend zbar
summary = pd.read_csv(DATASETS / "cdnow_customers_summary.csv")
spend = pd.read_csv(DATASETS / "cdnow_customers_summary_with_transactions.csv")
summary = summary.merge(spend[["ID", "zbar"]], on="ID").rename(columns={"zbar": "monetary_value"})

bg = BetaGeoFitter(penalizer_coef=0.0).fit(summary["frequency"], summary["recency"], summary["T"])
repeat = summary[summary["frequency"] > 0]
gg = GammaGammaFitter(penalizer_coef=0.0).fit(repeat["frequency"], repeat["monetary_value"])

out = summary.copy()
out["p_alive"] = bg.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])
for t in (39, 52):
    out[f"expected_purchases_{t}"] = bg.conditional_expected_number_of_purchases_up_to_time(
        t, summary["frequency"], summary["recency"], summary["T"])
out["expected_spend"] = gg.conditional_expected_average_profit(summary["frequency"],
                                                               summary["monetary_value"])
out["clv_12m"] = gg.customer_lifetime_value(bg, summary["frequency"], summary["recency"],
                                            summary["T"], summary["monetary_value"], time=12,
                                            discount_rate=0.01, freq="W")
out.to_csv(HERE / "lifetimes_cdnow_sample.csv", index=False, float_format="%.10g")

master = pd.read_csv(DATA / "CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": str})
master["date"] = pd.to_datetime(master["date"].astype(str), format="%Y%m%d")
msum = summary_data_from_transaction_data(master, "customer_id", "date",
                                          observation_period_end="1998-06-30", freq="D")
msum.to_csv(HERE / "lifetimes_master_summary.csv.gz", float_format="%.10g")
weeks = msum / 7.0
weeks["frequency"] = msum["frequency"]
bg_master = BetaGeoFitter().fit(weeks["frequency"], weeks["recency"], weeks["T"])

ref = {
    "versions": {"lifetimes": lifetimes.__version__, "numpy": np.__version__,
                 "pandas": pd.__version__, "scipy": scipy.__version__, "python": sys.version.split()[0]},
    "bgnbd_cdnow_sample": {k: float(v) for k, v in bg.params_.items()},
    "gamma_gamma_cdnow_sample": {k: float(v) for k, v in gg.params_.items()},
    "bgnbd_cdnow_master_full_weeks": {k: float(v) for k, v in bg_master.params_.items()},
    "published": {
        "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "log_likelihood": -9582.4,
                  "source": "Fader, Hardie & Lee (2005), Marketing Science 24(2), p. 279"},
        "gamma_gamma": {"p": 6.25, "q": 3.74, "v": 15.44,
                        "source": "Fader, Hardie & Lee (2005), JMR 42(4); Fader & Hardie (2013) note"},
    },
}
(HERE / "lifetimes_reference.json").write_text(json.dumps(ref, indent=2) + "\n")
print(json.dumps(ref, indent=2))
