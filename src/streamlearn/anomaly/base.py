"""`AnomalyDetector`: the anomaly face (``score_one`` / ``score_many``, learning without
labels) over the one primitive, ``process_many``, which answers a score per event."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.batch import Batch, as_batch
from streamlearn.core.learners import Model, all_rows


class AnomalyDetector(Model):
    """Base of the detectors: ``process_many`` answers one anomaly score per row (higher is
    more unusual), computed with the state left by the rows before it; learnt rows then
    update the model. No label is needed: ``learn_one(x)`` and ``learn_many(X)`` ignore
    ``y``. ``predict_one`` / ``predict_many`` are the scores too, so a detector ends a
    pipeline like any model.
    """

    _tags = {"anomaly": True}

    def learn_one(self, x: dict, y: Any = None) -> AnomalyDetector:
        batch = as_batch(x)
        self.process_many(batch, batch, all_rows(1))
        return self

    def learn_many(self, X: Any, y: Any = None) -> AnomalyDetector:
        batch = as_batch(X)
        self.process_many(batch, batch, all_rows(len(batch)))
        return self

    def score_one(self, x: dict) -> float:
        """The anomaly score of one event; learns nothing."""
        return float(self._answer(x)[0])

    def score_many(self, X: Any) -> np.ndarray:
        """The anomaly score of each event, all with the current state; learns nothing."""
        return self._answer(X)

    def predict_one(self, x: dict) -> float:
        return self.score_one(x)

    def predict_many(self, X: Any) -> np.ndarray:
        return self.score_many(X)

    # ------------------------------------------------------------------ for subclasses
    def _build(self, feature_names: list[str]) -> None:
        """Create the model over these features (detectors that fix their inputs at the
        first event they learn)."""
        raise NotImplementedError

    def _build_at_first_row(self, batch: Batch, learn: np.ndarray) -> int:
        """Build the model over the finite features of the first learnt row that has one;
        that row's index (-1 if there is none, and nothing is built)."""
        finite = np.isfinite(batch.X)
        candidates = np.flatnonzero(learn & finite.any(axis=1))
        if len(candidates) == 0:
            return -1
        row = int(candidates[0])
        self._build(sorted(c for c, ok in zip(batch.columns, finite[row]) if ok))
        return row


def column_positions(batch: Batch, names: list[str]) -> np.ndarray:
    """The column of ``batch`` holding each of ``names`` (-1 where the batch lacks it)."""
    position = {name: j for j, name in enumerate(batch.columns)}
    return np.array([position.get(name, -1) for name in names], dtype=np.int64)
