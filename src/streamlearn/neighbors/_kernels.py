"""Numba kernel of the sliding-window nearest-neighbour models: one causal loop per batch.

The window holds the last ``window_size`` learnt events: ``window[f, t]`` is feature ``f`` of
the event in slot ``t`` (0 where the event lacks it, as River's distances read a key missing
from a dict), ``targets[t]`` its class code or target, ``ring`` = (events held, next slot).
Row ``i`` is answered from the window as it stands (events ``< i``), then, if learnt, takes
the slot of the oldest event. Distances cover every feature the model knows: a feature the
row lacks (NaN), or does not carry at all, counts as 0. Among equal distances the older event
comes first.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")

INF = math.inf


@helper
def _value(X, i, j):
    if j < 0:
        return 0.0
    x = X[i, j]
    return x if abs(x) < INF else 0.0


@helper
def _distances(X, i, column_of_row, window, count, p, distances):
    """Minkowski distance to the power ``p`` from row ``i`` to each of the ``count`` events."""
    for t in range(count):
        distances[t] = 0.0
    for r in range(window.shape[0]):
        x = _value(X, i, column_of_row[r])
        if p == 2.0:
            for t in range(count):
                gap = x - window[r, t]
                distances[t] += gap * gap
        elif p == 1.0:
            for t in range(count):
                distances[t] += abs(x - window[r, t])
        else:
            for t in range(count):
                distances[t] += abs(x - window[r, t]) ** p


@helper
def _consider(d, t, found, k, best_distance, best_slot):
    """Insert slot ``t`` at distance ``d`` among the best so far; returns their number."""
    if found == k and d >= best_distance[k - 1]:
        return found
    position = found if found < k else k - 1
    while position > 0 and best_distance[position - 1] > d:
        best_distance[position] = best_distance[position - 1]
        best_slot[position] = best_slot[position - 1]
        position -= 1
    best_distance[position] = d
    best_slot[position] = t
    return found + 1 if found < k else found


@helper
def _nearest(distances, count, oldest, k, best_distance, best_slot):
    """The ``k`` smallest distances (older events first among equals), sorted; returns how
    many there are. Slots ``oldest..count-1`` then ``0..oldest-1`` are the events from the
    oldest to the newest."""
    found = 0
    for t in range(oldest, count):
        found = _consider(distances[t], t, found, k, best_distance, best_slot)
    for t in range(oldest):
        found = _consider(distances[t], t, found, k, best_distance, best_slot)
    return found


@kernel
def knn(X_pred, X_learn, learn, targets_in, column_of_row, window, targets, ring, k, p,
        weighted, n_classes, out):
    """``n_classes`` > 0: a classifier (``out`` holds probabilities; inverse-distance votes
    when ``weighted``, one vote each otherwise); 0: a regressor (``out[:, 0]`` holds the
    mean, or the inverse-distance weighted mean, of the neighbours' targets). An event at
    distance 0 answers alone, with its class or target."""
    size = window.shape[1]
    distances = np.empty(size)
    best_distance = np.empty(k)
    best_slot = np.empty(k, dtype=np.int64)
    for i in range(X_pred.shape[0]):
        count = ring[0]
        if count > 0:
            oldest = ring[1] % size if count == size else 0
            _distances(X_pred, i, column_of_row, window, count, p, distances)
            found = _nearest(distances, count, oldest, k, best_distance, best_slot)
            for m in range(found):
                d = best_distance[m]
                best_distance[m] = math.sqrt(d) if p == 2.0 else (d if p == 1.0 else
                                                                    d ** (1.0 / p))
            if n_classes > 0:
                if best_distance[0] == 0.0:
                    out[i, int(targets[best_slot[0]])] = 1.0
                else:
                    total = 0.0
                    for m in range(found):
                        vote = 1.0 / best_distance[m] if weighted else 1.0
                        out[i, int(targets[best_slot[m]])] += vote
                        total += vote
                    for c in range(n_classes):
                        out[i, c] /= total
            elif best_distance[0] == 0.0:
                out[i, 0] = targets[best_slot[0]]
            else:
                total = 0.0
                weights = 0.0
                for m in range(found):
                    weight = 1.0 / best_distance[m] if weighted else 1.0
                    total += weight * targets[best_slot[m]]
                    weights += weight
                out[i, 0] = total / weights
        if not learn[i]:
            continue
        slot = ring[1]
        for r in range(window.shape[0]):
            window[r, slot] = _value(X_learn, i, column_of_row[r])
        targets[slot] = targets_in[i]
        ring[1] = (slot + 1) % size
        ring[0] = min(count + 1, size)
