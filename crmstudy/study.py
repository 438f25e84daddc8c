"""A researcher's own study: the study file, its folder template, input hashes and the manifest.

A study file (``study.yaml``) names every input file and every analysis choice::

    lang: zh                     # parameters at the top level apply to every chapter having them
    chapters:
      01_framework:
        system_file: inputs/indicator_system.yaml
      02_measurement:
        survey: inputs/responses.csv
        codebook: inputs/codebook.csv

A top-level ``model:`` section declares the research model (x, y, w, m, composites, controls,
hypotheses; see :mod:`crmstudy.study_model`), and the screening rule (``attention_item``,
``attention_answer``, ``drop_careless``) and ``id_col`` written at the top apply to every
chapter, so chapters 02-04 analyse the same respondents.  ``crmstudy check`` validates every
input against the model and the codebook with the readers of :mod:`crmstudy.schemas`, which
the chapters use too.

Relative paths are relative to the study file.  Chapters not listed under ``chapters`` are not run.
The command-line ``--params`` file of ``crmstudy run`` uses the same loader (its ``all:`` key is
the top level of a study file).
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .errors import ParameterError

__all__ = ["file_sha256", "input_files", "manifest", "write_json_atomic", "init_study",
           "check_study", "render_problems", "Problem", "parameter_help"]

_PACKAGES = ("crmstudy", "numpy", "pandas", "scipy", "statsmodels", "scikit-learn", "matplotlib",
             "seaborn", "papermill")


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:  # read-only, in blocks
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(params: dict[str, dict]) -> dict[str, dict]:
    """Every input a run reads: user files (by path) and shipped data sets (by name), hashed."""
    from . import datasets

    shipped = set(datasets.list_datasets()["name"])
    found: dict[str, dict] = {}
    for chapter, values in params.items():
        for name, value in values.items():
            if not isinstance(value, str) or not value:
                continue
            if value in shipped:
                path, kind = datasets.path(value), "shipped data set"
            elif Path(value).is_file():
                path, kind = Path(value), "file"
            else:
                continue
            key = str(path.resolve())
            entry = found.setdefault(key, {"path": key, "kind": kind, "sha256": file_sha256(path),
                                           "bytes": path.stat().st_size, "used_by": []})
            entry["used_by"].append(f"{chapter}.{name}")
    return found


def manifest(*, config: dict, config_file: str | None, params: dict[str, dict], runs: list,
             outputs: Path, inputs: dict[str, dict]) -> dict:
    """What a results folder needs to be reproduced and audited."""
    from . import __version__

    versions = {}
    for package in _PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    files = sorted(p for p in outputs.rglob("*") if p.is_file() and p.name != "manifest.json")
    return {
        "crmstudy_version": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": versions,
        "config_file": config_file,
        "config": config,
        "parameters": params,
        "seeds": {f"{c}.{k}": v for c, values in params.items() for k, v in values.items()
                  if "seed" in k.lower()},
        "inputs": list(inputs.values()),
        "chapters": [{"chapter": r.chapter, "ok": r.ok, "seconds": round(r.seconds, 2),
                      "message": r.message} for r in runs],
        "outputs": [{"path": str(p.relative_to(outputs)), "sha256": file_sha256(p)} for p in files],
    }


def write_json_atomic(data: dict, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)


def check_new_folder(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ParameterError("the folder exists and is not empty", file=folder,
                             hint="choose a new folder name; crmstudy never writes into existing work")


# -- crmstudy init ----------------------------------------------------------------------------
_HELP_FILE = Path(__file__).resolve().parent / "systems" / "parameter_help.yaml"

_README = """\
# {name}: a crmstudy study / crmstudy 研究项目

- `study.yaml` names every input file and every analysis choice, each explained in a comment
  (中文与英文). Relative paths are relative to `study.yaml`.
- `inputs/` holds the input files{example}. Each has exactly the columns crmstudy expects.
- `model:` in `study.yaml` declares your research model: predictor `x`, outcomes `y`, moderators `w`,
  mediators `m`, composites, controls and hypotheses; chapter 04 and `hypotheses.csv` follow it.
- Delete a chapter from `chapters:` in `study.yaml` to skip it.

```bash
crmstudy check study.yaml                        # validate every input, list all problems
crmstudy run --config study.yaml --out results/first   # run, export tables, figures, manifest
```

- `study.yaml` 列出全部输入文件和分析选项，每项都有中英文注释；相对路径相对于 `study.yaml`。
- `inputs/` 存放输入文件{example_zh}，列名即 crmstudy 要求的列名。
- `study.yaml` 中的 `model:` 声明研究模型（自变量 x、结果变量 y、调节变量 w、中介变量 m、复合变量、控制变量和研究假设），第 4 章和 `hypotheses.csv`（研究假设检验结果汇总）据此计算。
- 先用 `crmstudy check` 检查数据，再用 `crmstudy run --config` 运行，结果写入新的文件夹（含 Excel 表格、图和 manifest.json）。
"""


def parameter_help() -> dict:
    """Bilingual explanation of every chapter parameter (``systems/parameter_help.yaml``)."""
    import yaml

    return yaml.safe_load(_HELP_FILE.read_text(encoding="utf-8")) if _HELP_FILE.is_file() else {}


def _yaml_value(value) -> str:
    import yaml

    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, sort_keys=False).strip().removesuffix("...").strip()


def init_study(folder: str | Path, *, example: bool = False, chapters=None) -> list[Path]:
    """Create a study folder: ``study.yaml``, ``inputs/`` and ``README.md``.

    Every chapter parameter is written with its default and a zh/en comment.  A parameter
    whose default names a shipped data set becomes an input file in ``inputs/``: with
    ``example`` a copy of the sample data (so the folder runs at once), otherwise a template
    holding only the header line, with exactly the expected columns.

    Refuses to write into an existing non-empty folder.  Files are written under a temporary
    folder and renamed into place at the end.
    """
    import shutil

    from . import datasets
    from .chapters import chapters as all_chapters

    folder = Path(folder)
    check_new_folder(folder)
    helps = parameter_help()
    shipped = set(datasets.list_datasets()["name"])
    staging = folder.parent / f".{folder.name}.partial-{os.getpid()}"
    (staging / "inputs").mkdir(parents=True)
    copied: dict[str, str] = {}
    try:
        lines = ["# crmstudy study file (crmstudy init). Check: crmstudy check study.yaml",
                 "# Run: crmstudy run --config study.yaml --out results/<name>",
                 "# 研究配置文件：先 crmstudy check 检查，再 crmstudy run --config 运行。", ""]
        selected = chapters or all_chapters()
        lang_help = helps.get("lang", {})
        lines += [f"# {lang_help.get('en', 'language of tables and figures')}",
                  f"# {lang_help.get('zh', '表格和图的语言')}", "lang: zh", ""]
        # written once at the top, they apply to every chapter having them (one N, one model)
        shared = {}
        for chapter in selected:
            for name, value in chapter.defaults().items():
                if name in _SHARED:
                    shared.setdefault(name, value)
        for name in _SHARED:
            if name not in shared or name == "model":
                continue
            help_ = helps.get(name, {})
            lines += [f"# {help_[lg]}" for lg in ("en", "zh") if help_.get(lg)]
            lines.append(f"{name}: {_yaml_value(shared[name])}")
        if "model" in shared:
            lines += [""] + _model_lines(shared["model"], helps)
        lines += ["", "chapters:"]
        for chapter in selected:
            lines.append(f"  {chapter.name}:")
            for name, value in chapter.defaults().items():
                if name == "lang" or name in _SHARED:
                    continue
                if isinstance(value, str) and value in shipped:
                    if value not in copied:
                        copied[value] = _input_file(value, staging / "inputs", example)
                    value = copied[value]
                help_ = helps.get(f"{chapter.name}.{name}") or helps.get(name, {})
                for lg in ("en", "zh"):
                    if help_.get(lg):
                        lines.append(f"    # {help_[lg]}")
                lines.append(f"    {name}: {_yaml_value(value)}")
        (staging / "study.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (staging / "README.md").write_text(_README.format(
            name=folder.name,
            example=" (here: copies of crmstudy's sample data)" if example else " (templates: header only; fill them in)",
            example_zh="（此处为随书示例数据的副本）" if example else "（模板只有表头，请填入数据）"),
            encoding="utf-8")
        if folder.exists():
            folder.rmdir()  # empty (checked above)
        os.rename(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(p for p in folder.rglob("*") if p.is_file())


# parameters written once at the top of study.yaml: the same screening and model everywhere
_SHARED = ("id_col", "attention_item", "attention_answer", "drop_careless", "model")


def _model_lines(model: dict, helps: dict) -> list[str]:
    """The ``model:`` section with a zh/en comment above each key."""
    help_ = helps.get("model", {})
    lines = [f"# {help_[lg]}" for lg in ("en", "zh") if help_.get(lg)] + ["model:"]
    for key in ("id", "composites", "x", "y", "w", "m", "controls", "hypotheses"):
        key_help = helps.get(f"model.{key}", {})
        lines += [f"  # {key_help[lg]}" for lg in ("en", "zh") if key_help.get(lg)]
        value = model.get(key, [] if key in ("w", "m", "controls") else {})
        if isinstance(value, dict) and value:
            lines.append(f"  {key}:")
            lines += [f"    {k}: {_yaml_value(v)}" for k, v in value.items()]
        else:
            lines.append(f"  {key}: {_yaml_value(value)}")
    return lines


def model_skeleton(id_col: str, candidates: Sequence[str] = ()) -> list[str]:
    """A commented ``model:`` section for a new study (``crmstudy import``): the key comments
    of :func:`init_study`, placeholders to replace, every line behind ``# `` so that the study
    runs its measurement chapter before the researcher fills the model in.

    ``candidates`` are survey columns that may serve as controls (listed in a comment).
    """
    helps = parameter_help()
    placeholder = {"id": id_col, "composites": {"NAME": ["CONSTRUCT1", "CONSTRUCT2"]},
                   "x": "NAME", "y": ["CONSTRUCT3"], "w": [], "m": [], "controls": [],
                   "hypotheses": {"H1": {"x": "NAME", "y": "CONSTRUCT3", "sign": "+"}}}
    body = _model_lines(placeholder, helps)
    head = [line for line in body if line.startswith("# ")]
    rest = body[len(head):]
    intro = ["# Fill in the model after assigning constructs in inputs/codebook.csv: replace the "
             "placeholders (NAME, CONSTRUCT…), then remove the '# ' in front of each line from "
             "'model:' down.",
             "# 在 inputs/codebook.csv 中填好构念后填写研究模型：替换占位符（NAME、CONSTRUCT…），"
             "再删去从 'model:' 起每行开头的 '# '。"]
    if candidates:
        shown = ", ".join(candidates)
        intro += [f"# survey columns usable as controls (see inputs/variables.csv): {shown}",
                  f"# 可作控制变量的问卷列（见 inputs/variables.csv）：{shown}"]
    return head + intro + ["# " + line for line in rest]


def _input_file(name: str, inputs: Path, example: bool) -> str:
    """Write the input file for shipped data set ``name``; return its path in the study.

    Tables are written as UTF-8 CSV with a header (whatever the shipped file's format), the
    whole table with ``example``, else the header line only; YAML files are copied.
    """
    import shutil

    from . import datasets

    source = datasets.path(name)
    if source.suffix in (".yaml", ".yml"):
        shutil.copyfile(source, inputs / source.name)
        return f"inputs/{source.name}"
    frame = datasets.load(name)
    target = inputs / f"{name}.csv"
    (frame if example else frame.iloc[:0]).to_csv(target, index=frame.index.name is not None)
    return f"inputs/{target.name}"


# -- crmstudy check ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One problem found by :func:`check_study`."""

    severity: str        # "error" or "warning"
    file: str
    where: str           # "line 4", "row F0042, column A11", "entry [A1, A2]", or ""
    message: str
    hint: str = ""
    source: str = ""     # chapter.parameter that uses the file

    def render(self) -> str:
        text = f"  {self.severity:<7} {self.where + ': ' if self.where else ''}{self.message}"
        if self.hint:
            text += f"\n          what to do: {self.hint}"
        return text


def _where(exc) -> str:
    parts = []
    if getattr(exc, "line", None) is not None:
        parts.append(f"line {exc.line}")
    if getattr(exc, "row", None) is not None:
        parts.append(f"row {exc.row}")
    if getattr(exc, "column", None) is not None:
        parts.append(f"column {exc.column}")
    if getattr(exc, "entry", None) is not None:
        entry = exc.entry
        parts.append(f"entry [{entry[0]}, {entry[1]}]" if isinstance(entry, tuple) and len(entry) == 2
                     else f"entry {entry}")
    return ", ".join(parts)


def _validators():
    """Parameter name -> function(source, params, file) that raises on a bad input.

    Each reads its input with the function the chapters use (:mod:`crmstudy.schemas`, or the
    module that reads that input), so ``crmstudy check`` and ``crmstudy run`` can never
    disagree about what is valid.
    """
    from . import indicators, schemas

    def table(source, what):
        return schemas.read_input(source, what=what)

    def system_file(source, params, file):
        if source:
            indicators.load_system(source)

    def codebook(source, params, file):
        schemas.read_codebook(source)

    def survey(source, params, file):
        if params.get("codebook"):
            schemas.prepare_survey({**params, "survey": source})
        else:
            table(source, "survey answers")

    def judgments(source, params, file):
        from . import ahp

        system = (indicators.customer_value_system() if params.get("_system") == "customer_value"
                  else indicators.capability_system())
        # the whole hierarchy, as chapter 03 computes it: also catches a missing judgment
        ahp.hierarchy_weights(table(source, "expert judgments"), system,
                              scale=params.get("judgment_scale", "saaty"), file=file)

    def b2b_judgments(source, params, file):
        judgments(source, {**params, "_system": "customer_value"}, file)

    def financials(source, params, file):
        from .performance import financial_ratios

        financial_ratios(table(source, "financial statements"))

    def transactions(source, params, file):
        schemas.read_transactions({**params, "transactions": source})

    def b2b_customers(source, params, file):
        schemas.read_b2b({**params, "b2b_customers": source})

    def readable(source, params, file):
        if str(source).endswith((".yaml", ".yml")):
            import yaml

            from .errors import InputDataError

            try:
                yaml.safe_load(Path(source).read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise InputDataError(f"not valid YAML ({exc})", file=file,
                                     line=_yaml_error_line(exc), hint="fix the YAML syntax") from None
        else:
            table(source, "table")

    return {"system_file": system_file, "codebook": codebook, "survey": survey,
            "responses": survey, "judgments": judgments, "b2b_judgments": b2b_judgments,
            "financials": financials, "transactions": transactions,
            "b2b_customers": b2b_customers, "latent": readable, "truth": readable}


def _yaml_error_line(exc) -> int | None:
    mark = getattr(exc, "problem_mark", None)
    return None if mark is None else mark.line + 1


# parameters whose value changes what a validator accepts (part of the de-duplication key)
_CONTEXT = ("codebook", "id_col", "judgment_scale", "customer_col", "date_col", "amount_col",
            "b2b_judgments", "combination", "alpha",
            "invalid", "missing", "min_share", "attention_item", "attention_answer", "drop_careless",
            "financials", "balance", "composite_method")


def check_study(path: str | Path) -> list[Problem]:
    """Validate every input named by a study file; return all problems found.

    The study file itself is checked first (unknown chapter or parameter, bad YAML, the
    ``model:`` section).  Then each input file is validated once per distinct use, with the
    function the chapters read it with (:mod:`crmstudy.schemas`), and each chapter that
    reads the model builds its analysis frame (:func:`crmstudy.study_model.build_frame`), so
    that every column the chapters use is checked for existence, type and range.
    Data-quality warnings are reported as warnings.  Files are only read.

    Only crmstudy's own errors (:class:`~crmstudy.errors.CrmStudyError`) are problems of the
    input; any other exception is a bug of crmstudy and propagates.
    """
    import warnings

    import yaml

    from .chapters import chapters, load_params
    from .errors import CrmStudyError, CrmStudyWarning
    from .study_model import parse_model, yaml_lines

    path = Path(path)
    try:
        params = load_params(path, chapters())
    except CrmStudyError as exc:
        return [Problem("error", str(path), _where(exc), exc.problem, exc.hint or "")]
    text = path.read_text(encoding="utf-8")
    document = yaml.safe_load(text) or {}
    problems: list[Problem] = []
    model = None
    if document.get("model") is not None:
        try:
            model = parse_model(document["model"], file=path, lines=yaml_lines(text), text=text)
        except CrmStudyError as exc:
            return [Problem("error", str(path), _where(exc), exc.problem, exc.hint or "", "model")]
    shipped = None
    validators = _validators()
    seen: set = set()
    by_name = {c.name: c for c in chapters()}

    def record(exc, file, source_name):
        # listed under the input being checked; name the other file if the problem was
        # found in a companion (e.g. the codebook of a survey)
        if exc.file and Path(exc.file).resolve() == path.resolve():
            file = str(path)
        other = exc.file and Path(exc.file).name != Path(file).name and exc.file != file
        message = f"{exc.problem} (in {exc.file})" if other else exc.problem
        problem = Problem("error", file, _where(exc), message, exc.hint or "", source_name)
        if not any((p.file, p.where, p.message) == (problem.file, problem.where, problem.message)
                   for p in problems):
            problems.append(problem)

    def run(validate, file, source_name):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                validate()
            except CrmStudyError as exc:
                record(exc, file, source_name)
        for w in caught:
            if issubclass(w.category, CrmStudyWarning):
                problem = Problem("warning", file, "", str(w.message), "", source_name)
                if problem not in problems:
                    problems.append(problem)

    for chapter, values in params.items():
        defaults = by_name[chapter].defaults()
        effective = {**defaults, **values}
        for name, validate in validators.items():
            source = effective.get(name)
            if name not in effective or source in (None, ""):
                continue
            if shipped is None:
                from . import datasets

                shipped = set(datasets.list_datasets()["name"])
            is_shipped = isinstance(source, str) and source in shipped
            file = str(source)
            if name == "transactions" and not is_shipped:
                from .schemas import engine_source

                exists = engine_source(source) and (Path(file).is_dir() or any(
                    c in file for c in "*?["))  # a glob or folder: read_transactions locates it
            else:
                exists = False
            if not is_shipped and not exists and not Path(file).is_file():
                problems.append(Problem("error", file, "", "file not found",
                                        f"check {chapter}.{name} in {path.name}", f"{chapter}.{name}"))
                continue
            key = (name, file, repr(sorted((k, str(v)) for k, v in effective.items()
                                           if k in _CONTEXT)), repr(effective.get("model", {}).get("id")
                                                                    if isinstance(effective.get("model"), dict) else None))
            if key in seen:
                continue
            seen.add(key)
            run(lambda: validate(source, effective, file), file, f"{chapter}.{name}")
        if chapter.startswith("03") and effective.get("survey") and effective.get("codebook"):
            from . import schemas

            codebook_file = str(effective["codebook"])
            run(lambda: schemas.check_capability_items(schemas.read_codebook(effective["codebook"]),
                                                       effective["codebook"]),
                codebook_file, f"{chapter}.codebook")
        if "model" in effective and effective.get("survey") and effective.get("codebook"):
            from .study_model import build_frame

            chapter_model = model if model is not None and values.get("model", document.get("model")) \
                == document.get("model") else None
            try:
                chapter_model = chapter_model or parse_model(effective["model"])
            except CrmStudyError as exc:
                record(exc, str(path), f"{chapter}.model")
                continue
            file = str(effective["survey"])
            inputs = (file, str(effective["codebook"]), str(effective.get("financials") or ""))
            if not any(p.severity == "error" and p.file in inputs
                       for p in problems):  # the inputs' own errors are listed already
                run(lambda: build_frame(effective, chapter_model), file, f"{chapter}.model")
            id_col = {**by_name["02_measurement"].defaults(), **params.get("02_measurement", {})}.get(
                "id_col") if "02_measurement" in params else None
            if id_col and id_col != chapter_model.id:
                problems.append(Problem("warning", str(path), "", f"model.id {chapter_model.id!r} differs "
                                        f"from 02_measurement.id_col {id_col!r}",
                                        "use the same id column in every chapter", "model.id"))
    return problems


def render_problems(problems: list[Problem]) -> str:
    """Problems grouped by file, errors first within each file."""
    lines = []
    files = sorted({p.file for p in problems})
    for file in files:
        lines.append(file)
        group = sorted((p for p in problems if p.file == file), key=lambda p: p.severity != "error")
        lines.extend(p.render() for p in group)
    return "\n".join(lines)
