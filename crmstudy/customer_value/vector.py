"""The three-dimensional customer-value vector (客户价值向量模型).

Customer value is a vector ``CV = (x, y, z)`` of economic (经济价值), functional (功能价值) and
psychological (心理价值) value.  Its magnitude ``|CV| = sqrt(x² + y² + z²)`` is how much value
the customer realises; its direction, the angles ``α, β, γ`` to the three axes with
``cos α = x / |CV|`` (direction cosines, ``cos²α + cos²β + cos²γ = 1``), says which kind of
value dominates.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputDataError

__all__ = ["value_vector", "AXES"]

AXES = {"economic": ("经济价值", "Economic value"), "functional": ("功能价值", "Functional value"),
        "psychological": ("心理价值", "Psychological value")}


def value_vector(economic, functional, psychological, index=None) -> pd.DataFrame:
    """Magnitude and direction angles of customer-value vectors.

    Parameters
    ----------
    economic, functional, psychological : array-like or scalar
        Coordinates (same scale, e.g. 0-10 ratings).  Negative values are allowed (value lost).
    index : optional
        Index of the result (e.g. customer ids).

    Returns
    -------
    DataFrame with ``economic``, ``functional``, ``psychological``, ``magnitude``,
    ``cos_economic``..., ``angle_economic``... (degrees) and ``dominant`` (axis with the
    smallest angle).

    Examples
    --------
    >>> value_vector(3, 4, 0)[["magnitude", "angle_economic", "angle_functional"]].round(2)
       magnitude  angle_economic  angle_functional
    0        5.0           53.13             36.87
    """
    xyz = np.column_stack([np.atleast_1d(np.asarray(v, dtype=float))
                           for v in (economic, functional, psychological)])
    if not np.all(np.isfinite(xyz)):
        raise InputDataError("a value coordinate is missing or not finite",
                             row=int(np.flatnonzero(~np.all(np.isfinite(xyz), axis=1))[0]),
                             hint="fill every customer's economic, functional and psychological value")
    mag = np.sqrt((xyz ** 2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = xyz / mag[:, None]
    out = pd.DataFrame(xyz, columns=list(AXES), index=index)
    out["magnitude"] = mag
    for j, axis in enumerate(AXES):
        out[f"cos_{axis}"] = cos[:, j]
    for j, axis in enumerate(AXES):
        out[f"angle_{axis}"] = np.degrees(np.arccos(np.clip(cos[:, j], -1, 1)))
    dominant = np.array(list(AXES), dtype=object)[np.argmax(np.nan_to_num(cos, nan=-2), axis=1)]
    out["dominant"] = np.where(mag > 0, dominant, None)
    return out
