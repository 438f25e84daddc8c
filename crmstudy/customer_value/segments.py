"""Value × loyalty customer classes (客户价值—忠诚度矩阵) and k-means RFM clusters.

:func:`value_loyalty_segments` puts every customer into one of the four classes of the case
study: high loyalty / high value, high loyalty / low value, low loyalty / high value, low
loyalty / low value, from a value measure (CLV, monetary, index score) and a loyalty measure
(frequency, tenure, P(alive)).  The cut rule is explicit: ``cut="median"`` (default), a
quantile, or fixed thresholds; ``high_if="ge"`` puts a customer exactly on the cut into the
high group (``"gt"``: into the low group).  The recommended strategy of each class is data
(:data:`STRATEGIES`, bilingual), following the IDIC logic of the case (identify,
differentiate, interact, customise).

:func:`kmeans_segments` clusters customers on standardised (log) R, F, M with k-means, choosing
the number of clusters by the silhouette score (seeded; the silhouette is computed on a seeded
sample of at most 5,000 customers to keep it fast).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputDataError, ParameterError
from ..indicators import check_lang

__all__ = ["value_loyalty_segments", "STRATEGIES", "kmeans_segments", "KMeansSegments"]

#: The four classes, their labels and recommended strategies (bilingual text as data).
STRATEGIES = pd.DataFrame([
    {"segment": "HH", "loyalty": "high", "value": "high",
     "name_zh": "高忠诚—高价值", "name_en": "High loyalty, high value",
     "strategy_zh": "核心客户：优先保障供货与服务，专人维护，定制化方案，共同发展长期伙伴关系。",
     "strategy_en": "Core customers: first call on supply and service, key-account managers, "
                    "customised solutions, long-term partnership."},
    {"segment": "HL", "loyalty": "high", "value": "low",
     "name_zh": "高忠诚—低价值", "name_en": "High loyalty, low value",
     "strategy_zh": "培养客户：交叉销售和向上销售，提高采购份额；控制服务成本。",
     "strategy_en": "Develop: cross-sell and up-sell to raise their share of wallet; keep the "
                    "cost to serve under control."},
    {"segment": "LH", "loyalty": "low", "value": "high",
     "name_zh": "低忠诚—高价值", "name_en": "Low loyalty, high value",
     "strategy_zh": "重点争取：了解流失原因，加强互动和个性化服务，提高转换成本，防止流向竞争者。",
     "strategy_en": "Win and keep: learn why they waver, interact more, personalise service, "
                    "raise switching costs before competitors take them."},
    {"segment": "LL", "loyalty": "low", "value": "low",
     "name_zh": "低忠诚—低价值", "name_en": "Low loyalty, low value",
     "strategy_zh": "维持或淘汰：标准化、低成本的服务渠道，不做额外投入。",
     "strategy_en": "Maintain at low cost or let go: standard, low-cost channels, no extra "
                    "investment."},
])


def _cut_value(values: pd.Series, cut, name: str) -> float:
    if isinstance(cut, str):
        if cut == "median":
            return float(values.median())
        if cut == "mean":
            return float(values.mean())
        raise ParameterError(f"unknown cut {cut!r} for {name}",
                             hint='use "median", "mean", a quantile such as ("quantile", 0.8) or a number')
    if isinstance(cut, tuple) and len(cut) == 2 and cut[0] == "quantile":
        return float(values.quantile(cut[1]))
    if isinstance(cut, (int, float)):
        return float(cut)
    raise ParameterError(f"unknown cut {cut!r} for {name}")


def _respect_ties(values: pd.Series, groups: pd.Series, cut: float, high_if: str) -> tuple[float, list]:
    """Move ``cut`` until no tie group has members on both sides (see value_loyalty_segments).

    A group straddling the cut goes wholly to the side that already holds more of its members
    (the smaller move); the cut becomes the group's maximum (group low) or just below its
    minimum (group high).  Repeated because a moved cut can fall inside another group; every
    pass moves at least one whole group, so it ends.
    """
    moved = []
    v = values.to_numpy(dtype=float)
    g = groups.to_numpy()
    labelled = ~pd.isna(g)
    if not labelled.any():
        return cut, moved
    frame = pd.DataFrame({"v": v[labelled], "g": g[labelled]})
    stats = frame.groupby("g", sort=True)["v"].agg(["min", "max", "size"])
    for _ in range(len(stats) + 1):
        high = (stats["min"] > cut) if high_if == "gt" else (stats["min"] >= cut)
        low = (stats["max"] <= cut) if high_if == "gt" else (stats["max"] < cut)
        straddling = stats[~high & ~low]
        if straddling.empty:
            return cut, moved
        name = straddling["size"].idxmax()
        lo, hi = float(stats.at[name, "min"]), float(stats.at[name, "max"])
        members = frame.loc[frame["g"] == name, "v"]
        n_high = int((members > cut).sum() if high_if == "gt" else (members >= cut).sum())
        if n_high * 2 > len(members):            # most are high: the whole group goes high
            below = v[v < lo]
            cut = float(below.max()) if high_if == "gt" and below.size else lo
            if high_if == "gt" and not below.size:
                cut = np.nextafter(lo, -np.inf)
        else:                                    # most are low: the whole group goes low
            cut = hi if high_if == "gt" else float(np.nextafter(hi, np.inf))
        moved.append(name)
    raise ParameterError("the tie groups overlap so that no cut keeps them whole",
                         hint="pass fewer or narrower tie groups (ties=)")


def value_loyalty_segments(table: pd.DataFrame, value: str, loyalty: str, *, cut="median",
                           value_cut=None, loyalty_cut=None, high_if: str = "ge",
                           ties=None, lang: str = "zh") -> pd.DataFrame:
    """Four value × loyalty classes from two columns of ``table``.

    Parameters
    ----------
    table : DataFrame
        One row per customer.
    value, loyalty : str
        Column names of the value measure and the loyalty measure.
    cut : "median" (default), "mean", ("quantile", q) or a number
        Cut rule for both measures; ``value_cut`` / ``loyalty_cut`` override it per measure.
    high_if : {"ge", "gt"}
        ``"ge"``: a customer exactly on the cut is *high*; ``"gt"``: she is *low*.
    ties : None, column name or Series, optional
        Tie convention of the value split.  ``None`` (default): only customers with *equal*
        values are tied, and the ``>=``/``>`` rule never divides them.  A column of ``table``
        (or a Series on its index) labels tie groups: customers with the same non-missing
        label are tied on the value axis even if their values differ slightly (e.g. one-time
        buyers, whose model CLV differs only by the date of their single purchase); missing
        labels are untied.  If the value cut falls inside a group, it moves so that the whole
        group goes to the side that holds most of its members ("move the cut to the nearer
        edge of the tie group"; repeated if it then falls inside another group).  The
        rule-based cut and the final cut are in ``attrs`` (``value_cut_rule``, ``value_cut``),
        the convention in ``attrs["conventions"]["ties"]``.
    lang : {"zh", "en"}

    Returns
    -------
    DataFrame (same index) with ``value``, ``loyalty``, ``high_value``, ``high_loyalty``,
    ``segment`` (HH, HL, LH, LL: loyalty first, value second), ``segment_name`` and
    ``strategy``; the cut values and rule are in ``attrs``.

    Examples
    --------
    >>> t = pd.DataFrame({"clv": [1, 2, 3, 4], "freq": [4, 1, 3, 2]}, index=list("abcd"))
    >>> value_loyalty_segments(t, "clv", "freq", lang="en")["segment"].tolist()
    ['HL', 'LL', 'HH', 'LH']
    """
    check_lang(lang)
    if high_if not in ("ge", "gt"):
        raise ParameterError(f"high_if={high_if!r}", hint='use "ge" (>= cut is high) or "gt" (> cut)')
    for col in (value, loyalty):
        if col not in table.columns:
            raise InputDataError(f"column {col!r} is missing", column=col,
                                 hint=f"use one of {list(table.columns)}")
        if table[col].isna().any():
            raise InputDataError(f"column {col!r} has missing values", column=col,
                                 row=table.index[int(np.flatnonzero(table[col].isna())[0])],
                                 hint="drop or fill the customers without a value")
    v_cut = _cut_value(table[value], value_cut if value_cut is not None else cut, value)
    l_cut = _cut_value(table[loyalty], loyalty_cut if loyalty_cut is not None else cut, loyalty)
    v_rule = v_cut
    tie_groups = []
    if ties is None:
        tie_text = "exact: only equal values are tied; the >=/> rule keeps them on one side"
    else:
        if isinstance(ties, str):
            if ties not in table.columns:
                raise InputDataError(f"ties: column {ties!r} is missing", column=ties,
                                     hint=f"use one of {list(table.columns)} or a Series")
            groups = table[ties]
        else:
            groups = pd.Series(ties)
            if not groups.index.equals(table.index):
                groups = groups.reindex(table.index)
        v_cut, tie_groups = _respect_ties(table[value], groups, v_cut, high_if)
        tie_text = ("groups: customers with the same tie label are never divided; a cut inside "
                    "a group moves to the edge that keeps the group on its majority side")
    above = (lambda s, c: s >= c) if high_if == "ge" else (lambda s, c: s > c)
    hv = above(table[value], v_cut)
    hl = above(table[loyalty], l_cut)
    seg = np.where(hl, "H", "L").astype(object) + np.where(hv, "H", "L").astype(object)
    info = STRATEGIES.set_index("segment")
    out = pd.DataFrame({"value": table[value], "loyalty": table[loyalty], "high_value": hv,
                        "high_loyalty": hl,
                        "segment": pd.Categorical(seg, categories=list(info.index))},
                       index=table.index)
    out["segment_name"] = out["segment"].map(info[f"name_{lang}"]).astype(str)
    out["strategy"] = out["segment"].map(info[f"strategy_{lang}"]).astype(str)
    out.attrs.update(value_measure=value, loyalty_measure=loyalty, value_cut=v_cut,
                     loyalty_cut=l_cut, high_if=high_if,
                     cut_rule=str(cut) if value_cut is None and loyalty_cut is None else "custom",
                     value_cut_rule=v_rule, moved_tie_groups=list(tie_groups),
                     conventions={"cut": str(cut) if value_cut is None and loyalty_cut is None
                                  else "custom", "high_if": high_if, "ties": tie_text})
    return out


@dataclass(frozen=True)
class KMeansSegments:
    """Result of :func:`kmeans_segments`: labels, silhouette per k, centres in original units."""

    labels: pd.Series
    silhouette: pd.Series
    k: int
    centers: pd.DataFrame
    features: tuple
    transform: str
    seed: int

    def summary(self) -> pd.DataFrame:
        return self.centers


def kmeans_segments(table: pd.DataFrame, features=("recency", "frequency", "monetary"), *,
                    k_range=range(2, 9), log=("frequency", "monetary"), seed: int = 2024,
                    sample_size: int = 5000, n_init: int = 4) -> KMeansSegments:
    """k-means clusters of customers on standardised features, k chosen by silhouette.

    ``log`` features are transformed with ``log1p`` before standardising (F and M are very
    skewed).  Clusters are numbered by descending mean monetary value (0 = most valuable),
    so labels are stable across runs.  Uses ``sklearn.cluster.KMeans(n_init=n_init,
    random_state=seed)`` in a single thread (for a few features OpenMP start-up costs more than
    it saves, badly so on shared machines).
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    features = list(features)
    missing = [f for f in features if f not in table.columns]
    if missing:
        raise InputDataError(f"column(s) {missing} missing", hint="compute the RFM table first")
    ks = [int(k) for k in k_range]
    if not ks or min(ks) < 2 or max(ks) >= len(table):
        raise ParameterError(f"k_range {ks} must lie between 2 and the number of customers - 1")
    X = table[features].astype(float).copy()
    for col in log or ():
        X[col] = np.log1p(X[col])
    Z = StandardScaler().fit_transform(X.to_numpy())
    sil, fits = {}, {}
    with threadpool_limits(limits=1):
        for k in ks:
            model = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(Z)
            fits[k] = model
            sil[k] = silhouette_score(Z, model.labels_, sample_size=min(sample_size, len(Z)),
                                      random_state=seed)
    best = max(ks, key=lambda k: (sil[k], -k))
    raw = pd.Series(fits[best].labels_, index=table.index)
    order = table["monetary"].groupby(raw).mean().sort_values(ascending=False).index \
        if "monetary" in table.columns else pd.Index(range(best))
    relabel = {old: new for new, old in enumerate(order)}
    labels = raw.map(relabel).rename("cluster")
    centers = table[features].groupby(labels).mean()
    centers["customers"] = labels.value_counts().sort_index()
    return KMeansSegments(labels=labels, silhouette=pd.Series(sil, name="silhouette").rename_axis("k"),
                          k=best, centers=centers, features=tuple(features),
                          transform=f"log1p({', '.join(log or ())}), then z-scores", seed=seed)
