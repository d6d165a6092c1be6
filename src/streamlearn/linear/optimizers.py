"""Optimizers of the linear models: small parameter objects, no learned state of their own.

An optimizer here only names an update rule and holds its hyper-parameters. The state the
rule needs per weight (Adam's moments, FTRL's ``z`` and ``n``) lives in the model that uses
it, in arrays that grow with new features and are covered by the model's snapshot; the update
itself runs inside the model's numba kernel, selected by the optimizer's integer ``code``.

The intercept is not handled by the optimizer: as in River, it takes plain SGD steps of size
``intercept_lr``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from streamlearn.core.base import Estimator
from streamlearn.core.errors import ParameterError
from streamlearn.core.params import check_number
from streamlearn.linear import _kernels as kernels


class Optimizer(Estimator):
    """Base of the update rules the linear kernels know."""

    code: ClassVar[int]
    # names of the per-weight state arrays the rule needs (they end with ``_`` in the model)
    slots: ClassVar[tuple[str, ...]] = ()

    def validate(self) -> None:
        raise NotImplementedError

    def hyper(self) -> np.ndarray:
        """The hyper-parameters, packed for the kernel."""
        raise NotImplementedError

    @property
    def step_size(self) -> float:
        """The base step size, which scales the cumulative L1 penalty (0 where none)."""
        return 0.0


class SGD(Optimizer):
    """Plain stochastic gradient descent: ``w -= learning_rate * g``.

    Robbins & Monro (1951), "A stochastic approximation method".

    >>> from streamlearn.linear import LinearRegression
    >>> model = LinearRegression(optimizer=SGD(learning_rate=0.1))
    >>> for _ in range(50):
    ...     _ = model.learn_one({"x": 1.0}, 2.0).learn_one({"x": -1.0}, -2.0)
    >>> round(model.predict_one({"x": 0.5}), 4)
    1.0025
    """

    code = kernels.OPTIMIZER_SGD

    def __init__(self, learning_rate: float = 0.01):
        self.learning_rate = learning_rate

    def validate(self) -> None:
        check_number(self, "learning_rate", self.learning_rate, low=0, low_inclusive=False)

    def hyper(self) -> np.ndarray:
        return np.array([float(self.learning_rate)])

    @property
    def step_size(self) -> float:
        return float(self.learning_rate)


class Adam(Optimizer):
    """Adam: per-weight estimates of the gradient's first and second moments.

    Kingma & Ba (2015), "Adam: A method for stochastic optimization", ICLR; the bias
    correction is folded into the step size as in section 2 of the paper:
    ``w -= lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)``. As in River's
    ``optim.Adam``, the moments of a weight move only when its feature is present in the event,
    while the step counter ``t`` counts every learnt event (per class, for softmax regression).

    >>> from streamlearn.linear import LogisticRegression
    >>> model = LogisticRegression(optimizer=Adam(learning_rate=0.05))
    >>> for _ in range(100):
    ...     _ = model.learn_one({"x": 1.0}, True).learn_one({"x": -1.0}, False)
    >>> round(model.predict_proba_one({"x": 1.0})[True], 4)
    0.9809
    """

    code = kernels.OPTIMIZER_ADAM
    slots = ("adam_m_", "adam_v_")

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        self.learning_rate = learning_rate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps

    def validate(self) -> None:
        check_number(self, "learning_rate", self.learning_rate, low=0, low_inclusive=False)
        for name in ("beta1", "beta2"):
            value = getattr(self, name)
            check_number(self, name, value, low=0)
            if value >= 1:
                raise ParameterError(
                    f"The {name!r} parameter of Adam must be < 1. Got {value!r} instead.")
        check_number(self, "eps", self.eps, low=0, low_inclusive=False)

    def hyper(self) -> np.ndarray:
        return np.array([float(self.learning_rate), float(self.beta1), float(self.beta2),
                         float(self.eps)])

    @property
    def step_size(self) -> float:
        return float(self.learning_rate)


class FTRL(Optimizer):
    """FTRL-Proximal, per coordinate, with its own L1 and L2 penalties.

    McMahan et al. (2013), "Ad click prediction: a view from the trenches", KDD, Algorithm 1.
    Each weight keeps ``z`` (the adjusted sum of gradients) and ``n`` (the sum of squared
    gradients); after each update the weight is recomputed in closed form,
    ``w = 0`` if ``|z| <= l1`` else ``-(z - sign(z) l1) / ((beta + sqrt(n)) / alpha + l2)``,
    so the weights used for a prediction are always those the algorithm defines. L1 gives
    exact zeros (sparse models); combine it with the model's ``l1=0``.

    >>> from streamlearn.linear import LogisticRegression
    >>> model = LogisticRegression(optimizer=FTRL(alpha=0.5, l1=0.1))
    >>> for _ in range(100):
    ...     _ = model.learn_one({"x": 1.0, "noise": 0.0}, True)
    ...     _ = model.learn_one({"x": -1.0, "noise": 0.0}, False)
    >>> round(model.weights["x"], 4), model.weights["noise"]
    (3.3454, 0.0)
    """

    code = kernels.OPTIMIZER_FTRL
    slots = ("ftrl_z_", "ftrl_n_")

    def __init__(self, alpha: float = 0.05, beta: float = 1.0, l1: float = 0.0,
                 l2: float = 1.0):
        self.alpha = alpha
        self.beta = beta
        self.l1 = l1
        self.l2 = l2

    def validate(self) -> None:
        check_number(self, "alpha", self.alpha, low=0, low_inclusive=False)
        check_number(self, "beta", self.beta, low=0)
        check_number(self, "l1", self.l1, low=0)
        check_number(self, "l2", self.l2, low=0)

    def hyper(self) -> np.ndarray:
        return np.array([float(self.alpha), float(self.beta), float(self.l1), float(self.l2)])
