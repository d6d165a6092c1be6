"""`WindowedApriori`: exact frequent itemsets over the last transactions of a stream."""

from __future__ import annotations

from itertools import combinations
from typing import Any

from streamlearn.core.base import Estimator
from streamlearn.core.params import check_number
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
    per itemset size. Transactions are given as described in :mod:`streamlearn.patterns`.

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
                self.window_: list[list[int]] = []   # ring buffer of item codes
                self.item_counts_: dict[int, int] = {}  # item code -> count in the window
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
        self._learn([transaction])
        return self

    def learn_many(self, transactions: Any) -> WindowedApriori:
        """Add transactions in order: a sequence of them, or a data frame or ``Batch``."""
        self._learn(transactions_of(transactions, self))
        return self

    def _learn(self, transactions: Any) -> None:
        coder = self._coder()
        window, counts, size = self.window_, self.item_counts_, self.window_size
        for encoded in coder.encode_many(transactions, self):
            codes = list(encoded)
            slot = self.n_ % size
            if len(window) < size:
                window.append(codes)
            else:
                for code in window[slot]:
                    counts[code] -= 1
                    if counts[code] == 0:
                        del counts[code]
                window[slot] = codes
            for code in codes:
                counts[code] = counts.get(code, 0) + 1
            self.n_ += 1

    # ------------------------------------------------------------------ answers
    @property
    def n_transactions(self) -> int:
        """How many transactions the window holds."""
        return len(self.__dict__.get("window_", ()))

    def _frequent(self, max_size: int | None) -> dict[tuple[int, ...], int]:
        if not self._learnt():
            return {}
        threshold = count_threshold(self.min_support, len(self.window_))
        limit = min(size for size in (max_size, self.max_size, len(self.items_))
                    if size is not None)
        frequent = {(code,): count for code, count in self.item_counts_.items()
                    if count >= threshold}
        level = sorted(frequent)
        for k in range(2, limit + 1):
            candidates = _candidates(level)
            if not candidates:
                break
            counted = dict.fromkeys(candidates, 0)
            useful = {code for key in candidates for code in key}
            for codes in self.window_:
                kept = [code for code in codes if code in useful]
                for key in combinations(kept, k):
                    if key in counted:
                        counted[key] += 1
            level = sorted(key for key, count in counted.items() if count >= threshold)
            frequent.update((key, counted[key]) for key in level)
        return frequent

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
        return rules_from_counts(counts, len(self.window_), min_confidence, self._coder())


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
