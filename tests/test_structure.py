"""Package structure: the dependency direction of DEVELOPERS.md, checked on the source, and the
lazy submodule attributes of ``crmstudy``.

Import-graph design
-------------------
Every ``crmstudy/**/*.py`` is parsed with :mod:`ast` (nothing is imported).  Each ``import`` /
``from ... import`` is resolved to a crmstudy module (relative imports included; ``from P import
name`` is an import of ``P.name`` when that is a module, else of ``P``) and classed as

* *module level* - executed when the module is imported: top level, inside ``if``/``try`` and
  class bodies; ``if TYPE_CHECKING:`` blocks are not executed and are left out;
* *convenience* - inside a function named ``plot`` or ``plot_*`` (a result's ``.plot()``): the
  drawing code lives in :mod:`crmstudy.plotting`, the method only forwards to it, lazily;
* *function level* - any other import inside a function: it still runs whenever the function
  is called, so it obeys the layer rules below like a module-level one.

Layers, ranked: core (``errors``, ``indicators``, ``datasets``, ``labels``, ``chapters``) 0 <
analysis (``ahp``, ``entropy``, ``weighting``, ``evaluation``, ``moderation``, ``performance``,
``measurement.*``, ``customer_value.*``) 1 < plotting, simulate 2 < export, study 3 < cli 4.
Rules:

1. a module imports only its own layer or lower-ranked ones, at any level (so core imports only
   core and ``crmstudy`` itself for ``__version__``; analysis never imports ``cli``, ``study``,
   ``export`` or ``simulate``; plotting never ``simulate``, ``study`` or ``cli``; ``study``
   never ``cli``);
2. the one exception: a convenience ``plot`` method of a core or analysis result may import
   ``plotting``;
3. the module-level import graph has no cycle (a package's ``__init__`` importing its own
   submodules, and those importing siblings, is not a cycle: a submodule never imports its own
   package's ``__init__`` except for a name defined there, which is an edge to the package).

Dynamic imports (``importlib.import_module``, used by ``crmstudy.__getattr__``) are not seen.
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "crmstudy"

CORE = {"errors", "indicators", "datasets", "labels", "chapters", "formatting", "resampling"}
ANALYSIS = {"ahp", "entropy", "weighting", "evaluation", "moderation", "performance",
            "measurement", "customer_value", "mediation", "sem", "sem_fit", "sem_syntax",
            "mechanism"}
# the study layer: the study file, its model and the input specification share one layer
STUDY = {"study", "study_model", "schemas"}
RANK = {"package": -1, "core": 0, "analysis": 1, "plotting": 2, "simulate": 2, "export": 3,
        "study": 3, "report": 3, "display": 3, "thesis": 3.2, "survey_import": 3.5, "cli": 4}  # import writes a study folder


# -- the parser ----------------------------------------------------------------------------
def module_names(package: Path) -> dict[str, Path]:
    """``crmstudy.x.y`` -> file, for every module of the package folder."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, str, int]]:
    """``(target module, kind, line)`` for every crmstudy import in one module; kind is
    ``"module"``, ``"function"`` or ``"convenience"`` (see the module docstring)."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: list[tuple[str, str, int]] = []

    def resolve(base: str, names: list[str]) -> list[str]:
        targets = []
        for n in names:
            full = f"{base}.{n}" if base else n
            targets.append(full if full in modules else base)
        return targets

    def visit(node: ast.AST, kind: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for sub in child.orelse:  # only the else branch runs
                    visit_stmt(sub, kind)
                continue
            visit_stmt(child, kind)

    def visit_stmt(child: ast.AST, kind: str) -> None:
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            fname = getattr(child, "name", "<lambda>")
            inner = ("convenience" if fname == "plot" or fname.startswith("plot_")
                     else "function")
            visit(child, kind if kind == "convenience" else inner)
            return
        if isinstance(child, ast.Import):
            for alias in child.names:
                if alias.name == "crmstudy" or alias.name.startswith("crmstudy."):
                    target = alias.name
                    while target not in modules:
                        target = target.rpartition(".")[0]
                    found.append((target, kind, child.lineno))
        elif isinstance(child, ast.ImportFrom):
            if child.level:
                base_parts = package.split(".")
                if child.level > 1:
                    base_parts = base_parts[: len(base_parts) - (child.level - 1)]
                base = ".".join(base_parts + ([child.module] if child.module else []))
            else:
                base = child.module or ""
                if not (base == "crmstudy" or base.startswith("crmstudy.")):
                    return
            for target in resolve(base, [a.name for a in child.names]):
                found.append((target, kind, child.lineno))
        visit(child, kind)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), "module")
    return list(dict.fromkeys(found))  # `from .x import a, b` is one import of x


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "package"
    top = parts[1]
    if top in CORE:
        return "core"
    if top in ANALYSIS:
        return "analysis"
    if top in STUDY:
        return "study"
    if top not in RANK:
        raise AssertionError(f"{module}: new top-level module, give it a layer in "
                             "tests/test_structure.py")
    return top  # plotting, simulate, export, study, cli


def violations(package: Path = PACKAGE) -> list[str]:
    """Every breach of rules 1-3 in the package folder, as readable lines."""
    modules = module_names(package)
    graph = {m: set() for m in modules}
    problems = []
    for name, path in modules.items():
        own = layer(name)
        for target, kind, line in imports_of(name, path, modules):
            where = f"{path.relative_to(package.parent)}:{line} imports {target} ({kind} level)"
            theirs = layer(target)
            if kind == "module" and target != name:
                graph[name].add(target)
            if theirs == own or RANK[theirs] < RANK[own] or own == "package":
                continue
            if kind == "convenience" and theirs == "plotting" and own in ("core", "analysis"):
                continue
            problems.append(f"{own} {where}")
    problems += [f"import cycle at module level: {' -> '.join(c)}" for c in cycles(graph)]
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component with more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component) + [sorted(component)[0]])

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


# -- the tests -----------------------------------------------------------------------------
def test_package_keeps_the_dependency_direction():
    assert violations() == []


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        target = root / "crmstudy" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root / "crmstudy"


BASE = {"__init__.py": "", "errors.py": "", "cli.py": "", "study.py": "",
        "plotting/__init__.py": "from ..indicators import X\n",
        "plotting/moderation.py": "from ..moderation import Y\n"}


@pytest.mark.parametrize("files,expected", [
    # the three circles of issue 16, as they were
    ({"study.py": "from .cli import chapters\n", "cli.py": "from .study import manifest\n"},
     ["import cycle at module level: crmstudy.cli -> crmstudy.study -> crmstudy.cli",
      "study crmstudy/study.py:1 imports crmstudy.cli (module level)"]),
    ({"indicators.py": "from .plotting import indicator_tree\n"},
     ["core crmstudy/indicators.py:1 imports crmstudy.plotting (module level)",
      "import cycle"]),
    ({"moderation.py": "from .plotting.moderation import johnson_neyman_plot\n"},
     ["analysis crmstudy/moderation.py:1 imports crmstudy.plotting.moderation (module level)",
      "import cycle"]),
    # function-level imports count unless they are in a .plot() convenience method
    ({"moderation.py": "def f():\n    from .plotting import moderation\n"},
     ["analysis crmstudy/moderation.py:2 imports crmstudy.plotting.moderation (function level)"]),
    # study.py -> cli.py inside functions, as on main before the chapter registry moved
    ({"study.py": "def check():\n    from .cli import chapters\n"},
     ["study crmstudy/study.py:2 imports crmstudy.cli (function level)"]),
    ({"plotting/weighting.py": "def f():\n    from ..simulate import crm_survey\n",
      "simulate/__init__.py": ""},
     ["plotting crmstudy/plotting/weighting.py:2 imports crmstudy.simulate (function level)"]),
    ({"ahp.py": "def f():\n    from . import cli\n"},
     ["analysis crmstudy/ahp.py:2 imports crmstudy.cli (function level)"]),
    ({"customer_value/__init__.py": "", "customer_value/rfm.py": "from ..simulate import b\n",
      "simulate/__init__.py": "b = 1\n"},
     ["analysis crmstudy/customer_value/rfm.py:1 imports crmstudy.simulate (module level)"]),
    ({"datasets.py": "import crmstudy.ahp\n", "ahp.py": ""},
     ["core crmstudy/datasets.py:1 imports crmstudy.ahp (module level)"]),
    # allowed: lazy .plot(), TYPE_CHECKING, a package importing its submodules
    ({"moderation.py": "class R:\n    def plot(self):\n        from .plotting import moderation\n",
      "indicators.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                       "    from .plotting import X\n"
                       "def plot_tree():\n    from .plotting import X\n",
      "measurement/__init__.py": "from .cfa import cfa\n",
      "measurement/cfa.py": "from ..errors import E\nfrom .codebook import C\n",
      "measurement/codebook.py": "from .. import datasets\n"}, []),
])
def test_the_checker_finds_what_it_should(tmp_path, files, expected):
    found = violations(_write(tmp_path, {**BASE, **files}))
    assert len(found) == len(expected), found
    for got, want in zip(sorted(found), sorted(expected)):
        assert got.startswith(want), (got, want)


# every submodule on disk (a new one must also be added to crmstudy._SUBMODULES)
SUBMODULES = sorted({p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
                    | {p.parent.name for p in PACKAGE.glob("*/__init__.py")})


def _run(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_crmstudy_imports_no_submodule():
    loaded = _run("import json, sys, crmstudy; "
                  "print(json.dumps(sorted(m for m in sys.modules if m.startswith('crmstudy.'))))")
    assert loaded == []


def test_submodules_are_attributes_imported_on_first_access():
    got = _run("import json, sys, crmstudy as cs\n"
               "w = cs.weighting\n"
               "out = {'file': cs.ahp.__file__, 'weighting': w.__name__,\n"
               "       'same': cs.ahp is sys.modules['crmstudy.ahp'],\n"
               "       'no_plotting': 'crmstudy.plotting' not in sys.modules,\n"
               "       'dir': sorted(set(dir(cs)) & set(%r))}\n"
               "try:\n    cs.nonexistent\nexcept AttributeError as e:\n    out['error'] = str(e)\n"
               "print(json.dumps(out))" % (SUBMODULES,))
    assert Path(got["file"]).resolve() == (PACKAGE / "ahp.py").resolve()
    assert got["weighting"] == "crmstudy.weighting" and got["same"] and got["no_plotting"]
    assert got["dir"] == sorted(SUBMODULES)
    assert got["error"] == "module 'crmstudy' has no attribute 'nonexistent'"


def test_every_submodule_is_listed():
    names = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    names |= {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert names == set(SUBMODULES)
    import crmstudy

    assert set(crmstudy._SUBMODULES) == names


BENCHMARKS = sorted((ROOT / "benchmarks").glob("bench_*.py"))


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.stem)
def test_every_benchmark_describes_its_conditions_first(script):
    """Each benchmark's main() calls benchmarks/_env.py's describe(...) before any timing, so a
    reported ratio comes with versions, data shape, threads and machine load."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    assert any(isinstance(n, ast.ImportFrom) and n.module == "_env"
               and "describe" in [a.name for a in n.names] for n in tree.body)
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    calls = [n for n in ast.walk(main) if isinstance(n, ast.Call)]
    names = [getattr(c.func, "id", getattr(c.func, "attr", "")) for c in calls]
    assert "describe" in names
    first_describe = min(c.lineno for c, name in zip(calls, names) if name == "describe")
    timing = [c.lineno for c, name in zip(calls, names)
              if name in ("timed", "best_time", "perf_counter", "median_time")]
    assert all(first_describe < line for line in timing), "describe(...) before timing"


def test_there_are_benchmarks():
    assert len(BENCHMARKS) >= 4
