"""The bilingual label catalogue: every word a table, summary or figure shows, in zh and en.

标签目录：表格、摘要和图中出现的所有文字（中文/英文）都从这里取。

The catalogue is ``crmstudy/systems/labels.yaml``, one file with sections (``statistics``,
``headers``, ``terms``, ``titles``, ``notes``, ``variables``, ``levels``, ``formats``).  A
user's own variable names come in as ``labels=`` mappings, which win over the catalogue; a
name found nowhere is shown as it is (never translated by guess).

Examples
--------
>>> label("sd", "zh")
'标准差'
>>> dummy_label("ownership", "private", "state", "zh")
'所有制：民营（参照：国有）'
>>> dummy_label("ownership", "private", "state", "en")
'Ownership: private (ref.: state)'
>>> term_label("ownership[T.private]", "en", references={"ownership": "state"})
'Ownership: private (ref.: state)'
>>> term_label("capability:ED", "zh")
'客户关系管理能力 × 环境动荡性'

This module is core: it imports no analysis module.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from .errors import ParameterError

__all__ = ["LANGS", "SECTIONS", "catalogue", "label", "variable_label", "level_label",
           "dummy_label", "term_label", "path_label", "join", "check_lang", "with_unit"]

LANGS = ("zh", "en")
SECTIONS = ("statistics", "headers", "terms", "titles", "notes", "facts", "variables", "levels",
            "units", "unit_headers", "formats")
SECTIONS += ("weighting",)   # chapter 03: AHP, entropy, index, TOPSIS, fuzzy headers and figure texts
SECTIONS += ("skipped",)     # sentences of sections skipped for lack of input (display.skipped)
SECTIONS += ("customer_value",)  # chapter 05: table headers, model and value names
SECTIONS += ("mechanism",)  # chapter 06: mediation and SEM table words
_FILE = Path(__file__).resolve().parent / "systems" / "labels.yaml"

# patsy / formulaic names of a treatment dummy: "ownership[T.private]", "C(industry)[T.retail]"
_DUMMY = re.compile(r"^(?:C\(\s*)?(?P<var>[^\[\](),\s]+)\s*(?:,.*)?\)?\[T\.(?P<level>[^\]]+)\]$")
_TREATMENT = re.compile(r"Treatment\(\s*(?:reference\s*=\s*)?['\"]?(?P<ref>[^'\")]+?)['\"]?\s*\)")
_LOG = re.compile(r"^(?:np\.)?log\(\s*(?P<var>[^()]+?)\s*\)$")


def check_lang(lang: str) -> str:
    """Validate a ``lang`` argument ("zh" or "en") and return it."""
    if lang not in LANGS:
        raise ParameterError(f"unknown language {lang!r}", hint='use lang="zh" or lang="en"')
    return lang


@lru_cache(maxsize=1)
def catalogue() -> dict:
    """The whole catalogue (read once): section -> key -> {"zh": ..., "en": ...}."""
    with open(_FILE, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return data


def label(key: str, lang: str = "zh", section: str | None = None, **fields: Any) -> str:
    """The ``lang`` label of ``key`` (searched in ``section``, or in every section in order).

    ``fields`` fill ``{placeholders}`` of the label (``label("ci", "en", level=95)`` ->
    ``"95% CI"``).  An unknown key is a programming error of the caller: it raises
    :class:`~crmstudy.errors.ParameterError` naming the key, so a missing translation is found
    by the tests instead of showing up as an English word in a Chinese table.
    """
    check_lang(lang)
    cat = catalogue()
    sections = [section] if section else [s for s in SECTIONS
                                          if s not in ("levels", "units", "unit_headers",
                                                       "skipped")]
    for name in sections:
        if name not in cat:
            raise ParameterError(f"unknown label section {name!r}", hint=f"use one of {SECTIONS}")
        entry = cat[name].get(key)
        if isinstance(entry, Mapping) and lang in entry:
            text = str(entry[lang])
            return text.format(**fields) if fields else text
    raise ParameterError(f"no {lang} label for {key!r} in the catalogue "
                         f"({'section ' + section if section else 'any section'})",
                         file=_FILE.name, hint="add the entry to crmstudy/systems/labels.yaml")


def _user(name: str, lang: str, labels) -> str | None:
    """A user's label: ``labels`` is a dict (name -> str or {zh, en}) or a codebook, whose
    ``construct_label(name, lang)`` names its constructs (duck-typed: no import of measurement)."""
    if labels is None:
        return None
    if not isinstance(labels, Mapping):
        if hasattr(labels, "construct_label") and name in getattr(labels, "constructs", ()):
            return str(labels.construct_label(name, lang))
        return None
    if name not in labels:
        return None
    value = labels[name]
    if isinstance(value, Mapping):          # {"zh": ..., "en": ...}
        return str(value.get(lang, value.get("en", name)))
    return str(value)


def variable_label(name: str, lang: str = "zh", labels: Mapping | None = None) -> str:
    """Display name of a variable: ``labels`` first (dict of str or {zh, en}, or a Codebook for
    construct names), then the catalogue, else the name itself."""
    check_lang(lang)
    own = _user(name, lang, labels)
    if own is not None:
        return own
    entry = catalogue()["variables"].get(name)
    if entry:
        return str(entry[lang])
    if str(name).startswith("log_") and len(str(name)) > 4:   # a logged control: log_firm_size
        return label("log", lang, "formats", variable=variable_label(str(name)[4:], lang, labels))
    return str(name)


def level_label(variable: str, level: Any, lang: str = "zh", labels: Mapping | None = None) -> str:
    """Display name of one level of a categorical variable (``labels`` keys ``"var=level"``)."""
    check_lang(lang)
    own = _user(f"{variable}={level}", lang, labels)
    if own is not None:
        return own
    entry = (catalogue()["levels"].get(variable) or {}).get(str(level))
    return str(entry[lang]) if entry else str(level)


def dummy_label(variable: str, level: Any, reference: Any = None, lang: str = "zh",
                labels: Mapping | None = None) -> str:
    """A treatment dummy as journals print it: "所有制：民营（参照：国有）".

    Without a ``reference`` the parenthesis is left out ("所有制：民营").
    """
    var = variable_label(variable, lang, labels)
    lev = level_label(variable, level, lang, labels)
    if reference is None:
        text = label("dummy", lang, "formats", variable=var, level=lev, reference="")
        return re.sub(r"\s*[（(][^（(]*[）)]$", "", text)
    ref = level_label(variable, reference, lang, labels)
    return label("dummy", lang, "formats", variable=var, level=lev, reference=ref)


def term_label(term: str, lang: str = "zh", labels: Mapping | None = None,
               references: Mapping[str, Any] | None = None) -> str:
    """Display name of a regression term (statsmodels/patsy name).

    ``"Intercept"`` -> 常数项 / Intercept; ``"x:w"`` -> "x × w" (each part labelled);
    ``"ownership[T.private]"`` -> :func:`dummy_label` with the reference level from
    ``references`` (variable -> reference level); ``"np.log(size)"`` -> "ln(size)".
    A term listed in ``labels`` as a whole wins.
    """
    check_lang(lang)
    own = _user(term, lang, labels)
    if own is not None:
        return own
    if term == "Intercept":
        return label("intercept", lang, "terms")
    parts = _split_interaction(term)
    if len(parts) > 1:
        names = [term_label(p, lang, labels, references) for p in parts]
        out = names[0]
        for name in names[1:]:
            out = label("interaction", lang, "formats", a=out, b=name)
        return out
    match = _DUMMY.match(term)
    if match:
        var, level = match.group("var"), match.group("level")
        explicit = _TREATMENT.search(term)     # C(x, Treatment("b")) names its reference
        ref = explicit.group("ref") if explicit else (references or {}).get(var)
        return dummy_label(var, level, ref, lang, labels)
    match = _LOG.match(term)
    if match:
        return label("log", lang, "formats",
                     variable=variable_label(match.group("var"), lang, labels))
    return variable_label(term, lang, labels)


def _split_interaction(term: str) -> list[str]:
    """Split "a:b" at colons outside brackets and parentheses."""
    parts, depth, current = [], 0, ""
    for ch in term:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == ":" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return [p for p in parts if p]


def path_label(path: str, lang: str = "zh", labels: Mapping | None = None) -> str:
    """A path such as ``"capability -> CP -> financial"`` with each variable labelled (→)."""
    parts = [p.strip() for p in re.split(r"\s*(?:->|→)\s*", str(path))]
    # "y × w" (a moderated path, as StudyModel hypotheses write it) is an interaction
    parts = [":".join(re.split(r"\s+×\s+", p)) for p in parts]
    if len(parts) == 1:
        return term_label(parts[0], lang, labels)
    return " → ".join(term_label(p, lang, labels) for p in parts)


def join(items, lang: str = "zh") -> str:
    """Join display names with the language's list separator (、 or , )."""
    return label("list_separator", lang, "formats").join(str(i) for i in items)


def with_unit(text: str, unit: str, lang: str = "zh") -> str:
    """A header with its unit: ``with_unit("CLV", "usd", "zh")`` -> "CLV（美元）"."""
    return label(unit, lang, "unit_headers", label=text)
