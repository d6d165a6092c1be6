"""Numba kernels of the naive Bayes classifiers: one causal loop over a micro-batch.

Row ``i`` is answered with the counts left by rows ``< i`` (from ``X_pred``), then, if it is
learnt, its class's counts take in ``X_learn[i]``. A value is present when it is finite (NaN
means absent, as a key missing from a River dict). Features registered by this batch
(``first_seen``, ascending) were unknown to the model before the row that brought them;
classes with no event yet get probability 0. The arithmetic is River's (``naive_bayes``),
operation for operation, so the same stream gives the same probabilities.
"""

from __future__ import annotations

import math

from numba import njit

kernel = njit(cache=True, error_model="numpy")
helper = njit(cache=True, error_model="numpy", inline="always")

INF = math.inf
PDF_EPS = 10e-10  # River's floor under densities and probabilities
LOG_PDF_EPS = math.log(PDF_EPS)
SQRT_TAU = math.sqrt(2.0 * math.pi)


@helper
def softmax_into(jll, class_counts, out, i):
    """Probabilities from joint log-likelihoods (log-sum-exp), for the classes seen."""
    top = -INF
    for c in range(jll.shape[0]):
        if class_counts[c] > 0.0 and jll[c] > top:
            top = jll[c]
    if top == -INF:
        return
    total = 0.0
    for c in range(jll.shape[0]):
        if class_counts[c] > 0.0:
            total += math.exp(jll[c] - top)
    log_total = top + math.log(total)
    for c in range(jll.shape[0]):
        out[i, c] = math.exp(jll[c] - log_total) if class_counts[c] > 0.0 else 0.0


@helper
def log_priors(jll, class_counts):
    total = 0.0
    for c in range(class_counts.shape[0]):
        total += class_counts[c]
    for c in range(class_counts.shape[0]):
        jll[c] = math.log(class_counts[c] / total) if class_counts[c] > 0.0 else -INF
    return total


@kernel
def gaussian_nb(X_pred, X_learn, learn, codes, rows, class_counts, counts, means, deviations,
                out, jll):
    """Per class and feature, a Gaussian with the mean and (population) variance of the
    values learnt; a density is floored at ``PDF_EPS`` before its log, and a feature with no
    value for a class, or none of spread, scores ``log(PDF_EPS)``."""
    n_classes = class_counts.shape[0]
    for i in range(X_pred.shape[0]):
        if log_priors(jll, class_counts) > 0.0:
            for j in range(X_pred.shape[1]):
                x = X_pred[i, j]
                if not abs(x) < INF:
                    continue
                r = rows[j]
                for c in range(n_classes):
                    n = counts[r, c]
                    score = LOG_PDF_EPS
                    if n > 0.0:
                        variance = deviations[r, c] / n
                        if variance > 0.0:
                            sigma = math.sqrt(variance)
                            z = (x - means[r, c]) / sigma
                            score = math.log(PDF_EPS + math.exp(-0.5 * z * z) / SQRT_TAU / sigma)
                    jll[c] += score
            softmax_into(jll, class_counts, out, i)
        if not learn[i]:
            continue
        c = codes[i]
        class_counts[c] += 1.0
        for j in range(X_learn.shape[1]):
            x = X_learn[i, j]
            if abs(x) < INF:
                r = rows[j]
                n = counts[r, c] + 1.0
                counts[r, c] = n
                before = means[r, c]
                after = before + (1.0 / n) * (x - before)
                means[r, c] = after
                deviations[r, c] += (x - before) * (x - after)


@kernel
def multinomial_nb(X_pred, X_learn, learn, codes, rows, class_counts, class_totals,
                   feature_counts, known_before, first_seen, alpha, out, jll):
    """Per class, the (additively smoothed) share of each feature in the class's total
    count; a row scores ``sum(x_f * log share_f)`` over its present features. Negative values
    count as 0. ``known_before`` features were known before the batch, the others from their
    ``first_seen`` row on (the vocabulary size of the smoothing)."""
    n_classes = class_counts.shape[0]
    n_terms = known_before
    registered = 0
    for i in range(X_pred.shape[0]):
        while registered < first_seen.shape[0] and first_seen[registered] < i:
            registered += 1
            n_terms += 1
        if log_priors(jll, class_counts) > 0.0:
            for j in range(X_pred.shape[1]):
                x = X_pred[i, j]
                if not abs(x) < INF:
                    continue
                x = max(x, 0.0)
                r = rows[j]
                for c in range(n_classes):
                    share = (feature_counts[r, c] + alpha) / (class_totals[c] + alpha * n_terms)
                    jll[c] += x * math.log(share)
            softmax_into(jll, class_counts, out, i)
        if not learn[i]:
            continue
        c = codes[i]
        class_counts[c] += 1.0
        for j in range(X_learn.shape[1]):
            x = X_learn[i, j]
            if abs(x) < INF:
                x = max(x, 0.0)
                feature_counts[rows[j], c] += x
                class_totals[c] += x


@kernel
def bernoulli_nb(X_pred, X_learn, learn, codes, rows, class_counts, feature_counts,
                 known_before, first_seen, column_of_row, alpha, threshold, out, jll):
    """Per class, the (smoothed) frequency of each feature being above ``threshold``; a row
    scores every feature the model knows: ``log p`` if its value is above, else
    ``log(1 - p)`` (an absent feature is not above), each floored at ``PDF_EPS``."""
    n_classes = class_counts.shape[0]
    n_terms = known_before
    registered = 0
    for i in range(X_pred.shape[0]):
        while registered < first_seen.shape[0] and first_seen[registered] < i:
            registered += 1
            n_terms += 1
        if log_priors(jll, class_counts) > 0.0:
            for r in range(n_terms):
                j = column_of_row[r]
                above = False
                if j >= 0:
                    x = X_pred[i, j]
                    above = abs(x) < INF and x > threshold
                for c in range(n_classes):
                    p = (feature_counts[r, c] + alpha) / (class_counts[c] + alpha * 2.0)
                    jll[c] += math.log(PDF_EPS + p) if above else math.log(PDF_EPS + (1.0 - p))
            softmax_into(jll, class_counts, out, i)
        if not learn[i]:
            continue
        c = codes[i]
        class_counts[c] += 1.0
        for j in range(X_learn.shape[1]):
            x = X_learn[i, j]
            if abs(x) < INF and x > threshold:
                feature_counts[rows[j], c] += 1.0
