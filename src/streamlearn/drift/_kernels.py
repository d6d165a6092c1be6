"""Numba kernels of the detectors with a fixed-size state: DDM, EDDM, Page-Hinkley, HDDM_A.

Each detector has a step function over one value (``*_step(x, stats, params) -> status``),
inlined into a per-value kernel (``*_one``) and a batch kernel (``*_many``) that walks the
values in order, writes the status of each and can stop at the first drift. ``stats[0]`` is
the status of the last value (0 stable, 1 warning, 2 drift) and ``stats[1]`` the number of
drifts detected; a detector that reported a drift starts afresh at the next value. The step
functions take arrays and scalars only, so numba code elsewhere (a tree's kernel, say) can
call them on a detector's arrays.
"""

from __future__ import annotations

import math

from numba import njit

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")

STABLE = 0
WARNING = 1
DRIFT = 2


# ---------------------------------------------------------------------------- DDM
# stats: status, detections, n, p (error rate), p_min, s_min, p_min + s_min
# params: warm_start, warning_threshold, drift_threshold
@helper
def ddm_step(x, stats, params):
    if stats[0] == DRIFT:
        stats[2] = 0.0
        stats[3] = 0.0
        stats[4] = math.inf
        stats[5] = math.inf
        stats[6] = math.inf
    n = stats[2] + 1.0
    p = stats[3] + (x - stats[3]) / n
    stats[2] = n
    stats[3] = p
    status = STABLE
    if n > params[0]:
        s = math.sqrt(p * (1.0 - p) / n)
        if p + s <= stats[6]:
            stats[4] = p
            stats[5] = s
            stats[6] = p + s
        if p + s > stats[4] + params[2] * stats[5]:
            status = DRIFT
            stats[1] += 1.0
        elif p + s > stats[4] + params[1] * stats[5]:
            status = WARNING
    stats[0] = status
    return status


@kernel
def ddm_one(x, stats, params):
    return ddm_step(x, stats, params)


@kernel
def ddm_many(values, stats, params, statuses, stop_at_drift):
    for i in range(values.shape[0]):
        status = ddm_step(values[i], stats, params)
        statuses[i] = status
        if stop_at_drift and status == DRIFT:
            return i + 1
    return values.shape[0]


# ---------------------------------------------------------------------------- EDDM
# stats: status, detections, n, errors, position of the last error, mean distance between
#        errors, their sum of squared deviations, max of (mean + 2 std)
# params: warm_start, alpha (warning level), beta (drift level)
@helper
def eddm_step(x, stats, params):
    if stats[0] == DRIFT:
        for k in range(2, 8):
            stats[k] = 0.0
    n = stats[2] + 1.0
    stats[2] = n
    status = WARNING if stats[0] == WARNING else STABLE
    if x != 0.0:
        errors = stats[3] + 1.0
        distance = n - stats[4]
        delta = distance - stats[5]
        stats[5] += delta / errors
        stats[6] += delta * (distance - stats[5])
        stats[3] = errors
        stats[4] = n
        if n > params[0]:
            spread = math.sqrt(stats[6] / (errors - 1.0)) if errors > 1.0 else 0.0
            level = stats[5] + 2.0 * spread
            if level > stats[7]:
                stats[7] = level
            elif errors > params[0]:
                ratio = level / stats[7]
                if ratio < params[2]:
                    status = DRIFT
                    stats[1] += 1.0
                elif ratio < params[1]:
                    status = WARNING
                else:
                    status = STABLE
    stats[0] = status
    return status


@kernel
def eddm_one(x, stats, params):
    return eddm_step(x, stats, params)


@kernel
def eddm_many(values, stats, params, statuses, stop_at_drift):
    for i in range(values.shape[0]):
        status = eddm_step(values[i], stats, params)
        statuses[i] = status
        if stop_at_drift and status == DRIFT:
            return i + 1
    return values.shape[0]


# ---------------------------------------------------------------------------- Page-Hinkley
# stats: status, detections, n, mean, cumulative deviation up, its minimum, cumulative
#        deviation down, its minimum, direction of the last drift
# params: min_instances, delta, threshold, alpha (fading of the sums), mode (0 both, 1 up,
#         2 down)
@helper
def page_hinkley_step(x, stats, params):
    if stats[0] == DRIFT:
        stats[2] = 0.0
        stats[3] = 0.0
        stats[4] = 0.0
        stats[5] = math.inf
        stats[6] = 0.0
        stats[7] = math.inf
    n = stats[2] + 1.0
    mean = stats[3] + (x - stats[3]) / n
    stats[2] = n
    stats[3] = mean
    delta, alpha, mode = params[1], params[3], params[4]
    up = alpha * stats[4] + (x - mean - delta)
    down = alpha * stats[6] + (mean - x - delta)
    stats[4] = up
    stats[6] = down
    stats[5] = min(stats[5], up)
    stats[7] = min(stats[7], down)
    status = STABLE
    rose = mode != 2.0 and up - stats[5] > params[2]
    fell = mode != 1.0 and down - stats[7] > params[2]
    if n >= params[0] and (rose or fell):
        status = DRIFT
        stats[1] += 1.0
        stats[8] = 1.0 if rose else -1.0
    stats[0] = status
    return status


@kernel
def page_hinkley_one(x, stats, params):
    return page_hinkley_step(x, stats, params)


@kernel
def page_hinkley_many(values, stats, params, statuses, stop_at_drift):
    for i in range(values.shape[0]):
        status = page_hinkley_step(values[i], stats, params)
        statuses[i] = status
        if stop_at_drift and status == DRIFT:
            return i + 1
    return values.shape[0]


# ---------------------------------------------------------------------------- HDDM_A
# stats: status, detections, n, sum, cut point for an increase (count, sum, mean + bound),
#        cut point for a decrease (count, sum, mean - bound), direction of the last drift
# params: ln(1/drift_confidence) (for the cut points), ln(2/drift_confidence),
#         ln(2/warning_confidence) (for the tests), two-sided (1.0) or not (0.0)
@helper
def hddm_a_bound(count, log_inverse_confidence):
    """Hoeffding's bound on the deviation of a mean of ``count`` values in [0, 1]."""
    return math.sqrt(log_inverse_confidence / (2.0 * count))


@helper
def hddm_a_difference_bound(n_cut, n, log_term):
    """Bound on the difference between the mean of the first ``n_cut`` values and the mean
    of all ``n`` values when both have the same expectation (``log_term`` = ln(2 / level))."""
    return math.sqrt((n - n_cut) / (2.0 * n_cut * n) * log_term)


@helper
def hddm_a_step(x, stats, params):
    if stats[0] == DRIFT:
        for k in range(2, 10):
            stats[k] = 0.0
    n = stats[2] + 1.0
    total = stats[3] + x
    stats[2] = n
    stats[3] = total
    mean = total / n
    bound = hddm_a_bound(n, params[0])
    if stats[4] == 0.0 or mean + bound <= stats[6]:
        stats[4] = n
        stats[5] = total
        stats[6] = mean + bound
    if stats[7] == 0.0 or mean - bound >= stats[9]:
        stats[7] = n
        stats[8] = total
        stats[9] = mean - bound
    status = STABLE
    if stats[4] < n:
        increase = mean - stats[5] / stats[4]
        if increase >= hddm_a_difference_bound(stats[4], n, params[1]):
            status = DRIFT
            stats[10] = 1.0
        elif increase >= hddm_a_difference_bound(stats[4], n, params[2]):
            status = WARNING
    if params[3] != 0.0 and status != DRIFT and stats[7] < n:
        decrease = stats[8] / stats[7] - mean
        if decrease >= hddm_a_difference_bound(stats[7], n, params[1]):
            status = DRIFT
            stats[10] = -1.0
        elif decrease >= hddm_a_difference_bound(stats[7], n, params[2]):
            status = WARNING
    if status == DRIFT:
        stats[1] += 1.0
    stats[0] = status
    return status


@kernel
def hddm_a_one(x, stats, params):
    return hddm_a_step(x, stats, params)


@kernel
def hddm_a_many(values, stats, params, statuses, stop_at_drift):
    for i in range(values.shape[0]):
        status = hddm_a_step(values[i], stats, params)
        statuses[i] = status
        if stop_at_drift and status == DRIFT:
            return i + 1
    return values.shape[0]
