"""A chapter runs on a study that lacks an input: the section is skipped with a catalogue
sentence in the notebook's language (issue 11/14), not an error or an English message."""
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from crmstudy.display import skipped

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.notebook


def test_skipped_sentences():
    for key in ("survey", "financials", "transactions"):
        zh, en = skipped(key, "zh"), skipped(key, "en")
        assert "跳过" in zh and key in zh and "skipped" in en and key in en


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chapter_01_without_survey_financials_transactions(lang, tmp_path):
    notebook = ROOT / "notebooks" / lang / "01_framework.ipynb"
    out = tmp_path / notebook.name
    pm.execute_notebook(str(notebook), str(out), kernel_name="python3", progress_bar=False,
                        cwd=str(tmp_path), parameters={"lang": lang, "survey": "",
                                                       "financials": "", "transactions": ""})
    executed = nbformat.read(out, as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", [])
                      if o.get("output_type") == "stream")
    assert not any(o.get("output_type") == "error" for c in executed.cells
                   for o in c.get("outputs", []))
    for key in ("survey", "financials", "transactions"):
        assert skipped(key, lang) in printed
    # the survey sentence is printed twice: the section and exercise 3's solution
    assert printed.count(skipped("survey", lang)) == 2
