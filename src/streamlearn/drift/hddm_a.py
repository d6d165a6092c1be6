"""HDDM_A: drift detection from Hoeffding's bound on moving averages."""

from __future__ import annotations

import math

import numpy as np

from streamlearn.core.params import check_number
from streamlearn.drift import _kernels as kernels
from streamlearn.drift.base import DriftDetector, check_probability


class HDDM_A(DriftDetector):
    """Drift detection with Hoeffding's bound on averages, the "A-test" (Frías-Blanco,
    del Campo-Ávila, Ramos-Jiménez, Morales-Bueno, Ortiz-Díaz & Caballero-Mota 2015,
    "Online and non-parametric drift detection methods based on Hoeffding's bounds", IEEE
    Transactions on Knowledge and Data Engineering 27(3)).

    Values lie in [0, 1] (errors of a classifier, say). The detector remembers the cut point
    ``c`` where the mean of the values so far plus its Hoeffding bound was lowest, and tests
    whether the mean of all ``n`` values exceeds the mean of the first ``c`` by more than
    ``sqrt((n - c) / (2 c n) * ln(2 / confidence))`` (Hoeffding's bound for a difference of
    means, at the two-sided level that River also uses): at ``drift_confidence`` that is a drift
    (after which it starts afresh), at ``warning_confidence`` a warning. With
    ``two_sided_test`` a fall of the mean is detected too. Needs no window: constant time
    and memory per value. Parameters and defaults are River's (``drift.binary.HDDM_A``).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> errors = np.concatenate([rng.random(2000) < 0.1, rng.random(1000) < 0.4])
    >>> HDDM_A().update_many(errors)
    array([2048])
    """

    _one = staticmethod(kernels.hddm_a_one)
    _many = staticmethod(kernels.hddm_a_many)

    def __init__(self, drift_confidence: float = 0.001, warning_confidence: float = 0.005,
                 two_sided_test: bool = False):
        self.drift_confidence = drift_confidence
        self.warning_confidence = warning_confidence
        self.two_sided_test = two_sided_test

    def _params(self) -> np.ndarray:
        check_probability(self, "drift_confidence", self.drift_confidence)
        check_probability(self, "warning_confidence", self.warning_confidence)
        check_number(self, "warning_confidence", self.warning_confidence,
                     low=self.drift_confidence)
        return np.array([math.log(1.0 / self.drift_confidence),
                         math.log(2.0 / self.drift_confidence),
                         math.log(2.0 / self.warning_confidence),
                         1.0 if self.two_sided_test else 0.0])

    def _drift_raised_values(self) -> bool:
        return bool(self.stats_[10] > 0)

    def _initial_state(self) -> dict[str, np.ndarray]:
        return {"stats_": np.zeros(11)}
