"""Streaming isolation forest: quality on injected anomalies (sklearn's level), the forest
replaced at the same event whatever the batch, snapshots, missing features, parameters."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from streamlearn.anomaly import IsolationForestStream
from streamlearn.anomaly._iforest_kernels import average_path_length
from streamlearn.core.base import states_equal
from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.learners import all_rows
from tests.anomaly.streams import injected_anomalies


def prequential_scores(model, X, batch_size=1000):
    out = []
    for start in range(0, len(X), batch_size):
        batch = Batch.from_array(X[start:start + batch_size])
        out.append(model.process_many(batch, batch, all_rows(len(batch))))
    return np.concatenate(out)


@pytest.fixture(scope="module")
def stream():
    return injected_anomalies(n=10_000)


def test_roc_auc_on_injected_anomalies(stream):
    X, is_anomaly = stream
    scores = prequential_scores(IsolationForestStream(seed=0), X)
    assert scores.min() >= 0.0 and scores.max() <= 1.0
    assert (scores[:256] == 0.0).all() and (scores[256:] > 0.0).all()  # first window
    # scored events (after the first window): 0.9994 here; 0.965 over the whole stream,
    # whose first window's anomalies all score 0
    assert roc_auc_score(is_anomaly[256:], scores[256:]) > 0.998
    assert roc_auc_score(is_anomaly, scores) > 0.96


def test_roc_auc_as_sklearns_fitted_on_the_first_window(stream):
    from sklearn.ensemble import IsolationForest

    X, is_anomaly = stream
    ours, theirs = [], []
    for seed in range(3):  # the random trees differ: compare the mean over three forests
        scores = prequential_scores(IsolationForestStream(seed=seed), X)
        ours.append(roc_auc_score(is_anomaly[256:], scores[256:]))
        reference = IsolationForest(random_state=seed).fit(X[:256])
        theirs.append(roc_auc_score(is_anomaly[256:], -reference.score_samples(X[256:])))
    # ours 0.9992 (one forest per window), sklearn's 0.9997 (one forest, the first window)
    assert abs(np.mean(ours) - np.mean(theirs)) < 0.002


def test_forest_replaced_at_the_same_event_whatever_the_batch(stream):
    X, _ = stream
    X = X[:700]
    results = []
    for size in (1, 7, 99, 100, 101, 1000):
        model = IsolationForestStream(n_trees=10, window_size=100, seed=3)
        results.append((prequential_scores(model, X, size), model.snapshot()))
    for scores, state in results[1:]:
        np.testing.assert_array_equal(scores, results[0][0])
        assert states_equal(state, results[0][1])
    assert results[0][1]["state"]["window_"].tolist() == [0, 7]
    scores = results[0][0]
    assert (scores[:100] == 0.0).all() and scores[100] > 0.0
    # each window's forest differs: the scores of one event change at every boundary
    seen = []
    for end in (99, 100, 199, 200):
        probe = IsolationForestStream(n_trees=10, window_size=100, seed=3)
        probe.learn_many(X[:end])
        seen.append(probe.score_one({f"x{j}": 0.5 for j in range(5)}))
    assert seen[0] == 0.0 and seen[1] == seen[2] > 0.0 and seen[3] != seen[2]


def test_separate_learn_stream_gives_the_same_answers(stream):
    X, _ = stream
    batch = Batch.from_array(X[:2000])
    copy = Batch.from_array(X[:2000].copy())
    learn = np.random.default_rng(1).random(2000) < 0.8
    fused, apart = IsolationForestStream(seed=7), IsolationForestStream(seed=7)
    np.testing.assert_array_equal(fused.process_many(batch, batch, learn),
                                  apart.process_many(batch, copy, learn))
    assert states_equal(fused.snapshot(), apart.snapshot())
    assert fused.window_.tolist() == [int(learn.sum()) % 256, int(learn.sum()) // 256]


def test_snapshot_continues_exactly(stream):
    X, _ = stream
    original = IsolationForestStream(n_trees=20, window_size=128, seed=4)
    original.learn_many(X[:300])  # mid-window, after two forests were grown
    restored = IsolationForestStream(n_trees=20, window_size=128, seed=4).restore(
        original.snapshot())
    rest = X[300:1000]
    np.testing.assert_array_equal(prequential_scores(original, rest, 50),
                                  prequential_scores(restored, rest, 50))
    assert states_equal(original.snapshot(), restored.snapshot())


def test_trees_isolate_the_window():
    # 16 distinct events, subsample 16, unlimited depth: every leaf holds one event, so an
    # event of the window has a path length equal to its leaf's depth
    X = np.random.default_rng(5).random((16, 3))
    model = IsolationForestStream(n_trees=4, window_size=16, max_depth=30, seed=0)
    model.learn_many(X)
    leaves = model.feature_ < 0
    internal = (model.feature_ >= 0).sum(axis=1)
    assert internal.tolist() == [15] * 4  # 16 leaves: a full binary tree over 16 events
    reached = np.zeros_like(leaves)
    reached[:, 0] = True
    for t in range(4):
        for k in np.flatnonzero(model.feature_[t] >= 0):
            reached[t, [model.left_[t, k], model.right_[t, k]]] = True
    assert (reached.sum(axis=1) == 31).all()
    assert (model.leaf_value_[leaves & reached] == np.round(model.leaf_value_[leaves & reached])
            ).all()
    assert average_path_length(1) == 0.0 and average_path_length(2) == 1.0
    assert average_path_length(256) == pytest.approx(10.2447, abs=1e-4)


def test_missing_feature_follows_the_larger_side():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(400, 2))
    X[:, 1] = 5.0 + 0.1 * rng.normal(size=400)  # x1 splits near its middle
    model = IsolationForestStream(n_trees=30, window_size=200, seed=1)
    model.learn_many(X)
    assert 0.0 < model.score_one({"x0": 0.0}) < 1.0
    assert model.score_one({"x0": 0.0, "x1": np.nan}) == model.score_one({"x0": 0.0})
    inf = Batch(X=np.array([[0.0, np.inf]]), columns=("x0", "x1"))
    assert model.score_many(inf)[0] == model.score_one({"x0": 0.0})
    assert model.score_one({}) > 0.0  # every node sends it to its larger side
    # a window whose events lack x1 half the time still grows trees without NaN in them
    X[1::2, 1] = np.nan  # the first event carries x1, so the forest has it
    partial = IsolationForestStream(n_trees=30, window_size=200, seed=1)
    partial.learn_many(X)
    assert np.isfinite(partial.threshold_).all() and partial.window_.tolist() == [0, 2]
    assert not partial.window_present_.any()  # the window is emptied when it completes
    assert (partial.feature_ == 1).any()
    odd = partial.score_many(np.array([[0.0, 0.0], [0.0, np.nan]]))
    assert odd[0] > partial.score_many(X[200:250]).max() > odd[1]


def test_missing_value_goes_where_most_training_values_went():
    # x0 is constant, so the root splits x1, between 0 and 10: three values go left, one right
    X = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 10.0], [1.0, 0.0]])
    model = IsolationForestStream(n_trees=1, window_size=4, max_depth=1, seed=0)
    model.learn_many(X)
    assert model.feature_[0, 0] == 1 and 0.0 < model.threshold_[0, 0] <= 10.0
    assert model.missing_[0, 0] == model.left_[0, 0]
    assert model.score_one({"x0": 1.0}) == model.score_one({"x0": 1.0, "x1": 0.0})
    assert model.score_one({"x0": 1.0}) < model.score_one({"x0": 1.0, "x1": 10.0})
    # h(x) = 1 + c(3) on the left, 1 + c(1) on the right; the score is 2**(-h / c(4))
    expected = 2.0 ** (-(1.0 + average_path_length(3)) / average_path_length(4))
    assert model.score_one({"x0": 1.0}) == pytest.approx(expected, rel=1e-12)


def test_parameters_are_checked():
    with pytest.raises(ParameterError, match="'window_size' parameter of IsolationForestStream"):
        IsolationForestStream(window_size=1).learn_one({"x": 0.5})
    with pytest.raises(ParameterError, match=r"'subsample' .* must be <= 100\. Got 200"):
        IsolationForestStream(window_size=100, subsample=200).learn_one({"x": 0.5})
    with pytest.raises(ParameterError, match=r"'max_depth' .* must be >= 1"):
        IsolationForestStream(max_depth=0).learn_one({"x": 0.5})
    with pytest.raises(ParameterError, match=r"'n_trees' .* must be an int"):
        IsolationForestStream(n_trees=2.5).learn_one({"x": 0.5})
    with pytest.raises(ParameterError, match="'seed'"):
        IsolationForestStream(seed=-1).learn_one({"x": 0.5})
    with pytest.raises(SchemaError, match="OneHotEncoder"):
        IsolationForestStream().learn_one({"x": 0.5, "colour": "red"})


def test_unfitted_scores_zero():
    model = IsolationForestStream()
    assert model.score_one({"x": 0.5}) == 0.0
    assert not model.is_fitted
