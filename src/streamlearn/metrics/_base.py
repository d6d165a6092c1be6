"""The `Metric` base: one event at a time (River style) or a whole batch at once.

Every metric turns its input into *records* (plain numbers per event: a loss, a score and a
truth flag, a pair of class codes...) and aggregates the records. ``update`` and
``update_many`` are thin wrappers over that pair of steps, so both give the same result;
:class:`~streamlearn.metrics.Rolling` keeps the records of the last events in a ring buffer.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from streamlearn.core.base import Estimator
from streamlearn.core.classes import plain

Records = tuple[np.ndarray, ...]


class Metric(Estimator):
    """Base class of the streaming metrics.

    Subclasses implement four hooks: ``_record_one`` / ``_records_many`` (input to records),
    ``_learn_one`` / ``_learn_many`` (records to state), plus ``get``. Metrics whose state is
    an exact count also implement ``_unlearn_one`` / ``_unlearn_many`` and set
    ``_revertible = True``.
    """

    name: ClassVar[str] = "Metric"
    needs_proba: ClassVar[bool] = False
    task: ClassVar[str] = "classification"
    bigger_is_better: ClassVar[bool] = True
    _revertible: ClassVar[bool] = False
    _as_percent: ClassVar[bool] = False

    # ------------------------------------------------------------------ public API
    def update(self, y_true: Any, y_pred: Any) -> Metric:
        """Account for one event: its true label (or value) and the prediction."""
        self._check_params()
        self._learn_one(self._record_one(y_true, y_pred))
        return self

    def update_many(
        self,
        y_true: Any,
        y_pred: Any = None,
        y_proba: Any = None,
        classes: Sequence[Hashable] | None = None,
    ) -> Metric:
        """Account for a batch of events, exactly as ``update`` row by row would.

        ``y_pred`` holds predicted labels (or values); ``y_proba`` is an ``(n, k)`` array of
        class probabilities whose columns are ``classes``.
        """
        self._check_params()
        y_true = np.asarray(y_true)
        if y_true.ndim != 1:
            raise ValueError(f"y_true must be one-dimensional; got shape {y_true.shape}")
        records = self._records_many(y_true, y_pred, y_proba, classes)
        self._learn_many(records)
        return self

    def get(self) -> float:
        """The current value of the metric."""
        raise NotImplementedError

    def __str__(self) -> str:
        value = self.get()
        if self._as_percent:
            return f"{self.name}: {value:.2%}"
        return f"{self.name}: {value:,.6f}"

    # ------------------------------------------------------------------ hooks
    def _check_params(self) -> None:
        """Validate the hyper-parameters (called on every update; must be cheap)."""

    def _record_one(self, y_true: Any, y_pred: Any) -> tuple[Any, ...]:
        raise NotImplementedError

    def _records_many(
        self,
        y_true: np.ndarray,
        y_pred: Any,
        y_proba: Any,
        classes: Sequence[Hashable] | None,
    ) -> Records:
        raise NotImplementedError

    def _learn_one(self, record: tuple[Any, ...]) -> None:
        raise NotImplementedError

    def _learn_many(self, records: Records) -> None:
        raise NotImplementedError

    def _unlearn_one(self, record: tuple[Any, ...]) -> None:
        raise NotImplementedError(f"{type(self).__name__} cannot forget events")

    def _unlearn_many(self, records: Records) -> None:
        raise NotImplementedError(f"{type(self).__name__} cannot forget events")


# ---------------------------------------------------------------------- input helpers
def require(values: Any, what: str, n: int, owner: Metric) -> np.ndarray:
    """``values`` as an array of ``n`` rows, or a clear error naming the missing argument."""
    if values is None:
        raise ValueError(
            f"{type(owner).__name__}.update_many needs {what}; pass it as a keyword argument"
        )
    array = np.asarray(values)
    if array.ndim == 0 or len(array) != n:
        raise ValueError(
            f"{what} must have one row per event ({n}); got shape {array.shape}"
        )
    return array


def unique_labels(values: np.ndarray) -> tuple[list[Any], np.ndarray]:
    """Distinct labels (as Python scalars) and each row's index into them."""
    if values.dtype == np.bool_:
        has_true, has_false = bool(values.any()), not bool(values.all())
        if has_true and has_false:
            return [False, True], values.view(np.uint8)
        return [has_true] if len(values) else [], np.zeros(len(values), dtype=np.uint8)
    if values.dtype.kind in "biu" and len(values):
        # Labels are usually bools or small ints: count instead of sorting.
        as_int = values.astype(np.int64, copy=False)
        low, high = int(as_int.min()), int(as_int.max())
        if high - low < 4096:
            present = np.bincount(as_int - low, minlength=high - low + 1) > 0
            lookup = np.cumsum(present) - 1
            uniques = (np.flatnonzero(present) + low).astype(values.dtype)
            return [plain(u) for u in uniques], lookup[as_int - low]
    try:
        uniques, inverse = np.unique(values, return_inverse=True)
        return [plain(u) for u in uniques], inverse.reshape(-1)
    except TypeError:  # mixed, unorderable labels
        seen: dict[Any, int] = {}
        inverse = np.array([seen.setdefault(plain(v), len(seen)) for v in values], dtype=np.int64)
        return list(seen), inverse


def equals_label(values: np.ndarray, label: Any) -> np.ndarray:
    """Boolean mask of the rows equal to ``label`` (``1 == True``, as in Python)."""
    kind = values.dtype.kind
    if kind in "US":
        if isinstance(label, str if kind == "U" else bytes):
            return np.asarray(values == label, dtype=bool)
        return np.zeros(len(values), dtype=bool)
    if kind in "biuf" and isinstance(label, int | float):  # bool is an int
        return np.asarray(values == label, dtype=bool)
    uniques, inverse = unique_labels(values)
    hits = np.array([u == label for u in uniques], dtype=bool)
    return hits[inverse] if len(uniques) else np.zeros(len(values), dtype=bool)


def positive_scores(
    y_proba: Any, classes: Sequence[Hashable] | None, pos_label: Any, n: int, owner: Metric
) -> np.ndarray:
    """The probability of ``pos_label`` in each row (0 where it is not among ``classes``).

    ``y_proba`` is ``(n, k)`` with columns ``classes``, or ``(n,)`` already holding it.
    """
    proba = require(y_proba, "y_proba", n, owner).astype(np.float64, copy=False)
    if proba.ndim == 1:
        return proba
    if classes is None or len(classes) != proba.shape[1]:
        raise ValueError(
            f"classes must name the {proba.shape[1]} columns of y_proba; got {classes!r}"
        )
    for column, label in enumerate(classes):
        if plain(label) == pos_label:
            return proba[:, column]
    return np.zeros(n)


def proba_of(y_pred: Mapping[Hashable, float] | float, label: Any, pos_label: Any) -> float:
    """One event's probability of ``label``: from a ``{label: proba}`` dict, or from the
    probability of the positive class (its complement for any other label)."""
    if isinstance(y_pred, Mapping):
        return float(y_pred.get(label, 0.0))
    p = float(y_pred)
    return p if label == pos_label else 1.0 - p
