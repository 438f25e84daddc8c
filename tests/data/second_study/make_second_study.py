"""Make the second study fixture (python tests/data/second_study/make_second_study.py).

A study shaped unlike the sample one, to show that nothing in crmstudy assumes the sample's
names or inputs: 180 respondents, a 5-point scale, Chinese construct names, performance
measured by questionnaire only (no statements, no transactions, no judgments), one mediator,
other controls, no attention-check item, missing-value code 9, id column ``resp_id``.

Truth (latent, standardised scale; written to ``truth.yaml``)::

    数字能力 (x)   ~ N(0, 1)                     digital capability
    CI (w)        ~ N(0, 1), corr(x, w) = 0.2    competitive intensity
    CS (m)        = 0.50 x + 0.20 w + 0.35 x·w + e_m    customer satisfaction
    MP (y)        = 0.40 CS + 0.20 x + 0.15 z_size + e_y  market performance

so the indirect effect of x through CS at w = 0 is 0.50 × 0.40 = 0.20, and the index of
moderated mediation (first stage) is 0.35 × 0.40 = 0.14.  Each construct has four items
(CI three, CI3 reverse-keyed) with standardised loading 0.80, cut into 1..5 at
-1.5, -0.5, 0.5, 1.5 SD.  Controls: employees (log-normal; log(employees) enters MP),
region (east / central / west, no effect), years (no effect).
"""
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
N = 180
SEED = 20261201
LOADING = 0.80
TRUTH = {"CS": {"数字能力": 0.50, "CI": 0.20, "数字能力:CI": 0.35},
         "MP": {"CS": 0.40, "数字能力": 0.20, "z_size": 0.15},
         "indirect_at_w0": 0.20, "index_of_moderated_mediation": 0.14, "corr_x_w": 0.2,
         "loading": LOADING}
ITEMS = {"数字能力": ["DG1", "DG2", "DG3", "DG4"], "CI": ["CI1", "CI2", "CI3"],
         "CS": ["CS1", "CS2", "CS3", "CS4"], "MP": ["MP1", "MP2", "MP3", "MP4"]}
LABELS = {"数字能力": ("数字能力", "Digital capability"), "CI": ("竞争强度", "Competitive intensity"),
          "CS": ("客户满意", "Customer satisfaction"), "MP": ("市场绩效", "Market performance")}
REVERSE = {"CI3"}


def simulate(seed: int = SEED):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(N)
    w = 0.2 * x + np.sqrt(1 - 0.2 ** 2) * rng.standard_normal(N)
    employees = np.round(np.exp(rng.normal(5.0, 0.9, N))).astype(int) + 5
    z_size = (np.log(employees) - np.log(employees).mean()) / np.log(employees).std()
    cs = 0.50 * x + 0.20 * w + 0.35 * x * w + rng.normal(0, 0.8, N)
    mp = 0.40 * cs + 0.20 * x + 0.15 * z_size + rng.normal(0, 0.8, N)
    latent = pd.DataFrame({"resp_id": [f"R{i:03d}" for i in range(1, N + 1)], "数字能力": x, "CI": w,
                           "CS": cs, "MP": mp})
    answers = {"resp_id": latent["resp_id"]}
    for construct, items in ITEMS.items():
        eta = latent[construct].to_numpy()
        eta = (eta - eta.mean()) / eta.std()
        for item in items:
            y = LOADING * eta + np.sqrt(1 - LOADING ** 2) * rng.standard_normal(N)
            answer = 1 + np.searchsorted([-1.5, -0.5, 0.5, 1.5], y)
            answers[item] = 6 - answer if item in REVERSE else answer
    frame = pd.DataFrame(answers)
    for row, col in zip(rng.integers(0, N, 12), rng.choice(sum(ITEMS.values(), []), 12)):
        frame.loc[row, col] = 9   # "no answer"
    frame["employees"] = employees
    frame["region"] = rng.choice(["east", "central", "west"], N, p=[0.5, 0.3, 0.2])
    frame["years"] = rng.integers(2, 40, N)
    return frame, latent


def codebook() -> pd.DataFrame:
    rows = []
    for construct, items in ITEMS.items():
        for item in items:
            rows.append({"item": item, "construct": construct, "text_zh": f"{LABELS[construct][0]}题项{item[-1]}",
                         "text_en": f"{LABELS[construct][1]} item {item[-1]}", "min": 1, "max": 5,
                         "reverse": item in REVERSE, "missing_codes": "9",
                         "construct_zh": LABELS[construct][0], "construct_en": LABELS[construct][1]})
    return pd.DataFrame(rows)


STUDY = """\
# The second study of the tests (made by make_second_study.py): questionnaire-only performance.
lang: en
id_col: resp_id
attention_item: ''
drop_careless: false
model:
  id: resp_id
  x: 数字能力
  y: [MP]
  w: [CI]
  m: [CS]
  controls: [log(employees), {region: east}, years]
  hypotheses:
    H1: {x: 数字能力, y: MP, sign: +}
    H2: {x: 数字能力, y: CS, sign: +}
    H3: {x: 数字能力, y: CS, w: CI, sign: +}
    H4: {x: 数字能力, m: CS, y: MP, sign: +}
    H5: {x: 数字能力, m: CS, y: MP, w: CI, stage: first, sign: +}
chapters:
  01_framework:
    survey: responses.csv
    financials: ''
    transactions: ''
  02_measurement:
    survey: responses.csv
    codebook: codebook.csv
    efa_constructs: []
    n_boot: 200
    truth: ''
  04_performance_moderation:
    survey: responses.csv
    codebook: codebook.csv
    financials: ''
    latent: ''
    truth: ''
    n_boot: 1000
"""


# Chapters 03 (the CRM capability indicator system, A11..A36, and expert judgments) and 05
# (transactions, B2B customers) do not apply to this study.


def main():
    frame, latent = simulate()
    frame.to_csv(HERE / "responses.csv", index=False)
    codebook().to_csv(HERE / "codebook.csv", index=False)
    latent.to_csv(HERE / "latent.csv", index=False)
    (HERE / "truth.yaml").write_text(yaml.safe_dump(TRUTH, allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
    (HERE / "study.yaml").write_text(STUDY, encoding="utf-8")
    print(f"wrote {len(frame)} respondents to {HERE}")


if __name__ == "__main__":
    main()
