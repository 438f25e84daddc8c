"""Simulated studies with a documented, returned ground truth.

- :func:`crm_survey` - firm survey of CRM capability, moderator, controls, performance items and
  financial statements (:mod:`crmstudy.simulate.survey`);
- :func:`crm_judgments` - several experts' AHP judgments of the CRM capability hierarchy with
  known true weights (:mod:`crmstudy.simulate.judgments`);
- :func:`b2b_customers` - B2B customers scored on the customer-value indicator system, with their
  true value and loyalty (:mod:`crmstudy.simulate.b2b`).

Analysis modules never import this package; tests and notebooks use it to check that the
analyses recover the truth.
"""
from .b2b import B2BTruth, SimulatedB2B, b2b_customers
from .judgments import JUDGMENTS_SEED, SimulatedJudgments, crm_judgments
from .survey import SHIPPED_SEED, SimulatedStudy, SimulationTruth, crm_survey

__all__ = ["crm_survey", "SimulatedStudy", "SimulationTruth", "SHIPPED_SEED",
           "crm_judgments", "SimulatedJudgments", "JUDGMENTS_SEED",
           "b2b_customers", "SimulatedB2B", "B2BTruth"]
