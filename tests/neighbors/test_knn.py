"""Sliding-window KNN: the same answers as River's exact KNN, in batches of any size."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from river import neighbors as river_neighbors
from river import utils

from streamlearn import metrics
from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.datasets import RotatingHyperplane
from streamlearn.evaluate import prequential
from streamlearn.neighbors import KNNClassifier, KNNRegressor


def hard_stream(seed: int, n: int):
    """Missing values, a feature that appears half-way, a class that appears late."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5)) + 0.5
    X[: n // 2, 3] = np.nan
    X[rng.random((n, 5)) < 0.1] = np.nan
    signal = np.nan_to_num(X[:, 0]) - np.nan_to_num(X[:, 1]) + 0.5 * np.nan_to_num(X[:, 3])
    y = np.where(signal > 1, "a", np.where(signal < -0.5, "b", "c")).astype(object)
    y[:500][y[:500] == "a"] = "c"
    return X, y


def river_engine(window_size: int, p: float):
    if p == 2:
        return river_neighbors.LazySearch(window_size=window_size)
    distance = functools.partial(utils.math.minkowski_distance, p=p)
    return river_neighbors.LazySearch(window_size=window_size, dist_func=distance)


def river_answers(model, X, y, classes=None):
    """Test-then-train with River, one dict per event (NaN = key left out)."""
    out = []
    for i, row in enumerate(X):
        x = {f"x{j}": float(v) for j, v in enumerate(row) if v == v}
        if classes is None:
            out.append(model.predict_one(x))
        else:
            proba = model.predict_proba_one(x)
            out.append([proba.get(c, 0.0) for c in classes])
        model.learn_one(x, y[i])
    return np.array(out)


def our_answers(model, X, y, batch_size):
    parts = []
    for start in range(0, len(X), batch_size):
        batch = Batch.from_array(X[start:start + batch_size], y=y[start:start + batch_size])
        parts.append(model.process_many(batch, batch, np.ones(len(batch), dtype=bool)))
    if parts[0].ndim == 1:
        return np.concatenate(parts)
    width = max(p.shape[1] for p in parts)
    return np.concatenate([np.pad(p, ((0, 0), (0, width - p.shape[1]))) for p in parts])


@pytest.mark.parametrize(("k", "window", "p", "weighted"), [
    (5, 50, 2.0, True), (3, 30, 1.0, False), (4, 100, 3.0, True), (1, 20, 2.0, True),
])
@pytest.mark.parametrize("batch_size", [1, 37, 2000])
def test_classifier_equals_river_exact_knn(k, window, p, weighted, batch_size):
    X, y = hard_stream(1, n=2000)
    model = KNNClassifier(n_neighbors=k, window_size=window, p=p, weighted=weighted)
    got = our_answers(model, X, y, batch_size)
    theirs = river_neighbors.KNNClassifier(n_neighbors=k, engine=river_engine(window, p),
                                           weighted=weighted)
    np.testing.assert_allclose(got, river_answers(theirs, X, y, model.classes_), atol=1e-12)
    assert model.n_stored == window and len(model.window) == window


@pytest.mark.parametrize(("k", "window", "p", "weighted"), [
    (5, 50, 2.0, False), (3, 30, 1.0, True), (4, 100, 3.0, False),
])
@pytest.mark.parametrize("batch_size", [1, 2000])
def test_regressor_equals_river_exact_knn(k, window, p, weighted, batch_size):
    X, _ = hard_stream(2, n=2000)
    y = 2 * np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 3])
    got = our_answers(KNNRegressor(n_neighbors=k, window_size=window, p=p, weighted=weighted),
                      X, y, batch_size)
    theirs = river_neighbors.KNNRegressor(
        n_neighbors=k, engine=river_engine(window, p),
        aggregation_method="weighted_mean" if weighted else "mean")
    np.testing.assert_allclose(got, river_answers(theirs, X, y), atol=1e-12)


def test_accuracy_on_a_drifting_stream_equals_river():
    data = RotatingHyperplane(seed=42).take(4000)
    theirs = river_neighbors.KNNClassifier(engine=river_engine(300, 2.0))
    correct = 0
    for x, label in data:
        correct += theirs.predict_one(x) == label
        theirs.learn_one(x, label)
    report = prequential(data, KNNClassifier(window_size=300), [metrics.Accuracy()])
    assert correct / len(data) == pytest.approx(0.7905, abs=5e-5)
    assert report.metrics["Accuracy"] == correct / len(data)


def test_window_slides_and_exact_matches_answer_alone():
    model = KNNClassifier(n_neighbors=3, window_size=3)
    for value, label in [(0.0, "a"), (1.0, "b"), (2.0, "c"), (3.0, "d")]:
        model.learn_one({"x": value}, label)
    assert model.window == [({"x": 1.0}, "b"), ({"x": 2.0}, "c"), ({"x": 3.0}, "d")]
    assert model.predict_proba_one({"x": 2.0}) == {"a": 0.0, "b": 0.0, "c": 1.0, "d": 0.0}
    # "a" left the window: it keeps its column, with probability 0
    assert model.predict_proba_one({"x": 0.0})["a"] == 0.0
    regressor = KNNRegressor(n_neighbors=2, window_size=1)
    regressor.learn_many(np.array([[0.0], [5.0]]), [1.0, 7.0])
    assert regressor.predict_many(np.array([[0.0], [5.0]])).tolist() == [7.0, 7.0]


def test_a_feature_learnt_late_counts_as_zero_for_older_events():
    model = KNNRegressor(n_neighbors=1, window_size=10)
    model.learn_one({"a": 1.0}, 10.0)
    model.learn_one({"a": 1.0, "b": 5.0}, 20.0)
    # to {"a": 1, "b": 4}: the first event is at distance 4 (b = 0), the second at 1
    assert model.predict_one({"a": 1.0, "b": 4.0}) == 20.0
    assert model.predict_one({"a": 1.0}) == 10.0
    assert model.predict_one({"c": 0.0, "a": 1.0}) == 10.0  # an unseen feature changes nothing


def test_untrained_models_and_bad_parameters():
    assert KNNClassifier().predict_proba_many(np.ones((2, 3))).shape == (2, 0)
    assert KNNClassifier().predict_one({"x": 1.0}) is None
    assert KNNRegressor().predict_many(np.ones((2, 3))).tolist() == [0.0, 0.0]
    with pytest.raises(ParameterError, match="'window_size' parameter of KNNClassifier"):
        KNNClassifier(window_size=0).learn_one({"x": 1.0}, "a")
    with pytest.raises(ParameterError, match="'p' parameter of KNNRegressor must be > 0"):
        KNNRegressor(p=0).learn_one({"x": 1.0}, 1.0)
    with pytest.raises(ParameterError, match="'n_neighbors'"):
        KNNClassifier(n_neighbors=0).predict_one({"x": 1.0})
    with pytest.raises(SchemaError, match="OneHotEncoder"):
        KNNClassifier().learn_one({"colour": "red"}, "a")
    with pytest.raises(SchemaError, match="numeric targets"):
        KNNRegressor().learn_many(np.ones((1, 1)), ["a"])
