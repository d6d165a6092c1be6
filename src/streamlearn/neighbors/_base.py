"""Shared machinery of the nearest-neighbour models: the window, its features, the inputs.

The window is an array of shape ``(n_features, window_size)``, one row per feature the
model has learnt (in the order they first appeared), so a feature that appears mid-stream
adds a row of zeros: the events already in the window lack it, which counts as 0.
"""

from __future__ import annotations

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.features import FeatureStateMixin
from streamlearn.core.learners import require_dense
from streamlearn.core.params import check_number
from streamlearn.neighbors import _kernels as kernels


class SlidingWindowNeighbors(FeatureStateMixin):
    """Base of the KNN models; subclasses read the targets and shape the answers."""

    _feature_arrays = {"window_": 0.0}
    window_size: int
    n_neighbors: int
    p: float
    weighted: bool

    def _validate(self) -> None:
        check_number(self, "window_size", self.window_size, low=1, integer=True)
        check_number(self, "n_neighbors", self.n_neighbors, low=1, integer=True)
        check_number(self, "p", self.p, low=0, low_inclusive=False)

    def _start(self) -> None:
        self._validate()
        self.feature_names_: list[str] = []
        self.window_ = np.zeros((0, self.window_size))
        self.targets_ = np.zeros(self.window_size)
        self.ring_ = np.zeros(2, dtype=np.int64)  # events held, next slot

    def _neighbors(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray,
                   targets: np.ndarray, n_classes: int, out: np.ndarray) -> None:
        """Run the kernel over the batch, answering into ``out``."""
        require_dense(self, X_pred, X_learn)
        columns, X_p, X_l = _inputs(X_pred, X_learn)
        rows, arrays = self.align(columns, X_l, learn)
        window = arrays["window_"]
        column_of_row = np.full(window.shape[0], -1, dtype=np.int64)
        column_of_row[rows] = np.arange(len(columns))
        k = min(int(self.n_neighbors), int(self.window_size))
        kernels.knn(X_p, X_l, np.ascontiguousarray(learn, dtype=np.bool_), targets,
                    column_of_row, window, self.targets_, self.ring_, k, float(self.p),
                    bool(self.weighted), n_classes, out)
        if learn.any():
            self.keep_feature_arrays(arrays)

    @property
    def n_stored(self) -> int:
        """How many events the window holds."""
        ring = getattr(self, "ring_", None)
        return 0 if ring is None else int(ring[0])


def _inputs(X_pred: Batch, X_learn: Batch) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Columns and both matrices over the same columns (the union, when they differ)."""
    if X_pred.columns == X_learn.columns:
        return X_learn.columns, X_pred.X, X_learn.X
    columns = tuple(dict.fromkeys(X_learn.columns + X_pred.columns))
    return columns, _reindex(X_pred, columns), _reindex(X_learn, columns)


def _reindex(batch: Batch, columns: tuple[str, ...]) -> np.ndarray:
    out = np.full((len(batch), len(columns)), np.nan)
    position = {name: j for j, name in enumerate(columns)}
    out[:, [position[c] for c in batch.columns]] = batch.X
    return out
