"""Issue 13 end to end: a 问卷星 text export of the sample survey -> ``crmstudy import`` -> the
researcher assigns constructs and fills the model -> ``crmstudy check`` -> ``crmstudy run`` ->
``tables.docx`` with Table 1 and the M1–M3 regression.  The four commands are the README's."""
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "data" / "exports"))

# exactly as in README.md, section "From a 问卷星 export to thesis tables"
COMMANDS = [
    "crmstudy import wjx_text.xlsx --to mystudy --chapters 02,04",
    "crmstudy check mystudy/study.yaml",
    "crmstudy run --config mystudy/study.yaml --chapters 02,04 --out results",
]


def _crmstudy(command: str, cwd: Path) -> subprocess.CompletedProcess:
    args = command.split()[1:]
    return subprocess.run([sys.executable, "-m", "crmstudy.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=1200)


def fill_in_as_a_researcher(study: Path) -> None:
    """What the researcher does between import and check: the construct (and reverse key) of
    each item in inputs/codebook.csv, the attention check, and the model, whose controls are
    the firm-profile questions found in inputs/variables.csv by their wording."""
    from crmstudy import datasets

    shipped = datasets.load("crm_codebook").set_index("text_zh")
    book = pd.read_csv(study / "inputs" / "codebook.csv", dtype=str, keep_default_na=False)
    variables = pd.read_csv(study / "inputs" / "variables.csv", dtype=str, keep_default_na=False)
    rating = book["text_zh"].isin(shipped.index)
    attention = book.loc[~rating, "item"].tolist()
    assert len(attention) == 1  # the attention-check question is a rating item of the export
    book = book[rating].copy()
    book["construct"] = book["text_zh"].map(shipped["construct"])
    book["reverse"] = book["text_zh"].map(shipped["reverse"]).map({True: "1", False: ""})
    for lg in ("zh", "en"):
        book[f"construct_{lg}"] = book["text_zh"].map(shipped[f"construct_{lg}"])
    book.to_csv(study / "inputs" / "codebook.csv", index=False)

    def column(wording: str) -> str:
        return variables.loc[variables["wording"].str.contains(wording), "variable"].item()

    model = {"id": "id", "composites": {"capability": ["A1", "A2", "A3"]}, "x": "capability",
             "y": ["CP", "IP"], "w": ["ED"], "m": [],
             "controls": [f"log({column('员工人数')})", column("成立年限"), column("所有制"),
                          column("所属行业")],
             "hypotheses": {"H1": {"x": "capability", "y": "CP", "sign": "+"},
                            "H2": {"x": "capability", "y": "IP", "w": "ED", "sign": "+"}}}
    text = (study / "study.yaml").read_text(encoding="utf-8")
    text = text.replace("attention_item: ''", f"attention_item: {attention[0]}")
    start = text.index("# model:")
    end = text.index("\nchapters:")
    text = text[:start] + yaml.safe_dump({"model": model}, allow_unicode=True, sort_keys=False) + text[end:]
    (study / "study.yaml").write_text(text, encoding="utf-8")


def test_readme_states_the_commands_the_test_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("From a 问卷星 export to thesis tables"):]
    for command in COMMANDS:
        assert command in section, command


@pytest.mark.notebook
def test_wjx_export_to_thesis_tables_in_four_commands(tmp_path):
    import docx
    from make_exports import sample_wjx_text

    sample_wjx_text(tmp_path / "wjx_text.xlsx")
    imported = _crmstudy(COMMANDS[0], tmp_path)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    study = tmp_path / "mystudy"
    assert "# model:" in (study / "study.yaml").read_text(encoding="utf-8")
    fill_in_as_a_researcher(study)
    checked = _crmstudy(COMMANDS[1], tmp_path)
    assert checked.returncode == 0 and "0 error(s)" in checked.stdout, checked.stdout + checked.stderr
    ran = _crmstudy(COMMANDS[2], tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    out = tmp_path / "results"
    doc = docx.Document(str(out / "tables.docx"))
    captions = [p.text for p in doc.paragraphs if re.match(r"表\d+ ", p.text)]
    assert captions[0] == "表1 描述性统计与相关系数"
    assert any(c.startswith("表4 层级回归分析结果") for c in captions)
    table1 = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert [r[0] for r in table1[1:4]] == ["1. capability", "2. 客户绩效", "3. 创新绩效"]
    regression = [[c.text for c in row.cells] for row in doc.tables[3].rows]
    assert regression[0][1:] == ["M1", "M2", "M3"]
    assert any(r[0] == "capability × 环境动荡性" for r in regression)
    # the same tables as sheets of tables.xlsx, and the hypotheses
    sheets = pd.ExcelFile(out / "tables.xlsx").sheet_names
    assert "表01 描述性统计与相关系数" in sheets
    hypotheses = pd.read_csv(out / "hypotheses.csv", encoding="utf-8-sig")
    assert list(hypotheses["假设"]) == ["H1", "H2"] and list(hypotheses["结论"]) == ["支持", "支持"]
    # 300 firms, attention check and careless screening as the sample study: same N as chapter 04
    assert int(regression[-1][1]) == int(pd.read_csv(out / "hypotheses.csv",
                                                     encoding="utf-8-sig")["样本量"].iloc[0])
