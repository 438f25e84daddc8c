"""Survey codebook: which item measures which construct, on which scale, with which codes.

A codebook has one row per questionnaire item:

========================  ==============================================================
column                    meaning
========================  ==============================================================
``item``                  item id, the column name in the response table (unique)
``construct``             construct (scale) the item measures, e.g. ``A1``
``text_zh``, ``text_en``  item wording (optional)
``min``, ``max``          lowest and highest scale point (e.g. 1 and 7); ``min < max``
``reverse``               reverse-keyed item (true/false, 1/0, yes/no, 是/否)
``missing_codes``         codes that mean "no answer", separated by ``;`` (e.g. ``99;-9``)
``construct_zh``,         construct names (optional; the same for every item of a construct)
``construct_en``
========================  ==============================================================

It is read from CSV (UTF-8) or YAML.  The YAML form is a mapping with ``items`` (a list of
mappings with the columns above) and optionally ``constructs`` (a mapping construct ->
``{zh: ..., en: ...}``); when ``constructs`` is given, every item must name one of them.

Examples
--------
>>> from crmstudy import datasets
>>> from crmstudy.measurement import Codebook
>>> book = Codebook.from_source("crm_codebook")      # doctest: +SKIP
>>> book.model["ED"]                                                # doctest: +SKIP
['ED1', 'ED2', 'ED3', 'ED4']
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import yaml

from ..errors import CodebookError, ParameterError

__all__ = ["Codebook", "CODEBOOK_COLUMNS"]

CODEBOOK_COLUMNS = ("item", "construct", "text_zh", "text_en", "min", "max", "reverse",
                    "missing_codes", "construct_zh", "construct_en")
_REQUIRED = ("item", "construct", "min", "max")
_TRUE = {"true", "1", "yes", "y", "t", "是", "r", "reverse", "1.0"}
_FALSE = {"false", "0", "no", "n", "f", "否", "", "nan", "none", "0.0"}


@dataclass(frozen=True)
class Codebook:
    """A validated codebook.

    Attributes
    ----------
    table : DataFrame
        One row per item (columns :data:`CODEBOOK_COLUMNS`), in questionnaire order;
        ``missing_codes`` holds a tuple of floats, ``reverse`` a bool.
    source : str or None
        File the codebook was read from (for error messages).
    """

    table: pd.DataFrame
    source: str | None = None

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, file: Any = None) -> "Codebook":
        """Validate a codebook table (see the module docstring for the columns).

        Errors name the line of the file (header = line 1) when ``file`` is given, otherwise
        the row label of ``frame``.

        Raises
        ------
        CodebookError
            Missing column, empty or duplicate item id, empty construct, non-numeric or
            inverted scale (``min >= max``), unreadable reverse flag or missing code, or a
            construct with fewer than 2 items.
        """
        if not isinstance(frame, pd.DataFrame):
            raise CodebookError(f"a codebook must be a DataFrame, got {type(frame).__name__}",
                                file=file, hint="use Codebook.from_file(path) for a file")
        frame = frame.rename(columns=lambda c: str(c).strip())
        missing = [c for c in _REQUIRED if c not in frame.columns]
        if missing:
            raise CodebookError(f"the codebook lacks the column(s) {missing}", file=file,
                                hint=f"a codebook needs the columns {list(_REQUIRED)}; optional: "
                                     f"{[c for c in CODEBOOK_COLUMNS if c not in _REQUIRED]}")
        if frame.empty:
            raise CodebookError("the codebook has no items", file=file)

        def where(i: int):  # line number in a file (header is line 1), else the row label
            return f"line {i + 2}" if file is not None else frame.index[i]

        rows = []
        seen: dict[str, int] = {}
        for i, rec in enumerate(frame.to_dict("records")):
            item = _text(rec.get("item"))
            construct = _text(rec.get("construct"))
            if not item:
                raise CodebookError("empty item id", file=file, row=where(i), column="item")
            if item in seen:
                raise CodebookError(f"item {item!r} is listed twice (also on "
                                    f"{where(seen[item])})", file=file, row=where(i),
                                    column="item", hint="give every item a unique id")
            seen[item] = i
            if not construct:
                raise CodebookError(f"item {item!r} has no construct", file=file, row=where(i),
                                    column="construct")
            lo, hi = (_number(rec.get(c), file, where(i), c, item) for c in ("min", "max"))
            if not lo < hi:
                raise CodebookError(f"item {item!r}: scale minimum {lo:g} is not below the "
                                    f"maximum {hi:g}", file=file, row=where(i), column="min",
                                    hint="write the lowest scale point in min and the highest in max")
            rows.append({
                "item": item, "construct": construct,
                "text_zh": _text(rec.get("text_zh")), "text_en": _text(rec.get("text_en")),
                "min": lo, "max": hi,
                "reverse": _flag(rec.get("reverse", False), file, where(i), item),
                "missing_codes": _codes(rec.get("missing_codes"), file, where(i), item),
                "construct_zh": _text(rec.get("construct_zh")) or construct,
                "construct_en": _text(rec.get("construct_en")) or construct,
            })
        table = pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS))
        counts = table.groupby("construct", sort=False)["item"].count()
        small = counts[counts < 2]
        if len(small):
            construct = small.index[0]
            line = where(int(np.flatnonzero(table["construct"].to_numpy() == construct)[0]))
            raise CodebookError(f"construct {construct!r} has only {int(small.iloc[0])} item; "
                                "reliability and factor analysis need at least 2",
                                file=file, row=line, column="construct",
                                hint="add items to the construct or analyse the item on its own")
        return cls(table=table, source=None if file is None else str(file))

    @classmethod
    def from_file(cls, path: str | Path) -> "Codebook":
        """Read and validate a codebook from a ``.csv`` (UTF-8) or ``.yaml``/``.yml`` file."""
        file = Path(path).expanduser()
        if not file.is_file():
            raise CodebookError("no such codebook file", file=file,
                                hint="give the path of a .csv or .yaml codebook")
        suffix = file.suffix.lower()
        if suffix == ".csv":
            try:
                frame = pd.read_csv(file, encoding="utf-8-sig", dtype=str, keep_default_na=False)
            except UnicodeDecodeError:
                raise CodebookError(
                    "the file is not UTF-8 (Excel on Chinese Windows saves CSV as GBK)", file=file,
                    hint="save it as 'CSV UTF-8' in Excel, or convert it with iconv -f GBK -t UTF-8"
                ) from None
            except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
                raise CodebookError(f"the file cannot be read as a CSV table ({exc})",
                                    file=file, hint="save the codebook as 'CSV UTF-8'") from None
            return cls.from_frame(frame, file=file)
        if suffix in (".yaml", ".yml"):
            try:
                doc = yaml.safe_load(file.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise CodebookError(f"invalid YAML ({exc})", file=file) from None
            return cls._from_yaml_doc(doc, file)
        raise CodebookError(f"unsupported codebook file type {suffix!r}", file=file,
                            hint="use a .csv or .yaml file")

    @classmethod
    def from_source(cls, source: str | Path) -> "Codebook":
        """A shipped data-set name (e.g. ``"crm_codebook"``) or a codebook file path.

        The shipped codebook is read from its CSV file with :meth:`from_file`, like a
        user's, so notebooks take either kind of source as one string parameter.
        """
        from .. import datasets

        text = str(source)
        if text in set(datasets.list_datasets()["name"]):
            return cls.from_file(datasets.path(text))
        return cls.from_file(source)

    @classmethod
    def _from_yaml_doc(cls, doc: Any, file: Path) -> "Codebook":
        if isinstance(doc, list):
            doc = {"items": doc}
        if not isinstance(doc, Mapping) or not isinstance(doc.get("items"), list):
            raise CodebookError("a YAML codebook must be a mapping with a list 'items'", file=file)
        labels = doc.get("constructs") or {}
        if not isinstance(labels, Mapping):
            raise CodebookError("'constructs' must map a construct to {zh: ..., en: ...}", file=file)
        records = []
        for i, entry in enumerate(doc["items"]):
            if not isinstance(entry, Mapping):
                raise CodebookError(f"entry {i + 1} of 'items' is not a mapping", file=file,
                                    row=f"item {i + 1}")
            entry = dict(entry)
            construct = _text(entry.get("construct"))
            if labels:
                if construct not in labels:
                    raise CodebookError(
                        f"item {entry.get('item')!r} names the unknown construct {construct!r}",
                        file=file, row=f"item {i + 1}", column="construct",
                        hint=f"use one of {list(labels)} or add it under 'constructs'")
                lab = labels[construct] or {}
                entry.setdefault("construct_zh", lab.get("zh", ""))
                entry.setdefault("construct_en", lab.get("en", ""))
            if isinstance(entry.get("missing_codes"), list):
                entry["missing_codes"] = ";".join(str(c) for c in entry["missing_codes"])
            records.append(entry)
        frame = pd.DataFrame(records, index=[f"item {i + 1}" for i in range(len(records))])
        try:
            return cls.from_frame(frame)
        except CodebookError as exc:  # re-raise naming the file (rows are "item i" entries)
            raise CodebookError(exc.problem, file=file, row=exc.row, column=exc.column,
                                hint=exc.hint) from None

    # ------------------------------------------------------------------ access
    @property
    def items(self) -> list[str]:
        """Item ids in questionnaire order."""
        return self.table["item"].tolist()

    @property
    def constructs(self) -> list[str]:
        """Construct ids in order of first appearance."""
        return list(dict.fromkeys(self.table["construct"]))

    @property
    def model(self) -> dict[str, list[str]]:
        """Construct -> list of its items (the measurement model for :func:`cfa`)."""
        return {c: self.items_of(c) for c in self.constructs}

    @property
    def reverse_items(self) -> list[str]:
        return self.table.loc[self.table["reverse"], "item"].tolist()

    def items_of(self, construct: str) -> list[str]:
        if construct not in self.constructs:
            raise ParameterError(f"unknown construct {construct!r}",
                                 hint=f"use one of {self.constructs}")
        return self.table.loc[self.table["construct"] == construct, "item"].tolist()

    def construct_of(self, item: str) -> str:
        return self.table.set_index("item").loc[item, "construct"]

    def construct_label(self, construct: str, lang: str = "zh") -> str:
        """Name of a construct in ``lang`` ("zh" or "en")."""
        column = {"zh": "construct_zh", "en": "construct_en"}.get(lang)
        if column is None:
            raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
        rows = self.table.loc[self.table["construct"] == construct, column]
        if rows.empty:
            raise ParameterError(f"unknown construct {construct!r}", hint=f"use one of {self.constructs}")
        return rows.iloc[0]

    def item_text(self, item: str, lang: str = "zh") -> str:
        column = {"zh": "text_zh", "en": "text_en"}.get(lang)
        if column is None:
            raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
        return self.table.set_index("item").loc[item, column] or item

    def subset(self, constructs) -> "Codebook":
        """The codebook of some constructs only (e.g. ``["A1", "A2", "A3"]``)."""
        constructs = [constructs] if isinstance(constructs, str) else list(constructs)
        unknown = [c for c in constructs if c not in self.constructs]
        if unknown:
            raise ParameterError(f"unknown construct(s) {unknown}", hint=f"use some of {self.constructs}")
        table = self.table[self.table["construct"].isin(constructs)].reset_index(drop=True)
        return Codebook(table=table, source=self.source)

    def to_frame(self) -> pd.DataFrame:
        """The codebook as a table again (missing codes joined by ``;``), e.g. to save as CSV."""
        out = self.table.copy()
        out["missing_codes"] = out["missing_codes"].map(lambda t: ";".join(f"{c:g}" for c in t))
        return out

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        parts = ", ".join(f"{c}:{len(i)}" for c, i in self.model.items())
        return f"Codebook({len(self)} items; {parts})"


# ---------------------------------------------------------------------- cell parsers
def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def _number(value: Any, file, row, column, item) -> float:
    try:
        number = float(_text(value))
    except ValueError:
        number = np.nan
    if not np.isfinite(number):
        raise CodebookError(f"item {item!r}: {column} must be a number, got {value!r}",
                            file=file, row=row, column=column)
    return number


def _flag(value: Any, file, row, item) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CodebookError(f"item {item!r}: reverse must be true/false, got {value!r}", file=file,
                        row=row, column="reverse", hint="write true (reverse-keyed) or false")


def _codes(value: Any, file, row, item) -> tuple[float, ...]:
    if isinstance(value, (list, tuple)):
        parts = [str(v) for v in value]
    else:
        text = _text(value)
        if text.endswith(".0") and ";" not in text:  # a single numeric code read as float
            text = text[:-2]
        parts = [p for p in text.replace(",", ";").split(";") if p.strip()]
    codes = []
    for part in parts:
        try:
            codes.append(float(part))
        except ValueError:
            raise CodebookError(f"item {item!r}: missing code {part.strip()!r} is not a number",
                                file=file, row=row, column="missing_codes",
                                hint="list numeric codes separated by ';', e.g. 99;-9") from None
    return tuple(codes)
