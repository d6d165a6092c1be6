"""Numba kernel of ``QuantileFilter``: scores become alerts above their running quantile,
kept by the P² algorithm of :mod:`streamlearn.preprocessing._quantile_kernels` (Jain &
Chlamtac, "The P² algorithm for dynamic calculation of quantiles and histograms without
storing observations", CACM 1985).

``heights`` are the five markers' heights, ``positions`` their (1-based) positions and
``desired`` their desired positions; ``count[0]`` is the number of values seen.
"""

from __future__ import annotations

from numba import njit

from streamlearn.preprocessing._quantile_kernels import p2_estimate, p2_update


@njit(cache=True, error_model="numpy")
def quantile_alerts(scores, learn, heights, positions, desired, count, q, grace_period, out):
    """Row ``i`` alerts (1.0) when its score is above the running quantile of the scores of
    the rows learnt before it, once ``grace_period`` of them were; then a learnt row's score
    joins the estimate."""
    for i in range(scores.shape[0]):
        x = scores[i]
        if count[0] >= grace_period and count[0] > 0:
            out[i] = 1.0 if x > p2_estimate(q, count[0], heights) else 0.0
        else:
            out[i] = 0.0
        if learn[i]:
            p2_update(x, q, count[0], heights, positions, desired)
            count[0] += 1
