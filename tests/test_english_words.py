"""A Chinese chapter shows no English words: tables, printed text and figure text are all zh.

Each zh notebook (notebooks/zh/NN_name.ipynb) is executed with a test-only IPython startup file
that records, for every figure the kernel renders (inline display or savefig), every text
artist after drawing -- titles, axis labels, tick labels, legend entries, annotations.  The
test then scans

* displayed tables (``text/html`` outputs, tags and styles removed) and other rich outputs
  shown as text (``text/plain`` when there is no HTML or image),
* printed text (stdout and stderr streams; a library warning is text the reader sees too),
* the recorded figure texts,

for English words.  Allowed: single letters (statistical symbols N, M, p, r, B), the
statistics and method names of :data:`ALLOWED` (α, CR, AVE, RMSEA, KMO, TOPSIS, RFM, CLV ...),
tokens with a digit (item ids A11, ED3, 1997-Q1), and the code identifiers a chapter explains:
the names of the shipped data sets (crm_survey), the chapter's parameter names and the
chapter's entry in :data:`CHAPTER_TERMS`.  Other identifiers (``local_weight``) are leaks.
"""
from __future__ import annotations

import html
import json
import re
import textwrap
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
ZH_NOTEBOOKS = sorted((ROOT / "notebooks" / "zh").glob("[0-9][0-9]_*.ipynb"))

# Symbols and names of statistics and methods that Chinese texts print in Latin letters.
ALLOWED = frozenset("""
    SD SE CI df AVE CR CFA EFA SEM KMO MSA RMSEA SRMR CFI TLI NFI IFI GFI AGFI AIC BIC HTMT
    VIF OLS HC HC0 HC1 HC2 HC3 ML MLR WLSMV BCa BC PROCESS Bootstrap Cronbach Cronbach's
    Likert Bartlett Harman Johnson Neyman JN Sobel Fornell Larcker Pearson Spearman Kendall
    AHP CI RI CR TOPSIS RFM CLV BG NBD sBG BTYD Pareto Gamma GG LTV ROC AUC ROE ROA RMSE MAE
    CRM IT B2B HRM CDNOW CNY USD Logit Probit ln log exp lavaan semopy statsmodels SPSS AMOS
    Q1 Q2 Q3 Q4 max min
""".split())

# Code identifiers a chapter explains in its text, by chapter (add only what the text explains).
CHAPTER_TERMS: dict[str, set[str]] = {"01_framework": set(),
                                     "03_weighting_index": {"CRITIC", "GCI", "AIJ", "AIP", "Saaty"}}
# chapter 05 explains the MBG/NBD model and the DEL/DERL lifetimes of the sBG model
CHAPTER_TERMS["05_customer_value"] = {"MBG", "DEL", "DERL"}
# ch02: construct codes of its codebook table; Feldt's CI, McDonald's ω, CITC (section 2.4), ULMC (2.8)
CHAPTER_TERMS["02_measurement"] = {"ED", "CP", "IP", "Feldt", "McDonald's", "CITC", "ULMC"}

_TOKEN = re.compile(r"[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*(?:['’][a-z]+)?")

_RECORDER = '''
import json, os
import matplotlib
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.text import Text

_out = os.environ["CRMSTUDY_FIGURE_TEXTS"]
_original = FigureCanvasBase.print_figure

def _recording_print_figure(self, *args, **kwargs):
    result = _original(self, *args, **kwargs)      # drawn: tick labels are filled in now
    try:
        from IPython import get_ipython
        count = get_ipython().execution_count
    except Exception:
        count = None
    texts = [t.get_text() for t in self.figure.findobj(Text)
             if t.get_visible() and t.get_text().strip()]
    with open(_out, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"execution_count": count, "texts": texts}, ensure_ascii=False) + "\\n")
    return result

FigureCanvasBase.print_figure = _recording_print_figure
'''


def _dataset_names() -> set[str]:
    from crmstudy.datasets import list_datasets

    return set(list_datasets()["name"])


def english_words(text: str, allowed: frozenset | set = ALLOWED) -> list[str]:
    """The English words of ``text`` outside the allow-list (identifiers and letters pass)."""
    found = []
    for token in _TOKEN.findall(text):
        if len(token) == 1 or token in allowed or re.search(r"\d", token):
            continue
        found.append(token)
    return found


def test_english_words_finds_what_leaked_before():
    # the English leaks of issue 14, each must be caught
    for leak in ("count", "mean", "std", "basic/support", "share buying once", "[benefit]",
                 "local_weight x", "dominant: economic", "logistic", "inside", "mean - 1 SD",
                 "dtype: float64"):
        assert english_words(leak), leak
    assert english_words("均值 − 1 SD，N = 300，p < 0.001，α = 0.87，A11，1997-Q1，RMSEA") == []
    assert english_words("crm_survey", ALLOWED | {"crm_survey"}) == []


def _outputs_text(cell) -> list[tuple[str, str]]:
    """(kind, text) a reader sees in the outputs of one executed cell."""
    shown = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            shown.append((f"printed ({output.name})", output.text))
        elif output.output_type in ("display_data", "execute_result"):
            data = output.get("data", {})
            if "text/html" in data:
                body = re.sub(r"<(style|script)\b.*?</\1>", " ", data["text/html"], flags=re.S)
                shown.append(("table", html.unescape(re.sub(r"<[^>]+>", " ", body))))
            elif "text/markdown" in data:
                shown.append(("markdown output", data["text/markdown"]))
            elif not any(k.startswith("image/") for k in data):
                shown.append(("printed (repr)", data.get("text/plain", "")))
        elif output.output_type == "error":
            shown.append(("error", f"{output.ename}: {output.evalue}"))
    return shown


def render_zh(notebook: Path, workdir: Path, monkeypatch) -> tuple[nbformat.NotebookNode, list]:
    """Execute ``notebook``; return it with outputs and the recorded figure texts."""
    from nbclient import NotebookClient

    startup = workdir / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-record-figure-texts.py").write_text(textwrap.dedent(_RECORDER), encoding="utf-8")
    record = workdir / "figure_texts.jsonl"
    record.touch()
    monkeypatch.setenv("IPYTHONDIR", str(workdir / "ipython"))
    monkeypatch.setenv("CRMSTUDY_FIGURE_TEXTS", str(record))
    # figures shown inline as a reader sees them (CI exports MPLBACKEND=Agg, which shows none)
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(workdir)}}).execute()
    figures = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    return nb, figures


@pytest.mark.notebook
@pytest.mark.parametrize("notebook", ZH_NOTEBOOKS, ids=lambda p: p.stem)
def test_zh_chapter_shows_no_english_words(notebook, tmp_path, monkeypatch):
    nb, figures = render_zh(notebook, tmp_path, monkeypatch)
    from crmstudy.chapters import chapters

    chapter = chapters(notebook.stem)[0]
    allowed = ALLOWED | _dataset_names() | set(chapter.parameters()) | CHAPTER_TERMS.get(notebook.stem, set())
    by_count = {c.get("execution_count"): i for i, c in enumerate(nb.cells) if c.cell_type == "code"}
    problems = []
    images = 0
    for number, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        images += sum(any(k.startswith("image/") for k in o.get("data", {}))
                      for o in cell.get("outputs", []))
        for kind, text in _outputs_text(cell):
            if words := english_words(text, allowed):
                problems.append(f"cell {number} {kind}: {sorted(set(words))}")
    for figure in figures:
        cell = by_count.get(figure["execution_count"], "?")
        for text in figure["texts"]:
            if words := english_words(text, allowed):
                problems.append(f"cell {cell} figure text {text!r}: {words}")
    # every chapter shows figures, and the recorder saw each (else the figure check proves nothing)
    assert images > 0 and len(figures) >= images, (len(figures), images)
    assert not problems, f"{notebook.name}: English words in the Chinese chapter:\n" + "\n".join(problems)
