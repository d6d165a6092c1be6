"""MAE, MSE, RMSE and R² against scikit-learn and River."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sklearn.metrics as skm
from river import metrics as river_metrics

from streamlearn.metrics import MAE, MSE, R2, RMSE

SKLEARN = {
    MAE: skm.mean_absolute_error,
    MSE: skm.mean_squared_error,
    RMSE: lambda t, p: math.sqrt(skm.mean_squared_error(t, p)),
    R2: skm.r2_score,
}


def regression_stream(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    y_true = 50.0 + 10.0 * rng.standard_normal(n)
    return y_true, y_true + 3.0 * rng.standard_normal(n) + 1.0


@pytest.mark.parametrize("cls", [MAE, MSE, RMSE, R2])
def test_matches_sklearn_per_event_and_in_batches(cls):
    y_true, y_pred = regression_stream()
    one, many = cls(), cls()
    for t, p in zip(y_true, y_pred):
        one.update(t, p)
    start = 0
    for size in [1, 3, 0, 400, 96, 500]:
        many.update_many(y_true[start:start + size], y_pred=y_pred[start:start + size])
        start += size
    expected = SKLEARN[cls](y_true, y_pred)
    assert one.get() == pytest.approx(expected, rel=1e-12)
    assert many.get() == pytest.approx(one.get(), rel=1e-12)


@pytest.mark.parametrize(
    ("cls", "river_cls"),
    [(MAE, river_metrics.MAE), (MSE, river_metrics.MSE), (RMSE, river_metrics.RMSE),
     (R2, river_metrics.R2)],
)
def test_matches_river_event_by_event(cls, river_cls):
    y_true, y_pred = regression_stream(100, seed=1)
    ours, river = cls(), river_cls()
    for t, p in zip(y_true.tolist(), y_pred.tolist()):
        ours.update(t, p)
        river.update(t, p)
    assert ours.get() == pytest.approx(river.get(), rel=1e-9)


def test_r2_constant_target_and_empty():
    assert R2().get() == 0.0
    assert R2().update_many([2.0, 2.0, 2.0], y_pred=[2.0, 2.0, 2.0]).get() == 1.0
    assert R2().update_many([2.0, 2.0, 2.0], y_pred=[2.0, 1.0, 2.0]).get() == 0.0
    assert skm.r2_score([2.0, 2.0, 2.0], [2.0, 1.0, 2.0]) == 0.0


def test_empty_values_names_and_str():
    for cls in (MAE, MSE, RMSE):
        assert cls().get() == 0.0
        assert cls.task == "regression" and not cls.bigger_is_better
    assert R2.bigger_is_better
    assert str(MAE().update_many([1.0, 2.0], y_pred=[1.5, 2.5])) == "MAE: 0.500000"
    with pytest.raises(ValueError, match="y_pred"):
        MAE().update_many([1.0, 2.0])
    with pytest.raises(ValueError, match="one row per event"):
        MAE().update_many([1.0, 2.0], y_pred=[1.0])
