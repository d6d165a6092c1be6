"""LinearSVM: River's LogisticRegression on the hinge loss, and a known accuracy."""

from __future__ import annotations

import numpy as np
import pytest
from river import linear_model, optim

from streamlearn.core.batch import Batch
from streamlearn.linear import Adam, LinearSVM

from ._streams import dense_stream, river_replay


def prequential_proba(model, X, y):
    batch = Batch.from_array(X, y=y)
    return model.process_many(batch, batch, np.ones(len(X), dtype=bool))[:, 1]


@pytest.mark.parametrize(("ours", "theirs"), [
    (dict(l2=0.0), dict()),
    (dict(l2=0.01, learning_rate=0.05), dict(l2=0.01, optimizer=optim.SGD(0.05))),
    (dict(l2=0.0, l1=0.001), dict(l1=0.001)),
], ids=["hinge", "hinge-l2", "hinge-l1"])
def test_equals_river_hinge_glm(ours, theirs):
    X, score = dense_stream(n=4000, seed=31)
    y = score > 0
    river = linear_model.LogisticRegression(loss=optim.losses.Hinge(), **theirs)
    expected = river_replay(river, X, y.tolist(), lambda m, x: m.predict_proba_one(x)[True])
    np.testing.assert_allclose(prequential_proba(LinearSVM(**ours), X, y), expected,
                               rtol=0, atol=1e-9)


@pytest.mark.parametrize("optimizer", [None, Adam(0.01)])
def test_accuracy_on_a_noisy_linear_stream(optimizer):
    X, score = dense_stream(n=5000, seed=32, missing=0.0, late_feature=False)
    y = score > 0
    proba = prequential_proba(LinearSVM(optimizer=optimizer), X, y)
    assert np.mean((proba[-2000:] > 0.5) == y[-2000:]) >= 0.9
