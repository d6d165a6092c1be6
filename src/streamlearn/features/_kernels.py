"""Numba kernels of the windowed aggregates: causal row loops over a micro-batch.

State: one FIFO ring of learnt events in arrival order, each numbered by its sequence number
``q`` (the number of events learnt before it) and stored at position ``q % capacity``. Each
key keeps the number of its newest event (``tails``), and each event the number of the
previous event of its key. Event times are clamped to the watermark, so the ring is sorted by
time: expiry only advances the ring's start, and a key's events are walked from the newest
back to the first one outside the window (or expired, numbered below the start).

An event is one row of a float64 matrix, so that walking a key's events touches one cache
line per event: time, number of the previous event of the key, the values of the ``on``
columns, whether each is present (1.0) or not (0.0), and the category code of each
``distinct`` column (-1 where missing). Numbers and codes are integers below 2**53, held
exactly.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

COUNT, SUM, MEAN, STD, MIN, MAX = 0, 1, 2, 3, 4, 5
AGGREGATES = ("count", "sum", "mean", "std", "min", "max")
TIME, PREVIOUS, VALUES = 0, 1, 2  # columns of the event matrix; presence and codes follow


def event_width(n_on: int, n_distinct: int) -> int:
    return VALUES + 2 * n_on + n_distinct


@njit(cache=True, error_model="numpy")
def effective_time(t, watermark):
    """An event's time, never earlier than the watermark; missing or infinite: the watermark
    (0.0 before any time was seen)."""
    if not math.isfinite(t):
        return watermark if watermark > -math.inf else 0.0
    return t if t > watermark else watermark


@njit(cache=True, error_model="numpy")
def _lower(now, width, tumbling):
    return math.floor(now / width) * width if tumbling else now - width


@njit(cache=True, error_model="numpy")
def _in_window(event_time, lower, tumbling):
    # sliding: (T - w, T]; tumbling: [floor(T / w) * w, T]
    return event_time >= lower if tumbling else event_time > lower


@njit(cache=True, error_model="numpy")
def _add(acc, ring, e, n_on):
    for c in range(n_on):
        if ring[e, VALUES + n_on + c] != 0.0:
            value = ring[e, VALUES + c]
            acc[0, c] += 1.0
            acc[1, c] += value
            acc[2, c] = min(acc[2, c], value)
            acc[3, c] = max(acc[3, c], value)


@njit(cache=True, error_model="numpy")
def _squares(acc, ring, events, first, stop, n_on):
    """Sum of squared deviations from the mean over ``events[first]`` down to
    ``events[stop + 1]`` (arrival order: the list runs from the newest event)."""
    for c in range(n_on):
        acc[4, c] = 0.0
    for k in range(first, stop, -1):
        e = events[k]
        for c in range(n_on):
            if ring[e, VALUES + n_on + c] != 0.0:
                deviation = ring[e, VALUES + c] - acc[1, c] / acc[0, c]
                acc[4, c] += deviation * deviation


@njit(cache=True, error_model="numpy")
def _write(acc, how, n_on, n_windows, wi, out, row):
    n_how = how.shape[0]
    for c in range(n_on):
        count = acc[0, c]
        for h in range(n_how):
            kind = how[h]
            if kind == COUNT:
                value = count
            elif kind == SUM:
                value = acc[1, c]
            elif count == 0.0:
                value = math.nan
            elif kind == MEAN:
                value = acc[1, c] / count
            elif kind == STD:
                value = math.sqrt(acc[4, c] / count)
            elif kind == MIN:
                value = acc[2, c]
            else:
                value = acc[3, c]
            out[row, (c * n_how + h) * n_windows + wi] = value


@njit(cache=True, error_model="numpy")
def answer(slot, now, newest_is_new, windows, max_window, tumbling, how, need_std, n_on,
           n_distinct, ring, tails, start, stamp, stamp_counter, acc, events, out_before,
           out_after, row):
    """Write the aggregates of key ``slot`` at time ``now`` into ``out_before[row]``.

    With ``newest_is_new`` (the key's newest event was just learnt), ``out_before`` leaves
    it out and ``out_after`` counts it: one walk answers both. Values are summed in arrival
    order (the order a plain Python loop would use); the standard deviation is the
    population one, from a second pass around the mean.
    """
    capacity = ring.shape[0]
    found = 0  # the key's events in the longest window, newest first, into ``events``
    q = tails[slot] if slot >= 0 else -1
    lowest = _lower(now, max_window, tumbling)
    while q >= start:
        e = q % capacity
        if not _in_window(ring[e, TIME], lowest, tumbling):
            break
        events[found] = e
        found += 1
        q = np.int64(ring[e, PREVIOUS])
    skip = 1 if newest_is_new else 0
    n_windows = windows.shape[0]
    base = n_on * how.shape[0] * n_windows
    for wi in range(n_windows):
        lower = _lower(now, windows[wi], tumbling)
        inside = 0
        while inside < found and _in_window(ring[events[inside], TIME], lower, tumbling):
            inside += 1
        for c in range(n_on):
            acc[0, c] = 0.0
            acc[1, c] = 0.0
            acc[2, c] = math.inf
            acc[3, c] = -math.inf
        for k in range(inside - 1, skip - 1, -1):
            _add(acc, ring, events[k], n_on)
        if need_std:
            _squares(acc, ring, events, inside - 1, skip - 1, n_on)
        _write(acc, how, n_on, n_windows, wi, out_before, row)
        if newest_is_new:
            _add(acc, ring, events[0], n_on)
            if need_std:
                _squares(acc, ring, events, inside - 1, -1, n_on)
            _write(acc, how, n_on, n_windows, wi, out_after, row)
        for d in range(n_distinct):
            stamp_counter[0] += 1
            mark = stamp_counter[0]
            distinct = 0
            for k in range(skip, inside):
                code = np.int64(ring[events[k], VALUES + 2 * n_on + d])
                if code >= 0 and stamp[code] != mark:
                    stamp[code] = mark
                    distinct += 1
            out_before[row, base + d * n_windows + wi] = distinct
            if newest_is_new:
                code = np.int64(ring[events[0], VALUES + 2 * n_on + d])
                if code >= 0 and stamp[code] != mark:
                    distinct += 1
                out_after[row, base + d * n_windows + wi] = distinct


@njit(cache=True, error_model="numpy")
def windowed_aggregates(start_row, resume, fused, pred_time, pred_slot, learn, learn_time,
                        learn_slot, learn_values, learn_codes, windows, tumbling, how, need_std,
                        max_window, ring, tails, counters, watermark, stamp, stamp_counter,
                        acc, events, out_pred, out_learn):
    """Process rows ``start_row..n``; returns ``n``, or the row at which the ring is full
    (the caller grows it and resumes there with ``resume``: that row's prediction is then
    already written, and its expiry done, which is idempotent).

    ``fused``: the predicted and learnt rows are the same events (test-then-train), so a
    learnt row is answered before and after learning in one walk. ``counters`` holds (number
    of the oldest event kept, number of events kept); ``watermark`` the latest event time.
    """
    n = pred_time.shape[0]
    capacity = ring.shape[0]
    n_on = learn_values.shape[1]
    n_distinct = learn_codes.shape[1]
    for i in range(start_row, n):
        if not (fused and learn[i]) and not (resume and i == start_row):
            now = effective_time(pred_time[i], watermark[0])
            answer(pred_slot[i], now, False, windows, max_window, tumbling, how, need_std,
                   n_on, n_distinct, ring, tails, counters[0], stamp, stamp_counter, acc,
                   events, out_pred, out_pred, i)
        if not learn[i]:
            continue
        now = effective_time(learn_time[i], watermark[0])
        watermark[0] = now
        bound = now - max_window
        while counters[1] > 0 and ring[counters[0] % capacity, TIME] <= bound:  # expire
            counters[0] += 1
            counters[1] -= 1
        slot = learn_slot[i]
        if slot >= 0:
            if counters[1] == capacity:
                return i
            _insert(ring, tails, counters, slot, now, learn_values, learn_codes, i)
        if fused:  # without a key nothing is learnt: the same answer before and after
            answer(slot, now, slot >= 0, windows, max_window, tumbling, how, need_std, n_on,
                   n_distinct, ring, tails, counters[0], stamp, stamp_counter, acc, events,
                   out_pred, out_learn, i)
            if slot < 0:
                out_learn[i, :] = out_pred[i, :]
        else:
            answer(slot, now, False, windows, max_window, tumbling, how, need_std, n_on,
                   n_distinct, ring, tails, counters[0], stamp, stamp_counter, acc, events,
                   out_learn, out_learn, i)
    return n


@njit(cache=True, error_model="numpy")
def _insert(ring, tails, counters, slot, now, learn_values, learn_codes, i):
    """Append learnt row ``i`` to the ring as the newest event of its key."""
    n_on = learn_values.shape[1]
    number = counters[0] + counters[1]
    pos = number % ring.shape[0]
    ring[pos, TIME] = now
    ring[pos, PREVIOUS] = tails[slot]
    for c in range(n_on):
        value = learn_values[i, c]
        finite = math.isfinite(value)  # absent or infinite values are never kept
        ring[pos, VALUES + c] = value if finite else 0.0
        ring[pos, VALUES + n_on + c] = 1.0 if finite else 0.0
    for d in range(learn_codes.shape[1]):
        ring[pos, VALUES + 2 * n_on + d] = learn_codes[i, d]
    tails[slot] = number
    counters[1] += 1


def grow_ring(ring: np.ndarray, start: int) -> np.ndarray:
    """Double a full ring; each event moves to its number modulo the new capacity."""
    capacity = ring.shape[0]
    numbers = start + np.arange(capacity)
    grown = np.zeros((2 * capacity, ring.shape[1]))
    grown[numbers % (2 * capacity)] = ring[numbers % capacity]
    return grown


@njit(cache=True)
def _bucket(value, mask):
    mixed = np.uint64(value) * np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing
    return np.int64((mixed ^ (mixed >> np.uint64(29))) & np.uint64(mask))


@njit(cache=True)
def int_table_build(table_keys, table_slots, keys):
    """Put ``keys`` (slot = position) into an empty table."""
    mask = table_keys.shape[0] - 1
    for slot in range(keys.shape[0]):
        b = _bucket(keys[slot], mask)
        while table_slots[b] >= 0:
            b = (b + 1) & mask
        table_keys[b] = keys[slot]
        table_slots[b] = slot


@njit(cache=True)
def int_slots(values, learn, table_keys, table_slots, registered, new_keys):
    """Slots of integer keys through an open-addressing table (linear probing); keys first
    seen in learnt rows are registered in row order (written to ``new_keys``). Returns
    (slots, number of new keys). The table must have room for every row's key."""
    n = values.shape[0]
    mask = table_keys.shape[0] - 1
    slots = np.empty(n, dtype=np.int64)
    added = 0
    for i in range(n):
        value = values[i]
        b = _bucket(value, mask)
        slot = -1
        while table_slots[b] >= 0:
            if table_keys[b] == value:
                slot = table_slots[b]
                break
            b = (b + 1) & mask
        if slot < 0 and learn[i]:
            slot = registered + added
            table_keys[b] = value
            table_slots[b] = slot
            new_keys[added] = value
            added += 1
        slots[i] = slot
    return slots, added
