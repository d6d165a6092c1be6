"""Numba kernels of the feature selectors: causal row loops over a micro-batch.

Each kernel writes the selected values of every row (NaN where the feature is dropped for
that row) and flags the columns kept for at least one row of either stream. A feature's
statistics only take in finite values (NaN means absent; infinite values are never learnt).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

kernel = njit(cache=True, error_model="numpy")


@kernel
def _mask_row(X, i, rows, keep, out, kept):
    """Copy row ``i`` of ``X`` into ``out``, NaN where its feature is not kept."""
    for j in range(X.shape[1]):
        if keep[rows[j]]:
            out[i, j] = X[i, j]
            kept[j] = True
        else:
            out[i, j] = math.nan


@kernel
def _welford(count, mean, deviation, r, value):
    """Welford (1962): running mean and sum of squared deviations from the mean."""
    count[r] += 1.0
    previous = mean[r]
    mean[r] += (value - previous) / count[r]
    deviation[r] += (value - previous) * (value - mean[r])


@kernel
def variance_threshold(X_pred, X_learn, learn, rows, count, mean, deviation, threshold,
                       min_samples, out_pred, out_learn, kept):
    """A feature is kept while it has fewer than ``min_samples`` values (its variance is not
    known yet), then while its population variance is above ``threshold``."""
    n, d = X_pred.shape
    keep = np.empty(count.shape[0], dtype=np.bool_)
    for r in range(count.shape[0]):
        keep[r] = count[r] < min_samples or deviation[r] / count[r] > threshold
    for i in range(n):
        _mask_row(X_pred, i, rows, keep, out_pred, kept)
        if not learn[i]:
            continue
        for j in range(d):
            value = X_learn[i, j]
            if math.isfinite(value):
                r = rows[j]
                _welford(count, mean, deviation, r, value)
                keep[r] = count[r] < min_samples or deviation[r] / count[r] > threshold
        _mask_row(X_learn, i, rows, keep, out_learn, kept)


@kernel
def f_classif_scores(counts, means, deviations, scores):
    """One-way ANOVA F statistic of each feature against the classes (the classes with a
    value of the feature); -inf where it has no value in two classes or no spread at all."""
    for r in range(counts.shape[0]):
        total, present, weighted = 0.0, 0, 0.0
        for c in range(counts.shape[1]):
            if counts[r, c] > 0.0:
                total += counts[r, c]
                present += 1
                weighted += counts[r, c] * means[r, c]
        scores[r] = -math.inf
        if present < 2 or total <= present:
            continue
        grand = weighted / total
        between, within = 0.0, 0.0
        for c in range(counts.shape[1]):
            if counts[r, c] > 0.0:
                gap = means[r, c] - grand
                between += counts[r, c] * gap * gap
                within += deviations[r, c]
        if within > 0.0:
            scores[r] = (between / (present - 1)) / (within / (total - present))
        elif between > 0.0:  # the classes separate perfectly
            scores[r] = math.inf


@kernel
def correlation_scores(counts, means, deviations, f_statistic, scores):
    """Pearson correlation of each feature with the target from the running co-moments
    (``deviations[:, 0:3]`` = Sxx, Syy, Sxy): its absolute value, or the F statistic
    ``r² / (1 - r²) (n - 2)`` of a univariate linear regression; -inf where undefined."""
    for r in range(counts.shape[0]):
        n = counts[r, 0]
        sxx, syy, sxy = deviations[r, 0], deviations[r, 1], deviations[r, 2]
        scores[r] = -math.inf
        if n < 2.0 or sxx <= 0.0 or syy <= 0.0:
            continue
        correlation = sxy / math.sqrt(sxx * syy)
        if not f_statistic:
            scores[r] = abs(correlation)
        elif n > 2.0:
            squared = correlation * correlation
            scores[r] = squared / (1.0 - squared) * (n - 2.0) if squared < 1.0 else math.inf


@kernel
def _update_classes(X, i, rows, code, counts, means, deviations):
    for j in range(X.shape[1]):
        value = X[i, j]
        if math.isfinite(value):
            r = rows[j]
            counts[r, code] += 1.0
            previous = means[r, code]
            means[r, code] += (value - previous) / counts[r, code]
            deviations[r, code] += (value - previous) * (value - means[r, code])


@kernel
def _update_moments(X, i, rows, target, counts, means, deviations):
    """Welford's update of the means of (x, y) and the co-moments Sxx, Syy, Sxy."""
    for j in range(X.shape[1]):
        value = X[i, j]
        if math.isfinite(value):
            r = rows[j]
            counts[r, 0] += 1.0
            dx, dy = value - means[r, 0], target - means[r, 1]
            means[r, 0] += dx / counts[r, 0]
            means[r, 1] += dy / counts[r, 0]
            deviations[r, 0] += dx * (value - means[r, 0])
            deviations[r, 1] += dy * (target - means[r, 1])
            deviations[r, 2] += dx * (target - means[r, 1])


@kernel
def _best_k(counts, scores, k, keep):
    """The ``k`` features with the highest scores among those with at least one value (ties
    go to the feature registered first)."""
    m = counts.shape[0]
    keep[:] = False
    candidates = 0
    for r in range(m):
        if counts[r, :].sum() > 0.0:
            candidates += 1
    if candidates <= k:
        for r in range(m):
            keep[r] = counts[r, :].sum() > 0.0
        return
    order = np.argsort(-scores, kind="mergesort")  # stable: ties in registration order
    chosen = 0
    for position in range(m):
        r = order[position]
        if counts[r, :].sum() > 0.0:
            keep[r] = True
            chosen += 1
            if chosen == k:
                return


@kernel
def select_k_best(X_pred, X_learn, transform, learn, rows, codes, targets, counts, means,
                  deviations, k, score, out_pred, out_learn, kept):
    """Row ``i`` keeps the best ``k`` features of the state left by rows ``< i`` (in both
    streams: a supervised transformer transforms before it learns), then learns. ``score``
    is 0 for the ANOVA F statistic (``codes`` give the class of each row), 1 for the
    regression F statistic and 2 for the absolute correlation (``targets`` the numbers).
    Rows of the learn stream are transformed where ``transform``, learnt where ``learn``
    (those with a label)."""
    n = X_pred.shape[0]
    m = counts.shape[0]
    scores = np.empty(m)
    keep = np.empty(m, dtype=np.bool_)
    stale = True
    for i in range(n):
        if stale:
            if score == 0:
                f_classif_scores(counts, means, deviations, scores)
            else:
                correlation_scores(counts, means, deviations, score == 1, scores)
            _best_k(counts, scores, k, keep)
            stale = False
        _mask_row(X_pred, i, rows, keep, out_pred, kept)
        if transform[i]:
            _mask_row(X_learn, i, rows, keep, out_learn, kept)
        if not learn[i]:
            continue
        if score == 0:
            _update_classes(X_learn, i, rows, codes[i], counts, means, deviations)
        else:
            _update_moments(X_learn, i, rows, targets[i], counts, means, deviations)
        stale = True


@kernel
def _lda_project(X, i, rows, count, mean, components, out):
    """Scores of row ``i``: its centred values (0 where absent) on each component."""
    for c in range(components.shape[1]):
        score = 0.0
        for j in range(X.shape[1]):
            value = X[i, j]
            r = rows[j]
            if math.isfinite(value) and count[r] > 0.0:
                score += (value - mean[r]) * components[r, c]
        out[i, c] = score


@kernel
def online_lda(start, X_pred, X_learn, transform, learn, rows, codes, seen, refresh_every,
               class_counts, count, mean, counts, means, scatter, components, out_pred,
               out_learn):
    """Rows from ``start`` on, for :class:`~streamlearn.features.OnlineLDA`: each row is
    projected with the current components (before it is learnt: a supervised transformer),
    then updates the overall and per-class means (Welford) and the pooled within-class
    scatter with the symmetrised product of its deviations from its class mean before and
    after the update (0 for an absent feature). Stops after the first row whose learning
    completes ``refresh_every`` events: returns (the next row, True), so the caller
    recomputes the components and calls again from there; (the number of rows, False) when
    no row did."""
    n, d = X_pred.shape
    before, after = np.zeros(d), np.zeros(d)
    for i in range(start, n):
        _lda_project(X_pred, i, rows, count, mean, components, out_pred)
        if transform[i]:
            _lda_project(X_learn, i, rows, count, mean, components, out_learn)
        if not learn[i]:
            continue
        c = codes[i]
        class_counts[c] += 1.0
        for j in range(d):
            value = X_learn[i, j]
            before[j], after[j] = 0.0, 0.0
            if math.isfinite(value):
                r = rows[j]
                count[r] += 1.0
                mean[r] += (value - mean[r]) / count[r]
                counts[r, c] += 1.0
                before[j] = value - means[r, c]
                means[r, c] += before[j] / counts[r, c]
                after[j] = value - means[r, c]
        for j in range(d):
            if before[j] == 0.0 and after[j] == 0.0:
                continue
            for k in range(d):
                scatter[rows[j], rows[k]] += 0.5 * (before[j] * after[k] + after[j] * before[k])
        seen[0] += 1.0
        if seen[0] % refresh_every == 0.0:
            return i + 1, True
    return n, False
