"""Numba kernels of the Hoeffding tree classifiers (Domingos & Hulten 2000).

Leaf statistics (per leaf slot): ``class_weight`` (weight of each class), ``gauss`` (per
numeric feature and class: weight, mean, sum of squared deviations, min, max — the Gaussian
attribute observer of MOA and River) and ``nominal`` (per nominal feature, category and
class: weight). One kernel call walks rows ``start..stop`` of a batch: row ``i`` is answered
with the tree as rows ``< i`` left it, then learnt; when a leaf has seen ``grace_period``
more weight since its last attempt it tries to split, inside the kernel, so a batch gives the
tree of the same events processed one at a time.
"""

from __future__ import annotations

import math

import numpy as np

from streamlearn.trees._kernels import (
    C_LEAVES,
    CRITERION_GINI,
    HALF_LOG_TAU,
    INF,
    L_ACTIVE,
    L_LAST,
    L_MC,
    L_NB,
    L_TOTAL,
    LI_SUBSPACE,
    N_LEAF,
    NODE_FLOAT_WIDTH,
    NODE_INT_WIDTH,
    NOMINAL,
    P_CRITERION,
    P_DELTA,
    P_GRACE,
    P_MAX_FEATURES,
    P_MAX_SHARE,
    P_MIN_BRANCH,
    P_MODE,
    P_N_SPLITS,
    P_NB_THRESHOLD,
    P_TAU,
    called,
    choose_subspace,
    class_split_merit,
    find_leaf,
    find_leaf_learning,
    helper,
    hoeffding_bound,
    kernel,
    may_split,
    monitored_count,
    monitored_feature,
    norm_cdf,
    rare,
    reset_leaf,
    split_nodes,
)

MODE_MC, MODE_NB, MODE_NBA = 0, 1, 2
G_WEIGHT, G_MEAN, G_M2, G_MIN, G_MAX = 0, 1, 2, 3, 4
GAUSS_WIDTH = 5


# ---------------------------------------------------------------------------- predicting
@helper
def argmax(row):
    best = 0
    for c in range(1, row.shape[0]):
        if row[c] > row[best]:
            best = c
    return best


@called
def naive_bayes(Z, i, slot, all_features, leaf_int, class_weight, gauss, nominal, kinds, slots,
                out):
    """Naive Bayes over the leaf's observers: log prior plus, for each monitored feature
    present, the log density of a Gaussian per class (numeric) or the Laplace-smoothed
    frequency of the category (nominal); normalised with the log-sum-exp trick. Classes the
    leaf has not seen get 0."""
    n_classes = class_weight.shape[1]
    total = 0.0
    for c in range(n_classes):
        total += class_weight[slot, c]
    for c in range(n_classes):
        weight = class_weight[slot, c]
        out[c] = math.log(weight / total) if weight > 0.0 else -INF
    n_numeric = gauss.shape[1]
    n_nominal = nominal.shape[1]
    for t in range(monitored_count(slot, all_features, Z.shape[1], leaf_int)):
        j = monitored_feature(slot, t, all_features, leaf_int)
        value = Z[i, j]
        if not abs(value) < INF:
            continue
        s = slots[j]
        if kinds[j] == NOMINAL:
            if s >= n_nominal:
                continue
            code = int(value)
            observed = 0
            for v in range(nominal.shape[2]):
                for c in range(n_classes):
                    if nominal[slot, s, v, c] > 0.0:
                        observed += 1
                        break
            if observed == 0:
                continue
            for c in range(n_classes):
                if out[c] == -INF:
                    continue
                class_total = 0.0
                for v in range(nominal.shape[2]):
                    class_total += nominal[slot, s, v, c]
                count = nominal[slot, s, code, c] if 0 <= code < nominal.shape[2] else 0.0
                out[c] += math.log((count + 1.0) / (class_total + observed))
        elif s < n_numeric:
            for c in range(n_classes):
                weight = gauss[slot, s, c, G_WEIGHT]
                if out[c] == -INF or weight <= 1.0:
                    continue
                variance = gauss[slot, s, c, G_M2] / (weight - 1.0)
                if variance > 0.0:
                    deviation = value - gauss[slot, s, c, G_MEAN]
                    out[c] += (deviation * deviation / (-2.0 * variance) - HALF_LOG_TAU
                               - 0.5 * math.log(variance))
    top = -INF
    for c in range(n_classes):
        top = max(top, out[c])
    norm = 0.0
    for c in range(n_classes):
        out[c] = math.exp(out[c] - top) if out[c] > -INF else 0.0
        norm += out[c]
    for c in range(n_classes):
        out[c] /= norm


@called
def leaf_proba(Z, i, slot, params, leaf_float, leaf_int, class_weight, gauss, nominal, kinds,
               slots, out):
    """Class probabilities of the leaf on ``slot`` for row ``i`` (zeros if it knows nothing):
    the majority class's frequencies, naive Bayes, or whichever of the two has been right more
    often at this leaf (NBA, Gama et al. 2003)."""
    n_classes = class_weight.shape[1]
    total = leaf_float[slot, L_TOTAL]
    if total <= 0.0:
        for c in range(n_classes):
            out[c] = 0.0
        return
    mode = params[P_MODE]
    use_nb = False
    if leaf_float[slot, L_ACTIVE] > 0.0:
        if mode == MODE_NB:
            use_nb = total >= params[P_NB_THRESHOLD]
        elif mode == MODE_NBA:
            use_nb = leaf_float[slot, L_NB] >= leaf_float[slot, L_MC]
    if use_nb:
        naive_bayes(Z, i, slot, params[P_MAX_FEATURES] == 0, leaf_int, class_weight, gauss,
                    nominal, kinds, slots, out)
    else:
        for c in range(n_classes):
            out[c] = class_weight[slot, c] / total


# ---------------------------------------------------------------------------- learning
@called
def learn_leaf(Z, i, slot, label, weight, params, leaf_float, leaf_int, class_weight, gauss,
               nominal, kinds, slots, counts, votes, scratch):
    """Update the leaf on ``slot`` with row ``i`` of class ``label`` and ``weight``."""
    active = leaf_float[slot, L_ACTIVE] > 0.0
    all_features = params[P_MAX_FEATURES] == 0
    if active and params[P_MODE] == MODE_NBA:
        total = leaf_float[slot, L_TOTAL]
        if total <= 0.0 or argmax(class_weight[slot]) == label:
            leaf_float[slot, L_MC] += weight
        if total > 0.0:
            naive_bayes(Z, i, slot, all_features, leaf_int, class_weight, gauss, nominal, kinds,
                        slots, votes)
            if argmax(votes) == label:
                leaf_float[slot, L_NB] += weight
    class_weight[slot, label] += weight
    leaf_float[slot, L_TOTAL] += weight
    if not active:
        return
    n_numeric = gauss.shape[1]
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
                nominal[slot, s, int(value), label] += weight
        elif s < n_numeric:
            observer = gauss[slot, s, label]
            seen = observer[G_WEIGHT]
            if seen <= 0.0:
                observer[G_MIN] = value
                observer[G_MAX] = value
            else:
                observer[G_MIN] = min(observer[G_MIN], value)
                observer[G_MAX] = max(observer[G_MAX], value)
            # West's weighted update of the mean and the sum of squared deviations
            mean_before = observer[G_MEAN]
            observer[G_WEIGHT] = seen + weight
            observer[G_MEAN] = mean_before + weight / (seen + weight) * (value - mean_before)
            observer[G_M2] += weight * (value - mean_before) * (value - observer[G_MEAN])


# ---------------------------------------------------------------------------- splitting
@rare
def gaussian_split(slot, s, gauss, pre, n_splits, criterion, min_branch, work):
    """Best binary split of numeric feature ``s``: ``n_splits`` thresholds evenly spaced
    between the smallest and the largest value seen, each class's weight on either side
    estimated with its Gaussian. The winner's distributions land in ``work[2]``, ``work[3]``."""
    n_classes = pre.shape[0]
    low = INF
    high = -INF
    for c in range(n_classes):
        if gauss[slot, s, c, G_WEIGHT] > 0.0:
            low = min(low, gauss[slot, s, c, G_MIN])
            high = max(high, gauss[slot, s, c, G_MAX])
    best = -INF
    threshold = 0.0
    if low == INF:
        return best, threshold
    step = (high - low) / (n_splits + 1.0)
    for k in range(n_splits):
        point = low + step * (k + 1)
        if not (low < point < high):
            continue
        for c in range(n_classes):
            observer = gauss[slot, s, c]
            weight = observer[G_WEIGHT]
            left = 0.0
            if weight <= 0.0 or point < observer[G_MIN]:
                left = 0.0
            elif point >= observer[G_MAX]:
                left = weight
            elif weight > 1.0 and observer[G_M2] > 0.0:
                sigma = math.sqrt(observer[G_M2] / (weight - 1.0))
                left = weight * norm_cdf((point - observer[G_MEAN]) / sigma)
            work[0, c] = left
            work[1, c] = max(weight - left, 0.0)
        merit = class_split_merit(pre, work[0], work[1], criterion, min_branch)
        if merit > best:
            best = merit
            threshold = point
            work[2, :] = work[0]
            work[3, :] = work[1]
    return best, threshold


@rare
def nominal_split(slot, s, nominal, pre, criterion, min_branch, work):
    """Best one-against-the-rest split of nominal feature ``s`` (River's binary nominal
    split); the winner's distributions land in ``work[2]``, ``work[3]``."""
    n_classes = pre.shape[0]
    best = -INF
    threshold = 0.0
    for c in range(n_classes):
        work[4, c] = 0.0
        for v in range(nominal.shape[2]):
            work[4, c] += nominal[slot, s, v, c]
    for v in range(nominal.shape[2]):
        seen = 0.0
        for c in range(n_classes):
            work[0, c] = nominal[slot, s, v, c]
            work[1, c] = work[4, c] - work[0, c]
            seen += work[0, c]
        if seen <= 0.0:
            continue
        merit = class_split_merit(pre, work[0], work[1], criterion, min_branch)
        if merit > best:
            best = merit
            threshold = float(v)
            work[2, :] = work[0]
            work[3, :] = work[1]
    return best, threshold


@rare
def attempt_split(slot, params, leaf_bytes, node_int, node_float, counts, leaf_float, leaf_int,
                  class_weight, gauss, nominal, kinds, slots, n_columns, work):
    """One split attempt of Domingos & Hulten (2000): the best and second-best candidate
    merits; split on the best when their gap exceeds the Hoeffding bound, or when the bound
    falls under ``tau`` (a tie). Returns whether the leaf split."""
    pre = class_weight[slot]
    n_classes = pre.shape[0]
    observed = 0
    total = 0.0
    top = 0.0
    for c in range(n_classes):
        if pre[c] > 0.0:
            observed += 1
        total += pre[c]
        top = max(top, pre[c])
    if observed < 2 or top / total > params[P_MAX_SHARE]:
        return False
    if not may_split(slot, leaf_bytes, params, node_int, leaf_int, counts):
        return False
    criterion = int(params[P_CRITERION])
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
            merit, threshold = nominal_split(slot, s, nominal, pre, criterion,
                                             params[P_MIN_BRANCH], work)
        else:
            if s >= gauss.shape[1]:
                continue
            merit, threshold = gaussian_split(slot, s, gauss, pre, int(params[P_N_SPLITS]),
                                              criterion, params[P_MIN_BRANCH], work)
        if merit > best:
            second = best
            best = merit
            best_feature = j
            best_threshold = threshold
            work[5, :] = work[2]
            work[6, :] = work[3]
        elif merit > second:
            second = merit
    if best_feature < 0 or best == -INF:
        return False
    merit_range = 1.0 if criterion == CRITERION_GINI else math.log2(max(observed, 2))
    bound = hoeffding_bound(merit_range, params[P_DELTA], total)
    if not (best - second > bound or bound < params[P_TAU]):
        return False
    left, right_slot, depth = split_nodes(slot, best_feature, best_threshold, node_int,
                                          node_float, leaf_int, counts)
    for child, child_slot, row in ((left, slot, 5), (left + 1, right_slot, 6)):
        weight = 0.0
        for c in range(n_classes):
            weight += work[row, c]
        reset_leaf(child, child_slot, depth, weight, node_int, node_float, leaf_float, leaf_int)
        class_weight[child_slot, :] = work[row]
        gauss[child_slot] = 0.0
        nominal[child_slot] = 0.0
    return True


# ---------------------------------------------------------------------------- the batch
@helper
def leaf_bytes_of(leaf_float, leaf_int, class_weight, gauss, nominal):
    """Bytes one more leaf costs: its slot in every per-leaf array plus two nodes."""
    per_slot = (leaf_float.shape[1] + leaf_int.shape[1] + class_weight.shape[1]
                + gauss[0].size + nominal[0].size)
    return 8.0 * (per_slot + 2 * (NODE_INT_WIDTH + NODE_FLOAT_WIDTH))


@kernel
def run_classifier(Z_pred, Z_learn, same, learn, labels, weights, start, stop, kinds, slots,
                   params, node_int, node_float, counts, leaf_float, leaf_int, class_weight,
                   gauss, nominal, out, correct):
    """Test-then-train over rows ``start..stop``; returns the row it stopped at (``stop``,
    or an earlier row when the tree needs more leaf slots before it can learn that row).

    ``out[i]`` gets the probabilities of row ``i`` of ``Z_pred``; for a learnt row,
    ``correct[i]`` gets whether the tree's answer for row ``i`` of ``Z_learn`` (before
    learning it) was its label (what drift detectors monitor). ``weights[i]`` is the weight
    the row is learnt with (0 skips learning; ARF's Poisson weights).
    """
    n_classes = class_weight.shape[1]
    capacity = leaf_float.shape[0]
    grace = params[P_GRACE]
    leaf_bytes = leaf_bytes_of(leaf_float, leaf_int, class_weight, gauss, nominal)
    work = np.zeros((7, max(n_classes, 1)))
    votes = np.zeros(max(n_classes, 1))
    scratch = np.zeros(Z_learn.shape[1] + 1, dtype=np.int64)
    for i in range(start, stop):
        weight = weights[i] if learn[i] else 0.0
        if weight > 0.0 and counts[C_LEAVES] >= capacity:
            return i
        node = find_leaf(Z_pred, i, 0, kinds, node_int, node_float)
        row = out[i, :n_classes]
        leaf_proba(Z_pred, i, node_int[node, N_LEAF], params, leaf_float, leaf_int,
                   class_weight, gauss, nominal, kinds, slots, row)
        if not learn[i]:
            continue
        label = labels[i]
        if not same:
            node = find_leaf(Z_learn, i, 0, kinds, node_int, node_float)
            leaf_proba(Z_learn, i, node_int[node, N_LEAF], params, leaf_float, leaf_int,
                       class_weight, gauss, nominal, kinds, slots, votes)
            row = votes[:n_classes]
        correct[i] = 1 if n_classes > 0 and row[argmax(row)] > 0.0 and \
            argmax(row) == label else 0
        if weight <= 0.0:
            continue
        node = find_leaf_learning(Z_learn, i, 0, weight, kinds, node_int, node_float)
        slot = node_int[node, N_LEAF]
        learn_leaf(Z_learn, i, slot, label, weight, params, leaf_float, leaf_int, class_weight,
                   gauss, nominal, kinds, slots, counts, votes, scratch)
        due = leaf_float[slot, L_ACTIVE] > 0.0 and \
            leaf_float[slot, L_TOTAL] - leaf_float[slot, L_LAST] >= grace
        if due and not attempt_split(slot, params, leaf_bytes, node_int, node_float, counts,
                                     leaf_float, leaf_int, class_weight, gauss, nominal,
                                     kinds, slots, Z_learn.shape[1], work):
            leaf_float[slot, L_LAST] = leaf_float[slot, L_TOTAL]
    return stop
