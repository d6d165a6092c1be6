"""Numba kernels of Half-Space Trees: one causal loop over a micro-batch.

The trees are complete binary trees stored level by level: internal node ``k`` splits on
feature ``features[t, k]`` at ``thresholds[t, k]`` and has children ``2k + 1`` (values below
the threshold) and ``2k + 2``; nodes ``2**height - 1`` onwards are leaves. ``latest[t, k]``
counts the events of the window being filled that went through node ``k`` (the paper's
``l`` mass), ``reference[t, k]`` those of the last complete window (the ``r`` mass).
``window[0]`` is the number of events in the window being filled, ``window[1]`` the number
of complete windows. A feature an event lacks (absent column, NaN or infinite value) sends it
down the child the latest window visited more, as in River.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")


@helper
def gather(X, i, columns, values):
    """The tree features of row ``i`` (NaN where absent or not finite)."""
    for f in range(columns.shape[0]):
        column = columns[f]
        x = X[i, column] if column >= 0 else np.nan
        values[f] = x if abs(x) < math.inf else np.nan


@helper
def child(values, features, thresholds, latest, t, k):
    """The child of internal node ``k`` of tree ``t`` that an event with ``values`` takes."""
    x = values[features[t, k]]
    left = 2 * k + 1
    if x == x:
        return left if x < thresholds[t, k] else left + 1
    return left + 1 if latest[t, left] < latest[t, left + 1] else left


@kernel
def half_space_trees(X_pred, X_learn, learn, start, same, pred_columns, learn_columns,
                     features, thresholds, latest, reference, window, height, window_size,
                     size_limit, max_score, out):
    """Row ``i`` is scored (``1 - mass / max_score``, 0 until a window is complete) from
    ``X_pred``; then, if learnt (and ``i >= start``, the row the trees were built at), its
    path in ``X_learn`` adds one to the latest mass of every node on it, and the window that
    it completes becomes the reference. When both streams are the same rows (``same``), a
    learnt row is scored and learnt in one walk down each tree: the path is the same, as a
    node's latest mass changes only after the walk chose its child."""
    n_trees = features.shape[0]
    scoring = window[1] > 0
    pred_values = np.empty(pred_columns.shape[0])
    learn_values = np.empty(learn_columns.shape[0])
    for i in range(X_pred.shape[0]):
        learning = learn[i] and i >= start
        gather(X_pred, i, pred_columns, pred_values)
        mass = 0.0
        if learning and same:
            for t in range(n_trees):
                k = 0
                depth_weight = 1.0
                counting = scoring
                for _ in range(height):
                    if counting:
                        r = reference[t, k]
                        mass += r * depth_weight
                        counting = r >= size_limit
                        depth_weight *= 2.0
                    latest[t, k] += 1
                    k = child(pred_values, features, thresholds, latest, t, k)
                if counting:
                    mass += reference[t, k] * depth_weight
                latest[t, k] += 1
        else:
            if scoring:
                for t in range(n_trees):
                    k = 0
                    depth_weight = 1.0
                    counting = True
                    for _ in range(height):
                        r = reference[t, k]
                        mass += r * depth_weight
                        if r < size_limit:
                            counting = False
                            break
                        k = child(pred_values, features, thresholds, latest, t, k)
                        depth_weight *= 2.0
                    if counting:
                        mass += reference[t, k] * depth_weight
            if learning:
                gather(X_learn, i, learn_columns, learn_values)
                for t in range(n_trees):
                    k = 0
                    for _ in range(height):
                        latest[t, k] += 1
                        k = child(learn_values, features, thresholds, latest, t, k)
                    latest[t, k] += 1
        out[i] = 1.0 - mass / max_score if scoring else 0.0
        if not learning:
            continue
        window[0] += 1
        if window[0] == window_size:
            for t in range(n_trees):
                for k in range(latest.shape[1]):
                    reference[t, k] = latest[t, k]
                    latest[t, k] = 0
            window[0] = 0
            window[1] += 1
            scoring = True
