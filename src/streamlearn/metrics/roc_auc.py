"""Exact area under the ROC curve over a whole stream."""

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
    positive_scores,
    proba_of,
)


def _below_twice(runs: list[np.ndarray], scores: np.ndarray) -> int:
    """Sum over ``scores`` of 2 × (#values below) + (#values equal), across sorted runs."""
    total = 0
    for run in runs:
        total += int(np.searchsorted(run, scores, "left").sum())
        total += int(np.searchsorted(run, scores, "right").sum())
    return total


def _insert(runs: list[np.ndarray], sorted_scores: np.ndarray) -> None:
    """Add a sorted run, merging runs of similar size so there are O(log n) of them."""
    runs.append(sorted_scores)
    while len(runs) > 1 and len(runs[-2]) <= 2 * len(runs[-1]):
        last = runs.pop()
        # Timsort ("stable") finds the two sorted halves and merges them in linear time.
        runs[-1] = np.sort(np.concatenate((runs[-1], last)), kind="stable")


class ROCAUC(Metric):
    """Exact area under the ROC curve of the scores given to the positive class.

    The area equals the Mann-Whitney U statistic divided by ``n_pos × n_neg``: the fraction of
    (positive, negative) pairs in which the positive event has the higher score, ties counting
    one half [1]_ — exactly what ``sklearn.metrics.roc_auc_score`` computes. The statistic is
    kept as an exact integer (twice U) and grows by the pairs each new event forms with the
    events before it; scores are kept in O(log n) sorted runs (a log-structured merge), so a
    stream of n events costs O(n log² n) in all, whatever the batch sizes and however often
    ``get()`` is called.

    An event's score is the probability of ``pos_label``: ``y_pred`` is a ``{label: proba}``
    dict (a missing ``pos_label`` counts as 0) or that probability as a float. The metric is
    the one-vs-rest area of ``pos_label``, also on multi-class streams. Until both a positive
    and a negative event have been seen, ``get()`` returns 0.0.

    References
    ----------
    .. [1] Hanley, J. A. and McNeil, B. J. (1982). The meaning and use of the area under a
       receiver operating characteristic (ROC) curve. Radiology 143(1), 29-36.

    Examples
    --------
    >>> from streamlearn.metrics import ROCAUC
    >>> metric = ROCAUC()
    >>> for y_true, p in [(False, 0.1), (False, 0.4), (True, 0.35), (True, 0.8)]:
    ...     _ = metric.update(y_true, {True: p, False: 1 - p})
    >>> metric.get()
    0.75
    >>> ROCAUC().update_many([0, 0, 1, 1], y_proba=[[0.9, 0.1], [0.6, 0.4], [0.6, 0.4],
    ...                                             [0.2, 0.8]], classes=[0, 1]).get()
    0.875
    """

    name = "ROCAUC"
    needs_proba = True
    _as_percent = True

    def __init__(self, pos_label: Any = True) -> None:
        self.pos_label = pos_label
        self.n_pos_ = 0
        self.n_neg_ = 0
        self.twice_u_ = 0  # twice the Mann-Whitney U statistic: an exact integer
        self.pos_runs_: list[np.ndarray] = []
        self.neg_runs_: list[np.ndarray] = []

    def _record_one(self, y_true: Any, y_pred: Any) -> tuple[float, bool]:
        score = proba_of(y_pred, self.pos_label, self.pos_label)
        if math.isnan(score):
            raise ValueError("ROCAUC got a NaN probability; impute or drop it first")
        return score, plain(y_true) == self.pos_label

    def _records_many(
        self,
        y_true: np.ndarray,
        y_pred: Any,
        y_proba: Any,
        classes: Sequence[Hashable] | None,
    ) -> Records:
        scores = positive_scores(y_proba, classes, self.pos_label, len(y_true), self)
        if np.isnan(scores).any():
            raise ValueError("ROCAUC got NaN probabilities; impute or drop them first")
        return scores, equals_label(y_true, self.pos_label)

    def _learn_one(self, record: tuple[float, bool]) -> None:
        score, positive = record
        run = np.array([score], dtype=np.float64)
        if positive:
            self.twice_u_ += _below_twice(self.neg_runs_, run)
            self.n_pos_ += 1
            _insert(self.pos_runs_, run)
        else:
            self.twice_u_ += 2 * self.n_pos_ - _below_twice(self.pos_runs_, run)
            self.n_neg_ += 1
            _insert(self.neg_runs_, run)

    def _learn_many(self, records: Records) -> None:
        scores, is_pos = records
        pos = np.sort(scores[is_pos], kind="stable")
        neg = np.sort(scores[~is_pos], kind="stable")
        # New positives against all negatives (earlier ones and this batch's).
        twice_u = _below_twice([*self.neg_runs_, neg], pos)
        # New negatives against earlier positives: 2 × (#above) + (#equal) each, which is
        # 2 × n_pos minus (2 × #below + #equal).
        twice_u += 2 * self.n_pos_ * len(neg) - _below_twice(self.pos_runs_, neg)
        self.twice_u_ += twice_u
        self.n_pos_ += len(pos)
        self.n_neg_ += len(neg)
        if len(pos):
            _insert(self.pos_runs_, pos)
        if len(neg):
            _insert(self.neg_runs_, neg)

    def get(self) -> float:
        pairs = self.n_pos_ * self.n_neg_
        return self.twice_u_ / (2 * pairs) if pairs else 0.0
