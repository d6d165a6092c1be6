"""Softmax (multinomial logistic) regression trained online."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.classes import ClassesMixin
from streamlearn.core.errors import SchemaError
from streamlearn.core.learners import Classifier
from streamlearn.linear import _softmax_kernel as kernels
from streamlearn.linear._base import LinearModel, sparse_parts
from streamlearn.linear.optimizers import FTRL, Adam, Optimizer


class SoftmaxRegression(ClassesMixin, LinearModel, Classifier):
    """Multiclass logistic regression: one weight per (feature, class), cross-entropy loss.

    Defaults follow River's ``linear_model.SoftmaxRegression``: SGD with learning rate 0.01,
    no intercept (``intercept_lr=0``; a positive value learns one intercept per class),
    the predicted probability clamped to ``[1e-15, 1 - 1e-15]`` in the gradient. A class
    joins when its first labelled event is learnt: earlier events give it probability 0, and
    the weight matrix (``weights_``, shape ``(n_features, n_classes)``) gains a zero column
    while the learned ones are kept. From then on every learnt event updates every class, and
    with ``Adam`` each class counts its own steps, as River's per-class optimizers do.
    ``l2`` and ``l1`` (the cumulative penalty of Tsuruoka, Tsujii & Ananiadou 2009) work as
    in :class:`LogisticRegression`.

    >>> model = SoftmaxRegression(learning_rate=0.5)
    >>> events = [({"x": 1.0, "y": 0.0}, "a"), ({"x": 0.0, "y": 1.0}, "b"),
    ...           ({"x": -1.0, "y": -1.0}, "c")]
    >>> for _ in range(20):
    ...     for x, label in events:
    ...         _ = model.learn_one(x, label)
    >>> model.predict_one({"x": 0.9, "y": 0.1}), model.known_classes
    ('a', ['a', 'b', 'c'])
    >>> {c: round(p, 3) for c, p in model.predict_proba_one({"x": 0.0, "y": 1.0}).items()}
    {'a': 0.039, 'b': 0.941, 'c': 0.019}
    """

    @classmethod
    def _check_instances(cls) -> list[SoftmaxRegression]:
        """The variants the conformance suite runs: each optimizer, with penalties."""
        return [cls(), cls(optimizer=Adam(0.05), l1=1e-4, intercept_lr=0.01), cls(optimizer=FTRL())]

    def __init__(self, learning_rate: float = 0.01, optimizer: Optimizer | None = None,
                 l2: float = 0.0, l1: float = 0.0, intercept_lr: float = 0.0,
                 clip_gradient: float = 1e12):
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.l2 = l2
        self.l1 = l1
        self.intercept_lr = intercept_lr
        self.clip_gradient = clip_gradient

    def _start(self, width: int = 0) -> None:
        super()._start(width)
        self._init_classes()
        self.intercept_ = np.zeros(width)
        self.class_steps_ = np.zeros(width, dtype=np.int64)

    def _outputs_per_feature(self) -> tuple[int, ...]:
        return (len(self.classes_),)

    def _grow_classes(self, count: int) -> None:
        """Add ``count`` zero columns to every per-class array, keeping the learned ones."""
        names = list(self._feature_arrays)
        if hasattr(self, "hashed_weights_"):
            names += ["hashed_" + name for name in self._feature_arrays]
        for name in names:
            array = getattr(self, name)
            setattr(self, name, np.concatenate(
                [array, np.zeros((array.shape[0], count))], axis=1))
        self.intercept_ = np.concatenate([self.intercept_, np.zeros(count)])
        self.class_steps_ = np.concatenate([self.class_steps_, np.zeros(count, np.int64)])

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        if not hasattr(self, "weights_"):
            if not learn.any():  # answer from a fresh copy: prediction never changes state
                return self._fresh().process_many(X_pred, X_learn, learn)
            self._start()
        columns, X_p, X_l = self._inputs(X_pred, X_learn)
        n_known = self.weights_.shape[1]
        if X_learn.y is None and learn.any():
            raise SchemaError(f"{type(self).__name__} needs labels to learn; none were given")
        codes = self.encode_labels(X_learn.y, learn)
        if len(self.classes_) > n_known:
            self._grow_classes(len(self.classes_) - n_known)
        rows, arrays = self.align(columns, X_l, learn)
        hashed = self._hashed_arrays(X_pred, X_learn, learn)
        optimizer = self._optimizer()
        n_classes = len(self.classes_)
        out = np.empty((len(learn), n_classes))
        kernels.softmax_regression(
            X_p, X_l, np.ascontiguousarray(learn, dtype=np.bool_), codes, n_known, rows,
            *sparse_parts(X_pred.sparse, len(learn)), *sparse_parts(X_learn.sparse, len(learn)),
            *self._pack(arrays), *self._pack(hashed), self.intercept_, self.class_steps_,
            self.l1_total_, optimizer.code, self._hyper(), self._regularisation(),
            np.zeros(n_classes), out)
        if learn.any():
            self.keep_feature_arrays(arrays)
        return out

    @property
    def weights(self) -> dict[Any, dict[str, float]]:
        """The learned weight of each dense feature, per class."""
        names = getattr(self, "feature_names_", [])
        matrix = getattr(self, "weights_", np.zeros((0, 0)))
        return {c: {name: float(w) for name, w in zip(names, matrix[:, k])}
                for k, c in enumerate(getattr(self, "classes_", []))}
