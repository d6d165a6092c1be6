"""Accuracy, precision, recall, F1 and the confusion matrix, against scikit-learn and River."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics as skm
from river import metrics as river_metrics

from streamlearn.metrics import F1, Accuracy, ConfusionMatrix, Precision, Recall

SKLEARN = {Precision: skm.precision_score, Recall: skm.recall_score, F1: skm.f1_score}


def binary_stream(n=500, seed=0):
    rng = np.random.default_rng(seed)
    y_true = rng.random(n) < 0.4
    y_pred = np.where(rng.random(n) < 0.75, y_true, ~y_true)
    return y_true, y_pred


def multiclass_stream(n=600, seed=1, labels=("ant", "bee", "cat", "dog")):
    rng = np.random.default_rng(seed)
    labels = np.array(labels, dtype=object if len({type(v) for v in labels}) > 1 else None)
    weights = np.arange(len(labels), 0, -1, dtype=float)
    true_codes = rng.choice(len(labels), size=n, p=weights / weights.sum())
    pred_codes = np.where(rng.random(n) < 0.6, true_codes, rng.integers(len(labels), size=n))
    return labels[true_codes], labels[pred_codes]


def in_batches(metric, y_true, y_pred, sizes=(1, 7, 50, 0, 123)):
    start, k = 0, 0
    while start < len(y_true):
        size = sizes[k % len(sizes)]
        metric.update_many(y_true[start:start + size], y_pred=y_pred[start:start + size])
        start, k = start + size, k + 1
    return metric


def per_event(metric, y_true, y_pred):
    for t, p in zip(y_true, y_pred):
        metric.update(t, p)
    return metric


def test_accuracy_matches_sklearn_and_river_event_by_event():
    y_true, y_pred = multiclass_stream(200, labels=(0, 1, 2))
    ours, river = Accuracy(), river_metrics.Accuracy()
    for t, p in zip(y_true.tolist(), y_pred.tolist()):
        ours.update(t, p)
        river.update(t, p)
        assert ours.get() == pytest.approx(river.get(), abs=1e-12)
    assert ours.get() == pytest.approx(skm.accuracy_score(y_true, y_pred), abs=1e-12)


@pytest.mark.parametrize("cls", [Precision, Recall, F1])
def test_binary_average_matches_sklearn(cls):
    y_true, y_pred = binary_stream()
    metric = cls().update_many(y_true, y_pred=y_pred)
    assert metric.get() == pytest.approx(SKLEARN[cls](y_true, y_pred), abs=1e-12)
    # Labels 0/1 work with the default pos_label=True, since 1 == True.
    ints = cls().update_many(y_true.astype(int), y_pred=y_pred.astype(int))
    assert ints.get() == pytest.approx(metric.get(), abs=1e-12)


@pytest.mark.parametrize("cls", [Precision, Recall, F1])
@pytest.mark.parametrize("average", ["macro", "micro"])
def test_multiclass_averages_match_sklearn(cls, average):
    y_true, y_pred = multiclass_stream()
    metric = cls(average=average).update_many(y_true, y_pred=y_pred)
    expected = SKLEARN[cls](y_true, y_pred, average=average)
    assert metric.get() == pytest.approx(expected, abs=1e-12)


def test_macro_average_counts_classes_only_predicted():
    # "c" is never true, only predicted: scikit-learn counts it in the macro mean (with 0).
    y_true, y_pred = ["a", "b", "a", "b"], ["a", "c", "a", "b"]
    for cls, sk in SKLEARN.items():
        expected = sk(y_true, y_pred, average="macro", zero_division=0)
        assert cls(average="macro").update_many(y_true, y_pred=y_pred).get() == expected


def test_named_string_positive_label():
    y_true = np.array(["spam", "ham", "spam", "ham", "spam"])
    y_pred = np.array(["spam", "spam", "ham", "ham", "spam"])
    metric = F1(pos_label="spam").update_many(y_true, y_pred=y_pred)
    assert metric.get() == pytest.approx(skm.f1_score(y_true, y_pred, pos_label="spam"))
    assert F1().update_many(y_true, y_pred=y_pred).get() == 0.0  # True never occurs


@pytest.mark.parametrize(
    "metric",
    [Accuracy(), Precision(), Recall(average="macro"), F1(average="micro"), ConfusionMatrix()],
)
def test_update_and_update_many_agree(metric):
    # Mixed label types, bool included (True must not be confused with the int 2).
    y_true, y_pred = multiclass_stream(300, labels=(True, False, 2))
    one = per_event(metric.clone(), y_true, y_pred)
    many = in_batches(metric.clone(), y_true, y_pred)
    assert many.get() == pytest.approx(one.get(), abs=1e-12)
    assert np.array_equal(one.counts_, many.counts_)
    assert one.classes_ == many.classes_


def test_confusion_matrix_matches_sklearn_and_prints():
    y_true, y_pred = multiclass_stream(400)
    cm = in_batches(ConfusionMatrix(), y_true, y_pred)
    classes, counts = cm.matrix
    assert sorted(classes) == ["ant", "bee", "cat", "dog"]
    assert np.array_equal(counts, skm.confusion_matrix(y_true, y_pred, labels=classes))
    assert cm.get() == 400.0
    rows = str(cm).splitlines()
    assert rows[0].split() == classes
    assert [int(v) for v in rows[1].split()[1:]] == counts[0].tolist()


def test_classes_register_in_order_of_first_appearance():
    cm = ConfusionMatrix().update_many(np.array([3, 1, 2]), y_pred=np.array([5, 1, 3]))
    assert cm.matrix[0] == [3, 5, 1, 2]
    assert all(type(c) is int for c in cm.matrix[0])


def test_empty_metrics_are_zero_and_print_as_percent():
    assert Accuracy().get() == 0.0
    assert F1(average="macro").get() == 0.0
    assert ConfusionMatrix().get() == 0.0
    assert str(Accuracy().update_many([1, 1, 0], y_pred=[1, 1, 1])) == "Accuracy: 66.67%"
    assert str(ConfusionMatrix()) == "ConfusionMatrix: empty"


def test_names():
    assert Accuracy().name == "Accuracy"
    assert F1().name == "F1"
    assert F1(average="macro").name == "MacroF1"
    assert Precision(average="micro").name == "MicroPrecision"
    assert Accuracy.needs_proba is False and Accuracy.task == "classification"
