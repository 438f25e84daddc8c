"""Simulated studies with a documented, returned ground truth.

- :func:`crm_survey` - firm survey of CRM capability, moderator, controls, performance items and
  financial statements (:mod:`crmstudy.simulate.survey`);
- :func:`crm_judgments` - several experts' AHP judgments of the CRM capability hierarchy with
  known true weights (:mod:`crmstudy.simulate.judgments`).

Analysis modules never import this package; tests and notebooks use it to check that the
analyses recover the truth.
"""
from .judgments import JUDGMENTS_SEED, SimulatedJudgments, crm_judgments
from .survey import SHIPPED_SEED, SimulatedStudy, SimulationTruth, crm_survey

__all__ = ["crm_survey", "SimulatedStudy", "SimulationTruth", "SHIPPED_SEED",
           "crm_judgments", "SimulatedJudgments", "JUDGMENTS_SEED"]
