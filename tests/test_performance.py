"""Tests of crmstudy.performance: ratios worked by hand, bad statements, composites."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from crmstudy import performance as P
from crmstudy.errors import DataQualityWarning, InputDataError, ParameterError


def _statements() -> pd.DataFrame:
    """Firm A: three clean years.  Firm B: negative equity.  Firm C: 2022 missing."""
    rows = [
        # firm, year, revenue, total_profit, net_profit, interest, TA, CA, TL, equity
        ("A", 2021, 100.0, 10.0, 7.5, 2.0, 200.0, 80.0, 120.0, 80.0),
        ("A", 2022, 120.0, 14.0, 10.5, 3.0, 240.0, 100.0, 140.0, 100.0),
        ("A", 2023, 150.0, 20.0, 15.0, 4.0, 260.0, 120.0, 140.0, 120.0),
        ("B", 2021, 50.0, -5.0, -5.0, 1.0, 100.0, 40.0, 110.0, -10.0),
        ("B", 2022, 60.0, 2.0, 1.5, 1.0, 110.0, 50.0, 105.0, 5.0),
        ("C", 2021, 80.0, 8.0, 6.0, 1.0, 150.0, 60.0, 50.0, 100.0),
        ("C", 2023, 90.0, 9.0, 6.75, 1.0, 170.0, 70.0, 60.0, 110.0),
    ]
    cols = ["firm_id", "year", "revenue", "total_profit", "net_profit", "interest_expense",
            "total_assets", "current_assets", "total_liabilities", "equity"]
    return pd.DataFrame(rows, columns=cols)


def _ratios(**kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return P.financial_ratios(_statements(), **kw)


def test_hand_worked_ratios_firm_a():
    v = _ratios().values.loc["A"]
    # 2022, by hand: averages of the 2021 and 2022 year-end balances
    expected_2022 = {
        "roe": 10.5 / ((80 + 100) / 2),                    # 0.116667
        "rota": (14 + 3) / ((200 + 240) / 2),               # 17 / 220
        "total_asset_turnover": 120 / 220,
        "current_asset_turnover": 120 / ((80 + 100) / 2),
        "debt_to_asset": 140 / 240,
        "sales_growth": (120 - 100) / 100,
        "capital_accumulation": (100 - 80) / 80,
    }
    expected_2023 = {
        "roe": 15 / 110, "rota": 24 / 250, "total_asset_turnover": 150 / 250,
        "current_asset_turnover": 150 / 110, "debt_to_asset": 140 / 260,
        "sales_growth": 30 / 120, "capital_accumulation": 20 / 100,
    }
    for year, expected in [(2022, expected_2022), (2023, expected_2023)]:
        for name, value in expected.items():
            assert v.loc[year, name] == pytest.approx(value, rel=1e-12), (year, name)
    # first year: only the year-end ratio is computable
    first = v.loc[2021]
    assert first["debt_to_asset"] == pytest.approx(0.6, rel=1e-12)
    assert first.drop("debt_to_asset").isna().all()


def test_first_year_reason_is_reported():
    r = _ratios()
    a2021 = r.issues.query("firm == 'A' and year == 2021")
    assert set(a2021["indicator"]) == set(P._FIN) - {"debt_to_asset"}
    assert a2021["reason"].str.contains("first year").all()
    assert r.issues_text("zh")["reason"].str.contains("第一年").any()


def test_negative_equity_reported_per_firm_year():
    with pytest.warns(DataQualityWarning) as record:
        r = P.financial_ratios(_statements())
    assert any("zero or negative denominator (B 2022 roe" in str(w.message) for w in record)
    b = r.values.loc[("B", 2022)]
    assert np.isnan(b["roe"]) and np.isnan(b["capital_accumulation"])
    # the other ratios of the same firm-year are fine
    assert b["rota"] == pytest.approx((2 + 1) / 105, rel=1e-12)
    assert b["sales_growth"] == pytest.approx(0.2, rel=1e-12)
    reasons = r.issues.query("firm == 'B' and year == 2022").set_index("indicator")["reason"]
    assert "negative net assets" in reasons["roe"]
    assert "previous-year equity <= 0" in reasons["capital_accumulation"]


def test_gap_in_years_warns_and_names_the_firm_year():
    with pytest.warns(DataQualityWarning) as record:
        r = P.financial_ratios(_statements())
    assert any("previous year is missing for 1 firm-year(s) (C 2023)" in str(w.message)
               for w in record)
    c = r.values.loc[("C", 2023)]
    assert np.isnan(c["roe"]) and np.isnan(c["sales_growth"])
    assert c["debt_to_asset"] == pytest.approx(60 / 170)
    assert (r.issues.query("firm == 'C' and year == 2023")["reason"]
            == "previous year (2022) missing").all()


def test_closing_balance_convention():
    r = _ratios(balance="closing")
    assert r.values.loc[("A", 2021), "roe"] == pytest.approx(7.5 / 80, rel=1e-12)
    assert r.values.loc[("A", 2022), "roe"] == pytest.approx(10.5 / 100, rel=1e-12)
    # growth still needs last year
    assert np.isnan(r.values.loc[("A", 2021), "sales_growth"])
    assert r.balance == "closing" and "closing" in r.conventions["balance"]


def test_duplicate_firm_year_is_an_error():
    s = pd.concat([_statements(), _statements().iloc[[1]]], ignore_index=True)
    with pytest.raises(InputDataError, match="more than once") as err:
        P.financial_ratios(s)
    assert err.value.row == "A 2022"


def test_missing_and_non_numeric_columns():
    with pytest.raises(InputDataError) as err:
        P.financial_ratios(_statements().drop(columns="interest_expense"))
    assert err.value.column == "interest_expense"
    bad = _statements().assign(revenue=lambda d: d["revenue"].astype(str))
    with pytest.raises(InputDataError, match="not numeric") as err:
        P.financial_ratios(bad)
    assert err.value.column == "revenue"
    with pytest.raises(InputDataError):
        P.financial_ratios(_statements(), firm="company")
    with pytest.raises(ParameterError):
        P.financial_ratios(_statements(), balance="opening")
    with pytest.raises(ParameterError):
        P.financial_ratios(_statements(), ratios=["ebitda_margin"])


def test_missing_input_value_gives_reason():
    s = _statements()
    s.loc[2, "net_profit"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        r = P.financial_ratios(s)
    assert np.isnan(r.values.loc[("A", 2023), "roe"])
    reason = r.issues.query("firm == 'A' and year == 2023 and indicator == 'roe'")["reason"]
    assert reason.iloc[0] == "input missing: net_profit"


def test_column_mapping_and_no_mutation():
    zh = {"revenue": "营业收入", "net_profit": "净利润", "equity": "所有者权益"}
    s = _statements().rename(columns={v: k for v, k in zip(zh, zh.values())})
    s = s.rename(columns={"firm_id": "企业", "year": "年度"})
    before = s.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        r = P.financial_ratios(s, firm="企业", year="年度", columns=zh)
    pd.testing.assert_frame_equal(s, before)
    assert r.values.loc[("A", 2022), "roe"] == pytest.approx(10.5 / 90, rel=1e-12)
    assert list(r.values.index.names) == ["企业", "年度"]


def test_bilingual_headers_and_by_firm():
    r = _ratios()
    zh, en = r.table("zh"), r.table("en")
    assert "净资产收益率" in zh.columns and "Return on equity (ROE)" in en.columns
    firm = r.by_firm()
    a = r.values.loc["A"]
    assert firm.loc["A", "roe"] == pytest.approx(a["roe"].mean(), rel=1e-12)  # NaN skipped
    assert firm.loc["A", "roe"] == pytest.approx((10.5 / 90 + 15 / 110) / 2, rel=1e-12)
    assert r.by_firm(years=[2023]).loc["A", "roe"] == pytest.approx(15 / 110)
    assert "not computable" in r.summary()


def test_customer_and_innovation_indicators_by_hand():
    t = pd.DataFrame({
        "firm_id": ["A", "A", "B"], "year": [2022, 2023, 2023],
        "customers_start": [200, 220, 50], "customers_acquired": [40, 33, 5],
        "customers_retained": [180, 187, 45], "customers_satisfied": [85, 90, 30],
        "customers_surveyed": [100, 100, 40], "revenue": [1000.0, 1200.0, 300.0],
        "cross_selling_revenue": [100.0, 180.0, 0.0], "new_product_revenue": [150, 300, 30.0],
        "time_to_market": [8.0, 6.0, 12.0]})
    c = P.customer_indicators(t).values
    assert c.loc[("A", 2023), "acquisition_rate"] == pytest.approx(33 / 220)
    assert c.loc[("A", 2023), "retention_rate"] == pytest.approx(187 / 220)
    assert c.loc[("B", 2023), "satisfaction_rate"] == pytest.approx(0.75)
    assert c.loc[("A", 2023), "cross_selling_share"] == pytest.approx(0.15)
    assert "share_of_wallet" not in c.columns
    i = P.innovation_indicators(t).values
    assert i.loc[("A", 2022), "new_product_sales_share"] == pytest.approx(0.15)
    assert i.loc[("B", 2023), "speed_to_market"] == pytest.approx(1 / 12)
    assert "new_product_output_share" not in i.columns
    with pytest.raises(InputDataError, match="retained"):
        P.customer_indicators(t.assign(customers_retained=[201, 187, 45]))
    with pytest.raises(InputDataError, match="none of the customer"):
        P.customer_indicators(t[["firm_id", "year", "revenue"]].rename(
            columns={"revenue": "sales"}))
    with pytest.warns(DataQualityWarning, match="zero or negative denominator"):
        zero = P.customer_indicators(t.assign(customers_start=[200, 0, 50]))
    assert np.isnan(zero.values.loc[("A", 2023), "retention_rate"])


def _entropy_by_hand(X: pd.DataFrame, cost=()) -> pd.Series:
    """Textbook entropy weights, written out independently of crmstudy.entropy."""
    lo, hi = X.min(), X.max()
    S = (X - lo) / (hi - lo)
    for c in cost:
        S[c] = (hi[c] - X[c]) / (hi[c] - lo[c])
    p = S / S.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        e = -(p * np.log(p)).fillna(0.0).sum() / np.log(len(X))
    d = 1 - e
    return d / d.sum()


def test_composite_entropy_matches_hand_computation():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.uniform(0.0, 1.0, size=(12, 3)), columns=["roe", "rota", "debt_to_asset"],
                     index=[f"F{i}" for i in range(12)])
    comp = P.composite_performance(X, method="entropy")
    w = _entropy_by_hand(X, cost=["debt_to_asset"])
    got = comp.weights.set_index("indicator")["weight"]
    np.testing.assert_allclose(got[w.index], w, rtol=1e-12)
    S = (X - X.min()) / (X.max() - X.min())
    S["debt_to_asset"] = (X["debt_to_asset"].max() - X["debt_to_asset"]) / (
        X["debt_to_asset"].max() - X["debt_to_asset"].min())
    np.testing.assert_allclose(comp.scores["financial"], S @ w, rtol=1e-12)
    assert comp.method == "entropy"
    assert "权重" in comp.table("zh").columns


def test_composite_zscore_and_missing_rows():
    X = pd.DataFrame({"roe": [0.1, 0.2, 0.3, np.nan], "debt_to_asset": [0.5, 0.4, 0.7, 0.6]},
                     index=["a", "b", "c", "d"])
    comp = P.composite_performance(X, method="zscore")
    roe_z = np.array([-1.0, 0.0, 1.0])
    d = np.array([0.5, 0.4, 0.7])
    d_z = -(d - d.mean()) / d.std(ddof=1)
    np.testing.assert_allclose(comp.scores["financial"].iloc[:3], (roe_z + d_z) / 2,
                               rtol=1e-12)
    assert np.isnan(comp.scores.loc["d", "financial"]) and comp.dropped["financial"] == ("d",)
    with pytest.raises(ParameterError):
        P.composite_performance(X, method="topsis")
    with pytest.raises(InputDataError):
        P.composite_performance(X, {"financial": ["roa"]})


def test_composites_recover_latent_performance_of_shipped_study():
    """On the shipped simulated study (seed 20261123) the composites track the generating
    latent performance: the statements are built from it (ROA = 0.05 + 0.03 z_fin + noise;
    retention/acquisition from z_cust; new-product share from z_innov), diluted by ratios
    the simulation does not tie to performance (turnover, leverage).  Observed correlations
    are 0.78 / 0.99 / 0.96; the test asks for 0.7 / 0.9 / 0.9."""
    from crmstudy import datasets

    fin = datasets.load("crm_financials")  # shipped: a failure to load is a failure
    latent = datasets.load("crm_latent").set_index("firm_id")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        firm = (P.financial_ratios(fin).by_firm()
                .join(P.customer_indicators(fin).by_firm())
                .join(P.innovation_indicators(fin).by_firm()))
        comp = P.composite_performance(firm)
    joined = comp.scores.join(latent)
    assert joined["financial"].corr(joined["perf_financial"]) > 0.7
    assert joined["customer"].corr(joined["perf_customer"]) > 0.9
    assert joined["innovation"].corr(joined["perf_innovation"]) > 0.9


def test_column_names_that_are_not_identifiers_are_kept():
    """R/SPSS-style names (dots, brackets, hyphens, spaces, CJK) for ids, statement items and
    indicators: same numbers as with the default names, the user's names in every table."""
    odd = {"firm_id": "企业 代码(ID)", "year": "年度-财年", "revenue": "营业收入(万元)",
           "net_profit": "净利润.2023", "equity": "Equity.R"}
    s = _statements().rename(columns=odd)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        r = P.financial_ratios(s, firm=odd["firm_id"], year=odd["year"],
                               columns={k: v for k, v in odd.items()
                                        if k not in ("firm_id", "year")})
    base = _ratios()
    assert list(r.values.index.names) == [odd["firm_id"], odd["year"]]
    np.testing.assert_allclose(r.values.to_numpy(float), base.values.to_numpy(float),
                               equal_nan=True, rtol=0, atol=1e-15)
    firm = r.by_firm().rename(columns={"roe": "ROE.比率", "rota": "销售额-2023"})
    comp = P.composite_performance(firm, {"财务 (fin)": ["ROE.比率", "销售额-2023"]},
                                   method="zscore",
                                   directions={"ROE.比率": "benefit", "销售额-2023": "benefit"})
    plain = P.composite_performance(base.by_firm(), {"fin": ["roe", "rota"]}, method="zscore",
                                    directions={"roe": "benefit", "rota": "benefit"})
    assert list(comp.scores.columns) == ["财务 (fin)"]
    np.testing.assert_allclose(comp.scores["财务 (fin)"], plain.scores["fin"], atol=1e-15)
