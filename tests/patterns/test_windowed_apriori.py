"""WindowedApriori: exact frequent itemsets and rules over the last transactions, checked
against brute-force counts; snapshot/restore; parameter checks."""

from __future__ import annotations

from itertools import combinations

import pytest

from streamlearn.core.base import states_equal
from streamlearn.core.errors import ParameterError
from streamlearn.core.serialize import dumps, loads
from streamlearn.patterns import WindowedApriori

from ._baskets import baskets, exact_counts

WINDOW, MIN_SUPPORT = 800, 0.04


@pytest.fixture(scope="module")
def stream() -> list[list[str]]:
    return baskets(3000, seed=1)


def _exact_frequent(transactions, min_support, max_size=6):
    counts = exact_counts(transactions, max_size)
    return {k: c for k, c in counts.items() if c >= min_support * len(transactions)}


@pytest.mark.parametrize("seen", [150, 800, 1999, 3000])
def test_frequent_itemsets_are_exact_over_the_window(stream, seen):
    miner = WindowedApriori(window_size=WINDOW, min_support=MIN_SUPPORT)
    for start in range(0, seen, 333):
        miner.learn_many(stream[start:min(start + 333, seen)])
    window = stream[max(0, seen - WINDOW):seen]
    expected = _exact_frequent(window, MIN_SUPPORT)
    found = miner.frequent_itemsets()
    assert found == expected
    assert miner.n_transactions == len(window)
    if seen >= WINDOW:
        assert max(len(k) for k in found) == 4   # the planted 4-itemset
    assert miner.frequent_itemsets(max_size=2) == {k: c for k, c in expected.items()
                                                     if len(k) <= 2}
    assert miner.frequent_items() == {k[0]: c for k, c in expected.items() if len(k) == 1}


def test_max_size_parameter_limits_the_mining(stream):
    miner = WindowedApriori(window_size=WINDOW, min_support=MIN_SUPPORT, max_size=2)
    miner.learn_many(stream[:1000])
    expected = _exact_frequent(stream[200:1000], MIN_SUPPORT, max_size=2)
    assert miner.frequent_itemsets() == expected


def test_rules_equal_an_exact_computation(stream):
    miner = WindowedApriori(window_size=WINDOW, min_support=MIN_SUPPORT)
    miner.learn_many(stream[:2500])
    window = stream[2500 - WINDOW:2500]
    counts = exact_counts(window, 6)
    frequent = _exact_frequent(window, MIN_SUPPORT)
    rules = miner.rules(min_confidence=0.3)
    expected = set()
    for itemset in frequent:
        for k in range(1, len(itemset)):
            for antecedent in combinations(itemset, k):
                consequent = tuple(i for i in itemset if i not in antecedent)
                if counts[itemset] / counts[antecedent] >= 0.3:
                    expected.add((antecedent, consequent))
    assert {(r.antecedent, r.consequent) for r in rules} == expected
    for rule in rules:
        whole = tuple(sorted(rule.antecedent + rule.consequent))
        confidence = counts[whole] / counts[rule.antecedent]
        assert rule.support == pytest.approx(counts[whole] / WINDOW, rel=1e-12)
        assert rule.confidence == pytest.approx(confidence, rel=1e-12)
        assert rule.lift == pytest.approx(confidence * WINDOW / counts[rule.consequent],
                                          rel=1e-12)
    confidences = [rule.confidence for rule in rules]
    assert confidences == sorted(confidences, reverse=True)
    top = {(r.antecedent, r.consequent) for r in rules if r.confidence > 0.95}
    assert (("i17", "i41"), ("i03",)) in top and (("i45", "i48"), ("i12", "i33")) in top


def test_one_at_a_time_gives_the_state_of_many_at_once(stream):
    one, many = WindowedApriori(100, 0.1), WindowedApriori(100, 0.1)
    for basket in stream[:450]:
        one.learn_one(basket)
    many.learn_many(stream[:77]).learn_many(stream[77:450])
    assert states_equal(one.snapshot(), many.snapshot())


def test_snapshot_round_trip_on_disk_continues_like_the_original(stream):
    original = WindowedApriori(300, 0.05).learn_many(stream[:500])
    restored = WindowedApriori(300, 0.05).restore(loads(dumps(original.snapshot())))
    assert states_equal(original.snapshot(), restored.snapshot())
    for model in (original, restored):
        model.learn_many(stream[500:900])
    assert states_equal(original.snapshot(), restored.snapshot())
    assert original.frequent_itemsets() == restored.frequent_itemsets()
    assert original.rules(0.5) == restored.rules(0.5)
    copy = original.clone()
    assert not copy.is_fitted and copy.get_params() == original.get_params()


def test_an_empty_window_has_no_pattern_and_answers_leave_the_state_alone(stream):
    miner = WindowedApriori(10, 0.5)
    assert miner.frequent_itemsets() == {} and miner.rules() == []
    assert not miner.is_fitted
    trained = WindowedApriori(200, 0.05).learn_many(stream[:300])
    before = trained.snapshot()
    trained.frequent_itemsets(), trained.frequent_items(), trained.rules(0.1)
    assert states_equal(before, trained.snapshot())
    assert miner.learn_many([[], []]).frequent_itemsets() == {}


def test_a_support_reached_exactly_counts_despite_rounding():
    # 0.28 * 25 is 7.000000000000001 in floating point
    miner = WindowedApriori(window_size=25, min_support=0.28)
    miner.learn_many([["a", "b"]] * 7 + [["c"]] * 18)
    assert miner.frequent_itemsets() == {("c",): 18, ("a",): 7, ("b",): 7, ("a", "b"): 7}


@pytest.mark.parametrize(("params", "message"), [
    ({"window_size": 0}, "The 'window_size' parameter of WindowedApriori must be >= 1. "
                         "Got 0 instead."),
    ({"window_size": 2.5}, "'window_size' parameter of WindowedApriori must be an int"),
    ({"min_support": 0}, "'min_support' parameter of WindowedApriori must be > 0"),
    ({"min_support": 2}, "'min_support' parameter of WindowedApriori must be <= 1"),
    ({"max_size": 0}, "'max_size' parameter of WindowedApriori must be an int >= 1 or None"),
])
def test_bad_parameters_are_refused_before_any_state(params, message):
    import re

    model = WindowedApriori(**params)
    with pytest.raises(ParameterError, match=re.escape(message)):
        model.learn_one(["a"])
    assert not model.is_fitted
