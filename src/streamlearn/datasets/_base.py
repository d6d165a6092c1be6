"""`Dataset`: a finite, in-memory stream of events held as arrays."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from os import PathLike
from typing import Any, Literal

import numpy as np

from streamlearn.core.errors import ParameterError, require

Task = Literal["binary", "multiclass", "regression"]
TASKS: tuple[str, ...] = ("binary", "multiclass", "regression")


@dataclass(eq=False)
class Dataset:
    """A finite stream of events: features ``X`` (float64, one row per event) and labels ``y``.

    Iterating yields ``(x, y)`` pairs in River style: ``x`` a dict from feature name to Python
    float, ``y`` a plain Python label (bool, int, float or str).

    >>> import numpy as np
    >>> data = Dataset(
    ...     name="toy", X=np.array([[1.0, 2.0], [3.0, 4.0]]), y=np.array([True, False]),
    ...     feature_names=("a", "b"), task="binary",
    ... )
    >>> len(data)
    2
    >>> next(iter(data))
    ({'a': 1.0, 'b': 2.0}, True)
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    task: Task
    description: str = ""

    def __post_init__(self) -> None:
        self.X = np.ascontiguousarray(self.X, dtype=np.float64)
        self.y = np.asarray(self.y)
        self.feature_names = tuple(str(name) for name in self.feature_names)
        if self.X.ndim != 2:
            raise ParameterError(
                f"Dataset {self.name!r}: X must be 2-dimensional (events x features); "
                f"got shape {self.X.shape}."
            )
        if self.y.ndim != 1 or len(self.y) != len(self.X):
            raise ParameterError(
                f"Dataset {self.name!r}: y must be 1-dimensional with one label per row of X "
                f"({len(self.X)} rows); got shape {self.y.shape}."
            )
        if len(self.feature_names) != self.X.shape[1]:
            raise ParameterError(
                f"Dataset {self.name!r}: {len(self.feature_names)} feature names for "
                f"{self.X.shape[1]} columns of X; give one name per column."
            )
        if self.task not in TASKS:
            raise ParameterError(
                f"Dataset {self.name!r}: task must be one of {', '.join(TASKS)}; "
                f"got {self.task!r}."
            )

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    def __len__(self) -> int:
        return len(self.X)

    def __iter__(self) -> Iterator[tuple[dict[str, float], Any]]:
        names = self.feature_names
        # tolist() converts to Python floats and plain labels in C, once for the whole array.
        for row, label in zip(self.X.tolist(), self.y.tolist()):
            yield dict(zip(names, row)), label

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, n_events={len(self)}, "
            f"n_features={self.n_features}, task={self.task!r})"
        )

    def head(self, n: int = 5) -> Dataset:
        """The first ``n`` events, as a new `Dataset`."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ParameterError(f"head(n): n must be an int >= 0. Got {n!r} instead.")
        return Dataset(
            name=self.name,
            X=self.X[:n].copy(),
            y=self.y[:n].copy(),
            feature_names=self.feature_names,
            task=self.task,
            description=self.description,
        )

    def to_frame(self, target: str = "y"):
        """A pandas DataFrame: one column per feature, then the label in column ``target``."""
        pd = require("pandas", "data")
        if target in self.feature_names:
            raise ParameterError(
                f"to_frame: target column {target!r} clashes with a feature name; "
                "pass another name, e.g. target='label'."
            )
        frame = pd.DataFrame(self.X, columns=list(self.feature_names), copy=True)
        frame[target] = self.y
        return frame

    def to_csv(self, path: str | PathLike[str], target: str = "y") -> None:
        """Write the events to ``path`` as CSV, with a header row and the label last.

        Floats are written at full precision, so reading the file back gives the same values.
        """
        self.to_frame(target=target).to_csv(path, index=False)
