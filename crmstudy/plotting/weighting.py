"""Figures of chapter 03: weights, consistency, grades and the stability of ranks."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..indicators import check_lang
from . import PALETTE, new_axes

__all__ = ["weights_bar", "consistency_plot", "rank_stability_plot", "sensitivity_plot",
           "index_distribution"]

# Figure texts: catalogue section ``weighting``, keys ``fig_<name>``.
_TEXT = frozenset({"weight", "weights_title", "method", "cr", "cr_title", "threshold", "expert",
                   "criterion", "rank", "firm", "stab_title", "base", "median", "change",
                   "rank_changes", "sens_title", "index", "firms", "index_title", "subjective",
                   "objective", "combined"})


def _label(key: str, lang: str) -> str:
    from ..labels import label

    return label(f"fig_{key}", lang, "weighting") if key in _TEXT else key


def _legend_outside(ax, **kwargs):
    """Legend to the right of the axes, outside the plotted data (constrained layout makes
    room for it), so it can never cover a bar or a point."""
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **kwargs)


def weights_bar(weights: pd.Series | pd.DataFrame, system=None, lang: str = "zh", ax=None,
                with_code: bool = True):
    """Grouped horizontal bars of one or several weight vectors.

    Parameters
    ----------
    weights : Series or DataFrame
        Index = indicator codes; a DataFrame's columns are the methods compared (e.g. the
        ``table`` of :func:`crmstudy.weighting.combine` with columns subjective, objective,
        combined; the column names ``subjective/objective/combined`` are translated).
    system : IndicatorSystem, optional
        Gives the indicator names in ``lang``.
    """
    import seaborn as sns

    check_lang(lang)
    frame = weights.to_frame() if isinstance(weights, pd.Series) else weights.copy()
    if "indicator" in frame.columns:
        frame = frame.set_index("indicator")
    frame = frame.select_dtypes("number").drop(columns=["rank"], errors="ignore")
    names = system.labels(lang, with_code=with_code) if system is not None else {}
    long = (frame.rename_axis("code").reset_index()
            .melt(id_vars="code", var_name="method", value_name="weight"))
    long["indicator"] = long["code"].map(lambda c: names.get(c, c))
    long["method"] = long["method"].map(lambda m: _label(m, lang) if m in _TEXT else str(m))
    fig, ax = new_axes(ax, figsize=(8, max(3.5, 0.33 * len(frame) * max(1, frame.shape[1] / 2) + 1)))
    sns.barplot(data=long, y="indicator", x="weight", hue="method", palette=PALETTE, ax=ax,
                orient="h")
    ax.set_xlabel(_label("weight", lang))
    ax.set_ylabel("")
    ax.set_title(_label("weights_title", lang))
    if frame.shape[1] == 1:
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
    else:
        _legend_outside(ax, title=_label("method", lang))
    return fig


def consistency_plot(consistency: pd.DataFrame, threshold: float = 0.10, lang: str = "zh", ax=None):
    """CR of every expert's matrix per criterion (e.g. ``HierarchyResult.consistency``), with
    the threshold line; the aggregated (``"group"``) rows are drawn too."""
    import seaborn as sns

    check_lang(lang)
    need = {"parent", "expert", "cr"}
    if not need <= set(consistency.columns):
        raise ParameterError(f"consistency table needs columns {sorted(need)}")
    fig, ax = new_axes(ax, figsize=(8, 4))
    sns.barplot(data=consistency, x="expert", y="cr", hue="parent", palette=PALETTE, ax=ax)
    # the threshold is labelled in the legend (outside the axes), never over a bar or clipped
    ax.axhline(threshold, color="crimson", ls="--", lw=1.2,
               label=f"{_label('threshold', lang)} {threshold:g}")
    ax.set_ylim(0, max(ax.get_ylim()[1], threshold * 1.2))
    ax.set_xlabel(_label("expert", lang))
    ax.set_ylabel(_label("cr", lang))
    ax.set_title(_label("cr_title", lang))
    _legend_outside(ax, title=_label("criterion", lang))
    return fig


def rank_stability_plot(stability: pd.DataFrame, lang: str = "zh", top: int | None = 30, ax=None):
    """Rank intervals of alternatives under weight perturbation.

    ``stability`` is the table of :func:`crmstudy.evaluation.rank_stability` (``base_rank,
    median, q05, q95``); the ``top`` best-ranked alternatives are shown (all if None).
    """
    check_lang(lang)
    s = stability.sort_values("base_rank", kind="stable")
    if top is not None:
        s = s.head(top)
    fig, ax = new_axes(ax, figsize=(8, max(4, 0.25 * len(s) + 1)))
    y = np.arange(len(s))
    ax.hlines(y, s["q05"], s["q95"], color="0.55", lw=3, label="5%-95%")
    ax.scatter(s["median"], y, color="C0", zorder=3, s=22, label=_label("median", lang))
    ax.scatter(s["base_rank"], y, color="crimson", marker="|", s=120, zorder=4,
               label=_label("base", lang))
    ax.set_yticks(y, [str(i) for i in s.index])
    ax.invert_yaxis()
    ax.set_xlabel(_label("rank", lang))
    ax.set_ylabel(_label("firm", lang))
    ax.set_title(_label("stab_title", lang))
    _legend_outside(ax, fontsize=8)
    return fig


def sensitivity_plot(sensitivity: pd.DataFrame, system=None, lang: str = "zh", ax=None):
    """Heat map of :func:`crmstudy.evaluation.weight_sensitivity`: firms whose rank changes,
    by indicator (rows) and weight change (columns)."""
    import seaborn as sns

    check_lang(lang)
    table = sensitivity.pivot(index="indicator", columns="change", values="rank_changes")
    if system is not None:
        table.index = [system.label(c, lang, with_code=True) for c in table.index]
    table.columns = [f"{c:+.0%}" for c in table.columns]
    fig, ax = new_axes(ax, figsize=(7, max(4, 0.3 * len(table) + 1)))
    sns.heatmap(table, annot=True, fmt="d", cmap="Blues", cbar=False, ax=ax)
    ax.set_xlabel(_label("change", lang))
    ax.set_ylabel("")
    ax.set_title(f"{_label('sens_title', lang)}: {_label('rank_changes', lang)}")
    return fig


def index_distribution(index, lang: str = "zh", ax=None):
    """Histogram of the overall capability index with the grade cut points
    (``index`` is a :class:`crmstudy.evaluation.CapabilityIndex`)."""
    import seaborn as sns

    check_lang(lang)
    fig, ax = new_axes(ax, figsize=(7, 4))
    sns.histplot(index.index, bins=30, color="C0", ax=ax)
    for t in index.thresholds:
        ax.axvline(t, color="crimson", ls="--", lw=1)
    cats = list(index.grade.cat.categories)
    edges = [-np.inf, *index.thresholds, np.inf]
    lo, hi = ax.get_xlim()
    for k, name in enumerate(cats):
        a, b = max(edges[k], lo), min(edges[k + 1], hi)
        if b > a:
            ax.text((a + b) / 2, ax.get_ylim()[1] * 0.95, name, ha="center", va="top", fontsize=10)
    ax.set_xlabel(_label("index", lang))
    ax.set_ylabel(_label("firms", lang))
    ax.set_title(_label("index_title", lang))
    return fig
