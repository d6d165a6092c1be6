"""LinearRegression: equal to River's on a seeded stream."""

from __future__ import annotations

import numpy as np
import pytest
from river import linear_model, optim

from streamlearn.core.batch import Batch
from streamlearn.core.errors import SchemaError
from streamlearn.linear import FTRL, Adam, LinearRegression

from ._streams import dense_stream, river_replay


def prequential_values(model, X, y):
    batch = Batch.from_array(X, y=y)
    return model.process_many(batch, batch, np.ones(len(X), dtype=bool))


@pytest.mark.parametrize(("ours", "theirs"), [
    (dict(), dict()),
    (dict(learning_rate=0.02, intercept_lr=0.05),
     dict(optimizer=optim.SGD(0.02), intercept_lr=0.05)),
    (dict(l2=0.05), dict(l2=0.05)),
    (dict(l1=0.01), dict(l1=0.01)),
    (dict(clip_gradient=0.5), dict(clip_gradient=0.5)),
    (dict(optimizer=Adam(0.02)), dict(optimizer=optim.Adam(0.02))),
], ids=["default", "rates", "l2", "l1", "clip", "adam"])
def test_equals_river(ours, theirs):
    X, y = dense_stream(n=4000, seed=11)
    expected = river_replay(linear_model.LinearRegression(**theirs), X, y.tolist(),
                            lambda m, x: m.predict_one(x))
    got = prequential_values(LinearRegression(**ours), X, y)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("optimizer", [None, Adam(0.05), FTRL(alpha=0.5, l2=0.0)])
def test_learns_a_linear_target(optimizer):
    rng = np.random.default_rng(12)
    X = rng.normal(size=(5000, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + 1.5 + 0.1 * rng.normal(size=5000)
    pred = prequential_values(LinearRegression(optimizer=optimizer, intercept_lr=0.05), X, y)
    mae = np.mean(np.abs(pred[-1000:] - y[-1000:]))
    assert mae < 0.2


def test_l1_zeroes_irrelevant_features():
    rng = np.random.default_rng(13)
    X = rng.normal(size=(3000, 6))
    y = 2.0 * X[:, 0] - X[:, 1]
    model = LinearRegression(l1=0.01)
    model.learn_many(X, y)
    assert sum(model.weights[f"x{j}"] != 0.0 for j in range(2, 6)) <= 1
    assert abs(model.weights["x0"] - 2.0) < 0.1


def test_targets_must_be_finite_numbers():
    model = LinearRegression()
    with pytest.raises(SchemaError, match="numeric targets"):
        model.learn_many(np.ones((2, 1)), np.array(["a", "b"], dtype=object))
    with pytest.raises(SchemaError, match="event 1 is not a finite number"):
        model.learn_many(np.ones((2, 1)), np.array([1.0, np.inf]))
    assert not model.weights or np.isfinite(model.weights_).all()
