"""Figures of chapter 03: weights, consistency, grades and the stability of ranks."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..indicators import check_lang
from . import PALETTE, new_axes

__all__ = ["weights_bar", "consistency_plot", "rank_stability_plot", "sensitivity_plot",
           "index_distribution"]

_TEXT = {
    "weight": {"zh": "权重", "en": "Weight"},
    "weights_title": {"zh": "指标权重比较", "en": "Indicator weights compared"},
    "method": {"zh": "方法", "en": "Method"},
    "cr": {"zh": "一致性比率 CR", "en": "Consistency ratio CR"},
    "cr_title": {"zh": "各专家判断矩阵的一致性", "en": "Consistency of each expert's matrices"},
    "threshold": {"zh": "阈值", "en": "threshold"},
    "expert": {"zh": "专家", "en": "Expert"},
    "criterion": {"zh": "准则", "en": "Criterion"},
    "rank": {"zh": "排名（1 = 最好）", "en": "Rank (1 = best)"},
    "firm": {"zh": "企业", "en": "Firm"},
    "stab_title": {"zh": "权重扰动下的排名稳定性（5%-95% 区间与中位数）",
                   "en": "Rank stability under weight perturbation (5-95 % interval, median)"},
    "base": {"zh": "基准排名", "en": "base rank"},
    "median": {"zh": "中位数", "en": "median"},
    "change": {"zh": "权重变化", "en": "Change of one weight"},
    "rank_changes": {"zh": "排名变化的企业数", "en": "Firms whose rank changes"},
    "sens_title": {"zh": "单因素权重敏感性分析", "en": "One-at-a-time weight sensitivity"},
    "index": {"zh": "能力指数", "en": "Capability index"},
    "firms": {"zh": "企业数", "en": "Firms"},
    "index_title": {"zh": "客户关系管理能力指数的分布与等级", "en": "CRM capability index: distribution and grades"},
    "subjective": {"zh": "主观（AHP）", "en": "Subjective (AHP)"},
    "objective": {"zh": "客观（熵权）", "en": "Objective (entropy)"},
    "combined": {"zh": "组合", "en": "Combined"},
}


def _label(key: str, lang: str) -> str:
    return _TEXT.get(key, {}).get(lang, key)


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
