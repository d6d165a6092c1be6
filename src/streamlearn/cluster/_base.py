"""Shared machinery of the k-means clusterers: the per-event and per-batch faces, features
that appear mid-stream, and the seeding of the centres by batch k-means over the first
events.

A clusterer answers each event with a cluster index (an int). It learns without labels:
``learn_one(x)``, ``learn_many(X)``. Before the centres exist (the first ``init_size``
learnt events are being gathered to seed them) every event is answered ``-1``.

State, per feature (rows, growing when a feature first appears) and cluster (columns):
``centers_`` and ``weights_`` (the number of values each coordinate took in; 0 where a
centre knows nothing of a feature yet); per cluster, ``cluster_sizes_`` (learnt events
assigned to it); while seeding, the events gathered so far (``init_points_``, with
``init_present_`` saying which values are present).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from streamlearn.cluster import _kernels as kernels
from streamlearn.core.batch import Batch, as_batch
from streamlearn.core.features import FeatureStateMixin
from streamlearn.core.learners import Model, all_rows, require_dense
from streamlearn.core.params import check_number


class Clusterer(Model):
    """A model whose answers are cluster indices; it learns without labels."""

    _tags = {"clusterer": True}

    def learn_one(self, x: dict, y: Any = None) -> Clusterer:
        batch = as_batch(x)
        self.process_many(batch, batch, all_rows(1))
        return self

    def learn_many(self, X: Any, y: Any = None) -> Clusterer:
        batch = as_batch(X)
        self.process_many(batch, batch, all_rows(len(batch)))
        return self

    def predict_one(self, x: dict) -> int:
        """The index of the cluster ``x`` belongs to (-1 before any cluster exists)."""
        return int(self._answer(x)[0])

    def predict_many(self, X: Any) -> np.ndarray:
        """The cluster index of each row, as an int64 array."""
        return self._answer(X)


class CentroidClusterer(FeatureStateMixin, Clusterer):
    """A clusterer with one centre per cluster (``centers_``, feature-major, ``weights_``
    > 0 where a centre has a value), ``cluster_sizes_`` and ``seeded_``; subclasses give
    ``_validate`` and ``_start``."""

    n_clusters: int

    def _validate(self) -> None:
        raise NotImplementedError

    def _start(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ what users read
    @property
    def cluster_sizes(self) -> list[int]:
        """How many events each cluster holds, as the class says (learnt events assigned to
        it, or summarised by it); all 0 before the centres exist."""
        sizes = getattr(self, "cluster_sizes_", None)
        return [0] * self.n_clusters if sizes is None else [int(s) for s in sizes]

    @property
    def centers(self) -> dict[int, dict[str, float]]:
        """Each cluster's centre, ``{cluster: {feature: coordinate}}`` (a feature the centre
        has no value for yet is left out; empty before the centres exist)."""
        if not getattr(self, "seeded_", False):
            return {}
        names = self.feature_names_
        return {c: {f: float(self.centers_[r, c]) for r, f in enumerate(names)
                    if self.weights_[r, c] > 0.0}
                for c in range(self.n_clusters)}

    def _prepare(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                            dict[str, np.ndarray]] | None:
        """Both feature matrices over the same columns, ``learn`` as a contiguous bool array,
        the state row of each column and the per-feature arrays (:meth:`align`); None when
        nothing was learnt yet and nothing is to be learnt."""
        if not hasattr(self, "feature_names_"):
            if not learn.any():  # no cluster yet: nothing to answer with
                self._validate()
                return None
            self._start()
        require_dense(self, X_pred, X_learn)
        columns, X_p, X_l = _inputs(X_pred, X_learn)
        learn = np.ascontiguousarray(learn, dtype=np.bool_)
        rows, arrays = self.align(columns, X_l, learn)
        return X_p, X_l, learn, rows, arrays


class KMeansBase(CentroidClusterer):
    """Base of the k-means clusterers; subclasses give ``_run`` (their kernel)."""

    _feature_arrays: ClassVar[dict[str, Any]] = {
        "centers_": 0.0, "weights_": 0.0, "init_points_": 0.0, "init_present_": False}

    init_size: int | None
    seed: int

    # ------------------------------------------------------------------ parameters
    def _validate(self) -> None:
        check_number(self, "n_clusters", self.n_clusters, low=1, integer=True)
        if self.init_size is not None:
            check_number(self, "init_size", self.init_size, low=self.n_clusters, integer=True)
        check_number(self, "seed", self.seed, low=0, high=2**63 - 1, integer=True)

    def _init_size(self) -> int:
        """The events gathered before seeding: ``init_size``, by default ``max(100,
        10 * n_clusters)``."""
        return self.init_size if self.init_size is not None else max(100, 10 * self.n_clusters)

    def _start(self) -> None:
        self._validate()
        k, m = self.n_clusters, self._init_size()
        self.feature_names_: list[str] = []
        self.centers_ = np.zeros((0, k))
        self.weights_ = np.zeros((0, k))
        self.init_points_ = np.zeros((0, m))
        self.init_present_ = np.zeros((0, m), dtype=np.bool_)
        self.cluster_sizes_ = np.zeros(k, dtype=np.int64)
        self.n_buffered_ = 0
        self.seeded_ = False

    # ------------------------------------------------------------------ the primitive
    def _run(self, X_p: np.ndarray, X_l: np.ndarray, same: bool, learn: np.ndarray,
             start: int, rows: np.ndarray, arrays: dict[str, np.ndarray],
             out: np.ndarray) -> None:
        raise NotImplementedError

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        out = np.full(len(learn), -1, dtype=np.int64)
        prepared = self._prepare(X_pred, X_learn, learn)
        if prepared is None:
            return out
        X_p, X_l, learn, rows, arrays = prepared
        start = 0
        if not self.seeded_:
            start = self._gather(X_l, learn, rows, arrays)
            if start < 0:
                if learn.any():
                    self.keep_feature_arrays(arrays)
                return out
            self._seed(arrays)
        self._run(X_p, X_l, X_p is X_l, learn, start, rows, arrays, out)
        if learn.any():
            self.keep_feature_arrays(arrays)
        return out

    def _gather(self, X_learn: np.ndarray, learn: np.ndarray, rows: np.ndarray,
                arrays: dict[str, np.ndarray]) -> int:
        """Keep learnt rows until ``init_size`` are gathered; returns the row after the one
        that completed them, or -1 while more are needed."""
        needed = self._init_size() - self.n_buffered_
        taken = np.flatnonzero(learn)[:needed]
        if len(taken):
            values = X_learn[taken]
            present = np.isfinite(values)
            slots = slice(self.n_buffered_, self.n_buffered_ + len(taken))
            arrays["init_points_"][rows, slots] = np.where(present, values, 0.0).T
            arrays["init_present_"][rows, slots] = present.T
            self.n_buffered_ += len(taken)
        if len(taken) < needed:
            return -1
        return int(taken[-1]) + 1

    def _seed(self, arrays: dict[str, np.ndarray]) -> None:
        """Centres from the gathered events (:func:`seed_centres`): each centre starts as the
        mean of the gathered events nearest to it, which count in its size and weights."""
        points, present = arrays["init_points_"], arrays["init_present_"]
        # only features the gathered events carry: the computation (and its rounding) must
        # not depend on which later features a batch happened to register already
        seen = np.flatnonzero(present.any(axis=1))
        centres, weights, sizes = seed_centres(
            np.ascontiguousarray(points[seen].T), np.ascontiguousarray(present[seen].T),
            self.n_clusters, float(getattr(self, "p", 2.0)), np.random.default_rng(self.seed))
        arrays["centers_"][seen] = centres.T
        arrays["weights_"][seen] = weights.T
        self.cluster_sizes_ += sizes
        n_rows = points.shape[0]
        arrays["init_points_"] = np.zeros((n_rows, 0))
        arrays["init_present_"] = np.zeros((n_rows, 0), dtype=np.bool_)
        self.seeded_ = True


#: k-means++ seedings tried over the gathered events, each refined by Lloyd's iterations;
#: the one of least inertia is kept (as scikit-learn's ``n_init``).
RESTARTS = 10
LLOYD_ITERATIONS = 30


def seed_centres(points: np.ndarray, present: np.ndarray, k: int, p: float,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batch k-means over the gathered events (one row per event): ``RESTARTS`` greedy
    k-means++ seedings (Arthur & Vassilvitskii 2007, "k-means++: the advantages of careful
    seeding", SODA; ``2 + log(k)`` candidates per step, as scikit-learn), each refined by
    Lloyd's iterations (Lloyd 1982), with the partial distances of the kernels. Returns the
    centres of least inertia, their weights (values taken in per coordinate) and sizes."""
    m, n_rows = points.shape
    trials = 2 + int(np.log(k))
    firsts = rng.integers(m, size=RESTARTS)
    uniforms = rng.random((RESTARTS, max(k - 1, 1), trials))
    centres, weights = np.zeros((k, n_rows)), np.zeros((k, n_rows))
    sizes = np.zeros(k)
    kernels.seed_centres(points, present, np.ones(m), p, firsts, uniforms, LLOYD_ITERATIONS,
                         centres, weights, sizes)
    return centres, weights, sizes.astype(np.int64)


def _inputs(X_pred: Batch, X_learn: Batch) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Columns and both matrices over the same columns (the union, when they differ)."""
    if X_pred is X_learn or X_pred.columns == X_learn.columns:
        return X_learn.columns, X_pred.X, X_learn.X
    columns = tuple(dict.fromkeys(X_learn.columns + X_pred.columns))
    return columns, _reindex(X_pred, columns), _reindex(X_learn, columns)


def _reindex(batch: Batch, columns: tuple[str, ...]) -> np.ndarray:
    out = np.full((len(batch), len(columns)), np.nan)
    position = {name: j for j, name in enumerate(columns)}
    out[:, [position[c] for c in batch.columns]] = batch.X
    return out
