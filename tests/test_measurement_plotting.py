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
