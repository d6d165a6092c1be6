"""OnlinePCA (CCIPCA) finds the leading eigenvectors and eigenvalues of a known covariance."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.core.errors import ParameterError
from streamlearn.features import OnlinePCA


def test_recovers_the_eigenvectors_of_a_known_covariance():
    rng = np.random.default_rng(0)
    rotation, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    variances = np.array([16.0, 4.0, 1.0, 0.25, 0.1])
    X = (rng.normal(size=(30_000, 5)) * np.sqrt(variances)) @ rotation.T + 5.0
    pca = OnlinePCA(n_components=2).learn_many(X)
    for c in range(2):
        found = pca.components_[:, c] / np.linalg.norm(pca.components_[:, c])
        assert abs(found @ rotation[:, c]) > 0.995
    assert np.allclose(pca.explained_variance_, variances[:2], rtol=0.1)
    assert np.allclose(pca.mean_, 5.0, atol=0.1)
    scores = pca.transform_many(X[:2000])
    assert np.allclose(np.var(scores, axis=0), variances[:2], rtol=0.15)


def test_missing_values_count_as_the_mean():
    pca = OnlinePCA(n_components=1)
    pca.learn_many(np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]]))
    with_gap = pca.transform_one({"x0": 3.0})  # x1 missing: at its mean
    assert with_gap == pytest.approx(pca.transform_one({"x0": 3.0, "x1": 6.0}))
    assert with_gap == {"pc0": pytest.approx(0.0)}


@pytest.mark.parametrize("params", [{"n_components": 0}, {"amnesic": -1.0},
                                    {"n_components": 1.5}])
def test_parameters_are_validated(params):
    with pytest.raises(ParameterError, match="parameter of OnlinePCA must be"):
        OnlinePCA(**params).learn_one({"a": 1.0})
