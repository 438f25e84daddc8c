"""Path diagram of a fitted structural equation model (:class:`crmstudy.sem.SEMResult`).

Deterministic layout, matplotlib only: latent variables are ellipses placed in columns by
their structural depth (exogenous first, each outcome one column right of its latest
predictor; a higher-order factor to the left of its first-order factors), observed variables
are boxes.  Indicators sit on the outer side of their factor (left of the first column, right
of the last, above or below in between).  Arrows carry the standardised (``std_all``,
default) or unstandardised estimates with significance stars (``*`` p < .05, ``**`` p < .01,
``***`` p < .001); curved double arrows are covariances among latent variables; R² is printed
under each endogenous latent variable.  Chinese labels render with the bundled font after
:func:`crmstudy.plotting.set_theme`.
"""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

from ..indicators import check_lang
from . import new_axes

__all__ = ["path_diagram"]

_TEXT = {"zh": {"std": "标准化估计", "raw": "非标准化估计", "title": "结构方程模型路径图（{kind}）",
                "note": "* p < .05, ** p < .01, *** p < .001"},
         "en": {"std": "standardised estimates", "raw": "unstandardised estimates",
                "title": "Path diagram ({kind})", "note": "* p < .05, ** p < .01, *** p < .001"}}


def _stars(p: float) -> str:
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _layout(result):
    """Positions of the structural variables (latent + observed in regressions)."""
    est = result.estimates
    lat = list(dict.fromkeys(est.loc[est["op"] == "=~", "lhs"]))
    reg = est[est["op"] == "~"]
    structural = list(dict.fromkeys([*lat, *reg["rhs"], *reg["lhs"]]))
    edges = [(r, l) for l, r in zip(reg["lhs"], reg["rhs"])]
    higher = est[(est["op"] == "=~") & est["rhs"].isin(lat)]
    edges += [(l, r) for l, r in zip(higher["lhs"], higher["rhs"])]
    depth = {v: 0 for v in structural}
    for _ in range(len(structural)):          # longest path (the model is recursive)
        changed = False
        for a, b in edges:
            if depth[b] < depth[a] + 1:
                depth[b] = depth[a] + 1
                changed = True
        if not changed:
            break
    columns: dict[int, list[str]] = {}
    for v in structural:
        columns.setdefault(depth[v], []).append(v)
    pos = {}
    for d, names in columns.items():
        for k, v in enumerate(names):
            pos[v] = (4.2 * d, -3.2 * (k - (len(names) - 1) / 2))
    return pos, depth, columns, lat


def _near_segment(point, a, b, tol: float = 0.8) -> bool:
    p, a, b = (np.asarray(v, float) for v in (point, a, b))
    ab = b - a
    t = np.clip((p - a) @ ab / (ab @ ab), 0, 1)
    return bool(0 < t < 1 and np.linalg.norm(a + t * ab - p) < tol)


def path_diagram(result, lang: str = "zh", *, standardized: bool = True, labels=None,
                 show_indicators: bool = True, ax=None, title: bool = True):
    """Draw the path diagram of ``result`` with estimates; returns the Figure.

    Parameters
    ----------
    result : SEMResult
    lang : {"zh", "en"}
    standardized : bool
        Label arrows with ``std_all`` (default) or with ``est``.
    labels : dict, optional
        Variable name -> display label (e.g. Chinese construct names).
    show_indicators : bool
        Draw the measurement part (indicators and loadings).
    """
    check_lang(lang)
    labels = labels or {}
    name = lambda v: str(labels.get(v, v))
    text = _TEXT[lang]
    est = result.estimates
    value = "std_all" if standardized else "est"
    pos, depth, columns, lat = _layout(result)
    max_depth = max(depth.values()) if depth else 0
    span_y = max(len(c) for c in columns.values()) * 3.2
    fig, ax = new_axes(ax, figsize=(2.6 * (max_depth + 1) + 3.5, max(4.0, 1.1 * span_y + 1.5)))
    ax.set_axis_off()
    ax.set_aspect("equal")
    ew, eh, bw, bh = 1.9, 1.0, 1.05, 0.5
    for v, (x, y) in pos.items():
        if v in lat:
            ax.add_patch(Ellipse((x, y), ew, eh, facecolor="#dbe9f6", edgecolor="#2b5d8a", lw=1.4, zorder=2))
        else:
            ax.add_patch(FancyBboxPatch((x - ew / 2, y - eh / 2), ew, eh, boxstyle="round,pad=0.02",
                                        facecolor="#f3f3f3", edgecolor="#555555", lw=1.2, zorder=2))
        ax.text(x, y, name(v), ha="center", va="center", fontsize=10, zorder=3)
        if v in result.r2.index and v in lat:
            ax.text(x, y - eh / 2 - 0.22, f"R² = {result.r2[v]:.2f}", ha="center", va="top",
                    fontsize=8, color="#2b5d8a")
    # measurement part
    if show_indicators:
        loads = est[(est["op"] == "=~") & ~est["rhs"].isin(lat)]
        for f in lat:
            rows = loads[loads["lhs"] == f]
            if rows.empty or f not in pos:
                continue
            x, y = pos[f]
            k = len(rows)
            column = columns[depth[f]]
            if depth[f] == 0 or depth[f] == max_depth:
                side = -1 if depth[f] == 0 else 1
                if max_depth == 0:
                    side = -1
                xs = np.full(k, x + side * 2.3)
                ys = y - (np.arange(k) - (k - 1) / 2) * 0.62     # first indicator on top
                start = [(x + side * ew / 2, y)] * k
                ends = [(xi - side * bw / 2, yi) for xi, yi in zip(xs, ys)]
            else:
                up = 1 if column.index(f) == 0 else -1
                xs = x + (np.arange(k) - (k - 1) / 2) * 1.15
                ys = np.full(k, y + up * 1.7)
                start = [(x, y + up * eh / 2)] * k
                ends = [(xi, yi - up * bh / 2) for xi, yi in zip(xs, ys)]
            for (xi, yi), s, e, rec in zip(zip(xs, ys), start, ends, rows.itertuples()):
                ax.add_patch(FancyBboxPatch((xi - bw / 2, yi - bh / 2), bw, bh,
                                            boxstyle="round,pad=0.01", facecolor="white",
                                            edgecolor="#777777", lw=0.8, zorder=2))
                ax.text(xi, yi, name(rec.rhs), ha="center", va="center", fontsize=7, zorder=3)
                ax.add_patch(FancyArrowPatch(s, e, arrowstyle="-|>", mutation_scale=7, lw=0.6,
                                             color="#777777", zorder=1))
                mx, my = (s[0] * 0.35 + e[0] * 0.65), (s[1] * 0.35 + e[1] * 0.65)
                ax.text(mx, my, f"{getattr(rec, value):.2f}", fontsize=6, ha="center",
                        va="center", color="#444444", zorder=4,
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.3})
    # structural paths (regressions, higher-order loadings)
    paths = est[(est["op"] == "~") | ((est["op"] == "=~") & est["rhs"].isin(lat))]
    for rec in paths.itertuples():
        src, dst = (rec.rhs, rec.lhs) if rec.op == "~" else (rec.lhs, rec.rhs)
        if src not in pos or dst not in pos:
            continue
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        vec = np.array([x1 - x0, y1 - y0])
        unit = vec / np.linalg.norm(vec)
        s = (x0 + unit[0] * ew / 2, y0 + unit[1] * eh / 2)
        e = (x1 - unit[0] * ew / 2, y1 - unit[1] * eh / 2)
        # a path that would run through another variable bends below it
        blocked = any(_near_segment(pos[v], pos[src], pos[dst]) for v in pos if v not in (src, dst))
        rad = 0.4 if blocked else 0.0
        if blocked:
            s = (x0 + unit[0] * ew / 2, y0 - eh / 2)
            e = (x1 - unit[0] * ew / 2, y1 - eh / 2)
        ax.add_patch(FancyArrowPatch(s, e, arrowstyle="-|>", mutation_scale=12, lw=1.3,
                                     color="#1f3b57", zorder=1,
                                     connectionstyle=f"arc3,rad={rad}"))
        dx, dy = e[0] - s[0], e[1] - s[1]
        ax.text((s[0] + e[0]) / 2 + 0.5 * rad * dy, (s[1] + e[1]) / 2 - 0.5 * rad * dx + 0.18,
                f"{getattr(rec, value):.2f}{_stars(rec.p)}", ha="center", va="bottom",
                fontsize=9, color="#1f3b57", zorder=4,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
    # covariances among structural variables
    covs = est[(est["op"] == "~~") & (est["lhs"] != est["rhs"]) & est["lhs"].isin(pos)
               & est["rhs"].isin(pos)]
    for rec in covs.itertuples():
        (x0, y0), (x1, y1) = pos[rec.lhs], pos[rec.rhs]
        ax.add_patch(FancyArrowPatch((x0 - ew / 2, y0), (x1 - ew / 2, y1), arrowstyle="<|-|>",
                                     mutation_scale=9, lw=0.9, color="#8a5a2b",
                                     connectionstyle="arc3,rad=0.35", zorder=1))
        ax.text(min(x0, x1) - ew / 2 - 0.75, (y0 + y1) / 2, f"{getattr(rec, value):.2f}{_stars(rec.p)}",
                ha="center", va="center", fontsize=8, color="#8a5a2b")
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 3.4, max(xs) + 3.4)
    ax.set_ylim(min(ys) - 2.6, max(ys) + 2.6)
    if title:
        ax.set_title(text["title"].format(kind=text["std"] if standardized else text["raw"]))
    ax.text(1.0, 0.0, text["note"], transform=ax.transAxes, ha="right", va="bottom", fontsize=7,
            color="#555555")
    return fig
