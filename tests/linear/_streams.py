"""Seeded streams and River replays shared by the linear-model tests."""

from __future__ import annotations

import numpy as np

from streamlearn.core.base import states_equal
from streamlearn.core.batch import Batch, SparseBlock


def dense_stream(n: int = 3000, d: int = 5, seed: int = 0, missing: float = 0.2,
                 late_feature: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Features with ~20% missing values (NaN) and, optionally, a last feature that only
    appears after the first third of the stream; a noisy linear score as target."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    X[rng.random((n, d)) < missing] = np.nan
    if late_feature:
        X[: n // 3, -1] = np.nan
    score = np.nan_to_num(X) @ rng.normal(size=d) + 0.5 * rng.normal(size=n)
    return X, score


def as_dicts(X: np.ndarray) -> list[dict[str, float]]:
    return [{f"x{j}": float(v) for j, v in enumerate(row) if v == v} for row in X]


def to_sparse(X: np.ndarray) -> SparseBlock:
    """The finite values of ``X`` as a CSR block of width ``X.shape[1]``."""
    present = ~np.isnan(X)
    indptr = np.zeros(len(X) + 1, dtype=np.int64)
    np.cumsum(present.sum(axis=1), out=indptr[1:])
    indices = np.nonzero(present)[1].astype(np.int64)
    return SparseBlock(indptr, indices, X[present], X.shape[1])


def sparse_batch(X: np.ndarray, y=None) -> Batch:
    return Batch(X=np.empty((len(X), 0)), columns=(), sparse=to_sparse(X),
                 y=None if y is None else np.asarray(y))


def prequential(model, batch: Batch, size: int) -> np.ndarray:
    """Test-then-train over ``batch`` in chunks of ``size``; class columns padded with 0
    to the final number of classes."""
    parts = []
    for start in range(0, len(batch), size):
        part = batch.take(slice(start, start + size))
        parts.append(model.process_many(part, part, np.ones(len(part), dtype=bool)))
    if parts[0].ndim == 1:
        return np.concatenate(parts)
    width = max(p.shape[1] for p in parts)
    return np.concatenate([np.pad(p, ((0, 0), (0, width - p.shape[1]))) for p in parts])


def river_replay(model, X: np.ndarray, y, answer) -> np.ndarray:
    """Test-then-train a River model event by event; ``answer(model, x)`` is its output."""
    out = []
    for x, label in zip(as_dicts(X), y):
        out.append(answer(model, x))
        model.learn_one(x, label)
    return np.array(out)


def same_state(a, b) -> bool:
    return states_equal(a.snapshot(), b.snapshot())
