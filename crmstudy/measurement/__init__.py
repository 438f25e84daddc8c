"""Survey measurement (chapter 02): codebook, clean answers, scale scores, reliability, validity.

问卷测量：编码手册、数据清理、量表得分、信度与效度。

Typical use::

    from crmstudy import datasets
    from crmstudy.measurement import Codebook, prepare, scale_scores, reliability, cfa

    book = Codebook.from_source("crm_codebook")
    survey = prepare(datasets.load("crm_survey"), book, missing="person_mean",
                     attention_check=("attention_check", 2))
    scores = scale_scores(survey)                  # one column per construct
    rel = reliability(survey)                      # alpha, omega, item analysis per construct
    fit = cfa(survey, book.model)                  # CFA, CR, AVE, Fornell-Larcker, HTMT

Modules: :mod:`.codebook`, :mod:`.prepare`, :mod:`.scores`, :mod:`.reliability`
(alpha, omega, item analysis, vectorised bootstrap), :mod:`.validity` (KMO, Bartlett, EFA,
Harman), :mod:`.cfa` (ML fit by crmstudy.sem with lavaan-convention fit indices), :mod:`.method_bias` (ULMC, marker variable), :mod:`.tables` (the labelled,
formatted display tables of chapter 02).  Every statistic is
checked against R (psych, lavaan, semTools) in ``tests/test_measurement_*.py``.
"""
from .cfa import CFAResult, cfa, htmt
from .codebook import Codebook
from .method_bias import (MarkerResult, MethodBiasResult, ULMCResult, marker_variable,
                          method_bias, ulmc)
from .prepare import PreparationReport, PreparedSurvey, longstring, prepare
from .reliability import (AlphaResult, OmegaResult, ReliabilityResult, bootstrap_indices,
                          bootstrap_reliability, cronbach_alpha, item_analysis, omega_total,
                          reliability)
from .report import write_up
from .scores import scale_scores
from .validity import (BartlettResult, EFAResult, HarmanResult, KMOResult, bartlett_sphericity,
                       efa, harman_single_factor, kmo)

__all__ = [
    "Codebook", "prepare", "PreparedSurvey", "PreparationReport", "longstring", "scale_scores",
    "cronbach_alpha", "AlphaResult", "item_analysis", "omega_total", "OmegaResult",
    "reliability", "ReliabilityResult", "bootstrap_reliability", "bootstrap_indices",
    "kmo", "KMOResult", "bartlett_sphericity", "BartlettResult", "efa", "EFAResult",
    "harman_single_factor", "HarmanResult",
    "cfa", "CFAResult", "htmt", "write_up",
    "ulmc", "ULMCResult", "marker_variable", "MarkerResult", "method_bias", "MethodBiasResult",
]
