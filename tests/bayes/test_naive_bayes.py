"""Naive Bayes: the same probabilities as River's on the same stream, in batches of any size."""

from __future__ import annotations

import numpy as np
import pytest
from river import naive_bayes as river_nb

from streamlearn import metrics
from streamlearn.bayes import BernoulliNB, GaussianNB, MultinomialNB
from streamlearn.core.batch import Batch, SparseBlock
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.datasets import SEA, RandomRBF
from streamlearn.evaluate import prequential


def hard_stream(seed: int, n: int = 3000, counts: bool = False):
    """Missing values, a feature that appears half-way, a class that appears late."""
    rng = np.random.default_rng(seed)
    X = rng.poisson(2.0, size=(n, 5)).astype(float) if counts else rng.normal(size=(n, 5)) + 0.5
    X[: n // 2, 3] = np.nan
    X[rng.random((n, 5)) < 0.1] = np.nan
    signal = np.nan_to_num(X[:, 0]) - np.nan_to_num(X[:, 1]) + 0.5 * np.nan_to_num(X[:, 3])
    cut = 4.0 if counts else 1.0
    y = np.where(signal > cut, "a", np.where(signal < -0.5, "b", "c")).astype(object)
    y[:500][y[:500] == "a"] = "c"
    return X, y


def river_probabilities(model, X, y, classes):
    """Test-then-train with River, one dict per event (NaN = key left out)."""
    out = np.zeros((len(X), len(classes)))
    for i, row in enumerate(X):
        x = {f"x{j}": float(v) for j, v in enumerate(row) if v == v}
        for label, p in model.predict_proba_one(x).items():
            out[i, classes.index(label)] = p
        model.learn_one(x, y[i])
    return out


def ours_probabilities(model, X, y, batch_size):
    parts = []
    for start in range(0, len(X), batch_size):
        batch = Batch.from_array(X[start:start + batch_size], y=y[start:start + batch_size])
        parts.append(model.process_many(batch, batch, np.ones(len(batch), dtype=bool)))
    width = max(p.shape[1] for p in parts)
    return np.concatenate([np.pad(p, ((0, 0), (0, width - p.shape[1]))) for p in parts])


CASES = [
    (GaussianNB(), river_nb.GaussianNB(), False),
    (MultinomialNB(), river_nb.MultinomialNB(), True),
    (MultinomialNB(alpha=0.3), river_nb.MultinomialNB(alpha=0.3), True),
    (BernoulliNB(), river_nb.BernoulliNB(), False),
    (BernoulliNB(alpha=0.5, true_threshold=0.7), river_nb.BernoulliNB(alpha=0.5,
                                                                       true_threshold=0.7), False),
]


@pytest.mark.parametrize(("ours", "theirs", "counts"), CASES,
                         ids=["gaussian", "multinomial", "multinomial-alpha", "bernoulli",
                              "bernoulli-threshold"])
@pytest.mark.parametrize("batch_size", [1, 37, 3000])
def test_same_probabilities_as_river(ours, theirs, counts, batch_size):
    ours, theirs = ours.clone(), theirs.clone()
    X, y = hard_stream(1, counts=counts)
    got = ours_probabilities(ours, X, y, batch_size)
    expected = river_probabilities(theirs, X, y, ours.classes_)
    assert ours.classes_ == ["c", "b", "a"]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    # a class has probability 0 until its first event is learnt
    first_a = int(np.flatnonzero(y == "a")[0])
    assert first_a >= 500 and (got[: first_a + 1, 2] == 0).all() and got[first_a + 1, 2] > 0


@pytest.mark.parametrize(("data", "accuracy"), [
    (SEA(seed=42, drift_every=2500).take(10_000), 0.8435),
    (RandomRBF(seed=1, n_classes=5, n_features=10).take(10_000), 0.6401),
])
def test_gaussian_accuracy_equals_river(data, accuracy):
    river_model, river_accuracy = river_nb.GaussianNB(), 0
    for x, y in data:
        river_accuracy += river_model.predict_one(x) == y
        river_model.learn_one(x, y)
    report = prequential(data, GaussianNB(), [metrics.Accuracy()], batch_size=500)
    assert river_accuracy / len(data) == pytest.approx(accuracy, abs=5e-5)
    assert report.metrics["Accuracy"] == river_accuracy / len(data)


def test_one_and_many_faces_agree_and_prediction_keeps_state():
    X, y = hard_stream(2)
    model = GaussianNB()
    model.learn_many(X[:2000], y[:2000])
    before = model.snapshot()
    rows = [{f"x{j}": float(v) for j, v in enumerate(row) if v == v} for row in X[2000:2050]]
    many = model.predict_proba_many(X[2000:2050])
    for i, x in enumerate(rows):
        one = model.predict_proba_one(x)
        assert list(one) == ["c", "b", "a"]
        np.testing.assert_allclose(list(one.values()), many[i], rtol=0, atol=1e-12)
    from streamlearn.core.base import states_equal

    assert states_equal(before, model.snapshot())
    assert model.predict_many(X[2000:2005]).tolist() == [model.predict_one(x) for x in rows[:5]]


def test_gaussian_statistics():
    model = GaussianNB()
    model.learn_many(np.array([[1.0, np.nan], [3.0, 2.0], [10.0, 4.0]]), ["u", "u", "v"])
    assert model.means() == {"u": {"x0": 2.0, "x1": 2.0}, "v": {"x0": 10.0, "x1": 4.0}}
    assert model.variances() == {"u": {"x0": 1.0, "x1": 0.0}, "v": {"x0": 0.0, "x1": 0.0}}
    assert model.class_counts_.tolist() == [2.0, 1.0]


def test_untrained_models_know_no_class():
    for model in (GaussianNB(), MultinomialNB(), BernoulliNB()):
        assert model.predict_proba_many(np.ones((3, 2))).shape == (3, 0)
        assert model.predict_one({"x": 1.0}) is None
        assert model.predict_proba_one({"x": 1.0}) == {}
        assert not model.is_fitted


def test_multinomial_treats_negative_values_as_zero():
    model, clipped = MultinomialNB(), MultinomialNB()
    X = np.array([[3.0, -2.0], [0.0, 4.0], [1.0, -1.0]])
    model.learn_many(X, ["a", "b", "a"])
    clipped.learn_many(np.maximum(X, 0.0), ["a", "b", "a"])
    probe = np.array([[2.0, -5.0], [0.0, 1.0]])
    np.testing.assert_array_equal(model.predict_proba_many(probe),
                                  clipped.predict_proba_many(np.maximum(probe, 0.0)))
    assert model.feature_counts_.tolist() == [[4.0, 0.0], [0.0, 4.0]]


def test_errors_say_what_to_do():
    with pytest.raises(ParameterError, match="'alpha' parameter of MultinomialNB must be > 0"):
        MultinomialNB(alpha=0).learn_one({"x": 1.0}, "a")
    with pytest.raises(ParameterError, match="'alpha' parameter of BernoulliNB must be >= 0"):
        BernoulliNB(alpha=-1.0).learn_one({"x": 1.0}, "a")
    with pytest.raises(SchemaError, match="OneHotEncoder"):
        GaussianNB().learn_one({"colour": "red"}, "a")
    with pytest.raises(SchemaError, match="needs labels"):
        GaussianNB().learn_many(np.ones((2, 2)), None)
    hashed = Batch.from_array(np.ones((1, 1)), y=["a"])
    hashed = hashed.with_features(hashed.X, hashed.columns, sparse=SparseBlock(
        np.array([0, 1]), np.array([3]), np.array([1.0]), 8))
    with pytest.raises(SchemaError, match="hashed"):
        BernoulliNB().learn_many(hashed, ["a"])
