"""Exception and warning types of crmstudy.

Every error a user can cause with bad input is a :class:`CrmStudyError`, a subclass of
:class:`ValueError`, so ``except ValueError`` keeps working for callers who do not know
crmstudy.  Messages follow one rule: say *where* (file, row, column, matrix entry), *what*
is wrong, and *what to do*.  The keyword arguments of :class:`CrmStudyError` build the
"where" part uniformly, so modules do not each invent a format::

    raise InputDataError("value 12 is outside the scale 1-7",
                         file="survey.csv", row="F0042", column="A11",
                         hint="correct the answer or list 12 as a missing-value code")

renders as::

    survey.csv, row F0042, column A11: value 12 is outside the scale 1-7.
    What to do: correct the answer or list 12 as a missing-value code.
"""
from __future__ import annotations

from typing import Any

__all__ = [
    "CrmStudyError",
    "InputDataError",
    "DatasetNotFoundError",
    "IndicatorSystemError",
    "CodebookError",
    "JudgmentMatrixError",
    "WeightsError",
    "ParameterError",
    "ModelFitError",
    "CrmStudyWarning",
    "DataQualityWarning",
]


class CrmStudyError(ValueError):
    """Base class of all crmstudy input errors.

    Parameters
    ----------
    message : str
        What is wrong.
    file, line, row, column, entry : optional
        Where it is wrong: ``line`` is a line of a text file (1-based, header included),
        ``row`` a row label of a table (e.g. a respondent id), ``entry`` a matrix cell,
        e.g. ``("A1", "A2")``.
    hint : str, optional
        What the user should do about it.

    The parts are kept as attributes so tests and the ``crmstudy check`` command can read
    the location without parsing the message.
    """

    def __init__(self, message: str, *, file: Any = None, line: int | None = None,
                 row: Any = None, column: Any = None, entry: Any = None,
                 hint: str | None = None):
        self.problem = message
        self.file = None if file is None else str(file)
        self.line = line
        self.row = row
        self.column = column
        self.entry = entry
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        if self.entry is not None:
            entry = self.entry
            if isinstance(entry, tuple) and len(entry) == 2:
                entry = f"[{entry[0]}, {entry[1]}]"
            where.append(f"entry {entry}")
        text = self.problem.rstrip(".")
        if where:
            text = f"{', '.join(where)}: {text}"
        text += "."
        if self.hint:
            text += f"\nWhat to do: {self.hint.rstrip('.')}."
        return text


class InputDataError(CrmStudyError):
    """A data table (survey answers, statements, transactions) is malformed."""


class DatasetNotFoundError(CrmStudyError, KeyError):
    """``crmstudy.datasets.load`` was given a name that is not shipped."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.args[0] if self.args else ""


class IndicatorSystemError(CrmStudyError):
    """An indicator-system definition (YAML/CSV) is inconsistent."""


class CodebookError(CrmStudyError):
    """A survey codebook is inconsistent."""


class JudgmentMatrixError(CrmStudyError):
    """An AHP pairwise judgment matrix or judgment table is invalid."""


class WeightsError(CrmStudyError):
    """A weight vector is invalid (negative, NaN, does not sum to one, wrong labels)."""


class ParameterError(CrmStudyError):
    """A function argument, notebook parameter or configuration value is invalid."""


class ModelFitError(CrmStudyError):
    """A model could not be estimated (no convergence, singular design, too few rows)."""


class CrmStudyWarning(UserWarning):
    """Base class of crmstudy warnings."""


class DataQualityWarning(CrmStudyWarning):
    """The data can be analysed, but something in it deserves the user's attention."""
