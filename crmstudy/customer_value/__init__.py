"""Customer value (客户价值): RFM, churn and retention, CLV, segments, the B2B indicator system.

Modules
-------
:mod:`~crmstudy.customer_value.transactions`
    validate a transaction table; :func:`summary_data` (calibration/holdout form, time unit
    carried in ``attrs``).
:mod:`~crmstudy.customer_value.engines`
    the per-customer aggregates on pandas/numpy, DuckDB (CSV/Parquet files, out of core) or
    Spark: ``summary_data`` and ``rfm`` take any of them, one SQL definition for all;
    :func:`read_transactions` reads a log's three columns from files into pandas.
:mod:`~crmstudy.customer_value.rfm`
    :func:`rfm` values and 1-5 scores (documented tie rules), cells, named segments (rules are
    data: ``rfm_segments.yaml``).
:mod:`~crmstudy.customer_value.churn`
    period and cohort retention, churn by inactivity window, churn prediction with
    scikit-learn.
:mod:`~crmstudy.customer_value.clv`
    teaching CLV, retention-based CLV, :class:`BetaGeo` (BG/NBD), :class:`GammaGamma`,
    :func:`customer_lifetime_value`, holdout and tracking checks.  The models are our own
    closed-form scipy likelihoods, not ``lifetimes`` (archived, breaks on current setuptools)
    nor ``pymc-marketing`` (a PyMC/PyTensor stack for a 4-parameter MLE): see the docstring of
    :mod:`crmstudy.customer_value.clv` for the reasoning and the tests that show equivalence.
:mod:`~crmstudy.customer_value.btyd`
    more buy-till-you-die models on the same summary: :class:`ParetoNBD`,
    :class:`ModifiedBetaGeo` (MBG/NBD), and :func:`compare_models` (holdout comparison).
:mod:`~crmstudy.customer_value.contractual`
    :class:`ShiftedBetaGeometric` (sBG): contractual retention from cohort survivor counts,
    projections, DEL/DERL and CLV.
:mod:`~crmstudy.customer_value.discrete`
    :class:`BetaGeoBetaBinom` (BG/BB): repeat transactions at discrete occasions.
:mod:`~crmstudy.customer_value.segments`
    value × loyalty classes with strategies, k-means RFM clusters.
:mod:`~crmstudy.customer_value.system`
    the B2B customer-value indicator system scored with AHP / entropy / combined weights.
:mod:`~crmstudy.customer_value.vector`
    the 3-D customer-value vector (magnitude, direction angles).

Examples
--------
>>> from crmstudy import datasets
>>> from crmstudy.customer_value import summary_data, BetaGeo, GammaGamma, customer_lifetime_value
>>> tx = datasets.load("cdnow_sample")
>>> s = summary_data(tx, "customer_id", "date", "dollar_value", calibration_end="1997-09-30")
>>> bg, gg = BetaGeo().fit(s), GammaGamma().fit(s)
>>> clv = customer_lifetime_value(bg, gg, s, months=12, discount_rate=0.01)
"""
from .btyd import ModelComparison, ModifiedBetaGeo, ParetoNBD, compare_models
from .churn import (ChurnModels, churn_features, churn_status, cohort_retention, period_retention,
                    predict_churn, top_decile_lift)
from .clv import (DAYS_PER_MONTH, BetaGeo, CustomerLifetimeValue, GammaGamma,
                  customer_lifetime_value, holdout_check, retention_clv, simple_clv, tracking_data)
from .contractual import ShiftedBetaGeometric
from .discrete import BetaGeoBetaBinom
from .engines import read_transactions
from .rfm import rfm, rfm_grid, rfm_scores, rfm_segments, segment_rules
from .segments import STRATEGIES, KMeansSegments, kmeans_segments, value_loyalty_segments
from .transactions import (TIME_UNITS, Transactions, days_per_unit, prepare_transactions,
                           summary_data, validate_transactions)
from .vector import value_vector

__all__ = [
    "validate_transactions", "prepare_transactions", "Transactions", "summary_data", "TIME_UNITS",
    "days_per_unit", "read_transactions",
    "rfm", "rfm_scores", "rfm_segments", "segment_rules", "rfm_grid",
    "period_retention", "cohort_retention", "churn_status", "churn_features", "predict_churn",
    "ChurnModels", "top_decile_lift",
    "simple_clv", "retention_clv", "BetaGeo", "GammaGamma", "customer_lifetime_value",
    "CustomerLifetimeValue", "holdout_check", "tracking_data", "DAYS_PER_MONTH",
    "ParetoNBD", "ModifiedBetaGeo", "compare_models", "ModelComparison", "ShiftedBetaGeometric",
    "BetaGeoBetaBinom",
    "value_loyalty_segments", "STRATEGIES", "kmeans_segments", "KMeansSegments",
    "value_vector",
]
