"""What every tree kernel shares: the array layout of a tree, walking it, splitting a leaf,
counter-based random numbers and the split criteria.

A tree is a dict of numpy arrays (see :mod:`streamlearn.trees._state`). Nodes are rows of
``node_int`` (split feature, left child, leaf slot, depth) and ``node_float`` (threshold,
weight of the learnt events that went through). Every split is binary and allocates its two
children as consecutive rows, so the right child is ``left + 1``. A leaf points to a *slot*,
a row of the per-leaf arrays (``leaf_float``, ``leaf_int`` and the task's statistics); a
split reuses the leaf's slot for its left child and takes a new slot for the right one.

A feature value is missing when it is not finite (NaN: absent from the event). A numeric
split sends ``x <= threshold`` left; a nominal split sends the category whose code equals
the threshold left and every other one (unseen ones included) right; a missing value follows
the child that has seen more weight, as River and MOA send it down the most travelled path.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

INF = math.inf
HALF_LOG_TAU = 0.5 * math.log(2.0 * math.pi)

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")
# big helpers are called rather than inlined, which keeps compile times short: those that run
# once per split attempt (``rare``) and the heavy per-event ones (``called``)
rare = njit(cache=True, error_model="numpy")
called = njit(cache=True, error_model="numpy")

NUMERIC = 0
NOMINAL = 1

# columns of node_int
N_FEATURE, N_LEFT, N_LEAF, N_DEPTH = 0, 1, 2, 3
NODE_INT_WIDTH = 4
# columns of node_float
N_THRESHOLD, N_WEIGHT = 0, 1
NODE_FLOAT_WIDTH = 2
# entries of counts
C_NODES, C_LEAVES, C_DRAWS, C_SEED, C_STREAM = 0, 1, 2, 3, 4
COUNTS_WIDTH = 5
# columns of leaf_float: weight learnt (initial statistics included), weight at the last
# split attempt, active flag, then what the leaf predictors keep
L_TOTAL, L_LAST, L_ACTIVE, L_MC, L_NB, L_FMSE_MEAN, L_FMSE_MODEL, L_INTERCEPT = range(8)
LEAF_FLOAT_WIDTH = 8
# columns of leaf_int: the leaf's node, its number of monitored features (-1 until the leaf
# first learns, in a tree that samples a random subspace per leaf), then those features
LI_NODE, LI_SUBSPACE, LI_FEATURES = 0, 1, 2

# entries of the float parameters every kernel reads
(P_GRACE, P_DELTA, P_TAU, P_MAX_DEPTH, P_MAX_BYTES, P_MAX_FEATURES, P_MODE, P_NB_THRESHOLD,
 P_MIN_BRANCH, P_MAX_SHARE, P_N_SPLITS, P_CRITERION, P_LEARNING_RATE, P_DECAY,
 P_MIN_SAMPLES, P_WINDOW, P_SIGNIFICANCE, P_BOOTSTRAP) = range(18)
N_PARAMS = 18

CRITERION_INFO_GAIN = 0
CRITERION_GINI = 1


# ---------------------------------------------------------------------------- random numbers
@helper
def mix64(z):
    """The finaliser of SplitMix64 (Steele, Lea & Flood 2014): a bijective bit mixer."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@helper
def uniform(seed, stream, counter):
    """A uniform number in [0, 1) that depends only on (seed, stream, counter): random draws
    are a pure function of their position, so they do not depend on how a stream is cut
    into batches, and a snapshot only needs the counter."""
    z = mix64(np.uint64(seed) ^ (np.uint64(stream) * np.uint64(0x9E3779B97F4A7C15)))
    z = mix64(z + np.uint64(counter) * np.uint64(0xD1B54A32D192ED03) + np.uint64(1))
    return float(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@helper
def poisson(rate, u):
    """The Poisson(rate) variate at quantile ``u`` (inversion of the CDF)."""
    k = 0
    p = math.exp(-rate)
    cumulative = p
    while u > cumulative and p > 0.0:
        k += 1
        p *= rate / k
        cumulative += p
    return k


@kernel
def poisson_weights(seed, stream, first_event, rate, out):
    """``out[i]`` = the Poisson(rate) weight of event ``first_event + i`` for ``stream``."""
    for i in range(out.shape[0]):
        out[i] = poisson(rate, uniform(seed, stream, first_event + i))


# ---------------------------------------------------------------------------- walking
@helper
def goes_left(Z, i, node, kinds, node_int, node_float):
    j = node_int[node, N_FEATURE]
    value = Z[i, j]
    if abs(value) < INF:
        if kinds[j] == NOMINAL:
            return value == node_float[node, N_THRESHOLD]
        return value <= node_float[node, N_THRESHOLD]
    left = node_int[node, N_LEFT]
    return node_float[left, N_WEIGHT] >= node_float[left + 1, N_WEIGHT]


@helper
def find_leaf(Z, i, root, kinds, node_int, node_float):
    """The leaf node that row ``i`` of ``Z`` reaches from ``root``."""
    node = root
    while node_int[node, N_FEATURE] >= 0:
        left = node_int[node, N_LEFT]
        node = left if goes_left(Z, i, node, kinds, node_int, node_float) else left + 1
    return node


@helper
def find_leaf_learning(Z, i, root, weight, kinds, node_int, node_float):
    """:func:`find_leaf`, adding ``weight`` to every node on the way (the leaf included)."""
    node = root
    while True:
        node_float[node, N_WEIGHT] += weight
        if node_int[node, N_FEATURE] < 0:
            return node
        left = node_int[node, N_LEFT]
        node = left if goes_left(Z, i, node, kinds, node_int, node_float) else left + 1


@helper
def is_known(j, kinds, slots, n_numeric, n_nominal):
    """Whether feature ``j`` had been learnt when the current row came (its slot exists)."""
    if kinds[j] == NOMINAL:
        return slots[j] < n_nominal
    return slots[j] < n_numeric


@helper
def monitored_count(slot, all_features, n_columns, leaf_int):
    if all_features:
        return n_columns
    return max(leaf_int[slot, LI_SUBSPACE], 0)


@helper
def monitored_feature(slot, t, all_features, leaf_int):
    if all_features:
        return t
    return leaf_int[slot, LI_FEATURES + t]


@helper
def choose_subspace(Z, i, slot, max_features, kinds, slots, n_numeric, n_nominal, leaf_int,
                    counts, scratch):
    """The random subspace of a leaf of a random forest's tree, drawn when the leaf first
    learns: ``max_features`` of the features present in the event (all if fewer), without
    replacement, as Gomes et al. (2017) do at each leaf."""
    present = 0
    for j in range(Z.shape[1]):
        if abs(Z[i, j]) < INF and is_known(j, kinds, slots, n_numeric, n_nominal):
            scratch[present] = j
            present += 1
    chosen = min(max_features, present)
    for t in range(chosen):  # a partial Fisher-Yates shuffle
        u = uniform(counts[C_SEED], counts[C_STREAM], counts[C_DRAWS])
        counts[C_DRAWS] += 1
        r = t + min(int(u * (present - t)), present - t - 1)
        scratch[t], scratch[r] = scratch[r], scratch[t]
        leaf_int[slot, LI_FEATURES + t] = scratch[t]
    leaf_int[slot, LI_SUBSPACE] = chosen


# ---------------------------------------------------------------------------- growing
@helper
def reset_leaf(node, slot, depth, weight, node_int, node_float, leaf_float, leaf_int):
    """Make ``node`` a fresh, active leaf on ``slot`` that starts with ``weight``."""
    node_int[node, N_FEATURE] = -1
    node_int[node, N_LEFT] = -1
    node_int[node, N_LEAF] = slot
    node_int[node, N_DEPTH] = depth
    node_float[node, N_THRESHOLD] = 0.0
    node_float[node, N_WEIGHT] = weight
    leaf_float[slot, :] = 0.0
    leaf_float[slot, L_TOTAL] = weight
    leaf_float[slot, L_LAST] = weight
    leaf_float[slot, L_ACTIVE] = 1.0
    leaf_int[slot, :] = 0
    leaf_int[slot, LI_NODE] = node
    leaf_int[slot, LI_SUBSPACE] = -1


@helper
def split_nodes(slot, feature, threshold, node_int, node_float, leaf_int, counts):
    """Turn the leaf on ``slot`` into a split; returns (left child, right slot, depth)."""
    node = leaf_int[slot, LI_NODE]
    left = counts[C_NODES]
    counts[C_NODES] += 2
    right_slot = counts[C_LEAVES]
    counts[C_LEAVES] += 1
    node_int[node, N_FEATURE] = feature
    node_int[node, N_LEFT] = left
    node_int[node, N_LEAF] = -1
    node_float[node, N_THRESHOLD] = threshold
    return left, right_slot, node_int[node, N_DEPTH] + 1


@helper
def may_split(slot, leaf_bytes, params, node_int, leaf_int, counts):
    """Depth and memory limits: whether the leaf on ``slot`` may still split."""
    if node_int[leaf_int[slot, LI_NODE], N_DEPTH] >= params[P_MAX_DEPTH]:
        return False
    return (counts[C_LEAVES] + 1) * leaf_bytes <= params[P_MAX_BYTES]


@helper
def hoeffding_bound(value_range, delta, n):
    """Hoeffding's bound: with probability 1 - delta, the mean of n observations of a
    variable of range R is within sqrt(R² ln(1/delta) / 2n) of its expectation."""
    return math.sqrt(value_range * value_range * math.log(1.0 / delta) / (2.0 * n))


# ---------------------------------------------------------------------------- criteria
@helper
def entropy(dist):
    total = 0.0
    acc = 0.0
    for c in range(dist.shape[0]):
        d = dist[c]
        if d > 0.0:
            acc -= d * math.log2(d)
            total += d
    if total <= 0.0:
        return 0.0
    return (acc + total * math.log2(total)) / total


@helper
def gini(dist):
    total = 0.0
    for c in range(dist.shape[0]):
        total += dist[c]
    if total <= 0.0:
        return 0.0
    acc = 1.0
    for c in range(dist.shape[0]):
        p = dist[c] / total
        acc -= p * p
    return acc


@helper
def class_split_merit(pre, left, right, criterion, min_branch_fraction):
    """Information gain (or Gini merit) of splitting ``pre`` into ``left`` and ``right``;
    -inf unless both branches hold more than ``min_branch_fraction`` of the weight."""
    w_left = 0.0
    w_right = 0.0
    for c in range(left.shape[0]):
        w_left += left[c]
        w_right += right[c]
    total = w_left + w_right
    if total <= 0.0:
        return -INF
    if w_left / total <= min_branch_fraction or w_right / total <= min_branch_fraction:
        return -INF
    if criterion == CRITERION_GINI:
        return 1.0 - (w_left * gini(left) + w_right * gini(right)) / total
    return entropy(pre) - (w_left * entropy(left) + w_right * entropy(right)) / total


@helper
def norm_cdf(z):
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))
