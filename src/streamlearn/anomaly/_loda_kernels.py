"""Numba kernel of LODA: sparse random projections, each with an equi-width histogram of the
projected values of the last complete window.

``members[p, m]`` / ``weights[p, m]`` are the features and weights of projection ``p``;
``values[p, w]`` holds the projections of the window being filled (``window[0]`` of them so
far, NaN where a feature was missing); ``density[p, b]``, ``low[p]`` and ``width[p]``
describe the histogram of the last complete window (``window[1]`` windows complete so far):
the share of its values in bin ``b`` over the bin width.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")

MIN_DENSITY = 1e-12  # the density of a value no reference bin holds
MIN_WIDTH = 1e-9     # the bin width of a window whose projections are all equal


@helper
def gather(X, i, columns, present):
    """The projected features of row ``i`` (NaN where absent or not finite)."""
    for f in range(columns.shape[0]):
        column = columns[f]
        x = X[i, column] if column >= 0 else np.nan
        present[f] = x if abs(x) < math.inf else np.nan


@helper
def project(members, weights, present, p):
    """Projection ``p`` of an event (NaN if one of its features is missing)."""
    z = 0.0
    for m in range(members.shape[1]):
        x = present[members[p, m]]
        if x != x:
            return np.nan
        z += weights[p, m] * x
    return z


@kernel
def loda(X_pred, X_learn, learn, start, pred_columns, learn_columns, members, weights, values,
         density, low, width, window, out):
    """Row ``i``'s score is the mean of ``-log density`` over the projections it has every
    feature of (0 if none, or before a window is complete), from ``X_pred``; then, if learnt
    (and ``i >= start``), its projections join the window being filled, and the window it
    completes becomes the reference histograms."""
    n_projections, window_size = values.shape
    n_bins = density.shape[1]
    present = np.empty(pred_columns.shape[0])
    learn_present = np.empty(learn_columns.shape[0])
    for i in range(X_pred.shape[0]):
        score = 0.0
        if window[1] > 0:
            gather(X_pred, i, pred_columns, present)
            used = 0
            total = 0.0
            for p in range(n_projections):
                z = project(members, weights, present, p)
                if z != z:
                    continue
                used += 1
                b = math.floor((z - low[p]) / width[p])
                if b == n_bins and z <= low[p] + n_bins * width[p]:
                    b = n_bins - 1  # the window's largest value lies on the last edge
                d = MIN_DENSITY
                if 0 <= b < n_bins:
                    d = max(density[p, b], MIN_DENSITY)
                total -= math.log(d)
            if used > 0:
                score = total / used
        out[i] = score
        if not learn[i] or i < start:
            continue
        gather(X_learn, i, learn_columns, learn_present)
        w = window[0]
        for p in range(n_projections):
            z = project(members, weights, learn_present, p)
            values[p, w] = z
        window[0] = w + 1
        if window[0] == window_size:
            for p in range(n_projections):
                smallest = math.inf
                largest = -math.inf
                n = 0
                for k in range(window_size):
                    z = values[p, k]
                    if z == z:
                        smallest = min(smallest, z)
                        largest = max(largest, z)
                        n += 1
                for b in range(n_bins):
                    density[p, b] = 0.0
                if smallest > largest:  # no value: every event is unlike the window
                    low[p] = 0.0
                    width[p] = MIN_WIDTH
                    continue
                low[p] = smallest
                width[p] = max((largest - smallest) / n_bins, MIN_WIDTH)
                for k in range(window_size):
                    z = values[p, k]
                    if z == z:
                        b = min(int((z - smallest) / width[p]), n_bins - 1)
                        density[p, b] += 1.0
                    values[p, k] = 0.0
                for b in range(n_bins):
                    density[p, b] = density[p, b] / (n * width[p])
            window[0] = 0
            window[1] += 1
