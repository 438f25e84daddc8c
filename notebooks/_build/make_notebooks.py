"""Generate the chapter notebooks from their MyST Markdown sources.

Source of truth: ``notebooks/source/NN_name.md`` — one MyST Markdown notebook per chapter
(jupytext ``md:myst``), code written once for both languages.  Every markdown cell carries a
language in its cell metadata (``+++ {"lang": "zh"}`` or ``+++ {"lang": "en"}``); a markdown cell
without ``lang`` belongs to both (math or a figure caption written in symbols only).

Output: ``notebooks/zh/NN_name.ipynb`` and ``notebooks/en/NN_name.ipynb``, each entirely in one
language: markdown cells of the other language dropped, and the ``lang = "..."`` line of the
cell tagged ``parameters`` set to the notebook's language.  Outputs are empty, cell ids stable.
Exercise solutions: a code cell tagged ``solution`` is collapsed in JupyterLab
(``jupyter.source_hidden`` and ``outputs_hidden``) and hidden behind a toggle on the course site
(MyST-NB tag ``hide-cell``: code and output, since the output is the answer).

Run ``python notebooks/_build/make_notebooks.py`` after editing a source (``--check``: only
report notebooks that differ); tests/test_chapter_sources.py checks that the committed notebooks
equal what this script generates, and the rules of :func:`lint` (see notebooks/source/README.md).
"""
from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import jupytext
import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[1]
SOURCES = NOTEBOOKS / "source"
LANGUAGES = ("zh", "en")
_LANG_LINE = re.compile(r'^lang\s*=\s*["\'](zh|en)["\'](.*)$', re.MULTILINE)
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
# a line break between two CJK characters (or CJK punctuation) becomes a stray space in HTML
_CJK_BREAK = re.compile(f"[{_CJK}][ \t]*\n[ \t]*[{_CJK}]")
# a space between two CJK characters outside headings (emphasis markers in between count too)
_CJK_SPACE = re.compile(f"[{_CJK}][*_`]*[ \t]+[*_`]*[{_CJK}]")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|`[^`\n]+`", re.DOTALL)
_WORD = re.compile(r"[A-Za-z]{3,}")
EXERCISE = {"zh": re.compile(r"^#{2,4} 练习 ?\d+", re.MULTILINE),
            "en": re.compile(r"^#{2,4} Exercise \d+", re.MULTILINE)}
SOLUTION = {"zh": "<summary>解答</summary>", "en": "<summary>Solution</summary>"}


class SourceError(ValueError):
    pass


def lint(source: Path) -> list[str]:
    """Problems of a chapter source that generation does not catch (empty list: none).

    * a markdown cell without ``lang`` holds only symbols (no CJK, no word of 3+ letters
      outside ``$math$`` and ``code``);
    * a Chinese markdown cell has no line break between two CJK characters (write each Chinese
      paragraph on one line), and no space between two CJK characters outside headings;
    * an English markdown cell has no CJK character;
    * code cells have no CJK string and no language branch (``lang ==``, ``if lang``): every
      label comes from the catalogue.
    """
    nb = jupytext.read(source, fmt="md:myst")
    problems = []
    for number, cell in enumerate(nb.cells):
        where = f"{source.name}: cell {number} ({cell.source[:40]!r})"
        lang = cell.metadata.get("lang")
        if cell.cell_type == "markdown":
            plain = _MATH.sub("", cell.source)
            if lang is None and (re.search(f"[{_CJK}]", plain) or _WORD.search(plain)):
                problems.append(f"{where}: markdown without lang metadata; add +++ {{\"lang\": \"zh\"}}")
            if lang == "zh" and (m := _CJK_BREAK.search(cell.source)):
                problems.append(f"{where}: line break inside a Chinese paragraph at {m.group()!r}; "
                                "write the paragraph on one line")
            if lang == "zh":
                for line in cell.source.splitlines():
                    if not line.lstrip().startswith("#") and (m := _CJK_SPACE.search(line)):
                        problems.append(f"{where}: space between Chinese characters at {m.group()!r}; "
                                        "write **如何阅读**：text, no space")
            if lang == "en" and (m := re.search(f"[{_CJK}]+", cell.source)):
                problems.append(f"{where}: Chinese text {m.group()!r} in an English cell")
        elif cell.cell_type == "code":
            if re.search(r"\blang\s*[!=]=|\bif\s+lang\b|\bif\s+not\s+lang\b", cell.source):
                problems.append(f"{where}: language branch in code; take the label from the catalogue")
            if m := re.search(f"[\"'][^\"'\n]*[{_CJK}][^\"'\n]*[\"']", cell.source):
                problems.append(f"{where}: Chinese string {m.group()!r} in code; use the catalogue")
    return problems


def build(source: Path, lang: str) -> nbformat.NotebookNode:
    """The ``lang`` notebook of one chapter source."""
    nb = jupytext.read(source, fmt="md:myst")
    cells = []
    found_parameters = False
    for number, cell in enumerate(nb.cells):
        cell_lang = cell.metadata.get("lang")
        if cell.cell_type == "code" and cell_lang:
            raise SourceError(f"{source.name}: code cell {number} has a language; code is written once")
        if cell_lang not in (None, *LANGUAGES):
            raise SourceError(f"{source.name}: cell {number} has unknown lang {cell_lang!r}")
        if cell_lang not in (None, lang):
            continue
        cell = copy.deepcopy(cell)
        cell.metadata.pop("lang", None)
        tags = list(cell.metadata.get("tags", []))
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if "parameters" in tags:
                if not _LANG_LINE.search(cell.source):
                    raise SourceError(f"{source.name}: the parameters cell has no `lang = \"..\"` line")
                cell.source = _LANG_LINE.sub(lambda m: f'lang = "{lang}"{m.group(2)}', cell.source, count=1)
                found_parameters = True
            if "solution" in tags:   # collapsed: code and its output (the answer) alike
                cell.metadata.setdefault("jupyter", {}).update(source_hidden=True, outputs_hidden=True)
                if "hide-cell" not in tags:
                    tags.append("hide-cell")
                cell.metadata["tags"] = tags
        cells.append(cell)
    if not found_parameters:
        raise SourceError(f"{source.name}: no code cell tagged `parameters`")
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number:02d}"
    out = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "crmstudy": {"lang": lang, "source": f"source/{source.name}"},
    })
    return out


def target(source: Path, lang: str) -> Path:
    return NOTEBOOKS / lang / f"{source.stem}.ipynb"


def render(source: Path, lang: str) -> str:
    return nbformat.writes(build(source, lang)) + "\n"


def sources() -> list[Path]:
    return sorted(SOURCES.glob("[0-9][0-9]_*.md"))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    status = 0
    for source in sources():
        for problem in lint(source):
            print(f"warning: {problem}", file=sys.stderr)
            status = 1
        for lang in LANGUAGES:
            path = target(source, lang)
            text = render(source, lang)
            same = path.is_file() and path.read_text(encoding="utf-8") == text
            if check:
                if not same:
                    print(f"differs: {path.relative_to(NOTEBOOKS.parent)}")
                    status = 1
                continue
            if not same:
                path.parent.mkdir(exist_ok=True)
                path.write_text(text, encoding="utf-8")
                print(f"wrote {path.relative_to(NOTEBOOKS.parent)}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
