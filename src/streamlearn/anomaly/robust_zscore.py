"""The robust z-score: distance from a rolling median in rolling MADs."""

from __future__ import annotations

import numpy as np

from streamlearn.anomaly import _zscore_kernels as kernels
from streamlearn.anomaly.base import AnomalyDetector
from streamlearn.core.batch import Batch
from streamlearn.core.features import FeatureStateMixin
from streamlearn.core.learners import require_dense
from streamlearn.core.params import check_number


class RobustZScore(FeatureStateMixin, AnomalyDetector):
    """Scores an event by how many robust standard deviations its most deviant feature lies
    from that feature's rolling median (Rousseeuw & Croux, "Alternatives to the median
    absolute deviation", JASA 1993; Iglewicz & Hoaglin, "How to detect and handle
    outliers", 1993, for the modified z-score).

    Per feature, the last ``window_size`` values learnt; the scale is the median absolute
    deviation from their median times 1.4826 (the standard deviation, for normal data),
    floored at ``min_scale`` so that a constant feature gives large but finite scores. An
    event's score is ``max_f |x_f - median_f| / scale_f`` over its present features that have
    at least ``grace_period`` values (0 when none has). Unlike a mean and a standard
    deviation, the median and the MAD barely move when the window holds a few spikes, so a
    spike stands out even right after another one. Absent (NaN) and non-finite values are
    skipped; features may appear mid-stream. A score above 3.5 is the usual alert level
    (put a ``ThresholdFilter`` after it).

    >>> import numpy as np
    >>> model = RobustZScore(window_size=50)
    >>> _ = model.learn_many(np.array([[10.0], [11.0], [9.0], [10.5], [9.5]] * 10))
    >>> round(model.score_one({"x0": 10.2}), 3), round(model.score_one({"x0": 16.0}), 3)
    (0.27, 8.094)
    """

    _feature_arrays = {"ring_": 0.0, "sorted_": 0.0, "count_": 0, "position_": 0,
                       "median_": 0.0, "scale_": 0.0}

    def __init__(self, window_size: int = 100, grace_period: int = 10,
                 min_scale: float = 1e-9):
        self.window_size = window_size
        self.grace_period = grace_period
        self.min_scale = min_scale

    @classmethod
    def _check_instances(cls) -> list[RobustZScore]:
        return [cls(window_size=30, grace_period=5), cls(window_size=7, grace_period=1)]

    def _validate(self) -> None:
        check_number(self, "window_size", self.window_size, low=1, integer=True)
        check_number(self, "grace_period", self.grace_period, low=1, integer=True)
        check_number(self, "min_scale", self.min_scale, low=0.0, low_inclusive=False)

    def _start(self) -> None:
        self._validate()
        self._init_feature_state()
        self.ring_ = np.zeros((0, self.window_size))
        self.sorted_ = np.zeros((0, self.window_size))
        self.count_ = np.zeros(0, dtype=np.int64)
        self.position_ = np.zeros(0, dtype=np.int64)

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        if not hasattr(self, "feature_names_"):
            self._start()
        require_dense(self, X_pred, X_learn)
        columns, X_p, X_l = _same_columns(X_pred, X_learn)
        rows, arrays = self.align(columns, X_l, learn)
        out = np.zeros(len(learn))
        kernels.robust_zscore(X_p, X_l, np.ascontiguousarray(learn, dtype=np.bool_), rows,
                              arrays["ring_"], arrays["sorted_"], arrays["count_"],
                              arrays["position_"], arrays["median_"], arrays["scale_"],
                              self.grace_period, float(self.min_scale), out)
        if learn.any():
            self.keep_feature_arrays(arrays)
        return out


def _same_columns(X_pred: Batch, X_learn: Batch) -> tuple[tuple[str, ...], np.ndarray,
                                                          np.ndarray]:
    """Both matrices over the same columns (their union, when they differ)."""
    if X_pred.columns == X_learn.columns:
        return X_learn.columns, X_pred.X, X_learn.X
    columns = tuple(dict.fromkeys(X_learn.columns + X_pred.columns))
    return columns, _reindex(X_pred, columns), _reindex(X_learn, columns)


def _reindex(batch: Batch, columns: tuple[str, ...]) -> np.ndarray:
    out = np.full((len(batch), len(columns)), np.nan)
    position = {name: j for j, name in enumerate(columns)}
    out[:, [position[c] for c in batch.columns]] = batch.X
    return out
