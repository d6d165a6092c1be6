"""Drift detectors and the policies that adapt a model when its stream drifts.

Detectors (River's interface: ``update(x)`` then ``drift_detected``/``warning_detected``,
plus ``update_many(values)`` for a whole batch): :class:`ADWIN`, :class:`DDM`,
:class:`EDDM`, :class:`HDDM_A`, :class:`KSWIN`, :class:`PageHinkley`. Their step functions
are numba functions over the detector's arrays (``_kernels``, ``_adwin_kernels``,
``_kswin_kernels``), callable from other kernels.

Policies, wrapping any model: :class:`DriftRetrainingClassifier` and
:class:`DriftRetrainingRegressor` watch the model's errors with a detector and reset the
model, or promote a model trained in the background since the warning, on a drift.
"""

from streamlearn.drift.adwin import ADWIN
from streamlearn.drift.base import DriftDetector
from streamlearn.drift.ddm import DDM
from streamlearn.drift.eddm import EDDM
from streamlearn.drift.hddm_a import HDDM_A
from streamlearn.drift.kswin import KSWIN
from streamlearn.drift.page_hinkley import PageHinkley
from streamlearn.drift.retrain import DriftRetrainingClassifier, DriftRetrainingRegressor

__all__ = [
    "ADWIN",
    "DDM",
    "EDDM",
    "HDDM_A",
    "KSWIN",
    "DriftDetector",
    "DriftRetrainingClassifier",
    "DriftRetrainingRegressor",
    "PageHinkley",
]
