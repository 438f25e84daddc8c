"""Every chapter notebook runs through papermill with NON-default parameters.

(nbval runs them with their defaults, both languages: `pytest --nbval-lax notebooks`.)  The
alternative parameters of chapter NN live in tests/notebook_params/NN_<name>.yaml; their
``lang`` picks the notebook that runs (notebooks/<lang>/NN_name.ipynb, or the bilingual
notebooks/NN_name.ipynb of a chapter not yet converted), as ``crmstudy run`` does.
"""
from pathlib import Path

import nbformat
import papermill as pm
import pytest
import yaml

from crmstudy.chapters import chapters

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = chapters()
PARAMS = ROOT / "tests" / "notebook_params"

pytestmark = pytest.mark.notebook


def test_every_chapter_is_here():
    assert [c.number for c in CHAPTERS] == [f"{i:02d}" for i in range(1, len(CHAPTERS) + 1)]
    assert CHAPTERS and CHAPTERS[0].name == "01_framework"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_runs_with_other_parameters(chapter, tmp_path):
    params_file = PARAMS / f"{chapter.name}.yaml"
    assert params_file.is_file(), f"add non-default parameters for {notebook.stem} in {params_file}"
    params = yaml.safe_load(params_file.read_text(encoding="utf-8"))
    # a relative path that exists next to the params file is a test input file
    params = {k: str((PARAMS / v).resolve()) if isinstance(v, str) and (PARAMS / v).is_file() else v
              for k, v in params.items()}
    notebook = chapter.notebook(params.get("lang"))
    defaults = pm.inspect_notebook(str(notebook))
    unknown = set(params) - set(defaults)
    assert not unknown, f"{params_file.name} names unknown parameters {unknown}"
    changed = {k for k, v in params.items() if str(v) != str(defaults[k]["default"]).strip("'\"")}
    assert changed, "the parameters must differ from the defaults"
    out = tmp_path / notebook.name
    pm.execute_notebook(str(notebook), str(out), parameters=params, kernel_name="python3",
                        progress_bar=False, cwd=str(tmp_path))
    executed = nbformat.read(out, as_version=4)
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.get("name") == "stderr" else ""
            assert not ("Glyph" in text and "missing" in text), text
            assert output.get("output_type") != "error"
    # nothing written beside the notebooks or into data/
    assert not list((ROOT / "notebooks").glob("*.nbconvert.ipynb"))
