"""The study model: parsing with located errors, the analysis frame, hypotheses, the second study,
and the agreement of `crmstudy check` with the chapters' own data preparation."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from crmstudy import cli, schemas
from crmstudy.chapters import chapters
from crmstudy.errors import CrmStudyError, ParameterError
from crmstudy.study import check_study
from crmstudy.study_model import (build_frame, hypothesis_table, parse_model, test_hypotheses,
                                  yaml_lines)

ROOT = Path(__file__).resolve().parents[1]
SECOND = ROOT / "tests" / "data" / "second_study"
SAMPLE_MODEL = next(c for c in chapters() if c.number == "04").defaults()["model"]


def _second_params(**extra):
    study = yaml.safe_load((SECOND / "study.yaml").read_text(encoding="utf-8"))
    params = {**study["chapters"]["04_performance_moderation"], "model": study["model"],
              "attention_item": study["attention_item"], "drop_careless": study["drop_careless"]}
    params.update(survey=str(SECOND / "responses.csv"), codebook=str(SECOND / "codebook.csv"))
    return {**params, **extra}


# -- bad models: a located error quoting the line of study.yaml --------------------------------

BAD_MODELS = {
    "unknown construct": ("  x: CRMX\n  hypotheses:\n    H1: {x: CRMX, y: CP}\n", "unknown variable 'CRMX'"),
    "undeclared hypothesis variable": ("  hypotheses:\n    H1: {x: capability, y: SALES}\n",
                                       "'SALES' is not declared"),
    "composite of one construct": ("  composites:\n    capability: [A1]\n", "only one construct"),
    "composite cycle": ("  composites:\n    capability: [A1, both]\n    both: [capability, A2]\n",
                        "cycle"),
    "hypothesis cycle": ("  hypotheses:\n    H1: {x: capability, y: CP}\n    H2: {x: CP, y: ED}\n"
                         "    H3: {x: ED, y: capability}\n", "cycle"),
    "x equal to y": ("  y: [capability]\n", "x and y are the same"),
    "constant control": ("  controls: [log(firm_size), constant_col]\n", "is constant"),
    "unknown control column": ("  controls: [log(employees)]\n", "not in the survey"),
    "unknown key": ("  moderators: [ED]\n", "unknown key 'moderators'"),
    "bad sign": ("  hypotheses:\n    H1: {x: capability, y: CP, sign: up}\n", "is not + or -"),
}


def _sample_model_yaml(override: str) -> str:
    base = {"id": "firm_id", "composites": {"capability": ["A1", "A2", "A3"]}, "x": "capability",
            "y": ["CP"], "w": ["ED"], "controls": ["log(firm_size)", "firm_age"],
            "hypotheses": {"H1": {"x": "capability", "y": "CP"}}}
    keys = {line.split(":")[0].strip() for line in override.splitlines() if line.startswith("  ") and
            not line.startswith("    ")}
    lines = ["model:"]
    for key, value in base.items():
        if key not in keys:
            lines.append(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n" + override


@pytest.mark.parametrize("case", sorted(BAD_MODELS))
def test_a_bad_model_is_a_located_error_quoting_its_line(case, tmp_path, capsys):
    override, message = BAD_MODELS[case]
    survey = pd.read_csv(ROOT / "data" / "crm_survey" / "responses.csv")
    survey.assign(constant_col=3).to_csv(tmp_path / "answers.csv", index=False)
    text = _sample_model_yaml(override) + ("chapters:\n  04_performance_moderation:\n"
                                           "    survey: answers.csv\n    financials: ''\n")
    study = tmp_path / "study.yaml"
    study.write_text(text, encoding="utf-8")
    code = cli.main(["check", str(study)])
    out = capsys.readouterr().out
    assert code == 1, out
    assert message in out, out
    line = [p for p in check_study(study) if p.severity == "error"][0]
    assert line.file == str(study) and line.where.startswith("line "), line
    number = int(line.where.split(",")[0].split()[1])
    quoted = text.splitlines()[number - 1].strip()
    assert f'reads "{quoted}"' in line.message  # the offending line of study.yaml, quoted
    assert "Traceback" not in out


def test_yaml_lines_locate_nested_keys():
    lines = yaml_lines("a: 1\nmodel:\n  x: A\n  hypotheses:\n    H1: {x: A, y: B}\n")
    assert lines[("model", "x")] == 3 and lines[("model", "hypotheses", "H1", "y")] == 5


def test_parse_model_kinds_and_process_models():
    model = parse_model(SAMPLE_MODEL)
    kinds = {h.id: (h.kind, h.process_model) for h in model.hypotheses}
    assert kinds == {"H1": ("direct", None), "H2": ("direct", None), "H3": ("moderation", None),
                     "H4": ("mediation", 4), "H5": ("moderated mediation", 7)}
    stages = {s: parse_model({**SAMPLE_MODEL, "hypotheses": {"H": {
        "x": "capability", "m": "CP", "y": "financial", "w": "ED", "stage": s}}}).hypotheses[0].process_model
        for s in ("first", "second", "both")}
    assert stages == {"first": 7, "second": 14, "both": 58}
    with pytest.raises(ParameterError, match="stage applies"):
        parse_model({**SAMPLE_MODEL, "hypotheses": {"H": {"x": "capability", "y": "CP", "stage": "first"}}})


# -- the frame ---------------------------------------------------------------------------------

def test_sample_frame_controls_reference_levels_and_screening():
    params = {"model": SAMPLE_MODEL, "survey": "crm_survey", "codebook": "crm_codebook",
              "financials": "crm_financials"}
    frame = build_frame(params)
    survey = pd.read_csv(ROOT / "data" / "crm_survey" / "responses.csv")
    # the screening rule of chapters 02-04: attention check == 2, careless respondents dropped
    assert frame.screening.startswith("attention_check == 2")
    assert frame.n < len(survey) and set(frame.data.index) <= set(survey["firm_id"])
    failed = set(survey.loc[survey["attention_check"] != 2, "firm_id"])
    assert failed and not failed & set(frame.data.index)
    assert frame.references == {"ownership": "foreign", "industry": "it"}  # first in sorted order
    np.testing.assert_allclose(frame.data["log_firm_size"],
                               np.log(survey.set_index("firm_id").loc[frame.data.index, "firm_size"]))
    # a composite is the mean of its constructs' scale scores
    from crmstudy.measurement import scale_scores

    scores = scale_scores(frame.prepared, counts=False)
    np.testing.assert_allclose(frame.data["capability"], scores[["A1", "A2", "A3"]].mean(axis=1))
    stated = build_frame({**params, "model": {**SAMPLE_MODEL, "controls": [{"industry": "retail"}]}})
    assert list(stated.data["industry"].cat.categories)[0] == "retail"


def test_statement_dimension_without_statements_is_a_located_error():
    with pytest.raises(ParameterError, match="financial statements") as info:
        build_frame({"model": SAMPLE_MODEL, "survey": "crm_survey", "codebook": "crm_codebook",
                     "financials": ""})
    assert "model.y" in str(info.value)


def test_hypotheses_table_is_bilingual_and_unrounded():
    frame = build_frame(_second_params())
    results = test_hypotheses(frame, n_boot=200)
    assert list(results["hypothesis"]) == ["H1", "H2", "H3", "H4", "H5"]
    direct = results.set_index("hypothesis").loc["H1"]
    # the direct effect is the OLS slope with the controls (checked against statsmodels itself)
    import statsmodels.formula.api as smf

    data = frame.data.rename(columns={"数字能力": "DG"})
    ols = smf.ols("MP ~ log_employees + C(region) + years + DG", data).fit(cov_type="HC3", use_t=True)
    assert direct["estimate"] == pytest.approx(ols.params["DG"], rel=1e-10)
    assert direct["p"] == pytest.approx(ols.pvalues["DG"], rel=1e-8)
    zh = hypothesis_table(results, "zh")
    assert zh.attrs["title"] == "研究假设检验结果汇总" and "结论" in zh.columns
    assert hypothesis_table(results, "en").columns[0] == "Hypothesis"


# -- the second study recovers its truth -------------------------------------------------------

def test_second_study_recovers_its_truth():
    import statsmodels.formula.api as smf

    truth = yaml.safe_load((SECOND / "truth.yaml").read_text(encoding="utf-8"))
    latent = pd.read_csv(SECOND / "latent.csv").rename(columns={"数字能力": "DG"})
    latent["DG_CI"] = latent["DG"] * latent["CI"]
    fit = smf.ols("CS ~ DG + CI + DG_CI", latent).fit()
    # tolerance: the generating coefficient lies within 3 standard errors of the estimate
    for term, true in [("DG", truth["CS"]["数字能力"]), ("CI", truth["CS"]["CI"]),
                       ("DG_CI", truth["CS"]["数字能力:CI"])]:
        assert abs(fit.params[term] - true) < 3 * fit.bse[term], term
    # on the observed 5-point scale scores, the hypotheses whose truth is clearly non-zero hold
    results = test_hypotheses(build_frame(_second_params()), n_boot=200).set_index("hypothesis")
    assert results.loc[["H1", "H2", "H3"], "supported"].tolist() == [True, True, True]
    assert (results.loc[["H1", "H2", "H3"], "estimate"] > 0).all()


# -- check <=> run: corruptions of every input column, both studies ----------------------------

def _corruptions(frame: pd.DataFrame):
    for column in frame.columns:
        yield f"drop {column}", frame.drop(columns=column)
        text = frame.astype({column: "object"})
        text.loc[text.index[0], column] = "缺失?"  # the first row: kept by every screening
        yield f"text in {column}", text


def _run_raises(study: Path) -> bool:
    """Would the run raise an input error? Each chapter's data preparation, as its notebook does."""
    from crmstudy.chapters import load_params

    by_name = {c.name: c for c in chapters()}
    for chapter, values in load_params(study, chapters()).items():
        try:
            schemas.chapter_inputs(chapter, {**by_name[chapter].defaults(), **values})
        except CrmStudyError:
            return True
    return False


def _sample_study(chapters_text: str) -> str:
    return ("model: " + json.dumps(SAMPLE_MODEL, ensure_ascii=False) + "\n" + "chapters:\n"
            + chapters_text)


_TX = "calibration_end: '1997-09-30', snapshot: '1998-06-30', observation_end: '1998-06-30'"
_SURVEY_CHAPTERS = ("  02_measurement: {{survey: {s}, codebook: {c}}}\n"
                    "  03_weighting_index: {{survey: {s}, codebook: {c}}}\n"
                    "  04_performance_moderation: {{survey: {s}, codebook: {c}, latent: '', truth: ''}}\n")
#: (study, input) -> (shipped data set or file of the second study, study file naming input.csv)
INPUTS = {
    ("sample", "survey"): ("crm_survey", _sample_study(_SURVEY_CHAPTERS.format(s="input.csv", c="crm_codebook"))),
    ("sample", "codebook"): ("crm_codebook", _sample_study(_SURVEY_CHAPTERS.format(s="crm_survey", c="input.csv"))),
    ("sample", "financials"): ("crm_financials", _sample_study(
        "  04_performance_moderation: {financials: input.csv, latent: '', truth: ''}\n")),
    ("sample", "judgments"): ("crm_judgments", _sample_study("  03_weighting_index: {judgments: input.csv}\n")),
    ("sample", "transactions"): ("cdnow", _sample_study(
        "  05_customer_value: {transactions: input.csv, " + _TX + "}\n")),
    ("sample", "b2b_customers"): ("b2b_customers", _sample_study(
        "  05_customer_value: {b2b_customers: input.csv, " + _TX + "}\n")),
    ("sample", "b2b_judgments"): ("b2b_judgments", _sample_study(
        "  05_customer_value: {b2b_judgments: input.csv, " + _TX + "}\n")),
    ("second", "survey"): (SECOND / "responses.csv", None),
    ("second", "codebook"): (SECOND / "codebook.csv", None),
}


def _load(source) -> pd.DataFrame:
    from crmstudy import datasets

    return pd.read_csv(source) if isinstance(source, Path) else datasets.load(source)


def _agreement_cases():
    for key, (source, _) in INPUTS.items():
        for label, _ in _corruptions(_load(source)):
            yield pytest.param(key, label, id=f"{key[0]}-{key[1]}-{label}")


@pytest.fixture(scope="module")
def corrupted_frames():
    return {(key, label): frame for key, (source, _) in INPUTS.items()
            for label, frame in _corruptions(_load(source))}


def _write_study(key, frame, folder: Path) -> Path:
    source, text = INPUTS[key]
    if text is None:  # the second study: its own study file, the corrupted file in place
        for name in ("responses.csv", "codebook.csv"):
            (folder / name).write_bytes((SECOND / name).read_bytes())
        frame.to_csv(folder / source.name, index=False)
        text = (SECOND / "study.yaml").read_text(encoding="utf-8")
    else:
        frame.to_csv(folder / "input.csv", index=False)
    study = folder / "study.yaml"
    study.write_text(text, encoding="utf-8")
    return study


@pytest.mark.parametrize("key, label", list(_agreement_cases()))
def test_check_fails_iff_the_run_would_raise(key, label, corrupted_frames, tmp_path):
    study = _write_study(key, corrupted_frames[(key, label)], tmp_path)
    errors = [p for p in check_study(study) if p.severity == "error"]
    assert bool(errors) == _run_raises(study), errors


@pytest.mark.parametrize("key, label, fails", [
    (("sample", "survey"), "drop A11", True), (("sample", "survey"), "text in firm_age", True),
    (("sample", "survey"), "text in firm_size", True),   # log(firm_size) is a control
    (("sample", "financials"), "text in new_product_revenue", True),
    (("sample", "b2b_customers"), "drop annual_order_value", False),  # the comparison is skipped
    (("sample", "b2b_customers"), "text in annual_order_value", True),
    (("second", "survey"), "text in years", True), (("second", "survey"), "drop region", True),
    (("second", "codebook"), "drop text_en", False),    # wording is optional
    (("sample", "codebook"), "drop construct_zh", False),
])
def test_agreement_is_not_vacuous(key, label, fails, corrupted_frames, tmp_path):
    study = _write_study(key, corrupted_frames[(key, label)], tmp_path)
    assert bool([p for p in check_study(study) if p.severity == "error"]) is fails
    assert _run_raises(study) is fails


def test_agreement_corpus_covers_every_input_column():
    for key, (source, _) in INPUTS.items():
        labels = {p.values[1] for p in _agreement_cases() if p.values[0] == key}
        assert labels == {f"{kind} {c}" for c in _load(source).columns for kind in ("drop", "text in")}


def test_bad_input_corpus_agrees_with_the_chapters():
    corpus = ROOT / "tests" / "bad_inputs"
    cases = yaml.safe_load((corpus / "cases.yaml").read_text(encoding="utf-8"))
    disagree = []
    for case in cases:
        if case["param"] == "STUDY":
            continue
        chapter, name = case["param"].split(".")
        params = {**next(c for c in chapters() if c.name == chapter).defaults(),
                  name: str(corpus / case["file"]), **case.get("params", {})}
        try:
            schemas.chapter_inputs(chapter, params)
        except CrmStudyError:
            continue
        disagree.append(case["file"])
    assert not disagree, disagree


# -- the two clean studies run end to end, with their hypothesis tables ------------------------

def _run(*args, cwd=None):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "crmstudy.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=1200)


@pytest.mark.notebook
def test_second_study_runs_end_to_end_from_its_study_file(tmp_path):
    import shutil

    study = tmp_path / "second"
    shutil.copytree(SECOND, study)
    checked = _run("check", str(study / "study.yaml"))
    assert checked.returncode == 0 and "0 error(s)" in checked.stdout, checked.stdout
    ran = _run("run", "--config", str(study / "study.yaml"), "--out", str(tmp_path / "out"),
               "--no-html")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    out = tmp_path / "out"
    hypotheses = pd.read_csv(out / "hypotheses.csv", encoding="utf-8-sig")
    assert list(hypotheses["Hypothesis"]) == ["H1", "H2", "H3", "H4", "H5"]  # lang: en
    assert list(hypotheses.loc[:2, "Result"]) == ["supported"] * 3
    assert "Summary of hypothesis tests" in pd.ExcelFile(out / "tables.xlsx").sheet_names
    import nbformat

    executed = nbformat.read(out / "04_performance_moderation.ipynb", as_version=4)
    text = "\n".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "uses no financial statements" in text  # no statements: said in the study's language
    assert "N = 180" in text
    overview = nbformat.read(out / "01_framework.ipynb", as_version=4)
    text = "\n".join(o.get("text", "") for c in overview.cells for o in c.get("outputs", []))
    assert "The study has no financial statements" in text and "The study has no transactions" in text
    mechanism = nbformat.read(out / "06_mechanism.ipynb", as_version=4)
    text = "\n".join(o.get("text", "") for c in mechanism.cells for o in c.get("outputs", []))
    # Chinese construct names (数字能力) go through PROCESS and the SEM; no truth: said so
    assert "through Customer satisfaction" in text and "section skipped" in text
    assert "4 of 4 chapters ran" in ran.stdout


@pytest.mark.notebook
def test_example_study_writes_the_hypothesis_table_in_chinese(tmp_path):
    made = _run("init", str(tmp_path / "ex"), "--example")
    assert made.returncode == 0, made.stderr
    text = (tmp_path / "ex" / "study.yaml").read_text(encoding="utf-8")
    assert "\nmodel:\n" in text and "# 研究模型" in text and "attention_item: attention_check" in text
    assert parse_model(yaml.safe_load(text)["model"]) == parse_model(SAMPLE_MODEL)
    ran = _run("run", "--config", str(tmp_path / "ex" / "study.yaml"), "--chapters", "04",
               "--out", str(tmp_path / "out"), "--no-html")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    table = pd.read_csv(tmp_path / "out" / "hypotheses.csv", encoding="utf-8-sig")
    assert list(table.columns[:3]) == ["假设", "类型", "路径"]
    assert list(table["假设"]) == ["H1", "H2", "H3", "H4", "H5"]
    assert "研究假设检验结果汇总" in pd.ExcelFile(tmp_path / "out" / "tables.xlsx").sheet_names


def test_chapter_03_on_a_study_without_the_capability_items_fails_check_and_run(tmp_path):
    text = (SECOND / "study.yaml").read_text(encoding="utf-8").replace(
        "  04_performance_moderation:", "  03_weighting_index:\n    survey: responses.csv\n"
        "    codebook: codebook.csv\n  04_performance_moderation:")
    for name in ("responses.csv", "codebook.csv"):
        (tmp_path / name).write_bytes((SECOND / name).read_bytes())
    (tmp_path / "study.yaml").write_text(text, encoding="utf-8")
    errors = [p for p in check_study(tmp_path / "study.yaml") if p.severity == "error"]
    assert len(errors) == 1 and "capability indicators" in errors[0].message
    assert errors[0].where == "column A11"
    assert _run_raises(tmp_path / "study.yaml")


def test_mediation_hypotheses_follow_the_process_contract(monkeypatch):
    """The wiring against the contract of crmstudy.mediation.process
    (model number, variables, controls as numeric dummies, the first row of .indirect or of
    .index_of_moderated_mediation) with a stand-in module."""
    import sys
    import types

    calls = []

    class Result:
        def __init__(self, effect):
            row = {"effect": effect, "boot_se": 0.05, "ci_low": effect - 0.1, "ci_high": effect + 0.1}
            self.indirect = pd.DataFrame([row, {**row, "effect": 9.0}])
            self.index_of_moderated_mediation = pd.DataFrame([{**row, "effect": -effect,
                                                               "ci_low": -effect - 0.1,
                                                               "ci_high": -effect + 0.1}])

    def process(data, model, x, y, m, w=None, z=None, controls=(), n_boot=5000, seed=None,
                ci="percentile"):
        calls.append({"model": model, "x": x, "y": y, "m": m, "w": w, "controls": controls,
                      "numeric": all(pd.api.types.is_numeric_dtype(data[c]) for c in controls),
                      "n_boot": n_boot, "seed": seed, "ci": ci})
        return Result(0.3)

    fake = types.ModuleType("crmstudy.mediation")
    fake.process = process
    monkeypatch.setitem(sys.modules, "crmstudy.mediation", fake)
    import crmstudy

    monkeypatch.setattr(crmstudy, "mediation", fake, raising=False)
    results = test_hypotheses(build_frame(_second_params()), n_boot=123, seed=7).set_index("hypothesis")
    assert [c["model"] for c in calls] == [4, 7]
    assert calls[1]["w"] == "CI" and calls[0]["w"] is None
    assert all(c["x"] == "数字能力" and c["m"] == "CS" and c["y"] == "MP" for c in calls)
    assert all(c["numeric"] and c["n_boot"] == 123 and c["seed"] == 7 for c in calls)
    assert calls[0]["controls"] == ("log_employees", "region_central", "region_west", "years")
    assert results.loc["H4", "estimate"] == 0.3 and bool(results.loc["H4", "supported"]) is True
    # index of moderated mediation -0.3, CI (-0.4, -0.2): significant, but H5 says "+"
    assert results.loc["H5", "estimate"] == -0.3 and bool(results.loc["H5", "supported"]) is False
    assert np.isnan(results.loc["H4", "p"])


# -- mediation hypotheses with the real crmstudy.mediation: recover the simulated truth -----------

@pytest.mark.parametrize("study", ["sample", "second"])
def test_process_recovers_the_simulated_mediation_on_latent_scores(study):
    """On the latent (error-free) scores the bootstrap CIs cover the generating values: the
    indirect effect at W = 0 and the index of moderated mediation (tolerance: a 95% percentile
    CI, 2000 resamples, seed 1)."""
    from crmstudy import datasets
    from crmstudy.mediation import process

    if study == "sample":
        truth = yaml.safe_load((ROOT / "data" / "crm_survey" / "truth.yaml").read_text(
            encoding="utf-8"))["mediation"]
        # (0.50 + 0.20·ED)·0.40: first stage moderated, plus a moderated direct path (model 8)
        fit = process(datasets.load("crm_latent"), truth["process_model"], truth["x"], truth["y"],
                      truth["m"], w=truth["w"], n_boot=2000, seed=1)
        at0, imm = truth["indirect_at_w0"], truth["index_of_moderated_mediation"]
        assert at0 == pytest.approx(truth["a"] * truth["b"])
        assert imm == pytest.approx(truth["a_moderation"] * truth["b"])
    else:
        truth = yaml.safe_load((SECOND / "truth.yaml").read_text(encoding="utf-8"))
        fit = process(pd.read_csv(SECOND / "latent.csv"), 7, "数字能力", "MP", "CS", w="CI",
                      n_boot=2000, seed=1)
        at0, imm = truth["indirect_at_w0"], truth["index_of_moderated_mediation"]
        assert at0 == pytest.approx(truth["CS"]["数字能力"] * truth["MP"]["CS"])
    row = fit.conditional_indirect(at=[0.0]).iloc[0]
    assert row["ci_low"] < at0 < row["ci_high"], row
    index = fit.index_of_moderated_mediation.iloc[0]
    assert index["ci_low"] < imm < index["ci_high"], index
    # a test that can fail: zero lies outside both intervals
    assert row["ci_low"] > 0 and index["ci_low"] > 0


def _sample_params(**extra):
    return {**next(c for c in chapters() if c.number == "04").defaults(), **extra}


@pytest.mark.parametrize("study", ["sample", "second"])
def test_mediation_hypotheses_are_tested_by_process(study):
    """H4 (model 4) and H5 (model 7) of both studies through the real crmstudy.mediation: on the
    observed scale scores the truth is positive, so both are supported with a positive estimate;
    the estimate equals PROCESS's own a·b / index on the same frame (same seed)."""
    from crmstudy.mediation import process
    from crmstudy.study_model import _dummies

    params = _sample_params() if study == "sample" else _second_params()
    frame = build_frame(params)
    results = test_hypotheses(frame, n_boot=1000, seed=3).set_index("hypothesis")
    for h in ("H4", "H5"):
        assert results.loc[h, "estimate"] > 0 and results.loc[h, "ci_low"] > 0, results.loc[h]
        assert bool(results.loc[h, "supported"]) is True
        assert "1000" in results.loc[h, "test"] and np.isnan(results.loc[h, "p"])
    model = frame.model
    h4 = next(h for h in model.hypotheses if h.id == "H4")
    numeric, controls = _dummies(frame)
    direct = process(numeric, 4, h4.x, h4.y, h4.m, controls=tuple(controls), n_boot=1000, seed=3)
    assert results.loc["H4", "estimate"] == pytest.approx(direct.indirect["effect"].iloc[0], rel=1e-12)
    assert results.loc["H4", "ci_low"] == pytest.approx(direct.indirect["ci_low"].iloc[0], rel=1e-12)
    a = direct.paths.query("outcome == @h4.m and term == @h4.x")["b"].iloc[0]
    b = direct.paths.query("outcome == @h4.y and term == @h4.m")["b"].iloc[0]
    assert results.loc["H4", "estimate"] == pytest.approx(a * b, rel=1e-10)
    if study == "second":
        # observed 5-point scale scores attenuate the latent 0.2 (reliability < 1): the estimate is
        # positive and below the latent truth plus its bootstrap SE scale (not a coverage test)
        truth = yaml.safe_load((SECOND / "truth.yaml").read_text(encoding="utf-8"))
        assert 0 < results.loc["H4", "estimate"] < truth["indirect_at_w0"] + 0.1
