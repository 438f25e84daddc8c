"""Reference inputs and peer results of chapter 03 (tests/reference/weighting), loaded once."""
import json
from pathlib import Path

import pandas as pd

REF = Path(__file__).parent / "reference" / "weighting"
INPUTS = json.loads((REF / "inputs.json").read_text())
PEERS = json.loads((REF / "peers.json").read_text())
DM = INPUTS["decision_matrix"]
X = pd.DataFrame(DM["values"], columns=[f"C{j + 1}" for j in range(5)])
DIRS = {c: t for c, t in zip(X.columns, DM["types"])}
W = pd.Series(DM["weights"], index=X.columns)
