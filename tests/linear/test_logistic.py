"""LogisticRegression: equal to River's on a seeded stream, with each optimizer."""

from __future__ import annotations

import math

import numpy as np
import pytest
from river import linear_model, optim

from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError
from streamlearn.linear import FTRL, SGD, Adam, LogisticRegression

from ._streams import dense_stream, river_replay


def p_true(model, x):
    return model.predict_proba_one(x)[True]


def prequential_proba(model, X, y):
    batch = Batch.from_array(X, y=y)
    return model.process_many(batch, batch, np.ones(len(X), dtype=bool))[:, 1]


@pytest.mark.parametrize(("ours", "theirs"), [
    (dict(), dict()),
    (dict(learning_rate=0.05, intercept_lr=0.1),
     dict(optimizer=optim.SGD(0.05), intercept_lr=0.1)),
    (dict(l2=0.01), dict(l2=0.01)),
    (dict(l1=0.005, learning_rate=0.05), dict(l1=0.005, optimizer=optim.SGD(0.05))),
    (dict(clip_gradient=0.1), dict(clip_gradient=0.1)),
    (dict(optimizer=Adam(0.05)), dict(optimizer=optim.Adam(0.05))),
    (dict(optimizer=Adam(0.01, beta1=0.8, beta2=0.99), l2=0.01),
     dict(optimizer=optim.Adam(0.01, beta_1=0.8, beta_2=0.99), l2=0.01)),
    (dict(optimizer=Adam(0.05), l1=0.001), dict(optimizer=optim.Adam(0.05), l1=0.001)),
], ids=["default", "rates", "l2", "l1", "clip", "adam", "adam-l2", "adam-l1"])
def test_equals_river(ours, theirs):
    X, score = dense_stream(n=4000, seed=1)
    y = score > 0
    expected = river_replay(linear_model.LogisticRegression(**theirs), X, y.tolist(), p_true)
    got = prequential_proba(LogisticRegression(**ours), X, y)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def ftrl_reference(X, y, alpha, beta, l1, l2, intercept_lr):
    """Algorithm 1 of McMahan et al. (2013), written plainly, intercept by SGD."""
    z, n, intercept, out = {}, {}, 0.0, []

    def weight(j):
        zj = z.get(j, 0.0)
        if abs(zj) <= l1:
            return 0.0
        return -(zj - math.copysign(l1, zj)) / ((beta + math.sqrt(n.get(j, 0.0))) / alpha + l2)

    for row, target in zip(X, y):
        present = [(j, v) for j, v in enumerate(row) if v == v]
        raw = intercept + sum(weight(j) * v for j, v in present)
        p = 1.0 / (1.0 + math.exp(-raw))
        out.append(p)
        g = p - target
        intercept -= intercept_lr * g
        for j, v in present:
            gj, nj = g * v, n.get(j, 0.0)
            sigma = (math.sqrt(nj + gj * gj) - math.sqrt(nj)) / alpha
            z[j] = z.get(j, 0.0) + gj - sigma * weight(j)
            n[j] = nj + gj * gj
    return np.array(out)


@pytest.mark.parametrize("l1", [0.0, 1.0])
def test_ftrl_equals_the_paper(l1):
    # River's FTRLProximal sets each weight from z and n *before* the step and predicts with
    # the previous event's value, so it lags the paper by one update; we follow the paper.
    X, score = dense_stream(n=2000, seed=2)
    y = score > 0
    expected = ftrl_reference(X, y.astype(float), 0.1, 1.0, l1, 0.5, 0.01)
    got = prequential_proba(LogisticRegression(optimizer=FTRL(0.1, 1.0, l1, 0.5)), X, y)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def separable_stream(n=5000, d=10, seed=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, X @ rng.normal(size=d) > 0


@pytest.mark.parametrize(("optimizer", "minimum"), [
    (SGD(0.05), 0.97), (Adam(0.01), 0.97), (FTRL(alpha=0.5), 0.97)])
def test_accuracy_on_a_separable_stream(optimizer, minimum):
    X, y = separable_stream()
    proba = prequential_proba(LogisticRegression(optimizer=optimizer), X, y)
    accuracy = np.mean((proba > 0.5) == y)
    assert accuracy >= minimum
    assert np.mean((proba[-1000:] > 0.5) == y[-1000:]) >= 0.98


def test_ftrl_l1_gives_exact_zeros_on_noise_features():
    X, y = separable_stream(d=10)
    noise = np.random.default_rng(9).normal(size=(len(X), 5)) * 0.01
    model = LogisticRegression(optimizer=FTRL(alpha=0.5, l1=2.0))
    model.learn_many(np.hstack([X, noise]), y)
    weights = np.array([model.weights[f"x{j}"] for j in range(15)])
    assert np.count_nonzero(weights[10:]) == 0
    assert np.count_nonzero(weights[:10]) >= 8


def test_pos_label_and_class_names():
    model = LogisticRegression(learning_rate=0.5, pos_label="fraud")
    for _ in range(10):
        model.learn_one({"amount": 3.0}, "fraud").learn_one({"amount": -3.0}, "ok")
    assert model.known_classes == ["ok", "fraud"]
    assert model.predict_one({"amount": 2.0}) == "fraud"
    assert model.predict_one({"amount": -2.0}) == "ok"


def test_learning_rate_is_the_sgd_default():
    X, score = dense_stream(n=500, seed=5)
    a = LogisticRegression(learning_rate=0.03)
    b = LogisticRegression(learning_rate=123.0, optimizer=SGD(0.03))  # optimizer wins
    assert np.array_equal(prequential_proba(a, X, score > 0), prequential_proba(b, X, score > 0))


@pytest.mark.parametrize(("params", "message"), [
    (dict(learning_rate=0), "'learning_rate' parameter of LogisticRegression must be > 0"),
    (dict(l1=-1.0), "'l1' parameter of LogisticRegression must be >= 0"),
    (dict(optimizer="adam"), "'optimizer' parameter of LogisticRegression must be an SGD"),
    (dict(optimizer=Adam(beta1=1.0)), "'beta1' parameter of Adam must be < 1"),
    (dict(optimizer=FTRL(alpha=-1.0)), "'alpha' parameter of FTRL must be > 0"),
    (dict(optimizer=FTRL(), l1=0.1), "'l1' parameter of LogisticRegression must be 0 with"),
])
def test_parameter_errors(params, message):
    with pytest.raises(ParameterError, match=message):
        LogisticRegression(**params).learn_one({"x": 1.0}, True)
