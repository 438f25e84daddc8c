"""Chapter-05 figures render in both languages, return a Figure and draw the data given."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crmstudy import datasets
from crmstudy.customer_value import (BetaGeo, GammaGamma, cohort_retention, customer_lifetime_value,
                                     holdout_check, kmeans_segments, predict_churn, rfm,
                                     summary_data, tracking_data, value_loyalty_segments,
                                     value_vector)
from crmstudy.plotting import customer_value as cvplot
from crmstudy.plotting import set_theme


@pytest.fixture(scope="module")
def fitted():
    tx = datasets.load("cdnow_sample")
    s = summary_data(tx, "customer_id", "date", "dollar_value", "1997-09-30", "1998-06-30")
    bg, gg = BetaGeo().fit(s), GammaGamma().fit(s)
    return tx, s, bg, gg


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_render(fitted, lang):
    set_theme(lang=lang)
    tx, s, bg, gg = fitted
    table = rfm(tx, "customer_id", "date", "dollar_value")
    clv = customer_lifetime_value(bg, gg, s)
    figs = [
        cvplot.rfm_heatmap(table, lang=lang),
        cvplot.rfm_heatmap(table, value="count", lang=lang),
        cvplot.cohort_heatmap(cohort_retention(tx, "customer_id", "date", "dollar_value"), lang=lang),
        cvplot.distribution_plot(clv.table["p_alive"], "p_alive", lang=lang),
        cvplot.distribution_plot(clv.clv, "clv", lang=lang, log=True),
        cvplot.tracking_plot(tracking_data(bg, tx, "customer_id", "date", "dollar_value",
                                           "1997-09-30"), lang=lang),
        cvplot.holdout_plot(holdout_check(bg, s), lang=lang),
        cvplot.segment_scatter(value_loyalty_segments(clv.table, "clv", "p_alive", lang=lang),
                               lang=lang, log_value=True),
        cvplot.value_vector_plot(value_vector([3, 1], [4, 1], [0, 2], index=["a", "b"]), lang=lang),
    ]
    for fig in figs:
        assert isinstance(fig, matplotlib.figure.Figure)
        assert fig.axes[0].get_title()
    # the tracking plot draws the actual and expected series given to it
    tr = tracking_data(bg, tx, "customer_id", "date", "dollar_value", "1997-09-30")
    fig = cvplot.tracking_plot(tr, lang=lang)
    lines = fig.axes[0].get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), tr["actual_cumulative"])
    np.testing.assert_allclose(lines[1].get_ydata(), tr["expected_cumulative"])
    plt.close("all")


def test_model_and_cluster_figures(fitted):
    tx, s, bg, gg = fitted
    rng = np.random.default_rng(0)
    f = pd.DataFrame({"x": rng.normal(size=300)})
    f["churned"] = rng.uniform(size=300) < 1 / (1 + np.exp(-2 * f["x"]))
    res = predict_churn(f, n_estimators=20, seed=0)
    fig = cvplot.churn_model_plot(res, lang="en")
    assert len(fig.axes) == 2
    table = rfm(tx, "customer_id", "date", "dollar_value")
    km = kmeans_segments(table, k_range=range(2, 4), seed=0)
    fig = cvplot.cluster_plot(km, table, lang="zh")
    assert len(fig.axes) >= 2
    plt.close("all")
