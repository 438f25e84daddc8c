"""The chapter sources (notebooks/source/NN_name.md) and the notebooks generated from them.

* sync: every committed notebooks/<lang>/NN_name.ipynb equals what make_notebooks.py generates
  from its source (regenerated in memory), and no generated notebook lacks a source;
* one language per notebook: markdown of the other language dropped, the parameters cell's
  ``lang`` set; no CJK in English markdown; no line break between two CJK characters in Chinese
  markdown (it becomes a stray space in HTML);
* code written once: no language branch and no Chinese string in code cells;
* exercises: at least three per chapter, the same number in both languages, each with a hidden
  solution (``<details><summary>解答</summary>`` / ``Solution``, or a code cell tagged
  ``solution``, which is collapsed and hidden on the site).
"""
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "notebooks" / "_build" / "make_notebooks.py")
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)

SOURCES = make.sources()
PAIRS = [(s, lang) for s in SOURCES for lang in make.LANGUAGES]
CJK = re.compile(f"[{make._CJK}]")


def _id(value):
    return value.stem if isinstance(value, Path) else value


def test_there_are_sources():
    assert SOURCES and SOURCES[0].stem == "01_framework"


@pytest.mark.parametrize("source,lang", PAIRS, ids=_id)
def test_committed_notebook_is_in_sync_with_its_source(source, lang):
    path = make.target(source, lang)
    assert path.is_file(), f"{path} missing: run python notebooks/_build/make_notebooks.py"
    assert path.read_text(encoding="utf-8") == make.render(source, lang), (
        f"{path.relative_to(ROOT)} differs from {source.relative_to(ROOT)}: edit the source, "
        "then run python notebooks/_build/make_notebooks.py")


def test_every_generated_notebook_has_a_source():
    names = {s.stem for s in SOURCES}
    for lang in make.LANGUAGES:
        for path in (ROOT / "notebooks" / lang).glob("*.ipynb"):
            assert path.stem in names, f"{path} has no source in notebooks/source/"


@pytest.mark.parametrize("source", SOURCES, ids=_id)
def test_source_follows_the_rules(source):
    assert make.lint(source) == []


@pytest.mark.parametrize("source,lang", PAIRS, ids=_id)
def test_one_language_per_notebook(source, lang):
    nb = nbformat.reads(make.render(source, lang), as_version=4)
    assert nb.metadata["crmstudy"]["lang"] == lang
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and re.search(rf'^lang = "{lang}"', params[0].source, re.MULTILINE)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    if lang == "en":
        assert not CJK.search(markdown), CJK.search(markdown)
    else:
        # most of a Chinese notebook's prose is Chinese (catches a forgotten "lang" on en cells)
        letters = re.findall(r"[A-Za-z]+", re.sub(r"`[^`]*`|\$[^$]*\$|<[^>]+>", "", markdown))
        assert len(CJK.findall(markdown)) > 2 * sum(map(len, letters))
    assert all(c.id == f"cell-{i:02d}" for i, c in enumerate(nb.cells))


def test_the_lint_catches_what_it_should(tmp_path):
    bad = tmp_path / "99_bad.md"
    bad.write_text('+++ {"lang": "zh"}\n\n本章介绍\n客户关系\n\n> **如何阅读** 表中\n\n+++ {"lang": "en"}\n\nChapter 中文\n\n'
                   '+++\n\nNo language here\n\n```{code-cell} ipython3\n'
                   'title = "标题" if lang == "zh" else "Title"\n```\n', encoding="utf-8")
    problems = "\n".join(make.lint(bad))
    for expected in ("line break inside a Chinese paragraph", "space between Chinese characters",
                     "Chinese text", "without lang",
                     "language branch", "Chinese string"):
        assert expected in problems, expected


def _exercises(nb, lang):
    """Exercise sections: heading -> text of the section (markdown and solution-code cells)."""
    sections, current = {}, None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for block in re.split(r"(?m)^(?=#{1,4} )", cell.source):
                heading = block.splitlines()[0] if block.strip() else ""
                if make.EXERCISE[lang].match(heading):
                    current = heading
                    sections[current] = []
                elif heading.startswith("#"):
                    current = None
                if current:
                    sections[current].append(block)
        elif current and "solution" in cell.metadata.get("tags", []):
            sections[current].append("[solution code]")
    return sections


@pytest.mark.parametrize("source", SOURCES, ids=_id)
def test_at_least_three_exercises_each_with_a_hidden_solution(source):
    counts = {}
    for lang in make.LANGUAGES:
        nb = nbformat.reads(make.render(source, lang), as_version=4)
        sections = _exercises(nb, lang)
        counts[lang] = len(sections)
        for heading, parts in sections.items():
            text = "\n".join(parts)
            assert make.SOLUTION[lang] in text or "[solution code]" in text, f"{heading}: no solution"
            if make.SOLUTION[lang] in text:
                assert text.count("<details>") == text.count("</details>"), heading
        for cell in nb.cells:
            if "solution" in cell.metadata.get("tags", []):
                assert cell.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
                assert "hide-cell" in cell.metadata["tags"]
    assert counts["zh"] >= 3, f"{source.name}: {counts['zh']} exercises, at least 3 wanted"
    assert counts["zh"] == counts["en"], counts
