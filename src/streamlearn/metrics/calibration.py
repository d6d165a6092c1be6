"""Calibration of predicted probabilities: Brier score and expected calibration error.

A model is calibrated when, among the events it gives a probability ``p``, a fraction ``p``
are positive. Both metrics read the probability of ``pos_label`` and keep exact counts, so
they can forget events (``Rolling`` windows cost O(1) per event) and give the same value
whatever the batch sizes.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from streamlearn.core.params import check_number
from streamlearn.metrics._base import (
    Metric,
    Records,
    equals_label,
    plain,
    positive_scores,
    proba_of,
)

UNITS = float(2**32)   # sums are kept as exact integers of 2^-32 (about 2e-10)


def _positive_record(owner: Metric, y_true: Any, y_pred: Any) -> tuple[float, bool]:
    score = proba_of(y_pred, owner.pos_label, owner.pos_label)  # type: ignore[attr-defined]
    if math.isnan(score):
        raise ValueError(f"{type(owner).__name__} got a NaN probability; impute or drop it "
                         "first")
    return score, plain(y_true) == owner.pos_label  # type: ignore[attr-defined]


def _positive_records(owner: Metric, y_true: np.ndarray, y_proba: Any,
                      classes: Sequence[Hashable] | None) -> Records:
    scores = positive_scores(y_proba, classes, owner.pos_label,  # type: ignore[attr-defined]
                             len(y_true), owner)
    if np.isnan(scores).any():
        raise ValueError(f"{type(owner).__name__} got NaN probabilities; impute or drop "
                         "them first")
    return np.asarray(scores, dtype=np.float64), equals_label(
        y_true, owner.pos_label)  # type: ignore[attr-defined]


class BrierScore(Metric):
    """Mean squared difference between P(``pos_label``) and the outcome (1 or 0).

    The Brier score of binary forecasts [1]_: 0 is perfect, 0.25 is what always answering
    0.5 scores. ``y_pred`` is a ``{label: proba}`` dict or P(``pos_label``) as a float.
    ``get()`` is 0.0 before any event. Lower is better.

    References
    ----------
    .. [1] Brier, G. W. (1950). Verification of forecasts expressed in terms of
       probability. Monthly Weather Review 78(1), 1-3.

    Examples
    --------
    >>> from streamlearn.metrics import BrierScore
    >>> metric = BrierScore()
    >>> for y_true, p in [(True, 0.9), (False, 0.2), (True, 0.4)]:
    ...     _ = metric.update(y_true, p)
    >>> round(metric.get(), 6)
    0.136667
    """

    name = "BrierScore"
    needs_proba = True
    bigger_is_better = False
    _revertible = True

    def __init__(self, pos_label: Any = True) -> None:
        self.pos_label = pos_label
        self.n_ = 0
        self.units_ = 0   # the sum of squared errors in units of 2^-32: exact, order-free

    def _record_one(self, y_true: Any, y_pred: Any) -> tuple[int]:
        score, positive = _positive_record(self, y_true, y_pred)
        return (round((min(max(score, 0.0), 1.0) - float(positive)) ** 2 * UNITS),)

    def _records_many(self, y_true: np.ndarray, y_pred: Any, y_proba: Any,
                      classes: Sequence[Hashable] | None) -> Records:
        scores, positive = _positive_records(self, y_true, y_proba, classes)
        squared = (np.clip(scores, 0.0, 1.0) - positive) ** 2
        return (np.round(squared * UNITS).astype(np.int64),)

    def _learn_one(self, record: tuple[int]) -> None:
        self.n_ += 1
        self.units_ += int(record[0])

    def _learn_many(self, records: Records) -> None:
        self.n_ += len(records[0])
        self.units_ += int(records[0].sum())

    def _unlearn_one(self, record: tuple[int]) -> None:
        self.n_ -= 1
        self.units_ -= int(record[0])

    def _unlearn_many(self, records: Records) -> None:
        self.n_ -= len(records[0])
        self.units_ -= int(records[0].sum())

    def get(self) -> float:
        return self.units_ / UNITS / self.n_ if self.n_ else 0.0


class ExpectedCalibrationError(Metric):
    """Expected calibration error over ``n_bins`` equal-width bins of P(``pos_label``).

    Events are binned by their predicted probability; in each bin the mean prediction is
    compared with the fraction of positives, and the gaps are averaged weighted by the bins'
    sizes: ``ECE = sum_b (n_b / n) |mean_p_b - rate_b|`` (Naeini, Cooper & Hauskrecht 2015;
    Guo et al. 2017). A probability of exactly 1 falls in the last bin. 0 is perfect; lower is
    better. Per bin the metric keeps the count, the number of positives and the sum of the
    probabilities, so ``get()`` costs O(n_bins) and events can be forgotten exactly (the sums
    are kept as exact integers of 2^-32, so forgetting leaves no rounding residue).
    ``reliability()`` gives the points of a reliability diagram.

    References
    ----------
    Naeini, M. P., Cooper, G. and Hauskrecht, M. (2015). Obtaining well calibrated
    probabilities using Bayesian binning. AAAI 2015, 2901-2907.
    Guo, C., Pleiss, G., Sun, Y. and Weinberger, K. Q. (2017). On calibration of modern
    neural networks. ICML 2017.

    Examples
    --------
    >>> from streamlearn.metrics import ExpectedCalibrationError
    >>> metric = ExpectedCalibrationError(n_bins=2)
    >>> for y_true, p in [(True, 0.9), (True, 0.7), (False, 0.2), (True, 0.1)]:
    ...     _ = metric.update(y_true, p)
    >>> round(metric.get(), 6)   # bin 1: |0.8 - 1| ; bin 0: |0.15 - 0.5|; each weight 1/2
    0.275
    """

    name = "ECE"
    needs_proba = True
    bigger_is_better = False
    _revertible = True

    def __init__(self, n_bins: int = 10, pos_label: Any = True) -> None:
        self.n_bins = n_bins
        self.pos_label = pos_label

    def _check_params(self) -> None:
        check_number(self, "n_bins", self.n_bins, low=1, integer=True)
        if "counts_" not in self.__dict__:
            self.counts_ = np.zeros(self.n_bins, dtype=np.int64)
            self.positives_ = np.zeros(self.n_bins, dtype=np.int64)
            self.score_units_ = np.zeros(self.n_bins, dtype=np.int64)  # sum of p, in 2^-32

    def _bins(self, scores: np.ndarray) -> np.ndarray:
        return np.clip((scores * self.n_bins).astype(np.int64), 0, self.n_bins - 1)

    def _record_one(self, y_true: Any, y_pred: Any) -> tuple[int, bool, int]:
        score, positive = _positive_record(self, y_true, y_pred)
        clipped = min(max(score, 0.0), 1.0)
        return (int(self._bins(np.array([clipped]))[0]), positive,
                round(clipped * UNITS))

    def _records_many(self, y_true: np.ndarray, y_pred: Any, y_proba: Any,
                      classes: Sequence[Hashable] | None) -> Records:
        scores, positive = _positive_records(self, y_true, y_proba, classes)
        clipped = np.clip(scores, 0.0, 1.0)
        return (self._bins(clipped), positive,
                np.round(clipped * UNITS).astype(np.int64))

    def _add(self, records: Records, sign: int) -> None:
        bins, positive, units = records
        bins = np.asarray(bins, dtype=np.int64)
        self.counts_ += sign * np.bincount(bins, minlength=self.n_bins)
        self.positives_ += sign * np.bincount(bins, weights=np.asarray(positive, dtype=np.float64),
                                              minlength=self.n_bins).astype(np.int64)
        # integer sums per bin, exact whatever the order
        np.add.at(self.score_units_, bins, sign * np.asarray(units, dtype=np.int64))

    def _learn_one(self, record: tuple[int, bool, int]) -> None:
        self._add(tuple(np.asarray([v]) for v in record), 1)

    def _learn_many(self, records: Records) -> None:
        self._add(records, 1)

    def _unlearn_one(self, record: tuple[int, bool, int]) -> None:
        self._add(tuple(np.asarray([v]) for v in record), -1)

    def _unlearn_many(self, records: Records) -> None:
        self._add(records, -1)

    def reliability(self) -> list[dict[str, float]]:
        """Per non-empty bin: its range, its count, the mean prediction and the positive rate."""
        self._check_params()
        points = []
        for b in np.flatnonzero(self.counts_):
            n = int(self.counts_[b])
            points.append({"low": b / self.n_bins, "high": (b + 1) / self.n_bins, "count": n,
                           "mean_proba": self.score_units_[b] / UNITS / n,
                           "positive_rate": self.positives_[b] / n})
        return points

    def get(self) -> float:
        if "counts_" not in self.__dict__:
            return 0.0
        total = int(self.counts_.sum())
        if not total:
            return 0.0
        gaps = np.abs(self.score_units_ / UNITS - self.positives_)
        return float(gaps.sum() / total)
