"""Numba kernels of the k-means clusterers: one causal loop over a micro-batch.

Centres are kept feature-major, ``centers[r, c]`` being the coordinate of centre ``c`` on
feature row ``r``, next to ``weights[r, c]``, the number of values that coordinate has taken
in (0: the centre knows nothing of that feature yet). A value is present when it is finite
(NaN means absent, as a key missing from a River dict; infinities are treated as absent so
they never reach the centres). Distances are *partial* (Dixon 1979): the mean of
``|x_j - c_j| ** p`` over the features both the event and the centre have, so an absent
feature, or one a centre has not seen yet, neither helps nor hurts it. A centre sharing no
feature with the event is infinitely far; when all are, the event goes to centre 0.
:func:`seed_centres` runs batch k-means (k-means++ and Lloyd) over a handful of gathered
events or micro-clusters, once at the start (k-means) or at each offline phase (CluStream).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")

INF = math.inf


@helper
def gap(x, center, p):
    """``|x - center| ** p``, with the common cases spelt out (``pow`` is slow)."""
    d = abs(x - center)
    if p == 2.0:
        return d * d
    if p == 1.0:
        return d
    return d ** p


@helper
def nearest_row(X, i, rows, centers, weights, p):
    """The centre nearest to row ``i`` of ``X`` (columns mapped to feature rows by ``rows``)."""
    best, best_distance = 0, INF
    for c in range(centers.shape[1]):
        total, shared = 0.0, 0
        for j in range(X.shape[1]):
            x = X[i, j]
            r = rows[j]
            if abs(x) < INF and weights[r, c] > 0.0:
                total += gap(x, centers[r, c], p)
                shared += 1
        if shared > 0:
            distance = total / shared
            if distance < best_distance:
                best, best_distance = c, distance
    return best


@helper
def nearest_column(points, present, b, centers, weights, p):
    """The centre nearest to buffered event ``b`` (column ``b`` of ``points``)."""
    best, best_distance = 0, INF
    for c in range(centers.shape[1]):
        total, shared = 0.0, 0
        for r in range(points.shape[0]):
            if present[r, b] and weights[r, c] > 0.0:
                total += gap(points[r, b], centers[r, c], p)
                shared += 1
        if shared > 0:
            distance = total / shared
            if distance < best_distance:
                best, best_distance = c, distance
    return best


@kernel
def streaming_kmeans(X_pred, X_learn, same, learn, start, rows, centers, weights, sizes,
                     halflife, p, out):
    """Rows ``start:`` answered with the nearest centre, then, if learnt, the nearest centre
    moves a fraction ``halflife`` of the way to the event on each of its present features
    (all the way on a feature it had no value for)."""
    for i in range(start, X_pred.shape[0]):
        c = nearest_row(X_pred, i, rows, centers, weights, p)
        out[i] = c
        if not learn[i]:
            continue
        if not same:
            c = nearest_row(X_learn, i, rows, centers, weights, p)
        sizes[c] += 1
        for j in range(X_learn.shape[1]):
            x = X_learn[i, j]
            if abs(x) < INF:
                r = rows[j]
                if weights[r, c] > 0.0:
                    centers[r, c] += halflife * (x - centers[r, c])
                else:
                    centers[r, c] = x
                weights[r, c] += 1.0


@helper
def flush(pending, present, count, centers, weights, sizes, assigned):
    """Sculley's mini-batch step over the ``count`` buffered events: every event is assigned
    with the centres as they stand, then, in order, each one pulls its centre by
    ``1 / (values taken in)`` per coordinate (a per-centre learning rate: each coordinate is
    the running mean of the values it took in)."""
    for b in range(count):
        assigned[b] = nearest_column(pending, present, b, centers, weights, 2.0)
    for b in range(count):
        c = assigned[b]
        sizes[c] += 1
        for r in range(pending.shape[0]):
            if present[r, b]:
                w = weights[r, c] + 1.0
                weights[r, c] = w
                centers[r, c] += (pending[r, b] - centers[r, c]) / w


@kernel
def minibatch_kmeans(X_pred, X_learn, learn, start, rows, centers, weights, sizes,
                     pending, present, n_pending, out, assigned):
    """Rows ``start:`` answered with the nearest centre; learnt rows queue in ``pending``
    (``n_pending[0]`` of them so far) and every ``pending.shape[1]`` of them form a
    mini-batch that updates the centres (:func:`flush`)."""
    batch_size = pending.shape[1]
    for i in range(start, X_pred.shape[0]):
        out[i] = nearest_row(X_pred, i, rows, centers, weights, 2.0)
        if not learn[i]:
            continue
        slot = n_pending[0]
        for r in range(pending.shape[0]):
            pending[r, slot] = 0.0
            present[r, slot] = False
        for j in range(X_learn.shape[1]):
            x = X_learn[i, j]
            if abs(x) < INF:
                pending[rows[j], slot] = x
                present[rows[j], slot] = True
        n_pending[0] = slot + 1
        if slot + 1 == batch_size:
            flush(pending, present, batch_size, centers, weights, sizes, assigned)
            n_pending[0] = 0


@helper
def event_gap(points, present, a, b, p):
    """Partial distance between gathered events ``a`` and ``b`` (0 if they share nothing:
    they cannot be compared)."""
    total, shared = 0.0, 0
    for r in range(points.shape[1]):
        if present[a, r] and present[b, r]:
            total += gap(points[a, r], points[b, r], p)
            shared += 1
    return total / shared if shared > 0 else 0.0


@helper
def nearest_seed_centre(points, present, i, centres, weights, p):
    """(nearest centre, its partial distance) for gathered event ``i``; centres are rows."""
    best, best_distance = 0, INF
    for c in range(centres.shape[0]):
        total, shared = 0.0, 0
        for r in range(points.shape[1]):
            if present[i, r] and weights[c, r] > 0.0:
                total += gap(points[i, r], centres[c, r], p)
                shared += 1
        if shared > 0 and total / shared < best_distance:
            best, best_distance = c, total / shared
    return best, best_distance


@helper
def kmeans_plus_plus(points, present, mass, p, first, uniforms, chosen, nearest, trial,
                     best_trial):
    """Greedy k-means++ (Arthur & Vassilvitskii 2007, section 6): the first seed is event
    ``first``; each next one is the best, by total distance to the nearest seed, of
    ``uniforms.shape[1]`` candidates drawn (by inverse CDF of ``uniforms``) with probability
    proportional to their distance to the nearest seed so far (times their ``mass``)."""
    m = points.shape[0]
    chosen[0] = first
    for i in range(m):
        nearest[i] = event_gap(points, present, i, first, p)
    for s in range(1, chosen.shape[0]):
        total = 0.0
        for i in range(m):
            total += mass[i] * nearest[i]
        if not total > 0.0:  # every event sits on a seed: take the first one not chosen
            for i in range(m):
                taken = False
                for t in range(s):
                    taken = taken or chosen[t] == i
                if not taken:
                    chosen[s] = i
                    break
            continue
        best, best_total = -1, INF
        for u in range(uniforms.shape[1]):
            target, cumulative, candidate = uniforms[s - 1, u] * total, 0.0, m - 1
            for i in range(m):
                cumulative += mass[i] * nearest[i]
                if cumulative > target:
                    candidate = i
                    break
            candidate_total = 0.0
            for i in range(m):
                trial[i] = min(nearest[i], event_gap(points, present, i, candidate, p))
                candidate_total += mass[i] * trial[i]
            if candidate_total < best_total:
                best, best_total = candidate, candidate_total
                best_trial[:] = trial
        chosen[s] = best
        nearest[:] = best_trial


@kernel
def seed_centres(points, present, mass, p, firsts, uniforms, max_iterations, centres,
                 weights, sizes):
    """Batch k-means over the gathered events (rows of ``points``, each counting ``mass``
    events: 1 for an event, the size of a micro-cluster's summary), restarted once per entry
    of ``firsts``: greedy k-means++ seeds, refined by Lloyd's iterations (each centre moved to
    the mean of the present values of its events; a coordinate none of them has keeps its
    value). The run of least inertia fills ``centres``, ``weights`` (values taken in per
    coordinate) and ``sizes`` (events per centre)."""
    m, n_rows = points.shape
    k = centres.shape[0]
    chosen = np.empty(k, dtype=np.int64)
    nearest, trial, best_trial = np.empty(m), np.empty(m), np.empty(m)
    assigned = np.zeros(m, dtype=np.int64)
    here, here_weights = np.empty((k, n_rows)), np.empty((k, n_rows))
    sums, counts = np.empty((k, n_rows)), np.empty((k, n_rows))
    best_inertia = INF
    for restart in range(firsts.shape[0]):
        kmeans_plus_plus(points, present, mass, p, firsts[restart], uniforms[restart],
                         chosen, nearest, trial, best_trial)
        for c in range(k):
            for r in range(n_rows):
                here[c, r] = points[chosen[c], r]
                here_weights[c, r] = 1.0 if present[chosen[c], r] else 0.0
        inertia = 0.0
        for iteration in range(max_iterations):
            changed, inertia = False, 0.0
            for i in range(m):
                c, distance = nearest_seed_centre(points, present, i, here, here_weights, p)
                if iteration == 0 or c != assigned[i]:
                    changed = True
                assigned[i] = c
                if distance < INF:
                    inertia += mass[i] * distance
            if not changed:
                break
            sums[:] = 0.0
            counts[:] = 0.0
            for i in range(m):
                c = assigned[i]
                for r in range(n_rows):
                    if present[i, r]:
                        sums[c, r] += mass[i] * points[i, r]
                        counts[c, r] += mass[i]
            for c in range(k):
                for r in range(n_rows):
                    if counts[c, r] > 0.0:
                        here[c, r] = sums[c, r] / counts[c, r]
                        here_weights[c, r] = counts[c, r]
        if inertia < best_inertia:
            best_inertia = inertia
            centres[:] = here
            weights[:] = here_weights
            sizes[:] = 0
            for i in range(m):
                sizes[assigned[i]] += mass[i]
    return best_inertia
