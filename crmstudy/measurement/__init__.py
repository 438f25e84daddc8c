"""Survey measurement (chapter 02): codebook, preparing answers, scale scores, reliability
and validity.

Entry points
------------
- :class:`Codebook` (``from_file`` / ``from_frame``) and :func:`prepare` ->
  :class:`PreparedSurvey`; :func:`scale_scores`;
"""
from .codebook import Codebook
from .prepare import PreparationReport, PreparedSurvey, longstring, prepare
from .scores import scale_scores

__all__ = ["Codebook", "prepare", "PreparedSurvey", "PreparationReport", "longstring",
           "scale_scores"]
