"""Chapter-02 figures: return a Figure, draw on a given Axes, switch labels with lang."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from crmstudy.errors import ParameterError
from crmstudy.measurement import Codebook, cfa, efa, prepare, reliability
from crmstudy.plotting import set_theme
from crmstudy.plotting.measurement import item_correlation_plot, loading_heatmap, reliability_bar
from _measurement_fixtures import REF, hs_raw, lavaan_ref


@pytest.fixture(scope="module")
def hs():
    book = Codebook.from_file(REF / "hs1939_codebook.csv")
    survey = prepare(hs_raw(), book, id_col="id")
    return book, survey, cfa(survey, lavaan_ref()["hs1939"]["model"]), reliability(survey)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_render_in_both_languages(hs, lang):
    book, survey, fit, rel = hs
    set_theme(lang=lang)
    title = {"zh": "标准化因子载荷", "en": "Standardised factor loadings"}[lang]
    fig = loading_heatmap(fit, book, lang=lang)
    assert fig.axes[0].get_title() == title
    # nine items, three constructs, one annotation per non-zero loading
    assert len([t for t in fig.axes[0].texts if t.get_text()]) == 9
    fig2 = item_correlation_plot(survey, lang=lang)
    assert len(fig2.axes[0].patches) == 3               # one box per construct
    fig3 = reliability_bar(rel, fit, lang=lang)
    assert fig3.axes[0].get_ylim() == (0, 1.0)
    for f in (fig, fig2, fig3):
        f.canvas.draw()
        plt.close(f)


def test_draws_on_given_axes_and_efa(hs):
    book, survey, _, _ = hs
    fig, ax = plt.subplots()
    out = loading_heatmap(efa(survey.items, 3), lang="en", ax=ax, cutoff=0.3)
    assert out is fig and ax.get_xlabel() == "Factor"
    plt.close(fig)
    with pytest.raises(ParameterError):
        loading_heatmap([1, 2], lang="en")
    with pytest.raises(Exception):
        loading_heatmap(survey.items, lang="fr")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reliability_bar_texts_inside_canvas_and_clear_of_the_legend(lang):
    """Issue 14 (en_02_4): the wrapped construct tick labels ran under the legend."""
    from crmstudy import datasets

    book = Codebook.from_source("crm_codebook")
    survey = prepare(datasets.load("crm_survey"), book, attention_check=("attention_check", 2))
    fig = reliability_bar(reliability(survey), lang=lang)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    canvas = fig.bbox
    legends = fig.legends + [a.get_legend() for a in fig.axes if a.get_legend() is not None]
    assert len(legends) == 1
    legend_box = legends[0].get_window_extent(renderer)
    ax = fig.axes[0]
    texts = [ax.title, ax.yaxis.label, *ax.get_xticklabels(), *ax.get_yticklabels()]
    texts = [t for t in texts if t.get_visible() and t.get_text().strip()]
    assert len(ax.get_xticklabels()) == len(book.constructs)
    for text in texts + list(legends[0].get_texts()):
        box = text.get_window_extent(renderer)
        assert (box.x0 >= canvas.x0 - 1 and box.x1 <= canvas.x1 + 1 and box.y0 >= canvas.y0 - 1
                and box.y1 <= canvas.y1 + 1), f"{text.get_text()!r} leaves the canvas"
    for text in texts:
        assert not text.get_window_extent(renderer).overlaps(legend_box), \
            f"{text.get_text()!r} overlaps the legend"
    plt.close(fig)
