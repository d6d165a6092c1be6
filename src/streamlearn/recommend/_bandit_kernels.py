"""Numba kernels of the linear contextual bandits (LinUCB, linear Thompson sampling).

Each arm keeps ``A⁻¹`` (the inverse of ``ridge·I + Σ x xᵀ`` over its learnt contexts), ``b``
(``Σ reward·x``) and ``θ = A⁻¹ b``. Contexts arrive as dense rows in the order of the model's
dimensions (the intercept, then the features in order of registration; absent ones are 0).
Row ``i`` is answered with the state left by rows ``< i``; then, if it is learnt, its arm's
``A⁻¹`` takes a Sherman–Morrison rank-one update and ``θ`` is recomputed. Every sum runs over
the dimensions in order, and dimensions a row does not carry add exact zeros, so the same
stream gives the same numbers in batches of any size.
"""

from __future__ import annotations

import math

from numba import njit

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")


@helper
def _sherman_morrison(inverse, x, u):
    """``inverse ← (A + x xᵀ)⁻¹`` from ``inverse = A⁻¹``: with ``u = A⁻¹ x``,
    ``(A + x xᵀ)⁻¹ = A⁻¹ − u uᵀ / (1 + xᵀ u)`` (symmetric by construction)."""
    d = x.shape[0]
    for r in range(d):
        total = 0.0
        for c in range(d):
            total += inverse[r, c] * x[c]
        u[r] = total
    denominator = 1.0
    for r in range(d):
        denominator += x[r] * u[r]
    for r in range(d):
        for c in range(d):
            inverse[r, c] -= u[r] * u[c] / denominator


@kernel
def linear_bandit(Z_pred, arms_pred, Z_learn, arms_learn, learnt, rewards, inverses, targets,
                  weights, counts, out, u):
    """Answer each row with ``θ_arm · x`` (0 for a row without a known arm), then learn it."""
    d = Z_pred.shape[1]
    for i in range(Z_pred.shape[0]):
        a = arms_pred[i]
        if a >= 0:
            total = 0.0
            for r in range(d):
                total += weights[a, r] * Z_pred[i, r]
            out[i] = total
        if not learnt[i]:
            continue
        a = arms_learn[i]
        inverse = inverses[a]
        _sherman_morrison(inverse, Z_learn[i], u)
        reward = rewards[i]
        for r in range(d):
            targets[a, r] += reward * Z_learn[i, r]
        for r in range(d):
            total = 0.0
            for c in range(d):
                total += inverse[r, c] * targets[a, c]
            weights[a, r] = total
        counts[a] += 1


@kernel
def policy_scores(x, unknown_squares, slots, inverses, weights, ridge, exploration, noise,
                  out):
    """Per candidate arm, ``θ·x + exploration · noise · sqrt(xᵀ A⁻¹ x)``: the upper confidence
    bound when ``noise`` is 1, a posterior sample when it is a standard normal draw. A slot of
    -1 is an arm never learnt (θ = 0, A⁻¹ = I / ridge); ``unknown_squares`` is the sum of the
    squares of the context's features the model does not know yet, whose block of A⁻¹ is
    I / ridge for every arm."""
    d = x.shape[0]
    norm = 0.0
    for r in range(d):
        norm += x[r] * x[r]
    for k in range(slots.shape[0]):
        a = slots[k]
        mean = 0.0
        variance = unknown_squares / ridge
        if a < 0:
            variance += norm / ridge
        else:
            inverse = inverses[a]
            for r in range(d):
                mean += weights[a, r] * x[r]
                total = 0.0
                for c in range(d):
                    total += inverse[r, c] * x[c]
                variance += x[r] * total
        out[k] = mean + exploration * noise[k] * math.sqrt(max(variance, 0.0))
