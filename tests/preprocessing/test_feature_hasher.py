import numpy as np
import pytest
from sklearn.feature_extraction import FeatureHasher as SklearnHasher

from streamlearn.core.batch import Batch
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.preprocessing import FeatureHasher

from ._props import check_stream_contract, mixed_stream


def dense(block):
    out = np.zeros((len(block.indptr) - 1, block.width))
    for i in range(len(out)):
        span = slice(block.indptr[i], block.indptr[i + 1])
        out[i, block.indices[span]] = block.values[span]
    return out


@pytest.mark.parametrize("width, alternate_sign", [(2**18, True), (7, True), (5, False)])
def test_matches_scikit_learn(width, alternate_sign):
    stream = mixed_stream(200, seed=4)
    out = FeatureHasher(n_features=width, alternate_sign=alternate_sign).transform_many(stream)
    expected = SklearnHasher(width, input_type="dict", alternate_sign=alternate_sign
                             ).transform(stream.to_dicts()).toarray()
    np.testing.assert_allclose(dense(out.sparse), expected, rtol=0, atol=1e-12)
    assert out.columns == () and not out.categorical


def test_rows_are_sorted_and_collisions_add_up():
    hasher = FeatureHasher(n_features=1, alternate_sign=False)
    block = hasher.transform_many([{"a": 2.0, "b": 3.0, "c": "x"}, {"a": 0.0}]).sparse
    assert block.indptr.tolist() == [0, 1, 1]
    assert block.indices.tolist() == [0] and block.values.tolist() == [6.0]


def test_listed_columns_only_and_other_columns_pass_through():
    hasher = FeatureHasher(n_features=16, columns=["colour"])
    assert hasher.transform_one({"colour": "red", "size": 2.5, "city": "Oslo"}) == {
        "size": 2.5, "city": "Oslo", 1: 1.0}


def test_seed_changes_the_buckets():
    x = {"colour": "red", "size": 2.5}
    assert FeatureHasher(n_features=2**20, seed=1).transform_one(x) != FeatureHasher(
        n_features=2**20).transform_one(x)


def test_existing_block_is_merged_and_width_checked():
    first = FeatureHasher(n_features=8, columns=["a"], alternate_sign=False)
    second = FeatureHasher(n_features=8, alternate_sign=False)
    batch = Batch.from_dicts([{"a": 1.0, "b": 2.0}])
    once = FeatureHasher(n_features=8, alternate_sign=False).transform_many(batch).sparse
    twice = second.transform_many(first.transform_many(batch)).sparse
    np.testing.assert_array_equal(dense(once), dense(twice))
    with pytest.raises(SchemaError, match="n_features=8"):
        FeatureHasher(n_features=4).transform_many(first.transform_many(batch))


def test_missing_and_non_finite_values_contribute_nothing():
    out = FeatureHasher(n_features=8).transform_many(
        Batch.from_array([[np.nan, np.inf]])).sparse
    assert out.indptr.tolist() == [0, 0] and len(out.values) == 0


@pytest.mark.parametrize("params", [{"n_features": 0}, {"n_features": 2.5}, {"seed": -1},
                                    {"alternate_sign": 1}, {"columns": "a"}])
def test_invalid_parameters(params):
    with pytest.raises(ParameterError, match="parameter of FeatureHasher must be"):
        FeatureHasher(**params).transform_one({"a": 1.0})


def test_stream_contract():
    check_stream_contract(lambda: FeatureHasher(n_features=64), mixed_stream())
