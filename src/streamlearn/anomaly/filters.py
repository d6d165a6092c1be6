"""Filters: a detector's scores turned into 0/1 alerts, by a fixed threshold or by a running
quantile of the past scores."""

from __future__ import annotations

from typing import Any

import numpy as np

from streamlearn.anomaly import _quantile_kernels as kernels
from streamlearn.core.base import Estimator
from streamlearn.core.batch import Batch, as_batch
from streamlearn.core.errors import ParameterError
from streamlearn.core.learners import Model, all_rows
from streamlearn.core.params import check_number


class AnomalyFilter(Model):
    """Base of the filters: wraps a detector (or a pipeline ending with one, such as
    ``MinMaxScaler() | HalfSpaceTrees()``); ``process_many`` answers 1.0 where an event is an
    alert, 0.0 elsewhere. The detector scores each event with the state left by the
    events before it and learns every learnt event (the filter does not hold anomalies back
    from it). ``score_one`` / ``score_many`` give the detector's scores, ``predict_one`` /
    ``predict_many`` the alerts (0 or 1)."""

    _tags = {"anomaly": True}

    detector: Estimator

    def _check_detector(self) -> None:
        detector = self.detector
        final = getattr(detector, "final", detector)  # a pipeline ending with a detector
        if not (isinstance(final, Estimator) and final.tags.get("anomaly")):
            raise ParameterError(
                f"The 'detector' parameter of {type(self).__name__} must be an anomaly "
                "detector (such as HalfSpaceTrees(), or a pipeline ending with one). Got "
                f"{detector!r} instead.")

    def _alerts(self, scores: np.ndarray, learn: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def process_many(self, X_pred: Batch, X_learn: Batch, learn: np.ndarray) -> np.ndarray:
        self._check_detector()
        scores = self.detector.process_many(X_pred, X_learn, learn)
        return self._alerts(scores, learn)

    def learn_one(self, x: dict, y: Any = None) -> AnomalyFilter:
        batch = as_batch(x)
        self.process_many(batch, batch, all_rows(1))
        return self

    def learn_many(self, X: Any, y: Any = None) -> AnomalyFilter:
        batch = as_batch(X)
        self.process_many(batch, batch, all_rows(len(batch)))
        return self

    def score_one(self, x: dict) -> float:
        """The detector's score of one event; learns nothing."""
        return float(self.score_many(x)[0])

    def score_many(self, X: Any) -> np.ndarray:
        """The detector's score of each event; learns nothing."""
        self._check_detector()
        batch = as_batch(X)
        return self.detector.process_many(batch, batch, all_rows(len(batch), False))

    def predict_one(self, x: dict) -> int:
        """1 if the event is an alert, else 0; learns nothing."""
        return int(self._answer(x)[0])

    def predict_many(self, X: Any) -> np.ndarray:
        """1 where an event is an alert, else 0 (int64); learns nothing."""
        return self._answer(X).astype(np.int64)


class ThresholdFilter(AnomalyFilter):
    """Alerts when the detector's score is at or above ``threshold``.

    >>> import numpy as np
    >>> from streamlearn.anomaly import RobustZScore
    >>> model = ThresholdFilter(RobustZScore(window_size=50), threshold=3.5)
    >>> _ = model.learn_many(np.array([[10.0], [11.0], [9.0], [10.5], [9.5]] * 10))
    >>> model.predict_one({"x0": 10.2}), model.predict_one({"x0": 16.0})
    (0, 1)
    """

    def __init__(self, detector: Estimator, threshold: float):
        self.detector = detector
        self.threshold = threshold

    @classmethod
    def _check_instances(cls) -> list[ThresholdFilter]:
        from streamlearn.anomaly import HalfSpaceTrees, RobustZScore

        return [cls(RobustZScore(window_size=30, grace_period=5), threshold=2.0),
                cls(HalfSpaceTrees(n_trees=3, height=4, window_size=40, seed=1), 0.5)]

    def _alerts(self, scores: np.ndarray, learn: np.ndarray) -> np.ndarray:
        check_number(self, "threshold", self.threshold)
        return (scores >= self.threshold).astype(np.float64)


class QuantileFilter(AnomalyFilter):
    """Alerts when the detector's score is above the running ``q``-quantile of the scores
    of the events learnt before it, estimated by P² (Jain & Chlamtac, "The P² algorithm for
    dynamic calculation of quantiles and histograms without storing observations", CACM
    1985) in constant memory. No alert is raised before ``grace_period`` scores were seen.
    On a stationary stream about a fraction ``1 - q`` of the events alert, whatever the
    detector's scale, so ``q`` is the alert budget.

    The scores the quantile learns are those answered for the learnt events (the same
    events, in test-then-train).

    >>> import numpy as np
    >>> from streamlearn.anomaly import RobustZScore
    >>> from streamlearn.core.batch import Batch
    >>> events = Batch.from_array(np.random.default_rng(0).normal(size=(20_000, 1)))
    >>> model = QuantileFilter(RobustZScore(window_size=100), q=0.95)
    >>> alerts = model.process_many(events, events, np.ones(len(events), dtype=bool))
    >>> round(float(alerts[1000:].mean()), 2)
    0.05
    """

    def __init__(self, detector: Estimator, q: float = 0.99, grace_period: int = 100):
        self.detector = detector
        self.q = q
        self.grace_period = grace_period

    @classmethod
    def _check_instances(cls) -> list[QuantileFilter]:
        from streamlearn.anomaly import HalfSpaceTrees, RobustZScore

        return [cls(RobustZScore(window_size=30, grace_period=5), q=0.9, grace_period=20),
                cls(HalfSpaceTrees(n_trees=3, height=4, window_size=40, seed=1), q=0.8,
                    grace_period=1)]

    def _alerts(self, scores: np.ndarray, learn: np.ndarray) -> np.ndarray:
        if not hasattr(self, "heights_"):
            check_number(self, "q", self.q, low=0.0, high=1.0, low_inclusive=False)
            check_number(self, "grace_period", self.grace_period, low=1, integer=True)
            if not learn.any():  # no score learnt yet: no alert, and no state
                return np.zeros(len(scores))
            self.heights_ = np.zeros(5)
            self.positions_ = np.zeros(5)
            self.desired_ = np.zeros(5)
            self.count_ = np.zeros(1, dtype=np.int64)
        out = np.zeros(len(scores))
        kernels.quantile_alerts(scores, np.ascontiguousarray(learn, dtype=np.bool_),
                                self.heights_, self.positions_, self.desired_, self.count_,
                                float(self.q), self.grace_period, out)
        return out
