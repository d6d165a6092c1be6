"""CluStream: planted centres found, stable cluster indices, forgetting, exact batch-size
invariance, cluster sizes, parameter validation."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.cluster import CluStream
from streamlearn.core.base import states_equal
from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError

from .test_kmeans import PLANTED, blobs, found_centres, prequential


def distances_to(model, planted: np.ndarray) -> np.ndarray:
    return np.linalg.norm(found_centres(model)[:, None] - planted[None], axis=2)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_centres_are_recovered_with_stable_indices(seed):
    stream, labels = blobs(n=6000, seed=seed)
    model = CluStream(n_clusters=4)
    answers = prequential(model, stream, 500)
    distances = distances_to(model, PLANTED)
    assert distances.min(axis=1).max() < 0.5
    assert sorted(distances.argmin(axis=1)) == [0, 1, 2, 3]
    assert (answers[:100] == -1).all()   # before the first offline phase
    # a cluster keeps its index from one offline phase to the next: the final centres name
    # the blob of every event answered after the first thousand
    mapping = distances.argmin(axis=1)
    assert np.array_equal(mapping[answers[1000:]], labels[1000:])


def test_old_micro_clusters_are_forgotten():
    stream, _ = blobs(n=3000)
    moved = Batch.from_array(stream.X + 20.0, columns=["a", "b"])
    model = CluStream(n_clusters=4, time_window=1000).learn_many(stream).learn_many(moved)
    assert distances_to(model, PLANTED + 20.0).min(axis=1).max() < 0.5


def test_cluster_sizes_count_the_summarised_events():
    stream, labels = blobs(n=2000)
    model = CluStream(n_clusters=4, time_window=10_000, time_gap=500).learn_many(stream)
    # nothing forgotten within the window: the macro-clusters summarise every event
    assert sum(model.cluster_sizes) == int(model.micro_sizes_.sum()) == 2000
    mapping = distances_to(model, PLANTED).argmin(axis=1)
    counted = np.bincount(labels, minlength=4)[mapping]
    assert np.abs(np.array(model.cluster_sizes) - counted).max() <= 0.02 * 2000


def test_same_answers_and_state_in_batches_of_any_size():
    stream, _ = blobs(n=1500)
    X = stream.X.copy()
    X[np.random.default_rng(3).random(X.shape) < 0.1] = np.nan
    X[:700, 1] = np.nan  # "b" appears mid-stream
    X[[5, 800], 0] = np.inf
    stream = Batch.from_array(X, columns=["a", "b"])
    runs = []
    for size in (1, 13, 1500):
        model = CluStream(n_clusters=4, max_micro_clusters=30, time_window=300, time_gap=50)
        runs.append((prequential(model, stream, size), model.snapshot()))
    for answers, state in runs[:-1]:
        assert np.array_equal(answers, runs[-1][0])
        assert states_equal(state, runs[-1][1])
    assert np.isfinite(runs[-1][1]["state"]["micro_sums_"]).all()


@pytest.mark.parametrize(("params", "message"), [
    ({"n_clusters": 0}, "The 'n_clusters' parameter of CluStream must be >= 1. Got 0 instead."),
    ({"n_clusters": 8, "max_micro_clusters": 5},
     "The 'max_micro_clusters' parameter of CluStream must be >= 8. Got 5 instead."),
    ({"radius_factor": -1.0},
     "The 'radius_factor' parameter of CluStream must be > 0.0. Got -1.0 instead."),
    ({"time_gap": 0}, "The 'time_gap' parameter of CluStream must be >= 1. Got 0 instead."),
])
def test_invalid_parameters_are_rejected(params, message):
    with pytest.raises(ParameterError) as error:
        CluStream(**params).learn_one({"a": 1.0})
    assert str(error.value) == message
