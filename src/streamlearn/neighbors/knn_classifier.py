"""K-nearest neighbours classification over a sliding window."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.classes import ClassesMixin
from streamlearn.core.errors import SchemaError
from streamlearn.core.learners import Classifier
from streamlearn.neighbors._base import SlidingWindowNeighbors


class KNNClassifier(ClassesMixin, SlidingWindowNeighbors, Classifier):
    """K-nearest neighbours (Cover & Hart 1967, "Nearest neighbor pattern classification",
    IEEE Transactions on Information Theory) over the last ``window_size`` learnt events.

    An event is answered by its ``n_neighbors`` nearest events in the window, by the
    Minkowski distance of order ``p`` (2: Euclidean, 1: Manhattan): each votes for its class,
    with weight ``1 / distance`` when ``weighted``; the probabilities are the shares of the
    votes. An event at distance 0 answers alone. Features absent from an event (NaN, or
    never sent) count as 0, as River reads a key missing from a dict; among equal distances
    the older event is nearer. Every class ever learnt keeps a column, with probability 0
    when no neighbour has it. This is River's ``neighbors.KNNClassifier`` with the exact
    ``LazySearch(window_size)`` engine (River's default engine, SWINN, is approximate);
    distances are computed for the whole window at once in a compiled loop.

    >>> model = KNNClassifier(n_neighbors=3, window_size=100)
    >>> for x, y in [({"x": 0.0}, "low"), ({"x": 0.2}, "low"), ({"x": 0.9}, "high"),
    ...              ({"x": 1.1}, "high"), ({"x": 1.0}, "high")]:
    ...     _ = model.learn_one(x, y)
    >>> model.predict_one({"x": 0.3}), model.predict_one({"x": 0.8})
    ('low', 'high')
    >>> {c: round(p, 3) for c, p in model.predict_proba_one({"x": 0.5}).items()}
    {'low': 0.681, 'high': 0.319}
    """

    def __init__(self, n_neighbors: int = 5, window_size: int = 1000, p: float = 2.0,
                 weighted: bool = True):
        self.n_neighbors = n_neighbors
        self.window_size = window_size
        self.p = p
        self.weighted = weighted

    @classmethod
    def _check_instances(cls) -> list[KNNClassifier]:
        return [cls(), cls(n_neighbors=4, window_size=50, p=1.0, weighted=False),
                cls(n_neighbors=1, window_size=7, p=3.0)]

    def _start(self) -> None:
        super()._start()
        self._init_classes()

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        if not hasattr(self, "ring_"):
            if not learn.any():  # nothing learnt: no class to answer with
                self._validate()
                return np.zeros((len(learn), 0))
            self._start()
        if learn.any() and X_learn.y is None:
            raise SchemaError(f"{type(self).__name__} needs labels to learn; none were given")
        codes = self.encode_labels(X_learn.y, learn).astype(np.float64)
        out = np.zeros((len(learn), len(self.classes_)))
        self._neighbors(X_pred, X_learn, learn, codes, len(self.classes_), out)
        return out

    def labels_from_proba(self, proba: np.ndarray) -> np.ndarray:
        """The most probable class of each row; None for a row answered before any event
        was learnt, as River answers."""
        labels = super().labels_from_proba(proba)
        unknown = proba.sum(axis=1) == 0 if proba.shape[1] else None
        if unknown is not None and unknown.any():
            labels = labels.astype(object)
            labels[unknown] = None
        return labels

    @property
    def window(self) -> list[tuple[dict[str, float], Any]]:
        """The events in the window, oldest first, as (features, label) pairs."""
        return [(x, self.classes_[int(y)]) for x, y in self._stored()]

    def _stored(self) -> list[tuple[dict[str, float], float]]:
        count, next_slot = (int(v) for v in getattr(self, "ring_", (0, 0)))
        oldest = next_slot % self.window_size if count == self.window_size else 0
        slots = [(oldest + step) % self.window_size for step in range(count)]
        return [({name: float(self.window_[f, t]) for f, name in enumerate(self.feature_names_)},
                 float(self.targets_[t])) for t in slots]
