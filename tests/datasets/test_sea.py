"""SEA concepts: thresholds, class balance, abrupt drift, agreement with River."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.datasets import SEA

THETAS = (8.0, 9.0, 7.0, 9.5)


@pytest.mark.parametrize("variant", range(4))
def test_label_is_the_threshold_rule_without_noise(variant):
    data = SEA(variant=variant, noise=0.0).take(20_000)
    assert data.X.min() >= 0.0 and data.X.max() <= 10.0
    np.testing.assert_array_equal(data.y, data.X[:, 0] + data.X[:, 1] > THETAS[variant])
    expected_true = 1 - THETAS[variant] ** 2 / 200  # area above the line in the 10x10 square
    assert abs(data.y.mean() - expected_true) < 0.01


def test_balance_without_noise_is_about_68_percent_true():
    assert 0.67 < SEA(seed=0, noise=0.0).take(50_000).y.mean() < 0.69


def test_noise_flips_the_stated_share_of_labels():
    clean = SEA(noise=0.0).take(50_000)
    noisy = SEA(noise=0.1).take(50_000)
    np.testing.assert_array_equal(clean.X, noisy.X)
    assert 0.095 < np.mean(clean.y != noisy.y) < 0.105


def test_abrupt_drift_breaks_the_variant_0_rule_after_the_drift_point():
    data = SEA(noise=0.0, drift_every=10_000).take(40_000)
    rule = data.X[:, 0] + data.X[:, 1] > 8.0
    accuracy = [np.mean(rule[i:i + 10_000] == data.y[i:i + 10_000]) for i in range(0, 40_000,
                                                                                   10_000)]
    assert accuracy[0] == 1.0
    # Disagreement areas: 8 < s <= 9, 7 < s <= 8, 8 < s <= 9.5 (out of 100 in the square).
    np.testing.assert_allclose(accuracy[1:], [1 - 0.085, 1 - 0.075, 1 - 0.13125], atol=0.01)


def test_concepts_cycle_through_variants():
    stream = SEA(drift_every=5, variants=(3, 1))
    assert stream.concept_at(np.arange(0, 25, 5)).tolist() == [3, 1, 3, 1, 3]
    assert SEA(variant=2).concept_at(np.array([0, 10**9])).tolist() == [2, 2]


@pytest.mark.parametrize("variant", range(4))
def test_class_balance_matches_river(variant):
    synth = pytest.importorskip("river.datasets.synth", reason="River is an optional extra")
    river_share = np.mean([y for _, y in synth.SEA(variant=variant, seed=3).take(20_000)])
    ours = SEA(variant=variant, noise=0.0, seed=3).take(20_000).y.mean()
    assert abs(river_share - ours) < 0.02
