"""The ``crmstudy`` command.

``crmstudy run`` executes every chapter notebook with papermill (on the shipped sample data, or
with parameters from ``--params FILE.yaml``) into a new results folder: the executed notebooks
and an HTML rendering of each.  The folder is built under a temporary name beside the target
and renamed when the run ends, so a results folder is never half-written, and an existing
folder is never overwritten.

Exit codes: 0 all chapters ran; 1 a chapter failed (the summary names the chapter and cell);
2 bad usage or bad input (unknown parameter, missing file, existing output folder).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import __version__
from .errors import CrmStudyError, ParameterError

__all__ = ["main", "chapters", "load_params", "run_chapters"]

_CHAPTER = re.compile(r"^(\d\d)_[A-Za-z0-9_]+\.ipynb$")


def notebooks_dir() -> Path:
    """The chapter notebooks: ``crmstudy/_notebooks`` in a wheel, ``notebooks/`` in a checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_notebooks", package.parent / "notebooks"):
        if candidate.is_dir() and any(_CHAPTER.match(p.name) for p in candidate.iterdir()):
            return candidate
    raise ParameterError("the chapter notebooks are missing from this installation",
                         hint="reinstall crmstudy, or run from a full source checkout")


@dataclass(frozen=True)
class Chapter:
    number: str
    name: str          # notebook stem, e.g. "01_framework"
    path: Path

    def parameters(self) -> dict:
        """Parameter name -> default (as written in the cell tagged ``parameters``)."""
        import papermill as pm

        info = pm.inspect_notebook(str(self.path))
        return {name: spec["default"] for name, spec in info.items()}


def chapters(selection: str | None = None) -> list[Chapter]:
    """The chapter notebooks in order, optionally only those in ``"01,03"``."""
    found = [Chapter(m.group(1), p.stem, p) for p in sorted(notebooks_dir().iterdir())
             if (m := _CHAPTER.match(p.name))]
    if not selection:
        return found
    wanted = [s.strip() for s in selection.split(",") if s.strip()]
    by_key = {c.number: c for c in found} | {c.name: c for c in found}
    unknown = [w for w in wanted if w not in by_key]
    if unknown:
        raise ParameterError(f"unknown chapter(s) {', '.join(unknown)}",
                             hint=f"use numbers or names from: {', '.join(c.name for c in found)}")
    picked = {by_key[w].name: by_key[w] for w in wanted}
    return [c for c in found if c.name in picked]


def load_params(path: str | Path | None, selected: list[Chapter]) -> dict[str, dict]:
    """Read a ``--params`` YAML file into {chapter name: {parameter: value}}.

    The file maps ``all`` (parameters for every chapter that has them) and chapter numbers or
    names (``"02"`` or ``02_measurement``) to parameter mappings.  A relative file path given as
    a value is resolved against the folder of the params file.  Unknown chapters and unknown
    parameter names are errors, listing the valid ones.
    """
    import yaml

    result: dict[str, dict] = {c.name: {} for c in selected}
    if path is None:
        return result
    path = Path(path)
    if not path.is_file():
        raise ParameterError("parameter file not found", file=path,
                             hint="check the path given to --params")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"not valid YAML ({exc})", file=path, hint="fix the YAML syntax") from None
    if not isinstance(document, dict):
        raise ParameterError("expected a mapping of chapters to parameters", file=path,
                             hint='write e.g.  all: {lang: en}  and  "02": {alpha_threshold: 0.7}')
    everything = chapters()
    by_key = {c.number: c for c in everything} | {c.name: c for c in everything}
    known = {c.name: c.parameters() for c in everything}
    for key, values in document.items():
        key = str(key).zfill(2) if str(key).isdigit() else str(key)
        if key != "all" and key not in by_key:
            raise ParameterError(f"unknown chapter {key!r}", file=path,
                                 hint=f"use 'all' or one of {', '.join(c.name for c in everything)}")
        if not isinstance(values, dict):
            raise ParameterError(f"the parameters of {key!r} must be a mapping", file=path)
        values = {k: _resolve(v, path.parent) for k, v in values.items()}
        if key == "all":
            for name, value in values.items():
                if not any(name in p for p in known.values()):
                    raise ParameterError(
                        f"unknown parameter {name!r} under 'all': no chapter has it", file=path,
                        hint="check the spelling; `crmstudy chapters` lists every parameter")
                for chapter in selected:
                    if name in known[chapter.name]:
                        result[chapter.name].setdefault(name, value)
            continue
        chapter = by_key[key]
        for name in values:
            if name not in known[chapter.name]:
                raise ParameterError(
                    f"unknown parameter {name!r} for chapter {chapter.name}", file=path,
                    hint=f"its parameters are: {', '.join(known[chapter.name])}")
        if chapter.name in result:
            result[chapter.name].update(values)
    return result


def _resolve(value, base: Path):
    """Make a relative path that exists next to the params file absolute."""
    if isinstance(value, str) and value and not os.path.isabs(value):
        candidate = base / value
        if candidate.exists():
            return str(candidate.resolve())
    return value


@dataclass(frozen=True)
class ChapterRun:
    chapter: str
    ok: bool
    seconds: float
    message: str = ""


def _execute(chapter: Chapter, params: dict, folder: Path, html: bool, timeout: int) -> ChapterRun:
    import papermill as pm

    start = time.perf_counter()
    target = folder / f"{chapter.name}.ipynb"
    workdir = folder / "work" / chapter.name   # anything a chapter writes lands here
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(str(chapter.path), str(target), parameters=params,
                            kernel_name="python3", progress_bar=False, cwd=str(workdir),
                            execution_timeout=timeout, report_mode=False)
    except pm.PapermillExecutionError as exc:
        return ChapterRun(chapter.name, False, time.perf_counter() - start,
                          f"cell {exc.cell_index} (execution count {exc.exec_count}): "
                          f"{exc.ename}: {exc.evalue}")
    except Exception as exc:  # kernel died, timeout, ...: report, do not crash the run
        return ChapterRun(chapter.name, False, time.perf_counter() - start,
                          f"{type(exc).__name__}: {exc}")
    finally:
        if workdir.exists() and not any(workdir.iterdir()):
            workdir.rmdir()
    if html:
        _render_html(target)
    return ChapterRun(chapter.name, True, time.perf_counter() - start)


def _render_html(notebook: Path) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(
        nbformat.read(notebook, as_version=4))
    notebook.with_suffix(".html").write_text(body, encoding="utf-8")


def run_chapters(selected: list[Chapter], params: dict[str, dict], out: Path, *,
                 html: bool = True, timeout: int = 600, echo=print) -> list[ChapterRun]:
    """Execute ``selected`` chapters into the new folder ``out`` (atomically)."""
    out = Path(out)
    if out.exists():
        raise ParameterError("the output folder already exists", file=out,
                             hint="choose a new --out folder; crmstudy never overwrites results")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    staging.mkdir()
    runs = []
    try:
        for i, chapter in enumerate(selected, 1):
            echo(f"[{i}/{len(selected)}] {chapter.name} ...", end=" ", flush=True)
            run = _execute(chapter, params.get(chapter.name, {}), staging, html, timeout)
            runs.append(run)
            echo(f"{'ok' if run.ok else 'FAILED'} ({run.seconds:.1f} s)")
            if not run.ok:
                echo(f"    {run.message}")
        work = staging / "work"
        if work.exists() and not any(work.iterdir()):
            work.rmdir()
        summary = {"crmstudy_version": __version__, "finished": datetime.now().isoformat(timespec="seconds"),
                   "parameters": params,
                   "chapters": [run.__dict__ for run in runs]}
        (staging / "run.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str),
                                          encoding="utf-8")
        os.rename(staging, out)  # atomic on one file system
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return runs


def _default_out() -> Path:
    return Path("results") / datetime.now().strftime("%Y%m%d-%H%M%S")


def _cmd_run(args) -> int:
    selected = chapters(args.chapters)
    params = load_params(args.params, selected)
    out = Path(args.out) if args.out else _default_out()
    print(f"crmstudy {__version__}: running {len(selected)} chapter(s) into {out}")
    start = time.perf_counter()
    runs = run_chapters(selected, params, out, html=not args.no_html, timeout=args.timeout,
                        echo=print)
    failed = [r for r in runs if not r.ok]
    print(f"\n{'chapter':<28}{'status':<9}{'seconds':>8}")
    for r in runs:
        print(f"{r.chapter:<28}{'ok' if r.ok else 'FAILED':<9}{r.seconds:>8.1f}")
    print(f"\n{len(runs) - len(failed)} of {len(runs)} chapters ran in "
          f"{time.perf_counter() - start:.1f} s; results in {out}")
    for r in failed:
        print(f"FAILED {r.chapter}: {r.message}\n  open {out / (r.chapter + '.ipynb')} to see the "
              "failing cell", file=sys.stderr)
    return 1 if failed else 0


def _cmd_chapters(args) -> int:
    for chapter in chapters():
        print(chapter.name)
        for name, default in chapter.parameters().items():
            print(f"    {name} = {default}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crmstudy",
        description="CRM capability research and teaching toolkit (客户关系管理能力研究与教学工具包).\n"
                    "Runs the chapter notebooks (01 framework, 02 measurement, 03 weighting and "
                    "index, 04 performance and moderation, 05 customer value).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n  crmstudy run                       # every chapter on the sample data\n"
               "  crmstudy run --params my.yaml --out results/mine\n"
               "  crmstudy chapters                  # list chapters and their parameters")
    parser.add_argument("--version", action="version", version=f"crmstudy {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run", help="execute the chapter notebooks into a new results folder",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Execute every chapter notebook with papermill and write the executed notebooks "
                    "and their HTML renderings into a NEW folder (never overwritten; built under a "
                    "temporary name and renamed at the end).",
        epilog="Parameter file (YAML):\n"
               "  all:                 # for every chapter that has the parameter\n"
               "    lang: en\n"
               "  \"02\":                # or 02_measurement\n"
               "    survey: my_answers.csv   # relative paths: relative to this file\n"
               "Unknown chapters or parameters are errors; `crmstudy chapters` lists them.\n"
               "Exit status: 0 success, 1 a chapter failed, 2 bad usage or input.")
    run.add_argument("--params", metavar="FILE", help="YAML file of notebook parameters")
    run.add_argument("--out", metavar="DIR",
                     help="new output folder (default: results/<YYYYmmdd-HHMMSS>)")
    run.add_argument("--chapters", metavar="LIST", help="comma-separated chapters, e.g. 01,03")
    run.add_argument("--timeout", type=int, default=600, metavar="SEC",
                     help="time limit per notebook cell (default 600)")
    run.add_argument("--no-html", action="store_true", help="skip the HTML renderings")
    run.set_defaults(func=_cmd_run)

    chap = sub.add_parser("chapters", help="list the chapters and their parameters with defaults")
    chap.set_defaults(func=_cmd_chapters)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except CrmStudyError as exc:
        print(f"crmstudy: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crmstudy: interrupted; no results folder was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
