"""Accuracy, precision, recall and F1, computed from an exact confusion matrix.

Every metric here returns 0.0 before any event, and 0.0 wherever a ratio would divide by zero
(as scikit-learn does with ``zero_division=0``). Macro averages run over the classes that
occur (as a true or a predicted label) in the events counted.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.params import check_choice
from streamlearn.metrics.confusion import ConfusionCounts

AVERAGES = ("binary", "macro", "micro")


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.zeros_like(numerator, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


class Accuracy(ConfusionCounts):
    """The fraction of events whose predicted label is the true label.

    Examples
    --------
    >>> from streamlearn.metrics import Accuracy
    >>> metric = Accuracy()
    >>> for y_true, y_pred in [(True, True), (False, True), (True, True), (False, False)]:
    ...     _ = metric.update(y_true, y_pred)
    >>> metric.get()
    0.75
    >>> print(metric)
    Accuracy: 75.00%
    """

    name = "Accuracy"
    _as_percent = True

    def get(self) -> float:
        total = self.counts_.sum()
        return float(np.trace(self.counts_) / total) if total else 0.0


class _Averaged(ConfusionCounts):
    """A per-class score, for the positive class or averaged over classes."""

    _as_percent = True
    _title = ""

    def __init__(self, average: str = "binary", pos_label: Any = True) -> None:
        super().__init__()
        self.average = average
        self.pos_label = pos_label

    def _check_params(self) -> None:
        check_choice(self, "average", self.average, AVERAGES)

    @property
    def name(self) -> str:  # type: ignore[override]
        prefix = {"macro": "Macro", "micro": "Micro"}.get(self.average, "")
        return prefix + self._title

    def _scores(
        self, tp: np.ndarray, true_totals: np.ndarray, pred_totals: np.ndarray
    ) -> np.ndarray:
        raise NotImplementedError

    def get(self) -> float:
        self._check_params()
        self._grow()
        tp, true_totals, pred_totals, present = self._per_class()
        if self.average == "micro":
            # Each event is one false positive and one false negative when it is wrong, so
            # micro precision, recall and F1 all equal accuracy.
            scores = self._scores(tp.sum(keepdims=True), true_totals.sum(keepdims=True),
                                  pred_totals.sum(keepdims=True))
            return float(scores[0])
        if self.average == "binary":
            code = self._pos_code(self.pos_label)
            if code is None:
                return 0.0
            return float(self._scores(tp, true_totals, pred_totals)[code])
        if not present.any():
            return 0.0
        scores = self._scores(tp[present], true_totals[present], pred_totals[present])
        return float(scores.mean())


class Precision(_Averaged):
    """Of the events predicted as a class, the fraction that belong to it.

    ``average="binary"`` scores the class ``pos_label``; ``"macro"`` averages the per-class
    scores; ``"micro"`` pools the counts of all classes.

    Examples
    --------
    >>> from streamlearn.metrics import Precision
    >>> Precision().update_many([True, False, True, False], y_pred=[True, True, False, False]).get()
    0.5
    >>> Precision(average="macro").update_many(["a", "b", "c"], y_pred=["a", "a", "c"]).get()
    0.5
    """

    _title = "Precision"

    def _scores(self, tp, true_totals, pred_totals):
        return _ratio(tp, pred_totals)


class Recall(_Averaged):
    """Of the events of a class, the fraction predicted as that class.

    Examples
    --------
    >>> from streamlearn.metrics import Recall
    >>> Recall().update_many([1, 1, 1, 0], y_pred=[1, 0, 1, 1]).get()
    0.6666666666666666
    """

    _title = "Recall"

    def _scores(self, tp, true_totals, pred_totals):
        return _ratio(tp, true_totals)


class F1(_Averaged):
    """The harmonic mean of precision and recall, ``2 tp / (2 tp + fp + fn)``.

    The macro average is the mean of the per-class F1 scores (as in scikit-learn and River).

    Examples
    --------
    >>> from streamlearn.metrics import F1
    >>> F1().update_many([1, 1, 1, 0], y_pred=[1, 0, 1, 1]).get()
    0.6666666666666666
    >>> print(F1(average="macro").update_many(["a", "b", "b"], y_pred=["a", "b", "a"]))
    MacroF1: 66.67%
    """

    _title = "F1"

    def _scores(self, tp, true_totals, pred_totals):
        return _ratio(2.0 * tp, true_totals + pred_totals)
