"""Rolling: a metric over the last events only, equal to the metric on that window."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sklearn.metrics as skm
from river import metrics as river_metrics
from river import utils as river_utils

from streamlearn.core.errors import ParameterError
from streamlearn.metrics import (
    F1,
    MAE,
    R2,
    RMSE,
    ROCAUC,
    Accuracy,
    ConfusionMatrix,
    LogLoss,
    Precision,
    Rolling,
)

CLASSES = ["a", "b", "c"]


def label_stream(n=700, seed=0):
    rng = np.random.default_rng(seed)
    y_true = rng.choice(CLASSES, size=n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.choice(CLASSES, size=n))
    return y_true, y_pred


def proba_stream(n=700, seed=0):
    rng = np.random.default_rng(seed)
    y_true = rng.random(n) < 0.4
    score = np.round(np.clip(0.4 + 0.3 * y_true + 0.25 * rng.standard_normal(n), 0, 1), 2)
    return y_true, np.column_stack([1.0 - score, score])


def feed(metric, y_true, sizes, classes=None, **columns):
    start, k = 0, 0
    while start < len(y_true):
        size = sizes[k % len(sizes)]
        rows = slice(start, start + size)
        batch = {key: v[rows] for key, v in columns.items()}
        metric.update_many(y_true[rows], classes=classes, **batch)
        start, k = start + size, k + 1
    return metric


LABEL_CASES = [
    (Accuracy(), skm.accuracy_score),
    (F1(average="macro"), lambda t, p: skm.f1_score(t, p, average="macro")),
    (Precision(pos_label="a"), lambda t, p: skm.precision_score(t, p, average=None,
                                                                labels=["a"])[0]),
]


@pytest.mark.parametrize(("metric", "reference"), LABEL_CASES)
@pytest.mark.parametrize("sizes", [(1,), (13, 0, 250), (1000,)])
def test_label_metrics_equal_sklearn_on_the_tail(metric, reference, sizes):
    y_true, y_pred = label_stream()
    rolling = feed(Rolling(metric, window_size=100), y_true, sizes, y_pred=y_pred)
    assert rolling.get() == pytest.approx(reference(y_true[-100:], y_pred[-100:]), abs=1e-12)


def test_accuracy_follows_the_window_at_every_event_like_river():
    y_true, y_pred = label_stream(300, seed=1)
    ours = Rolling(Accuracy(), window_size=50)
    river = river_utils.Rolling(river_metrics.Accuracy, window_size=50)
    for i, (t, p) in enumerate(zip(y_true.tolist(), y_pred.tolist())):
        ours.update(t, p)
        river.update(t, p)
        tail = slice(max(0, i - 49), i + 1)
        assert ours.get() == pytest.approx(skm.accuracy_score(y_true[tail], y_pred[tail]))
        assert ours.get() == pytest.approx(river.get(), abs=1e-12)


def test_macro_average_forgets_classes_that_left_the_window():
    rolling = Rolling(F1(average="macro"), window_size=2)
    rolling.update_many(["x", "a", "b"], y_pred=["y", "a", "a"])
    assert rolling.get() == pytest.approx(skm.f1_score(["a", "b"], ["a", "a"], average="macro"))


@pytest.mark.parametrize("sizes", [(1,), (7, 300, 0), (2000,)])
def test_roc_auc_and_log_loss_equal_sklearn_on_the_tail(sizes):
    y_true, proba = proba_stream()
    auc = feed(Rolling(ROCAUC(), 200), y_true, sizes, y_proba=proba, classes=[False, True])
    loss = feed(Rolling(LogLoss(), 200), y_true, sizes, y_proba=proba, classes=[False, True])
    tail = slice(-200, None)
    assert auc.get() == pytest.approx(skm.roc_auc_score(y_true[tail], proba[tail, 1]), abs=1e-12)
    assert loss.get() == pytest.approx(skm.log_loss(y_true[tail], proba[tail]), rel=1e-12)


def test_per_event_dicts_and_batches_agree():
    y_true, proba = proba_stream(400, seed=2)
    one, many = Rolling(ROCAUC(), 150), Rolling(ROCAUC(), 150)
    for t, row in zip(y_true.tolist(), proba.tolist()):
        one.update(t, {False: row[0], True: row[1]})
    feed(many, y_true, (33, 1, 90), y_proba=proba, classes=[False, True])
    assert one.get() == many.get()


@pytest.mark.parametrize("cls", [MAE, RMSE, R2])
def test_regression_equals_sklearn_on_the_tail(cls):
    rng = np.random.default_rng(3)
    y_true = rng.standard_normal(500)
    y_pred = y_true + 0.5 * rng.standard_normal(500)
    rolling = feed(Rolling(cls(), window_size=64), y_true, (5, 100, 1), y_pred=y_pred)
    t, p = y_true[-64:], y_pred[-64:]
    expected = {MAE: skm.mean_absolute_error(t, p),
                RMSE: math.sqrt(skm.mean_squared_error(t, p)),
                R2: skm.r2_score(t, p)}[cls]
    assert rolling.get() == pytest.approx(expected, rel=1e-12)


def test_window_not_yet_full_and_empty():
    assert Rolling(Accuracy(), 10).get() == 0.0
    assert Rolling(MAE(), 10).get() == 0.0
    rolling = Rolling(MAE(), 10).update_many([1.0, 2.0], y_pred=[2.0, 2.0])
    assert rolling.get() == 0.5


def test_rolling_confusion_matrix_counts_the_window():
    rolling = Rolling(ConfusionMatrix(), window_size=3)
    rolling.update_many(["a", "b", "b", "a"], y_pred=["a", "a", "b", "b"])
    assert rolling.get() == 3.0
    classes, counts = rolling.metric_.matrix
    assert classes == ["a", "b"]
    assert counts.tolist() == [[0, 1], [1, 1]]


def test_description_follows_the_wrapped_metric():
    rolling = Rolling(ROCAUC(), 1000)
    assert rolling.name == "Rolling ROCAUC(1000)"
    assert rolling.needs_proba and rolling.bigger_is_better
    assert rolling.task == "classification"
    assert Rolling(MAE(), 50).task == "regression"
    assert str(Rolling(MAE(), 5).update(1.0, 3.0)) == "Rolling MAE(5): 2.000000"


def test_snapshot_restore_and_clone():
    y_true, proba = proba_stream(300, seed=4)
    rolling = Rolling(ROCAUC(), 100)
    rolling.update_many(y_true[:150], y_proba=proba[:150], classes=[False, True])
    saved = rolling.snapshot()
    rolling.update_many(y_true[150:], y_proba=proba[150:], classes=[False, True])
    final = rolling.get()
    restored = Rolling(ROCAUC(), 100).restore(saved)
    restored.update_many(y_true[150:], y_proba=proba[150:], classes=[False, True])
    assert restored.get() == final
    fresh = rolling.clone()
    assert fresh.get() == 0.0 and fresh.window_size == 100 and fresh.metric is not rolling.metric


def test_window_size_is_validated_on_first_update():
    rolling = Rolling(Accuracy(), window_size=0)  # __init__ only stores it
    with pytest.raises(ParameterError, match="'window_size' parameter of Rolling"):
        rolling.update(1, 1)
    with pytest.raises(ParameterError, match="'average' parameter of F1"):
        Rolling(F1(average="weighted")).update(1, 1)
