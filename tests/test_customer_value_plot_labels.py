"""Chapter-05 figures in Chinese carry no English identifiers (issue 14: legends
``logistic/random_forest``, axis labels ``clv/frequency``, legend title ``segment_name``)."""
from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crmstudy.customer_value import kmeans_segments, predict_churn, value_loyalty_segments
from crmstudy.plotting import customer_value as cvplot
from crmstudy.plotting import set_theme

LEAKS = re.compile(r"logistic|random_forest|segment_name|\bclv\b|\bfrequency\b|\bcluster\b|alive")


def _texts(fig) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    n = 400
    features = pd.DataFrame({"recency": rng.integers(1, 300, n), "frequency": rng.integers(1, 9, n),
                             "monetary": rng.gamma(2, 40, n), "tenure": rng.integers(30, 400, n)},
                            index=[f"c{i}" for i in range(n)])
    features["churned"] = (rng.random(n) < 1 / (1 + np.exp(-(features["recency"] - 150) / 50))).astype(int)
    features["clv"] = features["monetary"] * features["frequency"] / 10
    return features


def test_zh_figures_have_no_english_identifiers(data):
    set_theme(lang="zh")
    churn = predict_churn(data.drop(columns="clv"), seed=1, n_estimators=20,
                          extra_scores={"bg_expected": -data["frequency"].astype(float)})
    segments = value_loyalty_segments(data, "clv", "frequency", high_if="gt", lang="zh")
    clusters = kmeans_segments(data, k_range=range(2, 4), seed=1, sample_size=200)
    figs = {"churn": cvplot.churn_model_plot(churn, lang="zh"),
            "segments": cvplot.segment_scatter(segments, lang="zh", log_value=True, log_loyalty=True),
            "clusters": cvplot.cluster_plot(clusters, data, lang="zh")}
    for name, fig in figs.items():
        texts = _texts(fig)
        leaks = [t for t in texts if LEAKS.search(t)]
        assert not leaks, (name, leaks)
    churn_legend = [t.get_text() for t in figs["churn"].axes[0].get_legend().get_texts()]
    assert any(t.startswith("逻辑回归") for t in churn_legend)
    assert any(t.startswith("随机森林") for t in churn_legend)
    assert figs["segments"].axes[0].get_ylabel() == "log10 价值：客户终生价值 CLV"
    assert figs["segments"].axes[0].get_xlabel() == "忠诚度：购买次数"
    # English keeps readable names too
    en = cvplot.segment_scatter(value_loyalty_segments(data, "clv", "frequency", lang="en"), lang="en")
    assert en.axes[0].get_xlabel() == "Loyalty: Frequency"
    plt.close("all")
