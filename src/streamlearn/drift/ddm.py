"""DDM: the drift detection method of Gama et al. (2004) on a stream of errors."""

from __future__ import annotations

import math

import numpy as np

from streamlearn.core.params import check_number
from streamlearn.drift import _kernels as kernels
from streamlearn.drift.base import DriftDetector


class DDM(DriftDetector):
    """Drift Detection Method (Gama, Medas, Castillo & Rodrigues 2004, "Learning with drift
    detection", Brazilian Symposium on Artificial Intelligence).

    Fed the errors of a classifier (1 for a mistake, 0 for a correct prediction), DDM models
    the error rate ``p`` as a binomial proportion with standard deviation
    ``s = sqrt(p (1 - p) / n)`` and remembers the point where ``p + s`` was lowest
    (``p_min``, ``s_min``). Once more than ``warm_start`` values were seen it enters its
    warning zone when ``p + s > p_min + warning_threshold * s_min`` and reports a drift when
    ``p + s > p_min + drift_threshold * s_min``; after a drift it starts afresh. Parameters
    and defaults are River's (``drift.binary.DDM``).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> errors = np.concatenate([rng.random(2000) < 0.1, rng.random(1000) < 0.4])
    >>> detector = DDM()
    >>> detector.update_many(errors)
    array([2008])
    >>> detector.drift_detected, detector.n_detections
    (False, 1)
    """

    _one = staticmethod(kernels.ddm_one)
    _many = staticmethod(kernels.ddm_many)

    def __init__(self, warm_start: int = 30, warning_threshold: float = 2.0,
                 drift_threshold: float = 3.0):
        self.warm_start = warm_start
        self.warning_threshold = warning_threshold
        self.drift_threshold = drift_threshold

    def _params(self) -> np.ndarray:
        check_number(self, "warm_start", self.warm_start, low=0, integer=True)
        check_number(self, "warning_threshold", self.warning_threshold, low=0)
        check_number(self, "drift_threshold", self.drift_threshold, low=self.warning_threshold)
        return np.array([self.warm_start, self.warning_threshold, self.drift_threshold],
                        dtype=np.float64)

    def _initial_state(self) -> dict[str, np.ndarray]:
        return {"stats_": np.array([0.0, 0.0, 0.0, 0.0, math.inf, math.inf, math.inf])}
