import numpy as np
import pytest
from river import preprocessing as river_preprocessing

from streamlearn.core.batch import Batch
from streamlearn.preprocessing import MaxAbsScaler

from ._props import check_stream_contract, mixed_stream


def test_matches_river_event_by_event():
    stream = mixed_stream(200, seed=1)
    ours, theirs = MaxAbsScaler(), river_preprocessing.MaxAbsScaler()
    for x in stream.to_dicts():
        numeric = {k: v for k, v in x.items() if isinstance(v, float)}
        ours.learn_one(x)
        theirs.learn_one(numeric)
        got = {k: v for k, v in ours.transform_one(x).items() if isinstance(v, float)}
        assert got == pytest.approx(theirs.transform_one(numeric), abs=1e-12)


def test_hand_computed_values_and_missing():
    scaler = MaxAbsScaler()
    X = np.array([[-4.0, np.nan], [2.0, 0.0], [np.nan, 8.0]])
    out = scaler.learn_many(X).transform_many(np.array([[1.0, 2.0], [np.nan, -8.0]]))
    np.testing.assert_array_equal(out, [[0.25, 0.25], [np.nan, -1.0]])
    np.testing.assert_array_equal(scaler.max_abs_, [4.0, 8.0])


def test_zero_maximum_gives_zero():
    scaler = MaxAbsScaler().learn_many(np.zeros((3, 1)))
    assert scaler.transform_one({"x0": 5.0}) == {"x0": 0.0}


def test_infinity_is_not_learnt():
    scaler = MaxAbsScaler().learn_many(np.array([[2.0], [np.inf], [-np.inf]]))
    np.testing.assert_array_equal(scaler.max_abs_, [2.0])
    assert scaler.transform_one({"x0": 1.0}) == {"x0": 0.5}


def test_categorical_columns_pass_through():
    out = MaxAbsScaler().learn_many(Batch.from_dicts([{"a": 2.0, "c": "x"}])).transform_one(
        {"a": 1.0, "c": "y"})
    assert out == {"a": 0.5, "c": "y"}


def test_stream_contract():
    check_stream_contract(MaxAbsScaler, mixed_stream())
