"""Metric values never depend on how the stream was cut into batches (checkpoint replays
cut it differently from an uninterrupted run): bit-identical values, now and after more
events, and bit-identical state where the state has one canonical layout (ROCAUC's sorted
runs and a rolling window's ring buffer are laid out differently, holding the same data)."""

import numpy as np
import pytest

from streamlearn import metrics
from streamlearn.core import states_equal

CLASSIFICATION = [metrics.Accuracy(), metrics.F1(), metrics.F1(average="macro"),
                  metrics.Precision(), metrics.Recall(), metrics.ROCAUC(), metrics.LogLoss(),
                  metrics.Rolling(metrics.LogLoss(), 300), metrics.Rolling(metrics.ROCAUC(), 300)]
REGRESSION = [metrics.MAE(), metrics.MSE(), metrics.RMSE(), metrics.R2(),
              metrics.Rolling(metrics.MAE(), 300)]


def _cuts(n, rng):
    return np.sort(rng.choice(np.arange(1, n), size=12, replace=False))


@pytest.mark.parametrize("metric", CLASSIFICATION, ids=lambda m: m.name)
def test_classification_state_is_bit_identical_whatever_the_batches(metric):
    rng = np.random.default_rng(3)
    n = 2000
    y = rng.random(n) < 0.4
    p = rng.random(n)
    proba = np.column_stack([1 - p, p])
    labels = p > 0.5
    whole = metric.clone().update_many(y, y_pred=labels, y_proba=proba, classes=[False, True])
    parts = metric.clone()
    for chunk in np.split(np.arange(n), _cuts(n, rng)):
        parts.update_many(y[chunk], y_pred=labels[chunk], y_proba=proba[chunk],
                          classes=[False, True])
    _same(whole, parts)
    more = rng.random(500)
    for m in (whole, parts):
        m.update_many(more < 0.5, y_pred=more > 0.3, y_proba=np.column_stack([1 - more, more]),
                      classes=[False, True])
    _same(whole, parts)


def _same(whole, parts):
    assert whole.get() == parts.get()
    if not (isinstance(whole, metrics.Rolling | metrics.ROCAUC)):
        assert states_equal(whole.snapshot(), parts.snapshot())


@pytest.mark.parametrize("metric", REGRESSION, ids=lambda m: m.name)
def test_regression_state_is_bit_identical_whatever_the_batches(metric):
    rng = np.random.default_rng(4)
    n = 2000
    y = rng.normal(100.0, 5.0, n)
    y_hat = y + rng.normal(0.0, 1.0, n)
    whole = metric.clone().update_many(y, y_pred=y_hat)
    parts = metric.clone()
    for chunk in np.split(np.arange(n), _cuts(n, rng)):
        parts.update_many(y[chunk], y_pred=y_hat[chunk])
    _same(whole, parts)
    for m in (whole, parts):
        m.update_many(y[:500] + 1.0, y_pred=y_hat[:500])
    _same(whole, parts)
