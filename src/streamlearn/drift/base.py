"""`DriftDetector`: the per-value face (``update``) and the batch face (``update_many``) of a
drift detector, over one numba kernel.

A detector keeps its state in numpy arrays; the first of them, ``stats_``, starts with the
status of the last value (0 stable, 1 warning, 2 drift) and the number of drifts detected so
far. ``update_many`` walks the values in order with exactly the arithmetic of ``update``, so
the state after a batch is the state after updating the values one by one.

``update`` costs one Python call and one numba dispatch per value (about 1 µs); numba code
that feeds a detector value by value (a tree's kernel, say) can call the step functions of
``_kernels``, ``_adwin_kernels`` and ``_kswin_kernels`` on the detector's arrays directly
(``ADWIN``'s are ``adwin_one(x, *detector._arguments())``).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from streamlearn.core.base import Estimator
from streamlearn.core.errors import ParameterError, SchemaError
from streamlearn.core.params import check_number

STABLE = 0
WARNING = 1
DRIFT = 2


class DriftDetector(Estimator):
    """Base of the drift detectors: ``update(x)``, ``update_many(values)``, the flags.

    Subclasses name their state arrays (``_state_arrays``, each built by ``_initial_state``),
    pack their parameters (``_params``, validated there) and give two kernels:
    ``_one(x, *state, params) -> status`` and
    ``_many(values, *state, params, statuses, stop_at_drift) -> values processed``.
    """

    _tags = {"drift_detector": True}
    _state_arrays: ClassVar[tuple[str, ...]] = ("stats_",)
    _one: Any
    _many: Any

    # ------------------------------------------------------------------ subclass hooks
    def _initial_state(self) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def _params(self) -> np.ndarray:
        raise NotImplementedError

    # ------------------------------------------------------------------ state
    def _arguments(self) -> tuple[np.ndarray, ...]:
        """The state arrays and the packed parameters, as the kernels take them."""
        arguments = self.__dict__.get("_arguments_cache")
        if arguments is None:
            params = self._params()  # validates: a bad parameter fails before any state
            if not hasattr(self, "stats_"):
                for name, array in self._initial_state().items():
                    setattr(self, name, array)
            arguments = (*(getattr(self, name) for name in self._state_arrays), params)
            self._arguments_cache = arguments
        return arguments

    def _after_restore(self) -> None:
        self._arguments_cache = None

    def reset(self) -> DriftDetector:
        """Forget everything learnt (the number of detections included)."""
        for name in self._state_names():
            delattr(self, name)
        self._arguments_cache = None
        return self

    # ------------------------------------------------------------------ the two faces
    def update(self, x: float) -> DriftDetector:
        """Feed one value; then read ``drift_detected`` (and ``warning_detected``)."""
        arguments = self.__dict__.get("_arguments_cache") or self._arguments()
        value = float(x)
        if not math.isfinite(value):
            raise SchemaError(f"{type(self).__name__} got {x!r}; a drift detector needs finite "
                              "numbers (drop or impute the value first)")
        type(self)._one(value, *arguments)
        return self

    def update_many(self, values: Any) -> np.ndarray:
        """Feed ``values`` in order; returns the indices (into ``values``) of the values at
        which a drift was detected. The flags then describe the last value."""
        values = self._checked(values)
        statuses = np.empty(len(values), dtype=np.int8)
        type(self)._many(values, *self._arguments(), statuses, False)
        return np.flatnonzero(statuses == DRIFT)

    def _statuses_until_drift(self, values: np.ndarray) -> np.ndarray:
        """Feed ``values`` up to and including the first drift; the status of each value fed
        (so its length says how many were)."""
        statuses = np.empty(len(values), dtype=np.int8)
        processed = type(self)._many(values, *self._arguments(), statuses, True)
        return statuses[:processed]

    def _checked(self, values: Any) -> np.ndarray:
        values = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
        if not np.isfinite(values).all():
            index = int(np.flatnonzero(~np.isfinite(values))[0])
            raise SchemaError(
                f"{type(self).__name__} got {values[index]!r} at index {index}; a drift "
                "detector needs finite numbers (drop or impute the value first)", row=index)
        return values

    # ------------------------------------------------------------------ flags
    @property
    def drift_detected(self) -> bool:
        """Whether the last value fed completed a change."""
        stats = self.__dict__.get("stats_")
        return stats is not None and bool(stats[0] == DRIFT)

    @property
    def warning_detected(self) -> bool:
        """Whether the last value fed put the detector in its warning zone (False for
        detectors without one, and when ``drift_detected``)."""
        stats = self.__dict__.get("stats_")
        return stats is not None and bool(stats[0] == WARNING)

    def _drift_raised_values(self) -> bool:
        """Whether the last drift was a rise of the values (for errors: the model got
        worse). Detectors that only see rises need not say more."""
        return True

    @property
    def n_detections(self) -> int:
        """How many drifts were detected since the detector was created (or reset)."""
        stats = self.__dict__.get("stats_")
        return 0 if stats is None else int(stats[1])


def check_probability(owner: object, name: str, value: Any) -> None:
    """A confidence or significance level: a number in (0, 1)."""
    check_number(owner, name, value, low=0, low_inclusive=False, high=1)
    if value == 1:
        raise ParameterError(f"The {name!r} parameter of {type(owner).__name__} must be < 1. "
                             f"Got {value!r} instead.")
