"""`WindowedApriori`: exact frequent itemsets over the last transactions of a stream."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.core.base import Estimator
from streamlearn.core.params import check_number
from streamlearn.patterns._kernels import (
    candidate_table,
    count_candidates,
    window_add,
)
from streamlearn.patterns._transactions import (
    AssociationRule,
    ItemCoder,
    check_confidence,
    check_max_size,
    count_threshold,
    itemsets_answer,
    rules_from_counts,
    transactions_of,
)

_FIRST_CAPACITY = 1024


class WindowedApriori(Estimator):
    """Apriori (Agrawal & Srikant, 1994) over a sliding window of the last transactions.

    The window keeps the last ``window_size`` transactions and the count of every item in
    it, updated as transactions enter and leave. A query runs Apriori on the window: the
    frequent items come from those counts; then, level by level, candidate itemsets of
    ``k`` items are the unions of two frequent ``(k - 1)``-itemsets sharing their first
    ``k - 2`` items, kept only if all their ``(k - 1)``-subsets are frequent, and counted in
    one pass over the window. Answers are exact: an itemset is frequent when it is held by
    at least ``min_support`` times the number of transactions in the window.

    Learning costs one item-count update per item; a query costs one pass over the window
    per itemset size. Both run in numba kernels (:mod:`streamlearn.patterns._kernels`), the
    window's item codes kept in numpy arrays. Transactions are given as described in
    :mod:`streamlearn.patterns`.

    Parameters
    ----------
    window_size
        How many of the last transactions are mined.
    min_support
        The fraction of the window's transactions, in (0, 1], an itemset needs to be held
        by to be frequent.
    max_size
        The largest itemsets mined (None: no limit).

    References
    ----------
    R. Agrawal and R. Srikant. Fast algorithms for mining association rules. VLDB 1994.

    Examples
    --------
    >>> from streamlearn.patterns import WindowedApriori
    >>> miner = WindowedApriori(window_size=3, min_support=0.6)
    >>> miner.learn_many([["a", "b"], ["a", "c"], ["b", "c"], ["a", "c"]])
    WindowedApriori(window_size=3, min_support=0.6)
    >>> miner.frequent_itemsets()   # over the last three transactions
    {('c',): 3, ('a',): 2, ('a', 'c'): 2}
    >>> [(r.antecedent, r.consequent, r.confidence) for r in miner.rules(min_confidence=0.9)]
    [(('a',), ('c',), 1.0)]
    """

    def __init__(self, window_size: int = 1000, min_support: float = 0.05,
                 max_size: int | None = None):
        self.window_size = window_size
        self.min_support = min_support
        self.max_size = max_size

    # ------------------------------------------------------------------ state
    def _coder(self) -> ItemCoder:
        coder = self.__dict__.get("_coder_cache")
        if coder is None:
            self._check_params()  # a bad parameter fails before any state exists
            if not hasattr(self, "n_"):
                self.n_ = 0                      # transactions seen
                self.items_: list[Any] = []
                # the window: transaction n sits in slot n % window_size, its item codes at
                # window_items_[window_starts_[slot]:][:window_lengths_[slot]]
                self.window_starts_ = np.zeros(1, dtype=np.int64)
                self.window_lengths_ = np.zeros(1, dtype=np.int64)
                self.window_items_ = np.zeros(_FIRST_CAPACITY, dtype=np.int32)
                self.window_end_ = 0             # where the next transaction's items go
                self.item_counts_ = np.zeros(1, dtype=np.int64)  # per item code, in the window
            coder = ItemCoder(self.items_)
            self._coder_cache = coder
        return coder

    def _check_params(self) -> None:
        check_number(self, "window_size", self.window_size, low=1, integer=True)
        check_number(self, "min_support", self.min_support, low=0, low_inclusive=False, high=1)
        check_max_size(self, self.max_size, allow_none=True)

    def _learnt(self) -> bool:
        """Check the parameters; whether any state exists (answers never create it)."""
        self._check_params()
        return hasattr(self, "n_")

    def _after_restore(self) -> None:
        self._coder_cache = None

    # ------------------------------------------------------------------ learning
    def learn_one(self, transaction: Any) -> WindowedApriori:
        """Add one transaction to the window (the oldest one leaves once it is full)."""
        self._learn(*self._coder().encode_one(transaction, self))
        return self

    def learn_many(self, transactions: Any) -> WindowedApriori:
        """Add transactions in order: a sequence of them, or a data frame or ``Batch``."""
        batch = transactions_of(transactions, self)
        self._learn(*self._coder().encode_batch(batch, self))
        return self

    def _learn(self, offsets: np.ndarray, codes: np.ndarray, longest: int) -> None:
        """Slide the window over a canonical CSR batch (see :meth:`ItemCoder.encode_batch`)."""
        # array lengths are functions of the stream so far, not of how it was batched
        self.item_counts_ = _grown(self.item_counts_, len(self.items_))
        held = min(self.n_ + len(offsets) - 1, self.window_size)
        self.window_starts_ = _grown(self.window_starts_, held, self.window_size)
        self.window_lengths_ = _grown(self.window_lengths_, held, self.window_size)
        start = 0
        while True:
            start, self.n_, self.window_end_, needed = window_add(
                offsets, codes, start, self.n_, self.window_size, self.window_starts_,
                self.window_lengths_, self.window_items_, self.window_end_, self.item_counts_)
            if start == len(offsets) - 1:
                return
            self.window_items_ = _grown(self.window_items_, max(needed,
                                                                2 * len(self.window_items_)))

    # ------------------------------------------------------------------ answers
    @property
    def n_transactions(self) -> int:
        """How many transactions the window holds."""
        return min(self.__dict__.get("n_", 0), self.window_size)

    def _frequent(self, max_size: int | None) -> dict[tuple[int, ...], int]:
        if not self._learnt():
            return {}
        held = self.n_transactions
        threshold = count_threshold(self.min_support, held)
        limit = min(size for size in (max_size, self.max_size, len(self.items_))
                    if size is not None)
        item_counts = self.item_counts_[:len(self.items_)]
        codes = np.flatnonzero(item_counts >= max(threshold, 1))
        frequent = {(int(code),): int(item_counts[code]) for code in codes}
        level = sorted(frequent)
        for _size in range(2, limit + 1):
            candidates = _candidates(level)
            if not candidates:
                break
            counted = self._count(sorted(candidates), held)
            level = sorted(key for key, count in counted.items() if count >= threshold)
            frequent.update((key, counted[key]) for key in level)
        return frequent

    def _count(self, candidates: list[tuple[int, ...]], held: int
               ) -> dict[tuple[int, ...], int]:
        """The number of transactions in the window holding each candidate itemset."""
        rows = np.array(candidates, dtype=np.int32)
        members, slots = candidate_table(rows, 1 << (2 * len(rows) - 1).bit_length())
        useful = np.zeros(len(self.items_), dtype=np.bool_)
        useful[rows.ravel()] = True
        counts = np.zeros(len(members), dtype=np.int64)
        count_candidates(self.window_starts_, self.window_lengths_, self.window_items_, held,
                         useful, members, counts)
        return dict(zip(candidates, counts[slots].tolist(), strict=True))

    def frequent_itemsets(self, max_size: int | None = None) -> dict[tuple, int]:
        """The itemsets held by at least ``min_support`` of the window's transactions, with
        their exact counts in the window, most frequent first; ``max_size`` keeps the
        smaller ones."""
        check_max_size(self, max_size, allow_none=True)
        counts = self._frequent(max_size)
        return itemsets_answer(counts, self._coder()) if counts else {}

    def frequent_items(self) -> dict[Any, int]:
        """The frequent single items, with their counts in the window."""
        return {items[0]: count for items, count in self.frequent_itemsets(1).items()}

    def rules(self, min_confidence: float = 0.5) -> list[AssociationRule]:
        """Association rules ``antecedent -> consequent`` between frequent itemsets of the
        window whose confidence reaches ``min_confidence``, with exact support, confidence
        and lift over the window."""
        check_confidence(self, min_confidence)
        counts = self._frequent(None)
        if not counts:
            return []
        return rules_from_counts(counts, self.n_transactions, min_confidence, self._coder())


def _grown(array: np.ndarray, length: int, largest: int | None = None) -> np.ndarray:
    """``array`` with room for ``length`` entries: the next power of two (at most
    ``largest``), zeros added at the end."""
    if len(array) >= length:
        return array
    capacity = 1 << (length - 1).bit_length()
    if largest is not None:
        capacity = min(capacity, largest)
    grown = np.zeros(capacity, dtype=array.dtype)
    grown[:len(array)] = array
    return grown


def _candidates(level: list[tuple[int, ...]]) -> set[tuple[int, ...]]:
    """Apriori's join and prune: ``k``-itemsets whose ``(k - 1)``-subsets all are in
    ``level`` (sorted ``(k - 1)``-itemsets)."""
    known = set(level)
    found = set()
    for i, first in enumerate(level):
        for second in level[i + 1:]:
            if first[:-1] != second[:-1]:
                break  # sorted: no later itemset shares the prefix either
            key = first + second[-1:]
            if all(key[:j] + key[j + 1:] in known for j in range(len(key) - 2)):
                found.add(key)
    return found
