"""A streaming isolation forest, grown anew on each tumbling window of learnt events."""

from __future__ import annotations

import math

import numpy as np

from streamlearn.anomaly import _iforest_kernels as kernels
from streamlearn.anomaly.base import AnomalyDetector, column_positions
from streamlearn.core.batch import Batch
from streamlearn.core.learners import require_dense
from streamlearn.core.params import check_number


class IsolationForestStream(AnomalyDetector):
    """Isolation forest (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008) over tumbling
    windows, as in iForestASD (Ding & Fei, "An anomaly detection approach based on isolation
    forest algorithm for streaming data using sliding window", IFAC 2013).

    ``n_trees`` isolation trees are grown on the last complete window of ``window_size``
    learnt events, each on ``subsample`` of its events drawn without replacement (all of
    them, up to 256, by default): a node splits a feature drawn uniformly among those its
    events do not all share, at a uniform point between their smallest and largest values,
    until one event is left or the depth reaches ``max_depth`` (``ceil(log2(subsample))``
    by default). An event's path length ``h(x)`` in a tree is the depth of the leaf it
    reaches plus ``c(n)`` for the ``n`` training events left there, ``c(n)`` being the
    average path length of an unsuccessful search in a binary search tree of ``n`` keys; its
    score is the paper's ``2 ** (-E[h(x)] / c(subsample))``, in [0, 1], higher being more
    anomalous (easier to isolate). The forest of the last complete window scores the events
    of the window being filled, and is replaced at the event completing it, whatever the
    batch size; scores are 0 until the first window is complete. (Ding & Fei also rebuild
    early when the anomaly rate of a window exceeds a threshold; here every window rebuilds,
    which is what that rule converges to on a drifting stream.)

    The features are those of the first learnt event that carries one; a feature appearing
    later is ignored. A feature an event lacks (absent, NaN or non-finite) sends it, at a
    node splitting on it, to the child that received more of the training values there (the
    right one on a tie); a window event lacking it follows the same rule while the tree
    grows. The trees are drawn by a splitmix64 generator kept in the state and seeded from
    ``seed`` (``None``: a different forest each run), so a snapshot continues exactly.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> model = IsolationForestStream(n_trees=50, window_size=256, seed=1)
    >>> _ = model.learn_many(rng.normal(size=(512, 2)))
    >>> usual, odd = {"x0": 0.1, "x1": -0.2}, {"x0": 4.0, "x1": -4.0}
    >>> round(model.score_one(usual), 2), round(model.score_one(odd), 2)
    (0.42, 0.76)
    """

    def __init__(self, n_trees: int = 100, window_size: int = 256, subsample: int | None = None,
                 max_depth: int | None = None, seed: int | None = 42):
        self.n_trees = n_trees
        self.window_size = window_size
        self.subsample = subsample
        self.max_depth = max_depth
        self.seed = seed

    @classmethod
    def _check_instances(cls) -> list[IsolationForestStream]:
        """Small forests for the conformance suite (windows complete within its stream)."""
        return [cls(n_trees=5, window_size=40, seed=1),
                cls(n_trees=3, window_size=64, subsample=16, max_depth=3, seed=2)]

    def _validate(self) -> None:
        check_number(self, "n_trees", self.n_trees, low=1, integer=True)
        check_number(self, "window_size", self.window_size, low=2, integer=True)
        if self.subsample is not None:
            check_number(self, "subsample", self.subsample, low=2, high=self.window_size,
                         integer=True)
        if self.max_depth is not None:
            check_number(self, "max_depth", self.max_depth, low=1, high=64, integer=True)
        if self.seed is not None:
            check_number(self, "seed", self.seed, low=0, integer=True)

    def _subsample(self) -> int:
        return self.subsample if self.subsample is not None else min(256, self.window_size)

    def _max_depth(self) -> int:
        if self.max_depth is not None:
            return self.max_depth
        return max(1, math.ceil(math.log2(self._subsample())))

    def _build(self, names: list[str]) -> None:
        """The empty state over ``names`` (the features of the first learnt event)."""
        n_nodes = min(2 * self._subsample() - 1, 2 ** (self._max_depth() + 1) - 1)
        shape = (self.n_trees, n_nodes)
        self.feature_names_ = list(names)
        self.window_values_ = np.zeros((self.window_size, len(names)))
        self.window_present_ = np.zeros((self.window_size, len(names)), dtype=np.bool_)
        self.window_ = np.zeros(2, dtype=np.int64)
        seed_bits = np.random.default_rng(self.seed).integers(0, 2 ** 63)
        self.rng_ = np.array([seed_bits], dtype=np.uint64)
        self.feature_ = np.full(shape, -1, dtype=np.int64)
        self.threshold_ = np.zeros(shape)
        self.left_ = np.zeros(shape, dtype=np.int64)
        self.right_ = np.zeros(shape, dtype=np.int64)
        self.missing_ = np.zeros(shape, dtype=np.int64)
        self.leaf_value_ = np.zeros(shape)

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        require_dense(self, X_pred, X_learn)
        out = np.zeros(len(learn))
        start = 0
        if not hasattr(self, "feature_"):
            self._validate()
            start = self._build_at_first_row(X_learn, learn)
            if start < 0:  # nothing learnt yet: every score is 0
                return out
        pred_columns = column_positions(X_pred, self.feature_names_)
        learn_columns = (pred_columns if X_learn is X_pred
                         else column_positions(X_learn, self.feature_names_))
        subsample = self._subsample()
        kernels.isolation_forest(
            X_pred.X, X_learn.X, np.ascontiguousarray(learn, dtype=np.bool_), start,
            pred_columns, learn_columns, self.window_values_, self.window_present_,
            self.window_, self.rng_, subsample, self._max_depth(), self.feature_,
            self.threshold_, self.left_, self.right_, self.missing_, self.leaf_value_,
            kernels.average_path_length(subsample), out)
        return out
