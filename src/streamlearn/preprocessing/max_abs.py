"""Online max-abs scaling: divide each feature by the largest |x| seen so far."""

from __future__ import annotations

from streamlearn.preprocessing import _max_abs_kernels as kernels
from streamlearn.preprocessing._numeric import NumericTransformer


class MaxAbsScaler(NumericTransformer):
    """Scale each feature by its running maximum absolute value, into [-1, 1].

    Sparsity is kept (0 stays 0) because nothing is subtracted. A feature whose maximum is
    still 0 is mapped to 0, as in River. Missing values (NaN) are not learnt and stay missing;
    infinite values are not learnt either (they would make every later output 0) and come
    out as ±inf.

    >>> scaler = MaxAbsScaler()
    >>> for x in [{"a": -4.0, "b": 0.0}, {"a": 2.0, "b": 0.0}]:
    ...     _ = scaler.learn_one(x)
    >>> scaler.transform_one({"a": 1.0, "b": 5.0})
    {'a': 0.25, 'b': 0.0}
    """

    _feature_arrays = {"max_abs_": 0.0}

    def __init__(self):
        pass

    def _run_kernel(self, X_pred, X_learn, learn, rows, arrays, out_pred, out_learn):
        kernels.max_abs_scale(X_pred, X_learn, learn, rows, arrays["max_abs_"],
                              out_pred, out_learn)
