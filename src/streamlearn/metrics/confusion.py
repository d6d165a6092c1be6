"""The confusion matrix, and the base of every metric computed from it."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from streamlearn.metrics._base import Metric, Records, plain, require, unique_labels


class ConfusionCounts(Metric):
    """Base of the label metrics: a growing confusion matrix of exact integer counts.

    Classes are registered in order of first appearance (the true label of an event before its
    predicted label); ``counts_[i, j]`` is the number of events of true class ``i`` predicted
    as class ``j``. Counts can be taken back, so :class:`~streamlearn.metrics.Rolling` over
    these metrics costs O(1) per event.
    """

    _revertible = True

    def __init__(self) -> None:
        self.classes_: list[Any] = []
        self.counts_ = np.zeros((0, 0), dtype=np.int64)

    # ------------------------------------------------------------------ class codes
    def _code(self, label: Any) -> int:
        label = plain(label)
        index = self.__dict__.get("_index")
        if index is None or len(index) != len(self.classes_):
            index = self._index = {c: k for k, c in enumerate(self.classes_)}
        code = index.get(label)
        if code is None:
            code = index[label] = len(self.classes_)
            self.classes_.append(label)
        return code

    def _codes(self, labels: np.ndarray) -> np.ndarray:
        """Class code of each label, registering new classes in order of first appearance."""
        uniques, inverse = unique_labels(labels)
        first = np.full(len(uniques), len(labels), dtype=np.int64)
        np.minimum.at(first, inverse, np.arange(len(labels)))
        mapping = np.empty(len(uniques), dtype=np.int64)
        for u in np.argsort(first, kind="stable"):
            mapping[u] = self._code(uniques[u])
        return mapping[inverse]

    def _known_codes(self, labels: np.ndarray) -> np.ndarray | None:
        """Class codes of ``labels`` when every label is a known class, else None."""
        if not self.classes_:
            return None
        index = self.__dict__.get("_index")
        if index is None or len(index) != len(self.classes_):
            index = self._index = {c: k for k, c in enumerate(self.classes_)}
        if labels.dtype == np.bool_ and False in index and True in index:
            # binary streams: a two-entry lookup, no search for distinct labels
            return np.array([index[False], index[True]], dtype=np.int64)[labels.view(np.uint8)]
        if labels.dtype.kind in "biu" and len(labels):
            codes = self._small_int_codes(labels, index)
            if codes is not None:
                return codes
        uniques, inverse = unique_labels(labels)
        mapping = [index.get(u) for u in uniques]
        if any(code is None for code in mapping):
            return None
        return np.asarray(mapping, dtype=np.int64)[inverse]

    def _small_int_codes(self, labels: np.ndarray, index: dict[Any, int]) -> np.ndarray | None:
        """Codes of bool/int labels through a lookup table over the known integer classes
        (binary and small multiclass streams), or None when a label is not in it."""
        cached = self.__dict__.get("_int_table")
        if cached is None or cached[0] != len(index):
            ints = [c for c in index if isinstance(c, int | bool)]
            if not ints or max(ints) - min(ints) > 4096:
                self._int_table = (len(index), 0, None)
                return None
            low = int(min(ints))
            table = np.full(int(max(ints)) - low + 1, -1, dtype=np.int64)
            for c in ints:
                table[int(c) - low] = index[c]
            cached = self._int_table = (len(index), low, table)
        _, low, table = cached
        if table is None:
            return None
        shifted = labels.astype(np.int64, copy=False) - low
        if shifted.min() < 0 or shifted.max() >= len(table):
            return None
        codes = table[shifted]
        return None if codes.min() < 0 else codes

    def _grow(self) -> None:
        k, old = len(self.classes_), len(self.counts_)
        if k > old:
            counts = np.zeros((k, k), dtype=np.int64)
            counts[:old, :old] = self.counts_
            self.counts_ = counts

    def _after_restore(self) -> None:
        self.__dict__.pop("_index", None)
        self.__dict__.pop("_int_table", None)

    # ------------------------------------------------------------------ records
    def _record_one(self, y_true: Any, y_pred: Any) -> tuple[int, int]:
        true_code = self._code(y_true)
        return true_code, self._code(y_pred)

    def _records_many(
        self,
        y_true: np.ndarray,
        y_pred: Any,
        y_proba: Any,
        classes: Sequence[Hashable] | None,
    ) -> Records:
        y_pred = require(y_pred, "y_pred", len(y_true), self)
        if len(y_true) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        known = self._known_codes(y_true), self._known_codes(y_pred)
        if known[0] is not None and known[1] is not None:
            return known  # the usual case: no new class, so no order of appearance to keep
        # Interleaved (true, pred, true, pred, ...) so classes register as update() would.
        both = np.empty(2 * len(y_true), dtype=np.result_type(y_true, y_pred)
                        if y_true.dtype.kind == y_pred.dtype.kind else object)
        both[0::2], both[1::2] = y_true, y_pred
        codes = self._codes(both)
        return codes[0::2], codes[1::2]

    def _learn_one(self, record: tuple[int, int]) -> None:
        self._grow()
        self.counts_[record[0], record[1]] += 1

    def _unlearn_one(self, record: tuple[int, int]) -> None:
        self.counts_[record[0], record[1]] -= 1

    def _pair_counts(self, records: Records) -> np.ndarray:
        k = len(self.classes_)
        flat = np.bincount(records[0] * k + records[1], minlength=k * k)
        return flat.reshape(k, k)

    def _learn_many(self, records: Records) -> None:
        self._grow()
        self.counts_ += self._pair_counts(records)

    def _unlearn_many(self, records: Records) -> None:
        self._grow()
        self.counts_ -= self._pair_counts(records)

    # ------------------------------------------------------------------ summaries
    @property
    def total(self) -> int:
        """The number of events counted."""
        return int(self.counts_.sum())

    def _per_class(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """True positives, true totals (support), predicted totals, and which classes occur."""
        tp = np.diag(self.counts_).astype(np.float64)
        true_totals = self.counts_.sum(axis=1).astype(np.float64)
        pred_totals = self.counts_.sum(axis=0).astype(np.float64)
        present = (true_totals + pred_totals) > 0
        return tp, true_totals, pred_totals, present

    def _pos_code(self, pos_label: Any) -> int | None:
        for code, label in enumerate(self.classes_):
            if label == pos_label:
                return code
        return None


class ConfusionMatrix(ConfusionCounts):
    """Counts of (true class, predicted class) pairs.

    ``get()`` returns the number of events counted; :attr:`matrix` gives the classes and the
    counts (rows: true class, columns: predicted class); ``str()`` prints a table.

    Examples
    --------
    >>> from streamlearn.metrics import ConfusionMatrix
    >>> cm = ConfusionMatrix()
    >>> cm.update_many(["cat", "dog", "dog", "cat"], y_pred=["cat", "cat", "dog", "cat"]).get()
    4.0
    >>> print(cm)
           cat  dog
    cat      2    0
    dog      1    1
    """

    name = "ConfusionMatrix"
    bigger_is_better = False

    def get(self) -> float:
        return float(self.total)

    @property
    def matrix(self) -> tuple[list[Any], np.ndarray]:
        """The classes (in order of first appearance) and a copy of the counts."""
        self._grow()
        return list(self.classes_), self.counts_.copy()

    def __str__(self) -> str:
        classes, counts = self.matrix
        if not classes:
            return "ConfusionMatrix: empty"
        names = [str(c) for c in classes]
        width = max(max(len(n) for n in names), len(str(int(counts.max()))), 3) + 2
        lines = [" " * width + "".join(n.rjust(width) for n in names)]
        for name, row in zip(names, counts):
            lines.append(name.ljust(width) + "".join(str(int(v)).rjust(width) for v in row))
        return "\n".join(line.rstrip() for line in lines)
