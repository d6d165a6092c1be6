"""Linear regression trained online, one optimizer step per event."""

from __future__ import annotations

import numpy as np

from streamlearn.core.learners import Regressor, numeric_labels
from streamlearn.linear import _kernels as kernels
from streamlearn.linear._base import OneOutputLinear
from streamlearn.linear.optimizers import FTRL, Adam, Optimizer


class LinearRegression(OneOutputLinear, Regressor):
    """Least-squares linear regression, one optimizer step per event.

    Defaults follow River's ``linear_model.LinearRegression``: zero initial weights, squared
    loss ``(y - p)^2`` (gradient ``2 (p - y)``), SGD with learning rate 0.01 for the weights
    and plain SGD steps of ``intercept_lr`` for the intercept, so the same stream gives the
    same numbers. ``optimizer`` (``SGD``, ``Adam`` or ``FTRL``) replaces the default
    ``SGD(learning_rate)``; ``l2`` is a ridge penalty on the weights of the features present;
    ``l1`` applies the cumulative L1 penalty of Tsuruoka, Tsujii & Ananiadou (2009). Features
    should be on comparable scales (put a ``StandardScaler`` first).

    >>> model = LinearRegression(learning_rate=0.05, intercept_lr=0.05)
    >>> for _ in range(100):
    ...     _ = model.learn_one({"x": 1.0}, 3.0).learn_one({"x": -1.0}, -1.0)
    >>> round(model.predict_one({"x": 0.5}), 4), round(model.intercept, 4)
    (2.0, 1.0)
    """

    _loss = kernels.LOSS_SQUARED

    @classmethod
    def _check_instances(cls) -> list[LinearRegression]:
        """The variants the conformance suite runs: each optimizer, with penalties."""
        return [cls(), cls(optimizer=Adam(0.05), l1=1e-3), cls(optimizer=FTRL())]

    def __init__(self, learning_rate: float = 0.01, optimizer: Optimizer | None = None,
                 l2: float = 0.0, l1: float = 0.0, intercept_lr: float = 0.01,
                 clip_gradient: float = 1e12):
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.l2 = l2
        self.l1 = l1
        self.intercept_lr = intercept_lr
        self.clip_gradient = clip_gradient

    def _targets(self, y: np.ndarray | None, learn: np.ndarray) -> np.ndarray:
        return numeric_labels(self, y, learn)
