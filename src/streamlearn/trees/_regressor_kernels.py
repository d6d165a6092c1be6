"""Numba kernels of the Hoeffding tree regressors (FIMT-style variance reduction).

Leaf statistics (per leaf slot): ``target`` (mean and sum of squared deviations of the
target; the weight is ``leaf_float[L_TOTAL]``), ``bins`` (per numeric feature, a streaming
histogram of at most ``n_bins`` bins: weight, centroid of the feature, mean and sum of
squared deviations of the target), ``bin_count`` (bins in use), ``nominal`` (per nominal
feature and category: weight, target mean, sum of squared deviations) and ``model`` (the
weights of a linear model over the numeric features; its intercept is
``leaf_float[L_INTERCEPT]``).

The histogram is the one of Ben-Haim & Tom-Tov (2010): a new value becomes a bin of its own,
and when there are too many, the two bins with the closest centroids merge (their target
statistics merge exactly, with Chan et al.'s formula). Candidate thresholds lie halfway
between consecutive centroids. It needs no range known in advance and keeps a feature with
few distinct values exact.
"""

from __future__ import annotations

import numpy as np

from streamlearn.trees._kernels import (
    C_LEAVES,
    INF,
    L_ACTIVE,
    L_FMSE_MEAN,
    L_FMSE_MODEL,
    L_INTERCEPT,
    L_LAST,
    L_TOTAL,
    LI_SUBSPACE,
    N_LEAF,
    NODE_FLOAT_WIDTH,
    NODE_INT_WIDTH,
    NOMINAL,
    P_DECAY,
    P_DELTA,
    P_GRACE,
    P_LEARNING_RATE,
    P_MAX_FEATURES,
    P_MIN_SAMPLES,
    P_MODE,
    P_TAU,
    called,
    choose_subspace,
    find_leaf,
    find_leaf_learning,
    helper,
    hoeffding_bound,
    kernel,
    may_split,
    monitored_count,
    monitored_feature,
    rare,
    reset_leaf,
    split_nodes,
)

MODE_MEAN, MODE_MODEL, MODE_ADAPTIVE = 0, 1, 2
B_WEIGHT, B_X, B_MEAN, B_M2 = 0, 1, 2, 3
BIN_WIDTH = 4
T_MEAN, T_M2 = 0, 1
TARGET_WIDTH = 2
NOMINAL_WIDTH = 3


# ---------------------------------------------------------------------------- predicting
@helper
def model_output(Z, i, slot, kinds, slots, model, leaf_float):
    total = leaf_float[slot, L_INTERCEPT]
    for j in range(Z.shape[1]):
        value = Z[i, j]
        if kinds[j] != NOMINAL and slots[j] < model.shape[1] and abs(value) < INF:
            total += model[slot, slots[j]] * value
    return total


@helper
def leaf_value(Z, i, slot, mode, kinds, slots, leaf_float, target, model):
    """The leaf's answer: the target mean, its linear model, or whichever of the two has the
    smaller faded squared error (River's adaptive leaves)."""
    if mode == MODE_MEAN:
        return target[slot, T_MEAN]
    if mode == MODE_ADAPTIVE and leaf_float[slot, L_FMSE_MEAN] < leaf_float[slot, L_FMSE_MODEL]:
        return target[slot, T_MEAN]
    return model_output(Z, i, slot, kinds, slots, model, leaf_float)


# ---------------------------------------------------------------------------- learning
@helper
def merge_into(stats, weight, mean, m2):
    """Merge (weight, mean, m2) into ``stats[0:3]`` = (weight, mean, m2) (Chan et al.)."""
    total = stats[0] + weight
    if total <= 0.0:
        return
    gap = mean - stats[1]
    stats[2] += m2 + gap * gap * stats[0] * weight / total
    stats[1] += gap * weight / total
    stats[0] = total


@helper
def insert_value(bins, count, x, y, weight, n_bins):
    """Add (x, y, weight) to a histogram of ``count`` bins; returns the new count."""
    position = count
    for b in range(count):
        if bins[b, B_X] >= x:
            position = b
            break
    if position < count and bins[position, B_X] == x:
        bin_ = bins[position]
        total = bin_[B_WEIGHT] + weight
        gap = y - bin_[B_MEAN]
        bin_[B_M2] += gap * gap * bin_[B_WEIGHT] * weight / total
        bin_[B_MEAN] += gap * weight / total
        bin_[B_WEIGHT] = total
        return count
    for b in range(count, position, -1):
        bins[b, :] = bins[b - 1]
    bins[position, B_WEIGHT] = weight
    bins[position, B_X] = x
    bins[position, B_MEAN] = y
    bins[position, B_M2] = 0.0
    count += 1
    if count <= n_bins:
        return count
    closest = 0
    for b in range(1, count - 1):
        if bins[b + 1, B_X] - bins[b, B_X] < bins[closest + 1, B_X] - bins[closest, B_X]:
            closest = b
    left = bins[closest]
    right = bins[closest + 1]
    total = left[B_WEIGHT] + right[B_WEIGHT]
    gap = right[B_MEAN] - left[B_MEAN]
    left[B_M2] += right[B_M2] + gap * gap * left[B_WEIGHT] * right[B_WEIGHT] / total
    left[B_MEAN] += gap * right[B_WEIGHT] / total
    left[B_X] += (right[B_X] - left[B_X]) * right[B_WEIGHT] / total
    left[B_WEIGHT] = total
    for b in range(closest + 1, count - 1):
        bins[b, :] = bins[b + 1]
    bins[count - 1, :] = 0.0
    return count - 1


@called
def learn_leaf(Z, i, slot, y, weight, params, n_bins, kinds, slots, leaf_float, leaf_int,
               target, bins, bin_count, nominal, model, counts, scratch):
    mode = params[P_MODE]
    all_features = params[P_MAX_FEATURES] == 0
    if mode == MODE_ADAPTIVE:
        decay = params[P_DECAY]
        error_mean = y - target[slot, T_MEAN]
        error_model = y - model_output(Z, i, slot, kinds, slots, model, leaf_float)
        leaf_float[slot, L_FMSE_MEAN] = decay * leaf_float[slot, L_FMSE_MEAN] + \
            error_mean * error_mean
        leaf_float[slot, L_FMSE_MODEL] = decay * leaf_float[slot, L_FMSE_MODEL] + \
            error_model * error_model
    # the target's weighted mean and squared deviations
    seen = leaf_float[slot, L_TOTAL]
    mean_before = target[slot, T_MEAN]
    leaf_float[slot, L_TOTAL] = seen + weight
    target[slot, T_MEAN] = mean_before + weight / (seen + weight) * (y - mean_before)
    target[slot, T_M2] += weight * (y - mean_before) * (y - target[slot, T_MEAN])
    if leaf_float[slot, L_ACTIVE] > 0.0:
        n_numeric = bins.shape[1]
        n_nominal = nominal.shape[1]
        if not all_features and leaf_int[slot, LI_SUBSPACE] < 0:
            choose_subspace(Z, i, slot, int(params[P_MAX_FEATURES]), kinds, slots, n_numeric,
                            n_nominal, leaf_int, counts, scratch)
        for t in range(monitored_count(slot, all_features, Z.shape[1], leaf_int)):
            j = monitored_feature(slot, t, all_features, leaf_int)
            value = Z[i, j]
            if not abs(value) < INF:
                continue
            s = slots[j]
            if kinds[j] == NOMINAL:
                if s < n_nominal:
                    merge_into(nominal[slot, s, int(value)], weight, y, 0.0)
            elif s < n_numeric:
                bin_count[slot, s] = insert_value(bins[slot, s], int(bin_count[slot, s]), value,
                                                  y, weight, n_bins)
    if mode != MODE_MEAN:
        # the leaf's linear model: one SGD step on the weighted squared loss (River's
        # LinearRegression with its defaults)
        rate = params[P_LEARNING_RATE]
        g = 2.0 * (model_output(Z, i, slot, kinds, slots, model, leaf_float) - y) * weight
        g = min(max(g, -1e12), 1e12)
        leaf_float[slot, L_INTERCEPT] -= rate * g
        for j in range(Z.shape[1]):
            value = Z[i, j]
            if kinds[j] != NOMINAL and slots[j] < model.shape[1] and abs(value) < INF:
                model[slot, slots[j]] -= rate * g * value


# ---------------------------------------------------------------------------- splitting
@helper
def variance(stats):
    return stats[2] / (stats[0] - 1.0) if stats[0] > 1.0 else 0.0


@helper
def variance_reduction(pre, left, right, min_samples):
    """River's variance reduction: var(pre) minus the weighted variances of the branches
    (0 unless both branches hold ``min_samples``)."""
    if left[0] < min_samples or right[0] < min_samples:
        return 0.0
    n = pre[0]
    return variance(pre) - left[0] / n * variance(left) - right[0] / n * variance(right)


@helper
def complement(pre, left, out):
    """``out`` = the statistics of ``pre`` minus those of ``left`` (Chan et al. reversed)."""
    total = pre[0]
    weight = total - left[0]
    if weight <= 0.0:
        out[:] = 0.0
        return
    mean = (total * pre[1] - left[0] * left[1]) / weight
    gap = mean - left[1]
    out[0] = weight
    out[1] = mean
    out[2] = max(pre[2] - left[2] - gap * gap * left[0] * weight / total, 0.0)


@rare
def histogram_split(bins, count, pre, min_samples, work):
    """Best threshold between consecutive bins; its branches land in ``work[2]``,
    ``work[3]`` (weight, mean, m2). The right branch is the leaf's statistics minus the left
    one's, as River's E-BST computes it: what the leaf inherited when it was created counts
    on the right."""
    best = -INF
    threshold = 0.0
    work[0, :] = 0.0
    for b in range(count - 1):
        merge_into(work[0], bins[b, B_WEIGHT], bins[b, B_MEAN], bins[b, B_M2])
        complement(pre, work[0], work[4])
        merit = variance_reduction(pre, work[0], work[4], min_samples)
        if merit > best:
            best = merit
            threshold = 0.5 * (bins[b, B_X] + bins[b + 1, B_X])
            work[2, :] = work[0]
            work[3, :] = work[4]
    return best, threshold


@rare
def nominal_split(stats, pre, min_samples, work):
    """Best one-against-the-rest split of a nominal feature's categories (the rest: the
    leaf's statistics minus the category's)."""
    best = -INF
    threshold = 0.0
    for v in range(stats.shape[0]):
        if stats[v, 0] <= 0.0:
            continue
        work[0, :] = stats[v]
        complement(pre, work[0], work[4])
        merit = variance_reduction(pre, work[0], work[4], min_samples)
        if merit > best:
            best = merit
            threshold = float(v)
            work[2, :] = work[0]
            work[3, :] = work[4]
    return best, threshold


@rare
def attempt_split(slot, params, leaf_bytes, node_int, node_float, counts, leaf_float, leaf_int,
                  target, bins, bin_count, nominal, model, kinds, slots, n_columns, work):
    """A split attempt: split on the best candidate when the ratio of the second-best merit
    to the best one is under ``1 - bound`` (Ikonomovska et al.'s FIMT-DD rule, as River
    applies it with a merit range of 1), or when the bound falls under ``tau``."""
    if not may_split(slot, leaf_bytes, params, node_int, leaf_int, counts):
        return False
    pre = work[5]
    pre[0] = leaf_float[slot, L_TOTAL]
    pre[1] = target[slot, T_MEAN]
    pre[2] = target[slot, T_M2]
    min_samples = params[P_MIN_SAMPLES]
    all_features = params[P_MAX_FEATURES] == 0
    best = -INF
    second = -INF
    best_feature = -1
    best_threshold = 0.0
    for t in range(monitored_count(slot, all_features, n_columns, leaf_int)):
        j = monitored_feature(slot, t, all_features, leaf_int)
        s = slots[j]
        if kinds[j] == NOMINAL:
            if s >= nominal.shape[1]:
                continue
            merit, threshold = nominal_split(nominal[slot, s], pre, min_samples, work)
        else:
            if s >= bins.shape[1]:
                continue
            merit, threshold = histogram_split(bins[slot, s], int(bin_count[slot, s]), pre,
                                               min_samples, work)
        if merit > best:
            second = best
            best = merit
            best_feature = j
            best_threshold = threshold
            work[6, :] = work[2]
            work[7, :] = work[3]
        elif merit > second:
            second = merit
    if best_feature < 0 or not best > 0.0:
        return False
    bound = hoeffding_bound(1.0, params[P_DELTA], pre[0])
    if not (second / best < 1.0 - bound or bound < params[P_TAU]):
        return False
    left, right_slot, depth = split_nodes(slot, best_feature, best_threshold, node_int,
                                          node_float, leaf_int, counts)
    intercept = leaf_float[slot, L_INTERCEPT]
    fmse_mean = leaf_float[slot, L_FMSE_MEAN]
    fmse_model = leaf_float[slot, L_FMSE_MODEL]
    model[right_slot, :] = model[slot]  # children start from their parent's linear model
    for child, child_slot, row in ((left, slot, 6), (left + 1, right_slot, 7)):
        reset_leaf(child, child_slot, depth, work[row, 0], node_int, node_float, leaf_float,
                   leaf_int)
        leaf_float[child_slot, L_INTERCEPT] = intercept
        leaf_float[child_slot, L_FMSE_MEAN] = fmse_mean
        leaf_float[child_slot, L_FMSE_MODEL] = fmse_model
        target[child_slot, T_MEAN] = work[row, 1]
        target[child_slot, T_M2] = work[row, 2]
        bins[child_slot] = 0.0
        bin_count[child_slot] = 0.0
        nominal[child_slot] = 0.0
    return True


# ---------------------------------------------------------------------------- the batch
@kernel
def run_regressor(Z_pred, Z_learn, same, learn, targets, weights, start, stop, kinds, slots,
                  params, node_int, node_float, counts, leaf_float, leaf_int, target, bins,
                  bin_count, nominal, model, out, learn_out):
    """Test-then-train over rows ``start..stop`` (see ``run_classifier``); ``learn_out[i]``
    gets the answer for row ``i`` of ``Z_learn`` before learning it."""
    capacity = leaf_float.shape[0]
    n_bins = bins.shape[2] - 1  # one spare row takes the newcomer before two bins merge
    mode = params[P_MODE]
    grace = params[P_GRACE]
    per_slot = (leaf_float.shape[1] + leaf_int.shape[1] + target.shape[1] + bins[0].size
                + bin_count.shape[1] + nominal[0].size + model.shape[1])
    leaf_bytes = 8.0 * (per_slot + 2 * (NODE_INT_WIDTH + NODE_FLOAT_WIDTH))
    work = np.zeros((8, 3))
    scratch = np.zeros(Z_learn.shape[1] + 1, dtype=np.int64)
    for i in range(start, stop):
        weight = weights[i] if learn[i] else 0.0
        if weight > 0.0 and counts[C_LEAVES] >= capacity:
            return i
        node = find_leaf(Z_pred, i, 0, kinds, node_int, node_float)
        out[i] = leaf_value(Z_pred, i, node_int[node, N_LEAF], mode, kinds, slots, leaf_float,
                            target, model)
        if not learn[i]:
            continue
        if same:
            learn_out[i] = out[i]
        else:
            node = find_leaf(Z_learn, i, 0, kinds, node_int, node_float)
            learn_out[i] = leaf_value(Z_learn, i, node_int[node, N_LEAF], mode, kinds, slots,
                                      leaf_float, target, model)
        if weight <= 0.0:
            continue
        node = find_leaf_learning(Z_learn, i, 0, weight, kinds, node_int, node_float)
        slot = node_int[node, N_LEAF]
        learn_leaf(Z_learn, i, slot, targets[i], weight, params, n_bins, kinds, slots,
                   leaf_float, leaf_int, target, bins, bin_count, nominal, model, counts,
                   scratch)
        due = leaf_float[slot, L_ACTIVE] > 0.0 and \
            leaf_float[slot, L_TOTAL] - leaf_float[slot, L_LAST] >= grace
        if due and not attempt_split(slot, params, leaf_bytes, node_int, node_float, counts,
                                     leaf_float, leaf_int, target, bins, bin_count, nominal,
                                     model, kinds, slots, Z_learn.shape[1], work):
            leaf_float[slot, L_LAST] = leaf_float[slot, L_TOTAL]
    return stop
