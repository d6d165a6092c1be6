import math

import numpy as np
import pytest
from river import preprocessing as river_preprocessing
from river import stats

from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError
from streamlearn.core.learners import all_rows
from streamlearn.preprocessing import (
    ConstantImputer,
    MeanImputer,
    MostFrequentImputer,
    PreviousImputer,
)

from ._props import check_stream_contract, mixed_stream


def river_view(x, names):
    return {name: x.get(name) for name in names}


def test_mean_imputer_matches_river_stat_imputer():
    stream = mixed_stream(200, seed=5)
    ours = MeanImputer(columns=["a", "b"])
    theirs = river_preprocessing.StatImputer(("a", stats.Mean()), ("b", stats.Mean()))
    for x in stream.to_dicts():
        got = ours.transform_one(x)
        expected = theirs.transform_one(river_view(x, ["a", "b"]))
        assert got["a"] == pytest.approx(expected["a"], abs=1e-12)
        assert got["b"] == pytest.approx(expected["b"], abs=1e-12)
        ours.learn_one(x)
        theirs.learn_one(river_view(x, ["a", "b"]))


def test_mean_imputer_hand_computed_and_non_finite_not_learnt():
    imputer = MeanImputer()
    X = np.array([[1.0, np.nan], [np.inf, 4.0], [3.0, np.nan]])
    batch = Batch.from_array(X)
    out_pred, out_learn = imputer.process_many(batch, batch, all_rows(3))
    np.testing.assert_array_equal(out_pred.X, [[1.0, 0.0], [1.0, 4.0], [3.0, 4.0]])
    np.testing.assert_array_equal(out_learn.X, [[1.0, 0.0], [1.0, 4.0], [3.0, 4.0]])
    np.testing.assert_array_equal(imputer.mean_, [2.0, 4.0])
    np.testing.assert_array_equal(imputer.count_, [2.0, 1.0])


def test_listed_columns_are_always_present():
    imputer = MeanImputer(columns=["t"]).learn_many([{"t": 2.0}, {"t": 4.0}])
    assert imputer.transform_one({"u": 1.0, "c": "x"}) == {"u": 1.0, "t": 3.0, "c": "x"}
    assert ConstantImputer(columns=["t"]).transform_one({"u": 1.0}) == {"u": 1.0, "t": 0.0}


def test_previous_imputer_matches_river_without_keys():
    stream = mixed_stream(150, seed=6)
    stream = Batch(X=stream.X, columns=stream.columns)
    ours, theirs = PreviousImputer(columns=["b"]), river_preprocessing.PreviousImputer()
    for x in stream.to_dicts():
        ours.learn_one(x)
        theirs.learn_one(river_view(x, ["b"]))
        expected = theirs.transform_one(river_view(x, ["b"]))["b"]
        assert ours.transform_one(x)["b"] == (0.0 if expected is None else expected)


def test_previous_imputer_per_key_falls_back_to_any_key_then_zero():
    batch = Batch.from_dicts([{}, {"v": 1.0}, {"v": 2.0}, {}, {}, {}])
    keys = np.array(["a", "a", "b", "a", "c", "b"], dtype=object)
    batch = Batch(X=batch.X, columns=batch.columns, keys=keys)
    imputer = PreviousImputer()
    out_pred, out_learn = imputer.process_many(batch, batch, all_rows(6))
    np.testing.assert_array_equal(out_pred.X.ravel(), [0.0, 1.0, 2.0, 1.0, 2.0, 2.0])
    np.testing.assert_array_equal(out_learn.X, out_pred.X)
    assert imputer.key_slots_ == {"a": 1, "b": 2, "c": 3}
    global_only = PreviousImputer(per_key=False).learn_many(batch).transform_many(batch)
    np.testing.assert_array_equal(global_only.X.ravel(), [2.0, 1.0, 2.0, 2.0, 2.0, 2.0])


def test_most_frequent_matches_river_mode():
    rng = np.random.default_rng(7)
    words = rng.choice(["sun", "rain", "snow", None], size=300, p=[0.3, 0.3, 0.2, 0.2])
    ours = MostFrequentImputer()
    theirs = river_preprocessing.StatImputer(("w", stats.Mode()))
    for word in words:
        x = {"w": word}
        expected = theirs.transform_one(x)["w"]
        assert ours.transform_one(x).get("w") == expected
        ours.learn_one(x)
        if word is not None:
            theirs.learn_one(x)


def test_most_frequent_ties_go_to_the_first_seen():
    imputer = MostFrequentImputer().learn_many([{"w": v} for v in "abba"])
    assert imputer.transform_one({}) == {"w": "a"}
    assert imputer.counts_["w"].tolist() == [2, 2]


@pytest.mark.parametrize("make, params", [
    (MeanImputer, {"columns": "a"}), (PreviousImputer, {"per_key": 1}),
    (ConstantImputer, {"value": math.inf}), (ConstantImputer, {"value": "zero"}),
    (MostFrequentImputer, {"columns": ("a", 2)})])
def test_invalid_parameters(make, params):
    with pytest.raises(ParameterError, match=f"parameter of {make.__name__} must be"):
        make(**params).learn_one({"a": 1.0})


@pytest.mark.parametrize("make", [
    MeanImputer, lambda: MeanImputer(columns=["b", "z"]), PreviousImputer,
    lambda: PreviousImputer(per_key=False, columns=["a", "b"]), ConstantImputer,
    MostFrequentImputer, lambda: MostFrequentImputer(columns=["city"])])
def test_stream_contract(make):
    check_stream_contract(make, mixed_stream(seed=8))


@pytest.mark.parametrize("make", [MeanImputer, PreviousImputer, ConstantImputer])
def test_no_missing_value_left(make):
    stream = mixed_stream(seed=9)
    out = make().learn_many(stream.take(slice(0, 50))).transform_many(stream)
    assert not np.isnan(out.X).any()
