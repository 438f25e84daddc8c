"""Regenerate the shipped simulated CRM study (run from anywhere: python data/crm_survey/make_data.py).

Writes into this folder: responses.csv, codebook.csv, financials.csv, latent.csv, truth.yaml.
The test tests/test_simulate.py::test_shipped_instance_matches_generator regenerates them in
memory and compares, so the shipped files and the generator cannot drift apart.
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

from crmstudy.simulate import SHIPPED_SEED, crm_survey

N_FIRMS = 300


def build():
    """The shipped instance: 300 firms, seed 20261123."""
    return crm_survey(n_firms=N_FIRMS, seed=SHIPPED_SEED)


def main(out: Path) -> None:
    study = build()
    study.responses.to_csv(out / "responses.csv", index=False)
    study.codebook.to_csv(out / "codebook.csv", index=False)
    study.financials.to_csv(out / "financials.csv", index=False)
    study.truth.latent.reset_index().to_csv(out / "latent.csv", index=False, float_format="%.10g")
    (out / "truth.yaml").write_text(
        "# Generating parameters of the shipped simulated study (crmstudy.simulate.crm_survey)\n"
        + yaml.safe_dump(study.truth.to_dict(), allow_unicode=True, sort_keys=False),
        encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
