"""Project hygiene: stripped notebooks with literal parameter cells, environment.yml in step
with pyproject.toml, and the wheel carrying data, notebooks and the font."""
import ast
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import papermill as pm
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
# generated one-language notebooks (notebooks/zh, notebooks/en) and, during the transition, the
# bilingual notebooks of chapters not yet converted (notebooks/NN_name.ipynb)
NOTEBOOKS = sorted([*(ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"),
                    *(ROOT / "notebooks").glob("[a-z][a-z]/[0-9][0-9]_*.ipynb")])


def _nb_id(path):
    return path.relative_to(ROOT / "notebooks").with_suffix("").as_posix()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_nb_id)
def test_notebook_is_stripped(notebook):
    nb = nbformat.read(notebook, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{notebook.name} cell {i} has outputs: strip them"
            assert cell.execution_count is None, f"{notebook.name} cell {i} has an execution count"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_nb_id)
def test_parameters_cell_holds_only_literals(notebook):
    nb = nbformat.read(notebook, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged `parameters`"
    tree = ast.parse(tagged[0].source)
    names = []
    for node in tree.body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, ast.dump(node)
        ast.literal_eval(node.value)  # raises if not a literal
        names.append(node.targets[0].id)
    assert "lang" in names
    # papermill must see the same names (its parser trips on some comments)
    assert list(pm.inspect_notebook(str(notebook))) == names


def _requirements(strings):
    out = {}
    for text in strings:
        text = text.split(";")[0]  # an environment marker (python_version < '3.11') aside
        match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", text)
        out[match.group(1).lower().replace("_", "-")] = match.group(2).replace(" ", "")
    return out


def test_environment_yml_matches_pyproject():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the same parser, from the dev extra
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _requirements(project["dependencies"] + project["optional-dependencies"]["dev"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda, pip = [], []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip += [d for d in dep["pip"] if not d.startswith(("-e", "."))]
        elif not dep.startswith(("python", "pip")):
            conda.append(dep)
    listed = _requirements(conda + pip)
    assert listed == wanted
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.replace(" ", "") == "python" + project["requires-python"]


@pytest.mark.slow
def test_wheel_carries_data_notebooks_and_font(tmp_path):
    # no network: no index, no build isolation (hatchling comes from the dev extra)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index",
                    "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, timeout=300)
    wheel = next(tmp_path.glob("crmstudy-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("crmstudy/_data/cdnow/CDNOW_master.txt", "crmstudy/_data/cdnow/datasets.yaml",
                     "crmstudy/_data/crm_survey/responses.csv", "crmstudy/_notebooks/zh/01_framework.ipynb",
                     "crmstudy/fonts/NotoSansSC-crmstudy-subset.otf", "crmstudy/fonts/OFL.txt",
                     "crmstudy/systems/capability.yaml"):
        assert required in names, required
    for notebook in NOTEBOOKS:
        assert f"crmstudy/_notebooks/{_nb_id(notebook)}.ipynb" in names


def test_every_parameter_is_explained_in_both_languages():
    from crmstudy.study import parameter_help

    helps = parameter_help()
    for notebook in NOTEBOOKS:
        for name in pm.inspect_notebook(str(notebook)):
            entry = helps.get(f"{notebook.stem}.{name}") or helps.get(name)
            assert entry and entry.get("en") and entry.get("zh"), f"{notebook.stem}.{name}"


def test_readme_states_the_loading_tolerances_the_cfa_tests_use():
    """The README quotes the absolute tolerances of the standardised loadings per data set;
    they must be those of tests/test_measurement_cfa.py (EST)."""
    tree = ast.parse((ROOT / "tests" / "test_measurement_cfa.py").read_text(encoding="utf-8"))
    est = next(ast.literal_eval(node.value) for node in tree.body
               if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EST")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sentence = re.search(r"standardised loadings[^.]*?to (\S+) absolute on `HolzingerSwineford1939`"
                         r" and to (\S+) absolute on `bfi`", readme, re.S)
    assert sentence, "README: say which tolerance the standardised loadings are tested to"
    assert float(sentence.group(1)) == est["hs1939"] and float(sentence.group(2)) == est["bfi"]
