"""Sequential accumulation: batch updates that equal event-by-event updates bit for bit.

A sum taken batch by batch (``total += values.sum()``) depends on where the batches were
cut; adding the values one after another, in stream order, does not. Checkpoint replays cut
the stream differently from an uninterrupted run, so metric state must not depend on it.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def sequential_sum(total: float, values: np.ndarray) -> float:
    """``total + values[0] + values[1] + ...``, added left to right."""
    if len(values) == 0:
        return total
    return float(np.add.accumulate(np.concatenate(([total], values)))[-1])


@njit(cache=True)
def welford_with_errors(y, y_hat, n, mean, sum_of_squares, squared_error_sum):
    """Welford's running mean and sum of squares of ``y`` and the running sum of squared
    errors, event after event; returns the four updated values."""
    for i in range(len(y)):
        n += 1
        delta = y[i] - mean
        mean += delta / n
        sum_of_squares += delta * (y[i] - mean)
        squared_error_sum += (y[i] - y_hat[i]) ** 2
    return n, mean, sum_of_squares, squared_error_sum


@njit(cache=True)
def sorted_window_push(ring, ordered, head, size, value):
    """Put ``value`` into the sliding window of the last ``len(ring)`` values: ``ring`` holds
    them in arrival order (``head`` is the next slot), ``ordered[:size]`` the same values
    sorted; the oldest leaves when the window is full. Returns the new ``(head, size)``."""
    window = ring.shape[0]
    if size == window:
        at = np.searchsorted(ordered[:size], ring[head])
        for j in range(at, size - 1):
            ordered[j] = ordered[j + 1]
        size -= 1
    at = np.searchsorted(ordered[:size], value)
    for j in range(size, at, -1):
        ordered[j] = ordered[j - 1]
    ordered[at] = value
    ring[head] = value
    return (head + 1) % window, size + 1
