"""Half-Space Trees: quality on injected anomalies, River's level, exact per event."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from streamlearn.anomaly import HalfSpaceTrees
from streamlearn.core.base import states_equal
from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.learners import all_rows
from tests.anomaly.streams import injected_anomalies


def prequential_scores(model, X, batch_size=1000):
    out = []
    for start in range(0, len(X), batch_size):
        batch = Batch.from_array(X[start:start + batch_size])
        out.append(model.process_many(batch, batch, all_rows(len(batch))))
    return np.concatenate(out)


@pytest.fixture(scope="module")
def stream():
    return injected_anomalies(n=10_000)


def test_roc_auc_on_injected_anomalies(stream):
    X, is_anomaly = stream
    scores = prequential_scores(HalfSpaceTrees(seed=42), X)
    assert scores.min() >= 0.0 and scores.max() <= 1.0
    assert (scores[:250] == 0.0).all() and (scores[250:] > 0.0).all()  # first window
    assert roc_auc_score(is_anomaly, scores) > 0.95


def test_roc_auc_equals_rivers(stream):
    river = pytest.importorskip("river.anomaly", reason="River is the reference")
    X, is_anomaly = stream
    ours, theirs = [], []
    for seed in range(3):  # the random trees differ: compare the mean over three forests
        ours.append(roc_auc_score(is_anomaly, prequential_scores(HalfSpaceTrees(seed=seed), X)))
        model = river.HalfSpaceTrees(seed=seed)
        scores = []
        for row in X:
            x = {f"x{j}": float(v) for j, v in enumerate(row)}
            scores.append(model.score_one(x))
            model.learn_one(x)
        theirs.append(roc_auc_score(is_anomaly, scores))
    assert abs(np.mean(ours) - np.mean(theirs)) < 0.01


def test_window_swap_at_the_same_event_whatever_the_batch(stream):
    X, _ = stream
    X = X[:1234]
    results = []
    for size in (1, 7, 249, 250, 1000):
        model = HalfSpaceTrees(n_trees=4, height=5, window_size=250, seed=3)
        results.append((prequential_scores(model, X, size), model.snapshot()))
    for scores, state in results[1:]:
        np.testing.assert_array_equal(scores, results[0][0])
        assert states_equal(state, results[0][1])
    assert results[0][1]["state"]["window_"].tolist() == [234, 4]
    first_scored = np.flatnonzero(results[0][0] > 0)[0]
    assert first_scored == 250  # the event after the one completing the first window


def test_separate_learn_stream_gives_the_same_as_one_walk(stream):
    X, _ = stream
    batch = Batch.from_array(X[:2000])
    copy = Batch.from_array(X[:2000].copy())
    learn = np.random.default_rng(1).random(2000) < 0.8
    fused, apart = HalfSpaceTrees(seed=7), HalfSpaceTrees(seed=7)
    np.testing.assert_array_equal(fused.process_many(batch, batch, learn),
                                  apart.process_many(batch, copy, learn))
    assert states_equal(fused.snapshot(), apart.snapshot())


def test_masses_count_the_window():
    model = HalfSpaceTrees(n_trees=2, height=3, window_size=10, seed=0)
    model.learn_many(np.full((25, 2), 0.3))
    assert model.window_.tolist() == [5, 2]
    # every event goes through the root and one node per level: 10 per level in the reference
    assert (model.reference_mass_[:, 0] == 10).all()
    assert (model.reference_mass_.sum(axis=1) == 10 * 4).all()
    assert (model.latest_mass_.sum(axis=1) == 5 * 4).all()


def test_missing_feature_follows_the_busier_child():
    model = HalfSpaceTrees(n_trees=3, height=4, window_size=50, seed=2)
    model.learn_many(np.full((125, 2), 0.2))  # the latest window holds 25 events
    # x1 absent: the walk follows the most visited children, as an event at (0.2, 0.2) would
    assert model.score_one({"x0": 0.2}) == model.score_one({"x0": 0.2, "x1": 0.2})
    assert model.score_one({"x0": 0.2, "x1": np.nan}) == model.score_one({"x0": 0.2})


def test_limits_scale_the_splits():
    X = 100.0 + 10.0 * np.random.default_rng(0).random((3000, 2))
    is_anomaly = np.zeros(3000, dtype=bool)
    is_anomaly[2000::50] = True
    X[is_anomaly] = [[100.5, 109.5]]
    X[~is_anomaly, 1] = X[~is_anomaly, 0]  # normal events lie on the diagonal
    limits = {"x0": (100.0, 110.0), "x1": (100.0, 110.0)}
    scores = prequential_scores(HalfSpaceTrees(height=6, window_size=100, limits=limits), X)
    assert roc_auc_score(is_anomaly[2000:], scores[2000:]) > 0.95
    assert model_features_in_range(HalfSpaceTrees(limits=limits), X)


def model_features_in_range(model, X):
    model.learn_one({"x0": float(X[0, 0]), "x1": float(X[0, 1])})
    return bool(((model.thresholds_ > 100.0) & (model.thresholds_ < 110.0)).all())


def test_parameters_are_checked():
    with pytest.raises(ParameterError, match="'window_size' parameter of HalfSpaceTrees"):
        HalfSpaceTrees(window_size=0).learn_one({"x": 0.5})
    with pytest.raises(ParameterError, match="'limits'"):
        HalfSpaceTrees(limits={"x": (1.0, 0.0)}).learn_one({"x": 0.5})
    with pytest.raises(SchemaError, match="OneHotEncoder"):
        HalfSpaceTrees().learn_one({"x": 0.5, "colour": "red"})


def test_unfitted_scores_zero():
    model = HalfSpaceTrees()
    assert model.score_one({"x": 0.5}) == 0.0
    assert not model.is_fitted
