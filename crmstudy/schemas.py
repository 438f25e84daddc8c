"""Input specifications shared by the chapters and ``crmstudy check``: one place, one reader.

Every input a chapter reads goes through a function here, and ``crmstudy check`` calls the
same functions, so the two cannot disagree about what is valid:

* :func:`read_input` reads a table (shipped data set name or a user's CSV/Excel file) and
  rejects an empty file (``line 1``) or a header without data rows (``line 2``);
* :func:`screening_rule` turns the study's screening parameters (``attention_item``,
  ``attention_answer``, ``drop_careless``) into the rule :func:`crmstudy.measurement.prepare`
  applies, so chapters 02-04 analyse the same respondents (one N);
* :func:`prepare_survey` reads codebook and answers and cleans them with that rule;
* :func:`chapter_inputs` is the data preparation of a chapter (what its notebook reads before
  it analyses anything): it raises a :class:`~crmstudy.errors.CrmStudyError` exactly when the
  chapter would reject its inputs.

Validation errors are always crmstudy's own exceptions; anything else is a bug and propagates.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputDataError

__all__ = ["read_input", "check_not_empty", "screening_rule", "prepare_survey", "read_codebook",
           "chapter_inputs", "SCREENING_DEFAULTS"]

_TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")

#: The screening rule of the sample study (chapters 02-04 read these parameters).
SCREENING_DEFAULTS = {"attention_item": "attention_check", "attention_answer": 2,
                      "drop_careless": True}


def _shipped(source) -> bool:
    from . import datasets

    return isinstance(source, str) and source in set(datasets.list_datasets()["name"])


def check_not_empty(source, *, what: str = "input table") -> None:
    """Raise if a table file is empty (line 1) or has a header but no data row (line 2)."""
    if _shipped(source) or Path(str(source)).suffix.lower() not in (".csv", ".txt"):
        return
    path = Path(str(source))
    if not path.is_file():
        return  # read_table names a missing file
    lines = [ln for ln in path.read_bytes().splitlines() if ln.strip()]
    if not lines:
        raise InputDataError(f"{what}: the file is empty (no header line)", file=path, line=1,
                             hint="export the table again with its header line and data rows")
    if len(lines) == 1:
        raise InputDataError(f"{what}: the file has a header line but no data rows", file=path,
                             line=2, hint="add the data rows below the header line")


def read_input(source, *, what: str = "input table") -> pd.DataFrame:
    """Read a chapter input table (see :func:`crmstudy.datasets.read_table`), never empty."""
    from . import datasets

    check_not_empty(source, what=what)
    return datasets.read_table(source, what=what)


def read_codebook(source):
    """The codebook of a study, as every chapter reads it."""
    from .measurement import Codebook

    check_not_empty(source, what="codebook")
    if _shipped(source):
        from . import datasets

        return Codebook.from_frame(datasets.load(source), file=source)
    return Codebook.from_file(source)


def screening_rule(params: dict) -> dict:
    """The keyword arguments of ``prepare`` that select respondents, from a chapter's params.

    Chapters 02, 03 and 04 all read ``attention_item`` (instructed-response item, ``""`` for
    none), ``attention_answer`` and ``drop_careless``; written once at the top of a study
    file, they apply to every chapter, so every chapter analyses the same respondents.
    """
    item = params.get("attention_item", SCREENING_DEFAULTS["attention_item"])
    answer = params.get("attention_answer", SCREENING_DEFAULTS["attention_answer"])
    return {"attention_check": (item, answer) if item else None,
            "drop_careless": bool(params.get("drop_careless", SCREENING_DEFAULTS["drop_careless"]))}


def prepare_survey(params: dict, *, missing: str | None = None):
    """Read the codebook and survey of ``params`` and clean them with the study's screening.

    Returns ``(codebook, raw answers, PreparedSurvey)``.  ``params`` holds ``survey``,
    ``codebook`` and optionally ``id_col``, ``invalid``, ``missing``, ``min_share`` and the
    screening parameters of :func:`screening_rule`.
    """
    from .measurement import prepare

    book = read_codebook(params["codebook"])
    raw = read_input(params["survey"], what="survey answers")
    file = None if _shipped(params["survey"]) else str(params["survey"])
    prepared = prepare(raw, book, id_col=_id_col(params), invalid=params.get("invalid", "raise"),
                       missing=missing or params.get("missing", "person_mean"),
                       min_share=params.get("min_share", 0.5), file=file, **screening_rule(params))
    return book, raw, prepared


def _id_col(params: dict) -> str:
    model = params.get("model") or {}
    if isinstance(model, dict) and model.get("id"):
        return str(model["id"])
    return params.get("id_col", "firm_id")


def chapter_inputs(chapter: str, params: dict) -> dict[str, Any]:
    """Read and validate every input chapter ``chapter`` uses, as its notebook does.

    ``params`` are the chapter's effective parameters (defaults and study file merged).
    Returns the prepared inputs by name; raises a CrmStudyError on the first invalid input.
    """
    out: dict[str, Any] = {}
    if chapter.startswith("01"):
        from . import indicators

        if params.get("system_file"):
            out["system"] = indicators.load_system(params["system_file"])
        return out
    if chapter.startswith("02"):
        if params.get("survey") and params.get("codebook"):
            out["codebook"], out["raw"], out["survey"] = prepare_survey(params)
        return out
    if chapter.startswith("03"):
        from . import ahp, indicators

        system = indicators.capability_system()
        if params.get("judgments"):
            out["weights"] = ahp.hierarchy_weights(
                read_input(params["judgments"], what="expert judgments"), system,
                scale=params.get("judgment_scale", "saaty"),
                file=None if _shipped(params["judgments"]) else str(params["judgments"]))
        if params.get("survey") and params.get("codebook"):
            out["codebook"], out["raw"], out["survey"] = prepare_survey(params)
            check_capability_items(out["codebook"], params["codebook"])
        return out
    if chapter.startswith("04"):
        from .study_model import build_frame

        out["frame"] = build_frame(params)
        return out
    if chapter.startswith("05"):
        if params.get("transactions"):
            out["transactions"] = read_transactions(params)
        if params.get("b2b_customers"):
            out["b2b_customers"], out["b2b_weights"] = read_b2b(params)
        return out
    return out


def check_capability_items(book, codebook_source) -> None:
    """Chapter 03 scores the CRM capability indicators (A11..A36): they must be codebook items."""
    from . import indicators

    missing = [c for c in indicators.capability_system().leaves() if c not in book.items]
    if missing:
        from .errors import CodebookError

        raise CodebookError(f"chapter 03 needs the capability indicators {', '.join(missing)} as "
                            "items of the codebook", file=None if _shipped(codebook_source)
                            else str(codebook_source), column=missing[0],
                            hint="chapter 03 weights the CRM capability indicator system; leave "
                                 "it out of a study without those items")


def engine_source(source) -> bool:
    """Transactions read through DuckDB (:func:`crmstudy.customer_value.read_transactions`):
    Parquet files, globs and folders of CSV/Parquet files; other sources by ``read_input``."""
    text = str(source)
    return (text.lower().endswith((".parquet", ".pq")) or any(c in text for c in "*?[")
            or (not _shipped(source) and Path(text).is_dir()))


def read_transactions(params: dict) -> pd.DataFrame:
    """Chapter 05's transactions, read and checked as the chapter reads and checks them: a
    Parquet file, glob or folder through :func:`crmstudy.customer_value.read_transactions`
    (DuckDB), anything else with ``read_input``; then ``validate_transactions``."""
    from .customer_value import read_transactions as read_engine
    from .customer_value import validate_transactions

    source = params["transactions"]
    columns = (params.get("customer_col", "customer_id"), params.get("date_col", "date"),
               params.get("amount_col", "dollar_value"))
    raw = read_engine(source, *columns) if engine_source(source) else \
        read_input(source, what="transactions")
    return validate_transactions(raw, *columns, file=None if _shipped(source) else str(source))


def read_b2b(params: dict):
    """Chapter 05's B2B customers (id ``customer_id``, indicators C11..C43, optional numeric
    ``annual_order_value``) and their customer-value weights (with ``b2b_judgments``)."""
    from .customer_value import system as cvs

    source = params["b2b_customers"]
    file = None if _shipped(source) else str(source)
    frame = read_input(source, what="B2B customers")
    if "customer_id" not in frame.columns:
        raise InputDataError("B2B customers: the id column 'customer_id' is missing", file=file,
                             column="customer_id", hint="name the customer id column customer_id")
    frame = frame.set_index("customer_id")
    if "annual_order_value" in frame.columns:  # the practice the index is compared with
        values = pd.to_numeric(frame["annual_order_value"], errors="coerce")
        bad = frame["annual_order_value"].notna() & values.isna()
        if bad.any():
            first = bad.to_numpy().nonzero()[0][0]
            raise InputDataError(f"annual_order_value must be numeric, got "
                                 f"{frame['annual_order_value'].iloc[first]!r}", file=file,
                                 row=frame.index[first], column="annual_order_value",
                                 hint="correct the cell, or leave it empty")
    try:
        weights = cvs.customer_value_weights(
            frame, read_input(params.get("b2b_judgments", "b2b_judgments"), what="AHP judgments"),
            combination=params.get("combination", "linear"), alpha=params.get("alpha", 0.5))
    except InputDataError as exc:
        if exc.file is None:  # located in the customer table: name it
            raise InputDataError(exc.problem, file=file, row=exc.row, column=exc.column,
                                 entry=exc.entry, hint=exc.hint) from None
        raise
    return frame, weights
