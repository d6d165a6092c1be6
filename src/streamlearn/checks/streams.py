"""Small seeded streams that exercise the hard cases of DESIGN.md §3: a feature that appears
mid-stream, missing values, a class that appears late, a categorical column."""

from __future__ import annotations

import numpy as np

from streamlearn.core.base import Estimator
from streamlearn.core.batch import Batch


def stream_for(estimator: Estimator, n: int = 600, seed: int = 7) -> Batch:
    """The conformance stream matching what ``estimator`` consumes and predicts (an estimator
    whose input differs, such as (user, item) pairs or keyed events, gives its own with a
    ``_check_stream(n, seed)`` class method)."""
    custom = getattr(type(estimator), "_check_stream", None)
    if custom is not None:
        return custom(n, seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    X[: n // 2, 3] = np.nan                      # x3 appears half-way through
    X[rng.random((n, 4)) < 0.08] = np.nan        # and values go missing now and then
    X[[40, 41], 1] = np.inf                      # non-finite values must never reach state
    X[350, 3] = -np.inf
    columns = ("x0", "x1", "x2", "x3")
    finite = np.where(np.isfinite(X), X, 0.0)
    signal = finite[:, 0] - 0.5 * finite[:, 1] + 0.3 * finite[:, 3]
    tags = estimator.tags
    if tags["regressor"]:
        y = signal + 0.1 * rng.normal(size=n)
    elif tags["classifier"] and not tags["binary_only"]:
        y = np.where(signal > 0.5, "high", np.where(signal < -0.5, "low", "mid")).astype(object)
        y[: n // 3][y[: n // 3] == "high"] = "mid"   # "high" first appears after a third
    else:
        y = signal > 0
    categorical = {}
    if tags["transformer"] or tags["handles_categorical"]:
        colours = np.array(["red", "green", "blue", None], dtype=object)
        codes = rng.integers(0, 3, size=n)
        codes[n // 2:] = rng.integers(0, 4, size=n - n // 2)   # None (missing) later on
        values = colours[codes]
        values[n // 4: n // 4 + 5] = "violet"                  # a rare new category
        categorical = {"colour": values}
    return Batch(X=X, columns=columns, categorical=categorical, y=y,
                 ids=np.arange(n), times=np.arange(n, dtype=np.float64))
