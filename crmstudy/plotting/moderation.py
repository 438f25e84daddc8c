"""Figures of chapter 04: Johnson-Neyman plot and interaction (simple-slopes) plot.

Both take the results of :mod:`crmstudy.moderation`, a ``lang`` ("zh"/"en") and an optional
``ax``, and return the matplotlib Figure.  Variable names are shown through ``labels``
(a dict name -> display label); the study's usual names have bilingual defaults in
:data:`crmstudy.moderation.VARIABLE_LABELS`.
"""
from __future__ import annotations

import numpy as np

from ..indicators import check_lang
from ..moderation import VARIABLE_LABELS, variable_label
from . import new_axes

__all__ = ["johnson_neyman_plot", "interaction_plot", "VARIABLE_LABELS"]

_TEXT = {
    "zh": {"slope": "{x}的条件斜率", "band": "{level}% 置信带", "region": "显著区域（p < {alpha}）",
           "bound": "J-N 边界", "jn_title": "Johnson–Neyman 图：{x}的斜率随{w}的变化",
           "observed": "观测范围", "inter_title": "交互效应：不同{w}水平下{x}与{y}的关系",
           "low": "低{w}（均值 − 1 SD）", "mean": "{w}均值", "high": "高{w}（均值 + 1 SD）",
           "y_hat": "{y}（预测值）"},
    "en": {"slope": "Conditional slope of {x}", "band": "{level}% confidence band",
           "region": "Region of significance (p < {alpha})", "bound": "J-N bound",
           "jn_title": "Johnson–Neyman plot: slope of {x} across {w}",
           "observed": "observed range",
           "inter_title": "Interaction: {x} and {y} at levels of {w}",
           "low": "low {w} (mean − 1 SD)", "mean": "mean {w}", "high": "high {w} (mean + 1 SD)",
           "y_hat": "{y} (predicted)"},
}


def _label(name: str, lang: str, labels) -> str:
    return variable_label(name, lang, labels)


def _wrap(text: str, width: int) -> str:
    """Break ``text`` into lines of at most ``width`` characters: at spaces for English, at
    any character for Chinese (which has no spaces between words)."""
    import textwrap

    if " " in text and not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "\n".join(textwrap.wrap(text, width)) or text
    return "\n".join(text[i:i + width] for i in range(0, len(text), width))


def _fit_title(ax, text: str, pad: float = 0.98):
    """Set the axes title, wrapped onto as many lines as it needs to fit inside the figure.

    A title is centred on the axes; one wider than the figure is cut at both edges (the
    constrained layout does not shrink titles).  The text is measured with the figure's
    renderer and wrapped at fewer characters until it fits ``pad`` of the figure width.
    """
    fig = ax.figure
    title = ax.set_title(text)
    fig.canvas.draw()                 # runs the layout: the axes' final position
    renderer = fig.canvas.get_renderer()
    # the title is centred on the axes, so it must fit twice the distance from the axes'
    # centre to the nearer edge of the figure
    box = ax.get_window_extent(renderer)
    centre = (box.x0 + box.x1) / 2
    limit = pad * 2 * min(centre - fig.bbox.x0, fig.bbox.x1 - centre)
    width = len(text)
    while title.get_window_extent(renderer).width > limit and width > 8:
        width = int(width * 0.85)
        title.set_text(_wrap(text, width))
    return title


def _regions(jn, lo: float, hi: float) -> list[tuple[float, float]]:
    """Intervals of [lo, hi] where the slope is significant, from the exact bounds."""
    b = jn.bounds
    if jn.kind == "everywhere":
        spans = [(lo, hi)]
    elif jn.kind == "nowhere":
        spans = []
    elif jn.kind == "inside":
        spans = [(b[0], b[1])]
    elif jn.kind == "outside":
        spans = [(-np.inf, b[0]), (b[1], np.inf)]
    elif jn.kind == "above":
        spans = [(b[0], np.inf)]
    else:  # below
        spans = [(-np.inf, b[0])]
    out = []
    for a, c in spans:
        a, c = max(a, lo), min(c, hi)
        if c > a:
            out.append((a, c))
    return out


def johnson_neyman_plot(jn, lang: str = "zh", ax=None, labels=None, title: bool = True):
    """Conditional slope of x along the moderator with its confidence band; the region where
    the slope is significant is shaded and the Johnson-Neyman bounds are marked.

    Parameters
    ----------
    jn : JohnsonNeymanResult
        From ``ModerationResult.johnson_neyman()``.
    lang : {"zh", "en"}
    ax : matplotlib Axes, optional
    labels : dict, optional
        Variable name -> display label (defaults: :data:`VARIABLE_LABELS`).
    title : bool
        Draw the title.

    Returns
    -------
    matplotlib Figure
    """
    check_lang(lang)
    text = _TEXT[lang]
    x, w = _label(jn.x, lang, labels), _label(jn.w, lang, labels)
    curve = jn.curve
    fig, ax = new_axes(ax)
    grid = curve["w"].to_numpy()
    lo, hi = float(grid.min()), float(grid.max())
    level = round(100 * (1 - jn.alpha))
    for i, (a, c) in enumerate(_regions(jn, lo, hi)):
        ax.axvspan(a, c, color="C2", alpha=0.15, lw=0,
                   label=text["region"].format(alpha=f"{jn.alpha:g}") if i == 0 else None)
    ax.fill_between(grid, curve["ci_low"], curve["ci_high"], color="C0", alpha=0.25, lw=0,
                    label=text["band"].format(level=level))
    ax.plot(grid, curve["slope"], color="C0", lw=2, label=text["slope"].format(x=x))
    ax.axhline(0.0, color="0.3", lw=0.8)
    shown = [bd for bd in jn.bounds if lo <= bd <= hi]
    for i, bd in enumerate(shown):
        ax.axvline(bd, color="C3", ls="--", lw=1.2, label=text["bound"] if i == 0 else None)
        right_half = bd > (lo + hi) / 2        # keep the number inside the axes
        ax.annotate(f"{bd:.2f}", (bd, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(-3 if right_half else 3, -12), textcoords="offset points",
                    ha="right" if right_half else "left", color="C3", fontsize=9)
    wmin, wmax = jn.w_range
    if lo < wmin or hi > wmax:       # grid widened to show a bound outside the data
        ax.axvspan(wmin, wmax, ymin=0, ymax=0.02, color="0.4", label=text["observed"])
    ax.set_xlabel(w)
    ax.set_ylabel(text["slope"].format(x=x))
    ax.set_xlim(lo, hi)
    if title:
        _fit_title(ax, text["jn_title"].format(x=x, w=w))
    ax.legend(loc="best", fontsize=8, frameon=True)
    return fig


def interaction_plot(result, lang: str = "zh", ax=None, labels=None, w_at=None,
                     title: bool = True):
    """Predicted outcome against x at low / mean / high moderator (simple-slopes plot).

    Controls are held at their means (see ``ModerationResult.predict_lines``).

    Parameters
    ----------
    result : ModerationResult
    lang : {"zh", "en"}
    ax : matplotlib Axes, optional
    labels : dict, optional
        Variable name -> display label.
    w_at : as ``ModerationResult.simple_slopes(at=...)``; default mean ± 1 SD.
    title : bool

    Returns
    -------
    matplotlib Figure
    """
    check_lang(lang)
    text = _TEXT[lang]
    x, w, y = (_label(v, lang, labels) for v in (result.x, result.w, result.y))
    lines = result.predict_lines(w_at=w_at)
    slopes = result.simple_slopes(at=w_at).set_index("label")
    default_names = {"mean - 1 SD": "low", "mean": "mean", "mean + 1 SD": "high"}
    styles = ["--", "-", ":"] if len(slopes) == 3 else ["-"] * len(slopes)
    fig, ax = new_axes(ax)
    for i, (label, part) in enumerate(lines.groupby("label", sort=False)):
        key = default_names.get(label)
        name = text[key].format(w=w) if key else f"{w} = {label}"
        s = slopes.loc[label]
        stars = "***" if s["p"] < 0.001 else "**" if s["p"] < 0.01 else "*" if s["p"] < 0.05 else ""
        ax.plot(part["x"], part["y_hat"], ls=styles[i % len(styles)], lw=2, color=f"C{i}",
                label=f"{name}: b = {s['slope']:.3f}{stars}")
    ax.set_xlabel(x)
    ax.set_ylabel(text["y_hat"].format(y=y))
    if title:
        _fit_title(ax, text["inter_title"].format(x=x, y=y, w=w))
    ax.legend(loc="best", fontsize=8)
    return fig
