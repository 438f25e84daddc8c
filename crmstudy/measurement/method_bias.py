"""Common-method bias beyond Harman's test: ULMC and the marker-variable correction.

Three checks reported side by side (Podsakoff, MacKenzie, Lee & Podsakoff 2003):

* **Harman's single-factor test** (:func:`crmstudy.measurement.harman_single_factor`): share of
  variance of the first unrotated component; ≥ 50 % signals a dominant common factor.
* **Unmeasured latent method construct (ULMC)** (Williams, Cote & Buckley 1989; Podsakoff et
  al. 2003, Table 5): the trait (CFA) model is compared with the same model plus a method
  factor on which every item loads, orthogonal to the traits.  Reported: both models' fit,
  ``Δχ²`` with its df and p, ``ΔCFI`` (a change above 0.01 is substantial, Cheung & Rensvold
  2002) and the share of item variance due to the method factor (mean squared standardised
  method loading; Williams et al. 1989 report ≈ 25 % in their review, a share well below
  that, with the trait loadings intact, is not a concern).  Loadings of the method factor are
  free (marker = first item) by default, or equal (``equal_loadings=True``, method variance
  fixed to 1), the more stable variant and the default: with free loadings the method factor
  competes with the traits and the model is often near-unidentified (on
  HolzingerSwineford1939 lavaan reaches an improper solution with a negative latent
  variance, and crmstudy's optimiser does not converge; it then says so).
* **Marker-variable correction** (Lindell & Whitney 2001): ``r_M`` is the smallest positive
  correlation between a theoretically unrelated marker variable and the substantive
  variables; the corrected correlation is ``r_A = (r − r_M)/(1 − r_M)`` with
  ``t = r_A / sqrt((1 − r_A²)/(N − 3))`` on N − 3 df.  Correlations that stay significant
  after the correction are not artefacts of a common method.

Models are estimated by :func:`crmstudy.sem.sem` (lavaan conventions; checked against lavaan
in ``tests/test_sem.py``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputDataError, ModelFitError, ParameterError
from .validity import harman_single_factor

__all__ = ["ulmc", "ULMCResult", "marker_variable", "MarkerResult", "method_bias",
           "MethodBiasResult", "METHOD_BIAS_LABELS"]

METHOD_BIAS_LABELS = {
    "en": {"check": "Check", "statistic": "Statistic", "value": "Value", "criterion": "Criterion",
           "concern": "Method bias a concern", "harman": "Harman's single-factor test",
           "harman_stat": "variance of first factor", "ulmc": "ULMC (latent method factor)",
           "delta_cfi": "ΔCFI (trait+method − trait)", "method_share": "variance due to method",
           "marker": "Marker variable (Lindell & Whitney)", "r_m": "r_M",
           "lost": "correlations no longer significant", "yes": "yes", "no": "no",
           "model": "Model", "trait": "Trait model", "trait_method": "Trait + method model",
           "pair": "Pair", "r": "r", "r_corrected": "Corrected r", "p_corrected": "p (corrected)"},
    "zh": {"check": "检验", "statistic": "统计量", "value": "数值", "criterion": "判断标准",
           "concern": "是否存在共同方法偏差", "harman": "Harman单因子检验",
           "harman_stat": "第一因子解释方差", "ulmc": "不可测潜在方法因子(ULMC)",
           "delta_cfi": "ΔCFI(加入方法因子后)", "method_share": "方法因子解释方差",
           "marker": "标记变量法(Lindell & Whitney)", "r_m": "r_M",
           "lost": "校正后不再显著的相关数", "yes": "是", "no": "否",
           "model": "模型", "trait": "特质模型", "trait_method": "特质+方法因子模型",
           "pair": "变量对", "r": "r", "r_corrected": "校正后r", "p_corrected": "校正后p值"},
}


def _lang(lang):
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
    return lang


def _model_dict(model) -> dict[str, list[str]]:
    if hasattr(model, "model") and not isinstance(model, Mapping):
        model = model.model          # Codebook
    if not isinstance(model, Mapping) or not model:
        raise ParameterError("model must be a dict construct -> list of items")
    return {str(c): [str(i) for i in ([v] if isinstance(v, str) else v)] for c, v in model.items()}


def _syntax(model: dict) -> str:
    return "\n".join(f"{c} =~ " + " + ".join(items) for c, items in model.items())


@dataclass(frozen=True)
class ULMCResult:
    """Trait vs trait + method model (see module docstring)."""

    trait_fit: dict
    method_fit: dict
    delta_chisq: float
    delta_df: int
    p: float
    delta_cfi: float
    method_share: float
    trait_share: float
    method_loadings: pd.DataFrame
    conventions: dict = field(default_factory=dict)

    @property
    def concern(self) -> bool:
        """ΔCFI above 0.01 and a method share of at least 25 % (both needed)."""
        return bool(self.delta_cfi > 0.01 and self.method_share >= 0.25)

    def table(self, lang: str = "en") -> pd.DataFrame:
        lab = METHOD_BIAS_LABELS[_lang(lang)]
        from ..sem_fit import FIT_LABELS
        keys = ["chisq", "df", "cfi", "tli", "rmsea", "srmr"]
        return pd.DataFrame({lab["trait"]: [self.trait_fit[k] for k in keys],
                             lab["trait_method"]: [self.method_fit[k] for k in keys]},
                            index=pd.Index([FIT_LABELS[k] for k in keys], name=lab["model"])).T


def ulmc(data: pd.DataFrame, model, *, equal_loadings: bool = True,
         method_name: str = "method") -> ULMCResult:
    """Unmeasured latent method construct comparison (Podsakoff et al. 2003).

    Examples
    --------
    Same models as ``lavaan::cfa`` with ``method =~ x1 + ... + x9`` and
    ``method ~~ 0*visual + 0*textual + 0*speed`` (tests/reference/sem/hs_ulmc.json).
    """
    from ..sem import sem

    model = _model_dict(model)
    if method_name in model:
        raise ParameterError(f"method_name {method_name!r} is also a construct name")
    items = [i for group in model.values() for i in group]
    base = _syntax(model)
    if equal_loadings:
        loads = "NA*" + items[0] + " + " + " + ".join(f"m*{i}" for i in items)
        extra = f"\n{method_name} ~~ 1*{method_name}"
    else:
        loads = " + ".join(items)
        extra = ""
    method = (base + f"\n{method_name} =~ {loads}\n" + f"{method_name} ~~ " +
              " + ".join(f"0*{c}" for c in model) + extra)
    trait = sem(base, data)
    try:
        full = sem(method, data)
    except ModelFitError as exc:
        if equal_loadings:
            raise
        raise ModelFitError(f"the trait + method model with free method loadings did not "
                            f"converge ({exc.problem})",
                            hint="use equal_loadings=True (one method loading for all items), "
                                 "the usual remedy when the free model is near-unidentified") from None
    d_chisq = trait.fit["chisq"] - full.fit["chisq"]
    d_df = trait.fit["df"] - full.fit["df"]
    est = full.estimates
    m = est[(est["op"] == "=~") & (est["lhs"] == method_name)]
    t = est[(est["op"] == "=~") & (est["lhs"] != method_name)]
    return ULMCResult(
        trait_fit=trait.fit, method_fit=full.fit, delta_chisq=float(d_chisq), delta_df=int(d_df),
        p=float(stats.chi2.sf(d_chisq, d_df)) if d_df > 0 else float("nan"),
        delta_cfi=float(full.fit["cfi"] - trait.fit["cfi"]),
        method_share=float(np.mean(m["std_all"] ** 2)),
        trait_share=float(np.mean(t["std_all"] ** 2)),
        method_loadings=m[["rhs", "est", "se", "std_all"]].rename(columns={"rhs": "item"})
        .reset_index(drop=True),
        conventions={"method_factor": "orthogonal to the traits, loads on every item",
                     "loadings": "equal (variance 1)" if equal_loadings else "free (first item = 1)",
                     "method_share": "mean squared standardised method loading",
                     "estimator": "ML (lavaan conventions)"})


@dataclass(frozen=True)
class MarkerResult:
    """Marker-variable correction (Lindell & Whitney 2001)."""

    r_m: float
    n: int
    table: pd.DataFrame
    conventions: dict = field(default_factory=dict)

    @property
    def n_lost(self) -> int:
        """Correlations significant before, not after the correction."""
        return int(((self.table["p"] < 0.05) & (self.table["p_corrected"] >= 0.05)).sum())

    def summary(self, lang: str = "en") -> pd.DataFrame:
        lab = METHOD_BIAS_LABELS[_lang(lang)]
        return self.table.rename(columns={"r_corrected": lab["r_corrected"],
                                          "p_corrected": lab["p_corrected"]})


def marker_variable(data: pd.DataFrame, variables, marker: str, *, which: str = "smallest",
                    alpha: float = 0.05) -> MarkerResult:
    """Marker-variable correction of the correlations among ``variables`` (listwise).

    Parameters
    ----------
    variables : list of str
        Substantive variables (scale scores or items).
    marker : str
        A variable theoretically unrelated to them, measured with the same method.
    which : {"smallest", "second_smallest"}
        ``r_M`` = smallest positive marker correlation (Lindell & Whitney 2001) or the second
        smallest (their more conservative variant).
    """
    if which not in ("smallest", "second_smallest"):
        raise ParameterError(f"which must be 'smallest' or 'second_smallest', got {which!r}")
    variables = [str(v) for v in variables]
    missing = [c for c in [*variables, marker] if c not in data.columns]
    if missing:
        raise InputDataError(f"column(s) {missing} are not in the data", column=missing[0])
    if marker in variables:
        raise ParameterError(f"the marker {marker!r} is also a substantive variable")
    frame = data[[*variables, marker]].dropna()
    n = len(frame)
    if n < 10:
        raise InputDataError(f"{n} complete rows: too few for correlations",
                             hint="collect more responses")
    r = frame.corr().to_numpy()
    rm_all = np.sort(r[-1, :-1][r[-1, :-1] > 0])
    if len(rm_all) == 0:
        r_m = 0.0
    else:
        r_m = float(rm_all[0] if which == "smallest" or len(rm_all) < 2 else rm_all[1])
    ii, jj = np.triu_indices(len(variables), 1)
    rv = r[ii, jj]
    ra = (rv - r_m) / (1 - r_m)

    def pval(x):
        t = x / np.sqrt((1 - x ** 2) / (n - 3))
        return 2 * stats.t.sf(np.abs(t), n - 3)

    t_raw = rv / np.sqrt((1 - rv ** 2) / (n - 2))
    table = pd.DataFrame({"var1": np.array(variables)[ii], "var2": np.array(variables)[jj],
                          "r": rv, "p": 2 * stats.t.sf(np.abs(t_raw), n - 2),
                          "r_corrected": ra, "p_corrected": pval(ra)})
    return MarkerResult(r_m=r_m, n=n, table=table, conventions={
        "r_m": which + " positive marker correlation", "test": "t on N − 3 df (Lindell & Whitney 2001)",
        "missing": "listwise"})


@dataclass(frozen=True)
class MethodBiasResult:
    harman: object
    ulmc: ULMCResult | None
    marker: MarkerResult | None

    def table(self, lang: str = "en") -> pd.DataFrame:
        """Harman, ULMC and marker side by side, one row per check."""
        lab = METHOD_BIAS_LABELS[_lang(lang)]
        yn = lambda b: lab["yes"] if b else lab["no"]
        rows = [{lab["check"]: lab["harman"], lab["statistic"]: lab["harman_stat"],
                 lab["value"]: self.harman.share, lab["criterion"]: "< 50%",
                 lab["concern"]: yn(not self.harman.passes)}]
        if self.ulmc is not None:
            rows.append({lab["check"]: lab["ulmc"], lab["statistic"]: lab["delta_cfi"],
                         lab["value"]: self.ulmc.delta_cfi, lab["criterion"]: "≤ 0.01",
                         lab["concern"]: yn(self.ulmc.concern)})
            rows.append({lab["check"]: lab["ulmc"], lab["statistic"]: lab["method_share"],
                         lab["value"]: self.ulmc.method_share, lab["criterion"]: "< 25%",
                         lab["concern"]: yn(self.ulmc.concern)})
        if self.marker is not None:
            rows.append({lab["check"]: lab["marker"], lab["statistic"]: lab["r_m"],
                         lab["value"]: self.marker.r_m, lab["criterion"]: "—",
                         lab["concern"]: yn(self.marker.n_lost > 0)})
            rows.append({lab["check"]: lab["marker"], lab["statistic"]: lab["lost"],
                         lab["value"]: self.marker.n_lost, lab["criterion"]: "0",
                         lab["concern"]: yn(self.marker.n_lost > 0)})
        return pd.DataFrame(rows)


def method_bias(data: pd.DataFrame, model, *, marker: str | None = None,
                marker_variables=None, equal_loadings: bool = True) -> MethodBiasResult:
    """Harman's test, the ULMC comparison and (with a ``marker``) the marker correction.

    ``marker_variables`` defaults to the items of ``model``.
    """
    model = _model_dict(model)
    items = [i for g in model.values() for i in g]
    missing = [i for i in items if i not in data.columns]
    if missing:
        raise InputDataError(f"model item(s) {missing} are not columns of the data", column=missing[0])
    harman = harman_single_factor(data[items], nan_policy="listwise")
    u = ulmc(data, model, equal_loadings=equal_loadings)
    mk = None
    if marker is not None:
        mk = marker_variable(data, marker_variables or items, marker)
    return MethodBiasResult(harman=harman, ulmc=u, marker=mk)
