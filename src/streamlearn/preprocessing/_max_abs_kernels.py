"""Numba kernel of the max-abs scaler: a causal row loop over a micro-batch."""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True)
def _divide(value, max_abs):
    if value != value:
        return math.nan
    if max_abs > 0.0:
        return value / max_abs
    return 0.0


@njit(cache=True)
def max_abs_scale(X_pred, X_learn, learn, rows, max_abs, out_pred, out_learn):
    """Running maximum of |x| per feature; non-finite values are not learnt."""
    n, d = X_pred.shape
    for i in range(n):
        for j in range(d):
            out_pred[i, j] = _divide(X_pred[i, j], max_abs[rows[j]])
        if not learn[i]:
            continue
        for j in range(d):
            value = abs(X_learn[i, j])
            if value < math.inf:  # False for NaN and infinity
                r = rows[j]
                max_abs[r] = max(max_abs[r], value)
        for j in range(d):
            out_learn[i, j] = _divide(X_learn[i, j], max_abs[rows[j]])
