"""BPR on implicit feedback: a better top-10 than popularity on MovieLens-100K."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.core.learners import all_rows
from streamlearn.core.serialize import dumps, loads
from streamlearn.recommend import BPR, Popularity
from tests.recommend.movielens import movielens_100k
from tests.recommend.test_movielens import as_batches


def hit_rate(model, rows: np.ndarray, size: int = 200, every: int = 20) -> float:
    """Prequential hit rate@10: before each batch of ``size`` events is learnt, is the item
    of every ``every``-th event among the top 10 recommended to its user?"""
    hits = tried = 0
    for batch in as_batches(rows, size):
        if model.is_fitted:
            pairs = batch.X[::every].astype(np.int64).tolist()
            tried += len(pairs)
            hits += sum(item in model.recommend(user, k=10) for user, item in pairs)
        model.process_many(batch, batch, all_rows(len(batch)))
    return hits / tried


def test_bpr_beats_popularity_on_movielens():
    rows = movielens_100k()
    popular = hit_rate(Popularity(), rows)
    bpr = hit_rate(BPR(n_negatives=5), rows)
    assert popular == pytest.approx(0.0573, abs=1e-4)
    assert bpr >= 0.062 and bpr > 1.05 * popular


def test_a_lone_item_has_no_negative_to_learn_against():
    model = BPR(n_factors=3, seed=4)
    model.learn_one({"user": "ann", "item": "alien"}, None)
    model.learn_one({"user": "bob", "item": "alien"}, None)
    assert model.item_biases_.tolist() == [0.0] and model.n_events_ == 2
    model.learn_one({"user": "bob", "item": "heat"}, None)   # alien is the negative
    assert model.item_biases_[1] > 0.0 > model.item_biases_[0]
    assert model.predict_one({"user": "x", "item": "heat"}) == model.item_biases_[1]
    assert model.predict_one({"user": "x", "item": "unknown"}) == 0.0


def test_bpr_snapshot_continues_like_the_original():
    model = BPR(n_factors=3, n_negatives=2, seed=4)
    for user, item in [("ann", "a"), ("bob", "b"), ("ann", "c"), ("cat", "a")]:
        model.learn_one({"user": user, "item": item}, None)
    restored = BPR(n_factors=3, n_negatives=2, seed=4).restore(loads(dumps(model.snapshot())))
    for twin in (model, restored):
        twin.learn_one({"user": "bob", "item": "c"}, None)
        twin.learn_one({"user": "dan", "item": "a"}, None)
    assert np.array_equal(model.item_factors_, restored.item_factors_)
    assert model.recommend("dan", k=2) == restored.recommend("dan", k=2)
