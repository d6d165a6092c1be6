"""Random RBF: clusters around centroids, and moving centroids that shift the concept."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.datasets import RandomRBF


def test_events_cluster_around_their_centroids():
    stream = RandomRBF(seed=5, n_classes=4, n_features=3, n_centroids=20)
    data = stream.take(20_000)
    assert data.task == "multiclass"
    assert set(data.y.tolist()) <= {0, 1, 2, 3}
    centres = stream.centres_at(0)
    assert centres.shape == (20, 3)
    # Each event lies at a Gaussian distance (spread <= 1) from one of the centres.
    nearest = np.min(np.linalg.norm(data.X[:, None, :] - centres[None], axis=2), axis=1)
    assert np.median(nearest) < 0.35


def test_binary_task_for_two_classes():
    data = RandomRBF().take(10_000)
    assert data.task == "binary" and set(data.y.tolist()) == {0, 1}


def test_only_the_drifting_centroids_move_and_they_stay_in_the_unit_cube():
    stream = RandomRBF(seed=1, n_centroids=10, change_speed=0.01, n_drift_centroids=3)
    start, later = stream.centres_at(0), stream.centres_at(500)
    np.testing.assert_array_equal(start[3:], later[3:])
    assert np.all(np.linalg.norm(later[:3] - start[:3], axis=1) > 0)
    for position in (1, 77, 500, 12_345):
        centres = stream.centres_at(position)
        assert centres.min() >= 0.0 and centres.max() <= 1.0
    # Between two events a centroid travels change_speed (bounces only shorten the hop).
    step = np.linalg.norm(stream.centres_at(101)[:3] - stream.centres_at(100)[:3], axis=1)
    assert np.all(step <= 0.01 + 1e-12)


def test_moving_centroids_degrade_a_model_trained_on_the_start():
    neighbors = pytest.importorskip("sklearn.neighbors", reason="scikit-learn is an extra")

    def accuracy_drop(stream: RandomRBF) -> float:
        data = stream.take(60_000)
        model = neighbors.KNeighborsClassifier(n_neighbors=5)
        model.fit(data.X[:5_000], data.y[:5_000])
        soon = model.score(data.X[5_000:7_000], data.y[5_000:7_000])
        late = model.score(data.X[-2_000:], data.y[-2_000:])
        return soon - late

    assert abs(accuracy_drop(RandomRBF(seed=2))) < 0.03
    assert accuracy_drop(RandomRBF(seed=2, change_speed=0.0001, n_drift_centroids=50)) > 0.1
