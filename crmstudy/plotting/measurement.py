"""Figures of chapter 02: factor-loading heat map, item-correlation matrix, reliability bars."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..indicators import check_lang
from . import PALETTE, new_axes

__all__ = ["loading_heatmap", "item_correlation_plot", "reliability_bar"]

_TEXT = {
    "loading_title": {"zh": "标准化因子载荷", "en": "Standardised factor loadings"},
    "efa_title": {"zh": "探索性因子分析载荷（斜交旋转）", "en": "EFA loadings (oblique rotation)"},
    "item": {"zh": "题项", "en": "Item"},
    "construct": {"zh": "构念", "en": "Construct"},
    "factor": {"zh": "因子", "en": "Factor"},
    "loading": {"zh": "载荷", "en": "Loading"},
    "corr_title": {"zh": "题项间相关系数矩阵（框线 = 同一构念）",
                   "en": "Item correlations (boxes = items of one construct)"},
    "r": {"zh": "相关系数 r", "en": "Correlation r"},
    "rel_title": {"zh": "各构念的信度", "en": "Reliability of each construct"},
    "alpha": {"zh": "Cronbach's α", "en": "Cronbach's α"},
    "omega": {"zh": "McDonald's ω", "en": "McDonald's ω"},
    "cr": {"zh": "组合信度 CR", "en": "Composite reliability CR"},
    "threshold": {"zh": "阈值", "en": "threshold"},
    "value": {"zh": "系数", "en": "Coefficient"},
}


def _label(key: str, lang: str) -> str:
    return _TEXT[key][lang]


def _wrap(text: str, lang: str, width_en: int = 16, width_zh: int = 6) -> str:
    import textwrap

    if lang == "zh":
        return "\n".join(text[i:i + width_zh] for i in range(0, len(text), width_zh))
    return textwrap.fill(text, width_en)


def _construct_names(codebook, constructs, lang):
    if codebook is None:
        return {c: c for c in constructs}
    names = {}
    for c in constructs:
        try:
            names[c] = f"{c} {codebook.construct_label(c, lang)}" if codebook.construct_label(c, lang) != c else c
        except ParameterError:
            names[c] = c
    return names


def loading_heatmap(loadings, codebook=None, lang: str = "zh", ax=None, *, annotate: bool = True,
                    cutoff: float | None = None, title: str | None = None):
    """Heat map of factor loadings, items down, constructs/factors across.

    Parameters
    ----------
    loadings : CFAResult, EFAResult or DataFrame
        A CFA result (its ``loading_matrix``), an EFA result (its ``loadings``) or any items x
        factors table.
    codebook : Codebook, optional
        Names the constructs in ``lang``.
    lang : {"zh", "en"}
    ax : matplotlib Axes, optional
    annotate : bool
        Write the loadings in the cells (blank where the loading is 0 in a CFA).
    cutoff : float, optional
        Grey out annotations with absolute value below it (e.g. 0.3 for an EFA).

    Returns
    -------
    matplotlib Figure
    """
    import seaborn as sns

    check_lang(lang)
    kind = type(loadings).__name__
    if kind == "CFAResult":
        matrix, default_title = loadings.loading_matrix, _label("loading_title", lang)
    elif kind == "EFAResult":
        matrix, default_title = loadings.loadings, _label("efa_title", lang)
    elif isinstance(loadings, pd.DataFrame):
        matrix, default_title = loadings, _label("loading_title", lang)
    else:
        raise ParameterError(f"loadings must be a CFAResult, EFAResult or DataFrame, got {kind}")
    matrix = matrix.astype(float)
    names = _construct_names(codebook, list(matrix.columns), lang)
    shown = matrix.rename(columns=names)
    fig, ax = new_axes(ax, figsize=(1.6 + 1.25 * shown.shape[1], 0.9 + 0.32 * shown.shape[0]))
    text = shown.map(lambda v: "" if v == 0 else f"{v:.2f}") if annotate else False
    sns.heatmap(shown, ax=ax, cmap="RdBu_r", vmin=-1, vmax=1, center=0, annot=text, fmt="",
                linewidths=0.5, linecolor="white",
                cbar_kws={"label": _label("loading", lang), "shrink": 0.8})
    if annotate and cutoff is not None:
        flat = np.abs(shown.to_numpy()).ravel()
        for value, label in zip(flat, ax.texts):
            if value < cutoff:
                label.set_color("0.6")
    ax.set_xlabel(_label("construct" if kind != "EFAResult" else "factor", lang))
    ax.set_ylabel(_label("item", lang))
    ax.set_title(title or default_title)
    ax.tick_params(axis="x", rotation=0 if shown.shape[1] <= 4 else 30)
    ax.tick_params(axis="y", rotation=0)
    return fig


def item_correlation_plot(items, codebook=None, lang: str = "zh", ax=None, *,
                          annotate: bool | None = None, title: str | None = None):
    """Lower-triangle heat map of item correlations, with each construct's block outlined.

    Parameters
    ----------
    items : DataFrame or PreparedSurvey
        Item scores (pairwise-complete correlations are drawn).
    codebook : Codebook, optional
        Orders the items by construct and outlines the blocks (a PreparedSurvey brings its own).
    annotate : bool, optional
        Write r in the cells; default when there are at most 12 items.

    Returns
    -------
    matplotlib Figure
    """
    import matplotlib.patches as patches
    import seaborn as sns

    check_lang(lang)
    if type(items).__name__ == "PreparedSurvey":
        codebook = codebook or items.codebook
        items = items.items
    if not isinstance(items, pd.DataFrame):
        raise ParameterError(f"items must be a DataFrame or PreparedSurvey, got {type(items).__name__}")
    order = [i for i in codebook.items if i in items.columns] if codebook is not None else list(items.columns)
    corr = items[order].astype(float).corr()
    k = len(order)
    annotate = k <= 12 if annotate is None else annotate
    mask = np.triu(np.ones((k, k), dtype=bool), 1)
    size = 1.5 + 0.33 * k
    fig, ax = new_axes(ax, figsize=(size + 1.2, size))
    sns.heatmap(corr, mask=mask, ax=ax, cmap="RdBu_r", vmin=-1, vmax=1, center=0, square=True,
                annot=annotate, fmt=".2f", annot_kws={"fontsize": 7}, linewidths=0.3,
                linecolor="white", cbar_kws={"label": _label("r", lang), "shrink": 0.7})
    if codebook is not None:
        construct_of = codebook.table.set_index("item")["construct"]
        groups = pd.Series([construct_of[i] for i in order])
        start = 0
        for _, size_ in groups.groupby((groups != groups.shift()).cumsum()).size().items():
            ax.add_patch(patches.Rectangle((start, start), size_, size_, fill=False,
                                           edgecolor="0.15", linewidth=1.4, clip_on=False))
            start += size_
    ax.grid(False)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", rotation=90, labelsize=8)
    ax.tick_params(axis="y", rotation=0, labelsize=8)
    ax.set_title(title or _label("corr_title", lang))
    return fig


def reliability_bar(reliability, cfa=None, lang: str = "zh", ax=None, *, threshold: float = 0.70,
                    title: str | None = None):
    """Grouped bars of alpha and omega (and CR from a CFA) per construct, with the threshold.

    Parameters
    ----------
    reliability : ReliabilityResult
    cfa : CFAResult, optional
        Adds the composite reliability of each construct.
    threshold : float
        Drawn as a dashed line (0.70 by convention).

    Returns
    -------
    matplotlib Figure
    """
    import seaborn as sns

    check_lang(lang)
    table = reliability.table.set_index("construct")
    data = pd.DataFrame({_label("alpha", lang): table["alpha"],
                         _label("omega", lang): table["omega_total"]})
    if cfa is not None:
        data[_label("cr", lang)] = cfa.composite_reliability.reindex(table.index)
    names = {c: f"{c}\n{_wrap(table.loc[c, f'label_{lang}'], lang)}"
             if table.loc[c, f"label_{lang}"] != c else c for c in table.index}
    long = (data.rename(index=names).rename_axis("construct").reset_index()
            .melt(id_vars="construct", var_name="statistic", value_name="value"))
    fig, ax = new_axes(ax, figsize=(max(6.0, 1.3 * len(table) + 1.5), 4.8))
    sns.barplot(long, x="construct", y="value", hue="statistic", ax=ax,
                palette=PALETTE)
    ax.axhline(threshold, color="0.25", linestyle="--", linewidth=1,
               label=f"{_label('threshold', lang)} {threshold:.2f}")
    ax.set_ylim(0, 1.0)
    ax.set_xlabel("")
    ax.set_ylabel(_label("value", lang))
    ax.set_title(title or _label("rel_title", lang))
    # The construct tick labels wrap over several lines, so a legend anchored at a fixed
    # offset below the axes covered them (issue 14).  On a figure of our own the legend goes
    # outside the axes and constrained layout makes room for both; on a caller's axes it
    # stays inside, where Matplotlib picks the emptiest corner.
    handles, names = ax.get_legend_handles_labels()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    engine = fig.get_layout_engine()
    if engine is not None and type(engine).__name__ == "ConstrainedLayoutEngine":
        fig.legend(handles, names, loc="outside lower center", ncol=len(handles), fontsize=8,
                   frameon=False)
    else:
        ax.legend(handles, names, loc="best", fontsize=8)
    return fig
