"""Streaming (sequential) k-means: each learnt event moves its nearest centre by a step."""

from __future__ import annotations

from streamlearn.cluster import _kernels as kernels
from streamlearn.cluster._base import KMeansBase
from streamlearn.core.params import check_number


class StreamingKMeans(KMeansBase):
    """Sequential k-means with a constant step (MacQueen 1967, "Some methods for classification
    and analysis of multivariate observations"; the constant-step, forgetting variant is the
    one of River's ``cluster.KMeans``, whose parameter names are kept).

    Each event is answered with the index of its nearest centre (Minkowski distance with
    power ``p``); learning it then moves that centre a fraction ``halflife`` of the way
    towards it: ``c += halflife * (x - c)``. A constant step forgets old events
    geometrically, so the centres follow a drifting stream (``halflife`` close to 0: slow and
    smooth, close to 1: fast and jumpy).

    Unlike River, whose centres start at random Gaussian positions (some never win an event
    and stay useless), the centres start as batch k-means over the first ``init_size`` learnt
    events (``max(100, 10 * n_clusters)`` by default): the best of 10 k-means++ seedings
    (Arthur & Vassilvitskii 2007), each refined by Lloyd's iterations; until then every event
    is answered ``-1``. Absent features (NaN) are left out of distances and updates; a
    feature that appears mid-stream is adopted by a centre from the first event it takes in
    that carries it. ``cluster_sizes`` counts the learnt events each cluster took in.

    >>> model = StreamingKMeans(n_clusters=2, halflife=0.1, init_size=4)
    >>> for x in [{"a": 1.0, "b": 2.0}, {"a": 1.0, "b": 4.0}, {"a": -4.0, "b": 2.0},
    ...           {"a": -4.0, "b": 4.0}, {"a": 1.0, "b": 3.0}, {"a": -4.0, "b": 3.0}]:
    ...     _ = model.learn_one(x)
    >>> model.predict_one({"a": 0.0, "b": 0.0}) != model.predict_one({"a": -5.0, "b": 5.0})
    True
    >>> sorted(model.cluster_sizes)
    [3, 3]
    """

    def __init__(self, n_clusters: int = 5, halflife: float = 0.5, p: float = 2.0,
                 init_size: int | None = None, seed: int = 0):
        self.n_clusters = n_clusters
        self.halflife = halflife
        self.p = p
        self.init_size = init_size
        self.seed = seed

    @classmethod
    def _check_instances(cls) -> list[StreamingKMeans]:
        return [cls(n_clusters=3, init_size=20),
                cls(n_clusters=4, halflife=0.1, p=1.0, init_size=400, seed=3)]

    def _validate(self) -> None:
        super()._validate()
        check_number(self, "halflife", self.halflife, low=0.0, low_inclusive=False, high=1.0)
        check_number(self, "p", self.p, low=0.0, low_inclusive=False)

    def _run(self, X_p, X_l, same, learn, start, rows, arrays, out) -> None:
        kernels.streaming_kmeans(X_p, X_l, same, learn, start, rows, arrays["centers_"],
                                 arrays["weights_"], self.cluster_sizes_, float(self.halflife),
                                 float(self.p), out)
