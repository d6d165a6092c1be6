"""Adaptive random forests: quality on drifting streams, exact drift handling, seeds."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.core.base import states_equal
from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError
from streamlearn.core.serialize import dumps, loads
from streamlearn.datasets import SEA, Friedman
from streamlearn.drift import ADWIN
from streamlearn.trees import (
    AdaptiveRandomForestClassifier,
    AdaptiveRandomForestRegressor,
    HoeffdingTreeRegressor,
)

from ._streams import (
    accuracy,
    assert_batch_size_invariant,
    flipping_stream,
    prequential,
    shifting_regression,
)


def sensitive(cls, **params):
    """A small forest whose detectors fire on the short test streams."""
    return cls(n_models=3, seed=2, warning_detector=ADWIN(delta=0.3, clock=8),
               drift_detector=ADWIN(delta=0.05, clock=8), **params)


def test_classifier_accuracy_on_sea_with_drift():
    # SEA's concepts switch abruptly every 25,000 events; 10% label noise caps accuracy at 0.9
    data = SEA(seed=42, drift_every=25_000).take(100_000)
    model = AdaptiveRandomForestClassifier(seed=1)
    assert accuracy(model, data.X, data.y) >= 0.88
    assert sum(model.n_drifts) >= 10 and sum(model.n_warnings) >= sum(model.n_drifts)
    assert model.max_features_ == 2  # round(sqrt(3))


def test_classifier_same_answers_and_state_for_any_batch_size_through_drifts():
    model = assert_batch_size_invariant(sensitive(AdaptiveRandomForestClassifier),
                                        flipping_stream(900))
    assert sum(model.n_warnings) >= 3 and sum(model.n_drifts) >= 3


def test_classifier_snapshot_with_background_trees_continues_exactly():
    stream = flipping_stream(900)
    first, rest = stream.take(slice(0, 200)), stream.take(slice(200, 900))
    model = sensitive(AdaptiveRandomForestClassifier)
    prequential(model, first, 1000)
    assert any(tree is not None for tree in model.backgrounds_)
    restored = sensitive(AdaptiveRandomForestClassifier).restore(loads(dumps(model.snapshot())))
    assert np.array_equal(prequential(model, rest, 50), prequential(restored, rest, 50))
    assert states_equal(model.snapshot(), restored.snapshot())


def test_seed_decides_the_forest():
    data = SEA(seed=7).take(3000)
    runs = [prequential(AdaptiveRandomForestClassifier(n_models=3, seed=seed),
                        Batch.from_array(data.X, y=data.y), 500) for seed in (1, 1, 2)]
    assert np.array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_regressor_error_on_friedman():
    data = Friedman(seed=42).take(10_000)
    batch = Batch.from_array(data.X, y=data.y)
    forest = np.abs(prequential(AdaptiveRandomForestRegressor(seed=1), batch, 1000) - data.y)
    tree = np.abs(prequential(HoeffdingTreeRegressor(grace_period=50), batch, 1000) - data.y)
    assert forest.mean() < 2.0
    assert forest[5000:].mean() < tree[5000:].mean()


def test_regressor_same_answers_and_state_for_any_batch_size_through_drifts():
    model = assert_batch_size_invariant(
        sensitive(AdaptiveRandomForestRegressor, grace_period=30), shifting_regression(900))
    assert sum(model.n_warnings) >= 1 and sum(model.n_drifts) >= 1


@pytest.mark.parametrize(("value", "expected"), [("sqrt", 3), ("log2", 3), (4, 4), (0.5, 5),
                                                 (None, 10), (-2, 8), (50, 10)])
def test_max_features_resolves_like_river(value, expected):
    forest = AdaptiveRandomForestClassifier(max_features=value)
    assert forest._resolve_max_features(10) == expected


def test_bad_parameters_fail_clearly():
    X, y = np.zeros((2, 2)), [True, False]
    with pytest.raises(ParameterError, match="'max_features' parameter of "
                                             "AdaptiveRandomForestClassifier must be"):
        AdaptiveRandomForestClassifier(max_features="half").learn_many(X, y)
    with pytest.raises(ParameterError, match="'drift_detector' parameter"):
        AdaptiveRandomForestClassifier(drift_detector=0.001).learn_many(X, y)
    with pytest.raises(ParameterError, match="'aggregation_method' parameter"):
        AdaptiveRandomForestRegressor(aggregation_method="mode").learn_many(X, [1.0, 2.0])
