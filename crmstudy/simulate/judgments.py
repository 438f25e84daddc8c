"""Simulated AHP judgments of several experts for the CRM capability hierarchy.

Ground truth
------------
Each expert perceives the true local weights ``w`` of every criterion's children with error:
for a pair (a, b) the expert's log-ratio is ``ln(w_a / w_b) + noise * z`` with ``z ~ N(0, 1)``
independent, and the expert answers the value of Saaty's 1/9-9 scale nearest to it (in
log space), as a questionnaire forces.  One expert (the last, by default) is careless: a larger
``careless_noise`` and, in the largest matrix (criterion A2), the judgment of the pair with the
largest true ratio given on the wrong side of the scale (its reciprocal), a common questionnaire
slip that drives that matrix's CR above 0.10.

The true weights (:data:`TRUE_LOCAL_WEIGHTS`) are returned with the data, together with the
global weights (local times parent weight), so tests can check that group AHP recovers them.

The shipped data set ``crm_judgments`` (``data/crm_judgments/judgments.csv``) is
``crm_judgments()`` with the defaults (6 experts, seed 20261123).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["crm_judgments", "SimulatedJudgments", "TRUE_LOCAL_WEIGHTS", "JUDGMENTS_SEED"]

JUDGMENTS_SEED = 20261123

#: True local weights of the CRM capability hierarchy (each criterion's children sum to 1).
TRUE_LOCAL_WEIGHTS: dict[str, float] = {
    "A1": 0.35, "A2": 0.40, "A3": 0.25,
    "A11": 0.20, "A12": 0.35, "A13": 0.25, "A14": 0.20,
    "A21": 0.22, "A22": 0.10, "A23": 0.18, "A24": 0.15, "A25": 0.08, "A26": 0.09, "A27": 0.18,
    "A31": 0.22, "A32": 0.25, "A33": 0.20, "A34": 0.08, "A35": 0.10, "A36": 0.15,
}

_SCALE = np.array(sorted({1.0 / k for k in range(2, 10)} | set(range(1, 10))), dtype=float)


def _scale_text(v: float) -> str:
    return str(int(round(v))) if v >= 1 else f"1/{int(round(1 / v))}"


@dataclass(frozen=True)
class SimulatedJudgments:
    """Simulated judgments with their truth.

    Attributes
    ----------
    judgments : DataFrame
        Long table ``expert, parent, a, b, value`` (value: text on Saaty's scale, "3", "1/5").
    true_local, true_global : Series
        True local weights (by code) and global leaf weights.
    careless_expert : str or None
        The expert with inconsistent answers.
    """

    judgments: pd.DataFrame
    true_local: pd.Series
    true_global: pd.Series
    seed: int
    n_experts: int
    noise: float
    careless_noise: float
    careless_expert: str | None
    flipped: tuple = field(default=())

    def to_dict(self) -> dict:
        return {"seed": self.seed, "n_experts": self.n_experts, "noise": self.noise,
                "careless_noise": self.careless_noise, "careless_expert": self.careless_expert,
                "flipped_judgment": list(self.flipped),
                "true_local_weights": {k: float(v) for k, v in self.true_local.items()},
                "true_global_weights": {k: float(v) for k, v in self.true_global.items()}}


def crm_judgments(n_experts: int = 6, seed: int = JUDGMENTS_SEED, *, noise: float = 0.25,
                  careless: bool = True, careless_noise: float = 0.6,
                  true_local: dict[str, float] | None = None, system=None) -> SimulatedJudgments:
    """Generate several experts' pairwise judgments for the CRM capability hierarchy.

    Parameters
    ----------
    n_experts : int
        Number of experts ``E1 ... En``.
    seed : int
        Seed of ``numpy.random.default_rng``.
    noise : float
        Standard deviation of an expert's error on the log-ratio scale (0.25 is about one step
        of Saaty's scale near 3-5).
    careless : bool
        Make the last expert careless (see the module docstring).
    true_local : mapping code -> weight, optional
        True local weights; default :data:`TRUE_LOCAL_WEIGHTS`.
    system : IndicatorSystem, optional
        Default :func:`crmstudy.indicators.capability_system`.
    """
    if system is None:
        from ..indicators import capability_system
        system = capability_system()
    truth = dict(TRUE_LOCAL_WEIGHTS if true_local is None else true_local)
    rng = np.random.default_rng(seed)
    parents = [c for c in system.codes if not system.is_leaf(c) and len(system.children(c)) > 1]
    experts = [f"E{k + 1}" for k in range(n_experts)]
    bad_expert = experts[-1] if careless and n_experts > 1 else None
    largest = max(parents, key=lambda p: len(system.children(p)))
    rows, flipped = [], ()
    for expert in experts:
        sd = careless_noise if expert == bad_expert else noise
        for parent in parents:
            kids = system.children(parent)
            w = np.array([truth[k] for k in kids])
            iu = np.triu_indices(len(kids), 1)
            log_ratio = np.log(w[iu[0]] / w[iu[1]]) + sd * rng.standard_normal(len(iu[0]))
            if expert == bad_expert and parent == largest:
                k = int(np.argmax(np.abs(np.log(w[iu[0]] / w[iu[1]]))))
                log_ratio[k] = -log_ratio[k]
                flipped = (expert, parent, kids[iu[0][k]], kids[iu[1][k]])
            value = _SCALE[np.abs(log_ratio[:, None] - np.log(_SCALE)[None, :]).argmin(1)]
            rows.append(pd.DataFrame({"expert": expert, "parent": parent,
                                      "a": np.array(kids, dtype=object)[iu[0]],
                                      "b": np.array(kids, dtype=object)[iu[1]],
                                      "value": [_scale_text(v) for v in value]}))
    table = pd.concat(rows, ignore_index=True)
    local = pd.Series({c: truth[c] for c in system.codes if c != system.root}, name="weight")
    glob = {}
    for code in system.codes:
        if code == system.root:
            continue
        p = system.parent(code)
        glob[code] = local[code] * (1.0 if p == system.root else glob[p])
    leaves = system.leaves()
    true_global = pd.Series([glob[c] for c in leaves], index=pd.Index(leaves, name="code"),
                            name="weight")
    return SimulatedJudgments(judgments=table, true_local=local.rename_axis("code"),
                              true_global=true_global, seed=seed, n_experts=n_experts,
                              noise=noise, careless_noise=careless_noise,
                              careless_expert=bad_expert, flipped=flipped)
