"""Numba kernels of the linear models: one causal loop over a micro-batch.

Row ``i`` is first answered with the weights left by rows ``< i`` (from ``X_pred``); if it is
learnt, the loss gradient at ``X_learn[i]`` updates the intercept and the weights of the
features present in the row (NaN means absent, as a key missing from a River dict).
"""

from __future__ import annotations

import math

from numba import njit

LOSS_LOG = 0
LOSS_SQUARED = 1
LOSS_HINGE = 2

OPTIMIZER_SGD = 0


@njit(cache=True)
def sigmoid(z):
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(cache=True)
def raw_score(X, i, rows, weights, intercept):
    total = intercept
    for j in range(X.shape[1]):
        value = X[i, j]
        if value == value:
            total += weights[rows[j]] * value
    return total


@njit(cache=True)
def loss_gradient(loss, raw, target):
    """Derivative of the loss with respect to the raw score; targets are 0/1 for the
    classification losses."""
    if loss == LOSS_LOG:
        return sigmoid(raw) - target
    if loss == LOSS_SQUARED:
        return raw - target
    # hinge, with labels mapped to -1/+1
    sign = 2.0 * target - 1.0
    return -sign if sign * raw < 1.0 else 0.0


@njit(cache=True)
def binary_linear(X_pred, X_learn, learn, targets, rows, weights, intercept, loss,
                  learning_rate, intercept_lr, l2, clip, out):
    """Plain SGD over a GLM with one output; ``intercept`` is a 1-element array."""
    n, d = X_pred.shape
    for i in range(n):
        raw = raw_score(X_pred, i, rows, weights, intercept[0])
        out[i] = sigmoid(raw) if loss == LOSS_LOG else raw
        if not learn[i]:
            continue
        raw = raw_score(X_learn, i, rows, weights, intercept[0])
        g = loss_gradient(loss, raw, targets[i])
        if g > clip:
            g = clip
        elif g < -clip:
            g = -clip
        intercept[0] -= intercept_lr * g
        for j in range(d):
            value = X_learn[i, j]
            if value == value:
                r = rows[j]
                weights[r] -= learning_rate * (g * value + l2 * weights[r])
