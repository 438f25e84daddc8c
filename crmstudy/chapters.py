"""The chapter registry: which chapter notebooks exist, their parameters, and the loading of
``--params`` / study files into per-chapter parameters.

It sits below both the command line (:mod:`crmstudy.cli`) and the study file
(:mod:`crmstudy.study`), so neither has to import the other.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ParameterError

__all__ = ["Chapter", "LANGUAGES", "chapters", "load_params", "notebooks_dir"]

_CHAPTER = re.compile(r"^(\d\d)_[A-Za-z0-9_]+\.ipynb$")
LANGUAGES = ("zh", "en")
DEFAULT_LANG = "zh"


def _has_chapters(folder: Path) -> bool:
    return folder.is_dir() and any(_CHAPTER.match(p.name) for p in folder.iterdir())


def notebooks_dir() -> Path:
    """The chapter notebooks: ``crmstudy/_notebooks`` in a wheel, ``notebooks/`` in a checkout.

    Layout: one notebook per language, ``<dir>/zh/NN_name.ipynb`` and ``<dir>/en/NN_name.ipynb``
    (generated from ``notebooks/source/NN_name.md``).  During the transition a chapter may still
    exist only as one bilingual notebook ``<dir>/NN_name.ipynb`` (old layout); both are found.
    """
    package = Path(__file__).resolve().parent
    for candidate in (package / "_notebooks", package.parent / "notebooks"):
        if any(_has_chapters(folder) for folder in (candidate, *(candidate / l for l in LANGUAGES))):
            return candidate
    raise ParameterError("the chapter notebooks are missing from this installation",
                         hint="reinstall crmstudy, or run from a full source checkout")


@dataclass(frozen=True)
class Chapter:
    number: str
    name: str          # notebook stem, e.g. "01_framework"
    path: Path         # the notebook of the default language (zh), or the bilingual old-layout one
    languages: tuple[str, ...] = ()   # ("zh", "en"): one notebook per language; (): bilingual

    def notebook(self, lang: str | None = None) -> Path:
        """The notebook that runs the chapter in ``lang`` (default zh).

        A chapter in the old layout has one bilingual notebook, returned for every language
        (its ``lang`` parameter switches the language of tables and figures).
        """
        lang = DEFAULT_LANG if lang is None else lang
        if lang not in LANGUAGES:
            raise ParameterError(f"unknown language {lang!r} for chapter {self.name}",
                                 hint='set lang to "zh" or "en"')
        if not self.languages:
            return self.path
        if lang not in self.languages:
            raise ParameterError(f"chapter {self.name} has no {lang} notebook",
                                 hint="regenerate it: python notebooks/_build/make_notebooks.py")
        return self.path.parent.parent / lang / self.path.name

    def parameters(self) -> dict:
        """Parameter name -> default (as written in the cell tagged ``parameters``)."""
        import papermill as pm

        info = pm.inspect_notebook(str(self.path))
        return {name: spec["default"] for name, spec in info.items()}

    def defaults(self) -> dict:
        """Parameter name -> default value (the literals of the parameters cell, evaluated)."""
        import ast

        return {name: ast.literal_eval(text) for name, text in self.parameters().items()}


def _discover(folder: Path) -> list[Chapter]:
    """Chapters of both layouts; a chapter found in both is an error (delete the old notebook)."""
    per_lang = {lang: {p.name: p for p in sorted((folder / lang).glob("*.ipynb")) if _CHAPTER.match(p.name)}
                for lang in LANGUAGES if (folder / lang).is_dir()}
    names = sorted({name for found in per_lang.values() for name in found})
    legacy = {p.name: p for p in sorted(folder.glob("*.ipynb")) if _CHAPTER.match(p.name)}
    both = sorted(set(names) & set(legacy))
    if both:
        raise ParameterError(f"chapter(s) {', '.join(both)} exist in both layouts", file=folder,
                             hint="delete the old bilingual notebook once its zh/en notebooks exist")
    result = []
    for name in names:
        languages = tuple(lang for lang in LANGUAGES if name in per_lang.get(lang, {}))
        path = per_lang.get(DEFAULT_LANG, {}).get(name) or per_lang[languages[0]][name]
        result.append(Chapter(name[:2], Path(name).stem, path, languages))
    result += [Chapter(name[:2], Path(name).stem, path) for name, path in legacy.items()]
    return sorted(result, key=lambda c: c.name)


def chapters(selection: str | None = None) -> list[Chapter]:
    """The chapter notebooks in order, optionally only those in ``"01,03"``."""
    found = _discover(notebooks_dir())
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
    """Read a ``--params`` or ``--config`` YAML file into {chapter name: {parameter: value}}.

    Two layouts are accepted (see :mod:`crmstudy.study`):

    * params file: ``all`` (parameters for every chapter that has them) and chapter numbers or
      names (``"02"`` or ``02_measurement``) mapping to parameters;
    * study file: parameters at the top level for every chapter, and ``chapters:`` mapping
      chapter names to their parameters; only the listed chapters run.

    A relative file path given as a value is resolved against the folder of the file.  Unknown
    chapters and unknown parameter names are errors, listing the valid ones.
    """
    import yaml

    result: dict[str, dict] = {c.name: {} for c in selected}
    if path is None:
        return result
    path = Path(path)
    if not path.is_file():
        raise ParameterError("parameter file not found", file=path,
                             hint="check the path given to --params or --config")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"not valid YAML ({exc})", file=path, hint="fix the YAML syntax") from None
    if not isinstance(document, dict):
        raise ParameterError("expected a mapping of chapters to parameters", file=path,
                             hint='write e.g.  all: {lang: en}  and  "02": {alpha_threshold: 0.7}')
    if "chapters" in document:  # study-file layout
        sections = document.pop("chapters") or {}
        if not isinstance(sections, dict):
            raise ParameterError("'chapters' must map chapter names to parameters", file=path)
        document = {"all": document, **sections}
        listed = {_chapter_key(k) for k in sections}
        result = {c.name: {} for c in selected if c.name in listed or c.number in listed}
    everything = chapters()
    by_key = {c.number: c for c in everything} | {c.name: c for c in everything}
    known = {c.name: c.parameters() for c in everything}
    for key, values in document.items():
        key = _chapter_key(key)
        if key != "all" and key not in by_key:
            raise ParameterError(f"unknown chapter {key!r}", file=path,
                                 hint=f"use 'all' or one of {', '.join(c.name for c in everything)}")
        values = values or {}
        if not isinstance(values, dict):
            raise ParameterError(f"the parameters of {key!r} must be a mapping", file=path)
        values = {k: _resolve(v, path.parent) for k, v in values.items()}
        if key == "all":
            for name, value in values.items():
                if not any(name in p for p in known.values()):
                    raise ParameterError(
                        f"unknown parameter {name!r} under 'all': no chapter has it", file=path,
                        hint="check the spelling; `crmstudy chapters` lists every parameter")
                for chapter_name in result:
                    if name in known[chapter_name]:
                        result[chapter_name].setdefault(name, value)
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


def _chapter_key(key) -> str:
    return str(key).zfill(2) if str(key).isdigit() else str(key)


def _resolve(value, base: Path):
    """Make a relative path that exists next to the params file absolute (a glob such as
    ``tx/*.parquet`` too, when it matches a file there)."""
    if isinstance(value, str) and value and not os.path.isabs(value):
        candidate = base / value
        if candidate.exists():
            return str(candidate.resolve())
        if any(ch in value for ch in "*?[") and next(base.resolve().glob(value), None) is not None:
            return str(base.resolve() / value)
    return value
