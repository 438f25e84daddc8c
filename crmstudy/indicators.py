"""Indicator systems of the field, bilingual (zh/en).

An indicator system is a tree: a goal (root), first-level indicators (criteria, 准则层) and
second-level indicators (leaves, 指标层).  Every node has a code, a name and a short explanation
in Chinese and English; leaves also carry a direction, ``"benefit"`` (higher is better, 效益型)
or ``"cost"`` (lower is better, 成本型), which the weighting methods need.

Three systems ship with crmstudy (see ``DOMAIN.md``):

* :func:`capability_system` - CRM capability, goal A, dimensions A1-A3, 17 indicators;
* :func:`performance_system` - firm performance, financial B1, customer B2, innovation B3;
* :func:`customer_value_system` - B2B customer value, C1-C4.

They are stored as YAML files in ``crmstudy/systems/`` in exactly the format a user writes for
their own system, and are read by the same loader, :func:`load_system`.

File format
-----------
YAML: a mapping with optional ``key``, ``name_zh``, ``name_en`` and a list ``indicators`` of
mappings; or CSV (UTF-8) with one row per node.  Fields of a node:

``code`` (unique), ``parent`` (empty for the root), ``name_zh``, ``name_en``,
``description_zh``, ``description_en``, ``direction`` (leaves only: benefit/cost),
optional ``formula_zh``/``formula_en``.

Examples
--------
>>> from crmstudy.indicators import capability_system
>>> system = capability_system()
>>> system.children("A")
['A1', 'A2', 'A3']
>>> len(system.leaves())
17
>>> system.label("A12", lang="en")
'Golden-customer identification'
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd
import yaml

from .errors import IndicatorSystemError, ParameterError

__all__ = [
    "Indicator",
    "IndicatorSystem",
    "capability_system",
    "performance_system",
    "customer_value_system",
    "load_system",
    "capability_framework",
    "DIRECTIONS",
    "LANGS",
]

DIRECTIONS = ("benefit", "cost")
LANGS = ("zh", "en")
_FIELDS = ("code", "parent", "name_zh", "name_en", "description_zh", "description_en",
           "direction", "formula_zh", "formula_en")
_REQUIRED = ("code", "name_zh", "name_en")
_SYSTEMS_DIR = Path(__file__).resolve().parent / "systems"
_HEADERS = {
    "level": {"zh": "层次", "en": "Level"}, "code": {"zh": "编码", "en": "Code"},
    "name": {"zh": "名称", "en": "Name"}, "direction": {"zh": "方向", "en": "Direction"},
    "description": {"zh": "说明", "en": "Explanation"}, "formula": {"zh": "公式", "en": "Formula"},
    "benefit": {"zh": "效益型（越大越好）", "en": "benefit (higher is better)"},
    "cost": {"zh": "成本型（越小越好）", "en": "cost (lower is better)"},
}
_LEVEL_NAMES = ({"zh": "目标层", "en": "goal"}, {"zh": "准则层", "en": "criterion"},
                {"zh": "指标层", "en": "indicator"})


def check_lang(lang: str) -> str:
    """Validate a ``lang`` argument ("zh" or "en") and return it."""
    if lang not in LANGS:
        raise ParameterError(f"unknown language {lang!r}", hint='use lang="zh" or lang="en"')
    return lang


@dataclass(frozen=True)
class Indicator:
    """One node of an indicator system."""

    code: str
    name_zh: str
    name_en: str
    parent: str | None = None
    description_zh: str = ""
    description_en: str = ""
    direction: str | None = None
    formula_zh: str = ""
    formula_en: str = ""

    def name(self, lang: str = "zh") -> str:
        return self.name_zh if check_lang(lang) == "zh" else self.name_en

    def description(self, lang: str = "zh") -> str:
        return self.description_zh if check_lang(lang) == "zh" else self.description_en


class IndicatorSystem:
    """A validated tree of :class:`Indicator` nodes.

    Build one with :func:`load_system` or :meth:`from_records`; the constructor validates:
    unique codes, exactly one root, every parent exists, no cycles, zh and en names present,
    and a benefit/cost direction on every leaf.  Node order is the order of the input, so
    ``leaves()`` returns the codes in the order a questionnaire lists them.
    """

    def __init__(self, nodes: Iterable[Indicator], *, key: str = "custom",
                 name_zh: str = "", name_en: str = "", source: str | None = None,
                 lines: Mapping[str, int] | None = None):
        self.key = key
        self.name_zh = name_zh
        self.name_en = name_en
        self.source = source
        self._nodes: dict[str, Indicator] = {}
        lines = dict(lines or {})
        for node in nodes:
            if node.code in self._nodes:
                raise IndicatorSystemError(
                    f"duplicate indicator code {node.code!r}", file=source,
                    line=_line(lines, node.code, last=True),
                    hint="give every indicator a unique code")
            self._nodes[node.code] = node
        self._lines = lines
        self._children: dict[str, list[str]] = {code: [] for code in self._nodes}
        self._validate()

    # -- validation -------------------------------------------------------------------
    def _error(self, message: str, code: str, hint: str) -> IndicatorSystemError:
        return IndicatorSystemError(f"indicator {code!r}: {message}", file=self.source,
                                    line=_line(self._lines, code), hint=hint)

    def _validate(self) -> None:
        if not self._nodes:
            raise IndicatorSystemError("the indicator system is empty", file=self.source,
                                       hint="list at least a goal and one indicator")
        roots = [n.code for n in self._nodes.values() if n.parent is None]
        for node in self._nodes.values():
            for fld in ("name_zh", "name_en"):
                if not str(getattr(node, fld) or "").strip():
                    raise self._error(f"{fld} is missing", node.code,
                                      "give every indicator a Chinese and an English name")
            if node.parent is not None:
                if node.parent not in self._nodes:
                    raise self._error(f"parent {node.parent!r} does not exist", node.code,
                                      "correct the parent code or add the parent indicator")
                self._children[node.parent].append(node.code)
        if len(roots) != 1:
            code = roots[1] if roots else next(iter(self._nodes))
            raise self._error(
                f"an indicator system needs exactly one goal (root) but has {len(roots)}"
                + (f": {', '.join(roots)}" if roots else " (every node has a parent: a cycle)"),
                code, "leave the parent empty for the goal only and give every other node a parent")
        self.root = roots[0]
        reachable = set(self._walk(self.root))
        for code in self._nodes:  # nodes not reachable from the root sit on a cycle
            if code not in reachable:
                raise self._error("its parent chain forms a cycle", code,
                                  "make every parent chain end at the goal")
        for node in self._nodes.values():
            is_leaf = not self._children[node.code]
            if is_leaf and node.code != self.root:
                if node.direction not in DIRECTIONS:
                    raise self._error(
                        f"direction is {node.direction!r}", node.code,
                        'give every leaf indicator a direction "benefit" or "cost"')
            elif node.direction is not None:
                raise self._error("only leaf indicators take a direction", node.code,
                                  "remove the direction of this parent indicator")

    def _walk(self, code: str) -> list[str]:
        out, stack = [], [code]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(reversed(self._children[current]))
        return out

    # -- constructors -----------------------------------------------------------------
    @classmethod
    def from_records(cls, records: Iterable[Mapping], **kwargs) -> "IndicatorSystem":
        """Build from dict-like records with the fields of the file format."""
        nodes = []
        lines = kwargs.pop("lines", None) or {}
        source = kwargs.get("source")
        for i, record in enumerate(records):
            unknown = set(record) - set(_FIELDS)
            code = _clean(record.get("code"))
            if unknown:
                raise IndicatorSystemError(
                    f"unknown field(s) {', '.join(sorted(unknown))}", file=source,
                    line=lines.get(("#", i)),
                    hint=f"use only the fields {', '.join(_FIELDS)}")
            if code is None:
                raise IndicatorSystemError("an indicator has no code", file=source,
                                           line=lines.get(("#", i)),
                                           hint="give every indicator a code")
            values = {f: _clean(record.get(f)) for f in _FIELDS}
            nodes.append(Indicator(
                code=code, parent=values["parent"],
                name_zh=values["name_zh"] or "", name_en=values["name_en"] or "",
                description_zh=values["description_zh"] or "",
                description_en=values["description_en"] or "",
                direction=values["direction"].lower() if values["direction"] else None,
                formula_zh=values["formula_zh"] or "", formula_en=values["formula_en"] or ""))
            if ("#", i) in lines and code not in lines:
                lines[code] = lines[("#", i)]
            elif ("#", i) in lines:  # duplicate code: remember the later line too
                lines[(code, "dup")] = lines[("#", i)]
        return cls(nodes, lines=lines, **kwargs)

    # -- structure --------------------------------------------------------------------
    def __getitem__(self, code: str) -> Indicator:
        try:
            return self._nodes[code]
        except KeyError:
            raise IndicatorSystemError(f"no indicator with code {code!r} in {self.key}",
                                       hint=f"use one of {', '.join(self._nodes)}") from None

    def __contains__(self, code: object) -> bool:
        return code in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def __iter__(self):
        return iter(self._nodes.values())

    def __repr__(self) -> str:
        return (f"IndicatorSystem({self.key!r}: {len(self.children(self.root))} dimensions, "
                f"{len(self.leaves())} indicators)")

    @property
    def codes(self) -> list[str]:
        """All codes in tree order (pre-order: goal, dimension, its indicators, ...)."""
        return self._walk(self.root)

    def children(self, code: str) -> list[str]:
        self[code]
        return list(self._children[code])

    def parent(self, code: str) -> str | None:
        return self[code].parent

    def is_leaf(self, code: str) -> bool:
        return not self.children(code)

    def leaves(self, under: str | None = None) -> list[str]:
        """Leaf codes in tree order, optionally only those below ``under``."""
        return [c for c in self._walk(under or self.root) if not self._children[c]]

    def dimensions(self) -> list[str]:
        """The first-level indicators (children of the goal)."""
        return self.children(self.root)

    def level(self, code: str) -> int:
        """Depth of a node: 0 for the goal, 1 for dimensions, ..."""
        depth, current = 0, self[code]
        while current.parent is not None:
            depth, current = depth + 1, self._nodes[current.parent]
        return depth

    def dimension_of(self, code: str) -> str:
        """The first-level ancestor of ``code``."""
        current = self[code]
        if current.parent is None:
            raise IndicatorSystemError(f"{code!r} is the goal and has no dimension")
        while current.parent != self.root:
            current = self._nodes[current.parent]
        return current.code

    def leaf_dimensions(self) -> pd.Series:
        """Series mapping each leaf code to its first-level indicator."""
        leaves = self.leaves()
        return pd.Series([self.dimension_of(c) for c in leaves], index=pd.Index(leaves, name="code"),
                         name="dimension")

    def directions(self) -> dict[str, str]:
        """Mapping leaf code -> "benefit"/"cost" (the form the weighting functions take)."""
        return {c: self._nodes[c].direction for c in self.leaves()}

    # -- labels and tables ------------------------------------------------------------
    def label(self, code: str, lang: str = "zh", with_code: bool = False) -> str:
        name = self[code].name(lang)
        return f"{code} {name}" if with_code else name

    def labels(self, lang: str = "zh", with_code: bool = False) -> dict[str, str]:
        """Mapping code -> name, e.g. to rename columns: ``df.rename(columns=s.labels("zh"))``."""
        return {c: self.label(c, lang, with_code) for c in self.codes}

    def title(self, lang: str = "zh") -> str:
        return self.name_zh if check_lang(lang) == "zh" else self.name_en

    def to_frame(self, lang: str = "zh") -> pd.DataFrame:
        """Tidy table, one row per node in tree order.

        Parameters
        ----------
        lang : {"zh", "en", "both"}
            Language of the ``name``, ``description`` and ``formula`` columns; ``"both"``
            gives ``name_zh``, ``name_en``, ... instead.

        Returns
        -------
        DataFrame with columns ``code``, ``parent``, ``level``, ``dimension``, ``is_leaf``,
        ``direction`` and the text columns.
        """
        if lang != "both":
            check_lang(lang)
        rows = []
        for code in self.codes:
            node = self._nodes[code]
            row = {"code": code, "parent": node.parent, "level": self.level(code),
                   "dimension": None if code == self.root else self.dimension_of(code),
                   "is_leaf": self.is_leaf(code), "direction": node.direction}
            langs = LANGS if lang == "both" else (lang,)
            for lg in langs:
                suffix = f"_{lg}" if lang == "both" else ""
                row[f"name{suffix}"] = node.name(lg)
                row[f"description{suffix}"] = node.description(lg)
                row[f"formula{suffix}"] = node.formula_zh if lg == "zh" else node.formula_en
            rows.append(row)
        frame = pd.DataFrame(rows)
        return frame.astype({"level": "int64", "is_leaf": "bool"})

    def table(self, lang: str = "zh") -> pd.DataFrame:
        """Display table for a report: localised headers, one row per node, indented names.

        Use :meth:`to_frame` for analysis; this is for showing the system to readers.
        """
        frame = self.to_frame(lang)
        direction = {"benefit": _HEADERS["benefit"][lang], "cost": _HEADERS["cost"][lang]}
        shown = pd.DataFrame({
            _HEADERS["level"][lang]: frame["level"].map(lambda v: _LEVEL_NAMES[min(v, 2)][lang]),
            _HEADERS["code"][lang]: frame["code"],
            _HEADERS["name"][lang]: frame["name"],
            _HEADERS["direction"][lang]: frame["direction"].map(direction).fillna(""),
            _HEADERS["description"][lang]: frame["description"],
        })
        if frame["formula"].astype(bool).any():
            shown[_HEADERS["formula"][lang]] = frame["formula"]
        return shown

    def to_records(self) -> list[dict]:
        """Records in the file format (what :func:`load_system` reads)."""
        out = []
        for code in self.codes:
            node = self._nodes[code]
            rec = {f: getattr(node, f) for f in _FIELDS}
            out.append({k: v for k, v in rec.items() if v not in (None, "")})
        return out

    def tree_text(self, lang: str = "zh") -> str:
        """Plain-text tree, for printing in a notebook or terminal."""
        lines = []
        for code in self.codes:
            depth = self.level(code)
            node = self._nodes[code]
            mark = f" [{node.direction}]" if node.direction else ""
            lines.append(f"{'    ' * depth}{code} {node.name(lang)}{mark}")
        return "\n".join(lines)

    def plot(self, lang: str = "zh", kind: str = "tree", ax=None):
        """Draw the system as a tree (goal left, indicators right) or a sunburst.

        Thin wrapper around :func:`crmstudy.plotting.indicator_tree`.
        """
        from .plotting import indicator_tree  # plotting is optional at import time

        return indicator_tree(self, lang=lang, kind=kind, ax=ax)


# -- loading ------------------------------------------------------------------------------
def _clean(value):
    """Empty strings, NaN and None all mean "not given"."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    text = str(value).strip()
    return text or None


def _line(lines: Mapping, code: str, last: bool = False):
    if last and (code, "dup") in lines:
        return lines[(code, "dup")]
    return lines.get(code)


def load_system(path: str | Path) -> IndicatorSystem:
    """Load an indicator system from a YAML or CSV file.

    Parameters
    ----------
    path : str or Path
        ``.yaml``/``.yml`` or ``.csv`` file in the format described in this module's
        docstring.  The file is only read.

    Raises
    ------
    IndicatorSystemError
        With the file name and line of the offending node for a duplicate code, a parent
        that does not exist, a cycle, a missing name, or a leaf without direction.
    """
    path = Path(path)
    if not path.is_file():
        raise IndicatorSystemError("file not found", file=path,
                                   hint="check the path of the indicator-system file")
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _load_yaml(path)
    if suffix == ".csv":
        return _load_csv(path)
    raise IndicatorSystemError(f"unsupported file type {suffix!r}", file=path,
                               hint="save the indicator system as .yaml or .csv")


def _load_yaml(path: Path) -> IndicatorSystem:
    text = path.read_text(encoding="utf-8")
    try:
        document = yaml.safe_load(text)
        tree = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise IndicatorSystemError(f"not valid YAML ({getattr(exc, 'problem', exc)})", file=path,
                                   line=None if mark is None else mark.line + 1,
                                   hint="fix the YAML syntax") from None
    if isinstance(document, list):
        document, items_node = {"indicators": document}, tree
    elif isinstance(document, dict) and isinstance(document.get("indicators"), list):
        items_node = next(v for k, v in tree.value if k.value == "indicators")
        unknown = set(document) - {"key", "name_zh", "name_en", "indicators"}
        if unknown:
            raise IndicatorSystemError(
                f"unknown top-level key(s) {', '.join(sorted(unknown))}", file=path,
                hint="use only key, name_zh, name_en and indicators")
    else:
        raise IndicatorSystemError("expected a list 'indicators' of indicator entries", file=path,
                                   hint="see the format in help(crmstudy.indicators)")
    records = document["indicators"]
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            raise IndicatorSystemError("entry is not a mapping of fields", file=path,
                                       line=items_node.value[i].start_mark.line + 1,
                                       hint="write each indicator as code: ..., name_zh: ...")
    lines = {("#", i): node.start_mark.line + 1 for i, node in enumerate(items_node.value)}
    return IndicatorSystem.from_records(
        records, key=str(document.get("key", path.stem)), name_zh=document.get("name_zh", ""),
        name_en=document.get("name_en", ""), source=str(path), lines=lines)


def _load_csv(path: Path) -> IndicatorSystem:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError:
        raise IndicatorSystemError(
            "the file is not UTF-8 (Excel on Chinese Windows saves CSV as GBK)", file=path,
            hint="save it as 'CSV UTF-8' in Excel, or convert it with iconv -f GBK -t UTF-8") from None
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise IndicatorSystemError(f"missing column(s) {', '.join(missing)}", file=path,
                                   hint=f"the header needs {', '.join(_FIELDS)}")
    records = frame.to_dict("records")
    lines = {("#", i): i + 2 for i in range(len(records))}  # line 1 is the header
    return IndicatorSystem.from_records(records, key=path.stem, source=str(path), lines=lines)


def _shipped(name: str) -> IndicatorSystem:
    return load_system(_SYSTEMS_DIR / f"{name}.yaml")


def capability_system() -> IndicatorSystem:
    """CRM capability system: goal A, dimensions A1-A3, 17 indicators (A11-A36)."""
    return _shipped("capability")


def performance_system() -> IndicatorSystem:
    """Firm performance: financial (B11-B17), customer (B21-B25), innovation (B31-B34)."""
    return _shipped("performance")


def customer_value_system() -> IndicatorSystem:
    """B2B customer value: contribution C1, loyalty C2, potential C3, company strength C4."""
    return _shipped("customer_value")


def capability_framework(lang: str = "zh") -> pd.DataFrame:
    """The CRM capability analysis framework as a table.

    Basic activities (基本活动: customer insight → creating and delivering customer value →
    managing the relationship lifecycle → customer profitability) and the support activities
    that influence capability (支持活动/影响因素: IT, leadership, culture, HRM, organisational
    design, supply-chain partners), with the indicator code each basic activity is measured by.

    Returns
    -------
    DataFrame with columns ``activity`` (basic/support), ``code``, ``name``, ``indicator``,
    ``description`` in ``lang``.
    """
    check_lang(lang)
    document = yaml.safe_load((_SYSTEMS_DIR / "framework.yaml").read_text(encoding="utf-8"))
    rows = [{"activity": kind, "code": item["code"], "name": item[f"name_{lang}"],
             "indicator": item.get("indicator"), "description": item[f"description_{lang}"]}
            for kind in ("basic", "support") for item in document[kind]]
    return pd.DataFrame(rows)
