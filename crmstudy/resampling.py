"""Case-resampling machinery shared by the bootstraps: resamples as counts, drawn ahead.

A resample of n respondents is represented by how often it draws each one (a count vector),
so that its moments are matrix products; :func:`resample_positions` and
:func:`count_resamples` turn row indices into those counts for a block of resamples at once.

A vectorised bootstrap spends a third to a half of its time drawing row indices
(``Generator.integers``), which numpy does without holding the GIL, and the rest counting
them (``np.add.at``, which holds it) and multiplying (BLAS, which does not).  :class:`DrawAhead`
calls one drawing function for a sequence of keys, in order, in one worker thread, at most
``ahead`` keys ahead of the caller: on two cores the drawing then costs almost no wall time.
The worker makes the very calls the caller would make, in the same order, so a random stream
shared by the calls (one generator) is unchanged: results do not depend on the threading.
"""
from __future__ import annotations

import queue
import threading
from typing import Callable, Hashable, Iterable

import numpy as np

#: Total draws (resamples x respondents) from which drawing ahead in a thread pays: starting
#: the thread costs ~0.1 ms, drawing 250,000 16-bit indices ~0.5 ms.
THREAD_MIN_DRAWS = 250_000

_END = object()


def resample_positions(draws: np.ndarray, n: int, first: int = 0,
                       out: np.ndarray | None = None) -> np.ndarray:
    """Positions of ``draws`` (resamples x n row indices 0..n-1) in a flat buffer of n
    counters per resample, whose row ``first`` is the first of these resamples: resample r's
    draws shifted into ``(first + r) n .. (first + r) n + n - 1`` (intp; in ``out`` if given,
    which may be ``draws`` itself)."""
    if out is None:
        out = np.empty(draws.shape, dtype=np.intp)
    if out is not draws:
        out[...] = draws        # a plain widening copy, then a same-type add: faster than
    out += ((first + np.arange(len(draws), dtype=np.intp)) * n)[:, None]     # a mixed one
    return out


def count_resamples(positions: np.ndarray, buffer: np.ndarray) -> np.ndarray:
    """How often each of n respondents is drawn in each resample (float64, resamples x n),
    from :func:`resample_positions` (resamples x n); a view of ``buffer`` (float64, at least
    as many elements), overwritten.  One unbuffered ``np.add.at`` counts every resample
    straight into floats (2.5x faster than ``np.bincount`` followed by a conversion)."""
    size, n = positions.shape
    counts = buffer.reshape(-1)[:size * n]
    counts.fill(0.0)
    np.add.at(counts, positions.reshape(-1), 1.0)
    return counts.reshape(size, n)


class DrawAhead:
    """Iterate over ``draw(key)`` for ``key in keys``, drawn in order ahead of the caller.

    Parameters
    ----------
    draw : callable
        Called once per key, in the order of ``keys``, always from the same thread.
    keys : iterable
        What to draw, in order (e.g. block numbers).
    ahead : int
        Results held ready at most (bounds memory: ``ahead`` blocks of indices).
    threaded : bool
        False draws each block in the caller's thread when it is asked for (same results).

    Drawing starts when the object is made, so the caller can do other work meanwhile.  Use it
    as a context manager (or call :meth:`close`): leaving early, by an error or an interrupt,
    stops the drawing after the block being drawn.
    """

    def __init__(self, draw: Callable, keys: Iterable[Hashable], ahead: int = 2,
                 threaded: bool = True):
        self._draw = draw
        self._keys = iter(keys)
        self._thread = None
        if threaded:
            # one plain thread and a bounded queue: a thread pool's futures cost ~25 us a block
            self._ready: queue.Queue = queue.Queue(maxsize=max(1, int(ahead)))
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._work, name="crmstudy-draws",
                                            daemon=True)
            self._thread.start()

    def _work(self) -> None:
        try:
            for key in self._keys:
                if self._stop.is_set() or not self._hand_over((True, self._draw(key))):
                    return
            self._hand_over((False, _END))
        except BaseException as error:      # handed to the caller, raised there
            self._hand_over((False, error))

    def _hand_over(self, item) -> bool:
        """Queue ``item`` once there is room; False if the caller stopped meanwhile."""
        while not self._stop.is_set():
            try:
                self._ready.put(item, timeout=0.05)
                return True
            except queue.Full:
                pass
        return False

    def __iter__(self):
        return self

    def __next__(self):
        if self._thread is None:
            return self._draw(next(self._keys))
        if self._stop.is_set():
            raise StopIteration
        ok, value = self._ready.get()
        if ok:
            return value
        self.close()
        if value is _END:
            raise StopIteration
        raise value

    def close(self) -> None:
        """Stop drawing; wait for the block being drawn (it is short)."""
        if self._thread is None:
            return
        self._stop.set()
        while self._thread.is_alive():      # free a slot, should the worker wait on a full queue
            try:
                self._ready.get_nowait()
            except queue.Empty:
                pass
            self._thread.join(timeout=0.01)

    def __enter__(self) -> "DrawAhead":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
