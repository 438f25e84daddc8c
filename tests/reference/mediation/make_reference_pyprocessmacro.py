"""Reference values of crmstudy.mediation from pyprocessmacro 2.2 (Process) on the public data
sets of make_reference_r.R (tal_or.csv, garcia.csv).

Run from the repository root with pyprocessmacro installed (it runs in the project venv):

    python tests/reference/mediation/make_reference_pyprocessmacro.py

Writes pyprocessmacro_reference.json: for each case, the tidy() table of pyprocessmacro
(coefficients of every outcome model with their SEs; direct, indirect and total effects;
index of moderated mediation) with 5,000 resamples, both percentile (percent=True, PROCESS 3+
default) and bias-corrected (percent=False, PROCESS 2 default) bootstrap intervals, moderators
probed at the mean and ± 1 SD (spotlight="moments").  pyprocessmacro follows the PROCESS 2.16
numbering of the moderator symbols: in model 14 the moderator is ``v``.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyprocessmacro
from pyprocessmacro import Process

HERE = Path(__file__).resolve().parent
N_BOOT = 5000
SEED = 20261201
CASES = {
    "tal_m4": dict(data="tal_or.csv", model=4, x="cond", y="reaction", m=["pmi"]),
    "tal_m4_parallel": dict(data="tal_or.csv", model=4, x="cond", y="reaction",
                            m=["import", "pmi"]),
    "tal_m6": dict(data="tal_or.csv", model=6, x="cond", y="reaction", m=["import", "pmi"]),
    "garcia_m7": dict(data="garcia.csv", model=7, x="prot2", y="liking", m=["respappr"],
                      w="sexism"),
    "garcia_m8": dict(data="garcia.csv", model=8, x="prot2", y="liking", m=["respappr"],
                      w="sexism"),
    "garcia_m14": dict(data="garcia.csv", model=14, x="prot2", y="liking", m=["respappr"],
                       v="sexism"),
    "garcia_m58": dict(data="garcia.csv", model=58, x="prot2", y="liking", m=["respappr"],
                       w="sexism"),
}


def run(case: dict, percent: bool) -> list[dict]:
    kw = dict(case)
    data = pd.read_csv(HERE / kw.pop("data"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = Process(data=data, boot=N_BOOT, seed=SEED, percent=percent, spotlight="moments",
                    suppr_init=True, total=True, **kw)
        tidy = p.tidy()
    tidy = tidy.replace({np.nan: None})
    return json.loads(tidy.to_json(orient="records", double_precision=15))


def main() -> None:
    out = {"generated_by": "tests/reference/mediation/make_reference_pyprocessmacro.py",
           "pyprocessmacro": getattr(pyprocessmacro, "__version__", "2.2"),
           "numpy": np.__version__, "pandas": pd.__version__, "n_boot": N_BOOT, "seed": SEED,
           "spotlight": "moments", "cases": {}}
    for name, case in CASES.items():
        out["cases"][name] = {"spec": case, "percentile": run(case, True),
                              "bc": run(case, False)}
        print(name, "done")
    (HERE / "pyprocessmacro_reference.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
