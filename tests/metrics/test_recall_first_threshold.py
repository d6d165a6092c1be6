"""The recall-first threshold: exact quantile of recent positives, causal decisions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from streamlearn import metrics
from streamlearn.core import states_equal


def _brute(y, p, min_recall, window, warm_up):
    """Event by event in plain Python: decide with the current threshold, then update."""
    threshold, positives, counts = 0.0, [], [0, 0, 0, 0]
    for label, score in zip(y, p):
        alert = score >= threshold
        counts[(0 if alert else 1) if label else (2 if alert else 3)] += 1
        if label:
            positives = ([*positives, score])[-window:]
            if len(positives) >= warm_up:
                ordered = sorted(positives)
                k = math.floor(len(ordered) * (1 - min_recall) + 1e-9)
                threshold = ordered[min(k, len(ordered) - 1)]
    return threshold, counts


def _stream(n, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.3
    p = np.clip(np.where(y, rng.normal(0.7, 0.15, n), rng.normal(0.35, 0.15, n)), 0, 1)
    return y, p


def test_equals_brute_force_and_keeps_recall_at_the_target():
    y, p = _stream(4000)
    metric = metrics.RecallFirstThreshold(min_recall=0.95, window=300, warm_up=20)
    metric.update_many(y, y_proba=np.column_stack([1 - p, p]), classes=[False, True])
    threshold, (tp, fn, fp, _) = _brute(y, p, 0.95, 300, 20)
    assert metric.threshold == threshold
    assert metric.recall == tp / (tp + fn)
    assert metric.precision == tp / (tp + fp)
    # decided before each label was used, recall still stays near the target...
    assert 0.93 <= metric.recall <= 0.97
    # ...and costs precision: well above the 30% base rate, well below a balanced threshold
    assert 0.5 < metric.precision < 0.75
    assert metric.alert_rate == pytest.approx((tp + fp) / 4000)


def test_batch_cuts_do_not_change_anything():
    y, p = _stream(3000, seed=3)
    whole = metrics.RecallFirstThreshold(window=200).update_many(y, y_proba=p)
    parts = metrics.RecallFirstThreshold(window=200)
    for chunk in np.array_split(np.arange(3000), [1, 2, 500, 1999, 2001]):
        parts.update_many(y[chunk], y_proba=p[chunk])
    one = metrics.RecallFirstThreshold(window=200)
    for label, score in zip(y[:300], p[:300]):
        one.update(bool(label), float(score))
    assert states_equal(whole.snapshot(), parts.snapshot())
    assert one.counts_.tolist() == metrics.RecallFirstThreshold(window=200).update_many(
        y[:300], y_proba=p[:300]).counts_.tolist()


def test_reports_and_job_names():
    assert metrics.get_metric("RecallFirstPrecision").name == "RecallFirstPrecision(0.98)"
    assert metrics.get_metric("RecallFirstThreshold").name == "RecallFirstThreshold(0.98)"
    assert metrics.get_metric("recallfirstrecall").report == "recall"
    fresh = metrics.RecallFirstThreshold()
    assert fresh.get() == 0.0 and fresh.threshold == 0.0
    with pytest.raises(ValueError, match="'min_recall' parameter of RecallFirstThreshold"):
        metrics.RecallFirstThreshold(min_recall=1.5).update(True, 0.5)
    with pytest.raises(ValueError, match="'report' parameter"):
        metrics.RecallFirstThreshold(report="f1").update(True, 0.5)
