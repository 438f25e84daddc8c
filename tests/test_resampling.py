"""crmstudy.resampling.DrawAhead: the draws of a bootstrap made ahead in a second thread."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from crmstudy.resampling import DrawAhead


@pytest.mark.parametrize("threaded", [False, True])
def test_draws_in_order_from_one_stream(threaded):
    """Blocks drawn ahead from one generator are the rows of one call (the stream is kept)."""
    rng = np.random.default_rng(7)
    threads = set()

    def draw(start):
        threads.add(threading.current_thread().name)
        return rng.integers(0, 300, size=(min(64, 1000 - start), 300))

    with DrawAhead(draw, range(0, 1000, 64), ahead=3, threaded=threaded) as blocks:
        stacked = np.vstack(list(blocks))
    np.testing.assert_array_equal(stacked, np.random.default_rng(7).integers(0, 300, (1000, 300)))
    assert len(threads) == 1
    assert next(iter(threads)).startswith("crmstudy-draws") == threaded


def test_holds_at_most_ahead_blocks_and_stops_early():
    """Leaving after two blocks has drawn at most ``ahead`` more held ready and one in the
    making, and the worker thread ends."""
    drawn = []
    started = threading.Event()

    def draw(key):
        drawn.append(key)
        started.set()
        return key

    with DrawAhead(draw, range(100), ahead=2) as blocks:
        assert [next(blocks), next(blocks)] == [0, 1]
    assert len(drawn) <= 2 + 2 + 1
    assert started.is_set()
    assert not any(t.name.startswith("crmstudy-draws") for t in threading.enumerate())


def test_an_error_in_drawing_reaches_the_caller():
    def draw(key):
        if key == 2:
            raise ValueError("bad block 2")
        return key

    with DrawAhead(draw, range(5), ahead=2) as blocks:
        assert next(blocks) == 0 and next(blocks) == 1
        with pytest.raises(ValueError, match="bad block 2"):
            next(blocks)


def test_empty_keys():
    with DrawAhead(lambda key: key, [], ahead=2) as blocks:
        assert list(blocks) == []


def test_counts_of_resamples_are_bincounts():
    """Row indices -> positions -> counts: each resample's counts are ``np.bincount`` of its
    draws (exactly), also placed at a later row of the buffer and written over old counts."""
    from crmstudy.resampling import count_resamples, resample_positions

    draws = np.random.default_rng(3).integers(0, 7, size=(5, 7), dtype=np.uint16)
    buffer = np.full(60, 99.0)
    counts = count_resamples(resample_positions(draws, 7), buffer)
    expected = np.array([np.bincount(row, minlength=7) for row in draws], dtype=float)
    np.testing.assert_array_equal(counts, expected)
    assert counts.base is buffer or np.shares_memory(counts, buffer)
    shifted = resample_positions(draws, 7, first=2)
    np.testing.assert_array_equal(shifted, resample_positions(draws, 7) + 14)
    inplace = draws.astype(np.intp)
    assert resample_positions(inplace, 7, out=inplace) is inplace
    np.testing.assert_array_equal(inplace, resample_positions(draws, 7))
