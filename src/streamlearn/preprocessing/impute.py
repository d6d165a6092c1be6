"""Online imputation of numeric features: running mean, previous value, constant."""

from __future__ import annotations

import numpy as np

from streamlearn.core.batch import Batch
from streamlearn.core.params import check_number
from streamlearn.preprocessing import _impute_kernels as kernels
from streamlearn.preprocessing._categories import factorise, first_rows
from streamlearn.preprocessing._imputer_base import NumericImputer
from streamlearn.preprocessing._validation import check_bool, fail


class MeanImputer(NumericImputer):
    """Replace missing values by the running mean of the feature over the learnt events.

    The mean of a feature is 0 until a value of it has been learnt. Missing means NaN or
    ±inf (non-finite values are imputed, never learnt). By default the numeric columns of
    the batch and every feature learnt before are imputed (a known feature an event lacks is
    added); with ``columns``, only the listed features, which are always added. Equivalent
    to River's
    ``StatImputer((name, stats.Mean()), ...)``.

    >>> imputer = MeanImputer()
    >>> for x in [{"t": 1.0}, {"t": 4.0}]:
    ...     _ = imputer.learn_one(x)
    >>> imputer.transform_many([{"t": None, "u": 2.0}, {"t": 7.0}]).to_dicts()
    [{'u': 2.0, 't': 2.5}, {'u': 0.0, 't': 7.0}]
    """

    _feature_arrays = {"count_": 0.0, "mean_": 0.0}

    def __init__(self, columns: list[str] | None = None):
        self.columns = columns

    def _run_kernel(self, X_pred, X_learn, learn, targets, values_pred, values_learn,
                    out_pred, out_learn):
        rows, arrays = self.align(targets, values_learn, learn)
        kernels.mean_impute(values_pred, values_learn, learn, rows, arrays["count_"],
                            arrays["mean_"], out_pred, out_learn)
        if learn.any():
            self.keep_feature_arrays(arrays)


class PreviousImputer(NumericImputer):
    """Replace missing values by the last value learnt for the feature.

    With ``per_key`` and a batch that carries entity ``keys``, the last value is that of the
    event's own key (a patient's, a card's); a key without one falls back to the last value
    of any key. A feature never learnt is imputed with 0. Missing means NaN or ±inf. See
    :class:`MeanImputer` for ``columns``. Without keys this is River's ``PreviousImputer``.

    >>> from streamlearn.core.batch import Batch
    >>> events = Batch.from_dicts([{"hr": 60.0}, {"hr": 90.0}, {}, {}])
    >>> events = Batch(X=events.X, columns=events.columns,
    ...                keys=np.array(["ann", "bob", "ann", "cid"], dtype=object))
    >>> PreviousImputer().learn_many(events).transform_many(events).X.ravel().tolist()
    [60.0, 90.0, 60.0, 90.0]
    """

    _feature_arrays = {"last_": 0.0, "seen_": 0.0}

    def __init__(self, columns: list[str] | None = None, per_key: bool = True):
        self.columns = columns
        self.per_key = per_key

    def _check_params(self) -> None:
        check_bool(self, "per_key", self.per_key)

    def _init_feature_state(self, width: int = 1) -> None:
        super()._init_feature_state()
        self.last_ = np.zeros((0, 1))  # column 0: any key; then one per key
        self.seen_ = np.zeros((0, 1))  # 1 where that key has shown a value
        self.key_slots_: dict = {}

    def _slots(self, batch: Batch, learn: np.ndarray | None) -> np.ndarray:
        """Key slot of each event (0 when keys are not used or the key has none yet)."""
        if not self.per_key or batch.keys is None:
            return np.zeros(len(batch), dtype=np.int64)
        keys, codes = factorise(batch.keys)
        if learn is not None:
            first = first_rows(codes, learn, len(keys))
            new = sorted((row, k) for k, row in enumerate(first)
                         if row >= 0 and keys[k] not in self.key_slots_)
            for _, k in new:
                self.key_slots_[keys[k]] = len(self.key_slots_) + 1
            if new:
                extra = np.zeros((self.last_.shape[0], len(new)))
                self.last_ = np.hstack([self.last_, extra])
                self.seen_ = np.hstack([self.seen_, extra])
        lookup = np.array([self.key_slots_.get(k, 0) for k in keys] + [0], dtype=np.int64)
        return lookup[codes]

    def _run_kernel(self, X_pred, X_learn, learn, targets, values_pred, values_learn,
                    out_pred, out_learn):
        slots_learn = self._slots(X_learn, learn if learn.any() else None)
        slots_pred = slots_learn if X_pred is X_learn else self._slots(X_pred, None)
        rows, arrays = self.align(targets, values_learn, learn)
        kernels.previous_impute(values_pred, values_learn, learn, rows, slots_pred,
                                slots_learn, arrays["last_"], arrays["seen_"], out_pred,
                                out_learn)
        if learn.any():
            self.keep_feature_arrays(arrays)


class ConstantImputer(NumericImputer):
    """Replace missing values (NaN, ±inf) by a constant.

    It learns only which features exist, so that, as with :class:`MeanImputer`, a feature
    seen before and lacking from an event is added with the constant.

    >>> ConstantImputer(value=-1.0).transform_one({"a": float("nan"), "b": 2.0})
    {'a': -1.0, 'b': 2.0}
    """

    def __init__(self, value: float = 0.0, columns: list[str] | None = None):
        self.value = value
        self.columns = columns

    def _check_params(self) -> None:
        check_number(self, "value", self.value)
        if not np.isfinite(self.value):
            fail(self, "value", "a finite number", self.value)

    def _run_kernel(self, X_pred, X_learn, learn, targets, values_pred, values_learn,
                    out_pred, out_learn):
        self.align(targets, values_learn, learn)  # registers the features learnt
        for values, out in ((values_pred, out_pred), (values_learn, out_learn)):
            np.copyto(out, values)
            out[~np.isfinite(values)] = self.value
