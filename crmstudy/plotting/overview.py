"""Figures of chapter 01: the analysis framework and a first look at the sample data."""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from ..errors import InputDataError
from ..indicators import capability_framework, check_lang
from . import PALETTE, _tint, new_axes

__all__ = ["framework_figure", "likert_shares", "monthly_activity"]

_TEXT = {
    "basic": {"zh": "基本活动", "en": "Basic activities"},
    "support": {"zh": "支持活动（影响因素）", "en": "Support activities (influencing factors)"},
    "title": {"zh": "客户关系管理能力分析框架", "en": "CRM capability analysis framework"},
    "share": {"zh": "回答比例", "en": "Share of answers"},
    "missing": {"zh": "缺失", "en": "missing"},
    "likert_title": {"zh": "各题项回答分布", "en": "Distribution of answers per item"},
    "month": {"zh": "月份", "en": "Month"},
    "customers": {"zh": "购买客户数", "en": "Buying customers"},
    "revenue": {"zh": "销售额", "en": "Revenue"},
}


def framework_figure(lang: str = "zh", ax=None):
    """The value-chain shaped framework: support activities above, basic activities as a chain.

    Returns the matplotlib Figure.
    """
    import seaborn as sns
    from matplotlib.patches import FancyArrow, FancyBboxPatch

    check_lang(lang)
    table = capability_framework(lang)
    basic = table[table["activity"] == "basic"]
    support = table[table["activity"] == "support"]
    fig, ax = new_axes(ax, figsize=(10, 5.2))
    colours = sns.color_palette(PALETTE, 8)
    # support activities: stacked bands across the width
    for i, (_, row) in enumerate(support.iterrows()):
        y = 5.6 - i * 0.55
        ax.add_patch(FancyBboxPatch((0.2, y), 9.6, 0.42, boxstyle="round,pad=0.02",
                                    fc=_tint(colours[7], 0.35), ec=colours[7], lw=0.8))
        ax.text(0.35, y + 0.21, row["name"], va="center", ha="left", fontsize=10)
        ax.text(2.9, y + 0.21, row["description"], va="center", ha="left", fontsize=8.5)
    ax.text(0.2, 6.25, _TEXT["support"][lang], fontsize=11)
    # basic activities: chevrons left to right
    ax.text(0.2, 2.15, _TEXT["basic"][lang], fontsize=11)
    width = 9.6 / len(basic)
    for i, (_, row) in enumerate(basic.iterrows()):
        x = 0.2 + i * width
        ax.add_patch(FancyArrow(x, 1.1, width - 0.12, 0, width=1.3, head_width=1.3,
                                head_length=0.35, length_includes_head=True,
                                fc=_tint(colours[i], 0.55), ec=colours[i]))
        # wrap long (English) names to the chevron's width; Chinese names fit on one line
        name = textwrap.fill(row["name"], width=16, break_long_words=False)
        label = name + (f"\n({row['indicator']})" if pd.notna(row["indicator"]) else "")
        ax.text(x + (width - 0.35) / 2, 1.1, label, ha="center", va="center", fontsize=9.5)
    ax.set_xlim(0, 10)
    ax.set_ylim(0.2, 6.5)
    ax.axis("off")
    ax.set_title(_TEXT["title"][lang])
    return fig


def likert_shares(items: pd.DataFrame, labels: dict | None = None, scale=(1, 7),
                  lang: str = "zh", ax=None):
    """Stacked horizontal bars: share of each answer category per item, plus missing.

    Parameters
    ----------
    items : DataFrame
        Raw answers, one column per item.  Values outside ``scale`` (missing-value codes such
        as 99 or -9) and NaN are counted as missing.
    labels : dict, optional
        Item -> label for the y axis.
    scale : (int, int)
        Lowest and highest answer category.
    """
    import seaborn as sns

    check_lang(lang)
    low, high = scale
    values = items.apply(pd.to_numeric, errors="coerce")
    if values.isna().all().all() and len(items):
        raise InputDataError("no numeric answers to plot",
                             hint="pass the item columns of the survey")
    categories = np.arange(low, high + 1)
    counts = pd.DataFrame({c: (values == c).sum() for c in categories})
    counts[_TEXT["missing"][lang]] = len(values) - counts.sum(axis=1)
    shares = counts.div(len(values))
    if labels:
        shares.index = [labels.get(i, i) for i in shares.index]
    fig, ax = new_axes(ax, figsize=(8, max(3.0, 0.3 * len(shares) + 1.2)))
    colours = sns.color_palette("RdYlGn", len(categories)) + [(0.75, 0.75, 0.75)]
    left = np.zeros(len(shares))
    for colour, column in zip(colours, shares.columns):
        ax.barh(shares.index, shares[column], left=left, color=colour, label=str(column),
                edgecolor="white", linewidth=0.5)
        left += shares[column].to_numpy()
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(_TEXT["share"][lang])
    ax.set_title(_TEXT["likert_title"][lang])
    ax.legend(ncol=len(shares.columns), loc="lower center", bbox_to_anchor=(0.5, 1.06),
              frameon=False, fontsize=8, handlelength=1)
    ax.grid(False)
    return fig


def monthly_activity(transactions: pd.DataFrame, customer_col: str, date_col: str,
                     amount_col: str, lang: str = "zh", ax=None):
    """Buying customers and revenue per calendar month (two axes)."""
    check_lang(lang)
    for column in (customer_col, date_col, amount_col):
        if column not in transactions.columns:
            raise InputDataError(f"column {column!r} not found", column=column,
                                 hint=f"the table has {', '.join(map(str, transactions.columns))}")
    month = pd.to_datetime(transactions[date_col]).dt.to_period("M")
    monthly = transactions.groupby(month, observed=True).agg(
        customers=(customer_col, "nunique"), revenue=(amount_col, "sum"))
    fig, ax = new_axes(ax, figsize=(8, 3.8))
    x = monthly.index.to_timestamp()
    ax.bar(x, monthly["customers"], width=20, color="#4c72b0", alpha=0.8,
           label=_TEXT["customers"][lang])
    ax.set_ylabel(_TEXT["customers"][lang])
    ax.set_xlabel(_TEXT["month"][lang])
    twin = ax.twinx()
    twin.plot(x, monthly["revenue"], color="#dd8452", marker="o", ms=3, label=_TEXT["revenue"][lang])
    twin.set_ylabel(_TEXT["revenue"][lang])
    twin.grid(False)
    return fig
