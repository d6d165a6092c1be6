"""Rotating hyperplane: the concept is the hyperplane, and it rotates as documented."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.datasets import RotatingHyperplane


def labels_for(X: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return (np.einsum("ij,ij->i", X, weights) >= 0.5 * weights.sum(axis=1)).astype(int)


def test_labels_are_the_side_of_the_hyperplane_before_drift():
    stream = RotatingHyperplane(seed=11, magnitude=0.0, noise=0.0)
    data = stream.take(20_000)
    w = stream.initial_weights()
    assert w.shape == (10,) and w.min() >= 0.0 and w.max() <= 1.0
    np.testing.assert_array_equal(data.y, (data.X @ w - w.sum() / 2 >= 0).astype(int))
    assert 0.48 < data.y.mean() < 0.52
    assert data.X.min() >= 0.0 and data.X.max() < 1.0


def test_weights_move_by_magnitude_per_event_when_directions_never_reverse():
    stream = RotatingHyperplane(seed=2, n_features=5, n_drift_features=2, magnitude=0.002,
                                noise=0.0, sigma=0.0)
    data = stream.take(3_000)
    weights = np.tile(stream.initial_weights(), (3_000, 1))
    weights[:, :2] += 0.002 * np.arange(3_000)[:, None]
    np.testing.assert_array_equal(data.y, labels_for(data.X, weights))


def test_gradual_drift_moves_the_concept_away_from_the_initial_hyperplane():
    # Without reversals two weights grow by 0.001 per event: +20 after 20,000 events.
    stream = RotatingHyperplane(seed=4, magnitude=0.001, noise=0.0, sigma=0.0)
    data = stream.take(20_000)
    w = stream.initial_weights()
    agreement = data.y == (data.X @ w >= w.sum() / 2)
    assert agreement[:200].mean() > 0.97
    assert agreement[-2_000:].mean() < 0.7


def test_noise_flips_the_stated_share_of_labels():
    clean = RotatingHyperplane(noise=0.0).take(50_000)
    noisy = RotatingHyperplane(noise=0.05).take(50_000)
    assert 0.045 < np.mean(clean.y != noisy.y) < 0.055


def test_class_balance_matches_river():
    synth = pytest.importorskip("river.datasets.synth", reason="River is an optional extra")
    river_share = np.mean([y for _, y in synth.Hyperplane(seed=1).take(20_000)])
    ours = RotatingHyperplane(seed=1).take(20_000).y.mean()
    assert abs(river_share - ours) < 0.02
