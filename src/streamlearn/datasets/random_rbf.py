"""Random radial basis function stream: Gaussian-like clusters, some of which move."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from streamlearn.core.params import check_number
from streamlearn.datasets._stream import SyntheticStream, spawn_generators


@dataclass
class _State:
    choices: np.random.Generator
    directions: np.random.Generator
    distances: np.random.Generator
    centres: np.ndarray       # initial centres, (n_centroids, n_features)
    velocities: np.ndarray    # unit direction of motion per centroid (zero when fixed)
    labels: np.ndarray
    spreads: np.ndarray
    cumulative_weights: np.ndarray
    position: int = 0


def _reflect(values: np.ndarray) -> np.ndarray:
    """Fold values onto [0, 1] as a point bouncing between two mirrors at 0 and 1 would."""
    folded = np.mod(values, 2.0)
    return np.where(folded > 1.0, 2.0 - folded, folded)


class RandomRBF(SyntheticStream):
    """The random RBF stream of MOA (Bifet et al. 2010), with drifting centroids.

    ``n_centroids`` centroids are drawn once: a centre uniform in [0, 1]^d, a class label
    uniform among ``n_classes``, a spread (standard deviation) uniform in [0, 1] and a weight
    uniform in [0, 1]. Each event picks a centroid with probability proportional to its weight,
    then moves away from its centre in a uniformly random direction, by a distance drawn from a
    normal distribution with the centroid's spread as standard deviation; its label is the
    centroid's label.

    Drift: the first ``n_drift_centroids`` centroids each move in a random direction by
    ``change_speed`` per event, bouncing off the walls of the unit cube, so the class regions
    shift continuously (gradual drift). Event ``t`` (0-based) sees the centres after ``t`` moves.

    Parameters
    ----------
    seed
        Seed of the random generators; the same seed gives the same stream.
    n_classes
        Number of classes (labels are ints ``0 .. n_classes - 1``).
    n_features
        Number of features.
    n_centroids
        Number of centroids.
    change_speed
        Distance travelled by each moving centroid per event.
    n_drift_centroids
        Number of centroids that move.
    n_events
        Length of the stream when iterated; ``None`` iterates forever.

    References
    ----------
    A. Bifet, G. Holmes, R. Kirkby and B. Pfahringer. MOA: Massive Online Analysis. Journal of
    Machine Learning Research 11 (2010), pp. 1601-1604 (``RandomRBFGenerator`` and
    ``RandomRBFGeneratorDrift``).

    Examples
    --------
    >>> from streamlearn.datasets import RandomRBF
    >>> data = RandomRBF(seed=3, n_classes=3, n_features=4).take(20_000)
    >>> data.X.shape, data.task
    ((20000, 4), 'multiclass')
    >>> sorted(set(data.y.tolist()))
    [0, 1, 2]
    >>> [round(float(p), 2) for p in np.bincount(data.y) / len(data)]
    [0.23, 0.38, 0.4]
    """

    def __init__(
        self,
        seed: int = 42,
        n_classes: int = 2,
        n_features: int = 10,
        n_centroids: int = 50,
        change_speed: float = 0.0,
        n_drift_centroids: int = 0,
        n_events: int | None = None,
    ):
        self.seed = seed
        self.n_classes = n_classes
        self.n_features = n_features
        self.n_centroids = n_centroids
        self.change_speed = change_speed
        self.n_drift_centroids = n_drift_centroids
        self.n_events = n_events

    @property
    def task(self) -> str:  # type: ignore[override]
        return "binary" if self.n_classes == 2 else "multiclass"

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f"x{i}" for i in range(self.n_features))

    def _validate(self) -> None:
        check_number(self, "n_classes", self.n_classes, low=2, integer=True)
        check_number(self, "n_features", self.n_features, low=1, integer=True)
        check_number(self, "n_centroids", self.n_centroids, low=1, integer=True)
        check_number(self, "change_speed", self.change_speed, low=0.0)
        check_number(
            self, "n_drift_centroids", self.n_drift_centroids, low=0, high=self.n_centroids,
            integer=True,
        )

    def centres_at(self, position: int) -> np.ndarray:
        """The centres of all centroids as seen by event ``position`` (0-based)."""
        self._check_common()
        state = self._start()
        everyone = np.arange(self.n_centroids)
        return self._centres(state, everyone, np.full(self.n_centroids, float(position)))

    def _start(self) -> _State:
        model, choices, directions_rng, distances = spawn_generators(self.seed, 4)
        centres = model.random((self.n_centroids, self.n_features))
        labels = np.minimum((model.random(self.n_centroids) * self.n_classes).astype(np.int64),
                            self.n_classes - 1)
        spreads = model.random(self.n_centroids)
        weights = model.random(self.n_centroids)
        directions = model.standard_normal((self.n_centroids, self.n_features))
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        directions[self.n_drift_centroids:] = 0.0
        cumulative = np.cumsum(weights)
        return _State(
            choices=choices,
            directions=directions_rng,
            distances=distances,
            centres=centres,
            velocities=directions,
            labels=labels,
            spreads=spreads,
            cumulative_weights=cumulative / cumulative[-1],
        )

    def _centres(self, state: _State, chosen: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Centres of the ``chosen`` centroids, each at the matching event position."""
        centres = state.centres[chosen]
        if self.n_drift_centroids == 0 or self.change_speed == 0.0:
            return centres
        # Closed form of a point moving in a straight line and bouncing off the cube's walls.
        moved = centres + state.velocities[chosen] * (self.change_speed * times[:, None])
        return _reflect(moved)

    def _generate(self, state: _State, n: int) -> tuple[np.ndarray, np.ndarray]:
        draws = state.choices.random(n)
        chosen = np.searchsorted(state.cumulative_weights, draws, side="right")
        chosen = np.minimum(chosen, self.n_centroids - 1)
        offsets = state.directions.standard_normal((n, self.n_features))
        norms = np.linalg.norm(offsets, axis=1, keepdims=True)
        norms[norms == 0.0] = 1.0
        distances = state.distances.standard_normal(n) * state.spreads[chosen]
        times = np.arange(state.position, state.position + n, dtype=np.float64)
        X = self._centres(state, chosen, times) + offsets / norms * distances[:, None]
        state.position += n
        return X, state.labels[chosen]
