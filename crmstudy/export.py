"""Export the tables and figures a chapter notebook shows, while it runs.

``crmstudy run --config`` starts every chapter's kernel with this exporter active, so the
notebooks stay thin (they just ``display`` tables and draw figures) and a study still gets
thesis-ready files:

* every DataFrame (or pandas ``Styler``) shown with ``display`` or as a cell's value is written as
  ``tables/<chapter>_tNN.csv`` (UTF-8 with BOM, so Excel on Chinese Windows opens it correctly);
* every matplotlib figure alive at the end of a cell is written as ``figures/<chapter>_fNN.png``
  (300 dpi) and ``.svg``, before the inline backend closes it.

Files are numbered in the order they appear, so two runs of the same notebook give the same
names.  Activation happens in an IPython startup file that reads the environment variables
``CRMSTUDY_EXPORT_DIR`` and ``CRMSTUDY_CHAPTER``; nothing is exported when they are not set.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["activate", "startup_profile", "collect_workbook"]

_STARTUP = """\
# Written by crmstudy.export: activates the table/figure exporter in papermill kernels.
import os as _os
if _os.environ.get("CRMSTUDY_EXPORT_DIR"):
    from crmstudy.export import activate as _activate
    _activate(_os.environ["CRMSTUDY_EXPORT_DIR"], _os.environ.get("CRMSTUDY_CHAPTER", "chapter"))
"""


class _Exporter:
    def __init__(self, folder: Path, chapter: str):
        self.tables = folder / "tables"
        self.figures = folder / "figures"
        self.tables.mkdir(parents=True, exist_ok=True)
        self.figures.mkdir(parents=True, exist_ok=True)
        self.chapter = chapter
        self.n_tables = 0
        self.n_figures = 0

    def table(self, frame) -> None:
        self.n_tables += 1
        path = self.tables / f"{self.chapter}_t{self.n_tables:02d}.csv"
        _atomic_csv(frame, path)

    def figures_of_cell(self) -> None:
        import matplotlib.pyplot as plt

        from .plotting import save_figure

        for number in plt.get_fignums():
            figure = plt.figure(number)
            if getattr(figure, "_crmstudy_exported", False) or not figure.axes:
                continue
            self.n_figures += 1
            save_figure(figure, self.figures / f"{self.chapter}_f{self.n_figures:02d}",
                        formats=("png", "svg"), dpi=300)
            figure._crmstudy_exported = True


def _atomic_csv(frame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    index = not (frame.index.dtype.kind == "i" and frame.index.name is None
                 and frame.index.equals(type(frame.index)(range(len(frame)))))
    frame.to_csv(tmp, index=index, encoding="utf-8-sig")
    os.replace(tmp, path)


def activate(folder: str | Path, chapter: str) -> None:
    """Start exporting in the running IPython kernel (called by the startup file)."""
    import pandas as pd
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    exporter = _Exporter(Path(folder), chapter)
    html = shell.display_formatter.formatters["text/html"]

    def frame_html(frame):
        exporter.table(frame)
        return frame._repr_html_()

    def styler_html(styler):
        exporter.table(styler.data)
        return styler._repr_html_()

    html.for_type(pd.DataFrame, frame_html)
    # by name: importing pandas' Styler needs jinja2, which a kernel may not have
    html.for_type_by_name("pandas.io.formats.style", "Styler", styler_html)
    # must run before matplotlib-inline's flush_figures closes the cell's figures, and the
    # kernel may have registered that already: put ours first
    shell.events.register("post_execute", exporter.figures_of_cell)
    callbacks = shell.events.callbacks["post_execute"]
    callbacks.insert(0, callbacks.pop(callbacks.index(exporter.figures_of_cell)))


def startup_profile(folder: Path) -> Path:
    """Create an IPython directory whose startup file activates the exporter; return it."""
    startup = folder / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-crmstudy-export.py").write_text(_STARTUP, encoding="utf-8")
    return folder


def collect_workbook(tables: Path, target: Path) -> Path | None:
    """Gather ``tables/*.csv`` into one Excel workbook, one sheet per table (names ≤ 31 chars)."""
    import pandas as pd

    files = sorted(tables.glob("*.csv"))
    if not files:
        return None
    tmp = target.with_name(f".{target.name}.tmp")
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for file in files:
            try:
                table = pd.read_csv(file, encoding="utf-8-sig")
            except pd.errors.EmptyDataError:  # a chapter that failed mid-export: keep the rest
                table = pd.DataFrame()
            table.to_excel(writer, sheet_name=file.stem[-31:], index=False)
    os.replace(tmp, target)
    return target
