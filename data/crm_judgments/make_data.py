"""Regenerate the shipped simulated AHP judgments (python data/crm_judgments/make_data.py).

Writes into this folder (or the folder given as the first argument): judgments.csv and
truth.yaml.  tests/test_ahp.py::test_shipped_judgments_match_generator regenerates the table in
memory and compares, so the shipped file and the generator cannot drift apart.
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

from crmstudy.simulate.judgments import JUDGMENTS_SEED, crm_judgments

N_EXPERTS = 6


def build():
    """The shipped instance: 6 experts (E6 careless), seed 20261123."""
    return crm_judgments(n_experts=N_EXPERTS, seed=JUDGMENTS_SEED)


def main(out: Path) -> None:
    sim = build()
    sim.judgments.to_csv(out / "judgments.csv", index=False)
    (out / "truth.yaml").write_text(
        "# Generating parameters of the shipped AHP judgments (crmstudy.simulate.judgments)\n"
        + yaml.safe_dump(sim.to_dict(), allow_unicode=True, sort_keys=False), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
