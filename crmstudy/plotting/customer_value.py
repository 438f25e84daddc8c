"""Figures of chapter 05 (customer value): RFM heat map, cohort retention heat map, P(alive)
and CLV distributions, calibration/holdout tracking plot, holdout check, the holdout comparison
of BTYD models, sBG survivor and retention curves, churn-model ROC and calibration, value ×
loyalty scatter with quadrants, k-means clusters, value vectors.

Every function takes results of :mod:`crmstudy.customer_value`, ``lang`` ("zh"/"en") and an
optional ``ax``, and returns the matplotlib Figure.  Labels are in :data:`TEXT` (data).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..indicators import check_lang
from . import PALETTE, new_axes


def _name(key, lang: str) -> str:
    """Display name of a model, measure or column from the catalogue (section customer_value);
    a name not found there (``BG/NBD``) is shown as it is."""
    from ..labels import catalogue

    entry = catalogue().get("customer_value", {}).get(str(key))
    return str(entry[lang]) if isinstance(entry, dict) and lang in entry else str(key)

__all__ = ["rfm_heatmap", "cohort_heatmap", "distribution_plot", "tracking_plot",
           "holdout_plot", "churn_model_plot", "segment_scatter", "cluster_plot",
           "value_vector_plot", "model_comparison_plot", "retention_plot", "TEXT"]

TEXT = {
    "zh": {"rfm_title": "RFM 热力图：各 R × F 单元格的{value}", "R": "最近购买得分 R（5 = 最近）",
           "F": "购买频率得分 F（5 = 最多）", "monetary": "平均消费金额", "count": "客户数",
           "cohort_title": "按首购月份的同期群留存率", "cohort": "首购期（同期群）",
           "since": "距首购的期数（{freq}）", "retention": "留存率",
           "p_alive": "存活概率", "clv": "客户终生价值 CLV", "customers": "客户数",
           "dist_title": "{what}的分布", "tracking_title": "累计重复购买：实际与 BG/NBD 预测",
           "time": "时间（{unit}）", "cum": "累计重复购买次数", "actual": "实际", "expected": "BG/NBD 预测",
           "cal_end": "校准期结束", "weekly": "每{unit}重复购买次数",
           "holdout_title": "保留期购买：按校准期购买次数分组", "freq_cal": "校准期重复购买次数",
           "mean_holdout": "保留期平均购买次数", "roc_title": "流失预测：ROC 曲线",
           "fpr": "假阳性率", "tpr": "真阳性率", "calib_title": "校准曲线", "pred": "预测流失概率",
           "obs": "实际流失比例", "seg_title": "客户价值—忠诚度矩阵", "value": "价值",
           "loyalty": "忠诚度", "cluster_title": "k 均值聚类（k = {k}）",
           "silhouette": "轮廓系数", "k": "聚类数 k", "vector_title": "客户价值向量的方向角",
           "angle": "与坐标轴的夹角（度）", "compare_title": "保留期购买：各模型预测与实际",
           "sbg_title": "同期群存活人数：实际与 sBG 模型", "survivors": "仍在订的客户数",
           "period": "期（自获客起）", "retention_title": "保持率：实际与 sBG 模型",
           "fitted": "sBG 拟合 / 预测", "sep": "：", "units": {"D": "天", "W": "周", "M": "月", "Q": "季度", "Y": "年"}},
    "en": {"rfm_title": "RFM heat map: {value} per R × F cell", "R": "Recency score R (5 = most recent)",
           "F": "Frequency score F (5 = most often)", "monetary": "mean monetary value",
           "count": "customers", "cohort_title": "Cohort retention by month of first purchase",
           "cohort": "First-purchase period (cohort)", "since": "Periods since first purchase ({freq})",
           "retention": "retention rate", "p_alive": "P(alive)", "clv": "Customer lifetime value (CLV)",
           "customers": "Customers", "dist_title": "Distribution of {what}",
           "tracking_title": "Cumulative repeat purchases: actual vs BG/NBD",
           "time": "Time ({unit})", "cum": "Cumulative repeat purchases", "actual": "Actual",
           "expected": "BG/NBD", "cal_end": "end of calibration", "weekly": "Repeat purchases per {unit}",
           "holdout_title": "Holdout purchases by calibration frequency",
           "freq_cal": "Repeat purchases in calibration", "mean_holdout": "Mean purchases in holdout",
           "roc_title": "Churn prediction: ROC curves", "fpr": "False positive rate",
           "tpr": "True positive rate", "calib_title": "Calibration", "pred": "Predicted churn probability",
           "obs": "Observed churn share", "seg_title": "Value × loyalty matrix", "value": "Value",
           "loyalty": "Loyalty", "cluster_title": "k-means clusters (k = {k})", "silhouette": "Silhouette",
           "k": "Number of clusters k", "vector_title": "Direction angles of customer-value vectors",
           "angle": "Angle to the axis (degrees)", "compare_title": "Holdout purchases: models vs actual",
           "sbg_title": "Cohort survivors: actual vs sBG", "survivors": "Customers still active",
           "period": "Period since acquisition", "retention_title": "Retention rate: actual vs sBG",
           "fitted": "sBG fit / projection", "sep": ": ",
           "units": {"D": "days", "W": "weeks", "M": "months", "Q": "quarters", "Y": "years"}},
}


def rfm_heatmap(table: pd.DataFrame, value: str = "monetary", agg: str = "mean",
                lang: str = "zh", ax=None):
    """Heat map of ``agg(value)`` (or the customer count, ``value="count"``) per R × F cell."""
    import seaborn as sns

    from ..customer_value.rfm import rfm_grid

    check_lang(lang)
    t = TEXT[lang]
    grid = rfm_grid(table, value=value, agg=agg)
    fig, ax = new_axes(ax, figsize=(6.5, 5))
    sns.heatmap(grid, annot=True, fmt=".0f", cmap="YlGnBu", ax=ax, linewidths=0.5,
                cbar_kws={"label": t["count"] if value == "count" else t.get(value, value)})
    ax.set_xlabel(t["F"])
    ax.set_ylabel(t["R"])
    ax.set_title(t["rfm_title"].format(value=t["count"] if value == "count" else t.get(value, value)))
    return fig


def cohort_heatmap(matrix: pd.DataFrame, lang: str = "zh", max_periods: int | None = 12, ax=None):
    """Heat map of a :func:`~crmstudy.customer_value.cohort_retention` matrix (shares)."""
    import seaborn as sns

    check_lang(lang)
    t = TEXT[lang]
    m = matrix if max_periods is None else matrix.iloc[:, :max_periods + 1]
    fig, ax = new_axes(ax, figsize=(min(12, 1.0 + 0.65 * m.shape[1]), 1.5 + 0.45 * m.shape[0]))
    sns.heatmap(m, annot=True, fmt=".0%", cmap="Blues", vmin=0, vmax=float(np.nanmax(m.iloc[:, 1:].to_numpy()))
                if m.shape[1] > 1 else 1, ax=ax, cbar_kws={"label": t["retention"]}, linewidths=0.3)
    freq = matrix.attrs.get("freq", "M")
    ax.set_xlabel(t["since"].format(freq=t["units"].get(freq, freq)))
    ax.set_ylabel(t["cohort"])
    ax.set_title(t["cohort_title"])
    return fig


def distribution_plot(values: pd.Series, what: str = "clv", lang: str = "zh", bins: int = 50,
                      log: bool = False, ax=None):
    """Histogram of P(alive) (``what="p_alive"``) or CLV (``what="clv"``) across customers."""
    check_lang(lang)
    t = TEXT[lang]
    fig, ax = new_axes(ax, figsize=(6.5, 4))
    v = pd.Series(values).dropna().to_numpy()
    if log:  # values below 0.01 (a cent of CLV) would stretch the axis over empty decades
        v = np.log10(v[v >= 0.01])
    ax.hist(v, bins=bins, color="#4c72b0", edgecolor="white")
    label = t.get(what, what)
    ax.set_xlabel(f"log10 {label}" if log else label)
    ax.set_ylabel(t["customers"])
    ax.axvline(np.median(v), color="0.3", ls="--", lw=1)
    ax.set_title(t["dist_title"].format(what=label))
    return fig


def tracking_plot(tracking: pd.DataFrame, cumulative: bool = True, lang: str = "zh", ax=None):
    """Actual vs expected repeat purchases over time (FHL 2005a, figs 2-3)."""
    check_lang(lang)
    t = TEXT[lang]
    fig, ax = new_axes(ax, figsize=(7.5, 4.5))
    a, e = ("actual_cumulative", "expected_cumulative") if cumulative else ("actual", "expected")
    ax.plot(tracking["time"], tracking[a], color="black", lw=1.8, label=t["actual"])
    ax.plot(tracking["time"], tracking[e], color="#dd8452", lw=1.8, ls="--", label=t["expected"])
    end = tracking.loc[tracking["calibration"], "time"].max()
    ax.axvline(end, color="0.5", ls=":", lw=1)
    ax.text(end, ax.get_ylim()[1] * 0.95, " " + t["cal_end"], color="0.4", va="top", fontsize=9)
    unit = t["units"].get(tracking.attrs.get("time_unit", "W"), "")
    ax.set_xlabel(t["time"].format(unit=unit))
    ax.set_ylabel(t["cum"] if cumulative else t["weekly"].format(unit=unit))
    ax.set_title(t["tracking_title"])
    ax.legend()
    return fig


def holdout_plot(check: pd.DataFrame, lang: str = "zh", ax=None):
    """Mean actual vs predicted holdout purchases per calibration frequency."""
    check_lang(lang)
    t = TEXT[lang]
    fig, ax = new_axes(ax, figsize=(6.5, 4))
    x = np.arange(len(check))
    ax.plot(x, check["actual"], marker="o", color="black", label=t["actual"])
    ax.plot(x, check["predicted"], marker="s", ls="--", color="#dd8452", label=t["expected"])
    ax.set_xticks(x, check["label"])
    ax.set_xlabel(t["freq_cal"])
    ax.set_ylabel(t["mean_holdout"])
    ax.set_title(t["holdout_title"])
    ax.legend()
    return fig


def churn_model_plot(result, lang: str = "zh"):
    """ROC curves and calibration curves of a :class:`~crmstudy.customer_value.ChurnModels`."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_curve

    check_lang(lang)
    t = TEXT[lang]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
    y = result.scores.iloc[:, 0]
    for name in result.scores.columns[1:]:
        fpr, tpr, _ = roc_curve(y, result.scores[name])
        ax1.plot(fpr, tpr, label=f"{_name(name, lang)} (AUC {result.metrics.loc[name, 'roc_auc']:.3f})")
    ax1.plot([0, 1], [0, 1], color="0.6", ls=":")
    ax1.set(xlabel=t["fpr"], ylabel=t["tpr"], title=t["roc_title"])
    ax1.legend(fontsize=8)
    for name, part in result.calibration.groupby("model", sort=False):
        ax2.plot(part["predicted"], part["observed"], marker="o", ms=3, label=_name(name, lang))
    ax2.plot([0, 1], [0, 1], color="0.6", ls=":")
    ax2.set(xlabel=t["pred"], ylabel=t["obs"], title=t["calib_title"])
    ax2.legend(fontsize=8)
    return fig


def segment_scatter(segments: pd.DataFrame, lang: str = "zh", log_value: bool = False,
                    log_loyalty: bool = False, value_label: str | None = None,
                    loyalty_label: str | None = None, ax=None):
    """Value × loyalty scatter with the cut lines; colours by class (HH, HL, LH, LL).

    ``log_value`` / ``log_loyalty`` draw the axis on a log scale (skewed measures such as CLV
    or purchase counts); values must then be positive (smaller ones are clipped at 1e-3).
    """
    import seaborn as sns

    check_lang(lang)
    t = TEXT[lang]
    fig, ax = new_axes(ax, figsize=(7, 5.5))
    data = segments.copy()
    x_col, y_col = "loyalty", "value"
    v_cut = segments.attrs.get("value_cut", data["value"].median())
    l_cut = segments.attrs.get("loyalty_cut", data["loyalty"].median())
    if log_value:
        data["value"] = np.log10(data["value"].clip(lower=1e-3))
        v_cut = np.log10(max(v_cut, 1e-3))
    # jitter nothing: positions are the data; draw small points, many customers overlap
    order = (data[["segment", "segment_name"]].drop_duplicates().sort_values("segment")
             ["segment_name"].tolist())
    if log_loyalty:
        from matplotlib.ticker import FuncFormatter

        data["loyalty"] = data["loyalty"].clip(lower=1e-3)
        ax.set_xscale("log")   # plain tick numbers (1, 10, 100), not mathtext 10^k
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    sns.scatterplot(data=data, x=x_col, y=y_col, hue="segment_name", hue_order=order, s=12,
                    alpha=0.6, palette=PALETTE, ax=ax, linewidth=0)
    ax.axvline(l_cut, color="0.3", lw=1, ls="--")
    ax.axhline(v_cut, color="0.3", lw=1, ls="--")
    sep = t["sep"]   # measure names from the catalogue (issue 14: no "clv" in a zh figure)
    ax.set_xlabel(loyalty_label or f"{t['loyalty']}{sep}{_name(segments.attrs.get('loyalty_measure', ''), lang)}")
    value_name = value_label or f"{t['value']}{sep}{_name(segments.attrs.get('value_measure', ''), lang)}"
    ax.set_ylabel(f"log10 {value_name}" if log_value else value_name)
    ax.set_title(t["seg_title"])
    ax.legend(fontsize=8, markerscale=1.5, loc="best", title=_name("segment", lang))
    return fig


def cluster_plot(result, rfm_table: pd.DataFrame, lang: str = "zh"):
    """Silhouette by k and the clusters in the (log F, log M) plane coloured by cluster."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    check_lang(lang)
    t = TEXT[lang]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
    ax1.plot(result.silhouette.index, result.silhouette.to_numpy(), marker="o")
    ax1.axvline(result.k, color="0.5", ls=":")
    ax1.set(xlabel=t["k"], ylabel=t["silhouette"])
    frame = pd.DataFrame({"F": np.log1p(rfm_table["frequency"]), "M": np.log1p(rfm_table["monetary"]),
                          "cluster": result.labels.astype(str)})
    sns.scatterplot(data=frame, x="F", y="M", hue="cluster", s=8, alpha=0.5, linewidth=0, ax=ax2,
                    palette=PALETTE)
    ax2.set(xlabel="log(1 + F)", ylabel="log(1 + M)", title=t["cluster_title"].format(k=result.k))
    if ax2.get_legend() is not None:
        ax2.get_legend().set_title(_name("cluster", lang))
    return fig


def value_vector_plot(vectors: pd.DataFrame, lang: str = "zh", ax=None):
    """Direction angles (to the economic, functional, psychological axes) of value vectors."""
    from ..customer_value.vector import AXES

    check_lang(lang)
    t = TEXT[lang]
    fig, ax = new_axes(ax, figsize=(7, 4))
    angles = vectors[[f"angle_{a}" for a in AXES]]
    angles.columns = [AXES[a][0 if lang == "zh" else 1] for a in AXES]
    angles.plot.bar(ax=ax, width=0.8)
    ax.set_ylabel(t["angle"])
    ax.set_title(t["vector_title"])
    ax.tick_params(axis="x", rotation=0)
    return fig


def model_comparison_plot(comparison, lang: str = "zh", ax=None):
    """Mean holdout purchases by calibration frequency: actual and each model of a
    :class:`~crmstudy.customer_value.ModelComparison` (FHL 2005a, fig. 4, several models)."""
    check_lang(lang)
    t = TEXT[lang]
    fig, ax = new_axes(ax, figsize=(7, 4.5))
    table = comparison.by_frequency
    x = np.arange(len(table))
    ax.plot(x, table["actual"], marker="o", color="black", lw=2, label=t["actual"])
    models = [c for c in table.columns if c not in ("label", "customers", "actual")]
    markers = ["s", "^", "D", "v", "P"]
    for i, name in enumerate(models):
        ax.plot(x, table[name], marker=markers[i % len(markers)], ls="--", label=_name(name, lang))
    ax.set_xticks(x, table["label"])
    ax.set_xlabel(t["freq_cal"])
    ax.set_ylabel(t["mean_holdout"])
    ax.set_title(t["compare_title"])
    ax.legend()
    return fig


def retention_plot(projection: pd.DataFrame, lang: str = "zh"):
    """Survivors and retention rates of a cohort, actual vs the sBG fit and projection.

    ``projection`` is :meth:`ShiftedBetaGeometric.project` (columns ``actual``, ``expected``,
    ``retention_actual``, ``retention_expected``, ``calibration``); the dotted line marks the
    end of the calibration periods.
    """
    import matplotlib.pyplot as plt

    check_lang(lang)
    t = TEXT[lang]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    p = projection
    end = p.index[p["calibration"]].max()
    ax1.plot(p.index, p["actual"], marker="o", color="black", lw=1.5, label=t["actual"])
    ax1.plot(p.index, p["expected"], color="#dd8452", lw=2, ls="--", label=t["fitted"])
    ax1.set(xlabel=t["period"], ylabel=t["survivors"], title=t["sbg_title"])
    ax2.plot(p.index, p["retention_actual"], marker="o", color="black", lw=1.5, label=t["actual"])
    ax2.plot(p.index, p["retention_expected"], color="#dd8452", lw=2, ls="--", label=t["fitted"])
    ax2.set(xlabel=t["period"], ylabel=t["retention"], title=t["retention_title"])
    for ax in (ax1, ax2):
        ax.axvline(end, color="0.5", ls=":", lw=1)
        ax.text(end, ax.get_ylim()[1], " " + t["cal_end"], color="0.4", va="top", fontsize=9)
        ax.legend()
    return fig
