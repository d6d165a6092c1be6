"""K-nearest neighbours regression over a sliding window."""

from __future__ import annotations

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.learners import Regressor, numeric_labels
from streamlearn.neighbors._base import SlidingWindowNeighbors


class KNNRegressor(SlidingWindowNeighbors, Regressor):
    """K-nearest neighbours regression (the mean of the neighbours' targets; see Cover &
    Hart 1967) over the last ``window_size`` learnt events.

    An event is answered with the mean target of its ``n_neighbors`` nearest events in the
    window, by the Minkowski distance of order ``p``, weighted by ``1 / distance`` when
    ``weighted``; an event at distance 0 answers alone with its target, and an empty window
    answers 0. Features absent from an event (NaN, or never sent) count as 0; among equal
    distances the older event is nearer. This is River's ``neighbors.KNNRegressor`` with the
    exact ``LazySearch(window_size)`` engine (``aggregation_method="mean"``, or
    ``"weighted_mean"`` for ``weighted=True``).

    >>> model = KNNRegressor(n_neighbors=2, window_size=100)
    >>> for x, y in [({"x": 0.0}, 0.0), ({"x": 1.0}, 10.0), ({"x": 2.0}, 20.0)]:
    ...     _ = model.learn_one(x, y)
    >>> model.predict_one({"x": 0.4}), model.predict_one({"x": 2.0})
    (5.0, 20.0)
    >>> KNNRegressor(n_neighbors=2, weighted=True).learn_many(
    ...     [[0.0], [1.0], [2.0]], [0.0, 10.0, 20.0]).predict_one({"x0": 0.4})
    4.0
    """

    def __init__(self, n_neighbors: int = 5, window_size: int = 1000, p: float = 2.0,
                 weighted: bool = False):
        self.n_neighbors = n_neighbors
        self.window_size = window_size
        self.p = p
        self.weighted = weighted

    @classmethod
    def _check_instances(cls) -> list[KNNRegressor]:
        return [cls(), cls(n_neighbors=3, window_size=40, p=1.0, weighted=True)]

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        if not hasattr(self, "ring_"):
            if not learn.any():  # an empty window answers 0
                self._validate()
                return np.zeros(len(learn))
            self._start()
        targets = numeric_labels(self, X_learn.y, learn)
        out = np.zeros((len(learn), 1))
        self._neighbors(X_pred, X_learn, learn, targets, 0, out)
        return out[:, 0]
