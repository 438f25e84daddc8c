"""crmstudy: customer relationship management (CRM) capability for research and teaching.

客户关系管理能力：测量、赋权、指数、绩效与客户价值的研究与教学工具包。

Modules (import the one you need; nothing heavy is imported here):

- core: :mod:`crmstudy.errors`, :mod:`crmstudy.indicators`, :mod:`crmstudy.datasets`;
- measurement (chapter 02), weighting and the capability index (03), performance and
  moderation (04), customer value (05), mediation and moderated mediation
  (:mod:`crmstudy.mediation`, PROCESS models 4, 6, 7, 8, 14, 58), structural equation models
  (:mod:`crmstudy.sem`);
- :mod:`crmstudy.simulate` - the simulated study with known truth;
- :mod:`crmstudy.plotting` - seaborn theme with Chinese fonts, and the figures;
- :mod:`crmstudy.cli` - the ``crmstudy`` command.

Every submodule is also reachable as an attribute (``import crmstudy as cs; cs.ahp``): it is
imported on first access (PEP 562 module ``__getattr__``), so ``import crmstudy`` stays cheap.
"""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("crmstudy")
except PackageNotFoundError:  # running from a source checkout that was never installed
    __version__ = "0.1.0"

import importlib as _importlib

#: submodules reachable as attributes of the package, imported on first access
_SUBMODULES = ("ahp", "chapters", "cli", "customer_value", "datasets", "display", "entropy", "errors",
               "evaluation", "export", "formatting", "indicators", "labels", "measurement",
               "mechanism", "mediation", "moderation", "performance", "plotting", "report",
               "resampling", "sem", "sem_fit", "sem_syntax", "schemas", "simulate", "study",
               "study_model", "survey_import", "thesis", "weighting")

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = _importlib.import_module(f".{name}", __name__)
        globals()[name] = module  # later accesses skip this function
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_SUBMODULES})
