"""MovieLens-100K, read from the copy the ``recbole`` package ships (never imported: only the
file is read, by :func:`streamlearn.datasets.load_movielens_100k`). Tests skip, saying why,
when it is not installed."""

from __future__ import annotations

import numpy as np
import pytest

from streamlearn.core.errors import MissingExtraError
from streamlearn.datasets import load_movielens_100k


def movielens_100k() -> np.ndarray:
    """(user, item, rating, timestamp) rows as int64, replayed in timestamp order (ties in
    file order); skips the calling test when the file is missing."""
    try:
        data = load_movielens_100k()
    except MissingExtraError as exc:
        pytest.skip(str(exc))
    return np.column_stack([data.X[:, 0], data.X[:, 1], data.y, data.X[:, 2]]).astype(np.int64)
