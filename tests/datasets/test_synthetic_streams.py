"""Contract shared by every synthetic stream: seeding, blocks, iteration, parameters."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from streamlearn.core.errors import ParameterError
from streamlearn.datasets import SEA, Agrawal, Friedman, RandomRBF, RotatingHyperplane

STREAMS = [
    SEA(drift_every=700),
    RotatingHyperplane(magnitude=0.01),
    RandomRBF(n_classes=3, change_speed=0.001, n_drift_centroids=10),
    Agrawal(perturbation=0.2, drift_every=900),
    Friedman(),
]
IDS = [type(stream).__name__ for stream in STREAMS]


@pytest.mark.parametrize("stream", STREAMS, ids=IDS)
def test_same_seed_same_stream_other_seed_other_stream(stream):
    first, second = stream.take(3_000), stream.take(3_000)
    np.testing.assert_array_equal(first.X, second.X)
    np.testing.assert_array_equal(first.y, second.y)
    other = type(stream)(**(stream.get_params() | {"seed": 7})).take(3_000)
    assert not np.array_equal(first.X, other.X)


@pytest.mark.parametrize("stream", STREAMS, ids=IDS)
def test_iteration_gives_the_same_events_as_take(stream):
    n = 2_500  # crosses two iteration blocks
    data = stream.take(n)
    events = list(itertools.islice(stream, n))
    np.testing.assert_array_equal(
        np.array([list(x.values()) for x, _ in events]), data.X
    )
    assert [y for _, y in events] == data.y.tolist()
    assert list(events[0][0]) == list(data.feature_names)
    assert all(type(value) is float for value in events[0][0].values())
    assert type(events[0][1]) is type(data.y.tolist()[0])


@pytest.mark.parametrize("stream", STREAMS, ids=IDS)
def test_a_long_take_extends_a_short_one(stream):
    # take() generates long streams in blocks; the prefix must not depend on the length.
    long, short = stream.take(70_000), stream.take(1_000)
    np.testing.assert_array_equal(long.X[:1_000], short.X)
    np.testing.assert_array_equal(long.y[:1_000], short.y)


@pytest.mark.parametrize("stream", STREAMS, ids=IDS)
def test_arrays_have_the_documented_layout(stream):
    data = stream.take(100)
    assert data.X.dtype == np.float64 and data.X.flags.c_contiguous
    assert data.X.shape == (100, len(data.feature_names))
    assert data.task == stream.task
    assert stream.take(0).X.shape == (0, len(data.feature_names))


@pytest.mark.parametrize("stream", STREAMS, ids=IDS)
def test_n_events_bounds_iteration(stream):
    bounded = type(stream)(**(stream.get_params() | {"n_events": 1_030}))
    assert sum(1 for _ in bounded) == 1_030


def test_repr_shows_the_parameters_that_differ_from_the_defaults():
    assert repr(SEA(drift_every=700)) == "SEA(drift_every=700)"
    assert SEA(drift_every=700).take(1).name == "SEA(drift_every=700)"


@pytest.mark.parametrize(
    ("stream", "message"),
    [
        (SEA(noise=1.5), "The 'noise' parameter of SEA must be <= 1"),
        (SEA(variant=4), "The 'variant' parameter of SEA must be one of 0, 1, 2, 3"),
        (SEA(drift_every=0), "The 'drift_every' parameter of SEA must be >= 1"),
        (SEA(drift_every=10, variants=(0, 5)), "The 'variants' parameter of SEA"),
        (RotatingHyperplane(n_drift_features=11), "'n_drift_features' .* must be <= 10"),
        (RandomRBF(n_classes=1), "The 'n_classes' parameter of RandomRBF must be >= 2"),
        (Agrawal(classification_function=10), "'classification_function' parameter"),
        (Friedman(seed=-1), "The 'seed' parameter of Friedman must be >= 0"),
    ],
)
def test_invalid_parameters_fail_at_take_with_a_clear_message(stream, message):
    with pytest.raises(ParameterError, match=message):
        stream.take(10)


def test_take_rejects_a_negative_length():
    with pytest.raises(ParameterError, match=r"take\(n\): n must be an int >= 0"):
        SEA().take(-1)
