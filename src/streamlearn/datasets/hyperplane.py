"""Rotating hyperplane: a linear concept whose weights drift a little at every event."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from streamlearn.core.params import check_number
from streamlearn.datasets._stream import SyntheticStream, flip, spawn_generators


@dataclass
class _State:
    features: np.random.Generator
    noise: np.random.Generator
    drift: np.random.Generator
    weights: np.ndarray      # initial weights
    directions: np.ndarray   # +1 or -1 per drifting weight, for the next step
    net_steps: np.ndarray    # steps taken so far per drifting weight (ups minus downs)


class RotatingHyperplane(SyntheticStream):
    """The rotating hyperplane stream of Hulten, Spencer & Domingos (2001): gradual drift.

    Features are drawn uniformly from [0, 1]. The concept is a hyperplane
    ``sum_i w_i x_i = w_0`` with ``w_0 = sum_i w_i / 2``: an event is labelled 1 when
    ``sum_i w_i x_i >= w_0`` and 0 otherwise. The initial weights are drawn uniformly from
    [0, 1]. After each event the first ``n_drift_features`` weights move by ``magnitude`` in
    their current direction, and each direction reverses with probability ``sigma``, so the
    hyperplane rotates slowly and smoothly (gradual drift). Label noise flips each label with
    probability ``noise``.

    Event ``t`` (0-based) is labelled with the weights after ``t`` drift steps; the first event
    uses the initial weights, available as `initial_weights`.

    Parameters
    ----------
    seed
        Seed of the random generators; the same seed gives the same stream.
    n_features
        Number of features.
    n_drift_features
        Number of weights that drift (the first ones).
    magnitude
        Change of each drifting weight per event.
    noise
        Probability of flipping each label.
    sigma
        Probability, per event and drifting weight, that the direction of change reverses.
    n_events
        Length of the stream when iterated; ``None`` iterates forever.

    References
    ----------
    G. Hulten, L. Spencer and P. Domingos. Mining time-changing data streams. KDD 2001,
    pp. 97-106.

    Examples
    --------
    >>> from streamlearn.datasets import RotatingHyperplane
    >>> stream = RotatingHyperplane(seed=7, magnitude=0.0, noise=0.0)
    >>> data = stream.take(5_000)
    >>> data.X.shape
    (5000, 10)
    >>> w = stream.initial_weights()
    >>> bool(np.all(data.y == (data.X @ w >= w.sum() / 2)))
    True
    >>> round(float(data.y.mean()), 2)
    0.5
    """

    task = "binary"

    def __init__(
        self,
        seed: int = 42,
        n_features: int = 10,
        n_drift_features: int = 2,
        magnitude: float = 0.001,
        noise: float = 0.05,
        sigma: float = 0.1,
        n_events: int | None = None,
    ):
        self.seed = seed
        self.n_features = n_features
        self.n_drift_features = n_drift_features
        self.magnitude = magnitude
        self.noise = noise
        self.sigma = sigma
        self.n_events = n_events

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f"x{i}" for i in range(self.n_features))

    def _validate(self) -> None:
        check_number(self, "n_features", self.n_features, low=1, integer=True)
        check_number(
            self, "n_drift_features", self.n_drift_features, low=0, high=self.n_features,
            integer=True,
        )
        check_number(self, "magnitude", self.magnitude, low=0.0)
        check_number(self, "noise", self.noise, low=0.0, high=1.0)
        check_number(self, "sigma", self.sigma, low=0.0, high=1.0)

    def initial_weights(self) -> np.ndarray:
        """The weights of the hyperplane at event 0."""
        self._check_common()
        return self._start().weights

    def _start(self) -> _State:
        features, noise, drift = spawn_generators(self.seed, 3)
        return _State(
            features=features,
            noise=noise,
            drift=drift,
            weights=drift.random(self.n_features),
            directions=np.ones(self.n_drift_features, dtype=np.int64),
            net_steps=np.zeros(self.n_drift_features, dtype=np.int64),
        )

    def _generate(self, state: _State, n: int) -> tuple[np.ndarray, np.ndarray]:
        X = state.features.random((n, self.n_features))
        k = self.n_drift_features
        # Reversals happen after each step: step t moves in direction d * (-1)^(reversals < t).
        reversed_ = state.drift.random((n, k)) < self.sigma
        reversals_before = np.cumsum(reversed_, axis=0) - reversed_
        steps = state.directions * np.where(reversals_before % 2 == 1, -1, 1)
        # Net steps are counted in integers, so the weights do not depend on how the stream
        # is cut into blocks (a float running sum would round differently).
        net_steps = state.net_steps + np.cumsum(steps, axis=0) - steps
        weights = np.broadcast_to(state.weights, (n, self.n_features)).copy()
        weights[:, :k] += self.magnitude * net_steps
        scores = np.einsum("ij,ij->i", X, weights)
        y = flip(scores >= 0.5 * weights.sum(axis=1), state.noise, self.noise)
        if n:
            state.net_steps = net_steps[-1] + steps[-1]
            state.directions = steps[-1] * np.where(reversed_[-1], -1, 1)
        return X, y.astype(np.int64)
