"""Numba kernel of CCIPCA: causal row loop over a micro-batch."""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def _project(X, i, rows, count, mean, components, out):
    """Scores of row ``i``: its centred values (0 where absent) on each unit component."""
    d = X.shape[1]
    size, k = components.shape
    for c in range(k):
        norm = 0.0
        for r in range(size):
            norm += components[r, c] * components[r, c]
        score = 0.0
        if norm > 0.0:
            for j in range(d):
                value = X[i, j]
                if math.isfinite(value) and count[rows[j]] > 0.0:
                    score += (value - mean[rows[j]]) * components[rows[j], c]
            score /= math.sqrt(norm)
        out[i, c] = score


@njit(cache=True, error_model="numpy")
def ccipca(X_pred, X_learn, learn, rows, seen, count, mean, components, amnesic, out_pred,
           out_learn):
    """Weng, Zhang & Hwang (2003): each learnt row updates the running mean, then each
    component in turn with what the previous ones left of the row (its residual). ``seen``
    holds the number of rows learnt so far (one entry). Features the row lacks count as 0
    after centring."""
    n, d = X_pred.shape
    size, k = components.shape
    residual = np.zeros(size)
    for i in range(n):
        _project(X_pred, i, rows, count, mean, components, out_pred)
        if not learn[i]:
            continue
        seen[0] += 1.0
        t = seen[0]
        residual[:] = 0.0
        for j in range(d):
            value = X_learn[i, j]
            r = rows[j]
            if math.isfinite(value):  # absent or infinite values are never learnt
                count[r] += 1.0
                mean[r] += (value - mean[r]) / count[r]
                residual[r] = value - mean[r]
        # amnesic averaging once enough rows were seen, plain averaging before
        weight_old = (t - 1.0 - amnesic) / t if t > 1.0 + amnesic else (t - 1.0) / t
        weight_new = 1.0 - weight_old
        for c in range(min(k, np.int64(t))):
            norm = 0.0
            for r in range(size):
                norm += components[r, c] * components[r, c]
            if norm == 0.0:  # a component's first row (with a residual) initialises it
                for r in range(size):
                    components[r, c] = residual[r]
                break
            along = 0.0
            for r in range(size):
                along += residual[r] * components[r, c]
            along /= math.sqrt(norm)
            norm = 0.0
            for r in range(size):
                components[r, c] = weight_old * components[r, c] + weight_new * along * residual[r]
                norm += components[r, c] * components[r, c]
            if norm > 0.0:
                along = 0.0
                for r in range(size):
                    along += residual[r] * components[r, c]
                along /= norm
                for r in range(size):
                    residual[r] -= along * components[r, c]
        _project(X_learn, i, rows, count, mean, components, out_learn)
