"""`LossyCounting`: frequent items and itemsets over an unbounded stream of transactions."""

from __future__ import annotations

import math
from itertools import combinations
from typing import Any

from streamlearn.core.base import Estimator
from streamlearn.core.errors import ParameterError
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
    for large baskets. Transactions are given as described in :mod:`streamlearn.patterns`.

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
                # itemset (sorted item codes) -> [estimated count, largest missed count]
                self.entries_: dict[tuple[int, ...], list[int]] = {}
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
        self._learn([transaction])
        return self

    def learn_many(self, transactions: Any) -> LossyCounting:
        """Count transactions in order: a sequence of them, or a data frame or ``Batch``
        (see :mod:`streamlearn.patterns`). The state is the one ``learn_one`` would give."""
        self._learn(transactions_of(transactions, self))
        return self

    def _learn(self, transactions: Any) -> None:
        coder = self._coder()
        entries, width, max_size = self.entries_, self.bucket_width, self.max_size
        for codes in coder.encode_many(transactions, self):
            n = self.n_ + 1
            missed = (n - 1) // width  # the current bucket, ceil(n / width), minus one
            for size in range(1, min(max_size, len(codes)) + 1):
                for key in combinations(codes, size) if len(codes) > 1 else (codes,):
                    entry = entries.get(key)
                    if entry is None:
                        entries[key] = [1, missed]
                    else:
                        entry[0] += 1
            if n % width == 0:
                bucket = missed + 1
                for key in [k for k, (count, delta) in entries.items() if count + delta <= bucket]:
                    del entries[key]
            self.n_ = n

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
        entry = self.entries_.get(key) if key else None
        return 0 if entry is None else entry[0]

    def _frequent(self, max_size: int | None) -> dict[tuple[int, ...], int]:
        if not self._learnt() or self.n_ == 0:
            return {}
        threshold = count_threshold(self.support - self.epsilon, self.n_)
        limit = self.max_size if max_size is None else max_size
        return {key: count for key, (count, _) in self.entries_.items()
                if count >= threshold and len(key) <= limit}

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
