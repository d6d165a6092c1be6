"""Shared machinery of the naive Bayes classifiers: classes and features that appear
mid-stream, the inputs of the kernels.

Per-feature statistics are kept per class in arrays of shape ``(n_features, n_classes)``
(listed in ``_feature_arrays``), per-class ones in arrays of shape ``(n_classes,)`` (listed
in ``_class_arrays``); both grow when a class or a feature first appears in a learnt row.
A class not seen yet gets probability 0, as in River, where it is not in the model at all.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.classes import ClassesMixin
from streamlearn.core.errors import SchemaError
from streamlearn.core.features import FeatureStateMixin
from streamlearn.core.learners import Classifier, require_dense


class NaiveBayes(ClassesMixin, FeatureStateMixin, Classifier):
    """Base of the naive Bayes classifiers; subclasses give their arrays and kernel."""

    _class_arrays: ClassVar[tuple[str, ...]] = ("class_counts_",)

    def _validate(self) -> None:
        """Check the hyper-parameters (subclasses with some override this)."""

    def _start(self) -> None:
        self._validate()
        self._init_classes()
        self._init_feature_state(0)  # (n_features, n_classes), both growing
        for name in self._class_arrays:
            setattr(self, name, np.zeros(0))

    def _grow_classes(self, count: int) -> None:
        """Add ``count`` zero columns to every per-class array, keeping the learned ones."""
        for name in self._feature_arrays:
            array = getattr(self, name)
            setattr(self, name, np.concatenate([array, np.zeros((array.shape[0], count))],
                                               axis=1))
        for name in self._class_arrays:
            setattr(self, name, np.concatenate([getattr(self, name), np.zeros(count)]))

    def labels_from_proba(self, proba: np.ndarray) -> np.ndarray:
        """The most probable class of each row; None for a row answered before any class
        was learnt (all its probabilities are 0), as River answers."""
        labels = super().labels_from_proba(proba)
        unknown = proba.sum(axis=1) == 0 if proba.shape[1] else None
        if unknown is not None and unknown.any():
            labels = labels.astype(object)
            labels[unknown] = None
        return labels

    def _run(self, X_p: np.ndarray, X_l: np.ndarray, learn: np.ndarray, codes: np.ndarray,
             rows: np.ndarray, arrays: dict[str, np.ndarray], known_before: int,
             first_seen: np.ndarray, column_of_row: np.ndarray, out: np.ndarray) -> None:
        raise NotImplementedError

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        if not hasattr(self, "classes_"):
            if not learn.any():  # no class known yet: nothing to answer with
                self._validate()
                return np.zeros((len(learn), 0))
            self._start()
        require_dense(self, X_pred, X_learn)
        if learn.any() and X_learn.y is None:
            raise SchemaError(f"{type(self).__name__} needs labels to learn; none were given")
        columns, X_p, X_l = _inputs(X_pred, X_learn)
        n_classes = len(self.classes_)
        codes = self.encode_labels(X_learn.y, learn)
        if len(self.classes_) > n_classes:
            self._grow_classes(len(self.classes_) - n_classes)
        known_before = len(self.feature_names_)
        rows, arrays = self.align(columns, X_l, learn)
        first_seen = _first_seen(self.feature_names_[known_before:], columns, X_l, learn)
        column_of_row = np.full(next(iter(arrays.values())).shape[0], -1, dtype=np.int64)
        column_of_row[rows] = np.arange(len(columns))
        out = np.zeros((len(learn), len(self.classes_)))
        self._run(X_p, X_l, np.ascontiguousarray(learn, dtype=np.bool_), codes, rows, arrays,
                  known_before, first_seen, column_of_row, out)
        if learn.any():
            self.keep_feature_arrays(arrays)
        return out


def _inputs(X_pred: Batch, X_learn: Batch) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Columns and both matrices over the same columns (the union, when they differ)."""
    if X_pred.columns == X_learn.columns:
        return X_learn.columns, X_pred.X, X_learn.X
    columns = tuple(dict.fromkeys(X_learn.columns + X_pred.columns))
    return columns, _reindex(X_pred, columns), _reindex(X_learn, columns)


def _reindex(batch: Batch, columns: tuple[str, ...]) -> np.ndarray:
    out = np.full((len(batch), len(columns)), np.nan)
    position = {name: j for j, name in enumerate(columns)}
    out[:, [position[c] for c in batch.columns]] = batch.X
    return out


def _first_seen(new: list[str], columns: tuple[str, ...], X_learn: np.ndarray,
                learn: np.ndarray) -> np.ndarray:
    """The row at which each feature registered by this batch was first learnt (ascending,
    as features register in order of first appearance): before it, the model did not know
    the feature."""
    if not new:
        return np.zeros(0, dtype=np.int64)
    learnt = np.flatnonzero(learn)
    position = {name: j for j, name in enumerate(columns)}
    present = ~np.isnan(X_learn[np.ix_(learnt, [position[name] for name in new])])
    return np.ascontiguousarray(learnt[present.argmax(axis=0)], dtype=np.int64)
