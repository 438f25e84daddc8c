"""Tests of crmstudy.report (thesis tables, Word output), crmstudy.formatting and crmstudy.labels.

Reference values:

* Table 1: tests/reference/report/table1_reference.json, written by make_reference.R (R 4.2.2,
  ``cor.test`` for every pair, ``mean``/``sd`` with ``na.rm``) on datasets::airquality (CSV copy
  next to it; missing Ozone and Solar.R, so pairwise and listwise N differ).  R writes 15
  significant digits: r, M and SD are compared with rtol 1e-12, p-values (R: t distribution,
  scipy: beta distribution) with rtol 1e-9.
* Regression table: tests/reference/moderation/moderation_reference.json (R lm, anova,
  sandwich::vcovHC HC3), the values the hierarchical regression is checked against in
  test_moderation.py; rtol 1e-7 as there.
* Measurement table: lavaan/psych values of tests/reference/measurement (HolzingerSwineford1939),
  tolerances as in test_measurement_cfa.py (1e-5 for standardised estimates).
"""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from crmstudy import formatting as F
from crmstudy import labels as L
from crmstudy import report as R
from crmstudy.errors import InputDataError, ParameterError
from test_moderation import _r_term   # R coefficient names -> statsmodels names

HERE = Path(__file__).resolve().parent
REF_DIR = HERE / "reference" / "report"
T1 = json.loads((REF_DIR / "table1_reference.json").read_text(encoding="utf-8"))
MOD_DIR = HERE / "reference" / "moderation"
MOD = {c["name"]: c for c in json.loads((MOD_DIR / "moderation_reference.json")
                                        .read_text(encoding="utf-8"))["cases"]}
R_TOL = 1e-12       # r, M, SD: same arithmetic; R prints 15 significant digits
P_TOL = 1e-9        # p: R's pt() vs scipy's beta distribution
MOD_TOL = 1e-7      # as tests/test_moderation.py


def airquality() -> pd.DataFrame:
    return pd.read_csv(REF_DIR / "airquality.csv")


# ----------------------------------------------------------------------------------------
# Table 1 against R cor.test and scipy.stats.pearsonr
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
def test_table1_matches_r_cor_test(missing):
    ref = T1[missing]
    t = R.descriptives_table(airquality(), lang="en", missing=missing)
    cols = ref["variables"]
    assert list(t.data.index) == cols
    np.testing.assert_allclose(t.data["mean"], [ref["mean"][c] for c in cols], rtol=R_TOL)
    np.testing.assert_allclose(t.data["sd"], [ref["sd"][c] for c in cols], rtol=R_TOL)
    for pair in ref["pairs"]:
        a, b = pair["a"], pair["b"]          # a comes after b: lower triangle
        assert t.data.loc[a, b] == pytest.approx(pair["r"], rel=R_TOL)
        assert np.isnan(t.data.loc[b, a])    # upper triangle empty
        assert t.details["p"].loc[a, b] == pytest.approx(pair["p"], rel=P_TOL)
        assert t.details["n"].loc[a, b] == pair["n"]
    if missing == "pairwise":
        assert t.details["n_var"].to_dict() == ref["n"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
def test_table1_display_stars_from_r_p_values(lang, missing):
    ref = T1[missing]
    cols = ref["variables"]
    t = R.descriptives_table(airquality(), cols, lang=lang, missing=missing)
    shown = t.display()
    seen = set()
    for pair in ref["pairs"]:
        i, j = cols.index(pair["a"]), cols.index(pair["b"])
        expected_stars = ("***" if pair["p"] < .001 else "**" if pair["p"] < .01
                          else "*" if pair["p"] < .05 else "")
        seen.add(expected_stars)
        r_text = f"{pair['r']:.2f}"
        if lang == "en":
            r_text = r_text.replace("0.", ".")
        assert shown.iloc[i, 3 + j] == r_text + expected_stars, (pair, lang)
        assert shown.iloc[j, 3 + i] == ""                       # upper triangle blank
    # the fixture covers the levels (pairwise has no p in [.001, .01))
    assert seen == ({"", "*", "**", "***"} if missing == "listwise" else {"", "*", "***"})
    for i in range(len(cols)):
        assert shown.iloc[i, 3 + i] == "—"                       # no CFA: dash on the diagonal
    assert shown.columns[:3].tolist() == (["变量", "均值", "标准差"] if lang == "zh"
                                          else ["Variable", "M", "SD"])
    assert shown.iloc[0, 0] == "1. Ozone"
    note = t.note()
    lo, hi = min(p["n"] for p in ref["pairs"]), max(p["n"] for p in ref["pairs"])
    if missing == "pairwise":
        assert (f"N = {lo}–{hi}（成对删除）" if lang == "zh" else f"N = {lo}–{hi} (pairwise deletion)") in note
    else:
        assert (f"N = {lo}（成列删除）" if lang == "zh" else f"N = {lo} (listwise deletion)") in note
    assert ("* p < 0.05，** p < 0.01，*** p < 0.001" if lang == "zh"
            else "* p < .05, ** p < .01, *** p < .001") in note


def test_table1_matches_scipy_pearsonr_pairwise():
    data = airquality()
    t = R.descriptives_table(data, ["Ozone", "Solar_R", "Temp"])
    both = data[["Ozone", "Solar_R"]].dropna()
    res = stats.pearsonr(both["Solar_R"], both["Ozone"])
    assert t.data.loc["Solar_R", "Ozone"] == pytest.approx(res.statistic, rel=1e-14)
    assert t.details["p"].loc["Solar_R", "Ozone"] == pytest.approx(res.pvalue, rel=1e-14)
    assert t.data.loc["Ozone", "mean"] == pytest.approx(data["Ozone"].mean(), rel=1e-14)
    # the data are not modified
    pd.testing.assert_frame_equal(data, airquality())


def test_table1_default_columns_are_the_numeric_ones():
    data = airquality().assign(city="New York", flag=lambda d: d["Temp"] > 80)
    t = R.descriptives_table(data)
    assert list(t.data.index) == ["Ozone", "Solar_R", "Wind", "Temp", "Month", "Day", "flag"]


def test_table1_sqrt_ave_on_the_diagonal_from_a_cfa(hs_fit):
    from _measurement_fixtures import hs_items
    items = hs_items()
    scores = pd.DataFrame({c: items[v].mean(axis=1) for c, v in hs_fit.model.items()})
    scores["x_control"] = items["x1"] * 0.5 + np.arange(len(items)) % 7
    t = R.descriptives_table(scores, cfa=hs_fit, lang="en")
    for c in hs_fit.model:
        assert t.data.loc[c, c] == pytest.approx(np.sqrt(hs_fit.ave[c]), rel=1e-15)
    assert np.isnan(t.data.loc["x_control", "x_control"])
    shown = t.display()
    assert shown.iloc[0, 3] == f"{np.sqrt(hs_fit.ave['visual']):.2f}".replace("0.", ".")
    assert shown.iloc[3, 6] == "—"
    assert "square roots of the AVE" in t.note()
    assert "AVE 的平方根" in t.note("zh")


def test_table1_keeps_unrounded_numbers():
    t = R.descriptives_table(airquality(), ["Ozone", "Temp"])
    value = t.data.loc["Temp", "Ozone"]
    assert value != round(value, 2) and value != round(value, 3)


def test_table1_bad_input_is_named():
    data = airquality().assign(city="NY", const=1.0)
    with pytest.raises(InputDataError, match="column 'city'.*not numeric"):
        R.descriptives_table(data, ["Ozone", "city"])
    with pytest.raises(InputDataError, match="'nope' is not in the data") as err:
        R.descriptives_table(data, ["Ozone", "nope"])
    assert err.value.column == "nope"
    with pytest.raises(InputDataError, match="'const' is constant"):
        R.descriptives_table(data, ["Ozone", "const"])
    with pytest.raises(ParameterError, match="at least two"):
        R.descriptives_table(data, ["Ozone"])
    with pytest.raises(ParameterError, match="pairwise"):
        R.descriptives_table(data, ["Ozone", "Temp"], missing="everything")
    with pytest.raises(ParameterError, match="none of the columns"):
        R.descriptives_table(data, ["Ozone", "Temp"], cfa={"visual": 0.5})
    with pytest.raises(ParameterError, match="language"):
        R.descriptives_table(data, ["Ozone", "Temp"], lang="fr")


# ----------------------------------------------------------------------------------------
# measurement and fit tables
# ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hs_fit():
    from crmstudy.measurement import cfa
    from _measurement_fixtures import hs_items, lavaan_ref
    return cfa(hs_items(), lavaan_ref()["hs1939"]["model"])


def test_measurement_table_matches_lavaan_and_psych(hs_fit):
    from _measurement_fixtures import lavaan_ref, psych_ref
    lav = lavaan_ref()["hs1939"]
    alphas = {c: v["alpha"] for c, v in psych_ref()["hs1939"]["scales"].items()}
    t = R.measurement_table(hs_fit, alphas, lang="zh")
    params = pd.DataFrame(lav["params"])
    loads = params[params["op"] == "=~"].set_index("rhs")
    data = t.data.set_index("item")
    np.testing.assert_allclose(data["std_loading"], loads.loc[data.index, "std_all"], atol=1e-5)
    for c in hs_fit.model:
        rows = data[data["construct"] == c]
        assert rows["cr"].iloc[0] == pytest.approx(lav["composite_reliability_std"][c], abs=1e-5)
        assert rows["ave"].iloc[0] == pytest.approx(lav["ave_std"][c], abs=1e-5)
        assert rows["alpha"].iloc[0] == alphas[c]
    shown = t.display()
    assert shown.columns.tolist() == ["构念", "题项", "标准化载荷", "Cronbach's α", "CR", "AVE"]
    assert shown.iloc[0].tolist()[:2] == ["visual", "x1"]
    assert shown.iloc[1, 0] == "" and shown.iloc[1, 3] == ""     # construct values once
    assert shown.iloc[0, 4] == f"{hs_fit.composite_reliability['visual']:.3f}"
    en = t.display("en")
    assert en.iloc[0, 3] == f"{alphas['visual']:.3f}".replace("0.", ".")
    assert "N = 301" in t.note("en")


def test_cfa_loadings_adapter_reads_lavaan_like_names(hs_fit):
    out = R.cfa_loadings(hs_fit)     # CFAResult.loadings: lavaan's est / std_all
    np.testing.assert_array_equal(out["std_loading"], hs_fit.loadings["std_all"])
    assert not np.allclose(out["std_loading"], hs_fit.loadings["est"])  # never the unstandardised
    with pytest.raises(ParameterError, match="loadings table"):
        R.cfa_loadings(object())


SEM_FIT = {"chisq": 85.3055, "df": 24, "pvalue": 8.5e-09, "chisq_df": 85.3055 / 24,
           "gfi": 0.943, "agfi": 0.894, "nfi": 0.907, "ifi": 0.931, "tli": 0.896, "cfi": 0.931,
           "rmsea": 0.0921, "rmsea_ci_low": 0.0714, "rmsea_ci_high": 0.1137, "srmr": 0.0652,
           "aic": 7517.49, "bic": 7595.34}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_fit_table_thresholds_and_met(lang):
    t = R.fit_table(SEM_FIT, lang=lang)
    d = t.data
    assert d.loc["chisq_df", "met"] is np.False_ or d.loc["chisq_df", "met"] == False  # noqa: E712
    assert bool(d.loc["gfi", "met"]) and not bool(d.loc["agfi", "met"])
    assert not bool(d.loc["tli", "met"]) and bool(d.loc["cfi", "met"])
    assert not bool(d.loc["rmsea", "met"]) and bool(d.loc["srmr", "met"])
    assert d.loc["srmr", "source"] == "Hu & Bentler (1999)"
    shown = t.display().set_index(t.display().columns[0])
    yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
    assert shown.loc["χ²/df"].tolist()[1:] == ["< 3", no]
    assert shown.loc["CFI"].tolist() == (["0.931", "> 0.90", yes] if lang == "zh"
                                         else [".931", "> .90", yes])
    assert shown.loc["p"].iloc[0] == ("< 0.001" if lang == "zh" else "< .001")
    assert shown.loc["χ²"].iloc[0] == "85.31"
    assert "Hu & Bentler (1999)" in t.note()
    strict = R.fit_table(SEM_FIT, lang=lang, thresholds="hu_bentler")
    assert strict.data.loc["cfi", "bound"] == 0.95 and not bool(strict.data.loc["cfi", "met"])


def only_gfi_missing(table) -> bool:
    shown = table.display().set_index("Fit index")
    return shown.loc["GFI", "Value"] == "—" and shown.loc["GFI", "Met"] == "—" and \
        (shown.drop(index="GFI")["Value"] != "—").all()


def test_fit_table_missing_keys_and_cfa_aliases(hs_fit):
    t = R.fit_table(hs_fit, lang="en")          # CFAResult: chi2, p, chi2_df aliases
    shown = t.display().set_index("Fit index")
    assert shown.loc["GFI", "Value"] == f"{hs_fit.fit['gfi']:.3f}".lstrip("0")
    assert only_gfi_missing(R.fit_table({k: v for k, v in SEM_FIT.items() if k != "gfi"}, lang="en"))
    assert t.data.loc["chisq", "value"] == hs_fit.fit["chi2"]
    assert t.data.loc["pvalue", "value"] == hs_fit.fit["p"]
    only = R.fit_table({"chisq": 10.0, "df": 4}, lang="zh")
    assert only.data.loc["chisq_df", "value"] == 2.5        # computed when absent
    assert only.display().set_index("拟合指标").loc["RMSEA 90% 置信区间", "数值"] == "—"
    with pytest.raises(ParameterError, match="threshold set"):
        R.fit_table(SEM_FIT, thresholds="lenient")
    with pytest.raises(ParameterError, match=r"\(op, bound, source\)"):
        R.fit_table(SEM_FIT, thresholds={"cfi": (">", 0.9)})


# ----------------------------------------------------------------------------------------
# regression table against the R-checked hierarchical regression
# ----------------------------------------------------------------------------------------
def _mtcars_fit():
    from crmstudy import moderation as M
    case = MOD["mtcars"]
    data = pd.read_csv(MOD_DIR / "mtcars.csv", dtype={"cyl": str})
    return case, M.moderated_regression(data, case["y"], case["x"], case["w"],
                                        controls=case["controls"], center=case["center"])


def test_regression_table_matches_r():
    case, fit = _mtcars_fit()
    t = R.regression_table(fit, lang="zh")
    assert [c for c in t.data.columns.get_level_values(0).unique()] == ["M1", "M2", "M3"]
    for k, rows in enumerate(case["coefficients"], start=1):
        m = f"M{k}"
        for row in rows:
            term = _r_term(row["term"])
            assert t.data.loc[term, (m, "est")] == pytest.approx(row["b"], rel=MOD_TOL)
            assert t.data.loc[term, (m, "se")] == pytest.approx(row["se_hc3"], rel=MOD_TOL)
            assert t.data.loc[term, (m, "p")] == pytest.approx(row["p_hc3"], rel=MOD_TOL)
        step = case["steps"][k - 1]
        for key in ("r2", "adj_r2", "delta_r2", "f_change"):
            assert t.data.loc[key, (m, "est")] == pytest.approx(step[key], rel=MOD_TOL)
        assert t.data.loc["f_change", (m, "p")] == pytest.approx(step["p_change"], rel=MOD_TOL)
        assert t.data.loc["n", (m, "est")] == case["n"]
    # terms absent from a model stay empty
    assert np.isnan(t.data.loc["hp:wt", ("M2", "est")])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_regression_table_display(lang):
    case, fit = _mtcars_fit()
    t = R.regression_table(fit, lang=lang)
    shown = t.display()
    stub = shown.columns[0]
    assert shown.columns.tolist() == [stub, "M1", "M2", "M3"]
    ref = {(_r_term(r["term"]), k): r for k, rows in enumerate(case["coefficients"], start=1)
           for r in rows}
    row_of = {name: i for i, name in enumerate(shown[stub])}
    wt = row_of["wt"]
    r3 = ref[("wt", 3)]
    stars = "**" if r3["p_hc3"] < .01 else "*"
    assert shown.loc[wt, "M3"] == f"{r3['b']:.3f}" + stars
    assert shown.loc[wt + 1, "M3"] == f"({r3['se_hc3']:.3f})"       # SE row under it
    assert shown.loc[wt, "M1"] == "" and shown.loc[wt + 1, "M1"] == ""
    dummy = "cyl：6（参照：4）" if lang == "zh" else "cyl: 6 (ref.: 4)"
    assert dummy in row_of
    inter = row_of["hp × wt"]
    assert shown.loc[inter, "M3"].startswith(f"{ref[('hp:wt', 3)]['b']:.3f}")
    r2_label = "R²"
    s3 = case["steps"][2]
    r2 = f"{s3['r2']:.3f}"
    assert shown.loc[row_of[r2_label], "M3"] == (r2 if lang == "zh" else r2.replace("0.", "."))
    f_stars = "*" if s3["p_change"] < .05 else ""
    assert shown.loc[row_of["ΔF"], "M3"] == f"{s3['f_change']:.2f}{f_stars}"
    assert shown.loc[row_of["N"], "M2"] == "32"
    note = t.note()
    assert ("HC3 稳健标准误" if lang == "zh" else "HC3 heteroskedasticity-consistent") in note


def test_regression_table_beta_and_inline():
    case, fit = _mtcars_fit()
    t = R.regression_table(fit, "beta", lang="en", se_layout="inline")
    assert "Intercept" not in t.data.index
    for k, rows in enumerate(case["coefficients"], start=1):
        for row in rows[1:]:
            assert t.data.loc[_r_term(row["term"]), (f"M{k}", "est")] == \
                pytest.approx(float(row["beta"]), rel=MOD_TOL)
    inline = R.regression_table(fit, lang="en", se_layout="inline").display()
    assert inline.iloc[0, 1].endswith(")") and "(" in inline.iloc[0, 1]
    with pytest.raises(ParameterError, match="stat"):
        R.regression_table(fit, "gamma")
    with pytest.raises(ParameterError, match="hierarchical"):
        R.regression_table(pd.DataFrame())


def test_simple_slopes_table_matches_r():
    case, fit = _mtcars_fit()
    t = R.simple_slopes_table(fit, lang="zh")
    ref = pd.DataFrame(case["simple_slopes"]["HC3"])
    for col in ("w", "slope", "se", "t", "p", "ci_low", "ci_high"):
        np.testing.assert_allclose(t.data[col], ref[col], rtol=MOD_TOL, err_msg=col)
    shown = t.display()
    assert shown.iloc[0, 0] == "低（均值 − 1 SD）"
    assert shown.iloc[2, 0] == "高（均值 + 1 SD）"
    low = ref.iloc[0]
    assert shown.iloc[0, 2] == f"{low['slope']:.3f}" + F.stars(low["p"])
    assert shown.iloc[0, -1] == f"[{low['ci_low']:.3f}, {low['ci_high']:.3f}]"
    assert shown.columns[-1] == "95% 置信区间"
    assert t.display("en").iloc[0, 0] == "Low (M − 1 SD)"
    custom = R.simple_slopes_table(fit, at=[2.5, 3.5], lang="en").display()
    assert custom.iloc[:, 0].tolist() == ["2.5", "3.5"]


# ----------------------------------------------------------------------------------------
# mediation and hypotheses
# ----------------------------------------------------------------------------------------
INDIRECT = pd.DataFrame({"effect": [0.1234, -0.0101], "boot_se": [0.041, 0.02],
                         "ci_low": [0.05, -0.049], "ci_high": [0.2, 0.031]},
                        index=["capability -> CP -> financial", "capability -> IP -> financial"])


def test_mediation_table():
    t = R.mediation_table(INDIRECT, lang="zh", n_boot=5000)
    assert t.data["significant"].tolist() == [True, False]
    shown = t.display()
    assert shown.iloc[0].tolist() == ["客户关系管理能力 → 客户绩效 → 财务绩效", "0.123", "0.041",
                                      "[0.050, 0.200]", "是"]
    assert "5,000" in t.note()
    en = t.display("en")
    assert en.iloc[1, 0] == "CRM capability → Innovation performance → Financial performance"
    assert en.iloc[1, -1] == "no"

    class Result:
        indirect = INDIRECT
        level = 0.90
        conventions = {"ci": "percentile (Hayes PROCESS default)"}
    from_result = R.mediation_table(Result(), lang="en")
    assert "90% CI" in from_result.display().columns
    assert "Percentile bootstrap confidence intervals" in from_result.note()
    assert "偏差校正加速（BCa）Bootstrap置信区间" in R.mediation_table(INDIRECT, ci_method="bca").note()
    with pytest.raises(InputDataError, match="boot_se"):
        R.mediation_table(INDIRECT.drop(columns="boot_se"))


def test_hypothesis_table():
    frame = pd.DataFrame({"hypothesis": ["H1", "H2"],
                          "path": ["capability -> financial", "capability:ED -> financial"],
                          "test": ["OLS", "OLS"], "estimate": [0.35, 0.02],
                          "ci_low": [0.2, -0.01], "ci_high": [0.5, 0.05], "p": [0.00001, 0.2],
                          "supported": [True, False]})
    t = R.hypothesis_table(frame, lang="zh")
    shown = t.display()
    assert shown.iloc[0].tolist() == ["H1", "客户关系管理能力 → 财务绩效", "OLS", "0.350***",
                                      "[0.200, 0.500]", "< 0.001", "支持"]
    assert shown.iloc[1, 1] == "客户关系管理能力 × 环境动荡性 → 财务绩效"
    assert shown.iloc[1, -1] == "不支持"
    en = t.display("en")
    assert en.iloc[0, 5] == "< .001" and en.iloc[1, 5] == ".200" and en.iloc[1, -1] == "Not supported"
    with pytest.raises(InputDataError, match="supported"):
        R.hypothesis_table(frame.drop(columns="supported"))
    with pytest.raises(InputDataError, match="True/False"):
        R.hypothesis_table(frame.assign(supported=["yes", "no"]))


# ----------------------------------------------------------------------------------------
# Word output read back
# ----------------------------------------------------------------------------------------
def _all_tables():
    case, fit = _mtcars_fit()
    frame = pd.DataFrame({"hypothesis": ["H1"], "statement": ["capability -> financial"],
                          "test": ["OLS"], "estimate": [0.35], "ci_low": [0.2], "ci_high": [0.5],
                          "p": [0.001], "supported": [True]})
    return [R.descriptives_table(airquality(), ["Ozone", "Solar_R", "Wind", "Temp"]),
            R.regression_table(fit), R.simple_slopes_table(fit), R.fit_table(SEM_FIT),
            R.mediation_table(INDIRECT), R.hypothesis_table(frame)]


def _border(el, side):
    from docx.oxml.ns import qn
    if el is None:
        return None
    node = el.find(qn(f"w:{side}"))
    if node is None:
        return None
    return node.get(qn("w:val")), node.get(qn("w:sz"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_docx_read_back(tmp_path, lang):
    import docx
    from docx.oxml.ns import qn

    tables = _all_tables()
    path = R.to_docx(tables, tmp_path / "tables.docx", lang=lang)
    assert path.exists() and not list(tmp_path.glob(".*tmp"))     # no temporary file left
    doc = docx.Document(str(path))
    assert len(doc.tables) == len(tables)
    texts = [p.text for p in doc.paragraphs]
    for k, (table, word) in enumerate(zip(tables, doc.tables), start=1):
        shown = table.display(lang)
        cells = [[c.text for c in row.cells] for row in word.rows]
        assert cells[0] == list(shown.columns)
        assert cells[1:] == shown.values.tolist()
        # caption above and note below
        if lang == "zh":
            assert f"表{k} {table.title['zh']}" in texts
        else:
            assert f"Table {k}" in texts and table.title["en"] in texts
        assert table.note(lang) in texts
        note = next(p for p in doc.paragraphs if p.text == table.note(lang))
        assert note.runs[0].text == ("Note." if lang == "en" else "注：")
        assert bool(note.runs[0].italic) == (lang == "en")            # APA: "Note." in italics
        # three-line borders: table top/bottom 1.5 pt, nothing inside, no verticals
        tbl_borders = word._tbl.tblPr.find(qn("w:tblBorders"))
        assert _border(tbl_borders, "top") == ("single", "12")
        assert _border(tbl_borders, "bottom") == ("single", "12")
        for side in ("left", "right", "insideH", "insideV"):
            assert _border(tbl_borders, side) == ("nil", None), side
        n_rows = len(word.rows)
        for r, row in enumerate(word.rows):
            for cell in row.cells:
                tc = cell._tc.tcPr.find(qn("w:tcBorders"))
                assert _border(tc, "left") == ("nil", None)
                assert _border(tc, "right") == ("nil", None)
                if r == 0:
                    assert _border(tc, "bottom") == ("single", "6")     # 0.75 pt under header
                    assert _border(tc, "top") == ("single", "12")
                elif r == n_rows - 1:
                    assert _border(tc, "bottom") == ("single", "12")
                else:
                    assert _border(tc, "bottom") is None and _border(tc, "top") is None
                for run in cell.paragraphs[0].runs:
                    fonts = run._element.rPr.find(qn("w:rFonts"))
                    assert fonts.get(qn("w:eastAsia")) == "宋体"
                    assert fonts.get(qn("w:ascii")) == "Times New Roman"
        # the columns share the A4 text width (LibreOffice and Word read w:gridCol)
        section = doc.sections[0]
        text_width = section.page_width - section.left_margin - section.right_margin
        widths = [col.width for col in word.columns]
        assert sum(widths) <= text_width + 635 * len(widths) and min(widths) > 0   # twip rounding
        # no scientific notation anywhere in the printed tables
        assert not any(re.search(r"\d[eE][+-]?\d", text) for row in cells for text in row)
        # property order of the schema: tblBorders before tblLook
        tags = [child.tag.split("}")[1] for child in word._tbl.tblPr]
        assert tags.index("tblBorders") < tags.index("tblLook")


def test_docx_never_overwrites_and_fonts_are_configurable(tmp_path):
    import docx
    from docx.oxml.ns import qn

    target = tmp_path / "tables.docx"
    target.write_bytes(b"user's file")
    tables = _all_tables()[:1]
    with pytest.raises(ParameterError, match="exists already") as err:
        R.to_docx(tables, target)
    assert target.read_bytes() == b"user's file" and err.value.file == str(target)
    R.to_docx(tables, target, overwrite=True, east_asia_font="黑体", latin_font="Arial")
    doc = docx.Document(str(target))
    run = doc.tables[0].rows[1].cells[1].paragraphs[0].runs[0]
    fonts = run._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "黑体" and fonts.get(qn("w:hAnsi")) == "Arial"
    with pytest.raises(ParameterError, match="not a ThesisTable"):
        R.to_docx([pd.DataFrame()], tmp_path / "x.docx")
    with pytest.raises(ParameterError, match="folder does not exist"):
        R.to_docx(tables, tmp_path / "missing" / "x.docx")


def test_docx_cells_equal_the_csv_tables(tmp_path):
    import docx

    tables = _all_tables()
    doc = docx.Document(str(R.to_docx(tables, tmp_path / "tables.docx", lang="zh")))
    for word, path in zip(doc.tables, R.to_csv(tables, tmp_path, lang="zh")):
        back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        cells = [[c.text for c in row.cells] for row in word.rows]
        assert cells == [list(back.columns)] + back.values.tolist()


def test_excel_and_csv_equal_the_display(tmp_path):
    tables = _all_tables()
    paths = R.to_csv(tables, tmp_path, lang="en")
    for table, path in zip(tables, paths):
        back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert back.values.tolist() == table.display("en").values.tolist()
    with pytest.raises(ParameterError, match="exists already"):
        R.to_csv(tables, tmp_path, lang="en")
    xlsx = R.to_excel(tables, tmp_path / "tables.xlsx", lang="zh")
    sheet = pd.read_excel(xlsx, sheet_name="表2", header=None, dtype=str, keep_default_na=False)
    assert sheet.iloc[0, 0] == tables[1].caption("zh", 2)
    assert sheet.iloc[1].tolist() == list(tables[1].display("zh").columns)


# ----------------------------------------------------------------------------------------
# formatting rules
# ----------------------------------------------------------------------------------------
def test_p_values():
    assert F.format_p(0.0, lang="en") == "< .001"
    assert F.format_p(0.0004, lang="en") == "< .001"
    assert F.format_p(0.0004, lang="zh") == "< 0.001"
    assert F.format_p(0.001, lang="en") == ".001"
    assert F.format_p(0.0346, lang="en") == ".035"
    assert F.format_p(0.0341, lang="zh") == "0.034"
    assert F.format_p(1.0, lang="en") == "> .999"
    assert F.format_p(float("nan")) == "—"
    assert F.p_text(0.00001, lang="en") == "p < .001"
    assert F.p_text(0.2, lang="en") == "p = .200"
    with pytest.raises(ParameterError, match="outside"):
        F.format_p(1.5)


def test_leading_zero_by_language_and_quantity():
    assert F.format_number(0.456, "r", lang="en") == ".46"
    assert F.format_number(-0.456, "r", lang="en") == "-.46"
    assert F.format_number(0.456, "r", lang="zh") == "0.46"
    assert F.format_number(0.456, "r", style="apa", lang="zh") == ".46"      # explicit style
    assert F.format_number(0.456, "b", lang="en") == "0.456"                 # unbounded: keeps 0
    assert F.format_number(0.456, "tli", lang="en") == "0.456"               # TLI can exceed 1
    assert F.format_number(1.0, "cfi", lang="en") == "1.000"
    assert F.format_number(-0.0004, "b") == "0.000"                          # no negative zero
    assert F.format_number(12000, "n", lang="en") == "12,000"
    assert F.format_number(4.5678, "mean") == "4.57"
    assert F.format_number(None) == "—"
    assert F.STYLES["cn"].leading_zero and not F.STYLES["apa"].leading_zero
    with pytest.raises(ParameterError, match="quantity"):
        F.format_number(1.0, "weight_of_evidence")


@settings(max_examples=300, deadline=None)
@given(x=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
       quantity=st.sampled_from(sorted(F.DECIMALS)), lang=st.sampled_from(["zh", "en"]))
def test_no_scientific_notation(x, quantity, lang):
    text = F.format_number(x, quantity, lang=lang)
    assert "e" not in text.lower() and "E" not in text
    decimals = F.DECIMALS[quantity]
    body = text.lstrip("-").replace(",", "")
    assert (len(body.split(".")[1]) if "." in body else 0) == decimals
    assert float(body if not body.startswith(".") else "0" + body) == pytest.approx(
        abs(round(x, decimals)), abs=10 ** -decimals)


def test_star_convention_is_a_style_parameter():
    dagger = F.NumberStyle("apa_dagger", leading_zero=False, stars="dagger")
    t = R.descriptives_table(airquality(), ["Ozone", "Month"], lang="en")   # p = .078
    assert t.display(style=dagger).iloc[1, 3] == ".16†"
    assert t.display().iloc[1, 3] == ".16"
    assert "† p < .10" in t.note(style=dagger) and "†" not in t.note()


def test_units_are_stated():
    assert F.format_unit(12.5, "usd", decimals=2, lang="zh") == "12.50 美元"
    assert F.format_unit(12.5, "usd", decimals=2, lang="en") == "$12.50"
    assert F.format_unit(3, "weeks", "n", lang="en") == "3 weeks"
    assert F.format_percent(0.26667, lang="zh") == "26.7%"
    assert F.format_percent(1.5771e-02, lang="en") == "1.6%"
    assert L.with_unit("CLV", "usd", "zh") == "CLV（美元）"
    assert L.with_unit("Recency", "days", "en") == "Recency (days)"
    with pytest.raises(ParameterError, match="unknown unit"):
        F.format_unit(1.0, "furlongs")


def test_stars_at_the_boundaries():
    assert [F.stars(p) for p in (0.05, 0.0499999, 0.01, 0.0099999, 0.001, 0.000999, 0.2)] == \
        ["", "*", "*", "**", "**", "***", ""]
    assert F.stars(float("nan")) == ""
    assert F.stars(0.07, "dagger") == "†" and F.stars(0.10, "dagger") == ""
    assert F.star_note(lang="en") == "* p < .05, ** p < .01, *** p < .001"
    assert F.star_note(lang="zh") == "* p < 0.05，** p < 0.01，*** p < 0.001"
    with pytest.raises(ParameterError, match="star convention"):
        F.stars(0.01, "asterisks")


# ----------------------------------------------------------------------------------------
# labels
# ----------------------------------------------------------------------------------------
def test_dummy_and_term_labels():
    assert L.dummy_label("ownership", "private", "state", "zh") == "所有制：民营（参照：国有）"
    assert L.dummy_label("ownership", "private", "state", "en") == "Ownership: private (ref.: state)"
    assert L.dummy_label("ownership", "private", None, "zh") == "所有制：民营"
    assert L.term_label("C(industry)[T.retail]", "zh", references={"industry": "it"}) == \
        "行业：零售业（参照：信息技术）"
    assert L.term_label("C(ownership, Treatment('state'))[T.private]", "zh",
                        references={"ownership": "foreign"}) == "所有制：民营（参照：国有）"
    assert L.term_label("capability:ED", "en") == "CRM capability × Environmental dynamism"
    assert L.term_label("np.log(firm_size)", "zh") == "ln(企业规模)"
    assert L.term_label("my_var", "zh", labels={"my_var": {"zh": "我的变量", "en": "Mine"}}) == "我的变量"
    assert L.term_label("my_var", "en") == "my_var"                           # never guessed
    assert L.level_label("ownership", "gov", "zh", labels={"ownership=gov": "政府"}) == "政府"


def test_codebook_names_the_constructs():
    from crmstudy.measurement import Codebook
    book = Codebook.from_source("crm_codebook")
    assert L.variable_label("A1", "zh", book) == "客户洞察能力"
    assert L.variable_label("A1", "en", book) == "Customer insight"
    assert L.variable_label("firm_age", "zh", book) == "企业年龄"      # not a construct: catalogue
    scores = pd.DataFrame({"A1": [1.0, 2, 3, 4], "firm_age": [3.0, 1, 4, 2]})
    shown = R.descriptives_table(scores, labels=book, lang="zh").display()
    assert shown.iloc[:, 0].tolist() == ["1. 客户洞察能力", "2. 企业年龄"]


def test_catalogue_is_complete_and_unknown_keys_raise():
    cat = L.catalogue()
    assert set(cat) == set(L.SECTIONS)
    for section, entries in cat.items():
        items = entries.items() if section != "levels" else \
            [(f"{v}={k}", e) for v, levels in entries.items() for k, e in levels.items()]
        for key, entry in items:
            assert set(entry) == {"zh", "en"}, (section, key)
            assert all(isinstance(v, str) and v for v in entry.values()), (section, key)
    with pytest.raises(ParameterError, match="no zh label for 'nonexistent'"):
        L.label("nonexistent", "zh")
    assert L.label("ci", "en", "headers", level=95) == "95% CI"


def test_core_modules_import_no_analysis_module():
    analysis = ("moderation", "measurement", "performance", "ahp", "entropy", "weighting",
                "evaluation", "customer_value", "report", "study", "cli", "plotting", "simulate")
    code = ("import sys, crmstudy.labels, crmstudy.formatting; "
            "print(sorted(m for m in sys.modules if m.startswith('crmstudy.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {m.split(".")[1] for m in ast.literal_eval(out.stdout.strip())}
    assert not loaded & set(analysis), loaded
    for module in ("labels.py", "formatting.py"):
        tree = ast.parse((HERE.parent / "crmstudy" / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                assert node.module in ("errors", "labels"), (module, node.module)


def test_thesis_table_is_frozen_and_numbered():
    t = R.descriptives_table(airquality(), ["Ozone", "Temp"], lang="en")
    with pytest.raises(Exception):
        t.number = 3
    assert t.caption() == "Table 1 Means, Standard Deviations and Correlations"
    assert t.numbered(4).caption("zh") == "表4 描述性统计与相关系数"
    assert "Table 1" in t.summary() and t.note().startswith("Note. ")
    assert t.note("zh").startswith("注：") and t.note("zh").endswith("。")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        str(t)


def test_tables_pickle_for_the_run_hook():
    """A table built in a chapter's kernel can be saved and turned into Word by the run."""
    import pickle
    for table in _all_tables():
        back = pickle.loads(pickle.dumps(table))
        pd.testing.assert_frame_equal(back.display("en"), table.display("en"))
        assert back.note("zh") == table.note("zh")
        assert "<table" in table._repr_html_()
