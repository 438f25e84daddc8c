"""The `crmstudy` command: help, the main job, and its bad-input paths."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from crmstudy import cli

pytestmark = pytest.mark.notebook


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "crmstudy.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_help_explains_everything():
    top = run_cli("--help")
    assert top.returncode == 0 and "run" in top.stdout and "chapters" in top.stdout
    sub = run_cli("run", "--help")
    for flag in ("--params", "--out", "--chapters", "--timeout", "--jobs", "--no-html", "Exit status"):
        assert flag in sub.stdout


def test_chapters_are_discovered_in_order():
    names = [c.name for c in cli.chapters()]
    assert names[0] == "01_framework" and names == sorted(names)
    assert "lang" in cli.chapters("01")[0].parameters()


def _fake_notebook(path, lang="zh"):
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    cell = nbformat.v4.new_code_cell(f'lang = "{lang}"', metadata={"tags": ["parameters"]})
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)


def test_registry_finds_both_layouts_during_the_transition(tmp_path):
    from crmstudy.chapters import _discover
    from crmstudy.errors import ParameterError

    for lang in ("zh", "en"):
        _fake_notebook(tmp_path / lang / "01_framework.ipynb", lang)
    _fake_notebook(tmp_path / "02_measurement.ipynb")           # old bilingual layout
    (tmp_path / "source").mkdir()
    found = _discover(tmp_path)
    assert [(c.name, c.languages) for c in found] == [("01_framework", ("zh", "en")),
                                                      ("02_measurement", ())]
    new, old = found
    assert new.path == tmp_path / "zh" / "01_framework.ipynb" == new.notebook() == new.notebook("zh")
    assert new.notebook("en") == tmp_path / "en" / "01_framework.ipynb"
    assert old.notebook("en") == old.notebook("zh") == tmp_path / "02_measurement.ipynb"
    with pytest.raises(ParameterError, match="unknown language 'fr'"):
        new.notebook("fr")
    _fake_notebook(tmp_path / "01_framework.ipynb")             # converted but not deleted
    with pytest.raises(ParameterError, match="01_framework.ipynb exist in both layouts"):
        _discover(tmp_path)


def test_run_chapter_01_into_a_new_folder(tmp_path):
    out = tmp_path / "results" / "one"
    result = run_cli("run", "--chapters", "01", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "[1/1] 01_framework" in result.stdout and "1 of 1 chapters ran" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["01_framework.html", "01_framework.ipynb",
                                                     "manifest.json"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["chapters"][0]["ok"] is True
    used = {Path(i["path"]).name: i for i in manifest["inputs"]}
    assert used["CDNOW_master.txt"]["kind"] == "shipped data set"
    assert len(used["CDNOW_master.txt"]["sha256"]) == 64
    assert not list(out.parent.glob(".*partial*"))  # the staging folder was renamed away
    # never overwrite
    again = run_cli("run", "--chapters", "01", "--out", str(out))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_params_file_with_english_and_user_system(tmp_path):
    system = tmp_path / "mine.yaml"
    system.write_text("indicators:\n  - {code: G, name_zh: 目标, name_en: Goal}\n"
                      "  - {code: A11, parent: G, name_zh: 甲, name_en: Item one, direction: benefit}\n",
                      encoding="utf-8")
    params = tmp_path / "params.yaml"
    params.write_text("all:\n  lang: en\n'01':\n  system_file: mine.yaml\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("run", "--chapters", "01", "--params", str(params), "--out", str(out),
                     "--no-html")
    assert result.returncode == 0, result.stderr
    text = (out / "01_framework.ipynb").read_text(encoding="utf-8")
    assert "Item one" in text
    # the study's language chose the English notebook (one language per notebook)
    executed = json.loads(text)
    if cli.chapters("01")[0].languages:
        assert executed["metadata"]["crmstudy"]["lang"] == "en"
        assert "客户关系管理能力是" not in text and "CRM capability" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml", "out", "params.yaml"]


def test_failing_chapter_names_chapter_and_cell(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("indicators:\n  - {code: G, name_zh: 目标, name_en: Goal}\n"
                   "  - {code: X, parent: NOPE, name_zh: 甲, name_en: X, direction: benefit}\n",
                   encoding="utf-8")
    params = tmp_path / "p.yaml"
    params.write_text(f"'01':\n  system_file: {bad}\n", encoding="utf-8")
    result = run_cli("run", "--chapters", "01", "--params", str(params), "--out",
                     str(tmp_path / "out"), "--no-html")
    assert result.returncode == 1
    assert "FAILED 01_framework: cell" in result.stderr
    assert "IndicatorSystemError" in result.stderr and "NOPE" in result.stderr
    assert bad.read_text(encoding="utf-8").count("NOPE") == 1  # input untouched


@pytest.mark.parametrize("content, message", [
    ("'01':\n  langauge: en\n", "unknown parameter 'langauge' for chapter 01_framework"),
    ("all:\n  colour: red\n", "unknown parameter 'colour' under 'all'"),
    ("'99':\n  lang: en\n", "unknown chapter '99'"),
    ("- just a list\n", "expected a mapping"),
])
def test_bad_params_files(tmp_path, content, message):
    params = tmp_path / "p.yaml"
    params.write_text(content, encoding="utf-8")
    result = run_cli("run", "--params", str(params), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert message in result.stderr and str(params) in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_params_file_and_unknown_chapter(tmp_path):
    result = run_cli("run", "--params", str(tmp_path / "none.yaml"))
    assert result.returncode == 2 and "parameter file not found" in result.stderr
    result = run_cli("run", "--chapters", "07", "--out", str(tmp_path / "x"))
    assert result.returncode == 2 and "unknown chapter" in result.stderr


def test_config_exports_tables_figures_workbook_and_manifest(tmp_path):
    import hashlib

    import pandas as pd

    answers = tmp_path / "inputs" / "answers.csv"
    answers.parent.mkdir()
    from crmstudy import datasets

    datasets.load("crm_survey").to_csv(answers, index=False)
    digest = hashlib.sha256(answers.read_bytes()).hexdigest()
    study = tmp_path / "study.yaml"
    study.write_text("lang: en\nchapters:\n  01_framework:\n    survey: inputs/answers.csv\n",
                     encoding="utf-8")
    out = tmp_path / "results"
    # a relative --out (the usual case): kernels run elsewhere but must still find the folder
    result = run_cli("run", "--config", str(study), "--out", "results", "--no-html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 of 1 chapters ran" in result.stdout  # only the chapters listed in the study file
    tables = sorted((out / "tables").glob("01_framework_t*.csv"))
    figures = sorted((out / "figures").glob("01_framework_f*.png"))
    assert len(tables) >= 5 and len(figures) >= 5
    assert len(list((out / "figures").glob("*.svg"))) == len(figures)
    workbook = pd.ExcelFile(out / "tables.xlsx")
    assert workbook.sheet_names == [t.stem for t in tables]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    inputs = {Path(i["path"]).name: i for i in manifest["inputs"]}
    assert inputs["answers.csv"]["sha256"] == digest and inputs["answers.csv"]["kind"] == "file"
    assert manifest["config_file"] == str(study.resolve())
    assert {o["path"] for o in manifest["outputs"]} >= {"tables.xlsx", "01_framework.ipynb"}
    assert hashlib.sha256(answers.read_bytes()).hexdigest() == digest  # input untouched
    assert not (out / ".ipython").exists()


def _hashes(folder):
    import hashlib

    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_init_check_run_leave_inputs_byte_identical(tmp_path):
    study = tmp_path / "mystudy"
    made = run_cli("init", str(study), "--example")
    assert made.returncode == 0, made.stderr
    assert (study / "study.yaml").is_file() and (study / "README.md").is_file()
    text = (study / "study.yaml").read_text(encoding="utf-8")
    assert "表格和图的语言" in text and "language of tables and figures" in text
    before = _hashes(study)
    checked = run_cli("check", str(study / "study.yaml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 error(s)" in checked.stdout
    # the README's third command: every chapter of the example study, with its exports
    ran = run_cli("run", "--config", str(study / "study.yaml"), "--out", "results", "--no-html",
                  cwd=tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    numbers = [c.number for c in cli.chapters()]
    assert f"{len(numbers)} of {len(numbers)} chapters ran" in ran.stdout
    results = tmp_path / "results"
    assert (results / "tables.xlsx").is_file() and (results / "manifest.json").is_file()
    assert (results / "tables.docx").is_file() and (results / "hypotheses.csv").is_file()
    for chapter in numbers:
        assert list((results / "figures").glob(f"{chapter}_*.png")), chapter
        assert list((results / "tables").glob(f"{chapter}_*.csv")), chapter
    assert _hashes(study) == before  # every input byte-identical after init, check and run
    again = run_cli("init", str(study))
    assert again.returncode == 2 and "not empty" in again.stderr
    assert _hashes(study) == before


def test_init_templates_have_the_expected_columns(tmp_path):
    import pandas as pd

    from crmstudy import datasets

    made = run_cli("init", str(tmp_path / "s"))
    assert made.returncode == 0, made.stderr
    template = pd.read_csv(tmp_path / "s" / "inputs" / "crm_survey.csv")
    assert template.empty and list(template.columns) == list(datasets.load("crm_survey").columns)
    checked = run_cli("check", str(tmp_path / "s" / "study.yaml"))
    assert checked.returncode == 1  # empty templates are not valid data yet


def test_workbook_collects_an_empty_table(tmp_path):
    """A chapter may show a table without columns (an empty CSV): the workbook still builds."""
    import openpyxl

    from crmstudy.export import collect_workbook

    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "04_t01.csv").write_text("a,b\n1,2\n", encoding="utf-8-sig")
    (tables / "04_t02.csv").write_bytes(b"")
    book = collect_workbook(tables, tmp_path / "tables.xlsx")
    sheets = openpyxl.load_workbook(book).sheetnames
    assert sheets == ["04_t01", "04_t02"]


# -- check on Parquet transactions: the engines' reader, shared with the run -------------------

def _to_parquet(frame, path: Path) -> None:
    import duckdb  # the duckdb extra (pandas has no Parquet writer without pyarrow)

    con = duckdb.connect()
    con.register("frame", frame)
    con.execute(f"COPY frame TO '{path}' (FORMAT parquet)")
    con.close()


def _parquet_study(folder: Path, transactions: str) -> Path:
    from crmstudy import datasets

    tx = datasets.load("cdnow")
    (folder / "tx").mkdir()
    half = len(tx) // 2
    _to_parquet(tx.iloc[:half], folder / "tx" / "part1.parquet")
    _to_parquet(tx.iloc[half:], folder / "tx" / "part2.parquet")
    study = folder / "study.yaml"
    study.write_text("chapters:\n  05_customer_value:\n"
                     f"    transactions: {transactions}\n    b2b_customers: ''\n", encoding="utf-8")
    return study


@pytest.mark.parametrize("transactions", ["tx/*.parquet", "tx/part1.parquet", "tx"])
def test_check_reads_parquet_transactions_as_the_run_does(tmp_path, transactions):
    from crmstudy import schemas
    from crmstudy.chapters import chapters, load_params
    from crmstudy.study import check_study

    study = _parquet_study(tmp_path, transactions)
    assert [p for p in check_study(study) if p.severity == "error"] == []
    by_name = {c.name: c for c in chapters()}
    params = load_params(study, chapters())["05_customer_value"]
    read = schemas.chapter_inputs("05_customer_value",
                                  {**by_name["05_customer_value"].defaults(), **params})
    n = 69_659 if transactions != "tx/part1.parquet" else 69_659 // 2
    assert len(read["transactions"]) == n


def test_check_locates_a_bad_parquet_transaction_file(tmp_path):
    from crmstudy import datasets, schemas
    from crmstudy.chapters import chapters, load_params
    from crmstudy.errors import CrmStudyError
    from crmstudy.study import check_study

    study = _parquet_study(tmp_path, "tx/*.parquet")
    tx = datasets.load("cdnow")
    _to_parquet(tx.iloc[len(tx) // 2:].rename(columns={"dollar_value": "amount"}),
                tmp_path / "tx" / "part2.parquet")
    errors = [p for p in check_study(study) if p.severity == "error"]
    assert len(errors) == 1 and "dollar_value" in errors[0].message + errors[0].hint, errors
    assert "part2.parquet" in errors[0].file + errors[0].message
    by_name = {c.name: c for c in chapters()}
    params = load_params(study, chapters())["05_customer_value"]
    with pytest.raises(CrmStudyError):  # the run fails on the same input
        schemas.chapter_inputs("05_customer_value", {**by_name["05_customer_value"].defaults(), **params})
    # a glob that matches nothing: a located error from check, not a crash
    (study).write_text(study.read_text(encoding="utf-8").replace("tx/*.parquet", "nothing/*.parquet"),
                       encoding="utf-8")
    errors = [p for p in check_study(study) if p.severity == "error"]
    assert len(errors) == 1 and "nothing/*.parquet" in errors[0].file
