"""Regression metrics: MAE, MSE, RMSE and R².

Each returns 0.0 before any event.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from streamlearn.metrics._base import Metric, Records, require
from streamlearn.metrics._kernels import sequential_sum, welford_with_errors


class _RegressionMetric(Metric):
    """Records are the (true value, predicted value) pairs, as floats."""

    task = "regression"
    bigger_is_better = False

    def __init__(self) -> None:
        self.n_ = 0

    def _record_one(self, y_true: Any, y_pred: Any) -> tuple[float, float]:
        return float(y_true), float(y_pred)

    def _records_many(
        self,
        y_true: np.ndarray,
        y_pred: Any,
        y_proba: Any,
        classes: Sequence[Hashable] | None,
    ) -> Records:
        y_pred = require(y_pred, "y_pred", len(y_true), self)
        return y_true.astype(np.float64), y_pred.astype(np.float64)


class MAE(_RegressionMetric):
    """Mean absolute error, ``mean(|y_true - y_pred|)``.

    Examples
    --------
    >>> from streamlearn.metrics import MAE
    >>> MAE().update_many([3.0, -0.5, 2.0, 7.0], y_pred=[2.5, 0.0, 2.0, 8.0]).get()
    0.5
    """

    name = "MAE"

    def __init__(self) -> None:
        super().__init__()
        self.abs_error_sum_ = 0.0

    def _learn_one(self, record: tuple[float, float]) -> None:
        self.n_ += 1
        self.abs_error_sum_ += abs(record[0] - record[1])

    def _learn_many(self, records: Records) -> None:
        self.n_ += len(records[0])
        self.abs_error_sum_ = sequential_sum(self.abs_error_sum_,
                                             np.abs(records[0] - records[1]))

    def get(self) -> float:
        return self.abs_error_sum_ / self.n_ if self.n_ else 0.0


class MSE(_RegressionMetric):
    """Mean squared error, ``mean((y_true - y_pred)²)``.

    Examples
    --------
    >>> from streamlearn.metrics import MSE
    >>> MSE().update_many([3.0, -0.5, 2.0, 7.0], y_pred=[2.5, 0.0, 2.0, 8.0]).get()
    0.375
    """

    name = "MSE"

    def __init__(self) -> None:
        super().__init__()
        self.squared_error_sum_ = 0.0

    def _learn_one(self, record: tuple[float, float]) -> None:
        self.n_ += 1
        self.squared_error_sum_ += (record[0] - record[1]) ** 2

    def _learn_many(self, records: Records) -> None:
        self.n_ += len(records[0])
        self.squared_error_sum_ = sequential_sum(self.squared_error_sum_,
                                                 np.square(records[0] - records[1]))

    def get(self) -> float:
        return self.squared_error_sum_ / self.n_ if self.n_ else 0.0


class RMSE(MSE):
    """Root mean squared error, ``sqrt(MSE)``.

    Examples
    --------
    >>> from streamlearn.metrics import RMSE
    >>> RMSE().update_many([1.0, 2.0], y_pred=[4.0, 6.0]).get()
    3.5355339059327378
    """

    name = "RMSE"

    def get(self) -> float:
        return math.sqrt(super().get())


class R2(_RegressionMetric):
    """Coefficient of determination, ``1 - SSE / SST``.

    The spread of the true values (SST) is kept with Welford's update [1]_, event after
    event also in batches, so the state never depends on how the stream was cut. As in
    scikit-learn (``force_finite=True``), a constant target gives 1.0 for perfect predictions
    and 0.0 otherwise; before any event ``get()`` is 0.0. Bigger is better.

    References
    ----------
    .. [1] Welford, B. P. (1962). Note on a method for calculating corrected sums of squares
       and products. Technometrics 4(3), 419-420.

    Examples
    --------
    >>> from streamlearn.metrics import R2
    >>> round(R2().update_many([3.0, -0.5, 2.0, 7.0], y_pred=[2.5, 0.0, 2.0, 8.0]).get(), 6)
    0.948608
    """

    name = "R2"
    bigger_is_better = True

    def __init__(self) -> None:
        super().__init__()
        self.mean_ = 0.0
        self.sum_of_squares_ = 0.0  # of the true values around their mean
        self.squared_error_sum_ = 0.0

    def _learn_one(self, record: tuple[float, float]) -> None:
        y, y_hat = record
        self.n_ += 1
        delta = y - self.mean_
        self.mean_ += delta / self.n_
        self.sum_of_squares_ += delta * (y - self.mean_)
        self.squared_error_sum_ += (y - y_hat) ** 2

    def _learn_many(self, records: Records) -> None:
        y, y_hat = records
        self.n_, self.mean_, self.sum_of_squares_, self.squared_error_sum_ = (
            welford_with_errors(np.asarray(y, np.float64), np.asarray(y_hat, np.float64),
                                self.n_, self.mean_, self.sum_of_squares_,
                                self.squared_error_sum_))
        self.n_ = int(self.n_)

    def get(self) -> float:
        if not self.n_:
            return 0.0
        if self.sum_of_squares_ <= 0.0:
            return 1.0 if self.squared_error_sum_ == 0.0 else 0.0
        return 1.0 - self.squared_error_sum_ / self.sum_of_squares_
