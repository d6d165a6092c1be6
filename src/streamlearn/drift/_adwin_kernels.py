"""Numba kernels of ADWIN (Bifet & Gavaldà 2007): the window as an exponential histogram.

The window is a list of buckets: level ``l`` holds up to ``max_buckets`` buckets of ``2**l``
values each, oldest first (``totals[l, :counts[l]]`` and ``variances[l, :counts[l]]``: the
sum of a bucket's values and the sum of their squared deviations from its mean). A new value
is a bucket at level 0; when a level overflows, its two oldest buckets merge into one at the
next level, so ``n`` values take ``O(max_buckets log n)`` buckets (ADWIN2).

The histogram is only read by the test, which runs every ``clock`` values, so new values
wait in ``pending`` and are folded in just before it (or when ``pending`` is full), level by
level: the merges pair the
same buckets, in the same order, as merging after every value would, in tight loops instead
of a cascade per value. The window's width, total and sum of squared deviations are kept up
to date at every value (Welford's update, as River's).

``stats`` = status, detections, width, total, sum of squared deviations of the window,
values until the next test, levels in use, pending values, direction of the last drift (1 if
the newer values were higher, -1 if lower). ``params`` = delta, clock,
max_buckets, min_window_length, grace_period.

The test (once the window holds more than ``grace_period`` values) splits the window at each
bucket boundary into an older part ``W0`` (``n0`` values) and a newer part ``W1`` (``n1``),
both of ``min_window_length`` values or more; the paper's bound (its section 3, for a
variance ``s2`` of the window and ``delta' = delta / ln(width)``) cuts when

    |mean0 - mean1| > sqrt(2 / m * s2 * ln(2 / delta')) + 2 / (3 m) * ln(2 / delta'),
    m = 1 / (1 / n0 + 1 / n1).

Multiplied by ``n0 * n1 / width`` this needs neither a division nor a square root per
split: with ``D = width * sum0 - total * n0``, cut when ``|D| - B > 0`` and
``(|D| - B)**2 > A * n0 * n1``, where ``A = 2 * width * s2 * L`` and ``B = 2/3 * width * L``
(``L`` the logarithm). On a cut the oldest bucket is dropped and the test starts over, until
no split is cut; the value that follows a drift starts a fresh window.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")

STABLE = 0
DRIFT = 2

#: Levels of the histogram: buckets of up to 2**63 values, more than any stream holds.
LEVELS = 64
#: The most values waiting to be folded into the histogram.
MAX_PENDING = 256


@helper
def _add_to_window(x, stats):
    """Update the window's width, total and sum of squared deviations with ``x``."""
    width = stats[2]
    if width > 0.0:
        deviation = x * width - stats[3]
        stats[4] += deviation * deviation / (width * (width + 1.0))
    stats[2] = width + 1.0
    stats[3] += x


@helper
def _fold_pending(stats, totals, variances, counts, pending, max_buckets, scratch):
    """Turn the pending values into level-0 buckets and merge every level that overflows.

    At each level the existing buckets followed by the incoming ones form one list; while
    it is longer than ``max_buckets`` its two oldest merge, the merged buckets going up to
    the next level in order, which is what merging after each arrival does. ``scratch``
    (4 rows, as many columns as ``pending``) holds the buckets passed between levels.
    """
    incoming = int(stats[7])
    for k in range(incoming):
        scratch[0, k] = pending[k]
        scratch[1, k] = 0.0
    source = 0  # rows source, source + 1 hold the incoming totals and variances
    level = 0
    while incoming > 0 and level < LEVELS:
        target = 2 - source
        kept = counts[level]
        length = kept + incoming
        merges = 0
        if length > max_buckets and level < LEVELS - 1:
            merges = (length - max_buckets + 1) // 2
        half_inverse = 0.5 / float(1 << level)
        for m in range(merges):
            a, b = 2 * m, 2 * m + 1
            t0 = totals[level, a] if a < kept else scratch[source, a - kept]
            v0 = variances[level, a] if a < kept else scratch[source + 1, a - kept]
            t1 = totals[level, b] if b < kept else scratch[source, b - kept]
            v1 = variances[level, b] if b < kept else scratch[source + 1, b - kept]
            scratch[target, m] = t0 + t1
            scratch[target + 1, m] = v0 + v1 + (t0 - t1) * (t0 - t1) * half_inverse
        position = 0
        for k in range(2 * merges, length):  # the rest, in order, become the level's row
            if k < kept:
                totals[level, position] = totals[level, k]
                variances[level, position] = variances[level, k]
            else:
                totals[level, position] = scratch[source, k - kept]
                variances[level, position] = scratch[source + 1, k - kept]
            position += 1
        counts[level] = position
        if position > 0 and level + 1 > stats[6]:
            stats[6] = level + 1
        source = target
        incoming = merges
        level += 1
    stats[7] = 0.0


@helper
def _drop_oldest(stats, totals, variances, counts):
    level = int(stats[6]) - 1
    while level > 0 and counts[level] == 0:
        level -= 1
    size = float(1 << level)
    total = totals[level, 0]
    variance = variances[level, 0]
    for j in range(1, counts[level]):
        totals[level, j - 1] = totals[level, j]
        variances[level, j - 1] = variances[level, j]
    counts[level] -= 1
    if counts[level] == 0 and level + 1 == stats[6]:
        stats[6] = max(level, 1)
    width = stats[2]
    rest = width - size
    if rest > 0.0:
        gap = total / size - (stats[3] - total) / rest
        stats[4] = max(0.0, stats[4] - variance - size * rest / width * gap * gap)
    else:
        stats[4] = 0.0
    stats[2] = rest
    stats[3] -= total


@helper
def _cut_found(stats, totals, counts, delta, min_length):
    """Whether some split of the window at a bucket boundary differs significantly: 0 if
    none does, 1 if the newer part's mean is the higher, -1 if it is the lower.

    ``D = width * sum0 - total * n0`` grows by ``width * t - total * size`` per bucket, so
    each boundary costs two multiplications and a comparison that is almost always false.
    """
    width = stats[2]
    total = stats[3]
    log_term = math.log(2.0 * math.log(width) / delta)
    a = 2.0 * stats[4] * log_term
    b = 2.0 / 3.0 * width * log_term
    last = width - min_length  # the most values W0 may hold
    n0 = 0.0
    difference = 0.0  # n0 * width * (mean0 - mean)
    for level in range(int(stats[6]) - 1, -1, -1):
        size = float(1 << level)
        step = total * size
        for j in range(counts[level]):
            n0 += size
            difference += width * totals[level, j] - step
            if n0 > last:
                return 0
            excess = abs(difference) - b
            if excess > 0.0 and n0 >= min_length and excess * excess > a * n0 * (width - n0):
                return 1 if difference < 0.0 else -1
    return 0


@helper
def _restart_after_drift(stats, counts, params):
    """The value after a drift starts a fresh window (the detection count is kept)."""
    if stats[0] == DRIFT:
        for level in range(int(stats[6])):
            counts[level] = 0
        stats[2] = 0.0
        stats[3] = 0.0
        stats[4] = 0.0
        stats[5] = params[1]
        stats[6] = 1.0
        stats[7] = 0.0
    stats[0] = STABLE


@kernel
def adwin_check(stats, totals, variances, counts, pending, params, scratch):
    """The periodic test: fold the pending values in, then shrink the window while a cut
    is found; returns the status. Not inlined: it runs once every ``clock`` values, and a
    call inside the per-value loop would slow that loop down even where it is not taken."""
    _fold_pending(stats, totals, variances, counts, pending, int(params[2]), scratch)
    stats[5] = params[1]
    status = STABLE
    if stats[2] > params[4]:
        while stats[2] > 2.0:
            direction = _cut_found(stats, totals, counts, params[0], params[3])
            if direction == 0:
                break
            if status != DRIFT:
                stats[8] = direction
            _drop_oldest(stats, totals, variances, counts)
            status = DRIFT
    if status == DRIFT:
        stats[1] += 1.0
    stats[0] = status
    return status


@kernel
def adwin_fold(stats, totals, variances, counts, pending, params):
    """Fold the pending values into the histogram (when ``pending`` is full)."""
    _fold_pending(stats, totals, variances, counts, pending, int(params[2]),
                  np.empty((4, pending.shape[0])))


@kernel
def adwin_one(x, stats, totals, variances, counts, pending, params):
    """Add ``x`` to the window; every ``clock`` values, test it."""
    _restart_after_drift(stats, counts, params)
    _add_to_window(x, stats)
    pending[int(stats[7])] = x
    stats[7] += 1.0
    stats[5] -= 1.0
    if stats[5] <= 0.0:
        return adwin_check(stats, totals, variances, counts, pending, params,
                           np.empty((4, pending.shape[0])))
    if stats[7] == pending.shape[0]:
        adwin_fold(stats, totals, variances, counts, pending, params)
    return STABLE


@kernel
def adwin_many(values, stats, totals, variances, counts, pending, params, statuses,
               stop_at_drift):
    """:func:`adwin_one` over ``values``, as runs of plain additions between tests."""
    n = values.shape[0]
    scratch = np.empty((4, pending.shape[0]))
    i = 0
    while i < n:
        _restart_after_drift(stats, counts, params)
        waiting = int(stats[7])
        stop = min(n, i + int(stats[5]), i + pending.shape[0] - waiting)
        width, total, deviations = stats[2], stats[3], stats[4]
        for k in range(i, stop):
            x = values[k]
            if width > 0.0:
                deviation = x * width - total
                deviations += deviation * deviation / (width * (width + 1.0))
            width += 1.0
            total += x
            pending[waiting + k - i] = x
            statuses[k] = STABLE
        stats[2], stats[3], stats[4] = width, total, deviations
        stats[7] = waiting + stop - i
        stats[5] -= stop - i
        i = stop
        if stats[5] <= 0.0:
            if adwin_check(stats, totals, variances, counts, pending, params,
                           scratch) == DRIFT:
                statuses[i - 1] = DRIFT
                if stop_at_drift:
                    return i
        elif stats[7] == pending.shape[0]:
            _fold_pending(stats, totals, variances, counts, pending, int(params[2]), scratch)
    return n
