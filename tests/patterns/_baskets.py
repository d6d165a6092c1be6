"""A seeded basket stream with planted co-occurrences, and exact counts to check against."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np

ITEMS = [f"i{k:02d}" for k in range(50)]
PLANTED = {  # itemset -> probability that a basket holds it on top of the background items
    ("i03", "i17", "i41"): 0.12,
    ("i08", "i29"): 0.09,
    ("i12", "i33", "i45", "i48"): 0.06,
}


def baskets(n: int, seed: int) -> list[list[str]]:
    """``n`` baskets over 50 items: item ``k`` alone with probability 0.25 (k + 1)^-0.8,
    plus the planted itemsets."""
    rng = np.random.default_rng(seed)
    background = 0.25 * np.arange(1, len(ITEMS) + 1) ** -0.8
    present = rng.random((n, len(ITEMS))) < background
    planted = rng.random((n, len(PLANTED))) < np.array(list(PLANTED.values()))
    out = []
    for i in range(n):
        basket = {ITEMS[k] for k in np.flatnonzero(present[i])}
        for j, itemset in enumerate(PLANTED):
            if planted[i, j]:
                basket.update(itemset)
        out.append(sorted(basket, key=lambda _: rng.random()))  # any order must do
    return out


def exact_counts(stream: list[list[str]], max_size: int) -> Counter:
    """The true count of every itemset of at most ``max_size`` items (as sorted tuples)."""
    counts: Counter = Counter()
    for basket in stream:
        items = sorted(set(basket))
        for size in range(1, min(max_size, len(items)) + 1):
            counts.update(combinations(items, size))
    return counts
