"""LogLoss against scikit-learn and River."""

from __future__ import annotations

import math

import numpy as np
import pytest
from river import metrics as river_metrics
from sklearn.metrics import log_loss

from streamlearn.metrics import LogLoss


def probas(n, k, seed=0):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(k), size=n), rng.integers(k, size=n)


def test_binary_matches_sklearn_and_river_event_by_event():
    proba, codes = probas(200, 2, seed=1)
    y_true = codes == 1
    ours, river = LogLoss(), river_metrics.LogLoss()
    for t, p in zip(y_true.tolist(), proba[:, 1].tolist()):
        ours.update(t, {True: p, False: 1.0 - p})
        river.update(t, {True: p, False: 1.0 - p})
        assert ours.get() == pytest.approx(river.get(), rel=1e-12)
    assert ours.get() == pytest.approx(log_loss(y_true, proba[:, 1]), rel=1e-12)


def test_multiclass_matches_sklearn_and_river_cross_entropy():
    proba, codes = probas(300, 4, seed=2)
    classes = ["w", "x", "y", "z"]
    y_true = np.array(classes)[codes]
    ours, river = LogLoss(), river_metrics.CrossEntropy()
    for t, row in zip(y_true.tolist(), proba.tolist()):
        ours.update(t, dict(zip(classes, row)))
        river.update(t, dict(zip(classes, row)))
    assert ours.get() == pytest.approx(river.get(), rel=1e-12)
    assert ours.get() == pytest.approx(log_loss(y_true, proba, labels=classes), rel=1e-12)


def test_update_many_equals_update_in_any_batch_sizes():
    proba, codes = probas(500, 3, seed=3)
    classes = [0, 1, 2]
    one, many = LogLoss(), LogLoss()
    for t, row in zip(codes, proba):
        one.update(t, dict(zip(classes, row)))
    start = 0
    for size in [1, 10, 0, 250, 239]:
        many.update_many(codes[start:start + size], y_proba=proba[start:start + size],
                         classes=classes)
        start += size
    assert many.get() == pytest.approx(one.get(), rel=1e-12)
    assert many.n_ == one.n_ == 500


def test_float_prediction_is_the_positive_class_probability():
    y_true = np.array([True, False, False, True])
    p = np.array([0.9, 0.2, 0.6, 0.3])
    one = LogLoss()
    for t, q in zip(y_true, p):
        one.update(t, float(q))
    expected = log_loss(y_true, p)
    assert one.get() == pytest.approx(expected, rel=1e-12)
    assert LogLoss().update_many(y_true, y_proba=p).get() == pytest.approx(expected, rel=1e-12)
    # Labels 0/1 work with pos_label=True (1 == True); another label names its class.
    assert LogLoss().update_many(y_true.astype(int), y_proba=p).get() == pytest.approx(expected)
    labels = np.where(y_true, "pos", "neg")
    metric = LogLoss(pos_label="pos").update_many(labels, y_proba=p)
    assert metric.get() == pytest.approx(expected, rel=1e-12)


def test_missing_true_class_counts_as_probability_zero_clipped():
    worst = -math.log(1e-15)
    metric = LogLoss()
    metric.update("c", {"a": 0.5, "b": 0.5})
    assert metric.get() == pytest.approx(worst)
    batched = LogLoss().update_many(["c"], y_proba=[[0.5, 0.5]], classes=["a", "b"])
    assert batched.get() == pytest.approx(worst)
    certain = LogLoss().update_many(["a"], y_proba=[[1.0, 0.0]], classes=["a", "b"])
    assert certain.get() == pytest.approx(-math.log(1 - 1e-15))


def test_empty_and_errors():
    assert LogLoss().get() == 0.0
    assert LogLoss.needs_proba and not LogLoss.bigger_is_better
    with pytest.raises(ValueError, match="y_proba"):
        LogLoss().update_many([True, False], y_pred=[True, False])
    with pytest.raises(ValueError, match="classes"):
        LogLoss().update_many([True, False], y_proba=[[0.2, 0.8], [0.5, 0.5]])
