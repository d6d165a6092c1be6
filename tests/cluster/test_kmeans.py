"""Streaming and mini-batch k-means: planted centres found, exact batch-size invariance,
cluster sizes, seeding, missing and late features, parameter validation."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.cluster import MiniBatchKMeans, StreamingKMeans
from streamlearn.core.base import states_equal
from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.learners import all_rows

PLANTED = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])


def blobs(n: int = 4000, seed: int = 0) -> tuple[Batch, np.ndarray]:
    """Four well-separated Gaussian blobs (sd 1, 10 apart), shuffled."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(PLANTED), size=n)
    X = PLANTED[labels] + rng.normal(size=(n, 2))
    return Batch.from_array(X, columns=["a", "b"]), labels


def prequential(model, stream: Batch, batch_size: int) -> np.ndarray:
    answers = []
    for start in range(0, len(stream), batch_size):
        part = stream.take(slice(start, start + batch_size))
        answers.append(model.process_many(part, part, all_rows(len(part))))
    return np.concatenate(answers)


def found_centres(model) -> np.ndarray:
    return np.array([[c["a"], c["b"]] for c in model.centers.values()])


MODELS = [
    pytest.param(lambda: StreamingKMeans(n_clusters=4, halflife=0.05), 0.6, id="streaming"),
    pytest.param(lambda: MiniBatchKMeans(n_clusters=4, batch_size=50), 0.15, id="mini-batch"),
]


@pytest.mark.parametrize(("make", "tolerance"), MODELS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_centres_are_recovered(make, tolerance, seed):
    stream, labels = blobs(seed=seed)
    model = make()
    answers = prequential(model, stream, 500)
    centres = found_centres(model)
    distances = np.linalg.norm(centres[:, None, :] - PLANTED[None, :, :], axis=2)
    # every found centre lies near a planted one, and each planted one is found once
    assert distances.min(axis=1).max() < tolerance
    assert sorted(distances.argmin(axis=1)) == [0, 1, 2, 3]
    # after seeding (the first 100 events), every answer names the event's blob
    mapping = distances.argmin(axis=1)
    assert np.array_equal(mapping[answers[100:]], labels[100:])


@pytest.mark.parametrize(("make", "tolerance"), MODELS)
def test_cluster_sizes_count_the_learnt_events(make, tolerance):
    stream, labels = blobs(n=3000)
    model = make()
    prequential(model, stream, 1000)
    waiting = getattr(model, "n_pending_", 0)
    assert sum(model.cluster_sizes) == 3000 - waiting
    mapping = np.linalg.norm(found_centres(model)[:, None] - PLANTED[None], axis=2).argmin(1)
    counted = np.bincount(labels[: 3000 - waiting], minlength=4)
    assert model.cluster_sizes == [int(counted[mapping[c]]) for c in range(4)]


@pytest.mark.parametrize("make", [
    lambda: StreamingKMeans(n_clusters=4, halflife=0.3),
    lambda: MiniBatchKMeans(n_clusters=4, batch_size=32),
])
def test_same_answers_and_state_in_batches_of_any_size(make):
    stream, _ = blobs(n=1500)
    X = stream.X.copy()
    X[np.random.default_rng(3).random(X.shape) < 0.1] = np.nan
    X[:700, 1] = np.nan  # "b" appears after seeding
    X[[5, 800], 0] = np.inf
    stream = Batch.from_array(X, columns=["a", "b"])
    runs = []
    for size in (1, 13, 1500):
        model = make()
        runs.append((prequential(model, stream, size), model.snapshot()))
    for answers, state in runs[:-1]:
        assert np.array_equal(answers, runs[-1][0])
        assert states_equal(state, runs[-1][1])
    assert np.isfinite(runs[-1][1]["state"]["centers_"]).all()


def test_answers_minus_one_until_seeded():
    stream, _ = blobs(n=120)
    model = StreamingKMeans(n_clusters=4, init_size=50)
    answers = prequential(model, stream, 7)
    assert (answers[:50] == -1).all() and (answers[50:] >= 0).all()
    fresh = StreamingKMeans(n_clusters=4)
    assert fresh.predict_one({"a": 1.0}) == -1
    assert not fresh.is_fitted
    assert fresh.cluster_sizes == [0, 0, 0, 0] and fresh.centers == {}


def test_a_constant_step_follows_drift_where_running_means_lag():
    stream, _ = blobs(n=4000)
    moved = Batch.from_array(stream.X + 3.0, columns=["a", "b"])   # every blob moves
    streaming = StreamingKMeans(n_clusters=4, halflife=0.05).learn_many(stream)
    means = MiniBatchKMeans(n_clusters=4, batch_size=50).learn_many(stream)
    streaming.learn_many(moved)
    means.learn_many(moved)
    for model, low, high in [(streaming, 0.0, 0.6), (means, 1.0, 2.5)]:
        distances = np.linalg.norm(found_centres(model)[:, None] - (PLANTED + 3.0)[None], axis=2)
        assert low < distances.min(axis=1).max() < high


def test_a_late_feature_is_adopted():
    model = MiniBatchKMeans(n_clusters=2, batch_size=1, init_size=2)
    for x in [{"a": 0.0}, {"a": 10.0}, {"a": 0.5, "c": 3.0}, {"a": 9.5, "c": -3.0}]:
        model.learn_one(x)
    low, high = sorted(model.centers, key=lambda c: model.centers[c]["a"])
    assert model.centers[low] == {"a": 0.25, "c": 3.0}
    assert model.centers[high] == {"a": 9.75, "c": -3.0}
    assert model.predict_one({"c": 2.0}) == low and model.predict_one({"c": -2.0}) == high
    batch = Batch.from_array(np.array([[0.0], [10.0]]), columns=["a"])
    assert model.predict_many(batch).tolist() == [low, high]


def test_per_event_and_batch_faces_agree():
    stream, _ = blobs(n=600)
    model = StreamingKMeans(n_clusters=4)
    for x in stream.to_dicts():
        model.learn_one(x)
    other = StreamingKMeans(n_clusters=4).learn_many(stream)
    assert states_equal(model.snapshot(), other.snapshot())
    assert [model.predict_one(x) for x in stream.to_dicts()[:50]] == \
        other.predict_many(stream.take(slice(0, 50))).tolist()


@pytest.mark.parametrize(("make", "message"), [
    (lambda: StreamingKMeans(n_clusters=0),
     "The 'n_clusters' parameter of StreamingKMeans must be >= 1. Got 0 instead."),
    (lambda: StreamingKMeans(halflife=0.0),
     "The 'halflife' parameter of StreamingKMeans must be > 0.0. Got 0.0 instead."),
    (lambda: StreamingKMeans(n_clusters=8, init_size=5),
     "The 'init_size' parameter of StreamingKMeans must be >= 8. Got 5 instead."),
    (lambda: MiniBatchKMeans(batch_size=0),
     "The 'batch_size' parameter of MiniBatchKMeans must be >= 1. Got 0 instead."),
])
def test_invalid_parameters_are_rejected(make, message):
    with pytest.raises(ParameterError) as error:
        make().learn_one({"a": 1.0})
    assert str(error.value) == message


def test_categorical_features_are_refused():
    with pytest.raises(SchemaError, match="OneHotEncoder"):
        StreamingKMeans().learn_one({"a": 1.0, "colour": "red"})
