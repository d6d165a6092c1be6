"""ADWIN: an adaptive window that drops its older part when the two parts' means differ."""

from __future__ import annotations

import numpy as np

from streamlearn.core.params import check_number
from streamlearn.drift import _adwin_kernels as kernels
from streamlearn.drift.base import DriftDetector, check_probability


class ADWIN(DriftDetector):
    """ADaptive WINdowing (Bifet & Gavaldà 2007, "Learning from time-changing data with
    adaptive windowing", SIAM International Conference on Data Mining).

    ADWIN keeps the longest recent window in which the values look stationary: whenever some
    split of the window into an older part ``W0`` and a newer part ``W1`` has means further
    apart than a bound that holds with confidence ``1 - delta`` (Hoeffding/Bernstein style,
    using the window's variance), the older values are dropped and a drift is reported. The
    window is stored as an exponential histogram (the paper's ADWIN2), ``max_buckets``
    buckets per size, so memory and time grow with the logarithm of its width. Splits are
    tested every ``clock`` values, at bucket boundaries, once the window holds more than
    ``grace_period`` values, and both parts must hold ``min_window_length`` values or more.
    When a drift is reported the window holds the newer values (``estimation`` is their
    mean); the next value starts a fresh window, as River does, since the values just after
    a change would otherwise report the same change again. Parameters and defaults are
    River's (``drift.ADWIN``).

    Values can be any finite numbers (an error indicator, a loss, a feature).

    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> values = np.concatenate([rng.normal(0.0, 0.1, 1000), rng.normal(0.5, 0.1, 1000)])
    >>> detector = ADWIN()
    >>> detector.update_many(values)
    array([1023])
    >>> detector.width, round(detector.estimation, 2)
    (976, 0.5)
    >>> detector = ADWIN()
    >>> for i, x in enumerate(values):
    ...     if detector.update(x).drift_detected:
    ...         print(f"drift at {i}")
    drift at 1023
    """

    _state_arrays = ("stats_", "totals_", "variances_", "counts_", "pending_")
    _one = staticmethod(kernels.adwin_one)
    _many = staticmethod(kernels.adwin_many)

    def __init__(self, delta: float = 0.002, clock: int = 32, max_buckets: int = 5,
                 min_window_length: int = 5, grace_period: int = 10):
        self.delta = delta
        self.clock = clock
        self.max_buckets = max_buckets
        self.min_window_length = min_window_length
        self.grace_period = grace_period

    def _params(self) -> np.ndarray:
        check_probability(self, "delta", self.delta)
        for name in ("clock", "max_buckets", "min_window_length"):
            check_number(self, name, getattr(self, name), low=1, integer=True)
        check_number(self, "grace_period", self.grace_period, low=0, integer=True)
        return np.array([self.delta, self.clock, self.max_buckets, self.min_window_length,
                         self.grace_period], dtype=np.float64)

    def _drift_raised_values(self) -> bool:
        return bool(self.stats_[8] > 0)

    def _initial_state(self) -> dict[str, np.ndarray]:
        stats = np.zeros(9)
        stats[5] = self.clock  # values until the next test
        stats[6] = 1           # levels in use
        shape = (kernels.LEVELS, self.max_buckets)
        return {"stats_": stats, "totals_": np.zeros(shape), "variances_": np.zeros(shape),
                "counts_": np.zeros(kernels.LEVELS, dtype=np.int64),
                "pending_": np.zeros(min(self.clock, kernels.MAX_PENDING))}

    @property
    def width(self) -> int:
        """How many values the window holds."""
        stats = self.__dict__.get("stats_")
        return 0 if stats is None else int(stats[2])

    @property
    def total(self) -> float:
        """The sum of the values in the window."""
        stats = self.__dict__.get("stats_")
        return 0.0 if stats is None else float(stats[3])

    @property
    def estimation(self) -> float:
        """The mean of the values in the window (0 when it is empty)."""
        stats = self.__dict__.get("stats_")
        return 0.0 if stats is None or stats[2] == 0 else float(stats[3] / stats[2])

    @property
    def variance(self) -> float:
        """The (population) variance of the values in the window (0 when it is empty)."""
        stats = self.__dict__.get("stats_")
        return 0.0 if stats is None or stats[2] == 0 else float(stats[4] / stats[2])
