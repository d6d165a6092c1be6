"""SEA concepts: a threshold on the sum of two of three features, with abrupt drift."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from streamlearn.core.errors import ParameterError
from streamlearn.core.params import check_choice, check_number
from streamlearn.datasets._stream import SyntheticStream, flip, spawn_generators

#: The thresholds of the four concepts of Street & Kim (2001).
THRESHOLDS = (8.0, 9.0, 7.0, 9.5)


@dataclass
class _State:
    features: np.random.Generator
    noise: np.random.Generator
    position: int = 0


class SEA(SyntheticStream):
    """The SEA concepts stream of Street & Kim (2001), with abrupt concept drift.

    Each event has three features drawn uniformly from [0, 10]; only the first two matter.
    Concept ``v`` labels an event ``True`` when ``x0 + x1 > theta_v``, with ``theta`` in
    (8, 9, 7, 9.5): in the paper's words, points with ``f1 + f2 <= theta`` belong to the first
    class, the others to the second (``True`` here, as in MOA and River). Label noise flips each
    label with probability ``noise``.

    Without drift (``drift_every=None``) the stream follows the single concept ``variant``.
    With ``drift_every=k`` the concept switches abruptly every ``k`` events, cycling through
    ``variants`` from the first: events ``0..k-1`` follow ``variants[0]``, the next ``k`` follow
    ``variants[1]``, and so on.

    Without noise, about 68% of the labels are ``True`` for concept 0 (``1 - 8**2 / 200``),
    59.5% for concept 1, 75.5% for concept 2 and 54.9% for concept 3.

    Parameters
    ----------
    seed
        Seed of the random generators; the same seed gives the same stream.
    variant
        The concept (0-3) of a stream without drift.
    noise
        Probability of flipping each label.
    drift_every
        Number of events between two abrupt drifts; ``None`` for a stationary stream.
    variants
        The sequence of concepts cycled through when ``drift_every`` is set.
    n_events
        Length of the stream when iterated; ``None`` iterates forever.

    References
    ----------
    W. N. Street and Y. Kim. A streaming ensemble algorithm (SEA) for large-scale
    classification. KDD 2001, pp. 377-382.

    Examples
    --------
    >>> from streamlearn.datasets import SEA
    >>> data = SEA(seed=1, noise=0.0).take(10_000)
    >>> data.X.shape, data.feature_names
    ((10000, 3), ('x0', 'x1', 'x2'))
    >>> round(float(data.y.mean()), 3)
    0.675
    >>> bool(np.all(data.y == (data.X[:, 0] + data.X[:, 1] > 8.0)))
    True
    """

    task = "binary"

    def __init__(
        self,
        seed: int = 42,
        variant: int = 0,
        noise: float = 0.1,
        drift_every: int | None = None,
        variants: tuple[int, ...] = (0, 1, 2, 3),
        n_events: int | None = None,
    ):
        self.seed = seed
        self.variant = variant
        self.noise = noise
        self.drift_every = drift_every
        self.variants = variants
        self.n_events = n_events

    @property
    def feature_names(self) -> tuple[str, ...]:
        return ("x0", "x1", "x2")

    def _validate(self) -> None:
        check_choice(self, "variant", self.variant, range(len(THRESHOLDS)))
        check_number(self, "noise", self.noise, low=0.0, high=1.0)
        if self.drift_every is not None:
            check_number(self, "drift_every", self.drift_every, low=1, integer=True)
        variants = tuple(self.variants)
        if not variants or any(
            isinstance(v, bool) or v not in range(len(THRESHOLDS)) for v in variants
        ):
            raise ParameterError(
                "The 'variants' parameter of SEA must be a non-empty sequence of concepts "
                f"0-3. Got {self.variants!r} instead."
            )

    def concept_at(self, positions: np.ndarray) -> np.ndarray:
        """The concept (0-3) in force at each event position (0-based)."""
        positions = np.asarray(positions, dtype=np.int64)
        if self.drift_every is None:
            return np.full(positions.shape, self.variant, dtype=np.int64)
        variants = np.asarray(self.variants, dtype=np.int64)
        return variants[(positions // self.drift_every) % len(variants)]

    def _start(self) -> _State:
        features, noise = spawn_generators(self.seed, 2)
        return _State(features=features, noise=noise)

    def _generate(self, state: _State, n: int) -> tuple[np.ndarray, np.ndarray]:
        X = 10.0 * state.features.random((n, 3))
        concepts = self.concept_at(np.arange(state.position, state.position + n))
        theta = np.asarray(THRESHOLDS)[concepts]
        y = flip(X[:, 0] + X[:, 1] > theta, state.noise, self.noise)
        state.position += n
        return X, y
