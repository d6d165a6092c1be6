"""SoftmaxRegression: equal to River's, classes joining mid-stream."""

from __future__ import annotations

import numpy as np
import pytest
from river import linear_model, optim

from streamlearn.core.batch import Batch
from streamlearn.linear import FTRL, Adam, SoftmaxRegression

from ._streams import dense_stream, prequential, river_replay

CLASSES = np.array(["low", "mid", "high", "top"], dtype=object)


def three_class_stream(n=3000, seed=21):
    X, score = dense_stream(n=n, seed=seed)
    labels = CLASSES[np.digitize(score, [-1.0, 0.5, 2.0])]
    labels[:300] = np.where(labels[:300] == "low", "low", "mid")  # "high", "top" come later
    return X, labels


def river_probabilities(model, x):
    return dict(model.predict_proba_one(x))


@pytest.mark.parametrize(("ours", "theirs"), [
    (dict(), dict()),
    (dict(learning_rate=0.05, l2=0.01), dict(optimizer=optim.SGD(0.05), l2=0.01)),
    (dict(optimizer=Adam(0.01)), dict(optimizer=optim.Adam(0.01))),
], ids=["default", "sgd-l2", "adam"])
def test_equals_river(ours, theirs):
    X, labels = three_class_stream()
    expected = river_replay(linear_model.SoftmaxRegression(**theirs), X, labels.tolist(),
                            river_probabilities)
    model = SoftmaxRegression(**ours)
    got = prequential(model, Batch.from_array(X, y=labels), 250)
    assert model.known_classes == list(dict.fromkeys(labels))  # in order of first appearance
    for row, river_row in zip(got, expected):
        padded = [river_row.get(c, 0.0) for c in model.known_classes]
        np.testing.assert_allclose(row, padded, rtol=0, atol=1e-9)


def test_new_class_keeps_learned_weights():
    model = SoftmaxRegression(learning_rate=0.5)
    for _ in range(10):
        model.learn_one({"x": 1.0}, "a").learn_one({"x": -1.0}, "b")
    before = model.weights_.copy()
    assert model.predict_proba_one({"x": 1.0}).keys() == {"a", "b"}
    model.learn_one({"z": 1.0}, "c")
    assert model.weights_.shape == (2, 3)  # x, z by a, b, c
    # the learnt event moved every class by its gradient; x was absent, so its row is kept
    np.testing.assert_array_equal(model.weights_[0, :2], before[0])
    assert model.weights_[0, 2] == 0.0
    assert model.predict_one({"x": 1.0}) == "a"
    assert model.predict_one({"z": 3.0}) == "c"


def test_unlearnt_classes_and_empty_model():
    model = SoftmaxRegression()
    assert model.predict_proba_many(np.ones((2, 1))).shape == (2, 0)
    assert list(model.predict_many(np.ones((2, 1)))) == [None, None]
    model.learn_one({"x": 1.0}, "only")
    assert model.predict_proba_one({"x": 5.0}) == {"only": 1.0}


@pytest.mark.parametrize(("params", "minimum"), [
    (dict(learning_rate=0.1, intercept_lr=0.1), 0.9),
    (dict(optimizer=Adam(0.02), intercept_lr=0.1), 0.9),
    (dict(optimizer=FTRL(alpha=0.5, l2=0.0), intercept_lr=0.1), 0.9),
])
def test_accuracy_on_separable_classes(params, minimum):
    rng = np.random.default_rng(22)
    centres = rng.normal(scale=3.0, size=(4, 6))
    codes = rng.integers(0, 4, size=4000)
    X = centres[codes] + rng.normal(size=(4000, 6))
    model = SoftmaxRegression(**params)
    proba = prequential(model, Batch.from_array(X, y=codes), 100)
    predicted = np.asarray(model.known_classes)[np.argmax(proba, axis=1)]
    assert np.mean(predicted[-1000:] == codes[-1000:]) >= minimum
