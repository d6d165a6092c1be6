"""Shared machinery of the linear models: optimizer, per-feature and hashed state, inputs.

A linear model keeps, per dense feature, a weight plus the optimizer's per-weight state
(Adam's moments, FTRL's ``z`` and ``n``) and, with an L1 penalty, the penalty applied so far;
these arrays are listed in ``_feature_arrays`` so they grow when features appear and are
covered by ``snapshot()``. Hashed features (a batch's ``sparse`` block) get the same arrays at
a fixed width, prefixed ``hashed_``, allocated the first time a learnt batch carries a block.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from streamlearn.core.batch import Batch, SparseBlock
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.features import FeatureStateMixin
from streamlearn.core.learners import reject_categorical
from streamlearn.core.params import check_number
from streamlearn.linear import _kernels as kernels
from streamlearn.linear.optimizers import FTRL, SGD, Optimizer

EMPTY = np.zeros(0)
EMPTY_INDICES = np.zeros(0, dtype=np.int64)


class LinearModel(FeatureStateMixin):
    """Base of the linear models; subclasses name their loss and read their labels."""

    _loss: ClassVar[int]

    # ------------------------------------------------------------------ parameters
    def _optimizer(self) -> Optimizer:
        optimizer = getattr(self, "optimizer", None)
        if optimizer is not None:
            return optimizer
        rate = getattr(self, "learning_rate", 1.0)
        default = self.__dict__.get("_default_sgd")
        if default is None or default.learning_rate != rate:
            default = self._default_sgd = SGD(rate)
        return default

    def _validate(self) -> None:
        if hasattr(self, "learning_rate"):
            check_number(self, "learning_rate", self.learning_rate, low=0, low_inclusive=False)
        optimizer = getattr(self, "optimizer", None)
        if optimizer is not None and not isinstance(optimizer, Optimizer):
            raise ParameterError(
                f"The 'optimizer' parameter of {type(self).__name__} must be an SGD, Adam or "
                f"FTRL instance, or None. Got {optimizer!r} instead.")
        self._optimizer().validate()
        for name in ("l1", "l2", "intercept_lr"):
            if hasattr(self, name):
                check_number(self, name, getattr(self, name), low=0)
        if hasattr(self, "clip_gradient"):
            check_number(self, "clip_gradient", self.clip_gradient, low=0, low_inclusive=False)
        if isinstance(optimizer, FTRL) and getattr(self, "l1", 0.0) > 0:
            raise ParameterError(
                f"The 'l1' parameter of {type(self).__name__} must be 0 with the FTRL "
                f"optimizer, which has its own. Got {self.l1!r} instead; use FTRL(l1=...).")

    def _regularisation(self) -> np.ndarray:
        """(l1, l2, gradient clip, intercept step size, L1 step size), for the kernels."""
        return np.array([
            float(getattr(self, "l1", 0.0)), float(getattr(self, "l2", 0.0)),
            float(getattr(self, "clip_gradient", np.inf)),
            float(getattr(self, "intercept_lr", 0.0)), self._optimizer().step_size,
        ])

    @property
    def _feature_arrays(self) -> dict[str, float]:  # type: ignore[override]
        slots, with_l1 = self._optimizer().slots, getattr(self, "l1", 0.0) > 0
        cached = self.__dict__.get("_feature_arrays_cache")
        if cached is not None and cached[0] == (slots, with_l1):
            return cached[1]
        names = {"weights_": 0.0}
        names.update(dict.fromkeys(slots, 0.0))
        if with_l1:
            names["l1_applied_"] = 0.0
        self._feature_arrays_cache = ((slots, with_l1), names)
        return names

    def _fresh(self) -> LinearModel:
        """An unfitted, started copy: what an untrained model answers with."""
        fresh = self.clone()
        fresh._start()
        return fresh  # type: ignore[return-value]

    def _start(self, width: int = 1) -> None:
        self._validate()
        self._init_feature_state(width)
        self.l1_total_ = np.zeros(1)  # Tsuruoka's u: L1 penalty each weight could have had

    # ------------------------------------------------------------------ inputs
    def _inputs(self, X_pred: Batch, X_learn: Batch
                ) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
        """Columns and both matrices over the same columns (the union, when they differ)."""
        reject_categorical(self, X_pred)
        reject_categorical(self, X_learn)
        if X_pred.columns == X_learn.columns:
            return X_learn.columns, X_pred.X, X_learn.X
        columns = tuple(dict.fromkeys(X_learn.columns + X_pred.columns))
        return columns, _reindex(X_pred, columns), _reindex(X_learn, columns)

    def _outputs_per_feature(self) -> tuple[int, ...]:
        """Trailing shape of the per-feature arrays: () for one output, (k,) for k."""
        return self.weights_.shape[1:]

    def _hashed_arrays(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                       ) -> dict[str, np.ndarray]:
        """The hashed-feature state, allocated on the first learnt batch with a sparse block;
        zeros that are not kept when only predicted rows carry one."""
        trailing = self._outputs_per_feature()
        if X_learn.sparse is not None and learn.any() and not hasattr(self, "hashed_weights_"):
            for name, initial in self._feature_arrays.items():
                setattr(self, "hashed_" + name,
                        np.full((X_learn.sparse.width, *trailing), initial))
        if hasattr(self, "hashed_weights_"):
            width = self.hashed_weights_.shape[0]
            for block in (X_pred.sparse, X_learn.sparse):
                if block is not None and block.width != width:
                    raise SchemaError(
                        f"{type(self).__name__} learnt hashed features of width {width} but "
                        f"got a block of width {block.width}; keep the FeatureHasher's "
                        "n_features fixed for the life of the model")
            return {name: getattr(self, "hashed_" + name) for name in self._feature_arrays}
        width = 0 if X_pred.sparse is None else X_pred.sparse.width
        return {name: np.full((width, *trailing), initial)
                for name, initial in self._feature_arrays.items()}

    def _hyper(self) -> np.ndarray:
        """The optimizer's hyper-parameters, padded to the 4 entries the kernels read."""
        hyper = np.zeros(4)
        values = self._optimizer().hyper()
        hyper[: len(values)] = values
        return hyper

    def _pack(self, arrays: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
        """(weights, optimizer slot 1, slot 2, L1 applied) as flat views for the kernels."""
        slots = self._optimizer().slots
        picked = [arrays["weights_"],
                  arrays[slots[0]] if slots else EMPTY,
                  arrays[slots[1]] if slots else EMPTY,
                  arrays.get("l1_applied_", EMPTY)]
        return tuple(_flat(a) for a in picked)


def sparse_parts(block: SparseBlock | None, n: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays of a hashed block (an empty structure when there is none)."""
    if block is None:
        return np.zeros(n + 1, dtype=np.int64), EMPTY_INDICES, EMPTY
    indices = np.ascontiguousarray(block.indices, dtype=np.int64)
    if indices.size and (indices.min() < 0 or indices.max() >= block.width):
        raise SchemaError(f"a hashed feature index lies outside [0, {block.width})")
    return (np.ascontiguousarray(block.indptr, dtype=np.int64), indices,
            np.ascontiguousarray(block.values, dtype=np.float64))


def _flat(array: np.ndarray) -> np.ndarray:
    if not array.flags.c_contiguous:
        raise RuntimeError("linear model state must be C-contiguous to be updated in place")
    return array.reshape(-1)


def _reindex(batch: Batch, columns: tuple[str, ...]) -> np.ndarray:
    out = np.full((len(batch), len(columns)), np.nan)
    position = {name: j for j, name in enumerate(columns)}
    out[:, [position[c] for c in batch.columns]] = batch.X
    return out


class BinaryTargetsMixin:
    """Binary classifiers over a one-output model: ``pos_label`` is target 1, any other
    label 0, and the answer is (P(negative), P(positive)).

    ``classes_`` is ``[negative, pos_label]``; the negative class is named after the first
    other label learnt (``False`` until then).
    """

    pos_label: Any

    def _start_classes(self) -> None:
        self.classes_ = [False, self.pos_label]
        self.seen_labels_ = [False, False]  # whether the negative/positive label was observed

    def _binary_targets(self, y: np.ndarray | None, learn: np.ndarray) -> np.ndarray:
        targets = np.zeros(len(learn))
        if not learn.any():
            return targets
        if y is None:
            raise SchemaError(f"{type(self).__name__} needs labels to learn; none were given")
        all_learnt = bool(learn.all())
        learnt = y if all_learnt else y[learn]
        if learnt.dtype == np.bool_ and self.pos_label is True:
            positive = learnt
        else:
            positive = np.asarray(learnt == self.pos_label, dtype=bool).reshape(len(learnt))
        if all_learnt:
            targets = positive.astype(np.float64)
        else:
            targets[learn] = positive
        if self.seen_labels_[0] and self.seen_labels_[1]:
            return targets
        for kind, mask in ((0, ~positive), (1, positive)):
            if not self.seen_labels_[kind] and mask.any():
                label = learnt[np.argmax(mask)]
                self.classes_[kind] = label.item() if isinstance(label, np.generic) else label
                self.seen_labels_[kind] = True
        return targets

    @property
    def known_classes(self) -> list[Any]:
        return list(getattr(self, "classes_", [False, self.pos_label]))

    # the hooks of OneOutputLinear, for a binary classifier answering P(pos_label)
    def _start(self, width: int = 1) -> None:
        super()._start(width)  # type: ignore[misc]
        self._start_classes()

    def _targets(self, y: np.ndarray | None, learn: np.ndarray) -> np.ndarray:
        return self._binary_targets(y, learn)

    def _answer_from(self, out: np.ndarray) -> np.ndarray:
        answer = np.empty((len(out), 2))
        np.subtract(1.0, out, out=answer[:, 0])
        answer[:, 1] = out
        return answer


class OneOutputLinear(LinearModel):
    """A linear model with one raw score per event; subclasses give the targets and the
    answer (probabilities for classifiers, values for regressors)."""

    def _targets(self, y: np.ndarray | None, learn: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _loss_params(self) -> np.ndarray:
        return EMPTY

    def _answer_from(self, out: np.ndarray) -> np.ndarray:
        return out

    def _start(self, width: int = 1) -> None:
        super()._start(width)
        self.intercept_ = np.zeros(1)
        self.n_steps_ = np.zeros(1, dtype=np.int64)  # learnt events (Adam's t)

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        if not hasattr(self, "weights_"):
            if not learn.any():  # answer from a fresh copy: prediction never changes state
                return self._fresh().process_many(X_pred, X_learn, learn)
            self._start()
        columns, X_p, X_l = self._inputs(X_pred, X_learn)
        targets = self._targets(X_learn.y, learn)
        rows, arrays = self.align(columns, X_l, learn)
        optimizer = self._optimizer()
        out = np.empty(len(learn))
        if self._plain_sgd(optimizer, X_pred, X_learn):
            kernels.dense_sgd_one_output(
                X_p, X_l, np.ascontiguousarray(learn, dtype=np.bool_), targets, rows,
                arrays["weights_"], self.intercept_,
                self.n_steps_, self._loss, optimizer.step_size, self._regularisation(), out)
            if learn.any():
                self.keep_feature_arrays(arrays)
            return self._answer_from(out)
        hashed = self._hashed_arrays(X_pred, X_learn, learn)
        kernels.linear_one_output(
            X_p, X_l, np.ascontiguousarray(learn, dtype=np.bool_), targets, rows,
            *sparse_parts(X_pred.sparse, len(learn)), *sparse_parts(X_learn.sparse, len(learn)),
            *self._pack(arrays), *self._pack(hashed), self.intercept_, self.n_steps_,
            self.l1_total_, self._loss, self._loss_params(), optimizer.code, self._hyper(),
            self._regularisation(), out)
        if learn.any():
            self.keep_feature_arrays(arrays)
        return self._answer_from(out)

    def _plain_sgd(self, optimizer: Optimizer, X_pred: Batch, X_learn: Batch) -> bool:
        """Whether the specialised kernel applies: SGD, no L1, no hashed features, a smooth
        or hinge loss."""
        return (optimizer.code == kernels.OPTIMIZER_SGD and getattr(self, "l1", 0.0) == 0
                and self._loss in (kernels.LOSS_LOG, kernels.LOSS_SQUARED, kernels.LOSS_HINGE)
                and X_pred.sparse is None and X_learn.sparse is None
                and not hasattr(self, "hashed_weights_"))

    @property
    def weights(self) -> dict[str, float]:
        """The learned weight of each dense feature."""
        return {name: float(w) for name, w in
                zip(getattr(self, "feature_names_", []), getattr(self, "weights_", []))}

    @property
    def intercept(self) -> float:
        return float(getattr(self, "intercept_", [0.0])[0])
