"""Logarithmic loss (cross-entropy) of probabilistic predictions."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from streamlearn.metrics._base import (
    Metric,
    Records,
    equals_label,
    plain,
    proba_of,
    require,
    unique_labels,
)
from streamlearn.metrics._kernels import sequential_sum

EPSILON = 1e-15


def _true_class_proba(
    y_true: np.ndarray, proba: np.ndarray, classes: Sequence[Hashable] | None
) -> np.ndarray:
    """Each row's probability of its true class (0 when the class is not a column)."""
    if classes is None or len(classes) != proba.shape[1]:
        raise ValueError(
            f"classes must name the {proba.shape[1]} columns of y_proba; got {classes!r}"
        )
    columns: dict[Any, int] = {}
    for column, label in enumerate(classes):
        columns.setdefault(plain(label), column)
    uniques, inverse = unique_labels(y_true)
    column_of = np.array([columns.get(u, -1) for u in uniques], dtype=np.int64)[inverse]
    found = column_of >= 0
    out = np.zeros(len(y_true))
    out[found] = proba[np.flatnonzero(found), column_of[found]]
    return out


class LogLoss(Metric):
    """Mean negative log-likelihood of the true class, ``-mean(log p(y_true))``.

    Binary and multi-class: ``y_pred`` is a ``{label: proba}`` dict (a true class missing from
    it has probability 0), or a float, the probability of ``pos_label`` (the true class then
    has that probability if it is ``pos_label``, its complement otherwise). In
    ``update_many``, ``y_proba`` is ``(n, k)`` with columns ``classes``, or ``(n,)`` holding
    the probability of ``pos_label``. Probabilities are clipped to ``[1e-15, 1 - 1e-15]`` and
    used as given (not renormalised). ``get()`` is 0.0 before any event. Lower is better.

    Examples
    --------
    >>> from streamlearn.metrics import LogLoss
    >>> metric = LogLoss()
    >>> _ = metric.update(True, {True: 0.8, False: 0.2})
    >>> _ = metric.update(False, 0.4)
    >>> round(metric.get(), 6)
    0.366985
    >>> y_proba = [[0.7, 0.2, 0.1], [0.1, 0.5, 0.4]]
    >>> round(LogLoss().update_many(["a", "c"], y_proba=y_proba, classes=["a", "b", "c"]).get(), 6)
    0.636483
    """

    name = "LogLoss"
    needs_proba = True
    bigger_is_better = False

    def __init__(self, pos_label: Any = True) -> None:
        self.pos_label = pos_label
        self.n_ = 0
        self.total_ = 0.0

    def _record_one(self, y_true: Any, y_pred: Any) -> tuple[float]:
        p = proba_of(y_pred, plain(y_true), self.pos_label)
        return (-math.log(min(max(p, EPSILON), 1.0 - EPSILON)),)

    def _records_many(
        self,
        y_true: np.ndarray,
        y_pred: Any,
        y_proba: Any,
        classes: Sequence[Hashable] | None,
    ) -> Records:
        proba = require(y_proba, "y_proba", len(y_true), self).astype(np.float64, copy=False)
        if proba.ndim == 1:
            p = np.where(equals_label(y_true, self.pos_label), proba, 1.0 - proba)
        else:
            p = _true_class_proba(y_true, proba, classes)
        return (-np.log(np.clip(p, EPSILON, 1.0 - EPSILON)),)

    def _learn_one(self, record: tuple[float]) -> None:
        self.n_ += 1
        self.total_ += record[0]

    def _learn_many(self, records: Records) -> None:
        self.n_ += len(records[0])
        self.total_ = sequential_sum(self.total_, records[0])

    def get(self) -> float:
        return self.total_ / self.n_ if self.n_ else 0.0
