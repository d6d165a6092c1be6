"""ThresholdFilter and QuantileFilter: alerts from a detector's scores."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.anomaly import HalfSpaceTrees, QuantileFilter, RobustZScore, ThresholdFilter
from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError
from streamlearn.core.learners import all_rows
from tests.anomaly.streams import injected_anomalies


def prequential(model, X, batch_size=1000):
    out = []
    for start in range(0, len(X), batch_size):
        batch = Batch.from_array(X[start:start + batch_size])
        out.append(model.process_many(batch, batch, all_rows(len(batch))))
    return np.concatenate(out)


@pytest.mark.parametrize("q", [0.9, 0.99])
def test_quantile_filter_alert_rate_is_the_budget(q):
    X = np.random.default_rng(0).normal(size=(30_000, 2))
    alerts = prequential(QuantileFilter(RobustZScore(window_size=100), q=q), X)
    assert set(np.unique(alerts)) <= {0.0, 1.0}
    assert abs(alerts[2000:].mean() - (1 - q)) < 0.15 * (1 - q)


def test_quantile_filter_catches_injected_anomalies():
    X, is_anomaly = injected_anomalies(n=20_000, rate=0.01)
    alerts = prequential(QuantileFilter(HalfSpaceTrees(seed=42), q=0.98), X)[1000:]
    truth = is_anomaly[1000:]
    assert alerts[truth].mean() > 0.6            # recall
    assert alerts.mean() < 0.03                  # about the budget of 2%


def test_threshold_filter_alert_rate():
    X = np.random.default_rng(2).normal(size=(20_000, 1))
    alerts = prequential(ThresholdFilter(RobustZScore(window_size=200), threshold=3.0), X)
    # two-sided normal tail beyond 3 sigma: 0.27%, a little more as the window's median and
    # MAD are estimates from 200 values
    assert 0.002 < alerts[1000:].mean() < 0.006


def test_filters_answer_alerts_and_keep_scores():
    model = ThresholdFilter(RobustZScore(window_size=50), threshold=3.5)
    model.learn_many(np.array([[10.0], [11.0], [9.0], [10.5], [9.5]] * 10))
    assert model.predict_many(np.array([[10.2], [16.0]])).tolist() == [0, 1]
    assert model.score_one({"x0": 16.0}) == pytest.approx(6.0 / 0.7413)
    assert model.snapshot()["nested"]["detector"]["state"]["count_"].tolist() == [50]


def test_quantile_state_before_learning():
    model = QuantileFilter(RobustZScore(), q=0.9)
    assert model.predict_one({"x": 1.0}) == 0
    assert not model.is_fitted


def test_parameters_are_checked():
    with pytest.raises(ParameterError, match="'q' parameter of QuantileFilter"):
        QuantileFilter(RobustZScore(), q=1.5).learn_one({"x": 1.0})
    with pytest.raises(ParameterError, match="'detector' parameter of ThresholdFilter"):
        ThresholdFilter("hst", threshold=0.5).learn_one({"x": 1.0})


def test_a_pipeline_ending_with_a_detector_can_be_filtered():
    from streamlearn.preprocessing import MinMaxScaler

    X, is_anomaly = injected_anomalies(n=10_000)
    model = QuantileFilter(MinMaxScaler() | HalfSpaceTrees(seed=42), q=0.98)
    alerts = prequential(model, 40.0 * X - 7.0)[1000:]
    assert alerts[is_anomaly[1000:]].mean() > 0.6
    assert model.score_one({f"x{j}": 100.0 for j in range(5)}) > 0.9
