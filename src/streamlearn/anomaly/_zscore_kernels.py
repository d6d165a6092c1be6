"""Numba kernel of the robust z-score: per feature, the last values learnt in a ring buffer
and the same values kept sorted, so that the median and the median absolute deviation (MAD)
are refreshed in O(window) after each learnt value."""

from __future__ import annotations

import math

from numba import njit

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")

MAD_TO_SIGMA = 1.4826  # the MAD of a normal distribution is 0.6745 sigma


@helper
def insertion_point(values, n, x):
    """The first index of ``values[:n]`` (sorted) holding a value >= ``x``."""
    low, high = 0, n
    while low < high:
        middle = (low + high) // 2
        if values[middle] < x:
            low = middle + 1
        else:
            high = middle
    return low


@helper
def median_and_mad(values, n):
    """The median of ``values[:n]`` (sorted) and the median of the absolute deviations from
    it, merging the deviations below and above the median outwards from the middle."""
    median = values[n // 2] if n % 2 else 0.5 * (values[n // 2 - 1] + values[n // 2])
    below = insertion_point(values, n, median) - 1  # deviations grow leftwards from here
    above = below + 1                               # and rightwards from here
    first = 0.0
    second = 0.0
    for rank in range(n // 2 + 1):
        if below >= 0 and (above >= n or median - values[below] <= values[above] - median):
            deviation = median - values[below]
            below -= 1
        else:
            deviation = values[above] - median
            above += 1
        if rank == (n - 1) // 2:
            first = deviation
        second = deviation
    return median, 0.5 * (first + second)


@kernel
def robust_zscore(X_pred, X_learn, learn, rows, ring, ordered, count, position, median,
                  scale, grace_period, min_scale, out):
    """Row ``i``'s score is the largest ``|x - median| / scale`` over its present features
    that have ``grace_period`` values or more (0 if none), from ``X_pred``; then, if learnt,
    each present value of ``X_learn[i]`` replaces its feature's oldest one."""
    window = ring.shape[1]
    for i in range(X_pred.shape[0]):
        score = 0.0
        for j in range(X_pred.shape[1]):
            x = X_pred[i, j]
            r = rows[j]
            if abs(x) < math.inf and count[r] >= grace_period:
                z = abs(x - median[r]) / scale[r]
                if z > score:
                    score = z
        out[i] = score
        if not learn[i]:
            continue
        for j in range(X_learn.shape[1]):
            x = X_learn[i, j]
            if not abs(x) < math.inf:
                continue
            r = rows[j]
            n = count[r]
            if n == window:  # forget the oldest value
                k = insertion_point(ordered[r], n, ring[r, position[r]])
                for m in range(k, n - 1):
                    ordered[r, m] = ordered[r, m + 1]
                n -= 1
            k = insertion_point(ordered[r], n, x)
            for m in range(n, k, -1):
                ordered[r, m] = ordered[r, m - 1]
            ordered[r, k] = x
            n += 1
            count[r] = n
            ring[r, position[r]] = x
            position[r] = (position[r] + 1) % window
            centre, mad = median_and_mad(ordered[r], n)
            median[r] = centre
            scale[r] = max(MAD_TO_SIGMA * mad, min_scale)
