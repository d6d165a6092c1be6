"""Online scalers: standardisation and min-max scaling, one pass, per event."""

from __future__ import annotations

import numpy as np

from streamlearn.preprocessing import _scaling_kernels as kernels
from streamlearn.preprocessing._numeric import NumericTransformer


class StandardScaler(NumericTransformer):
    """Centre each feature by its running mean and divide by its running standard deviation.

    The mean and the population variance are updated with Welford's algorithm (Welford 1962,
    "Note on a method for calculating corrected sums of squares and products"). A feature whose
    variance is still zero is mapped to 0. Missing features (NaN) are left out of the update
    and stay missing, as River's scaler does with absent keys.

    >>> scaler = StandardScaler()
    >>> for x in [{"a": 1.0}, {"a": 3.0}]:
    ...     _ = scaler.learn_one(x)
    >>> scaler.transform_one({"a": 4.0})
    {'a': 2.0}
    """

    _feature_arrays = {"count_": 0.0, "mean_": 0.0, "var_": 0.0}

    def __init__(self, with_std: bool = True):
        self.with_std = with_std

    def _run_kernel(self, X_pred, X_learn, learn, rows, arrays, out_pred, out_learn):
        kernels.standard_scale(X_pred, X_learn, learn, rows, arrays["count_"], arrays["mean_"],
                               arrays["var_"], bool(self.with_std), out_pred, out_learn)


class MinMaxScaler(NumericTransformer):
    """Scale each feature to [0, 1] with its running minimum and maximum.

    >>> scaler = MinMaxScaler()
    >>> for x in [{"a": 2.0}, {"a": 6.0}]:
    ...     _ = scaler.learn_one(x)
    >>> scaler.transform_one({"a": 5.0})
    {'a': 0.75}
    """

    _feature_arrays = {"min_": np.inf, "max_": -np.inf}

    def __init__(self):
        pass

    def _run_kernel(self, X_pred, X_learn, learn, rows, arrays, out_pred, out_learn):
        kernels.min_max_scale(X_pred, X_learn, learn, rows, arrays["min_"], arrays["max_"],
                              out_pred, out_learn)
