"""Numbers as journals print them: p < .001, fixed decimals by quantity, stars, no 1e-05.

数字格式：按期刊惯例显示 p 值、小数位数、显著性星号，不用科学计数法。

Two named number styles (``style=`` of every function; the default follows ``lang``):

* ``"apa"`` (default for ``lang="en"``) -- APA Publication Manual, 7th ed., sections 6.36 and
  6.44: no zero before the decimal point for a quantity that cannot exceed 1 in absolute value
  (p-values, correlations, R², α, CR, AVE, standardised loadings, CFI/NFI/GFI/AGFI, shares),
  ``p < .001`` for the smallest p-values, ``p > .999`` for the largest.
* ``"cn"`` (default for ``lang="zh"``) -- the convention of Chinese journals and theses
  (e.g. 《管理世界》, 《南开管理评论》, GB/T 7713.1 dissertations): the leading zero is kept
  everywhere (0.35, p < 0.001), otherwise the same rules.

Both styles print fixed decimals by quantity (:data:`DECIMALS`: means and SDs 2, correlations 2,
coefficients and standard errors 3, p 3, R² 3, F and χ² 2, fit indices 3 ...), never use
scientific notation (tiny values round to 0.000; p-values below .001 print as ``< .001``), and
never print a negative zero.  Missing values print as an em dash ``—``.

Units are stated (:func:`format_unit`: "12.50 美元" / "$12.50", "3 weeks"; headers with
:func:`crmstudy.labels.with_unit`), shares as percentages (:func:`format_percent`).

Significance stars (:data:`STAR_CONVENTIONS`): ``"apa"`` -- ``* p < .05, ** p < .01,
*** p < .001`` (strict inequalities: p = .05 exactly gets no star); ``"dagger"`` adds
``† p < .10``.

This module is core: it imports no analysis module.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Mapping

import pandas as pd

from .errors import ParameterError
from .labels import check_lang

__all__ = ["NumberStyle", "STYLES", "DECIMALS", "BOUNDED", "STAR_CONVENTIONS", "MISSING",
           "get_style", "format_number", "format_p", "p_text", "format_ci", "format_int",
           "stars", "star_note", "is_missing", "format_percent", "format_unit", "UNITS"]

MISSING = "—"

# Decimals by quantity (APA 7 §6.36: "round to two decimal places ... p values to two or three";
# the field reports coefficients, fit indices and reliabilities with three).
DECIMALS: dict[str, int] = {
    "mean": 2, "sd": 2, "r": 2, "sqrt_ave": 2, "p": 3,
    "b": 3, "beta": 3, "se": 3, "t": 2, "z": 2, "f": 2, "chisq": 2, "chisq_df": 2, "df": 0,
    "r2": 3, "delta_r2": 3, "adj_r2": 3, "alpha": 3, "cr": 3, "ave": 3, "loading": 3,
    "fit": 3, "gfi": 3, "agfi": 3, "nfi": 3, "ifi": 3, "tli": 3, "cfi": 3, "rmsea": 3,
    "srmr": 3, "aic": 2, "bic": 2, "effect": 3, "slope": 3, "moderator": 2, "estimate": 3,
    "share": 3, "n": 0, "generic": 3,
}

# Quantities that cannot exceed 1 in absolute value (APA: no leading zero).  TLI, IFI and
# RMSEA can exceed 1 and β can in principle, so they keep their zero in every style.
BOUNDED = frozenset({"p", "r", "sqrt_ave", "r2", "delta_r2", "adj_r2", "alpha", "cr", "ave",
                     "loading", "cfi", "nfi", "gfi", "agfi", "share"})

STAR_CONVENTIONS: dict[str, tuple[tuple[float, str], ...]] = {
    "apa": ((0.001, "***"), (0.01, "**"), (0.05, "*")),
    "dagger": ((0.001, "***"), (0.01, "**"), (0.05, "*"), (0.10, "†")),
}


@dataclass(frozen=True)
class NumberStyle:
    """How numbers are printed.

    Attributes
    ----------
    name : str
    leading_zero : bool
        Keep the zero before the decimal point of quantities in :data:`BOUNDED`.
    p_floor : float
        p-values below it print as ``< floor`` (``.001``).
    decimals : dict
        Decimals by quantity (defaults :data:`DECIMALS`).
    stars : str
        Name of the star convention (:data:`STAR_CONVENTIONS`).
    thousands : bool
        Group thousands in integers (N = 12,000).
    """

    name: str
    leading_zero: bool
    p_floor: float = 0.001
    decimals: Mapping[str, int] = field(default_factory=lambda: dict(DECIMALS))
    stars: str = "apa"
    thousands: bool = True

    def with_decimals(self, **decimals: int) -> "NumberStyle":
        """A copy with some decimals changed: ``style.with_decimals(r=3)``."""
        return replace(self, decimals={**self.decimals, **decimals})


STYLES: dict[str, NumberStyle] = {
    "apa": NumberStyle("apa", leading_zero=False),
    "cn": NumberStyle("cn", leading_zero=True),
}
_DEFAULT_STYLE = {"en": "apa", "zh": "cn"}


def get_style(style: str | NumberStyle | None = None, lang: str = "zh") -> NumberStyle:
    """A :class:`NumberStyle` by name, or the default of ``lang`` (en: apa, zh: cn)."""
    if isinstance(style, NumberStyle):
        return style
    if style is None:
        return STYLES[_DEFAULT_STYLE[check_lang(lang)]]
    if style not in STYLES:
        raise ParameterError(f"unknown number style {style!r}",
                             hint=f"use one of {', '.join(STYLES)} or a NumberStyle")
    return STYLES[style]


def is_missing(x) -> bool:
    """True for None, NaN and pandas NA."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):       # arrays and other non-scalars
        return False


def _decimals(quantity: str | None, decimals: int | None, style: NumberStyle) -> int:
    if decimals is not None:
        return int(decimals)
    if quantity is None:
        return style.decimals.get("generic", 3)
    if quantity not in style.decimals:
        raise ParameterError(f"unknown quantity {quantity!r} for number formatting",
                             hint=f"use one of {', '.join(sorted(style.decimals))} or decimals=")
    return style.decimals[quantity]


def format_number(x, quantity: str | None = None, *, decimals: int | None = None,
                  style: str | NumberStyle | None = None, lang: str = "zh",
                  leading_zero: bool | None = None, missing: str = MISSING) -> str:
    """One number with the decimals of its quantity, in fixed-point notation.

    Parameters
    ----------
    x : float
    quantity : str, optional
        Key of :data:`DECIMALS` (``"r"``, ``"b"``, ``"cfi"`` ...); fixes the decimals and,
        for the quantities in :data:`BOUNDED`, whether the leading zero is dropped.
    decimals : int, optional
        Overrides the quantity's decimals.
    style, lang
        :func:`get_style`.
    leading_zero : bool, optional
        Overrides the style's rule for this number.
    missing : str
        Text of a missing value.

    Examples
    --------
    >>> format_number(0.3456, "r", lang="en"), format_number(0.3456, "r", lang="zh")
    ('.35', '0.35')
    >>> format_number(1.5771e-02, "share", lang="zh"), format_number(-0.0001, "b")
    ('0.016', '0.000')
    """
    if is_missing(x):
        return missing
    if isinstance(x, bool):
        raise ParameterError("format_number got a boolean", hint="format yes/no with labels")
    st = get_style(style, lang)
    d = _decimals(quantity, decimals, st)
    value = float(x)
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    text = f"{value:,.{d}f}" if (quantity == "n" and st.thousands) else f"{value:.{d}f}"
    if text.lstrip("-").replace("0", "").replace(".", "").replace(",", "") == "":
        text = text.lstrip("-")                      # no negative zero
    drop = (not st.leading_zero) if leading_zero is None else (not leading_zero)
    if drop and quantity in BOUNDED and abs(value) < 1:
        text = text.replace("0.", ".", 1)
    return text


def format_int(n, style: str | NumberStyle | None = None, lang: str = "zh",
               missing: str = MISSING) -> str:
    """A count (N = 12,000)."""
    return format_number(n, "n", style=style, lang=lang, missing=missing)


def format_p(p, *, style: str | NumberStyle | None = None, lang: str = "zh",
             decimals: int | None = None, missing: str = MISSING) -> str:
    """A p-value for a table cell: ``.034``, ``< .001``, ``> .999`` (zh: ``0.034``, ``< 0.001``).

    Examples
    --------
    >>> format_p(0.0000123, lang="en"), format_p(0.0000123, lang="zh"), format_p(0.04962, lang="en")
    ('< .001', '< 0.001', '.050')
    """
    if is_missing(p):
        return missing
    st = get_style(style, lang)
    p = float(p)
    if not 0 <= p <= 1:
        raise ParameterError(f"p-value {p} is outside [0, 1]")
    d = _decimals("p", decimals, st)
    if p < st.p_floor:
        return "< " + format_number(st.p_floor, "p", decimals=max(d, _places(st.p_floor)),
                                    style=st)
    top = 1 - 10 ** (-d)
    if round(p, d) >= 1:
        return "> " + format_number(top, "p", decimals=d, style=st)
    return format_number(p, "p", decimals=d, style=st)


def _places(x: float) -> int:
    text = f"{x:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def p_text(p, *, style: str | NumberStyle | None = None, lang: str = "zh") -> str:
    """A p-value for running text: ``p = .034``, ``p < .001``."""
    cell = format_p(p, style=style, lang=lang)
    if cell == MISSING:
        return "p = " + MISSING
    return "p " + cell if cell[0] in "<>" else "p = " + cell


def format_ci(low, high, quantity: str | None = None, *, style: str | NumberStyle | None = None,
              lang: str = "zh", decimals: int | None = None, missing: str = MISSING) -> str:
    """A confidence interval ``[0.12, 0.34]`` (en/apa with bounded quantities: ``[.12, .34]``)."""
    if is_missing(low) or is_missing(high):
        return missing
    a = format_number(low, quantity, decimals=decimals, style=style, lang=lang)
    b = format_number(high, quantity, decimals=decimals, style=style, lang=lang)
    return f"[{a}, {b}]"


def stars(p, convention: str | NumberStyle = "apa") -> str:
    """Significance stars of ``p`` (strict ``<``: p = .05 gets none; NaN gets none).

    >>> stars(0.049), stars(0.05), stars(0.0099), stars(0.001), stars(0.000999)
    ('*', '', '**', '**', '***')
    """
    name = convention.stars if isinstance(convention, NumberStyle) else convention
    if name not in STAR_CONVENTIONS:
        raise ParameterError(f"unknown star convention {name!r}",
                             hint=f"use one of {', '.join(STAR_CONVENTIONS)}")
    if is_missing(p):
        return ""
    for bound, mark in STAR_CONVENTIONS[name]:
        if float(p) < bound:
            return mark
    return ""


def star_note(convention: str | NumberStyle | None = None, lang: str = "zh",
              style: str | NumberStyle | None = None) -> str:
    """The legend of the stars: ``* p < .05, ** p < .01, *** p < .001`` (zh: ``0.05``, ``，``)."""
    st = get_style(style, lang)
    name = convention.stars if isinstance(convention, NumberStyle) else (convention or st.stars)
    if name not in STAR_CONVENTIONS:
        raise ParameterError(f"unknown star convention {name!r}",
                             hint=f"use one of {', '.join(STAR_CONVENTIONS)}")
    parts = [f"{mark} p < {format_number(bound, 'p', decimals=_places(bound) if bound < 0.01 else 2, style=st)}"
             for bound, mark in sorted(STAR_CONVENTIONS[name], key=lambda bm: -bm[0])]
    return ("，" if check_lang(lang) == "zh" else ", ").join(parts)


UNITS = ("usd", "cny", "days", "weeks", "months", "years", "percent", "persons")


def format_unit(x, unit: str, quantity: str | None = None, *, decimals: int | None = None,
                style: str | NumberStyle | None = None, lang: str = "zh",
                missing: str = MISSING) -> str:
    """A number with its unit, from the label catalogue: "12.50 美元" / "$12.50", "3 周" / "3 weeks".

    >>> format_unit(12.5, "usd", decimals=2, lang="zh"), format_unit(12.5, "usd", decimals=2, lang="en")
    ('12.50 美元', '$12.50')
    """
    from .labels import label

    if unit not in UNITS:
        raise ParameterError(f"unknown unit {unit!r}", hint=f"use one of {', '.join(UNITS)}")
    if is_missing(x):
        return missing
    value = format_number(x, quantity, decimals=decimals, style=style, lang=lang)
    return label(unit, lang, "units", value=value)


def format_percent(share, *, decimals: int = 1, lang: str = "zh",
                   style: str | NumberStyle | None = None, missing: str = MISSING) -> str:
    """A share (0-1) as a percentage: 0.2667 -> "26.7%"."""
    if is_missing(share):
        return missing
    return format_unit(100 * float(share), "percent", decimals=decimals, style=style, lang=lang)
