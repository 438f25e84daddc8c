"""Shared loaders of the chapter-02 reference fixtures (R psych / lavaan / semTools output).

Regenerate the fixtures with ``Rscript tests/reference/measurement/make_reference.R``.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd

REF = Path(__file__).resolve().parent / "reference" / "measurement"


@lru_cache(maxsize=None)
def psych_ref() -> dict:
    return json.loads((REF / "psych_reference.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def lavaan_ref() -> dict:
    return json.loads((REF / "lavaan_reference.json").read_text(encoding="utf-8"))


def bfi_raw() -> pd.DataFrame:
    """psych's bfi items as shipped (1-6, NA = missing), id column ``id``."""
    return pd.read_csv(REF / "bfi.csv", dtype={"id": str})


def hs_raw() -> pd.DataFrame:
    return pd.read_csv(REF / "hs1939.csv", dtype={"id": str})


def bfi_keyed() -> pd.DataFrame:
    """bfi with reverse-keyed items recoded 7 - x, indexed by id (what R analysed)."""
    frame = bfi_raw().set_index("id")
    for item in psych_ref()["bfi"]["reverse"]:
        frame[item] = 7 - frame[item]
    return frame.astype(float)


def hs_items() -> pd.DataFrame:
    return hs_raw().set_index("id").astype(float)
