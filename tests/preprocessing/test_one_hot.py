import numpy as np
import pytest
from river import preprocessing as river_preprocessing

from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError
from streamlearn.core.learners import all_rows
from streamlearn.preprocessing import OneHotEncoder

from ._props import check_stream_contract, mixed_stream, rows_of


def test_matches_river_event_by_event():
    stream = mixed_stream(150, seed=2)
    ours, theirs = OneHotEncoder(), river_preprocessing.OneHotEncoder()
    for x in stream.to_dicts():
        categorical = {k: v for k, v in x.items() if isinstance(v, str)}
        # River gives a 1 to a category it has not learnt; learning first avoids that case.
        ours.learn_one(x)
        theirs.learn_one(categorical)
        expected = {k.replace("_", "=", 1): float(v)
                    for k, v in theirs.transform_one(categorical).items()}
        got = ours.transform_one(x)
        assert {k: v for k, v in got.items() if "=" in k} == expected
        assert {k: v for k, v in got.items() if "=" not in k} == {
            k: v for k, v in x.items() if isinstance(v, float)}


def test_batch_output_marks_categories_learnt_later_as_absent():
    batch = Batch.from_dicts([{"c": "a"}, {"c": "b"}, {"c": None}, {"c": "z"}])
    learn = np.array([True, True, True, False])
    encoder = OneHotEncoder()
    out_pred, out_learn = encoder.process_many(batch, batch, learn)
    assert out_pred.columns == out_learn.columns == ("c=a", "c=b")
    np.testing.assert_array_equal(out_pred.X, [[np.nan, np.nan], [0, np.nan], [0, 0], [0, 0]])
    np.testing.assert_array_equal(out_learn.X, [[1, np.nan], [0, 1], [0, 0], [0, 0]])
    assert encoder.names_ == ["c=a", "c=b"]
    assert encoder.transform_one({"c": "b"}) == {"c=a": 0.0, "c=b": 1.0}


def test_prediction_does_not_learn_new_categories():
    encoder = OneHotEncoder().learn_many([{"c": "a"}])
    out = encoder.transform_many([{"c": "new"}, {"c": "a"}])
    assert out.columns == ("c=a",)
    np.testing.assert_array_equal(out.X, [[0.0], [1.0]])
    assert encoder.names_ == ["c=a"]


def test_numeric_columns_listed_are_encoded_and_others_pass_through():
    encoder = OneHotEncoder(columns=["hour", "colour"], drop_original=True)
    rows = [{"hour": 13.0, "colour": "red", "city": "Oslo", "v": 1.5}, {"hour": 0.5}]
    encoder.learn_many(rows)
    assert encoder.names_ == ["colour=red", "hour=13", "hour=0.5"]
    assert encoder.transform_one({"hour": 13.0, "city": "Lima", "v": 2.0}) == {
        "v": 2.0, "colour=red": 0.0, "hour=13": 1.0, "hour=0.5": 0.0, "city": "Lima"}


def test_keep_original_columns():
    encoder = OneHotEncoder(drop_original=False).learn_many([{"c": "a"}])
    assert encoder.transform_one({"c": "a"}) == {"c=a": 1.0, "c": "a"}


def test_prediction_on_an_unfitted_encoder_keeps_it_unfitted():
    encoder = OneHotEncoder()
    batch = Batch.from_dicts([{"c": "a", "x": 1.0}])
    out, _ = encoder.process_many(batch, batch, all_rows(1, False))
    assert rows_of(out) == [{"x": 1.0}]
    assert not encoder.is_fitted


@pytest.mark.parametrize("params", [{"columns": "colour"}, {"columns": [1]},
                                    {"drop_original": "yes"}])
def test_invalid_parameters(params):
    with pytest.raises(ParameterError, match="parameter of OneHotEncoder must be"):
        OneHotEncoder(**params).learn_one({"c": "a"})


def test_stream_contract():
    check_stream_contract(OneHotEncoder, mixed_stream())
    check_stream_contract(lambda: OneHotEncoder(columns=["b", "city"]), mixed_stream(seed=3))
