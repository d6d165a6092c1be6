"""Biased MF, the baseline predictor and popularity: values, recommendation, ids that appear
mid-stream, snapshots and parameter checks."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.core.batch import Batch
from streamlearn.core.errors import NotFittedError, ParameterError, SchemaError
from streamlearn.core.learners import all_rows
from streamlearn.core.serialize import dumps, loads
from streamlearn.recommend import Baseline, BiasedMF, Popularity

EVENTS = [("ann", "alien", 5.0), ("ann", "heat", 4.0), ("bob", "alien", 5.0),
          ("bob", "notebook", 1.0), ("cat", "notebook", 5.0), ("cat", "heat", 2.0),
          ("dan", "up", 3.0), ("ann", "up", 4.0)]


def learn(model, events=EVENTS, repeat=1):
    for _ in range(repeat):
        for user, item, rating in events:
            model.learn_one({"user": user, "item": item}, rating)
    return model


def test_baseline_first_steps_by_hand():
    """mean, then one SGD step on (mean + b_u + b_i - y)² with rate 0.1, from zero biases."""
    model = Baseline(bias_learning_rate=0.1)
    assert model.predict_one({"user": "ann", "item": "alien"}) == 0.0
    model.learn_one({"user": "ann", "item": "alien"}, 5.0)
    # mean 5, prediction 5: no gradient yet
    assert model.predict_one({"user": "ann", "item": "alien"}) == 5.0
    model.learn_one({"user": "bob", "item": "alien"}, 3.0)
    # mean 4; prediction 4 + 0 + 0 = 4; gradient 2 * (4 - 3) = 2; both biases -= 0.2
    assert model.global_mean_ == 4.0
    assert model.user_biases_.tolist() == [0.0, -0.2]
    assert model.item_biases_.tolist() == [-0.2]
    assert model.predict_one({"user": "bob", "item": "alien"}) == pytest.approx(3.6)
    # an unknown user or item adds no bias
    assert model.predict_one({"user": "zoe", "item": "alien"}) == pytest.approx(3.8)
    assert model.predict_one({"user": "zoe", "item": "nothing"}) == 4.0


def test_biased_mf_fits_a_small_matrix():
    model = learn(BiasedMF(n_factors=4, bias_learning_rate=0.05, latent_learning_rate=0.05),
                  repeat=200)
    predictions = [model.predict_one({"user": u, "item": i}) for u, i, _ in EVENTS]
    assert np.abs(np.array(predictions) - [r for _, _, r in EVENTS]).max() < 0.1
    assert model.n_ratings_ == 200 * len(EVENTS)
    assert model.user_factors_.shape == (4, 4) and model.item_factors_.shape == (4, 4)


def test_recommend_excludes_seen_items_and_follows_the_scores():
    model = learn(BiasedMF(n_factors=3, seed=2), repeat=20)
    assert set(model.seen_items("ann")) == {"alien", "heat", "up"}
    assert model.recommend("ann", k=10) == ["notebook"]
    ranked = model.recommend("ann", k=10, exclude_seen=False)
    scores = {i: model.predict_one({"user": "ann", "item": i}) for i in ranked}
    assert sorted(ranked) == ["alien", "heat", "notebook", "up"]
    assert ranked == sorted(scores, key=scores.__getitem__, reverse=True)
    assert model.recommend("ann", k=2, exclude_seen=False) == ranked[:2]
    # an unknown user gets the items best for everyone: mean + item bias
    best = sorted(ranked, key=lambda i: -model.predict_one({"user": "new", "item": i}))
    assert model.recommend("new", k=4) == best


def test_recommend_before_learning_and_bad_k():
    with pytest.raises(NotFittedError, match="learn_one or learn_many"):
        BiasedMF().recommend("ann")
    model = learn(Popularity())
    with pytest.raises(ParameterError, match=r"The 'k' parameter of Popularity\.recommend"):
        model.recommend("ann", k=0)


def test_popularity_counts_and_ties_go_to_the_first_item():
    model = Popularity()
    for user, item, _ in EVENTS:
        model.learn_one({"user": user, "item": item}, None)   # no rating needed
    assert model.item_counts_.tolist() == [2, 2, 2, 2]
    assert model.predict_one({"user": "x", "item": "up"}) == 2.0
    assert model.predict_one({"user": "x", "item": "unknown"}) == 0.0
    assert model.recommend("new", k=3) == ["alien", "heat", "notebook"]
    assert model.recommend("cat", k=3) == ["alien", "up"]
    model.learn_one({"user": "eve", "item": "up"}, None)
    assert model.recommend("new", k=1) == ["up"]


def test_new_users_and_items_mid_stream_within_one_batch():
    """A user first learnt at row 2 is unknown when row 1 is answered, in one batch as in
    three."""
    users = np.array(["ann", "bob", "bob", None, "ann"], dtype=object)
    items = np.array(["alien", "alien", "heat", "heat", None], dtype=object)
    batch = Batch(X=np.zeros((5, 0)), columns=(), categorical={"user": users, "item": items},
                  y=np.array([5.0, 4.0, 2.0, 1.0, 3.0]))
    whole = Baseline(bias_learning_rate=0.1)
    out = whole.process_many(batch, batch, all_rows(5))
    parts = Baseline(bias_learning_rate=0.1)
    pieces = [parts.process_many(b, b, all_rows(len(b)))
              for b in (batch.take(slice(0, 1)), batch.take(slice(1, 4)), batch.take(slice(4, 5)))]
    assert np.array_equal(out, np.concatenate(pieces))
    # rows 3 and 4 lack a user or an item: answered, not learnt
    assert whole.users_ == ["ann", "bob"] and whole.items_ == ["alien", "heat"]
    assert whole.n_ratings_ == 3
    # row 1: bob is unknown, and alien's bias is still 0 (row 0 was predicted exactly)
    assert out[1] == 5.0


def test_numeric_ids_name_the_same_users_as_ints():
    model = BiasedMF(n_factors=2)
    frame_like = Batch(X=np.array([[7.0, 3.0], [8.0, 3.0], [7.0, 4.0]]),
                       columns=("user", "item"), y=np.array([4.0, 2.0, 5.0]))
    model.learn_many(frame_like, frame_like.y)
    assert model.users_ == [7, 8] and model.items_ == [3, 4]
    assert model.predict_one({"user": 7, "item": 3}) == model.predict_many(frame_like)[0]
    assert model.recommend(8) == [4]


def test_custom_column_names_and_other_columns_ignored():
    model = learn(Baseline(user="who", item="what"), [])
    model.learn_one({"who": "ann", "what": "alien", "price": 3.0}, 4.0)
    assert model.users_ == ["ann"] and model.items_ == ["alien"]
    with pytest.raises(SchemaError, match="needs numeric targets"):
        model.learn_one({"who": "ann", "what": "alien"}, "good")


def test_snapshot_on_disk_continues_like_the_original():
    model = learn(BiasedMF(n_factors=3, seed=5), repeat=3)
    restored = BiasedMF(n_factors=3, seed=5).restore(loads(dumps(model.snapshot())))
    assert restored.recommend("dan", k=3) == model.recommend("dan", k=3)
    for twin in (model, restored):
        learn(twin, [("eve", "alien", 5.0), ("dan", "heat", 2.0)])
    assert np.array_equal(restored.user_factors_, model.user_factors_)
    assert restored.users_ == model.users_ == ["ann", "bob", "cat", "dan", "eve"]
    assert restored.recommend("eve", k=3) == model.recommend("eve", k=3)


def test_initial_factors_depend_on_seed_and_slot_only():
    a, b, c = (learn(BiasedMF(n_factors=5, seed=s, init_std=0.2), []) for s in (1, 1, 2))
    for model in (a, b, c):
        model.learn_one({"user": "u", "item": "i"}, 3.0)
    assert np.array_equal(a.user_factors_, b.user_factors_)
    assert not np.array_equal(a.user_factors_, c.user_factors_)
    draws = np.zeros((20000, 1))
    from streamlearn.recommend._kernels import fill_normal
    fill_normal(draws, 3, 0, 0, 1.0)
    assert abs(draws.mean()) < 0.03 and abs(draws.std() - 1.0) < 0.02


@pytest.mark.parametrize(("model", "message"), [
    (BiasedMF(n_factors=0), "The 'n_factors' parameter of BiasedMF must be >= 1. Got 0"),
    (BiasedMF(latent_learning_rate=0.0), "'latent_learning_rate' parameter of BiasedMF must "
                                         "be > 0.0"),
    (Baseline(l2_bias=-1.0), "The 'l2_bias' parameter of Baseline must be >= 0.0. Got -1.0"),
    (BiasedMF(seed=-1), "The 'seed' parameter of BiasedMF must be >= 0"),
    (Popularity(user="x", item="x"), "must name different columns"),
    (Baseline(user=""), "The 'user' parameter of Baseline must be a non-empty str"),
])
def test_parameter_errors(model, message):
    with pytest.raises(ParameterError, match=message):
        model.learn_one({"user": "a", "item": "b"}, 1.0)
