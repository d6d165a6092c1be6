"""Alerting on a budget: precision, recall and money saved when only the top-scored events
can be investigated, and the expected cost of decisions under a cost matrix."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from numba import njit

from streamlearn.core.params import check_number
from streamlearn.metrics._base import (
    Metric,
    Records,
    equals_label,
    positive_scores,
    proba_of,
)
from streamlearn.metrics._kernels import sorted_window_push


@njit(cache=True)
def _alert_kernel(scores: np.ndarray, ring: np.ndarray, ordered: np.ndarray,
                  state: np.ndarray, budget: float, min_history: int) -> np.ndarray:
    """Per score: whether it beats the k-th largest of the previous ``len(ring)`` scores
    (k = ceil(budget * how many there are)); then the score joins the window. ``ring``
    holds the window in arrival order, ``ordered`` the same scores sorted; ``state`` is
    [next ring slot, scores in the window]."""
    out = np.zeros(len(scores), dtype=np.int8)
    for i in range(len(scores)):
        s = scores[i]
        head, count = state[0], state[1]
        if count >= min_history:
            k = math.ceil(budget * count - 1e-9)
            if k < 1:
                k = 1
            if s > ordered[count - k]:
                out[i] = 1
        state[0], state[1] = sorted_window_push(ring, ordered, head, count, s)
    return out


class _AlertBudget(Metric):
    """Events are alerted as they are scored: an event is alerted when its score (the
    probability of ``pos_label``) is above the k-th largest score of the ``window`` events
    before it, k = ceil(``budget`` × their number), i.e. when it ranks in the top
    ``budget`` of the recent scores: a running quantile threshold that keeps the number of
    alerts near the budget however the scores drift. Nothing is alerted before
    ceil(1 / ``budget``) scores are known. The counts (events, alerts, true alerts,
    positives) are exact, so a :class:`Rolling` window of them costs O(1) per event."""

    needs_proba = True
    _revertible = True
    _as_percent = True

    def __init__(self, budget: float = 0.01, window: int = 5000, pos_label: Any = True):
        self.budget = budget
        self.window = window
        self.pos_label = pos_label

    @property
    def _suffix(self) -> str:
        return f"@{self.budget * 100:g}%"

    def _check_params(self) -> None:
        if "counts_" not in self.__dict__:
            if isinstance(self.budget, bool) or not isinstance(self.budget, int | float) \
                    or not 0.0 < self.budget < 1.0:
                raise ValueError(f"The 'budget' parameter of {type(self).__name__} must be "
                                 f"in (0, 1). Got {self.budget!r} instead.")
            check_number(self, "window", self.window, low=1, integer=True)
            self.counts_ = np.zeros(4, dtype=np.int64)   # events, alerts, true alerts, positives
            self.ring_ = np.zeros(self.window)
            self.ordered_ = np.zeros(self.window)
            self.window_state_ = np.zeros(2, dtype=np.int64)

    def _alerts(self, scores: np.ndarray) -> np.ndarray:
        scores = np.ascontiguousarray(scores, dtype=np.float64)
        scores = np.where(np.isfinite(scores), scores, 0.0)
        return _alert_kernel(scores, self.ring_, self.ordered_, self.window_state_,
                             float(self.budget), math.ceil(1.0 / self.budget - 1e-9))

    def _record_one(self, y_true: Any, y_pred: Any) -> tuple[Any, ...]:
        self._check_params()
        score = proba_of(y_pred, self.pos_label, self.pos_label)
        alerted = int(self._alerts(np.array([score]))[0])
        return alerted, int(y_true == self.pos_label)

    def _records_many(self, y_true: np.ndarray, y_pred: Any, y_proba: Any,
                      classes: Sequence[Hashable] | None) -> Records:
        self._check_params()
        scores = positive_scores(y_proba, classes, self.pos_label, len(y_true), self)
        return self._alerts(scores), equals_label(y_true, self.pos_label).astype(np.int8)

    def _learn_one(self, record: tuple[Any, ...]) -> None:
        self._learn_many(tuple(np.asarray([v]) for v in record))

    def _learn_many(self, records: Records) -> None:
        self._check_params()
        alerted, positive = records
        self.counts_ += np.array([len(alerted), alerted.sum(), (alerted & positive).sum(),
                                  positive.sum()], dtype=np.int64)

    def _unlearn_many(self, records: Records) -> None:
        alerted, positive = records
        self.counts_ -= np.array([len(alerted), alerted.sum(), (alerted & positive).sum(),
                                  positive.sum()], dtype=np.int64)

    def _unlearn_one(self, record: tuple[Any, ...]) -> None:
        self._unlearn_many(tuple(np.asarray([v]) for v in record))

    def _counts(self) -> tuple[int, int, int, int]:
        self._check_params()
        events, alerts, caught, positives = (int(c) for c in self.counts_)
        return events, alerts, caught, positives


class PrecisionAtBudget(_AlertBudget):
    """The fraction of alerts that were positives (frauds), alerting the top ``budget`` of
    the scores (see :class:`_AlertBudget` for the running threshold).

    >>> metric = PrecisionAtBudget(budget=0.25, window=8)
    >>> scores = [0.1, 0.2, 0.3, 0.4, 0.9, 0.1, 0.95, 0.2]
    >>> _ = metric.update_many([0, 0, 0, 0, 1, 0, 0, 0], y_proba=scores)
    >>> metric.get()     # two alerts (0.9 and 0.95), one of them a fraud
    0.5
    """

    @property
    def name(self) -> str:  # type: ignore[override]
        return "Precision" + self._suffix

    def get(self) -> float:
        _, alerts, caught, _ = self._counts()
        return caught / alerts if alerts else 0.0


class RecallAtBudget(_AlertBudget):
    """The fraction of positives (frauds) that were alerted, alerting the top ``budget`` of
    the scores (see :class:`_AlertBudget`).

    >>> metric = RecallAtBudget(budget=0.25, window=8)
    >>> _ = metric.update_many([0, 0, 0, 0, 1, 0, 1, 0],
    ...                        y_proba=[0.1, 0.2, 0.3, 0.4, 0.9, 0.1, 0.05, 0.2])
    >>> metric.get()
    0.5
    """

    @property
    def name(self) -> str:  # type: ignore[override]
        return "Recall" + self._suffix

    def get(self) -> float:
        _, _, caught, positives = self._counts()
        return caught / positives if positives else 0.0


class AlertSavings(_AlertBudget):
    """Money saved per event by investigating the alerts: each fraud alerted saves
    ``fraud_value`` (the average loss a fraud causes), each alert costs ``alert_cost`` (an
    analyst's time); ``(fraud_value × frauds caught - alert_cost × alerts) / events``.
    Metrics see labels and scores only, so the value of a fraud is a constant here; the
    financial-risk example also reports the amounts actually caught.

    >>> metric = AlertSavings(budget=0.25, window=8, fraud_value=100.0, alert_cost=5.0)
    >>> _ = metric.update_many([0, 0, 0, 0, 1, 0, 0, 0],
    ...                        y_proba=[0.1, 0.2, 0.3, 0.4, 0.9, 0.1, 0.95, 0.2])
    >>> metric.get()     # (100 - 2 × 5) / 8
    11.25
    """

    _as_percent = False

    def __init__(self, budget: float = 0.01, window: int = 5000, pos_label: Any = True,
                 fraud_value: float = 100.0, alert_cost: float = 5.0):
        super().__init__(budget, window, pos_label)
        self.fraud_value = fraud_value
        self.alert_cost = alert_cost

    @property
    def name(self) -> str:  # type: ignore[override]
        return "Savings" + self._suffix

    def get(self) -> float:
        events, alerts, caught, _ = self._counts()
        if not events:
            return 0.0
        return (self.fraud_value * caught - self.alert_cost * alerts) / events


class ExpectedCost(Metric):
    """The average cost per event of the decisions a cost matrix calls for: a positive
    missed costs ``fn_cost``, a negative flagged costs ``fp_cost``, and an event is flagged
    when its probability of ``pos_label`` is at least ``fp_cost / (fp_cost + fn_cost)`` (the
    threshold that minimises the expected cost of calibrated probabilities). With the
    German credit data's matrix (a bad credit granted costs 5, a good one refused 1) the
    threshold is 1/6. Lower is better.

    >>> metric = ExpectedCost(fn_cost=5.0, fp_cost=1.0)
    >>> _ = metric.update_many([1, 0, 1, 0], y_proba=[0.9, 0.5, 0.1, 0.05])
    >>> metric.get()     # one bad credit missed (5) and one good one refused (1), over 4
    1.5
    """

    needs_proba = True
    bigger_is_better = False
    _revertible = True

    def __init__(self, fn_cost: float = 5.0, fp_cost: float = 1.0, pos_label: Any = True):
        self.fn_cost = fn_cost
        self.fp_cost = fp_cost
        self.pos_label = pos_label

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"Cost({self.fn_cost:g}:{self.fp_cost:g})"

    def _check_params(self) -> None:
        if "counts_" not in self.__dict__:
            check_number(self, "fn_cost", self.fn_cost, low=0)
            check_number(self, "fp_cost", self.fp_cost, low=0)
            if self.fn_cost + self.fp_cost <= 0:
                raise ValueError("ExpectedCost needs fn_cost + fp_cost > 0. Got "
                                 f"{self.fn_cost!r} and {self.fp_cost!r} instead.")
            self.counts_ = np.zeros(3, dtype=np.int64)   # events, false negatives, false pos.

    @property
    def threshold(self) -> float:
        return self.fp_cost / (self.fp_cost + self.fn_cost)

    def _record_one(self, y_true: Any, y_pred: Any) -> tuple[Any, ...]:
        flagged = proba_of(y_pred, self.pos_label, self.pos_label) >= self.threshold
        return int(flagged), int(y_true == self.pos_label)

    def _records_many(self, y_true: np.ndarray, y_pred: Any, y_proba: Any,
                      classes: Sequence[Hashable] | None) -> Records:
        scores = positive_scores(y_proba, classes, self.pos_label, len(y_true), self)
        return ((scores >= self.threshold).astype(np.int8),
                equals_label(y_true, self.pos_label).astype(np.int8))

    def _learn_one(self, record: tuple[Any, ...]) -> None:
        self._learn_many(tuple(np.asarray([v]) for v in record))

    def _learn_many(self, records: Records) -> None:
        self._check_params()
        flagged, positive = records
        self.counts_ += np.array([len(flagged), (~flagged.astype(bool) & (positive == 1)).sum(),
                                  (flagged.astype(bool) & (positive == 0)).sum()])

    def _unlearn_many(self, records: Records) -> None:
        flagged, positive = records
        self.counts_ -= np.array([len(flagged), (~flagged.astype(bool) & (positive == 1)).sum(),
                                  (flagged.astype(bool) & (positive == 0)).sum()])

    def _unlearn_one(self, record: tuple[Any, ...]) -> None:
        self._unlearn_many(tuple(np.asarray([v]) for v in record))

    def get(self) -> float:
        self._check_params()
        events, missed, refused = (int(c) for c in self.counts_)
        return (self.fn_cost * missed + self.fp_cost * refused) / events if events else 0.0
