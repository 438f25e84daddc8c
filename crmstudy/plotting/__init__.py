"""Figures that speak Chinese and English.

:func:`set_theme` sets the seaborn theme and a font family list with a bundled Chinese font,
so that zh and en labels render without missing glyphs on any machine that installed crmstudy
with pip: no system font, apt or network needed (Colab and Windows included).

The bundled font is "Noto Sans SC crmstudy", a GB 2312 subset of Noto Sans CJK SC (SIL Open
Font License 1.1; see ``crmstudy/fonts/OFL.txt`` and ``tools/make_font_subset.py``).  With
``lang="zh"`` it is the first family, so Chinese and Latin share one design; with
``lang="en"`` DejaVu Sans comes first and the bundled font is the per-glyph fallback
(matplotlib ≥ 3.6), so Chinese names in English figures still render.

Chapter figures live in the submodules (``crmstudy.plotting.measurement``, ...); this module
holds what they share: the theme, :func:`new_axes`, :func:`save_figure` and the indicator-system
figure.
"""
from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Iterable

import matplotlib
import matplotlib.pyplot as plt
from matplotlib import font_manager

from ..errors import ParameterError
from ..indicators import check_lang

__all__ = ["set_theme", "font_path", "FONT_FAMILY", "new_axes", "save_figure",
           "indicator_tree", "PALETTE"]

FONT_FAMILY = "Noto Sans SC crmstudy"
_FONT_FILE = Path(__file__).resolve().parents[1] / "fonts" / "NotoSansSC-crmstudy-subset.otf"
# Colour-blind-safe qualitative palette (seaborn "colorblind"), fixed so figures are stable.
PALETTE = "colorblind"


def font_path() -> Path:
    """Path of the bundled Chinese font file."""
    return _FONT_FILE


def _register_font() -> None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    if FONT_FAMILY not in names:
        font_manager.fontManager.addfont(str(_FONT_FILE))


def font_families(lang: str = "zh") -> list[str]:
    """The ``font.sans-serif`` list :func:`set_theme` uses for ``lang``."""
    check_lang(lang)
    return [FONT_FAMILY, "DejaVu Sans"] if lang == "zh" else ["DejaVu Sans", FONT_FAMILY]


def set_theme(lang: str = "zh", context: str = "notebook", style: str = "whitegrid",
              font_scale: float = 1.0, dpi: int = 100, **rc) -> None:
    """Set the seaborn theme with fonts that render Chinese and English.

    Parameters
    ----------
    lang : {"zh", "en"}
        Language of the labels; decides which font comes first (see module docstring).
    context, style, font_scale
        Passed to :func:`seaborn.set_theme`.
    dpi : int
        Figure dpi on screen (saved figures choose their own, see :func:`save_figure`).
    **rc
        Extra matplotlib rcParams, applied last.

    Examples
    --------
    >>> from crmstudy.plotting import set_theme
    >>> set_theme(lang="zh")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); _ = ax.set_title("客户关系管理能力")   # renders, no missing glyphs
    """
    import seaborn as sns

    _register_font()
    families = font_families(lang)
    params = {
        # explicit family list (not the generic "sans-serif"): matplotlib's per-glyph
        # fallback walks this list, so a glyph missing from the first font comes from the next
        "font.family": families,
        "font.sans-serif": families,
        "axes.unicode_minus": True,
        "figure.dpi": dpi,
        "savefig.dpi": 300,
        "savefig.bbox": "tight",
        "svg.hashsalt": "crmstudy",  # deterministic SVG ids
        "pdf.fonttype": 3,  # Type 3 embeds the CFF outlines of the bundled font
        "figure.autolayout": False,
    }
    params.update(rc)
    sns.set_theme(context=context, style=style, palette=PALETTE, font_scale=font_scale,
                  rc=params)
    # seaborn.set_theme sets font.family from its `font` argument; restore our list
    matplotlib.rcParams["font.family"] = families
    matplotlib.rcParams["font.sans-serif"] = families


def new_axes(ax=None, figsize=(7, 4.5)):
    """Return ``(fig, ax)``: the given axes' figure, or a new figure."""
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


def save_figure(fig, stem: str | Path, formats: Iterable[str] = ("png", "svg"),
                dpi: int = 300) -> list[Path]:
    """Save ``fig`` as ``stem.png``, ``stem.svg`` ... and return the paths.

    Each file is written to a temporary name in the same folder and renamed, so a reader
    never sees a half-written figure.
    """
    stem = Path(stem)
    paths = []
    for fmt in formats:
        target = stem.with_suffix(f".{fmt}")
        tmp = target.with_name(f".{target.name}.tmp")
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_metadata(fmt))
        os.replace(tmp, target)
        paths.append(target)
    return paths


def _metadata(fmt: str) -> dict:
    # No creation dates in the files: the same figure gives the same bytes.
    if fmt == "svg":
        return {"Date": None}
    if fmt == "pdf":
        return {"CreationDate": None, "ModDate": None}
    if fmt == "png":
        return {"Software": None}
    return {}


def _tint(colour, strength: float):
    """``colour`` blended with white (opaque, so connector lines stay behind labels)."""
    from matplotlib.colors import to_rgb

    return tuple(1 - strength * (1 - c) for c in to_rgb(colour))


def _wrap(text: str, lang: str, width_en: int = 22, width_zh: int = 9) -> str:
    if lang == "zh":
        return "\n".join(text[i:i + width_zh] for i in range(0, len(text), width_zh))
    return textwrap.fill(text, width_en)


def indicator_tree(system, lang: str = "zh", kind: str = "tree", ax=None):
    """Draw an :class:`~crmstudy.indicators.IndicatorSystem`.

    Parameters
    ----------
    system : IndicatorSystem
    lang : {"zh", "en"}
    kind : {"tree", "sunburst"}
        ``"tree"``: goal on the left, indicators on the right, elbow connectors; leaves are
        coloured by dimension and cost indicators marked "(−)".  ``"sunburst"``: rings from
        the goal outwards, wedge size proportional to the number of leaves below.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Figure
    """
    import numpy as np
    import seaborn as sns

    check_lang(lang)
    if kind not in ("tree", "sunburst"):
        raise ParameterError(f"unknown kind {kind!r}", hint='use kind="tree" or kind="sunburst"')
    leaves = system.leaves()
    dims = system.dimensions()
    colours = dict(zip(dims, sns.color_palette(PALETTE, len(dims))))
    depth = max(system.level(c) for c in system.codes)

    def colour(code):
        return "0.35" if code == system.root else colours[system.dimension_of(code)]

    def text(code):
        node = system[code]
        mark = " (−)" if node.direction == "cost" else ""
        return f"{code} {node.name(lang)}{mark}"

    if kind == "tree":
        fig, ax = new_axes(ax, figsize=(9.5, max(4.0, 0.36 * len(leaves) + 1)))
        y = {}
        for i, code in enumerate(leaves):
            y[code] = -float(i)
        for code in reversed(system.codes):  # parents at the mean height of their children
            if code not in y:
                y[code] = float(np.mean([y[c] for c in system.children(code)]))
        for code in system.codes:
            x = system.level(code)
            for child in system.children(code):
                xc = system.level(child)
                # the line starts inside the parent's (opaque) box and ends at the child's
                ax.plot([x + 0.1, x + 0.85, x + 0.85, xc], [y[code], y[code], y[child], y[child]],
                        color="0.6", lw=1, zorder=1)
            leaf = system.is_leaf(code)
            label = text(code) if leaf else _wrap(text(code), lang)
            ax.text(x, y[code], label, va="center", ha="left", fontsize=9 if leaf else 10,
                    color="black", zorder=2,
                    bbox=dict(boxstyle="round,pad=0.3", ec=colour(code),
                              fc=_tint(colour(code), 0.25 if leaf else 0.5)))
        ax.set_xlim(-0.1, depth + 1.6)
        ax.set_ylim(-len(leaves), 1)
        ax.axis("off")
        ax.set_title(system.title(lang))
        return fig

    fig, ax = new_axes(ax, figsize=(8, 8))
    size = {c: len(system.leaves(c)) for c in system.codes}
    ring_width = 1.0 / (depth + 1)
    for level in range(depth + 1):
        codes = [c for c in system.codes if system.level(c) == level]
        # keep the wedges of each level in leaf order so rings line up
        order = sorted(codes, key=lambda c: leaves.index(system.leaves(c)[0]))
        wedges, _ = ax.pie([size[c] for c in order], radius=(level + 1) * ring_width,
                           colors=[colour(c) for c in order], startangle=90, counterclock=False,
                           wedgeprops=dict(width=ring_width, edgecolor="white", alpha=1 - 0.2 * level))
        for wedge, code in zip(wedges, order):
            angle = np.deg2rad((wedge.theta1 + wedge.theta2) / 2)
            r = (level + 0.5) * ring_width if level else 0
            label = code if level == depth else _wrap(system[code].name(lang), lang, 14, 6)
            rotation = 0
            if level == depth:
                rotation = np.rad2deg(angle)
                rotation = rotation - 180 if 90 < rotation % 360 < 270 else rotation
            ax.text(r * np.cos(angle), r * np.sin(angle), label, ha="center", va="center",
                    fontsize=8 if level == depth else 9, rotation=rotation)
    ax.set(aspect="equal")
    ax.set_title(system.title(lang))
    return fig
