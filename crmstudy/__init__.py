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
"""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("crmstudy")
except PackageNotFoundError:  # running from a source checkout that was never installed
    __version__ = "0.1.0"

__all__ = ["__version__"]
