"""Chapter 04 defects of issue 14, each with a test that would have caught it.

* the Johnson-Neyman sentence states the sign of the slope and the share of the sample in each
  region, and no bound outside the observed range of the moderator is reported as a finding
  (the old table reported 19.939 on a 1-7 scale);
* every text of the chapter's figures lies inside the canvas after drawing (the old English
  interaction-plot title was cut at both edges);
* regression terms and simple-slope levels are labelled from the catalogue in Chinese
  ("所有制：民营（参照：国有）", not ``ownership[T.private]``; not ``mean - 1 SD``), p-values
  print as p < .001, nothing in scientific notation;
* chapters 02 and 04 analyse the same respondents (the study's screening rule).
"""
from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
import yaml

matplotlib.use("Agg")

from crmstudy import moderation  # noqa: E402
from crmstudy.chapters import chapters  # noqa: E402
from crmstudy.display import count_table, screening_text, skipped  # noqa: E402
from crmstudy.labels import path_label, term_label, variable_label  # noqa: E402
from crmstudy.plotting.moderation import (_fit_title, interaction_plot,  # noqa: E402
                                          johnson_neyman_plot)
from crmstudy.report import regression_table, simple_slopes_table  # noqa: E402
from crmstudy.study_model import build_frame, parse_model  # noqa: E402

SECOND = Path(__file__).parent / "data" / "second_study"


def _chapter_defaults(number: str) -> dict:
    return next(c for c in chapters() if c.number == number).defaults()


@pytest.fixture(scope="module")
def sample():
    params = _chapter_defaults("04")
    model = parse_model(params["model"])
    frame = build_frame(params, model)
    multi = moderation.moderated_regressions(frame.data, list(model.y), x=model.x,
                                             w=model.w[0], controls=list(frame.controls))
    return params, frame, multi


@pytest.fixture(scope="module")
def second():
    study = yaml.safe_load((SECOND / "study.yaml").read_text(encoding="utf-8"))
    params = {**study["chapters"]["04_performance_moderation"], "model": study["model"],
              "attention_item": study["attention_item"], "drop_careless": study["drop_careless"],
              "survey": str(SECOND / "responses.csv"), "codebook": str(SECOND / "codebook.csv")}
    model = parse_model(params["model"])
    frame = build_frame(params, model)
    fit = moderation.moderated_regression(frame.data, model.y[0], model.x, model.w[0],
                                          controls=list(frame.controls))
    return frame, fit


def _simulated(n=600, seed=11):
    """Truth: slope of x = -0.6 + 0.2 w, zero at w = 3; w uniform on [1, 7].  The slope is
    negative for low w and positive for high w, so both signs have a region."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(1, 7, n)
    x = rng.normal(0, 1, n)
    y = (-0.6 + 0.2 * w) * x + 0.1 * w + rng.normal(0, 0.5, n)
    return pd.DataFrame({"y": y, "x": x, "w": w})


# ---------------------------------------------------------------------------------------------
# Johnson-Neyman regions
# ---------------------------------------------------------------------------------------------
def test_regions_agree_case_by_case_with_the_conditional_slope():
    data = _simulated()
    fit = moderation.moderated_regression(data, "y", "x", "w")
    jn = fit.johnson_neyman()
    reg = jn.regions()
    # the regions tile the observed range
    assert reg["lower"].iloc[0] == data["w"].min() and reg["upper"].iloc[-1] == data["w"].max()
    assert np.allclose(reg["lower"].iloc[1:].to_numpy(), reg["upper"].iloc[:-1].to_numpy())
    assert reg["n"].sum() == len(data) and reg["share"].sum() == pytest.approx(1.0)
    # the truth has a significantly negative and a significantly positive region
    assert list(reg["sign"]) == ["negative", "not_significant", "positive"]
    # independent check: each case's own slope test (at its w) gives its region's verdict
    each = fit.conditional_effects(data["w"].to_numpy())
    verdict = np.where(each["p"] >= 0.05, "not_significant",
                       np.where(each["slope"] > 0, "positive", "negative"))
    region = np.searchsorted(reg["upper"].to_numpy()[:-1], data["w"].to_numpy(), side="right")
    assert (reg["sign"].to_numpy()[region] == verdict).all()
    # the shares are the shares of cases beyond the bounds, computed directly
    lo, hi = jn.bounds
    assert reg["share"].iloc[0] == pytest.approx((data["w"] < lo).mean())
    assert reg["share"].iloc[-1] == pytest.approx((data["w"] >= hi).mean())


def test_describe_states_sign_and_share_of_each_region():
    data = _simulated()
    jn = moderation.moderated_regression(data, "y", "x", "w").johnson_neyman()
    reg = jn.regions()
    text = jn.describe("en")
    assert "significantly negative" in text and "significantly positive" in text
    assert "not significant" in text
    for share in reg["share"]:
        assert f"{100 * share:.1f}% of the sample" in text
    zh = jn.describe("zh")
    assert "显著为负" in zh and "显著为正" in zh and "占" in zh
    assert not re.search(r"[A-Za-z]{3,}", zh.replace("alpha", "")), zh   # x, w shown as names


def test_a_bound_outside_the_observed_range_is_no_finding(sample):
    _, frame, multi = sample
    found_outside = False
    for outcome, fit in multi.results.items():
        jn = fit.johnson_neyman()
        wmin, wmax = jn.w_range
        outside = [b for b in jn.bounds if not wmin <= b <= wmax]
        reg = jn.regions()
        assert reg["lower"].min() >= wmin and reg["upper"].max() <= wmax
        assert reg["n"].sum() == frame.n
        text = jn.describe("en")
        for b in outside:
            found_outside = True
            assert f"The bound {b:.2f} lies outside the observed range" in text
            assert f"{b:.2f}" not in text.split("The bound")[0]
            assert f"{b:.2f}" not in multi.regions_table("en").to_string()
        row = multi.johnson_neyman.loc[outcome]
        if len(jn.bounds) == 2:
            assert row["lower_observed"] == (wmin <= jn.bounds[0] <= wmax)
            assert row["upper_observed"] == (wmin <= jn.bounds[1] <= wmax)
    assert found_outside, "the sample study has a bound outside the scale (the issue's case)"


def test_sample_negative_region_is_stated_with_its_few_firms(sample):
    _, frame, multi = sample
    negative = 0
    for fit in multi.results.values():
        jn = fit.johnson_neyman()
        reg = jn.regions()
        for r in reg[reg["sign"] == "negative"].itertuples():
            negative += 1
            w = fit.hierarchy.data[fit.w]
            assert r.n == int((w < r.upper).sum())          # it is the lowest region
            assert "显著为负" in jn.describe("zh")
            assert f"{100 * r.share:.1f}%" in jn.describe("zh")
    assert negative >= 1


def test_regions_on_the_second_study(second):
    frame, fit = second
    jn = fit.johnson_neyman()
    reg = jn.regions()
    assert reg["n"].sum() == frame.n == 180
    assert (reg["lower"] >= jn.w_range[0]).all() and (reg["upper"] <= jn.w_range[1]).all()
    # the second study's truth: a positive interaction on CS; on MP (via CS) the slope is
    # positive where significant
    assert "negative" not in set(reg["sign"])
    text = jn.describe("en", labels=frame.labels("en"))
    assert "of the sample" in text


def test_regions_table_is_labelled_and_formatted(sample):
    _, _, multi = sample
    table = multi.regions_table("zh")
    text = table.to_string()
    assert "环境动荡性的取值区间" in table.columns and "占样本比例" in table.columns
    assert not re.search(r"[A-Za-z]{2,}", text), text
    assert "e-0" not in text


# ---------------------------------------------------------------------------------------------
# figures: every text inside the canvas
# ---------------------------------------------------------------------------------------------
def _texts_outside(fig, tol=1.0):
    """Texts drawn (partly) outside the canvas; tick labels beyond the view are not drawn and
    the figure's tight bounding box (what is drawn) must lie inside the canvas."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    tight = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)
    if (tight.x0 >= box.x0 - tol and tight.x1 <= box.x1 + tol and tight.y0 >= box.y0 - tol
            and tight.y1 <= box.y1 + tol):
        return []
    out = []
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip():
            e = t.get_window_extent(renderer)
            if e.x0 < box.x0 - tol or e.x1 > box.x1 + tol or e.y1 > box.y1 + tol:
                out.append(t.get_text())
    return out or [f"drawn area {tight} beyond the canvas {box}"]


def test_the_check_finds_a_clipped_title():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    ax.set_title("An interaction title far too long to fit the width of this small figure at all")
    assert _texts_outside(fig)
    _fit_title(ax, "An interaction title far too long to fit the width of this small figure at all")
    assert not _texts_outside(fig)
    plt.close(fig)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chapter_figures_keep_every_text_inside_the_canvas(sample, lang):
    import matplotlib.pyplot as plt
    from crmstudy.plotting import set_theme

    set_theme(lang=lang)
    _, frame, multi = sample
    labels = {k: v for k, v in frame.labels(lang).items() if v != k}
    for fit in multi.results.values():
        for fig in (interaction_plot(fit, lang=lang, labels=labels),
                    johnson_neyman_plot(fit.johnson_neyman(), lang=lang, labels=labels)):
            assert not _texts_outside(fig), _texts_outside(fig)
            plt.close(fig)


# ---------------------------------------------------------------------------------------------
# labels and numbers
# ---------------------------------------------------------------------------------------------
def test_regression_table_labels_dummies_and_formats_p(sample):
    _, frame, multi = sample
    fit = next(iter(multi.results.values()))
    zh = regression_table(fit, lang="zh").display("zh").to_string()
    assert re.search(r"所有制：民营（参照：(国有|外资)）", zh), zh
    assert "[T." not in zh and "ownership" not in zh
    assert "e-0" not in zh and "e+0" not in zh
    slopes = simple_slopes_table(fit, lang="zh").display("zh").to_string()
    assert "低（均值 − 1 SD）" in slopes and "mean - 1 SD" not in slopes
    p_column = simple_slopes_table(fit, lang="zh").display("zh")["p"]
    assert "< 0.001" in set(p_column) and "0.000" not in set(p_column)
    en = simple_slopes_table(fit, lang="en").display("en").to_string()
    assert "< .001" in en and "Low (M − 1 SD)" in en


def test_labels_of_logged_controls_and_moderated_paths():
    assert term_label("ownership[T.private]", "zh", references={"ownership": "state"}) == \
        "所有制：民营（参照：国有）"
    assert variable_label("log_firm_size", "zh") == "ln(企业规模)"
    assert path_label("capability -> customer × ED", "zh") == "客户关系管理能力 → 客户绩效 × 环境动荡性"


def test_truth_recovery_table_is_labelled():
    data = _simulated()
    generating = pd.DataFrame({"y": {"x": -0.6, "w": 0.1, "x:w": 0.2}})
    recovery = moderation.truth_recovery(data, generating, "x", "w")
    assert len(recovery) == 3 and recovery["covered"].all()       # the truth is recovered
    table = moderation.truth_recovery_table(recovery, "zh", labels={"x": "能力", "w": "动荡性",
                                                                   "y": "绩效"})
    assert table.iloc[2, 1] == "能力 × 动荡性" and set(table.iloc[:, -1]) == {"是"}


# ---------------------------------------------------------------------------------------------
# one N across chapters; skipped sections
# ---------------------------------------------------------------------------------------------
def test_chapters_02_and_04_analyse_the_same_respondents(sample):
    from crmstudy.schemas import prepare_survey, screening_rule

    _, frame, _ = sample
    p02, p04 = _chapter_defaults("02"), _chapter_defaults("04")
    assert screening_rule(p02) == screening_rule(p04)
    _, raw, prepared = prepare_survey(p02)
    assert len(raw) == 300                          # the attention check removes respondents
    assert len(prepared.items) == frame.n == 283
    assert list(prepared.items.index) == list(frame.data.index)


def test_screening_text_and_skipped_sentences():
    assert screening_text("attention_check", 2, True, 283, "zh") == \
        "样本筛选规则：注意力检验题 = 2、剔除不认真作答者；分析样本 N = 283"
    assert screening_text("", 2, False, 1200, "en") == \
        "Screening rule: none; analysis sample N = 1,200"
    for key in ("financials", "moderator", "hypotheses", "truth", "truth_mismatch"):
        assert "跳过本节" in skipped(key, "zh") and "skipped" in skipped(key, "en")


def test_count_table_labels_its_headers():
    issues = pd.DataFrame({"indicator": ["净资产收益率"] * 3 + ["销售增长率"],
                           "reason": ["第一年"] * 4})
    table = count_table(issues, ["indicator", "reason"], "zh")
    assert table.index.names == ["指标", "原因"] and table.columns.tolist() == ["企业-年度数"]
    assert table.iloc[:, 0].tolist() == ["3", "1"]
