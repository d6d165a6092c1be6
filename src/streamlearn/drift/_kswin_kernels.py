"""Numba kernels of KSWIN (Raab, Heusinger & Schleif 2020): a Kolmogorov-Smirnov test
between the newest values of a sliding window and a random sample of its older values.

``stats`` = status, detections, values in the window, ring position of the oldest, direction
of the last drift (1 if the newest values' mean is above the sample's, else -1);
``window`` is the ring buffer; ``rng`` holds the state of a SplitMix64 generator (Steele,
Lea & Flood 2014), kept with the detector so that snapshots and batches replay exactly.
``params`` = critical distance (in steps of ``1 / stat_size``), window_size, stat_size.
"""

from __future__ import annotations

import numpy as np
from numba import njit

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")

STABLE = 0
DRIFT = 2

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@helper
def _next_below(rng, bound):
    """A uniform integer in [0, bound) from the SplitMix64 state ``rng[0]``."""
    rng[0] += _GOLDEN
    z = rng[0]
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return int((z >> np.uint64(11)) * (1.0 / 9007199254740992.0) * bound)


@helper
def _ks_distance(a, b):
    """The two-sample Kolmogorov-Smirnov statistic of two sorted samples of equal size
    ``r``, times ``r`` (an integer)."""
    r = a.shape[0]
    i = 0
    j = 0
    distance = 0
    while i < r and j < r:
        value = min(a[i], b[j])
        while i < r and a[i] == value:
            i += 1
        while j < r and b[j] == value:
            j += 1
        distance = max(distance, abs(i - j))
    return distance


@helper
def kswin_step(x, stats, window, rng, params, pool, recent, sample):
    size = window.shape[0]
    r = recent.shape[0]
    count = int(stats[2])
    start = int(stats[3])
    if count < size:
        window[(start + count) % size] = x
        count += 1
    else:
        window[start] = x
        start = (start + 1) % size
    status = STABLE
    if count == size:
        older = size - r
        for k in range(older):
            pool[k] = k
        for k in range(r):  # a partial Fisher-Yates shuffle: r distinct older positions
            pick = k + _next_below(rng, older - k)
            chosen = pool[pick]
            pool[pick] = pool[k]
            pool[k] = chosen
            sample[k] = window[(start + chosen) % size]
            recent[k] = window[(start + older + k) % size]
        recent.sort()
        sample.sort()
        if _ks_distance(recent, sample) >= params[0]:
            status = DRIFT
            stats[1] += 1.0
            stats[4] = 1.0 if recent.sum() > sample.sum() else -1.0
            start = (start + older) % size  # keep the newest stat_size values
            count = r
    stats[2] = count
    stats[3] = start
    stats[0] = status
    return status


@kernel
def kswin_one(x, stats, window, rng, params):
    r = int(params[2])
    pool = np.empty(window.shape[0] - r, dtype=np.int64)
    return kswin_step(x, stats, window, rng, params, pool, np.empty(r), np.empty(r))


@kernel
def kswin_many(values, stats, window, rng, params, statuses, stop_at_drift):
    r = int(params[2])
    pool = np.empty(window.shape[0] - r, dtype=np.int64)
    recent = np.empty(r)
    sample = np.empty(r)
    for i in range(values.shape[0]):
        status = kswin_step(values[i], stats, window, rng, params, pool, recent, sample)
        statuses[i] = status
        if stop_at_drift and status == DRIFT:
            return i + 1
    return values.shape[0]
