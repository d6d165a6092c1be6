"""The Page-Hinkley test for a change in the mean of a stream (Page 1954)."""

from __future__ import annotations

import math

import numpy as np

from streamlearn.core.params import check_choice, check_number
from streamlearn.drift import _kernels as kernels
from streamlearn.drift.base import DriftDetector

_MODES = {"both": 0.0, "up": 1.0, "down": 2.0}


class PageHinkley(DriftDetector):
    """Page-Hinkley test (Page 1954, "Continuous inspection schemes", Biometrika 41).

    The test accumulates the deviations of the values from their running mean, less a
    tolerated magnitude ``delta``: ``m_T = alpha * m_(T-1) + (x_T - mean_T - delta)``, and
    reports a drift when ``m_T`` rises more than ``threshold`` above its minimum so far (a
    rise of the mean); the mirrored sum detects a fall. ``mode`` picks ``"up"``, ``"down"``
    or ``"both"``; ``alpha`` slowly fades old deviations; nothing is reported before
    ``min_instances`` values; after a drift the test starts afresh. Parameters and defaults
    are River's (``drift.PageHinkley``).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> values = np.concatenate([rng.normal(0, 1, 1000), rng.normal(3, 1, 500)])
    >>> PageHinkley().update_many(values)
    array([1016])
    """

    _one = staticmethod(kernels.page_hinkley_one)
    _many = staticmethod(kernels.page_hinkley_many)

    def __init__(self, min_instances: int = 30, delta: float = 0.005, threshold: float = 50.0,
                 alpha: float = 1 - 0.0001, mode: str = "both"):
        self.min_instances = min_instances
        self.delta = delta
        self.threshold = threshold
        self.alpha = alpha
        self.mode = mode

    def _params(self) -> np.ndarray:
        check_number(self, "min_instances", self.min_instances, low=1, integer=True)
        check_number(self, "delta", self.delta, low=0)
        check_number(self, "threshold", self.threshold, low=0, low_inclusive=False)
        check_number(self, "alpha", self.alpha, low=0, low_inclusive=False, high=1)
        check_choice(self, "mode", self.mode, _MODES)
        return np.array([self.min_instances, self.delta, self.threshold, self.alpha,
                         _MODES[self.mode]], dtype=np.float64)

    def _drift_raised_values(self) -> bool:
        return bool(self.stats_[8] > 0)

    def _initial_state(self) -> dict[str, np.ndarray]:
        return {"stats_": np.array([0.0, 0.0, 0.0, 0.0, 0.0, math.inf, 0.0, math.inf, 0.0])}
