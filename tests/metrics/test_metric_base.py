"""What every metric shares: snapshot/restore, clone, lazy validation, CLI names."""

from __future__ import annotations

import numpy as np
import pytest

import streamlearn.metrics as metrics
from streamlearn.core.base import states_equal
from streamlearn.core.errors import ParameterError

CLASSES = [False, True, "other"]


def make_batch(n, seed):
    rng = np.random.default_rng(seed)
    y_true = np.array(CLASSES, dtype=object)[rng.integers(3, size=n)]
    y_pred = np.array(CLASSES, dtype=object)[rng.integers(3, size=n)]
    proba = rng.dirichlet([1, 1, 1], size=n)
    values = rng.standard_normal(n)
    return y_true, y_pred, proba, values


def feed(metric, seed, n=120):
    y_true, y_pred, proba, values = make_batch(n, seed)
    if metric.task == "regression":
        return metric.update_many(values, y_pred=values + 0.1 * np.arange(n) % 1.3)
    if metric.needs_proba:
        return metric.update_many(y_true, y_proba=proba, classes=CLASSES)
    return metric.update_many(y_true, y_pred=y_pred)


ALL = [
    metrics.Accuracy(), metrics.Precision(), metrics.Recall(average="micro"),
    metrics.F1(average="macro"), metrics.ConfusionMatrix(), metrics.ROCAUC(),
    metrics.LogLoss(), metrics.MAE(), metrics.MSE(), metrics.RMSE(), metrics.R2(),
    metrics.Rolling(metrics.F1(), 50), metrics.Rolling(metrics.LogLoss(), 50),
]


@pytest.mark.parametrize("metric", ALL, ids=lambda m: m.name)
def test_snapshot_restore_round_trip(metric):
    live = feed(metric.clone(), seed=1)
    saved = live.snapshot()
    expected = feed(live, seed=2).get()
    restored = metric.clone().restore(saved)
    assert states_equal(restored.snapshot(), saved)
    assert feed(restored, seed=2).get() == expected
    assert expected != 0.0


@pytest.mark.parametrize("metric", ALL, ids=lambda m: m.name)
def test_clone_is_fresh_with_the_same_parameters(metric):
    used = feed(metric.clone(), seed=3)
    fresh = used.clone()
    assert type(fresh) is type(used)
    assert repr(fresh) == repr(used)
    assert fresh.get() == type(metric)(**metric.clone().get_params()).get()
    assert states_equal(feed(fresh, seed=3).snapshot(), used.snapshot())


def test_parameters_are_stored_as_given_and_checked_on_first_update():
    metric = metrics.F1(average="weighted")
    assert metric.average == "weighted"
    with pytest.raises(ParameterError, match=r"The 'average' parameter of F1 must be one of"):
        metric.update(True, True)
    with pytest.raises(ParameterError, match="'average' parameter of Precision"):
        metrics.Precision(average="samples").update_many([1], y_pred=[1])


@pytest.mark.parametrize(
    ("name", "expected"),
    [("accuracy", metrics.Accuracy()), ("Precision", metrics.Precision()),
     ("recall", metrics.Recall()), ("F1", metrics.F1()),
     ("macro-f1", metrics.F1(average="macro")), ("MICRO-F1", metrics.F1(average="micro")),
     ("rocauc", metrics.ROCAUC()), ("auc", metrics.ROCAUC()), ("ROC_AUC", metrics.ROCAUC()),
     ("logloss", metrics.LogLoss()), ("mae", metrics.MAE()), ("mse", metrics.MSE()),
     ("rmse", metrics.RMSE()), ("r2", metrics.R2())],
)
def test_get_metric_by_cli_name(name, expected):
    metric = metrics.get_metric(name)
    assert type(metric) is type(expected)
    assert metric.get_params() == expected.get_params()
    assert metrics.get_metric(name) is not metric


def test_get_metric_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown metric 'kappa'.*accuracy.*macro-f1.*r2"):
        metrics.get_metric("kappa")


def test_public_names():
    assert set(metrics.__all__) == {
        "Accuracy", "ConfusionMatrix", "F1", "LogLoss", "MAE", "MSE", "Metric", "Precision",
        "R2", "RMSE", "ROCAUC", "Recall", "Rolling", "get_metric",
        "PrecisionAtK", "RecallAtK", "NDCGAtK",
        "BrierScore", "ExpectedCalibrationError", "RecallFirstThreshold", "AlertLatency",
        "PrecisionAtBudget", "RecallAtBudget", "AlertSavings", "ExpectedCost",
    }
    assert all(issubclass(getattr(metrics, n), metrics.Metric) for n in metrics.__all__
               if n not in ("Metric", "get_metric", "AlertLatency"))


def test_str_formats():
    auc = metrics.ROCAUC().update_many([True, False, True], y_proba=[0.9, 0.2, 0.1])
    assert str(auc) == "ROCAUC: 50.00%"
    assert str(metrics.LogLoss().update(True, 0.5)) == "LogLoss: 0.693147"


def test_update_many_rejects_bad_shapes():
    with pytest.raises(ValueError, match="one-dimensional"):
        metrics.Accuracy().update_many([[1, 2]], y_pred=[[1, 2]])
    with pytest.raises(ValueError, match="one row per event"):
        metrics.Accuracy().update_many([1, 2], y_pred=[1, 2, 3])
