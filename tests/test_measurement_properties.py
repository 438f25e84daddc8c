"""Properties that must hold for any data (hypothesis): invariances of alpha and omega, and
reverse coding as an involution."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from crmstudy.measurement import Codebook, cronbach_alpha, omega_total, prepare

seeds = st.integers(0, 2 ** 32 - 1)


def likert(seed: int, n: int = 60, k: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    latent = rng.standard_normal((n, 1)) * 0.7 + rng.standard_normal((n, k)) * 0.7
    return pd.DataFrame(np.clip(np.round(4 + 1.2 * latent), 1, 7),
                        columns=[f"q{j}" for j in range(k)])


@settings(max_examples=25, deadline=None)
@given(seeds, st.permutations(range(5)), st.floats(0.5, 3.0), st.floats(-5, 5))
def test_alpha_is_invariant_to_item_order_and_linear_rescaling(seed, order, scale, shift):
    x = likert(seed)
    a = cronbach_alpha(x)
    b = cronbach_alpha(x.iloc[:, list(order)] * scale + shift)
    assert np.isclose(a.alpha, b.alpha, atol=1e-12) and np.isclose(a.std_alpha, b.std_alpha, atol=1e-12)
    # omega works on correlations: invariant to each item's own scale
    per_item = x * np.linspace(0.5, 2.0, x.shape[1]) + 3
    assert np.isclose(omega_total(x).omega, omega_total(per_item).omega, atol=1e-8)


@settings(max_examples=25, deadline=None)
@given(seeds)
def test_reverse_coding_twice_returns_the_answers(seed):
    x = likert(seed).astype(int)
    x.insert(0, "id", [f"r{i}" for i in range(len(x))])
    book = Codebook.from_frame(pd.DataFrame({"item": x.columns[1:], "construct": "S", "min": 1,
                                             "max": 7, "reverse": True}))
    once = prepare(x, book, id_col="id").items
    twice = prepare(once.reset_index(), book, id_col="id").items
    pd.testing.assert_frame_equal(twice, x.set_index("id").astype(float))
    # alpha of a fully reversed scale is unchanged
    assert np.isclose(cronbach_alpha(once).alpha, cronbach_alpha(x.set_index("id")).alpha)
