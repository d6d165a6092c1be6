"""Seeded streams shared by the neural tests."""

from __future__ import annotations

import numpy as np

from streamlearn.core.batch import Batch


def prequential(model, batch: Batch, batch_size: int = 64) -> np.ndarray:
    """Answers of a test-then-train pass in micro-batches of ``batch_size``."""
    answers = []
    for start in range(0, len(batch), batch_size):
        part = batch.take(slice(start, start + batch_size))
        answers.append(model.process_many(part, part, np.ones(len(part), dtype=bool)))
    width = max((a.shape[1] for a in answers if a.ndim == 2), default=0)
    if width:
        answers = [np.pad(a, ((0, 0), (0, width - a.shape[1]))) for a in answers]
    return np.concatenate(answers)


def blobs(n: int, classes: list[str], seed: int = 0, d: int = 4) -> Batch:
    """Gaussian blobs, one per class, centres 4 apart on the axes."""
    rng = np.random.default_rng(seed)
    labels = np.array(classes, dtype=object)[rng.integers(0, len(classes), size=n)]
    centres = {c: 4.0 * np.eye(d)[k % d] * (1 if k < d else -1) for k, c in enumerate(classes)}
    X = np.stack([centres[c] for c in labels]) + rng.normal(size=(n, d))
    return Batch(X=X, columns=tuple(f"x{j}" for j in range(d)), y=labels)
