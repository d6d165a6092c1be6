"""Linear support vector machine trained online on the hinge loss."""

from __future__ import annotations

from typing import Any

from streamlearn.core.learners import Classifier
from streamlearn.linear import _kernels as kernels
from streamlearn.linear._base import BinaryTargetsMixin, OneOutputLinear
from streamlearn.linear.optimizers import Optimizer


class LinearSVM(BinaryTargetsMixin, OneOutputLinear, Classifier):
    """Binary linear SVM: hinge loss ``max(0, 1 - s p)`` with an L2 penalty, by SGD.

    The primal SVM objective optimised one event at a time, as in Zhang (2004), "Solving large
    scale linear prediction problems using stochastic gradient descent algorithms", ICML, and
    scikit-learn's ``SGDClassifier(loss="hinge")`` (whose default ``alpha=1e-4`` is the default
    ``l2`` here). A margin of exactly 1 counts as a violation, as in River's
    ``optim.losses.Hinge``, so with ``l2=0`` this equals River's
    ``LogisticRegression(loss=optim.losses.Hinge())``. The probabilities are the sigmoid of
    the margin (uncalibrated scores, as River's ``PAClassifier`` gives). ``optimizer``,
    ``l1``, ``intercept_lr`` and ``pos_label`` work as in :class:`LogisticRegression`.

    >>> model = LinearSVM(learning_rate=0.1, pos_label="spam")
    >>> for _ in range(30):
    ...     _ = model.learn_one({"x": 2.0}, "spam").learn_one({"x": -2.0}, "ham")
    >>> model.predict_one({"x": 1.5}), model.predict_one({"x": -0.5})
    ('spam', 'ham')
    >>> model.known_classes
    ['ham', 'spam']
    """

    _tags = {"binary_only": True}
    _loss = kernels.LOSS_HINGE

    def __init__(self, learning_rate: float = 0.01, optimizer: Optimizer | None = None,
                 l2: float = 1e-4, l1: float = 0.0, intercept_lr: float = 0.01,
                 clip_gradient: float = 1e12, pos_label: Any = True):
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.l2 = l2
        self.l1 = l1
        self.intercept_lr = intercept_lr
        self.clip_gradient = clip_gradient
        self.pos_label = pos_label

