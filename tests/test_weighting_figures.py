"""Chapter-03 figures (issue 14): every text inside the canvas, legends off the plotted data.

The defect: the consistency plot's "阈值 0.1" label was clipped at the right edge and the legend
covered bars.  Checked on the rendered figure (window extents after ``draw``), in both languages.
"""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from crmstudy.plotting.weighting import consistency_plot, rank_stability_plot, weights_bar


def _consistency():
    rng = np.random.default_rng(3)
    rows = [{"parent": p, "expert": e, "cr": float(rng.uniform(0.0, 0.12))}
            for p in ("A", "A1", "A2", "A3") for e in ("E1", "E2", "E3", "E4", "E5", "E6")]
    rows[-1]["cr"] = 0.309            # one inconsistent expert towers over the threshold
    return pd.DataFrame(rows)


def _weights():
    rng = np.random.default_rng(5)
    w = rng.dirichlet(np.ones(8), size=3).T
    return pd.DataFrame(w, index=[f"X{k}" for k in range(8)],
                        columns=["subjective", "objective", "combined"])


def _stability():
    base = np.arange(1, 31)
    return pd.DataFrame({"base_rank": base, "median": base + 0.5, "q05": np.maximum(1, base - 3),
                         "q95": base + 4}, index=[f"F{k:03d}" for k in base])


FIGURES = {"consistency": lambda lang: consistency_plot(_consistency(), lang=lang),
           "weights": lambda lang: weights_bar(_weights(), lang=lang),
           "stability": lambda lang: rank_stability_plot(_stability(), lang=lang)}


def _texts(fig):
    """Every text matplotlib draws: tick labels only of ticks inside the view interval (those
    outside exist as objects but are not drawn)."""
    ticklabels, drawn = set(), []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                ticklabels.update(map(id, (tick.label1, tick.label2)))
                if lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                    drawn += [t for t in (tick.label1, tick.label2) if t.get_visible()]
    others = [a for a in fig.findobj(matplotlib.text.Text)
              if id(a) not in ticklabels and a.get_visible()]
    return [t for t in drawn + others if t.get_text().strip()]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_texts_inside_canvas_and_legend_off_data(name, lang):
    import matplotlib.pyplot as plt

    fig = FIGURES[name](lang)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    canvas = fig.bbox
    texts = list(_texts(fig))
    assert texts, "the figure has no text to check"
    for text in texts:
        box = text.get_window_extent(renderer)
        assert (box.x0 >= canvas.x0 - 0.5 and box.x1 <= canvas.x1 + 0.5
                and box.y0 >= canvas.y0 - 0.5 and box.y1 <= canvas.y1 + 0.5), (
            f"{name}/{lang}: text {text.get_text()!r} at {box} leaves the canvas {canvas}")
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert legend is not None
    legend_box = legend.get_window_extent(renderer)
    assert not legend_box.overlaps(ax.get_window_extent(renderer)), (
        f"{name}/{lang}: the legend overlaps the plotting area")
    plt.close(fig)


def test_threshold_label_is_drawn_in_the_notebook_language():
    import matplotlib.pyplot as plt

    fig = consistency_plot(_consistency(), lang="zh")
    assert any(t.get_text() == "阈值 0.1" for t in _texts(fig))
    plt.close(fig)
