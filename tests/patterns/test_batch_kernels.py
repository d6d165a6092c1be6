"""The numba kernels behind LossyCounting and WindowedApriori, checked for exact equality
with plain-Python versions of the algorithms (whatever the batch sizes, the input form, the
table growth and the pruning), and the input paths: fast (collections of known items) and
item by item (everything else) must code items the same way."""

from __future__ import annotations

import math
from collections import Counter
from itertools import combinations

import numpy as np
import pytest

from streamlearn.core.base import states_equal
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.patterns import LossyCounting, WindowedApriori

from ._baskets import baskets, exact_counts


def _natural(item):
    return (0, item) if isinstance(item, int) else (1, item)


def reference_lossy_counting(stream, epsilon, max_size):
    """Lossy Counting (Manku & Motwani, 2002) as a dict of item tuples, one basket at a
    time: itemset -> (count, delta)."""
    width, entries = math.ceil(1 / epsilon), {}
    for n, basket in enumerate(stream, start=1):
        items = sorted(set(basket), key=_natural)
        for size in range(1, min(max_size, len(items)) + 1):
            for key in combinations(items, size):
                count, delta = entries.get(key, (0, (n - 1) // width))
                entries[key] = (count + 1, delta)
        if n % width == 0:
            entries = {k: (c, d) for k, (c, d) in entries.items() if c + d > n // width}
    return entries


def _decoded_entries(model):
    coder = model._coder()
    return {coder.decode(key): value for key, value in model.entries_.items()}


def _learn_in_batches(model, stream, sizes):
    start, turn = 0, 0
    while start < len(stream):
        size = sizes[turn % len(sizes)]
        model.learn_many(stream[start:start + size])
        start, turn = start + size, turn + 1
    return model


def zipf_items(n, seed):
    rng = np.random.default_rng(seed)
    return [[f"w{k}"] for k in np.minimum(rng.zipf(1.3, size=n), 3000)]


@pytest.mark.parametrize(("epsilon", "sizes"), [(0.01, [1000]), (0.002, [1, 37, 500])])
def test_single_items_equal_the_reference_entry_for_entry(epsilon, sizes):
    stream = zipf_items(12_000, seed=5)
    model = _learn_in_batches(LossyCounting(support=0.05, epsilon=epsilon, max_size=1),
                              stream, sizes)
    expected = reference_lossy_counting(stream, epsilon, 1)
    assert _decoded_entries(model) == expected
    assert len(model.itemset_counts_) > 64  # the table grew on the way (and was pruned)
    assert model.n_transactions == len(stream)


@pytest.mark.parametrize("max_size", [2, 4])
def test_itemsets_equal_the_reference_entry_for_entry(max_size):
    stream = baskets(3000, seed=2)
    stream[100] = [f"i{k:02d}" for k in range(12)]  # a large basket: many new entries at once
    model = _learn_in_batches(LossyCounting(support=0.05, epsilon=0.01, max_size=max_size),
                              stream, [250, 3, 1])
    assert _decoded_entries(model) == reference_lossy_counting(stream, 0.01, max_size)
    # and the reported itemsets follow: none missing above support, counts as stored
    exact = exact_counts(stream, max_size)
    reported = model.frequent_itemsets()
    assert {k for k, c in exact.items() if c >= 0.05 * len(stream)} <= set(reported)


def test_every_input_form_gives_the_same_state():
    stream = baskets(600, seed=4)
    as_lists = LossyCounting(0.1, 0.02).learn_many(stream)
    as_tuples = LossyCounting(0.1, 0.02).learn_many([tuple(b) for b in stream])
    as_sets = LossyCounting(0.1, 0.02).learn_many([set(b) for b in stream])
    as_flags = LossyCounting(0.1, 0.02).learn_many([dict.fromkeys(b, 1) for b in stream])
    as_arrays = LossyCounting(0.1, 0.02).learn_many([np.array(b) for b in stream])
    one_by_one = LossyCounting(0.1, 0.02)
    for basket in stream:
        one_by_one.learn_one(basket)
    for other in (as_tuples, as_flags, as_arrays, one_by_one):
        assert states_equal(as_lists.snapshot(), other.snapshot())
    # sets iterate in their own order, which codes the items in another order
    assert as_sets.frequent_itemsets() == as_lists.frequent_itemsets()


def test_items_equal_to_known_ones_count_as_them():
    model = LossyCounting(support=0.5, epsilon=0.1).learn_many([[1, "a"], [2]])
    model.learn_many([[np.int64(1), np.str_("a")], [1.0, True], [2.0]])
    assert model.items_ == [1, "a", 2]
    assert model.frequent_items() == {1: 3, 2: 2, "a": 2}
    with pytest.raises(SchemaError, match="items are strings or integers"):
        model.learn_many([[1], [2.5]])
    with pytest.raises(SchemaError, match="items are strings or integers"):
        model.learn_many([[1], [[1, 2]]])  # an unhashable item


def test_new_items_are_coded_in_order_of_first_appearance():
    model = LossyCounting(support=0.5, epsilon=0.1)
    model.learn_many([["b"], ["a", "c"], ["b", "d"]]).learn_many([["e", "a"], ["f"], ["e"]])
    assert model.items_ == ["b", "a", "c", "d", "e", "f"]


def test_a_transaction_with_too_many_itemsets_is_refused_before_counting():
    model = LossyCounting(support=0.5, epsilon=0.1, max_size=20).learn_many([["a"]])
    before = model.snapshot()
    with pytest.raises(ParameterError, match="lower 'max_size'"):
        model.learn_many([["b"], [f"x{k}" for k in range(40)]])
    assert model.n_transactions == 1 and model.count(["b"]) == 0
    assert states_equal(before["state"]["itemset_counts_"], model.itemset_counts_)


def test_the_window_equals_a_brute_force_count_as_it_slides():
    rng = np.random.default_rng(8)
    stream = baskets(1500, seed=3)
    for i in rng.choice(len(stream), size=40, replace=False):  # long and empty baskets
        stream[i] = [] if i % 2 else [f"i{k:02d}" for k in range(30)]
    miner = WindowedApriori(window_size=120, min_support=0.1, max_size=3)
    seen = 0
    for size in [1, 5, 200, 33, 400, 1, 860]:
        miner.learn_many(stream[seen:seen + size])
        seen += size
        window = stream[max(0, seen - 120):seen]
        counts = exact_counts(window, 3)
        expected = {k: c for k, c in counts.items() if c >= math.ceil(0.1 * len(window) - 1e-9)}
        assert miner.frequent_itemsets() == expected, seen
        items = Counter(item for basket in window for item in set(basket))
        assert {miner.items_[code]: int(count) for code, count in
                enumerate(miner.item_counts_[:len(miner.items_)]) if count} == items
    assert seen == len(stream)
    one_by_one = WindowedApriori(window_size=120, min_support=0.1, max_size=3)
    for basket in stream:
        one_by_one.learn_one(basket)
    assert states_equal(one_by_one.snapshot(), miner.snapshot())
