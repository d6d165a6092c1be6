"""A recall-first decision threshold, chosen on the stream, and what it costs in precision."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from numba import njit

from streamlearn.core.params import check_choice, check_number
from streamlearn.metrics._base import (
    Metric,
    Records,
    equals_label,
    plain,
    positive_scores,
    proba_of,
)
from streamlearn.metrics._kernels import sorted_window_push

REPORTS = ("precision", "recall", "threshold", "alert_rate")


@njit(cache=True)
def _decide_and_learn(scores, positive, ring, ordered, state, counts, min_recall, warm_up,
                      decisions):
    """Row by row: alert when the score reaches the current threshold, count the outcome,
    then (for a positive) put its score among the recent positives and choose the threshold
    again. ``state`` = (positives in the window, ring head, threshold); ``counts`` = (true
    positives, false negatives, false positives, true negatives)."""
    for i in range(len(scores)):
        score = scores[i]
        alert = score >= state[2]
        decisions[i] = alert
        if positive[i]:
            counts[0 if alert else 1] += 1
        else:
            counts[2 if alert else 3] += 1
        if not positive[i]:
            continue
        head, size = sorted_window_push(ring, ordered, int(state[1]), int(state[0]), score)
        state[0] = size
        state[1] = head
        if size >= warm_up:
            # alerting on score >= ordered[k] catches size - k positives: the largest k that
            # keeps (size - k) / size >= min_recall
            k = math.floor(size * (1.0 - min_recall) + 1e-9)
            state[2] = ordered[min(k, size - 1)]


class RecallFirstThreshold(Metric):
    """Alert when P(``pos_label``) reaches a threshold kept so that recall stays high.

    The threshold is the largest one that would have caught a fraction ``min_recall`` of the
    last ``window`` positive events (the ``(1 - min_recall)`` quantile of their scores,
    exactly); it is chosen again after every positive. Each event is decided *before* its own
    label is used (prequentially, with the threshold left by the events before it), and the
    decisions are counted: the realised recall is what a clinician relying on the alerts gets,
    and the precision is its price. Until ``warm_up`` positives have been seen the threshold
    is 0: everything alerts.

    ``report`` chooses what ``get()`` returns: ``"precision"`` (the default), ``"recall"``,
    ``"threshold"`` (the current one) or ``"alert_rate"`` (the fraction of events that
    alerted); ``precision``, ``recall``, ``threshold`` and ``alert_rate`` are also properties.
    The decisions depend on the order of the events, not on how they are batched. In a
    ``Rolling`` window the metric is replayed over the window's events from a fresh threshold.

    Examples
    --------
    >>> from streamlearn.metrics import RecallFirstThreshold
    >>> metric = RecallFirstThreshold(min_recall=0.9, warm_up=2)
    >>> scores = [0.9, 0.2, 0.8, 0.3, 0.7, 0.6, 0.1, 0.85]
    >>> labels = [True, False, True, False, True, False, False, True]
    >>> _ = metric.update_many(labels, y_proba=scores)
    >>> metric.threshold, metric.recall, metric.precision   # 0.7 came before 0.8 was passed
    (0.7, 0.75, 0.75)
    """

    needs_proba = True
    _as_percent = True

    def __init__(self, min_recall: float = 0.98, window: int = 1000, warm_up: int = 10,
                 report: str = "precision", pos_label: Any = True) -> None:
        self.min_recall = min_recall
        self.window = window
        self.warm_up = warm_up
        self.report = report
        self.pos_label = pos_label

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"RecallFirst{self.report.title().replace('_', '')}({self.min_recall:g})"

    @property
    def bigger_is_better(self) -> bool:  # type: ignore[override]
        return self.report in ("precision", "recall")

    def _check_params(self) -> None:
        check_number(self, "min_recall", self.min_recall, low=0, high=1, low_inclusive=False)
        check_number(self, "window", self.window, low=1, integer=True)
        check_number(self, "warm_up", self.warm_up, low=1, integer=True)
        check_choice(self, "report", self.report, REPORTS)
        if "ring_" not in self.__dict__:
            self.ring_ = np.zeros(self.window)
            self.ordered_ = np.zeros(self.window)
            self.state_ = np.zeros(3)             # window size, ring head, threshold
            self.counts_ = np.zeros(4, dtype=np.int64)

    # ------------------------------------------------------------------ records
    def _record_one(self, y_true: Any, y_pred: Any) -> tuple[float, bool]:
        score = proba_of(y_pred, self.pos_label, self.pos_label)
        if math.isnan(score):
            raise ValueError("RecallFirstThreshold got a NaN probability; impute or drop it")
        return score, plain(y_true) == self.pos_label

    def _records_many(self, y_true: np.ndarray, y_pred: Any, y_proba: Any,
                      classes: Sequence[Hashable] | None) -> Records:
        scores = positive_scores(y_proba, classes, self.pos_label, len(y_true), self)
        if np.isnan(scores).any():
            raise ValueError("RecallFirstThreshold got NaN probabilities; impute or drop them")
        return np.asarray(scores, dtype=np.float64), equals_label(y_true, self.pos_label)

    def _learn_one(self, record: tuple[float, bool]) -> None:
        self._learn_many((np.array([record[0]]), np.array([record[1]])))

    def _learn_many(self, records: Records) -> None:
        self._check_params()
        scores, positive = records
        decisions = np.zeros(len(scores), dtype=np.bool_)
        _decide_and_learn(np.ascontiguousarray(scores, dtype=np.float64),
                          np.ascontiguousarray(positive, dtype=np.bool_), self.ring_,
                          self.ordered_, self.state_, self.counts_, float(self.min_recall),
                          int(self.warm_up), decisions)

    # ------------------------------------------------------------------ values
    def _counts(self) -> np.ndarray:
        return self.__dict__.get("counts_", np.zeros(4, dtype=np.int64))

    @property
    def recall(self) -> float:
        """True positives over positives, with each event decided before its label."""
        tp, fn = int(self._counts()[0]), int(self._counts()[1])
        return tp / (tp + fn) if tp + fn else 0.0

    @property
    def precision(self) -> float:
        """True positives over alerts."""
        tp, fp = int(self._counts()[0]), int(self._counts()[2])
        return tp / (tp + fp) if tp + fp else 0.0

    @property
    def threshold(self) -> float:
        """The threshold the next event will be decided with."""
        state = self.__dict__.get("state_")
        return 0.0 if state is None else float(state[2])

    @property
    def alert_rate(self) -> float:
        counts = self._counts()
        total = int(counts.sum())
        return int(counts[0] + counts[2]) / total if total else 0.0

    def get(self) -> float:
        return float(getattr(self, self.report)) if self.report in REPORTS else 0.0
