"""Chapter 06's package side: crmstudy.mechanism (which mediation, the SEM of the research
model, the truth comparison) and the display helpers it uses."""
from pathlib import Path

import pandas as pd
import pytest
import yaml

from crmstudy import datasets
from crmstudy.display import effects_table, estimate_table, hypothesis_summary, skipped
from crmstudy.errors import ParameterError
from crmstudy.mechanism import focal_mediation, mechanism_sem, mediation_hypotheses, truth_mediation
from crmstudy.study_model import build_frame, parse_model

ROOT = Path(__file__).resolve().parents[1]
SECOND = ROOT / "tests" / "data" / "second_study"
SAMPLE = {"id": "firm_id", "composites": {"capability": ["A1", "A2", "A3"]}, "x": "capability",
          "y": ["financial", "customer"], "w": ["ED"], "m": ["CP"],
          "controls": ["log(firm_size)", "ownership"],
          "hypotheses": {"H1": {"x": "capability", "y": "financial"},
                         "H4": {"x": "capability", "m": "CP", "y": "financial", "sign": "+"},
                         "H5": {"x": "capability", "m": "CP", "y": "financial", "w": "ED",
                                "stage": "first", "sign": "+"}}}


@pytest.fixture(scope="module")
def frame():
    model = parse_model(SAMPLE)
    return build_frame(dict(survey="crm_survey", codebook="crm_codebook",
                            financials="crm_financials", attention_item="attention_check",
                            attention_answer=2, drop_careless=True, balance="average",
                            composite_method="entropy"), model)


def test_focal_mediation_follows_the_hypotheses_then_the_model():
    model = parse_model(SAMPLE)
    assert [h.id for h in mediation_hypotheses(model)] == ["H4", "H5"]
    assert focal_mediation(model) == {"x": "capability", "m": "CP", "y": "financial", "w": "ED"}
    no_hyp = parse_model({**SAMPLE, "y": ["customer", "financial"], "hypotheses": {}})
    assert focal_mediation(no_hyp) == {"x": "capability", "m": "CP", "y": "customer", "w": "ED"}
    assert focal_mediation(parse_model({**SAMPLE, "m": [], "hypotheses": {}})) is None
    second = parse_model(yaml.safe_load((SECOND / "study.yaml").read_text(encoding="utf-8"))["model"])
    assert focal_mediation(second) == {"x": "数字能力", "m": "CS", "y": "MP", "w": "CI"}


def test_mechanism_sem_builds_dimensions_mediator_outcomes(frame):
    spec = mechanism_sem(frame)
    lines = spec.syntax.splitlines()
    assert spec.predictors == ("A1", "A2", "A3") and spec.mediators == ("CP",)
    assert spec.outcomes == ("financial", "customer")
    assert "CP =~ CP1 + CP2 + CP3 + CP4" in lines
    assert "CP ~ A1_CP*A1 + A2_CP*A2 + A3_CP*A3" in lines
    assert "indirect_financial := A1_CP*CP_financial + A2_CP*CP_financial + A3_CP*CP_financial" \
        in lines
    assert list(spec.data.columns[-2:]) == ["financial", "customer"]
    assert len(spec.data) == len(frame.data) == 283


def test_mechanism_sem_refuses_a_model_without_mediator(frame):
    from dataclasses import replace

    with pytest.raises(ParameterError, match="no mediator"):
        mechanism_sem(replace(frame, model=replace(frame.model, m=())))


def test_truth_mediation_recovers_the_simulated_mediation():
    truth = datasets.read_table("crm_truth", what="truth")
    table = truth_mediation(truth, datasets.read_table("crm_latent"), n_boot=1000, seed=1)
    assert list(table["quantity"]) == ["a", "a_moderation", "b", "direct", "direct_moderation",
                                       "indirect_at_w0", "index_of_moderated_mediation"]
    # the generating values (truth.yaml: a 0.5, a·W 0.2, b 0.4, index 0.08, indirect 0.2)
    assert table.set_index("quantity").loc[["a", "a_moderation", "b", "index_of_moderated_mediation",
                                            "indirect_at_w0"], "covered"].all()
    est = table.set_index("quantity")["estimate"]
    assert abs(est["index_of_moderated_mediation"] - 0.08) < 0.03
    assert truth_mediation({"coefficients": {}}, datasets.read_table("crm_latent")) is None


def test_zh_tables_carry_no_raw_names(frame):
    from crmstudy.mediation import process

    res = process(frame.data, 4, "capability", "financial", "CP", controls=list(frame.controls),
                  n_boot=200, seed=1)
    table = estimate_table(res.paths, "zh", references=frame.references)
    assert list(table.columns[:3]) == ["因变量", "自变量", "B"]
    terms = set(table["自变量"])
    assert {"常数项", "ln(企业规模)", "所有制：民营（参照：外资）"} <= terms
    assert not any(t in terms for t in ("constant", "log_firm_size", "ownership[T.private]"))
    assert table["p"].str.match(r"^(< 0\.001|0\.\d{3})$").all()
    assert "95% 置信区间" in table.columns
    effects = effects_table(res, "zh")
    assert list(effects["路径"]) == ["总效应 c", "直接效应 c'", "间接效应：客户关系管理能力 → 客户绩效 → 财务绩效"]
    assert effects["占总效应比例"].iloc[0] == "100.0%"
    tested = pd.DataFrame({"hypothesis": ["H4"], "type": ["mediation"], "estimate": [0.01],
                           "ci_low": [0.005], "ci_high": [0.02], "expected_sign": ["+"],
                           "supported": [True]})
    summary = hypothesis_summary(tested, frame.model, "zh")
    assert summary.iloc[0].tolist() == ["H4", "中介效应", "客户关系管理能力 → 客户绩效 → 财务绩效",
                                        "0.010", "[0.005, 0.020]", "+", "支持"]
    assert skipped("no_mediation_truth", "zh").endswith("跳过本节。")


def test_the_chapter_sem_matches_lavaan():
    """Chapter 06's SEM on the sample study (data and syntax written from mechanism_sem)
    against lavaan 0.6 (tests/reference/mechanism/make_reference.R).  Tolerances: estimates
    and standardised estimates 1e-4 absolute, SEs 1e-3 relative (both expected information),
    χ² 1e-3 relative, CFI/TLI/RMSEA/SRMR 1e-4, R² 1e-4."""
    import json

    from crmstudy.sem import sem

    ref_dir = ROOT / "tests" / "reference" / "mechanism"
    ref = json.loads((ref_dir / "lavaan_reference.json").read_text(encoding="utf-8"))
    syntax = (ref_dir / "sem_model.lav").read_text(encoding="utf-8")
    fitted = sem(syntax, pd.read_csv(ref_dir / "sem_data.csv"))
    assert fitted.fit["df"] == ref["fit"]["df"]
    assert fitted.fit["chisq"] == pytest.approx(ref["fit"]["chisq"], rel=1e-3)
    for key in ("cfi", "tli", "rmsea", "srmr"):
        assert fitted.fit[key] == pytest.approx(ref["fit"][key], abs=1e-4), key
    est = fitted.estimates.set_index(["lhs", "op", "rhs"])
    for row in ref["estimates"]:
        key = (row["lhs"], row["op"], row["rhs"])
        if row["op"] == ":=":    # lavaan's rhs of a defined parameter is its expression
            key = next(k for k in est.index if k[0] == row["lhs"] and k[1] == ":=")
        got = est.loc[key]
        assert got["est"] == pytest.approx(row["est"], abs=1e-4), key
        assert got["se"] == pytest.approx(row["se"], rel=1e-3), key
        assert got["std_all"] == pytest.approx(row["std_all"], abs=1e-4), key
    for name, value in ref["r2"].items():
        assert fitted.r2[name] == pytest.approx(value, abs=1e-4), name


def test_reference_data_are_what_mechanism_sem_builds(frame):
    ref_dir = ROOT / "tests" / "reference" / "mechanism"
    spec = mechanism_sem(frame)
    assert spec.syntax + "\n" == (ref_dir / "sem_model.lav").read_text(encoding="utf-8")
    stored = pd.read_csv(ref_dir / "sem_data.csv")
    assert list(stored.columns) == list(spec.data.columns)
    assert stored.to_numpy() == pytest.approx(spec.data.to_numpy(), rel=1e-8, nan_ok=True)


def test_write_up_prints_small_p_values_as_journals_do():
    import numpy as np

    from crmstudy.mediation import process

    rng = np.random.default_rng(3)
    x = rng.normal(size=500)
    m = 0.5 * x + rng.normal(size=500)
    data = pd.DataFrame({"x": x, "m": m, "y": 0.5 * x + 0.4 * m + rng.normal(size=500)})
    res = process(data, 4, "x", "y", "m", n_boot=200, seed=1)
    zh, en = res.report("zh")[0], res.report("en")[0]
    assert "p < 0.001" in zh and "p < .001" in en
    assert "0.000" not in zh + en
