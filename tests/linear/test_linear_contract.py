"""The stream contract (DESIGN.md §3) on every linear model and optimizer variant."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.core.base import states_equal
from streamlearn.core.batch import Batch
from streamlearn.linear import (
    FTRL,
    SGD,
    Adam,
    LinearRegression,
    LinearSVM,
    LogisticRegression,
    PAClassifier,
    PARegressor,
    SoftmaxRegression,
)

from ._streams import as_dicts, dense_stream, prequential, same_state, to_sparse

MODELS = {
    "logistic": lambda: LogisticRegression(),
    "logistic-adam-l1-l2": lambda: LogisticRegression(optimizer=Adam(0.05), l1=1e-3, l2=1e-3),
    "logistic-ftrl": lambda: LogisticRegression(optimizer=FTRL(alpha=0.3, l1=0.5)),
    "linear": lambda: LinearRegression(),
    "linear-adam": lambda: LinearRegression(optimizer=Adam(0.01), l1=1e-3),
    "linear-ftrl": lambda: LinearRegression(optimizer=FTRL()),
    "svm": lambda: LinearSVM(l1=1e-4),
    "svm-sgd": lambda: LinearSVM(optimizer=SGD(0.05)),
    "pa-classifier": lambda: PAClassifier(mode=0),
    "pa-classifier-II": lambda: PAClassifier(C=0.1, mode=2),
    "pa-regressor": lambda: PARegressor(mode=1),
    "softmax": lambda: SoftmaxRegression(intercept_lr=0.01, l2=1e-3),
    "softmax-adam-l1": lambda: SoftmaxRegression(optimizer=Adam(0.01), l1=1e-4),
    "softmax-ftrl": lambda: SoftmaxRegression(optimizer=FTRL()),
}


def labels_for(model, score: np.ndarray) -> np.ndarray:
    if model.tags["regressor"]:
        return score
    if isinstance(model, SoftmaxRegression):  # classes that appear mid-stream
        names = np.array(["low", "mid", "high", "top"], dtype=object)
        codes = np.digitize(score, [-1.0, 0.5, 2.0])
        codes[:200] = np.minimum(codes[:200], 1)
        return names[codes]
    return score > 0


def stream(model, hashed: bool = False, n: int = 1500) -> Batch:
    X, score = dense_stream(n=n)
    batch = Batch.from_array(X[:, :3], y=labels_for(model, score))
    if hashed:  # the last two features come hashed, alongside three dense ones
        return Batch(X=batch.X, columns=batch.columns, y=batch.y, sparse=to_sparse(X[:, 3:]))
    return Batch.from_array(X, y=labels_for(model, score))


@pytest.fixture(params=sorted(MODELS))
def make(request):
    return MODELS[request.param]


@pytest.mark.parametrize("hashed", [False, True])
def test_batch_size_invariance(make, hashed):
    reference = make()
    expected = prequential(reference, stream(reference, hashed), 1)
    for size in (7, 1000):
        model = make()
        got = prequential(model, stream(model, hashed), size)
        assert np.array_equal(got, expected)
        assert same_state(model, reference)
    assert np.isfinite(expected).all()


def test_one_and_many_agree(make):
    model_one, model_many = make(), make()
    batch = stream(model_one, n=300)
    for x, label in zip(as_dicts(batch.X), batch.y):
        model_one.learn_one(x, label.item() if isinstance(label, np.generic) else label)
    model_many.learn_many(batch.X, batch.y)
    assert same_state(model_one, model_many)
    probe = stream(model_one, n=50)
    if model_one.tags["classifier"]:
        many = model_many.predict_proba_many(probe)
        one = np.array([list(model_one.predict_proba_one(x).values())
                        for x in as_dicts(probe.X)])
        assert list(model_many.predict_many(probe)) == [model_one.predict_one(x)
                                                        for x in as_dicts(probe.X)]
    else:
        many = model_many.predict_many(probe)
        one = np.array([model_one.predict_one(x) for x in as_dicts(probe.X)])
    np.testing.assert_allclose(one, many, rtol=0, atol=1e-9)


def test_prediction_never_changes_state(make):
    model = make()
    fresh = model.snapshot()
    unseen = Batch(X=np.array([[1.0, 2.0, 3.0]]), columns=("x0", "new", "other"),
                   sparse=to_sparse(np.array([[0.5, np.nan, 2.0]])))
    model.predict_many(unseen)  # before any learning
    assert states_equal(model.snapshot(), fresh)
    assert not model.is_fitted
    batch = stream(model, n=400)
    model.learn_many(batch, batch.y)
    before = model.snapshot()
    model.predict_many(unseen)  # unseen features, a hashed block never learnt
    model.predict_many(stream(model, hashed=True, n=50))
    if model.tags["classifier"]:
        model.predict_proba_one({"x0": 1.0, "unseen": 4.0})
    assert states_equal(model.snapshot(), before)


def test_snapshot_restore_and_clone(make):
    model = make()
    batch = stream(model, hashed=True, n=600)
    model.learn_many(batch, batch.y)
    clone = model.clone()
    assert not clone.is_fitted
    assert clone.get_params().keys() == model.get_params().keys()
    assert repr(clone) == repr(model)
    clone.restore(model.snapshot())
    rest = stream(model, hashed=True, n=1200).take(slice(600, None))
    assert np.array_equal(prequential(clone, rest, 13), prequential(model, rest, 100))
    assert same_state(clone, model)


def test_non_finite_inputs_never_reach_the_weights(make):
    model = make()
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 4))
    X[rng.random(X.shape) < 0.3] = np.nan
    X[rng.random(X.shape) < 0.2] = np.inf
    X[rng.random(X.shape) < 0.1] = -np.inf
    hashed = X.copy()
    hashed[np.isinf(hashed) & (rng.random(X.shape) < 0.5)] = np.nan
    labels = labels_for(model, rng.normal(size=500))
    batch = Batch(X=X, columns=("a", "b", "c", "d"), y=labels, sparse=to_sparse(hashed))
    out = prequential(model, batch, 50)
    assert np.isfinite(out).all()
    for name, value in model.snapshot()["state"].items():
        if isinstance(value, np.ndarray):
            assert np.isfinite(value).all(), name
