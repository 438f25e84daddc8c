"""Build the course site: the chapters executed in both languages, and the API reference.

    python docs/build.py                  # -> build/site/html/index.html
    python docs/build.py --chapters 01    # only some chapters (quick look)

1. Each chapter notebook of the checkout (notebooks/zh|en/NN_name.ipynb, or the bilingual
   notebooks/NN_name.ipynb of a chapter not yet converted, run with ``lang`` set) is executed
   with papermill, figures inline, in a scratch folder, ``--jobs`` at a time.  An executed
   notebook is kept in build/site/cache under the hash of the notebook, its language and the
   package's source, so a rebuild re-executes only what changed.  A failing cell fails the build.
2. Sphinx + MyST-NB (``nb_execution_mode = "off"``: pages are made from the executed notebooks)
   renders docs/*.md, the notebooks and the autosummary API reference into build/site/html.

Nothing is loaded from the internet by the pages (see docs/conf.py and docs/test_site.py).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
LANGUAGES = ("zh", "en")


def _package_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "crmstudy").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _execute(notebook: str, lang: str, target: str, cache: str) -> tuple[str, float, bool]:
    import nbformat
    import papermill as pm

    start = time.perf_counter()
    if Path(cache).is_file():
        shutil.copyfile(cache, target)
        return target, time.perf_counter() - start, True
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"  # figures shown inline
    # the kernel runs the checkout's crmstudy, like the pages' API reference
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    from crmstudy.cli import _kernel_manager_class  # the same IPC kernels as `crmstudy run`

    with tempfile.TemporaryDirectory(prefix="crmstudy-site-") as work:
        executed = Path(work) / "executed.ipynb"
        manager = _kernel_manager_class(work if os.name == "posix" else None)
        pm.execute_notebook(notebook, str(executed), parameters={"lang": lang}, cwd=work,
                            kernel_name="python3", progress_bar=False, log_output=False,
                            kernel_manager_class=manager)
        nb = nbformat.read(executed, as_version=4)
    # the language is already the notebook's own: drop papermill's injected cell
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    nbformat.write(nb, cache)
    shutil.copyfile(cache, target)
    return target, time.perf_counter() - start, False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "site"), help="output folder")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at a time")
    parser.add_argument("--chapters", help="comma-separated chapters, e.g. 01,03 (default all)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from crmstudy.chapters import _discover

    out = Path(args.out).resolve()
    stage, cache_dir, html = out / "src", out / "cache", out / "html"
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(DOCS, stage, ignore=shutil.ignore_patterns("build.py", "test_site.py",
                                                                "__pycache__", "_build"))
    cache_dir.mkdir(parents=True, exist_ok=True)
    found = _discover(ROOT / "notebooks")
    if args.chapters:
        wanted = {w.strip().zfill(2) for w in args.chapters.split(",")}
        found = [c for c in found if c.number in wanted]
    package = _package_digest()
    jobs = []
    for chapter in found:
        for lang in LANGUAGES:
            notebook = chapter.notebook(lang)
            key = hashlib.sha256(notebook.read_bytes() + lang.encode() + package.encode()).hexdigest()
            target = stage / lang / f"{chapter.name}.ipynb"
            jobs.append((str(notebook), lang, str(target), str(cache_dir / f"{key[:20]}.ipynb")))
    start = time.perf_counter()
    print(f"executing {len(jobs)} notebooks, {args.jobs} at a time ...", flush=True)
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for target, seconds, cached in pool.map(_execute, *zip(*jobs)):
            print(f"  {Path(target).parent.name}/{Path(target).name}: "
                  f"{'cached' if cached else f'{seconds:.0f} s'}", flush=True)
    executed = time.perf_counter() - start
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    shutil.rmtree(html, ignore_errors=True)
    warnings = out / "sphinx-warnings.txt"
    result = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", "-w", str(warnings),
                             str(stage), str(html)], env=env)
    print(f"executed notebooks in {executed:.0f} s, whole build {time.perf_counter() - start:.0f} s; "
          f"site: {html / 'index.html'} (Sphinx warnings: {warnings})")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
