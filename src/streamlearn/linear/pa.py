"""Passive-aggressive learning for classification and regression."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.learners import Classifier, Regressor, numeric_labels
from streamlearn.core.params import check_choice, check_number
from streamlearn.linear import _kernels as kernels
from streamlearn.linear._base import BinaryTargetsMixin, OneOutputLinear


class _PassiveAggressive(OneOutputLinear):
    """Shared by both PA models: the closed-form step replaces the optimizer.

    Crammer, Dekel, Keshet, Shalev-Shwartz & Singer (2006), "Online passive-aggressive
    algorithms", JMLR 7: after suffering loss ``l`` on an event with features ``x``, the
    weights move by ``tau * s * x`` with ``tau = l / |x|^2`` (PA, ``mode=0``),
    ``min(C, l / |x|^2)`` (PA-I, ``mode=1``) or ``l / (|x|^2 + 1 / (2C))`` (PA-II,
    ``mode=2``). As in River, the intercept (when learnt) takes the same step but is left out
    of ``|x|^2``. ``C`` is the aggressiveness: the only regularisation PA has.
    """


    def _validate(self) -> None:
        check_number(self, "C", self.C, low=0, low_inclusive=False)
        check_choice(self, "mode", self.mode, (0, 1, 2))

    def _loss_params(self) -> np.ndarray:
        return np.array([float(self.mode), float(self.C), float(getattr(self, "eps", 0.0))])

    def _regularisation(self) -> np.ndarray:
        # the PA step enters the kernel as a gradient with SGD of step 1
        return np.array([0.0, 0.0, np.inf, 1.0 if self.learn_intercept else 0.0, 0.0])


class PAClassifier(BinaryTargetsMixin, _PassiveAggressive, Classifier):
    """Binary passive-aggressive classifier (hinge loss ``max(0, 1 - s p)``).

    Equal to River's ``linear_model.PAClassifier`` with the same ``C``, ``mode`` and
    ``learn_intercept``. The probabilities are the sigmoid of the margin, as River gives.
    The positive class is ``pos_label``; any other label is the negative class.

    >>> model = PAClassifier(C=0.5, mode=1)
    >>> for _ in range(3):
    ...     _ = model.learn_one({"x": 1.0, "y": 0.5}, True).learn_one({"x": -1.0}, False)
    >>> model.predict_one({"x": 0.8}), round(model.predict_proba_one({"x": 0.8})[True], 4)
    (True, 0.69)
    """

    _tags = {"binary_only": True}
    _loss = kernels.LOSS_PA_CLASSIFIER

    def __init__(self, C: float = 1.0, mode: int = 1, learn_intercept: bool = True,
                 pos_label: Any = True):
        self.C = C
        self.mode = mode
        self.learn_intercept = learn_intercept
        self.pos_label = pos_label


class PARegressor(_PassiveAggressive, Regressor):
    """Passive-aggressive regressor (epsilon-insensitive loss ``max(0, |y - p| - eps)``).

    The same algorithm as River's ``linear_model.PARegressor``, except that River's
    ``EpsilonInsensitiveHinge`` maps the target through ``2y - 1`` (a leftover of the binary
    hinge) when it computes the loss; here the loss is that of Crammer et al. (2006), on ``y``.

    >>> model = PARegressor(C=1.0, mode=1, eps=0.1)
    >>> for _ in range(5):
    ...     _ = model.learn_one({"x": 1.0}, 2.0).learn_one({"x": 2.0}, 4.0)
    >>> round(model.predict_one({"x": 1.5}), 4)
    3.1562
    """

    _loss = kernels.LOSS_PA_REGRESSOR

    def __init__(self, C: float = 1.0, mode: int = 1, eps: float = 0.1,
                 learn_intercept: bool = True):
        self.C = C
        self.mode = mode
        self.eps = eps
        self.learn_intercept = learn_intercept

    def _validate(self) -> None:
        super()._validate()
        check_number(self, "eps", self.eps, low=0)

    def _targets(self, y: np.ndarray | None, learn: np.ndarray) -> np.ndarray:
        return numeric_labels(self, y, learn)
