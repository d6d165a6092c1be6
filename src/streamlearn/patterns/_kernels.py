"""Numba kernels of the pattern miners: whole micro-batches of transactions in one call.

A batch of transactions is CSR: ``offsets`` (one more than the transactions) and ``ids``
(int32 item codes), transaction ``t`` holding ``ids[offsets[t]:offsets[t + 1]]``;
:func:`canonical_transactions` sorts and de-duplicates each one, which the other kernels
assume.

Itemsets live in an open-addressing hash table with linear probing, held in numpy arrays so
that it is part of an estimator's state: row ``slot`` of ``members`` (int32, one column per
item of the largest itemset stored) holds an itemset's sorted codes padded with -1, and -1
in the first column marks an empty slot; per-slot values (counts, deltas) sit in arrays of
the same length. The capacity is a power of two and the tables are kept at most half full,
so probes are short. Every change of layout (insertion, growth, deletion when pruning)
depends only on the sequence of transactions, never on how they were cut into batches, so
the state is the same whatever the batch sizes.

A kernel that would need more room than its arrays hold stops *before* the transaction that
needs it and says how much it needs; the caller grows the arrays and calls again from there.
"""

from __future__ import annotations

import numpy as np
from numba import njit

kernel = njit(cache=True, error_model="numpy")
# the small helpers of the per-itemset loops are inlined into the kernels
helper = njit(cache=True, error_model="numpy", inline="always")

EMPTY = -1
# 0x9E3779B97F4A7C15 (2^64 over the golden ratio) as a signed 64-bit integer
_MIX = np.int64(-7046029254386353131)
# more sub-itemsets than this in one transaction is refused (the table would not fit in memory)
SUBSETS_CAP = np.int64(1) << 28


# ------------------------------------------------------------------ transactions
@kernel
def canonical_transactions(offsets, ids):
    """Each transaction's codes sorted and de-duplicated (new CSR arrays) and the length of
    the longest one."""
    n = offsets.shape[0] - 1
    out_offsets = np.zeros(n + 1, np.int64)
    out_ids = np.empty(ids.shape[0], np.int32)
    longest = 0
    end = 0
    for t in range(n):
        lo, hi = offsets[t], offsets[t + 1]
        start = end
        if hi - lo > 32:
            ordered = np.sort(ids[lo:hi])
            for p in range(ordered.shape[0]):
                if end == start or out_ids[end - 1] != ordered[p]:
                    out_ids[end] = ordered[p]
                    end += 1
        else:  # insertion sort that drops repeats, for the usual small baskets
            for p in range(lo, hi):
                code = ids[p]
                q = end
                while q > start and out_ids[q - 1] > code:
                    q -= 1
                if q > start and out_ids[q - 1] == code:
                    continue
                for r in range(end, q, -1):
                    out_ids[r] = out_ids[r - 1]
                out_ids[q] = code
                end += 1
        out_offsets[t + 1] = end
        longest = max(longest, end - start)
    return out_offsets, out_ids[:end], longest


@helper
def _n_subsets(k, max_size):
    """How many itemsets of 1 to ``max_size`` items a transaction of ``k`` items holds
    (saturated at ``SUBSETS_CAP``)."""
    if k <= max_size and k < 40:  # every non-empty subset
        return (np.int64(1) << k) - 1
    total = np.int64(0)
    binomial = np.int64(1)
    for size in range(1, min(k, max_size) + 1):
        if binomial > SUBSETS_CAP // (k - size + 1):  # the product would pass the cap
            return SUBSETS_CAP
        binomial = binomial * (k - size + 1) // size
        total += binomial
        if total >= SUBSETS_CAP:
            return SUBSETS_CAP
    return total


@helper
def _next_combination(chosen, size, k):
    """Advance ``chosen[:size]`` (increasing positions in ``range(k)``) to the next
    combination in lexicographic order; False after the last one."""
    j = size - 1
    while j >= 0 and chosen[j] == k - size + j:
        j -= 1
    if j < 0:
        return False
    chosen[j] += 1
    for m in range(j + 1, size):
        chosen[m] = chosen[m - 1] + 1
    return True


# ------------------------------------------------------------------ the itemset hash table
@helper
def _home_of(values, size, mask):
    """The slot an itemset (``values[:size]``, sorted codes) hashes to."""
    h = np.int64(1)
    for j in range(size):
        h = (h ^ np.int64(values[j])) * _MIX
    return (h ^ (h >> 29)) & mask


@helper
def _home_of_slot(members, slot, mask):
    """The slot the itemset stored in ``slot`` hashes to (as :func:`_home_of`)."""
    h = np.int64(1)
    for j in range(members.shape[1]):
        code = members[slot, j]
        if code == EMPTY:
            break
        h = (h ^ np.int64(code)) * _MIX
    return (h ^ (h >> 29)) & mask


@helper
def _slot_of(members, values, size):
    """The slot holding the itemset ``values[:size]``, or the empty slot where it goes."""
    mask = members.shape[0] - 1
    width = members.shape[1]
    slot = _home_of(values, size, mask)
    while True:
        if members[slot, 0] == EMPTY:
            return slot
        same = size == width or members[slot, size] == EMPTY
        j = 0
        while same and j < size:
            same = members[slot, j] == values[j]
            j += 1
        if same:
            return slot
        slot = (slot + 1) & mask


@helper
def _slot_of_item(members, code):
    """:func:`_slot_of` for the itemset of one item, the most frequent lookup."""
    mask = members.shape[0] - 1
    single = members.shape[1] == 1
    h = (np.int64(1) ^ np.int64(code)) * _MIX
    slot = (h ^ (h >> 29)) & mask
    while True:
        first = members[slot, 0]
        if first == EMPTY or (first == code and (single or members[slot, 1] == EMPTY)):
            return slot
        slot = (slot + 1) & mask


@kernel
def find_itemset(members, values):
    """The slot of the itemset ``values`` (sorted codes), or -1 if it is not stored."""
    if values.shape[0] == 0 or values.shape[0] > members.shape[1]:
        return -1
    slot = _slot_of(members, values, values.shape[0])
    return -1 if members[slot, 0] == EMPTY else slot


@kernel
def rehash(members, counts, deltas, capacity):
    """The same entries in a table of ``capacity`` slots (a power of two)."""
    new_members = np.full((capacity, members.shape[1]), EMPTY, np.int32)
    new_counts = np.zeros(capacity, np.int64)
    new_deltas = np.zeros(capacity, np.int64)
    values = np.empty(members.shape[1], np.int32)
    for old in range(members.shape[0]):
        if members[old, 0] == EMPTY:
            continue
        size = 0
        while size < members.shape[1] and members[old, size] != EMPTY:
            values[size] = members[old, size]
            size += 1
        slot = _slot_of(new_members, values, size)
        for j in range(members.shape[1]):
            new_members[slot, j] = members[old, j]
        new_counts[slot] = counts[old]
        new_deltas[slot] = deltas[old]
    return new_members, new_counts, new_deltas


@kernel
def _prune(members, counts, deltas, n_entries, bucket):
    """Drop, in place, the entries whose ``count + delta`` does not exceed ``bucket``
    (backward-shift deletion: the entries after a freed slot that probed past it move
    back, so that no probe sequence is broken); the number of entries left."""
    mask = members.shape[0] - 1
    slot = 0
    while slot <= mask:
        if members[slot, 0] == EMPTY or counts[slot] + deltas[slot] > bucket:
            slot += 1
            continue
        n_entries -= 1
        hole = slot
        probe = slot
        while True:
            probe = (probe + 1) & mask
            if members[probe, 0] == EMPTY:
                break
            # the entry moves back unless the hole lies before its home slot
            if (probe - _home_of_slot(members, probe, mask)) & mask >= (probe - hole) & mask:
                for j in range(members.shape[1]):
                    members[hole, j] = members[probe, j]
                counts[hole] = counts[probe]
                deltas[hole] = deltas[probe]
                hole = probe
        for j in range(members.shape[1]):
            members[hole, j] = EMPTY
        counts[hole] = 0
        deltas[hole] = 0
        # ``slot`` now holds an entry moved back (not checked yet) or nothing: look again
    return n_entries


# ------------------------------------------------------------------ Lossy Counting
@kernel
def lossy_count(offsets, ids, start, n_seen, bucket_width, max_size, members, counts, deltas,
                n_entries):
    """Lossy Counting (Manku & Motwani, 2002) of transactions ``start:`` of a canonical batch:
    each sub-itemset of at most ``max_size`` items gets one more count, entering the table
    with ``delta = bucket - 1``; at each bucket boundary the entries with
    ``count + delta <= bucket`` go. Returns ``(next transaction, n_seen, n_entries,
    needed)``: when the table could pass half full, it stops before that transaction with
    ``needed`` the entries it may add (0 once the batch is done)."""
    n_transactions = offsets.shape[0] - 1
    limit = members.shape[0] // 2
    width = members.shape[1]
    chosen = np.empty(width, np.int64)
    values = np.empty(width, np.int32)
    # no division per transaction: the bucket and the place in it are followed along
    missed = n_seen // bucket_width  # the bucket of the next transaction, minus one
    in_bucket = n_seen - missed * bucket_width  # transactions already in that bucket
    for t in range(start, n_transactions):
        lo = offsets[t]
        k = offsets[t + 1] - lo
        top = min(max_size, k)
        needed = _n_subsets(k, top)
        if n_entries + needed > limit:
            return t, n_seen, n_entries, needed
        n_seen += 1
        in_bucket += 1
        for p in range(k):  # single items apart: the common case, kept lean
            code = ids[lo + p]
            slot = _slot_of_item(members, code)
            if members[slot, 0] == EMPTY:  # a new entry
                members[slot, 0] = code
                deltas[slot] = missed
                n_entries += 1
            counts[slot] += 1
        for size in range(2, top + 1):
            for j in range(size):
                chosen[j] = j
            while True:  # over the combinations of ``size`` items, in order
                for j in range(size):
                    values[j] = ids[lo + chosen[j]]
                slot = _slot_of(members, values, size)
                if members[slot, 0] == EMPTY:
                    for j in range(size):
                        members[slot, j] = values[j]
                    deltas[slot] = missed
                    n_entries += 1
                counts[slot] += 1
                if not _next_combination(chosen, size, k):
                    break
        if in_bucket == bucket_width:  # the end of bucket missed + 1
            missed += 1
            in_bucket = 0
            n_entries = _prune(members, counts, deltas, n_entries, missed)
    return n_transactions, n_seen, n_entries, 0


@kernel
def lossy_count_items(ids, start, n_seen, bucket_width, members, counts, deltas, n_entries):
    """:func:`lossy_count` of a batch whose transactions hold one item each (``ids``), the
    heavy-hitters case: the same state, with less work per transaction."""
    limit = members.shape[0] // 2
    missed = n_seen // bucket_width
    in_bucket = n_seen - missed * bucket_width
    for t in range(start, ids.shape[0]):
        if n_entries >= limit:
            return t, n_seen, n_entries, 1
        code = ids[t]
        slot = _slot_of_item(members, code)
        if members[slot, 0] == EMPTY:
            members[slot, 0] = code
            deltas[slot] = missed
            n_entries += 1
        counts[slot] += 1
        n_seen += 1
        in_bucket += 1
        if in_bucket == bucket_width:
            missed += 1
            in_bucket = 0
            n_entries = _prune(members, counts, deltas, n_entries, missed)
    return ids.shape[0], n_seen, n_entries, 0


# ------------------------------------------------------------------ sliding window
@kernel
def _compact(starts, lengths, buffer, n_seen, window_size):
    """Move the window's transactions, oldest first, to the front of ``buffer``; the end."""
    end = 0
    full = n_seen >= window_size
    for age in range(min(n_seen, window_size)):
        slot = (n_seen + age) % window_size if full else age
        source, length = starts[slot], lengths[slot]
        if source != end:
            for q in range(length):
                buffer[end + q] = buffer[source + q]
        starts[slot] = end
        end += length
    return end


@kernel
def window_add(offsets, ids, start, n_seen, window_size, starts, lengths, buffer, end,
               item_counts):
    """Slide the window over transactions ``start:`` of a canonical batch: the oldest one
    leaves once ``window_size`` are held (its items' counts go down), the new one is
    appended to ``buffer`` (its items' counts go up). Returns ``(next transaction, n_seen,
    end, needed)``: when ``buffer`` lacks room even after compaction, it stops before that
    transaction with ``needed`` the length the buffer must reach (0 once the batch is done).
    """
    n_transactions = offsets.shape[0] - 1
    for t in range(start, n_transactions):
        lo = offsets[t]
        k = offsets[t + 1] - lo
        slot = n_seen % window_size
        if n_seen >= window_size:  # the oldest transaction leaves (once: its length is 0 after)
            for p in range(starts[slot], starts[slot] + lengths[slot]):
                item_counts[buffer[p]] -= 1
            lengths[slot] = 0
        if end + k > buffer.shape[0]:
            end = _compact(starts, lengths, buffer, n_seen, window_size)
            if end + k > buffer.shape[0]:
                return t, n_seen, end, end + k
        starts[slot] = end
        lengths[slot] = k
        for p in range(k):
            code = ids[lo + p]
            buffer[end + p] = code
            item_counts[code] += 1
        end += k
        n_seen += 1
    return n_transactions, n_seen, end, 0


@kernel
def candidate_table(candidates, capacity):
    """A hash table of the candidate itemsets (rows of sorted codes) and each one's slot."""
    members = np.full((capacity, candidates.shape[1]), EMPTY, np.int32)
    slots = np.empty(candidates.shape[0], np.int64)
    for i in range(candidates.shape[0]):
        slot = _slot_of(members, candidates[i], candidates.shape[1])
        for j in range(candidates.shape[1]):
            members[slot, j] = candidates[i, j]
        slots[i] = slot
    return members, slots


@kernel
def count_candidates(starts, lengths, buffer, n_held, useful, members, counts):
    """Apriori's counting pass: for each transaction of the window, every combination of
    its ``useful`` items of the candidates' size that is a candidate gets one more count."""
    size = members.shape[1]
    longest = 0
    for slot in range(n_held):
        longest = max(longest, lengths[slot])
    kept = np.empty(longest, np.int32)
    chosen = np.empty(size, np.int64)
    values = np.empty(size, np.int32)
    for slot in range(n_held):
        k = 0
        for p in range(starts[slot], starts[slot] + lengths[slot]):
            if useful[buffer[p]]:
                kept[k] = buffer[p]
                k += 1
        if k < size:
            continue
        for j in range(size):
            chosen[j] = j
        while True:
            for j in range(size):
                values[j] = kept[chosen[j]]
            found = _slot_of(members, values, size)
            if members[found, 0] != EMPTY:
                counts[found] += 1
            if not _next_combination(chosen, size, k):
                break
