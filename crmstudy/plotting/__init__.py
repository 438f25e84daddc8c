"""Figures with Chinese and English labels (placeholder: theme and fonts land next)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)


def set_theme(lang: str = "zh", context: str = "notebook", **kwargs) -> None:
    import seaborn as sns

    sns.set_theme(context=context, style="whitegrid", **kwargs)
