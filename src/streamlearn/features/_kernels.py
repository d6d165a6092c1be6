"""Numba kernels of the windowed aggregates: causal row loops over a micro-batch.

State, in two parts:

- Each key keeps its events in the window in its own block of consecutive rows of one float64
  matrix (``events``), used as a ring of ``capacity`` rows (a power of two) from ``head``
  (the oldest event) for ``size`` events (``blocks`` holds offset, capacity, head and size
  per key). Answering walks one key's block, a few adjacent cache lines, instead of chasing
  events scattered over memory. A full block moves to a new block twice its size at the end
  of the used rows; an emptied block is released; when the matrix has no room left, the
  caller compacts the live blocks into a fresh matrix (``compact``). A row holds the event's
  time, the values of the ``on`` columns (``ABSENT``, +inf, where missing or infinite: never
  counted) and the category code of each ``distinct`` column (-1 where missing); codes are
  integers below 2**53, held exactly.
- One FIFO ring (``ring``) holds (time, key slot) of every learnt event in arrival order, at
  position ``number % capacity``. Event times are clamped to the watermark, so the ring is
  sorted by time and expiry pops it from the front, dropping each expired event from the head
  of its key's block. The blocks thus hold exactly the events of the longest window.

With 100,000 keys this state lies in main memory, not in cache: the row loop asks for the
memory of the keys a few rows ahead (``prefetch_row``), so that the waits overlap.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

COUNT, SUM, MEAN, STD, MIN, MAX = 0, 1, 2, 3, 4, 5
AGGREGATES = ("count", "sum", "mean", "std", "min", "max")
TIME, VALUES = 0, 1  # columns of the event matrix; the category codes follow the values
OFFSET, CAPACITY, HEAD, SIZE = 0, 1, 2, 3  # columns of the per-key block table
START, KEPT, USED, WANTED = 0, 1, 2, 3  # the counters: ring start and length, rows used,
# rows a block asked for when the event matrix was full (0 otherwise)
ABSENT = math.inf  # a value left out (missing or infinite); no NaN in the state
FIRST_BLOCK = 2  # rows of a key's first block
AHEAD = 8  # how many rows ahead the memory of an event's key is asked for


def event_width(n_on: int, n_distinct: int) -> int:
    return VALUES + n_on + n_distinct


@intrinsic
def prefetch_row(typingctx, matrix, row):
    """Ask the CPU to bring row ``row`` of a C-contiguous matrix into cache (LLVM's prefetch
    hint: no effect on results)."""
    def codegen(context, builder, signature, args):
        matrix_type = signature.args[0]
        array = context.make_array(matrix_type)(context, builder, args[0])
        zero = context.get_constant(types.intp, 0)
        pointer = cgutils.get_item_pointer(context, builder, matrix_type, array,
                                           [args[1], zero], wraparound=False)
        byte_pointer = ir.IntType(8).as_pointer()
        int32 = ir.IntType(32)
        hint = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, int32, int32, int32]),
            "llvm.prefetch.p0i8")
        # read access, high temporal locality, data cache
        builder.call(hint, [builder.bitcast(pointer, byte_pointer), int32(0), int32(3),
                            int32(1)])
        return context.get_dummy_value()

    return types.void(matrix, types.intp), codegen


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
def _write(out, row, first_column, how, n_windows, wi, count, total, low, high, squares):
    """The aggregates of one ``on`` column in one window, into ``out[row]`` from column
    ``first_column``."""
    n_how = how.shape[0]
    for h in range(n_how):
        kind = how[h]
        if kind == COUNT:
            value = count
        elif kind == SUM:
            value = total
        elif count == 0.0:
            value = math.nan
        elif kind == MEAN:
            value = total / count
        elif kind == STD:
            value = math.sqrt(squares / count)
        elif kind == MIN:
            value = low
        else:
            value = high
        out[row, first_column + h * n_windows + wi] = value


@njit(cache=True, error_model="numpy")
def _aggregate(events, offset, mask, head, first, stop, newest, column, how, need_std,
               n_windows, wi, out_before, out_after, row, out_column):
    """Aggregates of ``column`` over the key's events ``first..stop - 1`` (0 the oldest) into
    ``out_before``, and with event ``newest`` too (when >= 0) into ``out_after``.

    Values are summed in arrival order (the order a plain Python loop would use); the
    standard deviation is the population one, from a second pass around the mean.
    """
    count, total, low, high = 0.0, 0.0, math.inf, -math.inf
    for k in range(first, stop):
        value = events[offset + ((head + k) & mask), column]
        if value != ABSENT:
            count += 1.0
            total += value
            low = min(low, value)
            high = max(high, value)
    added = ABSENT if newest < 0 else events[offset + ((head + newest) & mask), column]
    count_after, total_after, low_after, high_after = count, total, low, high
    if added != ABSENT:
        count_after += 1.0
        total_after += added
        low_after = min(low, added)
        high_after = max(high, added)
    squares, squares_after = 0.0, 0.0
    if need_std and count_after > 0.0:
        mean, mean_after = total / count, total_after / count_after
        for k in range(first, stop):
            value = events[offset + ((head + k) & mask), column]
            if value != ABSENT:
                squares += (value - mean) * (value - mean)
                squares_after += (value - mean_after) * (value - mean_after)
        if added != ABSENT:
            squares_after += (added - mean_after) * (added - mean_after)
    _write(out_before, row, out_column, how, n_windows, wi, count, total, low, high, squares)
    if newest >= 0:
        _write(out_after, row, out_column, how, n_windows, wi, count_after, total_after,
               low_after, high_after, squares_after)


@njit(cache=True, error_model="numpy")
def _distinct(events, offset, mask, head, first, stop, column, stamp, stamp_counter):
    """Number of distinct codes of the key's events ``first..stop - 1`` in ``column``, and the
    mark left in ``stamp`` on each code counted."""
    stamp_counter[0] += 1
    mark = stamp_counter[0]
    distinct = 0
    for k in range(first, stop):
        code = np.int64(events[offset + ((head + k) & mask), column])
        if code >= 0 and stamp[code] != mark:
            stamp[code] = mark
            distinct += 1
    return distinct, mark


@njit(cache=True, error_model="numpy")
def answer(slot, now, latest, newest_is_new, windows, max_window, tumbling, how, need_std,
           n_on, n_distinct, events, blocks, stamp, stamp_counter, out_before, out_after, row,
           out_column):
    """Write the aggregates of key ``slot`` at time ``now`` into ``out_before[row]``, from
    column ``out_column`` on (``latest`` is the watermark).

    With ``newest_is_new`` (the key's newest event was just learnt), ``out_before`` leaves
    it out and ``out_after`` counts it: one walk answers both. Values are summed in arrival
    order (the order a plain Python loop would use); the standard deviation is the
    population one, from a second pass around the mean.
    """
    offset, mask, head, size = 0, 0, 0, 0
    if slot >= 0:
        offset, mask = blocks[slot, OFFSET], blocks[slot, CAPACITY] - 1
        head, size = blocks[slot, HEAD], blocks[slot, SIZE]
    # the number of the key's newest events in the longest window (all of them, unless
    # ``now`` is past the watermark)
    found = size
    if tumbling or now > latest:  # (sliding at the watermark: every event kept is inside)
        lowest = _lower(now, max_window, tumbling)
        found = 0
        while found < size and _in_window(
                events[offset + ((head + size - 1 - found) & mask), TIME], lowest, tumbling):
            found += 1
    stop = size - 1 if newest_is_new else size  # the events counted in ``out_before``
    n_windows = windows.shape[0]
    base = out_column + n_on * how.shape[0] * n_windows
    for wi in range(n_windows):
        inside = found
        if windows[wi] != max_window:
            lower = _lower(now, windows[wi], tumbling)
            while inside > 0 and not _in_window(
                    events[offset + ((head + size - inside) & mask), TIME], lower, tumbling):
                inside -= 1
        first = size - inside
        newest = size - 1 if newest_is_new else -1
        for c in range(n_on):
            _aggregate(events, offset, mask, head, first, stop, newest, VALUES + c, how,
                       need_std, n_windows, wi, out_before, out_after, row,
                       out_column + c * how.shape[0] * n_windows)
        for d in range(n_distinct):
            column = VALUES + n_on + d
            distinct, mark = _distinct(events, offset, mask, head, first, stop, column, stamp,
                                       stamp_counter)
            out_before[row, base + d * n_windows + wi] = distinct
            if newest_is_new:
                code = np.int64(events[offset + ((head + size - 1) & mask), column])
                if code >= 0 and stamp[code] != mark:
                    distinct += 1
                out_after[row, base + d * n_windows + wi] = distinct


@njit(cache=True, error_model="numpy")
def windowed_aggregates(start_row, resume, fused, pred_time, pred_slot, learn, learn_time,
                        learn_slot, learn_X, on_columns, learn_codes, windows, tumbling, how,
                        need_std, max_window, events, blocks, ring, counters, watermark, stamp,
                        stamp_counter, out_pred, pred_column, out_learn, learn_column):
    """Process rows ``start_row..n``; returns ``n``, or the row at which the ring is full
    or the event matrix has no room for a key's block (the caller grows the ring or compacts
    the matrix and resumes there with ``resume``: that row's prediction is then already
    written, and its expiry done, which is idempotent).

    ``fused``: the predicted and learnt rows are the same events (test-then-train), so a
    learnt row is answered before and after learning in one walk. The values of the ``on``
    columns are ``learn_X[:, on_columns]`` (absent where -1); the answers go to
    ``out_pred`` and ``out_learn`` from columns ``pred_column`` and ``learn_column`` on.
    ``counters`` holds (ring start, ring length, rows used, rows wanted); ``watermark``
    the latest event time.
    """
    n = pred_time.shape[0]
    n_on = on_columns.shape[0]
    n_distinct = learn_codes.shape[1]
    start, kept, used = counters[START], counters[KEPT], counters[USED]
    latest = watermark[0]
    ring_mask = ring.shape[0] - 1
    for i in range(start_row, n):
        _fetch_ahead(learn_slot, i, events, blocks, ring, start, kept)
        if not fused:
            _fetch_ahead(pred_slot, i, events, blocks, ring, start, kept)
        if not (fused and learn[i]) and not (resume and i == start_row):
            now = effective_time(pred_time[i], latest)
            answer(pred_slot[i], now, latest, False, windows, max_window, tumbling, how,
                   need_std, n_on, n_distinct, events, blocks, stamp, stamp_counter, out_pred,
                   out_pred, i, pred_column)
        if not learn[i]:
            continue
        now = effective_time(learn_time[i], latest)
        latest = now
        bound = now - max_window
        while kept > 0 and ring[start & ring_mask, 0] <= bound:  # expire
            used = _expire_one(blocks, np.int64(ring[start & ring_mask, 1]), used)
            start += 1
            kept -= 1
        slot = learn_slot[i]
        if slot >= 0:
            capacity = blocks[slot, CAPACITY]
            grown = 2 * capacity if capacity > 0 else FIRST_BLOCK
            full = blocks[slot, SIZE] == capacity
            if kept == ring.shape[0] or (full and used + grown > events.shape[0]):
                counters[START], counters[KEPT], counters[USED] = start, kept, used
                counters[WANTED] = grown if full and used + grown > events.shape[0] else 0
                watermark[0] = latest
                return i
            if full:  # the block moves to one twice its size at the end of the used rows
                _move(events, blocks, slot, events, used, grown)
                used += grown
            _insert(events, blocks, slot, now, learn_X, on_columns, learn_codes, i)
            end = (start + kept) & ring_mask
            ring[end, 0] = now
            ring[end, 1] = slot
            kept += 1
        if fused:  # without a key nothing is learnt: the same answer before and after
            answer(slot, now, latest, slot >= 0, windows, max_window, tumbling, how, need_std,
                   n_on, n_distinct, events, blocks, stamp, stamp_counter, out_pred,
                   out_learn, i, learn_column)
            if slot < 0:
                out_learn[i, learn_column:] = out_pred[i, pred_column:]
        else:
            answer(slot, now, latest, False, windows, max_window, tumbling, how, need_std,
                   n_on, n_distinct, events, blocks, stamp, stamp_counter, out_learn,
                   out_learn, i, learn_column)
    counters[START], counters[KEPT], counters[USED] = start, kept, used
    watermark[0] = latest
    return n


@njit(cache=True, error_model="numpy")
def _fetch_ahead(slots, i, events, blocks, ring, start, kept):
    """Prefetch what rows ahead will touch: the key-table rows of the keys ``2 * AHEAD``
    rows on and of the events due to expire next, and the block of the key ``AHEAD`` rows on
    (whose table row was asked for ``AHEAD`` rows ago)."""
    n = slots.shape[0]
    if i + 2 * AHEAD < n and slots[i + 2 * AHEAD] >= 0:
        prefetch_row(blocks, slots[i + 2 * AHEAD])
    if i + AHEAD < n and slots[i + AHEAD] >= 0:
        slot = slots[i + AHEAD]
        capacity, head, size = blocks[slot, CAPACITY], blocks[slot, HEAD], blocks[slot, SIZE]
        if capacity > 0:
            prefetch_row(events, blocks[slot, OFFSET] + head)
            prefetch_row(events, blocks[slot, OFFSET] + ((head + size) & (capacity - 1)))
    if kept > AHEAD:
        prefetch_row(blocks, np.int64(ring[(start + AHEAD) & (ring.shape[0] - 1), 1]))


@njit(cache=True, error_model="numpy")
def _expire_one(blocks, slot, used):
    """Drop the oldest event of key ``slot``; a block left empty is released. Returns the
    rows used."""
    if blocks[slot, SIZE] > 1:
        blocks[slot, HEAD] = (blocks[slot, HEAD] + 1) & (blocks[slot, CAPACITY] - 1)
        blocks[slot, SIZE] -= 1
        return used
    if blocks[slot, OFFSET] + blocks[slot, CAPACITY] == used:
        used = blocks[slot, OFFSET]  # the last block: its rows are free again
    blocks[slot, OFFSET] = 0
    blocks[slot, CAPACITY] = 0
    blocks[slot, HEAD] = 0
    blocks[slot, SIZE] = 0
    return used


@njit(cache=True, error_model="numpy")
def _move(events, blocks, slot, target, offset, capacity):
    """Copy key ``slot``'s events, oldest first, to rows ``offset..`` of ``target``."""
    old, mask, head = blocks[slot, OFFSET], blocks[slot, CAPACITY] - 1, blocks[slot, HEAD]
    for k in range(blocks[slot, SIZE]):
        target[offset + k, :] = events[old + ((head + k) & mask), :]
    blocks[slot, OFFSET], blocks[slot, CAPACITY], blocks[slot, HEAD] = offset, capacity, 0


@njit(cache=True, error_model="numpy")
def _insert(events, blocks, slot, now, learn_X, on_columns, learn_codes, i):
    """Append learnt row ``i`` as the newest event of key ``slot`` (whose block has room)."""
    n_on = on_columns.shape[0]
    row = blocks[slot, OFFSET] + (
        (blocks[slot, HEAD] + blocks[slot, SIZE]) & (blocks[slot, CAPACITY] - 1))
    events[row, TIME] = now
    for c in range(n_on):
        value = learn_X[i, on_columns[c]] if on_columns[c] >= 0 else ABSENT
        events[row, VALUES + c] = value if math.isfinite(value) else ABSENT
    for d in range(learn_codes.shape[1]):
        events[row, VALUES + n_on + d] = learn_codes[i, d]
    blocks[slot, SIZE] += 1


@njit(cache=True, error_model="numpy")
def _fitted_capacity(size, capacity):
    """A block's capacity after compaction: halved while at most a quarter full, so that
    memory follows the window while a key near its usual size does not move again."""
    if size == 0:
        return 0
    while capacity > FIRST_BLOCK and 4 * size <= capacity:
        capacity //= 2
    return capacity


@njit(cache=True, error_model="numpy")
def compacted_rows(blocks, n_keys):
    """Rows the live blocks take once compacted."""
    total = 0
    for slot in range(n_keys):
        total += _fitted_capacity(blocks[slot, SIZE], blocks[slot, CAPACITY])
    return total


@njit(cache=True, error_model="numpy")
def compact(events, blocks, n_keys, target):
    """Copy the live blocks, in key order, to the start of ``target``; returns the rows used."""
    used = 0
    for slot in range(n_keys):
        capacity = _fitted_capacity(blocks[slot, SIZE], blocks[slot, CAPACITY])
        if capacity > 0:
            _move(events, blocks, slot, target, used, capacity)
            used += capacity
    return used


def grow_ring(ring: np.ndarray, start: int) -> np.ndarray:
    """Double a full ring; each event moves to its number modulo the new capacity."""
    capacity = ring.shape[0]
    numbers = start + np.arange(capacity)
    grown = np.zeros((2 * capacity, ring.shape[1]))
    grown[numbers % (2 * capacity)] = ring[numbers % capacity]
    return grown
