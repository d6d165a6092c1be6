"""Brier score and expected calibration error: brute-force values, windows, batch cuts."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn import metrics
from streamlearn.core import states_equal


def _stream(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    p = rng.random(n)
    y = rng.random(n) < p ** 2          # over-confident: true rate p^2, not p
    return y, p


def _ece_brute(y, p, n_bins):
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        inside = bins == b
        if inside.any():
            total += inside.sum() / len(p) * abs(p[inside].mean() - y[inside].mean())
    return total


def test_brier_and_ece_equal_brute_force_and_sklearn():
    from sklearn.metrics import brier_score_loss

    y, p = _stream(5000)
    brier = metrics.BrierScore().update_many(y, y_proba=np.column_stack([1 - p, p]),
                                             classes=[False, True])
    assert brier.get() == pytest.approx(brier_score_loss(y, p), abs=1e-9)
    ece = metrics.ExpectedCalibrationError(n_bins=10).update_many(y, y_proba=p)
    assert ece.get() == pytest.approx(_ece_brute(y, p, 10), abs=1e-9)
    # p against a true rate of p^2: the gap integrates to 1/6
    assert ece.get() == pytest.approx(1 / 6, abs=0.02)
    perfect = metrics.ExpectedCalibrationError().update_many(np.random.default_rng(1).random(
        20000) < p.repeat(4), y_proba=p.repeat(4))
    assert perfect.get() < 0.02


def test_reliability_points_and_one_event_updates():
    metric = metrics.ExpectedCalibrationError(n_bins=4)
    for y, p in [(True, 0.9), (False, 0.8), (False, 0.1), (True, 1.0)]:
        metric.update(y, {True: p, False: 1 - p})
    points = metric.reliability()
    assert [(q["low"], q["count"]) for q in points] == [(0.0, 1), (0.75, 3)]
    assert points[1]["mean_proba"] == pytest.approx(0.9, abs=1e-9)
    assert points[1]["positive_rate"] == pytest.approx(2 / 3)
    assert metrics.get_metric("ECE").get() == 0.0 and metrics.get_metric("brier").get() == 0.0


@pytest.mark.parametrize("metric", [metrics.BrierScore(), metrics.ExpectedCalibrationError()],
                         ids=lambda m: m.name)
def test_values_do_not_depend_on_batch_cuts_and_windows_forget_exactly(metric):
    y, p = _stream(3000, seed=5)
    whole = metric.clone().update_many(y, y_proba=p)
    parts = metric.clone()
    for chunk in np.array_split(np.arange(3000), [7, 100, 1001, 1002, 2500]):
        parts.update_many(y[chunk], y_proba=p[chunk])
    assert whole.get() == parts.get()
    assert states_equal(whole.snapshot(), parts.snapshot())
    rolling = metrics.Rolling(metric.clone(), window_size=500).update_many(y, y_proba=p)
    last = metric.clone().update_many(y[-500:], y_proba=p[-500:])
    assert rolling.get() == last.get()


def test_bad_parameters_and_nan_are_refused():
    with pytest.raises(ValueError, match="'n_bins' parameter of ExpectedCalibrationError"):
        metrics.ExpectedCalibrationError(n_bins=0).update(True, 0.5)
    with pytest.raises(ValueError, match="NaN"):
        metrics.BrierScore().update_many([True], y_proba=[np.nan])
