"""Numba kernel of the linear models with one output per class (softmax regression).

The per-feature state is a ``(n_features, n_classes)`` matrix passed flat (row-major), so the
weight of feature ``r`` for class ``k`` sits at ``r * n_classes + k`` and the one-output
helpers of :mod:`streamlearn.linear._kernels` serve both shapes.
"""

from __future__ import annotations

import math

from streamlearn.linear._kernels import (
    OPTIMIZER_ADAM,
    adam_rate,
    helper,
    kernel,
    learn_row,
    row_score,
)

PROBA_FLOOR = 1e-15  # River's CrossEntropy clamps probabilities to [1e-15, 1 - 1e-15]


@helper
def class_probabilities(X, i, rows, weights, indptr, indices, values, hashed, intercept,
                        n_active, width, scores):
    """Softmax of the raw scores of the first ``n_active`` classes, written to ``scores``."""
    if n_active == 0:
        return
    top = -math.inf
    for k in range(n_active):
        scores[k] = intercept[k] + row_score(X, i, rows, weights, indptr, indices, values,
                                             hashed, k, width)
        top = max(top, scores[k])
    total = 0.0
    for k in range(n_active):
        scores[k] = math.exp(scores[k] - top)
        total += scores[k]
    for k in range(n_active):
        scores[k] /= total


@kernel
def softmax_regression(X_pred, X_learn, learn, codes, n_known, rows,
                       pred_indptr, pred_indices, pred_values,
                       learn_indptr, learn_indices, learn_values,
                       weights, slot1, slot2, l1_applied,
                       hashed, hashed_slot1, hashed_slot2, hashed_l1_applied,
                       intercept, class_steps, l1_total, optimizer, hyper, regularisation,
                       scores, out):
    """Cross-entropy SGD over ``out.shape[1]`` classes, of which ``n_known`` were known
    before this batch; a class joins when its first learnt row arrives (rows before it give
    it probability 0), and from then on every learnt row updates it, as in River's
    ``SoftmaxRegression``. ``class_steps`` counts each class's updates (Adam's ``t``)."""
    l1, l2, clip, intercept_lr, l1_rate = (regularisation[0], regularisation[1],
                                           regularisation[2], regularisation[3],
                                           regularisation[4])
    width = out.shape[1]
    n_active = n_known
    for i in range(X_pred.shape[0]):
        class_probabilities(X_pred, i, rows, weights, pred_indptr, pred_indices, pred_values,
                            hashed, intercept, n_active, width, scores)
        for k in range(width):
            out[i, k] = scores[k] if k < n_active else 0.0
        if not learn[i]:
            continue
        class_probabilities(X_learn, i, rows, weights, learn_indptr, learn_indices,
                            learn_values, hashed, intercept, n_active, width, scores)
        label = codes[i]
        if label >= n_active:  # a new class: its probability so far is 0
            scores[label] = 0.0
            n_active = label + 1
        if l1 > 0.0:
            l1_total[0] += l1 * l1_rate
        for k in range(n_active):
            p = min(max(scores[k], PROBA_FLOOR), 1.0 - PROBA_FLOOR)
            g = p - 1.0 if k == label else p
            g = min(max(g, -clip), clip)
            class_steps[k] += 1
            rate = adam_rate(hyper, class_steps[k]) if optimizer == OPTIMIZER_ADAM else 0.0
            intercept[k] -= intercept_lr * g
            learn_row(X_learn, i, rows, learn_indptr, learn_indices, learn_values, weights,
                      slot1, slot2, l1_applied, hashed, hashed_slot1, hashed_slot2,
                      hashed_l1_applied, k, width, g, optimizer, hyper, rate, l1, l2,
                      l1_total[0])
