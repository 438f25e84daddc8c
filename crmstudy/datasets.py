"""Sample data sets shipped with crmstudy.

Every data set lives in a folder of the project's ``data/`` directory with a ``README.md``
(source, licence, columns with units, how it was made) and a ``datasets.yaml`` that
describes how to read each file: its format, column names, dtypes and date columns.  The
registry is those YAML files, so adding a data set never means editing this module.

In a wheel the folder is installed as ``crmstudy/_data``; in a source checkout it is the
top-level ``data/``.  Either way :func:`load` finds it from any working directory.

Examples
--------
>>> from crmstudy import datasets
>>> datasets.list_datasets()[["name", "rows"]].head()        # doctest: +SKIP
>>> cdnow = datasets.load("cdnow")
>>> cdnow.dtypes["date"]
dtype('<M8[us]')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from .errors import DatasetNotFoundError, InputDataError

__all__ = ["list_datasets", "load", "path", "read_table", "data_dir", "DatasetSpec"]

_FORMATS = {"csv", "whitespace", "yaml"}


def data_dir() -> Path:
    """The folder holding the shipped data sets (wheel layout first, then source checkout)."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_data", package.parent / "data"):
        if candidate.is_dir() and any(candidate.glob("*/datasets.yaml")):
            return candidate
    raise InputDataError(
        f"the sample data folder is missing (looked in {package / '_data'} and "
        f"{package.parent / 'data'})",
        hint="reinstall crmstudy with `pip install crmstudy` or run from a full source checkout")


@dataclass(frozen=True)
class DatasetSpec:
    """How to read one shipped data set (one entry of a ``datasets.yaml``)."""

    name: str
    folder: Path
    file: str
    description: str
    description_zh: str = ""
    source: str = ""
    kind: str = "simulated"          # "real" or "simulated"
    licence: str = ""
    format: str = "csv"
    header: bool = True
    columns: tuple[str, ...] = ()
    dtypes: dict = field(default_factory=dict)
    parse_dates: dict = field(default_factory=dict)
    index_col: str | None = None
    rows: int | None = None

    @property
    def path(self) -> Path:
        return self.folder / self.file


@lru_cache(maxsize=1)
def _registry() -> dict[str, DatasetSpec]:
    specs: dict[str, DatasetSpec] = {}
    for yml in sorted(data_dir().glob("*/datasets.yaml")):
        entries = yaml.safe_load(yml.read_text(encoding="utf-8")) or []
        for i, entry in enumerate(entries):
            try:
                spec = DatasetSpec(folder=yml.parent,
                                   columns=tuple(entry.pop("columns", ())), **entry)
            except TypeError as exc:  # unknown or missing key in the registry file
                raise InputDataError(f"dataset entry {i + 1} is malformed ({exc})",
                                     file=yml) from None
            if spec.format not in _FORMATS:
                raise InputDataError(f"unknown format {spec.format!r} of data set {spec.name!r}",
                                     file=yml, hint=f"use one of {sorted(_FORMATS)}")
            if spec.name in specs:
                raise InputDataError(f"data set name {spec.name!r} is defined twice", file=yml)
            specs[spec.name] = spec
    return specs


def _spec(name: str) -> DatasetSpec:
    registry = _registry()
    if name not in registry:
        raise DatasetNotFoundError(
            f"no data set named {name!r}",
            hint=f"use one of {', '.join(sorted(registry))} (see crmstudy.datasets.list_datasets())")
    return registry[name]


def list_datasets() -> pd.DataFrame:
    """Tidy table of the shipped data sets.

    Returns
    -------
    DataFrame
        One row per data set with columns ``name``, ``description``, ``description_zh``,
        ``rows``, ``kind`` (real or simulated), ``source``, ``licence`` and ``file``.
    """
    rows = [{"name": s.name, "description": s.description, "description_zh": s.description_zh,
             "rows": s.rows, "kind": s.kind, "source": s.source, "licence": s.licence,
             "file": f"{s.folder.name}/{s.file}"}
            for s in _registry().values()]
    table = pd.DataFrame(rows).sort_values("name", ignore_index=True)
    return table.astype({"rows": "Int64"})


def path(name: str) -> Path:
    """Path of the file behind data set ``name`` (read it, never write to it)."""
    return _spec(name).path


def load(name: str) -> pd.DataFrame | dict:
    """Load a shipped data set with proper dtypes.

    Parameters
    ----------
    name : str
        One of the names in :func:`list_datasets`.

    Returns
    -------
    DataFrame
        Identifier columns as strings, dates as ``datetime64``, categories as ``category``.
        A data set stored as YAML (e.g. a parameter file) is returned as a dict.

    Raises
    ------
    DatasetNotFoundError
        If ``name`` is not a shipped data set.
    """
    spec = _spec(name)
    if spec.format == "yaml":
        return yaml.safe_load(spec.path.read_text(encoding="utf-8"))
    # Read everything that has a declared dtype as text first, so ids such as "00001"
    # keep their leading zeros, then convert.
    as_text = list(spec.dtypes) + list(spec.parse_dates)
    read_kw = dict(dtype={c: "string" for c in as_text}, keep_default_na=True)
    if spec.columns:
        read_kw.update(names=list(spec.columns), header=0 if spec.header else None)
    if spec.format == "whitespace":
        frame = pd.read_csv(spec.path, sep=r"\s+", **read_kw)
    else:
        frame = pd.read_csv(spec.path, encoding="utf-8", **read_kw)
    for column, dtype in spec.dtypes.items():
        if dtype == "bool":
            # astype(bool) on text would make "False" True: map the spellings explicitly
            text = frame[column].str.strip().str.lower()
            mapped = text.map({"true": True, "false": False, "1": True, "0": False})
            if mapped.isna().any():
                bad = frame.loc[mapped.isna(), column].iloc[0]
                raise InputDataError(f"value {bad!r} is not a boolean", file=spec.path,
                                     column=column, hint="write True or False")
            frame[column] = mapped.astype(bool)
        elif dtype != "string":
            frame[column] = frame[column].astype(dtype)
    for column, fmt in spec.parse_dates.items():
        frame[column] = pd.to_datetime(frame[column], format=fmt)
    if spec.index_col:
        frame = frame.set_index(spec.index_col)
    return frame


def read_table(source: str | Path, *, what: str = "input table", **read_kw) -> pd.DataFrame:
    """Read a notebook input: a shipped data set name, or a CSV/Excel file of the user's.

    This is the one place where chapters read tables, so every notebook accepts the same
    kinds of input and gives the same errors.  The file is only read, never written.

    Parameters
    ----------
    source : str or Path
        A name from :func:`list_datasets` (e.g. ``"crm_survey"``) or a path to a ``.csv``
        (UTF-8; a GBK file from Excel is recognised and read, with a warning), ``.xlsx`` or
        ``.txt`` (whitespace separated) file; a ``.yaml`` file (a parameter set such as a
        simulation truth) is returned as a dict, as :func:`load` does for shipped YAML.
    what : str
        What the table is, for error messages ("survey responses", ...).
    **read_kw
        Passed to :func:`pandas.read_csv` / :func:`pandas.read_excel` (e.g. ``dtype``).
    """
    import warnings

    from .errors import DataQualityWarning

    text = str(source)
    if text in _registry():
        return load(text)
    file = Path(source).expanduser()
    if not file.is_file():
        raise InputDataError(
            f"{what}: no such file, and not the name of a shipped data set", file=file,
            hint=f"give a path to a CSV/Excel file or one of {', '.join(sorted(_registry()))}")
    suffix = file.suffix.lower()
    try:
        if suffix in (".xlsx", ".xls"):
            return pd.read_excel(file, **read_kw)
        if suffix == ".txt":
            return pd.read_csv(file, sep=r"\s+", **read_kw)
        if suffix in (".yaml", ".yml"):  # a parameter file, e.g. a simulation truth: as load()
            try:
                return yaml.safe_load(file.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise InputDataError(f"{what}: not valid YAML ({exc})", file=file,
                                     hint="fix the YAML syntax") from None
        if suffix != ".csv":
            raise InputDataError(f"{what}: unsupported file type {suffix!r}", file=file,
                                 hint="save the table as .csv (UTF-8) or .xlsx")
        try:
            return pd.read_csv(file, encoding="utf-8-sig", **read_kw)
        except UnicodeDecodeError:
            frame = pd.read_csv(file, encoding="gb18030", **read_kw)
            warnings.warn(f"{file}: read as GBK/GB18030 (not UTF-8); save it as 'CSV UTF-8' to "
                          "avoid this guess", DataQualityWarning, stacklevel=2)
            return frame
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        if isinstance(exc, InputDataError):
            raise
        raise InputDataError(f"{what}: the file cannot be read as a table ({exc})", file=file,
                             hint="check the delimiter (comma), the header line and the encoding") from None
