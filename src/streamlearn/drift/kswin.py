"""KSWIN: Kolmogorov-Smirnov windowing."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from math import comb

import numpy as np

from streamlearn.core.errors import ParameterError
from streamlearn.core.params import check_number
from streamlearn.drift import _kswin_kernels as kernels
from streamlearn.drift.base import DriftDetector, check_probability


class KSWIN(DriftDetector):
    """Kolmogorov-Smirnov WINdowing (Raab, Heusinger & Schleif 2020, "Reactive soft
    prototype computing for concept drift streams", Neurocomputing 416).

    KSWIN keeps the last ``window_size`` values. Once the window is full, every new value
    runs a two-sample Kolmogorov-Smirnov test between the newest ``stat_size`` values and
    ``stat_size`` values drawn at random from the older ones, and a p-value of ``alpha`` or
    less is a drift, after which the window keeps only its newest ``stat_size`` values. The
    p-value is the exact one for two samples of equal size (Gnedenko & Korolyuk 1951), as
    River computes it with SciPy: the paper's asymptotic critical value
    ``sqrt(-ln(alpha) / stat_size)`` rejects too often with samples this small. The test
    compares whole distributions, not just means, but with ``stat_size`` values it only sees
    large changes; and since every value runs a test, false alarms come at a steady rate
    (about ``alpha`` per value once the window is full). The random draws come from a
    generator seeded by ``seed`` and kept in the detector's state.
    Parameters and defaults follow River's (``drift.KSWIN``), except that the seed defaults
    to 42, for reproducibility.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> values = np.concatenate([rng.normal(0, 1, 1000), rng.normal(2, 1, 1000)])
    >>> KSWIN(alpha=0.0001).update_many(values)
    array([1015])
    """

    _state_arrays = ("stats_", "window_", "rng_")
    _one = staticmethod(kernels.kswin_one)
    _many = staticmethod(kernels.kswin_many)

    def __init__(self, alpha: float = 0.005, window_size: int = 100, stat_size: int = 30,
                 seed: int = 42):
        self.alpha = alpha
        self.window_size = window_size
        self.stat_size = stat_size
        self.seed = seed

    def _params(self) -> np.ndarray:
        check_probability(self, "alpha", self.alpha)
        check_number(self, "stat_size", self.stat_size, low=1, integer=True)
        check_number(self, "window_size", self.window_size, low=2, integer=True)
        if self.window_size < 2 * self.stat_size:
            raise ParameterError(
                f"The 'window_size' parameter of KSWIN must be >= 2 * stat_size "
                f"({2 * self.stat_size}). Got {self.window_size!r} instead.")
        check_number(self, "seed", self.seed, low=0, integer=True)
        critical = critical_distance(self.stat_size, self.alpha)
        return np.array([critical, self.window_size, self.stat_size], dtype=np.float64)

    def _drift_raised_values(self) -> bool:
        return bool(self.stats_[4] > 0)

    def _initial_state(self) -> dict[str, np.ndarray]:
        return {"stats_": np.zeros(5), "window_": np.zeros(self.window_size),
                "rng_": np.array([self.seed], dtype=np.uint64)}


@lru_cache(maxsize=64)
def ks_p_value(size: int, steps: int) -> float:
    """P(D >= steps / size) for the two-sample Kolmogorov-Smirnov statistic ``D`` of two
    samples of ``size`` values from the same continuous distribution: the
    Gnedenko-Korolyuk sum ``2 * sum_j (-1)**(j-1) C(2n, n - j k) / C(2n, n)``, exactly.

    >>> round(ks_p_value(30, 14), 6)
    0.00253
    """
    total = sum((-1) ** (j - 1) * comb(2 * size, size - j * steps)
                for j in range(1, size // steps + 1))
    return float(Fraction(2 * total, comb(2 * size, size)))


def critical_distance(size: int, alpha: float) -> int:
    """The smallest distance, in steps of ``1 / size``, whose p-value is ``alpha`` or less
    (``size + 1``, never reached, when even the largest is not significant)."""
    for steps in range(1, size + 1):
        if ks_p_value(size, steps) <= alpha:
            return steps
    return size + 1
