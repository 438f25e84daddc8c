"""Parser of lavaan model syntax (the subset crmstudy's SEM estimates).

Supported (lavaan 0.6 semantics):

* ``f =~ x1 + x2 + x3``  latent variable measured by indicators (which may be latent:
  second-order factors); the first indicator's loading is fixed to 1 unless it carries a
  modifier (``NA*x1`` frees it, ``0.8*x1`` fixes it to 0.8);
* ``y ~ x1 + x2``         regression;
* ``x1 ~~ x2``            (residual) variance or covariance;
* ``name := a*b``         defined parameter, an arithmetic expression of parameter labels;
* modifiers ``1*x`` / ``0*x`` (fixed value), ``a*x`` (label; a label used twice is an
  equality constraint), ``NA*x`` (free), ``start(0.5)*x`` (starting value);
* comments after ``#`` or ``!``; statements separated by new lines or ``;``; a formula may
  continue on the next line when the line ends with ``+`` or the next starts with ``+``.

Not supported (a located :class:`~crmstudy.errors.ParameterError`): intercepts ``~ 1``,
thresholds ``|``, constraints ``==``/``<``/``>``, formative ``<~``, multiple groups ``c(...)``.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from .errors import ParameterError

__all__ = ["Statement", "Term", "parse_model"]

_NAME = re.compile(r"^[^\W\d][\w.]*$", re.UNICODE)
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class Term:
    """One right-hand-side term: variable name and its modifiers."""

    name: str
    fixed: float | None = None      # fixed value (``1*x``)
    free: bool = False              # ``NA*x``
    label: str | None = None        # ``a*x``
    start: float | None = None      # ``start(0.5)*x``


@dataclass(frozen=True)
class Statement:
    """A statement of the model: ``lhs op terms`` (or ``lhs := expression``)."""

    lhs: str
    op: str
    terms: tuple = ()
    expression: str = ""
    line: int = 0
    text: str = ""
    names: tuple = field(default=())     # labels used by a defined parameter


def _error(message: str, line: int, text: str, hint: str | None = None) -> ParameterError:
    return ParameterError(f"model syntax: {message} in `{text.strip()}`", line=line, hint=hint)


def _logical_lines(model: str):
    """Split into statements, keeping the 1-based line where each starts."""
    raw = []
    for number, line in enumerate(model.splitlines(), start=1):
        line = re.split(r"[#!]", line, maxsplit=1)[0]
        for part in line.split(";"):
            if part.strip():
                raw.append([number, part.strip()])
    merged: list[list] = []
    for number, text in raw:
        if merged and (merged[-1][1].endswith("+") or text.startswith("+")):
            merged[-1][1] = merged[-1][1] + " " + text
        else:
            merged.append([number, text])
    return merged


def _parse_term(token: str, line: int, text: str) -> Term:
    parts = [p.strip() for p in token.split("*")]
    if any(not p for p in parts):
        raise _error(f"empty term or modifier near '{token.strip()}'", line, text,
                     "write terms as 'x1 + x2' and modifiers as '0.5*x1' or 'a*x1'")
    name = parts[-1]
    if not _NAME.match(name):
        if name == "1":
            raise _error("intercepts ('~ 1') are not supported", line, text,
                         "remove the intercept line; means are saturated (FIML estimates them)")
        raise _error(f"'{name}' is not a variable name", line, text,
                     "variable names start with a letter or underscore")
    fixed, free, label, start = None, False, None, None
    for mod in parts[:-1]:
        if mod == "NA":
            free = True
        elif _NUMBER.match(mod):
            fixed = float(mod)
        elif (m := re.match(r"^start\(\s*([^)]*)\)$", mod)):
            try:
                start = float(m.group(1))
            except ValueError:
                raise _error(f"start value '{m.group(1)}' is not a number", line, text) from None
        elif _NAME.match(mod):
            label = mod
        else:
            raise _error(f"modifier '{mod}' is not a number, NA, start(...) or a label",
                         line, text)
    return Term(name=name, fixed=fixed, free=free, label=label, start=start)


_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Load,
            ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd, ast.Call)


def _expression_names(expr: str, line: int, text: str) -> tuple:
    try:
        tree = ast.parse(expr.replace("^", "**"), mode="eval")
    except SyntaxError:
        raise _error(f"'{expr}' is not an arithmetic expression", line, text) from None
    names = []
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise _error(f"'{expr}' may only use + - * / ^, numbers, labels, sqrt, exp, log",
                         line, text)
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in ("sqrt", "exp", "log", "abs")):
                raise _error(f"function in '{expr}' is not sqrt, exp, log or abs", line, text)
        elif isinstance(node, ast.Name) and node.id not in ("sqrt", "exp", "log", "abs"):
            names.append(node.id)
    return tuple(dict.fromkeys(names))


def parse_model(model: str) -> list[Statement]:
    """Parse lavaan model syntax into statements; errors quote the offending line."""
    if not isinstance(model, str) or not model.strip():
        raise ParameterError("model must be a non-empty string in lavaan syntax",
                             hint="e.g. 'f =~ x1 + x2 + x3\\ny ~ f'")
    out = []
    for line, text in _logical_lines(model):
        for bad, what in (("<~", "formative indicators '<~'"), ("==", "equality constraints '=='"),
                          ("|", "thresholds '|'"), ("c(", "multiple-group modifiers 'c(...)'")):
            if bad in text:
                raise _error(f"{what} are not supported", line, text)
        m = re.match(r"^(.*?)\s*(=~|~~|:=|~|<|>)\s*(.*)$", text)
        if not m:
            raise _error("no operator (=~, ~, ~~ or :=) found", line, text,
                         "each line is 'lhs =~ rhs', 'lhs ~ rhs', 'lhs ~~ rhs' or 'name := expression'")
        lhs, op, rhs = m.group(1).strip(), m.group(2), m.group(3).strip()
        if op in ("<", ">"):
            raise _error("inequality constraints are not supported", line, text)
        if not lhs or not _NAME.match(lhs):
            raise _error(f"left-hand side '{lhs}' is not a variable name", line, text)
        if not rhs:
            raise _error(f"nothing on the right of '{op}'", line, text)
        if op == ":=":
            out.append(Statement(lhs=lhs, op=op, expression=rhs, line=line, text=text,
                                 names=_expression_names(rhs, line, text)))
            continue
        if rhs.strip() == "1" or re.search(r"(^|\+)\s*1\s*($|\+)", rhs):
            raise _error("intercepts ('~ 1') are not supported", line, text,
                         "remove the intercept term; means are saturated (FIML estimates them)")
        merged: dict[str, Term] = {}
        for tok in rhs.split("+"):     # lavaan merges 'NA*x1 + a*x1' into one term
            t = _parse_term(tok, line, text)
            if t.name in merged:
                o = merged[t.name]
                t = Term(t.name, t.fixed if t.fixed is not None else o.fixed, t.free or o.free,
                         t.label or o.label, t.start if t.start is not None else o.start)
            merged[t.name] = t
        terms = tuple(merged.values())
        out.append(Statement(lhs=lhs, op=op, terms=terms, line=line, text=text))
    if not any(s.op != ":=" for s in out):
        raise ParameterError("model syntax: the model has no =~, ~ or ~~ statement")
    return out
