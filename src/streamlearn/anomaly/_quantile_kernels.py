"""Numba kernel of the P² running quantile (Jain & Chlamtac, "The P² algorithm for dynamic
calculation of quantiles and histograms without storing observations", CACM 1985), used by
``QuantileFilter`` to turn scores into alerts.

``heights`` are the five markers' heights, ``positions`` their (1-based) positions and
``desired`` their desired positions; ``count[0]`` is the number of values seen. The first
five values are kept sorted in ``heights``; the estimate is the middle marker's height.
"""

from __future__ import annotations

from numba import njit

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")


@helper
def p2_estimate(heights, count, q):
    """The running ``q``-quantile (nearest rank among the values, until there are five)."""
    n = count[0]
    if n >= 5:
        return heights[2]
    return heights[min(int(q * n), n - 1)]


@helper
def p2_update(x, heights, positions, desired, count, q):
    n = count[0]
    count[0] = n + 1
    if n < 5:  # insertion into the first sorted values
        k = n
        while k > 0 and heights[k - 1] > x:
            heights[k] = heights[k - 1]
            k -= 1
        heights[k] = x
        if n == 4:
            for m in range(5):
                positions[m] = m + 1.0
            desired[0], desired[1], desired[2] = 1.0, 1.0 + 2.0 * q, 1.0 + 4.0 * q
            desired[3], desired[4] = 3.0 + 2.0 * q, 5.0
        return
    if x < heights[0]:
        heights[0] = x
        cell = 0
    elif x >= heights[4]:
        heights[4] = x
        cell = 3
    else:
        cell = 0
        while x >= heights[cell + 1]:
            cell += 1
    for m in range(cell + 1, 5):
        positions[m] += 1.0
    desired[1] += q / 2.0
    desired[2] += q
    desired[3] += (1.0 + q) / 2.0
    desired[4] += 1.0
    for m in range(1, 4):
        gap = desired[m] - positions[m]
        if ((gap >= 1.0 and positions[m + 1] - positions[m] > 1.0)
                or (gap <= -1.0 and positions[m - 1] - positions[m] < -1.0)):
            d = 1.0 if gap > 0.0 else -1.0
            parabolic = heights[m] + d / (positions[m + 1] - positions[m - 1]) * (
                (positions[m] - positions[m - 1] + d) * (heights[m + 1] - heights[m])
                / (positions[m + 1] - positions[m])
                + (positions[m + 1] - positions[m] - d) * (heights[m] - heights[m - 1])
                / (positions[m] - positions[m - 1]))
            if heights[m - 1] < parabolic < heights[m + 1]:
                heights[m] = parabolic
            else:
                s = m + int(d)
                heights[m] += d * (heights[s] - heights[m]) / (positions[s] - positions[m])
            positions[m] += d


@kernel
def quantile_alerts(scores, learn, heights, positions, desired, count, q, grace_period, out):
    """Row ``i`` alerts (1.0) when its score is above the running quantile of the scores of
    the rows learnt before it, once ``grace_period`` of them were; then a learnt row's score
    joins the estimate."""
    for i in range(scores.shape[0]):
        x = scores[i]
        if count[0] >= grace_period and count[0] > 0:
            out[i] = 1.0 if x > p2_estimate(heights, count, q) else 0.0
        else:
            out[i] = 0.0
        if learn[i]:
            p2_update(x, heights, positions, desired, count, q)
