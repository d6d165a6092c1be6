"""Agrawal's loan-applicant stream: nine attributes and ten classification functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from streamlearn.core.params import check_choice, check_number
from streamlearn.datasets._stream import SyntheticStream, spawn_generators

FEATURES = (
    "salary", "commission", "age", "elevel", "car", "zipcode", "hvalue", "hyears", "loan",
)
_SALARY, _COMMISSION, _AGE, _ELEVEL, _CAR, _ZIPCODE, _HVALUE, _HYEARS, _LOAN = range(9)

# Attributes perturbed when perturbation > 0, with the range each is clipped to.
_PERTURBED = {
    _SALARY: (20_000.0, 150_000.0),
    _COMMISSION: (10_000.0, 75_000.0),
    _AGE: (20.0, 80.0),
    _HVALUE: (0.0, 1_350_000.0),
    _HYEARS: (1.0, 30.0),
    _LOAN: (0.0, 500_000.0),
}


def _between(values: np.ndarray, low: float, high: float) -> np.ndarray:
    return (values >= low) & (values <= high)


def _by_age(age: np.ndarray, young: np.ndarray, middle: np.ndarray, old: np.ndarray):
    """Pick the condition of the age band each row falls in (<40, 40-59, >=60)."""
    return np.where(age < 40, young, np.where(age < 60, middle, old))


def _f1(X: np.ndarray) -> np.ndarray:
    age = X[:, _AGE]
    return (age < 40) | (age >= 60)


def _f2(X: np.ndarray) -> np.ndarray:
    salary = X[:, _SALARY]
    return _by_age(
        X[:, _AGE],
        _between(salary, 50_000, 100_000),
        _between(salary, 75_000, 125_000),
        _between(salary, 25_000, 75_000),
    )


def _f3(X: np.ndarray) -> np.ndarray:
    elevel = X[:, _ELEVEL]
    return _by_age(
        X[:, _AGE], _between(elevel, 0, 1), _between(elevel, 1, 3), _between(elevel, 2, 4)
    )


def _f4(X: np.ndarray) -> np.ndarray:
    elevel, salary = X[:, _ELEVEL], X[:, _SALARY]
    return _by_age(
        X[:, _AGE],
        np.where(
            _between(elevel, 0, 1),
            _between(salary, 25_000, 75_000),
            _between(salary, 50_000, 100_000),
        ),
        np.where(
            _between(elevel, 1, 3),
            _between(salary, 50_000, 100_000),
            _between(salary, 75_000, 125_000),
        ),
        np.where(
            _between(elevel, 2, 4),
            _between(salary, 50_000, 100_000),
            _between(salary, 25_000, 75_000),
        ),
    )


def _f5(X: np.ndarray) -> np.ndarray:
    salary, loan = X[:, _SALARY], X[:, _LOAN]
    return _by_age(
        X[:, _AGE],
        np.where(
            _between(salary, 50_000, 100_000),
            _between(loan, 100_000, 300_000),
            _between(loan, 200_000, 400_000),
        ),
        np.where(
            _between(salary, 75_000, 125_000),
            _between(loan, 200_000, 400_000),
            _between(loan, 300_000, 500_000),
        ),
        np.where(
            _between(salary, 25_000, 75_000),
            _between(loan, 300_000, 500_000),
            _between(loan, 100_000, 300_000),
        ),
    )


def _f6(X: np.ndarray) -> np.ndarray:
    income = X[:, _SALARY] + X[:, _COMMISSION]
    return _by_age(
        X[:, _AGE],
        _between(income, 50_000, 100_000),
        _between(income, 75_000, 125_000),
        _between(income, 25_000, 75_000),
    )


def _income(X: np.ndarray) -> np.ndarray:
    return 0.67 * (X[:, _SALARY] + X[:, _COMMISSION])


def _f7(X: np.ndarray) -> np.ndarray:
    return _income(X) - 0.2 * X[:, _LOAN] - 20_000 > 0


def _f8(X: np.ndarray) -> np.ndarray:
    return _income(X) - 5_000 * X[:, _ELEVEL] - 20_000 > 0


def _f9(X: np.ndarray) -> np.ndarray:
    return _income(X) - 5_000 * X[:, _ELEVEL] - 0.2 * X[:, _LOAN] - 10_000 > 0


def _f10(X: np.ndarray) -> np.ndarray:
    hyears = X[:, _HYEARS]
    equity = np.where(hyears < 20, 0.0, 0.1 * X[:, _HVALUE] * (hyears - 20))
    return _income(X) - 5_000 * X[:, _ELEVEL] + 0.2 * equity - 10_000 > 0


#: The ten classification functions; each returns True for the paper's group A.
FUNCTIONS: tuple[Callable[[np.ndarray], np.ndarray], ...] = (
    _f1, _f2, _f3, _f4, _f5, _f6, _f7, _f8, _f9, _f10,
)


@dataclass
class _State:
    attributes: np.random.Generator
    perturbation: np.random.Generator
    position: int = 0


class Agrawal(SyntheticStream):
    """The loan-applicant stream of Agrawal, Imielinski & Swami (1993), with abrupt drift.

    Each event describes a person by nine attributes, all given as floats: ``salary`` uniform in
    [20k, 150k]; ``commission`` 0 when salary >= 75k, otherwise uniform in [10k, 75k]; ``age``
    an integer uniform in 20-80; ``elevel`` (education level) an integer in 0-4; ``car`` (make)
    an integer in 1-20; ``zipcode`` an integer in 0-8; ``hvalue`` (house value) uniform in
    [0.5 k, 1.5 k] x 100k where ``k = 9 - zipcode``; ``hyears`` (years owned) an integer in
    1-30; ``loan`` uniform in [0, 500k].

    ``classification_function`` (0-9) picks one of the paper's ten functions F1-F10 (index 0 is
    F1: group A when ``age < 40`` or ``age >= 60``). The label is the int 1 when the function
    holds (group A) and 0 otherwise (group B). MOA encodes group A as 0; River uses 1 for
    F1-F6 and 0 for F7-F10.

    ``perturbation`` (the paper's perturbation factor ``p``) adds noise to the numeric
    attributes after the label is drawn: a value ``v`` of an attribute with range ``r`` becomes
    ``v + u * p * r`` with ``u`` uniform in [-0.5, 0.5], clipped to the range; ``age`` and
    ``hyears`` are rounded back to integers, and a zero commission stays zero. This blurs the
    class boundaries.

    With ``drift_every=k`` the function switches abruptly every ``k`` events: events ``t``
    follow function ``(classification_function + t // k) % 10``.

    Parameters
    ----------
    seed
        Seed of the random generators; the same seed gives the same stream.
    classification_function
        Index (0-9) of the classification function F1-F10.
    perturbation
        Perturbation factor in [0, 1].
    drift_every
        Number of events between two abrupt drifts; ``None`` for a stationary stream.
    n_events
        Length of the stream when iterated; ``None`` iterates forever.

    References
    ----------
    R. Agrawal, T. Imielinski and A. Swami. Database mining: a performance perspective. IEEE
    Transactions on Knowledge and Data Engineering 5(6), 1993, pp. 914-925.

    Examples
    --------
    >>> from streamlearn.datasets import Agrawal
    >>> data = Agrawal(seed=5).take(10_000)
    >>> data.feature_names[:3], data.X.shape
    (('salary', 'commission', 'age'), (10000, 9))
    >>> age = data.X[:, 2]
    >>> bool(np.all((data.y == 1) == ((age < 40) | (age >= 60))))
    True
    >>> round(float(data.y.mean()), 2)
    0.67
    """

    task = "binary"

    def __init__(
        self,
        seed: int = 42,
        classification_function: int = 0,
        perturbation: float = 0.0,
        drift_every: int | None = None,
        n_events: int | None = None,
    ):
        self.seed = seed
        self.classification_function = classification_function
        self.perturbation = perturbation
        self.drift_every = drift_every
        self.n_events = n_events

    @property
    def feature_names(self) -> tuple[str, ...]:
        return FEATURES

    def _validate(self) -> None:
        check_choice(self, "classification_function", self.classification_function, range(10))
        check_number(self, "perturbation", self.perturbation, low=0.0, high=1.0)
        if self.drift_every is not None:
            check_number(self, "drift_every", self.drift_every, low=1, integer=True)

    def function_at(self, positions: np.ndarray) -> np.ndarray:
        """The classification function (0-9) in force at each event position (0-based)."""
        positions = np.asarray(positions, dtype=np.int64)
        if self.drift_every is None:
            return np.full(positions.shape, self.classification_function, dtype=np.int64)
        return (self.classification_function + positions // self.drift_every) % len(FUNCTIONS)

    def _start(self) -> _State:
        attributes, perturbation = spawn_generators(self.seed, 2)
        return _State(attributes=attributes, perturbation=perturbation)

    def _attributes(self, rng: np.random.Generator, n: int) -> np.ndarray:
        # Integers are drawn as floor(u * count) from uniform doubles: each event consumes a
        # fixed number of draws, which keeps the stream independent of the block size.
        u = rng.random((n, 9))
        X = np.empty((n, 9))
        X[:, _SALARY] = 20_000 + 130_000 * u[:, 0]
        X[:, _COMMISSION] = np.where(X[:, _SALARY] >= 75_000, 0.0, 10_000 + 65_000 * u[:, 1])
        X[:, _AGE] = 20 + np.floor(61 * u[:, 2])
        X[:, _ELEVEL] = np.floor(5 * u[:, 3])
        X[:, _CAR] = 1 + np.floor(20 * u[:, 4])
        X[:, _ZIPCODE] = np.floor(9 * u[:, 5])
        X[:, _HVALUE] = (9 - X[:, _ZIPCODE]) * 100_000 * (0.5 + u[:, 6])
        X[:, _HYEARS] = 1 + np.floor(30 * u[:, 7])
        X[:, _LOAN] = 500_000 * u[:, 8]
        return X

    def _generate(self, state: _State, n: int) -> tuple[np.ndarray, np.ndarray]:
        X = self._attributes(state.attributes, n)
        functions = self.function_at(np.arange(state.position, state.position + n))
        group_a = np.zeros(n, dtype=bool)
        for index in np.unique(functions):
            rows = functions == index
            group_a[rows] = FUNCTIONS[index](X[rows])
        y = group_a.astype(np.int64)
        noise = state.perturbation.random((n, len(_PERTURBED)))
        if self.perturbation > 0.0:
            for column, (column_index, (low, high)) in enumerate(_PERTURBED.items()):
                values = X[:, column_index]
                shift = (noise[:, column] - 0.5) * self.perturbation * (high - low)
                perturbed = np.clip(values + shift, low, high)
                if column_index in (_AGE, _HYEARS):
                    perturbed = np.round(perturbed)
                if column_index == _COMMISSION:
                    perturbed = np.where(values > 0.0, perturbed, 0.0)
                X[:, column_index] = perturbed
        state.position += n
        return X, y
