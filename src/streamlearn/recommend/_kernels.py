"""Numba kernels of the recommenders: one causal loop over a micro-batch.

Users and items are integer slots (``-1``: the event has none, or one never learnt). Row ``i``
is answered with the state left by rows ``< i``; a slot counts as known once a learnt event
has carried it (its count is positive), so a user registered by a later row of the same batch
is still unknown when an earlier row is answered. Then, if the row is learnt, its user and
item take in the rating. Sums run in a fixed order, so any batching gives the same numbers.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)
_ONE = np.uint64(1)
_TO_UNIT = 2.0 ** -53
_TAU = 2.0 * math.pi


@helper
def _splitmix(z):
    """SplitMix64's finaliser (Steele, Lea & Flood 2014): a counter to 64 random bits."""
    z = z + _GOLDEN
    z = (z ^ (z >> _S30)) * _MIX_1
    z = (z ^ (z >> _S27)) * _MIX_2
    return z ^ (z >> _S31)


@kernel
def fill_normal(out, seed, stream, first_row, std):
    """Rows ``first_row:`` of ``out`` from N(0, std²); entry ``(r, f)`` depends only on
    ``(seed, stream, r, f)`` (a counter-based generator and Box-Muller), so a slot gets the
    same factors whenever and in whatever batch it is registered."""
    width = out.shape[1]
    key = _splitmix(_splitmix(np.uint64(seed)) ^ np.uint64(stream))
    for r in range(first_row, out.shape[0]):
        for f in range(width):
            bits = _splitmix(key ^ _splitmix(np.uint64(r * width + f)))
            u1 = np.float64((bits >> _S11) + _ONE) * _TO_UNIT     # in (0, 1]
            u2 = np.float64(_splitmix(bits) >> _S11) * _TO_UNIT   # in [0, 1)
            out[r, f] = std * math.sqrt(-2.0 * math.log(u1)) * math.cos(_TAU * u2)


@helper
def _dot(user_factors, item_factors, u, it):
    total = 0.0
    for f in range(user_factors.shape[1]):
        total += user_factors[u, f] * item_factors[it, f]
    return total


@kernel
def factorization(users_pred, items_pred, users_learn, items_learn, learnt, y, user_counts,
                  item_counts, user_biases, item_biases, user_factors, item_factors, totals,
                  bias_rate, latent_rate, l2_bias, l2_latent, clip, out):
    """Biased matrix factorisation by SGD on the squared error (Koren, Bell & Volinsky 2009);
    with no factor it is the baseline predictor ``mean + b_u + b_i``.

    ``totals`` holds (ratings learnt, their mean). A prediction adds to the mean the bias of a
    known user, of a known item, and the dot product of their factors when both are known.
    Learning updates the mean first, then takes one step on ``(pred - y)²`` plus the L2
    penalties, every gradient from the values before the step (River's order)."""
    seen, mean = totals[0], totals[1]
    for i in range(out.shape[0]):
        u, it = users_pred[i], items_pred[i]
        known_user = u >= 0 and user_counts[u] > 0
        known_item = it >= 0 and item_counts[it] > 0
        p = mean
        if known_user:
            p += user_biases[u]
        if known_item:
            p += item_biases[it]
        if known_user and known_item:
            p += _dot(user_factors, item_factors, u, it)
        out[i] = p
        if not learnt[i]:
            continue
        u, it = users_learn[i], items_learn[i]
        seen += 1.0
        mean += (1.0 / seen) * (y[i] - mean)
        p = mean
        p += user_biases[u]
        p += item_biases[it]
        p += _dot(user_factors, item_factors, u, it)
        g = min(max(2.0 * (p - y[i]), -clip), clip)
        b_user, b_item = user_biases[u], item_biases[it]
        user_biases[u] = b_user - bias_rate * (g + l2_bias * b_user)
        item_biases[it] = b_item - bias_rate * (g + l2_bias * b_item)
        for f in range(user_factors.shape[1]):
            p_uf, q_if = user_factors[u, f], item_factors[it, f]
            user_factors[u, f] = p_uf - latent_rate * (g * q_if + l2_latent * p_uf)
            item_factors[it, f] = q_if - latent_rate * (g * p_uf + l2_latent * q_if)
        user_counts[u] += 1
        item_counts[it] += 1
    totals[0], totals[1] = seen, mean


@kernel
def popularity(items_pred, users_learn, items_learn, learnt, user_counts, item_counts, out):
    """An item's score is the number of learnt events that carried it."""
    for i in range(out.shape[0]):
        it = items_pred[i]
        out[i] = np.float64(item_counts[it]) if it >= 0 else 0.0
        if learnt[i]:
            user_counts[users_learn[i]] += 1
            item_counts[items_learn[i]] += 1


@helper
def _uniform(seed, counter):
    """A number in [0, 1) that depends only on ``(seed, counter)``."""
    bits = _splitmix(_splitmix(np.uint64(seed)) ^ _splitmix(np.uint64(counter)))
    return np.float64(bits >> _S11) * _TO_UNIT


@helper
def _sigmoid_of_minus(x):
    """σ(-x), computed without overflow."""
    if x >= 0.0:
        z = math.exp(-x)
        return z / (1.0 + z)
    return 1.0 / (1.0 + math.exp(x))


@kernel
def bpr(users_pred, items_pred, users_learn, items_learn, learnt, user_counts, item_counts,
        item_biases, user_factors, item_factors, totals, seed, n_negatives, rate, l2, out):
    """Bayesian personalised ranking (Rendle et al. 2009) by SGD: ``n_negatives`` sampled
    negatives per event, one step each. ``totals`` holds the events learnt (the counter of
    the draws). Known items always form a prefix of the slots (a slot is registered by its
    first learnt event), so a negative is drawn uniformly from that prefix, the positive
    left out."""
    learnt_so_far = np.int64(totals[0])
    known_items = 0
    while known_items < item_counts.shape[0] and item_counts[known_items] > 0:
        known_items += 1
    for r in range(out.shape[0]):
        u, it = users_pred[r], items_pred[r]
        score = 0.0
        if it >= 0 and item_counts[it] > 0:
            score = item_biases[it]
            if u >= 0 and user_counts[u] > 0:
                score += _dot(user_factors, item_factors, u, it)
        out[r] = score
        if not learnt[r]:
            continue
        u, i = users_learn[r], items_learn[r]
        others = known_items - 1 if i < known_items else known_items
        for draw in range(n_negatives if others > 0 else 0):
            j = np.int64(_uniform(seed, learnt_so_far * n_negatives + draw) * others)
            if i < known_items and j >= i:
                j += 1
            x = item_biases[i] - item_biases[j]
            for f in range(user_factors.shape[1]):
                x += user_factors[u, f] * (item_factors[i, f] - item_factors[j, f])
            g = _sigmoid_of_minus(x)
            b_i, b_j = item_biases[i], item_biases[j]
            item_biases[i] = b_i + rate * (g - l2 * b_i)
            item_biases[j] = b_j + rate * (-g - l2 * b_j)
            for f in range(user_factors.shape[1]):
                p, q_i, q_j = user_factors[u, f], item_factors[i, f], item_factors[j, f]
                user_factors[u, f] = p + rate * (g * (q_i - q_j) - l2 * p)
                item_factors[i, f] = q_i + rate * (g * p - l2 * q_i)
                item_factors[j, f] = q_j + rate * (-g * p - l2 * q_j)
        if item_counts[i] == 0:
            known_items += 1
        user_counts[u] += 1
        item_counts[i] += 1
        learnt_so_far += 1
    totals[0] = np.float64(learnt_so_far)
