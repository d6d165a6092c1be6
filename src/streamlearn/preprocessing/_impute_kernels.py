"""Numba kernels of the imputers: causal row loops over a micro-batch."""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True)
def mean_impute(X_pred, X_learn, learn, rows, count, mean, out_pred, out_learn):
    """Running mean per feature over finite values (the update of River's ``stats.Mean``)."""
    n, d = X_pred.shape
    for i in range(n):
        for j in range(d):
            value = X_pred[i, j]
            out_pred[i, j] = value if abs(value) < math.inf else mean[rows[j]]
        if learn[i]:
            for j in range(d):
                value = X_learn[i, j]
                if abs(value) < math.inf:
                    r = rows[j]
                    count[r] += 1.0
                    mean[r] += (value - mean[r]) / count[r]
        for j in range(d):
            value = X_learn[i, j]
            out_learn[i, j] = value if abs(value) < math.inf else mean[rows[j]]


@njit(cache=True)
def _previous(last, seen, r, slot):
    # the slot's last value, else that of any key (slot 0), which is 0 until one is seen
    return last[r, slot] if seen[r, slot] > 0.0 else last[r, 0]


@njit(cache=True)
def previous_impute(X_pred, X_learn, learn, rows, slots_pred, slots_learn, last, seen,
                    out_pred, out_learn):
    """Last finite value per feature and key slot (slot 0: any key)."""
    n, d = X_pred.shape
    for i in range(n):
        for j in range(d):
            value = X_pred[i, j]
            out_pred[i, j] = value if abs(value) < math.inf else _previous(
                last, seen, rows[j], slots_pred[i])
        slot = slots_learn[i]
        if learn[i]:
            for j in range(d):
                value = X_learn[i, j]
                if abs(value) < math.inf:
                    last[rows[j], slot] = value
                    last[rows[j], 0] = value
                    seen[rows[j], slot] = 1.0
                    seen[rows[j], 0] = 1.0
        for j in range(d):
            value = X_learn[i, j]
            out_learn[i, j] = value if abs(value) < math.inf else _previous(
                last, seen, rows[j], slot)


@njit(cache=True)
def most_frequent(codes, learn, counts, mode, mode_pred, mode_learn):
    """Running mode of one categorical column; ties go to the value seen first (as
    ``max`` over an insertion-ordered dict of counts, River's ``stats.Mode``)."""
    for i in range(len(codes)):
        mode_pred[i] = mode
        code = codes[i]
        if learn[i] and code >= 0:
            counts[code] += 1
            if mode < 0 or counts[code] > counts[mode] or (
                    counts[code] == counts[mode] and code < mode):
                mode = code
        mode_learn[i] = mode
