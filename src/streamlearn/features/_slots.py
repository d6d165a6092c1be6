"""Mapping keys (and categories) to integer slots, in order of first learnt appearance."""

from __future__ import annotations

from itertools import repeat
from typing import Any

import numpy as np
from numba import njit

from streamlearn.features._kernels import AHEAD, prefetch_row

_EMPTY = -1  # slot of an empty bucket of the integer table


def _plain(value: Any) -> Any:
    """numpy scalars as Python ones, so that the snapshot stays JSON-friendly."""
    return value.item() if isinstance(value, np.generic) else value


class SlotMap:
    """Values (keys, categories) to slots 0, 1, 2, ... in order of first learnt appearance.

    ``registered`` is the learned state (the value of each slot); the lookup structures are
    caches rebuilt from it. While every value is a Python or numpy integer, values go through
    a compiled open-addressing hash table; otherwise through a dict, one lookup per row at C
    speed.
    """

    def __init__(self, registered: list[Any]):
        self.registered = registered
        self.all_int = all(type(v) is int for v in registered)
        self._known: dict[Any, int] | None = None  # the dict, built when first needed
        self.table = np.zeros((0, 2), np.int64)  # (value, slot) per bucket

    @property
    def known(self) -> dict[Any, int]:
        if self._known is None or len(self._known) != len(self.registered):
            self._known = {value: slot for slot, value in enumerate(self.registered)}
        return self._known

    def slots(self, values: np.ndarray, learn: np.ndarray | None) -> np.ndarray:
        """The slot of each row's value (-1 where missing, None or NaN, or unknown).

        With ``learn`` given, values first seen in learnt rows are registered; values seen
        only in other rows stay unknown, so answering never changes state.
        """
        integers = self._as_integers(values) if self.all_int else None
        if integers is not None:
            return self._int_slots(integers, learn)
        known = self.known
        items = values.tolist() if values.dtype.kind != "O" else values
        found = np.fromiter(map(known.get, items, repeat(-1)), np.int64, len(values))
        if learn is None:
            return found
        for i in np.flatnonzero(found < 0).tolist():  # new keys, or keys learnt since
            value = items[i]
            if value is None or value != value:
                continue
            slot = known.get(value)
            if slot is None and learn[i]:
                slot = known[value] = len(self.registered)
                self.registered.append(_plain(value))
                self.all_int = self.all_int and type(self.registered[-1]) is int
                self.table = np.zeros((0, 2), np.int64)  # rebuilt when next needed
            found[i] = -1 if slot is None else slot
        return found

    @staticmethod
    def _as_integers(values: np.ndarray) -> np.ndarray | None:
        if values.dtype.kind == "i" or (values.dtype.kind == "u" and values.itemsize < 8):
            return values.astype(np.int64, copy=False)
        if values.dtype.kind != "O" or set(map(type, values)) != {int}:
            return None
        try:
            return values.astype(np.int64)
        except OverflowError:
            return None

    def _int_slots(self, values: np.ndarray, learn: np.ndarray | None) -> np.ndarray:
        needed = 2 * (len(self.registered) + len(values))  # a table at most half full
        if len(self.table) < needed:
            size = 64
            while size < needed:
                size *= 2
            self.table = np.full((size, 2), _EMPTY, np.int64)
            _int_table_build(self.table, np.array(self.registered, dtype=np.int64))
        if learn is None:
            learn = np.zeros(len(values), dtype=np.bool_)
        new_values = np.empty(len(values), np.int64)
        slots, added = _int_table_slots(values, learn, self.table, len(self.registered),
                                        new_values)
        if added:
            self.registered.extend(new_values[:added].tolist())
        return slots


@njit(cache=True)
def _bucket(value, mask):
    mixed = np.uint64(value) * np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing
    return np.int64((mixed ^ (mixed >> np.uint64(29))) & np.uint64(mask))


@njit(cache=True)
def _int_table_build(table, values):
    """Put ``values`` (slot = position) into an empty table."""
    mask = table.shape[0] - 1
    for slot in range(values.shape[0]):
        b = _bucket(values[slot], mask)
        while table[b, 1] != _EMPTY:
            b = (b + 1) & mask
        table[b, 0] = values[slot]
        table[b, 1] = slot


@njit(cache=True)
def _int_table_slots(values, learn, table, registered, new_values):
    """Slots of integer values through an open-addressing table (linear probing); values first
    seen in learnt rows are registered in row order (written to ``new_values``). Returns
    (slots, number of new values). The table must have room for every row's value."""
    n = values.shape[0]
    mask = table.shape[0] - 1
    slots = np.empty(n, dtype=np.int64)
    added = 0
    for i in range(n):
        if i + AHEAD < n:  # the bucket rows ahead will probe, asked for early
            prefetch_row(table, _bucket(values[i + AHEAD], mask))
        value = values[i]
        b = _bucket(value, mask)
        slot = -1
        while table[b, 1] != _EMPTY:
            if table[b, 0] == value:
                slot = table[b, 1]
                break
            b = (b + 1) & mask
        if slot < 0 and learn[i]:
            slot = registered + added
            table[b, 0] = value
            table[b, 1] = slot
            new_values[added] = value
            added += 1
        slots[i] = slot
    return slots, added
