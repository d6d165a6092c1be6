"""Numba kernels of the linear models: one causal loop over a micro-batch.

Row ``i`` is first answered with the weights left by rows ``< i`` (from ``X_pred``); if it is
learnt, the loss gradient at ``X_learn[i]`` updates the intercept and the weights of the
features present in the row. A dense value is present when it is finite (NaN means absent, as
a key missing from a River dict; an infinite value is skipped too, so it never reaches the
weights). Hashed features arrive in CSR form (``indptr``, ``indices``, ``values``) and have
their own fixed-width weight arrays.

Every weight update goes through :func:`optimizer_step`, which applies the optimizer chosen
by an integer code (SGD, Adam, FTRL) to a weight and its two per-weight state slots, then the
cumulative L1 penalty of Tsuruoka, Tsujii & Ananiadou (2009), "Stochastic gradient descent
training for L1-regularized log-linear models with cumulative penalty", ACL: the global
``l1_total`` is the penalty every weight could have received so far, ``l1_applied[r]`` what
weight ``r`` actually received, and each update clips the weight towards zero by the
difference, never across it.
"""

from __future__ import annotations

import math

from numba import njit

INF = math.inf

# Division never raises in these loops (each divisor is kept away from zero by the parameter
# checks), and numpy's error model lets numba compile them without exception paths, several
# times faster; helpers are inlined so no array crosses a call in the per-row loop.
kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")

LOSS_LOG = 0
LOSS_SQUARED = 1
LOSS_HINGE = 2
LOSS_PA_CLASSIFIER = 3
LOSS_PA_REGRESSOR = 4

OPTIMIZER_SGD = 0
OPTIMIZER_ADAM = 1
OPTIMIZER_FTRL = 2


@helper
def sigmoid(z):
    # River's utils.math.sigmoid saturates beyond +-30
    if z < -30.0:
        return 0.0
    if z > 30.0:
        return 1.0
    return 1.0 / (1.0 + math.exp(-z))


@helper
def log_loss_gradient(raw, target):
    """d/draw of the log loss, written as River's ``optim.losses.Log`` writes it."""
    sign = 1.0 if target > 0.5 else -1.0
    z = raw * sign
    if z > 18.0:
        return math.exp(-z) * -sign
    if z < -18.0:
        return -sign
    return -sign / (math.exp(z) + 1.0)


@helper
def row_score(X, i, rows, weights, indptr, indices, values, hashed, k, width):
    """Contribution of row ``i`` to output ``k`` of ``width``: dense plus hashed features
    (the weight arrays are flat, ``feature * width + output``)."""
    total = 0.0
    for j in range(X.shape[1]):
        value = X[i, j]
        if abs(value) < INF:
            total += weights[rows[j] * width + k] * value
    for p in range(indptr[i], indptr[i + 1]):
        value = values[p]
        if abs(value) < INF:
            total += hashed[indices[p] * width + k] * value
    return total


@helper
def squared_norm(X, i, indptr, values):
    total = 0.0
    for j in range(X.shape[1]):
        value = X[i, j]
        if abs(value) < INF:
            total += value * value
    for p in range(indptr[i], indptr[i + 1]):
        value = values[p]
        if abs(value) < INF:
            total += value * value
    return total


@helper
def adam_rate(hyper, step):
    """Adam's step size with both bias corrections folded in, for update number ``step``."""
    return hyper[0] * math.sqrt(1.0 - hyper[2] ** step) / (1.0 - hyper[1] ** step)


@helper
def optimizer_step(w, slot1, slot2, g, optimizer, h0, h1, h2, h3, rate):
    """One optimizer step on a weight ``w`` with gradient ``g``; returns the new weight and
    the new values of its two state slots. Scalars only: no array crosses this call, so the
    inner loop stays free of reference counting."""
    if optimizer == OPTIMIZER_SGD:
        return w - h0 * g, slot1, slot2
    if optimizer == OPTIMIZER_ADAM:
        m = h1 * slot1 + (1.0 - h1) * g
        v = h2 * slot2 + (1.0 - h2) * g * g
        return w - rate * m / (math.sqrt(v) + h3), m, v
    # FTRL-Proximal: hyper = alpha, beta, l1, l2; slots = z, n
    n_after = slot2 + g * g
    z = slot1 + g - (math.sqrt(n_after) - math.sqrt(slot2)) / h0 * w
    if abs(z) <= h2:
        return 0.0, z, n_after
    shrink = z - h2 if z > 0.0 else z + h2
    return -shrink / ((h1 + math.sqrt(n_after)) / h0 + h3), z, n_after


@helper
def l1_clip(w, applied, l1_total):
    """Tsuruoka et al.'s cumulative penalty on one weight: returns it and its new total."""
    before = w
    if w > 0.0:
        w = max(0.0, w - (l1_total + applied))
    elif w < 0.0:
        w = min(0.0, w + (l1_total - applied))
    return w, applied + w - before


@helper
def learn_row(X, i, rows, indptr, indices, values, weights, slot1, slot2, l1_applied,
              hashed, hashed_slot1, hashed_slot2, hashed_l1_applied, k, width, g,
              optimizer, hyper, rate, l1, l2, l1_total):
    """Update output ``k``'s weights of every feature present in row ``i``, for a loss
    gradient ``g`` with respect to that output's raw score (``hyper`` has 4 entries)."""
    h0, h1, h2, h3 = hyper[0], hyper[1], hyper[2], hyper[3]
    for j in range(X.shape[1]):
        value = X[i, j]
        if abs(value) < INF:
            r = rows[j] * width + k
            w = weights[r]
            step = g * value + l2 * w
            if optimizer == OPTIMIZER_SGD:
                w -= h0 * step
            else:
                w, slot1[r], slot2[r] = optimizer_step(w, slot1[r], slot2[r], step, optimizer,
                                                       h0, h1, h2, h3, rate)
            if l1 > 0.0:
                w, l1_applied[r] = l1_clip(w, l1_applied[r], l1_total)
            weights[r] = w
    for p in range(indptr[i], indptr[i + 1]):
        value = values[p]
        if abs(value) < INF:
            r = indices[p] * width + k
            w = hashed[r]
            step = g * value + l2 * w
            if optimizer == OPTIMIZER_SGD:
                w -= h0 * step
            else:
                w, hashed_slot1[r], hashed_slot2[r] = optimizer_step(
                    w, hashed_slot1[r], hashed_slot2[r], step, optimizer, h0, h1, h2, h3, rate)
            if l1 > 0.0:
                w, hashed_l1_applied[r] = l1_clip(w, hashed_l1_applied[r], l1_total)
            hashed[r] = w


@helper
def one_output_gradient(loss, raw, target, params, X, i, indptr, values):
    """The loss gradient with respect to the raw score; for the passive-aggressive losses,
    minus the step ``tau * sign`` of Crammer et al. (2006) (``params`` = mode, C, eps)."""
    if loss == LOSS_LOG:
        return log_loss_gradient(raw, target)
    if loss == LOSS_SQUARED:
        return 2.0 * (raw - target)
    if loss == LOSS_HINGE:
        sign = 2.0 * target - 1.0
        return -sign if sign * raw <= 1.0 else 0.0
    if loss == LOSS_PA_CLASSIFIER:
        sign = 2.0 * target - 1.0
        suffered = max(0.0, 1.0 - sign * raw)
    else:
        difference = target - raw
        sign = 1.0 if difference > 0.0 else (-1.0 if difference < 0.0 else 0.0)
        suffered = max(0.0, abs(difference) - params[2])
    norm = squared_norm(X, i, indptr, values)
    mode, C = params[0], params[1]
    if mode == 2.0:
        tau = suffered / (norm + 0.5 / C)
    elif norm > 0.0:
        tau = suffered / norm if mode == 0.0 else min(C, suffered / norm)
    else:
        tau = 0.0
    return -tau * sign


@kernel
def linear_one_output(X_pred, X_learn, learn, targets, rows,
                      pred_indptr, pred_indices, pred_values,
                      learn_indptr, learn_indices, learn_values,
                      weights, slot1, slot2, l1_applied,
                      hashed, hashed_slot1, hashed_slot2, hashed_l1_applied,
                      intercept, n_steps, l1_total, loss, loss_params, optimizer, hyper,
                      regularisation, out):
    """A GLM with one output (logistic, linear, hinge, passive-aggressive).

    ``regularisation`` = (l1, l2, gradient clip, intercept step size, L1 step size);
    ``n_steps`` and ``l1_total`` are 1-element arrays updated in place. Classification
    losses answer ``sigmoid(raw)``, regression losses ``raw``.
    """
    l1, l2, clip, intercept_lr, l1_rate = (regularisation[0], regularisation[1],
                                           regularisation[2], regularisation[3],
                                           regularisation[4])
    squashed = loss != LOSS_SQUARED and loss != LOSS_PA_REGRESSOR
    for i in range(X_pred.shape[0]):
        raw = intercept[0] + row_score(X_pred, i, rows, weights, pred_indptr, pred_indices,
                                       pred_values, hashed, 0, 1)
        out[i] = sigmoid(raw) if squashed else raw
        if not learn[i]:
            continue
        raw = intercept[0] + row_score(X_learn, i, rows, weights, learn_indptr,
                                       learn_indices, learn_values, hashed, 0, 1)
        g = one_output_gradient(loss, raw, targets[i], loss_params, X_learn, i, learn_indptr,
                                learn_values)
        g = min(max(g, -clip), clip)
        n_steps[0] += 1
        rate = adam_rate(hyper, n_steps[0]) if optimizer == OPTIMIZER_ADAM else 0.0
        intercept[0] -= intercept_lr * g
        if l1 > 0.0:
            l1_total[0] += l1 * l1_rate
        learn_row(X_learn, i, rows, learn_indptr, learn_indices, learn_values, weights, slot1,
                  slot2, l1_applied, hashed, hashed_slot1, hashed_slot2, hashed_l1_applied,
                  0, 1, g, optimizer, hyper, rate, l1, l2, l1_total[0])


@helper
def smooth_loss_gradient(loss, raw, target):
    """:func:`one_output_gradient` for the log, squared and hinge losses only."""
    if loss == LOSS_LOG:
        return log_loss_gradient(raw, target)
    if loss == LOSS_SQUARED:
        return 2.0 * (raw - target)
    sign = 2.0 * target - 1.0
    return -sign if sign * raw <= 1.0 else 0.0


@helper
def dense_score(X, i, rows, weights):
    total = 0.0
    for j in range(X.shape[1]):
        value = X[i, j]
        if abs(value) < INF:
            total += weights[rows[j]] * value
    return total


@kernel
def dense_sgd_one_output(X_pred, X_learn, learn, targets, rows, weights, intercept, n_steps,
                         loss, learning_rate, regularisation, out):
    """:func:`linear_one_output` for its most common case (plain SGD, no L1, no hashed
    features, a log, squared or hinge loss), with the same arithmetic in the same order and
    no branching on the optimizer or on the passive-aggressive losses: about twice as fast."""
    l2, clip, intercept_lr = regularisation[1], regularisation[2], regularisation[3]
    squashed = loss != LOSS_SQUARED and loss != LOSS_PA_REGRESSOR
    for i in range(X_pred.shape[0]):
        raw = intercept[0] + dense_score(X_pred, i, rows, weights)
        out[i] = sigmoid(raw) if squashed else raw
        if not learn[i]:
            continue
        raw = intercept[0] + dense_score(X_learn, i, rows, weights)
        g = smooth_loss_gradient(loss, raw, targets[i])
        g = min(max(g, -clip), clip)
        n_steps[0] += 1
        intercept[0] -= intercept_lr * g
        for j in range(X_learn.shape[1]):
            value = X_learn[i, j]
            if abs(value) < INF:
                r = rows[j]
                w = weights[r]
                weights[r] = w - learning_rate * (g * value + l2 * w)
