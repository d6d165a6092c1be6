"""Top-k ranking metrics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from streamlearn.core.errors import ParameterError
from streamlearn.metrics import NDCGAtK, PrecisionAtK, RecallAtK, Rolling
from streamlearn.metrics.ranking import ndcg_at_k, precision_at_k, recall_at_k

RANKED = ["a", "b", "c", "d", "e"]
RELEVANT = {"b", "e", "x"}          # hits at ranks 2 and 5, one relevant item never shown


def test_precision_counts_hits_in_the_first_k_over_k():
    assert precision_at_k(RANKED, RELEVANT, k=5) == 2 / 5
    assert precision_at_k(RANKED, RELEVANT, k=2) == 1 / 2
    assert precision_at_k(RANKED, RELEVANT, k=1) == 0.0
    assert precision_at_k(["b"], RELEVANT, k=10) == 1 / 10   # a short list is not excused


def test_recall_counts_hits_over_the_relevant_items():
    assert recall_at_k(RANKED, RELEVANT, k=5) == 2 / 3
    assert recall_at_k(RANKED, RELEVANT, k=2) == 1 / 3
    assert recall_at_k(RANKED, set(), k=5) == 0.0


def test_ndcg_discounts_by_log2_of_the_rank():
    dcg = 1 / math.log2(3) + 1 / math.log2(6)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(RANKED, RELEVANT, k=5) == pytest.approx(dcg / ideal, abs=1e-15)
    assert ndcg_at_k(["b", "e", "x"], RELEVANT, k=3) == pytest.approx(1.0)
    # at k=2 the ideal holds 2 relevant items: (1/log2(3)) / (1 + 1/log2(3))
    assert ndcg_at_k(RANKED, RELEVANT, k=2) == pytest.approx(
        (1 / math.log2(3)) / (1 + 1 / math.log2(3)), abs=1e-15)
    assert ndcg_at_k(RANKED, [], k=5) == 0.0


def test_metrics_average_lists_one_by_one_or_many_at_once():
    lists = [RANKED, ["x", "y"], ["q"]]
    relevant = [RELEVANT, {"x"}, {"z"}]
    for metric_class, function in ((PrecisionAtK, precision_at_k), (RecallAtK, recall_at_k),
                                   (NDCGAtK, ndcg_at_k)):
        expected = sum(function(r, s, 3) for r, s in zip(lists, relevant)) / 3
        one = metric_class(k=3)
        for ranked, wanted in zip(lists, relevant):
            one.update(wanted, ranked)
        many = metric_class(k=3).update_many(relevant, y_pred=lists)
        assert one.get() == pytest.approx(expected, abs=1e-15)
        assert many.get() == pytest.approx(expected, abs=1e-15)
    assert PrecisionAtK(k=3).update_many(relevant, y_pred=lists).get() == pytest.approx(
        (1 / 3 + 1 / 3 + 0) / 3)
    assert PrecisionAtK().get() == 0.0 and PrecisionAtK().name == "Precision@10"


def test_rolling_window_keeps_the_last_lists():
    metric = Rolling(PrecisionAtK(k=2), window_size=2)
    metric.update_many([{"a"}, {"a", "b"}, {"c"}], y_pred=[["a", "b"], ["a", "b"], ["x", "y"]])
    assert metric.get() == pytest.approx((1.0 + 0.0) / 2)
    assert metric.name == "Rolling Precision@2(2)"


def test_bad_k_is_refused_clearly():
    with pytest.raises(ParameterError, match=r"The 'k' parameter of precision_at_k must be "
                                             r">= 1. Got 0 instead."):
        precision_at_k(RANKED, RELEVANT, k=0)
    with pytest.raises(ParameterError, match="'k' parameter of NDCGAtK"):
        NDCGAtK(k=-1).update({"a"}, ["a"])
    with pytest.raises(ValueError, match="one ranked list per event"):
        RecallAtK().update_many([{"a"}, {"b"}], y_pred=[["a"]])
