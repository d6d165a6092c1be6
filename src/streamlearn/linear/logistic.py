"""Logistic regression trained online by stochastic gradient descent."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.features import FeatureStateMixin
from streamlearn.core.learners import Classifier, reject_categorical
from streamlearn.core.params import check_number
from streamlearn.linear import _kernels as kernels


class LogisticRegression(FeatureStateMixin, Classifier):
    """Binary logistic regression, one SGD step per event.

    Defaults follow River's ``linear_model.LogisticRegression``: zero initial weights,
    learning rate 0.01 for the weights and for the intercept, no regularisation, so the same
    stream gives the same numbers. The positive class is ``pos_label``; any other label is the
    negative class.

    >>> model = LogisticRegression(learning_rate=0.5)
    >>> for _ in range(20):
    ...     _ = model.learn_one({"x": 1.0}, True).learn_one({"x": -1.0}, False)
    >>> model.predict_one({"x": 2.0}), round(model.predict_proba_one({"x": 2.0})[True], 4)
    (True, 0.9971)
    """

    _tags = {"binary_only": True}
    _feature_arrays = {"weights_": 0.0}

    def __init__(self, learning_rate: float = 0.01, l2: float = 0.0,
                 intercept_lr: float = 0.01, clip_gradient: float = 1e12,
                 pos_label: Any = True):
        self.learning_rate = learning_rate
        self.l2 = l2
        self.intercept_lr = intercept_lr
        self.clip_gradient = clip_gradient
        self.pos_label = pos_label

    def _validate(self) -> None:
        check_number(self, "learning_rate", self.learning_rate, low=0, low_inclusive=False)
        check_number(self, "l2", self.l2, low=0)
        check_number(self, "intercept_lr", self.intercept_lr, low=0)
        check_number(self, "clip_gradient", self.clip_gradient, low=0, low_inclusive=False)

    def _start(self) -> None:
        self._validate()
        self._init_feature_state()
        self.intercept_ = np.zeros(1)
        self.classes_ = [False, self.pos_label]
        self.seen_labels_ = [False, False]  # whether the negative/positive label was observed

    def _targets(self, y: np.ndarray | None, learn: np.ndarray) -> np.ndarray:
        targets = np.zeros(len(learn))
        if not learn.any():
            return targets
        if y is None:
            raise ValueError("LogisticRegression needs labels to learn; none were given")
        learnt = y[learn]
        positive = np.asarray(learnt == self.pos_label, dtype=bool)
        targets[learn] = positive
        for kind, mask in ((0, ~positive), (1, positive)):
            if not self.seen_labels_[kind] and mask.any():
                label = learnt[np.argmax(mask)]
                self.classes_[kind] = label.item() if isinstance(label, np.generic) else label
                self.seen_labels_[kind] = True
        return targets

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        if not hasattr(self, "weights_"):
            self._start()
        reject_categorical(self, X_pred)
        targets = self._targets(X_learn.y, learn)
        rows, arrays = self.align(X_learn.columns, X_learn.X, learn)
        p_true = np.empty(len(learn))
        kernels.binary_linear(
            X_pred.X, X_learn.X, learn, targets, rows, arrays["weights_"], self.intercept_,
            kernels.LOSS_LOG, float(self.learning_rate), float(self.intercept_lr),
            float(self.l2), float(self.clip_gradient), p_true)
        if learn.any():
            self.keep_feature_arrays(arrays)
        return np.column_stack([1.0 - p_true, p_true])

    @property
    def known_classes(self) -> list[Any]:
        return list(getattr(self, "classes_", [False, self.pos_label]))

    @property
    def weights(self) -> dict[str, float]:
        """The learned weight of each feature."""
        return dict(zip(getattr(self, "feature_names_", []), getattr(self, "weights_", [])))
