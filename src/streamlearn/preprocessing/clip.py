"""Online outlier clipping, to fixed bounds or to running quantiles."""

from __future__ import annotations

import numpy as np

from streamlearn.core.params import check_number
from streamlearn.preprocessing import _quantile_kernels as kernels
from streamlearn.preprocessing._numeric import NumericTransformer
from streamlearn.preprocessing._validation import fail

_SIDES = ("low", "high")


class Clipper(NumericTransformer):
    """Clip every numeric feature into ``[low, high]``.

    Each bound is either fixed (``low``, ``high``) or the running estimate of a quantile of
    the feature (``low_quantile``, ``high_quantile``), kept per feature with the P² algorithm
    (Jain & Chlamtac 1985, "The P² algorithm for dynamic calculation of quantiles and
    histograms without storing observations") in constant memory; the estimates are exactly
    those of River's ``stats.Quantile`` (up to five values, the order statistic
    ``floor(q * n)`` of the values seen). A side with neither is left open. A quantile bound
    does not clip until the feature has a learnt value. As for every transformer, an event is
    predicted with the bounds before it and learnt, then clipped, with the bounds after it.
    Missing values (NaN) stay missing; infinite values are never learnt, and are clipped like
    any other value.

    >>> clipper = Clipper(low=0.0, high_quantile=0.5)
    >>> for x in [1.0, 2.0, 3.0, 100.0]:
    ...     _ = clipper.learn_one({"x": x})
    >>> clipper.transform_many([{"x": -5.0}, {"x": 2.5}, {"x": 50.0}]).X.ravel().tolist()
    [0.0, 2.5, 3.0]
    """

    def __init__(self, low_quantile: float | None = None, high_quantile: float | None = None,
                 low: float | None = None, high: float | None = None):
        self.low_quantile = low_quantile
        self.high_quantile = high_quantile
        self.low = low
        self.high = high

    @classmethod
    def _check_instances(cls) -> list[Clipper]:
        """Configurations for the conformance suite (the defaults clip nothing)."""
        return [cls(low_quantile=0.05, high_quantile=0.95), cls(low=-1.0, high_quantile=0.9),
                cls(low=-1.0, high=1.0)]

    @property
    def _feature_arrays(self) -> dict[str, float]:  # type: ignore[override]
        arrays = {"count_": 0.0}
        for side in _SIDES:
            if getattr(self, f"{side}_quantile") is not None:
                arrays.update({f"{side}_heights_": 0.0, f"{side}_positions_": 0.0,
                               f"{side}_desired_": 0.0})
        return arrays

    def _init_feature_state(self, width: int = 1) -> None:
        self.feature_names_ = []
        for name in self._feature_arrays:
            setattr(self, name, np.zeros((0,) if name == "count_" else (0, 5)))

    def _check_params(self) -> None:
        for side in _SIDES:
            quantile, bound = getattr(self, f"{side}_quantile"), getattr(self, side)
            if quantile is not None:
                check_number(self, f"{side}_quantile", quantile, low=0.0, low_inclusive=False)
                if quantile >= 1.0:
                    fail(self, f"{side}_quantile", "< 1", quantile)
                if bound is not None:
                    fail(self, side, f"None when {side}_quantile is given", bound)
            if bound is not None:
                check_number(self, side, bound)
        if self.low_quantile is None and self.high_quantile is None and (
                self.low is None and self.high is None):
            fail(self, "low", "given when no other bound is (nothing to clip to)", self.low)
        if self.low is not None and self.high is not None and self.low > self.high:
            fail(self, "high", f">= low ({self.low})", self.high)
        if None not in (self.low_quantile, self.high_quantile) and (
                self.low_quantile > self.high_quantile):
            fail(self, "high_quantile", f">= low_quantile ({self.low_quantile})",
                 self.high_quantile)

    def process_many(self, X_pred, X_learn, learn):
        self._check_params()
        return super().process_many(X_pred, X_learn, learn)

    def _run_kernel(self, X_pred, X_learn, learn, rows, arrays, out_pred, out_learn):
        low = -np.inf if self.low is None else float(self.low)
        high = np.inf if self.high is None else float(self.high)
        if self.low_quantile is None and self.high_quantile is None:
            np.clip(X_pred, low, high, out=out_pred)
            np.clip(X_learn, low, high, out=out_learn)
            return
        count = arrays["count_"]
        markers = []
        for side in _SIDES:
            quantile = getattr(self, f"{side}_quantile")
            names = (f"{side}_heights_", f"{side}_positions_", f"{side}_desired_")
            if quantile is None:
                markers += [0.0] + [kernels.empty_markers(len(count))] * 3
            else:
                markers += [float(quantile)] + [arrays[name] for name in names]
        kernels.quantile_clip(X_pred, X_learn, learn, rows, count, *markers, low, high,
                              out_pred, out_learn)
