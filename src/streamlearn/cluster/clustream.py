"""CluStream (Aggarwal et al. 2003): micro-clusters online, k-means over them offline."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from streamlearn.cluster import _clustream_kernels as kernels
from streamlearn.cluster._base import LLOYD_ITERATIONS, RESTARTS, CentroidClusterer
from streamlearn.core.batch import Batch
from streamlearn.core.params import check_number


class CluStream(CentroidClusterer):
    """CluStream (Aggarwal, Han, Wang & Yu 2003, "A framework for clustering evolving data
    streams", VLDB).

    Online, up to ``max_micro_clusters`` micro-clusters summarise the stream, each by the
    count, sum and sum of squares of its events' values (per feature) and the sum of their
    arrival times. A learnt event joins its nearest micro-cluster if it lies within that
    cluster's boundary (``radius_factor`` times its RMS deviation; for a micro-cluster of one
    event, the distance to the nearest other one), else it starts a micro-cluster of its own;
    when all are taken, room is made by forgetting the micro-cluster whose events' mean
    arrival time is older than ``time_window`` learnt events (the paper's relevance stamp,
    taken as the mean time), or else by merging the two closest micro-clusters. Offline,
    every ``time_gap`` learnt events, the micro-clusters' centres, weighted by their sizes,
    are clustered into ``n_clusters`` macro-clusters by k-means (the best of 10 greedy
    k-means++ seedings refined by Lloyd's iterations); each new macro-cluster takes the index
    of the nearest previous one (matched greedily, closest pairs first), so indices stay
    stable while the stream does. Each event is answered with its nearest macro-cluster,
    ``-1`` before the first offline phase. ``cluster_sizes`` counts the events each
    macro-cluster summarised at the last offline phase (forgotten ones left out).
    Distances are partial, as in :class:`StreamingKMeans`: absent features (NaN) are left
    out, and a feature appearing mid-stream joins the summaries from then on.

    >>> model = CluStream(n_clusters=2, max_micro_clusters=4, time_gap=6)
    >>> for x in [{"a": 1.0, "b": 2.0}, {"a": 1.0, "b": 4.0}, {"a": -4.0, "b": 2.0},
    ...           {"a": -4.0, "b": 4.0}, {"a": 1.0, "b": 3.0}, {"a": -4.0, "b": 3.0}]:
    ...     _ = model.learn_one(x)
    >>> sorted(model.centers.values(), key=lambda c: c["a"])
    [{'a': -4.0, 'b': 3.0}, {'a': 1.0, 'b': 3.0}]
    >>> model.cluster_sizes
    [3, 3]
    """

    _feature_arrays: ClassVar[dict[str, Any]] = {
        "micro_sums_": 0.0, "micro_squares_": 0.0, "micro_counts_": 0.0, "centers_": 0.0,
        "weights_": 0.0}

    def __init__(self, n_clusters: int = 5, max_micro_clusters: int = 100,
                 radius_factor: float = 2.0, time_window: int = 1000, time_gap: int = 100,
                 seed: int = 0):
        self.n_clusters = n_clusters
        self.max_micro_clusters = max_micro_clusters
        self.radius_factor = radius_factor
        self.time_window = time_window
        self.time_gap = time_gap
        self.seed = seed

    @classmethod
    def _check_instances(cls) -> list[CluStream]:
        return [cls(n_clusters=3, max_micro_clusters=20, time_window=100, time_gap=50),
                cls(n_clusters=2, max_micro_clusters=10, radius_factor=1.0, time_gap=7)]

    def _validate(self) -> None:
        check_number(self, "n_clusters", self.n_clusters, low=1, integer=True)
        check_number(self, "max_micro_clusters", self.max_micro_clusters,
                     low=max(self.n_clusters, 2), integer=True)
        check_number(self, "radius_factor", self.radius_factor, low=0.0, low_inclusive=False)
        check_number(self, "time_window", self.time_window, low=1, integer=True)
        check_number(self, "time_gap", self.time_gap, low=1, integer=True)
        check_number(self, "seed", self.seed, low=0, high=2**32 - 1, integer=True)

    def _start(self) -> None:
        self._validate()
        q, k = self.max_micro_clusters, self.n_clusters
        self.feature_names_: list[str] = []
        for name in ("micro_sums_", "micro_squares_", "micro_counts_"):
            setattr(self, name, np.zeros((0, q)))
        self.centers_ = np.zeros((0, k))
        self.weights_ = np.zeros((0, k))
        self.micro_sizes_ = np.zeros(q)
        self.micro_times_ = np.zeros(q)
        self.cluster_sizes_ = np.zeros(k, dtype=np.int64)
        self.n_micro_ = 0
        self.n_learnt_ = 0
        self.seeded_ = False

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        out = np.full(len(learn), -1, dtype=np.int64)
        prepared = self._prepare(X_pred, X_learn, learn)
        if prepared is None:
            return out
        X_p, X_l, learn, rows, arrays = prepared
        clock = np.array([self.n_micro_, self.n_learnt_, int(self.seeded_)], dtype=np.int64)
        kernels.clustream(X_p, X_l, learn, rows, arrays["micro_sums_"],
                          arrays["micro_squares_"], arrays["micro_counts_"], self.micro_sizes_,
                          self.micro_times_, clock, arrays["centers_"], arrays["weights_"],
                          self.cluster_sizes_, float(self.radius_factor),
                          float(self.time_window), int(self.time_gap), int(self.seed),
                          RESTARTS, LLOYD_ITERATIONS, out)
        if learn.any():
            self.n_micro_, self.n_learnt_ = int(clock[0]), int(clock[1])
            self.seeded_ = bool(clock[2])
            self.keep_feature_arrays(arrays)
        return out
