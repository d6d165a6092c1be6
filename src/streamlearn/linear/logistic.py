"""Logistic regression trained online, one optimizer step per event."""

from __future__ import annotations

from typing import Any

from streamlearn.core.learners import Classifier
from streamlearn.linear import _kernels as kernels
from streamlearn.linear._base import BinaryTargetsMixin, OneOutputLinear
from streamlearn.linear.optimizers import FTRL, Adam, Optimizer


class LogisticRegression(BinaryTargetsMixin, OneOutputLinear, Classifier):
    """Binary logistic regression (log loss), one optimizer step per event.

    Defaults follow River's ``linear_model.LogisticRegression``: zero initial weights, SGD with
    learning rate 0.01 for the weights, plain SGD steps of ``intercept_lr`` for the intercept,
    no regularisation, so the same stream gives the same numbers. ``optimizer`` (``SGD``,
    ``Adam`` or ``FTRL``) replaces the default ``SGD(learning_rate)``. ``l2`` adds
    ``l2 * w`` to the gradient of each weight whose feature is present; ``l1`` applies the
    cumulative L1 penalty of Tsuruoka, Tsujii & Ananiadou (2009) (both may be combined).
    The loss gradient is clipped to ``[-clip_gradient, clip_gradient]``. The positive class
    is ``pos_label``; any other label is the negative class.

    >>> model = LogisticRegression(learning_rate=0.5)
    >>> for _ in range(20):
    ...     _ = model.learn_one({"x": 1.0}, True).learn_one({"x": -1.0}, False)
    >>> model.predict_one({"x": 2.0}), round(model.predict_proba_one({"x": 2.0})[True], 4)
    (True, 0.9971)

    With an L1 penalty, a feature that carries no signal keeps a weight of exactly zero:

    >>> model = LogisticRegression(learning_rate=0.5, l1=0.01)
    >>> for _ in range(20):
    ...     _ = model.learn_one({"x": 1.0, "noise": 0.01}, True)
    ...     _ = model.learn_one({"x": -1.0, "noise": 0.01}, False)
    >>> round(model.weights["x"], 4), model.weights["noise"]
    (2.8217, 0.0)
    """

    _tags = {"binary_only": True}
    _loss = kernels.LOSS_LOG

    @classmethod
    def _check_instances(cls) -> list[LogisticRegression]:
        """The variants the conformance suite runs: each optimizer, with penalties."""
        return [cls(), cls(optimizer=Adam(0.05), l1=1e-3, l2=1e-3), cls(optimizer=FTRL(l1=0.1))]

    def __init__(self, learning_rate: float = 0.01, l2: float = 0.0,
                 intercept_lr: float = 0.01, clip_gradient: float = 1e12,
                 pos_label: Any = True, optimizer: Optimizer | None = None, l1: float = 0.0):
        self.learning_rate = learning_rate
        self.l2 = l2
        self.intercept_lr = intercept_lr
        self.clip_gradient = clip_gradient
        self.pos_label = pos_label
        self.optimizer = optimizer
        self.l1 = l1

