"""Firm performance (企业绩效): financial ratios, customer and innovation indicators, composites.

Performance is measured from three angles (``crmstudy.indicators.performance_system()``, codes
B1-B3).  This module computes the indicators from raw firm-year data with their textbook
definitions and combines them into one composite score per dimension.

Financial ratios (B1, :func:`financial_ratios`), "average" = mean of the opening balance
(previous year-end) and the closing balance (this year-end):

==========================  ====  ===========================================================
ratio                       code  definition
==========================  ====  ===========================================================
``roe``                     B11   net profit / average equity (净资产收益率)
``rota``                    B12   (total profit + interest expense) / average total assets
                                  (总资产报酬率)
``total_asset_turnover``    B13   revenue / average total assets (总资产周转率)
``current_asset_turnover``  B14   revenue / average current assets (流动资产周转率)
``debt_to_asset``           B15   total liabilities / total assets, year-end (资产负债率)
``sales_growth``            B16   (revenue - last year's revenue) / last year's revenue (销售增长率)
``capital_accumulation``    B17   (equity - opening equity) / opening equity (资本积累率)
==========================  ====  ===========================================================

Ratios are fractions (0.12 = 12 %).  A ratio that needs the previous year is **not
computable** in a firm's first year or after a gap in its years: it is NaN and the reason is
listed per firm-year in ``issues``, never computed silently on one balance.  The alternative
convention ``balance="closing"`` (year-end balances, common in quick screens) is available
by name and recorded in the result.  A zero or negative denominator (average equity <= 0,
i.e. negative net assets; zero assets; zero sales last year) gives NaN with its reason.

Customer (B2, :func:`customer_indicators`) and innovation (B3, :func:`innovation_indicators`)
indicators are shares of raw counts and amounts, computed for whichever inputs the table has.

The composite (:func:`composite_performance`) reuses :func:`crmstudy.entropy.entropy_weights`
(``method="entropy"``: score = sum_j w_j x'_ij with x' the min-max standardised indicator,
cost indicators reversed; 0-1) or takes the standardised mean (``method="zscore"``: the mean of
the z-scores, cost indicators sign-reversed).

References
----------
财政部《企业绩效评价标准值》/ 国资委《中央企业综合绩效评价实施细则》 (definitions of the
ratios); Kaplan, R. S., & Norton, D. P. (1996). *The balanced scorecard*. HBS Press.

Examples
--------
>>> from crmstudy import datasets, performance
>>> fin = performance.financial_ratios(datasets.load("crm_financials"))   # doctest: +SKIP
>>> fin.values.loc["F0001"]                                                # doctest: +SKIP
>>> fin.issues.head()                                                      # doctest: +SKIP
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import DataQualityWarning, InputDataError, ParameterError
from .indicators import check_lang, performance_system

__all__ = [
    "financial_ratios",
    "customer_indicators",
    "innovation_indicators",
    "composite_performance",
    "IndicatorTable",
    "CompositePerformance",
    "INDICATORS",
    "BALANCES",
]

BALANCES = ("average", "closing")


@dataclass(frozen=True)
class _Spec:
    code: str
    numerator: tuple          # columns added up
    denominator: str          # a column, or "avg:<col>" / "prev:<col>"
    kind: str = "ratio"       # "ratio", "growth" (num - prev) / prev, "inverse" 1 / x
    dimension: str = "financial"


# name -> how it is computed; columns are the default raw-column names (``columns=`` renames)
INDICATORS: dict[str, _Spec] = {
    "roe": _Spec("B11", ("net_profit",), "avg:equity"),
    "rota": _Spec("B12", ("total_profit", "interest_expense"), "avg:total_assets"),
    "total_asset_turnover": _Spec("B13", ("revenue",), "avg:total_assets"),
    "current_asset_turnover": _Spec("B14", ("revenue",), "avg:current_assets"),
    "debt_to_asset": _Spec("B15", ("total_liabilities",), "total_assets"),
    "sales_growth": _Spec("B16", ("revenue",), "prev:revenue", kind="growth"),
    "capital_accumulation": _Spec("B17", ("equity",), "prev:equity", kind="growth"),
    "acquisition_rate": _Spec("B21", ("customers_acquired",), "customers_start",
                              dimension="customer"),
    "retention_rate": _Spec("B22", ("customers_retained",), "customers_start",
                            dimension="customer"),
    "satisfaction_rate": _Spec("B23", ("customers_satisfied",), "customers_surveyed",
                               dimension="customer"),
    "cross_selling_share": _Spec("B24", ("cross_selling_revenue",), "revenue",
                                 dimension="customer"),
    "share_of_wallet": _Spec("B25", ("wallet_purchases",), "wallet_category_total",
                             dimension="customer"),
    "speed_to_market": _Spec("B31", (), "time_to_market", kind="inverse",
                             dimension="innovation"),
    "new_product_sales_share": _Spec("B32", ("new_product_revenue",), "revenue",
                                     dimension="innovation"),
    "new_product_output_share": _Spec("B33", ("new_product_output",), "total_output",
                                      dimension="innovation"),
}
DIMENSIONS = {"financial": "B1", "customer": "B2", "innovation": "B3"}

_REASONS = {
    "zh": {"first_year": "该企业的第一年：没有年初（上年末）余额", "gap": "缺少上一年 ({prev}) 的数据",
           "missing": "输入缺失：{cols}", "nonpositive": "分母 {den} ≤ 0",
           "negative_equity": "平均净资产 ≤ 0（资不抵债）"},
    "en": {"first_year": "first year of the firm: no opening (previous year-end) balance",
           "gap": "previous year ({prev}) missing", "missing": "input missing: {cols}",
           "nonpositive": "denominator {den} <= 0",
           "negative_equity": "average equity <= 0 (negative net assets)"},
}


def _labels(lang: str) -> dict[str, str]:
    system = performance_system()
    out = {name: system.label(spec.code, lang=lang) for name, spec in INDICATORS.items()}
    out.update({dim: system.label(code, lang=lang) for dim, code in DIMENSIONS.items()})
    return out


def _directions() -> dict[str, str]:
    dirs = performance_system().directions()
    return {name: dirs[spec.code] for name, spec in INDICATORS.items()}


# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IndicatorTable:
    """Indicators per firm-year, with the reason for every value that is not computable.

    Attributes
    ----------
    values : DataFrame
        Index (firm, year); one column per computed indicator (fractions).
    issues : DataFrame
        One row per firm-year and indicator that is NaN: ``firm``, ``year``, ``indicator``,
        ``reason`` (English; ``issues_text(lang)`` translates).
    dimension : str
        "financial", "customer" or "innovation".
    skipped : dict
        Indicator -> missing input columns (indicators the table has no data for).
    balance : str
        "average" (textbook, needs the previous year) or "closing".
    conventions : dict
    """

    values: pd.DataFrame
    issues: pd.DataFrame
    dimension: str
    skipped: dict
    balance: str
    conventions: dict

    def by_firm(self, how: str = "mean", years: Sequence[int] | None = None) -> pd.DataFrame:
        """One row per firm: the ``mean`` (or ``median``, or ``last``) over the computable
        years (optionally only ``years``); NaN years are skipped, not counted as zero."""
        vals = self.values
        if years is not None:
            vals = vals[vals.index.get_level_values(1).isin(list(years))]
        grouped = vals.groupby(level=0, sort=False)
        if how == "mean":
            return grouped.mean()
        if how == "median":
            return grouped.median()
        if how == "last":
            return grouped.last()
        raise ParameterError(f"unknown aggregation {how!r}", hint='use "mean", "median" or "last"')

    def table(self, lang: str = "zh") -> pd.DataFrame:
        """``values`` with bilingual column headers (indicator names of the system)."""
        check_lang(lang)
        return self.values.rename(columns=_labels(lang))

    def issues_text(self, lang: str = "zh") -> pd.DataFrame:
        check_lang(lang)
        if lang == "en":
            return self.issues.copy()
        out = self.issues.copy()
        out["indicator"] = out["indicator"].map(_labels("zh")).fillna(out["indicator"])
        out["reason"] = out["reason_zh"]
        return out

    def summary(self, lang: str = "en") -> str:
        check_lang(lang)
        desc = self.values.describe().T[["count", "mean", "std", "min", "max"]]
        counts = self.issues.groupby(["indicator", "reason"]).size().rename("firm-years")
        lines = [f"{self.dimension} indicators ({self.balance} balances), "
                 f"{len(self.values)} firm-years", desc.round(4).to_string()]
        if len(counts):
            lines += ["", "not computable:", counts.to_string()]
        if self.skipped:
            lines += ["", "skipped (no input columns): " + ", ".join(
                f"{k} ({', '.join(v)})" for k, v in self.skipped.items())]
        return "\n".join(lines)


def _check_table(table: pd.DataFrame, firm: str, year: str, what: str) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise InputDataError(f"{what}: expected a pandas DataFrame, got {type(table).__name__}",
                             hint="read the table with crmstudy.datasets.read_table")
    for col in (firm, year):
        if col not in table.columns:
            raise InputDataError(f"{what}: column {col!r} is missing", column=col,
                                 hint=f"name the firm and year columns (firm=..., year=...); "
                                      f"columns are {', '.join(map(str, table.columns))}")
    years = pd.to_numeric(table[year], errors="coerce")
    bad = years.isna() | (years != np.round(years))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputDataError(f"{what}: year {table[year].iloc[i]!r} is not a whole number",
                             row=table.index[i], column=year, hint="give years like 2021")
    dup = table.duplicated([firm, year], keep=False)
    if dup.any():
        pairs = table.loc[dup, [firm, year]].drop_duplicates()
        listed = "; ".join(f"{f} {y}" for f, y in pairs.head(5).itertuples(index=False))
        raise InputDataError(
            f"{what}: {len(pairs)} firm-year(s) appear more than once ({listed})",
            row=f"{pairs.iloc[0, 0]} {pairs.iloc[0, 1]}",
            hint="keep one row per firm and year (sum or correct the duplicates)")
    out = table.copy()
    out[year] = years.astype("int64")
    return out.sort_values([firm, year], kind="stable").set_index([firm, year])


def _indicators(table: pd.DataFrame, names: Sequence[str], *, firm: str, year: str,
                balance: str, columns: Mapping[str, str] | None, what: str,
                dimension: str, require_all: bool = False) -> IndicatorTable:
    if balance not in BALANCES:
        raise ParameterError(f"unknown balance convention {balance!r}",
                             hint=f"use one of {', '.join(BALANCES)}")
    rename = dict(columns or {})
    frame = _check_table(table, firm, year, what)
    col = lambda c: rename.get(c, c)  # noqa: E731  raw name -> the user's column name
    # which indicators have all their inputs
    needed, skipped = {}, {}
    for name in names:
        spec = INDICATORS[name]
        den = spec.denominator.split(":")[-1]
        cols = [col(c) for c in (*spec.numerator, den)]
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            skipped[name] = missing
        else:
            needed[name] = cols
    if skipped and require_all:
        missing = sorted({c for v in skipped.values() for c in v})
        raise InputDataError(f"{what}: column(s) {', '.join(missing)} missing",
                             column=missing[0],
                             hint="add the items or map your names with columns={...}"
                                  " (or ask for fewer ratios=[...])")
    if not needed:
        raise InputDataError(f"{what}: none of the {dimension} indicators can be computed",
                             hint="the table needs e.g. columns " + ", ".join(
                                 sorted({c for v in skipped.values() for c in v})[:6])
                             + " (or map your names with columns={...})")
    used = sorted({c for cols in needed.values() for c in cols})
    for c in used:
        if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]):
            raise InputDataError(f"{what}: column {c!r} is not numeric (dtype {frame[c].dtype})",
                                 column=c, hint="convert it to numbers")
    data = frame[used].astype(float)
    firm_idx = data.index.get_level_values(0)
    year_idx = data.index.get_level_values(1).to_numpy()
    prev = data.groupby(level=0, sort=False).shift(1)
    prev_year = pd.Series(year_idx, index=data.index).groupby(level=0, sort=False).shift(1)
    first = prev_year.isna().to_numpy()
    gap = (~first) & (prev_year.to_numpy() != year_idx - 1)
    # previous-year values exist only for consecutive years
    prev = prev.where(pd.Series(~gap & ~first, index=data.index), axis=0)
    values, issue_frames = {}, []
    for name, cols in needed.items():
        spec = INDICATORS[name]
        how, _, den_col = spec.denominator.rpartition(":")
        den_col = col(den_col)
        needs_prev = (how == "prev" or spec.kind == "growth"
                      or (how == "avg" and balance == "average"))
        num = data[[col(c) for c in spec.numerator]].sum(axis=1, min_count=len(spec.numerator)) \
            if spec.numerator else pd.Series(1.0, index=data.index)
        if how == "avg":
            den = (data[den_col] + prev[den_col]) / 2 if balance == "average" else data[den_col]
        elif how == "prev":
            den = prev[den_col]
        else:
            den = data[den_col]
        if spec.kind == "growth":
            num = num - prev[den_col]
        reason = pd.Series("", index=data.index, dtype=object)
        reason_zh = pd.Series("", index=data.index, dtype=object)
        # order: the first applicable reason is reported
        input_na = data[cols].isna()
        has_na = input_na.any(axis=1).to_numpy()
        if has_na.any():
            names_na = input_na.apply(lambda r: ", ".join(r.index[r]), axis=1)
            reason[has_na] = ["input missing: " + s for s in names_na[has_na]]
            reason_zh[has_na] = ["输入缺失：" + s for s in names_na[has_na]]
        if needs_prev:
            m = first & (reason == "").to_numpy()
            reason[m], reason_zh[m] = _REASONS["en"]["first_year"], _REASONS["zh"]["first_year"]
            m = gap & (reason == "").to_numpy()
            reason[m] = [_REASONS["en"]["gap"].format(prev=y - 1) for y in year_idx[m]]
            reason_zh[m] = [_REASONS["zh"]["gap"].format(prev=y - 1) for y in year_idx[m]]
            prev_na = prev[cols].isna().any(axis=1).to_numpy() if how == "prev" or \
                spec.kind == "growth" else prev[[den_col]].isna().any(axis=1).to_numpy()
            m = prev_na & (reason == "").to_numpy()
            reason[m] = "input missing: previous year"
            reason_zh[m] = "输入缺失：上一年数据"
        m = (den.to_numpy() <= 0) & (reason == "").to_numpy()
        if den_col == col("equity") and how == "avg":
            reason[m], reason_zh[m] = (_REASONS["en"]["negative_equity"],
                                       _REASONS["zh"]["negative_equity"])
        else:
            label = ("average " if how == "avg" and balance == "average" else
                     "previous-year " if how == "prev" else "") + den_col
            reason[m] = _REASONS["en"]["nonpositive"].format(den=label)
            reason_zh[m] = _REASONS["zh"]["nonpositive"].format(den=label)
        ok = (reason == "").to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(ok, num.to_numpy() / den.to_numpy(), np.nan)
        values[name] = value
        bad = ~ok
        if bad.any():
            issue_frames.append(pd.DataFrame({
                "firm": firm_idx[bad], "year": year_idx[bad], "indicator": name,
                "reason": reason.to_numpy()[bad], "reason_zh": reason_zh.to_numpy()[bad]}))
    out = pd.DataFrame(values, index=data.index)
    issues = pd.concat(issue_frames, ignore_index=True) if issue_frames else pd.DataFrame(
        columns=["firm", "year", "indicator", "reason", "reason_zh"])
    gaps = issues[issues["reason"].str.startswith("previous year")]
    if len(gaps):
        pairs = gaps[["firm", "year"]].drop_duplicates()
        listed = "; ".join(f"{f} {y}" for f, y in pairs.head(5).itertuples(index=False))
        warnings.warn(f"{what}: the previous year is missing for {len(pairs)} firm-year(s) "
                      f"({listed}); ratios that need it are NaN (see .issues)",
                      DataQualityWarning, stacklevel=3)
    neg = issues[issues["reason"].str.contains("<= 0")]
    if len(neg):
        pairs = neg[["firm", "year", "indicator"]].head(5)
        listed = "; ".join(f"{f} {y} {i}" for f, y, i in pairs.itertuples(index=False))
        warnings.warn(f"{what}: {len(neg)} ratio(s) have a zero or negative denominator "
                      f"({listed}); they are NaN (see .issues)", DataQualityWarning,
                      stacklevel=3)
    out.index.names = [firm, year]
    conventions = {
        "balance": ("average of opening (previous year-end) and closing balance"
                    if balance == "average" else "closing (year-end) balance"),
        "units": "fractions (0.12 = 12 %)",
        "first_year": "not computable when the previous year is needed (NaN, reason in issues)",
        "nonpositive_denominator": "NaN, reason in issues",
    }
    return IndicatorTable(values=out, issues=issues, dimension=dimension, skipped=skipped,
                          balance=balance, conventions=conventions)


_FIN = [n for n, s in INDICATORS.items() if s.dimension == "financial"]
_CUST = [n for n, s in INDICATORS.items() if s.dimension == "customer"]
_INNOV = [n for n, s in INDICATORS.items() if s.dimension == "innovation"]


def financial_ratios(statements: pd.DataFrame, *, firm: str = "firm_id", year: str = "year",
                     balance: str = "average", columns: Mapping[str, str] | None = None,
                     ratios: Sequence[str] | None = None) -> IndicatorTable:
    """Financial ratios (B11-B17) per firm-year from financial-statement items.

    Parameters
    ----------
    statements : DataFrame
        One row per firm and year with ``revenue``, ``total_profit``, ``net_profit``,
        ``interest_expense``, ``total_assets``, ``current_assets``, ``total_liabilities``,
        ``equity`` (any money unit; the ratios are unit-free).  Not modified.
    firm, year : str
        Identifier columns.
    balance : {"average", "closing"}
        ``"average"`` (textbook): stock denominators are the mean of the opening (previous
        year-end) and closing balances, so a firm's first year is not computable.
        ``"closing"``: year-end balances.
    columns : dict, optional
        Map the standard names above to yours, e.g. ``{"revenue": "营业收入"}``.
    ratios : list of str, optional
        A subset of ``roe, rota, total_asset_turnover, current_asset_turnover, debt_to_asset,
        sales_growth, capital_accumulation``.

    Returns
    -------
    IndicatorTable
        ``values`` (index firm, year), ``issues`` (firm-year, indicator, reason).

    Raises
    ------
    InputDataError
        Duplicate firm-years, non-numeric items, missing identifier columns.

    Warns
    -----
    DataQualityWarning
        A gap in a firm's years; zero or negative denominators (e.g. negative equity).

    Examples
    --------
    A firm with equity 100 at the end of 2021 and 120 at the end of 2022 and net profit 11 in
    2022 has ROE 2022 = 11 / ((100 + 120) / 2) = 0.10 (tests/test_performance.py works the
    whole table by hand).
    """
    names = list(ratios) if ratios is not None else _FIN
    unknown = [r for r in names if r not in _FIN]
    if unknown:
        raise ParameterError(f"unknown financial ratio(s) {', '.join(unknown)}",
                             hint=f"use some of {', '.join(_FIN)}")
    return _indicators(statements, names, firm=firm, year=year, balance=balance,
                       columns=columns, what="financial statements", dimension="financial",
                       require_all=True)


def customer_indicators(table: pd.DataFrame, *, firm: str = "firm_id", year: str = "year",
                        columns: Mapping[str, str] | None = None) -> IndicatorTable:
    """Customer indicators (B21-B25) from raw counts, for whichever inputs ``table`` has.

    ``acquisition_rate = customers_acquired / customers_start``;
    ``retention_rate = customers_retained / customers_start``;
    ``satisfaction_rate = customers_satisfied / customers_surveyed``;
    ``cross_selling_share = cross_selling_revenue / revenue``;
    ``share_of_wallet = wallet_purchases / wallet_category_total`` (customers' purchases from
    the firm over their total purchases of the category, summed over the surveyed customers,
    i.e. the purchase-weighted average share).  Rename inputs with ``columns=``.
    Retained customers above the opening count are impossible and raise an error.
    """
    result = _indicators(table, _CUST, firm=firm, year=year, balance="closing",
                         columns=columns, what="customer table", dimension="customer")
    if "retention_rate" in result.values:
        over = result.values["retention_rate"] > 1
        if over.any():
            f, y = result.values.index[over.to_numpy()][0]
            raise InputDataError("more customers retained than there were at the start",
                                 row=f"{f} {y}", column=(columns or {}).get(
                                     "customers_retained", "customers_retained"),
                                 hint="retained customers are a subset of the opening customers")
    return _with_conventions(result, "flows over the period; no averaging")


def innovation_indicators(table: pd.DataFrame, *, firm: str = "firm_id", year: str = "year",
                          columns: Mapping[str, str] | None = None) -> IndicatorTable:
    """Innovation indicators (B31-B33) for whichever inputs ``table`` has.

    ``new_product_sales_share = new_product_revenue / revenue``;
    ``new_product_output_share = new_product_output / total_output``;
    ``speed_to_market = 1 / time_to_market`` (time in the unit of the column, e.g. months:
    a 4-month cycle gives 0.25 per month; faster is higher).  B34 (popularity) is a survey
    rating and has no count-based formula.
    """
    result = _indicators(table, _INNOV, firm=firm, year=year, balance="closing",
                         columns=columns, what="innovation table", dimension="innovation")
    return _with_conventions(result, "flows over the period; speed = 1 / time to market")


def _with_conventions(result: IndicatorTable, note: str) -> IndicatorTable:
    conv = dict(result.conventions, balance=note)
    return IndicatorTable(values=result.values, issues=result.issues,
                          dimension=result.dimension, skipped=result.skipped,
                          balance="flow", conventions=conv)


# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CompositePerformance:
    """Composite performance score per dimension.

    Attributes
    ----------
    scores : DataFrame
        One row per firm, one column per dimension.
    weights : DataFrame
        ``dimension``, ``indicator``, ``direction``, ``weight``.
    method : str
        "entropy" (score = sum w_j x'_ij, x' min-max standardised with directions, 0-1) or
        "zscore" (mean of direction-adjusted z-scores, equal weights).
    dropped : dict
        Dimension -> firms without a score (an indicator missing).
    """

    scores: pd.DataFrame
    weights: pd.DataFrame
    method: str
    dropped: dict
    details: dict = field(repr=False, compare=False)

    def table(self, lang: str = "zh") -> pd.DataFrame:
        check_lang(lang)
        labels = _labels(lang)
        out = self.weights.copy()
        out["dimension"] = out["dimension"].map(labels).fillna(out["dimension"])
        out["indicator"] = out["indicator"].map(labels).fillna(out["indicator"])
        if "direction" in out.columns:     # benefit / cost from the label catalogue
            from .labels import catalogue
            terms = catalogue()["terms"]
            out["direction"] = out["direction"].map(
                lambda d: terms[d][lang] if d in terms else d)
        heads = {"zh": {"dimension": "维度", "indicator": "指标", "direction": "方向",
                        "weight": "权重"},
                 "en": {"dimension": "Dimension", "indicator": "Indicator",
                        "direction": "Direction", "weight": "Weight"}}[lang]
        return out.rename(columns=heads)

    def summary(self) -> str:
        return "\n".join([f"Composite performance ({self.method})",
                          self.weights.round(4).to_string(index=False), "",
                          self.scores.describe().round(4).to_string()])


def composite_performance(indicators: pd.DataFrame,
                          dimensions: Mapping[str, Sequence[str]] | None = None, *,
                          method: str = "entropy",
                          directions: Mapping[str, str] | None = None) -> CompositePerformance:
    """Composite performance score per dimension, entropy-weighted or standardised mean.

    Parameters
    ----------
    indicators : DataFrame
        One row per firm (e.g. ``financial_ratios(...).by_firm()`` joined with customer and
        innovation indicators), one column per indicator.  Not modified.
    dimensions : dict, optional
        Dimension -> indicator columns.  Default: the columns of ``indicators`` that are
        indicators of this module, grouped by financial / customer / innovation.
    method : {"entropy", "zscore"}
        ``"entropy"``: weights by :func:`crmstudy.entropy.entropy_weights` (min-max
        normalisation); score_i = sum_j w_j x'_ij in [0, 1].  ``"zscore"``: the mean of
        z-scores (sample SD), cost indicators reversed; equal weights.
    directions : dict, optional
        Indicator -> "benefit"/"cost"; default from ``performance_system()`` (debt-to-asset
        ratio is a cost indicator), benefit for other columns.

    Returns
    -------
    CompositePerformance

    Firms with a missing indicator get no score in that dimension (listed in ``dropped``).
    """
    from .entropy import entropy_weights

    if method not in ("entropy", "zscore"):
        raise ParameterError(f"unknown composite method {method!r}",
                             hint='use "entropy" (entropy weights) or "zscore" (standardised mean)')
    if not isinstance(indicators, pd.DataFrame):
        raise InputDataError("indicators must be a DataFrame (one row per firm)")
    if dimensions is None:
        dimensions = {}
        for dim in DIMENSIONS:
            cols = [c for c in indicators.columns if c in INDICATORS
                    and INDICATORS[c].dimension == dim]
            if cols:
                dimensions[dim] = cols
        if not dimensions:
            raise ParameterError("no known indicator columns; name the dimensions",
                                 hint='pass dimensions={"financial": ["roe", "rota"], ...}')
    dirs = _directions()
    dirs.update(directions or {})
    scores, weight_rows, dropped, details = {}, [], {}, {}
    for dim, cols in dimensions.items():
        cols = list(cols)
        for c in cols:
            if c not in indicators.columns:
                raise InputDataError(f"indicator {c!r} of dimension {dim!r} is not a column",
                                     column=c, hint="check the dimensions mapping")
        X = indicators[cols].astype(float)
        complete = X.notna().all(axis=1)
        dropped[dim] = tuple(X.index[~complete])
        Xc = X[complete]
        d = {c: dirs.get(c, "benefit") for c in cols}
        if method == "entropy":
            with warnings.catch_warnings():
                warnings.simplefilter("always", DataQualityWarning)
                res = entropy_weights(Xc, d)
            w = res.weights
            score = (res.standardised.fillna(0.0) * w).sum(axis=1)
            details[dim] = res
        else:
            sd = Xc.std(ddof=1)
            z = (Xc - Xc.mean()) / sd.where(sd > 0)
            sign = pd.Series({c: -1.0 if d[c] == "cost" else 1.0 for c in cols})
            z = (z * sign).fillna(0.0)
            w = pd.Series(1.0 / len(cols), index=cols)
            score = z.mean(axis=1)
        scores[dim] = score.reindex(X.index)
        weight_rows += [{"dimension": dim, "indicator": c, "direction": d[c],
                         "weight": float(w[c])} for c in cols]
    return CompositePerformance(scores=pd.DataFrame(scores), weights=pd.DataFrame(weight_rows),
                                method=method, dropped=dropped, details=details)
