"""Regenerate the shipped simulated B2B customers (python data/b2b_customers/make_data.py).

Writes into this folder (or the folder given as the first argument): customers.csv,
judgments.csv, latent.csv (the true latent scores and value per customer) and truth.yaml.
tests/test_customer_value_system.py regenerates the tables in memory and compares, so the shipped
files and the generator cannot drift apart.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import yaml

from crmstudy.simulate.b2b import B2B_SEED, b2b_customers

N_CUSTOMERS = 150


def build():
    """The shipped instance: 150 customers, 3 AHP experts, seed 20261123."""
    return b2b_customers(N_CUSTOMERS, seed=B2B_SEED)


def main(out: Path) -> None:
    sim = build()
    sim.customers.to_csv(out / "customers.csv", index=False)
    sim.judgments.to_csv(out / "judgments.csv", index=False)
    latent = sim.truth.latent.copy()
    latent["true_value"] = sim.truth.value
    latent["true_class"] = sim.truth.true_class
    latent.round(6).reset_index().to_csv(out / "latent.csv", index=False)
    (out / "truth.yaml").write_text(
        "# Generating parameters of the shipped B2B customers (crmstudy.simulate.b2b)\n"
        + yaml.safe_dump(sim.truth.to_dict(), allow_unicode=True, sort_keys=False), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
