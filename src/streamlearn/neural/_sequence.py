"""Sliding windows of past events, one per key (a user, a card, a patient).

A sequence model answers event ``i`` from the ``window - 1`` events of the same key learnt
before it, followed by event ``i`` itself. Each step of a sequence is ``[present, features]``:
``present`` is 1 for a real event and 0 for the zero padding of a key with a short history,
so the network can tell them apart. Events without a key (``Batch.keys`` is None, as with
``learn_one``) share one sequence. An event enters its key's window when it is learnt, so
prediction leaves the windows as they are; within a micro-batch, a row sees the learnt rows
of its key that come before it (their features, never their labels).

State: ``window_keys_`` (keys in order of first appearance) and ``windows_`` (one
``(window - 1, 1 + n_features)`` array per key).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.batch import Batch


class SequenceWindowsMixin:
    window: int
    feature_names_: list[str]

    def _start_windows(self) -> None:
        self.window_keys_: list[Any] = []
        self.windows_ = np.zeros((0, self.window - 1, 1 + len(self.feature_names_)))

    def _key_index(self) -> dict[Any, int]:
        index = self.__dict__.get("_key_index_cache")
        if index is None or len(index) != len(self.window_keys_):
            index = {key: k for k, key in enumerate(self.window_keys_)}
            self._key_index_cache = index
        return index

    def _key_codes(self, batch: Batch, learn: np.ndarray) -> np.ndarray:
        """The window of each row (-1 for a key never learnt, seen in a predicted row),
        registering the keys of learnt rows."""
        n = len(learn)
        if batch.keys is None:
            keys: list[Any] = [None] * n
        else:
            keys = batch.keys.tolist()
        index = self._key_index()
        codes = np.empty(n, dtype=np.int64)
        added = 0
        for i, key in enumerate(keys):
            code = index.get(key, -1)
            if code < 0 and learn[i]:
                code = index[key] = len(self.window_keys_)
                self.window_keys_.append(key)
                added += 1
            codes[i] = code
        if added:
            self.windows_ = np.concatenate(
                [self.windows_, np.zeros((added, *self.windows_.shape[1:]))])
        return codes

    def _grow_windows(self, width: int) -> None:
        missing = width - self.windows_.shape[2]
        if missing > 0:
            self.windows_ = np.pad(self.windows_, ((0, 0), (0, 0), (0, missing)))

    def _sequences(self, steps_pred: np.ndarray, steps_learn: np.ndarray, codes: np.ndarray,
                   learn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Both streams as sequences ``(n, window, width)``; then the learnt rows enter their
        key's window."""
        n, width = steps_learn.shape
        history = self.window - 1
        if n == 0:
            empty = np.zeros((0, self.window, width))
            return empty, empty
        order = np.argsort(codes, kind="stable")
        sorted_codes = codes[order]
        starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
        group_of_sorted = np.cumsum(np.r_[False, sorted_codes[1:] != sorted_codes[:-1]])
        group = np.empty(n, dtype=np.int64)
        group[order] = group_of_sorted
        group_codes = sorted_codes[starts]
        learnt_sorted = learn[order].astype(np.int64)
        # learnt rows of the same key before each row, and learnt rows per key
        cumulative = np.cumsum(learnt_sorted)
        before_group = np.r_[0, cumulative][starts]
        before = np.empty(n, dtype=np.int64)
        before[order] = cumulative - learnt_sorted - before_group[group_of_sorted]
        per_group = np.add.reduceat(learnt_sorted, starts)
        # one source per key: its window, then its learnt rows in order
        offsets = np.r_[0, np.cumsum(history + per_group)[:-1]]
        source = np.zeros((int(np.sum(history + per_group)), width))
        known = group_codes >= 0
        if history and known.any():
            slots = offsets[known, None] + np.arange(history)
            source[slots] = self.windows_[group_codes[known]]
        learnt_rows = np.flatnonzero(learn)
        source[offsets[group[learnt_rows]] + history + before[learnt_rows]] = \
            steps_learn[learnt_rows]
        context = source[(offsets[group] + before)[:, None] + np.arange(history)]
        pred = np.concatenate([context, steps_pred[:, None, :]], axis=1)
        learned = pred if steps_learn is steps_pred else np.concatenate(
            [context, steps_learn[:, None, :]], axis=1)
        if history:
            moved = known & (per_group > 0)
            if moved.any():
                ends = offsets[moved] + per_group[moved]
                self.windows_[group_codes[moved]] = source[ends[:, None] + np.arange(history)]
        return pred, learned
