"""HoeffdingAdaptiveTreeClassifier: adapts to drift, exactly, whatever the batch size."""

from __future__ import annotations

import numpy as np

from streamlearn.core.base import states_equal
from streamlearn.core.serialize import dumps, loads
from streamlearn.datasets import SEA
from streamlearn.drift import ADWIN
from streamlearn.trees import HoeffdingAdaptiveTreeClassifier, HoeffdingTreeClassifier

from ._streams import accuracy, assert_batch_size_invariant, flipping_stream, prequential


def sensitive(**params) -> HoeffdingAdaptiveTreeClassifier:
    """A HAT that reacts within a few hundred events."""
    return HoeffdingAdaptiveTreeClassifier(grace_period=30, delta=0.01, tau=0.3,
                                           drift_window_threshold=30, seed=4,
                                           drift_detector=ADWIN(delta=0.05, clock=4), **params)


def test_accuracy_on_sea_with_drift():
    data = SEA(seed=42, drift_every=25_000).take(100_000)
    model = HoeffdingAdaptiveTreeClassifier(seed=1)
    assert accuracy(model, data.X, data.y) > 0.86
    assert model.n_alternate_trees >= 3 and model.n_switch_alternate_trees >= 1


def test_recovers_from_flipped_labels_faster_than_a_hoeffding_tree():
    stream = flipping_stream(1500)
    y = stream.y
    hat = sensitive()
    hat_right = hat.labels_from_proba(prequential(hat, stream, 100)) == y
    tree = HoeffdingTreeClassifier(grace_period=30, delta=0.01, tau=0.3)
    tree_right = tree.labels_from_proba(prequential(tree, stream, 100)) == y
    assert hat.n_alternate_trees >= 2 and hat.n_switch_alternate_trees >= 1
    # the events after each drift once the alternate subtrees have taken over
    after = np.r_[700:1000, 1200:1500]
    assert hat_right[after].mean() > 0.9
    assert tree_right[after].mean() < 0.75


def test_same_answers_and_state_for_any_batch_size_through_switches():
    model = assert_batch_size_invariant(sensitive(), flipping_stream(1200))
    assert model.n_alternate_trees >= 2 and model.n_switch_alternate_trees >= 1


def test_snapshot_taken_while_alternates_grow_continues_exactly():
    stream = flipping_stream(1500)
    first, rest = stream.take(slice(0, 560)), stream.take(slice(560, 1500))
    model = sensitive()
    prequential(model, first, 1000)
    assert any(model.tree_["hat_int"][: model.tree_["counts"][0], 0] >= 0)  # alternates live
    restored = sensitive().restore(loads(dumps(model.snapshot())))
    assert np.array_equal(prequential(model, rest, 64), prequential(restored, rest, 64))
    assert states_equal(model.snapshot(), restored.snapshot())
