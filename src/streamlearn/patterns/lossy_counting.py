"""`LossyCounting`: frequent items and itemsets over an unbounded stream of transactions."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from streamlearn.core.base import Estimator
from streamlearn.core.errors import ParameterError
from streamlearn.core.params import check_number
from streamlearn.patterns._kernels import (
    EMPTY,
    SUBSETS_CAP,
    find_itemset,
    lossy_count,
    lossy_count_items,
    rehash,
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

_FIRST_CAPACITY = 64


class LossyCounting(Estimator):
    """Lossy Counting of itemsets (Manku & Motwani, 2002), one transaction at a time.

    The stream is cut into buckets of ``ceil(1 / epsilon)`` transactions. Each itemset of at
    most ``max_size`` items that a transaction holds is counted in a table; one that was not
    in the table enters it with the count 1 and the largest count it may have missed,
    ``delta = bucket - 1``. At the end of each bucket, the itemsets whose ``count + delta``
    does not exceed the bucket number are dropped. After ``N`` transactions this guarantees:

    - an estimated count is never above the true count, and never below it by more than
      ``epsilon * N``;
    - :meth:`frequent_itemsets` (itemsets whose estimate reaches ``(support - epsilon) * N``)
      misses no itemset whose true support is ``support`` or more, and reports none whose
      true support is below ``support - epsilon``;
    - the table holds at most ``(1 / epsilon) * log(epsilon * N)`` entries per itemset a
      transaction may hold, and is closed under subsets (a reported itemset's subsets are
      reported too, with counts at least as large), so rules can be read from it at any time.

    Each transaction costs one table update per sub-itemset of at most ``max_size`` items
    (``C(k, 1) + ... + C(k, max_size)`` for a basket of ``k`` items): keep ``max_size`` small
    for large baskets (a basket holding more than 2^28 such itemsets is refused).
    Transactions are given as described in :mod:`streamlearn.patterns`. The table is a hash
    table in numpy arrays, updated and pruned by numba kernels over each micro-batch
    (:mod:`streamlearn.patterns._kernels`).

    The paper counts itemsets a batch of buckets at a time to spare memory; counting each
    transaction's sub-itemsets as it arrives gives the same guarantees and answers at any
    point of the stream.

    Parameters
    ----------
    support
        The support ``s`` in (0, 1] an itemset needs to be frequent.
    epsilon
        The error ``epsilon`` in (0, support) allowed on counts, as a fraction of the
        stream's length (the paper suggests a tenth of ``support``).
    max_size
        The largest itemsets counted.

    References
    ----------
    G. S. Manku and R. Motwani. Approximate frequency counts over data streams. VLDB 2002.

    Examples
    --------
    >>> from streamlearn.patterns import LossyCounting
    >>> counter = LossyCounting(support=0.5, epsilon=0.05, max_size=2)
    >>> baskets = [["bread", "milk"], ["bread", "eggs"], ["bread", "milk", "eggs"],
    ...            ["milk"], ["bread", "milk"]]
    >>> counter.learn_many(baskets).frequent_items()
    {'bread': 4, 'milk': 4}
    >>> counter.frequent_itemsets()
    {('bread',): 4, ('milk',): 4, ('bread', 'milk'): 3}
    >>> rule = counter.rules(min_confidence=0.7)[0]
    >>> rule.antecedent, rule.consequent, rule.support, rule.confidence, rule.lift
    (('bread',), ('milk',), 0.6, 0.75, 0.9375)
    """

    def __init__(self, support: float = 0.01, epsilon: float = 0.001, max_size: int = 3):
        self.support = support
        self.epsilon = epsilon
        self.max_size = max_size

    # ------------------------------------------------------------------ parameters
    def _check_params(self) -> None:
        check_number(self, "support", self.support, low=0, low_inclusive=False, high=1)
        check_number(self, "epsilon", self.epsilon, low=0, low_inclusive=False)
        if self.epsilon >= self.support:
            raise ParameterError(
                f"The 'epsilon' parameter of LossyCounting must be < support "
                f"({self.support!r}). Got {self.epsilon!r} instead.")
        check_max_size(self, self.max_size, allow_none=False)

    @property
    def bucket_width(self) -> int:
        """Transactions per bucket, ``ceil(1 / epsilon)``."""
        self._check_params()
        return math.ceil(1 / self.epsilon)

    def _coder(self) -> ItemCoder:
        coder = self.__dict__.get("_coder_cache")
        if coder is None:
            self._check_params()  # a bad parameter fails before any state exists
            if not hasattr(self, "n_"):
                self.n_ = 0
                self.items_: list[Any] = []
                # the table of itemsets (see streamlearn.patterns._kernels): per slot, the
                # itemset's sorted item codes (-1 padded), its estimated count and the
                # largest count it may have missed
                self.itemset_members_ = np.full((_FIRST_CAPACITY, 1), EMPTY, dtype=np.int32)
                self.itemset_counts_ = np.zeros(_FIRST_CAPACITY, dtype=np.int64)
                self.itemset_deltas_ = np.zeros(_FIRST_CAPACITY, dtype=np.int64)
                self.n_entries_ = 0
            coder = ItemCoder(self.items_)
            self._coder_cache = coder
        return coder

    def _learnt(self) -> bool:
        """Check the parameters; whether any state exists (answers never create it)."""
        self._check_params()
        return hasattr(self, "n_")

    def _after_restore(self) -> None:
        self._coder_cache = None

    # ------------------------------------------------------------------ learning
    def learn_one(self, transaction: Any) -> LossyCounting:
        """Count one transaction (a collection of items, or a dict of per-item flags)."""
        self._learn(*self._coder().encode_one(transaction, self))
        return self

    def learn_many(self, transactions: Any) -> LossyCounting:
        """Count transactions in order: a sequence of them, or a data frame or ``Batch``
        (see :mod:`streamlearn.patterns`). The state is the one ``learn_one`` would give."""
        batch = transactions_of(transactions, self)
        self._learn(*self._coder().encode_batch(batch, self))
        return self

    def _learn(self, offsets: np.ndarray, codes: np.ndarray, longest: int) -> None:
        """Count a canonical CSR batch (see :meth:`ItemCoder.encode_batch`)."""
        if longest > 1 and _too_many_itemsets(longest, self.max_size):
            raise ParameterError(
                f"LossyCounting got a transaction of {longest} items, which holds at least "
                f"{int(SUBSETS_CAP):,} itemsets of at most max_size={self.max_size} items; "
                "lower 'max_size'")
        width = min(self.max_size, longest)
        if width > self.itemset_members_.shape[1]:  # room for longer itemsets
            padding = np.full((len(self.itemset_members_), width - self.itemset_members_.shape[1]),
                              EMPTY, dtype=np.int32)
            self.itemset_members_ = np.hstack([self.itemset_members_, padding])
        # the parameters were checked when the state was made
        start, bucket_width = 0, math.ceil(1 / self.epsilon)
        one_item_each = longest == 1 and len(codes) == len(offsets) - 1
        while True:
            if one_item_each:
                start, self.n_, self.n_entries_, needed = lossy_count_items(
                    codes, start, self.n_, bucket_width, self.itemset_members_,
                    self.itemset_counts_, self.itemset_deltas_, self.n_entries_)
            else:
                start, self.n_, self.n_entries_, needed = lossy_count(
                    offsets, codes, start, self.n_, bucket_width, self.max_size,
                    self.itemset_members_, self.itemset_counts_, self.itemset_deltas_,
                    self.n_entries_)
            if start == len(offsets) - 1:
                return
            self._grow(needed)

    def _grow(self, needed: int) -> None:
        """Double the table (or more) so that ``needed`` more entries keep it half full."""
        capacity = max(2 * len(self.itemset_counts_),
                       1 << (2 * (self.n_entries_ + needed) - 1).bit_length())
        self.itemset_members_, self.itemset_counts_, self.itemset_deltas_ = rehash(
            self.itemset_members_, self.itemset_counts_, self.itemset_deltas_, capacity)

    # ------------------------------------------------------------------ answers
    @property
    def n_transactions(self) -> int:
        """How many transactions were counted."""
        return self.__dict__.get("n_", 0)

    def count(self, itemset: Any) -> int:
        """The estimated count of ``itemset`` (a collection of items): at most its true
        count, at least the true count minus ``epsilon`` times the number of transactions
        (0 when it is not tracked)."""
        if not self._learnt():
            return 0
        key = self._coder().lookup(itemset, self)
        if not key:
            return 0
        slot = find_itemset(self.itemset_members_, np.array(key, dtype=np.int32))
        return 0 if slot < 0 else int(self.itemset_counts_[slot])

    @property
    def entries_(self) -> dict[tuple[int, ...], tuple[int, int]]:
        """The table, read out: itemset (sorted item codes) -> (estimated count, largest
        count it may have missed)."""
        if "itemset_members_" not in self.__dict__:
            raise AttributeError("'LossyCounting' object has no attribute 'entries_' (it "
                                 "has learnt nothing yet)")
        keys = self._itemsets(np.flatnonzero(self.itemset_members_[:, 0] != EMPTY))
        return {key: (int(self.itemset_counts_[slot]), int(self.itemset_deltas_[slot]))
                for slot, key in keys.items()}

    def _itemsets(self, slots: np.ndarray) -> dict[int, tuple[int, ...]]:
        members = self.itemset_members_
        sizes = (members[slots] != EMPTY).sum(axis=1)
        return {int(slot): tuple(members[slot, :size].tolist())
                for slot, size in zip(slots, sizes)}

    def _frequent(self, max_size: int | None) -> dict[tuple[int, ...], int]:
        if not self._learnt() or self.n_ == 0:
            return {}
        threshold = count_threshold(self.support - self.epsilon, self.n_)
        limit = self.max_size if max_size is None else max_size
        members, counts = self.itemset_members_, self.itemset_counts_
        sizes = (members != EMPTY).sum(axis=1)
        slots = np.flatnonzero((members[:, 0] != EMPTY) & (counts >= threshold)
                               & (sizes <= limit))
        return {key: int(counts[slot]) for slot, key in self._itemsets(slots).items()}

    def frequent_itemsets(self, max_size: int | None = None) -> dict[tuple, int]:
        """Itemsets (tuples of items) whose estimated support reaches ``support - epsilon``,
        with their estimated counts, most frequent first; ``max_size`` keeps the smaller
        ones (the estimator's own ``max_size`` by default)."""
        check_max_size(self, max_size, allow_none=True)
        counts = self._frequent(max_size)
        return itemsets_answer(counts, self._coder()) if counts else {}

    def frequent_items(self) -> dict[Any, int]:
        """The frequent single items, with their estimated counts, most frequent first."""
        return {items[0]: count for items, count in self.frequent_itemsets(1).items()}

    def rules(self, min_confidence: float = 0.5) -> list[AssociationRule]:
        """Association rules ``antecedent -> consequent`` between frequent itemsets whose
        confidence reaches ``min_confidence``, computed from the estimated counts (so
        ``support``, ``confidence`` and ``lift`` are exact wherever the counts are)."""
        check_confidence(self, min_confidence)
        counts = self._frequent(None)
        if not counts:
            return []
        return rules_from_counts(counts, self.n_, min_confidence, self._coder())


def _too_many_itemsets(n_items: int, max_size: int) -> bool:
    """Whether a transaction of ``n_items`` items holds ``SUBSETS_CAP`` or more itemsets of
    at most ``max_size`` items."""
    total = 0
    for size in range(1, min(n_items, max_size) + 1):
        total += math.comb(n_items, size)
        if total >= SUBSETS_CAP:
            return True
    return False
