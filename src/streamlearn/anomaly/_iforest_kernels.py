"""Numba kernels of the streaming isolation forest: one causal loop over a micro-batch that
scores each row with the forest of the last complete window, keeps the learnt rows in the
window being filled, and grows a new forest at the row that completes it.

Tree ``t`` is stored flat in row ``t`` of each node array: ``feature[t, k]`` is the feature
node ``k`` splits on (-1 for a leaf), ``threshold[t, k]`` the split value (values below go
to ``left[t, k]``, the others to ``right[t, k]``), ``missing[t, k]`` the child an event
lacking the feature takes (the one that received more of the training values, the right one
on a tie) and ``leaf_value[t, k]`` a leaf's path length, its depth plus ``c(size)`` for the
training events it still holds. ``window_values[w]`` are the features of the ``window[0]``
events of the window being filled, ``window_present[w]`` which of them the event carried (a
missing one is stored as 0, so that no NaN enters the state); ``window[1]`` counts the
complete windows. ``rng[0]`` is the state of a splitmix64 generator, so that the trees drawn
depend on the seed and the stream only, and survive a snapshot.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")

EULER_GAMMA = 0.5772156649015329


@njit(cache=True, error_model="numpy")
def average_path_length(n):
    """``c(n)``: the average path length of an unsuccessful search in a binary search tree
    of ``n`` keys (Liu, Ting & Zhou 2008), with ``c(2) = 1`` and ``c(n) = 0`` for n < 2."""
    if n <= 1:
        return 0.0
    if n == 2:
        return 1.0
    return 2.0 * (math.log(n - 1.0) + EULER_GAMMA) - 2.0 * (n - 1.0) / n


@helper
def next_uniform(rng):
    """A uniform draw in [0, 1) from the splitmix64 generator whose state is ``rng[0]``."""
    z = rng[0] + np.uint64(0x9E3779B97F4A7C15)
    rng[0] = z
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return np.float64(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@helper
def next_below(rng, n):
    """A uniform integer in [0, n)."""
    return min(int(next_uniform(rng) * n), n - 1)


@helper
def gather(X, i, columns, values):
    """The forest's features of row ``i`` (NaN where absent or not finite)."""
    for f in range(columns.shape[0]):
        column = columns[f]
        x = X[i, column] if column >= 0 else np.nan
        values[f] = x if abs(x) < math.inf else np.nan


@kernel
def grow_tree(data, present, rng, t, subsample, max_depth, feature, threshold, left, right, missing,
              leaf_value, rows, scratch, stack, low, high, candidates):
    """Grow tree ``t`` on ``subsample`` rows of ``data`` drawn without replacement: each node
    splits a feature drawn uniformly among those its rows do not all share, at a uniform
    point between their smallest and largest values, until ``max_depth`` or a single row."""
    n_rows, n_features = data.shape
    for r in range(n_rows):
        rows[r] = r
    for r in range(subsample):  # a partial Fisher-Yates shuffle
        j = r + next_below(rng, n_rows - r)
        rows[r], rows[j] = rows[j], rows[r]
    feature[t, 0] = -1
    n_nodes = 1
    # depth first: a stack of (node, first row, end row, depth), at most max_depth + 1 deep
    stack[0, 0], stack[0, 1], stack[0, 2], stack[0, 3] = 0, 0, subsample, 0
    top = 1
    while top > 0:
        top -= 1
        node, begin, end, depth = stack[top, 0], stack[top, 1], stack[top, 2], stack[top, 3]
        size = end - begin
        n_candidates = 0
        if depth < max_depth and size > 1:
            for f in range(n_features):
                lo, hi = math.inf, -math.inf
                for r in range(begin, end):
                    if present[rows[r], f]:
                        x = data[rows[r], f]
                        lo = min(lo, x)
                        hi = max(hi, x)
                if lo < hi:
                    low[n_candidates], high[n_candidates] = lo, hi
                    candidates[n_candidates] = f
                    n_candidates += 1
        if n_candidates == 0:
            feature[t, node] = -1
            leaf_value[t, node] = depth + average_path_length(size)
            continue
        c = next_below(rng, n_candidates)
        f = candidates[c]
        lo, hi = low[c], high[c]
        at = lo + next_uniform(rng) * (hi - lo)
        if not lo < at <= hi:  # keep both sides non-empty (``at == lo`` by rounding)
            at = hi
        n_left, n_right = 0, 0
        for r in range(begin, end):
            if present[rows[r], f]:
                if data[rows[r], f] < at:
                    n_left += 1
                else:
                    n_right += 1
        missing_left = n_left > n_right
        # stable partition of the node's rows: the left child's, then the right child's
        k = begin
        for r in range(begin, end):
            goes_left = data[rows[r], f] < at if present[rows[r], f] else missing_left
            if goes_left:
                scratch[k] = rows[r]
                k += 1
        split = k
        for r in range(begin, end):
            goes_left = data[rows[r], f] < at if present[rows[r], f] else missing_left
            if not goes_left:
                scratch[k] = rows[r]
                k += 1
        for r in range(begin, end):
            rows[r] = scratch[r]
        feature[t, node] = f
        threshold[t, node] = at
        left[t, node] = n_nodes
        right[t, node] = n_nodes + 1
        missing[t, node] = n_nodes if missing_left else n_nodes + 1
        stack[top, 0], stack[top, 1], stack[top, 2], stack[top, 3] = (
            n_nodes + 1, split, end, depth + 1)
        stack[top + 1, 0], stack[top + 1, 1], stack[top + 1, 2], stack[top + 1, 3] = (
            n_nodes, begin, split, depth + 1)
        top += 2
        n_nodes += 2


@kernel
def grow_forest(data, present, rng, subsample, max_depth, feature, threshold, left, right,
                missing, leaf_value):
    """Replace every tree by one grown on ``data`` (the rows of a complete window, with
    ``present`` saying which values they carry)."""
    feature[:] = -1  # nodes the new trees do not reach keep nothing of the old ones
    threshold[:] = 0.0
    left[:] = 0
    right[:] = 0
    missing[:] = 0
    leaf_value[:] = 0.0
    n_rows, n_features = data.shape
    rows = np.empty(n_rows, dtype=np.int64)
    scratch = np.empty(n_rows, dtype=np.int64)
    stack = np.empty((max_depth + 2, 4), dtype=np.int64)
    low = np.empty(n_features)
    high = np.empty(n_features)
    candidates = np.empty(n_features, dtype=np.int64)
    for t in range(feature.shape[0]):
        grow_tree(data, present, rng, t, subsample, max_depth, feature, threshold, left, right,
                  missing, leaf_value, rows, scratch, stack, low, high, candidates)


@helper
def path_length(values, feature, threshold, left, right, missing, leaf_value, t):
    """The path length of an event with ``values`` in tree ``t``."""
    k = 0
    while feature[t, k] >= 0:
        x = values[feature[t, k]]
        if x != x:
            k = missing[t, k]
        elif x < threshold[t, k]:
            k = left[t, k]
        else:
            k = right[t, k]
    return leaf_value[t, k]


@kernel
def isolation_forest(X_pred, X_learn, learn, start, pred_columns, learn_columns,
                     window_values, window_present, window, rng, subsample, max_depth,
                     feature, threshold, left, right, missing, leaf_value, normaliser, out):
    """Row ``i``'s score is ``2 ** (-E[h(x)] / c(subsample))`` over the trees of the last
    complete window (0 before one is complete), from ``X_pred``; then, if learnt (and
    ``i >= start``), its features from ``X_learn`` join the window, and the event completing
    the window grows the forest anew from it."""
    n_trees = feature.shape[0]
    window_size = window_values.shape[0]
    values = np.empty(pred_columns.shape[0])
    learn_values = np.empty(learn_columns.shape[0])
    for i in range(X_pred.shape[0]):
        score = 0.0
        if window[1] > 0:
            gather(X_pred, i, pred_columns, values)
            total = 0.0
            for t in range(n_trees):
                total += path_length(values, feature, threshold, left, right, missing,
                                     leaf_value, t)
            score = 2.0 ** (-(total / n_trees) / normaliser)
        out[i] = score
        if not learn[i] or i < start:
            continue
        w = window[0]
        gather(X_learn, i, learn_columns, learn_values)
        for f in range(learn_values.shape[0]):
            x = learn_values[f]
            window_present[w, f] = x == x
            window_values[w, f] = x if x == x else 0.0
        window[0] = w + 1
        if window[0] == window_size:
            grow_forest(window_values, window_present, rng, subsample, max_depth, feature,
                        threshold, left, right, missing, leaf_value)
            window_values[:] = 0.0
            window_present[:] = False
            window[0] = 0
            window[1] += 1
