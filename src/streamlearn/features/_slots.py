"""Mapping keys (and categories) to integer slots, in order of first learnt appearance."""

from __future__ import annotations

from itertools import repeat
from typing import Any

import numpy as np

from streamlearn.features import _kernels as kernels


def _plain(value: Any) -> Any:
    """numpy scalars as Python ones, so that the snapshot stays JSON-friendly."""
    return value.item() if isinstance(value, np.generic) else value


class SlotMap:
    """Values (keys, categories) to slots 0, 1, 2, ... in order of first learnt appearance.

    ``registered`` is the learned state (the value of each slot); the lookup structures are
    caches rebuilt from it. Integer keys go through a compiled hash table, other values
    through a dict, one lookup per row at C speed.
    """

    def __init__(self, registered: list[Any]):
        self.registered = registered
        self.known = {value: slot for slot, value in enumerate(registered)}
        self.all_int = all(type(v) is int for v in registered)
        self.table_keys = np.zeros(0, np.int64)
        self.table_slots = np.zeros(0, np.int64)

    def slots(self, values: np.ndarray, learn: np.ndarray | None) -> np.ndarray:
        """The slot of each row's value (-1 where missing, None or NaN, or unknown).

        With ``learn`` given, values first seen in learnt rows are registered; values seen
        only in other rows stay unknown, so answering never changes state.
        """
        integers = self._as_integers(values) if self.all_int else None
        if integers is not None:
            return self._int_slots(integers, learn)
        items = values.tolist() if values.dtype.kind != "O" else values
        found = np.fromiter(map(self.known.get, items, repeat(-1)), np.int64, len(values))
        if learn is None:
            return found
        for i in np.flatnonzero(found < 0).tolist():  # new keys, or keys learnt since
            value = items[i]
            if value is None or value != value:
                continue
            slot = self.known.get(value)
            if slot is None and learn[i]:
                slot = self._register(_plain(value))
                self.all_int = self.all_int and type(self.registered[-1]) is int
            found[i] = -1 if slot is None else slot
        return found

    def _register(self, value: Any) -> int:
        slot = self.known[value] = len(self.registered)
        self.registered.append(value)
        if len(self.table_keys):
            self.table_keys = np.zeros(0, np.int64)  # rebuilt when next needed
        return slot

    @staticmethod
    def _as_integers(values: np.ndarray) -> np.ndarray | None:
        if values.dtype.kind == "i" or (values.dtype.kind == "u" and values.itemsize < 8):
            return values.astype(np.int64, copy=False)
        if values.dtype.kind != "O" or set(map(type, values)) != {int}:
            return None
        try:
            return np.array(values.tolist(), dtype=np.int64)
        except OverflowError:
            return None

    def _int_slots(self, values: np.ndarray, learn: np.ndarray | None) -> np.ndarray:
        needed = 2 * (len(self.registered) + len(values))
        if len(self.table_keys) < needed:
            size = 64
            while size < 2 * needed:
                size *= 2
            self.table_keys = np.zeros(size, np.int64)
            self.table_slots = np.full(size, -1, np.int64)
            kernels.int_table_build(self.table_keys, self.table_slots,
                                    np.array(self.registered, dtype=np.int64))
        if learn is None:
            learn = np.zeros(len(values), dtype=np.bool_)
        new_keys = np.empty(len(values), np.int64)
        slots, added = kernels.int_slots(values, learn, self.table_keys, self.table_slots,
                                         len(self.registered), new_keys)
        for value in new_keys[:added].tolist():
            self.known[value] = len(self.registered)
            self.registered.append(value)
        return slots
