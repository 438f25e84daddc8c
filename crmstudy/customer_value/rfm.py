"""RFM analysis (最近购买 R、购买频率 F、购买金额 M): values, 1-5 scores, cells and segments.

Conventions (named; recorded in ``attrs`` of every result)
-----------------------------------------------------------
* ``recency``: whole days from the customer's last purchase to the snapshot (0 = bought on the
  snapshot day).  Snapshot default: the last purchase date in the data.
* ``frequency="days"`` (default): distinct purchase days; ``"transactions"``: rows.
* ``monetary="total"`` (default): total spend; ``"mean"``: spend per purchase (per the
  frequency rule).
* Scores 1..``bins`` (default 5), **5 best**; recency is reversed (recent = 5).
* ``ties="consistent"`` (default): tied customers get the same score.  The score is
  ``1 + floor(bins · w / n)`` where ``w`` is the number of customers with a strictly worse
  value: a tie group gets the score of the quantile in which it starts, so the thousands of
  one-time buyers of real data all get F = 1 and the bins are as equal as the ties allow.
* ``ties="equal_count"``: exactly equal bins (sizes differ by at most one); ties are broken
  by a documented chain: for R by frequency then monetary, for F by recency then monetary,
  for M by frequency then recency (better values rank higher), and finally by customer id.
  Equal customers with different ids can then get different scores, deterministically.

Both rules depend only on the set of customers, never on the row order of the input
(shuffling the transactions gives the same table; tested).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..errors import InputDataError, ParameterError
from ..indicators import check_lang
from .engines import derive
from .transactions import _ENGINE_NAMES, _aggregate, _as_timestamp, _date

__all__ = ["rfm", "rfm_scores", "rfm_segments", "segment_rules", "rfm_grid", "TIE_RULES"]

TIE_RULES = ("consistent", "equal_count")
_RULES_FILE = Path(__file__).resolve().parent / "rfm_segments.yaml"


def _strictly_worse(v: np.ndarray) -> np.ndarray:
    """Number of values strictly smaller than each value (``rank(method="min") - 1``)."""
    lo, hi = (v.min(), v.max()) if len(v) else (0, 0)
    if np.all(v == np.round(v)) and hi - lo < 4 * len(v):
        # small integers (days, counts): a histogram instead of a sort
        k = (v - lo).astype(np.int64)
        below = np.concatenate(([0], np.cumsum(np.bincount(k))[:-1]))
        return below[k]
    # one argsort: in sorted order a value's count is the position of its first equal
    # (searchsorted of every value in the sorted values cost 4x as much: cache misses)
    order = np.argsort(v, kind="stable")
    ranked = v[order]
    new = np.empty(len(v), dtype=bool)
    new[:1] = True
    np.not_equal(ranked[1:], ranked[:-1], out=new[1:])
    worse = np.empty(len(v), dtype=np.int64)
    worse[order] = np.maximum.accumulate(np.where(new, np.arange(len(v)), 0))
    return worse


def _consistent_scores(values: np.ndarray, higher_is_better: bool, bins: int) -> np.ndarray:
    v = values if higher_is_better else -values
    worse = _strictly_worse(v)  # customers strictly worse
    return (1 + np.floor(bins * worse / len(v))).astype(np.int64)


def _equal_count_scores(keys: list[np.ndarray], bins: int) -> np.ndarray:
    """Scores by position in the order given by ``keys`` (primary first, all ascending = better)."""
    order = np.lexsort(keys[::-1])
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    return (1 + (bins * position) // len(order)).astype(np.int64)


def rfm_scores(table: pd.DataFrame, bins: int = 5, ties: str = "consistent") -> pd.DataFrame:
    """Add ``R``, ``F``, ``M`` scores and the ``rfm_cell`` code to a recency/frequency/monetary table.

    ``table`` needs columns ``recency`` (smaller is better), ``frequency`` and ``monetary``
    and a unique index of customer ids.  A copy is returned.
    """
    if ties not in TIE_RULES:
        raise ParameterError(f"unknown tie rule {ties!r}", hint=f"use one of {TIE_RULES}")
    if int(bins) != bins or not 2 <= bins <= 9:
        raise ParameterError(f"bins={bins} must be a whole number from 2 to 9",
                             hint="5 is the usual choice (quintiles)")
    for col in ("recency", "frequency", "monetary"):
        if col not in table.columns:
            raise InputDataError(f"column {col!r} is missing", column=col,
                                 hint="compute the table with crmstudy.customer_value.rfm")
    if len(table) == 0:
        raise InputDataError("the RFM table is empty")
    out = table.copy()
    r = table["recency"].to_numpy(dtype=float)
    f = table["frequency"].to_numpy(dtype=float)
    m = table["monetary"].to_numpy(dtype=float)
    if ties == "consistent":
        out["R"] = _consistent_scores(r, False, bins)
        out["F"] = _consistent_scores(f, True, bins)
        out["M"] = _consistent_scores(m, True, bins)
    else:
        ids = pd.factorize(pd.Index(table.index).astype(str), sort=True)[0]
        # ascending = worse first; the final key, -id, gives the smaller id the higher score
        out["R"] = _equal_count_scores([-r, f, m, -ids], bins)
        out["F"] = _equal_count_scores([f, -r, m, -ids], bins)
        out["M"] = _equal_count_scores([m, f, -r, -ids], bins)
    # cell code "RFM" as a categorical of the bins**3 possible codes (no per-row strings)
    levels = np.arange(1, bins + 1)
    cells = [f"{r}{f}{m}" for r in levels for f in levels for m in levels]
    code = ((out["R"].to_numpy() - 1) * bins + out["F"].to_numpy() - 1) * bins + out["M"].to_numpy() - 1
    out["rfm_cell"] = pd.Categorical.from_codes(code, categories=cells)
    out["rfm_score"] = out["R"] + out["F"] + out["M"]
    out.attrs.update(table.attrs)
    out.attrs.update(bins=int(bins), ties=ties, score_direction="5 best; recency reversed")
    return out


def rfm(transactions, customer_col: str | None = None,
        date_col: str | None = None, amount_col: str | None = None, snapshot=None, *,
        frequency: str = "days", monetary: str = "total", bins: int = 5,
        ties: str = "consistent", file=None, memory_limit: str = "1GB", temp_directory=None,
        threads: int | None = None) -> pd.DataFrame:
    """Recency, frequency and monetary value per customer with 1-5 scores (5 best).

    Parameters
    ----------
    transactions : DataFrame, Transactions, path or glob, DuckDB relation or Spark DataFrame
        One row per purchase (not modified), or the result of
        :func:`~crmstudy.customer_value.transactions.prepare_transactions`, or a log on
        another engine: CSV/Parquet files (DuckDB, out of core), a DuckDB relation or a Spark
        DataFrame (see :func:`~crmstudy.customer_value.summary_data`).  The per-customer
        values come from the engine, the scores are computed here: the same table on every
        engine.
    customer_col, date_col, amount_col : str
        Column names (not needed for a ``Transactions``).
    snapshot : date-like, optional
        Analysis date (inclusive).  Default: the last purchase date.  Purchases after it are
        an error.
    frequency : {"days", "transactions"}
        Count distinct purchase days (default) or transactions.
    monetary : {"total", "mean"}
        Total spend (default) or mean spend per purchase.
    bins : int
        Number of score levels (5: quintiles).
    ties : {"consistent", "equal_count"}
        Tie rule, see the module docstring.
    memory_limit, temp_directory, threads
        DuckDB settings for file input (see :func:`~crmstudy.customer_value.summary_data`).

    Returns
    -------
    DataFrame indexed by ``customer_id`` (sorted; integer ids stay integers) with ``recency``
    (days), ``frequency``, ``monetary``, ``first_purchase``, ``last_purchase``, ``R``, ``F``,
    ``M``, ``rfm_cell`` (categorical, e.g. ``"555"``) and ``rfm_score`` (R + F + M).
    Conventions in ``attrs``.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"id": ["a", "a", "b", "c"], "day": ["2024-01-01", "2024-03-01",
    ...                    "2024-02-01", "2024-03-01"], "amount": [10, 20, 5, 50]})
    >>> t = rfm(tx, "id", "day", "amount", bins=3)
    >>> t[["recency", "frequency", "monetary"]].to_numpy().tolist()
    [[0.0, 2.0, 30.0], [29.0, 1.0, 5.0], [0.0, 1.0, 50.0]]
    >>> t["rfm_cell"].tolist()    # a and c tie on recency 0: both R = 1 + floor(3 * 1/3) = 2
    ['232', '111', '213']
    """
    if frequency not in ("days", "transactions"):
        raise ParameterError(f"unknown frequency rule {frequency!r}",
                             hint='use frequency="days" or frequency="transactions"')
    if monetary not in ("total", "mean"):
        raise ParameterError(f"unknown monetary rule {monetary!r}", hint='use monetary="total" or "mean"')
    w = _aggregate(transactions, customer_col, date_col, amount_col, file=file,
                   snapshot=snapshot, engine_options=dict(memory_limit=memory_limit,
                                                          temp_directory=temp_directory,
                                                          threads=threads))
    snap = w.last_day if snapshot is None else int(
        np.datetime64(_as_timestamp(snapshot, "snapshot").date(), "D").astype(np.int64))
    if snap < w.last_day:
        raise InputDataError(f"purchases after the snapshot date {_date(snap)} (the last is on "
                             f"{_date(w.last_day)})", file=w.name,
                             hint="choose a later snapshot or filter the transactions first")
    agg = derive(w.cal, frequency)
    freq_values = agg["occasions"]
    money = agg["total"] if monetary == "total" else agg["total"] / freq_values
    table = pd.DataFrame({
        "recency": (snap - agg["last"]).astype(np.int64),
        "frequency": freq_values.astype(np.int64),
        "monetary": money,
        "first_purchase": agg["first"].astype("datetime64[D]").astype("datetime64[s]"),
        "last_purchase": agg["last"].astype("datetime64[D]").astype("datetime64[s]"),
    }, index=w.index)
    table.attrs.update(snapshot=str(np.datetime64(snap, "D")), recency_unit="days",
                       frequency_rule=frequency, monetary_rule=monetary,
                       engine=_ENGINE_NAMES[w.engine])
    return rfm_scores(table, bins=bins, ties=ties)


def segment_rules(rules=None) -> pd.DataFrame:
    """The segment rule table: the shipped one, a YAML/CSV file, or a DataFrame (validated)."""
    if rules is None:
        rules = _RULES_FILE
    if isinstance(rules, (str, Path)):
        path = Path(rules)
        if not path.is_file():
            raise InputDataError("segment rule file not found", file=path)
        if path.suffix.lower() in (".yaml", ".yml"):
            frame = pd.DataFrame(yaml.safe_load(path.read_text(encoding="utf-8")))
        else:
            frame = pd.read_csv(path, encoding="utf-8")
        source = str(path)
    else:
        frame, source = pd.DataFrame(rules).copy(), None
    need = ["segment", "name_zh", "name_en", "r_min", "r_max", "f_min", "f_max", "m_min", "m_max"]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise InputDataError(f"segment rules lack column(s) {', '.join(missing)}", file=source,
                             hint=f"give the columns {', '.join(need)}")
    for lo, hi in (("r_min", "r_max"), ("f_min", "f_max"), ("m_min", "m_max")):
        bad = frame[lo] > frame[hi]
        if bad.any():
            raise InputDataError(f"{lo} is larger than {hi}", file=source,
                                 row=int(np.flatnonzero(bad)[0]) + 1, column=lo)
    return frame.reset_index(drop=True)


def rfm_segments(table: pd.DataFrame, rules=None, lang: str = "zh") -> pd.DataFrame:
    """Assign each customer the first segment whose R, F, M score ranges contain hers.

    Returns a copy of ``table`` with ``segment`` (key, e.g. ``"champions"``) and
    ``segment_name`` (in ``lang``); customers matching no rule are ``"others"``.
    """
    check_lang(lang)
    rules = segment_rules(rules)
    out = table.copy()
    R, F, M = (table[c].to_numpy() for c in ("R", "F", "M"))
    key = np.full(len(table), "others", dtype=object)
    done = np.zeros(len(table), dtype=bool)
    for rule in rules.itertuples(index=False):  # a handful of rules, vectorised over customers
        hit = (~done & (R >= rule.r_min) & (R <= rule.r_max) & (F >= rule.f_min) & (F <= rule.f_max)
               & (M >= rule.m_min) & (M <= rule.m_max))
        key[hit] = rule.segment
        done |= hit
    names = dict(zip(rules["segment"], rules[f"name_{lang}"]))
    names["others"] = "其他" if lang == "zh" else "Others"
    out["segment"] = pd.Categorical(key, categories=list(rules["segment"]) + ["others"])
    out["segment_name"] = pd.Series(key, index=out.index).map(names)
    return out


def rfm_grid(table: pd.DataFrame, value: str = "monetary", agg: str = "mean") -> pd.DataFrame:
    """R × F matrix of ``agg`` of ``value`` (or of the customer count with ``value="count"``).

    Rows R from 5 (top) to 1, columns F from 1 to 5: the layout of the RFM heat map.
    """
    if value == "count":
        grid = table.groupby(["R", "F"]).size()
    else:
        if value not in table.columns:
            raise ParameterError(f"column {value!r} not in the RFM table")
        grid = table.groupby(["R", "F"])[value].agg(agg)
    bins = int(table.attrs.get("bins", max(table["R"].max(), table["F"].max())))
    levels = list(range(1, bins + 1))
    return grid.unstack("F").reindex(index=levels[::-1], columns=levels)
