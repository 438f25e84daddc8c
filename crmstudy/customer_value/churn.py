"""Churn and retention (客户流失与保持): rates per period, cohort matrices, churn prediction.

Definitions (named; recorded in ``attrs``)
-------------------------------------------
* **Active in a period**: at least one purchase in that calendar period (``freq="M"`` months,
  ``"Q"`` quarters, ``"W"`` weeks).
* **Period retention rate** ``r_t = |active_t ∩ active_{t−1}| / |active_{t−1}|``, churn rate
  ``1 − r_t`` (the textbook "customers lost / customers at the start").
* **Cohort retention**: customers grouped by the period of their first purchase; cell
  ``(cohort, k)`` is the share of the cohort that buys in its ``k``-th period after the first
  (``k = 0`` is 100 %).
* **Churned at a date** (:func:`churn_status`): no purchase in the ``window_days`` days up to
  and including that date (an explicit inactivity window; there is no contract to cancel).

Churn prediction (:func:`churn_features`, :func:`predict_churn`) uses calibration-period
features and a holdout label (no purchase in the holdout period = churned), a stratified
train/test split, and compares a scaled logistic regression, a random forest and (optionally)
the BG/NBD ``1 − P(alive)`` on the same test customers by ROC AUC and top-decile lift.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputDataError, ParameterError
from .transactions import _as_timestamp, validate_transactions

__all__ = ["period_retention", "cohort_retention", "churn_status", "churn_features",
           "predict_churn", "ChurnModels", "top_decile_lift"]

_PERIODS = {"W": "W", "M": "M", "Q": "Q", "Y": "Y"}


def _periods(dates: pd.Series, freq: str) -> pd.PeriodIndex:
    if freq not in _PERIODS:
        raise ParameterError(f"unknown period freq={freq!r}", hint='use "W", "M", "Q" or "Y"')
    return pd.PeriodIndex(dates.dt.to_period(_PERIODS[freq]))


def _active(transactions, customer_col, date_col, amount_col, freq):
    tx = validate_transactions(transactions, customer_col, date_col, amount_col)
    frame = pd.DataFrame({"customer_id": tx["customer_id"].to_numpy(),
                          "period": _periods(tx["date"], freq)})
    return frame.drop_duplicates()


def period_retention(transactions: pd.DataFrame, customer_col: str, date_col: str,
                     amount_col: str, freq: str = "M") -> pd.DataFrame:
    """Active, retained, new and lost customers per period with retention and churn rates.

    Returns one row per period: ``active``, ``retained`` (also active the period before),
    ``new`` (first purchase ever), ``returning`` (active, not the period before, not new),
    ``lost`` (active the period before, not now), ``retention_rate`` and ``churn_rate``
    (NaN for the first period).
    """
    act = _active(transactions, customer_col, date_col, amount_col, freq)
    periods = pd.period_range(act["period"].min(), act["period"].max(), freq=_PERIODS[freq])
    pos = {p: i for i, p in enumerate(periods)}
    idx = act["period"].map(pos).to_numpy()
    cust = pd.factorize(act["customer_id"])[0]
    first = pd.Series(idx).groupby(cust).transform("min").to_numpy()
    ids = cust.astype(np.int64) * len(periods) + idx
    prev = np.isin(ids - 1, ids) & (idx > 0)
    n = len(periods)
    active = np.bincount(idx, minlength=n)
    retained = np.bincount(idx[prev], minlength=n)
    new = np.bincount(idx[first == idx], minlength=n)
    out = pd.DataFrame({"active": active, "retained": retained, "new": new},
                       index=pd.Index(periods.astype(str), name="period"))
    out["returning"] = out["active"] - out["retained"] - out["new"]
    prev_active = np.r_[np.nan, active[:-1]]
    out["lost"] = prev_active - out["retained"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["retention_rate"] = out["retained"] / prev_active
    out["churn_rate"] = 1 - out["retention_rate"]
    out.attrs.update(freq=freq, definition="active = bought in the period; retained = active in "
                     "this and the previous period")
    return out


def cohort_retention(transactions: pd.DataFrame, customer_col: str, date_col: str,
                     amount_col: str, freq: str = "M", cohort_freq: str | None = None,
                     share: bool = True) -> pd.DataFrame:
    """Cohort × periods-since-first-purchase matrix of active customers (shares by default).

    Parameters
    ----------
    freq : {"W", "M", "Q", "Y"}
        Period of activity (columns count these periods since the first purchase).
    cohort_freq : optional
        Period that defines a cohort (default ``freq``).
    share : bool
        Divide by the cohort size (retention rates) or return counts.

    Returns
    -------
    DataFrame: index cohort (first-purchase period), columns ``0, 1, 2, ...``; ``attrs``
    holds ``cohort_size``.
    """
    tx = validate_transactions(transactions, customer_col, date_col, amount_col)
    cohort_freq = cohort_freq or freq
    period = _periods(tx["date"], freq)
    ordinal = pd.Series(period.asi8, index=tx.index)
    cust = tx["customer_id"]
    first_ord = ordinal.groupby(cust.to_numpy()).transform("min")
    first_date = tx["date"].groupby(cust.to_numpy()).transform("min")
    cohort = _periods(first_date, cohort_freq).astype(str)
    frame = pd.DataFrame({"customer": cust.to_numpy(), "cohort": np.asarray(cohort),
                          "k": (ordinal - first_ord).to_numpy()}).drop_duplicates()
    counts = frame.groupby(["cohort", "k"]).size().unstack("k", fill_value=0).sort_index()
    size = frame.drop_duplicates("customer").groupby("cohort").size()
    last = int(ordinal.max())
    # columns up to the longest possible follow-up (earliest cohort to the end of the data)
    counts = counts.reindex(columns=range(last - int(first_ord.min()) + 1), fill_value=0)
    out = counts.div(size, axis=0) if share else counts
    # cells after the end of the data are unknown, not zero
    max_k = last - pd.Series(first_ord.to_numpy()).groupby(np.asarray(cohort)).min()
    mask = np.arange(out.shape[1])[None, :] > max_k.reindex(out.index).to_numpy()[:, None]
    out = out.astype(float).mask(mask)
    out.index.name = "cohort"
    out.columns.name = f"periods_since_first ({freq})"
    out.attrs.update(freq=freq, cohort_freq=cohort_freq, cohort_size=size.to_dict(),
                     share=share)
    return out


def churn_status(transactions: pd.DataFrame, customer_col: str, date_col: str, amount_col: str,
                 at, window_days: int = 180) -> pd.DataFrame:
    """Churned or active at date ``at``: churned = no purchase in the last ``window_days`` days.

    Only customers whose first purchase is on or before ``at`` are included.  Returns
    ``last_purchase``, ``days_since_last`` and ``churned`` (bool) per customer, and the churn
    rate in ``attrs["churn_rate"]``.
    """
    if window_days <= 0:
        raise ParameterError(f"window_days={window_days} must be positive")
    at_ts = _as_timestamp(at, "at")
    tx = validate_transactions(transactions, customer_col, date_col, amount_col)
    tx = tx[tx["date"] <= at_ts]
    if tx.empty:
        raise ParameterError(f"no purchases on or before {at_ts.date()}", hint="choose a later date")
    last = tx.groupby("customer_id")["date"].max()
    days = (at_ts - last).dt.days
    out = pd.DataFrame({"last_purchase": last, "days_since_last": days,
                        "churned": days >= window_days})
    out.attrs.update(at=str(at_ts.date()), window_days=int(window_days),
                     churn_rate=float(out["churned"].mean()))
    return out


def churn_features(transactions: pd.DataFrame, customer_col: str, date_col: str,
                   amount_col: str, calibration_end, observation_end=None) -> pd.DataFrame:
    """Calibration-period features and the holdout churn label, one row per customer.

    Features (calibration period, days): ``recency`` (calibration end − last purchase),
    ``frequency`` (purchase days), ``monetary`` (total spend), ``mean_spend``, ``tenure``
    (calibration end − first purchase), ``mean_gap`` (mean days between purchase days;
    tenure + 1 for one-time buyers, i.e. "longer than observed"), ``spend_trend`` (share of
    spend in the last third of the customer's tenure).  Label ``churned``: no purchase in
    (calibration_end, observation_end].
    """
    from .transactions import _day, _day_numbers

    tx = validate_transactions(transactions, customer_col, date_col, amount_col)
    days = _day_numbers(tx["date"])
    cal = _day(calibration_end, "calibration_end")
    obs = int(days.max()) if observation_end is None else _day(observation_end, "observation_end")
    if not days.min() <= cal < obs:
        raise ParameterError("calibration_end must lie inside the data and before observation_end",
                             hint="choose a calibration end that leaves a holdout period")
    frame = pd.DataFrame({"c": tx["customer_id"].to_numpy(), "d": days,
                          "a": tx["amount"].to_numpy()})
    calf = frame[frame["d"] <= cal]
    g = calf.groupby("c")
    first, last = g["d"].min(), g["d"].max()
    ndays = g["d"].nunique()
    total = g["a"].sum()
    tenure = cal - first
    cut = first + (tenure * 2 / 3)
    late = calf[calf["d"].to_numpy() > cut.reindex(calf["c"]).to_numpy()].groupby("c")["a"].sum()
    feats = pd.DataFrame({
        "recency": (cal - last).astype(float),
        "frequency": ndays.astype(float),
        "monetary": total,
        "mean_spend": total / ndays,
        "tenure": tenure.astype(float),
        "mean_gap": np.where(ndays > 1, (last - first) / (ndays - 1).clip(lower=1), tenure + 1.0),
    })
    feats["spend_trend"] = (late.reindex(feats.index).fillna(0) / total.where(total > 0)).fillna(0)
    hold = frame[(frame["d"] > cal) & (frame["d"] <= obs)]
    bought = feats.index.isin(hold["c"].unique())
    feats["churned"] = ~bought
    feats.index.name = "customer_id"
    feats.attrs.update(calibration_end=str(np.datetime64(cal, "D")),
                       observation_end=str(np.datetime64(obs, "D")), unit="days",
                       label="churned = no purchase in the holdout period")
    return feats


def top_decile_lift(y_true, score) -> float:
    """Churn rate among the 10 % highest scores divided by the overall churn rate."""
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(score, dtype=float)
    k = max(1, int(np.ceil(0.1 * len(y))))
    top = np.lexsort((np.arange(len(s)), -s))[:k]  # ties by position: deterministic
    return float(y[top].mean() / y.mean())


@dataclass(frozen=True)
class ChurnModels:
    """Result of :func:`predict_churn`.

    ``metrics``: one row per model with ``roc_auc`` and ``top_decile_lift`` on the test set;
    ``scores``: test customers with the label and each model's churn probability;
    ``calibration``: per model and probability bin (quantile bins), mean predicted vs observed
    churn; only for scores that are probabilities (within 0-1).
    """

    metrics: pd.DataFrame
    scores: pd.DataFrame
    calibration: pd.DataFrame
    features: tuple
    test_size: float
    seed: int

    def summary(self) -> pd.DataFrame:
        return self.metrics


def predict_churn(features: pd.DataFrame, *, label: str = "churned", extra_scores=None,
                  test_size: float = 0.3, seed: int = 2024, n_bins: int = 10,
                  n_estimators: int = 100) -> ChurnModels:
    """Fit logistic regression (scaled) and a random forest on a train split; evaluate on test.

    Parameters
    ----------
    features : DataFrame
        From :func:`churn_features` (numeric features + boolean ``label``).
    extra_scores : dict of name -> Series, optional
        Scores computed without the label (e.g. ``{"BG/NBD 1 - P(alive)": 1 - p_alive}``),
        indexed by customer; evaluated on the same test customers.
    test_size, seed
        Stratified split (``sklearn.model_selection.train_test_split``) and forest seed.
    """
    from sklearn.calibration import calibration_curve
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if label not in features.columns:
        raise InputDataError(f"label column {label!r} is missing", column=label)
    X = features.drop(columns=[label])
    y = features[label].astype(int).to_numpy()
    if len(np.unique(y)) < 2:
        raise InputDataError("the label has one class only", column=label,
                             hint="choose a holdout period in which some customers buy and some do not")
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y)
    models = {
        "logistic": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        "random_forest": RandomForestClassifier(n_estimators=n_estimators, min_samples_leaf=50,
                                                random_state=seed, n_jobs=1),
    }
    scores = pd.DataFrame({label: y_test}, index=X_test.index)
    for name, model in models.items():
        model.fit(X_train, y_train)
        scores[name] = model.predict_proba(X_test)[:, 1]
    for name, series in (extra_scores or {}).items():
        scores[name] = pd.Series(series).reindex(X_test.index).to_numpy()
        if scores[name].isna().any():
            raise InputDataError(f"score {name!r} is missing for some test customers",
                                 hint="compute it for every customer in the features table")
    rows, calib = [], []
    for name in scores.columns.drop(label):
        rows.append({"model": name, "roc_auc": roc_auc_score(y_test, scores[name]),
                     "top_decile_lift": top_decile_lift(y_test, scores[name])})
        if scores[name].between(0, 1).all():  # a calibration curve needs probabilities
            observed, predicted = calibration_curve(y_test, scores[name], n_bins=n_bins,
                                                    strategy="quantile")
            calib.append(pd.DataFrame({"model": name, "predicted": predicted, "observed": observed}))
    return ChurnModels(metrics=pd.DataFrame(rows).set_index("model"), scores=scores,
                       calibration=pd.concat(calib, ignore_index=True),
                       features=tuple(X.columns), test_size=test_size, seed=seed)
