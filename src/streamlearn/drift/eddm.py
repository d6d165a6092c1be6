"""EDDM: the early drift detection method of Baena-García et al. (2006)."""

from __future__ import annotations

import numpy as np

from streamlearn.core.params import check_number
from streamlearn.drift import _kernels as kernels
from streamlearn.drift.base import DriftDetector


class EDDM(DriftDetector):
    """Early Drift Detection Method (Baena-García, del Campo-Ávila, Fidalgo, Bifet,
    Gavaldà & Morales-Bueno 2006, "Early drift detection method", International Workshop on
    Knowledge Discovery from Data Streams).

    Fed the errors of a classifier (any non-zero value is a mistake), EDDM follows the
    distance, in values, between consecutive mistakes: its mean ``p'`` and standard
    deviation ``s'``. While the model improves the distances grow; the maximum of
    ``p' + 2 s'`` is remembered (once more than ``warm_start`` values were seen) and, once
    more than ``warm_start`` mistakes were, a ratio ``(p' + 2 s') / max(p' + 2 s')`` below
    ``alpha`` is a warning and below ``beta`` a drift, after which the detector starts
    afresh. Gradual drifts shorten the distances before they raise the error rate much,
    which is where EDDM reacts earlier than :class:`DDM`; the price is more false alarms at
    low error rates. Parameters, defaults and decisions are River's (``drift.binary.EDDM``).

    A classifier that improves, then meets a change at value 3000:

    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> rate = np.concatenate([np.linspace(0.3, 0.02, 2000), np.full(1000, 0.02),
    ...                        np.full(1000, 0.3)])
    >>> detections = EDDM().update_many(rng.random(4000) < rate)
    >>> detections[detections < 3000], detections[detections >= 3000][:1]
    (array([281]), array([3205]))
    """

    _one = staticmethod(kernels.eddm_one)
    _many = staticmethod(kernels.eddm_many)

    def __init__(self, warm_start: int = 30, alpha: float = 0.95, beta: float = 0.9):
        self.warm_start = warm_start
        self.alpha = alpha
        self.beta = beta

    def _params(self) -> np.ndarray:
        check_number(self, "warm_start", self.warm_start, low=1, integer=True)
        check_number(self, "alpha", self.alpha, low=0, low_inclusive=False, high=1)
        check_number(self, "beta", self.beta, low=0, low_inclusive=False, high=self.alpha)
        return np.array([self.warm_start, self.alpha, self.beta], dtype=np.float64)

    def _initial_state(self) -> dict[str, np.ndarray]:
        return {"stats_": np.zeros(8)}
