"""Simulated studies with a documented, returned ground truth.

- :func:`crm_survey` - firm survey of CRM capability, moderator, controls, performance items and
  financial statements (:mod:`crmstudy.simulate.survey`).

Analysis modules never import this package; tests and notebooks use it to check that the
analyses recover the truth.
"""
from .survey import SHIPPED_SEED, SimulatedStudy, SimulationTruth, crm_survey

__all__ = ["crm_survey", "SimulatedStudy", "SimulationTruth", "SHIPPED_SEED"]
