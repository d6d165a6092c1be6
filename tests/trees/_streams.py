"""Streams and helpers shared by the tree tests."""

from __future__ import annotations

import numpy as np

from streamlearn.core.base import states_equal
from streamlearn.core.batch import Batch
from streamlearn.core.learners import all_rows


def flipping_stream(n: int = 1500, seed: int = 0) -> Batch:
    """Three uniform features on [0, 10]; the label is ``x0 + x1 > 10`` for the first third,
    its opposite for the second, and ``x1 > 5`` for the last: two abrupt drifts that every
    error monitor sees."""
    rng = np.random.default_rng(seed)
    X = 10.0 * rng.random((n, 3))
    y = X[:, 0] + X[:, 1] > 10.0
    third = n // 3
    y[third: 2 * third] = ~y[third: 2 * third]
    y[2 * third:] = X[2 * third:, 1] > 5.0
    return Batch.from_array(X, columns=("x0", "x1", "x2"), y=y)


def shifting_regression(n: int = 1200, seed: int = 0) -> Batch:
    """Friedman-like targets that change sign half-way."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, 5))
    y = 10.0 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20.0 * (X[:, 2] - 0.5) ** 2 + 10.0 * X[:, 3]
    y[n // 2:] = 30.0 - y[n // 2:]
    return Batch.from_array(X, y=y + rng.normal(size=n))


def prequential(model, batch: Batch, size: int) -> np.ndarray:
    """Test-then-train over ``batch`` in batches of ``size``; the answers, stacked."""
    outputs = []
    for start in range(0, len(batch), size):
        part = batch.take(slice(start, start + size))
        outputs.append(model.process_many(part, part, all_rows(len(part))))
    if outputs[0].ndim == 2:
        width = max(o.shape[1] for o in outputs)
        outputs = [np.pad(o, ((0, 0), (0, width - o.shape[1]))) for o in outputs]
    return np.concatenate(outputs)


def assert_batch_size_invariant(estimator, batch: Batch, sizes=(1, 7, 1000)):
    """Same answers and same final state for every batch size; returns the last model."""
    results = []
    for size in sizes:
        model = estimator.clone()
        results.append((prequential(model, batch, size), model.snapshot(), model))
    reference, state, model = results[-1]
    for size, (answers, other, _) in zip(sizes, results):
        assert np.array_equal(answers, reference), f"answers differ with batches of {size}"
        assert states_equal(other, state), f"state differs with batches of {size}"
    return model


def accuracy(model, X: np.ndarray, y: np.ndarray, batch_size: int = 1000) -> float:
    """Prequential accuracy of ``model`` over (X, y)."""
    batch = Batch.from_array(X, y=y)
    proba = prequential(model, batch, batch_size)
    predicted = model.labels_from_proba(proba)
    return float((predicted == y).mean())
