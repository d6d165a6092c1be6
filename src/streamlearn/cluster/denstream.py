"""DenStream (Cao et al. 2006): decayed micro-clusters online, DBSCAN over them offline."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from streamlearn.cluster import _denstream_kernels as kernels
from streamlearn.cluster._base import CentroidClusterer
from streamlearn.core.batch import Batch
from streamlearn.core.params import check_number


class DenStream(CentroidClusterer):
    """DenStream (Cao, Ester, Qian & Zhou 2006, "Density-based clustering over an evolving
    data stream with noise", SDM).

    Time advances by one every ``stream_speed`` learnt events, and every micro-cluster's
    weight (its number of events) and sums fade by ``2 ** -decaying_factor`` per time unit.
    The first ``n_samples_init`` learnt events start the micro-clusters, DBSCAN-style: an
    event whose ``epsilon``-neighbourhood holds at least ``beta * mu`` events forms a
    potential micro-cluster with it. Afterwards each learnt event joins its nearest
    potential micro-cluster if that one's radius (the root of the summed per-feature
    variances) stays within ``epsilon``, else its nearest outlier micro-cluster under the
    same condition (an outlier micro-cluster heavier than ``beta * mu`` becomes potential),
    else it starts an outlier micro-cluster. Every ``T_p = ceil(log2(beta * mu / (beta * mu -
    1)) / decaying_factor)`` time units, potential micro-clusters lighter than ``beta * mu``
    and outlier ones lighter than the paper's limit ``xi`` are dropped. The offline phase
    runs at every time unit: potential micro-clusters of weight at least ``mu`` are core,
    core ones with centres within ``2 * epsilon`` are connected and the other potential ones
    within that reach of a core one join it; each group is a macro-cluster, numbered in the
    order of its oldest micro-cluster. An event is answered with the macro-cluster of its
    nearest grouped micro-cluster if that one's centre is within ``epsilon``, else ``-1``
    (noise; also before the start). ``cluster_sizes`` and ``centers`` give each
    macro-cluster's decayed weight (rounded) and weighted centre. Absent features (NaN) are
    left out of distances, which are scaled up by present over shared features. The
    algorithm draws nothing at random: ``seed`` is kept for the common interface.

    >>> model = DenStream(epsilon=0.5, n_samples_init=4, stream_speed=2)
    >>> for x in [{"a": 0.0}, {"a": 0.1}, {"a": 5.0}, {"a": 5.1}, {"a": 0.2}, {"a": 5.2}]:
    ...     _ = model.learn_one(x)
    >>> {c: round(centre["a"], 2) for c, centre in model.centers.items()}
    {0: 0.11, 1: 5.11}
    >>> model.cluster_sizes
    [2, 2]
    >>> model.predict_one({"a": 0.3}), model.predict_one({"a": 2.5})
    (0, -1)
    """

    _feature_arrays: ClassVar[dict[str, Any]] = {
        "micro_sums_": 0.0, "micro_squares_": 0.0, "micro_counts_": 0.0, "init_points_": 0.0,
        "init_present_": False}
    _micro_arrays = ("micro_sums_", "micro_squares_", "micro_counts_")

    def __init__(self, decaying_factor: float = 0.25, beta: float = 0.75, mu: float = 2.0,
                 epsilon: float = 0.02, n_samples_init: int = 1000, stream_speed: int = 100,
                 seed: int = 0):
        self.decaying_factor = decaying_factor
        self.beta = beta
        self.mu = mu
        self.epsilon = epsilon
        self.n_samples_init = n_samples_init
        self.stream_speed = stream_speed
        self.seed = seed

    @classmethod
    def _check_instances(cls) -> list[DenStream]:
        return [cls(epsilon=1.0, n_samples_init=20, stream_speed=10),
                cls(decaying_factor=1.0, mu=4.0, epsilon=0.5, n_samples_init=5, stream_speed=3)]

    def _validate(self) -> None:
        check_number(self, "decaying_factor", self.decaying_factor, low=0.0,
                     low_inclusive=False)
        check_number(self, "beta", self.beta, low=0.0, high=1.0, low_inclusive=False)
        # potential micro-clusters must outweigh one event: beta * mu > 1
        check_number(self, "mu", self.mu, low=1.0 / self.beta, low_inclusive=False)
        check_number(self, "epsilon", self.epsilon, low=0.0, low_inclusive=False)
        check_number(self, "n_samples_init", self.n_samples_init, low=1, integer=True)
        check_number(self, "stream_speed", self.stream_speed, low=1, integer=True)
        check_number(self, "seed", self.seed, low=0, high=2**63 - 1, integer=True)

    def _prune_period(self) -> int:
        """``T_p``, the time units between prunings (Lemma 4.3 of the paper)."""
        beta_mu = self.beta * self.mu
        period = math.ceil(math.log2(beta_mu / (beta_mu - 1.0)) / self.decaying_factor)
        return max(period, 1)

    def _start(self) -> None:
        self._validate()
        self.feature_names_: list[str] = []
        for name in self._micro_arrays:
            setattr(self, name, np.zeros((0, 0)))
        self.init_points_ = np.zeros((0, self.n_samples_init))
        self.init_present_ = np.zeros((0, self.n_samples_init), dtype=np.bool_)
        self.micro_weights_ = np.zeros(0)
        self.micro_updated_ = np.zeros(0)
        self.micro_created_ = np.zeros(0)
        self.micro_potential_ = np.zeros(0, dtype=np.bool_)
        self.micro_macro_ = np.zeros(0, dtype=np.int64)
        self.n_micro_ = 0
        self.n_learnt_ = 0
        self.n_gathered_ = 0
        self.n_macro_ = 0
        self.seeded_ = False

    # ------------------------------------------------------------------ the primitive
    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        out = np.full(len(learn), -1, dtype=np.int64)
        prepared = self._prepare(X_pred, X_learn, learn)
        if prepared is None:
            return out
        X_p, X_l, learn, rows, arrays = prepared
        # room for every micro-cluster this batch can make; trimmed again afterwards
        room = int(learn.sum()) + (0 if self.seeded_ else self.n_samples_init)
        micro = {name: _pad(getattr(self, name), room) for name in (
            "micro_weights_", "micro_updated_", "micro_created_", "micro_potential_",
            "micro_macro_")}
        for name in self._micro_arrays:
            arrays[name] = _pad(arrays[name], room)
        clock = np.array([self.n_micro_, self.n_learnt_, int(self.seeded_), self.n_gathered_,
                          self.n_macro_], dtype=np.int64)
        kernels.denstream(
            X_p, X_l, learn, rows, arrays["micro_sums_"], arrays["micro_squares_"],
            arrays["micro_counts_"], micro["micro_weights_"], micro["micro_updated_"],
            micro["micro_created_"], micro["micro_potential_"], micro["micro_macro_"],
            arrays["init_points_"], arrays["init_present_"], clock,
            float(self.decaying_factor), float(self.beta), float(self.mu), float(self.epsilon),
            int(self.n_samples_init), int(self.stream_speed), self._prune_period(), out)
        if not learn.any():
            return out
        n_micro = int(clock[0])
        self.n_micro_, self.n_learnt_ = n_micro, int(clock[1])
        self.seeded_, self.n_gathered_, self.n_macro_ = bool(clock[2]), int(clock[3]), int(
            clock[4])
        for name, array in micro.items():
            setattr(self, name, array[:n_micro].copy())
        for name in self._micro_arrays:
            arrays[name] = np.ascontiguousarray(arrays[name][:, :n_micro])
        if self.seeded_ and arrays["init_points_"].shape[1]:
            n_rows = arrays["init_points_"].shape[0]
            arrays["init_points_"] = np.zeros((n_rows, 0))
            arrays["init_present_"] = np.zeros((n_rows, 0), dtype=np.bool_)
        self.keep_feature_arrays(arrays)
        return out

    # ------------------------------------------------------------------ what users read
    def _macro_summaries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per macro-cluster: decayed weight, and per feature the decayed sums and counts
        (feature-major), all brought to the current time."""
        k, n_rows = self.n_macro_, len(self.feature_names_)
        weights, sums, counts = np.zeros(k), np.zeros((n_rows, k)), np.zeros((n_rows, k))
        now = self.n_learnt_ // self.stream_speed
        fades = 2.0 ** (-self.decaying_factor * (now - self.micro_updated_))
        for q in np.flatnonzero(self.micro_macro_ >= 0):
            c = self.micro_macro_[q]
            weights[c] += self.micro_weights_[q] * fades[q]
            sums[:, c] += self.micro_sums_[:, q] * fades[q]
            counts[:, c] += self.micro_counts_[:, q] * fades[q]
        return weights, sums, counts

    @property
    def cluster_sizes(self) -> list[int]:
        """Each macro-cluster's decayed weight (events, faded by age), rounded; empty
        before the first offline phase."""
        if not getattr(self, "seeded_", False):
            return []
        return [round(float(w)) for w in self._macro_summaries()[0]]

    @property
    def centers(self) -> dict[int, dict[str, float]]:
        """Each macro-cluster's centre, the weighted mean of its micro-clusters' centres,
        ``{cluster: {feature: coordinate}}``; empty before the first offline phase."""
        if not getattr(self, "seeded_", False):
            return {}
        _, sums, counts = self._macro_summaries()
        return {c: {f: float(sums[r, c] / counts[r, c])
                    for r, f in enumerate(self.feature_names_) if counts[r, c] > 0.0}
                for c in range(self.n_macro_)}


def _pad(array: np.ndarray, room: int) -> np.ndarray:
    """``array`` with ``room`` more entries along its last axis (micro-clusters)."""
    extra = np.zeros((*array.shape[:-1], room), dtype=array.dtype)
    return np.concatenate([array, extra], axis=-1)
