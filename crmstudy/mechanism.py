"""The mechanism of a study's research model (chapter 06): which mediation to test, the
structural equation model of the research model, and the comparison with a simulated truth.

研究模型的作用机制（第 6 章）：选择要检验的中介、构造研究模型的结构方程模型、与模拟真值对照。

Pure functions on a study model (:class:`crmstudy.study_model.StudyModel`, duck-typed: ``x, y,
m, w, composites, hypotheses``) and a codebook (``constructs``, ``items_of``); no construct
name is assumed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

import pandas as pd

from .errors import ParameterError

__all__ = ["focal_mediation", "mediation_hypotheses", "MechanismSEM", "mechanism_sem",
           "truth_mediation"]


def mediation_hypotheses(model) -> list:
    """The hypotheses of ``model`` that involve a mediator (``m`` set), in the file's order."""
    return [h for h in model.hypotheses if getattr(h, "m", None)]


def focal_mediation(model) -> dict | None:
    """The mediation the chapter tests: ``{"x", "m", "y", "w"}`` or ``None`` without a mediator.

    The first hypothesis with a mediator gives ``x, m, y`` (and ``w``: the first such
    hypothesis with a moderator); without one, ``x``, the first mediator, the first outcome
    that is not a mediator, and the first moderator (``None`` without moderators).
    """
    if not model.m:
        return None
    hyps = mediation_hypotheses(model)
    first = hyps[0] if hyps else None
    x = first.x if first else model.x
    m = first.m if first else model.m[0]
    outcomes = [y for y in model.y if y not in model.m and y != m]
    if first is None and not outcomes:
        return None
    y = first.y if first else outcomes[0]
    moderated = [h for h in hyps if h.w]
    w = moderated[0].w if moderated else (model.w[0] if model.w else None)
    return {"x": x, "m": m, "y": y, "w": w if w not in (x, m, y) else None}


def _constructs(name: str, model, constructs: set) -> list[str]:
    """Constructs behind ``name``: a composite's parts (recursively), a construct itself, or []
    for an observed variable."""
    if name in model.composites:
        out: list[str] = []
        for part in model.composites[name]:
            out += [c for c in _constructs(part, model, constructs) if c not in out]
        return out
    return [name] if name in constructs else []


def _ident(name: str) -> str:
    """A lavaan label from a variable name (letters of any script, digits, underscores)."""
    return re.sub(r"\W", "_", str(name))


@dataclass(frozen=True)
class MechanismSEM:
    """The structural equation model of a research model (see :func:`mechanism_sem`).

    Attributes
    ----------
    syntax : str
        lavaan syntax: one ``=~`` line per construct (its codebook items), the mediators on the
        predictor's dimensions, each outcome on the mediators and the dimensions, and one
        defined indirect effect per outcome (sum over dimensions and mediators of a·b).
    data : DataFrame
        Items and observed variables the syntax uses, one row per respondent.
    predictors, mediators, outcomes : tuple of str
        Structural variables (``predictors``: the predictor's constructs, or the predictor).
    defined : Mapping
        Name of the defined parameter -> outcome.
    conventions : dict
    """

    syntax: str
    data: pd.DataFrame
    predictors: tuple
    mediators: tuple
    outcomes: tuple
    defined: Mapping
    conventions: dict


    def names(self, lang: str = "zh", labels: Mapping | None = None) -> dict:
        """Display names of the defined parameters: "总间接效应（→ 财务绩效）"."""
        from .labels import label, variable_label

        return {name: label("indirect_on", lang, "mechanism",
                            y=variable_label(y, lang, labels))
                for name, y in self.defined.items()}


def mechanism_sem(frame) -> MechanismSEM:
    """lavaan syntax and data of the research model's SEM: dimensions → mediators → outcomes.

    Parameters
    ----------
    frame : crmstudy.study_model.AnalysisFrame
        Its ``model`` (x, m, y, composites), ``codebook`` (constructs and items),
        ``prepared.items`` (cleaned item answers) and ``data`` (observed variables, e.g.
        performance dimensions computed from statements).

    A construct (of the codebook) enters as a latent variable measured by its items; a
    composite by its constructs (the capability dimensions); anything else (a performance
    dimension, a survey column) as an observed variable.  Paths are labelled
    ``<predictor>_<outcome>`` so that each outcome's total indirect effect is a defined
    parameter, ``indirect_<outcome> := Σ a·b``.  Controls and moderators are left out (an SEM
    of the mechanism, as theses draw it).

    Raises
    ------
    ParameterError
        The model has no mediator, or no outcome besides the mediators.

    Examples
    --------
    The syntax matches lavaan's ``sem(model, data)`` input, e.g. for the sample study
    ``A1 =~ A11 + ...; CP ~ A1_CP*A1 + ...; financial ~ CP_financial*CP + ...;
    indirect_financial := A1_CP*CP_financial + ...``.
    """
    from .sem import model_syntax

    model, book = frame.model, frame.codebook
    if not model.m:
        raise ParameterError("the research model has no mediator (model: m:)",
                             hint="add a mediator under model: m: in the study file")
    constructs = set(book.constructs)
    predictors = tuple(_constructs(model.x, model, constructs) or [model.x])
    mediators = tuple(model.m)
    outcomes = tuple(y for y in model.y if y not in mediators and y not in predictors)
    if not outcomes:
        raise ParameterError("the research model has no outcome besides its mediators",
                             hint="list an outcome under model: y: that is not a mediator")
    structural = [*predictors, *mediators, *outcomes]
    latent = [v for v in structural if v in constructs]
    measurement = {v: list(book.items_of(v)) for v in latent}
    regressions = {m: list(predictors) for m in mediators}
    regressions.update({y: [*mediators, *predictors] for y in outcomes})
    labels = {v: _ident(v) for v in structural}
    defined = {}
    for y in outcomes:
        terms = [f"{labels[p]}_{labels[m]}*{labels[m]}_{labels[y]}"
                 for m in mediators for p in predictors]
        defined[f"indirect_{labels[y]}"] = " + ".join(terms)
    # label_paths writes <predictor>_<outcome> with the raw names: identifiers are needed
    syntax = model_syntax(measurement, {labels[k]: [labels[v] for v in vs]
                                        for k, vs in regressions.items()},
                          defined=defined, label_paths=True)
    if any(labels[v] != v for v in structural):
        raise ParameterError(
            f"variable names usable in lavaan syntax are needed: "
            f"{', '.join(v for v in structural if labels[v] != v)}",
            hint="rename the construct (letters, digits and underscores only)")
    items = [i for v in latent for i in measurement[v]]
    observed = [v for v in structural if v not in constructs]
    missing = [v for v in observed if v not in frame.data.columns]
    if missing:
        raise ParameterError(f"no data for {', '.join(missing)}",
                             hint="an observed variable of the model must be a column of the "
                                  "analysis data")
    data = pd.concat([frame.prepared.items[items], frame.data[observed]], axis=1)
    return MechanismSEM(syntax, data, predictors, mediators, outcomes,
                        {name: y for name, y in zip(defined, outcomes)},
                        {"latent": "constructs of the codebook, measured by their items "
                                   "(first loading fixed to 1)",
                         "observed": "composites enter by their constructs; other variables "
                                     "as observed",
                         "controls": "not in the SEM (the mechanism only)",
                         "indirect": "sum over predictors and mediators of a·b, a defined "
                                     "parameter (lavaan :=)"})


def truth_mediation(truth: Mapping, latent: pd.DataFrame, *, n_boot: int = 2000,
                    seed: int | None = None, ci: str = "percentile") -> pd.DataFrame | None:
    """Estimates on the simulated latent scores against the generating mediation.

    ``truth["mediation"]`` holds ``x, m, y, w, a, a_moderation, b, direct, indirect_at_w0,
    index_of_moderated_mediation`` (the sample study's ``crm_truth``).  PROCESS model 8 is
    fitted on the latent scores without controls (the controls act on the outcome only and
    are nearly independent of x); returns one row per quantity: ``quantity, truth, estimate,
    ci_low, ci_high, covered`` (CIs: t-based for paths, bootstrap for indirect effects).
    ``None`` when ``truth`` has no mediation or ``latent`` lacks its columns.
    """
    from .mediation import process

    spec = (truth or {}).get("mediation") if isinstance(truth, Mapping) else None
    if not spec or latent is None:
        return None
    x, m, y, w = (spec.get(k) for k in ("x", "m", "y", "w"))
    if any(v not in latent.columns for v in (x, m, y) if v) or (w and w not in latent.columns):
        return None
    res = process(latent, 8 if w else 4, x, y, m, w=w, n_boot=n_boot, seed=seed, ci=ci)
    paths = res.paths.set_index(["outcome", "term"])
    rows = []

    def path(key, outcome, term):
        if key in spec and (outcome, term) in paths.index:
            r = paths.loc[(outcome, term)]
            rows.append((key, spec[key], r["b"], r["ci_low"], r["ci_high"]))

    path("a", m, x)
    if w:
        path("a_moderation", m, f"{x}:{w}")
    path("b", y, m)
    path("direct", y, x)
    if w:
        path("direct_moderation", y, f"{x}:{w}")
        if "indirect_at_w0" in spec:
            r = res.conditional_indirect(at=[0.0]).iloc[0]
            rows.append(("indirect_at_w0", spec["indirect_at_w0"], r["effect"], r["ci_low"],
                         r["ci_high"]))
        if "index_of_moderated_mediation" in spec:
            r = res.index_of_moderated_mediation.iloc[0]
            rows.append(("index_of_moderated_mediation", spec["index_of_moderated_mediation"],
                         r["index"], r["ci_low"], r["ci_high"]))
    out = pd.DataFrame(rows, columns=["quantity", "truth", "estimate", "ci_low", "ci_high"])
    out["covered"] = (out["ci_low"] <= out["truth"]) & (out["truth"] <= out["ci_high"])
    out.attrs["conventions"] = dict(res.conventions)
    out.attrs["n"] = res.n
    return out.astype({"truth": float})
