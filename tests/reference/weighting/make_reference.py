"""Reference values for tests/test_ahp.py, test_entropy.py, test_weighting.py, test_evaluation.py.

Run (needs the peer packages, which crmstudy itself never imports):

    pip install ahpy==2.1 pyDecision==5.1.8 pymcdm==1.4.0 scikit-criteria==0.10
    python tests/reference/weighting/make_reference.py

Writes ``peers.json`` next to this file.  Every value comes from a peer package or from the
plain-Python, loop-by-loop textbook implementations below (written independently of crmstudy's
vectorised code); crmstudy is not imported here.  The inputs are defined in ``inputs.json``
(hand-written matrices, and random data drawn here with a fixed seed and stored).
"""
from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np

warnings.filterwarnings("ignore")
HERE = Path(__file__).resolve().parent


def frac(x):
    if isinstance(x, str) and "/" in x:
        a, b = x.split("/")
        return float(a) / float(b)
    return float(x)


def matrix(rows):
    return np.array([[frac(v) for v in r] for r in rows], dtype=float)


# ---- independent plain-Python textbook implementations ------------------------------------
def entropy_textbook(X, cost=()):
    """Min-max standardisation, p = x'/sum, e = -1/ln m sum p ln p (0 ln 0 = 0), loops only."""
    m, n = len(X), len(X[0])
    e = []
    for j in range(n):
        col = [X[i][j] for i in range(m)]
        lo, hi = min(col), max(col)
        if hi == lo:
            e.append(1.0)
            continue
        xs = [((hi - v) if j in cost else (v - lo)) / (hi - lo) for v in col]
        s = sum(xs)
        acc = 0.0
        for v in xs:
            p = v / s
            if p > 0:
                acc += p * math.log(p)
        e.append(-acc / math.log(m))
    d = [1 - x for x in e]
    return {"entropy": e, "weights": [x / sum(d) for x in d]}


def compose(w, R, op):
    out = []
    for j in range(len(R[0])):
        if op == "weighted_average":
            out.append(min(1.0, sum(w[i] * R[i][j] for i in range(len(w)))))
        elif op == "min_max":
            out.append(max(min(w[i], R[i][j]) for i in range(len(w))))
        elif op == "product_max":
            out.append(max(w[i] * R[i][j] for i in range(len(w))))
        else:
            out.append(min(1.0, sum(min(w[i], R[i][j]) for i in range(len(w)))))
    s = sum(out)
    return [x / s for x in out]


def combine(a, o, method, alpha=0.5):
    if method == "linear":
        w = [alpha * x + (1 - alpha) * y for x, y in zip(a, o)]
    elif method == "multiplicative":
        w = [x * y for x, y in zip(a, o)]
    elif method == "mdi":
        w = [math.sqrt(x * y) for x, y in zip(a, o)]
    else:
        aa = sum(x * x for x in a); ao = sum(x * y for x, y in zip(a, o)); oo = sum(y * y for y in o)
        det = aa * oo - ao * ao  # Cramer's rule for [[aa, ao], [ao, oo]] c = [aa, oo]
        c1 = (aa * oo - ao * oo) / det
        c2 = (aa * oo - ao * aa) / det
        c1, c2 = abs(c1) / (abs(c1) + abs(c2)), abs(c2) / (abs(c1) + abs(c2))
        w = [c1 * x + c2 * y for x, y in zip(a, o)]
    s = sum(w)
    return [x / s for x in w]


def make_inputs():
    """Write inputs.json (hand-written matrices; random ones drawn with seed 20261123)."""
    rng = np.random.default_rng(20261123)
    scale = [1 / k for k in range(9, 1, -1)] + list(range(1, 10))

    def txt(v):
        return str(int(round(v))) if v >= 1 else f"1/{int(round(1 / v))}"

    def near_consistent(n, w):
        A = [["1"] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                r = np.log(w[i] / w[j]) + 0.4 * rng.standard_normal()
                v = min(scale, key=lambda s: abs(np.log(s) - r))
                A[i][j], A[j][i] = txt(v), txt(1 / v)
        return A

    house = [["1", "5", "3", "7", "6", "6", "1/3", "1/4"], ["1/5", "1", "1/3", "5", "3", "3", "1/5", "1/7"],
             ["1/3", "3", "1", "6", "3", "4", "6", "1/5"], ["1/7", "1/5", "1/6", "1", "1/3", "1/4", "1/7", "1/8"],
             ["1/6", "1/3", "1/3", "3", "1", "1/2", "1/5", "1/6"], ["1/6", "1/3", "1/4", "4", "2", "1", "1/5", "1/6"],
             ["3", "5", "1/6", "7", "5", "5", "1", "1/2"], ["4", "7", "5", "8", "6", "6", "2", "1"]]
    lin = np.linspace(2, 0.5, 9)
    inputs = {
        "note": "inputs of make_reference.py; ahp_matrices.saaty1990_house is Saaty (1990) EJOR 48, "
                "p. 15 (criteria of buying a house); the others are drawn near-consistent with seed 20261123",
        "ahp_matrices": {"saaty1990_house": house,
                         "three": [["1", "3", "5"], ["1/3", "1", "2"], ["1/5", "1/2", "1"]],
                         "five": near_consistent(5, [0.4, 0.25, 0.15, 0.12, 0.08]),
                         "nine": near_consistent(9, list(lin / lin.sum()))},
        "incomplete": {"labels": ["a", "b", "c", "d"],
                       "judgments": {"a|b": "2", "a|c": "4", "b|c": "3", "c|d": "2", "b|d": "5"}},
        "decision_matrix": {"values": np.round(rng.uniform(1, 10, (12, 5)), 2).tolist(),
                            "types": ["benefit", "cost", "benefit", "benefit", "cost"],
                            "weights": [0.3, 0.15, 0.25, 0.2, 0.1]},
        "fuzzy": {"weights": [0.4, 0.35, 0.25],
                  "membership": [[0.1, 0.2, 0.4, 0.2, 0.1], [0.0, 0.1, 0.3, 0.4, 0.2],
                                 [0.2, 0.3, 0.3, 0.2, 0.0]]},
        "combine": {"subjective": [0.3, 0.2, 0.4, 0.1], "objective": [0.1, 0.35, 0.25, 0.3], "alpha": 0.6},
    }
    (HERE / "inputs.json").write_text(json.dumps(inputs, indent=1))


def _try(fn):
    """The peer's result, or its error message (a documented difference of convention)."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - we record whatever the peer says
        return f"{type(exc).__name__}: {exc}"


def main():
    if not (HERE / "inputs.json").exists():
        make_inputs()
    import ahpy
    import pymcdm
    from pymcdm.methods import TOPSIS
    from pymcdm.normalizations import vector_normalization
    from pymcdm.weights import critic_weights as pm_critic, entropy_weights as pm_entropy
    from pyDecision.algorithm import ahp_method, critic_method, entropy_method
    import skcriteria as skc
    from skcriteria.agg.similarity import TOPSIS as SKTOPSIS
    from skcriteria.preprocessing.scalers import VectorScaler
    from skcriteria.preprocessing.weighters import critic_weights as sk_critic
    from skcriteria.preprocessing.weighters import entropy_weights as sk_entropy

    inputs = json.loads((HERE / "inputs.json").read_text())
    out = {"versions": {"ahpy": "2.1", "pymcdm": pymcdm.__version__ if hasattr(pymcdm, "__version__") else "1.4.0",
                        "pyDecision": "5.1.8", "scikit-criteria": skc.VERSION if hasattr(skc, "VERSION") else "0.10"}}
    # ---- AHP single matrices --------------------------------------------------------------
    ahp_out = {}
    for name, rows in inputs["ahp_matrices"].items():
        A = matrix(rows)
        n = len(A)
        labels = [f"C{i + 1}" for i in range(n)]
        comps = {(labels[i], labels[j]): A[i, j] for i in range(n) for j in range(i + 1, n)}
        rec = {}
        for ri in ("dd", "saaty"):
            c = ahpy.Compare(name, comps, precision=10, random_index=ri)
            rec[f"ahpy_{ri}_weights"] = [c.local_weights[l] for l in labels]
            rec[f"ahpy_{ri}_cr"] = float(c.consistency_ratio)
        for wd in ("me", "m", "g"):
            w, rc = ahp_method(A, wd=wd)
            rec[f"pydecision_{wd}_weights"] = [float(x) for x in w]
            rec[f"pydecision_{wd}_cr"] = float(rc)
        ahp_out[name] = rec
    out["ahp"] = ahp_out
    # ahpy's completion of an incomplete matrix (Bozóki et al. 2010, min lambda_max, cyclic coordinates)
    inc = inputs["incomplete"]
    comps = {tuple(k.split("|")): frac(v) for k, v in inc["judgments"].items()}
    c = ahpy.Compare("inc", comps, precision=10, random_index="saaty")
    out["incomplete_ahpy"] = {"weights": [c.local_weights[l] for l in inc["labels"]],
                              "cr": float(c.consistency_ratio)}
    # ---- objective weights -----------------------------------------------------------------
    X = np.array(inputs["decision_matrix"]["values"], dtype=float)
    types = inputs["decision_matrix"]["types"]
    cost_idx = [j for j, t in enumerate(types) if t == "cost"]
    cmax = ["max" if t == "benefit" else "min" for t in types]
    lo, hi = X.min(0), X.max(0)
    std = np.where(np.array(types) == "cost", (hi - X) / (hi - lo), (X - lo) / (hi - lo))
    out["entropy"] = {
        "textbook_loops": entropy_textbook(X.tolist(), cost=cost_idx),
        "skcriteria_on_minmax": [float(x) for x in sk_entropy(std)],
        "pymcdm_sum_benefit": [float(x) for x in pm_entropy(X)],
        "pymcdm_on_minmax": _try(lambda: [float(x) for x in pm_entropy(std)]),
        "pydecision_sum_types": [float(x) for x in entropy_method(X, cmax)],
    }
    out["critic"] = {
        "pymcdm_benefit": [float(x) for x in pm_critic(X)],
        "pydecision_types": [float(x) for x in critic_method(X, cmax)],
        "skcriteria_types": [float(x) for x in sk_critic(X, [1 if x == "benefit" else -1 for x in types])],
    }
    # ---- TOPSIS ----------------------------------------------------------------------------
    w = np.array(inputs["decision_matrix"]["weights"], dtype=float)
    t = np.array([1 if x == "benefit" else -1 for x in types])
    dm = skc.mkdm(X, [max if x == "benefit" else min for x in types], weights=w)
    sk = SKTOPSIS().evaluate(VectorScaler(target="matrix").transform(dm))
    out["topsis"] = {
        "pymcdm_vector": [float(x) for x in TOPSIS(vector_normalization)(X, w, t)],
        "pymcdm_minmax": [float(x) for x in TOPSIS()(X, w, t)],
        "skcriteria_vector": [float(x) for x in sk.e_.similarity],
    }
    # ---- fuzzy composition and combination (independent loops) -----------------------------
    fz = inputs["fuzzy"]
    out["fuzzy"] = {op: compose(fz["weights"], fz["membership"], op)
                    for op in ("weighted_average", "min_max", "product_max", "min_bounded")}
    cb = inputs["combine"]
    out["combine"] = {m: combine(cb["subjective"], cb["objective"], m, cb["alpha"])
                      for m in ("linear", "multiplicative", "mdi", "game_theory")}
    (HERE / "peers.json").write_text(json.dumps(out, indent=1))
    print("wrote", HERE / "peers.json")


if __name__ == "__main__":
    main()
