"""Numba kernel of DenStream: decayed micro-clusters online, their grouping offline.

A micro-cluster ``q`` summarises its events by, per feature row ``r``, the decayed count
``counts[r, q]``, sum ``sums[r, q]`` and sum of squares ``squares[r, q]`` of their present
values, with its decayed weight ``weights[q]`` (events), the time it was last brought up to
date ``updated[q]``, its creation time ``created[q]``, whether it is a potential micro-cluster
``potential[q]`` (else an outlier one) and its macro-cluster ``macro[q]`` (-1 for none).
Decay is lazy: a micro-cluster's sums are multiplied by ``2 ** (-decay * elapsed)`` when it
is next touched. Micro-clusters ``0 .. n_micro - 1`` are in use, in creation order.

Distances from an event are Euclidean over the features both sides have, scaled by
``present / shared`` (the event's present values over the shared ones) so that a missing
value never makes an event look closer.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")

INF = math.inf


@helper
def event_gap(X, i, rows, sums, counts, q):
    """Squared distance from row ``i`` of ``X`` to the centre of micro-cluster ``q``."""
    total, shared, present = 0.0, 0, 0
    for j in range(X.shape[1]):
        x = X[i, j]
        if abs(x) < INF:
            present += 1
            r = rows[j]
            if counts[r, q] > 0.0:
                d = x - sums[r, q] / counts[r, q]
                total += d * d
                shared += 1
    return total * present / shared if shared > 0 else INF


@helper
def centre_gap(sums, counts, a, b):
    """Squared distance between the centres of micro-clusters ``a`` and ``b``."""
    total, shared, either = 0.0, 0, 0
    for r in range(sums.shape[0]):
        in_a, in_b = counts[r, a] > 0.0, counts[r, b] > 0.0
        if in_a or in_b:
            either += 1
        if in_a and in_b:
            d = sums[r, a] / counts[r, a] - sums[r, b] / counts[r, b]
            total += d * d
            shared += 1
    return total * either / shared if shared > 0 else INF


@helper
def nearest(X, i, rows, sums, counts, potential, macro, n_micro, kind):
    """The nearest micro-cluster to row ``i`` and its squared distance: among potential ones
    (``kind`` 1), outlier ones (``kind`` 0) or those with a macro-cluster (``kind`` 2)."""
    best, best_distance = -1, INF
    for q in range(n_micro):
        if kind == 2:
            if macro[q] < 0:
                continue
        elif potential[q] != (kind == 1):
            continue
        distance = event_gap(X, i, rows, sums, counts, q)
        if distance < best_distance:
            best, best_distance = q, distance
    return best, best_distance


@helper
def radius_with(X, i, rows, sums, squares, counts, q, fade):
    """Squared radius of micro-cluster ``q`` once decayed by ``fade`` and given row ``i``:
    the sum over features of the variance of their values."""
    total = 0.0
    for r in range(sums.shape[0]):
        n, s, s2 = counts[r, q] * fade, sums[r, q] * fade, squares[r, q] * fade
        for j in range(X.shape[1]):
            if rows[j] == r and abs(X[i, j]) < INF:
                n += 1.0
                s += X[i, j]
                s2 += X[i, j] * X[i, j]
        if n > 0.0:
            mean = s / n
            total += max(s2 / n - mean * mean, 0.0)
    return total


@helper
def fade_to(sums, squares, counts, weights, updated, q, now, decay):
    """Bring micro-cluster ``q`` up to time ``now``."""
    if updated[q] == now:
        return
    fade = 2.0 ** (-decay * (now - updated[q]))
    for r in range(sums.shape[0]):
        sums[r, q] *= fade
        squares[r, q] *= fade
        counts[r, q] *= fade
    weights[q] *= fade
    updated[q] = now


@helper
def absorb(X, i, rows, sums, squares, counts, weights, q):
    for j in range(X.shape[1]):
        x = X[i, j]
        if abs(x) < INF:
            sums[rows[j], q] += x
            squares[rows[j], q] += x * x
            counts[rows[j], q] += 1.0
    weights[q] += 1.0


@helper
def start_micro(X, i, rows, sums, squares, counts, weights, updated, created, potential, macro,
                q, now):
    for r in range(sums.shape[0]):
        sums[r, q] = 0.0
        squares[r, q] = 0.0
        counts[r, q] = 0.0
    weights[q] = 0.0
    absorb(X, i, rows, sums, squares, counts, weights, q)
    updated[q] = now
    created[q] = now
    potential[q] = False
    macro[q] = -1


@helper
def merge(X, i, rows, sums, squares, counts, weights, updated, created, potential, macro, clock,
          now, decay, beta_mu, epsilon):
    """The paper's merging: into the nearest potential micro-cluster if its radius stays
    within ``epsilon``, else into the nearest outlier one (promoted once its weight exceeds
    ``beta * mu``), else a new outlier micro-cluster."""
    n_micro = clock[0]
    limit = epsilon * epsilon
    for kind in (1, 0):
        q, _ = nearest(X, i, rows, sums, counts, potential, macro, n_micro, kind)
        if q < 0:
            continue
        fade = 2.0 ** (-decay * (now - updated[q]))
        if radius_with(X, i, rows, sums, squares, counts, q, fade) <= limit:
            fade_to(sums, squares, counts, weights, updated, q, now, decay)
            absorb(X, i, rows, sums, squares, counts, weights, q)
            if kind == 0 and weights[q] > beta_mu:
                potential[q] = True
            return
    start_micro(X, i, rows, sums, squares, counts, weights, updated, created, potential, macro,
                n_micro, now)
    clock[0] = n_micro + 1


@helper
def initialise(points, present, n_buffered, sums, squares, counts, weights, updated, created,
               potential, macro, clock, now, beta_mu, epsilon):
    """DBSCAN-style start over the gathered events: in arrival order, an event not yet used
    whose ``epsilon``-neighbourhood among unused events weighs at least ``beta * mu`` forms a
    potential micro-cluster with that neighbourhood; other events are dropped."""
    n_rows = points.shape[0]
    used = np.zeros(n_buffered, dtype=np.bool_)
    limit = epsilon * epsilon
    for b in range(n_buffered):
        if used[b]:
            continue
        members = np.zeros(n_buffered, dtype=np.bool_)
        size = 0
        for o in range(n_buffered):
            if used[o]:
                continue
            total, shared, have = 0.0, 0, 0
            for r in range(n_rows):
                if present[r, b]:
                    have += 1
                    if present[r, o]:
                        d = points[r, b] - points[r, o]
                        total += d * d
                        shared += 1
            if shared > 0 and total * have / shared <= limit:
                members[o] = True
                size += 1
        if size < beta_mu:
            continue
        q = clock[0]
        clock[0] = q + 1
        for r in range(n_rows):
            sums[r, q] = 0.0
            squares[r, q] = 0.0
            counts[r, q] = 0.0
        for o in range(n_buffered):
            if members[o]:
                used[o] = True
                for r in range(n_rows):
                    if present[r, o]:
                        sums[r, q] += points[r, o]
                        squares[r, q] += points[r, o] * points[r, o]
                        counts[r, q] += 1.0
        weights[q] = float(size)
        updated[q] = now
        created[q] = now
        potential[q] = True
        macro[q] = -1


@helper
def prune(sums, squares, counts, weights, updated, created, potential, macro, clock, now,
          decay, beta_mu, period):
    """Drop potential micro-clusters lighter than ``beta * mu`` and outlier ones lighter than
    the paper's lower limit ``xi``; the others keep their order."""
    kept = 0
    lost = 2.0 ** (-decay * period) - 1.0
    for q in range(clock[0]):
        fade_to(sums, squares, counts, weights, updated, q, now, decay)
        if potential[q]:
            keep = weights[q] >= beta_mu
        else:
            xi = (2.0 ** (-decay * (now - created[q] + period)) - 1.0) / lost
            keep = weights[q] >= xi
        if not keep:
            continue
        if kept != q:
            for r in range(sums.shape[0]):
                sums[r, kept] = sums[r, q]
                squares[r, kept] = squares[r, q]
                counts[r, kept] = counts[r, q]
            weights[kept] = weights[q]
            updated[kept] = updated[q]
            created[kept] = created[q]
            potential[kept] = potential[q]
            macro[kept] = macro[q]
        kept += 1
    clock[0] = kept


@helper
def group(sums, squares, counts, weights, updated, potential, macro, clock, now, decay, mu,
          epsilon):
    """The offline phase: potential micro-clusters weighing at least ``mu`` are core; core
    ones whose centres lie within ``2 * epsilon`` are connected, and a non-core potential one
    within reach of a core one joins its group (DBSCAN over micro-clusters). Groups are
    numbered in the order of their first micro-cluster."""
    n_micro = clock[0]
    limit = 4.0 * epsilon * epsilon
    for q in range(n_micro):
        fade_to(sums, squares, counts, weights, updated, q, now, decay)
        macro[q] = -1
    stack = np.empty(n_micro, dtype=np.int64)
    n_macro = 0
    for q in range(n_micro):
        if macro[q] >= 0 or not potential[q] or weights[q] < mu:
            continue
        macro[q] = n_macro
        stack[0] = q
        top = 1
        while top > 0:
            top -= 1
            a = stack[top]
            for b in range(n_micro):
                if macro[b] >= 0 or not potential[b]:
                    continue
                if centre_gap(sums, counts, a, b) <= limit:
                    macro[b] = n_macro
                    if weights[b] >= mu:
                        stack[top] = b
                        top += 1
        n_macro += 1
    clock[4] = n_macro


@kernel
def denstream(X_pred, X_learn, learn, rows, sums, squares, counts, weights, updated, created,
              potential, macro, points, present, clock, decay, beta, mu, epsilon, n_init,
              stream_speed, period, out):
    """Rows answered with the macro-cluster of the nearest grouped micro-cluster within
    ``epsilon``, else -1; learnt rows are gathered until ``n_init`` start the micro-clusters,
    then merged. Time is the number of learnt events over ``stream_speed``; at each time step
    the micro-clusters are pruned (every ``period`` steps) and grouped. ``clock`` holds
    (micro-clusters in use, events learnt, started, events gathered, macro-clusters)."""
    beta_mu = beta * mu
    limit = epsilon * epsilon
    for i in range(X_pred.shape[0]):
        out[i] = -1
        if clock[4] > 0:
            q, distance = nearest(X_pred, i, rows, sums, counts, potential, macro, clock[0], 2)
            if q >= 0 and distance <= limit:
                out[i] = macro[q]
        if not learn[i]:
            continue
        now = clock[1] // stream_speed
        clock[1] += 1
        if clock[2] == 0:
            b = clock[3]
            for j in range(X_learn.shape[1]):
                x = X_learn[i, j]
                if abs(x) < INF:
                    points[rows[j], b] = x
                    present[rows[j], b] = True
            clock[3] = b + 1
            if clock[3] == n_init:
                initialise(points, present, n_init, sums, squares, counts, weights, updated,
                           created, potential, macro, clock, now, beta_mu, epsilon)
                clock[2] = 1
                group(sums, squares, counts, weights, updated, potential, macro, clock, now,
                      decay, mu, epsilon)
            continue
        merge(X_learn, i, rows, sums, squares, counts, weights, updated, created, potential,
              macro, clock, now, decay, beta_mu, epsilon)
        if clock[1] % stream_speed == 0:
            tick = clock[1] // stream_speed
            if tick % period == 0:
                prune(sums, squares, counts, weights, updated, created, potential, macro,
                      clock, tick, decay, beta_mu, period)
            group(sums, squares, counts, weights, updated, potential, macro, clock, tick,
                  decay, mu, epsilon)
