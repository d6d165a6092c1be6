"""Numba kernel of CluStream: micro-clusters kept online, k-means over them now and then.

A micro-cluster ``q`` summarises its events by, per feature row ``r``, the count
``counts[r, q]``, the sum ``sums[r, q]`` and the sum of squares ``squares[r, q]`` of their
present values, with its number of events ``sizes[q]`` and the sum of their arrival times
``times[q]`` (the time of an event is the number of events learnt before it). Distances are
the partial ones of the k-means kernels (mean squared gap over shared features).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from streamlearn.cluster._kernels import nearest_row, seed_centres

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")

INF = math.inf


@helper
def micro_gap(sums, counts, a, b):
    """Partial distance between the centres of micro-clusters ``a`` and ``b``."""
    total, shared = 0.0, 0
    for r in range(sums.shape[0]):
        if counts[r, a] > 0.0 and counts[r, b] > 0.0:
            d = sums[r, a] / counts[r, a] - sums[r, b] / counts[r, b]
            total += d * d
            shared += 1
    return total / shared if shared > 0 else INF


@helper
def start_micro(X, i, rows, sums, squares, counts, sizes, times, q, now):
    for r in range(sums.shape[0]):
        sums[r, q] = 0.0
        squares[r, q] = 0.0
        counts[r, q] = 0.0
    for j in range(X.shape[1]):
        x = X[i, j]
        if abs(x) < INF:
            sums[rows[j], q] = x
            squares[rows[j], q] = x * x
            counts[rows[j], q] = 1.0
    sizes[q] = 1.0
    times[q] = now


@helper
def absorb(X, i, rows, sums, squares, counts, sizes, times, q, now):
    for j in range(X.shape[1]):
        x = X[i, j]
        if abs(x) < INF:
            sums[rows[j], q] += x
            squares[rows[j], q] += x * x
            counts[rows[j], q] += 1.0
    sizes[q] += 1.0
    times[q] += now


@helper
def nearest_micro(X, i, rows, sums, counts, n_micro):
    best, best_distance = 0, INF
    for q in range(n_micro):
        total, shared = 0.0, 0
        for j in range(X.shape[1]):
            x = X[i, j]
            r = rows[j]
            if abs(x) < INF and counts[r, q] > 0.0:
                d = x - sums[r, q] / counts[r, q]
                total += d * d
                shared += 1
        if shared > 0 and total / shared < best_distance:
            best, best_distance = q, total / shared
    return best, best_distance


@helper
def squared_radius(sums, squares, counts, sizes, q, n_micro, radius_factor):
    """The boundary of micro-cluster ``q``, squared: ``radius_factor`` times its RMS
    deviation (the mean variance over its features); for a single event, the distance to
    the nearest other micro-cluster."""
    if sizes[q] > 1.0:
        total, shared = 0.0, 0
        for r in range(sums.shape[0]):
            n = counts[r, q]
            if n > 0.0:
                mean = sums[r, q] / n
                total += max(squares[r, q] / n - mean * mean, 0.0)
                shared += 1
        return radius_factor * radius_factor * total / shared if shared > 0 else 0.0
    closest = INF
    for other in range(n_micro):
        if other != q:
            closest = min(closest, micro_gap(sums, counts, q, other))
    return closest


@helper
def free_slot(sums, squares, counts, sizes, times, n_micro, now, time_window):
    """A slot for a new micro-cluster when all are taken: the one whose mean arrival time is
    oldest if it is older than ``time_window`` (forgotten), else the two closest ones are
    merged and the second's slot is freed."""
    oldest, oldest_time = 0, INF
    for q in range(n_micro):
        mean_time = times[q] / sizes[q]
        if mean_time < oldest_time:
            oldest, oldest_time = q, mean_time
    if oldest_time < now - time_window:
        return oldest
    keep, drop, closest = 0, 1, INF
    for a in range(n_micro):
        for b in range(a + 1, n_micro):
            d = micro_gap(sums, counts, a, b)
            if d < closest:
                keep, drop, closest = a, b, d
    for r in range(sums.shape[0]):
        sums[r, keep] += sums[r, drop]
        squares[r, keep] += squares[r, drop]
        counts[r, keep] += counts[r, drop]
    sizes[keep] += sizes[drop]
    times[keep] += times[drop]
    return drop


@helper
def recluster(sums, counts, sizes, n_micro, seed, now, restarts, iterations, centres, weights,
              cluster_sizes, keep_ids):
    """Weighted k-means over the micro-cluster centres (the offline phase); with
    ``keep_ids``, the new macro-clusters take the indices of the nearest previous ones."""
    n_rows, k = centres.shape
    points = np.empty((n_micro, n_rows))
    present = np.zeros((n_micro, n_rows), dtype=np.bool_)
    for q in range(n_micro):
        for r in range(n_rows):
            if counts[r, q] > 0.0:
                points[q, r] = sums[r, q] / counts[r, q]
                present[q, r] = True
            else:
                points[q, r] = 0.0
    np.random.seed((seed + now) % 4294967296)
    firsts = np.random.randint(0, n_micro, restarts)
    uniforms = np.random.random((restarts, max(k - 1, 1), 2 + int(math.log(k))))
    found, found_weights, found_sizes = np.zeros((k, n_rows)), np.zeros((k, n_rows)), np.zeros(k)
    seed_centres(points, present, sizes[:n_micro].copy(), 2.0, firsts, uniforms, iterations,
                 found, found_weights, found_sizes)
    order = np.arange(k)
    if keep_ids:
        order = match_centres(centres, weights, found, found_weights)
    for c in range(k):
        for r in range(n_rows):
            centres[r, c] = found[order[c], r]
            weights[r, c] = found_weights[order[c], r]
        cluster_sizes[c] = int(found_sizes[order[c]])


@helper
def match_centres(centres, weights, found, found_weights):
    """Which new macro-cluster takes each previous index: repeatedly the closest pair of a
    previous and a new one not matched yet, so a cluster keeps its index from one offline
    phase to the next."""
    n_rows, k = centres.shape
    distances = np.empty((k, k))
    for c in range(k):
        for f in range(k):
            total, shared = 0.0, 0
            for r in range(n_rows):
                if weights[r, c] > 0.0 and found_weights[f, r] > 0.0:
                    d = centres[r, c] - found[f, r]
                    total += d * d
                    shared += 1
            distances[c, f] = total / shared if shared > 0 else INF
    order = np.full(k, -1, dtype=np.int64)
    taken = np.zeros(k, dtype=np.bool_)
    for _ in range(k):
        best_c, best_f, best_distance = -1, -1, INF
        for c in range(k):
            if order[c] >= 0:
                continue
            for f in range(k):
                if not taken[f] and (best_c < 0 or distances[c, f] < best_distance):
                    best_c, best_f, best_distance = c, f, distances[c, f]
        order[best_c] = best_f
        taken[best_f] = True
    return order


@kernel
def clustream(X_pred, X_learn, learn, rows, sums, squares, counts, sizes, times, clock,
              centres, weights, cluster_sizes, radius_factor, time_window, time_gap, seed,
              restarts, iterations, out):
    """Rows answered with the nearest macro-cluster (-1 before the first offline phase);
    learnt rows go to their nearest micro-cluster if within its boundary, else start one
    (:func:`free_slot` when all are taken); every ``time_gap`` learnt events the macro-
    clusters are recomputed. ``clock`` holds (micro-clusters in use, events learnt, whether
    macro-clusters exist)."""
    max_micro = sizes.shape[0]
    for i in range(X_pred.shape[0]):
        out[i] = nearest_row(X_pred, i, rows, centres, weights, 2.0) if clock[2] else -1
        if not learn[i]:
            continue
        n_micro, now = clock[0], clock[1]
        clock[1] = now + 1
        if n_micro < max_micro:
            start_micro(X_learn, i, rows, sums, squares, counts, sizes, times, n_micro, now)
            clock[0] = n_micro + 1
        else:
            q, distance = nearest_micro(X_learn, i, rows, sums, counts, n_micro)
            if distance <= squared_radius(sums, squares, counts, sizes, q, n_micro,
                                          radius_factor):
                absorb(X_learn, i, rows, sums, squares, counts, sizes, times, q, now)
            else:
                slot = free_slot(sums, squares, counts, sizes, times, n_micro, now,
                                 time_window)
                start_micro(X_learn, i, rows, sums, squares, counts, sizes, times, slot, now)
        if clock[1] % time_gap == 0 and clock[0] >= centres.shape[1]:
            recluster(sums, counts, sizes, clock[0], seed, clock[1], restarts, iterations,
                      centres, weights, cluster_sizes, clock[2] == 1)
            clock[2] = 1
