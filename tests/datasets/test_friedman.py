"""Friedman #1: the target is the documented function plus Gaussian noise."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.datasets import Friedman


def friedman_1(X: np.ndarray) -> np.ndarray:
    return (10 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20 * (X[:, 2] - 0.5) ** 2 + 10 * X[:, 3]
            + 5 * X[:, 4])


def test_without_noise_the_target_is_the_formula():
    data = Friedman(noise=0.0).take(5_000)
    np.testing.assert_allclose(data.y, friedman_1(data.X), rtol=0, atol=1e-12)
    assert data.task == "regression" and data.y.dtype == np.float64


def test_noise_has_the_stated_standard_deviation():
    data = Friedman(seed=1, noise=2.0).take(50_000)
    residual = data.y - friedman_1(data.X)
    assert abs(residual.mean()) < 0.05
    assert 1.97 < residual.std() < 2.03


def test_target_distribution_matches_river():
    synth = pytest.importorskip("river.datasets.synth", reason="River is an optional extra")
    river = np.array([y for _, y in synth.Friedman(seed=2).take(20_000)])
    ours = Friedman(seed=2).take(20_000).y
    assert abs(river.mean() - ours.mean()) < 0.15
    assert abs(river.std() - ours.std()) < 0.15
