"""Label bookkeeping for classifiers: classes registered in order of first appearance."""

from __future__ import annotations

from typing import Any

import numpy as np


class ClassesMixin:
    def _init_classes(self) -> None:
        self.classes_: list[Any] = []

    def encode_labels(self, y: np.ndarray | None, learn: np.ndarray) -> np.ndarray:
        """Class code of each row's label (-1 where the row is not learnt), registering the
        classes first seen in learnt rows."""
        codes = np.full(len(learn), -1, dtype=np.int64)
        if y is None or not learn.any():
            return codes
        rows = np.flatnonzero(learn)
        labels = y[rows]
        try:
            uniques, inverse = np.unique(labels, return_inverse=True)
        except TypeError:  # mixed, unorderable labels
            uniques, inverse = _unique_unordered(labels)
        first = np.full(len(uniques), len(rows))
        np.minimum.at(first, inverse, np.arange(len(rows)))
        known = {plain(c): k for k, c in enumerate(self.classes_)}
        mapping = np.empty(len(uniques), dtype=np.int64)
        for u in np.argsort(first, kind="stable"):
            label = plain(uniques[u])
            if label not in known:
                known[label] = len(self.classes_)
                self.classes_.append(label)
            mapping[u] = known[label]
        codes[rows] = mapping[inverse.reshape(-1)]
        return codes


def plain(value: Any) -> Any:
    """A numpy scalar as the Python scalar it holds, so labels hash, print and serialise
    plainly."""
    return value.item() if isinstance(value, np.generic) else value


def _unique_unordered(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    seen: dict[Any, int] = {}
    inverse = np.array([seen.setdefault(v, len(seen)) for v in labels], dtype=np.int64)
    uniques = np.empty(len(seen), dtype=object)
    for value, k in seen.items():
        uniques[k] = value
    return uniques, inverse
