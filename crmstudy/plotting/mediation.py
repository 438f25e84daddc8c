"""Figure of chapter 06: the conditional indirect effect against the moderator.

Takes a :class:`crmstudy.mediation.ProcessResult` of a moderated model (7, 8, 14, 58), a
``lang`` ("zh"/"en") and an optional ``ax``; returns the matplotlib Figure.  The curve and its
band are the conditional indirect effect and its pointwise bootstrap CI (the fit's CI method,
from the fit's own resamples) over a grid of the moderator's observed range; the probed values
(mean and mean ± 1 SD by default) are drawn as points with their intervals.
"""
from __future__ import annotations

import numpy as np

from ..indicators import check_lang
from ..moderation import variable_label
from ..errors import ParameterError
from . import new_axes

__all__ = ["conditional_indirect_plot"]

_TEXT = {
    "zh": {"effect": "间接效应", "band": "{level}% Bootstrap 置信带", "probe": "选点（{rule}）",
           "title": "{x} → {m} → {y} 的间接效应随{w}的变化", "meansd": "均值 ± 1 SD",
           "percentiles": "第 16、50、84 百分位", "values": "给定值",
           "excl": "置信区间不含 0"},
    "en": {"effect": "Indirect effect", "band": "{level}% bootstrap band",
           "probe": "probed ({rule})",
           "title": "Indirect effect of {x} on {y} through {m} across {w}",
           "meansd": "mean ± 1 SD", "percentiles": "16th, 50th, 84th percentiles",
           "values": "given values", "excl": "CI excludes 0"},
}


def conditional_indirect_plot(result, lang: str = "zh", ax=None, labels=None, at="meansd",
                              grid: int = 101, title: bool = True):
    """Conditional indirect effect of x on y through each mediator along the moderator.

    Parameters
    ----------
    result : ProcessResult
        A moderated model (7, 8, 14, 58) from :func:`crmstudy.mediation.process`.
    lang : {"zh", "en"}
    ax : matplotlib Axes, optional
    labels : dict, optional
        Variable name -> display label (defaults: ``crmstudy.moderation.VARIABLE_LABELS``).
    at : "meansd", "percentiles" or numbers
        Moderator values marked as points with their CIs.
    grid : int
        Number of moderator values of the curve (≥ 2).
    title : bool

    Returns
    -------
    matplotlib Figure
    """
    check_lang(lang)
    if getattr(result, "w", None) is None:
        raise ParameterError(f"model {getattr(result, 'model', '?')} has no moderator",
                             hint="plot a moderated model (7, 8, 14 or 58)")
    if int(grid) < 2:
        raise ParameterError(f"grid must be at least 2, got {grid!r}")
    text = _TEXT[lang]
    name = lambda v: variable_label(v, lang, labels)  # noqa: E731
    w_data = result._w_data
    values = np.linspace(float(np.min(w_data)), float(np.max(w_data)), int(grid))
    curve = result.conditional_indirect(at=values)
    probes = result.conditional_indirect(at=at)
    rule = at if isinstance(at, str) else "values"
    level = round(100 * result.conventions["conf"])
    fig, ax = new_axes(ax)
    for i, (mediator, part) in enumerate(curve.groupby("mediator", sort=False)):
        colour = f"C{i}"
        chain = " → ".join(name(v) for v in mediator.split(" -> "))
        ax.fill_between(part["w"], part["ci_low"], part["ci_high"], color=colour, alpha=0.2,
                        lw=0, label=text["band"].format(level=level) +
                        (f" ({chain})" if len(result.m) > 1 else ""))
        ax.plot(part["w"], part["effect"], color=colour, lw=2,
                label=text["effect"] + (f" ({chain})" if len(result.m) > 1 else ""))
        pts = probes[probes["mediator"] == mediator]
        ax.errorbar(pts["w"], pts["effect"],
                    yerr=[pts["effect"] - pts["ci_low"], pts["ci_high"] - pts["effect"]],
                    fmt="o", color=colour, ms=5, capsize=3,
                    label=text["probe"].format(rule=text.get(rule, rule)) if i == 0 else None)
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.set_xlim(values[0], values[-1])
    ax.set_xlabel(name(result.w))
    ax.set_ylabel(text["effect"])
    if title:
        m = " / ".join(name(v) for v in result.m)
        ax.set_title(text["title"].format(x=name(result.x), y=name(result.y), m=m,
                                          w=name(result.w)))
    ax.legend(loc="best", fontsize=8)
    return fig
