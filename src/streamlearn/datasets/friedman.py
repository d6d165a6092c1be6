"""Friedman #1: a non-linear regression stream with five relevant and five irrelevant features."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from streamlearn.core.params import check_number
from streamlearn.datasets._stream import SyntheticStream, spawn_generators


@dataclass
class _State:
    features: np.random.Generator
    noise: np.random.Generator


class Friedman(SyntheticStream):
    """The Friedman #1 regression stream (Friedman 1991).

    Ten features are drawn uniformly from [0, 1]; the target depends on the first five only:

    ``y = 10 sin(pi x0 x1) + 20 (x2 - 0.5)^2 + 10 x3 + 5 x4 + e``

    with ``e`` normal with standard deviation ``noise``. The stream is stationary.

    Parameters
    ----------
    seed
        Seed of the random generators; the same seed gives the same stream.
    noise
        Standard deviation of the additive Gaussian noise.
    n_events
        Length of the stream when iterated; ``None`` iterates forever.

    References
    ----------
    J. H. Friedman. Multivariate adaptive regression splines. The Annals of Statistics 19(1),
    1991, pp. 1-67.

    Examples
    --------
    >>> from streamlearn.datasets import Friedman
    >>> data = Friedman(seed=0).take(50_000)
    >>> data.task, data.X.shape
    ('regression', (50000, 10))
    >>> round(float(data.y.mean()), 1), round(float(data.y.std()), 1)
    (14.4, 5.0)
    """

    task = "regression"

    def __init__(self, seed: int = 42, noise: float = 1.0, n_events: int | None = None):
        self.seed = seed
        self.noise = noise
        self.n_events = n_events

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f"x{i}" for i in range(10))

    def _validate(self) -> None:
        check_number(self, "noise", self.noise, low=0.0)

    def _start(self) -> _State:
        features, noise = spawn_generators(self.seed, 2)
        return _State(features=features, noise=noise)

    def _generate(self, state: _State, n: int) -> tuple[np.ndarray, np.ndarray]:
        X = state.features.random((n, 10))
        y = (
            10.0 * np.sin(np.pi * X[:, 0] * X[:, 1])
            + 20.0 * (X[:, 2] - 0.5) ** 2
            + 10.0 * X[:, 3]
            + 5.0 * X[:, 4]
            + self.noise * state.noise.standard_normal(n)
        )
        return X, y
