"""Numba kernel of the Hoeffding adaptive tree (Bifet & Gavaldà 2009).

On top of a classifier tree (:mod:`streamlearn.trees._classifier_kernels`), every node has
``hat_int`` = (root of its alternate subtree or -1, id of its drift detector) and
``hat_float`` = (sum, count) of its errors since its error estimate last restarted. An
alternate subtree lives in the same arrays as the main tree; subtrees that are replaced or
pruned are left behind as garbage (``compact`` in the estimator reclaims it).

The drift detectors themselves live in Python, keyed by detector id. The kernel records each
node visit of a learnt row as (row, detector id, error) and applies the detections it is told
about (``events``: sorted (row, detector id) pairs); the estimator finds them by feeding the
recorded errors to the detectors (see :mod:`streamlearn.trees.hoeffding_adaptive_tree`).
"""

from __future__ import annotations

import math

import numpy as np

from streamlearn.trees._classifier_kernels import (
    argmax,
    attempt_split,
    leaf_bytes_of,
    leaf_proba,
    learn_leaf,
)
from streamlearn.trees._kernels import (
    C_DRAWS,
    C_LEAVES,
    C_NODES,
    C_SEED,
    C_STREAM,
    L_ACTIVE,
    L_LAST,
    L_TOTAL,
    LI_NODE,
    N_DEPTH,
    N_FEATURE,
    N_LEAF,
    N_LEFT,
    N_WEIGHT,
    P_BOOTSTRAP,
    P_GRACE,
    P_SIGNIFICANCE,
    P_WINDOW,
    find_leaf,
    goes_left,
    kernel,
    poisson,
    rare,
    reset_leaf,
    uniform,
)

H_ALT, H_DET = 0, 1
H_SUM, H_COUNT = 0, 1
# entries of hat_counts
HC_NEXT_DETECTOR, HC_ALTERNATES, HC_SWITCHES, HC_PRUNES = 0, 1, 2, 3
STATUS_DONE, STATUS_CAPACITY, STATUS_VISITS = 0, 1, 2


@rare
def count_alternates(node_int, hat_int, stack):
    """Alternate subtrees reachable from the root (nested ones included)."""
    found = 0
    top = 1
    stack[0] = 0
    while top > 0:
        top -= 1
        node = stack[top]
        if hat_int[node, H_ALT] >= 0:
            found += 1
            stack[top] = hat_int[node, H_ALT]
            top += 1
        if node_int[node, N_FEATURE] >= 0:
            stack[top] = node_int[node, N_LEFT]
            stack[top + 1] = node_int[node, N_LEFT] + 1
            top += 2
    return found


@rare
def fresh_node(node, hat_int, hat_float, hat_counts):
    """Give ``node`` a new detector and a new error estimate, and no alternate."""
    hat_int[node, H_ALT] = -1
    hat_int[node, H_DET] = hat_counts[HC_NEXT_DETECTOR]
    hat_counts[HC_NEXT_DETECTOR] += 1
    hat_float[node, H_SUM] = 0.0
    hat_float[node, H_COUNT] = 0.0


@rare
def new_alternate(node, node_int, node_float, counts, leaf_float, leaf_int, class_weight,
                  gauss, nominal, hat_int, hat_float, hat_counts):
    """Start an alternate subtree (one empty leaf, at the same depth) for ``node``."""
    alternate = counts[C_NODES]
    counts[C_NODES] += 2  # nodes come in pairs; the second one stays unused
    slot = counts[C_LEAVES]
    counts[C_LEAVES] += 1
    reset_leaf(alternate, slot, node_int[node, N_DEPTH], 0.0, node_int, node_float,
               leaf_float, leaf_int)
    class_weight[slot] = 0.0
    gauss[slot] = 0.0
    nominal[slot] = 0.0
    fresh_node(alternate, hat_int, hat_float, hat_counts)
    hat_int[node, H_ALT] = alternate
    hat_counts[HC_ALTERNATES] += 1


@rare
def switch(node, node_int, node_float, leaf_int, hat_int, hat_float, hat_counts):
    """Put ``node``'s alternate subtree in its place (the old subtree becomes garbage)."""
    alternate = hat_int[node, H_ALT]
    node_int[node, N_FEATURE] = node_int[alternate, N_FEATURE]
    node_int[node, N_LEFT] = node_int[alternate, N_LEFT]
    node_int[node, N_LEAF] = node_int[alternate, N_LEAF]
    node_float[node, :] = node_float[alternate]
    hat_int[node, :] = hat_int[alternate]
    hat_float[node, :] = hat_float[alternate]
    if node_int[node, N_LEAF] >= 0:
        leaf_int[node_int[node, N_LEAF], LI_NODE] = node
    hat_counts[HC_SWITCHES] += 1


@kernel
def run_hat(Z_pred, Z_learn, same, learn, labels, weights, start, stop, kinds, slots, params,
            node_int, node_float, counts, leaf_float, leaf_int, class_weight, gauss, nominal,
            hat_int, hat_float, hat_counts, events, out, visits, n_visits, status):
    """Test-then-train over rows ``start..stop``; returns the row it stopped at, with
    ``status[0]`` saying why (done, more leaf slots needed, visit buffer full)."""
    n_classes = class_weight.shape[1]
    leaf_bytes = leaf_bytes_of(leaf_float, leaf_int, class_weight, gauss, nominal)
    work = np.zeros((7, max(n_classes, 1)))
    votes = np.zeros(max(n_classes, 1))
    scratch = np.zeros(Z_learn.shape[1] + 1, dtype=np.int64)
    stack = np.zeros(node_int.shape[0] + 1, dtype=np.int64)
    alive = count_alternates(node_int, hat_int, stack)
    event = 0
    status[0] = STATUS_DONE
    for i in range(start, stop):
        while event < events.shape[0] and events[event, 0] < i:
            event += 1
        if learn[i]:
            detections = 0
            while event + detections < events.shape[0] and events[event + detections, 0] == i:
                detections += 1
            need = 1 + alive + detections
            if counts[C_LEAVES] + need > leaf_float.shape[0] or \
                    counts[C_NODES] + 2 * need > node_int.shape[0]:
                status[0] = STATUS_CAPACITY
                return i
            if n_visits[0] + counts[C_NODES] + 2 * need + 1 > visits.shape[0]:
                status[0] = STATUS_VISITS
                return i
        predict(Z_pred, i, params, kinds, slots, node_int, node_float, leaf_float, leaf_int,
                class_weight, gauss, nominal, hat_int, hat_float, stack, votes,
                out[i, :n_classes])
        if not learn[i]:
            continue
        top = 1
        stack[0] = 0
        changed = False
        while top > 0:
            top -= 1
            changed |= learn_subtree(
                Z_learn, i, stack[top], labels[i], params, leaf_bytes, kinds, slots, node_int,
                node_float, counts, leaf_float, leaf_int, class_weight, gauss, nominal,
                hat_int, hat_float, hat_counts, events, event, visits, n_visits, stack, top,
                work, votes, scratch)
            top = int(stack[stack.shape[0] - 1])
        if changed:
            alive = count_alternates(node_int, hat_int, stack)
    return stop


@rare
def predict(Z, i, params, kinds, slots, node_int, node_float, leaf_float, leaf_int,
            class_weight, gauss, nominal, hat_int, hat_float, stack, votes, row):
    """The votes of every leaf row ``i`` reaches, in the main tree and in the alternate
    subtrees on its way, each weighted by the inverse square of the leaf's error (1 when the
    error is 0), as River's HAT combines them."""
    n_classes = row.shape[0]
    row[:] = 0.0
    top = 1
    stack[0] = 0
    while top > 0:
        top -= 1
        node = stack[top]
        while True:
            if hat_int[node, H_ALT] >= 0:
                stack[top] = hat_int[node, H_ALT]
                top += 1
            if node_int[node, N_FEATURE] < 0:
                break
            left = node_int[node, N_LEFT]
            node = left if goes_left(Z, i, node, kinds, node_int, node_float) else left + 1
        slot = node_int[node, N_LEAF]
        if leaf_float[slot, L_TOTAL] <= 0.0:
            continue
        leaf_proba(Z, i, slot, params, leaf_float, leaf_int, class_weight, gauss, nominal,
                   kinds, slots, votes)
        error = hat_float[node, H_SUM] / hat_float[node, H_COUNT] \
            if hat_float[node, H_COUNT] > 0.0 else 0.0
        scale = 1.0 / (error * error) if error > 0.0 else 1.0
        for c in range(n_classes):
            row[c] += scale * votes[c]
    total = 0.0
    for c in range(n_classes):
        total += row[c]
    if total > 0.0:
        for c in range(n_classes):
            row[c] /= total


@rare
def learn_subtree(Z, i, root, label, params, leaf_bytes, kinds, slots, node_int, node_float,
                  counts, leaf_float, leaf_int, class_weight, gauss, nominal, hat_int,
                  hat_float, hat_counts, events, event, visits, n_visits, stack, top, work,
                  votes, scratch):
    """Learn row ``i`` in the subtree at ``root`` (alternates met on the way are pushed on
    ``stack``, whose new height is stored in its last entry). Returns whether an alternate
    subtree appeared or went away."""
    n_classes = class_weight.shape[1]
    leaf = find_leaf(Z, i, root, kinds, node_int, node_float)
    slot = node_int[leaf, N_LEAF]
    leaf_proba(Z, i, slot, params, leaf_float, leaf_int, class_weight, gauss, nominal, kinds,
               slots, votes)
    best = argmax(votes[:n_classes]) if n_classes > 0 else 0
    error = 0.0 if n_classes > 0 and votes[best] > 0.0 and best == label else 1.0
    changed = False
    node = root
    while True:
        node_float[node, N_WEIGHT] += 1.0
        detector = hat_int[node, H_DET]
        k = n_visits[0]
        visits[k, 0] = i
        visits[k, 1] = detector
        visits[k, 2] = int(error)
        n_visits[0] = k + 1
        count = hat_float[node, H_COUNT]
        old = hat_float[node, H_SUM] / count if count > 0.0 else 0.0
        hat_float[node, H_SUM] += error
        hat_float[node, H_COUNT] = count + 1.0
        detected = False
        e = event
        while e < events.shape[0] and events[e, 0] == i:
            detected |= events[e, 1] == detector
            e += 1
        branch = node_int[node, N_FEATURE] >= 0
        if detected:
            increased = old <= hat_float[node, H_SUM] / hat_float[node, H_COUNT]
            hat_float[node, H_SUM] = 0.0
            hat_float[node, H_COUNT] = 0.0
            if increased and branch:
                new_alternate(node, node_int, node_float, counts, leaf_float, leaf_int,
                              class_weight, gauss, nominal, hat_int, hat_float, hat_counts)
                changed = True
        elif branch and hat_int[node, H_ALT] >= 0:
            alternate = hat_int[node, H_ALT]
            n_alternate = hat_float[alternate, H_COUNT]
            n_node = hat_float[node, H_COUNT]
            if n_alternate > params[P_WINDOW] and n_node > params[P_WINDOW]:
                old_rate = hat_float[node, H_SUM] / n_node
                alt_rate = hat_float[alternate, H_SUM] / n_alternate
                bound = math.sqrt(2.0 * old_rate * (1.0 - old_rate)
                                  * math.log(2.0 / params[P_SIGNIFICANCE])
                                  * (1.0 / n_alternate + 1.0 / n_node))
                if bound < old_rate - alt_rate:
                    switch(node, node_int, node_float, leaf_int, hat_int, hat_float,
                           hat_counts)
                    stack[stack.shape[0] - 1] = top
                    return True
                if bound < alt_rate - old_rate:
                    hat_int[node, H_ALT] = -1
                    hat_counts[HC_PRUNES] += 1
                    changed = True
        if hat_int[node, H_ALT] >= 0:
            stack[top] = hat_int[node, H_ALT]
            top += 1
        if not branch:
            break
        left = node_int[node, N_LEFT]
        node = left if goes_left(Z, i, node, kinds, node_int, node_float) else left + 1
    weight = 1.0
    if params[P_BOOTSTRAP] > 0.0:
        u = uniform(counts[C_SEED], counts[C_STREAM], counts[C_DRAWS])
        counts[C_DRAWS] += 1
        weight = max(float(poisson(1.0, u)), 1.0)  # River multiplies by k only when k > 0
    learn_leaf(Z, i, slot, label, weight, params, leaf_float, leaf_int, class_weight, gauss,
               nominal, kinds, slots, counts, votes, scratch)
    if leaf_float[slot, L_ACTIVE] > 0.0 and \
            leaf_float[slot, L_TOTAL] - leaf_float[slot, L_LAST] >= params[P_GRACE]:
        if attempt_split(slot, params, leaf_bytes, node_int, node_float, counts, leaf_float,
                         leaf_int, class_weight, gauss, nominal, kinds, slots, Z.shape[1],
                         work):
            fresh_node(node, hat_int, hat_float, hat_counts)
            left = node_int[node, N_LEFT]
            fresh_node(left, hat_int, hat_float, hat_counts)
            fresh_node(left + 1, hat_int, hat_float, hat_counts)
        else:
            leaf_float[slot, L_LAST] = leaf_float[slot, L_TOTAL]
    stack[stack.shape[0] - 1] = top
    return changed
