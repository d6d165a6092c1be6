"""Online imputation of categorical features by their running mode."""

from __future__ import annotations

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.learners import Transformer
from streamlearn.preprocessing import _impute_kernels as kernels
from streamlearn.preprocessing._categories import factorise, first_rows
from streamlearn.preprocessing._validation import check_columns


class MostFrequentImputer(Transformer):
    """Replace missing categorical values (None) by the most frequent value learnt so far.

    Ties go to the value seen first, as with River's ``StatImputer((name, stats.Mode()))``.
    A column with no value learnt yet stays missing. Every categorical column of the batch
    and every column learnt before is imputed (a known column that an event lacks is added),
    or only the ``columns`` listed; numeric columns pass through.

    >>> imputer = MostFrequentImputer()
    >>> for x in [{"w": "sun"}, {"w": "rain"}, {"w": "rain"}]:
    ...     _ = imputer.learn_one(x)
    >>> imputer.transform_one({"w": None, "t": 3.0}), imputer.transform_one({"w": "snow"})
    ({'t': 3.0, 'w': 'rain'}, {'w': 'snow'})
    """

    _tags = {"handles_categorical": True}

    def __init__(self, columns: list[str] | None = None):
        self.columns = columns

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray
                     ) -> tuple[Batch, Batch]:
        listed = check_columns(self, "columns", self.columns)
        if learn.any() and not hasattr(self, "values_"):
            self.values_: dict[str, list] = {}
            self.counts_: dict[str, np.ndarray] = {}
        if listed is None:
            targets = sorted(set(X_learn.categorical) | set(getattr(self, "values_", {})))
        else:
            targets = list(listed)
        imputed_pred = dict(X_pred.categorical)
        imputed_learn = dict(X_learn.categorical)
        for name in targets:
            column_pred = _column(X_pred, name)
            column_learn = _column(X_learn, name)
            mode_pred, mode_learn, labels = self._modes(name, column_learn, learn)
            imputed_pred[name] = _fill(column_pred, mode_pred, labels)
            imputed_learn[name] = _fill(column_learn, mode_learn, labels)
        return (X_pred.with_features(X_pred.X, X_pred.columns, imputed_pred),
                X_learn.with_features(X_learn.X, X_learn.columns, imputed_learn))

    def _modes(self, name: str, column: np.ndarray, learn: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The mode before (predicted stream) and after (learnt stream) each event."""
        values, codes = factorise(column)
        if not hasattr(self, "values_"):
            known, counts = [], np.zeros(0, dtype=np.int64)
        else:
            known = list(self.values_.get(name, []))
            counts = self.counts_.get(name, np.zeros(0, dtype=np.int64))
            index = {v: k for k, v in enumerate(known)}
            first = first_rows(codes, learn, len(values))
            for _, k in sorted((row, k) for k, row in enumerate(first)
                               if row >= 0 and values[k] not in index):
                index[values[k]] = len(known)
                known.append(values[k])
            counts = np.concatenate([counts, np.zeros(len(known) - len(counts), np.int64)])
            lookup = np.array([index.get(v, -1) for v in values] + [-1], dtype=np.int64)
            codes = lookup[codes]
        mode = int(np.argmax(counts)) if len(counts) and counts.max() > 0 else -1
        mode_pred = np.empty(len(column), dtype=np.int64)
        mode_learn = np.empty(len(column), dtype=np.int64)
        kernels.most_frequent(codes, learn & hasattr(self, "values_"), counts, mode,
                              mode_pred, mode_learn)
        if hasattr(self, "values_") and learn.any() and known:
            self.values_[name], self.counts_[name] = known, counts
        return mode_pred, mode_learn, np.array([*known, None], dtype=object)


def _column(batch: Batch, name: str) -> np.ndarray:
    if name in batch.categorical:
        return batch.categorical[name]
    return np.full(len(batch), None, dtype=object)


def _fill(column: np.ndarray, mode: np.ndarray, labels: np.ndarray) -> np.ndarray:
    missing = np.equal(column, None)
    if not missing.any():
        return column
    out = column.copy()
    out[missing] = labels[mode[missing]]  # mode -1 picks the trailing None
    return out
