"""The ``crmstudy`` command.

``crmstudy run`` executes every chapter notebook with papermill (on the shipped sample data, or
with parameters from ``--params FILE.yaml``) into a new results folder: the executed notebooks
and an HTML rendering of each.  The folder is built under a temporary name beside the target
and renamed when the run ends, so a results folder is never half-written, and an existing
folder is never overwritten.

Every chapter runs in a worker process (``--jobs`` of them) that starts the chapter's kernel.
Ctrl-C (SIGINT) or ``kill`` (SIGTERM) stops every worker and kernel (and what the kernels
started), removes the staging folder, prints one line and exits 130 or 143.  Kernels talk to
their worker over IPC (Unix domain sockets in a private temporary folder) on POSIX, so no
kernel port is open on the network (and ipykernel has no reason to warn about unencrypted
TCP); on Windows they use local TCP.  The staging folder ``.<out>.partial`` is created
exclusively and doubles as a lock: of two runs into the same ``--out`` exactly one proceeds.

Exit codes: 0 all chapters ran; 1 a chapter failed (the summary names the chapter and cell);
2 bad usage or bad input (unknown parameter, missing file, existing output folder);
130 interrupted by SIGINT; 143 terminated by SIGTERM.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import __version__
from .chapters import Chapter, chapters, load_params
from .errors import CrmStudyError, ParameterError

__all__ = ["main", "chapters", "load_params", "run_chapters", "RunInterrupted"]

@dataclass(frozen=True)
class ChapterRun:
    chapter: str
    ok: bool
    seconds: float
    message: str = ""


class RunInterrupted(BaseException):
    """SIGINT or SIGTERM arrived during :func:`run_chapters`; everything it started has been
    stopped and the staging folder removed.  ``signum`` is the signal's number."""

    def __init__(self, signum: int, stopped: int = 0):
        self.signum = signum
        self.stopped = stopped
        super().__init__(signal.Signals(signum).name)


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _raise_interrupted(signum, frame):
    raise RunInterrupted(signum)


def _worker_init() -> None:
    """Start of a worker process: leave the terminal's process group, so that Ctrl-C reaches
    only the parent, which stops everything in order; then take the signals back (the parent
    blocked them while it started the worker, and a signal that arrived meanwhile is dropped)."""
    if hasattr(os, "setpgrp"):
        os.setpgrp()
    if hasattr(signal, "pthread_sigmask"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # discards a pending SIGINT
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _kernel_manager_class(ipc_dir: str | None):
    """The kernel manager papermill uses: IPC transport in ``ipc_dir`` (POSIX), else TCP."""
    from jupyter_client.manager import AsyncKernelManager

    if ipc_dir is None:
        return AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            import uuid

            tag = os.path.join(ipc_dir, uuid.uuid4().hex[:12])
            self.transport = "ipc"
            # short absolute socket paths (AF_UNIX paths are limited to ~104 bytes), and the
            # connection file beside them: removing the folder removes every trace of a kernel
            self.ip = tag
            self.connection_file = tag + ".json"

    return IPCKernelManager


def _execute(chapter: Chapter, params: dict, folder: Path, html: bool, timeout: int,
             export: bool = False, ipc_dir: str | None = None) -> ChapterRun:
    import papermill as pm

    start = time.perf_counter()
    saved = {v: os.environ.get(v) for v in ("IPYTHONDIR", "CRMSTUDY_EXPORT_DIR", "CRMSTUDY_CHAPTER")}
    if export:  # the kernel inherits these and its startup file activates crmstudy.export
        from .export import startup_profile

        os.environ["IPYTHONDIR"] = str(startup_profile(folder / ".ipython"))
        os.environ["CRMSTUDY_EXPORT_DIR"] = str(folder)
        os.environ["CRMSTUDY_CHAPTER"] = chapter.name
    target = folder / f"{chapter.name}.ipynb"
    workdir = folder / "work" / chapter.name   # anything a chapter writes lands here
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(str(chapter.notebook(params.get("lang"))), str(target), parameters=params,
                            kernel_name="python3", progress_bar=False, cwd=str(workdir),
                            execution_timeout=timeout, report_mode=False,
                            kernel_manager_class=_kernel_manager_class(ipc_dir))
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
        for variable, value in saved.items():  # leave the caller's environment as it was
            if value is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = value
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
                 html: bool = True, timeout: int = 600, jobs: int = 1, export: bool = False,
                 config_file: str | None = None, echo=print, finish=None) -> list[ChapterRun]:
    """Execute ``selected`` chapters into the new folder ``out`` (atomically).

    Chapters run in ``min(jobs, len(selected))`` worker processes (each starts the chapter's
    kernel); results are reported as they finish and listed in chapter order.  SIGINT or
    SIGTERM (in the main thread) stops every worker, kernel and process a kernel started,
    removes the staging folder and raises :class:`RunInterrupted`.
    With ``export`` every shown table is also written as CSV (and all of them in one Excel
    workbook, ``tables.xlsx``) and every figure as PNG (300 dpi) and SVG.  The folder always
    gets a ``manifest.json``: versions, parameters, input hashes, seeds, timings, outputs.
    """
    from .study import input_files, manifest, write_json_atomic

    # absolute: kernels run in their own working folder and inherit paths through the environment
    out = Path(out).resolve()
    effective = {c.name: {**c.defaults(), **params.get(c.name, {})} for c in selected}
    inputs = input_files(effective)  # hash before running: what the chapters were given
    if out.exists():
        raise ParameterError("the output folder already exists", file=out,
                             hint="choose a new --out folder; crmstudy never overwrites results")
    if jobs < 1:
        raise ParameterError(f"--jobs must be at least 1, got {jobs}")
    out.parent.mkdir(parents=True, exist_ok=True)
    runs: dict[str, ChapterRun] = {}

    def report(run: ChapterRun) -> None:
        runs[run.chapter] = run
        echo(f"[{len(runs)}/{len(selected)}] {run.chapter:<28} "
             f"{'ok' if run.ok else 'FAILED'} ({run.seconds:.1f} s)", flush=True)
        if not run.ok:
            echo(f"    {run.message}", flush=True)

    # from the staging folder's creation on, a stop signal must find the clean-up in place:
    # hold the signals until the try block below is entered
    handlers = _install_handlers()
    held = _block_signals()
    try:
        staging = _reserve(out)
    except BaseException:
        _restore_handlers(handlers)
        _unblock_signals(held)
        raise
    ipc_dir = tempfile.mkdtemp(prefix="crmstudy-") if os.name == "posix" else None
    pool = None
    try:
        _unblock_signals(held)  # a signal that arrived meanwhile is raised here
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        workers = min(jobs, len(selected))
        echo(f"    running {len(selected)} chapter(s), {workers} at a time ...", flush=True)
        # each chapter in a worker process (with its kernel), so that an interrupted run can
        # stop them all; no forked kernels or threads
        context = multiprocessing.get_context("spawn")
        blocked = _block_signals()  # workers start with the stop signals blocked
        try:
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                       initializer=_worker_init)
            futures = [pool.submit(_execute, chapter, params.get(chapter.name, {}), staging,
                                   html, timeout, export, ipc_dir) for chapter in selected]
        finally:
            _unblock_signals(blocked)
        for future in as_completed(futures):
            report(future.result())
        pool.shutdown()
        work = staging / "work"
        if work.exists() and not any(work.iterdir()):
            work.rmdir()
        shutil.rmtree(staging / ".ipython", ignore_errors=True)
        if finish is not None:  # study-level results (hypotheses.csv) into the staging folder
            finish(staging, effective)
        if export:
            from .export import collect_workbook

            collect_workbook(staging / "tables", staging / "tables.xlsx")
        ordered = [runs[c.name] for c in selected]
        write_json_atomic(manifest(config=_plain(params), config_file=config_file,
                                   params=_plain(effective), runs=ordered, outputs=staging,
                                   inputs=inputs),
                          staging / "manifest.json")
        os.rename(staging, out)  # atomic on one file system
    except RunInterrupted as stop:
        _ignore_signals()  # a second Ctrl-C must not cut the clean-up short
        stop.stopped = _stop_processes()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except BaseException:
        if pool is not None:
            _stop_processes()
            pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        _restore_handlers(handlers)
        if ipc_dir is not None:
            shutil.rmtree(ipc_dir, ignore_errors=True)
    return ordered


def _reserve(out: Path) -> Path:
    """Create the staging folder ``.<name>.partial`` beside ``out``, exclusively: it is the
    lock that lets exactly one of two runs into the same folder proceed."""
    staging = out.parent / f".{out.name}.partial"
    try:
        staging.mkdir()
    except FileExistsError:
        raise ParameterError("the output folder already exists (another crmstudy run is "
                             f"writing it: {staging.name} is there)", file=out,
                             hint="choose a new --out folder; if no run is active, delete "
                                  f"{staging}") from None
    if out.exists():  # a run that finished between our check and the mkdir
        staging.rmdir()
        raise ParameterError("the output folder already exists", file=out,
                             hint="choose a new --out folder; crmstudy never overwrites results")
    return staging


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _install_handlers() -> dict | None:
    """SIGINT and SIGTERM raise :class:`RunInterrupted` in the main thread (only there can
    Python handle signals; from another thread the caller's handlers stay)."""
    if not _in_main_thread():
        return None
    old = {sig: signal.getsignal(sig) for sig in _STOP_SIGNALS}
    for sig in _STOP_SIGNALS:
        signal.signal(sig, _raise_interrupted)
    return old


def _ignore_signals() -> None:
    if _in_main_thread():
        for sig in _STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)


def _restore_handlers(old: dict | None) -> None:
    if old is not None:
        for sig, handler in old.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


def _block_signals():
    if hasattr(signal, "pthread_sigmask") and _in_main_thread():
        return signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    return None


def _unblock_signals(previous) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _stop_processes(grace: float = 5.0) -> int:
    """Terminate every process this one started (workers, their kernels, and whatever the
    kernels started), then kill what is left after ``grace`` seconds; return how many.

    A kernel leads its own session (jupyter_client starts it so), so signalling its process
    group reaches its children too.  multiprocessing's resource tracker is left alone: it exits
    by itself when this process does."""
    import psutil

    from multiprocessing import resource_tracker

    tracker = getattr(getattr(resource_tracker, "_resource_tracker", None), "_pid", None)
    try:
        procs = [p for p in psutil.Process().children(recursive=True) if p.pid != tracker]
    except psutil.Error:
        return 0
    own_group = os.getpgid(0) if hasattr(os, "getpgid") else None
    for proc in procs:
        try:
            if own_group is not None and os.getpgid(proc.pid) == proc.pid != own_group:
                os.killpg(proc.pid, signal.SIGTERM)
            else:
                proc.terminate()
        except (OSError, psutil.Error):
            pass
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for proc in alive:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=grace)
    return len(procs)


def _plain(value):
    return json.loads(json.dumps(value, default=str))


def _default_out() -> Path:
    return Path("results") / datetime.now().strftime("%Y%m%d-%H%M%S")


def _cmd_run(args) -> int:
    if args.params and args.config:
        raise ParameterError("give either --params or --config, not both")
    selected = chapters(args.chapters)
    params = load_params(args.config or args.params, selected)
    selected = [c for c in selected if c.name in params]
    if not selected:
        raise ParameterError("no chapter to run", file=args.config,
                             hint="list chapters under 'chapters:' in the study file")
    out = Path(args.out) if args.out else _default_out()
    print(f"crmstudy {__version__}: running {len(selected)} chapter(s) into {out}")
    start = time.perf_counter()
    runs = run_chapters(selected, params, out, html=not args.no_html, timeout=args.timeout,
                        jobs=args.jobs, export=bool(args.config or args.export),
                        config_file=str(Path(args.config or args.params).resolve())
                        if (args.config or args.params) else None, echo=print,
                        finish=_study_results if args.config else None)
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


def _study_results(staging: Path, effective: dict) -> None:
    """After the chapters of a study: hypothesis tests and thesis tables (``hypotheses.csv``,
    ``tables/*.csv`` gathered into ``tables.xlsx`` afterwards, and ``tables.docx``)."""
    chapter = next((c for c in effective if c.startswith("04")), None)
    if chapter is None or not effective[chapter].get("model"):
        return
    from .thesis import write_study_results

    try:
        write_study_results(effective[chapter], staging, effective[chapter].get("lang", "zh"),
                            echo=print)
    except CrmStudyError as exc:  # the chapter reported it already; keep the other results
        print(f"    hypotheses and thesis tables not written: {exc}", flush=True)


def _cmd_init(args) -> int:
    from .study import init_study

    files = init_study(args.folder, example=args.example)
    print(f"created {args.folder} with {len(files)} files:")
    for path in files:
        print(f"    {path}")
    print(f"next: crmstudy check {Path(args.folder) / 'study.yaml'}")
    return 0


def _cmd_check(args) -> int:
    from .study import check_study, render_problems

    problems = check_study(args.study)
    errors = sum(p.severity == "error" for p in problems)
    if problems:
        print(render_problems(problems))
    print(f"\n{errors} error(s), {len(problems) - errors} warning(s) in the inputs of {args.study}")
    return 1 if errors else 0


def _cmd_import(args) -> int:
    from .survey_import import read_survey, write_import

    survey = read_survey(args.source, platform=args.platform, score_file=args.source2,
                         mapping=args.mapping, min_seconds_per_item=args.min_seconds_per_item,
                         id_column=args.id_column, id_name=args.id_name)
    files = write_import(survey, args.to, chapters=args.chapters, lang=args.lang)
    speed = (f"{int(survey.responses['speeding'].fillna(False).astype(bool).sum())} flagged as "
             "speeding" if "speeding" in survey.responses else "no duration, no speed screening")
    print(f"imported {len(survey.responses)} respondents, {len(survey.variables)} variables "
          f"({len(survey.codebook)} rating items; {speed}) from "
          f"{', '.join(survey.sources)} [{survey.platform}] into {args.to}:")
    for path in files:
        print(f"    {path}")
    print("next: fill in the construct column of inputs/codebook.csv (see inputs/import_report.md) "
          "and, for hypotheses and thesis tables, the commented model: section of study.yaml; "
          f"then crmstudy check {Path(args.to) / 'study.yaml'}")
    return 0


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
               "Exit status: 0 success, 1 a chapter failed, 2 bad usage or input, 130 "
               "interrupted (Ctrl-C), 143 terminated (SIGTERM); an interrupted run stops its "
               "workers and kernels and leaves no folder behind.")
    run.add_argument("--params", metavar="FILE", help="YAML file of notebook parameters")
    run.add_argument("--config", metavar="STUDY_YAML",
                     help="a study file (see `crmstudy init`): its parameters, only its chapters, "
                          "and --export")
    run.add_argument("--export", action="store_true",
                     help="also write every table as CSV and in tables.xlsx, every figure as PNG "
                          "(300 dpi) and SVG")
    run.add_argument("--out", metavar="DIR",
                     help="new output folder (default: results/<YYYYmmdd-HHMMSS>)")
    run.add_argument("--chapters", metavar="LIST", help="comma-separated chapters, e.g. 01,03")
    run.add_argument("--timeout", type=int, default=600, metavar="SEC",
                     help="time limit per notebook cell (default 600)")
    run.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), metavar="N",
                     help="chapters to run at the same time (default: 2, or 1 on one core)")
    run.add_argument("--no-html", action="store_true", help="skip the HTML renderings")
    run.set_defaults(func=_cmd_run)

    init = sub.add_parser("init", help="create a study folder: study.yaml, input templates, README",
                          description="Create a new study folder with study.yaml (every input file and "
                                      "analysis choice, explained in zh and en), templates of every "
                                      "input with the exact columns expected, and a README. Refuses "
                                      "to write into a non-empty folder.")
    init.add_argument("folder", help="the new folder")
    init.add_argument("--example", action="store_true",
                      help="fill the inputs with the sample data so the study runs at once (its "
                           "model: capability = A1-A3, ED moderating, CP mediating, five hypotheses)")
    init.set_defaults(func=_cmd_init)

    check = sub.add_parser("check", help="validate every input of a study file, list all problems",
                           description="Validate the study file's model (quoting the offending line) "
                                       "and every input it names, with the same readers the chapters "
                                       "use: every column a chapter will use exists and has the right "
                                       "type and range. Prints all problems at once, grouped by file "
                                       "(file, line/row/column, what is wrong, what to do). Exit status "
                                       "1 if any is an error; an input that passes runs without an input "
                                       "error. Files are only read.")
    check.add_argument("study", help="the study file (study.yaml)")
    check.set_defaults(func=_cmd_check)

    imp = sub.add_parser(
        "import", help="import a 问卷星/腾讯问卷/SPSS/Stata/Excel/CSV export into a study folder",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Read a survey-platform export (问卷星 by text or by score, 腾讯问卷, SPSS .sav, "
                    "Stata .dta, Excel, CSV) and write inputs/survey.csv, a codebook draft "
                    "(inputs/codebook.csv), the answer-word mapping (inputs/likert_mapping.yaml), "
                    "a variable list and a report of every decision (inputs/import_report.md). "
                    "A new folder becomes a study (as `crmstudy init`); in an existing study only "
                    "new files are added. Nothing is overwritten; the export is only read.",
        epilog="Examples:\n  crmstudy import 问卷星_按文本.xlsx --to my_study\n"
               "  crmstudy import text.xlsx score.xlsx --to my_study   # 按文本 + 按分数 together\n"
               "  crmstudy import answers.sav --to my_study --lang en")
    imp.add_argument("source", help="the export file")
    imp.add_argument("source2", nargs="?", default=None,
                     help="the 问卷星 score export (按分数/按序号) of the same answers; headers must match")
    imp.add_argument("--to", required=True, metavar="STUDY_DIR",
                     help="a new study folder, or an existing one (files are added to inputs/)")
    imp.add_argument("--platform", default="auto",
                     choices=["auto", "wjx", "tencent", "spss", "stata", "table"],
                     help="the platform (default: recognised from the file)")
    imp.add_argument("--mapping", metavar="YAML",
                     help="answer-word mapping to use (e.g. an edited likert_mapping.yaml)")
    imp.add_argument("--min-seconds-per-item", type=float, default=2.0, metavar="SEC",
                     help="flag respondents faster than this per rating item (default 2; "
                          "Huang et al. 2012)")
    imp.add_argument("--id-column", metavar="NAME",
                     help="respondent-id column when the export has no submission number")
    imp.add_argument("--id-name", default="id", metavar="NAME",
                     help="name of the respondent-id column written (default id; e.g. firm_id)")
    imp.add_argument("--chapters", default="02", metavar="LIST",
                     help="chapters of a new study (default 02: measurement)")
    imp.add_argument("--lang", default="both", choices=["zh", "en", "both"],
                     help="language of the import report (default both)")
    imp.set_defaults(func=_cmd_import)

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
    except RunInterrupted as stop:
        print(f"crmstudy: {stop} received: stopped {stop.stopped} worker and kernel "
              "process(es), removed the staging folder; no results folder was written",
              file=sys.stderr, flush=True)
        return 128 + stop.signum
    except KeyboardInterrupt:
        print("crmstudy: interrupted; no results folder was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
