"""The research model of a study, declared in ``study.yaml``, and the analysis frame it defines.

A study file's top-level ``model:`` section says which variables the study relates::

    model:
      id: firm_id                         # respondent / firm id column of the survey
      composites:                         # name: [constructs]; score = mean of the scale scores
        capability: [A1, A2, A3]
      x: capability                       # focal predictor
      y: [financial, customer]            # outcome(s)
      w: [ED]                             # moderator(s)
      m: [CP]                             # mediator(s)
      controls: [log(firm_size), firm_age, {industry: manufacturing}]
      hypotheses:
        H1: {x: capability, y: financial, sign: +}
        H2: {x: capability, y: customer, w: ED, sign: +}
        H3: {x: capability, m: CP, y: financial, sign: +}
        H4: {x: capability, m: CP, y: financial, w: ED, stage: first, sign: +}

Each of ``x, y, w, m`` (and of a hypothesis) is a construct of the codebook (its scale score,
the mean of its items after cleaning), a composite, a performance dimension computed from the
financial statements (``financial``, ``customer``, ``innovation``; entropy-weighted composite of
the chapter 04 indicators), or a numeric column of the survey.  A control is a survey column,
numeric or categorical (treatment dummies; reference level: the first in sorted order, or the
one given as ``{column: level}``), or ``log(column)`` (natural log, values must be > 0).

:func:`parse_model` checks the section's structure (errors quote the line of ``study.yaml``),
:func:`build_frame` reads the study's inputs and builds one row per respondent with every
declared variable, and :func:`test_hypotheses` tests each hypothesis:

===================  ==================================================================
hypothesis           test
===================  ==================================================================
x, y                 OLS of y on controls and x; b of x (HC3 by default)
x, y, w              moderated regression (Hayes model 1); b of x·w
x, m, y              bootstrap indirect effect a·b (PROCESS model 4), percentile CI
x, m, y, w, stage    index of moderated mediation (PROCESS model 7 first, 14 second,
                     58 both stages), percentile bootstrap CI
===================  ==================================================================

A hypothesis is *supported* when its effect is significant at ``alpha`` (p < alpha, or a
bootstrap CI excluding 0) and, if it states a ``sign``, has that sign.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .errors import InputDataError, ParameterError

__all__ = ["StudyModel", "Hypothesis", "Control", "AnalysisFrame", "parse_model", "load_model",
           "yaml_lines", "build_frame", "test_hypotheses", "hypothesis_table",
           "write_hypotheses", "PERFORMANCE_DIMENSIONS", "MODEL_KEYS"]

PERFORMANCE_DIMENSIONS = ("financial", "customer", "innovation")
MODEL_KEYS = ("id", "composites", "x", "y", "w", "m", "controls", "hypotheses")
_HYPOTHESIS_KEYS = ("x", "y", "w", "m", "stage", "sign")
_STAGES = {"first": 7, "second": 14, "both": 58}
_LOG = re.compile(r"^\s*log\(\s*([^()]+?)\s*\)\s*$")


# -- where things are in study.yaml -----------------------------------------------------------

def yaml_lines(text: str) -> dict[tuple, int]:
    """Map every key path of a YAML document to its 1-based line, e.g. ``("model", "x") -> 12``.

    Sequence items are addressed by index: ``("model", "controls", 1)``.
    """
    import yaml

    found: dict[tuple, int] = {}

    def walk(node, path):
        found.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = path + (key.value,)
                found[sub] = key.start_mark.line + 1
                walk(value, sub)
                found[sub] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return {}
    if root is not None:
        walk(root, ())
    return found


@dataclass(frozen=True)
class _Source:
    """Where the model came from, to locate errors: file, key-path lines, the file's lines."""

    file: str | None = None
    lines: Mapping[tuple, int] = field(default_factory=dict)
    text: tuple[str, ...] = ()
    prefix: tuple = ("model",)

    def error(self, path: tuple, message: str, hint: str, cls=ParameterError, **where):
        key = "model." + ".".join(str(p) for p in path) if path else "model"
        line = None
        for n in range(len(path), -1, -1):
            line = self.lines.get(self.prefix + tuple(path[:n]))
            if line is not None:
                break
        quoted = ""
        if line is not None and 0 < line <= len(self.text):
            quoted = f' (line {line} reads "{self.text[line - 1].strip()}")'
        return cls(f"{key}: {message}{quoted}", file=self.file, line=line, hint=hint, **where)


# -- the model -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Control:
    """A control variable: survey ``column``, optionally logged, or categorical with a reference."""

    spec: str            # as written in the study file
    column: str          # survey column
    log: bool = False
    reference: str | None = None
    path: tuple = ()

    @property
    def name(self) -> str:
        """Its column in the analysis frame."""
        return f"log_{self.column}" if self.log else self.column


@dataclass(frozen=True)
class Hypothesis:
    id: str
    x: str
    y: str
    w: str | None = None
    m: str | None = None
    stage: str | None = None
    sign: str | None = None

    @property
    def kind(self) -> str:
        if self.m and self.w:
            return "moderated mediation"
        if self.m:
            return "mediation"
        if self.w:
            return "moderation"
        return "direct"

    @property
    def process_model(self) -> int | None:
        """PROCESS model number of a (moderated) mediation: 4, 7, 14 or 58."""
        if not self.m:
            return None
        return _STAGES[self.stage or "first"] if self.w else 4

    def path_text(self) -> str:
        text = f"{self.x} → {self.m} → {self.y}" if self.m else f"{self.x} → {self.y}"
        return f"{text} × {self.w}" if self.w else text


@dataclass(frozen=True)
class StudyModel:
    """A declared research model (see the module docstring); build it with :func:`parse_model`."""

    id: str
    composites: Mapping[str, tuple[str, ...]]
    x: str
    y: tuple[str, ...]
    w: tuple[str, ...] = ()
    m: tuple[str, ...] = ()
    controls: tuple[Control, ...] = ()
    hypotheses: tuple[Hypothesis, ...] = ()
    source: _Source = field(default_factory=_Source, repr=False, compare=False)

    @property
    def variables(self) -> list[str]:
        """Every declared analysis variable (x, y, w, m), in that order, without repeats."""
        return list(dict.fromkeys([self.x, *self.y, *self.w, *self.m]))

    def error(self, path, message, hint, cls=ParameterError, **where):
        return self.source.error(tuple(path), message, hint, cls, **where)

    def path_of(self, name: str) -> tuple:
        """The first place a variable is declared (for locating an error about it)."""
        if name == self.x:
            return ("x",)
        for key in ("y", "w", "m"):
            values = getattr(self, key)
            if name in values:
                return (key, values.index(name)) if len(values) > 1 or self._listed(key) else (key,)
        for h in self.hypotheses:
            for key in ("x", "y", "w", "m"):
                if getattr(h, key) == name:
                    return ("hypotheses", h.id, key)
        return ()

    def _listed(self, key) -> bool:
        return ("model", key, 0) in self.source.lines


def _names(value, path, src: _Source, *, required: bool) -> tuple[str, ...]:
    if value is None or value == [] or value == "":
        if required:
            raise src.error(path, "is missing", f"declare it, e.g. {path[-1]}: <construct>")
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, (str, int, float)) or isinstance(item, bool) or str(item).strip() == "":
            raise src.error(path + ((i,) if isinstance(value, list) else ()),
                            f"expected a variable name, got {item!r}",
                            "write a construct, composite, performance dimension or column name")
        out.append(str(item).strip())
    if len(set(out)) < len(out):
        raise src.error(path, "names a variable twice", "list each variable once")
    return tuple(out)


def parse_model(raw: Mapping | None, *, file: str | Path | None = None,
                lines: Mapping[tuple, int] | None = None, text: str = "",
                prefix: tuple = ("model",)) -> StudyModel:
    """Check the structure of a ``model:`` section and return a :class:`StudyModel`.

    Parameters
    ----------
    raw : mapping
        The ``model:`` section as read from YAML.
    file, lines, text : optional
        The study file, its key-path lines (:func:`yaml_lines`) and its text, so that an error
        names and quotes the offending line.

    Raises
    ------
    ParameterError
        Unknown key; missing ``x`` or ``y``; a composite of fewer than two constructs; a cycle
        among composites or hypotheses; ``x`` equal to ``y``; a hypothesis variable that is not
        declared; a bad ``stage`` or ``sign``.  Whether the names exist in the codebook and
        survey is checked by :func:`build_frame`, which sees the data.
    """
    src = _Source(None if file is None else str(file), dict(lines or {}),
                  tuple(text.splitlines()), prefix)
    if not isinstance(raw, Mapping) or not raw:
        raise src.error((), "the study has no model section",
                        "declare the research model under 'model:' (crmstudy init writes one)")
    unknown = [k for k in raw if k not in MODEL_KEYS]
    if unknown:
        raise src.error((unknown[0],), f"unknown key {unknown[0]!r}",
                        f"the keys are {', '.join(MODEL_KEYS)}")
    ident = raw.get("id")
    if not isinstance(ident, str) or not ident.strip():
        raise src.error(("id",), "the id column is missing", "write e.g. id: firm_id")
    composites: dict[str, tuple[str, ...]] = {}
    comp_raw = raw.get("composites") or {}
    if not isinstance(comp_raw, Mapping):
        raise src.error(("composites",), "must map a name to a list of constructs",
                        "write e.g. composites: {CRMC: [CI, CV, LM]}")
    for name, parts in comp_raw.items():
        members = _names(parts, ("composites", name), src, required=True)
        if len(members) < 2:
            raise src.error(("composites", name), f"composite {name!r} has only one construct",
                            "a composite combines two or more constructs; use the construct itself")
        composites[str(name)] = members
    _check_composite_cycles(composites, src)
    x = _names(raw.get("x"), ("x",), src, required=True)
    if len(x) != 1:
        raise src.error(("x",), "x is the one focal predictor", "give a single variable")
    x = x[0]
    y = _names(raw.get("y"), ("y",), src, required=True)
    w = _names(raw.get("w"), ("w",), src, required=False)
    m = _names(raw.get("m"), ("m",), src, required=False)
    if x in y:
        raise src.error(("y",), f"x and y are the same variable {x!r}",
                        "an outcome cannot be its own predictor")
    for key, values in (("w", w), ("m", m)):
        if x in values:
            raise src.error((key,), f"x {x!r} is also declared as {key}",
                            "a variable has one role in the model")
    for name in w:
        if name in y:
            raise src.error(("w",), f"moderator {name!r} is also an outcome",
                            "a variable has one role in the model")
    controls = _controls(raw.get("controls"), src)
    declared = {x, *y, *w, *m}
    for c in controls:
        if c.column in declared or c.name in declared:
            raise src.error(c.path, f"control {c.spec!r} is also a model variable",
                            "a variable has one role in the model")
    hypotheses = _hypotheses(raw.get("hypotheses"), declared, src)
    return StudyModel(ident.strip(), composites, x, y, w, m, controls, hypotheses, src)


def _check_composite_cycles(composites, src):
    state: dict[str, int] = {}

    def visit(name, trail):
        if state.get(name) == 1:
            cycle = trail[trail.index(name):] + [name]
            raise src.error(("composites", name), "composites form a cycle: " + " → ".join(cycle),
                            "a composite cannot contain itself, directly or through another")
        if state.get(name) == 2 or name not in composites:
            return
        state[name] = 1
        for part in composites[name]:
            visit(part, trail + [name])
        state[name] = 2

    for name in composites:
        visit(name, [])


def _controls(value, src) -> tuple[Control, ...]:
    if value in (None, "", []):
        return ()
    if not isinstance(value, list):
        value = [value]
    out = []
    for i, item in enumerate(value):
        path = ("controls", i)
        reference = None
        if isinstance(item, Mapping) and len(item) == 1:
            (column, reference), = item.items()
            spec, column, reference = f"{column} (reference {reference})", str(column), str(reference)
        elif isinstance(item, str) and item.strip():
            spec = item.strip()
            column = spec
        else:
            raise src.error(path, f"expected a column, log(column) or {{column: reference}}, got {item!r}",
                            "write e.g. controls: [log(firm_size), firm_age, {industry: it}]")
        match = _LOG.match(column)
        log = bool(match)
        if log:
            column = match.group(1)
            if reference is not None:
                raise src.error(path, "a logged control cannot have a reference level",
                                "log() is for positive numbers; categories take a reference")
        elif "(" in column or ")" in column:
            raise src.error(path, f"unknown transformation in {column!r}",
                            "only log(column) is supported; transform other columns beforehand")
        out.append(Control(spec, column, log, reference, path))
    names = [c.name for c in out]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise src.error(("controls", i), f"control {name!r} is listed twice", "list it once")
    return tuple(out)


def _hypotheses(value, declared: set, src) -> tuple[Hypothesis, ...]:
    if value in (None, "", {}):
        return ()
    if not isinstance(value, Mapping):
        raise src.error(("hypotheses",), "must map a hypothesis id to {x, y, w?, m?, stage?, sign?}",
                        "write e.g. hypotheses: {H1: {x: CRMC, y: FP, sign: '+'}}")
    out = []
    edges: dict[str, set] = {}
    for hid, spec in value.items():
        path = ("hypotheses", hid)
        if not isinstance(spec, Mapping):
            raise src.error(path, "must be a mapping {x, y, w?, m?, stage?, sign?}",
                            "write e.g. {x: CRMC, y: FP, sign: '+'}")
        unknown = [k for k in spec if k not in _HYPOTHESIS_KEYS]
        if unknown:
            raise src.error(path + (unknown[0],), f"unknown key {unknown[0]!r}",
                            f"a hypothesis has {', '.join(_HYPOTHESIS_KEYS)}")
        names = {}
        for key in ("x", "y", "w", "m"):
            got = _names(spec.get(key), path + (key,), src, required=key in ("x", "y"))
            if len(got) > 1:
                raise src.error(path + (key,), f"{key} is one variable", "give a single variable")
            if got:
                if got[0] not in declared:
                    raise src.error(path + (key,), f"variable {got[0]!r} is not declared in the model",
                                    "declare it under x, y, w or m first")
                names[key] = got[0]
        if names["x"] == names["y"]:
            raise src.error(path + ("y",), f"x and y are the same variable {names['x']!r}",
                            "a hypothesis relates two different variables")
        if names.get("m") in (names["x"], names["y"]) or (names.get("w") and names["w"] in
                                                          (names["x"], names["y"], names.get("m"))):
            raise src.error(path, "a variable has two roles in this hypothesis",
                            "x, y, m and w are four different variables")
        stage = spec.get("stage")
        if stage is not None:
            if stage not in _STAGES:
                raise src.error(path + ("stage",), f"stage {stage!r} is not first, second or both",
                                "first: w moderates x → m (PROCESS 7); second: m → y (14); both: 58")
            if not (names.get("m") and names.get("w")):
                raise src.error(path + ("stage",), "stage applies to a moderated mediation only",
                                "give both m and w, or remove stage")
        sign = spec.get("sign")
        if sign is not None:
            sign = {1: "+", -1: "-"}.get(sign, str(sign).strip())
            if sign not in ("+", "-"):
                raise src.error(path + ("sign",), f"sign {spec.get('sign')!r} is not + or -",
                                "write sign: '+' or sign: '-' (quoted), or leave it out")
        hyp = Hypothesis(str(hid), names["x"], names["y"], names.get("w"), names.get("m"),
                         stage if stage else ("first" if names.get("m") and names.get("w") else None),
                         sign)
        chain = [hyp.x, hyp.m, hyp.y] if hyp.m else [hyp.x, hyp.y]
        for a, b in zip(chain, chain[1:]):
            edges.setdefault(a, set()).add((b, hid))
        out.append(hyp)
    _check_hypothesis_cycles(edges, src)
    return tuple(out)


def _check_hypothesis_cycles(edges, src):
    state: dict[str, int] = {}

    def visit(node, trail):
        if state.get(node) == 1:
            cycle = [t[0] for t in trail[[t[0] for t in trail].index(node):]] + [node]
            hid = trail[-1][1]
            raise src.error(("hypotheses", hid), "the hypotheses form a cycle: " + " → ".join(cycle),
                            "a causal model has no feedback loop; reverse or drop one hypothesis")
        if state.get(node) == 2:
            return
        state[node] = 1
        for target, hid in sorted(edges.get(node, ())):
            visit(target, trail + [(node, hid)])
        state[node] = 2

    for node in sorted(edges):
        visit(node, [])


def load_model(study: str | Path) -> StudyModel:
    """Parse the ``model:`` section of a study file, with located errors."""
    import yaml

    path = Path(study)
    text = path.read_text(encoding="utf-8")
    document = yaml.safe_load(text) or {}
    return parse_model(document.get("model"), file=path, lines=yaml_lines(text), text=text)


# -- the analysis frame ------------------------------------------------------------------------

@dataclass(frozen=True)
class AnalysisFrame:
    """One row per respondent with every declared variable, ready for regression.

    ``data`` holds x, y, w, m (by their declared names) and the controls (``log_<column>``
    for a logged one; categorical controls as pandas categoricals whose first category is the
    reference level).  ``kinds`` says how each variable was measured.
    """

    model: StudyModel
    data: pd.DataFrame
    kinds: Mapping[str, str]
    controls: tuple[str, ...]
    references: Mapping[str, str]
    prepared: Any = field(repr=False)
    codebook: Any = field(repr=False)
    ratios: Any = field(default=None, repr=False)
    performance: Any = field(default=None, repr=False)
    screening: str = ""
    conventions: Mapping[str, str] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.data)

    def labels(self, lang: str = "zh") -> dict[str, str]:
        """Variable name -> label: construct labels of the codebook, else the name."""
        out = {}
        for name, kind in self.kinds.items():
            if kind == "construct":
                try:
                    out[name] = self.codebook.construct_label(name, lang)
                except Exception:  # label columns are optional in a codebook
                    out[name] = name
            elif kind == "performance":
                out[name] = {"zh": {"financial": "财务绩效", "customer": "客户绩效",
                                    "innovation": "创新绩效"}, "en": {
                    "financial": "Financial performance", "customer": "Customer performance",
                    "innovation": "Innovation performance"}}[lang][name]
            else:
                out[name] = name
        return out

    def describe(self, lang: str = "zh") -> pd.DataFrame:
        """Each variable: its kind, measurement, N and mean."""
        zh = lang == "zh"
        rows = []
        kind_text = {"construct": ("量表得分", "scale score"), "composite": ("构念得分均值", "mean of scale scores"),
                     "performance": ("财务报表综合绩效", "composite from statements"),
                     "column": ("问卷数值列", "numeric survey column")}
        for name in self.model.variables:
            k = self.kinds[name]
            how = kind_text[k][0 if zh else 1]
            if k == "composite":
                how += ": " + ", ".join(self.model.composites[name])
            rows.append({"variable": name, "kind": how, "n": int(self.data[name].notna().sum()),
                         "mean": float(self.data[name].mean()), "sd": float(self.data[name].std())})
        for c in self.model.controls:
            col = self.data[c.name]
            rows.append({"variable": c.name, "kind": ("控制变量" if zh else "control") + (
                f" ({'参照组' if zh else 'reference'}: {self.references[c.name]})" if c.name in self.references
                else (" (ln)" if c.log else "")), "n": int(col.notna().sum()),
                "mean": float(col.mean()) if c.name not in self.references else np.nan,
                "sd": float(col.std()) if c.name not in self.references else np.nan})
        table = pd.DataFrame(rows).set_index("variable")
        if zh:
            table = table.rename(columns={"kind": "测量", "n": "样本量", "mean": "均值", "sd": "标准差"})
            table.index.name = "变量"
        return table


def _numeric_column(raw: pd.Series, ids: pd.Index, column: str, file) -> pd.Series:
    values = pd.to_numeric(raw, errors="coerce")
    bad = raw.notna() & values.isna()
    if bad.any():
        first = bad.to_numpy().nonzero()[0]
        shown = ", ".join(f"{ids[i]} ({raw.iloc[i]!r})" for i in first[:5])
        raise InputDataError(f"column {column!r} must be numeric; {int(bad.sum())} value(s) are not: "
                             f"{shown}", file=file, row=ids[first[0]], column=column,
                             hint="correct the cells, or leave them empty for missing")
    return values


def build_frame(params: Mapping, model: StudyModel | None = None) -> AnalysisFrame:
    """Read a study's inputs and build its :class:`AnalysisFrame` (chapter 04's data step).

    ``params`` are chapter 04's parameters: ``model`` (the model section, or pass ``model``),
    ``survey``, ``codebook``, ``financials`` (``""`` without statements), the screening rule
    (``attention_item``, ``attention_answer``, ``drop_careless``), ``balance`` and
    ``composite_method``.  Every error is a located :class:`~crmstudy.errors.CrmStudyError`.
    """
    from .measurement import scale_scores
    from .schemas import _shipped, prepare_survey, screening_rule

    if model is None:
        model = parse_model(params.get("model"))
    params = {**params, "model": {"id": model.id}}
    survey_file = None if _shipped(params["survey"]) else str(params["survey"])
    book, raw, prepared = prepare_survey(params, missing="person_mean")
    constructs = set(book.constructs)
    extra = prepared.extra
    kinds: dict[str, str] = {}

    def kind_of(name):
        if name in model.composites:
            return "composite"
        if name in constructs:
            return "construct"
        if name in PERFORMANCE_DIMENSIONS:
            return "performance"
        if name in extra.columns:
            return "column"
        return None

    for name in [*model.variables, *(p for parts in model.composites.values() for p in parts)]:
        kind = kind_of(name)
        if kind is None:
            where = model.path_of(name) or next(("composites", c) for c, parts in model.composites.items()
                                                if name in parts)
            raise model.error(where, f"unknown variable {name!r}: not a construct of the codebook, a "
                              "composite, a performance dimension or a survey column",
                              f"constructs: {', '.join(book.constructs)}; performance: "
                              f"{', '.join(PERFORMANCE_DIMENSIONS)}")
        kinds[name] = kind
    for cname, parts in model.composites.items():
        for part in parts:
            if kinds[part] not in ("construct", "composite"):
                raise model.error(("composites", cname), f"{part!r} is not a construct of the codebook",
                                  "a composite combines constructs (or other composites)")
    scores = scale_scores(prepared, counts=False)
    data = pd.DataFrame(index=scores.index)

    def composite(name):
        parts = [composite(p) if p in model.composites else scores[p] for p in model.composites[name]]
        return pd.concat(parts, axis=1).mean(axis=1, skipna=False)

    ratios = performance = None
    needs_statements = [v for v in model.variables if kinds[v] == "performance"]
    if needs_statements:
        if not params.get("financials"):
            raise model.error(model.path_of(needs_statements[0]),
                              f"{needs_statements[0]!r} is computed from financial statements, "
                              "but the study has none (financials is empty)",
                              "set financials to the statements file, or use a questionnaire construct")
        ratios, performance = _statement_performance(params, survey_file)
    for name in model.variables:
        kind = kinds[name]
        if kind == "construct":
            data[name] = scores[name]
        elif kind == "composite":
            data[name] = composite(name)
        elif kind == "performance":
            data[name] = performance.scores[name].reindex(data.index)
        else:
            data[name] = _numeric_column(extra[name], extra.index, name, survey_file).reindex(data.index)
    references: dict[str, str] = {}
    for c in model.controls:
        if c.column not in extra.columns or c.column == model.id:
            raise model.error(c.path, f"control column {c.column!r} is not in the survey",
                              f"survey columns besides the items: {', '.join(map(str, extra.columns))}",
                              column=c.column)
        col = extra[c.column]
        numeric = pd.to_numeric(col, errors="coerce")
        # categorical: a stated reference level, or no numeric value at all; a column mixing
        # numbers and text is an input error (not silently a factor with a level per number)
        is_text = bool(col.notna().any() and numeric[col.notna()].isna().all())
        if c.log or (not is_text and c.reference is None):
            values = _numeric_column(col, extra.index, c.column, survey_file)
            if c.log:
                bad = values <= 0
                if bad.any():
                    i = int(bad.to_numpy().nonzero()[0][0])
                    raise InputDataError(f"log({c.column}) needs positive values, got {values.iloc[i]:g}",
                                         file=survey_file, row=extra.index[i], column=c.column,
                                         hint="correct the value, or control for the column without log()")
                values = np.log(values)
            data[c.name] = values.reindex(data.index)
        else:
            text = col.astype("string").str.strip().reindex(data.index)
            levels = sorted(text.dropna().unique())
            ref = c.reference if c.reference is not None else (levels[0] if levels else None)
            if c.reference is not None and c.reference not in levels:
                raise model.error(c.path, f"reference level {c.reference!r} does not occur in column "
                                  f"{c.column!r}", f"its levels are {', '.join(levels)}", column=c.column)
            data[c.name] = pd.Categorical(text, categories=[ref] + [lv for lv in levels if lv != ref])
            references[c.name] = ref
        if data[c.name].nunique(dropna=True) < 2:
            raise model.error(c.path, f"control {c.spec!r} is constant in the survey "
                              f"(column {c.column})", "drop it: a constant has no effect to control for",
                              column=c.column)
    for name in model.variables:
        if data[name].nunique(dropna=True) < 2:
            raise model.error(model.path_of(name), f"variable {name!r} is constant or empty in the data",
                              "check the data or the model", column=name)
    screening = screening_rule(params)
    check = screening["attention_check"]
    rule = (f"{check[0]} == {check[1]}" if check else "none") + (
        ", careless respondents dropped" if screening["drop_careless"] else "")
    return AnalysisFrame(model, data, kinds, tuple(c.name for c in model.controls), references,
                         prepared, book, ratios, performance, rule,
                         {"composite": "mean of scale scores (equal weights)",
                          "scale_score": "mean of a construct's items after person-mean imputation",
                          "performance": f"{params.get('composite_method', 'entropy')} composite of "
                                         "chapter 04 indicators" if needs_statements else "",
                          "categorical": "treatment dummies, reference level stated",
                          "screening": rule})


def _statement_performance(params, survey_file):
    from . import performance as perf
    from .schemas import read_input

    statements = read_input(params["financials"], what="financial statements")
    ratios = perf.financial_ratios(statements, balance=params.get("balance", "average"))
    firm = (ratios.by_firm().join(perf.customer_indicators(statements).by_firm())
            .join(perf.innovation_indicators(statements).by_firm()))
    return ratios, perf.composite_performance(firm, method=params.get("composite_method", "entropy"))


# -- hypotheses ----------------------------------------------------------------------------------

_COLUMNS = ["hypothesis", "type", "path", "test", "estimate", "ci_low", "ci_high", "p",
            "expected_sign", "supported", "n", "note"]


def _dummies(frame: AnalysisFrame) -> tuple[pd.DataFrame, list[str]]:
    """Numeric data for PROCESS-style estimation: categorical controls as 0/1 dummies."""
    data = frame.data.copy()
    names = []
    for c in frame.controls:
        if c in frame.references:
            d = pd.get_dummies(data[c], prefix=c, drop_first=True, dtype=float)
            d[data[c].isna()] = np.nan
            data = data.drop(columns=c).join(d)
            names += list(d.columns)
        else:
            names.append(c)
    return data, names


def _verdict(estimate, low, high, p, sign, alpha):
    significant = (p < alpha) if p is not None and np.isfinite(p) else not (low <= 0 <= high)
    direction = sign is None or (estimate > 0 if sign == "+" else estimate < 0)
    return bool(significant and direction)


def test_hypotheses(frame: AnalysisFrame, *, alpha: float = 0.05, cov_type: str = "HC3",
                    center: bool = True, n_boot: int = 5000, seed: int | None = 20261123,
                    ci: str = "percentile", fits: dict | None = None) -> pd.DataFrame:
    """Test every hypothesis of ``frame.model``; one row per hypothesis, unrounded.

    Columns: hypothesis, type, path, test, estimate, ci_low, ci_high, p (NaN for bootstrap
    tests), expected_sign, supported (bool, or NA when not tested), n, note.
    Direct and moderation hypotheses use :mod:`crmstudy.moderation` (OLS with the controls,
    ``cov_type`` standard errors, t-based CI); mediation and moderated mediation use
    ``crmstudy.mediation.process`` (bootstrap, ``n_boot`` resamples, ``ci`` interval); pass a
    dict as ``fits`` to receive their PROCESS results (hypothesis id -> result).
    """
    from . import moderation

    model = frame.model
    data = frame.data
    controls = list(frame.controls)
    rows = []
    mediation = None
    for h in model.hypotheses:
        row = dict.fromkeys(_COLUMNS)
        row.update(hypothesis=h.id, type=h.kind, path=h.path_text(), expected_sign=h.sign or "",
                   note="")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # listwise deletion is reported through n
            if h.kind == "direct":
                blocks = [controls, [h.x]] if controls else [[h.x]]
                res = moderation.hierarchical_regression(data, h.y, blocks, center=False,
                                                         cov_type=cov_type, alpha=alpha)
                coef = res.coefficients.loc[h.x] if h.x in res.coefficients.index else \
                    res.coefficients.set_index("term").loc[h.x]
                row.update(test=f"OLS ({cov_type})", estimate=coef["b"], ci_low=coef["ci_low"],
                           ci_high=coef["ci_high"], p=coef["p"], n=int(res.final.nobs))
            elif h.kind == "moderation":
                fit = moderation.moderated_regression(data, h.y, h.x, h.w, controls=controls,
                                                      center=center, cov_type=cov_type, alpha=alpha)
                table = fit.coefficients
                if "term" in table.columns:
                    table = table.set_index("term")
                term = next(t for t in table.index if ":" in str(t) and h.x in str(t) and h.w in str(t))
                coef = table.loc[term]
                row.update(test=f"moderated regression, interaction ({cov_type})", estimate=coef["b"],
                           ci_low=coef["ci_low"], ci_high=coef["ci_high"], p=coef["p"], n=fit.n)
            else:
                if mediation is None:
                    try:
                        from . import mediation  # imported lazily: its bootstrap is not needed otherwise
                    except ImportError:
                        mediation = False
                if mediation is False or not hasattr(mediation, "process"):
                    row.update(test=f"PROCESS model {h.process_model}", supported=pd.NA,
                               note="not tested: crmstudy.mediation unavailable")
                    rows.append(row)
                    continue
                numeric, control_names = _dummies(frame)
                result = mediation.process(numeric, h.process_model, h.x, h.y, h.m, w=h.w,
                                           controls=tuple(control_names), n_boot=n_boot, seed=seed,
                                           ci=ci)
                if fits is not None:
                    fits[h.id] = result
                if h.w:
                    est, low, high = _first_effect(result.index_of_moderated_mediation)
                    test = f"index of moderated mediation, PROCESS model {h.process_model} ({ci} bootstrap, {n_boot})"
                else:
                    est, low, high = _first_effect(result.indirect)
                    test = f"indirect effect a·b, PROCESS model 4 ({ci} bootstrap, {n_boot})"
                row.update(test=test, estimate=est, ci_low=low, ci_high=high, p=np.nan,
                           n=int(getattr(result, "n", data[[h.x, h.m, h.y]].dropna().shape[0])))
        if row.get("supported") is None:
            row["supported"] = _verdict(row["estimate"], row["ci_low"], row["ci_high"], row["p"],
                                        h.sign, alpha)
        rows.append(row)
    table = pd.DataFrame(rows, columns=_COLUMNS)
    table["n"] = table["n"].astype("Int64")
    table.attrs["conventions"] = {"alpha": alpha, "cov_type": cov_type, "center": center,
                                  "bootstrap": f"{n_boot} resamples, {ci} CI, seed {seed}",
                                  "supported": "significant at alpha and, if a sign is stated, of that sign",
                                  **frame.conventions}
    return table


test_hypotheses.__test__ = False  # a statistics function, not a pytest test


def _first_effect(obj) -> tuple[float, float, float]:
    """(effect, ci_low, ci_high) of the first row of a DataFrame, a Series or a mapping."""
    if isinstance(obj, pd.DataFrame):
        obj = obj.iloc[0]
    get = obj.get if hasattr(obj, "get") else (lambda k: getattr(obj, k))
    effect = get("effect")
    if effect is None:
        effect = get("index")
    return float(effect), float(get("ci_low")), float(get("ci_high"))


_ZH_COLUMNS = {"hypothesis": "假设", "type": "类型", "path": "路径", "test": "检验方法", "estimate": "估计值",
               "ci_low": "置信区间下限", "ci_high": "置信区间上限", "p": "p 值", "expected_sign": "预期方向",
               "supported": "结论", "n": "样本量", "note": "备注"}
_ZH_TYPES = {"direct": "直接效应", "moderation": "调节效应", "mediation": "中介效应",
             "moderated mediation": "有调节的中介"}
_EN_COLUMNS = {"hypothesis": "Hypothesis", "type": "Type", "path": "Path", "test": "Test",
               "estimate": "Estimate", "ci_low": "CI low", "ci_high": "CI high", "p": "p",
               "expected_sign": "Expected sign", "supported": "Result", "n": "N", "note": "Note"}


def hypothesis_table(results: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """研究假设检验结果汇总 / summary of hypothesis tests, labelled in ``lang`` (values unrounded)."""
    table = results.copy()
    zh = lang == "zh"
    verdict = {True: "支持" if zh else "supported", False: "不支持" if zh else "not supported"}
    table["supported"] = [verdict.get(v, "未检验" if zh else "not tested") if v is not pd.NA
                          else ("未检验" if zh else "not tested") for v in table["supported"]]
    if zh:
        table["type"] = table["type"].map(_ZH_TYPES).fillna(table["type"])
        table["note"] = table["note"].replace({"not tested: crmstudy.mediation unavailable":
                                               "未检验：crmstudy.mediation 不可用"})
    table = table.rename(columns=_ZH_COLUMNS if zh else _EN_COLUMNS)
    table.attrs["title"] = "研究假设检验结果汇总" if zh else "Summary of hypothesis tests"
    return table


def write_hypotheses(params: Mapping, folder: str | Path, lang: str | None = None, *,
                     echo=None) -> pd.DataFrame | None:
    """Test the study's hypotheses and write ``hypotheses.csv`` and ``tables/<title>.csv``.

    Called by ``crmstudy run --config`` in the staging folder after the chapters (the tables
    folder is gathered into ``tables.xlsx`` afterwards).  ``params`` are chapter 04's effective
    parameters.  Returns the unrounded results, or None when the model declares no hypothesis.
    """
    model = parse_model(params.get("model"))
    if not model.hypotheses:
        return None
    lang = lang or params.get("lang", "zh")
    frame = build_frame(params, model)
    results = test_hypotheses(frame, alpha=params.get("alpha", 0.05),
                              cov_type=params.get("cov_type", "HC3"), center=params.get("center", True),
                              n_boot=params.get("n_boot", 5000), seed=params.get("seed", 20261123))
    table = hypothesis_table(results, lang)
    folder = Path(folder)
    table.to_csv(folder / "hypotheses.csv", index=False, encoding="utf-8-sig")
    (folder / "tables").mkdir(exist_ok=True)
    table.to_csv(folder / "tables" / f"{table.attrs['title']}.csv", index=False, encoding="utf-8-sig")
    if echo:
        echo(f"    hypotheses: {int((results['supported'] == True).sum())} of {len(results)} "  # noqa: E712
             "supported; hypotheses.csv written", flush=True)
    return results
