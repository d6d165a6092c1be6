"""Mini-batch k-means (Sculley 2010) over a stream, exact per event."""

from __future__ import annotations

import numpy as np

from streamlearn.cluster import _kernels as kernels
from streamlearn.cluster._base import KMeansBase
from streamlearn.core.params import check_number


class MiniBatchKMeans(KMeansBase):
    """Mini-batch k-means with per-centre learning rates (Sculley 2010, "Web-scale k-means
    clustering", WWW).

    The learnt events are cut into mini-batches of ``batch_size`` consecutive events, counted
    from the start of the stream (not by how they are delivered, so the same stream in
    micro-batches of any size gives the same centres). When a mini-batch is complete, each of
    its events is assigned to its nearest centre (Euclidean) as the centres stand, then, in
    order, pulls that centre with a learning rate of ``1 / n``, ``n`` being the number of
    values the centre took in: every centre is the running mean of the events assigned to it
    (per coordinate, so absent features (NaN) are simply left out). Events are answered with
    the centres as they stand, so they move once per mini-batch; ``batch_size=1`` is
    MacQueen's online k-means.

    The centres start as batch k-means over the first ``init_size`` learnt events (``max(100,
    10 * n_clusters)`` by default): the best of 10 k-means++ seedings (Arthur & Vassilvitskii
    2007), each refined by Lloyd's iterations, every centre the mean of the events nearest to
    it; until then every event is answered ``-1``. A feature that appears mid-stream is
    adopted by a centre from the first event it takes in that carries it. ``cluster_sizes``
    counts the learnt events each cluster took in (events waiting for their mini-batch are not
    counted yet).

    >>> model = MiniBatchKMeans(n_clusters=2, batch_size=2, init_size=4)
    >>> for x in [{"a": 1.0, "b": 2.0}, {"a": 1.0, "b": 4.0}, {"a": -4.0, "b": 2.0},
    ...           {"a": -4.0, "b": 4.0}, {"a": 1.0, "b": 3.0}, {"a": -4.0, "b": 3.0}]:
    ...     _ = model.learn_one(x)
    >>> sorted(model.centers.values(), key=lambda c: c["a"])
    [{'a': -4.0, 'b': 3.0}, {'a': 1.0, 'b': 3.0}]
    >>> sorted(model.cluster_sizes)
    [3, 3]
    """

    _feature_arrays = {**KMeansBase._feature_arrays, "pending_": 0.0, "pending_present_": False}

    def __init__(self, n_clusters: int = 5, batch_size: int = 100, init_size: int | None = None,
                 seed: int = 0):
        self.n_clusters = n_clusters
        self.batch_size = batch_size
        self.init_size = init_size
        self.seed = seed

    @classmethod
    def _check_instances(cls) -> list[MiniBatchKMeans]:
        return [cls(n_clusters=3, batch_size=16, init_size=20),
                cls(n_clusters=4, batch_size=1, init_size=30, seed=5)]

    def _validate(self) -> None:
        super()._validate()
        check_number(self, "batch_size", self.batch_size, low=1, integer=True)

    def _start(self) -> None:
        super()._start()
        self.pending_ = np.zeros((0, self.batch_size))
        self.pending_present_ = np.zeros((0, self.batch_size), dtype=np.bool_)
        self.n_pending_ = 0

    def _run(self, X_p, X_l, same, learn, start, rows, arrays, out) -> None:
        n_pending = np.array([self.n_pending_], dtype=np.int64)
        kernels.minibatch_kmeans(X_p, X_l, learn, start, rows, arrays["centers_"],
                                 arrays["weights_"], self.cluster_sizes_, arrays["pending_"],
                                 arrays["pending_present_"], n_pending, out,
                                 np.empty(self.batch_size, dtype=np.int64))
        self.n_pending_ = int(n_pending[0])
