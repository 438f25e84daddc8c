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
        text.loc[text.index[3], column] = "缺失?"
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


STUDIES = {
    "sample": ("data/crm_survey", {"responses.csv": "survey", "financials.csv": "financials",
                                   "codebook.csv": "codebook"},
               "chapters:\n  02_measurement: {survey: responses.csv, codebook: codebook.csv}\n"
               "  04_performance_moderation: {survey: responses.csv, codebook: codebook.csv, "
               "financials: financials.csv, latent: '', truth: ''}\n"),
    "second": ("tests/data/second_study", {"responses.csv": "survey", "codebook.csv": "codebook"},
               None),
}


def _agreement_cases():
    for name, (folder, files, _) in STUDIES.items():
        for file in files:
            frame = pd.read_csv(ROOT / folder / file)
            for label, _ in _corruptions(frame):
                yield pytest.param(name, file, label, id=f"{name}-{file}-{label}")


@pytest.fixture(scope="module")
def corrupted_frames():
    cache = {}
    for name, (folder, files, _) in STUDIES.items():
        for file in files:
            for label, frame in _corruptions(pd.read_csv(ROOT / folder / file)):
                cache[(name, file, label)] = frame
    return cache


@pytest.mark.parametrize("study_name, file, label", list(_agreement_cases()))
def test_check_fails_iff_the_run_would_raise(study_name, file, label, corrupted_frames, tmp_path):
    folder, files, chapters_text = STUDIES[study_name]
    for other in files:
        source = ROOT / folder / other
        target = tmp_path / other
        if other == file:
            corrupted_frames[(study_name, file, label)].to_csv(target, index=False)
        else:
            target.write_bytes(source.read_bytes())
    if study_name == "sample":
        text = ("model: " + yaml.safe_dump(SAMPLE_MODEL, default_flow_style=True, allow_unicode=True)
                + chapters_text)
    else:
        text = (SECOND / "study.yaml").read_text(encoding="utf-8")
    study = tmp_path / "study.yaml"
    study.write_text(text, encoding="utf-8")
    errors = [p for p in check_study(study) if p.severity == "error"]
    assert bool(errors) == _run_raises(study), errors


def test_agreement_corpus_covers_every_column():
    labels = {(s, f) for s, f, _ in (p.values for p in _agreement_cases())}
    assert labels == {("sample", "responses.csv"), ("sample", "financials.csv"),
                      ("sample", "codebook.csv"), ("second", "responses.csv"),
                      ("second", "codebook.csv")}


def test_bad_input_corpus_agrees_with_the_chapters():
    corpus = ROOT / "tests" / "bad_inputs"
    cases = yaml.safe_load((corpus / "cases.yaml").read_text(encoding="utf-8"))
    disagree = []
    for case in cases:
        if case["param"] == "STUDY":
            continue
        chapter, name = case["param"].split(".")
        if chapter.startswith("05"):
            continue  # chapter 05's inputs are read by crmstudy.customer_value (not by schemas)
        params = {**next(c for c in chapters() if c.name == chapter).defaults(),
                  name: str(corpus / case["file"]), **case.get("params", {})}
        try:
            schemas.chapter_inputs(chapter, params)
        except CrmStudyError:
            continue
        disagree.append(case["file"])
    assert not disagree, disagree
