"""LossyCounting: the error bound and the absence of false negatives against exact counts,
association rules, the input forms, snapshot/restore and parameter checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from streamlearn.core.base import states_equal
from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.serialize import dumps, loads
from streamlearn.patterns import LossyCounting

from ._baskets import PLANTED, baskets, exact_counts

N, SUPPORT, EPSILON, MAX_SIZE = 20_000, 0.05, 0.005, 3


@pytest.fixture(scope="module")
def stream() -> list[list[str]]:
    return baskets(N, seed=0)


@pytest.fixture(scope="module")
def exact(stream):
    return exact_counts(stream, MAX_SIZE)


@pytest.fixture(scope="module")
def counter(stream) -> LossyCounting:
    model = LossyCounting(support=SUPPORT, epsilon=EPSILON, max_size=MAX_SIZE)
    for start in range(0, N, 1000):  # in micro-batches, as a stream comes
        model.learn_many(stream[start:start + 1000])
    return model


def test_counts_are_never_above_the_truth_nor_below_it_by_more_than_epsilon_n(counter, exact):
    errors = np.array([exact[itemset] - counter.count(itemset) for itemset in exact])
    assert counter.n_transactions == N
    assert errors.min() == 0                     # never over-counts
    assert errors.max() <= EPSILON * N           # under-counts by at most epsilon * N = 100
    assert errors.max() >= 90                    # ... and the bound is nearly reached here
    assert len(counter.entries_) < len(exact) / 20   # while keeping a small table
    for itemset, (count, delta) in counter.entries_.items():
        assert count + delta >= exact[counter._coder().decode(itemset)]


def test_every_itemset_above_support_is_reported_and_none_far_below(counter, exact):
    reported = counter.frequent_itemsets()
    truly_frequent = {itemset for itemset, count in exact.items() if count >= SUPPORT * N}
    assert len(truly_frequent) == 30
    assert truly_frequent <= set(reported)       # no false negative
    assert all(exact[itemset] >= (SUPPORT - EPSILON) * N for itemset in reported)
    assert all(counter.count(itemset) == count for itemset, count in reported.items())
    # most frequent first
    assert list(reported.values()) == sorted(reported.values(), reverse=True)


def test_planted_itemsets_are_counted_exactly(counter, exact):
    for planted in PLANTED:
        for itemset in [planted[:2], planted[:3]]:
            assert counter.frequent_itemsets()[itemset] == exact[itemset]


def test_frequent_items_and_max_size(counter, exact):
    items = counter.frequent_items()
    assert items == {itemset[0]: count for itemset, count in counter.frequent_itemsets().items()
                     if len(itemset) == 1}
    assert {key[0] for key, count in exact.items()
            if len(key) == 1 and count >= SUPPORT * N} <= set(items)
    pairs = counter.frequent_itemsets(max_size=2)
    assert max(len(itemset) for itemset in pairs) == 2
    assert pairs == {k: v for k, v in counter.frequent_itemsets().items() if len(k) <= 2}


def test_rules_follow_from_the_reported_counts_and_match_exact_ones(counter, exact):
    counts = counter.frequent_itemsets()
    rules = counter.rules(min_confidence=0.6)
    assert rules and all(rule.confidence >= 0.6 for rule in rules)
    for rule in rules:
        whole = tuple(sorted(rule.antecedent + rule.consequent))
        confidence = counts[whole] / counts[rule.antecedent]
        assert rule.support == counts[whole] / N
        assert rule.confidence == confidence
        assert rule.lift == confidence / (counts[rule.consequent] / N)
        if whole in PLANTED or set(whole) <= set(next(iter(PLANTED))):
            # planted itemsets are counted exactly, so are their rules
            true_confidence = exact[whole] / exact[rule.antecedent]
            assert rule.confidence == true_confidence
            assert rule.lift == true_confidence / (exact[rule.consequent] / N)
    found = {(rule.antecedent, rule.consequent) for rule in rules}
    assert (("i17", "i41"), ("i03",)) in found
    assert (("i08",), ("i29",)) in found
    # every split of every frequent itemset reaching the confidence is a rule
    assert len(rules) == len(counter.rules(min_confidence=0.6))
    assert len(counter.rules(min_confidence=1.0)) < len(rules)


def test_one_at_a_time_gives_the_state_of_many_at_once(stream):
    one, many = LossyCounting(0.05, 0.01), LossyCounting(0.05, 0.01)
    for basket in stream[:1500]:
        one.learn_one(basket)
    many.learn_many(stream[:700]).learn_many(stream[700:1500])
    assert states_equal(one.snapshot(), many.snapshot())


def test_snapshot_round_trip_on_disk_continues_like_the_original(stream):
    original = LossyCounting(0.05, 0.01).learn_many(stream[:3000])
    restored = LossyCounting(0.05, 0.01).restore(loads(dumps(original.snapshot())))
    assert states_equal(original.snapshot(), restored.snapshot())
    for model in (original, restored):
        model.learn_many(stream[3000:6000])
    assert states_equal(original.snapshot(), restored.snapshot())
    assert original.frequent_itemsets() == restored.frequent_itemsets()
    assert original.rules(0.5) == restored.rules(0.5)


def test_clone_is_unfitted_with_the_same_parameters(stream):
    model = LossyCounting(support=0.2, epsilon=0.02, max_size=2).learn_many(stream[:100])
    copy = model.clone()
    assert copy.get_params() == {"support": 0.2, "epsilon": 0.02, "max_size": 2}
    assert not copy.is_fitted and copy.frequent_itemsets() == {}
    assert model.is_fitted


def test_a_support_reached_exactly_counts_despite_rounding():
    # (0.2 - 0.05) * 20 is 3.0000000000000004 in floating point
    model = LossyCounting(support=0.2, epsilon=0.05).learn_many([["a"]] * 3 + [["b"]] * 17)
    assert model.frequent_items() == {"b": 17, "a": 3}


def test_answers_leave_the_state_alone(stream):
    fresh = LossyCounting(0.05, 0.01)
    assert fresh.frequent_itemsets() == {} and fresh.rules() == [] and fresh.count(["a"]) == 0
    assert not fresh.is_fitted
    model = LossyCounting(0.05, 0.01).learn_many(stream[:500])
    before = model.snapshot()
    model.frequent_itemsets(), model.frequent_items(), model.rules(0.1), model.count(["zz"])
    assert states_equal(before, model.snapshot())


def test_input_forms_give_the_same_counts():
    lists = [["a", "b"], ["b", "c"], [], ["a", "b", "a"]]
    flags = [{"a": 1, "b": True, "c": 0}, {"b": 1.0, "c": 2, "d": float("nan")}, {},
             {"a": 1, "b": 1}]
    frame = pd.DataFrame({"a": [1, 0, 0, 1], "b": [True, True, False, True],
                          "c": [0.0, 1.0, np.nan, 0.0]})
    batch = Batch.from_frame(frame)
    expected = {("b",): 3, ("a",): 2, ("a", "b"): 2, ("c",): 1, ("b", "c"): 1}
    for data in (lists, flags, frame, batch):
        model = LossyCounting(support=0.2, epsilon=0.1).learn_many(data)
        assert model.frequent_itemsets() == expected
        assert model.n_transactions == 4


def test_a_column_of_lists_and_attributes_become_items():
    frame = pd.DataFrame({"basket": [["tea", "cake"], ("tea",), None], "store": ["n", None, "n"],
                          "size": [1, 2, 3]})
    model = LossyCounting(support=0.3, epsilon=0.1, max_size=2).learn_many(frame)
    assert model.frequent_itemsets() == {
        ("size",): 3, ("store=n",): 2, ("tea",): 2, ("size", "store=n"): 2, ("size", "tea"): 2,
        ("cake",): 1, ("store=n", "tea"): 1, ("cake", "size"): 1, ("cake", "store=n"): 1,
        ("cake", "tea"): 1,
    }


def test_integer_items_and_bad_transactions():
    model = LossyCounting(support=0.5, epsilon=0.1).learn_many([[3, 1], [1, np.int64(2)]])
    assert model.frequent_itemsets() == {(1,): 2, (1, 2): 1, (1, 3): 1, (2,): 1, (3,): 1}
    with pytest.raises(SchemaError, match="pass the items as a list"):
        model.learn_one("a,b")
    with pytest.raises(SchemaError, match="items are strings or integers"):
        model.learn_one([1.5])
    with pytest.raises(SchemaError, match="use learn_one for a single one"):
        model.learn_many({"a": 1})
    assert model.count([9]) == 0 and model.count([1, 3]) == 1


@pytest.mark.parametrize(("params", "message"), [
    ({"support": 0}, "The 'support' parameter of LossyCounting must be > 0. Got 0 instead."),
    ({"support": 1.5}, "'support' parameter of LossyCounting must be <= 1"),
    ({"support": "0.1"}, "'support' parameter of LossyCounting must be a number"),
    ({"epsilon": 0.0}, "'epsilon' parameter of LossyCounting must be > 0"),
    ({"support": 0.01, "epsilon": 0.01},
     "The 'epsilon' parameter of LossyCounting must be < support (0.01). Got 0.01 instead."),
    ({"max_size": 0}, "'max_size' parameter of LossyCounting must be an int >= 1"),
    ({"max_size": True}, "'max_size' parameter of LossyCounting must be an int >= 1"),
])
def test_bad_parameters_are_refused_before_any_state(params, message):
    model = LossyCounting(**params)
    with pytest.raises(ParameterError, match=_literal(message)):
        model.learn_one(["a"])
    assert not model.is_fitted


def test_bad_query_parameters():
    model = LossyCounting().learn_one(["a"])
    with pytest.raises(ParameterError, match=r"'min_confidence' parameter of LossyCounting\.rules"):
        model.rules(min_confidence=0)
    with pytest.raises(ParameterError, match="'max_size' parameter of LossyCounting"):
        model.frequent_itemsets(max_size=0)


def _literal(text: str) -> str:
    import re

    return re.escape(text)
