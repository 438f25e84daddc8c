"""Every chapter notebook runs through papermill with NON-default parameters.

(nbval runs them with their defaults: `pytest --nbval-lax notebooks`.)  The alternative
parameters of chapter NN live in tests/notebook_params/NN_<name>.yaml.
"""
from pathlib import Path

import nbformat
import papermill as pm
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PARAMS = ROOT / "tests" / "notebook_params"

pytestmark = pytest.mark.notebook


def test_every_chapter_is_here():
    assert [p.stem[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(1, len(NOTEBOOKS) + 1)]
    assert NOTEBOOKS and NOTEBOOKS[0].stem == "01_framework"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_with_other_parameters(notebook, tmp_path):
    params_file = PARAMS / f"{notebook.stem}.yaml"
    assert params_file.is_file(), f"add non-default parameters for {notebook.stem} in {params_file}"
    params = yaml.safe_load(params_file.read_text(encoding="utf-8"))
    # a relative path that exists next to the params file is a test input file
    params = {k: str((PARAMS / v).resolve()) if isinstance(v, str) and (PARAMS / v).is_file() else v
              for k, v in params.items()}
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
