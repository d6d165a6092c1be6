"""Per-feature state that grows when a feature first appears mid-stream.

An estimator that keeps one entry per feature (a mean, a weight) lists those arrays in
``_feature_arrays`` (attribute name -> initial value). ``align`` maps a batch's columns to
rows of those arrays, registering the features that carry a value in a learnt row, in the
order they first appear. Features seen only in predicted rows get a temporary entry with the
initial value, so prediction never changes state.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class FeatureStateMixin:
    _feature_arrays: dict[str, float] = {}
    _index_cache: dict[str, int] | None = None
    _rows_cache: tuple[tuple[str, ...], int, np.ndarray] | None = None
    _feature_width: int = 1  # columns per feature entry (e.g. one weight per class)

    def _init_feature_state(self, width: int = 1) -> None:
        self.feature_names_: list[str] = []
        for name, initial in self._feature_arrays.items():
            shape = (0,) if width == 1 else (0, width)
            setattr(self, name, np.full(shape, initial, dtype=np.float64))

    def _feature_index(self) -> dict[str, int]:
        index = self.__dict__.get("_index_cache")
        if index is None or len(index) != len(self.feature_names_):
            index = {name: j for j, name in enumerate(self.feature_names_)}
            self._index_cache = index
        return index

    def _after_restore(self) -> None:
        self._index_cache = None
        self._rows_cache = None

    def align(self, columns: tuple[str, ...], X_learn: np.ndarray, learn: np.ndarray
              ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Return (state row of each column, the per-feature arrays to run the kernel on).

        Call :meth:`keep_feature_arrays` with the returned arrays after the kernel ran.
        """
        arrays = {name: getattr(self, name) for name in self._feature_arrays}
        cached = self.__dict__.get("_rows_cache")
        if (cached is not None and cached[1] == len(self.feature_names_)
                and (cached[0] is columns or cached[0] == columns)):
            return cached[2], arrays  # same columns as the last batch, no feature since
        index = self._feature_index()
        new = [c for c in columns if c not in index]
        if new:
            self._register(new, columns, X_learn, learn, index)
            arrays = {name: getattr(self, name) for name in self._feature_arrays}
        temporary = [c for c in columns if c not in index]
        if temporary:
            arrays = {
                name: _grow(a, len(temporary), self._feature_arrays[name])
                for name, a in arrays.items()
            }
            extra = {c: len(index) + t for t, c in enumerate(temporary)}
            rows = np.array([index[c] if c in index else extra[c] for c in columns], np.int64)
        else:
            rows = np.array([index[c] for c in columns], dtype=np.int64)
            self._rows_cache = (columns, len(self.feature_names_), rows)
        return rows, arrays

    def keep_feature_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        n = len(self.feature_names_)
        for name, array in arrays.items():
            setattr(self, name, array[:n] if array.shape[0] > n else array)

    def _register(self, new: list[str], columns: tuple[str, ...], X_learn: np.ndarray,
                  learn: np.ndarray, index: dict[str, int]) -> None:
        positions = [columns.index(c) for c in new]
        learnt_rows = np.flatnonzero(learn)
        if len(learnt_rows) == 0:
            return
        present = ~np.isnan(X_learn[np.ix_(learnt_rows, np.asarray(positions))])
        first_seen = np.where(present.any(axis=0), present.argmax(axis=0), -1)
        # Features first seen in the same row register in name order, so the order never
        # depends on how columns happened to be laid out in a batch.
        order = sorted((first, new[k], k) for k, first in enumerate(first_seen) if first >= 0)
        if not order:
            return
        added = [new[k] for _, _, k in order]
        for name in added:
            index[name] = len(self.feature_names_)
            self.feature_names_.append(name)
        for name, initial in self._feature_arrays.items():
            setattr(self, name, _grow(getattr(self, name), len(added), initial))


def _grow(array: np.ndarray, count: int, initial: Any) -> np.ndarray:
    extra = np.full((count, *array.shape[1:]), initial, dtype=array.dtype)
    return np.concatenate([array, extra])
