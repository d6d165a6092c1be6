"""Hashed (sparse) features: the same numbers as the same values given as dense columns."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.core.batch import Batch, SparseBlock
from streamlearn.core.errors import SchemaError
from streamlearn.linear import (
    FTRL,
    Adam,
    LinearRegression,
    LinearSVM,
    LogisticRegression,
    PAClassifier,
    PARegressor,
    SoftmaxRegression,
)

from ._streams import dense_stream, prequential, sparse_batch, to_sparse

MODELS = [
    lambda: LogisticRegression(l1=1e-3, l2=1e-3),
    lambda: LogisticRegression(optimizer=Adam(0.05)),
    lambda: LinearRegression(optimizer=FTRL(l1=0.1)),
    lambda: LinearSVM(),
    lambda: PAClassifier(mode=2),
    lambda: PARegressor(),
    lambda: SoftmaxRegression(intercept_lr=0.01, l1=1e-4),
]


def labelled(model, n=2000):
    X, score = dense_stream(n=n, seed=51, late_feature=False)
    if isinstance(model, SoftmaxRegression):
        return X, np.digitize(score, [-1.0, 1.0])
    return X, score if model.tags["regressor"] else score > 0


@pytest.mark.parametrize("make", MODELS)
def test_hashed_equals_dense(make):
    dense_model, hashed_model, mixed_model = make(), make(), make()
    X, y = labelled(dense_model)
    dense = Batch.from_array(X, y=y)
    mixed = Batch(X=np.ascontiguousarray(X[:, :2]), columns=("x0", "x1"), y=y,
                  sparse=to_sparse(X[:, 2:]))
    expected = prequential(dense_model, dense, 64)
    assert np.array_equal(prequential(hashed_model, sparse_batch(X, y), 64), expected)
    assert np.array_equal(prequential(mixed_model, mixed, 64), expected)
    by_column = dense_model.weights_[[dense_model.feature_names_.index(f"x{j}")
                                      for j in range(X.shape[1])]]
    assert np.array_equal(hashed_model.hashed_weights_, by_column)
    assert np.array_equal(mixed_model.hashed_weights_, by_column[2:])
    assert hashed_model.weights_.shape[0] == 0


def test_block_width_is_fixed_for_the_life_of_the_model():
    model = LogisticRegression()
    X = np.eye(4)
    model.learn_many(sparse_batch(X), [True, False, True, False])
    with pytest.raises(SchemaError, match="width 4 but got a block of width 8"):
        model.predict_many(sparse_batch(np.eye(8)))


def test_indices_outside_the_block_are_rejected():
    block = SparseBlock(np.array([0, 1]), np.array([5]), np.array([1.0]), width=4)
    batch = Batch(X=np.empty((1, 0)), columns=(), sparse=block, y=np.array([True]))
    with pytest.raises(SchemaError, match=r"outside \[0, 4\)"):
        LogisticRegression().learn_many(batch, batch.y)


def test_predicting_with_hashed_features_before_learning_them():
    model = LogisticRegression(learning_rate=0.5)
    model.learn_many(np.array([[1.0], [-1.0]] * 10), [True, False] * 10)
    dense_only = model.predict_proba_many(np.array([[1.0]]))
    block = to_sparse(np.array([[3.0, 0.0]]))
    with_block = model.predict_proba_many(
        Batch(X=np.array([[1.0]]), columns=("x0",), sparse=block))
    assert np.array_equal(with_block, dense_only)  # unseen hashed weights count as 0
    assert not hasattr(model, "hashed_weights_")
