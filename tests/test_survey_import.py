"""crmstudy import: survey-platform exports -> responses, codebook draft, report.

The export files are written by ``tests/data/exports/make_exports.py`` from a documented truth
(``make_exports.truth()``: scores 1..k, skipped answers NaN, chosen options 0/1, two speeders),
except ``wjx_text.xls`` (committed; modern libraries cannot write .xls).  Every test that reads
an export also checks that the file is byte-for-byte unchanged afterwards.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmstudy import datasets
from crmstudy.cli import main
from crmstudy.errors import InputDataError, ParameterError
from crmstudy.measurement import Codebook
from crmstudy.study import check_study, file_sha256, init_study
from crmstudy.survey_import import KNOWN_FORMATS, read_survey, write_import

EXPORTS = Path(__file__).resolve().parent / "data" / "exports"
_spec = importlib.util.spec_from_file_location("make_exports", EXPORTS / "make_exports.py")
make_exports = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_exports)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    out = make_exports.make_all(folder)
    out["wjx_text.xls"] = EXPORTS / "wjx_text.xls"
    return out


@pytest.fixture(scope="module")
def truth():
    return make_exports.truth()


class Untouched:
    """Hashes of files before a test; ``check()`` asserts they did not change."""

    def __init__(self, *paths):
        self.hashes = {Path(p): file_sha256(p) for p in paths}

    def check(self):
        for path, digest in self.hashes.items():
            assert file_sha256(path) == digest, f"{path} was modified"


def _scale_items(survey):
    return survey.codebook["item"].tolist()


# ------------------------------------------------------------------------- correctness
def test_wjx_text_export_recovers_the_truth(files, truth):
    keep = Untouched(files["wjx_text.xlsx"])
    s = read_survey(files["wjx_text.xlsx"])
    keep.check()
    r = s.responses
    assert s.platform == "wjx"
    assert r["id"].tolist() == [str(i) for i in truth["id"]]
    # platform columns dropped; submission time and duration kept for screening
    assert not {"来源", "来源详情", "来自IP", "序号", "提交答卷时间", "所用时间"} & set(r.columns)
    assert {"submitted_at", "duration_s", "speeding"} <= set(r.columns)
    np.testing.assert_array_equal(r["duration_s"], truth["seconds"].astype(float))
    for item in ("Q3_1", "Q3_2", "Q3_3", "Q4"):
        np.testing.assert_array_equal(r[item].to_numpy(float), truth[item].to_numpy(float))
    assert r["Q1"].tolist() == [make_exports.GENDER[g - 1] for g in truth["gender"]]
    np.testing.assert_array_equal(r["Q5"], truth["age"].astype(float))
    # 5-point agreement matrix (a subset of the 7-point wording) and 7-point fit question
    book = s.codebook.set_index("item")
    assert _scale_items(s) == ["Q3_1", "Q3_2", "Q3_3", "Q4"]
    assert book.loc["Q3_1", ["min", "max"]].tolist() == [1.0, 5.0]
    assert book.loc["Q4", ["min", "max"]].tolist() == [1.0, 7.0]
    assert book.loc["Q3_2", "text_zh"] == make_exports.ROWS[1]
    assert book.loc["Q4", "text_zh"] == "本品牌的产品符合我的需要。"
    assert (book["missing_codes"] == "-3;-2").all() and (book["construct"] == "").all()
    # multi-select: one 0/1 column per option (text only: options in order of first appearance)
    wording = s.variables.set_index("variable")["wording"]
    for k, option in enumerate(make_exports.CHANNELS, start=1):
        item = next(v for v in wording.index if v.startswith("Q2_") and wording[v].endswith(option))
        np.testing.assert_array_equal(r[item], truth[f"Q2_{k}"])
    # speeding: 4 rating items, < 2 s per item -> the two respondents with 5 s and 7 s
    assert r.loc[r["speeding"].astype(bool), "id"].tolist() == ["1", "10"]
    assert s.conventions["min_seconds_per_item"] == 2.0
    assert "Huang" in s.conventions["speeding_rule"]


def test_speeding_threshold_is_a_parameter(files):
    s = read_survey(files["wjx_text.xlsx"], min_seconds_per_item=1.5)
    assert s.responses.loc[s.responses["speeding"].astype(bool), "id"].tolist() == ["1"]
    with pytest.raises(ParameterError):
        read_survey(files["wjx_text.xlsx"], min_seconds_per_item=-1)


@pytest.mark.parametrize("name", ["wjx_text_bom.csv", "wjx_text_gbk.csv", "wjx_text.xls"])
def test_every_file_format_of_the_text_export_reads_the_same(files, name):
    reference = read_survey(files["wjx_text.xlsx"])
    keep = Untouched(files[name])
    s = read_survey(files[name])
    keep.check()
    pd.testing.assert_frame_equal(s.responses, reference.responses, check_dtype=False)
    pd.testing.assert_frame_equal(s.codebook, reference.codebook)


def test_text_and_score_versions_agree(files, truth):
    text = read_survey(files["wjx_text.xlsx"])
    score = read_survey(files["wjx_score.xlsx"])
    items = _scale_items(text)
    assert _scale_items(score) == items
    pd.testing.assert_frame_equal(score.responses[items], text.responses[items])
    assert score.codebook[["min", "max"]].equals(text.codebook[["min", "max"]])
    # the score export's multi-select columns 第2题(option) are 0/1 in questionnaire order
    for k in range(1, 5):
        np.testing.assert_array_equal(score.responses[f"Q2_{k}"], truth[f"Q2_{k}"])
    # given together: the text answers, the score export's option order, checked agreement
    keep = Untouched(files["wjx_text.xlsx"], files["wjx_score.xlsx"])
    both = read_survey(files["wjx_text.xlsx"], score_file=files["wjx_score.xlsx"])
    keep.check()
    for k in range(1, 5):
        np.testing.assert_array_equal(both.responses[f"Q2_{k}"], truth[f"Q2_{k}"])
    pd.testing.assert_frame_equal(both.responses[items], text.responses[items])
    assert both.responses["Q1"].tolist() == text.responses["Q1"].tolist()   # words kept
    assert any("agree on every scored answer" in en for en, _ in both.decisions)


def test_tencent_export(files, truth):
    keep = Untouched(files["tencent.xlsx"])
    s = read_survey(files["tencent.xlsx"])
    keep.check()
    assert s.platform == "tencent"
    r = s.responses
    assert r["id"].tolist() == [str(i + 1000) for i in truth["id"]]
    assert not {"用户类型", "用户标识", "昵称", "地理位置省"} & set(r.columns)
    for item in ("Q3_1", "Q3_2", "Q3_3", "Q4"):
        np.testing.assert_array_equal(r[item].to_numpy(float), truth[item].to_numpy(float))
    np.testing.assert_array_equal(r["duration_s"], truth["seconds"].astype(float))
    assert r["started_at"].iloc[0] == "2026-03-01 09:00:00"
    assert r.loc[r["speeding"].astype(bool), "id"].tolist() == ["1001", "1010"]


@pytest.mark.parametrize("name", ["survey.sav", "survey.dta"])
def test_spss_and_stata_files_with_labels(files, truth, name):
    keep = Untouched(files[name])
    s = read_survey(files[name])
    keep.check()
    assert s.platform == ("spss" if name.endswith(".sav") else "stata")
    book = s.codebook.set_index("item")
    assert book.index.tolist() == ["Q3_1", "Q3_2", "Q3_3"]     # gender (2 labels) is a choice
    assert book.loc["Q3_1", "text_zh"] == make_exports.ROWS[0]  # wording: variable label
    assert book[["min", "max"]].to_numpy().tolist() == [[1.0, 5.0]] * 3
    for item in ("Q3_1", "Q3_2", "Q3_3"):
        np.testing.assert_array_equal(s.responses[item].to_numpy(float), truth[item].to_numpy(float))
    kinds = s.variables.set_index("variable")["kind"]
    assert kinds["gender"] == "choice" and kinds["age"] == "number"
    if name.endswith(".sav"):  # the user-missing code 9 is missing and recorded
        assert book.loc["Q3_2", "missing_codes"] == "9"


def test_codebook_draft_loads_once_constructs_are_filled(files):
    from crmstudy.measurement.codebook import CODEBOOK_COLUMNS
    from crmstudy.survey_import import CODEBOOK_COLUMNS as DRAFT_COLUMNS

    assert DRAFT_COLUMNS == CODEBOOK_COLUMNS
    s = read_survey(files["wjx_text.xlsx"])
    assert tuple(s.codebook.columns) == CODEBOOK_COLUMNS
    draft = s.codebook.copy()
    with pytest.raises(Exception):           # constructs left empty for the researcher
        Codebook.from_frame(draft)
    draft["construct"] = ["LOY", "LOY", "LOY", "FIT"]
    draft = draft[draft["construct"] == "LOY"]
    book = Codebook.from_frame(draft)
    assert book.model == {"LOY": ["Q3_1", "Q3_2", "Q3_3"]}
    assert book.table["missing_codes"].iloc[0] == (-3.0, -2.0)
    assert not book.table["reverse"].any()


def test_scale_choice_pools_related_questions(tmp_path):
    """A column showing only some words takes the scale of the questions sharing its words."""
    frame = pd.DataFrame({
        "序号": [1, 2, 3, 4], "提交答卷时间": "2026/3/1 10:00:00", "所用时间": "100秒",
        "第1题(a)": ["非常同意", "比较同意", "不同意", "一般"],
        "第1题(b)": ["同意", "非常同意", "同意", "非常不同意"],   # no 比较…: still 7-point
        "2、x": ["同意", "同意", "非常同意", "不同意"]})
    path = tmp_path / "x.xlsx"
    frame.to_excel(path, index=False)
    s = read_survey(path)
    assert s.codebook["max"].tolist() == [7.0, 7.0, 7.0]
    np.testing.assert_array_equal(s.responses["Q1_2"], [6, 7, 6, 1])


def test_five_and_seven_point_questions_in_one_export(tmp_path):
    """A complete 5-point question keeps 5 points although 7-point questions share its words."""
    five = ["非常不同意", "不同意", "一般", "同意", "非常同意"]
    seven = ["非常不同意", "不同意", "比较不同意", "一般", "比较同意", "同意", "非常同意"]
    frame = pd.DataFrame({"序号": range(1, 8), "提交答卷时间": "2026/3/1 10:00:00", "所用时间": "100秒",
                          "第1题(a)": five + ["同意", "一般"], "第1题(b)": five[::-1] + ["一般", "同意"],
                          "第2题(c)": seven, "第2题(d)": seven[::-1]})
    path = tmp_path / "x.xlsx"
    frame.to_excel(path, index=False)
    s = read_survey(path)
    assert s.codebook["max"].tolist() == [5.0, 5.0, 7.0, 7.0]
    np.testing.assert_array_equal(s.responses["Q1_1"], [1, 2, 3, 4, 5, 4, 3])
    np.testing.assert_array_equal(s.responses["Q2_1"], range(1, 8))


def test_english_wordings_in_a_plain_table(tmp_path):
    words = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
    frame = pd.DataFrame({"respondent": ["r1", "r2", "r3", "r4", "r5"],
                          "Q1. I trust this brand": words, "Q2. I would buy again": words[::-1],
                          "age": [20, 30, 40, 50, 60]})
    path = tmp_path / "plain.csv"
    frame.to_csv(path, index=False)
    s = read_survey(path)
    assert s.platform == "table"
    assert s.responses.columns.tolist() == ["id", "Q1", "Q2", "age"]
    assert s.responses["id"].tolist() == ["r1", "r2", "r3", "r4", "r5"]
    np.testing.assert_array_equal(s.responses["Q2"], [5, 4, 3, 2, 1])
    assert s.codebook["text_en"].tolist() == ["I trust this brand", "I would buy again"]
    assert "speeding" not in s.responses          # no duration in the file: no screening


def test_edited_mapping_changes_the_scores(files, tmp_path):
    study = tmp_path / "first"
    write_import(read_survey(files["wjx_text.xlsx"]), study)
    mapping = study / "inputs" / "likert_mapping.yaml"
    text = mapping.read_text(encoding="utf-8").replace("scores: [1, 2, 3, 4, 5]",
                                                       "scores: [0, 1, 2, 3, 4]")
    edited = tmp_path / "mapping.yaml"
    edited.write_text(text, encoding="utf-8")
    again = read_survey(files["wjx_text.xlsx"], mapping=edited)
    first = read_survey(files["wjx_text.xlsx"])
    np.testing.assert_array_equal(again.responses["Q3_1"], first.responses["Q3_1"] - 1)
    np.testing.assert_array_equal(again.responses["Q4"], first.responses["Q4"])
    assert again.codebook.set_index("item").loc["Q3_1", ["min", "max"]].tolist() == [0.0, 4.0]


def test_duration_formats(tmp_path):
    frame = pd.DataFrame({"序号": [1, 2, 3, 4], "提交答卷时间": "2026/3/1 10:00:00",
                          "所用时间": ["125秒", "2分5秒", "1小时0分1秒", "00:02:05"],
                          "1、a": ["同意", "不同意", "一般", "同意"],
                          "2、b": ["同意", "不同意", "一般", "非常同意"]})
    path = tmp_path / "d.xlsx"
    frame.to_excel(path, index=False)
    assert read_survey(path).responses["duration_s"].tolist() == [125, 125, 3601, 125]


# ------------------------------------------------------------------------- writing
def test_import_writes_a_new_study_atomically_and_never_overwrites(files, tmp_path):
    keep = Untouched(files["wjx_text.xlsx"], files["wjx_score.xlsx"])
    study = tmp_path / "study"
    rc = main(["import", str(files["wjx_text.xlsx"]), str(files["wjx_score.xlsx"]), "--to", str(study)])
    keep.check()
    assert rc == 0
    names = sorted(p.name for p in (study / "inputs").iterdir())
    assert names == ["codebook.csv", "import_report.md", "likert_mapping.yaml", "survey.csv",
                     "variables.csv"]
    survey = pd.read_csv(study / "inputs" / "survey.csv")
    assert survey.columns[0] == "id" and "Q3_1" in survey
    report = (study / "inputs" / "import_report.md").read_text(encoding="utf-8")
    assert "# Import report" in report and "# 数据导入报告" in report and "speeding" in report
    assert "inputs/survey.csv" in (study / "study.yaml").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".study.import-*"))     # no staging folder left behind
    before = {p: file_sha256(p) for p in study.rglob("*") if p.is_file()}
    # again into the same study: refused, nothing changed
    assert main(["import", str(files["wjx_text.xlsx"]), "--to", str(study)]) == 2
    with pytest.raises(ParameterError, match="already exists"):
        write_import(read_survey(files["wjx_text.xlsx"]), study)
    assert {p: file_sha256(p) for p in study.rglob("*") if p.is_file()} == before
    assert not [p for p in (study / "inputs").iterdir() if p.name.startswith(".import-")]


def test_import_into_an_existing_study_adds_inputs_only(files, tmp_path):
    study = tmp_path / "s"
    init_study(study, chapters=None)
    before = {p: file_sha256(p) for p in study.rglob("*") if p.is_file()}
    written = write_import(read_survey(files["survey.sav"]), study)
    assert {p.name for p in written} == {"survey.csv", "codebook.csv", "variables.csv",
                                        "likert_mapping.yaml", "import_report.md"}
    assert all(file_sha256(p) == h for p, h in before.items())   # study.yaml, templates untouched
    other = tmp_path / "not_a_study"
    other.mkdir()
    (other / "notes.txt").write_text("x")
    with pytest.raises(ParameterError, match="not a crmstudy study"):
        write_import(read_survey(files["survey.sav"]), other)


def test_sample_survey_from_wjx_text_export_to_a_valid_study(tmp_path):
    """问卷星 text export of the shipped sample -> import -> constructs filled -> check passes."""
    export = tmp_path / "sample_wjx.xlsx"
    make_exports.sample_wjx_text(export)
    keep = Untouched(export)
    study = tmp_path / "thesis"
    assert main(["import", str(export), "--to", str(study)]) == 0
    keep.check()
    shipped = datasets.load("crm_codebook")
    data = datasets.load("crm_survey")
    draft = pd.read_csv(study / "inputs" / "codebook.csv", dtype=str, keep_default_na=False)
    assert len(draft) == 30                        # 29 scale items and the attention check
    # the researcher's step: constructs (and the reverse key) by item wording; the attention
    # check belongs to no scale, so its row is deleted
    fill_constructs(draft, shipped).to_csv(study / "inputs" / "codebook.csv", index=False)
    problems = check_study(study / "study.yaml")
    assert [p for p in problems if p.severity == "error"] == []
    # the imported answers are the sample's (its codes 99 and -9 exported as skip/blank)
    survey = pd.read_csv(study / "inputs" / "survey.csv")
    by_text = dict(zip(shipped["text_zh"], shipped["item"]))
    for row in draft.itertuples():
        if row.text_zh in by_text:
            expected = data[by_text[row.text_zh]].astype(float).where(lambda x: x.between(1, 7))
            np.testing.assert_array_equal(survey[row.item], expected)
    assert survey["Q1"].tolist() == data["firm_id"].astype(str).tolist()
    assert int(survey["speeding"].sum()) == 6


def fill_constructs(draft: pd.DataFrame, shipped: pd.DataFrame) -> pd.DataFrame:
    """What a researcher does by hand: a construct (and reverse key) for each scale item."""
    ref = shipped.set_index("text_zh")
    out = draft[draft["text_zh"].isin(ref.index)].copy()
    out["construct"] = out["text_zh"].map(ref["construct"])
    out["reverse"] = out["text_zh"].map(ref["reverse"]).astype(str)
    return out


# ------------------------------------------------------------------------- bad input
def _edited(source: Path, target: Path, edit) -> Path:
    frame = pd.read_excel(source, dtype=object)
    frame = edit(frame)
    frame.to_excel(target, index=False)
    return target


def test_header_mismatch_between_text_and_score(files, tmp_path):
    score = _edited(files["wjx_score.xlsx"], tmp_path / "score.xlsx",
                    lambda f: f.rename(columns={"第3题(我愿意继续购买本品牌。)": "第3题(我会继续购买。)"}))
    keep = Untouched(files["wjx_text.xlsx"], score)
    with pytest.raises(InputDataError, match="rows of question 3") as err:
        read_survey(files["wjx_text.xlsx"], score_file=score)
    keep.check()
    assert err.value.file == str(score) and err.value.column.startswith("第3题")
    missing = _edited(files["wjx_score.xlsx"], tmp_path / "score2.xlsx",
                      lambda f: f.drop(columns=["4、本品牌的产品符合我的需要。"]))
    with pytest.raises(InputDataError, match="does not match the text export"):
        read_survey(files["wjx_text.xlsx"], score_file=missing)


def test_text_and_score_answers_that_disagree(files, tmp_path):
    def edit(f):
        f.loc[4, "4、本品牌的产品符合我的需要。"] = 1 if f.loc[4, "4、本品牌的产品符合我的需要。"] != 1 else 2
        return f
    score = _edited(files["wjx_score.xlsx"], tmp_path / "score.xlsx", edit)
    with pytest.raises(InputDataError, match="disagree") as err:
        read_survey(files["wjx_text.xlsx"], score_file=score)
    assert err.value.row == "5" and err.value.line == 6


def test_answer_word_not_in_the_mapping_is_named_with_row_and_column(files, tmp_path):
    bad = _edited(files["wjx_text.xlsx"], tmp_path / "t.xlsx",
                  lambda f: f.assign(**{"第3题(本品牌的服务让我满意。)":
                                        f["第3题(本品牌的服务让我满意。)"].where(f.index != 6, "很同意")}))
    keep = Untouched(bad)
    with pytest.raises(InputDataError, match="很同意") as err:
        read_survey(bad)
    keep.check()
    assert err.value.row == "7" and err.value.line == 8
    assert err.value.column == "第3题(本品牌的服务让我满意。)"
    assert "--mapping" in err.value.hint


def test_duplicate_respondents(files, tmp_path):
    bad = _edited(files["wjx_text.xlsx"], tmp_path / "t.xlsx",
                  lambda f: f.assign(序号=[1, 2, 3, 4, 5, 3, 7, 8, 9, 10, 11, 12]))
    with pytest.raises(InputDataError, match="duplicate respondents: submission number 3") as err:
        read_survey(bad)
    assert err.value.column == "序号" and err.value.line == 7


def test_file_of_neither_format_lists_the_known_formats(tmp_path):
    for name, content in (("answers.json", b'{"a": 1}'), ("answers.xlsx", b"not a workbook"),
                          ("answers.pdf", b"%PDF-1.4")):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(InputDataError, match="not a survey export") as err:
            read_survey(path)
        assert "SPSS .sav" in err.value.hint and "问卷星" in err.value.hint
        assert path.read_bytes() == content
    assert len(KNOWN_FORMATS) == 5


@pytest.mark.parametrize("damage", ["truncated", "encrypted"])
def test_unreadable_sav_is_a_located_error(files, tmp_path, damage):
    raw = files["survey.sav"].read_bytes()
    path = tmp_path / f"{damage}.sav"
    # a real password-encrypted .sav can only be made with SPSS; it stands in as a file with an
    # SPSS-like signature followed by bytes ReadStat cannot parse (what it sees in encrypted data)
    path.write_bytes(raw[: len(raw) // 2] if damage == "truncated"
                     else b"$FL3@(#) IBM SPSS STATISTICS 64-bit" + bytes(range(256)) * 4)
    keep = Untouched(path)
    with pytest.raises(InputDataError, match="SPSS file cannot be read") as err:
        read_survey(path)
    keep.check()
    assert err.value.file == str(path) and "password" in err.value.hint


def test_cli_reports_bad_input_with_exit_status_2(files, tmp_path, capsys):
    path = tmp_path / "x.json"
    path.write_text("{}")
    assert main(["import", str(path), "--to", str(tmp_path / "s")]) == 2
    assert "not a survey export" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_id_from_a_question_named_for_the_chapters(tmp_path):
    """The firm id asked in question 1 as the id column firm_id, for chapters 02 and 04."""
    export = tmp_path / "sample_wjx.xlsx"
    frame = make_exports.sample_wjx_text(export)
    study = tmp_path / "thesis"
    assert main(["import", str(export), "--to", str(study), "--id-column", "1、企业编号：",
                 "--id-name", "firm_id", "--chapters", "02,04"]) == 0
    survey = pd.read_csv(study / "inputs" / "survey.csv")
    assert survey.columns[0] == "firm_id" and "Q1" not in survey
    assert survey["firm_id"].tolist() == frame["1、企业编号："].tolist()
    text = (study / "study.yaml").read_text(encoding="utf-8")
    assert "id_col: firm_id" in text and "04_performance_moderation:" in text
    assert text.count("survey: inputs/survey.csv") == 2 and "crm_survey" not in text
    report = (study / "inputs" / "import_report.md").read_text(encoding="utf-8")
    assert "序号 is not used" in report
    with pytest.raises(ParameterError, match="already a column"):
        read_survey(export, id_name="Q2_1")


def test_existing_study_report_says_which_lines_to_set(files, tmp_path):
    study = tmp_path / "s"
    init_study(study, chapters=None)
    write_import(read_survey(files["wjx_text.xlsx"]), study, lang="en")
    report = (study / "inputs" / "import_report.md").read_text(encoding="utf-8")
    assert "survey: inputs/survey.csv, codebook: inputs/codebook.csv, id_col: id" in report
    assert "# 数据导入报告" not in report      # lang="en": the English report only (and the note)


def test_chinese_report_names_every_decision(files):
    s = read_survey(files["wjx_text.xlsx"], score_file=files["wjx_score.xlsx"])
    zh = s.report("zh")
    assert zh.startswith("# 数据导入报告") and "Import report" not in zh
    for _, line in s.decisions:
        assert line in zh
    assert "删除平台列 来源, 来源详情, 来自IP" in zh and "多选题" in zh and "作答过快：2 位" in zh
    with pytest.raises(ParameterError):
        s.report("fr")
    assert s.summary().loc["scale", "n"] == 4


def test_item_ids_stay_unique(tmp_path):
    frame = pd.DataFrame({"序号": [1, 2, 3], "提交答卷时间": "2026/3/1 10:00:00", "所用时间": "100秒",
                          "5、a": ["同意", "一般", "不同意"], "Q5": ["x", "y", "z"]})
    path = tmp_path / "x.xlsx"
    frame.to_excel(path, index=False)
    s = read_survey(path)
    assert s.responses.columns[:3].tolist() == ["id", "Q5", "Q5_2"]
    assert s.responses["Q5_2"].tolist() == ["x", "y", "z"]


@pytest.mark.parametrize("header", ["第3题(b)", "3.(b)", "3、(b)", "3(b)", "3．（b）"])
def test_matrix_row_header_forms(tmp_path, header):
    frame = pd.DataFrame({"序号": [1, 2, 3], "3、(a)": ["同意", "一般", "不同意"],
                          header: ["不同意", "同意", "一般"]})
    path = tmp_path / "x.csv"
    frame.to_csv(path, index=False)
    s = read_survey(path)
    assert s.codebook["item"].tolist() == ["Q3_1", "Q3_2"]
    assert s.codebook["text_zh"].tolist() == ["", ""] and s.codebook["text_en"].tolist() == ["a", "b"]
