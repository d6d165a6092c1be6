"""LODA: quality on injected anomalies, histograms exact per window, missing features."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from streamlearn.anomaly import LODA
from streamlearn.core.base import states_equal
from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError
from streamlearn.core.learners import all_rows
from tests.anomaly.streams import injected_anomalies


def prequential_scores(model, X, batch_size=1000):
    out = []
    for start in range(0, len(X), batch_size):
        batch = Batch.from_array(X[start:start + batch_size])
        out.append(model.process_many(batch, batch, all_rows(len(batch))))
    return np.concatenate(out)


def test_roc_auc_on_injected_anomalies():
    X, is_anomaly = injected_anomalies(n=10_000)
    scores = prequential_scores(LODA(seed=0), X)
    assert (scores[:256] == 0.0).all()
    # River's LODA (adaptive histograms) scores 0.989 on this stream
    assert roc_auc_score(is_anomaly, scores) > 0.985


def test_histograms_are_the_windows():
    X = np.random.default_rng(4).normal(size=(250, 3))
    model = LODA(n_projections=6, n_bins=4, window_size=100, seed=2)
    model.learn_many(X)
    assert model.window_.tolist() == [50, 2]
    projected = (X[100:200, None, :].repeat(6, axis=1)
                 [:, np.arange(6)[:, None], model.members_] * model.weights_).sum(axis=2)
    low, high = projected.min(axis=0), projected.max(axis=0)
    np.testing.assert_allclose(model.low_, low)
    np.testing.assert_allclose(model.width_, (high - low) / 4)
    # each histogram is a density: its bins integrate to 1
    np.testing.assert_allclose((model.density_ * model.width_[:, None]).sum(axis=1), 1.0)


def test_batch_sizes_give_the_same_answers():
    X, _ = injected_anomalies(n=1500)
    results = []
    for size in (1, 255, 256, 1000):
        model = LODA(n_projections=10, seed=1)
        results.append((prequential_scores(model, X, size), model.snapshot()))
    for scores, state in results[1:]:
        np.testing.assert_array_equal(scores, results[0][0])
        assert states_equal(state, results[0][1])


def test_missing_feature_uses_the_other_projections():
    model = LODA(n_projections=30, window_size=200, seed=0)
    model.learn_many(np.random.default_rng(1).normal(size=(400, 4)))
    full = {"x0": 0.1, "x1": 0.2, "x2": -0.1, "x3": 0.0}
    partial = {k: v for k, v in full.items() if k != "x3"}
    uses_x3 = (model.members_ == 3).any(axis=1)
    assert 0 < uses_x3.sum() < 30
    assert model.score_one(partial) != model.score_one(full)
    assert model.score_one({}) == 0.0


def test_parameters_are_checked():
    with pytest.raises(ParameterError, match="'n_bins' parameter of LODA"):
        LODA(n_bins=0).learn_one({"x": 1.0})
