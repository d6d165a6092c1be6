"""RobustZScore: planted spikes stand out, exact rolling median and MAD."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.anomaly import RobustZScore
from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError
from streamlearn.core.learners import all_rows


def test_flags_planted_spikes():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(5000, 3))
    spikes = np.arange(500, 5000, 97)
    X[spikes, rng.integers(0, 3, len(spikes))] += rng.choice([-8.0, 8.0], len(spikes))
    X[spikes[::2] + 1, 0] += 9.0  # a spike right after another one still stands out
    batch = Batch.from_array(X)
    scores = RobustZScore(window_size=200).process_many(batch, batch, all_rows(len(X)))
    planted = np.zeros(len(X), dtype=bool)
    planted[spikes] = True
    planted[spikes[::2] + 1] = True
    flagged = scores > 3.5 * 1.1
    assert flagged[planted].all()
    assert flagged[200:][~planted[200:]].mean() < 0.01


def test_median_and_scale_are_exact_over_the_window():
    X = np.random.default_rng(1).standard_t(3, size=(400, 2))
    model = RobustZScore(window_size=37, grace_period=1)
    for i, row in enumerate(X):
        model.learn_one({"a": row[0], "b": row[1]})
        window = X[max(0, i - 36):i + 1]
        median = np.median(window, axis=0)
        mad = np.median(np.abs(window - median), axis=0)
        np.testing.assert_allclose(model.median_, median, rtol=0, atol=1e-12)
        np.testing.assert_allclose(model.scale_, np.maximum(1.4826 * mad, 1e-9), rtol=1e-12)


def test_grace_period_and_constant_feature():
    model = RobustZScore(window_size=20, grace_period=5)
    for _ in range(4):
        model.learn_one({"x": 1.0})
    assert model.score_one({"x": 100.0}) == 0.0  # four values: not enough yet
    model.learn_one({"x": 1.0})
    assert model.score_one({"x": 1.0}) == 0.0
    assert model.score_one({"x": 1.5}) == pytest.approx(0.5 / 1e-9)  # finite, huge


def test_parameters_are_checked():
    with pytest.raises(ParameterError, match="'window_size' parameter of RobustZScore"):
        RobustZScore(window_size=0).learn_one({"x": 1.0})
