"""Numba kernels of the scalers: causal row loops over a micro-batch."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def _inverse_std(var, with_std):
    if not with_std:
        return 1.0
    return 1.0 / math.sqrt(var) if var > 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def standard_scale(X_pred, X_learn, learn, rows, count, mean, var, with_std, out_pred, out_learn):
    """Welford's running mean and (population) variance per feature; NaN means absent.

    The inverse standard deviation of each column is kept between rows and refreshed only
    where a row changed the variance, so a row costs one square root per learnt feature.
    """
    n, d = X_pred.shape
    scale = np.empty(d)
    for j in range(d):
        scale[j] = _inverse_std(var[rows[j]], with_std)
    for i in range(n):
        for j in range(d):
            out_pred[i, j] = (X_pred[i, j] - mean[rows[j]]) * scale[j]
        if not learn[i]:
            continue
        for j in range(d):
            value = X_learn[i, j]
            if not math.isfinite(value):  # absent (NaN), or infinite: never learnt
                continue
            r = rows[j]
            count[r] += 1.0
            previous_mean = mean[r]
            mean[r] += (value - previous_mean) / count[r]
            var[r] += ((value - previous_mean) * (value - mean[r]) - var[r]) / count[r]
            scale[j] = _inverse_std(var[r], with_std)
        for j in range(d):
            out_learn[i, j] = (X_learn[i, j] - mean[rows[j]]) * scale[j]


@njit(cache=True, error_model="numpy")
def min_max_scale(X_pred, X_learn, learn, rows, low, high, out_pred, out_learn):
    """Running minimum and maximum per feature; outputs in [0, 1] (0 while max == min)."""
    n, d = X_pred.shape
    for i in range(n):
        for j in range(d):
            r = rows[j]
            out_pred[i, j] = _min_max(X_pred[i, j], low[r], high[r])
        if not learn[i]:
            continue
        for j in range(d):
            value = X_learn[i, j]
            if not math.isfinite(value):
                continue
            r = rows[j]
            low[r] = min(low[r], value)
            high[r] = max(high[r], value)
        for j in range(d):
            r = rows[j]
            out_learn[i, j] = _min_max(X_learn[i, j], low[r], high[r])


@njit(cache=True, error_model="numpy")
def _min_max(value, low, high):
    if value != value:
        return math.nan
    span = high - low
    if span > 0.0:
        return (value - low) / span
    return 0.0


def empty_outputs(X_pred: np.ndarray, X_learn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Two buffers even when the inputs are one array: a learnt row is answered before and
    # transformed after its update.
    return np.empty_like(X_pred), np.empty_like(X_learn)
