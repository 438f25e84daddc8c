"""The thesis tables of a study, from its ``model:`` section and data (one place computes them).

:func:`thesis_tables` builds, in this order:

1. Table 1 (:func:`crmstudy.report.descriptives_table`): the model's variables — scale scores,
   composites, numeric controls — with √AVE from a CFA of the constructs on the diagonal;
2. the measurement table (loadings, α, CR, AVE) and 3. the fit table of that CFA
   (:func:`crmstudy.measurement.cfa`, fitted by :mod:`crmstudy.sem`);
4. one hierarchical regression per outcome (M1 controls, M2 + x and w, M3 + x×w; without a
   moderator M1 controls, M2 + x), each followed by its simple slopes when moderated;
5. the bootstrapped indirect effects of every mediation hypothesis;
6. the summary of hypotheses (研究假设检验结果汇总).

:func:`write_study_results` is what ``crmstudy run --config`` calls in its staging folder:
``hypotheses.csv``, one CSV per table in ``tables/`` (gathered into ``tables.xlsx`` by the run)
and ``tables.docx`` (three-line tables, :func:`crmstudy.report.to_docx`) — the same tables.
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import pandas as pd

from . import report
from .errors import CrmStudyError
from .study_model import build_frame, hypothesis_table, parse_model, test_hypotheses

__all__ = ["table_file_name", "thesis_tables", "write_study_results"]


def _constructs_of(frame) -> list[str]:
    """Codebook constructs the model uses (directly, or inside a composite), in model order."""
    model = frame.model
    out: list[str] = []

    def add(name):
        if name in model.composites:
            for part in model.composites[name]:
                add(part)
        elif frame.kinds.get(name) == "construct" and name not in out:
            out.append(name)

    for name in model.variables:
        add(name)
    return out


def _labels(frame, lang: str) -> dict[str, str]:
    """Display names: the frame's labels, ln(column) for a logged control, and the variable name
    added where two variables would read the same (a construct and a performance dimension)."""
    labels = frame.labels(lang)
    for c in frame.model.controls:
        labels[c.name] = f"ln({c.column})" if c.log else labels.get(c.name, c.name)
    seen: dict[str, int] = {}
    for text in labels.values():
        seen[text] = seen.get(text, 0) + 1
    return {k: (f"{v} ({k})" if seen[v] > 1 and v != k else v) for k, v in labels.items()}


def _titled(table, outcome: str):
    """The regression table's title names its dependent variable."""
    title = {"zh": f"{table.title['zh']}（因变量：{outcome}）",
             "en": f"{table.title['en']} (dependent variable: {outcome})"}
    return replace(table, title=title)


def thesis_tables(params: Mapping, lang: str | None = None, *, frame=None,
                  results: pd.DataFrame | None = None, fits: dict | None = None,
                  notes: list | None = None) -> list:
    """The study's thesis tables (list of :class:`crmstudy.report.ThesisTable`, numbered 1…k).

    Parameters
    ----------
    params : mapping
        Chapter 04's effective parameters (``model``, ``survey``, ``codebook``, screening rule,
        ``cov_type``, ``alpha``, ``center``, ``n_boot``, ``seed`` …).
    lang : {"zh", "en"}, optional
        Default ``params["lang"]`` or zh.
    frame, results, fits : optional
        An :class:`~crmstudy.study_model.AnalysisFrame`, the output of
        :func:`~crmstudy.study_model.test_hypotheses` and its PROCESS fits (hypothesis id ->
        result), when already computed; otherwise computed here.
    notes : list, optional
        Receives a sentence for each table left out (e.g. a CFA that cannot be fitted).
    """
    from .measurement import cfa as fit_cfa
    from .measurement import reliability
    from . import moderation

    lang = lang or params.get("lang", "zh")
    notes = [] if notes is None else notes
    model = parse_model(params.get("model")) if frame is None else frame.model
    frame = build_frame(params, model) if frame is None else frame
    cov_type, alpha = params.get("cov_type", "HC3"), params.get("alpha", 0.05)
    center = params.get("center", True)
    if results is None:
        fits = {}
        results = test_hypotheses(frame, alpha=alpha, cov_type=cov_type, center=center,
                                  n_boot=params.get("n_boot", 5000),
                                  seed=params.get("seed", 20261123), fits=fits)
    fits = fits or {}
    labels = _labels(frame, lang)
    data = frame.data
    tables = []

    # -- measurement: one CFA of the constructs the model uses --------------------------------
    constructs = _constructs_of(frame)
    cfa = None
    if len(constructs) >= 1:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cfa = fit_cfa(frame.prepared, {c: frame.codebook.items_of(c) for c in constructs})
        except CrmStudyError as exc:
            notes.append(f"CFA not fitted, measurement and fit tables left out: {exc}")
    numeric = [c for c in [*model.variables, *frame.controls]
               if c not in frame.references and pd.api.types.is_numeric_dtype(data[c])]
    tables.append(report.descriptives_table(data[numeric], cfa=cfa, lang=lang, labels=labels))
    if cfa is not None:
        try:
            rel = reliability(frame.prepared)
        except CrmStudyError:
            rel = None
        tables.append(report.measurement_table(cfa, rel, lang, labels=labels))
        tables.append(report.fit_table(cfa, lang))

    # -- hierarchical regressions, one per outcome (and moderator) ----------------------------
    controls = list(frame.controls)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # listwise deletion is reported through N
        for y in model.y:
            if model.w:
                for w in model.w:
                    fit = moderation.moderated_regression(data, y, model.x, w, controls=controls,
                                                          center=center, cov_type=cov_type,
                                                          alpha=alpha)
                    tables.append(_titled(report.regression_table(fit, "b", lang, labels=labels),
                                          labels.get(y, y)))
                    tables.append(report.simple_slopes_table(fit, lang=lang, labels=labels))
            else:
                blocks = [controls, [model.x]] if controls else [[model.x]]
                fit = moderation.hierarchical_regression(data, y, blocks, center=False,
                                                         cov_type=cov_type, alpha=alpha)
                tables.append(_titled(report.regression_table(fit, "b", lang, labels=labels),
                                      labels.get(y, y)))

    # -- mediation and the hypothesis summary ------------------------------------------------
    for h in model.hypotheses:
        fit = fits.get(h.id)
        if fit is not None:
            indirect = fit.indirect.copy()
            chain = " → ".join(labels.get(v, v) for v in [h.x, h.m, h.y])
            if "level" in indirect.columns:  # conditional indirect effects at W levels
                indirect.index = [f"{chain} ({labels.get(h.w, h.w)}: {lv})" for lv in indirect["level"]]
            else:
                indirect.index = [chain] * len(indirect) if len(indirect) == 1 else \
                    [f"{chain} [{i + 1}]" for i in range(len(indirect))]
            tables.append(report.mediation_table(
                indirect[["effect", "boot_se", "ci_low", "ci_high"]], lang,
                n_boot=params.get("n_boot", 5000), ci_method="percentile",
                labels=labels))
    if len(results):
        summary = results[["hypothesis", "path", "test", "estimate", "ci_low", "ci_high", "p",
                           "supported"]].copy()
        summary["path"] = summary["path"].str.replace("→", "->", regex=False)
        tables.append(report.hypothesis_table(summary, lang, labels=labels))
    for number, table in enumerate(tables, start=1):
        object.__setattr__(table, "number", number)
    return tables


def table_file_name(table, lang: str = "zh") -> str:
    """``tables/`` CSV name of a thesis table: "表01 描述性统计与相关系数.csv" — the number
    zero-padded so the workbook's sheets sort in table order, at most 31 characters (an Excel
    sheet name), without the characters Excel and file systems reject."""
    prefix = "表" if lang == "zh" else "Table "
    title = table.title[lang]
    name = re.sub(r'[\\/:*?"<>|\[\]]', " ", f"{prefix}{table.number:02d} {title}")
    return re.sub(r"\s+", " ", name)[:31].strip() + ".csv"


def write_study_results(params: Mapping, folder: str | Path, lang: str | None = None, *,
                        echo=None) -> list:
    """Hypotheses and thesis tables of a study into a run's staging ``folder``.

    Writes ``hypotheses.csv`` (and ``tables/<研究假设检验结果汇总>.csv``) when the model states
    hypotheses, every thesis table as ``tables/<caption>.csv`` and all of them in
    ``tables.docx``.  Returns the tables.
    """
    model = parse_model(params.get("model"))
    lang = lang or params.get("lang", "zh")
    folder = Path(folder)
    frame = build_frame(params, model)
    fits: dict = {}
    results = test_hypotheses(frame, alpha=params.get("alpha", 0.05),
                              cov_type=params.get("cov_type", "HC3"), center=params.get("center", True),
                              n_boot=params.get("n_boot", 5000), seed=params.get("seed", 20261123),
                              fits=fits)
    (folder / "tables").mkdir(exist_ok=True)
    if len(results):
        summary = hypothesis_table(results, lang)
        summary.to_csv(folder / "hypotheses.csv", index=False, encoding="utf-8-sig")
        summary.to_csv(folder / "tables" / f"{summary.attrs['title']}.csv", index=False,
                       encoding="utf-8-sig")
        if echo:
            echo(f"    hypotheses: {int((results['supported'] == True).sum())} of {len(results)} "  # noqa: E712
                 "supported; hypotheses.csv written", flush=True)
    notes: list = []
    tables = thesis_tables(params, lang, frame=frame, results=results, fits=fits, notes=notes)
    for table in tables:
        frame_ = table.display(lang)
        frame_.to_csv(folder / "tables" / table_file_name(table, lang),
                      index=False, encoding="utf-8-sig")
    report.to_docx(tables, folder / "tables.docx", lang, overwrite=True)
    if echo:
        for note in notes:
            echo(f"    {note}", flush=True)
        echo(f"    thesis tables: {len(tables)} written to tables.docx", flush=True)
    return tables
