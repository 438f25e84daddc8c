"""The B2B customer-value indicator system (客户价值评价指标体系) scored with weights.

The case's firm ranked customers by annual order value alone.  The indicator system
(:func:`crmstudy.indicators.customer_value_system`: value contribution C1, loyalty C2,
development potential C3, company strength C4; 18 leaves with benefit/cost directions) is
weighted with the weighting chapter's methods (never re-implemented here):

* subjective: AHP over the hierarchy, :func:`crmstudy.ahp.hierarchy_weights` (eigenvector
  priorities, AIJ aggregation of experts, Saaty's RI);
* objective: :func:`crmstudy.entropy.entropy_weights` (min-max standardisation with the
  directions);
* combined: :func:`crmstudy.weighting.combine` (``method="linear"``, ``alpha=0.5`` by default);

and each customer's value index is the weighted synthesis of
:func:`crmstudy.evaluation.capability_index` with ``scaling="minmax"`` (indicators are in
different units, so each is mapped to 0-100 over the customers, cost indicators reversed).
The four value × loyalty classes use the value index and the loyalty dimension index C2
(:func:`~crmstudy.customer_value.segments.value_loyalty_segments`, median cut, ``>=`` is high).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputDataError, ParameterError
from ..indicators import check_lang, customer_value_system
from .segments import value_loyalty_segments

__all__ = ["customer_value_weights", "customer_value_index", "CustomerValueIndex",
           "compare_rankings"]


def customer_value_weights(customers: pd.DataFrame, judgments, *, system=None,
                           combination: str = "linear", alpha: float = 0.5,
                           ahp_method: str = "eigen"):
    """AHP, entropy and combined weights of the customer-value system's leaves.

    Parameters
    ----------
    customers : DataFrame
        One row per customer, a column per leaf (C11..C43).
    judgments : DataFrame or mapping
        AHP judgments for :func:`crmstudy.ahp.hierarchy_weights` (long table
        ``expert, parent, a, b, value`` or a mapping criterion -> matrix).
    combination, alpha
        Passed to :func:`crmstudy.weighting.combine`.

    Returns
    -------
    dict with ``"ahp"`` (HierarchyResult), ``"entropy"`` (EntropyResult), ``"combined"``
    (CombinedWeights) and ``"table"`` (one row per leaf: the three weight vectors).
    """
    from .. import ahp, entropy, weighting

    system = system or customer_value_system()
    leaves = system.leaves()
    missing = [c for c in leaves if c not in customers.columns]
    if missing:
        raise InputDataError(f"indicator column(s) {', '.join(missing)} missing", column=missing[0],
                             hint=f"the customer table needs columns {', '.join(leaves)}")
    subjective = ahp.hierarchy_weights(judgments, system=system, method=ahp_method)
    objective = entropy.entropy_weights(customers[leaves], system.directions())
    combined = weighting.combine(subjective.weights, objective.weights, method=combination,
                                 alpha=alpha)
    table = pd.DataFrame({"dimension": system.leaf_dimensions(),
                          "direction": pd.Series(system.directions()),
                          "ahp": subjective.weights.reindex(leaves),
                          "entropy": objective.weights.reindex(leaves),
                          "combined": combined.weights.reindex(leaves)})
    return {"ahp": subjective, "entropy": objective, "combined": combined, "table": table}


@dataclass(frozen=True)
class CustomerValueIndex:
    """Customer value index of every customer.

    ``table``: one row per customer with the dimension indices (C1..C4), the overall
    ``index`` (0-100), its ``rank`` (1 = most valuable), ``value_class`` (HH/HL/LH/LL,
    loyalty first) and its label and strategy; ``weights``: the leaf weights used.
    """

    table: pd.DataFrame
    weights: pd.Series
    weighting: str
    scaling: str
    segments: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        return self.table.describe().T


def customer_value_index(customers: pd.DataFrame, weights, *, system=None, id_col: str | None = None,
                         scaling: str = "minmax", weighting: str = "combined",
                         lang: str = "zh") -> CustomerValueIndex:
    """Weighted synthesis of the indicators into a value index, dimension indices and classes.

    Parameters
    ----------
    customers : DataFrame
        A column per leaf; ``id_col`` (optional) names the customer id column.
    weights : Series or result with ``.weights``
        Global leaf weights summing to 1.
    scaling : {"minmax", "raw"}
        Passed to :func:`crmstudy.evaluation.capability_index` (default min-max to 0-100).
    weighting : str
        Name of the weighting used, recorded in the result.
    """
    from ..evaluation import capability_index

    check_lang(lang)
    system = system or customer_value_system()
    data = customers.set_index(id_col) if id_col else customers
    if id_col and data.index.has_duplicates:
        dup = data.index[data.index.duplicated()][0]
        raise InputDataError(f"customer id {dup!r} appears twice", column=id_col,
                             hint="give every customer one row")
    if scaling not in ("minmax", "raw"):
        raise ParameterError(f"scaling={scaling!r}", hint='use "minmax" (indicators in different units) or "raw"')
    res = capability_index(data, weights, system=system, scaling=scaling, lang=lang)
    table = res.scores.rename(columns={system.root: "index"}).copy()
    table["rank"] = res.rank.astype(int)
    seg = value_loyalty_segments(table, value="index", loyalty="C2", lang=lang)
    table["value_class"] = seg["segment"]
    table["class_name"] = seg["segment_name"]
    table["strategy"] = seg["strategy"]
    return CustomerValueIndex(table=table, weights=res.weights, weighting=weighting,
                              scaling=scaling, segments=seg)


def compare_rankings(index: pd.Series, order_value: pd.Series, top: int = 10,
                     truth: pd.Series | None = None) -> pd.DataFrame:
    """Ranking by the value index vs by annual order value (the case's original practice).

    Returns one row per ranking with the Spearman correlation to the other ranking (and to
    ``truth`` if given, e.g. the simulated true value), and how many of its top ``top``
    customers are also in the other's top ``top``.
    """
    idx = pd.Series(index)
    ov = pd.Series(order_value).reindex(idx.index)
    if ov.isna().any():
        raise InputDataError("order value missing for some customers",
                             row=ov.index[int(np.flatnonzero(ov.isna())[0])])
    top_i = set(idx.sort_values(ascending=False, kind="stable").index[:top])
    top_o = set(ov.sort_values(ascending=False, kind="stable").index[:top])
    rows = []
    for name, s, other_top in (("value index", idx, top_o), ("annual order value", ov, top_i)):
        own_top = set(s.sort_values(ascending=False, kind="stable").index[:top])
        row = {"ranking": name, "spearman_with_other": idx.corr(ov, method="spearman"),
               f"top{top}_overlap": len(own_top & other_top)}
        if truth is not None:
            t = pd.Series(truth).reindex(idx.index)
            row["spearman_with_truth"] = s.corr(t, method="spearman")
            true_top = set(t.sort_values(ascending=False, kind="stable").index[:top])
            row[f"top{top}_true_hits"] = len(own_top & true_top)
        rows.append(row)
    return pd.DataFrame(rows).set_index("ranking")
