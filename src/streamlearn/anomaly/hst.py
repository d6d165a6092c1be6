"""Half-Space Trees: a streaming ensemble of random trees whose node masses score events."""

from __future__ import annotations

import math

import numpy as np

from streamlearn.anomaly import _hst_kernels as kernels
from streamlearn.anomaly.base import AnomalyDetector, column_positions
from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError
from streamlearn.core.learners import require_dense
from streamlearn.core.params import check_number

PADDING = 0.15  # splits fall in the middle 70% of a node's range, as in River


class HalfSpaceTrees(AnomalyDetector):
    """Half-Space Trees (Tan, Ting & Liu, "Fast anomaly detection for streaming data",
    IJCAI 2011).

    ``n_trees`` random trees of depth ``height`` cut the feature space in halves: each node
    splits a feature, chosen with probability proportional to its range, at a random point of
    the middle 70% of that range. Nodes count the events that pass through them over
    tumbling windows of ``window_size`` learnt events: the window being filled (the *latest*
    mass) and the last complete one (the *reference* mass). An event's mass is the sum, over
    the trees and the nodes of its path, of ``reference * 2**depth``, the path stopping at the
    first node whose reference mass is below ``0.1 * window_size``; its score is
    ``1 - mass / (n_trees * window_size * (2**(height + 1) - 1))``, in [0, 1], higher being
    more anomalous, and 0 until the first window is complete. The reference mass is replaced
    at the event that completes a window, whatever the batch size.

    Features are assumed to lie in [0, 1] (put a ``MinMaxScaler`` in front) unless
    ``limits`` gives a feature's ``(low, high)``. The trees are built at the first learnt
    event that carries a feature, over the features it carries (as River does); a feature
    appearing later is not split on. A feature an event lacks (or a non-finite value) sends
    it down the child the latest window visited more. The arithmetic is River's
    (``anomaly.HalfSpaceTrees``), so the scores have the same distribution; the random trees
    differ. ``seed`` fixes the trees (``None`` draws different ones at each run).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> normal = 0.5 + 0.05 * rng.normal(size=(1000, 2))
    >>> model = HalfSpaceTrees(n_trees=10, height=6, window_size=100, seed=1)
    >>> _ = model.learn_many(normal)
    >>> usual, odd = {"x0": 0.5, "x1": 0.52}, {"x0": 0.05, "x1": 0.9}
    >>> round(model.score_one(usual), 3), round(model.score_one(odd), 3)
    (0.337, 0.984)
    """

    def __init__(self, n_trees: int = 10, height: int = 8, window_size: int = 250,
                 limits: dict[str, tuple[float, float]] | None = None,
                 seed: int | None = 42):
        self.n_trees = n_trees
        self.height = height
        self.window_size = window_size
        self.limits = limits
        self.seed = seed

    @classmethod
    def _check_instances(cls) -> list[HalfSpaceTrees]:
        """Small forests for the conformance suite (windows complete within its stream)."""
        return [cls(n_trees=3, height=4, window_size=40, seed=1),
                cls(n_trees=2, height=3, window_size=25,
                    limits={"x0": (-3.0, 3.0), "x1": (-3.0, 3.0), "x2": (-3.0, 3.0)}, seed=5)]

    def _validate(self) -> None:
        check_number(self, "n_trees", self.n_trees, low=1, integer=True)
        check_number(self, "height", self.height, low=1, high=20, integer=True)
        check_number(self, "window_size", self.window_size, low=1, integer=True)
        if self.seed is not None:
            check_number(self, "seed", self.seed, low=0, integer=True)
        if self.limits is not None:
            if not isinstance(self.limits, dict):
                raise ParameterError("The 'limits' parameter of HalfSpaceTrees must be a dict "
                                     f"of feature: (low, high). Got {self.limits!r} instead.")
            for name, bounds in self.limits.items():
                if (not isinstance(bounds, tuple | list) or len(bounds) != 2
                        or not all(isinstance(b, int | float) and math.isfinite(b)
                                   for b in bounds) or not bounds[0] < bounds[1]):
                    raise ParameterError(
                        f"The 'limits' parameter of HalfSpaceTrees must map each feature to "
                        f"finite (low, high) with low < high. Got {name!r}: {bounds!r} "
                        "instead.")

    # ------------------------------------------------------------------ the trees
    def _build(self, names: list[str]) -> None:
        """Draw the trees over ``names`` (the features of the first learnt event)."""
        rng = np.random.default_rng(self.seed)
        limits = self.limits or {}
        low = np.array([float(limits.get(n, (0.0, 1.0))[0]) for n in names])
        high = np.array([float(limits.get(n, (0.0, 1.0))[1]) for n in names])
        n_internal = 2 ** self.height - 1
        n_nodes = 2 ** (self.height + 1) - 1
        features = np.zeros((self.n_trees, n_internal), dtype=np.int64)
        thresholds = np.zeros((self.n_trees, n_internal))
        for t in range(self.n_trees):
            lows, highs = [low.copy()], [high.copy()]  # the ranges of the nodes, level order
            for k in range(n_internal):
                node_low, node_high = lows[k], highs[k]
                widths = node_high - node_low
                f = int(np.searchsorted(np.cumsum(widths), rng.random() * widths.sum(),
                                        side="right"))
                f = min(f, len(names) - 1)
                a, b = node_low[f], node_high[f]
                at = rng.uniform(a + PADDING * (b - a), b - PADDING * (b - a))
                features[t, k], thresholds[t, k] = f, at
                left_high, right_low = node_high.copy(), node_low.copy()
                left_high[f], right_low[f] = at, at
                lows += [node_low, right_low]
                highs += [left_high, node_high]
        self.feature_names_ = list(names)
        self.features_ = features
        self.thresholds_ = thresholds
        self.latest_mass_ = np.zeros((self.n_trees, n_nodes), dtype=np.int64)
        self.reference_mass_ = np.zeros((self.n_trees, n_nodes), dtype=np.int64)
        self.window_ = np.zeros(2, dtype=np.int64)

    # ------------------------------------------------------------------ the primitive
    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        require_dense(self, X_pred, X_learn)
        out = np.zeros(len(learn))
        start = 0
        if not hasattr(self, "features_"):
            self._validate()
            start = self._build_at_first_row(X_learn, learn)
            if start < 0:  # nothing learnt yet: every score is 0
                return out
        pred_columns = column_positions(X_pred, self.feature_names_)
        learn_columns = (pred_columns if X_learn is X_pred
                         else column_positions(X_learn, self.feature_names_))
        kernels.half_space_trees(
            X_pred.X, X_learn.X, np.ascontiguousarray(learn, dtype=np.bool_), start,
            X_learn is X_pred, pred_columns, learn_columns, self.features_,
            self.thresholds_, self.latest_mass_, self.reference_mass_, self.window_, self.height,
            self.window_size,
            0.1 * self.window_size, float(self._max_mass()), out)
        return out

    def _max_mass(self) -> int:
        return self.n_trees * self.window_size * (2 ** (self.height + 1) - 1)
