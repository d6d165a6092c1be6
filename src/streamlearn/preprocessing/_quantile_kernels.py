"""P² running quantiles (Jain & Chlamtac 1985) and the clipping kernel that uses them."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _adjust(h, n, i, s):
    """Move marker ``i`` one position in direction ``s``: parabolic (P²) formula, or linear
    when the parabola would leave the neighbouring heights."""
    parabolic = h[i] + s / (n[i + 1] - n[i - 1]) * (
        (n[i] - n[i - 1] + s) * (h[i + 1] - h[i]) / (n[i + 1] - n[i])
        + (n[i + 1] - n[i] - s) * (h[i] - h[i - 1]) / (n[i] - n[i - 1]))
    if h[i - 1] < parabolic < h[i + 1]:
        h[i] = parabolic
    else:
        j = i + int(s)
        h[i] = h[i] + s * (h[j] - h[i]) / (n[j] - n[i])
    n[i] += s


@njit(cache=True)
def p2_update(x, q, count, h, n, desired):
    """Learn ``x``; ``count`` is the number of values learnt before it."""
    if count < 5:  # the first five values are kept sorted
        k = int(count)
        while k > 0 and h[k - 1] > x:
            h[k] = h[k - 1]
            k -= 1
        h[k] = x
        if count == 4:
            for i in range(5):
                n[i] = i + 1.0
            desired[0], desired[1], desired[2] = 1.0, 1.0 + 2.0 * q, 1.0 + 4.0 * q
            desired[3], desired[4] = 3.0 + 2.0 * q, 5.0
        return
    if x < h[0]:
        h[0] = x
        k = 0
    elif x >= h[4]:
        h[4] = x
        k = 3
    else:
        k = 0
        while k < 3 and h[k + 1] <= x:
            k += 1
    for i in range(k + 1, 5):
        n[i] += 1.0
    desired[1] += q / 2.0
    desired[2] += q
    desired[3] += (1.0 + q) / 2.0
    desired[4] += 1.0
    for i in range(1, 4):
        delta = desired[i] - n[i]
        if (delta >= 1.0 and n[i + 1] - n[i] > 1.0) or (delta <= -1.0 and n[i - 1] - n[i] < -1.0):
            _adjust(h, n, i, 1.0 if delta > 0 else -1.0)


@njit(cache=True)
def p2_estimate(q, count, h):
    """The quantile estimate (NaN before any value); up to five values, the order statistic
    ``floor(q * count)`` of the values, as River's ``stats.Quantile``."""
    if count == 0:
        return math.nan
    if count <= 5:
        return h[min(math.floor(q * count), int(count) - 1)]
    return h[2]


@njit(cache=True)
def _clip(value, low, high):
    if value < low:  # comparisons with NaN are False: NaN stays NaN
        return low
    if value > high:
        return high
    return value


@njit(cache=True)
def _bounds(r, count, low_q, low_h, high_q, high_h, low_fixed, high_fixed):
    low, high = low_fixed, high_fixed
    if low_q > 0.0 and count[r] > 0:
        low = p2_estimate(low_q, count[r], low_h[r])
    if high_q > 0.0 and count[r] > 0:
        high = p2_estimate(high_q, count[r], high_h[r])
    return low, high


@njit(cache=True)
def quantile_clip(X_pred, X_learn, learn, rows, count, low_q, low_h, low_n, low_d,
                  high_q, high_h, high_n, high_d, low_fixed, high_fixed, out_pred, out_learn):
    """Clip to running quantiles (a quantile of 0 means that side uses the fixed bound)."""
    n_rows, d = X_pred.shape
    for i in range(n_rows):
        for j in range(d):
            r = rows[j]
            low, high = _bounds(r, count, low_q, low_h, high_q, high_h, low_fixed, high_fixed)
            out_pred[i, j] = _clip(X_pred[i, j], low, high)
        if learn[i]:
            for j in range(d):
                value = X_learn[i, j]
                if not abs(value) < math.inf:
                    continue
                r = rows[j]
                if low_q > 0.0:
                    p2_update(value, low_q, count[r], low_h[r], low_n[r], low_d[r])
                if high_q > 0.0:
                    p2_update(value, high_q, count[r], high_h[r], high_n[r], high_d[r])
                count[r] += 1.0
        for j in range(d):
            r = rows[j]
            low, high = _bounds(r, count, low_q, low_h, high_q, high_h, low_fixed, high_fixed)
            out_learn[i, j] = _clip(X_learn[i, j], low, high)


def empty_markers(count: int) -> np.ndarray:
    return np.zeros((count, 5))
