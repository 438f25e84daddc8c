"""A researcher's own study: the study file, its folder template, input hashes and the manifest.

A study file (``study.yaml``) names every input file and every analysis choice::

    lang: zh                     # parameters at the top level apply to every chapter having them
    chapters:
      01_framework:
        system_file: inputs/indicator_system.yaml
      02_measurement:
        survey: inputs/responses.csv
        codebook: inputs/codebook.csv

Relative paths are relative to the study file.  Chapters not listed under ``chapters`` are not run.
The command-line ``--params`` file of ``crmstudy run`` uses the same loader (its ``all:`` key is
the top level of a study file).
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

from .errors import ParameterError

__all__ = ["file_sha256", "input_files", "manifest", "write_json_atomic"]

_PACKAGES = ("crmstudy", "numpy", "pandas", "scipy", "statsmodels", "scikit-learn", "matplotlib",
             "seaborn", "semopy", "papermill")


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:  # read-only, in blocks
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(params: dict[str, dict]) -> dict[str, dict]:
    """Every input a run reads: user files (by path) and shipped data sets (by name), hashed."""
    from . import datasets

    shipped = set(datasets.list_datasets()["name"])
    found: dict[str, dict] = {}
    for chapter, values in params.items():
        for name, value in values.items():
            if not isinstance(value, str) or not value:
                continue
            if value in shipped:
                path, kind = datasets.path(value), "shipped data set"
            elif Path(value).is_file():
                path, kind = Path(value), "file"
            else:
                continue
            key = str(path.resolve())
            entry = found.setdefault(key, {"path": key, "kind": kind, "sha256": file_sha256(path),
                                           "bytes": path.stat().st_size, "used_by": []})
            entry["used_by"].append(f"{chapter}.{name}")
    return found


def manifest(*, config: dict, config_file: str | None, params: dict[str, dict], runs: list,
             outputs: Path, inputs: dict[str, dict]) -> dict:
    """What a results folder needs to be reproduced and audited."""
    from . import __version__

    versions = {}
    for package in _PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    files = sorted(p for p in outputs.rglob("*") if p.is_file() and p.name != "manifest.json")
    return {
        "crmstudy_version": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": versions,
        "config_file": config_file,
        "config": config,
        "parameters": params,
        "seeds": {f"{c}.{k}": v for c, values in params.items() for k, v in values.items()
                  if "seed" in k.lower()},
        "inputs": list(inputs.values()),
        "chapters": [{"chapter": r.chapter, "ok": r.ok, "seconds": round(r.seconds, 2),
                      "message": r.message} for r in runs],
        "outputs": [{"path": str(p.relative_to(outputs)), "sha256": file_sha256(p)} for p in files],
    }


def write_json_atomic(data: dict, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)


def check_new_folder(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ParameterError("the folder exists and is not empty", file=folder,
                             hint="choose a new folder name; crmstudy never writes into existing work")
