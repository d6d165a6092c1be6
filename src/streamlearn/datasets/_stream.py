"""The shared machinery of the synthetic streams: seeding, blocks, `take` and iteration.

A stream generates events in blocks. Each kind of randomness (features, noise, drift) draws
from its own generator, spawned from the seed, and any drift state is carried from one block to
the next, so the events do not depend on how the stream is cut into blocks: ``take(n)`` and the
first ``n`` events of iteration are identical.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import numpy as np

from streamlearn.core.errors import ParameterError
from streamlearn.core.params import check_number
from streamlearn.datasets._base import Dataset

_ITER_BLOCK = 1024
# take() works in blocks too: the temporaries stay cache-sized, and the events are the same.
_TAKE_BLOCK = 65_536


def spawn_generators(seed: int, count: int) -> list[np.random.Generator]:
    """``count`` independent generators derived from ``seed``, one per kind of randomness."""
    return [np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(count)]


def flip(labels: np.ndarray, rng: np.random.Generator, probability: float) -> np.ndarray:
    """Flip boolean ``labels`` with the given probability (label noise)."""
    if probability <= 0.0:
        return labels  # the noise generator is private to labels, so skipping it is safe
    return labels ^ (rng.random(len(labels)) < probability)


class SyntheticStream:
    """Base class of the synthetic streams; subclasses define `_start` and `_generate`."""

    task: str = "binary"

    # ------------------------------------------------------------------ to override
    def _validate(self) -> None:
        """Check the parameters; called before any event is generated."""

    def _start(self) -> Any:
        """A fresh generation state (generators and drift state) for event 0."""
        raise NotImplementedError

    def _generate(self, state: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The next ``n`` events as ``(X, y)``; advances ``state``."""
        raise NotImplementedError

    @property
    def feature_names(self) -> tuple[str, ...]:
        raise NotImplementedError

    # ------------------------------------------------------------------ public
    def take(self, n: int) -> Dataset:
        """The first ``n`` events of the stream, generated in one vectorised pass."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ParameterError(
                f"{type(self).__name__}.take(n): n must be an int >= 0. Got {n!r} instead."
            )
        self._check_common()
        state = self._start()
        if n <= _TAKE_BLOCK:
            X, y = self._generate(state, n)
        else:
            blocks = [
                self._generate(state, min(_TAKE_BLOCK, n - start))
                for start in range(0, n, _TAKE_BLOCK)
            ]
            X = np.concatenate([block[0] for block in blocks])
            y = np.concatenate([block[1] for block in blocks])
        return Dataset(
            name=repr(self),
            X=X,
            y=y,
            feature_names=self.feature_names,
            task=self.task,  # type: ignore[arg-type]
            description=(type(self).__doc__ or "").strip().split("\n\n")[0],
        )

    def __iter__(self) -> Iterator[tuple[dict[str, float], Any]]:
        self._check_common()
        names = self.feature_names
        state = self._start()
        remaining = self.n_events
        while remaining is None or remaining > 0:
            size = _ITER_BLOCK if remaining is None else min(_ITER_BLOCK, remaining)
            X, y = self._generate(state, size)
            for row, label in zip(X.tolist(), y.tolist()):
                yield dict(zip(names, row)), label
            if remaining is not None:
                remaining -= size

    # ------------------------------------------------------------------ parameters
    n_events: int | None
    seed: int

    def _check_common(self) -> None:
        check_number(self, "seed", self.seed, low=0, integer=True)
        if self.n_events is not None:
            check_number(self, "n_events", self.n_events, low=0, integer=True)
        self._validate()

    def get_params(self) -> dict[str, Any]:
        """The parameters, as given to ``__init__``."""
        names = [n for n in inspect.signature(type(self).__init__).parameters if n != "self"]
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        signature = inspect.signature(type(self).__init__).parameters
        shown = [
            f"{name}={value!r}" for name, value in self.get_params().items()
            if signature[name].default != value
        ]
        return f"{type(self).__name__}({', '.join(shown)})"
