"""Shared loaders of the CDNOW sample used by the customer-value model tests."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from crmstudy import datasets
from crmstudy.customer_value import summary_data


def cdnow_sample_summary() -> pd.DataFrame:
    """The CDNOW sample's summary as in Fader, Hardie & Lee (2005): calibration to 1997-09-30,
    holdout to 1998-06-30, weeks."""
    return summary_data(datasets.load("cdnow_sample"), "customer_id", "date", "dollar_value",
                        calibration_end="1997-09-30", observation_end="1998-06-30", freq="W")


def peer_table(path: Path) -> pd.DataFrame:
    """Hardie's CDNOW summary with a peer's predictions (same inputs for both libraries)."""
    table = pd.read_csv(path, index_col="ID")
    table.attrs["time_unit"] = "W"
    return table
