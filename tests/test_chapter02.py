"""Chapter 02 (survey measurement) as a textbook chapter: the defects of issue 14.

* the comparison with the simulated truth runs on the shipped data (it used to test the
  survey parameter after the prepared object had replaced it, and never ran);
* the perfect CFA fit of the simulated data carries a "how to read this" note;
* the chapter runs on the second study (5-point scale, Chinese construct names, no attention
  check, no simulated truth), in both languages, taking its parameters from the study file.

The figure defect (reliability_bar legend over the tick labels) is tested in
tests/test_measurement_plotting.py; English words in the zh notebook in
tests/test_english_words.py.
"""
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from crmstudy.chapters import chapters, load_params
from crmstudy.display import skipped
from crmstudy.labels import label

ROOT = Path(__file__).resolve().parents[1]
SECOND = ROOT / "tests" / "data" / "second_study"
CHAPTER = next(c for c in chapters() if c.name == "02_measurement")

pytestmark = pytest.mark.notebook


def _run(lang, params, tmp_path):
    out = tmp_path / f"{lang}.ipynb"
    pm.execute_notebook(str(CHAPTER.notebook(lang)), str(out), parameters={**params, "lang": lang},
                        kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    executed = nbformat.read(out, as_version=4)
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output
    return executed


def _shown(executed) -> str:
    """Everything the reader sees in outputs: HTML tables, plain text, markdown, streams."""
    parts = []
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            data = output.get("data", {})
            parts += [data.get(kind, "") for kind in ("text/html", "text/markdown", "text/plain")]
    return "\n".join("".join(p) if isinstance(p, list) else p for p in parts)


def test_truth_comparison_is_shown_on_the_shipped_data(tmp_path):
    executed = _run("zh", {"n_boot": 200}, tmp_path)
    shown = _shown(executed)
    assert label("m_truth", "zh", "headers") in shown
    assert label("m_difference", "zh", "headers") in shown
    assert skipped("truth_comparison", "zh") not in shown
    # the comparison covers the loadings of the items (A11 ... IP4) and the factor correlations
    assert shown.count(label("m_difference", "zh", "headers")) >= 1 and "IP4" in shown


def test_perfect_fit_has_a_how_to_read_note():
    for lang, words in (("zh", ("如何阅读", "TLI", "真实问卷")), ("en", ("How to read this", "TLI",
                                                                       "real questionnaires"))):
        nb = nbformat.read(CHAPTER.notebook(lang), as_version=4)
        fit_cell = next(i for i, c in enumerate(nb.cells)
                        if c.cell_type == "code" and "cfa_fit_table(" in c.source)
        note = nb.cells[fit_cell + 1]
        assert note.cell_type == "markdown" and all(w in note.source for w in words), note.source


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_runs_on_the_second_study(lang, tmp_path):
    params = load_params(SECOND / "study.yaml", [CHAPTER])[CHAPTER.name]
    assert params["survey"].endswith("responses.csv") and params["truth"] == ""
    if lang == "zh":      # the sample truth left in place: it does not fit this survey, skipped
        del params["truth"]
    executed = _run(lang, params, tmp_path)
    shown = _shown(executed)
    assert skipped("truth_comparison", lang) in shown        # no truth: said, not an error
    assert "数字能力" in shown                               # the study's own construct name
    assert "N = 180" in shown or ">180<" in shown             # no attention check, none dropped
